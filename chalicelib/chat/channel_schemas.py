"""Request bodies of the channel management and direct conversation routes."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.chat.schemas import UserId
from chalicelib.text import CleanLine, OptionalCleanText

Visibility = Literal["public", "private"]

# Direct and group conversations take 2 to 8 people, the caller included, so a
# request names at most 8 (the caller may name themselves too).
MAX_CONVERSATION_PEOPLE = 8


class ChannelUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: CleanLine | None = Field(default=None, min_length=1, max_length=80)
    # An empty or null description clears it.
    description: OptionalCleanText | None = Field(default=None, max_length=500)
    visibility: Visibility | None = None


class OwnerAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: UserId


class DirectOpen(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_ids: list[UserId] = Field(min_length=1, max_length=MAX_CONVERSATION_PEOPLE)
