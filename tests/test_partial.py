"""Partial omissions and additions inside a linked pair (fidelity.partial)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fidelity.lexical import Lexicon
from fidelity.partial import (EN_ID_RATIO, LinkText, PartialParams, cognate, document_ratio,
                              en_stems, id_stems, partial_findings, prefix_gain, sentence_words)
from fidelity.segment import segment_document
from fidelity.types import Document, Link, Sentence

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _doc(lines: list[str], lang: str) -> Document:
    """One sentence per line, one paragraph per line, lines joined by a blank line."""
    sents, pos = [], 0
    for k, line in enumerate(lines):
        sents.append(Sentence(k, line, k, pos, pos + len(line)))
        pos += len(line) + 2
    return Document("\n\n".join(lines), lang, sents)


def _one_to_one(n: int) -> list[Link]:
    return [Link((i,), (i,), 0.8) for i in range(n)]


EN = [
    "The city council approved the budget for the new hospital on Tuesday.",
    "The minister said the bridge over the river would open next year, although engineers "
    "warned that heavy rain could delay the construction.",
    "Police arrested two men after a fire destroyed a warehouse in the port district.",
]
ID = [
    "Dewan kota menyetujui anggaran untuk rumah sakit baru pada hari Selasa.",
    "Menteri mengatakan jembatan di atas sungai itu akan dibuka tahun depan, meskipun para "
    "insinyur memperingatkan bahwa hujan lebat dapat menunda pembangunan.",
    "Polisi menangkap dua pria setelah kebakaran menghancurkan sebuah gudang di kawasan pelabuhan.",
]

# Free but faithful renderings: word order, idiom and part of speech change, nothing is lost.
FREE_EN = [
    "Fans packed the stadium hours before kick-off, waving flags and singing.",
    "Prices of rice and cooking oil have risen sharply since the drought hit farms in the east "
    "of the country.",
    "The company, which employs about 3,000 people, said it would close two factories by the "
    "end of the year.",
    "He told reporters he had no plans to resign and would keep fighting the charges in court.",
    "Residents were evacuated from their homes as the floodwaters rose overnight.",
]
FREE_ID = [
    "Para suporter sudah memadati stadion berjam-jam sebelum pertandingan dimulai sambil "
    "mengibarkan bendera dan bernyanyi.",
    "Harga beras dan minyak goreng naik tajam sejak kekeringan melanda lahan pertanian di "
    "wilayah timur negara itu.",
    "Perusahaan yang mempekerjakan sekitar 3.000 orang itu mengatakan akan menutup dua pabrik "
    "pada akhir tahun.",
    "Ia mengatakan kepada wartawan bahwa ia tidak berencana mundur dan akan terus melawan "
    "dakwaan itu di pengadilan.",
    "Warga dievakuasi dari rumah mereka karena air banjir terus naik sepanjang malam.",
]


def test_faithful_translation_has_no_partial_finding():
    assert partial_findings(_doc(EN, "en"), _doc(ID, "id"), _one_to_one(3)) == []


def test_free_but_faithful_renderings_are_not_flagged():
    found = partial_findings(_doc(FREE_EN, "en"), _doc(FREE_ID, "id"), _one_to_one(len(FREE_EN)))
    assert found == []


def test_cut_trailing_clause_is_reported_with_its_source_offsets():
    cut = list(ID)
    cut[1] = "Menteri mengatakan jembatan di atas sungai itu akan dibuka tahun depan."
    source, target = _doc(EN, "en"), _doc(cut, "id")
    found = partial_findings(source, target, _one_to_one(3))
    assert [f.source for f in found] == [(1,)]
    f = found[0]
    assert f.type == "partial" and f.category == "body" and f.severity == "major"
    (change,) = f.changes
    assert change.kind == "missing" and change.target == "" and change.target_spans == ()
    ((start, end),) = change.source_spans
    quoted = source.text[start:end]
    assert quoted == change.source
    assert f'"{quoted}"' in f.message and f.message.startswith("not rendered in the translation")
    # The span is the cut clause: it ends the sentence and lies after what was kept.
    assert quoted.endswith("delay the construction")
    assert "engineers warned that heavy rain" in quoted
    assert start > source.text.index("over the river")
    assert end == source.sentences[1].end - 1  # the final full stop stays out


def test_added_clause_is_reported_with_its_target_offsets():
    added = list(ID)
    added[2] = ("Polisi menangkap dua pria setelah kebakaran menghancurkan sebuah gudang di kawasan "
                "pelabuhan, yang menurut warga sudah lama kosong dan sering dipakai pedagang narkoba.")
    source, target = _doc(EN, "en"), _doc(added, "id")
    found = partial_findings(source, target, _one_to_one(3), PartialParams(additions=True))
    assert [f.target for f in found] == [(2,)]
    (change,) = found[0].changes
    assert change.kind == "added" and change.source == "" and change.source_spans == ()
    ((start, end),) = change.target_spans
    assert target.text[start:end] == change.target
    assert "sering dipakai pedagang narkoba" in change.target
    assert "gudang" not in change.target
    assert found[0].message.startswith("added in the translation")


def test_additions_are_off_by_default():
    # Added spans are mostly a translator's explicitation on real stories: opt-in only.
    added = list(ID)
    added[2] = ID[2][:-1] + ", yang menurut warga sudah lama kosong dan sering dipakai pedagang narkoba."
    assert partial_findings(_doc(EN, "en"), _doc(added, "id"), _one_to_one(3)) == []
    assert partial_findings(_doc(EN, "en"), _doc(added, "id"), _one_to_one(3),
                            PartialParams(additions=True)) != []


def test_omission_and_addition_links_title_and_boilerplate_are_skipped():
    en = ["Storm hits the coast", "Advertisement",
          "Thousands of homes lost power when the storm reached the coast on Sunday night."]
    ind = ["Badai menghantam pesisir", "Iklan", "Ribuan rumah kehilangan listrik."]
    links = [Link((0,), (0,), 0.5), Link((1,), (1,), 0.9), Link((2,), (), None),
             Link((), (2,), None)]
    assert partial_findings(_doc(en, "en"), _doc(ind, "id"), links) == []


def test_lame_duck_in_the_seed_pair():
    source = segment_document((SEEDS / "nyt.en.txt").read_text(encoding="utf-8"), "en")
    target = segment_document((SEEDS / "nyt.id.txt").read_text(encoding="utf-8"), "id")
    (i,) = [s.index for s in source.sentences if "lame duck Democratic administration" in s.text]
    (j,) = [s.index for s in target.sentences if "pemerintahan Demokrat dan kubu Trump" in s.text]
    found = partial_findings(source, target, [Link((i,), (j,), 0.7)])
    missing = [c for f in found for c in f.changes if c.kind == "missing"]
    assert [c.source for c in missing] == ["lame duck"]
    ((start, end),) = missing[0].source_spans
    assert source.text[start:end] == "lame duck"


def test_sentence_words_offsets_and_kinds():
    text = "Mr. Trump’s aide said 1,200 people joined the rally in Ohio."
    words = sentence_words(text, 100, "en")
    by_key = {w.key: w for w in words}
    assert text[by_key["trump"].start - 100:by_key["trump"].end - 100] == "Trump’s"
    assert by_key["1,200"].number and by_key["1,200"].content
    assert by_key["ohio"].name
    assert not by_key["the"].content and not by_key["said"].content
    assert by_key["rally"].content and not by_key["rally"].name


@pytest.mark.parametrize("word, stem", [
    ("pemerintahan", "pemerintah"), ("menulis", "tulis"), ("dihindari", "hindar"),
    ("kebanjiran", "banjir"), ("negara-negara", "negara"), ("bukunya", "buku"),
    ("berjalan", "jalan"), ("penyelamat", "selamat"),
])
def test_indonesian_affixes_are_stripped(word, stem):
    assert stem in id_stems(word)


def test_english_suffixes_are_stripped():
    assert "official" in en_stems("officials")
    assert "city" in en_stems("cities")
    assert "plan" in en_stems("planned")
    assert "avoid" in en_stems("avoided")


def test_cognates_are_recognised_after_respelling():
    assert cognate("democracy", "demokrasi", "en") > 0.8
    assert cognate("location", "lokasi", "en") > 0.6
    assert cognate("demokrasi", "democracy", "id") > 0.8
    assert cognate("river", "sungai", "en") < 0.5


def _words(keys: str) -> list:
    from fidelity.partial import Word

    out, pos = [], 0
    for k in keys.split():
        out.append(Word(k, pos, pos + len(k), True, False, False))
        pos += len(k) + 1
    return out


def test_contiguous_gap_is_a_span_scattered_gaps_are_not():
    import numpy as np

    from fidelity.partial import uncovered_spans

    words = _words("police arrested two men after fire destroyed warehouse port district")
    n = len(words)
    where = np.arange(n)  # each covered word's counterpart sits in the same place
    other = np.ones(8)  # the translation has no word of its own left over
    params = PartialParams()
    run = np.array([1, 1, 1, 1, 1, 1, 0.1, 0.05, 0.2, 0.1])  # the last four words unrendered
    (span,) = uncovered_spans(words, run, where, other, [0] * n, params)
    assert [w.key for w in span.words] == ["destroyed", "warehouse", "port", "district"]
    assert 0.8 < span.score < 1
    scattered = np.array([1, 0.1, 1, 1, 0.2, 1, 1, 0.1, 1, 1])  # a free rendering's gaps
    assert uncovered_spans(words, scattered, where, other, [0] * n, params) == []
    # The same run is a paraphrase when the translation leaves as many words of its own there.
    paraphrase = np.ones(10)
    paraphrase[6:10] = 0.1
    assert uncovered_spans(words, run, where, paraphrase, [0] * n, params) == []



def test_dropped_name_is_missing_but_a_replaced_name_is_left_to_drift():
    en = ["The bill was drafted by Senator Lisa Murkowski and two colleagues from the committee."]
    dropped = ["Rancangan undang-undang itu disusun oleh Senator bersama dua rekannya dari komite."]
    replaced = ["Rancangan undang-undang itu disusun oleh Senator Susan Collins bersama dua rekannya "
                "dari komite."]
    source = _doc(en, "en")
    found = partial_findings(source, _doc(dropped, "id"), _one_to_one(1))
    assert [c.source for f in found for c in f.changes if c.kind == "missing"] == ["Lisa Murkowski"]
    ((start, end),) = found[0].changes[0].source_spans
    assert source.text[start:end] == "Lisa Murkowski"
    assert partial_findings(source, _doc(replaced, "id"), _one_to_one(1)) == []


@pytest.mark.parametrize("en,idn", [
    # A number written as a word, an ordinal, a Roman numeral or with another currency sign is
    # rendered; a number truly dropped is the drift check's ("number missing in translation").
    ("Rescuers found the 5 missing climbers near the summit on Sunday.",
     "Tim penyelamat menemukan kelima pendaki yang hilang di dekat puncak pada hari Minggu."),
    ("Classes for 7th graders were moved to the town hall after the roof collapsed.",
     "Kelas untuk siswa kelas VII dipindahkan ke balai kota setelah atapnya ambruk."),
    ("The court ordered each of them to pay a fine of about two hundred dollars.",
     "Pengadilan memerintahkan masing-masing dari mereka membayar denda sekitar US$200."),
    ("Police said 140 people were evacuated from the flooded village.",
     "Polisi mengatakan banyak orang dievakuasi dari desa yang kebanjiran itu."),
])
def test_a_lone_number_is_never_a_partial_span(en: str, idn: str) -> None:
    assert partial_findings(_doc([en], "en"), _doc([idn], "id"), _one_to_one(1)) == []


def test_sentence_words_mark_clause_starts_and_glued_words():
    words = [w for w in sentence_words(
        "The plan, which the council approved, was dropped by Belfast Magistrates' Court.", 0, "en")
        if w.content]
    by_key = {w.key: w for w in words}
    assert by_key["council"].opens  # after ", which the"
    assert by_key["dropped"].opens  # after a comma
    assert by_key["belfast"].opens  # after "by"
    assert not by_key["plan"].opens and not by_key["approved"].opens
    assert by_key["magistrates"].glued and by_key["court"].glued  # one name phrase
    assert not by_key["belfast"].glued and not by_key["dropped"].glued


def _covers(n: int, low: dict[int, float]):
    import numpy as np

    cov = np.ones(n)
    for i, c in low.items():
        cov[i] = c
    return cov


def test_inside_a_sentence_only_a_long_clause_or_a_surely_unrendered_phrase_is_a_span():
    import dataclasses

    import numpy as np

    from fidelity.partial import uncovered_spans

    words = _words("officials said new bridge which engineers designed after storms damaged old "
                   "crossing will open next year")
    n = len(words)
    where, other, sent = np.arange(n), np.ones(n), [0] * n
    params = PartialParams()
    clause = _covers(n, {k: 0.1 for k in range(4, 11)})  # "which ... old": seven words
    opened = [dataclasses.replace(w, opens=(k == 4)) for k, w in enumerate(words)]
    (span,) = uncovered_spans(opened, clause, where, other, sent, params)
    assert (span.words[0].key, span.words[-1].key) == ("which", "old")
    # The same run not opening a clause is no syntactic unit: a free rendering, not a cut.
    assert uncovered_spans(words, clause, where, other, sent, params) == []
    # Three rare words inside a sentence: a phrase rendered freely ...
    pair = _covers(n, {5: 0.3, 6: 0.35, 7: 0.3})
    opened5 = [dataclasses.replace(w, opens=(k == 5)) for k, w in enumerate(words)]
    assert uncovered_spans(opened5, pair, where, other, sent, params) == []
    # ... unless nothing at all renders them and the translation is otherwise word for word.
    sure = _covers(n, {5: 0.1, 6: 0.12})
    (span,) = uncovered_spans(opened5, sure, where, other, sent, params)
    assert [w.key for w in span.words] == ["engineers", "designed"]
    loose_other = other.copy()
    loose_other[:4] = 0.1  # the translation leaves a quarter of its words unexplained
    assert uncovered_spans(opened5, sure, where, loose_other, sent, params) == []


def test_a_tail_moved_to_the_front_of_the_translation_is_not_missing():
    import numpy as np

    from fidelity.partial import uncovered_spans

    words = _words("attacker caused injury harm loss families friends victims notice intent states")
    n = len(words)
    cov = _covers(n, {8: 0.1, 9: 0.1, 10: 0.1})  # "notice of intent states" ends the sentence
    where = np.arange(n) + 3  # the translation starts with three words of its own
    fronted = np.ones(n)
    fronted[:3] = 0.1  # "Diungkapkan dalam pernyataan kehendak, ..."
    assert uncovered_spans(words, cov, where, fronted, [0] * n, PartialParams()) == []
    (span,) = uncovered_spans(words, cov, where, fronted, [0] * n, PartialParams(fronted=False))
    assert [w.key for w in span.words] == ["notice", "intent", "states"]
    # A translation that simply stops (a cut) has nothing of its own at the front.
    (span,) = uncovered_spans(words, cov, np.arange(n), np.ones(n - 3), [0] * n, PartialParams())
    assert [w.key for w in span.words] == ["notice", "intent", "states"]


def test_changed_weekday_is_left_to_drift_but_a_dropped_one_is_missing():
    en = ["The minister will visit the flooded villages on Wednesday with two officials from "
          "the ministry."]
    changed = ["Menteri akan mengunjungi desa-desa yang kebanjiran pada hari Kamis bersama dua "
               "pejabat dari kementerian."]
    dropped = ["Menteri akan mengunjungi desa-desa yang kebanjiran bersama dua pejabat dari "
               "kementerian."]
    source = _doc(en, "en")
    assert partial_findings(source, _doc(changed, "id"), _one_to_one(1)) == []
    assert partial_findings(source, _doc(changed, "id"), _one_to_one(1),
                            PartialParams(calendar=False)) != []
    found = partial_findings(source, _doc(dropped, "id"), _one_to_one(1))
    assert [c.source for f in found for c in f.changes] == ["Wednesday"]


def test_a_word_of_a_name_rendered_as_a_whole_is_not_a_dropped_name():
    en = ["The defendant is expected to appear before Belfast Magistrates' Court on Monday "
          "morning."]
    ind = ["Terdakwa diperkirakan hadir di depan Pengadilan Negeri Belfast pada Senin pagi."]
    source, target = _doc(en, "en"), _doc(ind, "id")
    assert partial_findings(source, target, _one_to_one(1)) == []
    found = partial_findings(source, target, _one_to_one(1), PartialParams(name_phrase=False))
    assert [c.source for f in found for c in f.changes] == ["Magistrates"]


# --------------------------------------------------------------------------- trailing clause cuts

# Five faithful pairs around the pair under test: the translation's own length habit
# (fidelity.partial.document_ratio) comes from its 1-1 links.
CONTEXT_EN = [
    "The company reported a sharp fall in profits last year because of weak demand in Europe.",
    "Thousands of fans gathered outside the stadium to greet the players on their return home.",
    "The hospital has cancelled routine operations this week as staff shortages worsen.",
    "The government plans to build two new dams to supply water to the capital.",
    "Officials closed the border crossing for several hours after a bomb threat.",
]
CONTEXT_ID = [
    "Perusahaan itu melaporkan penurunan laba yang tajam tahun lalu karena lemahnya permintaan "
    "di Eropa.",
    "Ribuan penggemar berkumpul di luar stadion untuk menyambut para pemain yang pulang kampung.",
    "Rumah sakit itu membatalkan operasi rutin pekan ini karena kekurangan staf semakin parah.",
    "Pemerintah berencana membangun dua bendungan baru untuk memasok air ke ibu kota.",
    "Petugas menutup perlintasan perbatasan selama beberapa jam setelah adanya ancaman bom.",
]


def _last_link_missing(en: str, ind: str, **params) -> list[str]:
    """The missing spans reported on the last of the context pairs plus (``en``, ``ind``)."""
    source, target = _doc(CONTEXT_EN + [en], "en"), _doc(CONTEXT_ID + [ind], "id")
    n = len(CONTEXT_EN) + 1
    found = partial_findings(source, target, _one_to_one(n), PartialParams(**params))
    return [c.source for f in found if f.source == (n - 1,) for c in f.changes
            if c.kind == "missing"]


def test_context_pairs_are_faithful():
    assert partial_findings(_doc(CONTEXT_EN, "en"), _doc(CONTEXT_ID, "id"),
                            _one_to_one(len(CONTEXT_EN))) == []


def test_a_cut_clause_whose_words_the_head_leftovers_would_absorb_is_found_by_length():
    # The head is rendered freely ("a string of fine saves" / "serangkaian penyelamatan
    # gemilang"): its leftovers at the translation's end pair with the clause's first words,
    # and the word evidence alone sees only its last two ("final whistle"). The translation
    # is far shorter than this translator's habit, and nothing in it is left for the clause:
    # the whole clause is reported.
    en = ("The goalkeeper made a string of fine saves, keeping his side in the game until the "
          "final whistle.")
    cut = "Penjaga gawang melakukan serangkaian penyelamatan gemilang."
    full = ("Penjaga gawang melakukan serangkaian penyelamatan gemilang dan menjaga timnya tetap "
            "dalam permainan hingga peluit akhir.")
    missing = _last_link_missing(en, cut)
    assert len(missing) == 1 and missing[0].endswith("until the final whistle")
    assert "in the game until" in missing[0]
    # Without the length grounds (short; mildly short with less room needed): a part only.
    assert _last_link_missing(en, cut, tail_short=-9.0, tail_mild=-9.0) == ["final whistle"]
    assert _last_link_missing(en, cut, tail_cut=False) == ["final whistle"]
    assert _last_link_missing(en, full) == []


def test_a_repeated_name_at_the_end_finds_no_second_rendering():
    # "North Korea" twice in the source, once in the cut translation: the one at the end has
    # no rendering of its own, so the clause it closes is weak to the end.
    en = ("South Korea's president met the leader of North Korea on Friday and promised to "
          "guarantee the security of North Korea.")
    cut = "Presiden Korea Selatan bertemu pemimpin Korea Utara pada hari Jumat."
    full = ("Presiden Korea Selatan bertemu pemimpin Korea Utara pada hari Jumat dan berjanji "
            "menjamin keamanan Korea Utara.")
    assert _last_link_missing(en, cut) == ["promised to guarantee the security of North Korea"]
    assert _last_link_missing(en, cut, tail_cut=False) == []
    assert _last_link_missing(en, full) == []


def test_prefix_gain_prefers_the_source_the_translation_renders():
    lex = Lexicon.default()
    head = "Residents said the water rose quickly during the night, "
    tail = "forcing families to flee to the roof."
    only_head = "Warga mengatakan air naik dengan cepat pada malam hari."
    whole = "Warga mengatakan air naik dengan cepat pada malam hari, memaksa keluarga mengungsi ke atap."
    assert prefix_gain(lex, head, tail, only_head) > 0.0 > prefix_gain(lex, head, tail, whole)


def test_document_ratio_is_the_translators_own_habit():
    en = ["The minister opened the new bridge over the river on Monday morning."] * 5
    wordy = ["Menteri itu secara resmi membuka jembatan baru yang melintasi sungai tersebut pada "
             "hari Senin pagi."] * 5
    terse = ["Menteri membuka jembatan baru, Senin pagi."] * 5
    ratio = document_ratio(_doc(en, "en"), _doc(wordy, "id"), _one_to_one(5))
    assert ratio == pytest.approx(len(wordy[0]) / len(en[0]))
    assert document_ratio(_doc(en, "en"), _doc(terse, "id"), _one_to_one(5)) < 0.7
    # Too few 1-1 links to tell a habit: the language pair's usual ratio.
    assert document_ratio(_doc(en[:2], "en"), _doc(terse[:2], "id"), _one_to_one(2)) == EN_ID_RATIO
    # No usual ratio for an unknown pair, and no length ground then.
    assert document_ratio(_doc(en[:2], "en"), _doc(terse[:2], "fr"), _one_to_one(2)) is None


def test_a_concise_translator_is_not_short_everywhere():
    # The goalkeeper's cut is short for a translator who writes like CONTEXT_ID, not for one
    # whose every sentence is that terse: then only the word ground could report it.
    text = LinkText("The goalkeeper made a string of fine saves, keeping his side in the game.",
                    "Penjaga gawang melakukan serangkaian penyelamatan gemilang.", 0,
                    Lexicon.default(), ratio=1.15)
    assert text.shortness() < -0.25
    assert LinkText(text.source, text.target, 0, text.lexicon, ratio=0.75).shortness() > -0.25
    assert LinkText(text.source, text.target, 0, text.lexicon).shortness() is None


def test_a_match_far_back_does_not_render_the_last_word():
    # "the past" meets "melalui" (through the stem "lalu", the past) far back in the
    # translation, behind the counterparts of the words before it: a chance match, so the
    # clause it ends is still weak to the end.
    en = ("The agency said most of the aid money for the flood victims went to local charities "
          "and churches in the remote northern provinces, marking a shift from the past.")
    head = ("Lembaga itu mengatakan sebagian besar dana bantuan untuk korban banjir disalurkan "
            "melalui badan amal dan gereja setempat di provinsi-provinsi terpencil di utara")
    assert _last_link_missing(en, head + ".") == ["marking a shift from the past"]
    assert _last_link_missing(en, head + ".", tail_order=99) == []
    assert _last_link_missing(en, head + ", menandai pergeseran dari masa lalu.") == []



def _source_covers(en: str, ind: str) -> dict[str, tuple[float, str]]:
    """Per content word of ``en``: its cover and counterpart in ``ind`` (one 1-1 link)."""
    from fidelity.partial import _link_words, _Vectors, link_cover

    source, target = _doc([en], "en"), _doc([ind], "id")
    sw, ss, sf = _link_words(source, (0,), {})
    tw, ts, tf = _link_words(target, (0,), {})
    vectors = _Vectors(Lexicon.default())
    vectors.prepare([w.key for w in sw + tw])
    lc = link_cover(sw, ss, "en", tw, ts, "id", vectors, PartialParams(), sf, tf)
    return {w.key: (float(lc.s_cov[i]), tw[int(lc.s_where[i])].key) for i, w in enumerate(sw)}


def test_the_table_outranks_a_sense_noisy_lexicon_pair_for_one_word():
    # "cuts" reaches "pembunuhan" only through a wrong-sense lexicon pair (cut / bunuh, to
    # kill); the table pairs "murder" with it directly. Two claims on one word: the table's
    # keeps it, so "murder rates" is not left unrendered at the end of the sentence.
    en = ("The planned cuts to foreign aid would be painful for a poor country with high "
          "unemployment and murder rates.")
    ind = ("Rencana pemangkasan bantuan luar negeri akan menyakiti negara miskin dengan tingkat "
           "pengangguran dan pembunuhan yang tinggi.")
    covers = _source_covers(en, ind)
    assert covers["murder"][1] == "pembunuhan" and covers["murder"][0] >= PartialParams().cover
    assert covers["cuts"][1] != "pembunuhan"
    assert _last_link_missing(en, ind) == []


def test_a_weekday_dropped_after_a_rendered_name_is_missing():
    # "Saturday" is glued to "Ohio", which the translation renders, but a weekday is no word of
    # a multi-word name: the translation leaves the date out.
    en = "The senator spoke about her plans at a town hall meeting in northern Ohio Saturday."
    dropped = "Senator itu berbicara tentang rencananya dalam pertemuan balai kota di Ohio utara."
    kept = ("Senator itu berbicara tentang rencananya dalam pertemuan balai kota di Ohio utara "
            "pada hari Sabtu.")
    found = partial_findings(_doc([en], "en"), _doc([dropped], "id"), _one_to_one(1))
    assert [c.source for f in found for c in f.changes] == ["Saturday"]
    assert partial_findings(_doc([en], "en"), _doc([kept], "id"), _one_to_one(1)) == []


def test_numbers_spelt_out_are_numbers_not_names_or_missing_words():
    words = {w.key: w for w in sentence_words("Fifty others and twenty-three crew members", 0, "en")}
    assert words["fifty"].number and words["twenty-three"].number
    assert not words["others"].number and not words["crew"].number
    en = ["Fifty others were wounded in the blast.",
          "The ship is reported to have a crew of twenty-three on board."]
    ind = ["Lima puluh orang lainnya terluka dalam ledakan itu.",
           "Kapal itu dilaporkan membawa 23 awak kapal."]
    assert partial_findings(_doc(en, "en"), _doc(ind, "id"), _one_to_one(2)) == []


def test_a_mildly_short_translation_with_no_room_left_needs_little_of_the_sentence_view():
    # The translation ends with the head's last words ("musim semi mendatang"): the words
    # leave no room for the clause and the translation is short for this translator, so the
    # sentence view only has to not disagree (``both_gain``). Each other ground switched off.
    en = ("The mayor said the new bridge would open next spring, replacing the old ferry for "
          "commuters.")
    cut = "Wali kota mengatakan jembatan baru itu akan dibuka musim semi mendatang."
    full = cut[:-1] + ", menggantikan kapal feri lama bagi para komuter."
    others_off = dict(tail_gain=1.0, mild_gain=1.0, tail_short=-9.0)
    assert _last_link_missing(en, cut, **others_off) == [
        "next spring, replacing the old ferry for commuters"]
    assert _last_link_missing(en, cut, both_gain=1.0, **others_off) == []
    assert _last_link_missing(en, full) == []


def test_a_name_among_weak_words_is_judged_on_its_own_with_name_parts():
    # "the surprise look from Armani was a silver coat for the winter": the words before
    # the name are rendered freely (weak), the name not at all. The run of three is no span
    # inside a sentence; with ``name_parts`` the name in it is judged alone.
    import numpy as np

    from fidelity.partial import Word, uncovered_spans

    keys = "surprise look armani silver coat winter".split()
    words, pos = [], 0
    for k in keys:
        cap = k == "armani"
        words.append(Word(k, pos, pos + len(k), True, cap, False, cap=cap))
        pos += len(k) + 1
    cov = np.array([0.1, 0.1, 0.05, 0.9, 0.9, 0.9])
    where = np.arange(len(words))
    other = np.ones(5)  # nothing of the translation left over there
    spans = uncovered_spans(words, cov, where, other, [0] * len(words), PartialParams())
    assert spans == []
    (span,) = uncovered_spans(words, cov, where, other, [0] * len(words),
                              PartialParams(name_parts=True))
    assert [w.key for w in span.words] == ["armani"]
    # A name left over on the other side in its place: replaced (drift), not dropped.
    left = np.array([1.0, 0.1, 1.0, 1.0, 1.0])
    assert uncovered_spans(words, cov, where, left, [0] * len(words),
                           PartialParams(name_parts=True), other_names=[False, True] + [False] * 3) == []


def test_a_name_said_twice_and_written_once_has_lost_a_mention_with_name_count():
    en = ["Firefighters in Denver said on Monday that the blaze in the hills west of Denver had "
          "been brought under control."]
    dropped = ["Petugas pemadam kebakaran mengatakan pada hari Senin bahwa kebakaran di perbukitan "
               "sebelah barat Denver telah dikendalikan."]
    kept = [dropped[0].replace("kebakaran mengatakan", "kebakaran di Denver mengatakan")]
    source = _doc(en, "en")
    on = PartialParams(name_count=True)
    # Off by default: the one "Denver" of the translation renders both mentions.
    assert partial_findings(source, _doc(dropped, "id"), _one_to_one(1)) == []
    found = partial_findings(source, _doc(dropped, "id"), _one_to_one(1), on)
    (change,) = [c for f in found for c in f.changes]
    ((start, end),) = change.source_spans
    assert change.source == "Denver" and start == source.text.index("Denver")  # the first one
    assert partial_findings(source, _doc(kept, "id"), _one_to_one(1), on) == []


def test_a_lone_last_word_is_cut_when_the_translation_is_far_short_and_ends_before_it():
    # One content word ends the clause ("for survivors"); the translation is short for this
    # translator, its last word renders a word before it, and nothing renders "survivors".
    en = "After the earthquake, rescue teams searched the collapsed school for survivors."
    cut = "Setelah gempa, tim penyelamat menggeledah sekolah yang runtuh."
    full = cut[:-1] + " untuk mencari korban selamat."
    assert _last_link_missing(en, cut) == ["survivors"]
    assert _last_link_missing(en, cut, lone_word=False) == []
    assert _last_link_missing(en, full) == []
    # The lone-word test reads one word: with a longer minimum run (min_run 3) a two-word
    # trailing run is too short for a cut, not a lone word judged by its first word.
    assert _last_link_missing(en, cut, min_run=3) == ["survivors"]
    two = en.replace("for survivors", "for trapped survivors")
    assert _last_link_missing(two, cut) == ["trapped survivors"]
    assert _last_link_missing(two, cut, min_run=3) == []


def test_a_speaker_named_in_the_source_and_a_pronoun_in_the_translation_is_not_missing():
    # Indonesian news writes "tandasnya" ("he stressed") for a speaker named before.
    en = "We have repaired about 80 percent of the damaged roads,\" added Hidayat."
    pronoun = "Sudah sekitar 80 persen jalan yang rusak kami perbaiki,\" tandasnya."
    dropped = "Sudah sekitar 80 persen jalan yang rusak kami perbaiki,\" tandas."
    assert _last_link_missing(en, pronoun) == []
    assert _last_link_missing(en, pronoun, speaker=False) == ["added Hidayat"]
    assert _last_link_missing(en, dropped) == ["added Hidayat"]


def test_a_lone_last_word_after_a_function_word_is_cut_when_the_translation_is_mildly_short(
        monkeypatch):
    # "on condition of anonymity": the last content word heads a phrase of its own ("of
    # anonymity"), the translation ends with the rendering of the word before it ("syarat")
    # and is mildly short for this translator (not far short, as the plain lone-word test
    # needs).
    import fidelity.partial as partial

    en = "The officials spoke to the newspaper on condition of anonymity."
    cut = "Para pejabat itu berbicara kepada surat kabar dengan syarat."
    full = cut[:-1] + " tidak disebutkan namanya."
    assert _last_link_missing(en, cut) == ["anonymity"]
    assert _last_link_missing(en, cut, lone_phrase=False) == []
    assert _last_link_missing(en, full) == []
    # A last word right after a rendered word is the end of a compound whose head the
    # translation renders ("budget deficit" / "anggaran"), not a phrase of its own: kept
    # quiet though the translation is as short, which the function word alone decides.
    compound = "The officials spoke to the newspaper about the budget deficit."
    rendered = "Para pejabat berbicara kepada koran tentang anggaran."
    assert _last_link_missing(compound, rendered) == []
    monkeypatch.setattr(partial, "_after_function_word", lambda text, word: True)
    assert _last_link_missing(compound, rendered) == ["deficit"]


@pytest.mark.parametrize("en, cut, word", [
    # Far short: "... long after the end of the game." / "... lama setelah akhir."
    ("The players were cheered by the crowd long after the end of the game.",
     "Para pemain disoraki penonton lama setelah akhir.", "game"),
    # Mildly short: "... who lost their homes in the flood." / "... kehilangan rumah."
    ("The volunteers handed out food to the families who lost their homes in the flood.",
     "Para relawan membagikan makanan kepada keluarga yang kehilangan rumah.", "flood"),
])
def test_a_lone_phrase_word_needs_the_sentence_view_only_not_against(en, cut, word):
    # The translation ends with the rendering of the word before the phrase; the cut source
    # is a hair farther from it in the sentence view (a gain just below 0), which a plain
    # lone word would need not to be.
    assert _last_link_missing(en, cut) == [word]
    assert _last_link_missing(en, cut, both_gain=0.0) == []


def test_a_lone_phrase_word_with_a_counterpart_claimed_before_it_is_no_cut():
    # "on condition of anonymity" cut from the translation is found (above); the same word
    # with evidence of its own (a counterpart that a word before it claims, as a name
    # written once for two mentions or a word moved to the front) is weak only by place,
    # and the phrase test leaves it to the plain lone-word one, which wants nothing there.
    import dataclasses

    from fidelity.partial import _Vectors, _link_words, _link_text, link_cover, tail_span

    source = _doc(CONTEXT_EN + ["The officials spoke to the newspaper on condition of anonymity."],
                  "en")
    target = _doc(CONTEXT_ID + ["Para pejabat itu berbicara kepada surat kabar dengan syarat."],
                  "id")
    links = _one_to_one(len(source.sentences))
    ratio = document_ratio(source, target, links)
    link, params, lex = links[-1], PartialParams(), Lexicon.default()
    s_words, s_sent, s_fun = _link_words(source, link.source, {})
    t_words, t_sent, t_fun = _link_words(target, link.target, {})
    vectors = _Vectors(lex)
    vectors.prepare([w.key for w in s_words + t_words])
    lc = link_cover(s_words, s_sent, "en", t_words, t_sent, "id", vectors, params, s_fun, t_fun)
    text = _link_text(source, target, link, lex, ratio)
    assert [w.key for w in tail_span(lc, params, text).words] == ["anonymity"]
    raw, where = lc.s_raw.copy(), lc.s_raw_where.copy()
    raw[-1], where[-1] = 0.9, where[-2]  # rendered by the word "condition" already has
    claimed = dataclasses.replace(lc, s_raw=raw, s_raw_where=where)
    assert tail_span(claimed, params, text) is None


@pytest.mark.parametrize("en, word, own", [
    ("The officials spoke to the newspaper on condition of anonymity.", "anonymity", True),
    ("It was the worst performance he had ever seen.", "seen", True),
    ("The officials spoke about the budget deficit.", "deficit", False),
    # A verb with a particle after it is rendered as a whole ("waved away" / "ditolak").
    ("Two penalty claims for handball were waved away.", "waved", False),
    ("The minister takes the threat very seriously.", "seriously", False),
    ("The team lost, however, the coach was calm.", "calm", True),
    ("The game was over, and then, relief.", "relief", False),  # a comma between
])
def test_a_phrase_of_its_own_is_a_last_word_after_a_function_word(en, word, own):
    from fidelity.partial import _after_function_word

    text = LinkText(en, "", 0, Lexicon.default())
    (w,) = [w for w in sentence_words(en, 0, "en") if w.key == word]
    assert _after_function_word(text, w) is own


def test_a_word_after_a_degree_adverb_heads_no_phrase_of_its_own(monkeypatch):
    # "very seriously": the adverb modifies the word; a translation that renders the
    # attitude by its verb ("menanggapi") and is mildly short has dropped nothing whole.
    import fidelity.partial as partial

    en = ("The minister told reporters that the government was taking the threat very "
          "seriously.")
    ind = "Menteri mengatakan kepada wartawan bahwa pemerintah menanggapi ancaman itu."
    assert _last_link_missing(en, ind) == []
    monkeypatch.setattr(partial, "_DEGREE", frozenset())
    assert _last_link_missing(en, ind) == ["seriously"]


def test_a_speech_verb_after_a_subject_pronoun_is_rendered_by_the_clitic():
    # "..., he disclosed." / "..., katanya.": the attribution is the clitic, as for a name.
    en = ("\"The majority of the district is a settlement area, which becomes a potential market "
          "for consumer products of the bank,\" he disclosed.")
    ind = ("\"Mayoritas kecamatan itu merupakan wilayah pemukiman, yang menjadi potensi pasar "
           "untuk produk konsumer bank,\" katanya.")
    assert _last_link_missing(en, ind) == []
    assert _last_link_missing(en, ind, speaker=False) == ["disclosed"]
    assert _last_link_missing(en, ind.replace("katanya", "kata")) == ["disclosed"]

def test_an_attribution_after_the_quote_s_last_word_is_rendered_by_the_speech_verb():
    # "..., implemented," finished Martono." / "..., diterapkan," tandasnya.": the quote's
    # last word is weak in the evidence ("implemented" / "diterapkan") and the attribution
    # after it is the clitic; one weak word is no cut, the attribution no omission.
    en = ("\"The new tax rules will be easy to follow once the online system is implemented,\" "
          "finished Martono.")
    ind = ("\"Aturan pajak yang baru akan mudah diikuti kalau sistem online sudah diterapkan,\" "
           "tandasnya.")
    assert _last_link_missing(en, ind) == []
    assert _last_link_missing(en, ind, speaker=False) == ['implemented," finished Martono']
    # The speaker named after the verb is an attribution too ("tandas Martono").
    assert _last_link_missing(en, ind.replace("tandasnya", "tandas Martono")) == []
    # A verb with no clitic and no name renders no speaker.
    assert _last_link_missing(en, ind.replace("tandasnya", "tandas")) \
        == ['implemented," finished Martono']


def test_a_clause_cut_before_an_attribution_is_still_reported_without_it():
    en = ("\"The pumps are ready, and the broken embankment will be repaired before the end of "
          "the week,\" he uttered.")
    ind = "\"Pompa sudah siap,\" tambahnya."
    clause = "broken embankment will be repaired before the end of the week"
    assert _last_link_missing(en, ind) == [clause]
    assert _last_link_missing(en, ind, speaker=False) == [clause + ',\" he uttered']
    named = en.replace("he uttered", "finished Martono")
    assert _last_link_missing(named, ind.replace("tambahnya", "tandas Martono")) == [clause]


def test_a_name_ending_the_sentence_without_a_break_is_no_attribution():
    # "... in the flooded city of Palu." / "... kota yang terendam.": the city is dropped,
    # whatever speaker the translation names ("kata Risa").
    en = ("\"We have been waiting for days,\" said Risa, a mother of two living in a tent in the "
          "flooded city of Palu.")
    ind = ("\"Kami sudah menunggu berhari-hari,\" kata Risa, ibu dua anak yang tinggal di tenda "
           "di kota yang terendam.")
    assert _last_link_missing(en, ind) == ["Palu"]


def test_a_hyphenated_compound_is_rendered_through_its_parts():
    # "UN-sponsored" / "disponsori PBB": the compound's stems are its parts' ("sponsor"),
    # so the Indonesian verb renders it; dropped from the translation, it is still missing.
    en = ("The UN-sponsored radio station said the athlete vanished from the Olympic village "
          "shortly after the closing ceremony.")
    ind = ("Stasiun radio yang disponsori PBB mengatakan atlet itu menghilang dari perkampungan "
           "Olimpiade tidak lama setelah upacara penutupan.")
    assert _last_link_missing(en, ind) == []
    dropped = ("Stasiun radio itu mengatakan atlet itu menghilang dari perkampungan Olimpiade "
               "tidak lama setelah upacara penutupan.")
    assert _last_link_missing(en, dropped) == ["UN-sponsored"]


def test_compound_parts_are_stems_but_not_lexicon_glosses():
    from fidelity.partial import _is_compound, lexicon_pairs, stems

    assert {"department", "sub-department"} <= stems("sub-department", "en")
    assert "terus" in stems("terus-menerus", "id")  # a reduplication with a prefix
    assert "date" in stems("up-to-date", "en") and "to" not in stems("up-to-date", "en")
    # A compound renders a word per part; a reduplication is one word.
    assert _is_compound("ambon-maluku", "id") and not _is_compound("terus-menerus", "id")
    assert not _is_compound("negara-negara", "id") and not _is_compound("pemerintah", "id")
    # The lexicon's hyphenated entries are glossed whole: "aide-de-camp" / "ajudan" says
    # nothing of "camp".
    assert "ajudan" not in lexicon_pairs()["en"].get("camp", frozenset())


def test_a_translation_ending_with_a_repeated_word_s_rendering_does_not_end_before_it():
    # "the bus operators ... their buses" / "... busnya": the one "bus" of the translation
    # is claimed by the head's mention, yet it ends the translation as the last word's
    # rendering; the verb before it ("rejuvenate" / "meremajakan") is only weak evidence.
    en = ("Thanks to the higher Metromini fare of Rp 4 thousand, the bus owners are surely going "
          "to rejuvenate their buses.")
    ind = ("Dengan kenaikan tarif Metromini Rp 4 ribu, dipastikan banyak pemilik angkutan umum "
           "yang akan meremajakan busnya.")
    assert _last_link_missing(en, ind) == []
    # Cut after the owners, the translation is short and the clause still missing.
    cut = "Dengan kenaikan tarif Metromini Rp 4 ribu, dipastikan banyak pemilik bus."
    assert _last_link_missing(en, cut)[-1].endswith("rejuvenate their buses")


# --------------------------------------------------------------------------- the fast paths

def _edit_distance(a: str, b: str) -> int:
    """The textbook dynamic programme, the reference for the bit-parallel one."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@pytest.mark.parametrize("a, b", [("democracy", "demokrasi"), ("kitten", "sitting"),
                                  ("a", "b"), ("abc", "abc"), ("x" * 70, "y" + "x" * 70),
                                  ("administration", "administrasi"), ("ab", "ba")])
def test_bit_parallel_edit_distance_is_the_dynamic_programme(a: str, b: str) -> None:
    from fidelity.partial import _levenshtein

    assert _levenshtein(a, b) == _edit_distance(a, b)
    assert _levenshtein(b, a) == _edit_distance(a, b)


_SHORT_WORD = st.text(alphabet="abcdeks'-", min_size=1, max_size=24)


@settings(max_examples=400, deadline=None)
@given(_SHORT_WORD, _SHORT_WORD)
def test_bit_parallel_edit_distance_on_random_words(a: str, b: str) -> None:
    from fidelity.partial import _levenshtein

    assert _levenshtein(a, b) == _edit_distance(a, b)


def test_word_vectors_do_not_depend_on_the_block_or_the_chunk(monkeypatch) -> None:
    """Vectors summed a few words at a time, or kept from an earlier chunk, are the vectors
    summed all at once, to the bit (the findings must not depend on the document's size)."""
    import numpy as np

    from fidelity.partial import _Vectors

    lex = Lexicon.default()
    words = ["pemerintahan", "administration", "the", "", "kecerdasan", "x", "democracy",
             "menyetujui", "anggaran", "jembatan"]
    whole = _Vectors(lex)
    whole.prepare(words)
    monkeypatch.setattr(_Vectors, "BLOCK", 3)
    small = _Vectors(lex)
    small.prepare(words[:4])
    small = small.kept(words[2:])  # "the" and "" carried over, the rest new
    small.prepare(words)
    assert sorted(small.index) == sorted(set(words))
    assert np.array_equal(whole.matrix(words), small.matrix(words))
    assert not whole.matrix([""]).any() and whole.matrix(["the"]).any()


def test_findings_do_not_depend_on_the_chunk_of_links(monkeypatch) -> None:
    """Links checked 2 at a time (word vectors carried from chunk to chunk) give the findings
    of the links checked at once."""
    import fidelity.partial as partial

    source = _doc(EN + FREE_EN, "en")
    dropped = list(ID + FREE_ID)
    dropped[1] = "Menteri mengatakan jembatan di atas sungai itu akan dibuka tahun depan."
    dropped[4] = "Harga beras dan minyak goreng naik tajam."
    target = _doc(dropped, "id")
    links = _one_to_one(len(dropped))
    whole = partial_findings(source, target, links)
    assert whole  # the cut clauses are found
    monkeypatch.setattr(partial, "_CHUNK", 2)
    assert partial_findings(source, target, links) == whole


def test_content_words_alone_are_the_content_words_of_the_sentence() -> None:
    from fidelity.partial import _scan

    for text, lang in ((EN[1], "en"), (ID[1], "id"), (FREE_EN[2], "en"), (FREE_ID[0], "id")):
        every = sentence_words(text, 7, lang)
        function: set[str] = set()
        assert _scan(text, 7, lang, function) == [w for w in every if w.content]
        assert function == {w.key for w in every if not w.content}


# --------------------------------------------------------------------------- names by their capital

_DEAL_EN = ("The company signed a supply deal with Apple in 2019, but the partnership ended after "
            "a dispute over prices.")


def test_a_lone_capitalised_dictionary_word_the_translation_writes_nowhere_is_a_dropped_name():
    # "apple" is an ordinary English word, so "Apple" is no name by the word list; written
    # with a capital inside its sentence and rendered by nothing, it is one, and no
    # lower-case word left over may pair with it.
    dropped = ("Perusahaan itu menandatangani kesepakatan pasokan dengan pada 2019, tetapi "
               "kemitraan itu berakhir setelah perselisihan soal harga.")
    assert _last_link_missing(_DEAL_EN, dropped) == ["Apple"]
    assert _last_link_missing(_DEAL_EN, dropped, proper=False) == []
    kept = dropped.replace("dengan pada", "dengan Apple pada")
    assert _last_link_missing(_DEAL_EN, kept) == []
    en = "Critics say the Trump administration cut funding for the programme."
    assert _last_link_missing(en, "Para pengkritik mengatakan pemerintahan memangkas dana untuk "
                                  "program tersebut.") == ["Trump"]
    # A capitalised word of the translation may render it (a name, a title, an acronym).
    assert _last_link_missing(en, "Para pengkritik mengatakan pemerintahan AS memangkas dana "
                                  "untuk program tersebut.") == []
    assert _last_link_missing("Officials said the Energy Secretary would visit the plant on "
                              "Friday.", "Para pejabat mengatakan Menteri Energi akan mengunjungi "
                              "pembangkit itu pada hari Jumat.") == []


def test_an_acronym_the_translation_writes_nowhere_is_dropped_but_one_spelt_out_is_not():
    en = "The charity runs a helpline for LGBT teenagers in the capital."
    assert _last_link_missing(en, "Badan amal itu mengelola layanan bantuan bagi remaja di ibu "
                                  "kota.") == ["LGBT"]
    assert _last_link_missing(en, "Badan amal itu mengelola layanan bantuan bagi remaja LGBT di "
                                  "ibu kota.") == []
    # Spelt out in ordinary words, or another acronym after the noun it modifies.
    assert _last_link_missing("The firm hopes its new AI tools will help farmers predict the "
                              "harvest.", "Perusahaan itu berharap perangkat kecerdasan buatan "
                              "barunya akan membantu petani memprediksi panen.") == []
    assert _last_link_missing("A spokesman for the U.S. Navy said the ship had returned to port.",
                              "Seorang juru bicara Angkatan Laut AS mengatakan kapal itu telah "
                              "kembali ke pelabuhan.") == []


def test_an_acronym_is_not_rendered_by_the_lower_case_word_its_pieces_spell():
    # "ISIS" tokenises as "isi" + "##s": the table's cosine with "isi" (content) is high.
    en = "Investigators found ISIS flags in the house."
    assert _source_covers(en, "Penyelidik menemukan isi rumah itu.")["isis"][0] < 0.5
    cov, where = _source_covers(en, "Penyelidik menemukan bendera ISIS di rumah itu.")["isis"]
    assert cov >= 0.99 and where == "isis"
    assert _last_link_missing(en, "Penyelidik menemukan bendera di rumah itu.") == ["ISIS"]


def test_a_title_an_institution_a_demonym_or_a_gloss_is_no_name_by_its_capital():
    # Capitalised dictionary words next to each other are translated or abbreviated freely.
    assert _last_link_missing("The report was sent to the city's Public Works Department before "
                              "the storm.", "Laporan itu dikirim ke Dinas PU kota sebelum badai.") == []
    assert _last_link_missing("Tourists come to taste Italian food in the old market every "
                              "weekend.", "Wisatawan datang untuk mencicipi kuliner di pasar lama "
                              "setiap akhir pekan.") == []
    words = {w.key: w for w in sentence_words(
        "Shop owners (thank God) said the Public Works Department helped, not Boots.", 0, "en")}
    assert words["boots"].lone and not words["god"].lone
    assert not words["public"].lone and not words["department"].lone
    headline = {w.key: w for w in sentence_words("Flood Toll Rises Above 300 In Coastal Towns", 0, "en")}
    assert not any(w.mid for w in headline.values())


def test_a_name_is_respelt_only_as_a_capitalised_word():
    # A cognate of a name must be written with a capital ("Scotland" / "Skotlandia"), not
    # a lower-case word spelt alike ("Bristol" / "berasal", 0.43).
    assert _source_covers("Many families moved to Scotland after the factory opened.",
                          "Banyak keluarga pindah ke Skotlandia setelah pabrik itu dibuka.")["scotland"][0] >= 0.5
    en = "Many families moved to Bristol after the factory opened."
    assert _source_covers(en, "Banyak keluarga yang berasal dari desa pindah setelah pabrik itu "
                              "dibuka.")["bristol"][0] < 0.3
    assert _last_link_missing(en, "Banyak keluarga yang berasal dari desa pindah setelah pabrik "
                                  "itu dibuka.") == ["Bristol"]


class _NoTable:
    """Word vectors that say nothing (zero rows): only the other evidence renders a word."""

    def matrix(self, words):
        import numpy as np

        return np.zeros((len(words), 4), dtype=np.float32)


def test_a_name_is_rendered_by_a_part_of_a_hyphenated_name():
    # "Ambon (Maluku)" / "Ambon-Maluku": the name is a part of the other side's word.
    from fidelity.partial import word_cover

    src = sentence_words("Boats from Ambon (Maluku) arrived.", 0, "en")
    for ind, rendered in (("Kapal dari Ambon-Maluku tiba.", True), ("Kapal dari Tual-Maluku tiba.", False)):
        cov, where, _, _ = word_cover(src, "en", sentence_words(ind, 0, "id"), "id", _NoTable(), 0.5)
        k = [w.key for w in src].index("ambon")
        assert bool(cov[k] >= 0.5) == rendered


def _plain_words(keys: str, caps: set[str]) -> list:
    """Content words of one sentence (names: the keys in ``caps``)."""
    from fidelity.partial import Word

    words, pos = [], 0
    for k in keys.split():
        words.append(Word(k, pos, pos + len(k), True, k in caps, False, cap=k in caps))
        pos += len(k) + 1
    return words


def test_a_name_in_a_run_joined_across_rendered_words_is_judged_as_its_own_piece():
    # "faster than Vance over the past two days were Marco Ferretti and Luis Ortega": "past"
    # is weak too, so the run joined across "two days" is no name run and no clause; its
    # piece "Marco Ferretti" is a dropped name.
    import numpy as np

    from fidelity.partial import uncovered_spans

    words = _plain_words("riders faster vance past two days marco ferretti luis ortega stars tour",
                         {"vance", "marco", "ferretti", "luis", "ortega"})
    cov = np.array([0.9, 0.9, 1.0, 0.1, 0.9, 0.9, 0.05, 0.05, 1.0, 1.0, 0.9, 0.9])
    where = np.arange(len(words))
    other = np.ones(len(words))  # nothing of the translation left over
    (span,) = uncovered_spans(words, cov, where, other, [0] * len(words), PartialParams())
    assert [w.key for w in span.words] == ["marco", "ferretti"]
    # A piece opening its sentence is a subject a translation may write as a pronoun
    # ("Marco Ferretti, two days later, won ..." / "Dua hari kemudian, dia menang ..."): no span.
    words = _plain_words("marco ferretti two days later won stage", {"marco", "ferretti"})
    cov = np.array([0.05, 0.05, 0.9, 0.9, 0.1, 0.9, 0.9])
    where, other = np.arange(len(words)), np.ones(len(words))
    assert uncovered_spans(words, cov, where, other, [0] * len(words), PartialParams()) == []


def test_a_name_glued_to_a_first_name_rendered_only_for_another_mention_is_dropped():
    # The translation's one "Mark" is Hughes's: "Mark Dawson" has no rendering of its own.
    en = "Mark Hughes crossed the ball to Mark Dawson, who scored from close range."
    assert _last_link_missing(en, "Mark Hughes mengirim umpan silang ke, yang mencetak gol dari "
                                  "jarak dekat.") == ["Dawson"]
    assert _last_link_missing(en, "Mark Hughes mengirim umpan silang ke Mark Dawson, yang "
                                  "mencetak gol dari jarak dekat.") == []
    # Shortened to the surname: a multi-word name rendered in part, as before.
    assert _last_link_missing(en, "Mark Hughes mengirim umpan silang ke Dawson, yang mencetak "
                                  "gol dari jarak dekat.") == []


class _Table:
    """Word vectors given per word (zero for the others)."""

    def __init__(self, rows: dict):
        self.rows = rows

    def matrix(self, words):
        import numpy as np

        return np.array([self.rows.get(w, [0.0, 0.0, 0.0]) for w in words], dtype=np.float32)


def test_a_word_written_the_same_on_both_sides_is_no_other_names_by_the_table():
    # "Kessler host the leaders at the arena in Mauerberg" / "Kessler menjamu ... di arena
    # di, ...": the table puts "Mauerberg" near "Kessler" (0.6), but the translation's
    # "Kessler" is the source's "Kessler".
    from fidelity.partial import _scan, word_cover

    src = _scan("Kessler host the leaders at the new arena in Mauerberg.", 0, "en", set())
    tgt = _scan("Kessler menjamu pemimpin klasemen di arena baru di.", 0, "id", set())
    table = _Table({"kessler": [1.0, 0.0, 0.0], "mauerberg": [0.6, 0.8, 0.0]})
    cov, where, _, _ = word_cover(src, "en", tgt, "id", table, 0.5)
    keys = [w.key for w in src]
    assert cov[keys.index("kessler")] >= 0.99
    assert cov[keys.index("mauerberg")] < 0.5
    # Without the same word on the source side, the table's match stands.
    src = _scan("Rivals host the leaders at the new arena in Mauerberg.", 0, "en", set())
    cov, where, _, _ = word_cover(src, "en", tgt, "id", table, 0.5)
    assert cov[[w.key for w in src].index("mauerberg")] >= 0.5


def test_a_demonym_or_exonym_is_rendered_by_its_established_indonesian_form():
    # "Ivorian" is written "Pantai Gading" (Ivory Coast), "Hague" "Den Haag": no spelling or
    # table evidence links them, the exonym table does; dropped, the name is still missing.
    en = "The Ivorian players trained in Lyon on Tuesday before the final against Senegal."
    kept = "Para pemain Pantai Gading berlatih di Lyon pada hari Selasa sebelum final melawan Senegal."
    assert _last_link_missing(en, kept) == []
    dropped = "Para pemain berlatih di Lyon pada hari Selasa sebelum final melawan Senegal."
    assert _last_link_missing(en, dropped) == ["Ivorian"]


def test_a_title_abbreviation_is_no_name_but_the_name_after_it_is():
    # "Lt. Gen." is abbreviated the Indonesian way ("Letjen"): no word of it is a dropped name;
    # the officer's name itself still is, when the translation leaves it out.
    en = ("Troops and police deployed boats to reach stranded families, said Lt. Gen. Adrian "
          "Velasco, the regional army commander.")
    kept = ("Tentara dan polisi mengerahkan perahu untuk menjangkau keluarga yang terjebak, kata "
            "Letjen Adrian Velasco, komandan militer wilayah itu.")
    assert _last_link_missing(en, kept) == []
    dropped = ("Tentara dan polisi mengerahkan perahu untuk menjangkau keluarga yang terjebak, kata "
               "Letjen, komandan militer wilayah itu.")
    assert _last_link_missing(en, dropped) == ["Gen. Adrian Velasco"]


def test_a_dotted_abbreviation_finds_its_exonym():
    # "U.S." is "AS" by the exonym table, whose keys are written without dots.
    en = "The rupiah recovered on Thursday from a long slide against the U.S. dollar."
    assert _last_link_missing(en, "Rupiah pulih pada hari Kamis dari pelemahan panjang terhadap "
                                  "dolar AS.") == []
