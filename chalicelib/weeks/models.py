"""Week plans and weekly meeting notes, stored in the tasks table.

Keys, chosen so that each view reads one item or one partition:
- plan:  pk ``WEEKPLAN#<user_id>``, sk ``WEEK#<iso week>``. A person's plans
  share a partition, so the latest plan before a week is one Query.
- notes: pk ``WEEKNOTES#<department_id>``, sk ``WEEK#<iso week>``.

The tasks stream reaction sees these items but acts only on the item types
``task``, ``history`` and ``comment``, so it skips them.
"""

from pynamodb.attributes import (
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

WEEK_PREFIX = "WEEK#"


def plan_pk(user_id: str) -> str:
    return f"WEEKPLAN#{user_id}"


def notes_pk(department_id: str) -> str:
    return f"WEEKNOTES#{department_id}"


def week_sk(iso_week: str) -> str:
    return f"{WEEK_PREFIX}{iso_week}"


class PlannedTask(MapAttribute):
    task_id = UnicodeAttribute()
    # How many times the task has rolled over, unfinished, from one week's
    # plan into the next before arriving in this plan.
    rollovers = NumberAttribute(default=0)
    # The week it rolled over from; absent for a task planned by hand.
    rolled_from = UnicodeAttribute(null=True)
    added_by = UnicodeAttribute()
    added_at = UTCDateTimeAttribute()


class WeekPlan(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="week_plan")
    user_id = UnicodeAttribute()
    iso_week = UnicodeAttribute()
    tasks = ListAttribute(of=PlannedTask, default=list)
    # Raised by every write; each write is conditional on the version read.
    version = NumberAttribute()
    # Set when the unfinished tasks rolled over into ``closed_into``; a plan
    # rolls over once.
    closed_at = UTCDateTimeAttribute(null=True)
    closed_into = UnicodeAttribute(null=True)
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()

    def task_ids(self) -> list[str]:
        return [entry.task_id for entry in self.tasks or []]


class WeekNotes(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="week_notes")
    department_id = UnicodeAttribute()
    iso_week = UnicodeAttribute()
    # Markdown, stored as written; clients render it.
    text = UnicodeAttribute()
    version = NumberAttribute()
    updated_by = UnicodeAttribute()
    updated_at = UTCDateTimeAttribute()
