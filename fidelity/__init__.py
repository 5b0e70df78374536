"""fidelity: find what a translation omitted, added or changed.

    >>> import fidelity
    >>> report = fidelity.check(english_text, indonesian_text)
    >>> report.summary.verdict
    'issues'

The heavy modules (torch, sentence-transformers) are imported on first use only.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"

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


#: Where ``--device``/``device=`` may run the embedding and the search.
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "mps")
#: Largest ``batch_size`` (``--batch-size``) accepted.
MAX_BATCH_SIZE = 1 << 16
#: The settings :func:`check` takes, by the command line's option names (``--source-lang`` is
#: ``source_lang``; ``--no-language-check`` is ``check_language=False``), with their defaults.
#: ``align``/``findings`` (an ``AlignParams``/``FindingParams``) are for experts; ``tau``
#: overrides ``align.tau``. ``source_path``/``target_path`` only name the texts in the report.
SETTINGS: dict[str, Any] = {
    "source_lang": "en", "target_lang": "id", "model": None, "device": "auto", "batch_size": 256,
    "presplit": False, "check_language": True, "strict_names": False, "tau": None, "align": None,
    "findings": None,
    "source_path": None, "target_path": None,
}


def language(code: Any, side: str) -> str:
    """``code`` as the segmenter's language code (``"EN"``, ``"en-US"``, ``"eng"`` -> ``"en"``),
    or :class:`~fidelity.errors.InputError` when the segmenter has no parameters for it
    (:func:`fidelity.segment.supported_language`); ``side`` ("source"/"target") starts the
    message, which the command line and the API share word for word."""
    from .errors import InputError
    from .segment import supported_language

    try:
        return supported_language(code)
    except InputError as exc:
        raise InputError(f"{side} {exc}") from None


def _setting_error(name: str, expected: str, value: Any) -> Exception:
    from .errors import InputError

    return InputError(f"{name} must be {expected}, got {value!r}")


def make_settings(**options: Any):  # -> pipeline.Settings (imported lazily: numpy, torch)
    """The :class:`~fidelity.pipeline.Settings` for ``options`` (names and defaults:
    :data:`SETTINGS`; ``source_path``/``target_path`` are not settings and are ignored), validated.

    Both ``fidelity check`` and :func:`check` build their settings here, so they accept the
    same values and refuse the others with the same one-line messages
    (:class:`~fidelity.errors.InputError`); an unknown name is a :class:`TypeError` that
    lists the valid ones.
    """
    import math
    from dataclasses import replace

    from .align import AlignParams
    from .findings import FindingParams
    from .partial import PartialParams
    from .pipeline import Settings

    unknown = sorted(set(options) - set(SETTINGS))
    if unknown:
        raise TypeError(f"unknown setting{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                        f"valid settings: {', '.join(SETTINGS)}")
    o = {k: options.get(k, v) for k, v in SETTINGS.items()}
    if o["model"] is not None and not isinstance(o["model"], (str, os.PathLike)):
        raise _setting_error("model", "a model name or folder", o["model"])
    if o["device"] not in DEVICES:
        raise _setting_error("device", f"one of {', '.join(DEVICES)}", o["device"])
    size = o["batch_size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_BATCH_SIZE:
        raise _setting_error("batch_size", f"an integer from 1 to {MAX_BATCH_SIZE}", size)
    for flag in ("presplit", "check_language", "strict_names"):
        if not isinstance(o[flag], bool):
            raise _setting_error(flag, "True or False", o[flag])
    tau = o["tau"]
    if tau is not None and (isinstance(tau, bool) or not isinstance(tau, (int, float)) or not math.isfinite(tau)):
        raise _setting_error("tau", "a finite number or None", tau)
    align = o["align"] if o["align"] is not None else AlignParams()
    if not isinstance(align, AlignParams):
        raise _setting_error("align", "an AlignParams", align)
    if tau is not None:
        align = replace(align, tau=float(tau))
    finds = o["findings"] if o["findings"] is not None else FindingParams()
    if not isinstance(finds, FindingParams):
        raise _setting_error("findings", "a FindingParams", finds)
    return Settings(source_lang=language(o["source_lang"], "source"),
                    target_lang=language(o["target_lang"], "target"),
                    model=None if o["model"] is None else os.fspath(o["model"]), device=o["device"],
                    batch_size=size, presplit=o["presplit"], check_language=o["check_language"],
                    align=align, findings=finds,
                    partial=PartialParams(name_parts=o["strict_names"], name_count=o["strict_names"]))


def _text(value: Any, name: str) -> str:
    """One side as :func:`fidelity.textio.validate_text` passes it; bytes are decoded as the
    command line decodes a file."""
    from .textio import decode_bytes, validate_text

    if isinstance(value, (bytes, bytearray)):
        return decode_bytes(bytes(value), name, noun="text")
    if not isinstance(value, str):
        raise TypeError(f"the {name} text must be str (or bytes), got {type(value).__name__}")
    return validate_text(value, name, noun="text")


def check(source_text: str | bytes, target_text: str | bytes, **settings: Any) -> "Report":
    """Check ``target_text`` as a translation of ``source_text``; the model is loaded once and
    reused by later calls.

    Settings, by the names of ``fidelity check``'s options (see :data:`SETTINGS`):

    * ``source_lang="en"``, ``target_lang="id"``: ``--source-lang``/``--target-lang``;
      normalised (``"EN"`` -> ``"en"``); a language without segmenter parameters is refused.
    * ``presplit=False``: ``--presplit``, one sentence per line.
    * ``check_language=True``: ``False`` is ``--no-language-check``.
    * ``strict_names=False``: ``--strict-names``, also report a name dropped among freely
      rendered words, or written fewer times than the source writes it.
    * ``model=None`` (the shipped model, or ``$FIDELITY_MODEL``), ``device="auto"``
      (one of :data:`DEVICES`), ``batch_size=256``: ``--model``, ``--device``, ``--batch-size``.
    * ``tau=None``: ``--tau``, a fixed alignment threshold (None: derived per document).
    * ``align``/``findings``: an ``AlignParams``/``FindingParams`` for every expert knob.
    * ``source_path``/``target_path``: names recorded in the report.

    ``--fail-on``, ``--format``, ``-o`` and ``--verbose`` are about the command's output and
    exit status, so they have no API counterpart: read ``report.summary.verdict`` and
    ``report.findings`` instead.

    The texts (``str``, or ``bytes`` decoded as a file would be) are refused as the command
    line refuses a file, with the same one-line messages (:class:`fidelity.errors.InputError`):
    empty or whitespace-only, binary, in the other language, or a single line that names an
    existing file (``check("a.en.txt", "a.id.txt")``: pass the files' content). An unknown
    setting raises :class:`TypeError` naming the valid ones.
    """
    from .pipeline import check as _check

    source_path = settings.pop("source_path", None)
    target_path = settings.pop("target_path", None)
    s = make_settings(**settings)
    # Messages name a side as the pipeline's language check does: by its path, else its role.
    src = _text(source_text, source_path or "source")
    tgt = _text(target_text, target_path or "target")
    from dataclasses import fields

    return _check(src, tgt, source_path=source_path, target_path=target_path,
                  **{f.name: getattr(s, f.name) for f in fields(s)})


__all__ = ["__version__", "check", "default_model", "default_model_path", "make_settings", "models_dir",
           "DEFAULT_MODEL_NAME", "DEVICES", "SETTINGS"]
