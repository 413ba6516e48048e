"""Pin the imported messages that were pinned in the source chat.

Each pin goes through ``pins.pin_message``, so it counts against the channel's
limit of ``MAX_PINS`` and appears in the channel's pin list like a pin made in
Shtab. A message that is pinned already stays as it is, so importing the same
export again adds no pin.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.chat import pins
from chalicelib.chat.models import Message
from chalicelib.errors import Conflict

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportedPin:
    message: Message
    pinned_by: str
    pinned_at: datetime
    # The pinned message as the export names it, for the report.
    source_ref: str


@dataclass
class PinResult:
    pinned: int = 0
    already_pinned: int = 0
    # (source_ref, reason) of each pin left out.
    skipped: list[tuple[str, str]] = field(default_factory=list)


def apply_pins(imported: list[ImportedPin]) -> PinResult:
    """Pin each message, the earliest pin first; report what could not be pinned.

    NOTE: a pin that someone removed in Shtab comes back if the same export is
    imported again, because the import cannot tell it from a pin it never made.
    """
    result = PinResult()
    seen = set()
    for pin in sorted(imported, key=lambda pin: pin.pinned_at):
        if pin.message.message_id in seen:
            continue
        seen.add(pin.message.message_id)
        try:
            added = pins.pin_message(pin.message, pin.pinned_by, pin.pinned_at)
        except Conflict as error:
            result.skipped.append((pin.source_ref, error.message))
            continue
        if added:
            result.pinned += 1
        else:
            result.already_pinned += 1
    if imported:
        logger.info(
            "imported pins pinned=%d already_pinned=%d skipped=%d",
            result.pinned,
            result.already_pinned,
            len(result.skipped),
        )
    return result
