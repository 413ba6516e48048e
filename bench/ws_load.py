"""WebSocket load on the local stack: 200 clients, 20 channels, 20 messages a second.

The stack runs as its own process (``python -m shtab_local``). The owner
hires ``--clients`` people and creates ``--channels`` public channels; every
person is in one channel and every other person in a second one. Each person
opens a WebSocket. Messages then go out at ``--rate`` a second in total for
``--seconds``, round-robin over the channels and each channel's members,
through the WebSocket ``send_message`` action. A delivery latency is the time
from just before the frame is sent to the receipt of its ``message.created``
frame by one member, measured for every (message, member) pair.

Then every socket is aborted at once while sends go on over HTTP for
``--sends-after-drop`` seconds. After ``--offline`` seconds all clients
reconnect together, and each catches up each of its channels through
``GET /api/chat/channels/{id}/messages?after_seq=N`` as the web app does.

The run checks that no delivery is lost, that live frames come in channel
order for every client, and that each catch-up returns every missed position
once, with no gap. The 1-minute load average is sampled every 5 seconds,
because other work on the machine moves every figure. The exit code is 1 when
an invariant fails. The logic is shared with ``tests/live/test_ws_load_small.py``
(``tests/support/ws_load.py``).
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections import Counter

from bench.live_company import LiveCompany
from bench.report import percentile, save_results, summarize_ms
from tests.support.ws_load import (
    LoadPlan,
    LoadRun,
    channel_numbers_of,
    create_channels,
    hire_people,
    verify,
)

CLIENTS = 200
CHANNELS = 20
RATE = 20.0
SECONDS = 120.0
OFFLINE_SECONDS = 2.0
SENDS_AFTER_DROP_SECONDS = 6.0
# The warm-up also waits out the records that creating the channels left.
WARM_UP_TIMEOUT_SECONDS = 600.0
# Counts that must be 0 for the run to pass.
INVARIANTS = (
    "lost",
    "lost_live_before_drop",
    "live_out_of_order",
    "live_duplicates",
    "channel_seq_repeated",
    "catch_up_not_run",
    "catch_up_errors",
    "catch_up_incomplete",
    "catch_up_gaps",
    "catch_up_duplicates",
    "caught_up_already_live_before_drop",
    "missed_not_recovered",
    "send_errors",
    "error_frames",
)


def latency_summary(seconds: list[float]) -> dict:
    """Summarize like bench.report.summarize_ms, with the 99th percentile too."""
    summary = summarize_ms(seconds)
    summary["p99_ms"] = round(percentile([value * 1000 for value in seconds], 0.99), 2)
    return summary


def cpu_seconds_of(pid: int) -> float:
    """Return the user plus system CPU seconds a process has used so far."""
    with open(f"/proc/{pid}/stat") as stat:
        # The fields after the command name, which may hold spaces, start at ")".
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def figures_of(run: LoadRun, result: dict, stack_cpu_seconds: float) -> dict:
    timings = run.timings
    sending_seconds = timings["sending_stopped"] - timings["sending_started"]
    measured_seconds = timings["measured_sends_ended"] - timings["sending_started"]
    loads = [load for _, load in run.load_samples]
    members = Counter(
        channel
        for index in range(run.plan.clients)
        for channel in channel_numbers_of(index, run.plan.channels)
    )
    return {
        "members_per_channel": {
            "min": min(members.values()),
            "max": max(members.values()),
        },
        "messages_sent": result["messages_sent"],
        "messages_posted": result["messages_posted"],
        "sent_over_websocket": result["sent_over_websocket"],
        "sent_over_http": result["sent_over_http"],
        "measured_messages": result["measured_messages"],
        "measured_rate_per_second": round(
            result["measured_messages"] / measured_seconds, 2
        ),
        "live_wait_after_measured_seconds": round(timings["live_wait_seconds"], 2),
        "delivery_before_drop": latency_summary(result["latencies_before_drop"]),
        "delivery_after_reconnect": latency_summary(
            result["latencies_after_reconnect"]
        ),
        "send_to_answer": latency_summary(result["send_answer_seconds"]),
        "counts": result["counts"],
        "websocket_connect_seconds": round(timings["connect_seconds"], 2),
        "reconnect_seconds": round(timings["reconnect_seconds"], 2),
        "catch_up_done_seconds": round(timings["catch_up_seconds"], 2),
        "catch_up_per_client": latency_summary(timings["catch_up_per_client_seconds"]),
        "settle_seconds": round(timings["settle_seconds"], 2),
        "sending_seconds": round(sending_seconds, 1),
        "stack_cpu_seconds": round(stack_cpu_seconds, 1),
        "stack_cpu_share_of_one_core": round(stack_cpu_seconds / sending_seconds, 2),
        "load_average_1m_during_run": {
            "samples": len(loads),
            "min": round(min(loads), 2),
            "mean": round(statistics.fmean(loads), 2),
            "max": round(max(loads), 2),
        },
        "first_send_errors": result["first_send_errors"],
        "first_error_frames": result["first_error_frames"],
    }


def row(label: str, summary: dict) -> str:
    if not summary["count"]:
        return f"  {label:<34} {0:>7}  (none received)"
    return (
        f"  {label:<34} {summary['count']:>7} {summary['p50_ms']:>9.1f} "
        f"{summary['p95_ms']:>9.1f} {summary['p99_ms']:>9.1f} {summary['max_ms']:>9.1f}"
    )


def print_figures(figures: dict) -> None:
    print(f"  {'latency, ms':<34} {'n':>7} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9}")
    print(row("send to frame, measured", figures["delivery_before_drop"]))
    print(row("send to frame, after reconnect", figures["delivery_after_reconnect"]))
    print(row("send to ack or HTTP answer", figures["send_to_answer"]))
    print(row("drop to caught up, per client", figures["catch_up_per_client"]))
    print(
        f"  sent {figures['messages_sent']} messages: "
        f"{figures['measured_messages']} measured over WebSocket "
        f"({figures['measured_rate_per_second']} a second), "
        f"{figures['sent_over_websocket'] - figures['measured_messages']} more "
        f"over WebSocket while waiting "
        f"{figures['live_wait_after_measured_seconds']} s for the measured ones "
        f"to arrive, {figures['sent_over_http']} over HTTP around the drop"
    )
    print(
        f"  reconnect of every client {figures['reconnect_seconds']} s, "
        f"every catch-up done {figures['catch_up_done_seconds']} s after it began"
    )
    load = figures["load_average_1m_during_run"]
    print(
        f"  load average (1 min) during the run: min {load['min']}, "
        f"mean {load['mean']}, max {load['max']}; stack process used "
        f"{figures['stack_cpu_share_of_one_core']} of one core"
    )
    print("  counts:")
    for name, value in figures["counts"].items():
        marker = "  <- must be 0" if name in INVARIANTS and value else ""
        print(f"    {name:<40} {value:>8}{marker}")


async def measure(company: LiveCompany, people: list[dict], plan: LoadPlan):
    channel_ids = await asyncio.to_thread(
        create_channels, company.stack.url, company.owner_token, people, plan
    )
    run = LoadRun(company.stack.url, company.stack.ws_url, people, channel_ids, plan)
    pid = company.stack.process.pid
    cpu_before = cpu_seconds_of(pid)
    await run.run(on_step=lambda line: print(f"  {line}", flush=True))
    return run, cpu_seconds_of(pid) - cpu_before


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--clients",
        type=int,
        default=CLIENTS,
        help=f"people, one WebSocket each (default {CLIENTS})",
    )
    parser.add_argument(
        "--channels",
        type=int,
        default=CHANNELS,
        help=f"channels the people are spread over (default {CHANNELS})",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=RATE,
        help=f"messages per second over all channels (default {RATE})",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=SECONDS,
        help=f"seconds of sending before every socket drops (default {SECONDS})",
    )
    parser.add_argument(
        "--offline",
        type=float,
        default=OFFLINE_SECONDS,
        help=f"seconds the sockets stay closed (default {OFFLINE_SECONDS})",
    )
    parser.add_argument(
        "--sends-after-drop",
        type=float,
        default=SENDS_AFTER_DROP_SECONDS,
        help="seconds sends go on over HTTP after the drop "
        f"(default {SENDS_AFTER_DROP_SECONDS})",
    )
    return parser.parse_args()


def main() -> int:
    arguments = parse_arguments()
    if arguments.clients < 2 or arguments.channels < 1:
        raise SystemExit("--clients must be at least 2 and --channels at least 1")
    if arguments.clients < 2 * arguments.channels:
        raise SystemExit("--clients must be at least twice --channels")
    if arguments.rate <= 0 or arguments.seconds <= 0:
        raise SystemExit("--rate and --seconds must be more than 0")
    if arguments.offline >= arguments.sends_after_drop:
        raise SystemExit("--sends-after-drop must be longer than --offline")
    plan = LoadPlan(
        clients=arguments.clients,
        channels=arguments.channels,
        rate=arguments.rate,
        seconds=arguments.seconds,
        offline_seconds=arguments.offline,
        sends_after_drop_seconds=arguments.sends_after_drop,
        warm_up_timeout_seconds=WARM_UP_TIMEOUT_SECONDS,
    )
    company = LiveCompany()
    try:
        print("starting the local stack", flush=True)
        company.start()
        hire_started = time.perf_counter()
        people = hire_people(
            company.stack.url, company.owner_token, plan.clients, plan.name_prefix
        )
        hire_seconds = time.perf_counter() - hire_started
        # The membership reaction adds every hire to the general channel; waiting
        # for it keeps that backlog of stream records out of the measured time.
        general_id = company.general_channel_id(people[0]["token"])
        membership_wait = company.wait_for_members(general_id, plan.clients + 1)
        print(
            f"  hired and signed in {plan.clients} people in {hire_seconds:.1f} s; "
            f"the general channel was full {membership_wait:.1f} s later"
        )
        run, stack_cpu_seconds = asyncio.run(measure(company, people, plan))
    finally:
        company.stop()
    result = verify(run)
    figures = figures_of(run, result, stack_cpu_seconds)
    print_figures(figures)
    failed = [name for name in INVARIANTS if figures["counts"][name]]
    print("invariants: " + ("failed: " + ", ".join(failed) if failed else "all hold"))
    save_results(
        "ws_load",
        "bench.ws_load",
        {
            "clients": plan.clients,
            "channels": plan.channels,
            "rate_per_second": plan.rate,
            "seconds": plan.seconds,
            "offline_seconds": plan.offline_seconds,
            "sends_after_drop_seconds": plan.sends_after_drop_seconds,
            "hire_seconds": round(hire_seconds, 1),
            "membership_wait_seconds": round(membership_wait, 1),
            **figures,
            "invariants_failed": failed,
            "stack_log_error_lines": len(company.error_lines),
        },
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
