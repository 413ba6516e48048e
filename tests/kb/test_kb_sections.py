"""Sections mirror the departments through the org stream; admins add their own."""

from tests.support.org import create_department


def tree(person) -> list[dict]:
    response = person.client.get("/api/kb/sections")
    assert response.status == 200, response.body
    return response.json["sections"]


def flatten(nodes: list[dict]) -> dict[str, dict]:
    found = {}
    for node in nodes:
        found[node["id"]] = node
        found.update(flatten(node["children"]))
    return found


def test_department_gets_section_with_two_subsections(world):
    sections = flatten(tree(world.anna))
    department_id = world.departments["marketplaces"]
    main = sections[f"dept-{department_id}"]
    assert main["name"] == "Отдел маркетплейсов"
    assert main["role"] == "department"
    children = {child["role"]: child for child in main["children"]}
    assert children["regulations"]["name"] == "Регламенты"
    assert children["instructions"]["name"] == "Инструкции"


def test_department_sections_nest_like_departments(world):
    roots = {node["id"]: node for node in tree(world.anna)}
    management = roots[f"dept-{world.departments['management']}"]
    child_ids = {child["id"] for child in management["children"]}
    assert f"dept-{world.departments['marketplaces']}" in child_ids
    assert f"dept-{world.departments['finance']}" in child_ids


def test_shipped_sections_come_first_and_last(world):
    roots = [node["id"] for node in tree(world.anna)]
    assert roots[0] == "general"
    assert roots[-1] == "templates"


def test_rename_move_and_delete_follow_the_department(world):
    owner = world.owner
    department = create_department(owner.client, "Склад в Казани")
    world.pump.drain()
    section_id = f"dept-{department['id']}"
    assert flatten(tree(owner))[section_id]["name"] == "Склад в Казани"

    renamed = owner.client.patch(
        f"/api/org/departments/{department['id']}",
        {"name": "Склад в Казани (FBS)", "parent_id": world.departments["finance"]},
    )
    assert renamed.status == 200, renamed.body
    world.pump.drain()
    section = flatten(tree(owner))[section_id]
    assert section["name"] == "Склад в Казани (FBS)"
    assert section["parent_id"] == f"dept-{world.departments['finance']}"

    deleted = owner.client.delete(f"/api/org/departments/{department['id']}")
    assert deleted.status == 204, deleted.body
    world.pump.drain()
    assert section_id not in flatten(tree(world.anna))
    assert flatten(tree(owner))[section_id]["archived"] is True


def test_replayed_department_insert_keeps_one_section(world):
    from chalicelib.kb.org_sync import ensure_department_sections
    from chalicelib.kb.sections import load_sections

    department_id = world.departments["content"]
    before = load_sections()
    ensure_department_sections(
        {"sk": department_id, "name": "Контент", "parent_id": None}
    )
    after = load_sections()
    assert len(after) == len(before)
    # An existing section keeps its name and place: only the stream's MODIFY
    # records change them.
    assert after[f"dept-{department_id}"].name == "Контент и дизайн карточек"


def test_admin_adds_nested_folders(world):
    owner = world.owner
    top = owner.client.post("/api/kb/sections", {"name": "Обучение"})
    assert top.status == 201, top.body
    folder = owner.client.post(
        "/api/kb/sections",
        {"name": "Новичкам", "parent_id": top.json["section"]["id"]},
    )
    assert folder.status == 201, folder.body
    sections = flatten(tree(world.anna))
    assert (
        sections[folder.json["section"]["id"]]["parent_id"]
        == (top.json["section"]["id"])
    )


def test_employee_cannot_add_sections(world):
    response = world.anna.client.post("/api/kb/sections", {"name": "Моё"})
    assert response.status == 403


def test_section_cannot_move_into_itself(world):
    owner = world.owner
    top = owner.client.post("/api/kb/sections", {"name": "Папка A"}).json["section"]
    inner = owner.client.post(
        "/api/kb/sections", {"name": "Папка B", "parent_id": top["id"]}
    ).json["section"]
    response = owner.client.patch(
        f"/api/kb/sections/{top['id']}", {"parent_id": inner["id"]}
    )
    assert response.status == 400
    assert response.error_field() == "parent_id"


def test_restricted_section_hidden_from_others(world):
    owner = world.owner
    secret = owner.client.post(
        "/api/kb/sections",
        {
            "name": "Финансовые регламенты",
            "grants": [
                {
                    "to": "position",
                    "position_id": world.positions["accountant"],
                    "level": "read",
                }
            ],
        },
    ).json["section"]
    assert secret["id"] in flatten(tree(world.alla))
    assert secret["id"] not in flatten(tree(world.anna))
    hidden = world.anna.client.get(f"/api/kb/sections/{secret['id']}")
    assert hidden.status == 404


def test_nonempty_and_department_sections_cannot_be_deleted(world, kb):
    owner = world.owner
    folder = owner.client.post("/api/kb/sections", {"name": "Временная"}).json[
        "section"
    ]
    kb.create(owner, section_id=folder["id"])
    assert owner.client.delete(f"/api/kb/sections/{folder['id']}").status == 409
    department_section = kb.section_id("marketplaces")
    assert owner.client.delete(f"/api/kb/sections/{department_section}").status == 409


def test_empty_custom_section_is_deleted(world):
    owner = world.owner
    folder = owner.client.post("/api/kb/sections", {"name": "Пустая"}).json["section"]
    assert owner.client.delete(f"/api/kb/sections/{folder['id']}").status == 204
    assert folder["id"] not in flatten(tree(owner))


def test_section_validation_names_the_field(world):
    owner = world.owner
    cases = [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "ok", "parent_id": "missing"}, "parent_id"),
        ({"name": "ok", "grants": [{"to": "position", "level": "read"}]}, "grants.0"),
        (
            {"name": "ok", "grants": [{"to": "everyone", "level": "admin"}]},
            "grants.0.level",
        ),
        (
            {
                "name": "ok",
                "grants": [{"to": "position", "position_id": "nope", "level": "read"}],
            },
            "grants.0.position_id",
        ),
        ({"name": "ok", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = owner.client.post("/api/kb/sections", body)
        assert response.status == 400, (body, response.body)
        assert response.error_field() == field, (body, response.body)
