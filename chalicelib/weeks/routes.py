"""HTTP routes of weekly planning and review, under /api/weeks."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.clock import iso, utc_now
from chalicelib.errors import InvalidInput
from chalicelib.tasks.visibility import TaskViewer, viewer_of
from chalicelib.web import Schema, caller_of, parse, parse_body
from chalicelib.weeks import notes, plans, review
from chalicelib.weeks.access import WeekAccess
from chalicelib.weeks.calendar import IsoWeek, parse_iso_week, week_of_moment
from chalicelib.weeks.models import WeekPlan
from chalicelib.weeks.schemas import (
    CloseBody,
    NotesBody,
    NotesQuery,
    PlanBody,
    PlanQuery,
    ReviewQuery,
)

week_routes = Blueprint(__name__)

# Plans reach at most this far past the current week, which also bounds how
# far one read can roll tasks forward.
MAX_WEEKS_AHEAD = 52


def _viewer() -> TaskViewer:
    return viewer_of(caller_of(week_routes.current_request))


def _query(schema: type[Schema]) -> Schema:
    # A form that leaves a filter blank sends "department_id=", meaning no filter.
    params = week_routes.current_request.query_params or {}
    return parse(schema, {name: value for name, value in params.items() if value})


def _body(schema: type[Schema]) -> Schema:
    return parse_body(week_routes.current_request, schema)


def _optional_body(schema: type[Schema]) -> Schema:
    if not (week_routes.current_request.raw_body or b"").strip():
        return parse(schema, {})
    return _body(schema)


def _plannable_week(text: str) -> IsoWeek:
    week = parse_iso_week(text)
    current = week_of_moment(utc_now())
    if current.weeks_until(week) > MAX_WEEKS_AHEAD:
        raise InvalidInput(
            f"Invalid field 'iso_week': plan at most {MAX_WEEKS_AHEAD} weeks ahead "
            f"of the current week {current}.",
            field="iso_week",
        )
    return week


def _plan_json(
    plan: WeekPlan | None, user_id: str, week: IsoWeek, viewer: TaskViewer
) -> dict:
    now = utc_now()
    entries = list(plan.tasks or []) if plan is not None else []
    tasks = plans.tasks_by_id([entry.task_id for entry in entries])
    return {
        "user_id": user_id,
        "iso_week": str(week),
        "week_start": iso(week.start),
        "week_end": iso(week.end),
        "version": plans.plan_version(plan),
        "closed_at": iso(plan.closed_at) if plan and plan.closed_at else None,
        "closed_into": plan.closed_into if plan is not None else None,
        "tasks": [
            review.planned_task_json(entry, tasks.get(entry.task_id), week, now, viewer)
            for entry in entries
        ],
    }


@week_routes.route("/{iso_week}/plan", methods=["GET"], authorizer=bearer_authorizer)
def get_plan(iso_week):
    week = _plannable_week(iso_week)
    viewer = _viewer()
    query = _query(PlanQuery)
    person = WeekAccess(viewer).person_for_plan(query.user_id)
    plan = plans.read_plan(person.user_id, week, viewer.user_id)
    return {"plan": _plan_json(plan, person.user_id, week, viewer)}


@week_routes.route("/{iso_week}/plan", methods=["PUT"], authorizer=bearer_authorizer)
def put_plan(iso_week):
    week = _plannable_week(iso_week)
    viewer = _viewer()
    body = _body(PlanBody)
    seen: set[str] = set()
    for position, task_id in enumerate(body.task_ids):
        if task_id in seen:
            raise InvalidInput(
                f"Invalid field 'task_ids.{position}': task '{task_id}' is listed "
                "twice; list each task once.",
                field=f"task_ids.{position}",
            )
        seen.add(task_id)
    person = WeekAccess(viewer).person_for_plan(body.user_id)
    plan = plans.save_plan(person, week, body.task_ids, body.version, viewer)
    return {"plan": _plan_json(plan, person.user_id, week, viewer)}


@week_routes.route("/{iso_week}/close", methods=["POST"], authorizer=bearer_authorizer)
def close_week(iso_week):
    week = _plannable_week(iso_week)
    viewer = _viewer()
    body = _optional_body(CloseBody)
    if body.user_id is not None and body.department_id is not None:
        raise InvalidInput(
            "Invalid field 'department_id': name either user_id or department_id, "
            "not both.",
            field="department_id",
        )
    access = WeekAccess(viewer)
    if body.department_id is not None:
        people = access.review_people(body.department_id)
    else:
        people = [access.person_for_plan(body.user_id)]
    closed = []
    for person in people:
        next_plan = plans.close_week(person.user_id, week, viewer.user_id)
        closed.append(
            {
                "user_id": person.user_id,
                "had_plan": plans.find_plan(person.user_id, week) is not None,
                "next_version": plans.plan_version(next_plan),
            }
        )
    return {"iso_week": str(week), "next_week": str(week.next()), "people": closed}


@week_routes.route("/{iso_week}/review", methods=["GET"], authorizer=bearer_authorizer)
def get_review(iso_week):
    week = parse_iso_week(iso_week)
    viewer = _viewer()
    query = _query(ReviewQuery)
    access = WeekAccess(viewer)
    people = access.review_people(query.department_id)
    rows = review.review_json(review.build_review(people, week, viewer), week, access)
    if query.format == "csv":
        name = f"review-{week}.csv"
        return Response(
            body=review.review_csv(rows, week),
            status_code=200,
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{name}"',
            },
        )
    return {
        "iso_week": str(week),
        "week_start": iso(week.start),
        "week_end": iso(week.end),
        "department_id": query.department_id,
        "people": rows,
    }


@week_routes.route("/{iso_week}/notes", methods=["GET"], authorizer=bearer_authorizer)
def get_notes(iso_week):
    week = parse_iso_week(iso_week)
    viewer = _viewer()
    query = _query(NotesQuery)
    WeekAccess(viewer).check_notes(query.department_id)
    found = notes.find_notes(query.department_id, week)
    return {"notes": notes.notes_json(found, query.department_id, week)}


@week_routes.route("/{iso_week}/notes", methods=["PUT"], authorizer=bearer_authorizer)
def put_notes(iso_week):
    week = parse_iso_week(iso_week)
    viewer = _viewer()
    query = _query(NotesQuery)
    body = _body(NotesBody)
    WeekAccess(viewer).check_notes(query.department_id)
    saved = notes.save_notes(
        query.department_id, week, body.text, body.version, viewer.user_id
    )
    return {"notes": notes.notes_json(saved, query.department_id, week)}
