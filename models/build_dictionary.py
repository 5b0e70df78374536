"""Build the shipped dictionaries ``models/wordlists/{en,id}.dict.txt``.

    python -m models.build_dictionary [--data ../shared/data]

A dictionary word is one written in lower case somewhere a dictionary or ordinary text puts
it: the single-word lower-case lemmas of the English-Indonesian lexicons (WordNet pairs,
Wiktionary/CLDR pairs, the NusaX lexicon, the Swadesh list) and every lower-case word seen at
least 3 times in the training text. :mod:`fidelity.features` uses them to tell a capitalised
ordinary word ("Exchange", "Heritage", "Kementerian") from a name ("Manhattan", "Saied"),
which a drift check on names needs. Proper nouns stay out: WordNet writes them capitalised.
"""

from __future__ import annotations

import argparse
import csv
import re
from collections import Counter
from pathlib import Path

from models.build_punkt import DEFAULT_DATA, REPO, read_training_lines

OUT = REPO / "models" / "wordlists"
_WORD = re.compile(r"^[a-z][a-z'\-]*[a-z]$")
MIN_COUNT = 3


def lexicon_words(data: Path) -> dict[str, set[str]]:
    words: dict[str, set[str]] = {"en": set(), "id": set()}
    lex = data / "lexicon"
    for name in ("en-id_wordnet_pairs.tsv", "en-id_wikt_cldr_extra_pairs.tsv"):
        with open(lex / name, encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 2:
                    words["en"].add(parts[0])
                    words["id"].add(parts[1])
    with open(lex / "nusax_lexicon_id-en.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            words["id"].add(row["indonesian"])
            words["en"].add(row["english"])
    for lang, name in (("en", "swadesh207_eng-000.txt"), ("id", "swadesh207_ind-000.txt")):
        for line in (lex / name).read_text(encoding="utf-8").splitlines():
            words[lang].update(w.strip() for w in line.split("\t"))
    return {lang: {w for w in ws if _WORD.match(w)} for lang, ws in words.items()}


def text_words(data: Path, lang: str) -> set[str]:
    counts: Counter[str] = Counter()
    for line in read_training_lines(data, lang):
        counts.update(w for w in re.findall(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", line) if w.islower())
    return {w for w, c in counts.items() if c >= MIN_COUNT and _WORD.match(w)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    lex = lexicon_words(args.data)
    args.out.mkdir(parents=True, exist_ok=True)
    for lang in ("en", "id"):
        words = sorted(lex[lang] | text_words(args.data, lang))
        header = (f"# {lang}: {len(words)} lower-case dictionary words (lexicon lemmas + training-text "
                  f"words seen >= {MIN_COUNT} times); built by models/build_dictionary.py\n")
        (args.out / f"{lang}.dict.txt").write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{lang}: {len(words)} words -> {args.out / f'{lang}.dict.txt'}")


if __name__ == "__main__":
    main()
