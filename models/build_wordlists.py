"""Build the shipped language-identification word lists ``models/wordlists/{en,id}.txt``.

    python -m models.build_wordlists [--data ../shared/data] [--size 5000] [--evaluate]

Each list holds the most frequent lowercase words of one language's training text (the
English or the Indonesian side of Guntara et al. general + religious and NusaX-MT, the same
text the Punkt parameters are trained on), without the words that are also frequent in the
other language ("air", "bank", "media", names such as "indonesia"), so a word in a list is
evidence for that language alone.  :mod:`fidelity.langid` reads them.

``--evaluate`` measures :func:`fidelity.langid.detect` on held-out news (``dev/news_valid``,
lines in batches of 5, both languages) and on the seed articles; nothing is tuned here.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from models.build_punkt import DEFAULT_DATA, REPO, read_training_lines

DEFAULT_OUT = REPO / "models" / "wordlists"
#: Words kept per language before removing the shared ones.
DEFAULT_SIZE = 5000
#: A word is "shared" unless it is this many times more frequent (per token) in its own language.
MIN_RATIO = 8.0
#: Words seen fewer times than this are never listed.
MIN_COUNT = 3

HEADER = ("# {lang}: {n} frequent lowercase words of the {name} training text that are not\n"
          "# frequent in the other language; built by models/build_wordlists.py (see models/punkt/README.md).\n")


def word_counts(lines: list[str]) -> Counter[str]:
    """Lowercase word counts, words as :func:`fidelity.langid.words` splits them."""
    sys.path.insert(0, str(REPO))
    from fidelity.langid import words

    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(words(line))
    return counts


def distinctive(own: Counter[str], other: Counter[str], size: int) -> list[str]:
    """The ``size`` most frequent words of ``own`` that are at least MIN_RATIO times more
    frequent (relative to corpus size) than in ``other``, most frequent first."""
    n_own, n_other = sum(own.values()), sum(other.values())
    kept = []
    for word, count in own.most_common(size):
        if count < MIN_COUNT:
            break
        rel_own = count / n_own
        rel_other = other[word] / n_other
        if rel_own >= MIN_RATIO * rel_other:
            kept.append(word)
    return kept


def build(data_dir: Path, out_dir: Path, size: int) -> None:
    counts = {lang: word_counts(read_training_lines(data_dir, lang)) for lang in ("en", "id")}
    names = {"en": "English", "id": "Indonesian"}
    out_dir.mkdir(parents=True, exist_ok=True)
    for lang, other in (("en", "id"), ("id", "en")):
        kept = distinctive(counts[lang], counts[other], size)
        path = out_dir / f"{lang}.txt"
        path.write_text(HEADER.format(lang=lang, n=len(kept), name=names[lang]) + "\n".join(kept) + "\n",
                        encoding="utf-8")
        print(f"{lang}: {len(kept)} of the {size} most frequent words kept -> "
              f"{path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")


def _refused(text: str, lang: str) -> bool:
    """Whether fidelity.langid.check_language refuses ``text`` declared as ``lang``."""
    from fidelity.errors import InputError
    from fidelity.langid import check_language

    try:
        check_language(text, lang, "x")
    except InputError:
        return True
    return False


def evaluate(data_dir: Path, batch: int = 5) -> dict[str, float]:
    """Accuracy of langid.detect (argmax) on news_valid batches and the seeds; printed."""
    sys.path.insert(0, str(REPO))
    from fidelity.langid import MIN_WORDS, detect, guess

    results = {}
    for lang in ("en", "id"):
        lines = [x.strip() for x in (data_dir / "dev" / f"news_valid.{lang}").read_text(encoding="utf-8").splitlines()]
        lines = [x for x in lines if x]
        for size in (1, batch):
            texts = [" ".join(lines[i:i + size]) for i in range(0, len(lines), size)]
            right = sum(guess(t) == lang for t in texts)
            undecided = sum(guess(t) is None for t in texts)
            other = "id" if lang == "en" else "en"
            false_alarm = sum(_refused(t, lang) for t in texts)
            caught = sum(_refused(t, other) for t in texts)
            key = f"news_valid.{lang} x{size}"
            results[key] = right / len(texts)
            print(f"{key:18s} {len(texts):5d} texts: detect accuracy {right / len(texts):.4f} "
                  f"({undecided} undecided: under {MIN_WORDS} words or no list word); "
                  f"check_language as {lang}: {false_alarm} false alarms; "
                  f"as {other}: {caught} raised ({caught / len(texts):.4f})")
    for path in sorted((REPO / "seeds").glob("*.txt")):
        lang = path.name.split(".")[-2]
        scores = detect(path.read_text(encoding="utf-8"))
        print(f"seeds/{path.name:22s} declared {lang}: detected {guess(path.read_text(encoding='utf-8'))} "
              f"(en {scores['en']:.3f}, id {scores['id']:.3f})")
    return results


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m models.build_wordlists", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    p.add_argument("--size", type=int, default=DEFAULT_SIZE, help="frequent words considered per language")
    p.add_argument("--evaluate", action="store_true", help="only measure the shipped lists on held-out news")
    args = p.parse_args(argv)
    if args.evaluate:
        evaluate(args.data)
    else:
        build(args.data, args.out, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
