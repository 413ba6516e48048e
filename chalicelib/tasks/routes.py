"""HTTP routes of the task tracker."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import InvalidInput
from chalicelib.tasks import checklist, series, service, views
from chalicelib.tasks.present import (
    checklist_item_json,
    comment_json,
    history_json,
    task_json,
    task_summary_json,
)
from chalicelib.tasks.schemas import (
    ChecklistItemCreate,
    ChecklistItemUpdate,
    CommentCreate,
    HistoryQuery,
    ListQuery,
    TaskCreate,
    TaskUpdate,
)
from chalicelib.tasks.thread import find_thread
from chalicelib.tasks.visibility import TaskViewer, get_visible_task, viewer_of
from chalicelib.web import (
    Schema,
    caller_of,
    cursor_param,
    limit_param,
    parse,
    parse_body,
    query_param,
)

task_routes = Blueprint(__name__)

# Query parameters of the first version's lists, which still work without view=.
LEGACY_LIST_PARAMS = {"assignee", "creator", "cursor", "limit"}


def _viewer() -> TaskViewer:
    return viewer_of(caller_of(task_routes.current_request))


def _query(schema: type[Schema]) -> Schema:
    # A form that leaves a filter blank sends "status=", which means no filter.
    params = task_routes.current_request.query_params or {}
    return parse(schema, {name: value for name, value in params.items() if value})


def _body(schema: type[Schema]) -> Schema:
    return parse_body(task_routes.current_request, schema)


@task_routes.route("", methods=["POST"], authorizer=bearer_authorizer)
def create_task():
    viewer = _viewer()
    task = service.create_task(_body(TaskCreate), viewer)
    return Response({"task": task_json(task)}, status_code=201)


@task_routes.route("", methods=["GET"], authorizer=bearer_authorizer)
def list_tasks():
    request = task_routes.current_request
    viewer = _viewer()
    params = request.query_params or {}
    if "view" in params:
        legacy = sorted({"assignee", "creator"} & set(params))
        if legacy:
            raise InvalidInput(
                f"Invalid query parameter '{legacy[0]}': use either view= or the "
                "older assignee=me / creator=me, not both.",
                field=legacy[0],
            )
        query = _query(ListQuery)
        tasks, next_cursor = views.list_view(query, viewer)
        return {
            "tasks": [task_json(task) for task in tasks],
            "next_cursor": next_cursor,
        }

    unknown = sorted(set(params) - LEGACY_LIST_PARAMS)
    if unknown:
        raise InvalidInput(
            f"Invalid query parameter '{unknown[0]}': it needs view=, one of mine, "
            "created, watching, department or overdue.",
            field=unknown[0],
        )
    assignee = query_param(request, "assignee")
    creator = query_param(request, "creator")
    if (assignee, creator) not in (("me", None), (None, "me"), (None, None)):
        raise InvalidInput(
            "Use 'assignee=me' for tasks set for you "
            "or 'creator=me' for tasks you set.",
            field="assignee",
        )
    role = "creator" if creator == "me" else "assignee"
    tasks, next_cursor = views.list_legacy(
        viewer, role, limit_param(request), cursor_param(request, "cursor")
    )
    return {"tasks": [task_json(task) for task in tasks], "next_cursor": next_cursor}


@task_routes.route("/{task_id}", methods=["GET"], authorizer=bearer_authorizer)
def get_task(task_id):
    viewer = _viewer()
    task = get_visible_task(task_id, viewer)
    comments, next_cursor = service.list_comments(
        task_id,
        limit=limit_param(task_routes.current_request, default=100),
        after=cursor_param(task_routes.current_request, "comments_after"),
    )
    body = task_json(task)
    body["subtasks"] = [
        task_summary_json(child) for child in service.visible_subtasks(task, viewer)
    ]
    return {
        "task": body,
        "comments": [comment_json(comment) for comment in comments],
        "comments_next_cursor": next_cursor,
        # The task's chat thread; None until the tasks stream has made it.
        "thread": find_thread(task),
    }


@task_routes.route("/{task_id}", methods=["PATCH"], authorizer=bearer_authorizer)
def update_task(task_id):
    viewer = _viewer()
    scope = query_param(task_routes.current_request, "scope") or "this"
    if scope not in ("this", "future"):
        raise InvalidInput(
            "Invalid query parameter 'scope': use 'this' to change this task only "
            "or 'future' to change its series and its open future occurrences.",
            field="scope",
        )
    request = _body(TaskUpdate)
    if scope == "future":
        task = series.update_future(task_id, request, request.model_fields_set, viewer)
    else:
        task = service.update_task(task_id, request, request.model_fields_set, viewer)
    return {"task": task_json(task)}


@task_routes.route(
    "/{task_id}/comments", methods=["POST"], authorizer=bearer_authorizer
)
def add_comment(task_id):
    viewer = _viewer()
    comment = service.add_comment(task_id, _body(CommentCreate), viewer)
    return Response({"comment": comment_json(comment)}, status_code=201)


@task_routes.route("/{task_id}/history", methods=["GET"], authorizer=bearer_authorizer)
def task_history(task_id):
    viewer = _viewer()
    query = _query(HistoryQuery)
    entries, next_cursor = service.list_history(
        task_id, viewer, limit=query.limit, after=query.cursor
    )
    return {
        "entries": [row for entry in entries for row in history_json(entry)],
        "next_cursor": str(next_cursor) if next_cursor is not None else None,
    }


@task_routes.route(
    "/{task_id}/checklist", methods=["POST"], authorizer=bearer_authorizer
)
def add_checklist_item(task_id):
    viewer = _viewer()
    task, item = checklist.add_item(task_id, _body(ChecklistItemCreate), viewer)
    return Response(
        {"item": checklist_item_json(item), "task": task_json(task)}, status_code=201
    )


@task_routes.route(
    "/{task_id}/checklist/{item_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_checklist_item(task_id, item_id):
    viewer = _viewer()
    request = _body(ChecklistItemUpdate)
    task, item = checklist.update_item(
        task_id, item_id, request, request.model_fields_set, viewer
    )
    return {"item": checklist_item_json(item), "task": task_json(task)}


@task_routes.route(
    "/{task_id}/checklist/{item_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_checklist_item(task_id, item_id):
    viewer = _viewer()
    task = checklist.delete_item(task_id, item_id, viewer)
    return {"task": task_json(task)}


@task_routes.route(
    "/{task_id}/checklist/{item_id}/subtask",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def convert_checklist_item(task_id, item_id):
    viewer = _viewer()
    subtask = checklist.convert_to_subtask(task_id, item_id, viewer)
    parent = get_visible_task(task_id, viewer, consistent=True)
    return Response(
        {"subtask": task_json(subtask), "task": task_json(parent)}, status_code=201
    )
