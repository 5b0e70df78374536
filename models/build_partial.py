"""Build the shipped word pairs ``models/lexicon/en-id.pairs.txt`` for :mod:`fidelity.partial`.

    python -m models.build_partial [--data ../shared/data]

The pairs are the ones the shipped model was trained with (:func:`models._data.lexicon_pairs`
with the default :class:`~models._data.LexiconFilter`: WordNet pairs of English words with at
most 3 translations or seen together in the parallel text, plus the Wiktionary/CLDR, NusaX and
Swadesh lexicons), kept where both sides are single lower-case words, plus the content-word
pairs that keep company in the model's parallel training text (Dice coefficient of the
sentence pairs they occur in at least ``MIN_DICE``, together in at least ``MIN_PAIRS`` of
them: "viewers" / "penonton", "agreement" / "kesepakatan"), which reach the everyday news
words the lexicons leave out, and the WordNet pairs that filter drops whose stems keep company
in that text (:func:`stem_supported_pairs`). The token table learnt the lexicon only in the form it writes
the words ("avoid" / "menghindari"); the partial check matches the pairs through stems on
both sides, so "avoided" / "dihindari" counts too. Never reads ``dev/``.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from fidelity.partial import EN_FUNCTION, ID_FUNCTION, en_stems, fold, id_stems
from models._data import LexiconFilter, Pair, wordnet_rows, lexicon_pairs, parallel_pairs
from models.build_punkt import DEFAULT_DATA, REPO

OUT = REPO / "models" / "lexicon" / "en-id.pairs.txt"
_WORD = re.compile(r"^[a-z][a-z'\-]*[a-z]$")
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
#: Association of two words across the parallel sentence pairs: 2 * both / (either + other).
MIN_DICE = 0.2
MIN_PAIRS = 2
#: A WordNet pair the sense filter drops is kept when the two words' stems keep company in
#: the parallel text: together in at least this many sentence pairs, at this Dice coefficient.
STEM_PAIRS = 2
STEM_DICE = 0.05


def _content(text: str, function: frozenset[str]) -> set[str]:
    words = (fold(w) for w in _TOKEN.findall(text))
    return {w for w in words if len(w) > 2 and w not in function}


def associated_pairs(parallel: list[Pair]) -> set[tuple[str, str]]:
    """Content-word pairs that occur together in the parallel sentence pairs (see module)."""
    en_count: Counter[str] = Counter()
    id_count: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for en, ind in parallel:
        e_words, i_words = _content(en, EN_FUNCTION), _content(ind, ID_FUNCTION)
        en_count.update(e_words)
        id_count.update(i_words)
        both.update((e, i) for e in e_words for i in i_words)
    return {(e, i) for (e, i), c in both.items()
            if c >= MIN_PAIRS and 2 * c / (en_count[e] + id_count[i]) >= MIN_DICE}


def stem_supported_pairs(data: Path, parallel: list[Pair]) -> set[tuple[str, str]]:
    """Single-word WordNet pairs whose stems (:func:`fidelity.partial.en_stems`,
    :func:`~fidelity.partial.id_stems`, as the check matches them) occur together in the
    parallel text (``STEM_PAIRS``, ``STEM_DICE``): the sense filter of
    :class:`models._data.LexiconFilter` reads whole words only, and drops the pairs of a
    polysemous word whose sense the text writes in another form ("measure" / "pengukuran"
    through "measurement" / "pengukuran")."""
    en_at: dict[str, set[int]] = {}
    id_at: dict[str, set[int]] = {}
    for n, (en, ind) in enumerate(parallel):
        for w in {fold(x) for x in _TOKEN.findall(en)}:
            for st in en_stems(w):
                en_at.setdefault(st, set()).add(n)
        for w in {fold(x) for x in _TOKEN.findall(ind)}:
            for st in id_stems(w):
                id_at.setdefault(st, set()).add(n)
    out = set()
    for row in wordnet_rows(data / "lexicon" / "en-id_wordnet_pairs.tsv"):
        en, ind = row[0].lower(), row[1].lower()
        if not (_WORD.match(en) and _WORD.match(ind)):
            continue
        e_at = set().union(*(en_at.get(st, set()) for st in en_stems(en)))
        i_at = set().union(*(id_at.get(st, set()) for st in id_stems(ind)))
        both = len(e_at & i_at)
        if both >= STEM_PAIRS and 2 * both / (len(e_at) + len(i_at)) >= STEM_DICE:
            out.add((en, ind))
    return out


def single_word_pairs(data: Path) -> list[tuple[str, str]]:
    """Lower-cased single-word pairs, deduplicated and sorted (a reproducible file)."""
    parallel = parallel_pairs(data)
    pairs = lexicon_pairs(data, parallel, LexiconFilter())
    out = ({(e.lower(), i.lower()) for e, i in pairs} | associated_pairs(parallel)
           | stem_supported_pairs(data, parallel))
    return sorted((e, i) for e, i in out if _WORD.match(e) and _WORD.match(i) and e != i)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    pairs = single_word_pairs(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# en-id: {len(pairs)} single-word pairs (english<TAB>indonesian): the shipped "
              "model's training lexicon and word pairs associated in its parallel text; "
              "built by models/build_partial.py\n")
    args.out.write_text(header + "".join(f"{e}\t{i}\n" for e, i in pairs), encoding="utf-8")
    print(f"{args.out}: {len(pairs)} pairs")


if __name__ == "__main__":
    main()
