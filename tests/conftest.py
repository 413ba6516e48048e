"""Shared fixtures: an embedded DynamoDB with real streams, the real app and pump.

The environment is prepared at import, before anything imports ``chalicelib``,
because settings and table names are read at import time as on Lambda.
"""

import os
import tempfile
from pathlib import Path

import pytest

from shtab_local import environment

_DATA_DIR = Path(tempfile.mkdtemp(prefix="shtab-tests-"))
environment.prepare(_DATA_DIR, port=1, stage="test")
os.environ["SHTAB_WEBSOCKET_ENDPOINT"] = "http://127.0.0.1:1/unused"
# Tests upload straight to the embedded S3, not through a stack's /s3 proxy.
os.environ.pop("SHTAB_S3_PUBLIC_ENDPOINT")

import logging  # noqa: E402

from shtab_local.dynamodb import EmbeddedDynamoDB  # noqa: E402
from shtab_local.files import EmbeddedFiles  # noqa: E402
from shtab_local.metering import DynamoDBCallCounter  # noqa: E402

logging.getLogger("werkzeug").setLevel(logging.WARNING)

DYNAMODB_CALLS = DynamoDBCallCounter()
DYNAMODB_CALLS.install()

_DATABASE = EmbeddedDynamoDB(os.environ["SHTAB_TABLE_PREFIX"])
_DATABASE.start()
EmbeddedFiles(
    _DATABASE.endpoint, os.environ["SHTAB_FILES_BUCKET"], folder=None, port=1
).create_bucket()

pytest_plugins = ["tests.support.fixtures"]


@pytest.fixture(scope="session")
def database() -> EmbeddedDynamoDB:
    return _DATABASE


def pytest_sessionfinish(session, exitstatus):
    _DATABASE.stop()
