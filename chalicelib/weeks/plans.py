"""Week plans: reading, replacing and rolling unfinished tasks over.

Unfinished planned tasks roll over into a later week's plan when that plan is
read or saved, or when the week is closed explicitly. Rolling over takes the
person's latest plan before the target week, if it has not rolled over yet
and its week has begun. It moves that plan's unfinished tasks into the target
week in one transaction that also marks the source plan closed. So each
roll-over happens once, and a task's count of roll-overs rises by one each
time.
"""

import logging

from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, InvalidInput
from chalicelib.people.models import User
from chalicelib.storage.connection import transaction_connection
from chalicelib.tasks.models import TASK_SK, Task, task_pk
from chalicelib.tasks.visibility import TaskViewer, executors
from chalicelib.weeks.calendar import IsoWeek, parse_iso_week, week_of_moment
from chalicelib.weeks.models import PlannedTask, WeekPlan, plan_pk, week_sk

logger = logging.getLogger(__name__)

# Statuses that end a task's work, so it neither rolls over nor is planned anew.
FINISHED_STATUSES = ("done", "cancelled")
# A roll-over loses only to a write that committed meanwhile, so this many
# attempts outlast that many concurrent writers of one person's plans.
MAX_ATTEMPTS = 20


def find_plan(user_id: str, week: IsoWeek) -> WeekPlan | None:
    try:
        return WeekPlan.get(plan_pk(user_id), week_sk(str(week)), consistent_read=True)
    except DoesNotExist:
        return None


def plan_version(plan: WeekPlan | None) -> int:
    return int(plan.version) if plan is not None else 0


def tasks_by_id(task_ids: list[str]) -> dict[str, Task]:
    keys = [(task_pk(task_id), TASK_SK) for task_id in dict.fromkeys(task_ids)]
    if not keys:
        return {}
    return {task.task_id: task for task in Task.batch_get(keys, consistent_read=True)}


def _latest_plan_before(user_id: str, week: IsoWeek) -> WeekPlan | None:
    plans = WeekPlan.query(
        plan_pk(user_id),
        range_key_condition=WeekPlan.sk < week_sk(str(week)),
        scan_index_forward=False,
        limit=1,
        consistent_read=True,
    )
    return next(iter(plans), None)


def _new_plan(user_id: str, week: IsoWeek, actor_id: str) -> WeekPlan:
    now = utc_now()
    return WeekPlan(
        plan_pk(user_id),
        week_sk(str(week)),
        user_id=user_id,
        iso_week=str(week),
        tasks=[],
        version=0,
        updated_by=actor_id,
        created_at=now,
        updated_at=now,
    )


def _version_condition(plan: WeekPlan):
    if plan.version == 0:
        return WeekPlan.pk.does_not_exist()
    return WeekPlan.version == plan.version


def _unfinished_entries(source: WeekPlan) -> list[PlannedTask]:
    tasks = tasks_by_id(source.task_ids())
    unfinished = []
    for entry in source.tasks or []:
        task = tasks.get(entry.task_id)
        # A task handed to someone else leaves this person's plans.
        if task is None or source.user_id not in executors(task):
            continue
        if task.status not in FINISHED_STATUSES:
            unfinished.append(entry)
    return unfinished


def _close(source: WeekPlan, target_week: IsoWeek, actor_id: str) -> bool:
    """Roll ``source`` over into ``target_week``; return False if a race was lost."""
    now = utc_now()
    target = find_plan(source.user_id, target_week) or _new_plan(
        source.user_id, target_week, actor_id
    )
    expected_target = target.version
    in_target = {entry.task_id: entry for entry in target.tasks or []}
    moved = 0
    changed = False
    for entry in _unfinished_entries(source):
        rollovers = int(entry.rollovers or 0) + 1
        existing = in_target.get(entry.task_id)
        if existing is not None:
            # Planned there by hand as well: keep it once, with its history.
            existing.rollovers = max(int(existing.rollovers or 0), rollovers)
            existing.rolled_from = str(source.iso_week)
            changed = True
            continue
        target.tasks.append(
            PlannedTask(
                task_id=entry.task_id,
                rollovers=rollovers,
                rolled_from=source.iso_week,
                added_by=actor_id,
                added_at=now,
            )
        )
        moved += 1
        changed = True

    source_condition = (WeekPlan.version == source.version) & (
        WeekPlan.closed_at.does_not_exist()
    )
    source_actions = [
        WeekPlan.closed_at.set(now),
        WeekPlan.closed_into.set(str(target_week)),
        WeekPlan.version.set(int(source.version) + 1),
        WeekPlan.updated_by.set(actor_id),
        WeekPlan.updated_at.set(now),
    ]
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                source, actions=source_actions, condition=source_condition
            )
            if changed:
                target_condition = _version_condition(target)
                target.version = expected_target + 1
                target.updated_by = actor_id
                target.updated_at = now
                transaction.save(target, condition=target_condition)
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        logger.info(
            "week roll-over lost a race user_id=%s from=%s into=%s",
            source.user_id,
            source.iso_week,
            target_week,
        )
        return False
    logger.info(
        "week rolled over user_id=%s from=%s into=%s tasks=%d by=%s",
        source.user_id,
        source.iso_week,
        target_week,
        moved,
        actor_id,
    )
    return True


def _may_roll_into(source: WeekPlan, week: IsoWeek) -> bool:
    """Tell whether reading ``week`` should roll ``source`` over into it.

    A plan rolls over only once its week has begun, because before that its
    tasks are planned work, not unfinished work. It rolls into its next week,
    or across skipped weeks into any week up to the one after the current
    week, so that a glance at a plan months ahead moves nothing.
    """
    now = utc_now()
    source_week = parse_iso_week(source.iso_week)
    if source_week.start > now:
        return False
    return week == source_week.next() or week <= week_of_moment(now).next()


def roll_over_into(user_id: str, week: IsoWeek, actor_id: str) -> None:
    """Roll the person's latest earlier plan into ``week`` unless it rolled already.

    NOTE: only the latest plan before ``week`` is looked at. A plan written
    for a past week after later plans exist keeps its unfinished tasks.
    """
    for _attempt in range(MAX_ATTEMPTS):
        source = _latest_plan_before(user_id, week)
        if source is None or source.closed_at is not None:
            return
        if not _may_roll_into(source, week):
            return
        if _close(source, week, actor_id):
            return
    raise Conflict("The plans changed too often meanwhile; try again.")


def read_plan(user_id: str, week: IsoWeek, actor_id: str) -> WeekPlan | None:
    roll_over_into(user_id, week, actor_id)
    return find_plan(user_id, week)


def close_week(user_id: str, week: IsoWeek, actor_id: str) -> WeekPlan | None:
    """Roll the week's unfinished tasks into the next week; return the next plan.

    Returns None when the person has no plan for the week. Closing a closed
    week changes nothing.
    """
    roll_over_into(user_id, week, actor_id)
    for _attempt in range(MAX_ATTEMPTS):
        plan = find_plan(user_id, week)
        if plan is None:
            return None
        if plan.closed_at is not None or _close(plan, week.next(), actor_id):
            return find_plan(user_id, week.next())
    raise Conflict("The plans changed too often meanwhile; try again.")


def _check_new_task(
    task: Task | None, task_id: str, position: int, person: User, viewer: TaskViewer
) -> None:
    field = f"task_ids.{position}"
    if task is None or not viewer.can_see(task):
        raise InvalidInput(
            f"Invalid field '{field}': task '{task_id}' not found.", field=field
        )
    if person.user_id not in executors(task):
        raise InvalidInput(
            f"Invalid field '{field}': task '{task_id}' is not {person.name}'s; "
            "plan only tasks where they are the responsible person or a "
            "co-assignee.",
            field=field,
        )
    if task.status in FINISHED_STATUSES:
        raise InvalidInput(
            f"Invalid field '{field}': task '{task_id}' is already {task.status}; "
            "plan only unfinished tasks.",
            field=field,
        )


def save_plan(
    person: User,
    week: IsoWeek,
    task_ids: list[str],
    expected_version: int,
    viewer: TaskViewer,
) -> WeekPlan:
    """Replace the tasks planned into the week, or raise 409 on a stale version.

    Tasks already in the plan keep their roll-over counts and are not checked
    again, so a plan stays savable after one of its tasks is reassigned.
    Only newly added tasks must be visible, the person's and unfinished.
    """
    roll_over_into(person.user_id, week, viewer.user_id)
    plan = find_plan(person.user_id, week) or _new_plan(
        person.user_id, week, viewer.user_id
    )
    if plan.version != expected_version:
        raise stale_plan(plan)

    kept = {entry.task_id: entry for entry in plan.tasks or []}
    added = [task_id for task_id in task_ids if task_id not in kept]
    tasks = tasks_by_id(added)
    now = utc_now()
    entries = []
    for position, task_id in enumerate(task_ids):
        if task_id in kept:
            entries.append(kept[task_id])
            continue
        _check_new_task(tasks.get(task_id), task_id, position, person, viewer)
        entries.append(
            PlannedTask(
                task_id=task_id, rollovers=0, added_by=viewer.user_id, added_at=now
            )
        )

    condition = _version_condition(plan)
    plan.tasks = entries
    plan.version = expected_version + 1
    plan.updated_by = viewer.user_id
    plan.updated_at = now
    try:
        plan.save(condition=condition)
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise stale_plan(find_plan(person.user_id, week)) from None
    logger.info(
        "week plan saved user_id=%s week=%s tasks=%d version=%d by=%s",
        person.user_id,
        week,
        len(entries),
        plan.version,
        viewer.user_id,
    )
    return plan


def stale_plan(current: WeekPlan | None) -> Conflict:
    return Conflict(
        f"This plan changed meanwhile and is now at version {plan_version(current)}; "
        "reload it, apply your change again and send that version.",
        field="version",
        current_version=plan_version(current),
        current_task_ids=current.task_ids() if current is not None else [],
    )
