"""Matching the people a file names to Shtab users, or to placeholders.

A person matches an active user by email first, then by full name, then by
username. A person matched by none matches the user their placeholder was
mapped to, if an admin mapped it. Everyone else becomes a placeholder, unless
the request's ``people`` parameter chooses otherwise.
"""

import hashlib
import json
from dataclasses import dataclass

from chalicelib.errors import InvalidInput
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.tasks.importing.common import People, normalise_name
from chalicelib.tasks.importing.placeholder_models import (
    PLACEHOLDER_ID_PREFIX,
    PLACEHOLDER_PREFIX,
    PLACEHOLDERS_PK,
    ImportPlaceholder,
)
from chalicelib.tasks.importing.source import SourcePerson

# Values of the ``people`` parameter besides a user id.
AS_PLACEHOLDER = "placeholder"
LEAVE_OUT = "none"


@dataclass
class PersonMatch:
    person: SourcePerson
    # The user the person's tasks go to, or None for a placeholder or no one.
    user: User | None = None
    # "email", "name", "username", "mapped_placeholder", "request" or None.
    matched_by: str | None = None
    placeholder_id: str | None = None
    # True when the request left the person out of every task.
    left_out: bool = False

    @property
    def target_id(self) -> str | None:
        if self.user is not None:
            return self.user.user_id
        return self.placeholder_id

    def to_json(self) -> dict:
        if self.user is not None:
            action = "user"
        elif self.left_out:
            action = LEAVE_OUT
        else:
            action = AS_PLACEHOLDER
        return {
            "key": self.person.key,
            "name": self.person.shown,
            "email": self.person.email,
            "action": action,
            "user_id": self.user.user_id if self.user else None,
            "user_name": self.user.name if self.user else None,
            "matched_by": self.matched_by,
            "placeholder_id": self.placeholder_id,
        }


def placeholder_id_of(person: SourcePerson) -> str:
    digest = hashlib.sha256(person.key.encode()).hexdigest()[:20]
    return f"{PLACEHOLDER_ID_PREFIX}{digest}"


def people_in(rows) -> dict[str, SourcePerson]:
    """Return every person the rows name, by key, in order of first mention."""
    found: dict[str, SourcePerson] = {}
    for row in rows:
        named = [*row.responsible, *row.co_assignees, *row.watchers]
        if row.creator is not None:
            named.append(row.creator)
        for person in named:
            found.setdefault(person.key, person)
    return found


def read_people_choices(raw: str | None, known: dict[str, SourcePerson]) -> dict:
    """Read the ``people`` query parameter: person key to a user id, or the
    words "placeholder" or "none"."""
    if raw is None:
        return {}
    try:
        choices = json.loads(raw)
    except ValueError:
        choices = None
    if not isinstance(choices, dict) or not all(
        isinstance(value, str) for value in choices.values()
    ):
        raise InvalidInput(
            "Invalid query parameter 'people': send a JSON object of person keys "
            'from the preview to a user id, "placeholder" or "none".',
            field="people",
        )
    for key, choice in choices.items():
        if key not in known:
            raise InvalidInput(
                f"Invalid query parameter 'people': the file names no person "
                f"'{key}'; use the keys the preview lists.",
                field="people",
            )
        if choice in (AS_PLACEHOLDER, LEAVE_OUT):
            continue
        user = find_user(choice)
        if user is None or not user.is_active:
            raise InvalidInput(
                f"Invalid query parameter 'people': '{key}' maps to '{choice}', "
                "which is not an active user; choose an active user, "
                '"placeholder" or "none".',
                field="people",
            )
    return choices


def stored_placeholders() -> dict[str, ImportPlaceholder]:
    """Return every placeholder by person key."""
    query = ImportPlaceholder.query(
        PLACEHOLDERS_PK, ImportPlaceholder.sk.startswith(PLACEHOLDER_PREFIX)
    )
    return {placeholder.person_key: placeholder for placeholder in query}


def match_people(
    known: dict[str, SourcePerson], choices: dict[str, str]
) -> dict[str, PersonMatch]:
    users = People()
    placeholders = stored_placeholders() if known else {}
    by_id = {user.user_id: user for user in users.by_email.values()}
    matches = {}
    for key, person in known.items():
        choice = choices.get(key)
        if choice == LEAVE_OUT:
            matches[key] = PersonMatch(person, left_out=True)
        elif choice == AS_PLACEHOLDER:
            matches[key] = PersonMatch(person, placeholder_id=placeholder_id_of(person))
        elif choice is not None:
            user = by_id.get(choice) or find_user(choice)
            matches[key] = PersonMatch(person, user=user, matched_by="request")
        else:
            matches[key] = _match(person, users, placeholders.get(key), by_id)
    return matches


def _match(
    person: SourcePerson,
    users: People,
    placeholder: ImportPlaceholder | None,
    by_id: dict[str, User],
) -> PersonMatch:
    if person.email:
        user = users.by_email.get(person.email.strip().casefold())
        if user is not None:
            return PersonMatch(person, user=user, matched_by="email")
    for reference, matched_by in ((person.name, "name"), (person.username, "username")):
        if reference and "@" not in reference and normalise_name(reference):
            user = users.find(reference)
            if user is not None:
                return PersonMatch(person, user=user, matched_by=matched_by)
    if placeholder is not None and placeholder.mapped_to in by_id:
        user = by_id[placeholder.mapped_to]
        return PersonMatch(
            person,
            user=user,
            matched_by="mapped_placeholder",
            placeholder_id=placeholder.placeholder_id,
        )
    return PersonMatch(person, placeholder_id=placeholder_id_of(person))
