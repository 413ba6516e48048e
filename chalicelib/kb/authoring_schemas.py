"""Request bodies and query parameters of the import and assignment routes."""

from typing import Annotated

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from chalicelib.kb.schemas import Identifier, Strict, Title
from chalicelib.tasks.due import parse_due


def _due(value: object) -> str:
    """Check a due date as tasks take it and keep the text as sent."""
    try:
        parse_due(value)
    except ValueError as error:
        raise PydanticCustomError("due", str(error)) from None
    return value.strip()


class AssignmentCreate(Strict):
    title: Title
    title_en: Title | None = None
    assignee_user_id: Identifier
    due: Annotated[str, BeforeValidator(_due)] | None = None
    # An article of the «Шаблоны» section; the shipped «Шаблон инструкции»
    # when left out.
    template_id: Identifier | None = None
