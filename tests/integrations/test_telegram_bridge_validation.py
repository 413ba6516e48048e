"""Bad input on every Telegram bridge route: a 4xx that names the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat.gateway import use_gateway
from chalicelib.integrations import telegram_api
from chalicelib.integrations.telegram_bridge import SECRET_HEADER
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fake_telegram import TOKEN, FakeTelegram
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD, reset_backends

BOT = "/api/integrations/telegram"
LINK = "/api/integrations/telegram/link"
UPDATES = "/api/telegram/updates"
SECRET = "{secret}"
MESSAGE = {"chat": {"id": 5, "type": "private"}, "text": "/start"}

# (caller, method, path, body, status, field). The caller "telegram" sends the
# webhook secret and "api" sends no credentials. A body in braces is sent raw.
CASES = [
    ("owner", "PUT", BOT, {}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": None}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": 5}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": ""}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": "not-a-token"}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": "123456:short"}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN + "\n" + TOKEN}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": "ж" * 201}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN[:-4] + "0000"}, 400, "bot_token"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "surprise": 1}, 400, "surprise"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "webhook_url": "http://example.com/u"}, 400, "webhook_url"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "webhook_url": "https://"}, 400, "webhook_url"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "webhook_url": "https://a b/u"}, 400, "webhook_url"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "webhook_url": 5}, 400, "webhook_url"),
    ("owner", "PUT", BOT, {"bot_token": TOKEN, "webhook_url": "https://x/" + "u" * 2000}, 400, "webhook_url"),
    ("owner", "PUT", BOT, "{not json", 400, None),
    ("owner", "PUT", BOT, "[]", 400, None),
    ("anna", "PUT", BOT, {"bot_token": TOKEN}, 403, None),
    ("anna", "GET", BOT, None, 403, None),
    ("anna", "DELETE", BOT, None, 403, None),
    ("api", "GET", BOT, None, 401, None),
    ("api", "POST", LINK, None, 401, None),
    ("token", "POST", LINK, None, 403, None),
    ("token", "GET", LINK, None, 403, None),
    ("token", "DELETE", LINK, None, 403, None),
    ("api", "POST", UPDATES, {"update_id": 1, "message": MESSAGE}, 401, None),
    ("telegram", "POST", UPDATES, "{not json", 400, None),
    ("telegram", "POST", UPDATES, "", 400, None),
    ("telegram", "POST", UPDATES, {}, 400, "update_id"),
    ("telegram", "POST", UPDATES, {"update_id": "one"}, 400, "update_id"),
    ("telegram", "POST", UPDATES, {"update_id": 1, "message": "hi"}, 400, "message"),
    ("telegram", "POST", UPDATES, {"update_id": 1, "message": {"text": "/start"}}, 400, "message.chat"),
    ("telegram", "POST", UPDATES, {"update_id": 1, "message": {**MESSAGE, "chat": {"id": "abc", "type": "private"}}}, 400, "message.chat.id"),
    ("telegram", "POST", UPDATES, {"update_id": 1, "message": {**MESSAGE, "text": 5}}, 400, "message.text"),
    ("telegram", "POST", UPDATES, {"update_id": 1, "message": {**MESSAGE, "from": {"first_name": "A"}}}, 400, "message.from.id"),
]  # fmt: skip


@dataclass
class World:
    api: ApiClient
    owner: ApiClient
    anna: ApiClient
    token: ApiClient
    telegram: FakeTelegram
    secret: str


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module) -> Iterator[World]:
    telegram = FakeTelegram()
    telegram.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(telegram_api.API_URL_VARIABLE, telegram.url)
        reset_backends(database)
        StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
        use_gateway(FakeGateway())
        api = ApiClient(http_gateway)
        bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
        owner = api.as_user(_sign_in(api, OWNER_EMAIL, OWNER_PASSWORD))
        created = owner.post(
            "/api/users",
            {
                "email": "anna@example.com",
                "name": "Анна",
                "role": "employee",
                "password": "anna-password-1",
            },
        )
        assert created.status == 201, created.body
        anna = api.as_user(_sign_in(api, "anna@example.com", "anna-password-1"))
        token = owner.post(
            "/api/integrations/tokens",
            {"name": "Скрипт", "scopes": ["integrations:read", "integrations:write"]},
        )
        assert token.status == 201, token.body
        configured = owner.request("PUT", BOT, {"bot_token": TOKEN})
        assert configured.status == 200, configured.body
        secret = telegram.calls_of("setWebhook")[-1].payload["secret_token"]
        yield World(
            api=api,
            owner=owner,
            anna=anna,
            token=api.as_user(token.json["secret"]),
            telegram=telegram,
            secret=secret,
        )
    use_gateway(None)
    telegram.stop()


def _sign_in(api: ApiClient, email: str, password: str) -> str:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    return response.json["token"]


def _send(world: World, caller: str, method: str, path: str, body):
    client = {
        "owner": world.owner,
        "anna": world.anna,
        "token": world.token,
    }.get(caller, world.api)
    headers = {SECRET_HEADER: world.secret} if caller == "telegram" else None
    if isinstance(body, str):
        return client.request(method, path, raw=body.encode(), headers=headers)
    return client.request(method, path, body, headers=headers)


@pytest.mark.parametrize(
    ("caller", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, caller, method, path, body, status, field):
    response = _send(world, caller, method, path, body)

    assert (response.status, response.error_field()) == (status, field), response.body
    assert response.json["error"]["message"]


def test_bot_unchanged_by_rejected_input(world):
    before = world.owner.get(BOT).json["telegram"]

    for caller, method, path, body, _, _ in CASES:
        if path == BOT and method == "PUT":
            _send(world, caller, method, path, body)

    after = world.owner.get(BOT).json["telegram"]
    assert after == before
    assert after["configured"] is True
