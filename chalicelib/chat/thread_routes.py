"""HTTP routes of threads, follows, read markers and unread counts."""

from chalice import Blueprint

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat import read_state, thread_follows
from chalicelib.chat.channels import require_member
from chalicelib.chat.thread_schemas import MarkMessage
from chalicelib.chat.unread import unread_of
from chalicelib.web import caller_of, limit_param, parse_body, query_param

thread_routes = Blueprint(__name__)


def _root_for(message_id: str, user_id: str):
    root = thread_follows.root_of(message_id)
    require_member(root.channel_id, user_id)
    return root


@thread_routes.route(
    "/messages/{message_id}/follow", methods=["POST"], authorizer=bearer_authorizer
)
def follow(message_id):
    caller = caller_of(thread_routes.current_request)
    root = _root_for(message_id, caller.user_id)
    thread_follows.follow_thread(root.message_id, caller.user_id)
    return {"thread": read_state.thread_unread(root, caller.user_id)}


@thread_routes.route(
    "/messages/{message_id}/follow", methods=["DELETE"], authorizer=bearer_authorizer
)
def unfollow(message_id):
    caller = caller_of(thread_routes.current_request)
    root = _root_for(message_id, caller.user_id)
    thread_follows.unfollow_thread(root.message_id, caller.user_id)
    return {"thread": read_state.thread_unread(root, caller.user_id)}


@thread_routes.route("/threads", methods=["GET"], authorizer=bearer_authorizer)
def list_threads():
    request = thread_routes.current_request
    caller = caller_of(request)
    return thread_follows.threads_view(
        caller.user_id,
        limit=limit_param(request, default=20, maximum=100),
        cursor=query_param(request, "cursor"),
    )


@thread_routes.route("/unread", methods=["GET"], authorizer=bearer_authorizer)
def unread():
    caller = caller_of(thread_routes.current_request)
    return unread_of(caller.user_id)


@thread_routes.route(
    "/channels/{channel_id}/read", methods=["POST"], authorizer=bearer_authorizer
)
def mark_channel_read(channel_id):
    caller = caller_of(thread_routes.current_request)
    body = parse_body(thread_routes.current_request, MarkMessage)
    require_member(channel_id, caller.user_id)
    return {
        "channel": read_state.mark_channel_read(
            channel_id, caller.user_id, body.message_id
        )
    }


@thread_routes.route(
    "/channels/{channel_id}/unread", methods=["POST"], authorizer=bearer_authorizer
)
def mark_channel_unread(channel_id):
    caller = caller_of(thread_routes.current_request)
    body = parse_body(thread_routes.current_request, MarkMessage)
    require_member(channel_id, caller.user_id)
    return {
        "channel": read_state.mark_channel_unread(
            channel_id, caller.user_id, body.message_id
        )
    }


@thread_routes.route(
    "/messages/{message_id}/thread/read",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def mark_thread_read(message_id):
    caller = caller_of(thread_routes.current_request)
    body = parse_body(thread_routes.current_request, MarkMessage)
    root = _root_for(message_id, caller.user_id)
    return {
        "thread": read_state.mark_thread_read(root, caller.user_id, body.message_id)
    }


@thread_routes.route(
    "/messages/{message_id}/thread/unread",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def mark_thread_unread(message_id):
    caller = caller_of(thread_routes.current_request)
    body = parse_body(thread_routes.current_request, MarkMessage)
    root = _root_for(message_id, caller.user_id)
    return {
        "thread": read_state.mark_thread_unread(root, caller.user_id, body.message_id)
    }
