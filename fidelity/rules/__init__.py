"""Drift rules: each looks at one aligned link and returns typed :class:`~fidelity.types.Change`s.

A rule is a small function ``rule(link: LinkText) -> list[Change]`` in a module of its own
(:mod:`.numbers`, :mod:`.names`, :mod:`.dates`, :mod:`.antonyms`); :data:`RULES` lists them in
the order their messages appear, and :func:`fidelity.findings.find` just runs them. A change
carries the words as each side writes them and their offsets in the *document* text, so a JSON
consumer or the report never parses a message; :func:`messages` renders the messages from them.
A ``number`` change writes the values as compared ("19" for "7 p.m.", "1127" for "1,127"), its
spans the numbers as written; every other kind writes the words as the text has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np

from ..types import Change, Document, Span


@dataclass(frozen=True)
class SideText:
    """One side of a link: its sentences joined by a space, and where each sits in the document."""

    text: str
    lang: str
    #: (offset in ``text``, offset in the document) of each sentence, in order.
    anchors: tuple[tuple[int, int], ...] = ((0, 0),)
    #: The whole document's text (names mentioned elsewhere), "" when unknown.
    document: str = ""

    @staticmethod
    def of(doc: Document, indices: Sequence[int]) -> "SideText":
        parts, anchors, at = [], [], 0
        for i in indices:
            sent = doc.sentences[i]
            anchors.append((at, sent.start))
            parts.append(sent.text)
            at += len(sent.text) + 1
        return SideText(" ".join(parts), doc.lang, tuple(anchors), doc.text)

    def span(self, start: int, end: int) -> Span:
        """Offsets in ``text`` -> offsets in the document."""
        base, doc_at = self.anchors[0]
        for at, d in self.anchors:
            if at <= start:
                base, doc_at = at, d
        return (doc_at + start - base, doc_at + end - base)

    def find(self, surface: str) -> tuple[Span, ...]:
        """Document spans of every whole-word occurrence of ``surface`` (none when empty)."""
        if not surface:
            return ()
        pattern = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)")
        return tuple(self.span(m.start(), m.end()) for m in pattern.finditer(self.text))


@dataclass(frozen=True)
class LinkText:
    """What a rule sees of one aligned link."""

    source: SideText
    target: SideText
    min_number: int = 10
    spelling_ratio: float = 0.6


def change(kind: str, link: LinkText, source: str, target: str,
           source_spans: tuple[Span, ...] | None = None,
           target_spans: tuple[Span, ...] | None = None) -> Change:
    """A change whose spans are found by searching each side for its words (unless given)."""
    if source_spans is None:
        source_spans = link.source.find(source)
    if target_spans is None:
        target_spans = link.target.find(target)
    return Change(kind, source, target, source_spans, target_spans)


@lru_cache(maxsize=100_000)
def _pieces(text: str) -> np.ndarray:
    """Word-piece ids of ``text`` in the shipped model's token table (no special tokens).

    The rules ask for the same sentences and words many times per link; a long document
    has tens of thousands of them (a 10,000-unit generated pair: 46,000 distinct texts),
    which a cache of 20,000 evicted before they came back (58,700 encodings, now 46,000)."""
    from ..lexical import Lexicon

    return np.asarray(Lexicon.default().tokenizer.encode(text, add_special_tokens=False).ids, dtype=np.int64)


def word_cover(words: Sequence[str], texts: Sequence[str]) -> np.ndarray:
    """``[i, j]``: how well the token table finds ``words[i]`` in ``texts[j]``, as
    :meth:`fidelity.lexical.Lexicon.coverage` scores it (the weighted mean over the word's
    pieces of their best cosine to a piece of the text), on the few short texts a link has.

    The rules of a link ask the same question more than once, so the last answers are kept
    (:func:`_word_cover`; with :class:`~fidelity.rules.antonyms._Source` keeping a source's
    answers, a 2,000-unit generated pair asks 14,000 questions, 11,900 of them new, where it
    asked 23,800); the array returned is shared and read-only."""
    return _word_cover(tuple(words), tuple(texts))


@lru_cache(maxsize=1024)
def _word_cover(words: tuple[str, ...], texts: tuple[str, ...]) -> np.ndarray:
    """:func:`word_cover` of one question, computed once (the same arithmetic whenever asked,
    so a kept answer is the one a fresh computation gives)."""
    from ..lexical import Lexicon

    lex = Lexicon.default()
    out = np.zeros((len(words), len(texts)))
    side = _text_side(texts)
    if side is None:
        out.setflags(write=False)
        return out
    keep, other, starts = side
    for i, word in enumerate(words):
        mine = _pieces(word)
        if not len(mine):
            continue
        best = np.maximum.reduceat(lex.unit[mine] @ other.T, starts, axis=1)  # (pieces, texts)
        w = lex.weight[mine]
        out[i, keep] = (w @ best) / max(float(w.sum()), 1e-12)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=32)
def _text_side(texts: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(the indices of ``texts`` that have pieces, the unit vectors of all their pieces in
    order, where each text's pieces start) for :func:`_word_cover`; None when no text has
    any. Kept for the last few questions only (a link asks about many words against the same
    source words, one after the other; each answer is tens to hundreds of kilobytes)."""
    from ..lexical import Lexicon

    ids = [_pieces(t) for t in texts]
    lens = np.array([len(x) for x in ids])
    if not lens.sum():
        return None
    keep = np.flatnonzero(lens)
    other = Lexicon.default().unit[np.concatenate([ids[j] for j in keep])]
    starts = np.concatenate([[0], np.cumsum(lens[keep])[:-1]])
    for a in (keep, other, starts):
        a.setflags(write=False)
    return keep, other, starts


from . import antonyms, dates, names, numbers  # noqa: E402  (rules need the classes above)

Rule = Callable[[LinkText], list[Change]]
#: Every drift rule, in the order their messages are written.
RULES: tuple[Rule, ...] = (numbers.number_changes, names.name_changes, dates.date_changes,
                           antonyms.antonym_changes)


def run(link: LinkText) -> list[Change]:
    """The changes every rule finds in a link, in :data:`RULES` order."""
    return [c for rule in RULES for c in rule(link)]


#: A finding's severity is its worst change's; a name spelled differently, a title rewritten
#: and an outlet name rendered word by word are worth a look, not a changed fact.
CHANGE_SEVERITY = {"spelling": "minor", "title": "minor", "outlet": "minor", "name": "major",
                   "number": "major", "date": "major", "antonym": "major", "missing": "major",
                   "added": "major"}

TITLE_MESSAGE = "title rewritten: it matches its counterpart only by its place; check it says the same"


def messages(changes: Sequence[Change]) -> list[str]:
    """The human-readable messages of ``changes`` (names put in with no source name are listed
    in one message)."""
    out: list[str] = []
    added: list[str] = []
    for c in changes:
        if c.kind == "name" and not c.source:
            if not added:
                out.append("")  # placeholder, filled below
            added.append(c.target)
            continue
        out.append(_message(c))
    if added:
        out[out.index("")] = "name not in source: " + ", ".join(added)
    return out


#: Message of a change by kind ({s}: its source words, {t}: its target words).
TEMPLATES = {"name": "name changed: {s} -> {t}", "spelling": "name spelled differently: {s} -> {t}",
             "number": "number changed: {s} -> {t}", "date": "date changed: {s} -> {t}",
             "antonym": "meaning reversed: {s} -> {t}",
             "outlet": "outlet name translated word by word: {s} -> {t}", "title": TITLE_MESSAGE}


def _message(c: Change) -> str:
    if c.kind == "number" and not c.target:
        return f"number missing in translation: {c.source}"
    if c.kind == "antonym" and not c.source:  # a fixed phrase broken by an opposite ("Duta Kecil")
        return f"meaning reversed: {c.target} (its opposite is the usual word here)"
    return TEMPLATES.get(c.kind, c.kind + ": {s} -> {t}").format(s=c.source, t=c.target)


def severity(changes: Sequence[Change]) -> str:
    """The worst severity of ``changes`` ("minor" when there are none)."""
    order = ("minor", "major", "critical")
    return max((CHANGE_SEVERITY.get(c.kind, "major") for c in changes), key=order.index,
               default="minor")
