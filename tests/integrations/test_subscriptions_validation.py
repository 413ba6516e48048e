"""Bad input on the webhook subscription routes: a 4xx naming the field, nothing stored."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import pytest

from chalicelib.integrations.subscriptions import EVENT_TYPES, MAX_SUBSCRIPTIONS

SUBSCRIPTIONS = "/api/integrations/subscriptions"
EXISTING = "{existing}"
UNKNOWN_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"
URL = "https://93.184.216.34/hooks/shtab"
VALID = {"url": URL, "events": ["task.created"]}
SECRET = "s" * 24

# (method, path, body, status, field); EXISTING in a path is a stored subscription.
CASES = [
    ("POST", SUBSCRIPTIONS, {}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {"events": ["task.created"]}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": ""}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": 5}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": None}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": ["https://93.184.216.34/"]}, 400, "url"),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "url": "https://93.184.216.34/" + "a" * 2100},
        400,
        "url",
    ),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "ftp://93.184.216.34/in"}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "93.184.216.34/in"}, 400, "url"),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "url": "https://user:pw@93.184.216.34/in"},
        400,
        "url",
    ),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "url": "http://127.0.0.1:8000/api/health"},
        400,
        "url",
    ),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "http://10.0.0.5/in"}, 400, "url"),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "url": "http://169.254.169.254/latest/"},
        400,
        "url",
    ),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "url": "http://[::ffff:192.168.0.1]/in"},
        400,
        "url",
    ),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "http://100.64.0.9/in"}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "http://localhost/in"}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {**VALID, "url": "https://93.184.216.34:0/in"}, 400, "url"),
    ("POST", SUBSCRIPTIONS, {"url": URL}, 400, "events"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": []}, 400, "events"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": None}, 400, "events"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": "task.created"}, 400, "events"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": ["task.deleted"]}, 400, "events.0"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": ["TASK.CREATED"]}, 400, "events.0"),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": [5]}, 400, "events.0"),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "events": ["task.created", "task.created"]},
        400,
        "events",
    ),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "events": [*EVENT_TYPES, "task.done"]},
        400,
        "events",
    ),
    ("POST", SUBSCRIPTIONS, {**VALID, "events": ["message.posted"]}, 400, "channel_id"),
    ("POST", SUBSCRIPTIONS, {**VALID, "channel_id": UNKNOWN_ID}, 400, "channel_id"),
    ("POST", SUBSCRIPTIONS, {**VALID, "channel_id": ""}, 400, "channel_id"),
    ("POST", SUBSCRIPTIONS, {**VALID, "channel_id": 7}, 400, "channel_id"),
    ("POST", SUBSCRIPTIONS, {**VALID, "channel_id": "c" * 65}, 400, "channel_id"),
    ("POST", SUBSCRIPTIONS, {**VALID, "secret": "short"}, 400, "secret"),
    ("POST", SUBSCRIPTIONS, {**VALID, "secret": "with spaces " * 3}, 400, "secret"),
    ("POST", SUBSCRIPTIONS, {**VALID, "secret": "ж" * 30}, 400, "secret"),
    ("POST", SUBSCRIPTIONS, {**VALID, "secret": "s" * 257}, 400, "secret"),
    (
        "POST",
        SUBSCRIPTIONS,
        {**VALID, "secret": 123456789012345678901234567},
        400,
        "secret",
    ),
    ("POST", SUBSCRIPTIONS, {**VALID, "surprise": 1}, 400, "surprise"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {}, 400, None),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"active": "yes"}, 400, "active"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"active": 1}, 400, "active"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"active": None}, 400, "active"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"events": None}, 400, "events"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"events": []}, 400, "events"),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"events": ["nope"]}, 400, "events.0"),
    (
        "PATCH",
        f"{SUBSCRIPTIONS}/{EXISTING}",
        {"events": ["message.posted"]},
        400,
        "channel_id",
    ),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"url": None}, 400, "url"),
    (
        "PATCH",
        f"{SUBSCRIPTIONS}/{EXISTING}",
        {"url": "http://192.168.1.1/"},
        400,
        "url",
    ),
    (
        "PATCH",
        f"{SUBSCRIPTIONS}/{EXISTING}",
        {"channel_id": UNKNOWN_ID},
        400,
        "channel_id",
    ),
    ("PATCH", f"{SUBSCRIPTIONS}/{EXISTING}", {"secret": SECRET}, 400, "secret"),
    (
        "PATCH",
        f"{SUBSCRIPTIONS}/{UNKNOWN_ID}",
        {"active": False},
        404,
        "subscription_id",
    ),
    ("PATCH", f"{SUBSCRIPTIONS}/{'A' * 65}", {"active": False}, 404, "subscription_id"),
    ("DELETE", f"{SUBSCRIPTIONS}/{UNKNOWN_ID}", None, 404, "subscription_id"),
    ("GET", f"{SUBSCRIPTIONS}/{UNKNOWN_ID}", None, 404, "subscription_id"),
    ("GET", f"{SUBSCRIPTIONS}/{UNKNOWN_ID}/deliveries", None, 404, "subscription_id"),
    ("GET", f"{SUBSCRIPTIONS}/{EXISTING}/deliveries?limit=0", None, 400, "limit"),
    ("GET", f"{SUBSCRIPTIONS}/{EXISTING}/deliveries?limit=201", None, 400, "limit"),
    ("GET", f"{SUBSCRIPTIONS}/{EXISTING}/deliveries?limit=ten", None, 400, "limit"),
    ("GET", f"{SUBSCRIPTIONS}/{EXISTING}/deliveries?cursor=abc", None, 400, "cursor"),
    ("GET", "/api/integrations/dead-letters?limit=-1", None, 400, "limit"),
    ("GET", "/api/integrations/dead-letters?cursor=" + "!" * 26, None, 400, "cursor"),
    ("GET", f"/api/integrations/deliveries/{UNKNOWN_ID}", None, 404, "delivery_id"),
    (
        "POST",
        f"/api/integrations/deliveries/{UNKNOWN_ID}/replay",
        None,
        404,
        "delivery_id",
    ),
    (
        "POST",
        f"/api/integrations/deliveries/{UNKNOWN_ID}/replay",
        {"now": True},
        400,
        "now",
    ),
]

RAW_CASES = [
    b"not json",
    b"[1, 2]",
    b'{"url": "\\ud800", "events": ["task.created"]}',
    b"{" * 100_000,
    b'{"url": "' + b"x" * (1024 * 1024) + b'", "events": []}',
]


@pytest.fixture
def existing(owner) -> dict:
    created = owner.client.post(SUBSCRIPTIONS, VALID)
    assert created.status == 201, created.body
    [stored] = owner.client.get(SUBSCRIPTIONS).json["subscriptions"]
    return stored


def case_id(case) -> str:
    method, path, body, status, field = case
    return f"{method}-{field}-{status}-{str(body)[:40]}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_bad_input_rejected(owner, existing, case):
    method, path, body, status, field = case
    path = path.replace(EXISTING, existing["id"])
    before = owner.client.get(SUBSCRIPTIONS).json["subscriptions"]
    response = owner.client.request(method, path, body)
    assert response.status == status, response.body
    assert response.json["error"].get("field") == field
    assert owner.client.get(SUBSCRIPTIONS).json["subscriptions"] == before


@pytest.mark.parametrize("raw", RAW_CASES, ids=range(len(RAW_CASES)))
def test_malformed_body_rejected(owner, existing, raw):
    response = owner.client.post(SUBSCRIPTIONS, raw=raw)
    assert 400 <= response.status < 500, response.body[:200]
    assert response.json["error"]["code"] in ("invalid_input", "payload_too_large")
    assert owner.client.get(SUBSCRIPTIONS).json["subscriptions"] == [existing]


def route_of(path: str) -> str:
    """Turn a case's concrete path back into its route template."""
    path = path.split("?", 1)[0].replace(EXISTING, "{subscription_id}")
    if "/deliveries/" in path:
        return path.replace(UNKNOWN_ID, "{delivery_id}")
    return path.replace(UNKNOWN_ID, "{subscription_id}")


def test_cases_cover_every_write_route(app_module):
    covered = {(method, route_of(path)) for method, path, *_ in CASES}
    routes = {
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if path.startswith(
            (SUBSCRIPTIONS, "/api/integrations/deliveries", "/api/integrations/dead")
        )
        and method != "GET"
    }
    assert routes <= covered


def test_subscription_limit(owner):
    for number in range(MAX_SUBSCRIPTIONS):
        created = owner.client.post(SUBSCRIPTIONS, {**VALID, "url": f"{URL}/{number}"})
        assert created.status == 201, created.body
    refused = owner.client.post(SUBSCRIPTIONS, VALID)
    assert refused.status == 409
    assert str(MAX_SUBSCRIPTIONS) in refused.json["error"]["message"]
