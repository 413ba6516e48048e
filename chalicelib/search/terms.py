"""Words to search terms: lower case, ё folded to е, Snowball stems.

Cyrillic words go through the Russian Snowball stemmer and Latin ones through
the English stemmer, so «инструкции», «инструкцию» and «инструкция» all
become «инструкц». Articles and queries share this function, so a query
finds the forms of its words that share a stem.

NOTE: Snowball does not undo fleeting vowels, so a genitive plural such as
«поставок» stems differently from «поставка» and does not match it.
"""

import re
from collections import Counter
from functools import lru_cache

import snowballstemmer

# Markdown link targets such as (article:ID) or (https://...) are not words
# of the text; the link text stays.
_LINK_TARGET = re.compile(r"\]\([^)\s]*\)")
_WORD = re.compile(r"[0-9a-zа-я]+")
_CYRILLIC = re.compile(r"[а-я]")

MAX_TERM_LENGTH = 64
# NOTE: an article with more distinct stems than this is indexed by the first
# ones in its text; 20,000 covers several hundred pages of prose.
MAX_TERMS_PER_ARTICLE = 20_000

# Words too common to narrow a search. Leaving them out of the index keeps
# their partitions from listing every article.
STOP_WORDS = frozenset(
    """
    а без бы в во вот все всё вы да для до его ее её если есть же за и из или
    им их к как ли мы на над не него нет ни но о об от по под при с со так
    там то того тоже только у уже что чтобы это эти этот я
    a an and are as at be by for from in is it of on or that the this to with
    """.split()
)


@lru_cache(maxsize=1)
def _stemmers():
    return (
        snowballstemmer.stemmer("russian"),
        snowballstemmer.stemmer("english"),
    )


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def words(text: str) -> list[str]:
    """Return the words of ``text``, lower-cased and with ё folded, in order."""
    return _WORD.findall(_fold(_LINK_TARGET.sub("]", text)))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    russian, english = _stemmers()
    stemmer = russian if _CYRILLIC.search(word) else english
    return stemmer.stemWord(word)[:MAX_TERM_LENGTH]


def terms(text: str) -> list[str]:
    """Return the search terms of ``text`` in order, stop words left out."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def term_counts(text: str) -> Counter:
    """Count each term of ``text``, keeping at most ``MAX_TERMS_PER_ARTICLE``."""
    counts: Counter = Counter()
    for term in terms(text):
        if term in counts or len(counts) < MAX_TERMS_PER_ARTICLE:
            counts[term] += 1
    return counts
