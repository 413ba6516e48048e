"""Test helpers for outbound webhooks: a loopback receiver and a connection guard.

The receiver is an ``http.server`` on 127.0.0.1 that records each request and
responds with scripted statuses. The guard records every socket connection the
process makes and refuses any that leaves loopback, so a test can assert that
a blocked address was never contacted.
"""

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chalicelib import clock
from chalicelib.integrations import ssrf
from chalicelib.integrations.signatures import verify


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    def verify(self, secret: str) -> None:
        """Raise unless the signature headers sign this body with ``secret``."""
        verify(
            secret,
            self.headers.get("X-Shtab-Timestamp"),
            self.body,
            self.headers.get("X-Shtab-Signature"),
            clock.utc_now(),
        )


class Receiver:
    """A webhook receiver; ``answers`` are (status, headers) used in order."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[tuple[int, dict]] = []
        self.default_answer: tuple[int, dict] = (200, {})
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.received.append(
                    Received(self.path, dict(self.headers.items()), body)
                )
                status, headers = (
                    receiver.answers.pop(0)
                    if receiver.answers
                    else receiver.default_answer
                )
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def allow_listed_receiver(monkeypatch) -> Iterator[Receiver]:
    """Start a receiver and put its host:port on the webhook allow-list.

    Test modules wrap this generator in a ``receiver`` fixture.
    """
    server = Receiver()
    server.start()
    monkeypatch.setenv(ssrf.ALLOWED_HOSTS_VARIABLE, server.host)
    yield server
    server.stop()


class ConnectionGuard:
    """Records every socket connect; refuses any to a non-loopback address."""

    def __init__(self) -> None:
        self.connections: list[tuple] = []

    def targets(self) -> list[str]:
        return [str(address[0]) for address in self.connections]


def install_guard(monkeypatch) -> ConnectionGuard:
    """Patch socket connects for the test; test modules wrap this in a fixture."""
    recorder = ConnectionGuard()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address) -> None:
        recorder.connections.append(address)
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1"):
            raise OSError(f"test guard: connection to {address} refused")

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return recorder


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> None:
    """Make ``socket.getaddrinfo`` return ``answers`` for those names only."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in answers:
            results = []
            for address in answers[host]:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                socket_address = (
                    (address, port or 0, 0, 0)
                    if family == socket.AF_INET6
                    else (address, port or 0)
                )
                results.append((family, socket.SOCK_STREAM, 6, "", socket_address))
            return results
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def later(seconds: float):
    """Return the time ``seconds`` from now, for a retry that must be due."""
    return clock.utc_now() + timedelta(seconds=seconds)
