"""Placeholders: people an import names who are not Shtab users yet.

Both item types live in the tasks table, in one partition, because a company
has few of them and every list reads them all:
- placeholder: pk ``IMPORT_PLACEHOLDERS``, sk ``PLACEHOLDER#<placeholder_id>``;
- task link:   pk ``IMPORT_PLACEHOLDERS``,
  sk ``PLACEHOLDER_TASK#<placeholder_id>#<task_id>``, one per task that names
  the placeholder, so that mapping finds co-assignees and watchers too, which
  no index covers.

The tasks stream reactions act on task, history and comment items only, so
these items start no reaction.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

PLACEHOLDERS_PK = "IMPORT_PLACEHOLDERS"
PLACEHOLDER_PREFIX = "PLACEHOLDER#"
PLACEHOLDER_TASK_PREFIX = "PLACEHOLDER_TASK#"
# Every placeholder id starts with this, so code can tell placeholder ids in
# a task's people fields from user ids without a read.
PLACEHOLDER_ID_PREFIX = "placeholder-"


def is_placeholder_id(value: str | None) -> bool:
    return bool(value) and value.startswith(PLACEHOLDER_ID_PREFIX)


def placeholder_sk(placeholder_id: str) -> str:
    return f"{PLACEHOLDER_PREFIX}{placeholder_id}"


def placeholder_task_sk(placeholder_id: str, task_id: str = "") -> str:
    return f"{PLACEHOLDER_TASK_PREFIX}{placeholder_id}#{task_id}"


class ImportPlaceholder(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True, default=PLACEHOLDERS_PK)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="import_placeholder")
    placeholder_id = UnicodeAttribute()
    # The identity in files: a lower-case email, or a normalised name.
    person_key = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    # The tracker of the first file that named the person, such as "Trello".
    source = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    # Set once an admin maps the placeholder to a user.
    mapped_to = UnicodeAttribute(null=True)
    mapped_by = UnicodeAttribute(null=True)
    mapped_at = UTCDateTimeAttribute(null=True)
    # Tasks changed by the mapping; a repeated mapping adds none.
    mapped_tasks = NumberAttribute(null=True)


class PlaceholderTask(Model):
    Meta = table_meta("tasks")

    pk = UnicodeAttribute(hash_key=True, default=PLACEHOLDERS_PK)
    sk = UnicodeAttribute(range_key=True)
    item_type = UnicodeAttribute(default="import_placeholder_task")
    placeholder_id = UnicodeAttribute()
    task_id = UnicodeAttribute()


# Names by placeholder id. A name never changes once saved (an import keeps
# the first name it finds), so the cache needs no invalidation.
_NAMES: dict[str, str] = {}


def placeholder_names(ids) -> dict[str, str]:
    """Return the names of the placeholders among ``ids``, reading only those
    not read before."""
    requested = sorted({value for value in ids if is_placeholder_id(value)})
    missing = [value for value in requested if value not in _NAMES]
    if missing:
        keys = [(PLACEHOLDERS_PK, placeholder_sk(value)) for value in missing]
        for item in ImportPlaceholder.batch_get(keys):
            _NAMES[item.placeholder_id] = item.name
    return {value: _NAMES[value] for value in requested if value in _NAMES}
