"""A fake Telegram Bot API on 127.0.0.1 that records every call.

It serves ``POST /bot<token>/<method>`` with JSON bodies and responds as the
Bot API does: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code",
"description", "parameters"}``. Only ``token`` is accepted; any other token
gets 401, as Telegram returns for a revoked or mistyped token. ``fail_next``
scripts an error for the next call of one method.
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BOT_ID = 7000000001
BOT_USERNAME = "shtab_test_bot"
TOKEN = f"{BOT_ID}:AAF-test_secret_part_0123456789abcdefXYZ"


@dataclass
class Call:
    token: str
    method: str
    payload: dict


class FakeTelegram:
    def __init__(self, token: str = TOKEN, bot_id: int = BOT_ID) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = BOT_USERNAME
        self.calls: list[Call] = []
        # method -> [(HTTP status, error body)], used in order.
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                payload = json.loads(raw) if raw else {}
                status, answer = fake._answer(self.path, payload)
                body = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(
        self, method: str, status: int, description: str, retry_after: int | None = None
    ) -> None:
        answer = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            answer["parameters"] = {"retry_after": retry_after}
        self.failures.setdefault(method, []).append((status, answer))

    def calls_of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def _answer(self, path: str, payload: dict) -> tuple[int, dict]:
        _, _, rest = path.partition("/bot")
        token, _, method = rest.partition("/")
        with self._lock:
            self.calls.append(Call(token, method, payload))
            if token != self.token:
                return 401, {
                    "ok": False,
                    "error_code": 401,
                    "description": "Unauthorized",
                }
            queued = self.failures.get(method)
            if queued:
                return queued.pop(0)
        return 200, {"ok": True, "result": self._result(method, payload)}

    def _result(self, method: str, payload: dict) -> object:
        if method == "getMe":
            return {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Штаб",
                "username": self.username,
            }
        if method == "sendMessage":
            return {
                "message_id": len(self.calls),
                "chat": {"id": payload.get("chat_id"), "type": "private"},
                "text": payload.get("text"),
            }
        return True
