"""Files in chat messages: presigned uploads, sending with a message, downloads.

Sending a file takes three steps. The client asks for an upload
(``start_upload``) and gets a presigned POST, the browser sends the bytes
straight to S3, and the message send names the upload in ``attachment_ids``
(``claim_for_message``). The claim checks the stored object, copies it to a
key no upload form can reach, measures images and marks the upload as taken
by that message, so one upload goes out in one message only.
"""

import logging

from botocore.exceptions import ClientError
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.chat import attachment_limits, channels
from chalicelib.chat.attachment_models import (
    ATTACHMENT_SK,
    ChatAttachment,
    attachment_pk,
)
from chalicelib.chat.image_size import HEADER_BYTES, image_size
from chalicelib.chat.models import Message
from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.files import storage
from chalicelib.ids import new_id
from chalicelib.people.models import User
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

# NOTE: uploads that no message ever takes stay "pending" with their bytes in
# S3; nothing removes them yet.


def start_upload(
    channel_id: str, user_id: str, file_name: str, content_type: str, size: int
) -> tuple[ChatAttachment, dict]:
    """Record a pending upload and return it with a presigned POST for its bytes."""
    channel = channels.require_member(channel_id, user_id)
    if channel.archived:
        raise Conflict("This channel is archived and read-only.")
    if not User.get(user_id).is_active:
        raise Forbidden("This account is deactivated.")
    file_name = attachment_limits.check_file_name(file_name)
    content_type = attachment_limits.check_content_type(content_type)
    size = attachment_limits.check_size(size)

    attachment_id = new_id()
    attachment = ChatAttachment(
        attachment_pk(attachment_id),
        attachment_id=attachment_id,
        channel_id=channel_id,
        uploaded_by=user_id,
        file_name=file_name,
        content_type=content_type,
        size=size,
        created_at=utc_now(),
    )
    attachment.save(condition=ChatAttachment.pk.does_not_exist())
    logger.info(
        "chat upload started attachment_id=%s channel_id=%s size=%d by=%s",
        attachment_id,
        channel_id,
        size,
        user_id,
    )
    upload = storage.presigned_upload(attachment.upload_key, content_type, size)
    return attachment, upload


def _get(attachment_id: str) -> ChatAttachment | None:
    try:
        return ChatAttachment.get(
            attachment_pk(attachment_id), ATTACHMENT_SK, consistent_read=True
        )
    except DoesNotExist:
        return None


def _check_upload(
    attachment_id: str, index: int, channel_id: str, user_id: str
) -> ChatAttachment:
    """Return a pending upload of this sender in this channel whose bytes match."""
    field = f"attachment_ids.{index}"
    attachment = _get(attachment_id)
    if attachment is None or attachment.uploaded_by != user_id:
        raise InvalidInput(
            f"Invalid field '{field}': you have no upload '{attachment_id[:64]}'; "
            "request an upload with POST /api/chat/channels/{channel_id}/attachments "
            "first.",
            field=field,
        )
    if attachment.channel_id != channel_id:
        raise InvalidInput(
            f"Invalid field '{field}': upload '{attachment_id}' was made for "
            "another channel; upload the file to this channel.",
            field=field,
        )
    if attachment.status != "pending":
        raise Conflict(
            f"Upload '{attachment_id}' was already sent in a message; upload the "
            "file again to send it again.",
            field=field,
        )

    stored = storage.stored_object(attachment.upload_key)
    if stored is None:
        raise Conflict(
            f"The file of upload '{attachment_id}' has not reached storage yet; "
            "send its bytes to the upload URL, then send the message.",
            field=field,
        )
    if stored.size != int(attachment.size):
        raise InvalidInput(
            f"Invalid field '{field}': the stored file has {stored.size} bytes but "
            f"{int(attachment.size)} were declared; upload the file again.",
            field=field,
        )
    stored_type = stored.content_type.split(";", 1)[0].strip().lower()
    if stored_type != attachment.content_type:
        raise InvalidInput(
            f"Invalid field '{field}': the stored file is '{stored.content_type}' "
            f"but '{attachment.content_type}' was declared; upload the file again.",
            field=field,
        )
    # The copy fails if the bytes changed after the check above.
    if not storage.copy_object(attachment.upload_key, attachment.storage_key, stored):
        raise Conflict(
            f"The file of upload '{attachment_id}' changed while it was checked; "
            "send the message again.",
            field=field,
        )
    return attachment


def _measure(attachment: ChatAttachment) -> tuple[int, int] | None:
    if not attachment_limits.is_image(attachment.content_type):
        return None
    try:
        header = storage.read_object_start(attachment.storage_key, HEADER_BYTES)
    except ClientError:
        logger.exception(
            "reading an image header failed attachment_id=%s",
            attachment.attachment_id,
        )
        return None
    return image_size(header, attachment.content_type)


def _take(
    attachment: ChatAttachment, message_id: str, size: tuple[int, int] | None
) -> bool:
    """Mark the upload as sent in ``message_id``; False if another message took it."""
    actions = [
        ChatAttachment.status.set("attached"),
        ChatAttachment.sent_message_id.set(message_id),
        ChatAttachment.attached_at.set(utc_now()),
    ]
    if size is not None:
        actions += [
            ChatAttachment.width.set(size[0]),
            ChatAttachment.height.set(size[1]),
        ]
    try:
        attachment.update(actions=actions, condition=ChatAttachment.status == "pending")
    except UpdateError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def claim_for_message(
    channel_id: str, user_id: str, attachment_ids: list[str], message_id: str
) -> list[dict]:
    """Check the uploads and mark them as sent in ``message_id``.

    Returns the files as the message stores them. If the message is then not
    stored, ``release`` returns the uploads to pending.
    """
    if len(attachment_ids) > attachment_limits.MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidInput(
            f"Invalid field 'attachment_ids': {len(attachment_ids)} files; a "
            f"message takes at most {attachment_limits.MAX_ATTACHMENTS_PER_MESSAGE}."
            " Send the rest in another message.",
            field="attachment_ids",
        )
    if len(set(attachment_ids)) != len(attachment_ids):
        raise InvalidInput(
            "Invalid field 'attachment_ids': an upload is listed twice; list each "
            "once.",
            field="attachment_ids",
        )
    checked = [
        _check_upload(attachment_id, index, channel_id, user_id)
        for index, attachment_id in enumerate(attachment_ids)
    ]

    taken: list[ChatAttachment] = []
    files = []
    for attachment in checked:
        size = _measure(attachment)
        if not _take(attachment, message_id, size):
            release(taken, message_id)
            raise Conflict(
                f"Upload '{attachment.attachment_id}' was sent in another message "
                "meanwhile; upload the file again.",
                field="attachment_ids",
            )
        taken.append(attachment)
        files.append(
            {
                "attachment_id": attachment.attachment_id,
                "file_name": attachment.file_name,
                "content_type": attachment.content_type,
                "size": int(attachment.size),
                "width": size[0] if size else None,
                "height": size[1] if size else None,
            }
        )
    return files


def release(attachments: list[ChatAttachment], message_id: str) -> None:
    """Set uploads back to pending after the message that took them failed."""
    for attachment in attachments:
        try:
            attachment.update(
                actions=[
                    ChatAttachment.status.set("pending"),
                    ChatAttachment.sent_message_id.remove(),
                    ChatAttachment.attached_at.remove(),
                ],
                condition=ChatAttachment.sent_message_id == message_id,
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
        logger.info(
            "chat upload released attachment_id=%s message_id=%s",
            attachment.attachment_id,
            message_id,
        )


def release_ids(attachment_ids: list[str], message_id: str) -> None:
    found = [_get(attachment_id) for attachment_id in attachment_ids]
    release([item for item in found if item is not None], message_id)


def hide_files_of(message: Message) -> None:
    """Make the files of a deleted message unreadable and remove their bytes."""
    for file in message.files or []:
        attachment = _get(file.attachment_id)
        if attachment is None:
            continue
        attachment.update(actions=[ChatAttachment.status.set("deleted")])
        storage.delete_object(attachment.storage_key)
        storage.delete_object(attachment.upload_key)
        logger.info(
            "chat file deleted with its message attachment_id=%s message_id=%s",
            attachment.attachment_id,
            message.message_id,
        )


def readable_attachment(attachment_id: str, caller: Caller) -> ChatAttachment:
    """Return a sent file the caller may read, or raise NotFound or Forbidden."""
    attachment = _get(attachment_id)
    if attachment is None or attachment.status != "attached":
        raise NotFound(f"Attachment '{attachment_id[:64]}' not found.")
    channels.require_reader(attachment.channel_id, caller)
    return attachment


def download_url(attachment: ChatAttachment) -> str:
    return storage.presigned_download(
        attachment.storage_key, attachment.file_name, attachment.content_type
    )


def preview_url(attachment: ChatAttachment) -> str:
    """Return a URL that shows an image inline; other types have no preview."""
    if not attachment_limits.is_image(attachment.content_type):
        raise NotFound(
            f"Attachment '{attachment.attachment_id}' is "
            f"'{attachment.content_type}', not an image, so it has no preview; "
            "download it instead."
        )
    return storage.presigned_download(
        attachment.storage_key,
        attachment.file_name,
        attachment.content_type,
        disposition="inline",
    )


def attachment_json(attachment: ChatAttachment) -> dict:
    return {
        "id": attachment.attachment_id,
        "channel_id": attachment.channel_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size": int(attachment.size),
        "status": attachment.status,
        "message_id": attachment.sent_message_id,
        "width": int(attachment.width) if attachment.width is not None else None,
        "height": int(attachment.height) if attachment.height is not None else None,
        "uploaded_by": attachment.uploaded_by,
        "created_at": iso(attachment.created_at),
    }
