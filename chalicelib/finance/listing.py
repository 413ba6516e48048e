"""Request lists: mine, waiting for me, and all that the viewer may see.

Each list is one or more descending Queries of the indexes, merged by request
id (a ULID, so newest first), filtered by status and visibility, and cut at the
page size. The cursor is the last request id of the previous page.
"""

import heapq
from collections.abc import Iterable, Iterator

from chalicelib.finance.models import LISTING, FinanceRequest
from chalicelib.finance.visibility import Viewer, can_see

# Rows read per Query page; a filtered list reads on until the page is full.
QUERY_PAGE_SIZE = 100


def _descending(index, key: str, cursor: str | None) -> Iterator[FinanceRequest]:
    condition = FinanceRequest.request_id < cursor if cursor else None
    return iter(
        index.query(
            key,
            range_key_condition=condition,
            scan_index_forward=False,
            page_size=QUERY_PAGE_SIZE,
        )
    )


def _merged(sources: list[Iterator[FinanceRequest]]) -> Iterator[FinanceRequest]:
    seen: set[str] = set()
    for request in heapq.merge(
        *sources, key=lambda item: item.request_id, reverse=True
    ):
        if request.request_id not in seen:
            seen.add(request.request_id)
            yield request


def sources_for(view: str, viewer: Viewer, cursor: str | None) -> list[Iterator]:
    if view == "mine":
        return [_descending(FinanceRequest.author_index, viewer.user_id, cursor)]
    if view == "to_approve":
        return [
            _descending(FinanceRequest.approver_index, key, cursor)
            for key in viewer.approver_keys
        ]
    if viewer.sees_all:
        return [_descending(FinanceRequest.listing_index, LISTING, cursor)]
    sources = [_descending(FinanceRequest.author_index, viewer.user_id, cursor)]
    sources += [
        _descending(FinanceRequest.author_position_index, position_id, cursor)
        for position_id in sorted(viewer.report_positions)
    ]
    return sources


def visible_requests(
    view: str, viewer: Viewer, status: str | None, cursor: str | None = None
) -> Iterator[FinanceRequest]:
    """Yield the requests of ``view`` that ``viewer`` may see, newest first."""
    for request in _merged(sources_for(view, viewer, cursor)):
        if status is not None and request.status != status:
            continue
        if view == "to_approve" and request.author_id == viewer.user_id:
            continue
        if can_see(request, viewer):
            yield request


def list_page(
    view: str, viewer: Viewer, status: str | None, cursor: str | None, limit: int
) -> tuple[list[FinanceRequest], str | None]:
    rows = _take(visible_requests(view, viewer, status, cursor), limit + 1)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = rows[-1].request_id
    return rows, next_cursor


def _take(items: Iterable[FinanceRequest], count: int) -> list[FinanceRequest]:
    taken = []
    for item in items:
        taken.append(item)
        if len(taken) >= count:
            break
    return taken
