"""The check, stage by stage: segment -> embed -> align -> findings -> Report.

The stages are split so a batch run can do the cheap, picklable parts (``prepare`` and
``analyse``) in worker processes and the embedding for many pairs at once in one process:

    pair = prepare(source_text, target_text, settings)          # segmentation, language check
    vecs = encoder.encode(embedding_texts(pair.source) + ...)  # one model, big batches
    report = analyse(pair, source_vecs, target_vecs, settings, model_id)

:class:`Checker` wires them for one pair at a time and keeps the model loaded, and
:func:`check` is the one-call Python API.
"""

from __future__ import annotations

import os
import threading
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from . import __version__
from .align import AlignParams, SideVectors, align
from .categories import is_boilerplate
from .features import hashed_side
from .findings import FindingParams, find
from .types import Document, Report

HASH_DIM = 512


@dataclass(frozen=True)
class Settings:
    """Everything that changes a report (all of it goes into the signature)."""

    source_lang: str = "en"
    target_lang: str = "id"
    model: str | None = None  #: model name or folder; None = the shipped default
    device: str = "auto"
    batch_size: int = 256
    presplit: bool = False  #: one sentence per line, no sentence splitting
    check_language: bool = True
    align: AlignParams = field(default_factory=AlignParams)
    findings: FindingParams = field(default_factory=FindingParams)

    def with_overrides(self, **kw: Any) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


@dataclass(frozen=True)
class ModelId:
    """Which model made the embeddings, for the signature."""

    name: str
    hash: str
    device: str


@dataclass
class Pair:
    source: Document
    target: Document


def prepare(source_text: str, target_text: str, settings: Settings,
            source_path: str | None = None, target_path: str | None = None) -> Pair:
    """Segment both sides (and check each is in its declared language)."""
    from .segment import segment_document

    if settings.check_language:
        from .langid import check_language

        check_language(source_text, settings.source_lang, source_path or "source")
        check_language(target_text, settings.target_lang, target_path or "target")
    src = segment_document(source_text, settings.source_lang, path=source_path, presplit=settings.presplit)
    tgt = segment_document(target_text, settings.target_lang, path=target_path, presplit=settings.presplit)
    return Pair(src, tgt)


def embedding_texts(doc: Document) -> list[str]:
    """The texts to embed for one side: each sentence, then each adjacent pair joined."""
    texts = doc.texts
    return texts + [a + " " + b for a, b in zip(texts, texts[1:])]


def side_vectors(doc: Document, vecs: np.ndarray, lex_weight: float) -> SideVectors:
    """Split ``vecs`` (rows for :func:`embedding_texts`) and add the evidence block."""
    n = len(doc)
    texts = embedding_texts(doc)
    if vecs.shape[0] != len(texts):
        raise ValueError(f"expected {len(texts)} embedding rows, got {vecs.shape[0]}")
    hash_sent, hash_join = hashed_side(doc.texts, doc.lang, HASH_DIM)
    lengths = np.array([len(t) for t in doc.texts], dtype=np.float64)
    furniture = np.array([is_boilerplate(t) for t in doc.texts], dtype=bool)
    dim = vecs.shape[1] if vecs.ndim == 2 else 0
    empty = np.zeros((0, dim), np.float32)
    return SideVectors.build(vecs[:n] if n else empty, vecs[n:] if n > 1 else empty,
                             hash_sent, hash_join, lengths, lex_weight, furniture)


def signature(settings: Settings, model: ModelId) -> str:
    """sacrebleu-style signature: enough to reproduce the numbers of a report."""
    return "|".join([
        f"fidelity:{__version__}",
        f"model:{model.name}#{model.hash}",
        f"seg:punkt-{settings.source_lang},punkt-{settings.target_lang}" + (",presplit" if settings.presplit else ""),
        f"align:{settings.align.signature()}",
        f"find:{settings.findings.signature()}",
        f"device:{model.device}",
    ])


def analyse(pair: Pair, source_vecs: np.ndarray, target_vecs: np.ndarray, settings: Settings,
            model: ModelId, device: str = "cpu") -> Report:
    """Align, find and summarise one pair whose embeddings are known."""
    p = settings.align
    src = side_vectors(pair.source, source_vecs, p.lex_weight)
    tgt = side_vectors(pair.target, target_vecs, p.lex_weight)
    result = align(src, tgt, p, device=device)
    findings, summary = find(pair.source, pair.target, result.links, result.best_source,
                             result.best_target, settings.findings, anchors=len(result.anchors))
    return Report(
        fidelity_version=__version__,
        signature=signature(settings, model),
        source=pair.source,
        target=pair.target,
        links=result.links,
        findings=findings,
        summary=summary,
        settings={"tau": round(result.tau, 4), "anchors": len(result.anchors),
                  "noise": round(result.noise, 4), "anchor_level": round(result.anchor_level, 4),
                  "align": asdict(p), "findings": asdict(settings.findings),
                  "model": model.name, "model_hash": model.hash, "device": model.device},
    )


class Checker:
    """Loads the model once and checks any number of pairs with it."""

    def __init__(self, settings: Settings | None = None, progress: bool | None = None, **overrides: Any):
        from .embed import Encoder

        self.settings = (settings or Settings()).with_overrides(**overrides)
        self.encoder = Encoder(self.settings.model, self.settings.device, self.settings.batch_size,
                               progress=progress)
        self.model_id = ModelId(self.encoder.name, self.encoder.hash, self.encoder.device)

    def embed(self, doc: Document) -> np.ndarray:
        return self.encoder.encode(embedding_texts(doc))

    def check_pair(self, pair: Pair) -> Report:
        return analyse(pair, self.embed(pair.source), self.embed(pair.target), self.settings,
                       self.model_id, device=self.encoder.device)

    def check(self, source_text: str, target_text: str, source_path: str | None = None,
              target_path: str | None = None) -> Report:
        return self.check_pair(prepare(source_text, target_text, self.settings, source_path, target_path))

    def check_files(self, source_path: str | os.PathLike, target_path: str | os.PathLike) -> Report:
        from .textio import read_text

        src = read_text(source_path)
        tgt = read_text(target_path)
        return self.check(src, tgt, str(source_path), str(target_path))


_checkers: dict[tuple, Checker] = {}
_lock = threading.Lock()


def check(source_text: str, target_text: str, **settings: Any) -> Report:
    """Check one pair of texts; the model is loaded once per (model, device) and reused.

    Keyword arguments are :class:`Settings` fields (``source_lang``, ``target_lang``, ``model``,
    ``device``, ``batch_size``, ``presplit``, ``check_language``, ``align``, ``findings``),
    plus ``source_path``/``target_path`` to record where the texts came from.
    """
    source_path = settings.pop("source_path", None)
    target_path = settings.pop("target_path", None)
    s = Settings().with_overrides(**settings)
    key = (s.model, s.device, s.batch_size)
    with _lock:
        checker = _checkers.get(key)
        if checker is None:
            checker = _checkers[key] = Checker(Settings(model=s.model, device=s.device, batch_size=s.batch_size))
    pair = prepare(source_text, target_text, s, source_path, target_path)
    return analyse(pair, checker.embed(pair.source), checker.embed(pair.target), s,
                   checker.model_id, device=checker.encoder.device)
