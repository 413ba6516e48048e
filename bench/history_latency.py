"""History page latency with 100 and with 100,000 messages in the channel.

GET /api/chat/channels/{id}/messages?limit=50 runs through HttpGateway in this
process against the embedded DynamoDB (moto). Messages are written straight
into the chat table with PynamoDB's batch_write, not through the API.

Each timing is split into the time moto spent serving the request's calls
(timed by wrapping moto's WSGI application and its ``Table.query`` in this
process) and the rest: the app, botocore and HTTP on loopback. The first Query
the app sends for each page is recorded too. With a key condition and a Limit,
DynamoDB reads at most Limit items whatever the size of the partition, so on
AWS the page time should not grow with it.

The small channel is timed twice: alone in the table, and again once the large
channel has been written, which separates the cost of the partition's size
from the cost of the table's size.
"""

import argparse
import json
import threading
import time
from functools import wraps

from bench.embedded import EmbeddedApp, write_messages
from bench.report import format_summary, save_results, summarize_ms

SMALL_CHANNEL_MESSAGES = 100
LARGE_CHANNEL_MESSAGES = 100_000
PAGE_SIZE = 50
REQUESTS_PER_CASE = 50
# The recheck only shows whether the table's size moved the small channel's
# time, and each request costs seconds once the table is large.
RECHECK_REQUESTS = 10


class DurationLog:
    """Durations in seconds, appended from moto's server threads."""

    def __init__(self) -> None:
        self.durations: list[float] = []
        self._lock = threading.Lock()

    def add(self, seconds: float) -> None:
        with self._lock:
            self.durations.append(seconds)

    def count(self) -> int:
        with self._lock:
            return len(self.durations)

    def since(self, start: int) -> float:
        with self._lock:
            return sum(self.durations[start:])


def timed(original, log: DurationLog):
    @wraps(original)
    def wrapper(*arguments, **keywords):
        started = time.perf_counter()
        try:
            return original(*arguments, **keywords)
        finally:
            log.add(time.perf_counter() - started)

    return wrapper


class MotoTimer:
    """A timer of moto in this process: each whole request it serves, and each Query.

    A whole request is moto's WSGI application: parsing, the operation and the
    response serialization, without the socket reads and writes.
    """

    def __init__(self) -> None:
        self.requests = DurationLog()
        self.queries = DurationLog()

    def install(self) -> None:
        from moto.dynamodb.models.table import Table
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication

        application = DomainDispatcherApplication
        application.__call__ = timed(application.__call__, self.requests)
        Table.query = timed(Table.query, self.queries)


class QueryRequestRecorder:
    """A record of the body of every Query request PynamoDB sends."""

    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def install(self) -> None:
        import pynamodb.connection.base as pynamodb_base

        original = pynamodb_base.get_session
        recorder = self

        def recording_session():
            session = original()
            session.register("before-call.dynamodb.Query", recorder._record)
            return session

        pynamodb_base.get_session = recording_session

    def _record(self, params, **_keywords) -> None:
        self.bodies.append(json.loads(params["body"]))


def time_pages(owner, path: str, count: int, moto: MotoTimer) -> dict:
    """Request ``path`` ``count`` times and summarize the whole time and moto's part."""
    totals, in_moto, in_query, outside = [], [], [], []
    for _ in range(count):
        requests_start = moto.requests.count()
        queries_start = moto.queries.count()
        started = time.perf_counter()
        response = owner.client.get(path)
        elapsed = time.perf_counter() - started
        if response.status != 200 or len(response.json["messages"]) != PAGE_SIZE:
            raise RuntimeError(f"bad page from {path}: {response.status}")
        moto_seconds = moto.requests.since(requests_start)
        totals.append(elapsed)
        in_moto.append(moto_seconds)
        in_query.append(moto.queries.since(queries_start))
        outside.append(elapsed - moto_seconds)
    return {
        "request": summarize_ms(totals),
        "moto_all_calls": summarize_ms(in_moto),
        "moto_table_query": summarize_ms(in_query),
        "outside_moto": summarize_ms(outside),
    }


def create_channel(owner, name: str) -> str:
    response = owner.client.post("/api/chat/channels", {"name": name})
    if response.status != 201:
        raise RuntimeError(f"creating channel {name} failed: {response.body}")
    return response.json["channel"]["id"]


def page_paths(channel_id: str, message_ids: list[str]) -> dict[str, str]:
    base = f"/api/chat/channels/{channel_id}/messages?limit={PAGE_SIZE}"
    middle = message_ids[len(message_ids) // 2]
    return {"first_page": base, "middle_page": f"{base}&before={middle}"}


def time_channel(owner, paths: dict, count: int, timing: dict) -> dict:
    """Time each page of one channel and keep the first Query body the app sent."""
    results = {}
    for page, path in paths.items():
        timing["recorder"].bodies.clear()
        results[page] = time_pages(owner, path, count, timing["moto"])
        first_query = timing["recorder"].bodies[0]
        results[page]["query_sent"] = {
            key: first_query.get(key)
            for key in ("KeyConditionExpression", "Limit", "ScanIndexForward")
        }
        print_page(page, results[page])
    return results


def print_page(page: str, figures: dict) -> None:
    print(format_summary(f"  {page}", figures["request"]))
    print(format_summary("    in moto, all calls", figures["moto_all_calls"]))
    print(format_summary("    in moto's Table.query", figures["moto_table_query"]))
    print(format_summary("    outside moto", figures["outside_moto"]))


def write_channel(owner, name: str, count: int) -> tuple[str, list[str], float]:
    channel_id = create_channel(owner, name)
    started = time.perf_counter()
    message_ids = write_messages(channel_id, count, owner)
    seconds = time.perf_counter() - started
    rate = count / seconds
    print(f"  wrote {count} messages in {seconds:.1f} s ({rate:.0f} per second)")
    return channel_id, message_ids, seconds


def ratios(numerator: dict, denominator: dict, part: str = "request") -> dict:
    return {
        page: round(
            numerator[page][part]["p50_ms"] / denominator[page][part]["p50_ms"], 2
        )
        for page in numerator
    }


def run(large_count: int, requests: int, recheck_requests: int) -> dict:
    app = EmbeddedApp()
    timing = {"moto": MotoTimer(), "recorder": QueryRequestRecorder()}
    timing["recorder"].install()
    try:
        app.start(with_pump=False)
        timing["moto"].install()
        owner = app.sign_in_owner()

        print(f"channel of {SMALL_CHANNEL_MESSAGES} messages, alone in the table:")
        small_id, small_ids, _ = write_channel(owner, "small", SMALL_CHANNEL_MESSAGES)
        small_paths = page_paths(small_id, small_ids)
        small = time_channel(owner, small_paths, requests, timing)

        print(f"channel of {large_count} messages:")
        large_id, large_ids, write_seconds = write_channel(owner, "large", large_count)
        large = time_channel(owner, page_paths(large_id, large_ids), requests, timing)

        print(
            f"channel of {SMALL_CHANNEL_MESSAGES} messages, now beside the large one:"
        )
        small_after = time_channel(owner, small_paths, recheck_requests, timing)
    finally:
        app.stop()
    return {
        "small_messages": SMALL_CHANNEL_MESSAGES,
        "large_messages": large_count,
        "page_size": PAGE_SIZE,
        "large_write_seconds": round(write_seconds, 1),
        "small_alone": small,
        "large": large,
        "small_beside_large": small_after,
        "ratio_p50_large_to_small_alone": ratios(large, small),
        "ratio_p50_outside_moto_large_to_small_alone": ratios(
            large, small, "outside_moto"
        ),
        "ratio_p50_small_beside_large_to_small_alone": ratios(small_after, small),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE_CHANNEL_MESSAGES,
        help=f"messages in the large channel (default {LARGE_CHANNEL_MESSAGES})",
    )
    parser.add_argument(
        "--requests",
        type=int,
        default=REQUESTS_PER_CASE,
        help=f"timed requests per page of each channel (default {REQUESTS_PER_CASE})",
    )
    parser.add_argument(
        "--recheck-requests",
        type=int,
        default=RECHECK_REQUESTS,
        help="timed requests per page of the small channel once the large one "
        f"is written (default {RECHECK_REQUESTS})",
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(arguments.large, arguments.requests, arguments.recheck_requests)
    print(f"p50 ratio, large/small alone: {figures['ratio_p50_large_to_small_alone']}")
    outside = figures["ratio_p50_outside_moto_large_to_small_alone"]
    print(f"p50 ratio of the time outside moto, large/small alone: {outside}")
    recheck = figures["ratio_p50_small_beside_large_to_small_alone"]
    print(f"p50 ratio, small beside large/small alone: {recheck}")
    save_results("history_latency", "bench.history_latency", figures)


if __name__ == "__main__":
    main()
