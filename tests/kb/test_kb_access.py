"""Grants, inheritance and overrides: nobody sees an article they may not read."""

import pytest

from tests.kb.conftest import put


def set_access(world, article_id: str, grants) -> None:
    response = put(
        world.owner, f"/api/kb/articles/{article_id}/access", {"grants": grants}
    )
    assert response.status == 200, response.body


def section_with(world, grants, parent_id=None) -> str:
    body = {"name": "Раздел с доступом", "grants": grants}
    if parent_id is not None:
        body["parent_id"] = parent_id
    response = world.owner.client.post("/api/kb/sections", body)
    assert response.status == 201, response.body
    return response.json["section"]["id"]


def grant(world, position: str, level="read", below=False) -> dict:
    return {
        "to": "position",
        "position_id": world.positions[position],
        "include_below": below,
        "level": level,
    }


def can_open(person, article_id: str) -> bool:
    status = person.client.get(f"/api/kb/articles/{article_id}").status
    assert status in (200, 404)
    return status == 200


def test_position_grant_with_positions_below(world, kb):
    section_id = section_with(world, [grant(world, "head_of_marketplaces", below=True)])
    article = kb.create(world.owner, section_id=section_id, status="published")
    assert can_open(world.boris, article["id"])
    assert can_open(world.anna, article["id"])
    assert not can_open(world.gleb, article["id"])
    assert not can_open(world.vera, article["id"])


def test_position_grant_without_positions_below(world, kb):
    section_id = section_with(world, [grant(world, "head_of_marketplaces")])
    article = kb.create(world.owner, section_id=section_id, status="published")
    assert can_open(world.boris, article["id"])
    assert not can_open(world.anna, article["id"])


def test_subsection_inherits_and_overrides(world, kb):
    parent = section_with(world, [grant(world, "accountant")])
    inheriting = world.owner.client.post(
        "/api/kb/sections", {"name": "Наследует", "parent_id": parent}
    ).json["section"]["id"]
    overriding = section_with(world, [{"to": "everyone", "level": "read"}], parent)
    inherited = kb.create(world.owner, section_id=inheriting, status="published")
    opened = kb.create(world.owner, section_id=overriding, status="published")
    assert can_open(world.alla, inherited["id"])
    assert not can_open(world.anna, inherited["id"])
    assert can_open(world.anna, opened["id"])


def test_article_override_narrows_and_widens(world, kb):
    open_article = kb.create(world.boris, status="published")
    set_access(world, open_article["id"], [grant(world, "head_of_marketplaces")])
    assert not can_open(world.gleb, open_article["id"])
    assert can_open(world.boris, open_article["id"])

    closed_section = section_with(world, [grant(world, "accountant")])
    widened = kb.create(world.owner, section_id=closed_section, status="published")
    set_access(world, widened["id"], [{"to": "everyone", "level": "read"}])
    assert can_open(world.gleb, widened["id"])

    set_access(world, widened["id"], None)
    assert not can_open(world.gleb, widened["id"])


def test_edit_grant_allows_saving(world, kb):
    section_id = section_with(
        world,
        [{"to": "everyone", "level": "read"}, grant(world, "wb_manager", "edit")],
    )
    article = kb.create(world.owner, section_id=section_id, status="published")
    saved = kb.save(world.anna, article, body="Анна дополнила")
    assert saved["revision"] == 2
    refused = put(
        world.oleg,
        f"/api/kb/articles/{article['id']}",
        {"base_revision": 2, "body": "Олег"},
    )
    assert refused.status == 403


def test_comment_level_is_reported(world, kb):
    section_id = section_with(world, [grant(world, "wb_manager", "comment")])
    article = kb.create(world.owner, section_id=section_id, status="published")
    rights = kb.get(world.anna, article["id"])["rights"]
    assert rights == {"read": True, "comment": True, "edit": False}


def test_target_position_may_read_despite_section(world, kb):
    section_id = section_with(world, [grant(world, "accountant")])
    article = kb.create(
        world.owner,
        section_id=section_id,
        status="published",
        position_ids=[world.positions["wb_manager"]],
    )
    assert can_open(world.anna, article["id"])
    assert not can_open(world.oleg, article["id"])


def test_draft_seen_only_by_editors(world, kb):
    draft = kb.create(world.boris, position_ids=[world.positions["wb_manager"]])
    assert can_open(world.boris, draft["id"])
    assert can_open(world.owner, draft["id"])
    assert not can_open(world.anna, draft["id"])


def test_author_keeps_edit_rights(world, kb):
    section_id = section_with(
        world,
        [{"to": "everyone", "level": "read"}, grant(world, "ozon_manager", "edit")],
    )
    article = kb.create(world.oleg, section_id=section_id)
    set_access(world, article["id"], [{"to": "everyone", "level": "read"}])
    assert kb.get(world.oleg, article["id"])["rights"]["edit"] is True


@pytest.fixture
def hidden_and_open(world, kb):
    """Two published articles that share a rare word; Анна may read only one."""
    secret_section = section_with(world, [grant(world, "accountant")])
    hidden = kb.create(
        world.owner,
        section_id=secret_section,
        title="Закрытый регламент бухгалтерии",
        body="Сверка взаиморасчётов с поставщиками ежемесячно.",
        status="published",
    )
    visible = kb.create(
        world.owner,
        title="Открытая инструкция",
        body=(
            "Взаиморасчёты проверяет бухгалтерия. "
            f"См. [закрытый регламент](article:{hidden['id']})."
        ),
        status="published",
    )
    world.pump.drain()
    return hidden, visible


def test_search_hides_unreadable_article(world, kb, hidden_and_open):
    hidden, visible = hidden_and_open
    response = world.anna.client.get("/api/kb/search?q=взаиморасчетов")
    assert response.status == 200
    ids = [result["id"] for result in response.json["results"]]
    assert ids == [visible["id"]]
    assert response.json["total"] == 1
    assert set(kb.search(world.alla, "взаиморасчетов")) == {hidden["id"], visible["id"]}


def test_link_to_unreadable_article_is_plain_text(world, kb, hidden_and_open):
    hidden, visible = hidden_and_open
    for_anna = kb.get(world.anna, visible["id"])
    assert for_anna["links"] == []
    assert hidden["id"] not in for_anna["html"]
    assert "<span>закрытый регламент</span>" in for_anna["html"]
    for_alla = kb.get(world.alla, visible["id"])
    assert for_alla["links"] == [
        {"id": hidden["id"], "title": "Закрытый регламент бухгалтерии"}
    ]


def test_backlinks_hide_unreadable_sources(world, kb, hidden_and_open):
    hidden, visible = hidden_and_open
    linking_back = kb.create(
        world.owner,
        section_id=section_with(world, [grant(world, "accountant")]),
        title="Ссылается на открытую",
        body=f"[открытая](article:{visible['id']})",
        status="published",
    )
    world.pump.drain()
    assert kb.get(world.anna, visible["id"])["linked_from"] == []
    assert kb.get(world.alla, visible["id"])["linked_from"] == [
        {"id": linking_back["id"], "title": "Ссылается на открытую"}
    ]


def test_hidden_article_routes_answer_404(world, kb, hidden_and_open):
    hidden, _ = hidden_and_open
    base = f"/api/kb/articles/{hidden['id']}"
    for method, path in [
        ("GET", base),
        ("GET", f"{base}/revisions"),
        ("GET", f"{base}/revisions/1"),
        ("GET", f"{base}/diff?from=1&to=1"),
        ("GET", f"{base}/readers"),
        ("GET", f"{base}/conflicts"),
        ("POST", f"{base}/acknowledge"),
        ("POST", f"{base}/revisions/1/restore"),
    ]:
        response = world.anna.client.request(method, path)
        assert response.status == 404, (method, path, response.body)
    missing = world.anna.client.get("/api/kb/articles/01ARZ3NDEKTSV4RRFFQ69G5FAV")
    hidden_response = world.anna.client.get(base)
    assert missing.json["error"]["message"].replace(
        "01ARZ3NDEKTSV4RRFFQ69G5FAV", "X"
    ) == hidden_response.json["error"]["message"].replace(hidden["id"], "X")


def test_section_lists_and_counts_hide_articles(world, kb):
    section_id = kb.section_id("content")
    visible = kb.create(world.gleb, section_id=section_id, status="published")
    hidden = kb.create(world.gleb, section_id=section_id, status="published")
    set_access(world, hidden["id"], [grant(world, "head_of_content")])
    listed = world.anna.client.get(f"/api/kb/sections/{section_id}").json["articles"]
    ids = [item["id"] for item in listed]
    assert visible["id"] in ids
    assert hidden["id"] not in ids
    gleb_ids = [
        item["id"]
        for item in world.gleb.client.get(f"/api/kb/sections/{section_id}").json[
            "articles"
        ]
    ]
    assert hidden["id"] in gleb_ids


def test_archived_department_hides_its_articles(world, kb):
    from tests.support.org import create_department

    department = create_department(world.owner.client, "Временный отдел")
    world.pump.drain()
    article = kb.create(
        world.owner,
        section_id=f"dept-{department['id']}-instructions",
        status="published",
    )
    assert can_open(world.anna, article["id"])
    world.owner.client.delete(f"/api/org/departments/{department['id']}")
    world.pump.drain()
    assert not can_open(world.anna, article["id"])
    assert can_open(world.owner, article["id"])


def test_access_route_is_for_admins(world, kb):
    article = kb.create(world.boris, status="published")
    response = put(
        world.boris,
        f"/api/kb/articles/{article['id']}/access",
        {"grants": None},
    )
    assert response.status == 403
    bad = put(
        world.owner,
        f"/api/kb/articles/{article['id']}/access",
        {"grants": [{"to": "everyone", "level": "read", "position_id": "x"}]},
    )
    assert bad.status == 400
    assert bad.error_field() == "grants.0"
    missing = put(world.owner, f"/api/kb/articles/{article['id']}/access", {})
    assert missing.status == 400
    assert missing.error_field() == "grants"
