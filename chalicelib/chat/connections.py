"""Open WebSocket connections, stored with a TTL.

Two items per connection keep both lookups to one call: ``CONN#<id>`` finds the
person on ``$disconnect``, and ``USER#<user_id>`` holds a map of that person's
open connections, so delivery to a channel's members is one BatchGetItem.
"""

import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from pynamodb.attributes import MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

logger = logging.getLogger(__name__)

# API Gateway closes a WebSocket after two hours at most, so a row older than
# that belongs to a connection that is gone even if $disconnect never ran.
CONNECTION_TTL_SECONDS = 2 * 60 * 60
# BatchGetItem reads at most 100 keys per call. A channel of 1,000 people needs
# ten calls, which run side by side rather than one after another.
BATCH_GET_KEYS = 100
_readers = ThreadPoolExecutor(max_workers=8, thread_name_prefix="connections")


class Connection(Model):
    Meta = table_meta("connections")

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    expires_at = NumberAttribute()
    # The version of the token the socket was opened with; a password change
    # raises the user's version and so ends the socket's right to act.
    token_version = NumberAttribute(default=0)


class UserConnections(Model):
    Meta = table_meta("connections")

    pk = UnicodeAttribute(hash_key=True)
    # connection id -> expiry in epoch seconds
    connections = MapAttribute(default=dict)
    expires_at = NumberAttribute()


def _connection_pk(connection_id: str) -> str:
    return f"CONN#{connection_id}"


def _user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def add_connection(connection_id: str, user_id: str, token_version: int = 0) -> None:
    expires_at = int(time.time()) + CONNECTION_TTL_SECONDS
    Connection(
        _connection_pk(connection_id),
        user_id=user_id,
        expires_at=expires_at,
        token_version=token_version,
    ).save()

    # A map update adds this connection without reading the others, so two
    # tabs connecting at once both stay registered. The first connection has no
    # map to update yet and creates the row instead.
    row = UserConnections(_user_pk(user_id))
    for _attempt in range(3):
        try:
            row.update(
                actions=[
                    UserConnections.connections[connection_id].set(expires_at),
                    UserConnections.expires_at.set(expires_at),
                ],
                condition=UserConnections.connections.exists(),
            )
            return
        except UpdateError as error:
            if not _is_condition_failure(error):
                raise
        try:
            UserConnections(
                _user_pk(user_id),
                connections={connection_id: expires_at},
                expires_at=expires_at,
            ).save(condition=UserConnections.pk.does_not_exist())
            return
        except PutError as error:
            if not _is_condition_failure(error):
                raise
    raise RuntimeError(f"could not register connection {connection_id}")


def _is_condition_failure(error: Exception) -> bool:
    return getattr(error, "cause_response_code", None) == (
        "ConditionalCheckFailedException"
    )


def find_connection(connection_id: str) -> Connection | None:
    try:
        return Connection.get(_connection_pk(connection_id))
    except DoesNotExist:
        return None


def user_of(connection_id: str) -> str | None:
    connection = find_connection(connection_id)
    return connection.user_id if connection else None


def remove_connection(connection_id: str, user_id: str | None = None) -> str | None:
    """Forget a connection; return the user it belonged to, if known."""
    if user_id is None:
        user_id = user_of(connection_id)
        if user_id is None:
            return None

    Connection(_connection_pk(connection_id)).delete()
    try:
        UserConnections(_user_pk(user_id)).update(
            actions=[UserConnections.connections[connection_id].remove()],
            condition=UserConnections.pk.exists(),
        )
    except UpdateError as error:
        # No row means nothing to remove.
        if not _is_condition_failure(error):
            raise
    return user_id


def connections_of_users(user_ids: list[str]) -> dict[str, list[str]]:
    """Map each user id to their open, unexpired connection ids."""
    return dict(iter_connections_of_users(user_ids))


def iter_connections_of_users(user_ids: list[str]) -> Iterator[tuple[str, list[str]]]:
    """Yield (user id, open connection ids) for each user with an open connection.

    The users are read with BatchGetItem calls side by side, and each call's
    users are yielded as soon as it returns, so that delivery can start sending
    before the last call is back.
    """
    now = time.time()
    unique_ids = list(dict.fromkeys(user_ids))
    keys = [_user_pk(user_id) for user_id in unique_ids]
    chunks = [
        keys[start : start + BATCH_GET_KEYS]
        for start in range(0, len(keys), BATCH_GET_KEYS)
    ]
    if len(chunks) > 1:
        futures = [_readers.submit(_read_chunk, chunk) for chunk in chunks]
        batches = (future.result() for future in as_completed(futures))
    else:
        batches = iter([_read_chunk(keys)] if keys else [])
    for rows in batches:
        for row in rows:
            open_ids = [
                connection_id
                for connection_id, expires_at in row.connections.as_dict().items()
                if float(expires_at) > now
            ]
            if open_ids:
                yield row.pk.removeprefix("USER#"), open_ids


def _read_chunk(keys: list[str]) -> list[UserConnections]:
    return list(UserConnections.batch_get(keys))


def connections_of_user(user_id: str) -> list[str]:
    return connections_of_users([user_id]).get(user_id, [])
