"""A word rendered by its opposite ("slowed" -> "meningkat", "won" -> "kalah").

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
from functools import lru_cache

from ..features import _en_stems, _id_stems
from ..types import Change
from . import LinkText

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


def _lemmas(word: str) -> set[str]:
    w = word.lower()
    return {w, IRREGULAR.get(w, w), *_en_stems(w)}


def _forms(word: str) -> set[str]:
    w = word.lower()
    return {w, *_id_stems(w)}


def antonym_changes(link: LinkText) -> list[Change]:
    """One ``antonym`` change per source word whose opposite the translation writes instead."""
    if (link.source.lang, link.target.lang) != ("en", "id"):
        return []
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
                if hit is None:
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


def _negated(text: str, m: re.Match) -> bool:
    before = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 25):m.start()].lower())[-2:]
    return any(w in _ID_NEGATION for w in before)
