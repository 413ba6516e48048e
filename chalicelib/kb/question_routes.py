"""HTTP routes of questions on kb articles, and of grading open answers."""

from chalice import Blueprint, Response

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.kb import grading, questions
from chalicelib.kb.access import require_read
from chalicelib.kb.articles import get_article
from chalicelib.kb.attempts import attempt_json
from chalicelib.kb.course_schemas import GradeBody, QuestionCreate, QuestionUpdate
from chalicelib.kb.routes import current_reader
from chalicelib.web import parse_body

question_routes = Blueprint(__name__)


def _reader():
    return current_reader(question_routes)


@question_routes.route(
    "/articles/{article_id}/questions", methods=["POST"], authorizer=bearer_authorizer
)
def create_question(article_id):
    reader = _reader()
    body = parse_body(question_routes.current_request, QuestionCreate)
    question = questions.create_question(article_id, body, reader)
    return Response(
        {"question": questions.question_json(question, with_key=True)},
        status_code=201,
    )


@question_routes.route(
    "/articles/{article_id}/questions", methods=["GET"], authorizer=bearer_authorizer
)
def list_questions(article_id):
    reader = _reader()
    rights = require_read(reader, get_article(article_id))
    # Only the article's editors, the trainers, see the answer keys.
    return {
        "questions": [
            questions.question_json(question, with_key=rights.edit)
            for question in questions.article_questions(article_id)
        ]
    }


@question_routes.route(
    "/questions/{question_id}", methods=["PATCH"], authorizer=bearer_authorizer
)
def update_question(question_id):
    reader = _reader()
    body = parse_body(question_routes.current_request, QuestionUpdate)
    question = questions.update_question(
        question_id, body, body.model_fields_set, reader
    )
    return {"question": questions.question_json(question, with_key=True)}


@question_routes.route(
    "/questions/{question_id}", methods=["DELETE"], authorizer=bearer_authorizer
)
def delete_question(question_id):
    reader = _reader()
    questions.delete_question(question_id, reader)
    return Response(body="", status_code=204)


@question_routes.route("/answers", methods=["GET"], authorizer=bearer_authorizer)
def list_pending_answers():
    reader = _reader()
    pending = grading.pending_answers(reader)
    versions = questions.versions_by_key(
        (item.attempt.question_id, int(item.attempt.question_version))
        for item in pending
    )
    return {
        "answers": [
            attempt_json(
                item.attempt,
                versions.get(
                    (item.attempt.question_id, int(item.attempt.question_version))
                ),
            )
            for item in pending
        ]
    }


@question_routes.route(
    "/answers/{answer_id}/grade", methods=["POST"], authorizer=bearer_authorizer
)
def grade_answer(answer_id):
    reader = _reader()
    body = parse_body(question_routes.current_request, GradeBody)
    attempt = grading.grade_answer(answer_id, body, reader)
    version = questions.get_version(attempt.question_id, int(attempt.question_version))
    return {"answer": attempt_json(attempt, version)}
