"""Make moto's Query read one partition, and write items straight into moto.

moto 5.2.5 handles every Query by listing and sorting every item of the table
(``Table.all_items``), then keeping those of the requested partition. With a
million index entries each Query page then costs seconds that DynamoDB, which
reads only the partition, never spends. :func:`read_partitions_only` makes a
Query on a table's own key list just that partition, and a Query on an index
skip the whole-table sort, which moto redoes on the matches anyway. Both give
the same items in the same order as before, so the app sees no difference.
Scans keep the sorted listing, because their pagination depends on it.

:func:`put_items` writes items through moto's in-process backend, skipping the
HTTP round trip and response parsing of BatchWriteItem, which limited seeding
to about 825 items per second on a loaded 2-core machine.
"""

import os
import threading
from collections.abc import Iterable

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table

_query_scope = threading.local()


def read_partitions_only() -> None:
    """Patch moto's Table so that a Query lists only what it can return."""
    if getattr(Table.query, "_reads_partitions_only", False):
        return
    original_query = Table.query
    original_all_items = Table.all_items

    def query(self, hash_key, *arguments, **keywords):
        # moto's backend passes index_name as the eighth positional argument.
        index_name = arguments[6] if len(arguments) > 6 else keywords.get("index_name")
        _query_scope.value = (self, None if index_name else hash_key)
        try:
            return original_query(self, hash_key, *arguments, **keywords)
        finally:
            _query_scope.value = None

    def all_items(self):
        scope = getattr(_query_scope, "value", None)
        if scope is None or scope[0] is not self:
            return original_all_items(self)
        hash_key = scope[1]
        if hash_key is None:
            return _unsorted_items(self)
        partition = self.items.get(hash_key)
        if partition is None:
            return []
        return list(partition.values()) if self.range_key_attr else [partition]

    query._reads_partitions_only = True
    Table.query = query
    Table.all_items = all_items


def _unsorted_items(table: Table) -> list:
    if not table.range_key_attr:
        return list(table.items.values())
    return [item for partition in table.items.values() for item in partition.values()]


def put_items(table_name: str, items: Iterable[dict]) -> int:
    """Put serialized items (DynamoDB JSON attribute maps) into a moto table.

    The table's stream, if any, gets its records as with a PutItem call.
    Returns the number of items written.
    """
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    table = backend.get_table(table_name)
    count = 0
    for item in items:
        table.put_item(item)
        count += 1
    return count
