"""From an alignment to findings: omitted, added and drifted passages, and the verdict.

* ``omission``: consecutive source sentences with no counterpart (1-0 links), one finding per
  run of the same category. Dropping source page furniture (boilerplate) is what a translator
  should do, so it is not a finding.
* ``addition``: consecutive target sentences with no source (0-1 links), scrape junk included.
* ``drift``: an aligned link whose numbers or names differ across the link ("52" -> "25",
  "Manhattan" -> "New York", "Saied" -> "Saeid"), which a bag-of-subwords score cannot see.
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import exonyms
from .categories import categorize, title_lines
from .outlets import translated_outlets
from .features import _NOT_NAMES, _ascii_fold, is_common, name_key, name_phrases, numbers
from .types import Document, Finding, Link, Summary


@dataclass(frozen=True)
class FindingParams:
    unrelated_coverage: float = 0.4  #: below this share of aligned target content: unrelated
    unrelated_anchors: float = 0.25  #: or below this share of confident anchors per sentence of the shorter side
    min_number: int = 10  #: a number missing on one side counts from this value (small ones are often spelled out)
    spelling_ratio: float = 0.6  #: similarity above which two different names are one name spelled differently

    def signature(self) -> str:
        # No "|" inside: it separates the parts of a report's signature.
        return (f"unrelated<{self.unrelated_coverage:g},anchors<{self.unrelated_anchors:g},"
                f"spell>={self.spelling_ratio:g},num>={self.min_number:g}")


def _excerpt(doc: Document, idx: tuple[int, ...], limit: int = 70) -> str:
    text = " ".join(doc.sentences[i].text for i in idx)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


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


def _words(text: str) -> set[str]:
    return {_ascii_fold(w).lower() for w in re.findall(r"[^\W_]+", text)}


# Regular English -> Indonesian spelling of borrowed words ("coordination" -> "koordinasi",
# "statistics" -> "statistik", "securities" -> "sekuritas", "committee" -> "komite").
_COGNATE_RULES = [(r"tion(s)?$", "si"), (r"sion(s)?$", "si"), (r"ities$", "itas"), (r"ity$", "itas"),
                  (r"ics$", "ik"), (r"ic$", "ik"), (r"ical$", "is"), (r"ism$", "isme"), (r"ee$", "e"),
                  (r"ph", "f"), (r"th", "t"), (r"qu", "kw"), (r"x", "ks"), (r"c(?=[aoulrt]|$)", "k"),
                  (r"c(?=[ei])", "s"), (r"y", "i"), (r"ou", "u"), (r"(.)\1", r"\1")]


@lru_cache(maxsize=200_000)
def cognate_key(word: str, lang: str) -> str:
    """A spelling key under which an English word and its Indonesian loan often coincide."""
    w = word.lower()
    if lang == "en":
        for pattern, repl in _COGNATE_RULES:
            w = re.sub(pattern, repl, w)
    else:
        w = re.sub(r"(.)\1", r"\1", w)
    return w


def _explained(key: str, other_words: set[str], from_lang: str, to_lang: str) -> bool:
    if key in other_words:
        return True
    if {from_lang, to_lang} == {"en", "id"} and len(key) >= 4:
        ck = cognate_key(key, from_lang)
        if any(cognate_key(w, to_lang) == ck for w in other_words if abs(len(w) - len(key)) <= 4):
            return True
    if exonyms.equivalents(key, from_lang, to_lang) & other_words:
        return True
    if len(key) >= 4:  # "iranian" ~ "iran", "indonesia" ~ "indonesian"
        for w in other_words:
            if len(w) >= 4 and (key.startswith(w) or w.startswith(key)):
                return True
    return False


def _acronym(word: str) -> bool:
    letters = word.replace(".", "")
    return letters.isupper() and 2 <= len(letters) <= 6


def _initials(text: str) -> set[str]:
    """Initials of each run of capitalised words ("Bank Indonesia" -> "bi")."""
    out = set()
    for run in re.findall(r"(?:[A-Z][\w’'-]*\s+(?:(?:of|and|for|the|dan|untuk)\s+)?)+[A-Z][\w’'-]*", text):
        letters = "".join(w[0] for w in run.split() if w[0].isupper()).lower()
        if len(letters) >= 2:
            out.add(letters)
    return out


def _title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.6 * len(words)


def _strong(key: str, langs: tuple[str, str]) -> bool:
    """A word that is an ordinary word of neither language: a name whatever its capitals."""
    return len(key) >= 4 and not any(is_common(key, lang) for lang in langs)


def _dedupe(phrases: list[list[tuple[str, str]]]) -> list[list[tuple[str, str]]]:
    """Phrases with the same keys once ("... ke Barrett ... ke Barrett" is one name), and none
    whose words all belong to a longer one ("Babe Jamsari Betawian ... Jamsari's soto")."""
    seen: set[tuple[str, ...]] = set()
    out = []
    for phrase in phrases:
        key = tuple(k for _, k in phrase)
        if key not in seen:
            seen.add(key)
            out.append(phrase)
    sets = [{k for _, k in phrase} for phrase in out]
    return [phrase for phrase, keys in zip(out, sets) if not any(keys < other for other in sets)]


_CAPITAL_WORD = re.compile(r"(?<=[\w,;)\]”\"’'] )([A-Z][a-z]{2,})\b")


#: A capitalised ordinary word is a translation of the other side when the word lexicon
#: (:mod:`fidelity.lexical`) covers it this well from the other sentence: "Kota" / "City" 0.93,
#: "Skotlandia" / "Scottish" 0.93, "Badai" / "Hurricane" 0.44; a name put in a name's place
#: covers 0.07-0.17 ("Jakarta", "Teguh", "Batang" against sentences without them).
TRANSLATED_WORD = 0.35


def _capitalised_common(text: str, lang: str, other_words: set[str], other_lang: str,
                        other_text: str | None = None) -> list[str]:
    """Ordinary words capitalised in mid-sentence that the other side does not explain.

    A dictionary word written with a capital inside a sentence is often a name too ("Teguh",
    "Batang", "Lord"); only used when the other side has exactly one unexplained name, so
    capitalised institution words ("Dinas Pemadam Kebakaran") do not count on their own.
    """
    out = []
    for m in _CAPITAL_WORD.finditer(text):
        word = m.group(1)
        key = name_key(word)
        if key in _NOT_NAMES or not is_common(key, lang):
            continue  # titles, or a strong name (handled by name_phrases)
        if not _explained(key, other_words, lang, other_lang):
            out.append(word)
    if out and other_text is not None:  # ordinary words the other side translates ("Kota" / "City")
        from .lexical import Lexicon

        lex = Lexicon.default()
        cover = lex.coverage(lex.tokens(out), np.arange(len(out)), lex.tokens([other_text]),
                             np.zeros(len(out), dtype=np.int64))
        out = [w for w, c in zip(out, cover) if c < TRANSLATED_WORD]
    return out


#: Two unexplained names pair up when their relative positions in their sentences differ by
#: at most this much (word order is close between English and Indonesian news sentences).
PAIR_POSITION = 0.15


def _position(text: str, phrase: list[tuple[str, str]]) -> float:
    """Where the phrase's first word first stands as a whole word ("Olympic" is not inside
    "Olympics"), as a share of the text's length."""
    m = re.search(r"(?<!\w)" + re.escape(phrase[0][0]) + r"(?!\w)", text)
    at = m.start() if m else max(0, text.find(phrase[0][0]))
    return at / max(1, len(text))


def _pair_by_position(rest_s, rest_t, src_text: str, tgt_text: str, langs: tuple[str, str],
                      strong_target: bool = True):
    """(source phrase, target phrase) pairs of unexplained names found at the same place
    (target phrases that are ordinary words of either language left out, unless not
    ``strong_target``)."""
    pairs = []
    free = [(_position(src_text, sp), sp) for sp in rest_s]
    for t_phrase in rest_t:
        if (strong_target and not all(_strong(k, langs) for _, k in t_phrase)) or not free:
            continue
        pt = _position(tgt_text, t_phrase)
        gaps = sorted((abs(ps - pt), n) for n, (ps, _) in enumerate(free))
        gap, n = gaps[0]
        # Unambiguous: close, and clearly closer than any other candidate.
        if gap <= PAIR_POSITION and all(o > 2 * gap + 0.05 for o, _ in gaps[1:]):
            pairs.append((free.pop(n)[1], t_phrase))
    return pairs


def _surface(phrase: list[tuple[str, str]]) -> str:
    """A name phrase as the text writes it: "New York"."""
    return " ".join(w for w, _ in phrase)


def name_drift(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str,
               spelling_ratio: float = 0.6) -> list[str]:
    """Messages for names that differ across an aligned link (empty when they agree).

    A name is explained when the other side has it (or its established form, see
    :mod:`fidelity.exonyms`, or a word sharing its stem). Acronyms are never drift on their own
    (translators expand and contract them), but a one-word source name facing an acronym at
    its place in the sentence was replaced by it. What is left is drift when it pairs up: a source
    name and a target name of similar spelling ("Saied" -> "Saeid"), or exactly one unexplained
    name phrase on each side ("Manhattan" -> "New York"). In title-case text (headlines, or
    sentences that are mostly names) capitals say nothing, so only words that are ordinary
    words of neither language count as names there.
    """
    langs = (src_lang, tgt_lang)
    title = _title_case(src_text) or _title_case(tgt_text)
    sw, tw = _words(src_text), _words(tgt_text)
    s_init, t_init = _initials(src_text), _initials(tgt_text)

    def unexplained(phrases, other_words, other_init, a, b):
        out = []
        for phrase in phrases:
            kept = [(w, k) for w, k in phrase
                    if not _explained(k, other_words, a, b) and not _acronym(w) and k not in other_init
                    and (not title or _strong(k, langs))]
            if kept:
                out.append(kept)
        return _dedupe(out)

    def loose_acronyms(phrases, other_words, other_init, a, b):
        return list(dict.fromkeys(w for phrase in phrases for w, k in phrase
                                  if _acronym(w) and k not in other_init
                                  and not _explained(k, other_words, a, b)))

    s_phrases, t_phrases = name_phrases(src_text, src_lang), name_phrases(tgt_text, tgt_lang)
    s_bad = unexplained(s_phrases, tw, t_init, src_lang, tgt_lang)
    t_bad = unexplained(t_phrases, sw, s_init, tgt_lang, src_lang)
    # An acronym stands for a name of several words, so a single-word source name the
    # translation lacks, facing the one acronym the source lacks at the same place in the
    # sentence, was replaced by it ("... a flight from Kenya." -> "... dari RPJMD.").
    # With other unexplained source names about, the one at the acronym's place, when no other
    # is near it ("... the resort of Eilat ... holiday of Passover" -> "... wisata KUMKMP ...").
    acronyms = loose_acronyms(t_phrases, sw, s_init, tgt_lang, src_lang)
    if not t_bad and len(acronyms) == 1:
        single = [p for p in s_bad if len(p) == 1 and _strong(p[0][1], langs)]
        paired = _pair_by_position(single, [[(acronyms[0], "")]], src_text, tgt_text, langs,
                                   strong_target=False)
        if paired:
            return [f"name changed: {paired[0][0][0][0]} -> {acronyms[0]}"]
    if not t_bad:
        # A strong source name replaced by a capitalised ordinary word ("Putin" -> "Lord").
        strong_s = [p for p in s_bad if all(_strong(k, langs) for _, k in p)]
        if len(s_bad) == 1 and strong_s and not title:
            weak = list(dict.fromkeys(_capitalised_common(tgt_text, tgt_lang, sw, src_lang, src_text)))
            source_key = "".join(k for _, k in strong_s[0])
            # An ordinary word of the target spelt like the name is its local form ("Romania"
            # -> "Rumania"), not a change.
            if len(weak) == 1 and difflib.SequenceMatcher(
                    None, source_key, name_key(weak[0])).ratio() < spelling_ratio:
                return [f"name changed: {_surface(strong_s[0])} -> {weak[0]}"]
        return []
    messages: list[str] = []
    s_words = [wk for phrase in s_bad for wk in phrase]
    t_words = [wk for phrase in t_bad for wk in phrase]
    used_s: set[str] = set()
    used_t: set[str] = set()
    for sw_, sk in s_words:  # the same name spelled differently
        if len(sk) < 4:
            continue
        cands = [(difflib.SequenceMatcher(None, sk, tk).ratio(), tw_, tk) for tw_, tk in t_words
                 if len(tk) >= 4 and tk not in used_t]
        if not cands:
            continue
        r, tw_, tk = max(cands)
        if r >= spelling_ratio:
            used_s.add(sk)
            used_t.add(tk)
            messages.append(f"name spelled differently: {sw_} -> {tw_}")
    rest_s = [p for p in s_bad if not any(k in used_s for _, k in p)]
    rest_t = [p for p in t_bad if not any(k in used_t for _, k in p)]
    if len(rest_s) == 1 and len(rest_t) == 1:
        messages.append(f"name changed: {_surface(rest_s[0])} -> {_surface(rest_t[0])}")
    elif rest_s and rest_t:
        # Several unexplained names: pair a strong target name with the source name at about
        # the same place in the sentence ("Kepala ..., Hendra Hidayat" -> "..., Cililitan Hidayat").
        for s_phrase, t_phrase in _pair_by_position(rest_s, rest_t, src_text, tgt_text, langs):
            messages.append(f"name changed: {_surface(s_phrase)} -> {_surface(t_phrase)}")
    elif not rest_s and not title:  # headlines are rewritten freely: an extra word is no finding
        # A name in the translation that the source has in no form, and that is no ordinary
        # word of either language: a name put in its place ("Sentinel" -> "Mogadishu").
        strong = [p for p in rest_t if all(_strong(k, langs) for _, k in p)]
        if strong:
            messages.append("name not in source: " + ", ".join(_surface(p) for p in strong))
    return messages


def number_drift(src_text: str, tgt_text: str, src_lang: str, tgt_lang: str,
                 min_number: int = 10) -> list[str]:
    """Messages for numbers that differ across an aligned link."""
    s, t = Counter(numbers(src_text, src_lang)), Counter(numbers(tgt_text, tgt_lang))
    only_s = list((s - t).elements())
    only_t = list((t - s).elements())
    if only_s and only_t:
        return [f"number changed: {', '.join(only_s)} -> {', '.join(only_t)}"]

    def big(x: str) -> bool:
        try:
            return float(x) >= min_number
        except ValueError:
            return False

    if only_s and any(big(x) for x in only_s):
        return [f"number missing in translation: {', '.join(x for x in only_s if big(x))}"]
    return []


def _outlet_messages(source: Document, target: Document) -> dict[int, list[str]]:
    """Target sentence index -> messages for outlet names rendered word by word in it."""
    if (source.lang, target.lang) != ("en", "id") or not source.sentences or not target.sentences:
        return {}
    out: dict[int, list[str]] = {}
    starts = [sent.start for sent in target.sentences]
    for t in translated_outlets(source.text, target.text):
        k = bisect.bisect_right(starts, t.start) - 1  # the last sentence starting at or before it
        if k >= 0 and t.start < target.sentences[k].end:
            out.setdefault(target.sentences[k].index, []).append(
                f"outlet name translated word by word: {t.original} -> {t.rendered}")
    return out


def _count(n: int) -> str:
    return "1 sentence" if n == 1 else f"{n} sentences"


def _category(cats: list[str], idx: list[int] | tuple[int, ...]) -> str:
    kinds = Counter(cats[i] for i in idx)
    return kinds.most_common(1)[0][0] if kinds else "body"


def find(source: Document, target: Document, links: list[Link],
         best_source: list[float] | None = None, best_target: list[float] | None = None,
         params: FindingParams = FindingParams(),
         anchors: int | None = None, tau: float | None = None) -> tuple[list[Finding], Summary]:
    """Findings (in document order) and the summary with its verdict.

    ``anchors``: how many confident one-to-one anchors the aligner found (None: unknown).
    ``tau``: the aligner's threshold; a link of two title lines scoring below it (one the
    aligner made from their place on the page, ``align._pair_titles``) is a drift to check.
    """
    s_cats = categorize(source)
    t_cats = categorize(target)
    s_titles = title_lines(source) if tau is not None else []
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
        findings.append(((run[0], 0), Finding("omission", cat, tuple(run), (), sc, msg)))

    outlet_msgs = _outlet_messages(source, target)
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
        msg += "".join("; " + m for j in run for m in outlet_msgs.get(j, []))
        findings.append(((pos_of_target.get(run[0], -1), 1),
                         Finding("addition", cat, (), tuple(run), sc, msg)))

    for link in links:
        if not link.source or not link.target:
            continue
        s_text = " ".join(source.sentences[i].text for i in link.source)
        t_text = " ".join(target.sentences[j].text for j in link.target)
        msgs = number_drift(s_text, t_text, source.lang, target.lang, params.min_number)
        msgs += name_drift(s_text, t_text, source.lang, target.lang, params.spelling_ratio)
        msgs += [m for j in link.target for m in outlet_msgs.get(j, [])]
        if (tau is not None and link.score is not None and link.score < tau
                and len(link.source) == len(link.target) == 1
                and s_titles[link.source[0]] and t_titles[link.target[0]]):
            msgs.append("title rewritten: it matches its counterpart only by its place; "
                        "check it says the same")
        if msgs:
            cat = _category(s_cats, link.source)
            findings.append(((link.source[0], 2), Finding("drift", cat, link.source, link.target,
                                                          link.score, "; ".join(msgs))))
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
    return Summary(verdict, n, m, s_cov, t_cov, counts["omission"], counts["addition"], counts["drift"])
