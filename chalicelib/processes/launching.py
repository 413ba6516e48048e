"""Launching a process template: one task per step, written in one transaction.

Each step becomes a task for whoever holds the step's position now. With
several holders the one with the smallest user id is responsible and the
others are co-assignees. Due dates are date-only and count from the target
date. The tasks are blocked by the tasks of the steps they depend on.

The task service checks each task as ``create_task`` does
(``prepare_new_task``), but ``create_tasks_batch`` cannot link tasks created
in the same batch or copy a checklist. So the links and the checklist are set
on the prepared items, and the tasks are written here together with the
launch and its idempotency key.
"""

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, InvalidInput
from chalicelib.ids import new_id
from chalicelib.processes.catalog import get_template
from chalicelib.processes.definitions import TemplateDefinition
from chalicelib.processes.models import (
    LAUNCH_KEY_SK,
    LAUNCH_SK,
    Launch,
    LaunchKey,
    launch_key_pk,
    launch_pk,
)
from chalicelib.processes.schemas import LaunchCreate
from chalicelib.processes.staffing import StepOwner, resolve_owners
from chalicelib.storage.connection import transaction_connection
from chalicelib.tasks.due import MAX_YEAR, MIN_YEAR
from chalicelib.tasks.models import ChecklistItem, HistoryEntry, Task
from chalicelib.tasks.present import checklist_item_json
from chalicelib.tasks.schemas import MAX_CO_ASSIGNEES, TaskCreate
from chalicelib.tasks.service import active_user, prepare_new_task
from chalicelib.tasks.store import field_change
from chalicelib.tasks.visibility import TaskViewer

logger = logging.getLogger(__name__)

# DynamoDB takes at most 100 items per transaction. The first one also contains
# the launch and its key, and each task comes with its first history entry.
MAX_TRANSACTION_ITEMS = 100
FIRST_CHUNK_TASKS = (MAX_TRANSACTION_ITEMS - 2) // 2
CHUNK_TASKS = MAX_TRANSACTION_ITEMS // 2
MAX_TITLE_LENGTH = 200


@dataclass
class LaunchedStep:
    """A step as launched: what the launch view needs without the template."""

    key: str
    task_id: str
    title: str
    position_id: str | None
    position_ref: str
    department_id: str | None
    due_offset_days: int
    duration_days: int
    depends_on: list[str]
    due_date: str
    # True when the position was vacant and the step went to assign_vacant_to.
    assigned_for_vacancy: bool


def launched_steps(launch: Launch) -> list[LaunchedStep]:
    return [LaunchedStep(**step) for step in json.loads(launch.steps)]


def _due_dates(template: TemplateDefinition, target: date) -> dict[str, str]:
    dates = {}
    for step in template.steps:
        due = target + timedelta(days=step.due_offset_days)
        if not MIN_YEAR <= due.year <= MAX_YEAR:
            raise InvalidInput(
                f"Invalid field 'target_date': step '{step.key}' would be due on "
                f"{due.isoformat()}, outside the years {MIN_YEAR} to {MAX_YEAR}; "
                "choose a nearer target date.",
                field="target_date",
            )
        dates[step.key] = due.isoformat()
    return dates


def _fingerprint(template_id: str, request: LaunchCreate) -> str:
    return json.dumps(
        [
            template_id,
            request.name,
            request.target_date.isoformat(),
            request.product,
        ],
        ensure_ascii=False,
    )


def _key_digest(template_id: str, request: LaunchCreate, viewer: TaskViewer) -> str:
    if request.idempotency_key is not None:
        # A client's key is the client's own, so two people's keys never meet.
        parts = ["key", viewer.user_id, request.idempotency_key]
    else:
        parts = [
            "name",
            template_id,
            request.name.casefold(),
            request.target_date.isoformat(),
        ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _earlier_launch(digest: str, fingerprint: str) -> Launch | None:
    """Return the launch a repeated request refers to, or None for a new request."""
    try:
        key = LaunchKey.get(launch_key_pk(digest), LAUNCH_KEY_SK, consistent_read=True)
    except DoesNotExist:
        return None
    if key.fingerprint != fingerprint:
        raise Conflict(
            "Invalid field 'idempotency_key': a launch was already created with "
            "this key, or with this name and target date, from a different "
            "request; use a new key or another name.",
            field="idempotency_key",
            launch_id=key.launch_id,
        )
    return Launch.get(launch_pk(key.launch_id), LAUNCH_SK, consistent_read=True)


def _vacancies(owners: list[StepOwner], request: LaunchCreate, locale: str) -> None:
    vacant = [owner for owner in owners if owner.vacant]
    if request.assign_vacant_to is not None and not request.allow_vacant:
        raise InvalidInput(
            "Invalid field 'assign_vacant_to': it applies only with "
            '"allow_vacant": true.',
            field="assign_vacant_to",
        )
    if not vacant:
        if request.assign_vacant_to is not None:
            active_user(request.assign_vacant_to, "assign_vacant_to")
        return
    if not request.allow_vacant:
        raise Conflict(
            f"{len(vacant)} steps have no one in their position; fill the "
            'positions, or send "allow_vacant": true with "assign_vacant_to" '
            "to give those steps to one person.",
            field="allow_vacant",
            vacant_steps=[
                {
                    "step": owner.step.key,
                    "title": owner.step.title.pick(locale),
                    **owner.to_json(),
                }
                for owner in vacant
            ],
        )
    if request.assign_vacant_to is None:
        raise InvalidInput(
            "Invalid field 'assign_vacant_to': name the user who takes the steps "
            "of vacant positions.",
            field="assign_vacant_to",
        )
    active_user(request.assign_vacant_to, "assign_vacant_to")


def _task_request(
    owner: StepOwner, request: LaunchCreate, due_date: str, locale: str
) -> TaskCreate:
    step = owner.step
    if owner.vacant:
        assignee_id, co_assignee_ids = request.assign_vacant_to, []
    else:
        assignee_id = owner.holders[0].user_id
        co_assignee_ids = [user.user_id for user in owner.holders[1:]]
        # NOTE: holders past the co-assignee limit are left off the task.
        co_assignee_ids = co_assignee_ids[:MAX_CO_ASSIGNEES]
    title = f"{request.name}: {step.title.pick(locale)}"[:MAX_TITLE_LENGTH]
    description = step.description.pick(locale)
    if request.product:
        label = "Product" if locale == "en" else "Товар"
        description = f"{description}\n\n{label}: {request.product}"
    return TaskCreate.model_validate(
        {
            "title": title,
            "description": description,
            "assignee_id": assignee_id,
            "co_assignee_ids": co_assignee_ids,
            "department_id": owner.position.department_id if owner.position else None,
            "due": due_date,
        }
    )


def _link_and_fill(
    task: Task,
    entry: HistoryEntry,
    blocker_ids: list[str],
    checklist_texts: list[str],
) -> None:
    """Set the blockers and checklist that prepare_new_task cannot, and record them."""
    now = task.created_at
    items = [
        ChecklistItem(item_id=new_id(), text=text, done=False, created_at=now)
        for text in checklist_texts
    ]
    task.blocked_by_ids = blocker_ids
    task.checklist = items
    if blocker_ids:
        entry.changes.append(field_change("blocked_by_ids", None, blocker_ids))
    for item in items:
        entry.changes.append(
            field_change(f"checklist.{item.item_id}", None, checklist_item_json(item))
        )


def _write(launch: Launch, key: LaunchKey, prepared: list[tuple[Task, HistoryEntry]]):
    """Write the launch, its key and the tasks; the first transaction contains the key.

    NOTE: a template of more than FIRST_CHUNK_TASKS steps takes a second
    transaction. If that one fails, the launch keeps the tasks of the first
    and shows the rest as missing; repeating the request returns that launch.
    """
    chunks = [prepared[:FIRST_CHUNK_TASKS]]
    for start in range(FIRST_CHUNK_TASKS, len(prepared), CHUNK_TASKS):
        chunks.append(prepared[start : start + CHUNK_TASKS])
    for number, chunk in enumerate(chunks):
        with TransactWrite(connection=transaction_connection()) as transaction:
            if number == 0:
                # Saved first, so its cancellation reason comes first.
                transaction.save(key, condition=LaunchKey.pk.does_not_exist())
                transaction.save(launch, condition=Launch.pk.does_not_exist())
            for task, entry in chunk:
                transaction.save(task, condition=Task.pk.does_not_exist())
                transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())


def _key_taken(error: TransactWriteError) -> bool:
    if error.cause_response_code != "TransactionCanceledException":
        return False
    reasons = error.cancellation_reasons or []
    return (
        bool(reasons)
        and reasons[0] is not None
        and (reasons[0].code == "ConditionalCheckFailed")
    )


@dataclass
class LaunchResult:
    launch: Launch
    # The tasks as written, by id; None for a repeated request, whose tasks
    # are read back.
    tasks: dict[str, Task] | None
    created: bool


def launch_template(
    template_id: str, request: LaunchCreate, viewer: TaskViewer
) -> LaunchResult:
    template, _item = get_template(template_id)
    due_dates = _due_dates(template, request.target_date)
    fingerprint = _fingerprint(template_id, request)
    digest = _key_digest(template_id, request, viewer)
    earlier = _earlier_launch(digest, fingerprint)
    if earlier is not None:
        return LaunchResult(earlier, None, created=False)

    locale = viewer.user.locale or "ru"
    owners = resolve_owners(template)
    _vacancies(owners, request, locale)

    launch_id = new_id()
    prepared: list[tuple[Task, HistoryEntry]] = []
    task_ids: dict[str, str] = {}
    steps: list[LaunchedStep] = []
    for owner in owners:
        step = owner.step
        task_request = _task_request(owner, request, due_dates[step.key], locale)
        task, entry = prepare_new_task(task_request, viewer, {})
        task_ids[step.key] = task.task_id
        _link_and_fill(
            task,
            entry,
            [task_ids[dependency] for dependency in step.depends_on],
            [item.pick(locale) for item in step.checklist],
        )
        prepared.append((task, entry))
        steps.append(
            LaunchedStep(
                key=step.key,
                task_id=task.task_id,
                title=step.title.pick(locale),
                position_id=owner.position.position_id if owner.position else None,
                position_ref=step.position,
                department_id=task.department_id,
                due_offset_days=step.due_offset_days,
                duration_days=step.duration_days,
                depends_on=list(step.depends_on),
                due_date=due_dates[step.key],
                assigned_for_vacancy=owner.vacant,
            )
        )

    now = utc_now()
    launch = Launch(
        launch_pk(launch_id),
        launch_id=launch_id,
        template_id=template_id,
        template_name=template.name.pick(locale),
        name=request.name,
        product=request.product,
        target_date=request.target_date.isoformat(),
        locale=locale,
        launcher_id=viewer.user_id,
        steps=json.dumps([asdict(step) for step in steps], ensure_ascii=False),
        created_at=now,
    )
    key = LaunchKey(
        launch_key_pk(digest),
        launch_id=launch_id,
        fingerprint=fingerprint,
        created_at=now,
    )
    try:
        _write(launch, key, prepared)
    except TransactWriteError as error:
        if not _key_taken(error):
            raise
        # Another request with the same key committed between the read and the
        # write, as a double click does.
        logger.info("launch repeated while in flight template_id=%s", template_id)
        earlier = _earlier_launch(digest, fingerprint)
        if earlier is None:
            raise
        return LaunchResult(earlier, None, created=False)
    logger.info(
        "process launched launch_id=%s template_id=%s tasks=%d vacant=%d by=%s",
        launch_id,
        template_id,
        len(prepared),
        sum(1 for step in steps if step.assigned_for_vacancy),
        viewer.user_id,
    )
    return LaunchResult(launch, {task.task_id: task for task, _entry in prepared}, True)
