"""Names that a correct English -> Indonesian translation writes differently.

Country, city and institution names and their adjectives have established Indonesian forms
("United States" -> "AS"/"Amerika Serikat", "Tehran" -> "Teheran", "United Nations" -> "PBB",
"Chilean" -> "Chili", "The Hague" -> "Den Haag"). A name changed this way is not drift. Keys
and values are lower case, accents folded. Two sources: the hand-written :data:`_PAIRS` below
(abbreviations, institutions) and the shipped table ``models/wordlists/exonyms.tsv`` (built by
``models/build_wordlists.py --tables`` from the lexicon's capitalised entries and a list of
countries, demonyms and cities).
"""

from __future__ import annotations

from functools import lru_cache

_PAIRS = """
us|u.s|united states|america|american|americans: as amerika serikat amerika
un|u.n|united nations: pbb perserikatan bangsa-bangsa
uk|u.k|britain|british|england|english: inggris britania
eu|e.u|european union: ue uni eropa
europe|european|europeans: eropa
tehran: teheran
iranian|iranians: iran
indonesian|indonesians: indonesia
chinese|china: china tiongkok cina
japan|japanese: jepang
egypt|egyptian: mesir
netherlands|dutch|holland: belanda
germany|german|germans: jerman
france|french: prancis perancis
saudi|saudi arabia|saudis: saudi arab
switzerland|swiss: swiss
philippines|filipino|philippine: filipina
south korea|south korean: korea selatan korsel
north korea|north korean: korea utara korut
korea|korean: korea
russia|russian|russians: rusia
thai|thailand: thailand
vietnam|vietnamese: vietnam
malaysia|malaysian: malaysia
singapore|singaporean: singapura
australia|australian: australia
new zealand: selandia baru
africa|african: afrika
asia|asian: asia
middle east: timur tengah
white house: gedung putih
congress: kongres
senate: senat
supreme court: mahkamah agung
democrat|democrats|democratic: demokrat demokratik
republican|republicans: republik republikan
israeli|israelis: israel
palestinian|palestinians|palestine: palestina
pakistani|pakistanis: pakistan
afghan|afghans: afghanistan
iraq|iraqi|iraqis: irak
syria|syrian|syrians: suriah
turkey|turkish|turkiye: turki
greece|greek: yunani
spain|spanish: spanyol
italy|italian: italia
norway|norwegian: norwegia
sweden|swedish: swedia
poland|polish: polandia
ukraine|ukrainian|ukrainians: ukraina
denmark|danish: denmark
belgium|belgian: belgia
portugal|portuguese: portugis
brazil|brazilian: brasil
mexico|mexican: meksiko
canada|canadian: kanada
india|indian: india
muslim|muslims|islamic: muslim islam
christian|christians: kristen kristiani
christmas: natal
easter|passover: paskah
lent: prapaskah
eid|eid al-fitr: idul fitri lebaran
eid al-adha: idul adha
ramadan: ramadan ramadhan
tory|tories: konservatif tory
catholic: katolik
pope: paus
jerusalem: yerusalem
moscow: moskow
beijing: beijing
new york: new york
ala: alabama
ariz: arizona
ark: arkansas
calif: california
colo: colorado
conn: connecticut
del: delaware
fla: florida
ga: georgia
ill: illinois
ind: indiana
kan|kans: kansas
ky: kentucky
la: louisiana
md: maryland
mass: massachusetts
mich: michigan
minn: minnesota
miss: mississippi
mo: missouri
mont: montana
neb: nebraska
nev: nevada
okla: oklahoma
ore: oregon
pa|penn: pennsylvania
tenn: tennessee
tex: texas
va: virginia
vt: vermont
wash: washington
wis: wisconsin
wyo: wyoming
secret service: dinas rahasia
east timor|timorese: timor leste
java|javanese: jawa
sumatra|sumatran: sumatera
borneo: kalimantan
moluccas: maluku
celebes: sulawesi
papua new guinea: papua nugini
ivory coast|ivorian|ivorians: pantai gading
united arab emirates|emirati|emiratis: uni emirat arab uea
maldives: maladewa
djibouti: jibuti djibouti
rome: roma
athens: athena
venice: venesia
florence: firenze
seville: sevilla
belgrade: beograd
bucharest: bukares bukarest
foreign ministry: kementerian luar negeri
state department: departemen luar negeri
justice department|department of justice: departemen kehakiman
"""


#: Compass words, English and Indonesian: in a multi-word name each renders the other's
#: compass word only, so "Selatan" never explains "Korea" ("South Korea" -> "Assad Selatan"
#: is a changed name).
_COMPASS_EN = {"north", "south", "east", "west", "middle", "central"}
_COMPASS_ID = {"utara", "selatan", "timur", "barat", "tengah"}


def _shipped() -> list[str]:
    """The shipped table's lines as "key: forms" (none when it is missing)."""
    from . import models_dir

    try:
        text = (models_dir() / "wordlists" / "exonyms.tsv").read_text(encoding="utf-8")
    except OSError:
        return []
    return [line.replace("\t", ":", 1) for line in text.splitlines()
            if line and not line.startswith("#") and "\t" in line]


def entries() -> list[tuple[list[str], set[str]]]:
    """Every entry of both tables: its English names (dots kept: "u.s.") and the words of
    their Indonesian forms."""
    out = []
    for line in _PAIRS.strip().splitlines() + _shipped():
        left, right = line.split(":", 1)
        out.append(([key.strip() for key in left.split("|")], set(right.split())))
    return out


def one_word_names() -> dict[str, set[str]]:
    """English names of one word (or one dotted abbreviation: "u.s." as "us") and the words
    of their Indonesian forms. A name of several words ("south korea: korea selatan") is left
    out: its entry pairs every English word with every Indonesian one, so "south" would
    render "korea"."""
    out: dict[str, set[str]] = {}
    for keys, forms in entries():
        for key in keys:
            key = key.replace(".", "")
            if key and " " not in key:
                out.setdefault(key, set()).update(forms)
    return out


def _build() -> dict[str, frozenset[str]]:
    """English word -> the Indonesian words that render it, from every word of every entry's
    names. A word of a name of several words renders every word of its forms but two kinds:
    the compass words (:data:`_COMPASS_ID`), and, outside the compass words, the words the
    name writes alike in both languages, which only their own word renders ("Papua" is no
    rendering of "new" in "Papua New Guinea" / "Papua Nugini", "Arab" none of "united"):
    else any "new" of a source would explain a "Papua" put in."""
    table: dict[str, set[str]] = {}
    for keys, forms in entries():
        for key in keys:
            words = key.replace(".", "").split()
            for word in words:
                table.setdefault(word, set()).update(
                    forms if word in _COMPASS_EN else forms - _COMPASS_ID - (set(words) - {word}))
    return {k: frozenset(v) for k, v in table.items()}


EN_TO_ID: dict[str, frozenset[str]] = _build()
ID_TO_EN: dict[str, frozenset[str]] = {}
for _en, _ids in EN_TO_ID.items():
    for _w in _ids:
        ID_TO_EN.setdefault(_w, frozenset())
        ID_TO_EN[_w] = ID_TO_EN[_w] | {_en}


def equivalents(key: str, from_lang: str, to_lang: str) -> frozenset[str]:
    """Words that render name ``key`` in ``to_lang`` (empty when unknown or same language)."""
    if from_lang == "en" and to_lang == "id":
        return EN_TO_ID.get(key, frozenset())
    if from_lang == "id" and to_lang == "en":
        return ID_TO_EN.get(key, frozenset())
    return frozenset()
