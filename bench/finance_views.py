"""DynamoDB reads and latency of two finance views, 200 vs 20,000 requests in the table.

Both views run through HttpGateway in this process, bearer authorizer included:

- "To approve" of the head of marketplaces,
  ``GET /api/finance/requests?view=to_approve``;
- the payment calendar of the financial manager for December 2026,
  ``GET /api/finance/calendar?from=2026-12-01&to=2026-12-31``.

The finance table first contains 200 requests: 30 waiting for the head of
marketplaces, 120 due in December 2026 and 50 background requests (see
bench/finance_seed.py). Both views are timed, then 19,800 more background
requests are written and both are timed again. Background requests neither
wait for the head of marketplaces nor are due in December, so each view
returns the same requests at both sizes, and the ratios show what the size of
the table alone costs.

For each request the benchmark records the DynamoDB calls
(``DynamoDBCallCounter``), the items each read call read with an estimate of
its read capacity units (bench/read_capacity.py), and its time: whole, in
moto, and in moto's ``Table.query`` (``MotoTimer`` of bench/history_latency.py).
"""

import argparse
import os
import time
from collections import Counter
from contextlib import ExitStack

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.finance_builder_check import check_builder, checked_json
from bench.finance_company import (
    CALENDAR_VIEWER,
    MEASURED_APPROVER,
    Company,
    hire_staff,
)
from bench.finance_seed import Seeder, write_requests
from bench.history_latency import MotoTimer
from bench.read_capacity import ReadMeter, summarize_reads
from bench.report import format_summary, save_results, summarize_ms

SMALL_TABLE_REQUESTS = 200
LARGE_TABLE_REQUESTS = 20_000
WAITING_FOR_MEASURED_APPROVER = 30
DUE_IN_MEASURED_MONTH = 120
TIMED_REQUESTS = 60
WARM_UP_REQUESTS = 5

VIEWS = {
    "to_approve": (MEASURED_APPROVER, "/api/finance/requests?view=to_approve"),
    "calendar": (
        CALENDAR_VIEWER,
        "/api/finance/calendar?from=2026-12-01&to=2026-12-31",
    ),
}


class Meters:
    """Everything recorded per request: calls, reads and moto's share of the time."""

    def __init__(self, app: EmbeddedApp) -> None:
        self.calls = app.calls
        self.reads = ReadMeter(os.environ["SHTAB_TABLE_PREFIX"])
        self.reads.install()
        self.moto = MotoTimer()


def result_ids(view: str, body: dict) -> list[str]:
    if view == "to_approve":
        if body["next_cursor"] is not None:
            raise RuntimeError("the To approve list no longer fits on one page")
        return [request["id"] for request in body["requests"]]
    return [request["id"] for day in body["days"] for request in day["requests"]]


def time_view(company: Company, meters: Meters, view: str, timed: int, warm_up: int):
    viewer_key, path = VIEWS[view]
    client = company.signed_in[viewer_key].client
    for _ in range(warm_up):
        checked_json(client.get(path), 200, view)
    totals, in_moto, in_query, outside = [], [], [], []
    call_counts, read_summaries, ids = [], [], None
    for _ in range(timed):
        requests_start = meters.moto.requests.count()
        queries_start = meters.moto.queries.count()
        with ExitStack() as stack:
            calls = stack.enter_context(meters.calls.measure())
            reads = stack.enter_context(meters.reads.measure())
            started = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - started
        found = result_ids(view, checked_json(response, 200, view))
        if ids is None:
            ids = found
        elif found != ids:
            raise RuntimeError(f"{view} returned other requests on a repeat")
        # NOTE: when botocore retries a call after a client time-out, moto
        # serves it twice, and the abandoned serving can end in the next
        # request's window, whose moto time then exceeds its wall time.
        moto_seconds = meters.moto.requests.since(requests_start)
        totals.append(elapsed)
        in_moto.append(moto_seconds)
        in_query.append(meters.moto.queries.since(queries_start))
        outside.append(elapsed - moto_seconds)
        call_counts.append(Counter(calls))
        read_summaries.append(summarize_reads(reads))
    retries = sum(summary.pop("retry_attempts") for summary in read_summaries)
    first_reads = read_summaries[0]
    return {
        "path": path,
        "viewer": viewer_key,
        "result_size": len(ids),
        "result_ids": ids,
        "dynamodb": {
            "calls": dict(call_counts[0]),
            "total_calls": sum(call_counts[0].values()),
            **{name: value for name, value in first_reads.items() if name != "calls"},
            "read_calls_in_order": first_reads["calls"],
            "same_in_every_repeat": all(
                counts == call_counts[0] for counts in call_counts
            )
            and all(summary == first_reads for summary in read_summaries),
            "retry_attempts_in_all_repeats": retries,
        },
        "latency": {
            "request": summarize_ms(totals),
            "moto_all_calls": summarize_ms(in_moto),
            "moto_table_query": summarize_ms(in_query),
            "outside_moto": summarize_ms(outside),
        },
    }


def time_views(company, meters, timed: int, warm_up: int) -> dict:
    results = {}
    for view in VIEWS:
        results[view] = time_view(company, meters, view, timed, warm_up)
        print_view(view, results[view])
    return results


def print_view(view: str, figures: dict) -> None:
    reads = figures["dynamodb"]
    calls = ", ".join(
        f"{name} {count}" for name, count in sorted(reads["calls"].items())
    )
    print(f"  {view}: {figures['result_size']} requests in the result")
    print(f"    DynamoDB calls: {calls} = {reads['total_calls']}")
    if reads["retry_attempts_in_all_repeats"]:
        print(f"    retried calls: {reads['retry_attempts_in_all_repeats']}")
    bound = " (lower bound)" if reads["estimate_is_lower_bound"] else ""
    print(
        f"    items read {reads['items_read']}, "
        f"estimated read units {reads['estimated_read_units']}{bound}"
    )
    latency = figures["latency"]
    print(format_summary("    request", latency["request"]))
    print(format_summary("    in moto, all calls", latency["moto_all_calls"]))
    print(format_summary("    in moto's Table.query", latency["moto_table_query"]))
    print(format_summary("    outside moto", latency["outside_moto"]))


def ratio(large: float, small: float) -> float | None:
    return round(large / small, 2) if small else None


def ratios(large: dict, small: dict) -> dict:
    """Return large / small for each view's counts and latencies."""
    found = {}
    for view in VIEWS:
        reads = (large[view]["dynamodb"], small[view]["dynamodb"])
        latency = (large[view]["latency"], small[view]["latency"])
        found[view] = {
            "total_calls": ratio(reads[0]["total_calls"], reads[1]["total_calls"]),
            "items_read": ratio(reads[0]["items_read"], reads[1]["items_read"]),
            "estimated_read_units": ratio(
                reads[0]["estimated_read_units"], reads[1]["estimated_read_units"]
            ),
            "p50": ratio(
                latency[0]["request"]["p50_ms"], latency[1]["request"]["p50_ms"]
            ),
            "p95": ratio(
                latency[0]["request"]["p95_ms"], latency[1]["request"]["p95_ms"]
            ),
            "p50_outside_moto": ratio(
                latency[0]["outside_moto"]["p50_ms"],
                latency[1]["outside_moto"]["p50_ms"],
            ),
        }
    return found


def count_table_items() -> int:
    """Count every item of the finance table with a Scan, not only requests."""
    from chalicelib.finance.models import FinanceRequest

    return FinanceRequest.count()


def run(small: int, large: int, timed: int, warm_up: int) -> dict:
    measured = WAITING_FOR_MEASURED_APPROVER + DUE_IN_MEASURED_MONTH
    if small < measured or large < small:
        raise SystemExit(
            f"invalid sizes --small {small} --large {large}: "
            f"they need {measured} <= --small <= --large"
        )
    app = EmbeddedApp()
    meters = Meters(app)
    try:
        app.start(with_pump=False)
        meters.moto.install()
        print("setting up: template, staff, builder check against the routes")
        company = hire_staff(app)
        builder_check = check_builder(company)
        seeder = Seeder(company)
        write_requests(
            [
                seeder.waiting_for_measured_approver()
                for _ in range(WAITING_FOR_MEASURED_APPROVER)
            ]
            + [seeder.due_in_measured_month() for _ in range(DUE_IN_MEASURED_MONTH)]
            + [seeder.background() for _ in range(small - measured)],
            "requests",
        )
        small_items = count_table_items()
        print(f"{small} requests written, {small_items} items in the finance table:")
        small_figures = time_views(company, meters, timed, warm_up)

        started = time.perf_counter()
        write_requests((seeder.background() for _ in range(large - small)), "requests")
        write_seconds = time.perf_counter() - started
        large_items = count_table_items()
        print(f"{large} requests written, {large_items} items in the finance table:")
        large_figures = time_views(company, meters, timed, warm_up)
    finally:
        app.stop()
    for view in VIEWS:
        if large_figures[view]["result_ids"] != small_figures[view]["result_ids"]:
            raise RuntimeError(f"{view} returned other requests in the large table")
        # Checked above, and the ids themselves would only bloat the results file.
        del large_figures[view]["result_ids"], small_figures[view]["result_ids"]
    return {
        "setup": {
            "small_table_requests": small,
            "large_table_requests": large,
            "finance_table_items": {"small": small_items, "large": large_items},
            "timed_requests_per_view": timed,
            "warm_up_requests_per_view": warm_up,
            "large_write_seconds": round(write_seconds, 1),
            "requests_by_outcome": dict(sorted(seeder.outcomes.items())),
            "builder_checked_against_routes": builder_check,
        },
        "small": small_figures,
        "large": large_figures,
        "ratio_large_to_small": ratios(large_figures, small_figures),
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL_TABLE_REQUESTS,
        help=f"requests in the small table (default {SMALL_TABLE_REQUESTS})",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE_TABLE_REQUESTS,
        help=f"requests in the large table (default {LARGE_TABLE_REQUESTS})",
    )
    add_request_counts(
        parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="view and table size"
    )
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(
        arguments.small, arguments.large, arguments.requests, arguments.warm_up
    )
    for view, found in figures["ratio_large_to_small"].items():
        print(f"ratio large/small, {view}: {found}")
    save_results("finance_views", "bench.finance_views", figures)


if __name__ == "__main__":
    main()
