"""Task notification latency on the local stack: task assigned to frame received.

The stack runs as its own process. The owner sets tasks for one person, one
at a time, and that person's WebSocket waits for each notification. A
latency is the time from just before the POST /api/tasks to the receipt of the
``message.created`` frame of kind ``notification`` that names the task. The
path is the tasks stream, the notification reaction, a message in the
person's notifications channel, the chat stream and the delivery reaction.
"""

import asyncio
import re
import time

from bench.live_company import (
    FrameCollector,
    LiveCompany,
    Sender,
    delivery_figures,
    post_one_at_a_time,
)
from bench.report import format_summary, save_results

TASKS = 30
SPACING_SECONDS = 0.3
DELIVERY_TIMEOUT_SECONDS = 5.0
# The warm-up also waits out the stream records the setup left for the pump.
WARM_UP_TIMEOUT_SECONDS = 60.0
TASK_MARK = re.compile(r"\[task-[a-z-]+-\d{3}\]")


def notification_key(frame: dict) -> str | None:
    if frame.get("type") != "message.created":
        return None
    if frame["message"].get("kind") != "notification":
        return None
    found = TASK_MARK.search(frame["message"]["text"])
    return found.group(0) if found else None


def task_requests(assignee_id: str, prefix: str, count: int) -> dict:
    requests_by_key = {}
    for number in range(count):
        mark = f"[task-{prefix}-{number:03d}]"
        body = {"title": f"Проверить остатки {mark}", "assignee_id": assignee_id}
        requests_by_key[mark] = ("/api/tasks", body)
    return requests_by_key


async def measure(company: LiveCompany, assignee: dict) -> dict:
    collector = FrameCollector(notification_key)
    await collector.connect(company.stack.ws_url, [assignee["token"]])
    sender = Sender(company.stack.url, company.owner_token)
    try:
        # One unmeasured task first, so that the first measured one does not
        # pay for clients and caches created on first use.
        warm_up = task_requests(assignee["id"], "warm-up", 1)
        warm_up_posts = await post_one_at_a_time(
            sender, collector, warm_up, SPACING_SECONDS, WARM_UP_TIMEOUT_SECONDS
        )
        measured = task_requests(assignee["id"], "bench", TASKS)
        posts = await post_one_at_a_time(
            sender, collector, measured, SPACING_SECONDS, DELIVERY_TIMEOUT_SECONDS
        )
    finally:
        sender.close()
        await collector.close()
    figures = delivery_figures(posts, collector)
    figures["warm_up"] = delivery_figures(warm_up_posts, collector)["pairs"]
    return figures


def main() -> None:
    company = LiveCompany()
    try:
        print("starting the local stack")
        company.start()
        assignee = company.hire(1)[0]
        channel_id = company.general_channel_id(assignee["token"])
        company.wait_for_members(channel_id, 2)
        started = time.perf_counter()
        figures = asyncio.run(measure(company, assignee))
        print(f"  {TASKS} tasks measured in {time.perf_counter() - started:.1f} s")
    finally:
        company.stop()
    print(format_summary("  warm-up task, not counted", figures["warm_up"]))
    print(format_summary("  task POST to notification frame", figures["pairs"]))
    print(format_summary("  HTTP POST itself", figures["http_post"]))
    missing, expected = figures["missing_deliveries"], figures["expected_deliveries"]
    print(f"  missing notifications: {missing} of {expected}")
    save_results(
        "notification_latency",
        "bench.notification_latency",
        {
            "tasks": TASKS,
            "spacing_seconds": SPACING_SECONDS,
            "latency": figures["pairs"],
            "http_post": figures["http_post"],
            "warm_up": figures["warm_up"],
            "missing_notifications": missing,
            "expected_notifications": expected,
            "stack_log_error_lines": len(company.error_lines),
        },
    )


if __name__ == "__main__":
    main()
