"""A word rendered by its opposite ("slowed" -> "meningkat", "won" -> "kalah").

Two small rules, both in :func:`antonym_changes`:

* :func:`english_antonyms`, from the source side (below);
* :func:`opposite_words`, from the translation side: a target word of a common Indonesian
  antonym pair (``models/wordlists/antonyms_id.tsv``: "pertama"/"terakhir", "banyak"/"sedikit")
  whose opposite a source word says, by the model's token table, while the source says the word
  itself nowhere and no other target word renders that source word ("the final decision" ->
  "keputusan pertama").

The shipped table ``models/wordlists/antonyms.tsv`` (built by ``models/build_wordlists.py
--tables``: curated English antonym pairs joined to Indonesian through the lexicon's WordNet
pairs, sense noise filtered by the model's token table) gives, for an English word, its
antonym and the Indonesian words of each. A link drifts when the source has the word, the
target has an Indonesian word of the antonym and no Indonesian word of the word itself, and
neither is negated ("did not rise" -> "tidak naik" is no reversal, and nor is "not slow" ->
"cepat"), and the source does not have the antonym too ("rose and fell").
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import numpy as np

from ..features import _en_stems, _id_stems
from ..types import Change
from . import LinkText, word_cover as _cover

#: Irregular English forms of the table's words.
IRREGULAR = {"rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "won": "win",
             "lost": "lose", "grew": "grow", "grown": "grow", "shrank": "shrink", "began": "begin",
             "begun": "begin", "sold": "sell", "bought": "buy", "left": "leave", "came": "come",
             "went": "go", "gone": "go", "gave": "give", "given": "give", "took": "take",
             "taken": "take", "built": "build", "lent": "lend", "sent": "send", "forgot": "forget",
             "forgotten": "forget", "died": "die", "dead": "dead", "better": "better", "worse": "worse",
             "shut": "shut", "cut": "cut", "led": "lead", "hated": "hate", "fewer": "fewer"}
_EN_NEGATION = re.compile(r"\b(?:not|never|no|without|n't|nor|neither|hardly)\b(?:\W+\w+){0,2}\W*$", re.IGNORECASE)
_ID_NEGATION = {"tidak", "tak", "bukan", "belum", "tanpa", "jangan", "enggak", "nggak", "gagal"}


@lru_cache(maxsize=1)
def table() -> dict[str, list[tuple[str, frozenset[str], frozenset[str]]]]:
    """English word -> [(antonym, Indonesian words of the word, of the antonym)]; empty when
    the table is not shipped."""
    from .. import models_dir

    out: dict[str, list[tuple[str, frozenset[str], frozenset[str]]]] = {}
    try:
        lines = (models_dir() / "wordlists" / "antonyms.tsv").read_text(encoding="utf-8").splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split("\t")
        if line.startswith("#") or len(parts) != 4:
            continue
        out.setdefault(parts[0], []).append((parts[1], frozenset(parts[2].split()), frozenset(parts[3].split())))
    return out


@lru_cache(maxsize=100_000)
def _lemmas(word: str) -> frozenset[str]:
    w = word.lower()
    return frozenset({w, IRREGULAR.get(w, w), *_en_stems(w)})


@lru_cache(maxsize=100_000)
def _forms(word: str) -> frozenset[str]:
    """An Indonesian word and its stems; "ter-", "ber-", "per-" before an "r" keep it
    ("terendah" -> "rendah")."""
    w = word.lower()
    out = {w, *_id_stems(w)}
    if len(w) > 5 and w[:3] in ("ter", "ber", "per") and w[3] != "r":
        out.add(w[2:])
    return frozenset(out)


def antonym_changes(link: LinkText) -> list[Change]:
    """One ``antonym`` change per word whose opposite the translation writes instead."""
    if (link.source.lang, link.target.lang) != ("en", "id"):
        return []
    out = english_antonyms(link)
    taken = {c.target_spans for c in out}
    return out + [c for c in opposite_words(link) if c.target_spans not in taken]


def english_antonyms(link: LinkText) -> list[Change]:
    """A source word of the English table whose antonym's Indonesian the translation writes."""
    ant = table()
    if not ant:
        return []
    src = [(m, _lemmas(m.group(0))) for m in re.finditer(r"[A-Za-z]+(?:'t)?", link.source.text)]
    src_lemmas = set().union(*(lem for _, lem in src)) if src else set()
    tgt = [(m, _forms(m.group(0))) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", link.target.text)]
    tgt_words = set().union(*(f for _, f in tgt)) if tgt else set()
    out: list[Change] = []
    seen: set[str] = set()
    for m, lemmas in src:
        if _EN_NEGATION.search(link.source.text[max(0, m.start() - 30):m.start()]):
            continue
        for lemma in lemmas & ant.keys():
            for other, own_id, other_id in ant[lemma]:
                if other in src_lemmas or own_id & tgt_words or lemma in seen:
                    continue
                hit = next((t for t, forms in tgt if forms & other_id and not _negated(link.target.text, t)
                            and not _translates_other(t.group(0), link.source.text, m)), None)
                if hit is None or _rendered(m.group(0), tgt):
                    continue
                seen.add(lemma)
                out.append(Change("antonym", m.group(0), hit.group(0), (link.source.span(m.start(), m.end()),),
                                  (link.target.span(hit.start(), hit.end()),)))
    return out


#: The token table finds a target word this well in the rest of the source sentence: it renders
#: another word there ("Pertumbuhan" is "Growth", not the opposite of "slowed").
ELSEWHERE = 0.5


def _translates_other(word: str, source_text: str, m: re.Match) -> bool:
    from .names import covered

    rest = source_text[:m.start()] + source_text[m.end():]
    return covered([word], rest)[0] >= ELSEWHERE


def _place(at: int, text: str, other_at: int, other_text: str) -> float:
    """How far apart two positions are, as shares of their texts' lengths."""
    return abs(at / max(1, len(text)) - other_at / max(1, len(other_text)))


def _rendered(word: str, tgt: list[tuple[re.Match, set[str]]]) -> bool:
    """Some target word renders ``word`` by the token table ("low" / "terendah")."""
    return bool(tgt) and _cover([word.lower()], [t.group(0).lower() for t, _ in tgt]).max() >= RENDERED


def _negated(text: str, m: re.Match) -> bool:
    before = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 25):m.start()].lower())[-2:]
    return any(w in _ID_NEGATION for w in before)


@lru_cache(maxsize=1)
def id_table() -> dict[str, frozenset[str]]:
    """Indonesian word -> its antonyms (both ways); empty when the table is not shipped."""
    from .. import models_dir

    out: dict[str, set[str]] = {}
    try:
        lines = (models_dir() / "wordlists" / "antonyms_id.tsv").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    for line in lines:
        parts = line.split("\t")
        if line.startswith("#") or len(parts) != 2:
            continue
        out.setdefault(parts[0], set()).add(parts[1])
        out.setdefault(parts[1], set()).add(parts[0])
    return {k: frozenset(v) for k, v in out.items()}


#: Token-table thresholds of :func:`opposite_words`: a source word says the opposite when it
#: covers it this well (the ntrex dev stories: planted reversals 0.6-0.93) ...
SAYS = 0.6
#: ... and the target word this much less; the source says the target word nowhere above
SAID = 0.35
MARGIN = 0.35
#: A source word that says the opposite this clearly ("before" / "sebelum" 0.91) counts even when
#: the source also says the target word somewhere ("before ... after" -> "setelah ... setelah").
LOUD = 0.85
#: A target word the source does not say at all (below this) needs less: the opposite said this well.
UNSAID = 0.1
UNSAID_SAYS = 0.5
#: A source word another target word covers this well is rendered there, not reversed.
RENDERED = 0.5
_EN_STOP = frozenset("""the a an of to in on at for and or but with by from as is are was were be been
    being it its this that these those he she they we you his her their our not no has have had
    will would can could said says also than then there which who whom what when where""".split())


def opposite_words(link: LinkText) -> list[Change]:
    """Target words whose opposite a source word says (see the module docstring)."""
    ant = id_table()
    tgt = list(re.finditer(r"[^\W\d_]+", link.target.text))
    lower = [m.group(0).lower() for m in tgt]
    present = set(lower)
    cands = [k for k, w in enumerate(lower) if w in ant and not (k and lower[k - 1] in _ID_NEGATION)
             and ant[w] - present]
    if not cands:
        return []
    src = [m for m in re.finditer(r"[A-Za-z]+", link.source.text)
           if len(m.group(0)) >= 3 and m.group(0).lower() not in _EN_STOP]
    if not src:
        return []
    # The source with its words' stems ("younger" says "young": "muda" is said).
    stems = " ".join(st for m in src for st in _en_stems(m.group(0).lower()))
    said = _cover([lower[k] for k in cands], [link.source.text + " " + stems])[:, 0]
    out: list[Change] = []
    at: list[int] = []  # where each change's target word stands in the link's text
    for k, s in zip(cands, said):
        x, ys = lower[k], sorted(ant[lower[k]] - present)
        m = _cover(ys + [x], [w.group(0) for w in src])
        row, j = np.unravel_index(int(np.argmax(m[:-1])), m[:-1].shape)
        best, word = float(m[row, j]), src[j]
        says = SAYS if s >= UNSAID else UNSAID_SAYS
        if best < says or m[-1, j] > best - MARGIN or (s > SAID and best < LOUD):
            continue
        others = [t for n, t in enumerate(lower) if n != k]
        if others and _cover([word.group(0).lower()], others).max() >= RENDERED:
            continue
        span = link.target.span(tgt[k].start(), tgt[k].end())
        same = next((n for n, c in enumerate(out) if (c.source, c.target.lower()) == (word.group(0), x)), None)
        if same is not None:  # the word written twice: the one at the source word's place
            if _place(tgt[k].start(), link.target.text, word.start(), link.source.text) < _place(
                    at[same], link.target.text, word.start(), link.source.text):
                out[same] = replace(out[same], target=tgt[k].group(0), target_spans=(span,))
                at[same] = tgt[k].start()
            continue
        at.append(tgt[k].start())
        out.append(Change("antonym", word.group(0), tgt[k].group(0),
                          (link.source.span(word.start(), word.end()),), (span,)))
    return out
