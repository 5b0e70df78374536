"""Generators and scoring of the benchmarks (no model, no shared data: small realistic texts).

The benchmarks read ``../shared/data`` themselves; here the generators run on a few news
sentence pairs written for the test, so the default test path needs no data and no model.
"""

from __future__ import annotations

import math
import random

import pytest

from benchmarks import _gen
from benchmarks.accuracy import Counts, map_sentences, score
from benchmarks.speed import Meter, fit_exponent
from fidelity.types import Document, Finding, Link, Sentence

PAIRS = [
    ("Bank Indonesia cut its benchmark rate by 25 basis points on Wednesday.",
     "Bank Indonesia memangkas suku bunga acuan sebesar 25 basis poin pada Rabu."),
    ("The rupiah recovered from a slide against the dollar, traders in Jakarta said.",
     "Rupiah pulih dari pelemahan terhadap dolar, kata para pedagang di Jakarta."),
    ("Inflation held near the bottom of the target range in October.",
     "Inflasi bertahan di dekat batas bawah kisaran sasaran pada Oktober."),
    ("Governor Perry Warjiyo said the cut would support growth, and he expected more easing next year.",
     "Gubernur Perry Warjiyo mengatakan pemangkasan itu akan mendukung pertumbuhan, dan ia memperkirakan pelonggaran lanjutan tahun depan."),
    ("Floods in Cebu displaced 12,000 people after three days of rain.",
     "Banjir di Cebu membuat 12.000 orang mengungsi setelah hujan tiga hari."),
    ("Rescue teams reached the village of Talisay late on Sunday, officials said.",
     "Tim penyelamat mencapai desa Talisay pada Minggu malam, kata para pejabat."),
    ("The reef lost half of its coral cover in 2016 and 2017.",
     "Terumbu itu kehilangan separuh tutupan karangnya pada 2016 dan 2017."),
    ("Scientists from Townsville warned that another heatwave could finish the recovery.",
     "Para ilmuwan dari Townsville memperingatkan bahwa gelombang panas berikutnya bisa menggagalkan pemulihan."),
    ("Fishermen in Makassar said their catch had fallen for the third year, and prices had doubled.",
     "Para nelayan di Makassar mengatakan tangkapan mereka turun selama tiga tahun, dan harga naik dua kali lipat."),
    ("Police arrested 14 people at the port on Monday night.",
     "Polisi menangkap 14 orang di pelabuhan pada Senin malam."),
] * 4  # 40 lines: a chunk and some "elsewhere" lines for the insertions


def _doc(seed: int = 0, p: _gen.Perturbations = _gen.Perturbations()) -> _gen.AccuracyDoc:
    rng = random.Random(seed)
    return _gen.accuracy_doc(PAIRS, range(0, 24), rng, _gen.name_pool(PAIRS), p)


def _segmented(text: str, spans: list[tuple[int, int]], lang: str) -> Document:
    """A Document whose sentences are exactly the units (what a perfect segmenter gives)."""
    sents = [Sentence(k, text[a:b], k, a, b) for k, (a, b) in enumerate(spans)]
    return Document(text, lang, sents)


def _perfect_output(doc: _gen.AccuracyDoc, presplit: bool = False):
    """The links and findings a perfect checker would report for ``doc``."""
    s_text, s_spans, t_text, t_spans = doc.texts(presplit)
    links = [Link(s, t, None if not (s and t) else 1.0) for s, t in doc.truth_links()]
    findings = [Finding("omission", "body", (i,), (), None, "") for i in sorted(doc.omitted())]
    findings += [Finding("addition", "body", (), (j,), None, "") for j in sorted(doc.added())]
    by_target = {j: s for s, t in doc.truth_links() for j in t}
    findings += [Finding("drift", "body", by_target[j], (j,), 1.0, "") for j in doc.drifted()]
    return (s_spans, t_spans, _segmented(s_text, s_spans, "en"), _segmented(t_text, t_spans, "id"),
            links, findings)


@pytest.mark.parametrize("seed", range(6))
def test_truth_is_consistent(seed):
    doc = _doc(seed)
    links = doc.truth_links()
    n_src, n_tgt = len(doc.source), len(doc.target_units)
    # Every source and every target unit is in exactly one true link, and links are monotonic.
    assert sorted(i for s, _ in links for i in s) == list(range(n_src))
    assert sorted(j for _, t in links for j in t) == list(range(n_tgt))
    pairs = [(min(s), min(t)) for s, t in links if s and t]
    assert pairs == sorted(pairs) and [t for _, t in pairs] == sorted(t for _, t in pairs)
    kinds = {e["kind"] for e in doc.edits}
    assert {"merge", "split", "delete", "insert", "junk"} <= kinds
    # Unedited target units are the corpus translations of their source units.
    for u in doc.target_units:
        if u.tag == "orig":
            assert PAIRS[u.src[0]][1] == u.text
    # A changed name or number really changed, and only in the translation.
    for e in doc.edits:
        if e["kind"] in ("name", "number"):
            (i,) = e["source"]
            unit = next(u for u in doc.target_units if u.src == (i,))
            assert e["old"] in PAIRS[i][0] and e["new"] in unit.text and unit.text != PAIRS[i][1]


def test_text_spans_cover_units_exactly():
    doc = _doc(1)
    for presplit in (False, True):
        s_text, s_spans, t_text, t_spans = doc.texts(presplit)
        assert [s_text[a:b] for a, b in s_spans] == doc.source
        assert [t_text[a:b] for a, b in t_spans] == [u.text for u in doc.target_units]


def test_perfect_output_scores_one():
    doc = _doc(2)
    m_counts = score(doc, *_perfect_output(doc))
    m = m_counts.metrics()
    for key in ("link_f1", "pair_f1", "omission_precision", "omission_recall", "addition_precision",
                "addition_recall", "drift_precision", "drift_recall_name", "drift_recall_number"):
        assert m[key] == pytest.approx(1.0), key
    assert m_counts.om_planted == len(doc.omitted()) > 0
    assert m_counts.add_planted == len(doc.added()) > 0


def test_wrong_output_scores_below_one():
    doc = _doc(3)
    s_spans, t_spans, src, tgt, links, findings = _perfect_output(doc)
    # Break up every merged (2-1) link into a 1-1 and a 1-0, and drop every finding.
    broken = []
    for link in links:
        if len(link.source) == 2:
            broken += [Link(link.source[:1], link.target, 1.0), Link(link.source[1:], (), None)]
        else:
            broken.append(link)
    m = score(doc, s_spans, t_spans, src, tgt, broken, []).metrics()
    assert m["link_recall"] < 1.0 and m["link_precision"] < 1.0
    assert m["omission_recall"] == 0.0 and m["drift_recall_number"] == 0.0


def test_sentence_mapping_follows_offsets():
    units = [(0, 10), (11, 20), (22, 30)]
    assert map_sentences([(0, 10), (11, 30), (22, 25)], units) == [(0,), (1, 2), (2,)]


def test_counts_add_up():
    a, b = Counts(links_tp=3, links_pred=4, links_true=5), Counts(links_tp=1, links_pred=1, links_true=1)
    a.verdicts["issues"] += 1
    b.verdicts["issues"] += 1
    a += b
    assert (a.links_tp, a.links_pred, a.links_true, a.verdicts["issues"]) == (4, 5, 6, 2)


def test_split_and_merge_text():
    left, right = _gen.split_text(PAIRS[3][1])
    assert left.endswith(".") and right[0].isupper()
    assert len(left.split()) >= 5 and len(right.split()) >= 5
    merged = _gen.merge_text(PAIRS[0][1], PAIRS[1][1], random.Random(0))
    assert merged.count(".") == 1 and "Rupiah" in merged


def test_speed_pair_plants_edits():
    pool = [(f"{en} ({k})", f"{idn} ({k})") for k, (en, idn) in enumerate(PAIRS)]
    gen = _gen.speed_pair(pool, 200, seed=0, omit_rate=0.05, add_rate=0.05)
    src_paras = gen.source_text.strip().split("\n\n")
    assert gen.omitted == 10 and gen.added == 10
    assert 200 / 4 <= len(src_paras) <= 200
    # Units are distinct although the pool is small (joined pairs).
    units = _gen.speed_units(pool, 300, random.Random(0))
    assert len({en for en, _ in units}) == 300


def test_fit_exponent_and_meter():
    assert fit_exponent([(1000, 1.0), (10000, 10.0), (50000, 50.0)]) == pytest.approx(1.0)
    assert fit_exponent([(1000, 1.0), (10000, 100.0)]) == pytest.approx(2.0)
    meter = Meter()
    with meter.section("outer"):
        sum(range(10000))
        with meter.section("inner"):
            sum(range(10000))
    assert set(meter.seconds) == {"outer", "inner"}
    assert all(v >= 0 and math.isfinite(v) for v in meter.seconds.values())


# --------------------------------------------------------------------------- news_valid audit


def test_shipped_audit_file_parses():
    entries = _gen.read_audit()
    assert entries, "benchmarks/news_valid_audit.tsv is empty"
    lines = [e.line for e in entries]
    assert len(set(lines)) == len(lines) and all(n >= 0 for n in lines)
    assert {e.label for e in entries} <= set(_gen.AUDIT_LABELS)
    assert {"ok", "partial", "wrong"} <= {e.label for e in entries}
    for e in entries:  # the key is a check, not a copy of the corpus
        assert 0 < len(e.key) <= _gen.AUDIT_KEY_CHARS and e.note and "\t" not in e.note


def test_shipped_audit_sample_parses_and_is_disjoint_from_the_audit():
    sample = _gen.read_audit(_gen.AUDIT_SAMPLE_FILE)
    lines = [e.line for e in sample]
    assert len(lines) == 150 and all(n >= 0 for n in lines)
    # A sample of the lines the audit did not review: none of them may be in the audit file.
    assert not set(lines) & {e.line for e in _gen.read_audit()}
    assert {e.label for e in sample} <= set(_gen.AUDIT_LABELS)
    for e in sample:  # a 30-character check key as audit_key makes it, not a copy of the corpus
        assert 0 < len(e.key) <= _gen.AUDIT_KEY_CHARS and e.key == _gen.audit_key(e.key)
        assert e.note and "\t" not in e.note
    # The counts stated in the header (and the rates computed from them) match the rows.
    header = _gen.AUDIT_SAMPLE_FILE.read_text(encoding="utf-8")
    counts = {lab: sum(e.label == lab for e in sample) for lab in _gen.AUDIT_LABELS}
    stated = ", ".join(f"{counts[lab]} {lab}" for lab in _gen.AUDIT_LABELS)
    assert f"Counts: {stated}, {len(sample)} in all." in header


def _tiny_corpus(tmp_path, audit_rows: list[str]):
    """A news_valid with a blank line (raw line 2) and an audit file naming raw line numbers."""
    dev = tmp_path / "dev"
    dev.mkdir(parents=True)
    en = [PAIRS[0][0], PAIRS[1][0], "", PAIRS[2][0], PAIRS[3][0], PAIRS[4][0]]
    idn = [PAIRS[0][1], PAIRS[1][1], "", PAIRS[5][1], PAIRS[3][1], PAIRS[4][1]]  # line 3 misaligned
    (dev / "news_valid.en").write_text("\n".join(en) + "\n", encoding="utf-8")
    (dev / "news_valid.id").write_text("\n".join(idn) + "\n", encoding="utf-8")
    audit = tmp_path / "audit.tsv"
    audit.write_text("# test audit\nline\tkey\tlabel\tnote\n" + "".join(r + "\n" for r in audit_rows),
                     encoding="utf-8")
    return tmp_path, audit, en


def test_drop_audited_uses_raw_line_numbers(tmp_path):
    rows = [f"3\t{_gen.audit_key(PAIRS[2][0])}\twrong\tmisaligned",
            f"4\t{_gen.audit_key(PAIRS[3][0])}\tok\tloose",
            f"5\t{_gen.audit_key(PAIRS[4][0])}\tpartial\thalf missing"]
    data, audit, en = _tiny_corpus(tmp_path, rows)
    assert [k for k, _, _ in _gen.news_dev_lines(data)] == [0, 1, 3, 4, 5]  # the blank line counts
    assert len(_gen.news_dev(data, audit=audit)) == 5  # default: nothing dropped
    kept = _gen.news_dev(data, drop_audited=True, audit=audit)
    assert [e for e, _ in kept] == [en[0], en[1], en[4]]  # wrong and partial gone, ok kept, order kept
    assert (PAIRS[3][0], PAIRS[3][1]) in kept


def test_drop_audited_fails_loudly_on_a_mismatch(tmp_path):
    # Key of line 3 recorded against line 4 (as if the audit were made before a blank line was added).
    data, audit, _ = _tiny_corpus(tmp_path, [f"4\t{_gen.audit_key(PAIRS[2][0])}\twrong\tshifted"])
    with pytest.raises(ValueError, match="does not match"):
        _gen.news_dev(data, drop_audited=True, audit=audit)
    data2, audit2, _ = _tiny_corpus(tmp_path / "b", [f"2\tanything\twrong\tblank line"])
    with pytest.raises(ValueError, match="not a non-blank pair"):
        _gen.news_dev(data2, drop_audited=True, audit=audit2)


@pytest.mark.parametrize("row", ["3\tkey\tmaybe\tunknown label", "x\tkey\twrong\tnot a number",
                                 "3\tkey\twrong"])
def test_read_audit_rejects_malformed_rows(tmp_path, row):
    path = tmp_path / "bad.tsv"
    path.write_text(f"# c\nline\tkey\tlabel\tnote\n{row}\n", encoding="utf-8")
    with pytest.raises(ValueError):
        _gen.read_audit(path)


def test_audit_candidates_flags_low_and_displaced_pairs():
    import numpy as np

    from benchmarks.audit_candidates import candidates

    n = 40
    rng = np.random.default_rng(0)
    cos = rng.uniform(-0.1, 0.2, size=(n, n))
    np.fill_diagonal(cos, 0.8)
    cos[7, 7] = 0.05  # a low pair
    cos[20, 21] = 0.95  # line 20's English is closer to its neighbour's Indonesian
    en = [f"English sentence number {k}." for k in range(n)]
    ind = [f"Kalimat bahasa Indonesia nomor {k}." for k in range(n)]
    _, why = candidates(cos, en, ind, percentile=99.0, window=10, length_tail=0)
    assert "low" in why[7] and why[20] == ["en>id"] and "id>en" in why[21]
    assert set(why) == {7, 20, 21}


def test_headlines_stay_paragraphs_of_their_own():
    """An inserted sentence never joins a headline's paragraph (the real segmenter could not
    find where an unpunctuated headline ends and the sentence begins)."""
    pairs = [(en[:-1], idn[:-1]) if k % 3 == 0 else (en, idn) for k, (en, idn) in enumerate(PAIRS)]
    for seed in range(40):
        rng = random.Random(seed)
        doc = _gen.accuracy_doc(pairs, range(0, 24), rng, _gen.name_pool(pairs),
                                _gen.Perturbations(insertions=(4, 4)))
        for para in doc.target_paras:
            if any(not _gen._END_PUNCT.search(u.text) for u in para):
                assert len(para) == 1, (seed, [u.text for u in para])


def test_true_links_are_contiguous_runs_an_aligner_can_give():
    """A split sentence's halves stay next to each other (an unrelated sentence is never
    inserted between them), so every true link is a run of consecutive units on each side."""
    for seed in range(60):
        doc = _doc(seed, _gen.Perturbations(insertions=(4, 4), splits=3))
        runs = [side for link in doc.truth_links() for side in link if side]
        assert all(list(r) == list(range(r[0], r[-1] + 1)) for r in runs), seed
        assert any(len(r) > 1 for r in runs)  # splits and merges are there


def test_nearby_insertions_come_from_beside_the_chunk():
    """``Perturbations.nearby``: inserted sentences are drawn from the lines just past the
    chunk (the same story, in document order), not from anywhere in the corpus."""
    near = {_gen._terminate(PAIRS[k][1]) for k in range(24, 27)}
    texts = {e["text"] for seed in range(30)
             for e in _doc(seed, _gen.Perturbations(insertions=(2, 2), nearby=3)).edits if e["kind"] == "insert"}
    assert texts and texts <= near
    anywhere = {e["text"] for seed in range(30)
                for e in _doc(seed, _gen.Perturbations(insertions=(2, 2))).edits if e["kind"] == "insert"}
    assert anywhere - near


def test_loose_counts_findings_by_type_and_kind(monkeypatch, capsys):
    """benchmarks.loose on two hand-written pairs (not ../shared): a faithful line gives
    nothing, a changed number is counted as drift/number and shown with --show."""
    from benchmarks import loose

    monkeypatch.setattr(loose, "pairs", lambda drop_audited=True: [
        ("The council approved the budget for the new hospital on Tuesday.",
         "Dewan kota menyetujui anggaran untuk rumah sakit baru pada hari Selasa."),
        ("Police said 140 people were evacuated from the flooded village.",
         "Polisi mengatakan 410 orang dievakuasi dari desa yang kebanjiran itu.")])
    assert loose.main(["--show", "number"]) == 0
    out = capsys.readouterr().out
    assert "news_valid: 2 line pairs" in out
    assert [line.split() for line in out.splitlines() if line.startswith("drift")] == [["drift", "number", "1"]]
    assert "number changed: 140 -> 410" in out and "EN Police said 140" in out


def _linked_report(pairs: list[tuple[str, str]]):
    """A report of ``pairs`` (a sentence a line, linked 1-1), as the checker would give it."""
    from fidelity.segment import segment_document
    from fidelity.types import Report, Summary

    src, tgt = (segment_document("\n".join(p[k] for p in pairs), lang, presplit=True)
                for k, lang in ((0, "en"), (1, "id")))
    return Report("0", "sig", src, tgt, [Link((k,), (k,), 0.5) for k in range(len(pairs))], [],
                  Summary("faithful", len(pairs), len(pairs), 1.0, 1.0, 0, 0, 0))


def test_glossary_speed_times_the_keyed_search_against_every_term(tmp_path):
    """The measuring function of ``benchmarks.glossary_speed`` on two small reports and a
    tiny glossary and 300 lexicon word pairs: the pre-filtered search finds what trying every
    term finds, the counts are those of the text, and the process is left as it was."""
    from benchmarks.glossary_speed import lexicon_glossary, measure, write_csv
    from fidelity import glossary as module
    from fidelity.glossary import Glossary, Term, load_glossary

    reports = [_linked_report(PAIRS[:10]), _linked_report(PAIRS[10:20])]
    tiny = Glossary([Term("source", ("sumber",)), Term("rate", ("suku bunga",)), Term("police", ("polisi",)),
                     Term("coral", ("karang",)), Term("heatwave", ("gelombang udara",))], path="tiny")
    lexicon = lexicon_glossary(300)
    assert len(lexicon) == 300 and lexicon.terms == lexicon_glossary(300).terms != lexicon_glossary(300, 1).terms
    keyed, shared = Glossary._candidates, dict(module._SHARED)
    rows = measure(reports, [tiny, lexicon], repeats=1, loads=3)
    assert Glossary._candidates is keyed and module._SHARED == shared
    assert [r["terms"] for r in rows] == [5, 300] and all(r["pairs"] == 2 for r in rows)
    for r in rows:
        assert r["same_uses"] and r["same_findings"] and r["same_terms"] and r["later_loads_reuse_the_copy"]
        assert r["pickle_bytes"] > 0 and all(math.isfinite(r[k]) and r[k] >= 0 for k in (
            "ms_per_pair", "every_term_ms_per_pair", "first_load_ms", "later_pair_ms"))
    # each pair uses "rate", "police", "coral", "heatwave"; only "heatwave" is translated otherwise
    assert rows[0]["term_uses_per_pair"] == 4 and rows[0]["findings_per_pair"] == 1
    assert rows[1]["term_uses_per_pair"] > 0
    # the CSV the end-to-end runs give to `batch --glossary` reads back as the same terms
    assert load_glossary(write_csv(tiny, tmp_path / "g.csv")).digest == tiny.digest


@pytest.mark.parametrize("args, words", [(["--sizes", "1000,x"], "--sizes: not a whole number"),
                                         (["--sizes", "-5"], "--sizes: must be at least 1"),
                                         (["--loads", "-1"], "--loads: must be at least 0"),
                                         (["--pairs", "0"], "--pairs: must be at least 1")])
def test_glossary_speed_refuses_bad_counts_in_one_line(args, words, capsys):
    """A count that is no whole number or too small stops ``benchmarks.glossary_speed`` with
    argparse's one-line error (exit 2) before any model loads: a negative size took all but
    that many lexicon pairs, a negative --loads ended in an UnboundLocalError."""
    from benchmarks.glossary_speed import main

    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2 and words in capsys.readouterr().err
