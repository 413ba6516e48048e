"""Read receipts and acknowledgements («Ознакомлен(а)») of announced articles.

Each person has one receipt per article, with the edition they last opened
and the edition they last acknowledged. A significant edit starts a new
edition (see ``articles``), so acknowledgements of the previous one stop
counting without any receipt being rewritten.
"""

import logging

from pynamodb.exceptions import UpdateError

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict
from chalicelib.kb.access import Reader
from chalicelib.kb.models import ANNOUNCED_STATUSES, Article, Receipt, article_pk
from chalicelib.people.models import User

logger = logging.getLogger(__name__)


def receipt_sk(user_id: str) -> str:
    return f"RECEIPT#{user_id}"


def _receipt(article: Article, user_id: str) -> Receipt:
    return Receipt(article_pk(article.article_id), receipt_sk(user_id), user_id=user_id)


def record_read(article: Article, reader: Reader) -> None:
    """Note that the reader opened the current edition; one write per edition."""
    if article.status not in ANNOUNCED_STATUSES or article.edition is None:
        return
    edition = int(article.edition)
    try:
        _receipt(article, reader.user_id).update(
            actions=[
                Receipt.user_id.set(reader.user_id),
                Receipt.read_edition.set(edition),
                Receipt.read_at.set(utc_now()),
            ],
            condition=Receipt.read_edition.does_not_exist()
            | (Receipt.read_edition < edition),
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise


def acknowledge(article: Article, reader: Reader) -> Receipt:
    if article.status not in ANNOUNCED_STATUSES or article.edition is None:
        raise Conflict(
            "This article is a draft; it can be acknowledged once it is published.",
            status=article.status,
        )
    edition = int(article.edition)
    now = utc_now()
    receipt = _receipt(article, reader.user_id)
    try:
        receipt.update(
            actions=[
                Receipt.user_id.set(reader.user_id),
                Receipt.read_edition.set(edition),
                Receipt.read_at.set(now),
                Receipt.confirmed_edition.set(edition),
                Receipt.confirmed_at.set(now),
            ],
            # A second click keeps the time of the first.
            condition=Receipt.confirmed_edition.does_not_exist()
            | (Receipt.confirmed_edition < edition),
        )
        logger.info(
            "kb article acknowledged article_id=%s edition=%d by=%s",
            article.article_id,
            edition,
            reader.user_id,
        )
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
    return Receipt.get(receipt.pk, receipt.sk, consistent_read=True)


def receipt_of(article: Article, user_id: str) -> Receipt | None:
    try:
        return Receipt.get(article_pk(article.article_id), receipt_sk(user_id))
    except Receipt.DoesNotExist:
        return None


def receipt_state(article: Article, receipt: Receipt | None) -> dict:
    edition = int(article.edition) if article.edition is not None else None
    read = bool(receipt and edition and receipt.read_edition == edition)
    confirmed = bool(receipt and edition and receipt.confirmed_edition == edition)
    return {
        "read": read,
        "read_at": iso(receipt.read_at) if read and receipt.read_at else None,
        "confirmed": confirmed,
        "confirmed_at": (
            iso(receipt.confirmed_at) if confirmed and receipt.confirmed_at else None
        ),
    }


def target_people(article: Article) -> list[User]:
    """Return the active holders of the article's target positions."""
    people: dict[str, User] = {}
    for position_id in article.position_ids or []:
        for user in User.position_index.query(position_id):
            if user.is_active:
                people[user.user_id] = user
    return sorted(people.values(), key=lambda user: user.name)


def readers_report(article: Article, reader: Reader) -> dict:
    """Return, for each target person, whether they read and acknowledged it."""
    receipts = {
        receipt.user_id: receipt
        for receipt in Receipt.query(
            article_pk(article.article_id), Receipt.sk.startswith("RECEIPT#")
        )
    }
    people = []
    for user in target_people(article):
        state = receipt_state(article, receipts.get(user.user_id))
        position = reader.positions.get(user.position_id or "")
        people.append(
            {
                "user": {"id": user.user_id, "name": user.name},
                "position": {
                    "id": user.position_id,
                    "name": position.name if position else None,
                },
                **state,
            }
        )
    return {
        "edition": int(article.edition) if article.edition is not None else None,
        "status": article.status,
        "readers": people,
        "total": len(people),
        "read": sum(1 for person in people if person["read"]),
        "confirmed": sum(1 for person in people if person["confirmed"]),
    }
