"""The OpenAPI 3.1 document of the HTTP API, generated from the running app.

Every route of ``app.routes`` appears. Each view's source is read with ``ast``
to find the pydantic models it validates with. A model passed to
``parse_body``, or to a helper whose name contains "body", is the request
body. A model passed to a helper whose name contains "query", or to ``parse``
with anything but ``read_json(...)``, gives the query parameters. Calls to
``query_param``, ``cursor_param`` and ``limit_param`` add query parameters,
and ``overrides.py`` describes what the source cannot show. Calls made in
helper functions of the view's own module are followed one level deep.
"""

import ast
import inspect
import logging
import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel, PydanticUserError
from pydantic.json_schema import models_json_schema

from chalicelib.openapi.overrides import RouteDoc, route_doc
from chalicelib.web import DEFAULT_MAX_BODY_BYTES, limit_param

logger = logging.getLogger(__name__)

REF_TEMPLATE = "#/components/schemas/{model}"
PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
NO_CONTENT = 204

ERROR_STATUSES = {
    400: ("BadRequest", "Invalid input; error.field names the field to fix."),
    401: ("Unauthenticated", "No valid bearer token; sign in again."),
    403: ("Forbidden", "The caller may not do this, or the token lacks a scope."),
    404: (
        "NotFound",
        "No such item, or it is not visible to the caller; error.field names "
        "the id when it came in the body.",
    ),
    409: ("Conflict", "The item changed meanwhile or the change conflicts."),
    413: ("PayloadTooLarge", "The request body is over the route's limit."),
    422: ("Unprocessable", "The input is valid, but the action it asks for failed."),
    429: ("TooManyRequests", "Too many attempts; retry after Retry-After seconds."),
}

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "examples": ["invalid_input"]},
                "message": {"type": "string"},
                "field": {
                    "type": "string",
                    "description": "The request field or parameter at fault.",
                },
            },
            "additionalProperties": True,
        }
    },
}

GENERIC_RESPONSE = {"type": "object", "additionalProperties": True}

BODY_HELPER = "body"
QUERY_HELPER = "query"


@dataclass
class Found:
    """What the generator found in one view's source."""

    body: type[BaseModel] | None = None
    body_required: bool = True
    query_models: list[type[BaseModel]] = field(default_factory=list)
    # Query parameter name to its JSON Schema.
    query_params: dict[str, dict] = field(default_factory=dict)
    success_status: int | None = None


def _callee_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def _resolve(node: ast.AST, names: dict) -> object:
    if isinstance(node, ast.Name):
        return names.get(node.id)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return getattr(names.get(node.value.id), node.attr, None)
    return None


def _model(node: ast.AST, names: dict) -> type[BaseModel] | None:
    value = _resolve(node, names)
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value
    return None


def _constant(node: ast.AST | None) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def _limit_schema(call: ast.Call) -> dict:
    defaults = inspect.signature(limit_param).parameters
    default = _constant(_keyword(call, "default"))
    maximum = _constant(_keyword(call, "maximum"))
    if default is None and len(call.args) > 1:
        default = _constant(call.args[1])
    return {
        "type": "integer",
        "minimum": 1,
        "maximum": maximum or defaults["maximum"].default,
        "default": default or defaults["default"].default,
    }


def _parsed_from_json(call: ast.Call) -> bool:
    """Tell whether ``parse(Model, data)`` validates a JSON body."""
    if len(call.args) < 2:
        return False
    data = call.args[1]
    return isinstance(data, ast.Call) and _callee_name(data) == "read_json"


def _is_empty_dict(node: ast.AST) -> bool:
    return isinstance(node, ast.Dict) and not node.keys


def _read_call(call: ast.Call, names: dict, found: Found) -> None:
    name = _callee_name(call)
    if name in ("query_param", "cursor_param") and len(call.args) > 1:
        parameter = _constant(call.args[1])
        if isinstance(parameter, str):
            found.query_params.setdefault(parameter, {"type": "string"})
        return
    if name == "limit_param":
        found.query_params["limit"] = _limit_schema(call)
        return
    # Response(..., status_code=201) or a helper that passes it on.
    status = _constant(_keyword(call, "status_code"))
    if isinstance(status, int) and status < 300 and found.success_status is None:
        found.success_status = status

    models = [model for arg in call.args if (model := _model(arg, names))]
    if not models:
        return
    model = models[0]
    lowered = name.lower()
    if name == "parse":
        if len(call.args) > 1 and _is_empty_dict(call.args[1]):
            # parse(Model, {}) validates a body that was left out.
            found.body_required = False
            return
        is_body = _parsed_from_json(call)
    elif BODY_HELPER in lowered:
        is_body = True
        if "optional" in lowered:
            found.body_required = False
    elif QUERY_HELPER in lowered:
        is_body = False
    else:
        return
    if is_body:
        found.body = found.body or model
    elif model not in found.query_models:
        found.query_models.append(model)


def _function_tree(function: Callable) -> ast.AST | None:
    try:
        source = textwrap.dedent(inspect.getsource(function))
    except (OSError, TypeError):
        return None
    return ast.parse(source)


def inspect_view(view: Callable) -> Found:
    """Read the view's source, and its module's helpers one level deep."""
    view = inspect.unwrap(view)
    found = Found()
    names = getattr(view, "__globals__", {})
    pending = [(view, 0)]
    seen = set()
    while pending:
        function, depth = pending.pop(0)
        if function in seen:
            continue
        seen.add(function)
        tree = _function_tree(function)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            _read_call(node, names, found)
            helper = _resolve(node.func, names)
            if (
                depth == 0
                and inspect.isfunction(helper)
                and helper.__module__ == view.__module__
            ):
                pending.append((helper, depth + 1))
    return found


def _tag(path: str) -> str:
    parts = path.strip("/").split("/")
    segment = parts[1] if len(parts) > 1 and parts[0] == "api" else parts[0]
    return segment.split(".")[0]


def _summary(view: Callable, doc: RouteDoc | None) -> tuple[str, str | None]:
    if doc and doc.summary:
        return doc.summary, None
    docstring = inspect.getdoc(inspect.unwrap(view))
    if docstring:
        first, _, rest = docstring.partition("\n")
        return first.strip(), rest.strip() or None
    return view.__name__.replace("_", " ").strip().capitalize(), None


def _error_statuses(
    method: str, secured: bool, found: Found, has_path_params: bool, doc
) -> list[int]:
    statuses = set(doc.errors if doc else ())
    if found.body or found.query_models or found.query_params or has_path_params:
        statuses.add(400)
    if found.body or (doc and doc.raw_body):
        statuses.update((400, 413))
    if secured:
        statuses.update((401, 403))
    # A body names other items by id (a department, a category), and an id
    # that does not exist is 404 with error.field naming it.
    if has_path_params or (secured and found.body):
        statuses.add(404)
    if method in WRITE_METHODS and secured:
        statuses.add(409)
    return sorted(statuses)


class _Schemas:
    """Collects every model's JSON Schema into components/schemas."""

    def __init__(self, models: list[type[BaseModel]]) -> None:
        unique = list(dict.fromkeys(models))
        # A model with a field pydantic cannot express in JSON Schema is left
        # out, so one such model does not take the whole document down.
        self.unschematic = {model for model in unique if not _has_schema(model)}
        usable = [model for model in unique if model not in self.unschematic]
        refs, definitions = models_json_schema(
            [(model, "validation") for model in usable], ref_template=REF_TEMPLATE
        )
        self.refs = {model: refs[(model, "validation")] for model in usable}
        self.components = definitions.get("$defs", {})

    def ref(self, model: type[BaseModel]) -> dict:
        if model in self.unschematic:
            return dict(GENERIC_RESPONSE)
        return dict(self.refs[model])

    def resolved(self, model: type[BaseModel]) -> dict:
        if model in self.unschematic:
            return {}
        name = self.refs[model]["$ref"].rsplit("/", 1)[1]
        return self.components[name]


def _has_schema(model: type[BaseModel]) -> bool:
    try:
        model.model_json_schema(ref_template=REF_TEMPLATE)
    except PydanticUserError as error:
        logger.warning("no JSON Schema for %s: %s", model.__qualname__, error)
        return False
    return True


def _query_parameters(found: Found, schemas: _Schemas) -> list[dict]:
    parameters = {}
    for model in found.query_models:
        schema = schemas.resolved(model)
        required = set(schema.get("required", ()))
        for name, property_schema in schema.get("properties", {}).items():
            parameters[name] = {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": property_schema,
            }
    for name, schema in found.query_params.items():
        parameters.setdefault(
            name, {"name": name, "in": "query", "required": False, "schema": schema}
        )
    return list(parameters.values())


def _request_body(found: Found, doc: RouteDoc | None, schemas: _Schemas):
    if found.body is not None:
        return {
            "required": found.body_required,
            "content": {"application/json": {"schema": schemas.ref(found.body)}},
        }
    if doc and doc.raw_body:
        return {
            "required": True,
            "content": {
                media_type: {"schema": schema}
                for media_type, schema in doc.raw_body.items()
            },
        }
    return None


def _operation(path, method, entry, found, doc, schemas, operation_id) -> dict:
    view = entry.view_function
    summary, description = _summary(view, doc)
    path_names = PATH_PARAMETER.findall(path)
    secured = entry.authorizer is not None
    operation = {
        "operationId": operation_id,
        "tags": [_tag(path)],
        "summary": summary,
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in path_names
        ]
        + _query_parameters(found, schemas),
        "security": [{"bearerAuth": []}] if secured else [],
    }
    if description:
        operation["description"] = description
    body = _request_body(found, doc, schemas)
    if body is not None:
        operation["requestBody"] = body

    success = found.success_status or 200
    responses = {str(success): _success_response(success, doc)}
    statuses = _error_statuses(method, secured, found, bool(path_names), doc)
    for status in statuses:
        responses[str(status)] = {
            "$ref": f"#/components/responses/{ERROR_STATUSES[status][0]}"
        }
    operation["responses"] = responses
    return operation


def _success_response(status: int, doc: RouteDoc | None) -> dict:
    if status == NO_CONTENT:
        return {"description": "Success, with no body."}
    if doc and doc.response:
        content = {media: {"schema": schema} for media, schema in doc.response.items()}
    else:
        content = {"application/json": {"schema": GENERIC_RESPONSE}}
    return {"description": "Success.", "content": content}


def _operation_ids(routes: dict) -> dict[tuple[str, str], str]:
    """Name each operation by its view, suffixed where two views share a name."""
    counts: dict[str, int] = {}
    ids = {}
    for path in sorted(routes):
        for method in sorted(routes[path]):
            name = routes[path][method].view_name
            counts[name] = counts.get(name, 0) + 1
            ids[(path, method)] = (
                name if counts[name] == 1 else f"{name}_{counts[name]}"
            )
    return ids


def build_spec(app) -> dict:
    """Build the OpenAPI 3.1 document of every HTTP route of the Chalice ``app``."""
    routes = app.routes
    found_by_route = {}
    models = []
    for path, methods in routes.items():
        for method, entry in methods.items():
            found = inspect_view(entry.view_function)
            doc = route_doc(method, path, entry.view_function)
            if found.body is None and doc and doc.body:
                found.body = doc.body
            found_by_route[(path, method)] = (found, doc)
            if found.body:
                models.append(found.body)
            models.extend(found.query_models)

    schemas = _Schemas(models)
    operation_ids = _operation_ids(routes)
    paths = {}
    for path in sorted(routes):
        item = {}
        for method in sorted(routes[path]):
            found, doc = found_by_route[(path, method)]
            item[method.lower()] = _operation(
                path,
                method,
                routes[path][method],
                found,
                doc,
                schemas,
                operation_ids[(path, method)],
            )
        paths[path] = item

    components_schemas = {"Error": ERROR_SCHEMA, **schemas.components}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Shtab API",
            "version": "1",
            "description": (
                "The HTTP API of Shtab. Bodies are JSON unless a route says "
                f"otherwise, at most {DEFAULT_MAX_BODY_BYTES} bytes by default. "
                "Errors share one shape: "
                '{"error": {"code", "message", "field"}}.'
            ),
        },
        "tags": [{"name": tag} for tag in sorted({_tag(path) for path in routes})],
        "paths": paths,
        "components": {
            "schemas": components_schemas,
            "responses": {
                name: {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/Error"}
                        }
                    },
                }
                for name, description in ERROR_STATUSES.values()
            },
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": (
                        "A session token from POST /api/auth/login, or an API "
                        "token (shtab_...) that an admin created under "
                        "/api/integrations/tokens."
                    ),
                }
            },
        },
    }
