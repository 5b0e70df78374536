"""Tests of fidelity.glossary: CSV and TBX glossaries, term matching, terminology findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from fidelity.errors import InputError
from fidelity.glossary import (Glossary, Term, apply_glossary, glossary_findings, load_glossary, parse_csv,
                               source_pattern, target_pattern)
from fidelity.segment import segment_document
from fidelity.types import Finding, Link, Report, Summary

ROOT = Path(__file__).resolve().parent.parent
CAT = Path(__file__).resolve().parent / "fixtures" / "cat"
EXAMPLE = ROOT / "examples" / "glossary-seed.csv"


def make_report(pairs: list[tuple[str, str]]) -> Report:
    """A report of ``pairs`` (one sentence a line, each linked 1-1) with no findings."""
    source = segment_document("\n".join(p[0] for p in pairs), "en", presplit=True)
    target = segment_document("\n".join(p[1] for p in pairs), "id", presplit=True)
    links = [Link((k,), (k,), 0.5) for k in range(len(pairs))]
    return Report("0", "sig", source, target, links, [], Summary("faithful", len(pairs), len(pairs), 1.0, 1.0, 0, 0, 0))


def _found(pattern, text: str) -> list[str]:
    return [m.group() for m in pattern.finditer(text)]


# --- matching -------------------------------------------------------------------------------------

def test_english_inflections_and_acronyms() -> None:
    assert _found(source_pattern("official"), "Officials said an official's aide") == ["Officials", "official's"]
    assert _found(source_pattern("official"), "officialdom") == []
    assert _found(source_pattern("agency"), "two agencies and the agency's chief") == ["agencies", "agency's"]
    assert _found(source_pattern("assassinate"), "assassinated, assassinating, assassinates") == [
        "assassinated", "assassinating", "assassinates"]
    assert _found(source_pattern("supreme leader"), "Iran's Supreme\nLeader spoke") == ["Supreme\nLeader"]
    # an acronym matches only in capitals: "US" is not "us"
    assert _found(source_pattern("US"), "the US told us") == ["US"]


def test_indonesian_affixes_only_when_listed() -> None:
    rx = target_pattern("pemerintah")
    assert _found(rx, "Pemerintah, pemerintahnya, pemerintah-pemerintah") == [
        "Pemerintah", "pemerintahnya", "pemerintah-pemerintah"]
    assert _found(rx, "pemerintahan Biden") == []  # a derived word: not the term
    term = Term("government", ("pemerintah",), ("pemerintahan",))
    glossary = Glossary([term])
    assert glossary.rendered(0, "pemerintahan Biden")
    assert not Glossary([Term("government", ("pemerintah",))]).rendered(0, "pemerintahan Biden")
    assert _found(target_pattern("duta besar"), "Duta Besar dan duta  besarnya") == ["Duta Besar", "duta  besarnya"]


def test_longest_term_wins() -> None:
    g = Glossary([Term("leader", ("pemimpin",)), Term("supreme leader", ("pemimpin tertinggi",))])
    assert [(g.terms[k].source, s, e) for k, s, e in g.source_matches("the supreme leader and a leader")] == [
        ("supreme leader", 4, 18), ("leader", 25, 31)]


# --- reading ----------------------------------------------------------------------------------------

def test_csv_header_alternatives_forms_and_notes() -> None:
    g = parse_csv("en,id,forms,note\n# a comment\nUnited Nations,PBB|Perserikatan Bangsa-Bangsa,,\n"
                  "hostage,sandera,disandera,taken hostage\n\n", "g.csv")
    assert (g.source_lang, g.target_lang) == ("en", "id")
    assert g.terms == [Term("United Nations", ("PBB", "Perserikatan Bangsa-Bangsa")),
                       Term("hostage", ("sandera",), ("disandera",), "taken hostage")]
    assert len(parse_csv("official,pejabat\n")) == 1  # no header


@pytest.mark.parametrize("text, words", [("en,id\nofficial,\n", "line 2"), ("en,id\n", "no terms"),
                                         ("en,id\nofficial\n", "line 2")])
def test_csv_errors_are_one_line(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as info:
        parse_csv(text, "g.csv")
    assert "\n" not in str(info.value)


def test_tbx_deprecated_terms_and_forms_note() -> None:
    pytest.importorskip("translate", reason="TBX needs translate-toolkit: pip install 'fidelity[cat]'")
    g = load_glossary(CAT / "glossary.tbx")
    by = {t.source: t for t in g.terms}
    assert set(by) == {"central bank", "government", "administration"}  # "rupiah" has no id term
    assert by["government"].targets == ("pemerintah",)  # the deprecated rendering is not accepted
    assert by["administration"].forms == ("kepemerintahan",)
    report = make_report([("The government and the central bank agreed.",
                           "Pemerintahan dan bank sentral sepakat.")])
    (finding,) = glossary_findings(report, g)
    assert [(c.source, c.target) for c in finding.changes] == [("government", "pemerintah")]


def test_tbx_malformed_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("translate", reason="TBX needs translate-toolkit: pip install 'fidelity[cat]'")
    bad = tmp_path / "bad.tbx"
    bad.write_text("<martif><text><body><termEntry>", encoding="utf-8")
    with pytest.raises(InputError, match="bad.tbx: not well-formed XML") as info:
        load_glossary(bad)
    assert "\n" not in str(info.value)



@pytest.mark.parametrize("module", ["lxml", "translate.storage"])
def test_tbx_without_the_cat_extra_is_one_line(tmp_path: Path, monkeypatch, module: str) -> None:
    """lxml and translate-toolkit are the optional extra ``cat``: without either, a TBX
    glossary is a one-line InputError (the CLI's exit 2), not an ImportError's traceback."""
    monkeypatch.setitem(__import__("sys").modules, module, None)  # import fails, imported before or not
    g = tmp_path / "g.tbx"
    g.write_text("<martif/>", encoding="utf-8")
    with pytest.raises(InputError, match="needs translate-toolkit") as info:
        load_glossary(g)
    assert "\n" not in str(info.value)


# --- findings -------------------------------------------------------------------------------------

GLOSSARY = Glossary([Term("official", ("pejabat",)), Term("supreme leader", ("pemimpin tertinggi",)),
                     Term("embassy", ("kedutaan besar",))])


def test_missing_term_is_a_terminology_finding() -> None:
    report = make_report([
        ("U.S. officials said the message came from Iran's supreme leader.",
         "Para pejabat AS mengatakan pesan itu berasal dari Ayatollah."),
        ("The embassy declined to comment.", "Kedutaan Besarnya menolak berkomentar."),
        ("Officials met at the embassy.", "Para pejabat-pejabat bertemu di kantor perwakilan."),
    ])
    found = glossary_findings(report, GLOSSARY)
    assert [(f.source, f.target, f.category, f.type, f.severity) for f in found] == [
        ((0,), (0,), "terminology", "drift", "minor"), ((2,), (2,), "terminology", "drift", "minor")]
    (change,) = found[0].changes
    assert (change.kind, change.source, change.target) == ("term", "supreme leader", "pemimpin tertinggi")
    (s, e), = change.source_spans
    assert report.source.text[s:e] == "supreme leader"
    assert found[1].message == 'term "embassy" not rendered as "kedutaan besar"'


def test_unaligned_sentences_are_not_checked() -> None:
    report = make_report([("The embassy was closed.", "Kedutaan besar ditutup.")])
    report.links = [Link((0,), ()), Link((), (0,))]
    assert glossary_findings(report, GLOSSARY) == []


def test_apply_glossary_updates_the_summary() -> None:
    report = make_report([("The embassy was closed.", "Kantor itu ditutup.")])
    report.findings = [Finding("addition", "body", (), (0,), None, "x")]
    out = apply_glossary(report, GLOSSARY)
    assert [f.type for f in out.findings] == ["addition", "drift"]
    assert (out.summary.drifts, out.summary.additions, out.summary.verdict) == (1, 1, "issues")
    clean = apply_glossary(make_report([("The embassy was closed.", "Kedutaan besar ditutup.")]), GLOSSARY)
    assert clean.summary.verdict == "faithful" and clean.findings == []


def test_example_glossary_on_the_seed_pair() -> None:
    """The shipped example on the seed story: the translation renders "the attempted
    assassination" as "insiden" (incident), which the glossary catches; the adjective
    "official" (resmi) is not the glossary's noun "officials"."""
    from fidelity.pipeline import Checker, Settings

    glossary = load_glossary(EXAMPLE)
    assert len(glossary) >= 15
    report = Checker(Settings(device="cpu"), progress=False).check_files(ROOT / "seeds" / "nyt.en.txt",
                                                                        ROOT / "seeds" / "nyt.id.txt")
    found = glossary_findings(report, glossary)
    terms = [(c.source, c.target) for f in found for c in f.changes]
    assert ("assassination", "pembunuhan") in terms
    assert all(src.lower() != "official" for src, _ in terms)
    # most uses of the glossary's terms are rendered as it says
    uses = sum(len(glossary.source_matches(report.source.sentences[i].text))
               for link in report.links if link.target for i in link.source)
    assert uses >= 10 and len(terms) <= uses // 3


def test_added_findings_keep_document_order() -> None:
    from fidelity.glossary import with_findings

    report = make_report([("A.", "A."), ("B.", "B."), ("The embassy was closed.", "Kantor itu ditutup."),
                          ("D.", "D.")])
    base = [Finding("omission", "body", (0,), (), None, "o"), Finding("addition", "body", (), (9,), None, "a"),
            Finding("drift", "body", (3,), (3,), 0.5, "d")]
    report.findings = base
    out = with_findings(report, glossary_findings(report, GLOSSARY))
    assert [f.message[:1] for f in out.findings] == ["o", "a", "t", "d"]
    assert out.summary.omissions == 1 and out.summary.drifts == 2


# --- identity: what a batch sends to its workers and puts in the signature ----------------------

SEED_CSV = EXAMPLE.read_text(encoding="utf-8")


def test_the_digest_follows_the_terms_not_the_layout() -> None:
    """Comments, notes, quoting and the file's name leave the digest (and so a batch's
    signature) alone; a changed, added or reordered term, or other languages, change it."""
    base = parse_csv(SEED_CSV, "a.csv")
    simple = [line for line in SEED_CSV.splitlines() if line.count(",") == 3]  # no quoted cell
    assert len(simple) >= 10
    relaid = "\n".join(",".join(f'"{c}"' for c in line.split(",")[:3]) + ',"another note"'
                       for line in simple) + "\n# reviewed by the desk\n"
    assert parse_csv(relaid, "b.csv").digest == parse_csv("\n".join(simple), "a.csv").digest
    assert parse_csv(SEED_CSV + "\n# a comment\n", "elsewhere/b.csv").digest == base.digest
    changed = SEED_CSV.replace("pemimpin tertinggi", "pemimpin agung")
    assert changed != SEED_CSV and parse_csv(changed, "a.csv").digest != base.digest
    assert parse_csv(SEED_CSV + "\nhostage,sandera\n", "a.csv").digest != base.digest
    lines = SEED_CSV.strip().splitlines()
    swapped = "\n".join([lines[0], lines[2], lines[1], *lines[3:]])
    assert parse_csv(swapped, "a.csv").digest != base.digest
    other = Glossary(base.terms, "en", "ms")
    assert other.digest != base.digest


def test_a_pickled_glossary_is_compiled_once_per_process() -> None:
    """A batch sends the glossary with every pair: the receiving process builds it once and
    hands back that copy (same terms, same findings), and a changed glossary is a new copy."""
    import pickle

    from fidelity import glossary as module

    module._SHARED.clear()
    g = load_glossary(EXAMPLE)
    first, second = pickle.loads(pickle.dumps(g)), pickle.loads(pickle.dumps(g))
    assert first is second and first is not g
    assert first.terms == g.terms and first.digest == g.digest and first.path == g.path
    report = make_report([("The supreme leader met U.S. officials.", "Ayatollah bertemu pejabat AS.")])
    assert glossary_findings(report, first) == glossary_findings(report, g) != []
    other = Glossary(g.terms[1:], path=g.path)
    assert pickle.loads(pickle.dumps(other)) is not first
    for k in range(module._SHARED_MAX + 2):  # bounded: the oldest copies are dropped
        pickle.loads(pickle.dumps(Glossary(g.terms[k:], path=g.path)))
    assert len(module._SHARED) == module._SHARED_MAX


def test_apply_glossary_names_the_glossary_in_the_signature() -> None:
    from fidelity.signature import glossary_part

    report = make_report([("The embassy was closed.", "Kantor itu ditutup.")])
    report.signature = "fidelity:0.2.0|model:m#1|device:cpu"
    out = apply_glossary(report, GLOSSARY)
    assert out.signature == report.signature + "|" + glossary_part(GLOSSARY)
    assert glossary_part(GLOSSARY) == f"glossary:terms=3,hash={GLOSSARY.digest[:12]}"
    again = apply_glossary(out, Glossary(GLOSSARY.terms[:1]))  # one glossary part, the last
    assert again.signature.count("|glossary:") == 1 and again.signature.endswith("terms=1,hash="
                                                                                  + Glossary(GLOSSARY.terms[:1]).digest[:12])


def test_parse_glossary_reads_bytes_by_name() -> None:
    from fidelity.glossary import parse_glossary

    data = EXAMPLE.read_bytes()
    assert parse_glossary(data, "house.csv").terms == load_glossary(EXAMPLE).terms
    with pytest.raises(InputError, match="house.csv: a CSV glossary must be UTF-8"):
        parse_glossary("officials,pejabat\u00e9\n".encode("latin-1"), "house.csv")


def test_only_terms_keyed_by_a_word_start_are_tried_and_nothing_is_missed(monkeypatch) -> None:
    """A large glossary (3,000 word pairs of the shipped lexicon and terms with awkward
    beginnings) on the seed and fixture stories, and on words written with the non-ASCII
    letters that ``re.I`` matches to ASCII ones: what the keyed search finds is what trying
    every term finds."""
    import random

    from fidelity.glossary import term_key

    lexicon = [line.split("\t")[:2] for line in (ROOT / "models" / "lexicon" / "en-id.pairs.txt")
               .read_text(encoding="utf-8").splitlines() if "\t" in line and not line.startswith("#")]
    random.Random(0).shuffle(lexicon)
    awkward = ["US", "UN", "I", "agency", "sky", "be", "e-mail", "#MeToo", "Zárate", "İstanbul",
               "kilometre", "supreme leader", "Secretary of State", "3D printer", "s"]
    g = Glossary([Term(en, (id_,)) for en, id_ in lexicon[:3000]] + [Term(t, ("x",)) for t in awkward])
    assert term_key("agency") == "age" and term_key("US") == "u" and term_key("3D printer") == "3d"
    assert term_key("#MeToo") == term_key("İstanbul") == "" and term_key("Zárate") == "z"
    texts = [s.text for p in [ROOT / "seeds" / "nyt.en.txt", *sorted((ROOT / "tests" / "fixtures").glob("*.en.txt"))]
             for s in segment_document(p.read_text(encoding="utf-8"), "en").sentences]
    texts += ["The \u212aILOMETRE mark in İstanbul, the agencies' e-mail and the US, not us.",
              "Zárate and the ſky; #MeToo at 3D printers; I said S and s."]
    keyed = [g.source_matches(t) for t in texts]
    monkeypatch.setattr(Glossary, "_candidates", lambda self, text: range(len(self.terms)))
    assert keyed == [g.source_matches(t) for t in texts]
    assert sum(map(len, keyed)) > 500 and any(g.terms[k].source == "kilometre" for k, _, _ in keyed[-2])
