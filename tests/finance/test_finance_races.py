"""Concurrent clicks and approvers: exactly one transition wins.

The threads call the transitions directly, because Chalice keeps the current
request on the app object, so one in-process app cannot serve two requests at
once. Each thread reads the request before the others write, as two browsers
would.
"""

import threading

import pytest

from chalicelib.errors import Conflict
from chalicelib.finance import transitions
from chalicelib.finance.schemas import ApproveBody, PayBody
from chalicelib.finance.visibility import viewer_of
from chalicelib.web import Caller

THREADS = 6


def viewer_for(person, role="employee"):
    return viewer_of(Caller(user_id=person.id, role=role))


def race(actions) -> list[str]:
    """Run each action in its own thread at once; return "ok" or "conflict" each."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action):
        barrier.wait()
        try:
            action()
            outcome = "ok"
        except Conflict:
            outcome = "conflict"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes)


def history_actions(requests_api, person, request_id) -> list[str]:
    return [
        entry["action"] for entry in requests_api.get(person, request_id)["history"]
    ]


@pytest.fixture
def second_head(world):
    """A second holder of the head of marketplaces position, for two approvers."""
    if not hasattr(world, "second_head"):
        world.second_head = world.hire("Богдан", "head_of_marketplaces", role="manager")
    return world.second_head


def double_click(world, requests_api):
    request = requests_api.submitted(world.anna)
    copies = [transitions.get_request(request["id"]) for _ in range(THREADS)]
    viewers = [viewer_for(world.boris) for _ in range(THREADS)]
    outcomes = race(
        [
            lambda copy=copy, viewer=viewer: transitions.approve(
                copy, viewer, ApproveBody()
            )
            for copy, viewer in zip(copies, viewers, strict=True)
        ]
    )
    return request, outcomes


@pytest.mark.usefixtures("serialized_writes")
def test_double_click_approves_once(world, requests_api):
    _, outcomes = double_click(world, requests_api)
    assert outcomes == ["conflict"] * (THREADS - 1) + ["ok"]


@pytest.mark.usefixtures("serialized_writes")
def test_double_click_writes_one_history_entry(world, requests_api):
    request, _ = double_click(world, requests_api)
    actions = history_actions(requests_api, world.anna, request["id"])
    assert actions == ["created", "submitted", "approved"]


@pytest.mark.usefixtures("serialized_writes")
def test_double_click_moves_one_step(world, requests_api):
    request, _ = double_click(world, requests_api)
    assert requests_api.get(world.anna, request["id"])["current_step"] == 1


@pytest.mark.usefixtures("serialized_writes")
def test_two_holders_approve_once(world, requests_api, second_head):
    request = requests_api.submitted(world.anna)
    approvals = [
        (transitions.get_request(request["id"]), viewer_for(person))
        for person in (world.boris, second_head)
    ]
    outcomes = race(
        [
            lambda copy=copy, viewer=viewer: transitions.approve(
                copy, viewer, ApproveBody()
            )
            for copy, viewer in approvals
        ]
    )
    actions = history_actions(requests_api, world.anna, request["id"])
    assert outcomes == ["conflict", "ok"]
    assert actions.count("approved") == 1


@pytest.mark.usefixtures("serialized_writes")
def test_approve_and_withdraw_race_has_one_winner(world, requests_api):
    request = requests_api.submitted(world.anna)
    approve_copy = transitions.get_request(request["id"])
    withdraw_copy = transitions.get_request(request["id"])
    approver, author = viewer_for(world.boris), viewer_for(world.anna)
    outcomes = race(
        [
            lambda: transitions.approve(approve_copy, approver, ApproveBody()),
            lambda: transitions.withdraw(withdraw_copy, author),
        ]
    )
    assert outcomes == ["conflict", "ok"]
    assert len(requests_api.get(world.anna, request["id"])["history"]) == 3


@pytest.mark.usefixtures("serialized_writes")
def test_concurrent_payments_never_overpay(world, requests_api):
    request = requests_api.submitted(world.anna, amount="1000.00")
    requests_api.act(world.boris, request["id"], "approve")
    requests_api.act(world.fedor, request["id"], "approve")
    payers = [viewer_for(world.fedor), viewer_for(world.alla)] * 2
    copies = [transitions.get_request(request["id"]) for _ in payers]
    outcomes = race(
        [
            lambda copy=copy, payer=payer: transitions.pay(
                copy, payer, PayBody(amount="600.00")
            )
            for copy, payer in zip(copies, payers, strict=True)
        ]
    )
    assert outcomes == ["conflict"] * 3 + ["ok"]
    assert requests_api.get(world.anna, request["id"])["paid"] == "600.00"


def test_stale_approval_conflicts_after_withdraw(world, requests_api):
    request = requests_api.submitted(world.anna)
    stale = transitions.get_request(request["id"])
    requests_api.act(world.anna, request["id"], "withdraw")
    with pytest.raises(Conflict):
        transitions.approve(stale, viewer_for(world.boris), ApproveBody())
