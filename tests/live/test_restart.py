"""Data written to the local stack survives a stop and a start."""

import pytest

from tests.support.live import LiveStack

pytestmark = pytest.mark.live


def test_data_and_tokens_survive_restart(tmp_path):
    stack = LiveStack(tmp_path / "data", "owner@restart.example", "restart-password")
    stack.data_dir.mkdir()
    stack.start()
    try:
        token = stack.login("owner@restart.example", "restart-password")
        channel = stack.api("POST", "/api/chat/channels", token, json={"name": "склад"})
        channel_id = channel.json()["channel"]["id"]
        stack.api(
            "POST",
            f"/api/chat/channels/{channel_id}/messages",
            token,
            json={"text": "до перезапуска"},
        )
    finally:
        stack.stop()

    assert stack.process.returncode == 0
    log = stack.log_path.read_text()
    assert "saved" in log
    assert "stopped" in log

    stack.start()
    try:
        page = stack.api("GET", f"/api/chat/channels/{channel_id}/messages", token)
        assert page.status_code == 200
        assert [m["text"] for m in page.json()["messages"]] == ["до перезапуска"]

        # The owner exists already, so no second owner and no new password.
        users = stack.api("GET", "/api/users", token).json()["users"]
        assert [user["role"] for user in users] == ["owner"]
    finally:
        stack.stop()
