"""Search queries: the words a person types, turned into index terms."""

from chalicelib.errors import InvalidInput
from chalicelib.search.terms import terms

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8


def query_terms(query: str | None) -> list[str]:
    if query is None or not query.strip():
        raise InvalidInput(
            "Missing query parameter 'q': send the words to search for.", field="q"
        )
    if len(query) > MAX_QUERY_LENGTH:
        raise InvalidInput(
            f"Invalid field 'q': longer than {MAX_QUERY_LENGTH} characters; "
            "search for fewer words.",
            field="q",
        )
    found = list(dict.fromkeys(terms(query)))
    if not found:
        raise InvalidInput(
            "Invalid field 'q': it has no words to search for (only punctuation "
            "or very common words); add a more specific word.",
            field="q",
        )
    return found[:MAX_QUERY_TERMS]
