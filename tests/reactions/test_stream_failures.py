"""The local pump retries a failed record a bounded number of times, then parks it.

Reactions built by ``stream_reaction`` park their own poisoned records in the
deadletters table (tests/reactions/test_dead_letters.py); the pump's parking
is the fallback for a reaction that keeps reporting a record as failed.
"""

import pytest

from shtab_local import pump as pump_module
from shtab_local.pump import StreamPump


def test_poisoned_record_parked_rest_processed(
    tables, app_module, tmp_path, monkeypatch, gateway
):
    from chalicelib.tasks.models import Task

    monkeypatch.setattr(pump_module, "RETRY_DELAYS", (0, 0, 0))
    handled: list[str] = []

    def reaction(event, context):
        # Handles records in order and reports the first poisoned one, as a
        # reaction without its own parking would.
        for record in event["Records"]:
            title = record["dynamodb"]["NewImage"]["title"]["S"]
            if title == "poison":
                sequence = record["dynamodb"]["SequenceNumber"]
                return {"batchItemFailures": [{"itemIdentifier": sequence}]}
            handled.append(title)
        return {"batchItemFailures": []}

    parked_file = tmp_path / "parked.jsonl"
    stream_pump = StreamPump(
        tables.endpoint, {"tasks": reaction}, tables.prefix, parked_path=parked_file
    )
    stream_pump.attach()

    from datetime import UTC, datetime

    now = datetime.now(UTC)
    for title in ("first", "poison", "third"):
        Task(
            f"TASK#{title}",
            task_id=title,
            title=title,
            creator_id="a",
            assignee_id="b",
            updated_by="a",
            created_at=now,
            updated_at=now,
        ).save()

    stream_pump.drain()

    assert handled.count("first") == 1
    assert handled.count("third") == 1
    assert len(stream_pump.parked) == 1
    assert (
        stream_pump.parked[0]["record"]["dynamodb"]["NewImage"]["title"]["S"]
        == "poison"
    )
    assert parked_file.read_text().count("\n") == 1
    # Three retries after the first attempt, then parked.
    assert stream_pump.failed_batches == pump_module.MAX_RETRIES + 1


@pytest.mark.parametrize("failure", ["raise", "report"])
def test_whole_batch_failure_retried(tables, monkeypatch, failure, gateway):
    from chalicelib.tasks.models import Task

    monkeypatch.setattr(pump_module, "RETRY_DELAYS", (0, 0, 0))
    calls = {"count": 0}

    def flaky(event, context):
        calls["count"] += 1
        if calls["count"] == 1:
            if failure == "raise":
                raise RuntimeError("cold start failed")
            return {
                "batchItemFailures": [
                    {
                        "itemIdentifier": event["Records"][0]["dynamodb"][
                            "SequenceNumber"
                        ]
                    }
                ]
            }
        return {"batchItemFailures": []}

    stream_pump = StreamPump(tables.endpoint, {"tasks": flaky}, tables.prefix)
    stream_pump.attach()
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    Task(
        "TASK#x",
        task_id="x",
        title="x",
        creator_id="a",
        assignee_id="b",
        updated_by="a",
        created_at=now,
        updated_at=now,
    ).save()
    stream_pump.drain()

    assert calls["count"] == 2
    assert stream_pump.parked == []
