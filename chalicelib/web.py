"""Request plumbing shared by every blueprint: JSON bodies, the caller, errors."""

import json
import logging
import re
from dataclasses import dataclass
from typing import TypeVar

from chalice import Response
from chalice.app import Request
from pydantic import BaseModel, ValidationError

from chalicelib.cors import add_cors_headers
from chalicelib.errors import (
    ApiError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
)

logger = logging.getLogger(__name__)

Schema = TypeVar("Schema", bound=BaseModel)

# The role of a call made with an API token, and the scope that lets such a
# call do what an admin may (chalicelib/integrations/scopes.py lists scopes).
INTEGRATION_ROLE = "integration"
ADMIN_SCOPE = "admin"

# API Gateway accepts at most 10 MB and Lambda 6 MB; the routes that take files
# set their own limit below these.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024

# Chalice returns a few errors itself, with {"Code", "Message"} bodies. These
# map its codes onto ours, so every error has one shape.
_CHALICE_CODES = {
    "BadRequestError": "invalid_input",
    "BadRequest": "invalid_input",
    "UnauthorizedError": "unauthenticated",
    "ForbiddenError": "forbidden",
    "NotFoundError": "not_found",
    "MethodNotAllowedError": "method_not_allowed",
    "ConflictError": "conflict",
    "UnprocessableEntityError": "invalid_input",
    "TooManyRequestsError": "too_many_requests",
    "RequestTimeoutError": "timeout",
    "UnsupportedMediaType": "unsupported_media_type",
    "InternalServerError": "internal_error",
}

# Chalice's message when a binary response meets a request without a
# matching Accept header.
_BINARY_RESPONSE = re.compile(r"The response has a Content-Type of (\S+?)\.(?:\s|$)")


@dataclass(frozen=True)
class Caller:
    user_id: str
    role: str
    # Set for a call made with an API token: the user id is
    # ``integration:<token id>`` and the role is "integration".
    scopes: frozenset[str] = frozenset()
    integration_name: str | None = None

    @property
    def is_integration(self) -> bool:
        return self.role == INTEGRATION_ROLE

    @property
    def is_admin(self) -> bool:
        if self.is_integration:
            return ADMIN_SCOPE in self.scopes
        return self.role in ("owner", "admin")


# Ids are ULIDs (26 characters) or short keys; DynamoDB rejects empty keys and
# keys over 2048 bytes, so a path id outside these bounds gets a 404 here.
MAX_PATH_ID_LENGTH = 64


def error_response(error: ApiError) -> Response:
    headers = {"Content-Type": "application/json"}
    if "retry_after" in error.details:
        headers["Retry-After"] = str(error.details["retry_after"])
    return Response(body=error.to_body(), status_code=error.status, headers=headers)


def _check_path_ids(request: Request) -> None:
    for name, value in (request.uri_params or {}).items():
        if not value or len(value) > MAX_PATH_ID_LENGTH or not value.isprintable():
            raise NotFound(
                f"No such {name}: the id in the path is not valid.", field=name
            )


def handle_errors(event: Request, get_response) -> Response:
    """Chalice HTTP middleware that returns every error as ``{"error": {...}}``."""
    try:
        _check_path_ids(event)
        response = get_response(event)
    except ApiError as error:
        response = error_response(error)
    # Chalice adds these to what a view returns, not to errors raised past it.
    add_cors_headers(response.headers)

    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        code = _CHALICE_CODES.get(body["Code"], "error")
        message = body.get("Message", "")
        if code == "unsupported_media_type":
            message += (
                "; send the body with the Content-Type that /api/openapi.json "
                "gives for this route (application/json for most routes)."
            )
        binary_type = _BINARY_RESPONSE.search(message)
        if binary_type:
            # Chalice returns a binary body only to a client that accepts it.
            message = (
                f"This route returns a file of type {binary_type.group(1)}; send an "
                f"Accept header that allows it, such as 'Accept: */*'."
            )
        response.body = {"error": {"code": code, "message": message}}
        # Chalice sets no Content-Type on its own errors, such as 405 and 415.
        response.headers["Content-Type"] = "application/json"
    return response


def read_json(request: Request, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> dict:
    raw = request.raw_body or b""
    if len(raw) > max_bytes:
        raise PayloadTooLarge(
            f"Request body is {len(raw)} bytes; the limit is {max_bytes} bytes."
        )
    if not raw.strip():
        raise InvalidInput("Request body is empty; send a JSON object.")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"Request body is not valid JSON: {error}.") from error
    except RecursionError:
        raise InvalidInput("Request body is nested too deeply.") from None
    except ValueError as error:
        # json raises a plain ValueError for integers of more than 4300 digits.
        raise InvalidInput(
            "Request body contains a number too long to read; send at most 4300 digits."
        ) from error
    if not isinstance(data, dict):
        raise InvalidInput("Request body must be a JSON object.")
    try:
        # A JSON escape such as "\ud800" decodes to a lone surrogate, which
        # cannot be stored as UTF-8.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            "Request body contains invalid Unicode (a lone surrogate escape); "
            "send well-formed UTF-8 text."
        ) from None
    return data


def parse(schema: type[Schema], data: dict) -> Schema:
    """Validate ``data`` with ``schema``; the error names the first bad field."""
    try:
        return schema.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or None
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = "unknown field; remove it"
        elif first["type"] == "missing":
            message = "field required"
        raise InvalidInput(
            f"Invalid field '{field}': {message}.", field=field
        ) from None


def parse_body(request: Request, schema: type[Schema]) -> Schema:
    return parse(schema, read_json(request))


def caller_of(request: Request) -> Caller:
    context = (request.context or {}).get("authorizer") or {}
    user_id = context.get("principalId")
    if not user_id:
        raise Unauthenticated("Sign in first: send 'Authorization: Bearer <token>'.")
    role = context.get("role", "employee")
    if role != INTEGRATION_ROLE:
        return Caller(user_id=user_id, role=role)
    return Caller(
        user_id=user_id,
        role=role,
        scopes=frozenset((context.get("scopes") or "").split()),
        integration_name=context.get("integration_name") or user_id,
    )


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("Only the owner or an admin can do this.")


def query_param(request: Request, name: str) -> str | None:
    return (request.query_params or {}).get(name)


def cursor_param(request: Request, name: str) -> str | None:
    """Return the ``name`` query parameter if it is a ULID from an earlier page."""
    value = query_param(request, name)
    if value is not None and (len(value) != 26 or not value.isalnum()):
        raise InvalidInput(
            f"Invalid query parameter '{name}': use the cursor from an earlier page.",
            field=name,
        )
    return value


def limit_param(request: Request, default: int = 50, maximum: int = 200) -> int:
    raw = query_param(request, "limit")
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        raise InvalidInput(
            f"Invalid query parameter 'limit': use a whole number from 1 to {maximum}.",
            field="limit",
        )
    return int(raw)
