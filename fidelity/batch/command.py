"""The ``fidelity batch`` command as a function: read the glossary, discover, lock OUTDIR, load
the model, plan, run, finalize (:func:`run_batch`)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .common import CACHE_TEXTS, DEFAULT_WINDOW, RESULTS, BatchError, Interrupted, error_text
from .discover import discover
from .lock import OutdirLock
from .records import plan
from .runner import BatchRunner, RunStats, make_executor, stop_executor, warm_up
from .summary import Totals, finalize

if TYPE_CHECKING:
    from ..glossary import Glossary
    from ..pipeline import Settings


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
    glossary: str | None = None  #: a CSV or TBX glossary file (``--glossary``)


def load_batch_glossary(opts: BatchOptions) -> Glossary | None:
    """The run's glossary, read once before anything else (a bad file stops the run before a
    pair is checked or OUTDIR touched: a one-line :class:`BatchError`, exit status 2). A path,
    or a URL (``file://``, ``s3://``... through :mod:`fidelity.storage`, where a cluster's
    inputs live)."""
    if opts.glossary is None:
        return None
    from .. import storage
    from ..errors import FidelityError
    from ..glossary import load_glossary, parse_glossary

    langs = (opts.settings.source_lang, opts.settings.target_lang)
    try:
        if not storage.is_url(opts.glossary):
            return load_glossary(opts.glossary, *langs)
        try:
            data = storage.read_bytes(opts.glossary)
        except Exception as exc:  # noqa: BLE001 - a missing object, a store that refuses us
            raise BatchError(error_text(exc)) from None
        return parse_glossary(data, opts.glossary, *langs)
    except FidelityError as exc:
        raise BatchError(f"--glossary {exc}") from None


def acquire_lock(outdir: Path) -> OutdirLock:
    """The OUTDIR lock, held for the whole run; a second run gets a :class:`BatchError`."""
    return OutdirLock(outdir).acquire()


_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}\.tmp$")  # report.write_atomic's temporary files


def remove_stale_temps(outdir: Path) -> int:
    """Delete temporary files a killed run left in OUTDIR (safe: we hold its lock)."""
    n = 0
    for entry in outdir.iterdir():
        if _TEMP.match(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
            n += 1
    return n


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread: a scheduler stopping the run is handled as Ctrl-C."""


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While the run lasts, SIGTERM raises :class:`Terminated` (main thread only: only it may
    set signal handlers, and only it receives them)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise Terminated()

    before = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


@contextlib.contextmanager
def _signals_ignored() -> Iterator[None]:
    """A second Ctrl-C or SIGTERM must not cut short the stopping of the workers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def run_batch(opts: BatchOptions) -> tuple[Totals, RunStats]:
    """The whole command: discover, lock, load the model, plan, run, finalize.

    Ctrl-C (SIGINT) and SIGTERM become :class:`Interrupted` (exit status 130) once every
    process the run started is stopped and the lock released (and its file deleted)."""
    try:
        with _sigterm_interrupts():
            return _run_batch(opts)
    except KeyboardInterrupt as exc:
        how = " by SIGTERM" if isinstance(exc, Terminated) else ""
        raise Interrupted(f"interrupted{how}; the pairs finished so far are kept in "
                          f"{Path(opts.outdir) / RESULTS}: run the same command again to resume"
                          ) from None


def _run_batch(opts: BatchOptions) -> tuple[Totals, RunStats]:
    started = time.perf_counter()
    glossary = load_batch_glossary(opts)
    specs = discover(opts.input, opts.source_suffix, opts.target_suffix)
    outdir = Path(opts.outdir)
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchError(f"{outdir}: cannot create the output folder: {exc.strerror}") from None
    lock = acquire_lock(outdir)
    executor: Executor | None = None
    runner: BatchRunner | None = None
    booting: threading.Thread | None = None
    finished = False
    try:
        remove_stale_temps(outdir)
        from ..pipeline import Checker, signature
        from ..signature import with_glossary

        t0 = time.perf_counter()
        workers = (os.cpu_count() or 1) if opts.workers is None else opts.workers
        # Bilingual files are checked in this process: workers only for the text pairs.
        workers = min(workers, sum(not spec.bilingual for spec in specs))
        executor = make_executor(workers)
        replacement = lambda: make_executor(workers)  # noqa: E731 - after a worker died
        booting = warm_up(executor, workers)  # the workers start while the model loads
        checker = Checker(opts.settings, progress=False)
        if booting is not None:
            booting.join()
        checker.encoder.cache_size = min(checker.encoder.cache_size, CACHE_TEXTS)
        sig = with_glossary(signature(opts.settings, checker.model_id), glossary)
        model_seconds = time.perf_counter() - t0
        the_plan = plan(specs, outdir, sig, opts.force, opts.settings.check_language)
        bar = _progress_bar(len(specs), the_plan.reused, opts.progress)
        try:
            runner = BatchRunner(specs, outdir, opts.settings, checker.encoder, checker.model_id,
                                 sig, executor, opts.window, on_done=lambda rec: bar.update(1),
                                 new_executor=replacement, checker=checker, glossary=glossary)
            stats = runner.run(the_plan.todo)
        finally:
            bar.close()
        stats.reused = the_plan.reused
        totals = finalize(specs, outdir, opts.fail_on, stats, sig, str(opts.input), model_seconds,
                          time.perf_counter() - started)
        finished = True
        return totals, stats
    finally:
        pools = {id(p): p for p in (executor, runner and runner.executor) if p is not None}
        with _signals_ignored() if not finished else contextlib.nullcontext():
            try:
                for pool in pools.values():
                    stop_executor(pool, interrupted=not finished, booting=booting)
            finally:
                lock.release()


def _progress_bar(total: int, initial: int, progress: bool | None):
    """The tqdm bar on stderr (pairs done, rate, ETA): shown when ``progress`` says so, or
    (None) on a terminal outside CI, so pipes and CI logs stay clean."""
    from tqdm import tqdm

    from .. import progress_default

    show = progress_default() if progress is None else progress
    return tqdm(total=total, initial=initial, unit="pair", desc="fidelity batch", file=sys.stderr,
                disable=not show, dynamic_ncols=True, smoothing=0.1)
