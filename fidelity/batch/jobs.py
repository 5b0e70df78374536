"""The per-pair work of a batch, done in worker processes.

:func:`prepare_pair` (decoding, language check, segmentation) and :func:`finish_pair`
(alignment, findings, JSON and HTML rendering) are plain functions of the input texts, the
settings and (for the second) the embedding rows; the jobs and their results are picklable,
so another engine can distribute this work without :mod:`fidelity.batch.runner`.

A bilingual file (XLIFF/TMX) is checked whole by :func:`run_bilingual`, in the process that
holds the model: its units are already sentences, and :func:`fidelity.bilingual.check_bilingual`
is exactly what ``fidelity check FILE`` runs, so the batch's report of it is that command's.

A house glossary (``--glossary``, a :class:`fidelity.glossary.Glossary`) travels with each job
and is applied as ``fidelity check --glossary`` applies it (:func:`fidelity.glossary.apply_glossary`,
which also names it in the report's signature); a worker compiles its terms once.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .common import error_text

if TYPE_CHECKING:  # torch comes with the pipeline: imported only once there is work to do,
    # so that a refused run (locked OUTDIR, bad manifest) answers at once.
    from ..glossary import Glossary
    from ..lexical import Tokens
    from ..pipeline import Checker, ModelId, Pair, Settings
    from ..types import Report


def prepare_pair(source: bytes | str, target: bytes | str, settings: Settings,
                 source_path: str | None = None, target_path: str | None = None) -> Pair:
    """Decode (bytes) and segment both sides; raises on an unusable input."""
    from ..pipeline import prepare
    from ..textio import decode_bytes

    src = decode_bytes(source, source_path or "source") if isinstance(source, bytes) else source
    tgt = decode_bytes(target, target_path or "target") if isinstance(target, bytes) else target
    return prepare(src, tgt, settings, source_path, target_path)


def pair_texts(pair: Pair) -> tuple[list[str], list[str]]:
    """What to embed for a pair: the sentences of each side (``Encoder.encode_sides`` adds
    the joined pairs)."""
    return pair.source.texts, pair.target.texts


def finish_pair(pair: Pair, source_vecs: np.ndarray, target_vecs: np.ndarray,
                settings: Settings, model: ModelId, source_tokens: Tokens | None = None,
                target_tokens: Tokens | None = None,
                glossary: Glossary | None = None) -> tuple[dict, str, str]:
    """Align and judge a pair whose embeddings are known, with the ``glossary``'s terminology
    findings if one is given: (summary dict, JSON text, HTML text).

    The summary dict is ``Summary.to_dict()`` plus ``severities``: how many findings of each
    type have each severity (what the overview ranks by and ``--fail-on`` may count)."""
    from ..pipeline import analyse

    report = analyse(pair, source_vecs, target_vecs, settings, model, device="cpu",
                     source_tokens=source_tokens, target_tokens=target_tokens)
    if glossary is not None:
        from ..glossary import apply_glossary

        report = apply_glossary(report, glossary)
    return rendered(report)


def rendered(report: Report) -> tuple[dict, str, str]:
    """(summary dict, JSON text, HTML text) of a report (see :func:`finish_pair`)."""
    from ..report import render_html, render_json

    summary = report.summary.to_dict()
    summary["severities"] = severity_counts((f.type, f.severity) for f in report.findings)
    return summary, render_json(report), render_html(report)


#: Why a bilingual file cannot be read without the ``cat`` extra (as :mod:`fidelity.bilingual` says).
NO_TOOLKIT = "reading XLIFF and TMX needs translate-toolkit: pip install 'fidelity[cat]'"


def check_bilingual_bytes(data: bytes, path: str, checker: Checker, settings: Settings,
                          glossary: Glossary | None = None) -> tuple[dict, str, str]:
    """Check one XLIFF/TMX file's bytes as ``fidelity check FILE [--glossary]`` does: (summary
    dict, JSON text, HTML text). Raises a one-line :class:`~fidelity.errors.InputError` for a
    file that cannot be read, translate-toolkit missing included."""
    from ..bilingual import check_bilingual, read_bilingual_bytes
    from ..errors import InputError

    try:
        bil = read_bilingual_bytes(data, path)
    except ImportError:  # lxml or translate-toolkit: the optional ``cat`` extra
        raise InputError(f"{path}: {NO_TOOLKIT}") from None
    return rendered(check_bilingual(bil, checker, settings, glossary))


def severity_counts(findings: Iterable[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """{finding type: {severity: count}} of (type, severity) pairs, in a fixed order."""
    counts: dict[str, dict[str, int]] = {}
    for ftype, severity in sorted(findings):
        by_sev = counts.setdefault(ftype, {})
        by_sev[severity] = by_sev.get(severity, 0) + 1
    return counts


@dataclass
class PrepareJob:
    key: int
    source: bytes
    target: bytes
    source_path: str
    target_path: str
    settings: Settings


@dataclass
class Prepared:
    key: int
    pair: Pair | None
    error: str | None
    seconds: float
    warnings: list[str] = field(default_factory=list)  #: e.g. "x.id.txt: not UTF-8; decoded as cp1252"


@dataclass
class FinishJob:
    key: int
    pair: Pair
    source_vecs: np.ndarray
    target_vecs: np.ndarray
    settings: Settings
    model: ModelId
    json_path: str
    html_path: str
    source_tokens: Tokens | None = None  #: the embedding's word pieces (no second tokenising)
    target_tokens: Tokens | None = None
    glossary: Glossary | None = None


@dataclass
class Finished:
    key: int
    summary: dict | None
    error: str | None
    seconds: float


def run_prepare(job: PrepareJob) -> Prepared:
    """Worker stage 1; never raises: a failure becomes ``Prepared.error``."""
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            pair = prepare_pair(job.source, job.target, job.settings, job.source_path, job.target_path)
            error = None
        except Exception as exc:  # noqa: BLE001 - any failure is this pair's error record
            pair, error = None, error_text(exc)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    return Prepared(job.key, pair, error, time.perf_counter() - t0, notes)


def run_finish(job: FinishJob) -> Finished:
    """Worker stage 2: analyse, render and write the pair's two reports atomically."""
    from ..report import write_atomic

    t0 = time.perf_counter()
    try:
        summary, json_text, html_text = finish_pair(job.pair, job.source_vecs, job.target_vecs,
                                                    job.settings, job.model, job.source_tokens,
                                                    job.target_tokens, job.glossary)
        write_atomic(job.json_path, json_text)
        write_atomic(job.html_path, html_text)
        return Finished(job.key, summary, None, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001
        return Finished(job.key, None, error_text(exc), time.perf_counter() - t0)


@dataclass
class BilingualJob:
    """One XLIFF/TMX file to check with the loaded model (:func:`run_bilingual`)."""

    key: int
    data: bytes
    path: str
    settings: Settings
    json_path: str  #: where its reports go: paths, or names that ``write`` understands
    html_path: str
    glossary: Glossary | None = None


def run_bilingual(job: BilingualJob, checker: Checker,
                  write: Callable[[str, str], None] | None = None) -> tuple[Finished, list[str]]:
    """Check a bilingual file and write its two reports atomically, in this process (the
    checker's model is here): the outcome and the warnings raised meanwhile; never raises.
    ``write(where, text)`` writes a report (default: :func:`fidelity.report.write_atomic`;
    the Ray engine's actors write through OUTDIR's store)."""
    if write is None:
        from ..report import write_atomic as write

    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            summary, json_text, html_text = check_bilingual_bytes(job.data, job.path, checker,
                                                                  job.settings, job.glossary)
            write(job.json_path, json_text)
            write(job.html_path, html_text)
            done = Finished(job.key, summary, None, time.perf_counter() - t0)
        except Exception as exc:  # noqa: BLE001 - any failure is this file's error record
            done = Finished(job.key, None, error_text(exc), time.perf_counter() - t0)
    return done, list(dict.fromkeys(str(w.message) for w in caught))
