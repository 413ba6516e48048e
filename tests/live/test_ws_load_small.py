"""WebSocket load in small: 20 clients in 4 channels, a mass drop and a catch-up.

The figures at full size come from ``bench/ws_load.py``; this test keeps its
invariants: nothing lost, live frames in channel order, and a catch-up after
the reconnect that brings exactly what each client missed.
"""

import asyncio

import pytest

from tests.support.ws_load import (
    LoadPlan,
    LoadRun,
    create_channels,
    hire_people,
    verify,
)

pytestmark = pytest.mark.live

PLAN = LoadPlan(
    clients=20,
    channels=4,
    rate=10,
    seconds=10,
    offline_seconds=1,
    sends_after_drop_seconds=4,
    settle_timeout_seconds=20,
    warm_up_timeout_seconds=30,
    name_prefix="wsload-small",
)


@pytest.fixture(scope="module")
def load_result(live_stack, live_company):
    owner_token = live_company["owner"]["token"]
    people = hire_people(live_stack.url, owner_token, PLAN.clients, PLAN.name_prefix)
    channel_ids = create_channels(live_stack.url, owner_token, people, PLAN)
    run = LoadRun(live_stack.url, live_stack.ws_url, people, channel_ids, PLAN)
    asyncio.run(run.run(on_step=lambda line: None))
    return run, verify(run)


def test_every_message_posted(load_result):
    _, result = load_result
    assert result["counts"]["send_errors"] == 0, result["first_send_errors"]
    assert result["counts"]["error_frames"] == 0, result["first_error_frames"]
    assert result["sent_over_websocket"] >= PLAN.rate * PLAN.seconds * 0.9
    assert result["sent_over_http"] > 0


def test_no_delivery_lost(load_result):
    _, result = load_result
    counts = result["counts"]
    assert counts["expected_deliveries"] > 0
    assert counts["lost"] == 0
    # NOTE: whether every message also arrives live before the drop depends on
    # the machine: the local stream pump delivers one record at a time, and on
    # a busy CI machine it falls behind, so bench/ws_load.py reports that
    # figure instead of this test asserting it.


def test_live_frames_in_channel_order(load_result):
    _, result = load_result
    counts = result["counts"]
    assert counts["channel_seq_repeated"] == 0
    assert counts["live_out_of_order"] == 0
    assert counts["live_duplicates"] == 0


def test_catch_up_brings_exactly_the_missed(load_result):
    run, result = load_result
    counts = result["counts"]
    assert counts["catch_up_not_run"] == 0
    assert counts["catch_up_errors"] == 0
    assert counts["catch_up_incomplete"] == 0
    assert counts["catch_up_gaps"] == 0
    assert counts["catch_up_duplicates"] == 0
    assert counts["caught_up_already_live_before_drop"] == 0
    assert counts["missed_not_recovered"] == 0
