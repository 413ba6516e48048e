"""A local stack killed with SIGKILL in the middle of writes starts consistent.

The stack saves the store every two seconds while it changes
(``shtab_local/stack.py``). Each save copies all tables at one moment between
writes, and keeps the stream records whose reactions had not finished, which
run again after the restart. So a kill loses the writes acknowledged since the
last save began, and nothing else: no half transaction, no task without its
list rows, no reaction skipped for a write that was kept.
"""

import json
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.live import LiveStack

pytestmark = pytest.mark.live

EMAIL = "owner@sigkill.example"
PASSWORD = "sigkill-owner-password"
WRITE_SECONDS = 8.0


class Writes:
    """Acknowledged writes of one kind: id and the wall-clock time of the answer."""

    def __init__(self) -> None:
        self.acknowledged: list[tuple[str, float]] = []
        self.failures: list[str] = []


def _write_until(stop: threading.Event, writes: Writes, send) -> None:
    number = 0
    while not stop.is_set():
        number += 1
        try:
            identifier = send(number)
        except Exception as error:  # the kill cuts requests in flight
            writes.failures.append(f"{type(error).__name__}")
            return
        if identifier is None:
            return
        writes.acknowledged.append((identifier, time.time()))


def _snapshot_times(path, stop: threading.Event, seen: list[float]) -> None:
    """Record each time the snapshot file is replaced, as the stack saves."""
    while not stop.is_set():
        try:
            moment = os.stat(path).st_mtime
        except FileNotFoundError:
            moment = None
        if moment is not None and (not seen or seen[-1] != moment):
            seen.append(moment)
        time.sleep(0.01)


def _all_pages(stack, token, path, key, cursor_name="cursor"):
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        query = f"{separator}{cursor_name}={cursor}" if cursor else ""
        page = stack.api("GET", f"{path}{query}", token).json()
        items += page[key]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


def test_sigkill_mid_writes_restarts_consistent(tmp_path):
    stack = LiveStack(tmp_path / "data", EMAIL, PASSWORD)
    stack.data_dir.mkdir()
    stack.start()
    token = stack.login(EMAIL, PASSWORD)
    owner_id = stack.api("GET", "/api/users", token).json()["users"][0]["id"]
    channel = stack.api("POST", "/api/chat/channels", token, json={"name": "склад"})
    channel_id = channel.json()["channel"]["id"]

    def new_task(number):
        response = stack.api(
            "POST",
            "/api/tasks",
            token,
            json={"title": f"Задача {number}", "assignee_id": owner_id},
        )
        return response.json()["task"]["id"] if response.status_code == 201 else None

    def new_message(number):
        response = stack.api(
            "POST",
            f"/api/chat/channels/{channel_id}/messages",
            token,
            json={"text": f"Сообщение {number}"},
        )
        return response.json()["message"]["id"] if response.ok else None

    def new_request(number):
        response = stack.api(
            "POST",
            "/api/finance/requests",
            token,
            json={
                "amount": f"{1000 + number}.00",
                "currency": "RUB",
                "category_id": "purchase-of-goods",
                "counterparty": f"Поставщик {number}",
                "problem": "Проверка перезапуска",
                "solution": "Сохранить заявку",
                "pay_by": "2026-12-15",
                "period": "2026-12",
            },
        )
        return response.json()["request"]["id"] if response.status_code == 201 else None

    writes = {"task": Writes(), "message": Writes(), "request": Writes()}
    senders = {"task": new_task, "message": new_message, "request": new_request}
    stop = threading.Event()
    snapshot_path = stack.data_dir / "dynamodb.json"
    saves: list[float] = []
    watcher = threading.Thread(
        target=_snapshot_times, args=(snapshot_path, stop, saves), daemon=True
    )
    watcher.start()
    with ThreadPoolExecutor(max_workers=len(writes)) as pool:
        for kind, sender in senders.items():
            pool.submit(_write_until, stop, writes[kind], sender)
        time.sleep(WRITE_SECONDS)
        stack.process.send_signal(signal.SIGKILL)
        killed_at = time.time()
        stack.process.wait(timeout=10)
        stop.set()
    watcher.join(timeout=5)

    for kind, kind_writes in writes.items():
        assert len(kind_writes.acknowledged) >= 2, (kind, kind_writes.failures)
    assert len(saves) >= 2, "the stack saved fewer than two times while writing"

    # Both files are whole: each is replaced only once written in full.
    saved = json.loads(snapshot_path.read_text())
    assert sum(len(items) for items in saved.values()) > 0
    streams = json.loads((stack.data_dir / "dynamodb-streams.json").read_text())
    assert set(streams) == {"snapshot_sha256", "records"}

    stack.start()
    try:
        assert "restored" in stack.log_path.read_text()

        tasks = _present(stack, token, "/api/tasks", writes["task"])
        messages = _present_messages(stack, token, channel_id, writes["message"])
        requests_kept = _present(
            stack, token, "/api/finance/requests", writes["request"]
        )

        # A write acknowledged before the previous save was replaced was
        # acknowledged before the last save began, so that save holds it.
        certain = saves[-2]
        for kind, kept in (
            ("task", tasks),
            ("message", messages),
            ("request", requests_kept),
        ):
            missing = [
                identifier
                for identifier, at in writes[kind].acknowledged
                if at < certain and identifier not in kept
            ]
            assert missing == [], (kind, missing)

        _report_loss(
            writes,
            {"task": tasks, "message": messages, "request": requests_kept},
            saves,
            killed_at,
        )

        # Every kept task shows in its creator's list, which reads the view
        # rows the stream reaction writes: the reactions unfinished at the
        # save ran again after the start.
        def listed():
            rows = _all_pages(stack, token, "/api/tasks?view=created", "tasks")
            return {task["id"] for task in rows}

        deadline = time.monotonic() + 20
        while listed() != tasks and time.monotonic() < deadline:
            time.sleep(0.3)
        assert listed() == tasks

        # Messages take the channel's sequence numbers in one transaction with
        # the counter, so the kept ones number 1..n without a gap.
        numbers = sorted(
            message["seq"] for message in _messages(stack, token, channel_id)
        )
        assert numbers == list(range(1, len(numbers) + 1))

        # Each kept request has the history entry of its version.
        for request_id in requests_kept:
            request = stack.api(
                "GET", f"/api/finance/requests/{request_id}", token
            ).json()["request"]
            assert len(request["history"]) == request["version"], request_id
    finally:
        stack.stop()


def _present(stack, token, base, writes: Writes) -> set[str]:
    kept = set()
    for identifier, _at in writes.acknowledged:
        if stack.api("GET", f"{base}/{identifier}", token).status_code == 200:
            kept.add(identifier)
    return kept


def _messages(stack, token, channel_id) -> list[dict]:
    path = f"/api/chat/channels/{channel_id}/messages?limit=100"
    return _all_pages(stack, token, path, "messages", cursor_name="before")


def _present_messages(stack, token, channel_id, writes: Writes) -> set[str]:
    return {message["id"] for message in _messages(stack, token, channel_id)}


def _report_loss(writes, kept, saves, killed_at) -> None:
    """Print what the kill lost, for the reliability notes (run with -s)."""
    for kind, kind_writes in writes.items():
        lost = [
            at
            for identifier, at in kind_writes.acknowledged
            if identifier not in kept[kind]
        ]
        window = killed_at - min(lost) if lost else 0.0
        print(
            f"sigkill {kind}: acknowledged={len(kind_writes.acknowledged)} "
            f"lost={len(lost)} oldest_lost_before_kill={window:.2f}s "
            f"last_save_before_kill={killed_at - saves[-1]:.2f}s"
        )
