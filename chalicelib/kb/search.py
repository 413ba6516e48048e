"""Full-text search over article titles and bodies, through the term index.

A query's words become terms as article text does (see ``terms``), and an
article matches when it has every term. Each term is one Query of its index
partition, so search never scans the table. Matches the reader may not read
are dropped before ranking and counting. The score adds each term's count in
the body and a bonus for a term in the title.
"""

from chalicelib.errors import InvalidInput
from chalicelib.kb import present
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import get_article, readable_headers
from chalicelib.kb.bodies import read_body
from chalicelib.kb.models import Term, term_pk
from chalicelib.kb.terms import stem, terms, words

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 8
TITLE_BONUS = 10
SNIPPET_CHARACTERS = 240


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


def _postings(term: str) -> dict[str, Term]:
    return {entry.sk: entry for entry in Term.query(term_pk(term))}


def _snippet(body: str, query: list[str]) -> str:
    """Return the text around the first word of the body that matches the query."""
    wanted = set(query)
    lowered = body.lower().replace("ё", "е")
    for word in words(body):
        if stem(word) in wanted:
            position = lowered.find(word)
            if position >= 0:
                start = max(0, position - SNIPPET_CHARACTERS // 3)
                text = " ".join(body[start : start + SNIPPET_CHARACTERS].split())
                return ("…" if start > 0 else "") + text + "…"
    return " ".join(body[:SNIPPET_CHARACTERS].split())


def search(reader: Reader, query: str | None, limit: int) -> dict:
    wanted = query_terms(query)
    matches: dict[str, float] | None = None
    for term in sorted(wanted, key=len, reverse=True):
        postings = _postings(term)
        scores = {
            article_id: int(entry.count or 0) + (TITLE_BONUS if entry.in_title else 0)
            for article_id, entry in postings.items()
        }
        if matches is None:
            matches = scores
        else:
            matches = {
                article_id: matches[article_id] + score
                for article_id, score in scores.items()
                if article_id in matches
            }
        if not matches:
            break
    matches = matches or {}

    readable = readable_headers(reader, matches)
    ranked = sorted(
        readable.values(),
        key=lambda article: (-matches[article.article_id], article.title),
    )
    page = ranked[:limit]
    results = present.headers_json(page, reader)
    for result in results:
        result["score"] = matches[result["id"]]
        body = read_body(get_article(result["id"]))
        result["snippet"] = _snippet(body, wanted)
    return {"query": query, "terms": wanted, "total": len(ranked), "results": results}
