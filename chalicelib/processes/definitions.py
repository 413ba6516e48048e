"""Process templates as data: steps owned by positions, dated against a target day.

A step is due ``due_offset_days`` after the target date (negative: before it)
and takes ``duration_days``, so it starts ``due_offset_days - duration_days``
days from the target. Shipped templates are JSON files in ``data/`` whose steps
name a position of an org template by its key. Templates created by admins are
stored in the tasks table and name the company's positions by id.
"""

import json
from functools import cache
from pathlib import Path

from pydantic import BaseModel

DATA_FOLDER = Path(__file__).parent / "data"
SHIPPED_FILES = {"product-launch": "product_launch.json"}


class Text(BaseModel):
    ru: str
    en: str

    def pick(self, locale: str) -> str:
        return self.en if locale == "en" else self.ru


class StepDefinition(BaseModel):
    key: str
    # An org template position key in a shipped template; a company position
    # id in a template created by an admin.
    position: str
    due_offset_days: int
    duration_days: int
    depends_on: list[str] = []
    title: Text
    description: Text
    checklist: list[Text] = []

    @property
    def start_offset_days(self) -> int:
        return self.due_offset_days - self.duration_days


class TemplateDefinition(BaseModel):
    key: str
    name: Text
    description: Text
    # The org template whose position keys the steps name, for shipped
    # templates; None when steps name company positions by id.
    org_template: str | None = None
    steps: list[StepDefinition]

    @property
    def read_only(self) -> bool:
        return self.org_template is not None

    def step(self, key: str) -> StepDefinition:
        return next(step for step in self.steps if step.key == key)


@cache
def shipped_template(key: str) -> TemplateDefinition | None:
    file_name = SHIPPED_FILES.get(key)
    if file_name is None:
        return None
    data = json.loads((DATA_FOLDER / file_name).read_text("utf-8"))
    return TemplateDefinition.model_validate(data)


def find_cycle(steps: list[StepDefinition]) -> list[str] | None:
    """Return one dependency cycle as a list of step keys, or None if there is none.

    Dependencies on unknown keys are ignored here; the caller reports them.
    """
    depends_on = {step.key: step.depends_on for step in steps}
    state: dict[str, str] = {}
    for root in depends_on:
        if root in state:
            continue
        # Iterative depth-first walk, so a 60-step chain needs no deep recursion.
        path = [root]
        iterators = [iter(depends_on[root])]
        state[root] = "open"
        while iterators:
            dependency = next(iterators[-1], None)
            if dependency is None:
                state[path.pop()] = "closed"
                iterators.pop()
                continue
            if dependency not in depends_on:
                continue
            if state.get(dependency) == "open":
                return [*path[path.index(dependency) :], dependency]
            if dependency not in state:
                state[dependency] = "open"
                path.append(dependency)
                iterators.append(iter(depends_on[dependency]))
    return None
