"""Bad input on every process template and launch route: a 4xx naming the field."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re

import pytest

from tests.processes.conftest import future_target, launch

TEMPLATES = "/api/process-templates"
LAUNCH = f"{TEMPLATES}/product-launch/launch"
# A position of the company, filled in by the ``ids`` fixture.
POSITION = "{position}"

TEXT = {"ru": "Проверить карточку", "en": "Check the card"}
LONG_TEXT = {"ru": "Сверить фото и описание.", "en": "Compare photos and text."}
STEP = {
    "key": "check",
    "position_id": POSITION,
    "due_offset_days": 0,
    "duration_days": 1,
    "title": TEXT,
    "description": LONG_TEXT,
}
TEMPLATE = {"name": TEXT, "description": LONG_TEXT, "steps": [STEP]}
NEXT_STEP = {
    **STEP,
    "key": "publish",
    "due_offset_days": 5,
    "duration_days": 2,
    "depends_on": ["check"],
}
TARGET = "{target}"
VALID_LAUNCH = {"name": "Запуск термокружки", "target_date": TARGET}


def with_step(**fields) -> dict:
    return {**TEMPLATE, "steps": [{**STEP, **fields}]}


# (person, method, path, body, status, field); a path or body value in braces is
# an id made by the ``ids`` fixture.
CASES = [
    ("owner", "POST", TEMPLATES, {}, 400, "name"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": "Запуск"}, 400, "name"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": {"ru": "Запуск"}}, 400, "name.en"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": {**TEXT, "ru": " "}}, 400, "name.ru"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": {**TEXT, "ru": "ж" * 201}}, 400, "name.ru"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": {**TEXT, "en": "Launch\u0007"}}, 400, "name.en"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "name": {**TEXT, "de": "Start"}}, 400, "name.de"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "description": {**LONG_TEXT, "ru": ""}}, 400, "description.ru"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "description": {**LONG_TEXT, "en": "ж" * 4001}}, 400, "description.en"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "description": {**LONG_TEXT, "ru": "Шаг\x00\x07"}}, 400, "description.ru"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": []}, 400, "steps"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": STEP}, 400, "steps"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": [{**STEP, "key": f"step_{number}"} for number in range(61)]}, 400, "steps"),
    ("owner", "POST", TEMPLATES, with_step(key="Check!"), 400, "steps.0.key"),
    ("owner", "POST", TEMPLATES, with_step(key="k" * 41), 400, "steps.0.key"),
    ("owner", "POST", TEMPLATES, with_step(position_id="nope"), 400, "steps.0.position_id"),
    ("owner", "POST", TEMPLATES, with_step(position_id=""), 400, "steps.0.position_id"),
    ("owner", "POST", TEMPLATES, with_step(due_offset_days=3651), 400, "steps.0.due_offset_days"),
    ("owner", "POST", TEMPLATES, with_step(due_offset_days=1.5), 400, "steps.0.due_offset_days"),
    ("owner", "POST", TEMPLATES, with_step(due_offset_days="3"), 400, "steps.0.due_offset_days"),
    ("owner", "POST", TEMPLATES, with_step(duration_days=True), 400, "steps.0.duration_days"),
    ("owner", "POST", TEMPLATES, with_step(duration_days=0), 400, "steps.0.duration_days"),
    ("owner", "POST", TEMPLATES, with_step(duration_days=366), 400, "steps.0.duration_days"),
    ("owner", "POST", TEMPLATES, with_step(depends_on=["missing"]), 400, "steps.0.depends_on"),
    ("owner", "POST", TEMPLATES, with_step(depends_on=["check"]), 400, "steps.0.depends_on"),
    ("owner", "POST", TEMPLATES, with_step(depends_on="check"), 400, "steps.0.depends_on"),
    ("owner", "POST", TEMPLATES, with_step(checklist=[TEXT] * 31), 400, "steps.0.checklist"),
    ("owner", "POST", TEMPLATES, with_step(checklist=[{"ru": "Фото"}]), 400, "steps.0.checklist.0.en"),
    ("owner", "POST", TEMPLATES, with_step(title={**TEXT, "ru": "Шаг\u202e"}), 400, "steps.0.title.ru"),
    ("owner", "POST", TEMPLATES, with_step(owner="anna"), 400, "steps.0.owner"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": [STEP, STEP]}, 400, "steps.1.key"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": [{**STEP, "depends_on": ["publish"]}, NEXT_STEP]}, 400, "steps"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "steps": [STEP, {**NEXT_STEP, "due_offset_days": 1}]}, 400, "steps.1.due_offset_days"),
    ("owner", "POST", TEMPLATES, {**TEMPLATE, "public": True}, 400, "public"),
    ("outsider", "POST", TEMPLATES, TEMPLATE, 403, None),
    ("head", "POST", TEMPLATES, TEMPLATE, 403, None),
    ("owner", "POST", LAUNCH, {}, 400, "name"),
    ("owner", "POST", LAUNCH, {"name": "Запуск"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": ""}, 400, "name"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": 5}, 400, "name"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": "ж" * 151}, 400, "name"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": "Запуск\u202e"}, 400, "name"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": "Запуск\u0000"}, 400, "name"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": "2026-02-30"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": "15.12.2026"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": "2026-12-15T10:00"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": 20261215}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": "3000-01-01"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "target_date": "2000-01-10"}, 400, "target_date"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "product": " "}, 400, "product"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "product": "ж" * 201}, 400, "product"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "allow_vacant": "yes"}, 400, "allow_vacant"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "allow_vacant": 1}, 400, "allow_vacant"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "assign_vacant_to": "{outsider_id}"}, 400, "assign_vacant_to"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "allow_vacant": True, "assign_vacant_to": "nope"}, 400, "assign_vacant_to"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "idempotency_key": ""}, 400, "idempotency_key"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "idempotency_key": "k" * 101}, 400, "idempotency_key"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "name": "Другой запуск", "idempotency_key": "{used_key}"}, 409, "idempotency_key"),
    ("owner", "POST", LAUNCH, {**VALID_LAUNCH, "launch_id": "x"}, 400, "launch_id"),
    ("owner", "POST", f"{TEMPLATES}/no-such-template/launch", VALID_LAUNCH, 404, "template_id"),
]  # fmt: skip


@pytest.fixture(scope="module")
def ids(staffed) -> dict[str, str]:
    used_key = "validation-first-launch"
    first = launch(staffed.owner, name="Запуск для ключа", idempotency_key=used_key)
    assert first.status == 201, first.body
    return {
        "position": staffed.positions["content_manager"],
        "target": future_target(),
        "outsider_id": staffed.outsider.id,
        "used_key": used_key,
    }


def person_of(staffed, name: str):
    if name == "owner":
        return staffed.owner
    if name == "outsider":
        return staffed.outsider
    # A department head, a manager but not an admin.
    return staffed.holders["head_of_marketplaces"]


def fill(value, ids):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, str):
        return value.format(**ids) if "{" in value else value
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    return value


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(staffed, ids, person, method, path, body, status, field):
    client = person_of(staffed, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
@pytest.mark.parametrize("path", [TEMPLATES, LAUNCH])
def test_malformed_body_is_400(staffed, raw, path):
    response = staffed.owner.client.post(path, raw=raw)
    assert response.status == 400


def test_templates_unchanged_by_rejected_input(staffed, ids):
    before = staffed.owner.client.get(TEMPLATES).json["templates"]
    rejected = staffed.owner.client.post(
        TEMPLATES, fill(with_step(position_id="nope"), ids)
    )
    assert rejected.status == 400
    after = staffed.owner.client.get(TEMPLATES).json["templates"]
    assert after == before


def test_rejected_launch_leaves_name_free(staffed, ids):
    # A rejected launch must not take the name and date, which key a launch.
    body = {"name": "Запуск после ошибки", "target_date": ids["target"]}
    rejected = launch(staffed.owner, **body, assign_vacant_to=ids["outsider_id"])
    assert rejected.status == 400
    accepted = launch(staffed.owner, **body)
    assert accepted.status == 201, accepted.body
    assert accepted.json["created"] is True


def test_unsigned_call_is_401(staffed):
    assert staffed.api.post(TEMPLATES, TEMPLATE).status == 401


def _route_shape(path: str) -> str:
    """Turn every {placeholder} and template id into {} to match route templates."""
    shape = re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])
    return re.sub(
        r"^/api/process-templates/[^/]+/", "/api/process-templates/{}/", shape
    )


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT")
        and path.startswith(("/api/process-templates", "/api/launches"))
    }
    assert write_routes - covered == set()
