"""Request bodies and query parameters of the week routes."""

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StrictInt

from chalicelib.tasks.schemas import Identifier, Strict
from chalicelib.text import MarkdownText

# A plan lists a week of one person's work; more than this is a mistake.
MAX_PLANNED_TASKS = 200
MAX_NOTES_LENGTH = 20_000

Version = Annotated[StrictInt, Field(ge=0)]


class PlanQuery(Strict):
    user_id: Identifier | None = None


class PlanBody(Strict):
    user_id: Identifier | None = None
    task_ids: Annotated[list[Identifier], Field(max_length=MAX_PLANNED_TASKS)]
    # The version of the plan the change is based on: 0 before the first save.
    version: Version


class ReviewQuery(Strict):
    department_id: Identifier | None = None
    format: Literal["json", "csv"] = "json"


class NotesQuery(Strict):
    department_id: Identifier


class NotesBody(Strict):
    # Markdown is kept exactly as typed, so surrounding blanks are not stripped.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    # Counted in Unicode code points.
    text: Annotated[MarkdownText, Field(max_length=MAX_NOTES_LENGTH)]
    version: Version


class CloseBody(Strict):
    user_id: Identifier | None = None
    department_id: Identifier | None = None
