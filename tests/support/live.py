"""Start the local stack as its own process, as `make run` does, for live tests."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LiveStack:
    def __init__(
        self,
        data_dir: Path,
        admin_email: str,
        admin_password: str,
        environment: dict[str, str] | None = None,
    ) -> None:
        """``environment`` adds variables to the stack process's environment.

        The stack does not inherit the caller's SHTAB_ and AWS_ variables, so a
        test that needs one, such as SHTAB_WEBHOOK_ALLOWED_HOSTS, passes it here.
        """
        self.data_dir = data_dir
        self.extra_environment = dict(environment or {})
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws"
        self.admin_email = admin_email
        self.admin_password = admin_password
        self.process: subprocess.Popen | None = None
        self.log_path = data_dir / "stack.log"

    def start(self, timeout: float = 60) -> None:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("SHTAB_", "AWS_"))
        }
        environment.update(
            ADMIN_EMAIL=self.admin_email,
            ADMIN_PASSWORD=self.admin_password,
            PYTHONUNBUFFERED="1",
        )
        environment.update(self.extra_environment)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "shtab_local",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
            ],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"stack exited early:\n{self.log_path.read_text()[-3000:]}"
                )
            try:
                if requests.get(f"{self.url}/api/health", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        raise TimeoutError(
            f"stack not healthy in {timeout}s:\n{self.log_path.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def login(self, email: str, password: str) -> str:
        response = requests.post(
            f"{self.url}/api/auth/login",
            json={"email": email, "password": password},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["token"]

    def api(self, method: str, path: str, token: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        return requests.request(
            method, f"{self.url}{path}", headers=headers, timeout=30, **kwargs
        )
