"""Tell English from Indonesian with word lists, to catch swapped or wrong input files.

The lists (``models/wordlists/{en,id}.txt``, built by ``models/build_wordlists.py``) hold
frequent words of each language that are rare in the other.  :func:`detect` gives, per
language, the share of a text's words found in that language's list.  News translations
legitimately contain the other language (names, quotes, "Advertisement" lines), so
:func:`check_language` objects only when the declared language is clearly absent: either the
other one is clearly present, or (a third language, French declared as English) hardly any of
the text's lower-case words are common words of the declared language.  Lower-case words,
because names, acronyms and headline capitals say nothing about the language; on the dev news
(NTREX stories, news_valid pairs, seeds, fixtures) every English or Indonesian chunk with 8 or
more lower-case words has at least 37 % of them in its list, while French, Spanish, German,
Portuguese, Italian, Dutch and Tagalog news paragraphs have at most 8 %.
"""

from __future__ import annotations

import functools
import re

from . import models_dir
from .errors import InputError, ModelError

#: Languages with word lists.
LANGUAGES: tuple[str, ...] = ("en", "id")
NAMES = {"en": "English", "id": "Indonesian"}

#: Texts with fewer words than this (lower-case words for check_language) are never judged.
MIN_WORDS = 5
#: check_language objects only when at least this many words are the other language's ...
MIN_OTHER_WORDS = 3
#: ... making up at least this share of the text ...
MIN_OTHER_SHARE = 0.15
#: ... and the declared language's share is at most this fraction of it.
MAX_DECLARED_RATIO = 0.25

#: A third language is judged only on texts with at least this many lower-case words ...
MIN_LOWER_WORDS = 10
#: ... and refused when fewer than this share of them are common words of the declared language.
MIN_DECLARED_LOWER_SHARE = 0.15

_WORD = re.compile(r"[^\W\d_]+")
#: Other spellings of the language codes (ISO 639-2/3, names, the old code "in").
_ALIASES = {"eng": "en", "english": "en", "ind": "id", "in": "id", "indonesian": "id"}


def normalize_lang(lang: str) -> str:
    """Lowercase primary language subtag: ``"EN-us"`` -> ``"en"``, ``"ind"`` -> ``"id"``."""
    code = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
    return _ALIASES.get(code, code)


def words(text: str) -> list[str]:
    """Lowercase runs of letters ("anak-anak" -> "anak", "anak"; "don't" -> "don", "t")."""
    return _WORD.findall(text.lower())


def word_count(text: str) -> int:
    """Whitespace-separated tokens with a letter ("U.S." is one word, "2020" none)."""
    return sum(1 for token in text.split() if any(c.isalpha() for c in token))


def common_words(lang: str) -> frozenset[str]:
    """Frequent lowercase words of ``lang`` ("en"/"id") that are not frequent in the other.

    An empty set for a language without a list.  Useful beyond language identification, e.g.
    to tell a capitalised common word ("Namun") from a name ("Suleimani").  Cached.
    """
    return _common_words(normalize_lang(lang))


@functools.lru_cache(maxsize=None)
def _common_words(code: str) -> frozenset[str]:
    if code not in LANGUAGES:
        return frozenset()
    path = models_dir() / "wordlists" / f"{code}.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ModelError(f"cannot read word list {path}: {exc.strerror or exc}") from exc
    return frozenset(w for w in (line.strip() for line in lines) if w and not w.startswith("#"))


def detect(text: str) -> dict[str, float]:
    """Share (0..1) of the words of ``text`` that are in each language's list: {'en':, 'id':}."""
    tokens = words(text)
    if not tokens:
        return {lang: 0.0 for lang in LANGUAGES}
    lists = {lang: common_words(lang) for lang in LANGUAGES}  # once, not once per word
    return {lang: sum(t in common for t in tokens) / len(tokens) for lang, common in lists.items()}


def guess(text: str) -> str | None:
    """The more likely of 'en'/'id', or None for a text too short or without evidence."""
    if word_count(text) < MIN_WORDS:
        return None
    scores = detect(text)
    best = max(scores, key=scores.__getitem__)
    others = [s for lang, s in scores.items() if lang != best]
    if scores[best] == 0 or scores[best] == max(others):
        return None
    return best


def lower_share(text: str, lang: str) -> tuple[int, int]:
    """(common, total): how many of the words :func:`check_language` weighs are common words
    of ``lang`` ("Le gouvernement a annoncé, selon Reuters" -> (1, 4) for English: "a")."""
    judged, _ = _judged_words(text)
    return _common_count(judged, lang), len(judged)


def _common_count(judged: list[str], lang: str) -> int:
    """How many of the words ``judged`` are common words of ``lang``."""
    common = common_words(lang)
    return sum(w in common for w in judged)


def _all_caps(text: str) -> bool:
    """Whether ``text`` has no lower-case letter at all (an all-caps wire)."""
    return not any(c.islower() for c in text)


def _judged_words(text: str) -> tuple[list[str], bool]:
    """(the words weighed, whether ``text`` is all caps).  The words written in lower case,
    lower-cased: names, acronyms, headline capitals and an English club name in an Indonesian
    results table say nothing about the language.  All words for a text with no lower-case
    letter at all (an all-caps wire: judged only for the other language of the pair, as its
    names are among them)."""
    if _all_caps(text):
        return words(text), True
    return [w.lower() for w in _WORD.findall(text) if w[0].islower()], False


def check_language(text: str, lang: str, name: str) -> None:
    """Raise InputError when ``text`` (declared ``lang``) is clearly not that language.

    Only the words written in lower case are weighed (:func:`lower_share`).  Either the other
    language of the pair is clearly there instead, or (any third language) hardly any of them
    are common words of ``lang``.  Silent for texts with fewer than :data:`MIN_WORDS` such
    words (:data:`MIN_LOWER_WORDS` for a third language), for languages other than en/id, and
    for mixed texts in which the declared language is plausibly present.  ``name`` names the
    file in the message: "nyt.id.txt: expected Indonesian (id) text but it looks like English".
    """
    code = normalize_lang(lang)
    if code not in LANGUAGES:
        return
    judged, caps = _judged_words(text)
    if len(judged) < MIN_WORDS:
        return
    other = next(x for x in LANGUAGES if x != code)
    counts = {x: _common_count(judged, x) for x in LANGUAGES}
    if (counts[other] >= MIN_OTHER_WORDS and counts[other] >= MIN_OTHER_SHARE * len(judged)
            and counts[code] <= MAX_DECLARED_RATIO * counts[other]):
        raise InputError(f"{name}: expected {NAMES[code]} ({code}) text but it looks like {NAMES[other]}")
    # an all-caps text's names are among the words judged: too noisy for a third language
    if not caps and len(judged) >= MIN_LOWER_WORDS and counts[code] < MIN_DECLARED_LOWER_SHARE * len(judged):
        raise InputError(f"{name}: expected {NAMES[code]} ({code}) text but it looks like neither English nor "
                         f"Indonesian (only {100 * counts[code] / len(judged):.0f} % of its {len(judged)} "
                         f"lower-case words are common {NAMES[code]} words)")


__all__ = ["LANGUAGES", "MIN_LOWER_WORDS", "MIN_WORDS", "check_language", "common_words", "detect", "guess",
           "lower_share", "normalize_lang", "word_count", "words"]
