"""Request bodies of the message operation routes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class MessageEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked in code like a new message's text: the limit is in code points.
    text: str


class ReactionAdd(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked in code to be exactly one emoji; the length only bounds the work.
    emoji: str = Field(min_length=1, max_length=32)


class NotificationLevelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    level: Literal["all", "mentions", "mute"]
