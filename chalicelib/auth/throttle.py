"""Failed-login throttling per email address."""

import time

from pynamodb.exceptions import DoesNotExist

from chalicelib.auth.models import LoginThrottle
from chalicelib.errors import TooManyRequests

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _key(email: str) -> str:
    return f"LOGIN#{email}"


def check_allowed(email: str) -> None:
    """Raise ``TooManyRequests`` while ``email`` has too many recent failures."""
    try:
        row = LoginThrottle.get(_key(email))
    except DoesNotExist:
        return
    now = time.time()
    window_ends = row.window_started_at + WINDOW_SECONDS
    if row.failures >= MAX_FAILURES and now < window_ends:
        retry_after = int(window_ends - now) + 1
        raise TooManyRequests(
            f"Too many failed sign-in attempts; try again in {retry_after} seconds.",
            retry_after=retry_after,
        )


def record_failure(email: str) -> None:
    now = int(time.time())
    row = LoginThrottle(_key(email))
    try:
        current = LoginThrottle.get(_key(email))
        window_open = current.window_started_at + WINDOW_SECONDS > now
    except DoesNotExist:
        window_open = False

    if not window_open:
        LoginThrottle(
            _key(email),
            failures=1,
            window_started_at=now,
            expires_at=now + WINDOW_SECONDS,
        ).save()
        return
    # ADD keeps concurrent failures from overwriting each other's count.
    row.update(actions=[LoginThrottle.failures.add(1)])


def clear(email: str) -> None:
    LoginThrottle(_key(email)).delete()
