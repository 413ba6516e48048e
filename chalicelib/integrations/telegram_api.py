"""A small client of the Telegram Bot API that keeps the bot token out of logs.

Every method is a POST of a JSON object to ``<base>/bot<token>/<method>``, and
Telegram returns ``{"ok": true, "result": ...}`` or ``{"ok": false,
"error_code": ..., "description": ..., "parameters": {"retry_after": ...}}``
(https://core.telegram.org/bots/api#making-requests).

The token is part of every URL, so no error raised here carries the URL or a
requests exception (whose text contains the URL), and a filter on urllib3's
logger redacts the token from its debug lines.
"""

import logging
import os
import re
from dataclasses import dataclass

import requests

logger = logging.getLogger(__name__)

API_URL_VARIABLE = "SHTAB_TELEGRAM_API_URL"
DEFAULT_API_URL = "https://api.telegram.org"
# Seconds to connect and to read the response; a Lambda has 60 seconds.
TIMEOUT = (3.05, 10)

# A bot token is "<bot id>:<secret>", such as 123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11
# in the Bot API documentation.
BOT_TOKEN = re.compile(r"^[0-9]{5,20}:[A-Za-z0-9_-]{30,100}$")
_TOKEN_IN_PATH = re.compile(r"/bot[0-9]+:[A-Za-z0-9_-]+")


class TelegramError(Exception):
    """Telegram returned ``ok: false``; the message is Telegram's description."""

    def __init__(
        self, method: str, status: int, description: str, retry_after: int | None
    ):
        super().__init__(f"Telegram {method} failed with {status}: {description}")
        self.method = method
        self.status = status
        self.description = description
        self.retry_after = retry_after


class TelegramUnavailable(Exception):
    """Telegram could not be reached or returned something other than its JSON."""


@dataclass(frozen=True)
class BotInfo:
    bot_id: int
    username: str


def api_url() -> str:
    """Return the Bot API base URL; tests point it at a loopback fake."""
    return (os.environ.get(API_URL_VARIABLE) or DEFAULT_API_URL).rstrip("/")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub("/bot<redacted>", text)


def mask_token(token: str) -> str:
    """Return a hint that distinguishes tokens without revealing one."""
    return f"…{token[-4:]}"


class _RedactBotToken(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/bot" in message:
            record.msg = redact(message)
            record.args = ()
        return True


# urllib3 logs each request line, with the URL path, at DEBUG level.
logging.getLogger("urllib3.connectionpool").addFilter(_RedactBotToken())


def call(token: str, method: str, payload: dict | None = None) -> object:
    """Call ``method`` with ``payload`` and return Telegram's ``result``.

    Raises TelegramError when Telegram refuses the call and TelegramUnavailable
    when it cannot be reached. Neither message contains the token.
    """
    url = f"{api_url()}/bot{token}/{method}"
    try:
        response = requests.post(url, json=payload or {}, timeout=TIMEOUT)
    except requests.Timeout:
        raise TelegramUnavailable(f"Telegram {method} timed out") from None
    except requests.RequestException as error:
        # The exception's text contains the URL, so only its type is kept.
        raise TelegramUnavailable(
            f"Telegram {method} failed: {type(error).__name__}"
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "ok" not in body:
        raise TelegramUnavailable(
            f"Telegram {method} returned HTTP {response.status_code} without a "
            "Bot API answer"
        )
    if body["ok"]:
        return body.get("result")
    parameters = body.get("parameters") or {}
    retry_after = parameters.get("retry_after")
    raise TelegramError(
        method,
        int(body.get("error_code") or response.status_code),
        redact(str(body.get("description") or "no description")),
        int(retry_after) if isinstance(retry_after, int) else None,
    )


def get_me(token: str) -> BotInfo:
    result = call(token, "getMe")
    if not isinstance(result, dict) or not result.get("username"):
        raise TelegramUnavailable("Telegram getMe returned no bot username")
    return BotInfo(bot_id=int(result["id"]), username=str(result["username"]))


def set_webhook(token: str, url: str, secret_token: str) -> None:
    call(
        token,
        "setWebhook",
        {
            "url": url,
            "secret_token": secret_token,
            # The bridge reads only messages: the /start command.
            "allowed_updates": ["message"],
        },
    )


def delete_webhook(token: str) -> None:
    call(token, "deleteWebhook", {"drop_pending_updates": True})


def send_message(token: str, chat_id: int, html_text: str) -> None:
    call(
        token,
        "sendMessage",
        {
            "chat_id": chat_id,
            "text": html_text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": True},
        },
    )
