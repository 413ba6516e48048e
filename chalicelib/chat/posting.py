"""Posting a message: a person's, shared by the HTTP route and the WebSocket
action, or an integration's through an API token."""

from chalicelib.chat import attachments
from chalicelib.chat.channels import require_member, require_reader
from chalicelib.chat.mentions import parse_mentions
from chalicelib.chat.messages import check_text, post_message
from chalicelib.chat.models import Message
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.ids import new_id
from chalicelib.people.models import User
from chalicelib.web import Caller


def post_as_user(
    channel_id: str,
    user_id: str,
    text: str,
    thread_id: str | None,
    also_in_channel: bool = False,
    attachment_ids: list[str] | None = None,
) -> Message:
    """Post a person's message; with ``attachment_ids`` the text may be empty."""
    _check_also_in_channel(also_in_channel, thread_id)
    channel = require_member(channel_id, user_id)
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")
    text = "" if attachment_ids and not text.strip() else check_text(text)
    sender = User.get(user_id)
    if not sender.is_active:
        raise Forbidden("This account is deactivated.")
    mentions = parse_mentions(text)

    # The uploads are claimed under the new message's id before it is stored,
    # so two sends of one upload cannot both succeed.
    message_id = new_id()
    files = []
    if attachment_ids:
        files = attachments.claim_for_message(
            channel_id, user_id, attachment_ids, message_id
        )
    try:
        return post_message(
            channel,
            sender_id=user_id,
            sender_name=sender.name,
            text=text,
            thread_id=thread_id,
            mentioned_user_ids=mentions.user_ids,
            mentions_channel=mentions.channel,
            also_in_channel=also_in_channel,
            message_id=message_id,
            files=files,
        )
    except Exception:
        if attachment_ids:
            attachments.release_ids(attachment_ids, message_id)
        raise


def post_as_integration(
    channel_id: str,
    caller: Caller,
    text: str,
    thread_id: str | None,
    also_in_channel: bool = False,
) -> Message:
    """Post as the integration behind an API token, under its name.

    The integration mentions nobody: its text comes from another system, so an
    @ in it notifies no one.
    """
    _check_also_in_channel(also_in_channel, thread_id)
    channel = require_reader(channel_id, caller)
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")
    return post_message(
        channel,
        sender_id=caller.user_id,
        sender_name=caller.integration_name or caller.user_id,
        text=check_text(text),
        thread_id=thread_id,
        also_in_channel=also_in_channel,
    )


def _check_also_in_channel(also_in_channel: bool, thread_id: str | None) -> None:
    if also_in_channel and not thread_id:
        raise InvalidInput(
            "Invalid field 'also_send_to_channel': only a thread reply can also "
            "be sent to the channel; add 'thread_id' or drop this field.",
            field="also_send_to_channel",
        )
