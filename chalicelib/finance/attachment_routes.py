"""HTTP routes of a payment request's attachments (invoices and receipts)."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.finance import attachments, payment_requests
from chalicelib.finance.schemas import AttachmentCreate, NoBody
from chalicelib.finance.visibility import viewer_of
from chalicelib.web import caller_of, parse, parse_body

attachment_routes = Blueprint(__name__)


def _viewer_and_request(request_id: str):
    viewer = viewer_of(caller_of(attachment_routes.current_request))
    return viewer, payment_requests.get_visible_request(request_id, viewer)


@attachment_routes.route(
    "/{request_id}/attachments", methods=["POST"], authorizer=bearer_authorizer
)
def start_attachment_upload(request_id):
    viewer, request = _viewer_and_request(request_id)
    body = parse_body(attachment_routes.current_request, AttachmentCreate)
    attachment, upload = attachments.start_upload(request, body, viewer)
    return Response(
        {"attachment": attachments.attachment_json(attachment), "upload": upload},
        status_code=201,
    )


@attachment_routes.route(
    "/{request_id}/attachments/{attachment_id}/complete",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def complete_attachment_upload(request_id, attachment_id):
    if (attachment_routes.current_request.raw_body or b"").strip():
        parse_body(attachment_routes.current_request, NoBody)
    else:
        parse(NoBody, {})
    viewer, request = _viewer_and_request(request_id)
    attachment = attachments.complete_upload(request, attachment_id, viewer)
    return {"attachment": attachments.attachment_json(attachment)}


@attachment_routes.route(
    "/{request_id}/attachments/{attachment_id}",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def download_attachment(request_id, attachment_id):
    _viewer, request = _viewer_and_request(request_id)
    return {"url": attachments.download_url(request, attachment_id)}


@attachment_routes.route(
    "/{request_id}/attachments/{attachment_id}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def delete_attachment(request_id, attachment_id):
    viewer, request = _viewer_and_request(request_id)
    attachments.delete_attachment(request, attachment_id, viewer)
    return Response(body="", status_code=204)
