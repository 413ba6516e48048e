"""The sections and articles the knowledge base ships with, created on first use.

On the first request to a kb route it creates the «Общее» and «Шаблоны»
sections, the article «Как писать инструкции», the template «Шаблон
инструкции» and the sections of departments that existed before the
knowledge base. Every item has a fixed id and is written only if missing, so
concurrent first requests and repeated runs create each item once. A marker
item then saves later requests the work; each request still reads it.
"""

import json
import logging
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import utc_now
from chalicelib.kb.articles import insert_article, new_article
from chalicelib.kb.models import SEED_PARTITION, Grant, Section, SeedMarker
from chalicelib.kb.org_sync import ensure_department_sections
from chalicelib.kb.sections import ensure_section
from chalicelib.org.service import list_departments

logger = logging.getLogger(__name__)

DATA_FOLDER = Path(__file__).parent / "data"
SEED_KEY = "kb-v1"
# Shipped articles have no person as author; the API shows them as by «Штаб».
SYSTEM_AUTHOR_ID = "system"


class SeedSection(BaseModel):
    id: str
    name: str
    name_en: str
    role: str
    sort_order: int


class SeedArticle(BaseModel):
    id: str
    section: str
    title: str
    title_en: str
    kind: str
    file: str


class Seeds(BaseModel):
    sections: list[SeedSection]
    articles: list[SeedArticle]


@lru_cache(maxsize=1)
def load_seeds() -> Seeds:
    raw = json.loads((DATA_FOLDER / "seeds.json").read_text(encoding="utf-8"))
    return Seeds.model_validate(raw)


def is_seeded() -> bool:
    try:
        SeedMarker.get(SEED_PARTITION, SEED_KEY)
    except DoesNotExist:
        return False
    return True


def ensure_seeded() -> None:
    if is_seeded():
        return
    seeds = load_seeds()
    now = utc_now()
    for item in seeds.sections:
        ensure_section(
            Section(
                sk=item.id,
                name=item.name,
                name_en=item.name_en,
                role=item.role,
                grants=[Grant(to="everyone", level="read")],
                sort_order=item.sort_order,
                created_at=now,
                updated_at=now,
            )
        )
    for item in seeds.articles:
        body = (DATA_FOLDER / item.file).read_text(encoding="utf-8")
        article, revision = new_article(
            item.id,
            section_id=item.section,
            title=item.title,
            title_en=item.title_en,
            body=body,
            kind=item.kind,
            status="published",
            author_id=SYSTEM_AUTHOR_ID,
        )
        if insert_article(article, revision):
            logger.info("kb article seeded article_id=%s", item.id)
    for department in list_departments():
        ensure_department_sections(
            {
                "sk": department.department_id,
                "name": department.name,
                "name_en": department.name_en,
                "parent_id": department.parent_id,
                "sort_order": department.sort_order,
            }
        )
    SeedMarker(SEED_PARTITION, SEED_KEY, seeded_at=now).save()
    logger.info("kb seeded key=%s", SEED_KEY)
