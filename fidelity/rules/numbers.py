"""A number changed or left out across a link ("52" -> "25").

Numbers are compared by every value they can stand for (:func:`fidelity.features.readings`):
Indonesian translators keep the English convention about as often as they switch ("1,127" for
1.127 and "3.26 juta"), times move to the 24-hour clock ("5.30pm" -> "17.30", "3 p.m." ->
"pukul 3 sore"), and a pair of numbers may be written as one token ("6-foot-6" -> "6,6 kaki",
a score "15:16" -> "15, 16").
"""

from __future__ import annotations

import re
from collections import Counter

from ..features import NumberToken, number_tokens
from ..types import Change
from . import LinkText


def _match(src: list[NumberToken], tgt: list[NumberToken]) -> tuple[list[NumberToken], list[NumberToken]]:
    """The tokens of each side no token of the other explains (equal values first, then any
    shared reading)."""
    free = list(tgt)
    rest_s = []
    for s in src:
        hit = next((t for t in free if t.value == s.value), None)
        if hit is None:
            hit = next((t for t in free if t.readings & s.readings), None)
        if hit is None:
            rest_s.append(s)
        else:
            free.remove(hit)
    return rest_s, free


def _parts(token: NumberToken, text: str) -> list[str] | None:
    """The numbers a token of several groups writes together ("6,6" -> 6, 6; "15:16" -> 15, 16)."""
    raw = text[token.start:token.end]
    groups = re.split(r"[.,:]", raw)
    return [str(int(g)) for g in groups] if len(groups) >= 2 and all(g.isdigit() for g in groups) else None


def _joined(rest_a: list[NumberToken], text_a: str, rest_b: list[NumberToken]) -> None:
    """Remove from both lists every token of ``rest_a`` that writes several numbers of
    ``rest_b`` together, and those numbers."""
    for token in list(rest_a):
        parts = _parts(token, text_a)
        if not parts:
            continue
        pool = Counter(t.value for t in rest_b)
        if not Counter(parts) - pool:
            rest_a.remove(token)
            for p in parts:
                rest_b.remove(next(t for t in rest_b if t.value == p))


def _big(value: str, min_number: int) -> bool:
    try:
        return float(value) >= min_number  # a clock time ("10:30") is never "big"
    except ValueError:
        return False


def number_changes(link: LinkText) -> list[Change]:
    """One ``number`` change for the numbers that differ (source values -> target values), or
    for the big source numbers the translation lacks (target "")."""
    src_text, tgt_text = link.source.text, link.target.text
    rest_s, rest_t = _match(number_tokens(src_text, link.source.lang),
                            number_tokens(tgt_text, link.target.lang))
    _joined(rest_t, tgt_text, rest_s)
    _joined(rest_s, src_text, rest_t)
    if rest_s and rest_t:
        return [Change("number", ", ".join(t.value for t in rest_s), ", ".join(t.value for t in rest_t),
                       tuple(link.source.span(t.start, t.end) for t in rest_s),
                       tuple(link.target.span(t.start, t.end) for t in rest_t))]
    big = [t for t in rest_s if _big(t.value, link.min_number)]
    if big:
        return [Change("number", ", ".join(t.value for t in big), "",
                       tuple(link.source.span(t.start, t.end) for t in big), ())]
    return []
