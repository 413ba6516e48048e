"""HTTP routes of chat files: upload requests, downloads and image previews."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.chat import attachments
from chalicelib.chat.schemas import AttachmentUpload
from chalicelib.errors import Forbidden
from chalicelib.web import caller_of, parse_body

chat_attachment_routes = Blueprint(__name__)


@chat_attachment_routes.route(
    "/channels/{channel_id}/attachments", methods=["POST"], authorizer=bearer_authorizer
)
def start_attachment_upload(channel_id):
    caller = caller_of(chat_attachment_routes.current_request)
    body = parse_body(chat_attachment_routes.current_request, AttachmentUpload)
    if caller.is_integration:
        raise Forbidden("An API token cannot upload files to chat.")
    attachment, upload = attachments.start_upload(
        channel_id, caller.user_id, body.file_name, body.content_type, body.size
    )
    return Response(
        {"attachment": attachments.attachment_json(attachment), "upload": upload},
        status_code=201,
    )


@chat_attachment_routes.route(
    "/attachments/{attachment_id}", methods=["GET"], authorizer=bearer_authorizer
)
def download_attachment(attachment_id):
    caller = caller_of(chat_attachment_routes.current_request)
    attachment = attachments.readable_attachment(attachment_id, caller)
    return {
        "attachment": attachments.attachment_json(attachment),
        "url": attachments.download_url(attachment),
    }


@chat_attachment_routes.route(
    "/attachments/{attachment_id}/preview",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def preview_attachment(attachment_id):
    caller = caller_of(chat_attachment_routes.current_request)
    attachment = attachments.readable_attachment(attachment_id, caller)
    return {"url": attachments.preview_url(attachment)}
