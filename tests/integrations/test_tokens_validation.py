"""Bad input on the token routes: a 4xx that names the field, and nothing stored."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import pytest

from chalicelib.integrations.scopes import SCOPES
from chalicelib.integrations.tokens import MAX_ACTIVE_TOKENS

TOKENS = "/api/integrations/tokens"
VALID = {"name": "Склад", "scopes": ["tasks:read"]}
UNKNOWN_ID = "01JAAAAAAAAAAAAAAAAAAAAAAA"

# (method, path, body, status, field)
CASES = [
    ("POST", TOKENS, {}, 400, "name"),
    ("POST", TOKENS, {"scopes": ["tasks:read"]}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": ""}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": " "}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": "\u200b"}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": "ж" * 81}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": 5}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": None}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": "\u202eтоб"}, 400, "name"),
    ("POST", TOKENS, {**VALID, "name": "a\x00b"}, 400, "name"),
    ("POST", TOKENS, {"name": "Склад"}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": []}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": None}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": "tasks:read"}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": ["tasks:delete"]}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": ["TASKS:READ"]}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": ["tasks:read", "tasks:read"]}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "scopes": [5]}, 400, "scopes.0"),
    ("POST", TOKENS, {**VALID, "scopes": [["tasks:read"]]}, 400, "scopes.0"),
    ("POST", TOKENS, {**VALID, "scopes": list(SCOPES) + ["tasks:read"]}, 400, "scopes"),
    ("POST", TOKENS, {**VALID, "surprise": 1}, 400, "surprise"),
    ("POST", TOKENS, {**VALID, "secret": "mine"}, 400, "secret"),
    ("DELETE", f"{TOKENS}/{UNKNOWN_ID}", None, 404, "token_id"),
    ("DELETE", f"{TOKENS}/abc", None, 404, "token_id"),
    ("DELETE", f"{TOKENS}/{'A' * 65}", None, 404, "token_id"),
]

RAW_CASES = [
    b"",
    b"not json",
    b"[1, 2]",
    b'{"name": "\\ud800", "scopes": ["tasks:read"]}',
    b"{" * 100_000,
    b'{"name": "' + b"x" * (1024 * 1024) + b'", "scopes": []}',
]


@pytest.fixture
def existing(owner):
    created = owner.client.post(TOKENS, VALID)
    assert created.status == 201, created.body
    return owner.client.get(TOKENS).json["tokens"]


def case_id(case) -> str:
    method, path, body, status, field = case
    return f"{method}-{field}-{status}-{str(body)[:40]}"


@pytest.mark.parametrize("case", CASES, ids=[case_id(case) for case in CASES])
def test_bad_input_rejected(owner, existing, case):
    method, path, body, status, field = case
    response = owner.client.request(method, path, body)
    assert response.status == status, response.body
    assert response.json["error"]["field"] == field
    assert owner.client.get(TOKENS).json["tokens"] == existing


@pytest.mark.parametrize("raw", RAW_CASES, ids=range(len(RAW_CASES)))
def test_malformed_body_rejected(owner, existing, raw):
    response = owner.client.post(TOKENS, raw=raw)
    assert 400 <= response.status < 500, response.body[:200]
    assert response.json["error"]["code"] in ("invalid_input", "payload_too_large")
    assert owner.client.get(TOKENS).json["tokens"] == existing


def test_valid_scopes_all_accepted(owner):
    response = owner.client.post(TOKENS, {"name": "Всё", "scopes": list(SCOPES)})
    assert response.status == 201, response.body
    assert sorted(response.json["token"]["scopes"]) == sorted(SCOPES)


def test_cases_cover_every_token_route(app_module):
    covered = {
        (method, path.replace(UNKNOWN_ID, "{token_id}")) for method, path, *_ in CASES
    }
    routes = {
        (method, path)
        for path, methods in app_module.app.routes.items()
        for method in methods
        if path.startswith(TOKENS) and method != "GET"
    }
    assert routes <= covered


def test_active_token_limit(owner):
    for number in range(MAX_ACTIVE_TOKENS):
        created = owner.client.post(
            TOKENS, {"name": f"Токен {number}", "scopes": ["tasks:read"]}
        )
        assert created.status == 201, created.body
    refused = owner.client.post(TOKENS, VALID)
    assert refused.status == 409
    assert str(MAX_ACTIVE_TOKENS) in refused.json["error"]["message"]

    first = owner.client.get(TOKENS).json["tokens"][0]["id"]
    assert owner.client.delete(f"{TOKENS}/{first}").status == 200
    assert owner.client.post(TOKENS, VALID).status == 201
