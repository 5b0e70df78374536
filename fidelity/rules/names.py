"""Name rules: a name changed, spelled differently, or put in with no name in the source.

Each rule is a small function over the unexplained names of a link (:class:`Names`). A name is
explained when the other side has it: as written (typography folded: "L’Oreal" is "L'Oreal"),
in its established form (:mod:`fidelity.exonyms`: "Hague" / "Den Haag", "Chilean" / "Chili"),
as a loan spelt the Indonesian way ("Methodist" / "Metodis", :func:`cognate_key`), or sharing
its stem. A target word is also explained when it renders source words (:func:`rendered_word`:
a lexicon rendering, "Kontemporer", or a syllabic acronym of the renderings of adjacent source
words, "Pemprov" for "Provincial Government"). Acronyms are never drift on their own
(translators expand and contract them). What is left pairs up:

* :func:`spelling_changes`: a source and a target name of similar spelling ("Saied" ->
  "Saeid"), unless one is an ordinary word or a demonym that the model's token table finds
  translated ("Republican" -> "Republika", "Colombian" -> "Kolombia");
* :func:`acronym_change`: a one-word name facing the one acronym the source lacks at its place;
* :func:`ordinary_word_change`: a strong name replaced by a capitalised ordinary word ("Putin"
  -> "Lord");
* :func:`single_change`: exactly one unexplained name on each side ("Manhattan" -> "New York");
* :func:`positional_changes`: with several, a target name at the same place as a source name
  (never an ordinary word of either language on the target side: "Pertandingan");
  before these, two parts of one name the document writes whole leave (:func:`drop_same_names`:
  "Emmawati" / "Dien" where the story has "Dien Emmawati");
* :func:`added_names`: a name the source has in no form, unless the source sentence says "he"
  or "she" and the document names that person elsewhere ("He appeared" -> "Palin menghadiri"),
  or it completes a name the source writes short (:func:`fuller_name`: "Fauzi" -> "Gamawan
  Fauzi").

In title-case text (headlines, or sentences that are mostly names) capitals say nothing, so
only words that are ordinary words of neither language count as names there.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache


from .. import exonyms
from ..features import _NOT_NAMES, _WORD, _ascii_fold, is_common, name_key, name_phrases
from ..partial import function_words, lexicon_pairs, stems
from ..types import Change
from . import LinkText, change, word_cover

_PLAIN_WORD = re.compile(r"[^\W_]+")


def _words(text: str) -> set[str]:
    """Lower-case words of ``text``, accents folded, each also whole with its inner apostrophes
    and dots as :func:`name_key` writes it ("L’Oreal" gives "l", "oreal" and "l'oreal")."""
    if text.isascii():  # nothing to fold: one lower() for the whole text
        out = set(_PLAIN_WORD.findall(text.lower()))
    else:
        out = {_ascii_fold(w).lower() for w in _PLAIN_WORD.findall(text)}  # _ascii_fold is cached
    out.update(name_key(w) for w in _WORD.findall(text))
    return out


# Regular English -> Indonesian spelling of borrowed words ("coordination" -> "koordinasi",
# "statistics" -> "statistik", "securities" -> "sekuritas", "committee" -> "komite").
_COGNATE_RULES = [(r"tion(s)?$", "si"), (r"sion(s)?$", "si"), (r"ities$", "itas"), (r"ity$", "itas"),
                  (r"ics$", "ik"), (r"ist(s)?$", "is"), (r"ic$", "ik"), (r"ical$", "is"), (r"ism$", "isme"), (r"ee$", "e"),
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
        if from_lang == "id" and _english_spelt(key, other_words):
            return True
    forms = exonyms.equivalents(key, from_lang, to_lang)
    if forms & other_words:
        return True
    if forms and {from_lang, to_lang} == {"en", "id"}:  # "Dominica" written "Dominika"
        keys = {cognate_key(f, "en") for f in forms}
        if any(cognate_key(w, "en") in keys for w in other_words if len(w) >= 4):
            return True
    if len(key) >= 4:  # "iranian" ~ "iran", "indonesia" ~ "indonesian"
        for w in other_words:
            if len(w) >= 4 and (key.startswith(w) or w.startswith(key)):
                return True
    return False


@lru_cache(maxsize=65536)
def _word_renderings(word: str, lang: str, other_lang: str) -> frozenset[str]:
    """Words of ``other_lang`` that render ``word`` (lower case): the stems the shipped lexicon
    pairs with its stems (:func:`fidelity.partial.lexicon_pairs`; Indonesian stems included,
    so "transportation" gives "perhubungan" and "hubungan") and its exonyms ("south" ->
    "selatan")."""
    pairs = lexicon_pairs().get(lang, {})
    out: set[str] = set(exonyms.equivalents(word, lang, other_lang))
    for st in stems(word, lang):
        out |= pairs.get(st, frozenset())
    return frozenset(out)


@lru_cache(maxsize=256)
def _rendering_groups(text: str, lang: str, other_lang: str) -> tuple[frozenset[str], ...]:
    """For each word of ``text`` of 3+ letters or digits, in order, the words that may render it: its
    renderings (:func:`_word_renderings`), and the word itself when it is capitalised (a name
    is its own rendering: "Jakarta"). Function words (:func:`fidelity.partial.function_words`)
    are left out: the lexicon's renderings of "and" or "about" are noise."""
    function = function_words(lang)
    out = []
    for word in _PLAIN_WORD.findall(text):
        low = word.lower()
        if len(word) >= 3 and low not in function:
            own = {name_key(word)} if word[:1].isupper() else set()
            out.append(_word_renderings(low, lang, other_lang) | own)
    return tuple(out)


#: A syllabic acronym takes 3 to 6 letters from the start of each of 2 to 4 words
#: ("pem(erintah) prov(insi)" -> "Pemprov", "kan(tor) wil(ayah)" -> "Kanwil"); shorter pieces
#: ("per(aturan) da(erah)") would start too many words of any sentence to be evidence. The
#: words render source words that stand together (adjacent words of 3+ letters: "Provincial
#: Government", "the health ministry", "Ministry of Health").
ACRONYM_PIECE = (3, 6)
ACRONYM_PIECES = (2, 4)
ACRONYM_WINDOW = 4


@lru_cache(maxsize=65536)
def _starts(words: frozenset[str]) -> frozenset[str]:
    """Every start of ``ACRONYM_PIECE`` letters of the words of 4+ letters in ``words``."""
    lo, hi = ACRONYM_PIECE
    return frozenset(w[:k] for w in words if len(w) >= 4 for k in range(lo, min(len(w), hi) + 1))


def syllabic_acronym(key: str, groups: tuple[frozenset[str], ...]) -> bool:
    """``key`` is written as the starts of renderings of several adjacent source words (one
    piece a word; ``groups`` the renderings of each word in order), the way Indonesian shortens
    an institution's name ("Pemprov" for "Pemerintah Provinsi", "Kemenkes" for "Kementerian
    Kesehatan", "Jaksel" for "Jakarta Selatan")."""
    lo, hi = ACRONYM_PIECE
    if len(key) < ACRONYM_PIECES[0] * lo:
        return False
    starts = [_starts(g) for g in groups]
    for first in range(max(1, len(starts) - 1)):
        window = starts[first:first + ACRONYM_WINDOW]

        @lru_cache(maxsize=None)
        def split(at: int, used: int) -> bool:
            pieces = bin(used).count("1")
            if at == len(key):  # the words stand together: no gap among those used
                return pieces >= ACRONYM_PIECES[0] and _contiguous(used)
            return pieces < ACRONYM_PIECES[1] and any(
                key[at:end] in window[j] and split(end, used | 1 << j)
                for end in range(at + lo, min(len(key), at + hi) + 1)
                for j in range(len(window)) if not used >> j & 1)
        if split(0, 0):
            return True
    return False


def _contiguous(mask: int) -> bool:
    """The set bits of ``mask`` are one run (0b0110, not 0b0101)."""
    low = mask // (mask & -mask)
    return low & (low + 1) == 0


def rendered_word(key: str, source_text: str, source_lang: str, lang: str) -> bool:
    """A target word that renders words of the source: a lexicon rendering of one of them
    ("Kontemporer" for "Contemporary", "Dubes" for "ambassador") or a syllabic acronym of the
    renderings of adjacent ones ("Pemprov" for "Provincial Government"), not a name put in."""
    if {source_lang, lang} != {"en", "id"}:
        return False
    groups = _rendering_groups(source_text, source_lang, lang)
    return any(key in g for g in groups) or syllabic_acronym(key, groups)


def _english_spelt(key: str, other_words: set[str]) -> bool:
    """An Indonesian word that keeps some English letters of the English name beside it
    ("Meksico" for "Mexico", between "Meksiko" and the English form): both fold to one key
    under the English spelling rules, as the English name explains the Indonesian one."""
    ck = cognate_key(key, "en")
    return ck != key and any(cognate_key(w, "en") == ck for w in other_words if abs(len(w) - len(key)) <= 4)


def _acronym(word: str) -> bool:
    """Two to six capitals ("PBB", "U.S."), or their English plural ("RWs", "NGOs")."""
    letters = word.replace(".", "")
    if len(letters) >= 3 and letters.endswith("s"):
        letters = letters[:-1]
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
    """A word that is an ordinary word of neither language: a name whatever its capitals. An
    English word counts by its lemmas too ("Ratified", "Buses", "Bogged": a headline's verbs
    and plurals)."""
    return len(key) >= 4 and not any(is_common(key, lang) for lang in langs) \
        and not _english_inflection(key, langs)


def _english_inflection(key: str, langs: tuple[str, str]) -> bool:
    """``key`` is an inflected ordinary English word (:func:`fidelity.partial.en_stems`:
    "ratified" -> "ratify", "buses" -> "bus", "bogged" -> "bog")."""
    return "en" in langs and any(is_common(st, "en") for st in stems(key, "en") if st != key)


def _foreign(key: str, lang: str) -> bool:
    """A target word that is no ordinary word of the target's language: a name, or a word of
    another language ("Stadium", "Tracker" in an Indonesian sentence), which the token table
    then judges (:func:`covered`)."""
    return len(key) >= 4 and not is_common(key, lang)


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
        out = [w for w, c in zip(out, covered(out, other_text)) if c < TRANSLATED_WORD]
    return out


def covered(words: list[str], other_text: str) -> list[float]:
    """How well the shipped model's token table (:class:`fidelity.lexical.Lexicon`) finds each
    of ``words`` translated in ``other_text``."""
    if not words:
        return []
    return word_cover(words, [other_text])[:, 0].tolist()


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
        if (strong_target and not all(_foreign(k, langs[1]) for _, k in t_phrase)) or not free:
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



_PRONOUN = re.compile(r"\b(?:he|she|him|her|his|hers|they|them|their)\b", re.IGNORECASE)
#: English adjective and demonym endings: such a word is rendered, not spelt ("Chilean" ->
#: "Chili", "Argentine" -> "Argentina").
_DERIVED = re.compile(r"(?:an|ean|ian|ine|ese|ish|ic|ist|ised|ized)$")


@dataclass
class Names:
    """The unexplained names of one link, as rules consume them."""

    link: LinkText
    title: bool
    source: list[list[tuple[str, str]]]  #: unexplained source name phrases
    target: list[list[tuple[str, str]]]  #: unexplained target name phrases
    acronyms: list[str]  #: target acronyms the source does not explain
    source_words: set[str]
    #: every name phrase of each side, explained words included
    source_phrases: list[list[tuple[str, str]]] = field(default_factory=list)
    target_phrases: list[list[tuple[str, str]]] = field(default_factory=list)

    @property
    def langs(self) -> tuple[str, str]:
        return (self.link.source.lang, self.link.target.lang)


def _unexplained(phrases, other_words, other_init, a, b, title, langs, other_text=None):
    """The phrases' words the other side does not explain (with ``other_text``, the source,
    neither by rendering them: :func:`rendered_word`)."""
    out = []
    for phrase in phrases:
        kept = [(w, k) for w, k in phrase
                if not _explained(k, other_words, a, b) and not _acronym(w) and k not in other_init
                and (not title or _strong(k, langs))
                and not (other_text is not None and rendered_word(k, other_text, b, a))]
        if kept:
            out.append(kept)
    return _dedupe(out)


def unexplained_names(link: LinkText) -> Names:
    """The names of each side of ``link`` that the other side does not explain."""
    s, t = link.source, link.target
    langs = (s.lang, t.lang)
    title = _title_case(s.text) or _title_case(t.text)
    sw, tw = _words(s.text), _words(t.text)
    s_init, t_init = _initials(s.text), _initials(t.text)
    s_phrases, t_phrases = name_phrases(s.text, s.lang), name_phrases(t.text, t.lang)
    acronyms = list(dict.fromkeys(w for phrase in t_phrases for w, k in phrase
                                  if _acronym(w) and k not in s_init
                                  and not _explained(k, sw, t.lang, s.lang)))
    return Names(link, title, _unexplained(s_phrases, tw, t_init, s.lang, t.lang, title, langs),
                 _unexplained(t_phrases, sw, s_init, t.lang, s.lang, title, langs, s.text), acronyms, sw,
                 s_phrases, t_phrases)


def _name_change(link: LinkText, kind: str, source: str, target: str) -> Change:
    return change(kind, link, source, target)


def acronym_change(names: Names) -> list[Change]:
    """An acronym stands for a name of several words, so a single-word source name the
    translation lacks, facing the one acronym the source lacks at the same place in the sentence,
    was replaced by it ("... a flight from Kenya." -> "... dari RPJMD.")."""
    if names.target or len(names.acronyms) != 1:
        return []
    single = [p for p in names.source if len(p) == 1 and _strong(p[0][1], names.langs)]
    paired = _pair_by_position(single, [[(names.acronyms[0], "")]], names.link.source.text,
                               names.link.target.text, names.langs, strong_target=False)
    if not paired:
        return []
    return [_name_change(names.link, "name", paired[0][0][0][0], names.acronyms[0])]


def ordinary_word_change(names: Names, spelling_ratio: float) -> list[Change]:
    """A strong source name replaced by a capitalised ordinary word ("Putin" -> "Lord"); an
    ordinary word of the target spelt like the name is its local form ("Romania" -> "Rumania").
    With several unexplained source names, the word pairs with the one at its place."""
    strong_s = [p for p in names.source if all(_strong(k, names.langs) for _, k in p)]
    if names.target or not strong_s or names.title:
        return []
    s, t = names.link.source, names.link.target
    weak = list(dict.fromkeys(_capitalised_common(t.text, t.lang, names.source_words, s.lang, s.text)))
    if len(weak) != 1:
        return []
    if len(names.source) == 1:
        phrase = strong_s[0]
    else:
        paired = _pair_by_position(strong_s, [[(weak[0], name_key(weak[0]))]], s.text, t.text,
                                   names.langs, strong_target=False)
        if not paired:
            return []
        phrase = paired[0][0]
    source_key = "".join(k for _, k in phrase)
    if difflib.SequenceMatcher(None, source_key, name_key(weak[0])).ratio() < spelling_ratio:
        return [_name_change(names.link, "name", _surface(phrase), weak[0])]
    return []


def _rendered(source_word: str, source_key: str, target_word: str, target_key: str,
              names: Names) -> bool:
    """An ordinary word or a demonym that the token table finds translated by the target word
    ("Republican" -> "Republika", "Chilean" -> "Chili"): no spelling variant of a name."""
    s_lang, t_lang = names.langs
    if is_common(source_key, s_lang) and is_common(target_key, t_lang):
        return True  # two ordinary words spelt alike are a word and its rendering ("Pretrial" / "Praperadilan")
    derived = (bool(_DERIVED.search(source_key)) and source_key[:4] == target_key[:4]) \
        or is_common(source_key, s_lang) or is_common(target_key, t_lang)
    return derived and covered([source_word], target_word)[0] >= TRANSLATED_WORD


def spelling_changes(names: Names, spelling_ratio: float) -> list[Change]:
    """The same name spelled differently on the two sides ("Saied" -> "Saeid"); the names it
    pairs (and the renderings it explains) leave ``names``."""
    t_words = [wk for phrase in names.target for wk in phrase]
    used_s: set[str] = set()
    used_t: set[str] = set()
    out = []
    for sw_, sk in (wk for phrase in names.source for wk in phrase):
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
            if not _rendered(sw_, sk, tw_, tk, names):
                out.append(_name_change(names.link, "spelling", sw_, tw_))
    names.source = [p for p in names.source if not any(k in used_s for _, k in p)]
    names.target = [p for p in names.target if not any(k in used_t for _, k in p)]
    return out


def single_change(names: Names) -> list[Change]:
    """Exactly one unexplained name on each side: one replaced the other."""
    if len(names.source) == 1 and len(names.target) == 1:
        return [_name_change(names.link, "name", _surface(names.source[0]), _surface(names.target[0]))]
    return []


def drop_same_names(names: Names) -> None:
    """Leave out of ``names`` each source and target name that are parts of one name the
    document writes whole (:func:`same_name`), so the rest pair up among themselves."""
    for sp in list(names.source):
        tp = next((t for t in names.target if same_name(sp, t, names.link)), None)
        if tp is not None:
            names.source.remove(sp)
            names.target.remove(tp)


def same_name(source: list[tuple[str, str]], target: list[tuple[str, str]], link: LinkText) -> bool:
    """The two phrases are parts of one name that either document writes whole: a person the
    source calls by one name and the translation by another ("Emmawati" / "Dien", where the
    story has "Dien Emmawati")."""
    keys = frozenset(k for _, k in source) | frozenset(k for _, k in target)
    return any(keys <= whole for side in (link.source, link.target) if side.document
               for whole in _document_names(side.document, side.lang))


@lru_cache(maxsize=8)
def _document_names(text: str, lang: str) -> tuple[frozenset[str], ...]:
    """The keys of each name of several words a document writes."""
    return tuple({frozenset(k for _, k in p) for p in name_phrases(text, lang) if len(p) >= 2})


def positional_changes(names: Names) -> list[Change]:
    """Several unexplained names: a target name and the source name at about the same place in
    the sentence ("Kepala ..., Hendra Hidayat" -> "..., Cililitan Hidayat")."""
    if len(names.source) == 1 and len(names.target) == 1:
        return []
    link = names.link
    return [_name_change(link, "name", _surface(s), _surface(t)) for s, t in _pair_by_position(
        names.source, names.target, link.source.text, link.target.text, names.langs)]


def _mentioned(key: str, link: LinkText) -> bool:
    """The source says "he"/"she" and names ``key`` elsewhere in the document."""
    return bool(link.source.document and _PRONOUN.search(link.source.text)
                and key in _document_words(link.source.document))


@lru_cache(maxsize=64)
def _document_words(text: str) -> frozenset[str]:
    return frozenset(_words(text))


def _loan(key: str, langs: tuple[str, str]) -> bool:
    """A target word that is an ordinary word of both languages once the target's spelling
    rules fold it ("Mall" is the Indonesian "mal"): a loan written the source's way, no name."""
    folded = cognate_key(key, langs[1])
    return folded != key and is_common(key, langs[0]) and is_common(folded, langs[1])


def fuller_name(part: list[tuple[str, str]], names: Names) -> bool:
    """``part`` stands in a target name whose other words give a whole name of the source: the
    translation writes in full a name the source shortens ("Fauzi" -> "Gamawan Fauzi", "Jokowi"
    -> "Joko Widodo")."""
    keys = {k for _, k in part}
    whole = next((p for p in names.target_phrases if keys <= {k for _, k in p}), [])
    at = [n for n, (_, k) in enumerate(whole) if k in keys]
    if not at or (at[0] != 0 and at[-1] != len(whole) - 1):
        return False  # a name inside another ("Los Molinari Lakers") is none written in full
    before = at[0] == 0  # the part comes before the name the source writes
    rest = {k for _, k in whole} - keys
    return bool(rest) and any(
        not any(_acronym(w) for w, _ in sp)  # a code ("RQ-170") is no person's name written short
        and all(any(_written_alike(k, r) for r in rest) for _, k in sp)
        and all(any(_written_alike(k, sk) for _, sk in sp) for k in rest)
        and not _capital_beside(sp, names.link.source.text, before) for sp in names.source_phrases)


def _written_alike(a: str, b: str) -> bool:
    """One name key as written, or the start of the other ("joko" / "jokowi"); not an exonym's
    word ("new" of "New York" is no part of "York")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))


def _capital_beside(phrase: list[tuple[str, str]], text: str, before: bool) -> bool:
    """A capitalised word stands right before (``before``) or after the phrase in ``text``: the
    translation's extra word is in that word's place ("Prof Berzofsky" -> "Merseyside
    Berzofsky"), or the phrase starts a longer title ("Kemang Mansion Food Festival"): no name
    written short."""
    name = re.escape(_surface(phrase))
    pattern = (r"(?<![\w.])[A-Z][\w.’'-]*\s+" + name + r"(?!\w)") if before else \
        (r"(?<!\w)" + name + r"(?!\w)['’]?s?\s+[A-Z]")
    return re.search(pattern, text) is not None


def added_names(names: Names) -> list[Change]:
    """A name in the translation that the source has in no form, and that is no ordinary word
    of either language, nor a word the token table finds translated: a name put in its place
    ("Sentinel" -> "Mogadishu"). Headlines are rewritten freely, so never there."""
    if names.source or names.title:
        return []
    strong = [p for p in names.target if all(_foreign(k, names.langs[1]) for _, k in p)
              and not (len(p) == 1 and _loan(p[0][1], names.langs))
              and not all(_mentioned(k, names.link) for _, k in p)
              and not fuller_name(p, names)]
    s_text = names.link.source.text
    cover = covered([_surface(p) for p in strong], s_text)
    return [_name_change(names.link, "name", "", _surface(p))
            for p, c in zip(strong, cover) if c < TRANSLATED_WORD]


def name_changes(link: LinkText) -> list[Change]:
    """Every name rule, in turn, on the unexplained names of ``link``."""
    names = unexplained_names(link)
    if not names.target:
        return acronym_change(names) or ordinary_word_change(names, link.spelling_ratio)
    out = spelling_changes(names, link.spelling_ratio)
    drop_same_names(names)
    if names.source and names.target:
        return out + (single_change(names) or positional_changes(names))
    return out + added_names(names)
