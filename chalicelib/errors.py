"""One error hierarchy for the HTTP API: each error carries its status and code."""

from chalice import ChaliceUnhandledError


class ApiError(ChaliceUnhandledError):
    """An error a client can act on, returned as JSON with ``status``.

    It derives from ``ChaliceUnhandledError`` because Chalice lets only that
    class through to the error middleware, which turns it into the response.
    """

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None, **details):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details

    def to_body(self) -> dict:
        error = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        error.update(self.details)
        return {"error": error}


class InvalidInput(ApiError):
    status = 400
    code = "invalid_input"


class Unauthenticated(ApiError):
    status = 401
    code = "unauthenticated"


class Forbidden(ApiError):
    status = 403
    code = "forbidden"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class Conflict(ApiError):
    status = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(ApiError):
    status = 429
    code = "too_many_requests"
