"""Tests of fidelity.bilingual: XLIFF 1.2, XLIFF 2 and TMX read as unit sequences and checked.

The fixtures in tests/fixtures/cat/ were written for these tests from the project's invented
wire copy (see the comment at the top of each file); each planted fault is asserted on its
unit, and each unit without a fault is asserted free of the per-unit findings.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("translate", reason="the CAT formats need translate-toolkit: pip install 'fidelity[cat]'")

from fidelity.bilingual import (Bilingual, Unit, UnitText, check_bilingual, is_bilingual,  # noqa: E402
                                read_bilingual, read_bilingual_bytes, unit_links, unit_text)
from fidelity.errors import InputError  # noqa: E402
from fidelity.pipeline import Checker, Settings  # noqa: E402
from fidelity.types import Report  # noqa: E402

CAT = Path(__file__).resolve().parent / "fixtures" / "cat"
XLIFF12 = CAT / "rate-cut.xliff12.xlf"
XLIFF2 = CAT / "reef.xliff2.xlf"
TMX = CAT / "rate-cut.tmx"
UNIT_KINDS = {"empty", "untranslated", "copied", "neighbour"}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(Settings(device="cpu"), progress=False)


def _unit_of(bil: Bilingual, report: Report, finding) -> str:
    """The id of the unit a finding's first sentence comes from."""
    if finding.source:
        return bil.units[bil.source_units[finding.source[0]]].id
    return bil.units[bil.target_units[finding.target[0]]].id


def _by_kind(bil: Bilingual, report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in report.findings:
        kind = f.changes[0].kind if f.changes else f.type
        out.setdefault(kind, []).append(_unit_of(bil, report, f))
    return out


def _dropped_clause(bil: Bilingual, report: Report, unit: str, number: str, words: str) -> bool:
    """Whether the unit's dropped clause is reported: as the number it held, missing in the
    translation (a drift), or as the clause's words, not rendered (a partial omission)."""
    found = [c for f in report.findings if _unit_of(bil, report, f) == unit for c in f.changes]
    return any((c.kind == "number" and c.source == number) or (c.kind == "missing" and words in c.source)
               for c in found)


# --- reading ----------------------------------------------------------------------------------

def test_xliff12_units_languages_and_inline_tags() -> None:
    bil = read_bilingual(XLIFF12)
    assert (bil.format, bil.source_lang, bil.target_lang) == ("xliff1.2", "en", "id")
    assert [u.id for u in bil.units] == [str(k) for k in range(1, 12)]
    first = bil.units[0]
    assert first.source.text == "Bank Indonesia Cuts Key Rate to 5.50 Percent as Inflation Cools"
    assert first.source.restore() == ('Bank Indonesia Cuts Key Rate to <g id="1" ctype="bold">5.50 Percent</g>'
                                      " as Inflation Cools")
    # a placeholder's content (native code) is not text: "<i>" stays out of the compared words
    core = bil.units[6].source
    assert "<" not in core.text and "food and energy prices" in core.text
    assert [i.role for i in core.inlines] == ["code", "code"]
    assert core.restore().count("&lt;i&gt;") == 1
    assert bil.units[3].target == UnitText("")  # present but empty
    assert bil.units[4].target is None  # no <target> at all


def test_xliff2_segments_are_sentences_of_one_paragraph() -> None:
    bil = read_bilingual(XLIFF2)
    assert (bil.format, bil.source_lang, bil.target_lang) == ("xliff2", "en", "id")
    ids = [u.id for u in bil.units]
    assert ids[:4] == ["u1::s1", "u2::s1", "u2::s2", "u3::s1"]
    source, target = bil.documents()
    assert len(source) == len(bil.units) == 11
    assert len(target) == 9  # one empty target, one missing
    u2 = [s.paragraph for s in source.sentences[1:3]]
    assert u2[0] == u2[1] and source.sentences[0].paragraph != u2[0]
    # every inline code kept out of the text and back on restore
    for unit in bil.units:
        assert "dataRef" not in unit.source.text and "hex" not in unit.source.text
    reef = bil.units[8].source
    assert reef.text.startswith("The reef, which stretches about 2,300 kilometers along")
    assert '<sc id="3" dataRef="d4"/>2,300 kilometers<ec startRef="3" dataRef="d5"/>' in reef.restore()


def test_documents_map_sentences_back_to_units() -> None:
    bil = read_bilingual(XLIFF12)
    source, target = bil.documents()
    assert source.texts == [u.source.text for u in bil.units]
    assert target.texts == [u.target.text for u in bil.units if u.target is not None and u.target.text]
    assert [bil.units[k].id for k in bil.target_units] == ["1", "2", "3", "6", "7", "8", "9", "10", "11"]
    for s in source.sentences:
        assert source.text[s.start:s.end] == s.text
    assert bil.inlines("source")[0][0].markup == '<g id="1" ctype="bold">'
    assert unit_links(bil)[3].source == (5,) and unit_links(bil)[3].target == (3,)


def test_unit_text_whitespace_and_offsets() -> None:
    from lxml import etree

    el = etree.fromstring('<source>  Two\n   words <x id="1"/> and <g id="2">more  text</g>  </source>')
    ut = unit_text(el)
    assert ut.text == "Two words and more text"
    assert [(i.offset, i.role) for i in ut.inlines] == [(10, "code"), (14, "open"), (23, "close")]
    assert ut.restore() == 'Two words <x id="1"/>and <g id="2">more text</g>'


def test_tmx_units_and_props() -> None:
    bil = read_bilingual(TMX)
    assert (bil.format, bil.source_lang, bil.target_lang) == ("tmx", "en", "id")
    assert [u.id for u in bil.units] == [str(k) for k in range(1, 9)]
    assert all(u.target is not None and u.target.text for u in bil.units)


def test_suffixes() -> None:
    assert is_bilingual("a.xlf") and is_bilingual("B.XLIFF") and is_bilingual("tm.tmx")
    assert not is_bilingual("story.en.txt")


# --- errors: one line each -----------------------------------------------------------------------

@pytest.mark.parametrize("data, words", [
    (b"<xliff version='1.2'><file><body><trans-unit id='1'><source>x</source>", "not well-formed XML"),
    (b"<?xml version='1.0'?><xliff version='3.0' xmlns='urn:oasis:names:tc:xliff:document:2.0' "
     b"srcLang='en' trgLang='id'><file id='f'/></xliff>", "XLIFF version 3.0 is not supported"),
    (b"<xliff version='1.1' xmlns='urn:oasis:names:tc:xliff:document:1.1'><file source-language='en' "
     b"target-language='id' original='a' datatype='plaintext'><body/></file></xliff>", "XLIFF version 1.1"),
    (b"<tmx version='1.4'><header creationtool='x' creationtoolversion='1' segtype='sentence' o-tmf='x' "
     b"adminlang='en' datatype='plaintext'/><body><tu><tuv xml:lang='en'><seg>Hi.</seg></tuv>"
     b"<tuv xml:lang='id'><seg>Hai.</seg></tuv></tu></body></tmx>", "source language is not declared"),
    (b"<tmx version='1.4'><header srclang='en' creationtool='x' creationtoolversion='1' segtype='sentence' "
     b"o-tmf='x' adminlang='en' datatype='plaintext'/><body><tu><tuv xml:lang='en'><seg>Hi.</seg></tuv>"
     b"<tuv><seg>Hai.</seg></tuv></tu></body></tmx>", "declares no language"),
    (b"<xliff version='2.0' xmlns='urn:oasis:names:tc:xliff:document:2.0' srcLang='en'><file id='f'>"
     b"<unit id='u'><segment><source>Hi.</source></segment></unit></file></xliff>", "target (trgLang) language"),
    (b"<html><body>no</body></html>", "not an XLIFF or TMX file"),
])
def test_bad_files_are_one_line_input_errors(data: bytes, words: str) -> None:
    with pytest.raises(InputError) as info:
        read_bilingual_bytes(data, "bad.xlf")
    message = str(info.value)
    assert words in message and message.startswith("bad.xlf: ")
    assert "\n" not in message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope.xlf"):
        read_bilingual(tmp_path / "nope.xlf")


# --- the check ----------------------------------------------------------------------------------

def test_xliff12_findings_per_unit(checker: Checker) -> None:
    bil = read_bilingual(XLIFF12)
    report = check_bilingual(bil, checker)
    kinds = _by_kind(bil, report)
    assert kinds["empty"] == ["4"]
    assert kinds["untranslated"] == ["5"]
    assert kinds["copied"] == ["9"]
    assert "neighbour" not in kinds
    assert _dropped_clause(bil, report, "6", "16940", "record low")
    # the empty and untranslated units are not reported a second time as plain omissions
    assert not [f for f in report.findings if f.type == "omission" and not f.changes]
    assert report.summary.omissions == 2 and report.summary.verdict == "issues"
    empty = next(f for f in report.findings if f.changes and f.changes[0].kind == "empty")
    (s, e), = empty.changes[0].source_spans
    assert report.source.text[s:e] == "The other 12 had expected no change."
    assert empty.severity == "major" and empty.target == ()


def test_xliff2_findings_per_unit(checker: Checker) -> None:
    bil = read_bilingual(XLIFF2)
    report = check_bilingual(bil, checker)
    kinds = _by_kind(bil, report)
    assert kinds["empty"] == ["u3::s2"]
    assert kinds["untranslated"] == ["u4::s2"]
    assert "copied" not in kinds and "neighbour" not in kinds
    assert _dropped_clause(bil, report, "u5::s1", "1998", "since monitoring began")


def test_tmx_misaligned_unit(checker: Checker) -> None:
    bil = read_bilingual(TMX)
    report = check_bilingual(bil, checker)
    shifted = [f for f in report.findings if f.changes and f.changes[0].kind == "neighbour"]
    assert len(shifted) == 1
    assert shifted[0].message == "unit 4: the target translates the source of unit 5"
    assert _unit_of(bil, report, shifted[0]) == "4"
    assert shifted[0].changes[0].source.startswith("Finance Ministry officials")
    assert not {"empty", "untranslated", "copied"} & set(_by_kind(bil, report))


def test_copied_needs_words() -> None:
    """A unit that is only a name or a number is the same in both languages by right."""
    from fidelity.bilingual import unit_findings
    from fidelity.types import Document, Link, Sentence, Summary

    units = [Unit("1", UnitText("NATO"), UnitText("NATO"), 0),
             Unit("2", UnitText("Read the full story here."), UnitText("Read the full story here."), 1)]
    bil = Bilingual("x.tmx", "tmx", "en", "id", units)
    source, target = bil.documents()
    report = Report("0", "sig", source, target, [Link((0,), (0,), 0.9), Link((1,), (1,), 0.9)], [],
                    Summary("faithful", 2, 2, 1.0, 1.0, 0, 0, 0))
    found = unit_findings(bil, report)
    assert [(f.changes[0].kind, f.source) for f in found] == [("copied", (1,))]
    assert isinstance(source, Document) and isinstance(source.sentences[0], Sentence)


def test_mislabelled_languages_are_refused(checker: Checker) -> None:
    """The file's declared languages are checked as a text pair's are."""
    swapped = XLIFF2.read_bytes().replace(b'srcLang="en-US" trgLang="id"', b'srcLang="id" trgLang="en"')
    bil = read_bilingual_bytes(swapped, "swapped.xlf")
    assert (bil.source_lang, bil.target_lang) == ("id", "en")
    with pytest.raises(InputError, match=r"swapped.xlf \(source units\): expected Indonesian"):
        check_bilingual(bil, checker)


def test_xliff12_seg_source_segments_are_units() -> None:
    """A Trados-style SDLXLIFF: each <mrk mtype="seg"> is a unit, each trans-unit a paragraph."""
    bil = read_bilingual(CAT / "segmented.sdlxliff")
    assert (bil.format, bil.source_lang, bil.target_lang) == ("xliff1.2", "en", "id")
    assert [u.id for u in bil.units] == ["a1:1", "a1:2", "a2:3", "a2:4", "a2:5"]
    assert [u.paragraph for u in bil.units] == [0, 0, 1, 1, 1]
    assert bil.units[0].target.text == "Banjir melanda Kota Cebu pada hari Minggu."
    assert bil.units[1].target == UnitText("")  # an empty segment
    assert bil.units[4].target is None  # no segment 5 in the target
    assert bil.units[2].source.text == "The storm dumped heavy rain on the island."
    assert bil.units[2].target.restore() == 'Badai menumpahkan hujan lebat di <g id="5">pulau itu</g>.'
    source, target = bil.documents()
    assert source.texts == [u.source.text for u in bil.units]
    assert [s.paragraph for s in source.sentences] == [0, 0, 1, 1, 1]
    assert len(target) == 3


def test_tagged_sentences() -> None:
    bil = read_bilingual(XLIFF2)
    bil.documents()
    assert bil.tagged("target", 0) == ('Great Barrier Reef Alami <pc id="1" dataRefStart="d1" dataRefEnd="d2">'
                                       "Pemutihan Karang Terluas</pc> yang Pernah Tercatat")
    assert bil.tagged("source", 3) == bil.units[3].source.text  # no tags: the text itself
