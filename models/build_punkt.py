"""Build the shipped Punkt sentence-segmenter parameters ``models/punkt/{en,id}.json``.

    python -m models.build_punkt [--data ../shared/data] [--lang en id] [--compare]

NLTK's unsupervised :class:`~nltk.tokenize.punkt.PunktTrainer` learns abbreviations,
collocations, frequent sentence starters and the orthographic context (in which case and
position each word is seen) from the English or the Indonesian side of the public parallel
data (Guntara et al. general + religious, NusaX-MT).  Hand-written abbreviation lists (news
titles, ranks, US state abbreviations, Indonesian titles and ranks) are added on top, and a
few words are kept out on purpose: Indonesian ``AS`` ("Amerika Serikat") usually ends a
sentence, so it must never become an abbreviation.

The development set (``dev/news_valid``) is not trained on: it is held out to measure the
segmenter (``--compare``) against NLTK's own English parameters
(``reference/nltk-punkt-english``, compared only, never shipped).

The output is plain JSON (no pickle) that :func:`fidelity.segment.load_params` reads.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer, PunktTrainer

from fidelity.segment import SENTENCE_STARTERS as RUN_IN_STARTERS

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "models" / "punkt"

#: Line-aligned training files of Guntara et al. (2020), read in this order.
MT_FILES = ("general_valid", "general_test", "religious_valid", "religious_test")
#: NusaX-MT splits; column ``english`` or ``indonesian``.
NUSAX_FILES = ("mt_train", "mt_valid", "mt_test")
NUSAX_COLUMN = {"en": "english", "id": "indonesian"}

#: Training lines grouped into one paragraph of running text.
LINES_PER_PARAGRAPH = 5
#: ortho_context entries of words seen fewer times than this are dropped (lossy pruning).
MIN_ORTHO_COUNT = 2

# Abbreviations are lowercase and without their final period ("u.s" for "U.S.").
ENGLISH_ABBREVIATIONS = frozenset("""
mr mrs ms messrs mmes dr prof rev fr sr jr st mt ft hon amb
gen gens lt col maj capt cmdr adm sgt cpl pvt brig gov govs sen sens rep reps pres supt
insp det atty asst assoc
inc corp co cos ltd llc plc bros assn dept univ govt intl
no nos vs v etc approx est fig figs vol vols ch sec pp ed eds al cf e.g i.e viz ca ph.d m.d
b.a m.a m.b.a d.d.s ave blvd rd hwy
u.s u.s.a u.k u.n e.u d.c n.y.c l.a u.s.s.r
jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri
ala ariz ark calif colo conn del fla ga ill ind kan kans ky la md mass mich minn miss mo mont
neb nev n.h n.j n.m n.y n.c n.d okla ore pa r.i s.c s.d tenn tex va vt wash w.va wis wyo
a.m p.m
""".split())

INDONESIAN_ABBREVIATIONS = frozenset("""
dll dsb dst dkk tsb yth ybs sda
jl jln gg kab kec kel prov ds
dr drg drs dra prof ir h hj kh moh muh mhd moch abd tn ny nn sdr sdri bpk bp
kol jend mayjen letjen brigjen kapt lettu letda serma sertu pelda
laksma laksda laksdya marsma marsda marsdya
kompol kombes irjen komjen ipda iptu akp aiptu aipda bripka brigpol
st sh se mm mh msi mpd spd skom ssos sag s.h s.e s.t s.pd s.kom s.sos s.ag s.hum s.ked
m.m m.h m.si m.pd m.kes m.sc b.sc ph.d
no hlm tgl thn bln pt cv tbk rp a.n u.p s.d d.a
mr mrs ms vs inc corp co ltd jr sr
""".split())

#: Titles written before a name: never the end of a sentence (see fidelity.segment.TitledPunkt).
NAME_TITLES = {
    "en": frozenset("""
mr mrs ms messrs mmes dr prof rev fr gen gens lt col maj capt cmdr adm sgt cpl pvt brig gov govs
sen sens rep reps pres supt insp det atty amb hon mt ft
""".split()),
    "id": frozenset("""
dr drg drs dra prof ir hj kh moh muh mhd moch abd tn ny nn sdr sdri bpk bp yth jl jln gg
kol jend mayjen letjen brigjen kapt lettu letda serma sertu pelda laksma laksda laksdya marsma
marsda marsdya kompol kombes irjen komjen ipda iptu akp aiptu aipda bripka brigpol mr mrs ms
""".split()),
}

#: Never abbreviations: a learned or listed one of these is removed.  Indonesian "AS." is
#: "Amerika Serikat" at the end of a sentence ("... di AS. Presiden ..."); acronyms of
#: institutions behave the same; "us"/"as" are ordinary words in English.
NEVER_ABBREVIATIONS = {
    "en": frozenset({"as", "us", "is", "it", "in", "on", "at", "to", "so", "or", "an", "am"}),
    "id": frozenset({"as", "ri", "pbb", "dpr", "mpr", "tni", "polri", "kpk", "uu", "ini", "itu",
                     "ia", "dia", "di", "ke", "ya", "an", "am"}),
}
ABBREVIATIONS = {"en": ENGLISH_ABBREVIATIONS, "id": INDONESIAN_ABBREVIATIONS}

#: Words that open sentences far more than they follow an abbreviation inside one: subject
#: pronouns and sentence connectives. Punkt ends a sentence after an abbreviation when the next
#: word is a capitalised frequent sentence starter ("... enlisting in Sept. He was ...", "...
#: di AS. Mereka ..."); the small training text finds few of them, so they are listed. Name
#: titles (Mr., Dr., Ny.) never end a sentence whatever follows (fidelity.segment.TitledPunkt).
#: The segmenter's own list (its rule 4 ends an unpunctuated sentence before them), plus the
#: formal "Anda", which is capitalised anywhere and so starts a sentence only after a stop.
SENTENCE_STARTERS = {lang: words | ({"anda"} if lang == "id" else set())
                     for lang, words in RUN_IN_STARTERS.items()}

_ABBREV_SHAPE = re.compile(r"^[a-z][a-z.]*$")
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*$")


class GuidedTrainer(PunktTrainer):
    """A PunktTrainer that starts from a fixed abbreviation list and respects a block list.

    Punkt's statistics re-classify every period-final type; listed abbreviations are protected
    from removal (a title like "Gen." can be rare in the training text) and blocked words are
    never added, so the orthographic data collected during training already treats them right.
    """

    def __init__(self, listed: Iterable[str], blocked: Iterable[str]) -> None:
        super().__init__()
        self._listed = frozenset(listed)
        self._blocked = frozenset(blocked)
        self._params.abbrev_types.update(self._listed - self._blocked)

    def _reclassify_abbrev_types(self, types):  # type: ignore[override]
        for abbr, score, is_add in super()._reclassify_abbrev_types(types):
            if is_add and abbr in self._blocked:
                continue
            if not is_add and abbr in self._listed:
                continue
            yield abbr, score, is_add

    def _is_rare_abbrev_type(self, cur_tok, next_tok):  # type: ignore[override]
        if cur_tok.type_no_sentperiod.rstrip(".") in self._blocked:
            return False
        return super()._is_rare_abbrev_type(cur_tok, next_tok)

    @property
    def type_counts(self):
        """Frequency of each case-normalised token type seen in training."""
        return self._type_fdist


# --------------------------------------------------------------------------- data


def _clean(line: str) -> str:
    return " ".join(line.split())


def read_training_lines(data_dir: Path, lang: str) -> list[str]:
    """Sentences of one language from the training part of the public data, in file order.

    ``dev/`` is never read here: it stays held out for the comparisons.
    """
    lines: list[str] = []
    mt_dir = data_dir / "parallel" / "indonesian-mt-data"
    for stem in MT_FILES:
        lines += (mt_dir / f"{stem}.{lang}").read_text(encoding="utf-8").splitlines()
    for stem in NUSAX_FILES:
        with (data_dir / "parallel" / "nusax" / f"{stem}.csv").open(encoding="utf-8", newline="") as f:
            lines += [row[NUSAX_COLUMN[lang]] for row in csv.DictReader(f)]
    return [c for c in (_clean(line) for line in lines) if c]


def running_text(lines: list[str], per_paragraph: int = LINES_PER_PARAGRAPH) -> str:
    """Join one-sentence lines into paragraphs of running text for Punkt training.

    A line that ends with sentence punctuation is joined to the next with a space; one that
    does not (many religious-domain lines lack a final period) ends its output line, so the
    next capitalised word is counted as "unknown position" rather than as a capital letter in
    the middle of a sentence.
    """
    paragraphs = []
    for i in range(0, len(lines), per_paragraph):
        parts = []
        for line in lines[i:i + per_paragraph]:
            parts.append(line + (" " if _SENTENCE_END.search(line) else "\n"))
        paragraphs.append("".join(parts).strip())
    return "\n\n".join(paragraphs)


# --------------------------------------------------------------------------- build


def credible_learned(abbr: str, counts) -> bool:
    """Keep a learned abbreviation only with some evidence behind it.

    Punkt's "rare abbreviation" rule adds any word seen once before a lowercase word, and the
    NusaX reviews start many sentences in lowercase, so hapaxes like "gym." or "won." turn up.
    Kept: single letters (initials), dotted forms ("a.k.a", "b.c") and words seen at least
    twice with their period; never tokens with digits or other symbols.
    """
    if not _ABBREV_SHAPE.match(abbr):
        return False
    return len(abbr) == 1 or "." in abbr or counts[abbr + "."] >= 2


def train(lang: str, lines: list[str]) -> tuple[PunktParameters, GuidedTrainer]:
    """Train Punkt parameters for ``lang`` on ``lines`` with the listed abbreviations."""
    listed = (ABBREVIATIONS[lang] | NAME_TITLES[lang]) - NEVER_ABBREVIATIONS[lang]
    trainer = GuidedTrainer(listed, NEVER_ABBREVIATIONS[lang])
    trainer.train(running_text(lines), finalize=True)
    params = trainer.get_params()
    learned = {a for a in params.abbrev_types - listed if credible_learned(a, trainer.type_counts)}
    params.abbrev_types = set(listed) | learned
    params.sent_starters |= SENTENCE_STARTERS[lang]
    return params, trainer


def _ortho_matters(flags: int) -> bool:
    """False when an ortho_context entry decides nothing that an absent entry would not.

    Punkt only reads ortho_context in its orthographic heuristic: a capitalised word is a
    sentence starter when it was seen lowercase and never capitalised mid-sentence; a
    lowercase word is "not a starter" when seen capitalised or never lowercase at a sentence
    start.  An entry with the mid-sentence-uppercase flag, or without any lowercase flag,
    gives exactly the answers of a missing entry (0), so it can be dropped losslessly.
    """
    from nltk.tokenize.punkt import _ORTHO_LC, _ORTHO_MID_UC

    return bool(flags & _ORTHO_LC) and not (flags & _ORTHO_MID_UC)


def prune_ortho(params: PunktParameters, counts, min_count: int = MIN_ORTHO_COUNT) -> dict[str, int]:
    """The ortho_context entries worth shipping: useful ones of words seen ``min_count`` times."""
    kept = {}
    for typ, flags in params.ortho_context.items():
        if not _ortho_matters(flags):
            continue
        if counts[typ] + counts[typ + "."] < min_count:
            continue
        kept[typ] = flags
    return kept


def to_json(lang: str, params: PunktParameters, ortho: dict[str, int], n_lines: int) -> dict:
    """The JSON document of ``models/punkt/<lang>.json``."""
    return {
        "format": "fidelity-punkt/1",
        "language": lang,
        "trained_on_lines": n_lines,
        "name_titles": sorted(NAME_TITLES[lang]),
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(ortho.items())),
    }


def write_json(doc: dict, path: Path) -> None:
    """Write compact, deterministic JSON (one ortho entry per line keeps diffs readable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    head = {k: v for k, v in doc.items() if k != "ortho_context"}
    body = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    ortho = ",\n".join(f"  {json.dumps(k, ensure_ascii=False)}:{v}" for k, v in doc["ortho_context"].items())
    path.write_text(f'{body},\n "ortho_context": {{\n{ortho}\n }}\n}}\n', encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # fail loudly on a formatting slip


def build(data_dir: Path, out_dir: Path, langs: Iterable[str]) -> None:
    for lang in langs:
        lines = read_training_lines(data_dir, lang)
        params, trainer = train(lang, lines)
        ortho = prune_ortho(params, trainer.type_counts)
        doc = to_json(lang, params, ortho, len(lines))
        path = out_dir / f"{lang}.json"
        write_json(doc, path)
        print(f"{lang}: {len(lines)} training lines -> {path.relative_to(REPO)} "
              f"({path.stat().st_size / 1024:.0f} KB): {len(doc['abbrev_types'])} abbreviations, "
              f"{len(doc['collocations'])} collocations, {len(doc['sent_starters'])} sentence starters, "
              f"{len(ortho)} of {len(params.ortho_context)} ortho entries kept")


# --------------------------------------------------------------------------- compare


def load_punkt_tab(folder: Path) -> PunktParameters:
    """Read NLTK's punkt_tab format (the reference English model) into PunktParameters."""
    params = PunktParameters()
    read = lambda name: (folder / name).read_text(encoding="utf-8").splitlines()  # noqa: E731
    params.abbrev_types = {line for line in read("abbrev_types.txt") if line}
    params.sent_starters = {line for line in read("sent_starters.txt") if line}
    params.collocations = {tuple(line.split("\t")) for line in read("collocations.tab") if line}
    for line in read("ortho_context.tab"):
        if line:
            word, flags = line.rsplit("\t", 1)
            params.ortho_context[word] = int(flags)
    return params


def comparison_texts(data_dir: Path) -> dict[str, list[str]]:
    """English test material as lists of paragraphs: held-out news, general text, the seeds."""
    news = [_clean(x) for x in (data_dir / "dev" / "news_valid.en").read_text(encoding="utf-8").splitlines()]
    news = [x for x in news if x]
    general = [_clean(x) for x in (data_dir / "parallel" / "indonesian-mt-data" / "general_valid.en")
               .read_text(encoding="utf-8").splitlines()]
    general = [x for x in general if x]
    group = lambda xs: [" ".join(xs[i:i + 5]) for i in range(0, len(xs), 5)]  # noqa: E731
    seeds = []
    for path in sorted((REPO / "seeds").glob("*.en.txt")):
        seeds += [p.strip() for p in path.read_text(encoding="utf-8").splitlines() if p.strip()]
    return {"news_valid.en (5-line paragraphs)": group(news),
            "general_valid.en (5-line paragraphs)": group(general),
            "seeds/*.en.txt (paragraphs)": seeds}


def boundaries(split: Callable[[str], list[int]], paragraphs: list[str]) -> set[tuple[int, int]]:
    """Sentence-internal boundaries as (paragraph number, offset of the next sentence)."""
    return {(i, cut) for i, para in enumerate(paragraphs) for cut in split(para)}


def punkt_cuts(tokenizer: PunktSentenceTokenizer) -> Callable[[str], list[int]]:
    """Boundaries found by a bare Punkt tokenizer."""
    return lambda para: [start for start, _ in list(tokenizer.span_tokenize(para))[1:]]


def segmenter_cuts(lang: str) -> Callable[[str], list[int]]:
    """Boundaries found by the full segmenter (Punkt plus fidelity.segment's own rules)."""
    from fidelity.segment import sentence_spans

    return lambda para: [start for start, _ in sentence_spans(para, lang)[1:]]


def agreement(ours: set, ref: set) -> dict[str, float]:
    """Boundary agreement, F1 style, taking the reference as the "gold" side."""
    both = len(ours & ref)
    precision = both / len(ours) if ours else 1.0
    recall = both / len(ref) if ref else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"ours": len(ours), "reference": len(ref), "both": both,
            "precision": precision, "recall": recall, "f1": f1}


def _print_row(name: str, r: dict) -> None:
    print(f"  {name:38s} ours {r['ours']:5d}  nltk {r['reference']:5d}  both {r['both']:5d}  "
          f"P {r['precision']:.4f}  R {r['recall']:.4f}  F1 {r['f1']:.4f}")


def compare(data_dir: Path, out_dir: Path, show: int = 6) -> dict[str, float]:
    """Print the boundary agreement of the shipped English segmenter with NLTK's; return F1s.

    Two rows per text: the shipped parameters in bare Punkt (with the name-title rule), and
    the whole segmenter of :mod:`fidelity.segment` (adds the glued-end and lowercase rules).
    """
    sys.path.insert(0, str(REPO))
    from fidelity.segment import load_tokenizer

    ref = punkt_cuts(PunktSentenceTokenizer(load_punkt_tab(data_dir / "reference" / "nltk-punkt-english")))
    systems = {"punkt params": punkt_cuts(load_tokenizer(out_dir / "en.json"))}
    if out_dir.resolve() == DEFAULT_OUT.resolve():
        systems["full segmenter"] = segmenter_cuts("en")
    print(f"Sentence-boundary agreement with NLTK punkt_tab english ({out_dir / 'en.json'}):")
    result = {}
    for system, split in systems.items():
        print(f" {system}:")
        total_ours: set = set()
        total_ref: set = set()
        for k, (name, paragraphs) in enumerate(comparison_texts(data_dir).items()):
            a, b = boundaries(split, paragraphs), boundaries(ref, paragraphs)
            _print_row(name, agreement(a, b))
            total_ours |= {(k, *x) for x in a}
            total_ref |= {(k, *x) for x in b}
            for label, diff in (("only ours", a - b), ("only nltk", b - a)):
                for p, off in sorted(diff)[:show]:
                    text = paragraphs[p]
                    print(f"      {label}: ...{text[max(0, off - 40):off]}|{text[off:off + 30]}...")
        r = agreement(total_ours, total_ref)
        _print_row("all", r)
        result[system] = r["f1"]
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m models.build_punkt", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="public data folder (default: %(default)s)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: %(default)s)")
    p.add_argument("--lang", nargs="+", default=["en", "id"], choices=["en", "id"])
    p.add_argument("--compare", action="store_true",
                   help="only compare the English parameters in --out with NLTK's (no build)")
    args = p.parse_args(argv)
    if args.compare:
        compare(args.data, args.out)
    else:
        build(args.data, args.out, args.lang)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
