"""Build the shipped offline English-Indonesian sentence-embedding model.

    python -m models.build [--data ../shared/data] [--out models/fidelity-en-id-static] [--seed 0]

Steps (all deterministic for a given seed and data):

1. read the training pairs: parallel sentences (Guntara et al. 2020 general + religious, NusaX-MT)
   and word pairs (WordNet Bahasa joined through the ILI, filtered for sense noise; Wiktionary and
   CLDR extras; the NusaX lexicon; the Swadesh list) - never the ``dev/`` development set;
2. train one WordPiece vocabulary on the text of both languages;
3. train a static embedding table (a text's vector is the mean of its tokens' vectors) with a
   symmetric in-batch-negatives ranking loss (see :mod:`models._train`);
4. save it as a plain sentence-transformers folder (``StaticEmbedding`` module), weights in
   float16 to keep the folder small, plus ``fidelity_build.json`` recording settings, data hashes
   and versions. An existing hand-written ``README.md`` model card in ``--out`` is kept.

``--limit N`` trains on the first N sentence pairs and N word pairs only (a smoke test).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import shutil
import sys
import time
from dataclasses import asdict
from pathlib import Path

import torch

from ._data import LexiconFilter, Pair, lexicon_pairs, parallel_pairs
from ._tokenizer import train_tokenizer
from ._train import Example, TrainConfig, make_examples, train_static

log = logging.getLogger("models.build")

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "models" / "fidelity-en-id-static"
#: Files whose contents define the training data (hashed into fidelity_build.json).
DATA_FILES = (
    "parallel/indonesian-mt-data/general_valid.en",
    "parallel/indonesian-mt-data/general_valid.id",
    "parallel/indonesian-mt-data/general_test.en",
    "parallel/indonesian-mt-data/general_test.id",
    "parallel/indonesian-mt-data/religious_valid.en",
    "parallel/indonesian-mt-data/religious_valid.id",
    "parallel/indonesian-mt-data/religious_test.en",
    "parallel/indonesian-mt-data/religious_test.id",
    "parallel/nusax/mt_train.csv",
    "parallel/nusax/mt_valid.csv",
    "parallel/nusax/mt_test.csv",
    "lexicon/en-id_wordnet_pairs.tsv",
    "lexicon/en-id_wikt_cldr_extra_pairs.tsv",
    "lexicon/nusax_lexicon_id-en.csv",
    "lexicon/swadesh207_eng-000.txt",
    "lexicon/swadesh207_ind-000.txt",
)
#: Thread count fixed so that float sums, and so the weights, are the same on every run.
THREADS = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults reproduce the shipped model."""
    d = TrainConfig()
    f = LexiconFilter()
    p = argparse.ArgumentParser(prog="python -m models.build", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model folder to write (default: %(default)s)")
    p.add_argument("--seed", type=int, default=d.seed, help="seed of every random choice (default: %(default)s)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N sentence and N word pairs only")
    p.add_argument("--vocab-size", type=int, default=16000, help="WordPiece vocabulary size (default: %(default)s)")
    p.add_argument("--cased", action="store_true", help="keep case and accents (default: lowercase, strip accents)")
    p.add_argument("--dim", type=int, default=d.dim, help="embedding dimension (default: %(default)s)")
    p.add_argument("--epochs", type=int, default=d.epochs, help="training epochs (default: %(default)s)")
    p.add_argument("--batch-size", type=int, default=d.batch_size, help="pairs per batch (default: %(default)s)")
    p.add_argument("--lr", type=float, default=d.lr, help="Adam learning rate (default: %(default)s)")
    p.add_argument("--scale", type=float, default=d.scale, help="loss scale (inverse temperature) (default: %(default)s)")
    p.add_argument("--init-std", type=float, default=d.init_std, help="std of the random initial vectors (default: %(default)s)")
    p.add_argument(
        "--lr-decay", action=argparse.BooleanOptionalAction, default=d.lr_decay,
        help="decay the learning rate linearly to 0 (default: %(default)s)",
    )
    p.add_argument(
        "--token-dropout", type=float, default=d.token_dropout,
        help="chance of dropping each token of a training text (default: %(default)s)",
    )
    p.add_argument(
        "--whiten", type=float, default=d.whiten,
        help="shrinkage of the final partial whitening, larger = milder (default: %(default)s)",
    )
    p.add_argument("--no-whiten", action="store_true", help="only centre the table, do not whiten it")
    p.add_argument(
        "--lexicon-weight", type=float, default=d.lexicon_weight,
        help="share of the word pairs drawn per epoch, >1 repeats them (default: %(default)s)",
    )
    p.add_argument(
        "--max-translations", type=int, default=f.max_translations,
        help="keep a WordNet English word's pairs when it has at most this many translations (default: %(default)s)",
    )
    p.add_argument(
        "--min-cooccurrence", type=int, default=f.min_cooccurrence,
        help="...or when the pair co-occurs in this many parallel sentences; 0 = never (default: %(default)s)",
    )
    p.add_argument("--fp32", action="store_true", help="store float32 weights (default: float16)")
    p.add_argument("-q", "--quiet", action="store_true", help="log warnings only")
    return p.parse_args(argv)


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_pairs(args: argparse.Namespace) -> tuple[list[Pair], list[Pair]]:
    """Sentence pairs and word pairs, cut to ``--limit`` each when given."""
    missing = [name for name in DATA_FILES if not (args.data / name).is_file()]
    if missing:
        raise SystemExit(f"models.build: data folder {args.data} lacks {missing[0]} (and {len(missing) - 1} more)")
    sentences = parallel_pairs(args.data)
    words = lexicon_pairs(args.data, sentences, LexiconFilter(args.max_translations, args.min_cooccurrence))
    if args.limit is not None:
        sentences, words = sentences[: args.limit], words[: args.limit]
    return sentences, words


def tokenize(tokenizer, pairs: list[Pair], keys: tuple[dict[str, int], dict[str, int]]) -> list[Example]:
    """Token ids of both sides of each pair (no special tokens, as StaticEmbedding encodes)."""
    en_ids = [e.ids for e in tokenizer.encode_batch([en for en, _ in pairs], add_special_tokens=False)]
    id_ids = [e.ids for e in tokenizer.encode_batch([ind for _, ind in pairs], add_special_tokens=False)]
    return make_examples(pairs, en_ids, id_ids, keys)


def save_model(tokenizer, weights: torch.Tensor, out: Path, fp16: bool) -> None:
    """Write a sentence-transformers folder; keeps a README.md model card already in ``out``."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    card = (out / "README.md").read_text(encoding="utf-8") if (out / "README.md").is_file() else None
    if out.exists():
        shutil.rmtree(out)
    static = StaticEmbedding(tokenizer, embedding_weights=weights.half() if fp16 else weights)
    model = SentenceTransformer(modules=[static], device="cpu")
    model.save(str(out), create_model_card=False)
    if card is not None:
        (out / "README.md").write_text(card, encoding="utf-8")


def build(args: argparse.Namespace, argv: list[str]) -> dict:
    """Run the whole build (``argv``: the options given, for the record); returns the record
    written to ``fidelity_build.json``."""
    torch.set_num_threads(THREADS)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    start = time.monotonic()
    sentences, words = load_pairs(args)
    log.info("%d sentence pairs, %d word pairs", len(sentences), len(words))
    texts = [t for pair in sentences for t in pair] + [t for pair in words for t in pair]
    tokenizer = train_tokenizer(texts, vocab_size=args.vocab_size, lowercase=not args.cased)
    log.info("tokenizer: %d tokens", tokenizer.get_vocab_size())
    keys: tuple[dict[str, int], dict[str, int]] = ({}, {})
    sentence_examples = tokenize(tokenizer, sentences, keys)
    word_examples = tokenize(tokenizer, words, keys)
    config = TrainConfig(
        dim=args.dim, epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, scale=args.scale,
        lexicon_weight=args.lexicon_weight, init_std=args.init_std, lr_decay=args.lr_decay,
        token_dropout=args.token_dropout, whiten=None if args.no_whiten else args.whiten, seed=args.seed,
    )
    weights = train_static(tokenizer.get_vocab_size(), sentence_examples, word_examples, config)
    save_model(tokenizer, weights, args.out, fp16=not args.fp32)
    record = {
        "command": " ".join(["python -m models.build", *argv]),
        "train_config": asdict(config),
        "tokenizer": {"type": "WordPiece", "vocab_size": tokenizer.get_vocab_size(), "lowercase": not args.cased},
        "lexicon_filter": asdict(LexiconFilter(args.max_translations, args.min_cooccurrence)),
        "limit": args.limit,
        "weights_dtype": "float32" if args.fp32 else "float16",
        "sentence_pairs": len(sentence_examples),
        "word_pairs": len(word_examples),
        "data_sha256": {name: sha256(args.data / name) for name in DATA_FILES},
        "weights_sha256": sha256(args.out / "model.safetensors"),
        "versions": _versions(),
        "build_seconds": round(time.monotonic() - start, 1),
    }
    (args.out / "fidelity_build.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def _versions() -> dict[str, str]:
    import sentence_transformers
    import tokenizers

    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "sentence_transformers": sentence_transformers.__version__,
        "tokenizers": tokenizers.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m models.build``."""
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    record = build(args, argv)
    print(f"wrote {args.out} ({record['build_seconds']} s, weights sha256 {record['weights_sha256'][:12]})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
