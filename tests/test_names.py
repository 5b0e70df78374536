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
])
def test_established_country_names_are_no_drift(en: str, idn: str) -> None:
    assert _found(en, idn) == []


def test_another_country_in_place_of_one_is_still_found() -> None:
    assert _found("Hundreds of peacekeepers are pulling out of East Timor this week.",
                  "Ratusan anggota pasukan perdamaian meninggalkan Papua Nugini pekan ini.") == [
        ("name", "Timor", "Papua Nugini")]
