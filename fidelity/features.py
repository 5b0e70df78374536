"""Surface evidence a bag-of-subwords embedding cannot see: numbers and names.

Numbers are normalised per language (English "1,200.5" and Indonesian "1.200,5" are the same
number), and :func:`number_tokens` also gives every value a token may stand for (translators
keep the English convention as often as not: "1,127" pembelotan, "3.26 juta"); names are
capitalised words that are not common words of the language. Both feed
the aligner (shared numbers and names are strong evidence that two sentences are translations)
and the drift check (a number or a name that changed across an aligned link).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

# A number, possibly with thousands separators and a decimal part, in either convention. No
# letter or digit before it ("MH17" is a name); a letter may follow ("65th", "2.8bn"), and a
# separator only when a digit follows it (a sentence-final "15:16." is the time 15:16).
_NUMBER = re.compile(r"(?<![^\W\d_])(?<!\d)(?<!\d[.,])(\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
                     r"(?![\d]|[.,]\d)")
# A capitalised word (Unicode letters), with inner apostrophes, hyphens and dots (U.S.).
_WORD = re.compile(r"[^\W\d_][\w'’\-.]*", re.UNICODE)
_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")

# Words written with a capital in either language that are never names on their own.
_NOT_NAMES = frozenset(
    """i a an the mr mrs ms dr prof sir madam gen maj col lt capt sgt sen rep gov pres st jr sr
    jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july
    august september october november december monday tuesday wednesday thursday friday saturday
    sunday senin selasa rabu kamis jumat sabtu minggu januari februari maret mei juni juli agustus
    oktober desember pak bu bapak ibu tn ny sdr letjen mayjen brigjen jenderal jend laksamana
    marsekal kolonel kol kapten kapt mayor letnan sersan kombes kapolri kapolda presiden wapres
    menteri gubernur bupati walikota wali camat lurah ketua direktur haji hajjah hj drs ir
    nn nona tuan nyonya sdri""".split()
)


@lru_cache(maxsize=200_000)
def _ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _canonical(token: str) -> str:
    """A plain decimal ("1200", "3.5") without leading or trailing zeros."""
    if "." in token:
        token = token.rstrip("0").rstrip(".") or "0"
    return token.lstrip("0") or "0"


def normalize_number(token: str, lang: str) -> str:
    """Canonical form of a numeric token: "1,200" (en) and "1.200" (id) both give "1200"."""
    if lang == "id":
        # Indonesian: '.' groups thousands, ',' marks decimals.
        if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", token):
            token = token.replace(".", "")
        token = token.replace(",", ".")
    else:
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", token):
            token = token.replace(",", "")
        elif re.fullmatch(r"\d+,\d+", token):  # "3,5" written the continental way
            token = token.replace(",", ".")
    return _canonical(token)


@lru_cache(maxsize=100_000)
def readings(token: str) -> frozenset[str]:
    """Every value a numeric token can stand for in news of either language, since translators
    keep the source's convention as often as they switch: "1.127" is 1127 or 1.127, "3,5" is
    3.5 (or 35 grouped), "17.30" is the time 17:30 or the decimal 17.3."""
    out = {v for v in (normalize_number(token, "en"), normalize_number(token, "id"))
           if re.fullmatch(r"\d+(?:\.\d+)?", v)}
    m = re.fullmatch(r"(\d{1,2})[.:](\d{2})", token)
    if m and int(m.group(1)) <= 24 and int(m.group(2)) < 60:
        out.add(_clock(int(m.group(1)), m.group(2)))
    return frozenset(out)


# Clock times: "10:30" in English, "10.30" (two digits after a dot) in Indonesian.
_TIME = {"en": re.compile(r"(?<![\d.,:])(\d{1,2}):(\d{2})(?![\d]|[.,:]\d)"),
         "id": re.compile(r"(?<![\d.,:])(\d{1,2})[.:](\d{2})(?![\d]|[.,:]\d)")}


def _clock(hour: int, minute: str) -> str:
    """A time of day as compared: "13" for 13:00, "10:30"."""
    return str(hour) if minute == "00" else f"{hour}:{minute}"


# 12-hour clock times ("1 PM", "10:30 a.m.", "7.55am"), which Indonesian news writes on the
# 24-hour clock ("pukul 13.00", "10.30 WIB") or as the hour with a time of day ("pukul 3 sore").
_CLOCK12 = re.compile(r"(?<![\d.,:])(\d{1,2})(?:[:.](\d{2}))?\s?([aApP])\.?\s?[mM]\.?(?!\w)")


@dataclass(frozen=True)
class NumberToken:
    """A number of a text: where it stands, its value as compared, and every value it may mean."""

    start: int
    end: int
    value: str
    readings: frozenset[str]


def _time_tokens(pattern: re.Pattern[str], kind: str, text: str, out: list[NumberToken]) -> str:
    """``text`` with every time ``pattern`` finds blanked out, its token appended to ``out``.
    Blanks keep the length, so positions stay those of the original text."""
    def repl(m: re.Match) -> str:
        hour, minute = int(m.group(1)), m.group(2) or "00"
        if kind == "12":
            if not 1 <= hour <= 12:
                return m.group(0)
            value = _clock(hour % 12 + (12 if m.group(3) in "pP" else 0), minute)
            # "3 p.m." may be rendered "pukul 3 sore": the 12-hour figure is one reading.
            extra = {_clock(hour, minute), _canonical(f"{hour}.{minute}")}
        else:
            if hour > 24 or int(minute) >= 60:
                return m.group(0)
            value = _clock(hour, minute)
            extra = set(readings(m.group(0).replace(":", ".")))
        out.append(NumberToken(m.start(), m.end(), value, frozenset({value} | extra)))
        return " " * len(m.group(0))
    return pattern.sub(repl, text)


def number_tokens(text: str, lang: str) -> list[NumberToken]:
    """The numbers of ``text`` in order: clock times on the 24-hour clock as "10:30" ("4:00" ->
    "4", "1 PM" -> "13"), other numbers normalised by ``lang``'s convention."""
    out: list[NumberToken] = []
    masked = _time_tokens(_CLOCK12, "12", text, out)
    masked = _time_tokens(_TIME.get(lang, _TIME["en"]), "24", masked, out)
    out += [NumberToken(m.start(1), m.end(1), normalize_number(m.group(1), lang), readings(m.group(1)))
            for m in _NUMBER.finditer(masked)]
    return sorted(out, key=lambda t: t.start)


def numbers(text: str, lang: str) -> list[str]:
    """Normalised numbers in order of appearance (the values of :func:`number_tokens`)."""
    return [t.value for t in number_tokens(text, lang)]


@lru_cache(maxsize=200_000)
def name_key(word: str) -> str:
    """Comparison key of a name: lower case, accents folded, possessive and dots removed."""
    word = _POSSESSIVE.sub("", word.strip(".-’'"))
    # Typography is no spelling: "L’Oreal" is "L'Oreal".
    return _ascii_fold(word).lower().replace(".", "").replace("’", "'").replace("‘", "'")


@lru_cache(maxsize=8)
def dictionary(lang: str) -> frozenset[str]:
    """Lower-case ordinary words of ``lang`` (shipped ``models/wordlists/<lang>.dict.txt``,
    built by ``models/build_dictionary.py``); empty for a language without one."""
    from . import models_dir

    path = models_dir() / "wordlists" / f"{lang}.dict.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset()
    return frozenset(w for w in lines if w and not w.startswith("#"))


@lru_cache(maxsize=8)
def _common(lang: str) -> frozenset[str]:
    """Words that are not names when capitalised: the dictionary and the frequent words."""
    try:
        from .langid import common_words

        frequent = common_words(lang)
    except Exception:  # no word list for this language: every capitalised word counts
        frequent = frozenset()
    return frequent | dictionary(lang)


@lru_cache(maxsize=8)
def _dictionary_stems(lang: str) -> frozenset[str]:
    """Stems of the dictionary's words ("mengungkapkan" -> "ungkap"; "officials" -> "official")."""
    stems = _id_stems if lang == "id" else _en_stems if lang == "en" else None
    if stems is None:
        return frozenset()
    return frozenset(st for w in dictionary(lang) for st in stems(w))


_ID_SUFFIX = re.compile(r"(nya|lah|kah|pun)$")


#: Bound prefixes that make ordinary words of ordinary words ("pre-trial", "pra-peradilan",
#: "pasca-gempa"); only short stems are excluded, so "Coburn" or "Preston" stay names.
_BOUND_PREFIX = {
    "en": re.compile(r"^(?:pre|post|anti|non|inter|multi|over|under|semi|mid)"),
    "id": re.compile(r"^(?:pra|pasca|antar|anti|non|swa|multi|semi)"),
}


@lru_cache(maxsize=200_000)
def is_common(key: str, lang: str) -> bool:
    """``key`` is an ordinary word of ``lang`` (Indonesian clitics -nya/-lah/-kah/-pun stripped)."""
    common = _common(lang)
    if key in common:
        return True
    if lang == "en" and len(key) >= 4 and key.endswith("s") and key[:-1] in common:
        return True  # a plural ("Bells")
    if len(key) <= 5:
        return False
    bound = _BOUND_PREFIX.get(lang)
    if bound is not None:  # a compound with a bound prefix ("pretrial", "praperadilan")
        m = bound.match(key)
        if m and len(key) - m.end() >= 5 and is_common(key[m.end():].lstrip("-"), lang):
            return True
    if lang == "id":
        return any(stem in common for stem in _id_stems(key))
    if lang == "en":
        return any(stem in common for stem in _en_stems(key))
    return False


_ID_PREFIX = re.compile(r"^(memper|diper|meng|meny|mem|men|me|peng|peny|pem|pen|per|pe|ber|be|ter|di|ke|se)")
_ID_AFFIX_END = re.compile(r"(kan|an|i)$")


def _id_stems(key: str) -> list[str]:
    """Candidate stems of an Indonesian word: clitic, suffix and prefix stripped (kelautan -> laut)."""
    out = []
    base = _ID_SUFFIX.sub("", key)
    out.append(base)
    no_suffix = _ID_AFFIX_END.sub("", base)
    out.append(no_suffix)
    for word in (base, no_suffix):
        m = _ID_PREFIX.match(word)
        if m and len(word) - m.end() >= 3:
            out.append(word[m.end():])
    return [w for w in out if len(w) >= 3]


def _en_stems(key: str) -> list[str]:
    """Candidate lemmas of an English word (atmospheric -> atmosphere, officials -> official)."""
    out = []
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("ically", "ic"), ("ly", ""), ("ic", "e"), ("ic", ""),
                         ("ical", "e"), ("al", ""), ("er", ""), ("ers", "")):
        if key.endswith(suffix) and len(key) - len(suffix) >= 3:
            out.append(key[: len(key) - len(suffix)] + repl)
    return out


def names(text: str, lang: str) -> list[str]:
    """Capitalised words that look like names (keys from :func:`name_key`), in order.

    The first word of a sentence is kept only when it is not a common word of ``lang``
    ("Trump said" keeps Trump; "The officials" drops The).
    """
    out: list[str] = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        if not word[0].isupper():
            continue
        key = name_key(word)
        if len(key) < 2 or key in _NOT_NAMES or is_common(key, lang):
            continue
        # All-caps short words are acronyms (AS, PBB, U.S.): names too, keep them.
        out.append(key)
    return out


@lru_cache(maxsize=65536)
def _bucket(feature: str, dim: int) -> int:
    return int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=4).digest(), "little") % dim


@lru_cache(maxsize=100_000)
def _features(text: str, lang: str) -> frozenset[str]:
    """Hashed-evidence features of one text: its numbers, name keys and 4-letter name stems."""
    feats = {"#" + n for n in numbers(text, lang)}
    for key in names(text, lang):
        feats.add("n:" + key)
        feats.add("p:" + key[:4])
    return frozenset(feats)


#: Rows per slice when computing row norms: ``np.linalg.norm`` squares its whole input first,
#: which for a 50,000-sentence side is a 250 MB temporary.
NORM_ROWS = 8192


def row_norms(x: np.ndarray) -> np.ndarray:
    """``np.linalg.norm(x, axis=1, keepdims=True)``, the same values, a slice of rows at a time."""
    out = np.empty((x.shape[0], 1), dtype=x.dtype)
    for start in range(0, x.shape[0], NORM_ROWS):
        out[start:start + NORM_ROWS] = np.linalg.norm(x[start:start + NORM_ROWS], axis=1, keepdims=True)
    return out


def _rows(feature_sets: list[frozenset[str]], dim: int, out: np.ndarray | None = None,
          scale: float = 1.0) -> np.ndarray:
    """One L2-normalised, ``scale``-d row of bucket indicators per feature set.

    ``out`` (len(feature_sets), dim), possibly a column block of a wider array, is written in
    place: the aligner's side matrix gets its evidence columns without a float32 temporary.
    """
    if out is None:
        out = np.zeros((len(feature_sets), dim), dtype=np.float32)
    else:
        out[...] = 0.0
    for row, feats in enumerate(feature_sets):
        for f in feats:
            out[row, _bucket(f, dim)] = 1.0
    norms = row_norms(out)
    np.divide(out, norms, out=out, where=norms > 0)
    if scale != 1.0:
        np.multiply(out, np.float32(scale), out=out)
    return out


def hashed_vectors(texts: list[str], lang: str, dim: int = 512, out: np.ndarray | None = None,
                   scale: float = 1.0) -> np.ndarray:
    """L2-normalised hashed bags of numbers and name stems, one row per text (times ``scale``,
    written into ``out`` when given, as :func:`_rows`).

    Rows with no number and no name are all zero, so they add nothing to a dot product.
    Names contribute their key and their 4-letter prefix ("iranian" meets "iran").
    """
    return _rows([_features(t, lang) for t in texts], dim, out, scale)


def joined_buckets(rows: np.ndarray, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """What the evidence row of each adjacent pair of ``rows`` joined would be (rows made by
    :func:`_rows` with this ``scale``), in 1/30 of a float32 row's memory: a joined text's
    features are the union of its parts', so its row has a bucket wherever either part has one.

    Returns the buckets, bit-packed ((n-1, dim/8) uint8), and the value every bucket of a row
    takes ((n-1, 1) float32, :func:`_rows`' arithmetic: 1/|row|, then times ``scale``), from which
    :func:`joined_rows` rebuilds rows bit for bit.
    """
    n, dim = rows.shape
    m = max(0, n - 1)
    bits = np.empty((m, (dim + 7) // 8), dtype=np.uint8)
    counts = np.empty((m, 1), dtype=np.float32)
    for start in range(0, m, NORM_ROWS):  # bounded temporaries
        stop = min(m, start + NORM_ROWS)
        union = (rows[start:stop] != 0) | (rows[start + 1:stop + 1] != 0)
        bits[start:stop] = np.packbits(union, axis=1)
        counts[start:stop] = union.sum(axis=1, keepdims=True, dtype=np.float32)
    norms = np.sqrt(counts)
    value = np.divide(np.float32(1.0), norms, out=np.zeros_like(norms), where=norms > 0)
    if scale != 1.0:
        np.multiply(value, np.float32(scale), out=value)
    return bits, value


def joined_rows(bits: np.ndarray, value: np.ndarray, dim: int, out: np.ndarray | None = None) -> np.ndarray:
    """Evidence rows from :func:`joined_buckets` (a selection of its rows), written into ``out``."""
    return np.multiply(np.unpackbits(bits, axis=1, count=dim), value, out=out, dtype=np.float32)


def hashed_side(sentences: list[str], lang: str, dim: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """Hashed evidence of each sentence and of each adjacent pair (the union of the two)."""
    feats = [_features(t, lang) for t in sentences]
    return _rows(feats, dim), _rows([a | b for a, b in zip(feats, feats[1:])], dim)


_SENT_START = re.compile(r"(^|[.!?…:;]\s+|[“‘(]\s*|(?:^|\s)\"\s*)$")
# A straight double quote right after a word or a mark (a letter, a comma, a full stop) closes
# a quote, and the sentence goes on ('... I think," Haris told AP'), or a new one begins
# ('"stop." Prosecutors'); a translator may capitalise an ordinary word there ('," Ungkap The
# Washington Post'), so only a word that is no stem of the dictionary counts. A curly closing
# double quote is one whatever stands before it (',” Ungkap').
_CLOSING_QUOTE = re.compile(r"(?:[^\s\"]\"|”)\s+$")
# A title's dot is no sentence end: "Ms. Steinem", "Nn. Poulter", "Dr. Budi".
_TITLE_DOT = re.compile(r"(?<![\w.])(?:mr|mrs|ms|dr|prof|st|sen|rep|gov|gen|col|capt|lt|sgt|jr|sr|nn|ny|tn|sdr|bpk|ir|drs|hj)\.\s+$",
                        re.IGNORECASE)
_DOTTED = re.compile(r"(?:[A-Z]\.){2,}")
_HYPHEN = re.compile(r"[-‐–]|(?<=[a-z])\.(?=[A-Z])")  # and "St.Martin" without its space


@lru_cache(maxsize=200_000)
def _name_word(raw: str) -> tuple[str, str]:
    """(surface, key) of a word as a name candidate: trailing dot and possessive removed
    ("U.S." keeps its dots)."""
    word = raw if _DOTTED.fullmatch(raw) else raw.rstrip(".")
    word = _POSSESSIVE.sub("", word)
    return word, name_key(word)


def name_phrases(text: str, lang: str) -> list[list[tuple[str, str]]]:
    """Runs of adjacent name words, each word as (surface, key):
    "in New York" -> [[("New", "new"), ("York", "york")]].

    A capitalised word at the start of a sentence or quote is skipped unless it is written in
    capitals (AS, PBB): there the capital says nothing about being a name. Hyphenated words
    count part by part ("January-March" holds no name).
    """
    phrases: list[list[tuple[str, str]]] = []
    run: list[tuple[str, str]] = []
    last_end = -1
    for m in _WORD.finditer(text):
        raw = m.group(0)
        is_name = False
        if raw[:1].isupper():  # a lower-case word is never a name: skip the work
            word, key = _name_word(raw)
            is_name = (word[:1].isupper() and len(key) >= 2 and key not in _NOT_NAMES
                       and (not is_common(key, lang) or word.isupper()))
            if is_name and not word.isupper():
                # Only the few characters before the word decide (a bounded window keeps
                # this linear in the sentence's length).
                start = m.start()
                before = text[max(0, start - 16):start]
                is_name = not (start == 0 or (_SENT_START.search(before) and not _TITLE_DOT.search(before)))
                if is_name and _CLOSING_QUOTE.search(before) and key in _dictionary_stems(lang):
                    is_name = False
        if run and (not is_name or text[last_end:m.start()].strip()):
            phrases.append(run)
            run = []
        if not is_name:
            continue
        for part in _HYPHEN.split(word):
            if not part:
                continue
            pk = name_key(part)
            if pk and pk not in _NOT_NAMES and (not is_common(pk, lang) or part.isupper()):
                run.append((part, pk))
        last_end = m.end()
    if run:
        phrases.append(run)
    return [p for p in phrases if p]
