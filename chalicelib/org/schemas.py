"""Request bodies of the org routes."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

NAME = Field(min_length=1, max_length=120)
FunctionText = Annotated[str, Field(min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DepartmentCreate(Strict):
    name: str = NAME
    name_en: str | None = Field(default=None, max_length=120)
    purpose: str | None = Field(default=None, max_length=2000)
    parent_id: str | None = Field(default=None, max_length=64)


class DepartmentUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    name_en: str | None = Field(default=None, max_length=120)
    purpose: str | None = Field(default=None, max_length=2000)
    # Moving to the top level is an explicit null, so absence and null differ.
    parent_id: str | None = Field(default=None, max_length=64)


class PositionCreate(Strict):
    name: str = NAME
    department_id: str = Field(min_length=1, max_length=64)
    name_en: str | None = Field(default=None, max_length=120)
    purpose: str | None = Field(default=None, max_length=2000)
    functions: list[FunctionText] = Field(default_factory=list, max_length=50)
    reports_to: str | None = Field(default=None, max_length=64)


class PositionUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    department_id: str | None = Field(default=None, min_length=1, max_length=64)
    name_en: str | None = Field(default=None, max_length=120)
    purpose: str | None = Field(default=None, max_length=2000)
    functions: list[FunctionText] | None = Field(default=None, max_length=50)
    reports_to: str | None = Field(default=None, max_length=64)
