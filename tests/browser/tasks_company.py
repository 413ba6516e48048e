"""The live stack and helpers for the task tracker browser tests.

The people come from finance_company: Анна (Wildberries account manager),
Борис (her head, a manager), Фёдор and Алла, hired into the marketplace
template's org.
"""

import os
import time
from pathlib import Path

import pytest

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.browser.finance_company import Company, Person
from tests.support.live import ROOT, LiveStack


def start_stack(tmp_path_factory) -> LiveStack:
    """Start the stack on the frontend build SHTAB_FRONTEND_DIST names, if set.

    LiveStack drops the caller's SHTAB_ variables, so the build is passed on here.
    """
    dist = Path(os.environ.get("SHTAB_FRONTEND_DIST") or ROOT / "frontend" / "dist")
    if not (dist / "index.html").exists():
        pytest.fail(f"{dist} has no index.html: build the frontend first")
    live = LiveStack(
        tmp_path_factory.mktemp("browser-tasks"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment={"SHTAB_FRONTEND_DIST": str(dist)},
    )
    live.start()
    return live


def user_id(company: Company, person: Person) -> str:
    return company.call(person, "GET", "/api/auth/me")["user"]["id"]


def create_task(company: Company, author: Person, **fields) -> dict:
    return company.call(author, "POST", "/api/tasks", fields)["task"]


def task_status(company: Company, person: Person, task_id: str) -> str:
    return company.call(person, "GET", f"/api/tasks/{task_id}")["task"]["status"]


def wait_for_list(company: Company, person: Person, view: str, task_id: str) -> None:
    """Wait until the stream reaction has put the task into the person's list."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        page = company.call(person, "GET", f"/api/tasks?view={view}&limit=200")
        if any(task["id"] == task_id for task in page["tasks"]):
            return
        time.sleep(0.3)
    pytest.fail(f"task {task_id} did not reach the {view} list in time")
