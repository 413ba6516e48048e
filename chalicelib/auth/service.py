"""Sign-in and the owner bootstrap."""

import logging
import os
import secrets

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.auth import throttle
from chalicelib.auth.models import BootstrapMarker
from chalicelib.auth.passwords import dummy_verify, hash_password, verify_password
from chalicelib.auth.tokens import InvalidToken, issue_token, read_token
from chalicelib.clock import utc_now
from chalicelib.errors import Unauthenticated
from chalicelib.ids import new_id
from chalicelib.people.models import DIRECTORY, User

logger = logging.getLogger(__name__)

DEFAULT_LOCAL_ADMIN_EMAIL = "owner@example.com"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    for user in User.email_index.query(normalize_email(email), limit=1):
        return user
    return None


def login(email: str, password: str, address: str | None = None) -> tuple[str, User]:
    """Sign in; ``address`` is the client's, for the per-address throttle."""
    email = normalize_email(email)
    throttle.check_address(address)
    throttle.reserve_attempt(email)

    user = find_user_by_email(email)
    if user is None and _bootstrap_from_environment(email):
        user = find_user_by_email(email)
    if user is None:
        dummy_verify(password)
    if user is None or not verify_password(password, user.password_hash):
        throttle.record_address_failure(address)
        raise Unauthenticated("Wrong email or password.")
    if not user.is_active:
        raise Unauthenticated("This account is deactivated; ask an admin.")

    throttle.clear(email)
    logger.info("login succeeded user_id=%s", user.user_id)
    return issue_token(user.user_id, user.token_version), user


def _bootstrap_from_environment(email: str) -> bool:
    """Create the owner from ADMIN_EMAIL/ADMIN_PASSWORD at the first sign-in.

    On AWS nothing runs before the first request, so the owner account of a
    fresh deployment is made here, when someone signs in as ADMIN_EMAIL and
    no user exists yet. Returns True when the owner was created.
    """
    admin_email = normalize_email(os.environ.get("ADMIN_EMAIL") or "")
    if not admin_email or email != admin_email:
        return False
    return bootstrap_owner() is not None


def authenticate(token: str) -> User:
    """Return the active user ``token`` belongs to, or raise ``Unauthenticated``."""
    try:
        claims = read_token(token)
    except InvalidToken as error:
        raise Unauthenticated(f"Invalid token ({error}); sign in again.") from None
    try:
        user = User.get(claims.user_id, consistent_read=True)
    except DoesNotExist:
        raise Unauthenticated("Invalid token (unknown user); sign in again.") from None
    if not user.is_active or user.token_version != claims.version:
        raise Unauthenticated("Token revoked; sign in again.")
    return user


def store_is_empty() -> bool:
    return next(iter(User.directory_index.query(DIRECTORY, limit=1)), None) is None


def bootstrap_owner(
    email: str | None = None, password: str | None = None, *, generate: bool = False
) -> tuple[User, str | None] | None:
    """Create the owner account if no user exists yet.

    Credentials come from the arguments or ``ADMIN_EMAIL``/``ADMIN_PASSWORD``.
    With ``generate`` and no password given, a random one is made and
    returned so the caller can show it once. Returns None when there was
    nothing to do.
    """
    if not store_is_empty():
        return None
    email = normalize_email(email or os.environ.get("ADMIN_EMAIL") or "")
    password = password or os.environ.get("ADMIN_PASSWORD") or None
    generated = None
    if not email and generate:
        email = DEFAULT_LOCAL_ADMIN_EMAIL
    if password is None and generate:
        password = generated = secrets.token_urlsafe(12)
    if not email or not password:
        logger.warning("no users yet and ADMIN_EMAIL/ADMIN_PASSWORD unset")
        return None

    now = utc_now()
    owner = User(
        new_id(),
        email=email,
        name="Owner",
        role="owner",
        locale="ru",
        directory=DIRECTORY,
        password_hash=hash_password(password),
        created_at=now,
        updated_at=now,
    )
    # The marker makes two cold starts racing on an empty store create one owner.
    try:
        BootstrapMarker(owner_id=owner.user_id).save(
            condition=BootstrapMarker.pk.does_not_exist()
        )
    except PutError:
        return None
    owner.save()
    logger.info("owner bootstrapped user_id=%s", owner.user_id)
    return owner, generated
