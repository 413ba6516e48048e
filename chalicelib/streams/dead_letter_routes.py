"""Admin routes of parked stream records: list, read and replay them.

Mounted under ``/api/admin``; every route needs an owner or admin. API
tokens cannot use them (``/api/admin`` opens to no scope).
"""

import logging
from typing import Annotated

from chalice import Blueprint
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    field_validator,
)
from pydantic_core import PydanticCustomError

from chalicelib.auth.authorizer import bearer_authorizer
from chalicelib.errors import Conflict, InvalidInput, NotFound
from chalicelib.streams import batch, dead_letters
from chalicelib.web import (
    Caller,
    caller_of,
    cursor_param,
    limit_param,
    parse_body,
    query_param,
    require_admin,
)

logger = logging.getLogger(__name__)

dead_letter_routes = Blueprint(__name__)

# One replay-all call runs at most this many reactions, so it ends well within
# API Gateway's 29-second limit; call again for the rest.
MAX_REPLAY_BATCH = 25
MAX_REACTION_NAME_LENGTH = 64


class NoBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReplayAll(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Only this reaction's dead letters; all of them when left out.
    reaction: (
        Annotated[StrictStr, Field(min_length=1, max_length=MAX_REACTION_NAME_LENGTH)]
        | None
    ) = None
    limit: Annotated[StrictInt, Field(ge=1, le=MAX_REPLAY_BATCH)] = 10

    @field_validator("reaction")
    @classmethod
    def known_reaction(cls, value: str | None) -> str | None:
        if value is not None and value not in batch.reaction_names():
            raise PydanticCustomError(
                "unknown_reaction",
                "no such reaction; use one of {names}",
                {"names": ", ".join(batch.reaction_names())},
            )
        return value


def _admin() -> Caller:
    caller = caller_of(dead_letter_routes.current_request)
    require_admin(caller)
    return caller


def _reaction_param() -> str | None:
    value = query_param(dead_letter_routes.current_request, "reaction")
    if value is not None and value not in batch.reaction_names():
        raise InvalidInput(
            "Invalid query parameter 'reaction': use one of "
            f"{', '.join(batch.reaction_names())}.",
            field="reaction",
        )
    return value


def _parked(dead_letter_id: str) -> dead_letters.StreamDeadLetter:
    entry = dead_letters.find_parked(dead_letter_id)
    if entry is None:
        raise NotFound(
            f"No dead letter {dead_letter_id}: it was replayed, or the id is wrong.",
            field="dead_letter_id",
        )
    return entry


def _replay(entry: dead_letters.StreamDeadLetter, user_id: str) -> bool:
    """Run the entry's reaction on its record; remove the entry if that works."""
    try:
        batch.replay_record(
            entry.reaction, entry.raw_record(), dead_letter_routes.lambda_context
        )
    except batch.UnknownReaction:
        raise Conflict(
            f"Dead letter {entry.id} names the reaction '{entry.reaction}', which "
            "this version of Shtab does not have; it cannot be replayed.",
            field="dead_letter_id",
        ) from None
    except batch.RecordInProgress:
        raise Conflict(
            f"Dead letter {entry.id} is being replayed right now; "
            "read it again in a minute.",
            field="dead_letter_id",
        ) from None
    except Exception as error:
        dead_letters.note_replay_failure(entry, error, user_id)
        logger.warning(
            "dead letter replay failed id=%s reaction=%s event_id=%s error=%s by=%s",
            entry.id,
            entry.reaction,
            entry.event_id,
            type(error).__name__,
            user_id,
        )
        return False
    dead_letters.remove(entry)
    logger.info(
        "dead letter replayed id=%s reaction=%s event_id=%s by=%s",
        entry.id,
        entry.reaction,
        entry.event_id,
        user_id,
    )
    return True


@dead_letter_routes.route(
    "/dead-letters", methods=["GET"], authorizer=bearer_authorizer
)
def list_stream_dead_letters():
    _admin()
    request = dead_letter_routes.current_request
    limit = limit_param(request, default=20, maximum=100)
    before = cursor_param(request, "before")
    reaction = _reaction_param()
    entries, next_cursor = dead_letters.list_parked(limit, before, reaction)
    return {
        "dead_letters": [dead_letters.dead_letter_json(entry) for entry in entries],
        "next_cursor": next_cursor,
    }


@dead_letter_routes.route(
    "/dead-letters/{dead_letter_id}", methods=["GET"], authorizer=bearer_authorizer
)
def get_stream_dead_letter(dead_letter_id):
    _admin()
    entry = _parked(dead_letter_id)
    return {"dead_letter": dead_letters.dead_letter_json(entry, with_record=True)}


@dead_letter_routes.route(
    "/dead-letters/{dead_letter_id}/replay",
    methods=["POST"],
    authorizer=bearer_authorizer,
)
def replay_stream_dead_letter(dead_letter_id):
    caller = _admin()
    request = dead_letter_routes.current_request
    # Replay takes no options; an empty object is accepted as no body.
    if (request.raw_body or b"").strip():
        parse_body(request, NoBody)
    entry = _parked(dead_letter_id)
    replayed = _replay(entry, caller.user_id)
    body = {"replayed": replayed, "id": entry.id}
    if not replayed:
        fresh = dead_letters.find_parked(entry.id)
        body["dead_letter"] = dead_letters.dead_letter_json(fresh or entry)
    return body


@dead_letter_routes.route(
    "/dead-letters/replay", methods=["POST"], authorizer=bearer_authorizer
)
def replay_stream_dead_letters():
    """Replay the newest dead letters, at most ``limit`` of them."""
    caller = _admin()
    body = parse_body(dead_letter_routes.current_request, ReplayAll)
    entries, _ = dead_letters.list_parked(body.limit, None, body.reaction)
    replayed, failed = [], []
    for entry in entries:
        try:
            succeeded = _replay(entry, caller.user_id)
        except Conflict:
            succeeded = False
        (replayed if succeeded else failed).append(entry.id)
    # Failed entries stay parked, so they count as remaining too.
    left, _ = dead_letters.list_parked(1, None, body.reaction)
    return {"replayed": replayed, "failed": failed, "remaining": bool(left)}
