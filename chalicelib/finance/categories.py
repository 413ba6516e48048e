"""Expense categories: the shipped marketplace tree, and admins' edits.

The shipped tree is created the first time anything reads categories (listing
them, creating a request, the plan), not when the org template is applied: the
org template's reaction belongs to the org package, and a company that builds
its org by hand needs categories too. Template categories use their template
key as the id ("purchase-of-goods"), so every run writes onto the same items.
"""

import json
import logging
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.clock import utc_now
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.finance.models import (
    CATEGORY_PARTITION,
    CATEGORY_TEMPLATE_PARTITION,
    Category,
    CategoryTemplate,
)
from chalicelib.finance.money import format_amount
from chalicelib.finance.schemas import CategoryCreate, CategoryUpdate
from chalicelib.ids import new_id
from chalicelib.org.service import get_department, get_position

logger = logging.getLogger(__name__)

TEMPLATE_FILE = Path(__file__).parent / "data" / "marketplace_categories.json"


class Text(BaseModel):
    ru: str
    en: str


class TemplateCategory(BaseModel):
    key: str
    name: Text
    parent: str | None = None


class CategoryTemplateData(BaseModel):
    key: str
    categories: list[TemplateCategory]


@lru_cache(maxsize=1)
def load_template() -> CategoryTemplateData:
    raw = json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))
    return CategoryTemplateData.model_validate(raw)


def _save_once(item) -> bool:
    try:
        item.save(condition=type(item).sk.does_not_exist())
        return True
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False


def ensure_template_categories() -> None:
    """Create the shipped category tree once; a no-op after the first run.

    The marker is written last, so a run that dies halfway is finished by the
    next one; concurrent runs write the same ids and only one write of each wins.
    """
    template = load_template()
    try:
        CategoryTemplate.get(CATEGORY_TEMPLATE_PARTITION, template.key)
        return
    except DoesNotExist:
        pass
    now = utc_now()
    created = 0
    for order, item in enumerate(template.categories):
        category = Category(
            sk=item.key,
            name=item.name.ru,
            name_en=item.name.en,
            parent_id=item.parent,
            sort_order=order,
            source_key=f"{template.key}/{item.key}",
            created_at=now,
            updated_at=now,
        )
        created += _save_once(category)
    _save_once(CategoryTemplate(sk=template.key, applied_at=now))
    logger.info(
        "finance categories created template=%s count=%d", template.key, created
    )


def list_categories() -> list[Category]:
    ensure_template_categories()
    categories = list(Category.query(CATEGORY_PARTITION))
    return sorted(categories, key=lambda item: (item.sort_order, item.name))


def get_category(category_id: str, field: str = "category_id") -> Category:
    ensure_template_categories()
    try:
        return Category.get(CATEGORY_PARTITION, category_id)
    except DoesNotExist:
        raise NotFound(f"Category '{category_id}' not found.", field=field) from None


def _check_parent(category_id: str | None, parent_id: str) -> None:
    parents = {item.category_id: item.parent_id for item in list_categories()}
    if parent_id not in parents:
        raise InvalidInput(
            f"Invalid field 'parent_id': category '{parent_id}' does not exist.",
            field="parent_id",
        )
    cursor: str | None = parent_id
    while cursor is not None:
        if cursor == category_id:
            raise InvalidInput(
                "Invalid field 'parent_id': a category cannot sit inside itself "
                "or its own subcategory.",
                field="parent_id",
            )
        cursor = parents.get(cursor)


def _check_ties(department_id: str | None, position_id: str | None) -> None:
    if department_id is not None:
        get_department(department_id, field="department_id")
    if position_id is not None:
        get_position(position_id, field="position_id")


def create_category(request: CategoryCreate) -> Category:
    if request.parent_id is not None:
        _check_parent(None, request.parent_id)
    _check_ties(request.department_id, request.position_id)
    now = utc_now()
    category = Category(
        sk=new_id(),
        name=request.name,
        name_en=request.name_en,
        parent_id=request.parent_id,
        department_id=request.department_id,
        position_id=request.position_id,
        monthly_limit_minor=request.monthly_limit,
        created_at=now,
        updated_at=now,
    )
    category.save(condition=Category.sk.does_not_exist())
    logger.info("finance category created category_id=%s", category.category_id)
    return category


def update_category(
    category_id: str, request: CategoryUpdate, fields_set: set[str]
) -> Category:
    if not fields_set:
        raise InvalidInput("Send at least one field to change.")
    category = get_category(category_id, field="id")
    if "name" in fields_set and request.name is None:
        raise InvalidInput("Invalid field 'name': must not be null.", field="name")
    if "parent_id" in fields_set and request.parent_id is not None:
        _check_parent(category_id, request.parent_id)
    _check_ties(
        request.department_id if "department_id" in fields_set else None,
        request.position_id if "position_id" in fields_set else None,
    )
    for field in ("name", "name_en", "parent_id", "department_id", "position_id"):
        if field in fields_set:
            setattr(category, field, getattr(request, field))
    if "monthly_limit" in fields_set:
        category.monthly_limit_minor = request.monthly_limit
    category.updated_at = utc_now()
    category.save()
    logger.info(
        "finance category updated category_id=%s fields=%s",
        category_id,
        sorted(fields_set),
    )
    return category


def category_json(category: Category) -> dict:
    limit = category.monthly_limit_minor
    return {
        "id": category.category_id,
        "name": category.name,
        "name_en": category.name_en,
        "parent_id": category.parent_id,
        "department_id": category.department_id,
        "position_id": category.position_id,
        "monthly_limit": format_amount(int(limit)) if limit is not None else None,
    }
