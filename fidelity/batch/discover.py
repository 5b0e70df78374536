"""Which pairs a run checks: ``<story><source suffix>`` with ``<story><target suffix>`` in a
folder, or the rows of a CSV / JSON Lines manifest. A story with one side only is kept as a
pair whose record will say what is missing.

A bilingual file (XLIFF or TMX, :data:`fidelity.bilingual.SUFFIXES`) holds both sides: in a
folder it is a pair of its own, whose id is the file's stem, and so is a manifest row whose
``source`` is one and whose ``target`` is empty (:attr:`PairSpec.bilingual`). Both engines
ask for them (:func:`discover`, and the Ray engine's streamed reading); the defaults of
:func:`folder_pairs` and :func:`spec_of_row` read text pairs only."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .common import RESERVED_STEMS, BatchError


@dataclass(frozen=True)
class PairSpec:
    """One pair to check: where its files are and what its reports are called."""

    id: str
    stem: str  #: file name (without extension) of this pair's reports in OUTDIR
    source: str | None
    target: str | None
    problem: str | None = None  #: known before reading (a one-sided story): an error record
    #: ``source`` is an XLIFF/TMX file holding both sides (``target`` is None)
    bilingual: bool = False


def is_bilingual_name(name: str) -> bool:
    """Whether a file name ends in a bilingual file's suffix (``.xlf``, ``.tmx``...)."""
    from ..bilingual import SUFFIXES  # the reading itself (translate-toolkit) is not imported

    return Path(name).suffix.lower() in SUFFIXES and len(Path(name).stem) > 0


def safe_stem(pair_id: str) -> str:
    """A file-name-safe version of ``pair_id`` (letters, digits, ``.``, ``_``, ``-``)."""
    stem = re.sub(r"[^\w.\-]+", "_", pair_id).strip("._") or "pair"
    if len(stem) > 120:
        stem = stem[:100] + "-" + hashlib.sha256(pair_id.encode()).hexdigest()[:12]
    if stem.lower() in RESERVED_STEMS:
        stem += "_"
    return stem


def _check_unique(specs: list[PairSpec], where: str) -> list[PairSpec]:
    seen_ids: set[str] = set()
    stems: dict[str, str] = {}
    for s in specs:
        if s.id in seen_ids:
            raise BatchError(f"{where}: pair id {s.id!r} occurs twice; give each pair its own id")
        seen_ids.add(s.id)
        other = stems.get(s.stem.lower())
        if other is not None:
            raise BatchError(f"{where}: ids {other!r} and {s.id!r} would share the report file "
                             f"name {s.stem!r}; rename one of them")
        stems[s.stem.lower()] = s.id
    return specs


def folder_pairs(folder: Path, source_suffix: str, target_suffix: str,
                 bilingual: bool = False) -> list[PairSpec]:
    """Pairs of a folder, matched by story name; sorted by story name. With ``bilingual``, each
    XLIFF/TMX file (that is not named by a text suffix) is a pair too, its id the file's stem."""
    if source_suffix == target_suffix:
        raise BatchError(f"--source-suffix and --target-suffix are both {source_suffix!r}")
    sources: dict[str, Path] = {}
    targets: dict[str, Path] = {}
    both: list[Path] = []  # bilingual files
    for entry in sorted(folder.iterdir()):
        name = entry.name
        # The longer suffix first, so "a.en.id.txt" with suffixes ".id.txt"/".en.id.txt" is right.
        for suffix, side in sorted([(source_suffix, sources), (target_suffix, targets)],
                                   key=lambda x: -len(x[0])):
            if name.endswith(suffix) and len(name) > len(suffix):
                side[name[: -len(suffix)]] = entry
                break
        else:
            if bilingual and is_bilingual_name(name) and not entry.is_dir():
                both.append(entry)
    stories = sorted(set(sources) | set(targets))
    if not stories and not both:
        also = " or XLIFF/TMX" if bilingual else ""
        raise BatchError(f"{folder}: no <story>{source_suffix} or <story>{target_suffix}{also} "
                         f"files (see --source-suffix/--target-suffix)")
    specs = [PairSpec(path.stem, safe_stem(path.stem), str(path), None, bilingual=True)
             for path in both]
    for story in stories:
        src, tgt = sources.get(story), targets.get(story)
        problem = None
        if src is None:
            problem = f"no source file {story}{source_suffix} for {tgt.name}"  # type: ignore[union-attr]
        elif tgt is None:
            problem = f"no target file {story}{target_suffix} for {src.name}"
        specs.append(PairSpec(story, safe_stem(story), None if src is None else str(src),
                              None if tgt is None else str(tgt), problem))
    specs.sort(key=lambda spec: spec.id)
    return _check_unique(specs, str(folder))


#: The file name suffixes (lower case) of the manifests read: CSV and JSON Lines.
MANIFEST_SUFFIXES = (".csv", ".jsonl", ".ndjson")


def check_manifest_suffix(location: str, suffix: str) -> None:
    """BatchError unless ``suffix`` (lower case) is a manifest's (:data:`MANIFEST_SUFFIXES`)."""
    if suffix not in MANIFEST_SUFFIXES:
        raise BatchError(f"{location}: expected a folder, a .csv or a .jsonl manifest")


def manifest_rows(lines: Iterable[str], location: str,
                  suffix: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV or JSON Lines manifest (by ``suffix``, lower case), read
    from ``lines`` as they come: the text split in lines (:func:`manifest_pairs`) or an open
    text file (the Ray engine, which streams a manifest at a path or URL). Keys are stripped
    and lower-cased (as CSV headers); ``location`` names the manifest in the messages."""
    check_manifest_suffix(location, suffix)
    try:
        if suffix == ".csv":
            reader = csv.DictReader(lines)
            fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
            if not {"source", "target"} <= fields:
                raise BatchError(f"{location}: a CSV manifest needs 'source' and 'target' "
                                 f"columns (and optionally 'id'); found {sorted(fields)}")
            for row in reader:
                yield reader.line_num, {(k or "").strip().lower(): v for k, v in row.items()}
            return
        for n, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchError(f"{location}:{n}: not a JSON object: {exc.msg}") from None
            if not isinstance(row, dict):
                raise BatchError(f"{location}:{n}: expected a JSON object with source and target")
            yield n, {str(k).strip().lower(): v for k, v in row.items()}
    except UnicodeDecodeError as exc:  # an open file decodes as it is read
        raise BatchError(f"{location}: cannot read the manifest: {exc}") from None


def spec_of_row(line: int, row: dict[str, Any], source_suffix: str,
                resolve: Callable[[str], str], bilingual: bool = False) -> PairSpec:
    """The pair of manifest row ``row`` (at ``line``): its id is the row's ``id``, or else the
    source's file name less ``source_suffix`` (the stem of the one file given otherwise, or
    ``line-N``); ``resolve`` turns a path of the row into the file's location (relative to the
    manifest's folder). A row without both paths is a pair with a problem (an error record),
    but for (with ``bilingual``) a row whose source is an XLIFF/TMX file and whose target is
    empty: that file is the pair."""
    src = str(row.get("source") or "").strip()
    tgt = str(row.get("target") or "").strip()
    pair_id = str(row.get("id") or "").strip()
    if bilingual and src and not tgt and is_bilingual_name(src):
        pair_id = pair_id or Path(src).stem
        return PairSpec(pair_id, safe_stem(pair_id), resolve(src), None, bilingual=True)
    if not pair_id:
        name = Path(src or tgt).name
        pair_id = name[: -len(source_suffix)] if src and name.endswith(source_suffix) \
            and len(name) > len(source_suffix) else (Path(name).stem or f"line-{line}")
    problem = None
    if not src or not tgt:
        problem = f"manifest line {line}: no {'source' if not src else 'target'} path"
    return PairSpec(pair_id, safe_stem(pair_id), resolve(src) if src else None,
                    resolve(tgt) if tgt else None, problem)


def manifest_pairs(path: Path, source_suffix: str, bilingual: bool = False) -> list[PairSpec]:
    """Pairs listed in a manifest; relative paths are relative to the manifest's folder.
    ``bilingual``: see :func:`spec_of_row`."""
    base = path.parent
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"{path}: cannot read the manifest: {exc}") from None
    specs = [spec_of_row(line, row, source_suffix, lambda p: str(base / p), bilingual)
             for line, row in manifest_rows(text.splitlines(), str(path), suffix)]
    if not specs:
        raise BatchError(f"{path}: the manifest lists no pairs")
    return _check_unique(specs, str(path))


def discover(input_path: str | os.PathLike, source_suffix: str = ".en.txt",
             target_suffix: str = ".id.txt", bilingual: bool = True) -> list[PairSpec]:
    """The pairs of a folder or a manifest (see the module doc), XLIFF/TMX files included
    unless ``bilingual`` is False."""
    path = Path(input_path)
    if path.is_dir():
        return folder_pairs(path, source_suffix, target_suffix, bilingual)
    if path.is_file():
        return manifest_pairs(path, source_suffix, bilingual)
    raise BatchError(f"{path}: no such folder or manifest")
