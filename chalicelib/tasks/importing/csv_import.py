"""CSV files of tasks, as spreadsheets and other trackers export them.

The text may be UTF-8 with or without a byte order mark, UTF-16 with one, or
Windows-1251 (Excel's default for Russian). The delimiter (comma, semicolon,
tab or vertical bar) is detected from the text. The header is the first of
the first ten rows that names a title column. Columns are proposed for task
fields by name, in Russian or English (see ``mapping.ALIASES``), and the
header tells which tracker wrote the file (``detect_shape``). Quoted fields
may span lines.
"""

import csv
import io

from chalicelib.errors import InvalidInput
from chalicelib.imports.guards import utf16_hint
from chalicelib.tasks.importing.common import Parsed, normalise_name
from chalicelib.tasks.importing.mapping import ALIASES, apply, propose
from chalicelib.tasks.importing.source import SourceRecord, SourceTable

HEADER_SEARCH_ROWS = 10
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
SNIFF_RECORDS = 50


def decode(raw: bytes) -> str:
    """Decode the file as UTF-8, UTF-16 with a BOM, or Windows-1251."""
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8"
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        if encoding != "utf-8":
            raise InvalidInput(
                f"The file starts with a {encoding} byte order mark but is not "
                f"{encoding} text; save it again as UTF-8.",
                field="file",
            ) from None
    try:
        # Windows-1251 leaves only byte 0x98 undefined, so nearly any bytes
        # decode; a file in another encoding shows up as odd titles.
        return raw.decode("cp1251")
    except UnicodeDecodeError:
        raise InvalidInput(
            "The file is neither UTF-8 nor Windows-1251 text; save it as UTF-8 CSV.",
            field="file",
        ) from None


def _records_with(text: str, delimiter: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = []
    try:
        for cells in reader:
            records.append(cells)
            if len(records) > SNIFF_RECORDS:
                break
    except csv.Error:
        return []
    return records


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that splits the first records into the most even rows.

    ``csv.Sniffer`` misreads quoted fields that span lines, so each candidate
    is tried with the standard quoting rules instead. A candidate scores by
    how many records have as many cells as the first, then by that count.
    """
    sample = text[:SNIFF_BYTES]
    if len(text) > SNIFF_BYTES:
        # The last record of a cut sample may be cut too.
        sample = sample.rsplit("\n", 1)[0]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        records = [cells for cells in _records_with(sample, delimiter) if cells]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        score = (sum(1 for cells in records if len(cells) == width), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_records(text: str) -> list[tuple[int, list[str]]]:
    """Return (first line number, cells) for each record, blank records left out."""
    if "\x00" in text:
        raise InvalidInput(
            "The file contains NUL bytes, so it is not a CSV text file."
            f"{utf16_hint(text)} Export it as CSV (UTF-8).",
            field="file",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                records.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInput(
            f"The file is not valid CSV near line {line}: {error}. Check that the "
            "file is a CSV export and that no cell holds more than "
            f"{csv.field_size_limit()} characters, then export it again.",
            field="file",
        ) from None
    return records


def _header(records: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    """Find the header row; return its index in ``records`` and its column names.

    An empty header cell is named by its place, such as "column 3".
    """
    for index, (_line, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = [
            cell.strip() or f"column {number}"
            for number, cell in enumerate(cells, start=1)
        ]
        if "title" in propose(names).values():
            return index, names
    raise InvalidInput(
        "The file has no header row with a title column in its first "
        f"{HEADER_SEARCH_ROWS} rows; name the column of task titles one of: "
        f"{', '.join(ALIASES['title'])}.",
        field="file",
    )


def detect_shape(columns: list[str]) -> str:
    """Name the tracker that wrote the file, from its header."""
    names = {normalise_name(column) for column in columns}
    if {"card name", "list name"} <= names:
        return "trello_csv"
    if "summary" in names and names & {"issue key", "issue id"}:
        return "jira_csv"
    if {"name", "state name"} <= names and names & {"sequence id", "identifier"}:
        return "plane_csv"
    if {"title", "status", "team"} <= names and "id" in names:
        return "linear_csv"
    return "csv"


def parse_csv(raw: bytes) -> Parsed:
    """Read a CSV file with the proposed mapping."""
    table = read_csv(raw)
    return apply(table, table.proposed)


def read_csv(raw: bytes) -> SourceTable:
    records = _read_records(decode(raw))
    if not records:
        raise InvalidInput(
            "The file has no rows; upload a CSV file of tasks.", field="file"
        )
    header_index, header = _header(records)
    columns = list(dict.fromkeys(header))
    table = SourceTable(
        shape=detect_shape(columns),
        columns=columns,
        records=[],
        proposed=propose(columns),
    )
    for line, cells in records[header_index + 1 :]:
        record = SourceRecord(row=f"line {line}")
        for name, cell in zip(header, cells, strict=False):
            if cell.strip():
                record.add(name, cell)
        table.records.append(record)
    return table
