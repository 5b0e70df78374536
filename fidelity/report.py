"""Render a :class:`~fidelity.types.Report` as a terminal table, JSON or a self-contained HTML page.

* ``table``: one row per finding, for a quick look in a terminal or a CI log.
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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape
from tabulate import tabulate

from .types import Document, Finding, Report

FORMATS: tuple[str, ...] = ("table", "json", "html")

#: Longest excerpt of a passage shown in a table cell when no width is given.
EXCERPT_LIMIT = 60
#: Longest excerpt of the finding's message in a table cell when no width is given.
NOTE_LIMIT = 48
#: With a width: the shortest passage excerpt before the note column is dropped.
MIN_PASSAGE = 20
#: With a width: the shortest useful note; below it the note column is left out.
MIN_NOTE = 16

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


def summary_line(report: Report) -> str:
    """One line with the verdict, both coverages and the finding counts."""
    s = report.summary
    counts = ", ".join([_plural(s.omissions, "omission"), _plural(s.additions, "addition"),
                        _plural(s.drifts, "drift")])
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


_HEADERS = ("#", "type", "category", "source", "target", "score", "note")
_GAP = 2  # tabulate's "simple" format: two spaces between columns
_PAD = 2  # tabulate's minimum padding: a column is at least its header plus two wide


def _column_limits(rows: list[FindingRow], width: int | None) -> tuple[int, int]:
    """Excerpt limits (passages, note) so that every table line fits in ``width`` columns.

    Without a width the defaults apply. With one, both passages get at least
    :data:`MIN_PASSAGE` characters, then the note what it needs (it names the changed numbers
    and names), then the passages the rest. A note limit of 0 means there is no room for the
    note column at all.
    """
    if width is None:
        return EXCERPT_LIMIT, NOTE_LIMIT
    fixed_cells = [[str(r.number), r.type, r.category, r.score] for r in rows]
    fixed = sum(max(len(h) + _PAD, *(len(c[k]) for c in fixed_cells))
                for k, h in enumerate(("#", "type", "category", "score")))
    free = width - fixed - _GAP * (len(_HEADERS) - 2)  # room for source + target (+ gap + note)
    need_note = max(len(excerpt(table_note(r.message), NOTE_LIMIT)) for r in rows)
    note = min(need_note, free - 2 * MIN_PASSAGE - _GAP)
    if note < MIN_NOTE:
        return max(free // 2, 1), 0
    note = max(note, len("note") + _PAD)
    return min((free - note - _GAP) // 2, EXCERPT_LIMIT), note


def _paint(text: str, key: str, color: bool) -> str:
    return f"{_ANSI[key]}{text}{_RESET}" if color and key in _ANSI else text


def render_table(report: Report, width: int | None = None, color: bool = False) -> str:
    """A plain-text table of the findings, a summary line and the signature.

    ``width`` (terminal columns) shortens the excerpts so a row fits on one line; without it,
    passages are cut at :data:`EXCERPT_LIMIT` characters. ``color`` adds ANSI colours to the
    finding types and the verdict (off by default so the output is safe to pipe and diff).
    """
    lines: list[str] = []
    src, tgt = report.source, report.target
    if src.path or tgt.path:
        lines.append(f"{src.path or '(source)'} [{src.lang}] -> {tgt.path or '(target)'} [{tgt.lang}]")
    rows = finding_rows(report)
    if rows:
        limit, note_limit = _column_limits(rows, width)
        notes = [table_note(r.message) for r in rows]
        table = [[r.number, _paint(r.type, r.type, color), r.category,
                  excerpt(r.source_text, limit) or "-", excerpt(r.target_text, limit) or "-",
                  r.score, excerpt(note, note_limit)] for r, note in zip(rows, notes)]
        ncols = len(_HEADERS) if note_limit else len(_HEADERS) - 1
        lines.append(tabulate([row[:ncols] for row in table], headers=_HEADERS[:ncols],
                              tablefmt="simple", disable_numparse=True,
                              colalign=("right", "left", "left", "left", "left", "right", "left")[:ncols]))
        # What changed, in full below the table, where its note cell cut it (or has no column).
        changes = [(r.number, "; ".join(part for part in note.split("; ") if " -> " in part))
                   for r, note in zip(rows, notes)
                   if " -> " in note and (not note_limit or excerpt(note, note_limit) != note)]
        if changes:
            lines.append("")
            lines.append("changes:")
            digits = len(str(rows[-1].number))
            lines += [f"  {n:>{digits}}  {excerpt(note, (width or 80) - digits - 4)}" for n, note in changes]
    elif report.summary.verdict == "unrelated":
        lines.append("No findings listed, but the texts look unrelated.")
    else:
        lines.append("No findings: nothing omitted, added or changed.")
    lines.append("")
    verdict = report.summary.verdict
    lines.append(summary_line(report).replace(f"verdict: {verdict}",
                                              f"verdict: {_paint(verdict, verdict, color)}", 1))
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


def _sentences(doc: Document, indexes: tuple[int, ...], terms: list[str]) -> list[SentenceView]:
    return [SentenceView(i + 1, doc.sentences[i].paragraph + 1, mark_terms(doc.sentences[i].text, terms))
            for i in indexes]


def _rows(report: Report) -> list[RowView]:
    rows: list[RowView] = []
    last_s = last_t = None
    anchored: set[int] = set()
    for k, (link, found) in enumerate(zip(report.links, _findings_by_link(report))):
        s_terms: list[str] = []
        t_terms: list[str] = []
        for _, f in found:
            if f.type == "drift":
                s, t = drift_terms(f.message)
                s_terms += s
                t_terms += t
        s_par = report.source.sentences[link.source[0]].paragraph if link.source else None
        t_par = report.target.sentences[link.target[0]].paragraph if link.target else None
        row = RowView(index=k, kind=link.kind,
                      source=_sentences(report.source, link.source, s_terms),
                      target=_sentences(report.target, link.target, t_terms),
                      score=link.score,
                      source_break=s_par is not None and last_s is not None and s_par != last_s,
                      target_break=t_par is not None and last_t is not None and t_par != last_t)
        for n, f in found:
            if f.type not in row.types:
                row.types.append(f.type)
            row.badges.append(Badge(n, f.type, f.category, f.message, anchor=n not in anchored))
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

def render(report: Report, fmt: str, *, width: int | None = None, color: bool = False) -> str:
    """``report`` as text in ``fmt``: one of :data:`FORMATS` ("table", "json", "html").

    ``width`` and ``color`` are passed on to :func:`render_table` and ignored by the others.
    """
    if fmt == "table":
        return render_table(report, width=width, color=color)
    if fmt == "json":
        return render_json(report)
    if fmt == "html":
        return render_html(report)
    raise ValueError(f"unknown report format {fmt!r}; expected one of: {', '.join(FORMATS)}")


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


__all__ = ["FORMATS", "FindingRow", "drift_terms", "excerpt", "finding_rows", "html_context",
           "mark_terms", "passage", "render", "render_html", "render_json", "render_table",
           "summary_line", "write_atomic"]
