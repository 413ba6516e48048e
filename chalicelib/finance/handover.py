"""Tell a new holder of a position about the requests waiting for that position.

A request's pending step names a position, so whoever holds it now approves
(see ``transitions.require_current_approver``). This reaction on the users
stream only makes the handover visible: when someone is hired into a position,
moved into it or reactivated in it, each request waiting there gets a reply in
its thread asking them to approve.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)

from chalicelib.chat.messages import post_message
from chalicelib.chat.models import SYSTEM_SENDER_ID
from chalicelib.finance import thread
from chalicelib.finance.models import FinanceRequest
from chalicelib.finance.money import display_amount
from chalicelib.finance.reactions import (
    category_of,
    localized_category_name,
    step_view,
)
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.notifications.service import SYSTEM_SENDER_NAME
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.streams.records import Change, read_change

logger = logging.getLogger(__name__)

ACTIVE = "active"


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

    for request in FinanceRequest.approver_index.query(position_id):
        if request.status != "on_approval" or request.author_id == holder.user_id:
            continue
        _notify(request, holder, change)


def _notify(request: FinanceRequest, holder: User, change: Change) -> None:
    author = find_user(request.author_id)
    author_locale = author.locale if author else None
    category = category_of(request.category_id)
    channel, root_id = thread.ensure_thread(
        request,
        thread.root_text(
            request, author_locale, localized_category_name(category, author_locale)
        ),
    )
    thread.join(channel, [holder.user_id])
    text = render(
        "finance_awaiting",
        holder.locale,
        recipient_name=holder.name,
        request=request,
        amount=display_amount(
            int(request.amount_minor), request.currency, holder.locale
        ),
        next_step=step_view(request, request.current_step),
    )
    # Keyed by the holder and the request's version, so a replayed record, or a
    # move away and back before the request changes, posts only once.
    message = post_message(
        channel,
        sender_id=SYSTEM_SENDER_ID,
        sender_name=SYSTEM_SENDER_NAME,
        text=text,
        thread_id=root_id,
        kind="notification",
        link=thread.request_link(request.request_id),
        message_id=stable_id(
            request.updated_at,
            request.request_id,
            str(request.version),
            holder.user_id,
            "handover",
        ),
        created_at=change.happened_at,
    )
    logger.info(
        "finance handover %s request_id=%s user_id=%s",
        "posted" if message is not None else "already posted",
        request.request_id,
        holder.user_id,
    )
