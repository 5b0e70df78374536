"""Word-level coverage with the shipped token table (fidelity.lexical), on real sentences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fidelity.embed import Encoder
from fidelity.lexical import Lexicon, Tokens
from fidelity.segment import segment_document

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.default()


def _sentences(name: str, lang: str) -> list[str]:
    text = (FIXTURES / f"{name}.{lang}.txt").read_text(encoding="utf-8")
    return segment_document(text, lang).texts


def _one_by_one(lex: Lexicon, a: Tokens, a_idx, b: Tokens, b_idx) -> np.ndarray:
    """The definition, one pair at a time."""
    out = []
    for i, j in zip(a_idx, b_idx):
        ta, tb = a.of(int(i)), b.of(int(j))
        if ta.size == 0 or tb.size == 0:
            out.append(0.0)
            continue
        best = (lex.unit[ta] @ lex.unit[tb].T).max(axis=1)
        out.append(float(best @ lex.weight[ta] / lex.weight[ta].sum()))
    return np.array(out)


def test_coverage_equals_its_definition_for_any_grouping(lexicon: Lexicon) -> None:
    en = _sentences("cebu-floods", "en")[:12] + [""]
    idn = _sentences("cebu-floods", "id")[:12] + ["..."]
    a, b = lexicon.tokens(en), lexicon.tokens(idn)
    assert len(a) == len(en) and a.of(len(en) - 1).size == 0
    rng = np.random.default_rng(0)
    for trial in range(60):
        k = int(rng.integers(1, 9))
        ai, bi = rng.integers(0, len(en), k), rng.integers(0, len(idn), k)
        if trial % 3 == 0:
            bi[:] = bi[0]  # one covering text, many covered (the 1-2 case)
        elif trial % 3 == 1:
            ai[:] = ai[0]  # one covered text, many covering (the 2-1 case)
        got = lexicon.coverage(a, ai, b, bi)
        np.testing.assert_allclose(got, _one_by_one(lexicon, a, ai, b, bi), atol=1e-6)
    assert lexicon.coverage(a, [], b, []).shape == (0,)


def test_a_translation_covers_a_passage_better_than_the_rest_of_the_story(lexicon: Lexicon) -> None:
    """Gold paragraph links of a fixture: the partner covers a passage's words better than any
    other passage of the other side, for nearly all of them; a translation covers about half
    the weight, another passage of the same story under a third."""
    name = "bi-rate-cut"
    gold = json.loads((FIXTURES / f"{name}.align.json").read_text())
    en = [p for p in (FIXTURES / f"{name}.en.txt").read_text(encoding="utf-8").splitlines() if p.strip()]
    idn = [p for p in (FIXTURES / f"{name}.id.txt").read_text(encoding="utf-8").splitlines() if p.strip()]
    src = [" ".join(en[k] for k in s) for s, t in gold if s and t]
    tgt = [" ".join(idn[k] for k in t) for s, t in gold if s and t]
    assert len(src) >= 10
    a, b = lexicon.tokens(tgt), lexicon.tokens(src)
    wins, own, others = 0, [], []
    for k in range(len(tgt)):
        cover = lexicon.coverage(a, np.full(len(src), k), b, np.arange(len(src)))
        wins += int(np.argmax(cover) == k)
        own.append(cover[k])
        others.extend(np.delete(cover, k).tolist())
    assert wins >= len(tgt) - 1
    assert np.median(own) > 0.4 > 0.3 > np.median(others)


def test_tokens_from_batches_and_from_the_embedding_are_the_lexicons(lexicon: Lexicon) -> None:
    texts = _sentences("reef-bleaching", "id")
    whole = lexicon.tokens(texts)
    half = len(texts) // 2
    parts = [lexicon.tokens(texts[:half]), lexicon.tokens(texts[half:])]
    batches = [(np.diff(p.starts), p.ids) for p in parts]
    joined = Tokens.from_batches(batches)
    assert np.array_equal(joined.ids, whole.ids) and np.array_equal(joined.starts, whole.starts)
    assert len(Tokens.from_batches([])) == 0
    tail = whole.slice(half, len(texts))
    assert len(tail) == len(texts) - half and tail.starts[0] == 0
    assert all(np.array_equal(tail.of(k), whole.of(half + k)) for k in range(len(tail)))
    assert len(whole.slice(half, half)) == 0

    encoder = Encoder(device="cpu", progress=False)  # the shipped model shares the tokenizer
    assert encoder.shares_lexicon
    got: list = []
    encoder.encode_side(texts, tokens=got)
    from_embedding = Tokens.from_batches(got)
    assert np.array_equal(from_embedding.ids, whole.ids)
    assert np.array_equal(from_embedding.starts, whole.starts)


def test_own_coverage_equals_its_definition(lexicon: Lexicon) -> None:
    part, rest, other = (lexicon.tokens([s]).of(0) for s in (
        "Rescue teams used rubber boats to reach villages in Kebasen.",
        "Two people died when a house collapsed in Kebasen.",
        "Tim penyelamat menggunakan perahu karet untuk mencapai desa-desa di Kebasen."))
    u, w = lexicon.unit, lexicon.weight.astype(np.float64)
    best = (u[part] @ u[other].T).max(axis=1)
    weight = w[part] * (1.0 - np.clip((u[part] @ u[rest].T).max(axis=1), 0.0, 1.0))
    assert lexicon.own_coverage(part, rest, other) == pytest.approx(float(best @ weight / weight.sum()), abs=1e-5)
    # Without a rest it is the coverage; with nothing to cover or nothing covering, 0.
    plain = lexicon.coverage(lexicon.tokens([""]), np.array([0]), lexicon.tokens([""]), np.array([0]))
    assert plain.tolist() == [0.0]
    empty = np.zeros(0, np.int64)
    tokens = Tokens(np.concatenate([part, other]), np.array([0, part.size, part.size + other.size]))
    assert lexicon.own_coverage(part, empty, other) == pytest.approx(
        float(lexicon.coverage(tokens, np.array([0]), tokens, np.array([1]))[0]), abs=1e-5)
    assert lexicon.own_coverage(empty, rest, other) == 0.0 == lexicon.own_coverage(part, rest, empty)
    assert lexicon.own_coverage(part, part, other) == 0.0  # all its words are shared


def test_a_sentence_covered_only_through_its_neighbours_names_has_little_of_its_own(lexicon: Lexicon) -> None:
    """A dropped sentence beside the one the translation kept: the names they share are
    covered, its own words are not; the two halves of a sentence translated as two each have
    words of their own in it."""
    t = lambda s: lexicon.tokens([s]).of(0)  # noqa: E731
    none = np.zeros(0, np.int64)
    dropped = t("Governor Ganjar Pranowo visited the shelters in Banyumas on Wednesday morning.")
    kept = t("Ganjar Pranowo promised the provincial government would pay farmers in Banyumas.")
    kept_id = t("Ganjar Pranowo menjanjikan pemerintah provinsi akan membayar petani di Banyumas.")
    assert lexicon.own_coverage(dropped, kept, kept_id) < 0.2
    assert lexicon.own_coverage(dropped, none, kept_id) > 0.4
    assert lexicon.own_coverage(kept, dropped, kept_id) > 0.5
    source = t("Ganjar Pranowo promised the provincial government would pay farmers in Banyumas "
               "whose rice fields were destroyed.")
    half_a = t("Ganjar Pranowo berjanji.")
    half_b = t("Pemerintah provinsi akan membayar petani di Banyumas yang sawahnya rusak.")
    assert lexicon.own_coverage(half_a, half_b, source) > 0.5
    assert lexicon.own_coverage(half_b, half_a, source) > 0.5


def _two_sentences_and_their_translation(lexicon: Lexicon) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Word pieces of two English sentences and of one Indonesian sentence rendering both."""
    part, rest = (lexicon.tokens([s]).of(0) for s in (
        "Rescue teams used rubber boats to reach villages in Kebasen.",
        "Two people died when a house collapsed in Kebasen."))
    both = lexicon.tokens(["Dua orang meninggal ketika sebuah rumah roboh di Kebasen dan tim "
                           "penyelamat datang."]).of(0)
    return part, rest, both


def test_exclusive_coverage_equals_its_definition(lexicon: Lexicon) -> None:
    """Against a translation of both sentences, only the pieces the part answers at least as
    well as the rest count; the weights are :meth:`Lexicon.own_coverage`'s."""
    part, rest, both = _two_sentences_and_their_translation(lexicon)
    u, w = lexicon.unit, lexicon.weight.astype(np.float64)
    mine = both[(u[part] @ u[both].T).max(axis=0) >= (u[rest] @ u[both].T).max(axis=0)]
    weight = w[part] * (1.0 - np.clip((u[part] @ u[rest].T).max(axis=1), 0.0, 1.0))
    expected = float((u[part] @ u[mine].T).max(axis=1) @ weight / weight.sum())
    assert lexicon.exclusive_coverage(part, rest, both) == pytest.approx(expected, abs=1e-5)
    # Never more than its own-word coverage; without a rest it is that coverage.
    assert lexicon.exclusive_coverage(part, rest, both) <= lexicon.own_coverage(part, rest, both) + 1e-6
    empty = np.zeros(0, np.int64)
    assert lexicon.exclusive_coverage(part, empty, both) == pytest.approx(
        lexicon.own_coverage(part, empty, both), abs=1e-6)
    assert lexicon.exclusive_coverage(empty, rest, both) == 0.0 == lexicon.exclusive_coverage(part, rest, empty)
    assert lexicon.exclusive_coverage(part, part, both) == 0.0  # all its words are shared


def test_a_dropped_sentence_finds_only_its_neighbours_pieces(lexicon: Lexicon) -> None:
    """A dropped sentence that shares no words with the one beside it still has its words
    loosely answered by that one's translation (same topic: a match, the team, tonight),
    but by pieces its neighbour answers better; the two halves of a sentence translated as
    one each have pieces of their own."""
    t = lambda s: lexicon.tokens([s]).of(0)  # noqa: E731
    dropped = t("It is another big night for the club.")
    kept = t("We hope to win the match, but the visitors are strong away from home.")
    kept_id = t("Kami berharap bisa memenangkan pertandingan, tetapi tim tamu kuat saat bertandang.")
    none = np.zeros(0, np.int64)
    assert lexicon.exclusive_coverage(dropped, kept, kept_id) < 0.1
    assert lexicon.own_coverage(dropped, none, kept_id) > lexicon.exclusive_coverage(dropped, kept, kept_id) + 0.1
    assert lexicon.exclusive_coverage(kept, dropped, kept_id) > 0.5
    half_a = t("The bridge was closed on Monday.")
    half_b = t("Engineers found cracks in two of its pillars.")
    joined_id = t("Jembatan itu ditutup pada hari Senin setelah para insinyur menemukan retakan di dua pilarnya.")
    assert lexicon.exclusive_coverage(half_a, half_b, joined_id) > 0.4
    assert lexicon.exclusive_coverage(half_b, half_a, joined_id) > 0.4


def test_added_coverage_equals_its_definition(lexicon: Lexicon) -> None:
    """Each piece of the other side counts what the part's best cosine adds to the rest's,
    weighted as in coverage; with no rest it is the part's coverage of it, clipped at 0."""
    part, rest, both = _two_sentences_and_their_translation(lexicon)
    u, w = lexicon.unit, lexicon.weight.astype(np.float64)
    gain = np.maximum((u[both] @ u[part].T).max(axis=1) - (u[both] @ u[rest].T).max(axis=1), 0.0)
    assert lexicon.added_coverage(part, rest, both) == pytest.approx(float(gain @ w[both] / w[both].sum()), abs=1e-5)
    empty = np.zeros(0, np.int64)
    alone = np.maximum((u[both] @ u[part].T).max(axis=1), 0.0)
    assert lexicon.added_coverage(part, empty, both) == pytest.approx(float(alone @ w[both] / w[both].sum()), abs=1e-5)
    assert lexicon.added_coverage(empty, rest, both) == 0.0 == lexicon.added_coverage(part, rest, empty)
    assert lexicon.added_coverage(part, part, both) == pytest.approx(0.0, abs=1e-6)  # nothing new


def test_a_reworded_half_explains_what_its_neighbour_leaves_and_a_dropped_sentence_does_not(
        lexicon: Lexicon) -> None:
    """A sentence translated as two, the second half reworded ("coordinated with the police"
    as "berkoordinasi dengan aparat kepolisian", words the token table splits into pieces),
    still explains words of the source that the first half does not; a dropped sentence
    beside its neighbour's translation explains next to nothing of it."""
    t = lambda s: lexicon.tokens([s]).of(0)  # noqa: E731
    source = t("Luckily, the flood did not block the road because the district office has "
               "coordinated with the police to divert the buses.")
    first = t("Untungnya banjir tidak menutup jalan, karena jumlah kendaraan tidak sepadat hari biasa.")
    second = t("Meski demikian, pihak kecamatan telah berkoordinasi dengan aparat kepolisian untuk "
               "mengalihkan bus.")
    assert lexicon.added_coverage(second, first, source) > 0.08
    dropped = t("It is another big night for the club.")
    kept = t("We hope to win the match, but the visitors are strong away from home.")
    kept_id = t("Kami berharap bisa memenangkan pertandingan, tetapi tim tamu kuat saat bertandang.")
    assert lexicon.added_coverage(dropped, kept, kept_id) < 0.05
    assert lexicon.added_coverage(kept, dropped, kept_id) > 0.3



def test_a_name_and_its_indonesian_form_cover_each_other(lexicon: Lexicon) -> None:
    """The token table scores "Amerika Serikat" against "U.S." low; the exonym table
    (fidelity.exonyms) raises the pieces of the two names to a full match, both ways, so a
    fragment that only names the country is covered by the sentence that has it."""
    t = lambda s: lexicon.tokens([s]).of(0)  # noqa: E731
    source = t("U.S. Sen. Maria Lopez says she will run for governor next year.")
    fragment = t("Amerika Serikat.")
    u = lexicon.unit
    table = float((u[fragment] @ u[source].T).max(axis=1) @ lexicon.weight[fragment] / lexicon.weight[fragment].sum())
    assert table < 0.5
    assert lexicon.own_coverage(fragment, np.zeros(0, np.int64), source) == pytest.approx(1.0, abs=1e-5)
    assert lexicon._cos(source, fragment)[:3].max(axis=1) == pytest.approx([1.0, 1.0, 1.0])  # "u . s"
    # "AS" and "the US", "PBB" written out and "U.N." alike; a country's own name stays itself.
    assert lexicon._cos(t("AS"), t("the US"))[0, 1] == pytest.approx(1.0)
    assert lexicon._cos(t("Teheran"), t("Tehran"))[0].max() == pytest.approx(1.0)
    # Dotted abbreviations are read from their letter pieces, up to three letters.
    words = lexicon._exonyms.words(t("U.S.A. and the E.U."))
    assert [w for w, _ in words] == ["usa", "eu"] and len(words[0][1]) == 5


def test_exonym_words_are_whole_words_of_the_other_language(lexicon: Lexicon) -> None:
    """A piece that only begins a longer word ("as" of "as ##ean"), two words of one
    language, and a single letter that is not an abbreviation are left to the table."""
    t = lambda s: lexicon.tokens([s]).of(0)  # noqa: E731
    u = lexicon.unit
    for a, b in (("Asean", "the US"), ("Amerika", "Serikat"), ("it's a test", "Amerika Serikat")):
        x, y = t(a), t(b)
        assert np.allclose(lexicon._cos(x, y), u[x] @ u[y].T, atol=1e-5), (a, b)


def test_head_similarity_of_the_whole_text_is_the_cosine_of_the_pooled_rows(lexicon: Lexicon) -> None:
    """With every prefix but the whole text excluded, it is the cosine of the two texts' mean
    rows in the table (the static model's sentence embedding); allowing prefixes can only
    raise it."""
    tokens = lexicon.tokens(["Rescue workers pulled three people from the rubble on Tuesday night.",
                             "Petugas penyelamat mengevakuasi tiga orang dari reruntuhan."])
    a, b = tokens.of(0), tokens.of(1)
    rows = lexicon.unit * lexicon.weight[:, None]
    va, vb = rows[a].mean(axis=0), rows[b].mean(axis=0)
    cosine = float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb)))
    assert lexicon.head_similarity(a, b, min_share=1.0) == pytest.approx(cosine, abs=1e-5)
    assert lexicon.head_similarity(a, b) >= cosine - 1e-6
    assert lexicon.head_similarity(a, np.zeros(0, np.int64)) == 0.0


@pytest.mark.parametrize("source, cut", [
    ("Rescue workers pulled three people from the rubble on Tuesday night, the fire service said.",
     "Petugas penyelamat mengevakuasi tiga orang dari reruntuhan."),
    ("The minister said prices would fall next year, although economists expect inflation to stay high.",
     "Menteri mengatakan harga akan turun tahun depan."),
])
def test_a_translation_cut_short_is_closest_to_the_head_of_its_source(lexicon: Lexicon, source: str,
                                                                      cut: str) -> None:
    """A translation without the source's trailing clause embeds closer to the source's
    opening words than to the whole sentence, and far closer than a line on another subject."""
    other = "Warga diminta tetap waspada karena hujan deras diperkirakan turun hingga akhir pekan."
    tokens = lexicon.tokens([source, cut, other])
    head = lexicon.head_similarity(tokens.of(0), tokens.of(1))
    assert head > lexicon.head_similarity(tokens.of(0), tokens.of(1), min_share=1.0) + 0.05
    assert head > lexicon.head_similarity(tokens.of(0), tokens.of(2)) + 0.25


def test_words_are_read_back_from_the_pieces(lexicon: Lexicon) -> None:
    """A sentence's words from its word pieces: a ``##`` piece glued to the one before, the
    tokenizer's lower case and stripped accents, punctuation left out (the tokenizer splits
    at it: "U.S." is two words, "1.127" two numbers)."""
    text = "Yet, more residents of Café Batavia are throwing wastes into the U.S. river: 1.127 tonnes."
    ids = lexicon.tokens([text]).of(0)
    words = lexicon.words(ids)
    assert [w for w, _ in words] == ["yet", "more", "residents", "of", "cafe", "batavia", "are",
                                     "throwing", "wastes", "into", "the", "u", "s", "river",
                                     "1", "127", "tonnes"]
    pieces = lexicon._pieces
    for word, at in words:  # the positions are the word's pieces, in order
        assert "".join(pieces[int(ids[k])].removeprefix("##") for k in at) == word
        assert at == list(range(at[0], at[-1] + 1))
    # A word split into several pieces is one word ("kopaja": "kop", "##aja").
    ids = lexicon.tokens(["Kopaja yang kita uji coba"]).of(0)
    assert [w for w, _ in lexicon.words(ids)][0] == "kopaja"
    assert lexicon.words(np.zeros(0, np.int64)) == []


def test_no_word_is_read_from_the_unknown_piece_nor_keeps_a_continuation_mark(lexicon: Lexicon) -> None:
    """The tokenizer writes any word it cannot spell (an emoji, "€5m") as one unknown piece:
    two of them are no same word, so none is a word. A symbol that opens a word ("£5m": "£",
    "##5", "##m") is left out like punctuation, and the word begins at the next piece."""
    ids = lexicon.tokens(["He said \U0001F600 hello, biaya \u20ac5m atau \u00a35m."]).of(0)
    assert [w for w, _ in lexicon.words(ids)] == ["he", "said", "hello", "biaya", "atau", "5m"]
