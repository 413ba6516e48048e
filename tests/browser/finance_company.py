"""A staffed company on the live stack for the finance browser tests.

The org comes from the marketplace template and the people are hired through
the API; the tests then act in the browser as each person. Анна's requests of
up to 50 000 RUB go to Борис (head of marketplaces), then to Фёдор (financial
manager); Алла, the accountant, schedules and pays.
"""

from dataclasses import dataclass
from datetime import date

from playwright.sync_api import Page, expect

from tests.browser.conftest import OWNER_EMAIL, OWNER_PASSWORD
from tests.support.live import LiveStack

POSITIONS = {
    "head_of_marketplaces": "Head of marketplaces",
    "wb_manager": "Wildberries account manager",
    "financial_manager": "Financial manager",
    "accountant": "Accountant",
}


@dataclass
class Person:
    name: str
    email: str
    password: str
    token: str


@dataclass
class Company:
    stack: LiveStack
    owner: Person
    anna: Person
    boris: Person
    fedor: Person
    alla: Person

    def call(self, person: Person, method: str, path: str, body=None) -> dict:
        response = self.stack.api(method, path, person.token, json=body)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def create_request(self, author: Person, **fields) -> dict:
        body = {
            "amount": "12500.50",
            "currency": "RUB",
            "category_id": "purchase-of-goods",
            "counterparty": "ООО «Ромашка»",
            "problem": "Заканчиваются коробки для упаковки",
            "solution": "Купить 500 коробок",
            "pay_by": "2026-12-15",
            "period": "2026-12",
        }
        body.update(fields)
        return self.call(author, "POST", "/api/finance/requests", body)["request"]

    def act(self, person: Person, request_id: str, action: str, body=None) -> dict:
        path = f"/api/finance/requests/{request_id}/{action}"
        return self.call(person, "POST", path, body or {})["request"]

    def submitted(self, **fields) -> dict:
        request = self.create_request(self.anna, **fields)
        return self.act(self.anna, request["id"], "submit")

    def approved(self, **fields) -> dict:
        request = self.submitted(**fields)
        self.act(self.boris, request["id"], "approve")
        return self.act(self.fedor, request["id"], "approve")

    def waiting_count(self, person: Person) -> int:
        page = self.call(person, "GET", "/api/finance/requests?view=to_approve")
        return len(page["requests"])


def build_company(stack: LiveStack) -> Company:
    owner_token = stack.login(OWNER_EMAIL, OWNER_PASSWORD)
    owner = Person("Owner", OWNER_EMAIL, OWNER_PASSWORD, owner_token)
    applied = stack.api(
        "POST", "/api/org/templates/marketplace-business/apply", owner_token
    )
    assert applied.status_code == 200, applied.text
    positions = stack.api("GET", "/api/org/positions", owner_token).json()["positions"]
    by_name = {position["name_en"]: position["id"] for position in positions}

    def hire(name: str, email: str, position: str, role: str = "employee") -> Person:
        password = f"{email.split('@')[0]}-browser-password"
        response = stack.api(
            "POST",
            "/api/users",
            owner_token,
            json={
                "email": email,
                "name": name,
                "role": role,
                "locale": "ru",
                "password": password,
                "position_id": by_name[POSITIONS[position]],
            },
        )
        assert response.status_code == 201, response.text
        return Person(name, email, password, stack.login(email, password))

    return Company(
        stack=stack,
        owner=owner,
        anna=hire("Анна", "anna@finance.example", "wb_manager"),
        boris=hire(
            "Борис", "boris@finance.example", "head_of_marketplaces", role="manager"
        ),
        fedor=hire("Фёдор", "fedor@finance.example", "financial_manager"),
        alla=hire("Алла", "alla@finance.example", "accountant"),
    )


def sign_in(page: Page, person: Person) -> None:
    page.goto("/#/login")
    page.get_by_test_id("login-email").fill(person.email)
    page.get_by_test_id("login-password").fill(person.password)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("connection-status")).to_have_attribute(
        "data-state", "online"
    )


def open_request(page: Page, request_id: str) -> None:
    page.goto(f"/#/finance/requests/{request_id}")
    expect(page.get_by_test_id("finance-request-title")).to_be_visible()


def money(amount: str) -> str:
    """Format an amount as the Russian UI shows it: "12500.50" -> "12 500,50 RUB"."""
    whole, fraction = amount.split(".")
    grouped = f"{int(whole):,}".replace(",", " ")
    return f"{grouped},{fraction} RUB"


def month_of(day: date) -> str:
    return day.isoformat()[:7]
