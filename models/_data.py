"""Reading the public English-Indonesian training data for :mod:`models.build`.

Only the build scripts read ``../shared/data``; nothing at run time does. Every reader returns
its pairs in a fixed order (file order, files in a fixed list) so a build is reproducible.

The development set (``dev/``) is deliberately not readable from here: the model must never be
trained on it (it is used only by :mod:`benchmarks.model_quality` to choose settings).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

Pair = tuple[str, str]

#: Line-aligned sentence files of Guntara et al. (2020), as (folder, stem) in a fixed order.
MT_DATA_FILES = ("general_valid", "general_test", "religious_valid", "religious_test")
#: NusaX-MT splits; only the ``english`` and ``indonesian`` columns are used.
NUSAX_FILES = ("mt_train", "mt_valid", "mt_test")

_SWADESH_LABEL = re.compile(r"^\d\s*(sg|pl)\b")
_WORD_OK = re.compile(r"^[A-Za-z][A-Za-z' .\-]*$")


@dataclass(frozen=True)
class LexiconFilter:
    """How to keep the useful part of the sense-noisy WordNet pairs.

    WordNet Bahasa joins an English word to every lemma of every synset it belongs to, so a
    polysemous word ("bank") gets dozens of wrong-sense translations. A pair is kept when the
    English word has at most ``max_translations`` Indonesian translations in the file, or when
    the two words occur together in at least ``min_cooccurrence`` parallel sentence pairs
    (corpus evidence that this sense is the one used in practice).
    """

    max_translations: int = 3
    min_cooccurrence: int = 1


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _clean(text: str) -> str:
    return " ".join(text.split())


def read_line_aligned(en_path: Path, id_path: Path) -> list[Pair]:
    """Pairs from two line-aligned files; pairs with an empty side are dropped."""
    en_lines, id_lines = _read_lines(en_path), _read_lines(id_path)
    if len(en_lines) != len(id_lines):
        raise ValueError(f"{en_path} and {id_path} differ in line count ({len(en_lines)} vs {len(id_lines)})")
    pairs = [(_clean(e), _clean(i)) for e, i in zip(en_lines, id_lines)]
    return [(e, i) for e, i in pairs if e and i]


def read_nusax(path: Path) -> list[Pair]:
    """The English and Indonesian columns of one NusaX-MT csv file."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = [(_clean(r["english"]), _clean(r["indonesian"])) for r in rows]
    return [(e, i) for e, i in pairs if e and i]


def parallel_pairs(data_dir: Path) -> list[Pair]:
    """All training sentence pairs (Guntara et al. general + religious, NusaX-MT), deduplicated."""
    mt_dir = data_dir / "parallel" / "indonesian-mt-data"
    pairs: list[Pair] = []
    for stem in MT_DATA_FILES:
        pairs += read_line_aligned(mt_dir / f"{stem}.en", mt_dir / f"{stem}.id")
    for stem in NUSAX_FILES:
        pairs += read_nusax(data_dir / "parallel" / "nusax" / f"{stem}.csv")
    return list(dict.fromkeys(pairs))


def wordnet_rows(path: Path) -> Iterable[list[str]]:
    """Tab-separated fields of each row of a lexicon TSV in ``../shared/data`` (comments skipped)."""
    for line in _read_lines(path):
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 2:
                yield fields


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def word_index(pairs: Iterable[Pair]) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Sentence-pair ids per lower-cased word on each side, to test whether two words co-occur."""
    en_index: dict[str, set[int]] = defaultdict(set)
    id_index: dict[str, set[int]] = defaultdict(set)
    for n, (en, ind) in enumerate(pairs):
        for word in _tokens(en):
            en_index[word].add(n)
        for word in _tokens(ind):
            id_index[word].add(n)
    return en_index, id_index


def _cooccur(en: str, ind: str, en_index: dict[str, set[int]], id_index: dict[str, set[int]]) -> int:
    """Parallel sentence pairs containing every word of ``en`` and of ``ind`` on their sides."""
    sets = [en_index.get(w, set()) for w in _tokens(en)] + [id_index.get(w, set()) for w in _tokens(ind)]
    if not sets:
        return 0
    return len(set.intersection(*sets))


def wordnet_pairs(data_dir: Path, parallel: list[Pair], keep: LexiconFilter) -> list[Pair]:
    """Filtered WordNet pairs (see :class:`LexiconFilter`), deduplicated case-insensitively."""
    rows = list(wordnet_rows(data_dir / "lexicon" / "en-id_wordnet_pairs.tsv"))
    unique = list(dict.fromkeys((r[0].replace("_", " "), r[1].replace("_", " ")) for r in rows))
    translations = Counter(en.lower() for en, _ in dict.fromkeys((e.lower(), i.lower()) for e, i in unique))
    en_index, id_index = word_index(parallel)
    kept = []
    for en, ind in unique:
        if translations[en.lower()] <= keep.max_translations:
            kept.append((en, ind))
        elif keep.min_cooccurrence > 0 and _cooccur(en, ind, en_index, id_index) >= keep.min_cooccurrence:
            kept.append((en, ind))
    return _dedupe_casefold(kept)


def extra_lexicon_pairs(data_dir: Path) -> list[Pair]:
    """Wiktionary/CLDR extra pairs, the NusaX id-en lexicon and the Swadesh list."""
    lex = data_dir / "lexicon"
    pairs = [(r[0], r[1]) for r in wordnet_rows(lex / "en-id_wikt_cldr_extra_pairs.tsv")]
    with (lex / "nusax_lexicon_id-en.csv").open(encoding="utf-8", newline="") as handle:
        pairs += [(r["english"], r["indonesian"]) for r in csv.DictReader(handle)]
    pairs += swadesh_pairs(lex / "swadesh207_eng-000.txt", lex / "swadesh207_ind-000.txt")
    return _dedupe_casefold([(_clean(e), _clean(i)) for e, i in pairs if _clean(e) and _clean(i)])


def swadesh_pairs(en_path: Path, id_path: Path) -> list[Pair]:
    """Line-aligned Swadesh concepts: every plain English form with every plain Indonesian form."""
    pairs = []
    for en_line, id_line in zip(_read_lines(en_path), _read_lines(id_path)):
        en_forms = [w.rstrip("?") for w in en_line.split("\t") if not _SWADESH_LABEL.match(w)]
        id_forms = id_line.split("\t")
        pairs += [
            (e, i) for e in en_forms for i in id_forms if _WORD_OK.match(e) and _WORD_OK.match(i)
        ]
    return pairs


def _dedupe_casefold(pairs: Iterable[Pair]) -> list[Pair]:
    seen: set[Pair] = set()
    out = []
    for en, ind in pairs:
        key = (en.casefold(), ind.casefold())
        if key not in seen:
            seen.add(key)
            out.append((en, ind))
    return out


def lexicon_pairs(data_dir: Path, parallel: list[Pair], keep: LexiconFilter) -> list[Pair]:
    """All word pairs used for training: filtered WordNet plus the small clean lexicons."""
    return _dedupe_casefold(wordnet_pairs(data_dir, parallel, keep) + extra_lexicon_pairs(data_dir))
