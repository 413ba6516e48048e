"""Chat delivery latency on the local stack: one sender, 100 receivers.

The stack runs as its own process (``python -m shtab_local``). The owner
hires 100 people, who join the general channel through the membership
reaction. Each opens a WebSocket. The owner then posts messages over HTTP one
at a time. A latency is the time from just before the POST to the receipt of
that message's ``message.created`` frame by one client. It is measured for
every (message, client) pair.

The next message is posted once every client has the previous one (or after
a time-out), and at least ``SPACING_SECONDS`` after the previous POST, so the
figures are for one message at a time, not for a queue.
"""

import asyncio
import time

from bench.live_company import (
    FrameCollector,
    LiveCompany,
    Sender,
    delivery_figures,
    post_one_at_a_time,
)
from bench.report import format_summary, save_results

RECEIVERS = 100
MESSAGES = 30
SPACING_SECONDS = 0.3
DELIVERY_TIMEOUT_SECONDS = 5.0
# The warm-up also waits out the stream records the setup left for the pump.
WARM_UP_TIMEOUT_SECONDS = 60.0


def message_key(frame: dict) -> str | None:
    if frame.get("type") != "message.created":
        return None
    return frame["message"]["text"]


def message_requests(channel_id: str, prefix: str, count: int) -> dict:
    path = f"/api/chat/channels/{channel_id}/messages"
    texts = [f"{prefix}-{number:03d}" for number in range(count)]
    return {text: (path, {"text": text}) for text in texts}


async def measure(company: LiveCompany, people: list[dict], channel_id: str) -> dict:
    collector = FrameCollector(message_key)
    connect_started = time.perf_counter()
    await collector.connect(
        company.stack.ws_url, [person["token"] for person in people]
    )
    connect_seconds = time.perf_counter() - connect_started
    print(f"  {len(people)} WebSockets open in {connect_seconds:.1f} s")
    sender = Sender(company.stack.url, company.owner_token)
    try:
        # One unmeasured message first, so that the first measured one does not
        # pay for clients and caches created on first use.
        warm_up = message_requests(channel_id, "warm-up", 1)
        warm_up_posts = await post_one_at_a_time(
            sender, collector, warm_up, SPACING_SECONDS, WARM_UP_TIMEOUT_SECONDS
        )
        measured = message_requests(channel_id, "bench", MESSAGES)
        posts = await post_one_at_a_time(
            sender, collector, measured, SPACING_SECONDS, DELIVERY_TIMEOUT_SECONDS
        )
    finally:
        sender.close()
        await collector.close()
    figures = delivery_figures(posts, collector)
    figures["websocket_connect_seconds"] = round(connect_seconds, 2)
    figures["warm_up"] = delivery_figures(warm_up_posts, collector)["pairs"]
    return figures


def print_figures(figures: dict) -> None:
    print(format_summary("  warm-up message, not counted", figures["warm_up"]))
    print(format_summary("  message POST to frame, all pairs", figures["pairs"]))
    print(
        format_summary(
            "  first client per message", figures["first_client_per_request"]
        )
    )
    print(
        format_summary("  last client per message", figures["last_client_per_request"])
    )
    print(
        format_summary(
            "  spread, first to last", figures["spread_first_to_last_client"]
        )
    )
    print(format_summary("  HTTP POST itself", figures["http_post"]))
    missing, expected = figures["missing_deliveries"], figures["expected_deliveries"]
    print(f"  missing deliveries: {missing} of {expected}")


def main() -> None:
    company = LiveCompany()
    try:
        print("starting the local stack")
        company.start()
        hire_started = time.perf_counter()
        people = company.hire(RECEIVERS)
        hire_seconds = time.perf_counter() - hire_started
        channel_id = company.general_channel_id(people[0]["token"])
        membership_wait = company.wait_for_members(channel_id, RECEIVERS + 1)
        print(
            f"  hired and signed in {RECEIVERS} people in {hire_seconds:.1f} s; "
            f"the general channel was full {membership_wait:.1f} s later"
        )
        figures = asyncio.run(measure(company, people, channel_id))
    finally:
        company.stop()
    print_figures(figures)
    save_results(
        "chat_delivery",
        "bench.chat_delivery",
        {
            "receivers": RECEIVERS,
            "messages": MESSAGES,
            "spacing_seconds": SPACING_SECONDS,
            "hire_seconds": round(hire_seconds, 1),
            "membership_wait_seconds": round(membership_wait, 1),
            **figures,
            "stack_log_error_lines": len(company.error_lines),
        },
    )


if __name__ == "__main__":
    main()
