"""Sentence embeddings through sentence-transformers, any model name or local folder.

The default is the offline model shipped in ``models/`` (see :func:`fidelity.default_model_path`).
A hub name is loaded from the local cache first; if it is not there and the hub cannot be
reached, loading fails within a couple of seconds with one line saying how to use a local
folder instead (no minute of retries).

:class:`Encoder` embeds each distinct text once (an in-memory cache, so repeated lines such as
"Advertisement" cost nothing) and lets sentence-transformers sort by length before batching,
which keeps padding low for transformer models.

A model that is a single ``StaticEmbedding`` (optionally followed by ``Normalize``) takes a fast
path instead (:class:`_StaticPath`): the texts are tokenised once and each row is the
normalised *sum* of its token vectors (in float32, whatever the weights' type), which is the
direction of the model's mean. Since such a model's vector of ``a + " " + b`` is then the
normalised sum of the halves' sums whenever the tokenizer splits at whitespace, a side's
joined pairs (:meth:`Encoder.encode_side`) cost one addition each instead of a second
tokenisation and embedding of 2n-1 texts. No per-text cache is kept on that path: recomputing
a row is cheaper than looking it up, and a 50,000-sentence side would otherwise hold its
rows twice.

Such a model in a local folder (the shipped one) is read straight from its two files, the
token table (``model.safetensors``) and ``tokenizer.json`` (:func:`static_folder`): the same
rows and hash as through sentence-transformers (tests check both), without importing it and
transformers, which takes longer than a seed pair's whole check (about 10 s of a 13 s
``fidelity check`` on a 2-core machine). Any other model, and any hub name, loads through
sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from . import progress_default
from .errors import ModelError
from .lexical import Tokens, batch_encoder, token_batch

log = logging.getLogger(__name__)

DEVICES = ("auto", "cpu", "cuda", "mps")


def resolve_device(device: str = "auto") -> str:
    """``auto`` picks cuda, then mps, then cpu; an unavailable explicit choice is an error."""
    import torch

    device = (device or "auto").lower()
    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    base = device.split(":")[0]
    if base == "cuda" and not torch.cuda.is_available():
        raise ModelError("--device cuda: torch sees no CUDA GPU here; use --device cpu or auto")
    if base == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ModelError("--device mps: Metal is not available here; use --device cpu or auto")
    if base not in DEVICES:
        raise ModelError(f"--device {device}: expected one of {', '.join(DEVICES)}")
    return device


def _hub_reachable(timeout: float = 1.5) -> bool:
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    host = urlparse(endpoint).hostname or "huggingface.co"
    port = urlparse(endpoint).port or 443
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _offline_env() -> bool:
    return any(os.environ.get(v, "").lower() in ("1", "true", "yes")
               for v in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def load_model(model: str | os.PathLike | None, device: str):
    """A ``SentenceTransformer`` for a local folder or a hub name (see module doc)."""
    from . import default_model, default_model_path

    if model is None:
        model = default_model()
    path = Path(model).expanduser()
    if path.exists() and not path.is_dir():
        raise ModelError(f"--model {model}: expected a sentence-transformers model folder, got a file")
    looks_local = path.is_dir() or str(model).startswith((".", "/", "~")) or os.sep + os.sep in str(model)
    if looks_local and not path.is_dir():
        raise ModelError(f"--model {model}: no such model folder")

    from sentence_transformers import SentenceTransformer

    if path.is_dir():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelError(f"--model {model}: not a sentence-transformers folder (no modules.json)")
        try:
            return SentenceTransformer(str(path), device=device, local_files_only=True)
        except Exception as exc:  # corrupt or incompatible folder
            raise ModelError(f"--model {model}: cannot load: {_first_line(exc)}") from None
    name = str(model)
    try:  # already in the local hub cache?
        return SentenceTransformer(name, device=device, local_files_only=True)
    except Exception:
        pass
    if _offline_env() or not _hub_reachable():
        raise ModelError(
            f"--model {name}: not in the local cache and the model hub cannot be reached; "
            f"download it where you are online, or pass a local folder with --model PATH "
            f"(the default is the shipped {default_model_path().name})")
    try:
        return SentenceTransformer(name, device=device)
    except Exception as exc:
        raise ModelError(f"--model {name}: cannot load: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def model_hash(st_model) -> str:
    """Content hash of the model's weights (first 12 hex digits of SHA-256)."""
    return _tensors_hash(st_model.state_dict().items())


def _tensors_hash(named) -> str:
    """:func:`model_hash` of (name, torch tensor) pairs."""
    import torch

    h = hashlib.sha256()
    for name, tensor in sorted(named, key=lambda item: item[0]):
        h.update(name.encode())
        h.update(tensor.detach().to("cpu").contiguous().view(-1).view(dtype=torch.uint8).numpy().tobytes())
    return h.hexdigest()[:12]


_STATIC = "StaticEmbedding"
_NORMALIZE = "Normalize"


def static_folder(path: Path) -> tuple[str, Path] | None:
    """(module name, module folder) when the model folder ``path`` is one ``StaticEmbedding``
    (optionally followed by ``Normalize``) saved as sentence-transformers saves it: a
    ``modules.json`` naming those modules, the table as ``embedding.weight`` in
    ``model.safetensors`` and a ``tokenizer.json``; None for any other folder."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
        types = [str(m["type"]).rsplit(".", 1)[-1] for m in modules]
        first = modules[0]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if types[0] != _STATIC or types[1:] not in ([], [_NORMALIZE]):
        return None
    folder = path / str(first.get("path", ""))
    if not (folder / "tokenizer.json").is_file() or not (folder / "model.safetensors").is_file():
        return None
    try:
        from safetensors import safe_open

        with safe_open(str(folder / "model.safetensors"), "np") as fh:
            if list(fh.keys()) != ["embedding.weight"]:  # e.g. a model2vec layout: the library folds it
                return None
    except Exception:  # noqa: BLE001 - unreadable: let sentence-transformers say why
        return None
    return str(first.get("name", first.get("idx", 0))), folder


#: Pre-tokenizers that split at whitespace (and punctuation) before subword splitting, so the
#: tokens of ``a + " " + b`` are the tokens of ``a`` followed by those of ``b``.
_SPLITTING_PRE_TOKENIZERS = frozenset({"BertPreTokenizer", "Whitespace", "WhitespaceSplit",
                                       "Punctuation", "Digits"})
#: Per-character normalisers: they never merge or change characters across a space.
_LOCAL_NORMALIZERS = frozenset({"BertNormalizer", "Lowercase", "NFD", "NFKD", "NFC", "NFKC",
                                "StripAccents"})


def _component_types(spec: dict | None) -> list[str]:
    """Types of a tokenizer.json component, a ``Sequence`` flattened."""
    if not spec:
        return []
    if spec.get("type") == "Sequence":
        parts = spec.get("pretokenizers") or spec.get("normalizers") or []
        return [t for part in parts for t in _component_types(part)]
    return [str(spec.get("type"))]


class _StaticPath:
    """Fast embedding for a model that is one ``StaticEmbedding`` (+ optional ``Normalize``).

    Rows are L2-normalised sums of float32 token vectors (the direction of the module's mean;
    the module itself would average in the weights' own type, float16 for the shipped model).
    """

    #: Texts tokenised per call, so the tokenizer's encodings stay small (a few MB) for a
    #: 50,000-sentence side.
    BATCH = 4096

    def __init__(self, tokenizer, weights, device: str):
        import torch

        self.tokenizer = tokenizer
        self.weights = weights.detach().to(device=device, dtype=torch.float32)
        self.dim = int(self.weights.shape[1])
        self.device = device
        self._tokenise = batch_encoder(self.tokenizer)
        spec = json.loads(self.tokenizer.to_str())
        pre = _component_types(spec.get("pre_tokenizer"))
        norm = _component_types(spec.get("normalizer"))
        #: Whether a joined pair's tokens are its halves' tokens (see the module doc).
        self.joins_add = (bool(pre) and all(t in _SPLITTING_PRE_TOKENIZERS for t in pre)
                          and all(t in _LOCAL_NORMALIZERS for t in norm))

    @staticmethod
    def of(model, device: str) -> "_StaticPath | None":
        """The fast path for ``model``, or None when it is anything but a static embedding."""
        try:
            from sentence_transformers.sentence_transformer.modules import Normalize, StaticEmbedding
        except ImportError:  # pragma: no cover - older sentence-transformers layouts
            return None
        try:
            modules = list(model)
        except TypeError:
            return None
        if not modules or type(modules[0]) is not StaticEmbedding:
            return None
        if any(type(m) is not Normalize for m in modules[1:]) or len(modules) > 2:
            return None
        if getattr(modules[0], "embedding", None) is None or \
                getattr(modules[0].embedding, "mode", "mean") != "mean":
            return None
        return _StaticPath(modules[0].tokenizer, modules[0].embedding.weight, device)

    @staticmethod
    def load(name: str, folder: Path, device: str) -> tuple["_StaticPath", str]:
        """The fast path read from a :func:`static_folder` module folder, and its model hash."""
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        table = load_file(str(folder / "model.safetensors"))["embedding.weight"]
        path = _StaticPath(Tokenizer.from_file(str(folder / "tokenizer.json")), table, device)
        return path, _tensors_hash([(f"{name}.embedding.weight", table)])

    def sums(self, texts: Sequence[str], out: np.ndarray | None = None,
             tokens: list | None = None) -> np.ndarray:
        """(len(texts), dim) float32: the sum of each text's token vectors (zeros if none),
        written into ``out`` when given; with ``tokens`` (a list), each batch's (lengths, ids)
        is appended to it (see ``fidelity.lexical.Tokens.from_batches``)."""
        import torch

        if out is None:
            out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), self.BATCH):
            part = list(texts[start:start + self.BATCH])
            lens, ids = token_batch(self._tokenise, part)
            offsets = np.zeros(len(part), dtype=np.int64)
            np.cumsum(lens[:-1], out=offsets[1:])
            if tokens is not None:
                tokens.append((lens, ids))
            with torch.no_grad():
                bag = torch.nn.functional.embedding_bag(
                    torch.from_numpy(ids).to(self.device), self.weights,
                    torch.from_numpy(offsets).to(self.device), mode="sum")
            out[start:start + len(part)] = bag.cpu().numpy()
        return out

    @staticmethod
    def normalise(rows: np.ndarray) -> np.ndarray:
        """Rows scaled to unit length in place; all-zero rows (no tokens) stay zero."""
        from .features import row_norms  # slices of rows: no squared copy of a whole side

        norms = row_norms(rows)
        np.divide(rows, norms, out=rows, where=norms > 0)
        return rows

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.normalise(self.sums(texts))

    def encode_side(self, sentences: Sequence[str], out: np.ndarray | None = None,
                    join_out: np.ndarray | None = None, tokens: list | None = None) -> np.ndarray:
        """Rows for ``embedding_texts``: each sentence, then each adjacent pair joined
        (written into ``out``, shape (2n-1, dim), possibly a column block of a wider array; or,
        with ``join_out``, the sentences into ``out`` (n, dim) and the pairs into ``join_out``).
        ``tokens``: see :meth:`sums` (the sentences' token ids)."""
        n = len(sentences)
        if out is None:
            out = np.empty((max(0, 2 * n - 1) if join_out is None else n, self.dim), dtype=np.float32)
        head, joins = (out[:n], out[n:]) if join_out is None else (out, join_out)
        if n == 0:
            return out
        self.sums(sentences, head, tokens)
        self.finish(head, joins)
        return out

    def finish(self, head: np.ndarray, joins: np.ndarray) -> None:
        """From a side's token sums (``head``, one row a sentence): each adjacent pair's row
        into ``joins`` (the sum of its halves' sums), then both normalised, in place."""
        n = head.shape[0]
        if n > 1:
            np.add(head[:n - 1], head[1:n], out=joins)
        self.normalise(head)
        self.normalise(joins)


def side_texts(sentences: Sequence[str]) -> list[str]:
    """What a side's rows embed: each sentence, then each adjacent pair joined with a space."""
    sentences = list(sentences)
    return sentences + [a + " " + b for a, b in zip(sentences, sentences[1:])]


class Encoder:
    """Embeds texts with one loaded model: a static model through :class:`_StaticPath`, any
    other model through sentence-transformers with each distinct text embedded once."""

    def __init__(self, model: str | os.PathLike | None = None, device: str = "auto",
                 batch_size: int = 256, progress: bool | None = None, cache_size: int = 500_000):
        from . import default_model

        self.device = resolve_device(device)
        src = str(model) if model is not None else default_model()
        path = Path(src).expanduser()
        self.name = path.name if path.is_dir() else src
        self.batch_size = batch_size
        self.progress = progress
        self.cache_size = cache_size
        self._cache: dict[str, np.ndarray] = {}
        self._hash: str | None = None
        self._shares_lexicon: bool | None = None
        light = static_folder(path) if path.is_dir() else None
        if light is not None:  # read from its files; no sentence-transformers model object
            #: The sentence-transformers model; None when a static folder was read directly.
            self.model = None
            try:
                self.static, self._hash = _StaticPath.load(*light, self.device)
            except Exception as exc:  # a corrupt table or tokenizer file
                raise ModelError(f"--model {src}: cannot load: {_first_line(exc)}") from None
            self.dim = self.static.dim
            return
        self.model = load_model(src, self.device)
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        #: Fast path for a static embedding model; None for any other model.
        self.static = _StaticPath.of(self.model, self.device)

    @property
    def hash(self) -> str:
        if self._hash is None:
            self._hash = model_hash(self.model)
        return self._hash

    @property
    def max_seq_length(self) -> float:
        value = None if self.model is None else getattr(self.model, "max_seq_length", None)
        return float("inf") if value is None else float(value)

    def _warn_truncation(self, texts: Sequence[str]) -> None:
        limit = self.max_seq_length
        if not np.isfinite(limit):
            return
        long = [t for t in texts if len(t) > limit]  # a token covers at least one character
        if not long:
            return
        tok = getattr(self.model, "tokenizer", None)
        if tok is None:
            return
        n = sum(1 for t in long if len(tok(t, add_special_tokens=True)["input_ids"]) > limit)
        if n:
            warnings.warn(f"{n} sentence(s) longer than the model's max length ({int(limit)} tokens) "
                          f"were truncated for embedding", stacklevel=3)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 embeddings, one row per text (duplicates embedded once)."""
        if self.static is not None:
            return self.static.encode(texts)
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self._warn_truncation(todo)
            show = self.progress if self.progress is not None else (
                progress_default() and len(todo) > 5000)
            vecs = self.model.encode(todo, batch_size=self.batch_size, convert_to_numpy=True,
                                     normalize_embeddings=True, show_progress_bar=bool(show))
            vecs = np.asarray(vecs, dtype=np.float32)
            fresh = dict(zip(todo, vecs))
        else:
            fresh = {}
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.stack([fresh[t] if t in fresh else self._cache[t] for t in texts])
        if len(self._cache) + len(fresh) > self.cache_size:
            self._cache.clear()
        self._cache.update(fresh)
        return out.astype(np.float32, copy=False)

    @property
    def shares_lexicon(self) -> bool:
        """Whether the model tokenises as the word lexicon does (:mod:`fidelity.lexical`; the
        shipped model does), so the embedding's token ids serve the aligner's word evidence."""
        if self._shares_lexicon is None:
            from .lexical import Lexicon

            self._shares_lexicon = self.static is not None and \
                self.static.tokenizer.to_str() == Lexicon.default().tokenizer.to_str()
        return self._shares_lexicon

    def encode_sides(self, sides: Sequence[Sequence[str]]) -> list[tuple[np.ndarray, Tokens | None]]:
        """:meth:`encode_side` for many sides in one model call (a batch window): per side, its
        rows in the order of ``pipeline.embedding_texts`` and, where the model shares the
        lexicon's tokenizer, its sentences' token ids (else None). A static model embeds each
        sentence once and derives the joined rows, as :meth:`encode_side` does."""
        sides = [list(side) for side in sides]
        bounds = np.cumsum([0] + [len(side) for side in sides]).tolist()
        flat = [text for side in sides for text in side]
        if self.static is not None and self.static.joins_add:
            batches: list | None = [] if self.shares_lexicon else None
            sums = self.static.sums(flat, tokens=batches)
            tokens = Tokens.from_batches(batches) if batches is not None else None
            out = []
            for a, b in zip(bounds, bounds[1:]):
                n = b - a
                rows = np.empty((max(0, 2 * n - 1), self.dim), dtype=np.float32)
                rows[:n] = sums[a:b]
                self.static.finish(rows[:n], rows[n:])
                out.append((rows, None if tokens is None else tokens.slice(a, b)))
            return out
        vecs = self.encode([t for side in sides for t in side_texts(side)])
        out, start = [], 0
        for n in (len(side) for side in sides):
            rows = max(0, 2 * n - 1)
            out.append((vecs[start:start + rows], None))
            start += rows
        return out

    def encode_side(self, sentences: Sequence[str], out: np.ndarray | None = None,
                    join_out: np.ndarray | None = None, tokens: list | None = None) -> np.ndarray:
        """Rows for one side, in the order of ``pipeline.embedding_texts``: each sentence, then
        each adjacent pair joined with a space; written into ``out`` when given (with
        ``join_out``: the sentences into ``out``, the pairs into ``join_out``). A static model
        derives the joined rows from the sentences' token sums (the same vectors up to float
        rounding, for half the work). ``tokens`` (a list): where the model shares the lexicon's
        tokenizer (:attr:`shares_lexicon`), the sentences' token ids are appended to it, in
        batches (``fidelity.lexical.Tokens.from_batches``); otherwise it stays empty."""
        sentences = list(sentences)
        if self.static is not None and self.static.joins_add:
            keep = tokens if tokens is not None and self.shares_lexicon else None
            return self.static.encode_side(sentences, out, join_out, keep)
        vecs = self.encode(side_texts(sentences))
        if join_out is not None:
            join_out[...] = vecs[len(sentences):]
            vecs = vecs[:len(sentences)]
        if out is None:
            return vecs
        out[...] = vecs
        return out
