"""API tokens: long-lived bearer tokens for integrations, stored as hashes.

A token reads ``shtab_<token id>_<secret>``. The secret has 256 bits from
``secrets``, so one SHA-256 of it is enough to store: a slow password hash
guards low-entropy passwords, which a token secret is not. The full token is
returned once, when it is created, and never stored.

Keys in the integrations table: pk ``TOKENS``, sk ``TOKEN#<token id>``. One
partition contains every token of the company, so the list is one Query.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DoesNotExist, PutError, UpdateError
from pynamodb.models import Model

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, NotFound, Unauthenticated
from chalicelib.ids import new_id
from chalicelib.integrations.scopes import SCOPES
from chalicelib.people.models import User
from chalicelib.storage.base import table_meta
from chalicelib.text import CleanLine
from chalicelib.web import INTEGRATION_ROLE, Caller

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "shtab_"
TOKENS_PARTITION = "TOKENS"
ID_LENGTH = 26
MAX_SECRET_LENGTH = 128
# Active tokens per company; the list stays one short Query.
MAX_ACTIVE_TOKENS = 50
# A revoked token is kept this long, so the list shows who revoked it, and
# then DynamoDB's TTL deletes it.
REVOKED_RETENTION = timedelta(days=90)


def token_sk(token_id: str) -> str:
    return f"TOKEN#{token_id}"


def principal_id(token_id: str) -> str:
    """Return the user id that calls made with the token are attributed to."""
    return f"integration:{token_id}"


class ApiToken(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True, default=TOKENS_PARTITION)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="token")
    token_id = UnicodeAttribute()
    name = UnicodeAttribute()
    scopes = ListAttribute(of=UnicodeAttribute)
    # Hex SHA-256 of the secret part of the token.
    secret_hash = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)
    revoked_by = UnicodeAttribute(null=True)
    # Epoch seconds; set when the token is revoked (the table's TTL attribute).
    expires_at = NumberAttribute(null=True)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: CleanLine = Field(min_length=1, max_length=80)
    scopes: list[str] = Field(min_length=1, max_length=len(SCOPES))

    @field_validator("scopes")
    @classmethod
    def _known_scopes(cls, scopes: list[str]) -> list[str]:
        unknown = [scope for scope in scopes if scope not in SCOPES]
        if unknown:
            raise ValueError(
                f"unknown scope '{unknown[0]}'; use any of {', '.join(SCOPES)}"
            )
        if len(set(scopes)) != len(scopes):
            raise ValueError("each scope may be listed once")
        return sorted(scopes)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def list_tokens() -> list[ApiToken]:
    """Return every token, active and recently revoked, oldest first."""
    return list(
        ApiToken.query(
            TOKENS_PARTITION,
            ApiToken.sk.startswith("TOKEN#"),
            consistent_read=True,
        )
    )


def create_token(request: TokenCreate, creator: Caller) -> tuple[ApiToken, str]:
    """Store a new token and return it with its plain text, shown only once."""
    active = [token for token in list_tokens() if token.is_active]
    # NOTE: two creations racing past this count can exceed the limit by one;
    # the limit bounds the list's size, not a security property.
    if len(active) >= MAX_ACTIVE_TOKENS:
        raise Conflict(
            f"There are already {MAX_ACTIVE_TOKENS} active API tokens; revoke "
            "one you no longer use first."
        )
    token_id = new_id()
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        sk=token_sk(token_id),
        token_id=token_id,
        name=request.name,
        scopes=list(request.scopes),
        secret_hash=_hash(secret),
        created_at=utc_now(),
        created_by=creator.user_id,
    )
    try:
        token.save(condition=ApiToken.sk.does_not_exist())
    except PutError as error:
        raise Conflict("Token id collision; send the request again.") from error
    logger.info("api token created token_id=%s by=%s", token_id, creator.user_id)
    return token, f"{TOKEN_PREFIX}{token_id}_{secret}"


def get_token(token_id: str) -> ApiToken:
    try:
        return ApiToken.get(TOKENS_PARTITION, token_sk(token_id), consistent_read=True)
    except DoesNotExist:
        raise NotFound(f"No API token '{token_id}'.", field="token_id") from None


def revoke_token(token_id: str, revoker: Caller) -> ApiToken:
    """Revoke the token; the authorizer rejects it from the next call on."""
    token = get_token(token_id)
    if not token.is_active:
        return token
    now = utc_now()
    try:
        token.update(
            actions=[
                ApiToken.revoked_at.set(now),
                ApiToken.revoked_by.set(revoker.user_id),
                ApiToken.expires_at.set(int((now + REVOKED_RETENTION).timestamp())),
            ],
            condition=ApiToken.revoked_at.does_not_exist(),
        )
    except UpdateError:
        # Revoked by a concurrent request in between: the outcome is the same.
        return get_token(token_id)
    logger.info("api token revoked token_id=%s by=%s", token_id, revoker.user_id)
    return token


def is_api_token(text: str) -> bool:
    return text.startswith(TOKEN_PREFIX)


def authenticate_token(text: str) -> ApiToken:
    """Return the active token ``text`` is, or raise ``Unauthenticated``."""
    rest = text[len(TOKEN_PREFIX) :]
    token_id = rest[:ID_LENGTH]
    separator = rest[ID_LENGTH : ID_LENGTH + 1]
    secret = rest[ID_LENGTH + 1 :]
    if (
        len(token_id) != ID_LENGTH
        or not (token_id.isascii() and token_id.isalnum())
        or separator != "_"
        or not secret
        or len(secret) > MAX_SECRET_LENGTH
    ):
        raise Unauthenticated("Invalid API token (malformed).")
    try:
        token = ApiToken.get(TOKENS_PARTITION, token_sk(token_id), consistent_read=True)
    except DoesNotExist:
        raise Unauthenticated("Invalid API token (unknown).") from None
    if not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise Unauthenticated("Invalid API token (wrong secret).")
    if not token.is_active:
        raise Unauthenticated("API token revoked; ask an admin for a new one.")
    return token


def authorizer_context(token: ApiToken) -> dict[str, str]:
    """Return the authorizer context of a call made with ``token``.

    API Gateway passes only strings, numbers and booleans in the context, so
    the scopes travel space-separated.
    """
    return {
        "role": INTEGRATION_ROLE,
        "scopes": " ".join(token.scopes),
        "integration_name": token.name,
    }


def integration_user(caller: Caller) -> User:
    """Build an unsaved person record for an integration caller.

    Domains that record who acted read the name from a person record; this
    one carries the integration's name and holds no position. It is never
    saved, so an integration cannot be chosen as an assignee or a member.
    """
    now = utc_now()
    return User(
        caller.user_id,
        email="",
        name=caller.integration_name or caller.user_id,
        role=INTEGRATION_ROLE,
        locale="ru",
        created_at=now,
        updated_at=now,
    )


def token_json(token: ApiToken) -> dict:
    return {
        "id": token.token_id,
        "name": token.name,
        "scopes": list(token.scopes),
        "status": "active" if token.is_active else "revoked",
        "created_at": token.created_at.isoformat(),
        "created_by": token.created_by,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
        "revoked_by": token.revoked_by,
    }


def check_token_id(token_id: str) -> None:
    if len(token_id) != ID_LENGTH or not (token_id.isascii() and token_id.isalnum()):
        raise NotFound(f"No API token '{token_id}'.", field="token_id")
