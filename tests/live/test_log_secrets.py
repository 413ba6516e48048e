"""No secret reaches the logs: a run through sign-in, hiring, password changes,
API tokens, webhook secrets, sockets and failed attempts, then a grep of every
line the stack wrote."""

import asyncio
import json

import pytest
import requests
import websockets

from tests.support.live import LiveStack

OWNER_EMAIL = "owner@secrets.example"
OWNER_PASSWORD = "owner-secret-password-1"
HIRED_PASSWORD = "hired-secret-password-2"
CHANGED_PASSWORD = "changed-secret-password-3"
WRONG_PASSWORD = "wrong-secret-password-4"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    live = LiveStack(
        tmp_path_factory.mktemp("secrets"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment={"SHTAB_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1"},
    )
    live.start()
    yield live
    live.stop()


def call(stack, method, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(
        method, f"{stack.url}{path}", headers=headers, timeout=30, **kwargs
    )


async def open_socket(url: str) -> None:
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"action": "ping", "request_id": "p1"}))
        await asyncio.wait_for(socket.recv(), timeout=10)


def run_company(stack) -> list[str]:
    """Use every path that handles a secret; return the secrets seen."""
    secrets = [OWNER_PASSWORD, HIRED_PASSWORD, CHANGED_PASSWORD, WRONG_PASSWORD]
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    secrets.append(owner_token)

    hired = call(
        stack,
        "POST",
        "/api/users",
        owner_token,
        json={
            "email": "anna@secrets.example",
            "name": "Анна",
            "password": HIRED_PASSWORD,
        },
    )
    assert hired.status_code == 201, hired.text
    anna_id = hired.json()["user"]["id"]
    anna_token = stack.login("anna@secrets.example", HIRED_PASSWORD)
    secrets.append(anna_token)

    # Failed attempts, which are logged, carry a password and a token.
    assert (
        call(
            stack,
            "POST",
            "/api/auth/login",
            json={"email": "anna@secrets.example", "password": WRONG_PASSWORD},
        ).status_code
        == 401
    )
    assert call(stack, "GET", "/api/auth/me", anna_token + "x").status_code == 401
    too_long = call(
        stack,
        "POST",
        "/api/auth/login",
        json={"email": "anna@secrets.example", "password": WRONG_PASSWORD * 20},
    )
    assert too_long.status_code == 400

    asyncio.run(open_socket(f"{stack.ws_url}?token={anna_token}"))

    changed = call(
        stack,
        "PATCH",
        f"/api/users/{anna_id}",
        owner_token,
        json={"password": CHANGED_PASSWORD},
    )
    assert changed.status_code == 200, changed.text
    secrets.append(stack.login("anna@secrets.example", CHANGED_PASSWORD))
    # The revoked token, tried on the API and on a socket.
    assert call(stack, "GET", "/api/auth/me", anna_token).status_code == 401
    with pytest.raises(websockets.exceptions.InvalidStatus):
        asyncio.run(open_socket(f"{stack.ws_url}?token={anna_token}"))

    created = call(
        stack,
        "POST",
        "/api/integrations/tokens",
        owner_token,
        json={"name": "Скрипт", "scopes": ["tasks:read", "tasks:write"]},
    )
    assert created.status_code == 201, created.text
    api_token = created.json()["secret"]
    secrets.append(api_token)
    assert call(stack, "GET", "/api/tasks", api_token).status_code == 200
    assert call(stack, "GET", "/api/tasks", api_token[:-2] + "zz").status_code == 401

    subscription = call(
        stack,
        "POST",
        "/api/integrations/subscriptions",
        owner_token,
        json={"url": "http://127.0.0.1:9/hooks", "events": ["task.created"]},
    )
    assert subscription.status_code == 201, subscription.text
    secrets.append(subscription.json()["subscription"]["secret"])

    body = {"title": "Сверить", "assignee_id": anna_id}
    task = call(stack, "POST", "/api/tasks", api_token, json=body)
    assert task.status_code == 201, task.text
    return secrets


def test_no_secret_in_any_log_line(stack):
    secrets = run_company(stack)
    secrets.append((stack.data_dir / "token-secret").read_text().strip())
    # Every session token's signature, which alone would let a forger check guesses.
    secrets += [token.split(".")[-1] for token in secrets if token.count(".") == 1]
    stack.stop()

    log = stack.log_path.read_text(encoding="utf-8", errors="replace")
    assert "login succeeded" in log, "the stack logged nothing this test can read"
    leaks = [secret for secret in secrets if secret and secret in log]
    assert leaks == [], f"{len(leaks)} secrets found in {stack.log_path}"
