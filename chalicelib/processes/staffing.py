"""Step owners: the position of each template step, its holders and vacancies.

A shipped template names org template positions by key; the position the
template created carries ``source_key = "<org template>/<key>"``. A template
created by an admin names company positions by id. Either way the position may
be gone (deleted, or the org template never applied), which counts as vacant.
"""

from dataclasses import dataclass

from chalicelib.org.models import Department, Position
from chalicelib.org.service import list_departments, list_positions
from chalicelib.people.models import User
from chalicelib.people.service import list_users
from chalicelib.processes.definitions import StepDefinition, TemplateDefinition


@dataclass
class StepOwner:
    step: StepDefinition
    position: Position | None
    department: Department | None
    # Active holders ordered by user id, so the responsible person picked from
    # them is the same on every launch.
    holders: list[User]

    @property
    def vacant(self) -> bool:
        return not self.holders

    def to_json(self) -> dict:
        position = self.position
        return {
            "position": {
                "id": position.position_id,
                "name": position.name,
                "name_en": position.name_en,
                "department_id": position.department_id,
                "department_name": self.department.name if self.department else None,
            }
            if position
            else None,
            # The key or id the template names, also when no position matches.
            "position_ref": self.step.position,
            "holders": [
                {"id": user.user_id, "name": user.name} for user in self.holders
            ],
            "vacant": self.vacant,
        }


def resolve_owners(template: TemplateDefinition) -> list[StepOwner]:
    """Return each step's owner, in template order, with three Queries in all."""
    positions = list_positions()
    if template.org_template is not None:
        prefix = f"{template.org_template}/"
        by_reference = {
            position.source_key[len(prefix) :]: position
            for position in positions
            if position.source_key and position.source_key.startswith(prefix)
        }
    else:
        by_reference = {position.position_id: position for position in positions}
    departments = {
        department.department_id: department for department in list_departments()
    }
    holders: dict[str, list[User]] = {}
    for user in list_users():
        if user.position_id:
            holders.setdefault(user.position_id, []).append(user)

    owners = []
    for step in template.steps:
        position = by_reference.get(step.position)
        department = departments.get(position.department_id) if position else None
        people = holders.get(position.position_id, []) if position else []
        owners.append(
            StepOwner(
                step=step,
                position=position,
                department=department,
                holders=sorted(people, key=lambda user: user.user_id),
            )
        )
    return owners
