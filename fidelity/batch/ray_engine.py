"""``fidelity batch --engine ray``: the same run on a Ray cluster (or a local Ray instance).

What stays the local engine's (imported, not copied): the pair specs and report names
(:mod:`.discover`), the records and the resume rule (:mod:`.records`), the per-pair work
(:func:`.jobs.run_prepare`, :func:`.jobs.pair_texts`, :func:`.jobs.finish_pair`), one
``Encoder.encode_sides`` call per window of pairs, the lock, the summary table. A report made
here is byte-identical to the local engine's for the same pair and settings.

What is different, and why:

* **Actors.** A pool of Ray actors (:class:`PairWorker`), each loading the model once and
  doing a whole window of pairs: read the inputs and hash them, decide reuse, prepare, embed
  the window's sentences together, finish and write the reports. The driver sends windows and
  writes one record per pair when a window comes back. The pool and each actor's CPU share are
  sized from ``ray.cluster_resources()``; nothing else in the run asks Ray for a CPU (the
  manifest is read by the driver, outside Ray's resources), so the pool cannot starve a read
  task of its own as a Ray Data pipeline can on 2 CPUs.
* **Bounded and streamed.** The manifest is read row by row into an SQLite file in a
  temporary folder of the driver (pair specs, the unique-id check, the earlier records); at
  most ``2 x actors`` windows are in flight, and the end of the run (``results.jsonl`` in input
  order, ``summary.json``, ``index.html``) is written by streaming out of that file. The
  driver's memory does not grow with the number of pairs.
* **Faults.** A killed actor process is restarted by Ray and its windows are retried (the work
  of a window is idempotent: reports are written atomically and the record is written by the
  driver only when the window's result arrives), so a kill costs a retry, not a lost or a
  duplicated record. A window whose actor died more often than :data:`RESTARTS` is retried
  pair by pair on a new actor, so a pair that kills its worker every time (a crash in a
  native library, memory) is the only one to get an error record. A pair that raises is an
  error record, as locally.
* **Bilingual files.** An XLIFF/TMX file (in the folder, or a manifest row whose ``source``
  is one and whose ``target`` is empty) is one pair, as locally: an actor checks it whole
  with its model (:func:`.jobs.run_bilingual`, what ``fidelity check FILE`` runs), apart
  from the window's text pairs, and writes its reports through the store.
* **Glossary.** ``--glossary`` is read once by the driver (a bad file stops the run before
  Ray starts) and given to each actor once, at its start; every pair gets its terminology
  findings, and the signature names it.
* **Storage.** INPUT (a manifest) and OUTDIR may be fsspec URLs (:mod:`fidelity.storage`).
  On the local file system (a path or ``file://``) records are appended to ``results.jsonl``
  and OUTDIR is locked as by the local engine; an object store cannot append, so records go to
  ``results.parts/`` in parts (one object each, every few seconds) merged at the end, and the
  lock is a best-effort lock object.

Entry point: :func:`run_ray`, the counterpart of :func:`fidelity.batch.command.run_batch`.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import signal
import sqlite3
import struct
import tempfile
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import storage
from ..storage import Store
from .command import (BatchOptions, Terminated, _progress_bar, _sigterm_interrupts,
                      _signals_ignored, acquire_lock, load_batch_glossary, remove_stale_temps)
from .common import (CACHE_TEXTS, INDEX, LOCK, RESULTS, SUMMARY, BatchError, Interrupted,
                     error_text)
from .discover import (PairSpec, check_manifest_suffix, folder_pairs, manifest_rows,
                       spec_of_row)
from .jobs import BilingualJob, PrepareJob, finish_pair, pair_texts, run_bilingual, run_prepare
from .records import Record, ResultsLog, make_record, parse_line, reusable, sha256_bytes
from .runner import WORKER_THREADS_ENV, RunStats
from .summary import (Totals, WorstHeap, badness, index_row, index_template, summary_dict,
                      summary_json, tally, worst_list)

if TYPE_CHECKING:
    from ..glossary import Glossary
    from ..pipeline import Settings

#: Pairs a window holds at most (one task of an actor; one ``encode_sides`` call). Smaller
#: than the local engine's window: a window is also the unit of balancing and of retry.
RAY_WINDOW = 16
#: Windows in flight per actor: one running, one queued, so an actor never waits for the driver.
IN_FLIGHT_PER_ACTOR = 2
#: How often an actor process may die and be restarted (and its windows retried).
RESTARTS = 3
#: Seconds to wait for the pool's actors to start (load the model) before giving up on those
#: that did not get a CPU.
START_TIMEOUT = 300.0
#: Records of an object store's ``results.parts/`` part: written when this many are waiting...
PART_RECORDS = 5000
#: ... or when the oldest waiting record is this old (seconds).
PART_SECONDS = 10.0
PARTS = "results.parts"
#: Rows read from SQLite at a time.
PAGE = 1000


# --------------------------------------------------------------------------- the actor side

@dataclass
class Item:
    """One pair of a window: its number in the input, its spec, the earlier record (if any)."""

    key: int
    spec: PairSpec
    previous: Record | None = None


@dataclass
class Outcome:
    """What an actor did with one pair (the driver turns it into a record)."""

    key: int
    source_sha: str | None = None
    target_sha: str | None = None
    summary: dict | None = None
    error: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    reused: bool = False


@dataclass
class WindowResult:
    outcomes: list[Outcome]
    embed_seconds: float = 0.0
    texts_embedded: int = 0


def _read(location: str | None) -> tuple[bytes | None, str | None]:
    """(bytes, None) or (None, error text) for an input file at a path or URL."""
    if location is None:
        return None, None
    try:
        return storage.read_bytes(location), None
    except Exception as exc:  # noqa: BLE001 - any failure is this pair's error record
        return None, error_text(exc)


class PairWorker:
    """The work of a Ray actor: the model loaded once, then windows of pairs.

    A plain class (Ray wraps it with ``ray.remote``), so it can also be run in-process."""

    def __init__(self, settings: Settings, outdir: str, threads: int = 1, cwd: str | None = None,
                 glossary: Glossary | None = None):
        try:
            import torch

            torch.set_num_threads(max(1, threads))
        except Exception:  # pragma: no cover - torch is a dependency
            pass
        from ..pipeline import Checker, signature
        from ..signature import with_glossary

        self.settings = settings
        self.glossary = glossary
        self.checker = Checker(settings, progress=False)
        self.checker.encoder.cache_size = min(self.checker.encoder.cache_size, CACHE_TEXTS)
        self.signature = with_glossary(signature(settings, self.checker.model_id), glossary)
        self.store = Store(outdir)
        #: The driver's folder: a relative input path is relative to it, not to this process's
        #: folder (Ray's start folder here, anything on another node).
        self.cwd = cwd or os.getcwd()

    def hello(self) -> tuple[str, int, Any]:
        """(signature, process id, model id): every actor of a run must agree on the first."""
        return self.signature, os.getpid(), self.checker.model_id

    def check(self, items: list[Item]) -> WindowResult:
        """Check a window of pairs (never raises: a failure is that pair's error)."""
        outcomes: dict[int, Outcome] = {}
        prepared: list[tuple[Item, Any]] = []
        for item in items:
            out = outcomes[item.key] = Outcome(item.key)
            pair = self._prepare(item, out)
            if pair is not None:
                prepared.append((item, pair))
        for item, data in prepared:  # an XLIFF/TMX file: its bytes, checked whole
            if item.spec.bilingual:
                self._check_bilingual(item, data, outcomes[item.key])
        prepared = [(item, pair) for item, pair in prepared if not item.spec.bilingual]
        result = WindowResult([])
        t0 = time.perf_counter()
        embedded = self._embed(prepared, outcomes)
        took = time.perf_counter() - t0
        rows = [sum(v.shape[0] for v, _ in sides) for _, _, sides in embedded]
        result.embed_seconds, result.texts_embedded = took, sum(rows)
        for (item, pair, sides), n in zip(embedded, rows):
            out = outcomes[item.key]
            out.seconds += took * n / max(1, sum(rows))
            self._finish(item, pair, sides, out)
        for item in items:
            if outcomes[item.key].error is not None:  # a stale report of earlier inputs must go
                for ext in (".json", ".html"):
                    with contextlib.suppress(Exception):
                        self.store.unlink(item.spec.stem + ext)
        result.outcomes = [outcomes[item.key] for item in items]
        return result

    def _prepare(self, item: Item, out: Outcome) -> Any:
        """Read, hash, decide reuse, prepare; the prepared pair, or None (``out`` says why)."""
        spec = item.spec
        if spec.problem is not None:
            out.error = spec.problem
            return None
        t0 = time.perf_counter()
        src, src_err = _read(self._where(spec.source))
        tgt, tgt_err = _read(self._where(spec.target))
        out.source_sha = None if src is None else sha256_bytes(src)
        out.target_sha = None if tgt is None else sha256_bytes(tgt)
        out.seconds = time.perf_counter() - t0
        if src_err or tgt_err:
            out.error = src_err or tgt_err
            return None
        if item.previous is not None and reusable(
                item.previous, spec, self.signature, self.store,  # type: ignore[arg-type]
                (out.source_sha, out.target_sha), self.settings.check_language):
            out.reused = True
            return None
        if spec.bilingual:  # the file's bytes: checked whole by _check_bilingual
            return src
        res = run_prepare(PrepareJob(item.key, src, tgt, spec.source, spec.target,  # type: ignore[arg-type]
                                     self.settings))
        out.seconds += res.seconds
        out.notes = res.warnings
        if res.error is not None:
            out.error = res.error
            return None
        return res.pair

    def _check_bilingual(self, item: Item, data: bytes, out: Outcome) -> None:
        """Check an XLIFF/TMX file whole (:func:`.jobs.run_bilingual`, the local engine's
        check) and write its reports through the store."""
        spec = item.spec
        job = BilingualJob(item.key, data, spec.source, self.settings,  # type: ignore[arg-type]
                           spec.stem + ".json", spec.stem + ".html", self.glossary)
        done, out.notes = run_bilingual(job, self.checker, self.store.write_text)
        out.seconds += done.seconds
        out.summary, out.error = done.summary, done.error

    def _where(self, location: str | None) -> str | None:
        """``location`` to read: a relative local path joined to the driver's folder."""
        if location is None or storage.is_url(location) or os.path.isabs(location):
            return location
        return os.path.join(self.cwd, location)

    def _embed(self, prepared: list[tuple[Item, Any]], outcomes: dict[int, Outcome]
               ) -> list[tuple[Item, Any, list]]:
        """The window's sentences in one ``encode_sides`` call; should it fail, pair by pair,
        so only the culprit fails (as the local runner does)."""
        sides: list[list[str]] = []
        listed: list[tuple[Item, Any]] = []
        for item, pair in prepared:
            try:
                sides += list(pair_texts(pair))
                listed.append((item, pair))
            except Exception as exc:  # noqa: BLE001
                outcomes[item.key].error = f"embedding failed: {error_text(exc)}"
        if not listed:
            return []
        encoder = self.checker.encoder
        try:
            out = encoder.encode_sides(sides)
            return [(item, pair, out[2 * k:2 * k + 2]) for k, (item, pair) in enumerate(listed)]
        except Exception as exc:  # noqa: BLE001 - retried pair by pair below
            first = exc
        kept = []
        for k, (item, pair) in enumerate(listed):
            try:
                kept.append((item, pair, encoder.encode_sides(sides[2 * k:2 * k + 2])))
            except Exception as exc:  # noqa: BLE001
                outcomes[item.key].error = f"embedding failed: {error_text(exc if len(listed) > 1 else first)}"
        return kept

    def _finish(self, item: Item, pair: Any, sides: list, out: Outcome) -> None:
        """Analyse and render (:func:`.jobs.finish_pair`, with the glossary) and write both
        reports atomically."""
        (s_vecs, s_tok), (t_vecs, t_tok) = sides
        t0 = time.perf_counter()
        try:
            summary, json_text, html_text = finish_pair(pair, s_vecs, t_vecs, self.settings,
                                                        self.checker.model_id, s_tok, t_tok,
                                                        self.glossary)
            self.store.write_text(item.spec.stem + ".json", json_text)
            self.store.write_text(item.spec.stem + ".html", html_text)
            out.summary = summary
        except Exception as exc:  # noqa: BLE001
            out.error = error_text(exc)
        out.seconds += time.perf_counter() - t0


# --------------------------------------------------------------------------- the driver's index

class RunIndex:
    """The driver's SQLite file: the pair specs in input order (ids and report names unique)
    and the latest record of every id (earlier runs' and this run's). On disk, in a temporary
    folder, so the driver's memory stays flat however long the manifest."""

    def __init__(self, folder: str):
        self.path = os.path.join(folder, "run.sqlite")
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE specs(n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
                               stem_key TEXT NOT NULL UNIQUE, stem TEXT NOT NULL,
                               source TEXT, target TEXT, problem TEXT, bilingual INTEGER NOT NULL);
            CREATE TABLE records(id TEXT PRIMARY KEY, line TEXT NOT NULL);
            CREATE TABLE ranks(n INTEGER PRIMARY KEY, key BLOB NOT NULL, line TEXT NOT NULL);
        """)
        self.count = 0

    def close(self) -> None:
        self.db.close()

    def add_specs(self, specs: Iterator[PairSpec], where: str) -> int:
        """Insert the specs in order; a repeated id or report name is a :class:`BatchError`
        with the local engine's message."""
        self.db.execute("BEGIN")
        try:
            for spec in specs:
                try:
                    self.db.execute("INSERT INTO specs VALUES (?,?,?,?,?,?,?,?)",
                                    (self.count, spec.id, spec.stem.lower(), spec.stem,
                                     spec.source, spec.target, spec.problem, int(spec.bilingual)))
                except sqlite3.IntegrityError:
                    raise self._duplicate(spec, where) from None
                self.count += 1
        finally:
            self.db.execute("COMMIT")
        if not self.count:
            raise BatchError(f"{where}: the manifest lists no pairs")
        return self.count

    def _duplicate(self, spec: PairSpec, where: str) -> BatchError:
        if self.db.execute("SELECT 1 FROM specs WHERE id=?", (spec.id,)).fetchone():
            return BatchError(f"{where}: pair id {spec.id!r} occurs twice; give each pair its own id")
        other = self.db.execute("SELECT id FROM specs WHERE stem_key=?", (spec.stem.lower(),)).fetchone()[0]
        return BatchError(f"{where}: ids {other!r} and {spec.id!r} would share the report file "
                          f"name {spec.stem!r}; rename one of them")

    def _paged(self, sql: str) -> Iterator[tuple]:
        """The rows of ``sql`` (its first column the input number ``n``, its parameters the
        last ``n`` seen and the page size), a page at a time."""
        last = -1
        while True:
            rows = self.db.execute(sql, (last, PAGE)).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def specs(self) -> Iterator[tuple[int, PairSpec]]:
        """(number, spec) in input order, a page at a time."""
        for n, *rest, bilingual in self._paged("SELECT n, id, stem, source, target, problem, "
                                               "bilingual FROM specs WHERE n > ? ORDER BY n LIMIT ?"):
            yield n, PairSpec(*rest, bilingual=bool(bilingual))

    def load_records(self, lines: Iterator[str]) -> None:
        """Index the lines of earlier ``results.jsonl`` files; the last line of an id wins, a
        torn or foreign line is skipped (as :func:`.records.read_results` does)."""
        self.db.execute("BEGIN")
        for line in lines:
            rec = parse_line(line)
            if rec is not None:
                self.db.execute("INSERT OR REPLACE INTO records VALUES (?,?)", (rec.id, rec.line()))
        self.db.execute("COMMIT")

    def record(self, pair_id: str) -> Record | None:
        row = self.db.execute("SELECT line FROM records WHERE id=?", (pair_id,)).fetchone()
        return None if row is None else Record.from_dict(json.loads(row[0]))

    def put(self, rec: Record) -> None:
        self.db.execute("INSERT OR REPLACE INTO records VALUES (?,?)", (rec.id, rec.line()))

    def records_in_order(self) -> Iterator[tuple[int, Record]]:
        """(number, record) of every pair of the input that has one, in input order."""
        for n, line in self._paged("SELECT s.n, r.line FROM specs s JOIN records r ON r.id = s.id "
                                   "WHERE s.n > ? ORDER BY s.n LIMIT ?"):
            yield n, Record.from_dict(json.loads(line))  # type: ignore[misc]

    def rank(self, n: int, rec: Record) -> None:
        self.db.execute("INSERT INTO ranks VALUES (?,?,?)", (n, sort_key(badness(rec)), rec.line()))

    def ranked(self) -> Iterator[Record]:
        """The records worst first (``summary.render_index``'s order: badness, then input order)."""
        cur = self.db.execute("SELECT line FROM ranks ORDER BY key DESC, n ASC")
        while rows := cur.fetchmany(PAGE):
            for (line,) in rows:
                yield Record.from_dict(json.loads(line))  # type: ignore[misc]


def sort_key(values: tuple) -> bytes:
    """Bytes that sort (as SQLite sorts a BLOB) like the tuple of numbers ``values``."""
    out = bytearray()
    for value in values:
        if not isinstance(value, (bool, int, float)):
            raise TypeError(f"sort_key: {value!r} is not a number")
        raw = bytearray(struct.pack(">d", float(value)))
        if raw[0] & 0x80:  # negative: all bits flipped
            raw = bytearray(b ^ 0xFF for b in raw)
        else:
            raw[0] |= 0x80
        out += raw
    return bytes(out)


# --------------------------------------------------------------------------- reading the input

def iter_specs(input_path: str, source_suffix: str, target_suffix: str) -> Iterator[PairSpec]:
    """The pairs of INPUT, streamed: a local folder (as :func:`.discover.folder_pairs`), or a
    CSV / JSON Lines manifest at a path or URL, read row by row (the rows and the messages of
    :func:`.discover.manifest_pairs`); XLIFF/TMX files included, as :func:`.discover.discover`
    lists them."""
    local = storage.local_path(input_path)
    if local is not None and local.is_dir():
        yield from folder_pairs(local, source_suffix, target_suffix, bilingual=True)
        return
    try:
        exists = storage.is_file(input_path)
    except Exception as exc:  # noqa: BLE001 - an unknown scheme, a store that refuses us
        raise BatchError(f"{input_path}: cannot read: {error_text(exc)}") from None
    if not exists:
        raise BatchError(f"{input_path}: no such folder or manifest")
    base = storage.parent(input_path) if storage.is_url(input_path) else str(Path(input_path).parent)
    for line, row in _manifest_rows(input_path):
        yield spec_of_row(line, row, source_suffix, lambda p: storage.join(base, p), bilingual=True)


def _manifest_rows(location: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, row) of a CSV or JSON Lines manifest at a path or URL, streamed
    (:func:`.discover.manifest_rows` reading the open file)."""
    suffix = Path(location.split("?", 1)[0]).suffix.lower()
    check_manifest_suffix(location, suffix)
    try:
        fh = storage.open_text(location, encoding="utf-8-sig")
    except Exception as exc:  # noqa: BLE001
        raise BatchError(f"{location}: cannot read the manifest: {exc}") from None
    with fh:
        yield from manifest_rows(fh, location, suffix)


# --------------------------------------------------------------------------- writing records

class PartLog:
    """``results.jsonl`` for a store that cannot append: records gathered and written as one
    object per part in ``results.parts/`` (every :data:`PART_RECORDS` records or
    :data:`PART_SECONDS` seconds); a driver killed loses at most the waiting records, whose
    pairs the next run redoes."""

    def __init__(self, store: Store):
        self.store = store
        self.run = time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        self.lines: list[str] = []
        self.since = time.monotonic()
        self.parts = 0

    def append(self, rec: Record) -> None:
        if not self.lines:
            self.since = time.monotonic()
        self.lines.append(rec.line())
        if len(self.lines) >= PART_RECORDS or time.monotonic() - self.since >= PART_SECONDS:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.store.write_text(f"{PARTS}/{self.run}-{self.parts:06d}.jsonl", "".join(self.lines))
            self.parts += 1
            self.lines = []

    def close(self) -> None:
        self.flush()


def _earlier_lines(store: Store) -> Iterator[str]:
    """Every line of the earlier records: ``results.jsonl``, then the parts (oldest first)."""
    for name in [RESULTS] + [f"{PARTS}/{p}" for p in store.list(PARTS)]:
        try:
            fh = store.open_read(name)
        except FileNotFoundError:
            continue
        with fh:
            yield from fh


class StoreLock:
    """OUTDIR's lock on a store without file locks: a lock object, refused if present. Not
    atomic (two runs starting in the same second may both pass); delete the object by hand
    after a run killed with SIGKILL."""

    def __init__(self, store: Store):
        self.store = store
        self.token = secrets.token_hex(8)

    def acquire(self) -> StoreLock:
        if self.store.exists(LOCK):
            raise BatchError(f"{self.store.location}: another fidelity batch is writing to this "
                             f"folder (lock {self.store.url(LOCK)}); wait for it to finish, or "
                             f"delete the lock if that run was killed")
        self.store.write_text(LOCK, f"{os.getpid()} {self.token}\n")
        return self

    def release(self) -> None:
        with contextlib.suppress(Exception):
            if self.store.read_bytes(LOCK).decode().split()[-1] == self.token:
                self.store.unlink(LOCK)


# --------------------------------------------------------------------------- the pool

@dataclass
class Pool:
    """The run's actors and how they were sized."""

    actors: list[Any]
    pids: list[int]
    cpus_per_actor: float
    cluster_cpus: float
    signature: str
    model: Any = None
    glossary: Any = None  #: the run's :class:`~fidelity.glossary.Glossary` (a new actor gets it too)


def pool_size(cluster_cpus: float, workers: int | None, pairs: int,
              window: int = RAY_WINDOW) -> tuple[int, float]:
    """(actors, CPUs per actor) for a cluster of ``cluster_cpus`` CPUs: one actor per whole
    CPU (``workers`` at most, and no more than there are windows of ``window`` pairs), each
    asking for one CPU; on
    less than one CPU a single actor asks for what there is. Every CPU the pool asks for exists
    and nothing else in the run asks for one, so the pool can always be placed."""
    if cluster_cpus < 1:
        return 1, max(cluster_cpus, 0.01)
    n = int(cluster_cpus)
    if workers is not None and workers > 0:
        n = min(n, workers)
    n = max(1, min(n, math.ceil(pairs / max(1, window))))
    return n, 1.0


def window_size(opts: BatchOptions) -> int:
    """Pairs per window: ``--window``, at most :data:`RAY_WINDOW`."""
    return max(1, min(opts.window, RAY_WINDOW))


def store_location(store: Store) -> str:
    """OUTDIR as the actors must see it: a local folder by its absolute path."""
    return str(store.local.absolute()) if store.local is not None else store.location


def new_actor(ray: Any, settings: Settings, outdir: str, share: float,
              glossary: Glossary | None = None) -> Any:
    """A :class:`PairWorker` actor asking for ``share`` CPUs, restarted by Ray (and its
    windows retried) up to :data:`RESTARTS` times when its process dies; torch and the BLAS /
    OpenMP libraries use as many threads as it has whole CPUs (the local workers' rule,
    :data:`.runner.WORKER_THREADS_ENV`: spinning BLAS threads of two processes on the same
    cores made long documents ten times slower)."""
    threads = max(1, int(share))
    env = {key: str(threads) for key in WORKER_THREADS_ENV}  # read as the libraries load
    remote = ray.remote(PairWorker).options(
        num_cpus=share, max_restarts=RESTARTS, max_task_retries=RESTARTS,
        runtime_env={"env_vars": {**env, "TOKENIZERS_PARALLELISM": "false"}})
    return remote.remote(settings, outdir, threads, os.getcwd(), glossary)


def start_pool(ray: Any, settings: Settings, outdir: str, workers: int | None, pairs: int,
               window: int = RAY_WINDOW, glossary: Glossary | None = None) -> Pool:
    """Start the actors (each given ``glossary`` once) and wait (:data:`START_TIMEOUT`) until
    their models are loaded; the actors that got no CPU in time are dropped. All must share
    one signature."""
    cluster = float(ray.cluster_resources().get("CPU", 0.0))
    n, share = pool_size(cluster, workers, pairs, window)
    actors = [new_actor(ray, settings, outdir, share, glossary) for _ in range(n)]
    try:
        return replace(_greet(ray, actors, cluster, share), glossary=glossary)
    except BaseException:  # a refusal below, or Ctrl-C while the models load
        for actor in actors:
            with contextlib.suppress(Exception):
                ray.kill(actor)
        raise


def _greet(ray: Any, actors: list, cluster: float, share: float) -> Pool:
    """Wait for the actors' models (:data:`START_TIMEOUT`); drop those that got no CPU."""
    hellos = {actor.hello.remote(): actor for actor in actors}
    ready, _ = ray.wait(list(hellos), num_returns=len(hellos), timeout=START_TIMEOUT)
    kept, pids, sigs, model = [], [], set(), None
    for ref in ready:
        try:
            sig, pid, model = ray.get(ref)
        except Exception as exc:  # noqa: BLE001 - the model does not load: say why, once
            raise BatchError(f"a Ray worker could not load the model: {_ray_error(exc)}") from None
        kept.append(hellos[ref])
        pids.append(pid)
        sigs.add(sig)
    for actor in set(actors) - set(kept):
        ray.kill(actor)
    if not kept:
        raise BatchError(f"no Ray worker started in {START_TIMEOUT:.0f} s (cluster CPUs: "
                         f"{cluster:g}; are they taken by other jobs?)")
    if len(sigs) > 1:
        raise BatchError("the Ray workers disagree on the signature (different models or devices "
                         "on different nodes?): " + " | ".join(sorted(sigs)))
    return Pool(kept, pids, share, cluster, sigs.pop(), model)


def _ray_error(exc: BaseException) -> str:
    """One line of a Ray error (the cause's last line, not Ray's traceback)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return error_text(cause)
    lines = [ln for ln in str(exc).strip().splitlines() if ln.strip()]
    return lines[-1].strip() if lines else type(exc).__name__


# --------------------------------------------------------------------------- the run

@dataclass
class RayStats(RunStats):
    """:class:`RunStats` plus what the Ray run alone knows."""

    actors: int = 0
    cpus_per_actor: float = 0.0
    split_windows: int = 0  #: windows whose actor kept dying, retried pair by pair
    driver_seconds: float = 0.0  #: driver CPU time spent on the pairs (records, index, progress)


class _Run:
    """The driver's loop: windows out, records in, at most ``2 x actors`` windows in flight."""

    def __init__(self, ray: Any, pool: Pool, index: RunIndex, store: Store, log: Any,
                 opts: BatchOptions, on_record: Callable[[Record], None]):
        self.ray, self.pool, self.index, self.store, self.log = ray, pool, index, store, log
        self.opts = opts
        self.on_record = on_record
        self.stats = RayStats(actors=len(pool.actors), cpus_per_actor=pool.cpus_per_actor)
        #: ref -> (actor slot, the actor it went to, its items, whether it runs alone there)
        self.inflight: dict[Any, tuple[int, Any, list[Item], bool]] = {}
        self.load = [0] * len(pool.actors)
        #: Pairs of a window whose actor kept dying, each to be checked alone on an idle actor,
        #: so a pair that kills its worker cannot take an innocent pair down with it.
        self.quarantine: deque[list[Item]] = deque()
        self.alone = [False] * len(pool.actors)

    def windows(self) -> Iterator[list[Item]]:
        size = window_size(self.opts)
        window: list[Item] = []
        for n, spec in self.index.specs():
            previous = None if self.opts.force else self.index.record(spec.id)
            window.append(Item(n, spec, previous))
            if len(window) >= size:
                yield window
                window = []
        if window:
            yield window

    def submit(self, items: list[Item], k: int | None = None, alone: bool = False) -> None:
        if k is None:  # the least loaded actor not running a quarantined pair
            k = min((j for j in range(len(self.load)) if not self.alone[j]), key=self.load.__getitem__)
        actor = self.pool.actors[k]
        self.inflight[actor.check.remote(items)] = (k, actor, items, alone)
        self.load[k] += 1
        self.alone[k] = alone

    def submit_quarantined(self) -> None:
        """Each quarantined pair alone on an actor with nothing else in flight."""
        for k in range(len(self.load)):
            if self.quarantine and self.load[k] == 0:
                self.submit(self.quarantine.popleft(), k, alone=True)

    def run(self) -> RayStats:
        t0 = time.perf_counter()
        c0 = time.process_time()
        limit = IN_FLIGHT_PER_ACTOR * len(self.pool.actors)
        pending = self.windows()
        exhausted = False
        while True:
            self.submit_quarantined()
            while not exhausted and len(self.inflight) < limit and not all(self.alone):
                items = next(pending, None)
                if items is None:
                    exhausted = True
                else:
                    self.submit(items)
            if not self.inflight:
                if self.quarantine:
                    continue  # every actor is idle now: the quarantined pairs go out
                break
            done, _ = self.ray.wait(list(self.inflight), num_returns=1)
            for ref in done:
                self.collect(ref)
        self.stats.seconds = time.perf_counter() - t0
        self.stats.driver_seconds = time.process_time() - c0
        return self.stats

    def collect(self, ref: Any) -> None:
        k, actor, items, alone = self.inflight.pop(ref)
        self.load[k] -= 1
        if alone:
            self.alone[k] = False
        try:
            result: WindowResult = self.ray.get(ref)
        except self.ray.exceptions.RayActorError:  # its process died more than RESTARTS times
            if self.pool.actors[k] is actor:  # not yet replaced for another window it took along
                self.replace_actor(k)
            if not alone:  # a pair that kills its worker must not take its window along:
                if len(items) > 1:
                    self.stats.split_windows += 1
                self.quarantine.extend([item] for item in items)  # each pair again, alone
                return
            result = WindowResult([Outcome(items[0].key, error=f"a Ray worker died while checking "
                                           f"this pair ({RESTARTS + 1} times)")])
        except Exception as exc:  # noqa: BLE001 - e.g. a window that cannot be pickled
            result = WindowResult([Outcome(i.key, error=_ray_error(exc)) for i in items])
        self.stats.embed_seconds += result.embed_seconds
        self.stats.texts_embedded += result.texts_embedded
        for item, out in zip(items, result.outcomes):
            self.record(item, out)

    def replace_actor(self, k: int) -> None:
        with contextlib.suppress(Exception):
            self.ray.kill(self.pool.actors[k])
        self.pool.actors[k] = new_actor(self.ray, self.opts.settings, store_location(self.store),
                                        self.pool.cpus_per_actor, self.pool.glossary)

    def record(self, item: Item, out: Outcome) -> None:
        spec = item.spec
        if out.reused and item.previous is not None:
            # The folder may have moved since: the record names the files as they are now.
            rec = replace(item.previous, source=spec.source, target=spec.target,
                          report=f"{spec.stem}.json", html=f"{spec.stem}.html")
            self.stats.reused += 1
        else:
            for note in out.notes:  # shown (or silenced) like this process's warnings
                warnings.warn(note, stacklevel=2)
            rec = make_record(spec, self.pool.signature, out.source_sha, out.target_sha,
                              out.summary, out.error, out.seconds, out.notes,
                              self.opts.settings.check_language)
            self.stats.checked += 1
        self.log.append(rec)
        self.index.put(rec)
        self.on_record(rec)


def run_ray(opts: BatchOptions, address: str | None = None, *,
            on_record: Callable[[Record], None] | None = None,
            on_pool: Callable[[Pool], None] | None = None) -> tuple[Totals, RayStats]:
    """``fidelity batch --engine ray``: :func:`fidelity.batch.command.run_batch`'s contract
    on Ray. ``address``: None starts a local Ray instance (``opts.workers`` CPUs, else all)
    and stops it at the end; ``"auto"`` or ``"ray://host:port"`` joins a running cluster.
    When Ray is already initialised in this process, that instance is used (and left
    running). ``on_record`` sees each record as it is written, ``on_pool`` the started pool.

    Ctrl-C and SIGTERM become :class:`~fidelity.batch.common.Interrupted` once the actors are
    stopped (and the local Ray instance, if this run started it) and the lock released."""
    try:
        with _sigterm_interrupts():
            return _run_ray(opts, address, on_record or (lambda rec: None), on_pool)
    except KeyboardInterrupt as exc:
        how = " by SIGTERM" if isinstance(exc, Terminated) else ""
        raise Interrupted(f"interrupted{how}; the pairs finished so far are kept in "
                          f"{Store(opts.outdir).url(RESULTS)}: run the same command again to "
                          f"resume") from None


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated()


def _reclaim_sigterm() -> None:
    """SIGTERM raises :class:`~fidelity.batch.command.Terminated` again (as during a local
    run), so a scheduler stopping the run gets exit 130 and a stopped pool."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_terminated)


class _Notices:
    """Ray prints its notices about workers (a worker died, a task will be retried) on this
    process's stdout, where the run's table goes. For the run's length they go to stderr
    (with the progress bar), and none is printed while the run stops its own actors. Ray has
    no public switch for this: where its private printer is not found, nothing changes."""

    def __init__(self, ray: Any):
        self.module = getattr(getattr(ray, "_private", None), "worker", None)
        self.original = getattr(self.module, "print_to_stdstream", None)
        self.muted = False
        if self.original is not None:
            self.module.print_to_stdstream = self._print

    def _print(self, data: dict, *args: Any, **kwargs: Any) -> None:
        if not self.muted:
            self.original({**data, "is_err": True}, *args, **kwargs)  # type: ignore[misc]

    def mute(self) -> None:
        self.muted = True

    def restore(self) -> None:
        if self.original is not None and self.module.print_to_stdstream == self._print:
            self.module.print_to_stdstream = self.original


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchError("--engine ray needs Ray: pip install 'fidelity[ray]'") from None
    return ray


def _run_ray(opts: BatchOptions, address: str | None, on_record: Callable[[Record], None],
             on_pool: Callable[[Pool], None] | None) -> tuple[Totals, RayStats]:
    t_start = time.perf_counter()
    ray = import_ray()
    glossary = load_batch_glossary(opts)
    try:
        store = Store(opts.outdir)
        store.mkdirs()
    except Exception as exc:  # noqa: BLE001
        raise BatchError(f"{opts.outdir}: cannot create the output folder: {error_text(exc)}") from None
    with tempfile.TemporaryDirectory(prefix="fidelity-ray-") as tmp:
        index = RunIndex(tmp)
        try:
            index.add_specs(iter_specs(str(opts.input), opts.source_suffix, opts.target_suffix),
                            str(opts.input))
            lock = acquire_lock(store.local) if store.local is not None else StoreLock(store).acquire()
            try:
                return _locked_run(ray, opts, address, store, index, on_record, on_pool, t_start,
                                   glossary)
            finally:
                lock.release()
        finally:
            index.close()


def _locked_run(ray: Any, opts: BatchOptions, address: str | None, store: Store, index: RunIndex,
                on_record: Callable[[Record], None], on_pool: Callable[[Pool], None] | None,
                t_start: float, glossary: Glossary | None = None) -> tuple[Totals, RayStats]:
    if store.local is not None:
        remove_stale_temps(store.local)
    index.load_records(_earlier_lines(store))
    t0 = time.perf_counter()
    started = False
    pool: Pool | None = None
    finished = False
    notices: _Notices | None = None
    try:
        if not ray.is_initialized():
            kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "logging_level": "ERROR"}
            if address is None:
                kw["num_cpus"] = opts.workers if opts.workers and opts.workers > 0 else None
            try:
                ray.init(address=address, **kw)
            except Exception as exc:  # noqa: BLE001 - no cluster there, a bad address
                where = f"the Ray cluster at {address}" if address else "a local Ray instance"
                raise BatchError(f"cannot start or join {where}: {_ray_error(exc)}") from None
            started = address is None
            _reclaim_sigterm()  # ray.init made SIGTERM a plain sys.exit
        notices = _Notices(ray)
        pool = start_pool(ray, opts.settings, store_location(store), opts.workers, index.count,
                          window_size(opts), glossary)
        if on_pool is not None:
            on_pool(pool)
        model_seconds = time.perf_counter() - t0
        bar = _progress_bar(index.count, 0, opts.progress)
        log = ResultsLog(store.local / RESULTS) if store.local is not None else PartLog(store)

        def done(rec: Record) -> None:
            bar.update(1)
            on_record(rec)

        try:
            stats = _Run(ray, pool, index, store, log, opts, done).run()
        finally:
            bar.close()
            log.close()
        totals = finalize_streamed(index, store, opts.fail_on, stats, pool.signature,
                                   str(opts.input), model_seconds, time.perf_counter() - t_start)
        finished = True
        return totals, stats
    finally:
        with _signals_ignored() if not finished else contextlib.nullcontext():
            if notices is not None:  # the actors are killed on purpose now
                notices.mute()
            if pool is not None:
                for actor in pool.actors:
                    with contextlib.suppress(Exception):
                        ray.kill(actor)
            if started:
                ray.shutdown()
            if notices is not None:
                notices.restore()


# --------------------------------------------------------------------------- the end of a run

def finalize_streamed(index: RunIndex, store: Store, fail_on: frozenset[str], stats: RunStats,
                      signature: str, input_path: str, model_seconds: float,
                      total_seconds: float | None = None) -> Totals:
    """:func:`fidelity.batch.summary.finalize`, streamed: ``results.jsonl`` rewritten in input
    order, ``summary.json`` and ``index.html`` written, with one record in memory at a time
    (the worst-stories heap aside). The same files as ``finalize`` for the same records: the
    same pieces (:func:`.summary.tally`, :func:`.summary.summary_dict`,
    :func:`.summary.index_row`) make them."""
    totals = Totals()
    heap: WorstHeap = []
    with store.open_atomic(RESULTS) as fh:
        for n, rec in index.records_in_order():
            fh.write(rec.line())
            index.rank(n, rec)
            tally(totals, heap, n, rec, fail_on)
    for name in store.list(PARTS):  # merged into results.jsonl now
        store.unlink(f"{PARTS}/{name}")
    totals.worst = worst_list(heap)
    summary = summary_dict(totals, stats, signature, input_path, model_seconds, total_seconds)
    store.write_text(SUMMARY, summary_json(summary))
    with store.open_atomic(INDEX) as fh:
        for chunk in render_index_streamed(index.ranked(), summary):
            fh.write(chunk)
    return totals


def render_index_streamed(ranked: Iterator[Record], summary: dict) -> Iterator[str]:
    """``index.html`` in pieces, from the records already in their order (worst first)."""
    rows = (index_row(rec) for rec in ranked)
    return index_template().generate(rows=rows, summary=summary)
