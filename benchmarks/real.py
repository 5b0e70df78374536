"""The checker on real news stories in story order, faithful and with planted problems.

    python -m benchmarks.real [--seeds 0,1,2] [--stories N] [--json FILE] [--dump DIR]
                              [--model PATH] [--variants a,b,...] [--compare FILE]

Data: ``../shared/data/dev/ntrex/ntrex-dev.{en,id,doc_ids}`` (62 NTREX-128 stories with their
professional Indonesian translation, line-aligned; a story's first line is its headline).
Each story becomes one document pair laid out as a newsroom would send it: the headline alone
in its own paragraph, then the body lines two to a paragraph (blank line between paragraphs),
both languages the same way, so the line alignment is the planted truth.

Every story is checked faithful (as it is) and, for each seed, once per *variant*: one
planted perturbation per document, so that every figure is clean. Variants (``VARIANTS``):

* ``drop``: one Indonesian body line removed (an omission);
* ``insert_other``: an Indonesian body line of another story inserted into a body paragraph;
* ``insert_same``: a sentence of the same story that the English does not have (its English
  line is taken out of the source; the translation keeps it in place): an on-topic addition;
* ``insert_dup``: an Indonesian body line copied into a paragraph at least two paragraphs away
  (a repeated sentence; reported as an addition on either copy counts as found);
* ``replace``: one Indonesian body line replaced by another story's line (omission + addition);
* ``merge``: the two Indonesian lines of a body paragraph joined into one with ", " or " dan "
  (a faithful 2-1 rendering that must *not* be flagged);
* ``number``: one digit changed in a number both lines contain;
* ``name``: a name (a capitalised word, not sentence-initial, written the same in both lines)
  replaced by a name from another story;
* ``date``: an Indonesian month or weekday changed to another one (lines whose English has it);
* ``antonym``: a word replaced by its antonym (``ANTONYMS``, common Indonesian pairs);
* ``cut``: a trailing clause cut (at the last comma or conjunction with >= 3 words after it);
* ``drop_adj``: an adjective (``ADJECTIVES``) dropped inside a sentence;
* ``drop_name``: a name (with the capitalised words around it) dropped inside a sentence.

The checker runs through the Python API (one :class:`fidelity.pipeline.Checker`, the shipped
model unless ``--model``) on the texts as a user would give them; every sentence the
segmenter finds is mapped back to the planted lines by character offsets.

Scoring: omission and addition precision/recall at sentence level on the ``drop`` and
``insert_*`` documents (as in ``benchmarks.accuracy``). A planted in-sentence change is
*found* when a ``drift`` or ``partial`` finding touches the perturbed sentence (either side)
and is new, i.e. not a finding (same type and message) that the faithful version of the story
already gets; the *strict* figure also requires a typed change of the expected kind
(``EXPECTED_KINDS``). An antonym plant that swaps back the very word the faithful version is
reported to have reversed (a translation wrote "utara" for "south") puts the translation right:
it is void and left out of the figures (and of ``--dump``'s misses). On faithful stories
every finding is false: the share judged ``faithful``, findings by type, false omissions +
additions and false ``partial`` flags per 100 source sentences. ``--dump DIR`` writes every
false flag on faithful stories (and every miss) as JSON lines for people hunting noise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tabulate import tabulate

from . import _gen
from .accuracy import _prf, map_sentences

NTREX = _gen.DATA / "dev" / "ntrex"
FILES = ("ntrex-dev.en", "ntrex-dev.id", "ntrex-dev.doc_ids")

VARIANTS = ("drop", "insert_other", "insert_same", "insert_dup", "replace", "merge", "number", "name", "date",
            "antonym", "cut", "drop_adj", "drop_name")
#: In-sentence variants: the perturbed line stays linked to its source and must be flagged.
IN_SENTENCE = ("number", "name", "date", "antonym", "cut", "drop_adj", "drop_name")
#: The change kinds (``fidelity.types.Change.kind``) that the strict figure accepts.
EXPECTED_KINDS: dict[str, frozenset[str]] = {
    "number": frozenset({"number"}),
    "name": frozenset({"name"}),
    "date": frozenset({"date"}),
    "antonym": frozenset({"antonym"}),
    "cut": frozenset({"missing"}),
    "drop_adj": frozenset({"missing"}),
    "drop_name": frozenset({"missing", "name"}),
}

ID_MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
ID_DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Common Indonesian antonym pairs (either word may be replaced by the other).
ANTONYMS: tuple[tuple[str, str], ...] = (
    ("naik", "turun"), ("meningkat", "menurun"), ("menang", "kalah"), ("besar", "kecil"),
    ("tinggi", "rendah"), ("panjang", "pendek"), ("baru", "lama"), ("awal", "akhir"),
    ("pertama", "terakhir"), ("menerima", "menolak"), ("mendukung", "menentang"),
    ("membuka", "menutup"), ("dibuka", "ditutup"), ("masuk", "keluar"), ("lebih", "kurang"),
    ("banyak", "sedikit"), ("kaya", "miskin"), ("kuat", "lemah"), ("cepat", "lambat"),
    ("mudah", "sulit"), ("benar", "salah"), ("positif", "negatif"), ("untung", "rugi"),
    ("hidup", "mati"), ("sebelum", "setelah"), ("utara", "selatan"), ("timur", "barat"),
    ("maju", "mundur"), ("jauh", "dekat"), ("murah", "mahal"), ("tua", "muda"),
    ("berhasil", "gagal"), ("bertambah", "berkurang"), ("kenaikan", "penurunan"),
    ("tertinggi", "terendah"), ("terbesar", "terkecil"), ("baik", "buruk"),
    ("memulai", "mengakhiri"), ("aman", "berbahaya"),
)
_ANTONYM_OF = {a: b for a, b in ANTONYMS} | {b: a for a, b in ANTONYMS}

#: Common Indonesian adjectives (they follow their noun) for ``drop_adj``.
ADJECTIVES = frozenset(
    """besar kecil baru lama tinggi rendah utama penting panjang pendek muda tua kuat lemah cepat
    lambat mahal murah buruk indah kaya miskin terkenal populer resmi nasional internasional
    lokal global mantan senior terbesar terbaru tertinggi terendah terakhir sulit mudah berbahaya
    serius parah khusus umum federal publik swasta asing militer politik ekonomi sosial tajam
    luas ketat kuno modern tradisional terbaik terburuk awal penuh berat ringan keras lembut
    jelas kosong sempurna aneh hebat bersejarah""".split())

#: Words before which an adjective is an adverb or part of a fixed phrase ("secara cepat").
_NOT_AFTER = frozenset("secara atau dan lebih paling sangat cukup terlalu makin semakin agak".split())

#: Where a trailing clause may be cut: the last comma, or before one of these words.
CUT_WORDS = ("yang", "dan", "karena", "setelah", "ketika", "sehingga", "saat", "sebelum",
             "tetapi", "namun", "untuk", "dengan", "serta", "sementara", "meskipun")
_CUT_AT = re.compile(r", |\s(?=(?:" + "|".join(CUT_WORDS) + r")\s)")
_WORD = re.compile(r"[A-Za-zÀ-ÿ'’-]+")
_QUOTES = re.compile(r"[\"“”]")


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Story:
    """One story: its id and its line-aligned English and Indonesian lines (headline first)."""

    name: str
    en: tuple[str, ...]
    id: tuple[str, ...]


def read_stories(folder: Path = NTREX) -> list[Story]:
    """The stories of ``folder`` in file order (lines grouped by ``.doc_ids``)."""
    en, idn, ids = ((folder / f).read_text(encoding="utf-8").splitlines() for f in FILES)
    if not len(en) == len(idn) == len(ids):
        raise ValueError(f"{folder}: the .en, .id and .doc_ids files differ in line count")
    order: list[str] = []
    lines: dict[str, list[tuple[str, str]]] = {}
    for e, i, d in zip(en, idn, ids):
        if d not in lines:
            order.append(d)
            lines[d] = []
        if e.strip() and i.strip():
            lines[d].append((e.strip(), i.strip()))
    return [Story(d, tuple(e for e, _ in lines[d]), tuple(i for _, i in lines[d]))
            for d in order if len(lines[d]) >= 3]


def layout(n: int) -> list[list[int]]:
    """Line indices per paragraph: the headline alone, then the body two lines a paragraph."""
    return [[0]] + [list(range(k, min(k + 2, n))) for k in range(1, n, 2)]


# --------------------------------------------------------------------------- planting


@dataclass
class Planted:
    """One test document: the pair with its truth, and what was planted where."""

    story: str
    variant: str  #: "faithful" or one of VARIANTS
    seed: int | None  #: None for the faithful document (the same for every seed)
    doc: _gen.AccuracyDoc
    line: int | None = None  #: the perturbed source line (source index in ``doc.source``)
    detail: dict = field(default_factory=dict)  #: old/new text of the change

    def perturbed_unit(self) -> int | None:
        """Target unit index (in ``doc.target_units``) carrying an in-sentence change."""
        for j, u in enumerate(self.doc.target_units):
            if u.tag == self.variant and u.src:
                return j
        return None


def faithful_doc(story: Story, skip: int | None = None) -> _gen.AccuracyDoc:
    """The story as a document pair (``skip``: an English line left out of the source, its
    translation kept in place as a unit with no source)."""
    paras = layout(len(story.en))
    keep = [i for i in range(len(story.en)) if i != skip]
    new = {i: k for k, i in enumerate(keep)}
    s_paras = [[new[i] for i in p if i != skip] for p in paras]
    t_paras = [[_gen.Unit(story.id[i], (new[i],)) if i != skip else
                _gen.Unit(story.id[i], (), "insert_same") for i in p] for p in paras]
    return _gen.AccuracyDoc(story.name, [story.en[i] for i in keep], [p for p in s_paras if p],
                            t_paras)


def _where(doc: _gen.AccuracyDoc, i: int) -> tuple[int, int]:
    for pi, para in enumerate(doc.target_paras):
        for k, u in enumerate(para):
            if u.src == (i,):
                return pi, k
    raise KeyError(i)


def _set(doc: _gen.AccuracyDoc, i: int, unit: _gen.Unit) -> None:
    pi, k = _where(doc, i)
    doc.target_paras[pi][k] = unit


def _body(story: Story) -> list[int]:
    return list(range(1, len(story.en)))


def _names(story: Story, pool: set[str]) -> set[str]:
    return {n for e, i in zip(story.en, story.id) for n in _gen.shared_names(e, i) if n in pool}


def _word_sub(text: str, old: str, new: str) -> str:
    return re.sub(rf"(?<![\w'’-]){re.escape(old)}(?![\w'’-])", new, text)


def name_swap(en: str, idn: str, names: set[str], others: list[str],
              rng: random.Random) -> tuple[str, str, str] | None:
    """``idn`` with a shared name (in ``names``) replaced by a clearly different one from
    ``others`` (names of the other stories)."""
    cands = [n for n in _gen.shared_names(en, idn) if n in names]
    if not cands or not others:
        return None
    old = rng.choice(cands)
    for _ in range(50):
        new = rng.choice(others)
        if (new not in en and new not in idn
                and difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio() < 0.5):
            return _word_sub(idn, old, new), old, new
    return None


def date_swap(en: str, idn: str, rng: random.Random) -> tuple[str, str, str] | None:
    """``idn`` with a month or weekday (one its English also names) changed to another."""
    spots = []
    for id_words, en_words in ((ID_MONTHS, EN_MONTHS), (ID_DAYS, EN_DAYS)):
        for w, e in zip(id_words, en_words):
            if re.search(rf"\b{w}\b", idn) and re.search(rf"\b{e}\b", en):
                spots.append((w, id_words))
    if not spots:
        return None
    old, words = rng.choice(spots)
    new = rng.choice([w for w in words if w != old and not re.search(rf"\b{w}\b", idn)])
    return _word_sub(idn, old, new), old, new


def antonym_swap(idn: str, rng: random.Random) -> tuple[str, str, str] | None:
    """``idn`` with one word of ``ANTONYMS`` replaced by its antonym (case kept)."""
    spots = [m for m in _WORD.finditer(idn) if m.group(0).lower() in _ANTONYM_OF]
    if not spots:
        return None
    m = rng.choice(spots)
    old = m.group(0)
    new = _ANTONYM_OF[old.lower()]
    if old[0].isupper():
        new = new[0].upper() + new[1:]
    return idn[:m.start()] + new + idn[m.end():], old, new


def cut_clause(idn: str, min_tail: int = 3, min_head: int = 4) -> tuple[str, str] | None:
    """``idn`` without its trailing clause, cut at the last comma or conjunction that leaves
    ``min_tail`` words to cut and ``min_head`` to keep, with balanced quotes; ends with ".".
    Returns (cut sentence, removed tail)."""
    best = None
    for m in _CUT_AT.finditer(idn):
        head, tail = idn[:m.start()], idn[m.end():]
        if (len(_WORD.findall(tail)) >= min_tail and len(_WORD.findall(head)) >= min_head
                and len(_QUOTES.findall(head)) % 2 == 0):
            best = (head, tail)
    if best is None:
        return None
    head, tail = best
    return head.rstrip(" ,;:") + ".", tail


def drop_adjective(idn: str, rng: random.Random) -> tuple[str, str] | None:
    """``idn`` without one adjective of ``ADJECTIVES`` that follows another word."""
    spots = [m for m in _WORD.finditer(idn) if m.start() > 0 and m.group(0) in ADJECTIVES
             and (idn[:m.start()].split() or [""])[-1].lower() not in _NOT_AFTER]
    if not spots:
        return None
    m = rng.choice(spots)
    return (idn[:m.start()].rstrip(" ") + idn[m.end():]).replace(" ,", ","), m.group(0)


_CAP_RUN = re.compile(r"(?:[A-Z][\w'’.-]*)(?:\s+[A-Z][\w'’.-]*)*")


def drop_name(en: str, idn: str, names: set[str], rng: random.Random) -> tuple[str, str] | None:
    """``idn`` without a shared name and the capitalised words next to it (not the first word
    of the sentence, at most three words)."""
    cands = [n for n in _gen.shared_names(en, idn) if n in names]
    rng.shuffle(cands)
    for n in cands:
        for m in _CAP_RUN.finditer(idn):
            words = m.group(0).split()
            if m.start() > 0 and n in [w.strip(".,") for w in words] and len(words) <= 3 \
                    and not m.group(0).endswith("."):
                return (idn[:m.start()].rstrip(" ") + idn[m.end():]).replace(" ,", ","), m.group(0)
    return None


def merge_pair(a: str, b: str, rng: random.Random) -> str:
    """Two Indonesian sentences as one: "A. B." -> "A, b." or "A dan b."."""
    return a.rstrip(" .") + rng.choice([", ", " dan "]) + _gen._lower_first(b)


def _other_lines(stories: list[Story], story: Story) -> list[str]:
    return [t for s in stories if s.name != story.name for t in s.id[1:]]


def plant(story: Story, variant: str, seed: int, stories: list[Story], pool: set[str],
          other_names: list[str]) -> Planted | None:
    """The story with one perturbation ``variant`` (None when the story has no place for it).

    Deterministic: the random choices depend on (seed, story, variant) only.
    """
    rng = random.Random(f"{seed}:{story.name}:{variant}")
    body = _body(story)
    doc = faithful_doc(story)
    p = Planted(story.name, variant, seed, doc)

    def in_sentence(change) -> Planted | None:
        lines = body[:]
        rng.shuffle(lines)
        for i in lines:
            out = change(story.en[i], story.id[i])
            if out is not None:
                _set(doc, i, _gen.Unit(out[0], (i,), variant))
                p.line = i
                p.detail = {"old": out[-2] if len(out) == 3 else out[1],
                            "new": out[-1] if len(out) == 3 else "", "before": story.id[i],
                            "after": out[0]}
                return p
        return None

    if variant == "drop":
        i = rng.choice(body)
        pi, k = _where(doc, i)
        del doc.target_paras[pi][k]
        doc.target_paras = [para for para in doc.target_paras if para]
        p.line, p.detail = i, {"old": story.id[i]}
        return p
    if variant in ("insert_other", "replace"):
        text = rng.choice(_other_lines(stories, story))
        i = rng.choice(body)
        if variant == "replace":
            _set(doc, i, _gen.Unit(text, (), "replace"))
            p.line, p.detail = i, {"old": story.id[i], "new": text}
            return p
        pi = rng.randrange(1, len(doc.target_paras))
        doc.target_paras[pi].insert(rng.randrange(len(doc.target_paras[pi]) + 1),
                                    _gen.Unit(text, (), "insert_other"))
        p.detail = {"new": text}
        return p
    if variant == "insert_dup":
        k = rng.choice(body)
        pk = next(pi for pi, para in enumerate(layout(len(story.en))) if k in para)
        far = [pi for pi in range(1, len(doc.target_paras)) if abs(pi - pk) >= 2]
        if not far:
            return None
        para = doc.target_paras[rng.choice(far)]
        para.insert(rng.randrange(len(para) + 1), _gen.Unit(story.id[k], (), "insert_dup"))
        p.line, p.detail = k, {"new": story.id[k], "copy_of_line": k}
        return p
    if variant == "insert_same":
        k = rng.choice(body)
        p.doc = faithful_doc(story, skip=k)
        p.detail = {"new": story.id[k], "english_removed": story.en[k]}
        return p
    if variant == "merge":
        cands = [para for para in layout(len(story.en))[1:] if len(para) == 2
                 and story.id[para[0]].endswith(".") and not story.id[para[0]].endswith('."')]
        if not cands:
            return None
        a, b = rng.choice(cands)
        pi, k = _where(doc, a)
        doc.target_paras[pi][k:k + 2] = [_gen.Unit(merge_pair(story.id[a], story.id[b], rng), (a, b),
                                                   "merge")]
        p.line, p.detail = a, {"lines": [a, b]}
        return p
    names = _names(story, pool)
    if variant == "number":
        return in_sentence(lambda e, i: _gen.change_number(e, i, rng))
    if variant == "name":
        return in_sentence(lambda e, i: name_swap(e, i, names, other_names, rng))
    if variant == "date":
        return in_sentence(lambda e, i: date_swap(e, i, rng))
    if variant == "antonym":
        return in_sentence(lambda e, i: antonym_swap(i, rng))
    if variant == "cut":
        return in_sentence(lambda e, i: cut_clause(i))
    if variant == "drop_adj":
        return in_sentence(lambda e, i: drop_adjective(i, rng))
    if variant == "drop_name":
        return in_sentence(lambda e, i: drop_name(e, i, names, rng))
    raise ValueError(f"unknown variant {variant!r}")


def name_pools(stories: list[Story]) -> tuple[set[str], dict[str, list[str]]]:
    """The corpus's proper names (:func:`benchmarks._gen.name_pool`) and, per story, the names
    of all the other stories (sorted, for seeded choices)."""
    pairs = [(e, i) for s in stories for e, i in zip(s.en, s.id)]
    pool = set(_gen.name_pool(pairs))
    own = {s.name: _names(s, pool) for s in stories}
    others = {s.name: sorted(set().union(*(own[o.name] for o in stories if o.name != s.name)) - own[s.name])
              for s in stories}
    return pool, others


def build(stories: list[Story], seeds: list[int], variants: tuple[str, ...] = VARIANTS) -> list[Planted]:
    """The faithful documents, then every (seed, story, variant) that has a place."""
    pool, others = name_pools(stories)
    out = [Planted(s.name, "faithful", None, faithful_doc(s)) for s in stories]
    for seed in seeds:
        for s in stories:
            for v in variants:
                p = plant(s, v, seed, stories, pool, others[s.name])
                if p is not None:
                    out.append(p)
    return out


# --------------------------------------------------------------------------- scoring (pure)


def _finding_key(f) -> tuple[str, str]:
    return f.type, f.message


def score(p: Planted, source, target, findings, baseline: set[tuple[str, str]] = frozenset(),
          links=(), presplit: bool = False) -> dict:
    """The outcome of one document: ``source``/``target`` the segmented Documents, ``findings``
    and ``links`` the checker's; ``baseline``: (type, message) of the faithful version's
    findings (not new). ``om_missed_linked``/``add_missed_linked``: planted omitted/added
    sentences not flagged because a link took them (a join), the rest fell elsewhere.
    ``presplit``: the documents were given one line per sentence (``--presplit``).
    """
    s_text, s_spans, t_text, t_spans = p.doc.texts(presplit)
    s_map = map_sentences([(s.start, s.end) for s in source.sentences], s_spans)
    t_map = map_sentences([(s.start, s.end) for s in target.sentences], t_spans)
    omitted, added = p.doc.omitted(), p.doc.added()
    s_planted = {i for i, m in enumerate(s_map) if set(m) & omitted}
    t_planted = {j for j, m in enumerate(t_map) if set(m) & added}
    s_flag = {i for f in findings if f.type == "omission" for i in f.source}
    t_flag = {j for f in findings if f.type == "addition" for j in f.target}
    # Sentences touched by the planted change (either side), and the untouched ones.
    units = p.doc.target_units
    ju = p.perturbed_unit()
    if p.variant == "merge":
        ju = next(j for j, u in enumerate(units) if u.tag == "merge")
    elif p.variant == "insert_dup":  # the original of the copy: a flag on it is no false flag
        ju = next(j for j, u in enumerate(units) if u.src == (p.line,))
    t_touch = {j for j, m in enumerate(t_map) if ju is not None and ju in m} | t_planted
    src_units = set(units[ju].src) if ju is not None else set()
    s_touch = {i for i, m in enumerate(s_map) if set(m) & src_units} | s_planted
    out = {"story": p.story, "variant": p.variant, "seed": p.seed,
           "source_sentences": len(source.sentences), "target_sentences": len(target.sentences),
           "om_tp": len(s_flag & s_planted), "om_flagged": len(s_flag), "om_planted": len(s_planted),
           "add_tp": len(t_flag & t_planted), "add_flagged": len(t_flag), "add_planted": len(t_planted),
           "false_omadd": len(s_flag - s_touch) + len(t_flag - t_touch),
           "false_partial": sum(1 for f in findings if f.type == "partial"
                                and not (set(f.source) & s_touch or set(f.target) & t_touch)),
           "findings": Counter(f.type for f in findings),
           "severities": Counter(getattr(f, "severity", "major") for f in findings),
           "om_missed_linked": len({i for l in links if l.source and l.target for i in l.source}
                                   & (s_planted - s_flag)),
           "add_missed_linked": len({j for l in links if l.source and l.target for j in l.target}
                                    & (t_planted - t_flag)),
           "om_missed_kinds": Counter(l.kind for l in links if set(l.source) & (s_planted - s_flag)),
           "add_missed_kinds": Counter(l.kind for l in links if set(l.target) & (t_planted - t_flag)),
           "seg_mismatch": sum(1 for m in s_map + t_map if len(m) != 1),
           "touched": [sorted(s_touch), sorted(t_touch)]}
    touching = [f for f in findings if set(f.source) & s_touch or set(f.target) & t_touch]
    if p.variant in IN_SENTENCE:
        hits = [f for f in touching if f.type in ("drift", "partial") and _finding_key(f) not in baseline]
        out["found"] = bool(hits)
        out["strict"] = any(c.kind in EXPECTED_KINDS[p.variant] for f in hits for c in f.changes)
    elif p.variant == "insert_dup":
        out["found"] = out["strict"] = bool(t_flag & t_touch)
    elif p.variant == "replace":
        om, add = bool(s_flag & s_planted), bool(t_flag & t_planted)
        out["found"], out["strict"] = om or add, om and add
    elif p.variant == "merge":
        bad = [f for f in touching if f.type in ("omission", "addition", "partial")]
        out["found"] = bool(bad)  # a false flag on a faithful 2-1
        out["strict"] = out["found"]
    return out


# --------------------------------------------------------------------------- figures


def _pct(a: int, b: int) -> float | None:
    return round(100.0 * a / b, 1) if b else None


def figures(records: list[dict]) -> dict:
    """The issue's figures from scored documents (faithful ones and those of any seeds)."""
    by = {}
    for r in records:
        if not r.get("void"):  # a plant that undid a fault of the translation tests nothing
            by.setdefault(r["variant"], []).append(r)
    fig: dict = {}
    faithful = by.get("faithful", [])
    if faithful:
        sents = sum(r["source_sentences"] for r in faithful)
        ftypes = sum((r["findings"] for r in faithful), Counter())
        fig["faithful_judged_faithful_pct"] = _pct(sum(r["verdict"] == "faithful" for r in faithful),
                                                   len(faithful))
        fig["faithful_stories"] = len(faithful)
        fig["faithful_sentences"] = sents
        fig["faithful_findings_by_type"] = dict(sorted(ftypes.items()))
        fig["faithful_findings_by_severity"] = dict(sorted(
            sum((Counter(r.get("severities", {})) for r in faithful), Counter()).items()))
        fig["false_omadd_per_100"] = round(100.0 * sum(r["om_flagged"] + r["add_flagged"]
                                                       for r in faithful) / sents, 2)
        fig["false_partial_per_100"] = round(100.0 * ftypes["partial"] / sents, 2)
        fig["false_drift_per_100"] = round(100.0 * ftypes["drift"] / sents, 2)
        fig["faithful_segmentation_mismatch_pct"] = round(
            100.0 * sum(r.get("seg_mismatch", 0) for r in faithful)
            / sum(r["source_sentences"] + r["target_sentences"] for r in faithful), 2)

    def prf(rs: list[dict], kind: str) -> dict:
        tp, fl, pl = (sum(r[f"{kind}_{k}"] for r in rs) for k in ("tp", "flagged", "planted"))
        p, rcl, _ = _prf(tp, fl, pl)
        linked = sum(r[f"{kind}_missed_linked"] for r in rs)
        kinds = sum((Counter(r.get(f"{kind}_missed_kinds", {})) for r in rs), Counter())
        return {"precision": round(p, 3), "recall": round(rcl, 3), "planted": pl, "flagged": fl,
                "missed": pl - tp, "missed_in_a_link": linked,
                "missed_by_link_kind": dict(kinds.most_common())}

    if by.get("drop"):
        fig["omission_dropped"] = prf(by["drop"], "om")
    ins = by.get("insert_other", []) + by.get("insert_same", [])
    if ins:
        fig["addition_inserted"] = prf(ins, "add")
        for v in ("insert_other", "insert_same"):
            if by.get(v):
                fig[f"addition_{v}"] = prf(by[v], "add")
    for v in IN_SENTENCE + ("replace", "insert_dup", "merge"):
        rs = by.get(v, [])
        if rs:
            fig[f"{v}_found_pct"] = _pct(sum(r["found"] for r in rs), len(rs))
            fig[f"{v}_strict_pct"] = _pct(sum(r["strict"] for r in rs), len(rs))
            fig[f"{v}_n"] = len(rs)
    perturbed = [r for r in records if r["variant"] != "faithful"]
    if perturbed:
        sents = sum(r["source_sentences"] for r in perturbed)
        fig["untouched_false_omadd_per_100"] = round(100.0 * sum(r["false_omadd"] for r in perturbed) / sents, 2)
        fig["untouched_false_partial_per_100"] = round(100.0 * sum(r["false_partial"] for r in perturbed) / sents, 2)
    return fig


#: Table rows "found %" (variant, label).
FOUND_ROWS = (
    ("replace", "sentence replaced by another story's (om. or add.; strict both)"),
    ("insert_dup", "line copied 2+ paragraphs away, reported as addition"),
    ("name", "name replaced found"), ("number", "number changed found"),
    ("date", "month/weekday changed found"), ("antonym", "antonym found"),
    ("cut", "trailing clause cut found"), ("drop_adj", "adjective dropped found"),
    ("drop_name", "name dropped found"),
    ("merge", "faithful 2-1 merge falsely flagged (lower is better)"),
)


def _fmt(v) -> str:
    return "-" if v is None else f"{v}"


def table_rows(per_seed: dict[str, dict]) -> list[list[str]]:
    """One row per figure, one column per seed (and "pooled")."""
    cols = list(per_seed)

    def row(label: str, get) -> list[str]:
        return [label] + [get(per_seed[c]) for c in cols]

    def pr(key):
        def cell(f: dict) -> str:
            x = f[key]
            kinds = ", ".join(f"{k} {n}" for k, n in x.get("missed_by_link_kind", {}).items())
            missed = x.get("missed", x["planted"] - round(x["recall"] * x["planted"]))  # older --json files
            return (f"P {x['precision']:.3f} R {x['recall']:.3f} ({x['planted']} planted, "
                    f"{x['flagged']} flagged; {missed} missed" + (f", in links {kinds}" if kinds else "") + ")")

        return lambda f: cell(f) if key in f else "-"

    def found(v):
        return lambda f: (f"{_fmt(f.get(f'{v}_found_pct'))}% (strict {_fmt(f.get(f'{v}_strict_pct'))}%, "
                          f"n {f.get(f'{v}_n', 0)})") if f.get(f"{v}_n") else "-"

    rows = [
        row("faithful stories judged `faithful`",
            lambda f: f"{_fmt(f.get('faithful_judged_faithful_pct'))}% of {f.get('faithful_stories', 0)}"),
        row("findings on faithful stories, by type",
            lambda f: ", ".join(f"{k} {n}" for k, n in f.get("faithful_findings_by_type", {}).items()) or "none"),
        row("findings on faithful stories, by severity",
            lambda f: ", ".join(f"{k} {n}" for k, n in f.get("faithful_findings_by_severity", {}).items()) or "none"),
        row("omission P/R, dropped body sentence", pr("omission_dropped")),
        row("addition P/R, inserted sentence (both)", pr("addition_inserted")),
        row("  from another story", pr("addition_insert_other")),
        row("  from the same story", pr("addition_insert_same")),
    ] + [row(label, found(v)) for v, label in FOUND_ROWS] + [
        row("false partial flags / 100 faithful sentences", lambda f: _fmt(f.get("false_partial_per_100"))),
        row("false omissions+additions / 100 faithful sentences", lambda f: _fmt(f.get("false_omadd_per_100"))),
        row("false drift findings / 100 faithful sentences", lambda f: _fmt(f.get("false_drift_per_100"))),
        row("sentences not one planted line, faithful stories (%)",
            lambda f: _fmt(f.get("faithful_segmentation_mismatch_pct"))),
        row("false om.+add. / 100 sentences, untouched parts of perturbed docs",
            lambda f: _fmt(f.get("untouched_false_omadd_per_100"))),
    ]
    return rows


# --------------------------------------------------------------------------- running


def correct(r: dict) -> bool:
    """Whether the checker got one document right: a faithful story judged ``faithful``, every
    planted omitted/added sentence reported, an in-sentence change found, a merge not flagged."""
    v = r["variant"]
    if v == "faithful":
        return r["verdict"] == "faithful"
    if v == "drop":
        return r["om_tp"] == r["om_planted"]
    if v.startswith("insert") and v != "insert_dup":
        return r["add_tp"] == r["add_planted"]
    if v == "merge":
        return not r["found"]
    return bool(r["found"])


def compare(old: list[dict], new: list[dict]) -> list[dict]:
    """The documents (by story, variant and seed) right in one run and wrong in the other."""
    before = {(r["story"], r["variant"], r["seed"]): correct(r) for r in old}
    out = []
    for r in new:
        key = (r["story"], r["variant"], r["seed"])
        if key in before and before[key] != correct(r):
            out.append({"story": key[0], "variant": key[1], "seed": key[2],
                        "change": "better" if correct(r) else "worse"})
    return out


def _finding_record(f, source, target) -> dict:
    return {"type": f.type, "category": f.category, "severity": f.severity, "message": f.message,
            "changes": [c.to_dict() for c in f.changes],
            "source": [source.sentences[i].text for i in f.source],
            "target": [target.sentences[j].text for j in f.target]}


def add_partials(rep) -> None:
    """Append ``fidelity.partial.partial_findings`` of the report's links to its findings (and
    make a ``faithful`` verdict ``issues`` when there are any): measures the partial module
    before the pipeline calls it. A pipeline that already does would get them twice."""
    from fidelity.partial import partial_findings

    extra = partial_findings(rep.source, rep.target, rep.links)
    rep.findings = list(rep.findings) + extra
    if extra and rep.summary.verdict == "faithful":
        rep.summary.verdict = "issues"


def run(checker, planted: list[Planted], progress: bool = True,
        with_partials: bool = False, presplit: bool = False) -> tuple[list[dict], list[dict], list[dict]]:
    """Check and score every document; returns (records, false flags on faithful documents,
    misses of planted problems). ``with_partials``: see :func:`add_partials`."""
    records, false_flags, misses = [], [], []
    baseline: dict[str, set[tuple[str, str]]] = {}
    reversed_words: dict[str, set[str]] = {}  # per story: target words of the faithful version's antonym findings
    for n, p in enumerate(planted):
        s_text, _, t_text, _ = p.doc.texts(presplit)
        rep = checker.check(s_text, t_text)
        if with_partials:
            add_partials(rep)
        r = score(p, rep.source, rep.target, rep.findings, baseline.get(p.story, frozenset()), rep.links,
                  presplit)
        r["verdict"] = rep.summary.verdict
        if p.variant == "antonym" and p.detail.get("old", "").lower() in reversed_words.get(p.story, ()):
            # The professional translation had reversed this word ("south" -> "utara"): the
            # plant puts it right, so the document is faithful there and nothing is to be found.
            r["void"] = True
        records.append(r)
        if p.variant == "faithful":
            baseline[p.story] = {_finding_key(f) for f in rep.findings}
            reversed_words[p.story] = {c.target.lower() for f in rep.findings for c in f.changes
                                       if c.kind == "antonym"}
            false_flags += [dict(story=p.story, variant="faithful", **_finding_record(f, rep.source, rep.target))
                            for f in rep.findings]
        elif p.variant == "merge" and r["found"]:
            false_flags += [dict(story=p.story, variant="merge", seed=p.seed,
                                 **_finding_record(f, rep.source, rep.target)) for f in rep.findings
                            if f.type in ("omission", "addition", "partial")]
        elif r.get("void"):
            pass  # nothing was to be found: no miss
        elif (p.variant != "merge" and not r.get("found", True)) or (p.variant in ("drop",) and r["om_tp"] < r["om_planted"]) \
                or (p.variant in ("insert_other", "insert_same") and r["add_tp"] < r["add_planted"]):
            near = set(r["touched"][0]), set(r["touched"][1])
            misses.append({"story": p.story, "seed": p.seed, "variant": p.variant, "line": p.line,
                           "detail": p.detail,
                           "links": [_link_record(l, rep.source, rep.target) for l in rep.links
                                     if set(l.source) & near[0] or set(l.target) & near[1]],
                           "findings": [_finding_record(f, rep.source, rep.target) for f in rep.findings]})
        if progress and n % 50 == 0 and sys.stderr.isatty():
            print(f"\r{n}/{len(planted)}", end="", file=sys.stderr, flush=True)
    if progress and sys.stderr.isatty():
        print(f"\r{len(planted)}/{len(planted)}", file=sys.stderr)
    return records, false_flags, misses


def _link_record(link, source, target) -> dict:
    return {"kind": link.kind, "score": None if link.score is None else round(float(link.score), 3),
            "source": [source.sentences[i].text for i in link.source],
            "target": [target.sentences[j].text for j in link.target]}


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.real", description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", default="0,1,2", help="comma-separated seeds (default 0,1,2)")
    ap.add_argument("--stories", type=int, default=0, help="only the first N stories (default all)")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of the variants")
    ap.add_argument("--presplit", action="store_true",
                    help="give the checker one line per sentence and blank lines between paragraphs "
                         "(fidelity check --presplit), instead of running text for its segmenter")
    ap.add_argument("--data", default=str(NTREX), help="folder with ntrex-dev.{en,id,doc_ids}")
    ap.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (default 1: the small products of one story run 3x faster "
                         "on one thread than on two when the cores are shared)")
    ap.add_argument("--json", default=None, help="write all figures (per seed and pooled) to this file")
    ap.add_argument("--dump", default=None, help="folder for false_flags.jsonl (faithful stories) and misses.jsonl")
    ap.add_argument("--code", default=None,
                    help="the code's name to record (default: git describe of the repository; "
                         "give the commit when running from an exported copy)")
    ap.add_argument("--add-partials", action="store_true",
                    help="add fidelity.partial's findings to every report (to measure the module "
                         "before the pipeline calls it; with a pipeline that does, they count twice)")
    ap.add_argument("--strict-names", action="store_true",
                    help="check with the partial check's two name rules on, as `fidelity check "
                         "--strict-names` does (a name dropped among freely rendered words; a name "
                         "written fewer times than the source writes it)")
    ap.add_argument("--compare", default=None, metavar="FILE",
                    help="a --json file of an earlier run: its pooled figures as a column, and the "
                         "documents now right or wrong that were not (into DIR/changed.jsonl with --dump)")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    variants = tuple(v for v in args.variants.split(",") if v)
    if set(variants) - set(VARIANTS):
        raise SystemExit(f"--variants: unknown {sorted(set(variants) - set(VARIANTS))}; one of {VARIANTS}")

    import torch

    from fidelity.partial import PartialParams
    from fidelity.pipeline import Checker, Settings

    torch.set_num_threads(args.threads)
    code = args.code or _gen.git_revision()
    t0 = time.perf_counter()
    stories = read_stories(Path(args.data))
    if args.stories:
        stories = stories[:args.stories]
    planted = build(stories, seeds, variants)
    checker = Checker(Settings(model=args.model, device=args.device, check_language=False,
                               presplit=args.presplit,
                               partial=PartialParams(name_parts=args.strict_names,
                                                     name_count=args.strict_names)),
                      progress=False)
    records, false_flags, misses = run(checker, planted, with_partials=args.add_partials, presplit=args.presplit)
    seconds = time.perf_counter() - t0
    faithful = [r for r in records if r["variant"] == "faithful"]
    per_seed = {f"seed {s}": figures(faithful + [r for r in records if r["seed"] == s]) for s in seeds}
    per_seed["pooled"] = figures(records)
    columns = dict(per_seed)
    changed: list[dict] = []
    if args.compare:
        old = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        columns[f"before ({old.get('git', '?')})"] = old["figures"]["pooled"]
        changed = compare(old["records"], records)
    print(f"real stories (NTREX dev): {len(stories)} stories, seeds {args.seeds}, {len(planted)} documents, "
          f"model {checker.model_id.name}#{checker.model_id.hash}, code {code}, {seconds:.0f} s"
          + (", one line per sentence (--presplit)" if args.presplit else ""))
    print("(faithful figures come from the same faithful documents for every seed)")
    print(tabulate(table_rows(columns), headers=["figure"] + list(columns), tablefmt="github"))
    if args.compare:
        by = Counter((c["variant"], c["change"]) for c in changed)
        print(f"vs {args.compare}: " + (", ".join(f"{v} {by[v, 'better']} better / {by[v, 'worse']} worse"
                                                   for v in dict.fromkeys(c["variant"] for c in changed))
                                        or "no document changed outcome"))
    if args.dump:
        d = Path(args.dump)
        d.mkdir(parents=True, exist_ok=True)
        _write_jsonl(d / "false_flags.jsonl", false_flags)
        _write_jsonl(d / "misses.jsonl", misses)
        if args.compare:
            _write_jsonl(d / "changed.jsonl", changed)
        print(f"dump: {d / 'false_flags.jsonl'} ({len(false_flags)} false flags on faithful stories), "
              f"{d / 'misses.jsonl'} ({len(misses)} misses)")
    if args.json:
        out = {"benchmark": "real", "command": "python -m benchmarks.real " + " ".join(sys.argv[1:] if argv is None else argv),
               "data": str(args.data), "git": code, "date": time.strftime("%Y-%m-%d"),
               "model": checker.model_id.name, "model_hash": checker.model_id.hash, "seeds": seeds,
               "stories": len(stories), "documents": len(planted), "seconds": round(seconds, 1),
               "figures": per_seed,
               "records": [{k: dict(v) if isinstance(v, Counter) else v for k, v in r.items()}
                           for r in records]}
        Path(args.json).write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
