"""Org edits that race each other, loops already in stored data, and empty PATCHes.

Races run on real threads that a barrier starts together, repeated for a
bounded number of rounds. Where a free race would hit the window only by luck,
a gate also delays each request's first write until both requests have passed
their checks. That is the window that checking before writing cannot see,
and the tests named ``gated`` run with the gate.
"""

import threading

import pytest

from chalicelib.chat.channels import department_key, find_channel_by_key
from chalicelib.clock import utc_now
from chalicelib.org import service
from chalicelib.org.models import (
    DEPARTMENT_PARTITION,
    POSITION_PARTITION,
    Department,
    Position,
)
from tests.support.org import create_department, create_position

ROUNDS = 10
# Long enough for a slow request, short enough that a hang fails the test.
PROMPT_SECONDS = 15
RACER_PREFIX = "org-racer"
MISSING_ID = "01HMISSING000000000000000"
RACE_MESSAGE = "The org structure changed at the same time; reload and try again."


# Helpers


def department_parents(client) -> dict[str, str | None]:
    departments = client.get("/api/org/departments").json["departments"]
    return {item["id"]: item["parent_id"] for item in departments}


def stored_positions(client) -> dict[str, dict]:
    positions = client.get("/api/org/positions").json["positions"]
    return {item["id"]: item for item in positions}


def position_managers(client) -> dict[str, str | None]:
    return {key: item["reports_to"] for key, item in stored_positions(client).items()}


def has_loop(links: dict[str, str | None]) -> bool:
    for start in links:
        seen = set()
        cursor = start
        while cursor is not None and cursor in links:
            if cursor in seen:
                return True
            seen.add(cursor)
            cursor = links[cursor]
    return False


def walk(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from walk(node["children"])


def chart_ids(client) -> list[str]:
    roots = promptly(lambda: client.get("/api/org/chart")).json["departments"]
    return sorted(node["id"] for node in walk(roots))


def promptly(call):
    """Run ``call`` in a thread and fail, instead of hanging, if it does not return.

    A request stuck in an endless loop keeps its daemon thread spinning, but the
    test ends.
    """
    outcome = {}

    def run():
        try:
            outcome["result"] = call()
        except BaseException as error:
            # Raised again in the test thread, where pytest reports it.
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(PROMPT_SECONDS)
    assert not thread.is_alive(), f"no answer within {PROMPT_SECONDS} seconds"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def race(*calls) -> list:
    """Start every call at once on its own thread; return their results in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[dict] = [{} for _ in calls]

    def run(index: int) -> None:
        try:
            barrier.wait(PROMPT_SECONDS)
            outcomes[index]["result"] = calls[index]()
        except BaseException as error:
            # Raised again in the test thread, where pytest reports it.
            outcomes[index]["error"] = error

    threads = [
        threading.Thread(target=run, args=(index,), name=f"{RACER_PREFIX}-{index}")
        for index in range(len(calls))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(PROMPT_SECONDS * 2)
    assert not any(thread.is_alive() for thread in threads), "a racing call hung"
    for outcome in outcomes:
        if "error" in outcome:
            raise outcome["error"]
    return [outcome["result"] for outcome in outcomes]


class WriteGate:
    """Hold each racer's first DynamoDB write until every racer has reached one.

    Both requests have then read and checked, and neither has written yet.
    """

    def __init__(self, parties: int) -> None:
        self._barrier = threading.Barrier(parties)
        self._passed: set[threading.Thread] = set()

    def wrap(self, original):
        gate = self

        def gated(item, *args, **kwargs):
            thread = threading.current_thread()
            if thread.name.startswith(RACER_PREFIX) and thread not in gate._passed:
                gate._passed.add(thread)
                gate._barrier.wait(PROMPT_SECONDS)
            return original(item, *args, **kwargs)

        return gated

    def install(self, monkeypatch) -> None:
        for model in (Department, Position):
            for method in ("save", "update", "delete"):
                monkeypatch.setattr(model, method, self.wrap(getattr(model, method)))


@pytest.fixture
def gate(monkeypatch) -> WriteGate:
    write_gate = WriteGate(parties=2)
    write_gate.install(monkeypatch)
    return write_gate


def plant_department(department_id: str, parent_id: str | None) -> None:
    """Write a department straight to the table, past every check of the service."""
    now = utc_now()
    Department(
        DEPARTMENT_PARTITION,
        department_id,
        name=department_id,
        parent_id=parent_id,
        created_at=now,
        updated_at=now,
    ).save()


def plant_position(position_id: str, department_id: str, reports_to: str | None):
    now = utc_now()
    Position(
        POSITION_PARTITION,
        position_id,
        department_id=department_id,
        name=position_id,
        reports_to=reports_to,
        created_at=now,
        updated_at=now,
    ).save()


def patcher(client, path: str, body: dict):
    return lambda: client.patch(path, body).status


def poster(client, path: str, body: dict):
    return lambda: client.post(path, body)


def deleter(client, path: str):
    return lambda: client.delete(path).status


# Two moves that together would close a loop


def run_department_loop_race(client, round_number: int) -> None:
    first = create_department(client, f"Первый {round_number}")["id"]
    second = create_department(client, f"Второй {round_number}")["id"]
    statuses = race(
        patcher(client, f"/api/org/departments/{first}", {"parent_id": second}),
        patcher(client, f"/api/org/departments/{second}", {"parent_id": first}),
    )
    parents = department_parents(client)
    assert set(statuses) <= {200, 400, 409}, statuses
    assert statuses.count(200) <= 1, statuses
    assert not has_loop(parents), parents
    assert parents[first] == (second if statuses[0] == 200 else None), statuses
    assert parents[second] == (first if statuses[1] == 200 else None), statuses
    assert chart_ids(client) == sorted(parents)


def test_racing_department_moves_leave_no_loop(owner):
    for round_number in range(ROUNDS):
        run_department_loop_race(owner.client, round_number)


def test_gated_department_moves_leave_no_loop(owner, gate):
    for round_number in range(ROUNDS):
        run_department_loop_race(owner.client, round_number)


def test_department_loop_race_answers_conflict(owner, gate):
    first = create_department(owner.client, "Первый")["id"]
    second = create_department(owner.client, "Второй")["id"]
    responses = race(
        lambda: owner.client.patch(
            f"/api/org/departments/{first}", {"parent_id": second}
        ),
        lambda: owner.client.patch(
            f"/api/org/departments/{second}", {"parent_id": first}
        ),
    )
    messages = [
        response.json["error"]["message"]
        for response in responses
        if response.status == 409
    ]
    assert RACE_MESSAGE in messages


def run_position_loop_race(client, department_id: str, round_number: int) -> None:
    first = create_position(client, f"Первая {round_number}", department_id)["id"]
    second = create_position(client, f"Вторая {round_number}", department_id)["id"]
    statuses = race(
        patcher(client, f"/api/org/positions/{first}", {"reports_to": second}),
        patcher(client, f"/api/org/positions/{second}", {"reports_to": first}),
    )
    managers = position_managers(client)
    assert set(statuses) <= {200, 400, 409}, statuses
    assert statuses.count(200) <= 1, statuses
    assert not has_loop(managers), managers
    assert managers[first] == (second if statuses[0] == 200 else None), statuses
    assert managers[second] == (first if statuses[1] == 200 else None), statuses


def test_racing_reports_to_leave_no_loop(owner):
    department = create_department(owner.client, "Склад")["id"]
    for round_number in range(ROUNDS):
        run_position_loop_race(owner.client, department, round_number)


def test_gated_reports_to_leave_no_loop(owner, gate):
    department = create_department(owner.client, "Склад")["id"]
    for round_number in range(ROUNDS):
        run_position_loop_race(owner.client, department, round_number)


def test_undo_onto_deleted_parent_clears_parent(owner, monkeypatch):
    old_parent = create_department(owner.client, "Старый")["id"]
    moved = create_department(owner.client, "Движимый", old_parent)["id"]
    target = create_department(owner.client, "Цель")["id"]
    original = service._department_out_of_place
    interleaved = []

    def others_write_first(department_id, parent_id):
        # Between this move and its verification, another move hangs the
        # target under the moved department and the old parent is deleted.
        if not interleaved:
            interleaved.append(department_id)
            plant_department(target, moved)
            Department(DEPARTMENT_PARTITION, old_parent).delete()
        return original(department_id, parent_id)

    monkeypatch.setattr(service, "_department_out_of_place", others_write_first)
    response = owner.client.patch(
        f"/api/org/departments/{moved}", {"parent_id": target}
    )
    parents = department_parents(owner.client)
    assert response.status == 409
    assert parents[moved] is None
    assert not has_loop(parents)


# Loops already in stored data


@pytest.fixture
def planted_loop(owner) -> tuple[str, str]:
    """Two departments that are each other's parent, as racing moves once left."""
    plant_department("loop-a", "loop-b")
    plant_department("loop-b", "loop-a")
    return "loop-a", "loop-b"


def test_move_under_planted_loop_answers(owner, planted_loop):
    free = create_department(owner.client, "Свободный")["id"]
    response = promptly(
        lambda: owner.client.patch(
            f"/api/org/departments/{free}", {"parent_id": planted_loop[0]}
        )
    )
    assert response.status == 409
    assert department_parents(owner.client)[free] is None


def test_create_under_planted_loop_answers(owner, planted_loop):
    response = promptly(
        lambda: owner.client.post(
            "/api/org/departments", {"name": "Новый", "parent_id": planted_loop[0]}
        )
    )
    assert response.status == 409
    assert sorted(department_parents(owner.client)) == sorted(planted_loop)


def test_chart_shows_planted_loop(owner, planted_loop):
    assert chart_ids(owner.client) == sorted(planted_loop)


def test_chart_keeps_department_below_loop(owner, planted_loop):
    below = create_department(owner.client, "Ниже")
    plant_department(below["id"], planted_loop[0])
    assert chart_ids(owner.client) == sorted([*planted_loop, below["id"]])


def test_planted_loop_broken_by_move_to_top(owner, planted_loop):
    response = promptly(
        lambda: owner.client.patch(
            f"/api/org/departments/{planted_loop[0]}", {"parent_id": None}
        )
    )
    assert response.status == 200
    assert not has_loop(department_parents(owner.client))


def test_chart_shows_department_of_missing_parent(owner):
    plant_department("stray", MISSING_ID)
    roots = promptly(lambda: owner.client.get("/api/org/chart")).json["departments"]
    assert [root["id"] for root in roots] == ["stray"]


def test_reports_to_planted_loop_answers(owner):
    department = create_department(owner.client, "Склад")["id"]
    plant_position("loop-a", department, "loop-b")
    plant_position("loop-b", department, "loop-a")
    free = create_position(owner.client, "Свободная", department)["id"]
    response = promptly(
        lambda: owner.client.patch(
            f"/api/org/positions/{free}", {"reports_to": "loop-a"}
        )
    )
    assert response.status == 409
    assert position_managers(owner.client)[free] is None


def test_create_position_under_loop_answers(owner):
    department = create_department(owner.client, "Склад")["id"]
    plant_position("loop-a", department, "loop-b")
    plant_position("loop-b", department, "loop-a")
    response = promptly(
        lambda: owner.client.post(
            "/api/org/positions",
            {"name": "Новая", "department_id": department, "reports_to": "loop-a"},
        )
    )
    assert response.status == 409


# Deleted while being edited


def delete_after_read(monkeypatch, name: str, model, partition: str) -> None:
    """Make the service's first read of an item be followed by its deletion.

    This is a DELETE that lands after a PATCH has read the item and before the
    PATCH writes.
    """
    original = getattr(service, name)
    done = []

    def read_then_delete(item_id, *args, **kwargs):
        item = original(item_id, *args, **kwargs)
        if not done:
            done.append(item_id)
            model(partition, item_id).delete()
        return item

    monkeypatch.setattr(service, name, read_then_delete)


def test_position_deleted_during_patch_stays_deleted(owner, monkeypatch):
    department = create_department(owner.client, "Склад")["id"]
    position = create_position(owner.client, "Кладовщик", department)["id"]
    delete_after_read(monkeypatch, "get_position", Position, POSITION_PARTITION)
    response = owner.client.patch(f"/api/org/positions/{position}", {"name": "Новое"})
    assert response.status == 404
    assert stored_positions(owner.client) == {}


def test_department_deleted_during_patch_stays_deleted(owner, monkeypatch):
    department = create_department(owner.client, "Склад")["id"]
    delete_after_read(monkeypatch, "get_department", Department, DEPARTMENT_PARTITION)
    response = owner.client.patch(
        f"/api/org/departments/{department}", {"name": "Новое"}
    )
    assert response.status == 404
    assert department_parents(owner.client) == {}


def test_racing_patch_and_delete_of_position(owner):
    department = create_department(owner.client, "Склад")["id"]
    for round_number in range(ROUNDS):
        position = create_position(owner.client, f"Позиция {round_number}", department)
        path = f"/api/org/positions/{position['id']}"
        patch_status, delete_status = race(
            patcher(owner.client, path, {"name": f"Новое {round_number}"}),
            deleter(owner.client, path),
        )
        present = position["id"] in stored_positions(owner.client)
        assert patch_status in (200, 404), patch_status
        assert delete_status in (204, 409), delete_status
        assert present == (delete_status != 204), (patch_status, delete_status)


def test_racing_patch_and_delete_of_department(owner):
    for round_number in range(ROUNDS):
        department = create_department(owner.client, f"Отдел {round_number}")
        path = f"/api/org/departments/{department['id']}"
        patch_status, delete_status = race(
            patcher(owner.client, path, {"name": f"Новый {round_number}"}),
            deleter(owner.client, path),
        )
        present = department["id"] in department_parents(owner.client)
        assert patch_status in (200, 404), patch_status
        assert delete_status in (204, 409), delete_status
        assert present == (delete_status != 204), (patch_status, delete_status)


# Created under something being deleted


def run_position_orphan_race(client, round_number: int) -> None:
    department = create_department(client, f"Отдел {round_number}")["id"]
    created, delete_status = race(
        poster(
            client,
            "/api/org/positions",
            {"name": f"Позиция {round_number}", "department_id": department},
        ),
        deleter(client, f"/api/org/departments/{department}"),
    )
    positions = stored_positions(client)
    departments = department_parents(client)
    orphans = [
        key
        for key, item in positions.items()
        if item["department_id"] not in departments
    ]
    assert created.status in (201, 404, 409), created.status
    assert delete_status in (204, 409), delete_status
    assert orphans == []
    assert (department in departments) == (delete_status != 204)
    assert len(positions) == (1 if created.status == 201 else 0)
    for key in positions:
        client.delete(f"/api/org/positions/{key}")


def test_racing_position_create_and_department_delete(owner):
    for round_number in range(ROUNDS):
        run_position_orphan_race(owner.client, round_number)


def test_gated_position_create_department_delete(owner, gate):
    for round_number in range(ROUNDS):
        run_position_orphan_race(owner.client, round_number)


def run_subdepartment_orphan_race(client, round_number: int) -> None:
    parent = create_department(client, f"Родитель {round_number}")["id"]
    created, delete_status = race(
        poster(
            client,
            "/api/org/departments",
            {"name": f"Дочерний {round_number}", "parent_id": parent},
        ),
        deleter(client, f"/api/org/departments/{parent}"),
    )
    parents = department_parents(client)
    orphans = [key for key, value in parents.items() if value and value not in parents]
    assert created.status in (201, 400, 409), created.status
    assert delete_status in (204, 409), delete_status
    assert orphans == []
    assert (parent in parents) == (delete_status != 204)
    assert len(parents) == (parent in parents) + (created.status == 201)
    for key, value in parents.items():
        if value == parent:
            client.delete(f"/api/org/departments/{key}")
    client.delete(f"/api/org/departments/{parent}")


@pytest.fixture
def position_appears_on_delete(owner, monkeypatch):
    """Plant a position in a department just after the service deletes it."""
    department = create_department(owner.client, "Склад")["id"]
    original = service._delete_unchanged

    def delete_then_plant(item, reread):
        original(item, reread)
        plant_position("late-position", department, None)

    monkeypatch.setattr(service, "_delete_unchanged", delete_then_plant)
    return department


def test_delete_undone_when_position_appears(owner, position_appears_on_delete):
    department = position_appears_on_delete
    response = owner.client.delete(f"/api/org/departments/{department}")
    assert response.status == 409
    assert department in department_parents(owner.client)


def test_restored_department_keeps_channel(owner, pump, position_appears_on_delete):
    department = position_appears_on_delete
    pump.drain()
    owner.client.delete(f"/api/org/departments/{department}")
    pump.drain()
    assert find_channel_by_key(department_key(department)).archived is False


def test_racing_subdepartment_create_and_parent_delete(owner):
    for round_number in range(ROUNDS):
        run_subdepartment_orphan_race(owner.client, round_number)


def test_gated_subdepartment_create_parent_delete(owner, gate):
    for round_number in range(ROUNDS):
        run_subdepartment_orphan_race(owner.client, round_number)


def test_racing_position_move_and_department_delete(owner):
    home = create_department(owner.client, "Дом")["id"]
    position = create_position(owner.client, "Кладовщик", home)["id"]
    for round_number in range(ROUNDS):
        target = create_department(owner.client, f"Цель {round_number}")["id"]
        move_status, delete_status = race(
            patcher(
                owner.client,
                f"/api/org/positions/{position}",
                {"department_id": target},
            ),
            deleter(owner.client, f"/api/org/departments/{target}"),
        )
        departments = department_parents(owner.client)
        placed = stored_positions(owner.client)[position]["department_id"]
        assert move_status in (200, 404, 409), move_status
        assert delete_status in (204, 409), delete_status
        assert placed in departments
        assert placed == (target if move_status == 200 else home), move_status
        owner.client.patch(f"/api/org/positions/{position}", {"department_id": home})
        owner.client.delete(f"/api/org/departments/{target}")


def test_gated_reports_to_manager_delete(owner, gate):
    department = create_department(owner.client, "Склад")["id"]
    for round_number in range(ROUNDS):
        manager = create_position(owner.client, f"Начальник {round_number}", department)
        report = create_position(owner.client, f"Работник {round_number}", department)
        patch_status, delete_status = race(
            patcher(
                owner.client,
                f"/api/org/positions/{report['id']}",
                {"reports_to": manager["id"]},
            ),
            deleter(owner.client, f"/api/org/positions/{manager['id']}"),
        )
        managers = position_managers(owner.client)
        dangling = [
            key for key, value in managers.items() if value and value not in managers
        ]
        assert patch_status in (200, 409), patch_status
        assert delete_status in (204, 409), delete_status
        assert dangling == []
        assert (manager["id"] in managers) == (delete_status != 204)
        owner.client.patch(f"/api/org/positions/{report['id']}", {"reports_to": None})


# Empty PATCH bodies


@pytest.mark.parametrize("kind", ["departments", "positions"])
def test_empty_patch_400(owner, kind):
    department = create_department(owner.client, "Склад")["id"]
    position = create_position(owner.client, "Кладовщик", department)["id"]
    item_id = department if kind == "departments" else position
    response = owner.client.patch(f"/api/org/{kind}/{item_id}", {})
    assert response.status == 400
    assert response.json["error"]["message"] == "Send at least one field to change."
