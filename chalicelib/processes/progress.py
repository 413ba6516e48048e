"""The launch view: its tasks, progress by department and the critical path.

"Blocked" is derived on every read from the statuses of a task's blockers, so
a task is unblocked as soon as its last blocker is done, with no write. A
cancelled blocker no longer blocks, because its step will not be done.
Lateness compares each task's due date with today in the company time zone
(``SHTAB_TIME_ZONE``, Europe/Moscow unless set).
"""

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import iso, utc_now
from chalicelib.errors import NotFound
from chalicelib.org.service import list_departments
from chalicelib.processes.launching import LaunchedStep, launched_steps
from chalicelib.processes.models import LAUNCH_SK, Launch, launch_pk
from chalicelib.processes.schedule import ScheduleStep, plan
from chalicelib.tasks.due import company_time_zone, due_of, is_overdue
from chalicelib.tasks.models import OPEN_STATUSES, TASK_SK, Task, task_pk
from chalicelib.tasks.visibility import TaskViewer, participants

CLOSED_STATUSES = ("done", "cancelled")
IN_PROGRESS_STATUSES = ("in_progress", "review")


def get_launch(launch_id: str) -> Launch:
    try:
        return Launch.get(launch_pk(launch_id), LAUNCH_SK)
    except DoesNotExist:
        raise NotFound(f"Launch '{launch_id}' not found.", field="launch_id") from None


def read_tasks(launch: Launch) -> dict[str, Task]:
    keys = [(task_pk(step.task_id), TASK_SK) for step in launched_steps(launch)]
    return {task.task_id: task for task in Task.batch_get(keys)}


def can_view(launch: Launch, tasks: dict[str, Task], viewer: TaskViewer) -> bool:
    """Admins, the launcher and everyone on one of its tasks see the launch."""
    if viewer.is_admin or launch.launcher_id == viewer.user_id:
        return True
    return any(viewer.user_id in participants(task) for task in tasks.values())


def _counts() -> dict:
    return {"done": 0, "total": 0, "late": 0, "blocked": 0, "in_progress": 0}


def _add(counts: dict, state: dict) -> None:
    counts["total"] += 1
    counts["done"] += state["status"] == "done"
    counts["late"] += state["late"]
    counts["blocked"] += state["blocked"]
    counts["in_progress"] += state["status"] in IN_PROGRESS_STATUSES


def _step_state(
    step: LaunchedStep, task: Task | None, tasks: dict[str, Task], now: datetime
) -> dict:
    if task is None:
        return {"status": "missing", "late": False, "blocked": False, "waiting": []}
    waiting = [
        blocker_id
        for blocker_id in task.blocked_by_ids or []
        if blocker_id in tasks and tasks[blocker_id].status not in CLOSED_STATUSES
    ]
    is_open = task.status in OPEN_STATUSES
    return {
        "status": task.status,
        "late": is_open and is_overdue(due_of(task), now),
        "blocked": task.status not in CLOSED_STATUSES and bool(waiting),
        "waiting": waiting,
    }


def launch_view(launch: Launch, tasks: dict[str, Task]) -> dict:
    steps = launched_steps(launch)
    now = utc_now()
    today = now.astimezone(company_time_zone()).date()
    key_of_task = {step.task_id: step.key for step in steps}
    states = {
        step.key: _step_state(step, tasks.get(step.task_id), tasks, now)
        for step in steps
    }
    schedule = plan(
        [
            ScheduleStep(
                key=step.key,
                depends_on=tuple(step.depends_on),
                duration_days=step.duration_days,
                closed=states[step.key]["status"] in CLOSED_STATUSES,
            )
            for step in steps
        ]
    )
    department_names = {
        department.department_id: department.name for department in list_departments()
    }

    overall = _counts()
    by_department: dict[str | None, dict] = {}
    rows = []
    for step in steps:
        task = tasks.get(step.task_id)
        state = states[step.key]
        timing = schedule.timings[step.key]
        department_id = task.department_id if task else step.department_id
        _add(overall, state)
        _add(by_department.setdefault(department_id, _counts()), state)
        due = due_of(task) if task else None
        rows.append(
            {
                "step": step.key,
                "task_id": step.task_id,
                "title": task.title if task else step.title,
                "status": state["status"],
                "assignee_id": task.assignee_id if task else None,
                "co_assignee_ids": list(task.co_assignee_ids or []) if task else [],
                "position_id": step.position_id,
                "department_id": department_id,
                "due_date": due.date if due else step.due_date,
                "duration_days": step.duration_days,
                "depends_on": step.depends_on,
                "blocked": state["blocked"],
                "waiting_for": [key_of_task[task_id] for task_id in state["waiting"]],
                "late": state["late"],
                "critical": timing.critical,
                "slack_days": timing.slack_days,
                "earliest_finish": (
                    today + timedelta(days=timing.earliest_finish)
                ).isoformat(),
                "assigned_for_vacancy": step.assigned_for_vacancy,
            }
        )

    departments = [
        {
            "department_id": department_id,
            "name": department_names.get(department_id),
            **counts,
        }
        for department_id, counts in by_department.items()
    ]
    departments.sort(key=lambda row: (row["name"] is None, row["name"] or ""))
    target = datetime.fromisoformat(launch.target_date).date()
    return {
        "id": launch.launch_id,
        "name": launch.name,
        "product": launch.product,
        "template_id": launch.template_id,
        "template_name": launch.template_name,
        "target_date": launch.target_date,
        # A target date already passed is accepted, for launches recorded
        # late; clients show this flag next to it.
        "target_date_passed": target < today,
        "launcher_id": launch.launcher_id,
        "created_at": iso(launch.created_at),
        "today": today.isoformat(),
        "tasks": rows,
        "progress": overall,
        "departments": departments,
        "critical_path": {
            "steps": schedule.critical_path,
            "remaining_days": schedule.remaining_days,
            "earliest_finish": (
                today + timedelta(days=schedule.remaining_days)
            ).isoformat(),
        },
    }
