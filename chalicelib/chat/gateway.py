"""Sending to WebSocket connections through the API Gateway Management API.

On AWS the endpoint is derived from the WebSocket API id and stage; the local
stack sets ``SHTAB_WEBSOCKET_ENDPOINT`` to its own management endpoint. Tests
install a fake with :func:`use_gateway`.
"""

import logging
from typing import Protocol

import boto3
from botocore.config import Config

from chalicelib.config import get_settings

logger = logging.getLogger(__name__)


class ConnectionGateway(Protocol):
    def send(self, connection_id: str, data: bytes) -> bool:
        """Send ``data``; return False when the connection is gone."""

    def close(self, connection_id: str) -> None:
        """Close the connection; a connection that is already gone is fine."""


# Live delivery sends from this many threads at once (chalicelib.chat.delivery),
# so the client keeps as many HTTPS connections open; botocore's default of 10
# would make the other threads wait for a connection.
MAX_CONCURRENT_SENDS = 32


class ManagementApiGateway:
    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._client = boto3.client(
            "apigatewaymanagementapi",
            endpoint_url=endpoint_url,
            region_name=get_settings().region,
            config=Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"max_attempts": 2},
                max_pool_connections=MAX_CONCURRENT_SENDS,
            ),
        )

    def send(self, connection_id: str, data: bytes) -> bool:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=data)
        except self._client.exceptions.GoneException:
            return False
        return True

    def close(self, connection_id: str) -> None:
        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except self._client.exceptions.GoneException:
            pass


def management_endpoint() -> str:
    settings = get_settings()
    if settings.websocket_endpoint:
        return settings.websocket_endpoint
    if not settings.websocket_api_id:
        raise RuntimeError(
            "set SHTAB_WEBSOCKET_API_ID (on AWS) or SHTAB_WEBSOCKET_ENDPOINT (locally)"
        )
    return (
        f"https://{settings.websocket_api_id}.execute-api."
        f"{settings.region}.amazonaws.com/{settings.websocket_stage}"
    )


_gateway: ConnectionGateway | None = None


def get_gateway() -> ConnectionGateway:
    global _gateway
    if _gateway is None:
        _gateway = ManagementApiGateway(management_endpoint())
    return _gateway


def use_gateway(gateway: ConnectionGateway | None) -> None:
    """Replace the gateway (tests and the local stack); None resets it."""
    global _gateway
    _gateway = gateway
