"""The chat stream step that starts an import job when it is queued."""

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.imports.jobs import run_job


def is_job_insert(record: DynamoDBRecord) -> bool:
    image = record.dynamodb.raw_event.get("NewImage") or {}
    is_job = image.get("item_type", {}).get("S") == "import_job"
    return is_job and record.event_name.name == "INSERT"


def handle_job_record(record: DynamoDBRecord) -> None:
    image = record.dynamodb.raw_event["NewImage"]
    run_job(image["job_id"]["S"])
