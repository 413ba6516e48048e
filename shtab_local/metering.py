"""Count DynamoDB calls with botocore events, for tests and benchmarks.

PynamoDB makes a fresh botocore session per thread, so the counter hooks
session creation and registers a ``before-call.dynamodb`` handler on each.
"""

import threading
from collections import Counter
from contextlib import contextmanager

import botocore.session
import pynamodb.connection.base as pynamodb_base


class DynamoDBCallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._installed = False

    def _record(self, model, **_kwargs) -> None:
        with self._lock:
            self.calls[model.name] += 1

    def install(self) -> None:
        """Hook every botocore session PynamoDB creates from now on."""
        if self._installed:
            return
        original = pynamodb_base.get_session

        def counted_session():
            session = original()
            session.register("before-call.dynamodb", self._record)
            return session

        pynamodb_base.get_session = counted_session
        self._installed = True

    def hook_session(self, session: botocore.session.Session) -> None:
        session.register("before-call.dynamodb", self._record)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    @contextmanager
    def measure(self):
        """Yield a Counter of the calls made inside the block."""
        with self._lock:
            before = Counter(self.calls)
        result: Counter[str] = Counter()
        yield result
        with self._lock:
            result.update(self.calls - before)

    @property
    def total(self) -> int:
        return sum(self.calls.values())
