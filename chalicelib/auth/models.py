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
