"""The end of a run: ``results.jsonl`` rewritten in input order, ``summary.json``,
``index.html`` (a sortable overview linking each story's HTML report) and the table printed
on stdout."""

from __future__ import annotations

import heapq
import json
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..exitcodes import FAILED_PAIRS, FINDINGS, OK, exit_code
from .common import COUNT_KEYS, RESULTS, INDEX, SUMMARY, VERDICTS, WORST_LISTED
from .discover import PairSpec
from .records import Record, read_results
from .runner import RunStats

FINDING_KEYS = ("omissions", "additions", "drifts")


def badness(rec: Record) -> tuple:
    """Sort key, worst first: failed, then unrelated, then most findings."""
    return (rec.error is not None, rec.verdict == "unrelated", finding_total(rec))


def finding_total(rec: Record) -> int:
    counts = rec.counts or {}
    return sum(int(counts.get(k, 0)) for k in FINDING_KEYS)


def pair_exit_code(rec: Record, fail_on: frozenset[str]) -> int:
    """0 faithful (or only findings outside ``fail_on``), 1 issues/unrelated, 3 failed."""
    if rec.error is not None or rec.verdict not in VERDICTS:
        return FAILED_PAIRS
    counts = rec.counts or {}
    types = {t for t, k in (("omission", "omissions"), ("addition", "additions"), ("drift", "drifts"))
             if counts.get(k, 0)}
    return exit_code(rec.verdict, types, fail_on)  # the rule of `fidelity check`, per pair


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


def finalize(specs: list[PairSpec], outdir: Path, fail_on: frozenset[str],
             stats: RunStats, signature: str, input_path: str, model_seconds: float) -> Totals:
    """Rewrite ``results.jsonl`` in input order; write ``summary.json`` and ``index.html``."""
    from ..report import write_atomic

    by_id = {r.id: r for r in read_results(outdir / RESULTS)}
    records = [by_id[s.id] for s in specs if s.id in by_id]
    by_id.clear()
    write_atomic(outdir / RESULTS, "".join(r.line() for r in records))
    totals = Totals(pairs=len(records))
    heap: list[tuple[tuple, int, int]] = []
    for n, rec in enumerate(records):
        code = pair_exit_code(rec, fail_on)
        if code == FAILED_PAIRS:
            totals.exit_code = FAILED_PAIRS
        elif code == FINDINGS and totals.exit_code == OK:
            totals.exit_code = FINDINGS
        if rec.error is not None:
            totals.failed += 1
            totals.failures.append({"id": rec.id, "error": rec.error})
            continue
        setattr(totals, rec.verdict, getattr(totals, rec.verdict) + 1)  # type: ignore[arg-type]
        if rec.verdict != "faithful":
            item = (badness(rec), -n, n)
            if len(heap) < WORST_LISTED:
                heapq.heappush(heap, item)
            else:
                heapq.heappushpop(heap, item)
    totals.worst = [{"id": r.id, "verdict": r.verdict,
                     **{k: (r.counts or {}).get(k, 0) for k in FINDING_KEYS}, "html": r.html}
                    for r in (records[n] for _, _, n in sorted(heap, reverse=True))]
    rate = stats.checked / stats.seconds if stats.seconds > 0 else None
    summary = {
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
        "seconds": round(stats.seconds, 3),
        "model_load_seconds": round(model_seconds, 3),
        "pairs_per_second": None if rate is None else round(rate, 3),
        "embedding_seconds": round(stats.embed_seconds, 3),
        "texts_embedded": stats.texts_embedded,
        "worst": totals.worst,
        "failures": totals.failures,
    }
    write_atomic(outdir / SUMMARY, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    write_atomic(outdir / INDEX, render_index(records, summary))
    return totals


def render_index(records: list[Record], summary: dict) -> str:
    """The overview page: a sortable table of every pair, worst first, linking its report."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("fidelity", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    order = sorted(range(len(records)), key=lambda n: (badness(records[n]), -n), reverse=True)
    rows = []
    for n in order:
        rec = records[n]
        counts = rec.counts or {}
        cov = rec.coverage or {}
        rows.append({
            "id": rec.id, "html": rec.html,
            "verdict": rec.verdict or "failed",
            "findings": finding_total(rec),
            **{k: counts.get(k) for k in COUNT_KEYS},
            "source_coverage": cov.get("source"), "target_coverage": cov.get("target"),
            "seconds": rec.seconds, "error": rec.error,
            "source": rec.source, "target": rec.target,
        })
    return env.get_template("batch_index.html.j2").render(rows=rows, summary=summary)


def summary_text(totals: Totals, stats: RunStats) -> str:
    """The tabulate summary printed on stdout."""
    from tabulate import tabulate

    head = ["pairs", "checked", "reused", "faithful", "issues", "unrelated", "failed"]
    row = [totals.pairs, stats.checked, stats.reused, totals.faithful, totals.issues,
           totals.unrelated, totals.failed]
    parts = [tabulate([row], headers=head, tablefmt="simple")]
    if totals.worst:
        parts.append("Worst stories first:")
        parts.append(tabulate([[w["id"], w["verdict"], w["omissions"], w["additions"], w["drifts"]]
                               for w in totals.worst],
                              headers=["story", "verdict", "omissions", "additions", "drifts"],
                              tablefmt="simple", disable_numparse=True))
    if totals.failures:
        shown = totals.failures[:WORST_LISTED]
        more = len(totals.failures) - len(shown)
        parts.append("Failed:" + (f" (first {len(shown)} of {len(totals.failures)})" if more else ""))
        parts.append(tabulate([[f["id"], f["error"]] for f in shown], headers=["story", "error"],
                              tablefmt="simple", disable_numparse=True))
    return "\n\n".join(parts) + "\n"
