"""Hiring, editing and deactivating people, and what that does to chat."""

import threading

import pytest

from chalicelib.chat.channels import memberships_of
from chalicelib.chat.connections import add_connection, connections_of_user
from chalicelib.errors import Conflict
from chalicelib.people import service
from chalicelib.people.models import DIRECTORY, User
from chalicelib.people.schemas import UserCreate
from chalicelib.web import Caller


@pytest.fixture
def teams(owner, pump) -> dict[str, dict]:
    """Create two departments with a position each, a fast stand-in for the template."""
    positions = {}
    for name in ("Продажи", "Контент"):
        department = owner.client.post("/api/org/departments", {"name": name})
        assert department.status == 201, department.body
        position = owner.client.post(
            "/api/org/positions",
            {
                "name": f"Менеджер: {name}",
                "department_id": department.json["department"]["id"],
            },
        )
        assert position.status == 201, position.body
        positions[name] = position.json["position"]
    pump.drain()
    return positions


def login(api, email, password):
    return api.post("/api/auth/login", {"email": email, "password": password})


def channels_of(person) -> list[dict]:
    response = person.client.get("/api/chat/channels")
    assert response.status == 200, response.body
    return response.json["channels"]


def department_channel_ids(person) -> set[str]:
    return {
        channel["department_id"]
        for channel in channels_of(person)
        if channel["kind"] == "department"
    }


def general_channel_id(person) -> str:
    return next(c["id"] for c in channels_of(person) if c["kind"] == "general")


def listed_ids(client, query: str = "") -> list[str]:
    return [user["id"] for user in client.get(f"/api/users{query}").json["users"]]


def stored_user_count() -> int:
    return len(list(User.directory_index.query(DIRECTORY)))


# Creating


def test_create_user_201(owner):
    response = owner.client.post(
        "/api/users",
        {"email": "anna@example.com", "name": "Анна", "password": "anna-password-1"},
    )
    assert response.status == 201
    user = response.json["user"]
    assert user["email"] == "anna@example.com"
    assert user["name"] == "Анна"
    assert user["role"] == "employee"
    assert user["status"] == "active"
    assert "password" not in response.json


def test_create_user_with_position_sets_department(owner, teams):
    position = teams["Продажи"]
    response = owner.client.post(
        "/api/users",
        {"email": "anna@example.com", "name": "Анна", "position_id": position["id"]},
    )
    assert response.json["user"]["position_id"] == position["id"]
    assert response.json["user"]["department_id"] == position["department_id"]


def test_create_user_generates_password_once(api, owner):
    response = owner.client.post(
        "/api/users", {"email": "anna@example.com", "name": "Анна"}
    )
    assert response.status == 201
    generated = response.json["password"]
    assert len(generated) >= 12
    user_id = response.json["user"]["id"]
    fetched = owner.client.get(f"/api/users/{user_id}").json
    assert "password" not in fetched
    assert "password" not in fetched["user"]
    assert "password_hash" not in fetched["user"]


def test_generated_password_logs_in(api, owner):
    response = owner.client.post(
        "/api/users", {"email": "anna@example.com", "name": "Анна"}
    )
    generated = response.json["password"]
    assert login(api, "anna@example.com", generated).status == 200


def test_password_keeps_its_spaces(api, owner):
    password = "  spaced password  "
    response = owner.client.post(
        "/api/users",
        {"email": "anna@example.com", "name": "Анна", "password": password},
    )
    assert response.status == 201, response.body
    assert login(api, "anna@example.com", password).status == 200
    assert login(api, "anna@example.com", password.strip()).status == 401


def test_password_with_control_character_400(owner):
    response = owner.client.post(
        "/api/users",
        {"email": "anna@example.com", "name": "Анна", "password": "anna\x00password"},
    )
    assert response.status == 400
    message = response.json["error"]["message"]
    assert "password" in message
    assert "U+0000" in message
    assert stored_user_count() == 1


def test_create_user_normalizes_email(api, owner):
    response = owner.client.post(
        "/api/users",
        {"email": "  Anna@Example.COM ", "name": "Анна", "password": "anna-password-1"},
    )
    assert response.status == 201
    assert response.json["user"]["email"] == "anna@example.com"
    assert login(api, "anna@example.com", "anna-password-1").status == 200


def test_duplicate_email_any_case_409(owner):
    owner.client.post("/api/users", {"email": "anna@example.com", "name": "Анна"})
    response = owner.client.post(
        "/api/users", {"email": "ANNA@Example.com", "name": "Anna"}
    )
    assert response.status == 409
    assert response.error_field() == "email"
    assert stored_user_count() == 2


def test_owner_email_is_taken(owner):
    response = owner.client.post(
        "/api/users", {"email": owner.email.upper(), "name": "X"}
    )
    assert response.status == 409
    assert response.error_field() == "email"


def test_deactivated_person_keeps_email(owner, hire):
    anna = hire("Анна")
    owner.client.delete(f"/api/users/{anna.id}")
    response = owner.client.post("/api/users", {"email": anna.email, "name": "Анна 2"})
    assert response.status == 409


def test_concurrent_same_email_one_wins(owner):
    start = threading.Barrier(2)
    created, conflicts = [], []

    def create(name: str) -> None:
        request = UserCreate(email="race@example.com", name=name)
        start.wait()
        try:
            created.append(service.create_user(request, Caller(owner.id, "owner")))
        except Conflict:
            conflicts.append(name)

    threads = [threading.Thread(target=create, args=(name,)) for name in ("A", "B")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(created) == 1
    assert len(conflicts) == 1
    assert len(list(User.email_index.query("race@example.com"))) == 1


def test_create_user_unknown_position_404(owner):
    response = owner.client.post(
        "/api/users",
        {
            "email": "anna@example.com",
            "name": "Анна",
            "position_id": "01HNOPOSITION00000000000000",
        },
    )
    assert response.status == 404
    assert response.error_field() == "position_id"
    assert stored_user_count() == 1


def test_employee_cannot_create_users(owner, hire):
    anna = hire("Анна")
    response = anna.client.post(
        "/api/users", {"email": "boris@example.com", "name": "Борис"}
    )
    assert response.status == 403
    assert stored_user_count() == 2


def test_manager_cannot_create_users(owner, hire):
    manager = hire("Мария", role="manager")
    response = manager.client.post(
        "/api/users", {"email": "b@example.com", "name": "Б"}
    )
    assert response.status == 403


def test_admin_can_create_employee(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.post("/api/users", {"email": "b@example.com", "name": "Б"})
    assert response.status == 201


def test_admin_cannot_create_admin(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.post(
        "/api/users", {"email": "b@example.com", "name": "Б", "role": "admin"}
    )
    assert response.status == 403
    assert response.error_field() == "role"
    assert stored_user_count() == 2


def test_owner_can_create_admin(owner):
    response = owner.client.post(
        "/api/users", {"email": "b@example.com", "name": "Б", "role": "admin"}
    )
    assert response.status == 201
    assert response.json["user"]["role"] == "admin"


def test_nobody_can_create_owner(owner):
    response = owner.client.post(
        "/api/users", {"email": "b@example.com", "name": "Б", "role": "owner"}
    )
    assert response.status == 400
    assert response.error_field() == "role"


# Listing


def test_list_users_hides_deactivated(owner, hire):
    anna = hire("Анна")
    boris = hire("Борис")
    owner.client.delete(f"/api/users/{anna.id}")
    listed = listed_ids(owner.client)
    assert anna.id not in listed
    assert boris.id in listed


def test_list_users_include_deactivated(owner, hire):
    anna = hire("Анна")
    owner.client.delete(f"/api/users/{anna.id}")
    users = owner.client.get("/api/users?include_deactivated=true").json["users"]
    statuses = {user["id"]: user["status"] for user in users}
    assert statuses[anna.id] == "deactivated"
    assert statuses[owner.id] == "active"


def test_list_users_other_flag_values_hide(owner, hire):
    anna = hire("Анна")
    owner.client.delete(f"/api/users/{anna.id}")
    assert anna.id not in listed_ids(owner.client, "?include_deactivated=false")
    assert anna.id not in listed_ids(owner.client, "?include_deactivated=yes")


def test_employee_can_list_users(owner, hire):
    anna = hire("Анна")
    assert set(listed_ids(anna.client)) == {owner.id, anna.id}


def test_get_unknown_user_404(owner):
    response = owner.client.get("/api/users/01HNOUSER000000000000000000")
    assert response.status == 404


# Editing


def test_employee_edits_own_name(owner, hire):
    anna = hire("Анна")
    response = anna.client.patch(f"/api/users/{anna.id}", {"name": "Анна К."})
    assert response.status == 200
    assert response.json["user"]["name"] == "Анна К."


def test_employee_cannot_change_own_role(owner, hire):
    anna = hire("Анна")
    response = anna.client.patch(f"/api/users/{anna.id}", {"role": "manager"})
    assert response.status == 403
    assert owner.client.get(f"/api/users/{anna.id}").json["user"]["role"] == "employee"


def test_employee_cannot_edit_others(owner, hire):
    anna = hire("Анна")
    boris = hire("Борис")
    response = anna.client.patch(f"/api/users/{boris.id}", {"name": "Боря"})
    assert response.status == 403
    assert owner.client.get(f"/api/users/{boris.id}").json["user"]["name"] == "Борис"


def test_admin_cannot_promote_to_admin(owner, hire):
    admin = hire("Админ", role="admin")
    anna = hire("Анна")
    response = admin.client.patch(f"/api/users/{anna.id}", {"role": "admin"})
    assert response.status == 403
    assert response.error_field() == "role"


def test_owner_can_promote_to_admin(owner, hire):
    anna = hire("Анна")
    response = owner.client.patch(f"/api/users/{anna.id}", {"role": "admin"})
    assert response.status == 200
    assert response.json["user"]["role"] == "admin"


def test_admin_cannot_demote_admin(owner, hire):
    admin = hire("Админ", role="admin")
    other_admin = hire("Админ 2", role="admin")
    response = admin.client.patch(f"/api/users/{other_admin.id}", {"role": "employee"})
    assert response.status == 403
    stored = owner.client.get(f"/api/users/{other_admin.id}").json["user"]
    assert stored["role"] == "admin"


def test_owner_role_cannot_change(owner):
    response = owner.client.patch(f"/api/users/{owner.id}", {"role": "admin"})
    assert response.status == 403
    assert owner.client.get(f"/api/users/{owner.id}").json["user"]["role"] == "owner"


def test_admin_cannot_change_owner_password(api, owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.patch(
        f"/api/users/{owner.id}", {"password": "taken-over-1"}
    )
    assert response.status == 403
    assert login(api, owner.email, "taken-over-1").status == 401
    assert owner.client.get("/api/auth/me").status == 200


def test_admin_cannot_rename_owner(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.patch(f"/api/users/{owner.id}", {"name": "Бывший"})
    assert response.status == 403
    assert owner.client.get(f"/api/users/{owner.id}").json["user"]["name"] == "Owner"


def test_null_name_400(owner, hire):
    anna = hire("Анна")
    response = owner.client.patch(f"/api/users/{anna.id}", {"name": None})
    assert response.status == 400
    assert response.error_field() == "name"


def test_patch_unknown_user_404(owner):
    response = owner.client.patch(
        "/api/users/01HNOUSER000000000000000000", {"name": "X"}
    )
    assert response.status == 404


def test_patch_unknown_position_404(owner, hire):
    anna = hire("Анна")
    response = owner.client.patch(
        f"/api/users/{anna.id}", {"position_id": "01HNOPOSITION00000000000000"}
    )
    assert response.status == 404
    assert response.error_field() == "position_id"


def test_patch_position_moves_department_channel(owner, teams, hire, pump):
    old_position = teams["Продажи"]
    new_position = teams["Контент"]
    anna = hire("Анна", old_position["id"])
    assert department_channel_ids(anna) == {old_position["department_id"]}

    response = owner.client.patch(
        f"/api/users/{anna.id}", {"position_id": new_position["id"]}
    )
    assert response.status == 200
    assert response.json["user"]["department_id"] == new_position["department_id"]
    pump.drain()
    assert department_channel_ids(anna) == {new_position["department_id"]}


def test_patch_position_keeps_general_channel(owner, teams, hire, pump):
    anna = hire("Анна", teams["Продажи"]["id"])
    owner.client.patch(
        f"/api/users/{anna.id}",
        {"position_id": teams["Контент"]["id"]},
    )
    pump.drain()
    kinds = sorted(channel["kind"] for channel in channels_of(anna))
    assert kinds == ["department", "general", "notifications"]


def test_patch_position_null_leaves_department_channel(owner, teams, hire, pump):
    anna = hire("Анна", teams["Продажи"]["id"])
    response = owner.client.patch(f"/api/users/{anna.id}", {"position_id": None})
    assert response.status == 200
    assert response.json["user"]["department_id"] is None
    pump.drain()
    assert department_channel_ids(anna) == set()


def test_old_department_channel_loses_member(owner, teams, hire, pump):
    old_position = teams["Продажи"]
    colleague = hire("Коллега", old_position["id"])
    anna = hire("Анна", old_position["id"])
    channel_id = next(
        c["id"] for c in channels_of(colleague) if c["kind"] == "department"
    )
    owner.client.patch(
        f"/api/users/{anna.id}",
        {"position_id": teams["Контент"]["id"]},
    )
    pump.drain()
    members = colleague.client.get(f"/api/chat/channels/{channel_id}/members").json
    assert [member["id"] for member in members["members"]] == [colleague.id]


# Deactivating


def test_deactivate_returns_deactivated_user(owner, hire):
    anna = hire("Анна")
    response = owner.client.delete(f"/api/users/{anna.id}")
    assert response.status == 200
    assert response.json["user"]["status"] == "deactivated"
    assert response.json["user"]["deactivated_at"]


def test_deactivated_user_leaves_all_channels(owner, teams, hire, pump):
    anna = hire("Анна", teams["Продажи"]["id"])
    assert len(channels_of(anna)) == 3
    owner.client.delete(f"/api/users/{anna.id}")
    pump.drain()
    assert [m.channel_id for m in memberships_of(anna.id)] == []


def test_deactivated_user_messages_stay(owner, hire, pump):
    anna = hire("Анна")
    channel_id = general_channel_id(anna)
    posted = anna.client.post(
        f"/api/chat/channels/{channel_id}/messages", {"text": "До свидания"}
    )
    assert posted.status == 201
    owner.client.delete(f"/api/users/{anna.id}")
    pump.drain()

    history = owner.client.get(f"/api/chat/channels/{channel_id}/messages").json
    matching = [
        m for m in history["messages"] if m["id"] == posted.json["message"]["id"]
    ]
    assert len(matching) == 1
    assert matching[0]["text"] == "До свидания"
    assert matching[0]["sender_name"] == "Анна"
    assert matching[0]["sender_id"] == anna.id


def test_deactivated_user_cannot_log_in(api, owner, hire):
    anna = hire("Анна")
    owner.client.delete(f"/api/users/{anna.id}")
    response = login(api, anna.email, anna.password)
    assert response.status == 401


def test_deactivated_user_sockets_closed(owner, hire, pump, gateway):
    anna = hire("Анна")
    add_connection("conn-1", anna.id)
    add_connection("conn-2", anna.id)
    owner.client.delete(f"/api/users/{anna.id}")
    pump.drain()
    assert sorted(gateway.closed) == ["conn-1", "conn-2"]
    assert connections_of_user(anna.id) == []


def test_deactivation_spares_other_sockets(owner, hire, pump, gateway):
    anna = hire("Анна")
    boris = hire("Борис")
    add_connection("conn-anna", anna.id)
    add_connection("conn-boris", boris.id)
    owner.client.delete(f"/api/users/{anna.id}")
    pump.drain()
    assert "conn-boris" not in gateway.closed
    assert connections_of_user(boris.id) == ["conn-boris"]


def test_owner_cannot_be_deactivated(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.delete(f"/api/users/{owner.id}")
    assert response.status == 403
    assert owner.client.get("/api/auth/me").status == 200


def test_owner_cannot_deactivate_self(owner):
    response = owner.client.delete(f"/api/users/{owner.id}")
    assert response.status == 403


def test_admin_cannot_deactivate_self(owner, hire):
    admin = hire("Админ", role="admin")
    response = admin.client.delete(f"/api/users/{admin.id}")
    assert response.status == 403
    assert admin.client.get("/api/auth/me").status == 200


def test_employee_cannot_deactivate(owner, hire):
    anna = hire("Анна")
    boris = hire("Борис")
    response = anna.client.delete(f"/api/users/{boris.id}")
    assert response.status == 403
    assert boris.client.get("/api/auth/me").status == 200


def test_deactivate_unknown_user_404(owner):
    response = owner.client.delete("/api/users/01HNOUSER000000000000000000")
    assert response.status == 404


def test_deactivate_twice_is_harmless(owner, hire):
    anna = hire("Анна")
    first = owner.client.delete(f"/api/users/{anna.id}")
    second = owner.client.delete(f"/api/users/{anna.id}")
    assert second.status == 200
    assert second.json["user"]["deactivated_at"] == first.json["user"]["deactivated_at"]


def test_deactivated_user_is_read_only(owner, hire):
    anna = hire("Анна")
    owner.client.delete(f"/api/users/{anna.id}")
    response = owner.client.patch(f"/api/users/{anna.id}", {"name": "Анна К."})
    assert response.status == 409
    stored = owner.client.get(f"/api/users/{anna.id}").json["user"]
    assert stored["status"] == "deactivated"
