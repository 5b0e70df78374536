"""What a house glossary (``check``/``batch --glossary``) costs, measured in one run.

    python -m benchmarks.glossary_speed [--sizes 1000,5000] [--repeats 3] [--loads 100]
                                        [--model PATH] [--seed 0] [--out benchmarks/out]
    python -m benchmarks.glossary_speed --end-to-end [--pairs 200] [--e2e-terms 5000] [--workers N] ...

1. Checks the seed pair and every fixture pair (``benchmarks.batch_speed.base_pairs``) once
   with the shipped model, in this process. The glossaries are the shipped
   ``examples/glossary-seed.csv`` and, for each of ``--sizes``, that many word pairs of the
   shipped lexicon (``models/lexicon/en-id.pairs.txt``, shuffled with ``--seed``), each pair
   one term.
2. Per glossary, times :func:`fidelity.glossary.glossary_findings` on those reports with
   ``time.thread_time()`` (torch's spinning threads would count in ``process_time``; the
   machine is shared, so CPU time of this thread, not wall time), best of ``--repeats``:
   once with the term pre-filter (``Glossary._candidates``) and once with every term tried
   (``_candidates`` replaced by all terms, as the code was before the keyed search). Both
   must find the same term uses in every source sentence and the same findings; the result
   says whether they do.
3. Times the pickling a batch worker pays (the local engine sends the glossary with every
   pair): a process's first ``pickle.loads`` parses and compiles the terms, each later one
   finds its copy (``fidelity.glossary._SHARED``), so it is timed once (best of
   ``--repeats``, the process's copies cleared before each) and then ``--loads`` times,
   ``dumps`` and ``loads`` together.
4. With ``--end-to-end``: ``fidelity batch --force -q`` over ``--pairs`` generated pairs
   (``benchmarks.batch_speed.generate``) without a glossary, with the seed glossary, with
   ``--e2e-terms`` lexicon word pairs, and without one again (the two runs without bracket
   the others, so a change in the machine's load shows), each measured as a whole: CPU
   seconds of its process tree (``benchmarks.batch_speed.run_measured``) and the rate after
   the model load (``summary.json``).

Prints tables and writes ``glossary_speed.json`` into ``--out`` (gitignored).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from tabulate import tabulate

from benchmarks._gen import git_revision
from benchmarks.batch_speed import base_pairs, generate, machine, run_measured
from fidelity import glossary as glossary_module
from fidelity.glossary import Glossary, Term, glossary_findings, load_glossary
from fidelity.types import Report

REPO = Path(__file__).resolve().parent.parent
LEXICON = REPO / "models" / "lexicon" / "en-id.pairs.txt"
SEED_GLOSSARY = REPO / "examples" / "glossary-seed.csv"


# --------------------------------------------------------------------------- inputs

def lexicon_pairs(seed: int = 0) -> list[tuple[str, str]]:
    """Every (English, Indonesian) word pair of the shipped lexicon, shuffled with ``seed``."""
    pairs = [tuple(line.split("\t")[:2]) for line in LEXICON.read_text(encoding="utf-8").splitlines()
             if "\t" in line and not line.startswith("#")]
    random.Random(seed).shuffle(pairs)
    return pairs  # type: ignore[return-value]


def lexicon_glossary(n: int, seed: int = 0) -> Glossary:
    """A glossary of the first ``n`` shuffled lexicon word pairs (each one term)."""
    pairs = lexicon_pairs(seed)
    if n > len(pairs):
        raise SystemExit(f"the lexicon has {len(pairs)} word pairs, fewer than {n}")
    return Glossary([Term(en, (id_,)) for en, id_ in pairs[:n]], path=f"lexicon-{n}")


def write_csv(glossary: Glossary, path: Path) -> Path:
    """``glossary`` as a CSV file ``batch --glossary`` reads (a header row, so that no term is
    taken for one)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow([glossary.source_lang, glossary.target_lang])
        for t in glossary.terms:
            out.writerow([t.source, "|".join(t.targets), "|".join(t.forms)])
    return path


def story_reports(model: str | None = None) -> list[Report]:
    """The seed pair and every fixture pair, checked with the shipped (or ``model``) model."""
    from fidelity.pipeline import Checker, Settings

    settings = Settings(device="cpu") if model is None else Settings(device="cpu", model=model)
    checker = Checker(settings, progress=False)
    return [checker.check(src, tgt, f"{name}.en.txt", f"{name}.id.txt") for name, src, tgt in base_pairs()]


# --------------------------------------------------------------------------- measuring

@contextmanager
def every_term_tried() -> Iterator[None]:
    """Within the block, every glossary tries every term on every sentence (no pre-filter)."""
    keyed = Glossary._candidates
    Glossary._candidates = lambda self, text: range(len(self.terms))  # type: ignore[method-assign]
    try:
        yield
    finally:
        Glossary._candidates = keyed  # type: ignore[method-assign]


def _best_ms(fn, repeats: int) -> tuple[float, object]:
    """The least thread CPU time of ``repeats`` calls of ``fn``, in ms, and its last result."""
    best, result = float("inf"), None
    for _ in range(max(1, repeats)):
        t0 = time.thread_time()
        result = fn()
        best = min(best, (time.thread_time() - t0) * 1000)
    return best, result


def time_findings(reports: list[Report], glossary: Glossary, repeats: int = 3) -> dict:
    """Per pair: the glossary findings' CPU ms with the pre-filter and with every term tried,
    the findings and term uses a pair has, and whether both ways find the same."""
    def run() -> list:
        return [glossary_findings(r, glossary) for r in reports]

    def uses() -> list:
        return [glossary.source_matches(s.text) for r in reports for s in r.source.sentences]

    keyed_ms, keyed = _best_ms(run, repeats)
    keyed_uses = uses()
    with every_term_tried():
        every_ms, every = _best_ms(run, repeats)
        every_uses = uses()
    n = len(reports)
    return {"terms": len(glossary), "pairs": n,
            "source_sentences_per_pair": sum(len(r.source.sentences) for r in reports) / n,
            "ms_per_pair": keyed_ms / n, "every_term_ms_per_pair": every_ms / n,
            "findings_per_pair": sum(map(len, keyed)) / n,
            "term_uses_per_pair": sum(map(len, keyed_uses)) / n,
            "same_uses": keyed_uses == every_uses, "same_findings": keyed == every}


def time_pickling(glossary: Glossary, loads: int = 100, repeats: int = 3) -> dict:
    """What a worker pays for the glossary sent with each pair: its first ``pickle.loads``
    (parse and compile; best of ``repeats``, this process's copies cleared before each) and
    each later ``dumps`` + ``loads`` (mean of ``loads``), in CPU ms; the pickle's size.
    This process's copies (``_SHARED``) are as before afterwards."""
    saved = dict(glossary_module._SHARED)
    try:
        blob = pickle.dumps(glossary)

        def first() -> Glossary:
            glossary_module._SHARED.clear()
            return pickle.loads(blob)

        first_ms, copy = _best_ms(first, repeats)
        t0 = time.thread_time()
        for _ in range(loads):
            again = pickle.loads(pickle.dumps(glossary))
        later_ms = (time.thread_time() - t0) * 1000 / max(1, loads)
        reused = loads == 0 or again is copy
    finally:
        glossary_module._SHARED.clear()
        glossary_module._SHARED.update(saved)
    return {"pickle_bytes": len(blob), "first_load_ms": first_ms, "later_pair_ms": later_ms,
            "later_loads": loads, "later_loads_reuse_the_copy": reused,
            "same_terms": copy.terms == glossary.terms}


def measure(reports: list[Report], glossaries: list[Glossary], repeats: int = 3, loads: int = 100) -> list[dict]:
    """One row a glossary: :func:`time_findings` and :func:`time_pickling` together."""
    rows = []
    for g in glossaries:
        row = {"glossary": Path(g.path).name if g.path else f"{len(g)} terms"}
        row.update(time_findings(reports, g, repeats))
        row.update(time_pickling(g, loads, repeats))
        rows.append(row)
        print(f"{row['glossary']}: {row['ms_per_pair']:.1f} ms a pair "
              f"({row['every_term_ms_per_pair']:.1f} every term)", file=sys.stderr)
    return rows


def end_to_end(work: Path, pairs: int, seed: int, glossaries: list[tuple[str, Path | None]],
               workers: int | None, model: str | None) -> list[dict]:
    """``fidelity batch`` over ``pairs`` generated pairs once per (label, glossary file or
    None), in that order, each in a fresh OUTDIR: CPU seconds of the process tree, wall
    seconds, the rate after the model load and the findings a pair."""
    folder = work / "pairs"
    generate(folder, pairs, seed)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    rows = []
    for k, (label, path) in enumerate(glossaries):
        outdir = work / f"out-{k}"
        cmd = [sys.executable, "-m", "fidelity", "batch", str(folder), "-o", str(outdir), "--force", "-q"]
        cmd += ["--glossary", str(path)] if path else []
        cmd += ["--workers", str(workers)] if workers is not None else []
        cmd += ["--model", model] if model else []
        res = run_measured(cmd, env)
        if res["rc"] not in (0, 1):
            raise SystemExit(f"batch failed (exit {res['rc']}): {res['stderr']}")
        summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
        records = [json.loads(x) for x in (outdir / "results.jsonl").read_text(encoding="utf-8").splitlines()]
        terminology = sum(1 for r in records if r.get("report")
                          for f in json.loads((outdir / r["report"]).read_text(encoding="utf-8"))["findings"]
                          if f["category"] == "terminology")
        rows.append({"glossary": label, "pairs": summary["pairs"], "checked": summary["checked"],
                     "cpu_seconds": res["cpu_seconds"], "wall_seconds": res["wall_seconds"],
                     "pairs_per_second": summary["pairs_per_second"],
                     "load_before": res["load_before"], "load_after": res["load_after"],
                     "terminology_findings": terminology})
        print(f"batch {label}: {res['cpu_seconds']:.1f} CPU s, {summary['pairs_per_second']} pairs/s",
              file=sys.stderr)
    return rows


# --------------------------------------------------------------------------- report

def per_pair_table(rows: list[dict]) -> str:
    table = [[f"{r['terms']:,}", f"{r['ms_per_pair']:.1f}", f"{r['every_term_ms_per_pair']:.1f}",
              f"{r['every_term_ms_per_pair'] / r['ms_per_pair']:.1f}x" if r["ms_per_pair"] > 0 else "-",
              f"{r['first_load_ms']:,.1f}", f"{r['later_pair_ms']:.3f}", f"{r['findings_per_pair']:.1f}",
              "yes" if r["same_uses"] and r["same_findings"] else "NO"] for r in rows]
    return tabulate(table, tablefmt="github", headers=[
        "terms", "findings, ms a pair", "every term tried, ms", "every / pre-filter",
        "worker's first pair: parse and compile, ms", "each later pair: sent and read back, ms",
        "findings a pair", "same uses and findings"])


def end_to_end_table(rows: list[dict]) -> str:
    base = [r["cpu_seconds"] for r in rows if r["glossary"] == "none"]
    none_cpu = statistics.mean(base) if base else None
    table = [[r["glossary"], f"{r['cpu_seconds']:.1f}",
              "" if none_cpu is None or r["glossary"] == "none"
              else f"{(r['cpu_seconds'] - none_cpu) * 1000 / r['pairs']:+.0f}",
              f"{r['pairs_per_second']:.1f}", f"{r['terminology_findings'] / r['pairs']:.1f}",
              f"{r['load_before']:.1f} -> {r['load_after']:.1f}"] for r in rows]
    return tabulate(table, tablefmt="github", headers=[
        "glossary", "CPU s", "CPU ms a pair over none (mean)", "rate after the model load, pairs/s",
        "terminology findings a pair", "load average"])


def _count(least: int):
    """An argparse type: a whole number of at least ``least`` (else argparse's one-line error)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least}: {value}")
        return value
    return parse


def _sizes(text: str) -> list[int]:
    """``--sizes``: comma-separated glossary sizes, each at least 1."""
    return [_count(1)(x.strip()) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.glossary_speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,5000", type=_sizes,
                    help="lexicon glossaries' sizes, comma-separated (default: %(default)s)")
    ap.add_argument("--repeats", type=_count(1), default=3, help="best of this many timings (default: %(default)s)")
    ap.add_argument("--loads", type=_count(0), default=100, help="later pickle loads timed (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=0, help="shuffles the lexicon, generates the pairs")
    ap.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    ap.add_argument("--end-to-end", action="store_true", help="also time `fidelity batch` with and without")
    ap.add_argument("--pairs", type=_count(1), default=200, help="generated pairs, --end-to-end (default: %(default)s)")
    ap.add_argument("--e2e-terms", type=_count(1), default=5000,
                    help="lexicon glossary's size, --end-to-end (default: %(default)s)")
    ap.add_argument("--workers", type=_count(0), default=None, help="batch --workers (default: batch's)")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    args = ap.parse_args(argv)
    started = datetime.now(timezone.utc)
    load_before = os.getloadavg()[0]

    reports = story_reports(args.model)
    glossaries = [load_glossary(SEED_GLOSSARY)] + [lexicon_glossary(n, args.seed) for n in args.sizes]
    rows = measure(reports, glossaries, args.repeats, args.loads)
    result: dict = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"), "commit": git_revision(), "machine": machine(),
        "command": "python -m benchmarks.glossary_speed " + " ".join(argv if argv is not None else sys.argv[1:]),
        "load_average": [load_before, os.getloadavg()[0]],
        "stories": [name for name, _, _ in base_pairs()], "per_pair": rows,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    if args.end_to_end:
        with tempfile.TemporaryDirectory(prefix="glossary_speed.", dir=args.out) as tmp:
            work = Path(tmp)
            big = write_csv(lexicon_glossary(args.e2e_terms, args.seed), work / f"lexicon-{args.e2e_terms}.csv")
            runs = [("none", None), (SEED_GLOSSARY.name, SEED_GLOSSARY),
                    (f"{args.e2e_terms:,} lexicon word pairs", big), ("none", None)]
            result["end_to_end"] = end_to_end(work, args.pairs, args.seed, runs, args.workers, args.model)

    print(f"{result['machine']}; {result['date']}; commit {result['commit']}; "
          f"load average {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(f"\nPer pair ({len(reports)} pairs, {rows[0]['source_sentences_per_pair']:.1f} source sentences "
          f"a pair; thread CPU, best of {args.repeats}):\n")
    print(per_pair_table(rows))
    if args.end_to_end:
        print(f"\nEnd to end, `fidelity batch --force -q` over {args.pairs} generated pairs:\n")
        print(end_to_end_table(result["end_to_end"]))
    (args.out / "glossary_speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'glossary_speed.json'}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
