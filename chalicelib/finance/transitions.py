"""Status transitions of a payment request.

draft -> on_approval -> approved -> scheduled -> partially_paid -> paid, with
on_approval -> rejected (final), on_approval -> returned (the author reworks
and resubmits) and on_approval -> draft when the author withdraws.

Every change is one TransactWriteItems call: an update of the request
conditional on the status and version that were read, and the put of the
history entry for the new version, conditional on the entry not existing. Of
two concurrent clicks or approvers exactly one commits; the other gets 409.
"""

import logging
from collections.abc import Callable

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.finance import approval_path
from chalicelib.finance.models import (
    PAYABLE_STATUSES,
    FinanceRequest,
    HistoryEntry,
    history_sk,
    request_pk,
)
from chalicelib.finance.money import DEFAULT_CURRENCY, convert_to_rub, format_amount
from chalicelib.finance.schemas import ApproveBody, PayBody, ScheduleBody
from chalicelib.finance.visibility import Viewer
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)


def get_request(request_id: str, *, consistent: bool = False) -> FinanceRequest:
    try:
        return FinanceRequest.get(
            request_pk(request_id), "REQUEST", consistent_read=consistent
        )
    except DoesNotExist:
        raise NotFound(f"Payment request '{request_id}' not found.") from None


def history_entry(
    request: FinanceRequest, viewer: Viewer, action: str, to_status: str, **fields
) -> HistoryEntry:
    version = int(request.version) + 1
    return HistoryEntry(
        request_pk(request.request_id),
        history_sk(version),
        request_id=request.request_id,
        version=version,
        action=action,
        from_status=request.status,
        to_status=to_status,
        actor_id=viewer.user_id,
        actor_name=viewer.user.name,
        created_at=utc_now(),
        **fields,
    )


def commit(
    request: FinanceRequest,
    actions: list,
    entry: HistoryEntry,
    also: Callable[[TransactWrite], None] | None = None,
) -> FinanceRequest:
    """Apply ``actions`` to the request as read and append ``entry``, or raise 409.

    ``also`` adds writes to other items of the same transaction.
    """
    condition = (FinanceRequest.status == request.status) & (
        FinanceRequest.version == request.version
    )
    actions = [
        *actions,
        FinanceRequest.version.set(entry.version),
        FinanceRequest.updated_at.set(entry.created_at),
        FinanceRequest.updated_by.set(entry.actor_id),
    ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(request, actions=actions, condition=condition)
            transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())
            if also is not None:
                also(transaction)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        current = get_request(request.request_id, consistent=True)
        logger.info(
            "finance transition lost request_id=%s action=%s version=%s",
            request.request_id,
            entry.action,
            request.version,
        )
        raise Conflict(
            f"This request changed meanwhile and is now '{current.status}'; "
            "reload it and try again.",
            status=current.status,
        ) from None
    logger.info(
        "finance transition request_id=%s action=%s %s->%s version=%d by=%s",
        request.request_id,
        entry.action,
        entry.from_status,
        entry.to_status,
        entry.version,
        entry.actor_id,
    )
    return get_request(request.request_id, consistent=True)


def _require_status(request: FinanceRequest, allowed: tuple[str, ...], verb: str):
    if request.status not in allowed:
        raise Conflict(
            f"Cannot {verb} a request that is '{request.status}'; "
            f"it must be {' or '.join(repr(status) for status in allowed)}.",
            status=request.status,
        )


def _require_author(request: FinanceRequest, viewer: Viewer, verb: str) -> None:
    if request.author_id != viewer.user_id:
        raise Forbidden(f"Only the author of this request can {verb} it.")


def _payment_index_actions(pay_date: str, request_id: str) -> list:
    return [
        FinanceRequest.pay_month.set(pay_date[:7]),
        FinanceRequest.pay_key.set(f"{pay_date}#{request_id}"),
    ]


def submit(request: FinanceRequest, viewer: Viewer) -> FinanceRequest:
    _require_author(request, viewer, "submit")
    _require_status(request, ("draft", "returned"), "submit")
    amount_rub = convert_to_rub(
        int(request.amount_minor), request.currency, request.rate
    )
    steps = approval_path.derive_path(
        viewer.user, viewer.position_id, amount_rub, viewer.settings, viewer.org
    )
    first = approval_path.next_pending(steps)
    now = utc_now()
    actions = [
        FinanceRequest.steps.set(steps),
        FinanceRequest.submitted_at.set(now),
        FinanceRequest.reason.remove(),
    ]
    if viewer.position_id:
        actions.append(FinanceRequest.author_position_id.set(viewer.position_id))
    if first is None:
        # Nobody else is on the path. The owner's money is the owner's to
        # spend, so the owner's request is approved at once; anyone else's
        # would have nobody to approve it.
        if not viewer.is_owner:
            raise Conflict(
                "Nobody can approve this request: every position on its approval "
                "path is vacant. Ask an admin to fill them or change the settings."
            )
        actions += [
            FinanceRequest.status.set("approved"),
            FinanceRequest.approved_at.set(now),
            FinanceRequest.current_step.remove(),
            FinanceRequest.approver_key.remove(),
            *_payment_index_actions(request.pay_by, request.request_id),
        ]
        entry = history_entry(request, viewer, "submitted", "approved")
        return commit(request, actions, entry)

    key = approval_path.approver_key(steps[first])
    actions += [
        FinanceRequest.status.set("on_approval"),
        FinanceRequest.current_step.set(first),
        FinanceRequest.approver_key.set(key),
    ]
    entry = history_entry(
        request,
        viewer,
        "submitted",
        "on_approval",
        next_approver_key=key,
        next_step_index=first,
    )
    return commit(request, actions, entry)


def require_current_approver(request: FinanceRequest, viewer: Viewer) -> int:
    """Return the current step's index if ``viewer`` may act on it, else raise 403."""
    _require_status(request, ("on_approval",), "act on")
    index = request.current_step
    if index is None or int(index) >= len(request.steps):
        raise Conflict("This request has no step waiting for approval.")
    index = int(index)
    if request.author_id == viewer.user_id:
        raise Forbidden(
            "You cannot approve your own request; it waits for the next approver."
        )
    step = request.steps[index]
    if step.kind == "owner":
        allowed = viewer.is_owner
        approver = "the owner"
    else:
        allowed = viewer.position_id == step.position_id
        approver = f"the holder of the position '{step.position_name}'"
    if not allowed:
        raise Forbidden(
            f"This request waits for {approver} (step {index + 1} of "
            f"{len(request.steps)}); you cannot act on this step."
        )
    return index


def approve(
    request: FinanceRequest, viewer: Viewer, body: ApproveBody
) -> FinanceRequest:
    index = require_current_approver(request, viewer)
    actions = []
    rate = body.rate
    if request.currency == DEFAULT_CURRENCY:
        if rate is not None:
            raise InvalidInput(
                "Invalid field 'rate': a RUB request takes no exchange rate.",
                field="rate",
            )
    else:
        if rate is None:
            raise InvalidInput(
                f"Invalid field 'rate': this request is in {request.currency}; "
                f'send the rate in RUB per 1 {request.currency}, such as "92.45".',
                field="rate",
            )
        actions += [
            FinanceRequest.rate.set(rate),
            FinanceRequest.amount_rub_minor.set(
                convert_to_rub(int(request.amount_minor), request.currency, rate)
            ),
        ]

    now = utc_now()
    steps = list(request.steps)
    step = steps[index]
    step.status = approval_path.APPROVED
    step.acted_by = viewer.user_id
    step.acted_by_name = viewer.user.name
    step.acted_at = now
    step.comment = body.comment or None
    step.rate = rate
    following = approval_path.next_pending(steps, index)
    actions.append(FinanceRequest.steps.set(steps))

    if following is None:
        actions += [
            FinanceRequest.status.set("approved"),
            FinanceRequest.approved_at.set(now),
            FinanceRequest.current_step.remove(),
            FinanceRequest.approver_key.remove(),
            *_payment_index_actions(request.pay_by, request.request_id),
        ]
        entry = history_entry(
            request,
            viewer,
            "approved",
            "approved",
            comment=body.comment or None,
            rate=rate,
            step_index=index,
        )
        return commit(request, actions, entry)

    key = approval_path.approver_key(steps[following])
    actions += [
        FinanceRequest.current_step.set(following),
        FinanceRequest.approver_key.set(key),
    ]
    entry = history_entry(
        request,
        viewer,
        "approved",
        "on_approval",
        comment=body.comment or None,
        rate=rate,
        step_index=index,
        next_approver_key=key,
        next_step_index=following,
    )
    return commit(request, actions, entry)


def decline(
    request: FinanceRequest, viewer: Viewer, reason: str, *, to_status: str
) -> FinanceRequest:
    """Reject (final) or return for rework, with the reason the author sees."""
    index = require_current_approver(request, viewer)
    action = "rejected" if to_status == "rejected" else "returned"
    actions = [
        FinanceRequest.status.set(to_status),
        FinanceRequest.reason.set(reason),
        FinanceRequest.current_step.remove(),
        FinanceRequest.approver_key.remove(),
    ]
    entry = history_entry(
        request, viewer, action, to_status, reason=reason, step_index=index
    )
    return commit(request, actions, entry)


def withdraw(request: FinanceRequest, viewer: Viewer) -> FinanceRequest:
    _require_author(request, viewer, "withdraw")
    _require_status(request, ("on_approval",), "withdraw")
    actions = [
        FinanceRequest.status.set("draft"),
        FinanceRequest.current_step.remove(),
        FinanceRequest.approver_key.remove(),
    ]
    return commit(
        request, actions, history_entry(request, viewer, "withdrawn", "draft")
    )


def _require_finance(viewer: Viewer, verb: str) -> None:
    if not viewer.is_finance:
        raise Forbidden(
            f"Only finance (the financial manager, the accountant or an admin) "
            f"can {verb} payments."
        )


def schedule(
    request: FinanceRequest, viewer: Viewer, body: ScheduleBody
) -> FinanceRequest:
    _require_finance(viewer, "schedule")
    _require_status(request, PAYABLE_STATUSES, "schedule")
    pay_on = body.pay_on.isoformat()
    # A partly paid request stays partly paid; only its date moves.
    to_status = "partially_paid" if request.status == "partially_paid" else "scheduled"
    actions = [
        FinanceRequest.status.set(to_status),
        FinanceRequest.pay_on.set(pay_on),
        *_payment_index_actions(pay_on, request.request_id),
    ]
    entry = history_entry(
        request, viewer, "scheduled", to_status, pay_on=pay_on, comment=body.comment
    )
    return commit(request, actions, entry)


def pay(request: FinanceRequest, viewer: Viewer, body: PayBody) -> FinanceRequest:
    _require_finance(viewer, "record")
    _require_status(request, PAYABLE_STATUSES, "pay")
    remaining = int(request.amount_minor) - int(request.paid_minor)
    if body.amount > remaining:
        raise Conflict(
            f"Invalid field 'amount': {format_amount(body.amount)} is more than the "
            f"{format_amount(remaining)} {request.currency} left to pay.",
            field="amount",
        )
    paid = int(request.paid_minor) + body.amount
    actions = [FinanceRequest.paid_minor.set(paid)]
    if paid == int(request.amount_minor):
        to_status = "paid"
        actions += [
            FinanceRequest.status.set("paid"),
            FinanceRequest.paid_at.set(utc_now()),
            FinanceRequest.pay_month.remove(),
            FinanceRequest.pay_key.remove(),
        ]
    else:
        to_status = "partially_paid"
        actions.append(FinanceRequest.status.set("partially_paid"))
    entry = history_entry(
        request,
        viewer,
        "paid",
        to_status,
        amount_minor=body.amount,
        paid_total_minor=paid,
        comment=body.comment,
    )
    return commit(request, actions, entry)
