"""Weekly meeting notes per department, saved with optimistic concurrency."""

from chalicelib.weeks import notes
from chalicelib.weeks.calendar import IsoWeek
from tests.tasks.conftest import race
from tests.weeks.conftest import CONTENT, MARKETPLACES, current_week, department_id


def _path(week, department: str) -> str:
    return f"/api/weeks/{week}/notes?department_id={department}"


def _put(person, week, department, body):
    return person.client.request("PUT", _path(week, department), body)


def test_notes_save_and_read(team):
    boris, anna = team.boris, team.anna
    week = current_week()
    marketplaces = department_id(team, MARKETPLACES)

    empty = anna.client.get(_path(week, marketplaces))
    assert empty.status == 200, empty.body
    assert empty.json["notes"]["version"] == 0
    assert empty.json["notes"]["text"] == ""

    text = "## Итоги\n\n- цены WB обновлены  \n"
    saved = _put(boris, week, marketplaces, {"text": text, "version": 0})
    assert saved.status == 200, saved.body
    assert saved.json["notes"]["version"] == 1

    read = anna.client.get(_path(week, marketplaces)).json["notes"]
    assert read["text"] == text
    assert read["updated_by"] == boris.id
    edited = _put(anna, week, marketplaces, {"text": text + "- ещё\n", "version": 1})
    assert edited.json["notes"]["version"] == 2


def test_stale_notes_keep_both_texts(team):
    boris, anna = team.boris, team.anna
    week = current_week()
    marketplaces = department_id(team, MARKETPLACES)
    assert (
        _put(boris, week, marketplaces, {"text": "первый", "version": 0}).status == 200
    )

    stale = _put(anna, week, marketplaces, {"text": "второй", "version": 0})

    assert stale.status == 409
    error = stale.json["error"]
    assert error["field"] == "version"
    assert error["current"]["text"] == "первый"
    assert error["current"]["version"] == 1
    assert error["yours"] == {"text": "второй", "version": 0}


def test_concurrent_notes_one_wins(team):
    boris = team.boris
    marketplaces = department_id(team, MARKETPLACES)
    week = IsoWeek(2026, 10)

    outcomes = race(
        [
            lambda number=number: notes.save_notes(
                marketplaces, week, f"текст {number}", 0, boris.id
            )
            for number in range(20)
        ]
    )

    assert outcomes.count("ok") == 1
    assert outcomes.count("conflict") == 19
    stored = boris.client.get(_path(week, marketplaces)).json["notes"]
    assert stored["version"] == 1
    assert stored["text"].startswith("текст ")


def test_notes_access_rules(team):
    anna, gleb, katya, owner = team.anna, team.gleb, team.katya, team.owner
    week = current_week()
    marketplaces = department_id(team, MARKETPLACES)
    content = department_id(team, CONTENT)

    assert katya.client.get(_path(week, marketplaces)).status == 403
    assert gleb.client.get(_path(week, marketplaces)).status == 403
    forbidden = _put(gleb, week, marketplaces, {"text": "x", "version": 0})
    assert forbidden.status == 403
    assert anna.client.get(_path(week, content)).status == 403
    assert owner.client.get(_path(week, content)).status == 200
    assert _put(katya, week, content, {"text": "x", "version": 0}).status == 200


def test_notes_validate_input(team):
    boris = team.boris
    week = current_week()
    marketplaces = department_id(team, MARKETPLACES)
    cases = [
        ({"text": "x" * 20_001, "version": 0}, "text"),
        ({"text": 5, "version": 0}, "text"),
        ({"version": 0}, "text"),
        ({"text": "x"}, "version"),
        ({"text": "x", "version": 1.5}, "version"),
        ({"text": "x", "version": 0, "title": "x"}, "title"),
    ]
    for body, field in cases:
        response = _put(boris, week, marketplaces, body)
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, (body, response.body)
    assert (
        _put(boris, week, marketplaces, {"text": "я" * 20_000, "version": 0}).status
        == 200
    )
    missing = boris.client.get(f"/api/weeks/{week}/notes")
    assert missing.status == 400
    assert missing.error_field() == "department_id"
    unknown = boris.client.get(_path(week, "no-such-department"))
    assert unknown.error_field() == "department_id"
