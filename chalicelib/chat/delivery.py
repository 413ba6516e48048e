"""Live delivery: push events to the open connections of the people concerned."""

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from chalicelib.chat import connections
from chalicelib.chat.gateway import MAX_CONCURRENT_SENDS, get_gateway

logger = logging.getLogger(__name__)

# Each send is one HTTPS call to API Gateway, so a channel with many people
# online is served by several threads at once rather than one call at a time.
SEND_THREADS = MAX_CONCURRENT_SENDS
# Seconds after $connect registers a connection during which Gone is not trusted.
OPENING_GRACE_SECONDS = 10
_senders = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="send")


def push_to_users(user_ids: list[str], event: dict) -> int:
    """Send ``event`` to every open connection of ``user_ids``.

    A connection that API Gateway reports as gone (410) is forgotten, and
    delivery to the others goes on. Returns the number of successful sends.
    """
    if not user_ids:
        return 0
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    gateway = get_gateway()
    targets = []
    if len(user_ids) > 1:
        # Sends start as each batch of connections is read, so reading the
        # last batches overlaps with sending to the first.
        sends = []
        for user_id, connection_ids in connections.iter_connections_of_users(user_ids):
            for connection_id in connection_ids:
                targets.append((user_id, connection_id))
                sends.append(_senders.submit(gateway.send, connection_id, data))
        results = [send.result() for send in sends]
    else:
        for user_id, connection_ids in connections.iter_connections_of_users(user_ids):
            targets.extend((user_id, connection_id) for connection_id in connection_ids)
        results = [gateway.send(connection_id, data) for _, connection_id in targets]

    for (user_id, connection_id), delivered in zip(targets, results, strict=True):
        if delivered:
            continue
        if _is_opening(connection_id):
            logger.info(
                "connection not open yet, kept connection_id=%s user_id=%s",
                connection_id,
                user_id,
            )
            continue
        logger.info(
            "connection gone, removing connection_id=%s user_id=%s",
            connection_id,
            user_id,
        )
        connections.remove_connection(connection_id, user_id)
    return sum(results)


def _is_opening(connection_id: str) -> bool:
    """Tell whether a connection was registered moments ago by its $connect.

    API Gateway returns Gone for a send made while $connect is still running,
    although the connection opens right after, so such a connection is kept.
    """
    connection = connections.find_connection(connection_id)
    if connection is None:
        return False
    connected_at = int(connection.expires_at) - connections.CONNECTION_TTL_SECONDS
    return time.time() - connected_at < OPENING_GRACE_SECONDS


def drop_user_connections(user_id: str) -> int:
    """Close and forget every connection of ``user_id``, and return their count."""
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
