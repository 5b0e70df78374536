"""Bilingual files out: a Report as a TMX translation memory or as XLIFF 2 with ITS 2.0 issues.

* :func:`render_tmx` (``--format tmx``): the alignment as a translation memory, what users
  expect of an aligner (hunalign, LF Aligner): one ``<tu>`` per link that has both sides, the
  link's sentences joined by a space on each side, and the link's score and sentence indexes
  as ``<prop>``s (``x-fidelity-score``, ``x-fidelity-source``, ``x-fidelity-target``).
  Omissions and additions have no pair, so they are left out. Inline markup read from a
  bilingual file goes back in as TMX ``<ph>`` elements holding the original markup.
* :func:`render_xliff` (``--format xliff``): the whole pair as XLIFF 2.1, one ``<unit>`` per
  link (a 1-0 link: a segment with no target; a 0-1 link: an empty source), its score and
  indexes in the Metadata module (``mda:meta``), and every finding as an ITS 2.0 Localization
  Quality Issue on a ``<mrk type="its:any">`` around the words concerned
  (``its:locQualityIssueType``, ``its:locQualityIssueComment``,
  ``its:locQualityIssueSeverity``), the W3C annotation QA tools write so a CAT tool shows it
  on the segment. Inline markup read from a bilingual file (:mod:`fidelity.bilingual`) goes
  back in as ``<ph>`` placeholders whose ``disp`` is the original markup.

Both are built with translate-toolkit (the optional extra ``fidelity[cat]``), the annotations
with lxml on the elements it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import FidelityError
from .types import Document, Finding, Link, Report

ITS_NS = "http://www.w3.org/2005/11/its"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
XLIFF2_NS = "urn:oasis:names:tc:xliff:document:2.0"
XLIFF_VERSION = "2.1"
#: ITS 2.0 ``locQualityIssueSeverity`` (0-100) of each fidelity severity.
ITS_SEVERITY: dict[str, int] = {"minor": 30, "major": 70, "critical": 100}
#: ITS 2.0 ``locQualityIssueType`` of a change kind (a finding without changes: its type).
ITS_TYPE: dict[str, str] = {
    "omission": "omission", "addition": "addition", "partial": "omission", "drift": "mistranslation",
    "missing": "omission", "added": "addition", "name": "inconsistent-entities",
    "spelling": "inconsistent-entities", "number": "numbers", "date": "numbers",
    "antonym": "mistranslation", "outlet": "mistranslation", "title": "mistranslation",
    "term": "terminology", "empty": "untranslated", "untranslated": "untranslated",
    "copied": "untranslated", "neighbour": "mistranslation",
}
#: The ITS 2.0 issue types (the fixed list of the specification).
ITS_TYPES: frozenset[str] = frozenset({
    "terminology", "mistranslation", "omission", "untranslated", "addition", "duplication",
    "inconsistency", "grammar", "legal", "register", "locale-specific-content", "locale-violation",
    "style", "characters", "misspelling", "typographical", "formatting", "inconsistent-entities",
    "numbers", "markup", "pattern-problem", "whitespace", "internationalization", "length",
    "non-conformance", "uncategorized", "other"})
#: Change kinds marked on the source side (the target lacks the words); others on the target.
_SOURCE_KINDS = frozenset({"missing", "term", "empty", "untranslated"})


def _toolkit():
    try:
        from translate.storage import tmx, xliff2
    except ImportError:
        raise FidelityError("writing TMX or XLIFF needs translate-toolkit: pip install 'fidelity[cat]'") from None
    return tmx, xliff2


def _joined(doc: Document, idx: tuple[int, ...]) -> str:
    return " ".join(doc.sentences[i].text for i in idx)


def issue_type(f: Finding) -> str:
    """The ITS issue type of a finding: its first change's kind, else its type."""
    kind = f.changes[0].kind if f.changes else f.type
    return ITS_TYPE.get(kind, ITS_TYPE.get(f.type, "other"))


# --- TMX -------------------------------------------------------------------------------------

def tmx_store(report: Report, inlines: dict[str, dict[int, tuple]] | None = None) -> Any:
    """A translate-toolkit ``tmxfile`` with one unit per link that has both sides.

    ``inlines`` (see :func:`xliff_store`): each tag goes back into its ``<seg>`` as a TMX
    ``<ph>`` whose content is the original markup (TMX's native-code placeholder).
    """
    from lxml import etree

    from . import __version__

    tmx, _ = _toolkit()
    src, tgt = report.source.lang, report.target.lang
    store = tmx.tmxfile(sourcelanguage=src, targetlanguage=tgt)
    header = store.document.getroot().find("header")
    header.set("creationtool", "fidelity")
    header.set("creationtoolversion", __version__)
    header.set("datatype", "plaintext")
    inlines = inlines or {}
    for link in report.links:
        if not link.source or not link.target:
            continue
        store.addtranslation(_joined(report.source, link.source), src, _joined(report.target, link.target), tgt)
        tu = store.units[-1].xmlelement
        props = [("x-fidelity-source", ",".join(map(str, link.source))),
                 ("x-fidelity-target", ",".join(map(str, link.target)))]
        if link.score is not None:
            props.insert(0, ("x-fidelity-score", f"{float(link.score):.4f}"))
        for k, (name, value) in enumerate(props):  # <prop>s come before the <tuv>s (TMX 1.4)
            prop = etree.Element("prop", type=name)
            prop.text = value
            tu.insert(k, prop)
        for tuv, (side, doc, idx) in zip(tu.findall("tuv"), (("source", report.source, link.source),
                                                            ("target", report.target, link.target))):
            points = _points(doc, idx, inlines.get(side), "")
            if points:
                _tmx_codes(tuv.find("seg"), _joined(doc, idx), points)
    return store


def _tmx_codes(seg: Any, text: str, points: list[tuple[int, str, str]]) -> None:
    """Rewrite ``seg`` as ``text`` with a ``<ph x=N>markup</ph>`` at each point."""
    from lxml import etree

    for child in list(seg):
        seg.remove(child)
    seg.text, pos = "", 0
    for off, pid, markup in sorted(points):
        _append_text(seg, text[pos:off])
        ph = etree.SubElement(seg, "ph", x=pid)
        ph.text = markup
        pos = off
    _append_text(seg, text[pos:])


def render_tmx(report: Report, inlines: dict[str, dict[int, tuple]] | None = None) -> str:
    """The alignment as TMX 1.4 (omissions and additions left out)."""
    return bytes(tmx_store(report, inlines)).decode("utf-8")


# --- XLIFF 2 with ITS LQI --------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    """One LQI annotation: ``[start, end)`` of one side's segment text."""

    side: str
    start: int
    end: int
    type: str
    comment: str
    severity: int


def _layout(doc: Document, idx: tuple[int, ...]) -> dict[int, int]:
    """Sentence index -> its offset in the segment text (sentences joined by one space)."""
    out, pos = {}, 0
    for i in idx:
        out[i] = pos
        pos += len(doc.sentences[i].text) + 1
    return out


def _segment_spans(doc: Document, layout: dict[int, int], spans: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """Document offsets -> offsets in a link's segment text (spans outside it dropped)."""
    out = []
    for s, e in spans:
        for i, off in layout.items():
            sent = doc.sentences[i]
            if sent.start <= s < sent.end:
                out.append((off + s - sent.start, off + min(e, sent.end) - sent.start))
                break
    return out


def link_issues(report: Report, link: Link, findings: list[Finding]) -> list[Issue]:
    """The LQI annotations of one link's unit: each finding that touches the link, on the side
    its words are (the source for what the target lacks), over its spans, else the whole text."""
    sides = {"source": (report.source, link.source), "target": (report.target, link.target)}
    texts = {side: _joined(doc, idx) for side, (doc, idx) in sides.items()}
    out: list[Issue] = []
    for f in findings:
        if not (set(f.source) & set(link.source) or set(f.target) & set(link.target)):
            continue
        kind = f.changes[0].kind if f.changes else f.type
        side = "source" if (kind in _SOURCE_KINDS or f.type == "omission") else "target"
        if not texts[side]:
            side = "source" if side == "target" else "target"
        if not texts[side]:
            continue
        doc, idx = sides[side]
        layout = _layout(doc, idx)
        spans: list[tuple[int, int]] = []
        for c in f.changes:
            spans += _segment_spans(doc, layout, c.source_spans if side == "source" else c.target_spans)
        spans = [(s, e) for s, e in spans if e > s] or [(0, len(texts[side]))]
        for s, e in spans[:1] if len(spans) > 1 and f.type != "partial" else spans:
            out.append(Issue(side, s, e, issue_type(f), f.message, ITS_SEVERITY.get(f.severity, 70)))
    return out


def _nested(issues: list[Issue], length: int) -> list[Issue]:
    """Issues whose ranges nest (``<mrk>`` must be well-formed): one that crosses an earlier
    one is widened to the whole text, which nests with everything."""
    kept: list[Issue] = []
    for it in issues:
        crosses = any(it.start < k.end and k.start < it.end and not (
            (k.start <= it.start and it.end <= k.end) or (it.start <= k.start and k.end <= it.end)) for k in kept)
        if crosses:
            it = Issue(it.side, 0, length, it.type, it.comment, it.severity)
        kept.append(it)
    return kept


def _append_text(parent: Any, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _fill(parent: Any, text: str, lo: int, hi: int, issues: list[tuple[Issue, str]],
          points: list[tuple[int, str, str]]) -> None:
    """Write ``text[lo:hi]`` into ``parent`` with a ``<mrk>`` per issue (nested ranges sorted
    by start, outer first) and a ``<ph>`` per point ``(offset, id, markup)``; a point on a
    ``<mrk>``'s edge goes outside it."""
    from lxml import etree

    pending = sorted(points)

    def gap(a: int, b: int) -> None:
        pos = a
        while pending and a <= pending[0][0] <= b:
            off, pid, markup = pending.pop(0)
            _append_text(parent, text[pos:off])
            etree.SubElement(parent, f"{{{XLIFF2_NS}}}ph", id=pid, disp=markup)
            pos = off
        _append_text(parent, text[pos:b])

    cursor, k = lo, 0
    while k < len(issues):
        it, mid = issues[k]
        k += 1
        inner = []
        while k < len(issues) and issues[k][0].start >= it.start and issues[k][0].end <= it.end:
            inner.append(issues[k])
            k += 1
        gap(cursor, it.start)
        mrk = etree.SubElement(parent, f"{{{XLIFF2_NS}}}mrk", id=mid, type="its:any")
        mrk.set(f"{{{ITS_NS}}}locQualityIssueType", it.type)
        mrk.set(f"{{{ITS_NS}}}locQualityIssueComment", it.comment)
        mrk.set(f"{{{ITS_NS}}}locQualityIssueSeverity", str(it.severity))
        inside = [p for p in pending if it.start < p[0] < it.end]
        pending[:] = [p for p in pending if not it.start < p[0] < it.end]
        _fill(mrk, text, it.start, it.end, inner, inside)
        cursor = it.end
    gap(cursor, hi)


def _content(el: Any, text: str, issues: list[Issue], points: list[tuple[int, str, str]], prefix: str) -> None:
    ordered = sorted(_nested(issues, len(text)), key=lambda i: (i.start, -i.end))
    named = [(it, f"{prefix}{n + 1}") for n, it in enumerate(ordered)]
    _fill(el, text, 0, len(text), named, sorted(points))


def _points(doc: Document, idx: tuple[int, ...], inlines: dict[int, tuple] | None, prefix: str) -> list[tuple[int, str, str]]:
    if not inlines:
        return []
    out = []
    for i, off in _layout(doc, idx).items():
        for inline in inlines.get(i, ()):
            out.append((off + inline.offset, f"{prefix}{len(out) + 1}", inline.markup))
    return out


def xliff_store(report: Report, inlines: dict[str, dict[int, tuple]] | None = None) -> Any:
    """A translate-toolkit ``Xliff2File`` of the pair: a unit per link, findings as ITS LQI.

    ``inlines``: ``{"source": {sentence: (Inline, ...)}, "target": {...}}`` from
    :meth:`fidelity.bilingual.Bilingual.inlines`, put back as ``<ph>`` placeholders.
    """
    from lxml import etree

    _, xliff2 = _toolkit()
    skeleton = (f'<xliff xmlns="{XLIFF2_NS}" xmlns:its="{ITS_NS}" xmlns:mda="{MDA_NS}" '
                f'version="{XLIFF_VERSION}" srcLang="{report.source.lang}" trgLang="{report.target.lang}" '
                f'its:version="2.0"><file id="f1"/></xliff>')
    store = xliff2.Xliff2File.parsestring(skeleton.encode("utf-8"))
    file_el = store.body
    if report.source.path:
        file_el.set("original", report.source.path)
    ns = f"{{{XLIFF2_NS}}}"
    inlines = inlines or {}
    for n, link in enumerate(report.links, 1):
        unit = etree.SubElement(file_el, ns + "unit", id=f"u{n}")
        _metadata(unit, link)
        seg = etree.SubElement(unit, ns + "segment")
        issues = link_issues(report, link, report.findings)
        src_text, tgt_text = _joined(report.source, link.source), _joined(report.target, link.target)
        src = etree.SubElement(seg, ns + "source")
        _content(src, src_text, [i for i in issues if i.side == "source"],
                 _points(report.source, link.source, inlines.get("source"), "s"), f"u{n}s")
        if link.target:
            seg.set("state", "translated")
            tgt = etree.SubElement(seg, ns + "target")
            _content(tgt, tgt_text, [i for i in issues if i.side == "target"],
                     _points(report.target, link.target, inlines.get("target"), "t"), f"u{n}t")
    return store


def _metadata(unit: Any, link: Link) -> None:
    """The link's score and sentence indexes as the Metadata module's ``mda:meta``."""
    from lxml import etree

    meta = etree.SubElement(unit, f"{{{MDA_NS}}}metadata")
    group = etree.SubElement(meta, f"{{{MDA_NS}}}metaGroup", category="fidelity")
    values = [("source", ",".join(map(str, link.source))), ("target", ",".join(map(str, link.target)))]
    if link.score is not None:
        values.append(("score", f"{float(link.score):.4f}"))
    for name, value in values:
        if not value:  # a 1-0 or 0-1 link has no sentences on one side
            continue
        m = etree.SubElement(group, f"{{{MDA_NS}}}meta", type=name)
        m.text = value


def render_xliff(report: Report, inlines: dict[str, dict[int, tuple]] | None = None) -> str:
    """The pair as XLIFF 2.1 with the findings as ITS 2.0 LQI annotations."""
    from lxml import etree

    store = xliff_store(report, inlines)
    return etree.tostring(store.document, xml_declaration=True, encoding="UTF-8",
                          pretty_print=False).decode("utf-8") + "\n"


#: The ``--format`` values this module writes.
FORMATS: tuple[str, ...] = ("tmx", "xliff")
#: The file suffix of each.
SUFFIX: dict[str, str] = {"tmx": ".tmx", "xliff": ".xlf"}


def render(report: Report, fmt: str, inlines: dict[str, dict[int, tuple]] | None = None) -> str:
    """``--format tmx`` or ``--format xliff`` (``inlines``: see :func:`xliff_store`)."""
    if fmt == "tmx":
        return render_tmx(report, inlines)
    if fmt == "xliff":
        return render_xliff(report, inlines)
    raise ValueError(f"unknown bilingual format {fmt!r} (one of {', '.join(FORMATS)})")


__all__ = ["FORMATS", "ITS_SEVERITY", "SUFFIX", "render", "ITS_TYPE", "ITS_TYPES", "Issue", "issue_type", "link_issues", "render_tmx",
           "render_xliff", "tmx_store", "xliff_store"]
