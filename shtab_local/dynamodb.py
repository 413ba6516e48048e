"""The embedded DynamoDB: moto in server mode, tables from the CloudFormation template.

Tables are created from ``infra/resources.json``, so the local schema is the
deployed one. Data is kept in ``DATA_DIR/dynamodb.json`` between runs.
"""

import base64
import copy
import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.exceptions import TransactionCanceledException
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import MotoRequestHandler

logger = logging.getLogger(__name__)

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "resources.json"


def table_definitions(prefix: str) -> dict[str, dict]:
    """Return create_table arguments by short table name, read from the template."""
    template = json.loads(TEMPLATE.read_text())
    definitions = {}
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        properties = resource["Properties"]
        short_name = properties["TableName"]["Fn::Sub"].removeprefix("shtab-${Stage}-")
        arguments = {
            "TableName": prefix + short_name,
            "AttributeDefinitions": properties["AttributeDefinitions"],
            "KeySchema": properties["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
        }
        if "GlobalSecondaryIndexes" in properties:
            arguments["GlobalSecondaryIndexes"] = properties["GlobalSecondaryIndexes"]
        definitions[short_name] = {
            "create": arguments,
            "stream": properties.get("StreamSpecification"),
            "ttl": properties.get("TimeToLiveSpecification"),
        }
    return definitions


_WRITE_METHODS = ("put_item", "update_item", "delete_item", "transact_write_items")
_write_lock = threading.RLock()
# Called after every write, so the stream pump can wake up at once instead of
# polling the streams many times a second while nothing changes.
_write_listeners: list[Callable[[], None]] = []


def on_write(listener: Callable[[], None]) -> None:
    """Call ``listener`` after each write moto makes (batch writes included)."""
    _write_listeners.append(listener)


def serialize_writes() -> None:
    """Run moto's writes one at a time.

    moto 5.2.5 handles a cancelled transaction by restoring a copy of every
    table it touched, taken when the transaction began. A write that another
    thread made in between would be lost, so writes take turns. DynamoDB
    itself needs no such lock.
    """
    for name in _WRITE_METHODS:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_serialized", False):
            continue

        def serialized(self, *args, _original=original, **kwargs):
            with _write_lock:
                result = _original(self, *args, **kwargs)
            for listener in _write_listeners:
                listener()
            return result

        serialized._serialized = True
        setattr(DynamoDBBackend, name, serialized)


class _TableStandIn:
    """A stand-in that moto's transaction backup stores in place of a table copy."""

    def __init__(self, table: Table) -> None:
        self.table = table


_backing_up = threading.local()


def _deepcopy_table(self: Table, memo: dict) -> object:
    if getattr(_backing_up, "active", False):
        return _TableStandIn(self)
    duplicate = Table.__new__(Table)
    memo[id(self)] = duplicate
    for name, value in self.__dict__.items():
        setattr(duplicate, name, copy.deepcopy(value, memo))
    return duplicate


def _touched_keys(table: Table, operation: dict) -> tuple:
    key = operation.get("Key") or {
        name: value
        for name, value in operation.get("Item", {}).items()
        if name in (table.hash_key_attr, table.range_key_attr)
    }
    hash_key = DynamoType(key[table.hash_key_attr])
    range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
    return hash_key, range_key


def _restore_item(table: Table, hash_key, range_key, item) -> None:
    if range_key is None:
        if item is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = item
        return
    if item is None:
        table.items[hash_key].pop(range_key, None)
    else:
        table.items[hash_key][range_key] = item


def back_up_transactions_by_item() -> None:
    """Make a cancelled transaction restore the items it touched, not whole tables.

    moto 5.2.5 deep-copies every table a transaction touches, stream records
    included, before it applies the transaction, so each transaction costs time
    and memory in proportion to the table. On the local stack 100 finance
    writes took 62 s and raised the process from 230 MB to 1 GB. Here moto's
    copy gets a stand-in instead, and a cancelled transaction is undone from
    copies of only the touched items and by dropping the stream records it
    added. Writes take turns (``serialize_writes``), so nothing else changes
    those items meanwhile.
    """
    original = DynamoDBBackend.transact_write_items
    if getattr(original, "_backs_up_by_item", False):
        return

    def transact_write_items(self, transact_items, *args, **kwargs):
        with _write_lock:
            backups = []
            stream_lengths = {}
            for entry in transact_items:
                operation = next(iter(entry.values()))
                table = self.tables.get(operation.get("TableName"))
                if table is None:
                    continue
                try:
                    hash_key, range_key = _touched_keys(table, operation)
                except KeyError:
                    continue  # moto rejects the malformed operation itself
                item = table.get_item(hash_key, range_key)
                backups.append((table, hash_key, range_key, copy.deepcopy(item)))
                if table.stream_shard is not None:
                    stream_lengths[table.name] = len(table.stream_shard.items)

            _backing_up.active = True
            try:
                return original(self, transact_items, *args, **kwargs)
            except TransactionCanceledException:
                for name, value in list(self.tables.items()):
                    if isinstance(value, _TableStandIn):
                        self.tables[name] = value.table
                for table, hash_key, range_key, item in reversed(backups):
                    _restore_item(table, hash_key, range_key, item)
                for table, *_rest in backups:
                    if table.name in stream_lengths and table.stream_shard:
                        del table.stream_shard.items[stream_lengths[table.name] :]
                raise
            finally:
                _backing_up.active = False

    transact_write_items._backs_up_by_item = True
    DynamoDBBackend.transact_write_items = transact_write_items
    Table.__deepcopy__ = _deepcopy_table


# The table of the stream reactions' idempotency records (Powertools for AWS
# Lambda); each record is INPROGRESS while its reaction runs.
IDEMPOTENCY_TABLE = "idempotency"

# Stream records whose reactions had not finished when the snapshot was taken,
# by table name, with the digest of that snapshot.
STREAMS_FILE = "dynamodb-streams.json"

# Given a function that returns a table's stream records after a sequence
# number, returns the records each reaction has yet to finish, by table name.
UnprocessedRecords = Callable[[Callable[[str, int | None], list]], dict[str, list]]


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(text)
    temporary.replace(path)


def _base64_binary(value: object) -> str:
    """Encode a binary attribute as DynamoDB JSON does.

    moto 5.2.5's ``Item.to_json`` returns a top-level binary attribute (such
    as a dead letter's compressed record) as the raw bytes it holds.
    """
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot save a value of type {type(value).__name__}")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class EmbeddedDynamoDB:
    """moto's DynamoDB on a loopback port, with the project's tables."""

    def __init__(self, prefix: str, snapshot_path: Path | None = None) -> None:
        self.prefix = prefix
        self.snapshot_path = snapshot_path
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""
        self._snapshot_lock = threading.Lock()
        self._restored_records: dict[str, list[dict]] = {}
        # Fixed when the tables are created, so that editing the template while
        # the stack runs cannot change what is saved.
        self._table_names: list[str] = []

    def start(self) -> str:
        # Werkzeug's handler speaks HTTP/1.0 and closes every connection; with
        # keep-alive each botocore call saves a TCP handshake.
        MotoRequestHandler.protocol_version = "HTTP/1.1"
        serialize_writes()
        back_up_transactions_by_item()
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        os.environ["SHTAB_DYNAMODB_ENDPOINT"] = self.endpoint
        # The same moto server serves S3, where uploaded files are stored.
        os.environ["SHTAB_S3_ENDPOINT"] = self.endpoint
        return self.endpoint

    def stop(self) -> None:
        self._server.stop()

    def client(self):
        return boto3.client("dynamodb", endpoint_url=self.endpoint)

    def create_tables(self) -> None:
        """Create every table, load the snapshot, then turn streams on.

        Streams go on after loading, so restored items do not replay as new
        changes through the reactions.
        """
        client = self.client()
        definitions = table_definitions(self.prefix)
        self._table_names = [d["create"]["TableName"] for d in definitions.values()]
        existing = set(client.list_tables()["TableNames"])
        for definition in definitions.values():
            if definition["create"]["TableName"] not in existing:
                client.create_table(**definition["create"])

        restored = self._restore()
        if restored:
            logger.info("restored %d items from %s", restored, self.snapshot_path)

        for definition in definitions.values():
            name = definition["create"]["TableName"]
            description = client.describe_table(TableName=name)["Table"]
            if definition["stream"] and not description.get("StreamSpecification"):
                client.update_table(
                    TableName=name,
                    StreamSpecification={
                        "StreamEnabled": True,
                        "StreamViewType": definition["stream"]["StreamViewType"],
                    },
                )
            if definition["ttl"]:
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={
                        "AttributeName": definition["ttl"]["AttributeName"],
                        "Enabled": True,
                    },
                )

    def table_names(self) -> list[str]:
        return list(self._table_names)

    def snapshot(self, unprocessed: UnprocessedRecords | None = None) -> int:
        """Write every table's items to the snapshot file; return the item count.

        The items of all tables are copied while writes wait (``_write_lock``),
        so the file contains the store as of one moment: a transaction is in it
        whole or not at all, in every table. ``unprocessed`` returns, at that
        moment, the stream records whose reactions have not finished; they go
        to the streams file beside the snapshot, to be run after a restart.

        The items are read from moto's in-process backend rather than through
        its HTTP API: a Scan over HTTP costs about 1 ms per item in moto's
        response serializer, which made saving a large chat take seconds.
        """
        if self.snapshot_path is None:
            return 0
        with self._snapshot_lock:
            with _write_lock:
                tables = {name: self._items_of(name) for name in self.table_names()}
                records = unprocessed(self.stream_records_after) if unprocessed else {}
            text = json.dumps(tables, ensure_ascii=False, default=_base64_binary)
            _write_atomically(self.snapshot_path, text)
            # The streams file names the snapshot it belongs to. If the process
            # stops between the two replaces, the digests differ and the old
            # streams file is skipped on start.
            _write_atomically(
                self.streams_path,
                json.dumps(
                    {"snapshot_sha256": _digest(text), "records": records},
                    default=_base64_binary,
                ),
            )
            return sum(len(items) for items in tables.values())

    @property
    def streams_path(self) -> Path:
        return self.snapshot_path.with_name(STREAMS_FILE)

    def stream_records_after(self, table_name: str, sequence: int | None) -> list:
        """Return the stream records of a table after ``sequence``, as GetRecords does.

        Called under the write lock, so no record is being added meanwhile.
        """
        table = self._backend().tables.get(table_name)
        if table is None or table.stream_shard is None:
            return []
        shard = table.stream_shard
        # A record's sequence number is its index plus the shard's first number.
        first = 0 if sequence is None else sequence - shard.starting_sequence_number + 1
        records = []
        for stream_record in shard.items[max(first, 0) :]:
            record = copy.deepcopy(stream_record.to_json())
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if hasattr(created, "timestamp"):
                record["dynamodb"]["ApproximateCreationDateTime"] = int(
                    created.timestamp()
                )
            records.append(record)
        return records

    def restored_stream_records(self) -> dict[str, list[dict]]:
        """Return the unprocessed stream records saved with the loaded snapshot."""
        return dict(self._restored_records)

    def _items_of(self, table_name: str) -> list[dict]:
        table = self._backend().tables.get(table_name)
        if table is None:
            return []
        # The wrapped write methods wait for the snapshot. A change made around
        # them would make the iteration fail, and the copy is then taken again.
        for _attempt in range(5):
            try:
                return [item.to_json()["Attributes"] for item in table.all_items()]
            except RuntimeError:
                continue
        raise RuntimeError(f"table {table_name} kept changing while being saved")

    def _backend(self) -> DynamoDBBackend:
        return dynamodb_backends[DEFAULT_ACCOUNT_ID][self._region()]

    @staticmethod
    def _region() -> str:
        return os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")

    def _restore_stream_records(self, snapshot_text: str) -> None:
        """Load the streams file if it belongs to the snapshot that was loaded."""
        if not self.streams_path.exists():
            return
        saved = json.loads(self.streams_path.read_text())
        if saved.get("snapshot_sha256") != _digest(snapshot_text):
            # NOTE: the process stopped between writing the snapshot and this
            # file, so the reactions unfinished at that save do not run again.
            logger.warning(
                "stream records in %s belong to an older snapshot; skipped",
                self.streams_path,
            )
            return
        self._restored_records = {
            name: records for name, records in saved["records"].items() if records
        }
        pending = sum(len(records) for records in self._restored_records.values())
        if pending:
            logger.info("restored %d unprocessed stream records", pending)

    def _restore(self) -> int:
        if self.snapshot_path is None or not self.snapshot_path.exists():
            return 0
        snapshot_text = self.snapshot_path.read_text()
        self._restore_stream_records(snapshot_text)
        tables = json.loads(snapshot_text)
        backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][self._region()]
        count = 0
        known = set(self.table_names())
        for name, items in tables.items():
            if name not in known:
                logger.warning("snapshot has unknown table %s; skipped", name)
                continue
            if name == self.prefix + IDEMPOTENCY_TABLE:
                items = _without_stale_claims(items)
            # Straight into the backend: one HTTP call per 25 items would make
            # a start with a large history take a minute.
            for item in items:
                backend.put_item(name, item)
            count += len(items)
        return count


def _without_stale_claims(items: list[dict]) -> list[dict]:
    """Drop the reactions' in-progress claims, made by the process that stopped.

    A reaction claims a record in the idempotency table before it runs. A
    claim saved mid-run outlives the process, and the record's rerun after the
    start would fail as already in progress until the claim expires, and be
    parked as a dead letter after three attempts.
    """
    kept = [item for item in items if item.get("status", {}).get("S") != "INPROGRESS"]
    if len(kept) != len(items):
        logger.info("dropped %d stale reaction claims", len(items) - len(kept))
    return kept
