"""Simultaneous requests against the running local stack: no lost or doubled write.

The requests go over HTTP from a pool of threads to the stack process, which
serves them on its own pool of 16 handler threads against moto, and its stream
pump turns the writes into notifications. So the races here are the ones a
browser sees: the read, the conditional write and the reactions happen in
separate threads of another process. The in-process tests under tests/finance,
tests/kb, tests/tasks and tests/chat call the service functions from threads
instead, because one in-process Chalice app serves one request at a time.
"""

import json
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from websockets.sync.client import connect

pytestmark = pytest.mark.live


def concurrently(stack, token: str, calls: list[tuple]) -> list[requests.Response]:
    """Send every ``(method, path, body)`` at once, one thread each, in order."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        method, path, body = call
        barrier.wait()
        return stack.api(method, path, token, json=body)

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def statuses(responses: list[requests.Response]) -> Counter:
    return Counter(response.status_code for response in responses)


def wait_for(probe, timeout: float = 15.0):
    """Return ``probe()`` once it is truthy; the stream pump runs asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


# Finance


def test_fifty_approvals_commit_once(live_stack, live_company):
    owner, anna = live_company["owner"], live_company["anna"]
    # Above the owner's threshold (500 000 RUB), so the owner's step is on the path.
    body = {
        "amount": "600000.00",
        "currency": "RUB",
        "category_id": "purchase-of-goods",
        "counterparty": "ООО «Гонка»",
        "problem": "Проверка одновременных согласований",
        "solution": "Одобрить один раз",
        "pay_by": "2026-12-15",
        "period": "2026-12",
    }
    created = live_stack.api("POST", "/api/finance/requests", anna["token"], json=body)
    assert created.status_code == 201, created.text
    request_id = created.json()["request"]["id"]
    path = f"/api/finance/requests/{request_id}"
    submitted = live_stack.api("POST", f"{path}/submit", anna["token"])
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["request"]["status"] == "on_approval"

    responses = concurrently(
        live_stack,
        owner["token"],
        [("POST", f"{path}/approve", {"comment": f"да {n}"}) for n in range(50)],
    )

    outcome = statuses(responses)
    assert outcome[200] == 1, outcome
    assert outcome[409] == 49, outcome
    losers = [response.json()["error"] for response in responses if not response.ok]
    assert all("approved" in error["message"] for error in losers), losers[:3]

    request = live_stack.api("GET", path, owner["token"]).json()["request"]
    assert request["status"] == "approved"
    assert request["version"] == submitted.json()["request"]["version"] + 1
    approved_steps = [step for step in request["path"] if step["status"] == "approved"]
    assert len(approved_steps) == 1
    winner = next(response for response in responses if response.ok).json()
    assert approved_steps[0]["comment"] == winner["request"]["history"][-1]["comment"]
    actions = [entry["action"] for entry in request["history"]]
    assert actions.count("approved") == 1
    assert len(actions) == request["version"]

    # The reaction posts one reply per history entry and recipient: the owner
    # was asked once on submit, and the author is told of the approval once.
    def notifications() -> list[str]:
        thread = live_stack.api("GET", path, anna["token"]).json()["request"]["thread"]
        if not thread:
            return []
        page = live_stack.api(
            "GET", f"/api/chat/messages/{thread['thread_id']}/thread", anna["token"]
        ).json()
        return [
            reply["text"]
            for reply in page["replies"]
            if reply["kind"] == "notification"
        ]

    wait_for(lambda: len(notifications()) >= 2)
    time.sleep(1.0)
    texts = notifications()
    assert len(texts) == 2, texts
    approvals = [text for text in texts if text.startswith("✅ Анна Петрова")]
    assert len(approvals) == 1, texts
    assert approvals[0].endswith(approved_steps[0]["comment"])


# Knowledge base


def _new_article(live_stack, token: str, title: str) -> dict:
    sections = live_stack.api("GET", "/api/kb/sections", token).json()["sections"]
    created = live_stack.api(
        "POST",
        "/api/kb/articles",
        token,
        json={"section_id": sections[0]["id"], "title": title, "body": "Начало."},
    )
    assert created.status_code == 201, created.text
    return created.json()["article"]


def _revisions(live_stack, token: str, article_id: str) -> list[dict]:
    page = live_stack.api(
        "GET", f"/api/kb/articles/{article_id}/revisions?limit=100", token
    )
    assert page.status_code == 200, page.text
    return page.json()["revisions"]


def test_twenty_saves_one_base_one_winner(live_stack, live_company):
    token = live_company["owner"]["token"]
    article = _new_article(live_stack, token, "Гонка сохранений")
    path = f"/api/kb/articles/{article['id']}"

    responses = concurrently(
        live_stack,
        token,
        [("PUT", path, {"base_revision": 1, "body": f"Текст {n}."}) for n in range(20)],
    )

    outcome = statuses(responses)
    assert outcome[200] == 1, outcome
    assert outcome[409] == 19, outcome
    conflicts = [response.json()["error"] for response in responses if not response.ok]
    assert {error["field"] for error in conflicts} == {"base_revision"}
    assert len({error["conflict_id"] for error in conflicts}) == 19

    winner = next(response for response in responses if response.ok).json()["article"]
    current = live_stack.api("GET", path, token).json()["article"]
    assert current["revision"] == 2
    assert current["body"] == winner["body"]
    assert [r["revision"] for r in _revisions(live_stack, token, article["id"])] == [
        2,
        1,
    ]
    kept = live_stack.api("GET", f"{path}/conflicts", token).json()["conflicts"]
    assert len(kept) == 19


def test_twenty_editors_retrying_lose_nothing(live_stack, live_company):
    """Editors who merge and save again on 409 all land, each as its own revision."""
    token = live_company["owner"]["token"]
    article = _new_article(live_stack, token, "Сохранения по очереди")
    path = f"/api/kb/articles/{article['id']}"
    barrier = threading.Barrier(20)

    def edit(number: int) -> int:
        barrier.wait()
        line = f"Строка {number}."
        for attempt in range(1, 200):
            current = live_stack.api("GET", path, token).json()["article"]
            body = current["body"] + "\n" + line
            saved = live_stack.api(
                "PUT",
                path,
                token,
                json={"base_revision": current["revision"], "body": body},
            )
            if saved.status_code == 200:
                return attempt
            assert saved.status_code == 409, saved.text
        raise AssertionError(f"editor {number} never saved")

    with ThreadPoolExecutor(max_workers=20) as pool:
        attempts = list(pool.map(edit, range(20)))

    current = live_stack.api("GET", path, token).json()["article"]
    assert current["revision"] == 21
    for number in range(20):
        assert f"Строка {number}." in current["body"]
    assert len(_revisions(live_stack, token, article["id"])) == 21
    assert max(attempts) > 1


# Tasks


def _task_with_checklist(live_stack, token: str, assignee_id: str) -> dict:
    created = live_stack.api(
        "POST",
        "/api/tasks",
        token,
        json={"title": "Гонка чек-листа", "assignee_id": assignee_id},
    )
    assert created.status_code == 201, created.text
    task_id = created.json()["task"]["id"]
    items = []
    for text in ("Первый", "Второй", "Третий"):
        added = live_stack.api(
            "POST", f"/api/tasks/{task_id}/checklist", token, json={"text": text}
        )
        assert added.status_code == 201, added.text
        items.append(added.json()["item"]["id"])
    return {"id": task_id, "items": items}


def _history(live_stack, token: str, task_id: str) -> list[dict]:
    """Return the task's history, one row per changed field, oldest first."""
    rows, cursor = [], None
    while True:
        query = f"?cursor={cursor}" if cursor else ""
        response = live_stack.api("GET", f"/api/tasks/{task_id}/history{query}", token)
        assert response.status_code == 200, response.text
        page = response.json()
        rows += page["entries"]
        cursor = page["next_cursor"]
        if cursor is None:
            return sorted(rows, key=lambda row: row["version"])


def _changes_of(history: list[dict], field: str) -> list[dict]:
    return [row for row in history if row["field"] == field]


def test_twenty_ticks_with_other_edits(live_stack, live_company):
    token = live_company["owner"]["token"]
    task = _task_with_checklist(live_stack, token, live_company["anna"]["id"])
    first, second, third = task["items"]
    base = f"/api/tasks/{task['id']}/checklist"

    # Ten people tick the first item and ten untick it while others rename the
    # second one: PATCH sets a state, so each request is applied as sent.
    calls = [("PATCH", f"{base}/{first}", {"done": n % 2 == 0}) for n in range(20)]
    calls += [("PATCH", f"{base}/{second}", {"text": f"Второй {n}"}) for n in range(5)]
    responses = concurrently(live_stack, token, calls)

    assert statuses(responses) == Counter({200: 25})

    current = live_stack.api("GET", f"/api/tasks/{task['id']}", token).json()["task"]
    by_id = {item["id"]: item for item in current["checklist"]}
    assert list(by_id) == [first, second, third]

    history = _history(live_stack, token, task["id"])
    versions = sorted({row["version"] for row in history})
    assert versions == list(range(1, len(versions) + 1))
    assert current["version"] == versions[-1]

    # Each recorded tick starts from the state the one before it left, and the
    # last one is the state stored: no write was applied to a stale list.
    ticks = _changes_of(history, f"checklist.{first}.done")
    assert ticks, "no tick was recorded"
    assert ticks[0]["from"] is False
    for before, after in zip(ticks, ticks[1:], strict=False):
        assert after["from"] == before["to"]
    assert by_id[first]["done"] is ticks[-1]["to"]

    renames = _changes_of(history, f"checklist.{second}.text")
    assert renames, "no rename was recorded"
    for before, after in zip(renames, renames[1:], strict=False):
        assert after["from"] == before["to"]
    assert by_id[second]["text"] == renames[-1]["to"]
    assert by_id[third]["text"] == "Третий"
    assert by_id[third]["done"] is False


def test_twenty_identical_ticks_record_one(live_stack, live_company):
    token = live_company["owner"]["token"]
    task = _task_with_checklist(live_stack, token, live_company["anna"]["id"])
    first = task["items"][0]
    path = f"/api/tasks/{task['id']}/checklist/{first}"

    responses = concurrently(
        live_stack, token, [("PATCH", path, {"done": True}) for _ in range(20)]
    )

    assert statuses(responses) == Counter({200: 20})
    assert all(response.json()["item"]["done"] is True for response in responses)
    history = _history(live_stack, token, task["id"])
    assert len(_changes_of(history, f"checklist.{first}.done")) == 1


# Chat


def test_twenty_joins_make_one_member(live_stack, live_company):
    owner, boris = live_company["owner"], live_company["boris"]
    created = live_stack.api(
        "POST",
        "/api/chat/channels",
        owner["token"],
        json={"name": "гонка входов", "visibility": "public"},
    )
    assert created.status_code in (200, 201), created.text
    channel = created.json()["channel"]
    path = f"/api/chat/channels/{channel['id']}"
    count_before = channel["member_count"]

    with connect(f"{live_stack.ws_url}?token={boris['token']}", open_timeout=10) as ws:
        responses = concurrently(
            live_stack, boris["token"], [("POST", f"{path}/join", None)] * 20
        )

        assert statuses(responses) == Counter({200: 20})
        joined = [response.json()["joined"] for response in responses]
        assert joined.count(True) == 1
        assert joined.count(False) == 19

        # channel.joined is pushed by the stream reaction on the member INSERT,
        # so a doubled membership item would show up as a second frame.
        notices = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                frame = json.loads(ws.recv(timeout=0.5))
            except TimeoutError:
                continue
            if (
                frame.get("type") == "channel.joined"
                and frame["channel"]["id"] == channel["id"]
            ):
                notices.append(frame)
                # Long enough for a second record of the same join to arrive.
                deadline = min(deadline, time.monotonic() + 2)
        assert len(notices) == 1

    detail = live_stack.api("GET", path, boris["token"]).json()["channel"]
    assert detail["member_count"] == count_before + 1
    members = live_stack.api("GET", f"{path}/members", boris["token"]).json()
    member_ids = [member["id"] for member in members["members"]]
    assert member_ids.count(boris["id"]) == 1
    assert len(member_ids) == detail["member_count"]
