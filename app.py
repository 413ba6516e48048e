"""Shtab: the Chalice app that wires every domain's routes and reactions."""

import logging

from chalice import Chalice, Cron, Rate

from chalicelib.auth.authorizer import authorizer_routes
from chalicelib.auth.routes import auth_routes
from chalicelib.chat import websocket
from chalicelib.chat.attachment_routes import chat_attachment_routes
from chalicelib.chat.channel_routes import channel_routes
from chalicelib.chat.message_routes import message_routes
from chalicelib.chat.reactions import handle_chat_record, needs_delivery
from chalicelib.chat.routes import chat_routes
from chalicelib.chat.search_index import index_chat_record, is_message_change
from chalicelib.chat.search_routes import search_routes
from chalicelib.chat.thread_routes import thread_routes
from chalicelib.clock import utc_now
from chalicelib.cors import CORS
from chalicelib.finance.attachment_routes import attachment_routes
from chalicelib.finance.handover import handle_user_record as hand_over_approvals
from chalicelib.finance.reactions import handle_finance_record, is_history_insert
from chalicelib.finance.routes import finance_routes
from chalicelib.imports.reactions import handle_job_record, is_job_insert
from chalicelib.imports.routes import import_routes
from chalicelib.integrations import outbound
from chalicelib.integrations.events import (
    publish_chat_events,
    publish_finance_events,
    publish_kb_events,
    publish_task_events,
    publish_user_events,
    then_publish,
)
from chalicelib.integrations.hook_routes import hook_routes, inbound_hook_routes
from chalicelib.integrations.scopes import enforce_scopes
from chalicelib.integrations.subscription_routes import subscription_routes
from chalicelib.integrations.telegram_delivery import send_notification_copy
from chalicelib.integrations.telegram_routes import (
    telegram_routes,
    telegram_update_routes,
)
from chalicelib.integrations.token_routes import token_routes
from chalicelib.kb.article_routes import article_routes as kb_article_routes
from chalicelib.kb.authoring_routes import authoring_routes as kb_authoring_routes
from chalicelib.kb.course_notices import send_course_reminders
from chalicelib.kb.course_routes import course_routes as kb_course_routes
from chalicelib.kb.enrolment import handle_user_record as enrol_in_courses
from chalicelib.kb.org_sync import handle_department_record as sync_kb_sections
from chalicelib.kb.question_routes import question_routes as kb_question_routes
from chalicelib.kb.reactions import handle_kb_record, is_article_record
from chalicelib.kb.review_reminders import send_review_reminders
from chalicelib.kb.routes import kb_routes
from chalicelib.notifications.task_reactions import handle_task_record, is_task_record
from chalicelib.openapi.routes import openapi_routes
from chalicelib.org.reactions import handle_org_record, is_department_record
from chalicelib.org.routes import org_routes
from chalicelib.people.membership import handle_user_record
from chalicelib.people.routes import people_routes
from chalicelib.processes.routes import launch_routes, template_routes
from chalicelib.streams.batch import stream_reaction
from chalicelib.streams.dead_letter_routes import dead_letter_routes
from chalicelib.tasks.importing.routes import task_import_routes
from chalicelib.tasks.reminders import send_due_reminders
from chalicelib.tasks.routes import task_routes
from chalicelib.tasks.series import ensure_occurrences, handle_series_record
from chalicelib.tasks.series_routes import series_routes
from chalicelib.tasks.thread_mirror import handle_chat_reply_record
from chalicelib.tasks.thread_stream import handle_task_thread_record
from chalicelib.web import handle_errors
from chalicelib.weeks.routes import week_routes

app = Chalice(app_name="shtab")
app.log.setLevel(logging.INFO)
logging.getLogger("chalicelib").setLevel(logging.INFO)
# Chalice 1.34 packages WebSocket handlers only with this flag set.
app.experimental_feature_flags.update(["WEBSOCKETS"])

# Set before any blueprint is registered: each route copies it when added.
app.api.cors = CORS
app.register_middleware(handle_errors, "http")
# After handle_errors, which turns its Forbidden into a JSON error.
app.register_middleware(enforce_scopes, "http")
app.register_blueprint(authorizer_routes)
app.register_blueprint(auth_routes, url_prefix="/api/auth")
app.register_blueprint(org_routes, url_prefix="/api/org")
app.register_blueprint(people_routes, url_prefix="/api/users")
app.register_blueprint(chat_routes, url_prefix="/api/chat")
app.register_blueprint(search_routes, url_prefix="/api/chat")
app.register_blueprint(thread_routes, url_prefix="/api/chat")
app.register_blueprint(message_routes, url_prefix="/api/chat")
app.register_blueprint(channel_routes, url_prefix="/api/chat")
app.register_blueprint(chat_attachment_routes, url_prefix="/api/chat")
app.register_blueprint(task_routes, url_prefix="/api/tasks")
app.register_blueprint(series_routes, url_prefix="/api/tasks/series")
app.register_blueprint(task_import_routes, url_prefix="/api/tasks/import")
app.register_blueprint(template_routes, url_prefix="/api/process-templates")
app.register_blueprint(launch_routes, url_prefix="/api/launches")
app.register_blueprint(finance_routes, url_prefix="/api/finance")
app.register_blueprint(attachment_routes, url_prefix="/api/finance/requests")
app.register_blueprint(kb_routes, url_prefix="/api/kb")
app.register_blueprint(kb_article_routes, url_prefix="/api/kb")
app.register_blueprint(kb_question_routes, url_prefix="/api/kb")
app.register_blueprint(kb_course_routes, url_prefix="/api/kb")
app.register_blueprint(kb_authoring_routes, url_prefix="/api/kb")
app.register_blueprint(week_routes, url_prefix="/api/weeks")
app.register_blueprint(token_routes, url_prefix="/api/integrations")
app.register_blueprint(openapi_routes, url_prefix="/api")
app.register_blueprint(hook_routes, url_prefix="/api/integrations")
app.register_blueprint(subscription_routes, url_prefix="/api/integrations")
app.register_blueprint(inbound_hook_routes, url_prefix="/api/hooks")
app.register_blueprint(telegram_routes, url_prefix="/api/integrations")
app.register_blueprint(telegram_update_routes, url_prefix="/api/telegram")
app.register_blueprint(import_routes, url_prefix="/api")
app.register_blueprint(dead_letter_routes, url_prefix="/api/admin")


@app.route("/api/health", methods=["GET"])
def health():
    return {"status": "ok"}


@app.on_ws_connect()
def websocket_connect(event):
    query = event.to_dict().get("queryStringParameters") or {}
    return websocket.on_connect(event.connection_id, query)


@app.on_ws_disconnect()
def websocket_disconnect(event):
    return websocket.on_disconnect(event.connection_id)


@app.on_ws_message()
def websocket_message(event):
    return websocket.on_message(event.connection_id, event.body)


# Stream reactions are plain Lambda functions; infra/resources.json connects
# each to its table's stream with partial batch failure reporting.
@app.lambda_function(name="membership_reactions")
def membership_reactions(event, context):
    return _membership(event, context)


@app.lambda_function(name="org_reactions")
def org_reactions(event, context):
    return _org(event, context)


@app.lambda_function(name="delivery_reactions")
def delivery_reactions(event, context):
    return _delivery(event, context)


@app.lambda_function(name="notification_reactions")
def notification_reactions(event, context):
    return _notification(event, context)


@app.lambda_function(name="finance_reactions")
def finance_reactions(event, context):
    return _finance(event, context)


@app.lambda_function(name="kb_reactions")
def kb_reactions(event, context):
    return _kb(event, context)


def handle_user_change(record) -> None:
    """React to one users-stream record: chat membership, approval handover, courses.

    Every step is idempotent, so a record retried after a later step fails
    repeats the earlier ones harmlessly.
    """
    handle_user_record(record)
    hand_over_approvals(record)
    enrol_in_courses(record)


def handle_department_change(record) -> None:
    """React to one department record: its chat channel, then its kb sections.

    Both steps are idempotent, so a record retried after the second fails
    repeats the first harmlessly.
    """
    handle_org_record(record)
    sync_kb_sections(record)


def handle_chat_change(record) -> None:
    """React to one chat record: run a queued import job, or index the change
    for search, deliver it live, copy a reply in a task thread to the task and
    copy a notification to Telegram.

    The steps are idempotent, so a record retried after a later step fails
    repeats the earlier ones harmlessly.
    """
    if is_job_insert(record):
        handle_job_record(record)
        return
    index_chat_record(record)
    if needs_delivery(record):
        handle_chat_record(record)
    handle_chat_reply_record(record)
    send_notification_copy(record)


def needs_chat_reaction(record) -> bool:
    return is_job_insert(record) or is_message_change(record) or needs_delivery(record)


def handle_task_change(record) -> None:
    """React to one tasks record: views and notifications, the task's chat
    thread, then task series.

    The steps are idempotent, so a record retried after a later step fails
    repeats the earlier ones harmlessly.
    """
    handle_task_record(record)
    handle_task_thread_record(record)
    handle_series_record(record)


# Daily at 01:00 UTC (04:00 in Moscow): every active task series gets its next
# occurrence if the tasks stream did not create it.
@app.schedule(Cron(0, 1, "*", "*", "?", "*"), name="task_series_daily")
def task_series_daily(event):
    return ensure_occurrences(utc_now())


# Hourly: "due tomorrow" and "overdue" reminders for open tasks, each once.
@app.schedule(Cron(5, "*", "*", "*", "?", "*"), name="task_due_reminders")
def task_due_reminders(event):
    return send_due_reminders(utc_now())


# Daily at 05:00 UTC (08:00 in Moscow): published articles whose re-review
# date has come are marked "needs_review" and their authors notified.
@app.schedule(Cron(0, 5, "*", "*", "?", "*"), name="kb_review_reminders")
def kb_review_reminders(event):
    return send_review_reminders(utc_now())


# Daily at 06:00 UTC (09:00 in Moscow): reminders of mandatory course deadlines
# that are near or passed, to learners and, when passed, their managers.
@app.schedule(Cron(0, 6, "*", "*", "?", "*"), name="kb_course_reminders")
def kb_course_reminders(event):
    return send_course_reminders(utc_now())


# Every minute: send the webhook deliveries whose retry is due.
@app.schedule(Rate(1, unit=Rate.MINUTES), name="retry_webhook_deliveries")
def retry_webhook_deliveries(event):
    return outbound.retry_from_schedule(event.context)


# Each reaction ends with its webhook event step (chalicelib.integrations.events).
_membership = stream_reaction(
    "membership_reactions", then_publish(handle_user_change, publish_user_events)
)
_org = stream_reaction("org_reactions", handle_department_change, is_department_record)
_delivery = stream_reaction(
    "delivery_reactions",
    then_publish(handle_chat_change, publish_chat_events),
    needs_chat_reaction,
)
_notification = stream_reaction(
    "notification_reactions",
    then_publish(handle_task_change, publish_task_events),
    is_task_record,
)
_finance = stream_reaction(
    "finance_reactions",
    then_publish(handle_finance_record, publish_finance_events),
    is_history_insert,
)
_kb = stream_reaction(
    "kb_reactions", then_publish(handle_kb_record, publish_kb_events), is_article_record
)

# Which reaction reads which table's stream; the local stream pump uses this,
# and infra/resources.json declares the same pairs for AWS.
STREAM_REACTIONS = {
    "users": membership_reactions,
    "org": org_reactions,
    "chat": delivery_reactions,
    "tasks": notification_reactions,
    "finance": finance_reactions,
    "kb": kb_reactions,
}
