"""Shortcuts for the question and course routes; each asserts that the call worked."""

from datetime import timedelta

from tests.kb.conftest import Kb, World
from tests.support.fixtures import Person

SINGLE = {
    "kind": "single",
    "text": "Сколько дней хранится поставка на складе без оплаты?",
    "text_en": "How many days does a shipment stay unpaid at the warehouse?",
    "options": [
        {"text": "3 дня", "correct": True},
        {"text": "10 дней"},
        {"text": "30 дней"},
    ],
}
MULTIPLE = {
    "kind": "multiple",
    "text": "Какие документы нужны для отгрузки?",
    "options": [
        {"text": "Акт приёмки", "correct": True},
        {"text": "Товарная накладная", "correct": True},
        {"text": "Паспорт водителя"},
    ],
}
# The write routes of questions, courses and grading; their bad-input cases are
# in test_kb_course_validation.py, so test_kb_validation.py leaves them out.
COURSE_ROUTE_PREFIXES = (
    "/api/kb/courses",
    "/api/kb/questions",
    "/api/kb/answers",
    "/api/kb/articles/{article_id}/questions",
)
OPEN = {"kind": "open", "text": "Опишите, как вы проверяете короба перед отгрузкой."}


class Courses:
    """Articles, questions and courses for one test, with learner shortcuts."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.kb = Kb(world)

    def article(self, person: Person | None = None, **fields) -> dict:
        fields.setdefault("status", "published")
        return self.kb.create(person or self.world.owner, **fields)

    def question(self, article_id: str, body: dict, person=None) -> dict:
        person = person or self.world.owner
        response = person.client.post(f"/api/kb/articles/{article_id}/questions", body)
        assert response.status == 201, response.body
        return response.json["question"]

    def edit_question(self, question_id: str, body: dict, person=None) -> dict:
        person = person or self.world.owner
        response = person.client.patch(f"/api/kb/questions/{question_id}", body)
        assert response.status == 200, response.body
        return response.json["question"]

    def course(self, article_ids: list[str], positions: list[str], **fields) -> dict:
        person = fields.pop("person", None) or self.world.owner
        body = {
            "title": "Отгрузки на склады маркетплейсов",
            "article_ids": article_ids,
            "position_ids": [self.world.positions[key] for key in positions],
            **fields,
        }
        response = person.client.post("/api/kb/courses", body)
        assert response.status == 201, response.body
        return response.json["course"]

    def change_course(self, course_id: str, body: dict, person=None) -> dict:
        person = person or self.world.owner
        response = person.client.patch(f"/api/kb/courses/{course_id}", body)
        assert response.status == 200, response.body
        return response.json["course"]

    def me(self, person: Person, course_id: str) -> dict:
        response = person.client.get(f"/api/kb/courses/{course_id}/me")
        assert response.status == 200, response.body
        return response.json

    def read(self, person: Person, course_id: str, article_id: str) -> dict:
        response = person.client.post(
            f"/api/kb/courses/{course_id}/articles/{article_id}/read"
        )
        assert response.status == 200, response.body
        return response.json

    def answer(self, person: Person, course_id: str, question: dict, **answer):
        body = {"version": question["version"], **answer}
        return person.client.post(
            f"/api/kb/courses/{course_id}/questions/{question['id']}/answer", body
        )

    def pass_question(self, person: Person, course_id: str, question: dict) -> dict:
        correct = [option["id"] for option in question["options"] if option["correct"]]
        response = self.answer(person, course_id, question, option_ids=correct)
        assert response.status == 201, response.body
        assert response.json["answer"]["result"] == "correct"
        return response.json["answer"]

    def fail_question(self, person: Person, course_id: str, question: dict) -> dict:
        wrong = [
            option["id"] for option in question["options"] if not option["correct"]
        ][:1]
        response = self.answer(person, course_id, question, option_ids=wrong)
        assert response.status == 201, response.body
        assert response.json["answer"]["result"] == "wrong"
        return response.json

    def report(self, person: Person, course_id: str) -> dict[str, dict]:
        response = person.client.get(f"/api/kb/courses/{course_id}/report")
        assert response.status == 200, response.body
        return {row["user"]["id"]: row for row in response.json["report"]["people"]}

    def transfer(self, person: Person, position: str | None) -> None:
        body = {"position_id": self.world.positions[position] if position else None}
        response = self.world.owner.client.patch(f"/api/users/{person.id}", body)
        assert response.status == 200, response.body
        self.world.pump.drain()


def shift_clock(monkeypatch, modules, seconds: float) -> None:
    """Move ``utc_now`` forward by ``seconds`` in each of ``modules``."""
    from chalicelib.clock import utc_now

    def later():
        return utc_now() + timedelta(seconds=seconds)

    for module in modules:
        monkeypatch.setattr(module, "utc_now", later)
