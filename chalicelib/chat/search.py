"""Full-text search over the messages a person may read.

A query's words become terms as message text does, and a message matches when
it has every term. The search reads one term's partition newest first, keeps
the postings in channels the person belongs to (and the requested channel,
author and dates), checks the other terms with one BatchGetItem per page, and
then fetches the matching messages. Membership is read at query time, so a
person removed from a channel stops finding its messages at once.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ulid import ULID

from chalicelib.chat import channels
from chalicelib.chat.messages import message_json
from chalicelib.chat.models import Message, message_sk
from chalicelib.chat.search_index import MessageTerm, term_pk
from chalicelib.errors import Forbidden
from chalicelib.search.query import query_terms
from chalicelib.search.terms import stem, words
from chalicelib.tasks.due import company_time_zone

# Postings read per page of results. A rare match among many readable
# messages may need several pages; the cursor carries on where this one ended.
MAX_POSTINGS_PER_PAGE = 2_000
QUERY_PAGE_SIZE = 200


@dataclass(frozen=True)
class SearchFilters:
    channel_id: str | None = None
    author_id: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _ulid_bound(moment: datetime, *, upper: bool) -> str:
    milliseconds = int(moment.timestamp() * 1000)
    randomness = b"\xff" * 10 if upper else b"\x00" * 10
    return str(ULID.from_bytes(milliseconds.to_bytes(6, "big") + randomness))


def _key_range(filters: SearchFilters) -> tuple[str, str]:
    """Return the sort-key range of the dates, whole days in the company zone."""
    zone = company_time_zone()
    start = datetime.combine(filters.date_from or date(1970, 1, 2), time(), zone)
    end_day = (filters.date_to or date(9999, 1, 1)) + timedelta(days=1)
    end = datetime.combine(min(end_day, date(9999, 1, 1)), time(), zone)
    return _ulid_bound(start, upper=False), _ulid_bound(end, upper=False)


def _readable_channels(user_id: str, filters: SearchFilters) -> set[str]:
    member_of = {row.channel_id for row in channels.memberships_of(user_id)}
    if filters.channel_id is None:
        return member_of
    if filters.channel_id not in member_of:
        raise Forbidden(
            f"You are not a member of channel {filters.channel_id}, so you cannot "
            "search it. Leave out channel_id to search your channels.",
            field="channel_id",
        )
    return {filters.channel_id}


def _has_terms(message_ids: list[str], extra_terms: list[str]) -> set[str]:
    """Return the ids among ``message_ids`` whose messages have every extra term."""
    matching = set(message_ids)
    for term in extra_terms:
        if not matching:
            break
        keys = [(term_pk(term), message_id) for message_id in matching]
        found = {item.sk for item in MessageTerm.batch_get(keys)}
        matching &= found
    return matching


def highlights(text: str, query: list[str]) -> list[str]:
    """Return the words of ``text`` that match a query term, for highlighting."""
    wanted = set(query)
    return sorted({word for word in words(text) if stem(word) in wanted})


def search_messages(
    user_id: str,
    query: str | None,
    filters: SearchFilters,
    *,
    limit: int,
    cursor: str | None = None,
) -> dict:
    query_list = query_terms(query)
    readable = _readable_channels(user_id, filters)
    # The longest term is likely the rarest, so its partition is read.
    pivot = max(query_list, key=len)
    others = [term for term in query_list if term != pivot]
    low, high = _key_range(filters)
    if cursor is not None:
        high = min(high, cursor)
    postings = MessageTerm.query(
        term_pk(pivot),
        MessageTerm.sk.between(low, high),
        scan_index_forward=False,
        page_size=QUERY_PAGE_SIZE,
    )

    hits: list[MessageTerm] = []
    candidates: list[MessageTerm] = []
    read = 0
    last_read = None
    exhausted = True
    for posting in postings:
        # The cursor is the last posting of the previous page: skip it.
        if posting.sk == cursor:
            continue
        read += 1
        last_read = posting.sk
        in_scope = posting.channel_id in readable and (
            filters.author_id is None or posting.sender_id == filters.author_id
        )
        if in_scope:
            candidates.append(posting)
        if len(candidates) >= QUERY_PAGE_SIZE:
            hits.extend(_confirm(candidates, others))
            candidates = []
            if len(hits) >= limit:
                exhausted = False
                break
        if read >= MAX_POSTINGS_PER_PAGE:
            exhausted = False
            break
    hits.extend(_confirm(candidates, others))

    # Hits keep the partition's newest-first order, so a page is a prefix.
    if len(hits) > limit:
        next_cursor = hits[limit - 1].sk
    elif not exhausted:
        next_cursor = last_read
    else:
        next_cursor = None
    return {
        "results": _results(hits[:limit], query_list),
        "next_cursor": next_cursor,
        "terms": query_list,
    }


def _confirm(batch: list[MessageTerm], others: list[str]) -> list[MessageTerm]:
    if not batch or not others:
        return batch
    matching = _has_terms([posting.sk for posting in batch], others)
    return [posting for posting in batch if posting.sk in matching]


def _results(page: list[MessageTerm], query_list: list[str]) -> list[dict]:
    keys = [(posting.message_pk, message_sk(posting.sk)) for posting in page]
    found = {item.message_id: item for item in Message.batch_get(keys)} if keys else {}
    results = []
    for posting in page:
        message = found.get(posting.sk)
        # An index entry can outlive its message by one stream delivery.
        if message is None or getattr(message, "deleted_at", None):
            continue
        body = message_json(message)
        body["highlights"] = highlights(message.text, query_list)
        results.append(body)
    return results
