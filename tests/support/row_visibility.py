"""A staffed company for the row visibility tests, and checks on what people get.

The org is built through the API, small so that a module builds it quickly:

    Руководство:  CEO                  Вера (manager)
    Маркетплейсы: Head of marketplaces Борис (manager), reports to the CEO
                  WB account manager   Анна, reports to Борис's position
    Контент:      Head of content      Глеб (manager), reports to the CEO
                  Content manager      Кира, reports to Глеб's position
    Финансы:      Financial manager    Фёдор, reports to the CEO

Кира is the outsider employee and Глеб the manager of the other department
in every test; Анна and Борис are the insiders who must see what they made.
Every person has one open WebSocket connection on the fake gateway, so a
test can read what each of them was pushed.
"""

import itertools
import json
from dataclasses import dataclass

import pytest

from chalicelib.chat.connections import add_connection
from chalicelib.chat.gateway import use_gateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway
from tests.support.fixtures import (
    OWNER_EMAIL,
    OWNER_PASSWORD,
    Person,
    reset_backends,
)
from tests.support.org import create_department, create_position

# Each position's department and the position it reports to.
ORG = {
    "ceo": ("management", None),
    "head_of_marketplaces": ("marketplaces", "ceo"),
    "wb_manager": ("marketplaces", "head_of_marketplaces"),
    "head_of_content": ("content", "ceo"),
    "content_manager": ("content", "head_of_content"),
    "financial_manager": ("finance", "ceo"),
}
DEPARTMENTS = {
    "management": "Руководство",
    "marketplaces": "Маркетплейсы",
    "content": "Контент",
    "finance": "Финансы",
}


@dataclass
class Company:
    """One company for a whole test module, built through the HTTP API."""

    api: ApiClient
    pump: StreamPump
    gateway: FakeGateway
    owner: Person
    vera: Person
    boris: Person
    anna: Person
    gleb: Person
    kira: Person
    fedor: Person
    positions: dict[str, str]
    departments: dict[str, str]

    @property
    def outsiders(self) -> dict[str, Person]:
        """The employee and the manager of the other department."""
        return {"kira": self.kira, "gleb": self.gleb}

    def connection_of(self, person: Person) -> str:
        return f"tab-{person.id}"

    def pushed_text(self, person: Person) -> str:
        """Return everything pushed to the person's connection, as one JSON text."""
        events = self.gateway.sent[self.connection_of(person)]
        return json.dumps(events, ensure_ascii=False)


def _sign_in(api: ApiClient, user_id: str, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(user_id, email, password, token, api.as_user(token))


def build_company(database, http_gateway, app_module):
    """Reset the tables and staff the two departments; yield the ``Company``."""
    from chalicelib.auth.service import bootstrap_owner

    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    fake_gateway = FakeGateway()
    use_gateway(fake_gateway)
    api = ApiClient(http_gateway)

    owner_user, _ = bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = _sign_in(api, owner_user.user_id, OWNER_EMAIL, OWNER_PASSWORD)
    management = create_department(owner.client, DEPARTMENTS["management"])
    departments = {"management": management["id"]}
    for key, name in DEPARTMENTS.items():
        if key != "management":
            departments[key] = create_department(
                owner.client, name, parent_id=management["id"]
            )["id"]
    positions: dict[str, str] = {}
    for key, (department, reports_to) in ORG.items():
        fields = {"reports_to": positions[reports_to]} if reports_to else {}
        positions[key] = create_position(
            owner.client,
            key.replace("_", " ").capitalize(),
            departments[department],
            **fields,
        )["id"]
    pump.drain()
    counter = itertools.count(1)

    def hire(name: str, position: str, role: str = "employee") -> Person:
        number = next(counter)
        email, password = f"staff{number}@example.com", f"password-{number}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "locale": "ru",
            "password": password,
            "position_id": positions[position],
        }
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        return _sign_in(api, response.json["user"]["id"], email, password)

    company = Company(
        api=api,
        pump=pump,
        gateway=fake_gateway,
        owner=owner,
        vera=hire("Вера", "ceo", role="manager"),
        boris=hire("Борис", "head_of_marketplaces", role="manager"),
        anna=hire("Анна", "wb_manager"),
        gleb=hire("Глеб", "head_of_content", role="manager"),
        kira=hire("Кира", "content_manager"),
        fedor=hire("Фёдор", "financial_manager"),
        positions=positions,
        departments=departments,
    )
    pump.drain()
    for person in (
        company.owner,
        company.vera,
        company.boris,
        company.anna,
        company.gleb,
        company.kira,
        company.fedor,
    ):
        add_connection(company.connection_of(person), person.id)
    yield company
    use_gateway(None)


@pytest.fixture(scope="module", name="company")
def company_fixture(database, http_gateway, app_module):
    yield from build_company(database, http_gateway, app_module)


@pytest.fixture(autouse=True)
def reactions_succeed(company):
    """Fail a test after which a stream record kept failing and was parked."""
    yield
    company.pump.drain()
    assert company.pump.parked == [], company.pump.parked


def channel_ids(person: Person) -> set[str]:
    response = person.client.get("/api/chat/channels")
    assert response.status == 200, response.body
    return {channel["id"] for channel in response.json["channels"]}


def browsable_ids(person: Person) -> set[str]:
    response = person.client.get("/api/chat/channels?scope=browse&limit=100")
    assert response.status == 200, response.body
    return {channel["id"] for channel in response.json["channels"]}


def unread_summary(person: Person) -> dict:
    response = person.client.get("/api/chat/unread")
    assert response.status == 200, response.body
    return response.json


def chat_search(person: Person, query: str) -> dict:
    response = person.client.get(f"/api/chat/search?q={query}")
    assert response.status == 200, response.body
    return response.json


def followed_threads(person: Person) -> dict:
    response = person.client.get("/api/chat/threads")
    assert response.status == 200, response.body
    return response.json


def notification_texts(person: Person) -> str:
    """Return the text of every message in the person's notifications channel."""
    listed = person.client.get("/api/chat/channels").json["channels"]
    found = [channel for channel in listed if channel["kind"] == "notifications"]
    if not found:
        return ""
    page = person.client.get(f"/api/chat/channels/{found[0]['id']}/messages?limit=200")
    assert page.status == 200, page.body
    return "\n".join(message["text"] for message in page.json["messages"])
