"""Property-based fuzzing of the whole HTTP API from its OpenAPI document.

Starts the local stack, seeds a company (the marketplace template, a hired
person, and one task, message, payment request, article, course, hook and
token), then sends schemathesis-generated requests to every operation of
``/api/openapi.json``: valid and invalid ones, mostly as the owner and one in
ten without a token. Every response is checked for 5xx, an undocumented
status code or content type, and a body that does not match its schema
(tests/support/api_fuzz.py). Exits 1 when any check failed.
"""

import argparse
import sys
from collections import Counter

from bench.live_company import LiveCompany
from bench.report import save_results
from tests.support.api_fuzz import EXCLUDED, FuzzReport, run_fuzz

DEFAULT_REQUESTS = 2000
MAX_PRINTED_EXAMPLES = 2


def print_report(report: FuzzReport) -> None:
    print(
        f"  {report.requests} requests to {len(report.results)} operations in "
        f"{report.seconds:.0f} s: {report.server_errors} with 5xx, "
        f"{report.mismatches} failed a schema check"
    )
    statuses = Counter()
    for result in report.results.values():
        statuses.update(result.statuses)
    ordered = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
    print(f"  statuses: {ordered}")
    if report.seed_failures:
        print("  seeding failed for:")
        for line in report.seed_failures:
            print(f"    {line}")
    for label, reason in EXCLUDED.items():
        print(f"  left out {label}: {reason}")
    failing = report.failing()
    if not failing:
        print("  every operation passed every check")
        return
    print("  operations that failed a check:")
    for label, result in failing.items():
        print(
            f"    {label}: {result.requests} requests, {result.server_errors} 5xx, "
            f"{dict(result.mismatches)}"
        )
        if result.error:
            print(f"      stopped by {result.error}")
        for example in result.examples[:MAX_PRINTED_EXAMPLES]:
            print(f"      {example[:600]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--requests",
        type=int,
        default=DEFAULT_REQUESTS,
        help=f"generated requests to send in all (default {DEFAULT_REQUESTS})",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the generated data; the same seed repeats the run (default 0)",
    )
    arguments = parser.parse_args()

    company = LiveCompany()
    try:
        print("starting the local stack")
        company.start()
        report = run_fuzz(
            company.stack, company.owner_token, arguments.requests, arguments.seed
        )
    finally:
        company.stop()
    print_report(report)

    save_results(
        "api_fuzz",
        "bench.api_fuzz",
        {
            "requests": report.requests,
            "operations": len(report.results),
            "seconds": round(report.seconds, 1),
            "server_errors": report.server_errors,
            "schema_mismatches": report.mismatches,
            "failing_operations": {
                label: {
                    "requests": result.requests,
                    "server_errors": result.server_errors,
                    "mismatches": dict(result.mismatches),
                    "error": result.error,
                }
                for label, result in report.failing().items()
            },
            "seed_failures": report.seed_failures,
            "stack_log_error_lines": len(company.error_lines),
        },
    )
    clean = not report.failing() and not report.seed_failures
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
