"""HTTP routes for filling a section: importing files and assigning articles to write.

``POST /api/kb/sections/{id}/import?format=markdown|html|docx`` takes the
file's bytes as the body. Send a .docx as
``application/vnd.openxmlformats-officedocument.wordprocessingml.document`` or
``application/octet-stream``. API Gateway passes a ``text/*`` body on as
UTF-8 text, so a file in another encoding must go as
``application/octet-stream`` (with ``; charset=…`` or an HTML ``<meta
charset>``) to arrive intact.
"""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.imports.jobs import create_job, job_json
from chalicelib.kb import assignments, import_articles, import_jobs, present
from chalicelib.kb.access import require_read
from chalicelib.kb.authoring_schemas import AssignmentCreate
from chalicelib.kb.bodies import read_body
from chalicelib.kb.routes import current_reader
from chalicelib.openapi.overrides import documented
from chalicelib.tasks.present import task_json
from chalicelib.web import cursor_param, limit_param, parse_body

DOCX_MEDIA_TYPE = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
)
IMPORT_CONTENT_TYPES = [
    "application/octet-stream",
    DOCX_MEDIA_TYPE,
    "text/markdown",
    "text/html",
    "text/plain",
]
IMPORT_PARAMETERS = {"format", "file_name"}
IMPORT_BODY = {
    media_type: {
        "type": "string",
        "contentMediaType": media_type,
        "description": "The file to import, as the format parameter names it.",
    }
    for media_type in IMPORT_CONTENT_TYPES
}


JOB_CONTENT_TYPES = [*IMPORT_CONTENT_TYPES, "application/zip"]
JOB_PARAMETERS = {"section_id", "format", "file_name"}
JOB_BODY = {
    **IMPORT_BODY,
    "application/zip": {
        "type": "string",
        "contentMediaType": "application/zip",
        "description": "A zip of .md, .txt, .html and .docx files (format=zip).",
    },
}


class AuthoringBlueprint(Blueprint):
    """A blueprint that also registers the .docx media type as binary.

    API Gateway and Chalice hand a request body over as bytes only for media
    types in ``app.api.binary_types``; a zip read as text would be damaged.
    """

    def register(self, app, options) -> None:
        super().register(app, options)
        if DOCX_MEDIA_TYPE not in app.api.binary_types:
            app.api.binary_types.append(DOCX_MEDIA_TYPE)


authoring_routes = AuthoringBlueprint(__name__)


@authoring_routes.route(
    "/sections/{section_id}/import",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=IMPORT_CONTENT_TYPES,
)
@documented(
    summary="Import a Markdown, HTML or .docx file as a draft article",
    raw_body=IMPORT_BODY,
    errors=(413,),
)
def import_article(section_id):
    reader = current_reader(authoring_routes)
    request = authoring_routes.current_request
    params = request.query_params or {}
    unknown = sorted(set(params) - IMPORT_PARAMETERS)
    if unknown:
        raise InvalidInput(
            f"Invalid query parameter '{unknown[0]}': use format and file_name only.",
            field=unknown[0],
        )
    file_format = import_articles.check_format(params.get("format"))
    file_name = import_articles.check_file_name(params.get("file_name"))
    raw = request.raw_body or b""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    article = import_articles.import_article(
        section_id,
        data,
        file_format=file_format,
        file_name=file_name,
        content_type=request.headers.get("content-type"),
        reader=reader,
    )
    rights = require_read(reader, article)
    return Response(
        {"article": present.article_json(article, read_body(article), reader, rights)},
        status_code=201,
    )


@authoring_routes.route(
    "/import",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=JOB_CONTENT_TYPES,
)
@documented(
    summary="Start importing a file or a zip of files into a section as a job",
    raw_body=JOB_BODY,
    errors=(413,),
)
def start_import_job():
    reader = current_reader(authoring_routes)
    request = authoring_routes.current_request
    params = request.query_params or {}
    unknown = sorted(set(params) - JOB_PARAMETERS)
    if unknown:
        raise InvalidInput(
            f"Invalid query parameter '{unknown[0]}': use section_id, format and "
            "file_name only.",
            field=unknown[0],
        )
    section_id = params.get("section_id")
    if not section_id:
        raise InvalidInput(
            "Missing query parameter 'section_id': name the section that gets "
            "the drafts.",
            field="section_id",
        )
    file_format = import_jobs.check_upload_format(params.get("format"))
    file_name = import_articles.check_file_name(params.get("file_name"))
    if reader.caller.is_integration:
        raise Forbidden(
            "An API token cannot start an import job, because the drafts are "
            "written in a person's name; use POST "
            "/api/kb/sections/{id}/import instead."
        )
    import_jobs.require_import_rights(reader, section_id)
    raw = request.raw_body or b""
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    options = import_jobs.upload_options(
        section_id, file_format, file_name, request.headers.get("content-type")
    )
    # Everything is converted once here, so a bad upload queues no job.
    import_jobs.check_upload(data, options)
    job = create_job(import_jobs.KIND, data, reader.user_id, options)
    return Response(body=job_json(job), status_code=202)


@authoring_routes.route(
    "/sections/{section_id}/assignments",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def create_assignment(section_id):
    reader = current_reader(authoring_routes)
    request = parse_body(authoring_routes.current_request, AssignmentCreate)
    assignment, article, task = assignments.create_assignment(
        section_id, request, reader
    )
    return Response(
        {
            "assignment": assignments.assignments_json([assignment])[0],
            "article": present.headers_json([article], reader)[0],
            "task": task_json(task),
        },
        status_code=201,
    )


@authoring_routes.route(
    "/sections/{section_id}/assignments",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def list_assignments(section_id):
    reader = current_reader(authoring_routes)
    request = authoring_routes.current_request
    limit = limit_param(request, default=50, maximum=200)
    after = cursor_param(request, "after")
    page, cursor = assignments.list_assignments(section_id, reader, limit, after)
    return {"assignments": assignments.assignments_json(page), "next_after": cursor}
