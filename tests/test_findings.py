"""Drift checks, passages and the verdict, on hand-written English/Indonesian news sentences."""

from __future__ import annotations

import pytest

from fidelity.categories import categorize, is_boilerplate, is_byline, is_credit, title_lines
from fidelity.features import normalize_number, numbers
from fidelity.findings import FindingParams, find, name_drift, number_drift
from fidelity.types import Document, Link, Sentence


def doc(paragraphs: list[list[str]], lang: str) -> Document:
    """A Document from paragraphs of sentences, offsets into the joined text."""
    text, sents = "", []
    for p, para in enumerate(paragraphs):
        if text:
            text += "\n\n"
        for k, s in enumerate(para):
            if k:
                text += " "
            sents.append(Sentence(len(sents), s, p, len(text), len(text) + len(s)))
            text += s
    return Document(text, lang, sents)


@pytest.mark.parametrize("en,idn", [
    ("1,200 people", "1.200 orang"),
    ("3.5 percent", "3,5 persen"),
    ("$1.2 billion", "US$1,2 miliar"),
    ("at 10 a.m.", "pukul 10.00"),
])
def test_numbers_normalise_across_conventions(en: str, idn: str) -> None:
    assert numbers(en, "en") == numbers(idn, "id")


def test_normalize_number_keeps_distinct_values_distinct() -> None:
    assert normalize_number("52", "en") != normalize_number("25", "id")
    assert normalize_number("1.5", "en") != normalize_number("15", "en")


def test_changed_number_is_drift() -> None:
    en = "When 52 Americans were taken hostage in 1979, the embassy was closed."
    idn = "Ketika 25 orang Amerika disandera pada 1979, kedutaan ditutup."
    assert number_drift(en, idn, "en", "id") == ["number changed: 52 -> 25"]
    ok = "Ketika 52 orang Amerika disandera pada 1979, kedutaan ditutup."
    assert number_drift(en, ok, "en", "id") == []


def test_dropped_big_number_is_reported_but_small_spelled_number_is_not() -> None:
    assert number_drift("The storm killed 140 people.", "Badai itu menewaskan banyak orang.", "en", "id")
    assert number_drift("He has 2 children.", "Dia punya dua anak.", "en", "id") == []


def test_place_replaced_by_another_place_is_drift() -> None:
    en = "Federal prosecutors in Brooklyn said last week that the plotters had discussed a plan."
    idn = "Jaksa federal di Chicago mengatakan pekan lalu bahwa komplotan itu membahas sebuah rencana."
    msgs = name_drift(en, idn, "en", "id")
    assert msgs and "Brooklyn" in msgs[0] and "Chicago" in msgs[0]


def test_misspelled_name_is_drift() -> None:
    en = "The talks were led by Ambassador Farid Mansouri at a secret location."
    idn = "Pembicaraan itu dipimpin oleh Duta Besar Farid Mansuori di lokasi rahasia."
    msgs = name_drift(en, idn, "en", "id")
    assert msgs == ["name spelled differently: Mansouri -> Mansuori"]


def test_established_indonesian_names_are_not_drift() -> None:
    en = "The United States and Iran met in Tehran, the United Nations said."
    idn = "AS dan Iran bertemu di Teheran, kata PBB."
    assert name_drift(en, idn, "en", "id") == []
    en2 = "Iranian officials told the Secret Service about the plot."
    idn2 = "Para pejabat Iran memberi tahu Dinas Rahasia tentang rencana itu."
    assert name_drift(en2, idn2, "en", "id") == []


def test_boilerplate_credit_byline_rules() -> None:
    for line in ["Advertisement", "SKIP ADVERTISEMENT", "Memuat", "Baca juga: Banjir di Jakarta",
                 "flood-waters-rise-in-jakarta-as-rain-continues", "Image",
                 "This article originally appeared in The Guardian.",
                 "Artikel ini pertama kali tayang di Harian Kompas."]:
        assert is_boilerplate(line), line
    for line in ["The flood reached the city centre.", "Banjir mencapai pusat kota."]:
        assert not is_boilerplate(line), line
    assert is_credit("Credit…Dita Alangkara/Associated Press")
    assert is_credit("Photo: Reuters")
    assert not is_credit("The photo was taken on Monday by a resident.")
    assert is_byline("Maria Lopez covers climate and energy for The Times.")
    assert is_byline("More about Maria Lopez")
    assert is_byline("Reporting by Ahmad Yusuf; Editing by Jane Cole")
    assert not is_byline("The minister covers the costs of the programme.")


def _page() -> Document:
    return doc([
        ["floods-hit-jakarta-again"],
        ["Floods Hit Jakarta Again"],
        ["Advertisement"],
        ["Thousands of residents fled their homes as rivers burst their banks on Sunday."],
        ["Residents wading through water."],
        ["A street in East Jakarta on Sunday.", "Credit…Dita Alangkara/Associated Press"],
        ["Heavy rain fell for 14 hours, officials said.", "More than 1,200 people were moved to shelters."],
        ["The city has spent $1.2 billion on flood defences since 2015."],
        ["Maria Lopez covers Southeast Asia for The Times.", "She is based in Jakarta.", "More about Maria Lopez"],
    ], "en")


def test_title_lines_are_headlines_and_subheads_anywhere_on_the_page() -> None:
    page = doc([["Banjir Rendam Kota Cebu"], ["Advertisement"],
                ["Hujan deras merendam kota.", "Ribuan warga mengungsi."],
                ["Evakuasi Terus Berlangsung"], ["Warga mengungsi ke sekolah."],
                ["\u201cKami kehilangan segalanya,\u201d kata seorang warga."],
                ["Apa yang terjadi selanjutnya?"]], "id")
    assert title_lines(page) == [True, False, False, False, True, False, False, False]


def test_categorize_a_scraped_page() -> None:
    d = _page()
    cats = categorize(d)
    by_text = {s.text: c for s, c in zip(d.sentences, cats)}
    assert by_text["floods-hit-jakarta-again"] == "boilerplate"
    assert by_text["Floods Hit Jakarta Again"] == "headline"
    assert by_text["Advertisement"] == "boilerplate"
    assert by_text["Thousands of residents fled their homes as rivers burst their banks on Sunday."] == "headline"
    assert by_text["Residents wading through water."] == "caption"
    assert by_text["A street in East Jakarta on Sunday."] == "caption"
    assert by_text["Credit…Dita Alangkara/Associated Press"] == "credit"
    assert by_text["Heavy rain fell for 14 hours, officials said."] == "body"
    assert by_text["She is based in Jakarta."] == "byline"


def test_find_omissions_additions_and_drift() -> None:
    src = _page()
    tgt = doc([
        ["Hujan deras turun selama 14 jam, kata para pejabat.", "Lebih dari 1.200 orang dipindahkan ke tempat penampungan."],
        ["Memuat"],
        ["Kota itu telah menghabiskan US$2,1 miliar untuk pertahanan banjir sejak 2015."],
    ], "id")
    links = [Link((i,), ()) for i in range(7)] + [
        Link((7,), (0,), 0.3), Link((8,), (1,), 0.3), Link((), (2,)), Link((9,), (3,), 0.25),
    ] + [Link((i,), ()) for i in range(10, 13)]
    findings, summary = find(src, tgt, links, params=FindingParams())
    kinds = [(f.type, f.category) for f in findings]
    assert ("omission", "headline") in kinds
    assert ("omission", "caption") in kinds
    assert ("omission", "credit") in kinds
    assert ("omission", "byline") in kinds
    assert ("addition", "boilerplate") in kinds
    assert ("drift", "body") in kinds
    assert not any(f.type == "omission" and f.category == "boilerplate" for f in findings)
    drift = next(f for f in findings if f.type == "drift")
    assert "1.2 -> 2.1" in drift.message
    assert summary.verdict == "issues"
    assert summary.omissions == sum(1 for f in findings if f.type == "omission")
    # The addition sits after the source sentence aligned before it.
    order = [f.type for f in findings]
    assert order.index("addition") > order.index("omission")


def test_verdicts() -> None:
    src = doc([["The river rose by two metres overnight."], ["Schools were closed."]], "en")
    tgt = doc([["Sungai naik dua meter dalam semalam."], ["Sekolah-sekolah ditutup."]], "id")
    _, summary = find(src, tgt, [Link((0,), (0,), 0.3), Link((1,), (1,), 0.3)])
    assert summary.verdict == "faithful" and summary.source_coverage == 1.0
    _, summary = find(src, tgt, [Link((0,), ()), Link((1,), ()), Link((), (0,)), Link((), (1,))])
    assert summary.verdict == "unrelated" and summary.target_coverage == 0.0


def test_name_put_in_place_of_an_ordinary_word_is_drift() -> None:
    en = "Inspectors examined the Sentinel aircraft, which appeared undamaged."
    idn = "Para pemeriksa memeriksa pesawat Kandahar, yang tampak tidak rusak."
    assert name_drift(en, idn, "en", "id") == ["name not in source: Kandahar"]
    # Titles and acronyms the translation adds are not names put in place.
    idn_ok = "Para pemeriksa dari TNI memeriksa pesawat Sentinel, kata Letjen Budi."
    assert not any("Letjen" in m or "TNI" in m for m in name_drift(en, idn_ok, "en", "id"))


@pytest.mark.parametrize("en,idn,expected", [
    # Headlines: every word has a capital, so only words that are no ordinary word count.
    ("Flood Hits 40 Homes in Pekojan", "Banjir Rendam 40 Rumah di Xinhua", "name changed: Pekojan -> Xinhua"),
    # The same wrong name twice is one change.
    ("Soldiers stationed overseas must take a polygraph test when they come back to Taiwan.",
     "Tentara yang bertugas di luar negeri harus menjalani tes poligraf ketika kembali ke Barrett, "
     "kata pejabat Barrett.", "name changed: Taiwan -> Barrett"),
    # Several unexplained names: the one at the same place in the sentence pairs up.
    ("Head of Tebet Sub-District, Hendra Wijaya, said 12 RTs were flooded on Tuesday.",
     "Camat Tebet, Cililitan Wijaya mengatakan, 12 RT terendam banjir pada Selasa.",
     "name changed: Hendra -> Cililitan"),
    # A name replaced by a capitalised ordinary word.
    ("Since then President Putin has signed harsh new laws against street protests.",
     "Sejak itu Lord telah menandatangani undang-undang baru yang keras terhadap unjuk rasa jalanan.",
     "name changed: Putin -> Lord"),
    # ... also beside a capitalised ordinary word the source translates ("Kota" / "City"):
    # the word lexicon tells the translated word from the name put in the name's place.
    ("Three people died when a bridge collapsed in Bantul City on Monday, officials said.",
     "Tiga orang tewas ketika sebuah jembatan ambruk di Kota Jakarta pada Senin, kata para pejabat.",
     "name changed: Bantul -> Jakarta"),
    # Places in the sentence are found for whole words ("Olympic" is not inside "Olympics").
    ("The widow of an athlete killed at the Munich Olympics in 1972 has criticised the "
     "International Olympic Committee again.",
     "Janda seorang atlet yang tewas di Olimpiade Tottenham 1972 kembali mengkritik Komite "
     "Olimpiade Internasional.", "name changed: Munich -> Tottenham"),
    # A one-word name replaced by an acronym in its place (an acronym stands for several words).
    ("The plane was diverted to Surabaya after the storm, the airline said.",
     "Pesawat itu dialihkan ke BPBD setelah badai, kata maskapai.", "name changed: Surabaya -> BPBD"),
    # A compass word of an established form explains only the compass word ("Selatan" is
    # not "Korea").
    ("The typhoon passed over South Korea on Sunday, killing nine people.",
     "Topan itu melintasi Vietnam Selatan pada Minggu, menewaskan sembilan orang.",
     "name changed: Korea -> Vietnam"),
    # A name mentioned again in short is one name ("Pak Darmo Suwito ... Darmo's").
    ("Customers of the Pak Darmo Suwito stall say they come back for Darmo's noodles.",
     "Para pelanggan mengaku selalu kembali untuk mi buatan Hartono itu.",
     "name changed: Darmo Suwito -> Hartono"),
    # ... also when another source name is unexplained, far from the acronym's place.
    ("The plane was diverted to Surabaya after the storm, hours before the Passover holiday.",
     "Pesawat itu dialihkan ke BPBD setelah badai, beberapa jam sebelum libur Paskah.",
     "name changed: Surabaya -> BPBD"),
])
def test_name_changes_in_harder_places(en: str, idn: str, expected: str) -> None:
    assert name_drift(en, idn, "en", "id") == [expected]


@pytest.mark.parametrize("en,idn", [
    ("Flood Hits 40 Homes in Pekojan", "Banjir Rendam 40 Rumah di Pekojan"),
    ("Head of Tebet Sub-District, Hendra Wijaya, said 12 RTs were flooded on Tuesday.",
     "Camat Tebet, Hendra Wijaya mengatakan, 12 RT terendam banjir pada Selasa."),
    ("Since then President Putin has signed harsh new laws against street protests.",
     "Sejak itu Presiden Putin telah menandatangani undang-undang baru yang keras terhadap unjuk rasa jalanan."),
    # The local form of a name is an ordinary Indonesian word, not a change.
    ("The dictator was executed after the revolution in Romania in 1989.",
     "Diktator itu dieksekusi setelah revolusi di Rumania pada 1989."),
    # A headline rewritten with other ordinary words is no name drift.
    ("Storm Closes Schools Across Pekojan", "Badai, Sekolah di Pekojan Diliburkan"),
    ("Three people died when a bridge collapsed in Bantul City on Monday, officials said.",
     "Tiga orang tewas ketika sebuah jembatan ambruk di Kota Bantul pada Senin, kata para pejabat."),
    ("The typhoon passed over South Korea on Sunday, killing nine people.",
     "Topan itu melintasi Korea Selatan pada Minggu, menewaskan sembilan orang."),
    ("Aid reached North Korea through the World Health Organization.",
     "Bantuan sampai ke Korut melalui Organisasi Kesehatan Dunia (WHO)."),
    # A name the translation leaves out, and an acronym it adds elsewhere in the sentence.
    ("According to Wulandari, the extra wages will be paid by the end of the month.",
     "Menurutnya, tambahan upah itu akan dibayar DKI pada akhir bulan."),
])
def test_faithful_names_in_the_same_places_are_not_drift(en: str, idn: str) -> None:
    assert name_drift(en, idn, "en", "id") == []


@pytest.mark.parametrize("line,expected", [
    ("Scroll untuk melanjutkan membaca", True),
    ("SCROLL TO CONTINUE WITH CONTENT", True),
    ("Gulir ke bawah untuk melanjutkan", True),
    ("Lanjutkan membaca artikel di bawah", True),
    # A sentence that merely starts like one is body text.
    ("Scroll untuk melanjutkan, kata dia, karena jalan itu sudah ditutup polisi sejak pagi tadi.", False),
    # Entries that end a line of the furniture list match too.
    ("Read more", True), ("Sponsored content", True), ("Dengarkan artikel ini", True),
    # Blog and news-site furniture.
    ("Leave a Reply", True), ("View all posts by Sofia Martinez \u2192", True), ("2 mins read", True),
    ("___", True), ("Original Source: www.cbsnews.com", True), ("Sumber: kompas.com", True),
    ("The source said 2 minutes passed before the blast.", False),
    # Calls to follow the outlet on another channel.
    ("Simak berita lainnya di Google News", True),
    ("Ikuti kami di WhatsApp Channel untuk update berita terbaru.", True),
    ("Follow us on Google News", True),
    ("Download aplikasi Kompas.com untuk berita pilihan", True),
    ("Simak pernyataan lengkap sang menteri di kanal YouTube kementerian, yang diunggah pada Senin "
     "malam setelah rapat kabinet. Ia menolak mundur.", False),
    ("Ikuti perintah petugas, kata Kapolres, karena jalur itu ditutup.", False),
])
def test_scroll_to_continue_lines_are_boilerplate(line: str, expected: bool) -> None:
    assert is_boilerplate(line) is expected


@pytest.mark.parametrize("en,idn", [
    ("We had to close the ticket counter at 1 PM, she said.", "Kami terpaksa menutup loket pukul 13.00, katanya."),
    ("The talks start at 10:30 a.m. on Monday.", "Pembicaraan dimulai pukul 10.30 WIB pada Senin."),
    ("Voting ends at 7 p.m. in most states.", "Pemungutan suara berakhir pukul 19.00 di sebagian besar negara bagian."),
])
def test_twelve_hour_times_match_the_24_hour_clock(en: str, idn: str) -> None:
    assert number_drift(en, idn, "en", "id") == []


def test_a_changed_clock_time_is_still_drift() -> None:
    msgs = number_drift("Voting ends at 7 p.m. in most states.",
                        "Pemungutan suara berakhir pukul 17.00 di sebagian besar negara bagian.", "en", "id")
    assert msgs == ["number changed: 19 -> 17"]
