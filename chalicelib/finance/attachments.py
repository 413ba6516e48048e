"""Files attached to a payment request: invoices by the author, receipts by finance.

Adding a file takes two calls. The first reserves a slot and returns a
presigned upload, and the browser sends the bytes to S3. The second checks the
uploaded object, copies it where downloads read it, and records the attachment
in the request's history. A reserved
slot that is never completed stays "pending" until its uploader deletes it.
"""

import logging

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.files import limits, storage
from chalicelib.finance import transitions
from chalicelib.finance.models import (
    EDITABLE_STATUSES,
    PAYABLE_STATUSES,
    Attachment,
    FinanceRequest,
    attachment_sk,
    request_pk,
)
from chalicelib.finance.schemas import AttachmentCreate
from chalicelib.finance.visibility import Viewer
from chalicelib.ids import new_id
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

MAX_ATTACHMENTS = 10
# Finance may add payment receipts until the request is paid and after.
RECEIPT_STATUSES = (*PAYABLE_STATUSES, "paid")


def may_attach(request: FinanceRequest, viewer: Viewer) -> bool:
    if request.author_id == viewer.user_id and request.status in EDITABLE_STATUSES:
        return True
    return viewer.is_finance and request.status in RECEIPT_STATUSES


def _require_may_attach(request: FinanceRequest, viewer: Viewer) -> None:
    if may_attach(request, viewer):
        return
    if request.author_id == viewer.user_id or viewer.is_finance:
        raise Conflict(
            f"Cannot change the files of a request that is '{request.status}'; "
            "the author can while it is a draft or returned, finance once it is "
            "approved.",
            status=request.status,
        )
    raise Forbidden("Only the author and finance can change a request's files.")


def list_attachments(request_id: str) -> list[Attachment]:
    return list(
        Attachment.query(
            request_pk(request_id), Attachment.sk.startswith("ATTACHMENT#")
        )
    )


def _get_attachment(request_id: str, attachment_id: str) -> Attachment:
    try:
        return Attachment.get(
            request_pk(request_id), attachment_sk(attachment_id), consistent_read=True
        )
    except DoesNotExist:
        raise NotFound(
            f"Attachment '{attachment_id}' of request '{request_id}' not found."
        ) from None


def start_upload(
    request: FinanceRequest, body: AttachmentCreate, viewer: Viewer
) -> tuple[Attachment, dict]:
    """Reserve an attachment slot and return it with a presigned upload."""
    _require_may_attach(request, viewer)
    file_name = limits.check_file_name(body.file_name)
    content_type = limits.check_content_type(body.content_type)
    size = limits.check_size(body.size)

    attachment = Attachment(
        request_pk(request.request_id),
        attachment_sk(new_id()),
        request_id=request.request_id,
        file_name=file_name,
        content_type=content_type,
        size=size,
        uploaded_by=viewer.user_id,
        created_at=utc_now(),
    )
    attachment.attachment_id = attachment.sk.removeprefix("ATTACHMENT#")
    has_room = FinanceRequest.attachment_count.does_not_exist() | (
        FinanceRequest.attachment_count < MAX_ATTACHMENTS
    )
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                request,
                actions=[FinanceRequest.attachment_count.add(1)],
                condition=has_room
                & FinanceRequest.status.is_in(*EDITABLE_STATUSES, *RECEIPT_STATUSES),
            )
            transaction.save(attachment, condition=Attachment.sk.does_not_exist())
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        # Either the request moved on meanwhile or its slots are taken.
        _require_may_attach(
            transitions.get_request(request.request_id, consistent=True), viewer
        )
        raise Conflict(
            f"A request can have at most {MAX_ATTACHMENTS} files; delete one first.",
            field="file_name",
        ) from None
    logger.info(
        "attachment reserved request_id=%s attachment_id=%s size=%d by=%s",
        request.request_id,
        attachment.attachment_id,
        size,
        viewer.user_id,
    )
    upload = storage.presigned_upload(attachment.upload_key, content_type, size)
    return attachment, upload


def complete_upload(
    request: FinanceRequest, attachment_id: str, viewer: Viewer
) -> Attachment:
    """Check the uploaded object and record the attachment in the history."""
    attachment = _get_attachment(request.request_id, attachment_id)
    if attachment.uploaded_by != viewer.user_id:
        raise Forbidden("Only the person who started this upload can complete it.")
    if attachment.status == "uploaded":
        return attachment
    _require_may_attach(request, viewer)

    stored = storage.stored_object(attachment.upload_key)
    if stored is None:
        raise Conflict(
            "The file has not reached storage yet; upload it to the URL from the "
            "first call, then complete it.",
            field="file",
        )
    if stored.size != int(attachment.size):
        _discard_pending(request, attachment)
        raise InvalidInput(
            f"Invalid field 'size': the upload has {stored.size} bytes but "
            f"{int(attachment.size)} were declared; start a new upload.",
            field="size",
        )
    if stored.content_type.split(";", 1)[0].strip().lower() != attachment.content_type:
        _discard_pending(request, attachment)
        raise InvalidInput(
            f"Invalid field 'content_type': the upload is '{stored.content_type}' "
            f"but '{attachment.content_type}' was declared; start a new upload.",
            field="content_type",
        )

    # The checked bytes are copied to a key that no upload form can reach, so
    # posting the same form again later cannot replace an accepted invoice.
    # The copy fails if the upload changed after the check.
    if not storage.copy_object(attachment.upload_key, attachment.storage_key, stored):
        raise Conflict(
            "The file changed while it was being checked; complete it again.",
            field="file",
        )

    now = utc_now()
    entry = transitions.history_entry(
        request, viewer, "attached", request.status, comment=attachment.file_name
    )

    def mark_uploaded(transaction: TransactWrite) -> None:
        transaction.update(
            attachment,
            actions=[
                Attachment.status.set("uploaded"),
                Attachment.uploaded_at.set(now),
            ],
            condition=Attachment.status == "pending",
        )

    try:
        transitions.commit(request, [], entry, also=mark_uploaded)
    except Conflict:
        # After a double click, the second call returns the first call's result.
        current = _get_attachment(request.request_id, attachment_id)
        if current.status == "uploaded":
            return current
        raise
    storage.delete_object(attachment.upload_key)
    return _get_attachment(request.request_id, attachment_id)


def _discard_pending(request: FinanceRequest, attachment: Attachment) -> None:
    """Delete a pending attachment that failed its check, freeing its slot."""
    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.update(
                request, actions=[FinanceRequest.attachment_count.add(-1)]
            )
            transaction.delete(attachment, condition=Attachment.status == "pending")
    except TransactWriteError as error:
        if error.cause_response_code != "TransactionCanceledException":
            raise
        logger.info(
            "pending attachment already gone request_id=%s attachment_id=%s",
            request.request_id,
            attachment.attachment_id,
        )
    storage.delete_object(attachment.upload_key)
    logger.info(
        "attachment rejected by its check request_id=%s attachment_id=%s",
        request.request_id,
        attachment.attachment_id,
    )


def delete_attachment(
    request: FinanceRequest, attachment_id: str, viewer: Viewer
) -> None:
    attachment = _get_attachment(request.request_id, attachment_id)
    if attachment.uploaded_by != viewer.user_id:
        raise Forbidden("Only the person who added this file can delete it.")
    _require_may_attach(request, viewer)

    def remove(transaction: TransactWrite) -> None:
        transaction.delete(attachment, condition=Attachment.sk.exists())

    if attachment.status == "uploaded":
        entry = transitions.history_entry(
            request, viewer, "detached", request.status, comment=attachment.file_name
        )
        transitions.commit(
            request, [FinanceRequest.attachment_count.add(-1)], entry, also=remove
        )
    else:
        try:
            with TransactWrite(connection=transaction_connection()) as transaction:
                transaction.update(
                    request, actions=[FinanceRequest.attachment_count.add(-1)]
                )
                remove(transaction)
        except TransactWriteError as error:
            if error.cause_response_code != "TransactionCanceledException":
                raise
            raise NotFound(
                f"Attachment '{attachment_id}' was already deleted."
            ) from None
    storage.delete_object(attachment.upload_key)
    storage.delete_object(attachment.storage_key)
    logger.info(
        "attachment deleted request_id=%s attachment_id=%s by=%s",
        request.request_id,
        attachment_id,
        viewer.user_id,
    )


def download_url(request: FinanceRequest, attachment_id: str) -> str:
    """Return a short-lived link; the caller has checked the viewer may see it."""
    attachment = _get_attachment(request.request_id, attachment_id)
    if attachment.status != "uploaded":
        raise Conflict(
            "This file's upload is not complete yet; complete it, then download.",
            status=attachment.status,
        )
    return storage.presigned_download(
        attachment.storage_key, attachment.file_name, attachment.content_type
    )


def attachment_json(attachment: Attachment) -> dict:
    return {
        "attachment_id": attachment.attachment_id,
        "file_name": attachment.file_name,
        "content_type": attachment.content_type,
        "size": int(attachment.size),
        "status": attachment.status,
        "uploaded_by": attachment.uploaded_by,
        "created_at": iso(attachment.created_at),
        "uploaded_at": iso(attachment.uploaded_at) if attachment.uploaded_at else None,
    }
