"""What every part of ``fidelity batch`` shares: the run's file names, its errors, the
verdicts and counts a record keeps, and the one-line text of a pair's failure."""

from __future__ import annotations

from ..errors import FidelityError
from ..exitcodes import INTERRUPTED

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
#: Finding counts of a record, by finding type (keys of ``Summary.to_dict()``).
FINDING_KEYS = {"omission": "omissions", "addition": "additions", "drift": "drifts",
                "partial": "partials"}
COUNT_KEYS = ("omissions", "additions", "drifts", "partials", "source_sentences", "target_sentences")


class BatchError(FidelityError):
    """Bad usage of ``fidelity batch`` (unreadable manifest, duplicate ids, OUTDIR locked...)."""


class Interrupted(BatchError):
    """Ctrl-C (SIGINT) or SIGTERM: its own exit code (130, :data:`fidelity.exitcodes.INTERRUPTED`,
    for both signals), so that a script does not take the run for one that found issues (1);
    what was recorded is kept for the next run."""

    exit_code = INTERRUPTED


def error_text(exc: BaseException) -> str:
    """One line saying why a pair failed (the error record's text)."""
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
