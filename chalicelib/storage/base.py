"""PynamoDB settings shared by every model: table prefix, region, endpoint."""

import os

from chalicelib.config import get_settings

MAX_RETRY_ATTEMPTS = 3
CONNECT_TIMEOUT_SECONDS = 5
# DynamoDB responds in milliseconds. Benchmarks that fill moto with hundreds of
# thousands of items raise this, because moto reads a whole table per index
# Query.
READ_TIMEOUT_SECONDS = float(os.environ.get("SHTAB_DYNAMODB_READ_TIMEOUT", "10"))


def table_meta(table: str) -> type:
    """Build a PynamoDB ``Meta`` class for the stage-prefixed ``table``.

    Table names carry the stage prefix from ``.chalice/config.json`` so that the
    dev and prod stages never share data. Locally the endpoint points at the
    embedded DynamoDB.
    """
    settings = get_settings()

    class Meta:
        table_name = settings.table_prefix + table
        region = settings.region
        host = settings.dynamodb_endpoint
        max_retry_attempts = MAX_RETRY_ATTEMPTS
        connect_timeout_seconds = CONNECT_TIMEOUT_SECONDS
        read_timeout_seconds = READ_TIMEOUT_SECONDS

    return Meta
