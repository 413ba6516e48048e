"""Signed, expiring bearer tokens: ``<payload>.<signature>`` in base64url.

The payload names the user and the token version it was issued under; the
HMAC-SHA256 signature uses ``SHTAB_TOKEN_SECRET``.
"""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass

from chalicelib.config import get_settings


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class TokenClaims:
    user_id: str
    version: int
    expires_at: int


def _secret() -> bytes:
    secret = get_settings().token_secret
    if len(secret) < 32:
        raise RuntimeError(
            "SHTAB_TOKEN_SECRET is missing or shorter than 32 characters; "
            "set it to a long random string"
        )
    return secret.encode()


def _encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(user_id: str, version: int, ttl_seconds: int | None = None) -> str:
    if ttl_seconds is None:
        ttl_seconds = get_settings().token_ttl_seconds
    payload = {"sub": user_id, "ver": version, "exp": int(time.time()) + ttl_seconds}
    body = _encode(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(_secret(), body.encode(), hashlib.sha256).digest()
    return f"{body}.{_encode(signature)}"


def read_token(token: str) -> TokenClaims:
    """Check the signature and expiry of ``token`` and return its claims."""
    try:
        body, signature = token.split(".")
        expected = hmac.new(_secret(), body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _decode(signature)):
            raise InvalidToken("bad signature")
        payload = json.loads(_decode(body))
        claims = TokenClaims(
            user_id=str(payload["sub"]),
            version=int(payload["ver"]),
            expires_at=int(payload["exp"]),
        )
    except (ValueError, KeyError, TypeError) as error:
        raise InvalidToken("malformed token") from error
    if not claims.user_id or len(claims.user_id) > 64:
        raise InvalidToken("malformed token")
    if claims.expires_at < time.time():
        raise InvalidToken("expired")
    return claims
