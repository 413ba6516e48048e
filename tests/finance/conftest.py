"""Fixtures for the finance tests: a staffed company and shortcuts for requests.

The staff of ``world`` sit in the marketplace template's org structure:

    Owner     role owner, no position
    Вера      CEO
    Борис     Head of marketplaces        (reports to the CEO)
    Анна      Wildberries account manager (reports to Борис)
    Олег      Ozon account manager        (reports to Борис)
    Глеб      Head of content             (reports to the CEO)
    Фёдор     Financial manager           (reports to the CFO, who is vacant)
    Алла      Accountant                  (reports to the CFO)
"""

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from chalicelib.chat.gateway import use_gateway
from shtab_local.dynamodb import serialize_writes
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient
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
    "cfo": "Chief financial officer",
    "financial_manager": "Financial manager",
    "accountant": "Accountant",
    "owner": "Owner",
}


def request_body(**overrides) -> dict:
    body = {
        "amount": "12500.50",
        "currency": "RUB",
        "category_id": "purchase-of-goods",
        "counterparty": "ООО «Ромашка»",
        "problem": "Заканчиваются коробки для упаковки",
        "solution": "Купить 500 коробок",
        "pay_by": "2026-12-15",
        "period": "2026-12",
    }
    body.update(overrides)
    return body


@dataclass
class World:
    """One company for a whole test module; each test makes its own requests."""

    api: ApiClient
    pump: StreamPump
    gateway: FakeGateway
    owner: Person
    vera: Person
    boris: Person
    anna: Person
    oleg: Person
    gleb: Person
    fedor: Person
    alla: Person
    positions: dict[str, str]
    hire: Callable[..., Person]


def _sign_in(api: ApiClient, user_id: str, email: str, password: str) -> Person:
    response = api.post("/api/auth/login", {"email": email, "password": password})
    assert response.status == 200, response.body
    token = response.json["token"]
    return Person(user_id, email, password, token, api.as_user(token))


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    """Build the staffed company once per module, on freshly reset tables.

    Building it takes about ten seconds, so tests share it: each test makes its
    own requests, in its own period when it sums them up, and a test that
    changes the org or the settings puts them back.
    """
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
    positions = {key: by_name[name] for key, name in POSITIONS.items()}
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
        fedor=hire("Фёдор", "financial_manager"),
        alla=hire("Алла", "accountant", locale="en"),
        positions=positions,
        hire=hire,
    )
    use_gateway(None)


class Requests:
    """Shortcuts for the request routes; each asserts that the call worked."""

    def create(self, person: Person, **overrides) -> dict:
        response = person.client.post(
            "/api/finance/requests", request_body(**overrides)
        )
        assert response.status == 201, response.body
        return response.json["request"]

    def act(self, person: Person, request_id: str, action: str, body=None) -> dict:
        response = person.client.post(
            f"/api/finance/requests/{request_id}/{action}", body
        )
        assert response.status == 200, response.body
        return response.json["request"]

    def submitted(self, person: Person, **overrides) -> dict:
        request = self.create(person, **overrides)
        return self.act(person, request["id"], "submit")

    def get(self, person: Person, request_id: str) -> dict:
        response = person.client.get(f"/api/finance/requests/{request_id}")
        assert response.status == 200, response.body
        return response.json["request"]

    def listed(self, person: Person, query: str = "view=all") -> list[str]:
        response = person.client.get(f"/api/finance/requests?{query}")
        assert response.status == 200, response.body
        return [request["id"] for request in response.json["requests"]]


@pytest.fixture
def requests_api() -> Requests:
    return Requests()


@pytest.fixture
def serialized_writes():
    """Make moto apply one write at a time, as DynamoDB does for each item.

    The embedded DynamoDB installs this lock when it starts (see
    shtab_local.dynamodb.serialize_writes); the fixture names the dependency
    for the race tests and installs it again if it is missing.
    """
    serialize_writes()


def stream_records(database, table: str) -> list[dict]:
    """Read every record of a table's stream, shaped as Lambda delivers them."""
    table = boto3.client("dynamodb", endpoint_url=database.endpoint).describe_table(
        TableName=database.prefix + table
    )["Table"]
    streams = boto3.client("dynamodbstreams", endpoint_url=database.endpoint)
    records = []
    shards = streams.describe_stream(StreamArn=table["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"]
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=table["LatestStreamArn"],
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator)
            records.extend(page["Records"])
            iterator = page.get("NextShardIterator") if page["Records"] else None
    for record in records:
        created = record["dynamodb"]["ApproximateCreationDateTime"]
        record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
    return records
