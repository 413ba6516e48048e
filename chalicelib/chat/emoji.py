"""Check that a string is exactly one emoji, as a reaction must be.

A small grammar after Unicode Technical Standard #51 (emoji 15) instead of the
full emoji data files:

- a flag: two regional indicator symbols;
- a keycap: ``0``-``9``, ``#`` or ``*``, an optional U+FE0F, then U+20E3;
- an element: a pictographic base, an optional variation selector, an optional
  skin tone modifier and an optional tag sequence (subdivision flags);
- a ZWJ sequence: elements joined by U+200D.

A pictographic base is a code point in the ranges below, which cover the
Extended_Pictographic property of Unicode 15 with some unassigned code points
around them. So the check accepts every emoji and some symbols that no
platform draws as emoji, and it rejects letters, digits, text and several
emoji in a row.
"""

ZWJ = "\u200d"
EMOJI_PRESENTATION = "\ufe0f"
TEXT_PRESENTATION = "\ufe0e"
KEYCAP = "\u20e3"
KEYCAP_BASES = frozenset("0123456789#*")
SKIN_TONES = range(0x1F3FB, 0x1F400)
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)
TAG_CHARACTERS = range(0xE0020, 0xE007F)
CANCEL_TAG = 0xE007F

# The longest sequences in use (families of four people) have 11 code points;
# tag sequences of subdivision flags have 7.
MAX_EMOJI_CODE_POINTS = 16

PICTOGRAPHIC_RANGES = (
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x2199),
    (0x21A9, 0x21AA),
    (0x231A, 0x231B),
    (0x2328, 0x2328),
    (0x2388, 0x2388),
    (0x23CF, 0x23CF),
    (0x23E9, 0x23F3),
    (0x23F8, 0x23FA),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25AB),
    (0x25B6, 0x25B6),
    (0x25C0, 0x25C0),
    (0x25FB, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B07),
    (0x2B1B, 0x2B1C),
    (0x2B50, 0x2B50),
    (0x2B55, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3297),
    (0x3299, 0x3299),
    (0x1F000, 0x1F0FF),
    (0x1F10D, 0x1F10F),
    (0x1F12F, 0x1F12F),
    (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F),
    (0x1F18E, 0x1F18E),
    (0x1F191, 0x1F19A),
    (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F),
    (0x1F21A, 0x1F21A),
    (0x1F22F, 0x1F22F),
    (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F),
    (0x1F249, 0x1F3FA),
    (0x1F400, 0x1F53D),
    (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF),
    (0x1F774, 0x1F77F),
    (0x1F7D5, 0x1F7FF),
    (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F),
    (0x1F85A, 0x1F85F),
    (0x1F888, 0x1F88F),
    (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A),
    (0x1F93C, 0x1F945),
    (0x1F947, 0x1FAFF),
    (0x1FC00, 0x1FFFD),
)


def _is_pictographic(code_point: int) -> bool:
    return any(low <= code_point <= high for low, high in PICTOGRAPHIC_RANGES)


def normalize_emoji(value: str) -> str | None:
    """Return ``value`` in one canonical form if it is exactly one emoji, else None.

    The canonical form drops text presentation selectors and gives a base below
    U+1F000 without a skin tone the emoji presentation selector, so "❤" and
    "❤️" are one reaction.
    """
    if not value or len(value) > MAX_EMOJI_CODE_POINTS:
        return None
    code_points = [ord(character) for character in value]
    if len(code_points) == 2 and all(cp in REGIONAL_INDICATORS for cp in code_points):
        return value
    if value[0] in KEYCAP_BASES:
        if value in (value[0] + KEYCAP, value[0] + EMOJI_PRESENTATION + KEYCAP):
            return value[0] + EMOJI_PRESENTATION + KEYCAP
        return None
    elements = value.split(ZWJ)
    normalized = [_normalize_element(element) for element in elements]
    if any(element is None for element in normalized):
        return None
    return ZWJ.join(normalized)


def _normalize_element(element: str) -> str | None:
    """Return one ZWJ-free element in canonical form, or None if it is not one."""
    if not element or not _is_pictographic(ord(element[0])):
        return None
    base, rest = element[0], element[1:]
    selector = ""
    if rest[:1] in (EMOJI_PRESENTATION, TEXT_PRESENTATION):
        selector, rest = rest[0], rest[1:]
    modifier = ""
    if rest and ord(rest[0]) in SKIN_TONES:
        modifier, rest = rest[0], rest[1:]
    if rest:
        tags = [ord(character) for character in rest]
        if (
            len(tags) < 2
            or tags[-1] != CANCEL_TAG
            or not all(tag in TAG_CHARACTERS for tag in tags[:-1])
        ):
            return None
    if selector == TEXT_PRESENTATION:
        selector = ""
    if not selector and not modifier and ord(base) < 0x1F000:
        selector = EMOJI_PRESENTATION
    return base + selector + modifier + rest
