"""The critical path of a launch: the longest chain of remaining work.

Classic critical path method over the step dependencies, in days from today.
A step that is done or cancelled has no work left (duration 0). Every other
step takes its template ``duration_days``, whatever its status, because the
tracker does not record how much of a started step is finished.

- earliest start: the latest earliest finish of its dependencies (0 for none);
- latest finish: the earliest latest start of the steps that depend on it, or
  the earliest finish of the whole launch for a step nothing depends on;
- slack: latest finish minus earliest finish, the days a step can slip without
  moving the end of the launch. Open steps with no slack are critical.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleStep:
    key: str
    depends_on: tuple[str, ...]
    duration_days: int
    closed: bool


@dataclass(frozen=True)
class StepTiming:
    earliest_start: int
    earliest_finish: int
    slack_days: int | None
    critical: bool


@dataclass(frozen=True)
class Schedule:
    timings: dict[str, StepTiming]
    # Open critical steps in order of work, one chain from the first to the last.
    critical_path: list[str]
    remaining_days: int


def _topological_order(steps: list[ScheduleStep]) -> list[ScheduleStep]:
    """Order steps so each follows its dependencies; templates have no cycles."""
    by_key = {step.key: step for step in steps}
    ordered: list[ScheduleStep] = []
    placed: set[str] = set()
    while len(ordered) < len(steps):
        progressed = False
        for step in steps:
            if step.key in placed:
                continue
            if all(d in placed or d not in by_key for d in step.depends_on):
                ordered.append(step)
                placed.add(step.key)
                progressed = True
        if not progressed:
            raise ValueError("the step dependencies form a cycle")
    return ordered


def plan(steps: list[ScheduleStep]) -> Schedule:
    ordered = _topological_order(steps)
    known = {step.key for step in steps}
    remaining = {step.key: 0 if step.closed else step.duration_days for step in steps}
    start: dict[str, int] = {}
    finish: dict[str, int] = {}
    for step in ordered:
        start[step.key] = max(
            (finish[d] for d in step.depends_on if d in known), default=0
        )
        finish[step.key] = start[step.key] + remaining[step.key]
    total = max(finish.values(), default=0)

    dependents: dict[str, list[str]] = {step.key: [] for step in steps}
    for step in steps:
        for dependency in step.depends_on:
            if dependency in dependents:
                dependents[dependency].append(step.key)
    latest_finish: dict[str, int] = {}
    for step in reversed(ordered):
        latest_finish[step.key] = min(
            (latest_finish[d] - remaining[d] for d in dependents[step.key]),
            default=total,
        )

    timings = {}
    for step in steps:
        slack = None if step.closed else latest_finish[step.key] - finish[step.key]
        timings[step.key] = StepTiming(
            earliest_start=start[step.key],
            earliest_finish=finish[step.key],
            slack_days=slack,
            critical=slack == 0,
        )
    return Schedule(timings, _chain(ordered, timings, dependents), total)


def _chain(
    ordered: list[ScheduleStep],
    timings: dict[str, StepTiming],
    dependents: dict[str, list[str]],
) -> list[str]:
    """Follow critical steps from one that starts today to one that ends the launch.

    Where the path forks, the step listed first in the template is taken.
    """
    position = {step.key: index for index, step in enumerate(ordered)}
    starts = [
        step.key
        for step in ordered
        if timings[step.key].critical and timings[step.key].earliest_start == 0
    ]
    if not starts:
        return []
    chain = [starts[0]]
    while True:
        current = timings[chain[-1]]
        following = sorted(
            (
                key
                for key in dependents[chain[-1]]
                if timings[key].critical
                and timings[key].earliest_start == current.earliest_finish
            ),
            key=position.__getitem__,
        )
        if not following:
            return chain
        chain.append(following[0])
