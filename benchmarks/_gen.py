"""Shared test-document generators for the speed and accuracy benchmarks.

Two kinds of document pairs are built from public English-Indonesian parallel text:

* :func:`speed_pair`: a long English/Indonesian document pair of ``n`` units per side, shuffled,
  with planted omissions and additions, for timing. The units come from a pool of parallel
  sentence pairs (:func:`load_pool`); to reach 50,000 *distinct* units from a pool of about
  17,000 pairs, a fixed share of units (the same at every size, so the average sentence length
  does not change with the size) is two pool sentences joined by a semicolon.
* :func:`accuracy_doc`: a news document of 20-60 line-aligned sentences from the development
  set, grouped into paragraphs, whose Indonesian side is perturbed with seeded edits (deleted
  sentences and paragraphs, inserted sentences and scrape junk, merged and split sentences,
  changed names and numbers). Every target unit remembers which source units it translates,
  so the true alignment and the planted problems are known exactly.

Reading ``../shared/data`` is allowed here (benchmarks), never in the ``fidelity`` package.
"""

from __future__ import annotations

import csv
import difflib
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data"

#: Line-aligned parallel files (English path, Indonesian path), relative to the data folder.
PARALLEL_FILES = (
    ("dev/news_valid.en", "dev/news_valid.id"),
    ("parallel/indonesian-mt-data/general_valid.en", "parallel/indonesian-mt-data/general_valid.id"),
    ("parallel/indonesian-mt-data/general_test.en", "parallel/indonesian-mt-data/general_test.id"),
    ("parallel/indonesian-mt-data/religious_valid.en", "parallel/indonesian-mt-data/religious_valid.id"),
    ("parallel/indonesian-mt-data/religious_test.en", "parallel/indonesian-mt-data/religious_test.id"),
)
NUSAX_FILES = ("parallel/nusax/mt_train.csv", "parallel/nusax/mt_valid.csv", "parallel/nusax/mt_test.csv")
NEWS_DEV = ("dev/news_valid.en", "dev/news_valid.id")

_END_PUNCT = re.compile(r"[.!?\"'\u201d\u2019)]$")

#: Scraped-page junk that appears in machine-harvested translations (Indonesian news sites).
JUNK_LINES = ("Memuat...", "Advertisement", "ADVERTISEMENT", "Scroll untuk melanjutkan membaca",
              "Loading...", "Simak berita lainnya di Google News")
#: "Baca juga: <headline>" lines are built with a headline from elsewhere in the corpus.
READ_ALSO = "Baca juga: "

#: Indonesian function words that start a sentence and are lowercased inside a merged one.
_ID_FUNCTION_WORDS = frozenset(
    """ia dia ini itu mereka kami kita namun sementara para hal dalam pada di ke dari untuk
    dengan saat ketika jika karena sebelumnya selain sedangkan bahkan selama setelah tetapi
    yang menurut sejumlah seorang beberapa banyak hanya juga sebanyak akan tidak sudah telah""".split())
#: Words that are capitalised in both languages but are not names worth swapping.
_NOT_SWAPPABLE = frozenset(
    """the a an mr mrs ms dr he she it in on at of and but for as by to with this that his her
    january february march april may june july august september october november december
    januari februari maret mei juni juli agustus oktober desember monday tuesday wednesday
    thursday friday saturday sunday senin selasa rabu kamis jumat sabtu minggu""".split())
_SPLIT_CONJ = (" tetapi ", " namun ", " sementara ", " sedangkan ", " dan ")


# --------------------------------------------------------------------------- reading data


def _read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def read_parallel_lines(en_rel: str, id_rel: str, data: Path = DATA) -> list[tuple[int, str, str]]:
    """Non-empty line pairs of two line-aligned files, in file order, each with its 0-based
    line number in the raw files (blank lines counted, so it stays valid however the blank
    pairs are filtered)."""
    en, idn = _read_lines(data / en_rel), _read_lines(data / id_rel)
    if len(en) != len(idn):
        raise ValueError(f"{en_rel} and {id_rel} have different line counts")
    return [(k, a.strip(), b.strip()) for k, (a, b) in enumerate(zip(en, idn)) if a.strip() and b.strip()]


def read_parallel(en_rel: str, id_rel: str, data: Path = DATA) -> list[tuple[str, str]]:
    """:func:`read_parallel_lines` without the line numbers."""
    return [(a, b) for _, a, b in read_parallel_lines(en_rel, id_rel, data)]


def read_nusax(rel: str, data: Path = DATA) -> list[tuple[str, str]]:
    with open(data / rel, encoding="utf-8", newline="") as fh:
        return [(r["english"].strip(), r["indonesian"].strip()) for r in csv.DictReader(fh)
                if r.get("english", "").strip() and r.get("indonesian", "").strip()]


def fixture_pairs(fixtures: Path = REPO / "tests" / "fixtures") -> list[tuple[str, str]]:
    """Aligned sentence groups of the test fixtures (``<name>.{en,id}.txt`` + ``.align.json``).

    The alignment refers to sentences as the project's segmenter numbers them; a fixture whose
    sentence count does not fit its alignment file is skipped.
    """
    from fidelity.segment import segment_document

    out: list[tuple[str, str]] = []
    for spec in sorted(fixtures.glob("*.align.json")):
        stem = spec.name[: -len(".align.json")]
        en_path, id_path = fixtures / f"{stem}.en.txt", fixtures / f"{stem}.id.txt"
        if not (en_path.exists() and id_path.exists()):
            continue
        links = json.loads(spec.read_text(encoding="utf-8"))
        src = segment_document(en_path.read_text(encoding="utf-8"), "en").texts
        tgt = segment_document(id_path.read_text(encoding="utf-8"), "id").texts
        top_s = max((i for s, _ in links for i in s), default=-1)
        top_t = max((j for _, t in links for j in t), default=-1)
        if top_s >= len(src) or top_t >= len(tgt):
            continue
        out += [(" ".join(src[i] for i in s), " ".join(tgt[j] for j in t)) for s, t in links if s and t]
    return out


def load_pool(data: Path = DATA, with_fixtures: bool = True) -> list[tuple[str, str]]:
    """Distinct parallel (English, Indonesian) sentence pairs from every source we have."""
    pairs: list[tuple[str, str]] = []
    for en_rel, id_rel in PARALLEL_FILES:
        if (data / en_rel).exists():
            pairs += read_parallel(en_rel, id_rel, data)
    for rel in NUSAX_FILES:
        if (data / rel).exists():
            pairs += read_nusax(rel, data)
    if with_fixtures:
        try:
            pairs += fixture_pairs()
        except Exception:  # the segmenter or a fixture is missing: the pool is big enough without
            pass
    seen_en: set[str] = set()
    seen_id: set[str] = set()
    out = []
    for en, idn in pairs:
        if en in seen_en or idn in seen_id:
            continue
        seen_en.add(en)
        seen_id.add(idn)
        out.append((en, idn))
    if not out:
        raise FileNotFoundError(f"no parallel data under {data}")
    return out


def git_revision() -> str:
    """``git describe --always --dirty`` of the repository (which code produced a figure)."""
    import subprocess

    try:
        out = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _terminate(text: str) -> str:
    """``text`` with a final period when it has no end punctuation (religious lines lack it)."""
    return text if _END_PUNCT.search(text) else text + "."


# --------------------------------------------------------------------------- speed documents


@dataclass
class SpeedPair:
    """A generated long document pair and what was planted in it."""

    source_text: str
    target_text: str
    units: int  #: source units (before segmentation)
    omitted: int  #: source units with no target
    added: int  #: target units with no source
    joined_share: float  #: share of units that are two pool pairs joined by a semicolon


def _join(a: str, b: str) -> str:
    return a.rstrip(" .") + "; " + b


def speed_units(pool: list[tuple[str, str]], n: int, rng: random.Random,
                joined_share: float = 0.7) -> list[tuple[str, str]]:
    """``n`` distinct parallel units: singles drawn without replacement, the rest joined pairs."""
    order = list(range(len(pool)))
    rng.shuffle(order)
    singles = iter(order)
    units: list[tuple[str, str]] = []
    seen: set[str] = set()
    while len(units) < n:
        if rng.random() >= joined_share:
            k = next(singles, None)
            if k is not None:
                en, idn = pool[k]
                if en not in seen:
                    seen.add(en)
                    units.append((_terminate(en), _terminate(idn)))
                continue
        a, b = rng.sample(range(len(pool)), 2)
        en = _join(pool[a][0], _terminate(pool[b][0]))
        if en in seen:
            continue
        seen.add(en)
        units.append((en, _join(pool[a][1], _terminate(pool[b][1]))))
    return units


def _paragraphs(texts: list[str], sizes: list[int]) -> str:
    out, pos = [], 0
    for size in sizes:
        if pos >= len(texts):
            break
        out.append(" ".join(texts[pos:pos + size]))
        pos += size
    if pos < len(texts):
        out.append(" ".join(texts[pos:]))
    return "\n\n".join(out) + "\n"


def speed_pair(pool: list[tuple[str, str]], n: int, seed: int = 0, omit_rate: float = 0.02,
               add_rate: float = 0.02, joined_share: float = 0.7) -> SpeedPair:
    """An English document of ``n`` units and its Indonesian translation with planted edits.

    ``omit_rate`` of the units are missing from the translation, and ``add_rate * n`` unrelated
    Indonesian units (not in the document) are inserted at random places. Paragraphs hold 1-4
    units on the source side; the target keeps the same paragraph sizes where it can.
    """
    rng = random.Random(seed * 1_000_003 + n)
    units = speed_units(pool, n + int(add_rate * n) + 1, rng, joined_share)
    doc, extra = units[:n], units[n:]
    src = [en for en, _ in doc]
    omit = set(rng.sample(range(n), int(omit_rate * n)))
    tgt = [idn for k, (_, idn) in enumerate(doc) if k not in omit]
    for _, idn in extra[: int(add_rate * n)]:
        tgt.insert(rng.randrange(len(tgt) + 1), idn)
    sizes = [rng.randint(1, 4) for _ in range(n)]
    return SpeedPair(_paragraphs(src, sizes), _paragraphs(tgt, sizes), n, len(omit),
                     int(add_rate * n), joined_share)


# --------------------------------------------------------------------------- accuracy documents


@dataclass
class Unit:
    """One target unit: its text and the source units it translates (``()`` = added)."""

    text: str
    src: tuple[int, ...]
    tag: str = "orig"  #: orig, merge, split, unrelated, junk, name, number


@dataclass
class AccuracyDoc:
    """A source chunk and its perturbed translation, with the truth of every edit."""

    name: str
    source: list[str]  #: source units (corpus lines)
    source_paras: list[list[int]]
    target_paras: list[list[Unit]]
    edits: list[dict] = field(default_factory=list)

    @property
    def target_units(self) -> list[Unit]:
        return [u for para in self.target_paras for u in para]

    def texts(self, presplit: bool = False) -> tuple[str, list[tuple[int, int]], str, list[tuple[int, int]]]:
        """Source text, source unit spans, target text, target unit spans.

        Normal mode: one paragraph per line (blank line between), units of a paragraph joined by
        a space, for the real segmenter to split. ``presplit``: one unit per line, paragraphs
        separated by blank lines (the ``--presplit`` input format).
        """
        s_text, s_spans = _render([[self.source[i] for i in p] for p in self.source_paras], presplit)
        t_text, t_spans = _render([[u.text for u in p] for p in self.target_paras], presplit)
        return s_text, s_spans, t_text, t_spans

    def truth_links(self) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """True links in unit indices: (source units, target units); 1-0 and 0-1 included."""
        units = self.target_units
        groups: dict[tuple[int, ...], list[int]] = {}
        links: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        for j, u in enumerate(units):
            if u.src:
                groups.setdefault(u.src, []).append(j)
            else:
                links.append(((), (j,)))
        covered = {i for s in groups for i in s}
        links += [(s, tuple(js)) for s, js in groups.items()]
        links += [((i,), ()) for i in range(len(self.source)) if i not in covered]
        return sorted(links, key=lambda l: (min(l[0], default=1e9), min(l[1], default=1e9)))

    def omitted(self) -> set[int]:
        covered = {i for u in self.target_units for i in u.src}
        return {i for i in range(len(self.source)) if i not in covered}

    def added(self) -> set[int]:
        return {j for j, u in enumerate(self.target_units) if not u.src}

    def drifted(self) -> dict[int, str]:
        """Target unit index -> "name" or "number" for units with a planted change."""
        return {j: u.tag for j, u in enumerate(self.target_units) if u.tag in ("name", "number")}


def _render(paras: list[list[str]], presplit: bool) -> tuple[str, list[tuple[int, int]]]:
    text, spans = "", []
    for p, para in enumerate(paras):
        if p:
            text += "\n\n"
        for k, unit in enumerate(para):
            if k:
                text += "\n" if presplit else " "
            spans.append((len(text), len(text) + len(unit)))
            text += unit
    return text + "\n", spans


def news_dev_lines(data: Path = DATA) -> list[tuple[int, str, str]]:
    """The news development pairs in document order with their raw line numbers."""
    return read_parallel_lines(*NEWS_DEV, data=data)


# --------------------------------------------------------------------------- gold-pair audit

#: Hand labels of suspicious news_valid line pairs (see the file's header and benchmarks.audit_candidates).
AUDIT_FILE = REPO / "benchmarks" / "news_valid_audit.tsv"
AUDIT_LABELS = ("ok", "partial", "wrong")
#: Labels whose lines are not a true translation pair and are dropped by ``news_dev(drop_audited=True)``.
AUDIT_DROP = frozenset({"partial", "wrong"})
AUDIT_KEY_CHARS = 30
#: Hand labels of a seeded random sample of the lines *not* in ``AUDIT_FILE`` (same format, read with
#: :func:`read_audit`): an unbiased estimate of the bad pairs the audit misses. Never dropped by
#: ``news_dev(drop_audited=True)``, so that the estimate stays unbiased.
AUDIT_SAMPLE_FILE = REPO / "benchmarks" / "news_valid_audit_sample.tsv"


@dataclass(frozen=True)
class AuditEntry:
    """One audited line: raw 0-based line number, English key, label and a short note."""

    line: int
    key: str
    label: str
    note: str


def audit_key(en: str) -> str:
    """The check key of a line: its first 30 characters (stripped English, tabs as spaces)."""
    return en.strip().replace("\t", " ")[:AUDIT_KEY_CHARS].rstrip()


def read_audit(path: Path = AUDIT_FILE) -> list[AuditEntry]:
    """Entries of an audit TSV (``#`` comment lines, then a header ``line key label note``).

    Raises ``ValueError`` naming the file and row on a malformed row, an unknown label or a
    line listed twice, so a hand edit that breaks the file fails loudly instead of silently.
    """
    entries: list[AuditEntry] = []
    header: list[str] | None = None
    seen: set[int] = set()
    for n, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if header is None:
            header = cols
            if header[:4] != ["line", "key", "label", "note"]:
                raise ValueError(f"{path}:{n}: header must be line, key, label, note; got {header}")
            continue
        if len(cols) != 4 or not cols[0].isdigit():
            raise ValueError(f"{path}:{n}: expected 4 tab-separated columns starting with a line number")
        line, key, label, note = int(cols[0]), cols[1], cols[2].strip(), cols[3].strip()
        if label not in AUDIT_LABELS:
            raise ValueError(f"{path}:{n}: unknown label {label!r} (one of {', '.join(AUDIT_LABELS)})")
        if line in seen:
            raise ValueError(f"{path}:{n}: line {line} is listed twice")
        seen.add(line)
        entries.append(AuditEntry(line, key.rstrip(), label, note))
    if header is None:
        raise ValueError(f"{path}: no header row")
    return entries


def without_audited(rows: list[tuple[int, str, str]], entries: list[AuditEntry],
                 labels: frozenset[str] = AUDIT_DROP) -> list[tuple[int, str, str]]:
    """``rows`` (line number, English, Indonesian) without the lines audited with ``labels``.

    Every entry's key is checked against its line's English text first (all entries, not only
    the dropped ones): a mismatch means the audit was made on another version or another
    numbering of the corpus, and raises ``ValueError`` rather than dropping the wrong lines.
    """
    by_line = {line: en for line, en, _ in rows}
    for e in entries:
        if e.line not in by_line:
            raise ValueError(f"audit line {e.line} is not a non-blank pair of the corpus "
                             f"({len(rows)} pairs): the audit does not fit this data")
        if audit_key(by_line[e.line]) != e.key:
            raise ValueError(f"audit line {e.line}: key {e.key!r} does not match the corpus line "
                             f"{audit_key(by_line[e.line])!r}: the audit does not fit this data")
    drop = {e.line for e in entries if e.label in labels}
    return [r for r in rows if r[0] not in drop]


def news_dev(data: Path = DATA, drop_audited: bool = False,
             audit: Path = AUDIT_FILE) -> list[tuple[str, str]]:
    """The news development pairs in document order (blank pairs dropped).

    ``drop_audited``: also drop the pairs that the hand audit ``audit`` labels ``partial`` or
    ``wrong`` (not translations of each other), so that benchmarks do not count the checker's
    correct findings on them as false alarms. The remaining lines keep their document order.
    """
    rows = news_dev_lines(data)
    if drop_audited:
        rows = without_audited(rows, read_audit(audit))
    return [(en, idn) for _, en, idn in rows]


def chunks(n_lines: int, docs: int, rng: random.Random, low: int = 20, high: int = 60) -> list[range]:
    """Consecutive, non-overlapping line ranges of ``low``-``high`` lines (up to ``docs``)."""
    out, pos = [], 0
    while len(out) < docs and pos + low <= n_lines:
        size = min(rng.randint(low, high), n_lines - pos)
        out.append(range(pos, pos + size))
        pos += size
    return out


def group_paragraphs(texts: list[str], rng: random.Random) -> list[list[int]]:
    """Paragraphs of 1-4 units; a unit without end punctuation (a headline) stands alone."""
    paras: list[list[int]] = []
    i = 0
    while i < len(texts):
        if not _END_PUNCT.search(texts[i]):
            paras.append([i])
            i += 1
            continue
        size, para = rng.randint(1, 4), []
        while i < len(texts) and len(para) < size and _END_PUNCT.search(texts[i]):
            para.append(i)
            i += 1
        paras.append(para)
    return paras


def _lower_first(text: str) -> str:
    word = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if word.lower() in _ID_FUNCTION_WORDS else text


def merge_text(a: str, b: str, rng: random.Random) -> str:
    """Two Indonesian sentences as one: "A. B." -> "A, dan B." or "A; B."."""
    glue = rng.choice(["; ", ", dan "])
    return a.rstrip(" .") + glue + _lower_first(b)


def split_text(text: str) -> tuple[str, str] | None:
    """One sentence as two, at a comma or a conjunction near the middle (None: no good place).

    Both halves keep at least five words; the second starts with a capital letter.
    """
    words = text.split()
    if len(words) < 12 or not text.endswith("."):
        return None
    best: tuple[float, int, int] | None = None
    for m in re.finditer(r", (?!yang )|" + "|".join(re.escape(c) for c in _SPLIT_CONJ), text):
        left, right = text[: m.start()], text[m.end():]
        if len(left.split()) < 5 or len(right.split()) < 5 or '"' in left or '"' in right:
            continue
        cost = abs(len(left) - len(right)) / len(text) + (0.0 if m.group(0) == ", " else 0.1)
        if best is None or cost < best[0]:
            best = (cost, m.start(), m.end())
    if best is None:
        return None
    _, a, b = best
    conj = text[a:b].strip(" ,")
    left = text[:a].rstrip(" ,") + "."
    right = text[b:] if not conj else conj + " " + text[b:]
    right = right[0].upper() + right[1:]
    return left, right


_CAP = re.compile(r"(?<![\w'’-])([A-Z][a-zA-Z]{3,})(?![\w'’-])")


def shared_names(en: str, idn: str) -> list[str]:
    """Capitalised words (4+ letters) written the same in both sentences, not sentence-initial."""
    def caps(text: str) -> set[str]:
        return {m.group(1) for m in _CAP.finditer(text) if m.start() > 0
                and m.group(1).lower() not in _NOT_SWAPPABLE}
    return sorted(caps(en) & caps(idn))


def name_pool(pairs: list[tuple[str, str]]) -> list[str]:
    """Proper names of the corpus: capitalised mid-sentence in both languages of a pair and
    never written in lower case anywhere ("Jakarta", "Warjiyo"; not "Tengah", "Times").

    Defined on the corpus alone, independently of the checker's own name detector.
    """
    lower = {w for en, idn in pairs for w in re.findall(r"[a-z][a-z'’-]+", en + " " + idn)}
    return sorted({n for en, idn in pairs for n in shared_names(en, idn) if n.lower() not in lower})


def swap_name(en: str, idn: str, names: list[str], rng: random.Random) -> tuple[str, str, str] | None:
    """The Indonesian sentence with one shared proper name replaced by a clearly different one
    (``names``: the pool of :func:`name_pool`; the swapped name must be in it too)."""
    pool = set(names)
    candidates = [n for n in shared_names(en, idn) if n in pool]
    if not candidates:
        return None
    old = rng.choice(candidates)
    for _ in range(50):
        new = rng.choice(names)
        if (new != old and new not in en and new not in idn
                and difflib.SequenceMatcher(None, old.lower(), new.lower()).ratio() < 0.5):
            return re.sub(rf"(?<![\w'’-]){re.escape(old)}(?![\w'’-])", new, idn), old, new
    return None


#: A run of digits that is not glued to letters ("12", "2016"; not "DAK2", "7x24", "1950s").
_DIGITS = re.compile(r"(?<!\w)\d+(?!\w)")


def change_number(en: str, idn: str, rng: random.Random) -> tuple[str, str, str] | None:
    """The Indonesian sentence with one digit changed in a number that both sentences contain."""
    en_digits = {m.group(0) for m in _DIGITS.finditer(en)}
    spots = [m for m in _DIGITS.finditer(idn) if m.group(0) in en_digits]
    if not spots:
        return None
    m = rng.choice(spots)
    old = m.group(0)
    pos = rng.randrange(len(old))
    choices = [d for d in "0123456789" if d != old[pos] and not (pos == 0 and d == "0" and len(old) > 1)]
    new = old[:pos] + rng.choice(choices) + old[pos + 1:]
    return idn[: m.start()] + new + idn[m.end():], old, new


@dataclass(frozen=True)
class Perturbations:
    """How many edits of each kind a document gets (upper bounds: some need an eligible unit)."""

    deletions: tuple[int, int] = (1, 2)  #: single sentences deleted (min, max)
    paragraph_deletion: float = 0.6  #: chance of deleting one whole paragraph
    insertions: tuple[int, int] = (1, 2)  #: unrelated sentences inserted
    junk: tuple[int, int] = (1, 2)  #: scrape-junk lines inserted (own paragraph)
    merges: int = 1
    splits: int = 1
    names: int = 1
    numbers: int = 1
    #: draw the inserted sentences from the lines within this many of the chunk's ends (in
    #: document order, so mostly the same story: a translator's added sentence on the topic),
    #: not from anywhere in the corpus; 0: anywhere
    nearby: int = 0

    @staticmethod
    def none() -> "Perturbations":
        return Perturbations((0, 0), 0.0, (0, 0), (0, 0), 0, 0, 0, 0)


def accuracy_doc(pairs: list[tuple[str, str]], lines: range, rng: random.Random, names: list[str],
                 p: Perturbations = Perturbations(), name: str = "") -> AccuracyDoc:
    """The chunk ``lines`` of ``pairs`` as a document whose translation carries edits ``p``."""
    source = [pairs[k][0] for k in lines]
    target = [pairs[k][1] for k in lines]
    paras = group_paragraphs(source, rng)
    tparas: list[list[Unit]] = [[Unit(target[i], (i,)) for i in para] for para in paras]
    doc = AccuracyDoc(name or f"news_valid[{lines.start}:{lines.stop}]", source, paras, tparas)
    touched: set[int] = set()  # source units already edited

    def where(i: int) -> tuple[int, int]:
        for pi, para in enumerate(doc.target_paras):
            for k, u in enumerate(para):
                if u.src == (i,):
                    return pi, k
        raise KeyError(i)

    # Merges: two adjacent units of one paragraph become one (a 2-1 link).
    cands = [(pi, k) for pi, para in enumerate(paras) for k in range(len(para) - 1)
             if target[para[k]].endswith(".")]
    for pi, k in rng.sample(cands, min(p.merges, len(cands))):
        a, b = paras[pi][k], paras[pi][k + 1]
        if {a, b} & touched:
            continue
        pa, ka = where(a)
        merged = Unit(merge_text(target[a], target[b], rng), (a, b), "merge")
        doc.target_paras[pa][ka: ka + 2] = [merged]
        touched |= {a, b}
        doc.edits.append({"kind": "merge", "source": [a, b]})
    # Splits: one unit becomes two (a 1-2 link).
    cands = [i for i in range(len(source)) if i not in touched and split_text(target[i])]
    for i in rng.sample(cands, min(p.splits, len(cands))):
        left, right = split_text(target[i])
        pi, k = where(i)
        doc.target_paras[pi][k: k + 1] = [Unit(left, (i,), "split"), Unit(right, (i,), "split")]
        touched.add(i)
        doc.edits.append({"kind": "split", "source": [i]})
    # Drift: a changed name, a changed number.
    for kind, count in (("name", p.names), ("number", p.numbers)):
        order = [i for i in range(len(source)) if i not in touched]
        rng.shuffle(order)
        done = 0
        for i in order:
            if done >= count:
                break
            changed = (swap_name(source[i], target[i], names, rng) if kind == "name"
                       else change_number(source[i], target[i], rng))
            if changed is None:
                continue
            pi, k = where(i)
            doc.target_paras[pi][k] = Unit(changed[0], (i,), kind)
            touched.add(i)
            done += 1
            doc.edits.append({"kind": kind, "source": [i], "old": changed[1], "new": changed[2]})
    # Omissions: single sentences, then maybe one whole paragraph.
    free = [i for i in range(len(source)) if i not in touched]
    for i in rng.sample(free, min(rng.randint(*p.deletions), len(free))):
        pi, k = where(i)
        del doc.target_paras[pi][k]
        touched.add(i)
        doc.edits.append({"kind": "delete", "source": [i]})
    if rng.random() < p.paragraph_deletion:
        whole = [pi for pi, para in enumerate(doc.target_paras)  # not the first (often the headline)
                 if pi > 0 and 1 <= len(para) <= 3 and all(u.tag == "orig" for u in para)]
        if whole:
            pi = rng.choice(whole)
            gone = [i for u in doc.target_paras[pi] for i in u.src]
            doc.target_paras[pi] = []
            touched |= set(gone)
            doc.edits.append({"kind": "delete_paragraph", "source": gone})
    doc.target_paras = [para for para in doc.target_paras if para]
    # Additions: unrelated sentences from elsewhere in the corpus, and scrape junk.
    outside = [k for k in range(len(pairs)) if k not in lines]
    near = ([k for k in range(lines.start - p.nearby, lines.start) if k >= 0]
            + [k for k in range(lines.stop, lines.stop + p.nearby) if k < len(pairs)])
    for _ in range(rng.randint(*p.insertions)):
        text = _terminate(pairs[rng.choice(near if p.nearby and near else outside)][1])
        pi = rng.randrange(len(doc.target_paras))
        # Never into a headline's paragraph (a unit without end punctuation stands alone: on
        # one line with a sentence, no segmenter could find where the headline ends), but
        # into the next paragraph of sentences.
        body = [k for k, para in enumerate(doc.target_paras) if all(_END_PUNCT.search(u.text) for u in para)]
        if body and pi not in body:
            pi = min(body, key=lambda k: ((k - pi) % len(doc.target_paras), k))
        para = doc.target_paras[pi]
        at = rng.randrange(len(para) + 1)
        # Never between the halves of a split sentence: its true link would then not be
        # contiguous, which no aligner of contiguous 1-2 links can give (after the halves).
        while 0 < at < len(para) and para[at - 1].src and para[at - 1].src == para[at].src:
            at += 1
        para.insert(at, Unit(text, (), "unrelated"))
        doc.edits.append({"kind": "insert", "text": text})
    for _ in range(rng.randint(*p.junk)):
        if rng.random() < 0.4:
            text = READ_ALSO + pairs[rng.choice(outside)][1].rstrip(".")
        else:
            text = rng.choice(JUNK_LINES)
        doc.target_paras.insert(rng.randrange(1, len(doc.target_paras) + 1), [Unit(text, (), "junk")])
        doc.edits.append({"kind": "junk", "text": text})
    return doc
