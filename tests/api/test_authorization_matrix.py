"""Call every HTTP route and WebSocket action as every role and check who gets in.

The expected outcome of each route is data in ``CASES``: one row per method
and route, naming the body to send and, for the five signed-in people, a
string of outcomes in the order of ``PERSON_ROLES``:

    a  allowed: any status but 401, 403, 404 and 5xx
    n  allowed, and 404 too: the world has no object for the id in the path
    d  denied: 401 or 403
    h  hidden: 404, where the code hides that the object exists

Every route behind the bearer authorizer must deny the anonymous caller, the
deactivated person (whose token was issued before deactivation) and an API
token holding every scope except the one the route needs. A public route
lists its own outcomes for those three. A route of the app missing from
``CASES``, or a WebSocket action missing from ``SOCKET_CASES``, fails the
coverage tests by name. A 5xx is a failure for every role.
"""

import ast
import inspect
import json
from dataclasses import dataclass, field

import pytest

from chalicelib.chat import websocket
from chalicelib.chat.gateway import use_gateway
from chalicelib.integrations import telegram_api
from chalicelib.integrations.scopes import ClosedToTokens, required_scope
from shtab_local.pump import StreamPump
from tests.integrations.webhook_receiver import Receiver
from tests.support.api import ApiClient, ApiResponse
from tests.support.authz_world import (
    DEACTIVATED_CONNECTION,
    PERSON_ROLES,
    ROLES,
    World,
    build_world,
    finance_body,
)
from tests.support.fake_gateway import FakeGateway
from tests.support.fake_telegram import TOKEN as TELEGRAM_TOKEN
from tests.support.fake_telegram import FakeTelegram
from tests.support.fixtures import reset_backends

# Outcome strings for the people, in the order of PERSON_ROLES:
# employee, manager_a, manager_b, admin, owner.
EVERYONE = "aaaaa"
ADMINS = "dddaa"
# The employee's own object: the employee and their manager see it, the other
# department's manager does not learn it exists, admins see everything.
OWN_AND_CHAIN = "aahaa"
# Only the person who made the object, and admins.
OWN_ONLY = "ahhaa"

OUTCOME_NAMES = {
    "a": "allow",
    "d": "deny",
    "h": "hidden",
    "n": "allow or not found",
}


@dataclass(frozen=True)
class Case:
    method: str
    route: str
    # Outcomes of the five people, in the order of PERSON_ROLES.
    people: str
    body: object = None
    query: str = ""
    raw: bytes | None = None
    content_type: str | None = None
    # Path parameters that differ from DEFAULT_PARAMETERS.
    params: dict = field(default_factory=dict)
    # A Factories method giving each role its own throwaway object.
    fresh: str | None = None
    # Outcomes of anonymous, deactivated and token on a route without the
    # bearer authorizer; None for routes behind it, which deny all three.
    public: str | None = None
    # Why the outcomes are what they are, where the row alone does not say.
    reason: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.route}"

    def expected(self) -> dict[str, str]:
        outsiders = self.public or "ddd"
        outcomes = dict(
            zip(("anonymous", "deactivated", "token"), outsiders, strict=True)
        )
        outcomes.update(zip(PERSON_ROLES, self.people, strict=True))
        return outcomes


# Path parameter name to the key of ``World.ids``; "=" starts a literal value
# and "@" names the role whose user id to use.
DEFAULT_PARAMETERS = {
    "department_id": "department_a",
    "position_id": "position_worker_a",
    "user_id": "@employee",
    "key": "=marketplace-business",
    "emoji": "=👍",
    "file_format": "=csv",
}


def message_body(ids: dict) -> dict:
    return {"message_id": ids["message_id"]}


CHANNEL = "/api/chat/channels/{channel_id}"
MESSAGE = "/api/chat/messages/{message_id}"
REQUEST = "/api/finance/requests/{request_id}"
ARTICLE = "/api/kb/articles/{article_id}"
COURSE = "/api/kb/courses/{course_id}"
TASK = "/api/tasks/{task_id}"
HOOK = "/api/integrations/hooks/{hook_id}"
SUBSCRIPTION = "/api/integrations/subscriptions/{subscription_id}"
WEEK = "/api/weeks/{iso_week}"
MARKDOWN = "text/markdown"

CASES = [
    # Sign-in and the caller's own account.
    Case(
        "POST",
        "/api/auth/login",
        EVERYONE,
        body=lambda ids: {"email": "employee@example.com", "password": ids["password"]},
        public="aaa",
        reason="sign-in takes no token; it checks the password",
    ),
    Case("GET", "/api/auth/me", EVERYONE),
    # Public documents.
    Case("GET", "/api/health", EVERYONE, public="aaa"),
    Case("GET", "/api/docs", EVERYONE, public="aaa"),
    Case("GET", "/api/openapi.json", EVERYONE, public="aaa"),
    # Org structure: everyone reads it, admins change it.
    Case("GET", "/api/org/chart", EVERYONE),
    Case("GET", "/api/org/departments", EVERYONE),
    Case("POST", "/api/org/departments", ADMINS, body={"name": "Закупки"}),
    Case(
        "PATCH",
        "/api/org/departments/{department_id}",
        ADMINS,
        body={"purpose": "Хранение и отгрузка"},
    ),
    Case("DELETE", "/api/org/departments/{department_id}", ADMINS, fresh="department"),
    Case("GET", "/api/org/positions", EVERYONE),
    Case(
        "POST",
        "/api/org/positions",
        ADMINS,
        body=lambda ids: {"name": "Грузчик", "department_id": ids["department_a"]},
    ),
    Case(
        "PATCH",
        "/api/org/positions/{position_id}",
        ADMINS,
        body={"purpose": "Принимает поставки"},
    ),
    Case("DELETE", "/api/org/positions/{position_id}", ADMINS, fresh="position"),
    Case("GET", "/api/org/templates", EVERYONE),
    Case("POST", "/api/org/templates/{key}/apply", ADMINS),
    # People.
    Case("GET", "/api/users", EVERYONE),
    Case(
        "POST",
        "/api/users",
        ADMINS,
        body=lambda ids: {
            "email": f"hire-{ids['counter']}@example.com",
            "name": "Новый",
        },
    ),
    Case("GET", "/api/users/{user_id}", EVERYONE),
    Case(
        "PATCH",
        "/api/users/{user_id}",
        "addaa",
        body={"name": "Кладовщик Анна"},
        reason="people change their own name; admins change anyone's",
    ),
    Case("DELETE", "/api/users/{user_id}", ADMINS, fresh="person"),
    # Chat: the private channel is the employee's, with manager A a member.
    Case("GET", "/api/chat/channels", EVERYONE),
    Case("POST", "/api/chat/channels", EVERYONE, body={"name": "Обед"}),
    Case("GET", CHANNEL, OWN_AND_CHAIN),
    Case("PATCH", CHANNEL, "adhaa", body={"description": "Склад А"}),
    Case("POST", CHANNEL + "/archive", "adhaa", fresh="channel"),
    Case("POST", CHANNEL + "/unarchive", "adhaa", fresh="archived_channel"),
    Case(
        "POST",
        CHANNEL + "/attachments",
        "aaddd",
        body={"file_name": "Акт.pdf", "content_type": "application/pdf", "size": 10},
    ),
    Case(
        "POST",
        CHANNEL + "/import/telegram",
        "ddddd",
        body={"name": "Склад", "type": "private_group", "messages": []},
    ),
    Case("POST", CHANNEL + "/join", "aahdd"),
    Case("POST", CHANNEL + "/leave", "aahaa", fresh="channel"),
    Case("GET", CHANNEL + "/members", "aaddd"),
    Case(
        "POST",
        CHANNEL + "/members",
        "adhaa",
        body=lambda ids: {"user_id": ids["user_manager_b"]},
        fresh="channel",
    ),
    Case(
        "DELETE", CHANNEL + "/members/{user_id}", "aahaa", fresh="channel_with_member"
    ),
    Case("GET", CHANNEL + "/messages", "aaddd"),
    Case("POST", CHANNEL + "/messages", "aaddd", body={"text": "Палеты приехали"}),
    Case("GET", CHANNEL + "/notifications", "aaddd"),
    Case("PUT", CHANNEL + "/notifications", "aaddd", body={"level": "mentions"}),
    Case(
        "POST",
        CHANNEL + "/owners",
        "adhaa",
        body=lambda ids: {"user_id": ids["user_manager_a"]},
        fresh="channel",
    ),
    Case("DELETE", CHANNEL + "/owners/{user_id}", "aahaa", fresh="channel_with_owner"),
    Case("GET", CHANNEL + "/pins", "aaddd"),
    Case("POST", CHANNEL + "/read", "aaddd", body=message_body),
    Case("POST", CHANNEL + "/unread", "aaddd", body=message_body),
    Case(
        "POST",
        "/api/chat/direct",
        EVERYONE,
        body=lambda ids: {"user_ids": [ids["user_admin"]]},
    ),
    Case(
        "POST",
        "/api/chat/import/slack",
        ADMINS,
        raw=b"not a zip",
        content_type="application/zip",
    ),
    Case("POST", "/api/chat/import/telegram", ADMINS, body={"chats": {"list": []}}),
    Case("PATCH", MESSAGE, "adddd", body={"text": "Исправлено"}, fresh="message"),
    Case(
        "DELETE",
        MESSAGE,
        "adddd",
        fresh="message",
        reason="admins moderate public channels and private ones they belong to",
    ),
    Case("POST", MESSAGE + "/follow", "aaddd"),
    Case("DELETE", MESSAGE + "/follow", "aaddd"),
    Case("POST", MESSAGE + "/pin", "aaddd", fresh="message"),
    Case("DELETE", MESSAGE + "/pin", "aaddd", fresh="pinned_message"),
    Case("POST", MESSAGE + "/reactions", "aaddd", body={"emoji": "👍"}),
    Case("DELETE", MESSAGE + "/reactions/{emoji}", "aaddd"),
    Case("GET", MESSAGE + "/thread", "aaddd"),
    Case("POST", MESSAGE + "/thread/read", "aaddd", body=message_body),
    Case("POST", MESSAGE + "/thread/unread", "aaddd", body=message_body),
    Case("GET", "/api/chat/search", EVERYONE, query="q=склад"),
    Case("GET", "/api/chat/threads", EVERYONE),
    Case("GET", "/api/chat/unread", EVERYONE),
    Case(
        "GET",
        "/api/chat/attachments/{attachment_id}",
        "aaddd",
        params={"attachment_id": "chat_attachment_id"},
    ),
    Case(
        "GET",
        "/api/chat/attachments/{attachment_id}/preview",
        "aaddd",
        params={"attachment_id": "chat_attachment_id"},
    ),
    # Tasks: the task is the employee's, so manager A sees it through the
    # reports_to chain and manager B does not.
    Case("GET", "/api/tasks", EVERYONE),
    Case(
        "POST",
        "/api/tasks",
        EVERYONE,
        body=lambda ids: {"title": "Разгрузка", "assignee_id": ids["user_employee"]},
    ),
    Case("GET", TASK, OWN_AND_CHAIN),
    Case("PATCH", TASK, "adhaa", body={"priority": "high"}),
    Case("POST", TASK + "/comments", OWN_AND_CHAIN, body={"text": "Проверю"}),
    Case("GET", TASK + "/history", OWN_AND_CHAIN),
    Case("POST", TASK + "/checklist", "adhaa", body={"text": "Посчитать"}),
    Case("PATCH", TASK + "/checklist/{item_id}", "adhaa", body={"done": True}),
    Case("DELETE", TASK + "/checklist/{item_id}", "adhaa", fresh="checklist_item"),
    Case(
        "POST", TASK + "/checklist/{item_id}/subtask", "adhaa", fresh="checklist_item"
    ),
    Case("GET", "/api/tasks/series", EVERYONE),
    Case(
        "POST",
        "/api/tasks/series",
        EVERYONE,
        body=lambda ids: {
            "title": "Уборка",
            "assignee_id": ids["user_employee"],
            "rule": {"frequency": "daily", "start": "2030-01-07"},
        },
    ),
    Case(
        "GET",
        "/api/tasks/series/{series_id}",
        OWN_ONLY,
        reason="a series is seen by its creator and admins, not up the chain",
    ),
    Case("POST", "/api/tasks/series/{series_id}/stop", OWN_ONLY, fresh="series"),
    Case(
        "POST",
        "/api/tasks/import",
        "daaaa",
        query="format=csv&assignee_id={user_employee}",
        raw=b"Title\n\xd0\x9f\xd0\xb0\xd0\xbb\xd0\xb5\xd1\x82\xd1\x8b\n",
        content_type="text/csv",
        reason="admins and people with the manager role import tasks",
    ),
    Case(
        "POST",
        "/api/tasks/import/preview",
        "daaaa",
        query="format=csv",
        raw=b"Title\nBoxes\n",
        content_type="application/octet-stream",
    ),
    Case(
        "POST",
        "/api/tasks/import/{file_format}",
        "daaaa",
        query="assignee_id={user_employee}",
        raw=b"Title\nBoxes\n",
        content_type="application/octet-stream",
    ),
    Case("GET", "/api/tasks/import/placeholders", "daaaa"),
    Case(
        "POST",
        "/api/tasks/import/placeholders/{placeholder_id}/map",
        ADMINS,
        body=lambda ids: {"user_id": ids["user_employee"]},
    ),
    # Process templates and launches.
    Case("GET", "/api/process-templates", EVERYONE),
    Case(
        "POST",
        "/api/process-templates",
        ADMINS,
        body=lambda ids: {
            "name": {"ru": "Отгрузка", "en": "Shipping"},
            "description": {"ru": "Отгрузка", "en": "Shipping"},
            "steps": [
                {
                    "key": "pack",
                    "position_id": ids["position_worker_a"],
                    "due_offset_days": 0,
                    "duration_days": 1,
                    "title": {"ru": "Упаковать", "en": "Pack"},
                    "description": {"ru": "Упаковать", "en": "Pack"},
                }
            ],
        },
    ),
    Case("GET", "/api/process-templates/{template_id}", EVERYONE),
    Case(
        "POST",
        "/api/process-templates/{template_id}/launch",
        EVERYONE,
        body=lambda ids: {
            "name": f"Приёмка {ids['counter']}",
            "target_date": "2030-04-01",
        },
    ),
    Case(
        "GET",
        "/api/launches/{launch_id}",
        OWN_ONLY,
        reason="admins, the launcher and the people on its tasks see a launch",
    ),
    # Week plans: the employee's plan and department A's notes.
    Case("GET", WEEK + "/plan", "aadaa", query="user_id={user_employee}"),
    Case(
        "PUT",
        WEEK + "/plan",
        "aadaa",
        body=lambda ids: {
            "user_id": ids["user_employee"],
            "task_ids": [],
            "version": 0,
        },
    ),
    Case(
        "POST",
        WEEK + "/close",
        "aadaa",
        body=lambda ids: {"user_id": ids["user_employee"]},
    ),
    Case(
        "GET",
        WEEK + "/review",
        "dadaa",
        query="department_id={department_a}",
        reason="reviews are for the department's managers and admins",
    ),
    Case("GET", WEEK + "/notes", "aadaa", query="department_id={department_a}"),
    Case(
        "PUT",
        WEEK + "/notes",
        "aadaa",
        query="department_id={department_a}",
        body={"text": "Итоги недели", "version": 0},
    ),
    # Finance: the draft request is the employee's, and manager A approves it.
    # A request outside the caller's view is refused with 403, not hidden.
    Case("GET", "/api/finance/categories", EVERYONE),
    Case("POST", "/api/finance/categories", ADMINS, body={"name": "Канцелярия"}),
    Case(
        "PATCH",
        "/api/finance/categories/{category_id}",
        ADMINS,
        body={"name_en": "Packing"},
    ),
    Case("GET", "/api/finance/settings", ADMINS),
    Case(
        "PUT",
        "/api/finance/settings",
        ADMINS,
        body={"direct_manager_only_up_to": "100000000", "final_approvers": []},
    ),
    Case("GET", "/api/finance/calendar", EVERYONE),
    Case("GET", "/api/finance/plan", EVERYONE),
    Case("GET", "/api/finance/requests", EVERYONE),
    Case("GET", "/api/finance/requests/export", EVERYONE),
    Case(
        "POST",
        "/api/finance/requests",
        "aadaa",
        body=lambda ids: finance_body(ids["category_id"]),
        reason="the category is department A's, closed to department B",
    ),
    Case("GET", REQUEST, "aadaa", fresh="draft_request"),
    Case(
        "PATCH",
        REQUEST,
        "adddd",
        body={"counterparty": "ООО «Палета»"},
        fresh="draft_request",
    ),
    Case("POST", REQUEST + "/submit", "adddd", fresh="draft_request"),
    Case("POST", REQUEST + "/withdraw", "adddd", fresh="submitted_request"),
    Case("POST", REQUEST + "/approve", "daddd", fresh="submitted_request"),
    Case(
        "POST",
        REQUEST + "/reject",
        "daddd",
        body={"reason": "Нет бюджета"},
        fresh="submitted_request",
    ),
    Case(
        "POST",
        REQUEST + "/return",
        "daddd",
        body={"reason": "Уточните сумму"},
        fresh="submitted_request",
    ),
    Case(
        "POST",
        REQUEST + "/schedule",
        "dddaa",
        body={"pay_on": "2030-12-10"},
        fresh="approved_request",
    ),
    Case(
        "POST",
        REQUEST + "/pay",
        "dddaa",
        body={"amount": "1500.00"},
        fresh="approved_request",
    ),
    Case(
        "POST",
        REQUEST + "/attachments",
        "addaa",
        body={"file_name": "Счёт.pdf", "content_type": "application/pdf", "size": 10},
        fresh="draft_request",
        reason="finance adds files once approved, so on a draft admins get 409",
    ),
    Case("GET", REQUEST + "/attachments/{attachment_id}", "aadaa"),
    Case(
        "POST",
        REQUEST + "/attachments/{attachment_id}/complete",
        "adddd",
        fresh="finance_attachment",
    ),
    Case(
        "DELETE",
        REQUEST + "/attachments/{attachment_id}",
        "adddd",
        fresh="finance_attachment",
    ),
    # Knowledge base: the article, questions and course are in department A's
    # section, and the course is for the worker position of A.
    Case("GET", "/api/kb/sections", EVERYONE),
    Case("POST", "/api/kb/sections", ADMINS, body={"name": "Регламенты"}),
    Case("GET", "/api/kb/sections/{section_id}", EVERYONE),
    Case("PATCH", "/api/kb/sections/{section_id}", ADMINS, body={"sort_order": 5}),
    Case("DELETE", "/api/kb/sections/{section_id}", ADMINS, fresh="section"),
    Case(
        "POST",
        "/api/kb/sections/{section_id}/assignments",
        "dadaa",
        body=lambda ids: {
            "title": "Как принять поставку",
            "assignee_user_id": ids["user_employee"],
        },
    ),
    Case("GET", "/api/kb/sections/{section_id}/assignments", "dadaa"),
    Case(
        "POST",
        "/api/kb/sections/{section_id}/import",
        "dadaa",
        query="format=markdown&file_name=guide.md",
        raw="# Приёмка\n\nШаги.".encode(),
        content_type=MARKDOWN,
    ),
    Case(
        "POST",
        "/api/kb/import",
        "dadaa",
        query="section_id={section_id}&format=markdown&file_name=guide.md",
        raw="# Приёмка\n\nШаги.".encode(),
        content_type=MARKDOWN,
    ),
    Case("GET", "/api/kb/templates", EVERYONE),
    Case("GET", "/api/kb/search", EVERYONE, query="q=коробки"),
    Case(
        "POST",
        "/api/kb/articles",
        "dadaa",
        body=lambda ids: {
            "section_id": ids["section_id"],
            "title": "Приёмка палет",
            "body": "Шаги.",
        },
    ),
    Case("GET", ARTICLE, EVERYONE),
    Case(
        "PUT",
        ARTICLE,
        "dadaa",
        body={"base_revision": 1, "body": "Новая редакция"},
        reason="a stale base revision saves a conflict copy instead",
    ),
    Case("PUT", ARTICLE + "/access", ADMINS, body={"grants": None}),
    Case("POST", ARTICLE + "/acknowledge", EVERYONE),
    Case("GET", ARTICLE + "/readers", "dadaa"),
    Case("GET", ARTICLE + "/revisions", EVERYONE),
    Case("GET", ARTICLE + "/revisions/{revision}", EVERYONE),
    Case("POST", ARTICLE + "/revisions/{revision}/restore", "dadaa", body={}),
    Case("GET", ARTICLE + "/diff", EVERYONE, query="from=1&to=2"),
    Case("GET", ARTICLE + "/conflicts", EVERYONE),
    Case("GET", ARTICLE + "/conflicts/{conflict_id}", "hhhha"),
    Case("DELETE", ARTICLE + "/conflicts/{conflict_id}", "hhhha", fresh="conflict"),
    Case(
        "POST",
        ARTICLE + "/images",
        "dadaa",
        body={"file_name": "Палета.png", "content_type": "image/png", "size": 10},
    ),
    Case("GET", ARTICLE + "/images/{image_id}", EVERYONE),
    Case("POST", ARTICLE + "/images/{image_id}/complete", "dadaa"),
    Case("GET", ARTICLE + "/questions", EVERYONE),
    Case(
        "POST",
        ARTICLE + "/questions",
        "dadaa",
        body={"kind": "open", "text": "Что проверить первым?"},
    ),
    Case("PATCH", "/api/kb/questions/{question_id}", "dadaa", body={"sort_order": 2}),
    Case("DELETE", "/api/kb/questions/{question_id}", "dadaa", fresh="question"),
    Case("GET", "/api/kb/answers", EVERYONE),
    Case(
        "POST",
        "/api/kb/answers/{answer_id}/grade",
        "dadaa",
        body={"passed": True},
        fresh="pending_answer",
    ),
    Case("GET", "/api/kb/courses", EVERYONE),
    Case(
        "POST",
        "/api/kb/courses",
        "dadaa",
        reason="a manager sets courses for the positions that report to them",
        body=lambda ids: {
            "title": "Приёмка",
            "article_ids": [ids["article_id"]],
            "position_ids": [ids["position_worker_a"]],
        },
    ),
    Case("GET", COURSE, EVERYONE),
    Case("PATCH", COURSE, "dadaa", body={"description": "Для кладовщиков"}),
    Case("DELETE", COURSE, "dadaa", fresh="course"),
    Case("GET", COURSE + "/me", "adddd"),
    Case("GET", COURSE + "/attempts", "adddd"),
    Case("POST", COURSE + "/articles/{article_id}/read", "adddd"),
    Case(
        "POST",
        COURSE + "/questions/{question_id}/answer",
        "adddd",
        body={"version": 1, "option_ids": ["unknown"]},
    ),
    Case(
        "POST",
        COURSE + "/answers",
        "adddd",
        body=lambda ids: {
            "question_id": ids["question_id"],
            "version": 1,
            "option_ids": ["unknown"],
        },
    ),
    Case(
        "GET",
        COURSE + "/progress",
        EVERYONE,
        reason="the rows are limited to the caller's reports, all for admins",
    ),
    Case("GET", COURSE + "/report", EVERYONE),
    # Import jobs: the job was started by the owner.
    Case("GET", "/api/imports/{job_id}", "hhhaa"),
    # Integrations: admins only, except a person's own Telegram link.
    Case("GET", "/api/integrations/tokens", ADMINS),
    Case(
        "POST",
        "/api/integrations/tokens",
        ADMINS,
        body={"name": "Склад", "scopes": ["tasks:read"]},
    ),
    Case("DELETE", "/api/integrations/tokens/{token_id}", ADMINS, fresh="token"),
    Case("GET", "/api/integrations/hooks", ADMINS),
    Case(
        "POST",
        "/api/integrations/hooks",
        ADMINS,
        body=lambda ids: {
            "name": "Склад",
            "action": "create_task",
            "template": {
                "title": "Пополнить {{ payload.sku }}",
                "assignee_user_id": ids["user_employee"],
            },
        },
    ),
    Case("GET", HOOK, ADMINS),
    Case("DELETE", HOOK, ADMINS, fresh="hook"),
    Case("GET", HOOK + "/deliveries", ADMINS),
    Case("POST", HOOK + "/rotate-secret", ADMINS, fresh="hook"),
    Case("POST", HOOK + "/test", ADMINS, body={"payload": {"sku": "A-1"}}),
    Case("GET", "/api/integrations/subscriptions", ADMINS),
    Case(
        "POST",
        "/api/integrations/subscriptions",
        ADMINS,
        body=lambda ids: {"url": ids["receiver_url"], "events": ["task.created"]},
    ),
    Case("GET", SUBSCRIPTION, ADMINS),
    Case("PATCH", SUBSCRIPTION, ADMINS, body={"active": True}),
    Case("DELETE", SUBSCRIPTION, ADMINS, fresh="subscription"),
    Case("GET", SUBSCRIPTION + "/deliveries", ADMINS),
    Case("GET", "/api/integrations/dead-letters", ADMINS),
    Case("GET", "/api/integrations/deliveries/{delivery_id}", ADMINS),
    Case("POST", "/api/integrations/deliveries/{delivery_id}/replay", ADMINS),
    Case(
        "PUT", "/api/integrations/telegram", ADMINS, body={"bot_token": TELEGRAM_TOKEN}
    ),
    Case("GET", "/api/integrations/telegram", ADMINS),
    Case("POST", "/api/integrations/telegram/link", EVERYONE),
    Case("GET", "/api/integrations/telegram/link", EVERYONE),
    Case("DELETE", "/api/integrations/telegram/link", EVERYONE),
    # Stream records parked after failing; the world parks none, so an admin
    # gets 404 for a made-up id ("n").
    Case("GET", "/api/admin/dead-letters", ADMINS),
    Case(
        "GET",
        "/api/admin/dead-letters/{dead_letter_id}",
        "dddnn",
        params={"dead_letter_id": "=01J0000000000000000000000A"},
    ),
    Case(
        "POST",
        "/api/admin/dead-letters/{dead_letter_id}/replay",
        "dddnn",
        params={"dead_letter_id": "=01J0000000000000000000000A"},
    ),
    Case("POST", "/api/admin/dead-letters/replay", ADMINS, body={"limit": 1}),
    # Routes that check their own secret instead of a bearer token.
    Case(
        "POST",
        "/api/hooks/{hook_id}",
        "ddddd",
        body={"sku": "A-1"},
        public="ddd",
        reason="a delivery must carry the hook's signature",
    ),
    Case(
        "POST",
        "/api/telegram/updates",
        "ddddd",
        body={"update_id": 1},
        public="ddd",
        reason="an update must carry the webhook's secret token",
    ),
    Case("DELETE", "/api/integrations/telegram", ADMINS, fresh="telegram_bot"),
]


@pytest.fixture(scope="module")
def world(database, http_gateway, app_module):
    reset_backends(database)
    pump = StreamPump(database.endpoint, app_module.STREAM_REACTIONS, database.prefix)
    pump.attach()
    gateway = FakeGateway()
    use_gateway(gateway)
    receiver = Receiver()
    receiver.start()
    telegram = FakeTelegram()
    telegram.start()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ssrf_variable(), receiver.host)
        patch.setenv(telegram_api.API_URL_VARIABLE, telegram.url)
        yield build_world(ApiClient(http_gateway), pump, gateway, receiver.url())
    telegram.stop()
    receiver.stop()
    use_gateway(None)


def ssrf_variable() -> str:
    from chalicelib.integrations import ssrf

    return ssrf.ALLOWED_HOSTS_VARIABLE


def route_table(app_module) -> dict[str, dict]:
    return {
        f"{method} {path}": entry
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
    }


def token_for(world: World, case: Case) -> str:
    """Return an API token holding every scope except the one the route needs."""
    try:
        scope = required_scope(case.route, case.method)
    except ClosedToTokens:
        # No scope opens the route, so even a token with all of them is denied.
        return world.full_token
    return world.tokens_without[scope]


def client_for(world: World, role: str, case: Case) -> ApiClient:
    if role == "token":
        return world.api.as_user(token_for(world, case))
    if role == "deactivated":
        return world.api.as_user(world.person_tokens["deactivated"])
    return world.clients[role]


def fill(template: str, values: dict) -> str:
    return template.format(**values)


def send(world: World, role: str, case: Case, values: dict) -> ApiResponse:
    path = fill(case.route, values)
    if case.query:
        path = f"{path}?{fill(case.query, values)}"
    body = case.body(values) if callable(case.body) else case.body
    headers = {"Content-Type": case.content_type} if case.content_type else None
    client = client_for(world, role, case)
    return client.request(case.method, path, body, raw=case.raw, headers=headers)


def path_values(world: World, case: Case, fresh: dict) -> dict:
    values = dict(world.ids)
    values.update({f"user_{role}": user_id for role, user_id in world.user_ids.items()})
    values["counter"] = str(next(world.factories.counter))
    for name, source in {**DEFAULT_PARAMETERS, **case.params}.items():
        if source.startswith("="):
            values[name] = source[1:]
        elif source.startswith("@"):
            values[name] = world.user_ids[source[1:]]
        else:
            values[name] = world.ids[source]
    values.update(fresh)
    return values


def matches(outcome: str, status: int) -> bool:
    if outcome == "d":
        return status in (401, 403)
    if outcome == "h":
        return status == 404
    if outcome == "n":
        return status not in (401, 403) and status < 500
    return status not in (401, 403, 404) and status < 500


def describe(response: ApiResponse) -> str:
    try:
        error = (response.json or {}).get("error", {})
    except ValueError:
        return ""
    return error.get("message", "") if isinstance(error, dict) else ""


# The route table is complete


def test_cases_cover_every_route(app_module):
    routes = route_table(app_module)
    listed = [case.name for case in CASES]
    missing = sorted(set(routes) - set(listed))
    assert not missing, f"routes with no expected outcomes in CASES: {missing}"
    unknown = sorted(set(listed) - set(routes))
    assert not unknown, f"CASES rows for routes the app does not have: {unknown}"
    repeated = sorted({name for name in listed if listed.count(name) > 1})
    assert not repeated, f"routes listed twice in CASES: {repeated}"


def test_public_rows_match_authorizer(app_module):
    routes = route_table(app_module)
    for case in CASES:
        has_authorizer = routes[case.name].authorizer is not None
        assert has_authorizer == (case.public is None), (
            f"{case.name}: the route {'has' if has_authorizer else 'lacks'} the "
            "bearer authorizer, but its row says the opposite"
        )


def test_outcome_strings_are_complete():
    for case in CASES:
        assert len(case.people) == len(PERSON_ROLES), case.name
        assert set(case.people) <= set(OUTCOME_NAMES), case.name
        assert case.public is None or len(case.public) == 3, case.name


# Every route as every role


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_route_authorization(world, case):
    expected = case.expected()
    factory = getattr(world.factories, case.fresh) if case.fresh else None
    # Roles expected to be turned away share one object, because their call
    # must leave it as it was; if it does not, their own cell fails first.
    shared = factory() if factory else {}
    problems = []
    for role in ROLES:
        allowed = expected[role] in ("a", "n")
        fresh = factory() if factory and allowed else shared
        response = send(world, role, case, path_values(world, case, fresh))
        outcome = expected[role]
        if response.status >= 500 or not matches(outcome, response.status):
            problems.append(
                f"{case.name} as {role}: expected {OUTCOME_NAMES[outcome]}, got "
                f"{response.status} {describe(response)[:160]}"
            )
    # Reads write nothing the later rows need, so only writes wait for the
    # stream reactions (task threads, memberships) before the next row.
    if case.method != "GET":
        world.pump.drain()
    assert not problems, "\n".join(problems)


# The WebSocket: connecting, then each action the server dispatches

# Outcomes by role for opening a socket and for each action sent on it. The
# private channel is the employee's, with manager A a member.
SOCKET_CONNECT = {
    "anonymous": "d",
    "deactivated": "d",
    "token": "d",
    **dict(zip(PERSON_ROLES, EVERYONE, strict=True)),
}
SOCKET_CASES = {
    "ping": EVERYONE,
    "send_message": "aaddd",
}


def dispatched_actions() -> set[str]:
    """Return the action names ``websocket._dispatch`` compares frames against."""
    tree = ast.parse(inspect.getsource(websocket._dispatch))
    actions = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Compare)
            and isinstance(node.left, ast.Attribute)
            and node.left.attr == "action"
        ):
            actions.update(
                item.value
                for item in node.comparators
                if isinstance(item, ast.Constant) and isinstance(item.value, str)
            )
    return actions


def socket_token(world: World, role: str) -> str | None:
    if role == "anonymous":
        return None
    if role == "token":
        return world.full_token
    return world.person_tokens[role]


def socket_frame(world: World, action: str) -> dict:
    frame = {"action": action, "request_id": f"authz-{action}"}
    if action == "send_message":
        frame.update(channel_id=world.ids["channel_id"], text="Сокет: палеты")
    return frame


def reply_outcome(world: World, connection_id: str) -> tuple[str, str]:
    """Return the outcome letter of the last frame sent back, with a summary."""
    if connection_id in world.gateway.closed:
        return "d", "connection closed"
    frames = world.gateway.sent[connection_id]
    assert frames, f"no reply on {connection_id}"
    last = frames[-1]
    if last["type"] == "ack":
        return "a", "ack"
    code = last["error"]["code"]
    letter = {"forbidden": "d", "unauthenticated": "d", "not_found": "h"}.get(code, "a")
    return letter, f"error {code}: {last['error']['message'][:120]}"


def test_socket_cases_cover_every_action():
    actions = dispatched_actions()
    assert actions, "found no actions in websocket._dispatch"
    missing = sorted(actions - set(SOCKET_CASES))
    assert not missing, f"WebSocket actions with no expected outcomes: {missing}"
    unknown = sorted(set(SOCKET_CASES) - actions)
    assert not unknown, f"SOCKET_CASES rows for actions the server lacks: {unknown}"


def test_socket_connect_authorization(world):
    problems = []
    for role in ROLES:
        token = socket_token(world, role)
        query = {"token": token} if token else {}
        status = websocket.on_connect(f"authz-connect-{role}", query)["statusCode"]
        if not matches(SOCKET_CONNECT[role], status):
            problems.append(
                f"WebSocket $connect as {role}: expected "
                f"{OUTCOME_NAMES[SOCKET_CONNECT[role]]}, got {status}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("action", sorted(SOCKET_CASES))
def test_socket_action_authorization(world, action):
    expected = dict(zip(PERSON_ROLES, SOCKET_CASES[action], strict=True))
    # The deactivated person's socket was opened before the deactivation;
    # any frame on it must close it instead of being served.
    expected["deactivated"] = "d"
    problems = []
    for role, outcome in expected.items():
        connection_id = f"authz-{action}-{role}"
        if role == "deactivated":
            connection_id = DEACTIVATED_CONNECTION
        else:
            token = world.person_tokens[role]
            opened = websocket.on_connect(connection_id, {"token": token})
            assert opened == {"statusCode": 200}, (role, opened)
        frame = json.dumps(socket_frame(world, action), ensure_ascii=False)
        websocket.on_message(connection_id, frame)
        seen, summary = reply_outcome(world, connection_id)
        if seen != outcome:
            problems.append(
                f"WebSocket {action} as {role}: expected {OUTCOME_NAMES[outcome]}, "
                f"got {summary}"
            )
    world.pump.drain()
    assert not problems, "\n".join(problems)
