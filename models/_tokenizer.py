"""The shared English+Indonesian WordPiece tokenizer of the static model.

One vocabulary for both languages means that a name, a number or a loan word spelt the same way
on both sides ("Jakarta", "2011", "internet") is the same token with the same vector, which is a
strong free signal for matching a sentence to its translation.

The vocabulary is learnt here in plain Python (byte-pair-style merges over word counts, the way
the ``tokenizers`` WordPiece trainer learns it), because the ``tokenizers`` trainer breaks ties
between equally frequent pairs in hash-map order, which changes from one process to the next: two
builds from the same data gave different vocabularies. Here ties go to the alphabetically first
pair, so the same data always gives the same vocabulary. The result is a normal ``tokenizers``
WordPiece tokenizer (greedy longest-match-first, ``##`` continuation pieces).
"""

from __future__ import annotations

import heapq
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers

UNK = "[UNK]"
PREFIX = "##"
MAX_WORD_CHARS = 50

Pair = tuple[str, str]


def empty_tokenizer(lowercase: bool = True) -> Tokenizer:
    """A WordPiece tokenizer with the BERT normaliser and pre-tokeniser and a vocabulary of [UNK].

    ``lowercase`` also strips accents (NFD + removal of combining marks), so "Pétain" and
    "Petain" share tokens.
    """
    tokenizer = Tokenizer(models.WordPiece({UNK: 0}, unk_token=UNK, max_input_chars_per_word=MAX_WORD_CHARS))
    tokenizer.normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=lowercase, lowercase=lowercase
    )
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece(prefix=PREFIX)
    return tokenizer


def word_counts(tokenizer: Tokenizer, texts: Iterable[str]) -> Counter[str]:
    """Counts of the normalised, pre-tokenised words of ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        normal = tokenizer.normalizer.normalize_str(text)
        counts.update(word for word, _ in tokenizer.pre_tokenizer.pre_tokenize_str(normal))
    return counts


def _pairs(symbols: Sequence[str]) -> Iterable[Pair]:
    return zip(symbols, symbols[1:])


def _merge(symbols: list[str], pair: Pair, joined: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(symbols):
        if i + 1 < len(symbols) and symbols[i] == pair[0] and symbols[i + 1] == pair[1]:
            out.append(joined)
            i += 2
        else:
            out.append(symbols[i])
            i += 1
    return out


def learn_vocabulary(counts: Counter[str], vocab_size: int, min_frequency: int, alphabet: Iterable[str]) -> list[str]:
    """WordPiece vocabulary of at most ``vocab_size`` tokens by deterministic pair merges.

    Every word starts as its characters (non-initial ones with the ``##`` prefix); the most
    frequent adjacent pair is merged, over and over, until the vocabulary is full or no pair
    occurs ``min_frequency`` times. Ties go to the alphabetically first pair.
    """
    words = sorted((w, c) for w, c in counts.items() if len(w) <= MAX_WORD_CHARS)
    chars = sorted(set(alphabet) | {ch for w, _ in words for ch in w})
    vocab = [UNK] + chars + [PREFIX + ch for ch in chars]
    known = set(vocab)
    symbols = [[w[0]] + [PREFIX + ch for ch in w[1:]] for w, _ in words]
    freq = [c for _, c in words]
    pair_count: Counter[Pair] = Counter()
    where: dict[Pair, set[int]] = defaultdict(set)
    for n, syms in enumerate(symbols):
        for pair in _pairs(syms):
            pair_count[pair] += freq[n]
            where[pair].add(n)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        neg, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -neg:
            continue  # a stale entry: the pair's count changed after it was pushed
        if -neg < min_frequency:
            break
        joined = pair[0] + pair[1][len(PREFIX):]
        if joined not in known:
            known.add(joined)
            vocab.append(joined)
        touched: set[Pair] = set()
        for n in sorted(where.pop(pair, ())):
            for old in _pairs(symbols[n]):
                pair_count[old] -= freq[n]
                touched.add(old)
            symbols[n] = _merge(symbols[n], pair, joined)
            for new in _pairs(symbols[n]):
                pair_count[new] += freq[n]
                where[new].add(n)
                touched.add(new)
        for p in sorted(touched):
            if pair_count[p] <= 0:
                del pair_count[p]
            elif p != pair:
                heapq.heappush(heap, (-pair_count[p], p))
        pair_count.pop(pair, None)
    return vocab


def train_tokenizer(
    texts: Sequence[str],
    vocab_size: int,
    lowercase: bool = True,
    min_frequency: int = 2,
) -> Tokenizer:
    """A WordPiece tokenizer whose vocabulary is learnt from ``texts`` (both languages)."""
    tokenizer = empty_tokenizer(lowercase)
    alphabet = string.ascii_lowercase + string.digits + string.punctuation
    if not lowercase:
        alphabet += string.ascii_uppercase
    vocab = learn_vocabulary(word_counts(tokenizer, texts), vocab_size, min_frequency, alphabet)
    tokenizer.model = models.WordPiece(
        {token: n for n, token in enumerate(vocab)}, unk_token=UNK, max_input_chars_per_word=MAX_WORD_CHARS
    )
    return tokenizer
