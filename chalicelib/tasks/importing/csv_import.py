"""CSV files of tasks, as spreadsheets and other trackers export them.

The text may be UTF-8 with or without a byte order mark, UTF-16 with one, or
Windows-1251 (Excel's default for Russian). The delimiter (comma, semicolon,
tab or vertical bar) is detected from the text. The header is the first of
the first ten rows that names a title column, and columns are mapped by name,
in Russian or English (see COLUMNS). Quoted fields may span lines.
"""

import csv
import io
import json

from chalicelib.errors import InvalidInput
from chalicelib.tasks.importing.common import (
    ImportedRow,
    Parsed,
    Skipped,
    normalise_due,
    normalise_name,
)

# Column names by the field they fill, compared after lower-casing and
# replacing punctuation with spaces.
COLUMNS = {
    "title": (
        "title",
        "name",
        "task",
        "summary",
        "subject",
        "card name",
        "название",
        "задача",
        "заголовок",
        "наименование",
    ),
    "description": (
        "description",
        "desc",
        "details",
        "notes",
        "body",
        "описание",
        "подробности",
    ),
    "status": (
        "status",
        "state",
        "state name",
        "list",
        "list name",
        "column",
        "статус",
        "состояние",
        "список",
        "колонка",
    ),
    "due": (
        "due",
        "due date",
        "deadline",
        "target date",
        "срок",
        "дедлайн",
        "срок выполнения",
    ),
    "assignee": (
        "assignee email",
        "assignee",
        "assignees",
        "email",
        "owner",
        "responsible",
        "исполнитель",
        "ответственный",
        "email исполнителя",
    ),
    "tags": ("tags", "tag", "labels", "label", "теги", "метки"),
    "priority": ("priority", "приоритет"),
    "archived": ("archived at", "archived", "архив"),
    "draft": ("is draft", "draft", "черновик"),
}
HEADER_SEARCH_ROWS = 10
DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
SNIFF_RECORDS = 50

_PRIORITY_WORDS = (
    ("urgent", ("urgent", "critical", "срочн", "критич")),
    ("high", ("high", "высок")),
    ("low", ("low", "низк")),
    ("normal", ("medium", "normal", "none", "средн", "обычн")),
)


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
            "The file contains NUL bytes, so it is not a CSV text file; export it "
            "as CSV (UTF-8).",
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
            f"The file is not valid CSV near line {line}: {error}.", field="file"
        ) from None
    return records


def _header(records: list[tuple[int, list[str]]]) -> tuple[int, dict[str, int]]:
    """Find the header row; return its index in ``records`` and the column map."""
    for index, (_line, cells) in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = [normalise_name(cell) for cell in cells]
        columns: dict[str, int] = {}
        for field_name, aliases in COLUMNS.items():
            for alias in aliases:
                if alias in names:
                    columns[field_name] = names.index(alias)
                    break
        if "title" in columns:
            return index, columns
    raise InvalidInput(
        "The file has no header row with a title column in its first "
        f"{HEADER_SEARCH_ROWS} rows; name the column of task titles one of: "
        f"{', '.join(COLUMNS['title'])}.",
        field="file",
    )


def _list_cell(value: str) -> list[str]:
    """Read a cell holding several values: a JSON list, or text split by , or ;."""
    value = value.strip()
    if not value:
        return []
    if value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            items = None
        if isinstance(items, list):
            return [str(item).strip() for item in items if str(item).strip()]
    separator = ";" if ";" in value else ","
    return [part.strip() for part in value.split(separator) if part.strip()]


def priority_of(value: str) -> str | None:
    normalised = normalise_name(value)
    if not normalised:
        return None
    for priority, words in _PRIORITY_WORDS:
        if any(word in normalised for word in words):
            return priority
    return None


def _is_true(value: str) -> bool:
    return normalise_name(value) in ("true", "yes", "1", "да")


def parse_csv(raw: bytes) -> Parsed:
    records = _read_records(decode(raw))
    if not records:
        raise InvalidInput(
            "The file has no rows; upload a CSV file of tasks.", field="file"
        )
    header_index, columns = _header(records)

    def cell(cells: list[str], name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return cells[index]

    parsed = Parsed(rows=[], skipped=[])
    for line, cells in records[header_index + 1 :]:
        label = f"line {line}"
        title = cell(cells, "title").strip()
        archived = cell(cells, "archived").strip()
        if archived and not _is_false(archived):
            parsed.skipped.append(Skipped(label, "the row is archived"))
            continue
        if _is_true(cell(cells, "draft")):
            parsed.skipped.append(Skipped(label, "the row is a draft"))
            continue
        if not title:
            parsed.skipped.append(Skipped(label, "the title cell is empty"))
            continue
        status_name = cell(cells, "status").strip() or None
        if status_name:
            parsed.status_names.add(status_name)
        row = ImportedRow(
            row=label,
            title=title,
            description=cell(cells, "description").strip() or None,
            status_name=status_name,
            due=normalise_due(cell(cells, "due")) or None,
            tags=_list_cell(cell(cells, "tags")),
            assignees=[(name,) for name in _list_cell(cell(cells, "assignee"))],
        )
        priority_text = cell(cells, "priority").strip()
        if priority_text:
            row.priority = priority_of(priority_text)
            if row.priority is None:
                row.warnings.append(
                    f"priority '{priority_text}' is not known; the task is normal"
                )
        parsed.rows.append(row)
    return parsed


def _is_false(value: str) -> bool:
    return normalise_name(value) in ("false", "no", "0", "нет")
