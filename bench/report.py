"""Figures, percentiles and the JSON results file every benchmark writes."""

import json
import math
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = Path(__file__).resolve().parent / "results"
# Older runs are kept so that a regression shows next to the figures before it.
KEPT_RUNS = 20
# Read when a benchmark imports this module, which is as it starts.
LOAD_AVERAGE_AT_START = os.getloadavg()[0]


def percentile(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (``fraction`` from 0 to 1)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def summarize_ms(seconds: list[float]) -> dict:
    """Summarize durations given in seconds as milliseconds."""
    milliseconds = [value * 1000 for value in seconds]
    return {
        "count": len(milliseconds),
        "p50_ms": round(percentile(milliseconds, 0.50), 2),
        "p95_ms": round(percentile(milliseconds, 0.95), 2),
        "min_ms": round(min(milliseconds), 2) if milliseconds else None,
        "max_ms": round(max(milliseconds), 2) if milliseconds else None,
    }


def format_summary(label: str, summary: dict) -> str:
    return (
        f"{label}: p50 {summary['p50_ms']:.1f} ms, p95 {summary['p95_ms']:.1f} ms, "
        f"min {summary['min_ms']:.1f} ms, max {summary['max_ms']:.1f} ms "
        f"(n={summary['count']})"
    )


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    for line in lines:
        if line.startswith("model name"):
            return line.partition(":")[2].strip()
    return "unknown"


def machine() -> dict:
    # The load average is kept because other work on the machine moves every figure.
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "load_average_1m_at_start": round(LOAD_AVERAGE_AT_START, 2),
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }


def source_state() -> dict:
    """Name the commit measured and the files that differed from it."""

    def git(*arguments: str) -> str:
        finished = subprocess.run(
            ["git", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return finished.stdout.rstrip("\n")

    changed = [line[3:] for line in git("status", "--porcelain").splitlines()]
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "uncommitted_paths": [
            path
            for path in changed
            if not path.startswith("bench/") and path != "BENCHMARKS.md"
        ],
    }


def command_line(module: str) -> str:
    python = Path(sys.executable)
    if python.is_relative_to(ROOT):
        python = python.relative_to(ROOT)
    return " ".join([str(python), "-m", module, *sys.argv[1:]])


def save_results(name: str, module: str, figures: dict) -> Path:
    """Append this run to ``bench/results/<name>.json`` and return its path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    runs = []
    if path.exists():
        runs = json.loads(path.read_text()).get("runs", [])
    runs.append(
        {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": command_line(module),
            "machine": machine(),
            "source": source_state(),
            "figures": figures,
        }
    )
    document = {"benchmark": name, "runs": runs[-KEPT_RUNS:]}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    print(f"results appended to {path.relative_to(ROOT)}")
    return path
