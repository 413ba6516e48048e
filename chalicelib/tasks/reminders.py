"""Due reminders: the hourly run notifies people of tasks due tomorrow and overdue.

- due tomorrow: an open task whose due date is tomorrow in the company time
  zone. The responsible person and each co-assignee are told once, from
  ``REMINDER_HOUR`` o'clock of the day before, so nobody gets it at night.
- overdue: an open task past its due moment, or for a date-only due, from
  ``REMINDER_HOUR`` o'clock of the day after. The responsible person and the
  creator are told once. Tasks that became overdue more than
  ``OVERDUE_LOOKBACK`` before a run are not announced by it, so tasks long
  overdue when reminders started are left alone.

The tasks are found through the ``open#due`` view rows (see
``chalicelib.tasks.views``), one Query of the due range each kind needs, and
the tasks themselves are then read in batches and checked again.

A notification's event id is the task id, the kind of reminder and the due
moment, and its time is a moment derived from the due date. A repeated run or
a retry posts nothing again, and a task moved to another due date is reminded
again for the new date.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chalicelib.clock import iso
from chalicelib.notifications.service import notify
from chalicelib.notifications.task_reactions import task_link
from chalicelib.tasks.due import Due, company_time_zone, due_json, due_of
from chalicelib.tasks.models import OPEN_STATUSES, TASK_SK, Task, ViewRow, task_pk
from chalicelib.tasks.views import OPEN_KEY
from chalicelib.tasks.visibility import executors

logger = logging.getLogger(__name__)

DUE_TOMORROW = "due_tomorrow"
OVERDUE = "overdue"
TEMPLATES = {DUE_TOMORROW: "task_due_tomorrow", OVERDUE: "task_overdue"}
# Local hour of the day before from which "due tomorrow" reminders go out.
REMINDER_HOUR = 9
# How far back the run looks for tasks that became overdue. Two days cover
# runs missed for a day; older overdue tasks are left alone.
OVERDUE_LOOKBACK = timedelta(days=2)
# Sorts after every task id, so a range ending at a moment includes the rows
# of tasks due exactly then.
SORT_END = "_~"
# Task keys per BatchGetItem request, DynamoDB's maximum.
BATCH_SIZE = 100


@dataclass(frozen=True)
class Reminder:
    task: Task
    kind: str
    due: Due

    @property
    def event_id(self) -> str:
        return f"task-reminder:{self.task.task_id}:{self.kind}:{iso(self.due.at)}"

    @property
    def happened_at(self) -> datetime:
        """Return the moment the reminder became due, the same in every run."""
        if self.kind == OVERDUE:
            return overdue_start(self.due)
        return reminder_start(date.fromisoformat(self.due.date))

    def recipients(self) -> list[str]:
        if self.kind == DUE_TOMORROW:
            people = [self.task.assignee_id, *sorted(executors(self.task))]
        else:
            people = [self.task.assignee_id, self.task.creator_id]
        return list(dict.fromkeys(people))


def reminder_start(due_day: date) -> datetime:
    """Return when "due tomorrow" reminders for ``due_day`` start going out."""
    day_before = due_day - timedelta(days=1)
    return datetime.combine(day_before, time(REMINDER_HOUR), company_time_zone())


def overdue_start(due: Due) -> datetime:
    """Return when the overdue reminder for ``due`` starts going out."""
    if due.kind == "datetime":
        return due.at
    day_after = date.fromisoformat(due.date) + timedelta(days=1)
    return datetime.combine(day_after, time(REMINDER_HOUR), company_time_zone())


def _task_ids_between(lower: str, upper: str) -> list[str]:
    rows = ViewRow.view_index.query(
        OPEN_KEY, range_key_condition=ViewRow.view_sort.between(lower, upper)
    )
    return list(dict.fromkeys(row.task_id for row in rows))


def _tasks(task_ids: list[str]) -> list[Task]:
    """Read the tasks in batches, in the order given, skipping deleted ones."""
    found: dict[str, Task] = {}
    for start in range(0, len(task_ids), BATCH_SIZE):
        keys = [
            (task_pk(task_id), TASK_SK)
            for task_id in task_ids[start : start + BATCH_SIZE]
        ]
        found.update({task.task_id: task for task in Task.batch_get(keys)})
    return [found[task_id] for task_id in task_ids if task_id in found]


def due_tomorrow(now: datetime) -> list[Reminder]:
    """Find the open tasks due tomorrow in the company time zone."""
    zone = company_time_zone()
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    if now < reminder_start(tomorrow):
        return []
    # A date-only due is stored as the end of its day, so tomorrow's dates sit
    # at the end of this range and today's at its start. The date decides.
    start = datetime.combine(tomorrow, time(), zone)
    end = start + timedelta(days=1)
    task_ids = _task_ids_between(iso(start), iso(end) + SORT_END)
    reminders = []
    for task in _tasks(task_ids):
        due = due_of(task)
        if task.status in OPEN_STATUSES and due and due.date == tomorrow.isoformat():
            reminders.append(Reminder(task, DUE_TOMORROW, due))
    return reminders


def overdue(now: datetime) -> list[Reminder]:
    """Find the open tasks whose overdue reminder started within OVERDUE_LOOKBACK."""
    earliest = now - OVERDUE_LOOKBACK
    # A date-only due's reminder starts REMINDER_HOUR hours after its due
    # moment, so the range reaches back a day further.
    lower = earliest - timedelta(days=1)
    task_ids = _task_ids_between(iso(lower), iso(now) + SORT_END)
    reminders = []
    for task in _tasks(task_ids):
        due = due_of(task)
        if task.status not in OPEN_STATUSES or due is None:
            continue
        if earliest <= overdue_start(due) <= now:
            reminders.append(Reminder(task, OVERDUE, due))
    return reminders


def send(reminder: Reminder) -> int:
    """Post the reminder to each of its recipients; return the messages posted."""
    posted = 0
    for recipient_id in reminder.recipients():
        posted += notify(
            recipient_id,
            TEMPLATES[reminder.kind],
            event_id=reminder.event_id,
            happened_at=reminder.happened_at,
            link=task_link(reminder.task.task_id),
            task=_template_task(reminder),
        )
    return posted


def _template_task(reminder: Reminder) -> dict:
    due = due_json(reminder.due)
    due_text = reminder.due.date
    if reminder.due.kind == "datetime":
        # The local time to the minute, without the offset.
        due_text = due["local"].replace("T", " ")[:16]
    return {
        "task_id": reminder.task.task_id,
        "title": reminder.task.title,
        "due_date": due_text,
        "due_kind": reminder.due.kind,
    }


def send_due_reminders(now: datetime) -> dict:
    """Send every "due tomorrow" and "overdue" reminder not yet sent."""
    reminders = due_tomorrow(now) + overdue(now)
    posted = 0
    failed = 0
    for reminder in reminders:
        try:
            posted += send(reminder)
        except Exception:
            # One task's failure must not hold up the others; the next run
            # tries it again, and what was posted is not posted twice.
            failed += 1
            logger.exception(
                "task reminder failed task_id=%s kind=%s",
                reminder.task.task_id,
                reminder.kind,
            )
    logger.info(
        "task reminders found=%d posted=%d failed=%d", len(reminders), posted, failed
    )
    return {"found": len(reminders), "posted": posted, "failed": failed}
