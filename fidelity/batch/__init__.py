"""``fidelity batch``: check a folder (or manifest) of translated stories, resumably and fast.

How a run goes (one module per step):

1. :mod:`.discover` lists the pairs: ``<story><source suffix>`` with ``<story><target suffix>``
   in a folder, or the rows of a CSV / JSON Lines manifest.
2. :mod:`.records` hashes every input (SHA-256 of its bytes) and compares with the
   ``results.jsonl`` of an earlier run in the same OUTDIR (one typed :class:`Record` a line):
   unchanged pairs whose reports exist are reused, the rest are redone.
3. :mod:`.runner` streams the pairs to do through prepare (worker processes), embedding (this
   process, a window of pairs per encoder call) and finish (worker processes); the per-pair
   work itself is in :mod:`.jobs`. Each finished pair appends its record, so a run killed at
   any moment resumes where it stopped.
4. :mod:`.summary` rewrites ``results.jsonl`` in input order and writes ``summary.json``,
   ``index.html`` and the table printed on stdout.

A house glossary (``--glossary``, :attr:`BatchOptions.glossary`) is read before step 1 (a bad
file stops the run there) and applied to every pair; the signature names it, so step 2 redoes
the pairs when its terms change.

:mod:`.command` ties them together (:func:`run_batch`), holding OUTDIR's lock (:mod:`.lock`,
whose file is deleted at the end) for the run. Ctrl-C and SIGTERM stop every process the run
started and exit 130 (:data:`fidelity.exitcodes.INTERRUPTED`); after SIGKILL the workers exit
by themselves. Either way the same command resumes.
"""

from __future__ import annotations

from .command import BatchOptions, _progress_bar, acquire_lock, remove_stale_temps, run_batch
from .common import (CACHE_TEXTS, DEFAULT_WINDOW, INDEX, LOCK, RESULTS, SUMMARY, BatchError,
                     Interrupted)
from .discover import PairSpec, discover, folder_pairs, manifest_pairs, safe_stem
from .jobs import finish_pair, pair_texts, prepare_pair, run_finish, run_prepare
from .lock import OutdirLock
from .records import Plan, Record, ResultsLog, make_record, plan, read_results
from .runner import BatchRunner, InlineExecutor, RunStats, make_executor
from .summary import Totals, finalize, pair_exit_code, render_index, summary_text

__all__ = ["CACHE_TEXTS", "DEFAULT_WINDOW", "INDEX", "LOCK", "RESULTS", "SUMMARY", "BatchError",
           "BatchOptions", "BatchRunner", "InlineExecutor", "Interrupted", "OutdirLock", "PairSpec", "Plan",
           "Record", "ResultsLog", "RunStats", "Totals", "acquire_lock", "discover", "finalize",
           "finish_pair", "folder_pairs", "make_executor", "make_record", "manifest_pairs",
           "pair_exit_code", "pair_texts", "plan", "prepare_pair", "read_results",
           "remove_stale_temps", "render_index", "run_batch", "run_finish", "run_prepare",
           "safe_stem", "summary_text"]
