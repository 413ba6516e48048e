"""HTTP routes that start imports and report on them."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden, InvalidInput, NotFound, PayloadTooLarge
from chalicelib.imports.formats import ExportFileError
from chalicelib.imports.jobs import check_file, create_job, get_job, job_json
from chalicelib.web import caller_of

import_routes = Blueprint(__name__)

# API Gateway accepts request bodies up to 10 MB.
MAX_EXPORT_BYTES = 9 * 1024 * 1024


@import_routes.route(
    "/chat/import/slack",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=["application/zip", "application/octet-stream"],
)
def import_slack():
    return _start("slack", "a Slack workspace export zip")


@import_routes.route(
    "/chat/import/telegram",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=["application/json", "application/octet-stream"],
)
def import_telegram_chats():
    return _start("telegram", "the result.json of a Telegram export")


def _start(kind: str, expected: str) -> Response:
    caller = caller_of(import_routes.current_request)
    if not caller.is_admin:
        raise Forbidden("Only the owner or an admin can import chat history.")
    data = import_routes.current_request.raw_body or b""
    if not data:
        raise InvalidInput(
            f"The request body is empty. Send {expected} as the body.", field="file"
        )
    if len(data) > MAX_EXPORT_BYTES:
        raise PayloadTooLarge(
            f"The export is {len(data)} bytes; the limit is {MAX_EXPORT_BYTES}. "
            "Export a shorter date range or fewer chats.",
            field="file",
        )
    try:
        check_file(kind, data)
    except ExportFileError as error:
        raise InvalidInput(error.message, field=error.field or "file") from None
    job = create_job(kind, data, caller.user_id)
    return Response(body=job_json(job), status_code=202)


@import_routes.route("/imports/{job_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_import(job_id):
    caller = caller_of(import_routes.current_request)
    job = get_job(job_id)
    # Someone else's job is reported as missing, so ids reveal nothing.
    if job.created_by != caller.user_id and not caller.is_admin:
        raise NotFound(f"Import job {job_id} was not found.")
    return job_json(job)
