"""Articles as the API returns them: the header, the body and its rendered HTML."""

from collections.abc import Iterable

from chalicelib.clock import iso
from chalicelib.kb import acknowledgements, images
from chalicelib.kb.access import Reader, Rights, grant_json
from chalicelib.kb.articles import is_template, readable_headers
from chalicelib.kb.models import ANNOUNCED_STATUSES, Article, Link, linked_pk
from chalicelib.kb.rendering import References, Resolved, render
from chalicelib.kb.sections import section_path
from chalicelib.people.models import User

SYSTEM_AUTHOR_NAME = "Штаб"
BATCH_GET_LIMIT = 100


def user_names(user_ids: Iterable[str]) -> dict[str, str]:
    ids = sorted({user_id for user_id in user_ids if user_id})
    names = {}
    for start in range(0, len(ids), BATCH_GET_LIMIT):
        for user in User.batch_get(
            ids[start : start + BATCH_GET_LIMIT],
            attributes_to_get=["user_id", "name"],
        ):
            names[user.user_id] = user.name
    return names


def _person(user_id: str | None, names: dict[str, str]) -> dict | None:
    if user_id is None:
        return None
    return {"id": user_id, "name": names.get(user_id, SYSTEM_AUTHOR_NAME)}


def header_json(article: Article, reader: Reader, names: dict[str, str]) -> dict:
    """Return the header of an article, a full item or a section index row."""
    rights = reader.article_rights(article)
    data = {
        "id": article.article_id,
        "title": article.title,
        "title_en": article.title_en,
        "kind": article.kind,
        "status": article.status,
        "section_id": article.section_id,
        "revision": int(article.revision),
        "author": _person(article.author_id, names),
        "created_at": iso(article.created_at),
        "updated_at": iso(article.updated_at),
        "updated_by": _person(article.updated_by, names),
        "positions": [
            {"id": position_id, "name": _position_name(reader, position_id)}
            for position_id in article.position_ids or []
        ],
        "review_at": article.review_at,
        "template_id": article.template_id,
        "is_template": is_template(reader, article),
        "rights": rights.as_json(),
    }
    if rights.edit:
        data["grants"] = (
            None
            if article.grants is None
            else [grant_json(grant) for grant in article.grants]
        )
    return data


def _position_name(reader: Reader, position_id: str) -> str | None:
    position = reader.positions.get(position_id)
    return position.name if position else None


def headers_json(articles: list[Article], reader: Reader) -> list[dict]:
    names = user_names(
        user_id
        for article in articles
        for user_id in (article.author_id, article.updated_by)
    )
    return [header_json(article, reader, names) for article in articles]


def resolver(reader: Reader, article: Article):
    """Build the function that tells the renderer what this reader may see."""

    def resolve(references: References) -> Resolved:
        referenced = references.article_ids | {
            article_id for article_id, _ in references.images
        }
        readable = readable_headers(reader, referenced - {article.article_id})
        titles = {article_id: item.title for article_id, item in readable.items()}
        if article.article_id in references.article_ids:
            titles[article.article_id] = article.title
        visible_images = {
            reference
            for reference in references.images
            if reference[0] == article.article_id or reference[0] in readable
        }
        departments = {
            department_id: reader.departments[department_id].name
            for department_id in references.department_ids
            if department_id in reader.departments
        }
        return Resolved(
            article_titles=titles,
            user_names=user_names(references.user_ids),
            department_names=departments,
            image_urls=images.download_urls(visible_images),
        )

    return resolve


def linked_from(reader: Reader, article: Article) -> list[dict]:
    """Return the readable articles whose latest revision links to ``article``."""
    sources = [link.sk for link in Link.query(linked_pk(article.article_id))]
    readable = readable_headers(reader, sources)
    return sorted(
        ({"id": item.article_id, "title": item.title} for item in readable.values()),
        key=lambda item: item["title"],
    )


def article_json(article: Article, body: str, reader: Reader, rights: Rights) -> dict:
    names = user_names([article.author_id, article.updated_by])
    data = header_json(article, reader, names)
    data["section"] = {
        "id": article.section_id,
        "path": section_path(reader, article.section_id),
    }
    data["edition"] = (
        {
            "revision": int(article.edition),
            "reason": article.edition_reason,
            "at": iso(article.edition_at) if article.edition_at else None,
        }
        if article.edition is not None
        else None
    )
    rendered = render(body, resolver(reader, article))
    data["body"] = body
    data["html"] = rendered.html
    data["links"] = rendered.links
    data["mentions"] = rendered.mentions
    data["linked_from"] = linked_from(reader, article)
    announced = article.status in ANNOUNCED_STATUSES
    receipt = (
        acknowledgements.receipt_of(article, reader.user_id) if announced else None
    )
    data["acknowledgement"] = {
        "required": announced and reader.is_target(article),
        **acknowledgements.receipt_state(article, receipt),
    }
    data["rights"] = rights.as_json()
    return data
