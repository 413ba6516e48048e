"""Stream reactions: powertools batch processing with idempotent records.

Each reaction handles one record at a time. A record that raises is reported
back in ``batchItemFailures`` so Lambda (or the local pump) retries it alone,
and powertools idempotency, keyed by the record's ``eventID``, makes a
redelivered record a no-op. Each failure is counted in the deadletters table;
on its last attempt the record is parked there and reported as handled, so
the records behind it go on (dead_letters.py).
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
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
)

from chalicelib.config import get_settings
from chalicelib.streams import dead_letters

logger = logging.getLogger(__name__)

# A finished record is remembered for a day; Lambda retries a stream record for
# at most the retention of the stream (24 hours), so that covers every retry.
IDEMPOTENCY_SECONDS = 24 * 60 * 60

# Each reaction's idempotent record step and its idempotency config, by
# reaction name, for replaying a parked record through the same code and the
# same idempotency key.
_REPLAYABLE: dict[str, tuple[Callable[[], Callable], IdempotencyConfig]] = {}


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
        try:
            handle_once_function()(raw_record=record.raw_event)
        except Exception as error:
            # If counting fails too, this raises and the record is retried.
            failure = dead_letters.record_failure(name, record.raw_event, error)
            if not failure.parked:
                raise
            # Parked: reported as handled, so the shard moves past it.

    _REPLAYABLE[name] = (handle_once_function, config)

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


class UnknownReaction(LookupError):
    """A dead letter names a reaction this app no longer has."""


class RecordInProgress(RuntimeError):
    """Another call is handling the same record for the same reaction now."""


def reaction_names() -> list[str]:
    return sorted(_REPLAYABLE)


def replay_record(name: str, raw_record: dict, context=None) -> None:
    """Run reaction ``name`` on one stored record, as its batch would have.

    The record goes through the reaction's idempotency step, so a record
    that was handled meanwhile is not handled twice. ``context`` is the
    calling Lambda's context: with it, a replay cut short by the caller's
    timeout leaves an in-progress record that expires with that timeout
    instead of after a day. Raises what the reaction raises.
    """
    if name not in _REPLAYABLE:
        raise UnknownReaction(name)
    handle_once, config = _REPLAYABLE[name]
    if context is not None:
        config.register_lambda_context(context)
    try:
        handle_once()(raw_record=raw_record)
    except IdempotencyAlreadyInProgressError:
        raise RecordInProgress(name) from None
