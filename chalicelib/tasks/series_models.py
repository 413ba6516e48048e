"""Task series and their occurrence keys, kept in the tasks table.

Keys, by item:
- series: pk ``TASK_SERIES``, sk ``<series_id>``. Series are few, so they
  share one partition, and the daily run lists them with one Query.
- occurrence key: pk ``SERIES#<series_id>``, sk ``OCCURRENCE#<YYYY-MM-DD>``.
  Written in the same transaction as the occurrence's task, on the condition
  that it does not exist, so two runs never create two tasks for one date.
  A Query on the partition lists a series' occurrences in date order.

The tasks stream reaction reads these records too and ignores them by their
``item_type``.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

SERIES_PARTITION = "TASK_SERIES"
OCCURRENCE_PREFIX = "OCCURRENCE#"
# active: occurrences keep coming; stopped: stopped by a person; finished: the
# rule reached its until date or count.
SERIES_STATUSES = ("active", "stopped", "finished")


def occurrences_pk(series_id: str) -> str:
    return f"SERIES#{series_id}"


def occurrence_sk(day: str) -> str:
    return f"{OCCURRENCE_PREFIX}{day}"


class TaskSeries(Model):
    """A recurring task: the fields each occurrence copies and the rule."""

    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True, default=SERIES_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="task_series")
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    priority = UnicodeAttribute(default="normal")
    creator_id = UnicodeAttribute()
    # Exactly one of the two: a fixed person, or a position whose holder at
    # creation time gets each occurrence.
    assignee_id = UnicodeAttribute(null=True)
    position_id = UnicodeAttribute(null=True)
    co_assignee_ids = ListAttribute(of=UnicodeAttribute, default=list)
    watcher_ids = ListAttribute(of=UnicodeAttribute, default=list)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    department_id = UnicodeAttribute(null=True)
    requires_review = BooleanAttribute(default=False)
    reviewer_id = UnicodeAttribute(null=True)
    checklist = ListAttribute(of=UnicodeAttribute, default=list)
    # "HH:MM" in the company time zone makes each due a date-time; without it
    # each occurrence is due on its date.
    due_time = UnicodeAttribute(null=True)
    # The Rule as JSON (chalicelib.tasks.recurrence.Rule.to_json).
    rule = UnicodeAttribute()
    status = UnicodeAttribute(default="active")
    # The latest occurrence: its date and task. The next one is due after it.
    last_date = UnicodeAttribute(null=True)
    current_task_id = UnicodeAttribute(null=True)
    created_count = NumberAttribute(default=0)
    # Raised by every change; each write is conditional on the version read.
    version = NumberAttribute(default=1)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    @property
    def series_id(self) -> str:
        return self.sk


class OccurrenceKey(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="occurrence_key")
    series_id = UnicodeAttribute()
    occurrence_date = UnicodeAttribute()
    task_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
