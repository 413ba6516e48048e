"""Items read and estimated read capacity units of each DynamoDB call PynamoDB makes.

moto 5.2.5 returns a fixed ``ConsumedCapacity`` (1.0 for GetItem and Query,
whatever the items' size), so the units here are estimated from the items in
each response, with the rules of the DynamoDB Developer Guide ("DynamoDB item
sizes and formats" and "DynamoDB read and write operations"):

- An item's size is the UTF-8 length of its attribute names and values. A
  number takes 1 byte per two significant digits plus 1 byte, and a list or
  map takes 3 bytes plus 1 byte per element.
- GetItem rounds the item's size up to the next 4 KB, and BatchGetItem rounds
  each item's. A Query rounds the sum of all the items it read.
- Each 4 KB costs 1 read capacity unit when strongly consistent and 0.5 when
  eventually consistent. A read that finds nothing still costs one 4 KB unit.

A Query with a filter expression or a projection is charged for whole items
before the filter, which a response does not show, so such a call's estimate is
marked as a lower bound.
"""

import json
import math
import threading
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

import pynamodb.connection.base as pynamodb_base

READ_UNIT_BYTES = 4096
READ_OPERATIONS = ("GetItem", "BatchGetItem", "Query", "Scan")


def attribute_value_size(value: dict) -> int:
    """Return the size in bytes of one DynamoDB attribute value, without its name."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(member.encode()) for member in content)
    if kind == "NS":
        return sum(number_size(member) for member in content)
    if kind == "BS":
        return sum(len(member) for member in content)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(member) for member in content)
    if kind == "M":
        return 3 + sum(
            1 + len(name.encode()) + attribute_value_size(member)
            for name, member in content.items()
        )
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def number_size(text: str) -> int:
    digits = text.lstrip("-").replace(".", "").strip("0")
    return math.ceil(max(len(digits), 1) / 2) + 1


def item_size(item: dict) -> int:
    return sum(
        len(name.encode()) + attribute_value_size(value) for name, value in item.items()
    )


def read_units(size: int, consistent: bool) -> float:
    blocks = max(1, math.ceil(size / READ_UNIT_BYTES))
    return blocks * (1.0 if consistent else 0.5)


@dataclass
class ReadRecord:
    """One read call: what it requested and what it returned."""

    operation: str
    table: str
    index: str | None
    consistent: bool
    items_read: int
    items_returned: int
    bytes_returned: int
    estimated_read_units: float
    lower_bound: bool
    moto_reported_units: float | None
    # botocore retries a call that timed out or was throttled, and moto then
    # serves it more than once.
    retry_attempts: int


def record_of(
    operation: str, body: dict, parsed: dict, table_prefix: str
) -> ReadRecord:
    consistent = bool(body.get("ConsistentRead"))
    if operation == "GetItem":
        items = [parsed["Item"]] if "Item" in parsed else []
        size = item_size(items[0]) if items else 0
        units = read_units(size, consistent)
        items_read, lower_bound = len(items), False
    elif operation == "BatchGetItem":
        items = [item for rows in parsed.get("Responses", {}).values() for item in rows]
        units = sum(read_units(item_size(item), consistent) for item in items)
        items_read, lower_bound = len(items), False
    else:
        items = parsed.get("Items", [])
        units = read_units(sum(item_size(item) for item in items), consistent)
        items_read = int(parsed.get("ScannedCount", len(items)))
        lower_bound = items_read > len(items) or "ProjectionExpression" in body
    table = body.get("TableName") or ",".join(body.get("RequestItems", {}))
    capacity = parsed.get("ConsumedCapacity")
    if isinstance(capacity, list):
        capacity = capacity[0] if capacity else None
    return ReadRecord(
        operation=operation,
        table=table.removeprefix(table_prefix),
        index=body.get("IndexName"),
        consistent=consistent,
        items_read=items_read,
        items_returned=len(items),
        bytes_returned=sum(item_size(item) for item in items),
        estimated_read_units=units,
        lower_bound=lower_bound,
        moto_reported_units=capacity.get("CapacityUnits") if capacity else None,
        retry_attempts=parsed.get("ResponseMetadata", {}).get("RetryAttempts", 0),
    )


class ReadMeter:
    """A record of every read call made through PynamoDB's botocore sessions.

    Like ``DynamoDBCallCounter.install``, it hooks session creation, so it must
    be installed before PynamoDB makes its first call.
    """

    def __init__(self, table_prefix: str) -> None:
        self.records: list[ReadRecord] = []
        self._table_prefix = table_prefix
        self._lock = threading.Lock()

    def install(self) -> None:
        original = pynamodb_base.get_session
        meter = self

        def recording_session():
            session = original()
            session.register("before-call.dynamodb", meter._keep_request)
            session.register("after-call.dynamodb", meter._record)
            return session

        pynamodb_base.get_session = recording_session

    @staticmethod
    def _keep_request(params, context, **_keywords) -> None:
        # The request body is not passed to after-call handlers, but the same
        # context dict is.
        context["bench_request_body"] = params.get("body")

    def _record(self, http_response, parsed, model, context, **_keywords) -> None:
        if model.name not in READ_OPERATIONS or http_response.status_code >= 300:
            return
        body = json.loads(context.get("bench_request_body") or b"{}")
        record = record_of(model.name, body, parsed, self._table_prefix)
        with self._lock:
            self.records.append(record)

    @contextmanager
    def measure(self):
        """Yield a list that holds the read records of the calls made in the block."""
        with self._lock:
            start = len(self.records)
        found: list[ReadRecord] = []
        yield found
        with self._lock:
            found.extend(self.records[start:])


def summarize_reads(records: list[ReadRecord]) -> dict:
    """Sum one request's read records, keeping each call's figures in order."""
    return {
        "read_calls": dict(Counter(record.operation for record in records)),
        "items_read": sum(record.items_read for record in records),
        "items_returned": sum(record.items_returned for record in records),
        "bytes_returned": sum(record.bytes_returned for record in records),
        "estimated_read_units": sum(record.estimated_read_units for record in records),
        "estimate_is_lower_bound": any(record.lower_bound for record in records),
        "moto_reported_units": sum(
            record.moto_reported_units or 0 for record in records
        ),
        "retry_attempts": sum(record.retry_attempts for record in records),
        "calls": [
            {
                "operation": record.operation,
                "table": record.table,
                "index": record.index,
                "consistent": record.consistent,
                "items_read": record.items_read,
                "bytes_returned": record.bytes_returned,
                "estimated_read_units": record.estimated_read_units,
            }
            for record in records
        ],
    }
