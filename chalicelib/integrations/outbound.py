"""Outbound webhooks: fan an event out to subscriptions, send, retry and replay.

Each delivery is an HTTP POST of ``{id, type, occurred_at, data}`` as JSON with
the headers:
- ``X-Shtab-Event-Id``: the event id, the same on every retry and replay, so a
  receiver can drop a repeat;
- ``X-Shtab-Timestamp``: unix seconds when this attempt was signed;
- ``X-Shtab-Signature``: ``sha256=`` hex HMAC-SHA256 of
  ``timestamp + "." + raw body`` keyed with the subscription secret
  (``signatures.sign``, the scheme inbound hooks check).

Any 2xx response delivers. Anything else (another status, a timeout, a
refused connection, an address the SSRF guard blocks) is a failure retried on
``retry_schedule``. Redirects are followed by hand, at most ``MAX_REDIRECTS``
hops, each hop checked by the SSRF guard first; every hop gets the same POST
with the same body and headers, whatever the redirect status.

Delivery is at least once: a process that stops after the receiver answered
but before the result is stored leaves the delivery to be sent again after its
lease expires.
"""

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from chalicelib import clock
from chalicelib.clock import iso
from chalicelib.errors import Conflict, NotFound
from chalicelib.ids import stable_id
from chalicelib.integrations import delivery_attempts, ssrf
from chalicelib.integrations.delivery_attempts import (
    DEAD,
    Attempt,
    Delivery,
    create_delivery,
    find_delivery,
)
from chalicelib.integrations.signatures import sign
from chalicelib.integrations.subscriptions import (
    Subscription,
    find_subscription,
    matching_subscriptions,
)

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 5
MAX_REDIRECTS = 3
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
USER_AGENT = "Shtab-Webhooks/1"
# A stream record sends its deliveries at once for this long at most; the
# rest wait for the retry function, up to a minute, so a slow receiver does
# not hold up the chat and notification reactions sharing the record.
INLINE_BUDGET_SECONDS = 5
# The retry function stops claiming deliveries this long before its Lambda
# times out, because one attempt may take that long.
RETRY_SAFETY_SECONDS = 40
MAX_RETRIES_PER_RUN = 100


@dataclass(frozen=True)
class Event:
    """An outbound event; ``event_id`` is derived from the record it comes from."""

    event_id: str
    event_type: str
    occurred_at: datetime
    data: dict
    # The channel of a message.posted event, which selects subscriptions.
    channel_id: str | None = None

    def body(self) -> str:
        payload = {
            "id": self.event_id,
            "type": self.event_type,
            "occurred_at": iso(self.occurred_at),
            "data": self.data,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    url: str

    @property
    def delivered(self) -> bool:
        return self.error is None


class PinnedAddressAdapter(HTTPAdapter):
    """An HTTPS adapter that connects to a checked IP but verifies the host name.

    The request URL names the IP address, so no second DNS lookup happens; TLS
    still sends ``hostname`` as SNI and checks the certificate against it.
    """

    def __init__(self, hostname: str) -> None:
        self._hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["server_hostname"] = self._hostname
        pool_kwargs["assert_hostname"] = self._hostname
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)


def _connect_url(url: str, target: ssrf.Target) -> str:
    """Return ``url`` with its host replaced by the checked address."""
    if target.address is None:
        return url
    parts = urlsplit(url)
    address = f"[{target.address}]" if ":" in target.address else target.address
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    return f"{target.scheme}://{address}:{target.port}{path}{query}"


def _post_once(url: str, body: bytes, headers: dict) -> requests.Response:
    """POST to ``url`` after the SSRF check, connected to the checked address."""
    target = ssrf.check_url(url)
    session = requests.Session()
    # No proxies from the environment: a proxy would connect on our behalf
    # to an address that was never checked.
    session.trust_env = False
    if target.address is not None:
        session.mount("https://", PinnedAddressAdapter(target.host))
    with session:
        response = session.post(
            _connect_url(url, target),
            data=body,
            headers={**headers, "Host": target.host_header},
            timeout=(CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
            allow_redirects=False,
            stream=True,
        )
        # Only the status matters; the body is never read.
        response.close()
        return response


def send(url: str, body: bytes, headers: dict) -> Outcome:
    """POST ``body`` to ``url``, following redirects by hand, and report the result."""
    hop_url = url
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = _post_once(hop_url, body, headers)
        except ssrf.BlockedAddress as error:
            return Outcome(None, f"blocked: {error}", hop_url)
        except requests.Timeout:
            return Outcome(
                None,
                f"timed out (connect {CONNECT_TIMEOUT_SECONDS} s, "
                f"read {READ_TIMEOUT_SECONDS} s)",
                hop_url,
            )
        except requests.RequestException as error:
            return Outcome(None, f"request failed: {type(error).__name__}", hop_url)

        status = response.status_code
        if 200 <= status < 300:
            return Outcome(status, None, hop_url)
        if status not in REDIRECT_STATUSES:
            return Outcome(status, f"the receiver answered HTTP {status}", hop_url)
        location = response.headers.get("Location")
        if not location:
            return Outcome(status, f"HTTP {status} redirect without Location", hop_url)
        hop_url = urljoin(hop_url, location)
    return Outcome(status, f"more than {MAX_REDIRECTS} redirects", hop_url)


def signed_headers(delivery: Delivery, secret: str, body: bytes) -> dict:
    # The timestamp is the real time of sending, not the scheduling clock,
    # because receivers compare it with their own clock.
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Shtab-Event-Id": delivery.event_id,
        "X-Shtab-Event-Type": delivery.event_type,
        "X-Shtab-Delivery-Id": delivery.delivery_id,
        "X-Shtab-Timestamp": timestamp,
        "X-Shtab-Signature": sign(secret, timestamp, body),
    }


def attempt(
    delivery: Delivery,
    subscription: Subscription,
    now: datetime,
    replayed_by: str | None = None,
) -> str:
    """Send a claimed delivery once and store the result; return its new status."""
    body = delivery.body.encode("utf-8")
    started = time.monotonic()
    outcome = send(
        subscription.url, body, signed_headers(delivery, subscription.secret, body)
    )
    record = Attempt(
        number=int(delivery.attempt_count or 0) + 1,
        started_at=now,
        duration_ms=int((time.monotonic() - started) * 1000),
        status_code=outcome.status_code,
        error=(outcome.error or "")[: delivery_attempts.MAX_ERROR_LENGTH] or None,
        url=outcome.url,
        replay=replayed_by,
    )
    if outcome.delivered:
        delivery_attempts.record_success(delivery, record, now)
        logger.info(
            "webhook delivered delivery_id=%s event_id=%s subscription_id=%s "
            "status=%s attempt=%d",
            delivery.delivery_id,
            delivery.event_id,
            delivery.subscription_id,
            outcome.status_code,
            record.number,
        )
        return delivery_attempts.DELIVERED
    parked = delivery_attempts.record_failure(delivery, record, now)
    logger.warning(
        "webhook attempt failed delivery_id=%s event_id=%s subscription_id=%s "
        "attempt=%d error=%s%s",
        delivery.delivery_id,
        delivery.event_id,
        delivery.subscription_id,
        record.number,
        record.error,
        "; parked in dead letters" if parked else "",
    )
    return DEAD if parked else delivery_attempts.PENDING


def process(
    delivery_id: str,
    now: datetime,
    require_due: bool,
    replayed_by: str | None = None,
) -> str | None:
    """Claim a delivery and attempt it; return its status, or None if not claimed."""
    delivery = delivery_attempts.claim(delivery_id, now, require_due)
    if delivery is None:
        return None
    subscription = find_subscription(delivery.subscription_id)
    if subscription is None or not subscription.active:
        # A deleted or paused subscription receives nothing; the delivery stays
        # in the log and can be replayed once the subscription is active.
        delivery_attempts.cancel(delivery, now)
        logger.info(
            "webhook delivery cancelled delivery_id=%s subscription_id=%s reason=%s",
            delivery_id,
            delivery.subscription_id,
            "deleted" if subscription is None else "inactive",
        )
        return delivery_attempts.CANCELLED
    return attempt(delivery, subscription, now, replayed_by)


def fan_out(
    event_type: str,
    event_id: str,
    occurred_at: datetime,
    build_data: Callable[[], dict],
    channel_id: str | None = None,
) -> int:
    """Store a delivery of the event per matching subscription and send them.

    ``build_data`` runs only if some subscription wants the event, which saves
    its reads for the usual case of none. A delivery's id is derived from the
    event id and the subscription, so a redelivered stream record stores
    nothing twice. Returns how many deliveries were stored.
    """
    # A stream record read again later must not reach a subscription made
    # after its event: the first reading sent that subscription nothing.
    subscriptions = [
        subscription
        for subscription in matching_subscriptions(event_type, channel_id)
        if subscription.created_at <= occurred_at
    ]
    if not subscriptions:
        return 0
    event = Event(event_id, event_type, occurred_at, build_data(), channel_id)
    body = event.body()
    now = clock.utc_now()
    created = []
    for subscription in subscriptions:
        delivery_id = stable_id(occurred_at, event_id, subscription.subscription_id)
        delivery = create_delivery(
            delivery_id,
            subscription.subscription_id,
            event_id,
            event_type,
            body,
            now,
        )
        if delivery is not None:
            created.append(delivery_id)
    logger.info(
        "webhook event stored event_id=%s type=%s deliveries=%d",
        event_id,
        event_type,
        len(created),
    )

    deadline = time.monotonic() + INLINE_BUDGET_SECONDS
    for delivery_id in created:
        if time.monotonic() > deadline:
            logger.info(
                "webhook deliveries left to the retry function event_id=%s",
                event_id,
            )
            break
        process(delivery_id, clock.utc_now(), require_due=False)
    return len(created)


def retry_due(now: datetime | None = None, time_budget_seconds: float = 60) -> dict:
    """Attempt the deliveries due at ``now``; return counts by resulting status.

    It stops claiming new deliveries once ``time_budget_seconds`` have passed,
    and reads at most MAX_RETRIES_PER_RUN due deliveries; the rest wait for
    the next run.
    """
    now = now or clock.utc_now()
    deadline = time.monotonic() + time_budget_seconds
    counts: dict[str, int] = {}
    for delivery_id in delivery_attempts.due_delivery_ids(now, MAX_RETRIES_PER_RUN):
        if time.monotonic() > deadline:
            break
        status = process(delivery_id, now, require_due=True)
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    if counts:
        logger.info("webhook retries ran %s", counts)
    return counts


def retry_from_schedule(context) -> dict:
    """Run ``retry_due`` within the time the Lambda invocation has left."""
    remaining = context.get_remaining_time_in_millis() / 1000 if context else 60
    budget = max(0.0, remaining - RETRY_SAFETY_SECONDS)
    return retry_due(time_budget_seconds=budget)


def replay(delivery_id: str, user_id: str, now: datetime | None = None) -> Delivery:
    """Send a delivery again with the same event id and a fresh set of retries."""
    now = now or clock.utc_now()
    delivery = find_delivery(delivery_id)
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id}.", field="delivery_id")
    subscription = find_subscription(delivery.subscription_id)
    if subscription is None:
        raise Conflict(
            "The subscription of this delivery was deleted, so there is nowhere "
            "to send it; create a new subscription instead.",
            field="delivery_id",
        )
    if not subscription.active:
        raise Conflict(
            "The subscription of this delivery is paused; set it active first.",
            field="delivery_id",
        )
    if not delivery_attempts.reopen(delivery, now):
        raise Conflict(
            "This delivery is being sent right now; wait a minute and reload it.",
            field="delivery_id",
        )
    logger.info(
        "webhook delivery replayed delivery_id=%s event_id=%s by=%s",
        delivery_id,
        delivery.event_id,
        user_id,
    )
    process(delivery_id, now, require_due=False, replayed_by=user_id)
    return find_delivery(delivery_id)
