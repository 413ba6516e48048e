"""HTML to Markdown, for articles saved from Google Docs, Word or a web page.

The standard library's ``html.parser`` builds a small element tree, which is
then written out as Markdown: headings, paragraphs, bulleted and numbered
lists, tables, quotes, code blocks and links, with bold and italic. Scripts,
styles, forms and images are dropped. Google Docs marks bold and italic only
through generated classes (``.c3{font-weight:700}``), so the classes of the
``<style>`` element are read too, and its nested lists are flat ``<ul>``
elements whose level is in the class name (``lst-kix_…-1``).
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from chalicelib.kb.import_markup import (
    MAX_DEPTH,
    Document,
    ImportRejected,
    Inline,
    code_block,
    heading,
    link_target,
    list_item,
    paragraph,
    plain_text,
    render_inline,
    table,
)

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "param", "source", "track", "wbr",
}  # fmt: skip
DROPPED = {
    "script", "style", "noscript", "template", "title", "iframe",
    "object", "svg", "math", "form", "button", "select", "textarea", "canvas",
}  # fmt: skip
BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table",
    "blockquote", "pre", "hr", "section", "article", "header", "footer", "main",
    "body", "html", "center", "dl", "dt", "dd", "nav", "aside", "figure",
    "figcaption", "address",
}  # fmt: skip
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"^\s*\.([A-Za-z0-9_-]+)\s*$")
_BOLD = re.compile(r"font-weight\s*:\s*(bold|bolder|[6-9]00)\b", re.IGNORECASE)
_NOT_BOLD = re.compile(r"font-weight\s*:\s*(normal|lighter|[1-5]00)\b", re.I)
_ITALIC = re.compile(r"font-style\s*:\s*(italic|oblique)\b", re.IGNORECASE)
_NOT_ITALIC = re.compile(r"font-style\s*:\s*normal\b", re.IGNORECASE)
_GOOGLE_LIST_LEVEL = re.compile(r"\blst-kix_[A-Za-z0-9_]+-(\d+)\b")


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("root", {})
        self.stack = [self.root]
        self.styles: list[str] = []
        self._dropped: str | None = None
        self._style_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self._dropped is not None:
            return
        if tag in DROPPED:
            self._dropped = tag
            return
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].children.append(element)
        if tag in VOID:
            return
        if len(self.stack) > MAX_DEPTH:
            raise ImportRejected(
                f"The HTML nests elements more than {MAX_DEPTH} levels deep; "
                "save the document again from its editor."
            )
        self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self._dropped is None and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if self._dropped is not None:
            if tag == self._dropped:
                if tag == "style":
                    self.styles.append("".join(self._style_text))
                    self._style_text = []
                self._dropped = None
            return
        # Close up to the matching element; an end tag with none open is ignored.
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        if self._dropped == "style":
            self._style_text.append(data)
        elif self._dropped is None:
            self.stack[-1].children.append(data)


@dataclass(frozen=True)
class Emphasis:
    bold: bool = False
    italic: bool = False


class _Converter:
    def __init__(self, styles: list[str]) -> None:
        self.bold_classes: set[str] = set()
        self.italic_classes: set[str] = set()
        self.plain_classes: set[str] = set()
        for css in styles:
            self._read_css(css)
        self.document = Document()

    def _read_css(self, css: str) -> None:
        for selectors, declarations in _CSS_RULE.findall(css):
            for selector in selectors.split(","):
                match = _CLASS_SELECTOR.match(selector)
                if not match:
                    continue
                name = match[1]
                if _BOLD.search(declarations):
                    self.bold_classes.add(name)
                if _ITALIC.search(declarations):
                    self.italic_classes.add(name)
                if _NOT_BOLD.search(declarations) or _NOT_ITALIC.search(declarations):
                    self.plain_classes.add(name)

    def _emphasis(self, element: Element, outer: Emphasis) -> Emphasis:
        bold, italic = outer.bold, outer.italic
        classes = set(element.classes)
        style = element.attrs.get("style", "")
        if element.tag in ("b", "strong") or classes & self.bold_classes:
            bold = True
        elif _BOLD.search(style):
            bold = True
        elif _NOT_BOLD.search(style):
            bold = False
        if element.tag in ("i", "em") or classes & self.italic_classes:
            italic = True
        elif _ITALIC.search(style):
            italic = True
        elif _NOT_ITALIC.search(style):
            italic = False
        return Emphasis(bold, italic)

    # Inline content

    def inline_runs(
        self, nodes: list, emphasis: Emphasis = Emphasis(), href: str | None = None
    ) -> list[Inline]:
        runs: list[Inline] = []
        for node in nodes:
            if isinstance(node, str):
                runs.append(Inline(node, emphasis.bold, emphasis.italic, href))
                continue
            if node.tag == "br":
                runs.append(Inline("", hard_break=True))
            elif node.tag == "a" and href is None:
                target = link_target(node.attrs.get("href"))
                runs.extend(self.inline_runs(node.children, emphasis, target))
            elif node.tag not in VOID:
                inner = self._emphasis(node, emphasis)
                runs.extend(self.inline_runs(node.children, inner, href))
        return self._merge_links(runs)

    @staticmethod
    def _merge_links(runs: list[Inline]) -> list[Inline]:
        """Render each link once around all its runs."""
        merged: list[Inline] = []
        for run in runs:
            previous = merged[-1] if merged else None
            if (
                run.href
                and previous is not None
                and previous.href == run.href
                and not run.hard_break
            ):
                previous.text += run.text
                continue
            merged.append(run)
        return merged

    def text_of(self, nodes: list, *, one_line: bool = False) -> str:
        return render_inline(self.inline_runs(nodes), one_line=one_line)

    # Blocks

    def convert(self, nodes: list, level: int = 0) -> list[str]:
        """Return the Markdown blocks of ``nodes``; inline runs become paragraphs."""
        blocks: list[str] = []
        pending: list = []

        def flush() -> None:
            text = self.text_of(pending)
            pending.clear()
            if text:
                blocks.append(paragraph(text))

        previous_list = False
        for node in nodes:
            if isinstance(node, str) or node.tag not in BLOCKS:
                if isinstance(node, Element) or node.strip():
                    previous_list = False
                pending.append(node)
                continue
            flush()
            converted = self.block(node, level)
            if node.tag in ("ul", "ol") and previous_list and converted:
                # Google Docs writes each nesting level as a list of its own;
                # joined, they stay one Markdown list.
                blocks[-1] += "\n" + converted[0]
            else:
                blocks.extend(converted)
            previous_list = node.tag in ("ul", "ol") and bool(converted)
        flush()
        return blocks

    def block(self, element: Element, level: int) -> list[str]:
        tag = element.tag
        if tag in HEADINGS or "title" in element.classes:
            text = self.text_of(element.children, one_line=True)
            if not text:
                return []
            if self.document.first_heading is None:
                self.document.first_heading = plain_text(text)
            return [heading(HEADINGS.get(tag, 1), text)]
        if tag in ("ul", "ol"):
            return [self.list_block(element, level)]
        if tag == "table":
            return [self.table_block(element)]
        if tag == "pre":
            return [code_block(_raw_text(element))]
        if tag == "hr":
            return ["---"]
        if tag == "blockquote":
            inner = "\n\n".join(self.convert(element.children, level))
            return [
                "\n".join("> " + line if line else ">" for line in inner.split("\n"))
            ]
        return self.convert(element.children, level)

    def list_block(self, element: Element, level: int) -> str:
        match = _GOOGLE_LIST_LEVEL.search(element.attrs.get("class", ""))
        depth = int(match[1]) if match else level
        ordered = element.tag == "ol"
        start = element.attrs.get("start", "1")
        number = int(start) if start.isdigit() and len(start) < 9 else 1
        items = []
        for child in element.children:
            if isinstance(child, str) or child.tag != "li":
                continue
            # A tight list: an item's paragraphs and nested list stay together.
            body = "\n".join(self.convert(child.children, 0))
            marker = f"{number}." if ordered else "-"
            items.append(list_item(marker, body or " ", depth))
            number += 1
        return "\n".join(items)

    def table_block(self, element: Element) -> str:
        rows: list[list[str]] = []
        for row in _descendants(element, "tr"):
            cells = [
                self.text_of(cell.children, one_line=True)
                for cell in row.children
                if isinstance(cell, Element) and cell.tag in ("td", "th")
            ]
            rows.append(cells)
        return table(rows)


def _descendants(element: Element, tag: str) -> list[Element]:
    found = []
    stack = list(reversed(element.children))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            continue
        if node.tag == tag:
            found.append(node)
            continue
        stack.extend(reversed(node.children))
    return found


def _raw_text(element: Element) -> str:
    parts = []
    stack = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
        elif node.tag == "br":
            parts.append("\n")
        else:
            stack.extend(reversed(node.children))
    return "".join(parts)


def html_to_markdown(text: str) -> Document:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    converter = _Converter(builder.styles)
    for block in converter.convert(builder.root.children):
        converter.document.add(block)
    return converter.document
