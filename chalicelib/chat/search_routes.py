"""The chat search route: GET /api/chat/search."""

from datetime import date

from chalice import Blueprint

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat.search import SearchFilters, search_messages
from chalicelib.errors import InvalidInput
from chalicelib.web import (
    MAX_PATH_ID_LENGTH,
    caller_of,
    cursor_param,
    limit_param,
    query_param,
)

search_routes = Blueprint(__name__)


def _id_param(request, name: str) -> str | None:
    value = query_param(request, name)
    if value is None:
        return None
    if not value or len(value) > MAX_PATH_ID_LENGTH or not value.isascii():
        raise InvalidInput(
            f"Invalid query parameter '{name}': use an id from the API.", field=name
        )
    return value


def _date_param(request, name: str) -> date | None:
    value = query_param(request, name)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"Invalid query parameter '{name}': {value[:40]!r} is not a date; "
            "use YYYY-MM-DD.",
            field=name,
        ) from None


@search_routes.route("/search", methods=["GET"], authorizer=bearer_authorizer)
def search():
    request = search_routes.current_request
    caller = caller_of(request)
    filters = SearchFilters(
        channel_id=_id_param(request, "channel_id"),
        author_id=_id_param(request, "author_id"),
        date_from=_date_param(request, "from"),
        date_to=_date_param(request, "to"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise InvalidInput(
            "Invalid query parameter 'to': it is before 'from'; swap the dates.",
            field="to",
        )
    return search_messages(
        caller.user_id,
        query_param(request, "q"),
        filters,
        limit=limit_param(request, default=20, maximum=100),
        cursor=cursor_param(request, "cursor"),
    )
