"""Reading Trello exports and CSV files into rows, without the database.

The fixtures are real exports kept by other projects; tests/fixtures/tasks/
README.md names each source and licence.
"""

from pathlib import Path

import pytest

from chalicelib.errors import InvalidInput
from chalicelib.tasks.importing.common import default_status, read_status_mapping
from chalicelib.tasks.importing.csv_import import parse_csv, sniff_delimiter
from chalicelib.tasks.importing.trello import parse_trello

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tasks"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


# Trello


def test_trello_board_cards_and_archives():
    parsed = parse_trello(fixture("trello-kanban-board.json"))
    assert len(parsed.rows) == 14
    assert [(item.row, item.reason) for item in parsed.skipped] == [
        ("card 8: Running Experiments", "the card's list 'Running' is archived"),
        ("card 11: Ship Celebrations for Trello", "the card is archived"),
    ]
    assert "Running" not in parsed.status_names
    assert "Done 🎉" in parsed.status_names
    completed = next(row for row in parsed.rows if row.title == "[Completed task]")
    assert completed.status_name == "Done 🎉"
    assert completed.due == "2020-01-23T20:00:00.000Z"


def test_trello_checklist_comment_label():
    parsed = parse_trello(fixture("trello-checklists-comments.json"))
    [row] = parsed.rows
    assert row.title == "Audit task – Å 中文"
    assert (
        row.description
        == 'First line: café, comma, and "quotes".\nSecond line: 日本語.'
    )
    assert row.tags == ["Audit label"]
    assert row.checklist == [("Audit step", True)]
    # The comment's author is missing from members; the action names them.
    assert row.comments == ["dummy, 2026-09-30 (Trello):\nAudit comment"]
    assert row.warnings == [
        "1 attachment(s) were not imported; upload them to the task again"
    ]


def test_trello_unnamed_label_uses_colour():
    board = (
        b'{"lists": [{"id": "l", "name": "To Do"}], "labels": [{"id": "x", '
        b'"name": "", "color": "orange"}], "cards": [{"id": "c", "idList": "l", '
        b'"name": "Card", "idLabels": ["x"]}]}'
    )
    [row] = parse_trello(board).rows
    assert row.tags == ["orange"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "not a Trello board"),
        (b'{"lists": []}', "'cards' is missing"),
        (b'{"lists": [], "cards": [1]}', "list of objects"),
        ("{}".encode("utf-16"), "not UTF-8"),
    ],
)
def test_trello_bad_files(raw, words):
    with pytest.raises(InvalidInput) as error:
        parse_trello(raw)
    assert words in error.value.message
    assert error.value.field == "file"


# CSV


def test_csv_multiline_quoted_field():
    parsed = parse_csv(fixture("generic-multiline.csv"))
    [row] = parsed.rows
    assert row.row == "line 2"
    assert row.title == "Audit task – Å 中文"
    assert row.description == (
        'First line: café, comma, and "quotes".\nSecond line: 日本語.'
    )
    assert row.status_name == "Audit list"


def test_csv_plane_export():
    parsed = parse_csv(fixture("plane-export.csv"))
    assert [row.title for row in parsed.rows][:2] == [
        "Implement user authentication",
        "Fix dashboard loading issue",
    ]
    assert len(parsed.rows) == 7
    assert [(item.row, item.reason) for item in parsed.skipped] == [
        ("line 7", "the row is archived"),
        ("line 10", "the row is a draft"),
    ]
    second = parsed.rows[1]
    assert second.tags == ["bug", "performance"]
    assert [person.name for person in second.responsible] == ["John Doe", "Jane Smith"]
    assert [person.name for person in second.watchers] == ["John Doe", "Jane Smith"]
    assert second.source_id == "TEST-2"
    assert second.comments[0] == (
        "Jane Smith, 2024-01-01 (Plane):\nStarted investigating the root cause"
    )
    sub_task = parsed.rows[6]
    assert sub_task.parent_source_id == "TEST-2"
    assert second.due == "2024-01-05"
    assert second.priority == "urgent"
    assert second.status_name == "In Progress"


TEXT = (
    "Название;Описание;Срок;Исполнитель\n"
    'Проверить цены;"две\nстроки";31.12.2026;a@b.ru\n'
)


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.encode("cp1251"),
        TEXT.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "cp1251", "utf-16"],
)
def test_csv_encodings(raw):
    [row] = parse_csv(raw).rows
    assert row.title == "Проверить цены"
    assert row.description == "две\nстроки"
    assert row.due == "2026-12-31"
    [person] = row.responsible
    assert person.email == "a@b.ru"
    assert person.key == "a@b.ru"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiters(delimiter):
    text = delimiter.join(["title", "tags", "status"]) + "\n"
    text += delimiter.join(['"A, b; c"', "x", "Done"]) + "\n"
    assert sniff_delimiter(text) == delimiter
    [row] = parse_csv(text.encode()).rows
    assert row.title == "A, b; c"
    assert row.status_name == "Done"


def test_csv_header_after_preamble():
    text = "Выгрузка задач за декабрь\n\nЗадача,Статус\nПозвонить,В работе\n"
    parsed = parse_csv(text.encode())
    [row] = parsed.rows
    assert row.title == "Позвонить"
    assert row.row == "line 4"
    assert parsed.status_names == {"В работе"}


def test_csv_empty_title_skipped():
    parsed = parse_csv(b"title,description\n,orphan text\nReal,\n")
    assert [row.title for row in parsed.rows] == ["Real"]
    assert [(item.row, item.reason) for item in parsed.skipped] == [
        ("line 2", "the title cell is empty")
    ]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"a,b\n1,2\n", "no header row with a title column"),
        (b"\n\n", "no rows"),
        (b"title\n\x00\x01", "NUL bytes"),
        (b"\xef\xbb\xbftitle\n\xff\xfe", "not utf-8-sig text"),
    ],
)
def test_csv_bad_files(raw, words):
    with pytest.raises(InvalidInput) as error:
        parse_csv(raw)
    assert words in error.value.message
    assert error.value.field == "file"


# Statuses


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("Backlog", "new"),
        ("To Do", "new"),
        ("Doing", "in_progress"),
        ("In Progress", "in_progress"),
        ("Code Review", "review"),
        ("Done 🎉", "done"),
        ("Готово", "done"),
        ("В работе", "in_progress"),
        ("Отменено", "cancelled"),
        ("Cancelled", "cancelled"),
        ("Отложено", "postponed"),
        (None, "new"),
    ],
)
def test_default_status(name, status):
    assert default_status(name) == status


@pytest.mark.parametrize(
    "raw",
    ['["Doing"]', '{"Doing": "working"}', '{"Doing": 1}', "{bad"],
)
def test_status_mapping_rejected(raw):
    with pytest.raises(InvalidInput) as error:
        read_status_mapping(raw)
    assert error.value.field == "statuses"
