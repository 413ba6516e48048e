"""Failed-login throttling, per email address and per client address.

The account limit stops guessing one person's password; the address limit
stops one client from trying a few passwords on many accounts. The address
limit is higher because an office shares one public address.

An account's attempt is counted before its password is checked, so parallel
guesses cannot all pass the check while the first ones are still running. A
successful sign-in then clears the count.
"""

import time

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.auth.models import LoginThrottle
from chalicelib.errors import TooManyRequests

MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 50
WINDOW_SECONDS = 15 * 60


def _account_key(email: str) -> str:
    return f"LOGIN#{email}"


def _address_key(address: str) -> str:
    return f"LOGIN_ADDRESS#{address}"


def check_address(address: str | None) -> None:
    """Raise ``TooManyRequests`` while the client address failed too often."""
    if not address:
        return
    try:
        row = LoginThrottle.get(_address_key(address))
    except DoesNotExist:
        return
    now = time.time()
    if row.failures >= MAX_ADDRESS_FAILURES and now < _window_end(row):
        _reject(_window_end(row) - now, "from this address")


def reserve_attempt(email: str) -> None:
    """Count one sign-in attempt for ``email``, or raise ``TooManyRequests``.

    The count goes up with a conditional update, so of many parallel attempts
    only ``MAX_FAILURES`` within a window get through.
    """
    key = _account_key(email)
    while True:
        now = int(time.time())
        try:
            LoginThrottle(key).update(
                actions=[LoginThrottle.failures.add(1)],
                condition=(LoginThrottle.window_started_at > now - WINDOW_SECONDS)
                & (LoginThrottle.failures < MAX_FAILURES),
            )
            return
        except UpdateError as error:
            if not _condition_failed(error):
                raise
        try:
            row = LoginThrottle.get(key, consistent_read=True)
        except DoesNotExist:
            row = None
        if row is not None and now < _window_end(row):
            _reject(_window_end(row) - now, "for this account")
        if _start_window(key, now):
            return


def record_address_failure(address: str | None) -> None:
    if not address:
        return
    key = _address_key(address)
    now = int(time.time())
    try:
        LoginThrottle(key).update(
            actions=[LoginThrottle.failures.add(1)],
            condition=LoginThrottle.window_started_at > now - WINDOW_SECONDS,
        )
    except UpdateError as error:
        if not _condition_failed(error):
            raise
        _start_window(key, now)


def clear(email: str) -> None:
    """Forget the account's attempts after a successful sign-in.

    The address count stays: one right password must not reset the count of
    a client that is trying many accounts.
    """
    LoginThrottle(_account_key(email)).delete()


def _start_window(key: str, now: int) -> bool:
    """Start a new window with one attempt; False if another request just did."""
    try:
        LoginThrottle(
            key, failures=1, window_started_at=now, expires_at=now + WINDOW_SECONDS
        ).save(
            condition=LoginThrottle.pk.does_not_exist()
            | (LoginThrottle.window_started_at <= now - WINDOW_SECONDS)
        )
    except PutError as error:
        if not _condition_failed(error):
            raise
        return False
    return True


def _window_end(row: LoginThrottle) -> float:
    return row.window_started_at + WINDOW_SECONDS


def _reject(seconds_left: float, scope: str) -> None:
    retry_after = int(seconds_left) + 1
    raise TooManyRequests(
        f"Too many failed sign-in attempts {scope}; "
        f"try again in {retry_after} seconds.",
        retry_after=retry_after,
    )


def _condition_failed(error: PutError | UpdateError) -> bool:
    return error.cause_response_code == "ConditionalCheckFailedException"
