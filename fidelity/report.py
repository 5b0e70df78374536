"""Render a :class:`~fidelity.types.Report` as a terminal table, JSON or a self-contained HTML page.

* ``table``: a head line per finding and its passages wrapped under it, for a terminal or a
  CI log, readable at 80 columns as at 120.
* ``json``: ``Report.to_dict()`` verbatim, the stable machine-readable contract.
* ``html``: a side-by-side reading view of the whole alignment for a translator, one offline file
  (inline CSS, no scripts, no network assets) rendered by jinja2 with autoescaping on.

:func:`write_atomic` is how every output file is written, so that an interrupted run never
leaves a half-written report behind.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .errors import FidelityError
from .types import CHANGE_KINDS, Change, Document, Finding, Report, Sentence

FORMATS: tuple[str, ...] = ("table", "json", "html")

#: Default length of an :func:`excerpt`.
EXCERPT_LIMIT = 60

_ELLIPSIS = "…"
_SPACES = re.compile(r"\s+")
# C0/C1 control characters (ANSI escapes included) must not reach a terminal from the input text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

_ANSI = {"omission": "\x1b[31m", "addition": "\x1b[33m", "drift": "\x1b[34m",
         "faithful": "\x1b[32m", "issues": "\x1b[33m", "unrelated": "\x1b[31m",
         "bold": "\x1b[1m", "dim": "\x1b[2m"}
_RESET = "\x1b[0m"


# --------------------------------------------------------------------------- text helpers

def excerpt(text: str, limit: int = EXCERPT_LIMIT) -> str:
    """``text`` on one line, shortened to at most ``limit`` characters with a trailing ellipsis.

    Whitespace runs (line breaks included) become one space and control characters are dropped,
    so an excerpt is always safe to print in a table cell. The cut falls on a word boundary when
    one is close enough to the limit, so words are not chopped needlessly.
    """
    flat = _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()
    if limit < 1:
        return ""
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    if space >= (limit - 1) * 2 // 3:  # a word boundary in the last third: cut there
        cut = cut[:space]
    return cut.rstrip(" ,;:") + _ELLIPSIS


def passage(doc: Document, indexes: tuple[int, ...] | list[int]) -> str:
    """The sentences ``indexes`` of ``doc`` joined by single spaces (empty for no indexes)."""
    return " ".join(doc.sentences[i].text for i in indexes)


def _score_text(score: float | None) -> str:
    return "-" if score is None else f"{score:.2f}"


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _counts(s) -> str:  # noqa: ANN001 - Summary
    return ", ".join([_plural(s.omissions, "omission"), _plural(s.additions, "addition"),
                      _plural(getattr(s, "partials", 0), "partial"), _plural(s.drifts, "drift")])


def summary_line(report: Report) -> str:
    """One line with the verdict, both coverages and the finding counts."""
    s = report.summary
    counts = _counts(s)
    return (f"verdict: {s.verdict} | source coverage {_percent(s.source_coverage)} "
            f"of {s.source_sentences} sentences | target coverage {_percent(s.target_coverage)} "
            f"of {s.target_sentences} sentences | {counts}")


# --------------------------------------------------------------------------- table

@dataclass(frozen=True)
class FindingRow:
    """A finding with the full text of its passages, ready to show (``number`` counts from 1)."""

    number: int
    finding: Finding
    source_text: str
    target_text: str

    @property
    def type(self) -> str:
        return self.finding.type

    @property
    def category(self) -> str:
        return self.finding.category

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def score(self) -> str:
        return _score_text(self.finding.score)


def finding_rows(report: Report) -> list[FindingRow]:
    """One :class:`FindingRow` per finding, in report order, with its passages' joined text."""
    return [FindingRow(n, f, passage(report.source, f.source), passage(report.target, f.target))
            for n, f in enumerate(report.findings, start=1)]


#: Remarks of a finding message that a table row already shows (the score and category columns).
_SHOWN_REMARK = re.compile(r" \((?:closest (?:source|target) sentence scored -?[\d.]+|"
                           r"page furniture or scrape junk)\)")


def table_note(message: str) -> str:
    """A finding message as a table note: without the remarks the row's score and category
    already give, and with what changed ("Manhattan -> New York", an outlet name translated
    word by word) first, so a short cell still shows it."""
    parts = [_SHOWN_REMARK.sub("", part).strip() for part in message.split("; ")]
    parts = [part for part in parts if part]
    return "; ".join(sorted(parts, key=lambda part: " -> " not in part))


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_ANSI[key]}{text}{_RESET}" if color and key in _ANSI else text


#: Width of the table when none is given (a file, a pipe without ``$COLUMNS``).
DEFAULT_WIDTH = 100
#: Narrowest width the table lays itself out for; narrower terminals wrap its lines.
MIN_WIDTH = 60
#: Lines of each passage shown under a finding; the rest is cut with an ellipsis (JSON and
#: HTML have the whole text).
PASSAGE_LINES = 3
#: The score column, explained in one line under every table that has findings.
SCORE_LINE = "score: margin of the closest match on the other side; above 0 is a clear match"

_HEAD = ("#", "type", "severity", "category", "score")
_GAP = 2  # spaces between the head columns
_INDENT = 4  # passages and continuation lines start under the type column


def _flat(text: str) -> str:
    """``text`` on one line, control characters dropped (safe in a terminal)."""
    return _SPACES.sub(" ", _CONTROLS.sub("", text)).strip()


def _wrap(text: str, width: int, lines: int | None = None) -> list[str]:
    """``text`` flattened and wrapped to ``width`` columns, at most ``lines`` lines (the last
    one then ends with an ellipsis)."""
    out = textwrap.wrap(_flat(text), max(width, 8), break_on_hyphens=False) or [""]
    if lines is not None and len(out) > lines:
        out = out[:lines]
        last = out[-1] if len(out[-1]) < width else out[-1][:width - 1]
        out[-1] = last.rstrip(" ,;:") + _ELLIPSIS
    return out


def _head_widths(rows: list[FindingRow]) -> list[int]:
    cells = [[str(r.number), r.type, r.finding.severity, r.category, r.score] for r in rows]
    return [max(len(h), *(len(c[k]) for c in cells)) for k, h in enumerate(_HEAD)]


def _head_cells(cells: list[str], widths: list[int]) -> str:
    """The fixed head columns of one line (the number and score right-aligned)."""
    out = []
    for k, (cell, w) in enumerate(zip(cells, widths)):
        out.append(cell.rjust(w) if k in (0, len(widths) - 1) else cell.ljust(w))
    return (" " * _GAP).join(out)


def _finding_lines(row: FindingRow, widths: list[int], width: int, source_lang: str,
                   target_lang: str, color: bool) -> list[str]:
    """One finding: its head line (number, type, severity, category, score, what it is, the
    note wrapped under itself), then each side's passage wrapped under it, labelled by language."""
    f = row.finding
    head = _head_cells([str(row.number), f.type, f.severity, f.category, row.score], widths)
    if color:
        head = head.replace(f.type, _paint(f.type, f.type, True), 1)
    lead = sum(widths) + _GAP * len(widths)
    note_width = width - lead
    lines: list[str] = []
    note = table_note(row.message)
    if note_width >= 24:
        wrapped = _wrap(note, note_width)
        lines.append(head + " " * _GAP + wrapped[0])
        lines += [" " * lead + part for part in wrapped[1:]]
    else:  # too narrow for a column: the note goes on its own lines under the head
        lines.append(head.rstrip())
        lines += [" " * _INDENT + part for part in _wrap(note, width - _INDENT)]
    label = max(len(source_lang), len(target_lang))
    for lang, text in ((source_lang, row.source_text), (target_lang, row.target_text)):
        if not text:
            continue
        prefix = " " * _INDENT + lang.ljust(label) + "  "
        for k, part in enumerate(_wrap(text, width - len(prefix), PASSAGE_LINES)):
            lines.append((prefix if k == 0 else " " * len(prefix)) + part)
    return lines


def _wrap_parts(parts: list[str], width: int, sep: str = " | ") -> list[str]:
    """``parts`` joined by ``sep`` on as few lines of ``width`` columns as they fit."""
    lines: list[str] = []
    for part in parts:
        if lines and len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def render_table(report: Report, width: int | None = None, color: bool = False,
                 verbose: bool = False) -> str:
    """The findings for a terminal or a CI log: a head line per finding (number, type,
    severity, category, score, and what it is), its passages wrapped underneath, then the
    verdict, the coverages and the counts, and one line that explains the score.

    Every line fits in ``width`` columns (:data:`DEFAULT_WIDTH` when None; at least
    :data:`MIN_WIDTH`), so nothing is cut at 80 columns and nothing is lost at 120; each
    passage shows at most :data:`PASSAGE_LINES` lines. ``verbose`` adds the signature (a
    long line that JSON and HTML always carry). ``color`` adds ANSI colours to the finding
    types and the verdict (off by default so the output is safe to pipe and diff).
    """
    width = max(MIN_WIDTH, width or DEFAULT_WIDTH)
    lines: list[str] = []
    src, tgt = report.source, report.target
    if src.path or tgt.path:
        lines += _wrap_parts([_flat(f"{src.path or '(source)'} [{src.lang}]"),
                              _flat(f"-> {tgt.path or '(target)'} [{tgt.lang}]")], width, sep=" ")
        lines.append("")
    rows = finding_rows(report)
    if rows:
        widths = _head_widths(rows)
        lines.append((_head_cells(list(_HEAD), widths) + " " * _GAP + "what").rstrip())
        for row in rows:
            lines += _finding_lines(row, widths, width, src.lang, tgt.lang, color)
    elif report.summary.verdict == "unrelated":
        lines.append("No findings listed, but the texts look unrelated.")
    else:
        lines.append("No findings: nothing omitted, added or changed.")
    lines.append("")
    s = report.summary
    verdict = _paint(s.verdict, s.verdict, color)
    lines += _wrap_parts([f"verdict: {verdict}",
                          f"source coverage {_percent(s.source_coverage)} of {s.source_sentences} sentences",
                          f"target coverage {_percent(s.target_coverage)} of {s.target_sentences} sentences",
                          _counts(s)], width + len(verdict) - len(s.verdict))
    if rows:
        lines += _wrap(SCORE_LINE, width)
    if verbose:
        lines.append(_paint(f"signature: {report.signature}", "dim", color))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- json

def render_json(report: Report) -> str:
    """The JSON contract: ``report.to_dict()`` pretty-printed, UTF-8 text kept as is."""
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"


# --------------------------------------------------------------------------- html

_TERM_SPLIT = re.compile(r",\s+")


def drift_terms(message: str) -> tuple[list[str], list[str]]:
    """The changed words a drift message names, as (source terms, target terms).

    Messages read ``"<what>: a, b -> c"`` or ``"<what>: a"`` (present in the source only),
    several joined by ``"; "``. Used only to mark those words in the HTML view, so a message
    of another shape just marks nothing.
    """
    s_terms: list[str] = []
    t_terms: list[str] = []
    for part in message.split("; "):
        _, sep, rest = part.partition(": ")
        if not sep:
            continue
        left, arrow, right = rest.partition(" -> ")
        s_terms += [t for t in _TERM_SPLIT.split(left.strip()) if t]
        if arrow:
            t_terms += [t for t in _TERM_SPLIT.split(right.strip()) if t]
    return s_terms, t_terms


def mark_terms(text: str, terms: list[str]) -> Markup:
    """``text`` HTML-escaped, with whole-word occurrences of ``terms`` wrapped in ``<mark>``."""
    terms = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not terms:
        return escape(text)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in terms) + r")(?!\w)")
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(escape(text[pos:m.start()]))
        out.append(Markup("<mark>%s</mark>") % m.group(0))
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


@dataclass
class SentenceView:
    number: int  #: 1-based, as shown to the reader
    paragraph: int  #: 1-based
    html: Markup


@dataclass
class Badge:
    number: int
    type: str
    category: str
    message: str
    anchor: bool  #: the first row of this finding: carries the ``finding-N`` anchor
    severity: str = "major"


@dataclass
class RowView:
    """One alignment link as a row of the side-by-side table."""

    index: int
    kind: str  #: "1-1", "1-0", "0-1", "2-1", ...
    source: list[SentenceView]
    target: list[SentenceView]
    score: float | None
    source_break: bool  #: the source paragraph changes at this row
    target_break: bool
    types: list[str] = field(default_factory=list)  #: finding types on this row
    badges: list[Badge] = field(default_factory=list)

    @property
    def unreported(self) -> bool:
        """A sentence without counterpart that no finding reports (e.g. dropped page furniture)."""
        return not self.types and (not self.source or not self.target)

    @property
    def css(self) -> str:
        classes = ["row", f"k{self.kind.replace('-', '_')}"] if self.kind else ["row"]
        classes += [f"is-{t}" for t in self.types]
        if self.types:
            classes.append("has-finding")
        if self.unreported:
            classes.append("is-unreported")
        return " ".join(classes)

    @property
    def score_text(self) -> str:
        return "" if self.score is None else f"{self.score:.2f}"

    @property
    def score_pct(self) -> int:
        return 0 if self.score is None else round(max(0.0, min(1.0, self.score)) * 100)


def _findings_by_link(report: Report) -> list[list[tuple[int, Finding]]]:
    """For every link, the (number, finding) pairs whose sentences lie in that link."""
    out: list[list[tuple[int, Finding]]] = [[] for _ in report.links]
    where_s: dict[int, int] = {}
    where_t: dict[int, int] = {}
    for k, link in enumerate(report.links):
        where_s.update((i, k) for i in link.source)
        where_t.update((j, k) for j in link.target)
    for n, f in enumerate(report.findings, start=1):
        ks = {where_s[i] for i in f.source if i in where_s} | {where_t[j] for j in f.target if j in where_t}
        for k in sorted(ks):
            out[k].append((n, f))
    return out


#: A change to mark in one side's text: (start, end) document offsets, kind, tooltip.
Mark = tuple[int, int, str, str]


def _change_title(change: Change) -> str:
    if change.source and change.target:
        return f"{change.kind}: {change.source} -> {change.target}"
    return f"{change.kind}: {change.source or change.target}"


def change_marks(findings: list[Finding], side: str) -> list[Mark]:
    """The spans of ``side`` ("source"/"target") that the findings' typed changes cover,
    as :data:`Mark` tuples in document offsets (see :class:`~fidelity.types.Change`)."""
    marks: list[Mark] = []
    for f in findings:
        for change in f.changes:
            kind = change.kind if change.kind in CHANGE_KINDS else "other"
            spans = change.source_spans if side == "source" else change.target_spans
            marks += [(start, end, kind, _change_title(change)) for start, end in spans if end > start]
    return marks


def mark_spans(sentence: Sentence, marks: list[Mark]) -> Markup:
    """``sentence.text`` HTML-escaped, with the parts that ``marks`` (document offsets) cover
    wrapped in ``<mark class="chg chg-KIND" title="...">``: the changed, missing or added
    words. A span that overlaps one marked before it is left out; one that runs past the
    sentence is cut at its edge."""
    text, base = sentence.text, sentence.start
    inside = sorted((max(a, base) - base, min(b, sentence.end) - base, kind, title)
                    for a, b, kind, title in marks if a < sentence.end and b > base)
    out: list[Markup] = []
    pos = 0
    for start, end, kind, title in inside:
        if start < pos:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="chg chg-%s" title="%s">%s</mark>') % (kind, title, text[start:end]))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _sentences(doc: Document, indexes: tuple[int, ...], terms: list[str],
               marks: list[Mark]) -> list[SentenceView]:
    """The sentences of one side of a row: typed changes marked by their offsets, and the
    words a drift message names (:func:`drift_terms`) for findings that carry no changes."""
    views = []
    for i in indexes:
        s = doc.sentences[i]
        html = mark_spans(s, marks) if marks else mark_terms(s.text, terms)
        views.append(SentenceView(i + 1, s.paragraph + 1, html))
    return views


def _rows(report: Report) -> list[RowView]:
    rows: list[RowView] = []
    last_s = last_t = None
    anchored: set[int] = set()
    for k, (link, found) in enumerate(zip(report.links, _findings_by_link(report))):
        s_terms: list[str] = []
        t_terms: list[str] = []
        for _, f in found:
            if f.type == "drift" and not f.changes:
                s, t = drift_terms(f.message)
                s_terms += s
                t_terms += t
        typed = [f for _, f in found]
        s_par = report.source.sentences[link.source[0]].paragraph if link.source else None
        t_par = report.target.sentences[link.target[0]].paragraph if link.target else None
        row = RowView(index=k, kind=link.kind,
                      source=_sentences(report.source, link.source, s_terms, change_marks(typed, "source")),
                      target=_sentences(report.target, link.target, t_terms, change_marks(typed, "target")),
                      score=link.score,
                      source_break=s_par is not None and last_s is not None and s_par != last_s,
                      target_break=t_par is not None and last_t is not None and t_par != last_t)
        for n, f in found:
            if f.type not in row.types:
                row.types.append(f.type)
            row.badges.append(Badge(n, f.type, f.category, f.message, anchor=n not in anchored,
                                    severity=f.severity))
            anchored.add(n)
        last_s = s_par if s_par is not None else last_s
        last_t = t_par if t_par is not None else last_t
        rows.append(row)
    return rows


def _name(doc: Document, fallback: str) -> str:
    return Path(doc.path).name if doc.path else fallback


@lru_cache(maxsize=1)
def _environment():
    """The jinja2 environment over ``fidelity/templates`` (works from a checkout, editable or wheel)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("fidelity", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["excerpt"] = excerpt
    env.filters["percent"] = _percent
    env.filters["score"] = _score_text
    return env


def html_context(report: Report) -> dict:
    """Everything the HTML template shows, with user text left for jinja2 to escape."""
    s = report.summary
    aligned_s = sum(1 for link in report.links if link.source and link.target for _ in link.source)
    aligned_t = sum(1 for link in report.links if link.source and link.target for _ in link.target)
    rows = _rows(report)
    return {
        "report": report,
        "summary": s,
        "source_name": _name(report.source, "source"),
        "target_name": _name(report.target, "target"),
        "source_lang": report.source.lang,
        "target_lang": report.target.lang,
        "aligned_source": aligned_s,
        "aligned_target": aligned_t,
        "findings": finding_rows(report),
        "rows": rows,
        "anchored": {b.number for row in rows for b in row.badges if b.anchor},
        "settings": sorted((str(k), str(v)) for k, v in (report.settings or {}).items()),
    }


def render_html(report: Report) -> str:
    """One self-contained HTML page: summary, legend and the side-by-side alignment."""
    return _environment().get_template("report.html.j2").render(**html_context(report))


# --------------------------------------------------------------------------- output

def render(report: Report, fmt: str, *, width: int | None = None, color: bool = False,
           verbose: bool = False) -> str:
    """``report`` as text in ``fmt``: one of :data:`FORMATS` ("table", "json", "html").

    ``width``, ``color`` and ``verbose`` are passed on to :func:`render_table` and ignored by
    the others (JSON and HTML always carry the signature).
    """
    if fmt == "table":
        return render_table(report, width=width, color=color, verbose=verbose)
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """``path`` when a report can be written there, else :class:`FidelityError` in one line.

    Called before the expensive work, so a typo in ``-o`` costs nothing: a folder (existing,
    or written with a trailing slash) is not a file name, and the file's folder must exist
    and be writable (:func:`write_atomic` creates its temporary file there).
    """
    text = os.fspath(path)
    target = Path(text)
    if not text.strip():
        raise FidelityError("the output file name is empty")
    if text.endswith(("/", os.sep)) or target.is_dir():
        raise FidelityError(f"{text}: is a folder; give the report a file name, "
                            f"e.g. {os.path.join(text, 'report.html')}")
    folder = target.parent
    if not folder.exists():
        raise FidelityError(f"{text}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise FidelityError(f"{text}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise FidelityError(f"{text}: cannot write in {folder} (permission denied)")
    return target


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that readers see the old file or the whole new one.

    The text goes to a hidden temporary file in the same directory (same file system), is
    flushed to disk and then renamed over ``path`` with :func:`os.replace`. An existing file
    keeps its permission bits; a new one gets the usual ones (0666 less the umask). On any
    error the temporary file is removed and the error propagates.
    """
    target = Path(path)
    directory = target.parent
    while True:
        tmp = directory / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileExistsError:  # pragma: no cover - a 32-bit random name collided
            continue
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
        except FileNotFoundError:
            pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


__all__ = ["FORMATS", "FindingRow", "check_output_path", "drift_terms", "excerpt", "finding_rows", "html_context",
           "change_marks", "mark_spans", "mark_terms", "passage", "render", "render_html", "render_json", "render_table",
           "summary_line", "write_atomic"]
