"""The tasks stream step for each task's chat thread.

For each record of the tasks table:
- a history entry added: post its events as a reply in the thread, opening
  the thread with the task's people as members on the first event;
- a comment added: post it in the thread under its author's name;
- a task item changed in its title or people: rename the thread's channel
  and make its members the task's people, once the thread exists.

An imported task notifies nobody, so it has no thread until someone acts on
it or comments.

Every step is idempotent, so a redelivered record changes nothing more.
"""

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.chat.channels import find_channel_by_key, rename_channel
from chalicelib.streams.records import Change, read_change
from chalicelib.tasks import thread
from chalicelib.tasks.models import Comment, HistoryEntry
from chalicelib.tasks.store import find_task
from chalicelib.tasks.thread_events import post_history_event
from chalicelib.tasks.thread_mirror import post_comment_reply

# A change of these fields changes the channel's name or its members.
THREAD_FIELDS = (
    "title",
    "creator_id",
    "assignee_id",
    "co_assignee_ids",
    "watcher_ids",
    "reviewer_id",
)


def handle_task_thread_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.item_type == "task" and change.event_name == "MODIFY":
        if _thread_fields_changed(change):
            _sync_thread(change.new["task_id"])
    elif change.item_type == "history" and change.event_name == "INSERT":
        entry = HistoryEntry.from_raw_data(change.new_raw)
        task = find_task(entry.task_id)
        if task is not None:
            post_history_event(entry, task)
    elif change.item_type == "comment" and change.event_name == "INSERT":
        post_comment_reply(Comment.from_raw_data(change.new_raw))


def _thread_fields_changed(change: Change) -> bool:
    return any(change.changed(name) for name in THREAD_FIELDS)


def _sync_thread(task_id: str) -> None:
    # The stored task, not the record's image, so that records handled late or
    # twice still leave the members of the latest version.
    task = find_task(task_id, consistent=True)
    if task is None:
        return
    channel = find_channel_by_key(thread.channel_key(task_id))
    if channel is None:
        return
    rename_channel(channel, thread.channel_name(task, thread.thread_locale(task)))
    thread.sync_members(channel, task)
