"""English/Indonesian identification with the shipped word lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from fidelity import models_dir
from fidelity.errors import InputError
from fidelity.langid import check_language, common_words, detect, guess, lower_share, words

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
OTHER = sorted((FIXTURES / "other-languages").glob("*.txt"))
ENGLISH_SEEDS = ["ap.en.txt", "cbs-rewrite.en.txt", "indiatoday.en.txt", "nyt.en.txt"]


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ENGLISH_SEEDS)
def test_english_seeds_are_english(name):
    text = seed(name)
    assert guess(text) == "en"
    scores = detect(text)
    assert scores["en"] > 0.5 > 0.05 > scores["id"]
    check_language(text, "en", name)


def test_indonesian_seed_is_indonesian():
    text = seed("nyt.id.txt")
    assert guess(text) == "id"
    check_language(text, "id", "nyt.id.txt")


@pytest.mark.parametrize("name", ENGLISH_SEEDS)
def test_english_declared_as_indonesian_is_refused(name):
    with pytest.raises(InputError) as info:
        check_language(seed(name), "id", name)
    assert str(info.value) == f"{name}: expected Indonesian (id) text but it looks like English"


def test_indonesian_declared_as_english_is_refused():
    with pytest.raises(InputError, match=r"^nyt.id.txt: expected English \(en\) text but it looks like Indonesian$"):
        check_language(seed("nyt.id.txt"), "en", "nyt.id.txt")


def test_short_texts_and_other_languages_are_not_judged():
    check_language("The U.S. said no.", "id", "short.txt")  # 4 words
    check_language(seed("nyt.en.txt"), "fr", "x.txt")
    assert guess("Iran told U.S.") is None


def test_translation_with_english_quotes_and_boilerplate_passes():
    english = "\n".join(seed("nyt.en.txt").splitlines()[:14])  # headline, ads, a caption, the lead
    mixed = seed("nyt.id.txt") + "\nAdvertisement\nSKIP ADVERTISEMENT\n" + english
    scores = detect(mixed)
    assert scores["en"] > 0.15  # a real share of English ...
    check_language(mixed, "id", "mixed.id.txt")  # ... but the Indonesian is plainly there


def test_names_and_numbers_alone_prove_nothing():
    check_language("Donald Trump Elon Musk Ali Khamenei Qassem Soleimani 2020 1979", "id", "names.txt")
    assert guess("Donald Trump Elon Musk Ali Khamenei 2020") is None


def test_common_words_are_disjoint_lowercase_and_small():
    en, id_ = common_words("en"), common_words("id")
    assert {"the", "of", "said", "officials"} <= en
    assert {"yang", "dan", "tidak", "pejabat", "namun"} <= id_
    assert not en & id_
    assert all(w == w.lower() and w.isalpha() for w in en | id_)
    assert common_words("EN-us") is en and common_words("fr") == frozenset()
    for lang in ("en", "id"):
        assert (models_dir() / "wordlists" / f"{lang}.txt").stat().st_size < 100_000


def test_words_split_on_hyphens_and_apostrophes():
    assert words("Anak-anak Iran’s U.S. 2020") == ["anak", "anak", "iran", "s", "u", "s"]


@pytest.mark.parametrize("path", OTHER, ids=lambda p: p.stem)
@pytest.mark.parametrize("lang,name", [("en", "English"), ("id", "Indonesian")])
def test_a_third_language_is_refused_either_way(path, lang, name):
    with pytest.raises(InputError) as info:
        check_language(path.read_text(encoding="utf-8"), lang, path.name)
    message = str(info.value)
    assert message.startswith(f"{path.name}: expected {name} ({lang}) text but it looks like neither "
                              "English nor Indonesian (only ")
    assert "\n" not in message


def test_lower_case_words_decide_so_names_and_headline_capitals_do_not():
    assert lower_share("Le gouvernement a annoncé, selon Reuters", "en") == (1, 4)
    assert lower_share("Supreme Leader Vows Revenge After Strike", "en") == (0, 0)
    # A results table: names and numbers, hardly a lower-case word; never judged.
    table = "\n".join(f"{a} {i} {b} {i + 1}" for i, (a, b) in enumerate(
        [("Arsenal", "Chelsea"), ("Liverpool", "Everton"), ("Leeds United", "Aston Villa"),
         ("Brighton", "Fulham"), ("Newcastle United", "West Ham United")]))
    for lang in ("en", "id"):
        check_language(table, lang, "results.txt")


@pytest.mark.parametrize("slug", ["bi-rate-cut", "cebu-floods", "helioframe-trial", "reef-bleaching"])
def test_every_paragraph_of_the_fixture_articles_passes(slug):
    # Paragraph by paragraph (a caption, a byline, a dateline alone), not only whole files.
    for lang in ("en", "id"):
        for para in (FIXTURES / f"{slug}.{lang}.txt").read_text(encoding="utf-8").split("\n"):
            check_language(para, lang, f"{slug}.{lang}.txt")
