"""Word-level evidence: how much of one sentence another sentence translates, word by word.

A sentence embedding is a summary: a joined text embeds close to its longer part, so the
shorter half of a split sentence, or the second sentence a translator folded into one, adds
little to the sentence-level score, and the aligner cannot tell it from an unrelated sentence
that happens to sit next to the link. Its words can. The shipped model's token table maps
English and Indonesian word pieces into one space, where a word and its translation are
neighbours ("river" / "sungai" 0.84, "president" / "presiden" 0.94, "yesterday" / "kemarin"
0.90). :meth:`Lexicon.coverage` scores a sentence against another by the weighted mean, over
its word pieces, of each piece's best cosine to a piece of the other; a piece weighs its row
norm in the table, which is small for function words ("the" 0.8, "of" 0.8) and large for
content words ("president" 6.3, "jakarta" 8.6), an inverse document frequency in effect.

Names are the exception: the table does not know that "Amerika Serikat" renders "U.S."
("amerika" / "u" 0.15), so the pieces of a one-word name and of its Indonesian form
(:mod:`fidelity.exonyms`) count as a full match (:class:`_Exonyms`).

The table is the shipped model's, whatever model embeds the sentences (``--model``): it is a
project resource, like the word lists, so the aligner's join test means the same with any
model. It loads once per process (about 40 MB as float32).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np


def _product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x @ y.T`` through torch, which honours the thread count a caller set (a batch worker
    runs one thread). numpy's BLAS starts its own threads for a product this size, and several
    worker processes doing that at once spend more time contending for the cores than
    multiplying (a 200-pair batch took 1.7x as long). A product of a few sentences' pieces
    (the aligner's join test: median 19 x 27 pieces) runs on one thread: waking the pool
    costs more than the work, and on a busy machine one call in ten waited 16 ms for it
    (a 1,003 x 939 sentence pair spent 13 of its 19 s there)."""
    import torch

    from .similarity import _threads_for

    with _threads_for(x.shape[0] * y.shape[0] * max(1, x.shape[1]), torch.device("cpu")):
        return (torch.from_numpy(x) @ torch.from_numpy(y).T).numpy()


def _ids(*pieces: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each argument as an int64 array of word-piece ids."""
    return tuple(np.asarray(p, dtype=np.int64) for p in pieces)


def batch_encoder(tokenizer):
    """A ``tokenizers.Tokenizer``'s batch encode, without character offsets when it can."""
    return getattr(tokenizer, "encode_batch_fast", None) or tokenizer.encode_batch


def token_batch(encode, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(pieces per text, all ids concatenated) of ``texts``, with ``encode`` from
    :func:`batch_encoder`; no special tokens."""
    enc = encode(list(texts), add_special_tokens=False)
    lens = np.fromiter((len(e.ids) for e in enc), dtype=np.int64, count=len(enc))
    ids = np.fromiter(itertools.chain.from_iterable(e.ids for e in enc), dtype=np.int64,
                      count=int(lens.sum()))
    return lens, ids


@dataclass(frozen=True)
class Tokens:
    """Word-piece ids of a list of texts: text ``i`` has ``ids[starts[i]:starts[i + 1]]``."""

    ids: np.ndarray  # (total,) int64
    starts: np.ndarray  # (n + 1,) int64

    def __len__(self) -> int:
        return int(self.starts.shape[0]) - 1

    def of(self, i: int) -> np.ndarray:
        return self.ids[self.starts[i]:self.starts[i + 1]]

    def slice(self, a: int, b: int) -> "Tokens":
        """Texts ``a`` to ``b - 1`` as their own :class:`Tokens` (one side of a batch)."""
        lo, hi = int(self.starts[a]), int(self.starts[b])
        return Tokens(self.ids[lo:hi].copy(), self.starts[a:b + 1] - lo)

    @staticmethod
    def from_batches(batches: Sequence[tuple[np.ndarray, np.ndarray]]) -> "Tokens":
        """Tokens from consecutive batches of (lengths per text, concatenated ids)."""
        lens = [np.asarray(l, dtype=np.int64) for l, _ in batches]
        ids = [np.asarray(i, dtype=np.int64) for _, i in batches]
        n = sum(l.shape[0] for l in lens)
        starts = np.zeros(n + 1, dtype=np.int64)
        if n:
            np.cumsum(np.concatenate(lens), out=starts[1:])
        return Tokens(np.concatenate(ids) if ids else np.zeros(0, np.int64), starts)


class _Exonyms:
    """Words that render each other as names (:mod:`fidelity.exonyms`: "U.S." / "AS" /
    "Amerika Serikat", "Tehran" / "Teheran", "Chilean" / "Chili"), found among word pieces.

    The token table scores a word against its translation, but not a name against its
    established Indonesian form: "amerika" / "u" 0.15. A translator who writes "Amerika
    Serikat." for "U.S." then leaves a fragment whose words nothing covers. Known here: the
    names of one word (:func:`fidelity.exonyms.one_word_names`) and their forms' words, each when it is one
    piece of the vocabulary (not followed by a ``##`` piece), and a dotted abbreviation
    written as single-letter pieces and periods ("u . s .", "u . n .") whose letters form a
    name. Equivalence runs both ways (English to Indonesian and back) and pairs a name only
    with a form of it; the lexicon does not know the languages, so a form that is also an
    English word ("as", Indonesian for "US") pairs with "us" in an English sentence too.
    """

    def __init__(self, vocab: dict[str, int], size: int) -> None:
        from . import exonyms

        self.period = vocab.get(".", -1)
        self.cont = np.zeros(size, bool)  # a "##" continuation piece
        for piece, i in vocab.items():
            if piece.startswith("##") and i < size:
                self.cont[i] = True
        en_to_id = exonyms.one_word_names()
        self.equiv: dict[str, set[str]] = {}
        for en, forms in en_to_id.items():
            for form in forms - {en}:
                self.equiv.setdefault(en, set()).add(form)
                self.equiv.setdefault(form, set()).add(en)
        #: piece id -> its word, for words that are one piece
        self.word = {vocab[w]: w for w in self.equiv if w in vocab and vocab[w] < size}
        self.is_word = np.zeros(size, bool)
        self.is_word[list(self.word)] = True
        #: letters of abbreviations: "us" may be written "u . s ."
        self.abbrev = {w for w in en_to_id if 2 <= len(w) <= 3 and w.isalpha()}
        self.letter = {vocab[c]: c for c in {c for w in self.abbrev for c in w} if c in vocab}
        self.is_letter = np.zeros(size, bool)
        self.is_letter[list(self.letter)] = True

    def words(self, ids: np.ndarray) -> list[tuple[str, list[int]]]:
        """The exonym words of a run of pieces: (word, positions of its pieces). Found with
        array tests; Python only visits the hits (a sentence has a few at most)."""
        out: list[tuple[str, list[int]]] = []
        n = ids.shape[0]
        if n == 0:
            return out
        whole = self.is_word[ids]
        whole[:-1] &= ~self.cont[ids[1:]]  # not the first piece of a longer word
        out += [(self.word[int(ids[k])], [k]) for k in np.flatnonzero(whole).tolist()]
        if n < 3:
            return out
        letter = self.is_letter[ids]
        period = ids == self.period
        starts = letter[:-2] & period[1:-1] & letter[2:]  # letter . letter
        if not starts.any():
            return out
        seq = ids.tolist()
        for k in np.flatnonzero(starts).tolist():
            if k >= 2 and period[k - 1] and letter[k - 2]:
                continue  # inside an abbreviation begun before
            letters, pos, q = [self.letter[seq[k]]], [k], k + 1
            while q + 1 < n and period[q] and letter[q + 1] and len(letters) < 3:
                letters.append(self.letter[seq[q + 1]])
                pos += [q, q + 1]
                q += 2
            key = "".join(letters)
            if key in self.abbrev:
                out.append((key, pos))
        return out

    def raise_pairs(self, x: np.ndarray, y: np.ndarray, cos: np.ndarray) -> None:
        """Set ``cos`` (pieces ``x`` by pieces ``y``) to 1 between the pieces of two words of
        ``x`` and ``y`` that render each other."""
        wy = self.words(y)
        if not wy:
            return
        for w, px in self.words(x):
            eq = self.equiv.get(w, ())
            for v, py in wy:
                if v in eq:
                    cos[np.ix_(px, py)] = 1.0


class Lexicon:
    """A token table (unit rows and their weights) and the tokenizer that indexes it."""

    BATCH = 4096

    def __init__(self, table: np.ndarray, tokenizer) -> None:
        table = np.asarray(table, dtype=np.float32)
        norms = np.linalg.norm(table, axis=1)
        self.weight = norms.astype(np.float32)
        self.unit = (table / np.maximum(norms, 1e-12)[:, None]).astype(np.float32)
        self.tokenizer = tokenizer

    def _cos(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cosines of the pieces ``x`` against the pieces ``y`` in the table, raised to 1
        between the pieces of two words that render each other as names
        (:class:`_Exonyms`: "U.S." and "Amerika Serikat", "Tehran" and "Teheran")."""
        cos = _product(self.unit[x], self.unit[y])
        if self._exonyms is not None:
            self._exonyms.raise_pairs(x, y, cos)
        return cos

    @functools.cached_property
    def _exonyms(self) -> "_Exonyms | None":
        vocab = getattr(self.tokenizer, "get_vocab", None)
        return _Exonyms(vocab(), self.unit.shape[0]) if vocab is not None else None

    @staticmethod
    def load(folder: str | Path) -> "Lexicon":
        """The lexicon of a static sentence-transformers model folder (``model.safetensors`` with
        one embedding table, ``tokenizer.json``)."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        tensors = load_file(str(folder / "model.safetensors"))
        tables = [t for t in tensors.values() if t.ndim == 2]
        if len(tables) != 1:
            raise ValueError(f"{folder}: expected one token table, found {len(tables)}")
        return Lexicon(tables[0], Tokenizer.from_file(str(folder / "tokenizer.json")))

    @staticmethod
    @functools.lru_cache(maxsize=1)
    def default() -> "Lexicon":
        """The shipped model's lexicon (loaded once per process)."""
        from . import default_model_path

        return Lexicon.load(default_model_path())

    @functools.cached_property
    def _pieces(self) -> list[str]:
        """Each piece id's string in the vocabulary ("" where the tokenizer has none, and for
        its unknown piece: "[UNK]" stands for any word it cannot spell, an emoji or "€5m",
        and two of them are no same word)."""
        vocab = getattr(self.tokenizer, "get_vocab", None)
        out = [""] * self.unit.shape[0]
        if vocab is not None:
            unk = getattr(getattr(self.tokenizer, "model", None), "unk_token", None)
            for piece, i in vocab().items():
                if 0 <= i < len(out) and piece != unk:
                    out[i] = piece
        return out

    def words(self, ids: np.ndarray) -> list[tuple[str, list[int]]]:
        """The words of a run of pieces as the tokenizer normalised them (lower case, accents
        stripped): (word, positions of its pieces), a ``##`` piece glued to the one before;
        pieces without a letter or digit (punctuation, a symbol, the unknown piece) are left
        out, and a ``##`` piece after one of them begins the word ("£5m": "£", "##5", "##m"
        is "5m"). The aligner reads a sentence's words back from the pieces it already has:
        the tokenizer splits at punctuation, so "U.S." is "u", "s" and "1.127" is "1", "127"."""
        pieces = self._pieces
        out: list[tuple[str, list[int]]] = []
        for k, i in enumerate(np.asarray(ids, dtype=np.int64).tolist()):
            p = pieces[i] if 0 <= i < len(pieces) else ""
            glued = p.startswith("##")
            if glued:
                p = p[2:]
            if glued and out and out[-1][1][-1] == k - 1:
                word, at = out[-1]
                out[-1] = (word + p, at + [k])
            elif any(c.isalnum() for c in p):
                out.append((p, [k]))
        return out

    def pooled(self, ids: np.ndarray) -> np.ndarray:
        """The sum of the token vectors of the pieces ``ids``, each row at its weight (the
        direction of a static model's embedding of them; zeros for no piece)."""
        return (self.unit[ids] * self.weight[ids, None]).sum(axis=0)

    def tokens(self, texts: Sequence[str]) -> Tokens:
        encode = batch_encoder(self.tokenizer)
        return Tokens.from_batches([token_batch(encode, texts[start:start + self.BATCH])
                                    for start in range(0, len(texts), self.BATCH)])

    def coverage(self, a: Tokens, a_idx: np.ndarray, b: Tokens, b_idx: np.ndarray) -> np.ndarray:
        """For each k: how much of text ``a_idx[k]`` of ``a`` text ``b_idx[k]`` of ``b`` covers,
        the weighted mean over the pieces of the first of their best cosine to a piece of the
        second (0 when either has no pieces).

        One matrix product per distinct text on the side with fewer distinct texts (the
        aligner asks for one sentence against a few neighbours at a time).
        """
        a_idx = np.asarray(a_idx, dtype=np.int64)
        b_idx = np.asarray(b_idx, dtype=np.int64)
        out = np.zeros(a_idx.shape[0], dtype=np.float64)
        if out.size == 0:
            return out
        by_b = np.unique(b_idx).size <= np.unique(a_idx).size
        keys = b_idx if by_b else a_idx
        for key in np.unique(keys).tolist():
            ks = np.flatnonzero(keys == key)
            one = (b if by_b else a).of(key)
            many_side, many_idx = (a, a_idx[ks]) if by_b else (b, b_idx[ks])
            lens = many_side.starts[many_idx + 1] - many_side.starts[many_idx]
            keep = lens > 0
            if one.size == 0 or not keep.any():
                continue
            ks, many_idx, lens = ks[keep], many_idx[keep], lens[keep]
            pieces = np.concatenate([many_side.of(j) for j in many_idx.tolist()])
            cos = self._cos(pieces, one)  # (sum of lens, len(one))
            seg = np.zeros(lens.shape[0], dtype=np.int64)
            np.cumsum(lens[:-1], out=seg[1:])
            if by_b:  # the many texts are covered: best over the one text's pieces, per piece
                w = self.weight[pieces]
                num = np.add.reduceat(cos.max(axis=1) * w, seg)
                out[ks] = num / np.maximum(np.add.reduceat(w, seg), 1e-12)
            else:  # the one text is covered: best over each many text's pieces
                w = self.weight[one]
                best = np.maximum.reduceat(cos, seg, axis=0)  # (len(ks), len(one))
                out[ks] = (best @ w) / max(float(w.sum()), 1e-12)
        return out

    def own_coverage(self, part: np.ndarray, rest: np.ndarray, other: np.ndarray) -> float:
        """How well the pieces ``other`` cover the words of ``part`` that ``rest`` does not
        share: the weighted mean over ``part``'s pieces of their best cosine to a piece of
        ``other``, each piece weighing its weight times ``1 - `` its best cosine to a piece of
        ``rest`` (clipped to [0, 1]); 0 when nothing is left to weigh.

        ``part`` and ``rest`` are the sentences of one side of a joined link, ``other`` its
        other side (all three as word-piece ids). In a story, neighbours share names and topic
        words: a dropped sentence joined to its neighbour's link ("He then fired a beautiful
        through ball, leading Hazard into the box." beside "Hazard outran the defense ...")
        has "Hazard" covered, but that word is its neighbour's too, so it justifies nothing;
        what is left of it ("fired", "beautiful", "through ball") is not in the translation.
        The half of a true split has words of its own, and they are there.
        """
        part, rest, other = _ids(part, rest, other)
        if part.size == 0 or other.size == 0:
            return 0.0
        return self._own_mean(self._cos(part, other).max(axis=1), part, rest)

    def _own_mean(self, best: np.ndarray, part: np.ndarray, rest: np.ndarray) -> float:
        """The mean of ``best`` (one value per piece of ``part``) weighted as
        :meth:`own_coverage` weighs ``part``'s pieces: each piece's weight times ``1 -`` its
        best cosine to a piece of ``rest`` (clipped to [0, 1]); 0 when next to nothing is left
        to weigh."""
        w = self.weight[part].astype(np.float64)
        full = float(w.sum())
        if rest.size:
            shared = np.clip(self._cos(part, rest).max(axis=1), 0.0, 1.0)
            w = w * (1.0 - shared)
        total = float(w.sum())  # a word's cosine to itself rounds to just under 1
        return float((best * w).sum() / total) if total > 1e-4 * full else 0.0

    def exclusive_coverage(self, part: np.ndarray, rest: np.ndarray, other: np.ndarray) -> float:
        """:meth:`own_coverage` counting only the pieces of ``other`` that ``part`` explains at
        least as well as ``rest`` does (a piece's best cosine to ``part`` against its best
        cosine to ``rest``); 0 when no piece is left or nothing is left to weigh.

        Own words are not enough where the translation covers them loosely: a dropped sentence
        joined to its neighbour's translation ("Going into Thursday, it's another big European
        night." beside "Hopefully, we can get three points ...") shares few words with that
        neighbour, so its own words weigh fully, and a translation of the neighbour still
        offers each of them some near piece (a pronoun, "malam", "pertandingan"). Those pieces
        are the neighbour's: they match its words better. The half of a true join has pieces
        that are its own ("Mereka yang dianggap tidak layak ..." answers "Those who are
        deemed ineligible ..." better than the sentence beside it).
        """
        part, rest, other = _ids(part, rest, other)
        if part.size == 0 or other.size == 0:
            return 0.0
        cos = self._cos(part, other)  # (len(part), len(other))
        if rest.size:
            mine = cos.max(axis=0) >= self._cos(rest, other).max(axis=0)
            if not mine.any():
                return 0.0
            cos = cos[:, mine]
        return self._own_mean(cos.max(axis=1), part, rest)

    def head_similarity(self, text: np.ndarray, other: np.ndarray, min_share: float = 0.25,
                        min_pieces: int = 3) -> float:
        """The best cosine between ``other``'s pooled vector and that of a leading part of
        ``text`` (its first pieces, at least ``min_share`` of them and at least
        ``min_pieces``): how well ``other`` renders the head of ``text``; 0 when either has
        no pieces. A pooled vector is the mean of the pieces' rows in the table, as the
        shipped static model embeds a sentence.

        A translation that stops before the source's trailing clause ("Hal ini timbul
        dikarenakan adanya rencana." for "It has arisen because of plans to change the name of
        the assembly to the Welsh Parliament.") embeds far from the whole source sentence,
        whose tail pulls the mean away, but close to its opening words.
        """
        text, other = _ids(text, other)
        if text.size == 0 or other.size == 0:
            return 0.0
        target = (self.unit[other] * self.weight[other, None]).mean(axis=0)
        norm = float(np.linalg.norm(target))
        if norm <= 1e-12:
            return 0.0
        heads = np.cumsum(self.unit[text] * self.weight[text, None], axis=0, dtype=np.float64)
        first = min(text.size, max(min_pieces, int(min_share * text.size))) - 1
        heads = heads[first:]
        cos = (heads @ (target / norm)) / np.maximum(np.linalg.norm(heads, axis=1), 1e-12)
        return float(cos.max())

    def added_coverage(self, part: np.ndarray, rest: np.ndarray, other: np.ndarray) -> float:
        """How much ``part`` adds to ``rest``'s coverage of the pieces ``other``: the weighted
        mean over ``other``'s pieces (weights as in :meth:`coverage`) of how much their best
        cosine to a piece of ``part`` exceeds their best cosine to a piece of ``rest`` (0 where
        it does not; an empty ``rest`` counts as cosine 0); 0 when ``part`` or ``other`` has
        no pieces.

        The reverse view of :meth:`exclusive_coverage`: not how well the other side answers the
        part's words, but how much of the other side only the part explains. A translator who
        splits a sentence and rewords one half ("..., because his side has coordinated with the
        police to manage traffic." / "Meski begitu, pihaknya telah berkoordinasi dengan petugas
        kepolisian ...") leaves that half's words weakly answered in the token table
        ("berkoordinasi" is five pieces), yet the source's words it renders ("his", "has",
        "with", "police") are answered by nothing else. A dropped sentence joined to its
        neighbour's translation explains next to nothing of it that the neighbour does not.
        """
        part, rest, other = _ids(part, rest, other)
        if part.size == 0 or other.size == 0:
            return 0.0
        mine = self._cos(other, part).max(axis=1)
        theirs = self._cos(other, rest).max(axis=1) if rest.size else np.zeros(mine.shape)
        w = self.weight[other].astype(np.float64)
        return float((np.maximum(mine - theirs, 0.0) * w).sum() / max(float(w.sum()), 1e-12))
