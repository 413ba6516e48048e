"""Stream reactions: powertools batch processing with idempotent records.

Each reaction handles one record at a time. A record that raises is reported
back in ``batchItemFailures`` so Lambda (or the local pump) retries it alone,
and powertools idempotency, keyed by the record's ``eventID``, makes a
redelivered record a no-op.
"""

import logging
from collections.abc import Callable
from functools import lru_cache

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from chalicelib.config import get_settings

logger = logging.getLogger(__name__)

# A finished record is remembered for a day; Lambda retries a stream record for
# at most the retention of the stream (24 hours), so that covers every retry.
IDEMPOTENCY_SECONDS = 24 * 60 * 60


@lru_cache(maxsize=1)
def _persistence() -> DynamoDBPersistenceLayer:
    settings = get_settings()
    client = boto3.client(
        "dynamodb",
        region_name=settings.region,
        endpoint_url=settings.dynamodb_endpoint,
    )
    return DynamoDBPersistenceLayer(
        table_name=settings.table_prefix + "idempotency", boto3_client=client
    )


def idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="eventID", expires_after_seconds=IDEMPOTENCY_SECONDS
    )


def stream_reaction(
    name: str,
    handle: Callable[[DynamoDBRecord], None],
    select: Callable[[DynamoDBRecord], bool] | None = None,
):
    """Build a Lambda handler that applies ``handle`` to each stream record once.

    Records for which ``select`` returns False are skipped before the
    idempotency bookkeeping, which saves two writes per uninteresting record.
    """
    config = idempotency_config()

    # Built on first use, so importing the app creates no AWS client.
    @lru_cache(maxsize=1)
    def handle_once_function():
        def handle_once(raw_record: dict) -> dict:
            handle(DynamoDBRecord(raw_record))
            return {"eventID": raw_record.get("eventID")}

        # The idempotency key includes the qualified name; naming it after the
        # reaction keeps two reactions on one stream from sharing keys.
        handle_once.__qualname__ = f"{name}.handle_once"
        return idempotent_function(
            data_keyword_argument="raw_record",
            persistence_store=_persistence(),
            config=config,
        )(handle_once)

    def record_handler(record: DynamoDBRecord) -> None:
        if select is not None and not select(record):
            return
        handle_once_function()(raw_record=record.raw_event)

    def lambda_handler(event: dict, context) -> dict:
        config.register_lambda_context(context)
        processor = BatchProcessor(event_type=EventType.DynamoDBStreams)
        result = process_partial_response(
            event=event,
            record_handler=record_handler,
            processor=processor,
            context=context,
        )
        failures = result.get("batchItemFailures", [])
        if failures:
            logger.warning(
                "reaction %s failed %d of %d records",
                name,
                len(failures),
                len(event.get("Records", [])),
            )
        return result

    lambda_handler.__name__ = name
    return lambda_handler
