"""Request bodies of the task routes."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.text import CleanLine

Status = Literal["new", "in_progress", "done"]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: CleanLine = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20000)
    assignee_id: str = Field(min_length=1, max_length=64)
    due_date: date | None = None


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: CleanLine | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20000)
    status: Status | None = None
    assignee_id: str | None = Field(default=None, min_length=1, max_length=64)
    due_date: date | None = None


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=4000)
