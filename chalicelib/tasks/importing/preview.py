"""The preview of an import: the file's columns and the tasks it would become."""

from collections import Counter

from chalicelib.people.service import find_user
from chalicelib.tasks.importing.common import cut
from chalicelib.tasks.importing.mapping import FIELDS, SHAPE_SOURCES
from chalicelib.tasks.importing.placeholder_models import is_placeholder_id
from chalicelib.tasks.importing.service import Plan
from chalicelib.tasks.models import STATUSES

SAMPLE_ROWS = 5
SAMPLE_VALUES = 3
SAMPLE_TEXT = 200


def _column_samples(plan: Plan, column: str) -> list[str]:
    samples: list[str] = []
    for record in plan.table.records:
        for value in record.values.get(column, []):
            text = getattr(value, "text", None) or getattr(value, "shown", None)
            text = text if text is not None else str(value)
            text, _cut = cut(" ".join(text.split()), SAMPLE_TEXT)
            if text and text not in samples:
                samples.append(text)
        if len(samples) >= SAMPLE_VALUES:
            break
    return samples[:SAMPLE_VALUES]


def _names(plan: Plan) -> dict[str, str]:
    names = {}
    for match in plan.matches.values():
        if match.user is not None:
            names[match.user.user_id] = match.user.name
        elif match.placeholder_id:
            names[match.placeholder_id] = match.person.shown
    if plan.default_id not in names:
        user = find_user(plan.default_id)
        names[plan.default_id] = user.name if user else plan.default_id
    return names


def _person(target_id: str, names: dict[str, str]) -> dict:
    return {
        "id": target_id,
        "name": names.get(target_id, target_id),
        "placeholder": is_placeholder_id(target_id),
    }


def _sample(plan: Plan, row, names: dict[str, str]) -> dict:
    people = plan.people_of(row)
    description = None
    if row.description:
        description, _cut = cut(row.description, SAMPLE_TEXT)
    return {
        "row": row.row,
        "source_id": row.source_id,
        "title": row.title,
        "description": description,
        "status": plan.status_for(row.status_name),
        "status_name": row.status_name,
        "responsible": _person(people.responsible, names),
        "co_assignees": [_person(value, names) for value in people.co_assignees],
        "watchers": [_person(value, names) for value in people.watchers],
        "creator": _person(people.creator, names) if people.creator else None,
        "due": row.due,
        "priority": row.priority or "normal",
        "tags": row.tags,
        "checklist": len(row.checklist),
        "comments": len(row.comments),
        "parent": row.parent_source_id,
    }


def preview_json(plan: Plan) -> dict:
    rows = plan.parsed.rows
    status_rows = Counter(row.status_name for row in rows if row.status_name)
    mentions: Counter = Counter()
    for row in rows:
        named = [*row.responsible, *row.co_assignees, *row.watchers]
        if row.creator is not None:
            named.append(row.creator)
        mentions.update({person.key for person in named})
    names = _names(plan)
    return {
        "shape": plan.table.shape,
        "source": SHAPE_SOURCES.get(plan.table.shape, "CSV"),
        "fields": list(FIELDS),
        "statuses_allowed": list(STATUSES),
        "columns": [
            {
                "name": column,
                "field": plan.mapping.get(column),
                "proposed": plan.table.proposed.get(column),
                "samples": _column_samples(plan, column),
            }
            for column in plan.table.columns
        ],
        "mapping": plan.mapping,
        "statuses": [
            {
                "name": name,
                "status": plan.status_for(name),
                "rows": status_rows.get(name, 0),
            }
            for name in sorted(
                plan.parsed.status_names, key=lambda name: (-status_rows[name], name)
            )
        ],
        "people": [
            {**match.to_json(), "rows": mentions[key]}
            for key, match in plan.matches.items()
        ],
        "default_assignee": _person(plan.default_id, names),
        "rows": len(rows),
        "skipped": [item.to_json() for item in plan.parsed.skipped],
        "samples": [_sample(plan, row, names) for row in rows[:SAMPLE_ROWS]],
    }
