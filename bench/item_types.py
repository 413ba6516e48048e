"""Count the items each DynamoDB read returns, by table and by ``item_type``.

The chat and tasks tables hold several kinds of item, distinguished by their
``item_type`` attribute. Counting the returned items by kind shows, for
example, whether a request read any message at all. Items without an
``item_type`` (keys-only index entries, tables of one kind) count as
``no_item_type``.
"""

import json
import threading
from collections import Counter
from contextlib import contextmanager

import pynamodb.connection.base as pynamodb_base

READ_OPERATIONS = {"GetItem", "BatchGetItem", "Query", "Scan"}


def returned_items(operation: str, parsed: dict) -> list[tuple[str, dict]]:
    """Return (table name, item) for every item in a parsed read response."""
    if operation == "BatchGetItem":
        return [
            (table, item)
            for table, items in parsed.get("Responses", {}).items()
            for item in items
        ]
    if operation == "GetItem":
        return [("", parsed["Item"])] if "Item" in parsed else []
    return [("", item) for item in parsed.get("Items", [])]


class ItemTypeMeter:
    """Counts of returned items keyed by (table suffix, item_type).

    It hooks session creation as ``DynamoDBCallCounter.install`` does, so it
    must be installed before PynamoDB makes its first call.
    """

    def __init__(self, table_prefix: str) -> None:
        self._table_prefix = table_prefix
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str]] = Counter()

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
        found: Counter[tuple[str, str]] = Counter()
        for table, item in returned_items(model.name, parsed):
            table = (table or body.get("TableName", "")).removeprefix(
                self._table_prefix
            )
            kind = item.get("item_type", {}).get("S", "no_item_type")
            found[(table, kind)] += 1
        with self._lock:
            self.counts.update(found)

    @contextmanager
    def measure(self):
        """Yield a dict of "table/item_type" -> items returned inside the block."""
        with self._lock:
            before = Counter(self.counts)
        result: dict[str, int] = {}
        yield result
        with self._lock:
            grown = self.counts - before
        result.update(
            {f"{table}/{kind}": count for (table, kind), count in sorted(grown.items())}
        )
