"""DynamoDB calls per request on the hot paths, counted with botocore events.

The app runs in this process on an embedded DynamoDB and is called through
HttpGateway, so the authorizer's call is counted with each request. Stream
reactions run only when the pump is drained, which happens outside the
request's count; the reactions one request sets off are counted separately.

Two counters are needed because the reactions use two kinds of client:
PynamoDB creates a botocore session per thread (hooked by
``DynamoDBCallCounter.install``), while the powertools idempotency layer uses a
plain boto3 client on boto3's default session, hooked here.
"""

from collections import Counter
from contextlib import ExitStack
from functools import partial

import boto3

from bench.embedded import EmbeddedApp, write_messages
from bench.report import save_results

PEOPLE = 10
HISTORY_MESSAGES = 120
HISTORY_PAGE = 50
REPEATS = 5


class CallMeter:
    """Two call counters: one on PynamoDB's sessions, one on boto3's default session."""

    def __init__(self, app: EmbeddedApp) -> None:
        from shtab_local.metering import DynamoDBCallCounter

        self.pynamodb = app.calls
        self.boto3 = DynamoDBCallCounter()
        boto3.setup_default_session()
        # boto3.Session keeps its botocore session private. Clients copy the
        # session's event hooks when they are created, so this runs first.
        self.boto3.hook_session(boto3.DEFAULT_SESSION._session)

    def measure(self, action) -> dict[str, Counter]:
        """Run ``action`` and return the calls it made, by client kind."""
        with ExitStack() as stack:
            pynamodb_calls = stack.enter_context(self.pynamodb.measure())
            boto3_calls = stack.enter_context(self.boto3.measure())
            action()
        return {"pynamodb": pynamodb_calls, "boto3": boto3_calls}


def describe(calls: Counter) -> str:
    if not calls:
        return "none"
    return ", ".join(
        f"{operation} {count}" for operation, count in sorted(calls.items())
    )


def checked(response, expected_status: int):
    if response.status != expected_status:
        raise RuntimeError(
            f"request failed: expected status {expected_status}, "
            f"got {response.status}: {response.body}"
        )
    return response


class Scenario:
    """A company: template applied, people in the general channel, sockets open."""

    def __init__(self, app: EmbeddedApp) -> None:
        self.app = app
        self.owner = app.sign_in_owner()
        checked(
            self.owner.client.post("/api/org/templates/marketplace-business/apply"), 200
        )
        app.drain()
        self.people = [app.hire(self.owner, number) for number in range(1, PEOPLE + 1)]
        self.reader = self.people[0]
        self.general_id = self._general_channel_id()
        self._connect_sockets()
        write_messages(self.general_id, HISTORY_MESSAGES, self.owner)
        app.drain()

    def _general_channel_id(self) -> str:
        channels = checked(self.reader.client.get("/api/chat/channels"), 200).json[
            "channels"
        ]
        return next(
            channel["id"] for channel in channels if channel["kind"] == "general"
        )

    def _connect_sockets(self) -> None:
        from chalicelib.chat.websocket import on_connect

        for index, person in enumerate(self.people):
            answer = on_connect(f"benchconn{index:03d}=", {"token": person.token})
            if answer["statusCode"] != 200:
                raise RuntimeError(f"socket of {person.email} was rejected: {answer}")

    def frames_sent(self) -> int:
        return sum(len(frames) for frames in self.app.fake_gateway.sent.values())

    def post_message(self, number: int) -> None:
        path = f"/api/chat/channels/{self.general_id}/messages"
        checked(self.reader.client.post(path, {"text": f"замер {number}"}), 201)

    def list_history(self, _number: int) -> None:
        path = f"/api/chat/channels/{self.general_id}/messages?limit={HISTORY_PAGE}"
        page = checked(self.reader.client.get(path), 200).json
        if len(page["messages"]) != HISTORY_PAGE:
            raise RuntimeError(f"history page has {len(page['messages'])} messages")

    def create_task(self, number: int) -> None:
        body = {"title": f"Замер {number}", "assignee_id": self.reader.id}
        checked(self.owner.client.post("/api/tasks", body), 201)

    def list_my_tasks(self, _number: int) -> None:
        checked(self.reader.client.get("/api/tasks?assignee=me"), 200)

    def hire_person(self, number: int) -> None:
        email = f"measured{number}@bench.example"
        body = {"email": email, "name": f"Новый {number}", "password": "bench-password"}
        checked(self.owner.client.post("/api/users", body), 201)

    def write_imported_message(self, number: int) -> None:
        """Write one imported message with batch_write, as the Telegram import does."""
        from chalicelib.chat.models import Message, channel_pk, message_sk
        from chalicelib.clock import utc_now
        from chalicelib.ids import new_id

        message_id = new_id()
        with Message.batch_write() as batch:
            batch.save(
                Message(
                    channel_pk(self.general_id),
                    message_sk(message_id),
                    message_id=message_id,
                    channel_id=self.general_id,
                    sender_id=self.owner.id,
                    sender_name="Импорт",
                    kind="imported",
                    text=f"импорт {number}",
                    created_at=utc_now(),
                )
            )


def measure_request(
    meter: CallMeter, scenario: Scenario, name: str, react: bool
) -> dict:
    """Run one request ``REPEATS`` times and count its calls and, if ``react``,
    the calls of the reactions it set off.
    """
    request = getattr(scenario, name)
    samples = []
    frames = []
    for number in range(REPEATS):
        scenario.app.drain()
        sample = {"request": meter.measure(partial(request, number))}
        if react:
            frames_before = scenario.frames_sent()
            sample["reactions"] = meter.measure(scenario.app.drain)
            frames.append(scenario.frames_sent() - frames_before)
        samples.append(sample)
    result = summarize_samples(samples)
    if react:
        result["reactions"]["frames_sent_per_repeat"] = frames
    return result


def summarize_samples(samples: list[dict]) -> dict:
    """Merge repeats into one count per phase and note whether the repeats agreed."""
    result = {}
    for phase in samples[0]:
        merged = [
            sample[phase]["pynamodb"] + sample[phase]["boto3"] for sample in samples
        ]
        first = samples[0][phase]
        result[phase] = {
            "all": dict(merged[0]),
            "total": sum(merged[0].values()),
            "pynamodb": dict(first["pynamodb"]),
            "boto3_idempotency": dict(first["boto3"]),
            "same_in_every_repeat": all(counts == merged[0] for counts in merged),
            "totals_per_repeat": [sum(counts.values()) for counts in merged],
        }
    return result


REQUESTS = {
    "post_message": ("POST /api/chat/channels/{id}/messages", True),
    "list_history": (
        f"GET /api/chat/channels/{{id}}/messages?limit={HISTORY_PAGE}",
        False,
    ),
    "create_task": ("POST /api/tasks (assigned to someone else)", True),
    "list_my_tasks": ("GET /api/tasks?assignee=me", False),
    "hire_person": ("POST /api/users (no position)", True),
    "write_imported_message": ("BatchWriteItem of one imported message", True),
}


def print_counts(label: str, calls: dict) -> None:
    counts = Counter(calls)
    print(f"{label}: {describe(counts)} = {sum(counts.values())}")


def print_results(results: dict) -> None:
    for name, (route, _react) in REQUESTS.items():
        figures = results[name]
        print(f"{name}: {route}")
        print_counts("  request, authorizer included", figures["request"]["all"])
        if "reactions" in figures:
            reactions = figures["reactions"]
            print_counts("  reactions it set off", reactions["all"])
            print_counts("    PynamoDB", reactions["pynamodb"])
            print_counts(
                "    idempotency layer (boto3)", reactions["boto3_idempotency"]
            )
            print(f"    WebSocket frames sent: {reactions['frames_sent_per_repeat']}")
        for phase, counts in figures.items():
            if not counts["same_in_every_repeat"]:
                totals = counts["totals_per_repeat"]
                print(f"  NOTE: {phase} counts differ between repeats: {totals}")


def main() -> None:
    app = EmbeddedApp()
    try:
        meter = CallMeter(app)
        app.start()
        print(f"setting up: template, {PEOPLE} people with open sockets, ", end="")
        print(f"{HISTORY_MESSAGES} messages in the general channel")
        scenario = Scenario(app)
        results = {
            name: measure_request(meter, scenario, name, react)
            for name, (_route, react) in REQUESTS.items()
        }
    finally:
        app.stop()
    print_results(results)
    save_results(
        "dynamodb_calls",
        "bench.dynamodb_calls",
        {
            "setup": {
                "general_channel_members": PEOPLE + 1,
                "open_sockets": PEOPLE,
                "history_messages": HISTORY_MESSAGES,
                "history_page": HISTORY_PAGE,
                "repeats": REPEATS,
            },
            "requests": results,
        },
    )


if __name__ == "__main__":
    main()
