"""The sample Lambda events in events/ run through the real handlers."""

import json
from datetime import UTC, datetime
from pathlib import Path

from chalicelib.auth.tokens import issue_token
from chalicelib.chat import channels, connections
from chalicelib.people.models import DIRECTORY, User

EVENTS = Path(__file__).resolve().parents[2] / "events"
OWNER_ID = "01KBM00000000000000000WNER"
ANNA_ID = "01KBM00000000000000000ANNA"


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def _person(user_id: str, name: str, status: str = "active") -> User:
    now = datetime.now(UTC)
    user = User(
        user_id,
        email=f"{user_id.lower()}@example.com",
        name=name,
        role="employee",
        directory=DIRECTORY,
        status=status,
        created_at=now,
        updated_at=now,
    )
    user.save()
    return user


def _context():
    from shtab_local.pump import LocalLambdaContext

    return LocalLambdaContext("sample")


def test_task_insert_event_notifies_assignee(pump, app_module, gateway):
    _person(OWNER_ID, "Owner")
    _person(ANNA_ID, "Анна Петрова")

    result = app_module.notification_reactions(
        _event("dynamodb-tasks-insert.json"), _context()
    )

    assert result == {"batchItemFailures": []}
    channel = channels.find_channel_by_key(channels.notifications_key(ANNA_ID))
    from chalicelib.chat.messages import list_history

    messages, _ = list_history(channel.channel_id, limit=10)
    assert len(messages) == 1
    assert "Загрузить новые фото в карточку" in messages[0].text


def test_deactivation_event_leaves_channels(pump, app_module, gateway):
    _person(ANNA_ID, "Анна Петрова", status="deactivated")
    general = channels.ensure_channel(
        channels.GENERAL_KEY, name="Общий", kind="general"
    )
    channels.add_member(general.channel_id, ANNA_ID, source="org")
    connections.add_connection("Xq1fYd0AFiA=", ANNA_ID)

    event = _event("dynamodb-users-modify-deactivated.json")
    result = app_module.membership_reactions(event, _context())

    assert result == {"batchItemFailures": []}
    assert not channels.is_member(general.channel_id, ANNA_ID)
    assert gateway.closed == ["Xq1fYd0AFiA="]


def test_websocket_events_connect_and_send(pump, app_module, gateway):
    _person(ANNA_ID, "Анна Петрова")
    general = channels.ensure_channel(
        channels.GENERAL_KEY, name="Общий", kind="general"
    )
    channels.add_member(general.channel_id, ANNA_ID, source="org")

    connect = _event("websocket-connect.json")
    connect["queryStringParameters"]["token"] = issue_token(ANNA_ID, 0)
    assert app_module.websocket_connect(connect, {}) == {"statusCode": 200}

    message = _event("websocket-message.json")
    body = json.loads(message["body"])
    body["channel_id"] = general.channel_id
    message["body"] = json.dumps(body, ensure_ascii=False)
    assert app_module.websocket_message(message, {}) == {"statusCode": 200}

    ack = gateway.events("Xq1fYd0AFiA=", "ack")
    assert ack[0]["message"]["text"] == "Привет из события"


def test_websocket_connect_without_token_rejected(pump, app_module, gateway):
    connect = _event("websocket-connect.json")
    connect["queryStringParameters"] = None
    assert app_module.websocket_connect(connect, {}) == {"statusCode": 401}
