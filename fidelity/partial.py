"""Partial omissions and additions: a linked sentence that leaves out (or adds) a span of words.

A sentence link says two sentences translate each other as a whole; it cannot see that "the
lame duck Democratic administration" came out as "pemerintahan Demokrat". Word-level evidence
can. For every content word of one side, :func:`word_cover` asks how well the other side
renders it, and takes the best of five kinds of evidence:

* the shipped model's token table (:class:`fidelity.lexical.Lexicon`): the best cosine between
  the word's vector (the weighted sum of its pieces' rows) and a word of the other side, the
  word-level reading of a SimAlign-style argmax alignment over token vectors;
* the shipped lexicon pairs (``models/lexicon/en-id.pairs.txt``, built by
  ``models/build_partial.py``), matched through stems on both sides, which reaches the affixed
  Indonesian forms the table misses ("administration" / "pemerintahan" 0.2 in the table);
* an Indonesian affix stripper (:func:`id_stems`: me-/di-/ber-/ter-/pe-...-an/-kan/-i/-nya,
  with the nasal of meN-/peN- restored), and English suffix stripping (:func:`en_stems`);
* the same name or number written on both sides (numbers normalised per language);
* cognates: loan words spelt the Indonesian way ("democracy" / "demokrasi"), by edit distance
  after a few spelling rules.

A word of the other side renders one phrase: when words far apart claim it ("duck" in its verb
sense and "avoid" both reach "menghindari"), the strongest claim keeps it and the others are
scored again without it (competitive linking); a claim the model's table makes outranks the
lexicon's (WordNet's senses are noisy: "cuts" reaches "pembunuhan" through cut / bunuh, to
kill, beside "murder" / "pembunuhan" in the table). A number spelt out ("fifty",
"twenty-three") is a number like one in digits.

Free but faithful translation leaves words without evidence on *both* sides (an idiom, a verb
rendered by a paraphrase) and scattered; a cut clause leaves a contiguous run on one side. So
the words both sides leave uncovered are first paired with each other, SimAlign-style
(itermax: mutual best table cosine), but only between the same anchors (the counterparts of
their covered neighbours), and a span is reported only when it is a run of consecutive
uncovered content words of one sentence (function words between them do not break the run;
up to two covered words inside a longer run are bridged) that outnumbers the uncovered words
the other side has in the same place, or a run of names with no name of the other side left
over there, and the rest of the link is well covered (a loose or wrong link has gaps
everywhere and is not judged word by word).

Precision comes first: on real professional translations a pair of rare words rendered freely
("grim motions", "stamp duty") looks exactly like a cut, and a flag on a faithful story costs
more trust than a missed cut. So a run that ends its sentence (where a cut clause is) needs
two words, but a run inside a sentence needs five and must open a clause (after a comma,
dash, bracket or a word such as "which", "and", "by"); a shorter one passes only when nothing
at all renders it (every word below ``sure_cover``) and the other side is itself well covered
("the lame duck Democratic administration" / "pemerintahan Demokrat"). A run at a sentence's
end also counts the uncovered words the translation puts first (an attribution moved to the
front: "..., the notice states." / "Diungkapkan dalam pernyataan, ..."). A changed weekday or
month, like a changed number, is the drift check's business (a dropped one is missing, like
a name: "... in western Ohio Saturday." / "... di Ohio barat."); a name glued to a name the other
side renders is a multi-word name rendered or shortened as a whole ("Belfast Magistrates'
Court" / "Pengadilan Negeri Belfast"), not a dropped name. A dictionary word capitalised
alone inside its sentence, or an acronym, that nothing renders is a name too ("with Boots",
"LGBT people"; ``proper``); a run joined across covered words that is no span is judged
as its pieces for a name inside its sentence ("the past two days are Francesco Molinari
and ..."), and an acronym left over on the other side may render a name ("Pemprov DKI").
Added spans are the same test from
the target side with a longer run, and are off by default: on real stories they were mostly a
translator's explicitation.

A clause cut from the end of a translation is the commonest real slip, and the pairing above
hides it: the cut clause's words get paired with whatever the head's free rendering left
over at the translation's end. So a second test (:func:`tail_span`) reads the evidence as
first found, before the pairing. The candidate is the run of weak words that ends the last
source sentence (below ``cover``, or whose counterpart a word before it already claims: a
repeated "Korea" at the end found its match in the head's rendering). Two whole-sentence
signals, both cheap with the static model, judge it beside the words: the translation is
closer (cosine of token-vector sums, the model's sentence embedding) to the source cut
before the run than to the whole source; and the translation is short for this translator
(its character-length ratio against the median ratio of the document's 1-1 links: a cut
takes its characters along, a free rendering does not). A short translation with no room
for the run, or words leaving no room for it with the cut source closer, makes a cut; a lone
last word ("... searched the school for survivors.") only when the translation ends with
the rendering of a word before it, the sentence view does not disagree, and either nothing
renders it and the translation is short, or a function word before it makes it a phrase of
its own ("... allowed in or out of the building.", not the "hearing" of "court hearing" /
"sidang") and the translation is mildly short. A speaker ending the source ("..., added
Hidayat.", "..., he disclosed.") is rendered by the speech verb's clitic ("..., tandasnya.")
or the verb with a name ("tandas Rahmad"), not dropped; a span that ends with such an
attribution after a comma or quote loses it, and what is left before it must be a span on
its own (two weak words, or a name).

The cost is a few small matrix products per link (BLAS on one thread: they are tiny), with the
words of up to 2,000 links tokenised at once, and a Python search of the other evidence for
each word the table leaves weak; what depends on a word alone (its kind, stems, lexicon
stems, cognate scores) is computed once per word: about 0.5 ms a link on two busy cores
(12,450 links of a generated 10,000-unit pair in 6.5 s).
"""

from __future__ import annotations

import contextlib
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Sequence

import numpy as np

from .bilingual import consecutive_runs
from .exonyms import equivalents as exonym_words
from .features import is_common
from .lexical import Lexicon
from .types import Change, Document, Finding, Link

# A word: letters/digits with inner apostrophes, hyphens and dots ("U.S.", "sama-sama", "1.127").
_WORD = re.compile(r"[^\W_](?:[\w]|['’\-.,:](?=[^\W_]))*", re.UNICODE)
_DIGIT = re.compile(r"\d")

#: English function words and words a faithful translation often leaves implicit.
EN_FUNCTION = frozenset("""
a an the this that these those there here it its it's he him his she her hers they them their
theirs we us our ours you your yours i me my mine who whom whose which what when where why how
whether if then than so as at by for from in into of off on onto out over to up with within
without about above across after against along among around before behind below beneath beside
besides between beyond but during except inside near since through throughout toward towards
under until upon via per and or nor not no yes also too very just only even still yet already
again ever never always often soon now then thus however although though while whereas because
unless once both either neither each every all any some many much more most less least few
several other another such same own be is am are was were been being have has had having do
does did doing done will would shall should can could may might must ought let get got gets
getting make made makes one ones said says say saying told tell tells according mr mrs ms dr
go goes going went gone come comes coming came take takes taking took taken put puts putting
set keep keeps kept give gives giving gave given bit part
s t d ll re ve m o wo ca don didn doesn isn wasn aren weren hasn haven hadn won wouldn couldn
shouldn can't cannot well like way something anything nothing everything someone anyone
everyone thing things lot lots really quite rather almost around back away per cent percent
""".split())

#: Indonesian function words and words a translation adds without a source word, and the
#: counterparts of English function words ("sesuatu" something, "melakukan" do: "do more" /
#: "melakukan sesuatu yang lebih" leaves no content word of its own).
ID_FUNCTION = frozenset("""
yang dan di ke dari pada untuk dengan dalam oleh bahwa adalah ialah merupakan ini itu tersebut
juga tidak tak bukan belum sudah telah akan sedang masih pernah bisa dapat boleh harus perlu
mau ingin ada para sang si sebuah seorang sebagai seperti secara karena sebab jika kalau bila
apabila ketika saat sejak hingga sampai agar supaya namun tetapi tapi serta atau maupun baik
lagi pun lah kah nya ia dia mereka kami kita kamu anda saya aku beliau nya -nya ya apa siapa
mana mengapa kenapa bagaimana kapan dimana apakah bagi tentang terhadap kepada antara atas
bawah sekitar hanya saja sangat amat paling lebih kurang cukup banyak sedikit semua seluruh
setiap tiap beberapa berbagai para hal cara pula yakni yaitu adapun sehingga maka lalu kemudian
setelah sebelum selama sementara meski meskipun walaupun walau demikian begitu sini situ sana
nah pak bu bapak ibu tn ny kata katanya mengatakan menurut ujar ucap tutur papar ungkap
menambahkan mengungkapkan menjelaskan menyatakan berkata bilang yg dgn tsb sdh blm
sesuatu melakukan
""".split())


def function_words(lang: str) -> frozenset[str]:
    """The function words of ``lang`` (English's for a language other than Indonesian)."""
    return ID_FUNCTION if lang == "id" else EN_FUNCTION

_LEXICON_FILE = Path("lexicon") / "en-id.pairs.txt"

#: Weekdays and months, which the lexicons leave out (they write them capitalised).
_CALENDAR = tuple(zip(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december""".split(),
    """senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli
    agustus september oktober november desember""".split()))


@dataclass(frozen=True)
class PartialParams:
    """Thresholds of the partial-omission check (they go into the report signature).

    ``cover``: a word counts as rendered when its best evidence reaches this (cosine-like, 0-1).
    ``min_run``: consecutive uncovered content words that make a span.
    ``max_gaps``: the largest share of uncovered content words outside the span for the link
    to be judged at all (a free or wrong link has gaps everywhere).
    ``gap_ratio``: the most uncovered content words outside the span, per word of the span.
    ``bridge``: covered words a run may step over (a word a cut clause shares by chance with
    the rest, "days" / "hari") when the run has at least ``min_run + 1`` uncovered words.
    ``gap_weight``: how many run words one uncovered word of the other side in the same place
    explains (as a paraphrase).
    ``max_other``: the largest share of uncovered content words on the other side (a free
    rendering leaves gaps on both sides, a cut clause on one).
    ``gap_allow``: uncovered words outside the run allowed on top of ``max_gaps``.
    ``mid_cover``: the highest mean cover of a shortest run (``min_run`` words) inside a
    sentence; a run that ends its sentence (where cut clauses are) needs no more than the
    rest (a pair of rare words a free rendering leaves mid-sentence is the commonest noise).
    ``names_anyway``: a run of names (one or more) with no name of the other side left over in
    its place is a span even in a loosely rendered link (a name's absence is plain; the
    loose-link guards are for the table's weak evidence on ordinary words).
    ``min_words``: content words a sentence needs before it is judged word by word.
    ``names``: also report a lone name of the source the translation does not write (not
    the other way round: a translation adds a name's first name, a rank, a region, and an
    added name with no source is the drift check's business; so is a number, dropped or
    written another way: :mod:`fidelity.rules.numbers` reads "kelima", "VII" and "US$200").
    ``additions``: also report spans the translation adds; ``add_min_run``: the run length
    they need (a translation spells out more than its source: classifiers, "hari" before a
    weekday, explanations, so the target side is noisier).
    ``itermax``, ``slack``, ``pair_floor``: how the words both sides leave uncovered are
    paired with each other (see :func:`pair_leftovers`); ``run_slack``: how far beyond the
    counterparts of a run's covered neighbours its paraphrase may sit.
    ``mid_run``: the uncovered words a run inside a sentence needs; ``tail_run``: a run that
    ends its sentence; ``unit``: a run inside a sentence must open a clause
    (:attr:`Word.opens`). ``sure_cover``, ``sure_other``: a shorter run passes when no word of
    it has evidence above ``sure_cover``, nothing of the other side is left over in its place
    and at most ``sure_other`` of the other side's words are uncovered. ``min_score``: the
    lowest span score (1 - mean cover) reported. ``calendar``: a weekday or month each side
    writes differently is a changed date (drift), not a missing word. ``name_phrase``: a name
    glued to a rendered name is not a dropped name. ``fronted``: a run that ends its sentence
    also counts the other side's uncovered words before its first covered one.
    ``tail_cut``: also run the trailing-clause test (:func:`tail_span`) on the words as the
    evidence first found them; ``tail_cover``: the cover a word at the end needs there to
    count as rendered (a chance neighbour in the table scores just over ``cover``);
    ``tail_gain``: how much closer (cosine of token-vector sums) the translation must be to
    the source without the run than to the whole source; ``tail_net``: the run's words
    beyond the uncovered words the translation has after the run's left anchor.
    ``tail_short``: a link whose translation is this much shorter (log of the character
    ratio) than the translation's own habit (:func:`document_ratio`) is short, and then a
    run that outnumbers the translation's uncovered words after its anchor by ``short_net``
    is cut, with no word or sentence signal needed; ``tail_mild``: a link this much shorter
    is mildly short, and then the word ground needs the run to outnumber those words by only
    ``mild_net`` (with the sentence view's ``mild_gain``), and a run that also passes the
    word ground (``tail_net`` or the translation ending before it) needs no more of the
    sentence view than ``both_gain`` (not clearly farther from the cut source); ``tail_long``: above this the
    translation is long for its source and the word ground does not apply.
    ``tail_loose``: the largest share of weak words in the sentence before the run (plus
    one word) for the test to apply (a loosely rendered sentence has weak words everywhere).
    ``name_parts``: a run of weak words that is no span is searched for a name inside it
    (not at its sentence's ends), judged on its own. ``name_count``: a name the translation
    writes fewer times (but at least once) than the source has lost its extra mentions. Both
    are off (``--strict-names`` turns them on): together, on the dev stories (seeds 0-2),
    they raise the dropped names found from 80 % to 87 % but flag two more faithful stories,
    one of them for a free rendering ("won 5-3 in Dundee" / "pertandingan kandang"), and add
    flags on loose text ("Sudin PU", "Pemprov DKI").
    ``lone_word``: a trailing run of one word is cut when the translation is short
    (``tail_short``), ends before it, nothing renders it (``sure_cover``), it is no word of a
    rendered capitalised name ("Public Prosecution Service" / "Jaksa Penuntut Umum"), and
    the cut source is no farther from the translation (``lone_gain``). ``lone_phrase``: a
    lone last word after a function word ("... no one is allowed in or out of the
    building.") heads a phrase of its own: it is cut, whatever its evidence below
    ``cover`` (not a word rendered out of place or claimed by another: "Alexander and
    Hymenaeus" / "Aleksander dan Himeneus", fronted), when the translation is only mildly
    short (``tail_mild``) and has no word after the anchor left for it, on the other
    grounds of ``lone_word``, the sentence view needing only not to be clearly farther
    (``both_gain``: the more signals agree, the less each has to say); a degree adverb
    before it ("very seriously") modifies it and makes no phrase. ``speaker``: a name
    ending the source sentence (with its verb), or a word after a subject pronoun
    ("..., he disclosed."), is not missing when the translation writes a speech verb with
    the clitic "-nya" ("tandasnya", "ujarnya", "katanya") or with a name after it
    ("tandas Rahmad"); a longer span ending with that attribution after a comma or a quote
    is cut before it (:func:`_without_attribution`).
    ``proper``: a word capitalised inside its sentence and alone (:func:`_lone`: no
    capitalised word beside it, not in brackets, no demonym) or an acronym, that no
    evidence renders, is a name even when it is a dictionary word ("a joint venture with
    Boots", "LGBT people"): it pairs only with a capitalised word left over, and a lone one
    is missing when the translation has no capitalised word left over anywhere (an acronym:
    no word at all left over in its place, as it may be spelt out).
    ``tail_order``: how far back (in words of the translation) a word's counterpart may lie
    behind those of the rendered words before it and still render it, at the end.
    """

    cover: float = field(default=0.5, metadata={"sig": "cover"})
    min_run: int = field(default=2, metadata={"sig": "run"})
    max_gaps: float = field(default=0.2, metadata={"sig": "gaps"})
    min_words: int = field(default=3, metadata={"sig": "words"})
    names: bool = field(default=True, metadata={"sig": "names"})
    additions: bool = field(default=False, metadata={"sig": "add"})
    add_min_run: int = field(default=5, metadata={"sig": "arun"})
    gap_ratio: float = field(default=1.0, metadata={"sig": "gratio"})
    bridge: int = field(default=2, metadata={"sig": "bridge"})
    gap_weight: float = field(default=1.0, metadata={"sig": "gweight"})
    max_other: float = field(default=0.5, metadata={"sig": "other"})
    gap_allow: int = field(default=1, metadata={"sig": "gallow"})
    itermax: int = field(default=2, metadata={"sig": "iter"})
    slack: int = field(default=1, metadata={"sig": "slack"})
    run_slack: int = field(default=0, metadata={"sig": "rslack"})
    pair_floor: float = field(default=-1.0, metadata={"sig": "pfloor"})
    mid_cover: float = field(default=0.2, metadata={"sig": "mid"})
    names_anyway: bool = field(default=True, metadata={"sig": "nany"})
    mid_run: int = field(default=5, metadata={"sig": "mrun"})
    unit: bool = field(default=True, metadata={"sig": "unit"})
    sure_cover: float = field(default=0.15, metadata={"sig": "sure"})
    min_score: float = field(default=0.62, metadata={"sig": "score"})
    calendar: bool = field(default=True, metadata={"sig": "cal"})
    name_phrase: bool = field(default=True, metadata={"sig": "nphrase"})
    fronted: bool = field(default=True, metadata={"sig": "front"})
    sure_other: float = field(default=0.2, metadata={"sig": "sother"})
    tail_run: int = field(default=2, metadata={"sig": "trun"})
    tail_cut: bool = field(default=True, metadata={"sig": "tcut"})
    tail_gain: float = field(default=0.02, metadata={"sig": "tgain"})
    tail_cover: float = field(default=0.5, metadata={"sig": "tcover"})
    tail_net: int = field(default=2, metadata={"sig": "tnet"})
    tail_short: float = field(default=-0.25, metadata={"sig": "tshort"})
    tail_long: float = field(default=0.1, metadata={"sig": "tlong"})
    tail_loose: float = field(default=0.5, metadata={"sig": "tloose"})
    short_net: int = field(default=0, metadata={"sig": "snet"})
    tail_order: int = field(default=3, metadata={"sig": "torder"})
    tail_mild: float = field(default=-0.1, metadata={"sig": "tmild"})
    mild_net: int = field(default=1, metadata={"sig": "mnet"})
    mild_gain: float = field(default=0.02, metadata={"sig": "mgain"})
    both_gain: float = field(default=-0.01, metadata={"sig": "bgain"})
    name_parts: bool = field(default=False, metadata={"sig": "nparts"})
    name_count: bool = field(default=False, metadata={"sig": "ncount"})
    lone_word: bool = field(default=True, metadata={"sig": "lone"})
    speaker: bool = field(default=True, metadata={"sig": "speaker"})
    lone_gain: float = field(default=0.0, metadata={"sig": "lgain"})
    lone_phrase: bool = field(default=True, metadata={"sig": "lphrase"})
    proper: bool = field(default=True, metadata={"sig": "proper"})


# --------------------------------------------------------------------------- stemming

_ID_PARTICLE = re.compile(r"(?<=\w{3})(lah|kah|tah|pun)$")
_ID_POSSESSIVE = re.compile(r"(?<=\w{3})(nya|ku|mu)$")
_ID_SUFFIX = re.compile(r"(?<=\w{3})(kan|an|i)$")
# First-order prefixes with the letter a nasal replaced (meny-apu -> sapu, mem-ukul -> pukul).
_ID_PREFIX1 = (("meng", ("", "k")), ("meny", ("s",)), ("mem", ("p", "")), ("men", ("t", "")),
               ("me", ("",)), ("peng", ("", "k")), ("peny", ("s",)), ("pem", ("p", "")),
               ("pen", ("t", "")), ("di", ("",)), ("ter", ("",)), ("ke", ("",)), ("se", ("",)))
_ID_PREFIX2 = ("ber", "bel", "be", "per", "pel", "pe")


def fold(word: str) -> str:
    """Lower case, accents and typographic apostrophes folded ("L’Oréal" -> "l'oreal")."""
    if word.isascii():
        return word.lower()  # nothing to decompose
    word = unicodedata.normalize("NFKD", word.lower().replace("’", "'"))
    return "".join(c for c in word if not unicodedata.combining(c))


def _compound_parts(parts: list[str], function: frozenset[str]) -> list[str]:
    """The parts of a hyphenated compound whose stems are the compound's too: a compound
    renders each of its parts ("UN-sponsored" / "disponsori PBB", "Sub-Department" /
    "Suku Dinas", "Ambon-Maluku" / "Ambon"), and the parts of a partial reduplication are
    its stem ("berulang-ulang"). Parts under 3 letters and function words are left out
    ("up-to-date"); a word without a hyphen has none."""
    if len(parts) < 2:
        return []
    return [p for p in parts if len(p) >= 3 and p not in function]


@functools.lru_cache(maxsize=200_000)
def id_stems(word: str) -> frozenset[str]:
    """Candidate stems of a lower-case Indonesian word, the word itself included.

    Reduplication is folded ("negara-negara" -> "negara"), then particles, possessives,
    derivational suffixes and up to two prefixes are stripped; a meN-/peN- prefix yields both
    readings of its nasal ("menulis" -> "ulis", "tulis"). Stems shorter than 3 letters are
    dropped. No dictionary: both sides of a comparison are stemmed the same way.
    """
    if "-" in word:
        head, _, tail = word.partition("-")
        word = head if head and (tail == head or tail.endswith(head)) else word.replace("-", "")
    out = {word}
    base = _ID_POSSESSIVE.sub("", _ID_PARTICLE.sub("", word))
    forms = {base, _ID_SUFFIX.sub("", base)}
    for form in list(forms):
        for pre, repl in _ID_PREFIX1:
            if form.startswith(pre) and len(form) - len(pre) >= 3:
                rest = form[len(pre):]
                forms.update(r + rest for r in repl)
                break
    for form in list(forms):
        for pre in _ID_PREFIX2:
            if form.startswith(pre) and len(form) - len(pre) >= 3:
                forms.add(form[len(pre):])
                break
    out |= {f for f in forms if len(f) >= 3}
    return frozenset(out)


@functools.lru_cache(maxsize=200_000)
def en_stems(word: str) -> frozenset[str]:
    """Candidate lemmas of a lower-case English word, the word itself included
    ("officials" -> "official", "administered" -> "administer", "cities" -> "city")."""
    out = {word}
    for suffix, repls in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ied", ("y",)),
                          ("ed", ("", "e")), ("ing", ("", "e")), ("ly", ("",)), ("'s", ("",))):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: len(word) - len(suffix)]
            out.update(stem + r for r in repls)
            if len(stem) >= 4 and stem[-1] == stem[-2] and suffix in ("ed", "ing"):
                out.add(stem[:-1])  # "planned" -> "plan"
            break
    return frozenset(out)


@functools.lru_cache(maxsize=200_000)
def stems(word: str, lang: str) -> frozenset[str]:
    """Candidate stems of a folded word in ``lang`` (the word alone for another language),
    with those of a hyphenated word's parts (:func:`_compound_parts`; not in
    :func:`lexicon_pairs`, whose hyphenated entries are phrases glossed as a whole:
    "aide-de-camp" / "ajudan")."""
    if lang == "id":
        own, function = id_stems, ID_FUNCTION
    elif lang == "en":
        own, function = en_stems, EN_FUNCTION
    else:
        return frozenset((word,))
    parts = _compound_parts(word.split("-"), function) if "-" in word else []
    return own(word).union(*(own(p) for p in parts))


# --------------------------------------------------------------------------- cognates

_EN_SPELL = ((r"ph", "f"), (r"th", "t"), (r"qu", "kw"), (r"x", "ks"), (r"tion\b", "si"),
             (r"sion\b", "si"), (r"ity\b", "itas"), (r"c(?=[eiy])", "s"), (r"ch", "k"), (r"c", "k"),
             (r"y", "i"), (r"oo", "u"), (r"ee", "i"), (r"(.)\1", r"\1"))
_EN_SPELT = tuple((re.compile(pattern), repl) for pattern, repl in _EN_SPELL)


@functools.lru_cache(maxsize=200_000)
def _spelt_id(word: str) -> str:
    """An English word spelt the way Indonesian borrows it ("democracy" -> "demokrasi")."""
    for pattern, repl in _EN_SPELT:
        word = pattern.sub(repl, word)
    return word


def _similar(a: str, b: str) -> float:
    """1 - normalised Levenshtein distance of two short strings."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return 1.0 - _levenshtein(a, b) / max(len(a), len(b))


def _levenshtein(a: str, b: str) -> int:
    """The edit distance of two non-empty strings, by Myers' bit-parallel algorithm
    (Hyyrö's form): one column of the dynamic programme is a pair of bit vectors over ``a``,
    updated with a few integer operations per letter of ``b`` (the cognate test calls this
    for every pair of like words the table leaves unrendered)."""
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    full = (1 << len(a)) - 1
    top = 1 << (len(a) - 1)
    pv, mv, dist = full, 0, len(a)
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            dist += 1
        elif mh & top:
            dist -= 1
        ph = ((ph << 1) | 1) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
    return dist


@functools.lru_cache(maxsize=400_000)
def cognate(word: str, other: str, lang: str) -> float:
    """How much ``word`` (in ``lang``) and ``other`` (in the other language) look like one word
    borrowed: edit similarity after respelling the English one, 0 for words under 4 letters."""
    if len(word) < 4 or len(other) < 4:
        return 0.0
    en, ind = (word, other) if lang == "en" else (other, word)
    if en[0] != ind[0] and not (en[0] == "c" and ind[0] in "ks"):
        return 0.0
    en = _spelt_id(en)
    if en[0] != ind[0] or 3 * abs(len(en) - len(ind)) > max(len(en), len(ind)):
        return 0.0  # too different in length to pass the similarity a cognate needs
    return _similar(en, ind)


# --------------------------------------------------------------------------- the lexicon pairs

@functools.lru_cache(maxsize=1)
def lexicon_pairs() -> dict[str, dict[str, frozenset[str]]]:
    """The shipped word pairs as stem maps both ways: ``{"en": {en stem: id stems}, "id": ...}``
    (empty where the file is missing: the other evidence still works)."""
    from . import models_dir

    path = models_dir() / _LEXICON_FILE
    maps: dict[str, dict[str, set[str]]] = {"en": {}, "id": {}}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    rows = [line.partition("\t")[::2] for line in lines if line and not line.startswith("#")]
    for en, ind in rows + list(_CALENDAR):
        if not en or not ind:
            continue
        e_st, i_st = en_stems(en), id_stems(ind)
        for e in e_st:
            maps["en"].setdefault(e, set()).update(i_st)
        for i in i_st:
            maps["id"].setdefault(i, set()).update(e_st)
    return {lang: {k: frozenset(v) for k, v in m.items()} for lang, m in maps.items()}


# --------------------------------------------------------------------------- words of a sentence

@dataclass(frozen=True)
class Word:
    """One word of a sentence: its folded form, document offsets and what kind of word it is."""

    key: str
    start: int
    end: int
    content: bool
    name: bool  # a capitalised word not at the sentence start, an acronym, or a number
    number: bool
    opens: bool = False  # the first content word of a clause (after a comma, "which", "and"...)
    cap: bool = False  # written with a capital (a name, an acronym, a sentence's first word)
    glued: bool = False  # right after the previous content word (a space or apostrophe between)
    #: Capitalised inside its sentence: not its first word, nor right after a quote or a colon
    #: (where a quoted sentence starts). Such a word is a proper noun even when it is also a
    #: dictionary word ("a joint venture with Boots", "the Trump administration").
    mid: bool = False
    acronym: bool = False  # all capitals, two letters or more ("LGBT", "ISIS", "JAY-Z")
    #: A name by its capital alone (:func:`_proper_names`): a dictionary word or an acronym
    #: that nothing of the other side renders.
    weak: bool = False
    #: Capitalised inside its sentence with no capitalised word next to it, not in brackets
    #: (:func:`_lone`).
    lone: bool = False
    #: A title's abbreviation before a name ("Lt. Gen. Ramon", :data:`_TITLE_ABBREVIATION`):
    #: a translation spells it out or abbreviates it its own way ("Letjen"), so it is never
    #: a dropped name on its own (with the name after it, it is part of one).
    title: bool = False


_ACRONYM = re.compile(r"^(?:[A-Z]{2,5}|(?:[A-Za-z]\.)+[A-Za-z]?)$")


def _is_name(raw: str, key: str, lang: str) -> bool:
    """A capitalised word that is no ordinary word of ``lang`` and no acronym (acronyms are
    often spelt out or rendered by another acronym: "U.N." / "PBB", "AI" / "kecerdasan
    buatan")."""
    if not (raw[:1].isupper() and len(key) > 2 and not _ACRONYM.match(raw)):
        return False
    return not is_common(key, lang)


_CLITICS = frozenset(("s", "ll", "re", "ve", "d", "m", "t"))


#: Function words that open a clause: a run of uncovered words that starts after one of them
#: (or after a comma, semicolon, colon, dash or bracket) is a clause a translation can drop.
_OPENERS = {"en": frozenset("""and but or nor which who whom whose that while whereas because
                            after before when where although though since as if unless until so
                            with without by including""".split()),
            "id": frozenset("""dan tetapi tapi namun atau yang karena sebab setelah sebelum ketika
                            saat sejak meski meskipun walaupun sehingga agar supaya jika bila dengan
                            tanpa oleh termasuk""".split())}
_BREAK = re.compile(r"[,;:(\[–—]|\s-\s")


def sentence_words(text: str, offset: int, lang: str) -> list[Word]:
    """The words of one sentence, with document offsets (``offset`` is the sentence's start).
    A content word *opens* a clause when a clause opener (:data:`_OPENERS`) or a break
    (comma, semicolon, colon, dash, bracket) lies between it and the previous content word."""
    return _scan(text, offset, lang)


def _scan(text: str, offset: int, lang: str, function: set[str] | None = None) -> list[Word]:
    """:func:`sentence_words`; with ``function``, only the content words, the keys of the
    function words going into ``function`` instead (the partial check reads no more, and a
    sentence has as many function words as content words)."""
    openers = _OPENERS.get(lang, frozenset())
    kind, breaks, new = word_kind, _BREAK.search, Word  # (bound once: a loop per word)
    out = []
    last_end = None  # end (in the sentence) of the previous content word
    opener = False  # an opener word seen since the previous content word
    prev_content = False  # whether the previous word was a content word
    prev_end = None  # end (in the sentence) of the previous word of any kind
    quoted = _QUOTE_START.search
    for m in _WORD.finditer(text):
        raw, key, number, name, content, cap = kind(m.group(0), lang)
        start = m.start()
        mid = cap and prev_end is not None and not quoted(text, prev_end, start)
        # (an acronym in brackets abbreviates the words before it: "Demilitarised Zone (DMZ)")
        acronym = (cap and raw.isupper() and sum(c.isalpha() for c in raw) >= 2
                   and text[start - 1:start] != "(")
        title = name and not number and not acronym and bool(_TITLE_ABBREVIATION.match(text, start))
        if content:
            opens = last_end is not None and (opener or bool(breaks(text, last_end, start)))
            glued = prev_content and not text[last_end:start].strip(" '’")
            last_end, opener = start + len(raw), False
            out.append(new(key, offset + start, offset + start + len(raw), content, name, number,
                           opens, cap, glued, mid, acronym, title=title))
        else:
            if key in openers:
                opener = True
            if function is None:
                out.append(new(key, offset + start, offset + start + len(raw), content, name,
                               number, False, cap, False, mid, acronym))
            else:
                function.add(key)
        prev_content = content
        prev_end = start + len(m.group(0))
    if any(w.mid for w in out):
        if _title_case(text):
            out = [replace(w, mid=False) if w.mid else w for w in out]  # a headline's capitals
        else:
            function = function_words(lang)
            out = [replace(w, lone=_lone(text, w.start - offset, w.end - offset, function))
                   if w.mid and w.content and not w.number else w for w in out]
    return out


#: Lower-case words inside a multi-word name ("House of Representatives", "Kementerian
#: Pekerjaan Umum dan Perumahan Rakyat").
_NAME_JOINERS = r"(?:of|and|for|the|de|du|des|van|von|der|del|da|la|le|dan)"
_LEFT_CAP = re.compile(r"(\S+)\s+(?:" + _NAME_JOINERS + r"\s+)?$")
_RIGHT_CAP = re.compile(r"(?:['’]s)?\s+(?:" + _NAME_JOINERS + r"\s+)?(\S+)")
#: A short capitalised word written with a full stop before a capitalised word: a title's
#: abbreviation ("Lt. Gen. Ramon", "Sen. Warren", "Gov. Newsom"), which a translation spells
#: out or abbreviates its own way ("Letjen", "Senator", "Gubernur"): :attr:`Word.title`.
_TITLE_ABBREVIATION = re.compile(r"[A-Z][a-z]{1,3}\.\s+[A-Z]")


def _lone(text: str, start: int, end: int, function: frozenset[str]) -> bool:
    """Whether the capitalised word at ``text[start:end]`` stands alone: no capitalised
    content word next to it (a name joiner such as "of" between them allowed) and not in
    brackets. A multi-word title or institution of dictionary words ("Public Works
    Department", "Transportation Ministry", "Presiding Officer") is translated or
    abbreviated freely ("Dinas PU", "Kemenhub", "sang ketua"), and a word in brackets is
    often a gloss ("Alhamdulillah (thank God)"); a lone one ("a joint venture with Boots")
    is a name."""
    if text.count("(", 0, start) > text.count(")", 0, start):
        return False
    for m in (_LEFT_CAP.search(text, 0, start), _RIGHT_CAP.match(text, end)):
        if m is None:
            continue
        token = m.group(1)
        if m.re is _LEFT_CAP and token[-1:] in ",;:!?)]\"”":
            continue  # (a break between them)
        token = token.strip("\"“”‘’'()[],;:!?")
        key = fold(token.rstrip("."))
        base = key[:-2] if key.endswith(("'s", "’s")) else key
        if token[:1].isupper() and base not in function and not _DIGIT.search(token):
            return False
    return True


def _title_case(text: str) -> bool:
    """Whether more than half the words of ``text`` are capitalised (a headline or a title
    written in title case: "And Women Need to Wield It.")."""
    words = _WORD.findall(text)
    return sum(w[:1].isupper() for w in words) * 2 > len(words)


#: A quote or colon between two words: the next word may begin a (quoted) sentence, so its
#: capital says nothing.
_QUOTE_START = re.compile(r"[\"“”‘’:]|(?<!\w)'")


@functools.lru_cache(maxsize=200_000)
def word_kind(token: str, lang: str) -> tuple[str, str, bool, bool, bool, bool]:
    """What :func:`sentence_words` needs of one matched token, which depends on the token
    alone (cached: a document says its words many times): (the word without trailing
    punctuation, its folded key, number, name (and content), content, capitalised)."""
    raw = token.rstrip(".,:")
    key = fold(raw)
    base, apo, clitic = key.partition("'")
    if apo and clitic in _CLITICS:  # "she'll" -> "she", "couldn't" -> "could", "Iran's" -> "iran"
        key = base[:-1] if clitic == "t" and base.endswith("n") and base != "can" else base
    function = function_words(lang)
    number = bool(_DIGIT.search(raw)) or (lang == "en" and _is_number_word(key))
    content = number or (len(key) > 1 and key not in function
                         and not (lang == "id" and key.endswith("nya") and key[:-3] in function))
    name = content and (number or _is_name(raw, key, lang))
    return raw, key, number, name, content, raw[:1].isupper()


#: English cardinal number words: a number spelt out is rendered in digits as often as in
#: words ("twenty-three on board" / "23 awak", "Fifty others" / "Lima puluh orang"), so it is
#: a number (a changed or reformatted one is the drift check's business), not a name.
_EN_NUMBER_WORDS = frozenset("""zero two three four five six seven eight nine ten eleven twelve
thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
seventy eighty ninety hundred thousand million billion trillion dozen hundreds thousands millions
billions dozens""".split())


def _is_number_word(key: str) -> bool:
    """Whether a folded English word is a number spelt out ("fifty", "twenty-three")."""
    return all(part in _EN_NUMBER_WORDS for part in key.split("-"))


def number_key(key: str, lang: str) -> str:
    """A number's comparison key: its digits, separators dropped ("1,127" and "1.127" -> "1127").
    Public: the aligner (:mod:`fidelity.align`) compares numbers by the same key."""
    return re.sub(r"\D", "", key)


# --------------------------------------------------------------------------- evidence

class _Vectors:
    """Word vectors from the token table, cached per folded word for one call."""

    #: Words whose piece rows are summed at once: a block's rows stay in the cache (all the
    #: rows of 20,000 words at once, 100 MB, took three times as long to gather and sum).
    BLOCK = 512

    def __init__(self, lexicon: Lexicon) -> None:
        self.lex = lexicon
        self.index: dict[str, int] = {}  # word -> its row of ``table``
        self.table = np.zeros((0, lexicon.unit.shape[1]), dtype=np.float32)

    def prepare(self, words: Sequence[str]) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self.index]
        if not new:
            return
        toks = self.lex.tokens(new)
        starts = toks.starts
        sums = np.zeros((len(new), self.lex.unit.shape[1]), dtype=np.float32)
        for a in range(0, len(new), self.BLOCK):  # the piece rows of a block of words at a time
            b = min(a + self.BLOCK, len(new))
            lo, hi = int(starts[a]), int(starts[b])
            if hi == lo:
                continue
            ids = toks.ids[lo:hi]
            rows = self.lex.unit[ids] * self.lex.weight[ids, None]
            keep = starts[a + 1:b + 1] > starts[a:b]
            sums[a:b][keep] = np.add.reduceat(rows, starts[a:b][keep] - lo, axis=0)
        sums /= np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)
        base = len(self.index)
        self.index.update((w, base + k) for k, w in enumerate(new))
        self.table = np.concatenate([self.table, sums]) if base else sums

    def kept(self, words: Sequence[str]) -> "_Vectors":
        """A copy with only the vectors of ``words`` that this one holds (the next chunk of
        links says many of the same words: they are not tokenised again, and the table
        stays the size of one chunk's words)."""
        out = _Vectors(self.lex)
        held = [w for w in words if w in self.index]
        if held:
            out.index = {w: k for k, w in enumerate(held)}
            out.table = self.table[self.rows(held)]
        return out

    def rows(self, words: Sequence[str]) -> np.ndarray:
        """The rows of ``words`` in :attr:`table` (each prepared before)."""
        index = self.index
        return np.array([index[w] for w in words], dtype=np.intp)

    def matrix(self, words: Sequence[str]) -> np.ndarray:
        return self.table[self.rows(words)] if words else np.zeros((0, 1), np.float32)


@functools.lru_cache(maxsize=200_000)
def rendering_stems(key: str, lang: str) -> frozenset[str]:
    """The stems of ``key`` and the stems the lexicon pairs give them in the other language:
    a word of the other side with one of these stems renders ``key``."""
    own = stems(key, lang)
    pairs = lexicon_pairs().get(lang, {})
    return own.union(*(pairs.get(s, frozenset()) for s in own))


@functools.lru_cache(maxsize=50_000)
def _acronym_wanted(key: str, lang: str) -> frozenset[str]:
    """What renders an acronym: itself and its lexicon renderings, not the stems of an
    ordinary word ("ISIS" is no plural of "isi", content)."""
    return frozenset((key,)).union(lexicon_pairs().get(lang, {}).get(key, frozenset()))


#: The initials of the other side's words a cognate of a word may have, where not its own
#: (``[True]``: the word is English): English "c" is Indonesian "c", "k" or "s".
COGNATE_INITIALS = {True: {"c": "cks"}, False: {"k": "kc", "s": "sc"}}


def word_cover(words: Sequence[Word], lang: str, other: Sequence[Word], other_lang: str,
               vectors: _Vectors, cover: float,
               other_function: frozenset[str] = frozenset()
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each word of ``words``: how well ``other`` renders it (0-1), the best of the token
    table, the lexicon pairs through stems, the same name or number, and cognates; which word
    of ``other`` gave that evidence; the table's word-by-word cosines
    (``len(words) x len(other)``); and, where the evidence is the table's cosine with two
    neighbours of ``other`` together ("anniversary" / "ulang tahun"), the second of them
    (-1 elsewhere): a two-word rendering uses both words. The cheap table score is computed for all words; the rest
    only for the words it leaves below ``cover``. ``other_function``: the other side's
    function words, which render a word spelt the same ("Dan" Bennett / "dan").

    A word of ``other`` renders one phrase: when words far apart claim it ("duck" and
    "avoid" both reach "menghindari" through the lexicon, "duck" in its verb sense), the
    strongest claim keeps it and the others are scored again without it (competitive
    linking). The same word written on both sides is exempt (a name said twice), and so is
    a hyphenated compound of the other side (it renders a word per part).
    """
    n, m = len(words), len(other)
    out = np.zeros(n, dtype=np.float64)
    where = np.zeros(n, dtype=np.int64)
    if not n or not m:
        return out, where, np.zeros((n, m), dtype=np.float32), np.full(n, -1, dtype=np.int64)
    keys = [w.key for w in words]
    other_keys = [w.key for w in other]
    mat = vectors.matrix(other_keys)
    if m > 1:  # neighbours together render one word ("foreign" / "luar negeri")
        pair = mat[:-1] + mat[1:]
        pair /= np.maximum(np.linalg.norm(pair, axis=1, keepdims=True), 1e-12)
        mat = np.concatenate([mat, pair])
    sim = vectors.matrix(keys) @ mat.T
    acronyms = [i for i, w in enumerate(words) if w.acronym]
    if acronyms:
        # An acronym's pieces are those of a lower-case word ("ISIS": "isi" + "##s", the
        # table's 0.97 with "isi", content): its table evidence is a capitalised word's only
        # (the other evidence still finds it written the same or in the lexicon).
        caps = np.array([o.cap for o in other])
        if m > 1:
            caps = np.concatenate([caps, caps[:-1] | caps[1:]])
        sim[np.ix_(acronyms, np.flatnonzero(~caps))] = -1.0
    # Read from the other side only for the words the table leaves weak (built when needed).
    other_digits: list[str | None] = []
    other_stems: list[frozenset[str]] = []
    stem_at: dict[str, int] = {}  # a stem of the other side -> its first word
    by_initial: dict[str, list[int]] = {}  # cognates start alike ("c" borrowed as "k"/"s")

    def best(i: int, banned: set[int]) -> tuple[float, int]:
        if banned:
            row = sim[i].copy()
            for j in banned:
                row[j] = -np.inf
                row[[k for k in (m + j - 1, m + j) if m <= k < row.shape[0]]] = -np.inf
            k = int(row.argmax())
            score, j = float(row[k]), (k - m if k >= m else k)
            if score >= cover:
                return score, j
        else:  # the table's best, found for every word at once below
            score, j = float(out[i]), int(where[i])
        return other_evidence(i, score, j, banned)

    def other_evidence(i: int, score: float, j: int, banned: set[int]) -> tuple[float, int]:
        """The lexicon, the same word, number or stem, and cognates, for word ``i`` whose
        best table score ``score`` (with word ``j``) is below ``cover``."""
        w = words[i]
        if w.key in other_function:
            return 1.0, j
        free = [c for c in range(m) if c not in banned] if banned else range(m)
        d = number_key(w.key, lang) if w.number else ""
        if d:  # a number in digits: only the same number renders it
            if not other_digits:
                other_digits.extend(number_key(k, other_lang) if o.number else None
                                    for k, o in zip(other_keys, other))
            hit = next((c for c in free if other_digits[c] == d), -1)
            return (1.0, hit) if hit >= 0 else (score, j)
        wanted = _acronym_wanted(w.key, lang) if w.acronym else rendering_stems(w.key, lang)
        if banned:
            hit = next((c for c in free if other_keys[c] == w.key), -1)
        else:
            hit = other_keys.index(w.key) if w.key in other_keys else -1
        if hit < 0:
            if not other_stems:
                other_stems.extend(stems(k, other_lang) for k in other_keys)
            if banned:
                hit = next((c for c in free if not wanted.isdisjoint(other_stems[c])), -1)
            else:  # the first word with a wanted stem, through an index of the stems
                if not stem_at:
                    for c, st in enumerate(other_stems):
                        for x in st:
                            stem_at.setdefault(x, c)
                found = wanted.intersection(stem_at)
                hit = min(stem_at[x] for x in found) if found else -1
        if hit < 0 and w.cap and not w.number:  # an exonym, demonym or state ("Ivorian" / "Pantai Gading", "Pa." / "Pennsylvania")
            forms = exonym_words(w.key.replace(".", ""), lang, other_lang)  # ("U.S." is "us")
            if forms:
                hit = next((c for c in free if other_keys[c] in forms), -1)
        if hit >= 0:
            return 1.0, hit
        if not by_initial:
            for c, k in enumerate(other_keys):
                if k:
                    by_initial.setdefault(k[0], []).append(c)
        initial = w.key[:1]
        alike = COGNATE_INITIALS[lang == "en"].get(initial)  # cognates start alike ("c" borrowed as "k"/"s")
        proper = (w.name and not w.number) or w.acronym
        for c in (by_initial.get(initial, ()) if alike is None else
                  sorted(c for a in alike for c in by_initial.get(a, ()))):
            if c in banned or (proper and not other[c].cap):
                continue  # (a name is respelt as a name: "Scotland" / "Skotlandia", not "Bristol" / "berasal")
            g = cognate(w.key, other_keys[c], lang)
            if g > score:
                score, j = g, c
        return score, j

    same: dict[str, list[int]] = {}
    if len(set(other_keys)) < m:  # a word said twice
        for c, k in enumerate(other_keys):
            same.setdefault(k, []).append(c)

    def nearest(i: int, j: int, banned: set[int]) -> int:
        """Of the words of ``other`` spelt like word ``j``, the one nearest word ``i``'s
        place (a name said twice is matched in order, not twice to its first mention)."""
        cands = [c for c in same.get(other_keys[j], ()) if c not in banned]
        if len(cands) < 2:
            return j
        return min(cands, key=lambda c: abs((c + 0.5) / m - (i + 0.5) / n))

    def table(i: int, j: int) -> float:
        """The table's best cosine of word ``i`` with word ``j`` alone or with a neighbour."""
        cols = [j] + [k for k in (m + j - 1, m + j) if m <= k < sim.shape[1] and k - m < m - 1]
        return float(sim[i, cols].max())

    banned: list[set[int]] = [set() for _ in range(n)]
    same_key: dict[str, list[int]] = {}  # a source word also written on the other side
    for i, k in enumerate(keys):
        if k in other_keys:
            same_key.setdefault(k, []).append(i)
    # First pass, the table's best for every word at once (as :func:`best` reads a row);
    # the words below ``cover`` look for the other evidence one by one.
    top = sim.argmax(axis=1)
    out[:] = sim[np.arange(n), top]
    where[:] = np.where(top >= m, top - m, top)
    for i in np.flatnonzero(out < cover).tolist():
        out[i], where[i] = best(i, banned[i])
    said_twice = {k for k, c in same.items() if len(c) > 1}
    if said_twice:
        for i, j in enumerate(where.tolist()):
            if other_keys[j] in said_twice:
                where[i] = nearest(i, j, banned[i])
    for _ in range(2):
        claims: dict[int, list[int]] = {}
        at = where.tolist()
        for i in np.flatnonzero(out >= cover).tolist():
            if keys[i] != other_keys[at[i]] and keys[i] not in other_keys[at[i]].split("-"):
                claims.setdefault(at[i], []).append(i)
        changed = False
        for j, group in claims.items():
            # A word written the same on both sides is that word's: a name reaching it by
            # the table alone ("Sinsheim" / "Hoffenheim", 0.52) is rendered by something else
            # or by nothing (not a word of the same stem: "Bolivian" / "Bolivia").
            if other_keys[j] in same_key and any(at[c] == j for c in same_key[other_keys[j]]):
                alien = [i for i in group if words[i].name and not words[i].number
                         and keys[i][:4] != other_keys[j][:4]]
                for i in alien:
                    banned[i].add(j)
                    out[i], where[i] = best(i, banned[i])
                    changed = True
                group = [i for i in group if i not in alien]
            if len(group) < 2 or _is_compound(other_keys[j], other_lang):
                continue  # (a compound renders a word per part: "Ambon (Maluku)" / "Ambon-Maluku")
            # The model's own table reaching ``cover`` outranks the lexicon's flat 1.0: a
            # sense-noisy pair ("cuts" / "pembunuhan" through "cut" / "bunuh") must not take
            # the word from the word the table pairs it with ("murder" / "pembunuhan" 0.68).
            top = max(group, key=lambda i: (table(i, j) >= cover, out[i], sim[i, j]))
            for i in group:
                if abs(i - top) > 2:
                    banned[i].add(j)
                    out[i], where[i] = best(i, banned[i])
                    where[i] = nearest(i, int(where[i]), banned[i])
                    changed = True
        if not changed:
            break
    # The second word of a two-word rendering: the pair's cosine is the evidence found.
    nxt = np.full(n, -1, dtype=np.int64)
    if m > 1:
        at = np.minimum(where, m - 2)
        pair_score = sim[np.arange(n), m + at]
        two = (where < m - 1) & (pair_score >= out - 1e-6) & (pair_score > sim[np.arange(n), where])
        nxt[two] = where[two] + 1
    return out, where, sim[:, :m], nxt


def _is_compound(key: str, lang: str) -> bool:
    """Whether a folded word is a hyphenated compound of two or more words ("ambon-maluku",
    "un-sponsored"; not a reduplication, whose parts share a stem: "negara-negara",
    "terus-menerus")."""
    if "-" not in key:
        return False
    parts = [p for p in key.split("-") if p]
    return len(parts) > 1 and not _one_lemma(parts, lang)


def _one_lemma(keys: Sequence[str], lang: str) -> bool:
    """Whether the words ``keys`` share a stem (one word inflected: "bus", "buses")."""
    common = stems(keys[0], lang)
    for key in keys[1:]:
        common = common & stems(key, lang)
        if not common:
            return False
    return True


def _windows(cov: np.ndarray, where: np.ndarray, m: int, cover: float, slack: int) -> np.ndarray:
    """Per word: a boolean row over the ``m`` words of the other side that lie between the
    counterparts of its nearest covered neighbours (the anchors), widened by ``slack``.
    Before the first anchor the window opens at the start, after the last one it runs to the
    end."""
    n = cov.shape[0]
    anchors = np.flatnonzero(cov >= cover)
    if not anchors.size:
        return np.ones((n, m), dtype=bool)
    i = np.arange(n)
    k = np.searchsorted(anchors, i)  # anchors[k - 1] < i <= anchors[k]
    has_left = k > 0
    nxt = np.minimum(k, anchors.size - 1)
    has_right = (k < anchors.size) & (anchors[nxt] > i)
    left = where[anchors[np.maximum(k - 1, 0)]].astype(np.int64)
    right = where[anchors[nxt]].astype(np.int64)
    both = has_left & has_right
    lo = np.where(both, np.minimum(left, right) - slack,
                  np.where(has_left, left - slack, 0))
    hi = np.where(both, np.maximum(left, right) + slack,
                  np.where(has_right, right + slack, m - 1))
    pos = np.arange(m)
    return (pos[None, :] >= lo[:, None]) & (pos[None, :] <= hi[:, None])


def pair_leftovers(s_words: Sequence[Word], t_words: Sequence[Word], s_cov: np.ndarray,
                   s_where: np.ndarray, t_cov: np.ndarray, t_where: np.ndarray, sim: np.ndarray,
                   params: "PartialParams") -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Covers and counterparts after pairing the words each side leaves uncovered with each
    other.

    A freely translated phrase leaves words without evidence on *both* sides ("take a hard
    look at" / "menggebrak ajang"); a cut clause leaves them on one side only. So the
    uncovered words of the two sides are aligned SimAlign-style (itermax: mutual best table
    cosine among the leftovers, above ``params.pair_floor``, ``params.itermax`` rounds), but
    only where each lies between the counterparts of the other's covered neighbours (a
    paraphrase sits between the same anchors on both sides; a cut clause's words have no
    leftovers there), and a paired word counts as covered. A number is never paired (only
    the same number renders it) and a name pairs only with a name.
    """
    s_cov, t_cov = s_cov.copy(), t_cov.copy()
    s_where, t_where = s_where.copy(), t_where.copy()
    n, m = sim.shape
    if not n or not m or params.itermax <= 0 or not (s_cov < params.cover).any() \
            or not (t_cov < params.cover).any():
        return s_cov, s_where, t_cov, t_where  # nothing to pair
    near = (_windows(s_cov, s_where, m, params.cover, params.slack)
            & _windows(t_cov, t_where, n, params.cover, params.slack).T)
    s_weak = np.array([w.weak for w in s_words])
    near_weak = near[s_weak] if s_weak.any() else None
    s_num = np.array([w.number for w in s_words])
    t_num = np.array([w.number for w in t_words])
    s_name = np.array([w.name for w in s_words])
    t_name = np.array([w.name for w in t_words])
    near &= ~s_num[:, None] & ~t_num[None, :] & (s_name[:, None] == t_name[None, :])
    if near_weak is not None:  # a name by its capital pairs with a capitalised word
        t_cap = np.array([w.cap for w in t_words])  # ("Energy Secretary" / "Menteri Energi")
        near[s_weak] = near_weak & ~t_num[None, :] & t_cap[None, :]
    # The names by their capital are paired first: a capitalised word left over renders a
    # name before an ordinary word ("under the Rev. John" / "di bawah pimpinan Pendeta John").
    first = near & s_weak[:, None] if near_weak is not None else None
    for r in range(params.itermax + (first is not None)):
        allowed = first if first is not None and r == 0 else near
        us = s_cov < params.cover
        ut = t_cov < params.cover
        if not us.any() or not ut.any():
            break
        masked = np.where(us[:, None] & ut[None, :] & allowed, sim, -np.inf)
        best_t = masked.argmax(axis=1)
        best_s = masked.argmax(axis=0)
        rows = np.flatnonzero(us & (masked.max(axis=1) > params.pair_floor))
        mutual = [i for i in rows.tolist() if best_s[best_t[i]] == i]
        if not mutual:
            if allowed is first:
                continue
            break
        for i in mutual:
            j = int(best_t[i])
            s_cov[i] = t_cov[j] = params.cover
            s_where[i], t_where[j] = j, i
    return s_cov, s_where, t_cov, t_where


@dataclass(frozen=True)
class Span:
    """A run of uncovered content words of one side of a link."""

    words: tuple[Word, ...]
    score: float  # 1 - the run's mean cover: how surely the words are not rendered


def _window(anchors: np.ndarray, where: np.ndarray, first: int, last: int, m: int,
            slack: int) -> tuple[int, int]:
    """The positions ``lo..hi`` of the other side between the counterparts of the covered
    words just before ``first`` and just after ``last`` (to the start or end where there is
    none), widened by ``slack``."""
    k = int(np.searchsorted(anchors, first))
    left = int(where[anchors[k - 1]]) if k > 0 else None
    k = int(np.searchsorted(anchors, last, side="right"))
    right = int(where[anchors[k]]) if k < anchors.size else None
    if left is None and right is None:
        return 0, m - 1
    if right is None:
        return left - slack, m - 1
    if left is None:
        return 0, right + slack
    return min(left, right) - slack, max(left, right) + slack


def _runs(low: np.ndarray, sentence_of: Sequence[int], bridge: int, need: int) -> list[list[int]]:
    """Runs of consecutive ``low`` positions within one sentence; runs at most ``bridge``
    positions apart are joined when the joined run has at least ``need`` low positions."""
    runs: list[list[int]] = []
    for i in np.flatnonzero(low).tolist():
        if runs and runs[-1][-1] == i - 1 and sentence_of[i - 1] == sentence_of[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    if bridge <= 0:
        return runs
    out: list[list[int]] = []
    k = 0
    while k < len(runs):
        joined, j = list(runs[k]), k + 1
        while (j < len(runs) and runs[j][0] - joined[-1] - 1 <= bridge
               and sentence_of[runs[j][0]] == sentence_of[joined[-1]]):
            joined += runs[j]
            j += 1
        if j > k + 1 and len(joined) >= need:
            out.append(joined)
            k = j
        else:
            out.append(runs[k])
            k += 1
    return out


def _in_rendered_name(words: Sequence[Word], cov: np.ndarray, run: Sequence[int],
                      cover: float, capitals: bool = False,
                      where: np.ndarray | None = None) -> bool:
    """Whether the run of names ``run`` is glued (nothing but a space or an apostrophe
    between) to a name the other side renders: a word of a multi-word name rendered as a
    whole or shortened ("Belfast Magistrates' Court" / "Pengadilan Negeri Belfast", "Europa
    League" / "Liga Eropa", "Joe Biden" / "Biden"), not a dropped name. A title is no name:
    "Senator Lisa Murkowski" / "Senator" has dropped the name. With ``capitals``, any
    capitalised word counts as a name. With ``where`` (the counterparts), a neighbour whose
    counterpart is that of the same word said elsewhere renders nothing of its own ("Scott
    Arfield ... to Scott Robinson" / "Scott Arfield ... ke": the one "Scott" is Arfield's)."""
    for k, later in ((run[0] - 1, run[0]), (run[-1] + 1, run[-1] + 1)):
        if 0 <= k < len(words) and words[later].glued and (words[k].cap if capitals else words[k].name) \
                and not words[k].number and cov[k] >= cover \
                and not (where is not None and _shared(words, where, k)):
            return True
    return False


def _shared(words: Sequence[Word], where: np.ndarray, k: int) -> bool:
    """Whether word ``k``'s counterpart is also that of another mention of the same word."""
    return any(j != k and int(where[j]) == int(where[k]) and words[j].key == words[k].key
               for j in range(len(words)))


def uncovered_spans(words: Sequence[Word], cov: np.ndarray, where: np.ndarray,
                    other_cov: np.ndarray, sentence_of: Sequence[int],
                    params: PartialParams, min_run: int | None = None,
                    names: bool | None = None,
                    other_names: Sequence[bool] | None = None,
                    other_caps: Sequence[bool] | None = None) -> list[Span]:
    """The spans of the content words ``words`` (one side of a link) the other side does not
    render.

    A span is a run of consecutive uncovered words of one sentence that outnumbers, by at
    least ``min_run``, the uncovered words the other side has in the same place (between the
    counterparts of the run's covered neighbours: that is where a paraphrase of the run
    would be), or a lone name or number with nothing uncovered there. A link with many
    uncovered words outside the run (more than ``max_gaps`` of them, or ``gap_ratio`` per
    run word), or on the other side (more than ``max_other``), is too loose to judge.
    """
    n = len(words)
    if n < params.min_words:
        return []
    low = cov < params.cover
    anchors = np.flatnonzero(~low)
    other_low = other_cov < params.cover
    m = other_cov.shape[0]
    if m and other_low.mean() > params.max_other:
        return []  # the other side is not rendered word for word either: a free rendering
    out = []
    n_low = int(low.sum())
    min_run = params.min_run if min_run is None else min_run
    if other_names is None:
        other_names = [True] * m
    if other_caps is None:
        other_caps = [True] * m
    def judge(found: list[int]) -> Span | None:
        """The span of the uncovered positions ``found`` (None: not reported)."""
        if all(words[i].title for i in found):
            return None
        run = list(range(found[0], found[-1] + 1))  # with the covered words it bridges
        lo, hi = _window(anchors, where, run[0], run[-1], m, params.run_slack)
        there = int(other_low[max(lo, 0):hi + 1].sum()) if m else 0
        last = run[-1] == n - 1 or sentence_of[run[-1] + 1] != sentence_of[run[-1]]
        if last and params.fronted and m and lo > 0:
            # A sentence's tail ("..., the notice states.") is often put first in translation.
            first = int(np.argmax(~other_low)) if (~other_low).any() else m
            there += int(other_low[:min(first, lo)].sum())
        net = len(found) - params.gap_weight * there
        big = net >= min_run
        mean = float(cov[found].mean())
        if big and not last and len(found) <= min_run and mean > params.mid_cover:
            big = False  # a short run inside a sentence must be surely absent
        if big and net < max(min_run, params.tail_run if last else params.mid_run) and not (
                there == 0 and float(cov[found].max()) <= params.sure_cover
                and (not m or float(other_low.mean()) <= params.sure_other)):
            big = False  # a short run is a rare phrase rendered freely, unless nothing renders it
        if big and not last and params.unit and not words[found[0]].opens:
            big = False  # inside a sentence only a clause (after a comma, "which"...) is dropped whole
        # A name (a run of capitalised words with a name among them: "North Korea") is not
        # rendered when no name of the other side is left over in its place (a replaced or
        # respelt name is the drift check's business; a pronoun is no name).
        # An acronym may be spelt out in ordinary words ("AI" / "kecerdasan buatan"): any word
        # left over in its place may render it. A name by its capital alone (a dictionary
        # word: "Boots") is rendered by no ordinary word, but may be by a capitalised word
        # anywhere (the modifiers of a name change order: "the U.S. Navy" / "angkatan laut
        # AS"), and is no dropped name when it is glued to a capitalised word the other side
        # renders ("Presiding Officer" / "sang ketua", "Snow White" / "Putri Salju").
        proper = [i for i in found if words[i].name and not words[i].number]
        spelt = bool(proper) and all(words[i].acronym for i in proper)
        weak = bool(proper) and all(words[i].weak for i in proper)
        named = ((params.names if names is None else names)
                 and all(words[i].cap or words[i].number for i in found)
                 and any((words[i].name and not words[i].number) or words[i].key in _CALENDAR_KEYS
                         for i in found)
                 and not any(other_low[j] and (other_names[j] or spelt)
                             for j in range(max(lo, 0), min(hi + 1, m)))
                 and not (weak and (any(other_low[j] and other_caps[j] for j in range(m))
                                    or _in_rendered_name(words, cov, run, params.cover, True, where)))
                 and not (params.name_phrase
                          and not all(words[i].key in _CALENDAR_KEYS for i in found)
                          and _in_rendered_name(words, cov, run, params.cover, where=where)))
        if not (big or named) or 1.0 - mean < params.min_score:
            return None  # (a low score: some evidence renders the run after all)
        rest = n - len(run)
        others = n_low - len(found)
        loose = others > params.max_gaps * rest + params.gap_allow or others > params.gap_ratio * len(found)
        if loose and not (named and params.names_anyway):
            return None
        return Span(tuple(words[i] for i in run), 1.0 - float(cov[found].mean()))

    for found in _runs(low, sentence_of, params.bridge, min_run + 1):
        span = judge(found)
        if span is not None:
            out.append(span)
            continue
        # A run joined across covered words is judged as its pieces too: the bridge is for
        # a clause with a chance match in it, not to hide a name in a longer weak stretch
        # ("over the past two days are Francesco Molinari and ...": "past" is weak too).
        spans = [x for p in consecutive_runs(found) if len(p) < len(found) and _named_run(words, p)
                 and _inside(p, sentence_of) and (x := judge(p)) is not None]
        if spans:
            out += spans
            continue
        # With ``name_parts``, a name among weak ordinary words ("the stand out piece by
        # Valentino" / "hal yang menonjol dari") is judged on its own: its absence is plain
        # even where the words around it are rendered freely.
        for part in (_name_parts(words, found, sentence_of) if params.name_parts else ()):
            span = judge(part)
            if span is not None:
                out.append(span)
    return out


def _inside(run: Sequence[int], sentence_of: Sequence[int]) -> bool:
    """Whether the positions ``run`` are neither the first nor the last content words of
    their sentence (where a speaker's or subject's name is often a pronoun in translation:
    "Heryanto asserted" / "Dia mengatakan", "..., told Kurniati." / "..., kata Ratna.")."""
    a, b = run[0], run[-1]
    return (a > 0 and sentence_of[a - 1] == sentence_of[a]
            and b < len(sentence_of) - 1 and sentence_of[b + 1] == sentence_of[b])


def _named_run(words: Sequence[Word], run: Sequence[int]) -> bool:
    """Whether the positions ``run`` are capitalised words (or numbers) with a name among
    them."""
    return all(words[i].cap or words[i].number for i in run) \
        and any(words[i].name and not words[i].number for i in run)


def _name_parts(words: Sequence[Word], found: Sequence[int],
                sentence_of: Sequence[int]) -> list[list[int]]:
    """The maximal stretches of consecutive capitalised words (or numbers) with a name among
    them inside the uncovered positions ``found``, when they are not all of it, and not at
    either end of their sentence (where a speaker's or subject's name is often a pronoun in
    translation: "..., told Kurniati." / "..., kata Ratna.", "Heryanto asserted" / "Dia
    mengatakan")."""
    parts: list[list[int]] = []
    current: list[int] = []
    for i in found:
        if (words[i].cap or words[i].number) and (not current or current[-1] == i - 1):
            current.append(i)
            continue
        if current:
            parts.append(current)
        current = [i] if words[i].cap or words[i].number else []
    if current:
        parts.append(current)
    return [p for p in parts if len(p) < len(found) and _inside(p, sentence_of)
            and _named_run(words, p)]


# --------------------------------------------------------------------------- findings

_EN_CALENDAR = frozenset(en for en, _ in _CALENDAR)
_ID_CALENDAR = frozenset(ind for _, ind in _CALENDAR)
#: A weekday or month written with its capital is a date, dropped like a name ("... in
#: western Massachusetts Saturday." / "... di Massachusetts barat."); one the other side writes
#: differently is a changed date (:func:`_numbers_changed`).
_CALENDAR_KEYS = _EN_CALENDAR | _ID_CALENDAR


def _numbers_changed(s_c: Sequence[Word], sc: np.ndarray, t_c: Sequence[Word], tc: np.ndarray,
                     cover: float, calendar: bool = True) -> None:
    """A number each side writes and the other does not is a changed (or reformatted) number,
    the drift check's business, not a missing span: count both as covered (in place). With
    ``calendar``, the same for a weekday or month ("Wednesday" / "Kamis": a changed date)."""
    s_num = [i for i, w in enumerate(s_c) if w.number and sc[i] < cover]
    t_num = [j for j, w in enumerate(t_c) if w.number and tc[j] < cover] if s_num else None
    if s_num and t_num:
        sc[s_num] = cover
        tc[t_num] = cover
    if calendar:
        s_day = [i for i, w in enumerate(s_c) if w.key in _EN_CALENDAR and sc[i] < cover]
        t_day = [j for j, w in enumerate(t_c) if w.key in _ID_CALENDAR and tc[j] < cover] \
            if s_day else None
        if s_day and t_day:
            sc[s_day] = cover
            tc[t_day] = cover


@dataclass(frozen=True)
class LinkCover:
    """Both sides' content words of one link with their covers and counterparts."""

    s_words: list[Word]
    s_sent: list[int]
    s_cov: np.ndarray
    s_where: np.ndarray
    t_words: list[Word]
    t_sent: list[int]
    t_cov: np.ndarray
    t_where: np.ndarray
    #: The covers and counterparts as the evidence found them, before the leftovers were
    #: paired (:func:`tail_span` reads them; None when not kept).
    s_raw: np.ndarray | None = None
    s_raw_where: np.ndarray | None = None
    t_raw: np.ndarray | None = None
    t_raw_where: np.ndarray | None = None
    #: Per source word, the second word of the two-word rendering the evidence first found
    #: (-1: one word; None: not kept).
    s_raw_next: np.ndarray | None = None


def _names_said_less(s_words: Sequence[Word], sc: np.ndarray,
                     t_words: Sequence[Word]) -> np.ndarray:
    """``sc`` with the covers of a name's extra mentions set to 0: a name written k times in
    the source and fewer times (but at least once) in the translation has lost a mention,
    the one farthest (by relative place) from every mention the translation writes."""
    t_at: dict[str, list[float]] = {}
    m = len(t_words)
    for j, w in enumerate(t_words):
        if w.name and not w.number:
            t_at.setdefault(w.key, []).append((j + 0.5) / m)
    s_at: dict[str, list[int]] = {}
    for i, w in enumerate(s_words):
        if w.name and not w.number and w.key in t_at:
            s_at.setdefault(w.key, []).append(i)
    out = sc
    n = len(s_words)
    for key, mentions in s_at.items():
        extra = len(mentions) - len(t_at[key])
        if extra <= 0:
            continue
        far = sorted(mentions, key=lambda i: -min(abs((i + 0.5) / n - p) for p in t_at[key]))
        out = out.copy() if out is sc else out
        out[far[:extra]] = 0.0
    return out


#: An adjective of a people or place ("Indonesian", "Chinese", "British"): rendered freely
#: ("kuliner nusantara") or left implicit ("the Indonesian island of Sumatra" / "Pulau Sumatra").
_DEMONYM = re.compile(r"(?:an|ese|ish|ic)$")


def _proper_names(words: list[Word], cov: np.ndarray, cover: float) -> list[Word]:
    """``words`` with the capitalised words nothing renders made names: a word capitalised
    inside its sentence (:attr:`Word.mid`) or an acronym is a proper noun even when it is also
    a dictionary word ("a joint venture with Boots", "the Trump administration", "LGBT
    people"). As a name it is rendered by the same word, a respelt name or a lexicon
    rendering (all found by the evidence already), or by a capitalised word of the other
    side ("Energy Secretary" / "Menteri Energi"), not by a lower-case word left over (the
    pairing of :func:`pair_leftovers`), and a lone one missing is a span
    (:func:`uncovered_spans`)."""
    weak = [i for i, w in enumerate(words) if cov[i] < cover and not w.name and not w.number
            and (w.acronym or (w.lone and not _DEMONYM.search(w.key)))
            and w.key not in _CALENDAR_KEYS]  # (a date: its own rules)
    if not weak:
        return words
    out = list(words)
    for i in weak:
        out[i] = replace(words[i], name=True, weak=True)
    return out


def settle(s_words: list[Word], s_sent: list[int], t_words: list[Word], t_sent: list[int],
           sc: np.ndarray, s_where: np.ndarray, tc: np.ndarray, t_where: np.ndarray,
           sim: np.ndarray, params: PartialParams,
           s_next: np.ndarray | None = None) -> LinkCover:
    """The covers of both sides once the leftovers are paired (:func:`pair_leftovers`) and
    changed numbers set aside (``s_next``: see :attr:`LinkCover.s_raw_next`)."""
    if params.name_count:
        sc = _names_said_less(s_words, sc, t_words)
    if params.proper:
        s_words = _proper_names(s_words, sc, params.cover)
    raw_s, raw_t = sc.copy(), tc.copy()
    _numbers_changed(s_words, raw_s, t_words, raw_t, params.cover, params.calendar)
    raw = (raw_s, s_where, raw_t, t_where)
    sc, s_where, tc, t_where = pair_leftovers(s_words, t_words, sc, s_where, tc, t_where, sim,
                                              params)
    _numbers_changed(s_words, sc, t_words, tc, params.cover, params.calendar)
    return LinkCover(s_words, s_sent, sc, s_where, t_words, t_sent, tc, t_where, *raw, s_next)


def link_cover(s_words: list[Word], s_sent: list[int], s_lang: str, t_words: list[Word],
               t_sent: list[int], t_lang: str, vectors: _Vectors, params: PartialParams,
               s_function: frozenset[str] = frozenset(),
               t_function: frozenset[str] = frozenset()) -> LinkCover:
    """Word evidence both ways for one link (content words; ``*_function``: each side's
    function words, for words spelt the same)."""
    sc, s_where, sim, s_next = word_cover(s_words, s_lang, t_words, t_lang, vectors,
                                          params.cover, t_function)
    tc, t_where, _, _ = word_cover(t_words, t_lang, s_words, s_lang, vectors, params.cover,
                                   s_function)
    return settle(s_words, s_sent, t_words, t_sent, sc, s_where, tc, t_where, sim, params,
                  s_next)


def _trailing_run(lc: LinkCover, cover: float, claim: float, order: int,
                  bridge: int = 1) -> list[int]:
    """The content words at the end of the link's last source sentence that the evidence
    leaves weak, read backwards from the last one, stepping over at most ``bridge`` rendered
    words (not a capitalised word or a number: one the translation writes places the clause
    in it, as in "..., but also the Trump camp." / "... dan kubu Trump ..."). A word is weak
    below ``cover``, or when a word before it with a cover of at least ``claim`` already has
    the same counterpart, or when the word is said more often up to here than its
    counterpart is written in the translation: a word of the translation renders one
    source word, and a repeated or related word at the end ("North Korea ... the security of
    North Korea" / "... Korea Utara ...") found its counterpart in the head's rendering.
    A word is weak too when its counterpart lies more than ``order`` words before the
    median counterpart of the three rendered words before it: at the end of a sentence such
    a match far back is a chance one ("the past" / "melalui", through the stem "lalu")."""
    cov, where = lc.s_raw.tolist(), lc.s_raw_where.tolist()
    nxt = lc.s_raw_next.tolist() if lc.s_raw_next is not None else [-1] * len(cov)
    n = len(lc.s_words)
    last_sentence = lc.s_sent[-1] if n else None
    s_keys = [w.key for w in lc.s_words]
    t_keys = [w.key for w in lc.t_words]
    run: list[int] = []
    gaps = 0
    for k in range(n - 1, -1, -1):
        if lc.s_sent[k] != last_sentence:
            break
        weak = cov[k] < cover
        if not weak and lc.s_words[k].number:
            pass  # a number's cover is its own (the same number, or one changed: drift)
        elif not weak:
            weak = any(where[k] in (where[i], nxt[i]) and cov[i] >= claim for i in range(k)) \
                or s_keys[:k + 1].count(s_keys[k]) > t_keys.count(t_keys[where[k]])
        if not weak and not lc.s_words[k].number:
            before = [where[i] for i in range(k) if cov[i] >= claim
                      and lc.s_sent[i] == last_sentence][-3:]
            weak = len(before) == 3 and where[k] < float(sorted(before)[1]) - order
        if weak:
            run.append(k)
        elif not run or gaps >= bridge or lc.s_words[k].cap or lc.s_words[k].number:
            break
        else:
            gaps += 1
    return run[::-1]


@dataclass(frozen=True)
class LinkText:
    """The text of one link's two sides, for the whole-sentence signals of :func:`tail_span`:
    ``source`` starts at document offset ``offset`` (word offsets are document offsets);
    ``ratio``: the usual target/source character-length ratio of this translation
    (:func:`document_ratio`; None: unknown, no length signal); ``source_lang``: the source's
    language (its function words)."""

    source: str
    target: str
    offset: int
    lexicon: Lexicon
    ratio: float | None = None
    source_lang: str = "en"

    @functools.cached_property
    def _target_sum(self) -> np.ndarray:
        return _token_sums(self.lexicon, [self.target])[0]

    def gain(self, at: int) -> float:
        """:func:`prefix_gain` of the source cut at document offset ``at`` (the
        translation's token sum computed once)."""
        k = at - self.offset
        head, tail = _token_sums(self.lexicon, [self.source[:k], self.source[k:]])
        return _cos(head, self._target_sum) - _cos(head + tail, self._target_sum)

    def shortness(self) -> float | None:
        """log(target length / (source length x ``ratio``)), in characters: below 0 when the
        translation is shorter than its usual ratio makes it (None: no ratio)."""
        if self.ratio is None or not self.source.strip() or not self.target.strip():
            return None
        return math.log(len(self.target.strip()) / (len(self.source.strip()) * self.ratio))


#: Median Indonesian/English character-length ratio of the sentence pairs (longer than 40
#: characters) of the shipped model's general-domain parallel text (Guntara et al. 2020:
#: general_valid 1.070, general_test 1.065).
EN_ID_RATIO = 1.07


def length_ratio(source_lang: str, target_lang: str) -> float | None:
    """The usual target/source character-length ratio of a language pair (None: unknown)."""
    return {("en", "id"): EN_ID_RATIO, ("id", "en"): 1.0 / EN_ID_RATIO}.get((source_lang, target_lang))


def tail_span(lc: LinkCover, params: PartialParams, text: LinkText) -> Span | None:
    """A trailing clause of the source that the translation leaves out, judged on the
    evidence as first found (before :func:`pair_leftovers`, which pairs a cut clause's words
    with whatever the head's free rendering left over at the translation's end).

    The candidate is the run of weak words at the end of the last source sentence
    (:func:`_trailing_run`), at least ``min_run`` of them, after a sentence head that is
    itself rendered word for word (at most ``tail_loose`` of its words weak); a weak word of
    the head may open the run, so each later start is tried too. It is a cut clause on
    either of two grounds:

    * the translation is short and has no room for the run: its length is below this
      translation's own length habit (``text.ratio``, :func:`document_ratio`) by
      ``tail_short`` (log scale: a cut clause takes its characters with it, a free
      rendering of it does not; a concise translator is short everywhere), and the run
      outnumbers by ``short_net`` the words the translation has after the counterpart of
      the word before the run that nothing renders or that render a word of the run (one
      way: the run's word found no counterpart itself), or the translation ends before the
      run, as below;
    * the words leave no room for it and the sentence view agrees: the run outnumbers those
      words by ``tail_net``, or the translation ends with the counterpart of a word before
      the run with nothing uncovered after it (a free rendering leaves uncovered words
      there, a cut the head's last words); the source cut before the run is closer to the translation
      than the whole source by ``tail_gain`` (:func:`prefix_gain`, blind to which word
      renders which); and the translation is not long for the source (``tail_long``). A
      mildly short translation (``tail_mild``) lowers the room the run needs to
      ``mild_net``, or, when the words leave no room as above, the gain it needs to
      ``both_gain``: the more signals agree, the less each has to say.
    """
    if lc.s_raw is None or len(lc.s_words) < params.min_words or not len(lc.t_words):
        return None
    run = _trailing_run(lc, params.tail_cover, params.cover, params.tail_order)
    if not run:
        return None
    s_cov, s_where, t_cov, t_where = lc.s_raw, lc.s_raw_where, lc.t_raw, lc.t_raw_where
    short = text.shortness()

    head = [i for i in range(run[0]) if lc.s_sent[i] == lc.s_sent[-1]]
    loose = sum(1 for i in head if s_cov[i] < params.cover)
    if loose > params.tail_loose * len(head) + 1:
        return None  # the head is not rendered word for word either: a loose rendering

    def span(first: int) -> Span:
        found = [i for i in run if i >= first]
        return Span(tuple(lc.s_words[first:]), 1.0 - float(s_cov[found].mean()))

    t_low = t_cov < params.cover
    covered = np.flatnonzero(~t_low)
    # The translation's last rendered word's counterpart (None: it ends unrendered).
    last = int(t_where[covered[-1]]) if covered.size and not t_low[covered[-1] + 1:].any() else None
    weak = set(run)
    is_short = short is not None and short <= params.tail_short
    is_long = short is not None and short > params.tail_long
    is_mild = short is not None and short <= params.tail_mild
    for first in run:  # the longest run first
        count = len([i for i in run if i >= first])
        anchors = [i for i in range(first) if s_cov[i] >= params.cover and i not in weak]
        after = int(s_where[anchors[-1]]) + 1 if anchors else 0
        # The translation's words after the anchor that nothing renders, or that render a
        # word of the run (one way only: the run's words found no counterpart themselves).
        net = count - int(sum(1 for j in range(after, len(t_low))
                              if t_low[j] or int(t_where[j]) >= first))
        ends_before = last is not None and last < first and not _ends_with_run_word(
            lc, [i for i in run if i >= first], int(covered[-1]), text.source_lang)
        if count < params.min_run:  # too short a run; a lone word may still be cut (``lone_word``)
            own = (params.lone_phrase and is_mild and net >= 1
                   and float(s_cov[first]) < params.cover
                   and _after_function_word(text, lc.s_words[first]))
            if (params.lone_word and count == 1 and ends_before
                    and ((is_short and float(s_cov[first]) <= params.sure_cover) or own)
                    and not (lc.s_words[first].cap and lc.s_words[first].glued
                             and lc.s_words[first - 1].cap
                             and s_cov[first - 1] >= params.cover)
                    and text.gain(lc.s_words[first].start)
                    >= (params.both_gain if own else params.lone_gain)):
                return span(first)
            break
        if is_short and (net >= params.short_net or ends_before):
            return span(first)
        mild = is_mild and net >= params.mild_net
        words = not is_long and (net >= params.tail_net or ends_before)
        if mild or words:
            gain = text.gain(lc.s_words[first].start)
            if (mild and gain >= params.mild_gain) or (words and gain >= params.tail_gain) \
                    or (words and is_mild and gain >= params.both_gain):
                return span(first)
    return None


#: The other language of a pair (the target's, for its stems).
_OTHER_LANG = {"en": "id", "id": "en"}


def _ends_with_run_word(lc: LinkCover, run: Sequence[int], end: int, lang: str) -> bool:
    """Whether the translation's last rendered word (``end``) shares a stem with a word of
    the trailing ``run``: the same word said twice in the source ("the bus owners ...
    rejuvenate their buses" / "... meremajakan busnya"), whose one rendering the head's
    mention claimed first. The translation does not end before the run then."""
    own = stems(lc.t_words[end].key, _OTHER_LANG.get(lang, ""))
    return any(not own.isdisjoint(stems(lc.s_words[i].key, lang)) for i in run)


#: Degree adverbs: a word after one is modified by it ("very seriously"), not the head of
#: a phrase of its own.
_DEGREE = frozenset("very too so quite rather really more most less least much".split())


def _after_function_word(text: LinkText, word: Word) -> bool:
    """Whether ``word`` ends the source and the word just before it (in its sentence) is a
    function word ("of anonymity", "I've ever seen", "in or out of the building"), not a
    degree adverb (:data:`_DEGREE`): ``word`` heads a phrase of its own, which a translation
    drops whole, not the last word of a compound whose head it renders ("the court
    hearing" / "sidang"), nor a verb with a particle after it, rendered as a whole by
    another verb ("were waved away" / "ditolak")."""
    k = word.start - text.offset
    before = list(_WORD.finditer(text.source, 0, k))
    if not before or _BREAK.search(text.source, before[-1].end(), k) \
            or _WORD.search(text.source, word.end - text.offset):
        return False  # (a word after it, a particle: "were waved away" / "ditolak")
    function = function_words(text.source_lang)
    key = fold(before[-1].group(0).rstrip(".,:"))
    return key in function and key not in _DEGREE


def _token_sums(lexicon: Lexicon, texts: Sequence[str]) -> list[np.ndarray]:
    """Each text's sum of token vectors (the table's rows at their norms; zeros for none)."""
    toks = lexicon.tokens(list(texts))
    return [lexicon.pooled(toks.of(i)) for i in range(len(texts))]


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b) / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12)


def prefix_gain(lexicon: Lexicon, head: str, tail: str, target: str) -> float:
    """How much closer ``target`` is to ``head`` than to ``head`` + ``tail``: the cosine of
    the sums of their token vectors (the shipped static model's sentence embedding, mean
    pooling without the division), the source cut before ``tail`` less the whole source.
    A word-piece tokenizer splits at spaces, so the whole source's sum is its parts' sums."""
    h, t, x = _token_sums(lexicon, [head, tail, target])
    return _cos(h, x) - _cos(h + t, x)


#: An Indonesian speech verb with the third-person clitic: "katanya", "ujarnya", "tandasnya"
#: ("he said"): Indonesian news names a speaker once and then writes this for "..., added
#: Hidayat." / "..., tandasnya."; or the verb with a capitalised name after it ("tandas
#: Rahmad", "kata Jokowi"): the speaker named, perhaps by another of their names.
_SPEAKER = re.compile(r"\b(?:kata|ujar|tandas|tutur|ucap|jelas|tambah|imbuh|ungkap|papar|terang|"
                      r"lanjut|pungkas|tegas|sebut|akui|katakan|tukas)"
                      r"(?:nya\b|\s+(?-i:[A-Z]))", re.IGNORECASE)

#: What separates a quote or clause from its attribution ("..., implemented," finished X.").
_ATTRIBUTION_BREAK = re.compile(r"[,;:\"”’]")


#: Subject pronouns of an attribution ("..., he disclosed." / "..., katanya.").
_EN_SUBJECTS = frozenset(("he", "she", "they", "we", "i"))
#: Speech verbs among the English function words ("..., said Santoso.").
_EN_SAID = frozenset(("said", "says", "told", "tells"))


def _attribution(lc: LinkCover, span: Span, text: LinkText) -> int | None:
    """Where in ``span`` the attribution that ends its source sentence begins (None: it has
    none): the speech verb after a subject pronoun ("..., he disclosed."), or a name
    (capitalised words) with the verb before it ("..., finished Martono."; the name may
    follow the span, rendered: "tandas Martono"); 0 when the span is no more than the
    attribution. A comma or a quote separates it from the words before it (a name at the
    end without one, "... in the city of Palu.", is no attribution)."""
    words = span.words
    k = lc.s_words.index(words[-1])
    after = [w for i, w in enumerate(lc.s_words[k + 1:], k + 1) if lc.s_sent[i] == lc.s_sent[k]]
    if not all(w.cap and not w.number for w in after):
        return None  # the span does not end its sentence, nor does a name follow it
    before = list(_WORD.finditer(text.source, 0, words[-1].start - text.offset))
    if not after and before and before[-1].group(0).lower() in _EN_SUBJECTS:
        at, begins = len(words) - 1, before[-1].start()  # "..., he disclosed."
    else:
        names = 0
        while not after and names < len(words) and words[-1 - names].cap \
                and not words[-1 - names].number:
            names += 1
        if not names and not after:
            return None
        at = len(words) - names
        if at > 0 and not words[at - 1].cap:
            at -= 1  # the verb before the name ("added Hidayat")
        elif after:
            return None
        begins = words[at].start - text.offset
        prior = list(_WORD.finditer(text.source, 0, begins))
        verb = fold(prior[-1].group(0)) if prior else ""
        if at == 0 and (verb in _EN_SAID or (verb and verb not in EN_FUNCTION)) \
                and not _ATTRIBUTION_BREAK.search(text.source, prior[-1].end(), begins):
            begins = prior[-1].start()  # the verb is not in the span ("..., said Santoso.")
    prior = list(_WORD.finditer(text.source, 0, begins))
    gap = text.source[prior[-1].end():begins] if prior else ""
    return at if _ATTRIBUTION_BREAK.search(gap) else None


def _without_attribution(lc: LinkCover, span: Span, text: LinkText,
                         params: PartialParams) -> Span | None:
    """``span`` less the attribution that ends it (:func:`_attribution`), which the
    translation's speech verb renders ("..., implemented," finished Martono." / "...,
    diterapkan," tandasnya."): the words before it are a span when they still have
    ``tail_run`` weak words (as the evidence first found them) or a weak name; None when
    nothing is left."""
    at = _attribution(lc, span, text)
    if at is None:
        return span
    cov = lc.s_raw if lc.s_raw is not None else lc.s_cov
    rest = [lc.s_words.index(w) for w in span.words[:at]]
    weak = [i for i in rest if cov[i] < params.cover]
    if len(weak) < max(params.min_run, params.tail_run) \
            and not any(lc.s_words[i].name and not lc.s_words[i].number for i in weak):
        return None
    return Span(tuple(lc.s_words[rest[0]:weak[-1] + 1]), 1.0 - float(cov[weak].mean()))


def link_spans(lc: LinkCover, params: PartialParams,
               text: LinkText | None = None) -> tuple[list[Span], list[Span]]:
    """(missing spans of the source, added spans of the target) of one link. ``text``: the
    link's text, for :func:`tail_span` (without it the trailing-clause test is skipped)."""
    missing = uncovered_spans(lc.s_words, lc.s_cov, lc.s_where, lc.t_cov, lc.s_sent, params,
                              other_names=[w.name or w.acronym for w in lc.t_words],
                              other_caps=[w.name or w.mid or w.acronym for w in lc.t_words])
    if params.tail_cut and text is not None:
        tail = tail_span(lc, params, text)
        if tail is not None:
            inside = [span for span in missing if set(span.words) <= set(tail.words)]
            others = [span for span in missing if span not in inside]
            if not any(w in tail.words for span in others for w in span.words):
                missing = others + [tail]  # the whole clause, not the part of it seen first
    if params.speaker and text is not None and _SPEAKER.search(text.target):
        missing = [kept for span in missing
                   if (kept := _without_attribution(lc, span, text, params)) is not None]
    added = (uncovered_spans(lc.t_words, lc.t_cov, lc.t_where, lc.s_cov, lc.t_sent, params,
                             params.add_min_run, names=False) if params.additions else [])
    return missing, added


def _link_words(doc: Document, idx: Sequence[int],
                cache: dict[int, tuple[list[Word], set[str]]]
                ) -> tuple[list[Word], list[int], frozenset[str]]:
    """The content words of sentences ``idx``, the sentence of each, and the function words."""
    words: list[Word] = []
    sent_of: list[int] = []
    function: set[str] = set()
    for i in idx:
        if i not in cache:
            s = doc.sentences[i]
            keys: set[str] = set()
            cache[i] = (_scan(s.text, s.start, doc.lang, keys), keys)
        content, keys = cache[i]
        words += content
        sent_of += [i] * len(content)
        function |= keys
    return words, sent_of, frozenset(function)


def _quote(doc: Document, span: Span) -> tuple[str, tuple[int, int]]:
    start, end = span.words[0].start, span.words[-1].end
    return " ".join(doc.text[start:end].split()), (start, end)


def _category(cats: Sequence[str] | None, idx: Sequence[int]) -> str:
    if not cats:
        return "body"
    from collections import Counter

    return Counter(cats[i] for i in idx).most_common(1)[0][0]


#: Links whose words are tokenised and held at once.
_CHUNK = 2000


def _one_blas_thread():
    """A context with BLAS on one thread: the products here are tiny (a sentence's words by
    the other's), and BLAS threads waking for each of them cost more than the product on a
    busy machine (4 s instead of 12 s for 2,000 links with the load at 10 on two cores).
    threadpoolctl comes with sentence-transformers (through scikit-learn); without it the
    products run as BLAS decides. The BLAS libraries are looked up once per process (each
    look-up reads the process's memory map: 0.3-0.6 ms, as much as the check of a short
    story's links)."""
    controller = _blas_controller()
    if controller is None:  # pragma: no cover - an install without scikit-learn
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


@functools.lru_cache(maxsize=1)
def _blas_controller():
    """threadpoolctl's controller of the BLAS libraries loaded now (None without it)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - an install without scikit-learn
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def _no_gc():
    """A context with Python's cyclic garbage collector paused. The check makes a few small
    objects per word (words, stems, sets) and no reference cycles, and every collection it
    set off walked all the live objects of the documents (a sixth of the time on a
    10,000-sentence pair); reference counting frees the garbage as before."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def partial_findings(source: Document, target: Document, links: list[Link],
                     params: PartialParams = PartialParams(),
                     categories: Sequence[str] | None = None,
                     titles: Sequence[bool] | None = None,
                     lexicon: Lexicon | None = None) -> list[Finding]:
    """Findings of type ``partial`` for the linked pairs of ``links``: a span of the source the
    translation does not render (change ``missing``) or a span the translation adds (``added``).

    ``categories``: the source sentences' categories (computed with
    :func:`fidelity.categories.categorize` when not given); boilerplate links are skipped.
    ``titles``: per source sentence, whether it is a title line (skipped: headlines are
    rewritten freely); computed when not given. ``lexicon``: the token table (the shipped
    model's by default).
    """
    from .categories import categorize, title_lines

    cats = list(categories) if categories is not None else categorize(source)
    titled = list(titles) if titles is not None else title_lines(source)
    lex = lexicon or Lexicon.default()
    todo = [l for l in links if l.source and l.target
            and not all(cats[i] == "boilerplate" for i in l.source)
            and not all(titled[i] for i in l.source)]
    ratio = document_ratio(source, target, todo)
    out: list[Finding] = []
    vectors: _Vectors | None = None
    with _one_blas_thread(), _no_gc():
        for start in range(0, len(todo), _CHUNK):  # bounded memory on a 50,000-line document
            s_cache: dict[int, tuple[list[Word], set[str]]] = {}
            t_cache: dict[int, tuple[list[Word], set[str]]] = {}
            prepared = [(l, _link_words(source, l.source, s_cache),
                         _link_words(target, l.target, t_cache)) for l in todo[start:start + _CHUNK]]
            keys = list(dict.fromkeys(w.key for _, (sw, _, _), (tw, _, _) in prepared
                                      for w in sw + tw))
            vectors = _Vectors(lex) if vectors is None else vectors.kept(keys)
            vectors.prepare(keys)
            for link, (s_words, s_sent, s_fun), (t_words, t_sent, t_fun) in prepared:
                lc = link_cover(s_words, s_sent, source.lang, t_words, t_sent, target.lang,
                                vectors, params, s_fun, t_fun)
                out += _findings(source, target, link, _category(cats, link.source),
                                 *link_spans(lc, params, _link_text(source, target, link, lex, ratio)))
    return out


def _link_text(source: Document, target: Document, link: Link, lex: Lexicon,
               ratio: float | None) -> LinkText:
    """The :class:`LinkText` of one link (each side from its first sentence's start to its
    last one's end); ``ratio``: the translation's usual length ratio (:func:`document_ratio`,
    None: unknown)."""
    s_start, s_end = source.sentences[link.source[0]].start, source.sentences[link.source[-1]].end
    t_start, t_end = target.sentences[link.target[0]].start, target.sentences[link.target[-1]].end
    return LinkText(source.text[s_start:s_end], target.text[t_start:t_end], s_start, lex, ratio,
                    source.lang)


def document_ratio(source: Document, target: Document, links: Sequence[Link],
                   least: int = 5) -> float | None:
    """The translation's own length habit: the median target/source character ratio of the
    1-1 links (the language pair's usual ratio, :func:`length_ratio`, when there are fewer
    than ``least``). A translator who writes concisely makes every link short, one who
    spells things out every link long; a cut clause makes one link short for this
    translation."""
    pair = length_ratio(source.lang, target.lang)
    logs = [math.log(len(target.sentences[l.target[0]].text) / len(source.sentences[l.source[0]].text))
            for l in links if len(l.source) == 1 and len(l.target) == 1
            and source.sentences[l.source[0]].text and target.sentences[l.target[0]].text]
    if pair is None or len(logs) < least:
        return pair
    return math.exp(float(np.median(logs)))


def _findings(source: Document, target: Document, link: Link, category: str,
              missing: list[Span], added: list[Span]) -> list[Finding]:
    """The findings of one link's missing and added spans."""
    out = []
    for span in missing:
        text, where = _quote(source, span)
        out.append(Finding("partial", category, link.source, link.target, round(span.score, 4),
                           f'not rendered in the translation: "{text}"',
                           (Change("missing", source=text, source_spans=(where,)),), "major"))
    for span in added:
        text, where = _quote(target, span)
        out.append(Finding("partial", category, link.source, link.target, round(span.score, 4),
                           f'added in the translation: "{text}"',
                           (Change("added", target=text, target_spans=(where,)),), "major"))
    return out


__all__ = ["COGNATE_INITIALS", "EN_FUNCTION", "EN_ID_RATIO", "ID_FUNCTION", "LinkCover", "LinkText",
           "PartialParams", "Span", "Word", "cognate", "document_ratio", "en_stems", "fold", "function_words", "id_stems",
           "length_ratio", "lexicon_pairs", "link_cover", "link_spans", "number_key", "pair_leftovers",
           "partial_findings", "prefix_gain", "rendering_stems", "sentence_words", "settle", "stems",
           "tail_span", "uncovered_spans", "word_cover", "word_kind"]
