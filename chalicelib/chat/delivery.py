"""Live delivery: push events to the open connections of the people concerned."""

import json
import logging

from chalicelib.chat import connections
from chalicelib.chat.gateway import get_gateway

logger = logging.getLogger(__name__)


def push_to_users(user_ids: list[str], event: dict) -> int:
    """Send ``event`` to every open connection of ``user_ids``.

    A connection that answers Gone is forgotten and delivery to the others
    goes on. Returns the number of connections that took the event.
    """
    if not user_ids:
        return 0
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    gateway = get_gateway()
    delivered = 0
    for user_id, connection_ids in connections.connections_of_users(user_ids).items():
        for connection_id in connection_ids:
            if gateway.send(connection_id, data):
                delivered += 1
                continue
            logger.info(
                "connection gone, removing connection_id=%s user_id=%s",
                connection_id,
                user_id,
            )
            connections.remove_connection(connection_id, user_id)
    return delivered


def drop_user_connections(user_id: str) -> int:
    """Close and forget every connection of ``user_id``; return how many."""
    gateway = get_gateway()
    connection_ids = connections.connections_of_user(user_id)
    for connection_id in connection_ids:
        gateway.close(connection_id)
        connections.remove_connection(connection_id, user_id)
    if connection_ids:
        logger.info(
            "dropped connections user_id=%s count=%d", user_id, len(connection_ids)
        )
    return len(connection_ids)
