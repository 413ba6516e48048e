"""Request bodies and query parameters of the knowledge base routes."""

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.kb.models import KINDS, STATUSES
from chalicelib.text import CleanLine

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

MAX_TITLE_LENGTH = 200
MAX_SECTION_NAME_LENGTH = 120
MAX_TARGET_POSITIONS = 100
MAX_GRANTS = 50
# Bodies are Markdown text. 1 MB of UTF-8 is about 500,000 Cyrillic letters,
# far more than any instruction needs, and still renders in well under a second.
MAX_BODY_BYTES = 1024 * 1024


def _iso_date(value: object) -> str:
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise PydanticCustomError("date", 'use a date "YYYY-MM-DD", such as "2026-12-15"')


def _body(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("body", "send the body as a string of Markdown")
    size = len(value.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise PydanticCustomError(
            "body",
            "the body is {size} bytes of UTF-8; the limit is {limit} bytes, so "
            "split it into several articles",
            {"size": size, "limit": MAX_BODY_BYTES},
        )
    if "\x00" in value:
        raise PydanticCustomError("body", "the body must not contain NUL characters")
    return value


Identifier = Annotated[str, Field(min_length=1, max_length=64)]
Title = Annotated[CleanLine, Field(max_length=MAX_TITLE_LENGTH)]
SectionName = Annotated[CleanLine, Field(max_length=MAX_SECTION_NAME_LENGTH)]
Body = Annotated[str, BeforeValidator(_body)]
IsoDate = Annotated[str, BeforeValidator(_iso_date)]
Kind = Literal[KINDS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
PositionIds = Annotated[list[Identifier], Field(max_length=MAX_TARGET_POSITIONS)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GrantBody(Strict):
    to: Literal["everyone", "position"]
    position_id: Identifier | None = None
    include_below: StrictBool = False
    level: Literal["read", "comment", "edit"]

    @model_validator(mode="after")
    def _position_matches_to(self) -> "GrantBody":
        if self.to == "position" and self.position_id is None:
            raise PydanticCustomError(
                "grant", 'a grant to "position" needs a position_id'
            )
        if self.to == "everyone" and (self.position_id or self.include_below):
            raise PydanticCustomError(
                "grant",
                'a grant to "everyone" takes no position_id or include_below',
            )
        return self


Grants = Annotated[list[GrantBody], Field(max_length=MAX_GRANTS)]


class SectionCreate(Strict):
    name: SectionName
    name_en: SectionName | None = None
    parent_id: Identifier | None = None
    grants: Grants | None = None
    sort_order: StrictInt = Field(default=1000, ge=-1_000_000, le=1_000_000)


class SectionUpdate(Strict):
    """Fields to change; ``parent_id`` and ``grants`` may be null."""

    name: SectionName | None = None
    name_en: SectionName | None = None
    parent_id: Identifier | None = None
    grants: Grants | None = None
    sort_order: StrictInt | None = Field(default=None, ge=-1_000_000, le=1_000_000)


class ArticleCreate(Strict):
    section_id: Identifier
    title: Title
    title_en: Title | None = None
    body: Body | None = None
    kind: Kind | None = None
    status: Literal["draft", "published"] = "draft"
    position_ids: PositionIds = Field(default_factory=list)
    review_at: IsoDate | None = None
    template_id: Identifier | None = None


# Far above any article's revision count; bounds the number so that it fits a
# DynamoDB number and a conflict copy's key.
MAX_REVISION = 1_000_000_000


class ArticleUpdate(Strict):
    """A save: ``base_revision`` is the revision the editor started from.

    ``significant`` marks an edit that readers must acknowledge again; it is
    never inferred from the size of the change.
    """

    base_revision: StrictInt = Field(ge=1, le=MAX_REVISION)
    title: Title | None = None
    title_en: Title | None = None
    body: Body | None = None
    kind: Kind | None = None
    status: Status | None = None
    position_ids: PositionIds | None = None
    review_at: IsoDate | None = None
    section_id: Identifier | None = None
    significant: StrictBool = False


class RestoreBody(Strict):
    base_revision: StrictInt | None = Field(default=None, ge=1, le=MAX_REVISION)
    significant: StrictBool = False


class AccessBody(Strict):
    """An article's own grants, or null to inherit its section's."""

    grants: Grants | None


class ImageCreate(Strict):
    file_name: str = Field(min_length=1, max_length=400)
    content_type: str = Field(min_length=1, max_length=200)
    size: StrictInt


class NoBody(Strict):
    """A body for actions that take no fields: empty or ``{}``."""
