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
and ``antonyms.tsv``, English antonym pairs (:data:`ANTONYMS`) with the Indonesian words of
each side, joined through the WordNet pairs of the lexicon.

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
"""


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


def _translations(word: str, candidates: set[str]) -> set[str]:
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
    cover = lex.coverage(lex.tokens(flat), np.arange(len(flat)), lex.tokens([word]),
                         np.zeros(len(flat), dtype=np.int64))
    out, k = set(), 0
    for c, fs in zip(cands, forms):
        if max(cover[k:k + len(fs)]) >= TRANSLATION_COVER:
            out.add(c)
        k += len(fs)
    return out


def build_tables(data_dir: Path, out_dir: Path) -> None:
    """Write ``exonyms.tsv`` and ``antonyms.tsv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ex = exonym_rows(data_dir)
    path = out_dir / "exonyms.tsv"
    path.write_text("# english name key<TAB>indonesian forms (space separated); built by "
                    "models/build_wordlists.py --tables from the lexicon and its COUNTRIES list\n"
                    + "".join(f"{k}\t{' '.join(sorted(v))}\n" for k, v in sorted(ex.items())), encoding="utf-8")
    print(f"exonyms: {len(ex)} English keys -> {path.relative_to(REPO)} ({path.stat().st_size / 1024:.0f} KB)")
    pairs = sorted({tuple(x.split()) for x in ID_ANTONYMS.replace("\n", "|").split("|") if len(x.split()) == 2})
    path = out_dir / "antonyms_id.tsv"
    path.write_text("# indonesian word<TAB>its antonym (each pair once); built by models/build_wordlists.py "
                    "--tables from its ID_ANTONYMS list\n" + "".join(f"{a}\t{b}\n" for a, b in pairs), encoding="utf-8")
    print(f"antonyms_id: {len(pairs)} pairs -> {path.relative_to(REPO)}")
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
    args = p.parse_args(argv)
    if args.tables:
        build_tables(args.data, args.out)
    elif args.evaluate:
        evaluate(args.data)
    else:
        build(args.data, args.out, args.size)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
