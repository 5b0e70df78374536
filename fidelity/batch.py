"""``fidelity batch``: check a folder (or manifest) of translated stories, resumably and fast.

How a run goes:

1. :func:`discover` lists the pairs: ``<story><source suffix>`` with ``<story><target suffix>``
   in a folder, or the rows of a CSV / JSON Lines manifest. A story with one side only is kept
   as a pair whose record will say what is missing.
2. :func:`plan` hashes every input (SHA-256 of its bytes) and compares with ``results.jsonl``
   of an earlier run in the same OUTDIR: a pair whose report files exist and whose hashes and
   signature are unchanged (and that passed the language check, if this run asks for one) is
   reused, the rest are redone (all of them with ``force``).
   ``results.jsonl`` is rewritten at once (atomically) with the reused lines only, so from then
   on every finished pair appends exactly one line.
3. :class:`BatchRunner` streams the pairs to do through three stages, with a bounded number of
   pairs in flight so memory stays flat:

   * :func:`prepare_pair` (decoding, language check, segmentation) in worker processes;
   * the embedding in this process, for a *window* of pairs at once: their texts go to
     :meth:`fidelity.embed.Encoder.encode` in one call, which embeds each distinct text once,
     in length-sorted batches, and the rows are split back per pair;
   * :func:`finish_pair` (alignment, findings, JSON and HTML rendering) in worker processes,
     which write ``<id>.json`` and ``<id>.html`` atomically.

   When a pair's files are written its line is appended to ``results.jsonl``. A run
   killed at any moment therefore leaves at most one line per pair (plus perhaps a torn last
   line, which the next run ignores); the next run redoes what has no line.
4. At the end ``results.jsonl`` is rewritten in input order, and ``summary.json`` and
   ``index.html`` (a sortable overview linking each story's HTML report) are written.

The per-pair work, :func:`prepare_pair` and :func:`finish_pair`, is a plain function of the
input texts, the settings and (for the second) the embedding rows; inputs and outputs are
picklable, so another engine can distribute it without this module's scheduling.
"""

from __future__ import annotations

import csv
import hashlib
import heapq
import json
import os
import re
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import __version__
from .errors import FidelityError

if TYPE_CHECKING:  # torch comes with the pipeline: imported only once there is work to do,
    # so that a refused run (locked OUTDIR, bad manifest) answers at once.
    from .lexical import Tokens
    from .pipeline import ModelId, Pair, Settings

RESULTS = "results.jsonl"
SUMMARY = "summary.json"
INDEX = "index.html"
LOCK = ".fidelity-batch.lock"
#: Report stems that would overwrite the run's own files.
RESERVED_STEMS = frozenset({"results", "summary", "index", LOCK.lstrip(".")})
#: Pairs whose texts are embedded in one encoder call.
DEFAULT_WINDOW = 64
#: Distinct texts the encoder keeps between windows. The cache is what makes a repeated line
#: ("Advertisement", a byline) free; bounding it keeps memory flat on an endless run.
CACHE_TEXTS = 100_000
#: How many of the worst stories the summaries list.
WORST_LISTED = 10
VERDICTS = ("faithful", "issues", "unrelated")
COUNT_KEYS = ("omissions", "additions", "drifts", "source_sentences", "target_sentences")


class BatchError(FidelityError):
    """Bad usage of ``fidelity batch`` (unreadable manifest, duplicate ids, OUTDIR locked...)."""


class Interrupted(BatchError):
    """Ctrl-C: its own exit code, so that a script does not take the run for one that found
    issues (1); what was recorded is kept for the next run."""

    exit_code = 130


# --------------------------------------------------------------------------- discovering pairs

@dataclass(frozen=True)
class PairSpec:
    """One pair to check: where its files are and what its reports are called."""

    id: str
    stem: str  #: file name (without extension) of this pair's reports in OUTDIR
    source: str | None
    target: str | None
    problem: str | None = None  #: known before reading (a one-sided story): an error record


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


def folder_pairs(folder: Path, source_suffix: str, target_suffix: str) -> list[PairSpec]:
    """Pairs of a folder, matched by story name; sorted by story name."""
    if source_suffix == target_suffix:
        raise BatchError(f"--source-suffix and --target-suffix are both {source_suffix!r}")
    sources: dict[str, Path] = {}
    targets: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        name = entry.name
        # The longer suffix first, so "a.en.id.txt" with suffixes ".id.txt"/".en.id.txt" is right.
        for suffix, side in sorted([(source_suffix, sources), (target_suffix, targets)],
                                   key=lambda x: -len(x[0])):
            if name.endswith(suffix) and len(name) > len(suffix):
                side[name[: -len(suffix)]] = entry
                break
    stories = sorted(set(sources) | set(targets))
    if not stories:
        raise BatchError(f"{folder}: no <story>{source_suffix} or <story>{target_suffix} files "
                         f"(see --source-suffix/--target-suffix)")
    specs = []
    for story in stories:
        src, tgt = sources.get(story), targets.get(story)
        problem = None
        if src is None:
            problem = f"no source file {story}{source_suffix} for {tgt.name}"
        elif tgt is None:
            problem = f"no target file {story}{target_suffix} for {src.name}"
        specs.append(PairSpec(story, safe_stem(story), None if src is None else str(src),
                              None if tgt is None else str(tgt), problem))
    return _check_unique(specs, str(folder))


def _manifest_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV or JSON Lines manifest."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchError(f"{path}: cannot read the manifest: {exc}") from None
    if suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        fields = {(f or "").strip().lower() for f in reader.fieldnames or []}
        if not {"source", "target"} <= fields:
            raise BatchError(f"{path}: a CSV manifest needs 'source' and 'target' columns "
                             f"(and optionally 'id'); found {sorted(fields)}")
        for row in reader:
            yield reader.line_num, {(k or "").strip().lower(): v for k, v in row.items()}
    elif suffix in (".jsonl", ".ndjson"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BatchError(f"{path}:{n}: not a JSON object: {exc.msg}") from None
            if not isinstance(row, dict):
                raise BatchError(f"{path}:{n}: expected a JSON object with source and target")
            yield n, {str(k).strip().lower(): v for k, v in row.items()}  # as CSV headers
    else:
        raise BatchError(f"{path}: expected a folder, a .csv or a .jsonl manifest")


def manifest_pairs(path: Path, source_suffix: str) -> list[PairSpec]:
    """Pairs listed in a manifest; relative paths are relative to the manifest's folder."""
    base = path.parent
    specs = []
    for line, row in _manifest_rows(path):
        src = str(row.get("source") or "").strip()
        tgt = str(row.get("target") or "").strip()
        pair_id = str(row.get("id") or "").strip()
        if not pair_id:
            name = Path(src or tgt).name
            pair_id = name[: -len(source_suffix)] if src and name.endswith(source_suffix) \
                and len(name) > len(source_suffix) else (Path(name).stem or f"line-{line}")
        problem = None
        if not src or not tgt:
            problem = f"manifest line {line}: no {'source' if not src else 'target'} path"
        specs.append(PairSpec(pair_id, safe_stem(pair_id),
                              str(base / src) if src else None, str(base / tgt) if tgt else None,
                              problem))
    if not specs:
        raise BatchError(f"{path}: the manifest lists no pairs")
    return _check_unique(specs, str(path))


def discover(input_path: str | os.PathLike, source_suffix: str = ".en.txt",
             target_suffix: str = ".id.txt") -> list[PairSpec]:
    """The pairs of a folder or a manifest (see the module doc)."""
    path = Path(input_path)
    if path.is_dir():
        return folder_pairs(path, source_suffix, target_suffix)
    if path.is_file():
        return manifest_pairs(path, source_suffix)
    raise BatchError(f"{path}: no such folder or manifest")


# --------------------------------------------------------------------------- per-pair work

def prepare_pair(source: bytes | str, target: bytes | str, settings: Settings,
                 source_path: str | None = None, target_path: str | None = None) -> Pair:
    """Decode (bytes) and segment both sides; raises on an unusable input."""
    from .pipeline import prepare
    from .textio import decode_bytes

    src = decode_bytes(source, source_path or "source") if isinstance(source, bytes) else source
    tgt = decode_bytes(target, target_path or "target") if isinstance(target, bytes) else target
    return prepare(src, tgt, settings, source_path, target_path)


def pair_texts(pair: Pair) -> tuple[list[str], list[str]]:
    """What to embed for a pair: the sentences of each side (``Encoder.encode_sides`` adds
    the joined pairs)."""
    return pair.source.texts, pair.target.texts


def finish_pair(pair: Pair, source_vecs: np.ndarray, target_vecs: np.ndarray,
                settings: Settings, model: ModelId, source_tokens: Tokens | None = None,
                target_tokens: Tokens | None = None) -> tuple[dict, str, str]:
    """Align and judge a pair whose embeddings are known: (summary dict, JSON text, HTML text)."""
    from .pipeline import analyse
    from .report import render_html, render_json

    report = analyse(pair, source_vecs, target_vecs, settings, model, device="cpu",
                     source_tokens=source_tokens, target_tokens=target_tokens)
    return report.summary.to_dict(), render_json(report), render_html(report)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, FidelityError):
        text = str(exc)
    elif isinstance(exc, FileNotFoundError):
        text = f"{exc.filename}: no such file"
    elif isinstance(exc, OSError) and exc.filename:
        text = f"{exc.filename}: {exc.strerror or exc}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    lines = text.strip().splitlines()
    return lines[0] if lines else type(exc).__name__


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
            pair, error = None, _error_text(exc)
    notes = list(dict.fromkeys(str(w.message) for w in caught))
    return Prepared(job.key, pair, error, time.perf_counter() - t0, notes)


def run_finish(job: FinishJob) -> Finished:
    """Worker stage 2: analyse, render and write the pair's two reports atomically."""
    from .report import write_atomic

    t0 = time.perf_counter()
    try:
        summary, json_text, html_text = finish_pair(job.pair, job.source_vecs, job.target_vecs,
                                                    job.settings, job.model, job.source_tokens,
                                                    job.target_tokens)
        write_atomic(job.json_path, json_text)
        write_atomic(job.html_path, html_text)
        return Finished(job.key, summary, None, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001
        return Finished(job.key, None, _error_text(exc), time.perf_counter() - t0)


def _worker_init() -> None:
    """One torch thread per worker: the workers already fill the cores."""
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # pragma: no cover - torch is a dependency
        pass


class InlineExecutor(Executor):
    """Runs each task at submission in this process (``--workers 0``)."""

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001
            future.set_exception(exc)
        return future


def warm_up(executor: Executor, workers: int) -> threading.Thread | None:
    """Start the worker processes in the background (a process pool starts them on demand,
    and starting one waits for the fork server's imports), so they boot while the model loads."""
    if not isinstance(executor, ProcessPoolExecutor) or workers <= 0:
        return None

    def start() -> None:
        try:
            for fut in [executor.submit(_worker_init) for _ in range(workers)]:
                fut.result()
        except BaseException:  # noqa: BLE001 - a pool that cannot start shows up at the first pair
            pass

    thread = threading.Thread(target=start, name="fidelity-batch-warm-up", daemon=True)
    thread.start()
    return thread


def make_executor(workers: int) -> Executor:
    """``workers`` processes (forkserver: no fork of a process that runs torch threads)."""
    if workers <= 0:
        return InlineExecutor()
    import multiprocessing as mp

    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["fidelity.batch", "fidelity.pipeline", "fidelity.align",
                                    "fidelity.findings", "fidelity.report", "fidelity.segment"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)


# --------------------------------------------------------------------------- records and resume

def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(path: str | None) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, error text) for an input file."""
    if path is None:
        return None, None
    try:
        return Path(path).read_bytes(), None
    except OSError as exc:
        return None, _error_text(exc)


def make_record(spec: PairSpec, signature: str, source_sha: str | None, target_sha: str | None,
                summary: dict | None, error: str | None, seconds: float,
                notes: list[str] | None = None, language_checked: bool = True) -> dict:
    """One line of ``results.jsonl``.

    ``language_checked`` says whether the run checked each side's language: that setting decides
    whether a report is made at all, not what it says, so the signature does not name it, and a
    report made without the check must not be reused by a run that asks for it."""
    ok = error is None and summary is not None
    return {
        "id": spec.id,
        "source": spec.source,
        "target": spec.target,
        "verdict": summary["verdict"] if ok else None,
        "counts": {k: summary[k] for k in COUNT_KEYS} if ok else None,
        "coverage": {"source": summary["source_coverage"], "target": summary["target_coverage"]}
        if ok else None,
        "seconds": round(seconds, 4),
        "error": None if ok else (error or "unknown error"),
        "warnings": list(notes or []),
        "source_sha256": source_sha,
        "target_sha256": target_sha,
        "signature": signature,
        "language_checked": language_checked,
        "report": spec.stem + ".json" if ok else None,
        "html": spec.stem + ".html" if ok else None,
    }


def read_results(path: Path) -> Iterator[dict]:
    """The records of a ``results.jsonl``; a torn or foreign line (a killed run) is skipped."""
    try:
        fh = path.open("r", encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    with fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and isinstance(rec.get("id"), str):
                yield rec


def _record_line(rec: dict) -> str:
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n"


def _reusable(rec: dict | None, spec: PairSpec, signature: str, outdir: Path,
              hashes: tuple[str | None, str | None], check_language: bool = True) -> bool:
    """Whether ``rec`` of an earlier run still holds: same inputs, same signature, reports on
    disk, and the language check passed if this run asks for it (a record without the field
    is from before it was kept: redone when languages are checked)."""
    return (rec is not None and rec.get("error") is None and rec.get("verdict") in VERDICTS
            and rec.get("signature") == signature
            and (rec.get("language_checked") is True or not check_language)
            and (rec.get("source_sha256"), rec.get("target_sha256")) == hashes
            and (outdir / f"{spec.stem}.json").is_file() and (outdir / f"{spec.stem}.html").is_file())


@dataclass
class Plan:
    """Which pairs to do; the reused ones already have their line in ``results.jsonl``."""

    todo: list[int]  #: indexes into the spec list
    reused: int


def plan(specs: list[PairSpec], outdir: Path, signature: str, force: bool,
         check_language: bool = True) -> Plan:
    """Compare inputs with the last run and rewrite ``results.jsonl`` with the reused lines."""
    from .report import write_atomic

    results = outdir / RESULTS
    previous: dict[str, dict] = {} if force else {r["id"]: r for r in read_results(results)}
    kept: list[str] = []
    todo: list[int] = []
    for k, spec in enumerate(specs):
        rec = previous.pop(spec.id, None)
        if rec is not None and spec.problem is None:
            hashes = tuple(sha256_bytes(b) if b is not None else None
                           for b in (_read(spec.source)[0], _read(spec.target)[0]))
            if _reusable(rec, spec, signature, outdir, hashes,  # type: ignore[arg-type]
                         check_language):
                # The folder may have moved since: the record names the files as they are now.
                rec.update(source=spec.source, target=spec.target, report=f"{spec.stem}.json",
                           html=f"{spec.stem}.html")
                kept.append(_record_line(rec))
                continue
        todo.append(k)
    previous.clear()
    if kept or results.exists():
        write_atomic(results, "".join(kept))
    return Plan(todo, len(kept))


class ResultsLog:
    """Appends one line per finished pair to ``results.jsonl``.

    Each line is handed to the operating system at once (``flush``), so a killed process loses
    nothing it has recorded. ``fsync`` (needed only against a power cut) runs at most once per
    ``sync_every`` seconds and at the end: a line lost to a power cut just means that pair is
    redone by the next run, and a torn line is skipped by :func:`read_results`.
    """

    def __init__(self, path: Path, sync_every: float = 1.0):
        self.path = path
        self.fh = path.open("a", encoding="utf-8")
        self.sync_every = sync_every
        self._synced = time.monotonic()

    def append(self, rec: dict) -> None:
        self.fh.write(_record_line(rec))
        self.fh.flush()
        if time.monotonic() - self._synced >= self.sync_every:
            self.sync()

    def sync(self) -> None:
        os.fsync(self.fh.fileno())
        self._synced = time.monotonic()

    def close(self) -> None:
        try:
            self.sync()
        finally:
            self.fh.close()


# --------------------------------------------------------------------------- the run

@dataclass
class _Slot:
    """A pair in flight."""

    spec: PairSpec
    source_sha: str | None = None
    target_sha: str | None = None
    seconds: float = 0.0
    pair: Pair | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class RunStats:
    """What :meth:`BatchRunner.run` did (the pairs' outcomes are in ``results.jsonl``)."""

    checked: int = 0
    reused: int = 0
    seconds: float = 0.0  #: wall time of the pairs' processing (model already loaded)
    embed_seconds: float = 0.0
    texts_embedded: int = 0


class BatchRunner:
    """Streams the pairs to do through prepare (workers) -> embed (here) -> finish (workers)."""

    def __init__(self, specs: list[PairSpec], outdir: Path, settings: Settings, encoder: Any,
                 model: ModelId, signature: str, executor: Executor, window: int = DEFAULT_WINDOW,
                 on_done: Callable[[dict], None] | None = None,
                 new_executor: Callable[[], Executor] | None = None):
        self.specs = specs
        self.outdir = outdir
        self.settings = settings
        self.encoder = encoder
        self.model = model
        self.signature = signature
        self.executor = executor
        self.new_executor = new_executor or (lambda: InlineExecutor())
        self.window = max(1, window)
        self.on_done = on_done or (lambda rec: None)
        self.stats = RunStats()
        self._slots: dict[int, _Slot] = {}
        self._ready: list[int] = []
        self._preparing: dict[Future, int] = {}  # future -> key of its pair
        self._finishing: dict[Future, int] = {}

    # -- bookkeeping
    def _record(self, log: ResultsLog, key: int, summary: dict | None, error: str | None) -> None:
        slot = self._slots.pop(key)
        if error is not None:
            for ext in (".json", ".html"):  # a stale report of earlier inputs must not survive
                try:
                    (self.outdir / f"{slot.spec.stem}{ext}").unlink()
                except FileNotFoundError:
                    pass
        rec = make_record(slot.spec, self.signature, slot.source_sha, slot.target_sha, summary,
                          error, slot.seconds, slot.notes, self.settings.check_language)
        log.append(rec)
        self.stats.checked += 1
        self.on_done(rec)

    def _start(self, log: ResultsLog, key: int) -> None:
        spec = self.specs[key]
        slot = self._slots[key] = _Slot(spec)
        if spec.problem is not None:
            self._record(log, key, None, spec.problem)
            return
        t0 = time.perf_counter()
        src, src_err = _read(spec.source)
        tgt, tgt_err = _read(spec.target)
        slot.source_sha = None if src is None else sha256_bytes(src)
        slot.target_sha = None if tgt is None else sha256_bytes(tgt)
        slot.seconds = time.perf_counter() - t0
        if src_err or tgt_err:
            self._record(log, key, None, src_err or tgt_err)
            return
        job = PrepareJob(key, src, tgt, spec.source, spec.target, self.settings)  # type: ignore[arg-type]
        self._preparing[self._submit(run_prepare, job)] = key

    def _submit(self, fn: Callable, job: Any) -> Future:
        """Submit to the pool; a pool broken by a dead worker is replaced by a fresh one
        (the dead pool's pairs fail with an error record, the run goes on)."""
        try:
            return self.executor.submit(fn, job)
        except BrokenProcessPool:
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self.new_executor()
            return self.executor.submit(fn, job)

    def _encode(self, log: ResultsLog, keys: list[int]) -> list[tuple[int, list]]:
        """Embed the sentences of ``keys`` in one call: (key, [(source rows, tokens), (target
        rows, tokens)]) per pair embedded (``Encoder.encode_sides``).

        Never raises: a pair whose texts cannot be listed fails alone, and should the encoder
        fail, each pair is embedded on its own so only the culprit fails."""
        sides: list[list[str]] = []
        listed: list[int] = []
        for key in keys:
            try:
                s_texts, t_texts = pair_texts(self._slots[key].pair)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - this pair's error record
                self._record(log, key, None, f"embedding failed: {_error_text(exc)}")
                continue
            sides += [s_texts, t_texts]
            listed.append(key)
        if not listed:
            return []
        try:
            out = self.encoder.encode_sides(sides)
            return [(key, out[2 * k:2 * k + 2]) for k, key in enumerate(listed)]
        except Exception as exc:  # noqa: BLE001 - retried pair by pair below
            if len(listed) == 1:
                self._record(log, listed[0], None, f"embedding failed: {_error_text(exc)}")
                return []
        kept: list[tuple[int, list]] = []
        for k, key in enumerate(listed):
            try:
                kept.append((key, self.encoder.encode_sides(sides[2 * k:2 * k + 2])))
            except Exception as exc:  # noqa: BLE001
                self._record(log, key, None, f"embedding failed: {_error_text(exc)}")
        return kept

    def _embed_ready(self, log: ResultsLog) -> None:
        """Embed the texts of all ready pairs in one call and hand each pair to a worker."""
        keys, self._ready = self._ready, []
        t0 = time.perf_counter()
        embedded = self._encode(log, keys)
        took = time.perf_counter() - t0
        rows = [sum(v.shape[0] for v, _ in pair_sides) for _, pair_sides in embedded]
        total = sum(rows)
        self.stats.embed_seconds += took
        self.stats.texts_embedded += total
        for (key, ((s_vecs, s_tok), (t_vecs, t_tok))), n in zip(embedded, rows):
            slot = self._slots[key]
            slot.seconds += took * n / max(1, total)
            job = FinishJob(key, slot.pair, s_vecs, t_vecs, self.settings,  # type: ignore[arg-type]
                            self.model, str(self.outdir / f"{slot.spec.stem}.json"),
                            str(self.outdir / f"{slot.spec.stem}.html"), s_tok, t_tok)
            slot.pair = None  # the worker has it now
            self._finishing[self._submit(run_finish, job)] = key

    def _collect(self, log: ResultsLog, done: Iterable[Future]) -> None:
        for fut in done:
            key = self._preparing.pop(fut, None)
            if key is None:
                key = self._finishing.pop(fut)
            try:
                res = fut.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): its pairs fail
                self._record(log, key, None, "a worker process died while checking this pair")
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a task that cannot be pickled
                self._record(log, key, None, _error_text(exc))
                continue
            slot = self._slots[key]
            slot.seconds += res.seconds
            if isinstance(res, Prepared):
                slot.notes = res.warnings
                for note in res.warnings:  # shown (or silenced) like this process's warnings
                    warnings.warn(note, stacklevel=2)
                if res.error is not None:
                    self._record(log, key, None, res.error)
                else:
                    slot.pair = res.pair
                    self._ready.append(key)
            else:
                self._record(log, key, res.summary, res.error)

    def run(self, todo: list[int]) -> RunStats:
        """Process the pairs ``todo`` (indexes into the specs), appending their records."""
        t0 = time.perf_counter()
        limit = 2 * self.window  # pairs in flight: one window embedding/finishing, one preparing
        pending = iter(todo)
        exhausted = False
        log = ResultsLog(self.outdir / RESULTS)
        try:
            while True:
                while not exhausted and len(self._slots) < limit:
                    key = next(pending, None)
                    if key is None:
                        exhausted = True
                    else:
                        self._start(log, key)
                if self._ready and (len(self._ready) >= self.window or not self._preparing):
                    self._embed_ready(log)
                busy = set(self._preparing) | set(self._finishing)
                if not busy:
                    if exhausted and not self._ready:
                        break
                    continue
                done, _ = wait(busy, return_when=FIRST_COMPLETED)
                self._collect(log, done)
        finally:
            log.close()
        self.stats.seconds = time.perf_counter() - t0
        return self.stats


# --------------------------------------------------------------------------- summary and index

def _badness(rec: dict) -> tuple:
    """Sort key, worst first: failed, then unrelated, then most findings."""
    counts = rec.get("counts") or {}
    findings = sum(counts.get(k, 0) for k in ("omissions", "additions", "drifts"))
    return (rec.get("error") is not None, rec.get("verdict") == "unrelated", findings)


def finding_total(rec: dict) -> int:
    counts = rec.get("counts") or {}
    return sum(int(counts.get(k, 0)) for k in ("omissions", "additions", "drifts"))


def pair_exit_code(rec: dict, fail_on: frozenset[str]) -> int:
    """0 faithful (or only findings outside ``fail_on``), 1 issues/unrelated, 3 failed."""
    if rec.get("error") is not None or rec.get("verdict") not in VERDICTS:
        return 3
    from .exitcodes import exit_code  # the rule of `fidelity check`, per pair

    counts = rec.get("counts") or {}
    types = {t for t, k in (("omission", "omissions"), ("addition", "additions"), ("drift", "drifts"))
             if counts.get(k, 0)}
    return exit_code(rec["verdict"], types, fail_on)


@dataclass
class Totals:
    """The outcome of every pair of the input (this run's and reused ones)."""

    pairs: int = 0
    faithful: int = 0
    issues: int = 0
    unrelated: int = 0
    failed: int = 0
    exit_code: int = 0
    worst: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)


def finalize(specs: list[PairSpec], outdir: Path, fail_on: frozenset[str],
             stats: RunStats, signature: str, input_path: str, model_seconds: float) -> Totals:
    """Rewrite ``results.jsonl`` in input order; write ``summary.json`` and ``index.html``."""
    from .report import write_atomic

    by_id = {r["id"]: r for r in read_results(outdir / RESULTS)}
    records = [by_id[s.id] for s in specs if s.id in by_id]
    by_id.clear()
    write_atomic(outdir / RESULTS, "".join(_record_line(r) for r in records))
    totals = Totals(pairs=len(records))
    heap: list[tuple[tuple, int, dict]] = []
    for n, rec in enumerate(records):
        code = pair_exit_code(rec, fail_on)
        if code == 3:
            totals.exit_code = 3
        elif code == 1 and totals.exit_code == 0:
            totals.exit_code = 1
        if rec.get("error") is not None:
            totals.failed += 1
            totals.failures.append({"id": rec["id"], "error": rec["error"]})
            continue
        setattr(totals, rec["verdict"], getattr(totals, rec["verdict"]) + 1)
        if rec["verdict"] != "faithful":
            item = (_badness(rec), -n, rec)
            if len(heap) < WORST_LISTED:
                heapq.heappush(heap, item)
            else:
                heapq.heappushpop(heap, item)
    totals.worst = [{"id": r["id"], "verdict": r["verdict"], **{k: r["counts"][k] for k in
                    ("omissions", "additions", "drifts")}, "html": r["html"]}
                    for _, _, r in sorted(heap, key=lambda x: (x[0], x[1]), reverse=True)]
    rate = stats.checked / stats.seconds if stats.seconds > 0 else None
    summary = {
        "fidelity_version": __version__,
        "signature": signature,
        "input": input_path,
        "pairs": totals.pairs,
        "checked": stats.checked,
        "reused": stats.reused,
        "faithful": totals.faithful,
        "issues": totals.issues,
        "unrelated": totals.unrelated,
        "failed": totals.failed,
        "exit_code": totals.exit_code,
        "seconds": round(stats.seconds, 3),
        "model_load_seconds": round(model_seconds, 3),
        "pairs_per_second": None if rate is None else round(rate, 3),
        "embedding_seconds": round(stats.embed_seconds, 3),
        "texts_embedded": stats.texts_embedded,
        "worst": totals.worst,
        "failures": totals.failures,
    }
    write_atomic(outdir / SUMMARY, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    write_atomic(outdir / INDEX, render_index(records, summary))
    return totals


def render_index(records: list[dict], summary: dict) -> str:
    """The overview page: a sortable table of every pair, worst first, linking its report."""
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("fidelity", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    order = sorted(range(len(records)), key=lambda n: (_badness(records[n]), -n), reverse=True)
    rows = []
    for n in order:
        rec = records[n]
        counts = rec.get("counts") or {}
        cov = rec.get("coverage") or {}
        rows.append({
            "id": rec["id"], "html": rec.get("html"),
            "verdict": rec.get("verdict") or "failed",
            "findings": finding_total(rec),
            **{k: counts.get(k) for k in COUNT_KEYS},
            "source_coverage": cov.get("source"), "target_coverage": cov.get("target"),
            "seconds": rec.get("seconds"), "error": rec.get("error"),
            "source": rec.get("source"), "target": rec.get("target"),
        })
    return env.get_template("batch_index.html.j2").render(rows=rows, summary=summary)


# --------------------------------------------------------------------------- stdout summary

def summary_text(totals: Totals, stats: RunStats) -> str:
    """The tabulate summary printed on stdout."""
    from tabulate import tabulate

    head = ["pairs", "checked", "reused", "faithful", "issues", "unrelated", "failed"]
    row = [totals.pairs, stats.checked, stats.reused, totals.faithful, totals.issues,
           totals.unrelated, totals.failed]
    parts = [tabulate([row], headers=head, tablefmt="simple")]
    if totals.worst:
        parts.append("Worst stories first:")
        parts.append(tabulate([[w["id"], w["verdict"], w["omissions"], w["additions"], w["drifts"]]
                               for w in totals.worst],
                              headers=["story", "verdict", "omissions", "additions", "drifts"],
                              tablefmt="simple", disable_numparse=True))
    if totals.failures:
        shown = totals.failures[:WORST_LISTED]
        more = len(totals.failures) - len(shown)
        parts.append("Failed:" + (f" (first {len(shown)} of {len(totals.failures)})" if more else ""))
        parts.append(tabulate([[f["id"], f["error"]] for f in shown], headers=["story", "error"],
                              tablefmt="simple", disable_numparse=True))
    return "\n\n".join(parts) + "\n"


# --------------------------------------------------------------------------- entry point

@dataclass
class BatchOptions:
    input: str
    outdir: str
    settings: Settings
    source_suffix: str = ".en.txt"
    target_suffix: str = ".id.txt"
    workers: int | None = None
    window: int = DEFAULT_WINDOW
    force: bool = False
    progress: bool | None = None  #: None: on a terminal only
    fail_on: frozenset[str] = frozenset({"omission", "addition", "drift"})


def acquire_lock(outdir: Path):
    """The OUTDIR lock, held for the whole run; a second run gets a :class:`BatchError`."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(outdir / LOCK))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise BatchError(f"{outdir}: another fidelity batch is writing to this folder "
                         f"(lock {outdir / LOCK}); wait for it to finish or use another -o") from None
    return lock


_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")  # report.write_atomic's temporary files


def remove_stale_temps(outdir: Path) -> int:
    """Delete temporary files a killed run left in OUTDIR (safe: we hold its lock)."""
    n = 0
    for entry in outdir.iterdir():
        if _TEMP.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            n += 1
    return n


def run_batch(opts: BatchOptions) -> tuple[Totals, RunStats]:
    """The whole command: discover, lock, load the model, plan, run, finalize.

    Ctrl-C becomes :class:`Interrupted` once the workers are stopped and the lock released."""
    try:
        return _run_batch(opts)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; the pairs finished so far are kept in "
                          f"{Path(opts.outdir) / RESULTS}: run the same command again to resume"
                          ) from None


def _run_batch(opts: BatchOptions) -> tuple[Totals, RunStats]:
    specs = discover(opts.input, opts.source_suffix, opts.target_suffix)
    outdir = Path(opts.outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"{outdir}: cannot create the output folder: {exc.strerror}") from None
    lock = acquire_lock(outdir)
    executor: Executor | None = None
    runner: BatchRunner | None = None
    try:
        remove_stale_temps(outdir)
        from .pipeline import Checker, signature

        t0 = time.perf_counter()
        workers = (os.cpu_count() or 1) if opts.workers is None else opts.workers
        workers = min(workers, len(specs))
        executor = make_executor(workers)
        replacement = lambda: make_executor(workers)  # noqa: E731 - after a worker died
        booting = warm_up(executor, workers)  # the workers start while the model loads
        checker = Checker(opts.settings, progress=False)
        if booting is not None:
            booting.join()
        checker.encoder.cache_size = min(checker.encoder.cache_size, CACHE_TEXTS)
        sig = signature(opts.settings, checker.model_id)
        model_seconds = time.perf_counter() - t0
        the_plan = plan(specs, outdir, sig, opts.force, opts.settings.check_language)
        bar = _progress_bar(len(specs), the_plan.reused, opts.progress)
        try:
            runner = BatchRunner(specs, outdir, opts.settings, checker.encoder, checker.model_id,
                                 sig, executor, opts.window, on_done=lambda rec: bar.update(1),
                                 new_executor=replacement)
            stats = runner.run(the_plan.todo)
        finally:
            bar.close()
        stats.reused = the_plan.reused
        totals = finalize(specs, outdir, opts.fail_on, stats, sig, str(opts.input), model_seconds)
        return totals, stats
    finally:
        for pool in {id(p): p for p in (executor, runner and runner.executor) if p is not None}.values():
            pool.shutdown(wait=True, cancel_futures=True)
        lock.release()


def _progress_bar(total: int, initial: int, progress: bool | None):
    """The tqdm bar on stderr (pairs done, rate, ETA): shown when ``progress`` says so, or
    (None) on a terminal outside CI, so pipes and CI logs stay clean."""
    from tqdm import tqdm

    from . import progress_default

    show = progress_default() if progress is None else progress
    return tqdm(total=total, initial=initial, unit="pair", desc="fidelity batch", file=sys.stderr,
                disable=not show, dynamic_ncols=True, smoothing=0.1)


__all__ = ["BatchError", "BatchOptions", "BatchRunner", "Interrupted", "PairSpec", "discover",
           "finish_pair", "folder_pairs", "manifest_pairs", "pair_exit_code", "plan", "prepare_pair",
           "read_results", "run_batch", "safe_stem", "summary_text"]
