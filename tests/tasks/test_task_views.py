"""The task lists: each a Query of an index, paged, filtered, in two orders."""

from chalicelib.tasks import service
from chalicelib.tasks.models import VIEW_PREFIX, ViewRow, task_pk
from chalicelib.tasks.schemas import TaskCreate
from tests.tasks.conftest import new_task, patch_task, viewer_for


def listed(person, query: str) -> list[str]:
    response = person.client.get(f"/api/tasks?{query}")
    assert response.status == 200, response.body
    return [task["id"] for task in response.json["tasks"]]


def test_each_view_lists_its_tasks(team, pump):
    responsible = new_task(team.owner, team.anna, title="Отвечаю")
    shared = new_task(team.owner, team.john, co_assignee_ids=[team.anna.id])
    set_by_anna = new_task(team.anna, team.john, title="От Анны")
    watched = new_task(team.owner, team.john, watcher_ids=[team.anna.id])
    elsewhere = new_task(team.owner, team.katya, title="Контент")
    pump.drain()

    assert listed(team.anna, "view=mine") == [shared["id"], responsible["id"]]
    assert listed(team.anna, "view=created") == [set_by_anna["id"]]
    assert listed(team.anna, "view=watching") == [watched["id"]]
    assert listed(team.john, "view=mine") == [
        watched["id"],
        set_by_anna["id"],
        shared["id"],
    ]
    # Борис heads marketplaces, so he sees every task of the department.
    department = listed(team.boris, "view=department")
    assert department == [
        watched["id"],
        set_by_anna["id"],
        shared["id"],
        responsible["id"],
    ]
    assert elsewhere["id"] not in department
    # Анна is in the department too, but sees only the tasks she is on.
    assert set(listed(team.anna, "view=department")) == {
        responsible["id"],
        shared["id"],
        set_by_anna["id"],
        watched["id"],
    }
    assert listed(team.katya, "view=department") == [elsewhere["id"]]


def test_lists_follow_changes(team, pump):
    task = new_task(team.owner, team.anna)
    pump.drain()
    assert listed(team.anna, "view=mine") == [task["id"]]

    patch_task(team.owner, task["id"], {"assignee_id": team.john.id})
    # Before the stream catches up the old row is still stored, but the list
    # checks the task itself and leaves it out.
    assert listed(team.anna, "view=mine") == []
    pump.drain()
    assert listed(team.anna, "view=mine") == []
    assert listed(team.john, "view=mine") == [task["id"]]


def test_status_filter(team, pump):
    started = new_task(team.owner, team.anna, title="В работе")
    fresh = new_task(team.owner, team.anna, title="Новая")
    finished = new_task(team.owner, team.anna, title="Готово")
    patch_task(team.anna, started["id"], {"status": "in_progress"})
    patch_task(team.anna, finished["id"], {"status": "done"})
    pump.drain()

    assert listed(team.anna, "view=mine&status=in_progress") == [started["id"]]
    assert listed(team.anna, "view=mine&status=new,in_progress") == [
        fresh["id"],
        started["id"],
    ]
    # A blank filter from a form means no filter.
    assert len(listed(team.anna, "view=mine&status=")) == 3
    bad = team.anna.client.get("/api/tasks?view=mine&status=finished")
    assert bad.status == 400
    assert bad.error_field() == "status"


def test_due_order_puts_undated_last(team, pump):
    late = new_task(team.owner, team.anna, due="2026-12-20")
    undated = new_task(team.owner, team.anna)
    # 10:00 in Moscow on the 20th is before the end of that day.
    morning = new_task(team.owner, team.anna, due="2026-12-20T10:00")
    early = new_task(team.owner, team.anna, due="2026-12-01")
    pump.drain()

    assert listed(team.anna, "view=mine&sort=due") == [
        early["id"],
        morning["id"],
        late["id"],
        undated["id"],
    ]
    assert listed(team.anna, "view=mine&sort=created") == [
        early["id"],
        morning["id"],
        undated["id"],
        late["id"],
    ]


def test_pages_cover_the_list_once(team, pump):
    created = [
        new_task(team.owner, team.anna, title=f"Задача {index}", due=f"2026-12-{day}")
        for index, day in enumerate(["05", "03", "09", "01", "07"])
    ]
    pump.drain()
    for sort in ("created", "due"):
        seen: list[str] = []
        cursor = None
        while True:
            query = f"view=mine&sort={sort}&limit=2"
            if cursor:
                query += f"&cursor={cursor}"
            page = team.anna.client.get(f"/api/tasks?{query}").json
            assert len(page["tasks"]) <= 2
            seen += [task["id"] for task in page["tasks"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert sorted(seen) == sorted(task["id"] for task in created), sort
        assert len(seen) == len(set(seen)), sort


def test_overdue_lists_open_tasks_past_due(team, pump):
    past = new_task(team.owner, team.anna, due="2024-03-01")
    past_moment = new_task(team.owner, team.anna, due="2024-03-02T09:00")
    future = new_task(team.owner, team.anna, due="2999-01-01")
    closed = new_task(team.owner, team.anna, due="2024-01-01")
    on_hold = new_task(team.owner, team.anna, due="2024-01-02")
    others = new_task(team.owner, team.katya, due="2024-01-03")
    patch_task(team.anna, closed["id"], {"status": "done"})
    patch_task(team.anna, on_hold["id"], {"status": "postponed"})
    pump.drain()

    assert listed(team.anna, "view=overdue") == [past["id"], past_moment["id"]]
    anna_task = team.anna.client.get(f"/api/tasks/{past['id']}").json["task"]
    assert anna_task["is_overdue"] is True
    future_task = team.anna.client.get(f"/api/tasks/{future['id']}").json["task"]
    assert future_task["is_overdue"] is False
    # The owner sees the whole company's overdue tasks.
    assert listed(team.owner, "view=overdue") == [
        others["id"],
        past["id"],
        past_moment["id"],
    ]
    page = team.owner.client.get("/api/tasks?view=overdue&limit=1").json
    second = team.owner.client.get(
        f"/api/tasks?view=overdue&limit=1&cursor={page['next_cursor']}"
    ).json
    assert [task["id"] for task in second["tasks"]] == [past["id"]]
    wrong_order = team.owner.client.get("/api/tasks?view=overdue&sort=created")
    assert wrong_order.status == 400
    assert wrong_order.error_field() == "sort"


def test_overdue_reads_own_partitions(team, pump):
    anna_task = new_task(team.owner, team.anna, due="2024-03-01")
    john_task = new_task(team.anna, team.john, due="2024-03-02")
    katya_task = new_task(team.owner, team.katya, due="2024-03-03")
    # Filed under another department, but Анна watches it.
    watched = new_task(
        team.owner,
        team.katya,
        due="2024-03-04",
        watcher_ids=[team.anna.id],
    )
    pump.drain()

    # Борис manages Анна and John, so his list merges their department's rows.
    assert listed(team.boris, "view=overdue") == [anna_task["id"], john_task["id"]]
    # Анна created John's task and watches Катя's.
    assert listed(team.anna, "view=overdue") == [
        anna_task["id"],
        john_task["id"],
        watched["id"],
    ]
    assert listed(team.katya, "view=overdue") == [katya_task["id"], watched["id"]]
    # Глеб manages Катя in another department.
    assert listed(team.gleb, "view=overdue") == [katya_task["id"], watched["id"]]
    first = team.boris.client.get("/api/tasks?view=overdue&limit=1").json
    second = team.boris.client.get(
        f"/api/tasks?view=overdue&limit=1&cursor={first['next_cursor']}"
    ).json
    assert [task["id"] for task in second["tasks"]] == [john_task["id"]]
    assert second["next_cursor"] is None


def test_overdue_rows_follow_changes(team, pump):
    task = new_task(team.owner, team.anna, due="2024-03-01")
    pump.drain()
    assert listed(team.anna, "view=overdue") == [task["id"]]

    patch_task(team.owner, task["id"], {"assignee_id": team.john.id})
    pump.drain()
    assert listed(team.anna, "view=overdue") == []
    assert listed(team.john, "view=overdue") == [task["id"]]
    rows = view_keys(task["id"])
    assert f"open#person#{team.john.id}" in rows
    assert f"open#person#{team.anna.id}" not in rows

    patch_task(team.john, task["id"], {"status": "done"})
    pump.drain()
    assert listed(team.john, "view=overdue") == []
    assert not [key for key in view_keys(task["id"]) if key.startswith("open#")]


def view_keys(task_id: str) -> set[str]:
    return {
        row.view_key
        for row in ViewRow.query(
            task_pk(task_id), ViewRow.sk.startswith(VIEW_PREFIX), consistent_read=True
        )
    }


def test_first_version_lists_still_work(team, pump):
    task = new_task(team.owner, team.anna)
    assert listed(team.anna, "assignee=me") == [task["id"]]
    assert listed(team.owner, "creator=me") == [task["id"]]
    assert listed(team.anna, "") == [task["id"]]


def test_bad_list_queries_rejected(team):
    for query, field in [
        ("view=everything", "view"),
        ("view=mine&assignee=me", "assignee"),
        ("view=mine&cursor=zzz", "cursor"),
        ("view=mine&limit=0", "limit"),
        ("view=mine&sort=title", "sort"),
        ("view=mine&department_id=x", "department_id"),
        ("status=new", "status"),
        (
            "view=mine&cursor=2026-12-01T21:00:00.000Z_01HMISSING0000000000000000",
            "cursor",
        ),
    ]:
        response = team.anna.client.get(f"/api/tasks?{query}")
        assert response.status == 400, query
        assert response.error_field() == field, query


def test_department_view_needs_a_department(owner, pump):
    response = owner.client.get("/api/tasks?view=department")
    assert response.status == 400
    assert response.error_field() == "department_id"


def test_batch_creates_many_tasks(team, pump):
    viewer = viewer_for(team.owner, role="owner")
    requests = [
        TaskCreate(title=f"Шаг {index}", assignee_id=team.anna.id, due="2026-12-01")
        for index in range(30)
    ]
    tasks = service.create_tasks_batch(requests, viewer)
    assert len(tasks) == 30
    pump.drain()
    seen: list[str] = []
    cursor = None
    while True:
        query = "view=mine&limit=200" + (f"&cursor={cursor}" if cursor else "")
        page = team.anna.client.get(f"/api/tasks?{query}").json
        seen += [task["id"] for task in page["tasks"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(task.task_id for task in tasks)
    first = team.anna.client.get(f"/api/tasks/{tasks[0].task_id}/history").json
    assert {entry["action"] for entry in first["entries"]} == {"created"}
