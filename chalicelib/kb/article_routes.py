"""HTTP routes of knowledge base articles: editing, history, reading and images."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Forbidden, NotFound
from chalicelib.kb import acknowledgements, articles, conflicts, images, present
from chalicelib.kb import revisions as revision_history
from chalicelib.kb.access import require_read
from chalicelib.kb.acknowledgements import receipt_state
from chalicelib.kb.bodies import read_body
from chalicelib.kb.routes import current_reader
from chalicelib.kb.schemas import (
    AccessBody,
    ArticleCreate,
    ArticleUpdate,
    ImageCreate,
    NoBody,
    RestoreBody,
)
from chalicelib.kb.sections import grants_from
from chalicelib.web import limit_param, parse, query_param, read_json, require_admin

article_routes = Blueprint(__name__)

# A 1 MB body of Cyrillic text is up to 6 MB as JSON with \u escapes, but
# Lambda takes at most 6 MB per request; 5 MB leaves room for the rest.
MAX_ARTICLE_REQUEST_BYTES = 5 * 1024 * 1024


def _reader():
    return current_reader(article_routes)


def _body(schema, max_bytes: int | None = None):
    """Parse the JSON body; an action without fields may also send none."""
    request = article_routes.current_request
    if schema is NoBody or schema is RestoreBody:
        if not (request.raw_body or b"").strip():
            return parse(schema, {})
    if max_bytes is None:
        return parse(schema, read_json(request))
    return parse(schema, read_json(request, max_bytes))


def _revision_number(raw: str, field: str = "revision") -> int:
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 99_999_999:
        raise NotFound(
            f"No such {field}: use a revision number from 1 up.", field=field
        )
    return int(raw)


def _full(article, reader, rights):
    return present.article_json(article, read_body(article), reader, rights)


@article_routes.route("/articles", methods=["POST"], authorizer=bearer_authorizer)
def create_article():
    reader = _reader()
    request = _body(ArticleCreate, MAX_ARTICLE_REQUEST_BYTES)
    article = articles.create_article(request, reader)
    rights = require_read(reader, article)
    return Response({"article": _full(article, reader, rights)}, status_code=201)


@article_routes.route(
    "/articles/{article_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_article(article_id):
    reader = _reader()
    article = articles.get_article(article_id)
    rights = require_read(reader, article)
    if reader.is_target(article):
        acknowledgements.record_read(article, reader)
    return {"article": _full(article, reader, rights)}


@article_routes.route(
    "/articles/{article_id}", methods=["PUT"], authorizer=bearer_authorizer
)
def update_article(article_id):
    reader = _reader()
    request = _body(ArticleUpdate, MAX_ARTICLE_REQUEST_BYTES)
    article = articles.update_article(
        article_id, request, request.model_fields_set, reader
    )
    rights = require_read(reader, article)
    return {"article": _full(article, reader, rights)}


@article_routes.route(
    "/articles/{article_id}/access", methods=["PUT"], authorizer=bearer_authorizer
)
def set_article_access(article_id):
    reader = _reader()
    require_admin(reader.caller)
    request = _body(AccessBody)
    grants = grants_from(request.grants, reader)
    article = articles.set_grants(article_id, grants, reader)
    return {"article": present.headers_json([article], reader)[0]}


@article_routes.route(
    "/articles/{article_id}/revisions", methods=["GET"], authorizer=bearer_authorizer
)
def list_revisions(article_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    request = article_routes.current_request
    limit = limit_param(request, default=50, maximum=200)
    raw_before = query_param(request, "before")
    before = (
        revision_history.parse_revision_number(raw_before, "before")
        if raw_before is not None
        else None
    )
    page, cursor = revision_history.list_revisions(article_id, limit, before)
    names = present.user_names(revision.saved_by for revision in page)
    return {
        "revisions": [revision_history.revision_json(item, names) for item in page],
        "next_before": cursor,
    }


@article_routes.route(
    "/articles/{article_id}/revisions/{revision}",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def get_revision(article_id, revision):
    reader = _reader()
    articles.visible_article(reader, article_id)
    item = revision_history.get_revision(article_id, _revision_number(revision))
    names = present.user_names([item.saved_by])
    return {
        "revision": revision_history.revision_json(item, names)
        | {"body": read_body(item)}
    }


@article_routes.route(
    "/articles/{article_id}/diff", methods=["GET"], authorizer=bearer_authorizer
)
def diff_revisions(article_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    request = article_routes.current_request
    first = revision_history.parse_revision_number(query_param(request, "from"), "from")
    second = revision_history.parse_revision_number(query_param(request, "to"), "to")
    return revision_history.diff(article_id, first, second)


@article_routes.route(
    "/articles/{article_id}/revisions/{revision}/restore",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def restore_revision(article_id, revision):
    reader = _reader()
    request = _body(RestoreBody)
    article = articles.restore_revision(
        article_id,
        _revision_number(revision),
        request.base_revision,
        request.significant,
        reader,
    )
    rights = require_read(reader, article)
    return {"article": _full(article, reader, rights)}


@article_routes.route(
    "/articles/{article_id}/conflicts", methods=["GET"], authorizer=bearer_authorizer
)
def list_conflicts(article_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    copies = conflicts.list_conflicts(article_id, reader.user_id)
    return {"conflicts": [conflicts.conflict_json(copy) for copy in copies]}


@article_routes.route(
    "/articles/{article_id}/conflicts/{conflict_id}",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def get_conflict(article_id, conflict_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    copy = conflicts.get_conflict(article_id, conflict_id, reader.user_id)
    return {"conflict": conflicts.conflict_json(copy, with_body=True)}


@article_routes.route(
    "/articles/{article_id}/conflicts/{conflict_id}",
    methods=["DELETE"],
    authorizer=bearer_authorizer,
)
def delete_conflict(article_id, conflict_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    conflicts.delete_conflict(article_id, conflict_id, reader.user_id)
    return Response(body="", status_code=204)


@article_routes.route(
    "/articles/{article_id}/acknowledge",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def acknowledge(article_id):
    reader = _reader()
    _body(NoBody)
    article = articles.visible_article(reader, article_id, consistent=True)
    receipt = acknowledgements.acknowledge(article, reader)
    return {"acknowledgement": receipt_state(article, receipt)}


@article_routes.route(
    "/articles/{article_id}/readers", methods=["GET"], authorizer=bearer_authorizer
)
def readers(article_id):
    reader = _reader()
    article = articles.visible_article(reader, article_id)
    if not reader.article_rights(article).edit:
        raise Forbidden("Only those who may edit this article see who has read it.")
    return acknowledgements.readers_report(article, reader)


@article_routes.route(
    "/articles/{article_id}/images", methods=["POST"], authorizer=bearer_authorizer
)
def start_image_upload(article_id):
    reader = _reader()
    request = _body(ImageCreate)
    article = articles.visible_article(reader, article_id)
    articles.require_edit(reader, article)
    image, upload = images.start_upload(article, request, reader.user_id)
    return Response(
        {"image": images.image_json(image), "upload": upload}, status_code=201
    )


@article_routes.route(
    "/articles/{article_id}/images/{image_id}/complete",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def complete_image_upload(article_id, image_id):
    reader = _reader()
    _body(NoBody)
    article = articles.visible_article(reader, article_id)
    articles.require_edit(reader, article)
    image = images.complete_upload(article, image_id)
    return {"image": images.image_json(image)}


@article_routes.route(
    "/articles/{article_id}/images/{image_id}",
    methods=["GET"],
    authorizer=bearer_authorizer,
)
def get_image(article_id, image_id):
    reader = _reader()
    articles.visible_article(reader, article_id)
    image = images.get_image(article_id, image_id)
    urls = images.download_urls({(article_id, image_id)})
    if (article_id, image_id) not in urls:
        raise NotFound(
            f"Image '{image_id}' has no completed upload yet; complete it first."
        )
    return {"image": images.image_json(image), "url": urls[(article_id, image_id)]}
