"""HTTP routes of finance: payment requests, categories, settings and views."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.finance import (
    calendar_view,
    categories,
    export,
    listing,
    payment_requests,
    plan_view,
    settings,
    transitions,
)
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.schemas import (
    ApproveBody,
    CalendarQuery,
    CategoryCreate,
    CategoryUpdate,
    ExportQuery,
    ListQuery,
    NoBody,
    PayBody,
    PlanQuery,
    ReasonBody,
    RequestCreate,
    RequestUpdate,
    ScheduleBody,
    SettingsBody,
)
from chalicelib.finance.thread import find_thread
from chalicelib.finance.visibility import Viewer, viewer_of
from chalicelib.web import Schema, caller_of, parse, parse_body, require_admin


class FinanceBlueprint(Blueprint):
    """A blueprint that also registers the xlsx export's media type as binary.

    Chalice base64-encodes a response, and API Gateway passes it on as bytes,
    only for media types in ``app.api.binary_types``.
    """

    def register(self, app, options) -> None:
        super().register(app, options)
        if export.XLSX_MEDIA_TYPE not in app.api.binary_types:
            app.api.binary_types.append(export.XLSX_MEDIA_TYPE)


finance_routes = FinanceBlueprint(__name__)


def _viewer() -> Viewer:
    return viewer_of(caller_of(finance_routes.current_request))


def _query(schema: type[Schema]) -> Schema:
    # A form that leaves a filter blank sends "status=", which means no filter.
    params = finance_routes.current_request.query_params or {}
    return parse(schema, {name: value for name, value in params.items() if value})


def _optional_body(schema: type[Schema]) -> Schema:
    """Parse a body that may be left out entirely, as for submit and withdraw."""
    request = finance_routes.current_request
    if not (request.raw_body or b"").strip():
        return parse(schema, {})
    return parse_body(request, schema)


def _request_response(request, viewer: Viewer, status_code: int = 200) -> Response:
    body = {"request": payment_requests.request_json(request, viewer, detail=True)}
    return Response(body, status_code=status_code)


# Categories


@finance_routes.route("/categories", methods=["GET"], authorizer=bearer_authorizer)
def list_categories():
    caller_of(finance_routes.current_request)
    return {
        "categories": [
            categories.category_json(category)
            for category in categories.list_categories()
        ]
    }


@finance_routes.route("/categories", methods=["POST"], authorizer=bearer_authorizer)
def create_category():
    require_admin(caller_of(finance_routes.current_request))
    body = parse_body(finance_routes.current_request, CategoryCreate)
    category = categories.create_category(body)
    return Response({"category": categories.category_json(category)}, status_code=201)


@finance_routes.route(
    "/categories/{category_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_category(category_id):
    require_admin(caller_of(finance_routes.current_request))
    body = parse_body(finance_routes.current_request, CategoryUpdate)
    category = categories.update_category(category_id, body, body.model_fields_set)
    return {"category": categories.category_json(category)}


# Settings


@finance_routes.route("/settings", methods=["GET"], authorizer=bearer_authorizer)
def get_settings():
    require_admin(caller_of(finance_routes.current_request))
    org = OrgSnapshot()
    return {"settings": settings.settings_json(settings.load_settings(org), org)}


@finance_routes.route("/settings", methods=["PUT"], authorizer=bearer_authorizer)
def put_settings():
    caller = caller_of(finance_routes.current_request)
    require_admin(caller)
    body = parse_body(finance_routes.current_request, SettingsBody)
    org = OrgSnapshot()
    settings.save_settings(body, org, caller.user_id)
    return {"settings": settings.settings_json(settings.load_settings(org), org)}


# Requests


@finance_routes.route("/requests", methods=["POST"], authorizer=bearer_authorizer)
def create_request():
    viewer = _viewer()
    body = parse_body(finance_routes.current_request, RequestCreate)
    request = payment_requests.create_request(body, viewer)
    return _request_response(request, viewer, status_code=201)


@finance_routes.route("/requests", methods=["GET"], authorizer=bearer_authorizer)
def list_requests():
    viewer = _viewer()
    query = _query(ListQuery)
    rows, next_cursor = listing.list_page(
        query.view, viewer, query.status, query.cursor, query.limit
    )
    return {
        "requests": [payment_requests.request_json(row, viewer) for row in rows],
        "next_cursor": next_cursor,
    }


@finance_routes.route("/requests/export", methods=["GET"], authorizer=bearer_authorizer)
def export_requests():
    viewer = _viewer()
    query = _query(ExportQuery)
    rows = export.export_rows(viewer, query.view, query.status, query.period)
    if query.format == "xlsx":
        return Response(
            body=export.to_xlsx(rows),
            status_code=200,
            headers={
                "Content-Type": export.XLSX_MEDIA_TYPE,
                "Content-Disposition": 'attachment; filename="payment-requests.xlsx"',
            },
        )
    return Response(
        body=export.to_csv(rows),
        status_code=200,
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": 'attachment; filename="payment-requests.csv"',
        },
    )


@finance_routes.route(
    "/requests/{request_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_request(request_id):
    viewer = _viewer()
    request = payment_requests.get_visible_request(request_id, viewer)
    response = _request_response(request, viewer)
    response.body["request"]["thread"] = find_thread(request_id)
    return response


@finance_routes.route(
    "/requests/{request_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_request(request_id):
    viewer = _viewer()
    body = parse_body(finance_routes.current_request, RequestUpdate)
    request = payment_requests.update_request(
        request_id, body, body.model_fields_set, viewer
    )
    return _request_response(request, viewer)


def _act(request_id: str, action) -> Response:
    viewer = _viewer()
    request = payment_requests.get_visible_request(request_id, viewer)
    return _request_response(action(request, viewer), viewer)


@finance_routes.route(
    "/requests/{request_id}/submit", methods=["POST"], authorizer=bearer_authorizer
)
def submit_request(request_id):
    _optional_body(NoBody)
    return _act(request_id, transitions.submit)


@finance_routes.route(
    "/requests/{request_id}/approve", methods=["POST"], authorizer=bearer_authorizer
)
def approve_request(request_id):
    body = _optional_body(ApproveBody)
    return _act(
        request_id, lambda request, viewer: transitions.approve(request, viewer, body)
    )


@finance_routes.route(
    "/requests/{request_id}/reject", methods=["POST"], authorizer=bearer_authorizer
)
def reject_request(request_id):
    body = parse_body(finance_routes.current_request, ReasonBody)
    return _act(
        request_id,
        lambda request, viewer: transitions.decline(
            request, viewer, body.reason, to_status="rejected"
        ),
    )


@finance_routes.route(
    "/requests/{request_id}/return", methods=["POST"], authorizer=bearer_authorizer
)
def return_request(request_id):
    body = parse_body(finance_routes.current_request, ReasonBody)
    return _act(
        request_id,
        lambda request, viewer: transitions.decline(
            request, viewer, body.reason, to_status="returned"
        ),
    )


@finance_routes.route(
    "/requests/{request_id}/withdraw", methods=["POST"], authorizer=bearer_authorizer
)
def withdraw_request(request_id):
    _optional_body(NoBody)
    return _act(request_id, transitions.withdraw)


@finance_routes.route(
    "/requests/{request_id}/schedule", methods=["POST"], authorizer=bearer_authorizer
)
def schedule_request(request_id):
    body = parse_body(finance_routes.current_request, ScheduleBody)
    return _act(
        request_id, lambda request, viewer: transitions.schedule(request, viewer, body)
    )


@finance_routes.route(
    "/requests/{request_id}/pay", methods=["POST"], authorizer=bearer_authorizer
)
def pay_request(request_id):
    body = parse_body(finance_routes.current_request, PayBody)
    return _act(
        request_id, lambda request, viewer: transitions.pay(request, viewer, body)
    )


# Views


@finance_routes.route("/calendar", methods=["GET"], authorizer=bearer_authorizer)
def payment_calendar():
    viewer = _viewer()
    query = _query(CalendarQuery)
    return calendar_view.payment_calendar(query.from_, query.to, viewer)


@finance_routes.route("/plan", methods=["GET"], authorizer=bearer_authorizer)
def monthly_plan():
    viewer = _viewer()
    query = _query(PlanQuery)
    return plan_view.monthly_plan(query.month, viewer)
