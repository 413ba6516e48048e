"""Admin routes of outbound webhooks: subscriptions, delivery logs, dead letters.

Mounted under ``/api/integrations``; every route needs an owner or admin.
"""

from typing import Annotated, Literal

from chalice import Blueprint, Response
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    field_validator,
    model_validator,
)

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.integrations import delivery_attempts, outbound, subscriptions
from chalicelib.integrations.delivery_attempts import (
    dead_letter_json,
    delivery_json,
)
from chalicelib.integrations.ssrf import MAX_URL_LENGTH
from chalicelib.integrations.subscriptions import EVENT_TYPES, subscription_json
from chalicelib.web import (
    Caller,
    caller_of,
    cursor_param,
    limit_param,
    parse_body,
    require_admin,
)

subscription_routes = Blueprint(__name__)

EventType = Literal[EVENT_TYPES]  # type: ignore[valid-type]
Url = Annotated[StrictStr, Field(min_length=1, max_length=MAX_URL_LENGTH)]
# A caller-chosen secret must be hard to guess, and printable ASCII without
# spaces so that it survives copying into any receiver's configuration.
Secret = Annotated[
    StrictStr, Field(min_length=24, max_length=256, pattern=r"^[\x21-\x7e]+$")
]
ChannelId = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Events = Annotated[list[EventType], Field(min_length=1, max_length=len(EVENT_TYPES))]


def _unique(events: list[str]) -> list[str]:
    if len(set(events)) != len(events):
        raise ValueError("list each event type once")
    return events


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoBody(Strict):
    pass


class SubscriptionCreate(Strict):
    url: Url
    events: Events
    channel_id: ChannelId | None = None
    secret: Secret | None = None

    _unique_events = field_validator("events")(_unique)


class SubscriptionUpdate(Strict):
    """Fields to change; only ``channel_id`` may be set to null."""

    url: Url | None = None
    events: Events | None = None
    active: StrictBool | None = None
    channel_id: ChannelId | None = None

    @field_validator("events")
    @classmethod
    def _unique_events(cls, events):
        return _unique(events) if events is not None else events

    @model_validator(mode="after")
    def _check_fields(self):
        if not self.model_fields_set:
            raise InvalidInput(
                "Request body changes nothing; send url, events, active or channel_id."
            )
        for name in ("url", "events", "active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise InvalidInput(
                    f"Invalid field '{name}': it cannot be null; leave it out to keep "
                    "the current value.",
                    field=name,
                )
        return self


def _admin() -> Caller:
    caller = caller_of(subscription_routes.current_request)
    require_admin(caller)
    return caller


@subscription_routes.route(
    "/subscriptions", methods=["POST"], authorizer=bearer_authorizer
)
def create_subscription():
    caller = _admin()
    body = parse_body(subscription_routes.current_request, SubscriptionCreate)
    subscription = subscriptions.create_subscription(
        body.url, list(body.events), body.channel_id, body.secret, caller
    )
    return Response(
        {"subscription": subscription_json(subscription, secret=True)},
        status_code=201,
    )


@subscription_routes.route(
    "/subscriptions", methods=["GET"], authorizer=bearer_authorizer
)
def list_subscriptions():
    _admin()
    return {
        "subscriptions": [
            subscription_json(subscription)
            for subscription in subscriptions.list_subscriptions()
        ]
    }


@subscription_routes.route(
    "/subscriptions/{subscription_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_subscription(subscription_id):
    _admin()
    subscription = subscriptions.get_subscription(subscription_id)
    return {"subscription": subscription_json(subscription)}


@subscription_routes.route(
    "/subscriptions/{subscription_id}",
    methods=["PATCH"],
    authorizer=bearer_authorizer,
)
def update_subscription(subscription_id):
    caller = _admin()
    body = parse_body(subscription_routes.current_request, SubscriptionUpdate)
    fields = {name: getattr(body, name) for name in body.model_fields_set}
    if "events" in fields:
        fields["events"] = list(fields["events"])
    subscription = subscriptions.update_subscription(subscription_id, fields, caller)
    return {"subscription": subscription_json(subscription)}


@subscription_routes.route(
    "/subscriptions/{subscription_id}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def delete_subscription(subscription_id):
    caller = _admin()
    subscriptions.delete_subscription(subscription_id, caller)
    return Response(body="", status_code=204)


@subscription_routes.route(
    "/subscriptions/{subscription_id}/deliveries",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def list_deliveries(subscription_id):
    _admin()
    request = subscription_routes.current_request
    limit = limit_param(request, default=50, maximum=200)
    cursor = cursor_param(request, "cursor")
    subscriptions.get_subscription(subscription_id)
    page, next_cursor = delivery_attempts.list_deliveries(
        subscription_id, limit, cursor
    )
    return {
        "deliveries": [delivery_json(delivery) for delivery in page],
        "next_cursor": next_cursor,
    }


@subscription_routes.route(
    "/dead-letters", methods=["GET"], authorizer=bearer_authorizer
)
def list_dead_letters():
    _admin()
    request = subscription_routes.current_request
    limit = limit_param(request, default=50, maximum=200)
    cursor = cursor_param(request, "cursor")
    page, next_cursor = delivery_attempts.list_dead_letters(limit, cursor)
    return {
        "dead_letters": [dead_letter_json(item) for item in page],
        "next_cursor": next_cursor,
    }


@subscription_routes.route(
    "/deliveries/{delivery_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_delivery(delivery_id):
    _admin()
    delivery = delivery_attempts.find_delivery(delivery_id)
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id}.", field="delivery_id")
    return {"delivery": delivery_json(delivery)}


@subscription_routes.route(
    "/deliveries/{delivery_id}/replay",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def replay_delivery(delivery_id):
    caller = _admin()
    request = subscription_routes.current_request
    # Replay takes no options; an empty object is accepted as no body.
    if (request.raw_body or b"").strip():
        parse_body(request, NoBody)
    delivery = outbound.replay(delivery_id, caller.user_id)
    return {"delivery": delivery_json(delivery)}
