"""Templates and actions of inbound webhooks.

A hook's ``template`` is an object whose string fields are jinja2 templates.
They are rendered in a sandbox over the delivery, the values are checked with
the same schemas as the matching HTTP routes, and the domain services create
the task, the message or the finance draft.

Templates see ``payload`` (the JSON object that was sent), ``hook`` (``id`` and
``name``) and ``delivery`` (``id`` and ``received_at``). A name missing from the
payload fails the delivery instead of rendering as an empty string. Wrap it as
``{{ payload.note | default('') }}`` where it may be absent.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError
from pydantic import BaseModel, ConfigDict, Field

from chalicelib.chat.channels import find_channel
from chalicelib.chat.messages import check_text, post_message
from chalicelib.clock import iso
from chalicelib.errors import ApiError, InvalidInput
from chalicelib.finance.org_snapshot import OrgSnapshot
from chalicelib.finance.payment_requests import create_request
from chalicelib.finance.schemas import RequestCreate
from chalicelib.finance.visibility import Viewer
from chalicelib.ids import stable_id
from chalicelib.people.models import User
from chalicelib.people.service import find_user
from chalicelib.tasks.schemas import TaskCreate
from chalicelib.tasks.service import create_task
from chalicelib.tasks.visibility import TaskViewer
from chalicelib.web import Caller, parse

ACTIONS = ("create_task", "post_message", "create_finance_request")

# Limits on the template source of one field. A task description may be long
# Markdown; every other field renders into a short value.
MAX_TEMPLATE_LENGTH = 4000
MAX_LONG_TEMPLATE_LENGTH = 20000
# Rendering stops once a field's output passes this many characters, so a loop
# in a template cannot build an unbounded string. The schemas then apply each
# field's own limit, which is never above this one.
MAX_RENDERED_LENGTH = 20000
# Co-assignees taken from the other holders of a position, as tasks allow.
MAX_CO_ASSIGNEES = 20
# Enough for any arithmetic a template needs; 10 ** 10 ** 9 would take minutes.
MAX_EXPONENT = 100


class LimitedEnvironment(SandboxedEnvironment):
    """A sandbox that also bounds ``*`` and ``**``, which payload values feed.

    The stock sandbox caps ``range()`` but lets ``'x' * payload.count`` build
    a string of any length the payload names. Loops that output nothing are
    bounded by ``structure_problem``: no loop inside a loop, no recursion.
    """

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context, operator, left, right):
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if (
                    isinstance(sequence, (str, list, tuple))
                    and isinstance(count, int)
                    and len(sequence) * count > MAX_RENDERED_LENGTH
                ):
                    raise SecurityError(
                        f"repeating a value {count} times makes more than "
                        f"{MAX_RENDERED_LENGTH} characters"
                    )
        if operator == "**" and isinstance(right, int) and abs(right) > MAX_EXPONENT:
            raise SecurityError(f"exponent {right} is above {MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


def structure_problem(source: str) -> str | None:
    """Return why a template may run too long, or None.

    One loop runs at most once per item of a list in the payload, which is
    bounded by the delivery's size. A loop inside a loop multiplies those
    counts, and a recursive loop or macro has no bound at all, so none is
    allowed.
    """
    tree = _ENVIRONMENT.parse(source)
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            return "a recursive loop is not allowed"
        if next(loop.find_all(nodes.For), None) is not None:
            return "a loop inside another loop is not allowed"
    if next(tree.find_all((nodes.Macro, nodes.CallBlock)), None) is not None:
        return "macros are not allowed"
    return None


# Markdown is stored as written and sanitised where it is shown, so HTML
# escaping here would only garble "<" and "&" in task texts and messages.
_ENVIRONMENT = LimitedEnvironment(undefined=StrictUndefined, autoescape=False)


class ActionFailed(ApiError):
    """A signed, well-formed delivery whose action could not be carried out."""

    status = 422
    code = "action_failed"


def _template(max_length: int = MAX_TEMPLATE_LENGTH):
    return Annotated[str, Field(min_length=1, max_length=max_length)]


Template = _template()
LongTemplate = _template(MAX_LONG_TEMPLATE_LENGTH)


class ActionTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateTaskTemplate(ActionTemplate):
    """A task for a person, or for the holders of a position at delivery time."""

    title: Template
    description: LongTemplate | None = None
    assignee_user_id: Template | None = None
    position_id: Template | None = None
    # The key of a position of the marketplace org template, such as
    # "logistician", for hooks written before the company's ids are known.
    position_key: Template | None = None
    priority: Template | None = None
    due: Template | None = None


class PostMessageTemplate(ActionTemplate):
    channel_id: Template
    text: Template


class FinanceRequestTemplate(ActionTemplate):
    """A draft payment request that ``author_user_id`` then submits."""

    author_user_id: Template
    amount: Template
    currency: Template | None = None
    category_id: Template
    counterparty: Template
    problem: Template
    solution: Template
    pay_by: Template
    period: Template


ASSIGNEE_FIELDS = ("assignee_user_id", "position_id", "position_key")

TEMPLATE_SCHEMAS: dict[str, type[ActionTemplate]] = {
    "create_task": CreateTaskTemplate,
    "post_message": PostMessageTemplate,
    "create_finance_request": FinanceRequestTemplate,
}

Action = Literal["create_task", "post_message", "create_finance_request"]


def check_template(action: str, template: dict) -> dict:
    """Validate a hook's template for ``action``; return it without unset fields.

    Raises InvalidInput naming ``template.<field>`` for a missing or unknown
    field and for jinja2 syntax errors, with the line of the error.
    """
    schema = TEMPLATE_SCHEMAS[action]
    try:
        checked = parse(schema, template)
    except InvalidInput as error:
        field = f"template.{error.field}" if error.field else "template"
        message = error.message.replace("Invalid field '", "Invalid field 'template.")
        raise InvalidInput(message, field=field) from None
    values = checked.model_dump(exclude_none=True)
    if action == "create_task":
        _check_one_assignee(values)
    for name, source in values.items():
        try:
            # Compiling, not only parsing, also catches unknown filters and tests.
            _ENVIRONMENT.from_string(source)
        except TemplateSyntaxError as error:
            raise InvalidInput(
                f"Invalid field 'template.{name}': jinja2 syntax error on line "
                f"{error.lineno}: {(error.message or '').rstrip('.')}.",
                field=f"template.{name}",
            ) from None
        problem = structure_problem(source)
        if problem is not None:
            raise InvalidInput(
                f"Invalid field 'template.{name}': {problem}, because it could "
                "run without bound; loop once over a payload list instead.",
                field=f"template.{name}",
            )
    return values


def _check_one_assignee(values: dict) -> None:
    chosen = [name for name in ASSIGNEE_FIELDS if name in values]
    if len(chosen) != 1:
        field = chosen[1] if len(chosen) > 1 else ASSIGNEE_FIELDS[0]
        raise InvalidInput(
            f"Invalid field 'template.{field}': name who gets the task with "
            "exactly one of assignee_user_id, position_id or position_key.",
            field=f"template.{field}",
        )


@dataclass(frozen=True)
class Delivery:
    """The delivery data passed to an action."""

    hook_id: str
    hook_name: str
    delivery_id: str
    received_at: datetime
    payload: dict

    @property
    def sender_id(self) -> str:
        """The id under which the hook's tasks and messages are recorded."""
        return f"hook:{self.hook_id}"

    def context(self) -> dict:
        return {
            "payload": self.payload,
            "hook": {"id": self.hook_id, "name": self.hook_name},
            "delivery": {"id": self.delivery_id, "received_at": iso(self.received_at)},
        }


def _failed(message: str, field: str | None) -> ActionFailed:
    return ActionFailed(message, field=field)


def render_field(name: str, source: str, context: dict) -> str:
    """Render one template field; raise ActionFailed naming ``template.<name>``."""
    field = f"template.{name}"
    try:
        problem = structure_problem(source)
        if problem is not None:
            raise _failed(
                f"Template field '{name}' cannot run: {problem}. Change the template.",
                field,
            )
        template = _ENVIRONMENT.from_string(source)
        parts: list[str] = []
        length = 0
        for chunk in template.generate(context):
            parts.append(chunk)
            length += len(chunk)
            if length > MAX_RENDERED_LENGTH:
                raise _failed(
                    f"Template field '{name}' rendered more than "
                    f"{MAX_RENDERED_LENGTH} characters; shorten the template or "
                    "the payload values it repeats.",
                    field,
                )
        return "".join(parts).strip()
    except ActionFailed:
        raise
    except SecurityError as error:
        raise _failed(
            f"Template field '{name}' was stopped by the sandbox: {error}. "
            "Change the template.",
            field,
        ) from None
    except TemplateError as error:
        # UndefinedError, for a name missing from the payload, derives from it.
        raise _failed(
            f"Template field '{name}' failed to render: {error.message}. Check "
            "that the payload has every field the template uses, or give it a "
            "default with | default('...').",
            field,
        ) from None
    except (ArithmeticError, LookupError, TypeError, ValueError) as error:
        # Template code is written by an admin and runs on data from outside,
        # so an error in an expression such as {{ payload.a / payload.b }} is a
        # failed delivery, not a server error.
        raise _failed(
            f"Template field '{name}' failed to render: "
            f"{type(error).__name__}: {error}.",
            field,
        ) from None


def render_template(template: dict, context: dict) -> dict[str, str]:
    return {
        name: render_field(name, source, context) for name, source in template.items()
    }


def _as_failure(error: ApiError, fields: dict[str, str]) -> ActionFailed:
    """Restate a domain error about a rendered value as a failure of the hook."""
    field = error.field
    if field is not None:
        field = f"template.{fields.get(field, field)}"
    return _failed(f"{error.message} (the value came from the hook's template)", field)


def _parse(schema: type[BaseModel], data: dict, fields: dict[str, str]):
    try:
        return parse(schema, data)
    except InvalidInput as error:
        raise _as_failure(error, fields) from None


# create_task

# Fields of TaskCreate that a create_task template names differently.
_TASK_FIELDS = {"assignee_id": "assignee_user_id"}


def _hook_task_viewer(delivery: Delivery) -> TaskViewer:
    """Return the hook as a task author: an integration, never a person's account."""
    user = User(delivery.sender_id, name=delivery.hook_name, role="integration")
    return TaskViewer(
        caller=Caller(user_id=delivery.sender_id, role="integration"), user=user
    )


def _position_holders(values: dict[str, str]) -> list[str]:
    org = OrgSnapshot()
    if "position_key" in values:
        key = values["position_key"]
        position = org.template_position(key)
        field = "template.position_key"
        if position is None:
            raise _failed(
                f"No position of the marketplace org template has the key '{key}'; "
                "apply the template or use position_id.",
                field,
            )
    else:
        field = "template.position_id"
        position = org.positions.get(values["position_id"])
        if position is None:
            raise _failed(
                f"Position '{values['position_id']}' does not exist; use an id "
                "from /api/org/positions.",
                field,
            )
    holders = [user.user_id for user in org.holders(position.position_id)]
    if not holders:
        raise _failed(
            f"Position '{position.name}' is vacant, so nobody can get the task; "
            "hire someone to it or point the hook at a person.",
            field,
        )
    return holders


def run_create_task(template: dict, delivery: Delivery) -> dict:
    values = render_template(template, delivery.context())
    co_assignees: list[str] = []
    if "assignee_user_id" in values:
        assignee = values["assignee_user_id"]
    else:
        holders = _position_holders(values)
        # The holders come sorted by name; the first is responsible and the
        # others, when several share the post, work on it with them.
        assignee, co_assignees = holders[0], holders[1 : MAX_CO_ASSIGNEES + 1]
    body: dict = {"title": values["title"], "assignee_id": assignee}
    if co_assignees:
        body["co_assignee_ids"] = co_assignees
    if values.get("description"):
        body["description"] = values["description"]
    if values.get("priority"):
        body["priority"] = values["priority"]
    if values.get("due"):
        body["due"] = values["due"]
    request = _parse(TaskCreate, body, _TASK_FIELDS)
    try:
        task = create_task(request, _hook_task_viewer(delivery))
    except ApiError as error:
        raise _as_failure(error, _TASK_FIELDS) from None
    return {"task_id": task.task_id, "assignee_id": task.assignee_id}


# post_message


def run_post_message(template: dict, delivery: Delivery) -> dict:
    values = render_template(template, delivery.context())
    channel = find_channel(values["channel_id"]) if values["channel_id"] else None
    if channel is None:
        raise _failed(
            f"Channel '{values['channel_id']}' does not exist; use an id from "
            "/api/chat/channels.",
            "template.channel_id",
        )
    if channel.archived:
        raise _failed(
            f"Channel '{channel.name}' is archived and read-only; point the hook "
            "at another channel.",
            "template.channel_id",
        )
    try:
        text = check_text(values["text"], field="text")
    except InvalidInput as error:
        raise _as_failure(error, {}) from None
    # The id is derived from the delivery, so a delivery taken over after a
    # crash posts the message once.
    message_id = stable_id(delivery.received_at, delivery.hook_id, delivery.delivery_id)
    post_message(
        channel,
        sender_id=delivery.sender_id,
        sender_name=delivery.hook_name,
        text=text,
        kind="system",
        message_id=message_id,
        created_at=delivery.received_at,
    )
    return {"message_id": message_id, "channel_id": channel.channel_id}


# create_finance_request


def _author_viewer(author_id: str) -> Viewer:
    author = find_user(author_id)
    if author is None or not author.is_active:
        state = "does not exist" if author is None else "is deactivated"
        raise _failed(
            f"User '{author_id}' {state}; the author of a finance draft must be an "
            "active person.",
            "template.author_user_id",
        )
    return Viewer(
        caller=Caller(user_id=author.user_id, role=author.role),
        user=author,
        org=OrgSnapshot(),
    )


def run_create_finance_request(template: dict, delivery: Delivery) -> dict:
    values = render_template(template, delivery.context())
    viewer = _author_viewer(values.pop("author_user_id"))
    request = _parse(RequestCreate, values, {})
    try:
        created = create_request(request, viewer)
    except ApiError as error:
        raise _as_failure(error, {}) from None
    return {"request_id": created.request_id, "author_id": created.author_id}


RUNNERS: dict[str, Callable[[dict, Delivery], dict]] = {
    "create_task": run_create_task,
    "post_message": run_post_message,
    "create_finance_request": run_create_finance_request,
}


def run_action(action: str, template: dict, delivery: Delivery) -> dict:
    """Carry out ``action``; return its result or raise ActionFailed."""
    return RUNNERS[action](template, delivery)
