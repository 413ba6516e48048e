"""Bad input on the import and assignment routes: a 4xx naming the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import pytest

from tests.kb.conftest import Kb
from tests.kb.test_kb_validation import _route_shape, fill

# The routes of chalicelib/kb/authoring_routes.py; test_kb_validation.py
# leaves them to this file.
AUTHORING_ROUTES = (
    "/api/kb/sections/{section_id}/import",
    "/api/kb/sections/{section_id}/assignments",
    "/api/kb/import",
)
SECTION = "{section}"
MISSING = "{missing}"
ASSIGN = f"/api/kb/sections/{SECTION}/assignments"
IMPORT = f"/api/kb/sections/{SECTION}/import"
JOB = "/api/kb/import"
GOOD = {"title": "Приёмка", "assignee_user_id": "{anna}"}

# (person, method, path, body, status, field)
CASES = [
    ("owner", "POST", ASSIGN, {}, 400, "title"),
    ("owner", "POST", ASSIGN, {"assignee_user_id": "{anna}"}, 400, "title"),
    ("owner", "POST", ASSIGN, {**GOOD, "title": ""}, 400, "title"),
    ("owner", "POST", ASSIGN, {**GOOD, "title": 5}, 400, "title"),
    ("owner", "POST", ASSIGN, {**GOOD, "title": "ж" * 201}, 400, "title"),
    ("owner", "POST", ASSIGN, {**GOOD, "title": "Приёмка\u202e"}, 400, "title"),
    ("owner", "POST", ASSIGN, {**GOOD, "title_en": "Ship\u0000"}, 400, "title_en"),
    ("owner", "POST", ASSIGN, {"title": "Приёмка"}, 400, "assignee_user_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "assignee_user_id": 5}, 400, "assignee_user_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "assignee_user_id": ""}, 400, "assignee_user_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "assignee_user_id": "nobody"}, 400, "assignee_user_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "assignee_user_id": "{departed}"}, 400, "assignee_user_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "due": "2026-02-30"}, 400, "due"),
    ("owner", "POST", ASSIGN, {**GOOD, "due": "завтра"}, 400, "due"),
    ("owner", "POST", ASSIGN, {**GOOD, "due": 20261215}, 400, "due"),
    ("owner", "POST", ASSIGN, {**GOOD, "template_id": "nope"}, 404, "template_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "template_id": "how-to-write-instructions"}, 400, "template_id"),
    ("owner", "POST", ASSIGN, {**GOOD, "status": "published"}, 400, "status"),
    ("owner", "POST", f"/api/kb/sections/{MISSING}/assignments", GOOD, 404, "section_id"),
    ("anna", "POST", ASSIGN, {**GOOD, "assignee_user_id": "{oleg}"}, 403, "section_id"),
    ("owner", "POST", IMPORT, None, 400, "format"),
    ("owner", "POST", f"{IMPORT}?format=pdf", None, 400, "format"),
    ("owner", "POST", f"{IMPORT}?format=markdown&title=x", None, 400, "title"),
    ("owner", "POST", f"{IMPORT}?format=markdown&file_name={'a' * 256}", None, 400, "file_name"),
    ("owner", "POST", f"{IMPORT}?format=markdown&file_name=/", None, 400, "file_name"),
    ("owner", "POST", f"{IMPORT}?format=markdown", None, 400, "file"),
    ("owner", "POST", f"/api/kb/sections/{MISSING}/import?format=markdown", None, 404, "section_id"),
    ("anna", "POST", f"{IMPORT}?format=markdown", None, 403, "section_id"),
    ("owner", "POST", JOB, None, 400, "section_id"),
    ("owner", "POST", f"{JOB}?format=markdown", None, 400, "section_id"),
    ("owner", "POST", f"{JOB}?section_id=&format=markdown", None, 400, "section_id"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}", None, 400, "format"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}&format=pdf", None, 400, "format"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}&format=markdown&title=x", None, 400, "title"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}&format=markdown&file_name=/", None, 400, "file_name"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}&format=markdown", None, 400, "file"),
    ("owner", "POST", f"{JOB}?section_id={SECTION}&format=zip", None, 400, "file"),
    ("owner", "POST", f"{JOB}?section_id={MISSING}&format=markdown", None, 404, "section_id"),
    ("anna", "POST", f"{JOB}?section_id={SECTION}&format=markdown", None, 403, "section_id"),
]  # fmt: skip

GET_CASES = [
    ("owner", f"{ASSIGN}?limit=0", 400, "limit"),
    ("owner", f"{ASSIGN}?limit=many", 400, "limit"),
    ("owner", f"{ASSIGN}?after=not-a-cursor", 400, "after"),
    ("owner", f"/api/kb/sections/{MISSING}/assignments", 404, "section_id"),
    ("anna", ASSIGN, 403, "section_id"),
]


@pytest.fixture(scope="module")
def ids(world) -> dict[str, str]:
    departed = world.hire("Ушедший", "content_manager")
    response = world.owner.client.delete(f"/api/users/{departed.id}")
    assert response.status == 200, response.body
    world.pump.drain()
    return {
        "section": Kb(world).section_id("marketplaces"),
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
        "anna": world.anna.id,
        "oleg": world.oleg.id,
        "departed": departed.id,
    }


def section_state(world, section_id: str) -> tuple:
    articles = world.owner.client.get(f"/api/kb/sections/{section_id}").json["articles"]
    assignments = world.owner.client.get(f"/api/kb/sections/{section_id}/assignments")
    return (
        sorted(item["id"] for item in articles),
        sorted(item["id"] for item in assignments.json["assignments"]),
    )


@pytest.mark.parametrize(
    ("person", "method", "path", "body", "status", "field"),
    CASES,
    ids=[
        f"{case[1]} {case[2]} {case[5] or case[4]}-{index}"
        for index, case in enumerate(CASES)
    ],
)
def test_bad_input_names_field(world, ids, person, method, path, body, status, field):
    client = getattr(world, person).client
    before = section_state(world, ids["section"])
    response = client.request(
        method,
        fill(path, ids),
        fill(body, ids),
        headers={
            "Content-Type": "application/json" if body is not None else "text/markdown"
        },
    )
    assert (response.status, response.error_field()) == (status, field), response.body
    assert section_state(world, ids["section"]) == before


@pytest.mark.parametrize(("person", "path", "status", "field"), GET_CASES)
def test_bad_list_query_names_field(world, ids, person, path, status, field):
    response = getattr(world, person).client.get(fill(path, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
def test_malformed_assignment_body_is_400(world, ids, raw):
    response = world.owner.client.request("POST", fill(ASSIGN, ids), raw=raw)
    assert response.status == 400


def test_import_unsupported_media_type_is_415(world, ids):
    response = world.owner.client.request(
        "POST",
        fill(f"{IMPORT}?format=markdown", ids),
        raw=b"# x",
        headers={"Content-Type": "application/pdf"},
    )
    assert response.status == 415


def test_unsigned_import_is_401(world, ids):
    response = world.api.request(
        "POST", fill(f"{IMPORT}?format=markdown", ids), raw=b"# x"
    )
    assert response.status == 401


def test_cases_cover_every_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT") and path.startswith(AUTHORING_ROUTES)
    }
    assert routes
    assert routes - covered == set()
