"""Every save is a revision; stale saves get 409 and keep their text."""

import threading

import pytest

from chalicelib.kb.bodies import INLINE_LIMIT_BYTES
from chalicelib.kb.models import Article, Revision
from tests.kb.conftest import put

RACERS = 20


def revisions(person, article_id: str, query: str = "") -> dict:
    response = person.client.get(f"/api/kb/articles/{article_id}/revisions{query}")
    assert response.status == 200, response.body
    return response.json


def test_each_save_adds_a_revision(world, kb):
    article = kb.create(world.boris, body="Первая версия")
    second = kb.save(world.boris, article, body="Вторая версия")
    third = kb.save(world.owner, second, title="Новое имя")
    assert third["revision"] == 3
    assert third["updated_by"]["name"] == "Owner"
    listed = revisions(world.boris, article["id"])["revisions"]
    assert [item["revision"] for item in listed] == [3, 2, 1]
    assert [item["title"] for item in listed] == [
        "Новое имя",
        "Как отгрузить поставку на склад",
        "Как отгрузить поставку на склад",
    ]
    assert listed[0]["saved_by"]["name"] == "Owner"
    assert listed[2]["saved_by"]["name"] == "Борис"
    old = world.boris.client.get(f"/api/kb/articles/{article['id']}/revisions/1")
    assert old.json["revision"]["body"] == "Первая версия"


def test_unchanged_save_adds_nothing(world, kb):
    article = kb.create(world.boris, body="Текст")
    same = kb.save(world.boris, article, body="Текст", title=article["title"])
    assert same["revision"] == 1


def test_revisions_page_with_before(world, kb):
    article = kb.create(world.boris, body="0")
    for number in range(1, 5):
        article = kb.save(world.boris, article, body=str(number))
    first_page = revisions(world.boris, article["id"], "?limit=2")
    assert [item["revision"] for item in first_page["revisions"]] == [5, 4]
    assert first_page["next_before"] == 4
    second_page = revisions(world.boris, article["id"], "?limit=2&before=4")
    assert [item["revision"] for item in second_page["revisions"]] == [3, 2]
    last = revisions(world.boris, article["id"], "?limit=2&before=2")
    assert [item["revision"] for item in last["revisions"]] == [1]
    assert last["next_before"] is None


def test_diff_between_any_two_revisions(world, kb):
    article = kb.create(
        world.boris, body="шаг один\nшаг два\nшаг три\n", status="published"
    )
    second = kb.save(world.boris, article, body="шаг один\nшаг 2\nшаг три\n")
    kb.save(world.boris, second, body="шаг один\nшаг 2\nшаг три\nшаг четыре\n")
    response = world.anna.client.get(
        f"/api/kb/articles/{article['id']}/diff?from=1&to=3"
    )
    assert response.status == 200, response.body
    diff = response.json
    assert diff["diff"].splitlines() == [
        "--- revision 1",
        "+++ revision 3",
        "@@ -1,3 +1,4 @@",
        " шаг один",
        "-шаг два",
        "+шаг 2",
        " шаг три",
        "+шаг четыре",
    ]
    assert diff["added"] == 2
    assert diff["removed"] == 1
    backwards = world.anna.client.get(
        f"/api/kb/articles/{article['id']}/diff?from=3&to=2"
    ).json
    assert "-шаг четыре" in backwards["diff"].splitlines()


def test_restore_makes_a_new_revision(world, kb):
    article = kb.create(world.boris, title="Старое", body="старый текст")
    changed = kb.save(world.boris, article, title="Новое", body="новый текст")
    response = world.boris.client.post(
        f"/api/kb/articles/{article['id']}/revisions/1/restore",
        {"base_revision": changed["revision"]},
    )
    assert response.status == 200, response.body
    restored = response.json["article"]
    assert restored["revision"] == 3
    assert restored["title"] == "Старое"
    assert restored["body"] == "старый текст"
    latest = revisions(world.boris, article["id"])["revisions"][0]
    assert latest["restored_from"] == 1


def test_restore_on_stale_base_conflicts(world, kb):
    article = kb.create(world.boris, body="a")
    kb.save(world.boris, article, body="b")
    response = world.boris.client.post(
        f"/api/kb/articles/{article['id']}/revisions/1/restore", {"base_revision": 1}
    )
    assert response.status == 409
    assert response.json["error"]["current_revision"] == 2


def test_stale_save_returns_current_and_keeps_copy(world, kb):
    article = kb.create(world.boris, body="исходный текст")
    kb.save(world.owner, article, body="правка владельца")
    response = put(
        world.boris,
        f"/api/kb/articles/{article['id']}",
        {"base_revision": 1, "body": "правка Бориса"},
    )
    assert response.status == 409
    error = response.json["error"]
    assert error["field"] == "base_revision"
    assert error["current_revision"] == 2
    assert error["current"]["body"] == "правка владельца"
    copies = world.boris.client.get(f"/api/kb/articles/{article['id']}/conflicts")
    assert [item["id"] for item in copies.json["conflicts"]] == [error["conflict_id"]]
    copy = world.boris.client.get(
        f"/api/kb/articles/{article['id']}/conflicts/{error['conflict_id']}"
    ).json["conflict"]
    assert copy["body"] == "правка Бориса"
    assert copy["base_revision"] == 1
    # Another editor does not see Борис's copy.
    others = world.owner.client.get(f"/api/kb/articles/{article['id']}/conflicts")
    assert others.json["conflicts"] == []
    deleted = world.boris.client.delete(
        f"/api/kb/articles/{article['id']}/conflicts/{error['conflict_id']}"
    )
    assert deleted.status == 204
    again = world.boris.client.get(f"/api/kb/articles/{article['id']}/conflicts")
    assert again.json["conflicts"] == []


@pytest.mark.usefixtures("serialized_writes")
def test_concurrent_saves_have_one_winner(world, kb):
    article = kb.create(world.boris, body="общий исходник")
    barrier = threading.Barrier(RACERS)
    results: list = [None] * RACERS

    def save(number: int) -> None:
        barrier.wait()
        results[number] = put(
            world.boris,
            f"/api/kb/articles/{article['id']}",
            {"base_revision": 1, "body": f"версия номер {number}"},
        )

    threads = [threading.Thread(target=save, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    statuses = sorted(result.status for result in results)
    assert statuses == [200] + [409] * (RACERS - 1)
    winner = next(n for n, result in enumerate(results) if result.status == 200)
    current = kb.get(world.boris, article["id"])
    assert current["revision"] == 2
    assert current["body"] == f"версия номер {winner}"
    listed = revisions(world.boris, article["id"])["revisions"]
    assert [item["revision"] for item in listed] == [2, 1]

    # Nothing is lost: every losing text is a conflict copy of its author.
    kept = set()
    for result in results:
        if result.status == 409:
            conflict_id = result.json["error"]["conflict_id"]
            copy = world.boris.client.get(
                f"/api/kb/articles/{article['id']}/conflicts/{conflict_id}"
            ).json["conflict"]
            kept.add(copy["body"])
    expected = {f"версия номер {n}" for n in range(RACERS) if n != winner}
    assert kept == expected


@pytest.fixture
def serialized_writes():
    """Make moto apply one write at a time, as DynamoDB does for each item."""
    from shtab_local.dynamodb import serialize_writes

    serialize_writes()


def large_body(paragraphs: int) -> str:
    paragraph = (
        "Упакуйте каждый товар в отдельный пакет, наклейте штрихкод поставки "
        "и проверьте, что коробка не тяжелее двадцати пяти килограммов. "
    )
    return "\n\n".join(f"{number}. {paragraph}" for number in range(paragraphs))


def test_large_body_is_stored_outside_the_item(world, kb):
    body = large_body(2500)
    size = len(body.encode())
    assert size > 400 * 1024
    article = kb.create(world.boris, body=body)
    assert kb.get(world.boris, article["id"])["body"] == body

    item = Article.get(f"ARTICLE#{article['id']}", "ARTICLE")
    assert item.body is None
    assert item.body_key.startswith(f"kb/{article['id']}/bodies/")
    assert int(item.body_bytes) == size
    first = Revision.get(f"ARTICLE#{article['id']}", "REVISION#00000001")
    assert first.body is None
    assert first.body_key == item.body_key


def test_large_body_revisions_diff_and_search(world, kb):
    body = large_body(2500)
    article = kb.create(world.boris, body=body, status="published")
    changed = body + "\n\nНовое правило: фотографируйте паллету перед отгрузкой."
    second = kb.save(world.boris, article, body=changed)
    assert kb.get(world.anna, article["id"])["body"] == changed
    assert second["revision"] == 2

    diff = world.boris.client.get(
        f"/api/kb/articles/{article['id']}/diff?from=1&to=2"
    ).json
    assert "+Новое правило: фотографируйте паллету перед отгрузкой." in diff["diff"]

    world.pump.drain()
    assert article["id"] in kb.search(world.anna, "паллеты")
    # A small edit brings the body back inside the item.
    small = kb.save(world.boris, second, body="Коротко.")
    item = Article.get(f"ARTICLE#{article['id']}", "ARTICLE")
    assert item.body == "Коротко."
    assert item.body_key is None
    assert small["revision"] == 3
    world.pump.drain()
    assert article["id"] not in kb.search(world.anna, "паллеты")


def test_inline_limit_boundary(world, kb):
    exact = "a" * INLINE_LIMIT_BYTES
    article = kb.create(world.boris, body=exact)
    item = Article.get(f"ARTICLE#{article['id']}", "ARTICLE")
    assert item.body == exact
    over = kb.save(world.boris, article, body=exact + "b")
    item = Article.get(f"ARTICLE#{article['id']}", "ARTICLE")
    assert item.body is None
    assert kb.get(world.boris, over["id"])["body"] == exact + "b"
