"""Department channels follow the org structure and cannot be changed by hand."""

import pytest

from chalicelib.chat import channels, messages
from chalicelib.chat.models import SYSTEM_SENDER_ID
from tests.support.chat_conversations import listed_ids, member_ids, stored_channel
from tests.support.org import create_department, create_position


@pytest.fixture
def org(owner, pump):
    sales = create_department(owner.client, "Продажи")
    content = create_department(owner.client, "Контент")
    positions = {
        "sales": create_position(owner.client, "Менеджер продаж", sales["id"]),
        "content": create_position(owner.client, "Контент-менеджер", content["id"]),
    }
    pump.drain()
    return {"sales": sales, "content": content, "positions": positions}


def department_channel(person, department_id: str) -> dict:
    """Return the department's channel as returned to ``person``, member or not."""
    found = channels.find_channel_by_key(channels.department_key(department_id))
    assert found is not None, f"no channel for department {department_id}"
    response = person.client.get(f"/api/chat/channels/{found.channel_id}")
    assert response.status == 200, response.body
    return response.json["channel"]


def test_new_department_gets_public_channel(owner, org):
    channel = department_channel(owner, org["sales"]["id"])
    assert channel["kind"] == "department"
    assert channel["name"] == "Продажи"
    assert channel["visibility"] == "public"
    assert channel["owner_ids"] == []


def test_transfer_moves_member_and_counts(owner, org, hire, pump):
    anna = hire("Анна", org["positions"]["sales"]["id"])
    sales = department_channel(anna, org["sales"]["id"])
    sales_count = stored_channel(sales["id"]).member_count
    assert anna.id in member_ids(anna, sales["id"])

    moved = owner.client.patch(
        f"/api/users/{anna.id}", {"position_id": org["positions"]["content"]["id"]}
    )
    assert moved.status == 200, moved.body
    pump.drain()

    content = department_channel(anna, org["content"]["id"])
    assert anna.id in member_ids(anna, content["id"])
    assert sales["id"] not in listed_ids(anna)
    assert stored_channel(sales["id"]).member_count == sales_count - 1
    assert stored_channel(content["id"]).member_count == len(
        member_ids(anna, content["id"])
    )


def test_position_moved_to_other_department_moves_holder(owner, org, hire, pump):
    anna = hire("Анна", org["positions"]["sales"]["id"])
    position_id = org["positions"]["sales"]["id"]

    response = owner.client.patch(
        f"/api/org/positions/{position_id}", {"department_id": org["content"]["id"]}
    )
    assert response.status == 200, response.body
    pump.drain()

    content = department_channel(anna, org["content"]["id"])
    assert anna.id in member_ids(anna, content["id"])
    sales = department_channel(owner, org["sales"]["id"])
    assert sales["id"] not in listed_ids(anna)


def test_rename_department_renames_channel(owner, org, pump):
    department_id = org["sales"]["id"]
    response = owner.client.patch(
        f"/api/org/departments/{department_id}", {"name": "Продажи и маркетинг"}
    )
    assert response.status == 200, response.body
    pump.drain()
    assert department_channel(owner, department_id)["name"] == "Продажи и маркетинг"


def test_department_channel_not_managed_by_hand(owner, org, hire):
    anna = hire("Анна", org["positions"]["sales"]["id"])
    boris = hire("Борис")
    channel = department_channel(anna, org["sales"]["id"])
    base = f"/api/chat/channels/{channel['id']}"

    # Public, so anyone can look at it, but joining follows positions.
    assert boris.client.get(base).status == 200
    for response in (
        boris.client.post(f"{base}/join"),
        anna.client.post(f"{base}/leave"),
        owner.client.patch(base, {"name": "Другое"}),
        owner.client.post(f"{base}/archive"),
        owner.client.delete(f"{base}/members/{anna.id}"),
        owner.client.post(f"{base}/members", {"user_id": boris.id}),
    ):
        assert response.status == 403, response.body
        assert "org structure" in response.json["error"]["message"]
    assert anna.id in member_ids(anna, channel["id"])


def test_deleted_department_channel_archived_and_kept(owner, pump):
    department = create_department(owner.client, "Временный")
    pump.drain()
    channel = department_channel(owner, department["id"])
    stored = stored_channel(channel["id"])
    posted = messages.post_message(
        stored, sender_id=SYSTEM_SENDER_ID, sender_name="Штаб", text="итоги"
    )

    assert owner.client.delete(f"/api/org/departments/{department['id']}").status < 300
    pump.drain()

    detail = owner.client.get(f"/api/chat/channels/{channel['id']}").json["channel"]
    assert detail["archived"] is True
    history, _ = messages.list_history(channel["id"], limit=10)
    assert [message.message_id for message in history] == [posted.message_id]
