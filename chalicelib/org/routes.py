"""HTTP routes of the org structure."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.org import service, template
from chalicelib.org.schemas import (
    DepartmentCreate,
    DepartmentUpdate,
    PositionCreate,
    PositionUpdate,
)
from chalicelib.web import caller_of, parse_body, require_admin

org_routes = Blueprint(__name__)


def _admin():
    caller = caller_of(org_routes.current_request)
    require_admin(caller)
    return caller


@org_routes.route("/templates", methods=["GET"], authorizer=bearer_authorizer)
def list_templates():
    caller_of(org_routes.current_request)
    return {
        "templates": [template.template_summary(key) for key in template.TEMPLATE_FILES]
    }


@org_routes.route(
    "/templates/{key}/apply", methods=["POST"], authorizer=bearer_authorizer
)
def apply_template(key):
    caller = _admin()
    return template.apply_template(key, caller.user_id)


@org_routes.route("/departments", methods=["GET"], authorizer=bearer_authorizer)
def list_departments():
    caller_of(org_routes.current_request)
    return {
        "departments": [service.department_json(d) for d in service.list_departments()]
    }


@org_routes.route("/departments", methods=["POST"], authorizer=bearer_authorizer)
def create_department():
    _admin()
    request = parse_body(org_routes.current_request, DepartmentCreate)
    department = service.create_department(request)
    return Response(
        {"department": service.department_json(department)}, status_code=201
    )


@org_routes.route(
    "/departments/{department_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_department(department_id):
    _admin()
    request = parse_body(org_routes.current_request, DepartmentUpdate)
    department = service.update_department(
        department_id, request, request.model_fields_set
    )
    return {"department": service.department_json(department)}


@org_routes.route(
    "/departments/{department_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_department(department_id):
    _admin()
    service.delete_department(department_id)
    return Response(body="", status_code=204)


@org_routes.route("/positions", methods=["GET"], authorizer=bearer_authorizer)
def list_positions():
    caller_of(org_routes.current_request)
    return {"positions": [service.position_json(p) for p in service.list_positions()]}


@org_routes.route("/positions", methods=["POST"], authorizer=bearer_authorizer)
def create_position():
    _admin()
    request = parse_body(org_routes.current_request, PositionCreate)
    position = service.create_position(request)
    return Response({"position": service.position_json(position)}, status_code=201)


@org_routes.route(
    "/positions/{position_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_position(position_id):
    _admin()
    request = parse_body(org_routes.current_request, PositionUpdate)
    position = service.update_position(position_id, request, request.model_fields_set)
    return {"position": service.position_json(position)}


@org_routes.route(
    "/positions/{position_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_position(position_id):
    _admin()
    service.delete_position(position_id)
    return Response(body="", status_code=204)


@org_routes.route("/chart", methods=["GET"], authorizer=bearer_authorizer)
def chart():
    caller_of(org_routes.current_request)
    return {"departments": service.org_chart()}
