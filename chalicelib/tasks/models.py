"""The tasks table: a task with its comments, history and view rows in one partition.

Keys, by item, all in partition ``TASK#<task_id>``:
- task:      sk ``TASK``
- comment:   sk ``COMMENT#<comment_id>``
- history:   sk ``HISTORY#<version, 8 digits>``. Entries are append-only, one
  per version. A change and its entry share the version number, so a change
  that lost a race fails on both.
- view row:  sk ``VIEW#<view_key>``. The tasks stream reaction derives these
  from the stored task (see ``chalicelib.tasks.views``); nothing else writes
  them.

Global secondary indexes:
- ``assignee-index``: assignee_id / task_id and ``creator-index``:
  creator_id / task_id, over task items; the lists of the first version
  (``assignee=me`` and ``creator=me``) read them.
- ``view-index``: view_key / view_sort, over view rows only; every list
  named by ``view=`` reads it.
"""

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

STATUSES = ("new", "in_progress", "review", "done", "postponed", "cancelled")
# A task in one of these statuses is being worked on, so a passed due date
# makes it overdue. A postponed task is on hold on purpose and is not overdue.
OPEN_STATUSES = ("new", "in_progress", "review")
PRIORITIES = ("low", "normal", "high", "urgent")

TASK_SK = "TASK"
COMMENT_PREFIX = "COMMENT#"
# The history action and comment kind of what a task import brought in. The
# stream reactions notify nobody about it and post nothing in the chat.
IMPORTED_ACTION = "imported"
HISTORY_PREFIX = "HISTORY#"
VIEW_PREFIX = "VIEW#"


def task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


def history_sk(version: int) -> str:
    return f"{HISTORY_PREFIX}{version:08d}"


class AssigneeIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "assignee-index"
        projection = AllProjection()

    assignee_id = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute(range_key=True)


class CreatorIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "creator-index"
        projection = AllProjection()

    creator_id = UnicodeAttribute(hash_key=True)
    task_id = UnicodeAttribute(range_key=True)


class ViewIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "view-index"
        projection = AllProjection()

    view_key = UnicodeAttribute(hash_key=True)
    view_sort = UnicodeAttribute(range_key=True)


class ChecklistItem(MapAttribute):
    item_id = UnicodeAttribute()
    text = UnicodeAttribute()
    done = BooleanAttribute(default=False)
    assignee_id = UnicodeAttribute(null=True)
    # Same shape as the task's due date: a kind, a calendar date and, for a
    # date-time, the UTC moment.
    due_kind = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    due_time_zone = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    done_at = UTCDateTimeAttribute(null=True)
    done_by = UnicodeAttribute(null=True)


class Task(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=TASK_SK)
    item_type = UnicodeAttribute(default="task")
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    # Markdown, stored as the author wrote it; clients render it.
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="new")
    priority = UnicodeAttribute(default="normal")
    creator_id = UnicodeAttribute()
    # The one responsible person; co-assignees share the work.
    assignee_id = UnicodeAttribute()
    co_assignee_ids = ListAttribute(of=UnicodeAttribute, default=list)
    watcher_ids = ListAttribute(of=UnicodeAttribute, default=list)
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    department_id = UnicodeAttribute(null=True)
    parent_id = UnicodeAttribute(null=True)
    # Added and removed with ADD and DELETE by the writes that set a child's
    # parent_id, so they need no version of the parent.
    subtask_ids = UnicodeSetAttribute(null=True)
    blocked_by_ids = ListAttribute(of=UnicodeAttribute, default=list)
    requires_review = BooleanAttribute(default=False)
    reviewer_id = UnicodeAttribute(null=True)

    # "date": due on that calendar day, the same day for everyone, and overdue
    # once the day has passed in the company time zone. "datetime": due at the
    # moment ``due_at``; ``due_date`` is then that moment's date in
    # ``due_time_zone``. ``due_at`` of a date is the end of the day in the
    # company time zone, which orders and indexes both kinds together.
    due_kind = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute(null=True)
    due_time_zone = UnicodeAttribute(null=True)

    checklist = ListAttribute(of=ChecklistItem, default=list)

    # An occurrence of a recurring series (chalicelib.tasks.series): the
    # series and the calendar date this occurrence is for.
    series_id = UnicodeAttribute(null=True)
    occurrence_date = UnicodeAttribute(null=True)
    # Set when an occurrence could not go to whom the series names: the
    # reason ("vacant_position" or "inactive_assignee") and the position or
    # user it was meant for. The task then went to a manager or the creator.
    fallback_reason = UnicodeAttribute(null=True)
    fallback_for = UnicodeAttribute(null=True)

    # Raised by every change; each write is conditional on the version read.
    # Tasks written before versions existed have none, which counts as 0.
    version = NumberAttribute(null=True)
    # Who made the latest change.
    updated_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    done_at = UTCDateTimeAttribute(null=True)

    assignee_index = AssigneeIndex()
    creator_index = CreatorIndex()


class Comment(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="comment")
    comment_id = UnicodeAttribute()
    task_id = UnicodeAttribute()
    author_id = UnicodeAttribute()
    author_name = UnicodeAttribute()
    text = UnicodeAttribute()
    mention_ids = ListAttribute(of=UnicodeAttribute, default=list)
    # "comment", "return" for the reason a reviewer gave when returning the
    # task (the return's history entry notifies about that one), or
    # "imported" for a comment brought in by a task import.
    kind = UnicodeAttribute(default="comment")
    created_at = UTCDateTimeAttribute()
    # The reply in the task's chat thread this comment was copied from
    # (chalicelib/tasks/thread_mirror.py); such a comment is not posted back.
    source_message_id = UnicodeAttribute(null=True)
    # Set when that reply is edited or deleted in the chat; a deleted one
    # keeps its item with an empty text.
    edited_at = UTCDateTimeAttribute(null=True)
    deleted_at = UTCDateTimeAttribute(null=True)


class FieldChange(MapAttribute):
    field = UnicodeAttribute()
    # JSON text of the values, so that strings, lists and objects keep their type.
    old = UnicodeAttribute(null=True)
    new = UnicodeAttribute(null=True)


class HistoryEntry(Model):
    """One change of a task, written in the same transaction as the change.

    The stream reaction notifies people from these entries, so each carries
    what the notification needs as of that version.
    """

    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="history")
    task_id = UnicodeAttribute()
    version = NumberAttribute()
    # created, edited, status, returned, checklist, subtask or mentioned
    action = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_name = UnicodeAttribute()
    changes = ListAttribute(of=FieldChange, default=list)
    # The reason given when a reviewer returns the task.
    comment = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()


class ViewRow(Model):
    """One task's place in one list, such as "my tasks, by due date"."""

    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="view")
    task_id = UnicodeAttribute()
    view_key = UnicodeAttribute()
    view_sort = UnicodeAttribute()

    view_index = ViewIndex()
