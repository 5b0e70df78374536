"""A month or a weekday changed across a link ("October" -> "Desember", "Monday" -> "Selasa").

Months and weekdays are names a translation must keep, like numbers. Each side's month and
weekday words (English or Indonesian, written with a capital: "may" and "march" are verbs,
"minggu" is a week) are read as a month or day number; a source date with no counterpart,
facing a target date of the same kind that the source lacks, changed.
"""

from __future__ import annotations

import re
from collections import Counter

from ..types import Change
from . import LinkText

_MONTHS = {
    "en": ("January February March April May June July August September October November December",
           "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),
    "id": ("Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember",
           "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des"),
}
_DAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "id": "Senin Selasa Rabu Kamis Jumat Sabtu Minggu",
}


def _table(lang: str) -> dict[str, tuple[str, int]]:
    """Capitalised word -> ("month" | "day", its number)."""
    out: dict[str, tuple[str, int]] = {}
    full, short = _MONTHS.get(lang, _MONTHS["en"])
    for k, word in enumerate(full.split()):
        out[word] = ("month", k)
    for k, word in enumerate(short.split()):
        if word not in out:  # "Oct." (a bare "Mar" or "Jan" is a name too); "Mei." is "Mei"
            out[word + "."] = ("month", k)
    for k, word in enumerate(_DAYS.get(lang, _DAYS["en"]).split()):
        out[word] = ("day", k)
    if lang == "id":
        out["Jum'at"] = out["Jum’at"] = ("day", 4)
        out["Nopember"] = ("month", 10)
        out["Pebruari"] = ("month", 1)
    return out


_TABLES = {lang: _table(lang) for lang in ("en", "id")}
_PATTERNS = {lang: re.compile(r"(?<![\w'’])(" + "|".join(re.escape(w) for w in sorted(t, key=len, reverse=True))
                              + r")(?!\w)(?!['’][a-rt-z])") for lang, t in _TABLES.items()}  # "June's" counts
_SENT_START = re.compile(r"(^|[.!?]\s+|[\"“‘(]\s*)$")


def dates(text: str, lang: str) -> list[tuple[int, int, str, tuple[str, int]]]:
    """(start, end, surface, (kind, number)) of every month and weekday of ``text``. "May" and
    "Minggu" (also "week") count only inside a sentence."""
    lang = lang if lang in _TABLES else "en"
    out = []
    for m in _PATTERNS[lang].finditer(text):
        word = m.group(1)
        if word in ("May", "Minggu") and _SENT_START.search(text[max(0, m.start() - 4):m.start()]):
            continue
        if word == "Minggu" and re.match(r"\s+(lalu|depan|ini|kemarin)\b", text[m.end():]):
            continue  # "Minggu lalu" is last week
        out.append((m.start(), m.end(), word, _TABLES[lang][word]))
    return out


def date_changes(link: LinkText) -> list[Change]:
    """One ``date`` change per kind (month, day) whose values differ across the link."""
    src = dates(link.source.text, link.source.lang)
    tgt = dates(link.target.text, link.target.lang)
    out = []
    for kind in ("month", "day"):
        s = [d for d in src if d[3][0] == kind]
        t = [d for d in tgt if d[3][0] == kind]
        only_s = Counter(d[3] for d in s) - Counter(d[3] for d in t)
        only_t = Counter(d[3] for d in t) - Counter(d[3] for d in s)
        if not only_s or not only_t:
            continue
        s_left = [d for d in s if d[3] in only_s]
        t_left = [d for d in t if d[3] in only_t]
        out.append(Change("date", ", ".join(dict.fromkeys(d[2] for d in s_left)),
                          ", ".join(dict.fromkeys(d[2] for d in t_left)),
                          tuple(link.source.span(d[0], d[1]) for d in s_left),
                          tuple(link.target.span(d[0], d[1]) for d in t_left)))
    return out
