"""A plain view of one DynamoDB stream record."""

from dataclasses import dataclass
from datetime import UTC, datetime

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)


@dataclass(frozen=True)
class Change:
    event_id: str
    event_name: str  # INSERT, MODIFY or REMOVE
    new: dict
    old: dict
    happened_at: datetime
    # The new image in DynamoDB JSON, for ``Model.from_raw_data``.
    new_raw: dict

    @property
    def item_type(self) -> str | None:
        return (self.new or self.old).get("item_type")

    def changed(self, field: str) -> bool:
        return self.new.get(field) != self.old.get(field)


def read_change(record: DynamoDBRecord) -> Change:
    stream = record.dynamodb
    seconds = stream.approximate_creation_date_time if stream else None
    happened_at = (
        datetime.fromtimestamp(int(seconds), UTC) if seconds else datetime.now(UTC)
    )
    return Change(
        event_id=record.event_id or "",
        event_name=record.event_name.name if record.event_name else "",
        new=stream.new_image if stream else {},
        old=stream.old_image if stream else {},
        happened_at=happened_at,
        new_raw=(stream.raw_event.get("NewImage") or {}) if stream else {},
    )
