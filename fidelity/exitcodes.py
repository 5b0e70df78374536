"""Exit statuses of every ``fidelity`` command, in one place (the README documents them).

Scripts and schedulers act on these, so each outcome has its own code: a bad output path is
a usage error, not "issues"; Ctrl-C is 130, like any shell command interrupted by SIGINT.
"""

from __future__ import annotations

from .types import SEVERITIES

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


#: Severities least first, for "this severity or worse".
SEVERITY_RANK: dict[str, int] = {s: k for k, s in enumerate(SEVERITIES)}


class FailOn(frozenset):
    """What ``--fail-on`` counts: the finding types it names (a frozenset of them, as
    :func:`fidelity.exitcodes.exit_code` takes) and the least severity that counts
    (``min_severity``; None: any). ``none`` is the empty set: no finding fails the run."""

    min_severity: str | None

    def __new__(cls, types=(), min_severity: str | None = None) -> "FailOn":
        self = super().__new__(cls, types)
        self.min_severity = min_severity
        return self

    def __reduce__(self):  # keep min_severity across pickling (batch workers)
        return (type(self), (frozenset(self), self.min_severity))

    def __repr__(self) -> str:
        return f"FailOn({sorted(self)!r}, min_severity={self.min_severity!r})"

    def counts(self, finding_type: str, severity: str = "major") -> bool:
        """Whether a finding of ``finding_type`` and ``severity`` fails the run."""
        if finding_type not in self:
            return False
        if self.min_severity is None:
            return True
        return SEVERITY_RANK.get(severity, SEVERITY_RANK["major"]) >= SEVERITY_RANK[self.min_severity]

    def exit_code(self, verdict: str, findings) -> int:  # noqa: ANN001 - Iterable[Finding]
        """The exit status of a report: :func:`~fidelity.exitcodes.exit_code` over the
        findings this rule counts."""
        return exit_code(verdict, {f.type for f in findings if self.counts(f.type, f.severity)}, self)
