"""PynamoDB settings shared by every model: table prefix, region, endpoint."""

from chalicelib.config import get_settings


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
        max_retry_attempts = 3
        connect_timeout_seconds = 5
        read_timeout_seconds = 10

    return Meta
