"""The end of a run: ``results.jsonl`` rewritten in input order, ``summary.json``,
``index.html`` (a sortable overview linking each story's HTML report) and the table printed
on stdout."""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..exitcodes import FAILED_PAIRS, FINDINGS, OK, exit_code
from ..types import SEVERITIES
from .common import (COUNT_KEYS, FINDING_KEYS, INDEX, RESULTS, SUMMARY, VERDICTS,
                     WORST_LISTED)
from .discover import PairSpec
from .records import Record, read_results
from .runner import RunStats

if TYPE_CHECKING:
    from jinja2 import Template

#: What a finding weighs in a story's score, in sentences, by severity (a finding of a record
#: written before severities were kept counts as major).
SEVERITY_WEIGHT = {"minor": 0.25, "major": 1.0, "critical": 2.0}
#: What the order of the overview and of the stdout table means (said in both).
RANKING = ("Ranked by how much is wrong: failed pairs first, then unrelated translations, then "
           "by score = sentences with no counterpart plus findings (critical 2, major 1, minor "
           "0.25 each), per 100 sentences of the pair (both sides), so a long text is not "
           "worse for being long.")


def severity_totals(rec: Record) -> dict[str, int]:
    """How many findings of ``rec`` have each severity, worst first (no zero counts)."""
    if rec.severities is None:
        total = finding_total(rec)
        return {"major": total} if total else {}
    out = {s: 0 for s in reversed(SEVERITIES)}
    for by_sev in rec.severities.values():
        for sev, n in by_sev.items():
            out[sev] = out.get(sev, 0) + n
    return {s: n for s, n in out.items() if n}


def uncovered_share(rec: Record) -> float:
    """The share of the pair's sentences (source and target together) that no link covers:
    what was left out plus what was added."""
    counts, cov = rec.counts or {}, rec.coverage or {}
    n_src, n_tgt = counts.get("source_sentences", 0), counts.get("target_sentences", 0)
    if n_src + n_tgt == 0:
        return 0.0
    missing = (1.0 - cov.get("source", 1.0)) * n_src + (1.0 - cov.get("target", 1.0)) * n_tgt
    return max(0.0, missing / (n_src + n_tgt))


def score(rec: Record) -> float | None:
    """How much is wrong with a checked pair (see :data:`RANKING`); None for a failed one."""
    if not rec.ok:
        return None
    counts, cov = rec.counts or {}, rec.coverage or {}
    n_src, n_tgt = counts.get("source_sentences", 0), counts.get("target_sentences", 0)
    weight = sum(SEVERITY_WEIGHT.get(s, SEVERITY_WEIGHT["major"]) * n
                 for s, n in severity_totals(rec).items())
    return round(100.0 * (uncovered_share(rec) + weight / max(1, n_src + n_tgt)), 1)


def badness(rec: Record) -> tuple:
    """Sort key, worst first: failed, then unrelated, then the highest score."""
    return (rec.error is not None, rec.verdict == "unrelated", score(rec) or 0.0)


def finding_total(rec: Record) -> int:
    counts = rec.counts or {}
    return sum(int(counts.get(k, 0)) for k in FINDING_KEYS.values())


def failing_types(rec: Record, fail_on: frozenset[str]) -> set[str]:
    """The finding types of ``rec`` that ``fail_on`` counts: any finding of a type it names,
    or, when it has a ``counts(type, severity)`` rule (the CLI's ``--fail-on``, which may
    name a least severity), the findings that rule counts."""
    counts = rec.counts or {}
    present = {t for t, k in FINDING_KEYS.items() if counts.get(k, 0)}
    rule = getattr(fail_on, "counts", None)
    if rule is None:
        return present
    if rec.severities is None:
        return {t for t in present if rule(t, "major")}
    return {t for t, by_sev in rec.severities.items()
            if any(n and rule(t, sev) for sev, n in by_sev.items())}


def pair_exit_code(rec: Record, fail_on: frozenset[str]) -> int:
    """0 faithful (or only findings ``fail_on`` does not count), 1 issues/unrelated, 3 failed."""
    if rec.error is not None or rec.verdict not in VERDICTS:
        return FAILED_PAIRS
    return exit_code(rec.verdict, failing_types(rec, fail_on), fail_on)  # `fidelity check`'s rule


def worst_entry(rec: Record) -> dict:
    """A story of the summaries' "worst" list."""
    cov = rec.coverage or {}
    return {"id": rec.id, "verdict": rec.verdict, "score": score(rec),
            **{k: (rec.counts or {}).get(k, 0) for k in FINDING_KEYS.values()},
            "severities": severity_totals(rec),
            "source_coverage": cov.get("source"), "target_coverage": cov.get("target"),
            "html": rec.html}


@dataclass
class Totals:
    """The outcome of every pair of the input (this run's and reused ones)."""

    pairs: int = 0
    faithful: int = 0
    issues: int = 0
    unrelated: int = 0
    failed: int = 0
    exit_code: int = OK
    worst: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


#: The worst-stories heap: (badness, -input number, input number, record) of at most
#: :data:`WORST_LISTED` records that are not faithful (the smallest on top, so pushed out first).
WorstHeap = list[tuple[tuple, int, int, Record]]


def tally(totals: Totals, heap: WorstHeap, n: int, rec: Record, fail_on: frozenset[str]) -> None:
    """Count record ``rec`` (number ``n`` of the input) into ``totals`` and, if it is among the
    worst so far, into ``heap``: the per-record step of both ends of a run (the local engine's
    :func:`finalize` and the Ray engine's streamed one)."""
    totals.pairs += 1
    code = pair_exit_code(rec, fail_on)
    if code == FAILED_PAIRS:
        totals.exit_code = FAILED_PAIRS
    elif code == FINDINGS and totals.exit_code == OK:
        totals.exit_code = FINDINGS
    if rec.error is not None:
        totals.failed += 1
        totals.failures.append({"id": rec.id, "error": rec.error})
        return
    setattr(totals, rec.verdict, getattr(totals, rec.verdict) + 1)  # type: ignore[arg-type]
    if rec.verdict != "faithful":
        item = (badness(rec), -n, n, rec)
        if len(heap) < WORST_LISTED:
            heapq.heappush(heap, item)
        else:
            heapq.heappushpop(heap, item)


def worst_list(heap: WorstHeap) -> list[dict]:
    """The summaries' "worst" list out of the heap :func:`tally` filled, worst first (the
    input numbers are unique, so the records themselves are never compared)."""
    return [worst_entry(rec) for *_, rec in sorted(heap, key=lambda item: item[:3], reverse=True)]


def summary_dict(totals: Totals, stats: RunStats, signature: str, input_path: str,
                 model_seconds: float, total_seconds: float | None = None) -> dict:
    """The content of ``summary.json`` (see :func:`finalize` for its three times)."""
    rate = stats.checked / stats.seconds if stats.seconds > 0 else None
    return {
        "fidelity_version": __version__,
        "signature": signature,
        "input": input_path,
        "pairs": totals.pairs,
        "checked": stats.checked,
        "reused": stats.reused,
        "faithful": totals.faithful,
        "issues": totals.issues,
        "unrelated": totals.unrelated,
        "failed": totals.failed,
        "exit_code": totals.exit_code,
        "seconds": round(stats.seconds + model_seconds if total_seconds is None else total_seconds, 3),
        "model_seconds": round(model_seconds, 3),
        "pairs_seconds": round(stats.seconds, 3),
        "pairs_per_second": None if rate is None else round(rate, 3),
        "embedding_seconds": round(stats.embed_seconds, 3),
        "texts_embedded": stats.texts_embedded,
        "ranking": RANKING,
        "worst": totals.worst,
        "failures": totals.failures,
    }


def summary_json(summary: dict) -> str:
    """``summary.json``'s text."""
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def finalize(specs: list[PairSpec], outdir: Path, fail_on: frozenset[str],
             stats: RunStats, signature: str, input_path: str, model_seconds: float,
             total_seconds: float | None = None) -> Totals:
    """Rewrite ``results.jsonl`` in input order; write ``summary.json`` and ``index.html``.

    ``summary.json`` times the run three ways: ``seconds``, the whole run up to this call
    (``total_seconds``; start-up, model load and planning included), ``model_seconds``, the
    model load (with the workers' start, which overlaps it), and ``pairs_seconds``, the
    pairs' processing after it, from which ``pairs_per_second`` is computed."""
    from ..report import write_atomic

    by_id = {r.id: r for r in read_results(outdir / RESULTS)}
    records = [by_id[s.id] for s in specs if s.id in by_id]
    by_id.clear()
    write_atomic(outdir / RESULTS, "".join(r.line() for r in records))
    totals = Totals()
    heap: WorstHeap = []
    for n, rec in enumerate(records):
        tally(totals, heap, n, rec, fail_on)
    totals.worst = worst_list(heap)
    summary = summary_dict(totals, stats, signature, input_path, model_seconds, total_seconds)
    write_atomic(outdir / SUMMARY, summary_json(summary))
    write_atomic(outdir / INDEX, render_index(records, summary))
    return totals


def index_row(rec: Record) -> dict:
    """One row of ``index.html``: the fields of ``rec`` the template shows."""
    counts = rec.counts or {}
    cov = rec.coverage or {}
    return {"id": rec.id, "html": rec.html, "verdict": rec.verdict or "failed",
            "findings": finding_total(rec), "score": score(rec),
            "severities": list(severity_totals(rec).items()) if rec.ok else [],
            **{k: counts.get(k) for k in COUNT_KEYS},
            "source_coverage": cov.get("source"), "target_coverage": cov.get("target"),
            "seconds": rec.seconds, "error": rec.error, "source": rec.source, "target": rec.target}


def index_template() -> Template:
    """The template of ``index.html`` (rendered whole locally, generated in pieces by Ray)."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("fidelity.batch", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("index.html.j2")


def render_index(records: list[Record], summary: dict) -> str:
    """The overview page: a sortable table of every pair, worst first, linking its report."""
    order = sorted(range(len(records)), key=lambda n: (badness(records[n]), -n), reverse=True)
    return index_template().render(rows=[index_row(records[n]) for n in order], summary=summary)


def summary_text(totals: Totals, stats: RunStats) -> str:
    """The tabulate summary printed on stdout (at most 80 columns but for long story ids)."""
    import textwrap

    from tabulate import tabulate

    head = ["pairs", "checked", "reused", "faithful", "issues", "unrelated", "failed"]
    row = [totals.pairs, stats.checked, stats.reused, totals.faithful, totals.issues,
           totals.unrelated, totals.failed]
    parts = [tabulate([row], headers=head, tablefmt="simple")]
    if totals.worst:
        parts.append("Worst stories first. " + textwrap.fill(RANKING, 78,
                                                             initial_indent=" " * 21)[21:])
        parts.append(tabulate([[w["id"], w["verdict"], f"{w['score']:.1f}",
                                f"{_percent(w['source_coverage'])} / {_percent(w['target_coverage'])}",
                                _findings(w["severities"])] for w in totals.worst],
                              headers=["story", "verdict", "score", "linked src / tgt", "findings"],
                              tablefmt="simple", disable_numparse=True))
    if totals.failures:
        shown = totals.failures[:WORST_LISTED]
        more = len(totals.failures) - len(shown)
        parts.append("Failed:" + (f" (first {len(shown)} of {len(totals.failures)})" if more else ""))
        parts.append(tabulate([[f["id"], f["error"]] for f in shown], headers=["story", "error"],
                              tablefmt="simple", disable_numparse=True))
    return "\n\n".join(parts) + "\n"


def _percent(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.0f}%"


def _findings(severities: dict[str, int]) -> str:
    """E.g. "3: 1 critical, 2 major"."""
    total = sum(severities.values())
    return f"{total}: " + ", ".join(f"{n} {s}" for s, n in severities.items()) if total else "0"
