"""The Telegram bridge: the company's bot and the people linked to it.

Items in the integrations table:
- bot:       pk ``TELEGRAM``, sk ``BOT``; the one bot an admin configured
- link:      pk ``TELEGRAM#USER#<user_id>``, sk ``LINK``; the person's chat
- link code: pk ``TELEGRAM#CODE#<sha256 of the code>``, sk ``CODE``; a one-time
  code valid for LINK_CODE_SECONDS. Once used or expired it stays a day longer,
  until the table's ``expires_at`` TTL removes it

A person links their account by opening ``https://t.me/<bot>?start=<code>``:
Telegram then sends the bot ``/start <code>``, which reaches
``handle_update`` through the webhook that ``configure_bot`` sets.
"""

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from pynamodb.attributes import (
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import DeleteError, DoesNotExist, UpdateError
from pynamodb.models import Model

from chalicelib import clock
from chalicelib.clock import iso
from chalicelib.errors import (
    ApiError,
    Conflict,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from chalicelib.integrations import telegram_api
from chalicelib.integrations.telegram_api import TelegramError, TelegramUnavailable
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.storage.base import table_meta
from chalicelib.web import parse

logger = logging.getLogger(__name__)

BOT_PK = "TELEGRAM"
LINK_PREFIX = "TELEGRAM#USER#"
CODE_PREFIX = "TELEGRAM#CODE#"
LINK_CODE_SECONDS = 15 * 60
# A used or expired code stays this long, so a second try gets "already used"
# or "expired" rather than "unknown code".
CODE_RETENTION_SECONDS = 24 * 60 * 60
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# token_urlsafe(24) gives 32 characters of A-Z, a-z, 0-9, "-" and "_", the
# alphabet a deep link's start parameter allows (at most 64 characters).
CODE_BYTES = 24
CODE_LENGTH = 32


class TelegramBadGateway(ApiError):
    status = 502
    code = "telegram_unavailable"


class TelegramBot(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True, default=BOT_PK)
    sk = UnicodeAttribute(range_key=True, default="BOT")
    item_type = UnicodeAttribute(default="telegram_bot")
    # NOTE: the token is stored in plain text because every Bot API call needs
    # it. The table is encrypted at rest, and the API never returns it.
    bot_token = UnicodeAttribute()
    bot_id = NumberAttribute()
    bot_username = UnicodeAttribute()
    # Telegram sends this in X-Telegram-Bot-Api-Secret-Token with each update.
    webhook_secret = UnicodeAttribute()
    webhook_url = UnicodeAttribute()
    # Telegram's description when setWebhook failed, such as for a plain-http
    # local URL; linking then needs another way to receive updates.
    webhook_error = UnicodeAttribute(null=True)
    # The web app's address, for the links back from a notification.
    site_url = UnicodeAttribute()
    configured_by = UnicodeAttribute()
    configured_at = UTCDateTimeAttribute()


class TelegramLink(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="LINK")
    item_type = UnicodeAttribute(default="telegram_link")
    user_id = UnicodeAttribute()
    # The bot that the chat started; a link to an earlier bot receives nothing.
    bot_id = NumberAttribute()
    chat_id = NumberAttribute()
    telegram_name = UnicodeAttribute(null=True)
    linked_at = UTCDateTimeAttribute()


class TelegramLinkCode(Model):
    Meta = table_meta("integrations")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="CODE")
    item_type = UnicodeAttribute(default="telegram_link_code")
    user_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    valid_until = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()


def link_pk(user_id: str) -> str:
    return f"{LINK_PREFIX}{user_id}"


def code_pk(code: str) -> str:
    return CODE_PREFIX + hashlib.sha256(code.encode("ascii")).hexdigest()


# The bot


def find_bot() -> TelegramBot | None:
    try:
        return TelegramBot.get(BOT_PK, "BOT")
    except DoesNotExist:
        return None


def require_bot() -> TelegramBot:
    bot = find_bot()
    if bot is None:
        raise Conflict(
            "No Telegram bot is configured; an admin saves the bot token with "
            "PUT /api/integrations/telegram first."
        )
    return bot


def _check_token(token: str) -> telegram_api.BotInfo:
    try:
        return telegram_api.get_me(token)
    except TelegramError as error:
        if error.status in (401, 404):
            raise InvalidInput(
                "Invalid field 'bot_token': Telegram rejected this token; copy the "
                "token @BotFather gave for the bot.",
                field="bot_token",
            ) from None
        logger.warning("telegram getMe failed status=%s", error.status)
        raise TelegramBadGateway(f"{error}; try again later.") from None
    except TelegramUnavailable as error:
        logger.warning("telegram getMe failed: %s", error)
        raise TelegramBadGateway(f"{error}; try again later.") from None


def configure_bot(
    token: str, webhook_url: str, site_url: str, user_id: str
) -> TelegramBot:
    """Check ``token`` with getMe, point the bot's webhook here and save it.

    A setWebhook that Telegram refuses is stored as ``webhook_error`` rather
    than raised, because a local stack on plain http cannot have a webhook.
    """
    info = _check_token(token)
    previous = find_bot()
    if previous is not None and previous.bot_token != token:
        _drop_webhook(previous)

    secret = secrets.token_urlsafe(32)
    webhook_error = None
    try:
        telegram_api.set_webhook(token, webhook_url, secret)
    except (TelegramError, TelegramUnavailable) as error:
        webhook_error = str(error)
        logger.warning("telegram setWebhook failed: %s", webhook_error)

    bot = TelegramBot(
        bot_token=token,
        bot_id=info.bot_id,
        bot_username=info.username,
        webhook_secret=secret,
        webhook_url=webhook_url,
        webhook_error=webhook_error,
        site_url=site_url,
        configured_by=user_id,
        configured_at=clock.utc_now(),
    )
    bot.save()
    logger.info("telegram bot configured bot=%s by user_id=%s", info.username, user_id)
    return bot


def _drop_webhook(bot: TelegramBot) -> None:
    try:
        telegram_api.delete_webhook(bot.bot_token)
    except (TelegramError, TelegramUnavailable) as error:
        # The bot keeps posting updates to a URL that now rejects them, which
        # does no harm; the admin can revoke the token in @BotFather.
        logger.warning(
            "telegram deleteWebhook failed bot=%s: %s", bot.bot_username, error
        )


def remove_bot(user_id: str) -> None:
    bot = find_bot()
    if bot is None:
        raise NotFound("No Telegram bot is configured.")
    _drop_webhook(bot)
    bot.delete()
    logger.info("telegram bot removed bot=%s by user_id=%s", bot.bot_username, user_id)


def bot_json(bot: TelegramBot | None) -> dict:
    if bot is None:
        return {"configured": False}
    return {
        "configured": True,
        "bot_username": bot.bot_username,
        "token_hint": telegram_api.mask_token(bot.bot_token),
        "webhook": {
            "url": bot.webhook_url,
            "active": bot.webhook_error is None,
            "error": bot.webhook_error,
        },
        "site_url": bot.site_url,
        "configured_by": bot.configured_by,
        "configured_at": iso(bot.configured_at),
    }


# Links


def find_link(user_id: str) -> TelegramLink | None:
    try:
        return TelegramLink.get(link_pk(user_id), "LINK")
    except DoesNotExist:
        return None


def active_link(user_id: str, bot: TelegramBot) -> TelegramLink | None:
    link = find_link(user_id)
    if link is None or int(link.bot_id) != int(bot.bot_id):
        return None
    return link


@dataclass(frozen=True)
class LinkCode:
    code: str
    deep_link: str
    valid_until: datetime


def create_link_code(user_id: str) -> LinkCode:
    bot = require_bot()
    now = clock.utc_now()
    code = secrets.token_urlsafe(CODE_BYTES)
    valid_until = now + timedelta(seconds=LINK_CODE_SECONDS)
    TelegramLinkCode(
        code_pk(code),
        user_id=user_id,
        created_at=now,
        valid_until=valid_until,
        expires_at=valid_until + timedelta(seconds=CODE_RETENTION_SECONDS),
    ).save(condition=TelegramLinkCode.pk.does_not_exist())
    return LinkCode(
        code=code,
        deep_link=f"https://t.me/{bot.bot_username}?start={code}",
        valid_until=valid_until,
    )


def unlink(user_id: str, chat_id: int | None = None) -> bool:
    """Delete the person's link; with ``chat_id``, only a link to that chat.

    Returns False if there was no such link.
    """
    condition = TelegramLink.pk.exists()
    if chat_id is not None:
        condition &= TelegramLink.chat_id == chat_id
    try:
        TelegramLink(link_pk(user_id)).delete(condition=condition)
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def link_json(user_id: str) -> dict:
    bot = find_bot()
    link = active_link(user_id, bot) if bot is not None else None
    state = {
        "bot_configured": bot is not None,
        "bot_username": bot.bot_username if bot else None,
        "linked": link is not None,
    }
    if link is not None:
        state["telegram_name"] = link.telegram_name
        state["linked_at"] = iso(link.linked_at)
    return state


def _use_code(code: str, now: datetime) -> tuple[str, TelegramLinkCode | None]:
    """Mark ``code`` used; return the outcome and the code item."""
    if len(code) != CODE_LENGTH or not code.replace("-", "").replace("_", "").isalnum():
        return "unknown_code", None
    try:
        item = TelegramLinkCode.get(code_pk(code), "CODE")
    except DoesNotExist:
        return "unknown_code", None
    if item.used_at is not None:
        return "used_code", item
    if item.valid_until <= now:
        return "expired_code", item
    try:
        item.update(
            actions=[TelegramLinkCode.used_at.set(now)],
            condition=TelegramLinkCode.used_at.does_not_exist(),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return "used_code", item
    return "linked", item


# Updates from Telegram


class TelegramChat(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    type: str


class TelegramUser(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: int
    first_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class TelegramMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    chat: TelegramChat
    sender: Annotated[TelegramUser | None, Field(alias="from")] = None
    text: str | None = None


class TelegramUpdate(BaseModel):
    # Telegram adds fields to updates over time; unknown ones are ignored.
    model_config = ConfigDict(extra="ignore")

    update_id: int
    message: TelegramMessage | None = None


REPLIES = {
    "ru": {
        "linked": "Готово, {name}: уведомления Штаба теперь приходят сюда. "
        "Отвязать Telegram можно в Штабе.",
        "unknown_code": "Код не подошёл. Откройте Штаб и получите новую ссылку "
        "для Telegram.",
        "used_code": "Эта ссылка уже использована. Если нужно привязать Telegram "
        "заново, получите в Штабе новую ссылку.",
        "expired_code": "Срок действия ссылки истёк (15 минут). Получите в Штабе "
        "новую ссылку.",
        "no_code": "Чтобы получать уведомления Штаба, откройте Штаб и нажмите "
        "«Привязать Telegram»: бот получит ссылку с кодом.",
        "not_private": "Привязать Telegram можно только в личном чате с ботом.",
    },
    "en": {
        "linked": "Done, {name}: Shtab notifications now arrive here. You can "
        "unlink Telegram in Shtab.",
        "unknown_code": "This code is not valid. Open Shtab and get a new "
        "Telegram link.",
        "used_code": "This link has already been used. To link Telegram again, "
        "get a new link in Shtab.",
        "expired_code": "This link has expired (after 15 minutes). Get a new "
        "link in Shtab.",
        "no_code": "To get Shtab notifications, open Shtab and choose "
        "“Link Telegram”: it gives you a link with a code.",
        "not_private": "Telegram can be linked only in a private chat with the bot.",
    },
}


def reply_locale(user: User | None, sender: TelegramUser | None) -> str:
    """Use the person's Shtab locale, else their Telegram app's language."""
    if user is not None and user.locale in REPLIES:
        return user.locale
    language = (sender.language_code or "") if sender else ""
    return "en" if language and not language.startswith("ru") else "ru"


def check_secret(bot: TelegramBot | None, headers: dict) -> TelegramBot:
    if bot is None:
        raise NotFound("No Telegram bot is configured.")
    given = {name.lower(): value for name, value in headers.items()}.get(
        SECRET_HEADER.lower(), ""
    )
    if not hmac.compare_digest(given.encode(), bot.webhook_secret.encode()):
        raise Unauthenticated(
            f"Invalid {SECRET_HEADER} header: it must be the secret_token that "
            "Shtab set with setWebhook."
        )
    return bot


def _start_payload(text: str | None, bot: TelegramBot) -> str | None:
    """Return the text after /start (empty if none), or None for other messages."""
    if not text:
        return None
    parts = text.strip().split(maxsplit=1)
    command = parts[0]
    if command not in ("/start", f"/start@{bot.bot_username}"):
        return None
    return parts[1].strip() if len(parts) == 2 else ""


def handle_update(bot: TelegramBot, data: dict) -> dict:
    """Complete a link from ``/start <code>``; return the webhook's response.

    Call ``check_secret`` first. Telegram runs a Bot API method given in the
    webhook's response, which here sends the reply to the chat without a call
    of our own.
    """
    update = parse(TelegramUpdate, data)
    message = update.message
    if message is None:
        return {}
    payload = _start_payload(message.text, bot)
    if payload is None:
        return {}

    outcome, user = _link_outcome(bot, message, payload)
    locale = reply_locale(user, message.sender)
    name = (message.sender.first_name if message.sender else None) or (
        user.name if user else ""
    )
    return {
        "method": "sendMessage",
        "chat_id": message.chat.id,
        "text": REPLIES[locale][outcome].format(name=name),
    }


def _link_outcome(
    bot: TelegramBot, message: TelegramMessage, code: str
) -> tuple[str, User | None]:
    if message.chat.type != "private":
        return "not_private", None
    if not code:
        return "no_code", None
    outcome, item = _use_code(code, clock.utc_now())
    user = find_user(item.user_id) if item is not None else None
    if outcome == "used_code" and user is not None:
        # Telegram resends an update whose webhook call failed; the chat that
        # used the code gets the same reply again.
        link = active_link(user.user_id, bot)
        if link is not None and int(link.chat_id) == message.chat.id:
            return "linked", user
    if outcome != "linked":
        logger.info(
            "telegram link rejected outcome=%s chat_id=%s", outcome, message.chat.id
        )
        return outcome, user
    if user is None or not user.is_active:
        return "unknown_code", None

    sender = message.sender
    telegram_name = None
    if sender is not None:
        telegram_name = f"@{sender.username}" if sender.username else sender.first_name
    TelegramLink(
        link_pk(user.user_id),
        user_id=user.user_id,
        bot_id=bot.bot_id,
        chat_id=message.chat.id,
        telegram_name=telegram_name,
        linked_at=clock.utc_now(),
    ).save()
    logger.info("telegram linked user_id=%s chat_id=%s", user.user_id, message.chat.id)
    return "linked", user
