"""WebSocket load on a running local stack: many clients, paced sends, one mass drop.

People are hired through the API and put into custom channels, each person in
one or two of them. Every person opens a real WebSocket (the ``websockets``
asyncio client). Messages go out at a fixed total rate, round-robin over the
channels and over each channel's members as senders, through the WebSocket
``send_message`` action. Each text carries the channel's send number.

Then every socket is aborted at once, as a lost network would, while sends go
on over HTTP. Each client reconnects and catches up as the web app does
(``frontend/src/views/chat/channelPane.ts``): it pages through
``GET /api/chat/channels/{id}/messages?after_seq=N`` from the highest
gap-free ``channel_seq`` it has seen, until a page has ``complete`` set.

:func:`verify` turns what every client received into counts of lost,
duplicated and reordered deliveries and of catch-up gaps. It is shared by
``bench/ws_load.py`` (the figures) and ``tests/live/test_ws_load_small.py``.
"""

import asyncio
import json
import math
import os
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

TEXT_PREFIX = "wsload"
HTTP_THREADS = 16
CONNECT_CONCURRENCY = 20
OPEN_TIMEOUT_SECONDS = 60
REQUEST_TIMEOUT_SECONDS = 60
ACK_TIMEOUT_SECONDS = 60
CATCH_UP_PAGE_LIMIT = 200
# The web app gives up paging after this many pages and reloads the latest.
MAX_CATCH_UP_PAGES = 25
# The pause before asking again when a page stops short of the counter.
INCOMPLETE_PAGE_PAUSE_SECONDS = 0.1
POLL_SECONDS = 0.2
LOAD_SAMPLE_SECONDS = 5.0


@dataclass(frozen=True)
class LoadPlan:
    clients: int
    channels: int
    # Messages per second over all channels together.
    rate: float
    # Seconds of sending over WebSocket before every socket is dropped.
    seconds: float
    # Seconds the sockets stay closed before all clients reconnect at once.
    offline_seconds: float = 2.0
    # Seconds sends go on over HTTP after the drop, covering the reconnect.
    sends_after_drop_seconds: float = 6.0
    # Seconds to wait after the measured sends for them to arrive live; one
    # still missing then counts as lost live, even if the catch-up brings it.
    live_wait_timeout_seconds: float = 60.0
    # Seconds to wait after the last send for every client to hold every message.
    settle_timeout_seconds: float = 60.0
    # Seconds to wait for the warm-up message, which also waits out the
    # stream records the setup left for the pump.
    warm_up_timeout_seconds: float = 180.0
    # Prefix of the hired people's emails and of the channel names.
    name_prefix: str = "wsload"


def channel_numbers_of(client_index: int, channels: int) -> list[int]:
    """Return the channels of a client: every client is in one, every other in two.

    The second channel is shifted by the client's round over the channels, so
    the pairs of channels differ from client to client.
    """
    first = client_index % channels
    if channels < 2 or client_index % 2:
        return [first]
    shift = 1 + (client_index // channels) % (channels - 1)
    return [first, (first + shift) % channels]


@dataclass
class SentMessage:
    text: str
    channel_id: str
    sender_index: int
    via: str
    sent_at: float = 0.0
    answered_at: float | None = None
    message_id: str | None = None
    channel_seq: int | None = None
    error: str | None = None


@dataclass
class Arrival:
    text: str
    message_id: str
    channel_seq: int
    received_at: float
    connection_number: int


@dataclass
class CatchUp:
    """What one client's catch-up of one channel returned."""

    after_seq: int
    started_at: float
    finished_at: float = 0.0
    messages: list[dict] = field(default_factory=list)
    pages: int = 0
    # Pages whose positions did not follow on from the one asked for.
    gaps: int = 0
    complete: bool = False
    error: str | None = None


class HttpPool:
    """Blocking ``requests`` calls run on threads, one keep-alive session per thread."""

    def __init__(self, base_url: str, threads: int = HTTP_THREADS) -> None:
        self.base_url = base_url
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="ws-load-http")
        self._local = threading.local()

    def _request(self, method: str, path: str, token: str, body: dict | None):
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        response = session.request(
            method,
            f"{self.base_url}{path}",
            headers={"Authorization": f"Bearer {token}"},
            json=body,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        return response.status_code, response.text

    async def call(
        self, method: str, path: str, token: str, body: dict | None = None
    ) -> tuple[int, str]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, self._request, method, path, token, body
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True)


class LoadClient:
    """One person's WebSocket, with every chat message it received, in order."""

    def __init__(self, index: int, person: dict, channel_ids: list[str]) -> None:
        self.index = index
        self.user_id = person["id"]
        self.token = person["token"]
        self.channel_ids = channel_ids
        self.socket: ClientConnection | None = None
        self.connection_number = 0
        self.live: dict[str, list[Arrival]] = defaultdict(list)
        self.synced_seq: dict[str, int] = {}
        self.seen_seqs: dict[str, set[int]] = defaultdict(set)
        self.synced_at_drop: dict[str, int] = {}
        self.catch_ups: dict[str, CatchUp] = {}
        self.pending_acks: dict[str, asyncio.Future] = {}
        self.error_frames: list[dict] = []
        self._receiver: asyncio.Task | None = None

    async def open(self, ws_url: str) -> None:
        self.socket = await connect(
            f"{ws_url}?token={self.token}",
            open_timeout=OPEN_TIMEOUT_SECONDS,
            # No client pings: under load a late pong would close the socket,
            # and the server sends its own heartbeat.
            ping_interval=None,
            max_queue=None,
        )
        self.connection_number += 1
        self._receiver = asyncio.create_task(
            self._receive(self.socket, self.connection_number)
        )

    async def _receive(self, socket: ClientConnection, connection_number: int) -> None:
        try:
            async for raw in socket:
                received_at = time.perf_counter()
                self._on_frame(json.loads(raw), received_at, connection_number)
        except ConnectionClosed:
            pass

    def _on_frame(self, frame: dict, received_at: float, connection_number: int):
        kind = frame.get("type")
        if kind == "message.created":
            message = frame["message"]
            channel_id = message["channel_id"]
            if channel_id not in self.channel_ids or message.get("thread_id"):
                return
            arrival = Arrival(
                message["text"],
                message["id"],
                int(message["channel_seq"]),
                received_at,
                connection_number,
            )
            self.live[channel_id].append(arrival)
            self.note_position(channel_id, arrival.channel_seq)
            return
        if kind in ("ack", "error"):
            waiter = self.pending_acks.pop(frame.get("request_id"), None)
            if waiter is not None and not waiter.done():
                waiter.set_result((frame, received_at))
            elif kind == "error":
                self.error_frames.append(frame)

    def note_position(self, channel_id: str, channel_seq: int) -> None:
        """Record a position seen and extend the gap-free range it may close."""
        seen = self.seen_seqs[channel_id]
        seen.add(channel_seq)
        if channel_id not in self.synced_seq:
            return
        synced = self.synced_seq[channel_id]
        while synced + 1 in seen:
            synced += 1
        self.synced_seq[channel_id] = synced

    def start_synced_at(self, channel_id: str, channel_seq: int) -> None:
        self.synced_seq[channel_id] = channel_seq
        self.note_position(channel_id, channel_seq)

    async def send_message(self, channel_id: str, text: str) -> tuple[dict, float]:
        """Send over the WebSocket and wait for the ack; return it and its time."""
        request_id = uuid.uuid4().hex
        waiter = asyncio.get_running_loop().create_future()
        self.pending_acks[request_id] = waiter
        frame = {
            "action": "send_message",
            "channel_id": channel_id,
            "text": text,
            "request_id": request_id,
        }
        await self.socket.send(json.dumps(frame, ensure_ascii=False))
        return await asyncio.wait_for(waiter, ACK_TIMEOUT_SECONDS)

    def abort(self) -> None:
        """Drop the TCP connection without a closing handshake, as a lost network."""
        if self.socket is not None:
            self.socket.transport.abort()

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close()
        if self._receiver is not None:
            await asyncio.gather(self._receiver, return_exceptions=True)

    def texts_received(self, channel_id: str) -> set[str]:
        texts = {arrival.text for arrival in self.live.get(channel_id, [])}
        catch_up = self.catch_ups.get(channel_id)
        if catch_up is not None:
            texts.update(message["text"] for message in catch_up.messages)
        return texts


def hire_people(
    base_url: str, owner_token: str, count: int, prefix: str, workers: int = 8
) -> list[dict]:
    """Hire ``count`` people through the API and sign each in, in parallel."""

    def hire(number: int) -> dict:
        email = f"{prefix}-{number}@load.example"
        password = f"{prefix}-password-{number}"
        body = {"email": email, "name": f"Нагрузка {number:03d}", "password": password}
        headers = {"Authorization": f"Bearer {owner_token}"}
        created = requests.post(
            f"{base_url}/api/users",
            json=body,
            headers=headers,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        if created.status_code != 201:
            raise RuntimeError(
                f"hiring {email} failed: {created.status_code} {created.text}"
            )
        signed_in = requests.post(
            f"{base_url}/api/auth/login",
            json={"email": email, "password": password},
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        signed_in.raise_for_status()
        return {"id": created.json()["user"]["id"], "token": signed_in.json()["token"]}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(hire, range(1, count + 1)))


def create_channels(
    base_url: str, owner_token: str, people: list[dict], plan: LoadPlan
) -> list[str]:
    """Create the plan's public channels with their members; return their ids."""
    members: dict[int, list[str]] = defaultdict(list)
    for index, person in enumerate(people):
        for number in channel_numbers_of(index, plan.channels):
            members[number].append(person["id"])
    channel_ids = []
    for number in range(plan.channels):
        body = {
            "name": f"{plan.name_prefix}-{number:02d}",
            "member_ids": members[number],
        }
        created = requests.post(
            f"{base_url}/api/chat/channels",
            json=body,
            headers={"Authorization": f"Bearer {owner_token}"},
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
        if created.status_code != 201:
            raise RuntimeError(
                f"creating channel {body['name']} failed: "
                f"{created.status_code} {created.text}"
            )
        channel_ids.append(created.json()["channel"]["id"])
    return channel_ids


class LoadRun:
    """The clients, the sends and the timings of one run of a :class:`LoadPlan`."""

    def __init__(
        self,
        base_url: str,
        ws_url: str,
        people: list[dict],
        channel_ids: list[str],
        plan: LoadPlan,
    ) -> None:
        self.ws_url = ws_url
        self.plan = plan
        self.channel_ids = channel_ids
        self.http = HttpPool(base_url)
        self.clients = [
            LoadClient(
                index,
                person,
                [channel_ids[n] for n in channel_numbers_of(index, plan.channels)],
            )
            for index, person in enumerate(people)
        ]
        self.members: dict[str, list[LoadClient]] = defaultdict(list)
        for client in self.clients:
            for channel_id in client.channel_ids:
                self.members[channel_id].append(client)
        self.sent: dict[str, SentMessage] = {}
        self.timings: dict[str, float] = {}
        self.load_samples: list[tuple[float, float]] = []
        self._send_tasks: list[asyncio.Task] = []
        self._send_count = 0
        self.measured_texts: set[str] = set()
        self._sent_in_channel: Counter[str] = Counter()

    async def run(self, on_step: Callable[[str], None] = print) -> None:
        sampler = asyncio.create_task(self._sample_load())
        try:
            await self._connect_all()
            on_step(
                f"{len(self.clients)} WebSockets open in "
                f"{self.timings['connect_seconds']:.1f} s"
            )
            await self._warm_up()
            on_step("warm-up message reached every member")
            await self._send_and_drop(on_step)
            await self._settle()
            on_step(
                f"settled {self.timings['settle_seconds']:.1f} s after the last send"
            )
        finally:
            sampler.cancel()
            await asyncio.gather(sampler, return_exceptions=True)
            await asyncio.gather(
                *(client.close() for client in self.clients), return_exceptions=True
            )
            self.http.close()

    async def _sample_load(self) -> None:
        while True:
            self.load_samples.append((time.perf_counter(), os.getloadavg()[0]))
            await asyncio.sleep(LOAD_SAMPLE_SECONDS)

    async def _connect_all(self) -> None:
        limit = asyncio.Semaphore(CONNECT_CONCURRENCY)

        async def open_one(client: LoadClient) -> None:
            async with limit:
                await client.open(self.ws_url)

        started = time.perf_counter()
        await asyncio.gather(*(open_one(client) for client in self.clients))
        self.timings["connect_seconds"] = time.perf_counter() - started

    async def _warm_up(self) -> None:
        """Post one message per channel and start each client's position at it."""
        warm_ups = []
        for channel_id in self.channel_ids:
            sender = self.members[channel_id][0]
            text = f"{TEXT_PREFIX} warm-up {channel_id}"
            status, body = await self.http.call(
                "POST",
                f"/api/chat/channels/{channel_id}/messages",
                sender.token,
                {"text": text},
            )
            if status != 201:
                raise RuntimeError(f"warm-up post failed: {status} {body}")
            warm_ups.append((channel_id, json.loads(body)["message"]))
        deadline = time.perf_counter() + self.plan.warm_up_timeout_seconds
        for channel_id, message in warm_ups:
            for client in self.members[channel_id]:
                while not any(
                    arrival.message_id == message["id"]
                    for arrival in client.live[channel_id]
                ):
                    if time.perf_counter() > deadline:
                        raise TimeoutError(
                            f"client {client.index} did not receive the warm-up "
                            f"message of channel {channel_id} in "
                            f"{self.plan.warm_up_timeout_seconds} s"
                        )
                    await asyncio.sleep(POLL_SECONDS)
                client.live[channel_id].clear()
                client.start_synced_at(channel_id, int(message["channel_seq"]))

    async def _send_and_drop(self, on_step: Callable[[str], None]) -> None:
        plan = self.plan
        started = time.perf_counter()
        self.timings["sending_started"] = started
        await self._pace_sends(started + plan.seconds, "websocket")
        self.timings["measured_sends_ended"] = time.perf_counter()
        self.measured_texts = set(self.sent)

        # Sends go on while the measured messages finish arriving live.
        pacer = asyncio.create_task(self._pace_sends(math.inf, "websocket"))
        await asyncio.gather(*self._send_tasks)
        await self._wait_live(self.measured_texts)
        pacer.cancel()
        await asyncio.gather(pacer, return_exceptions=True)
        on_step(
            f"{len(self.measured_texts)} measured messages sent over WebSocket; "
            f"the last reached every member "
            f"{self.timings['live_wait_seconds']:.1f} s after the last send"
        )

        # From here sends go over HTTP. The WebSocket sends still in flight are
        # answered before the sockets drop, so every message posted is known.
        stop_at = time.perf_counter() + plan.sends_after_drop_seconds
        http_pacer = asyncio.create_task(self._pace_sends(stop_at, "http"))
        await asyncio.gather(*self._send_tasks)
        self._drop_all()
        on_step(f"dropped every socket after {len(self.sent)} sends")
        await asyncio.sleep(plan.offline_seconds)
        await self._reconnect_all()
        on_step(
            f"reconnected every client in {self.timings['reconnect_seconds']:.1f} s "
            f"and caught up in {self.timings['catch_up_seconds']:.1f} s"
        )
        await http_pacer
        await asyncio.gather(*self._send_tasks)
        self.timings["sending_stopped"] = time.perf_counter()

    async def _wait_live(self, texts: set[str]) -> None:
        """Wait until every member received ``texts`` live, or the time-out passes."""
        started = time.perf_counter()
        deadline = started + self.plan.live_wait_timeout_seconds
        while time.perf_counter() < deadline:
            if not self._pairs_not_live(texts):
                break
            await asyncio.sleep(POLL_SECONDS)
        self.timings["live_wait_seconds"] = time.perf_counter() - started

    def _pairs_not_live(self, texts: set[str]) -> int:
        missing = 0
        for client in self.clients:
            for channel_id in client.channel_ids:
                expected = {
                    text for text in texts if self.sent[text].channel_id == channel_id
                }
                live = {arrival.text for arrival in client.live[channel_id]}
                missing += len(expected - live)
        return missing

    async def _pace_sends(self, until: float, via: str) -> None:
        """Send at the plan's rate from now until ``until``, in tasks."""
        started = time.perf_counter()
        paced = 0
        while True:
            due = started + paced / self.plan.rate
            if due >= until:
                return
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            paced += 1
            number = self._send_count
            self._send_count += 1
            task = asyncio.create_task(self._send_next(number, via))
            self._send_tasks.append(task)
            # Lets the sends already due start before the next is scheduled.
            await asyncio.sleep(0)

    async def _send_next(self, number: int, via: str) -> None:
        channel_id = self.channel_ids[number % len(self.channel_ids)]
        in_channel = self._sent_in_channel[channel_id]
        self._sent_in_channel[channel_id] += 1
        members = self.members[channel_id]
        sender = members[in_channel % len(members)]
        channel_number = self.channel_ids.index(channel_id)
        text = f"{TEXT_PREFIX} c{channel_number:02d} n{in_channel:06d} k{number:06d}"
        sent = SentMessage(text, channel_id, sender.index, via)
        self.sent[text] = sent
        sent.sent_at = time.perf_counter()
        try:
            if via == "websocket":
                frame, answered_at = await sender.send_message(channel_id, text)
                if frame["type"] != "ack":
                    raise RuntimeError(json.dumps(frame["error"], ensure_ascii=False))
                message = frame["message"]
            else:
                status, body = await self.http.call(
                    "POST",
                    f"/api/chat/channels/{channel_id}/messages",
                    sender.token,
                    {"text": text},
                )
                answered_at = time.perf_counter()
                if status != 201:
                    raise RuntimeError(f"{status} {body}")
                message = json.loads(body)["message"]
        except (RuntimeError, TimeoutError, ConnectionClosed) as error:
            sent.error = f"{type(error).__name__}: {error}"
            return
        sent.answered_at = answered_at
        sent.message_id = message["id"]
        sent.channel_seq = int(message["channel_seq"])

    def _drop_all(self) -> None:
        for client in self.clients:
            client.synced_at_drop = dict(client.synced_seq)
        self.timings["drop_at"] = time.perf_counter()
        for client in self.clients:
            client.abort()

    async def _reconnect_all(self) -> None:
        """Reconnect every client at once; each catches up as soon as it is open."""
        started = time.perf_counter()
        self.timings["reconnect_started"] = started
        opened: list[float] = []
        caught_up: list[float] = []

        async def reconnect(client: LoadClient) -> None:
            await client.open(self.ws_url)
            opened.append(time.perf_counter())
            await asyncio.gather(
                *(self._catch_up(client, channel) for channel in client.channel_ids)
            )
            caught_up.append(time.perf_counter())

        await asyncio.gather(*(reconnect(client) for client in self.clients))
        self.timings["reconnect_seconds"] = max(opened) - started
        self.timings["catch_up_seconds"] = max(caught_up) - started
        self.timings["catch_up_per_client_seconds"] = [
            finished - started for finished in caught_up
        ]

    async def _catch_up(self, client: LoadClient, channel_id: str) -> None:
        after = client.synced_seq[channel_id]
        catch_up = CatchUp(after, time.perf_counter())
        client.catch_ups[channel_id] = catch_up
        for _ in range(MAX_CATCH_UP_PAGES):
            path = (
                f"/api/chat/channels/{channel_id}/messages"
                f"?after_seq={after}&limit={CATCH_UP_PAGE_LIMIT}"
            )
            status, body = await self.http.call("GET", path, client.token)
            if status != 200:
                catch_up.error = f"{status} {body}"
                break
            page = json.loads(body)
            catch_up.pages += 1
            positions = [int(message["channel_seq"]) for message in page["messages"]]
            if positions != list(range(after + 1, after + 1 + len(positions))):
                catch_up.gaps += 1
            if page["next_after_seq"] != after + len(positions):
                catch_up.gaps += 1
            for message in page["messages"]:
                catch_up.messages.append(message)
                client.note_position(channel_id, int(message["channel_seq"]))
            after = max(after, page["next_after_seq"])
            if page["complete"]:
                catch_up.complete = True
                break
            if not positions:
                await asyncio.sleep(INCOMPLETE_PAGE_PAUSE_SECONDS)
        catch_up.finished_at = time.perf_counter()

    def missing_pairs(self) -> int:
        """Count (message, member) pairs not yet received, live or by catch-up."""
        missing = 0
        for channel_id, members in self.members.items():
            texts = {
                text
                for text, sent in self.sent.items()
                if sent.channel_id == channel_id and sent.channel_seq is not None
            }
            for client in members:
                missing += len(texts - client.texts_received(channel_id))
        return missing

    async def _settle(self) -> None:
        started = time.perf_counter()
        deadline = started + self.plan.settle_timeout_seconds
        while self.missing_pairs() and time.perf_counter() < deadline:
            await asyncio.sleep(POLL_SECONDS * 5)
        self.timings["settle_seconds"] = time.perf_counter() - started


COUNT_NAMES = (
    "expected_deliveries",
    "lost",
    "lost_live_before_drop",
    "missed_at_drop",
    "live_out_of_order",
    "live_duplicates",
    "unexpected_live_messages",
    "channel_seq_repeated",
    "send_order_differs_from_channel_order",
    "catch_up_not_run",
    "catch_up_errors",
    "catch_up_incomplete",
    "catch_up_gaps",
    "catch_up_duplicates",
    "caught_up_already_live_before_drop",
    "caught_up_and_live_after_reconnect",
    "delivered_by_catch_up_only",
    "missed_not_recovered",
    "send_errors",
    "error_frames",
)


def verify(run: LoadRun) -> dict:
    """Count what went wrong in ``run`` and collect the delivery latencies.

    A delivery is a (message, member client) pair. Lost means the client holds
    the message neither from a live frame nor from its catch-up. A message
    sent during the measured time and not received live before the drop (which
    waits for them up to ``live_wait_timeout_seconds``) is lost live, even when
    the catch-up brought it later. Latencies before the drop are those of the
    measured messages only.
    """
    posted = [sent for sent in run.sent.values() if sent.channel_seq is not None]
    by_channel: dict[str, list[SentMessage]] = defaultdict(list)
    for sent in posted:
        by_channel[sent.channel_id].append(sent)

    counts = Counter(dict.fromkeys(COUNT_NAMES, 0))
    latencies_before_drop: list[float] = []
    latencies_after_reconnect: list[float] = []
    for channel_id, members in run.members.items():
        messages = sorted(by_channel[channel_id], key=lambda sent: sent.channel_seq)
        positions = [sent.channel_seq for sent in messages]
        counts["channel_seq_repeated"] += len(positions) - len(set(positions))
        counts["send_order_differs_from_channel_order"] += sum(
            1
            for earlier, later in zip(messages, messages[1:], strict=False)
            if earlier.text > later.text
        )
        for client in members:
            _verify_client_channel(
                client,
                channel_id,
                messages,
                run.measured_texts,
                counts,
                latencies_before_drop,
                latencies_after_reconnect,
            )

    counts["send_errors"] = sum(1 for sent in run.sent.values() if sent.error)
    counts["error_frames"] = sum(len(client.error_frames) for client in run.clients)
    answers = [sent.answered_at - sent.sent_at for sent in posted if sent.answered_at]
    return {
        "messages_sent": len(run.sent),
        "measured_messages": len(run.measured_texts),
        "messages_posted": len(posted),
        "sent_over_websocket": sum(1 for s in posted if s.via == "websocket"),
        "sent_over_http": sum(1 for s in posted if s.via == "http"),
        "counts": dict(counts),
        "latencies_before_drop": latencies_before_drop,
        "latencies_after_reconnect": latencies_after_reconnect,
        "send_answer_seconds": answers,
        "first_send_errors": [s.error for s in run.sent.values() if s.error][:5],
        "first_error_frames": [
            frame for client in run.clients for frame in client.error_frames
        ][:5],
    }


def _verify_client_channel(
    client: LoadClient,
    channel_id: str,
    messages: list[SentMessage],
    measured_texts: set[str],
    counts: Counter,
    latencies_before_drop: list[float],
    latencies_after_reconnect: list[float],
) -> None:
    by_text = {sent.text: sent for sent in messages}
    arrivals = client.live[channel_id]
    counts["expected_deliveries"] += len(messages)

    # Order: live frames must come in channel order, across the reconnect too.
    live_positions = [arrival.channel_seq for arrival in arrivals]
    counts["live_out_of_order"] += sum(
        1
        for earlier, later in zip(live_positions, live_positions[1:], strict=False)
        if later <= earlier
    )
    live_texts = Counter(arrival.text for arrival in arrivals)
    counts["live_duplicates"] += sum(n - 1 for n in live_texts.values() if n > 1)
    counts["unexpected_live_messages"] += sum(
        1 for text in live_texts if text not in by_text
    )

    timed: set[str] = set()
    for arrival in arrivals:
        sent = by_text.get(arrival.text)
        if sent is None or arrival.text in timed:
            continue
        timed.add(arrival.text)
        delay = arrival.received_at - sent.sent_at
        if arrival.connection_number == 1:
            if arrival.text in measured_texts:
                latencies_before_drop.append(delay)
        else:
            latencies_after_reconnect.append(delay)

    live_before_drop = {
        arrival.text for arrival in arrivals if arrival.connection_number == 1
    }
    for sent in messages:
        if sent.text in live_before_drop:
            continue
        if sent.text in measured_texts:
            counts["lost_live_before_drop"] += 1
        else:
            counts["missed_at_drop"] += 1

    # Catch-up: from the gap-free position, every later position once.
    catch_up = client.catch_ups.get(channel_id)
    if catch_up is None:
        counts["catch_up_not_run"] += 1
        return
    counts["catch_up_gaps"] += catch_up.gaps
    counts["catch_up_incomplete"] += 0 if catch_up.complete else 1
    counts["catch_up_errors"] += 1 if catch_up.error else 0
    caught = Counter(message["text"] for message in catch_up.messages)
    counts["catch_up_duplicates"] += sum(n - 1 for n in caught.values() if n > 1)
    counts["caught_up_already_live_before_drop"] += sum(
        1 for text in caught if text in live_before_drop
    )
    live_after = {arrival.text for arrival in arrivals if arrival.connection_number > 1}
    counts["caught_up_and_live_after_reconnect"] += sum(
        1 for text in caught if text in live_after
    )
    counts["delivered_by_catch_up_only"] += sum(
        1 for text in caught if text not in live_after and text in by_text
    )
    missed = {
        sent.text
        for sent in messages
        if sent.channel_seq > client.synced_at_drop[channel_id]
    }
    counts["missed_not_recovered"] += len(missed - set(caught) - live_after)

    received = set(live_texts) | set(caught)
    counts["lost"] += sum(1 for sent in messages if sent.text not in received)
