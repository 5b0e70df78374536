"""From an alignment to findings: omitted, added and drifted passages, and the verdict.

* ``omission``: consecutive source sentences with no counterpart (1-0 links), one finding per
  run of the same category. Dropping source page furniture (boilerplate) is what a translator
  should do, so it is not a finding.
* ``addition``: consecutive target sentences with no source (0-1 links), scrape junk included.
* ``drift``: an aligned link whose numbers, names, dates or meaning differ across the link
  ("52" -> "25", "Manhattan" -> "New York", "Saied" -> "Saeid", "Oktober" -> "Desember",
  slowed -> "meningkat"), which a bag-of-subwords score cannot see. The rules live in
  :mod:`fidelity.rules`, one small function each; :func:`find` runs them on every link.

Every drift finding carries its typed :class:`~fidelity.types.Change`s (kind, the words as
each side writes them, document character offsets) and its message is rendered from them, so
a consumer never parses the message. Omissions and additions carry no changes (the sentences
are the finding), except the outlet names an added sentence renders word by word.

Severity, for a translator triaging a report:

* ``major``: a changed name, number, date or meaning (antonym); an omitted or added passage
  of body text, headline or caption;
* ``minor``: a name spelled differently, a title rewritten, an outlet name translated word by
  word; an omitted or added credit, byline or page furniture (boilerplate);
* ``critical`` is not given by these rules (kept for checks that find a reversed verdict).

A drift finding is as severe as its worst change.
"""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass

from . import rules
from .categories import categorize, title_lines
from .outlets import translated_outlets
from .partial import PartialParams, partial_findings
from .rules import LinkText, SideText, names, numbers
from .types import Change, Document, Finding, Link, Summary

#: Severity of an omission or addition by the category of its sentences.
PASSAGE_SEVERITY = {"body": "major", "headline": "major", "caption": "major", "credit": "minor",
                    "byline": "minor", "boilerplate": "minor"}


@dataclass(frozen=True)
class FindingParams:
    unrelated_coverage: float = 0.4  #: below this share of aligned target content: unrelated
    unrelated_anchors: float = 0.25  #: or below this share of confident anchors per sentence of the shorter side
    min_number: int = 10  #: a number missing on one side counts from this value (small ones are often spelled out)
    spelling_ratio: float = 0.6  #: similarity above which two different names are one name spelled differently


def _passages(links: list[Link], side: str, cats: list[str]) -> list[list[int]]:
    """Runs of consecutive unaligned sentences of one side, split where the category changes."""
    runs: list[list[int]] = []
    current: list[int] = []
    for link in links:
        mine, other = (link.source, link.target) if side == "source" else (link.target, link.source)
        if mine and not other:
            i = mine[0]
            if current and (cats[current[-1]] != cats[i] or current[-1] != i - 1):
                runs.append(current)
                current = []
            current.append(i)
        elif mine:  # an aligned sentence ends the run
            if current:
                runs.append(current)
                current = []
    if current:
        runs.append(current)
    return runs


def name_drift(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str,
               spelling_ratio: float = 0.6) -> list[str]:
    """Messages of the name rules (:mod:`fidelity.rules.names`) on one pair of texts."""
    link = LinkText(SideText(src_text, src_lang), SideText(tgt_text, tgt_lang), spelling_ratio=spelling_ratio)
    return rules.messages(names.name_changes(link))


def number_drift(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str,
                 min_number: int = 10) -> list[str]:
    """Messages of the number rule (:mod:`fidelity.rules.numbers`) on one pair of texts."""
    link = LinkText(SideText(src_text, src_lang), SideText(tgt_text, tgt_lang), min_number=min_number)
    return rules.messages(numbers.number_changes(link))


def drift_changes(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str) -> list[Change]:
    """Every drift rule's changes on one pair of texts (offsets into the texts themselves)."""
    return rules.run(LinkText(SideText(src_text, src_lang), SideText(tgt_text, tgt_lang)))


def _outlet_changes(source: Document, target: Document) -> dict[int, list[Change]]:
    """Target sentence index -> ``outlet`` changes for outlet names rendered word by word in it."""
    if (source.lang, target.lang) != ("en", "id") or not source.sentences or not target.sentences:
        return {}
    out: dict[int, list[Change]] = {}
    starts = [sent.start for sent in target.sentences]
    for t in translated_outlets(source.text, target.text):
        k = bisect.bisect_right(starts, t.start) - 1  # the last sentence starting at or before it
        if k >= 0 and t.start < target.sentences[k].end:
            found = source.text.find(t.original)
            out.setdefault(target.sentences[k].index, []).append(Change(
                "outlet", t.original, t.rendered, ((found, found + len(t.original)),) if found >= 0 else (),
                ((t.start, t.start + len(t.rendered)),)))
    return out


def _count(n: int) -> str:
    return "1 sentence" if n == 1 else f"{n} sentences"


def _category(cats: list[str], idx: list[int] | tuple[int, ...]) -> str:
    kinds = Counter(cats[i] for i in idx)
    return kinds.most_common(1)[0][0] if kinds else "body"


def find(source: Document, target: Document, links: list[Link],
         best_source: list[float] | None = None, best_target: list[float] | None = None,
         params: FindingParams = FindingParams(),
         anchors: int | None = None, tau: float | None = None,
         partial: PartialParams | None = PartialParams()) -> tuple[list[Finding], Summary]:
    """Findings (in document order) and the summary with its verdict.

    ``anchors``: how many confident one-to-one anchors the aligner found (None: unknown).
    ``tau``: the aligner's threshold; a link of two title lines scoring below it (one the
    aligner made from their place on the page, ``align._pair_titles``) is a drift to check.
    ``partial``: the thresholds of :mod:`fidelity.partial` (spans of a linked sentence left
    out or added); None skips that check.
    """
    s_cats = categorize(source)
    t_cats = categorize(target)
    s_titles = title_lines(source) if tau is not None or partial is not None else []
    t_titles = title_lines(target) if tau is not None else []
    findings: list[tuple[tuple[int, int], Finding]] = []

    def best(scores: list[float] | None, run: list[int]) -> float | None:
        if not scores:
            return None
        return max(scores[i] for i in run)

    for run in _passages(links, "source", s_cats):
        cat = s_cats[run[0]]
        if cat == "boilerplate":
            continue
        sc = best(best_source, run)
        msg = f"{_count(len(run))} not translated"
        if sc is not None:
            msg += f" (closest target sentence scored {sc:.2f})"
        findings.append(((run[0], 0), Finding("omission", cat, tuple(run), (), sc, msg,
                                              severity=PASSAGE_SEVERITY.get(cat, "major"))))

    outlets = _outlet_changes(source, target)
    # Place additions in source order: after the source sentences aligned before them.
    pos_of_target: dict[int, int] = {}
    last_src = -1
    for link in links:
        if link.source:
            last_src = link.source[-1]
        for j in link.target:
            pos_of_target[j] = last_src
    for run in _passages(links, "target", t_cats):
        cat = t_cats[run[0]]
        sc = best(best_target, run)
        msg = f"{_count(len(run))} with no source" + (" (page furniture or scrape junk)" if cat == "boilerplate" else "")
        if sc is not None:
            msg += f" (closest source sentence scored {sc:.2f})"
        changes = tuple(c for j in run for c in outlets.get(j, []))
        msg += "".join("; " + m for m in rules.messages(changes))
        findings.append(((pos_of_target.get(run[0], -1), 1),
                         Finding("addition", cat, (), tuple(run), sc, msg, changes,
                                 PASSAGE_SEVERITY.get(cat, "major"))))

    for link in links:
        if not link.source or not link.target:
            continue
        text = LinkText(SideText.of(source, link.source), SideText.of(target, link.target),
                        params.min_number, params.spelling_ratio)
        changes = rules.run(text)
        changes += [c for j in link.target for c in outlets.get(j, [])]
        if (tau is not None and link.score is not None and link.score < tau
                and len(link.source) == len(link.target) == 1
                and s_titles[link.source[0]] and t_titles[link.target[0]]):
            s_sent, t_sent = source.sentences[link.source[0]], target.sentences[link.target[0]]
            changes.append(Change("title", s_sent.text, t_sent.text, ((s_sent.start, s_sent.end),),
                                  ((t_sent.start, t_sent.end),)))
        if changes:
            cat = _category(s_cats, link.source)
            findings.append(((link.source[0], 2), Finding(
                "drift", cat, link.source, link.target, link.score,
                "; ".join(rules.messages(changes)), tuple(changes), rules.severity(changes))))
    if partial is not None:
        for f in partial_findings(source, target, links, partial, categories=s_cats, titles=s_titles):
            findings.append(((f.source[0], 3), f))
    findings.sort(key=lambda x: x[0])
    out = [f for _, f in findings]
    return out, summarize(source, target, links, out, s_cats, t_cats, params, anchors)


def summarize(source: Document, target: Document, links: list[Link], findings: list[Finding],
              s_cats: list[str], t_cats: list[str], params: FindingParams,
              anchors: int | None = None) -> Summary:
    aligned_s = {i for link in links if link.source and link.target for i in link.source}
    aligned_t = {j for link in links if link.source and link.target for j in link.target}
    n, m = len(source), len(target)
    s_cov = len(aligned_s) / n if n else 1.0
    t_cov = len(aligned_t) / m if m else 1.0
    # Unrelated: the target's real content is mostly not explained by the source.
    content_t = [j for j in range(m) if t_cats[j] != "boilerplate"]
    chars = sum(len(target.sentences[j].text) for j in content_t)
    covered = sum(len(target.sentences[j].text) for j in content_t if j in aligned_t)
    content_cov = covered / chars if chars else 1.0
    counts = Counter(f.type for f in findings)
    content_s = sum(1 for c in s_cats if c != "boilerplate")
    shorter = min(content_s, len(content_t))
    few_anchors = anchors is not None and shorter > 0 and anchors / shorter < params.unrelated_anchors
    if n and m and (content_cov < params.unrelated_coverage or few_anchors):
        verdict = "unrelated"
    elif findings:
        verdict = "issues"
    else:
        verdict = "faithful"
    return Summary(verdict, n, m, s_cov, t_cov, counts["omission"], counts["addition"], counts["drift"],
                   counts["partial"])
