"""A plain, deterministic torch training loop for a static (bag-of-subwords) embedding model.

The model is one embedding table: a text's vector is the mean of its tokens' vectors (what
sentence-transformers' ``StaticEmbedding`` computes at run time). It is trained with the
in-batch-negatives ranking loss of sentence-transformers' ``MultipleNegativesSymmetricRankingLoss``
(InfoNCE over cosine similarities times a scale, in both directions), written out here so that
duplicate texts inside one batch can be masked out as false negatives and so that the loop has no
hidden randomness: one seeded generator decides the initial weights and every shuffle.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

log = logging.getLogger(__name__)

TokenIds = list[int]


@dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (the defaults are the shipped model's)."""

    dim: int = 600
    epochs: int = 5
    batch_size: int = 4096
    lr: float = 0.3
    scale: float = 10.0
    lexicon_weight: float = 1.0  # fraction of the lexicon pairs drawn each epoch (>1 repeats them)
    init_std: float = 1.0
    lr_decay: bool = False  # linear decay of the learning rate to 0 over the run
    token_dropout: float = 0.0  # chance of dropping each token of a sentence in a batch
    separate_batches: bool = False  # sentence pairs and word pairs in batches of their own
    center: bool = True  # subtract the mean training-sentence vector from every row at the end
    whiten: float | None = 4.0  # then partly whiten (shrinkage, see whitening_map); None = off
    seed: int = 0


@dataclass
class Example:
    """One training pair as token ids, with keys that identify equal texts (for masking)."""

    en: TokenIds
    ind: TokenIds
    en_key: int
    id_key: int


def make_examples(
    pairs: Sequence[tuple[str, str]],
    en_ids: Sequence[TokenIds],
    id_ids: Sequence[TokenIds],
    keys: tuple[dict[str, int], dict[str, int]],
) -> list[Example]:
    """Examples for the pairs whose both sides have at least one token.

    ``keys`` maps each text (case-folded) of each side to an id; share it between calls so that
    equal texts get equal keys across the sentence and the lexicon examples.
    """
    en_keys, id_keys = keys
    out = []
    for (en, ind), e_ids, i_ids in zip(pairs, en_ids, id_ids):
        if e_ids and i_ids:
            en_key = en_keys.setdefault(en.casefold(), len(en_keys))
            id_key = id_keys.setdefault(ind.casefold(), len(id_keys))
            out.append(Example(e_ids, i_ids, en_key, id_key))
    return out


def _bag_inputs(seqs: Sequence[TokenIds]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(s) for s in seqs])
    offsets = torch.zeros(len(seqs), dtype=torch.long)
    offsets[1:] = torch.cumsum(lengths, 0)[:-1]
    flat = torch.tensor([t for s in seqs for t in s], dtype=torch.long)
    return flat, offsets


def symmetric_ranking_loss(en: torch.Tensor, ind: torch.Tensor, same: torch.Tensor, scale: float) -> torch.Tensor:
    """InfoNCE in both directions over cosine * ``scale``; ``same[i, j]`` masks false negatives."""
    sims = F.normalize(en, dim=-1) @ F.normalize(ind, dim=-1).T * scale
    sims = sims.masked_fill(same, float("-inf"))
    labels = torch.arange(len(en))
    return (F.cross_entropy(sims, labels) + F.cross_entropy(sims.T, labels)) / 2


def drop_tokens(seqs: Sequence[TokenIds], p: float, generator: torch.Generator) -> list[TokenIds]:
    """Each token dropped with chance ``p`` (a sequence keeps at least its first surviving token).

    Dropping words teaches the model that a loose translation, which leaves out or adds a few
    words, is still the translation.
    """
    if p <= 0:
        return list(seqs)
    out = []
    for seq in seqs:
        keep = torch.rand(len(seq), generator=generator) >= p
        kept = [t for t, k in zip(seq, keep.tolist()) if k]
        out.append(kept or [seq[int(torch.randint(len(seq), (1,), generator=generator))]])
    return out


def text_vectors(bag: nn.EmbeddingBag, examples: Sequence[Example], chunk: int = 4096) -> torch.Tensor:
    """The (un-normalised) text vectors of both sides of ``examples``, English first."""
    out = []
    with torch.no_grad():
        for side in ("en", "ind"):
            for start in range(0, len(examples), chunk):
                out.append(bag(*_bag_inputs([getattr(x, side) for x in examples[start : start + chunk]])))
    return torch.cat(out)


def whitening_map(vectors: torch.Tensor, shrink: float) -> torch.Tensor:
    """A symmetric linear map that evens out the variance of ``vectors`` (rows, already centred).

    Static embeddings of a small corpus put most of their variance in a few directions that every
    sentence shares, which makes some sentences "hubs", near to everything. Scaling each principal
    direction by 1/sqrt(variance + shrink * mean variance) flattens this; ``shrink`` > 0 keeps the
    map from blowing up rare directions (0 would be full whitening). Because a text vector is a
    mean of rows, applying the map to every row of the table applies it to every text vector: the
    shipped model stays a plain static table.
    """
    cov = vectors.T.double() @ vectors.double() / max(1, len(vectors) - 1)
    values, basis = torch.linalg.eigh(cov)
    values = values.clamp_min(0)
    scale = 1 / torch.sqrt(values + shrink * values.mean())
    scale = scale / scale.max()
    return (basis * scale) @ basis.T


def _epoch_order(
    n_sentences: int, n_lexicon: int, lexicon_weight: float, generator: torch.Generator
) -> list[int]:
    """Indices for one epoch: all sentence pairs plus ``lexicon_weight`` x the lexicon pairs."""
    whole, part = divmod(lexicon_weight, 1.0)
    chosen = [n_sentences + i for _ in range(int(whole)) for i in range(n_lexicon)]
    if part > 0 and n_lexicon:
        picks = torch.randperm(n_lexicon, generator=generator)[: int(round(part * n_lexicon))]
        chosen += [n_sentences + int(i) for i in picks]
    order = list(range(n_sentences)) + chosen
    perm = torch.randperm(len(order), generator=generator)
    return [order[int(i)] for i in perm]


def train_static(
    vocab_size: int,
    sentences: Sequence[Example],
    lexicon: Sequence[Example],
    config: TrainConfig,
) -> torch.Tensor:
    """Train the embedding table; returns the (vocab_size, dim) float32 weights."""
    generator = torch.Generator().manual_seed(config.seed)
    torch.manual_seed(config.seed)
    weights = torch.randn(vocab_size, config.dim, generator=generator) * config.init_std
    bag = nn.EmbeddingBag(vocab_size, config.dim, mode="mean", _weight=weights)
    optimizer = torch.optim.Adam(bag.parameters(), lr=config.lr, fused=True)
    examples = list(sentences) + list(lexicon)
    epochs = [_batches(len(sentences), len(lexicon), config, generator) for _ in range(config.epochs)]
    total_steps = sum(len(b) for b in epochs)
    step = 0
    start = time.monotonic()
    for epoch, batches in enumerate(epochs):
        total = 0.0
        for batch in batches:
            if config.lr_decay:
                for group in optimizer.param_groups:
                    group["lr"] = config.lr * (1 - step / total_steps)
            step += 1
            items = [examples[i] for i in batch]
            en_keys = torch.tensor([x.en_key for x in items])
            id_keys = torch.tensor([x.id_key for x in items])
            same = (en_keys[:, None] == en_keys[None, :]) | (id_keys[:, None] == id_keys[None, :])
            same.fill_diagonal_(False)
            en = bag(*_bag_inputs(drop_tokens([x.en for x in items], config.token_dropout, generator)))
            ind = bag(*_bag_inputs(drop_tokens([x.ind for x in items], config.token_dropout, generator)))
            loss = symmetric_ranking_loss(en, ind, same, config.scale)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total += float(loss.detach())
        log.info(
            "epoch %d/%d: loss %.4f over %d batches (%.0f s)",
            epoch + 1, config.epochs, total / max(1, len(batches)), len(batches), time.monotonic() - start,
        )
    return postprocess(bag.weight.detach().clone(), sentences, config)


def postprocess(weights: torch.Tensor, sentences: Sequence[Example], config: TrainConfig) -> torch.Tensor:
    """Centre and partly whiten the table (see :func:`whitening_map`), then scale it so that the
    training sentences' vectors have a mean length of 1 (a tidy range for float16 storage)."""
    if config.center or config.whiten is not None:
        vectors = text_vectors(nn.EmbeddingBag.from_pretrained(weights, mode="mean"), sentences)
        mean = vectors.mean(0)
        weights = weights - mean
        if config.whiten is not None:
            weights = (weights.double() @ whitening_map(vectors - mean, config.whiten)).float()
    vectors = text_vectors(nn.EmbeddingBag.from_pretrained(weights, mode="mean"), sentences)
    return weights / vectors.norm(dim=1).mean()


def _batches(n_sentences: int, n_lexicon: int, config: TrainConfig, generator: torch.Generator) -> list[list[int]]:
    """One epoch's batches of example indices."""
    order = _epoch_order(n_sentences, n_lexicon, config.lexicon_weight, generator)
    if not config.separate_batches:
        return _cut(order, config.batch_size)
    batches = _cut([i for i in order if i < n_sentences], config.batch_size)
    batches += _cut([i for i in order if i >= n_sentences], config.batch_size)
    return [batches[int(i)] for i in torch.randperm(len(batches), generator=generator)]


def _cut(order: list[int], size: int) -> list[list[int]]:
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    if len(batches) > 1 and len(batches[-1]) < size // 4:
        batches.pop()  # a tiny last batch has too few negatives to teach anything
    return batches
