"""The kb stream reaction: indexing, edition announcements and closing assignments."""

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.kb.announcements import announce
from chalicelib.kb.assignments import complete_on_publish
from chalicelib.kb.indexing import update_indexes
from chalicelib.kb.models import ARTICLE_SK
from chalicelib.streams.records import read_change


def is_article_record(record: DynamoDBRecord) -> bool:
    """Select article items; the index items this reaction writes are skipped."""
    keys = record.dynamodb.keys if record.dynamodb else {}
    return keys.get("sk") == ARTICLE_SK


def handle_kb_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    # The index first: a notification links to an article that search and
    # the link list already show as of this revision.
    update_indexes(change)
    announce(change)
    # Last: a record retried after this step fails repeats the others harmlessly.
    complete_on_publish(change)
