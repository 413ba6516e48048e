"""The local stack as its own process, with a company in it, for live benchmarks.

The stack is started with tests.support.live.LiveStack on a free loopback port
and a temporary data folder, and stopped (SIGINT) when the benchmark ends.
WebSocket clients are asyncio ``websockets`` clients in the benchmark process;
:class:`FrameCollector` notes when each awaited frame reaches each client.
"""

import asyncio
import json
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from websockets.asyncio.client import connect

from tests.support.live import LiveStack

OWNER_EMAIL = "owner@bench.example"
OWNER_PASSWORD = "bench-owner-password"
HIRE_WORKERS = 8
CONNECT_CONCURRENCY = 10
MEMBERSHIP_TIMEOUT_SECONDS = 180
REQUEST_TIMEOUT_SECONDS = 30
MAX_PRINTED_ERRORS = 5


class LiveCompany:
    """A running stack with the marketplace template applied."""

    def __init__(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="shtab-bench-live-"))
        self.stack = LiveStack(self.data_dir, OWNER_EMAIL, OWNER_PASSWORD)
        self.owner_token = ""
        self.error_lines: list[str] = []

    def start(self) -> None:
        self.stack.start(timeout=90)
        self.owner_token = self.stack.login(OWNER_EMAIL, OWNER_PASSWORD)
        applied = self.request("POST", "/api/org/templates/marketplace-business/apply")
        if applied.status_code != 200:
            raise RuntimeError(f"applying the template failed: {applied.text}")

    def stop(self) -> None:
        """Stop the stack, keep its ERROR log lines, and remove the data folder."""
        self.stack.stop()
        if self.stack.log_path.exists():
            lines = self.stack.log_path.read_text(errors="replace").splitlines()
            self.error_lines = [line for line in lines if " ERROR " in line]
        for line in self.error_lines[:MAX_PRINTED_ERRORS]:
            print(f"  stack log: {line}")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def request(self, method: str, path: str, token: str | None = None, **kwargs):
        return self.stack.api(method, path, token or self.owner_token, **kwargs)

    def hire(self, count: int) -> list[dict]:
        """Hire ``count`` people through the API and sign each in, in parallel."""
        with ThreadPoolExecutor(max_workers=HIRE_WORKERS) as pool:
            return list(pool.map(self._hire_one, range(1, count + 1)))

    def _hire_one(self, number: int) -> dict:
        email = f"person{number}@bench.example"
        password = f"bench-password-{number}"
        body = {"email": email, "name": f"Сотрудник {number:03d}", "password": password}
        created = self.request("POST", "/api/users", json=body)
        if created.status_code != 201:
            raise RuntimeError(
                f"hiring {email} failed: {created.status_code} {created.text}"
            )
        token = self.stack.login(email, password)
        return {"id": created.json()["user"]["id"], "email": email, "token": token}

    def general_channel_id(self, token: str) -> str:
        """Return the general channel's id once the person with ``token`` is in it.

        The membership reaction adds each hire through the users stream, so a
        person joins the channel some time after the hiring request returned.
        """
        started = time.monotonic()
        while time.monotonic() - started < MEMBERSHIP_TIMEOUT_SECONDS:
            channels = self.request("GET", "/api/chat/channels", token).json()[
                "channels"
            ]
            for channel in channels:
                if channel["kind"] == "general":
                    return channel["id"]
            time.sleep(0.2)
        raise TimeoutError(
            f"timed out after {MEMBERSHIP_TIMEOUT_SECONDS} s waiting for the person "
            f"to join the general channel; see {self.stack.log_path}"
        )

    def wait_for_members(self, channel_id: str, expected: int) -> float:
        """Wait until the channel has ``expected`` members.

        Returns the seconds waited.
        """
        started = time.monotonic()
        path = f"/api/chat/channels/{channel_id}/members"
        members = 0
        while time.monotonic() - started < MEMBERSHIP_TIMEOUT_SECONDS:
            response = self.request("GET", path)
            if response.status_code == 200:
                members = len(response.json()["members"])
                if members >= expected:
                    return time.monotonic() - started
            time.sleep(0.5)
        raise TimeoutError(
            f"channel {channel_id} has {members} of {expected} members after "
            f"{MEMBERSHIP_TIMEOUT_SECONDS} s; see {self.stack.log_path}"
        )


class FrameCollector:
    """WebSocket clients that note when each awaited frame reaches each of them.

    ``key_of`` returns the key of an awaited frame (for example a message's
    text) or None for any other frame.
    """

    def __init__(self, key_of: Callable[[dict], str | None]) -> None:
        self.key_of = key_of
        self.arrivals: dict[str, dict[int, float]] = defaultdict(dict)
        self.sockets = []
        self._tasks = []
        self._complete: dict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def connect(self, ws_url: str, tokens: list[str]) -> None:
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(token: str):
            async with limit:
                return await connect(f"{ws_url}?token={token}", open_timeout=30)

        self.sockets = await asyncio.gather(*(open_one(token) for token in tokens))
        self._tasks = [
            asyncio.create_task(self._receive(index, socket))
            for index, socket in enumerate(self.sockets)
        ]

    async def _receive(self, index: int, socket) -> None:
        async for raw in socket:
            received = time.perf_counter()
            key = self.key_of(json.loads(raw))
            if key is None:
                continue
            arrivals = self.arrivals[key]
            arrivals.setdefault(index, received)
            if len(arrivals) == len(self.sockets):
                self._complete[key].set()

    async def wait_for(self, key: str, timeout: float) -> bool:
        """Wait until every client has the frame with ``key``, or return False."""
        try:
            await asyncio.wait_for(self._complete[key].wait(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets))
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


class Sender:
    """An HTTP client that posts over one keep-alive connection and times each POST."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def post(
        self, path: str, body: dict, expected_status: int = 201
    ) -> tuple[float, float]:
        """POST ``body`` and return (perf_counter just before it, seconds it took)."""
        started = time.perf_counter()
        response = self.session.post(
            f"{self.base_url}{path}", json=body, timeout=REQUEST_TIMEOUT_SECONDS
        )
        elapsed = time.perf_counter() - started
        if response.status_code != expected_status:
            raise RuntimeError(
                f"POST {path} failed: {response.status_code} {response.text}"
            )
        return started, elapsed

    def close(self) -> None:
        self.session.close()


async def post_one_at_a_time(
    sender: Sender,
    collector: FrameCollector,
    requests_by_key: dict[str, tuple[str, dict]],
    spacing_seconds: float,
    delivery_timeout_seconds: float,
) -> dict[str, dict]:
    """POST each request, wait for its frame on every client, keep the spacing.

    Returns, by key, when the POST started and how long it took.
    """
    posts = {}
    for key, (path, body) in requests_by_key.items():
        started, elapsed = await asyncio.to_thread(sender.post, path, body)
        posts[key] = {"started": started, "post_seconds": elapsed}
        await collector.wait_for(key, delivery_timeout_seconds)
        remaining = started + spacing_seconds - time.perf_counter()
        if remaining > 0:
            await asyncio.sleep(remaining)
    return posts


def delivery_figures(posts: dict[str, dict], collector: FrameCollector) -> dict:
    """Latencies over every (request, client) pair, and the deliveries missing."""
    from bench.report import summarize_ms

    latencies, first, last, spread = [], [], [], []
    missing = 0
    for key, post in posts.items():
        arrivals = collector.arrivals.get(key, {})
        missing += len(collector.sockets) - len(arrivals)
        delays = [arrived - post["started"] for arrived in arrivals.values()]
        latencies.extend(delays)
        if delays:
            first.append(min(delays))
            last.append(max(delays))
            spread.append(max(delays) - min(delays))
    return {
        "pairs": summarize_ms(latencies),
        "first_client_per_request": summarize_ms(first),
        "last_client_per_request": summarize_ms(last),
        "spread_first_to_last_client": summarize_ms(spread),
        "http_post": summarize_ms([post["post_seconds"] for post in posts.values()]),
        "missing_deliveries": missing,
        "expected_deliveries": len(posts) * len(collector.sockets),
    }
