"""The local EventBridge: runs the app's scheduled functions in a thread.

On AWS, each ``@app.schedule`` function gets an EventBridge rule. Here one
thread wakes at the start of every minute and calls each function whose
schedule matches that minute, with a scheduled event shaped as EventBridge
sends it. A function that raises is logged and runs again at its next time,
as on AWS.

Supported expressions: ``rate(N minute[s]|hour[s]|day[s])``, counted from
the Unix epoch in UTC, and ``cron(minutes hours day-of-month month
day-of-week year)`` with ``*``, ``?``, single values and comma-separated
lists (no ranges or steps). A function with any other expression is logged
and never run locally.
"""

import logging
import re
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalice.app import Chalice, ScheduledEventConfig

from shtab_local.pump import LocalLambdaContext

logger = logging.getLogger(__name__)

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.+)\)$")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 24 * 60}
# EventBridge numbers days of the week 1 (Sunday) to 7 (Saturday).
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _cron_field_matches(field: str, value: int) -> bool:
    if field in ("*", "?"):
        return True
    for part in field.split(","):
        part = part.strip().upper()
        number = _WEEKDAYS.get(part)
        if number is None:
            if not part.isdigit():
                raise ValueError(f"unsupported cron field {field!r}")
            number = int(part)
        if number == value:
            return True
    return False


def schedule_matcher(expression: str) -> Callable[[datetime], bool]:
    """Return a test of whether ``expression`` fires at a whole UTC minute."""
    rate = _RATE.match(expression)
    if rate:
        every = int(rate[1]) * _UNIT_MINUTES[rate[2].removesuffix("s")]
        if every < 1:
            raise ValueError(f"rate of zero in {expression!r}")
        return lambda moment: int(moment.timestamp() // 60) % every == 0
    cron = _CRON.match(expression)
    if cron:
        fields = cron[1].split()
        if len(fields) != 6:
            raise ValueError(f"cron needs 6 fields: {expression!r}")
        # Check every field once, so an unsupported one fails at start.
        for field in fields:
            _cron_field_matches(field, -1)
        minutes, hours, day, month, weekday, year = fields

        def matches(moment: datetime) -> bool:
            sunday_first = moment.isoweekday() % 7 + 1
            return (
                _cron_field_matches(minutes, moment.minute)
                and _cron_field_matches(hours, moment.hour)
                and _cron_field_matches(day, moment.day)
                and _cron_field_matches(month, moment.month)
                and _cron_field_matches(weekday, sunday_first)
                and _cron_field_matches(year, moment.year)
            )

        return matches
    raise ValueError(f"unsupported schedule expression {expression!r}")


@dataclass(frozen=True)
class ScheduledFunction:
    name: str
    handler: Callable
    matches: Callable[[datetime], bool]


def scheduled_functions(app: Chalice, module) -> list[ScheduledFunction]:
    """Find the app's scheduled functions and their handlers in ``module``."""
    found = []
    for source in app.event_sources:
        if not isinstance(source, ScheduledEventConfig):
            continue
        expression = source.schedule_expression
        if not isinstance(expression, str):
            expression = expression.to_string()
        attribute = source.handler_string.rsplit(".", 1)[-1]
        try:
            matches = schedule_matcher(expression)
        except ValueError as error:
            logger.warning(
                "scheduled function %s not run locally: %s", source.name, error
            )
            continue
        found.append(
            ScheduledFunction(source.name, getattr(module, attribute), matches)
        )
    return found


def scheduled_event(name: str, moment: datetime) -> dict:
    """Build the event EventBridge sends a scheduled Lambda function."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "eu-central-1",
        "resources": [f"arn:aws:events:eu-central-1:123456789012:rule/{name}"],
        "detail": {},
    }


class Scheduler:
    def __init__(
        self,
        functions: list[ScheduledFunction],
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._functions = functions
        self._now = now
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_due(self, moment: datetime) -> list[str]:
        """Call every function scheduled at ``moment``; return the names run."""
        minute = moment.replace(second=0, microsecond=0)
        ran = []
        for function in self._functions:
            if not function.matches(minute):
                continue
            ran.append(function.name)
            try:
                function.handler(
                    scheduled_event(function.name, minute),
                    LocalLambdaContext(function.name),
                )
            except Exception:
                logger.exception("scheduled function %s failed", function.name)
        return ran

    def _loop(self) -> None:
        while True:
            now = self._now()
            next_minute = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
            if self._stop.wait((next_minute - now).total_seconds()):
                return
            self.run_due(next_minute)

    def start(self) -> None:
        names = ", ".join(function.name for function in self._functions) or "none"
        logger.info("scheduler started; functions: %s", names)
        self._thread = threading.Thread(
            target=self._loop, name="scheduler", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
