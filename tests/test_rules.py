"""The drift rules of fidelity.rules, one by one, on hand-written English/Indonesian news
sentences: each must find its change and stay quiet on a faithful rendering."""

from __future__ import annotations

import numpy as np
import pytest

from fidelity.findings import FindingParams, drift_changes, find, summarize
from fidelity.categories import categorize
from fidelity.rules import LinkText, SideText, _text_side, _word_cover, messages, severity, word_cover
from fidelity.rules.antonyms import antonym_changes, opposite_words
from fidelity.rules.dates import date_changes
from fidelity.rules.names import name_changes
from fidelity.rules.numbers import number_changes
from fidelity.types import Change, Finding, Link

from tests.test_findings import doc


def link(en: str, idn: str, document: str = "") -> LinkText:
    return LinkText(SideText(en, "en", document=document), SideText(idn, "id"))


def kinds(changes: list[Change]) -> list[tuple[str, str, str]]:
    return [(c.kind, c.source, c.target) for c in changes]


# Numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("en,idn", [
    # The translator kept the English convention for thousands and decimals.
    ("Park said there had been 1,127 defections last year, compared with 2,706 in 2011.",
     "Park berkata ada 1,127 pembelotan tahun lalu, dibandingkan dengan 2,706 pada 2011."),
    ("ABC was second with 3.26 million viewers.", "ABC menduduki posisi kedua dengan 3.26 juta pemirsa."),
    # ... or the Indonesian one.
    ("ABC was second with 3.26 million viewers.", "ABC menduduki posisi kedua dengan 3,26 juta pemirsa."),
    # A 12-hour time on the 24-hour clock, or as the hour with a time of day.
    ("Perfect time for a pint is 5.30pm on a Saturday, survey finds.",
     "Survei menemukan, waktu yang tepat untuk minum bir adalah pukul 17.30 pada hari Sabtu."),
    ("Liverpool plays Napoli at 3 p.m. on Wednesday.", "Liverpool melawan Napoli pada pukul 3 sore hari Rabu."),
    ("The woman was found at 7.55am with stab wounds.", "Wanita itu ditemukan pada pukul 7.55 pagi dengan luka tusuk."),
    # Two numbers written as one token, and a score at the end of a sentence.
    ("The 6-foot-6 forward grew up in Baton Rouge.", "Pemain depan setinggi 6,6 kaki itu tumbuh di Baton Rouge."),
    ("Cownie equalised on 15:16.", "Cownie menyamakan kedudukan di waktu 15:16."),
    # Units and ordinals glued to the number.
    ("The UK's £2.8bn beauty market keeps growing.", "Pasar kecantikan Inggris senilai £2,8 miliar terus tumbuh."),
    ("Aguero scored in the 65th minute.", "Aguero mencetak gol pada menit ke-65."),
])
def test_numbers_in_either_convention_are_not_drift(en: str, idn: str) -> None:
    assert number_changes(link(en, idn)) == []


def test_a_changed_number_is_one_typed_change_with_its_offsets() -> None:
    en = "Park said there had been 1,127 defections last year."
    idn = "Park berkata ada 1.172 pembelotan tahun lalu."
    (c,) = number_changes(link(en, idn))
    assert (c.kind, c.source, c.target) == ("number", "1127", "1172")
    assert [en[a:b] for a, b in c.source_spans] == ["1,127"]
    assert [idn[a:b] for a, b in c.target_spans] == ["1.172"]
    assert messages([c]) == ["number changed: 1127 -> 1172"] and severity([c]) == "major"


def test_a_broken_fixed_phrase_names_the_word_not_an_empty_source() -> None:
    c = Change("antonym", "", "Kecil", (), ((5, 10),))
    assert messages([c]) == ["meaning reversed: Kecil (its opposite is the usual word here)"]
    assert messages([Change("antonym", "rose", "turun", ((0, 4),), ((0, 5),))]) == ["meaning reversed: rose -> turun"]


def test_a_changed_ordinal_and_a_missing_number_are_found() -> None:
    assert kinds(number_changes(link("Aguero scored in the 65th minute.", "Aguero mencetak gol pada menit ke-72."))) \
        == [("number", "65", "72")]
    (c,) = number_changes(link("The storm killed 140 people.", "Badai itu menewaskan banyak orang."))
    assert (c.source, c.target, c.target_spans) == ("140", "", ())
    assert messages([c]) == ["number missing in translation: 140"]


# Names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("en,idn", [
    # Typography is no spelling.
    ("L'Oreal will test larger beauty aisles in 11 stores.", "L’Oreal akan menguji lorong kecantikan yang lebih besar di 11 toko."),
    # Demonyms and exonyms.
    ("Many Chilean fans watched the ruling from The Hague.",
     "Banyak penggemar Chili menonton putusan dari Den Haag."),
    ("The referee waved away the Colombian's appeals.", "Wasit menolak banding warga negara Kolombia itu."),
    ("The Methodist church was closed for the winter.", "Gereja Metodis itu ditutup selama musim dingin."),
    ("The Argentine striker scored twice.", "Penyerang Argentina itu mencetak dua gol."),
    # A name is never paired by its place with an ordinary word.
    ("He dreamt of diving in front of a home crowd at an Olympic Games.",
     "Dia bermimpi menyelam di hadapan penonton tuan rumah di Pertandingan Olimpiade."),
    # A headline in capitals.
    ("STORM CLOSES SCHOOLS ACROSS PEKOJAN", "BADAI, SEKOLAH DI PEKOJAN DILIBURKAN"),
    # A headline word joined to the name by a dot.
    ("The Bells of St. Martin's Fall Silent", "Lonceng-lonceng St.Martin Tak Berdenting"),
])
def test_renderings_of_names_are_not_drift(en: str, idn: str) -> None:
    assert name_changes(link(en, idn)) == []


def test_a_pronoun_rendered_as_the_name_is_not_a_name_put_in() -> None:
    en = "He appeared in court Saturday, where he declared himself not guilty."
    idn = "Menurut jaringan itu, Palin menghadiri persidangan pada hari Sabtu, menyatakan dirinya tidak bersalah."
    story = "Track Palin was arrested at his home in Wasilla. " + en
    assert name_changes(link(en, idn, document=story)) == []
    # Without the name anywhere in the source, it is a name put in.
    assert kinds(name_changes(link(en, idn, document=en))) == [("name", "", "Palin")]


@pytest.mark.parametrize("en,idn,expected", [
    # A title's dot is no sentence end: the name after it is a name.
    ('"We cry when we get angry," Ms. Steinem said to me 45 years later.',
     '"Kita menangis saat kita marah," kata Nn. Hartono kepadaku 45 tahun kemudian.', ("name", "Steinem", "Hartono")),
    # An English word put in a name's place in an Indonesian sentence is no ordinary word there.
    ("Palin, 29, of Wasilla, Alaska, was arrested on suspicion of domestic violence, according to a report.",
     "Palin, 29 tahun, dari Tracker, Alaska, ditangkap atas dugaan kekerasan domestik, menurut sebuah laporan.",
     ("name", "Wasilla", "Tracker")),
])
def test_names_after_titles_and_foreign_words_in_a_names_place(en: str, idn: str, expected: tuple) -> None:
    assert kinds(name_changes(link(en, idn))) == [expected]


def test_changed_and_misspelled_names_keep_their_kinds_and_severities() -> None:
    (c,) = name_changes(link("The vehicle attack happened in Manhattan on Tuesday.",
                             "Serangan kendaraan itu terjadi di Jakarta pada hari Selasa."))
    assert (c.kind, c.source, c.target, severity([c])) == ("name", "Manhattan", "Jakarta", "major")
    (c,) = name_changes(link("President Kais Saied dissolved parliament.", "Presiden Kais Saeid membubarkan parlemen."))
    assert (c.kind, c.source, c.target, severity([c])) == ("spelling", "Saied", "Saeid", "minor")


# Dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("en,idn,expected", [
    ("Growth slowed in October, the bank said.", "Pertumbuhan melambat pada bulan Desember, kata bank itu.",
     ("date", "October", "Desember")),
    ("The talks start on Monday in Geneva.", "Pembicaraan dimulai pada hari Selasa di Jenewa.",
     ("date", "Monday", "Selasa")),
    ("More than 20 million people watched Thursday's testimony.",
     "Lebih dari 20 juta orang menyaksikan kesaksian pada hari Sabtu.", ("date", "Thursday", "Sabtu")),
])
def test_a_changed_month_or_weekday_is_drift(en: str, idn: str, expected: tuple) -> None:
    assert kinds(date_changes(link(en, idn))) == [expected]


@pytest.mark.parametrize("en,idn", [
    ("Growth slowed in October, the bank said.", "Pertumbuhan melambat pada bulan Oktober, kata bank itu."),
    ("Last week, officials met on Monday.", "Minggu lalu, para pejabat bertemu pada hari Senin."),
    ("Officials may meet on Friday.", "Para pejabat mungkin bertemu pada hari Jum'at."),
    # A weekday the translation leaves out is not a change.
    ("The minister resigned on Sunday.", "Menteri itu mengundurkan diri kemarin."),
])
def test_faithful_dates_are_not_drift(en: str, idn: str) -> None:
    assert date_changes(link(en, idn)) == []


# Antonyms --------------------------------------------------------------------------------

@pytest.mark.parametrize("en,idn,expected", [
    ("Economic growth slowed to 5 percent in the third quarter.",
     "Pertumbuhan ekonomi meningkat menjadi 5 persen pada kuartal ketiga.", ("antonym", "slowed", "meningkat")),
    ("The home side won the match in the last minute.",
     "Tim tuan rumah kalah dalam pertandingan itu pada menit terakhir.", ("antonym", "won", "kalah")),
    ("Prices rose sharply after the storm.", "Harga turun tajam setelah badai.", ("antonym", "rose", "turun")),
])
def test_a_word_rendered_by_its_antonym_is_drift(en: str, idn: str, expected: tuple) -> None:
    assert kinds(antonym_changes(link(en, idn))) == [expected]


@pytest.mark.parametrize("en,idn", [
    ("Economic growth slowed to 5 percent in the third quarter.",
     "Pertumbuhan ekonomi melambat menjadi 5 persen pada kuartal ketiga."),
    # Negation on either side.
    ("Prices did not rise after the storm.", "Harga tidak naik setelah badai."),
    ("Prices fell, and wages did not rise either.", "Harga turun, dan upah juga tidak naik."),
    ("Prices rose sharply after the storm.", "Harga tidak turun setelah badai, malah naik tajam."),
    # Both words in the source.
    ("Shares rose in the morning and fell in the afternoon.", "Saham naik pada pagi hari dan turun pada sore hari."),
    ("The team won the match on Monday.", "Tim itu memenangkan pertandingan pada hari Senin."),
])
def test_faithful_renderings_are_not_antonym_drift(en: str, idn: str) -> None:
    assert antonym_changes(link(en, idn)) == []


def test_the_translation_side_finds_an_opposite_the_english_table_lacks() -> None:
    # "final" is in no English antonym pair; the token table says it means "terakhir".
    en = "The final decision will be a matter for the members themselves."
    assert kinds(opposite_words(link(en, "Keputusan pertama akan menjadi urusan para anggota itu sendiri."))) \
        == [("antonym", "final", "pertama")]
    assert opposite_words(link(en, "Keputusan terakhir akan menjadi urusan para anggota itu sendiri.")) == []


def test_a_reversal_is_found_where_the_source_also_says_the_target_word() -> None:
    en = "Rosa is 385 miles south of Punta Eugenia, Mexico and moving north at 12 miles per hour."
    idn = "Rosa berada 385 mil arah utara dari Punta Eugenia, Meksiko dan bergerak ke utara dengan kecepatan 12 mil per jam."
    (c,) = antonym_changes(link(en, idn))
    assert (c.source, c.target) == ("south", "utara")
    assert [idn[a:b] for a, b in c.target_spans] == ["utara"] and c.target_spans[0][0] < idn.index("ke utara")
    assert antonym_changes(link(en, idn.replace("arah utara", "arah selatan"))) == []


@pytest.mark.parametrize("en,idn", [
    # The opposite pair word renders another source word ("younger" -> "muda", "longer" -> "lama").
    ("Younger voters, 18- to 29-year-olds, often don't vote.", "Pemilih yang lebih muda, 18 hingga 29 tahun, sering tidak memilih."),
    ("The longer that children remain in custody, the more anxious they become.",
     "Semakin lama anak-anak berada dalam tahanan, semakin cemas mereka."),
    # Negated in the translation.
    ("The final decision will be a matter for the members themselves.",
     "Keputusan itu bukan pertama kali menjadi urusan para anggota."),
])
def test_the_translation_side_stays_quiet_on_faithful_renderings(en: str, idn: str) -> None:
    assert opposite_words(link(en, idn)) == []


# find() ----------------------------------------------------------------------------------

def test_a_drift_finding_carries_its_changes_in_document_offsets() -> None:
    src = doc([["Floods hit Jakarta."], ["Growth slowed in October, the bank said, and 52 firms closed."]], "en")
    tgt = doc([["Banjir melanda Jakarta."], ["Pertumbuhan meningkat pada bulan Desember, kata bank itu, dan 25 perusahaan tutup."]], "id")
    findings, summary = find(src, tgt, [Link((0,), (0,), 0.8), Link((1,), (1,), 0.7)])
    (f,) = findings
    assert f.type == "drift" and f.severity == "major"
    got = {c.kind: c for c in f.changes}
    assert set(got) == {"number", "date", "antonym"}
    for c in f.changes:  # offsets into the documents, not into the sentence
        assert all(src.text[a:b] for a, b in c.source_spans)
        assert [tgt.text[a:b] for a, b in c.target_spans] == [c.target] or c.kind == "number"
    assert [tgt.text[a:b] for a, b in got["number"].target_spans] == ["25"]
    assert [src.text[a:b] for a, b in got["date"].source_spans] == ["October"]
    assert f.message == "; ".join(messages(f.changes))
    assert "date changed: October -> Desember" in f.message and "meaning reversed: slowed -> meningkat" in f.message
    assert summary.drifts == 1


def test_omissions_of_boilerplate_are_minor_and_partials_are_counted() -> None:
    src = doc([["Floods hit Jakarta on Monday."], ["Read more"]], "en")
    tgt = doc([["Banjir melanda Jakarta pada hari Senin."], ["Baca selengkapnya"]], "id")
    findings, summary = find(src, tgt, [Link((0,), (0,), 0.8), Link((1,), ()), Link((), (1,))])
    assert [(f.type, f.severity) for f in findings] == [("addition", "minor")]
    partial = Finding("partial", "body", (0,), (0,), 0.8, "words not translated: lame duck",
                      (Change("missing", "lame duck"),))
    s = summarize(src, tgt, [Link((0,), (0,), 0.8)], [partial], categorize(src), categorize(tgt), FindingParams())
    assert s.partials == 1 and s.verdict == "issues"


def test_drift_changes_of_plain_texts() -> None:
    assert kinds(drift_changes("The plant closed in March.", "Pabrik itu ditutup pada bulan Maret.", "en", "id")) == []
    assert kinds(drift_changes("The plant closed in March.", "Pabrik itu ditutup pada bulan Mei.", "en", "id")) \
        == [("date", "March", "Mei")]


def test_a_changed_month_and_a_reversed_verb_in_a_fixture_are_reported_end_to_end() -> None:
    """The issue's hand test: the project's own rate-cut story, with "Oktober" -> "Desember" and
    "melambat" -> "meningkat" planted in the translation, checked through the whole pipeline."""
    from pathlib import Path

    import fidelity

    fixtures = Path(__file__).parent / "fixtures"
    en = (fixtures / "bi-rate-cut.en.txt").read_text(encoding="utf-8")
    idn = (fixtures / "bi-rate-cut.id.txt").read_text(encoding="utf-8")
    assert not [f for f in fidelity.check(en, idn).findings if f.type == "drift"]
    changed = idn.replace("bulan Oktober", "bulan Desember").replace("tahunan melambat", "tahunan meningkat")
    report = fidelity.check(en, changed)
    got = {(c.kind, c.target) for f in report.findings if f.type == "drift" for c in f.changes}
    assert ("date", "Desember") in got and ("antonym", "meningkat") in got
    for f in report.findings:
        for c in f.changes:
            if c.target_spans:  # a span the translation leaves out ("missing") has none
                assert [report.target.text[a:b] for a, b in c.target_spans] == [c.target]


def test_changes_of_a_joined_link_point_into_the_right_sentence() -> None:
    src = doc([["Floods hit Jakarta on Monday."], ["The river rose two metres.", "Some 52 homes were flooded in October."]], "en")
    tgt = doc([["Banjir melanda Jakarta pada hari Senin."], ["Sungai naik dua meter dan 25 rumah terendam pada bulan Desember."]], "id")
    findings, _ = find(src, tgt, [Link((0,), (0,), 0.8), Link((1, 2), (1,), 0.7)])
    (f,) = findings
    for c in f.changes:
        assert [src.text[a:b] for a, b in c.source_spans] in (["52"], ["October"])
        assert [tgt.text[a:b] for a, b in c.target_spans] in (["25"], ["Desember"])
    assert {c.kind for c in f.changes} == {"number", "date"}


def test_word_cover_keeps_each_answer_read_only_and_as_computed() -> None:
    """The rules ask the same question many times: the answer is kept, shared read-only, and is
    the one a fresh computation gives."""
    words, texts = ["naik", "turun"], ["harga beras naik lagi", "harga beras turun lagi"]
    first = word_cover(words, texts)
    assert first[0, 0] > first[0, 1] and first[1, 1] > first[1, 0]  # each word found where it is written
    assert word_cover(tuple(words), list(texts)) is first
    with pytest.raises(ValueError):
        first[0, 0] = 0.0
    _word_cover.cache_clear()
    _text_side.cache_clear()
    fresh = word_cover(words, texts)
    assert fresh is not first and np.array_equal(fresh, first)
    assert not word_cover(["naik"], ["", ""]).any()  # no pieces: no cover
