"""HTTP routes of recurring task series, under /api/tasks/series.

Occurrences are ordinary tasks: they are read and changed through the task
routes, and ``PATCH /api/tasks/{task_id}?scope=future`` changes the series too.
"""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import InvalidInput
from chalicelib.tasks import series
from chalicelib.tasks.present import task_json
from chalicelib.tasks.series_schemas import SeriesCreate
from chalicelib.tasks.visibility import TaskViewer, viewer_of
from chalicelib.web import caller_of, parse_body

series_routes = Blueprint(__name__)


def _viewer() -> TaskViewer:
    return viewer_of(caller_of(series_routes.current_request))


@series_routes.route("", methods=["POST"], authorizer=bearer_authorizer)
def create_series():
    viewer = _viewer()
    request = parse_body(series_routes.current_request, SeriesCreate)
    created, task = series.create_series(request, viewer)
    return Response(
        {"series": series.series_json(created), "task": task_json(task)},
        status_code=201,
    )


@series_routes.route("", methods=["GET"], authorizer=bearer_authorizer)
def list_series():
    viewer = _viewer()
    return {"series": [series.series_json(item) for item in series.list_series(viewer)]}


@series_routes.route("/{series_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_series(series_id):
    viewer = _viewer()
    return {"series": series.series_json(series.get_visible_series(series_id, viewer))}


@series_routes.route(
    "/{series_id}/stop", methods=["POST"], authorizer=bearer_authorizer
)
def stop_series(series_id):
    viewer = _viewer()
    if (series_routes.current_request.raw_body or b"").strip():
        raise InvalidInput("Send no body: stopping a series takes no fields.")
    return {"series": series.series_json(series.stop_series(series_id, viewer))}
