"""POST /api/tasks/import/preview and the column mapping of an import.

The fixtures are real exports kept by other projects; tests/fixtures/tasks/
README.md names each source and licence. The Jira and Trello CSV samples are
written here after the headers those trackers export.
"""

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from chalicelib.tasks.models import Task

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tasks"
OCTET_STREAM = {"Content-Type": "application/octet-stream"}

JIRA_CSV = (
    "Summary,Issue key,Issue id,Parent id,Issue Type,Status,Priority,Assignee,"
    "Reporter,Due Date,Labels,Labels,Comment,Description\n"
    "Поднять цены,SHOP-1,10001,,Task,In Progress,Highest,boris@example.com,"
    "anna,12.01.2027,wb,ozon,05/Jan/27 10:00 AM;5b10ac8d;Начал,Первая\n"
    "Проверить остатки,SHOP-2,10002,10001,Sub-task,To Do,Low,Ivan Petrov,"
    "anna,,,,,\n"
)
TRELLO_CSV = (
    "Card ID,Card Name,Card URL,Card Description,Labels,Members,Due Date,"
    "List ID,List Name,Board ID,Board Name,Archived\n"
    "c1,Купить коробки,https://trello.com/c/1,,склад,Анна,,l1,Doing,b1,Склад,false\n"
    "c2,Старая карточка,https://trello.com/c/2,,,,,l2,Done,b1,Склад,true\n"
)


def preview(person, raw: bytes, query: str):
    return person.client.post(
        f"/api/tasks/import/preview?{query}", raw=raw, headers=OCTET_STREAM
    )


def columns_of(body: dict) -> dict[str, str | None]:
    return {column["name"]: column["field"] for column in body["columns"]}


def test_preview_trello_board(team, pump):
    raw = (FIXTURES / "trello-kanban-board.json").read_bytes()

    response = preview(team.boris, raw, "format=trello")

    assert response.status == 200, response.body
    body = response.json
    assert body["shape"] == "trello_json"
    assert columns_of(body) == {
        "id": "source_id",
        "name": "title",
        "desc": "description",
        "list": "status",
        "due": "due",
        "members": "responsible",
        "labels": "tags",
        "checklists": "checklist",
        "comments": "comments",
    }
    statuses = {item["name"]: item["status"] for item in body["statuses"]}
    assert statuses["Doing"] == "in_progress"
    assert statuses["Done 🎉"] == "done"
    assert statuses["Code Review"] == "review"
    assert "Running" not in statuses
    assert body["rows"] == 14
    assert len(body["skipped"]) == 2
    assert len(body["samples"]) == 5
    assert body["samples"][0]["responsible"]["id"] == team.boris.id
    assert body["people"] == []
    assert list(Task.creator_index.query(team.boris.id)) == []


def test_preview_trello_people_and_checklist(team, pump):
    # People are hired on first use, so before the preview.
    assert team.anna.id
    board = json.loads((FIXTURES / "trello-checklists-comments.json").read_text())
    board["members"] = [
        {"id": "m1", "fullName": "Анна", "username": "anna"},
        {"id": "m2", "fullName": "Иван Петров", "username": "ivan"},
        {"id": "m3", "fullName": "Someone", "email": team.john.email},
    ]
    board["cards"][0]["idMembers"] = ["m1", "m2", "m3"]

    response = preview(team.boris, json.dumps(board).encode(), "format=trello")

    assert response.status == 200, response.body
    people = {item["name"]: item for item in response.json["people"]}
    assert people["Анна"]["user_id"] == team.anna.id
    assert people["Анна"]["matched_by"] == "name"
    assert people["Someone"]["user_id"] == team.john.id
    assert people["Someone"]["matched_by"] == "email"
    assert people["Иван Петров"]["action"] == "placeholder"
    assert people["Иван Петров"]["placeholder_id"].startswith("placeholder-")
    [sample] = response.json["samples"]
    assert sample["responsible"]["id"] == team.anna.id
    assert [item["name"] for item in sample["co_assignees"]] == [
        "Иван Петров",
        "John",
    ]
    assert sample["co_assignees"][0]["placeholder"] is True
    assert sample["checklist"] == 1
    assert sample["comments"] == 1


def test_preview_plane_csv(team, pump):
    raw = (FIXTURES / "plane-export.csv").read_bytes()

    response = preview(team.boris, raw, "format=csv")

    assert response.status == 200, response.body
    body = response.json
    assert body["shape"] == "plane_csv"
    columns = columns_of(body)
    assert columns["Name"] == "title"
    assert columns["State Name"] == "status"
    assert columns["Assignees"] == "responsible"
    assert columns["Subscribers"] == "watchers"
    assert columns["Identifier"] == "source_id"
    assert columns["Parent"] == "parent"
    assert columns["Comments"] == "comments"
    assert columns["Created By Name"] is None
    assert body["rows"] == 7
    people = {item["name"]: item["action"] for item in body["people"]}
    assert people == {
        "Jane Smith": "placeholder",
        "John Doe": "placeholder",
        "Alice Brown": "placeholder",
        "Bob Wilson": "placeholder",
    }
    name_column = next(item for item in body["columns"] if item["name"] == "Name")
    assert name_column["samples"][0] == "Implement user authentication"


def test_preview_generic_csv(team, pump):
    raw = (FIXTURES / "generic-multiline.csv").read_bytes()

    response = preview(team.boris, raw, "format=csv")

    assert response.status == 200, response.body
    body = response.json
    assert body["shape"] == "csv"
    assert columns_of(body) == {
        "Title": "title",
        "Description": "description",
        "List": "status",
    }
    [sample] = body["samples"]
    assert sample["status"] == "new"
    assert sample["status_name"] == "Audit list"


def test_preview_jira_csv(team, pump):
    text = JIRA_CSV.replace("boris@example.com", team.boris.email)

    response = preview(team.boris, text.encode(), "format=csv")

    assert response.status == 200, response.body
    body = response.json
    assert body["shape"] == "jira_csv"
    columns = columns_of(body)
    assert columns["Summary"] == "title"
    assert columns["Issue id"] == "source_id"
    assert columns["Parent id"] == "parent"
    assert columns["Labels"] == "tags"
    assert columns["Comment"] == "comments"
    first, second = body["samples"]
    assert first["tags"] == ["wb", "ozon"]
    assert first["priority"] == "urgent"
    assert first["due"] == "2027-01-12"
    assert first["responsible"]["id"] == team.boris.id
    assert second["parent"] == "10001"
    assert second["responsible"]["placeholder"] is True


def test_preview_trello_csv(team, pump):
    assert team.anna.id
    response = preview(team.boris, TRELLO_CSV.encode(), "format=csv")

    assert response.status == 200, response.body
    body = response.json
    assert body["shape"] == "trello_csv"
    assert body["rows"] == 1
    assert body["skipped"] == [{"row": "line 3", "reason": "the row is archived"}]
    [sample] = body["samples"]
    assert sample["responsible"]["id"] == team.anna.id
    assert sample["status"] == "in_progress"


def test_edited_mapping_changes_samples(team, pump):
    assert team.anna.id
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    columns = quote(json.dumps({"Name": None, "Identifier": "title", "Parent": None}))
    statuses = quote(json.dumps({"Todo": "postponed"}))
    people = quote(json.dumps({"jane smith": team.anna.id, "john doe": "none"}))

    response = preview(
        team.boris,
        raw,
        f"format=csv&columns={columns}&statuses={statuses}&people={people}",
    )

    assert response.status == 200, response.body
    body = response.json
    first, second = body["samples"][:2]
    assert first["title"] == "TEST-1"
    assert first["status"] == "postponed"
    assert first["responsible"]["id"] == team.anna.id
    assert second["responsible"]["id"] == team.anna.id
    assert second["co_assignees"] == []
    people_actions = {item["key"]: item["action"] for item in body["people"]}
    assert people_actions["john doe"] == "none"
    assert people_actions["jane smith"] == "user"


def test_mapping_applies_to_import(team, pump):
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    columns = quote(json.dumps({"Created By Name": "creator", "Labels": None}))
    people = quote(json.dumps({"jane smith": team.anna.id}))

    response = team.owner.client.post(
        f"/api/tasks/import?format=csv&columns={columns}&people={people}",
        raw=raw,
        headers=OCTET_STREAM,
    )

    assert response.status == 201, response.body
    tasks = {
        task.title: task
        for task_id in response.json["task_ids"]
        for task in [Task.get(f"TASK#{task_id}", "TASK")]
    }
    auth = tasks["Implement user authentication"]
    assert auth.assignee_id == team.anna.id
    assert auth.tags == []
    assert auth.creator_id.startswith("placeholder-")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"columns": {"Name": "headline"}}, "unknown field 'headline'"),
        ({"columns": {"Nope": "title"}}, "no column 'Nope'"),
        ({"columns": {"Name": None}}, "no column maps to 'title'"),
        (
            {"columns": {"Identifier": "title"}},
            "columns 'Identifier' and 'Name' both map to 'title'",
        ),
        ({"columns": ["Name"]}, "JSON object of source columns"),
        ({"people": {"nobody here": "placeholder"}}, "no person 'nobody here'"),
        ({"people": {"john doe": "01NOTAUSER"}}, "not an active user"),
        ({"statuses": {"Todo": "later"}}, "maps to 'later'"),
        ({"statuses": {"Blocked": "done"}}, "no status or list named 'Blocked'"),
    ],
)
def test_bad_mapping_rejected(team, pump, query, words):
    raw = (FIXTURES / "plane-export.csv").read_bytes()
    encoded = "&".join(
        f"{name}={quote(json.dumps(value))}" for name, value in query.items()
    )
    field = next(iter(query))

    for path in (
        "/api/tasks/import/preview",
        "/api/tasks/import",
        "/api/tasks/import/csv",
    ):
        suffix = "" if path.endswith("/csv") else "format=csv&"
        response = team.boris.client.post(
            f"{path}?{suffix}{encoded}", raw=raw, headers=OCTET_STREAM
        )
        assert response.status == 400, (path, response.body)
        assert response.json["error"]["field"] == field, path
        assert words in response.json["error"]["message"], path
    assert list(Task.creator_index.query(team.boris.id)) == []


def test_preview_needs_importer(team, pump):
    response = preview(team.anna, b"title\nX\n", "format=csv")

    assert response.status == 403
