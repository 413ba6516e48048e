"""Request events become replies in the request's own chat thread, once each."""

import pytest

from chalicelib.finance.reactions import handle_finance_record
from shtab_local.pump import LocalLambdaContext
from tests.finance.conftest import stream_records


def finance_channel(person, request_id: str) -> dict | None:
    request = person.client.get(f"/api/finance/requests/{request_id}").json["request"]
    return request["thread"]


def replies(person, request_id: str) -> list[str]:
    thread = finance_channel(person, request_id)
    response = person.client.get(f"/api/chat/messages/{thread['thread_id']}/thread")
    assert response.status == 200, response.body
    return [reply["text"] for reply in response.json["replies"]]


def members(person, request_id: str) -> set[str]:
    thread = finance_channel(person, request_id)
    response = person.client.get(f"/api/chat/channels/{thread['channel_id']}/members")
    return {member["name"] for member in response.json["members"]}


def addressed_to(texts: list[str], name: str) -> list[str]:
    return [text for text in texts if text.split(" ", 1)[1].startswith(f"{name},")]


@pytest.fixture
def submitted(world, requests_api):
    request = requests_api.submitted(world.anna)
    world.pump.drain()
    return request


def test_submit_creates_request_channel(world, submitted):
    channels = world.anna.client.get("/api/chat/channels").json["channels"]
    names = [channel["name"] for channel in channels if channel["kind"] == "finance"]
    assert "Заявка на оплату · ООО «Ромашка» · 12 500,50 RUB" in names


def test_channel_members_are_author_and_first_approver(world, submitted):
    assert members(world.anna, submitted["id"]) == {"Анна", "Борис"}


def test_later_approver_is_not_a_member_yet(world, submitted):
    thread = finance_channel(world.anna, submitted["id"])
    response = world.fedor.client.get(
        f"/api/chat/channels/{thread['channel_id']}/messages"
    )
    assert response.status == 403


def test_root_message_describes_request(world, submitted):
    thread = finance_channel(world.anna, submitted["id"])
    page = world.anna.client.get(
        f"/api/chat/channels/{thread['channel_id']}/messages"
    ).json
    assert [message["id"] for message in page["messages"]] == [thread["thread_id"]]
    assert "Купить 500 коробок" in page["messages"][0]["text"]


def test_submit_notifies_first_approver(world, submitted):
    texts = replies(world.boris, submitted["id"])
    assert len(texts) == 1
    assert "Борис, заявка на оплату «ООО «Ромашка»»" in texts[0]
    assert "ждёт вашего согласования (шаг 1 из 2)" in texts[0]


def test_author_gets_nothing_for_own_submit(world, submitted):
    assert addressed_to(replies(world.anna, submitted["id"]), "Анна") == []


def test_step_approval_notifies_author_and_next_approver(
    world, requests_api, submitted
):
    requests_api.act(world.boris, submitted["id"], "approve", {"comment": "Берём"})
    world.pump.drain()
    texts = replies(world.anna, submitted["id"])
    to_anna = addressed_to(texts, "Анна")
    to_fedor = addressed_to(texts, "Фёдор")
    assert len(to_anna) == 1
    assert "Борис согласовал(а) вашу заявку" in to_anna[0]
    assert "Комментарий: Берём" in to_anna[0]
    assert len(to_fedor) == 1
    assert "шаг 2 из 2" in to_fedor[0]


def test_approver_never_told_of_own_approval(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "approve")
    world.pump.drain()
    # Борис's one reply is the request of his approval, from the submit.
    assert len(addressed_to(replies(world.anna, submitted["id"]), "Борис")) == 1


def test_next_approver_joins_channel(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "approve")
    world.pump.drain()
    assert members(world.anna, submitted["id"]) == {"Анна", "Борис", "Фёдор"}


def test_full_approval_notifies_author(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "approve")
    requests_api.act(world.fedor, submitted["id"], "approve")
    world.pump.drain()
    to_anna = addressed_to(replies(world.anna, submitted["id"]), "Анна")
    assert any("согласована полностью" in text for text in to_anna)


def test_rejection_tells_reason(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "reject", {"reason": "Нет бюджета"})
    world.pump.drain()
    to_anna = addressed_to(replies(world.anna, submitted["id"]), "Анна")
    assert to_anna == [
        "⛔ Анна, Борис отклонил(а) вашу заявку «ООО «Ромашка»» на 12 500,50 RUB. "
        "Причина: Нет бюджета"
    ]


def test_return_tells_reason(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "return", {"reason": "Нужен счёт"})
    world.pump.drain()
    to_anna = addressed_to(replies(world.anna, submitted["id"]), "Анна")
    assert len(to_anna) == 1
    assert "на доработку. Причина: Нужен счёт" in to_anna[0]


def test_payments_notify_author(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "approve")
    requests_api.act(world.fedor, submitted["id"], "approve")
    requests_api.act(world.fedor, submitted["id"], "pay", {"amount": "500.50"})
    requests_api.act(world.fedor, submitted["id"], "pay", {"amount": "12000"})
    world.pump.drain()
    paid = [
        text
        for text in addressed_to(replies(world.anna, submitted["id"]), "Анна")
        if text.startswith("💸")
    ]
    assert paid == [
        "💸 Анна, по вашей заявке «ООО «Ромашка»» оплачено 500,50 RUB, "
        "осталось оплатить 12 000,00 RUB.",
        "💸 Анна, по вашей заявке «ООО «Ромашка»» оплачено 12 000,00 RUB — "
        "заявка оплачена полностью.",
    ]


def test_notification_in_recipients_language(world, requests_api):
    # Алла's requests go to the CEO, as the CFO position is vacant.
    request = requests_api.submitted(world.alla)
    requests_api.act(world.vera, request["id"], "reject", {"reason": "Not now"})
    world.pump.drain()
    to_alla = addressed_to(replies(world.alla, request["id"]), "Алла")
    assert to_alla == [
        '⛔ Алла, Вера rejected your request "ООО «Ромашка»" for 12,500.50 RUB. '
        "Reason: Not now"
    ]


def test_withdraw_and_schedule_post_nothing(world, requests_api, submitted):
    before = replies(world.anna, submitted["id"])
    requests_api.act(world.anna, submitted["id"], "withdraw")
    world.pump.drain()
    assert replies(world.anna, submitted["id"]) == before


def test_resubmission_reuses_channel_and_thread(world, requests_api, submitted):
    first = finance_channel(world.anna, submitted["id"])
    requests_api.act(world.boris, submitted["id"], "return", {"reason": "Исправьте"})
    requests_api.act(world.anna, submitted["id"], "submit")
    world.pump.drain()
    assert finance_channel(world.anna, submitted["id"]) == first


def test_second_drain_posts_nothing_more(world, requests_api, submitted):
    requests_api.act(world.boris, submitted["id"], "approve")
    world.pump.drain()
    before = replies(world.anna, submitted["id"])
    world.pump.drain()
    assert replies(world.anna, submitted["id"]) == before


def finance_records(database) -> list[dict]:
    return stream_records(database, "finance")


def test_replayed_batch_posts_nothing_more(
    world, requests_api, submitted, database, app_module
):
    requests_api.act(world.boris, submitted["id"], "approve")
    world.pump.drain()
    before = replies(world.anna, submitted["id"])
    records = finance_records(database)
    context = LocalLambdaContext("finance_reactions")
    first = app_module.finance_reactions({"Records": records}, context)
    second = app_module.finance_reactions({"Records": records}, context)
    world.pump.drain()
    assert first == {"batchItemFailures": []}
    assert second == {"batchItemFailures": []}
    assert replies(world.anna, submitted["id"]) == before


def test_records_handled_again_without_idempotency_post_nothing(
    world, requests_api, submitted, database
):
    """The reply ids come from the event, so even a forgotten record posts once."""
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

    requests_api.act(world.boris, submitted["id"], "approve")
    world.pump.drain()
    before = replies(world.anna, submitted["id"])
    for record in finance_records(database):
        handle_finance_record(DynamoDBRecord(record))
    world.pump.drain()
    assert replies(world.anna, submitted["id"]) == before
