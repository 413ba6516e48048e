"""Word (.docx) to Markdown, read with the standard library's zipfile and XML parser.

A .docx file is a zip of XML parts; ``word/document.xml`` contains the text.
Paragraph styles give headings (looked up by name in ``word/styles.xml``, so
localised style ids such as «Заголовок1» work), numbering gives lists
(``word/numbering.xml`` marks which are numbered), runs give bold and italic,
and hyperlinks get their targets from ``word/_rels/document.xml.rels``.
Links to bookmarks inside the document become plain text. Images, comments,
headers and footers are not imported.

The archive is checked before anything is read: every entry name must be a
plain relative path, and the parts read are capped in size as they are
decompressed, whatever the archive claims (``chalicelib.imports.guards``).
The parts of one file share a budget of bytes and tags, because the parsed
tree takes 9 to 15 times the XML's size. XML with a document type
declaration is rejected, which rules out entity expansion attacks.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from chalicelib.imports.guards import UnsafeFile, check_archive, read_entry
from chalicelib.kb.import_markup import (
    MAX_DEPTH,
    Document,
    ImportRejected,
    Inline,
    heading,
    link_target,
    list_item,
    paragraph,
    plain_text,
    render_inline,
    table,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

DOCUMENT_PART = "word/document.xml"
# Uncompressed XML of all parts read from one file, and the tags in it. NOTE:
# guessed bounds, several times the XML of a document whose Markdown fits the
# 1 MB body limit. At about 90 bytes per parsed element and 9 bytes per byte
# of attributes, the tree stays under 150 MB of the route's 512 MB.
MAX_PART_BYTES = 16 * 1024 * 1024
MAX_XML_TAGS = 1_000_000
MAX_ENTRIES = 2000
_HEADING_NAME = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


@dataclass
class _Budget:
    """The bytes and tags left for the parts of one file still to be read."""

    bytes: int = MAX_PART_BYTES
    tags: int = MAX_XML_TAGS


def _check_names(archive: zipfile.ZipFile) -> None:
    try:
        check_archive(archive, MAX_ENTRIES)
    except UnsafeFile as error:
        raise ImportRejected(
            f"{error.message} A Word document is no such archive; save the "
            "document again from Word."
        ) from None


def _read_part(
    archive: zipfile.ZipFile, name: str, budget: _Budget, required: bool = False
):
    try:
        entry = archive.getinfo(name)
    except KeyError:
        if required:
            raise ImportRejected(
                f"The file has no {name}, so it is no Word document; send a .docx "
                "file saved by Word, Google Docs or LibreOffice."
            ) from None
        return None
    if entry.file_size > budget.bytes:
        raise _too_large(name)
    try:
        data = read_entry(archive, entry, budget.bytes)
    except UnsafeFile as error:
        raise ImportRejected(
            f"{error.message} Save the document again from Word and split it "
            "into several articles if it is large."
        ) from None
    tags = data.count(b"<")
    if tags > budget.tags:
        raise ImportRejected(
            f"{name} has {tags} XML tags; one document may have {MAX_XML_TAGS}. "
            "Split the document into several articles."
        )
    budget.bytes -= len(data)
    budget.tags -= tags
    if _DOCTYPE.search(data):
        raise ImportRejected(
            f"{name} declares a document type, which Word documents do not "
            "contain; the file is rejected to keep entity expansion out. Save "
            "the document again from Word."
        )
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise ImportRejected(
            f"{name} is not valid XML ({error}); save the document again from Word."
        ) from None
    _check_depth(root, name)
    return root


def _too_large(name: str) -> ImportRejected:
    return ImportRejected(
        f"{name} takes the XML of the document over "
        f"{MAX_PART_BYTES // (1024 * 1024)} MB uncompressed; split the document "
        "into several articles."
    )


def _check_depth(root, name: str) -> None:
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ImportRejected(
                f"{name} nests elements more than {MAX_DEPTH} levels deep; save the "
                "document again from Word."
            )
        stack.extend((child, depth + 1) for child in element)


def _on(element) -> bool:
    """Read a toggle property such as ``<w:b/>`` or ``<w:b w:val="0"/>``."""
    if element is None:
        return False
    return element.get(f"{W}val", "true").lower() not in ("0", "false", "off", "none")


class _Converter:
    def __init__(self, archive: zipfile.ZipFile, budget: _Budget) -> None:
        self.document = Document()
        self.headings = self._heading_styles(
            _read_part(archive, "word/styles.xml", budget)
        )
        self.ordered = self._ordered_lists(
            _read_part(archive, "word/numbering.xml", budget)
        )
        self.links = self._relationships(
            _read_part(archive, "word/_rels/document.xml.rels", budget)
        )

    @staticmethod
    def _heading_styles(styles) -> dict[str, int]:
        levels = {"Title": 1}
        if styles is None:
            return levels
        for style in styles.iter(f"{W}style"):
            style_id = style.get(f"{W}styleId")
            name_element = style.find(f"{W}name")
            name = name_element.get(f"{W}val", "") if name_element is not None else ""
            match = _HEADING_NAME.match(name.strip())
            if style_id and match:
                levels[style_id] = int(match[1])
            elif style_id and name.strip().lower() == "title":
                levels[style_id] = 1
        return levels

    @staticmethod
    def _ordered_lists(numbering) -> set[tuple[str, str]]:
        """Return the (numId, level) pairs whose numbers are not bullets."""
        if numbering is None:
            return set()
        abstract_formats: dict[str, dict[str, str]] = {}
        for abstract in numbering.iter(f"{W}abstractNum"):
            formats = {}
            for level in abstract.iter(f"{W}lvl"):
                number_format = level.find(f"{W}numFmt")
                value = (
                    number_format.get(f"{W}val") if number_format is not None else ""
                )
                formats[level.get(f"{W}ilvl", "0")] = value or "bullet"
            abstract_formats[abstract.get(f"{W}abstractNumId", "")] = formats
        ordered = set()
        for number in numbering.iter(f"{W}num"):
            reference = number.find(f"{W}abstractNumId")
            if reference is None:
                continue
            formats = abstract_formats.get(reference.get(f"{W}val", ""), {})
            for level, value in formats.items():
                if value not in ("bullet", "none"):
                    ordered.add((number.get(f"{W}numId", ""), level))
        return ordered

    @staticmethod
    def _relationships(rels) -> dict[str, str]:
        if rels is None:
            return {}
        return {
            item.get("Id", ""): item.get("Target", "")
            for item in rels.iter(f"{PACKAGE_RELS}Relationship")
            if item.get("TargetMode") == "External"
        }

    # Runs

    def runs(self, element, href: str | None = None) -> list[Inline]:
        found: list[Inline] = []
        for child in element:
            if child.tag == f"{W}r":
                found.extend(self._run(child, href))
            elif child.tag == f"{W}hyperlink":
                target = None
                if child.get(f"{R}id"):
                    target = link_target(self.links.get(child.get(f"{R}id")))
                found.extend(self.runs(child, target))
            elif child.tag in (f"{W}ins", f"{W}smartTag", f"{W}sdtContent", f"{W}sdt"):
                found.extend(self.runs(child, href))
            elif child.tag == f"{W}fldSimple":
                found.extend(self.runs(child, href))
        return found

    def _run(self, run, href: str | None) -> list[Inline]:
        properties = run.find(f"{W}rPr")
        bold = italic = False
        if properties is not None:
            bold = _on(properties.find(f"{W}b"))
            italic = _on(properties.find(f"{W}i"))
        found: list[Inline] = []
        for child in run:
            if child.tag == f"{W}t":
                found.append(Inline(child.text or "", bold, italic, href))
            elif child.tag == f"{W}tab":
                found.append(Inline(" ", bold, italic, href))
            elif child.tag in (f"{W}br", f"{W}cr"):
                found.append(Inline("", hard_break=True))
        return found

    # Paragraphs

    def _paragraph_style(self, element) -> tuple[int | None, tuple[str, int] | None]:
        properties = element.find(f"{W}pPr")
        if properties is None:
            return None, None
        style = properties.find(f"{W}pStyle")
        level = (
            self.headings.get(style.get(f"{W}val", "")) if style is not None else None
        )
        numbering = properties.find(f"{W}numPr")
        if numbering is None:
            return level, None
        number = numbering.find(f"{W}numId")
        indent = numbering.find(f"{W}ilvl")
        number_id = number.get(f"{W}val", "0") if number is not None else "0"
        if number_id == "0":
            return level, None
        depth = indent.get(f"{W}val", "0") if indent is not None else "0"
        return level, (number_id, int(depth) if depth.isdigit() else 0)

    def convert(self, body) -> None:
        counters: dict[tuple[str, int], int] = {}
        pending_list: list[str] = []

        def flush_list() -> None:
            if pending_list:
                self.document.add("\n".join(pending_list))
                pending_list.clear()
                counters.clear()

        for element in body:
            if element.tag == f"{W}tbl":
                flush_list()
                self.document.add(self.table(element))
                continue
            if element.tag != f"{W}p":
                continue
            level, numbered = self._paragraph_style(element)
            text = render_inline(self.runs(element), one_line=level is not None)
            if not text:
                continue
            if level is not None:
                flush_list()
                if self.document.first_heading is None:
                    self.document.first_heading = plain_text(text)
                self.document.add(heading(level, text))
            elif numbered is not None:
                number_id, depth = numbered
                key = (number_id, depth)
                counters[key] = counters.get(key, 0) + 1
                marker = (
                    f"{counters[key]}."
                    if (number_id, str(depth)) in self.ordered
                    else "-"
                )
                pending_list.append(list_item(marker, text, min(depth, 8)))
            else:
                flush_list()
                self.document.add(paragraph(text))
        flush_list()

    def table(self, element) -> str:
        rows = []
        for row in element.iter(f"{W}tr"):
            cells = []
            for cell in row.findall(f"{W}tc"):
                texts = [
                    render_inline(self.runs(item), one_line=True)
                    for item in cell.iter(f"{W}p")
                ]
                cells.append(" ".join(text for text in texts if text))
            rows.append(cells)
        return table(rows)


def docx_to_markdown(data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ImportRejected(
            "The file is not a .docx (it is no zip archive); send a file saved by "
            "Word, Google Docs or LibreOffice as .docx."
        ) from None
    with archive:
        _check_names(archive)
        try:
            budget = _Budget()
            root = _read_part(archive, DOCUMENT_PART, budget, required=True)
            converter = _Converter(archive, budget)
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            zlib.error,
            NotImplementedError,
            RuntimeError,
            EOFError,
        ):
            raise ImportRejected(
                "The .docx archive is damaged or encrypted; save it again from Word "
                "without a password."
            ) from None
        body = root.find(f"{W}body")
        if body is None:
            raise ImportRejected(
                f"{DOCUMENT_PART} has no body; save the document again from Word."
            )
        converter.convert(body)
    return converter.document
