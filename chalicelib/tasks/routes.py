"""HTTP routes of the task tracker."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import InvalidInput
from chalicelib.tasks import service
from chalicelib.tasks.schemas import CommentCreate, TaskCreate, TaskUpdate
from chalicelib.web import caller_of, cursor_param, limit_param, parse_body, query_param

task_routes = Blueprint(__name__)


@task_routes.route("", methods=["POST"], authorizer=bearer_authorizer)
def create_task():
    caller = caller_of(task_routes.current_request)
    request = parse_body(task_routes.current_request, TaskCreate)
    task = service.create_task(request, caller)
    return Response({"task": service.task_json(task)}, status_code=201)


@task_routes.route("", methods=["GET"], authorizer=bearer_authorizer)
def list_tasks():
    request = task_routes.current_request
    caller = caller_of(request)
    assignee = query_param(request, "assignee")
    creator = query_param(request, "creator")
    if (assignee, creator) not in (("me", None), (None, "me"), (None, None)):
        raise InvalidInput(
            "Use 'assignee=me' for tasks set for you "
            "or 'creator=me' for tasks you set.",
            field="assignee",
        )
    role = "creator" if creator == "me" else "assignee"
    tasks, next_cursor = service.list_tasks(
        caller,
        role,
        limit_param(request),
        cursor_param(task_routes.current_request, "cursor"),
    )
    return {
        "tasks": [service.task_json(task) for task in tasks],
        "next_cursor": next_cursor,
    }


@task_routes.route("/{task_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_task(task_id):
    caller = caller_of(task_routes.current_request)
    task = service.get_visible_task(task_id, caller)
    comments, next_cursor = service.list_comments(
        task_id,
        limit=limit_param(task_routes.current_request, default=100),
        after=cursor_param(task_routes.current_request, "comments_after"),
    )
    return {
        "task": service.task_json(task),
        "comments": [service.comment_json(comment) for comment in comments],
        "comments_next_cursor": next_cursor,
    }


@task_routes.route("/{task_id}", methods=["PATCH"], authorizer=bearer_authorizer)
def update_task(task_id):
    caller = caller_of(task_routes.current_request)
    request = parse_body(task_routes.current_request, TaskUpdate)
    if not request.model_fields_set:
        raise InvalidInput("Send at least one field to change.")
    service.update_task(task_id, request, request.model_fields_set, caller)
    return {"task": service.task_json(service.get_task(task_id))}


@task_routes.route(
    "/{task_id}/comments", methods=["POST"], authorizer=bearer_authorizer
)
def add_comment(task_id):
    caller = caller_of(task_routes.current_request)
    request = parse_body(task_routes.current_request, CommentCreate)
    comment = service.add_comment(task_id, request, caller)
    return Response({"comment": service.comment_json(comment)}, status_code=201)
