"""Request bodies of the thread and unread routes."""

from pydantic import BaseModel, ConfigDict, Field


class MarkMessage(BaseModel):
    """The message a read marker moves to (read) or before (unread)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message_id: str = Field(min_length=1, max_length=64)
