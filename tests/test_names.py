"""Name rules on words that only look like names: compounds with a bound prefix and ordinary
loan words written with a capital in an Indonesian sentence."""

from __future__ import annotations

import pytest

from fidelity.features import is_common
from fidelity.rules import LinkText, SideText
from fidelity.rules.names import name_changes


def link(en: str, idn: str) -> LinkText:
    return LinkText(SideText(en, "en"), SideText(idn, "id"))


@pytest.mark.parametrize("key,lang", [
    ("pretrial", "en"), ("postseason", "en"), ("nonprofit", "en"), ("underfunded", "en"),
    ("praperadilan", "id"), ("pascagempa", "id"), ("antarnegara", "id"), ("nonaktif", "id"),
])
def test_a_bound_prefix_on_an_ordinary_word_is_an_ordinary_word(key: str, lang: str) -> None:
    assert is_common(key, lang)


@pytest.mark.parametrize("key,lang", [("preston", "en"), ("coburn", "en"), ("prabowo", "id"), ("antonio", "en")])
def test_names_that_start_like_a_prefix_stay_names(key: str, lang: str) -> None:
    assert not is_common(key, lang)


@pytest.mark.parametrize("en,idn", [
    # A capitalised ordinary word and its translation are no misspelt name.
    ("The suspect is held at the Kenai Pretrial Center until Monday.",
     "Tersangka ditahan di Pusat Tahanan Praperadilan Kenai hingga hari Senin."),
    # An English loan with a capital in the translation is no name put in.
    ("Shoppers now prefer large department stores to small corner shops.",
     "Para pembeli kini lebih memilih Mall besar daripada toko-toko kecil di sudut jalan."),
])
def test_ordinary_words_with_capitals_are_not_name_drift(en: str, idn: str) -> None:
    assert name_changes(link(en, idn)) == []


def test_a_name_put_in_is_still_found() -> None:
    changes = name_changes(link("Shoppers now prefer large department stores to small corner shops.",
                                "Para pembeli di Surabaya kini lebih memilih toko besar daripada toko kecil."))
    assert [(c.kind, c.source, c.target) for c in changes] == [("name", "", "Surabaya")]


def test_a_name_after_a_closing_straight_quote_is_compared() -> None:
    # '," Haris told': the quote closes and the sentence goes on, so "Haris" is a name there.
    en = "I was squeezed into the ruins of the wall, I think,\" Haris told Associated Press."
    changed = "Saya rasa saya terjepit reruntuhan tembok,\" Sarasota mengatakannya kepada Associated Press."
    changes = name_changes(link(en, changed))
    assert [(c.kind, c.source, c.target) for c in changes] == [("name", "Haris", "Sarasota")]
    same = "Saya rasa saya terjepit reruntuhan tembok,\" Haris mengatakannya kepada Associated Press."
    assert name_changes(link(en, same)) == []


def test_an_ordinary_word_capitalised_after_a_closing_quote_is_no_name() -> None:
    # A translator's capital on a verb stem ("ungkap", the stem of "mengungkapkan").
    en = "(\"a garment thick with hubris,\" The Washington Post said) and the implications."
    idn = "(\"pakaian tebal dengan kesombongan,\" Ungkap The Washington Post) dan implikasinya."
    assert name_changes(link(en, idn)) == []
    # ... and after a curly closing quote
    curly = ("(\u201ca garment thick with hubris,\u201d The Washington Post said) and the implications.",
             "(\u201cpakaian tebal dengan kesombongan,\u201d Ungkap The Washington Post) dan implikasinya.")
    assert name_changes(link(*curly)) == []
    # An opening quote still starts the quote: its first word says nothing about being a name.
    assert name_changes(link("\"Eilidh has massive respect,\" Beattie said.",
                             "\"Baja sangat dihormati,\" kata Beattie.")) == []


def _found(en: str, idn: str) -> list[tuple[str, str, str]]:
    return [(c.kind, c.source, c.target) for c in name_changes(link(en, idn))]


@pytest.mark.parametrize("en,idn", [
    # pem(erintah) prov(insi): the lexicon renders "government" and "provincial"
    ("Next month, the provincial government will repair the bridge that collapsed.",
     "Bulan depan, Pemprov akan memperbaiki jembatan yang ambruk itu."),
    # kemen(terian) kes(ehatan)
    ("The vaccine is safe for children, the health ministry said on Monday.",
     "Vaksin itu aman untuk anak-anak, kata Kemenkes pada hari Senin."),
    # a lexicon rendering written with a capital
    ("The painting now hangs in a museum of contemporary art in Sydney.",
     "Lukisan itu kini dipajang di sebuah museum seni Kontemporer di Sydney."),
])
def test_a_syllabic_acronym_or_rendering_of_source_words_is_no_name_put_in(en: str, idn: str) -> None:
    assert _found(en, idn) == []


def test_a_name_beside_source_words_an_acronym_could_render_is_still_found() -> None:
    en = "Next month, the provincial government will repair the bridge that collapsed."
    assert _found(en, "Bulan depan, Pramono akan memperbaiki jembatan yang ambruk itu.") == [
        ("name", "", "Pramono")]


def test_an_acronym_needs_the_source_words_it_abbreviates() -> None:
    # "Pemprov" with no government in the source is a body put in.
    assert _found("Next month, the workers will repair the bridge that collapsed.",
                  "Bulan depan, Pemprov akan memperbaiki jembatan yang ambruk itu.") == [("name", "", "Pemprov")]


@pytest.mark.parametrize("en,idn", [
    ("Hundreds of peacekeepers are pulling out of East Timor this week.",
     "Ratusan anggota pasukan perdamaian meninggalkan Timor Leste pekan ini."),
    ("She was born in a village in Papua New Guinea.",
     "Ia lahir di sebuah desa di Papua Nugini."),
    ("The Ivorian striker scored twice on Sunday.",
     "Penyerang asal Pantai Gading itu mencetak dua gol pada hari Minggu."),
    # an island's Indonesian name beside a compass word ("Sumatera Selatan" is a turned
    # direction for the antonym rule, not "Sumatra" -> "Selatan")
    ("Floods hit western Java and northern Sumatra on Monday, officials said.",
     "Banjir melanda Jawa Barat dan Sumatera Selatan pada hari Senin, kata para pejabat."),
])
def test_established_country_names_are_no_drift(en: str, idn: str) -> None:
    assert _found(en, idn) == []


def test_another_country_in_place_of_one_is_still_found() -> None:
    assert _found("Hundreds of peacekeepers are pulling out of East Timor this week.",
                  "Ratusan anggota pasukan perdamaian meninggalkan Papua Nugini pekan ini.") == [
        ("name", "Timor", "Papua Nugini")]


def test_a_name_written_in_full_where_the_source_shortens_it_is_no_name_put_in() -> None:
    en = "On Friday, Widodo also handed the new maps to all the regents."
    assert _found(en, "Pada hari Jumat, Joko Widodo juga menyerahkan peta baru itu kepada semua bupati.") == []
    # another person beside the source's name is still one put in
    assert _found(en, "Pada hari Jumat, Widodo dan Prabowo juga menyerahkan peta baru itu kepada semua bupati.") == [
        ("name", "", "Prabowo")]


def test_a_short_name_that_begins_a_longer_title_explains_nothing_more() -> None:
    # "Kemang" begins "Kemang Mansion Hotel" in the source: a word beside it in the translation
    # is no fuller form of the name
    assert _found("The water rose to twenty centimetres in front of the Kemang Mansion Hotel.",
                  "Air naik hingga dua puluh sentimeter di depan hotel milik Kemang Winarto.") == [
        ("name", "", "Winarto")]


def _doc_link(en: str, idn: str, en_doc: str, id_doc: str) -> LinkText:
    return LinkText(SideText(en, "en", document=en_doc), SideText(idn, "id", document=id_doc))


def test_two_parts_of_one_name_the_story_writes_whole_are_the_same_person() -> None:
    en = "According to Emmawati, the new clinic in the district would open in May."
    idn = "Menurut Dien, klinik baru di kecamatan itu akan dibuka pada bulan Mei."
    first_en = "Jakarta health chief Dien Emmawati visited the site."
    first_id = "Kepala dinas kesehatan Dien Emmawati mengunjungi lokasi itu."
    same = _doc_link(en, idn, first_en + " " + en, first_id + " " + idn)
    assert name_changes(same) == []
    # without the whole name in the story they are two people
    other = _doc_link(en, idn, "Jakarta health chief Ratna Emmawati visited the site. " + en,
                      "Kepala dinas kesehatan Ratna Emmawati mengunjungi lokasi itu. " + idn)
    assert [(c.kind, c.source, c.target) for c in name_changes(other)] == [("name", "Emmawati", "Dien")]


@pytest.mark.parametrize("en,idn", [
    # headline verbs and plurals are ordinary words ("ratified" -> "ratify", "buses" -> "bus")
    ("City Budget Ratified After Long Debate", "APBD Akhirnya Ketok Palu Setelah Debat Panjang"),
    # an acronym's plural is an acronym
    ("The flood inundated 3 RWs in the village.", "Banjir menggenangi 3 RW di desa itu."),
    # an Indonesian spelling that keeps an English letter
    ("The dancers defected while on tour in Mexico.", "Para penari itu membelot saat tur di Meksico."),
])
def test_inflections_plural_acronyms_and_half_loans_are_no_names(en: str, idn: str) -> None:
    assert _found(en, idn) == []


def test_a_changed_name_in_a_headline_is_still_found() -> None:
    assert _found("Treaty Ratified by Obama", "Traktat Diratifikasi oleh Putin") == [("name", "Obama", "Putin")]


def test_a_name_in_the_place_of_the_sources_title_is_no_fuller_name() -> None:
    # "Prof Hartley" -> "Merseyside Hartley": the extra word stands where the source has a title
    assert _found("The early results were encouraging, Prof Hartley explained to reporters.",
                  "Hasil awalnya menggembirakan, Merseyside Hartley menjelaskan kepada wartawan.") == [
        ("name", "", "Merseyside")]


def test_a_holidays_established_name_is_no_drift_but_another_holiday_is() -> None:
    en = "Thousands of pilgrims gathered in Jerusalem for the Jewish holiday of Passover."
    assert _found(en, "Ribuan peziarah berkumpul di Yerusalem untuk merayakan hari raya Paskah Yahudi.") == []
    assert _found(en, "Ribuan peziarah berkumpul di Yerusalem untuk merayakan hari raya Hanukkah Yahudi.") == [
        ("name", "Passover", "Hanukkah")]


def test_a_name_after_a_code_the_source_writes_is_still_put_in() -> None:
    en = "Officials inspected the MQ-9 Reaper drone which appears to be undamaged."
    assert _found(en, "Para pejabat memeriksa pesawat nirawak MQ-9 Kandahar yang tampak tidak rusak.") == [
        ("name", "", "Kandahar")]


def test_once_one_person_leaves_the_other_names_pair_up() -> None:
    en = "According to Emmawati, the new clinic in Menteng would open in May after the renovation."
    idn = "Menurut Dien, klinik baru di Cikini itu akan dibuka pada bulan Mei setelah renovasi selesai."
    link_ = _doc_link(en, idn, "Health chief Dien Emmawati visited the site. " + en,
                      "Kepala dinas kesehatan Dien Emmawati mengunjungi lokasi itu. " + idn)
    assert [(c.kind, c.source, c.target) for c in name_changes(link_)] == [("name", "Menteng", "Cikini")]


@pytest.mark.parametrize("en,idn,expected", [
    # "new" is no rendering of "Papua" ("Papua New Guinea" / "Papua Nugini" writes "Papua" alike)
    ("The new governor of Maluku met Widodo in Ambon.", "Gubernur baru Papua bertemu Widodo di Ambon.",
     ("name", "Maluku", "Papua")),
    # "Friday" is no rendering of the name "Agung"
    ("On Friday, Widodo said the bridge would reopen.",
     "Pada hari Jumat, Agung mengatakan jembatan itu akan dibuka kembali.", ("name", "Widodo", "Agung")),
])
def test_an_ordinary_word_of_a_long_established_name_explains_no_other_name(en: str, idn: str,
                                                                         expected: tuple[str, str, str]) -> None:
    assert _found(en, idn) == [expected]


def test_the_words_of_a_long_established_name_still_render_each_other() -> None:
    assert _found("She was born in a village in Papua New Guinea.", "Ia lahir di sebuah desa di Papua Nugini.") == []
    assert _found("Christians around the world observed Good Friday with Widodo.",
                  "Umat Kristen di seluruh dunia memperingati Jumat Agung bersama Widodo.") == []
