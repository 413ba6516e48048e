"""Emoji reactions on messages.

A message stores ``reactions`` as emoji -> {user id -> epoch milliseconds}.
Adding a reaction sets one nested key, so concurrent reactions by different
people never overwrite each other, and the same person reacting twice sets
the same key. The first reaction with an emoji creates its map, and the first
reaction on a message creates ``reactions``. Each of these three writes is
conditional on the case it handles. A writer whose condition fails read the
case wrong, so it reads again and retries.
"""

import logging
import time

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import size

from chalicelib.chat.message_fields import reaction_map
from chalicelib.chat.models import Message
from chalicelib.errors import Conflict

logger = logging.getLogger(__name__)

# Distinct emoji per message. By estimate one entry takes about 37 bytes (a
# 26-character user id and a 13-digit number), so every person of a 500-person
# company reacting with all 20 emoji is about 370 KB, under DynamoDB's 400 KB
# item limit.
MAX_EMOJI_PER_MESSAGE = 20
# Every failed attempt means another writer's attempt succeeded, so this
# outlasts that many people reacting with new emoji at the same moment.
MAX_ATTEMPTS = 40


def add_reaction(message: Message, emoji: str, user_id: str) -> Message:
    """Add ``user_id``'s ``emoji`` to ``message`` and return the message as
    stored; adding it again changes nothing."""
    reacted_at = int(time.time() * 1000)
    not_deleted = Message.sk.exists() & Message.deleted_at.does_not_exist()
    for _attempt in range(MAX_ATTEMPTS):
        if message.deleted_at is not None:
            raise Conflict("This message was deleted; it takes no reactions.")
        current = reaction_map(message)
        if user_id in current.get(emoji, {}):
            return message
        emoji_path = Message.reactions[emoji]
        if message.reactions is not None and emoji in message.reactions.as_dict():
            actions = [emoji_path[user_id].set(reacted_at)]
            condition = not_deleted & emoji_path.exists()
        elif message.reactions is not None:
            if len(current) >= MAX_EMOJI_PER_MESSAGE:
                raise Conflict(
                    f"This message already has {MAX_EMOJI_PER_MESSAGE} different "
                    "reactions, the limit; add one of those instead.",
                    field="emoji",
                )
            # Emoji whose last reaction was removed may remain as empty maps.
            # They go in the same write, so they never count against the limit.
            empty = [
                name for name, users in message.reactions.as_dict().items() if not users
            ]
            actions = [emoji_path.set({user_id: reacted_at})]
            actions += [Message.reactions[name].remove() for name in empty]
            condition = (
                not_deleted
                & Message.reactions.exists()
                & emoji_path.does_not_exist()
                & (size(Message.reactions) < MAX_EMOJI_PER_MESSAGE + len(empty))
            )
            for name in empty:
                condition &= size(Message.reactions[name]) == 0
        else:
            actions = [Message.reactions.set({emoji: {user_id: reacted_at}})]
            condition = not_deleted & Message.reactions.does_not_exist()
        try:
            message.update(actions=actions, condition=condition)
            logger.info(
                "reaction added message_id=%s user_id=%s", message.message_id, user_id
            )
            return message
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        message = Message.get(message.pk, message.sk, consistent_read=True)
    raise Conflict("Too many people are reacting at once; try again.")


def remove_reaction(message: Message, emoji: str, user_id: str) -> Message:
    """Remove ``user_id``'s ``emoji`` from ``message``; removing a reaction that
    is not there changes nothing."""
    emoji_path = Message.reactions[emoji]
    try:
        message.update(
            actions=[emoji_path[user_id].remove()],
            condition=Message.sk.exists() & emoji_path[user_id].exists(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return Message.get(message.pk, message.sk, consistent_read=True)
    logger.info(
        "reaction removed message_id=%s user_id=%s", message.message_id, user_id
    )
    # The emoji's map stays behind empty unless it is removed too; the size
    # condition keeps a reaction that arrived meanwhile.
    try:
        message.update(
            actions=[emoji_path.remove()],
            condition=emoji_path.exists() & (size(emoji_path) == 0),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    return message
