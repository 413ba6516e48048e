"""HTTP routes for people: hire, list, edit, deactivate."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.auth.tokens import issue_token
from chalicelib.errors import InvalidInput
from chalicelib.people import service
from chalicelib.people.schemas import UserCreate, UserUpdate
from chalicelib.people.views import user_json
from chalicelib.web import caller_of, parse_body, query_param, require_admin

people_routes = Blueprint(__name__)


@people_routes.route("", methods=["POST"], authorizer=bearer_authorizer)
def create_user():
    caller = caller_of(people_routes.current_request)
    require_admin(caller)
    request = parse_body(people_routes.current_request, UserCreate)
    user, generated_password = service.create_user(request, caller)
    body = {"user": user_json(user)}
    if generated_password is not None:
        # Shown once, so the admin can hand it over; it is stored only hashed.
        body["password"] = generated_password
    return Response(body, status_code=201)


@people_routes.route("", methods=["GET"], authorizer=bearer_authorizer)
def list_users():
    caller_of(people_routes.current_request)
    include = (
        query_param(people_routes.current_request, "include_deactivated") == "true"
    )
    return {"users": [user_json(user) for user in service.list_users(include)]}


@people_routes.route("/{user_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_user(user_id):
    caller_of(people_routes.current_request)
    return {"user": user_json(service.get_user(user_id))}


@people_routes.route("/{user_id}", methods=["PATCH"], authorizer=bearer_authorizer)
def update_user(user_id):
    caller = caller_of(people_routes.current_request)
    request = parse_body(people_routes.current_request, UserUpdate)
    if not request.model_fields_set:
        raise InvalidInput("Send at least one field to change.")
    user = service.update_user(user_id, request, request.model_fields_set, caller)
    changed = service.get_user(user.user_id)
    body = {"user": user_json(changed)}
    if caller.user_id == user_id and "password" in request.model_fields_set:
        # The change revoked the caller's own tokens, so the session goes on
        # with a new one.
        body["token"] = issue_token(changed.user_id, changed.token_version)
    return body


@people_routes.route("/{user_id}", methods=["DELETE"], authorizer=bearer_authorizer)
def deactivate_user(user_id):
    caller = caller_of(people_routes.current_request)
    require_admin(caller)
    user = service.deactivate_user(user_id, caller)
    return {"user": user_json(service.get_user(user.user_id))}
