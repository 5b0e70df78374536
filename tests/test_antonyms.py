"""The antonym rules (:mod:`fidelity.rules.antonyms`) and the build of their tables, on sentences
written for these tests (news-like, each with a faithful translation and one with a word turned
into its opposite)."""

from __future__ import annotations

import re

import pytest

from fidelity.rules import LinkText, SideText
from fidelity.rules.antonyms import (_broken_measure, _foreign_preposition, _lexicon_says, _negative_affix, _pair_words,
                                     antonym_changes, failed_events, id_english, id_table, opposite_words, phrases,
                                     turned_directions, unidiomatic_words)
from models.build_wordlists import _joined, _nasal, derived_pairs


def link(en: str, idn: str) -> LinkText:
    return LinkText(SideText(en, "en"), SideText(idn, "id"))


def pairs(changes) -> list[tuple[str, str]]:
    return [(c.source, c.target) for c in changes]


REVERSED = [
    # a verb derived from a pair ("menaikkan"/"menurunkan") and a comparative ("higher" says "lebih")
    ("The central bank raised interest rates for the third time this year.",
     "Bank sentral menurunkan suku bunga untuk ketiga kalinya tahun ini.", ("raised", "menurunkan")),
    ("Exports were higher than expected in March.",
     "Ekspor kurang tinggi dari perkiraan pada bulan Maret.", ("higher", "kurang")),
    ("The shop opened its doors before dawn.", "Toko itu menutup pintunya sebelum fajar.", ("opened", "menutup")),
    ("The shop opened its doors before dawn.", "Toko itu membuka pintunya setelah fajar.", ("before", "setelah")),
    ("The company posted its largest loss in a decade.",
     "Perusahaan itu membukukan kerugian terkecil dalam satu dekade.", ("largest", "terkecil")),
    # a pair joined from WordNet's adjective antonyms ("wide"/"narrow" -> "lebar"/"sempit")
    ("The new road is wide and safe.", "Jalan baru itu sempit dan aman.", ("wide", "sempit")),
    ("Fewer tourists came this summer.", "Lebih banyak wisatawan datang musim panas ini.", ("Fewer", "banyak")),
    # "in" as an adverb says "masuk"; "in" as a preposition says nothing of it
    ("Shoppers were let back in after the fire alarm stopped.",
     "Para pembeli diizinkan keluar kembali setelah alarm kebakaran berhenti.", ("in", "keluar")),
    # word order differs: the curated word may stand anywhere in the sentence
    ("It is not the first time the bridge has been closed.",
     "Jembatan itu ditutup, dan ini bukan kali terakhir.", ("first", "terakhir")),
    # negated alike on both sides, a few words back: still a reversal
    ("The government said it would not accept the offer.",
     "Pemerintah mengatakan tidak akan menolak tawaran itu.", ("accept", "menolak")),
    # a clitic form counts, but a word written beside it still has to be said
    ("Sales rose for the first time this year.",
     "Penjualan naik untuk terakhir kalinya tahun ini.", ("first", "terakhir")),
    # "leaves" says "keluar" (a curated cue)
    ("If the country leaves the union without a deal, trade will suffer.",
     "Jika negara itu masuk ke serikat tanpa kesepakatan, perdagangan akan terganggu.", ("leaves", "masuk")),
    # a comparison kept in its order: "slower than" rendered "lebih cepat dibanding" is reversed
    ("Families are struggling, because the increase in salaries is slower than the increase of food prices.",
     "Keluarga kesulitan, karena kenaikan gaji lebih cepat dibanding kenaikan harga makanan.", ("slower", "cepat")),
    # "baru" as an adjective after its noun is still "new"
    ("The city opened an old bridge on Monday.", "Kota itu membuka jembatan baru pada hari Senin.", ("old", "baru")),
    # an adjective the lexicon gives for a pair word, the token table agreeing ("wide" / "jauh")
    ("The shot from the edge of the box went wide.", "Tembakan dari tepi kotak penalti melenceng dekat.",
     ("wide", "dekat")),
    # "tidak lama setelah" ("shortly after") negates "lama", not "setelah": "setelah" is said once
    ("She was born shortly after the war ended, before the city was rebuilt.",
     "Ia lahir tidak lama setelah perang berakhir, setelah kota itu dibangun kembali.", ("before", "setelah")),
    # curated cues: a comparative of "long" says "panjang", "top" says "tinggi"
    ("The company plans to cut costs in the longer term.",
     "Perusahaan itu berencana memangkas biaya dalam jangka pendek.", ("longer", "pendek")),
    ("Top officials met on Monday to discuss the budget.",
     "Para pejabat rendah bertemu pada hari Senin untuk membahas anggaran.", ("Top", "rendah")),
    # "in" before "to" is an adverb ("slid in to block"); "away" after a span of time is "before"
    ("The defender slid in to block the shot.", "Bek itu meluncur keluar untuk memblok tembakan.", ("in", "keluar")),
    ("Five weeks away from the election, the party is divided.",
     "Lima minggu setelah pemilihan, partai itu terpecah.", ("away", "setelah")),
]


@pytest.mark.parametrize("en, idn, expected", REVERSED)
def test_a_word_turned_into_its_opposite_is_found(en: str, idn: str, expected: tuple[str, str]) -> None:
    assert pairs(antonym_changes(link(en, idn))) == [expected]


FAITHFUL = [
    ("The central bank raised interest rates for the third time this year.",
     "Bank sentral menaikkan suku bunga untuk ketiga kalinya tahun ini."),
    ("Exports were higher than expected in March.", "Ekspor lebih tinggi dari perkiraan pada bulan Maret."),
    ("Oil prices fell sharply on Monday.", "Harga minyak turun tajam pada hari Senin."),
    # negated on both sides
    ("Sales did not rise in the second quarter.", "Penjualan tidak naik pada kuartal kedua."),
    # idioms that hold a pair word the source does not say
    ("The minister is one of the most senior officials in the cabinet.",
     "Menteri itu adalah salah satu pejabat paling senior di kabinet."),
    ("The ambassador met the foreign minister in Jakarta on Tuesday.",
     "Duta Besar itu bertemu menteri luar negeri di Jakarta pada hari Selasa."),
    ("The players really wanted to win at home.", "Para pemain benar-benar ingin menang di kandang."),
    # a reduplication of opposites the source says both halves of
    ("The market had its ups and downs this week.", "Pasar mengalami naik-turun minggu ini."),
    # both words of a pair, each said by the source
    ("Prices rose in the north and fell in the south.", "Harga naik di utara dan turun di selatan."),
    ("Shoppers were let back in after the fire alarm stopped.",
     "Para pembeli diizinkan masuk kembali setelah alarm kebakaran berhenti."),
    # a verb made a noun is not the verb: "start-up" says nothing of "memulai"
    ("The start-up's collapse ended a decade of rapid growth.",
     "Runtuhnya perusahaan rintisan itu mengakhiri satu dekade pertumbuhan pesat."),
    # "rise" is the nearer "meningkat"; the "naik" at the other end renders "climbed"
    ("Sales rise as shoppers return, while the share price climbed.",
     "Penjualan meningkat seiring kembalinya pembeli, sementara harga saham naik."),
    # a free rendering of an unsaid word, its opposite said nowhere near
    ("The minister left the meeting early.", "Menteri itu meninggalkan rapat lebih awal."),
    # a negation a few words back ("tidak lagi", "tak pernah") renders a negative source word
    ("Officials said the water from the old well is unsafe to drink.",
     "Pejabat mengatakan air dari sumur tua itu tidak lagi aman untuk diminum."),
    ("There were few buyers at first, but now many people come.",
     "Awalnya nggak banyak pembeli, tapi sekarang banyak orang datang."),
    # a clitic form is the word: "pertamanya" renders "first"; "N tahun terakhir" is "the past N years"
    ("It is the band's first concert in almost twenty years.",
     "Ini adalah konser pertamanya selama hampir dua puluh tahun terakhir."),
    # "baru" before a verb or a number is the adverb "just", not "new"
    ("The puppy, only a week old, was found by a passer-by.",
     "Anak anjing yang baru berumur satu minggu itu ditemukan oleh seorang pejalan kaki."),
    ("The stock should last the shop until the end of the year.",
     "Persediaan toko itu baru akan habis pada akhir tahun."),
    # the word itself rendered by a derived form ("release" / "pembebasan"), not by "ditangkap"
    ("The families demanded the release of ten sailors who were seized by the navy.",
     "Keluarga menuntut pembebasan sepuluh pelaut yang ditangkap angkatan laut."),
    # a word qualified by a negation after it, a small amount or a breach has the other meaning
    ("The minister said the new rules are unlikely to be adopted.",
     "Menteri mengatakan aturan baru itu kemungkinan tidak akan diterapkan."),
    ("Officials said it is highly unlikely that the missing plane will be found.",
     "Pejabat mengatakan kecil kemungkinan pesawat yang hilang itu akan ditemukan."),
    ("The court ruled that the company had acted illegally.",
     "Pengadilan memutuskan bahwa perusahaan itu telah melanggar hukum."),
    # a comparative marker goes with its adjective ("tougher" / "lebih keras"), whatever "raised" is
    ("The report has raised calls for tougher rules on banks.",
     "Laporan itu memunculkan seruan aturan yang lebih keras bagi bank."),
    # "less W" rendered as "lebih" and the opposite of W: one comparative, both parts turned
    ("Women who exercise every day are less likely to fall ill, the study suggests.",
     "Studi itu menunjukkan wanita yang berolahraga setiap hari memiliki kemungkinan lebih kecil untuk jatuh sakit."),
    # "freed" says "dibebaskan" (a curated cue): "jail" further on reverses nothing
    ("It is not clear how many prisoners are among those being freed; many remain in jail.",
     "Belum jelas berapa jumlah tahanan yang turut dibebaskan."),
    # a negated word whose opposite a plain source word says weakly: read alike, no reversal
    ("The rest of the holes will be patched gradually, the mayor said.",
     "Sisa lubang itu akan ditambal agar tidak bertambah banyak, kata wali kota."),
    # a comparative marker goes with any adjective, and aspect words and verbs with either word
    # of a pair: "kurang baik", "sudah mulai bekerja" break no fixed phrase
    ("Any negative image of the club has an effect on young fans.",
     "Citra klub yang kurang baik berpengaruh pada penggemar muda."),
    ("The shops in the old market have reopened.", "Toko-toko di pasar lama sudah mulai bekerja lagi."),
    # the same comparison stated from the other side: "prices rise faster than salaries"
    ("Families are struggling, because the increase in salaries is slower than the increase of food prices.",
     "Keluarga kesulitan, karena kenaikan harga makanan lebih cepat dibanding gaji."),
    # a reporting verb after a quote and the modal "better" say no word of a pair
    ("The residents have gone back to work as usual,\" he finished.",
     "Warga juga sudah mulai bekerja seperti biasa,\" ujarnya."),
    ("\"If the staff complain about their pay, they better work elsewhere,\" the mayor said.",
     "\"Kalau staf mengeluh gajinya kurang, silakan kerja di tempat lain,\" kata wali kota."),
    # a common preposition far from the word says nothing of it ("into" / "keluar")
    ("The workers were pushed into a small room that had no window to the yard.",
     "Para pekerja dijejalkan ke sebuah ruangan kecil yang tidak punya jendela, tak ada jalan keluar."),
    # the renderings of the reversals added last to REVERSED
    ("The shot from the edge of the box went wide.", "Tembakan dari tepi kotak penalti melenceng jauh."),
    ("She was born shortly after the war ended, before the city was rebuilt.",
     "Ia lahir tidak lama setelah perang berakhir, sebelum kota itu dibangun kembali."),
    ("The company plans to cut costs in the longer term.",
     "Perusahaan itu berencana memangkas biaya dalam jangka panjang."),
    ("Top officials met on Monday to discuss the budget.",
     "Para pejabat tinggi bertemu pada hari Senin untuk membahas anggaran."),
    ("The defender slid in to block the shot.", "Bek itu meluncur masuk untuk memblok tembakan."),
    ("Five weeks away from the election, the party is divided.", "Lima minggu sebelum pemilihan, partai itu terpecah."),
    # "away" with no span of time says nothing; a negation read alike on both sides
    ("The thief ran away after the match.", "Pencuri itu kabur setelah pertandingan."),
    ("It was not long after the storm that the road reopened.", "Tidak lama setelah badai, jalan itu dibuka kembali."),
    # the lexicon's phrases kept, or their opposite said by the source ("early in the week")
    ("The name is written with or without a hyphen and capitals.",
     "Nama itu ditulis dengan atau tanpa tanda hubung dan huruf besar."),
    ("The museum will be closed early in the week, not over the weekend.",
     "Museum itu akan ditutup pada awal pekan, bukan pada akhir pekan."),
    # the correlative kept, and "maupun" alone ("as well as") with no English correlative
    ("Both farmers and fishermen were hit by the storm.", "Baik petani maupun nelayan terdampak badai itu."),
    ("Prices fell for farmers as well as fishermen.", "Harga turun bagi petani maupun nelayan."),
    # a negated verb's reach goes on to the word after it ("tidak bertambah banyak")
    ("The potholes were patched so that they would not grow in number.",
     "Lubang jalan ditambal agar tidak bertambah banyak."),
]


@pytest.mark.parametrize("en, idn", FAITHFUL)
def test_faithful_renderings_are_not_reversals(en: str, idn: str) -> None:
    assert antonym_changes(link(en, idn)) == []


def test_a_word_written_more_often_than_the_source_says_it_is_the_one_reversed() -> None:
    # "north" once and "south" once in the source; "selatan" twice in the translation
    en = "The storm moved north on Monday and turned south of the capital on Tuesday."
    idn = "Badai itu bergerak ke selatan pada hari Senin dan berbelok ke selatan ibu kota pada hari Selasa."
    (c,) = opposite_words(link(en, idn))
    assert (c.source, c.target) == ("north", "selatan")
    assert c.target_spans == ((idn.index("selatan"), idn.index("selatan") + len("selatan")),)


@pytest.mark.parametrize("en, idn, expected", [
    ("The ambassador met the foreign minister in Jakarta on Tuesday.",
     "Duta Kecil itu bertemu menteri luar negeri di Jakarta pada hari Selasa.", "Kecil"),
    ("The minister is one of the most senior officials in the cabinet.",
     "Menteri itu adalah benar satu pejabat paling senior di kabinet.", "benar"),
    ("The players really wanted to win at home.", "Para pemain benar-salah ingin menang di kandang.", "salah"),
    # a phrase the lexicon gives for a source word, its pair word turned ("capitals" -> "huruf besar")
    ("The name is written with or without a hyphen and capitals.",
     "Nama itu ditulis dengan atau tanpa tanda hubung dan huruf kecil.", "kecil"),
    ("The museum will be closed over the weekend.", "Museum itu akan ditutup selama awal pekan.", "awal"),
    # a correlative the source has: "both X and Y" is "baik X maupun Y"
    ("Both farmers and fishermen were hit by the storm.", "Buruk petani maupun nelayan terdampak badai itu.", "Buruk"),
])
def test_a_broken_fixed_phrase_or_reduplication_is_a_reversal(en: str, idn: str, expected: str) -> None:
    changes = unidiomatic_words(link(en, idn))
    assert [c.target for c in changes] == [expected]
    (span,) = changes[0].target_spans
    assert idn[span[0]:span[1]] == expected


def test_the_shipped_table_has_joined_and_derived_pairs() -> None:
    table = id_table()
    assert "turun" in table["naik"] and "naik" in table["turun"]
    assert "sempit" in table["lebar"]  # WordNet: wide/narrow
    assert "terendah" in table["tertinggi"] and "menutup" in table["membuka"]  # affix frames


def test_the_shipped_table_joins_lexicon_adjectives_but_keeps_curated_words_to_their_own() -> None:
    english, curated = id_english(), id_english(curated=True)
    assert "wide" in english["jauh"] and "wide" not in curated["jauh"]  # lexicon, token table 0.58
    assert "large" in curated["besar"] and "large" not in english["banyak"]  # curated for "besar" only
    assert not english["dekat"] & english["jauh"]  # no word says both words of a pair
    assert "capital" in phrases()[("huruf", "besar")] and "weekend" in phrases()[("akhir", "pekan")]


def test_a_joined_pair_comes_from_senses_of_one_part_of_speech() -> None:
    # WordNet's adjectives "top"/"bottom"/"side" are antonyms; the nouns "dasar" (bottom) and
    # "sebelah" (side) are no opposites
    lexicon = {"bottom": {"dasar": {"n"}, "bawah": {"a", "n"}}, "side": {"sebelah": {"n"}, "sisi": {"n"}}}
    backed = {"bottom": {"dasar", "bawah"}, "side": {"sebelah", "sisi"}}
    assert _joined(backed, lexicon, "bottom", {"a"}) == {"bawah"}
    assert _joined(backed, lexicon, "side", {"a"}) == set()
    table = id_table()
    assert not {"sebelah", "sisi", "top"} & table.get("dasar", frozenset())
    assert "top" not in table.get("sebelah", frozenset())


SAID_BY = [
    # (source, translation with a word reversed, faithful translation, the reversal found)
    # the shipped lexicon ties a word the curated English lacks to a pair word ("bolster" ->
    # "mendukung"; "eventual" by its adverb "eventually" -> "akhirnya")
    ("Officials hope lower taxes will help the region bolster its tourism industry.",
     "Para pejabat berharap pajak yang lebih rendah akan membantu wilayah itu menentang industri pariwisatanya.",
     "Para pejabat berharap pajak yang lebih rendah akan membantu wilayah itu mendukung industri pariwisatanya.",
     ("bolster", "menentang")),
    ("Fans were proud of the club's eventual promotion to the top flight.",
     "Para penggemar bangga dengan awal promosi klub itu ke kasta tertinggi.",
     "Para penggemar bangga dengan promosi klub itu ke kasta tertinggi pada akhirnya.",
     ("eventual", "awal")),
    # "much" in "much-needed" is "sangat", not "banyak": the "banyak" written reverses "some"
    ("The rain brought some much-needed relief to farmers in the south.",
     "Hujan membawa banyak kelegaan yang sangat dibutuhkan bagi petani di selatan.",
     "Hujan membawa sedikit kelegaan yang sangat dibutuhkan bagi petani di selatan.",
     ("some", "banyak")),
    # an "under-" participle is "kurang X": "lebih X" reverses it
    ("Critics say the city's public schools are badly underfunded.",
     "Para kritikus mengatakan sekolah-sekolah negeri di kota itu sangat lebih didanai.",
     None,
     ("underfunded", "lebih")),
    ("The engine felt underpowered on the steep climbs.",
     "Mesinnya terasa lebih bertenaga di tanjakan yang curam.",
     "Mesinnya terasa kurang bertenaga di tanjakan yang curam.",
     ("underpowered", "lebih")),
    # "into" stands far from "masuk": it says that "masuk" no more than it says an opposite far off
    ("The keeper pushed the shot into the side netting and then limped out of the area.",
     "Kiper menepis tembakan ke arah sisi gawang lalu berjalan tertatih-tatih masuk dari area penalti.",
     "Kiper menepis tembakan ke arah sisi gawang lalu berjalan tertatih-tatih keluar dari area penalti.",
     ("out", "masuk")),
    ("Protesters marched into the square and were later led out of the city by police.",
     "Para pengunjuk rasa berbaris menuju alun-alun dan kemudian digiring masuk dari kota oleh polisi.",
     None,
     ("out", "masuk")),
    # "more" of a quantity is "lebih banyak": "lebih sedikit" reverses it
    ("The government promised more money for rural schools next year.",
     "Pemerintah menjanjikan dana lebih sedikit untuk sekolah-sekolah di pedesaan tahun depan.",
     "Pemerintah menjanjikan dana lebih banyak untuk sekolah-sekolah di pedesaan tahun depan.",
     ("more", "sedikit")),
    ("The union wants more time to study the offer.",
     "Serikat pekerja menginginkan waktu lebih sedikit untuk mempelajari tawaran itu.",
     None,
     ("more", "sedikit")),
    # a pair word right after a negation, weighed against a source word negated alike
    ("Hundreds of families live not far from the volcano.",
     "Ratusan keluarga tinggal tidak dekat dari gunung berapi itu.",
     "Ratusan keluarga tinggal tidak jauh dari gunung berapi itu.",
     ("far", "dekat")),
    ("Many residents have not received the new cards yet.",
     "Banyak warga belum menolak kartu baru tersebut.",
     None,
     ("received", "menolak")),
    ("Oil prices fell on Monday.",
     None,
     "Harga minyak tidak naik pada hari Senin.",
     None),
    # an English negation reaches no word past a comma ...
    ("No wonder, long queues formed outside the stadium before the match.",
     "Tak heran, antrean pendek terbentuk di luar stadion sebelum pertandingan.",
     "Tak heran, antrean panjang terbentuk di luar stadion sebelum pertandingan.",
     ("long", "pendek")),
    # ... nor past a word that opens a clause
    ("It is not clear whether southern towns were hit by the storm.",
     "Belum jelas apakah kota-kota di utara terkena badai itu.",
     "Belum jelas apakah kota-kota di selatan terkena badai itu.",
     ("southern", "utara")),
    # "just" is the adverb "baru" (curated), no more the lexicon's "benar" ("just" = "fair")
    ("I just found out about the plan yesterday.",
     "Saya lama tahu soal rencana itu kemarin.",
     "Saya baru tahu soal rencana itu kemarin.",
     ("just", "lama")),
    ("He is just one of six people claiming the prize.",
     "Dia hanya benar satu dari enam orang yang mengklaim hadiah itu.",
     "Dia hanya salah satu dari enam orang yang mengklaim hadiah itu.",
     ("one", "benar")),
    # an Indonesian negation reaches no word past a preposition
    ("The airport radar has not been working since the beginning of the month.",
     "Radar bandara itu tidak berfungsi sejak akhir bulan ini.",
     "Radar bandara itu tidak berfungsi sejak awal bulan ini.",
     ("beginning", "akhir")),
    # "tanpa", "tidak ada" negate their whole noun phrase, "yang" clause too, as "no" does in English
    ("The envoys returned home with no new proposals or demands from the government.",
     "Para utusan pulang tanpa membawa usulan atau tuntutan yang lama dari pemerintah.",
     "Para utusan pulang tanpa membawa usulan atau tuntutan yang baru dari pemerintah.",
     ("new", "lama")),
    ("There is no more famous painter in the country than her.",
     "Tidak ada pelukis yang kurang terkenal di negeri ini dibanding dia.",
     "Tidak ada pelukis yang lebih terkenal di negeri ini dibanding dia.",
     ("more", "kurang")),
]


@pytest.mark.parametrize("en, reversed_, faithful, expected", SAID_BY)
def test_what_a_source_word_says_by_lexicon_affix_or_use(en: str, reversed_: str | None, faithful: str | None,
                                                        expected: tuple[str, str] | None) -> None:
    if reversed_ is not None:
        assert pairs(antonym_changes(link(en, reversed_))) == [expected]
    if faithful is not None:
        assert not antonym_changes(link(en, faithful))


def test_the_lexicon_says_nothing_for_a_word_of_many_senses_or_of_both_sides() -> None:
    assert "mendukung" in _lexicon_says("bolster") and "akhir" in _lexicon_says("eventual")
    assert not _lexicon_says("have")  # dozens of senses ("memiliki", "berhasil", "mengalami" ...)
    assert not _lexicon_says("triumph")  # "kemenangan" and "mengalahkan": roots "menang" and "kalah"
    assert not _lexicon_says("large")  # curated: it says "besar"


def test_affix_frames_keep_an_opposition_where_both_words_exist() -> None:
    assert _nasal("me", "tutup") == "menutup" and _nasal("me", "kuat") == "menguat"
    assert _nasal("pe", "produksi") == "pemproduksi"  # a cluster keeps its first consonant
    known = {"menaikkan", "menurunkan", "tertinggi", "terendah", "meninggi"}
    got = derived_pairs({("naik", "turun"), ("rendah", "tinggi")}, known)
    assert got == {("menaikkan", "menurunkan"), ("terendah", "tertinggi")}


LESSENED = [
    # the source states the verb or adjective plainly: "kurang X" says less of it
    ("The committee favoured a four-day working week for junior doctors.",
     "Komite itu kurang menyukai pekan kerja empat hari bagi dokter junior."),
    ("The players trained hard all week before the final.",
     "Para pemain berlatih kurang keras sepanjang pekan sebelum final."),
]

LESS_SAID = [
    # a negation, a word of small or poor amount, a negative affix, "too", or "less than"
    ("The new stadium is not very popular with fans.", "Stadion baru itu kurang populer di kalangan penggemar."),
    ("Critics called the sequel an underpowered comedy.", "Kritikus menyebut sekuel itu komedi yang kurang bertenaga."),
    ("The instructions on the form were unclear to many voters.",
     "Petunjuk pada formulir itu kurang jelas bagi banyak pemilih."),
    ("Many children in the district are poorly fed.", "Banyak anak di distrik itu kurang makan."),
    ("The jacket was too small for him.", "Jaket itu kurang besar untuknya."),
    ("The vote came less than a month after the election.",
     "Pemungutan suara itu berlangsung kurang dari sebulan setelah pemilihan."),
    ("The funds were lacking for a new school.", "Dana untuk sekolah baru itu kurang memadai."),
]


@pytest.mark.parametrize("en, idn", LESSENED)
def test_less_of_what_the_source_states_is_a_reversal(en: str, idn: str) -> None:
    found = [c for c in antonym_changes(link(en, idn)) if c.target == "kurang"]
    assert len(found) == 1
    start, end = found[0].target_spans[0]
    assert idn[start:end] == "kurang"


@pytest.mark.parametrize("en, idn", LESS_SAID)
def test_less_the_source_says_is_no_reversal(en: str, idn: str) -> None:
    assert not [c for c in antonym_changes(link(en, idn)) if c.target == "kurang"]


def test_a_negative_affix_needs_a_base_the_lexicon_knows() -> None:
    assert _negative_affix("unclear") and _negative_affix("careless") and _negative_affix("underpowered")
    assert not _negative_affix("until") and not _negative_affix("university")


@pytest.mark.parametrize("en, idn, expected", [
    ("The 1.98-metre forward grew up in Surabaya.",
     "Pemain depan dengan rendah 1,98 meter itu tumbuh besar di Surabaya.", ["rendah"]),
    ("The 120-metre bridge opened on Monday.", "Jembatan dengan pendek 120 meter itu dibuka pada hari Senin.", ["pendek"]),
    ("The 1.98-metre forward grew up in Surabaya.",
     "Pemain depan dengan tinggi 1,98 meter itu tumbuh besar di Surabaya.", []),
])
def test_a_measure_nouns_opposite_before_a_number_is_a_reversal(en: str, idn: str, expected: list[str]) -> None:
    assert [c.target for c in antonym_changes(link(en, idn))] == expected


def test_a_comparative_before_a_number_is_no_measure() -> None:
    idn = "Harga beras lebih rendah 5 persen dibanding tahun lalu."
    words = list(re.finditer(r"[^\W\d_]+", idn))
    lower = tuple(m.group(0).lower() for m in words)
    k = lower.index("rendah")
    assert not _broken_measure(idn, tuple(words), lower, k, id_table()["rendah"])
    assert _broken_measure(idn.replace("lebih ", "yang "), tuple(re.finditer(r"[^\W\d_]+", idn.replace("lebih ", "yang "))),
                           lower[:k - 1] + ("yang",) + lower[k:], k, id_table()["rendah"])


@pytest.mark.parametrize("en, idn, expected", [
    # the place put at the opposite point, before it ("Kalimantan Timur") or after "dari"
    ("Heavy rain flooded villages in western Borneo and northern Sumatra on Sunday.",
     "Hujan lebat membanjiri desa-desa di Borneo Timur dan Sumatra Utara pada hari Minggu.", ("western", "Timur")),
    ("The quake struck 40 kilometres north of Mataram, officials said.",
     "Gempa itu terjadi 40 kilometer arah selatan dari Mataram, kata pejabat.", ("north", "selatan")),
    # the place by its established Indonesian form ("Ireland" / "Irlandia")
    ("Storms brought floods to Northern Ireland overnight.",
     "Badai membawa banjir ke Irlandia Selatan semalam.", ("Northern", "Selatan")),
])
def test_a_place_put_at_the_opposite_compass_point_is_a_reversal(en: str, idn: str,
                                                                  expected: tuple[str, str]) -> None:
    assert pairs(turned_directions(link(en, idn))) == [expected]
    assert expected in pairs(antonym_changes(link(en, idn)))


@pytest.mark.parametrize("en, idn", [
    ("Heavy rain flooded villages in western Borneo and northern Sumatra on Sunday.",
     "Hujan lebat membanjiri desa-desa di Borneo Barat dan Sumatra Utara pada hari Minggu."),
    ("Storms brought floods to Northern Ireland overnight.", "Badai membawa banjir ke Irlandia Utara semalam."),
    ("Talks between North and South Korea resumed.", "Perundingan antara Korea Utara dan Selatan dilanjutkan."),
    # a point of no place ("the southern coast") may stand beside a name in the translation
    ("The hurricane hit the southern coast of North Carolina.", "Badai itu menghantam pantai selatan Carolina Utara."),
    # coordinated points share their place ("southern and eastern Java")
    ("Floods hit western Java and southern and eastern Bali.", "Banjir melanda Java Barat serta Bali Selatan dan Timur."),
    # the source says the point of no place ("the North"), or names the other place otherwise
    ("South Korea said it would send food aid to the North next week.",
     "Korea Selatan mengatakan akan mengirim bantuan pangan ke Korea Utara pekan depan."),
    ("The website praises the DPRK and attacks South Korea.",
     "Situs itu memuji Korea Utara dan menyerang Korea Selatan."),
    # a negated mention still names the place
    ("The North Korean ship sank, and there were no South Korean casualties.",
     "Kapal Korea Utara tenggelam, dan tidak ada korban dari Korea Selatan."),
])
def test_a_place_at_its_own_compass_point_is_no_reversal(en: str, idn: str) -> None:
    assert turned_directions(link(en, idn)) == []


@pytest.mark.parametrize("en, idn, expected", [
    ("The new vaccine protected older patients last winter, the ministry said.",
     "Kementerian mengatakan vaksin baru itu gagal melindungi pasien lanjut usia musim dingin lalu.",
     ("protected", "gagal")),
    ("The striker doubled the lead just before half-time.",
     "Penyerang itu gagal menggandakan keunggulan menjelang turun minum.", ("doubled", "gagal")),
])
def test_a_failure_of_what_the_source_says_happened_is_a_reversal(en: str, idn: str,
                                                                  expected: tuple[str, str]) -> None:
    assert pairs(failed_events(link(en, idn))) == [expected]
    assert expected in pairs(antonym_changes(link(en, idn)))


@pytest.mark.parametrize("en, idn", [
    ("The new vaccine protected older patients last winter, the ministry said.",
     "Kementerian mengatakan vaksin baru itu berhasil melindungi pasien lanjut usia musim dingin lalu."),
    # an infinitive or gerund another word governs may be what failed ("missed a chance to")
    ("The striker missed a chance to double the lead.", "Penyerang itu gagal menggandakan keunggulan."),
    ("The team fell short of doubling their lead.", "Tim itu gagal menggandakan keunggulan mereka."),
    # the source says the failure, or negates the event
    ("The striker failed to double the lead just before half-time.",
     "Penyerang itu gagal menggandakan keunggulan menjelang turun minum."),
    ("The rescuers did not find the missing hikers before dark.",
     "Tim penyelamat gagal menemukan para pendaki yang hilang sebelum gelap."),
    ("Farmers in the region lost their harvest to the floods.",
     "Petani di wilayah itu gagal panen akibat banjir."),
])
def test_a_failure_the_source_says_is_no_reversal(en: str, idn: str) -> None:
    assert failed_events(link(en, idn)) == []


@pytest.mark.parametrize("en, idn, expected", [
    # "keluar dari" (out of) is Indonesian, "masuk dari" hardly: the preposition the opposite governs
    ("Voter turnout is going to be off the charts this year, the analyst said.",
     "Jumlah pemilih tahun ini akan masuk dari grafik, kata analis itu.", "masuk"),
    ("The fans poured into the stadium an hour before kick-off.",
     "Para penggemar berduyun-duyun keluar ke stadion satu jam sebelum pertandingan dimulai.", "keluar"),
])
def test_the_preposition_of_the_opposite_is_a_reversal(en: str, idn: str, expected: str) -> None:
    assert [c.target for c in unidiomatic_words(link(en, idn))] == [expected]


@pytest.mark.parametrize("en, idn", [
    ("Voter turnout is going to be off the charts this year, the analyst said.",
     "Jumlah pemilih tahun ini akan keluar dari grafik, kata analis itu."),
    ("The fans poured into the stadium an hour before kick-off.",
     "Para penggemar berduyun-duyun masuk ke stadion satu jam sebelum pertandingan dimulai."),
    # a word seen too seldom in the training text to say which preposition it takes
    ("A motorcyclist approached from behind and attached a bomb to the car.",
     "Seorang pengendara sepeda motor mendekat dari belakang dan memasang bom di mobil itu."),
])
def test_the_preposition_a_word_takes_is_no_reversal(en: str, idn: str) -> None:
    assert unidiomatic_words(link(en, idn)) == []


def test_a_source_word_the_lexicon_renders_elsewhere_says_no_pair_word() -> None:
    # "previous" says "lama" by the joined English, but "sebelumnya" (the lexicon's, backed by the
    # token table) renders it: the "lama" of "aturan lama" is "new" reversed
    en = "The ministry introduced new rules for schools, replacing the previous standard."
    reversed_ = "Kementerian memperkenalkan aturan lama untuk sekolah, menggantikan standar sebelumnya."
    faithful = "Kementerian memperkenalkan aturan baru untuk sekolah, menggantikan standar sebelumnya."
    assert pairs(opposite_words(link(en, reversed_))) == [("new", "lama")]
    assert opposite_words(link(en, faithful)) == []
    # with no other rendering of "previous", it says the "lama" there
    assert opposite_words(link("The ministry kept the previous rules.", "Kementerian mempertahankan aturan lama.")) == []


@pytest.mark.parametrize("en, idn, expected", [
    # the lexicon gives "orangtua" for "parents", which Indonesian also writes open: "orang tua"
    ("Many parents worry about the cost of school uniforms.",
     "Banyak orang muda khawatir tentang biaya seragam sekolah.", [("parents", "muda")]),
    # a negated noun is still rendered by its compound
    ("No parent should have to bury a child, the mayor said.",
     "Tidak ada orang muda yang seharusnya mengubur anaknya, kata wali kota.", [("parent", "muda")]),
    ("Many parents worry about the cost of school uniforms.",
     "Banyak orang tua khawatir tentang biaya seragam sekolah.", []),
    # "young people" is "orang muda": nothing the lexicon closes
    ("Many young people worry about the cost of housing.",
     "Banyak orang muda khawatir tentang biaya perumahan.", []),
])
def test_an_open_compound_with_the_opposite_is_a_reversal(en: str, idn: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(unidiomatic_words(link(en, idn))) == expected


def test_a_preposition_before_a_number_opens_a_range() -> None:
    # "naik dari 5 menjadi 7 persen" ("rose from 5 to 7 percent")
    en = "The jobless rate jumped from 5 to 7 percent in a year."
    assert unidiomatic_words(link(en, "Tingkat pengangguran naik dari 5 menjadi 7 persen dalam setahun.")) == []
    # "dari" is the preposition "keluar" governs, not "masuk": before a number it counts or
    # opens a range, and says nothing of the verb ("masuk dari 3 pintu": came in by 3 gates)
    for idn, governed in (("Ribuan penonton masuk dari pintu utara stadion.", True),
                          ("Ribuan penonton masuk dari 3 pintu stadion.", False)):
        words, lower, _ = _pair_words(idn)
        k = lower.index("masuk")
        assert _foreign_preposition(idn, words, lower, k, id_table()["masuk"]) is governed


@pytest.mark.parametrize("en, idn, expected", [
    # a place spelt with letters outside ASCII is one word, at its compass point or the other
    ("Heavy floods hit southern Zürich on Sunday.", "Banjir besar melanda Zürich Utara pada hari Minggu.",
     [("southern", "Utara")]),
    ("Heavy floods hit southern Zürich on Sunday.", "Banjir besar melanda Zürich Selatan pada hari Minggu.", []),
    ("Storms hit northern Łódź overnight.", "Badai melanda Łódź Selatan semalam.", [("northern", "Selatan")]),
])
def test_a_place_spelt_outside_ascii_has_its_compass_point(en: str, idn: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(turned_directions(link(en, idn))) == expected


@pytest.mark.parametrize("en, idn", [
    ("North. South. East, West.", "Utara. Selatan. Timur, Barat."),
    ("!!! ... ???", "Utara selatan timur barat."),
    ("Joko Widodo, Prabowo Subianto, 2024.", "Joko Widodo, Prabowo Subianto, 2024."),
])
def test_compass_words_with_no_place_or_no_source_words_change_nothing(en: str, idn: str) -> None:
    assert turned_directions(link(en, idn)) == []
    assert failed_events(link(en, idn)) == []


def test_a_short_place_name_written_alike_is_the_same_place() -> None:
    # "Goa" has three letters: equal names are one place whatever their length
    assert pairs(turned_directions(link("Heavy rain lashed northern Goa on Monday.",
                                        "Hujan lebat mengguyur Goa Selatan pada hari Senin."))) == [("northern", "Selatan")]
    assert turned_directions(link("Heavy rain lashed northern Goa on Monday.",
                                  "Hujan lebat mengguyur Goa Utara pada hari Senin.")) == []
