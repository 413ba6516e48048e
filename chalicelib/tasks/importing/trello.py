"""Trello board exports (Board menu, "Print, export and share", "Export as JSON").

Each open card becomes a task. Its list gives the status and its labels the
tags, where a label without a name is named by its colour. Its checklists give
the checklist, and its "commentCard" actions the comments, each starting with
the member's name. Members are matched to Shtab users by email, which an
export carries only for some accounts, or by full name, then by username.
Archived cards and the cards of archived lists are skipped and reported.
"""

from chalicelib.errors import InvalidInput
from chalicelib.imports.guards import UnsafeFile, load_json, utf16_hint
from chalicelib.tasks.importing.common import MAX_COMMENT, Parsed, Skipped, cut
from chalicelib.tasks.importing.mapping import apply, propose
from chalicelib.tasks.importing.source import (
    ChecklistEntry,
    SourcePerson,
    SourceRecord,
    SourceTable,
    WholeText,
)

# The card attributes offered as source columns, named as in the export.
COLUMNS = (
    "id",
    "name",
    "desc",
    "list",
    "due",
    "members",
    "labels",
    "checklists",
    "comments",
)
# A Trello export nests about eight levels (board, cards, badges and so on).
MAX_JSON_DEPTH = 64


def _load(raw: bytes) -> dict:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            f"The file is not UTF-8 text.{utf16_hint(raw)} Upload the JSON file "
            "Trello exported, unchanged.",
            field="file",
        ) from None
    try:
        board = load_json(text, max_depth=MAX_JSON_DEPTH)
    except UnsafeFile as error:
        raise InvalidInput(
            f"{error.message}{utf16_hint(text)} Upload the JSON file Trello "
            "exported, unchanged.",
            field="file",
        ) from None
    if not isinstance(board, dict):
        raise InvalidInput(
            "The file is not a Trello board: expected a JSON object with "
            "'lists' and 'cards'. Export the board as JSON from its menu.",
            field="file",
        )
    for key in ("lists", "cards"):
        if not isinstance(board.get(key), list):
            raise InvalidInput(
                f"The file is not a Trello board export: '{key}' is missing or not "
                "a list. Export the board as JSON from its menu.",
                field="file",
            )
    return board


def _objects(board: dict, key: str) -> list[dict]:
    values = board.get(key)
    if values is None:
        return []
    if not isinstance(values, list) or not all(
        isinstance(value, dict) for value in values
    ):
        raise InvalidInput(
            f"The file is not a Trello board export: '{key}' must be a list of "
            "objects.",
            field="file",
        )
    return values


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _member(member: dict) -> SourcePerson:
    """Return a member as a person; an export carries the email only for some."""
    return SourcePerson(
        name=_text(member.get("fullName")),
        email=_text(member.get("email")) or None,
        username=_text(member.get("username")) or None,
    )


def _comments_by_card(actions: list[dict], members: dict[str, dict]) -> dict:
    comments: dict[str, list[tuple[str, str]]] = {}
    for action in actions:
        if action.get("type") != "commentCard":
            continue
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        card = data.get("card") if isinstance(data.get("card"), dict) else {}
        text = _text(data.get("text")).strip()
        card_id = _text(card.get("id"))
        if not text or not card_id:
            continue
        author = action.get("memberCreator")
        if not isinstance(author, dict):
            author = members.get(_text(action.get("idMemberCreator")), {})
        name = (
            _text(author.get("fullName"))
            or _text(author.get("username"))
            or "Trello user"
        )
        day = _text(action.get("date"))[:10]
        heading = f"{name}, {day}" if day else name
        comment, _cut = cut(f"{heading} (Trello):\n{text}", MAX_COMMENT)
        comments.setdefault(card_id, []).append((_text(action.get("date")), comment))
    # Trello lists actions newest first; comments read oldest first.
    return {
        card_id: [text for _date, text in sorted(items)]
        for card_id, items in comments.items()
    }


def _position(item: dict) -> float:
    position = item.get("pos")
    return float(position) if isinstance(position, int | float) else 0.0


def parse_trello(raw: bytes) -> Parsed:
    """Read a board with the proposed mapping."""
    table = read_trello(raw)
    return apply(table, table.proposed)


def read_trello(raw: bytes) -> SourceTable:
    board = _load(raw)
    lists = {_text(item.get("id")): item for item in _objects(board, "lists")}
    labels = {_text(item.get("id")): item for item in _objects(board, "labels")}
    members = {_text(item.get("id")): item for item in _objects(board, "members")}
    checklists: dict[str, list[dict]] = {}
    for checklist in sorted(_objects(board, "checklists"), key=_position):
        checklists.setdefault(_text(checklist.get("idCard")), []).append(checklist)
    comments = _comments_by_card(_objects(board, "actions"), members)

    table = SourceTable(
        shape="trello_json",
        columns=list(COLUMNS),
        records=[],
        proposed=propose(list(COLUMNS)),
        status_names={
            _text(item.get("name")) for item in lists.values() if not item.get("closed")
        },
    )
    cards = sorted(
        _objects(board, "cards"),
        key=lambda card: (_text(card.get("idList")), _position(card)),
    )
    for number, card in enumerate(cards, start=1):
        name = _text(card.get("name")).strip()
        label = f"card {number}: {name[:60]}" if name else f"card {number}"
        card_list = lists.get(_text(card.get("idList")))
        if card.get("closed"):
            table.skipped.append(Skipped(label, "the card is archived"))
            continue
        if card_list is not None and card_list.get("closed"):
            list_name = _text(card_list.get("name"))
            table.skipped.append(
                Skipped(label, f"the card's list '{list_name}' is archived")
            )
            continue
        table.records.append(
            _card_record(label, card, card_list, labels, members, checklists, comments)
        )
    return table


def _card_record(
    label: str,
    card: dict,
    card_list: dict | None,
    labels: dict[str, dict],
    members: dict[str, dict],
    checklists: dict[str, list[dict]],
    comments: dict[str, list[str]],
) -> SourceRecord:
    record = SourceRecord(row=label)
    card_id = _text(card.get("id"))
    for column, value in (
        ("id", card_id),
        ("name", _text(card.get("name")).strip()),
        ("desc", _text(card.get("desc"))),
        ("list", _text(card_list.get("name")) if card_list else ""),
        ("due", _text(card.get("due"))),
    ):
        if value:
            record.add(column, value)
    for label_id in card.get("idLabels") or []:
        item = labels.get(_text(label_id), {})
        tag = _text(item.get("name")).strip() or _text(item.get("color"))
        if tag:
            # One value per label, so a comma in a label name stays in it.
            record.add("labels", WholeText(tag))
    for member_id in card.get("idMembers") or []:
        member = members.get(_text(member_id))
        if member is not None:
            record.add("members", _member(member))
        else:
            record.warnings.append(
                f"member '{member_id}' is not in the export's members list"
            )
    card_checklists = checklists.get(card_id, [])
    for checklist in card_checklists:
        items = checklist.get("checkItems") or []
        for item in sorted(
            (item for item in items if isinstance(item, dict)), key=_position
        ):
            text = _text(item.get("name")).strip()
            if len(card_checklists) > 1:
                text = f"{_text(checklist.get('name'))}: {text}"
            if text:
                record.add(
                    "checklists", ChecklistEntry(text, item.get("state") == "complete")
                )
    for comment in comments.get(card_id, []):
        record.add("comments", WholeText(comment))
    attachments = card.get("attachments") or []
    if attachments:
        record.warnings.append(
            f"{len(attachments)} attachment(s) were not imported; "
            "upload them to the task again"
        )
    return record
