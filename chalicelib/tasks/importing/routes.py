"""``POST /api/tasks/import``: the file is the body, the format a query parameter
(or the last part of the path: ``/api/tasks/import/trello``, ``.../csv``).

Send the file's bytes unchanged with ``Content-Type: application/octet-stream``
(``text/csv`` and ``application/json`` are accepted too). Query parameters:
- ``format``: trello or csv, required;
- ``statuses``: a JSON object from the file's list or status names to Shtab
  statuses;
- ``assignee_id``: the user who gets tasks whose people are not found, by
  default the importer.
"""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden, InvalidInput
from chalicelib.tasks.importing.service import can_import, import_tasks
from chalicelib.tasks.visibility import viewer_of
from chalicelib.web import caller_of

task_import_routes = Blueprint(__name__)

QUERY_PARAMETERS = {"format", "statuses", "assignee_id"}


# NOTE: API Gateway passes a text/csv or application/json body as UTF-8 text,
# so a Windows-1251 file arrives intact only as application/octet-stream,
# which Chalice lists among its binary types by default.
@task_import_routes.route(
    "",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=["application/octet-stream", "text/csv", "application/json"],
)
def import_file():
    return _import(format_in_path=None)


# The same import with the format in the path: /api/tasks/import/trello and
# /api/tasks/import/csv.
@task_import_routes.route(
    "/{file_format}",
    methods=["POST"],
    authorizer=bearer_authorizer,
    content_types=["application/octet-stream", "text/csv", "application/json"],
)
def import_file_of_format(file_format):
    if file_format not in ("trello", "csv"):
        raise InvalidInput(
            f"Invalid import format '{file_format[:40]}': use "
            "/api/tasks/import/trello or /api/tasks/import/csv.",
            field="format",
        )
    return _import(format_in_path=file_format)


def _import(format_in_path: str | None) -> Response:
    request = task_import_routes.current_request
    viewer = viewer_of(caller_of(request))
    if not can_import(viewer):
        raise Forbidden("Only an admin or a manager can import tasks.")
    params = request.query_params or {}
    allowed = QUERY_PARAMETERS - {"format"} if format_in_path else QUERY_PARAMETERS
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise InvalidInput(
            f"Invalid query parameter '{unknown[0]}': use "
            f"{', '.join(sorted(allowed))} only.",
            field=unknown[0],
        )
    report = import_tasks(
        request.raw_body or b"",
        file_format=format_in_path or params.get("format"),
        statuses=params.get("statuses"),
        assignee_id=params.get("assignee_id"),
        viewer=viewer,
    )
    return Response(report.to_json(), status_code=201 if report.task_ids else 200)
