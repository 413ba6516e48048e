"""The PynamoDB connection that transactions run on, one per process.

PynamoDB gives each model class its own long-lived connection, but a
``TransactWrite`` or ``TransactGet`` takes the connection it is handed.
Building a new one for every transaction builds a new botocore client, which
loads the service model each time: on the local stack that was about a third
of a stream reaction's time. botocore clients are safe to share between
threads, so one connection per endpoint serves every transaction.
"""

from functools import cache

from pynamodb.connection import Connection

from chalicelib.config import get_settings
from chalicelib.storage.base import (
    CONNECT_TIMEOUT_SECONDS,
    MAX_RETRY_ATTEMPTS,
    READ_TIMEOUT_SECONDS,
)


def transaction_connection() -> Connection:
    settings = get_settings()
    return _connection_for(settings.region, settings.dynamodb_endpoint)


@cache
def _connection_for(region: str, host: str | None) -> Connection:
    return Connection(
        region=region,
        host=host,
        max_retry_attempts=MAX_RETRY_ATTEMPTS,
        connect_timeout_seconds=CONNECT_TIMEOUT_SECONDS,
        read_timeout_seconds=READ_TIMEOUT_SECONDS,
    )
