"""Sign-in and the caller's own profile."""

from typing import Annotated

from chalice import Blueprint
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from chalicelib.auth import service
from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.people.models import User
from chalicelib.people.views import user_json
from chalicelib.web import caller_of, parse_body

auth_routes = Blueprint(__name__)


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Stripped before the length check, so a blank email is a 400 and never
    # reaches the email index, which rejects an empty key.
    email: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)
    ]
    password: str = Field(min_length=1, max_length=200)


@auth_routes.route("/login", methods=["POST"])
def login():
    current = auth_routes.current_request
    request = parse_body(current, LoginRequest)
    # API Gateway sets sourceIp from the connection; a client cannot forge it.
    address = (current.context.get("identity") or {}).get("sourceIp")
    token, user = service.login(request.email, request.password, address)
    return {"token": token, "user": user_json(user)}


@auth_routes.route("/me", methods=["GET"], authorizer=bearer_authorizer)
def me():
    caller = caller_of(auth_routes.current_request)
    return {"user": user_json(User.get(caller.user_id))}
