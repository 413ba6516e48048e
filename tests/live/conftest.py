import time

import pytest

from tests.support.live import LiveStack

OWNER_EMAIL = "owner@live.example"
OWNER_PASSWORD = "live-owner-password"


@pytest.fixture(scope="session")
def live_stack(tmp_path_factory):
    stack = LiveStack(tmp_path_factory.mktemp("live"), OWNER_EMAIL, OWNER_PASSWORD)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def live_company(live_stack):
    """Owner token, the applied template and two hired people, shared by live tests."""
    token = live_stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    applied = live_stack.api(
        "POST", "/api/org/templates/marketplace-business/apply", token
    )
    assert applied.status_code == 200, applied.text
    positions = live_stack.api("GET", "/api/org/positions", token).json()["positions"]
    by_name = {position["name_en"]: position for position in positions}

    people = {}
    for key, name, position in (
        ("anna", "Анна Петрова", "Wildberries account manager"),
        ("boris", "Борис", "Ozon account manager"),
    ):
        body = {
            "email": f"{key}@live.example",
            "name": name,
            "position_id": by_name[position]["id"],
            "password": f"{key}-password-1",
        }
        created = live_stack.api("POST", "/api/users", token, json=body)
        assert created.status_code == 201, created.text
        people[key] = {
            "id": created.json()["user"]["id"],
            "token": live_stack.login(body["email"], body["password"]),
        }
    people["owner"] = {"id": None, "token": token}
    _wait_for_general(live_stack, people["boris"]["token"])
    return {"positions": by_name, **people}


def _wait_for_general(stack, token, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        channels = stack.api("GET", "/api/chat/channels", token).json()["channels"]
        if any(channel["kind"] == "general" for channel in channels):
            return
        time.sleep(0.1)
    raise TimeoutError("membership reaction did not run")
