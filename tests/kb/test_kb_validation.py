"""Bad input on every knowledge base write route: a 4xx naming the field, never a 5xx."""

# The case table keeps one case a line, so its lines run past the width.
# ruff: noqa: E501

import re

import pytest

from tests.kb.conftest import Kb
from tests.kb.course_support import COURSE_ROUTE_PREFIXES

# A draft article, written by the owner in the marketplaces instructions.
DRAFT = "{draft}"
# A published article in the same section, which Анна may read but not edit.
PUBLISHED = "{published}"
SECTION = "{section}"
# An image of the draft reserved for upload but never uploaded.
IMAGE = "{image}"
POSITION = "{position}"
# An id that was never created.
MISSING = "{missing}"

ARTICLE = "/api/kb/articles"
IMAGE_BODY = {"file_name": "схема.png", "content_type": "image/png", "size": 2048}
READ_GRANT = {"to": "everyone", "level": "read"}

# (person, method, path, body, status, field); a path or body value in braces is
# an id made by the ``ids`` fixture.
CASES = [
    ("owner", "POST", "/api/kb/sections", {}, 400, "name"),
    ("owner", "POST", "/api/kb/sections", {"name": 5}, 400, "name"),
    ("owner", "POST", "/api/kb/sections", {"name": " "}, 400, "name"),
    ("owner", "POST", "/api/kb/sections", {"name": "ж" * 121}, 400, "name"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел\u0007"}, 400, "name"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "name_en": "\u202eevil"}, 400, "name_en"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "parent_id": "nope"}, 400, "parent_id"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "parent_id": ""}, 400, "parent_id"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "sort_order": "1"}, 400, "sort_order"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "sort_order": 1_000_001}, 400, "sort_order"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": READ_GRANT}, 400, "grants"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "all", "level": "read"}]}, 400, "grants.0.to"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "everyone", "level": "admin"}]}, 400, "grants.0.level"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "position", "level": "read"}]}, 400, "grants.0"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "everyone", "position_id": POSITION, "level": "read"}]}, 400, "grants.0"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "position", "position_id": "nope", "level": "read"}]}, 400, "grants.0.position_id"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [{"to": "position", "position_id": POSITION, "include_below": "yes", "level": "read"}]}, 400, "grants.0.include_below"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "grants": [READ_GRANT] * 51}, 400, "grants"),
    ("owner", "POST", "/api/kb/sections", {"name": "Отдел", "surprise": 1}, 400, "surprise"),
    ("anna", "POST", "/api/kb/sections", {"name": "Мой раздел"}, 403, None),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {}, 400, None),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"name": None}, 400, "name"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"name": "ж" * 121}, 400, "name"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"sort_order": None}, 400, "sort_order"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"sort_order": 1.5}, 400, "sort_order"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"parent_id": SECTION}, 400, "parent_id"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"parent_id": "nope"}, 400, "parent_id"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"grants": [{"to": "position", "position_id": "nope", "level": "edit"}]}, 400, "grants.0.position_id"),
    ("owner", "PATCH", f"/api/kb/sections/{SECTION}", {"role": "regulations"}, 400, "role"),
    ("owner", "PATCH", f"/api/kb/sections/{MISSING}", {"name": "Другой"}, 404, "section_id"),
    ("anna", "PATCH", f"/api/kb/sections/{SECTION}", {"name": "Мой раздел"}, 403, None),
    ("owner", "POST", ARTICLE, {}, 400, "section_id"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}"}, 400, "title"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": ""}, 400, "title"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": 5}, 400, "title"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "ж" * 201}, 400, "title"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка\u202e"}, 400, "title"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "title_en": "Ship\u0000ping"}, 400, "title_en"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "body": 5}, 400, "body"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "body": "Шаг\u0000"}, 400, "body"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "body": "ж" * 524_289}, 400, "body"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "kind": "guide"}, 400, "kind"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "status": "needs_review"}, 400, "status"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "position_ids": POSITION}, 400, "position_ids"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "position_ids": ["nope"]}, 400, "position_ids.0"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "position_ids": [POSITION] * 101}, 400, "position_ids"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "review_at": "2026-02-30"}, 400, "review_at"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "review_at": "15.12.2026"}, 400, "review_at"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "review_at": 20261215}, 400, "review_at"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "template_id": "nope"}, 404, "template_id"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "template_id": DRAFT}, 400, "template_id"),
    ("owner", "POST", ARTICLE, {"section_id": "nope", "title": "Отгрузка"}, 404, "section_id"),
    ("owner", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Отгрузка", "revision": 1}, 400, "revision"),
    ("anna", "POST", ARTICLE, {"section_id": "{instructions}", "title": "Моя инструкция"}, 403, "section_id"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"title": "Новое"}, 400, "base_revision"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 0, "title": "Новое"}, 400, "base_revision"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": "1", "title": "Новое"}, 400, "base_revision"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 10**400, "title": "Новое"}, 400, "base_revision"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 10**9, "title": "Новое"}, 400, "base_revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore", {"base_revision": 10**400}, 400, "base_revision"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1}, 400, None),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "title": None}, 400, "title"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "body": None}, 400, "body"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "title": "\u200b"}, 400, "title"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "status": "archived"}, 400, "status"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "review_at": "2026-13-01"}, 400, "review_at"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "significant": "yes"}, 400, "significant"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "position_ids": ["nope"]}, 400, "position_ids.0"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}", {"base_revision": 1, "section_id": "nope"}, 404, "section_id"),
    ("owner", "PUT", f"{ARTICLE}/{MISSING}", {"base_revision": 1, "title": "Новое"}, 404, None),
    ("anna", "PUT", f"{ARTICLE}/{PUBLISHED}", {"base_revision": 1, "title": "Моё"}, 403, None),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}/access", {}, 400, "grants"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}/access", {"grants": "everyone"}, 400, "grants"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}/access", {"grants": [{"to": "everyone", "level": "read", "include_below": True}]}, 400, "grants.0"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}/access", {"grants": [{"to": "position", "position_id": "nope", "level": "read"}]}, 400, "grants.0.position_id"),
    ("owner", "PUT", f"{ARTICLE}/{DRAFT}/access", {"grants": [READ_GRANT] * 51}, 400, "grants"),
    ("owner", "PUT", f"{ARTICLE}/{MISSING}/access", {"grants": None}, 404, None),
    ("anna", "PUT", f"{ARTICLE}/{PUBLISHED}/access", {"grants": None}, 403, None),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore", {"base_revision": 0}, 400, "base_revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore", {"base_revision": "1"}, 400, "base_revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore", {"significant": 1}, 400, "significant"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore", {"revision": 1}, 400, "revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/0/restore", None, 404, "revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/first/restore", None, 404, "revision"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/revisions/99/restore", None, 404, "revision"),
    ("anna", "POST", f"{ARTICLE}/{PUBLISHED}/revisions/1/restore", None, 403, None),
    ("anna", "POST", f"{ARTICLE}/{PUBLISHED}/acknowledge", {"now": True}, 400, "now"),
    ("anna", "POST", f"{ARTICLE}/{MISSING}/acknowledge", None, 404, None),
    ("anna", "POST", f"{ARTICLE}/{DRAFT}/acknowledge", None, 404, None),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/acknowledge", None, 409, None),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {"file_name": "a.png", "content_type": "image/png"}, 400, "size"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "size": 0}, 400, "size"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "size": "2048"}, 400, "size"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "size": 20 * 1024 * 1024 + 1}, 400, "size"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "content_type": "application/pdf"}, 400, "content_type"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "file_name": ""}, 400, "file_name"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "file_name": ["a.png"]}, 400, "file_name"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "file_name": "ж" * 401}, 400, "file_name"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images", {**IMAGE_BODY, "width": 10}, 400, "width"),
    ("owner", "POST", f"{ARTICLE}/{MISSING}/images", IMAGE_BODY, 404, None),
    ("anna", "POST", f"{ARTICLE}/{PUBLISHED}/images", IMAGE_BODY, 403, None),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images/{IMAGE}/complete", {"now": True}, 400, "now"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images/{IMAGE}/complete", None, 409, "file"),
    ("owner", "POST", f"{ARTICLE}/{DRAFT}/images/{MISSING}/complete", None, 404, None),
    ("anna", "POST", f"{ARTICLE}/{PUBLISHED}/images/{IMAGE}/complete", None, 403, None),
]  # fmt: skip


@pytest.fixture(scope="module")
def ids(world) -> dict[str, str]:
    kb = Kb(world)
    draft = kb.create(world.owner)
    published = kb.create(world.owner, status="published")
    section = world.owner.client.post("/api/kb/sections", {"name": "Проверки"})
    assert section.status == 201, section.body
    image = world.owner.client.post(f"{ARTICLE}/{draft['id']}/images", IMAGE_BODY)
    assert image.status == 201, image.body
    return {
        "draft": draft["id"],
        "published": published["id"],
        "section": section.json["section"]["id"],
        "instructions": kb.section_id("marketplaces"),
        "image": image.json["image"]["id"],
        "position": world.positions["wb_manager"],
        "missing": "01JAAAAAAAAAAAAAAAAAAAAAAA",
    }


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
def test_bad_input_names_field(world, ids, person, method, path, body, status, field):
    client = getattr(world, person).client
    response = client.request(method, fill(path, ids), fill(body, ids))
    assert (response.status, response.error_field()) == (status, field), response.body


@pytest.mark.parametrize(
    "raw", [b"[]", b"{", b'"text"', b"\xff\xfe", b"null"], ids=repr
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/kb/sections"),
        ("PATCH", f"/api/kb/sections/{SECTION}"),
        ("POST", ARTICLE),
        ("PUT", f"{ARTICLE}/{DRAFT}"),
        ("PUT", f"{ARTICLE}/{DRAFT}/access"),
        ("POST", f"{ARTICLE}/{DRAFT}/revisions/1/restore"),
        ("POST", f"{ARTICLE}/{PUBLISHED}/acknowledge"),
        ("POST", f"{ARTICLE}/{DRAFT}/images"),
    ],
)
def test_malformed_body_is_400(world, ids, raw, method, path):
    response = world.owner.client.request(method, fill(path, ids), raw=raw)
    assert response.status == 400


def test_article_unchanged_by_rejected_input(world, ids):
    before = world.owner.client.get(f"{ARTICLE}/{ids['draft']}").json["article"]
    rejected = world.owner.client.request(
        "PUT",
        f"{ARTICLE}/{ids['draft']}",
        {"base_revision": 1, "title": "Новое название", "review_at": "2026-02-30"},
    )
    assert rejected.status == 400
    after = world.owner.client.get(f"{ARTICLE}/{ids['draft']}").json["article"]
    assert after["revision"] == before["revision"]
    assert after["title"] == before["title"]


def test_sections_unchanged_by_rejected_input(world, ids):
    before = world.owner.client.get("/api/kb/sections").json["sections"]
    rejected = world.owner.client.post(
        "/api/kb/sections", {"name": "Новый раздел", "parent_id": "nope"}
    )
    assert rejected.status == 400
    after = world.owner.client.get("/api/kb/sections").json["sections"]
    assert after == before


def test_unsigned_call_is_401(world):
    assert world.api.post("/api/kb/sections", {"name": "Раздел"}).status == 401


def _route_shape(path: str) -> str:
    """Turn every {placeholder} and revision number into {} to match route templates."""
    shape = re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])
    return re.sub(r"/revisions/[^/]+/", "/revisions/{}/", shape)


def test_cases_cover_every_write_route(app_module):
    covered = {(case[1], _route_shape(case[2])) for case in CASES}
    write_routes = {
        (method, _route_shape(path))
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method in ("POST", "PATCH", "PUT")
        and path.startswith("/api/kb/")
        and not path.startswith(COURSE_ROUTE_PREFIXES)
        # Import and assignment routes: test_kb_authoring_validation.py.
        and not path.startswith(
            (
                "/api/kb/sections/{section_id}/import",
                "/api/kb/sections/{section_id}/assignments",
                "/api/kb/import",
            )
        )
    }
    assert write_routes - covered == set()
