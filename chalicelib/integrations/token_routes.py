"""HTTP routes that manage API tokens: admins signed in as people only."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden
from chalicelib.integrations import tokens
from chalicelib.web import Caller, caller_of, parse_body, require_admin

token_routes = Blueprint(__name__)


def _admin() -> Caller:
    caller = caller_of(token_routes.current_request)
    # The scope middleware closes these routes to tokens already; checking
    # again here keeps them closed if the middleware is left out.
    if caller.is_integration:
        raise Forbidden("API tokens cannot manage API tokens; sign in as an admin.")
    require_admin(caller)
    return caller


@token_routes.route("/tokens", methods=["POST"], authorizer=bearer_authorizer)
def create_token():
    caller = _admin()
    request = parse_body(token_routes.current_request, tokens.TokenCreate)
    token, plain_text = tokens.create_token(request, caller)
    body = {"token": tokens.token_json(token), "secret": plain_text}
    return Response(body, status_code=201)


@token_routes.route("/tokens", methods=["GET"], authorizer=bearer_authorizer)
def list_tokens():
    _admin()
    return {"tokens": [tokens.token_json(token) for token in tokens.list_tokens()]}


@token_routes.route(
    "/tokens/{token_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def revoke_token(token_id):
    caller = _admin()
    tokens.check_token_id(token_id)
    return {"token": tokens.token_json(tokens.revoke_token(token_id, caller))}
