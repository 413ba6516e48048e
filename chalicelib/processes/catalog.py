"""The process templates a company can launch: shipped files and admins' own.

Shipped templates are read-only: no route changes or deletes them, and a new
version of the file reaches the company with a deploy. Templates created by
admins are stored once and not edited either, so every launch of a template
follows the same steps.
"""

import logging

from pynamodb.exceptions import DoesNotExist

from chalicelib.clock import iso, utc_now
from chalicelib.errors import InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.org.service import list_positions
from chalicelib.processes.definitions import (
    SHIPPED_FILES,
    StepDefinition,
    TemplateDefinition,
    find_cycle,
    shipped_template,
)
from chalicelib.processes.models import TEMPLATE_PARTITION, ProcessTemplate
from chalicelib.processes.schemas import TemplateCreate

logger = logging.getLogger(__name__)


def _stored(item: ProcessTemplate) -> TemplateDefinition:
    return TemplateDefinition.model_validate_json(item.definition)


def get_template(template_id: str) -> tuple[TemplateDefinition, ProcessTemplate | None]:
    """Return the template and, for an admin's template, its stored item."""
    shipped = shipped_template(template_id)
    if shipped is not None:
        return shipped, None
    try:
        item = ProcessTemplate.get(TEMPLATE_PARTITION, template_id)
    except DoesNotExist:
        raise NotFound(
            f"Process template '{template_id}' not found.", field="template_id"
        ) from None
    return _stored(item), item


def template_summary(
    template_id: str, template: TemplateDefinition, item: ProcessTemplate | None
) -> dict:
    return {
        "id": template_id,
        "name": template.name.model_dump(),
        "description": template.description.model_dump(),
        "step_count": len(template.steps),
        "read_only": item is None,
        "created_by": item.created_by if item else None,
        "created_at": iso(item.created_at) if item else None,
    }


def list_templates() -> list[dict]:
    summaries = [
        template_summary(key, shipped_template(key), None) for key in SHIPPED_FILES
    ]
    for item in ProcessTemplate.query(TEMPLATE_PARTITION):
        summaries.append(template_summary(item.template_id, _stored(item), item))
    return summaries


def _step_definitions(request: TemplateCreate) -> list[StepDefinition]:
    return [
        StepDefinition(
            key=step.key,
            position=step.position_id,
            due_offset_days=step.due_offset_days,
            duration_days=step.duration_days,
            depends_on=step.depends_on,
            title=step.title.model_dump(),
            description=step.description.model_dump(),
            checklist=[item.model_dump() for item in step.checklist],
        )
        for step in request.steps
    ]


def _check_steps(request: TemplateCreate) -> None:
    """Check what the schema cannot: unique keys, known positions and dependencies,
    no cycle, and each step starting after its dependencies are due."""
    known_positions = {position.position_id for position in list_positions()}
    steps_by_key: dict = {}
    for index, step in enumerate(request.steps):
        if step.key in steps_by_key:
            raise InvalidInput(
                f"Invalid field 'steps.{index}.key': step key '{step.key}' is used "
                "twice; give each step its own key.",
                field=f"steps.{index}.key",
            )
        steps_by_key[step.key] = step
        if step.position_id not in known_positions:
            raise InvalidInput(
                f"Invalid field 'steps.{index}.position_id': position "
                f"'{step.position_id}' does not exist; use an id from "
                "GET /api/org/positions.",
                field=f"steps.{index}.position_id",
            )
    for index, step in enumerate(request.steps):
        for dependency in step.depends_on:
            field = f"steps.{index}.depends_on"
            if dependency not in steps_by_key:
                raise InvalidInput(
                    f"Invalid field '{field}': step '{dependency}' does not exist "
                    "in this template.",
                    field=field,
                )
            if dependency == step.key:
                raise InvalidInput(
                    f"Invalid field '{field}': step '{step.key}' cannot depend on "
                    "itself.",
                    field=field,
                )
    definitions = _step_definitions(request)
    cycle = find_cycle(definitions)
    if cycle is not None:
        raise InvalidInput(
            "Invalid field 'steps': the dependencies form a cycle "
            f"({' -> '.join(cycle)}); remove one of these links.",
            field="steps",
        )
    for index, step in enumerate(definitions):
        for dependency in step.depends_on:
            due = steps_by_key[dependency].due_offset_days
            if due > step.start_offset_days:
                field = f"steps.{index}.due_offset_days"
                raise InvalidInput(
                    f"Invalid field '{field}': step '{step.key}' starts on day "
                    f"{step.start_offset_days} (due_offset_days minus duration_days) "
                    f"but depends on '{dependency}', due on day {due}; move it "
                    "later or shorten it.",
                    field=field,
                )


def create_template(request: TemplateCreate, user_id: str) -> tuple[str, dict]:
    _check_steps(request)
    template_id = new_id()
    definition = TemplateDefinition(
        key=template_id,
        name=request.name.model_dump(),
        description=request.description.model_dump(),
        org_template=None,
        steps=_step_definitions(request),
    )
    item = ProcessTemplate(
        TEMPLATE_PARTITION,
        template_id,
        definition=definition.model_dump_json(),
        created_by=user_id,
        created_at=utc_now(),
    )
    item.save(condition=ProcessTemplate.sk.does_not_exist())
    logger.info(
        "process template created template_id=%s steps=%d by=%s",
        template_id,
        len(definition.steps),
        user_id,
    )
    return template_id, template_summary(template_id, definition, item)
