"""Writing assignments: a draft article from a template and a task to write it.

An editor of a section requests an article from a person. One
transaction writes the draft (with its first revision), the task with its
first history entry, the assignment and the link from the draft to the
assignment, so either all of them exist or none does. The assignee is the
draft's author, which lets them edit it (see ``access``). The tasks stream
then tells them about the task as about any other.

When the draft is first published, the kb stream reaction calls
``complete_on_publish``, which moves the task to done in the name of the
person who made the assignment and marks the assignment published. Every step
checks the current state first, so a redelivered record changes nothing twice.
"""

import logging

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.clock import iso, utc_now
from chalicelib.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.ids import new_id
from chalicelib.kb.access import Reader
from chalicelib.kb.articles import get_article, is_template, new_article
from chalicelib.kb.authoring_models import (
    ASSIGNMENT_LINK_SK,
    Assignment,
    AssignmentLink,
    assignments_pk,
)
from chalicelib.kb.authoring_schemas import AssignmentCreate
from chalicelib.kb.bodies import read_body
from chalicelib.kb.models import (
    ANNOUNCED_STATUSES,
    ARTICLE_SK,
    Article,
    Revision,
    article_pk,
)
from chalicelib.kb.rendering import article_href
from chalicelib.kb.sections import visible_section
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.storage.connection import transaction_connection
from chalicelib.streams.records import Change
from chalicelib.tasks import service
from chalicelib.tasks.models import TASK_SK, HistoryEntry, Task, task_pk
from chalicelib.tasks.schemas import TaskCreate, TaskUpdate
from chalicelib.tasks.store import find_task
from chalicelib.tasks.visibility import TaskViewer
from chalicelib.web import Caller

logger = logging.getLogger(__name__)

# The shipped «Шаблон инструкции» (see ``seeds``), used when the request names
# no template.
DEFAULT_TEMPLATE_ID = "instruction-template"

TASK_TITLES = {
    "ru": "Написать статью «{title}»",
    "en": 'Write the article "{title}"',
}
TASK_DESCRIPTIONS = {
    "ru": (
        "Черновик статьи в базе знаний: {link}\n"
        "Напишите статью и опубликуйте её: задача закроется сама."
    ),
    "en": (
        "The draft in the knowledge base: {link}\n"
        "Write the article and publish it, and this task closes by itself."
    ),
}
# Status changes tried when closing a task. A postponed task is resumed and a
# task that requires review goes through review, so closing takes two steps
# at most. The rest is room for attempts lost to a concurrent change.
MAX_COMPLETION_STEPS = 6


def require_section_edit(reader: Reader, section_id: str) -> None:
    visible_section(reader, section_id)
    if not reader.section_rights(section_id).edit:
        raise Forbidden(
            f"You may not assign articles in section '{section_id}'; ask an admin "
            "or the department's head for edit access.",
            field="section_id",
        )


def _assignee(user_id: str) -> User:
    user = find_user(user_id)
    if user is None:
        raise InvalidInput(
            f"Invalid field 'assignee_user_id': user '{user_id}' does not exist.",
            field="assignee_user_id",
        )
    if not user.is_active:
        raise InvalidInput(
            f"Invalid field 'assignee_user_id': user '{user_id}' is deactivated; "
            "choose someone active.",
            field="assignee_user_id",
        )
    return user


def _template(reader: Reader, template_id: str) -> Article:
    try:
        template = get_article(template_id)
    except NotFound:
        raise NotFound(
            f"Template '{template_id}' not found.", field="template_id"
        ) from None
    if not reader.can_read(template):
        raise NotFound(f"Template '{template_id}' not found.", field="template_id")
    if not is_template(reader, template):
        raise InvalidInput(
            f"Invalid field 'template_id': article '{template_id}' is not a "
            "template; templates are the articles in the «Шаблоны» section.",
            field="template_id",
        )
    return template


def _task_request(request: AssignmentCreate, assignee: User, draft_id: str):
    locale = assignee.locale if assignee.locale in TASK_TITLES else "ru"
    title = TASK_TITLES[locale].format(title=request.title)
    # The task title allows 200 characters and the article title as many, so
    # the wording around it may push the task title over.
    if len(title) > 200:
        title = title[:199] + "…"
    body = {
        "title": title,
        "description": TASK_DESCRIPTIONS[locale].format(link=article_href(draft_id)),
        "assignee_id": assignee.user_id,
    }
    if request.due is not None:
        body["due"] = request.due
    return TaskCreate.model_validate(body)


def _task_viewer(reader: Reader) -> TaskViewer:
    return TaskViewer(caller=reader.caller, user=reader.user)


def create_assignment(
    section_id: str, request: AssignmentCreate, reader: Reader
) -> tuple[Assignment, Article, Task]:
    """Write the draft, its task, the assignment and its link in one transaction."""
    require_section_edit(reader, section_id)
    if reader.caller.is_integration:
        raise Forbidden(
            "An API token cannot make writing assignments: the assignment's "
            "creator closes the task, so sign in as a person."
        )
    assignee = _assignee(request.assignee_user_id)
    template = _template(reader, request.template_id or DEFAULT_TEMPLATE_ID)

    draft_id = new_id()
    task, entry = service.prepare_new_task(
        _task_request(request, assignee, draft_id), _task_viewer(reader), {}
    )
    article, revision = new_article(
        draft_id,
        section_id=section_id,
        title=request.title,
        title_en=request.title_en,
        body=read_body(get_article(template.article_id)),
        kind=template.kind,
        status="draft",
        author_id=assignee.user_id,
        template_id=template.article_id,
    )
    assignment_id = new_id()
    assignment = Assignment(
        assignments_pk(section_id),
        assignment_id,
        assignment_id=assignment_id,
        section_id=section_id,
        draft_id=draft_id,
        task_id=task.task_id,
        title=request.title,
        assignee_id=assignee.user_id,
        creator_id=reader.user_id,
        due=request.due,
        created_at=article.created_at,
    )
    link = AssignmentLink(
        article_pk(draft_id),
        ASSIGNMENT_LINK_SK,
        section_id=section_id,
        assignment_id=assignment_id,
        task_id=task.task_id,
    )

    with TransactWrite(connection=transaction_connection()) as transaction:
        transaction.save(revision, condition=Revision.sk.does_not_exist())
        transaction.save(article, condition=Article.sk.does_not_exist())
        transaction.save(task, condition=Task.pk.does_not_exist())
        transaction.save(entry, condition=HistoryEntry.sk.does_not_exist())
        transaction.save(assignment, condition=Assignment.sk.does_not_exist())
        transaction.save(link, condition=AssignmentLink.sk.does_not_exist())
    logger.info(
        "kb assignment created assignment_id=%s section_id=%s article_id=%s "
        "task_id=%s assignee_id=%s by=%s",
        assignment_id,
        section_id,
        draft_id,
        task.task_id,
        assignee.user_id,
        reader.user_id,
    )
    return assignment, article, task


def list_assignments(
    section_id: str, reader: Reader, limit: int, after: str | None
) -> tuple[list[Assignment], str | None]:
    """Return a page of the section's assignments, oldest first, and the cursor."""
    require_section_edit(reader, section_id)
    condition = Assignment.sk > after if after is not None else None
    items = list(
        Assignment.query(
            assignments_pk(section_id), range_key_condition=condition, limit=limit + 1
        )
    )
    page = items[:limit]
    cursor = page[-1].assignment_id if len(items) > limit else None
    return page, cursor


def assignments_json(items: list[Assignment]) -> list[dict]:
    """Present assignments with their draft's and task's current status."""
    articles = {
        article.article_id: article
        for article in Article.batch_get(
            [(article_pk(item.draft_id), ARTICLE_SK) for item in items],
            attributes_to_get=["pk", "sk", "article_id", "status", "title"],
        )
    }
    tasks = {
        task.task_id: task
        for task in Task.batch_get(
            [(task_pk(item.task_id), TASK_SK) for item in items],
            attributes_to_get=["pk", "sk", "task_id", "status"],
        )
    }
    people = {item.assignee_id for item in items} | {item.creator_id for item in items}
    names = {}
    for user_id in sorted(people):
        user = find_user(user_id)
        names[user_id] = user.name if user else user_id
    result = []
    for item in items:
        article = articles.get(item.draft_id)
        task = tasks.get(item.task_id)
        result.append(
            {
                "id": item.assignment_id,
                "section_id": item.section_id,
                "title": item.title,
                "status": item.status,
                "article": {
                    "id": item.draft_id,
                    "title": article.title if article else None,
                    "status": article.status if article else None,
                },
                "task": {
                    "id": item.task_id,
                    "status": task.status if task else None,
                },
                "assignee": {"id": item.assignee_id, "name": names[item.assignee_id]},
                "created_by": {"id": item.creator_id, "name": names[item.creator_id]},
                "due": item.due,
                "created_at": iso(item.created_at),
                "published_at": iso(item.published_at) if item.published_at else None,
            }
        )
    return result


# Completing the task when the draft is published


def is_first_publication(change: Change) -> bool:
    """Tell whether this article record takes a draft to an announced status."""
    if change.event_name == "REMOVE" or change.new.get("sk") != ARTICLE_SK:
        return False
    old_status = change.old.get("status") if change.old else None
    return (
        change.new.get("status") in ANNOUNCED_STATUSES
        and old_status not in ANNOUNCED_STATUSES
    )


def _next_status(task: Task) -> str | None:
    if task.status == "postponed":
        return "in_progress"
    if task.status in ("new", "in_progress"):
        return "review" if task.requires_review else "done"
    if task.status == "review":
        return "done"
    return None


def _close_task(task_id: str, creator_id: str) -> str | None:
    """Move the task to done as its creator; return its final status."""
    creator = find_user(creator_id)
    if creator is None:
        logger.warning(
            "kb assignment task left open, creator missing task_id=%s creator_id=%s",
            task_id,
            creator_id,
        )
        return None
    viewer = TaskViewer(
        caller=Caller(user_id=creator.user_id, role=creator.role), user=creator
    )
    for _step in range(MAX_COMPLETION_STEPS):
        task = find_task(task_id, consistent=True)
        if task is None:
            return None
        target = _next_status(task)
        if target is None:
            return task.status
        request = TaskUpdate.model_validate({"status": target})
        try:
            service.update_task(task_id, request, {"status"}, viewer)
        except Conflict:
            # The task changed after it was read; read it again and go on.
            continue
        except (InvalidInput, Forbidden, NotFound) as error:
            # A rule of the task forbids the step; a retry would fail alike,
            # so the task stays as it is for a person to close.
            logger.warning(
                "kb assignment task not closed task_id=%s status=%s error=%s",
                task_id,
                task.status,
                error,
            )
            return task.status
    task = find_task(task_id, consistent=True)
    return task.status if task else None


def complete_on_publish(change: Change) -> bool:
    """Close the assignment's task when its draft is first published.

    Return True if this article has an assignment.
    """
    if not is_first_publication(change):
        return False
    article_id = change.new.get("article_id")
    try:
        link = AssignmentLink.get(
            article_pk(article_id), ASSIGNMENT_LINK_SK, consistent_read=True
        )
    except DoesNotExist:
        return False
    assignment = Assignment.get(
        assignments_pk(link.section_id), link.assignment_id, consistent_read=True
    )
    status = _close_task(link.task_id, assignment.creator_id)
    if assignment.status != "published":
        try:
            assignment.update(
                actions=[
                    Assignment.status.set("published"),
                    Assignment.published_at.set(utc_now()),
                ],
                condition=Assignment.status == "open",
            )
        except UpdateError as error:
            if error.cause_response_code != "ConditionalCheckFailedException":
                raise
    logger.info(
        "kb assignment published assignment_id=%s article_id=%s task_id=%s "
        "task_status=%s",
        assignment.assignment_id,
        article_id,
        link.task_id,
        status,
    )
    return True
