"""Salted scrypt password hashes in a self-describing string."""

import base64
import hashlib
import hmac
import os

# scrypt with n=2**14, r=8 takes about 50 ms and 16 MiB per check on one
# core: slow enough to make offline guessing costly, fast enough for a Lambda.
_N = 2**14
_R = 8
_P = 1
_LENGTH = 32
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_LENGTH
    )
    encoded_salt = base64.b64encode(salt).decode()
    encoded_digest = base64.b64encode(digest).decode()
    return f"scrypt${_N}${_R}${_P}${encoded_salt}${encoded_digest}"


def verify_password(password: str, stored: str | None) -> bool:
    if not stored:
        return False
    try:
        scheme, n, r, p, encoded_salt, encoded_digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(encoded_digest)
    digest = hashlib.scrypt(
        password.encode(),
        salt=base64.b64decode(encoded_salt),
        n=int(n),
        r=int(r),
        p=int(p),
        dklen=len(expected),
    )
    return hmac.compare_digest(digest, expected)


def dummy_verify(password: str) -> None:
    """Spend the time of a real check, so unknown emails take as long as known ones."""
    hashlib.scrypt(password.encode(), salt=b"0" * 16, n=_N, r=_R, p=_P, dklen=_LENGTH)
