"""API Gateway's REST side for the local stack, on Chalice's own local gateway."""

import json
import logging
import threading

from chalice.config import Config
from chalice.local import (
    ForbiddenError,
    InvalidAuthorizerError,
    LocalGateway,
    NotAuthorizedError,
)

logger = logging.getLogger(__name__)


UNAUTHENTICATED_MESSAGE = (
    "Sign in first: send 'Authorization: Bearer <token>' with a valid, unexpired token."
)


def _json_error(status: int, code: str, message: str) -> dict:
    body = json.dumps({"error": {"code": code, "message": message}})
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": body,
    }


def _thread_local_request_state(app) -> None:
    """Keep ``app.current_request`` per thread.

    Chalice stores the current request on the app object, which is right on
    Lambda, where one process serves one request at a time. The local stack
    serves requests on several threads, which would otherwise read each
    other's request and caller.
    """
    if getattr(type(app), "_thread_local_state", False):
        return
    state = threading.local()

    def accessor(name: str) -> property:
        return property(
            lambda self: getattr(state, name, None),
            lambda self, value: setattr(state, name, value),
        )

    app.__class__ = type(
        f"ThreadLocal{type(app).__name__}",
        (type(app),),
        {
            "_thread_local_state": True,
            "current_request": accessor("current_request"),
            "lambda_context": accessor("lambda_context"),
        },
    )


class HttpGateway:
    def __init__(self, app) -> None:
        _thread_local_request_state(app)
        config = Config(chalice_stage="local", config_from_disk={"app_name": "shtab"})
        self._gateway = LocalGateway(app, config)

    def handle(self, method: str, path: str, headers: dict, body: bytes | None) -> dict:
        """Turn one HTTP request into an API Gateway event and run the app on it."""
        try:
            return self._gateway.handle_request(method, path, headers, body)
        except ForbiddenError as error:
            # Chalice raises this both for an unknown route (as API Gateway
            # does) and for an authorizer's deny; the error type tells them apart.
            if error.headers.get("x-amzn-ErrorType") == "UnauthorizedException":
                route = path.split("?")[0]
                return _json_error(404, "not_found", f"No API route {method} {route}.")
            return _json_error(403, "forbidden", "You may not use this route.")
        except NotAuthorizedError:
            return _json_error(401, "unauthenticated", UNAUTHENTICATED_MESSAGE)
        except InvalidAuthorizerError:
            return _json_error(500, "internal_error", "The authorizer failed.")
        except Exception as error:
            # The authorizer raises "Unauthorized" to get API Gateway's 401.
            if str(error) == "Unauthorized":
                return _json_error(401, "unauthenticated", UNAUTHENTICATED_MESSAGE)
            logger.exception("request failed %s %s", method, path.split("?")[0])
            return _json_error(500, "internal_error", "An internal error occurred.")
