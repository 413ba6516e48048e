"""Fan-out of one message to 1,000 connected members: the delivery path vs a loop.

A loopback HTTP server in a process of its own replaces the API Gateway
Management API. It returns 200 to ``POST /@connections/{id}`` after a fixed
delay, ``--latency-ms`` (25 ms by default). That delay is an assumption for a send
from Lambda to API Gateway in the same region, not a measured AWS figure. The
app sends through its real ``ManagementApiGateway`` (a boto3
``apigatewaymanagementapi`` client) pointed at that server.

The chat table (embedded DynamoDB, moto) holds a channel with 1,000 members,
and each member has one open connection. Two ways of sending the same
``message.created`` event are timed against the same server:

- the delivery path: what the chat stream reaction does for a new message,
  ``channels.member_ids`` then ``push_message_event``, which calls
  ``push_to_users`` and its thread pool;
- a loop: 1,000 ``post_to_connection`` calls one after another in one function,
  through the same boto3 client.

A time is from the start of the call to its return, which comes after the last
send has been answered. The server records every send, so each round is
checked to reach every connection once, and it records the maximum number
of sends it served at the same moment.
"""

import argparse
import json
import multiprocessing
import socket
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from bench.embedded import EmbeddedApp
from bench.report import format_summary, save_results, summarize_ms

MEMBERS = 1_000
LATENCY_MS = 25.0
DELIVERY_ROUNDS = 3
LOOP_ROUNDS = 1
TARGET_RATIO = 10.0
PATH_PREFIX = "/@connections/"


class ManagementApiStandIn(ThreadingHTTPServer):
    """A Management API replacement: 200 after a fixed delay, every send recorded.

    ``GET /stats`` returns the sends recorded since ``POST /reset``.
    """

    daemon_threads = True

    def __init__(self, port: int, latency_seconds: float) -> None:
        super().__init__(("127.0.0.1", port), SendHandler)
        self.latency_seconds = latency_seconds
        self.lock = threading.Lock()
        self.received: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0


class SendHandler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps botocore's pooled connections open between sends.
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802, the name http.server looks up
        server: ManagementApiStandIn = self.server
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        if self.path == "/reset":
            with server.lock:
                server.received.clear()
                server.max_in_flight = 0
            self._answer(b"")
            return
        with server.lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        time.sleep(server.latency_seconds)
        with server.lock:
            server.in_flight -= 1
            if self.path.startswith(PATH_PREFIX):
                server.received[unquote(self.path.removeprefix(PATH_PREFIX))] += 1
        self._answer(b"")

    def do_GET(self) -> None:  # noqa: N802, the name http.server looks up
        server: ManagementApiStandIn = self.server
        with server.lock:
            stats = {
                "received": dict(server.received),
                "max_in_flight": server.max_in_flight,
            }
        self._answer(json.dumps(stats).encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_arguments) -> None:
        pass


def serve(port: int, latency_seconds: float) -> None:
    """Run the stand-in until the process is terminated."""
    ManagementApiStandIn(port, latency_seconds).serve_forever()


class StandInProcess:
    """The stand-in in a process of its own.

    In this process it would share the interpreter lock with the sending
    threads, and its own request parsing would slow the sends it measures.
    """

    def __init__(self, latency_seconds: float) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        context = multiprocessing.get_context("spawn")
        self.process = context.Process(
            target=serve, args=(self.port, latency_seconds), daemon=True
        )
        self.process.start()
        self._wait_until_listening()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _wait_until_listening(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the stand-in did not listen on port {self.port}")

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.endpoint}/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.endpoint}/stats", timeout=30) as response:
            return json.loads(response.read())

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def connection_id(number: int) -> str:
    # Shaped like API Gateway's ids: 16 characters ending in "=".
    return f"bench{number:010d}="


def write_channel(members: int) -> tuple[str, list[str]]:
    """Write a channel's members and one open connection each; return the ids."""
    from ulid import ULID

    from chalicelib.chat.connections import (
        CONNECTION_TTL_SECONDS,
        Connection,
        UserConnections,
    )
    from chalicelib.chat.models import Member, channel_pk, member_sk

    channel_id = str(ULID())
    expires_at = int(time.time()) + CONNECTION_TTL_SECONDS
    now = datetime.now(UTC)
    user_ids = [f"bench-user-{number:05d}" for number in range(members)]
    with Member.batch_write() as batch:
        for user_id in user_ids:
            batch.save(
                Member(
                    channel_pk(channel_id),
                    member_sk(user_id),
                    member_user_id=user_id,
                    channel_id=channel_id,
                    joined_at=now,
                )
            )
    with Connection.batch_write() as batch:
        for number, user_id in enumerate(user_ids):
            batch.save(
                Connection(
                    f"CONN#{connection_id(number)}",
                    user_id=user_id,
                    expires_at=expires_at,
                )
            )
    with UserConnections.batch_write() as batch:
        for number, user_id in enumerate(user_ids):
            batch.save(
                UserConnections(
                    f"USER#{user_id}",
                    connections={connection_id(number): expires_at},
                    expires_at=expires_at,
                )
            )
    return channel_id, [connection_id(number) for number in range(members)]


def new_message(channel_id: str):
    from ulid import ULID

    from chalicelib.chat.models import Message, channel_pk, message_sk

    message_id = str(ULID())
    return Message(
        channel_pk(channel_id),
        message_sk(message_id),
        message_id=message_id,
        channel_id=channel_id,
        sender_id="bench-user-00000",
        sender_name="Сотрудник 000",
        text="Поставка на склад Коледино перенесена на четверг, проверьте заказы.",
        created_at=datetime.now(UTC),
    )


def deliver(channel_id: str, lookups: list[float]) -> int:
    """Send a new message's event as the chat stream reaction does.

    Appends to ``lookups`` the seconds from the start of the round until the
    members and the last batch of their connections were read. Sends start
    while later batches are still being read, so this part overlaps them.
    """
    from chalicelib.chat import channels, connections
    from chalicelib.chat.message_events import push_message_event

    original = connections.iter_connections_of_users
    started = time.perf_counter()
    read_until = [started]

    def timed_lookup(user_ids):
        yield from original(user_ids)
        read_until[0] = time.perf_counter()

    members = channels.member_ids(channel_id)
    connections.iter_connections_of_users = timed_lookup
    try:
        sent = push_message_event(members, "message.created", new_message(channel_id))
    finally:
        connections.iter_connections_of_users = original
    lookups.append(read_until[0] - started)
    return sent


def send_in_a_loop(gateway, channel_id: str, connection_ids: list[str]) -> int:
    """Send the same event with one post_to_connection call after another."""
    from chalicelib.chat.messages import message_json

    event = {
        "type": "message.created",
        "message": message_json(new_message(channel_id)),
    }
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
    return sum(gateway.send(connection, data) for connection in connection_ids)


def timed_round(server: StandInProcess, send, expected: list[str]) -> dict:
    server.reset()
    started = time.perf_counter()
    sent = send()
    seconds = time.perf_counter() - started
    stats = server.stats()
    received = Counter(stats["received"])
    max_at_once = stats["max_in_flight"]
    missing = [connection for connection in expected if received[connection] != 1]
    if sent != len(expected) or missing:
        raise RuntimeError(
            f"round sent {sent} of {len(expected)}; "
            f"{len(missing)} connections did not get exactly one send"
        )
    return {"seconds": seconds, "max_sends_at_once": max_at_once}


def run(members: int, latency_ms: float, delivery_rounds: int, loop_rounds: int):
    server = StandInProcess(latency_ms / 1000)
    # Created before any chalicelib import, because chalicelib reads the
    # DynamoDB endpoint from the environment that EmbeddedApp prepares.
    app = EmbeddedApp()
    try:
        app.start(with_pump=False)
        from chalicelib.chat.delivery import SEND_THREADS
        from chalicelib.chat.gateway import ManagementApiGateway, use_gateway

        gateway = ManagementApiGateway(server.endpoint)
        use_gateway(gateway)
        pool_size = gateway._client.meta.config.max_pool_connections
        channel_id, connection_ids = write_channel(members)
        print(f"{members} members with one connection each; latency {latency_ms} ms")
        # Unmeasured: creates the thread pool's threads and their sessions.
        timed_round(server, lambda: deliver(channel_id, []), connection_ids)
        lookups: list[float] = []
        delivery = [
            timed_round(server, lambda: deliver(channel_id, lookups), connection_ids)
            for _ in range(delivery_rounds)
        ]
        loop = [
            timed_round(
                server,
                lambda: send_in_a_loop(gateway, channel_id, connection_ids),
                connection_ids,
            )
            for _ in range(loop_rounds)
        ]
    finally:
        app.stop()
        server.stop()
    delivery_summary = summarize_ms([found["seconds"] for found in delivery])
    # On moto the lookups cost far more than on DynamoDB (about 1 ms per item
    # served), so the time after the last read is reported too.
    sending_summary = summarize_ms(
        [
            found["seconds"] - lookup
            for found, lookup in zip(delivery, lookups, strict=True)
        ]
    )
    loop_summary = summarize_ms([found["seconds"] for found in loop])
    return {
        "setup": {
            "members": members,
            "connections": len(connection_ids),
            "latency_ms_per_send": latency_ms,
            "delivery_rounds": delivery_rounds,
            "loop_rounds": loop_rounds,
            "send_threads": SEND_THREADS,
            "boto3_max_pool_connections": pool_size,
        },
        "delivery_path": {
            "to_last_send": delivery_summary,
            "max_sends_at_once": max(found["max_sends_at_once"] for found in delivery),
            "until_members_and_connections_read": summarize_ms(lookups),
            "after_last_read": sending_summary,
        },
        "sequential_loop": {
            "to_last_send": loop_summary,
            "max_sends_at_once": max(found["max_sends_at_once"] for found in loop),
        },
        "ratio_loop_to_delivery_p50": round(
            loop_summary["p50_ms"] / delivery_summary["p50_ms"], 2
        ),
        "ratio_loop_to_after_last_read_p50": round(
            loop_summary["p50_ms"] / sending_summary["p50_ms"], 2
        ),
        "target_ratio": TARGET_RATIO,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--members",
        type=int,
        default=MEMBERS,
        help=f"members of the channel, one connection each (default {MEMBERS})",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=LATENCY_MS,
        help=f"delay of each send at the stand-in server, in ms (default {LATENCY_MS})",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=DELIVERY_ROUNDS,
        help=f"timed rounds of the delivery path (default {DELIVERY_ROUNDS})",
    )
    parser.add_argument(
        "--loop-rounds",
        type=int,
        default=LOOP_ROUNDS,
        help=f"timed rounds of the sequential loop (default {LOOP_ROUNDS})",
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    if arguments.members < 2 or arguments.rounds < 1 or arguments.loop_rounds < 1:
        raise SystemExit("--members must be at least 2 and the rounds at least 1")
    if arguments.latency_ms < 0:
        raise SystemExit("--latency-ms must be 0 or more")
    figures = run(
        arguments.members,
        arguments.latency_ms,
        arguments.rounds,
        arguments.loop_rounds,
    )
    print(format_summary("delivery path", figures["delivery_path"]["to_last_send"]))
    print(f"  max sends at once: {figures['delivery_path']['max_sends_at_once']}")
    lookup = figures["delivery_path"]["until_members_and_connections_read"]
    print(format_summary("  until members and connections were read", lookup))
    sending = figures["delivery_path"]["after_last_read"]
    print(format_summary("  after the last read", sending))
    print(format_summary("sequential loop", figures["sequential_loop"]["to_last_send"]))
    print(f"  max sends at once: {figures['sequential_loop']['max_sends_at_once']}")
    print(
        f"ratio loop / delivery path (p50): {figures['ratio_loop_to_delivery_p50']} "
        f"(target {TARGET_RATIO} or more)"
    )
    print(
        "ratio loop / delivery path after the last read (p50): "
        f"{figures['ratio_loop_to_after_last_read_p50']}"
    )
    save_results("chat_fanout", "bench.chat_fanout", figures)


if __name__ == "__main__":
    main()
