"""Run every benchmark, each in its own process: ``python -m bench [NAME ...]``.

Each benchmark prepares the environment before it imports the app, so two of
them cannot share one interpreter.
"""

import os
import signal
import subprocess
import sys
import time

from bench.report import ROOT

BENCHMARKS = (
    "cold_start",
    "dynamodb_calls",
    "history_latency",
    "chat_delivery",
    "notification_latency",
    "finance_views",
    "launch_batch",
    "chat_fanout",
    "chat_search",
    "chat_unread",
    "chat_history",
    "task_views_50k",
    "kb_article_open",
    "kb_course_report",
    "ws_load",
)
# Each bound is several times the benchmark's time on a loaded 2-core machine,
# so only a hang reaches it.
TIMEOUT_SECONDS = {
    "cold_start": 300,
    "dynamodb_calls": 300,
    "history_latency": 900,
    "chat_delivery": 600,
    "notification_latency": 300,
    "finance_views": 1200,
    "launch_batch": 600,
    "chat_fanout": 600,
    "chat_search": 1200,
    "chat_unread": 300,
    "chat_history": 900,
    "task_views_50k": 900,
    "kb_article_open": 1200,
    "kb_course_report": 1800,
    "ws_load": 1800,
}
STOP_GRACE_SECONDS = 60


def run(name: str) -> tuple[int, float]:
    """Run one benchmark module and return its exit code and its wall time.

    The module runs in a session of its own, so that on a time-out the local
    stack it started is stopped along with it.
    """
    print(f"\n=== bench.{name} ===", flush=True)
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", f"bench.{name}"], cwd=ROOT, start_new_session=True
    )
    try:
        code = child.wait(timeout=TIMEOUT_SECONDS[name])
    except subprocess.TimeoutExpired:
        print(f"bench.{name} timed out after {TIMEOUT_SECONDS[name]} s", flush=True)
        code = stop(child)
    except KeyboardInterrupt:
        # The child has a session of its own, so Ctrl-C does not reach it.
        stop(child)
        raise
    return code, time.perf_counter() - started


def stop(child: subprocess.Popen) -> int:
    """Interrupt the child's process group, as Ctrl-C would, then kill it if needed."""
    os.killpg(child.pid, signal.SIGINT)
    try:
        child.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    return -1


def main() -> int:
    names = sys.argv[1:] or list(BENCHMARKS)
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark {unknown}; choose from {', '.join(BENCHMARKS)}")
        return 2
    outcomes = {name: run(name) for name in names}
    print("\n=== summary ===")
    for name, (code, seconds) in outcomes.items():
        status = "ok" if code == 0 else f"failed (exit code {code})"
        print(f"  bench.{name}: {status} in {seconds:.0f} s")
    return 0 if all(code == 0 for code, _ in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
