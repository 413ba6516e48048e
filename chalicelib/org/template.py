"""Org templates shipped as data, and applying one to the company."""

import json
import logging
from functools import cache
from pathlib import Path

from pydantic import BaseModel
from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.clock import utc_now
from chalicelib.errors import NotFound
from chalicelib.ids import stable_id
from chalicelib.org.models import (
    TEMPLATE_PARTITION,
    AppliedTemplate,
    Department,
    Position,
)

logger = logging.getLogger(__name__)

DATA_FOLDER = Path(__file__).parent / "data"
TEMPLATE_FILES = {"marketplace-business": "marketplace_business.json"}


class Text(BaseModel):
    ru: str
    en: str


class TemplateDepartment(BaseModel):
    key: str
    name: Text
    parent: str | None = None
    purpose: Text | None = None


class TemplatePosition(BaseModel):
    key: str
    department: str
    name: Text
    purpose: Text
    functions: list[Text]
    reports_to: str | None = None


class OrgTemplate(BaseModel):
    key: str
    name: Text
    description: Text
    departments: list[TemplateDepartment]
    positions: list[TemplatePosition]


@cache
def load_template(key: str) -> OrgTemplate:
    file_name = TEMPLATE_FILES.get(key)
    if file_name is None:
        known = ", ".join(sorted(TEMPLATE_FILES))
        raise NotFound(f"Unknown org template '{key}'; known templates: {known}.")
    raw = json.loads((DATA_FOLDER / file_name).read_text(encoding="utf-8"))
    return OrgTemplate.model_validate(raw)


def is_applied(key: str) -> bool:
    try:
        AppliedTemplate.get(TEMPLATE_PARTITION, key)
    except DoesNotExist:
        return False
    return True


def template_summary(key: str) -> dict:
    template = load_template(key)
    return {
        "key": template.key,
        "name": template.name.model_dump(),
        "description": template.description.model_dump(),
        "departments": len(template.departments),
        "positions": len(template.positions),
        "applied": is_applied(key),
    }


def _claim(key: str, user_id: str) -> AppliedTemplate:
    """Record the template as applied, or return the earlier record.

    Every run uses the recorded time to derive the same ids, so a repeated or
    concurrent apply writes onto the same items instead of adding new ones.
    """
    marker = AppliedTemplate(
        TEMPLATE_PARTITION, key, applied_at=utc_now(), applied_by=user_id
    )
    try:
        marker.save(condition=AppliedTemplate.sk.does_not_exist())
        return marker
    except PutError:
        return AppliedTemplate.get(TEMPLATE_PARTITION, key, consistent_read=True)


def _save_once(item) -> bool:
    try:
        item.save(condition=type(item).sk.does_not_exist())
        return True
    except PutError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False


def apply_template(key: str, user_id: str) -> dict:
    template = load_template(key)
    marker = _claim(key, user_id)
    stamp = marker.applied_at
    now = utc_now()

    department_ids = {
        item.key: stable_id(stamp, key, "department", item.key)
        for item in template.departments
    }
    position_ids = {
        item.key: stable_id(stamp, key, "position", item.key)
        for item in template.positions
    }

    created_departments = 0
    for order, item in enumerate(template.departments):
        department = Department(
            sk=department_ids[item.key],
            name=item.name.ru,
            name_en=item.name.en,
            purpose=item.purpose.ru if item.purpose else None,
            parent_id=department_ids.get(item.parent) if item.parent else None,
            sort_order=order,
            source_key=f"{key}/{item.key}",
            created_at=now,
            updated_at=now,
        )
        created_departments += _save_once(department)

    created_positions = 0
    for order, item in enumerate(template.positions):
        position = Position(
            sk=position_ids[item.key],
            department_id=department_ids[item.department],
            name=item.name.ru,
            name_en=item.name.en,
            purpose=item.purpose.ru,
            purpose_en=item.purpose.en,
            functions=[function.ru for function in item.functions],
            functions_en=[function.en for function in item.functions],
            reports_to=position_ids.get(item.reports_to) if item.reports_to else None,
            sort_order=order,
            source_key=f"{key}/{item.key}",
            created_at=now,
            updated_at=now,
        )
        created_positions += _save_once(position)

    logger.info(
        "template applied key=%s user_id=%s departments=%d positions=%d",
        key,
        user_id,
        created_departments,
        created_positions,
    )
    return {
        "template": key,
        "created_departments": created_departments,
        "created_positions": created_positions,
        "departments": len(template.departments),
        "positions": len(template.positions),
    }
