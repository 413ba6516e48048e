"""Posting a person's message, shared by the HTTP route and the WebSocket action."""

from chalicelib.chat.channels import require_member
from chalicelib.chat.messages import check_text, post_message
from chalicelib.chat.models import Message
from chalicelib.errors import Conflict, Forbidden
from chalicelib.people.models import User


def post_as_user(
    channel_id: str, user_id: str, text: str, thread_id: str | None
) -> Message:
    channel = require_member(channel_id, user_id)
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")
    text = check_text(text)
    sender = User.get(user_id)
    if not sender.is_active:
        raise Forbidden("This account is deactivated.")
    return post_message(
        channel,
        sender_id=user_id,
        sender_name=sender.name,
        text=text,
        thread_id=thread_id,
    )
