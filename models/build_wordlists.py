"""Build the shipped language-identification word lists ``models/wordlists/{en,id}.txt``.

    python -m models.build_wordlists [--data ../shared/data] [--size 5000] [--evaluate]

Each list holds the most frequent lowercase words of one language's training text (the
English or the Indonesian side of Guntara et al. general + religious and NusaX-MT, the same
text the Punkt parameters are trained on), without the words that are also frequent in the
other language ("air", "bank", "media", names such as "indonesia"), so a word in a list is
evidence for that language alone.  :mod:`fidelity.langid` reads them.

``--tables`` builds the drift tables instead (see ``models/wordlists/README.md``):
``exonyms.tsv``, established Indonesian forms of English names and their adjectives (the
lexicon's capitalised entries whose Indonesian form is spelt alike, plus :data:`COUNTRIES`),
``antonyms.tsv``, English antonym pairs (:data:`ANTONYMS`) with the Indonesian words of
each side, joined through the WordNet pairs of the lexicon, ``antonyms_id.tsv``, Indonesian
antonym pairs (WordNet 3.0's adjective and adverb antonyms joined through the lexicon,
:data:`ID_ANTONYMS`, their :data:`ID_FRAMES` derivations) with the English words that say
each word (curated; joined from WordNet's pairs; the lexicon's adjectives and adverbs for the
word that the token table backs, :func:`lexicon_english`), ``antonyms_context.tsv``, the
training-text bigrams around those words, and ``antonyms_phrases.tsv``, the lexicon's
two-word renderings of an English word that hold one of them (:func:`phrase_rows`)
(``--wordnet``: the WordNet 3.0 database folder of the Debian package ``wordnet-base``).

``--evaluate`` measures :func:`fidelity.langid.detect` on held-out news (``dev/news_valid``,
lines in batches of 5, both languages) and on the seed articles; nothing is tuned here.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

from models.build_punkt import DEFAULT_DATA, REPO, read_training_lines

DEFAULT_OUT = REPO / "models" / "wordlists"
#: Words kept per language before removing the shared ones.
DEFAULT_SIZE = 5000
#: A word is "shared" unless it is this many times more frequent (per token) in its own language.
MIN_RATIO = 8.0
#: Words seen fewer times than this are never listed.
MIN_COUNT = 3

HEADER = ("# {lang}: {n} frequent lowercase words of the {name} training text that are not\n"
          "# frequent in the other language; built by models/build_wordlists.py (see models/punkt/README.md).\n")


def word_counts(lines: list[str]) -> Counter[str]:
    """Lowercase word counts, words as :func:`fidelity.langid.words` splits them."""
    sys.path.insert(0, str(REPO))
    from fidelity.langid import words

    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(words(line))
    return counts


def distinctive(own: Counter[str], other: Counter[str], size: int) -> list[str]:
    """The ``size`` most frequent words of ``own`` that are at least MIN_RATIO times more
    frequent (relative to corpus size) than in ``other``, most frequent first."""
    n_own, n_other = sum(own.values()), sum(other.values())
    kept = []
    for word, count in own.most_common(size):
        if count < MIN_COUNT:
            break
        rel_own = count / n_own
        rel_other = other[word] / n_other
        if rel_own >= MIN_RATIO * rel_other:
            kept.append(word)
    return kept


def build(data_dir: Path, out_dir: Path, size: int) -> None:
    counts = {lang: word_counts(read_training_lines(data_dir, lang)) for lang in ("en", "id")}
    names = {"en": "English", "id": "Indonesian"}
    out_dir.mkdir(parents=True, exist_ok=True)
    for lang, other in (("en", "id"), ("id", "en")):
        kept = distinctive(counts[lang], counts[other], size)
        path = out_dir / f"{lang}.txt"
        path.write_text(HEADER.format(lang=lang, n=len(kept), name=names[lang]) + "\n".join(kept) + "\n",
                        encoding="utf-8")
        print(f"{lang}: {len(kept)} of the {size} most frequent words kept -> "
              f"{path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")


def _refused(text: str, lang: str) -> bool:
    """Whether fidelity.langid.check_language refuses ``text`` declared as ``lang``."""
    from fidelity.errors import InputError
    from fidelity.langid import check_language

    try:
        check_language(text, lang, "x")
    except InputError:
        return True
    return False


def evaluate(data_dir: Path, batch: int = 5) -> dict[str, float]:
    """Accuracy of langid.detect (argmax) on news_valid batches and the seeds; printed."""
    sys.path.insert(0, str(REPO))
    from fidelity.langid import MIN_WORDS, detect, guess

    results = {}
    for lang in ("en", "id"):
        lines = [x.strip() for x in (data_dir / "dev" / f"news_valid.{lang}").read_text(encoding="utf-8").splitlines()]
        lines = [x for x in lines if x]
        for size in (1, batch):
            texts = [" ".join(lines[i:i + size]) for i in range(0, len(lines), size)]
            right = sum(guess(t) == lang for t in texts)
            undecided = sum(guess(t) is None for t in texts)
            other = "id" if lang == "en" else "en"
            false_alarm = sum(_refused(t, lang) for t in texts)
            caught = sum(_refused(t, other) for t in texts)
            key = f"news_valid.{lang} x{size}"
            results[key] = right / len(texts)
            print(f"{key:18s} {len(texts):5d} texts: detect accuracy {right / len(texts):.4f} "
                  f"({undecided} undecided: under {MIN_WORDS} words or no list word); "
                  f"check_language as {lang}: {false_alarm} false alarms; "
                  f"as {other}: {caught} raised ({caught / len(texts):.4f})")
    for path in sorted((REPO / "seeds").glob("*.txt")):
        lang = path.name.split(".")[-2]
        scores = detect(path.read_text(encoding="utf-8"))
        print(f"seeds/{path.name:22s} declared {lang}: detected {guess(path.read_text(encoding='utf-8'))} "
              f"(en {scores['en']:.3f}, id {scores['id']:.3f})")
    return results


#: Countries, their adjectives and people, and cities with an established Indonesian form:
#: "English forms: Indonesian forms" (lower case; the lexicon has few of them).
COUNTRIES = """
afghanistan|afghan: afganistan afghanistan
albania|albanian: albania
algeria|algerian: aljazair
argentina|argentine|argentinian|argentinean: argentina
armenia|armenian: armenia
austria|austrian: austria
azerbaijan|azerbaijani: azerbaijan
bangladesh|bangladeshi: bangladesh
belarus|belarusian: belarus
bolivia|bolivian|bolivians: bolivia
bosnia|bosnian: bosnia
brazil|brazilian|brazilians: brasil brazil
bulgaria|bulgarian: bulgaria
cambodia|cambodian: kamboja
cameroon|cameroonian: kamerun
chile|chilean|chileans: chili cile
colombia|colombian|colombians: kolombia
croatia|croatian: kroasia
cuba|cuban|cubans: kuba
cyprus|cypriot: siprus
czech|czechia: ceko ceska
dominican: dominika
ecuador|ecuadorian: ekuador
ethiopia|ethiopian: etiopia ethiopia
finland|finnish: finlandia
georgia|georgian: georgia
ghana|ghanaian: ghana
guatemala|guatemalan: guatemala
haiti|haitian: haiti
honduras|honduran: honduras
hungary|hungarian: hungaria
iceland|icelandic: islandia
ireland|irish: irlandia
jamaica|jamaican: jamaika
jordan|jordanian: yordania
kazakhstan|kazakh: kazakstan kazakhstan
kenya|kenyan: kenya
kuwait|kuwaiti: kuwait
laos|lao|laotian: laos
lebanon|lebanese: lebanon libanon
libya|libyan: libia
lithuania|lithuanian: lituania
luxembourg: luksemburg
madagascar: madagaskar
mexico|mexican|mexicans: meksiko
mongolia|mongolian: mongolia
morocco|moroccan: maroko
mozambique: mozambik
myanmar|burma|burmese: myanmar burma
nepal|nepalese|nepali: nepal
nicaragua|nicaraguan: nikaragua
nigeria|nigerian: nigeria
oman|omani: oman
panama|panamanian: panama
paraguay|paraguayan: paraguay
peru|peruvian: peru
qatar|qatari: qatar
romania|romanian: rumania romania
rwanda|rwandan: rwanda
scotland|scottish|scots: skotlandia
serbia|serbian: serbia
slovakia|slovak: slowakia
slovenia|slovenian: slovenia
somalia|somali: somalia
sudan|sudanese: sudan
taiwan|taiwanese: taiwan
tanzania|tanzanian: tanzania
tunisia|tunisian: tunisia
uganda|ugandan: uganda
uruguay|uruguayan: uruguay
uzbekistan|uzbek: uzbekistan
venezuela|venezuelan: venezuela
wales|welsh: wales
yemen|yemeni: yaman
zambia|zambian: zambia
zimbabwe|zimbabwean: zimbabwe
usa|stateside: as amerika serikat
hague: haag den
brussels: brussel
geneva: jenewa
lisbon: lisabon
vienna: wina
prague: praha
warsaw: warsawa
copenhagen: kopenhagen
cairo: kairo
mecca: mekah makkah
medina: madinah
damascus: damaskus
baghdad: bagdad baghdad
kabul: kabul
naples: napoli
munich: munchen muenchen
cologne: koln
seoul: seoul
pyongyang: pyongyang
olympic|olympics: olimpiade
catholics: katolik
protestant|protestants: protestan
methodist|methodists: metodis
baptist|baptists: baptis
anglican: anglikan
buddhist|buddhists: buddha buddhis
hindu|hindus: hindu
jewish|jews|jew: yahudi
arab|arabs|arabic: arab
kurdish|kurds|kurd: kurdi kurdistan
caribbean: karibia
pacific: pasifik
atlantic: atlantik
mediterranean: mediterania
latin: latin
scandinavian: skandinavia
balkan|balkans: balkan
"""

#: Prefixes of an Indonesian lexicon form that name what the English word is ("Orang Kolombia").
_ID_HEADS = ("orang", "bangsa", "suku", "bahasa", "kelompok", "warga", "negara", "kota")


def _alike(en: str, idn: str) -> bool:
    """An English name and an Indonesian form spelt alike (the lexicon's sense noise is not)."""
    import difflib

    sys.path.insert(0, str(REPO))
    from fidelity.rules.names import cognate_key

    return difflib.SequenceMatcher(None, cognate_key(en, "en"), cognate_key(idn, "id")).ratio() >= 0.6


def exonym_rows(data_dir: Path) -> dict[str, set[str]]:
    """English name key -> Indonesian forms: the lexicon's one-word capitalised English entries
    whose Indonesian form (its head word "Orang", "Bahasa" ... dropped) is spelt alike, and
    :data:`COUNTRIES`."""
    table: dict[str, set[str]] = {}
    lex = data_dir / "lexicon"
    for name in ("en-id_wordnet_pairs.tsv", "en-id_wikt_cldr_extra_pairs.tsv"):
        for line in (lex / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 2 or not re.fullmatch(r"[A-Z][a-z]{3,}", parts[0]):
                continue
            words = parts[1].split()
            if words and words[0].lower() in _ID_HEADS:
                words = words[1:]
            if len(words) != 1 or not words[0][:1].isupper():
                continue
            en, idn = parts[0].lower(), words[0].lower()
            if en != idn and _alike(en, idn):
                table.setdefault(en, set()).add(idn)
    for line in COUNTRIES.strip().splitlines():
        left, right = line.split(":", 1)
        for key in left.split("|"):
            table.setdefault(key.strip(), set()).update(right.split())
    return table


#: Common English antonym pairs whose swap turns a news fact around (a word rendered by its
#: opposite). Curated by hand, leaving out pairs whose words have many senses in news ("come"/"go",
#: "give"/"take", "cut", "back"/"front", "up"/"down"), which the lexicon joins to everyday words: the PyPI ``wn`` package ships no WordNet data in its wheel (it
#: downloads at run time), so WordNet's own antonym pointers are not available to the build.
ANTONYMS = """
rise fall|rise drop|rise decline|increase decrease|grow shrink
gain lose|gain loss|win lose|win defeat|victory defeat|accept reject|accept refuse
allow forbid|allow ban|allow prohibit|approve reject|agree disagree|support oppose
open close|open shut|early late
before after|buy sell|import export
high low|higher lower|big small|large small|long short|tall short|wide narrow|thick thin
strong weak|fast slow|quick slow|quickly slowly|speed slow|hot cold|warm cool
old new|old young|young old|rich poor|cheap expensive|easy difficult|easy hard|safe dangerous
true false|right wrong|correct wrong|good bad|better worse|best worst|positive negative
happy sad|love hate|peace war|legal illegal|guilty innocent
alive dead|full empty|more less
most least|many few|maximum minimum|majority minority|inside outside
north south|east west
public private|domestic foreign|internal external|official unofficial
success failure|succeed fail|pass fail|arrest release|arrested released|attack defend
build destroy|create destroy
rising falling|increased decreased|increasing decreasing|higher lower|raise lower|raised lowered
strengthen weaken|tighten loosen|accelerate slow|accelerated slowed|surge plunge|slow increase|slow rise
expand contract|expansion contraction|profit loss|surplus deficit|asset liability
win lost|won lost|winner loser|lead trail|ahead behind|permanent temporary
always never|possible impossible|likely unlikely
often rarely|frequent rare|common rare|clean dirty|wet dry|morning evening
sunrise sunset|summer winter|spring autumn
predecessor successor|huge small|huge tiny|enormous small|major minor|improve worsen
senior junior|older younger|newest oldest|stopped started|much little
deep shallow|dig shallow|strength weakness|richest poorest|gain fall
final first|far near|far close|tough easy|receive reject|received rejected|welcome reject
highest lowest|top bottom|death life|bad good|easier harder|allowed forbidden|worst best
import export|imports exports|minimum maximum|lowest highest|smallest largest|shortest longest

"""

#: Indonesian antonym pairs that the lexicon's joins leave out or blur (a word and its opposite
#: each with the usual news renderings).
ID_FORMS = """
rise: naik meningkat kenaikan peningkatan
fall: turun jatuh menurun penurunan
increase: naik meningkat kenaikan peningkatan menambah bertambah
decrease: turun menurun penurunan berkurang mengurangi
drop: turun menurun penurunan anjlok merosot
decline: turun menurun penurunan merosot
grow: tumbuh bertumbuh pertumbuhan berkembang
shrink: menyusut menciut
slow: lambat melambat perlambatan lamban melambatnya
fast: cepat
win: menang memenangkan kemenangan
lose: kalah kekalahan
higher: lebih tinggi
lower: lebih rendah
final: terakhir akhir final
first: pertama awal
far: jauh
near: dekat
close: dekat
tough: sulit sukar berat keras
easy: mudah gampang
receive: menerima diterima penerimaan
received: menerima diterima
reject: menolak ditolak penolakan
rejected: menolak ditolak
welcome: menyambut menerima disambut
highest: tertinggi
lowest: terendah
death: kematian meninggal mati tewas
life: hidup kehidupan nyawa
bad: buruk jelek
good: baik bagus
worst: terburuk
best: terbaik
easier: lebih mudah
harder: lebih sulit lebih sukar
allowed: diizinkan diperbolehkan boleh
forbidden: dilarang terlarang
"""


#: Common Indonesian antonym pairs, for the translation side of the antonym rule: a target word
#: whose opposite the source sentence says (judged by the model's token table).
ID_ANTONYMS = """
naik turun|meningkat menurun|meningkatkan menurunkan|kenaikan penurunan|bertambah berkurang
menambah mengurangi|menang kalah|kemenangan kekalahan|besar kecil|terbesar terkecil|tinggi rendah
tertinggi terendah|panjang pendek|baru lama|awal akhir|pertama terakhir|menerima menolak
setuju menolak|mendukung menentang|mengizinkan melarang|membuka menutup|dibuka ditutup
masuk keluar|lebih kurang|banyak sedikit|kaya miskin|kuat lemah|memperkuat memperlemah
cepat lambat|mudah sulit|benar salah|positif negatif|untung rugi|laba rugi|hidup mati
sebelum setelah|sebelum sesudah|utara selatan|timur barat|maju mundur|jauh dekat|murah mahal
tua muda|berhasil gagal|sukses gagal|baik buruk|terbaik terburuk|memulai mengakhiri
aman berbahaya|damai perang|legal ilegal|penuh kosong|maksimum minimum|mayoritas minoritas
ditangkap dibebaskan|surplus defisit|sering jarang|bersih kotor|basah kering|senang sedih
cinta benci|termurah termahal|tercepat terlambat|mulai berhenti|lebih besar lebih kecil
depan belakang|kiri kanan|menjual membeli|penjualan pembelian|ekspor impor
kawan lawan|menyerang bertahan|ingat lupa|terang gelap|tebal tipis|berat ringan|keras lembut
pintar bodoh|jujur bohong|mulai selesai|dimulai berakhir|datang pergi|tiba berangkat|bagus jelek
lahir meninggal|sehat sakit|diizinkan dilarang|asing domestik|publik swasta|internal eksternal
ramai sepi|optimis pesimis|optimistis pesimistis|mengakui menyangkal|ekspansi kontraksi
inflasi deflasi|menguat melemah|penguatan pelemahan|tumbuh menyusut|menangkap membebaskan
pemenang pecundang|teratas terbawah|terkaya termiskin|terpanjang terpendek
"""


#: WordNet 3.0 database files (``data.adj`` ...): the Debian package ``wordnet-base``
#: (``apt-get download wordnet-base && dpkg-deb -x wordnet-base_*.deb DIR``; or installed).
DEFAULT_WORDNET = Path("/usr/share/wordnet")
_WN_FILES = {"a": "data.adj", "r": "data.adv", "v": "data.verb", "n": "data.noun"}


def wordnet_antonyms(wn_dir: Path) -> set[tuple[str, str, str, str]]:
    """(english lemma, its synset, antonym lemma, its synset) for every direct antonym pointer
    ("!") between adjectives or adverbs of WordNet 3.0, synsets written as the lexicon writes them ("00749230-a"; adjective
    satellites count as adjectives). Read from the plain database files: nltk's reader refuses
    a folder outside its data path and ``nltk.download`` is not allowed."""
    synsets: dict[str, list[str]] = {}
    pointers: list[tuple[str, int, str, int]] = []
    for pos, name in _WN_FILES.items():
        for line in (wn_dir / name).read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            f = line.split(" | ")[0].split()
            key = f"{f[0]}-{pos}"
            n = int(f[3], 16)
            synsets[key] = [f[4 + 2 * i].lower().split("(")[0] for i in range(n)]
            at = 4 + 2 * n
            for i in range(int(f[at])):
                sym, off, tpos, st = f[at + 1 + 4 * i:at + 5 + 4 * i]
                if sym == "!":
                    tpos = "a" if tpos == "s" else tpos
                    pointers.append((key, int(st[:2], 16), f"{off}-{tpos}", int(st[2:], 16)))
    out = set()
    for s1, w1, s2, w2 in pointers:
        if s1[-1] not in "ar" or s2[-1] not in "ar":
            continue  # nouns ("son"/"daughter") and verbs ("have"/"lack", "take"/"give") have too many senses
        if s2 in synsets and 0 < w1 <= len(synsets[s1]) and 0 < w2 <= len(synsets[s2]):
            a, b = synsets[s1][w1 - 1], synsets[s2][w2 - 1]
            if "_" not in a + b:
                out.add((a, s1, b, s2))
    return out


def _lexicon_words(data_dir: Path) -> dict[str, dict[str, set[str]]]:
    """English word -> its single-word Indonesian translations in the lexicon (every sense:
    WordNet pairs and the Wiktionary/CLDR extra pairs), each with the parts of speech of the
    senses that give it ("n", "v", "a" with the satellites, "r")."""
    out: dict[str, dict[str, set[str]]] = {}
    for name in ("en-id_wordnet_pairs.tsv", "en-id_wikt_cldr_extra_pairs.tsv"):
        for line in (data_dir / "lexicon" / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 2 or " " in parts[1].strip():
                continue
            pos = parts[2].strip()[-1:].replace("s", "a") if len(parts) > 2 else ""
            out.setdefault(parts[0].lower(), {}).setdefault(parts[1].strip().lower(), set()).add(pos)
    return out


#: Indonesian words of an English word are those of its lexicon translations that the token
#: table puts (or their stem) at least this close to it (:data:`TRANSLATION_COVER`, below):
#: the lexicon joins every lemma of every sense ("easy" -> "gampang", "mudah", "kaya", "lambat").


#: A joined pair's words must each render their English word this closely by the token table
#: (above :data:`TRANSLATION_COVER`: a pair is only as good as its worse word, and sense noise
#: pairs up words of unrelated senses: "left" -> "sisa" beside "right" -> "hak").
JOIN_COVER = 0.7


def _joined(ids: dict[str, set[str]], lex: dict[str, dict[str, set[str]]], word: str, pos: set[str]) -> set[str]:
    """The Indonesian words of ``word`` (``ids``: those the token table backs) that the lexicon
    gives for a sense of one of the parts of speech ``pos``."""
    return {i for i in ids[word] if lex.get(word, {}).get(i, set()) & pos}


def wordnet_id_pairs(data_dir: Path, wn_dir: Path) -> dict[tuple[str, str], tuple[set[str], set[str]]]:
    """Indonesian antonym pairs from English ones (WordNet's antonym pointers and
    :data:`ANTONYMS`), each English word joined to its Indonesian renderings through the
    lexicon: (x, y) -> (the English words x renders, those y renders). A word both sides
    render is no side's ("fast"/"slow" both join "lekas"). Both words are joined through senses
    of one part of speech: a WordNet pointer's own (its adjectives' and adverbs' antonymy says
    nothing of the nouns: "top"/"bottom"/"side" as adjectives are no "top"/"dasar"/"sebelah"),
    a curated pair's any one both words have ("rise"/"fall" as verbs: "naik"/"turun", not the
    noun "kejatuhan" against the verb "bangkit")."""
    lex = _lexicon_words(data_dir)
    en_pairs: dict[tuple[str, str], set[str]] = {}
    for a, s1, b, _ in wordnet_antonyms(wn_dir):
        en_pairs.setdefault((a, b), set()).add(s1[-1])
    for x in ANTONYMS.replace("\n", "|").split("|"):
        if len(x.split()) == 2:
            en_pairs.setdefault(tuple(x.split()), set()).update("nvar")
    words = sorted({w for pair in en_pairs for w in pair})
    ids = {w: _translations(w, set(lex.get(w, {})), JOIN_COVER) for w in words}
    out: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for (a, b), parts in sorted(en_pairs.items()):
        for pos in sorted(parts):
            ja, jb = _joined(ids, lex, a, {pos}), _joined(ids, lex, b, {pos})
            for x in ja - ids[b]:
                for y in jb - ids[a]:
                    key, ens = ((x, y), (a, b)) if x < y else ((y, x), (b, a))
                    got = out.setdefault(key, (set(), set()))
                    got[0].add(ens[0])
                    got[1].add(ens[1])
    return out

_VOWELS = "aeiou"


def _nasal(prefix: str, root: str) -> str:
    """``me-``/``pe-`` with the nasal the root's first sound takes ("me" + "tutup" ->
    "menutup", "pe" + "kuat" -> "penguat"); k, p, t, s drop unless a consonant follows."""
    c, rest = root[0], root[1:]
    keep = len(root) > 1 and root[1] not in _VOWELS
    if c in _VOWELS or c in "gh":
        return prefix + "ng" + root
    if c == "k":
        return prefix + "ng" + (root if keep else rest)
    if c in "bfv":
        return prefix + "m" + root
    if c == "p":
        return prefix + "m" + (root if keep else rest)
    if c in "dcjz":
        return prefix + "n" + root
    if c == "t":
        return prefix + "n" + (root if keep else rest)
    if c == "s":
        return prefix + ("n" + root if keep else "ny" + rest)
    return prefix + root


def _ber(prefix: str, root: str) -> str:
    """"ber-"/"ter-"/"per-" lose their "r" before a root that starts with one."""
    return prefix[:-1] + root if root[0] == "r" else prefix + root


#: Indonesian derivations that keep a word's opposition ("naik"/"turun" ->
#: "kenaikan"/"penurunan" is not one frame; "menaikkan"/"menurunkan" is).
ID_FRAMES: tuple = (
    lambda r: _nasal("me", r), lambda r: _nasal("me", r) + "kan", lambda r: _nasal("me", r) + "i",
    lambda r: "di" + r, lambda r: "di" + r + "kan", lambda r: "di" + r + "i",
    lambda r: _ber("ber", r), lambda r: _ber("ter", r), lambda r: "ke" + r + "an",
    lambda r: _nasal("pe", r) + "an", lambda r: _ber("per", r) + "an", lambda r: r + "an",
    lambda r: "memper" + r, lambda r: "memper" + r + "kan", lambda r: "diper" + r + "kan",
    lambda r: "se" + r,
)


def derived_pairs(pairs: set[tuple[str, str]], known: set[str]) -> set[tuple[str, str]]:
    """The pairs each of :data:`ID_FRAMES` makes of ``pairs`` where both derived words are
    ``known`` words ("tinggi"/"rendah" -> "tertinggi"/"terendah", "meninggikan"/"merendahkan")."""
    out = set()
    for x, y in pairs:
        if "-" in x + y or len(x) < 3 or len(y) < 3:
            continue
        for frame in ID_FRAMES:
            dx, dy = frame(x), frame(y)
            if dx in known and dy in known and dx != dy:
                out.add((dx, dy) if dx < dy else (dy, dx))
    return out


#: English words that say an Indonesian word of a common pair where the lexicon and the token
#: table are weak: closed-class words, comparatives, idioms ("into" -> "masuk", "following" ->
#: "setelah", "prefer" -> "lebih suka"); "in~" and "out~" are "in" and "out" as adverbs
#: ("allowed back in", "came out of"), not prepositions; "away~" is "away" after a span of
#: time ("five weeks away from the vote").
ID_CUES = """
lebih: more over greater further extra prefer prefers preferred
kurang: less fewer lack lacking lacks insufficient
masuk: into enter entered entering entry join joined joins admitted elected enlist enlisted enlisting enrol enrolled in~
keluar: exit quit withdraw withdrew exits out~ leave leaves leaving
setelah: after following post since afterwards
sesudah: after following post since afterwards
sebelum: before prior until pre previously away~
awal: early start started beginning begin initial
akhir: end ended ending late last final finish finished
banyak: many much lot lots numerous several plenty multiple
sedikit: few little bit slightly somewhat slight some
besar: big large great major huge massive giant vast significant grand ambassador ambassadors likely
kecil: small little minor tiny slight
terbesar: biggest largest greatest
terkecil: smallest
baik: good well better best fine nice
buruk: bad poor worse worst badly
terbaik: best
terburuk: worst
benar: true right correct really actually truly indeed absolutely
salah: wrong false mistake error incorrect wrongly
naik: rise rose risen rising up increase increased climb climbed
turun: fall fell fallen falling down decrease decreased drop dropped decline declined
meningkat: rise rose risen rising increase increased increases grew growing surge surged spiked up
menurun: fall fell fallen falling decrease decreased decline declined dropped shrank down
meningkatkan: increase increased raise raised boost boosted improve improved
menurunkan: reduce reduced cut lower lowered decrease decreased
kenaikan: rise increase increases hike hikes growth
penurunan: fall decline decrease drop cut cuts reduction
bertambah: increase increased grew grow growing added
berkurang: reduced reduce decreased decrease fewer shrank
menambah: add added adding increase boost
mengurangi: reduce reduced reducing cut cutting lower
tinggi: high higher highest tall top
panjang: long longer lengthy
pendek: short shorter brief
rendah: low lower lowest
tertinggi: highest top peak high
terendah: lowest bottom low
menang: win won wins winning victory
kalah: lose lost loses losing defeat defeated beaten
kemenangan: victory win wins
kekalahan: defeat defeats loss losses
pertama: first initial
terakhir: last final latest past recent recently
baru: new newly recent recently fresh just
lama: old former longtime veteran long longer
utara: north northern
selatan: south southern
timur: east eastern
barat: west western
membuka: open opened opens opening reopen
menutup: close closed closes closing shut
dibuka: open opened reopened opening
ditutup: closed closure closures shut
memulai: start started starting begin began launch launched
mengakhiri: end ended ending finish finished conclude
berhasil: managed succeeded success successful successfully
gagal: failed fail fails failure unable
menerima: accept accepted receive received welcome welcomed
menolak: reject rejected refuse refused deny denied decline declined
mendukung: support supported supports backed favour favor
menentang: oppose opposed opposes against
kuat: strong strength powerful
lemah: weak weakness
cepat: fast quick quickly rapid rapidly soon
lambat: slow slowly
mudah: easy easily
sulit: difficult hard tough
kaya: rich wealthy
miskin: poor
murah: cheap
mahal: expensive costly
aman: safe safely secure
berbahaya: dangerous unsafe
hidup: alive live living life
mati: dead died die death
maju: forward ahead advance
mundur: backward retreat resign resigned
jauh: far distant
dekat: near close nearby
tua: old older elderly
muda: young younger
untung: profit profits gain
rugi: loss losses
positif: positive
negatif: negative
depan: front next upcoming coming
belakang: behind rear
kiri: left
kanan: right
menjual: sell sold selling sells
membeli: buy bought buying buys purchase purchased
penjualan: sales sale selling
pembelian: purchase purchases buying
ekspor: export exports exported exporting
impor: import imports imported importing
kawan: friend friends ally allies
lawan: opponent opponents rival rivals enemy enemies
menyerang: attack attacked attacking
bertahan: defend defended defending survive survived
ingat: remember remembered recall recalled
lupa: forget forgot forgotten
terang: bright
gelap: dark darkness
ditangkap: arrested arrest detained seized captured
dibebaskan: freed free released release
tebal: thick
tipis: thin slim
berat: heavy severe
ringan: light mild
keras: hard harsh
lembut: soft gentle
pintar: smart clever intelligent
bodoh: stupid foolish
jujur: honest
bohong: lie lies lied lying
mulai: start started begin began
selesai: finish finished complete completed
dimulai: started begins began begin
berakhir: ended ends end finished
datang: come came arrive arrived
pergi: go went gone
tiba: arrive arrived arrival
berangkat: depart departed departure
bagus: good nice great fine
jelek: bad ugly
lahir: born birth
meninggal: died dies death dead
sehat: healthy
sakit: sick ill
diizinkan: allowed permitted
dilarang: banned prohibited forbidden barred
asing: foreign
domestik: domestic
publik: public
swasta: private
internal: internal
eksternal: external
ramai: crowded busy
sepi: quiet deserted
optimis: optimistic
pesimis: pessimistic
optimistis: optimistic
pesimistis: pessimistic
mengakui: admit admitted acknowledged acknowledge
menyangkal: deny denied
ekspansi: expansion
kontraksi: contraction
inflasi: inflation
deflasi: deflation
menguat: strengthened strengthen firmed
melemah: weakened weaken
penguatan: strengthening
pelemahan: weakening
tumbuh: grow grew grown growth
menyusut: shrink shrank shrunk
menangkap: arrest arrested caught
membebaskan: release released freed
pemenang: winner winners
pecundang: loser losers
teratas: top
terbawah: bottom
terkaya: richest wealthiest
termiskin: poorest
terpanjang: longest
terpendek: shortest
senang: happy glad pleased delighted
sedih: sad upset unhappy
legal: legal legally lawful
ilegal: illegal illegally unlawful
penuh: full packed
kosong: empty vacant
"""


def _cue_words() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for line in ID_CUES.strip().splitlines():
        word, ens = line.split(":", 1)
        out.setdefault(word.strip(), set()).update(ens.split())
    return out


#: An English adjective or adverb the lexicon gives for a pair word (every sense: the WordNet
#: pairs and the Wiktionary/CLDR extras, read from the Indonesian side) says it
#: when the token table finds the pair word from it at least this well, as the rule measures it
#: ("wide" / "jauh" 0.58, "young" / "kecil" 0.48, "capital" / "besar" 0.47; against the sense
#: noise "wide" / "banyak" 0.10, "top" / "sukar" 0.07).
LEXICON_COVER = 0.45


def _lexicon_pairs(data_dir: Path) -> set[tuple[str, str]]:
    """(English word, Indonesian word) of every one-word entry of the lexicon whose English is
    an adjective or adverb (the WordNet synset of the entry: "-a", "-s", "-r"), as the words
    of the pairs are: nouns and verbs carry too many senses ("offer" / "lebih", "triumph" /
    "kalah")."""
    out: set[tuple[str, str]] = set()
    for name in ("en-id_wordnet_pairs.tsv", "en-id_wikt_cldr_extra_pairs.tsv"):
        for line in (data_dir / "lexicon" / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if not line.startswith("#") and len(parts) >= 3 and parts[2].strip()[-1:] in ("a", "s", "r"):
                out.add((parts[0].strip().lower(), parts[1].strip().lower()))
    return {(e, i) for e, i in out if re.fullmatch(r"[a-z]{3,}", e) and re.fullmatch(r"[a-z]+", i)}


def lexicon_english(data_dir: Path, words: set[str]) -> dict[str, set[str]]:
    """Indonesian pair word -> the English words the lexicon gives for it that the token table
    backs (:data:`LEXICON_COVER`, measured as :func:`fidelity.rules.word_cover` measures it at
    run time: the pair word's pieces found among the English word's)."""
    sys.path.insert(0, str(REPO))
    from fidelity.rules import word_cover

    by_word: dict[str, set[str]] = {}
    for e, i in _lexicon_pairs(data_dir):
        if i in words:
            by_word.setdefault(i, set()).add(e)
    out: dict[str, set[str]] = {}
    for i, ens in sorted(by_word.items()):
        ens_ = sorted(ens)
        cover = word_cover([i], ens_)[0]
        out[i] = {e for e, c in zip(ens_, cover) if c >= LEXICON_COVER}
    return out


def id_antonym_rows(data_dir: Path, wn_dir: Path) -> tuple[list[tuple[str, str]], dict[str, set[str]],
                                                              dict[str, set[str]]]:
    """The Indonesian antonym pairs (:data:`ID_ANTONYMS`, those joined from English pairs by
    :func:`wordnet_id_pairs`, and the :data:`ID_FRAMES` derivations of all of them) and, for
    each of their words, the English words that say it: curated (:data:`ID_FORMS`,
    :data:`ID_CUES`) and joined (:func:`wordnet_id_pairs`)."""
    curated = {tuple(sorted(x.split())) for x in ID_ANTONYMS.replace("\n", "|").split("|") if len(x.split()) == 2}
    joined = wordnet_id_pairs(data_dir, wn_dir)
    stop = set(read_lines(data_dir / "reference" / "stopwords_indonesian.txt"))
    known = set(read_lines(REPO / "models" / "wordlists" / "id.dict.txt"))
    english: dict[str, set[str]] = {}
    pairs = set(curated)
    for (x, y), (ex, ey) in joined.items():
        english.setdefault(x, set()).update(ex)
        english.setdefault(y, set()).update(ey)
        if x in known and y in known and not ({x, y} & stop) or (x, y) in curated:
            pairs.add((x, y))
    cues: dict[str, set[str]] = {}
    for line in ID_FORMS.strip().splitlines():
        word, forms = line.split(":", 1)
        for f in forms.split():
            cues.setdefault(f, set()).add(word)
    for word, ens in _cue_words().items():
        cues.setdefault(word, set()).update(ens)
    pairs |= derived_pairs(pairs, known)
    words = sorted({w for p in pairs for w in p})
    lexical = lexicon_english(data_dir, set(words))
    curated_en = set().union(*cues.values())
    for a, b in pairs:  # a word the lexicon gives for both words of a pair says neither, nor
        # does one curated for a pair word say another ("large" says "besar", not "banyak")
        both = (lexical.get(a, set()) & lexical.get(b, set())) | curated_en
        for w in (a, b):
            english.setdefault(w, set()).update(lexical.get(w, set()) - both)
    return sorted(pairs), {w: cues.get(w, set()) for w in words}, {w: english.get(w, set()) - cues.get(w, set())
                                                                   for w in words}


def read_lines(path: Path) -> list[str]:
    """The non-comment lines of a word list, stripped and lower-cased."""
    return [l.strip().lower() for l in path.read_text(encoding="utf-8").splitlines()
            if l.strip() and not l.startswith("#")]


#: A bigram of the training text is shipped when it holds a word of the Indonesian antonym
#: table and occurs at least this often.
CONTEXT_MIN = 3


def context_rows(data_dir: Path, words: set[str]) -> list[tuple[str, str, int]]:
    """(left word, right word, count) of the bigrams of the Indonesian training text (the
    text the Punkt parameters and the language lists are built from; never ``dev/``) that
    hold a word of ``words`` ("duta besar", "salah satu", "benar-benar" as "benar benar"),
    and (word, "", count) for every word of those bigrams: how strongly a neighbour calls
    for a word ("duta" 9 times, 5 of them before "besar")."""
    counts: Counter[tuple[str, str]] = Counter()
    single: Counter[str] = Counter()
    for line in read_training_lines(data_dir, "id"):
        toks = [w.lower() for w in re.findall(r"[^\W\d_]+", line)]
        single.update(toks)
        counts.update(p for p in zip(toks, toks[1:]) if p[0] in words or p[1] in words)
    kept = sorted((a, b, n) for (a, b), n in counts.items() if n >= CONTEXT_MIN)
    seen = {w for a, b, _ in kept for w in (a, b)}
    return kept + sorted((w, "", single[w]) for w in seen)

#: A two-word Indonesian rendering the lexicon gives for an English word ("capital" -> "huruf
#: besar", "weekend" -> "akhir pekan") is shipped when the token table finds it from the word
#: at least this well ("capital" / "huruf besar" 0.57; sense noise "capital" / "ibu negeri"
#: 0.24, "parent" / "membesarkan").
PHRASE_COVER = 0.45


def phrase_rows(data_dir: Path, words: set[str]) -> list[tuple[str, str, str]]:
    """(English word, left word, right word) of the lexicon's two-word Indonesian renderings
    of one English word (WordNet pairs and the Wiktionary/CLDR extras) that hold a word of
    ``words`` (the antonym table's) and that the token table backs (:data:`PHRASE_COVER`)."""
    sys.path.insert(0, str(REPO))
    from fidelity.rules import word_cover

    by_phrase: dict[str, set[str]] = {}
    for name in ("en-id_wordnet_pairs.tsv", "en-id_wikt_cldr_extra_pairs.tsv"):
        for line in (data_dir / "lexicon" / name).read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if line.startswith("#") or len(parts) < 2:
                continue
            en, idn = parts[0].strip().lower(), parts[1].strip().lower()
            two = idn.split()
            if re.fullmatch(r"[a-z]{3,}", en) and len(two) == 2 and all(re.fullmatch(r"[a-z]+", w) for w in two) \
                    and set(two) & words:
                by_phrase.setdefault(idn, set()).add(en)
    out = []
    for idn, ens in sorted(by_phrase.items()):
        ens_ = sorted(ens)
        cover = word_cover([idn], ens_)[0]
        left, right = idn.split()
        out += [(e, left, right) for e, c in zip(ens_, cover) if c >= PHRASE_COVER]
    return sorted(out)


def antonym_rows(data_dir: Path) -> list[tuple[str, str, set[str], set[str]]]:
    """(English word, its antonym, Indonesian words of the word, of the antonym) for every
    pair of :data:`ANTONYMS`, each way round; Indonesian words from the lexicon's WordNet pairs
    (single words, those of both sides dropped: a word cannot tell them apart) and
    :data:`ID_FORMS`."""
    ids: dict[str, set[str]] = {}
    for line in (data_dir / "lexicon" / "en-id_wordnet_pairs.tsv").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("#") or len(parts) < 2 or " " in parts[1]:
            continue
        ids.setdefault(parts[0].lower(), set()).add(parts[1].lower())
    curated: dict[str, set[str]] = {}
    for line in ID_FORMS.strip().splitlines():
        word, forms = line.split(":", 1)
        curated.setdefault(word, set()).update(forms.split())
    pairs = {tuple(x.split()) for x in ANTONYMS.replace("\n", "|").split("|") if x.strip()}
    pairs |= {(b, a) for a, b in pairs}
    kept = {w: _translations(w, ids.get(w, set())) | curated.get(w, set()) for pair in pairs for w in pair}
    rows = []
    for a, b in sorted(pairs):
        both = kept[a] & kept[b]
        ia, ib = kept[a] - both, kept[b] - both
        if ia and ib:
            rows.append((a, b, ia, ib))
    return rows


#: An Indonesian lexicon word renders an English word when the model's token table puts it
#: (or its stem) this close: "rise"/"naik" 0.61, "slow"/"lambat" 0.82 ("fall"/"turun" 0.42 is curated),
#: against the sense noise "rise"/"keluar" 0.04, "slow"/"bodoh" -0.11, "open"/"jelas" 0.12.
TRANSLATION_COVER = 0.5


def _translations(word: str, candidates: set[str], cover: float = TRANSLATION_COVER) -> set[str]:
    """The ``candidates`` the token table finds close to ``word`` (the lexicon joins every
    lemma of every sense: "rise" -> "iklan", "hidup", "keluar" ...)."""
    if not candidates:
        return set()
    import numpy as np

    sys.path.insert(0, str(REPO))
    from fidelity.features import _id_stems
    from fidelity.lexical import Lexicon

    lex = Lexicon.default()
    cands = sorted(candidates)
    forms = [[c] + _id_stems(c) for c in cands]
    flat = [f for fs in forms for f in fs]
    cover_ = lex.coverage(lex.tokens(flat), np.arange(len(flat)), lex.tokens([word]),
                         np.zeros(len(flat), dtype=np.int64))
    out, k = set(), 0
    for c, fs in zip(cands, forms):
        if max(cover_[k:k + len(fs)]) >= cover:
            out.add(c)
        k += len(fs)
    return out


def build_tables(data_dir: Path, out_dir: Path, wn_dir: Path = DEFAULT_WORDNET) -> None:
    """Write ``exonyms.tsv``, ``antonyms_id.tsv`` and ``antonyms.tsv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ex = exonym_rows(data_dir)
    path = out_dir / "exonyms.tsv"
    path.write_text("# english name key<TAB>indonesian forms (space separated); built by "
                    "models/build_wordlists.py --tables from the lexicon and its COUNTRIES list\n"
                    + "".join(f"{k}\t{' '.join(sorted(v))}\n" for k, v in sorted(ex.items())), encoding="utf-8")
    print(f"exonyms: {len(ex)} English keys -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")
    pairs, cues, english = id_antonym_rows(data_dir, wn_dir)
    path = out_dir / "antonyms_id.tsv"
    path.write_text("# indonesian word<TAB>its antonym<TAB>curated english words that say the first<TAB>... the "
                    "second<TAB>english words of the first joined through the lexicon<TAB>... of the second; each "
                    "pair once; built by models/build_wordlists.py --tables (WordNet antonyms joined through the "
                    "lexicon, ID_ANTONYMS, ID_FRAMES derivations; ID_FORMS and ID_CUES)\n"
                    + "".join(f"{a}\t{b}\t{' '.join(sorted(cues[a]))}\t{' '.join(sorted(cues[b]))}"
                              f"\t{' '.join(sorted(english[a]))}\t{' '.join(sorted(english[b]))}\n"
                              for a, b in pairs), encoding="utf-8")
    print(f"antonyms_id: {len(pairs)} pairs -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")
    rows = context_rows(data_dir, set(cues))
    path = out_dir / "antonyms_context.tsv"
    path.write_text("# left word<TAB>right word<TAB>count: bigrams of the Indonesian training text holding a word "
                    f"of antonyms_id.tsv, seen >= {CONTEXT_MIN} times; built by models/build_wordlists.py --tables\n"
                    + "".join(f"{a}\t{b}\t{n}\n" for a, b, n in rows), encoding="utf-8")
    print(f"antonyms_context: {len(rows)} bigrams -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")
    rows = phrase_rows(data_dir, set(cues))
    path = out_dir / "antonyms_phrases.tsv"
    path.write_text("# english word<TAB>left word<TAB>right word: two-word Indonesian renderings the lexicon gives for "
                    f"the word that hold a word of antonyms_id.tsv, token cover >= {PHRASE_COVER}; built by "
                    "models/build_wordlists.py --tables\n" + "".join(f"{e}\t{a}\t{b}\n" for e, a, b in rows),
                    encoding="utf-8")
    print(f"antonyms_phrases: {len(rows)} phrases -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")
    rows = antonym_rows(data_dir)
    path = out_dir / "antonyms.tsv"
    path.write_text("# english<TAB>antonym<TAB>indonesian of english<TAB>indonesian of antonym; built by "
                    "models/build_wordlists.py --tables (curated ANTONYMS joined through the lexicon)\n"
                    + "".join(f"{a}\t{b}\t{' '.join(sorted(ia))}\t{' '.join(sorted(ib))}\n"
                              for a, b, ia, ib in rows), encoding="utf-8")
    print(f"antonyms: {len(rows)} rows -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m models.build_wordlists", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    p.add_argument("--size", type=int, default=DEFAULT_SIZE, help="frequent words considered per language")
    p.add_argument("--evaluate", action="store_true", help="only measure the shipped lists on held-out news")
    p.add_argument("--tables", action="store_true", help="build exonyms.tsv and antonyms.tsv instead")
    p.add_argument("--wordnet", type=Path, default=DEFAULT_WORDNET,
                   help="WordNet 3.0 database folder, data.adj etc. (default: %(default)s)")
    args = p.parse_args(argv)
    if args.tables:
        build_tables(args.data, args.out, args.wordnet)
    elif args.evaluate:
        evaluate(args.data)
    else:
        build(args.data, args.out, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
