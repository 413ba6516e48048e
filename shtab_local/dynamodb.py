"""The embedded DynamoDB: moto in server mode, tables from the CloudFormation template.

Tables are created from ``infra/resources.json``, so the local schema is the
deployed one. Data is kept in ``DATA_DIR/dynamodb.json`` between runs.
"""

import json
import logging
import os
import threading
from pathlib import Path

import boto3
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


class EmbeddedDynamoDB:
    """moto's DynamoDB on a loopback port, with the project's tables."""

    def __init__(self, prefix: str, snapshot_path: Path | None = None) -> None:
        self.prefix = prefix
        self.snapshot_path = snapshot_path
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.endpoint = ""
        self._snapshot_lock = threading.Lock()

    def start(self) -> str:
        # Werkzeug's handler speaks HTTP/1.0 and closes every connection; with
        # keep-alive each botocore call saves a TCP handshake.
        MotoRequestHandler.protocol_version = "HTTP/1.1"
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        os.environ["SHTAB_DYNAMODB_ENDPOINT"] = self.endpoint
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
        existing = set(client.list_tables()["TableNames"])
        for definition in definitions.values():
            if definition["create"]["TableName"] not in existing:
                client.create_table(**definition["create"])

        restored = self._restore(client)
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
        return [
            d["create"]["TableName"] for d in table_definitions(self.prefix).values()
        ]

    def snapshot(self) -> int:
        """Write every table's items to the snapshot file; return the item count."""
        if self.snapshot_path is None:
            return 0
        with self._snapshot_lock:
            client = self.client()
            tables = {}
            count = 0
            for name in self.table_names():
                items = []
                # A Scan is right here: the snapshot copies whole tables, off
                # every request path.
                for page in client.get_paginator("scan").paginate(TableName=name):
                    items.extend(page["Items"])
                tables[name] = items
                count += len(items)
            temporary = self.snapshot_path.with_suffix(".tmp")
            temporary.write_text(json.dumps(tables, ensure_ascii=False))
            temporary.replace(self.snapshot_path)
            return count

    def _restore(self, client) -> int:
        if self.snapshot_path is None or not self.snapshot_path.exists():
            return 0
        tables = json.loads(self.snapshot_path.read_text())
        count = 0
        known = set(self.table_names())
        for name, items in tables.items():
            if name not in known:
                logger.warning("snapshot has unknown table %s; skipped", name)
                continue
            for start in range(0, len(items), 25):
                chunk = items[start : start + 25]
                requests = [{"PutRequest": {"Item": item}} for item in chunk]
                client.batch_write_item(RequestItems={name: requests})
                count += len(chunk)
        return count
