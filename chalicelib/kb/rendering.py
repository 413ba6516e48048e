"""Article Markdown to safe HTML, with links to articles, @mentions and images.

Besides CommonMark with tables and strikethrough, a body may contain:

- ``[text](article:<article_id>)``: a link to another article; with empty
  text, the link shows the article's title;
- ``[@Name](user:<user_id>)`` and ``[@Отдел](department:<department_id>)``:
  mentions, shown with the person's or department's current name;
- ``![alt](image:<article_id>/<image_id>)``: an image uploaded to an article.

A link to an article the reader may not open renders as its plain text, the
same as a link to an article that does not exist, so a body reveals nothing
about articles its reader cannot see. Raw HTML in Markdown is not parsed but
shown as text, and the rendered HTML then goes through nh3 (the ammonia
sanitiser) with a list of allowed tags, attributes and URL schemes, so no
script, event handler attribute, style or javascript: URL reaches the page.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

ARTICLE_SCHEME = "article:"
USER_SCHEME = "user:"
DEPARTMENT_SCHEME = "department:"
IMAGE_SCHEME = "image:"

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "img", "li", "ol", "p", "pre", "s", "span", "strong", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Ids are ULIDs or short keys; anything else in a link is no reference, and
# would make an invalid DynamoDB key.
_REFERENCE_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")


def article_href(article_id: str) -> str:
    return f"#/kb/articles/{article_id}"


def user_href(user_id: str) -> str:
    return f"#/people/{user_id}"


def department_href(department_id: str) -> str:
    return f"#/org/departments/{department_id}"


@dataclass
class References:
    """The ids a body refers to, collected before they are resolved at once."""

    article_ids: set[str] = field(default_factory=set)
    user_ids: set[str] = field(default_factory=set)
    department_ids: set[str] = field(default_factory=set)
    images: set[tuple[str, str]] = field(default_factory=set)


@dataclass
class Resolved:
    """What the reader may see of each reference: titles, names and image URLs.

    An id missing from a map renders as plain text (or, for an image, as its
    alt text).
    """

    article_titles: dict[str, str] = field(default_factory=dict)
    user_names: dict[str, str] = field(default_factory=dict)
    department_names: dict[str, str] = field(default_factory=dict)
    image_urls: dict[tuple[str, str], str] = field(default_factory=dict)


@dataclass
class Rendered:
    html: str
    links: list[dict]
    mentions: list[dict]


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # "html": False shows raw HTML as text instead of passing it through.
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def _inline_tokens(tokens: list[Token]):
    for token in tokens:
        if token.children:
            yield token


def _image_reference(src: str) -> tuple[str, str] | None:
    article_id, _, image_id = src.removeprefix(IMAGE_SCHEME).partition("/")
    if not _REFERENCE_ID.match(article_id) or not _REFERENCE_ID.match(image_id):
        return None
    return article_id, image_id


def collect_references(tokens: list[Token]) -> References:
    references = References()
    for inline in _inline_tokens(tokens):
        for token in inline.children:
            if token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                scheme, _, target = href.partition(":")
                if not _REFERENCE_ID.match(target):
                    continue
                if scheme + ":" == ARTICLE_SCHEME:
                    references.article_ids.add(target)
                elif scheme + ":" == USER_SCHEME:
                    references.user_ids.add(target)
                elif scheme + ":" == DEPARTMENT_SCHEME:
                    references.department_ids.add(target)
            elif token.type == "image":
                src = str(token.attrs.get("src", ""))
                if src.startswith(IMAGE_SCHEME):
                    reference = _image_reference(src)
                    if reference is not None:
                        references.images.add(reference)
    return references


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _resolve_link(href: str, resolved: Resolved) -> tuple[str | None, str, str]:
    """Return the href for a link (None for plain text), its kind and its label."""
    for scheme, kind, names, to_href, prefix in (
        (ARTICLE_SCHEME, "article", resolved.article_titles, article_href, ""),
        (USER_SCHEME, "user", resolved.user_names, user_href, "@"),
        (
            DEPARTMENT_SCHEME,
            "department",
            resolved.department_names,
            department_href,
            "@",
        ),
    ):
        if href.startswith(scheme):
            target = href.removeprefix(scheme)
            if target in names:
                return to_href(target), kind, prefix + names[target]
            return None, kind, ""
    return href, "external", ""


def _rewrite(tokens: list[Token], resolved: Resolved) -> tuple[list, list]:
    """Point special links and images at their targets; return links and mentions."""
    links: dict[str, dict] = {}
    mentions: dict[tuple[str, str], dict] = {}
    for inline in _inline_tokens(tokens):
        children = inline.children
        index = 0
        while index < len(children):
            token = children[index]
            if token.type == "image":
                _rewrite_image(token, resolved)
            elif token.type == "link_open":
                href = str(token.attrs.get("href", ""))
                target_href, kind, label = _resolve_link(href, resolved)
                closing = _matching_close(children, index)
                if target_href is None:
                    token.tag = "span"
                    token.attrs = {}
                    children[closing].tag = "span"
                else:
                    token.attrs["href"] = target_href
                    if closing == index + 1 and label:
                        children.insert(index + 1, _text_token(label))
                    target = href.split(":", 1)[-1]
                    if kind == "article":
                        title = resolved.article_titles[target]
                        links[target] = {"id": target, "title": title}
                    elif kind in ("user", "department"):
                        mentions[(kind, target)] = {
                            "kind": kind,
                            "id": target,
                            "name": label.removeprefix("@"),
                        }
            index += 1
    return list(links.values()), list(mentions.values())


def _matching_close(children: list[Token], start: int) -> int:
    depth = 0
    for index in range(start, len(children)):
        if children[index].type == "link_open":
            depth += 1
        elif children[index].type == "link_close":
            depth -= 1
            if depth == 0:
                return index
    return start


def _rewrite_image(token: Token, resolved: Resolved) -> None:
    src = str(token.attrs.get("src", ""))
    if not src.startswith(IMAGE_SCHEME):
        return
    reference = _image_reference(src)
    url = resolved.image_urls.get(reference) if reference else None
    if url is None:
        # An image the reader cannot see shows as its alt text.
        token.type = "text"
        token.tag = ""
        token.attrs = {}
        token.content = token.content or ""
        token.children = None
        return
    token.attrs["src"] = url


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=ALLOWED_URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
    )


def render(body: str, resolve: Callable[[References], Resolved]) -> Rendered:
    """Render ``body``; ``resolve`` says what the reader may see of its references."""
    parser = _parser()
    tokens = parser.parse(body)
    resolved = resolve(collect_references(tokens))
    links, mentions = _rewrite(tokens, resolved)
    html = parser.renderer.render(tokens, parser.options, {})
    return Rendered(html=sanitize(html), links=links, mentions=mentions)


def referenced_article_ids(body: str) -> set[str]:
    """Return the ids of the articles ``body`` links to, for the link index."""
    return collect_references(_parser().parse(body)).article_ids
