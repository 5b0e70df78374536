"""Tests of fidelity.export: a report as TMX and as XLIFF 2.1 with ITS 2.0 LQI annotations.

The XLIFF is checked against the rules of the XLIFF 2 core that the file could break (a
structural validator below, since the OASIS schema text is not shipped: see
tests/fixtures/cat/schema/README.md; when the .xsd files are put there, the schema test runs
too), opened with translate-toolkit, read back with fidelity.bilingual and checked again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("translate", reason="the CAT formats need translate-toolkit: pip install 'fidelity[cat]'")

from lxml import etree  # noqa: E402

from fidelity import export  # noqa: E402
from fidelity.bilingual import check_bilingual, read_bilingual, read_bilingual_bytes, unit_links  # noqa: E402
from fidelity.pipeline import Checker, Settings  # noqa: E402
from fidelity.types import Change, Finding, Link, Report, Summary  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CAT = Path(__file__).resolve().parent / "fixtures" / "cat"
SCHEMA = CAT / "schema"
X = "{urn:oasis:names:tc:xliff:document:2.0}"
ITS = "{http://www.w3.org/2005/11/its}"
MDA = "{urn:oasis:names:tc:xliff:metadata:2.0}"
INLINE = {"mrk", "ph", "pc", "sc", "ec", "sm", "em", "cp"}


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(Settings(device="cpu"), progress=False)


@pytest.fixture(scope="module")
def seed(checker: Checker) -> Report:
    return checker.check_files(ROOT / "seeds" / "nyt.en.txt", ROOT / "seeds" / "nyt.id.txt")


def _joined(doc, idx) -> str:
    return " ".join(doc.sentences[i].text for i in idx)


def validate_xliff2(root) -> list[str]:
    """What the XLIFF 2 core (and the ITS 2.0 LQI attributes) require of the parts a fidelity
    export uses; returns the problems found (empty: valid)."""
    problems: list[str] = []
    if root.tag != X + "xliff":
        return [f"root is {root.tag}"]
    if root.get("version") not in ("2.0", "2.1") or not root.get("srcLang"):
        problems.append("xliff needs version 2.x and srcLang")
    files = list(root)
    if not files or any(f.tag != X + "file" or not f.get("id") for f in files):
        problems.append("xliff holds only <file id=...> elements, at least one")
    for f in files:
        unit_ids = [u.get("id") for u in f if u.tag == X + "unit"]
        if len(unit_ids) != len(set(unit_ids)) or not all(unit_ids):
            problems.append("unit ids must be present and unique in a file")
        for unit in f.iter(X + "unit"):
            kids = [etree.QName(k).localname if k.tag.startswith(X) else k.tag for k in unit]
            core = [k for k in kids if k in ("notes", "originalData", "segment", "ignorable")]
            if "segment" not in core:
                problems.append(f"unit {unit.get('id')} has no segment")
            first_core = kids.index(core[0]) if core else len(kids)
            if any(not k.startswith("{") and k not in ("notes", "originalData", "segment", "ignorable")
                   for k in kids) or any(k.startswith("{") for k in kids[first_core:]):
                problems.append(f"unit {unit.get('id')}: module elements must come first")
            ids = [e.get("id") for e in unit.iter(X + "mrk", X + "ph", X + "pc", X + "sc")]
            if len(ids) != len(set(ids)) or not all(ids):
                problems.append(f"unit {unit.get('id')}: inline ids must be present and unique")
            for seg in unit.iter(X + "segment"):
                names = [etree.QName(k).localname for k in seg]
                if names not in (["source"], ["source", "target"]):
                    problems.append(f"unit {unit.get('id')}: segment holds {names}")
                if seg.get("state") not in (None, "initial", "translated", "reviewed", "final"):
                    problems.append("bad state")
                if seg.get("state") in ("translated", "reviewed", "final") and "target" not in names:
                    problems.append("a translated segment needs a target")
                for side in seg:
                    for el in side.iter():
                        if el is side:
                            continue
                        name = etree.QName(el).localname
                        if el.tag != X + name or name not in INLINE:
                            problems.append(f"{name} is not an XLIFF 2 inline element")
                        if name == "mrk":
                            problems.extend(_lqi_problems(el))
    return problems


def _lqi_problems(mrk) -> list[str]:
    out = []
    if mrk.get("type") != "its:any":
        out.append("an ITS-only <mrk> has type its:any")
    kind = mrk.get(ITS + "locQualityIssueType")
    if kind not in export.ITS_TYPES:
        out.append(f"{kind} is not an ITS issue type")
    sev = mrk.get(ITS + "locQualityIssueSeverity")
    if sev is None or not 0 <= float(sev) <= 100:
        out.append(f"severity {sev} is not 0-100")
    if not mrk.get(ITS + "locQualityIssueComment"):
        out.append("an issue without comment")
    return out


# --- TMX ----------------------------------------------------------------------------------------

def test_tmx_has_every_link_with_both_sides(seed: Report) -> None:
    from translate.storage import tmx

    pairs = [link for link in seed.links if link.source and link.target]
    store = tmx.tmxfile.parsestring(export.render_tmx(seed).encode("utf-8"))
    assert len(store.units) == len(pairs) == 17
    for unit, link in zip(store.units, pairs):
        assert unit.source == _joined(seed.source, link.source)
        assert unit.target == _joined(seed.target, link.target)
    root = store.document.getroot()
    assert root.find("header").get("creationtool") == "fidelity"
    assert root.find("header").get("srclang") == "en"


def test_tmx_round_trip(seed: Report) -> None:
    pairs = [link for link in seed.links if link.source and link.target]
    bil = read_bilingual_bytes(export.render_tmx(seed).encode("utf-8"), "seed.tmx")
    source, target = bil.documents()
    assert source.texts == [_joined(seed.source, link.source) for link in pairs]
    assert target.texts == [_joined(seed.target, link.target) for link in pairs]
    assert len(unit_links(bil)) == len(pairs)
    for unit, link in zip(bil.units, pairs):
        props = dict(unit.props)
        assert props["x-fidelity-source"] == ",".join(map(str, link.source))
        assert props["x-fidelity-target"] == ",".join(map(str, link.target))
        assert float(props["x-fidelity-score"]) == pytest.approx(link.score, abs=5e-5)


# --- XLIFF 2 with ITS LQI ------------------------------------------------------------------------

def test_xliff_is_valid_and_carries_every_finding(seed: Report) -> None:
    text = export.render_xliff(seed)
    root = etree.fromstring(text.encode("utf-8"))
    assert validate_xliff2(root) == []
    assert (root.get("version"), root.get("srcLang"), root.get("trgLang"), root.get(ITS + "version")) == (
        "2.1", "en", "id", "2.0")
    units = root.findall(f"{X}file/{X}unit")
    assert len(units) == len(seed.links)
    comments = {m.get(ITS + "locQualityIssueComment") for m in root.iter(X + "mrk")}
    assert {f.message for f in seed.findings} <= comments
    # a name changed in the translation is marked on the target words, typed and graded
    name = next(f for f in seed.findings if f.changes and f.changes[0].kind == "name")
    mark = next(m for m in root.iter(X + "mrk") if m.get(ITS + "locQualityIssueComment") == name.message)
    assert "".join(mark.itertext()) == name.changes[0].target == "New York"
    assert mark.get(ITS + "locQualityIssueType") == "inconsistent-entities"
    assert mark.get(ITS + "locQualityIssueSeverity") == str(export.ITS_SEVERITY[name.severity])
    # an omission has no target and is marked on the source
    first_omission = next(f for f in seed.findings if f.type == "omission")
    unit = units[next(n for n, link in enumerate(seed.links) if link.source == first_omission.source[:1])]
    assert unit.find(f"{X}segment/{X}target") is None
    assert unit.find(f"{X}segment/{X}source/{X}mrk").get(ITS + "locQualityIssueType") == "omission"
    meta = {m.get("type"): m.text for m in units[-1].iter(MDA + "meta")}
    assert meta["source"] == ",".join(map(str, seed.links[-1].source))


def test_validator_rejects_broken_files() -> None:
    """The structural validator is not a rubber stamp."""
    bad = etree.fromstring(
        b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" xmlns:its="http://www.w3.org/2005/11/its" '
        b'version="2.1" srcLang="en"><file id="f"><unit id="u"><segment state="translated"><source>'
        b'<mrk id="m" type="its:any" its:locQualityIssueType="typo" its:locQualityIssueSeverity="300">x</mrk>'
        b'</source></segment></unit><unit id="u"><segment><target>y</target></segment></unit></file></xliff>')
    problems = validate_xliff2(bad)
    assert "unit ids must be present and unique in a file" in problems
    assert "typo is not an ITS issue type" in problems and "severity 300 is not 0-100" in problems
    assert "a translated segment needs a target" in problems
    assert any("segment holds ['target']" in p for p in problems)


def test_xliff_opens_in_translate_toolkit_and_reads_back(seed: Report) -> None:
    from translate.storage import xliff2

    data = export.render_xliff(seed).encode("utf-8")
    store = xliff2.Xliff2File.parsestring(data)
    assert len(store.units) == len(seed.links)
    for unit, link in zip(store.units, seed.links):
        assert unit.source == _joined(seed.source, link.source)
        assert (unit.target or "") == _joined(seed.target, link.target)
    bil = read_bilingual_bytes(data, "seed.xlf")
    source, target = bil.documents()
    assert source.texts == [_joined(seed.source, link.source) for link in seed.links if link.source]
    assert target.texts == [_joined(seed.target, link.target) for link in seed.links if link.target]


def test_xliff_checked_again_gives_the_same_findings(seed: Report, checker: Checker) -> None:
    """The exported pair, checked as a bilingual file, reports what the text check did: the
    same drifts, the same source sentences missing (omitted, now untranslated units) and the
    same target sentences added."""
    again = check_bilingual(read_bilingual_bytes(export.render_xliff(seed).encode("utf-8"), "seed.xlf"), checker)

    def drifts(r: Report) -> set:
        return {(c.kind, c.source, c.target) for f in r.findings if f.type == "drift" for c in f.changes}

    def missing(r: Report) -> set:
        return {r.source.sentences[i].text for f in r.findings if f.type == "omission" for i in f.source}

    def added(r: Report) -> set:
        return {r.target.sentences[j].text for f in r.findings if f.type == "addition" for j in f.target}

    assert drifts(again) == drifts(seed)
    boilerplate = {seed.source.sentences[i].text for link in seed.links if not link.target for i in link.source}
    assert missing(seed) <= missing(again) <= boilerplate  # dropped page furniture is now a finding too
    assert added(again) == added(seed)


def test_xliff_puts_inline_tags_back(checker: Checker) -> None:
    bil = read_bilingual(CAT / "rate-cut.xliff12.xlf")
    report = check_bilingual(bil, checker)
    root = etree.fromstring(export.render_xliff(report, {"source": bil.inlines("source"),
                                                         "target": bil.inlines("target")}).encode("utf-8"))
    assert validate_xliff2(root) == []
    first = root.find(f"{X}file/{X}unit/{X}segment/{X}source")
    assert [p.get("disp") for p in first.iter(X + "ph")] == ['<g id="1" ctype="bold">', "</g>"]
    assert "".join(first.itertext()) == "Bank Indonesia Cuts Key Rate to 5.50 Percent as Inflation Cools"
    types = {m.get(ITS + "locQualityIssueType") for m in root.iter(X + "mrk")}
    assert "untranslated" in types and types & {"numbers", "omission"}  # unit 6 drops a clause
    copied = next(m for m in root.iter(X + "mrk") if m.get(ITS + "locQualityIssueComment").startswith("unit 9:"))
    assert "".join(copied.itertext()) == "The Fed's next policy meeting ends on July 30."


def test_crossing_issues_nest() -> None:
    """Two findings whose words overlap without nesting: the later one widens to the whole
    sentence, so the <mrk>s stay well-formed and the text is unchanged."""
    from fidelity.segment import segment_document

    source = segment_document("Officials met the envoy in New York on Monday.", "en", presplit=True)
    target = segment_document("Pejabat bertemu utusan di New Jersey pada Senin.", "id", presplit=True)
    t = target.text
    a = Finding("drift", "body", (0,), (0,), 0.5, "name changed",
                (Change("name", "New York", "New Jersey", (), ((t.index("New"), t.index("New") + 10),)),))
    b = Finding("drift", "body", (0,), (0,), 0.5, "date",
                (Change("date", "", "", (), ((t.index("Jersey"), t.index("Senin") + 5),)),), "minor")
    report = Report("0", "sig", source, target, [Link((0,), (0,), 0.5)], [a, b],
                    Summary("issues", 1, 1, 1.0, 1.0, 0, 0, 2))
    root = etree.fromstring(export.render_xliff(report).encode("utf-8"))
    assert validate_xliff2(root) == []
    tgt = root.find(f"{X}file/{X}unit/{X}segment/{X}target")
    assert "".join(tgt.itertext()) == t
    outer = tgt.find(X + "mrk")
    assert "".join(outer.itertext()) == t and outer.get(ITS + "locQualityIssueSeverity") == "30"
    assert "".join(outer.find(X + "mrk").itertext()) == "New Jersey"


def test_against_the_oasis_schema_when_shipped(seed: Report) -> None:
    core = SCHEMA / "xliff_core_2.0.xsd"
    if not core.exists():
        pytest.skip(f"the XLIFF 2 core schema is not shipped ({SCHEMA / 'README.md'} says how to add it)")
    schema = etree.XMLSchema(etree.parse(str(core)))
    doc = etree.fromstring(export.render_xliff(seed).encode("utf-8"))
    assert schema.validate(doc), schema.error_log


def test_render_dispatch(seed: Report) -> None:
    assert export.render(seed, "tmx") == export.render_tmx(seed)
    assert export.render(seed, "xliff") == export.render_xliff(seed)
    with pytest.raises(ValueError, match="tmx, xliff"):
        export.render(seed, "csv")


def test_tmx_puts_inline_tags_back() -> None:
    """A check of the XLIFF 1.2 fixture exported as TMX: its <g>, <x/> and <bpt>/<ept> codes
    are TMX <ph> elements again (their markup as content), and the text around them is intact."""
    from translate.storage import tmx

    bil = read_bilingual(CAT / "rate-cut.xliff12.xlf")
    source, target = bil.documents()
    links = [Link((bil.source_units.index(k),), (bil.target_units.index(k),), 0.5)
             for k in range(len(bil.units)) if k in bil.source_units and k in bil.target_units]
    report = Report("0", "sig", source, target, links, [], Summary("faithful", 11, 9, 1.0, 1.0, 0, 0, 0))
    text = export.render_tmx(report, {"source": bil.inlines("source"), "target": bil.inlines("target")})
    root = etree.fromstring(text.encode("utf-8"))
    segs = root.findall("body/tu/tuv/seg")
    assert [p.text for p in segs[0].iter("ph")] == ['<g id="1" ctype="bold">', "</g>"]
    assert "".join(segs[0].itertext()).replace('<g id="1" ctype="bold">', "").replace("</g>", "") == \
        bil.units[0].source.text
    core = [s for s in segs if "pangan" in "".join(s.itertext())][0]
    assert [p.text for p in core.iter("ph")] == ['<bpt id="3">&lt;i&gt;</bpt>', '<ept id="3">&lt;/i&gt;</ept>']
    assert len(tmx.tmxfile.parsestring(text.encode("utf-8")).units) == len(links) == 9
