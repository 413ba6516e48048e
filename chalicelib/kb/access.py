"""Who may read, comment on and edit which section and article of the knowledge base.

Every kb route and every later feature on top of the knowledge base asks this
module, so that lists, search, links and counts apply one rule:

- Owners and admins may edit everything, archived sections included.
- A grant gives a level (read < comment < edit) to everyone or to the holders
  of a position, optionally with every position below it in the reporting
  chain. A person gets the highest level of the grants that cover them.
- An article with grants of its own uses them; otherwise the nearest section
  up the tree that has grants decides. Where no section has any, everyone
  may read.
- The holders of a department's head positions (positions of the department
  whose manager sits outside it, or who report to no one) may edit the
  department's sections, the sections below them and their articles.
- The author of an article may edit it.
- The holders of an article's target positions may read it, because they are
  asked to acknowledge it.
- A draft is seen only by those who may edit it.
- Articles in an archived section are seen by admins only.

A person who may not read an article gets 404 for it, as if it did not exist.
"""

from dataclasses import dataclass, field
from functools import cached_property

from chalicelib.errors import NotFound, Unauthenticated
from chalicelib.integrations.tokens import integration_user
from chalicelib.kb.models import Article, Grant, Section
from chalicelib.org.models import Department, Position
from chalicelib.org.service import list_departments, list_positions
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.web import Caller

NONE = 0
READ = 1
COMMENT = 2
EDIT = 3
LEVELS = {"read": READ, "comment": COMMENT, "edit": EDIT}
LEVEL_NAMES = {value: name for name, value in LEVELS.items()}

# Where no section up the tree has grants of its own.
DEFAULT_LEVEL = READ


@dataclass
class Rights:
    level: int

    @property
    def read(self) -> bool:
        return self.level >= READ

    @property
    def comment(self) -> bool:
        return self.level >= COMMENT

    @property
    def edit(self) -> bool:
        return self.level >= EDIT

    def as_json(self) -> dict:
        return {"read": self.read, "comment": self.comment, "edit": self.edit}


@dataclass
class Reader:
    """One person as the knowledge base sees them for one request.

    The org structure and the sections are each read once, on first use.
    """

    caller: Caller
    user: User
    _section_cache: dict[str, Section] | None = field(default=None, repr=False)

    @property
    def user_id(self) -> str:
        return self.user.user_id

    @property
    def position_id(self) -> str | None:
        return self.user.position_id

    @property
    def is_admin(self) -> bool:
        return self.caller.is_admin or self.user.role in ("owner", "admin")

    @cached_property
    def positions(self) -> dict[str, Position]:
        return {position.position_id: position for position in list_positions()}

    @cached_property
    def departments(self) -> dict[str, Department]:
        return {item.department_id: item for item in list_departments()}

    @property
    def sections(self) -> dict[str, Section]:
        if self._section_cache is None:
            from chalicelib.kb.sections import load_sections

            self._section_cache = load_sections()
        return self._section_cache

    def forget_sections(self) -> None:
        """Drop the cached sections after this request changed them."""
        self._section_cache = None

    @cached_property
    def managers(self) -> list[str]:
        """Positions up the caller's reports_to chain, the direct manager first."""
        chain: list[str] = []
        position = self.positions.get(self.position_id or "")
        cursor = position.reports_to if position else None
        # The org service rejects loops; the guard keeps bad data from looping.
        while cursor is not None and cursor not in chain and cursor in self.positions:
            chain.append(cursor)
            cursor = self.positions[cursor].reports_to
        return chain

    @cached_property
    def headed_departments(self) -> set[str]:
        """Departments in which the caller holds a head position."""
        position = self.positions.get(self.position_id or "")
        if position is None:
            return set()
        manager = self.positions.get(position.reports_to or "")
        if manager is not None and manager.department_id == position.department_id:
            return set()
        return {position.department_id}

    def covered_by(self, grant: Grant) -> bool:
        if grant.to == "everyone":
            return True
        if grant.position_id is None or self.position_id is None:
            return False
        if grant.position_id == self.position_id:
            return True
        return bool(grant.include_below) and grant.position_id in self.managers

    def level_of_grants(self, grants: list[Grant]) -> int:
        return max(
            (
                LEVELS.get(grant.level, NONE)
                for grant in grants
                if self.covered_by(grant)
            ),
            default=NONE,
        )

    def section_chain(self, section_id: str) -> list[Section]:
        """Return the section and its ancestors, nearest first; stops on a loop."""
        chain: list[Section] = []
        seen: set[str] = set()
        cursor: str | None = section_id
        while cursor is not None and cursor not in seen and cursor in self.sections:
            seen.add(cursor)
            section = self.sections[cursor]
            chain.append(section)
            cursor = section.parent_id
        return chain

    def is_archived(self, section_id: str) -> bool:
        return any(section.archived for section in self.section_chain(section_id))

    def _inherited_level(self, chain: list[Section]) -> int:
        for section in chain:
            if section.grants is not None:
                return self.level_of_grants(section.grants)
        return DEFAULT_LEVEL

    def _heads_department_of(self, chain: list[Section]) -> bool:
        return any(
            section.department_id in self.headed_departments
            for section in chain
            if section.department_id
        )

    def section_rights(self, section_id: str) -> Rights:
        if section_id not in self.sections:
            return Rights(NONE)
        if self.is_admin:
            return Rights(EDIT)
        chain = self.section_chain(section_id)
        if any(section.archived for section in chain):
            return Rights(NONE)
        level = self._inherited_level(chain)
        if self._heads_department_of(chain):
            level = EDIT
        return Rights(level)

    def article_rights(self, article: Article) -> Rights:
        """Return the caller's rights on ``article``, a full item or an index row."""
        if self.is_admin:
            return Rights(EDIT)
        chain = self.section_chain(article.section_id)
        if not chain or any(section.archived for section in chain):
            return Rights(NONE)
        if article.grants is not None:
            level = self.level_of_grants(article.grants)
        else:
            level = self._inherited_level(chain)
        if self._heads_department_of(chain) or article.author_id == self.user_id:
            level = EDIT
        if self.position_id is not None and self.position_id in (
            article.position_ids or []
        ):
            level = max(level, READ)
        if article.status == "draft" and level < EDIT:
            return Rights(NONE)
        return Rights(level)

    def can_read(self, article: Article) -> bool:
        return self.article_rights(article).read

    def is_target(self, article: Article) -> bool:
        return self.position_id is not None and self.position_id in (
            article.position_ids or []
        )


def reader_of(caller: Caller) -> Reader:
    # An API token acts as its integration, which has no person record.
    user = (
        integration_user(caller) if caller.is_integration else find_user(caller.user_id)
    )
    if user is None or not user.is_active:
        raise Unauthenticated("Your account is no longer active; sign in again.")
    return Reader(caller=caller, user=user)


def require_read(reader: Reader, article: Article) -> Rights:
    """Return the rights on a readable article; 404 for one the reader may not see."""
    rights = reader.article_rights(article)
    if not rights.read:
        raise NotFound(f"Article '{article.article_id}' not found.")
    return rights


def grant_json(grant: Grant) -> dict:
    return {
        "to": grant.to,
        "position_id": grant.position_id,
        "include_below": bool(grant.include_below),
        "level": grant.level,
    }
