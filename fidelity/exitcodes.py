"""Exit statuses of every ``fidelity`` command, in one place (the README documents them).

Scripts and schedulers act on these, so each outcome has its own code: a bad output path is
a usage error, not "issues"; Ctrl-C is 130, like any shell command interrupted by SIGINT.
"""

from __future__ import annotations

OK = 0  #: faithful (or nothing that ``--fail-on`` counts)
FINDINGS = 1  #: issues of a type ``--fail-on`` counts, or an unrelated translation
USAGE = 2  #: bad usage or bad input: one line on stderr
FAILED_PAIRS = 3  #: ``batch``: at least one pair could not be checked (an error record)
INTERRUPTED = 130  #: stopped by Ctrl-C (SIGINT) or SIGTERM; ``batch`` resumes when run again


def exit_code(verdict: str, finding_types: set[str], fail_on: frozenset[str]) -> int:
    """0 faithful; 1 unrelated, or issues of a type in ``fail_on``; else 0."""
    if verdict == "unrelated":
        return FINDINGS
    if verdict == "issues" and finding_types & fail_on:
        return FINDINGS
    return OK
