"""HTTP routes for changing messages: edit, delete, reactions, pins, and the
per-channel notification level."""

from urllib.parse import unquote

from chalice import Blueprint
from pynamodb.exceptions import DoesNotExist

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat import channels, editing, emoji_reactions, pins
from chalicelib.chat.emoji import normalize_emoji
from chalicelib.chat.message_schemas import (
    MessageEdit,
    NotificationLevelUpdate,
    ReactionAdd,
)
from chalicelib.chat.messages import message_json
from chalicelib.chat.models import Member, channel_pk, member_sk
from chalicelib.chat.notification_levels import level_of_member, set_level
from chalicelib.errors import Conflict, Forbidden, InvalidInput
from chalicelib.web import caller_of, parse_body

message_routes = Blueprint(__name__)


def _emoji(value: str, field: str = "emoji") -> str:
    emoji = normalize_emoji(value)
    if emoji is None:
        raise InvalidInput(
            f"Invalid field '{field}': {value[:40]!r} is not a single emoji; "
            "send one emoji such as 👍 or ❤️.",
            field=field,
        )
    return emoji


def _decoded_path_value(value: str) -> str:
    """Decode a percent-encoded path parameter once.

    Whether a gateway decodes path parameters differs between API Gateway and
    local servers; an emoji never contains "%", so a "%" means still encoded.
    """
    if "%" not in value:
        return value
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise InvalidInput(
            "Invalid path parameter 'emoji': the percent-encoding is not UTF-8; "
            "encode the emoji with encodeURIComponent.",
            field="emoji",
        ) from None


@message_routes.route(
    "/messages/{message_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def edit_message(message_id):
    caller = caller_of(message_routes.current_request)
    request = parse_body(message_routes.current_request, MessageEdit)
    message = editing.edit_message(message_id, caller, request.text)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/messages/{message_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_message(message_id):
    caller = caller_of(message_routes.current_request)
    message = editing.delete_message(message_id, caller)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/messages/{message_id}/reactions", methods=["POST"], authorizer=bearer_authorizer
)
def add_reaction(message_id):
    caller = caller_of(message_routes.current_request)
    request = parse_body(message_routes.current_request, ReactionAdd)
    emoji = _emoji(request.emoji)
    message, _channel = editing.writable_message(message_id, caller.user_id)
    message = emoji_reactions.add_reaction(message, emoji, caller.user_id)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/messages/{message_id}/reactions/{emoji}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def remove_reaction(message_id, emoji):
    caller = caller_of(message_routes.current_request)
    emoji = _emoji(_decoded_path_value(emoji))
    message, _channel = editing.writable_message(message_id, caller.user_id)
    message = emoji_reactions.remove_reaction(message, emoji, caller.user_id)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/messages/{message_id}/pin", methods=["POST"], authorizer=bearer_authorizer
)
def pin_message(message_id):
    caller = caller_of(message_routes.current_request)
    message, _channel = editing.writable_message(message_id, caller.user_id)
    if message.deleted_at is not None:
        raise Conflict("This message was deleted and cannot be pinned.")
    pins.pin_message(message, caller.user_id)
    message.refresh(consistent_read=True)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/messages/{message_id}/pin", methods=["DELETE"], authorizer=bearer_authorizer
)
def unpin_message(message_id):
    caller = caller_of(message_routes.current_request)
    message, _channel = editing.writable_message(message_id, caller.user_id)
    pins.unpin_message(message)
    message.refresh(consistent_read=True)
    return {"message": message_json(message, caller.user_id)}


@message_routes.route(
    "/channels/{channel_id}/pins", methods=["GET"], authorizer=bearer_authorizer
)
def list_pins(channel_id):
    caller = caller_of(message_routes.current_request)
    channels.require_member(channel_id, caller.user_id)
    return {
        "pins": [
            {**message_json(message, caller.user_id), **pins.pin_json(pin)}
            for pin, message in pins.list_pins(channel_id)
        ],
        "limit": pins.MAX_PINS,
    }


@message_routes.route(
    "/channels/{channel_id}/notifications",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def get_notification_level(channel_id):
    caller = caller_of(message_routes.current_request)
    channels.require_member(channel_id, caller.user_id)
    try:
        member = Member.get(channel_pk(channel_id), member_sk(caller.user_id))
    except DoesNotExist:
        # The person left between the membership check and this read.
        raise Forbidden("You are not a member of this channel.") from None
    return {"channel_id": channel_id, "level": level_of_member(member)}


@message_routes.route(
    "/channels/{channel_id}/notifications",
    methods=["PUT"],
    authorizer=bearer_authorizer,
)
def put_notification_level(channel_id):
    caller = caller_of(message_routes.current_request)
    request = parse_body(message_routes.current_request, NotificationLevelUpdate)
    channels.require_member(channel_id, caller.user_id)
    set_level(channel_id, caller.user_id, request.level)
    return {"channel_id": channel_id, "level": request.level}
