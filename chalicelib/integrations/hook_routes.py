"""HTTP routes of inbound webhooks.

``hook_routes`` (under /api/integrations) lets an admin manage hooks and read
their deliveries. ``inbound_hook_routes`` (under /api/hooks) receives the
deliveries: it has no bearer authorizer, because the sender proves itself with
the hook's signature instead.
"""

import json
from typing import Annotated, Any

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.ids import new_id
from chalicelib.integrations import hooks
from chalicelib.integrations.hook_actions import Action
from chalicelib.text import CleanLine
from chalicelib.web import (
    caller_of,
    cursor_param,
    limit_param,
    parse_body,
    require_admin,
)

hook_routes = Blueprint(__name__)
inbound_hook_routes = Blueprint(f"{__name__}.inbound")

# The path the receiving route is mounted at; app.py registers the inbound
# blueprint under this prefix.
INBOUND_PREFIX = "/api/hooks"


class HookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[CleanLine, Field(min_length=1, max_length=120)]
    action: Action
    template: dict[str, Any]


class TestDelivery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    payload: dict[str, Any]


def _admin(request: Request) -> str:
    caller = caller_of(request)
    require_admin(caller)
    return caller.user_id


def hook_url(request: Request, hook_id: str) -> str:
    """Build the public URL of a hook from the current request.

    Behind API Gateway the context path includes the stage (such as /api),
    which the route's own path leaves out; the difference is the prefix.
    """
    headers = request.headers or {}
    host = headers.get("host", "localhost")
    scheme = headers.get("x-forwarded-proto", "https")
    context_path = (request.context or {}).get("path") or request.path
    prefix = ""
    if context_path.endswith(request.path):
        prefix = context_path[: len(context_path) - len(request.path)]
    return f"{scheme}://{host}{prefix}{INBOUND_PREFIX}/{hook_id}"


def _hook_json(request: Request, hook: hooks.Hook) -> dict:
    return hooks.hook_json(hook, hook_url(request, hook.hook_id))


def _reply_response(reply: hooks.Reply) -> Response:
    return Response(
        body=reply.body,
        status_code=reply.status,
        headers={
            "Content-Type": "application/json",
            hooks.DUPLICATE_HEADER: "true" if reply.duplicate else "false",
        },
    )


# Managing hooks


@hook_routes.route("/hooks", methods=["POST"], authorizer=bearer_authorizer)
def create_hook():
    request = hook_routes.current_request
    user_id = _admin(request)
    body = parse_body(request, HookCreate)
    hook = hooks.create_hook(body.name, body.action, body.template, user_id)
    # The secret is shown here and after a rotation only; reads leave it out.
    return Response(
        {"hook": {**_hook_json(request, hook), "secret": hook.secret}},
        status_code=201,
    )


@hook_routes.route("/hooks", methods=["GET"], authorizer=bearer_authorizer)
def list_hooks():
    request = hook_routes.current_request
    _admin(request)
    return {"hooks": [_hook_json(request, hook) for hook in hooks.list_hooks()]}


@hook_routes.route("/hooks/{hook_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_hook(hook_id):
    request = hook_routes.current_request
    _admin(request)
    return {"hook": _hook_json(request, hooks.get_hook(hook_id))}


@hook_routes.route("/hooks/{hook_id}", methods=["DELETE"], authorizer=bearer_authorizer)
def delete_hook(hook_id):
    user_id = _admin(hook_routes.current_request)
    hooks.delete_hook(hook_id, user_id)
    return Response(body="", status_code=204)


@hook_routes.route(
    "/hooks/{hook_id}/rotate-secret", methods=["POST"], authorizer=bearer_authorizer
)
def rotate_secret(hook_id):
    request = hook_routes.current_request
    user_id = _admin(request)
    hook = hooks.rotate_secret(hook_id, user_id)
    return {"hook": {**_hook_json(request, hook), "secret": hook.secret}}


@hook_routes.route(
    "/hooks/{hook_id}/deliveries", methods=["GET"], authorizer=bearer_authorizer
)
def list_deliveries(hook_id):
    request = hook_routes.current_request
    _admin(request)
    limit = limit_param(request, default=20, maximum=100)
    before = cursor_param(request, "before")
    entries, next_cursor = hooks.list_deliveries(hook_id, limit, before)
    return {
        "deliveries": [hooks.delivery_json(entry) for entry in entries],
        "next_cursor": next_cursor,
    }


@hook_routes.route(
    "/hooks/{hook_id}/test", methods=["POST"], authorizer=bearer_authorizer
)
def test_hook(hook_id):
    """Sign ``payload`` with the hook's secret and receive it as a sender's would be."""
    request = hook_routes.current_request
    _admin(request)
    body = parse_body(request, TestDelivery)
    hook = hooks.get_hook(hook_id)
    raw = json.dumps(body.payload, ensure_ascii=False).encode("utf-8")
    headers = hooks.delivery_headers(hook, raw, f"test-{new_id()}")
    return _reply_response(hooks.receive(hook_id, headers, raw, test=True))


# Receiving deliveries


@inbound_hook_routes.route("/{hook_id}", methods=["POST"])
def receive_delivery(hook_id):
    request = inbound_hook_routes.current_request
    reply = hooks.receive(hook_id, request.headers or {}, request.raw_body or b"")
    return _reply_response(reply)
