"""Shared pieces of the hook tests: a staffed company and a sender that signs.

The company is the marketplace org template with:

    Owner   role owner, no position
    Лев     Logistician
    Анна    Wildberries account manager, a member of the «Отзывы» channel
"""

import itertools
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat.gateway import use_gateway
from chalicelib.integrations.signatures import sign
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient, ApiResponse
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    Person,
    reset_backends,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "templates" / "hooks"


@dataclass
class HooksWorld:
    api: ApiClient
    pump: StreamPump
    gateway: FakeGateway
    owner: Person
    leo: Person
    anna: Person
    positions: dict[str, str]
    reviews_channel_id: str
    hire: Callable[..., Person]


def _sign_in(api: ApiClient, user_id: str, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(user_id, email, password, token, api.as_user(token))


def build_world(database, http_gateway, app_module) -> Iterator[HooksWorld]:
    """Build the company on freshly reset tables, for a module-scoped fixture."""
    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    fake_gateway = FakeGateway()
    use_gateway(fake_gateway)
    api = ApiClient(http_gateway)

    owner_user, _ = bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = _sign_in(api, owner_user.user_id, OWNER_EMAIL, OWNER_PASSWORD)
    applied = owner.client.post("/api/org/templates/marketplace-business/apply")
    assert applied.status == 200, applied.body
    pump.drain()
    positions = {
        item["name_en"]: item["id"]
        for item in owner.client.get("/api/org/positions").json["positions"]
    }
    counter = itertools.count(1)

    def hire(name: str, position: str | None, role="employee", locale="ru") -> Person:
        number = next(counter)
        email, password = f"hooks{number}@example.com", f"password-{number}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "locale": locale,
            "password": password,
        }
        if position is not None:
            body["position_id"] = positions[position]
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        pump.drain()
        return _sign_in(api, response.json["user"]["id"], email, password)

    leo = hire("Лев", "Logistician")
    anna = hire("Анна", "Wildberries account manager")
    channel = owner.client.post(
        "/api/chat/channels", {"name": "Отзывы", "member_ids": [anna.id]}
    )
    assert channel.status == 201, channel.body
    pump.drain()
    yield HooksWorld(
        api=api,
        pump=pump,
        gateway=fake_gateway,
        owner=owner,
        leo=leo,
        anna=anna,
        positions=positions,
        reviews_channel_id=channel.json["channel"]["id"],
        hire=hire,
    )
    use_gateway(None)


def load_example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def create_hook(owner: Person, body: dict) -> dict:
    """Create a hook and return it with its secret; the call must succeed."""
    response = owner.client.post("/api/integrations/hooks", body)
    assert response.status == 201, response.body
    return response.json["hook"]


_delivery_numbers = itertools.count(1)


def new_delivery_id() -> str:
    return f"evt-{time.time_ns()}-{next(_delivery_numbers)}"


def signed_headers(
    secret: str, body: bytes, delivery_id: str, timestamp: int | None = None
) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "X-Shtab-Timestamp": stamp,
        "X-Shtab-Delivery": delivery_id,
        "X-Shtab-Signature": sign(secret, stamp, body),
    }


def deliver(
    api: ApiClient,
    hook: dict,
    payload: dict | None = None,
    *,
    raw: bytes | None = None,
    delivery_id: str | None = None,
    headers: dict | None = None,
) -> ApiResponse:
    """Send a delivery signed with the hook's secret; ``headers`` override."""
    body = raw if raw is not None else json.dumps(payload).encode("utf-8")
    all_headers = signed_headers(hook["secret"], body, delivery_id or new_delivery_id())
    all_headers.update(headers or {})
    anonymous = api.as_user("") if api.token else api
    return anonymous.request(
        "POST", f"/api/hooks/{hook['id']}", raw=body, headers=all_headers
    )
