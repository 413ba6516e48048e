"""Checks for short one-line texts people type: names and titles."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Invisible characters: a name made only of them would look empty. Zero-width
# joiners are kept inside a name because emoji sequences need them.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

# Bidirectional embedding, override and isolate controls, which can make a
# name or a file name display in reverse.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _clean_line(value: str) -> str:
    if not value.translate(_INVISIBLE).strip():
        raise ValueError("must contain visible characters")
    check_characters(value)
    return value.strip()


CleanLine = Annotated[str, AfterValidator(_clean_line)]


def check_characters(value: str, allowed: str = "") -> None:
    """Raise ValueError naming the first control or bidirectional character
    of ``value`` that is not in ``allowed``."""
    for character in value:
        if character in allowed:
            continue
        if unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            raise ValueError(
                f"must not contain control characters (found U+{ord(character):04X})"
            )


def strip_controls(value: str) -> str:
    """Return ``value`` without control, bidirectional or invisible characters,
    for names taken from imported files, which cannot be sent back to fix."""
    kept = (
        character
        for character in value.translate(_INVISIBLE)
        if unicodedata.category(character) != "Cc" and character not in _BIDI_CONTROLS
    )
    return " ".join("".join(kept).split())


def _clean_text(value: str) -> str:
    """Check a multi-line text: line breaks and tabs are its only controls."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not value.translate(_INVISIBLE).strip():
        raise ValueError("must contain visible characters")
    check_characters(value, allowed="\n\t")
    return value.strip()


def _clean_optional_text(value: str) -> str:
    if not value.strip():
        return ""
    return _clean_text(value)


# Multi-line text such as a description or a reason; an optional comment may
# be left blank.
CleanText = Annotated[str, AfterValidator(_clean_text)]
OptionalCleanText = Annotated[str, AfterValidator(_clean_optional_text)]


def _check_markdown(value: str) -> str:
    # Markdown keeps its spacing (two trailing spaces are a line break), so the
    # text is only checked, never trimmed.
    check_characters(value, allowed="\n\t\r")
    return value


# Markdown as typed: any spacing, no control or bidirectional characters.
MarkdownText = Annotated[str, AfterValidator(_check_markdown)]
