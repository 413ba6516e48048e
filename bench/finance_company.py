"""A staffed company, and payment requests taken through the transitions in memory.

Going through the routes costs several HTTP calls and two transactions per
request, too slow for tens of thousands of them. ``RequestBuilder`` instead
walks a request through the transitions of ``chalicelib.finance.transitions``
in memory: it sets the same fields, derives the approval path with
``approval_path.derive_path`` and takes the approver-index key from
``approval_path.approver_key``. bench/finance_builder_check.py runs two
requests through the real routes and the builder side by side and checks that
both store the same fields.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from bench.embedded import EmbeddedApp, Person

if TYPE_CHECKING:
    # At run time these are imported inside functions, because chalicelib
    # reads its settings from the environment that EmbeddedApp prepares.
    from chalicelib.finance.org_snapshot import OrgSnapshot
    from chalicelib.finance.settings import ApprovalSettings
    from chalicelib.people.models import User

# (name, template position key, role). The CFO's position stays vacant, as in
# tests/finance/conftest.py, so requests of finance go up to the CEO.
STAFF = (
    ("Вера Соколова", "ceo", "manager"),
    ("Борис Орлов", "head_of_marketplaces", "manager"),
    ("Анна Белова", "wb_manager", "employee"),
    ("Олег Ким", "ozon_manager", "employee"),
    ("Яна Лисицына", "ym_manager", "employee"),
    ("Мария Пак", "marketplace_assistant", "employee"),
    ("Глеб Титов", "head_of_content", "manager"),
    ("Кира Зуева", "content_manager", "employee"),
    ("Дина Рябова", "designer", "employee"),
    ("Ада Крылова", "head_of_advertising", "manager"),
    ("Рита Носова", "ads_manager", "employee"),
    ("Пётр Лосев", "head_of_purchasing", "manager"),
    ("Ирина Гусева", "purchasing_manager", "employee"),
    ("Лев Фомин", "head_of_logistics", "manager"),
    ("Тимур Жуков", "logistician", "employee"),
    ("Фёдор Громов", "financial_manager", "employee"),
    ("Алла Серова", "accountant", "employee"),
)
# The approver whose "To approve" list is measured, and the viewer of the
# calendar. The calendar viewer is in finance, which may see every request.
MEASURED_APPROVER = "head_of_marketplaces"
CALENDAR_VIEWER = "financial_manager"
SIGNED_IN = (
    "ceo",
    "head_of_marketplaces",
    "wb_manager",
    "ozon_manager",
    CALENDAR_VIEWER,
)

# RUB per unit, as approvers would record them.
RATES = {"CNY": "12.80", "USD": "92.45"}


@dataclass
class Company:
    owner: Person
    # Keyed by the template key of each person's position.
    users: dict[str, "User"]
    signed_in: dict[str, Person]
    org: "OrgSnapshot"
    settings: "ApprovalSettings"

    def position_id(self, key: str) -> str:
        return self.users[key].position_id


def hire_staff(app: EmbeddedApp) -> Company:
    """Apply the marketplace template and hire ``STAFF`` through the API."""
    from chalicelib.finance.org_snapshot import OrgSnapshot
    from chalicelib.finance.settings import load_settings
    from chalicelib.people.service import find_user

    owner = app.sign_in_owner()
    applied = owner.client.post("/api/org/templates/marketplace-business/apply")
    if applied.status != 200:
        raise RuntimeError(f"applying the org template failed: {applied.body}")
    template = OrgSnapshot()
    users, passwords = {}, {}
    for number, (name, key, role) in enumerate(STAFF, 1):
        email = f"{key}@bench.example"
        passwords[key] = f"bench-password-{number}"
        body = {
            "email": email,
            "name": name,
            "role": role,
            "password": passwords[key],
            "position_id": template.template_position(key).position_id,
        }
        response = owner.client.post("/api/users", body)
        if response.status != 201:
            raise RuntimeError(f"hiring {email} failed: {response.body}")
        users[key] = find_user(response.json["user"]["id"])
    signed_in = {
        key: app.sign_in(users[key].email, passwords[key]) for key in SIGNED_IN
    }
    # A new snapshot, because the first one cached every position as vacant.
    org = OrgSnapshot()
    return Company(owner, users, signed_in, org, load_settings(org))


@dataclass
class RequestDetails:
    amount_minor: int
    currency: str
    category_id: str
    counterparty: str
    problem: str
    solution: str
    pay_by: date


class RequestBuilder:
    """One request taken through the transitions in memory, as the service would.

    Each method mirrors the function of the same name in
    ``chalicelib.finance.transitions`` and moves ``clock`` on by ``after``.
    """

    def __init__(
        self,
        company: Company,
        author_key: str,
        request_id: str,
        created_at: datetime,
        details: RequestDetails,
    ) -> None:
        from chalicelib.finance.models import FinanceRequest, request_pk

        self.company = company
        self.author = company.users[author_key]
        self.clock = created_at
        self.request = FinanceRequest(
            request_pk(request_id),
            request_id=request_id,
            status="draft",
            version=1,
            author_id=self.author.user_id,
            author_name=self.author.name,
            author_position_id=self.author.position_id,
            amount_minor=details.amount_minor,
            currency=details.currency,
            category_id=details.category_id,
            counterparty=details.counterparty,
            problem=details.problem,
            solution=details.solution,
            pay_by=details.pay_by.isoformat(),
            period=details.pay_by.strftime("%Y-%m"),
            created_at=created_at,
            updated_at=created_at,
            updated_by=self.author.user_id,
        )

    def _change(self, actor, after: timedelta) -> None:
        self.clock += after
        self.request.version = int(self.request.version) + 1
        self.request.updated_at = self.clock
        self.request.updated_by = actor.user_id

    def _set_payment_date(self, pay_date: str) -> None:
        # The values that transitions._payment_index_actions sets. It returns
        # update actions, not values, so the two lines are repeated here, and
        # bench/finance_builder_check.py checks them against the service.
        self.request.pay_month = pay_date[:7]
        self.request.pay_key = f"{pay_date}#{self.request.request_id}"

    def submit(self, after: timedelta = timedelta(hours=1)) -> None:
        from chalicelib.finance import approval_path
        from chalicelib.finance.money import convert_to_rub

        request = self.request
        amount_rub = convert_to_rub(
            int(request.amount_minor), request.currency, request.rate
        )
        steps = approval_path.derive_path(
            self.author,
            self.author.position_id,
            amount_rub,
            self.company.settings,
            self.company.org,
        )
        first = approval_path.next_pending(steps)
        if first is None:
            raise RuntimeError(
                f"the approval path of {self.author.name} has no pending step"
            )
        self._change(self.author, after)
        request.steps = steps
        request.submitted_at = self.clock
        request.reason = None
        request.author_position_id = self.author.position_id
        request.status = "on_approval"
        request.current_step = first
        request.approver_key = approval_path.approver_key(steps[first])

    def approve(self, after: timedelta = timedelta(days=1)) -> None:
        from chalicelib.finance import approval_path
        from chalicelib.finance.money import (
            DEFAULT_CURRENCY,
            convert_to_rub,
            parse_rate,
        )

        request = self.request
        index = int(request.current_step)
        step = request.steps[index]
        approver = approval_path.approvers_of(step, self.company.org)[0]
        self._change(approver, after)
        rate = None
        if request.currency != DEFAULT_CURRENCY:
            rate = parse_rate(RATES[request.currency])
            request.rate = rate
            request.amount_rub_minor = convert_to_rub(
                int(request.amount_minor), request.currency, rate
            )
        step.status = approval_path.APPROVED
        step.acted_by = approver.user_id
        step.acted_by_name = approver.name
        step.acted_at = self.clock
        step.rate = rate
        following = approval_path.next_pending(request.steps, index)
        if following is None:
            request.status = "approved"
            request.approved_at = self.clock
            request.current_step = None
            request.approver_key = None
            self._set_payment_date(request.pay_by)
        else:
            request.current_step = following
            request.approver_key = approval_path.approver_key(request.steps[following])

    def decline(
        self, to_status: str, reason: str, after: timedelta = timedelta(days=1)
    ) -> None:
        from chalicelib.finance import approval_path

        request = self.request
        step = request.steps[int(request.current_step)]
        self._change(approval_path.approvers_of(step, self.company.org)[0], after)
        request.status = to_status
        request.reason = reason
        request.current_step = None
        request.approver_key = None

    def schedule(self, pay_on: date, after: timedelta = timedelta(hours=4)) -> None:
        request = self.request
        self._change(self.company.users[CALENDAR_VIEWER], after)
        if request.status != "partially_paid":
            request.status = "scheduled"
        request.pay_on = pay_on.isoformat()
        self._set_payment_date(request.pay_on)

    def pay(self, amount_minor: int, after: timedelta = timedelta(hours=4)) -> None:
        request = self.request
        self._change(self.company.users[CALENDAR_VIEWER], after)
        paid = int(request.paid_minor) + amount_minor
        request.paid_minor = paid
        if paid == int(request.amount_minor):
            request.status = "paid"
            request.paid_at = self.clock
            request.pay_month = None
            request.pay_key = None
        else:
            request.status = "partially_paid"
