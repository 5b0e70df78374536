"""List news_valid line pairs that may not be translations of each other, for a person to review.

    python -m benchmarks.audit_candidates [--data ../shared/data] [--model PATH] [--percentile 99.8]
                                          [--window 10] [--length-tail 2] [--context 1]
                                          [--tsv FILE]

The accuracy benchmark treats every unedited line pair of ``dev/news_valid.{en,id}`` as a true
translation, but some lines of the corpus are misaligned or come from another version of the
article. This script only *chooses candidates*; the labels in ``benchmarks/news_valid_audit.tsv``
come from reading each candidate pair (and its neighbours), not from these scores.

A line pair is a candidate when either

* its cosine (shipped model, :class:`fidelity.pipeline.Checker` encoder) is below the
  ``--percentile`` of the cosines of random non-matching pairs, or
* its true partner is not the nearest among the ``--window`` lines around it in document order,
  in either direction (English -> Indonesian or Indonesian -> English); a neighbour whose text
  equals the true partner's does not count against it; or
* its length ratio (Indonesian / English characters) is outside the ``--length-tail`` and
  ``100 - --length-tail`` percentiles of the corpus's ratios: a pair where one side has half a
  sentence more or less can still score a fair cosine; or
* one side looks like a sentence fragment: it starts with a lower-case letter or ends with an
  abbreviation that never ends a sentence ("Jl.", "No."), the trace of a sentence splitter that
  cut the English line where the Indonesian one goes on.

``--context 1`` also prints the lines just before and after each candidate (on both sides),
to see whether a pair belongs to a shifted run.

Printed per candidate: the 0-based line number in the raw files (before blank lines are
dropped), the cosine, the reasons, and both texts. Not shipped: a development tool.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

from . import _gen

RANDOM_SAMPLES = 50_000
SEED = 0
#: A line ending like this was cut by a sentence splitter ("... on Jl." / "... Bylaw No.").
_CUT_END = re.compile(r"(?:^|\s)(?:Jl|Jln|No|St)\.$")


def random_pair_cosines(cos: np.ndarray, samples: int = RANDOM_SAMPLES, seed: int = SEED) -> np.ndarray:
    """Cosines of ``samples`` random (i, j) pairs with i != j (non-matching pairs)."""
    rng = np.random.default_rng(seed)
    n = cos.shape[0]
    i = rng.integers(0, n, size=samples)
    j = (i + rng.integers(1, n, size=samples)) % n
    return cos[i, j]


def local_misses(cos: np.ndarray, targets: list[str], window: int) -> np.ndarray:
    """Boolean per row: the diagonal partner is beaten by one of the ``window`` columns around it.

    The window is centred on the row and shifted inward at the ends (as in
    :func:`benchmarks.model_quality.local_accuracy`); a column whose text equals the partner's
    (verbatim repeated lines) is not a miss.
    """
    n = cos.shape[0]
    out = np.zeros(n, dtype=bool)
    for i in range(n):
        lo = max(0, min(i - window // 2, n - window - 1))
        hi = min(n, lo + window + 1)
        best = lo + int(cos[i, lo:hi].argmax())
        out[i] = best != i and targets[best] != targets[i]
    return out


def length_outliers(en: list[str], ind: list[str], tail: float) -> np.ndarray:
    """Boolean per pair: the Indonesian/English length ratio is in the lower or upper ``tail`` %."""
    ratio = np.array([len(b) / max(len(a), 1) for a, b in zip(en, ind)])
    lo, hi = np.percentile(ratio, [tail, 100 - tail])
    return (ratio < lo) | (ratio > hi)


def fragment(text: str) -> bool:
    """A line that starts in lower case or ends with a sentence-internal abbreviation."""
    return text[:1].islower() or bool(_CUT_END.search(text))


def candidates(cos: np.ndarray, en: list[str], ind: list[str], percentile: float,
               window: int, length_tail: float = 1.0) -> tuple[float, dict[int, list[str]]]:
    """The random-pair threshold and, per candidate row, why it was chosen."""
    threshold = float(np.percentile(random_pair_cosines(cos), percentile))
    diag = np.diag(cos)
    why: dict[int, list[str]] = {}
    for k in np.flatnonzero(diag < threshold):
        why.setdefault(int(k), []).append("low")
    if length_tail > 0:
        for k in np.flatnonzero(length_outliers(en, ind, length_tail)):
            why.setdefault(int(k), []).append("length")
    for k, (a, b) in enumerate(zip(en, ind)):
        if fragment(a) or fragment(b):
            why.setdefault(k, []).append("fragment")
    for name, miss in (("en>id", local_misses(cos, ind, window)), ("id>en", local_misses(cos.T, en, window))):
        for k in np.flatnonzero(miss):
            why.setdefault(int(k), []).append(name)
    return threshold, dict(sorted(why.items()))


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.audit_candidates``."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.audit_candidates",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=_gen.DATA, help="public data folder (default: %(default)s)")
    ap.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    ap.add_argument("--percentile", type=float, default=99.8,
                    help="candidate when the cosine is below this percentile of random pairs (default 99.8)")
    ap.add_argument("--window", type=int, default=10, help="neighbours in document order (default 10)")
    ap.add_argument("--length-tail", type=float, default=2.0,
                    help="candidate when the length ratio is in this lower/upper percent tail (default 2; 0: off)")
    ap.add_argument("--context", type=int, default=0, help="neighbouring lines to print on each side (default 0)")
    ap.add_argument("--tsv", type=Path, default=None,
                    help="also write line, cosine, reasons and the 30-character key as TSV here (outside the repo)")
    args = ap.parse_args(argv)
    if not (args.data / _gen.NEWS_DEV[0]).is_file():
        print(f"audit_candidates: no {_gen.NEWS_DEV[0]} under {args.data} (use --data)", file=sys.stderr)
        return 2

    from fidelity.pipeline import Checker, Settings

    rows = _gen.news_dev_lines(args.data)
    lines, en, ind = [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]
    encoder = Checker(Settings(model=args.model, device="cpu", check_language=False), progress=False).encoder
    cos = encoder.encode(en) @ encoder.encode(ind).T
    threshold, why = candidates(cos, en, ind, args.percentile, args.window, args.length_tail)
    print(f"# {len(why)} candidates of {len(rows)} pairs; random-pair p{args.percentile:g} cosine "
          f"{threshold:.4f}; window {args.window}; model {encoder.name}")
    for k, reasons in why.items():
        print(f"\n[{lines[k]}] cos {cos[k, k]:.3f} ({','.join(reasons)})\n  EN: {en[k]}\n  ID: {ind[k]}")
        for d in range(-args.context, args.context + 1):
            if d and 0 <= k + d < len(rows):
                print(f"    {d:+d} [{lines[k + d]}] EN: {en[k + d]}\n    {d:+d} [{lines[k + d]}] ID: {ind[k + d]}")
    if args.tsv:
        with open(args.tsv, "w", encoding="utf-8") as fh:
            fh.write("line\tcosine\treasons\ten_key\n")
            for k, reasons in why.items():
                fh.write(f"{lines[k]}\t{cos[k, k]:.4f}\t{','.join(reasons)}\t{_gen.audit_key(en[k])}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
