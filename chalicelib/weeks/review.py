"""The weekly review: per person, what was planned and what became of it.

Numbers per person, for the tasks in their plan of the week:
- planned: tasks in the plan;
- done: tasks in status done, finished before the week's end. A task that
  rolled over and was then finished before the week began counts as done;
- not_done: planned minus done (cancelled tasks included);
- late: not done, not cancelled, and due before the week's end. For the
  current week only due moments already passed count;
- rolled_over: planned tasks that rolled over into this week;
- rollovers: the sum, over planned tasks, of how many times each rolled over.

Reads: one Query of the users per department in scope (or one of the whole
directory), one BatchGetItem of the plans and one of the tasks, each split
into requests of 100 keys by PynamoDB.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.clock import iso, utc_now
from chalicelib.people.models import User
from chalicelib.tasks.due import due_json, due_of
from chalicelib.tasks.models import Task
from chalicelib.tasks.visibility import TaskViewer
from chalicelib.weeks.access import WeekAccess
from chalicelib.weeks.calendar import IsoWeek
from chalicelib.weeks.models import PlannedTask, WeekPlan, plan_pk, week_sk
from chalicelib.weeks.plans import tasks_by_id

CSV_COLUMNS = (
    "iso_week",
    "department_id",
    "department",
    "user_id",
    "name",
    "planned",
    "done",
    "not_done",
    "late",
    "rolled_over",
    "rollovers",
)
# A cell that starts with one of these runs as a formula in Excel, so text
# typed by people gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def task_state(task: Task | None, week: IsoWeek, now: datetime) -> dict:
    """Return the state of one planned task as the review counts it."""
    if task is None:
        return {"state": "missing", "done": False, "late": False}
    done = (
        task.status == "done" and task.done_at is not None and task.done_at < week.end
    )
    due = due_of(task)
    late = (
        not done
        and task.status != "cancelled"
        and due is not None
        and due.at < min(week.end, now)
    )
    return {"state": "done" if done else "not_done", "done": done, "late": late}


def planned_task_json(
    entry: PlannedTask, task: Task | None, week: IsoWeek, now: datetime, viewer
) -> dict:
    state = task_state(task, week, now)
    body = {
        "task_id": entry.task_id,
        "state": state["state"],
        "late": state["late"],
        "rollovers": int(entry.rollovers or 0),
        "rolled_from": entry.rolled_from,
    }
    if task is not None and viewer.can_see(task):
        body.update(
            {
                "title": task.title,
                "status": task.status,
                "assignee_id": task.assignee_id,
                "due": due_json(due_of(task)),
                "done_at": iso(task.done_at) if task.done_at else None,
            }
        )
    else:
        # The reviewer may count this task but not read it.
        body["hidden"] = task is not None
    return body


@dataclass
class PersonReview:
    user: User
    tasks: list[dict] = field(default_factory=list)

    @property
    def counts(self) -> dict:
        planned = len(self.tasks)
        done = sum(1 for task in self.tasks if task["state"] == "done")
        return {
            "planned": planned,
            "done": done,
            "not_done": planned - done,
            "late": sum(1 for task in self.tasks if task["late"]),
            "rolled_over": sum(1 for task in self.tasks if task["rollovers"] > 0),
            "rollovers": sum(task["rollovers"] for task in self.tasks),
        }


def _plans_of(people: list[User], week: IsoWeek) -> dict[str, WeekPlan]:
    keys = [(plan_pk(user.user_id), week_sk(str(week))) for user in people]
    if not keys:
        return {}
    return {plan.user_id: plan for plan in WeekPlan.batch_get(keys)}


def build_review(
    people: list[User], week: IsoWeek, viewer: TaskViewer
) -> list[PersonReview]:
    now = utc_now()
    plans = _plans_of(people, week)
    task_ids = [task_id for plan in plans.values() for task_id in plan.task_ids()]
    tasks = tasks_by_id(task_ids)
    reviews = []
    for user in people:
        review = PersonReview(user)
        plan = plans.get(user.user_id)
        for entry in plan.tasks if plan is not None else []:
            review.tasks.append(
                planned_task_json(entry, tasks.get(entry.task_id), week, now, viewer)
            )
        reviews.append(review)
    return reviews


def review_json(
    reviews: list[PersonReview], week: IsoWeek, access: WeekAccess
) -> list[dict]:
    return [
        {
            "user_id": review.user.user_id,
            "name": review.user.name,
            "department_id": review.user.department_id,
            "department": access.department_name(review.user.department_id),
            **review.counts,
            "tasks": review.tasks,
        }
        for review in reviews
    ]


def _text(value: str | None) -> str:
    value = value or ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def review_csv(rows: list[dict], week: IsoWeek) -> str:
    """Return the review as CSV: a byte order mark, a header, one row a person."""
    buffer = io.StringIO()
    # The byte order mark makes Excel read the file as UTF-8 (Cyrillic names).
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                str(week),
                row["department_id"] or "",
                _text(row["department"]),
                row["user_id"],
                _text(row["name"]),
                row["planned"],
                row["done"],
                row["not_done"],
                row["late"],
                row["rolled_over"],
                row["rollovers"],
            ]
        )
    return buffer.getvalue()
