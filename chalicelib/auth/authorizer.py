"""The bearer-token authorizer shared by every protected route."""

import logging

from chalice import AuthResponse, Blueprint

from chalicelib.auth.service import authenticate
from chalicelib.errors import Unauthenticated
from chalicelib.integrations.tokens import (
    authenticate_token,
    authorizer_context,
    is_api_token,
    principal_id,
)

logger = logging.getLogger(__name__)

authorizer_routes = Blueprint(__name__)

# API Gateway returns 401 when a Lambda authorizer raises an error with exactly
# this message; a policy that denies would give 403 instead.
UNAUTHORIZED = "Unauthorized"


class TokenRejected(Exception):
    def __init__(self) -> None:
        super().__init__(UNAUTHORIZED)


def _bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# ttl_seconds=0 turns off API Gateway's authorizer cache, so a deactivated
# person's token stops working on the next request rather than minutes later.
@authorizer_routes.authorizer(ttl_seconds=0)
def bearer_authorizer(auth_request):
    token = _bearer_token(auth_request.token)
    if token is None:
        raise TokenRejected()
    if is_api_token(token):
        return _api_token_response(token)
    try:
        user = authenticate(token)
    except Unauthenticated as error:
        logger.info("token rejected: %s", error.message)
        raise TokenRejected() from None
    return AuthResponse(
        routes=["*"], principal_id=user.user_id, context={"role": user.role}
    )


def _api_token_response(token: str) -> AuthResponse:
    """Authorize a call made with an integration's API token.

    The route's scope is checked later, by the scope middleware, because the
    authorizer returns one policy for every route (``routes=["*"]``).
    """
    try:
        api_token = authenticate_token(token)
    except Unauthenticated as error:
        logger.info("api token rejected: %s", error.message)
        raise TokenRejected() from None
    return AuthResponse(
        routes=["*"],
        principal_id=principal_id(api_token.token_id),
        context=authorizer_context(api_token),
    )
