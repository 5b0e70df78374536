"""Findings on looser but mostly faithful news translations: a precision check beside the
real stories (``benchmarks.real``), whose faithful stories the checker was tuned on.

    python -m benchmarks.loose [--show partial|antonym|omission|...]

The news_valid line pairs of ``../shared/data/dev`` (not in story order), less the lines the
hand audit (``benchmarks/news_valid_audit.tsv``) labels wrong or partial, are checked as one
document, one line a paragraph. Every finding there is a candidate false flag: the counts by
finding type and change kind, compared between two versions of the code, show what a change
costs on text it was not tuned on (``--show`` prints the findings of one type or kind).
"""

from __future__ import annotations

import argparse
import collections
import sys

from . import _gen


def pairs(drop_audited: bool = True) -> list[tuple[str, str]]:
    """The news_valid line pairs, less the audited wrong/partial ones."""
    rows = _gen.news_dev_lines()
    if drop_audited:
        rows = _gen.without_audited(rows, _gen.read_audit())
    return [(en, idn) for _, en, idn in rows]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.loose", description=__doc__.split("\n\n")[0])
    ap.add_argument("--show", default=None, help="print the findings of this type or change kind")
    ap.add_argument("--all-lines", action="store_true", help="keep the lines the audit labels wrong or partial")
    args = ap.parse_args(argv)

    import fidelity

    lines = pairs(not args.all_lines)
    rep = fidelity.check("\n\n".join(e for e, _ in lines), "\n\n".join(i for _, i in lines))
    counts: collections.Counter = collections.Counter()
    for f in rep.findings:
        counts[(f.type, ",".join(sorted({c.kind for c in f.changes})) or "-")] += 1
    print(f"news_valid: {len(lines)} line pairs, {len(rep.source.sentences)} source sentences, "
          f"code {_gen.git_revision()}")
    for (kind, changes), n in sorted(counts.items()):
        print(f"{kind:9} {changes:24} {n}")
    if args.show:
        for f in rep.findings:
            if f.type == args.show or any(c.kind == args.show for c in f.changes):
                print("-", f.message)
                print("   EN", " ".join(rep.source.sentences[i].text for i in f.source))
                print("   ID", " ".join(rep.target.sentences[j].text for j in f.target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
