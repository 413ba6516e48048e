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

from chalicelib.cors import add_cors_headers

logger = logging.getLogger(__name__)


UNAUTHENTICATED_MESSAGE = (
    "Sign in first: send 'Authorization: Bearer <token>' with a valid, unexpired token."
)


def _json_error(status: int, code: str, message: str) -> dict:
    body = json.dumps({"error": {"code": code, "message": message}})
    # API Gateway's own errors carry these too (infra/resources.json).
    headers = add_cors_headers({"Content-Type": "application/json"})
    return {"statusCode": status, "headers": headers, "body": body}


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
        self._client = threading.local()
        self._wrap_event_converter()

    def _wrap_event_converter(self) -> None:
        """Put the caller's address in each event, as API Gateway does.

        Chalice's local events all name 127.0.0.1, which would make the
        sign-in throttle count every client of the stack as one address.
        """
        converter = self._gateway.event_converter
        create_event = converter.create_lambda_event

        def create_event_with_address(*args, **kwargs):
            event = create_event(*args, **kwargs)
            address = getattr(self._client, "address", None)
            if address:
                event["requestContext"]["identity"]["sourceIp"] = address
            return event

        converter.create_lambda_event = create_event_with_address

    def handle(
        self,
        method: str,
        path: str,
        headers: dict,
        body: bytes | None,
        client_address: str | None = None,
    ) -> dict:
        """Turn one HTTP request into an API Gateway event and run the app on it."""
        self._client.address = client_address
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
