"""A word rendered by its opposite ("slowed" -> "meningkat", "won" -> "kalah").

Seven small rules, run in this order by :func:`antonym_changes` (a target word flagged once):

* :func:`english_antonyms`, from the source side (below);
* :func:`opposite_words`, from the translation side: a target word of an Indonesian antonym
  pair (``models/wordlists/antonyms_id.tsv``: WordNet's adjective and adverb antonyms joined
  through the lexicon, common pairs written by hand, and their me-/di-/ber-/ter-/ke-an/pe-an
  derivations) that the source says fewer times than the translation writes it, while the
  source says its opposite more times than the translation writes that ("big lead" ->
  "keunggulan kecil", "north ... south" -> "selatan ... selatan"). A source word says an
  Indonesian word when the table's curated English ties them ("into" -> "masuk", a comparative
  -> "lebih", "away" after a span of time -> "sebelum"), or the joined English does (the
  English of WordNet's pairs, and the adjectives and adverbs the lexicon gives for the word:
  "wide" -> "jauh") and the token table agrees, or the shipped lexicon gives the word a few
  renderings the token table backs, the pair word among them ("bolster" -> "mendukung";
  "eventual" by its adverb -> "akhirnya"), or the token table covers the word from it; an
  "under-" participle says "kurang" ("underpowered"), "more" says "banyak" after "lebih";
  a source word another target word renders says nothing more;
* :func:`unidiomatic_words`: a pair word nothing in the source says, where Indonesian usage
  puts its opposite: a fixed phrase broken ("Duta Besar" -> "Duta Kecil"; bigram counts of the
  training text, ``models/wordlists/antonyms_context.tsv``), the lexicon's two-word rendering
  of a source word broken ("capitals" -> "huruf kecil" for "huruf besar";
  ``models/wordlists/antonyms_phrases.tsv``; or a compound it writes closed: "orang muda" where
  "orangtua" renders "parents"), the preposition the opposite governs ("masuk dari" for
  "keluar dari"), a measure noun's opposite before a number
  ("rendah 2 meter" for "tinggi 2 meter"), a correlative broken ("both X and Y" -> "buruk
  X maupun Y" for "baik X maupun Y") or a reduplication made of a word and its opposite
  ("benar-benar" -> "benar-salah");
* :func:`lessened_words`: "kurang" before a word ("kurang menyukai", "less/not very X") where the
  source says neither less nor not (no negation, word of small or poor amount, "too", word
  negative by an affix whose base the lexicon knows, or word the lexicon or the table renders
  "kurang"): the source states X, the translation less of it ("favoured" -> "kurang menyukai");
* :func:`weak_reversals`: a pair word nothing says, whose opposite a content word near it says
  weakly, when the whole translation with the opposite put back is closer to the source;
* :func:`turned_directions`: a compass word that puts a place at the opposite point of the one
  the source gives it ("western Arizona" -> "Arizona Timur", "south of X" -> "utara dari X");
* :func:`failed_events`: "gagal" before a verb that renders a source verb stated as an event
  without any negation or failure ("doubled the lead" -> "gagal menggandakan keunggulan").

Negation is read alike on both sides, and a negation reaches no further than the first word of
a pair ("not long after" -> "tidak lama setelah" negates "long"/"lama", not "after"/"setelah"):
"did not rise" -> "tidak naik" is no reversal, nor is
"not slow" -> "cepat"; "not the first" -> "bukan yang pertama" is compared as if neither were
negated. An Indonesian negation reaches a few words ahead ("tidak lagi aman", "tak pernah
kalah"), and a negated pair word renders its opposite ("unsafe" -> "tidak lagi aman", "few" ->
"nggak banyak"): the opposite counts only from a source word negated as the target word is
("not far" -> "tak dekat" is a reversal). No negation reaches past a clause boundary
(punctuation, a conjunction, "whether"), nor an Indonesian one past a preposition; a
noun-phrase negation ("tanpa", "tidak ada") reaches its whole phrase ("with no new X" ->
"tanpa X yang lama").

Uses that are no word of a pair say and reverse nothing: a clitic form counts as the word
("pertamanya" renders "first"); "baru" before a verb or a number is the adverb "just"; a
comparative marker goes with its adjective ("less likely" -> "lebih kecil" is one comparative;
"lebih keras" is no hit of "lebih"); a word qualified by a negation after it, a small amount or
a breach has the other meaning ("kemungkinan tidak", "kecil kemungkinan", "melanggar hukum");
a reporting verb after a quote ('," he finished.') and the modal "better" say nothing; common
prepositions ("into", "up", "over" ...) say a pair word only near it; a degree adverb opening a
hyphened compound ("much-needed") says no amount. Aspect, degree and function
words and verbs are no evidence of a fixed phrase ("sudah mulai", "mulai bekerja"). A comparison
stated from the other side ("revenue rises slower than prices" -> "harga naik lebih cepat
dibanding pendapatan": the token table finds each comparand on the other side of the
comparative) rightly says the opposite.

The shipped table ``models/wordlists/antonyms.tsv`` (built by ``models/build_wordlists.py
--tables``: curated English antonym pairs joined to Indonesian through the lexicon's WordNet
pairs, sense noise filtered by the model's token table) gives, for an English word, its
antonym and the Indonesian words of each. A link drifts when the source has the word, the
target has an Indonesian word of the antonym and no Indonesian word of the word itself (nor a
form of one: "release" / "pembebasan"), no target word's curated English has the word ("tiny" /
"kecil"), neither is negated, and the source does not have the antonym too ("rose and fell").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..features import _en_stems, _id_stems
from ..types import Change
from . import LinkText, word_cover as _cover

#: Irregular English forms of the table's words.
IRREGULAR = {"rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "won": "win",
             "lost": "lose", "grew": "grow", "grown": "grow", "shrank": "shrink", "began": "begin",
             "begun": "begin", "sold": "sell", "bought": "buy", "left": "leave", "came": "come",
             "went": "go", "gone": "go", "gave": "give", "given": "give", "took": "take",
             "taken": "take", "built": "build", "lent": "lend", "sent": "send", "forgot": "forget",
             "forgotten": "forget", "died": "die", "dead": "dead", "better": "better", "worse": "worse",
             "shut": "shut", "cut": "cut", "led": "lead", "hated": "hate", "fewer": "fewer",
             "men": "man", "women": "woman", "children": "child"}
#: A negation up to two words before an English word, in its clause ("No wonder, long queues"
#: negates nothing: :func:`_id_negated` stops at punctuation too).
_EN_NEGATION = re.compile(r"(?:\b(?:not|never|no|without|nor|neither|hardly)|n't)\b(?:[^\w,;:.!?]+\w+){0,2}[^\w,;:.!?]*$",
                          re.IGNORECASE)
#: Degree words that pass a negation on to the word they qualify ("not much higher").
_EN_DEGREE = frozenset("much more less very too so as quite far any even only just".split())


#: English words that open a clause: a negation before them does not reach past them ("isn't
#: clear whether North Korean ...", as "yang", "bahwa", "jika" end an Indonesian one).
_EN_CLAUSE = frozenset("whether if because when which who whom whose and or but while since".split())


def _en_negated(text: str, m: re.Match) -> bool:
    """A negation stands up to two words before the English word ``m`` (:data:`_EN_NEGATION`),
    with no clause opener between (:data:`_EN_CLAUSE`) and no word that says a pair word by
    the curated English (degree words aside): "not long after" negates "long", not "after" (as
    :func:`_id_negated` reads "tidak lama setelah")."""
    before = text[max(0, m.start() - 30):m.start()]
    neg = _EN_NEGATION.search(before)
    if not neg:
        return False
    between = re.findall(r"[A-Za-z]+", re.sub(r"^\W*(?:\w*n't|\w+)", "", neg.group(0)))
    cues = _curated_english()
    return not any(w.lower() in _EN_CLAUSE or w.lower() not in _EN_DEGREE and (_lemmas(w) | _comparative(w)) & cues
                   for w in between)
_ID_NEGATION = {"tidak", "tak", "bukan", "belum", "tanpa", "jangan", "enggak", "nggak", "gagal"}


@lru_cache(maxsize=1)
def table() -> dict[str, list[tuple[str, frozenset[str], frozenset[str]]]]:
    """English word -> [(antonym, Indonesian words of the word, of the antonym)]; empty when
    the table is not shipped."""
    out: dict[str, list[tuple[str, frozenset[str], frozenset[str]]]] = {}
    for parts in _tsv("antonyms.tsv"):
        if len(parts) == 4:
            out.setdefault(parts[0], []).append((parts[1], frozenset(parts[2].split()), frozenset(parts[3].split())))
    return out


def _tsv(name: str, folder: str = "wordlists") -> list[list[str]]:
    """The tab-separated fields of each line of ``models/<folder>/<name>`` (comment and
    empty lines left out); none when the file is not shipped."""
    from .. import models_dir

    try:
        text = (models_dir() / folder / name).read_text(encoding="utf-8")
    except OSError:
        return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@lru_cache(maxsize=100_000)
def _lemmas(word: str) -> frozenset[str]:
    """An English word, its irregular base and its stems ("ups" -> "up" too)."""
    w = word.lower()
    short = {w[:-1]} if len(w) == 3 and w.endswith("s") else set()
    return frozenset({w, IRREGULAR.get(w, w), *_en_stems(w), *short})


@lru_cache(maxsize=100_000)
def _forms(word: str) -> frozenset[str]:
    """An Indonesian word and its stems; "ter-", "ber-", "per-" before an "r" keep it
    ("terendah" -> "rendah")."""
    w = word.lower()
    out = {w, *_id_stems(w)}
    if len(w) > 5 and w[:3] in ("ter", "ber", "per") and w[3] != "r":
        out.add(w[2:])
    return frozenset(out)


def antonym_changes(link: LinkText) -> list[Change]:
    """One ``antonym`` change per word whose opposite the translation writes instead."""
    if (link.source.lang, link.target.lang) != ("en", "id"):
        return []
    out = english_antonyms(link)
    for rule in (opposite_words, unidiomatic_words, lessened_words, weak_reversals, turned_directions, failed_events):
        taken = {c.target_spans for c in out}
        out += [c for c in rule(link) if c.target_spans not in taken]
    return out


def english_antonyms(link: LinkText) -> list[Change]:
    """A source word of the English table whose antonym's Indonesian the translation writes."""
    ant = table()
    if not ant:
        return []
    src, src_lemmas = _english_words(link.source.text)
    tgt, tgt_words = _indonesian_words(link.target.text)
    out: list[Change] = []
    seen: set[str] = set()
    for m, lemmas in src:
        if _en_negated(link.source.text, m):
            continue
        if lemmas & ant.keys() and _curated_in(lemmas, tgt):
            continue  # a target word's curated English has it ("tiny" / "kecil")
        for lemma in lemmas & ant.keys():
            for other, own_id, other_id in ant[lemma]:
                if other in src_lemmas or _stems_of(own_id) & tgt_words or lemma in seen:
                    continue  # the antonym said too, or the word itself rendered ("release" / "pembebasan")
                hit = next((t for n, (t, forms) in enumerate(tgt) if forms & other_id
                            and not _negated(link.target.text, t) and not _qualified(tgt, n, link.target.text)
                            and not _translates_other(t.group(0), link.source.text, m)), None)
                if hit is None or _rendered(m.group(0), tgt) \
                        or any(_swapped_comparison(link, m, t) for t, _ in tgt):
                    continue
                seen.add(lemma)
                out.append(Change("antonym", m.group(0), hit.group(0), (link.source.span(m.start(), m.end()),),
                                  (link.target.span(hit.start(), hit.end()),)))
    return out


@lru_cache(maxsize=16)
def _english_words(text: str) -> tuple[tuple[tuple[re.Match, frozenset[str]], ...], frozenset[str]]:
    """(each English word of ``text`` with its lemmas, all their lemmas) for
    :func:`english_antonyms`; kept for the last few texts (a sentence of a join is asked again)."""
    words = tuple((m, _lemmas(m.group(0))) for m in re.finditer(r"[A-Za-z]+(?:'t)?", text))
    return words, frozenset().union(*(lem for _, lem in words))


@lru_cache(maxsize=16)
def _indonesian_words(text: str) -> tuple[tuple[tuple[re.Match, frozenset[str]], ...], frozenset[str]]:
    """(each Indonesian word of ``text``, hyphened ones whole, with its forms, all their
    forms) for :func:`english_antonyms`; kept for the last few texts."""
    words = tuple((m, _forms(m.group(0))) for m in re.finditer(r"[^\W\d_]+(?:-[^\W\d_]+)*", text))
    return words, frozenset().union(*(f for _, f in words))


@lru_cache(maxsize=10_000)
def _stems_of(words: frozenset[str]) -> frozenset[str]:
    """The Indonesian ``words`` with their stems ("membebaskan" -> "bebas" too)."""
    return frozenset().union(*(_forms(w) for w in words)) if words else frozenset()


def _curated_in(lemmas: frozenset[str], tgt: list[tuple[re.Match, frozenset[str]]]) -> bool:
    """Some target word (or its stem) is a word of the Indonesian pair table whose curated
    English has one of ``lemmas``."""
    cues = id_english(curated=True)
    return any(lemmas & cues.get(f, frozenset()) for _, forms in tgt for f in forms)


#: Words that turn the meaning of the word beside them: a small amount ("kecil kemungkinan" is
#: "unlikely", "kurang baik" is "not good") or a breach ("melanggar hukum" is "illegal").
_DIMINISH = frozenset({"kecil", "kurang", "sedikit", "minim", "tipis"})
_AGAINST = frozenset({"melanggar", "melawan", "anti"})


def _qualified(tgt: list[tuple[re.Match, frozenset[str]]], n: int, text: str) -> bool:
    """Target word ``n`` does not stand for itself: a comparative marker with its adjective
    ("lebih keras": the adjective is the word), a word that :data:`_DIMINISH` or
    :data:`_AGAINST` words qualify, or one a negation follows ("kemungkinan tidak akan")."""
    word = tgt[n][0].group(0).lower()
    near = [tgt[i][0].group(0).lower() for i in (n - 1, n + 1) if 0 <= i < len(tgt)]
    after = [t.group(0).lower() for t, _ in tgt[n + 1:n + 3]]
    gap = text[tgt[n][0].end():tgt[n + 2][0].start() if n + 2 < len(tgt) else len(text)]
    return (word in _DEGREE and n + 1 < len(tgt)) or (word not in _DIMINISH and bool(set(near) & _DIMINISH)) \
        or (n > 0 and near[0] in _AGAINST) or (any(w in _ID_NEGATION for w in after) and not re.search(r"[,.;:]", gap))


#: The token table finds a target word this well in the rest of the source sentence: it renders
#: another word there ("Pertumbuhan" is "Growth", not the opposite of "slowed").
ELSEWHERE = 0.5


def _translates_other(word: str, source_text: str, m: re.Match) -> bool:
    """The target ``word`` renders another source word than ``m`` by the token table
    (:data:`ELSEWHERE`)."""
    from .names import covered

    rest = source_text[:m.start()] + source_text[m.end():]
    return covered([word], rest)[0] >= ELSEWHERE


def _place(at: int, text: str, other_at: int, other_text: str) -> float:
    """How far apart two positions are, as shares of their texts' lengths."""
    return abs(at / max(1, len(text)) - other_at / max(1, len(other_text)))


def _rendered(word: str, tgt: list[tuple[re.Match, set[str]]]) -> bool:
    """Some target word renders ``word`` by the token table ("low" / "terendah")."""
    return bool(tgt) and _cover([word.lower()], [t.group(0).lower() for t, _ in tgt]).max() >= RENDERED


def _negated(text: str, m: re.Match) -> bool:
    before = re.findall(r"[^\W\d_]+", text[max(0, m.start() - 25):m.start()].lower())[-2:]
    return any(w in _ID_NEGATION for w in before)


@lru_cache(maxsize=1)
def _id_rows() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """(Indonesian word -> its antonyms, both ways; -> the curated English words that say it;
    -> all English words that say it) from ``models/wordlists/antonyms_id.tsv``; empty when it
    is not shipped."""
    ants: dict[str, set[str]] = {}
    cues: dict[str, set[str]] = {}
    english: dict[str, set[str]] = {}
    for fields in _tsv("antonyms_id.tsv"):
        parts = fields + [""] * 4
        if not parts[1]:
            continue
        a, b = parts[0], parts[1]
        ants.setdefault(a, set()).add(b)
        ants.setdefault(b, set()).add(a)
        for word, cue, joined in zip((a, b), parts[2:4], parts[4:6]):
            cues.setdefault(word, set()).update(cue.split())
            english.setdefault(word, set()).update(cue.split() + joined.split())
    return tuple({k: frozenset(v) for k, v in m.items()} for m in (ants, cues, english))


def id_table() -> dict[str, frozenset[str]]:
    """Indonesian word -> its antonyms (both ways); empty when the table is not shipped."""
    return _id_rows()[0]


def id_english(curated: bool = False) -> dict[str, frozenset[str]]:
    """Indonesian word of the table -> the English words that say it ("setelah" -> "after",
    "following", "post" ...); only the hand-curated ones with ``curated``."""
    return _id_rows()[1 if curated else 2]


#: Thresholds of :func:`opposite_words`. A source word says an Indonesian word when the table
#: lists it as that word's English, or the token table covers the word this well from it.
SAYS = 0.65
#: A source word says the opposite of a target word nothing says when it covers it this well
#: (less than :data:`SAYS`: "immense" / "besar" 0.3, "secure" / "aman" 0.53) ...
OPPOSITE = 0.6
#: ... and the opposite's support must exceed the target word's by this much ...
MARGIN = 0.3
#: ... or, where the source also says the target word (fewer times than the translation
#: writes it: "south ... north" -> "utara ... utara"), be this clear ("south" / "selatan" 1).
LOUD = 0.85
#: A source word another target word covers this well is rendered there, not reversed.
RENDERED = 0.5
#: A source word the curated English does not tie to the opposite (the token table or the
#: joins do) must stand this near the target word, as shares of the texts' lengths (planted
#: reversals: 95 % within 0.26).
NEAR = 0.3
#: A source word says the opposite without the curated English only this clearly.
UNCURATED = 0.65
#: The joined English of a word counts as the source saying it when the token table finds it
#: this well from the source word too.
AGREES = 0.3


#: Curated cues too common to stand far from the word they say: particles and prepositions
#: ("crammed into a tiny space ... no way out" says nothing of "keluar"); like the token
#: table's cues they must stand :data:`NEAR` and be rendered nowhere else.
LOOSE_CUES = frozenset({"into", "up", "down", "over", "back", "off", "out", "in", "on"})


#: The Indonesian word an English comparative says ("higher" -> "lebih tinggi").
COMPARATIVE = "lebih"


#: Comparatives and superlatives not made with "-er"/"-est": "-er" (says "lebih") and the base.
IRREGULAR_COMPARATIVES = {"better": ("-er", "good", "well"), "worse": ("-er", "bad", "badly"),
                          "best": ("good", "well"), "worst": ("bad", "badly")}


@lru_cache(maxsize=100_000)
def _comparative(word: str) -> frozenset[str]:
    """``{"-er"}`` and the adjective for a comparative of an adjective the table knows
    ("higher" -> "high", "larger", "easier"), else nothing ("player", "officer" are no
    comparatives)."""
    w = word.lower()
    if w in IRREGULAR_COMPARATIVES:
        return frozenset(IRREGULAR_COMPARATIVES[w])
    if len(w) < 5 or not w.endswith("er"):
        return frozenset()
    base = w[:-2]
    stems = {base, base + "e", base[:-1] + "y" if base.endswith("i") else base,
             base[:-1] if len(base) > 3 and base[-1] == base[-2] else base}
    known = stems & _adjectives()
    return frozenset({"-er", *known}) if known else frozenset()


#: What follows "in" or "out" used as an adverb ("allowed back in.", "in or out of", "came out
#: behind", "slid in to meet"), not as a preposition ("in the city").
_ADVERB_AFTER = re.compile(r"\s*(?:$|[.,;:!?\"')\u201d]|(?:and|or|of|to|behind|again|after|when|until|now|then|too)\b)", re.IGNORECASE)


#: A span of time before "away" ("five weeks away", "days away from the vote"): the time ahead.
_SPAN_BEFORE = re.compile(r"\b(?:\d+|a|an|few|several|some|one|two|three|four|five|six|seven|eight|nine|ten|"
                          r"twelve|many)\W+(?:\w+\W+)?(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\W+$",
                          re.IGNORECASE)


def _particle(text: str, m: re.Match) -> frozenset[str]:
    """``{"in~"}`` / ``{"out~"}`` for "in" / "out" used as an adverb (the table's cue for
    "masuk" / "keluar"), ``{"away~"}`` for "away" after a span of time ("five weeks away
    from the election": the cue for "sebelum"), else nothing."""
    w = m.group(0).lower()
    if w in ("in", "out") and _ADVERB_AFTER.match(text, m.end()):
        return frozenset({w + "~"})
    if w == "away" and _SPAN_BEFORE.search(text, max(0, m.start() - 40), m.start()):
        return frozenset({"away~"})
    return frozenset()


@lru_cache(maxsize=1)
def _curated_english() -> frozenset[str]:
    """The curated English words of the Indonesian table (those that say a pair word)."""
    return frozenset().union(*id_english(curated=True).values()) if id_english() else frozenset()


@lru_cache(maxsize=1)
def _adjectives() -> frozenset[str]:
    """The English words of the Indonesian table (its adjectives and adverbs among them)."""
    return frozenset().union(*id_english().values()) if id_english() else frozenset()


#: The cue of an "under-" participle ("underpowered", "underfunded": "kurang bertenaga", "kurang
#: dana"), which says "kurang" (:func:`_too_little`).
UNDER = "under-"
_UNDER = re.compile(r"under-?(?P<base>[a-z]{3,}ed)$")


@lru_cache(maxsize=100_000)
def _too_little(word: str) -> frozenset[str]:
    """``{UNDER}`` for a participle made with "under-" ("too little X": "underpowered",
    "underdeveloped") whose base the lexicon knows while the whole word is no verb of its own
    there ("undermined" is "melemahkan", "understood" no participle of "stand"), else nothing."""
    m = _UNDER.match(word.lower())
    pairs = _lexicon_pairs()
    if not m or not _lemmas(m.group("base")) & pairs.keys() or _lemmas(word) & pairs.keys():
        return frozenset()
    return frozenset({UNDER})


#: A verb made a noun by a hyphened particle ("start-up", "break-up", "shut-down") is not the
#: verb: like a negated word, it says no word of a pair.
_PARTICLE_NOUN = re.compile(r"-(?:up|off|out|in|down|over|away|back)\b", re.IGNORECASE)
#: English function words: no content word of their own to say an opposite weakly.
_EN_STOP = frozenset("""the a an of to in on at for and or but with by from as is are was were be been
    being it its this that these those he she they we you his her their our not no has have had
    will would can could said says also than then there which who whom what when where much""".split())


#: A reporting verb after a quotation ('...as usual," he finished.', '," uttered Hidayat.'): it
#: says how a quote ends, not what happened.
_AFTER_QUOTE = re.compile(r"[,.!?][\"\u201d']\s+(?:[\w.]+\s+){0,3}$")
_QUOTE_TAIL = re.compile(r"(?:\s*[\w.]+){0,4}\s*(?:[.,;]|$)")
#: "better" as the modal "had better" ("they better work"), not the comparative of "good".
_MODAL_BETTER = re.compile(r"(?:\b(?:I|you|we|they|he|she|it|had)|'d)\s+$", re.IGNORECASE)


#: Degree adverbs that open a hyphened compound adjective ("much-needed", "well-known",
#: "so-called"): they say how much of the participle, no amount or quality of their own.
_COMPOUND_DEGREE = frozenset({"much", "well", "so", "very"})
_HYPHENED = re.compile(r"-[A-Za-z]")


def _mute(text: str, m: re.Match) -> bool:
    """The source word ``m`` says no word of a pair in this use: a reporting verb after a quote,
    the modal "better", or a degree adverb opening a hyphened compound ("some much-needed
    respite": "much" says no "banyak")."""
    before = text[max(0, m.start() - 60):m.start()]
    if _AFTER_QUOTE.search(before) and _QUOTE_TAIL.fullmatch(text, m.end()):
        return True
    if m.group(0).lower() in _COMPOUND_DEGREE and _HYPHENED.match(text, m.end()):
        return True
    return m.group(0).lower() == "better" and bool(_MODAL_BETTER.search(before)) \
        and not re.match(r"\s+than\b", text[m.end():])


@dataclass(frozen=True)
class _Source:
    """The source words of a link as :func:`opposite_words` weighs them (made once per text by
    :meth:`of` and shared between the rules and links that ask about that text). Its fields
    never change; only the memo ``_said`` grows, by :meth:`support`'s answers (at most one per
    pair word and negation; it goes with the object when :meth:`of`'s cache drops the text)."""

    words: tuple[re.Match, ...]
    lemmas: tuple[frozenset[str], ...]
    #: Per word: negated ("not high"), or a verb made a noun ("start-up"), or mute (:func:`_mute`):
    #: it says no pair word.
    negated: tuple[bool, ...]
    stems: tuple[str, ...]
    #: Per word: a content word (not a stop word, three letters or more).
    content: np.ndarray
    #: Per word: its place, as a share of the text's length.
    at: np.ndarray
    #: :meth:`support`'s answers, kept: the rules of a link ask for the same words.
    _said: dict[tuple[str, bool], np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    @lru_cache(maxsize=16)
    def of(text: str) -> "_Source":
        """The source words of ``text``; kept for the last few texts, since each rule of a
        link asks again (and :meth:`support` keeps its answers with them)."""
        words = tuple(re.finditer(r"[A-Za-z]+", text))
        lower = tuple(m.group(0).lower() for m in words)
        content = np.array([len(w) >= 3 and w not in _EN_STOP for w in lower], dtype=bool)
        at = np.array([m.start() / max(1, len(text)) for m in words])
        content.setflags(write=False)
        at.setflags(write=False)
        return _Source(words, tuple(_lemmas(m.group(0)) | _comparative(m.group(0)) | _particle(text, m)
                                    | _too_little(m.group(0)) for m in words),
                       tuple(_en_negated(text, m)
                             or bool(_PARTICLE_NOUN.match(text, m.end())) or _mute(text, m) for m in words),
                       lower, content, at)

    def support(self, word: str, negated: bool = False) -> np.ndarray:
        """Per source word: 1 when the table's curated English says it renders ``word`` (an
        English comparative says "lebih": "higher", "younger"; an "under-" participle says
        "kurang": :func:`_too_little`), or its joined English does and the token table agrees
        (:data:`AGREES`: the joins pair up senses, "later" / "setelah"), or the shipped lexicon
        gives it ``word`` (:func:`_lexicon_says`: "bolster" / "mendukung"), else the token
        table's cover of ``word`` from it (0 for a negated word: "not high" may
        well be "rendah"; unless the target word is ``negated`` too: "not the first" -> "bukan
        yang pertama"). Read-only: the answer is kept for the next question."""
        key = (word, negated)
        if key not in self._said:
            said = self._support(word, negated)
            said.setflags(write=False)
            self._said[key] = said
        return self._said[key]

    def _support(self, word: str, negated: bool) -> np.ndarray:
        cues = id_english(curated=True).get(word, frozenset())
        joined = id_english().get(word, frozenset())
        if word == COMPARATIVE:
            cues = cues | {"-er"}
        if word == LESS:
            cues = cues | {UNDER}
        cover = _cover([word], self.stems)[0] if self.stems else np.zeros(0)
        said = [bool(lem & cues) or (bool(lem & joined) and c >= AGREES) or word in _lexicon_says(w)
                for lem, c, w in zip(self.lemmas, cover, self.stems)]
        return np.where(np.logical_and(self.negated, not negated), 0.0, np.where(said, 1.0, cover))


#: The shipped lexicon's pair of an English word and an Indonesian word says the Indonesian word
#: (:func:`_lexicon_says`) when the token table backs it this well: the lexicon joins words of
#: unrelated senses ("late" / "dalam" 0.05, against "bolster" / "mendukung" 0.35).
LEXICON_AGREES = 0.3
#: ... and gives the word at most this many such words: a word of many senses ("have", "number",
#: "out": 5 to 47) says none of them for sure.
LEXICON_SENSES = 3


@lru_cache(maxsize=100_000)
def _lexicon_says(word: str) -> frozenset[str]:
    """The Indonesian words a source word says by the shipped lexicon: those it gives for the
    word or its lemmas ("bolster" -> "mendukung"), or for its adverb where the word has no entry
    ("eventual" -> "eventually" -> "akhirnya"), that the token table backs
    (:data:`LEXICON_AGREES`), a clitic stripped ("akhirnya" says "akhir"). None for a word the
    table's curated English has (what it says is curated: "large" says "besar", not "banyak"),
    for a function word, for a word of many senses (:data:`LEXICON_SENSES`), or for one given
    words whose stems are opposites ("triumph": "kemenangan" and "mengalahkan")."""
    lemmas = _lemmas(word)
    if len(word) < 3 or word.lower() in _EN_STOP or lemmas & _curated_english():
        return frozenset()
    pairs = _lexicon_pairs()
    english = [w for w in sorted(lemmas) if w in pairs] or [w for w in (word.lower() + "ly",) if w in pairs]
    out: set[str] = set()
    for e in english:
        ids = sorted(pairs[e])
        cover = _cover(ids, [e])[:, 0]
        out.update(_unclitic(i) for i, c in zip(ids, cover) if c >= LEXICON_AGREES)
    roots = {f for i in out for f in _roots(i)}
    ant = id_table()
    if len(out) > LEXICON_SENSES or any(ant.get(r, frozenset()) & roots for r in roots):
        return frozenset()  # many senses, or words of both sides of a pair ("triumph": "kemenangan", "mengalahkan")
    return frozenset(out)


#: A nasal prefix with the sound it replaced ("mengalahkan" is "me-" + "kalah" + "-kan"),
#: longest first.
_NASALS = (("meny", "s"), ("peny", "s"), ("meng", "k"), ("peng", "k"), ("mem", "p"), ("pem", "p"), ("men", "t"),
           ("pen", "t"))


def _roots(word: str) -> frozenset[str]:
    """:func:`_forms` of an Indonesian word, with each stem that begins with a vowel after a
    nasal prefix also given the sound the prefix replaced ("mengalahkan" -> "kalah" as well as
    "alah")."""
    forms = _forms(word)
    prefix, sound = next(((p, c) for p, c in _NASALS if word.startswith(p)), ("", ""))
    extra = {sound + f for f in forms if prefix and f.startswith(tuple("aeiou")) and not f.startswith(("me", "pe"))}
    return forms | extra


def _unclitic(word: str) -> str:
    """An Indonesian word without its clitic ("akhirnya" -> "akhir"), else the word."""
    return next((word[:-len(c)] for c in _CLITICS if word.endswith(c) and len(word) - len(c) >= 3), word)


@lru_cache(maxsize=16)
def _pair_words(text: str) -> tuple[tuple[re.Match, ...], tuple[str, ...], tuple[int, ...]]:
    """(the words of a target text, the same lower-cased, the indices of those of an antonym
    pair (:func:`id_table`) that may be reversals: none right after a negation ("tidak naik" is
    no reversal of "fell"), nor one of the uses that are no word of a pair
    (:func:`_no_pair_use`: adverbial "baru")). Kept for the last few texts: three rules of a
    link ask, one after the other."""
    ant = id_table()
    tgt = tuple(re.finditer(r"[^\W\d_]+", text))
    lower = tuple(m.group(0).lower() for m in tgt)
    return tgt, lower, tuple(k for k, w in enumerate(lower) if w in ant and not (k and lower[k - 1] in _ID_NEGATION)
                             and not _no_pair_use(text, tgt, lower, k))


@lru_cache(maxsize=16)
def _negated_pair_words(text: str) -> tuple[int, ...]:
    """The indices of the words of an antonym pair right after a negation ("tak dekat"), which
    :func:`_pair_words` leaves out: :func:`opposite_words` weighs them against source words
    negated alike ("not far" -> "tak dekat" is a reversal; "fell" -> "tidak naik" is none)."""
    ant = id_table()
    tgt, lower, _ = _pair_words(text)
    return tuple(k for k, w in enumerate(lower) if w in ant and k and lower[k - 1] in _ID_NEGATION
                 and not _no_pair_use(text, tgt, lower, k))


#: Indonesian clitics: "pertamanya" is "pertama" when the words a source says are counted.
_CLITICS = ("nya", "lah", "pun", "kah")
#: Words that end a negation's reach ("tidak ada yang baru": "baru" is not negated) ...
_CLAUSE = frozenset("""yang dan atau tetapi tapi namun karena sehingga agar supaya untuk ketika saat
    jika kalau bahwa sedangkan sementara melainkan""".split())
#: ... and how many words before a word a negation reaches it ("tidak lagi aman", "tak pernah
#: kalah", "belum juga selesai", "tidak ada jalan keluar"): as far as the English side's
#: negation (:data:`_EN_NEGATION`: "not long after"), so that both sides are read alike.
NEGATION_REACH = 3


def _base(word: str) -> str:
    """A pair word with its clitic stripped ("pertamanya" -> "pertama"), else the word."""
    for c in _CLITICS:
        if word.endswith(c) and word[:-len(c)] in id_table():
            return word[:-len(c)]
    return word


@lru_cache(maxsize=16)
def _bases_negations(text: str) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    """(each word of :func:`_pair_words` with its clitic stripped, whether a negation reaches
    it) for :func:`opposite_words`; kept for the last few texts."""
    tgt, lower, _ = _pair_words(text)
    return tuple(_base(w) for w in lower), tuple(_id_negated(text, tgt, lower, n) for n in range(len(lower)))


#: Punctuation between two target words that ends a negation's reach (a clause boundary).
_CLAUSE_MARK = re.compile(r"[,.;:!?\"()\u201c\u201d]")
#: Indonesian negations of a noun phrase ("tanpa", "tidak ada", "bukan"): they reach the whole
#: phrase, its "yang" clause too, as English "no"/"without" before the phrase does.
_NP_NEGATION = re.compile(r"\b(?:tanpa|bukan|(?:tidak|tak) ada)\b", re.IGNORECASE)


def _in_negated_phrase(text: str, tgt: tuple[re.Match, ...], k: int) -> bool:
    """A negation of a noun phrase (:data:`_NP_NEGATION`) stands before word ``k`` in its clause
    (no punctuation between), however far: "tanpa membawa teguran atau hukuman keras yang baru"
    negates "baru" as "with no new tough messages or punishments" negates "new"."""
    start = 0
    for n in range(k - 1, -1, -1):
        if _CLAUSE_MARK.search(text, tgt[n].end(), tgt[n + 1].start()):
            start = tgt[n + 1].start()
            break
    return bool(_NP_NEGATION.search(text, start, tgt[k].start()))


#: Prepositions: a negation before one does not reach the words of its phrase ("tidak berfungsi
#: sejak akhir bulan" negates "berfungsi", not "akhir").
_ID_PREPOSITIONS = frozenset("sejak dari ke di pada dengan oleh kepada dalam bagi tentang terhadap sampai hingga selama".split())


def _id_negated(text: str, tgt: list[re.Match], lower: list[str], k: int) -> bool:
    """A negation stands within :data:`NEGATION_REACH` words before word ``k``, with no clause
    boundary (punctuation, a conjunction or "yang") between, nor a preposition
    (:data:`_ID_PREPOSITIONS`), nor another word of a pair (not a comparative marker nor a verb):
    "tidak jauh setelah" negates "jauh", not "setelah" (as :func:`_en_negated` reads "not long
    after")."""
    for n in range(k - 1, max(-1, k - 1 - NEGATION_REACH), -1):
        if _CLAUSE_MARK.search(text, tgt[n].end(), tgt[n + 1].start()) or lower[n] in _CLAUSE:
            return False
        if lower[n] in _ID_NEGATION:
            return True
        if lower[n] in _ID_PREPOSITIONS:
            return False  # the word is in a phrase of its own: "tidak berfungsi sejak akhir bulan"
        if lower[n] in id_table() and lower[n] not in _DEGREE and not _VERB.match(lower[n]):
            return False  # the negation is that pair word's: "tidak jauh setelah" is "shortly after"
            # (a verb's reaches on: "tidak bertambah banyak")
    return False


#: Comparative markers: with the word after them they read as one comparative ("lebih kecil").
_DEGREE = frozenset({"lebih", "kurang", "paling"})
#: What "baru" stands before as the adverb "just, only" ("baru berumur satu hari", "baru saja",
#: "baru akan habis"), not as the adjective "new" (which follows its noun).
_JUST_BEFORE = frozenset("""saja akan sadar tahu bisa dapat mulai sekali kali pertama sampai tiba satu dua
    tiga empat lima enam tujuh delapan sembilan sepuluh sebulan setahun sehari seminggu beberapa""".split())
_VERB = re.compile(r"(?:ber|be|me|mem|men|meng|meny|di|ter)[a-z]{3,}$")


def _no_pair_use(text: str, tgt: list[re.Match], lower: list[str], k: int) -> bool:
    """Word ``k`` is used as no word of a pair: "baru" as the adverb "just" (before a verb, a
    number or :data:`_JUST_BEFORE`; "baru-baru ini" = "recently")."""
    if lower[k] != "baru" or k + 1 >= len(tgt):
        return False
    gap = text[tgt[k].end():tgt[k + 1].start()]
    nxt = lower[k + 1]
    return gap == "-" or gap.strip() == "" and (nxt in _JUST_BEFORE or bool(_VERB.match(nxt))) \
        or bool(re.match(r"\s*\d", text[tgt[k].end():]))


def opposite_words(link: LinkText) -> list[Change]:
    """Target words of an Indonesian antonym pair that nothing in the source says while the
    source says their opposite more often than the translation writes it: a reversal
    ("big lead" -> "keunggulan kecil", "into the pits" -> "keluar ke pit")."""
    ant = id_table()
    tgt, lower, cands = _pair_words(link.target.text)
    cands = sorted({*cands, *_negated_pair_words(link.target.text)})
    if not cands:
        return []
    src = _Source.of(link.source.text)
    if not src.words:
        return []
    text = link.target.text
    base, negs = _bases_negations(text)
    where = np.array([m.start() / max(1, len(text)) for m in tgt])
    found: dict[str, list[tuple[float, int, int]]] = {}  # target word -> (distance, k, source word)
    surplus: dict[str, int] = {}
    for k in cands:
        t = lower[k]
        neg = negs[k]
        if _less_comparative(src, lower, k):
            continue
        written_t = sum(1 for n, w in enumerate(base) if w == t and negs[n] == neg)
        own = _own_support(src, t, _more(src, t, lower, k, neg, src.support(t, neg)), lower, k, where)
        said = int((own >= SAYS).sum())
        if said >= written_t:
            continue  # the source says the word as often as the translation writes it
        surplus[t] = written_t - said
        in_negated_phrase = not neg and _in_negated_phrase(text, tgt, k)
        best = None
        for o in sorted(ant[t]):
            # the opposite counts only from a source word negated as the target word is: "unsafe"
            # is "tidak lagi aman"; and a negated word of the pair writes its opposite ("few" /
            # "nggak banyak")
            s = np.where(np.equal(src.negated, neg), _more(src, o, lower, k, neg, src.support(o, neg)), 0.0)
            if in_negated_phrase:
                curated = id_english(curated=True).get(o, frozenset())
                s = np.maximum(s, [1.0 if n and lem & curated else 0.0 for n, lem in zip(src.negated, src.lemmas)])
            says = np.flatnonzero(s >= max(OPPOSITE, LOUD if said else own.max() + MARGIN))
            rendered = base.count(o) + sum(1 for n, w in enumerate(base) if w == t and negs[n] != neg)
            if not says.size or int((s >= OPPOSITE).sum()) <= rendered:
                continue
            written = [where[n] for n, w in enumerate(base) if w == o]
            says = [j for j in says if not any(abs(x - src.at[j]) < abs(where[k] - src.at[j]) for x in written)
                    and not _swapped_comparison(link, src.words[j], tgt[k])]
            if not says:
                continue  # each source word that says the opposite has it written nearer (or compares the other way)
            cues = id_english(curated=True).get(o, frozenset()) | ({"-er"} if o == COMPARATIVE else set()) \
                | ({MORE} if o == _MANY and k and lower[k - 1] == COMPARATIVE else set())
            # word order differs across the languages: only a curated word may stand far
            says = [j for j in says if (src.lemmas[j] - LOOSE_CUES) & cues or not (
                s[j] < UNCURATED or _rendered_elsewhere(src.stems[j], lower, k) or abs(where[k] - src.at[j]) > NEAR)]
            if not says:
                continue
            j = int(min(says, key=lambda n: abs(where[k] - src.at[n])))  # the nearest that says it
            if best is None or s[j] > best[0]:
                best = (float(s[j]), j)
        if best is not None:
            j = best[1]
            at = _place(tgt[k].start(), link.target.text, src.words[j].start(), link.source.text)
            found.setdefault(t, []).append((at, k, j))
    out: list[Change] = []
    for t, hits in found.items():
        for _, k, j in sorted(hits)[:surplus[t]]:  # the word written more often: those nearest the source word
            word = src.words[j]
            out.append(Change("antonym", word.group(0), tgt[k].group(0),
                              (link.source.span(word.start(), word.end()),),
                              (link.target.span(tgt[k].start(), tgt[k].end()),)))
    return sorted(out, key=lambda c: c.target_spans)


#: The English "more" of a quantity: "lebih banyak" (the curated English gives "more" to "lebih"
#: alone, since "more popular" is "lebih populer").
MORE = "more"
_MANY = "banyak"


def _more(src: _Source, word: str, lower: tuple[str, ...], k: int, negated: bool, support: np.ndarray) -> np.ndarray:
    """``support`` (per source word, how well it says ``word``), with 1 for "more" where
    ``word`` is "banyak" and the target word ``k`` stands after "lebih": a quantity comparative
    ("more time" -> "waktu lebih banyak"; "lebih sedikit" reverses it)."""
    if word != _MANY or not (k and lower[k - 1] == COMPARATIVE):
        return support
    said = np.array([MORE in lem and (negated or not n) for lem, n in zip(src.lemmas, src.negated)], dtype=bool)
    return np.where(said, 1.0, support)


_THAN = re.compile(r"\W+(?:\w+\W+){0,2}?than((?:\W+\w+){1,5})", re.IGNORECASE)
_ID_THAN = re.compile(r"\W+(?:\w+\W+){0,2}?(?:dibanding|dibandingkan|daripada|ketimbang|dari)((?:\W+\w+){1,5})",
                      re.IGNORECASE)
#: A comparison stated from the other side: the words after "than" are found this much better
#: (summed cover) before the Indonesian comparative than after its "dibanding".
SWAPPED = 0.3


#: Conjunctions that open a clause: no comparand.
_EN_JOINS = frozenset("because since while although though if unless whereas so yet".split())


def _swapped_comparison(link: LinkText, word: re.Match, target: re.Match) -> bool:
    """The source compares with "than" and the translation states the comparison from the other
    side ("revenue rises slower than prices" -> "harga naik lebih cepat dibanding pendapatan"):
    the words after "than" (the next five) stand before the target word rather than after its
    "dibanding"/"daripada", and the words before the source word (five, in its clause) after it
    rather than before. Then the target word rightly says the opposite."""
    m = _THAN.match(link.source.text, word.end())
    t = _ID_THAN.match(link.target.text, target.end())
    if not m or not t:
        return False

    def content(text: str) -> list[str]:
        return [w.lower() for w in re.findall(r"[A-Za-z]{3,}", text) if w.lower() not in _EN_STOP | _EN_JOINS]

    them = content(m.group(1))
    us = [w for w in content(re.split(r"[.;:,!?]", link.source.text[:word.start()])[-1])[-5:] if w not in them]
    them = [w for w in them if w not in us]
    before = re.split(r"[.;:,!?]", link.target.text[:target.start()])[-1].lower()
    after = t.group(1).lower()
    if not them or not us or not before.strip():
        return False
    them_cover = _cover(them, [before, after]).clip(0, None)
    us_cover = _cover(us, [before, after]).clip(0, None)
    score = them_cover[:, 0].sum() - them_cover[:, 1].sum() + us_cover[:, 1].sum() - us_cover[:, 0].sum()
    return float(score) >= SWAPPED


def _less_comparative(src: _Source, lower: list[str], k: int) -> bool:
    """Word ``k`` is "lebih" before a word of a pair, or the word after "lebih", where the source says
    "less" or "fewer": "less likely" is "lebih kecil kemungkinannya", one comparative whose
    marker and adjective both turn."""
    if not any(not neg and w in ("less", "fewer") for w, neg in zip(src.stems, src.negated)):
        return False
    ant = id_table()
    return (lower[k] == COMPARATIVE and k + 1 < len(lower) and lower[k + 1] in ant) \
        or (k > 0 and lower[k - 1] == COMPARATIVE)


def _own_support(src: _Source, t: str, own: np.ndarray, lower: list[str], k: int,
                 where: np.ndarray) -> np.ndarray:
    """``own`` (per source word, how well it says the target word ``lower[k]`` = ``t``) with the
    source words another target word claims set to 0: one that renders it better by the token
    table ("first" is "pertama" elsewhere, so it does not say "awal"), or one that renders it
    or whose curated English has it, or that the lexicon gives for it with the token table
    backing it (:data:`LEXICON_AGREES`) and finding no other source word better (the "kemudian"
    of "later" claims no "late"), and stands nearer to it
    ("sales rise" -> "penjualan meningkat": "rise" is not the "naik" at the other end of the
    sentence; "the previous standard" -> "standar sebelumnya": "previous" is not the "lama" of
    "aturan lama" further back); except a
    comparative's "lebih" ("higher" -> "lebih tinggi"). ``where``: each target word's place,
    as a share of the target's length. A particle (:data:`LOOSE_CUES`) says the word only
    :data:`NEAR` it, as it says an opposite ("tapped the ball into the net ... sliding out" ->
    "bola ke arah gawang ... meluncur masuk": "into" does not say the far "masuk")."""
    out = own.copy()
    for j in np.flatnonzero(own > 0):
        if src.stems[j] in LOOSE_CUES and abs(where[k] - src.at[j]) > NEAR:
            out[j] = 0.0
    others = [n for n, w in enumerate(lower) if n != k and w != t]
    if not others:
        return out
    cues = id_english(curated=True)
    for j in np.flatnonzero(own >= AGREES):
        if t == COMPARATIVE and "-er" in src.lemmas[j]:
            continue
        cover = _cover([src.stems[j]], [lower[n] for n in others])[0]
        mine = _cover([t], [src.stems[j]])[0, 0]
        lexicon = _lexicon_pairs().get(src.stems[j], frozenset())
        claims = [n for n, c in zip(others, cover) if c >= RENDERED or src.lemmas[j] & cues.get(lower[n], frozenset())
                  or c >= LEXICON_AGREES and {lower[n], _unclitic(lower[n])} & lexicon
                  and int(np.argmax(_cover([lower[n]], src.stems)[0])) == j]
        if cover.max() >= RENDERED and cover.max() > mine or any(
                abs(where[n] - src.at[j]) < abs(where[k] - src.at[j]) for n in claims):
            out[j] = 0.0
    return out


def _rendered_elsewhere(word: str, target: list[str], k: int, skip: str = "") -> bool:
    """Some target word other than ``target[k]`` (and ``skip``) renders the source ``word``
    by the token table ("first" -> "pertama" elsewhere: "pengakhiran" reverses nothing; "man"
    -> "pria" elsewhere: "wanita" is another person; "a decade later" -> "kemudian": "later"
    does not say "setelah")."""
    others = [w for n, w in enumerate(target) if n != k and w != skip]
    return bool(others) and _cover([word], others).max() >= RENDERED


@lru_cache(maxsize=1)
def contexts() -> dict[tuple[str, str], int]:
    """(left word, right word) -> count in the Indonesian training text, for bigrams holding a
    word of the antonym table (``models/wordlists/antonyms_context.tsv``); empty when absent."""
    return {(parts[0], parts[1]): int(parts[2]) for parts in _tsv("antonyms_context.tsv") if len(parts) == 3}


#: Indonesian usage says the opposite belongs where the target word stands when a neighbour
#: stands beside the opposite at least this often in the training text ("duta besar" 5, "duta
#: kecil" 0; "salah satu" 227, "benar satu" 0) ...
IDIOM = 5
#: ... and in at least this share of all its occurrences ("duta" 5 of 9; not "dengan", "yang",
#: which stand beside everything).
IDIOM_SHARE = 0.02
#: ... and this many times as often as beside the target word ("orang tua" for "parents"
#: against "orang muda"); the bigrams of the target word seen fewer than 3 times count 0.
IDIOM_RATIO = 10
#: A preposition after a word is the one its opposite governs (:func:`_broken_phrase`) when it
#: follows the opposite in at least this share of the opposite's bigrams ("keluar dari" 48 of 83,
#: "masuk ke" 42 of 129) and hardly ever the word itself (:data:`IDIOM_RATIO`: "masuk dari" 0):
#: a preposition stands beside everything, so its own share (:data:`IDIOM_SHARE`) says nothing.
GOVERNS = 0.2
#: ... seen this often at least: a preposition follows nearly every verb now and then, so a
#: few bigrams ("turun dari" 9) do not show which one the verb governs.
GOVERNED = 20
#: The prepositions of direction a verb of motion governs ("masuk ke", "keluar dari").
_DIRECTIONS = frozenset({"ke", "dari"})
#: A number next (matched at a place in the text, not on the rest of it sliced off).
_NUMBER_NEXT = re.compile(r"\s*\d")


def _foreign_preposition(text: str, tgt: tuple[re.Match, ...], lower: tuple[str, ...], k: int,
                         opposites: frozenset[str]) -> bool:
    """The preposition of direction right after word ``k`` is the one an opposite governs
    (:func:`_governs`: "masuk dari" for "keluar dari"); not before a number, where it opens a
    range ("naik dari 5 menjadi 7 persen")."""
    n = k + 1
    if n >= len(tgt) or lower[n] not in _DIRECTIONS or text[tgt[k].end():tgt[n].start()].strip() \
            or _NUMBER_NEXT.match(text, tgt[n].end()):
        return False
    ctx = contexts()
    return any(_governs(ctx, o, lower[k], lower[n]) for o in opposites)


def _governs(ctx: dict[tuple[str, str], int], o: str, t: str, prep: str) -> bool:
    """``prep`` is the preposition the word ``o`` governs and ``t`` does not: it follows ``o``
    in :data:`GOVERNS` of ``o``'s bigrams (and :data:`GOVERNED` times at least), while ``t`` is seen
    often enough that, taking it as often, it would follow ``t`` :data:`IDIOM_RATIO` times as
    often as it does ("masuk" 129 times, "masuk dari" 0; not "mendekat", seen too seldom)."""
    share = ctx.get((o, prep), 0) / max(1, ctx.get((o, ""), 0))
    return ctx.get((o, prep), 0) >= GOVERNED and share >= GOVERNS \
        and share * ctx.get((t, ""), 0) >= IDIOM_RATIO * max(1, ctx.get((t, prep), 0))


def unidiomatic_words(link: LinkText) -> list[Change]:
    """Target words of an antonym pair that nothing in the source says, where Indonesian usage
    puts their opposite: a fixed phrase broken ("Duta Besar" -> "Duta Kecil" for "ambassador",
    "salah satu" -> "benar satu" for "one of"), a phrase the lexicon gives for a source word
    ("capitals" -> "huruf kecil" for "huruf besar"), or a compound it writes closed, written
    open with the opposite ("orang muda" where "orangtua" renders "parents": :func:`_compound_said`),
    the preposition of direction the opposite governs ("masuk dari" for "keluar dari":
    :func:`_foreign_preposition`), a measure noun's opposite before a number
    ("rendah 2 meter" for "tinggi 2 meter"), a correlative the source has ("both X and Y"
    -> "buruk X maupun Y" for "baik X maupun Y"), or a reduplication made of a word and its
    opposite ("benar-benar" -> "benar-salah" for "really") that the source does not say both
    halves of ("ups and downs" is "naik-turun")."""
    ant = id_table()
    tgt, lower, cands = _pair_words(link.target.text)
    if not cands:
        return []
    src = _Source.of(link.source.text)
    text = link.target.text
    out: list[Change] = []
    for k in cands:
        t = lower[k]
        if src.words and (src.support(t, _id_negated(text, tgt, lower, k)) >= SAYS).any():
            continue
        both = _broken_correlative(link.source.text, text, tgt, lower, k, ant[t])
        if both is not None:
            out.append(Change("antonym", both.group(0), tgt[k].group(0), (link.source.span(both.start(), both.end()),),
                              (link.target.span(tgt[k].start(), tgt[k].end()),)))
            continue
        said = _phrase_said(src, lower, k, ant[t])
        if said is None:
            said = _compound_said(src, lower, k, ant[t])
        if said is not None:
            word = src.words[said]
            out.append(Change("antonym", word.group(0), tgt[k].group(0), (link.source.span(word.start(), word.end()),),
                              (link.target.span(tgt[k].start(), tgt[k].end()),)))
            continue
        joined = [n for n in (k - 1, k + 1) if 0 <= n < len(tgt) and _hyphened(text, tgt, min(k, n))]
        if not any(lower[n] in ant[t] for n in joined) and not _broken_phrase(lower, k, ant[t]) \
                and not _foreign_preposition(text, tgt, lower, k, ant[t]) \
                and not _broken_measure(text, tgt, lower, k, ant[t]):
            continue
        out.append(_pointed(link, src, tgt[k], sorted(ant[t])))
    return out


@lru_cache(maxsize=1)
def phrases() -> dict[tuple[str, str], frozenset[str]]:
    """(left word, right word) -> the English words the lexicon renders by that two-word
    Indonesian phrase, for phrases holding a word of the antonym table ("huruf besar" for
    "capital", "akhir pekan" for "weekend"; ``models/wordlists/antonyms_phrases.tsv``); empty
    when the table is not shipped."""
    out: dict[tuple[str, str], set[str]] = {}
    for parts in _tsv("antonyms_phrases.tsv"):
        if len(parts) == 3:
            out.setdefault((parts[1], parts[2]), set()).add(parts[0])
    return {k: frozenset(v) for k, v in out.items()}


def _phrase_said(src: "_Source", lower: tuple[str, ...], k: int, opposites: frozenset[str]) -> int | None:
    """The source word (its index) whose lexicon rendering is the phrase that word ``k`` and
    its neighbour make with an opposite of word ``k`` in its place ("capitals" -> "huruf besar"
    where the translation writes "huruf kecil"), unless the phrase as written renders a source
    word too; else None."""
    table = phrases()
    if not table:
        return None
    said = {n: lem for n, lem in enumerate(src.lemmas) if not src.negated[n]}
    for n in (k - 1, k + 1):
        if not 0 <= n < len(lower):
            continue
        pair = (lambda x: (lower[n], x)) if n < k else (lambda x: (x, lower[n]))
        if any(lem & table.get(pair(lower[k]), frozenset()) for lem in said.values()):
            return None  # the phrase as written renders a source word
        for o in sorted(opposites):
            hit = next((j for j, lem in said.items() if lem & table.get(pair(o), frozenset())), None)
            if hit is not None:
                return hit
    return None


def _compound_said(src: "_Source", lower: tuple[str, ...], k: int, opposites: frozenset[str]) -> int | None:
    """The source word (its index) whose lexicon rendering is a compound written closed
    ("orangtua" for "parents") that word ``k`` and its neighbour make, written open, with an
    opposite of word ``k`` in its place ("orang muda" where "orang tua" renders "parent"),
    unless the compound as written renders a source word too; else None. Indonesian writes
    such compounds either way ("orang tua", "orangtua"). A negation does not matter: "no
    parent" is still "orang tua", as a noun's rendering is no word of a pair it negates."""
    said = _closed_renderings(src.stems, tuple(src.content.tolist()))
    for n in (k - 1, k + 1):
        if not 0 <= n < len(lower):
            continue
        closed = (lambda x: lower[n] + x) if n < k else (lambda x: x + lower[n])
        if any(closed(lower[k]) in ids for _, ids in said):
            return None
        for o in sorted(opposites):
            hit = next((j for j, ids in said if closed(o) in ids), None)
            if hit is not None:
                return hit
    return None


@lru_cache(maxsize=16)
def _closed_renderings(words: tuple[str, ...], content: tuple[bool, ...]) -> tuple[tuple[int, frozenset[str]], ...]:
    """(index, the lexicon's Indonesian words for it, its lemmas or its plural) per content word
    of a source text (:func:`_compound_said`). Made once per text, not per target word: kept
    for the last few texts, as :meth:`_Source.of` keeps them."""
    return tuple((n, _lexicon_id(w) | _lexicon_pairs().get(w + "s", frozenset()))
                 for n, w in enumerate(words) if content[n])


#: Indonesian measure nouns: "tinggi 2 meter" is "2 metres tall", "panjang 5 km" "5 km long"; their
#: opposites measure nothing ("rendah 2 meter" is no Indonesian).
MEASURES = frozenset("tinggi panjang lebar tebal berat luas".split())


def _broken_measure(text: str, tgt: tuple[re.Match, ...], lower: tuple[str, ...], k: int,
                    opposites: frozenset[str]) -> bool:
    """Word ``k`` stands before a number where only its opposite, a measure noun
    (:data:`MEASURES`), does ("Dengan rendah 6,6 kaki" for "Dengan tinggi 6,6 kaki", "6-foot-6");
    not as a comparative ("lebih rendah 5 persen" is "5 percent lower")."""
    return lower[k] not in MEASURES and bool(opposites & MEASURES) and bool(re.match(r"\s+\d", text[tgt[k].end():])) \
        and not (k and lower[k - 1] in _DEGREE)


#: Indonesian correlatives whose first word is a word of a pair: "baik X maupun Y" is "both X
#: and Y" (the second word within :data:`CORRELATIVE_REACH` words, in the same clause).
CORRELATIVES = {"baik": "maupun"}
CORRELATIVE_REACH = 6
_EN_CORRELATIVE = re.compile(r"\b(?:both|either|whether)\b", re.IGNORECASE)


def _broken_correlative(source: str, text: str, tgt: tuple[re.Match, ...], lower: tuple[str, ...], k: int,
                        opposites: frozenset[str]) -> re.Match | None:
    """The English correlative ("both", "either", "whether") whose Indonesian form has the
    opposite of word ``k`` where the translation writes word ``k`` ("both to and from" ->
    "buruk ke maupun dari" for "baik ke maupun dari"), else None."""
    for o in sorted(opposites & CORRELATIVES.keys()):
        after = lower[k + 1:k + 1 + CORRELATIVE_REACH]
        if CORRELATIVES[o] not in after:
            continue
        end = tgt[k + 1 + after.index(CORRELATIVES[o])].start()
        if re.search(r"[.;:!?]", text[tgt[k].end():end]):
            continue
        m = _EN_CORRELATIVE.search(source)
        if m is not None:
            return m
    return None


#: The source word a broken phrase is pointed at must cover the phrase's opposite this well.
POINTS = 0.3


def _pointed(link: LinkText, src: "_Source", word: re.Match, opposites: list[str]) -> Change:
    """An ``antonym`` change for the target ``word`` whose source is the source word that best
    says one of its ``opposites`` ("ambassadors" for "kecil" in "Duta Kecil"), or none."""
    span = (link.target.span(word.start(), word.end()),)
    if src.words:
        cover = _cover(opposites, src.stems)
        i, j = np.unravel_index(int(np.argmax(cover)), cover.shape)
        if cover[i, j] >= POINTS:
            m = src.words[j]
            return Change("antonym", m.group(0), word.group(0), (link.source.span(m.start(), m.end()),), span)
    return Change("antonym", "", word.group(0), (), span)


def _hyphened(text: str, tgt: list[re.Match], k: int) -> bool:
    """Words ``k`` and ``k + 1`` are written as one with a hyphen ("benar-benar")."""
    return text[tgt[k].end():tgt[k + 1].start()] == "-"


#: Neighbours that stand beside either word of a pair, whatever the training text's counts say
#: (aspect, degree and function words: "sudah mulai" as well as "sudah selesai").
_LOOSE_NEIGHBOURS = frozenset("""sudah telah akan sedang masih belum juga yang sangat terlalu cukup agak
    makin semakin amat tidak tak bukan dan atau itu ini""".split())


def _broken_phrase(lower: list[str], k: int, opposites: frozenset[str]) -> bool:
    """A neighbour of word ``k`` goes with one of its ``opposites`` (:data:`IDIOM`,
    :data:`IDIOM_SHARE`) far more often than with the word itself (:data:`IDIOM_RATIO`)."""
    ctx = contexts()
    t = lower[k]
    for n, pair in ((k - 1, lambda x: (lower[k - 1], x)), (k + 1, lambda x: (x, lower[k + 1]))):
        if not 0 <= n < len(lower) or lower[n] in _LOOSE_NEIGHBOURS or _VERB.match(lower[n]) \
                or (n > k and t in _DEGREE):
            continue  # a function word or a verb goes with either word ("sudah mulai", "mulai bekerja"),
            # as a comparative marker with any adjective ("kurang baik" is "not good")
        seen = max(1, ctx.get((lower[n], ""), 0))
        if any(ctx.get(pair(o), 0) >= max(IDIOM, IDIOM_SHARE * seen, IDIOM_RATIO * ctx.get(pair(t), 0))
               for o in opposites):
            return True
    return False


#: Thresholds of :func:`weak_reversals`: nothing in the source says the target word even this
#: well by the token table, a source word near it says the opposite at least this well and by
#: this margin ("immense" / "besar" 0.30 against "kecil" 0.05) ...
WEAK_OWN = 0.35
WEAK_SAYS = 0.35
WEAK_MARGIN = 0.2
#: ... and the whole translation with the opposite in the word's place is this much closer to
#: the source (cosine of the shipped model's token-vector sums).
WEAK_SENTENCE = 0.01


def weak_reversals(link: LinkText) -> list[Change]:
    """Target words of a pair that the source does not say, whose opposite a source word near
    them says only weakly, where the whole sentence agrees: the translation with the opposite
    put back is closer to the source ("Captain X was immense" -> "Kapten X sangat kecil")."""
    ant = id_table()
    text = link.target.text
    tgt, lower, cands = _pair_words(text)
    if not cands:
        return []
    src = _Source.of(link.source.text)
    if not src.words:
        return []
    source_vec, target_vec = _sum_vector(link.source.text), _sum_vector(text)
    out: list[Change] = []
    for k in cands:
        if _less_comparative(src, lower, k):
            continue
        neg = _id_negated(text, tgt, lower, k)
        own = src.support(lower[k], neg)
        if own.max() >= WEAK_OWN:
            continue
        for o in sorted(ant[lower[k]] - set(lower)):
            s = np.where(src.content & np.equal(src.negated, neg), src.support(o, neg), 0.0)
            j = int(np.argmax(s))
            if s[j] < max(WEAK_SAYS, own.max() + WEAK_MARGIN) or _rendered_elsewhere(src.stems[j], lower, k) \
                    or _swapped_comparison(link, src.words[j], tgt[k]) \
                    or _place(tgt[k].start(), text, src.words[j].start(), link.source.text) > NEAR:
                continue
            put_back = _sum_vector(text[:tgt[k].start()] + o + text[tgt[k].end():])
            if _cosine(source_vec, put_back) - _cosine(source_vec, target_vec) < WEAK_SENTENCE:
                continue
            word = src.words[j]
            out.append(Change("antonym", word.group(0), tgt[k].group(0),
                              (link.source.span(word.start(), word.end()),),
                              (link.target.span(tgt[k].start(), tgt[k].end()),)))
            break
    return out


#: English that says "less" or "not": a negation, a small or poor amount, a comparative down,
#: "too" ("too short" -> "kurang panjang") ...
_EN_LESS = re.compile(r"\b(?:not|no|never|nor|none|nothing|neither|without|hardly|barely|scarcely|rarely|seldom|"
                      r"little|few|fewer|less|least|low|lower|lowest|poor\w*|bad|badly|worse|worst|weak\w*|"
                      r"negative\w*|inferior|insufficient\w*|too)\b|n't\b", re.IGNORECASE)
#: ... or a word made negative by an affix whose base the lexicon knows ("unclear", "insecure",
#: "underpowered", "dishonest", "careless").
_NEG_PREFIX = re.compile(r"(?:under|non|mis|mal|dis|un|in|im|il|ir)-?(?P<base>[a-z]{3,})$")
_NEG_SUFFIX = re.compile(r"(?P<base>[a-z]{3,})less$")
#: What may follow a "kurang" that says "less X": not "kurang dari" ("less than", said by
#: "than"), "kurang lebih" ("about"), a conjunction or "yang".
_NOT_LESS_OF = frozenset("dari daripada dibanding dibandingkan lebih sedikit kurang dan atau yang".split())


def lessened_words(link: LinkText) -> list[Change]:
    """"kurang" before a word ("kurang menyukai", "kurang keras": "less X", "not very X") where
    the source says neither less nor not: no negation or word of small, poor or lesser amount
    (:data:`_EN_LESS`), no word negative by an affix (:func:`_negative_affix`), no word the
    lexicon or the antonym table renders "kurang" ("lacking", "minor"). The source states X,
    or more of it ("the Commission favoured" -> "Komisi kurang menyukai")."""
    tgt, lower, cands = _pair_words(link.target.text)
    text = link.target.text
    hits = [k for k in cands if lower[k] == LESS and k + 1 < len(lower) and not text[tgt[k].end():tgt[k + 1].start()].strip()
            and lower[k + 1] not in _NOT_LESS_OF and not (k and lower[k - 1] in _DEGREE | {"sedikit"})
            and not _id_negated(text, tgt, lower, k)]
    if not hits or _EN_LESS.search(link.source.text):
        return []
    src = _Source.of(link.source.text)
    if not src.words or any(_negative_affix(w) or LESS in _lexicon_id(w) for w in src.stems) \
            or (src.support(LESS) >= LESS_SAYS).any():
        return []
    return [_pointed(link, src, tgt[k], [COMPARATIVE]) for k in hits]


#: The Indonesian "less" (:func:`lessened_words`), and how well a source word must say it
#: (the token table, the table's English) to explain it.
LESS = "kurang"
LESS_SAYS = 0.3


def _negative_affix(word: str) -> bool:
    """``word`` is a word made negative by a prefix ("un-", "in-", "dis-", "under-" ...) or
    the suffix "-less", whose base the lexicon knows ("unclear" / "clear"; not "until")."""
    for pattern in (_NEG_PREFIX, _NEG_SUFFIX):
        m = pattern.match(word)
        if m and _lemmas(m.group("base")) & _lexicon_pairs().keys():
            return True
    return False


@lru_cache(maxsize=1)
def _lexicon_pairs() -> dict[str, frozenset[str]]:
    """English word -> its Indonesian words in the shipped lexicon (``models/lexicon/en-id.pairs.txt``);
    empty when it is not shipped."""
    out: dict[str, set[str]] = {}
    for parts in _tsv("en-id.pairs.txt", "lexicon"):
        if len(parts) == 2:
            out.setdefault(parts[0], set()).add(parts[1])
    return {k: frozenset(v) for k, v in out.items()}


def _lexicon_id(word: str) -> frozenset[str]:
    """The lexicon's Indonesian words for the English ``word`` or its lemmas."""
    pairs = _lexicon_pairs()
    return frozenset().union(*(pairs.get(w, frozenset()) for w in _lemmas(word)))


def _sum_vector(text: str) -> np.ndarray:
    """The sum of the shipped model's token vectors of ``text`` (its sentence embedding's direction)."""
    from ..lexical import Lexicon
    from . import _pieces

    return Lexicon.default().pooled(_pieces(text))


def _cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))


#: The Indonesian compass points (words of the pair table); a compound ("barat daya") is none.
COMPASS = ("utara", "selatan", "timur", "barat")
#: What may stand between a compass word and the place it points at: "385 miles south of X",
#: "arah utara dari X", "di sebelah timur X".
_EN_OF = frozenset({"of", "from"})
_ID_OF = frozenset({"dari", "sebelah"})
#: Coordinated compass words share their place ("southern and eastern Nevada", "Korea Selatan
#: dan Utara").
_EN_AND = frozenset({"and", "or"})
_ID_AND = frozenset({"dan", "atau"})
_EN_BETWEEN = _EN_AND | _EN_OF


@lru_cache(maxsize=100_000)
def _compass_of(word: str) -> str | None:
    """The Indonesian compass word an English word says by the curated English ("western" ->
    "barat"), else None. Kept, as :func:`_lemmas` is: :func:`_en_places` asks for every source
    word."""
    cues = id_english(curated=True)
    lem = _lemmas(word)
    return next((c for c in COMPASS if lem & cues.get(c, frozenset())), None)


def _same_place(a: str, b: str) -> bool:
    """Two capitalised words name the same place across the languages: equal, or one begins
    the other ("Korean" / "Korea"), lower-cased."""
    a, b = a.lower(), b.lower()
    short, long_ = sorted((a, b), key=len)
    return a == b or len(short) >= 4 and long_.startswith(short)


@lru_cache(maxsize=1)
def _exonyms() -> dict[str, frozenset[str]]:
    """English one-word place names -> the Indonesian words of their established forms
    ("java" -> "jawa", "ireland" -> "irlandia"; :func:`fidelity.exonyms.one_word_names`)."""
    from ..exonyms import one_word_names

    return {k: frozenset(v) for k, v in one_word_names().items()}


def _names_place(en: str, idn: str) -> bool:
    """The English capitalised word ``en`` names the place the Indonesian ``idn`` does: alike
    (:func:`_same_place`) or by an established Indonesian form ("Java" / "Jawa")."""
    return _same_place(en, idn) or idn.lower() in _exonyms().get(en.lower(), frozenset())


def _en_places(text: str) -> list[tuple[re.Match, str, str | None]]:
    """(English compass word, its Indonesian word, the capitalised word it points at or None)
    for each compass word of the source: the place after it, over coordinated compass words and
    "of"/"from" ("western Arizona", "southern and eastern Nevada", "south of Punta Eugenia"),
    None for one that points at no place ("in the North"). Negation does not matter: "no South
    Korean casualties" names South Korea. Words are letters of any script: a place spelt with
    one outside ASCII ("southern Zürich", "Łódź") is one word, not pieces ("Z", "rich")."""
    words = list(re.finditer(r"[^\W\d_]+", text))
    out = []
    for i, m in enumerate(words):
        c = _compass_of(m.group(0))
        if c is None:
            continue
        n = i + 1
        while n < len(words) and (words[n].group(0).lower() in _EN_BETWEEN or _compass_of(words[n].group(0))):
            n += 1
        bound = n < len(words) and words[n].group(0)[0].isupper() \
            and not re.search(r"[.;:!?]", text[m.end():words[n].start()])
        out.append((m, c, words[n].group(0) if bound else None))
    return out


def _id_places(text: str, tgt: tuple[re.Match, ...], lower: tuple[str, ...], k: int) -> list[str]:
    """The capitalised words the target compass word ``k`` points at: the name before it
    ("Arizona Timur", "Korea Selatan dan Utara"), over coordinated compass words, and the name
    after it, over "dari"/"sebelah" ("arah utara dari Punta Eugenia"); none across punctuation."""
    out = []
    for step, skip in ((-1, _ID_AND), (1, _ID_OF)):
        n = k + step
        while 0 <= n < len(tgt) and (lower[n] in skip or lower[n] in COMPASS):
            n += step
        if 0 <= n < len(tgt) and tgt[n].group(0)[0].isupper():
            lo, hi = sorted((tgt[n], tgt[k]), key=lambda m: m.start())
            if not re.search(r"[.;:!?,]", text[lo.end():hi.start()]):
                out.append(tgt[n].group(0))
    return out


def turned_directions(link: LinkText) -> list[Change]:
    """A compass word that points the translation's place the other way: the source puts the
    place at the opposite point and never at the translation's ("western Arizona" -> "Arizona
    Timur", "385 miles south of X" -> "385 mil arah utara dari X"), more often than the
    translation puts it at that opposite point itself ("South Korea ... the DPRK" -> "Korea
    Selatan ... Korea Utara": the DPRK is another place); unless the source says the
    translation's point of no place of its own ("South Korea ... the North" -> "Korea Utara"
    may be the North). A place the source puts at both points, or at neither, is left to
    :func:`opposite_words`."""
    tgt, lower, _ = _pair_words(link.target.text)
    text = link.target.text
    cands = [k for k, w in enumerate(lower) if w in COMPASS]
    if not cands:
        return []
    places = _en_places(link.source.text)
    if not places:
        return []
    ant = id_table()
    named = {k: _id_places(text, tgt, lower, k) for k in cands}
    written = [(lower[k], name) for k in cands for name in named[k]]
    loose = {c for _, c, place in places if place is None}
    out: list[Change] = []
    for k in cands:
        for name in named[k]:
            said = [(m, c) for m, c, place in places if place is not None and _names_place(place, name)]
            points = {c for _, c in said}
            turned = {o for o in points & ant.get(lower[k], frozenset()) if sum(c == o for _, c in said)
                      > sum(c == o and _same_place(n, name) for c, n in written)}
            if lower[k] in points | loose or not turned:
                continue
            m = next(m for m, c in said if c in turned)
            out.append(Change("antonym", m.group(0), tgt[k].group(0), (link.source.span(m.start(), m.end()),),
                              (link.target.span(tgt[k].start(), tgt[k].end()),)))
            break
    return out


#: A source word says the event after "gagal" this well (:meth:`_Source.support`: the curated
#: English, the lexicon, else the token table: "doubled" / "menggandakan" 0.37) ...
EVENT = 0.35
#: ... what may stand between "gagal" and its event ("gagal dalam mengobati").
_EVENT_GAP = frozenset({"dalam", "untuk", "di", "pada"})


#: Words that make the verb after them no event of its own: an infinitive or a gerund governed by
#: another word ("missed a chance to double", "fell short of doubling", "missed out on winning").
_GOVERNING = frozenset("to of in on at for from by with about into without after before than".split())


def _stated_event(src: "_Source", j: int) -> bool:
    """Source word ``j`` states an event: a past form ("doubled", "won") that no preposition
    or "to" governs; an infinitive or gerund may be what another word says failed ("missed a
    chance to double": "gagal menggandakan" is faithful)."""
    w = src.stems[j]
    past = w.endswith("ed") or (w in IRREGULAR and IRREGULAR[w] != w)
    return past and not (j and src.stems[j - 1] in _GOVERNING)


def failed_events(link: LinkText) -> list[Change]:
    """A negation that is a word of a pair ("gagal", "failed") before a verb that renders a
    source verb stated as an event (:func:`_stated_event`) without negation, where the source
    says no failure nor any negation (:data:`_EN_LESS`, a word negative by an affix): the
    source says the event happened, the translation that it failed ("X doubled the lead" ->
    "X gagal menggandakan keunggulan")."""
    tgt, lower, cands = _pair_words(link.target.text)
    cands = [k for k in cands if lower[k] in _ID_NEGATION]
    if not cands or _EN_LESS.search(link.source.text):
        return []
    src = _Source.of(link.source.text)
    if not src.words or any(_negative_affix(w) for w in src.stems):
        return []
    out: list[Change] = []
    for k in cands:
        if (src.support(lower[k]) >= WEAK_OWN).any():
            continue  # the source says the failure
        n = k + 1
        if n < len(lower) and lower[n] in _EVENT_GAP:
            n += 1
        if n >= len(lower) or not _VERB.match(lower[n]) or re.search(r"[.,;:!?]", link.target.text[tgt[k].end():tgt[n].start()]):
            continue
        said = src.support(lower[n])
        j = int(np.argmax(said))
        if said[j] < EVENT or src.negated[j] or not _stated_event(src, j):
            continue
        word = src.words[j]
        out.append(Change("antonym", word.group(0), tgt[k].group(0), (link.source.span(word.start(), word.end()),),
                          (link.target.span(tgt[k].start(), tgt[k].end()),)))
    return out
