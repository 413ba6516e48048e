"""HTTP routes of process templates and their launches."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Conflict, NotFound
from chalicelib.processes import catalog, progress
from chalicelib.processes.launching import launch_template
from chalicelib.processes.schemas import LaunchCreate, TemplateCreate
from chalicelib.processes.staffing import resolve_owners
from chalicelib.tasks.visibility import TaskViewer, viewer_of
from chalicelib.web import caller_of, parse_body, require_admin

template_routes = Blueprint(__name__)
launch_routes = Blueprint(f"{__name__}.launches")


def _viewer(blueprint: Blueprint) -> TaskViewer:
    return viewer_of(caller_of(blueprint.current_request))


@template_routes.route("", methods=["GET"], authorizer=bearer_authorizer)
def list_templates():
    _viewer(template_routes)
    return {"templates": catalog.list_templates()}


@template_routes.route("", methods=["POST"], authorizer=bearer_authorizer)
def create_template():
    viewer = _viewer(template_routes)
    require_admin(viewer.caller)
    request = parse_body(template_routes.current_request, TemplateCreate)
    _template_id, summary = catalog.create_template(request, viewer.user_id)
    return Response({"template": summary}, status_code=201)


@template_routes.route("/{template_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_template(template_id):
    viewer = _viewer(template_routes)
    template, item = catalog.get_template(template_id)
    locale = viewer.user.locale or "ru"
    owners = resolve_owners(template)
    steps = [
        {
            "key": owner.step.key,
            "title": owner.step.title.model_dump(),
            "description": owner.step.description.model_dump(),
            "checklist": [text.model_dump() for text in owner.step.checklist],
            "due_offset_days": owner.step.due_offset_days,
            "duration_days": owner.step.duration_days,
            "depends_on": owner.step.depends_on,
            **owner.to_json(),
        }
        for owner in owners
    ]
    return {
        "template": {
            **catalog.template_summary(template_id, template, item),
            "locale": locale,
            "steps": steps,
            "vacant_steps": [owner.step.key for owner in owners if owner.vacant],
        }
    }


@template_routes.route(
    "/{template_id}/launch", methods=["POST"], authorizer=bearer_authorizer
)
def launch(template_id):
    viewer = _viewer(template_routes)
    request = parse_body(template_routes.current_request, LaunchCreate)
    result = launch_template(template_id, request, viewer)
    tasks = result.tasks
    if tasks is None:
        tasks = progress.read_tasks(result.launch)
        if not progress.can_view(result.launch, tasks, viewer):
            # Someone else launched the same name and date; do not show it.
            raise Conflict(
                f"Invalid field 'name': a launch named '{request.name}' with target "
                f"date {request.target_date.isoformat()} already exists; choose "
                "another name.",
                field="name",
            )
    body = {"launch": progress.launch_view(result.launch, tasks)}
    body["created"] = result.created
    return Response(body, status_code=201 if result.created else 200)


@launch_routes.route("/{launch_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_launch(launch_id):
    viewer = _viewer(launch_routes)
    launch = progress.get_launch(launch_id)
    tasks = progress.read_tasks(launch)
    if not progress.can_view(launch, tasks, viewer):
        raise NotFound(f"Launch '{launch_id}' not found.", field="launch_id")
    return {"launch": progress.launch_view(launch, tasks)}
