"""Search: Russian word forms, ё and е, ranking and index updates, without Scan."""

import pytest

from chalicelib.search.terms import terms


@pytest.fixture(scope="module")
def articles(world):
    """Published articles about supplies, returns and photos, indexed once."""
    owner = world.owner

    def create(title: str, body: str) -> str:
        response = owner.client.post(
            "/api/kb/articles",
            {
                "section_id": "general",
                "title": title,
                "body": body,
                "status": "published",
            },
        )
        assert response.status == 201, response.body
        return response.json["article"]["id"]

    created = {
        "supply": create(
            "Поставки на склад Wildberries",
            "Создайте поставку в личном кабинете. Поставку принимают за 3 дня.",
        ),
        "returns": create(
            "Возвраты покупателей",
            "Принятые возвраты проверяйте на складе: ёмкость, упаковка, бирки.",
        ),
        "photos": create(
            "Фотосъёмка карточек",
            "Снимайте товар на белом фоне. Поставка образцов — через склад.",
        ),
    }
    world.pump.drain()
    return created


def test_russian_word_forms_match(world, kb, articles):
    for query in ("поставка", "поставки", "поставкой", "поставку"):
        found = kb.search(world.anna, query)
        assert articles["supply"] in found, query
        assert articles["photos"] in found, query
        assert articles["returns"] not in found, query


def test_yo_and_ye_are_the_same_letter(world, kb, articles):
    assert kb.search(world.anna, "емкость") == [articles["returns"]]
    assert kb.search(world.anna, "ЁМКОСТЬ") == [articles["returns"]]


def test_every_word_must_match(world, kb, articles):
    found = kb.search(world.anna, "склад возвраты")
    assert articles["returns"] in found
    assert articles["supply"] not in found
    assert articles["photos"] not in found
    assert kb.search(world.anna, "склад дельфин") == []


def test_title_match_ranks_first(world, kb, articles):
    results = kb.search(world.anna, "поставка")
    assert results.index(articles["supply"]) < results.index(articles["photos"])


def test_results_carry_header_and_snippet(world, articles):
    response = world.anna.client.get("/api/kb/search?q=ёмкость")
    result = response.json["results"][0]
    assert result["title"] == "Возвраты покупателей"
    assert "ёмкость" in result["snippet"]
    assert result["status"] == "published"
    assert response.json["terms"] == terms("ёмкость")


def test_shipped_guide_is_searchable(world, kb):
    world.pump.drain()
    assert "how-to-write-instructions" in kb.search(world.anna, "инструкцию")


def test_edit_replaces_indexed_words(world, kb):
    article = kb.create(
        world.owner,
        section_id="general",
        title="Маркировка",
        body="Честный знак наклеивается на коробку.",
        status="published",
    )
    world.pump.drain()
    assert article["id"] in kb.search(world.anna, "коробки")
    kb.save(world.owner, article, body="Код маркировки печатают на этикетке.")
    world.pump.drain()
    assert article["id"] not in kb.search(world.anna, "коробки")
    assert article["id"] in kb.search(world.anna, "этикетки")
    assert article["id"] in kb.search(world.anna, "маркировкой")


def test_drafts_found_only_by_editors(world, kb):
    draft = kb.create(
        world.boris, title="Черновик про паллетирование", body="Паллетирование."
    )
    world.pump.drain()
    assert draft["id"] in kb.search(world.boris, "паллетирование")
    assert draft["id"] not in kb.search(world.anna, "паллетирование")


def test_search_queries_the_index_without_scan(world, kb, articles):
    from tests.conftest import DYNAMODB_CALLS

    with DYNAMODB_CALLS.measure() as calls:
        kb.search(world.anna, "поставки склад")
    assert calls["Query"] > 0
    assert calls["Scan"] == 0


def test_limit_is_validated(world, articles):
    response = world.anna.client.get("/api/kb/search?q=склад&limit=100")
    assert response.status == 400
    assert response.error_field() == "limit"
    one = world.anna.client.get("/api/kb/search?q=склад&limit=1")
    assert len(one.json["results"]) == 1
    assert one.json["total"] >= 2


def test_terms_fold_and_stem():
    assert terms("Ёлка ёлки ЕЛКУ") == ["елк", "елк", "елк"]
    assert terms("и в на") == []
    assert terms("[текст](article:01ARZ3NDEKTSV4RRFFQ69G5FAV)") == ["текст"]
