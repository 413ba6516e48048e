"""Full-text search over article titles and bodies, through the term index.

A query's words become terms as article text does (see ``terms``), and an
article matches when it has every term. Each term is one Query of its index
partition, so search never scans the table. Matches the reader may not read
are dropped before ranking and counting. The score adds each term's count in
the body and a bonus for a term in the title.
"""

from chalicelib.kb import present
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import get_article, readable_headers
from chalicelib.kb.bodies import read_body
from chalicelib.kb.models import Term, term_pk
from chalicelib.search.query import query_terms
from chalicelib.search.terms import stem, words

TITLE_BONUS = 10
SNIPPET_CHARACTERS = 240


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
