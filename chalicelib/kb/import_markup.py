"""Shared pieces of the article importers: errors, limits and Markdown output.

Each importer turns a file into a ``Document``: blocks of Markdown and the
text of the first heading. The blocks are built from ``Inline`` runs, which
carry bold and italic, so HTML and docx come out the same way.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from chalicelib.errors import InvalidInput

# Nesting deeper than this is rejected as hostile: the Google Docs exports in
# tests/fixtures/kb nest under 10 levels. It also bounds the recursion below.
MAX_DEPTH = 100
# Blocks per file, counted while converting, so a huge file stops before the
# 1 MB body check needs the whole result.
MAX_BLOCKS = 50_000
LINK_SCHEMES = ("http", "https", "mailto", "tel")

_SPACES = re.compile(r"\s+")
_ESCAPED = re.compile(r"([\\`*_\[\]<>|])")
_BLOCK_START = re.compile(r"^([#>+-]|=+$|\d{1,9}[.)])")


class ImportRejected(InvalidInput):
    """A file that cannot be imported; nothing is written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="file")


@dataclass
class Inline:
    """A run of text with its emphasis, or a link around runs."""

    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None
    hard_break: bool = False


@dataclass
class Document:
    blocks: list[str] = field(default_factory=list)
    first_heading: str | None = None
    # A Markdown file's text, kept exactly as it came.
    text: str | None = None

    def add(self, block: str) -> None:
        if not block.strip():
            return
        if len(self.blocks) >= MAX_BLOCKS:
            raise ImportRejected(
                f"The file has more than {MAX_BLOCKS} paragraphs; split it into "
                "several articles."
            )
        self.blocks.append(block)

    def markdown(self) -> str:
        if self.text is not None:
            return self.text
        return "\n\n".join(self.blocks) + "\n" if self.blocks else ""


def escape(text: str) -> str:
    return _ESCAPED.sub(r"\\\1", text)


def link_target(href: str | None) -> str | None:
    """Return a link's target for Markdown, or None to keep only its text.

    A link inside the document (``#h.…`` headings and ``#id.…`` bookmarks of
    Google Docs, Word bookmarks) becomes plain text, because rendered articles
    carry no heading ids to jump to. Google Docs wraps outside links as
    ``https://www.google.com/url?q=<target>``, which is unwrapped.
    """
    if not href:
        return None
    href = href.strip()
    if href.startswith("#"):
        return None
    parts = urlsplit(href)
    if parts.scheme.lower() not in LINK_SCHEMES:
        return None
    if parts.netloc in ("www.google.com", "google.com") and parts.path == "/url":
        target = parse_qs(parts.query).get("q", [None])[0]
        return link_target(target) if target else None
    return href.replace(" ", "%20").replace(")", "%29").replace("(", "%28")


def _wrap(text: str, marker: str) -> str:
    """Put ``marker`` around the text, keeping outer spaces outside it."""
    stripped = text.strip()
    if not stripped:
        return text
    leading = text[: len(text) - len(text.lstrip())]
    trailing = text[len(text.rstrip()) :]
    return f"{leading}{marker}{stripped}{marker}{trailing}"


def render_inline(runs: list[Inline], *, one_line: bool = False) -> str:
    """Join runs into Markdown text, collapsing whitespace as HTML does."""
    pieces: list[str] = []
    for run in runs:
        if run.hard_break:
            pieces.append(" " if one_line else "\\\n")
            continue
        text = escape(_SPACES.sub(" ", run.text))
        if run.bold and run.italic:
            text = _wrap(text, "***")
        elif run.bold:
            text = _wrap(text, "**")
        elif run.italic:
            text = _wrap(text, "*")
        if run.href:
            text = f"[{text.strip()}]({run.href})" if text.strip() else ""
        pieces.append(text)
    joined = _SPACES.sub(" ", "".join(pieces).replace("\\\n", "\x00"))
    lines = [line.strip() for line in joined.split("\x00")]
    text = "\\\n".join(line for line in lines if line)
    return text


def paragraph(text: str) -> str:
    """Escape a paragraph's first character where Markdown would read a block."""
    if _BLOCK_START.match(text):
        return "\\" + text
    return text


def heading(level: int, text: str) -> str:
    return "#" * max(1, min(level, 6)) + " " + text.replace("\\\n", " ")


def plain_text(markdown_text: str) -> str:
    """Undo the escaping of inline Markdown, for a title."""
    text = markdown_text.replace("\\\n", " ")
    text = re.sub(r"(?<!\\)\*+", "", text)
    text = re.sub(r"\\(.)", r"\1", text)
    return _SPACES.sub(" ", text).strip()


def list_item(marker: str, body: str, level: int) -> str:
    indent = " " * (4 * level)
    lines = body.split("\n")
    first = f"{indent}{marker} {lines[0]}"
    rest = [f"{indent}{' ' * (len(marker) + 1)}{line}" for line in lines[1:]]
    return "\n".join([first, *rest])


def table(rows: list[list[str]]) -> str:
    """Build a GFM table; the first row is the header, short rows are padded."""
    rows = [row for row in rows if row]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    padded = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(padded[0]) + " |", "|" + " --- |" * width]
    lines += ["| " + " | ".join(row) + " |" for row in padded[1:]]
    return "\n".join(lines)


def code_block(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip(chr(10))}\n{fence}"
