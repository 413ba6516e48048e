"""Launching a process template: wall time and DynamoDB writes per launch.

The app runs in this process on an embedded DynamoDB (moto), called through
HttpGateway as the tests do; stream reactions are not run, so the figures are
the launch request alone. The company is the marketplace org template with one
person in each position the steps name. Two templates are launched: the
shipped 24-step product launch, and a 40-step one built here from it by adding
a second colour variant of the product: the content, card and stock steps are
repeated for it with new keys. Each launch has its own name, so none is
answered from the idempotency key.
"""

import json
import threading
import time
from collections import Counter
from pathlib import Path

from bench.embedded import EmbeddedApp
from bench.report import format_summary, save_results, summarize_ms

REPEATS = 5
SHIPPED_TEMPLATE = "product-launch"
TARGET_DATE = "2031-09-01"
ROOT = Path(__file__).resolve().parents[1]
# Steps repeated for the second colour variant: 16 of them, so the generated
# template has 24 + 16 = 40 steps.
VARIANT_STEPS = (
    "samples_check",
    "certification",
    "marking",
    "photo_brief",
    "seo_text",
    "photo_shoot",
    "infographics",
    "card_wb",
    "card_ozon",
    "card_ym",
    "packaging_fbo",
    "supply_planning",
    "pricing_promo",
    "shipment",
    "ads_launch",
    "reviews_questions",
)
VARIANT_SUFFIX = "_variant2"


class ItemCounter:
    """Count items written by DynamoDB requests, from each request's parameters."""

    def __init__(self) -> None:
        self.items: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _record(self, params, model, **_kwargs) -> None:
        name = model.name
        if name == "TransactWriteItems":
            count = len(params.get("TransactItems", []))
        elif name == "BatchWriteItem":
            count = sum(len(rows) for rows in params.get("RequestItems", {}).values())
        elif name in ("PutItem", "UpdateItem", "DeleteItem"):
            count = 1
        else:
            return
        with self._lock:
            self.items[name] += count

    def install(self) -> None:
        """Hook every botocore session PynamoDB creates from now on."""
        import pynamodb.connection.base as pynamodb_base

        original = pynamodb_base.get_session

        def counted_session():
            session = original()
            session.register("before-parameter-build.dynamodb", self._record)
            return session

        pynamodb_base.get_session = counted_session

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self.items)


def checked(response, expected_status: int):
    if response.status != expected_status:
        raise RuntimeError(
            f"request failed: expected status {expected_status}, "
            f"got {response.status}: {response.body}"
        )
    return response


def forty_step_template(position_ids: dict[str, str]) -> dict:
    """Build the 40-step request body: the shipped steps and a second variant."""
    shipped = json.loads(
        (ROOT / "chalicelib/processes/data/product_launch.json").read_text("utf-8")
    )

    def body_of(step: dict, key: str, depends_on: list[str], label: str) -> dict:
        return {
            "key": key,
            "position_id": position_ids[step["position"]],
            "due_offset_days": step["due_offset_days"],
            "duration_days": step["duration_days"],
            "depends_on": depends_on,
            "title": {
                "ru": step["title"]["ru"] + label,
                "en": step["title"]["en"] + (" (second colour)" if label else ""),
            },
            "description": step["description"],
            "checklist": step["checklist"],
        }

    steps = [
        body_of(step, step["key"], step["depends_on"], "") for step in shipped["steps"]
    ]
    for step in shipped["steps"]:
        if step["key"] not in VARIANT_STEPS:
            continue
        # A repeated step waits for the variant of each dependency if there
        # is one, and for the shared step otherwise.
        depends_on = [
            key + VARIANT_SUFFIX if key in VARIANT_STEPS else key
            for key in step["depends_on"]
        ]
        steps.append(
            body_of(step, step["key"] + VARIANT_SUFFIX, depends_on, " (второй цвет)")
        )
    return {
        "name": {"ru": "Запуск товара в двух цветах", "en": "Two-colour launch"},
        "description": shipped["description"],
        "steps": steps,
    }


def staff_company(app: EmbeddedApp):
    """Apply the org template and hire one person per position; return the owner."""
    owner = app.sign_in_owner()
    checked(owner.client.post("/api/org/templates/marketplace-business/apply"), 200)
    org = json.loads(
        (ROOT / "chalicelib/org/data/marketplace_business.json").read_text("utf-8")
    )
    by_name = {
        item["name_en"]: item["id"]
        for item in checked(owner.client.get("/api/org/positions"), 200).json[
            "positions"
        ]
    }
    position_ids = {
        position["key"]: by_name[position["name"]["en"]]
        for position in org["positions"]
    }
    shipped = json.loads(
        (ROOT / "chalicelib/processes/data/product_launch.json").read_text("utf-8")
    )
    for number, key in enumerate(sorted({s["position"] for s in shipped["steps"]})):
        body = {
            "email": f"staff{number}@bench.example",
            "name": f"Сотрудник {number:02d}",
            "password": f"bench-password-{number}",
            "position_id": position_ids[key],
        }
        checked(owner.client.post("/api/users", body), 201)
    return owner, position_ids


def measure(app: EmbeddedApp, items: ItemCounter, owner, template_id: str) -> dict:
    seconds, calls, written = [], [], []
    for repeat in range(REPEATS):
        body = {
            "name": f"Запуск {template_id[:8]} {repeat}",
            "target_date": TARGET_DATE,
        }
        path = f"/api/process-templates/{template_id}/launch"
        items_before = items.snapshot()
        with app.calls.measure() as counted:
            started = time.perf_counter()
            response = checked(owner.client.post(path, body), 201)
            seconds.append(time.perf_counter() - started)
        calls.append(dict(counted))
        written.append(dict(items.snapshot() - items_before))
        step_count = len(response.json["launch"]["tasks"])
    return {
        "steps": step_count,
        "wall_time": summarize_ms(seconds),
        # The same on every repeat; the first is kept with a check below.
        "calls": calls[0],
        "items_written": written[0],
        "calls_identical_across_repeats": all(c == calls[0] for c in calls),
    }


def describe(counts: dict) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items()))


def main() -> None:
    app = EmbeddedApp()
    items = ItemCounter()
    items.install()
    try:
        app.start(with_pump=False)
        print("setting up: org template and one person per step position")
        owner, position_ids = staff_company(app)
        created = checked(
            owner.client.post(
                "/api/process-templates", forty_step_template(position_ids)
            ),
            201,
        )
        generated_id = created.json["template"]["id"]
        results = {
            "shipped_24": measure(app, items, owner, SHIPPED_TEMPLATE),
            "generated_40": measure(app, items, owner, generated_id),
        }
    finally:
        app.stop()
    for name, figures in results.items():
        print(f"  {name}: {figures['steps']} steps")
        print(format_summary("    launch request", figures["wall_time"]))
        print(f"    DynamoDB calls: {describe(figures['calls'])}")
        print(f"    items written: {describe(figures['items_written'])}")
    save_results(
        "launch_batch",
        "bench.launch_batch",
        {"repeats": REPEATS, "target_date": TARGET_DATE, "launches": results},
    )


if __name__ == "__main__":
    main()
