"""Plain data passed between the pipeline stages.

segment -> Document(Sentence...) ; embed -> tensors ; align -> Link... ;
findings -> Finding... ; report -> Report (whose ``to_dict`` is the JSON contract).
Everything here is picklable so a pair can be processed in a worker process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FindingType = Literal["omission", "addition", "partial", "drift"]
Category = Literal["body", "headline", "caption", "credit", "byline", "boilerplate", "terminology"]
Verdict = Literal["faithful", "issues", "unrelated"]
#: What one typed change inside a finding is (see :class:`Change`).
ChangeKind = Literal["name", "spelling", "number", "date", "antonym", "outlet", "title",
                     "missing", "added", "term", "empty", "untranslated", "copied", "neighbour"]
#: How much a finding matters to a translator triaging a report, least first.
Severity = Literal["minor", "major", "critical"]

#: ``omission``/``addition``: whole sentences with no counterpart; ``partial``: a linked
#: sentence that leaves out (or adds) a span of words; ``drift``: a linked sentence whose
#: names, numbers, dates or meaning differ.
FINDING_TYPES: tuple[str, ...] = ("omission", "addition", "partial", "drift")
#: ``terminology``: a house-glossary term whose required translation is missing (``--glossary``).
CATEGORIES: tuple[str, ...] = ("body", "headline", "caption", "credit", "byline", "boilerplate",
                               "terminology")
#: ``term``: a glossary term not rendered as required; ``empty``/``untranslated``/``copied``/
#: ``neighbour``: a unit of a bilingual (XLIFF/TMX) file whose target is empty, missing, the
#: source itself, or the translation of the unit beside it.
CHANGE_KINDS: tuple[str, ...] = ("name", "spelling", "number", "date", "antonym", "outlet", "title",
                                 "missing", "added", "term", "empty", "untranslated", "copied",
                                 "neighbour")
SEVERITIES: tuple[str, ...] = ("minor", "major", "critical")


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: ``text == document.text[start:end]``."""

    index: int
    text: str
    paragraph: int
    start: int
    end: int

    def to_dict(self) -> dict:
        return {"index": self.index, "text": self.text, "paragraph": self.paragraph,
                "start": self.start, "end": self.end}


@dataclass
class Document:
    """A segmented text in one language."""

    text: str
    lang: str
    sentences: list[Sentence]
    path: str | None = None

    def __len__(self) -> int:
        return len(self.sentences)

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    @property
    def n_paragraphs(self) -> int:
        return (self.sentences[-1].paragraph + 1) if self.sentences else 0

    def paragraph_sentences(self, paragraph: int) -> list[Sentence]:
        return [s for s in self.sentences if s.paragraph == paragraph]

    def to_dict(self) -> dict:
        return {"path": self.path, "lang": self.lang,
                "sentences": [s.to_dict() for s in self.sentences]}


@dataclass(frozen=True)
class Link:
    """A group of source sentences aligned to a group of target sentences.

    ``target == ()`` is a 1-0 link (the source sentence has no counterpart),
    ``source == ()`` a 0-1 link.  ``score`` is None for those.
    """

    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float | None = None

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.target)}"

    def to_dict(self) -> dict:
        return {"source": list(self.source), "target": list(self.target),
                "score": None if self.score is None else round(float(self.score), 4)}


Span = tuple[int, int]


@dataclass(frozen=True)
class Change:
    """One structured change inside a finding, so consumers never parse the message.

    ``source``/``target``: the text as each side writes it ("" where that side has none, as
    for a ``missing`` span). ``source_spans``/``target_spans``: ``(start, end)`` character
    offsets into the *document* text of that side (the coordinates of ``Sentence.start``), one
    per occurrence the change covers; empty where the words cannot be located.
    """

    kind: str  # one of CHANGE_KINDS
    source: str = ""
    target: str = ""
    source_spans: tuple[Span, ...] = ()
    target_spans: tuple[Span, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "source": self.source, "target": self.target,
                "source_spans": [list(s) for s in self.source_spans],
                "target_spans": [list(s) for s in self.target_spans]}


@dataclass(frozen=True)
class Finding:
    type: str  # one of FINDING_TYPES
    category: str  # one of CATEGORIES
    source: tuple[int, ...]
    target: tuple[int, ...]
    score: float | None
    message: str
    changes: tuple[Change, ...] = ()
    severity: str = "major"  # one of SEVERITIES

    def to_dict(self) -> dict:
        return {"type": self.type, "category": self.category,
                "source": list(self.source), "target": list(self.target),
                "score": None if self.score is None else round(float(self.score), 4),
                "message": self.message, "severity": self.severity,
                "changes": [c.to_dict() for c in self.changes]}


@dataclass
class Summary:
    verdict: str
    source_sentences: int
    target_sentences: int
    source_coverage: float
    target_coverage: float
    omissions: int
    additions: int
    drifts: int
    partials: int = 0

    def to_dict(self) -> dict:
        return {"verdict": self.verdict,
                "source_sentences": self.source_sentences,
                "target_sentences": self.target_sentences,
                "source_coverage": round(self.source_coverage, 4),
                "target_coverage": round(self.target_coverage, 4),
                "omissions": self.omissions, "additions": self.additions,
                "drifts": self.drifts, "partials": self.partials}


@dataclass
class Report:
    """The result of checking one source/target pair."""

    fidelity_version: str
    signature: str
    source: Document
    target: Document
    links: list[Link]
    findings: list[Finding]
    summary: Summary
    settings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The stable JSON contract (see README, "JSON contract")."""
        return {"fidelity_version": self.fidelity_version,
                "signature": self.signature,
                "source": self.source.to_dict(),
                "target": self.target.to_dict(),
                "links": [link.to_dict() for link in self.links],
                "findings": [f.to_dict() for f in self.findings],
                "summary": self.summary.to_dict()}
