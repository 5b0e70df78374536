"""Split a text into paragraphs and sentences, keeping exact character offsets.

Paragraphs: a line break ends a paragraph, whether or not a blank line follows (scraped news
comes both ways: ``nyt.id.txt`` has one paragraph per line, ``nyt.en.txt`` blank lines in
between).  Blank paragraphs are skipped and the others numbered 0, 1, 2, ...  Hard-wrapped
text (lines broken at ~70 columns inside blank-line separated paragraphs) is recognised and
then only blank lines end a paragraph; see :func:`looks_hard_wrapped`.

Sentences: NLTK's Punkt algorithm with parameters trained for English and Indonesian and
shipped as JSON in ``models/punkt/`` (see its README), plus four rules Punkt lacks:

* no sentence ends after a title written before a name ("Dr. Budi", "Jl. Sudirman",
  "Maj. Gen. Qassim"), see :class:`TitledPunkt`;
* a sentence end glued to the next sentence (``"...General Suleimani.Credit…Arash"``, a photo
  caption followed by its credit in scraped NYT pages; ``"said.The"``) is split;
* a period that Punkt took for a sentence end but that is followed by a lowercase word
  (``"menurut AS. pejabat"``) is not a boundary: sentences do not start in lowercase;
* a line without final punctuation run into the next ends before a capitalised subject
  pronoun or connective (:data:`SENTENCE_STARTERS`) between lowercase words
  (``"... di laboratorium Mereka kemudian ..."``).

A sentence never crosses a paragraph, and ``text[s.start:s.end] == s.text`` with no
surrounding whitespace.  A language other than ``en``/``id`` falls back to Punkt without
parameters (every period that ends a word ends a sentence, except after initials and
numbers that Punkt recognises itself) and emits an :class:`UnknownLanguageWarning` once; a
command or API taking the code from a user normalises it, or refuses it in one line, with
:func:`supported_language` first.
"""

from __future__ import annotations

import functools
import json
import re
import statistics
import warnings
from collections import Counter
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from . import models_dir
from .errors import InputError, ModelError
from .langid import normalize_lang
from .types import Document, Sentence

#: Languages with shipped parameters.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "id")

#: The private parts of NLTK's Punkt this module relies on: :class:`TitledPunkt` overrides
#: ``PunktSentenceTokenizer._second_pass_annotation`` and sets ``_params``, reads the
#: ``PunktToken`` attributes below, and :func:`_glued_breaks` reads ``_params.abbrev_types``.
#: pyproject.toml bounds nltk to the versions checked to have them (3.8.1 to 3.10.x);
#: tests/test_packaging.py checks the installed one and that no other private name is used.
PUNKT_PRIVATE: dict[str, tuple[str, ...]] = {
    "PunktSentenceTokenizer": ("_second_pass_annotation", "_params"),
    "PunktToken": ("period_final", "type_no_period", "sentbreak", "abbr"),
}

_FORMAT = "fidelity-punkt/1"

_LINE = re.compile(r"[^\n]+")
_BLOCK = re.compile(r"\S(?:.*?\S)?(?=\n[ \t\f\v\r]*\n|\s*\Z)", re.S)
_SENTENCE_PUNCT_END = re.compile(r"[.!?:;\"'\u201d\u2019)\]\u2026]$")
#: A sentence end glued to a capitalised word: "Suleimani.Credit", "said.The", 'war."The'.
_GLUED = re.compile(r"(?<=[^\W\d_]{2})[.!?]+[\"'\u201d\u2019)\]]*(?=([^\W\d_])([^\W\d_]))")
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_DOUBLE_STOP = re.compile(r"(?<=[^\W\d_])\.\.\s+(?=[\"'\u201c\u2018]?[^\W\d_a-z])")
_DOMAIN_REST = re.compile(r"\.[^\W\d_]")

#: Subject pronouns and connectives that open sentences and are never capitalised inside one
#: ("I" and the formal "Anda" are, so they are not here): rule 4 ends a sentence that lacks
#: its punctuation before them, and models/build_punkt.py gives them (and "anda") to Punkt,
#: which then ends a sentence after an abbreviation before them.
SENTENCE_STARTERS: dict[str, frozenset[str]] = {
    "en": frozenset("he she they we however meanwhile".split()),
    "id": frozenset("dia ia mereka kami kita saya namun tetapi sementara".split()),
}
#: Rule 4's shape: an all-lowercase word (closing quotes allowed), a capitalised word, then a
#: lowercase one ("... di laboratorium Mereka kemudian ...", '... miskin" Dia kemudian ...').
_UNPUNCTUATED_END = re.compile(r"(?<![\w.'’-])[a-z0-9]+[\"'\u201d\u2019)]*\s+(?=([A-Z][a-z]+)\s+[a-z])")


class UnknownLanguageWarning(UserWarning):
    """Segmenting a language without shipped parameters (generic Punkt is used)."""


def params_path(lang: str) -> Path:
    """Where the shipped Punkt parameters of a supported language live."""
    return models_dir() / "punkt" / f"{lang}.json"


class TitledPunkt(PunktSentenceTokenizer):
    """Punkt that never ends a sentence after a title that precedes a name.

    Punkt ends a sentence after an abbreviation when the next word was seen in lowercase and
    never capitalised mid-sentence in training.  The public training text is small and its
    social-media part writes names in lowercase ("jalan sudirman"), and some names are also
    words ("budi" = virtue), so "Jl. Sudirman" or "Dr. Budi" would be split.  Titles such as
    Mr., Dr., Gen., Jl. are practically never sentence-final, so they never are here.
    """

    def __init__(self, params: PunktParameters, titles: frozenset[str] = frozenset()) -> None:
        super().__init__()
        self._params = params
        self.titles = frozenset(titles)

    def _second_pass_annotation(self, aug_tok1, aug_tok2):  # type: ignore[override]
        if aug_tok2 is not None and aug_tok1.period_final and aug_tok1.type_no_period in self.titles:
            aug_tok1.sentbreak = False
            aug_tok1.abbr = True
            return "title before a name"
        return super()._second_pass_annotation(aug_tok1, aug_tok2)


def _read_json(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read segmenter parameters {path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != _FORMAT:
        raise ModelError(f"{path}: not a {_FORMAT} segmenter parameter file")
    return doc


def load_tokenizer(path: str | Path) -> TitledPunkt:
    """A tokenizer with the parameters and name titles of a JSON file of ``models/punkt/``."""
    path = Path(path)
    return TitledPunkt(load_params(path), frozenset(_read_json(path).get("name_titles", ())))


def load_params(path: str | Path) -> PunktParameters:
    """Read Punkt parameters from the project's JSON format (written by models/build_punkt.py).

    The JSON holds ``abbrev_types`` (list), ``collocations`` (list of pairs),
    ``sent_starters`` (list) and ``ortho_context`` (word -> int flags), plus
    ``name_titles`` (used by :class:`TitledPunkt`, not part of PunktParameters).
    """
    doc = _read_json(Path(path))
    params = PunktParameters()
    params.abbrev_types = set(doc["abbrev_types"])
    params.collocations = {(a, b) for a, b in doc["collocations"]}
    params.sent_starters = set(doc["sent_starters"])
    for word, flags in doc["ortho_context"].items():
        params.ortho_context[word] = int(flags)
    return params


def supported_language(code: str) -> str:
    """``code`` as the segmenter's language code (``"EN"``, ``"en-US"``, ``"eng"`` -> ``"en"``),
    or :class:`~fidelity.errors.InputError` with one line when no parameters are shipped for it
    (:func:`segment` itself falls back to generic Punkt with a warning; a command line or an
    API that takes a language from a user should refuse it instead)."""
    normal = normalize_lang(code) if isinstance(code, str) else None
    if normal not in SUPPORTED_LANGUAGES:
        raise InputError(f"language {code!r} is not supported: the sentence segmenter has "
                         f"parameters for {', '.join(SUPPORTED_LANGUAGES)} only")
    return normal


def get_tokenizer(lang: str) -> PunktSentenceTokenizer:
    """The Punkt tokenizer of a language (cached: the parameters are read once per process)."""
    return _tokenizer(normalize_lang(lang))


@functools.lru_cache(maxsize=None)
def _tokenizer(code: str) -> PunktSentenceTokenizer:
    if code in SUPPORTED_LANGUAGES:
        return load_tokenizer(params_path(code))
    warnings.warn(f"no sentence-segmenter parameters for language {code!r}; "
                  f"using generic Punkt (supported: {', '.join(SUPPORTED_LANGUAGES)})",
                  UnknownLanguageWarning, stacklevel=4)
    return PunktSentenceTokenizer()


# --------------------------------------------------------------------------- paragraphs


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` so it neither starts nor ends with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _blocks(text: str) -> list[tuple[int, int]]:
    """Spans of blank-line separated blocks (stripped, non-empty)."""
    return [m.span() for m in _BLOCK.finditer(text)]


def _lines(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the non-blank lines of ``text[start:end]``, stripped."""
    spans = []
    for m in _LINE.finditer(text, start, len(text) if end is None else end):
        s, e = _strip_span(text, *m.span())
        if s < e:
            spans.append((s, e))
    return spans


def looks_hard_wrapped(text: str) -> bool:
    """True for text whose paragraphs are broken into short lines (a plain-text e-mail style).

    Judged on the lines inside multi-line blank-separated blocks, leaving out each block's
    last line: in wrapped text most of them stop mid-sentence (no final punctuation), are
    typically 40+ characters long, and no line of the text is longer than 100 characters.
    """
    inner: list[str] = []
    for start, end in _blocks(text):
        lines = [text[s:e] for s, e in _lines(text, start, end)]
        inner += lines[:-1]
    if len(inner) < 3 or max(len(line) for line in text.splitlines()) > 100:
        return False
    open_ended = sum(1 for line in inner if not _SENTENCE_PUNCT_END.search(line))
    return open_ended / len(inner) >= 0.5 and statistics.median(len(x) for x in inner) >= 40


def paragraph_spans(text: str, wrapped: bool | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-empty paragraph, stripped of surrounding whitespace.

    Every line is a paragraph, unless the text is hard-wrapped (``wrapped=None`` detects it
    with :func:`looks_hard_wrapped`), in which case blank lines separate paragraphs.
    """
    if wrapped is None:
        wrapped = looks_hard_wrapped(text)
    return _blocks(text) if wrapped else _lines(text)


# --------------------------------------------------------------------------- sentences


def _glued_breaks(para: str, tokenizer: PunktSentenceTokenizer) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence end in ``para`` glued to the next sentence.

    ``end`` is where the next sentence starts: ``"Suleimani.Credit"``, ``'won."The'``.

    Not inside URLs or e-mail addresses, nor after a known abbreviation ("St.Petersburg").
    """
    abbrevs = tokenizer._params.abbrev_types
    cuts = []
    for m in _GLUED.finditer(para):
        if not (m.group(1).isupper() and m.group(2).islower()):
            continue
        word_start = max(para.rfind(" ", 0, m.start()), para.rfind("\n", 0, m.start())) + 1
        word_end = len(para) if (n := para.find(" ", m.end())) < 0 else n
        token = para[word_start:word_end]
        if "/" in token or "@" in token or "www" in token.lower():
            continue
        if _DOMAIN_REST.search(para, m.end(), word_end):  # "news.China.com.cn"
            continue
        before = para[word_start:m.start()].lower()
        if before in abbrevs or before.rsplit("-", 1)[-1] in abbrevs:
            continue
        cuts.append(m.span())
    return cuts


def _starts_lowercase(piece: str) -> bool:
    """True when ``piece`` starts with an all-lowercase word ("pejabat", not "eBay", "iPhone")."""
    m = _FIRST_WORD.match(piece)
    return bool(m) and m.group().islower()


#: A starter that the rule-4 shape finds this often in one text is the writer's own capital
#: (a reverential "He"/"Dia" in scripture, a surname "He"), not a run-in sentence end: a news
#: text has one or two glued lines at most (the dev stories: 10 in 62 stories per language).
STYLED_STARTER_MIN = 3


def styled_starters(text: str, lang: str) -> frozenset[str]:
    """Rule 4's starters that ``text`` writes capitalised between lowercase words at least
    :data:`STYLED_STARTER_MIN` times ("... and He uses ..., ... if He asked ..."): rule 4
    leaves them alone in that text."""
    starters = SENTENCE_STARTERS.get(normalize_lang(lang))
    if not starters:
        return frozenset()
    seen = Counter(w for m in _UNPUNCTUATED_END.finditer(text) if (w := m.group(1).lower()) in starters)
    return frozenset(w for w, n in seen.items() if n >= STYLED_STARTER_MIN)


def _boundaries(para: str, tokenizer: PunktSentenceTokenizer, lang: str,
                skip: frozenset[str] = frozenset()) -> list[int]:
    """Start offsets of the 2nd, 3rd, ... sentence of ``para``; ``lang`` (a normalised code)
    chooses rule 4's starters (:data:`SENTENCE_STARTERS`; none for another language), less
    ``skip`` (:func:`styled_starters`)."""
    spans = list(tokenizer.span_tokenize(para))
    cuts = []
    for (_, prev_end), (start, end) in zip(spans, spans[1:]):
        # Rule 1: a period followed by a lowercase word is not a boundary.
        if para[prev_end - 1] == "." and _starts_lowercase(para[start:end]):
            continue
        cuts.append(start)
    # Rule 2: glued sentence ends are boundaries (replacing a Punkt cut inside the glue).
    for glue_start, glue_end in _glued_breaks(para, tokenizer):
        cuts = [c for c in cuts if not glue_start < c <= glue_end] + [glue_end]
    # Rule 3: a doubled full stop before a capital is a typed sentence end ("Cina.. Perubahan"),
    # which Punkt reads as an ellipsis inside the sentence.
    cuts += [m.end() for m in _DOUBLE_STOP.finditer(para)]
    # Rule 4: a line without final punctuation glued to the next (a subhead or a quote run
    # into the body) ends before a capitalised subject pronoun or connective that follows a
    # lowercase word and precedes one ("... in lab They can ...", "... malam Saya tidak ...").
    if starters := SENTENCE_STARTERS.get(lang, frozenset()) - skip:
        cuts += [m.end() for m in _UNPUNCTUATED_END.finditer(para) if m.group(1).lower() in starters]
    return sorted(set(cuts))


def sentence_spans(para: str, lang: str, skip: frozenset[str] | None = None) -> list[tuple[int, int]]:
    """Sentence spans inside one paragraph (offsets relative to ``para``), stripped.
    ``skip``: rule 4's starters to leave alone (default: :func:`styled_starters` of ``para``;
    :func:`segment` passes those of the whole text)."""
    if skip is None:
        skip = styled_starters(para, lang)
    cuts = _boundaries(para, get_tokenizer(lang), normalize_lang(lang), skip)
    spans = []
    for start, end in zip([0, *cuts], [*cuts, len(para)]):
        start, end = _strip_span(para, start, end)
        if start < end:
            spans.append((start, end))
    return spans


def segment(text: str, lang: str, *, presplit: bool = False,
            wrapped: bool | None = None) -> list[Sentence]:
    """Split ``text`` into numbered sentences with offsets into ``text``.

    ``presplit=True`` takes the text as already segmented: every non-blank line is one
    sentence and blank lines separate paragraphs (a file without blank lines is one
    paragraph).  ``wrapped`` is passed to :func:`paragraph_spans`.
    """
    sentences: list[Sentence] = []
    if presplit:
        units = [(p, _lines(text, start, end)) for p, (start, end) in enumerate(_blocks(text))]
    else:
        units = []
        skip = styled_starters(text, lang)
        for p, (start, end) in enumerate(paragraph_spans(text, wrapped)):
            spans = sentence_spans(text[start:end], lang, skip)
            units.append((p, [(start + s, start + e) for s, e in spans]))
    for paragraph, spans in units:
        for start, end in spans:
            sentences.append(Sentence(index=len(sentences), text=text[start:end],
                                      paragraph=paragraph, start=start, end=end))
    return sentences


def segment_document(text: str, lang: str, path: str | None = None, *,
                     presplit: bool = False, wrapped: bool | None = None) -> Document:
    """:func:`segment` wrapped in a :class:`~fidelity.types.Document`."""
    code = normalize_lang(lang)
    return Document(text=text, lang=code,
                    sentences=segment(text, code, presplit=presplit, wrapped=wrapped), path=path)


__all__ = ["PUNKT_PRIVATE", "SENTENCE_STARTERS", "STYLED_STARTER_MIN", "SUPPORTED_LANGUAGES", "TitledPunkt", "UnknownLanguageWarning", "get_tokenizer",
           "load_params", "load_tokenizer",
           "looks_hard_wrapped", "normalize_lang", "paragraph_spans", "params_path",
           "segment", "segment_document", "sentence_spans", "styled_starters", "supported_language"]
