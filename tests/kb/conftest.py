"""Fixtures for the knowledge base tests: a staffed company and article shortcuts.

The staff of ``world`` sit in the marketplace template's org structure:

    Owner     role owner, no position
    Вера      CEO
    Борис     Head of marketplaces        (reports to the CEO)
    Анна      Wildberries account manager (reports to Борис)
    Олег      Ozon account manager        (reports to Борис)
    Глеб      Head of content             (reports to the CEO)
    Алла      Accountant, English locale  (reports to the CFO, who is vacant)
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient, ApiResponse
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    Person,
    reset_backends,
)

POSITIONS = {
    "ceo": "Chief executive officer",
    "head_of_marketplaces": "Head of marketplaces",
    "wb_manager": "Wildberries account manager",
    "ozon_manager": "Ozon account manager",
    "head_of_content": "Head of content",
    "content_manager": "Content manager",
    "accountant": "Accountant",
    "cfo": "Chief financial officer",
}
DEPARTMENTS = {
    "management": "Management",
    "marketplaces": "Marketplace account management",
    "content": "Content and card design",
    "finance": "Finance",
}


@dataclass
class World:
    """One company for a whole test module; each test makes its own articles."""

    api: ApiClient
    pump: StreamPump
    gateway: FakeGateway
    owner: Person
    vera: Person
    boris: Person
    anna: Person
    oleg: Person
    gleb: Person
    alla: Person
    positions: dict[str, str]
    departments: dict[str, str]
    hire: Callable[..., Person]


def _sign_in(api: ApiClient, user_id: str, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(user_id, email, password, token, api.as_user(token))


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    """Build the staffed company once per module, on freshly reset tables."""
    from chalicelib.auth.service import bootstrap_owner

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
    by_name = {
        item["name_en"]: item["id"]
        for item in owner.client.get("/api/org/positions").json["positions"]
    }
    departments_by_name = {
        item["name_en"]: item["id"]
        for item in owner.client.get("/api/org/departments").json["departments"]
    }
    positions = {key: by_name[name] for key, name in POSITIONS.items()}
    departments = {key: departments_by_name[name] for key, name in DEPARTMENTS.items()}
    counter = itertools.count(1)

    def hire(name: str, position: str | None, role="employee", locale="ru") -> Person:
        number = next(counter)
        email, password = f"person{number}@example.com", f"password-{number}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "locale": locale,
            "password": password,
        }
        if position is not None:
            body["position_id"] = positions.get(position, position)
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        pump.drain()
        return _sign_in(api, response.json["user"]["id"], email, password)

    yield World(
        api=api,
        pump=pump,
        gateway=fake_gateway,
        owner=owner,
        vera=hire("Вера", "ceo", role="manager"),
        boris=hire("Борис", "head_of_marketplaces", role="manager"),
        anna=hire("Анна", "wb_manager"),
        oleg=hire("Олег", "ozon_manager"),
        gleb=hire("Глеб", "head_of_content", role="manager"),
        alla=hire("Алла", "accountant", locale="en"),
        positions=positions,
        departments=departments,
        hire=hire,
    )
    use_gateway(None)


def put(person: Person, path: str, body) -> ApiResponse:
    return person.client.request("PUT", path, body)


def instructions_of(department_id: str) -> str:
    return f"dept-{department_id}-instructions"


def regulations_of(department_id: str) -> str:
    return f"dept-{department_id}-regulations"


class Kb:
    """Shortcuts for the kb routes; each asserts that the call worked."""

    def __init__(self, world: World) -> None:
        self.world = world

    def section_id(self, department: str, role: str = "instructions") -> str:
        return f"dept-{self.world.departments[department]}-{role}"

    def create(self, person: Person, **fields) -> dict:
        body = {
            "section_id": self.section_id("marketplaces"),
            "title": "Как отгрузить поставку на склад",
            "body": "Шаги отгрузки.",
        }
        body.update(fields)
        response = person.client.post("/api/kb/articles", body)
        assert response.status == 201, response.body
        return response.json["article"]

    def get(self, person: Person, article_id: str) -> dict:
        response = person.client.get(f"/api/kb/articles/{article_id}")
        assert response.status == 200, response.body
        return response.json["article"]

    def save(self, person: Person, article: dict, **fields) -> dict:
        body = {"base_revision": article["revision"], **fields}
        response = put(person, f"/api/kb/articles/{article['id']}", body)
        assert response.status == 200, response.body
        return response.json["article"]

    def search(self, person: Person, query: str) -> list[str]:
        response = person.client.get(f"/api/kb/search?q={query}")
        assert response.status == 200, response.body
        return [result["id"] for result in response.json["results"]]


@pytest.fixture
def kb(world) -> Kb:
    return Kb(world)


def notifications(person: Person) -> list[dict]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    found = [channel for channel in channels if channel["kind"] == "notifications"]
    if not found:
        return []
    page = person.client.get(f"/api/chat/channels/{found[0]['id']}/messages").json
    return page["messages"]


@pytest.fixture(autouse=True)
def reactions_succeed(world):
    """Fail a test after which a stream record kept failing and was parked."""
    yield
    world.pump.drain()
    assert world.pump.parked == [], world.pump.parked
