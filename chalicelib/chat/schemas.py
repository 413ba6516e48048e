"""Request bodies of the chat routes and WebSocket actions."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.text import CleanLine

UserId = Annotated[str, Field(min_length=1, max_length=64)]
AttachmentId = Annotated[str, Field(min_length=1, max_length=64)]


class ChannelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: CleanLine = Field(min_length=1, max_length=80)
    description: str | None = Field(default=None, max_length=500)
    member_ids: list[UserId] = Field(default_factory=list, max_length=500)
    visibility: Literal["public", "private"] = "public"


class MemberAdd(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    user_id: UserId


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The length limit is checked in code, in code points, with a message that
    # says how far over the text is.
    text: str
    thread_id: str | None = Field(default=None, max_length=64)
    # A reply that shows in the channel's history as well as in its thread.
    also_send_to_channel: bool = Field(default=False, strict=True)
    # Uploads from POST /channels/{channel_id}/attachments; the count limit is
    # checked in code with a message that names it.
    attachment_ids: list[AttachmentId] = Field(default_factory=list, max_length=50)


class SocketMessage(BaseModel):
    """A frame a client sends over the WebSocket."""

    model_config = ConfigDict(extra="forbid")

    action: str
    channel_id: str | None = Field(default=None, max_length=64)
    text: str | None = None
    thread_id: str | None = Field(default=None, max_length=64)
    also_send_to_channel: bool = Field(default=False, strict=True)
    attachment_ids: list[AttachmentId] = Field(default_factory=list, max_length=50)
    request_id: str | None = Field(default=None, max_length=64)


class AttachmentUpload(BaseModel):
    """A file about to be uploaded to a channel; limits are checked in code."""

    model_config = ConfigDict(extra="forbid")

    file_name: str = Field(min_length=1, max_length=400)
    content_type: str = Field(min_length=1, max_length=200)
    size: int = Field(strict=True)
