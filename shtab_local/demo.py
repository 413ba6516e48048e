"""Fill a running local stack with a small demo company, through its HTTP API.

The seed deploys the org template, hires five people, and gives them tasks
with checklists and comments, chat messages with a thread, a published
knowledge base article and a finance request with an uploaded invoice. It
expects a fresh stack: the template can be deployed only once.

Run it with the stack up (``make run`` in another terminal)::

    make demo ADMIN_EMAIL=owner@example.com ADMIN_PASSWORD=...
    python -m shtab_local.demo --url http://127.0.0.1:8000 --email ... --password ...
"""

import argparse
import logging
import os
import secrets
import sys
import time
from dataclasses import dataclass, field

import requests

logger = logging.getLogger("shtab_local.demo")

TEMPLATE_KEY = "marketplace-business"
EMAIL_DOMAIN = "demo.example"
REQUEST_TIMEOUT_SECONDS = 30
MEMBERSHIP_TIMEOUT_SECONDS = 20

# (key, name, position as the template names it in English)
PEOPLE = (
    ("anna", "Анна Петрова", "Wildberries account manager"),
    ("boris", "Борис Смирнов", "Ozon account manager"),
    ("vera", "Вера Кузнецова", "Content manager"),
    ("gleb", "Глеб Иванов", "Warehouse keeper"),
    ("dina", "Дина Орлова", "Accountant"),
)
INVOICE = b"%PDF-1.4\n" + "Счёт №41 на гофрокороба, 500 шт.\n".encode() * 40


class DemoError(Exception):
    """A seed step that the stack rejected. The message contains the API response."""


@dataclass
class Session:
    base_url: str
    token: str
    user_id: str | None = None

    def call(self, method: str, path: str, expected: int = 200, **kwargs) -> dict:
        response = requests.request(
            method,
            self.base_url + path,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=REQUEST_TIMEOUT_SECONDS,
            **kwargs,
        )
        if response.status_code != expected:
            raise DemoError(
                f"{method} {path} returned {response.status_code}, expected "
                f"{expected}: {response.text[:500]}"
            )
        return response.json() if response.content else {}


@dataclass
class Seeded:
    """The seed's results: each person's password and the ids of what it created."""

    passwords: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, str] = field(default_factory=dict)
    task_ids: list[str] = field(default_factory=list)
    message_ids: list[str] = field(default_factory=list)
    article_id: str = ""
    finance_request_id: str = ""
    attachment_id: str = ""


def sign_in(base_url: str, email: str, password: str) -> Session:
    response = requests.post(
        base_url + "/api/auth/login",
        json={"email": email, "password": password},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    if response.status_code != 200:
        raise DemoError(
            f"signing in as {email} failed with {response.status_code}: "
            f"{response.text[:300]}"
        )
    body = response.json()
    return Session(base_url, body["token"], body.get("user", {}).get("id"))


def email_of(key: str) -> str:
    return f"{key}@{EMAIL_DOMAIN}"


def hire_people(owner: Session, seeded: Seeded) -> dict[str, Session]:
    positions = owner.call("GET", "/api/org/positions")["positions"]
    by_name = {position["name_en"]: position["id"] for position in positions}
    sessions = {}
    for key, name, position in PEOPLE:
        password = secrets.token_urlsafe(12)
        created = owner.call(
            "POST",
            "/api/users",
            expected=201,
            json={
                "email": email_of(key),
                "name": name,
                "position_id": by_name[position],
                "password": password,
            },
        )
        seeded.passwords[key] = password
        seeded.user_ids[key] = created["user"]["id"]
        sessions[key] = sign_in(owner.base_url, email_of(key), password)
        sessions[key].user_id = created["user"]["id"]
        logger.info("hired %s as %s id=%s", key, position, created["user"]["id"])
    return sessions


def wait_for_channels(session: Session, kinds: set[str]) -> list[dict]:
    """Wait until the membership reaction has added the person to those channels."""
    deadline = time.monotonic() + MEMBERSHIP_TIMEOUT_SECONDS
    while True:
        channels = session.call("GET", "/api/chat/channels")["channels"]
        if kinds <= {channel["kind"] for channel in channels}:
            return channels
        if time.monotonic() > deadline:
            raise DemoError(
                f"channels of kinds {sorted(kinds)} did not appear within "
                f"{MEMBERSHIP_TIMEOUT_SECONDS} s; is the stream pump running?"
            )
        time.sleep(0.2)


def seed_tasks(owner: Session, people: dict[str, Session], seeded: Seeded) -> None:
    anna, boris = people["anna"], people["boris"]
    launch = owner.call(
        "POST",
        "/api/tasks",
        expected=201,
        json={
            "title": "Запустить карточку термокружки на Wildberries",
            "description": "Фото, описание и цена до конца месяца.",
            "assignee_id": anna.user_id,
            "co_assignee_ids": [people["vera"].user_id],
            "watcher_ids": [boris.user_id],
            "priority": "high",
            "tags": ["запуск"],
            "due": "2026-12-20",
        },
    )["task"]
    seeded.task_ids.append(launch["id"])
    items = []
    for text in ("Сделать фото", "Написать описание", "Рассчитать цену"):
        added = anna.call(
            "POST",
            f"/api/tasks/{launch['id']}/checklist",
            expected=201,
            json={"text": text},
        )
        items.append(added["item"]["id"])
    anna.call(
        "PATCH", f"/api/tasks/{launch['id']}/checklist/{items[0]}", json={"done": True}
    )
    anna.call(
        "POST",
        f"/api/tasks/{launch['id']}/comments",
        expected=201,
        json={"text": "Фото готовы, описание пишет Вера."},
    )
    owner.call(
        "POST",
        f"/api/tasks/{launch['id']}/comments",
        expected=201,
        json={"text": "Отлично, цену согласуем в пятницу.", "mentions": [anna.user_id]},
    )

    restock = owner.call(
        "POST",
        "/api/tasks",
        expected=201,
        json={
            "title": "Отгрузить поставку на склад Ozon",
            "assignee_id": people["gleb"].user_id,
            "watcher_ids": [boris.user_id],
            "due": "2026-12-10",
        },
    )["task"]
    seeded.task_ids.append(restock["id"])
    people["gleb"].call(
        "POST",
        f"/api/tasks/{restock['id']}/checklist",
        expected=201,
        json={"text": "Промаркировать коробки"},
    )
    people["gleb"].call(
        "PATCH", f"/api/tasks/{restock['id']}", json={"status": "in_progress"}
    )


def post_message(session: Session, channel_id: str, text: str, **fields) -> str:
    message = session.call(
        "POST",
        f"/api/chat/channels/{channel_id}/messages",
        expected=201,
        json={"text": text, **fields},
    )["message"]
    return message["id"]


def seed_chat(owner: Session, people: dict[str, Session], seeded: Seeded) -> None:
    anna_channels = wait_for_channels(people["anna"], {"general", "department"})
    general = next(c["id"] for c in anna_channels if c["kind"] == "general")
    department = next(c["id"] for c in anna_channels if c["kind"] == "department")
    for person in ("boris", "gleb"):
        wait_for_channels(people[person], {"general"})

    root = post_message(owner, general, "Коллеги, в пятницу инвентаризация склада.")
    seeded.message_ids.append(root)
    seeded.message_ids.append(
        post_message(people["gleb"], general, "Начнём в 10:00.", thread_id=root)
    )
    seeded.message_ids.append(
        post_message(
            people["boris"],
            general,
            "Остатки Ozon выгружу в четверг.",
            thread_id=root,
            also_send_to_channel=True,
        )
    )
    seeded.message_ids.append(
        post_message(people["anna"], department, "Карточка термокружки почти готова.")
    )


def seed_article(owner: Session, seeded: Seeded) -> None:
    article = owner.call(
        "POST",
        "/api/kb/articles",
        expected=201,
        json={
            "section_id": "general",
            "title": "Как мы принимаем поставку",
            "body": "1. Сверить накладную.\n2. Пересчитать коробки.\n"
            "3. Отметить расхождения в задаче.",
            "status": "published",
        },
    )["article"]
    seeded.article_id = article["id"]


def seed_finance(people: dict[str, Session], seeded: Seeded) -> None:
    gleb = people["gleb"]
    request = gleb.call(
        "POST",
        "/api/finance/requests",
        expected=201,
        json={
            "amount": "18450.00",
            "category_id": "purchase-of-goods",
            "counterparty": "ООО «Тара»",
            "problem": "Коробки для поставки на Ozon закончились",
            "solution": "Купить 500 гофрокоробов",
            "pay_by": "2026-12-05",
            "period": "2026-12",
        },
    )["request"]
    seeded.finance_request_id = request["id"]

    started = gleb.call(
        "POST",
        f"/api/finance/requests/{request['id']}/attachments",
        expected=201,
        json={
            "file_name": "Счёт №41.pdf",
            "content_type": "application/pdf",
            "size": len(INVOICE),
        },
    )
    form = started["upload"]
    uploaded = requests.post(
        form["url"],
        data=form["fields"],
        files={"file": ("invoice.pdf", INVOICE, "application/pdf")},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    if uploaded.status_code not in (200, 201, 204):
        raise DemoError(f"uploading the invoice failed: {uploaded.status_code}")
    attachment_id = started["attachment"]["attachment_id"]
    gleb.call(
        "POST",
        f"/api/finance/requests/{request['id']}/attachments/{attachment_id}/complete",
    )
    seeded.attachment_id = attachment_id


def seed(base_url: str, owner_email: str, owner_password: str) -> Seeded:
    """Create the demo company on the stack at ``base_url``; return what was made."""
    base_url = base_url.rstrip("/")
    owner = sign_in(base_url, owner_email, owner_password)
    seeded = Seeded()

    owner.call("POST", f"/api/org/templates/{TEMPLATE_KEY}/apply")
    people = hire_people(owner, seeded)
    seed_tasks(owner, people, seeded)
    seed_chat(owner, people, seeded)
    seed_article(owner, seeded)
    seed_finance(people, seeded)
    return seeded


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m shtab_local.demo",
        description="Fill a running local stack with a demo company.",
    )
    parser.add_argument(
        "--url",
        default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
        help="address of the running stack (default: http://127.0.0.1:$PORT)",
    )
    parser.add_argument(
        "--email",
        default=os.environ.get("ADMIN_EMAIL", "owner@example.com"),
        help="owner's email (default: $ADMIN_EMAIL or owner@example.com)",
    )
    parser.add_argument(
        "--password",
        default=os.environ.get("ADMIN_PASSWORD"),
        help="owner's password (default: $ADMIN_PASSWORD)",
    )
    arguments = parser.parse_args()
    if not arguments.password:
        parser.error(
            "the owner's password is missing: pass --password or set ADMIN_PASSWORD"
        )
    logging.basicConfig(
        level=logging.INFO, format="%(levelname)s %(name)s: %(message)s"
    )

    try:
        seeded = seed(arguments.url, arguments.email, arguments.password)
    except (DemoError, requests.RequestException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("Demo company created. The people sign in with:")
    for key, password in seeded.passwords.items():
        print(f"  {email_of(key)}  {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
