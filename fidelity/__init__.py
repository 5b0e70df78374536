"""fidelity: find what a translation omitted, added or changed.

    >>> import fidelity
    >>> report = fidelity.check(english_text, indonesian_text)
    >>> report.summary.verdict
    'issues'

The heavy modules (torch, sentence-transformers) are imported on first use only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Folder name of the shipped default embedding model inside ``models/``.
DEFAULT_MODEL_NAME = "fidelity-en-id-static"

_REPO_MODELS = Path(__file__).resolve().parent.parent / "models"

if TYPE_CHECKING:  # pragma: no cover
    from .types import Report


def models_dir() -> Path:
    """The folder that holds the shipped model files: ``models/`` of the repository (an
    editable install or a checkout), else the copy a wheel carries as ``fidelity/_shipped``."""
    if (_REPO_MODELS / "punkt").is_dir():
        return _REPO_MODELS
    return Path(__file__).resolve().parent / "_shipped"


def default_model_path() -> Path:
    """Path of the shipped offline English-Indonesian sentence-embedding model.

    It is a plain sentence-transformers folder: ``SentenceTransformer(str(path))`` loads it.
    """
    return models_dir() / DEFAULT_MODEL_NAME


def default_model() -> str:
    """What ``--model`` defaults to: ``$FIDELITY_MODEL`` when set, else the shipped model."""
    import os

    return os.environ.get("FIDELITY_MODEL") or str(default_model_path())


def progress_default() -> bool:
    """Whether long work shows a progress bar when the caller did not say: on a terminal
    (stderr), but not in CI, whose logs are no terminal even when the runner gives the job a
    pseudo-terminal. Pipes stay clean either way."""
    import os
    import sys

    return sys.stderr.isatty() and not os.environ.get("CI")


def check(source_text: str, target_text: str, **settings: Any) -> "Report":
    """Check ``target_text`` as a translation of ``source_text``; see :func:`fidelity.pipeline.check`."""
    from .pipeline import check as _check

    return _check(source_text, target_text, **settings)


__all__ = ["__version__", "check", "default_model", "default_model_path", "models_dir", "DEFAULT_MODEL_NAME"]
