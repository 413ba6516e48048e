"""Files uploaded to chat, one item each in the chat table.

Key: pk ``CHATFILE#<attachment_id>``, sk ``FILE``. A download looks the file
up by id alone, then checks that the caller may read its channel.

Status: "pending" from the upload request until a message takes the file,
then "attached" with the message's id, and "deleted" with the message.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from chalicelib.storage.base import table_meta

ATTACHMENT_SK = "FILE"


def attachment_pk(attachment_id: str) -> str:
    return f"CHATFILE#{attachment_id}"


class ChatAttachment(Model):
    Meta = table_meta("chat")

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default=ATTACHMENT_SK)
    item_type = UnicodeAttribute(default="chat_attachment")
    attachment_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    uploaded_by = UnicodeAttribute()
    file_name = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    status = UnicodeAttribute(default="pending")
    # Not named message_id: that attribute puts chat items in the message index.
    sent_message_id = UnicodeAttribute(null=True)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    attached_at = UTCDateTimeAttribute(null=True)

    @property
    def upload_key(self) -> str:
        """Where the browser's presigned POST writes the bytes."""
        return f"chat/uploads/{self.attachment_id}"

    @property
    def storage_key(self) -> str:
        """Where the checked bytes are kept; no upload form can write here."""
        return f"chat/files/{self.attachment_id}"
