"""History page cost, calls and items read, for a channel of 1,000 vs 100,000 messages.

``GET /api/chat/channels/{id}/messages?limit=50`` runs through HttpGateway in
this process against the embedded DynamoDB (moto), with no stream reactions.
Two channels are written straight into the chat table (bench/embedded.py,
``write_messages``). Both are measured once both are written, so the table is
the same and only the channel's size differs. For each channel the first page
and a page from the middle (``before=`` the middle message) are requested.

The figures that must not grow with the channel are the DynamoDB calls, the
items read and the messages returned. Latency is recorded too, but on moto it
grows with the table (see BENCHMARKS.md, section 3), which DynamoDB's does not.
"""

import argparse

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp, write_messages
from bench.history_latency import create_channel
from bench.report import format_summary, save_results
from bench.request_cost import CostMeters, cost_line, measure_repeated, ratio

SMALL_CHANNEL_MESSAGES = 1_000
LARGE_CHANNEL_MESSAGES = 100_000
PAGE_SIZE = 50
TIMED_REQUESTS = 5
WARM_UP_REQUESTS = 1


def page_paths(channel_id: str, message_ids: list[str]) -> dict[str, str]:
    base = f"/api/chat/channels/{channel_id}/messages?limit={PAGE_SIZE}"
    middle = message_ids[len(message_ids) // 2]
    return {"first_page": base, "middle_page": f"{base}&before={middle}"}


def measure_channel(meters, owner, paths: dict, timed: int, warm_up: int) -> dict:
    results = {}
    for page, path in paths.items():
        figures = measure_repeated(meters, owner.client, path, timed, warm_up)
        figures["messages_returned"] = len(figures.pop("body")["messages"])
        print(f"  {page}: {figures['messages_returned']} messages returned")
        print(f"    {cost_line(figures)}")
        print(format_summary("    request", figures["latency"]))
        results[page] = figures
    return results


def run(small: int, large: int, timed: int, warm_up: int) -> dict:
    if not PAGE_SIZE * 2 <= small <= large:
        raise SystemExit(
            f"invalid sizes --small {small} --large {large}: "
            f"they need {PAGE_SIZE * 2} <= --small <= --large"
        )
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start(with_pump=False)
        owner = app.sign_in_owner()
        channels = {}
        for label, count in (("small", small), ("large", large)):
            channel_id = create_channel(owner, f"history-{label}")
            print(f"writing {count} messages into the {label} channel")
            channels[label] = page_paths(
                channel_id, write_messages(channel_id, count, owner)
            )
        results = {}
        for label, count in (("small", small), ("large", large)):
            print(f"channel of {count} messages:")
            results[label] = measure_channel(
                meters, owner, channels[label], timed, warm_up
            )
    finally:
        app.stop()
    return {
        "setup": {
            "small_channel_messages": small,
            "large_channel_messages": large,
            "page_size": PAGE_SIZE,
            "timed_requests_per_page": timed,
            "warm_up_requests_per_page": warm_up,
        },
        **results,
        "ratio_large_to_small": {
            page: {
                key: ratio(results["large"][page][key], results["small"][page][key])
                for key in ("total_calls", "items_read", "estimated_read_units")
            }
            for page in results["small"]
        },
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--small",
        type=int,
        default=SMALL_CHANNEL_MESSAGES,
        help=f"messages in the small channel (default {SMALL_CHANNEL_MESSAGES})",
    )
    parser.add_argument(
        "--large",
        type=int,
        default=LARGE_CHANNEL_MESSAGES,
        help=f"messages in the large channel (default {LARGE_CHANNEL_MESSAGES})",
    )
    add_request_counts(parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="page and channel")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(
        arguments.small, arguments.large, arguments.requests, arguments.warm_up
    )
    for page, found in figures["ratio_large_to_small"].items():
        print(f"ratio large/small, {page}: {found}")
    save_results("chat_history", "bench.chat_history", figures)


if __name__ == "__main__":
    main()
