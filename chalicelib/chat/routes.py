"""HTTP routes of the messenger."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat import catch_up, channel_management, channels, messages
from chalicelib.chat.channel_routes import list_channels_of
from chalicelib.chat.mentions import handles_of
from chalicelib.chat.posting import post_as_integration, post_as_user
from chalicelib.chat.schemas import ChannelCreate, MemberAdd, MessageCreate
from chalicelib.chat.telegram_import import import_telegram_export
from chalicelib.errors import Forbidden, InvalidInput, PayloadTooLarge
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.web import (
    caller_of,
    cursor_param,
    limit_param,
    parse_body,
    query_param,
)

chat_routes = Blueprint(__name__)

# API Gateway takes request bodies up to 10 MB; larger exports go through the
# command-line importer.
MAX_IMPORT_BODY_BYTES = 9 * 1024 * 1024


@chat_routes.route("/channels", methods=["GET"], authorizer=bearer_authorizer)
def list_channels():
    caller = caller_of(chat_routes.current_request)
    return list_channels_of(chat_routes.current_request, caller)


@chat_routes.route("/channels", methods=["POST"], authorizer=bearer_authorizer)
def create_channel():
    caller = caller_of(chat_routes.current_request)
    request = parse_body(chat_routes.current_request, ChannelCreate)
    invited = []
    for index, user_id in enumerate(dict.fromkeys(request.member_ids)):
        user = find_user(user_id)
        if user is None or not user.is_active:
            raise InvalidInput(
                f"Invalid field 'member_ids.{index}': no active user '{user_id}'.",
                field=f"member_ids.{index}",
            )
        invited.append(user_id)
    channel = channels.create_channel(
        request.name, request.description, caller.user_id, request.visibility
    )
    for user_id in invited:
        channels.add_member(channel.channel_id, user_id, source="manual")
    channel = channel_management.reload(channel.channel_id)
    return Response({"channel": channels.channel_json(channel)}, status_code=201)


@chat_routes.route(
    "/channels/{channel_id}/members", methods=["GET"], authorizer=bearer_authorizer
)
def list_members(channel_id):
    caller = caller_of(chat_routes.current_request)
    channels.require_member(channel_id, caller.user_id)
    user_ids = channels.member_ids(channel_id)
    users = User.batch_get(user_ids) if user_ids else []
    # The handle is what the composer inserts after "@" to mention the person.
    handles = handles_of(user_ids)
    members = [
        {
            "id": user.user_id,
            "name": user.name,
            "status": user.status,
            "handle": handles.get(user.user_id),
        }
        for user in sorted(users, key=lambda user: user.name)
    ]
    return {"members": members}


@chat_routes.route(
    "/channels/{channel_id}/members", methods=["POST"], authorizer=bearer_authorizer
)
def add_member(channel_id):
    caller = caller_of(chat_routes.current_request)
    user_id = parse_body(chat_routes.current_request, MemberAdd).user_id
    channel_management.add_person(channel_id, caller, user_id)
    return Response({"added": user_id}, status_code=201)


@chat_routes.route(
    "/channels/{channel_id}/messages", methods=["GET"], authorizer=bearer_authorizer
)
def list_messages(channel_id):
    caller = caller_of(chat_routes.current_request)
    channels.require_reader(channel_id, caller)
    if query_param(chat_routes.current_request, "after_seq") is not None:
        return catch_up.channel_messages_after(
            chat_routes.current_request, channel_id, caller.user_id
        )
    before, after = (
        cursor_param(chat_routes.current_request, "before"),
        cursor_param(chat_routes.current_request, "after"),
    )
    if before and after:
        raise InvalidInput("Use either 'before' or 'after', not both.", field="after")
    rows, next_cursor = messages.list_history(
        channel_id,
        limit=limit_param(chat_routes.current_request),
        before=before,
        after=after,
    )
    return {
        "messages": [messages.message_json(row, caller.user_id) for row in rows],
        "next_cursor": next_cursor,
    }


@chat_routes.route(
    "/channels/{channel_id}/messages", methods=["POST"], authorizer=bearer_authorizer
)
def post_message(channel_id):
    caller = caller_of(chat_routes.current_request)
    request = parse_body(chat_routes.current_request, MessageCreate)
    if caller.is_integration:
        if request.attachment_ids:
            raise InvalidInput(
                "Invalid field 'attachment_ids': an API token cannot send files; "
                "send a link to the file in the text instead.",
                field="attachment_ids",
            )
        message = post_as_integration(
            channel_id,
            caller,
            request.text,
            request.thread_id,
            also_in_channel=request.also_send_to_channel,
        )
    else:
        message = post_as_user(
            channel_id,
            caller.user_id,
            request.text,
            request.thread_id,
            also_in_channel=request.also_send_to_channel,
            attachment_ids=request.attachment_ids,
        )
    return Response(
        {"message": messages.message_json(message, caller.user_id)}, status_code=201
    )


@chat_routes.route(
    "/messages/{message_id}/thread", methods=["GET"], authorizer=bearer_authorizer
)
def get_thread(message_id):
    caller = caller_of(chat_routes.current_request)
    message = messages.find_message(message_id)
    channels.require_reader(message.channel_id, caller)
    root = message
    if message.thread_id:
        root = messages.get_root_message(message.channel_id, message.thread_id)
    if query_param(chat_routes.current_request, "after_seq") is not None:
        return catch_up.thread_replies_after(
            chat_routes.current_request, root, caller.user_id
        )
    replies, next_cursor = messages.list_thread(
        root,
        limit=limit_param(chat_routes.current_request, default=100),
        after=cursor_param(chat_routes.current_request, "after"),
    )
    return {
        "root": messages.message_json(root, caller.user_id),
        "replies": [messages.message_json(reply, caller.user_id) for reply in replies],
        "next_cursor": next_cursor,
    }


@chat_routes.route(
    "/channels/{channel_id}/import/telegram",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=["application/json", "application/octet-stream"],
)
def import_telegram(channel_id):
    caller = caller_of(chat_routes.current_request)
    channel = channels.require_member(channel_id, caller.user_id)
    if not caller.is_admin:
        raise Forbidden("Only the owner or an admin can import history.")
    raw = chat_routes.current_request.raw_body or b""
    if len(raw) > MAX_IMPORT_BODY_BYTES:
        raise PayloadTooLarge(
            f"The export is {len(raw)} bytes; the web limit is "
            f"{MAX_IMPORT_BODY_BYTES}. "
            "Use the command-line importer (python -m shtab_local.import_telegram).",
            field="file",
        )
    return import_telegram_export(channel, raw)
