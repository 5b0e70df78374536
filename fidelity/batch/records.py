"""``results.jsonl``: one :class:`Record` per pair, appended as each pair finishes, and the
plan that decides from an earlier run's records which pairs are still up to date.

``results.jsonl`` is rewritten at the start of a run (atomically) with the reused lines only,
so from then on every finished pair appends exactly one line; a run killed at any moment
leaves at most one line per pair (plus perhaps a torn last line, which :func:`read_results`
skips), and the next run redoes what has no line.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .common import COUNT_KEYS, RESULTS, VERDICTS, error_text
from .discover import PairSpec


@dataclass(frozen=True)
class Record:
    """One line of ``results.jsonl``: a pair's outcome (a verdict with its counts, or an error).

    ``language_checked`` says whether the run checked each side's language: that setting decides
    whether a report is made at all, not what it says, so the signature does not name it, and a
    report made without the check must not be reused by a run that asks for it.
    """

    id: str
    source: str | None = None
    target: str | None = None
    verdict: str | None = None
    counts: dict[str, int] | None = None  #: COUNT_KEYS
    coverage: dict[str, float] | None = None  #: "source", "target": share of sentences linked
    #: {finding type: {severity: count}}; None in a record written before severities existed
    severities: dict[str, dict[str, int]] | None = None
    seconds: float = 0.0
    error: str | None = None
    warnings: tuple[str, ...] = ()
    source_sha256: str | None = None
    target_sha256: str | None = None
    signature: str | None = None
    language_checked: bool = True
    report: str | None = None  #: the JSON report's file name in OUTDIR
    html: str | None = None  #: the HTML report's file name in OUTDIR

    @property
    def ok(self) -> bool:
        """Checked, with a verdict (not an error record)."""
        return self.error is None and self.verdict in VERDICTS

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of the line (keys in this order)."""
        return {"id": self.id, "source": self.source, "target": self.target,
                "verdict": self.verdict,
                "counts": None if self.counts is None else dict(self.counts),
                "coverage": None if self.coverage is None else dict(self.coverage),
                "severities": None if self.severities is None
                else {t: dict(s) for t, s in self.severities.items()},
                "seconds": self.seconds, "error": self.error, "warnings": list(self.warnings),
                "source_sha256": self.source_sha256, "target_sha256": self.target_sha256,
                "signature": self.signature, "language_checked": self.language_checked,
                "report": self.report, "html": self.html}

    @classmethod
    def from_dict(cls, data: Any) -> Record | None:
        """The record of a parsed line; None for anything that is not one (a foreign line)."""
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        counts, coverage, sev = data.get("counts"), data.get("coverage"), data.get("severities")
        try:
            return cls(
                id=data["id"], source=_opt_str(data.get("source")), target=_opt_str(data.get("target")),
                verdict=_opt_str(data.get("verdict")),
                counts={str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else None,
                coverage={str(k): float(v) for k, v in coverage.items()}
                if isinstance(coverage, dict) else None,
                severities={str(t): {str(s): int(n) for s, n in by.items()} for t, by in sev.items()}
                if isinstance(sev, dict) else None,
                seconds=float(data.get("seconds") or 0.0), error=_opt_str(data.get("error")),
                warnings=tuple(str(w) for w in data.get("warnings") or ()),
                source_sha256=_opt_str(data.get("source_sha256")),
                target_sha256=_opt_str(data.get("target_sha256")),
                signature=_opt_str(data.get("signature")),
                # A record without the field is from before it was kept: not known to be checked.
                language_checked=data.get("language_checked") is True,
                report=_opt_str(data.get("report")), html=_opt_str(data.get("html")))
        except (TypeError, ValueError, AttributeError):
            return None

    def line(self) -> str:
        """The record as one line of ``results.jsonl`` (newline included)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def make_record(spec: PairSpec, signature: str, source_sha: str | None, target_sha: str | None,
                summary: dict | None, error: str | None, seconds: float,
                notes: list[str] | None = None, language_checked: bool = True) -> Record:
    """The record of a finished pair: ``summary`` is the report's ``Summary.to_dict()``."""
    ok = error is None and summary is not None
    return Record(
        id=spec.id, source=spec.source, target=spec.target,
        verdict=summary["verdict"] if ok else None,  # type: ignore[index]
        counts={k: summary.get(k, 0) for k in COUNT_KEYS} if ok else None,  # type: ignore[union-attr]
        coverage={"source": summary["source_coverage"], "target": summary["target_coverage"]}  # type: ignore[index]
        if ok else None,
        severities=summary.get("severities") if ok else None,  # type: ignore[union-attr]
        seconds=round(seconds, 4), error=None if ok else (error or "unknown error"),
        warnings=tuple(notes or ()), source_sha256=source_sha, target_sha256=target_sha,
        signature=signature, language_checked=language_checked,
        report=spec.stem + ".json" if ok else None, html=spec.stem + ".html" if ok else None)


def parse_line(line: str) -> Record | None:
    """The record of one ``results.jsonl`` line; None for a torn or foreign line (a killed run)."""
    try:
        return Record.from_dict(json.loads(line))
    except json.JSONDecodeError:
        return None


def read_results(path: Path) -> Iterator[Record]:
    """The records of a ``results.jsonl``; a torn or foreign line (a killed run) is skipped."""
    try:
        fh = path.open("r", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            rec = parse_line(line)
            if rec is not None:
                yield rec


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_input(path: str | None) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, error text) for an input file."""
    if path is None:
        return None, None
    try:
        return Path(path).read_bytes(), None
    except OSError as exc:
        return None, error_text(exc)


def reusable(rec: Record | None, spec: PairSpec, signature: str, outdir: Path,
             hashes: tuple[str | None, str | None], check_language: bool = True) -> bool:
    """Whether ``rec`` of an earlier run still holds: same inputs, same signature, reports on
    disk, and the language check passed if this run asks for it."""
    return (rec is not None and rec.ok and rec.signature == signature
            and (rec.language_checked or not check_language)
            and (rec.source_sha256, rec.target_sha256) == hashes
            and (outdir / f"{spec.stem}.json").is_file() and (outdir / f"{spec.stem}.html").is_file())


@dataclass
class Plan:
    """Which pairs to do; the reused ones already have their line in ``results.jsonl``."""

    todo: list[int]  #: indexes into the spec list
    reused: int


def plan(specs: list[PairSpec], outdir: Path, signature: str, force: bool,
         check_language: bool = True) -> Plan:
    """Compare inputs with the last run and rewrite ``results.jsonl`` with the reused lines:
    a pair whose report files exist and whose hashes and signature are unchanged (and that
    passed the language check, if this run asks for one) is reused, the rest are redone
    (all of them with ``force``)."""
    from ..report import write_atomic

    results = outdir / RESULTS
    previous: dict[str, Record] = {} if force else {r.id: r for r in read_results(results)}
    kept: list[str] = []
    todo: list[int] = []
    for k, spec in enumerate(specs):
        rec = previous.pop(spec.id, None)
        if rec is not None and spec.problem is None:
            hashes = tuple(sha256_bytes(b) if b is not None else None
                           for b in (read_input(spec.source)[0], read_input(spec.target)[0]))
            if reusable(rec, spec, signature, outdir, hashes,  # type: ignore[arg-type]
                        check_language):
                # The folder may have moved since: the record names the files as they are now.
                rec = replace(rec, source=spec.source, target=spec.target,
                              report=f"{spec.stem}.json", html=f"{spec.stem}.html")
                kept.append(rec.line())
                continue
        todo.append(k)
    previous.clear()
    if kept or results.exists():
        write_atomic(results, "".join(kept))
    return Plan(todo, len(kept))


@dataclass
class ResultsLog:
    """Appends one line per finished pair to ``results.jsonl``.

    Each line is handed to the operating system at once (``flush``), so a killed process loses
    nothing it has recorded. ``fsync`` (needed only against a power cut) runs at most once per
    ``sync_every`` seconds and at the end: a line lost to a power cut just means that pair is
    redone by the next run, and a torn line is skipped by :func:`read_results`.
    """

    path: Path
    sync_every: float = 1.0
    _synced: float = field(default_factory=time.monotonic, init=False)

    def __post_init__(self) -> None:
        self.fh = self.path.open("a", encoding="utf-8")

    def append(self, rec: Record) -> None:
        self.fh.write(rec.line())
        self.fh.flush()
        if time.monotonic() - self._synced >= self.sync_every:
            self.sync()

    def sync(self) -> None:
        os.fsync(self.fh.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        try:
            self.sync()
        finally:
            self.fh.close()
