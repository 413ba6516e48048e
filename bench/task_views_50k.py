"""Task list views with 500 vs 5,000 or 50,000 tasks: DynamoDB calls and items per page.

``GET /api/tasks?view=...`` runs through HttpGateway in this process against
the embedded DynamoDB (moto), with no stream reactions. The company is the
marketplace org template with the staff of bench/finance_company.py. The
viewer is the Wildberries manager, an employee who may see only their own tasks.

Tasks are written straight into the tasks table: each task item and the view
rows that ``views.view_rows_of`` gives for it, which is what the tasks stream
reaction (``sync_view_rows``) would write. ``MEASURED_TASKS`` tasks belong to
the viewer in their department, half of them overdue. Every other task is
background: another person's task in another department, created by the CEO,
with a mix of statuses, and due dates in the past, the future or none. The
three pages measured, 50 tasks each:

- "my tasks": ``view=mine``;
- the department board: ``view=department&sort=due&status=new,in_progress,review``;
- overdue: ``view=overdue``.

Background tasks are never in the viewer's "my tasks" or department lists, so
those pages return the same tasks at both sizes. The overdue list is one
partition of every open task with a past due date, checked for visibility
task by task, so background tasks that are overdue are read and dropped.
"""

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta

from bench.embedded import EmbeddedApp
from bench.finance_company import hire_staff
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated, ratio

SMALL_TABLE_TASKS = 500
# NOTE: 50,000 tasks are about 450,000 items. moto on 2 cores takes far more
# than a few minutes for that, so the default is smaller. Pass --large 50000.
LARGE_TABLE_TASKS = 5_000
MEASURED_TASKS = 120
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
VIEWS = {
    "mine": f"/api/tasks?view=mine&limit={PAGE_LIMIT}",
    "department_board": (
        f"/api/tasks?view=department&sort=due&status=new,in_progress,review"
        f"&limit={PAGE_LIMIT}"
    ),
    "overdue": f"/api/tasks?view=overdue&limit={PAGE_LIMIT}",
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

    def write(self, tasks) -> None:
        from chalicelib.tasks.models import VIEW_PREFIX, Task, ViewRow
        from chalicelib.tasks.views import view_rows_of

        with Task.batch_write() as batch:
            for task in tasks:
                batch.save(task)
                for key, sort in view_rows_of(task).items():
                    batch.save(
                        ViewRow(
                            task.pk,
                            f"{VIEW_PREFIX}{key}",
                            task_id=task.task_id,
                            view_key=key,
                            view_sort=sort,
                        )
                    )
                self.written += 1
                if self.written % LOG_EVERY == 0:
                    print(f"  wrote {self.written} tasks", flush=True)


def measure_views(meters, client, timed: int, warm_up: int) -> dict:
    results = {}
    for view, path in VIEWS.items():
        figures = measure_repeated(meters, client, path, timed, warm_up)
        body = figures.pop("body")
        figures["task_ids"] = [task["id"] for task in body["tasks"]]
        figures["tasks_on_page"] = len(body["tasks"])
        figures["has_next_page"] = body["next_cursor"] is not None
        print(f"  {view}: {figures['tasks_on_page']} tasks on the page")
        print(f"    {cost_line(figures)}")
        print(format_summary("    request", figures["latency"]))
        results[view] = figures
    return results


def run(small: int, large: int, timed: int, warm_up: int) -> dict:
    if not MEASURED_TASKS <= small <= large:
        raise SystemExit(
            f"invalid sizes --small {small} --large {large}: "
            f"they need {MEASURED_TASKS} <= --small <= --large"
        )
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start(with_pump=False)
        print("setting up: org template and staff")
        company = hire_staff(app)
        client = app.sign_in(
            company.users[VIEWER].email, f"bench-password-{staff_number(VIEWER)}"
        ).client
        writer = TaskWriter(company)
        writer.write(writer.measured(number) for number in range(MEASURED_TASKS))
        writer.write(
            writer.background(number) for number in range(MEASURED_TASKS, small)
        )
        print(f"{small} tasks in the table:")
        small_figures = measure_views(meters, client, timed, warm_up)
        started = time.perf_counter()
        writer.write(writer.background(number) for number in range(small, large))
        write_seconds = time.perf_counter() - started
        print(f"{large} tasks in the table (written in {write_seconds:.1f} s):")
        large_figures = measure_views(meters, client, timed, warm_up)
    finally:
        app.stop()
    for view in VIEWS:
        same = large_figures[view]["task_ids"] == small_figures[view]["task_ids"]
        large_figures[view]["same_tasks_as_small"] = same
        del large_figures[view]["task_ids"], small_figures[view]["task_ids"]
    return {
        "setup": {
            "small_table_tasks": small,
            "large_table_tasks": large,
            "viewer_tasks": MEASURED_TASKS,
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
    parser.add_argument(
        "--requests",
        type=int,
        default=TIMED_REQUESTS,
        help=f"timed requests per view and table size (default {TIMED_REQUESTS})",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=WARM_UP_REQUESTS,
        help=f"untimed requests before the timed ones (default {WARM_UP_REQUESTS})",
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
