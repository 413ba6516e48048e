"""A WebSocket Management API stand-in that records sends and can report Gone."""

import json
from collections import defaultdict


class FakeGateway:
    def __init__(self) -> None:
        self.sent: dict[str, list[dict]] = defaultdict(list)
        self.closed: list[str] = []
        self.gone: set[str] = set()

    def send(self, connection_id: str, data: bytes) -> bool:
        if connection_id in self.gone:
            return False
        self.sent[connection_id].append(json.loads(data))
        return True

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)
        self.gone.add(connection_id)

    def events(self, connection_id: str, event_type: str | None = None) -> list[dict]:
        return [
            event
            for event in self.sent[connection_id]
            if event_type is None or event["type"] == event_type
        ]
