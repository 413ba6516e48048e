"""Bad input on every hook route: a 4xx that names the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re

import pytest

from tests.integrations.hooks_support import build_world

HOOK = "{hook}"
MISSING_HOOK = "01JZZZZZZZZZZZZZZZZZZZZZZZ"

TASK = {"title": "Пополнить {{ payload.sku }}", "assignee_user_id": "{leo}"}
VALID_HOOK = {"name": "Склад", "action": "create_task", "template": TASK}
MESSAGE = {"channel_id": "{channel}", "text": "{{ payload.text }}"}
FINANCE = {
    "author_user_id": "{anna}",
    "amount": "{{ payload.total }}",
    "category_id": "software",
    "counterparty": "ООО «Софт»",
    "problem": "Счёт",
    "solution": "Оплатить",
    "pay_by": "2026-12-20",
    "period": "2026-12",
}
HOOKS = "/api/integrations/hooks"


def _hook(**overrides) -> dict:
    return {**VALID_HOOK, **overrides}


def _task(**overrides) -> dict:
    return _hook(template={**TASK, **overrides})


# (person, method, path, body, status, field); a value in braces is an id of
# the world.
CASES = [
    ("owner", "POST", HOOKS, {"action": "create_task", "template": TASK}, 400, "name"),
    ("owner", "POST", HOOKS, _hook(name=""), 400, "name"),
    ("owner", "POST", HOOKS, _hook(name="   "), 400, "name"),
    ("owner", "POST", HOOKS, _hook(name="ж" * 121), 400, "name"),
    ("owner", "POST", HOOKS, _hook(name="\u202eevil"), 400, "name"),
    ("owner", "POST", HOOKS, _hook(name=5), 400, "name"),
    ("owner", "POST", HOOKS, _hook(action="delete_everything"), 400, "action"),
    ("owner", "POST", HOOKS, _hook(action=None), 400, "action"),
    ("owner", "POST", HOOKS, {"name": "x", "action": "create_task"}, 400, "template"),
    ("owner", "POST", HOOKS, _hook(template=[]), 400, "template"),
    ("owner", "POST", HOOKS, _hook(template="{{ payload }}"), 400, "template"),
    ("owner", "POST", HOOKS, _hook(template={}), 400, "template.title"),
    ("owner", "POST", HOOKS, _hook(surprise=1), 400, "surprise"),
    ("owner", "POST", HOOKS, _task(title=5), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title=""), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="{{ payload.sku"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="{% for x in payload %}"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="{{ payload | nosuchfilter }}"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="ж" * 4001), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(description="ж" * 20001), 400, "template.description"),
    ("owner", "POST", HOOKS, _task(description="{% endif %}"), 400, "template.description"),
    ("owner", "POST", HOOKS, _task(title="{% for a in payload.rows %}{% for b in payload.rows %}x{% endfor %}{% endfor %}"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(title="{% for a in payload.rows recursive %}{{ loop(a) }}{% endfor %}"), 400, "template.title"),
    ("owner", "POST", HOOKS, _task(surprise="x"), 400, "template.surprise"),
    ("owner", "POST", HOOKS, _task(position_id="{position}"), 400, "template.position_id"),
    ("owner", "POST", HOOKS, _hook(template={"title": "x"}), 400, "template.assignee_user_id"),
    ("owner", "POST", HOOKS, _task(priority=["high"]), 400, "template.priority"),
    ("owner", "POST", HOOKS, _hook(action="post_message", template=TASK), 400, "template.channel_id"),
    ("owner", "POST", HOOKS, _hook(action="post_message", template={"channel_id": "{channel}"}), 400, "template.text"),
    ("owner", "POST", HOOKS, _hook(action="post_message", template={**MESSAGE, "text": "{{ }}"}), 400, "template.text"),
    ("owner", "POST", HOOKS, _hook(action="create_finance_request", template={**FINANCE, "amount": None}), 400, "template.amount"),
    ("owner", "POST", HOOKS, _hook(action="create_finance_request", template={k: v for k, v in FINANCE.items() if k != "author_user_id"}), 400, "template.author_user_id"),
    ("anna", "POST", HOOKS, VALID_HOOK, 403, None),
    ("owner", "POST", f"{HOOKS}/{MISSING_HOOK}/rotate-secret", None, 404, "hook_id"),
    ("anna", "POST", f"{HOOKS}/{HOOK}/rotate-secret", None, 403, None),
    ("owner", "POST", f"{HOOKS}/{HOOK}/test", {}, 400, "payload"),
    ("owner", "POST", f"{HOOKS}/{HOOK}/test", {"payload": []}, 400, "payload"),
    ("owner", "POST", f"{HOOKS}/{HOOK}/test", {"payload": "text"}, 400, "payload"),
    ("owner", "POST", f"{HOOKS}/{HOOK}/test", {"payload": {}, "surprise": 1}, 400, "surprise"),
    ("owner", "POST", f"{HOOKS}/{MISSING_HOOK}/test", {"payload": {}}, 404, "hook_id"),
    ("anna", "POST", f"{HOOKS}/{HOOK}/test", {"payload": {}}, 403, None),
    ("owner", "GET", f"{HOOKS}/{MISSING_HOOK}", None, 404, "hook_id"),
    ("owner", "DELETE", f"{HOOKS}/{MISSING_HOOK}", None, 404, "hook_id"),
    ("owner", "GET", f"{HOOKS}/{HOOK}/deliveries?limit=0", None, 400, "limit"),
    ("owner", "GET", f"{HOOKS}/{HOOK}/deliveries?limit=101", None, 400, "limit"),
    ("owner", "GET", f"{HOOKS}/{HOOK}/deliveries?before=abc", None, 400, "before"),
    ("owner", "GET", f"{HOOKS}/{MISSING_HOOK}/deliveries", None, 404, "hook_id"),
    ("owner", "GET", f"{HOOKS}/{'x' * 65}", None, 404, "hook_id"),
    ("api", "POST", f"/api/hooks/{MISSING_HOOK}", {"sku": "x"}, 404, "hook_id"),
    ("api", "POST", f"/api/hooks/{HOOK}", {"sku": "x"}, 401, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    yield from build_world(database, http_gateway, app_module)


@pytest.fixture(scope="module")
def ids(world) -> dict[str, str]:
    hook = world.owner.client.post(
        HOOKS, {**VALID_HOOK, "template": {**TASK, "assignee_user_id": world.leo.id}}
    )
    assert hook.status == 201, hook.body
    return {
        "hook": hook.json["hook"]["id"],
        "leo": world.leo.id,
        "anna": world.anna.id,
        "channel": world.reviews_channel_id,
        "position": world.positions["Logistician"],
    }


def fill(value, ids: dict[str, str]):
    if isinstance(value, str):
        for name, item in ids.items():
            value = value.replace("{" + name + "}", item)
        return value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


def _client(world, person: str):
    return world.api if person == "api" else getattr(world, person).client


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2][:40]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, ids, person, method, path, body, status, field):
    response = _client(world, person).request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null", b""], ids=repr
)
@pytest.mark.parametrize("path", [HOOKS, f"{HOOKS}/{HOOK}/test"])
def test_malformed_body_is_400(world, ids, raw, path):
    response = world.owner.client.post(fill(path, ids), raw=raw)
    assert response.status == 400, response.body
    assert response.json["error"]["code"] == "invalid_input"


def test_oversized_body_is_413(world, ids):
    body = {**VALID_HOOK, "padding": "x" * (2 * 1024 * 1024)}
    response = world.owner.client.post(HOOKS, body)
    assert response.status == 413


def test_rejected_input_stores_nothing(world, ids):
    before = world.owner.client.get(HOOKS).json["hooks"]
    for case in CASES:
        person, method, path, body, _status, _field = case
        if method == "POST" and path == HOOKS:
            _client(world, person).request(method, path, fill(body, ids))
    after = world.owner.client.get(HOOKS).json["hooks"]
    assert after == before
    deliveries = world.owner.client.get(f"{HOOKS}/{ids['hook']}/deliveries").json
    assert deliveries["deliveries"] == []


def _route_shape(path: str) -> str:
    """Turn every {placeholder} or id into {} so case paths match route templates."""
    shape = re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])
    return re.sub(r"/[0-9A-Z]{26}(?=/|$)", "/{}", shape)


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT")
        and path.startswith((f"{HOOKS}", "/api/hooks/"))
    }
    assert write_routes
    assert write_routes - covered == set()
