"""The manager's report on 20 courses with 30 learners: DynamoDB calls and items read.

There is no company-wide report, so a manager who checks every course makes
one ``GET /api/kb/courses/{id}/report`` per course. Each runs through
HttpGateway in this process against the embedded DynamoDB (moto). The viewer
is the CEO, a manager whose position every learner's position reports to, so
each report lists all 30 learners.

The company is the marketplace org template with the staff of
bench/finance_company.py, plus employees hired into the same employee
positions until there are ``LEARNERS`` employees. Articles, questions and
courses are created through the API, which enrols the holders of the courses'
positions. Learners' records are written straight into the kb table, as the
answer route would write them. Each learner has read a random number of each
course's articles and answered both of their questions correctly, some after
a wrong answer. On the next article they gave a wrong answer, which cleared
its read mark.
"""

import argparse
import random
from datetime import UTC, datetime, timedelta

from bench.arguments import add_request_counts
from bench.embedded import EmbeddedApp
from bench.finance_company import STAFF, hire_staff
from bench.report import format_summary, save_results, summarize_ms
from bench.request_cost import CostMeters, cost_line, measure_request

COURSES = 20
LEARNERS = 30
ARTICLES = 40
ARTICLES_PER_COURSE = 5
QUESTIONS_PER_ARTICLE = 2
# Each report makes about 70 calls, several seconds on moto on a loaded machine.
TIMED_REQUESTS = 2
WARM_UP_REQUESTS = 0
SEED = 20261206
VIEWER = "ceo"
# Share of passed questions that a wrong answer came before.
WRONG_FIRST_SHARE = 0.3


def employee_positions(company) -> list[str]:
    return [
        company.users[key].position_id for _, key, role in STAFF if role == "employee"
    ]


def hire_learners(app: EmbeddedApp, company) -> list[str]:
    """Hire employees into the staff's employee positions up to ``LEARNERS``."""
    learner_ids = [
        company.users[key].user_id for _, key, role in STAFF if role == "employee"
    ]
    positions = employee_positions(company)
    number = 0
    while len(learner_ids) < LEARNERS:
        number += 1
        body = {
            "email": f"learner{number}@bench.example",
            "name": f"Ученик {number:02d}",
            "role": "employee",
            "password": f"bench-learner-{number}",
            "position_id": positions[number % len(positions)],
        }
        response = company.owner.client.post("/api/users", body)
        if response.status != 201:
            raise RuntimeError(f"hiring learner {number} failed: {response.body}")
        learner_ids.append(response.json["user"]["id"])
    return learner_ids


def create_courses(company, section_id: str) -> list[dict]:
    """Create the articles, their questions and the courses through the API."""
    client = company.owner.client
    articles = []
    for number in range(ARTICLES):
        response = client.post(
            "/api/kb/articles",
            {
                "section_id": section_id,
                "title": f"Инструкция {number + 1}",
                "body": f"Шаг {number + 1}: проверьте поставку и этикетки.\n",
                "status": "published",
            },
        )
        if response.status != 201:
            raise RuntimeError(f"creating article {number} failed: {response.body}")
        article_id = response.json["article"]["id"]
        questions = []
        for question_number in range(QUESTIONS_PER_ARTICLE):
            response = client.post(
                f"/api/kb/articles/{article_id}/questions",
                {
                    "kind": "single",
                    "text": f"Вопрос {question_number + 1} к статье {number + 1}",
                    "options": [
                        {"text": "Верно", "correct": True},
                        {"text": "Неверно"},
                    ],
                },
            )
            if response.status != 201:
                raise RuntimeError(f"creating a question failed: {response.body}")
            questions.append(response.json["question"])
        articles.append({"id": article_id, "questions": questions})

    courses = []
    for number in range(COURSES):
        chosen = [
            articles[(number * 2 + offset) % ARTICLES]
            for offset in range(ARTICLES_PER_COURSE)
        ]
        response = client.post(
            "/api/kb/courses",
            {
                "title": f"Курс {number + 1}",
                "article_ids": [article["id"] for article in chosen],
                "position_ids": sorted(set(employee_positions(company))),
                "mandatory": number % 2 == 0,
                "deadline_days": 30 if number % 2 == 0 else None,
            },
        )
        if response.status != 201:
            raise RuntimeError(f"creating course {number} failed: {response.body}")
        courses.append({"id": response.json["course"]["id"], "articles": chosen})
    return courses


class RecordWriter:
    """Writes learners' read marks and attempts as the answer route stores them."""

    def __init__(self) -> None:
        self.generator = random.Random(SEED)
        self.items = 0
        self.completed_items = 0

    def _attempt(self, course_id, learner_id, article_id, question, result, moment):
        from chalicelib.ids import new_id
        from chalicelib.kb.course_models import Attempt, attempt_sk, learner_pk

        option = question["options"][0 if result == "correct" else 1]["id"]
        attempt_id = new_id()
        return Attempt(
            learner_pk(course_id, learner_id),
            attempt_sk(attempt_id),
            attempt_id=attempt_id,
            course_id=course_id,
            learner_id=learner_id,
            attempt_article_id=article_id,
            question_id=question["id"],
            question_version=question["version"],
            option_ids=[option],
            result=result,
            created_at=moment,
        )

    def learner_records(self, course: dict, learner_id: str):
        from chalicelib.kb.course_models import ArticleState, learner_pk, state_sk

        moment = datetime.now(UTC) - timedelta(days=3)
        done = self.generator.randint(0, ARTICLES_PER_COURSE)
        self.completed_items += done
        for index, article in enumerate(course["articles"]):
            if index > done:
                break
            answers = []
            for question in article["questions"]:
                if index == done:
                    # The article after the completed ones: a wrong answer,
                    # which cleared its read mark.
                    answers.append((question, "wrong"))
                    break
                if self.generator.random() < WRONG_FIRST_SHARE:
                    answers.append((question, "wrong"))
                answers.append((question, "correct"))
            for question, result in answers:
                moment += timedelta(minutes=2)
                yield self._attempt(
                    course["id"], learner_id, article["id"], question, result, moment
                )
            yield ArticleState(
                learner_pk(course["id"], learner_id),
                state_sk(article["id"]),
                read_at=moment if index < done else None,
                answer_count=len(answers),
            )

    def write(self, courses: list[dict], learner_ids: list[str]) -> None:
        from chalicelib.kb.course_models import Attempt

        with Attempt.batch_write() as batch:
            for course in courses:
                for learner_id in learner_ids:
                    for item in self.learner_records(course, learner_id):
                        batch.save(item)
                        self.items += 1


def measure_course(meters, client, course: dict, timed: int, warm_up: int) -> dict:
    """Request one course's report; the cost is the first timed request's."""
    path = f"/api/kb/courses/{course['id']}/report"
    for _ in range(warm_up):
        measure_request(meters, client, path)
    samples = [measure_request(meters, client, path) for _ in range(timed)]
    first = samples[0]
    people = first["body"]["report"]["people"]
    return {
        "course_id": course["id"],
        "people": len(people),
        "completed_items": sum(row["progress"]["completed"] for row in people),
        "wrong_questions_listed": sum(len(row["wrong_questions"]) for row in people),
        "calls": first["calls"],
        "total_calls": first["total_calls"],
        "items_read": first["items_read"],
        "estimated_read_units": first["estimated_read_units"],
        "items_returned_by_type": first["items_returned_by_type"],
        "same_cost_every_time": all(
            sample["calls"] == first["calls"]
            and sample["items_read"] == first["items_read"]
            for sample in samples
        ),
        "seconds": [sample["seconds"] for sample in samples],
    }


def run(timed: int, warm_up: int) -> dict:
    app = EmbeddedApp()
    meters = CostMeters(app)
    try:
        app.start()
        print("setting up: org template, staff and learners")
        company = hire_staff(app)
        learner_ids = hire_learners(app, company)
        app.drain()
        viewer = company.signed_in[VIEWER]
        section_id = f"dept-{company.users['wb_manager'].department_id}-instructions"
        print(f"creating {ARTICLES} articles and {COURSES} courses")
        courses = create_courses(company, section_id)
        writer = RecordWriter()
        writer.write(courses, learner_ids)
        print(f"wrote {writer.items} read marks and attempts")
        per_course = [
            measure_course(meters, viewer.client, course, timed, warm_up)
            for course in courses
        ]
        print(f"one report: {cost_line(per_course[0])}")
    finally:
        app.stop()
    samples = [seconds for figures in per_course for seconds in figures.pop("seconds")]
    totals = {
        "total_calls": sum(figures["total_calls"] for figures in per_course),
        "items_read": sum(figures["items_read"] for figures in per_course),
        "estimated_read_units": round(
            sum(figures["estimated_read_units"] for figures in per_course), 1
        ),
        "completed_items": sum(figures["completed_items"] for figures in per_course),
    }
    if totals["completed_items"] != writer.completed_items:
        raise RuntimeError(
            f"the reports count {totals['completed_items']} completed items, "
            f"but {writer.completed_items} were written"
        )
    latency = summarize_ms(samples)
    print(format_summary("report request", latency))
    print(f"all {COURSES} reports: {totals}")
    return {
        "setup": {
            "courses": COURSES,
            "learners": len(learner_ids),
            "articles_per_course": ARTICLES_PER_COURSE,
            "questions_per_article": QUESTIONS_PER_ARTICLE,
            "records_written": writer.items,
            "completed_items_written": writer.completed_items,
            "timed_requests_per_course": timed,
            "warm_up_requests_per_course": warm_up,
        },
        "per_request": {
            "people": per_course[0]["people"],
            "calls": per_course[0]["calls"],
            "total_calls": per_course[0]["total_calls"],
            "items_read": per_course[0]["items_read"],
            "estimated_read_units": per_course[0]["estimated_read_units"],
            "items_returned_by_type": per_course[0]["items_returned_by_type"],
            "same_cost_for_every_course": all(
                figures["calls"] == per_course[0]["calls"] for figures in per_course
            ),
            "latency": latency,
        },
        "all_courses": totals,
        "per_course": per_course,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_request_counts(parser, TIMED_REQUESTS, WARM_UP_REQUESTS, per="course report")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    figures = run(arguments.requests, arguments.warm_up)
    save_results("kb_course_report", "bench.kb_course_report", figures)


if __name__ == "__main__":
    main()
