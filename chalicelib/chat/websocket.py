"""WebSocket handlers: $connect, $disconnect and the client's frames.

A client connects with ``?token=<bearer token>`` and sends JSON frames with an
``action``; the server answers each frame that has a ``request_id`` with an
``ack`` or an ``error`` frame carrying the same id.
"""

import json
import logging

from pydantic import ValidationError

from chalicelib.auth.service import authenticate
from chalicelib.chat import connections
from chalicelib.chat.gateway import get_gateway
from chalicelib.chat.messages import message_json
from chalicelib.chat.posting import post_as_user
from chalicelib.chat.schemas import SocketMessage
from chalicelib.errors import ApiError, InvalidInput, Unauthenticated
from chalicelib.people.service import find_user

logger = logging.getLogger(__name__)

# API Gateway caps a WebSocket frame at 128 KB.
MAX_FRAME_BYTES = 128 * 1024


def on_connect(connection_id: str, query: dict | None) -> dict:
    token = (query or {}).get("token")
    if not token:
        logger.info("socket rejected, no token connection_id=%s", connection_id)
        return {"statusCode": 401}
    try:
        user = authenticate(token)
    except Unauthenticated as error:
        logger.info(
            "socket rejected connection_id=%s reason=%s", connection_id, error.message
        )
        return {"statusCode": 401}
    connections.add_connection(connection_id, user.user_id, user.token_version)
    logger.info(
        "socket connected connection_id=%s user_id=%s", connection_id, user.user_id
    )
    return {"statusCode": 200}


def on_disconnect(connection_id: str) -> dict:
    user_id = connections.remove_connection(connection_id)
    logger.info(
        "socket disconnected connection_id=%s user_id=%s", connection_id, user_id
    )
    return {"statusCode": 200}


def _reply(connection_id: str, frame: dict) -> None:
    data = json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode()
    get_gateway().send(connection_id, data)


def _error_frame(request_id, code: str, message: str, field: str | None = None) -> dict:
    error = {"code": code, "message": message}
    if field:
        error["field"] = field
    return {"type": "error", "request_id": request_id, "error": error}


def _request_id_of(body: str | bytes | None) -> str | None:
    """Return the frame's request_id even when the rest of the frame is invalid."""
    try:
        request_id = json.loads(body or b"").get("request_id")
    except (ValueError, AttributeError, RecursionError):
        # RecursionError: a frame nested deeper than the parser's stack.
        return None
    return request_id if isinstance(request_id, str) and len(request_id) <= 64 else None


def on_message(connection_id: str, body: str | bytes | None) -> dict:
    if body is not None and len(body) > MAX_FRAME_BYTES:
        _reply(
            connection_id, _error_frame(None, "payload_too_large", "Frame too large.")
        )
        return {"statusCode": 200}
    try:
        frame = SocketMessage.model_validate_json(body or b"")
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = f"Invalid frame: {field or 'body'}: {first['msg']}."
        _reply(
            connection_id,
            _error_frame(_request_id_of(body), "invalid_input", message, field),
        )
        return {"statusCode": 200}

    user_id = _active_user(connection_id)
    if user_id is None:
        get_gateway().close(connection_id)
        connections.remove_connection(connection_id)
        return {"statusCode": 200}

    try:
        result = _dispatch(frame, user_id)
    except ApiError as error:
        _reply(
            connection_id,
            _error_frame(frame.request_id, error.code, error.message, error.field),
        )
        return {"statusCode": 200}
    if frame.request_id is not None or frame.action == "ping":
        _reply(connection_id, {"type": "ack", "request_id": frame.request_id, **result})
    return {"statusCode": 200}


def _active_user(connection_id: str) -> str | None:
    """Return the connection's user while their token is still valid.

    None when the person was deactivated or changed their password after the
    socket was opened.
    """
    connection = connections.find_connection(connection_id)
    user = find_user(connection.user_id) if connection else None
    if user is None or not user.is_active:
        return None
    if user.token_version != connection.token_version:
        return None
    return user.user_id


def _dispatch(frame: SocketMessage, user_id: str) -> dict:
    if frame.action == "ping":
        return {"pong": True}
    if frame.action == "send_message":
        if not frame.channel_id:
            raise InvalidInput(
                "Invalid frame: channel_id is required.", field="channel_id"
            )
        message = post_as_user(
            frame.channel_id,
            user_id,
            frame.text or "",
            frame.thread_id,
            also_in_channel=frame.also_send_to_channel,
            attachment_ids=frame.attachment_ids,
        )
        return {"message": message_json(message)}
    raise InvalidInput(
        f"Unknown action '{frame.action}'; use 'send_message' or 'ping'.",
        field="action",
    )
