"""HTTP routes of the knowledge base: sections, templates and search."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.kb import articles, present, search, sections
from chalicelib.kb.access import Reader, reader_of
from chalicelib.kb.schemas import SectionCreate, SectionUpdate
from chalicelib.kb.seeds import ensure_seeded
from chalicelib.web import (
    caller_of,
    limit_param,
    parse_body,
    query_param,
    require_admin,
)

kb_routes = Blueprint(__name__)


def current_reader(blueprint: Blueprint) -> Reader:
    """Return the caller's ``Reader``, creating the shipped content on first use."""
    reader = reader_of(caller_of(blueprint.current_request))
    ensure_seeded()
    return reader


def _admin() -> Reader:
    reader = current_reader(kb_routes)
    require_admin(reader.caller)
    return reader


@kb_routes.route("/sections", methods=["GET"], authorizer=bearer_authorizer)
def list_sections():
    reader = current_reader(kb_routes)
    return {"sections": sections.section_tree(reader)}


@kb_routes.route("/sections", methods=["POST"], authorizer=bearer_authorizer)
def create_section():
    reader = _admin()
    request = parse_body(kb_routes.current_request, SectionCreate)
    section = sections.create_section(request, reader)
    reader.forget_sections()
    return Response(
        {"section": sections.section_json(section, reader)}, status_code=201
    )


@kb_routes.route(
    "/sections/{section_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_section(section_id):
    reader = current_reader(kb_routes)
    section = sections.visible_section(reader, section_id)
    listed = articles.section_articles(reader, section_id)
    return {
        "section": sections.section_json(section, reader),
        "path": sections.section_path(reader, section_id),
        "articles": present.headers_json(listed, reader),
    }


@kb_routes.route(
    "/sections/{section_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_section(section_id):
    reader = _admin()
    request = parse_body(kb_routes.current_request, SectionUpdate)
    sections.update_section(section_id, request, request.model_fields_set, reader)
    reader.forget_sections()
    section = sections.get_section(section_id)
    return {"section": sections.section_json(section, reader)}


@kb_routes.route(
    "/sections/{section_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_section(section_id):
    reader = _admin()
    sections.delete_section(section_id, reader)
    return Response(body="", status_code=204)


@kb_routes.route("/templates", methods=["GET"], authorizer=bearer_authorizer)
def list_templates():
    reader = current_reader(kb_routes)
    return {
        "templates": present.headers_json(articles.template_articles(reader), reader)
    }


@kb_routes.route("/search", methods=["GET"], authorizer=bearer_authorizer)
def search_articles():
    reader = current_reader(kb_routes)
    request = kb_routes.current_request
    limit = limit_param(request, default=20, maximum=50)
    return search.search(reader, query_param(request, "q"), limit)
