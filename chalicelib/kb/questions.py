"""Questions on articles: single choice, multiple choice and open answer.

Every change of a question's content writes a new version next to the
current item, in one transaction, so attempts can name the version they
answered and keep the key they were scored against. Changing only the order
of questions writes no version. Answer keys (``correct`` on options) are sent
only to people who may edit the article.
"""

import logging
from collections.abc import Iterable

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import utc_now
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import get_article, require_edit
from chalicelib.kb.course_models import (
    QUESTION_PREFIX,
    AnswerOption,
    Question,
    QuestionVersion,
    question_pk,
    question_sk,
    version_sk,
)
from chalicelib.kb.course_schemas import (
    MIN_OPTIONS,
    OptionBody,
    QuestionCreate,
    QuestionUpdate,
)
from chalicelib.kb.models import article_pk
from chalicelib.storage.connection import transaction_connection

logger = logging.getLogger(__name__)

CONTENT_FIELDS = ("kind", "text", "text_en", "options")
# Fields a PATCH may set to null; the others must keep a value.
NULLABLE_FIELDS = ("text_en",)
BATCH_GET_LIMIT = 100


def is_cancelled(error: TransactWriteError) -> bool:
    """Tell whether a transaction failed on a condition rather than on DynamoDB."""
    return error.cause_response_code == "TransactionCanceledException"


def check_question_shape(kind: str, options: list[AnswerOption]) -> None:
    """Raise 400 on ``options`` unless they fit a question of ``kind``."""
    if kind == "open":
        if options:
            raise InvalidInput(
                "Invalid field 'options': an open question takes no options; "
                "send an empty list.",
                field="options",
            )
        return
    if len(options) < MIN_OPTIONS:
        raise InvalidInput(
            f"Invalid field 'options': a choice question needs at least "
            f"{MIN_OPTIONS} options.",
            field="options",
        )
    correct = sum(1 for option in options if option.correct)
    if kind == "single" and correct != 1:
        raise InvalidInput(
            "Invalid field 'options': a single choice question needs exactly one "
            f'option with "correct": true, not {correct}.',
            field="options",
        )
    if kind == "multiple" and correct < 1:
        raise InvalidInput(
            "Invalid field 'options': a multiple choice question needs at least "
            'one option with "correct": true.',
            field="options",
        )


def _options(bodies: list[OptionBody]) -> list[AnswerOption]:
    # Option ids are positions within one version ("o1", "o2", ...); an attempt
    # names its version, so the ids never need to survive an edit.
    return [
        AnswerOption(
            option_id=f"o{number}",
            text=body.text,
            text_en=body.text_en,
            correct=body.correct,
        )
        for number, body in enumerate(bodies, start=1)
    ]


def _version_of(question: Question, user_id: str) -> QuestionVersion:
    return QuestionVersion(
        question_pk(question.question_id),
        version_sk(int(question.version)),
        question_id=question.question_id,
        question_article_id=question.question_article_id,
        version=int(question.version),
        kind=question.kind,
        text=question.text,
        text_en=question.text_en,
        options=list(question.options or []),
        saved_by=user_id,
        saved_at=question.updated_at,
    )


def article_questions(article_id: str, *, consistent: bool = False) -> list[Question]:
    """Return the current questions of an article in their display order."""
    found = Question.query(
        article_pk(article_id),
        Question.sk.startswith(QUESTION_PREFIX),
        consistent_read=consistent,
    )
    return sorted(found, key=lambda item: (int(item.sort_order), item.question_id))


def questions_of_articles(article_ids: Iterable[str]) -> dict[str, list[Question]]:
    return {article_id: article_questions(article_id) for article_id in article_ids}


def create_question(article_id: str, body: QuestionCreate, reader: Reader) -> Question:
    article = get_article(article_id)
    require_edit(reader, article)
    options = _options(body.options)
    check_question_shape(body.kind, options)
    now = utc_now()
    question_id = new_id()
    question = Question(
        article_pk(article_id),
        question_sk(question_id),
        question_id=question_id,
        question_article_id=article_id,
        version=1,
        kind=body.kind,
        text=body.text,
        text_en=body.text_en,
        options=options,
        sort_order=body.sort_order,
        created_by=reader.user_id,
        created_at=now,
        updated_by=reader.user_id,
        updated_at=now,
    )
    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(question, condition=Question.sk.does_not_exist())
        transaction.save(
            _version_of(question, reader.user_id),
            condition=QuestionVersion.sk.does_not_exist(),
        )
    logger.info(
        "kb question created question_id=%s article_id=%s by=%s",
        question_id,
        article_id,
        reader.user_id,
    )
    return question


def latest_version(question_id: str) -> QuestionVersion | None:
    found = QuestionVersion.query(
        question_pk(question_id),
        QuestionVersion.sk.startswith("VERSION#"),
        scan_index_forward=False,
        limit=1,
        consistent_read=True,
    )
    return next(iter(found), None)


def find_question(question_id: str, field: str = "question_id") -> Question:
    """Return the current question; 404 for one never created or deleted."""
    latest = latest_version(question_id)
    if latest is not None:
        try:
            return Question.get(
                article_pk(latest.question_article_id),
                question_sk(question_id),
                consistent_read=True,
            )
        except DoesNotExist:
            pass
    raise NotFound(f"Question '{question_id}' not found.", field=field)


def get_version(question_id: str, version: int) -> QuestionVersion | None:
    try:
        return QuestionVersion.get(question_pk(question_id), version_sk(version))
    except DoesNotExist:
        return None


def versions_by_key(
    keys: Iterable[tuple[str, int]],
) -> dict[tuple[str, int], QuestionVersion]:
    """Fetch question versions by (question id, version) pairs."""
    unique = sorted(set(keys))
    found: dict[tuple[str, int], QuestionVersion] = {}
    for start in range(0, len(unique), BATCH_GET_LIMIT):
        batch = [
            (question_pk(question_id), version_sk(version))
            for question_id, version in unique[start : start + BATCH_GET_LIMIT]
        ]
        for item in QuestionVersion.batch_get(batch):
            found[(item.question_id, int(item.version))] = item
    return found


def _reject_nulls(body: QuestionUpdate, fields_set: set[str]) -> None:
    if not fields_set:
        raise InvalidInput(
            "Nothing to change: send at least one of kind, text, text_en, options "
            "or sort_order."
        )
    for name in fields_set:
        if name not in NULLABLE_FIELDS and getattr(body, name) is None:
            raise InvalidInput(
                f"Invalid field '{name}': it cannot be null; send a value.",
                field=name,
            )


def update_question(
    question_id: str, body: QuestionUpdate, fields_set: set[str], reader: Reader
) -> Question:
    """Apply a PATCH; a change of content saves the next version."""
    _reject_nulls(body, fields_set)
    question = find_question(question_id)
    require_edit(reader, get_article(question.question_article_id))
    base_version = int(question.version)

    kind = body.kind if "kind" in fields_set else question.kind
    options = (
        _options(body.options or [])
        if "options" in fields_set
        else list(question.options or [])
    )
    if "kind" in fields_set and kind == "open" and "options" not in fields_set:
        # Turning a choice question into an open one drops its options.
        options = []
    check_question_shape(kind, options)

    content_changed = any(name in fields_set for name in CONTENT_FIELDS)
    now = utc_now()
    question.kind = kind
    question.options = options
    if "text" in fields_set:
        question.text = body.text
    if "text_en" in fields_set:
        question.text_en = body.text_en
    if "sort_order" in fields_set:
        question.sort_order = body.sort_order
    question.updated_by = reader.user_id
    question.updated_at = now
    if content_changed:
        question.version = base_version + 1

    try:
        with TransactWrite(connection=transaction_connection()) as transaction:
            transaction.save(question, condition=Question.version == base_version)
            if content_changed:
                transaction.save(
                    _version_of(question, reader.user_id),
                    condition=QuestionVersion.sk.does_not_exist(),
                )
    except TransactWriteError as error:
        if not is_cancelled(error):
            raise
        raise Conflict(
            f"Question '{question_id}' was changed or deleted at the same time; "
            "reload it and try again."
        ) from None
    logger.info(
        "kb question updated question_id=%s version=%d by=%s",
        question_id,
        int(question.version),
        reader.user_id,
    )
    return question


def delete_question(question_id: str, reader: Reader) -> None:
    """Delete the current question; its versions stay for the attempts on them."""
    question = find_question(question_id)
    require_edit(reader, get_article(question.question_article_id))
    try:
        question.delete(condition=Question.version == int(question.version))
    except DeleteError as error:
        if error.cause_response_code != "ConditionalCheckFailedException":
            raise
        raise Conflict(
            f"Question '{question_id}' changed while it was being deleted; "
            "reload it and try again."
        ) from None
    logger.info("kb question deleted question_id=%s by=%s", question_id, reader.user_id)


def question_json(question: Question | QuestionVersion, *, with_key: bool) -> dict:
    """Present a question; ``with_key`` adds ``correct`` to each option."""
    options = []
    for option in question.options or []:
        option_json = {
            "id": option.option_id,
            "text": option.text,
            "text_en": option.text_en,
        }
        if with_key:
            option_json["correct"] = bool(option.correct)
        options.append(option_json)
    presented = {
        "id": question.question_id,
        "article_id": question.question_article_id,
        "version": int(question.version),
        "kind": question.kind,
        "text": question.text,
        "text_en": question.text_en,
        "options": options,
    }
    if isinstance(question, Question):
        presented["sort_order"] = int(question.sort_order)
    return presented
