"""Parent tasks, subtasks and blocked-by links never form a cycle."""

from chalicelib.tasks.schemas import TaskUpdate
from tests.tasks.conftest import gate_commits, new_task, patch_task, race_updates


def test_subtask_listed_on_parent(team):
    parent = new_task(team.owner, team.anna, title="Запуск товара")
    child = new_task(team.owner, team.john, title="Фото", parent_id=parent["id"])
    assert child["parent_id"] == parent["id"]
    stored = team.owner.client.get(f"/api/tasks/{parent['id']}").json["task"]
    assert stored["subtask_ids"] == [child["id"]]
    # Анна sees the parent but not John's subtask, so its title stays hidden.
    assert (
        team.anna.client.get(f"/api/tasks/{parent['id']}").json["task"]["subtasks"]
        == []
    )

    moved = patch_task(team.owner, child["id"], {"parent_id": None})
    assert moved.status == 200
    stored = team.owner.client.get(f"/api/tasks/{parent['id']}").json["task"]
    assert stored["subtask_ids"] == []


def test_parent_cycle_rejected(team):
    top = new_task(team.owner, team.anna, title="Верх")
    middle = new_task(team.owner, team.anna, title="Середина", parent_id=top["id"])
    bottom = new_task(team.owner, team.anna, title="Низ", parent_id=middle["id"])

    for parent_id in (bottom["id"], middle["id"], top["id"]):
        response = patch_task(team.owner, top["id"], {"parent_id": parent_id})
        assert response.status == 409, parent_id
        assert response.error_field() == "parent_id"


def test_parent_must_be_visible(team):
    hidden = new_task(team.owner, team.katya, title="Чужая")
    response = team.anna.client.post(
        "/api/tasks",
        {"title": "Под чужой", "assignee_id": team.anna.id, "parent_id": hidden["id"]},
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"


def test_blocked_by_cycle_rejected(team):
    first = new_task(team.owner, team.anna, title="1")
    second = new_task(team.owner, team.anna, title="2", blocked_by_ids=[first["id"]])
    third = new_task(team.owner, team.anna, title="3", blocked_by_ids=[second["id"]])

    for blocker in (third["id"], second["id"], first["id"]):
        response = patch_task(team.owner, first["id"], {"blocked_by_ids": [blocker]})
        assert response.status == 409, blocker
        assert response.error_field() == "blocked_by_ids"
    # A link that closes no cycle is fine.
    response = patch_task(team.owner, third["id"], {"blocked_by_ids": [first["id"]]})
    assert response.status == 200
    assert response.json["task"]["blocked_by_ids"] == [first["id"]]


def test_missing_blocker_rejected(team):
    response = team.owner.client.post(
        "/api/tasks",
        {
            "title": "Ждёт",
            "assignee_id": team.anna.id,
            "blocked_by_ids": ["01HMISSING0000000000000000"],
        },
    )
    assert response.status == 400
    assert response.error_field() == "blocked_by_ids"


def test_concurrent_links_never_close_a_cycle(team, monkeypatch):
    """Two requests that each link one direction: at most one may commit."""
    gate_commits(monkeypatch, 2)
    for _round in range(3):
        first = new_task(team.owner, team.anna, title="А")
        second = new_task(team.owner, team.anna, title="Б")
        outcomes = race_updates(
            team.owner,
            "owner",
            [
                (first["id"], TaskUpdate(blocked_by_ids=[second["id"]])),
                (second["id"], TaskUpdate(blocked_by_ids=[first["id"]])),
            ],
        )
        assert outcomes == ["conflict", "ok"]
        links = [
            team.owner.client.get(f"/api/tasks/{task_id}").json["task"][
                "blocked_by_ids"
            ]
            for task_id in (first["id"], second["id"])
        ]
        assert sorted(len(ids) for ids in links) == [0, 1]


def test_concurrent_parents_never_close_a_cycle(team, monkeypatch):
    gate_commits(monkeypatch, 2)
    for _round in range(3):
        first = new_task(team.owner, team.anna, title="А")
        second = new_task(team.owner, team.anna, title="Б")
        outcomes = race_updates(
            team.owner,
            "owner",
            [
                (first["id"], TaskUpdate(parent_id=second["id"])),
                (second["id"], TaskUpdate(parent_id=first["id"])),
            ],
        )
        assert outcomes == ["conflict", "ok"]
        parents = [
            team.owner.client.get(f"/api/tasks/{task_id}").json["task"]["parent_id"]
            for task_id in (first["id"], second["id"])
        ]
        assert parents.count(None) == 1
