"""Tell a new holder of a position about the requests waiting for that position.

A request's pending step names a position, and its approver is the person in
that position when the step is acted on (see
``transitions.require_current_approver``). This reaction on the users stream
only makes the handover visible. When someone is hired into a position, moved
into it or reactivated in it, one notification lists the requests waiting
there. A single summary keeps a handover of dozens of requests to one message
and a few reads.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.finance.models import FinanceRequest
from chalicelib.finance.money import display_amount
from chalicelib.notifications.service import notify
from chalicelib.people.models import ACTIVE
from chalicelib.people.service import find_user
from chalicelib.streams.records import Change, read_change

logger = logging.getLogger(__name__)

# Requests named in the message; the rest are counted.
LISTED_REQUESTS = 10
TO_APPROVE_LINK = "#/finance/to-approve"


def _became_holder(change: Change) -> bool:
    if change.event_name == "INSERT":
        return True
    if change.old.get("status") != ACTIVE:
        return True
    return change.changed("position_id")


def handle_user_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name == "REMOVE" or not change.new:
        return
    position_id = change.new.get("position_id")
    if change.new.get("status") != ACTIVE or not position_id:
        return
    if not _became_holder(change):
        return
    holder = find_user(change.new["user_id"])
    # A replayed old record must not speak for a position held no longer.
    if holder is None or holder.position_id != position_id:
        return

    waiting = [
        request
        for request in FinanceRequest.approver_index.query(
            position_id, scan_index_forward=False
        )
        if request.status == "on_approval" and request.author_id != holder.user_id
    ]
    if not waiting:
        return

    # The message id comes from the stream event, so a replayed record posts
    # nothing new.
    notify(
        holder.user_id,
        "finance_handover",
        event_id=change.event_id,
        happened_at=change.happened_at,
        link=TO_APPROVE_LINK,
        recipient_name=holder.name,
        count=len(waiting),
        requests=[
            {
                "counterparty": request.counterparty,
                "author_name": request.author_name,
                "amount": display_amount(
                    int(request.amount_minor), request.currency, holder.locale
                ),
            }
            for request in waiting[:LISTED_REQUESTS]
        ],
        more=max(0, len(waiting) - LISTED_REQUESTS),
    )
    logger.info(
        "finance handover user_id=%s position_id=%s waiting=%d",
        holder.user_id,
        position_id,
        len(waiting),
    )
