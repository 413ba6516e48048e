"""HTTP routes that manage channels and open direct and group conversations."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat import channel_management, channels, conversations
from chalicelib.chat.channel_access import require_visible
from chalicelib.chat.channel_schemas import ChannelUpdate, DirectOpen, OwnerAdd
from chalicelib.errors import InvalidInput
from chalicelib.web import (
    caller_of,
    cursor_param,
    limit_param,
    parse_body,
    query_param,
)

channel_routes = Blueprint(__name__)


def _detail(channel, caller) -> dict:
    return {"channel": conversations.channel_detail(channel, caller)}


def list_channels_of(request, caller) -> dict:
    """Serve GET /api/chat/channels: the caller's channels, or with
    ``scope=browse`` the public channels anyone can join, a page at a time."""
    scope = query_param(request, "scope") or "member"
    if scope == "member":
        own = channels.channels_of(caller.user_id)
        return {"channels": conversations.channel_views(own, caller.user_id)}
    if scope != "browse":
        raise InvalidInput(
            f"Invalid query parameter 'scope': '{scope}' is not one of 'member' "
            "(your channels) or 'browse' (public channels to join).",
            field="scope",
        )
    found, next_cursor = conversations.browse_public(
        caller,
        limit=limit_param(request, default=100),
        after=cursor_param(request, "after"),
    )
    return {"channels": found, "next_cursor": next_cursor}


@channel_routes.route(
    "/channels/{channel_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    return _detail(require_visible(channel_id, caller), caller)


@channel_routes.route(
    "/channels/{channel_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    request = parse_body(channel_routes.current_request, ChannelUpdate)
    channel = channel_management.update(
        channel_id, caller, request, request.model_fields_set
    )
    return _detail(channel, caller)


@channel_routes.route(
    "/channels/{channel_id}/join", methods=["POST"], authorizer=bearer_authorizer
)
def join_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    channel, joined = channel_management.join(channel_id, caller)
    return {**_detail(channel, caller), "joined": joined}


@channel_routes.route(
    "/channels/{channel_id}/leave", methods=["POST"], authorizer=bearer_authorizer
)
def leave_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    channel, left = channel_management.leave(channel_id, caller)
    return {**_detail(channel, caller), "left": left}


@channel_routes.route(
    "/channels/{channel_id}/members/{user_id}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def remove_member(channel_id, user_id):
    caller = caller_of(channel_routes.current_request)
    channel = channel_management.remove_person(channel_id, caller, user_id)
    return {**_detail(channel, caller), "removed": user_id}


@channel_routes.route(
    "/channels/{channel_id}/archive", methods=["POST"], authorizer=bearer_authorizer
)
def archive_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    return _detail(channel_management.set_archived(channel_id, caller, True), caller)


@channel_routes.route(
    "/channels/{channel_id}/unarchive", methods=["POST"], authorizer=bearer_authorizer
)
def unarchive_channel(channel_id):
    caller = caller_of(channel_routes.current_request)
    return _detail(channel_management.set_archived(channel_id, caller, False), caller)


@channel_routes.route(
    "/channels/{channel_id}/owners", methods=["POST"], authorizer=bearer_authorizer
)
def add_owner(channel_id):
    caller = caller_of(channel_routes.current_request)
    user_id = parse_body(channel_routes.current_request, OwnerAdd).user_id
    channel = channel_management.add_owner(channel_id, caller, user_id)
    return _detail(channel, caller)


@channel_routes.route(
    "/channels/{channel_id}/owners/{user_id}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def remove_owner(channel_id, user_id):
    caller = caller_of(channel_routes.current_request)
    channel = channel_management.remove_owner(channel_id, caller, user_id)
    return _detail(channel, caller)


@channel_routes.route("/direct", methods=["POST"], authorizer=bearer_authorizer)
def open_direct():
    caller = caller_of(channel_routes.current_request)
    request = parse_body(channel_routes.current_request, DirectOpen)
    channel, created = conversations.open_conversation(caller.user_id, request.user_ids)
    return Response(_detail(channel, caller), status_code=201 if created else 200)
