"""API Gateway's REST side for the local stack, on Chalice's own local gateway."""

import json
import logging

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


class HttpGateway:
    def __init__(self, app) -> None:
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
