"""Each request's own chat: a private channel and one thread for its events.

The channel is registered under ``finance:<request_id>`` and the thread's root
message has an id derived from the request, so creating them again finds the
same ones.
"""

import logging

from chalicelib.chat.channels import (
    add_member,
    ensure_channel,
    find_channel_by_key,
    rename_channel,
)
from chalicelib.chat.messages import post_message
from chalicelib.chat.models import SYSTEM_SENDER_ID, Channel
from chalicelib.finance.models import FinanceRequest
from chalicelib.finance.money import display_amount
from chalicelib.ids import stable_id
from chalicelib.notifications.render import render
from chalicelib.notifications.service import SYSTEM_SENDER_NAME

logger = logging.getLogger(__name__)

CHANNEL_KIND = "finance"
MEMBER_SOURCE = "finance"
# Chat channel names are at most 80 characters (chalicelib/chat/schemas.py).
MAX_COUNTERPARTY_IN_NAME = 40


def channel_key(request_id: str) -> str:
    return f"finance:{request_id}"


def request_link(request_id: str) -> str:
    return f"#/finance/requests/{request_id}"


def channel_name(request: FinanceRequest) -> str:
    counterparty = request.counterparty
    if len(counterparty) > MAX_COUNTERPARTY_IN_NAME:
        counterparty = counterparty[: MAX_COUNTERPARTY_IN_NAME - 1] + "…"
    amount = display_amount(int(request.amount_minor), request.currency, "ru")
    return f"Заявка на оплату · {counterparty} · {amount}"


def root_message_id(request: FinanceRequest) -> str:
    return stable_id(request.created_at, request.request_id, "finance-request-root")


def find_thread(request_id: str) -> dict | None:
    """Return the request's channel and root message ids, once they exist."""
    channel = find_channel_by_key(channel_key(request_id))
    if channel is None:
        return None
    request = FinanceRequest.get(f"REQUEST#{request_id}", "REQUEST")
    return {"channel_id": channel.channel_id, "thread_id": root_message_id(request)}


def ensure_thread(request: FinanceRequest, root_text: str) -> tuple[Channel, str]:
    """Return the request's channel and the id of its root message, making both once."""
    channel = ensure_channel(
        channel_key(request.request_id),
        name=channel_name(request),
        kind=CHANNEL_KIND,
        created_by=request.author_id,
    )
    # The amount or counterparty may have changed before a resubmission.
    rename_channel(channel, channel_name(request))
    root_id = root_message_id(request)
    posted = post_message(
        channel,
        sender_id=SYSTEM_SENDER_ID,
        sender_name=SYSTEM_SENDER_NAME,
        text=root_text,
        kind="system",
        link=request_link(request.request_id),
        message_id=root_id,
        created_at=request.submitted_at or request.created_at,
    )
    if posted is not None:
        logger.info(
            "finance thread started request_id=%s channel_id=%s",
            request.request_id,
            channel.channel_id,
        )
    return channel, root_id


def join(channel: Channel, user_ids: list[str]) -> None:
    for user_id in dict.fromkeys(user_ids):
        add_member(channel.channel_id, user_id, source=MEMBER_SOURCE)


def root_text(request: FinanceRequest, locale: str | None, category_name: str) -> str:
    return render(
        "finance_request",
        locale,
        request=request,
        amount=display_amount(int(request.amount_minor), request.currency, locale),
        category_name=category_name,
    )
