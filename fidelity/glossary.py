"""A house glossary: source terms whose required translation must appear in the aligned target.

Translators' QA tools (Xbench, Verifika, Okapi CheckMate) check a term base: where a source
sentence uses a glossary term, its translation should use the glossary's rendering. This
module reads a glossary from

* CSV, ``en,id`` (a header row naming the languages is optional): the source term, the
  required translation (alternatives separated by ``|``), an optional third column of further
  accepted forms (``|``-separated: the affixed derivations the house allows, e.g.
  ``pemerintahan`` for ``pemerintah``) and an optional fourth column, a note;
* TBX (read by translate-toolkit, the optional extra ``fidelity[cat]``): every term entry's
  source terms and its non-deprecated target terms (the first is the preferred one); a
  deprecated target term is *not* accepted; a note ``forms: a|b`` on the entry or a target
  term lists further accepted forms;

and :func:`glossary_findings` turns every aligned link whose source uses a term and whose
target uses none of its accepted renderings into a finding of category ``terminology`` with
one :class:`~fidelity.types.Change` of kind ``term`` per missing term.

Matching is case- and inflection-aware:

* source (English): case-insensitive, except an all-capitals term (an acronym: "UN", "IRGC"),
  which matches only in capitals; the last word may carry a plural or possessive ending
  ("leaders", "leader's", "agencies" for "agency");
* target (Indonesian): case-insensitive; a word may be reduplicated for the plural
  ("pejabat-pejabat") and the last one may carry a clitic (-nya, -lah, -kah, -pun, -ku, -mu),
  which do not change the word; an affix that makes another word ("pemerintahan",
  "kepemimpinan") counts only when the glossary lists that form.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable

from .errors import InputError
from .types import Change, Document, Finding, Report

#: Severity of a terminology finding: the sentence is translated, but not in the house terms.
TERM_SEVERITY = "minor"
#: Indonesian clitics that attach to a word without making another word.
ID_CLITICS: tuple[str, ...] = ("nya", "lah", "kah", "pun", "ku", "mu")
_HEADER = frozenset({"en", "id", "eng", "ind", "english", "indonesian", "source", "target", "term",
                     "translation"})
_FORMS_NOTE = re.compile(r"^\s*forms?\s*:\s*(.+)$", re.I | re.M)


@dataclass(frozen=True)
class Term:
    """One glossary entry: ``targets`` are the accepted translations (the first preferred),
    ``forms`` further accepted forms (derivations the glossary allows)."""

    source: str
    targets: tuple[str, ...]
    forms: tuple[str, ...] = ()
    note: str = ""

    @property
    def accepted(self) -> tuple[str, ...]:
        return self.targets + tuple(f for f in self.forms if f not in self.targets)


@dataclass
class Glossary:
    """A glossary's terms and languages, with each term's patterns compiled once.

    Pickling it (a batch sends it with every pair to a worker process, or once to a Ray actor)
    sends the terms; the receiving process compiles them once and keeps that copy
    (:func:`_shared`), so a worker that gets the same glossary with each pair compiles its
    patterns only for the first."""

    terms: list[Term]
    source_lang: str = "en"
    target_lang: str = "id"
    path: str | None = None
    _source_res: list[re.Pattern] = field(default_factory=list, repr=False)
    _target_res: list[list[re.Pattern]] = field(default_factory=list, repr=False)
    #: Terms by their key (:func:`term_key`); ``_unkeyed``: terms without one, always tried.
    _by_key: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _unkeyed: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self._source_res = [source_pattern(t.source) for t in self.terms]
        self._target_res = [[target_pattern(f) for f in t.accepted] for t in self.terms]
        self._by_key, self._unkeyed = {}, []
        for k, t in enumerate(self.terms):
            key = term_key(t.source)
            if key:
                self._by_key.setdefault(key, []).append(k)
            else:
                self._unkeyed.append(k)

    def __len__(self) -> int:
        return len(self.terms)

    @property
    def digest(self) -> str:
        """SHA-256 (hex) of what decides the findings: the languages and, in order, each term
        with its accepted translations and forms. A note, a comment, the file's name or layout
        (CSV quoting, TBX markup) are not in it: the findings do not depend on them."""
        cached = self.__dict__.get("_digest")
        if cached is None:
            h = hashlib.sha256(f"{self.source_lang}\0{self.target_lang}\n".encode())
            for t in self.terms:
                h.update(json.dumps([t.source, list(t.targets), list(t.forms)],
                                    ensure_ascii=False).encode() + b"\n")
            cached = self.__dict__["_digest"] = h.hexdigest()
        return cached

    def __reduce__(self) -> tuple:
        """Pickled as one JSON string of the terms, read back (by :func:`_shared`) only by a
        process that has no copy yet: a batch sends the glossary with every pair, and 5,000
        terms as objects (15,000 of them to build, and the garbage collector's passes over a
        worker's heap that they set off) took 14-48 ms a pair, as one string 2 ms."""
        packed = self.__dict__.get("_packed")
        if packed is None:
            packed = self.__dict__["_packed"] = json.dumps(
                [[t.source, t.targets, t.forms, t.note] for t in self.terms], ensure_ascii=False)
        return _shared, (self.digest, packed, self.source_lang, self.target_lang, self.path)

    def source_matches(self, text: str) -> list[tuple[int, int, int]]:
        """``(term index, start, end)`` of each term used in ``text``; a term inside a longer
        term's match is left out ("leader" inside "supreme leader")."""
        found = [(k, m.start(), m.end()) for k in self._candidates(text)
                 for m in self._source_res[k].finditer(text)]
        found.sort(key=lambda x: (-(x[2] - x[1]), x[1]))
        kept: list[tuple[int, int, int]] = []
        for k, s, e in found:
            if all(e <= ks or s >= ke for _, ks, ke in kept):
                kept.append((k, s, e))
        return sorted(kept, key=lambda x: x[1])

    def _candidates(self, text: str) -> list[int]:
        """The terms that may occur in ``text``, in glossary order: those whose key begins a
        word of it, and those without a key. Trying only these finds what trying every term
        finds (a match begins with its term's key), at a cost that does not grow with the
        glossary: 5,000 terms took 250 ms a seed-sized pair tried one by one."""
        if not self._by_key:
            return self._unkeyed
        found: set[int] = set(self._unkeyed)
        for m in _WORD_START.finditer(text):
            head = m.group().translate(_ASCII_FOLDS).lower()
            for n in range(1, len(head) + 1):
                found.update(self._by_key.get(head[:n], ()))
        return sorted(found)

    def rendered(self, k: int, text: str) -> bool:
        """Whether ``text`` uses an accepted rendering of term ``k``."""
        return any(rx.search(text) for rx in self._target_res[k])


#: Glossaries this process has unpickled, by (digest, path): the latest few (:func:`_shared`).
_SHARED: OrderedDict[tuple[str, str | None], Glossary] = OrderedDict()
_SHARED_MAX = 4


_SHARED_LOCK = threading.Lock()


def _shared(digest: str, packed: str, source_lang: str, target_lang: str,
            path: str | None) -> Glossary:
    """The unpickling of a :class:`Glossary` (its terms ``packed`` by ``__reduce__``): this
    process's copy of it when it has one (same digest and name), else a new one, compiled and
    kept. Thread-safe (a Ray actor may unpickle in more than one thread): two threads reading
    one glossary at once may both compile it, and one copy is kept."""
    key = (digest, path)
    with _SHARED_LOCK:
        glossary = _SHARED.get(key)
        if glossary is not None:
            _SHARED.move_to_end(key)
            return glossary
    terms = [Term(src, tuple(targets), tuple(forms), note)
             for src, targets, forms, note in json.loads(packed)]
    fresh = Glossary(terms, source_lang, target_lang, path)  # compiled outside the lock
    with _SHARED_LOCK:
        glossary = _SHARED.setdefault(key, fresh)
        _SHARED.move_to_end(key)
        while len(_SHARED) > _SHARED_MAX:
            _SHARED.popitem(last=False)
    return glossary


#: Where a term's match can begin (``source_pattern``'s look-behind) and up to 3 word characters.
_WORD_START = re.compile(r"(?<![\w-])\w{1,3}")
#: The non-ASCII characters that a case-insensitive ASCII letter matches (found by trying every
#: code point against ``re.I``), as the letter they match.
_ASCII_FOLDS = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_KEY_LENGTH = 3


def term_key(term: str) -> str:
    """The lower-case ASCII letters (or digits) that every match of ``term`` begins with, at
    most 3: of its first word, but for a one-word term not its last letter (which an ending
    may replace: "agency" -> "agencies"); "" where there are none (a term that begins with
    another character, or with a non-ASCII letter, whose case forms are many)."""
    words = term.split()
    first = words[0] if words else ""
    stem = first[:-1] if len(words) == 1 else first
    key = ""
    for ch in stem[:_KEY_LENGTH]:
        if not (ch.isascii() and (ch.isalnum() or ch == "_")):
            break
        key += ch.lower()
    return key


def _is_acronym(term: str) -> bool:
    letters = [c for c in term if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _en_last(word: str) -> str:
    """The last word of an English term with its inflections: plural or third person (-s,
    -es, -ies), past (-ed, -d, -ied), -ing (with a final e dropped), possessive ('s, ')."""
    poss = r"(?:['\u2019]s|['\u2019])?"
    w = re.escape(word)
    if len(word) > 2 and word[-1] in "yY" and word[-2].lower() not in "aeiou":
        stem = re.escape(word[:-1])
        return rf"(?:{w}(?:ing)?|{stem}(?:ies|ied)){poss}"
    if word.endswith(("e", "E")):
        stem = re.escape(word[:-1])
        return rf"(?:{w}(?:s|d)?|{stem}ing){poss}"
    return rf"{w}(?:s|es|ed|ing)?{poss}"


def source_pattern(term: str) -> re.Pattern:
    """The regex that finds an English ``term`` (see the module docstring)."""
    words = term.split()
    if not words:
        raise InputError("an empty glossary term")
    body = r"\s+".join([re.escape(w) for w in words[:-1]] + [_en_last(words[-1])])
    return re.compile(rf"(?<![\w-]){body}(?![\w-])", 0 if _is_acronym(term) else re.I)


def target_pattern(form: str) -> re.Pattern:
    """The regex that finds an accepted Indonesian rendering (see the module docstring)."""
    words = form.split()
    if not words:
        raise InputError("an empty glossary translation")
    parts = [rf"{re.escape(w)}(?:-{re.escape(w)})?" for w in words]
    parts[-1] += "(?:" + "|".join(ID_CLITICS) + ")?"
    body = r"\s+".join(parts)
    return re.compile(rf"(?<![\w-]){body}(?![\w])", re.I)


# --- reading ---------------------------------------------------------------------------------

def _split(cell: str) -> tuple[str, ...]:
    return tuple(x.strip() for x in re.split(r"[|;]", cell) if x.strip())


def parse_csv(text: str, name: str = "<glossary>") -> Glossary:
    """A CSV glossary (see the module docstring)."""
    terms: list[Term] = []
    langs = ("en", "id")
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InputError(f"{name}: not a CSV glossary ({exc})") from None
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if not terms and n == 1 and cells[0].lower() in _HEADER:
            if len(cells) > 1 and len(cells[0]) == 2 and len(cells[1]) == 2:
                langs = (cells[0].lower(), cells[1].lower())
            continue
        if len(cells) < 2 or not cells[0] or not _split(cells[1]):
            raise InputError(f"{name}: line {n} needs a source term and its translation")
        terms.append(Term(cells[0], _split(cells[1]), _split(cells[2]) if len(cells) > 2 else (),
                          cells[3] if len(cells) > 3 else ""))
    if not terms:
        raise InputError(f"{name}: the glossary has no terms")
    return Glossary(terms, langs[0], langs[1], name)


def _forms_in(notes: Iterable) -> tuple[str, ...]:
    out: list[str] = []
    for note in notes:
        for m in _FORMS_NOTE.finditer(getattr(note, "text", note) or ""):
            out.extend(_split(m.group(1)))
    return tuple(out)


def parse_tbx(data: bytes, name: str = "<glossary>", source_lang: str = "en",
              target_lang: str = "id") -> Glossary:
    """A TBX glossary (see the module docstring), read with translate-toolkit."""
    try:  # lxml comes with translate-toolkit: both are the optional extra ``cat``
        from lxml import etree
        from translate.storage import tbx
    except ImportError:
        raise InputError("reading a TBX glossary needs translate-toolkit: pip install 'fidelity[cat]'") from None
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({' '.join(str(exc).split())})") from None
    try:
        store = tbx.tbxfile.parsestring(data, sourcelanguage=source_lang, targetlanguage=target_lang)
    except Exception as exc:  # the toolkit's own complaint
        raise InputError(f"{name}: cannot read TBX: {' '.join(str(exc).split())}") from None
    terms: list[Term] = []
    for unit in store.units:
        sources = [t.text.strip() for t in unit.get_source_terms() if t.text.strip()]
        targets_all = unit.get_target_terms(target_lang)
        targets = tuple(t.text.strip() for t in targets_all if t.text.strip() and not t.deprecated)
        if not sources or not targets:
            continue
        forms = _forms_in([n for t in targets_all for n in t.notes]) + _forms_in([unit.getnotes() or ""])
        for s in sources:
            terms.append(Term(s, targets, tuple(dict.fromkeys(forms)), unit.getnotes() or ""))
    if not terms:
        raise InputError(f"{name}: the TBX has no entry with {source_lang} and {target_lang} terms")
    return Glossary(terms, source_lang, target_lang, name)


def load_glossary(path: str | Path, source_lang: str = "en", target_lang: str = "id") -> Glossary:
    """Read a CSV or TBX glossary (by suffix: ``.tbx`` or ``.xml`` is TBX, anything else CSV)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    return parse_glossary(data, str(path), source_lang, target_lang)


def parse_glossary(data: bytes, name: str, source_lang: str = "en", target_lang: str = "id") -> Glossary:
    """A glossary file's bytes: TBX when ``name`` ends in ``.tbx`` or ``.xml``, else CSV (UTF-8)."""
    if Path(name).suffix.lower() in (".tbx", ".xml"):
        return parse_tbx(data, name, source_lang, target_lang)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{name}: a CSV glossary must be UTF-8") from None
    return parse_csv(text, name)


# --- findings --------------------------------------------------------------------------------

def glossary_findings(report: Report, glossary: Glossary) -> list[Finding]:
    """One ``terminology`` finding per aligned link whose source uses a glossary term that its
    target does not render; a ``term`` change per missing term, with the source offsets."""
    out: list[Finding] = []
    for link in report.links:
        if not link.source or not link.target:
            continue
        target_text = " ".join(report.target.sentences[j].text for j in link.target)
        missing: dict[int, list[tuple[int, int, str]]] = {}
        for i in link.source:
            sent = report.source.sentences[i]
            for k, s, e in glossary.source_matches(sent.text):
                if not glossary.rendered(k, target_text):
                    missing.setdefault(k, []).append((sent.start + s, sent.start + e, sent.text[s:e]))
        if not missing:
            continue
        changes = tuple(Change("term", occ[0][2], glossary.terms[k].targets[0],
                               tuple((s, e) for s, e, _ in occ))
                        for k, occ in sorted(missing.items(), key=lambda kv: kv[1][0][0]))
        msg = "; ".join(f'term "{c.source}" not rendered as "{c.target}"' for c in changes)
        out.append(Finding("drift", "terminology", link.source, link.target, link.score, msg, changes,
                           TERM_SEVERITY))
    return out


def _places(findings: list[Finding]) -> list[int]:
    """Each finding's place in source order: its first source sentence, or (an addition) the
    place of the finding before it, as :func:`fidelity.findings.find` orders them."""
    out, last = [], -1
    for f in findings:
        if f.source:
            last = f.source[0]
        out.append(last)
    return out


def with_findings(report: Report, findings: list[Finding], base: list[Finding] | None = None) -> Report:
    """``report`` with ``findings`` added to ``base`` (default: the report's own findings, in
    their order; each added one after those of its first source sentence), and the summary's
    counts and verdict brought up to date (an ``unrelated`` verdict stays)."""
    base = report.findings if base is None else base
    keyed = [((place, 0, n), f) for n, (place, f) in enumerate(zip(_places(base), base))]
    keyed += [((place, 1, n), f) for n, (place, f) in enumerate(zip(_places(findings), findings))]
    merged = [f for _, f in sorted(keyed, key=lambda x: x[0])]
    counts = {t: sum(1 for f in merged if f.type == t) for t in ("omission", "addition", "drift", "partial")}
    verdict = report.summary.verdict
    if verdict != "unrelated":
        verdict = "issues" if merged else "faithful"
    summary = replace(report.summary, verdict=verdict, omissions=counts["omission"],
                      additions=counts["addition"], drifts=counts["drift"], partials=counts["partial"])
    return replace(report, findings=merged, summary=summary)


def apply_glossary(report: Report, glossary: Glossary) -> Report:
    """``report`` with the glossary's terminology findings added, and its signature naming the
    glossary (:func:`fidelity.signature.with_glossary`: the findings depend on its terms)."""
    from .signature import with_glossary

    out = with_findings(report, glossary_findings(report, glossary))
    return replace(out, signature=with_glossary(out.signature, glossary))


def term_uses(doc: Document, glossary: Glossary) -> int:
    """How many glossary-term occurrences ``doc`` has (for a report's note on coverage)."""
    return sum(len(glossary.source_matches(s.text)) for s in doc.sentences)


__all__ = ["Glossary", "TERM_SEVERITY", "Term", "apply_glossary", "glossary_findings", "load_glossary",
           "parse_csv", "parse_glossary", "parse_tbx", "source_pattern", "target_pattern", "term_key",
           "with_findings"]
