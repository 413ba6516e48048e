"""Hiring, editing and deactivating people.

Channel membership is not touched here: every change lands on the users
stream, and the membership reaction brings channels in step.
"""

import logging
import secrets

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.auth import throttle
from chalicelib.auth.models import EmailClaim, email_claim_key
from chalicelib.auth.passwords import hash_password, verify_password
from chalicelib.auth.service import find_user_by_email, normalize_email
from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.org.service import get_position
from chalicelib.people.models import ACTIVE, DEACTIVATED, DIRECTORY, User
from chalicelib.people.schemas import UserCreate, UserUpdate
from chalicelib.web import Caller

logger = logging.getLogger(__name__)


def get_user(user_id: str, field: str = "id") -> User:
    try:
        return User.get(user_id)
    except DoesNotExist:
        raise NotFound(f"User '{user_id}' not found.", field=field) from None


def find_user(user_id: str) -> User | None:
    # DynamoDB rejects an empty key, and no id is longer than a ULID's 26 characters.
    if not user_id or len(user_id) > 64:
        return None
    try:
        return User.get(user_id)
    except DoesNotExist:
        return None


def list_users(include_deactivated: bool = False) -> list[User]:
    users = User.directory_index.query(DIRECTORY)
    return [user for user in users if include_deactivated or user.is_active]


def create_user(request: UserCreate, caller: Caller) -> tuple[User, str | None]:
    """Hire a person; return the user and a generated password, if one was made."""
    email = normalize_email(request.email)
    if find_user_by_email(email) is not None:
        raise Conflict(f"A user with email '{email}' already exists.", field="email")
    if request.role == "admin" and caller.role != "owner":
        raise Forbidden("Only the owner can make someone an admin.", field="role")

    department_id = None
    if request.position_id is not None:
        department_id = get_position(request.position_id).department_id

    generated = None
    password = request.password
    if password is None:
        password = generated = secrets.token_urlsafe(12)

    now = utc_now()
    user = User(
        new_id(),
        email=email,
        name=request.name,
        role=request.role,
        locale=request.locale,
        status=ACTIVE,
        directory=DIRECTORY,
        position_id=request.position_id,
        department_id=department_id,
        password_hash=hash_password(password),
        created_at=now,
        updated_at=now,
    )
    _save_with_email_claim(user)
    logger.info(
        "user created user_id=%s position_id=%s by=%s",
        user.user_id,
        user.position_id,
        caller.user_id,
    )
    return user, generated


def _save_with_email_claim(user: User) -> None:
    """Claim the email of a new ``user`` and then save the user.

    Raises Conflict when the email belongs to another user. A transaction would
    write both at once, but moto 5.2.5, which the tests and the local stack run
    on, undoes a cancelled transaction by restoring whole tables, which can
    drop a user that a concurrent request saved meanwhile.
    """
    claim = EmailClaim(email_claim_key(user.email), user_id=user.user_id)
    try:
        claim.save(condition=EmailClaim.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            f"A user with email '{user.email}' already exists.", field="email"
        ) from None
    # NOTE: if the process dies between the claim and this save, the claim stays
    # and blocks the email until its EMAIL# item in the auth table is deleted.
    try:
        user.save(condition=User.user_id.does_not_exist())
    except Exception:
        claim.delete(condition=EmailClaim.user_id == user.user_id)
        raise


def _check_current_password(user: User, current_password: str | None) -> None:
    """Check the password of someone changing their own, throttled as sign-in is."""
    if not current_password:
        raise InvalidInput(
            "Missing field 'current_password': to change your own password, "
            "send the one you sign in with now.",
            field="current_password",
        )
    throttle.reserve_attempt(user.email)
    if not verify_password(current_password, user.password_hash):
        raise Forbidden(
            "Invalid field 'current_password': it is not your current password; "
            "enter the one you sign in with.",
            field="current_password",
        )
    throttle.clear(user.email)


def update_user(
    user_id: str, request: UserUpdate, fields_set: set[str], caller: Caller
) -> User:
    user = get_user(user_id)
    is_self = caller.user_id == user_id
    if not caller.is_admin and not (
        is_self and fields_set <= {"name", "locale", "password", "current_password"}
    ):
        raise Forbidden("Only the owner or an admin can change this person.")
    # An admin who could reset the owner's password could take over the account,
    # and the same holds between admins.
    if user.role == "owner" and not is_self:
        raise Forbidden("Only the owner can change the owner's profile.")
    if user.role == "admin" and not is_self and caller.role != "owner":
        raise Forbidden("Only the owner can change another admin's profile.")
    if not user.is_active:
        raise Conflict("This person is deactivated; their record is kept read-only.")
    if "current_password" in fields_set and "password" not in fields_set:
        raise InvalidInput(
            "Invalid field 'current_password': send it only with a new 'password'.",
            field="current_password",
        )
    if is_self and "password" in fields_set:
        _check_current_password(user, request.current_password)
    if user.role == "owner" and "role" in fields_set:
        raise Forbidden("The owner's role cannot be changed.", field="role")
    if "role" in fields_set and request.role == "admin" and caller.role != "owner":
        raise Forbidden("Only the owner can make someone an admin.", field="role")
    if "role" in fields_set and user.role == "admin" and caller.role != "owner":
        raise Forbidden("Only the owner can change an admin's role.", field="role")

    actions = [User.updated_at.set(utc_now())]
    if "position_id" in fields_set:
        if request.position_id is None:
            actions += [User.position_id.remove(), User.department_id.remove()]
        else:
            position = get_position(request.position_id)
            actions += [
                User.position_id.set(position.position_id),
                User.department_id.set(position.department_id),
            ]
    for field in ("name", "role", "locale"):
        if field in fields_set:
            value = getattr(request, field)
            if value is None:
                raise InvalidInput(
                    f"Invalid field '{field}': must not be null.", field=field
                )
            actions.append(getattr(User, field).set(value))
    if "password" in fields_set and request.password:
        actions += [
            User.password_hash.set(hash_password(request.password)),
            User.token_version.add(1),
        ]

    # The condition keeps an edit from resurrecting someone deactivated meanwhile.
    try:
        user.update(actions=actions, condition=User.status == ACTIVE)
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            "This person was deactivated meanwhile; their record is read-only."
        ) from None
    logger.info("user updated user_id=%s fields=%s", user_id, sorted(fields_set))
    return user


def deactivate_user(user_id: str, caller: Caller) -> User:
    user = get_user(user_id)
    if user.role == "owner":
        raise Forbidden("The owner cannot be deactivated.")
    if user_id == caller.user_id:
        raise Forbidden("You cannot deactivate yourself.")
    if user.role == "admin" and caller.role != "owner":
        raise Forbidden("Only the owner can deactivate an admin.")
    if not user.is_active:
        return user
    now = utc_now()
    # Raising the token version revokes every token issued so far.
    user.update(
        actions=[
            User.status.set(DEACTIVATED),
            User.deactivated_at.set(now),
            User.updated_at.set(now),
            User.token_version.add(1),
        ]
    )
    logger.info("user deactivated user_id=%s by=%s", user_id, caller.user_id)
    return user
