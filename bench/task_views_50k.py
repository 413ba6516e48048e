"""Task lists and the weekly review with 500 vs 5,000 or 50,000 tasks: cost per page.

``GET /api/tasks?view=...`` and ``GET /api/weeks/{iso_week}/review`` run
through HttpGateway in this process against the embedded DynamoDB (moto),
with no stream reactions. The company is the marketplace org template with the
staff of bench/finance_company.py, and 25 more people hired into the
marketplaces department, so that it has 30 people. The viewer of the lists is
the Wildberries manager, an employee who may see only their own tasks; the
department's head views the overdue list of his reports and the review.

Tasks are written straight into moto's in-process backend: each task item and
the view rows that ``views.view_rows_of`` gives for it, which is what the
tasks stream reaction (``sync_view_rows``) would write. ``MEASURED_TASKS``
tasks belong to the viewer in their department, half of them overdue, and
``TEAM_TASKS`` to each other person of the department. Each of the 30 plans
``PLANNED_TASKS`` of their tasks into the current week. Every other task is
background: another person's task in another department, created by the CEO,
with a mix of statuses, and due dates in the past, the future or none. The
pages measured, 50 tasks each for the lists:

- "my tasks": ``view=mine``;
- the department board: ``view=department&sort=due&status=new,in_progress,review``;
- overdue: ``view=overdue``, for the viewer and for the department's head;
- the weekly review of the department, for its head.

Background tasks are never in these pages, so each returns the same content
at both sizes. The overdue lists read the viewer's own ``open#person#``
partition and, for the head, the ``open#department#`` partition of his
reports' department, so background tasks are not read.
"""

import argparse
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.finance_company import Company, hire_staff
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated, ratio

SMALL_TABLE_TASKS = 500
# 50,000 tasks are about 640,000 items. moto runs a Query of the view index by
# reading every item of the table, which takes longer than the app's 10-second
# read timeout, so this benchmark raises the timeout (READ_TIMEOUT below). The
# default stays smaller, because seeding 50,000 tasks takes about 8 minutes.
LARGE_TABLE_TASKS = 5_000
READ_TIMEOUT = "600"
MEASURED_TASKS = 120
# The department reviewed: its head, the viewer, three colleagues from
# hire_staff and HIRED_TEAM people hired here.
TEAM_SIZE = 30
HIRED_TEAM = 25
TEAM_POSITIONS = ("wb_manager", "ozon_manager", "ym_manager", "marketplace_assistant")
TEAM_TASKS = 8
PLANNED_TASKS = 8
HEAD = "head_of_marketplaces"
PAGE_LIMIT = 50
TIMED_REQUESTS = 5
WARM_UP_REQUESTS = 1
SEED = 20261204
LOG_EVERY = 5_000
VIEWER = "wb_manager"
# Background people: none is in the viewer's department or above the viewer.
BACKGROUND_PEOPLE = (
    "content_manager",
    "designer",
    "ads_manager",
    "purchasing_manager",
    "logistician",
    "accountant",
)
# Page name -> (who requests it, path). The review's path gets its week and
# department when the team is set up.
VIEWS = {
    "mine": (VIEWER, f"/api/tasks?view=mine&limit={PAGE_LIMIT}"),
    "department_board": (
        VIEWER,
        f"/api/tasks?view=department&sort=due&status=new,in_progress,review"
        f"&limit={PAGE_LIMIT}",
    ),
    "overdue": (VIEWER, f"/api/tasks?view=overdue&limit={PAGE_LIMIT}"),
    "overdue_head": (HEAD, f"/api/tasks?view=overdue&limit={PAGE_LIMIT}"),
    "weekly_review": (HEAD, "/api/weeks/{week}/review?department_id={department}"),
}


class TaskWriter:
    """Writes tasks and their view rows with one batch per call of ``write``."""

    def __init__(self, company) -> None:
        self.company = company
        self.generator = random.Random(SEED)
        self.today = datetime.now(UTC).date()
        self.written = 0

    def _task(self, number: int, assignee, creator, status: str, due: date | None):
        from ulid import ULID

        from chalicelib.tasks.due import end_of_day
        from chalicelib.tasks.models import Task, task_pk

        created_at = datetime.now(UTC) - timedelta(days=60, seconds=-number)
        task_id = str(ULID.from_datetime(created_at))
        return Task(
            task_pk(task_id),
            task_id=task_id,
            title=f"Задача {number}: обновить карточки и остатки",
            status=status,
            creator_id=creator.user_id,
            assignee_id=assignee.user_id,
            department_id=assignee.department_id,
            due_kind="date" if due else None,
            due_date=due.isoformat() if due else None,
            due_at=end_of_day(due) if due else None,
            version=1,
            updated_by=creator.user_id,
            created_at=created_at,
            updated_at=created_at,
        )

    def measured(self, number: int):
        """Build one of the viewer's tasks: open, half overdue, half due later."""
        users = self.company.users
        days = self.generator.randint(1, 30)
        due = self.today - timedelta(days=days)
        if number % 2:
            due = self.today + timedelta(days=days)
        status = "new" if number % 3 else "in_progress"
        return self._task(
            number, users[VIEWER], users["head_of_marketplaces"], status, due
        )

    def team(self, number: int, person):
        """Build one open task of a person of the department, due in the future."""
        due = self.today + timedelta(days=self.generator.randint(1, 30))
        return self._task(number, person, self.company.users[HEAD], "new", due)

    def background(self, number: int):
        """Build another person's task in another department."""
        users = self.company.users
        assignee = users[self.generator.choice(BACKGROUND_PEOPLE)]
        status = self.generator.choice(
            ("new", "in_progress", "review", "done", "done", "postponed")
        )
        roll = self.generator.random()
        due = None
        if roll < 0.3:
            due = self.today - timedelta(days=self.generator.randint(1, 120))
        elif roll < 0.7:
            due = self.today + timedelta(days=self.generator.randint(1, 120))
        return self._task(number, assignee, users["ceo"], status, due)

    def write(self, tasks) -> list:
        """Put the tasks and their view rows into moto's backend; return the tasks.

        Items go straight into the backend in this process, as the local
        stack's snapshot restore does, which skips botocore and moto's HTTP
        layer: 4,500 tasks took 25 s this way and 37 s through BatchWriteItem
        (with fewer view rows per task). The table's stream is off meanwhile,
        because nothing reads it here and moto would keep a record per item.
        """
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        from chalicelib.tasks.models import VIEW_PREFIX, Task, ViewRow
        from chalicelib.tasks.views import view_rows_of

        region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
        table_name = Task.Meta.table_name
        table = backend.get_table(table_name)
        stream = table.stream_shard
        table.stream_shard = None
        written = []
        try:
            for task in tasks:
                backend.put_item(table_name, task.serialize())
                for key, sort in view_rows_of(task).items():
                    row = ViewRow(
                        task.pk,
                        f"{VIEW_PREFIX}{key}",
                        task_id=task.task_id,
                        view_key=key,
                        view_sort=sort,
                    )
                    backend.put_item(table_name, row.serialize())
                written.append(task)
                self.written += 1
                if self.written % LOG_EVERY == 0:
                    print(f"  wrote {self.written} tasks", flush=True)
        finally:
            table.stream_shard = stream
        return written


def set_up_team(app, company: Company, writer: TaskWriter) -> dict:
    """Hire the rest of the department, give each person tasks, plan the week.

    Returns the path parameters of the review: the week and the department.
    """
    from chalicelib.clock import utc_now
    from chalicelib.people.service import find_user
    from chalicelib.weeks.calendar import week_of_moment

    users = company.users
    head = users[HEAD]
    team = [users[key] for key in (HEAD, *TEAM_POSITIONS)]
    for number in range(HIRED_TEAM):
        key = TEAM_POSITIONS[number % len(TEAM_POSITIONS)]
        body = {
            "email": f"team{number}@bench.example",
            "name": f"Сотрудник отдела {number:02d}",
            "position_id": users[key].position_id,
        }
        response = company.owner.client.post("/api/users", body)
        if response.status != 201:
            raise RuntimeError(f"hiring {body['email']} failed: {response.body}")
        team.append(find_user(response.json["user"]["id"]))
    if len(team) != TEAM_SIZE:
        raise RuntimeError(f"the department has {len(team)} people, not {TEAM_SIZE}")

    week = week_of_moment(utc_now())
    head_client = app.sign_in(head.email, f"bench-password-{staff_number(HEAD)}")
    viewer_tasks = [
        task.task_id
        for task in writer.written_tasks
        if task.assignee_id == users[VIEWER].user_id and task.status == "new"
    ]
    for person in team:
        if person.user_id == users[VIEWER].user_id:
            task_ids = viewer_tasks[:PLANNED_TASKS]
        else:
            tasks = writer.write(
                writer.team(writer.written, person) for _ in range(TEAM_TASKS)
            )
            task_ids = [task.task_id for task in tasks[:PLANNED_TASKS]]
        body = {"user_id": person.user_id, "task_ids": task_ids, "version": 0}
        response = head_client.client.request("PUT", f"/api/weeks/{week}/plan", body)
        if response.status != 200:
            raise RuntimeError(f"planning {person.user_id} failed: {response.body}")
    return {"week": str(week), "department": head.department_id}


def page_size(view: str, body: dict) -> int:
    if view == "weekly_review":
        return sum(len(person["tasks"]) for person in body["people"])
    return len(body["tasks"])


def measure_views(meters, clients: dict, review: dict, timed: int, warm_up: int):
    results = {}
    for view, (who, path) in VIEWS.items():
        path = path.format(**review)
        figures = measure_repeated(meters, clients[who], path, timed, warm_up)
        body = figures.pop("body")
        figures["content"] = body.get("tasks", body.get("people"))
        figures["items_on_page"] = page_size(view, body)
        if view == "weekly_review":
            figures["people_on_page"] = len(body["people"])
        else:
            figures["has_next_page"] = body["next_cursor"] is not None
        print(f"  {view}: {figures['items_on_page']} tasks on the page")
        print(f"    {cost_line(figures)}")
        print(format_summary("    request", figures["latency"]))
        results[view] = figures
    return results


def run(small: int, large: int, timed: int, warm_up: int) -> dict:
    team_tasks = (TEAM_SIZE - 1) * TEAM_TASKS
    if not MEASURED_TASKS + team_tasks <= small <= large:
        raise SystemExit(
            f"invalid sizes --small {small} --large {large}: they need "
            f"{MEASURED_TASKS + team_tasks} <= --small <= --large"
        )
    # Read by chalicelib.storage.base when the app is imported, after this.
    os.environ.setdefault("SHTAB_DYNAMODB_READ_TIMEOUT", READ_TIMEOUT)
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start(with_pump=False)
        print("setting up: org template, staff and a department of 30")
        company = hire_staff(app)
        clients = {
            key: app.sign_in(
                company.users[key].email, f"bench-password-{staff_number(key)}"
            ).client
            for key in (VIEWER, HEAD)
        }
        writer = TaskWriter(company)
        writer.written_tasks = writer.write(
            writer.measured(number) for number in range(MEASURED_TASKS)
        )
        review = set_up_team(app, company, writer)
        writer.write(
            writer.background(number) for number in range(writer.written, small)
        )
        print(f"{small} tasks in the table:")
        small_figures = measure_views(meters, clients, review, timed, warm_up)
        started = time.perf_counter()
        writer.write(writer.background(number) for number in range(small, large))
        write_seconds = time.perf_counter() - started
        print(f"{large} tasks in the table (written in {write_seconds:.1f} s):")
        large_figures = measure_views(meters, clients, review, timed, warm_up)
    finally:
        app.stop()
    for view in VIEWS:
        same = large_figures[view]["content"] == small_figures[view]["content"]
        large_figures[view]["same_content_as_small"] = same
        del large_figures[view]["content"], small_figures[view]["content"]
    return {
        "setup": {
            "small_table_tasks": small,
            "large_table_tasks": large,
            "viewer_tasks": MEASURED_TASKS,
            "department_people": TEAM_SIZE,
            "planned_tasks_per_person": PLANNED_TASKS,
            "page_limit": PAGE_LIMIT,
            "large_write_seconds": round(write_seconds, 1),
            "timed_requests_per_view": timed,
            "warm_up_requests_per_view": warm_up,
        },
        "small": small_figures,
        "large": large_figures,
        "ratio_large_to_small": {
            view: {
                key: ratio(large_figures[view][key], small_figures[view][key])
                for key in ("total_calls", "items_read", "estimated_read_units")
            }
            | {
                "p95_ms": ratio(
                    large_figures[view]["latency"]["p95_ms"],
                    small_figures[view]["latency"]["p95_ms"],
                )
            }
            for view in VIEWS
        },
    }


def staff_number(key: str) -> int:
    """Return the number hire_staff gave ``key``'s password."""
    from bench.finance_company import STAFF

    return next(number for number, row in enumerate(STAFF, 1) if row[1] == key)


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL_TABLE_TASKS,
        help=f"tasks in the small table (default {SMALL_TABLE_TASKS})",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE_TABLE_TASKS,
        help=f"tasks in the large table (default {LARGE_TABLE_TASKS})",
    )
    add_request_counts(
        parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="view and table size"
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(
        arguments.small, arguments.large, arguments.requests, arguments.warm_up
    )
    for view, found in figures["ratio_large_to_small"].items():
        print(f"ratio large/small, {view}: {found}")
    save_results("task_views_50k", "bench.task_views_50k", figures)


if __name__ == "__main__":
    main()
