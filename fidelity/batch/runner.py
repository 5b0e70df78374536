"""Running the pairs: executors (worker processes or this process), embedding windows, and
:class:`BatchRunner`, which streams the pairs through three stages with a bounded number in
flight so memory stays flat:

* :func:`~fidelity.batch.jobs.run_prepare` (decoding, language check, segmentation) in workers;
* the embedding in this process, for a *window* of pairs at once: their texts go to
  :meth:`fidelity.embed.Encoder.encode_sides` in one call, which embeds each distinct text once,
  in length-sorted batches, and the rows are split back per pair;
* :func:`~fidelity.batch.jobs.run_finish` (alignment, findings, JSON and HTML rendering) in
  workers, which write ``<id>.json`` and ``<id>.html`` atomically.

A bilingual file (XLIFF/TMX) skips the stages: it is checked whole, here, with the loaded
model (:func:`~fidelity.batch.jobs.run_bilingual`), when its turn comes.

When a pair's files are written its record is appended to ``results.jsonl``.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import DEFAULT_WINDOW, RESULTS, error_text
from .discover import PairSpec
from .jobs import (BilingualJob, FinishJob, Prepared, PrepareJob, pair_texts, run_bilingual,
                   run_finish, run_prepare)
from .records import Record, ResultsLog, make_record, read_input, sha256_bytes

if TYPE_CHECKING:
    from ..glossary import Glossary
    from ..pipeline import Checker, ModelId, Pair, Settings


# --------------------------------------------------------------------------- executors
#
# The processes a run starts: on Linux a fork server (which starts the workers, with the
# pipeline already imported), multiprocessing's resource tracker, and the workers. None of
# them may outlive the run:
#
# * Ctrl-C reaches the whole foreground process group. The fork server is started with SIGINT
#   ignored, which it and every worker it forks inherit, so only this process sees Ctrl-C (no
#   worker tracebacks); this process then stops the workers (:func:`stop_executor`).
# * SIGTERM to this process is turned into the same interruption (``command.py``).
# * SIGKILL to this process cannot be handled here: each worker watches this process
#   (:func:`_watch_parent`) and exits when it is gone; the fork server and the resource
#   tracker exit by themselves once no process holds their pipes.

def worker_init(parent_pid: int | None = None) -> None:
    """Set up a worker: SIGINT ignored (the parent stops the workers), one torch thread (the
    workers already fill the cores; see also :data:`WORKER_THREADS_ENV`), and exit when
    ``parent_pid`` (the batch) is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent_pid is not None:
        _watch_parent(parent_pid)
    try:
        import torch

        torch.set_num_threads(1)
    except Exception:  # pragma: no cover - torch is a dependency
        pass


def _watch_parent(parent_pid: int) -> None:
    """A daemon thread that ends this worker as soon as ``parent_pid`` exits (killed with
    SIGKILL, say): a worker's parent is the fork server, which lives as long as the workers
    hold its pipe, so neither would ever notice. A pidfd (Linux 5.3+) wakes at once; else the
    thread polls every half second."""
    try:
        fd: int | None = os.pidfd_open(parent_pid)  # type: ignore[attr-defined]
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        fd = None

    def watch() -> None:
        if fd is not None:
            select.select([fd], [], [])
        else:
            while True:
                time.sleep(0.5)
                try:
                    os.kill(parent_pid, 0)
                except ProcessLookupError:
                    break
                except PermissionError:  # a pid reused by someone else's process
                    break
        os._exit(1)

    threading.Thread(target=watch, name="fidelity-batch-parent-watch", daemon=True).start()


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
            for fut in [executor.submit(_noop) for _ in range(workers)]:
                fut.result()
        except BaseException:  # noqa: BLE001 - a pool that cannot start shows up at the first pair
            pass

    thread = threading.Thread(target=start, name="fidelity-batch-warm-up", daemon=True)
    thread.start()
    return thread


def _noop() -> None:
    """A task that only makes the pool start a worker."""


#: One thread for each numerical library in a worker. The workers already fill the cores,
#: and a worker's OpenBLAS threads spin while they wait: with two workers on two cores each
#: matrix-vector product of the aligner's programme took 50 times as long (a long document
#: 10 times as long as in ``fidelity check``). The libraries read these when they load, which
#: for the workers is in the fork server (it imports the pipeline once for all of them).
WORKER_THREADS_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
                      "VECLIB_MAXIMUM_THREADS": "1", "NUMEXPR_NUM_THREADS": "1"}


@contextlib.contextmanager
def _worker_threads_env() -> Iterator[None]:
    """:data:`WORKER_THREADS_ENV` in this process's environment while child processes start
    (this process's own libraries are loaded already and keep their threads)."""
    before = {k: os.environ.get(k) for k in WORKER_THREADS_ENV}
    os.environ.update(WORKER_THREADS_ENV)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


PRELOAD = ["fidelity.batch.jobs", "fidelity.pipeline", "fidelity.align", "fidelity.findings",
           "fidelity.report", "fidelity.segment"]


def make_executor(workers: int) -> Executor:
    """``workers`` processes (forkserver: no fork of a process that runs torch threads)."""
    if workers <= 0:
        return InlineExecutor()
    import multiprocessing as mp

    method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
    ctx = mp.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
        with _worker_threads_env():
            _start_forkserver()
    else:  # spawn: workers start while the pool runs; this process's libraries are loaded
        os.environ.update(WORKER_THREADS_ENV)
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=worker_init,
                               initargs=(os.getpid(),))


def _start_forkserver() -> None:
    """Start the fork server (and the resource tracker) now, from the main thread, with SIGINT
    ignored: a new Python process keeps an ignored SIGINT ignored, and the fork server hands
    the SIGINT disposition it started with to every worker it forks, so Ctrl-C reaches neither
    it (also while it imports the pipeline) nor a worker booting."""
    from multiprocessing import forkserver

    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()  # only the main thread may change signal handlers
        return
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, before)


def stop_executor(executor: Executor, interrupted: bool,
                  booting: threading.Thread | None = None) -> None:
    """Shut a pool down: after the queued work (``interrupted`` False), or at once: no new
    worker, the fork server and the workers terminated (SIGTERM, SIGKILL after 5 s), the
    thread still starting workers (``booting``, :func:`warm_up`) waited for, so that nothing
    of the run outlives it (multiprocessing's resource tracker exits with this process)."""
    if not interrupted or not isinstance(executor, ProcessPoolExecutor):
        executor.shutdown(wait=True, cancel_futures=True)
        return
    executor.shutdown(wait=False, cancel_futures=True)  # submits now fail: no new worker
    server = _forkserver_pid()
    if server is not None:  # a worker being forked now fails to start instead
        with contextlib.suppress(OSError):
            os.kill(server, signal.SIGTERM)
    _terminate(list((getattr(executor, "_processes", None) or {}).values()))
    if booting is not None:
        booting.join(5)
        _terminate(list((getattr(executor, "_processes", None) or {}).values()))
    stop_forkserver()


def _forkserver_pid() -> int | None:
    from multiprocessing import forkserver

    return getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None)


def _terminate(procs: list) -> None:
    """SIGTERM to each process, then SIGKILL to those still alive after 5 s."""
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(5)
            if proc.is_alive():
                proc.kill()
                proc.join(1)


def stop_forkserver(timeout: float = 5.0) -> None:
    """Reap the fork server of this process (terminated by :func:`stop_executor`); the wait
    ends after ``timeout`` seconds whatever happens. The resource tracker is left to exit by
    itself when this process does: stopping it now would unlink the semaphores this process
    still holds, and their finalizers would complain at exit."""
    from multiprocessing import forkserver

    stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
    if stop is None:
        return

    def reap() -> None:
        with contextlib.suppress(Exception):
            stop()

    thread = threading.Thread(target=reap, name="fidelity-batch-stop", daemon=True)
    thread.start()
    thread.join(timeout)


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
    """Streams the pairs to do through prepare (workers) -> embed (here) -> finish (workers).

    ``checker`` (a :class:`~fidelity.pipeline.Checker` around ``encoder``) checks the bilingual
    files; without one, such a file is an error record. ``glossary`` (``--glossary``) goes with
    every pair, text or bilingual (``signature`` must name it:
    :func:`fidelity.signature.with_glossary`)."""

    def __init__(self, specs: list[PairSpec], outdir: Path, settings: Settings, encoder: Any,
                 model: ModelId, signature: str, executor: Executor, window: int = DEFAULT_WINDOW,
                 on_done: Callable[[Record], None] | None = None,
                 new_executor: Callable[[], Executor] | None = None,
                 checker: Checker | None = None, glossary: Glossary | None = None):
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
        self.checker = checker
        self.glossary = glossary
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
        src, src_err = read_input(spec.source)
        tgt, tgt_err = read_input(spec.target)
        slot.source_sha = None if src is None else sha256_bytes(src)
        slot.target_sha = None if tgt is None else sha256_bytes(tgt)
        slot.seconds = time.perf_counter() - t0
        if src_err or tgt_err:
            self._record(log, key, None, src_err or tgt_err)
            return
        if spec.bilingual:
            self._check_bilingual(log, key, src)  # type: ignore[arg-type]
            return
        job = PrepareJob(key, src, tgt, spec.source, spec.target, self.settings)  # type: ignore[arg-type]
        self._preparing[self._submit(run_prepare, job)] = key

    def _check_bilingual(self, log: ResultsLog, key: int, data: bytes) -> None:
        """Check an XLIFF/TMX file here and now, with the loaded model, and record it."""
        slot = self._slots[key]
        if self.checker is None:
            self._record(log, key, None, f"{slot.spec.source}: this engine does not check "
                                         "bilingual files")
            return
        job = BilingualJob(key, data, slot.spec.source, self.settings,  # type: ignore[arg-type]
                           str(self.outdir / f"{slot.spec.stem}.json"),
                           str(self.outdir / f"{slot.spec.stem}.html"), self.glossary)
        done, slot.notes = run_bilingual(job, self.checker)
        for note in slot.notes:  # shown (or silenced) like this process's warnings
            warnings.warn(note, stacklevel=2)
        slot.seconds += done.seconds
        self._record(log, key, done.summary, done.error)

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
                self._record(log, key, None, f"embedding failed: {error_text(exc)}")
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
                self._record(log, listed[0], None, f"embedding failed: {error_text(exc)}")
                return []
        kept: list[tuple[int, list]] = []
        for k, key in enumerate(listed):
            try:
                kept.append((key, self.encoder.encode_sides(sides[2 * k:2 * k + 2])))
            except Exception as exc:  # noqa: BLE001
                self._record(log, key, None, f"embedding failed: {error_text(exc)}")
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
                            str(self.outdir / f"{slot.spec.stem}.html"), s_tok, t_tok,
                            self.glossary)
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
                self._record(log, key, None, error_text(exc))
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
