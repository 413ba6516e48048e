"""The OpenAPI document and the docs page, generated from the app's routes."""

import re
from collections.abc import Callable

import pytest
from chalice import Chalice, Response
from jsonschema import Draft202012Validator
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.finance.export import XLSX_MEDIA_TYPE
from chalicelib.finance.schemas import ListQuery as FinanceListQuery
from chalicelib.finance.schemas import NoBody, RequestCreate
from chalicelib.integrations.tokens import TokenCreate
from chalicelib.openapi.overrides import ROUTE_DOCS, documented
from chalicelib.openapi.spec import build_spec
from chalicelib.tasks.schemas import TaskCreate, TaskUpdate
from chalicelib.web import parse_body

REF_TEMPLATE = "#/components/schemas/{model}"


@pytest.fixture
def spec(api):
    response = api.get("/api/openapi.json")
    assert response.status == 200, response.body[:300]
    return response.json


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        section = "responses" if "/responses/" in schema["$ref"] else "schemas"
        schema = spec["components"][section][name]
    return schema


def body_schema(spec: dict, path: str, method: str) -> dict:
    operation = spec["paths"][path][method]
    return resolve(
        spec, operation["requestBody"]["content"]["application/json"]["schema"]
    )


def model_schema(model) -> dict:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    schema.pop("$defs", None)
    return schema


def test_served_without_token(api):
    response = api.get("/api/openapi.json")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json["openapi"] == "3.1.0"


def test_covers_every_route(spec, app_module):
    for path, methods in app_module.app.routes.items():
        assert path in spec["paths"], path
        documented = {method.upper() for method in spec["paths"][path]}
        assert documented == set(methods), path


def test_route_added_later_appears(api, app_module):
    app = app_module.app
    path = "/api/test-only/{thing_id}/ping"

    @app.route(path, methods=["POST"])
    def ping_for_openapi_test(thing_id):
        return {"pong": thing_id}

    try:
        spec = api.get("/api/openapi.json").json
        operation = spec["paths"][path]["post"]
        assert operation["parameters"] == [
            {
                "name": "thing_id",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
            }
        ]
        assert "requestBody" not in operation
        assert operation["security"] == []
    finally:
        del app.routes[path]
    assert path not in api.get("/api/openapi.json").json["paths"]


@pytest.mark.parametrize(
    ("path", "method", "model"),
    [
        ("/api/tasks", "post", TaskCreate),
        ("/api/tasks/{task_id}", "patch", TaskUpdate),
        ("/api/finance/requests", "post", RequestCreate),
        ("/api/integrations/tokens", "post", TokenCreate),
    ],
)
def test_body_schema_matches_model(spec, path, method, model):
    assert body_schema(spec, path, method) == model_schema(model)
    assert spec["paths"][path][method]["requestBody"]["required"] is True


def test_optional_body_marked_optional(spec):
    operation = spec["paths"]["/api/finance/requests/{request_id}/submit"]["post"]
    assert operation["requestBody"]["required"] is False
    assert resolve(
        spec, operation["requestBody"]["content"]["application/json"]["schema"]
    ) == model_schema(NoBody)


def test_query_model_becomes_parameters(spec):
    operation = spec["paths"]["/api/finance/requests"]["get"]
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    expected = FinanceListQuery.model_json_schema(by_alias=True)["properties"]
    assert set(query) == set(expected)
    calendar = spec["paths"]["/api/finance/calendar"]["get"]
    names = {p["name"] for p in calendar["parameters"] if p["in"] == "query"}
    # The field is from_ in Python and "from" on the wire.
    assert "from" in names


def test_helper_query_params_listed(spec):
    operation = spec["paths"]["/api/chat/channels/{channel_id}/messages"]["get"]
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert query["limit"]["schema"]["type"] == "integer"
    assert query["limit"]["schema"]["minimum"] == 1


def test_path_parameters_listed(spec):
    for path, item in spec["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        for method, operation in item.items():
            documented = [
                p["name"] for p in operation["parameters"] if p["in"] == "path"
            ]
            assert documented == names, f"{method} {path}"


def test_security_follows_authorizer(spec, app_module):
    for path, methods in app_module.app.routes.items():
        for method, entry in methods.items():
            security = spec["paths"][path][method.lower()]["security"]
            if entry.authorizer is None:
                assert security == [], f"{method} {path}"
            else:
                assert security == [{"bearerAuth": []}], f"{method} {path}"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_error_responses_share_error_schema(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["properties"]) == {
        "code",
        "message",
        "field",
    }
    statuses = set()
    for item in spec["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    statuses.add(int(status))
                    body = resolve(spec, response)["content"]["application/json"][
                        "schema"
                    ]
                    assert body == {"$ref": "#/components/schemas/Error"}
    assert {400, 401, 403, 404, 409, 413, 429} <= statuses


def test_error_statuses_per_route(spec):
    create = spec["paths"]["/api/tasks"]["post"]["responses"]
    assert {"201", "400", "401", "403", "409", "413"} <= set(create)
    login = spec["paths"]["/api/auth/login"]["post"]["responses"]
    assert "429" in login
    assert "401" not in spec["paths"]["/api/health"]["get"]["responses"]


def test_no_content_response_has_no_body(spec):
    deleted = spec["paths"]["/api/integrations/hooks/{hook_id}"]["delete"]
    assert "content" not in deleted["responses"]["204"]


def test_export_documents_csv_and_xlsx(spec):
    export = spec["paths"]["/api/finance/requests/export"]["get"]
    content = export["responses"]["200"]["content"]
    assert "text/csv" in content
    assert XLSX_MEDIA_TYPE in content
    assert "application/json" not in content


def test_body_route_documents_not_found(spec):
    # POST /api/org/positions names its department by id in the body.
    assert "404" in spec["paths"]["/api/org/positions"]["post"]["responses"]
    assert "401" in spec["paths"]["/api/auth/login"]["post"]["responses"]


def test_wire_formats_in_body_schemas(spec):
    request = body_schema(spec, "/api/finance/requests", "post")
    assert request["properties"]["amount"]["type"] == "string"
    task = body_schema(spec, "/api/tasks", "post")
    due_types = {option.get("type") for option in task["properties"]["due"]["anyOf"]}
    assert due_types == {"string", "null"}


def test_override_describes_raw_upload(spec):
    operation = spec["paths"]["/api/chat/channels/{channel_id}/import/telegram"]["post"]
    assert set(operation["requestBody"]["content"]) == {
        "application/json",
        "application/octet-stream",
    }


def test_overrides_name_real_routes(app_module):
    for key in ROUTE_DOCS:
        method, path = key.split(" ", 1)
        assert method in app_module.app.routes.get(path, {}), key


def test_component_schemas_valid(spec):
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
        assert "$defs" not in schema, name


def test_every_ref_resolves(spec):
    text = repr(spec)
    for name in re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text):
        assert name in spec["components"]["schemas"], name
    for name in re.findall(r"#/components/responses/([A-Za-z0-9_.-]+)", text):
        assert name in spec["components"]["responses"], name


def test_operation_ids_unique(spec):
    ids = [op["operationId"] for item in spec["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_tags_cover_areas(spec):
    tags = {tag["name"] for tag in spec["tags"]}
    assert {"tasks", "finance", "chat", "org", "users", "integrations"} <= tags
    assert spec["paths"]["/api/tasks/{task_id}"]["get"]["tags"] == ["tasks"]


# The docs page


def test_docs_page_self_contained(api):
    response = api.get("/api/docs")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.body.decode()
    assert "openapi.json" in html
    assert "<script src" not in html
    assert "<link" not in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "innerHTML" not in html
    assert "textContent" in html


def test_docs_page_policy_allows_only_inline_by_hash(api):
    policy = api.get("/api/docs").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "connect-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'", policy)


# The generator on a small app of its own


class Schemaless(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    callback: Callable


class Item(BaseModel):
    name: str = Field(max_length=10)


def small_app() -> Chalice:
    app = Chalice(app_name="openapi-test")

    @app.route("/items", methods=["POST"])
    def create_item():
        """Create an item.

        The body is one item.
        """
        parse_body(app.current_request, Item)
        return Response({}, status_code=201)

    @app.route("/odd", methods=["POST"])
    def odd():
        return parse_body(app.current_request, Schemaless)

    @app.route("/upload", methods=["PUT"], content_types=["text/csv"])
    @documented(summary="Upload a CSV", raw_body={"text/csv": {"type": "string"}})
    def upload():
        return {}

    return app


def test_small_app_documented():
    spec = build_spec(small_app())
    create = spec["paths"]["/items"]["post"]
    assert create["summary"] == "Create an item."
    assert create["description"] == "The body is one item."
    assert "201" in create["responses"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Item"
    }
    assert spec["components"]["schemas"]["Item"] == model_schema(Item)
    upload = spec["paths"]["/upload"]["put"]
    assert upload["summary"] == "Upload a CSV"
    assert upload["requestBody"]["content"] == {
        "text/csv": {"schema": {"type": "string"}}
    }


def test_model_without_json_schema_does_not_break_spec():
    spec = build_spec(small_app())
    odd = spec["paths"]["/odd"]["post"]
    schema = odd["requestBody"]["content"]["application/json"]["schema"]
    assert schema["type"] == "object"
    assert "Schemaless" not in spec["components"]["schemas"]
