"""The Telegram bridge end to end, against a fake Bot API on 127.0.0.1.

Each test configures the bot through the API, links a person by posting the
update Telegram would send for ``/start <code>``, and drains the streams so
the real chat reaction sends notification copies to the fake.
"""

import logging
from datetime import timedelta

import pytest
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib import clock
from chalicelib.chat.channels import (
    create_channel,
    find_channel_by_key,
    notifications_key,
)
from chalicelib.chat.messages import list_history, post_message
from chalicelib.integrations import telegram_api
from chalicelib.integrations.telegram_bridge import LINK_CODE_SECONDS, SECRET_HEADER
from chalicelib.integrations.telegram_delivery import (
    TelegramRetryLater,
    TelegramSent,
    send_notification_copy,
    sent_pk,
)
from chalicelib.streams import dead_letters
from shtab_local.pump import LocalLambdaContext
from tests.support.fake_telegram import BOT_USERNAME, TOKEN, FakeTelegram

ANNA_CHAT = 501
BOB_CHAT = 502


@pytest.fixture
def telegram(monkeypatch):
    fake = FakeTelegram()
    fake.start()
    monkeypatch.setenv(telegram_api.API_URL_VARIABLE, fake.url)
    yield fake
    fake.stop()


@pytest.fixture
def bot(owner, telegram) -> dict:
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": TOKEN}
    )
    assert response.status == 200, response.body
    return response.json["telegram"]


def webhook_secret(telegram: FakeTelegram) -> str:
    return telegram.calls_of("setWebhook")[-1].payload["secret_token"]


def send_update(api, telegram, text: str, chat_id: int, **sender) -> dict:
    update = {
        "update_id": 10,
        "message": {
            "message_id": 1,
            "date": 1767225600,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Анна", **sender},
            "text": text,
        },
    }
    response = api.post(
        "/api/telegram/updates",
        update,
        headers={SECRET_HEADER: webhook_secret(telegram)},
    )
    assert response.status == 200, response.body
    return response.json


def new_code(person) -> dict:
    response = person.client.post("/api/integrations/telegram/link")
    assert response.status == 201, response.body
    return response.json["link"]


def link(person, api, telegram, chat_id: int) -> None:
    code = new_code(person)["code"]
    reply = send_update(api, telegram, f"/start {code}", chat_id)
    assert reply["method"] == "sendMessage"


def link_state(person) -> dict:
    response = person.client.get("/api/integrations/telegram/link")
    assert response.status == 200, response.body
    return response.json["telegram"]


def assign_task(owner, pump, assignee, title: str = "Отгрузить <поставку> & счёт"):
    response = owner.client.post(
        "/api/tasks", {"title": title, "assignee_id": assignee.id}
    )
    assert response.status == 201, response.body
    pump.drain()
    return response.json["task"]


def notification_record(user_id: str, event_id: str = "redelivered") -> DynamoDBRecord:
    """Build the INSERT record of the person's latest notification message."""
    channel = find_channel_by_key(notifications_key(user_id))
    messages, _ = list_history(channel.channel_id, limit=1)
    image = messages[0].serialize()
    return DynamoDBRecord(
        {
            "eventID": event_id,
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "Keys": {"pk": image["pk"], "sk": image["sk"]},
                "NewImage": image,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
    )


# Configuring the bot


def test_configure_bot_sets_webhook(owner, telegram, bot):
    assert bot["configured"] is True
    assert bot["bot_username"] == BOT_USERNAME
    assert bot["token_hint"] == "…" + TOKEN[-4:]
    assert [call.method for call in telegram.calls] == ["getMe", "setWebhook"]
    webhook = telegram.calls_of("setWebhook")[0].payload
    assert webhook["url"].endswith("/api/telegram/updates")
    assert webhook["url"].startswith("https://")
    assert len(webhook["secret_token"]) >= 32
    assert bot["webhook"] == {"url": webhook["url"], "active": True, "error": None}


def test_bot_token_masked_in_get(owner, telegram, bot):
    response = owner.client.get("/api/integrations/telegram")

    assert response.status == 200
    assert response.json["telegram"]["token_hint"] == "…" + TOKEN[-4:]
    secret_part = TOKEN.split(":")[1]
    assert secret_part not in response.body.decode()
    assert webhook_secret(telegram) not in response.body.decode()


def test_rejected_token_stores_nothing(owner, telegram):
    wrong = TOKEN[:-4] + "0000"
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": wrong}
    )

    assert response.status == 400
    assert response.error_field() == "bot_token"
    state = owner.client.get("/api/integrations/telegram").json["telegram"]
    assert state == {"configured": False}


def test_refused_webhook_is_reported(owner, telegram):
    telegram.fail_next(
        "setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided"
    )
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": TOKEN}
    )

    assert response.status == 200, response.body
    webhook = response.json["telegram"]["webhook"]
    assert webhook["active"] is False
    assert "HTTPS url must be provided" in webhook["error"]


def test_given_webhook_url_is_used(owner, telegram):
    url = "https://shtab.example.com/api/telegram/updates"
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": TOKEN, "webhook_url": url}
    )

    assert response.status == 200, response.body
    assert telegram.calls_of("setWebhook")[0].payload["url"] == url


def test_delete_bot_drops_webhook(owner, telegram, bot):
    response = owner.client.delete("/api/integrations/telegram")

    assert response.status == 204
    assert telegram.calls[-1].method == "deleteWebhook"
    state = owner.client.get("/api/integrations/telegram").json["telegram"]
    assert state == {"configured": False}


def test_telegram_unreachable_is_502(owner, telegram):
    telegram.stop()
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": TOKEN}
    )

    assert response.status == 502
    assert response.json["error"]["code"] == "telegram_unavailable"
    # Restarted so that the fixture's stop finds a running server.
    telegram.__init__()
    telegram.start()


# Linking


def test_link_flow(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    code = new_code(anna)

    assert code["deep_link"] == f"https://t.me/{BOT_USERNAME}?start={code['code']}"
    assert len(code["code"]) == 32
    assert link_state(anna)["linked"] is False

    reply = send_update(api, telegram, f"/start {code['code']}", ANNA_CHAT)

    assert reply["method"] == "sendMessage"
    assert reply["chat_id"] == ANNA_CHAT
    assert reply["text"].startswith("Готово, Анна")
    state = link_state(anna)
    assert state["linked"] is True
    assert state["bot_username"] == BOT_USERNAME
    assert state["telegram_name"] == "Анна"


def test_link_reply_in_person_locale(owner, api, hire, telegram, bot):
    bob = hire("Bob", locale="en")
    code = new_code(bob)["code"]

    reply = send_update(api, telegram, f"/start {code}", BOB_CHAT, username="bob")

    assert reply["text"].startswith("Done")
    assert link_state(bob)["telegram_name"] == "@bob"


def test_wrong_code_refused(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    new_code(anna)

    reply = send_update(api, telegram, "/start " + "x" * 32, ANNA_CHAT)

    assert "Код не подошёл" in reply["text"]
    assert link_state(anna)["linked"] is False


def test_wrong_code_english_sender(owner, api, hire, telegram, bot):
    reply = send_update(api, telegram, "/start nope", BOB_CHAT, language_code="de")

    assert reply["text"].startswith("This code is not valid")


def test_expired_code_refused(owner, api, hire, telegram, bot, monkeypatch):
    anna = hire("Анна")
    code = new_code(anna)["code"]
    moved = clock.utc_now() + timedelta(seconds=LINK_CODE_SECONDS + 1)
    monkeypatch.setattr(clock, "utc_now", lambda: moved)

    reply = send_update(api, telegram, f"/start {code}", ANNA_CHAT)

    assert "истёк" in reply["text"]
    assert link_state(anna)["linked"] is False


def test_reused_code_refused(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    code = new_code(anna)["code"]
    send_update(api, telegram, f"/start {code}", ANNA_CHAT)

    reply = send_update(api, telegram, f"/start {code}", 999)

    assert "уже использована" in reply["text"]
    assert link_state(anna)["linked"] is True


def test_resent_update_same_reply(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    code = new_code(anna)["code"]
    first = send_update(api, telegram, f"/start {code}", ANNA_CHAT)

    again = send_update(api, telegram, f"/start {code}", ANNA_CHAT)

    assert again == first
    assert link_state(anna)["linked"] is True


def test_start_without_code_explains(owner, api, telegram, bot):
    reply = send_update(api, telegram, "/start", ANNA_CHAT)

    assert "Привязать Telegram" in reply["text"]


def test_group_chat_not_linked(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    code = new_code(anna)["code"]
    response = api.post(
        "/api/telegram/updates",
        {
            "update_id": 11,
            "message": {
                "chat": {"id": -100, "type": "group"},
                "text": f"/start {code}",
            },
        },
        headers={SECRET_HEADER: webhook_secret(telegram)},
    )

    assert response.status == 200
    assert "личном чате" in response.json["text"]
    assert link_state(anna)["linked"] is False


def test_other_messages_ignored(owner, api, telegram, bot):
    assert send_update(api, telegram, "привет", ANNA_CHAT) == {}


def test_secret_header_checked(owner, api, hire, telegram, bot):
    anna = hire("Анна")
    code = new_code(anna)["code"]
    update = {
        "update_id": 12,
        "message": {"chat": {"id": 1, "type": "private"}, "text": f"/start {code}"},
    }

    missing = api.post("/api/telegram/updates", update)
    wrong = api.post(
        "/api/telegram/updates", update, headers={SECRET_HEADER: "not-the-secret"}
    )

    assert missing.status == 401
    assert wrong.status == 401
    assert SECRET_HEADER in wrong.json["error"]["message"]
    assert link_state(anna)["linked"] is False


def test_unlink(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)

    response = anna.client.delete("/api/integrations/telegram/link")
    assign_task(owner, pump, anna)

    assert response.status == 204
    assert link_state(anna)["linked"] is False
    assert telegram.calls_of("sendMessage") == []


def test_new_bot_ignores_old_links(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.token = "7000000002:AAF-another_secret_part_0123456789abc"
    telegram.bot_id = 7000000002
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": telegram.token}
    )
    assert response.status == 200, response.body

    assign_task(owner, pump, anna)

    assert link_state(anna)["linked"] is False
    assert telegram.calls_of("sendMessage") == []


# Delivering notifications


def test_notification_arrives_in_chat(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)

    task = assign_task(owner, pump, anna)

    [call] = telegram.calls_of("sendMessage")
    assert call.payload["chat_id"] == ANNA_CHAT
    assert call.payload["parse_mode"] == "HTML"
    text = call.payload["text"]
    assert "поставил(а) вам задачу" in text
    assert "«Отгрузить &lt;поставку&gt; &amp; счёт»" in text
    assert f'<a href="https://localhost/#/tasks/{task["id"]}">Открыть в Штабе</a>' in (
        text
    )


def test_notification_in_english(owner, api, hire, telegram, bot, pump):
    bob = hire("Bob", locale="en")
    link(bob, api, telegram, BOB_CHAT)

    assign_task(owner, pump, bob, title="Ship it")

    [call] = telegram.calls_of("sendMessage")
    assert call.payload["chat_id"] == BOB_CHAT
    assert 'assigned you the task "Ship it"' in call.payload["text"].replace(
        "&quot;", '"'
    )
    assert "Open in Shtab</a>" in call.payload["text"]


def test_unlinked_person_gets_nothing(owner, hire, telegram, bot, pump):
    anna = hire("Анна")

    assign_task(owner, pump, anna)

    assert telegram.calls_of("sendMessage") == []


def _thread_notification(owner, recipient_id: str | None) -> None:
    """Post a notification into a shared thread, as payment requests do."""
    channel = create_channel("Заявка на оплату", None, owner.id)
    root = post_message(
        channel, sender_id=owner.id, sender_name="Владелец", text="Заявка"
    )
    post_message(
        channel,
        sender_id="system",
        sender_name="Штаб",
        text="Заявку одобрили",
        thread_id=root.message_id,
        kind="notification",
        link="#/finance/requests/R1",
        recipient_id=recipient_id,
    )


def test_thread_notification_reaches_recipient(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    boris = hire("Борис")
    link(anna, api, telegram, ANNA_CHAT)
    link(boris, api, telegram, BOB_CHAT)

    _thread_notification(owner, anna.id)
    pump.drain()

    [call] = telegram.calls_of("sendMessage")
    assert call.payload["chat_id"] == ANNA_CHAT
    assert "Заявку одобрили" in call.payload["text"]


def test_thread_notification_without_recipient(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)

    _thread_notification(owner, None)
    pump.drain()

    assert telegram.calls_of("sendMessage") == []


def test_no_double_send_on_redelivery(
    owner, api, hire, telegram, bot, pump, app_module
):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    assign_task(owner, pump, anna)
    assert len(telegram.calls_of("sendMessage")) == 1

    record = notification_record(anna.id)
    send_notification_copy(record)
    # A new event id passes the reaction's own idempotency check.
    app_module.delivery_reactions(
        {"Records": [record.raw_event]}, LocalLambdaContext("delivery_reactions")
    )

    assert len(telegram.calls_of("sendMessage")) == 1
    message_id = record.dynamodb.new_image["message_id"]
    assert TelegramSent.get(sent_pk(message_id), "SENT").state == "sent"


def test_blocked_bot_unlinks(owner, api, hire, telegram, bot, pump, caplog):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user")

    with caplog.at_level(logging.INFO):
        assign_task(owner, pump, anna)

    assert len(telegram.calls_of("sendMessage")) == 1
    assert link_state(anna)["linked"] is False
    assert pump.parked == []
    assert "link removed=True" in caplog.text


def test_rate_limit_waits_retry_after(
    owner, api, hire, telegram, bot, pump, monkeypatch
):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 30", 30)

    assign_task(owner, pump, anna)

    # The retries came sooner than 30 seconds, so none reached Telegram, and
    # the reaction parked the record as a dead letter.
    assert len(telegram.calls_of("sendMessage")) == 1
    parked, _ = dead_letters.list_parked(10, None)
    assert len(parked) == 1
    record = notification_record(anna.id)
    with pytest.raises(TelegramRetryLater):
        send_notification_copy(record)
    assert len(telegram.calls_of("sendMessage")) == 1

    moved = clock.utc_now() + timedelta(seconds=31)
    monkeypatch.setattr(clock, "utc_now", lambda: moved)
    send_notification_copy(record)
    send_notification_copy(record)

    assert len(telegram.calls_of("sendMessage")) == 2
    assert link_state(anna)["linked"] is True


def test_server_error_retried(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.fail_next("sendMessage", 502, "Bad Gateway")

    assign_task(owner, pump, anna)

    assert len(telegram.calls_of("sendMessage")) == 2
    assert pump.parked == []
    assert link_state(anna)["linked"] is True


def test_bad_request_dropped(owner, api, hire, telegram, bot, pump):
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.fail_next("sendMessage", 400, "Bad Request: chat not found")

    assign_task(owner, pump, anna)

    assert len(telegram.calls_of("sendMessage")) == 1
    assert pump.parked == []
    record = notification_record(anna.id)
    message_id = record.dynamodb.new_image["message_id"]
    assert TelegramSent.get(sent_pk(message_id), "SENT").state == "failed"


def test_token_absent_from_logs(owner, api, hire, telegram, pump, caplog):
    # urllib3 logs each request line at DEBUG. botocore is left at its level,
    # because its DEBUG lines print every DynamoDB request, stored items included.
    caplog.set_level(logging.DEBUG, logger="chalicelib")
    caplog.set_level(logging.DEBUG, logger="urllib3")
    response = owner.client.request(
        "PUT", "/api/integrations/telegram", {"bot_token": TOKEN}
    )
    assert response.status == 200, response.body
    anna = hire("Анна")
    link(anna, api, telegram, ANNA_CHAT)
    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    assign_task(owner, pump, anna)
    telegram.fail_next("sendMessage", 400, f"Bad Request: /bot{TOKEN}/sendMessage")
    assign_task(owner, pump, anna, title="Вторая")
    telegram.stop()
    assign_task(owner, pump, anna, title="Третья")
    telegram.__init__()
    telegram.start()

    secret_part = TOKEN.split(":")[1]
    assert len(telegram.calls) == 0
    # The three failures were logged, each without the token.
    assert "Bad Gateway" in caplog.text
    assert "/bot<redacted>" in caplog.text
    assert '"POST /bot<redacted>/sendMessage HTTP/1.1" 200' in caplog.text
    assert "ConnectionError" in caplog.text
    assert secret_part not in caplog.text
    for record in caplog.records:
        assert secret_part not in record.getMessage()
        assert secret_part not in (record.exc_text or "")


# Without a bot


def test_link_needs_bot(owner, hire, telegram):
    anna = hire("Анна")

    response = anna.client.post("/api/integrations/telegram/link")

    assert response.status == 409
    assert "PUT /api/integrations/telegram" in response.json["error"]["message"]
    assert link_state(anna) == {
        "bot_configured": False,
        "bot_username": None,
        "linked": False,
    }


def test_updates_without_bot_404(api, owner):
    response = api.post(
        "/api/telegram/updates",
        {"update_id": 1},
        headers={SECRET_HEADER: "anything"},
    )

    assert response.status == 404


def test_delete_missing_bot_404(owner, telegram):
    response = owner.client.delete("/api/integrations/telegram")

    assert response.status == 404
    assert telegram.calls == []
