"""Each task's own chat: a private channel with one thread for its discussion.

The channel is registered under ``task:<task_id>``, so creating it again finds
the same one. Its members are the task's active people (``participants``: the
creator, the responsible person, the co-assignees, the watchers and the
reviewer), and nobody else, because everyone in the channel reads the whole
discussion. The thread's root message has an id derived from the task and
carries ``source_ref`` ``task:<task_id>``, which is how the chat reaction tells
a reply about a task from any other reply.
"""

import logging

from pynamodb.exceptions import DoesNotExist

from chalicelib.chat.channels import (
    add_member,
    ensure_channel,
    find_channel_by_key,
    member_ids,
    remove_member,
    rename_channel,
)
from chalicelib.chat.messages import post_message
from chalicelib.chat.models import (
    SYSTEM_SENDER_ID,
    Channel,
    Message,
    channel_pk,
    message_sk,
)
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.notifications.service import SYSTEM_SENDER_NAME
from chalicelib.people.service import find_user
from chalicelib.tasks.models import Task
from chalicelib.tasks.visibility import participants

logger = logging.getLogger(__name__)

# NOTE: every task gets a channel, so the chat sidebar lists one for each task
# a person is on, after all other channels.
CHANNEL_KIND = "task"
MEMBER_SOURCE = "task"
ROOT_SOURCE_PREFIX = "task:"
# Chat channel names are at most 80 characters (chalicelib/chat/schemas.py).
MAX_CHANNEL_NAME = 80
CHANNEL_NAME_PREFIX = {"ru": "Задача · ", "en": "Task · "}


def channel_key(task_id: str) -> str:
    return f"task:{task_id}"


def task_link(task_id: str) -> str:
    return f"#/tasks/{task_id}"


def root_message_id(task: Task) -> str:
    return stable_id(task.created_at, task.task_id, "task-thread-root")


def task_id_of_root(root: Message) -> str | None:
    """Return the task whose thread ``root`` starts, or None for any other message."""
    source = root.source_ref or ""
    if root.kind != "system" or not source.startswith(ROOT_SOURCE_PREFIX):
        return None
    return source[len(ROOT_SOURCE_PREFIX) :]


def thread_locale(task: Task) -> str | None:
    """Return the language of the shared texts: the task creator's."""
    creator = find_user(task.creator_id)
    return creator.locale if creator else None


def channel_name(task: Task, locale: str | None) -> str:
    prefix = CHANNEL_NAME_PREFIX.get(locale or "ru", CHANNEL_NAME_PREFIX["ru"])
    room = MAX_CHANNEL_NAME - len(prefix)
    title = task.title if len(task.title) <= room else task.title[: room - 1] + "…"
    return prefix + title


def find_thread(task: Task) -> dict | None:
    """Return the task's channel and root message ids, once they exist."""
    channel = find_channel_by_key(channel_key(task.task_id))
    if channel is None:
        return None
    return {"channel_id": channel.channel_id, "thread_id": root_message_id(task)}


def ensure_thread(task: Task) -> tuple[Channel, str]:
    """Return the task's channel and the id of its root message, making both once."""
    locale = thread_locale(task)
    name = channel_name(task, locale)
    channel = find_channel_by_key(channel_key(task.task_id))
    opened = channel is None
    if opened:
        channel = ensure_channel(
            channel_key(task.task_id),
            name=name,
            kind=CHANNEL_KIND,
            created_by=task.creator_id,
        )
    else:
        # The title may have changed since the channel was named.
        rename_channel(channel, name)

    root_id = root_message_id(task)
    if not _root_exists(channel, root_id):
        posted = post_message(
            channel,
            sender_id=SYSTEM_SENDER_ID,
            sender_name=SYSTEM_SENDER_NAME,
            text=render("task_thread_root", locale, title=task.title),
            kind="system",
            link=task_link(task.task_id),
            message_id=root_id,
            created_at=task.created_at,
            source_ref=f"{ROOT_SOURCE_PREFIX}{task.task_id}",
        )
        if posted is not None:
            logger.info(
                "task thread started task_id=%s channel_id=%s",
                task.task_id,
                channel.channel_id,
            )
    if opened:
        # The thread opens with the first event or comment, so its people join
        # now. They join after the root, so the root is not unread for them.
        # Later changes of people are synced by the tasks stream.
        sync_members(channel, task)
    return channel, root_id


def _root_exists(channel: Channel, root_id: str) -> bool:
    try:
        Message.get(channel_pk(channel.channel_id), message_sk(root_id))
    except DoesNotExist:
        return False
    return True


def sync_members(channel: Channel, task: Task) -> None:
    """Make the channel's members the task's active people, adding and removing.

    A deactivated person left every channel when deactivated, so they are not
    added back.
    """
    expected = set()
    for user_id in participants(task):
        user = find_user(user_id)
        if user is not None and user.is_active:
            expected.add(user_id)
    current = set(member_ids(channel.channel_id))
    for user_id in sorted(expected - current):
        add_member(channel.channel_id, user_id, source=MEMBER_SOURCE)
    for user_id in sorted(current - expected):
        remove_member(channel.channel_id, user_id)
    if expected != current:
        logger.info(
            "task thread members synced task_id=%s added=%d removed=%d",
            task.task_id,
            len(expected - current),
            len(current - expected),
        )
