"""One company for the authorization matrix, with people in every role.

Two departments, A and B, each with a head and a worker position; the worker
reports to the head of their department. The people are:

    owner        role owner, no position
    admin        role admin, no position
    employee     worker of A, the author of the objects the routes act on
    manager_a    role manager, head of A, so the employee's manager
    manager_b    role manager, head of B, outside A's reporting chain
    deactivated  worker of A, signed in and then deactivated

Every object the routes name by id is made here, in department A, by the
employee where people may make it and by the owner where only admins may.
``Factories`` make throwaway objects for the calls that delete or change
state, so each role gets an object in the state the call needs.
"""

import io
import itertools
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import requests

from chalicelib.auth.service import bootstrap_owner
from chalicelib.chat import websocket
from chalicelib.integrations.scopes import SCOPES
from shtab_local.pump import StreamPump
from tests.support.api import ApiClient, ApiResponse
from tests.support.chat_files import png_bytes
from tests.support.fake_gateway import FakeGateway
from tests.support.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.support.fixtures import OWNER_EMAIL, OWNER_PASSWORD

# The roles each route is checked for, in the order the calls are made: the
# roles that must be turned away first, so they cannot change what the
# others see.
ROLES = (
    "anonymous",
    "deactivated",
    "token",
    "manager_b",
    "employee",
    "manager_a",
    "admin",
    "owner",
)
PERSON_ROLES = ("employee", "manager_a", "manager_b", "admin", "owner")
# The connection the deactivated person opened before being deactivated.
DEACTIVATED_CONNECTION = "authz-deactivated-socket"


PICTURE = png_bytes(2, 2)


def upload_to_storage(upload: dict, content: bytes) -> None:
    """Send a file to the embedded S3 with the presigned form the API returned."""
    sent = requests.post(
        upload["url"],
        data=upload["fields"],
        files={"file": ("upload", content, "image/png")},
        timeout=10,
    )
    assert sent.status_code in (200, 201, 204), sent.text


def created(response: ApiResponse, status: int = 201) -> dict:
    assert response.status == status, (response.status, response.body[:500])
    return response.json


def finance_body(category_id: str) -> dict:
    return {
        "amount": "1500.00",
        "currency": "RUB",
        "category_id": category_id,
        "counterparty": "ООО «Коробка»",
        "problem": "Заканчиваются коробки",
        "solution": "Купить 500 коробок",
        "pay_by": "2030-12-15",
        "period": "2030-12",
    }


def zipped_markdown() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("guide.md", "# Упаковка\n\nКак упаковать поставку.")
    return buffer.getvalue()


@dataclass
class World:
    api: ApiClient
    pump: StreamPump
    gateway: FakeGateway
    # Client per role; "token" is absent because its token depends on the route.
    clients: dict[str, ApiClient]
    user_ids: dict[str, str]
    ids: dict[str, str]
    # API token per scope: each token holds every scope except that one.
    tokens_without: dict[str, str]
    # A token with every scope, for routes that no scope opens.
    full_token: str
    person_tokens: dict[str, str]
    factories: "Factories" = field(init=False)

    def client(self, role: str) -> ApiClient:
        return self.clients[role]


class Factories:
    """Throwaway objects for calls that delete something or move its state."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.counter = itertools.count(1)

    @property
    def owner(self) -> ApiClient:
        return self.world.clients["owner"]

    @property
    def employee(self) -> ApiClient:
        return self.world.clients["employee"]

    def department(self) -> dict:
        number = next(self.counter)
        made = created(self.owner.post("/api/org/departments", {"name": f"D{number}"}))
        return {"department_id": made["department"]["id"]}

    def position(self) -> dict:
        number = next(self.counter)
        body = {"name": f"P{number}", "department_id": self.world.ids["department_a"]}
        made = created(self.owner.post("/api/org/positions", body))
        return {"position_id": made["position"]["id"]}

    def person(self) -> dict:
        number = next(self.counter)
        body = {
            "email": f"spare{number}@example.com",
            "name": f"Запасной {number}",
            "position_id": self.world.ids["position_worker_a"],
            "password": f"spare-password-{number}",
        }
        made = created(self.owner.post("/api/users", body))
        self.world.pump.drain()
        return {"user_id": made["user"]["id"]}

    def channel(self) -> dict:
        """A private channel of the employee, with manager A as a member."""
        number = next(self.counter)
        body = {
            "name": f"Канал {number}",
            "visibility": "private",
            "member_ids": [self.world.user_ids["manager_a"]],
        }
        made = created(self.employee.post("/api/chat/channels", body))
        return {"channel_id": made["channel"]["id"]}

    def channel_with_owner(self) -> dict:
        """A channel where manager A is a second owner, to remove as one."""
        ids = self.channel()
        path = f"/api/chat/channels/{ids['channel_id']}/owners"
        created(self.employee.post(path, {"user_id": ids_manager(self)}), 200)
        return {**ids, "user_id": ids_manager(self)}

    def channel_with_member(self) -> dict:
        ids = self.channel()
        return {**ids, "user_id": ids_manager(self)}

    def archived_channel(self) -> dict:
        ids = self.channel()
        path = f"/api/chat/channels/{ids['channel_id']}/archive"
        created(self.employee.post(path), 200)
        return ids

    def message(self) -> dict:
        path = f"/api/chat/channels/{self.world.ids['channel_id']}/messages"
        made = created(self.employee.post(path, {"text": "Временное сообщение"}))
        return {"message_id": made["message"]["id"]}

    def pinned_message(self) -> dict:
        ids = self.message()
        created(self.employee.post(f"/api/chat/messages/{ids['message_id']}/pin"), 200)
        return ids

    def checklist_item(self) -> dict:
        task_id = self.world.ids["task_id"]
        path = f"/api/tasks/{task_id}/checklist"
        made = created(self.employee.post(path, {"text": "Временный пункт"}))
        return {"task_id": task_id, "item_id": made["item"]["id"]}

    def series(self) -> dict:
        made = created(self.employee.post("/api/tasks/series", series_body(self)))
        return {"series_id": made["series"]["id"]}

    def _request(self) -> str:
        body = finance_body(self.world.ids["category_id"])
        made = created(self.employee.post("/api/finance/requests", body))
        return made["request"]["id"]

    def draft_request(self) -> dict:
        return {"request_id": self._request()}

    def submitted_request(self) -> dict:
        request_id = self._request()
        path = f"/api/finance/requests/{request_id}/submit"
        created(self.employee.post(path), 200)
        return {"request_id": request_id}

    def approved_request(self) -> dict:
        ids = self.submitted_request()
        manager = self.world.clients["manager_a"]
        path = f"/api/finance/requests/{ids['request_id']}/approve"
        approved = created(manager.post(path), 200)
        assert approved["request"]["status"] == "approved", approved
        return ids

    def finance_attachment(self) -> dict:
        request_id = self._request()
        path = f"/api/finance/requests/{request_id}/attachments"
        body = {"file_name": "Счёт.pdf", "content_type": "application/pdf", "size": 10}
        made = created(self.employee.post(path, body))
        return {
            "request_id": request_id,
            "attachment_id": made["attachment"]["attachment_id"],
        }

    def article(self) -> dict:
        body = {
            "section_id": self.world.ids["section_id"],
            "title": f"Статья {next(self.counter)}",
            "body": "Текст.",
            "status": "published",
        }
        made = created(self.owner.post("/api/kb/articles", body))
        return {"article_id": made["article"]["id"]}

    def question(self) -> dict:
        path = f"/api/kb/articles/{self.world.ids['article_id']}/questions"
        made = created(self.owner.post(path, single_question()))
        return {"question_id": made["question"]["id"]}

    def course(self) -> dict:
        made = created(self.owner.post("/api/kb/courses", course_body(self)))
        return {"course_id": made["course"]["id"]}

    def section(self) -> dict:
        body = {"name": f"Раздел {next(self.counter)}"}
        made = created(self.owner.post("/api/kb/sections", body))
        return {"section_id": made["section"]["id"]}

    def conflict(self) -> dict:
        return {
            "article_id": self.world.ids["article_id"],
            "conflict_id": make_conflict(self.world),
        }

    def hook(self) -> dict:
        made = created(
            self.owner.post("/api/integrations/hooks", hook_body(self.world))
        )
        return {"hook_id": made["hook"]["id"]}

    def subscription(self) -> dict:
        body = subscription_body(self.world)
        made = created(self.owner.post("/api/integrations/subscriptions", body))
        return {"subscription_id": made["subscription"]["id"]}

    def token(self) -> dict:
        body = {"name": f"Временный {next(self.counter)}", "scopes": ["tasks:read"]}
        made = created(self.owner.post("/api/integrations/tokens", body))
        return {"token_id": made["token"]["id"]}

    def telegram_bot(self) -> dict:
        body = {"bot_token": TELEGRAM_TOKEN}
        created(self.owner.request("PUT", "/api/integrations/telegram", body), 200)
        return {}

    def pending_answer(self) -> dict:
        return {"answer_id": answer_open_question(self.world)}


def ids_manager(factories: Factories) -> str:
    return factories.world.user_ids["manager_a"]


def series_body(factories: Factories) -> dict:
    return {
        "title": "Еженедельная инвентаризация",
        "assignee_id": factories.world.user_ids["employee"],
        "rule": {"frequency": "weekly", "start": "2030-01-07", "weekdays": [1]},
    }


def single_question() -> dict:
    return {
        "kind": "single",
        "text": "Сколько коробок в палете?",
        "options": [{"text": "40", "correct": True}, {"text": "10"}],
    }


def course_body(factories: Factories) -> dict:
    return {
        "title": "Упаковка",
        "article_ids": [factories.world.ids["article_id"]],
        "position_ids": [factories.world.ids["position_worker_a"]],
    }


def hook_body(world: World) -> dict:
    return {
        "name": "Остатки",
        "action": "create_task",
        "template": {
            "title": "Пополнить {{ payload.sku }}",
            "assignee_user_id": world.user_ids["employee"],
        },
    }


def subscription_body(world: World) -> dict:
    return {
        "url": world.ids["receiver_url"],
        "events": ["task.created"],
        "secret": "receiver-secret-0123456789-abcdef",
    }


def make_conflict(world: World) -> str:
    """Save the article twice from one base revision; the second is a copy."""
    owner = world.clients["owner"]
    article_id = world.ids["article_id"]
    base = created(owner.get(f"/api/kb/articles/{article_id}"), 200)["article"]
    path = f"/api/kb/articles/{article_id}"
    first = {"base_revision": base["revision"], "body": f"Правка {base['revision']}"}
    created(owner.request("PUT", path, first), 200)
    second = {"base_revision": base["revision"], "body": "Другая правка"}
    saved = owner.request("PUT", path, second)
    assert saved.status in (200, 409), saved.body
    conflicts = created(owner.get(f"{path}/conflicts"), 200)["conflicts"]
    assert conflicts, saved.body
    return conflicts[-1]["id"]


def answer_open_question(world: World) -> str:
    """Let a new worker of A answer the open question of the course."""
    factories = world.factories
    learner = factories.person()["user_id"]
    number = next(factories.counter)
    password = f"learner-password-{number}"
    world.clients["owner"].patch(f"/api/users/{learner}", {"password": password})
    user = created(world.clients["owner"].get(f"/api/users/{learner}"), 200)["user"]
    login = {"email": user["email"], "password": password}
    token = created(world.api.post("/api/auth/login", login), 200)["token"]
    client = world.api.as_user(token)
    course_id = world.ids["course_id"]
    question_id = world.ids["open_question_id"]
    article_id = world.ids["article_id"]
    created(client.post(f"/api/kb/courses/{course_id}/articles/{article_id}/read"), 200)
    path = f"/api/kb/courses/{course_id}/questions/{question_id}/answer"
    body = {"version": world.ids["open_question_version"], "text": "Проверяю скотч."}
    answered = client.post(path, body)
    assert answered.status in (200, 201), answered.body
    return answered.json["answer"]["id"]


def current_week() -> str:
    year, week, _ = date.today().isocalendar()
    return f"{year}-W{week:02d}"


def next_week() -> str:
    year, week, _ = (date.today() + timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


def _sign_in(api: ApiClient, email: str, password: str) -> tuple[str, str]:
    body = created(
        api.post("/api/auth/login", {"email": email, "password": password}), 200
    )
    return body["user"]["id"], body["token"]


def build_world(
    api: ApiClient, pump: StreamPump, gateway: FakeGateway, receiver_url: str
) -> World:
    """Seed the company and every object the route table names."""
    bootstrap_owner(OWNER_EMAIL, OWNER_PASSWORD)
    owner_id, owner_token = _sign_in(api, OWNER_EMAIL, OWNER_PASSWORD)
    owner = api.as_user(owner_token)

    department_a = created(owner.post("/api/org/departments", {"name": "Склад"}))
    department_b = created(owner.post("/api/org/departments", {"name": "Продажи"}))
    a_id = department_a["department"]["id"]
    b_id = department_b["department"]["id"]

    def position(name: str, department_id: str, reports_to: str | None = None) -> str:
        body = {"name": name, "department_id": department_id}
        if reports_to:
            body["reports_to"] = reports_to
        return created(owner.post("/api/org/positions", body))["position"]["id"]

    head_a = position("Начальник склада", a_id)
    worker_a = position("Кладовщик", a_id, head_a)
    head_b = position("Начальник продаж", b_id)
    worker_b = position("Продавец", b_id, head_b)
    pump.drain()

    user_ids = {"owner": owner_id}
    person_tokens = {"owner": owner_token}
    people = {
        "admin": ("admin", None),
        "employee": ("employee", worker_a),
        "manager_a": ("manager", head_a),
        "manager_b": ("manager", head_b),
        "deactivated": ("employee", worker_a),
    }
    for number, (role_name, (role, position_id)) in enumerate(people.items(), 1):
        email = f"{role_name.replace('_', '-')}@example.com"
        password = f"{role_name}-password-{number}"
        body = {"email": email, "name": role_name, "role": role, "password": password}
        if position_id:
            body["position_id"] = position_id
        created(owner.post("/api/users", body))
        pump.drain()
        user_ids[role_name], person_tokens[role_name] = _sign_in(api, email, password)

    employee_password = "employee-password-2"
    clients = {role: api.as_user(token) for role, token in person_tokens.items()}
    clients["anonymous"] = api

    # The deactivated person opens a socket first, then loses their account.
    connected = websocket.on_connect(
        DEACTIVATED_CONNECTION, {"token": person_tokens["deactivated"]}
    )
    assert connected == {"statusCode": 200}
    created(owner.delete(f"/api/users/{user_ids['deactivated']}"), 200)
    pump.drain()

    tokens_without = {}
    for scope in SCOPES:
        if scope == "admin":
            continue
        body = {"name": f"Без {scope}", "scopes": [s for s in SCOPES if s != scope]}
        tokens_without[scope] = created(owner.post("/api/integrations/tokens", body))[
            "secret"
        ]
    full_token = created(
        owner.post("/api/integrations/tokens", {"name": "Все", "scopes": list(SCOPES)})
    )["secret"]

    world = World(
        api=api,
        pump=pump,
        gateway=gateway,
        clients=clients,
        user_ids=user_ids,
        ids={
            "department_a": a_id,
            "department_b": b_id,
            "position_head_a": head_a,
            "position_worker_a": worker_a,
            "position_worker_b": worker_b,
            "receiver_url": receiver_url,
            "iso_week": current_week(),
            "password": employee_password,
        },
        tokens_without=tokens_without,
        full_token=full_token,
        person_tokens=person_tokens,
    )
    world.factories = Factories(world)
    _seed_objects(world)
    return world


def _seed_objects(world: World) -> None:
    ids = world.ids
    owner = world.clients["owner"]
    employee = world.clients["employee"]
    pump = world.pump
    factories = world.factories

    ids.update(factories.channel())
    path = f"/api/chat/channels/{ids['channel_id']}/messages"
    message = created(employee.post(path, {"text": "Привет, склад"}))["message"]
    ids["message_id"] = message["id"]
    reply = {"text": "Ответ в треде", "thread_id": message["id"]}
    created(employee.post(path, reply))
    pump.drain()
    attachment_body = {
        "file_name": "Фото.png",
        "content_type": "image/png",
        "size": len(PICTURE),
    }
    attachment = created(
        employee.post(
            f"/api/chat/channels/{ids['channel_id']}/attachments", attachment_body
        )
    )
    upload_to_storage(attachment["upload"], PICTURE)
    ids["chat_attachment_id"] = attachment["attachment"]["id"]
    with_file = {"text": "Фото палеты", "attachment_ids": [ids["chat_attachment_id"]]}
    created(employee.post(path, with_file))

    task_body = {"title": "Инвентаризация", "assignee_id": world.user_ids["employee"]}
    ids["task_id"] = created(employee.post("/api/tasks", task_body))["task"]["id"]
    item = created(
        employee.post(f"/api/tasks/{ids['task_id']}/checklist", {"text": "Пункт"})
    )
    ids["item_id"] = item["item"]["id"]
    pump.drain()
    ids.update(factories.series())

    category = {"name": "Упаковка", "department_id": ids["department_a"]}
    ids["category_id"] = created(owner.post("/api/finance/categories", category))[
        "category"
    ]["id"]
    ids.update(factories.finance_attachment())

    ids["section_id"] = f"dept-{ids['department_a']}-instructions"
    ids.update(factories.article())
    ids["revision"] = "1"
    ids.update(factories.question())
    open_path = f"/api/kb/articles/{ids['article_id']}/questions"
    open_question = created(
        owner.post(open_path, {"kind": "open", "text": "Как вы проверяете короба?"})
    )["question"]
    ids["open_question_id"] = open_question["id"]
    ids["open_question_version"] = open_question["version"]
    ids.update(factories.course())
    pump.drain()
    ids["answer_id"] = answer_open_question(world)
    image_body = {
        "file_name": "Схема.png",
        "content_type": "image/png",
        "size": len(PICTURE),
    }
    image = created(
        owner.post(f"/api/kb/articles/{ids['article_id']}/images", image_body)
    )
    upload_to_storage(image["upload"], PICTURE)
    ids["image_id"] = image["image"]["id"]
    image_path = f"/api/kb/articles/{ids['article_id']}/images/{ids['image_id']}"
    created(owner.post(f"{image_path}/complete"), 200)
    ids["conflict_id"] = make_conflict(world)

    template = {
        "name": {"ru": "Приёмка", "en": "Receiving"},
        "description": {"ru": "Приёмка поставки", "en": "Receiving a delivery"},
        "steps": [
            {
                "key": "check",
                "position_id": ids["position_worker_a"],
                "due_offset_days": -1,
                "duration_days": 1,
                "title": {"ru": "Проверить", "en": "Check"},
                "description": {"ru": "Проверить поставку", "en": "Check it"},
            }
        ],
    }
    ids["template_id"] = created(owner.post("/api/process-templates", template))[
        "template"
    ]["id"]
    launch = {"name": "Приёмка 1", "target_date": "2030-03-01"}
    ids["launch_id"] = created(
        employee.post(f"/api/process-templates/{ids['template_id']}/launch", launch)
    )["launch"]["id"]
    pump.drain()

    ids.update(factories.hook())
    ids.update(factories.subscription())
    created(
        employee.post(
            "/api/tasks",
            {"title": "Событие", "assignee_id": world.user_ids["employee"]},
        )
    )
    pump.drain()
    deliveries = created(
        owner.get(
            f"/api/integrations/subscriptions/{ids['subscription_id']}/deliveries"
        ),
        200,
    )["deliveries"]
    assert deliveries, "the subscription recorded no delivery"
    ids["delivery_id"] = deliveries[0]["id"]
    ids.update(factories.token())

    job = owner.request(
        "POST",
        f"/api/kb/import?section_id={ids['section_id']}&format=zip&file_name=guide.zip",
        raw=zipped_markdown(),
        headers={"Content-Type": "application/zip"},
    )
    ids["job_id"] = created(job, 202)["id"]
    pump.drain()

    csv = (
        "Title,Assignee,Status\nПроверить палеты,Неизвестный Человек,Todo\n"
    ).encode()
    imported = owner.request(
        "POST",
        f"/api/tasks/import?format=csv&assignee_id={world.user_ids['employee']}",
        raw=csv,
        headers={"Content-Type": "text/csv"},
    )
    placeholders = created(imported)["placeholders"]
    assert placeholders, imported.body
    ids["placeholder_id"] = placeholders[0]["id"]
    pump.drain()
