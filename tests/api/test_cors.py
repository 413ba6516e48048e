"""CORS headers on every response of the HTTP API, errors included."""

import pytest

from chalicelib.auth import throttle

ORIGIN = "Access-Control-Allow-Origin"


def assert_cors(response, status: int) -> None:
    assert response.status == status, response.body
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert headers.get(ORIGIN.lower()) == "*", response.headers
    assert "authorization" in headers["access-control-allow-headers"].lower()
    assert "retry-after" in headers["access-control-expose-headers"].lower()


def test_success_carries_cors(api, owner):
    assert_cors(owner.client.get("/api/auth/me"), 200)
    created = owner.client.post("/api/org/departments", {"name": "Склад"})
    assert_cors(created, 201)


def test_client_errors_carry_cors(api, owner, hire):
    anna = hire("Анна")
    cases = [
        (api.post("/api/auth/login", {"email": "x"}), 400),
        (api.get("/api/auth/me"), 401),
        (api.as_user("not-a-token").get("/api/auth/me"), 401),
        (anna.client.post("/api/integrations/tokens", {"name": "x"}), 403),
        (owner.client.get("/api/tasks/01HZZZZZZZZZZZZZZZZZZZZZZZ"), 404),
        (owner.client.get("/api/no-such-route"), 404),
        (owner.client.request("PUT", "/api/auth/me"), 405),
        (owner.client.post("/api/org/departments", raw=b"x" * (2 * 1024 * 1024)), 413),
        (
            owner.client.post(
                "/api/org/departments",
                raw=b"name=x",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            415,
        ),
    ]
    for response, status in cases:
        assert_cors(response, status)


def test_throttled_sign_in_carries_cors(api, owner):
    for attempt in range(throttle.MAX_FAILURES):
        api.post("/api/auth/login", {"email": owner.email, "password": f"x{attempt}"})
    assert_cors(
        api.post("/api/auth/login", {"email": owner.email, "password": "x"}), 429
    )


def test_server_error_carries_cors(api, owner, app_module, monkeypatch):
    entry = app_module.app.routes["/api/auth/me"]["GET"]

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(entry, "view_function", broken)

    response = owner.client.get("/api/auth/me")

    assert_cors(response, 500)
    assert b"boom" not in response.body


def test_preflight_answers_with_allowed_methods(api):
    response = api.request(
        "OPTIONS",
        "/api/tasks",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
        },
    )

    assert response.status == 200
    methods = response.headers["Access-Control-Allow-Methods"].split(",")
    assert {"GET", "POST", "OPTIONS"} <= set(methods)
    assert response.headers[ORIGIN] == "*"


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_every_route_declares_cors(app_module, method):
    """API Gateway answers preflights only for routes that declare CORS."""
    missing = [
        path
        for path, methods in app_module.app.routes.items()
        if method in methods and methods[method].cors is None
    ]
    assert missing == []


def test_binary_download_without_accept_explains_fix(api, owner):
    path = "/api/finance/requests/export?format=xlsx"

    refused = owner.client.get(path, headers={"Accept": "application/json"})
    accepted = owner.client.get(path, headers={"Accept": "*/*"})

    assert_cors(refused, 400)
    message = refused.json["error"]["message"]
    assert "spreadsheetml" in message
    assert "Accept: */*" in message
    assert accepted.status == 200, accepted.body
