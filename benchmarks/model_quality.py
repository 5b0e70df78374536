"""How well does a sentence-embedding model pair English news sentences with their Indonesian translations?

    python -m benchmarks.model_quality [--model PATH_OR_NAME] [--data ../shared/data] [--json] [--clean]

Measured on the development set ``dev/news_valid.{en,id}`` (1,953 line-aligned pairs in document
order), which no shipped model is trained on:

* ``p@1``: precision at 1 of nearest-neighbour retrieval over the whole pool, en->id and id->en,
  by raw cosine and re-scored with CSLS for k = 4..10 (cosine minus half of each side's mean
  similarity to its k nearest neighbours, as the aligner uses it);
* ``local10``: accuracy among neighbours in document order, the true partner against the 10
  sentences around it (what an aligner that already knows the rough position faces);
* mean cosine of true pairs and of random (non-matching) pairs, and their gap;
* encoding speed on CPU (sentences/s over both sides, after a warm-up) and model load time;
* as a second, out-of-domain check, p@1 on the 92 aligned UDHR paragraphs (``dev/udhr``).

The default model is the shipped one, :func:`fidelity.default_model_path`.

``--clean`` leaves out the news_valid pairs that the hand audit ``benchmarks/news_valid_audit.tsv``
labels ``partial`` or ``wrong`` (not translations of each other) before retrieval is scored;
they are neither queries nor candidates. Off by default.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
CSLS_KS = tuple(range(4, 11))
LOCAL_WINDOW = 10
RANDOM_SEED = 0


@dataclass
class Quality:
    """Every figure the benchmark reports for one model."""

    model: str
    pairs: int
    dim: int
    p1_en_id: float
    p1_id_en: float
    csls_p1_en_id: dict[int, float]
    csls_p1_id_en: dict[int, float]
    local10_en_id: float
    local10_id_en: float
    cos_true_mean: float
    cos_random_mean: float
    udhr_p1_en_id: float | None
    udhr_p1_id_en: float | None
    sentences_per_s: float
    load_s: float
    environment: dict[str, str] = field(default_factory=dict)


def read_pairs(en_path: Path, id_path: Path) -> tuple[list[str], list[str]]:
    """Line-aligned pairs without pairs that have an empty side."""
    en = en_path.read_text(encoding="utf-8").splitlines()
    ind = id_path.read_text(encoding="utf-8").splitlines()
    if len(en) != len(ind):
        raise SystemExit(f"{en_path} and {id_path} differ in line count ({len(en)} vs {len(ind)})")
    kept = [(e.strip(), i.strip()) for e, i in zip(en, ind) if e.strip() and i.strip()]
    return [e for e, _ in kept], [i for _, i in kept]


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32); zero rows stay zero."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def precision_at_1(scores: np.ndarray, targets: list[str] | None = None) -> float:
    """Share of rows whose best-scoring column is the diagonal one (row i pairs with column i).

    With ``targets`` (the column texts), a column whose text equals the true partner's counts as
    a hit too: news_valid repeats 30 pairs verbatim, and picking either copy is right.
    """
    best = scores.argmax(axis=1)
    truth = np.arange(len(scores))
    if targets is None:
        return float(np.mean(best == truth))
    return float(np.mean([targets[b] == targets[t] for b, t in zip(best, truth)]))


def csls(cos: np.ndarray, k: int) -> np.ndarray:
    """CSLS re-scoring of a source x target cosine matrix: 2cos - r_src(i) - r_tgt(j)."""
    k = min(k, cos.shape[0], cos.shape[1])
    r_src = np.sort(cos, axis=1)[:, -k:].mean(axis=1)
    r_tgt = np.sort(cos, axis=0)[-k:, :].mean(axis=0)
    return 2 * cos - r_src[:, None] - r_tgt[None, :]


def local_accuracy(cos: np.ndarray, targets: list[str] | None = None, window: int = LOCAL_WINDOW) -> float:
    """Share of rows i whose partner i beats the ``window`` columns around i in document order.

    The window is centred on i and shifted inward at the ends so that there are always
    ``window`` distractors (when the pool is large enough). ``targets`` as in :func:`precision_at_1`.
    """
    n = cos.shape[0]
    hits = 0
    for i in range(n):
        lo = max(0, min(i - window // 2, n - window - 1))
        hi = min(n, lo + window + 1)
        cols = np.arange(lo, hi)
        best = int(cols[cos[i, lo:hi].argmax()])
        hits += int(best == i or (targets is not None and targets[best] == targets[i]))
    return hits / n


def random_pair_mean(cos: np.ndarray, seed: int = RANDOM_SEED) -> float:
    """Mean cosine of each row with one random other column (a fixed derangement)."""
    n = cos.shape[0]
    shift = np.random.default_rng(seed).integers(1, n, size=n)
    return float(cos[np.arange(n), (np.arange(n) + shift) % n].mean())


def encoding_speed(model, texts: list[str], repeats: int = 3, batch_size: int = 256) -> float:
    """Sentences per second of ``model.encode`` on ``texts`` (best of ``repeats`` after a warm-up)."""
    model.encode(texts[:batch_size], batch_size=batch_size)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        model.encode(texts, batch_size=batch_size)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def load_model(name: str):
    """Load a model on CPU; returns it with the seconds the load took (imports excluded)."""
    from sentence_transformers import SentenceTransformer

    start = time.perf_counter()
    model = SentenceTransformer(name, device="cpu")
    return model, time.perf_counter() - start


def retrieval_scores(model, en: list[str], ind: list[str]) -> dict[str, float]:
    """P@1 both ways of one aligned pool (used for the small UDHR check)."""
    cos = unit(model.encode(en)) @ unit(model.encode(ind)).T
    return {"en_id": precision_at_1(cos, ind), "id_en": precision_at_1(cos.T, en)}


def news_pairs(data: Path, drop_audited: bool = False) -> tuple[list[str], list[str]]:
    """The news_valid sides, optionally without the pairs the hand audit rejects."""
    from . import _gen

    pairs = _gen.news_dev(data, drop_audited=drop_audited)
    return [e for e, _ in pairs], [i for _, i in pairs]


def evaluate(model_name: str, data: Path, drop_audited: bool = False) -> Quality:
    """Run every measurement for ``model_name`` on the development data in ``data``.

    ``drop_audited``: score news_valid without the audited ``partial``/``wrong`` pairs.
    """
    import sentence_transformers
    import torch

    en, ind = news_pairs(data, drop_audited)
    model, load_s = load_model(model_name)
    e_en, e_id = unit(model.encode(en)), unit(model.encode(ind))
    cos = e_en @ e_id.T
    udhr = data / "dev" / "udhr"
    udhr_scores = None
    if (udhr / "udhr_eng.txt").is_file():
        udhr_scores = retrieval_scores(model, *read_pairs(udhr / "udhr_eng.txt", udhr / "udhr_ind.txt"))
    return Quality(
        model=str(model_name),
        pairs=len(en),
        dim=int(e_en.shape[1]),
        p1_en_id=precision_at_1(cos, ind),
        p1_id_en=precision_at_1(cos.T, en),
        csls_p1_en_id={k: precision_at_1(csls(cos, k), ind) for k in CSLS_KS},
        csls_p1_id_en={k: precision_at_1(csls(cos, k).T, en) for k in CSLS_KS},
        local10_en_id=local_accuracy(cos, ind),
        local10_id_en=local_accuracy(cos.T, en),
        cos_true_mean=float(np.diag(cos).mean()),
        cos_random_mean=random_pair_mean(cos),
        udhr_p1_en_id=udhr_scores["en_id"] if udhr_scores else None,
        udhr_p1_id_en=udhr_scores["id_en"] if udhr_scores else None,
        sentences_per_s=encoding_speed(model, en + ind),
        load_s=load_s,
        environment={
            "python": platform.python_version(),
            "torch": torch.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "torch_threads": str(torch.get_num_threads()),
            "date": time.strftime("%Y-%m-%d"),
            "audited_lines_dropped": str(drop_audited),
        },
    )


def format_report(q: Quality) -> str:
    """A plain-text table of the figures."""
    from tabulate import tabulate

    best_k = max(CSLS_KS, key=lambda k: q.csls_p1_en_id[k] + q.csls_p1_id_en[k])
    rows = [
        ["P@1 (cosine)", f"{q.p1_en_id:.4f}", f"{q.p1_id_en:.4f}"],
        *[[f"P@1 (CSLS k={k})", f"{q.csls_p1_en_id[k]:.4f}", f"{q.csls_p1_id_en[k]:.4f}"] for k in CSLS_KS],
        [f"accuracy among {LOCAL_WINDOW} neighbours", f"{q.local10_en_id:.4f}", f"{q.local10_id_en:.4f}"],
    ]
    if q.udhr_p1_en_id is not None:
        rows.append(["UDHR P@1 (cosine, 92 paragraphs)", f"{q.udhr_p1_en_id:.4f}", f"{q.udhr_p1_id_en:.4f}"])
    table = tabulate(rows, headers=["news_valid (%d pairs)" % q.pairs, "en->id", "id->en"])
    lines = [
        f"model: {q.model} (dim {q.dim})",
        table,
        f"best CSLS k: {best_k}",
        f"mean cosine: true pairs {q.cos_true_mean:.4f}, random pairs {q.cos_random_mean:.4f}, "
        f"gap {q.cos_true_mean - q.cos_random_mean:.4f}",
        f"encoding: {q.sentences_per_s:,.0f} sentences/s on CPU ({q.environment.get('torch_threads')} threads)",
        f"load time: {q.load_s:.3f} s",
    ]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.model_quality", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: %(default)s)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--clean", action="store_true",
                   help="leave out pairs that benchmarks/news_valid_audit.tsv labels partial or wrong")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks.model_quality``."""
    args = parse_args(argv)
    if not (args.data / "dev" / "news_valid.en").is_file():
        print(f"model_quality: no dev/news_valid.en under {args.data} (use --data)", file=sys.stderr)
        return 2
    if args.model is None:
        import fidelity

        args.model = str(fidelity.default_model_path())
    quality = evaluate(args.model, args.data, drop_audited=args.clean)
    print(json.dumps(asdict(quality), indent=2) if args.json else format_report(quality))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
