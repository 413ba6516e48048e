"""Articles: creating, reading the header and body, templates and shipped content."""

import pytest

from tests.kb.conftest import put


def test_created_article_has_full_header(world, kb):
    article = kb.create(
        world.boris,
        title="Как создать поставку на склад Ozon",
        title_en="How to create an Ozon supply",
        body="# Поставка\n\n1. Откройте раздел **«Поставки»**.",
        kind="instruction",
        position_ids=[world.positions["ozon_manager"]],
        review_at="2027-03-01",
    )
    fetched = kb.get(world.boris, article["id"])
    assert fetched["title"] == "Как создать поставку на склад Ozon"
    assert fetched["title_en"] == "How to create an Ozon supply"
    assert fetched["author"] == {"id": world.boris.id, "name": "Борис"}
    assert fetched["updated_by"] == {"id": world.boris.id, "name": "Борис"}
    assert fetched["created_at"].endswith("Z")
    assert fetched["updated_at"].endswith("Z")
    assert fetched["status"] == "draft"
    assert fetched["revision"] == 1
    assert fetched["review_at"] == "2027-03-01"
    assert fetched["positions"] == [
        {"id": world.positions["ozon_manager"], "name": "Менеджер Ozon"}
    ]
    assert fetched["body"].startswith("# Поставка")
    assert "<h1>Поставка</h1>" in fetched["html"]
    assert "<strong>«Поставки»</strong>" in fetched["html"]
    path_names = [item["name"] for item in fetched["section"]["path"]]
    assert path_names == ["Руководство", "Отдел маркетплейсов", "Инструкции"]


def test_kind_defaults_from_section(world, kb):
    regulation = kb.create(
        world.boris, section_id=kb.section_id("marketplaces", "regulations")
    )
    instruction = kb.create(world.boris)
    assert regulation["kind"] == "regulation"
    assert instruction["kind"] == "instruction"


def test_shipped_article_is_published_and_readable(world, kb):
    article = kb.get(world.anna, "how-to-write-instructions")
    assert article["title"] == "Как писать инструкции"
    assert article["title_en"] == "How to write instructions"
    assert article["status"] == "published"
    assert article["author"]["name"] == "Штаб"
    assert "## Из чего состоит инструкция" in article["body"]
    assert article["rights"] == {"read": True, "comment": False, "edit": False}


def test_templates_list_the_shipped_template(world):
    response = world.anna.client.get("/api/kb/templates")
    assert response.status == 200
    templates = {item["id"]: item for item in response.json["templates"]}
    assert templates["instruction-template"]["title"] == "Шаблон инструкции"
    assert templates["instruction-template"]["is_template"] is True


def test_template_links_to_guide(world, kb):
    template = kb.get(world.anna, "instruction-template")
    assert template["links"] == [
        {"id": "how-to-write-instructions", "title": "Как писать инструкции"}
    ]
    assert '<a href="#/kb/articles/how-to-write-instructions"' in template["html"]
    guide = kb.get(world.anna, "how-to-write-instructions")
    assert {"id": "instruction-template", "title": "Шаблон инструкции"} in guide[
        "linked_from"
    ]


def test_article_from_template_copies_body(world, kb):
    template = kb.get(world.boris, "instruction-template")
    article = kb.create(
        world.boris,
        title="Как принять возврат",
        body=None,
        template_id="instruction-template",
    )
    assert article["body"] == template["body"]
    assert article["template_id"] == "instruction-template"
    assert article["is_template"] is False


def test_only_templates_can_be_copied(world, kb):
    response = world.boris.client.post(
        "/api/kb/articles",
        {
            "section_id": kb.section_id("marketplaces"),
            "title": "Копия",
            "template_id": "how-to-write-instructions",
        },
    )
    assert response.status == 400
    assert response.error_field() == "template_id"


def test_admin_adds_a_template(world, kb):
    template = kb.create(
        world.owner,
        section_id="templates",
        title="Шаблон регламента",
        body="## Кто отвечает\n\n## Сроки",
        status="published",
    )
    listed = world.anna.client.get("/api/kb/templates").json["templates"]
    assert template["id"] in [item["id"] for item in listed]
    copy = kb.create(world.boris, template_id=template["id"], body=None)
    assert copy["body"] == "## Кто отвечает\n\n## Сроки"


def test_seeding_is_idempotent(world):
    from chalicelib.kb.models import SeedMarker
    from chalicelib.kb.sections import load_sections
    from chalicelib.kb.seeds import SEED_KEY, ensure_seeded

    before = load_sections()
    SeedMarker.get("SEED", SEED_KEY).delete()
    ensure_seeded()
    ensure_seeded()
    assert sorted(load_sections()) == sorted(before)
    revisions = world.anna.client.get(
        "/api/kb/articles/how-to-write-instructions/revisions"
    ).json["revisions"]
    assert [item["revision"] for item in revisions] == [1]


def test_section_lists_its_articles(world, kb):
    folder = world.owner.client.post("/api/kb/sections", {"name": "Склад"}).json[
        "section"
    ]
    first = kb.create(world.owner, section_id=folder["id"], title="Первая")
    second = kb.create(world.owner, section_id=folder["id"], title="Вторая")
    response = world.owner.client.get(f"/api/kb/sections/{folder['id']}")
    assert response.status == 200
    ids = [item["id"] for item in response.json["articles"]]
    assert ids == [second["id"], first["id"]]
    assert "body" not in response.json["articles"][0]


def test_department_head_edits_department_articles(world, kb):
    article = kb.create(world.boris)
    assert article["rights"]["edit"] is True
    # Глеб heads content, not marketplaces.
    response = world.gleb.client.post(
        "/api/kb/articles",
        {"section_id": kb.section_id("marketplaces"), "title": "Чужой отдел"},
    )
    assert response.status == 403
    assert response.error_field() == "section_id"


def test_employee_cannot_edit_published_article(world, kb):
    article = kb.create(world.boris, status="published")
    response = put(
        world.anna,
        f"/api/kb/articles/{article['id']}",
        {"base_revision": 1, "title": "Моё"},
    )
    assert response.status == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Без раздела"}, "section_id"),
        ({"section_id": "general"}, "title"),
        ({"section_id": "general", "title": "   "}, "title"),
        ({"section_id": "general", "title": "x" * 201}, "title"),
        ({"section_id": "general", "title": "T", "kind": "memo"}, "kind"),
        ({"section_id": "general", "title": "T", "status": "archived"}, "status"),
        ({"section_id": "general", "title": "T", "body": 12}, "body"),
        ({"section_id": "general", "title": "T", "body": "a\x00b"}, "body"),
        (
            {"section_id": "general", "title": "T", "review_at": "2027-02-30"},
            "review_at",
        ),
        ({"section_id": "general", "title": "T", "position_ids": "p"}, "position_ids"),
        (
            {"section_id": "general", "title": "T", "position_ids": ["missing"]},
            "position_ids.0",
        ),
        ({"section_id": "missing", "title": "T"}, "section_id"),
        ({"section_id": "general", "title": "T", "template_id": "nope"}, "template_id"),
        ({"section_id": "general", "title": "T", "extra": 1}, "extra"),
    ],
)
def test_create_validation_names_field(world, body, field):
    response = world.owner.client.post("/api/kb/articles", body)
    assert response.status in (400, 404), response.body
    assert response.error_field() == field, response.body


def test_oversized_body_is_rejected(world, kb):
    response = world.owner.client.post(
        "/api/kb/articles",
        {"section_id": "general", "title": "Огромная", "body": "я" * 600_000},
    )
    assert response.status == 400
    assert response.error_field() == "body"
    assert "1048576" in response.json["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "Без ревизии"}, "base_revision"),
        ({"base_revision": 0, "title": "T"}, "base_revision"),
        ({"base_revision": "1", "title": "T"}, "base_revision"),
        ({"base_revision": 1}, None),
        ({"base_revision": 1, "title": None}, "title"),
        ({"base_revision": 1, "significant": "yes", "title": "T"}, "significant"),
        ({"base_revision": 1, "section_id": "missing"}, "section_id"),
    ],
)
def test_update_validation_names_field(world, kb, body, field):
    article = kb.create(world.owner)
    response = put(world.owner, f"/api/kb/articles/{article['id']}", body)
    assert 400 <= response.status < 500, response.body
    assert response.error_field() == field, response.body


def test_bad_paths_and_queries_get_4xx(world, kb):
    article = kb.create(world.owner)
    base = f"/api/kb/articles/{article['id']}"
    cases = [
        ("GET", "/api/kb/articles/" + "x" * 70, 404),
        ("GET", f"{base}/revisions/abc", 404),
        ("GET", f"{base}/revisions/0", 404),
        ("GET", f"{base}/revisions/99", 404),
        ("GET", f"{base}/revisions?before=x", 400),
        ("GET", f"{base}/revisions?limit=0", 400),
        ("GET", f"{base}/diff?from=1", 400),
        ("GET", f"{base}/diff?from=1&to=-2", 400),
        ("GET", f"{base}/diff?from=1&to=5", 404),
        ("GET", "/api/kb/search", 400),
        ("GET", "/api/kb/search?q=%20%20", 400),
        ("GET", "/api/kb/search?q=" + "a" * 201, 400),
        ("GET", "/api/kb/search?q=and%20the", 400),
        ("POST", f"{base}/revisions/1/restore", 200),
        ("POST", f"{base}/acknowledge", 409),
        ("GET", f"{base}/conflicts/01ARZ3NDEKTSV4RRFFQ69G5FAV", 404),
    ]
    for method, path, status in cases:
        response = world.owner.client.request(method, path)
        assert response.status == status, (method, path, response.body)
        assert response.json["error" if status >= 400 else "article"], path


def test_malformed_json_is_rejected(world, kb):
    response = world.owner.client.post("/api/kb/articles", raw=b"{not json", headers={})
    assert response.status == 400
    response = world.owner.client.post("/api/kb/articles", raw=b"[]")
    assert response.status == 400
