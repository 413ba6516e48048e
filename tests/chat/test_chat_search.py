"""Full-text chat search: Russian word forms, visibility, filters and paging."""

from datetime import datetime, timedelta

import pytest

from chalicelib.chat import channels
from chalicelib.chat.models import Message, channel_pk, message_sk
from chalicelib.tasks.due import company_time_zone


def _channel(person, name: str, member_ids=()) -> str:
    created = person.client.post(
        "/api/chat/channels", {"name": name, "member_ids": list(member_ids)}
    )
    assert created.status == 201, created.body
    return created.json["channel"]["id"]


def _post(person, channel_id: str, text: str) -> str:
    posted = person.client.post(
        f"/api/chat/channels/{channel_id}/messages", {"text": text}
    )
    assert posted.status == 201, posted.body
    return posted.json["message"]["id"]


def _search(person, query: str, **params) -> dict:
    params["q"] = query
    query_string = "&".join(f"{key}={value}" for key, value in params.items())
    response = person.client.get(f"/api/chat/search?{query_string}")
    assert response.status == 200, response.body
    return response.json


def _texts(result: dict) -> list[str]:
    return [message["text"] for message in result["results"]]


@pytest.fixture
def team(owner, hire, pump):
    anna = hire("Анна")
    boris = hire("Борис")
    shared = _channel(owner, "поставки", [anna.id, boris.id])
    pump.drain()
    return {"owner": owner, "anna": anna, "boris": boris, "shared": shared}


def test_russian_word_forms_match(team, pump):
    _post(team["anna"], team["shared"], "Нужно закрыть задачу по поставке")
    _post(team["anna"], team["shared"], "Ёлка в офисе")
    pump.drain()

    for query in ("задача", "задачи", "ЗАДАЧУ", "Задачей"):
        assert _texts(_search(team["boris"], query)) == [
            "Нужно закрыть задачу по поставке"
        ], query
    assert _texts(_search(team["boris"], "елка")) == ["Ёлка в офисе"]
    assert _texts(_search(team["boris"], "ёлки")) == ["Ёлка в офисе"]


def test_english_forms_match(team, pump):
    _post(team["anna"], team["shared"], "The boxes shipped yesterday")
    pump.drain()

    assert _texts(_search(team["boris"], "shipping box")) == [
        "The boxes shipped yesterday"
    ]


def test_every_term_must_match(team, pump):
    _post(team["anna"], team["shared"], "закрыть поставку коробок")
    _post(team["anna"], team["shared"], "закрыть отчёт")
    pump.drain()

    assert _texts(_search(team["boris"], "закрыть поставка")) == [
        "закрыть поставку коробок"
    ]
    assert len(_search(team["boris"], "закрыть")["results"]) == 2


def test_highlights_name_matched_words(team, pump):
    _post(team["anna"], team["shared"], "Задачи и задача")
    pump.drain()

    [hit] = _search(team["boris"], "задачу")["results"]
    assert hit["highlights"] == ["задача", "задачи"]


def test_other_channels_stay_hidden(team, hire, pump):
    private = _channel(team["owner"], "руководство")
    _post(team["owner"], private, "секретная поставка")
    _post(team["anna"], team["shared"], "обычная поставка")
    pump.drain()

    assert _texts(_search(team["anna"], "поставка")) == ["обычная поставка"]
    denied = team["anna"].client.get(
        f"/api/chat/search?q=поставка&channel_id={private}"
    )
    assert denied.status == 403
    assert denied.json["error"]["field"] == "channel_id"


def test_removed_member_stops_finding(team, pump):
    _post(team["owner"], team["shared"], "планёрка в пятницу")
    pump.drain()
    assert _texts(_search(team["anna"], "планерка"))

    channels.remove_member(team["shared"], team["anna"].id)

    assert _search(team["anna"], "планерка")["results"] == []


def test_edit_and_delete_update_index(team, pump):
    message_id = _post(team["anna"], team["shared"], "старый текст про склад")
    pump.drain()
    message = Message.get(channel_pk(team["shared"]), message_sk(message_id))

    message.update(actions=[Message.text.set("новый текст про маркировку")])
    pump.drain()

    assert _search(team["boris"], "склад")["results"] == []
    assert _texts(_search(team["boris"], "маркировка")) == [
        "новый текст про маркировку"
    ]

    message.delete()
    pump.drain()

    assert _search(team["boris"], "маркировка")["results"] == []


def test_author_and_channel_filters(team, pump):
    other = _channel(team["owner"], "реклама", [team["anna"].id])
    _post(team["anna"], team["shared"], "бюджет от Анны")
    _post(team["boris"], team["shared"], "бюджет от Бориса")
    _post(team["anna"], other, "бюджет рекламы")
    pump.drain()

    by_anna = _search(team["owner"], "бюджет", author_id=team["anna"].id)
    assert sorted(_texts(by_anna)) == ["бюджет от Анны", "бюджет рекламы"]
    in_other = _search(team["owner"], "бюджет", channel_id=other)
    assert _texts(in_other) == ["бюджет рекламы"]


def test_date_range_filter(team, pump):
    _post(team["anna"], team["shared"], "отгрузка сегодня")
    pump.drain()
    # Dates are whole days in the company's time zone, not the machine's.
    today = datetime.now(company_time_zone()).date()
    tomorrow = today + timedelta(days=1)
    yesterday = today - timedelta(days=1)

    assert _search(team["boris"], "отгрузка", **{"from": tomorrow})["results"] == []
    assert (
        _search(team["boris"], "отгрузка", to=yesterday - timedelta(days=1))["results"]
        == []
    )
    around = _search(team["boris"], "отгрузка", **{"from": yesterday, "to": tomorrow})
    assert _texts(around) == ["отгрузка сегодня"]


def test_pages_cover_every_hit(team, pump):
    for number in range(25):
        _post(team["anna"], team["shared"], f"заказ номер {number}")
    pump.drain()

    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 10}
        if cursor:
            params["cursor"] = cursor
        page = _search(team["boris"], "заказ", **params)
        seen.extend(message["id"] for message in page["results"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert len(seen) == 25
    assert len(set(seen)) == 25
    assert pages == 3


def test_newest_first(team, pump):
    for text in ("первый отчёт", "второй отчёт", "третий отчёт"):
        _post(team["anna"], team["shared"], text)
    pump.drain()

    assert _texts(_search(team["boris"], "отчет")) == [
        "третий отчёт",
        "второй отчёт",
        "первый отчёт",
    ]


@pytest.mark.parametrize(
    ("query_string", "field"),
    [
        ("", "q"),
        ("q=", "q"),
        ("q=и в на", "q"),
        ("q=" + "слово " * 50, "q"),
        ("q=склад&from=вчера", "from"),
        ("q=склад&to=2026-13-01", "to"),
        ("q=склад&from=2026-05-02&to=2026-05-01", "to"),
        ("q=склад&limit=0", "limit"),
        ("q=склад&limit=101", "limit"),
        ("q=склад&cursor=abc", "cursor"),
        ("q=склад&channel_id=" + "x" * 100, "channel_id"),
        ("q=склад&author_id=" + "x" * 100, "author_id"),
    ],
)
def test_bad_search_rejected(team, query_string, field):
    response = team["anna"].client.get(f"/api/chat/search?{query_string}")

    assert response.status == 400, response.body
    assert response.json["error"]["field"] == field


def test_search_needs_sign_in(api):
    assert api.get("/api/chat/search?q=склад").status == 401
