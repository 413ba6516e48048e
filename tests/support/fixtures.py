"""Per-test state: fresh tables and streams, the pump, the fake gateway, people."""

import importlib
import os
from dataclasses import dataclass

import pytest
import requests

from chalicelib.chat.gateway import use_gateway
from shtab_local.files import EmbeddedFiles
from shtab_local.http_gateway import HttpGateway
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
from tests.support.fake_gateway import FakeGateway

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "owner-password-1"


@pytest.fixture(scope="session")
def app_module():
    return importlib.import_module("app")


@pytest.fixture(scope="session")
def http_gateway(app_module) -> HttpGateway:
    return HttpGateway(app_module.app)


def reset_backends(database) -> None:
    """Reset moto, then create every table (streams on) and the files bucket."""
    requests.post(f"{database.endpoint}/moto-api/reset", timeout=10)
    database.create_tables()
    EmbeddedFiles(
        database.endpoint, os.environ["SHTAB_FILES_BUCKET"], folder=None, port=1
    ).create_bucket()


@pytest.fixture
def tables(database):
    """Reset moto and create every table and the files bucket, for one test."""
    reset_backends(database)
    return database


@pytest.fixture
def pump(tables, app_module) -> StreamPump:
    stream_pump = StreamPump(
        tables.endpoint, app_module.STREAM_REACTIONS, tables.prefix
    )
    stream_pump.attach()
    return stream_pump


@pytest.fixture
def gateway():
    fake = FakeGateway()
    use_gateway(fake)
    yield fake
    use_gateway(None)


@pytest.fixture(autouse=True)
def no_scans():
    """Fail any test during which a request path made a DynamoDB Scan."""
    from tests.conftest import DYNAMODB_CALLS

    with DYNAMODB_CALLS.measure() as calls:
        yield calls
    assert calls["Scan"] == 0, f"a Scan ran during the test: {dict(calls)}"


@dataclass
class Person:
    id: str
    email: str
    password: str
    token: str
    client: ApiClient


@pytest.fixture
def api(http_gateway, pump, gateway) -> ApiClient:
    return ApiClient(http_gateway)


@pytest.fixture
def owner(api) -> Person:
    from chalicelib.auth.service import bootstrap_owner

    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    response = api.post(
        "/api/auth/login", {"email": OWNER_EMAIL, "password": OWNER_PASSWORD}
    )
    assert response.status == 200, response.body
    body = response.json
    return Person(
        body["user"]["id"],
        OWNER_EMAIL,
        OWNER_PASSWORD,
        body["token"],
        api.as_user(body["token"]),
    )


@pytest.fixture
def company(owner, pump):
    """The marketplace template applied, with its channels created."""
    response = owner.client.post("/api/org/templates/marketplace-business/apply")
    assert response.status == 200, response.body
    pump.drain()
    positions = owner.client.get("/api/org/positions").json["positions"]
    departments = owner.client.get("/api/org/departments").json["departments"]
    return {
        "positions": {p["name_en"]: p for p in positions},
        "departments": {d["name_en"]: d for d in departments},
    }


@pytest.fixture
def hire(owner, api, pump):
    """Create a person through the API and sign them in."""
    counter = {"n": 0}

    def _hire(
        name: str,
        position_id: str | None = None,
        role: str = "employee",
        locale: str = "ru",
    ) -> Person:
        counter["n"] += 1
        email = f"person{counter['n']}@example.com"
        password = f"password-{counter['n']}-long"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "locale": locale,
            "password": password,
        }
        if position_id:
            body["position_id"] = position_id
        response = owner.client.post("/api/users", body)
        assert response.status == 201, response.body
        pump.drain()
        login = api.post("/api/auth/login", {"email": email, "password": password})
        assert login.status == 200, login.body
        token = login.json["token"]
        return Person(
            response.json["user"]["id"], email, password, token, api.as_user(token)
        )

    return _hire
