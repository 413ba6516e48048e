"""A company built from the marketplace org template, staffed for the launch tests.

``staffed`` hires one person for each position the shipped launch template
names, and a second Wildberries account manager, so one step has two holders.
It is built once per module, and each test launches under its own name. The
tests of this fixture do not drain the streams; tests that need the reactions
build a smaller company per test.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

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

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = json.loads(
    (ROOT / "chalicelib/processes/data/product_launch.json").read_text("utf-8")
)
ORG = json.loads(
    (ROOT / "chalicelib/org/data/marketplace_business.json").read_text("utf-8")
)
STEPS = {step["key"]: step for step in LAUNCH["steps"]}
STEP_POSITIONS = sorted({step["position"] for step in LAUNCH["steps"]})
POSITION_NAMES = {
    position["key"]: position["name"]["en"] for position in ORG["positions"]
}
POSITION_DEPARTMENTS = {
    position["key"]: position["department"] for position in ORG["positions"]
}


def moscow_today() -> date:
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Moscow")).date()


def future_target(days: int = 200) -> str:
    return (moscow_today() + timedelta(days=days)).isoformat()


def sign_in(api: ApiClient, user_id: str, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(user_id, email, password, token, api.as_user(token))


def position_ids(owner: Person) -> dict[str, str]:
    """Map org template position keys to the company's position ids."""
    response = owner.client.get("/api/org/positions")
    assert response.status == 200, response.body
    by_name = {item["name_en"]: item["id"] for item in response.json["positions"]}
    return {key: by_name[name] for key, name in POSITION_NAMES.items()}


@dataclass
class Staffed:
    api: ApiClient
    pump: StreamPump
    owner: Person
    positions: dict[str, str]
    # The holder of each position the template names, by position key.
    holders: dict[str, Person]
    second_wb_manager: Person
    # Holds a position no step names, so has no task in any launch.
    outsider: Person
    hire: Callable[..., Person]


@pytest.fixture(scope="module")
def staffed(database, http_gateway, app_module):
    from chalicelib.auth.service import bootstrap_owner

    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    use_gateway(FakeGateway())
    api = ApiClient(http_gateway)
    owner_user, _ = bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner = sign_in(api, owner_user.user_id, OWNER_EMAIL, OWNER_PASSWORD)
    applied = owner.client.post("/api/org/templates/marketplace-business/apply")
    assert applied.status == 200, applied.body
    pump.drain()
    positions = position_ids(owner)
    counter = itertools.count(1)

    def hire(name: str, position_key: str | None, role: str = "employee") -> Person:
        number = next(counter)
        email, password = f"person{number}@example.com", f"password-{number}-long"
        body = {"email": email, "name": name, "role": role, "password": password}
        if position_key is not None:
            body["position_id"] = positions[position_key]
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        # Launches read holders from the users table itself, so the membership
        # reactions of hiring need not run: draining after each of twenty
        # hires would take over a minute.
        return sign_in(api, response.json["user"]["id"], email, password)

    holders = {
        key: hire(
            f"Сотрудник {key}", key, role="manager" if "head" in key else "employee"
        )
        for key in STEP_POSITIONS
    }
    yield Staffed(
        api=api,
        pump=pump,
        owner=owner,
        positions=positions,
        holders=holders,
        second_wb_manager=hire("Второй менеджер WB", "wb_manager"),
        outsider=hire("Бухгалтер", "accountant"),
        hire=hire,
    )
    use_gateway(None)


def launch(person: Person, template_id: str = "product-launch", **body):
    body.setdefault("target_date", future_target())
    return person.client.post(f"/api/process-templates/{template_id}/launch", body)


def launched(person: Person, **body) -> dict:
    response = launch(person, **body)
    assert response.status == 201, response.body
    return response.json["launch"]


def get_launch(person: Person, launch_id: str) -> dict:
    response = person.client.get(f"/api/launches/{launch_id}")
    assert response.status == 200, response.body
    return response.json["launch"]


def set_status(person: Person, task_id: str, status: str) -> None:
    response = person.client.patch(f"/api/tasks/{task_id}", {"status": status})
    assert response.status == 200, response.body
