"""The finance stream reaction: post each request's events in its own chat thread.

It reads the history entries that transitions append. For each notified event
it makes sure the request's channel and thread exist, adds the author and the
approvers of the next step as members, and posts one reply per recipient in the
recipient's language:

- submitted: to the approvers of the first step
- approved at a step: to the author and the approvers of the next step
- fully approved, rejected (with the reason), returned (with the reason) and
  paid: to the author

Nobody is told of their own action. Each reply's id is derived from the entry
and the recipient, so a redelivered record posts nothing twice.
"""

import logging

from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
)
from pynamodb.exceptions import DoesNotExist

from chalicelib.chat.messages import post_message
from chalicelib.chat.models import SYSTEM_SENDER_ID
from chalicelib.finance import thread
from chalicelib.finance.models import (
    CATEGORY_PARTITION,
    OWNER_APPROVER_KEY,
    Category,
    FinanceRequest,
    HistoryEntry,
    request_pk,
)
from chalicelib.finance.money import display_amount
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.notifications.service import SYSTEM_SENDER_NAME
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.streams.records import read_change

logger = logging.getLogger(__name__)

NOTIFIED_ACTIONS = ("submitted", "approved", "rejected", "returned", "paid")


def is_history_insert(record: DynamoDBRecord) -> bool:
    """Select new history entries, the only records this reaction acts on."""
    keys = record.dynamodb.keys if record.dynamodb else {}
    return (
        record.event_name is not None
        and record.event_name.name == "INSERT"
        and str(keys.get("sk", "")).startswith("HISTORY#")
    )


def handle_finance_record(record: DynamoDBRecord) -> None:
    change = read_change(record)
    if change.event_name != "INSERT" or change.item_type != "history":
        return
    entry = HistoryEntry.from_raw_data(change.new_raw)
    if entry.action not in NOTIFIED_ACTIONS:
        return
    try:
        request = FinanceRequest.get(request_pk(entry.request_id), "REQUEST")
    except DoesNotExist:
        logger.warning("history of a missing request_id=%s", entry.request_id)
        return
    org = OrgSnapshot()
    author = find_user(request.author_id)
    category = category_of(request.category_id)

    author_locale = author.locale if author else None
    channel, root_id = thread.ensure_thread(
        request,
        thread.root_text(
            request, author_locale, localized_category_name(category, author_locale)
        ),
    )
    next_approvers = _approvers(entry.next_approver_key, org)
    members = [request.author_id, *(user.user_id for user in next_approvers)]
    if entry.action in ("approved", "rejected", "returned"):
        members.append(entry.actor_id)
    thread.join(channel, members)

    for recipient, template in _recipients(entry, author, next_approvers):
        if recipient.user_id == entry.actor_id or not recipient.is_active:
            continue
        text = render(
            template,
            recipient.locale,
            recipient_name=recipient.name,
            actor_name=entry.actor_name,
            request=request,
            amount=display_amount(
                int(request.amount_minor), request.currency, recipient.locale
            ),
            paid_amount=(
                display_amount(
                    int(entry.amount_minor), request.currency, recipient.locale
                )
                if entry.amount_minor is not None
                else None
            ),
            remaining=display_amount(
                int(request.amount_minor) - int(entry.paid_total_minor or 0),
                request.currency,
                recipient.locale,
            ),
            fully_paid=entry.to_status == "paid",
            reason=entry.reason,
            comment=entry.comment,
            step=step_view(request, entry.step_index),
            next_step=step_view(request, entry.next_step_index),
            category_name=localized_category_name(category, recipient.locale),
        )
        message = post_message(
            channel,
            sender_id=SYSTEM_SENDER_ID,
            sender_name=SYSTEM_SENDER_NAME,
            text=text,
            thread_id=root_id,
            kind="notification",
            link=thread.request_link(request.request_id),
            recipient_id=recipient.user_id,
            message_id=stable_id(
                entry.created_at,
                entry.request_id,
                str(entry.version),
                recipient.user_id,
                template,
            ),
            created_at=entry.created_at,
        )
        if message is None:
            logger.info(
                "finance notification already posted request_id=%s version=%s "
                "user_id=%s",
                entry.request_id,
                entry.version,
                recipient.user_id,
            )
        else:
            logger.info(
                "finance notification posted request_id=%s version=%s template=%s "
                "user_id=%s",
                entry.request_id,
                entry.version,
                template,
                recipient.user_id,
            )


def _recipients(
    entry: HistoryEntry, author: User | None, next_approvers: list[User]
) -> list[tuple[User, str]]:
    to_author: str | None = None
    to_approvers = False
    if entry.action == "submitted":
        to_approvers = entry.to_status == "on_approval"
    elif entry.action == "approved":
        if entry.to_status == "approved":
            to_author = "finance_approved"
        else:
            to_author, to_approvers = "finance_step_approved", True
    elif entry.action in ("rejected", "returned", "paid"):
        to_author = f"finance_{entry.action}"

    recipients = []
    if to_author and author is not None:
        recipients.append((author, to_author))
    if to_approvers:
        recipients += [(user, "finance_awaiting") for user in next_approvers]
    return recipients


def _approvers(key: str | None, org: OrgSnapshot) -> list[User]:
    if key is None:
        return []
    if key == OWNER_APPROVER_KEY:
        return [org.owner] if org.owner is not None else []
    return org.holders(key)


def step_view(request: FinanceRequest, index: int | None) -> dict | None:
    if index is None or int(index) >= len(request.steps or []):
        return None
    step = request.steps[int(index)]
    return {
        "number": int(index) + 1,
        "count": len(request.steps),
        "position_name": step.position_name,
        "is_owner": step.kind == "owner",
    }


def category_of(category_id: str) -> Category | None:
    try:
        return Category.get(CATEGORY_PARTITION, category_id)
    except DoesNotExist:
        return None


def localized_category_name(category: Category | None, locale: str | None) -> str:
    if category is None:
        return "—"
    if locale == "en" and category.name_en:
        return category.name_en
    return category.name
