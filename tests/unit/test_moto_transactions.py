"""The embedded DynamoDB undoes a cancelled transaction and keeps its stream going."""

import boto3
import pytest
from botocore.exceptions import ClientError


@pytest.fixture
def client(tables):
    return boto3.client("dynamodb", endpoint_url=tables.endpoint)


def task_item(task_id: str, title: str) -> dict:
    return {
        "pk": {"S": f"TASK#{task_id}"},
        "sk": {"S": "TASK"},
        "title": {"S": title},
    }


def stream_keys(tables, client) -> list[str]:
    table = client.describe_table(TableName=tables.prefix + "tasks")["Table"]
    streams = boto3.client("dynamodbstreams", endpoint_url=tables.endpoint)
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table["LatestStreamArn"],
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return [
        f"{record['eventName']} {record['dynamodb']['Keys']['pk']['S']}"
        for record in records
    ]


def cancel_transaction(tables, client) -> None:
    name = tables.prefix + "tasks"
    with pytest.raises(ClientError) as raised:
        client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": task_item("new", "created")}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": {"pk": {"S": "TASK#kept"}, "sk": {"S": "TASK"}},
                        "UpdateExpression": "SET title = :title",
                        "ExpressionAttributeValues": {":title": {"S": "changed"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": {"pk": {"S": "TASK#missing"}, "sk": {"S": "TASK"}},
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    assert raised.value.response["Error"]["Code"] == "TransactionCanceledException"


def test_cancelled_transaction_changes_nothing(tables, client):
    name = tables.prefix + "tasks"
    client.put_item(TableName=name, Item=task_item("kept", "original"))
    cancel_transaction(tables, client)
    kept = client.get_item(
        TableName=name, Key={"pk": {"S": "TASK#kept"}, "sk": {"S": "TASK"}}
    )
    created = client.get_item(
        TableName=name, Key={"pk": {"S": "TASK#new"}, "sk": {"S": "TASK"}}
    )
    assert kept["Item"]["title"] == {"S": "original"}
    assert "Item" not in created


def test_cancelled_transaction_leaves_no_records(tables, client):
    name = tables.prefix + "tasks"
    client.put_item(TableName=name, Item=task_item("kept", "original"))
    cancel_transaction(tables, client)
    client.put_item(TableName=name, Item=task_item("after", "after"))
    assert stream_keys(tables, client) == ["INSERT TASK#kept", "INSERT TASK#after"]


def test_stream_continues_after_cancel(tables, client):
    name = tables.prefix + "tasks"
    cancel_transaction(tables, client)
    client.transact_write_items(
        TransactItems=[{"Put": {"TableName": name, "Item": task_item("ok", "ok")}}]
    )
    assert stream_keys(tables, client) == ["INSERT TASK#ok"]


def test_open_iterator_sees_writes_after_cancel(tables, client):
    """A reader that opened the stream before a cancel, as the pump does, goes on."""
    name = tables.prefix + "tasks"
    table = client.describe_table(TableName=name)["Table"]
    streams = boto3.client("dynamodbstreams", endpoint_url=tables.endpoint)
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])[
        "StreamDescription"
    ]["Shards"][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table["LatestStreamArn"],
        ShardId=shard["ShardId"],
        ShardIteratorType="LATEST",
    )["ShardIterator"]

    cancel_transaction(tables, client)
    client.put_item(TableName=name, Item=task_item("after", "after"))

    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in records] == [
        "TASK#after"
    ]
