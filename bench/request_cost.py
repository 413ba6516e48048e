"""The DynamoDB cost and time of one API request made in the benchmark's process.

Shared by the chat and task view benchmarks: each request records its calls
(``DynamoDBCallCounter``), the items and estimated read units of its reads
(bench/read_capacity.py) and the items returned by table and ``item_type``
(bench/item_types.py).
"""

import os
import time
from collections import Counter
from contextlib import ExitStack

from bench.item_types import ItemTypeMeter
from bench.read_capacity import ReadMeter, summarize_reads
from bench.report import summarize_ms


class CostMeters:
    """Every meter a request is measured with; install before the app's first call."""

    def __init__(self, app) -> None:
        prefix = os.environ["SHTAB_TABLE_PREFIX"]
        self.calls = app.calls
        self.reads = ReadMeter(prefix)
        self.reads.install()
        self.items = ItemTypeMeter(prefix)
        self.items.install()


def measure_request(meters: CostMeters, client, path: str) -> dict:
    """GET ``path`` once and return its body, time and DynamoDB cost.

    Raises RuntimeError unless the response is 200.
    """
    with ExitStack() as stack:
        calls = stack.enter_context(meters.calls.measure())
        reads = stack.enter_context(meters.reads.measure())
        items = stack.enter_context(meters.items.measure())
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path} failed: {response.status} {response.body}")
    summary = summarize_reads(reads)
    return {
        "body": response.json,
        "seconds": elapsed,
        "calls": dict(sorted(Counter(calls).items())),
        "total_calls": sum(calls.values()),
        "items_read": summary["items_read"],
        "estimated_read_units": summary["estimated_read_units"],
        "items_returned_by_type": items,
        "read_calls_in_order": [
            {key: call[key] for key in ("operation", "table", "index", "items_read")}
            for call in summary["calls"]
        ],
    }


def measure_repeated(
    meters: CostMeters, client, path: str, timed: int, warm_up: int
) -> dict:
    """Measure ``path`` ``timed`` times after ``warm_up`` unmeasured requests.

    The cost is that of the first timed request, and ``same_cost_every_time``
    is True when every repeat made the same calls and read the same items.
    """
    for _ in range(warm_up):
        measure_request(meters, client, path)
    samples = [measure_request(meters, client, path) for _ in range(timed)]
    first = samples[0]
    cost_keys = ("calls", "items_read", "items_returned_by_type")
    return {
        "path": path,
        "body": first["body"],
        "calls": first["calls"],
        "total_calls": first["total_calls"],
        "items_read": first["items_read"],
        "estimated_read_units": first["estimated_read_units"],
        "items_returned_by_type": first["items_returned_by_type"],
        "read_calls_in_order": first["read_calls_in_order"],
        "same_cost_every_time": all(
            sample[key] == first[key] for sample in samples for key in cost_keys
        ),
        "latency": summarize_ms([sample["seconds"] for sample in samples]),
    }


def cost_line(figures: dict) -> str:
    calls = ", ".join(f"{name} {count}" for name, count in figures["calls"].items())
    kinds = ", ".join(
        f"{kind} {count}" for kind, count in figures["items_returned_by_type"].items()
    )
    return (
        f"calls: {calls} = {figures['total_calls']}; items read "
        f"{figures['items_read']} (~{figures['estimated_read_units']} RCU); "
        f"returned by type: {kinds or 'none'}"
    )


def ratio(large: float, small: float) -> float | None:
    return round(large / small, 2) if small else None
