"""The tasks table: a task and its comments share a partition.

Keys: task ``TASK#<task_id>`` / ``TASK``; comment ``TASK#<task_id>`` /
``COMMENT#<comment_id>``. The assignee and creator indexes list "my tasks" and
"set by me" without a Scan.
"""

from pynamodb.attributes import UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

STATUSES = ("new", "in_progress", "done")


def task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


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


class Task(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="TASK")
    item_type = UnicodeAttribute(default="task")
    task_id = UnicodeAttribute()
    title = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    status = UnicodeAttribute(default="new")
    creator_id = UnicodeAttribute()
    assignee_id = UnicodeAttribute()
    due_date = UnicodeAttribute(null=True)
    # Who made the latest change, so the stream reaction can skip notifying them.
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
    created_at = UTCDateTimeAttribute()
