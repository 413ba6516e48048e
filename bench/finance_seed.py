"""Payment requests spread over authors, amounts, months and statuses.

``Seeder`` builds each request with ``RequestBuilder`` (bench/finance_company.py)
and ``write_requests`` stores them with PynamoDB's batch_write.

No history entries are written, because the measured views read request
items only, and history items carry none of the index key attributes.
"""

import itertools
import random
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bench.finance_company import (
    MEASURED_APPROVER,
    RATES,
    Company,
    RequestBuilder,
    RequestDetails,
)

if TYPE_CHECKING:
    # At run time it is imported inside functions, because chalicelib reads
    # its settings from the environment that EmbeddedApp prepares.
    from chalicelib.finance.models import FinanceRequest

# The seeded company's today. Requests are created before it, and the
# measured month is the month it falls in.
SEED_TODAY = date(2026, 12, 4)
MEASURED_MONTH = "2026-12"
HISTORY_START = date(2025, 1, 1)
RANDOM_SEED = 20261204

CATEGORIES = (
    "purchase-of-goods",
    "certification-and-marking",
    "marketplace-commission",
    "logistics-to-warehouses",
    "storage",
    "internal-advertising",
    "content-and-photo-shoots",
    "salaries",
    "taxes",
    "software",
)
COUNTERPARTIES = (
    "ООО «Ромашка»",
    "ИП Смирнов А. В.",
    "ООО «Тара-Пак»",
    "ООО «ПЭК»",
    "ООО «СДЭК-Глобал»",
    "Yiwu Trading Co., Ltd.",
    "ООО «Фотостудия Кадр»",
    "ИП Кузнецова Е. Н.",
    "ООО «МойСклад»",
    "ООО «Интернет Решения»",
)
PROBLEMS = (
    "Заканчиваются коробки для упаковки, запаса хватит на неделю отгрузок",
    "К распродаже нужна новая партия товара, текущий остаток уйдёт за 10 дней",
    "Пришёл счёт за хранение на складе маркетплейса за прошлый месяц",
    "Для новых карточек нужны фотографии на белом фоне и в интерьере",
    "Заканчивается подписка на сервис аналитики продаж",
    "На время акции нужна реклама в поиске по ключевым запросам",
    "Партию нужно довезти до склада в Коледино к поставке",
    "Для новой линейки нужна декларация соответствия",
)
SOLUTIONS = (
    "Оплатить счёт поставщика по договору",
    "Купить 500 коробок у постоянного поставщика",
    "Заказать партию 2000 штук с предоплатой 50%",
    "Продлить подписку на год со скидкой",
    "Оплатить рекламную кампанию на две недели",
)
CURRENCY_WEIGHTS = (("RUB", 0.9), ("CNY", 0.07), ("USD", 0.03))

# Outcomes of the background requests, which neither wait for the measured
# approver nor are due in the measured month. Most were paid in past months.
BACKGROUND_OUTCOMES = (
    ("paid", 0.84),
    ("rejected", 0.05),
    ("returned", 0.015),
    ("draft", 0.04),
    ("on_approval_elsewhere", 0.015),
    ("payable_other_month", 0.04),
)
OTHER_PAYMENT_MONTHS = ("2026-10", "2026-11", "2027-01", "2027-02")
# Statuses of the requests due in the measured month, by weight.
MEASURED_MONTH_STATUSES = (("approved", 45), ("scheduled", 55), ("partially_paid", 20))


def _moment(day: date, rng: random.Random) -> datetime:
    """Return a time during the working day ``day``, in UTC."""
    seconds = rng.randint(6 * 3600, 15 * 3600)
    return datetime.combine(day, time(), tzinfo=UTC) + timedelta(seconds=seconds)


def _day_between(start: date, end: date, rng: random.Random) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _month_bounds(month: str) -> tuple[date, date]:
    first = date.fromisoformat(f"{month}-01")
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def _weighted(choices, rng: random.Random):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


class Seeder:
    """Requests spread over the staff, amounts, months and statuses, reproducibly."""

    def __init__(self, company: Company, seed: int = RANDOM_SEED) -> None:
        self.company = company
        self.rng = random.Random(seed)
        self.serial = itertools.count(1)
        self.outcomes: Counter[str] = Counter()
        self.measured_key = company.position_id(MEASURED_APPROVER)
        self.reports = sorted(
            key
            for key, user in company.users.items()
            if user.position_id in company.org.reports_of(self.measured_key)
        )

    def _amount(self, currency: str) -> int:
        band = self.rng.random()
        if band < 0.6:
            rubles = self.rng.randint(1_000, 50_000)
        elif band < 0.95:
            rubles = self.rng.randint(50_001, 500_000)
        else:
            rubles = self.rng.randint(500_001, 2_000_000)
        minor = rubles * 100 + self.rng.choice((0, 0, 50, 99))
        if currency in RATES:
            minor = int(minor / float(RATES[currency]))
        return minor

    def _builder(self, author_key: str, created: date, pay_by: date) -> RequestBuilder:
        from chalicelib.ids import stable_id

        created_at = _moment(created, self.rng)
        currency = _weighted(CURRENCY_WEIGHTS, self.rng)
        details = RequestDetails(
            amount_minor=self._amount(currency),
            currency=currency,
            category_id=self.rng.choice(CATEGORIES),
            counterparty=self.rng.choice(COUNTERPARTIES),
            problem=self.rng.choice(PROBLEMS),
            solution=self.rng.choice(SOLUTIONS),
            pay_by=pay_by,
        )
        request_id = stable_id(created_at, "bench-finance", str(next(self.serial)))
        return RequestBuilder(self.company, author_key, request_id, created_at, details)

    def _any_author(self) -> str:
        return self.rng.choice(sorted(self.company.users))

    def _approve_all(self, builder: RequestBuilder) -> None:
        while builder.request.status == "on_approval":
            builder.approve()

    def waiting_for_measured_approver(self) -> "FinanceRequest":
        """A request of one of the measured approver's reports, on its first step."""
        created = _day_between(SEED_TODAY - timedelta(days=30), SEED_TODAY, self.rng)
        pay_by = created + timedelta(days=self.rng.randint(7, 30))
        builder = self._builder(self.rng.choice(self.reports), created, pay_by)
        builder.submit()
        if builder.request.approver_key != self.measured_key:
            raise RuntimeError("a report's request does not wait for their manager")
        self.outcomes["waiting_for_measured_approver"] += 1
        return builder.request

    def due_in_measured_month(self) -> "FinanceRequest":
        """An approved, scheduled or partly paid request due in the measured month."""
        status = _weighted(MEASURED_MONTH_STATUSES, self.rng)
        pay_date = _day_between(*_month_bounds(MEASURED_MONTH), self.rng)
        created = min(
            pay_date - timedelta(days=self.rng.randint(5, 40)),
            SEED_TODAY - timedelta(days=self.rng.randint(0, 3)),
        )
        builder = self._builder(self._any_author(), created, pay_date)
        builder.submit()
        self._approve_all(builder)
        if status != "approved":
            builder.schedule(pay_date)
        if status == "partially_paid":
            builder.pay(int(builder.request.amount_minor) // 2)
        self.outcomes[f"due_in_measured_month_{status}"] += 1
        return builder.request

    def background(self) -> "FinanceRequest":
        """A request that neither waits for the measured approver nor is due in
        the measured month, so it changes neither measured view's result.
        """
        outcome = _weighted(BACKGROUND_OUTCOMES, self.rng)
        if outcome == "paid":
            request = self._paid()
        elif outcome == "payable_other_month":
            request = self._payable_other_month()
        elif outcome == "on_approval_elsewhere":
            request = self._on_approval_elsewhere()
        else:
            request = self._not_approved(outcome)
        self.outcomes[f"background_{outcome}"] += 1
        return request

    def _paid(self) -> "FinanceRequest":
        pay_date = _day_between(
            HISTORY_START + timedelta(days=30),
            SEED_TODAY - timedelta(days=1),
            self.rng,
        )
        created = pay_date - timedelta(days=self.rng.randint(3, 30))
        builder = self._builder(self._any_author(), created, pay_date)
        builder.submit()
        self._approve_all(builder)
        if self.rng.random() < 0.5:
            builder.schedule(pay_date)
        amount = int(builder.request.amount_minor)
        if self.rng.random() < 0.3:
            builder.pay(amount // 3)
            amount -= amount // 3
        builder.pay(amount)
        return builder.request

    def _payable_other_month(self) -> "FinanceRequest":
        month = self.rng.choice(OTHER_PAYMENT_MONTHS)
        pay_date = _day_between(*_month_bounds(month), self.rng)
        created = min(
            pay_date - timedelta(days=self.rng.randint(5, 30)),
            SEED_TODAY - timedelta(days=self.rng.randint(0, 30)),
        )
        builder = self._builder(self._any_author(), created, pay_date)
        builder.submit()
        self._approve_all(builder)
        chance = self.rng.random()
        if chance < 0.5:
            builder.schedule(pay_date)
        if chance < 0.15:
            builder.pay(int(builder.request.amount_minor) // 2)
        return builder.request

    def _on_approval_elsewhere(self) -> "FinanceRequest":
        from chalicelib.finance import approval_path

        created = _day_between(SEED_TODAY - timedelta(days=60), SEED_TODAY, self.rng)
        pay_by = created + timedelta(days=self.rng.randint(3, 30))
        builder = self._builder(self._any_author(), created, pay_by)
        builder.submit()
        steps = builder.request.steps
        waiting_steps = [
            index
            for index, step in enumerate(steps)
            if step.status == approval_path.PENDING
            and approval_path.approver_key(step) != self.measured_key
        ]
        # Every path ends with a pending step of finance or the owner, unless
        # finance wrote the request, and then the CEO's step is pending.
        target = self.rng.choice(waiting_steps)
        while int(builder.request.current_step) != target:
            builder.approve()
        return builder.request

    def _not_approved(self, outcome: str) -> "FinanceRequest":
        from chalicelib.finance import approval_path

        created = _day_between(HISTORY_START, SEED_TODAY, self.rng)
        pay_by = created + timedelta(days=self.rng.randint(3, 30))
        builder = self._builder(self._any_author(), created, pay_by)
        if outcome == "draft":
            return builder.request
        builder.submit()
        # Declined on any pending step, so some steps before it are approved.
        declined_step = self.rng.choice(
            [
                index
                for index, step in enumerate(builder.request.steps)
                if step.status == approval_path.PENDING
            ]
        )
        while int(builder.request.current_step) != declined_step:
            builder.approve()
        to_status = "rejected" if outcome == "rejected" else "returned"
        builder.decline(to_status, "Нет в бюджете этого месяца")
        return builder.request


def write_requests(requests: Iterable["FinanceRequest"], label: str) -> int:
    """Write ``requests`` with batch_write and return how many were written."""
    from chalicelib.finance.models import FinanceRequest

    count = 0
    with FinanceRequest.batch_write() as batch:
        for request in requests:
            batch.save(request)
            count += 1
            if count % 5000 == 0:
                print(f"  wrote {count} {label}", flush=True)
    return count
