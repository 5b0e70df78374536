"""Bilingual files in: XLIFF 1.2, XLIFF 2.x and TMX read as two sequences of sentences.

CAT tools (Trados, memoQ, Phrase, OmegaT) exchange XLIFF and keep translation memories as TMX.
Both hold *pre-segmented pairs*: each unit (an XLIFF 1.2 ``<trans-unit>``, an XLIFF 2
``<segment>``, a TMX ``<tu>``) pairs one source sentence with its translation. This module
turns such a file into what the checker compares:

* a :class:`Bilingual`: the units in document order (an XLIFF 1.2 ``<trans-unit>`` segmented
  by a ``<seg-source>``, as Trados's SDLXLIFF and memoQ's MQXLIFF are, gives one unit per
  ``<mrk mtype="seg">``), each side's plain text with the inline tags and placeholders taken
  out (:class:`Inline`, kept with their offsets so a report or an export can put them back:
  :meth:`UnitText.restore`);
* a :class:`~fidelity.types.Document` per side (:meth:`Bilingual.documents`), one sentence per
  non-empty unit side, laid out the way ``segment_document(..., presplit=True)`` reads text:
  the units of one paragraph (an XLIFF 2 ``<unit>``, an XLIFF 1.2 ``<trans-unit>``; a TMX
  ``<tu>`` is a paragraph of its own) on consecutive lines, paragraphs separated by a blank
  line;
* per-unit findings the aligner cannot see (:func:`unit_findings`): an empty target, a unit
  with no target at all, a target that repeats the source, and a unit whose target translates
  its neighbour's source (read off the aligner's links).

:func:`check_bilingual` runs the whole check on one file with a
:class:`~fidelity.pipeline.Checker`: the alignment of the two unit sequences still gives the
document-level omissions and additions, and the per-unit findings replace the omissions they
explain.

The formats are parsed by translate-toolkit (GPL-3.0-or-later, so it is the optional extra
``fidelity[cat]``, imported only here and in :mod:`fidelity.export`); this module walks the
lxml elements it exposes for the inline markup. A file that cannot be read raises a one-line
:class:`~fidelity.errors.InputError`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import InputError
from .types import Change, Document, Finding, Link, Report

XLIFF12_NS = "urn:oasis:names:tc:xliff:document:1.2"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: The bilingual formats and the file suffixes that name them.
FORMATS: tuple[str, ...] = ("xliff1.2", "xliff2", "tmx")
SUFFIXES: dict[str, str] = {".xlf": "xliff", ".xliff": "xliff", ".sdlxliff": "xliff", ".mqxliff": "xliff",
                            ".tmx": "tmx"}
#: XLIFF 2 versions read (the core namespace is the same for all of them).
XLIFF2_VERSIONS: tuple[str, ...] = ("2.0", "2.1", "2.2")

#: Inline elements whose content is text of the sentence (the tags around it are kept aside).
_WRAPPERS = frozenset({"g", "pc", "mrk", "hi"})
#: Inline elements that stand for native code or a placeholder: their content is not text.
_CODES = frozenset({"x", "bx", "ex", "ph", "it", "bpt", "ept", "ut", "sc", "ec", "sm", "em", "cp", "sub"})
_SPACE = re.compile(r"\s+")
_LETTER_WORD = re.compile(r"[^\W\d_]{2,}")
#: Severity of each per-unit finding (``Change.kind``).
UNIT_SEVERITY: dict[str, str] = {"empty": "major", "untranslated": "major", "copied": "major",
                                 "neighbour": "major"}


def is_bilingual(path: str | Path) -> bool:
    """True when ``path`` names an XLIFF or TMX file by its suffix."""
    return Path(path).suffix.lower() in SUFFIXES


@dataclass(frozen=True)
class Inline:
    """An inline tag or placeholder taken out of a unit's text.

    ``offset``: where it stood in :attr:`UnitText.text`; ``markup``: the original XML
    (an opening tag, a closing tag, or a whole placeholder element with its content);
    ``role``: ``open``, ``close`` or ``code`` (a placeholder).
    """

    offset: int
    markup: str
    role: str


@dataclass(frozen=True)
class UnitText:
    """One side of a unit: the plain text compared, and the inline markup taken out of it."""

    text: str
    inlines: tuple[Inline, ...] = ()

    def restore(self) -> str:
        """The text with its inline markup put back where it stood (an XML fragment)."""
        from xml.sax.saxutils import escape

        out: list[str] = []
        pos = 0
        for inline in sorted(self.inlines, key=lambda i: i.offset):  # stable: document order
            out.append(escape(self.text[pos:inline.offset]))
            out.append(inline.markup)
            pos = inline.offset
        out.append(escape(self.text[pos:]))
        return "".join(out)


@dataclass(frozen=True)
class Unit:
    """One pre-segmented pair. ``target`` is None when the unit has no target at all."""

    id: str
    source: UnitText
    target: UnitText | None
    paragraph: int
    #: a TMX ``<tu>``'s ``<prop>``s, ``(type, value)`` in order (fidelity's export writes the
    #: link's score and sentence indexes there)
    props: tuple[tuple[str, str], ...] = ()


@dataclass
class Bilingual:
    """The units of one bilingual file, in document order."""

    path: str | None
    format: str  # one of FORMATS
    source_lang: str
    target_lang: str
    units: list[Unit]
    #: filled by :meth:`documents`: sentence index of each side -> unit index
    source_units: list[int] = field(default_factory=list)
    target_units: list[int] = field(default_factory=list)

    def documents(self) -> tuple[Document, Document]:
        """One Document per side: a sentence per unit whose side is not empty."""
        from .segment import segment_document

        sides = []
        for side, owners in (("source", self.source_units), ("target", self.target_units)):
            owners.clear()
            lines: list[str] = []
            last_para = None
            for k, unit in enumerate(self.units):
                ut = unit.source if side == "source" else unit.target
                if ut is None or not ut.text:
                    continue
                if last_para is not None and unit.paragraph != last_para:
                    lines.append("")
                lines.append(ut.text)
                owners.append(k)
                last_para = unit.paragraph
            lang = self.source_lang if side == "source" else self.target_lang
            doc = segment_document("\n".join(lines), lang, path=self.path, presplit=True)
            if len(doc) != len(owners):  # a unit text is one line with no blank: never happens
                raise InputError(f"{self.path}: units could not be laid out one per sentence")
            sides.append(doc)
        return sides[0], sides[1]

    def tagged(self, side: str, index: int) -> str:
        """Sentence ``index`` of ``side`` with its unit's inline markup put back (an XML
        fragment, for a report that shows the tags); call :meth:`documents` first."""
        owners = self.source_units if side == "source" else self.target_units
        unit = self.units[owners[index]]
        text = unit.source if side == "source" else unit.target
        return text.restore() if text is not None else ""

    def inlines(self, side: str) -> dict[int, tuple[Inline, ...]]:
        """Sentence index of ``side`` -> the inline markup of its unit (offsets in the sentence);
        call :meth:`documents` first."""
        owners = self.source_units if side == "source" else self.target_units
        out: dict[int, tuple[Inline, ...]] = {}
        for i, k in enumerate(owners):
            ut = self.units[k].source if side == "source" else self.units[k].target
            if ut is not None and ut.inlines:
                out[i] = ut.inlines
        return out


# --- reading -------------------------------------------------------------------------------

def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _open_tag(el: Any) -> str:
    """``<g id="1">`` for an element (its namespace left out: the markup is for display)."""
    attrs = "".join(f' {_local(k)}="{_attr(v)}"' for k, v in el.attrib.items())
    return f"<{_local(el.tag)}{attrs}>"


def _attr(value: str) -> str:
    from xml.sax.saxutils import escape

    return escape(value, {'"': "&quot;"})


def _code_markup(el: Any) -> str:
    """A placeholder element with its content, as XML without namespace declarations."""
    from lxml import etree

    copy = etree.fromstring(etree.tostring(el, with_tail=False))
    for node in copy.iter():
        if isinstance(node.tag, str):
            node.tag = _local(node.tag)
    etree.cleanup_namespaces(copy)
    return etree.tostring(copy, encoding="unicode", with_tail=False)


def _pieces(el: Any, out: list) -> None:
    """Flatten an element's content into ``out``: ``("t", text)`` and ``(role, markup)``."""
    if el.text:
        out.append(("t", el.text))
    for child in el:
        name = _local(child.tag)
        if not isinstance(child.tag, str):  # comment or processing instruction: not text
            pass
        elif name in _WRAPPERS:
            out.append(("open", _open_tag(child)))
            _pieces(child, out)
            out.append(("close", f"</{name}>"))
        else:  # _CODES and anything unknown: a placeholder, its content is not sentence text
            out.append(("code", _code_markup(child)))
        if child.tail:
            out.append(("t", child.tail))


def unit_text(el: Any | None) -> UnitText | None:
    """The plain text of a ``<source>``/``<target>``/``<seg>`` element (whitespace runs made one
    space, ends stripped) and its inline markup with offsets into that text."""
    if el is None:
        return None
    pieces: list = []
    _pieces(el, pieces)
    text = ""
    marks: list[tuple[int, str, str]] = []
    for role, value in pieces:
        if role != "t":
            marks.append((len(text), value, role))
            continue
        chunk = _SPACE.sub(" ", value)
        if chunk.startswith(" ") and (not text or text.endswith(" ")):
            chunk = chunk[1:]
        text += chunk
    stripped = text.rstrip()
    inlines = tuple(Inline(min(o, len(stripped)), m, r) for o, m, r in marks)
    return UnitText(stripped, inlines)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _parse_root(data: bytes, name: str) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({_one_line(exc)})") from None


def detect_format(root: Any, name: str) -> str:
    """``xliff1.2``, ``xliff2`` or ``tmx`` from the root element; InputError for anything else."""
    tag, ns = _local(root.tag), root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    version = (root.get("version") or "").strip()
    if tag == "xliff":
        if ns == XLIFF2_NS or version.startswith("2"):
            if version not in XLIFF2_VERSIONS:
                raise InputError(f"{name}: XLIFF version {version or '(none)'} is not supported "
                                 f"(XLIFF 1.2 and {', '.join(XLIFF2_VERSIONS)} are)")
            return "xliff2"
        if version != "1.2":
            raise InputError(f"{name}: XLIFF version {version or '(none)'} is not supported "
                             f"(XLIFF 1.2 and {', '.join(XLIFF2_VERSIONS)} are)")
        return "xliff1.2"
    if tag == "tmx":
        return "tmx"
    raise InputError(f"{name}: not an XLIFF or TMX file (root element <{tag}>)")


def _toolkit():
    try:
        from translate.storage import tmx, xliff, xliff2
    except ImportError:
        raise InputError("reading XLIFF and TMX needs translate-toolkit: pip install 'fidelity[cat]'") from None
    return xliff, xliff2, tmx


def _require_lang(value: str | None, what: str, name: str) -> str:
    from .langid import normalize_lang

    if not value or not value.strip():
        raise InputError(f"{name}: the {what} language is not declared")
    return normalize_lang(value.strip().split("-")[0].split("_")[0].lower())


def _seg_marks(el: Any | None, ns: str) -> dict[str, Any]:
    """``mid`` -> the ``<mrk mtype="seg">`` of a ``<seg-source>`` or ``<target>`` (the sentence
    segmentation Trados, memoQ and Okapi write into XLIFF 1.2)."""
    if el is None:
        return {}
    return {m.get("mid", ""): m for m in el.iter(ns + "mrk") if m.get("mtype") == "seg"}


def _xliff1_units(data: bytes, name: str) -> tuple[str, str, list[Unit]]:
    """Each ``<trans-unit>`` is a paragraph: one unit, or, when it carries a ``<seg-source>``
    with ``<mrk mtype="seg">`` segments, one unit per segment (id ``TU:MID``), its target the
    target's segment of the same ``mid`` (None when the target has no such segment)."""
    xliff, _, _ = _toolkit()
    store = xliff.xlifffile.parsestring(data)
    src = _require_lang(store.getsourcelanguage(), "source (source-language)", name)
    tgt = _require_lang(store.gettargetlanguage(), "target (target-language)", name)
    ns = f"{{{store.namespace}}}"
    units: list[Unit] = []
    paragraph = 0
    for k, u in enumerate(store.units):
        if not u.istranslatable():
            continue
        el = u.xmlelement
        tu_id = el.get("id") or str(k + 1)
        target = el.find(ns + "target")
        segments = _seg_marks(el.find(ns + "seg-source"), ns)
        if segments:
            targets = _seg_marks(target, ns)
            for mid, mrk in segments.items():
                units.append(Unit(f"{tu_id}:{mid}", unit_text(mrk) or UnitText(""), unit_text(targets.get(mid)),
                                  paragraph))
        else:
            units.append(Unit(tu_id, unit_text(el.find(ns + "source")) or UnitText(""), unit_text(target),
                              paragraph))
        paragraph += 1
    return src, tgt, units


def _xliff2_units(data: bytes, name: str) -> tuple[str, str, list[Unit]]:
    _, xliff2, _ = _toolkit()
    try:
        store = xliff2.Xliff2File.parsestring(data)
    except ValueError as exc:
        raise InputError(f"{name}: {_one_line(exc)}") from None
    root = store.document.getroot()
    src = _require_lang(root.get("srcLang"), "source (srcLang)", name)
    tgt = _require_lang(root.get("trgLang"), "target (trgLang)", name)
    ns = f"{{{XLIFF2_NS}}}"
    units: list[Unit] = []
    paragraphs: dict[str, int] = {}
    tree = store.document
    for u in store.units:
        if not u.istranslatable():
            continue
        seg = u.xmlelement
        para = paragraphs.setdefault(tree.getpath(seg.getparent()), len(paragraphs))
        units.append(Unit(u.getid() or str(len(units) + 1), unit_text(seg.find(ns + "source")) or UnitText(""),
                          unit_text(seg.find(ns + "target")), para))
    return src, tgt, units


def _tmx_units(data: bytes, name: str) -> tuple[str, str, list[Unit]]:
    _, _, tmx = _toolkit()
    store = tmx.tmxfile.parsestring(data)
    header = store.document.getroot().find("header")
    declared = header.get("srclang") if header is not None else None
    if not declared or declared.strip() in ("", "*all*"):
        raise InputError(f"{name}: the source language is not declared (<header srclang>)")
    src_code = declared.strip().lower()
    units: list[Unit] = []
    target_code: str | None = None
    for k, u in enumerate(store.units):
        tuvs = {}
        for tuv in u.getlanguageNodes():
            lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").strip().lower()
            if not lang:
                raise InputError(f"{name}: a <tuv> of unit {k + 1} declares no language (xml:lang)")
            tuvs[lang] = tuv
        others = [lang for lang in tuvs if lang != src_code]
        if src_code not in tuvs or len(others) > 1:
            raise InputError(f"{name}: unit {k + 1} does not pair {src_code} with one other language")
        if others:
            if target_code is None:
                target_code = others[0]
            elif others[0] != target_code:
                raise InputError(f"{name}: unit {k + 1} is in {others[0]}, the others in {target_code}")
        seg = lambda tuv: tuv.find("seg") if tuv is not None else None  # noqa: E731
        target = tuvs.get(others[0]) if others else None
        units.append(Unit(u.xmlelement.get("tuid") or str(k + 1), unit_text(seg(tuvs[src_code])) or UnitText(""),
                          unit_text(seg(target)) if target is not None else None, len(units),
                          tuple((p.get("type", ""), p.text or "") for p in u.xmlelement.findall("prop"))))
    if target_code is None:
        raise InputError(f"{name}: no unit has a target language (xml:lang of a second <tuv>)")
    return _require_lang(src_code, "source", name), _require_lang(target_code, "target", name), units


def read_bilingual_bytes(data: bytes, name: str = "<bilingual>") -> Bilingual:
    """Read XLIFF 1.2, XLIFF 2.x or TMX from bytes (the format from the root element)."""
    root = _parse_root(data, name)
    fmt = detect_format(root, name)
    reader = {"xliff1.2": _xliff1_units, "xliff2": _xliff2_units, "tmx": _tmx_units}[fmt]
    try:
        src, tgt, units = reader(data, name)
    except InputError:
        raise
    except Exception as exc:  # the toolkit's own complaints about a malformed file
        raise InputError(f"{name}: cannot read {fmt}: {_one_line(exc)}") from None
    if not any(u.source.text for u in units):
        raise InputError(f"{name}: no unit has source text")
    return Bilingual(name, fmt, src, tgt, units)


def read_bilingual(path: str | Path) -> Bilingual:
    """Read an XLIFF or TMX file; a one-line InputError when it cannot be."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or _one_line(exc)}") from None
    return read_bilingual_bytes(data, str(path))


# --- per-unit findings -----------------------------------------------------------------------

def _norm(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def _span(doc: Document, index: int | None) -> tuple[tuple[int, int], ...]:
    if index is None:
        return ()
    sent = doc.sentences[index]
    return ((sent.start, sent.end),)


def _unit_change(kind: str, unit: Unit, i: int | None, j: int | None, source: Document, target: Document) -> Change:
    """The change of a per-unit finding: the unit's texts, and the spans of its sentences
    (``i``/``j``: its sentence on each side, None where that side is empty)."""
    return Change(kind, unit.source.text, unit.target.text if unit.target else "", _span(source, i),
                  _span(target, j))


def unit_findings(bil: Bilingual, report: Report,
                  encode: Callable[[list[str]], Any] | None = None) -> list[Finding]:
    """Empty, missing and copied targets, and targets that translate a neighbouring unit.

    ``report`` is the check of :meth:`Bilingual.documents` (its links are compared with the
    units' own pairing); ``encode`` (texts -> unit-length embedding rows, e.g. a Checker's
    ``encoder.encode``) lets a unit the aligner left unlinked be compared with its neighbours.
    Category: the one the report gave the unit's sentence, else body.
    """
    source, target = report.source, report.target
    s_of = {k: i for i, k in enumerate(bil.source_units)}
    t_of = {k: j for j, k in enumerate(bil.target_units)}
    cats = _categories(report)
    out: list[Finding] = []
    for k, unit in enumerate(bil.units):
        if k not in s_of:
            continue
        i = s_of[k]
        kind = msg = None
        if unit.target is None:
            kind, msg = "untranslated", f"unit {unit.id}: no target (not translated)"
        elif not unit.target.text:
            kind, msg = "empty", f"unit {unit.id}: the target is empty"
        elif (_norm(unit.source.text) == _norm(unit.target.text)
              and len(_LETTER_WORD.findall(unit.source.text)) >= 2):
            kind, msg = "copied", f"unit {unit.id}: the target repeats the source (not translated)"
        if kind:
            out.append(Finding("omission" if kind != "copied" else "drift", cats.get(i, "body"), (i,),
                               (t_of[k],) if k in t_of else (), None, msg,
                               (_unit_change(kind, unit, i, t_of.get(k), source, target),), UNIT_SEVERITY[kind]))
    out.extend(_neighbour_findings(bil, report, s_of, t_of, cats, encode))
    return out


def _categories(report: Report) -> dict[int, str]:
    from .categories import categorize

    return dict(enumerate(categorize(report.source)))


#: How much better a neighbour's source must match a unit's target than the unit's own source.
NEIGHBOUR_MARGIN = 0.1


def _neighbour_findings(bil: Bilingual, report: Report, s_of: dict[int, int], t_of: dict[int, int],
                        cats: dict[int, str], encode: Callable[[list[str]], Any] | None) -> list[Finding]:
    """Units whose target translates the source of the unit before or after it.

    Only units the aligner did not link to their own source are suspects (a unit whose two
    sides share a link is as the file says). A suspect is reported when the aligner linked its
    target to a neighbour's source instead, or, with ``encode`` (texts -> unit-length rows),
    when its target is closer to a neighbour's source than to its own by ``NEIGHBOUR_MARGIN``
    (the aligner, which keeps order, may instead leave both unlinked).
    """
    link_of_s = {i: n for n, link in enumerate(report.links) for i in link.source}
    link_of_t = {j: n for n, link in enumerate(report.links) for j in link.target}
    src, tgt = report.source.sentences, report.target.sentences
    suspects = [k for k in range(len(bil.units)) if k in s_of and k in t_of
                and link_of_s.get(s_of[k]) != link_of_t.get(t_of[k])]
    found: dict[int, tuple[int, float | None]] = {}  # suspect unit -> (neighbour unit, score)
    unlinked: list[tuple[int, list[int]]] = []
    for k in suspects:
        near = [n for n in (k - 1, k + 1) if n in s_of]
        link = report.links[link_of_t[t_of[k]]] if t_of[k] in link_of_t else None
        linked = [n for n in near if link is not None and s_of[n] in link.source]
        if linked:
            found[k] = (linked[0], link.score)
        elif near:
            unlinked.append((k, near))
    if encode is not None and unlinked:  # one call embeds every text the comparisons need
        texts = list(dict.fromkeys(t for k, near in unlinked for t in
                                   [tgt[t_of[k]].text, src[s_of[k]].text] + [src[s_of[n]].text for n in near]))
        rows = dict(zip(texts, encode(texts)))
        for k, near in unlinked:
            t_row = rows[tgt[t_of[k]].text]
            own = float(t_row @ rows[src[s_of[k]].text])
            best, sim = max(((n, float(t_row @ rows[src[s_of[n]].text])) for n in near), key=lambda x: x[1])
            if sim >= own + NEIGHBOUR_MARGIN:
                found[k] = (best, sim)
    out = []
    for k in sorted(found):
        other, score = found[k]
        i, j, o = s_of[k], t_of[k], s_of[other]
        out.append(Finding("drift", cats.get(i, "body"), (i,), (j,), score,
                           f"unit {bil.units[k].id}: the target translates the source of unit {bil.units[other].id}",
                           (Change("neighbour", src[o].text, tgt[j].text, ((src[o].start, src[o].end),),
                                   ((tgt[j].start, tgt[j].end),)),),
                           UNIT_SEVERITY["neighbour"]))
    return out


def merge_unit_findings(report: Report, found: Iterable[Finding]) -> Report:
    """``report`` with the per-unit findings added; an omission of a sentence whose unit has
    an empty or missing target is explained by the unit finding and is left out."""
    from .glossary import with_findings

    found = list(found)
    explained = {i for f in found if f.changes and f.changes[0].kind in ("empty", "untranslated") for i in f.source}
    kept: list[Finding] = []
    for f in report.findings:
        if f.type == "omission" and explained.intersection(f.source):
            rest = [i for i in f.source if i not in explained]
            for run in consecutive_runs(rest):
                kept.append(Finding("omission", f.category, tuple(run), (), f.score,
                                    f"{len(run)} sentence{'s' if len(run) > 1 else ''} not translated",
                                    (), f.severity))
        else:
            kept.append(f)
    return with_findings(report, found, base=kept)


def consecutive_runs(indexes: Iterable[int]) -> list[list[int]]:
    """The runs of consecutive numbers of ascending ``indexes`` ([3, 4, 7] -> [[3, 4], [7]])."""
    runs: list[list[int]] = []
    for i in indexes:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


def unit_links(bil: Bilingual) -> list[Link]:
    """The pairing the file itself states: each unit with both sides non-empty is a 1-1 link
    (call :meth:`Bilingual.documents` first). A TMX written by :mod:`fidelity.export` holds
    one link per unit, so this reads its links back."""
    s_of = {k: i for i, k in enumerate(bil.source_units)}
    t_of = {k: j for j, k in enumerate(bil.target_units)}
    return [Link((s_of[k],), (t_of[k],)) for k in range(len(bil.units)) if k in s_of and k in t_of]


def check_bilingual(bil: Bilingual, checker: Any, settings: Any = None, glossary: Any = None) -> Report:
    """Check one bilingual file with a :class:`~fidelity.pipeline.Checker`: align the unit
    sequences (document-level omissions and additions, drift, ...), then add the per-unit
    findings and, with a ``glossary`` (:class:`fidelity.glossary.Glossary`), the terminology
    findings. The languages are the file's own (``srcLang``/``trgLang``, ``source-language``/
    ``target-language``, the TMX ``srclang`` and ``xml:lang``), checked as text is unless
    ``settings.check_language`` is off."""
    from .pipeline import Pair

    s = settings or checker.settings
    source, target = bil.documents()
    if (source.lang, target.lang) != (s.source_lang, s.target_lang):
        from dataclasses import replace

        s = replace(s, source_lang=source.lang, target_lang=target.lang)
    if s.check_language:  # as pipeline.prepare does for text: a file that mislabels a side
        from .langid import check_language

        check_language(source.text, source.lang, f"{bil.path} (source units)")
        check_language(target.text, target.lang, f"{bil.path} (target units)")
    report = checker.check_pair(Pair(source, target), s)
    report = merge_unit_findings(report, unit_findings(bil, report, checker.encoder.encode))
    if glossary is not None:
        from .glossary import apply_glossary

        report = apply_glossary(report, glossary)
    return report


__all__ = ["Bilingual", "FORMATS", "Inline", "SUFFIXES", "Unit", "UnitText", "check_bilingual", "consecutive_runs",
           "detect_format", "is_bilingual", "merge_unit_findings", "read_bilingual",
           "read_bilingual_bytes", "unit_findings", "unit_links", "unit_text"]
