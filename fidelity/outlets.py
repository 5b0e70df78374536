"""News outlets whose names a translation turned into ordinary words ("Waktu New York").

An outlet's name is a proper name and stays as it is in a translation ("The New York Times",
"The Washington Post", "The Jakarta Post"). Machine translation often renders its masthead
word instead: "Times" becomes "Waktu", "Post" becomes "Pos", "Journal" becomes "Jurnal". A
bag-of-words embedding sees no difference (the translated word is exactly what it learnt), so
the check is explicit: find outlet names in the source (a capitalised name ending in a masthead
word) and look in the translation for the same name words next to a translation of the
masthead word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: English masthead words and what an English -> Indonesian machine translation makes of them.
MASTHEADS: dict[str, tuple[str, ...]] = {
    "times": ("waktu", "kali", "masa", "zaman"),
    "post": ("pos",),
    "journal": ("jurnal",),
    "herald": ("bentara", "pembawa", "pewarta"),
    "tribune": ("tribun", "mimbar"),
    "guardian": ("penjaga", "wali", "pelindung"),
    "telegraph": ("telegraf",),
    "mail": ("surat", "pos"),
    "star": ("bintang",),
    "chronicle": ("kronik", "tawarikh"),
    "gazette": ("lembaran", "warta"),
    "observer": ("pengamat",),
    "independent": ("independen", "merdeka"),
    "globe": ("bola dunia", "dunia"),
    "sun": ("matahari", "surya"),
    "express": ("ekspres",),
    "mirror": ("cermin",),
    "economist": ("ekonom",),
    "monitor": ("pemantau", "monitor"),
    "news": ("berita", "kabar"),
    "daily": ("harian",),
}

_NAME_WORD = r"[A-Z][\w.&'’-]*"
_OUTLET = re.compile(
    r"\b(?:The\s+)?((?:" + _NAME_WORD + r"\s+){1,3})(" + "|".join(w.title() for w in MASTHEADS) + r")\b")


@dataclass(frozen=True)
class TranslatedOutlet:
    """An outlet name of the source and the word-by-word rendering found in the target."""

    original: str  #: as the source writes it, e.g. "The New York Times"
    rendered: str  #: as the target writes it, e.g. "Waktu New York"
    start: int  #: character offsets of ``rendered`` in the target text
    end: int


@dataclass(frozen=True)
class Outlet:
    original: str
    words: tuple[str, ...]  #: the name words before the masthead ("New", "York")
    masthead: str  #: lower case ("times")


def outlets(source_text: str) -> list[Outlet]:
    """Outlet names in an English text ("The New York Times", "The Jakarta Post"), once each."""
    found: dict[str, Outlet] = {}
    for m in _OUTLET.finditer(source_text):
        words = tuple(m.group(1).split())
        # Sentence-initial "The" and words like "Mr." are not part of a name.
        while words and (words[0] in ("The", "A") or words[0].endswith(".") and len(words[0]) <= 4):
            words = words[1:]
        if not words:
            continue
        original = ("The " if m.group(0).startswith("The ") else "") + " ".join(words) + " " + m.group(2)
        found.setdefault(original, Outlet(original, words, m.group(2).lower()))
    return list(found.values())


@lru_cache(maxsize=256)
def _rendering(words: tuple[str, ...], masthead: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The outlet's name words, and a translated masthead word just before them (Indonesian
    order: "Waktu New York") or just after them (English order: "New York Waktu")."""
    trans = "|".join(re.escape(t).replace(r"\ ", r"\s+") for t in MASTHEADS[masthead])
    name = re.compile(r"\s+".join(re.escape(w) for w in words))  # literal start: a fast scan
    before = re.compile(r"\b(?P<pre>(?i:" + trans + r"))\s+\Z")
    after = re.compile(r"\s+(?P<post>(?i:" + trans + r"))\b")
    return name, before, after


#: How far before a name to look for a masthead word ("bola dunia" and the space between).
_BEFORE = 24


def _word_char(c: str) -> bool:
    """A character of ``\\w`` (what ``\\b`` tests)."""
    return c.isalnum() or c == "_"


def _boundary(text: str, i: int) -> bool:
    """``\\b`` at offset ``i`` of ``text``."""
    return (i > 0 and _word_char(text[i - 1])) != (i < len(text) and _word_char(text[i]))


def translated_outlets(source_text: str, target_text: str) -> list[TranslatedOutlet]:
    """Places where ``target_text`` renders an outlet name of ``source_text`` word by word.

    Each outlet's name words are searched as plain text (a fast scan for their literal start)
    and only where they occur are the words around them looked at: one pass over the target
    per outlet name, not a pattern tried at every character."""
    out = []
    for outlet in outlets(source_text):
        name, before, after = _rendering(outlet.words, outlet.masthead)
        for m in name.finditer(target_text):
            if m.start() and _word_char(target_text[m.start() - 1]):
                continue  # inside a longer word
            lo = max(0, m.start() - _BEFORE)
            pre = before.search(target_text[lo:m.start()])
            if pre is not None and (pre.start() > 0 or lo == 0 or not _word_char(target_text[lo - 1])) \
                    and _boundary(target_text, m.end()):
                start, end, word = lo + pre.start(), m.end(), pre.group("pre")
            else:
                post = after.match(target_text, m.end())
                if post is None:
                    continue
                start, end, word = m.start(), post.end(), post.group("post")
            if not word[0].isupper():
                continue  # "kali" in "di New York kali ini" ("this time") is an ordinary word
            out.append(TranslatedOutlet(outlet.original, target_text[start:end], start, end))
    return sorted(out, key=lambda t: t.start)
