"""The check, stage by stage: segment -> embed -> align -> findings -> Report.

The stages are split so a batch run can do the cheap, picklable parts (``prepare`` and
``analyse``) in worker processes and the embedding for many pairs at once in one process:

    pair = prepare(source_text, target_text, settings)        # segmentation, language check
    sides = encoder.encode_sides([pair.source.texts, ...])   # one model, big batches
    report = analyse(pair, source_vecs, target_vecs, settings, model_id, tokens...)

:class:`Checker` wires them for one pair at a time and keeps the model loaded, and
:func:`check` is the one-call Python API.
"""

from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from . import __version__
from . import signature as _signature
from .align import AlignParams, SideVectors, align
from .categories import is_boilerplate, title_lines
from .embed import side_texts
from .features import hashed_vectors, row_norms
from .findings import FindingParams, find
from .partial import PartialParams
from .lexical import Tokens
from .types import Document, Report

HASH_DIM = 512


@dataclass(frozen=True)
class Settings:
    """Everything that changes a report.

    The signature and ``Report.settings`` are generated from these fields (see
    :mod:`fidelity.signature`): each parameter dataclass below is one part of the signature
    (named by ``metadata["sig"]``, else the field name), so a new one is one line here; a
    field that changes no number says so, and why, in ``metadata={"sig": None, "why": ...}``.
    """

    source_lang: str = field(default="en", metadata={"part": "seg", "lang": True})
    target_lang: str = field(default="id", metadata={"part": "seg", "lang": True})
    #: model name or folder; None = the shipped default
    model: str | None = field(default=None, metadata={
        "sig": None, "why": "the model part names the weights loaded, by name and hash (ModelId)"})
    device: str = field(default="auto", metadata={
        "sig": None, "why": "the device part names the device used (ModelId.device)"})
    batch_size: int = field(default=256, metadata={
        "sig": None, "why": "how many texts are embedded at once, not what comes out"})
    #: one sentence per line, no sentence splitting
    presplit: bool = field(default=False, metadata={"part": "seg"})
    check_language: bool = field(default=True, metadata={
        "sig": None, "why": "whether a report is made at all, not what it says"})
    align: AlignParams = field(default_factory=AlignParams)
    findings: FindingParams = field(default_factory=FindingParams, metadata={"sig": "find"})
    #: Spans of a linked sentence left out or added (:mod:`fidelity.partial`).
    partial: PartialParams = field(default_factory=PartialParams)

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
    return side_texts(doc.texts)


def side_rows(doc: Document) -> int:
    """Rows of one side's matrix: ``len(embedding_texts(doc))``."""
    return max(0, 2 * len(doc) - 1)


@dataclass
class SideBuffer:
    """Uninitialised float32 storage for one side's aligner matrices: ``sent`` (n rows: ``dim``
    embedding columns, then the ``HASH_DIM`` evidence columns) and ``join`` (n-1 rows: the
    embedding of each adjacent pair; its evidence is derived from the sentences' when the
    aligner needs it, see ``SideVectors.joined``). The embedding is written into the heads
    (:func:`embed_side`) and the evidence into ``sent``'s tail (:func:`fill_side`), so a side
    exists once in memory: no separate embedding array, evidence array or concatenated copy."""

    sent: np.ndarray
    join: np.ndarray
    dim: int
    #: The sentences' word pieces, when the embedding could give them (see ``Encoder.encode_side``).
    tokens: Tokens | None = None


def side_buffer(doc: Document, dim: int) -> SideBuffer:
    """A :class:`SideBuffer` for ``doc`` and an embedding of ``dim`` columns."""
    n = len(doc)
    return SideBuffer(np.empty((n, dim + HASH_DIM), dtype=np.float32),
                      np.empty((max(0, n - 1), dim), dtype=np.float32), dim)


def embed_side(encoder: Any, doc: Document, out: SideBuffer | None = None) -> np.ndarray | SideBuffer:
    """Embedding rows for :func:`embedding_texts` of ``doc`` (a static model derives the joined
    pairs from the sentences: see ``Encoder.encode_side``); with ``out``, written into its
    sentence and pair heads, and ``out`` returned."""
    encode_side = getattr(encoder, "encode_side", None)
    if out is None:
        if encode_side is not None:
            return encode_side(doc.texts)
        return encoder.encode(embedding_texts(doc))  # any object with an encoder's plain ``encode``
    head = out.sent[:, :out.dim]
    if encode_side is not None:
        batches: list = []
        encode_side(doc.texts, out=head, join_out=out.join, tokens=batches)
        if batches or not len(doc):
            out.tokens = Tokens.from_batches(batches)
    else:
        vecs = encoder.encode(embedding_texts(doc))
        head[...] = vecs[:len(doc)]
        out.join[...] = vecs[len(doc):]
    return out


def _normalise_rows(e: np.ndarray) -> None:
    """Rows scaled to unit length in place, with the arithmetic of ``SideVectors.build``
    (``e / max(|e|, 1e-12)`` in float32), so the vectors are bit for bit the same."""
    np.divide(e, np.maximum(row_norms(e), np.float32(1e-12)), out=e)


def fill_side(doc: Document, buf: SideBuffer, lex_weight: float) -> SideVectors:
    """Finish a :func:`side_buffer` whose heads hold the embedding rows: normalise them, write
    the weighted evidence block into ``buf.sent``'s tail, and wrap the buffer as the aligner's
    :class:`SideVectors` (what ``SideVectors.build`` gives, without its normalise/concatenate
    temporaries, and with the joins' evidence derived instead of stored)."""
    n, dim = len(doc), buf.dim
    if buf.sent.shape != (n, dim + HASH_DIM) or buf.join.shape != (max(0, n - 1), dim) \
            or buf.sent.dtype != np.float32 or buf.join.dtype != np.float32:
        raise ValueError(f"expected float32 side buffers of shapes {(n, dim + HASH_DIM)} and "
                         f"{(max(0, n - 1), dim)}, got {buf.sent.dtype} {buf.sent.shape} and "
                         f"{buf.join.dtype} {buf.join.shape}")
    scale = math.sqrt(max(0.0, lex_weight))
    if n:
        _normalise_rows(buf.sent[:, :dim])
        _normalise_rows(buf.join)
        hashed_vectors(doc.texts, doc.lang, HASH_DIM, out=buf.sent[:, dim:], scale=scale)
    lengths = np.array([len(t) for t in doc.texts], dtype=np.float64)
    furniture = np.array([is_boilerplate(t) for t in doc.texts], dtype=bool)
    paras = np.fromiter((s.paragraph for s in doc.sentences), dtype=np.int64, count=n)
    return SideVectors(buf.sent, buf.join, lengths, furniture, derived_cols=HASH_DIM,
                       evidence_scale=scale, tokens=buf.tokens, same_paragraph=paras[1:] == paras[:-1],
                       title=np.array(title_lines(doc), dtype=bool), lang=doc.lang)


def side_vectors(doc: Document, vecs: np.ndarray, lex_weight: float) -> SideVectors:
    """Split ``vecs`` (rows for :func:`embedding_texts`) and add the evidence block."""
    rows = side_rows(doc)
    if vecs.shape[0] != rows:
        raise ValueError(f"expected {rows} embedding rows, got {vecs.shape[0]}")
    dim = vecs.shape[1] if vecs.ndim == 2 else 0
    buf = side_buffer(doc, dim)
    n = len(doc)
    buf.sent[:, :dim] = vecs[:n]
    buf.join[...] = vecs[n:]
    return fill_side(doc, buf, lex_weight)


def signature(settings: Settings, model: ModelId) -> str:
    """sacrebleu-style signature, enough to reproduce the numbers of a report: generated from
    the fields of ``settings`` with the hashes of the shipped files (:mod:`fidelity.signature`)."""
    return _signature.signature(settings, model, extra={"align": {"hash": HASH_DIM}})


def report_settings(settings: Settings, model: ModelId, **derived: Any) -> dict:
    """``Report.settings``: every field of ``settings``, the model, the shipped files' hashes
    (:func:`fidelity.signature.settings_dict`), and the values a run derived (``derived``)."""
    return {**derived, **_signature.settings_dict(settings, model), "hash_dim": HASH_DIM}


def analyse(pair: Pair, source_vecs: np.ndarray, target_vecs: np.ndarray, settings: Settings,
            model: ModelId, device: str = "cpu", source_tokens: Tokens | None = None,
            target_tokens: Tokens | None = None) -> Report:
    """Align, find and summarise one pair whose embeddings are known; ``*_tokens``: each
    side's word pieces when the embedding gave them (``Encoder.encode_sides``), else they are
    tokenised here."""
    p = settings.align
    src = side_vectors(pair.source, source_vecs, p.lex_weight)
    tgt = side_vectors(pair.target, target_vecs, p.lex_weight)
    src.tokens, tgt.tokens = source_tokens, target_tokens
    return analyse_sides(pair, src, tgt, settings, model, device)


def analyse_sides(pair: Pair, src: SideVectors, tgt: SideVectors, settings: Settings,
                  model: ModelId, device: str = "cpu") -> Report:
    """:func:`analyse` for sides already built (:func:`fill_side` or :func:`side_vectors`).

    The side matrices are released as soon as the alignment is done; a caller that passes
    them as temporaries (as :class:`Checker` does) lets findings and the report reuse that
    memory (about 0.85 GB for 62,000 sentences a side).
    """
    p = settings.align
    lexicon = None
    if p.merge_cover > 0 or p.absorb_cover > 0:
        from .lexical import Lexicon

        lexicon = Lexicon.default()
        for side, doc in ((src, pair.source), (tgt, pair.target)):
            if side.tokens is None:
                side.tokens = lexicon.tokens(doc.texts)
    result = align(src, tgt, p, device=device, lexicon=lexicon)
    del src, tgt
    findings, summary = find(pair.source, pair.target, result.links, result.best_source,
                             result.best_target, settings.findings, anchors=len(result.anchors),
                             tau=result.tau if p.pair_titles else None, partial=settings.partial)
    return Report(
        fidelity_version=__version__,
        signature=signature(settings, model),
        source=pair.source,
        target=pair.target,
        links=result.links,
        findings=findings,
        summary=summary,
        settings=report_settings(settings, model, tau=round(result.tau, 4), anchors=len(result.anchors),
                                 noise=round(result.noise, 4),
                                 anchor_level=round(result.anchor_level, 4)),
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
        """Embedding rows for :func:`embedding_texts` of ``doc``."""
        return embed_side(self.encoder, doc)

    def side(self, doc: Document, settings: Settings | None = None) -> SideVectors:
        """One side's aligner matrix, embedded straight into its buffer."""
        s = settings or self.settings
        buf = side_buffer(doc, self.encoder.dim)
        embed_side(self.encoder, doc, out=buf)
        return fill_side(doc, buf, s.align.lex_weight)

    def check_pair(self, pair: Pair, settings: Settings | None = None) -> Report:
        s = settings or self.settings
        return analyse_sides(pair, self.side(pair.source, s), self.side(pair.target, s), s,
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
    return checker.check_pair(pair, s)
