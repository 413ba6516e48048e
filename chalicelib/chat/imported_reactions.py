"""Turn the reactions of an imported message into the message's ``reactions`` map.

The map has the shape that live reactions use (emoji -> {user id -> epoch
milliseconds}, see ``emoji_reactions``) and is written with the message item
itself, so a reaction is stored exactly when its message is, and a second import
of the same export changes nothing.

People whom the export names are stored under their Shtab account when the
import matched them, and otherwise under the same imported id that their
messages carry as ``sender_id`` ("telegram:user123", "slack:U123"). People whom
the export only counts get numbered ids, "<prefix>anonymous-1" and so on, one
per emoji, so that the count the reactions list shows is the count of the
export.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

import emoji as emoji_data

from chalicelib.chat.emoji import normalize_emoji
from chalicelib.chat.emoji_reactions import MAX_EMOJI_PER_MESSAGE

# People stored per imported message over all its emoji. One entry takes about
# 40 bytes, so this keeps a message item far below DynamoDB's 400 KB limit
# even for a channel post with thousands of reactions.
MAX_IMPORTED_REACTORS = 1_000

# Slack writes a skin tone as a second shortcode: "+1::skin-tone-3".
_SLACK_SKIN_TONE = re.compile(r"^(?P<name>.+?)::skin-tone-(?P<tone>[2-6])$")
_FIRST_SKIN_TONE = 0x1F3FB


@dataclass
class SourceReaction:
    """One emoji's reactions as an export gives them."""

    # The emoji as the export writes it, for the report: "👍" or ":+1:".
    label: str
    # The Unicode emoji, or None when the export's emoji has no Unicode form.
    emoji: str | None
    # The people the export names, each with when they reacted if known.
    people: list[tuple[str, datetime | None]] = field(default_factory=list)
    # Everyone who reacted, named or not.
    count: int = 0
    # Why the emoji has no Unicode form, for the report.
    reason: str = ""


def slack_emoji(name: str) -> tuple[str | None, str]:
    """Return the Unicode emoji of a Slack reaction name and, if none, the reason.

    Standard names ("+1", "heart", "tada") come from the ``emoji`` package's
    alias table, which follows Slack's and GitHub's shortcodes. Names that a
    workspace added itself have no Unicode form.
    """
    tone = None
    match = _SLACK_SKIN_TONE.match(name)
    if match:
        name, tone = match["name"], int(match["tone"])
    converted = emoji_data.emojize(f":{name}:", language="alias")
    if converted == f":{name}:":
        return None, f"custom Slack emoji :{name}: has no Unicode form"
    if tone is not None:
        converted = converted.removesuffix("\ufe0f") + chr(_FIRST_SKIN_TONE + tone - 2)
    normalized = normalize_emoji(converted)
    if normalized is None:
        return None, f"Slack emoji :{name}: is not a single emoji"
    return normalized, ""


def telegram_emoji(kind: str, value: str | None) -> tuple[str | None, str]:
    """Return the Unicode emoji of a Telegram reaction and, if none, the reason."""
    if kind == "custom_emoji":
        return None, "custom emoji of a Telegram emoji pack have no Unicode form"
    if kind == "paid":
        return None, "paid reactions (Telegram Stars) are not emoji"
    normalized = normalize_emoji(value or "")
    if normalized is None:
        return None, f"reaction {value!r} is not a single emoji"
    return normalized, ""


def reaction_map(
    reactions: list[SourceReaction],
    anonymous_prefix: str,
    default_at: datetime,
) -> tuple[dict[str, dict[str, int]], list[str]]:
    """Build the ``reactions`` map of one message; return it and the skip reasons.

    Reactions with the same emoji in two spellings ("❤" and "❤️") are merged.
    """
    stored: dict[str, dict[str, int]] = {}
    skipped: list[str] = []
    default_ms = _epoch_ms(default_at)
    room = MAX_IMPORTED_REACTORS
    for reaction in reactions:
        if reaction.emoji is None:
            skipped.append(f"reaction {reaction.label}: {reaction.reason}")
            continue
        if reaction.emoji not in stored and len(stored) >= MAX_EMOJI_PER_MESSAGE:
            skipped.append(
                f"reaction {reaction.label}: a message keeps at most "
                f"{MAX_EMOJI_PER_MESSAGE} different emoji"
            )
            continue
        people = stored.setdefault(reaction.emoji, {})
        before = len(people)
        for user_id, reacted_at in reaction.people:
            if len(people) - before >= room:
                break
            at = _epoch_ms(reacted_at) if reacted_at else default_ms
            people[user_id] = min(people.get(user_id, at), at)
        anonymous = max(reaction.count - len(reaction.people), 0)
        number = 0
        while anonymous > 0 and len(people) - before < room:
            number += 1
            user_id = f"{anonymous_prefix}anonymous-{number}"
            if user_id not in people:
                people[user_id] = default_ms
                anonymous -= 1
        kept = len(people) - before
        room -= kept
        left_out = max(reaction.count, len(reaction.people)) - kept
        if left_out > 0 and room <= 0:
            skipped.append(
                f"reaction {reaction.label}: {left_out} of its people left out, "
                f"a message keeps at most {MAX_IMPORTED_REACTORS} reacting people"
            )
        if not people:
            del stored[reaction.emoji]
    return stored, skipped


def _epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
