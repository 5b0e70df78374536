"""The encoder's fast path for a static embedding model and the side matrices built from it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fidelity import pipeline
from fidelity.align import SideVectors
from fidelity import default_model_path
from fidelity.embed import Encoder, _StaticPath, load_model, model_hash, static_folder
from fidelity.features import hashed_side
from fidelity.segment import segment_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(None, "cpu", progress=False)


@pytest.fixture(scope="module")
def docs():
    en = "\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.en.txt")))
    idn = "\n".join(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.id.txt")))
    return segment_document(en, "en"), segment_document(idn, "id")


def test_shipped_model_takes_the_static_path(encoder: Encoder) -> None:
    assert encoder.static is not None and encoder.static.joins_add
    assert encoder.static.weights.dtype.is_floating_point and encoder.static.dim == encoder.dim


@pytest.fixture(scope="module")
def st_model():
    """The shipped model as sentence-transformers loads it."""
    return load_model(None, "cpu")


def test_shipped_folder_is_read_without_sentence_transformers(encoder: Encoder, st_model, docs) -> None:
    """The shipped folder is read from its files: the same dimension, hash and rows as the
    fast path over the model sentence-transformers loads."""
    assert encoder.model is None and static_folder(default_model_path()) is not None
    via_st = _StaticPath.of(st_model, "cpu")
    assert encoder.hash == model_hash(st_model) and encoder.dim == via_st.dim
    texts = docs[0].texts[:20] + docs[1].texts[:20]
    assert np.array_equal(encoder.encode(texts), via_st.encode(texts))
    assert encoder.static.tokenizer.to_str() == via_st.tokenizer.to_str()


def test_other_folders_load_through_sentence_transformers(st_model, tmp_path: Path) -> None:
    """A folder is read directly only when it is exactly a saved StaticEmbedding (+ Normalize)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize

    static = st_model[0]
    for name, modules in (("norm", [static, Normalize()]), ("dense", [static, Dense(static.get_embedding_dimension(), 4)])):
        SentenceTransformer(modules=modules, device="cpu").save(str(tmp_path / name))
    assert static_folder(tmp_path / "norm") is not None
    assert static_folder(tmp_path / "dense") is None
    assert static_folder(tmp_path) is None  # no modules.json
    dense = Encoder(str(tmp_path / "dense"), "cpu", progress=False)
    assert dense.model is not None and dense.static is None and dense.dim == 4
    normed = Encoder(str(tmp_path / "norm"), "cpu", progress=False)
    assert normed.model is None and normed.hash == model_hash(SentenceTransformer(
        str(tmp_path / "norm"), device="cpu", local_files_only=True))


def test_a_corrupt_static_folder_is_one_line_error(tmp_path: Path) -> None:
    import shutil

    from fidelity.errors import ModelError

    folder = tmp_path / "broken"
    shutil.copytree(default_model_path(), folder)
    (folder / "tokenizer.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError, match=r"^--model .*broken: cannot load: "):
        Encoder(str(folder), "cpu", progress=False)


def test_static_rows_match_sentence_transformers(encoder: Encoder, st_model, docs) -> None:
    """The fast path is the model's own mean direction, only computed in float32: against
    sentence-transformers' float16 output every row agrees to float16 precision."""
    texts = docs[0].texts + docs[1].texts + ["", "Advertisement"]
    fast = encoder.encode(texts)
    ref = np.asarray(st_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True),
                     dtype=np.float32)
    norms = np.linalg.norm(ref, axis=1, keepdims=True)
    ref = np.divide(ref, norms, out=np.zeros_like(ref), where=norms > 0)
    assert fast.shape == ref.shape and fast.dtype == np.float32
    assert np.abs(fast - ref).max() < 2e-3
    cos = (fast * ref).sum(axis=1)
    assert cos[:-2].min() > 0.999
    assert not fast[-2].any()  # no tokens: a zero row, as the module gives
    assert np.linalg.norm(fast[:-2], axis=1) == pytest.approx(1.0, abs=1e-5)


def test_derived_joined_rows_equal_the_embedded_joined_texts(encoder: Encoder, docs) -> None:
    for doc in docs:
        derived = encoder.encode_side(doc.texts)
        embedded = encoder.encode(pipeline.embedding_texts(doc))
        assert derived.shape == embedded.shape == (2 * len(doc) - 1, encoder.dim)
        assert np.abs(derived - embedded).max() < 1e-6


def test_sides_embedded_together_equal_each_side_embedded_alone(encoder: Encoder, docs) -> None:
    """A batch window (``encode_sides``) gives every side the rows ``encode_side`` gives it, and
    the sentences' own token ids, whatever else is in the window (also an empty side)."""
    from fidelity.lexical import Lexicon

    lexicon = Lexicon.default()
    sides = [docs[0].texts[:7], [], docs[1].texts[:1], docs[1].texts]
    got = encoder.encode_sides(sides)
    assert len(got) == len(sides)
    for side, (rows, tokens) in zip(sides, got):
        assert rows.shape == (max(0, 2 * len(side) - 1), encoder.dim) and rows.dtype == np.float32
        assert np.abs(rows - encoder.encode_side(side)).max(initial=0.0) < 1e-6
        want = lexicon.tokens(side)
        assert np.array_equal(tokens.ids, want.ids) and np.array_equal(tokens.starts, want.starts)


def test_sides_of_a_generic_model_are_its_embedded_texts(encoder: Encoder, st_model, docs) -> None:
    """Without the static path every side's joined pairs are embedded as texts; no tokens."""
    generic = Encoder.__new__(Encoder)
    generic.__dict__.update(encoder.__dict__, static=None, _cache={}, model=st_model)
    sides = [docs[0].texts[:4], docs[1].texts[:3]]
    for side, (rows, tokens) in zip(sides, generic.encode_sides(sides)):
        assert tokens is None and rows.shape == (2 * len(side) - 1, encoder.dim)
        assert np.array_equal(rows, generic.encode(side + [a + " " + b for a, b in zip(side, side[1:])]))


def test_joined_tokens_are_the_halves_tokens(encoder: Encoder, docs) -> None:
    """What the derivation rests on: this tokenizer splits at whitespace before WordPiece."""
    tok = encoder.static.tokenizer
    texts = docs[0].texts + docs[1].texts
    ids = [e.ids for e in tok.encode_batch(texts, add_special_tokens=False)]
    joined = [e.ids for e in tok.encode_batch([a + " " + b for a, b in zip(texts, texts[1:])],
                                                add_special_tokens=False)]
    assert joined == [a + b for a, b in zip(ids, ids[1:])]


def test_short_sides(encoder: Encoder) -> None:
    assert encoder.encode_side([]).shape == (0, encoder.dim)
    one = encoder.encode_side(["Hello there."])
    assert one.shape == (1, encoder.dim)
    assert np.allclose(one, encoder.encode(["Hello there."]), atol=1e-6)
    out = np.full((3, encoder.dim + 5), 7.0, dtype=np.float32)
    got = encoder.encode_side(["One.", "Two."], out=out[:, :encoder.dim])
    assert np.shares_memory(got, out) and (out[:, encoder.dim:] == 7.0).all()
    assert np.allclose(out[:, :encoder.dim], encoder.encode(["One.", "Two.", "One. Two."]), atol=1e-6)
    sent, join = np.empty((2, encoder.dim), np.float32), np.empty((1, encoder.dim), np.float32)
    assert encoder.encode_side(["One.", "Two."], out=sent, join_out=join) is sent
    assert np.array_equal(np.vstack([sent, join]), out[:, :encoder.dim])


def test_an_encoder_without_encode_side_fills_the_same_buffer(encoder: Encoder, docs) -> None:
    """Any object with a plain ``encode`` (what a batch or a caller's own model offers) gives the
    side matrices the joined-pair derivation gives, up to float rounding."""

    class Plain:
        dim = encoder.dim

        def encode(self, texts):
            return encoder.encode(texts)

    doc = docs[0]
    want = pipeline.fill_side(doc, pipeline.embed_side(encoder, doc, out=pipeline.side_buffer(doc, encoder.dim)), 0.25)
    got = pipeline.fill_side(doc, pipeline.embed_side(Plain(), doc, out=pipeline.side_buffer(doc, encoder.dim)), 0.25)
    joins = np.arange(len(doc) - 1)
    assert np.abs(got.sent - want.sent).max() < 1e-6
    assert np.abs(got.joined(joins) - want.joined(joins)).max() < 1e-6
    with pytest.raises(ValueError, match="side buffers"):
        pipeline.fill_side(doc, pipeline.side_buffer(docs[1], encoder.dim), 0.25)


def test_other_models_keep_the_generic_path(encoder: Encoder, st_model) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Dense, Normalize
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel

    static = st_model[0]
    with_dense = SentenceTransformer(modules=[static, Dense(encoder.dim, 8)], device="cpu")
    assert _StaticPath.of(with_dense, "cpu") is None
    with_norm = SentenceTransformer(modules=[static, Normalize()], device="cpu")
    assert _StaticPath.of(with_norm, "cpu") is not None
    # A byte-level pre-tokenizer marks a word's leading space, so "a b" is not "a" + "b".
    tok = Tokenizer(WordLevel({"[UNK]": 0, "a": 1, "Ġb": 2, "b": 3}, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    byte_level = SentenceTransformer(modules=[StaticEmbedding(tok, embedding_dim=4)], device="cpu")
    path = _StaticPath.of(byte_level, "cpu")
    assert path is not None and not path.joins_add


def test_side_matrices_are_bit_identical_to_side_vectors_build(encoder: Encoder, docs) -> None:
    """The in-place buffer path gives exactly what SideVectors.build gives from the same rows
    (with and without the evidence block: a zero weight makes it all zeros)."""
    for lex, doc in [(0.25, d) for d in docs] + [(0.0, docs[0])]:
        vecs = encoder.encode(pipeline.embedding_texts(doc))
        n = len(doc)
        hs, hj = hashed_side(doc.texts, doc.lang, pipeline.HASH_DIM)
        want = SideVectors.build(vecs[:n], vecs[n:], hs, hj, np.array([len(t) for t in doc.texts]),
                                 lex, np.zeros(n, bool))
        got = pipeline.side_vectors(doc, vecs, lex)
        joins = np.arange(n - 1)
        # The joins' evidence is derived from the sentences' buckets, bit for bit what the
        # hashed features of the joined texts give; only their embedding is stored.
        assert got.join.shape == (n - 1, encoder.dim) and got.derived_cols == pipeline.HASH_DIM
        assert np.array_equal(got.sent, want.sent) and np.array_equal(got.joined(joins), want.join)
        assert np.array_equal(got.joined(n - 2), want.join[n - 2])  # one row
        assert got.sent.dtype == np.float32 and np.array_equal(got.lengths, want.lengths)
        buf = pipeline.side_buffer(doc, encoder.dim)
        pipeline.embed_side(encoder, doc, out=buf)
        direct = pipeline.fill_side(doc, buf, lex)
        assert np.shares_memory(direct.sent, buf.sent) and np.shares_memory(direct.join, buf.join)
        assert np.abs(direct.sent - want.sent).max() < 1e-6  # joins derived, not embedded
        assert np.abs(direct.joined(joins) - want.join).max() < 1e-6
        assert np.array_equal(direct.boilerplate, got.boilerplate)
