"""The auth table: failed-login counters, kept only for the throttle window."""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from chalicelib.storage.base import table_meta


class LoginThrottle(Model):
    Meta = table_meta("auth")

    pk = UnicodeAttribute(hash_key=True)
    failures = NumberAttribute(default=0)
    window_started_at = NumberAttribute()
    expires_at = NumberAttribute()


class BootstrapMarker(Model):
    """Written once, when the owner account is created on an empty store."""

    Meta = table_meta("auth")

    pk = UnicodeAttribute(hash_key=True, default="BOOTSTRAP")
    owner_id = UnicodeAttribute()


class EmailClaim(Model):
    """Reservation of an email for one user, saved with a condition before the user.

    The email index cannot enforce uniqueness, and checking it before the write
    lets two concurrent hires with one email both pass.
    """

    Meta = table_meta("auth")

    pk = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()


def email_claim_key(email: str) -> str:
    return f"EMAIL#{email}"
