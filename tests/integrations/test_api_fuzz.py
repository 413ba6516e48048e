"""Fuzz every operation of the OpenAPI document against the local stack.

A lean version of ``python -m bench.api_fuzz``: a few generated requests per
operation, each checked for 5xx and for a status, content type and body that
the document describes. The bench run sends 2,000 or more.
"""

import pytest

from tests.support.api_fuzz import run_fuzz
from tests.support.live import LiveStack

pytestmark = pytest.mark.live

OWNER_EMAIL = "owner@fuzz.example"
OWNER_PASSWORD = "fuzz-owner-password"
# About three requests per operation, which keeps the test near a minute.
TARGET_REQUESTS = 500


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    stack = LiveStack(tmp_path_factory.mktemp("fuzz"), OWNER_EMAIL, OWNER_PASSWORD)
    stack.start(timeout=90)
    try:
        token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
        yield run_fuzz(stack, token, TARGET_REQUESTS, seed=1)
    finally:
        stack.stop()


def describe(report) -> str:
    lines = []
    for label, result in report.failing().items():
        lines.append(
            f"{label}: {result.server_errors} 5xx, {dict(result.mismatches)}, "
            f"error={result.error}"
        )
        lines.extend(f"  {example[:800]}" for example in result.examples)
    return "\n".join(lines)


def test_seeding_succeeds(report):
    assert report.seed_failures == []


def test_every_operation_reached(report):
    assert report.requests >= TARGET_REQUESTS
    assert all(result.requests for result in report.results.values())


def test_no_server_errors(report):
    assert report.server_errors == 0, describe(report)


def test_responses_match_document(report):
    assert report.mismatches == 0, describe(report)


def test_no_operation_stopped_early(report):
    stopped = {
        label: result.error for label, result in report.results.items() if result.error
    }
    assert stopped == {}
