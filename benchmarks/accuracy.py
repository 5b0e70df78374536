"""Accuracy of the checker on unseen news text with planted problems.

    python -m benchmarks.accuracy [--model PATH] [--docs 40] [--seed 0] [--json FILE]
                                  [--presplit] [--sweep] [--clean]

Test documents are chunks of 20-60 consecutive lines of the news development set
(``../shared/data/dev/news_valid.{en,id}``), grouped into paragraphs of 1-4 sentences, whose
Indonesian side is edited with a seeded generator (:func:`benchmarks._gen.accuracy_doc`):
deleted sentences and paragraphs (omissions), inserted unrelated sentences and scrape junk
(additions), merged and split sentences (2-1 and 1-2 links), a changed name and a changed
number (drift). The full pipeline runs on the texts as a user would give them: the real
segmenter splits the paragraphs (``--presplit``: one sentence per line instead), and each
sentence it finds is mapped back to the generator's units by character offsets, so
segmentation errors count against the product.

Scores (see README): link precision/recall/F1 on links with both sides non-empty, strict (the
unit sets must match exactly) and per unit pair; omission and addition findings at sentence
level; drift recall for names and numbers; verdicts on the edited documents, on clean ones,
and on unrelated pairs (a source chunk against another chunk's translation).

``--sweep`` runs a small grid of aligner and finding thresholds on the same documents (embedded
once) and prints each setting's scores on two halves of the documents: choose on half A and
check on half B. The development set is news_valid: do not tune on the test split.

``--clean`` first drops the news_valid lines that the hand audit ``benchmarks/news_valid_audit.tsv``
labels ``partial`` or ``wrong`` (the two sides are not translations of each other), so that the
checker's correct findings on them do not count as false alarms. The documents are then built
from the remaining lines (other chunks than without ``--clean``; names such as
``news_valid[a:b]`` index the remaining lines). Off by default.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import random
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace

from tabulate import tabulate

from . import _gen

# --------------------------------------------------------------------------- scoring (pure)


def map_sentences(spans: list[tuple[int, int]], unit_spans: list[tuple[int, int]]) -> list[tuple[int, ...]]:
    """For each sentence span, the units (by index) whose text it overlaps."""
    out = []
    for s, e in spans:
        out.append(tuple(u for u, (a, b) in enumerate(unit_spans) if s < b and a < e))
    return out


def _units(idx: tuple[int, ...], mapping: list[tuple[int, ...]]) -> frozenset[int]:
    return frozenset(u for i in idx for u in mapping[i])


def unit_links(links, s_map, t_map) -> set[tuple[frozenset[int], frozenset[int]]]:
    """Predicted links with both sides non-empty, in unit indices (duplicates merged)."""
    out = set()
    for link in links:
        if link.source and link.target:
            out.add((_units(link.source, s_map), _units(link.target, t_map)))
    return out


def _prf(tp: int, n_pred: int, n_true: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_true if n_true else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Counts:
    """Counts summed over documents; :meth:`metrics` turns them into rates."""

    links_tp: int = 0
    links_pred: int = 0
    links_true: int = 0
    pairs_tp: int = 0
    pairs_pred: int = 0
    pairs_true: int = 0
    kind_true: Counter = field(default_factory=Counter)
    kind_found: Counter = field(default_factory=Counter)
    om_tp: int = 0
    om_flagged: int = 0
    om_planted: int = 0
    add_tp: int = 0
    add_flagged: int = 0
    add_planted: int = 0
    drift_true: int = 0  #: drift findings touching a planted drift unit
    drift_findings: int = 0
    drift_planted: Counter = field(default_factory=Counter)
    drift_found: Counter = field(default_factory=Counter)
    seg_mismatch: int = 0  #: sentences that do not map to exactly one unit
    sentences: int = 0
    verdicts: Counter = field(default_factory=Counter)

    def __iadd__(self, other: "Counts") -> "Counts":
        for name, value in vars(other).items():
            setattr(self, name, getattr(self, name) + value)
        return self

    def metrics(self) -> dict[str, float]:
        lp, lr, lf = _prf(self.links_tp, self.links_pred, self.links_true)
        pp, pr, pf = _prf(self.pairs_tp, self.pairs_pred, self.pairs_true)
        op, orr, of = _prf(self.om_tp, self.om_flagged, self.om_planted)
        ap, ar, af = _prf(self.add_tp, self.add_flagged, self.add_planted)
        out = {"link_precision": lp, "link_recall": lr, "link_f1": lf,
               "pair_precision": pp, "pair_recall": pr, "pair_f1": pf,
               "omission_precision": op, "omission_recall": orr, "omission_f1": of,
               "addition_precision": ap, "addition_recall": ar, "addition_f1": af,
               "drift_precision": self.drift_true / self.drift_findings if self.drift_findings else 1.0}
        for kind in ("name", "number"):
            planted = self.drift_planted[kind]
            out[f"drift_recall_{kind}"] = self.drift_found[kind] / planted if planted else 1.0
        for kind, n in sorted(self.kind_true.items()):
            out[f"recall_{kind}"] = self.kind_found[kind] / n
        out["segmentation_mismatch"] = self.seg_mismatch / self.sentences if self.sentences else 0.0
        return out


def score(doc: _gen.AccuracyDoc, s_spans, t_spans, source, target, links, findings) -> Counts:
    """Counts of one document: ``source``/``target`` are the segmented Documents, ``links`` and
    ``findings`` the checker's output, ``s_spans``/``t_spans`` the units' character spans."""
    c = Counts()
    s_map = map_sentences([(s.start, s.end) for s in source.sentences], s_spans)
    t_map = map_sentences([(s.start, s.end) for s in target.sentences], t_spans)
    c.sentences = len(s_map) + len(t_map)
    c.seg_mismatch = sum(1 for m in s_map + t_map if len(m) != 1)
    # Links.
    truth = [(frozenset(s), frozenset(t)) for s, t in doc.truth_links()]
    true_links = {l for l in truth if l[0] and l[1]}
    pred = unit_links(links, s_map, t_map)
    c.links_tp, c.links_pred, c.links_true = len(pred & true_links), len(pred), len(true_links)
    true_pairs = {(i, j) for s, t in true_links for i in s for j in t}
    pred_pairs = {(i, j) for s, t in pred for i in s for j in t}
    c.pairs_tp, c.pairs_pred, c.pairs_true = len(pred_pairs & true_pairs), len(pred_pairs), len(true_pairs)
    pred_all = pred | {(_units(l.source, s_map), _units(l.target, t_map)) for l in links
                       if not (l.source and l.target)}
    for link in truth:
        kind = f"{len(link[0])}-{len(link[1])}"
        c.kind_true[kind] += 1
        c.kind_found[kind] += link in pred_all
    # Omissions and additions, sentence by sentence.
    omitted, added = doc.omitted(), doc.added()
    s_planted = {i for i, m in enumerate(s_map) if set(m) & omitted}
    t_planted = {j for j, m in enumerate(t_map) if set(m) & added}
    s_flag = {i for f in findings if f.type == "omission" for i in f.source}
    t_flag = {j for f in findings if f.type == "addition" for j in f.target}
    c.om_tp, c.om_flagged, c.om_planted = len(s_flag & s_planted), len(s_flag), len(s_planted)
    c.add_tp, c.add_flagged, c.add_planted = len(t_flag & t_planted), len(t_flag), len(t_planted)
    # Drift: a planted unit is found when a drift finding covers one of its sentences.
    drifted = doc.drifted()
    flagged_units: set[int] = set()
    for f in findings:
        if f.type != "drift":
            continue
        units = _units(f.target, t_map)
        c.drift_findings += 1
        c.drift_true += bool(units & drifted.keys())
        flagged_units |= units
    for j, kind in drifted.items():
        c.drift_planted[kind] += 1
        c.drift_found[kind] += j in flagged_units
    return c


# --------------------------------------------------------------------------- running


@dataclass
class Prepared:
    """One test pair, segmented and embedded once (re-analysed for every setting)."""

    doc: _gen.AccuracyDoc | None
    pair: object
    s_spans: list
    t_spans: list
    s_vecs: object
    t_vecs: object
    kind: str  #: "edited", "clean" or "unrelated"


def build_docs(docs: int, seed: int, unrelated: int, data=_gen.DATA, drop_audited: bool = False,
               edits: _gen.Perturbations = _gen.Perturbations()):
    """Edited documents (with ``edits``), clean ones (the same chunks, no edits) and unrelated
    pairs.

    ``drop_audited``: build them from news_valid without the lines the hand audit rejects.
    """
    pairs = _gen.news_dev(data, drop_audited=drop_audited)
    names = _gen.name_pool(pairs)
    rng = random.Random(seed)
    ranges = _gen.chunks(len(pairs), docs, rng)
    edited = [_gen.accuracy_doc(pairs, r, rng, names, edits) for r in ranges]
    clean_rng = random.Random(seed + 1)
    n_extra = min(unrelated, len(ranges))
    clean = [_gen.accuracy_doc(pairs, r, clean_rng, names, _gen.Perturbations.none())
             for r in ranges[:n_extra]]
    # Unrelated: a clean source chunk against the translation of a chunk half the set away.
    unrel = []
    for k in range(n_extra):
        a, b = clean[k], _gen.accuracy_doc(pairs, ranges[(k + len(ranges) // 2) % len(ranges)],
                                           random.Random(seed + 2 + k), names, _gen.Perturbations.none())
        unrel.append((a, b))
    return edited, clean, unrel


def prepare_all(checker, settings, edited, clean, unrel, presplit: bool) -> list[Prepared]:
    from fidelity.pipeline import prepare

    out = []

    def add(doc, s_text, s_spans, t_text, t_spans, kind):
        pair = prepare(s_text, t_text, settings)
        out.append(Prepared(doc, pair, s_spans, t_spans, checker.embed(pair.source),
                            checker.embed(pair.target), kind))

    for kind, docs in (("edited", edited), ("clean", clean)):
        for doc in docs:
            s_text, s_spans, t_text, t_spans = doc.texts(presplit)
            add(doc, s_text, s_spans, t_text, t_spans, kind)
    for a, b in unrel:
        s_text, _, _, _ = a.texts(presplit)
        _, _, t_text, _ = b.texts(presplit)
        add(None, s_text, [], t_text, [], "unrelated")
    return out


@dataclass
class Result:
    edited: Counts
    clean_verdicts: Counter
    unrelated_verdicts: Counter
    per_doc: list[dict]


@dataclass
class Scored:
    """Per-pair outcome of one setting: edited-document counts and verdicts per coverage."""

    kind: str
    counts: Counts | None
    verdicts: dict[float, str]  #: unrelated_coverage -> verdict
    doc: dict | None


def analyse_all(prepared: list[Prepared], settings, model_id, device: str,
                coverages: tuple[float, ...] = ()) -> list[Scored]:
    """Analyse every prepared pair with ``settings`` and score it; ``coverages``: other values
    of ``FindingParams.unrelated_coverage`` whose verdicts are computed too (cheaply)."""
    from fidelity.categories import categorize
    from fidelity.findings import summarize
    from fidelity.pipeline import analyse

    out = []
    for p in prepared:
        rep = analyse(p.pair, p.s_vecs, p.t_vecs, settings, model_id, device=device)
        verdicts = {settings.findings.unrelated_coverage: rep.summary.verdict}
        if coverages:
            s_cats, t_cats = categorize(rep.source), categorize(rep.target)
            extra = ({"anchors": rep.settings.get("anchors")}
                     if "anchors" in inspect.signature(summarize).parameters else {})
            for cov in sorted(set(coverages) | {settings.findings.unrelated_coverage}):
                fp = replace(settings.findings, unrelated_coverage=cov)
                verdict = summarize(rep.source, rep.target, rep.links, rep.findings,
                                    s_cats, t_cats, fp, **extra).verdict
                if cov == settings.findings.unrelated_coverage and verdict != rep.summary.verdict:
                    raise RuntimeError("benchmarks.accuracy: re-computed verdict differs from the "
                                       "pipeline's; update analyse_all to findings.summarize's signature")
                verdicts[cov] = verdict
        counts = doc = None
        if p.kind == "edited":
            counts = score(p.doc, p.s_spans, p.t_spans, rep.source, rep.target, rep.links,
                           rep.findings)
            m = counts.metrics()
            doc = {"name": p.doc.name, "verdict": rep.summary.verdict,
                   "link_f1": round(m["link_f1"], 4), "omission_recall": round(m["omission_recall"], 4),
                   "addition_recall": round(m["addition_recall"], 4), "edits": p.doc.edits}
        out.append(Scored(p.kind, counts, verdicts, doc))
    return out


def collect(scored: list[Scored], coverage: float, keep: set[int] | None = None) -> Result:
    """Sum the outcomes (``keep``: indices of the edited documents to include)."""
    total = Counts()
    clean_v, unrel_v = Counter(), Counter()
    per_doc = []
    k = -1
    for s in scored:
        verdict = s.verdicts[coverage]
        if s.kind == "edited":
            k += 1
            if keep is not None and k not in keep:
                continue
            total += s.counts
            total.verdicts[verdict] += 1
            per_doc.append(dict(s.doc, verdict=verdict))
        elif s.kind == "clean":
            clean_v[verdict] += 1
        else:
            unrel_v[verdict] += 1
    return Result(total, clean_v, unrel_v, per_doc)


def evaluate(prepared: list[Prepared], settings, model_id, device: str) -> Result:
    """Analyse and score every prepared pair with ``settings``."""
    cov = settings.findings.unrelated_coverage
    return collect(analyse_all(prepared, settings, model_id, device), cov)


def _rate(counter: Counter, key: str) -> float:
    n = sum(counter.values())
    return counter[key] / n if n else float("nan")


def summary_rows(res: Result) -> list[tuple[str, str]]:
    m = res.edited.metrics()
    c = res.edited
    rows = [
        ("link precision / recall / F1 (strict, non-null links)",
         f"{m['link_precision']:.3f} / {m['link_recall']:.3f} / {m['link_f1']:.3f}  (true links {c.links_true})"),
        ("link precision / recall / F1 (sentence pairs)",
         f"{m['pair_precision']:.3f} / {m['pair_recall']:.3f} / {m['pair_f1']:.3f}"),
    ]
    for kind in sorted(c.kind_true):
        rows.append((f"recall of true {kind} links", f"{m['recall_' + kind]:.3f}  ({c.kind_found[kind]}/{c.kind_true[kind]})"))
    rows += [
        ("omission precision / recall (sentences)",
         f"{m['omission_precision']:.3f} / {m['omission_recall']:.3f}  (planted {c.om_planted}, flagged {c.om_flagged})"),
        ("addition precision / recall (sentences)",
         f"{m['addition_precision']:.3f} / {m['addition_recall']:.3f}  (planted {c.add_planted}, flagged {c.add_flagged})"),
        ("drift recall: names", f"{m['drift_recall_name']:.3f}  ({c.drift_found['name']}/{c.drift_planted['name']})"),
        ("drift recall: numbers", f"{m['drift_recall_number']:.3f}  ({c.drift_found['number']}/{c.drift_planted['number']})"),
        ("drift precision (findings on a planted change)",
         f"{m['drift_precision']:.3f}  ({c.drift_true}/{c.drift_findings}; the rest flag real differences "
         f"of the corpus translations or false alarms)"),
        ("verdicts, edited documents", _counter(c.verdicts)),
        ("verdicts, clean documents", _counter(res.clean_verdicts)),
        ("verdicts, unrelated pairs", _counter(res.unrelated_verdicts)),
        ("sentences not mapping to exactly one unit", f"{m['segmentation_mismatch']:.3%}  ({c.seg_mismatch}/{c.sentences})"),
    ]
    return rows


def _counter(c: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items())) or "-"


def result_json(res: Result, args, settings, model_id, n_docs: int, seconds: float) -> dict:
    m = res.edited.metrics()
    return {
        "benchmark": "accuracy",
        "command": "python -m benchmarks.accuracy " + " ".join(sys.argv[1:]),
        "dev_set": "news_valid (../shared/data/dev/news_valid.{en,id})",
        "git": _gen.git_revision(), "date": time.strftime("%Y-%m-%d"),
        "docs": n_docs, "seed": args.seed, "presplit": args.presplit,
        "audited_lines_dropped": args.clean, "insert_nearby": args.insert_nearby,
        "model": model_id.name, "model_hash": model_id.hash,
        "align_params": asdict(settings.align), "finding_params": asdict(settings.findings),
        "metrics": {k: round(v, 4) for k, v in m.items()},
        "counts": {k: (dict(v) if isinstance(v, Counter) else v) for k, v in vars(res.edited).items()},
        "verdicts": {"edited": dict(res.edited.verdicts), "clean": dict(res.clean_verdicts),
                     "unrelated": dict(res.unrelated_verdicts)},
        "unrelated_rate_on_unrelated_pairs": _rate(res.unrelated_verdicts, "unrelated"),
        "unrelated_rate_on_clean": _rate(res.clean_verdicts, "unrelated"),
        "seconds": round(seconds, 1),
        "per_doc": res.per_doc,
    }


# --------------------------------------------------------------------------- sweep

#: Values tried by ``--sweep`` (the current defaults are always added).
SWEEP_GRID = {
    "tau_alpha": (0.0, 0.1, 0.2),
    "tau_min": (-0.1, 0.0),
    "lex_weight": (0.15, 0.4),
    "merge_delta": (0.0, 0.02),
}
SWEEP_COVERAGE = (0.3, 0.4, 0.5)


def combined(res: Result) -> float:
    """One number to rank settings: the mean of the target metrics (see README)."""
    m = res.edited.metrics()
    parts = [m["link_f1"], m["omission_f1"], m["addition_f1"],
             0.5 * (m["drift_recall_name"] + m["drift_recall_number"]),
             _rate(res.unrelated_verdicts, "unrelated") if res.unrelated_verdicts else 1.0,
             1.0 - _rate(res.clean_verdicts, "unrelated") if res.clean_verdicts else 1.0]
    return sum(parts) / len(parts)


def parse_grid(spec: str | None) -> tuple[dict[str, tuple[float, ...]], tuple[float, ...]]:
    """``"tau_alpha=0.2,0.3; merge_delta=0.02"`` -> (aligner grid, coverage values); keys not
    given keep the default grid. Keys: AlignParams fields and ``unrelated_coverage``."""
    from fidelity.align import AlignParams

    grid, cov = dict(SWEEP_GRID), SWEEP_COVERAGE
    for part in (spec or "").replace(";", " ").split():
        key, _, values = part.partition("=")
        vals = tuple(float(v) for v in values.split(",") if v)
        if key == "unrelated_coverage":
            cov = vals
        elif key in AlignParams.__dataclass_fields__ and vals:
            grid[key] = vals
        else:
            raise SystemExit(f"--grid: unknown or empty parameter {key!r}")
    return grid, cov


def sweep(prepared, settings, model_id, device: str, grid: dict[str, tuple[float, ...]] = SWEEP_GRID,
          coverages: tuple[float, ...] = SWEEP_COVERAGE) -> list[dict]:
    """Every grid point, scored on two halves of the edited documents (A: even, B: odd)."""
    n = sum(1 for p in prepared if p.kind == "edited")
    halves = {"A": set(range(0, n, 2)), "B": set(range(1, n, 2))}
    rows = []
    # The current defaults are always among the values tried (row marked "*").
    grid = {k: tuple(sorted(set(v) | {getattr(settings.align, k)})) for k, v in grid.items()}
    default_cov = settings.findings.unrelated_coverage
    coverages = tuple(sorted(set(coverages) | {default_cov}))
    keys = list(grid)
    for values in itertools.product(*grid.values()):
        s = replace(settings, align=replace(settings.align, **dict(zip(keys, values))))
        scored = analyse_all(prepared, s, model_id, device, coverages)
        is_default = all(getattr(settings.align, k) == v for k, v in zip(keys, values))
        for cov in coverages:
            row = {"default": "*" if is_default and cov == default_cov else ""}
            row.update(dict(zip(keys, values)), unrelated_coverage=cov)
            for half, keep in halves.items():
                res = collect(scored, cov, keep)
                m = res.edited.metrics()
                row[f"{half}:score"] = round(combined(res), 4)
                row[f"{half}:link_f1"] = round(m["link_f1"], 3)
                row[f"{half}:om_f1"] = round(m["omission_f1"], 3)
                row[f"{half}:add_f1"] = round(m["addition_f1"], 3)
                row[f"{half}:drift_r"] = round(0.5 * (m["drift_recall_name"] + m["drift_recall_number"]), 3)
            row["unrel"] = round(_rate(res.unrelated_verdicts, "unrelated"), 3)
            row["clean_unrel"] = round(_rate(res.clean_verdicts, "unrelated"), 3)
            rows.append(row)
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    rows.sort(key=lambda r: -r["A:score"])
    return rows


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.accuracy", description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    ap.add_argument("--docs", type=int, default=40, help="edited test documents (default 40)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--unrelated", type=int, default=10, help="unrelated pairs and clean documents (default 10)")
    ap.add_argument("--presplit", action="store_true", help="one sentence per line instead of the real segmenter")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--json", default=None, help="write the results as JSON to this file")
    ap.add_argument("--sweep", action="store_true", help="try a grid of thresholds (see module doc)")
    ap.add_argument("--grid", default=None,
                    help='sweep values, e.g. "tau_alpha=0.2,0.3; unrelated_coverage=0.4" (default: SWEEP_GRID)')
    ap.add_argument("--top", type=int, default=25, help="sweep rows to print (default 25)")
    ap.add_argument("--clean", action="store_true",
                    help="drop news_valid lines that benchmarks/news_valid_audit.tsv labels partial or wrong")
    ap.add_argument("--insert-nearby", type=int, default=0, metavar="N",
                    help="draw inserted sentences from the N lines beside each document's chunk "
                         "(mostly the same story) instead of anywhere in the corpus")
    args = ap.parse_args(argv)

    from fidelity.pipeline import Checker, Settings

    t0 = time.perf_counter()
    settings = Settings(model=args.model, device=args.device, presplit=args.presplit, check_language=False)
    checker = Checker(settings, progress=False)
    edited, clean, unrel = build_docs(args.docs, args.seed, args.unrelated, drop_audited=args.clean,
                                      edits=_gen.Perturbations(nearby=args.insert_nearby))
    prepared = prepare_all(checker, settings, edited, clean, unrel, args.presplit)
    res = evaluate(prepared, settings, checker.model_id, checker.encoder.device)
    seconds = time.perf_counter() - t0
    print(f"accuracy on {len(edited)} edited news_valid documents "
          f"({sum(len(d.source) for d in edited)} source sentences), seed {args.seed}, "
          f"model {checker.model_id.name}#{checker.model_id.hash}, "
          f"{'presplit' if args.presplit else 'real segmenter'}, "
          f"{'audited partial/wrong lines dropped, ' if args.clean else ''}"
          f"{f'insertions from the {args.insert_nearby} lines nearby, ' if args.insert_nearby else ''}"
          f"{seconds:.0f} s")
    print(tabulate(summary_rows(res), headers=["metric", "value"], tablefmt="github"))
    out = result_json(res, args, settings, checker.model_id, len(edited), seconds)
    if args.sweep:
        grid, coverages = parse_grid(args.grid)
        rows = sweep(prepared, settings, checker.model_id, checker.encoder.device, grid, coverages)
        print(f"\nsweep: {len(rows)} settings, ranked by score on half A (even docs); "
              f"check that half B agrees before choosing (dev set: news_valid)")
        shown = rows[: args.top] + [r for r in rows[args.top:] if r["default"]]
        print(tabulate(shown, headers="keys", tablefmt="github"))
        out["sweep"] = rows
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(out, fh, indent=1, ensure_ascii=False)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
