"""A staffed company on the live stack for the knowledge base browser tests.

The org comes from the marketplace template. The owner (an admin) writes the
articles; Анна, a Wildberries account manager, is the person they target and
the learner of the courses.
"""

import os
import time
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.support.live import LiveStack

WB_MANAGER = "Wildberries account manager"
SECTIONS_TIMEOUT_SECONDS = 20


@dataclass
class Person:
    name: str
    email: str
    password: str
    token: str


@dataclass
class KbCompany:
    stack: LiveStack
    owner: Person
    anna: Person
    anna_position_id: str
    position_name: str
    department_id: str
    department_name: str
    # Ids of the sections above the department's one, from the top of the tree.
    department_ancestors: list[str]

    @property
    def instructions_section_id(self) -> str:
        return f"dept-{self.department_id}-instructions"

    def call(self, person: Person, method: str, path: str, body=None) -> dict:
        response = self.stack.api(method, path, person.token, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json() if response.text else {}

    def article(self, title: str, body: str, **fields) -> dict:
        request = {
            "section_id": self.instructions_section_id,
            "title": title,
            "body": body,
            "status": "published",
            "position_ids": [self.anna_position_id],
        }
        request.update(fields)
        return self.call(self.owner, "POST", "/api/kb/articles", request)["article"]

    def question(self, article_id: str, text: str, right: str, wrong: str) -> dict:
        body = {
            "kind": "single",
            "text": text,
            "options": [{"text": right, "correct": True}, {"text": wrong}],
        }
        path = f"/api/kb/articles/{article_id}/questions"
        return self.call(self.owner, "POST", path, body)["question"]

    def course(self, title: str, article_ids: list[str]) -> dict:
        body = {
            "title": title,
            "article_ids": article_ids,
            "position_ids": [self.anna_position_id],
        }
        return self.call(self.owner, "POST", "/api/kb/courses", body)["course"]

    def wait_until_found(self, query: str, article_id: str) -> None:
        """Wait for the stream reaction that indexes articles to index this one."""
        deadline = time.monotonic() + SECTIONS_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            found = self.call(self.owner, "GET", f"/api/kb/search?q={query}")
            if any(result["id"] == article_id for result in found["results"]):
                return
            time.sleep(0.3)
        pytest.fail(f"article {article_id} not found by {query!r} in time")


def start_stack(tmp_path_factory) -> LiveStack:
    """Start the stack on the frontend build SHTAB_FRONTEND_DIST names, if set."""
    environment = {}
    if os.environ.get("SHTAB_FRONTEND_DIST"):
        environment["SHTAB_FRONTEND_DIST"] = os.environ["SHTAB_FRONTEND_DIST"]
    live = LiveStack(
        tmp_path_factory.mktemp("browser-kb"),
        OWNER_EMAIL,
        OWNER_PASSWORD,
        environment=environment,
    )
    live.start()
    return live


def build_company(stack: LiveStack) -> KbCompany:
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    owner = Person("Owner", OWNER_EMAIL, OWNER_PASSWORD, owner_token)
    applied = stack.api(
        "POST", "/api/org/templates/marketplace-business/apply", owner_token
    )
    assert applied.status_code == 200, applied.text
    positions = stack.api("GET", "/api/org/positions", owner_token).json()["positions"]
    position = next(item for item in positions if item["name_en"] == WB_MANAGER)

    password = "anna-kb-browser-password"
    hired = stack.api(
        "POST",
        "/api/users",
        owner_token,
        json={
            "email": "anna@kb.example",
            "name": "Анна",
            "role": "employee",
            "locale": "ru",
            "password": password,
            "position_id": position["id"],
        },
    )
    assert hired.status_code == 201, hired.text
    anna = Person(
        "Анна", "anna@kb.example", password, stack.login("anna@kb.example", password)
    )

    # Department sections come from the org stream reaction, so wait for them.
    section_id = f"dept-{position['department_id']}"
    deadline = time.monotonic() + SECTIONS_TIMEOUT_SECONDS
    while True:
        response = stack.api("GET", f"/api/kb/sections/{section_id}", owner_token)
        if response.status_code == 200:
            break
        assert time.monotonic() < deadline, response.text
        time.sleep(0.3)
    return KbCompany(
        stack=stack,
        owner=owner,
        anna=anna,
        anna_position_id=position["id"],
        position_name=position["name"],
        department_id=position["department_id"],
        department_name=response.json()["section"]["name"],
        department_ancestors=[item["id"] for item in response.json()["path"][:-1]],
    )


def sign_in(page: Page, person: Person) -> None:
    page.goto("/#/login")
    page.get_by_test_id("login-email").fill(person.email)
    page.get_by_test_id("login-password").fill(person.password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online"
    )
