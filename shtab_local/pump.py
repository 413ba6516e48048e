"""The stream pump: Lambda's DynamoDB event source mapping, on this machine.

It reads each table's stream in order and invokes the reaction with batches
shaped as Lambda sends them. With partial batch failure reporting, a batch is
retried from its first failed record; a record that keeps failing is parked
(logged and written to ``parked-records.jsonl``) and the records behind it
go on.
"""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
MAX_RETRIES = 3
RETRY_DELAYS = (0.05, 0.2, 0.5)
IDLE_SLEEP_SECONDS = 0.02
# Idle passes back off to this. A write wakes the pump at once (``wake``), so
# the longer wait costs no latency and the idle stack stops polling 50 times a
# second per stream.
MAX_IDLE_SLEEP_SECONDS = 0.5


class LocalLambdaContext:
    """The parts of the Lambda context object the handlers read."""

    def __init__(self, function_name: str) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.invoked_function_arn = (
            f"arn:aws:lambda:eu-central-1:123456789012:function:{function_name}"
        )
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + 60

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class ShardReader:
    table: str
    stream_arn: str
    shard_id: str
    iterator: str | None
    handler: Callable
    pending: list = field(default_factory=list)
    # The sequence number of the last record whose reaction finished (or which
    # was parked); a snapshot saves the records after it.
    completed_sequence: int | None = None


class StreamPump:
    def __init__(
        self,
        endpoint: str,
        reactions: dict[str, Callable],
        prefix: str,
        parked_path: Path | None = None,
        on_records: Callable[[], None] | None = None,
    ) -> None:
        self._streams = boto3.client(
            "dynamodbstreams",
            endpoint_url=endpoint,
            config=Config(retries={"max_attempts": 2}),
        )
        self._dynamodb = boto3.client("dynamodb", endpoint_url=endpoint)
        self._reactions = reactions
        self._prefix = prefix
        self._parked_path = parked_path
        self._on_records = on_records
        self._readers: list[ShardReader] = []
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.parked: list[dict] = []
        self.failed_batches = 0
        # Records saved unprocessed by the last run, by table; run first.
        self._restored: dict[str, list[dict]] = {}

    def attach(self) -> None:
        """Open a reader at the start of each reaction table's stream."""
        for table, handler in self._reactions.items():
            name = self._prefix + table
            stream_arn = self._dynamodb.describe_table(TableName=name)["Table"][
                "LatestStreamArn"
            ]
            shards = self._streams.describe_stream(StreamArn=stream_arn)[
                "StreamDescription"
            ]["Shards"]
            for shard in shards:
                iterator = self._streams.get_shard_iterator(
                    StreamArn=stream_arn,
                    ShardId=shard["ShardId"],
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
                self._readers.append(
                    ShardReader(table, stream_arn, shard["ShardId"], iterator, handler)
                )

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._run, name="stream-pump", daemon=True
        )
        self._thread.start()

    def wake(self) -> None:
        """Cut the idle wait short: a table was written to."""
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        idle_sleep = IDLE_SLEEP_SECONDS
        while not self._stop.is_set():
            # Cleared before the pass, so a write during it wakes the next wait.
            self._wake.clear()
            try:
                busy = self.run_once()
            except Exception:
                logger.exception("stream pump pass failed; retrying")
                busy = False
            if busy:
                idle_sleep = IDLE_SLEEP_SECONDS
                continue
            if self._wake.wait(idle_sleep):
                idle_sleep = IDLE_SLEEP_SECONDS
            else:
                idle_sleep = min(idle_sleep * 2, MAX_IDLE_SLEEP_SECONDS)

    def restore(self, records: dict[str, list[dict]]) -> None:
        """Queue records that the last run saved before their reactions finished.

        Reactions are written for redelivery, so a record whose reaction had
        partly run before the stop is safe to run again.
        """
        with self._lock:
            for table, table_records in records.items():
                if table not in self._reactions:
                    logger.warning("saved stream records of unknown table=%s", table)
                    continue
                self._restored.setdefault(table, []).extend(table_records)

    def unprocessed(self, records_after: Callable) -> dict[str, list[dict]]:
        """Return the records whose reactions have not finished, by table.

        ``records_after(table_name, sequence)`` reads a stream after a
        sequence number. The caller holds the write lock, so no record is
        added meanwhile; a batch being dispatched counts as unprocessed.
        """
        # list() copies at once, while the pump thread may drop a finished batch.
        unprocessed = {
            table: list(records) for table, records in list(self._restored.items())
        }
        for reader in self._readers:
            records = records_after(
                self._prefix + reader.table, reader.completed_sequence
            )
            if records:
                unprocessed.setdefault(reader.table, []).extend(records)
        return unprocessed

    def _run_restored(self) -> bool:
        for table in list(self._restored):
            reader = next(
                candidate for candidate in self._readers if candidate.table == table
            )
            records = self._restored[table]
            batch = records[:BATCH_SIZE]
            self._dispatch(reader, batch, restored=True)
            del records[: len(batch)]
            if not records:
                del self._restored[table]
            return True
        return False

    def run_once(self) -> bool:
        """Read and dispatch what each stream has now; return True if any."""
        with self._lock:
            busy = self._run_restored()
            for reader in self._readers:
                records = self._read(reader)
                if records:
                    busy = True
                    self._dispatch(reader, records)
            if busy and self._on_records is not None:
                self._on_records()
            return busy

    def drain(self, timeout: float = 30.0) -> None:
        """Process until every stream is quiet, as tests need before asserting.

        Reactions write to other tables, so one quiet pass is not enough: it
        takes two in a row.
        """
        deadline = time.monotonic() + timeout
        quiet_passes = 0
        while quiet_passes < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("streams did not go quiet")
            quiet_passes = 0 if self.run_once() else quiet_passes + 1

    def _read(self, reader: ShardReader) -> list[dict]:
        if reader.iterator is None:
            return []
        response = self._streams.get_records(
            ShardIterator=reader.iterator, Limit=BATCH_SIZE
        )
        reader.iterator = response.get("NextShardIterator")
        records = response.get("Records", [])
        for record in records:
            record["eventSourceARN"] = reader.stream_arn
            # botocore parses this into a datetime; Lambda sends epoch seconds.
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if hasattr(created, "timestamp"):
                record["dynamodb"]["ApproximateCreationDateTime"] = int(
                    created.timestamp()
                )
        return records

    def _dispatch(
        self, reader: ShardReader, records: list[dict], restored: bool = False
    ) -> None:
        attempt = 0
        last = records[-1]["dynamodb"].get("SequenceNumber") if records else None
        while records:
            failed_from = self._invoke(reader, records)
            if failed_from is None:
                break
            self.failed_batches += 1
            attempt += 1
            records = records[failed_from:]
            if attempt > MAX_RETRIES:
                self._park(reader, records[0])
                records = records[1:]
                attempt = 0
                continue
            logger.warning(
                "stream batch failed table=%s first_failed=%s attempt=%d",
                reader.table,
                records[0]["dynamodb"].get("SequenceNumber"),
                attempt,
            )
            time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1])
        # Restored records carry the last run's sequence numbers, which mean
        # nothing in this run's stream.
        if last is not None and not restored:
            reader.completed_sequence = int(last)

    def _invoke(self, reader: ShardReader, records: list[dict]) -> int | None:
        """Run the reaction; return the index of the first failed record, if any."""
        name = getattr(reader.handler, "__name__", reader.table)
        try:
            result = reader.handler({"Records": records}, LocalLambdaContext(name))
        except Exception:
            logger.exception(
                "reaction raised table=%s; retrying whole batch", reader.table
            )
            return 0
        failures = (result or {}).get("batchItemFailures") or []
        if not failures:
            return None
        failed = {item["itemIdentifier"] for item in failures}
        for index, record in enumerate(records):
            if record["dynamodb"].get("SequenceNumber") in failed:
                return index
        return 0

    def _park(self, reader: ShardReader, record: dict) -> None:
        entry = {
            "table": reader.table,
            "eventID": record.get("eventID"),
            "sequenceNumber": record["dynamodb"].get("SequenceNumber"),
            "parkedAt": time.time(),
            "record": record,
        }
        self.parked.append(entry)
        logger.error(
            "stream record parked after %d retries table=%s event_id=%s",
            MAX_RETRIES,
            reader.table,
            entry["eventID"],
        )
        if self._parked_path is not None:
            with self._parked_path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")
