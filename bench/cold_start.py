"""Cold start: how long ``import boto3`` and ``import app`` take in a fresh process.

Each sample is a new interpreter with the environment a Lambda function has
(token secret, region, credentials), started in the repository root so that
``app`` is importable. The import is timed inside the child, so interpreter
start-up is reported separately as the whole process's wall time.
"""

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time

from bench.report import ROOT, format_summary, save_results, summarize_ms

SAMPLES = 15
# Compiling every module from source is slow, so fewer samples keep the run short.
SAMPLES_WITHOUT_BYTECODE = 5
TOP_IMPORTS = 10
CHILD_TIMEOUT_SECONDS = 60

TIMED_IMPORT = (
    "import time\n"
    "started = time.perf_counter()\n"
    "import {module}\n"
    "print(time.perf_counter() - started)\n"
)


def lambda_environment() -> dict[str, str]:
    """Build the variables a Lambda function would have, and nothing from this shell."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "SHTAB_TOKEN_SECRET": secrets.token_hex(20),
        "AWS_DEFAULT_REGION": "eu-central-1",
        "AWS_REGION": "eu-central-1",
        "AWS_ACCESS_KEY_ID": "benchmark-access-key",
        "AWS_SECRET_ACCESS_KEY": "benchmark-secret-key",
        # Stops botocore from querying the instance metadata endpoint for credentials.
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def time_import(module: str, environment: dict[str, str]) -> tuple[float, float]:
    """Return (import seconds measured in the child, whole process wall seconds)."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", TIMED_IMPORT.format(module=module)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=False,
    )
    wall = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"import {module} failed:\n{finished.stderr[-3000:]}")
    return float(finished.stdout.strip().splitlines()[-1]), wall


def sample_imports(count: int, without_bytecode: bool) -> dict[str, dict]:
    """Time both imports ``count`` times each, alternating so drift hits both alike."""
    samples = {"boto3": ([], []), "app": ([], [])}
    for _round in range(count):
        for module, (imports, walls) in samples.items():
            environment = lambda_environment()
            with tempfile.TemporaryDirectory(prefix="shtab-pycache-") as cache:
                if without_bytecode:
                    # An empty cache folder makes Python compile every module
                    # from source, as it must where no .pyc files are shipped.
                    environment["PYTHONPYCACHEPREFIX"] = cache
                import_seconds, wall_seconds = time_import(module, environment)
            imports.append(import_seconds)
            walls.append(wall_seconds)
    return {
        module: {"import": summarize_ms(imports), "process": summarize_ms(walls)}
        for module, (imports, walls) in samples.items()
    }


IMPORT_TIME_LINE = re.compile(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S+)")


def heaviest_imports(count: int) -> dict:
    """Run ``python -X importtime -c 'import app'`` once and rank what it loaded.

    A package's time is the sum of the own times of all its modules, wherever
    in the import tree they were loaded, so a package pulled in piece by piece
    is not undercounted.
    """
    finished = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import app"],
        cwd=ROOT,
        env=lambda_environment(),
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_SECONDS,
        check=True,
    )
    modules = parse_import_times(finished.stderr)
    package_totals: dict[str, float] = {}
    for row in modules:
        package = row["module"].split(".")[0]
        package_totals[package] = package_totals.get(package, 0.0) + row["self_ms"]
    packages = sorted(package_totals.items(), key=lambda item: item[1], reverse=True)
    app_row = next(row for row in modules if row["module"] == "app")
    return {
        "app_cumulative_ms": app_row["cumulative_ms"],
        "packages_by_own_time": [
            {"package": name, "own_ms": round(total, 1)}
            for name, total in packages[:count]
        ],
        "modules_by_own_time": sorted(
            modules, key=lambda row: row["self_ms"], reverse=True
        )[:count],
    }


def parse_import_times(stderr: str) -> list[dict]:
    rows = []
    for line in stderr.splitlines():
        match = IMPORT_TIME_LINE.match(line)
        if match:
            own, cumulative, name = match.groups()
            rows.append(
                {
                    "module": name,
                    "self_ms": int(own) / 1000,
                    "cumulative_ms": int(cumulative) / 1000,
                }
            )
    return rows


def print_imports(ranking: dict) -> None:
    total = ranking["app_cumulative_ms"]
    print(f"\n-X importtime, one run: import app took {total:.0f} ms")
    print(f"top {TOP_IMPORTS} packages, own time of all their modules added up:")
    for row in ranking["packages_by_own_time"]:
        print(f"  {row['own_ms']:8.1f} ms  {row['package']}")
    print(f"top {TOP_IMPORTS} modules by their own time:")
    for row in ranking["modules_by_own_time"]:
        print(f"  {row['self_ms']:8.1f} ms  {row['module']}")


def ratio_of_medians(results: dict) -> float:
    return round(
        results["app"]["import"]["p50_ms"] / results["boto3"]["import"]["p50_ms"], 2
    )


def main() -> None:
    print(f"cold start: {SAMPLES} fresh processes per import, bytecode cache warm")
    warm = sample_imports(SAMPLES, without_bytecode=False)
    for module, figures in warm.items():
        print(format_summary(f"  import {module}", figures["import"]))
        print(format_summary(f"  process for {module}", figures["process"]))
    print(f"  ratio of medians app/boto3: {ratio_of_medians(warm)}")

    count = SAMPLES_WITHOUT_BYTECODE
    print(f"\ncold start: {count} fresh processes per import, no bytecode cache")
    cold = sample_imports(SAMPLES_WITHOUT_BYTECODE, without_bytecode=True)
    for module, figures in cold.items():
        print(format_summary(f"  import {module}", figures["import"]))
    print(f"  ratio of medians app/boto3: {ratio_of_medians(cold)}")

    ranking = heaviest_imports(TOP_IMPORTS)
    print_imports(ranking)

    save_results(
        "cold_start",
        "bench.cold_start",
        {
            "bytecode_cache": {
                **warm,
                "ratio_of_medians_app_to_boto3": ratio_of_medians(warm),
            },
            "no_bytecode_cache": {
                **cold,
                "ratio_of_medians_app_to_boto3": ratio_of_medians(cold),
            },
            "importtime": ranking,
        },
    )


if __name__ == "__main__":
    main()
