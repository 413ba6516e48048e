"""Creating and editing payment requests, and their JSON.

Notifications and the request's chat thread are not handled here: every change
writes a history entry to the finance stream, and the finance reaction posts.
"""

import logging

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.finance import approval_path, attachments, transitions
from chalicelib.finance.categories import get_category
from chalicelib.finance.models import (
    EDITABLE_STATUSES,
    PAYABLE_STATUSES,
    Category,
    FinanceRequest,
    HistoryEntry,
    history_sk,
    request_pk,
)
from chalicelib.finance.money import convert_to_rub, format_amount
from chalicelib.finance.schemas import RequestCreate, RequestUpdate
from chalicelib.finance.visibility import Viewer, can_see
from chalicelib.ids import new_id
from chalicelib.people.service import find_user
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

EDITABLE_FIELDS = (
    "amount",
    "currency",
    "category_id",
    "counterparty",
    "problem",
    "solution",
    "pay_by",
    "period",
    "task_id",
    "launch_id",
)


def _category_for(category_id: str, viewer: Viewer) -> Category:
    """Return the category if ``viewer`` may request it; 400 names category_id."""
    try:
        category = get_category(category_id)
    except NotFound:
        raise InvalidInput(
            f"Invalid field 'category_id': category '{category_id}' does not exist.",
            field="category_id",
        ) from None
    if viewer.caller.is_admin or not (category.department_id or category.position_id):
        return category
    departments = viewer.org.department_and_parents(viewer.user.department_id)
    if category.position_id and category.position_id == viewer.position_id:
        return category
    if category.department_id and category.department_id in departments:
        return category
    raise Forbidden(
        f"Invalid field 'category_id': the category '{category.name}' is for "
        "another department or position.",
        field="category_id",
    )


def _check_task(task_id: str | None) -> None:
    if task_id is None:
        return
    # Imported here: the tasks package is needed only for requests tied to a task.
    from chalicelib.tasks.service import get_task

    try:
        get_task(task_id)
    except NotFound:
        raise InvalidInput(
            f"Invalid field 'task_id': task '{task_id}' does not exist.",
            field="task_id",
        ) from None


def _check_launch(launch_id: str | None) -> None:
    if launch_id is None:
        return
    # Imported here: the processes package is needed only for launch links.
    from chalicelib.processes.models import LAUNCH_SK, Launch, launch_pk

    try:
        Launch.get(launch_pk(launch_id), LAUNCH_SK)
    except DoesNotExist:
        raise InvalidInput(
            f"Invalid field 'launch_id': launch project '{launch_id}' does not "
            "exist; use the id of a launch from /api/launches.",
            field="launch_id",
        ) from None


def get_visible_request(request_id: str, viewer: Viewer) -> FinanceRequest:
    request = transitions.get_request(request_id)
    if not can_see(request, viewer):
        raise Forbidden(
            "Only the author, their managers, the approvers, finance and the owner "
            "can see this request."
        )
    return request


def create_request(body: RequestCreate, viewer: Viewer) -> FinanceRequest:
    _category_for(body.category_id, viewer)
    _check_task(body.task_id)
    _check_launch(body.launch_id)
    now = utc_now()
    request_id = new_id()
    request = FinanceRequest(
        request_pk(request_id),
        request_id=request_id,
        status="draft",
        version=1,
        author_id=viewer.user_id,
        author_name=viewer.user.name,
        author_position_id=viewer.position_id,
        amount_minor=body.amount,
        currency=body.currency,
        category_id=body.category_id,
        counterparty=body.counterparty,
        problem=body.problem,
        solution=body.solution,
        pay_by=body.pay_by.isoformat(),
        period=body.period,
        task_id=body.task_id,
        launch_id=body.launch_id,
        created_at=now,
        updated_at=now,
        updated_by=viewer.user_id,
    )
    entry = HistoryEntry(
        request_pk(request_id),
        history_sk(1),
        request_id=request_id,
        version=1,
        action="created",
        to_status="draft",
        actor_id=viewer.user_id,
        actor_name=viewer.user.name,
        created_at=now,
    )
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(request, condition=FinanceRequest.pk.does_not_exist())
        transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())
    logger.info(
        "finance request created request_id=%s by=%s", request_id, viewer.user_id
    )
    return request


def update_request(
    request_id: str, body: RequestUpdate, fields_set: set[str], viewer: Viewer
) -> FinanceRequest:
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")
    for field in fields_set - {"task_id", "launch_id"}:
        if getattr(body, field) is None:
            raise InvalidInput(
                f"Invalid field '{field}': must not be null.", field=field
            )
    request = get_visible_request(request_id, viewer)
    if request.author_id != viewer.user_id:
        raise Forbidden("Only the author of this request can edit it.")
    if request.status not in EDITABLE_STATUSES:
        raise Conflict(
            f"Cannot edit a request that is '{request.status}'; only a draft or a "
            "returned request can be edited.",
            status=request.status,
        )
    if "category_id" in fields_set:
        _category_for(body.category_id, viewer)
    if "task_id" in fields_set:
        _check_task(body.task_id)
    if "launch_id" in fields_set:
        _check_launch(body.launch_id)

    actions = []
    for field in sorted(fields_set):
        value = getattr(body, field)
        if field == "amount":
            actions.append(FinanceRequest.amount_minor.set(value))
        elif field == "pay_by":
            actions.append(FinanceRequest.pay_by.set(value.isoformat()))
        elif value is None:
            actions.append(getattr(FinanceRequest, field).remove())
        else:
            actions.append(getattr(FinanceRequest, field).set(value))
    if fields_set & {"amount", "currency"}:
        # A rate belongs to the amount and currency it was approved for.
        actions += [
            FinanceRequest.rate.remove(),
            FinanceRequest.amount_rub_minor.remove(),
        ]
    entry = transitions.history_entry(
        request, viewer, "edited", request.status, changed_fields=sorted(fields_set)
    )
    return transitions.commit(request, actions, entry)


def list_history(request_id: str) -> list[HistoryEntry]:
    return list(
        HistoryEntry.query(
            request_pk(request_id), HistoryEntry.sk.startswith("HISTORY#")
        )
    )


def path_of(request: FinanceRequest, viewer: Viewer) -> tuple[list, bool]:
    """Return the request's steps and whether they are a preview.

    Before submission the path is derived as it would be now, so the author
    sees who will approve; once submitted, the kept path is shown.
    """
    if request.status not in EDITABLE_STATUSES:
        return list(request.steps or []), False
    author = viewer.user if request.author_id == viewer.user_id else None
    author = author or find_user(request.author_id)
    if author is None:
        return [], True
    amount_rub = convert_to_rub(
        int(request.amount_minor), request.currency, request.rate
    )
    steps = approval_path.derive_path(
        author, author.position_id, amount_rub, viewer.settings, viewer.org
    )
    return steps, True


def allowed_actions(request: FinanceRequest, viewer: Viewer) -> list[str]:
    actions = []
    is_author = request.author_id == viewer.user_id
    if is_author and request.status in EDITABLE_STATUSES:
        actions += ["edit", "submit"]
    if is_author and request.status == "on_approval":
        actions.append("withdraw")
    if request.status == "on_approval":
        try:
            transitions.require_current_approver(request, viewer)
            actions += ["approve", "reject", "return"]
        except (Forbidden, Conflict):
            pass
    if viewer.is_finance and request.status in PAYABLE_STATUSES:
        actions += ["schedule", "pay"]
    if attachments.may_attach(request, viewer):
        actions.append("attach")
    return actions


def request_json(request: FinanceRequest, viewer: Viewer, *, detail: bool = False):
    amount = int(request.amount_minor)
    paid = int(request.paid_minor or 0)
    amount_rub = convert_to_rub(amount, request.currency, request.rate)
    body = {
        "id": request.request_id,
        "status": request.status,
        "version": int(request.version),
        "amount": format_amount(amount),
        "currency": request.currency,
        "rate": request.rate,
        "amount_rub": format_amount(amount_rub) if amount_rub is not None else None,
        "paid": format_amount(paid),
        "remaining": format_amount(amount - paid),
        "category_id": request.category_id,
        "counterparty": request.counterparty,
        "problem": request.problem,
        "solution": request.solution,
        "pay_by": request.pay_by,
        "pay_on": request.pay_on,
        "period": request.period,
        "task_id": request.task_id,
        "launch_id": request.launch_id,
        "author": {"id": request.author_id, "name": request.author_name},
        "author_position_id": request.author_position_id,
        "reason": request.reason,
        "current_step": (
            int(request.current_step) if request.current_step is not None else None
        ),
        "created_at": iso(request.created_at),
        "updated_at": iso(request.updated_at),
        "submitted_at": iso(request.submitted_at) if request.submitted_at else None,
        "approved_at": iso(request.approved_at) if request.approved_at else None,
        "paid_at": iso(request.paid_at) if request.paid_at else None,
    }
    if not detail:
        return body
    steps, preview = path_of(request, viewer)
    current = body["current_step"]
    body["path"] = [
        approval_path.step_json(step, index, current, viewer.org)
        for index, step in enumerate(steps)
    ]
    body["path_preview"] = preview
    body["allowed_actions"] = allowed_actions(request, viewer)
    body["history"] = [
        history_json(entry) for entry in list_history(request.request_id)
    ]
    # Someone else's unfinished upload is not a file yet.
    body["attachments"] = [
        attachments.attachment_json(attachment)
        for attachment in attachments.list_attachments(request.request_id)
        if attachment.status == "uploaded" or attachment.uploaded_by == viewer.user_id
    ]
    return body


def history_json(entry: HistoryEntry) -> dict:
    return {
        "version": int(entry.version),
        "action": entry.action,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "actor": {"id": entry.actor_id, "name": entry.actor_name},
        "comment": entry.comment,
        "reason": entry.reason,
        "rate": entry.rate,
        "step_index": int(entry.step_index) if entry.step_index is not None else None,
        "amount": (
            format_amount(int(entry.amount_minor))
            if entry.amount_minor is not None
            else None
        ),
        "pay_on": entry.pay_on,
        "changed_fields": list(entry.changed_fields or []) or None,
        "created_at": iso(entry.created_at),
    }
