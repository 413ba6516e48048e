"""HTTP routes of the Telegram bridge.

``telegram_routes`` (under /api/integrations) lets an admin configure the bot
and any signed-in person link their own chat. ``telegram_update_routes``
(under /api/telegram) receives the bot's updates from Telegram: it has no
bearer authorizer, because Telegram proves itself with the webhook secret.
"""

from typing import Annotated

from chalice import Blueprint, Response
from chalice.app import Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.clock import iso
from chalicelib.config import get_settings
from chalicelib.errors import Forbidden
from chalicelib.integrations import telegram_bridge
from chalicelib.integrations.telegram_api import BOT_TOKEN
from chalicelib.web import caller_of, parse_body, read_json, require_admin

telegram_routes = Blueprint(__name__)
telegram_update_routes = Blueprint(f"{__name__}.updates")

# The path the update route is mounted at; app.py registers the blueprint
# under this prefix.
UPDATES_PREFIX = "/api/telegram"
UPDATES_PATH = "/updates"


class BotSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    bot_token: Annotated[str, Field(min_length=1, max_length=200)]
    # The public HTTPS address of POST /api/telegram/updates, for a stack
    # behind a proxy or tunnel; by default it is derived from this request.
    webhook_url: Annotated[str | None, Field(max_length=2000)] = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: str) -> str:
        if not BOT_TOKEN.fullmatch(value):
            raise ValueError(
                "use the token @BotFather gave, such as 123456789:AAE... "
                "(digits, a colon, then at least 30 letters, digits, - or _)"
            )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _https_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith("https://") or len(value) <= len("https://"):
            raise ValueError("Telegram sends updates only to an https:// URL")
        if any(character.isspace() for character in value):
            raise ValueError("must not contain spaces")
        return value


def _admin(request: Request) -> str:
    caller = caller_of(request)
    require_admin(caller)
    return caller.user_id


def _person(request: Request) -> str:
    caller = caller_of(request)
    if caller.is_integration:
        raise Forbidden(
            "An API token cannot link Telegram; the person signs in and links "
            "their own account."
        )
    return caller.user_id


def _origin(request: Request) -> tuple[str, str]:
    """Return this request's scheme and host, and the stage prefix of its path.

    Behind API Gateway the context path includes the stage (such as /api),
    which the route's own path leaves out; the difference is the prefix.
    """
    headers = request.headers or {}
    host = headers.get("host", "localhost")
    scheme = headers.get("x-forwarded-proto", "https")
    context_path = (request.context or {}).get("path") or request.path
    prefix = ""
    if context_path.endswith(request.path):
        prefix = context_path[: len(context_path) - len(request.path)]
    return f"{scheme}://{host}", prefix


# The bot


@telegram_routes.route("/telegram", methods=["PUT"], authorizer=bearer_authorizer)
def configure_bot():
    request = telegram_routes.current_request
    user_id = _admin(request)
    body = parse_body(request, BotSettings)
    origin, prefix = _origin(request)
    webhook_url = body.webhook_url or f"{origin}{prefix}{UPDATES_PREFIX}{UPDATES_PATH}"
    site_url = get_settings().frontend_url or origin
    bot = telegram_bridge.configure_bot(body.bot_token, webhook_url, site_url, user_id)
    return {"telegram": telegram_bridge.bot_json(bot)}


@telegram_routes.route("/telegram", methods=["GET"], authorizer=bearer_authorizer)
def get_bot():
    _admin(telegram_routes.current_request)
    return {"telegram": telegram_bridge.bot_json(telegram_bridge.find_bot())}


@telegram_routes.route("/telegram", methods=["DELETE"], authorizer=bearer_authorizer)
def remove_bot():
    user_id = _admin(telegram_routes.current_request)
    telegram_bridge.remove_bot(user_id)
    return Response(body="", status_code=204)


# The caller's own link


@telegram_routes.route("/telegram/link", methods=["POST"], authorizer=bearer_authorizer)
def create_link():
    user_id = _person(telegram_routes.current_request)
    code = telegram_bridge.create_link_code(user_id)
    return Response(
        {
            "link": {
                "code": code.code,
                "deep_link": code.deep_link,
                "expires_at": iso(code.valid_until),
            }
        },
        status_code=201,
    )


@telegram_routes.route("/telegram/link", methods=["GET"], authorizer=bearer_authorizer)
def get_link():
    user_id = _person(telegram_routes.current_request)
    return {"telegram": telegram_bridge.link_json(user_id)}


@telegram_routes.route(
    "/telegram/link", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_link():
    user_id = _person(telegram_routes.current_request)
    telegram_bridge.unlink(user_id)
    return Response(body="", status_code=204)


# Updates from Telegram


@telegram_update_routes.route(UPDATES_PATH, methods=["POST"])
def receive_update():
    request = telegram_update_routes.current_request
    bot = telegram_bridge.check_secret(
        telegram_bridge.find_bot(), request.headers or {}
    )
    reply = telegram_bridge.handle_update(bot, read_json(request))
    return Response(
        body=reply, status_code=200, headers={"Content-Type": "application/json"}
    )
