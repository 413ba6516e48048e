"""The app in this process on an embedded DynamoDB, set up as tests/conftest.py does.

Settings and table names are read from the environment when ``chalicelib`` is
imported, so :class:`EmbeddedApp` prepares the environment, starts moto and
creates the tables before it imports the app. A process can hold one.
"""

import importlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from shtab_local import environment

OWNER_EMAIL = "owner@bench.example"
OWNER_PASSWORD = "bench-owner-password"
WRITE_BATCH_LOG_EVERY = 20_000


@dataclass
class Person:
    id: str
    email: str
    token: str
    client: object


class EmbeddedApp:
    def __init__(self, stage: str = "bench") -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="shtab-bench-"))
        environment.prepare(self.data_dir, port=1, stage=stage)
        # Nothing listens here: delivery goes to a FakeGateway installed below.
        os.environ["SHTAB_WEBSOCKET_ENDPOINT"] = "http://127.0.0.1:1/unused"
        logging.getLogger("werkzeug").setLevel(logging.WARNING)

        from shtab_local.metering import DynamoDBCallCounter

        # Installed before the app makes its first PynamoDB call, so that every
        # PynamoDB session created from here on is counted.
        self.calls = DynamoDBCallCounter()
        self.calls.install()
        self.database = None
        self.pump = None

    def start(self, with_pump: bool = True) -> None:
        from shtab_local.dynamodb import EmbeddedDynamoDB

        self.database = EmbeddedDynamoDB(os.environ["SHTAB_TABLE_PREFIX"])
        self.database.start()
        self.database.create_tables()
        self.app_module = importlib.import_module("app")

        from chalicelib.chat.gateway import use_gateway
        from shtab_local.http_gateway import HttpGateway
        from shtab_local.pump import StreamPump
        from tests.support.api import ApiClient
        from tests.support.fake_gateway import FakeGateway

        self.fake_gateway = FakeGateway()
        use_gateway(self.fake_gateway)
        self.api = ApiClient(HttpGateway(self.app_module.app))
        if with_pump:
            self.pump = StreamPump(
                self.database.endpoint,
                self.app_module.STREAM_REACTIONS,
                self.database.prefix,
            )
            self.pump.attach()

    def stop(self) -> None:
        if self.database is not None:
            self.database.stop()
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def drain(self) -> None:
        if self.pump is not None:
            self.pump.drain(timeout=120)

    def sign_in_owner(self) -> Person:
        from chalicelib.auth.service import bootstrap_owner

        bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
        self.drain()
        return self.sign_in(OWNER_EMAIL, OWNER_PASSWORD)

    def sign_in(self, email: str, password: str) -> Person:
        response = self.api.post(
            "/api/auth/login", {"email": email, "password": password}
        )
        if response.status != 200:
            raise RuntimeError(
                f"login of {email} failed: {response.status} {response.body}"
            )
        body = response.json
        return Person(
            body["user"]["id"], email, body["token"], self.api.as_user(body["token"])
        )

    def hire(self, owner: Person, number: int) -> Person:
        """Create person ``number`` through the API, run the reactions, sign them in."""
        email = f"person{number}@bench.example"
        password = f"bench-password-{number}"
        body = {"email": email, "name": f"Сотрудник {number:03d}", "password": password}
        response = owner.client.post("/api/users", body)
        if response.status != 201:
            raise RuntimeError(
                f"hiring {email} failed: {response.status} {response.body}"
            )
        self.drain()
        return self.sign_in(email, password)


def write_messages(channel_id: str, count: int, sender: Person) -> list[str]:
    """Write ``count`` root messages straight into the chat table, oldest first.

    The ids are ULIDs one millisecond apart, so they ascend as real ones do.
    Returns the message ids in ascending order.
    """
    from ulid import ULID

    from chalicelib.chat.models import Message, channel_pk, message_sk

    started = datetime.now(UTC) - timedelta(milliseconds=count + 1000)
    message_ids = []
    with Message.batch_write() as batch:
        for index in range(count):
            created_at = started + timedelta(milliseconds=index)
            message_id = str(ULID.from_datetime(created_at))
            message_ids.append(message_id)
            batch.save(
                Message(
                    channel_pk(channel_id),
                    message_sk(message_id),
                    message_id=message_id,
                    channel_id=channel_id,
                    sender_id=sender.id,
                    sender_name="Benchmark",
                    text=f"benchmark message {index}",
                    created_at=created_at,
                )
            )
            if index and index % WRITE_BATCH_LOG_EVERY == 0:
                print(f"  wrote {index} of {count} messages", flush=True)
    return message_ids
