"""Org templates, the department tree, positions and their department channels."""

import pytest

from chalicelib.chat.channels import department_key, find_channel_by_key
from chalicelib.people.models import User
from tests.support.org import create_department, create_position

TEMPLATE_KEY = "marketplace-business"
APPLY_PATH = f"/api/org/templates/{TEMPLATE_KEY}/apply"
UNKNOWN_ID = "01HUNKNOWN0000000000000000"
WB_MANAGER = "Wildberries account manager"


def departments(client) -> list[dict]:
    return client.get("/api/org/departments").json["departments"]


def positions(client) -> list[dict]:
    return client.get("/api/org/positions").json["positions"]


def department_channels(person) -> list[dict]:
    channels = person.client.get("/api/chat/channels").json["channels"]
    return [channel for channel in channels if channel["kind"] == "department"]


def walk(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from walk(node["children"])


def stored_department(client, department_id: str) -> dict:
    return next(d for d in departments(client) if d["id"] == department_id)


# Templates


def test_templates_list_marketplace(owner):
    response = owner.client.get("/api/org/templates")
    assert response.status == 200
    templates = {item["key"]: item for item in response.json["templates"]}
    assert templates[TEMPLATE_KEY]["name"]["ru"] == "Бизнес на маркетплейсах"
    assert templates[TEMPLATE_KEY]["departments"] >= 10
    assert templates[TEMPLATE_KEY]["positions"] >= 30
    assert templates[TEMPLATE_KEY]["applied"] is False


def test_templates_list_shows_applied(owner, company):
    templates = owner.client.get("/api/org/templates").json["templates"]
    assert templates[0]["applied"] is True


def test_templates_list_needs_token(api, owner):
    assert api.get("/api/org/templates").status == 401


def test_apply_template_employee_403(owner, hire):
    anna = hire("Анна")
    response = anna.client.post(APPLY_PATH)
    assert response.status == 403
    assert departments(owner.client) == []


def test_apply_template_manager_403(owner, hire):
    manager = hire("Мария", role="manager")
    assert manager.client.post(APPLY_PATH).status == 403


def test_apply_template_admin_allowed(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.post(APPLY_PATH)
    assert response.status == 200
    assert response.json["created_departments"] == response.json["departments"]


def test_apply_unknown_template_404(owner):
    response = owner.client.post("/api/org/templates/no-such-template/apply")
    assert response.status == 404
    assert departments(owner.client) == []


def test_apply_template_reports_counts(owner):
    response = owner.client.post(APPLY_PATH)
    assert response.status == 200
    body = response.json
    assert body["created_departments"] == body["departments"]
    assert body["created_positions"] == body["positions"]
    assert len(departments(owner.client)) == body["departments"]
    assert len(positions(owner.client)) == body["positions"]


def test_apply_template_twice_creates_nothing(owner, company):
    before_departments = departments(owner.client)
    before_positions = positions(owner.client)
    response = owner.client.post(APPLY_PATH)
    assert response.status == 200
    assert response.json["created_departments"] == 0
    assert response.json["created_positions"] == 0
    assert departments(owner.client) == before_departments
    assert positions(owner.client) == before_positions


def test_apply_again_keeps_edits(owner, company):
    department = company["departments"]["Analytics"]
    renamed = owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": "Данные"}
    )
    assert renamed.status == 200
    owner.client.post(APPLY_PATH)
    assert stored_department(owner.client, department["id"])["name"] == "Данные"


def test_template_has_ten_departments(owner, company):
    assert len(company["departments"]) >= 10


def test_template_has_thirty_positions(owner, company):
    assert len(company["positions"]) >= 30


def test_template_positions_have_three_functions(owner, company):
    short = [
        name
        for name, position in company["positions"].items()
        if len(position["functions"]) < 3
    ]
    assert short == []


def test_template_functions_translated(owner, company):
    mismatched = [
        name
        for name, position in company["positions"].items()
        if len(position["functions_en"]) != len(position["functions"])
    ]
    assert mismatched == []


def test_template_positions_in_known_departments(owner, company):
    department_ids = {d["id"] for d in company["departments"].values()}
    orphans = [
        name
        for name, position in company["positions"].items()
        if position["department_id"] not in department_ids
    ]
    assert orphans == []


def test_template_reports_to_known_positions(owner, company):
    position_ids = {p["id"] for p in company["positions"].values()}
    dangling = [
        name
        for name, position in company["positions"].items()
        if position["reports_to"] is not None
        and position["reports_to"] not in position_ids
    ]
    assert dangling == []


def test_template_departments_get_channels(owner, company):
    missing = []
    for department in company["departments"].values():
        channel = find_channel_by_key(department_key(department["id"]))
        if channel is None or channel.name != department["name"]:
            missing.append(department["name_en"])
    assert missing == []


def test_hire_sees_department_channel_name(owner, company, hire):
    position = company["positions"][WB_MANAGER]
    department = next(
        d
        for d in company["departments"].values()
        if d["id"] == position["department_id"]
    )
    anna = hire("Анна", position["id"])
    channels = department_channels(anna)
    assert [channel["name"] for channel in channels] == [department["name"]]
    assert channels[0]["department_id"] == department["id"]


def test_every_department_channel_reaches_hire(owner, company, hire):
    first_positions = {}
    for position in company["positions"].values():
        first_positions.setdefault(position["department_id"], position)
    mismatched = []
    for department in company["departments"].values():
        person = hire(department["name_en"], first_positions[department["id"]]["id"])
        names = [channel["name"] for channel in department_channels(person)]
        if names != [department["name"]]:
            mismatched.append((department["name"], names))
    assert mismatched == []


# Chart


def test_chart_is_one_tree(owner, company):
    roots = owner.client.get("/api/org/chart").json["departments"]
    assert [root["name_en"] for root in roots] == ["Management"]
    assert len(roots[0]["children"]) == len(company["departments"]) - 1


def test_chart_lists_each_department_once(owner, company):
    roots = owner.client.get("/api/org/chart").json["departments"]
    listed = [node["id"] for node in walk(roots)]
    assert sorted(listed) == sorted(d["id"] for d in company["departments"].values())


def test_chart_children_point_to_parent(owner, company):
    roots = owner.client.get("/api/org/chart").json["departments"]
    wrong = [
        child["name_en"]
        for node in walk(roots)
        for child in node["children"]
        if child["parent_id"] != node["id"]
    ]
    assert wrong == []


def test_chart_positions_nested(owner, company):
    roots = owner.client.get("/api/org/chart").json["departments"]
    placed = {
        position["id"]: node["id"]
        for node in walk(roots)
        for position in node["positions"]
    }
    expected = {p["id"]: p["department_id"] for p in company["positions"].values()}
    assert placed == expected


def test_chart_nests_three_levels(owner):
    top = create_department(owner.client, "Верх")
    middle = create_department(owner.client, "Середина", top["id"])
    create_department(owner.client, "Низ", middle["id"])
    roots = owner.client.get("/api/org/chart").json["departments"]
    assert roots[0]["name"] == "Верх"
    assert roots[0]["children"][0]["name"] == "Середина"
    assert roots[0]["children"][0]["children"][0]["name"] == "Низ"


def test_chart_shows_holder_after_hire(owner, company, hire):
    position = company["positions"][WB_MANAGER]
    anna = hire("Анна", position["id"])
    roots = owner.client.get("/api/org/chart").json["departments"]
    entry = next(
        p
        for node in walk(roots)
        for p in node["positions"]
        if p["id"] == position["id"]
    )
    assert entry["holders"] == [{"id": anna.id, "name": "Анна"}]


def test_chart_hides_deactivated_holder(owner, company, hire):
    position = company["positions"][WB_MANAGER]
    anna = hire("Анна", position["id"])
    owner.client.delete(f"/api/users/{anna.id}")
    roots = owner.client.get("/api/org/chart").json["departments"]
    entry = next(
        p
        for node in walk(roots)
        for p in node["positions"]
        if p["id"] == position["id"]
    )
    assert entry["holders"] == []


def test_chart_readable_by_employee(owner, hire):
    anna = hire("Анна")
    assert anna.client.get("/api/org/chart").status == 200


# Departments


def test_create_department_201(owner):
    response = owner.client.post(
        "/api/org/departments", {"name": "  Склад  ", "purpose": "Хранение"}
    )
    assert response.status == 201
    assert response.json["department"]["name"] == "Склад"
    assert response.json["department"]["parent_id"] is None


def test_create_department_gets_channel(owner, pump):
    department = create_department(owner.client, "Склад")
    pump.drain()
    channel = find_channel_by_key(department_key(department["id"]))
    assert channel is not None
    assert channel.name == "Склад"


def test_create_subdepartment(owner):
    parent = create_department(owner.client, "Продажи")
    child = create_department(owner.client, "Ozon", parent["id"])
    assert child["parent_id"] == parent["id"]


def test_create_department_unknown_parent_400(owner):
    response = owner.client.post(
        "/api/org/departments", {"name": "Склад", "parent_id": UNKNOWN_ID}
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"
    assert departments(owner.client) == []


def test_create_department_employee_403(owner, hire):
    anna = hire("Анна")
    response = anna.client.post("/api/org/departments", {"name": "Склад"})
    assert response.status == 403
    assert departments(owner.client) == []


def test_rename_department(owner):
    department = create_department(owner.client, "Склад")
    response = owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": "Логистика"}
    )
    assert response.status == 200
    assert response.json["department"]["name"] == "Логистика"
    assert stored_department(owner.client, department["id"])["name"] == "Логистика"


def test_rename_department_renames_channel(owner, hire, pump):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    anna = hire("Анна", position["id"])
    assert [c["name"] for c in department_channels(anna)] == ["Склад"]

    owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": "Логистика"}
    )
    pump.drain()
    assert [c["name"] for c in department_channels(anna)] == ["Логистика"]


def test_rename_keeps_channel_id(owner, hire, pump):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    anna = hire("Анна", position["id"])
    channel_id = department_channels(anna)[0]["id"]
    owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": "Логистика"}
    )
    pump.drain()
    assert [c["id"] for c in department_channels(anna)] == [channel_id]


def test_patch_department_null_name_400(owner):
    department = create_department(owner.client, "Склад")
    response = owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": None}
    )
    assert response.status == 400
    assert response.error_field() == "name"
    assert stored_department(owner.client, department["id"])["name"] == "Склад"


def test_patch_unknown_department_404(owner):
    response = owner.client.patch(f"/api/org/departments/{UNKNOWN_ID}", {"name": "X"})
    assert response.status == 404
    assert departments(owner.client) == []


def test_move_department_under_other(owner):
    sales = create_department(owner.client, "Продажи")
    ozon = create_department(owner.client, "Ozon")
    response = owner.client.patch(
        f"/api/org/departments/{ozon['id']}", {"parent_id": sales["id"]}
    )
    assert response.status == 200
    assert stored_department(owner.client, ozon["id"])["parent_id"] == sales["id"]


def test_move_department_to_top(owner):
    sales = create_department(owner.client, "Продажи")
    ozon = create_department(owner.client, "Ozon", sales["id"])
    response = owner.client.patch(
        f"/api/org/departments/{ozon['id']}", {"parent_id": None}
    )
    assert response.status == 200
    assert stored_department(owner.client, ozon["id"])["parent_id"] is None


def test_patch_without_parent_keeps_parent(owner):
    sales = create_department(owner.client, "Продажи")
    ozon = create_department(owner.client, "Ozon", sales["id"])
    owner.client.patch(f"/api/org/departments/{ozon['id']}", {"name": "Озон"})
    assert stored_department(owner.client, ozon["id"])["parent_id"] == sales["id"]


def test_move_department_under_itself_400(owner):
    sales = create_department(owner.client, "Продажи")
    response = owner.client.patch(
        f"/api/org/departments/{sales['id']}", {"parent_id": sales["id"]}
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"
    assert stored_department(owner.client, sales["id"])["parent_id"] is None


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_move_department_under_descendant_400(owner, depth):
    top = create_department(owner.client, "Верх")
    lowest = top
    for level in range(depth):
        lowest = create_department(owner.client, f"Уровень {level}", lowest["id"])
    response = owner.client.patch(
        f"/api/org/departments/{top['id']}", {"parent_id": lowest["id"]}
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"
    assert stored_department(owner.client, top["id"])["parent_id"] is None


def test_move_department_unknown_parent_400(owner):
    sales = create_department(owner.client, "Продажи")
    response = owner.client.patch(
        f"/api/org/departments/{sales['id']}", {"parent_id": UNKNOWN_ID}
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"
    assert stored_department(owner.client, sales["id"])["parent_id"] is None


def test_delete_department_with_positions_409(owner):
    department = create_department(owner.client, "Склад")
    create_position(owner.client, "Кладовщик", department["id"])
    response = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 409
    assert [d["id"] for d in departments(owner.client)] == [department["id"]]


def test_delete_department_with_people_409(owner, hire):
    department = create_department(owner.client, "Склад")
    anna = hire("Анна")
    # No route puts someone in a department without a position there, but data
    # written before a position was deleted or moved can look like this.
    User(anna.id).update(actions=[User.department_id.set(department["id"])])
    response = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 409
    assert [d["id"] for d in departments(owner.client)] == [department["id"]]


def test_delete_department_with_holder_409(owner, hire):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    hire("Анна", position["id"])
    response = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 409


def test_delete_department_of_deactivated_person(owner, hire):
    department = create_department(owner.client, "Склад")
    anna = hire("Анна")
    User(anna.id).update(actions=[User.department_id.set(department["id"])])
    owner.client.delete(f"/api/users/{anna.id}")
    response = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 204
    assert departments(owner.client) == []


def test_delete_department_with_subdepartments_409(owner):
    parent = create_department(owner.client, "Продажи")
    create_department(owner.client, "Ozon", parent["id"])
    response = owner.client.delete(f"/api/org/departments/{parent['id']}")
    assert response.status == 409
    assert len(departments(owner.client)) == 2


def test_delete_empty_department_204(owner):
    department = create_department(owner.client, "Склад")
    response = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 204
    assert departments(owner.client) == []


def test_deleted_department_patch_404(owner):
    department = create_department(owner.client, "Склад")
    owner.client.delete(f"/api/org/departments/{department['id']}")
    response = owner.client.patch(
        f"/api/org/departments/{department['id']}", {"name": "Снова"}
    )
    assert response.status == 404
    assert departments(owner.client) == []


def test_deleted_department_channel_archived(owner, pump):
    department = create_department(owner.client, "Склад")
    pump.drain()
    owner.client.delete(f"/api/org/departments/{department['id']}")
    pump.drain()
    assert find_channel_by_key(department_key(department["id"])).archived is True


def test_delete_unknown_department_404(owner):
    response = owner.client.delete(f"/api/org/departments/{UNKNOWN_ID}")
    assert response.status == 404


def test_delete_department_employee_403(owner, hire):
    department = create_department(owner.client, "Склад")
    anna = hire("Анна")
    response = anna.client.delete(f"/api/org/departments/{department['id']}")
    assert response.status == 403
    assert len(departments(owner.client)) == 1


# Positions


def test_create_position_201(owner):
    department = create_department(owner.client, "Склад")
    response = owner.client.post(
        "/api/org/positions",
        {
            "name": "Кладовщик",
            "department_id": department["id"],
            "functions": ["Приёмка", "Отгрузка", "Инвентаризация"],
        },
    )
    assert response.status == 201
    position = response.json["position"]
    assert position["department_id"] == department["id"]
    assert position["functions"] == ["Приёмка", "Отгрузка", "Инвентаризация"]


def test_create_position_unknown_department(owner):
    response = owner.client.post(
        "/api/org/positions", {"name": "Кладовщик", "department_id": UNKNOWN_ID}
    )
    assert response.status in (400, 404)
    assert response.error_field() == "department_id"
    assert positions(owner.client) == []


def test_create_position_unknown_manager_400(owner):
    department = create_department(owner.client, "Склад")
    response = owner.client.post(
        "/api/org/positions",
        {
            "name": "Кладовщик",
            "department_id": department["id"],
            "reports_to": UNKNOWN_ID,
        },
    )
    assert response.status == 400
    assert response.error_field() == "reports_to"
    assert positions(owner.client) == []


def test_create_position_employee_403(owner, hire):
    department = create_department(owner.client, "Склад")
    anna = hire("Анна")
    response = anna.client.post(
        "/api/org/positions", {"name": "Кладовщик", "department_id": department["id"]}
    )
    assert response.status == 403
    assert positions(owner.client) == []


def test_position_reports_to_itself_400(owner):
    department = create_department(owner.client, "Склад")
    head = create_position(owner.client, "Начальник", department["id"])
    response = owner.client.patch(
        f"/api/org/positions/{head['id']}", {"reports_to": head["id"]}
    )
    assert response.status == 400
    assert response.error_field() == "reports_to"


@pytest.mark.parametrize("chain_length", [2, 3, 4])
def test_position_reports_to_cycle_400(owner, chain_length):
    department = create_department(owner.client, "Склад")
    chain = [create_position(owner.client, "Позиция 0", department["id"])]
    for index in range(1, chain_length):
        chain.append(
            create_position(
                owner.client,
                f"Позиция {index}",
                department["id"],
                reports_to=chain[-1]["id"],
            )
        )
    response = owner.client.patch(
        f"/api/org/positions/{chain[0]['id']}", {"reports_to": chain[-1]["id"]}
    )
    assert response.status == 400
    assert response.error_field() == "reports_to"
    stored = next(p for p in positions(owner.client) if p["id"] == chain[0]["id"])
    assert stored["reports_to"] is None


def test_position_reports_to_other_branch(owner):
    department = create_department(owner.client, "Склад")
    head = create_position(owner.client, "Начальник", department["id"])
    left = create_position(
        owner.client, "Левый", department["id"], reports_to=head["id"]
    )
    right = create_position(
        owner.client, "Правый", department["id"], reports_to=head["id"]
    )
    response = owner.client.patch(
        f"/api/org/positions/{right['id']}", {"reports_to": left["id"]}
    )
    assert response.status == 200
    assert response.json["position"]["reports_to"] == left["id"]


def test_move_position_moves_holder(owner, hire, pump):
    storage = create_department(owner.client, "Склад")
    sales = create_department(owner.client, "Продажи")
    position = create_position(owner.client, "Менеджер", storage["id"])
    anna = hire("Анна", position["id"])
    response = owner.client.patch(
        f"/api/org/positions/{position['id']}", {"department_id": sales["id"]}
    )
    assert response.status == 200
    stored = owner.client.get(f"/api/users/{anna.id}").json["user"]
    assert stored["department_id"] == sales["id"]
    pump.drain()
    assert [c["department_id"] for c in department_channels(anna)] == [sales["id"]]


def test_move_position_unknown_department(owner):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    response = owner.client.patch(
        f"/api/org/positions/{position['id']}", {"department_id": UNKNOWN_ID}
    )
    assert response.status in (400, 404)
    assert response.error_field() == "department_id"
    stored = next(p for p in positions(owner.client) if p["id"] == position["id"])
    assert stored["department_id"] == department["id"]


def test_patch_unknown_position_404(owner):
    response = owner.client.patch(f"/api/org/positions/{UNKNOWN_ID}", {"name": "X"})
    assert response.status == 404
    assert positions(owner.client) == []


def test_delete_position_with_holder_409(owner, hire):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    hire("Анна", position["id"])
    response = owner.client.delete(f"/api/org/positions/{position['id']}")
    assert response.status == 409
    assert [p["id"] for p in positions(owner.client)] == [position["id"]]


def test_delete_position_with_subordinates_409(owner):
    department = create_department(owner.client, "Склад")
    head = create_position(owner.client, "Начальник", department["id"])
    create_position(owner.client, "Кладовщик", department["id"], reports_to=head["id"])
    response = owner.client.delete(f"/api/org/positions/{head['id']}")
    assert response.status == 409
    assert len(positions(owner.client)) == 2


def test_delete_position_of_deactivated_holder(owner, hire):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    anna = hire("Анна", position["id"])
    owner.client.delete(f"/api/users/{anna.id}")
    response = owner.client.delete(f"/api/org/positions/{position['id']}")
    assert response.status == 204
    assert positions(owner.client) == []


def test_delete_empty_position_204(owner):
    department = create_department(owner.client, "Склад")
    position = create_position(owner.client, "Кладовщик", department["id"])
    response = owner.client.delete(f"/api/org/positions/{position['id']}")
    assert response.status == 204
    assert positions(owner.client) == []


def test_delete_unknown_position_404(owner):
    response = owner.client.delete(f"/api/org/positions/{UNKNOWN_ID}")
    assert response.status == 404
