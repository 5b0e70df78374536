"""Sentence embeddings through sentence-transformers, any model name or local folder.

The default is the offline model shipped in ``models/`` (see :func:`fidelity.default_model_path`).
A hub name is loaded from the local cache first; if it is not there and the hub cannot be
reached, loading fails within a couple of seconds with one line saying how to use a local
folder instead (no minute of retries).

:class:`Encoder` embeds each distinct text once (an in-memory cache, so repeated lines such as
"Advertisement" cost nothing) and lets sentence-transformers sort by length before batching,
which keeps padding low for transformer models.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from .errors import ModelError

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
    h = hashlib.sha256()
    for name, tensor in sorted(st_model.state_dict().items()):
        h.update(name.encode())
        h.update(tensor.detach().to("cpu").contiguous().view(-1).view(dtype=__import__("torch").uint8).numpy().tobytes())
    return h.hexdigest()[:12]


class Encoder:
    """Embeds texts with one loaded model; each distinct text is embedded once."""

    def __init__(self, model: str | os.PathLike | None = None, device: str = "auto",
                 batch_size: int = 256, progress: bool | None = None, cache_size: int = 500_000):
        self.device = resolve_device(device)
        self.model = load_model(model, self.device)
        from . import default_model

        src = str(model) if model is not None else default_model()
        self.name = Path(src).name if Path(src).is_dir() else src
        self.batch_size = batch_size
        self.progress = progress
        self.cache_size = cache_size
        self._cache: dict[str, np.ndarray] = {}
        self._hash: str | None = None
        get_dim = getattr(self.model, "get_embedding_dimension", None) or \
            self.model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    @property
    def hash(self) -> str:
        if self._hash is None:
            self._hash = model_hash(self.model)
        return self._hash

    @property
    def max_seq_length(self) -> float:
        value = getattr(self.model, "max_seq_length", None)
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
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            self._warn_truncation(todo)
            show = self.progress if self.progress is not None else (
                sys.stderr.isatty() and len(todo) > 5000)
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
