"""The real-story benchmark's generator and scorer (``benchmarks.real``) on small stories
written here: no model, no ``../shared`` data.

What must hold for its figures to mean anything: the faithful document is the story as it
is, laid out headline-then-pairs on both sides; every perturbed document differs from it by
exactly one planted change whose truth (omitted, added, changed line) is recorded; the
generator is deterministic per seed; and the scorer gives perfect figures on the truth.
"""

from __future__ import annotations

import functools
import random

import pytest

from benchmarks import real
from fidelity.types import Change, Document, Finding, Sentence

STORY_A = real.Story("reuters.1", (
    "Floods force thousands from their homes in Cebu",
    "Floods in Cebu displaced 12,000 people after three days of heavy rain, officials said on Monday.",
    "Rescue teams reached the village of Talisay late on Sunday, the provincial governor said.",
    "Governor Gwendolyn Garcia said the damage was large and would take months to repair, because the roads were cut.",
    "Prices of rice rose sharply in the markets of Cebu in January.",
    "Fishermen said their catch had fallen for the third year, and prices had doubled since the storm.",
    "The national weather agency warned of more rain in the north of the island.",
), (
    "Banjir memaksa ribuan orang meninggalkan rumah mereka di Cebu",
    "Banjir di Cebu membuat 12.000 orang mengungsi setelah hujan lebat tiga hari, kata para pejabat pada Senin.",
    "Tim penyelamat mencapai desa Talisay pada Minggu malam, kata gubernur provinsi.",
    "Gubernur Gwendolyn Garcia mengatakan kerusakan itu besar dan perbaikannya akan memakan waktu berbulan-bulan, karena jalan-jalan terputus.",
    "Harga beras naik tajam di pasar-pasar Cebu pada Januari.",
    "Para nelayan mengatakan tangkapan mereka turun selama tiga tahun, dan harga naik dua kali lipat sejak badai itu.",
    "Badan cuaca nasional memperingatkan akan ada hujan lebih banyak di utara pulau itu.",
))
STORY_B = real.Story("bbc.2", (
    "Reef loses half its coral",
    "The reef near Townsville lost half of its coral cover in 2016 and 2017, scientists from Melbourne said.",
    "Professor Terry Hughes warned that another heatwave could finish the fragile recovery in March.",
    "Tourism operators in Cairns said bookings had dropped by 30 percent since last year.",
    "The government of Queensland promised new funding for water quality on Tuesday.",
), (
    "Terumbu kehilangan separuh karangnya",
    "Terumbu di dekat Townsville kehilangan separuh tutupan karangnya pada 2016 dan 2017, kata para ilmuwan dari Melbourne.",
    "Profesor Terry Hughes memperingatkan bahwa gelombang panas berikutnya bisa menggagalkan pemulihan yang rapuh pada Maret.",
    "Para operator wisata di Cairns mengatakan pemesanan turun 30 persen sejak tahun lalu.",
    "Pemerintah Queensland menjanjikan dana baru untuk kualitas air pada Selasa.",
))
STORIES = [STORY_A, STORY_B]


@functools.lru_cache(maxsize=None)
def _build(seeds=(0, 1, 2, 3)) -> list[real.Planted]:
    """The planted documents (built once per seed tuple; tests only read them)."""
    return real.build(STORIES, list(seeds))


def _story(name: str) -> real.Story:
    return next(s for s in STORIES if s.name == name)


# --------------------------------------------------------------------------- data and layout


def test_read_stories_groups_lines_by_doc_id(tmp_path):
    en = list(STORY_A.en) + list(STORY_B.en)
    idn = list(STORY_A.id) + list(STORY_B.id)
    ids = [STORY_A.name] * len(STORY_A.en) + [STORY_B.name] * len(STORY_B.en)
    for name, lines in zip(real.FILES, (en, idn, ids)):
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert real.read_stories(tmp_path) == STORIES
    (tmp_path / real.FILES[1]).write_text("\n".join(idn[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line count"):
        real.read_stories(tmp_path)


def test_layout_headline_alone_then_pairs():
    assert real.layout(6) == [[0], [1, 2], [3, 4], [5]]
    assert real.layout(5) == [[0], [1, 2], [3, 4]]


def test_faithful_document_is_the_story_on_both_sides():
    doc = real.faithful_doc(STORY_A)
    s_text, s_spans, t_text, t_spans = doc.texts()
    assert [s_text[a:b] for a, b in s_spans] == list(STORY_A.en)
    assert [t_text[a:b] for a, b in t_spans] == list(STORY_A.id)
    # The headline is alone in the first paragraph; body lines are two to a paragraph.
    assert s_text.split("\n\n")[0] == STORY_A.en[0] and t_text.split("\n\n")[0] == STORY_A.id[0]
    assert t_text.split("\n\n")[1] == STORY_A.id[1] + " " + STORY_A.id[2]
    assert doc.truth_links() == [((i,), (i,)) for i in range(len(STORY_A.en))]
    assert not doc.omitted() and not doc.added()


# --------------------------------------------------------------------------- planting


def test_generator_is_deterministic_and_plants_every_variant():
    a, b = real.build(STORIES, [0, 1, 2, 3]), _build()
    assert [(p.variant, p.seed, p.doc.texts()) for p in a] == [(p.variant, p.seed, p.doc.texts()) for p in b]
    assert {p.variant for p in a} == {"faithful", *real.VARIANTS}
    assert sum(p.variant == "faithful" for p in a) == len(STORIES)
    # Seeds give different documents.
    texts = {p.doc.texts()[2] for p in a if p.variant == "drop" and p.story == STORY_A.name}
    assert len(texts) > 1


def _unit_texts(doc) -> list[str]:
    return [u.text for u in doc.target_units]


@pytest.mark.parametrize("variant", real.VARIANTS)
def test_one_perturbation_per_document_with_consistent_truth(variant):
    planted = [p for p in _build() if p.variant == variant]
    assert planted, variant
    for p in planted:
        story = _story(p.story)
        faithful = real.faithful_doc(story)
        doc = p.doc
        units = doc.target_units
        omitted, added = doc.omitted(), doc.added()
        if variant == "drop":
            assert omitted == {p.line} and not added and p.line >= 1
            assert _unit_texts(doc) == [t for i, t in enumerate(story.id) if i != p.line]
        elif variant == "insert_other":
            assert not omitted and len(added) == 1
            (j,) = added
            assert units[j].text == p.detail["new"] and units[j].text not in story.id
            assert units[j].text in STORY_B.id + STORY_A.id
            assert doc.texts()[0] == faithful.texts()[0]  # the source is untouched
            assert [u.text for k, u in enumerate(units) if k != j] == list(story.id)
            assert doc.target_paras[0] == faithful.target_paras[0]  # never into the headline
        elif variant == "insert_same":
            assert not omitted and len(added) == 1
            (j,) = added
            assert _unit_texts(doc) == list(story.id)  # the translation is the full story
            assert len(doc.source) == len(story.en) - 1 and story.en[j] not in doc.source
            assert units[j].text == story.id[j] and j >= 1
        elif variant == "insert_dup":
            assert not omitted and len(added) == 1
            (j,) = added
            assert units[j].text == story.id[p.line] and units[j].src == ()
            assert [u.text for k, u in enumerate(units) if k != j] == list(story.id)
            para_of = {id(u): pi for pi, para in enumerate(doc.target_paras) for u in para}
            original = next(u for u in units if u.src == (p.line,))
            assert abs(para_of[id(units[j])] - para_of[id(original)]) >= 2
        elif variant == "replace":
            assert omitted == {p.line} and len(added) == 1
            (j,) = added
            assert units[j].text not in story.id and j == p.line
        elif variant == "merge":
            assert not omitted and not added
            merged = [u for u in units if len(u.src) == 2]
            assert len(merged) == 1 and len(units) == len(story.id) - 1
            a, b = merged[0].src
            assert b == a + 1 and [a, b] in real.layout(len(story.en))
            assert merged[0].text.startswith(story.id[a].rstrip(" ."))
        else:
            assert not omitted and not added
            changed = [j for j, (u, t) in enumerate(zip(units, story.id)) if u.text != t]
            assert changed == [p.line] and p.line >= 1
            u = units[p.line]
            assert u.src == (p.line,) and u.tag == variant and p.perturbed_unit() == p.line
            assert p.detail["before"] == story.id[p.line] and p.detail["after"] == u.text
        # Every variant leaves the English untouched (insert_same only drops one line).
        if variant != "insert_same":
            assert list(doc.source) == list(story.en)


def test_in_sentence_changes_are_the_planted_kind():
    by = {(p.variant, p.seed, p.story): p for p in _build()}
    for (variant, _, story_name), p in by.items():
        if variant not in real.IN_SENTENCE:
            continue
        story = _story(story_name)
        before, after, old = p.detail["before"], p.detail["after"], p.detail["old"]
        assert old in before
        if variant == "name":
            assert p.detail["new"] in after and old not in after
            other = STORY_B if story is STORY_A else STORY_A
            assert any(p.detail["new"] in t for t in other.id)
        elif variant == "date":
            kinds = [real.ID_MONTHS, real.ID_DAYS]
            assert any(old in k and p.detail["new"] in k for k in kinds)
        elif variant == "antonym":
            assert real._ANTONYM_OF[old.lower()] == p.detail["new"].lower()
        elif variant == "cut":
            assert after.endswith(".") and len(old.split()) >= 3
            assert before.startswith(after[:-1].rstrip(" ,"))
        elif variant in ("drop_adj", "drop_name"):
            assert old not in after.split() and len(after) < len(before)


def test_helpers_on_hand_examples():
    rng = random.Random(0)
    cut, tail = real.cut_clause("Harga beras naik tajam di pasar, karena panen gagal di banyak daerah.")
    assert cut == "Harga beras naik tajam di pasar." and tail.startswith("karena")
    assert real.cut_clause("Dia pergi, kata mereka.") is None  # too little to cut
    new, old, repl = real.date_swap("It rained on Monday.", "Hujan turun pada Senin.", rng)
    assert old == "Senin" and repl in real.ID_DAYS and repl != "Senin" and repl in new
    assert real.date_swap("It rained.", "Hujan turun pada Senin.", rng) is None  # English lacks it
    new, old, repl = real.antonym_swap("Harga naik tajam.", rng)
    assert (new, old, repl) == ("Harga turun tajam.", "naik", "turun")
    assert real.drop_adjective("Hasilnya diumumkan secara resmi.", rng) is None
    assert real.drop_adjective("Pemerintah menjanjikan dana baru untuk air.", rng) == \
        ("Pemerintah menjanjikan dana untuk air.", "baru")
    assert real.merge_pair("Dia datang.", "Ia pergi.", random.Random(1)) in \
        ("Dia datang, ia pergi.", "Dia datang dan ia pergi.")


# --------------------------------------------------------------------------- scoring


def _segmented(text: str, spans, lang: str) -> Document:
    return Document(text, lang, [Sentence(k, text[a:b], k, a, b) for k, (a, b) in enumerate(spans)])


def _perfect(p: real.Planted) -> tuple[Document, Document, list[Finding], str]:
    """What a perfect checker gives on ``p`` (sentences = planted units)."""
    s_text, s_spans, t_text, t_spans = p.doc.texts()
    src, tgt = _segmented(s_text, s_spans, "en"), _segmented(t_text, t_spans, "id")
    findings = [Finding("omission", "body", (i,), (), None, f"omitted {i}") for i in sorted(p.doc.omitted())]
    findings += [Finding("addition", "body", (), (j,), None, f"added {j}") for j in sorted(p.doc.added())]
    j = p.perturbed_unit()
    if p.variant in real.IN_SENTENCE:
        kind = sorted(real.EXPECTED_KINDS[p.variant])[0]
        ftype = "partial" if kind == "missing" else "drift"
        findings.append(Finding(ftype, "body", p.doc.target_units[j].src, (j,), 0.5, f"{p.variant} {j}",
                                (Change(kind, "a", "b"),)))
    verdict = "issues" if findings else "faithful"
    return src, tgt, findings, verdict


def test_scorer_gives_perfect_figures_on_the_truth():
    records = []
    for p in _build():
        src, tgt, findings, verdict = _perfect(p)
        r = real.score(p, src, tgt, findings)
        r["verdict"] = verdict
        records.append(r)
    fig = real.figures(records)
    assert fig["faithful_judged_faithful_pct"] == 100.0 and fig["faithful_findings_by_type"] == {}
    assert fig["omission_dropped"]["precision"] == fig["omission_dropped"]["recall"] == 1.0
    assert fig["addition_inserted"]["precision"] == fig["addition_inserted"]["recall"] == 1.0
    for v in real.IN_SENTENCE + ("replace", "insert_dup"):
        assert fig[f"{v}_found_pct"] == fig[f"{v}_strict_pct"] == 100.0, v
    assert fig["merge_found_pct"] == 0.0
    assert fig["false_omadd_per_100"] == fig["false_partial_per_100"] == 0.0
    assert fig["untouched_false_omadd_per_100"] == fig["untouched_false_partial_per_100"] == 0.0
    assert fig["faithful_segmentation_mismatch_pct"] == 0.0  # a perfect segmenter


def test_scorer_counts_misses_false_flags_and_wrong_kinds():
    planted = _build(seeds=(0,))
    faithful = next(p for p in planted if p.variant == "faithful" and p.story == STORY_A.name)
    src, tgt, _, _ = _perfect(faithful)
    noise = [Finding("drift", "body", (2,), (2,), 0.6, "name changed: Talisay -> Desa"),
             Finding("omission", "body", (3,), (), None, "x"), Finding("partial", "body", (4,), (4,), 0.7, "y")]
    r = real.score(faithful, src, tgt, noise)
    r["verdict"] = "issues"
    fig = real.figures([r])
    assert fig["faithful_judged_faithful_pct"] == 0.0
    assert fig["faithful_findings_by_type"] == {"drift": 1, "omission": 1, "partial": 1}
    n = len(STORY_A.en)
    assert fig["false_omadd_per_100"] == round(100 / n, 2) and fig["false_partial_per_100"] == round(100 / n, 2)
    # A drift finding with the wrong change kind is found but not strict; one that the faithful
    # version already had (same type and message) is not new, so not found.
    p = next(p for p in planted if p.variant == "number" and p.story == STORY_A.name)
    src, tgt, _, _ = _perfect(p)
    j = p.perturbed_unit()
    wrong = Finding("drift", "body", (j,), (j,), 0.5, "name changed", (Change("name", "a", "b"),))
    r = real.score(p, src, tgt, [wrong])
    assert r["found"] and not r["strict"]
    r = real.score(p, src, tgt, [wrong], baseline={("drift", "name changed")})
    assert not r["found"]
    # An omission flagged on another sentence of a drop document costs precision.
    p = next(p for p in planted if p.variant == "drop" and p.story == STORY_A.name)
    src, tgt, findings, _ = _perfect(p)
    other = next(i for i in range(1, len(p.doc.source)) if i not in p.doc.omitted())
    r = real.score(p, src, tgt, findings + [Finding("omission", "body", (other,), (), None, "z")])
    assert (r["om_tp"], r["om_flagged"], r["om_planted"], r["false_omadd"]) == (1, 2, 1, 1)


def test_a_plant_that_undoes_a_reversal_of_the_translation_counts_for_nothing():
    """A professional translation wrote "utara" for "south"; the antonym plant swaps that very
    word back: the planted document is faithful there, so it leaves the antonym figure."""
    from types import SimpleNamespace

    planted = _build(seeds=(0,))
    p = next(p for p in planted if p.variant == "antonym")
    faithful = next(q for q in planted if q.variant == "faithful" and q.story == p.story)

    class Replay:  # the scored reports: the faithful one already reports the reversal
        def check(self, s_text, t_text):
            q = faithful if t_text == faithful.doc.texts()[2] else p
            src, tgt, findings, verdict = _perfect(q)
            if q is faithful:
                findings = [Finding("drift", "body", (1,), (1,), 0.5, "meaning reversed",
                                    (Change("antonym", "south", p.detail["old"]),))]
            else:
                findings = []  # nothing new is found in the planted document
            return SimpleNamespace(source=src, target=tgt, findings=findings, links=[],
                                   summary=SimpleNamespace(verdict="issues"))

    records, _, misses = real.run(Replay(), [faithful, p], progress=False)
    assert records[1]["void"] and not records[1]["found"]
    assert misses == []  # nothing was to be found, so nothing was missed
    assert "antonym_found_pct" not in real.figures(records)
    del records[1]["void"]
    assert real.figures(records)["antonym_found_pct"] == 0.0


def test_scorer_tells_misses_swallowed_by_a_join():
    from fidelity.types import Link

    p = next(p for p in _build(seeds=(0,)) if p.variant == "drop" and p.story == STORY_A.name)
    src, tgt, findings, _ = _perfect(p)
    (i,) = p.doc.omitted()
    # The dropped sentence joined to its neighbour's translation (a 2-1 link): a miss in a link.
    joined = [Link((i - 1, i), (i - 1,), 0.37)]
    r = real.score(p, src, tgt, [f for f in findings if f.type != "omission"], links=joined)
    assert (r["om_tp"], r["om_planted"], r["om_missed_linked"]) == (0, 1, 1)
    fig = real.figures([dict(r, verdict="issues")])
    assert fig["omission_dropped"]["missed"] == fig["omission_dropped"]["missed_in_a_link"] == 1
    assert fig["omission_dropped"]["missed_by_link_kind"] == {"2-1": 1}
    # A repeated line: an addition reported on the original instead of the copy is found too.
    p = next(p for p in _build(seeds=(0,)) if p.variant == "insert_dup")
    src, tgt, _, _ = _perfect(p)
    original = next(j for j, u in enumerate(p.doc.target_units) if u.src == (p.line,))
    r = real.score(p, src, tgt, [Finding("addition", "body", (), (original,), None, "a")])
    assert r["found"] and r["false_omadd"] == 0 and r["add_tp"] == 0
    p = next(p for p in _build(seeds=(0,)) if p.variant == "drop" and p.story == STORY_A.name)
    src, tgt, _, _ = _perfect(p)
    (i,) = p.doc.omitted()
    # Left as a 1-0 link but not reported: a miss, not inside a link.
    r = real.score(p, src, tgt, [], links=[Link((i,), (), None)])
    assert (r["om_tp"], r["om_missed_linked"]) == (0, 0)


def test_compare_lists_documents_that_changed_outcome():
    base = {"story": "s", "seed": 0, "om_tp": 0, "om_planted": 1, "add_tp": 0, "add_planted": 0,
            "found": False, "verdict": "issues"}
    old = [dict(base, variant="faithful", seed=None), dict(base, variant="drop"),
           dict(base, variant="merge", found=True), dict(base, variant="name", found=True)]
    new = [dict(base, variant="faithful", seed=None, verdict="faithful"), dict(base, variant="drop", om_tp=1),
           dict(base, variant="merge", found=True), dict(base, variant="name", found=False)]
    assert real.compare(old, new) == [
        {"story": "s", "variant": "faithful", "seed": None, "change": "better"},
        {"story": "s", "variant": "drop", "seed": 0, "change": "better"},
        {"story": "s", "variant": "name", "seed": 0, "change": "worse"}]
    assert real.compare(old, old) == []


def test_planted_lines_map_through_the_real_segmenter():
    """The texts as the benchmark gives them to the checker: the project's segmenter finds
    every planted line as one sentence, so the scorer maps findings to the right lines."""
    from fidelity.segment import segment_document

    for p in _build(seeds=(0,)):
        if p.variant not in ("faithful", "drop", "cut", "insert_other"):
            continue
        s_text, _, t_text, _ = p.doc.texts()
        src, tgt = segment_document(s_text, "en"), segment_document(t_text, "id")
        assert [s.text for s in src.sentences] == list(p.doc.source), p.variant
        assert [s.text for s in tgt.sentences] == [u.text for u in p.doc.target_units], p.variant
        findings = [Finding("omission", "body", (i,), (), None, "") for i in sorted(p.doc.omitted())]
        findings += [Finding("addition", "body", (), (j,), None, "") for j in sorted(p.doc.added())]
        r = real.score(p, src, tgt, findings)
        assert r["seg_mismatch"] == 0
        assert (r["om_tp"], r["add_tp"]) == (len(p.doc.omitted()), len(p.doc.added()))


def test_presplit_documents_map_line_for_line():
    """With ``--presplit`` every planted line is one sentence of the checker's document (no
    segmenter in between), so a planted drop and insertion score exactly."""
    from fidelity.segment import segment_document

    for p in _build(seeds=(0,)):
        if p.variant not in ("faithful", "drop", "insert_other"):
            continue
        s_text, _, t_text, _ = p.doc.texts(presplit=True)
        src = segment_document(s_text, "en", presplit=True)
        tgt = segment_document(t_text, "id", presplit=True)
        assert [s.text for s in src.sentences] == list(p.doc.source), p.variant
        findings = [Finding("omission", "body", (i,), (), None, "") for i in sorted(p.doc.omitted())]
        findings += [Finding("addition", "body", (), (j,), None, "") for j in sorted(p.doc.added())]
        r = real.score(p, src, tgt, findings, presplit=True)
        assert r["seg_mismatch"] == 0
        assert (r["om_tp"], r["add_tp"]) == (len(p.doc.omitted()), len(p.doc.added()))
