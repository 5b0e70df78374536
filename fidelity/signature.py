"""A report's signature and settings, generated from the settings dataclasses themselves.

As sacrebleu builds its signature from a metric's actual arguments plus a table of short names,
the signature here is built by walking :func:`dataclasses.fields` of the settings, so a new
parameter is in it the moment it is declared, and cannot be forgotten:

    fidelity:0.2.0|model:fidelity-en-id-static#1a2b3c4d5e6f|seg:punkt-en#…,punkt-id#…,presplit=no,
    nltk=3.10.4|align:k=4,lex=0.25,tau=auto,…,hash=512|find:unrelated=0.4,…|data:#…|device:cpu

Rules, read from each field's ``metadata``:

* A field whose value is a dataclass (``Settings.align``, ``Settings.findings``, a future
  ``Settings.partial``) is one part, named ``metadata["sig"]`` or the field's name, whose
  entries are its own fields (``name=value``).  Adding a parameter dataclass to the settings is
  one line.
* An entry's name is ``metadata["sig"]`` when set, else :data:`SHORT_NAMES`, else the field name.
* ``metadata={"sig": None, "why": "..."}`` leaves a field out, with the reason (``model`` and
  ``device`` are named by the :class:`~fidelity.pipeline.ModelId` part, ``batch_size`` changes no
  number, ``check_language`` whether a report is made, not what it says).
* Any other top-level field is an entry of the part ``metadata["part"]`` (default ``run``);
  ``metadata["lang"]`` marks a language code, written ``punkt-<code>#<hash of its parameters>``.

Shipped files that change results are in it by content hash: each language's Punkt parameters
(``seg``), every file of ``models/wordlists/`` and ``models/lexicon/`` (:data:`DATA_FOLDERS`)
and the shipped model's token table (:class:`fidelity.lexical.Lexicon`, which the aligner's
word-coverage tests read whatever ``--model`` is) under ``data``; the embedding model by its
weights' hash (``model``).  Hashes are cached per process (keyed by the file's size and
modification time, so a rewritten file is hashed again).

A house glossary (``--glossary``) adds terminology findings, so a report made with one ends
with a ``glossary`` part: its number of terms and the hash of its terms
(:attr:`fidelity.glossary.Glossary.digest`), ``…|device:cpu|glossary:terms=17,hash=…``
(:func:`with_glossary`). A batch that resumes redoes its pairs when the glossary's terms
change, and only then.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

#: Short entry names for fields whose dataclass gives none in ``metadata={"sig": ...}``, by the
#: dataclass's name (a field's own metadata wins; a field missing here is written by its name).
SHORT_NAMES: dict[str, dict[str, str]] = {
    "AlignParams": {
        "lex_weight": "lex", "tau_alpha": "alpha", "tau_min": "tmin", "tau_max": "tmax",
        "anchor_margin": "amargin", "merge_delta": "merge", "merge_length": "mlen",
        "merge_slack": "mslack", "merge_cover": "mcover", "length_weight": "len",
        "pair_titles": "titles", "absorb_cover": "absorb", "absorb_fit_cover": "afcover",
        "absorb_fit": "afit", "max_cells": "cells",
    },
    "FindingParams": {
        "unrelated_coverage": "unrelated", "unrelated_anchors": "anchors", "min_number": "num",
        "spelling_ratio": "spell",
    },
}

#: Part of a top-level field that names none in its metadata.
DEFAULT_PART = "run"
#: Files of :func:`fidelity.models_dir` that change results, besides the Punkt parameters and
#: the embedding model: every file of these folders (a word list added later is in at once).
DATA_FOLDERS: tuple[str, ...] = ("wordlists", "lexicon")
#: Files of the shipped model that the lexicon (:meth:`fidelity.lexical.Lexicon.default`) reads.
LEXICON_FILES: tuple[str, ...] = ("model.safetensors", "tokenizer.json")

_HEX = 12  #: hex digits of a hash shown


# --------------------------------------------------------------------------- hashing


@functools.lru_cache(maxsize=None)
def _hash_file(path: str, size: int, mtime_ns: int) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_hash(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes (hex), computed once per process per (size, mtime)."""
    st = os.stat(path)
    return _hash_file(os.fspath(path), st.st_size, st.st_mtime_ns)


def files_hash(root: str | os.PathLike, names: Iterable[str]) -> str:
    """One short hash of several files of ``root``: of each relative name and its content hash,
    so renaming, adding or changing a file changes it."""
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(f"{name}\0{file_hash(Path(root) / name)}\n".encode())
    return h.hexdigest()[:_HEX]


def shipped_data_files(root: str | os.PathLike | None = None) -> list[str]:
    """Relative paths (``/``-separated) of the result-changing data files under ``root`` (the
    shipped :func:`fidelity.models_dir` by default), besides Punkt and the model: every file of
    :data:`DATA_FOLDERS` (hidden files and Python files left out) and :data:`LEXICON_FILES`."""
    from . import DEFAULT_MODEL_NAME, models_dir

    base = Path(models_dir() if root is None else root)
    names = []
    for folder in DATA_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(base / folder):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for fn in filenames:
                if not fn.startswith(".") and not fn.endswith((".py", ".pyc")):
                    names.append((Path(dirpath) / fn).relative_to(base).as_posix())
    names += [f"{DEFAULT_MODEL_NAME}/{fn}" for fn in LEXICON_FILES]
    return sorted(names)


def data_hash(root: str | os.PathLike | None = None) -> str:
    """Hash of :func:`shipped_data_files` (the word lists and the lexicon)."""
    from . import models_dir

    base = Path(models_dir() if root is None else root)
    return files_hash(base, shipped_data_files(base))


def punkt_hash(lang: str) -> str:
    """Hash of the shipped Punkt parameters of ``lang``; ``generic`` for a language without them
    (NLTK's untrained Punkt)."""
    from .langid import normalize_lang
    from .segment import SUPPORTED_LANGUAGES, params_path

    code = normalize_lang(lang)
    if code not in SUPPORTED_LANGUAGES:
        return "generic"
    return file_hash(params_path(code))[:_HEX]


@functools.lru_cache(maxsize=1)
def nltk_version() -> str:
    """The installed NLTK's version: its Punkt code splits the sentences (see ``segment.py``)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nltk")
    except PackageNotFoundError:  # pragma: no cover - a vendored or odd install
        import nltk

        return str(getattr(nltk, "__version__", "unknown"))


# --------------------------------------------------------------------------- fields


def value_text(value: Any) -> str:
    """A value as the signature writes it: floats exactly (``repr``: 0.25, 1e-05), booleans
    yes/no, None ``auto`` (an unset threshold is derived), sequences and mappings (``k:v``)
    joined with ``+``; the separators ``|`` and ``,`` never occur inside a value (they become
    ``/`` and ``;``)."""
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif value is None:
        text = "auto"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, Mapping):
        text = "+".join(sorted(f"{value_text(k)}:{value_text(v)}" for k, v in value.items()))
    elif isinstance(value, (tuple, list, frozenset, set)):
        items = [value_text(v) for v in value]
        text = "+".join(items if isinstance(value, (tuple, list)) else sorted(items))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        text = "(" + ";".join(f"{k}:{v}" for k, v in entries(value)) + ")"
    else:
        text = str(value)
    return text.replace("|", "/").replace(",", ";")


def short_name(owner: type, f: dataclasses.Field) -> str:
    """The entry name of field ``f`` of dataclass ``owner``."""
    if f.metadata.get("sig"):
        return str(f.metadata["sig"])
    return SHORT_NAMES.get(owner.__name__, {}).get(f.name, f.name)


def is_left_out(f: dataclasses.Field) -> bool:
    """Whether the field's metadata leaves it out of the signature (``{"sig": None, ...}``)."""
    return "sig" in f.metadata and f.metadata["sig"] is None


def entries(params: Any) -> Iterator[tuple[str, str]]:
    """``(short name, value text)`` of every field of a parameter dataclass instance, in order."""
    for f in dataclasses.fields(params):
        if not is_left_out(f):
            yield short_name(type(params), f), value_text(getattr(params, f.name))


def sections(settings: Any) -> Iterator[tuple[str, Any]]:
    """``(part name, instance)`` of each parameter dataclass among the settings' fields."""
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type) and not is_left_out(f):
            yield str(f.metadata.get("sig") or f.name), value


def _scalar_parts(settings: Any) -> dict[str, list[str]]:
    """The entries of the settings' own (non-dataclass) fields, by part."""
    parts: dict[str, list[str]] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if is_left_out(f) or (dataclasses.is_dataclass(value) and not isinstance(value, type)):
            continue
        if f.metadata.get("lang"):
            from .langid import normalize_lang

            text = f"punkt-{value_text(normalize_lang(value))}#{punkt_hash(value)}"
        else:
            text = f"{short_name(type(settings), f)}={value_text(value)}"
        parts.setdefault(str(f.metadata.get("part", DEFAULT_PART)), []).append(text)
    return parts


# --------------------------------------------------------------------------- signature


def signature(settings: Any, model: Any, extra: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """The signature of reports made with ``settings`` (a :class:`~fidelity.pipeline.Settings`)
    and ``model`` (a :class:`~fidelity.pipeline.ModelId`: name, weights hash, device used).

    ``extra`` adds constant entries to a part (``{"align": {"hash": 512}}``)."""
    from . import __version__

    extra = extra or {}
    scalar = _scalar_parts(settings)
    seg = scalar.pop("seg", [])
    parts = [f"fidelity:{__version__}", f"model:{model.name}#{model.hash}",
             "seg:" + ",".join([*seg, f"nltk={value_text(nltk_version())}"])]
    for name, params in sections(settings):
        items = [f"{k}={v}" for k, v in entries(params)]
        items += [f"{k}={value_text(v)}" for k, v in extra.get(name, {}).items()]
        parts.append(f"{name}:" + ",".join(items))
    parts += [f"{name}:" + ",".join(items) for name, items in scalar.items()]
    parts += [f"data:#{data_hash()}", f"device:{model.device}"]
    return "|".join(parts)


GLOSSARY_PART = "glossary"


def glossary_part(glossary: Any) -> str:
    """The signature part of a :class:`~fidelity.glossary.Glossary`:
    ``glossary:terms=<n>,hash=<12 hex digits of its digest>``."""
    return f"{GLOSSARY_PART}:terms={len(glossary)},hash={glossary.digest[:_HEX]}"


def with_glossary(signature_text: str, glossary: Any | None) -> str:
    """``signature_text`` of a report whose terminology findings come from ``glossary``: any
    glossary part it has replaced by this one's (none with ``glossary`` None)."""
    parts = [p for p in signature_text.split("|") if not p.startswith(GLOSSARY_PART + ":")]
    if glossary is not None:
        parts.append(glossary_part(glossary))
    return "|".join(parts)


def settings_dict(settings: Any, model: Any) -> dict[str, Any]:
    """``Report.settings``: every settings field by its full name (parameter dataclasses as
    nested dicts, language codes normalised), the model and the hashes of the shipped files."""
    from .langid import normalize_lang

    out: dict[str, Any] = {}
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        elif f.metadata.get("lang"):
            value = normalize_lang(value)
        out[f.name] = value
    out.update(model=model.name, model_hash=model.hash, device=model.device,
               data={**{f"punkt-{out[f.name]}": punkt_hash(out[f.name])
                        for f in dataclasses.fields(settings) if f.metadata.get("lang")},
                     "nltk": nltk_version(), "data": data_hash()})
    return out


__all__ = ["DATA_FOLDERS", "GLOSSARY_PART", "LEXICON_FILES", "SHORT_NAMES", "data_hash", "entries",
           "file_hash", "files_hash", "glossary_part", "nltk_version", "punkt_hash", "sections",
           "settings_dict", "shipped_data_files", "signature", "value_text", "with_glossary"]
