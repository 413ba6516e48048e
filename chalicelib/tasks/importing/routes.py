"""Task import routes. The file is always the raw body, sent unchanged with
``Content-Type: application/octet-stream`` (``text/csv`` and
``application/json`` are accepted too).

- ``POST /api/tasks/import/preview?format=trello|csv``: the detected shape,
  columns, proposed mapping, statuses, people and sample tasks; writes nothing.
- ``POST /api/tasks/import/trello`` and ``.../csv``: queue an import job and
  return it (202); ``GET /api/imports/{id}`` reports progress and the result.
- ``POST /api/tasks/import?format=trello|csv``: import at once and return the
  report (201, or 200 when nothing was created).
- ``GET /api/tasks/import/placeholders`` and
  ``POST /api/tasks/import/placeholders/{id}/map`` with ``{"user_id": ...}``.

Query parameters of the preview and both imports:
- ``format``: trello or csv, unless the path names it;
- ``columns``: a JSON object from source columns to task fields (null leaves a
  column out); columns it does not name keep the proposed field;
- ``statuses``: a JSON object from the file's list or status names to Shtab
  statuses;
- ``people``: a JSON object from the preview's person keys to a user id,
  "placeholder" or "none";
- ``assignee_id``: the user who gets tasks whose file names no one, by
  default the importer.

NOTE: the mappings travel in the query string, which API Gateway limits to
about 10 KB together with the headers. That is an estimate of room for a few
dozen columns and people, not a measured limit.
"""

from chalice import Blueprint, Response
from pydantic import Field

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.imports.jobs import create_job, job_json
from chalicelib.tasks.importing.import_job import JOB_KINDS, job_options
from chalicelib.tasks.importing.placeholders import list_placeholders, map_placeholder
from chalicelib.tasks.importing.preview import preview_json
from chalicelib.tasks.importing.service import (
    ImportRequest,
    can_import,
    import_tasks,
    plan_import,
)
from chalicelib.tasks.schemas import Identifier, Strict
from chalicelib.tasks.visibility import TaskViewer, viewer_of
from chalicelib.web import caller_of, parse_body

task_import_routes = Blueprint(__name__)

QUERY_PARAMETERS = {"format", "columns", "statuses", "people", "assignee_id"}
CONTENT_TYPES = ["application/octet-stream", "text/csv", "application/json"]


class PlaceholderMapping(Strict):
    user_id: Identifier = Field(
        description="The user who takes the placeholder's place."
    )


def _importer() -> TaskViewer:
    viewer = viewer_of(caller_of(task_import_routes.current_request))
    if not can_import(viewer):
        raise Forbidden("Only an admin or a manager can import tasks.")
    return viewer


def _import_request(format_in_path: str | None) -> ImportRequest:
    params = task_import_routes.current_request.query_params or {}
    allowed = QUERY_PARAMETERS - {"format"} if format_in_path else QUERY_PARAMETERS
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidInput(
            f"Invalid query parameter '{unknown[0]}': use "
            f"{', '.join(sorted(allowed))} only.",
            field=unknown[0],
        )
    return ImportRequest(
        file_format=format_in_path or params.get("format"),
        columns=params.get("columns"),
        statuses=params.get("statuses"),
        people=params.get("people"),
        assignee_id=params.get("assignee_id"),
    )


# NOTE: API Gateway passes a text/csv or application/json body as UTF-8 text,
# so a Windows-1251 file arrives intact only as application/octet-stream,
# which Chalice lists among its binary types by default.
@task_import_routes.route(
    "", methods=["POST"], authorizer=bearer_authorizer, content_types=CONTENT_TYPES
)
def import_file():
    viewer = _importer()
    request = _import_request(format_in_path=None)
    raw = task_import_routes.current_request.raw_body or b""
    report = import_tasks(raw, request, viewer)
    return Response(report.to_json(), status_code=201 if report.task_ids else 200)


@task_import_routes.route(
    "/preview",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=CONTENT_TYPES,
)
def preview_file():
    viewer = _importer()
    request = _import_request(format_in_path=None)
    raw = task_import_routes.current_request.raw_body or b""
    return preview_json(plan_import(raw, request, viewer))


# The import as a background job: /api/tasks/import/trello and .../csv.
@task_import_routes.route(
    "/{file_format}",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=CONTENT_TYPES,
)
def import_file_of_format(file_format):
    if file_format not in JOB_KINDS:
        raise InvalidInput(
            f"Invalid import format '{file_format[:40]}': use "
            "/api/tasks/import/trello or /api/tasks/import/csv.",
            field="format",
        )
    viewer = _importer()
    request = _import_request(format_in_path=file_format)
    raw = task_import_routes.current_request.raw_body or b""
    # The whole check runs now, so a bad file or mapping is a 400 here and not
    # a failed job later.
    plan_import(raw, request, viewer)
    job = create_job(
        JOB_KINDS[file_format],
        raw,
        viewer.user_id,
        options=job_options(request, viewer.caller),
    )
    return Response(body=job_json(job), status_code=202)


@task_import_routes.route(
    "/placeholders", methods=["GET"], authorizer=bearer_authorizer
)
def get_placeholders():
    _importer()
    return {"placeholders": list_placeholders()}


@task_import_routes.route(
    "/placeholders/{placeholder_id}/map",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def map_placeholder_to_user(placeholder_id):
    viewer = _importer()
    if not viewer.is_admin:
        raise Forbidden("Only the owner or an admin can map placeholders to people.")
    body = parse_body(task_import_routes.current_request, PlaceholderMapping)
    return map_placeholder(placeholder_id, body.user_id, viewer)
