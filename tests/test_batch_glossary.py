"""``fidelity batch --glossary``: the house glossary is read once, before any pair, and applied
to every pair (text, XLIFF, TMX) as ``fidelity check --glossary`` applies it; it is part of the
signature, so a resumed run redoes the pairs when the glossary's terms change, and only then.

Inputs: the fixture text pair bi-rate-cut, the XLIFF 2 and TMX fixtures of tests/fixtures/cat/
(the TMX holds the same story as the text pair), and a small house glossary written here whose
terms those translations partly follow ("bank sentral", "persen") and partly do not ("cautious"
is rendered "hati-hati", not the house's "waspada"; "coral" is "karang", not "terumbu karang").
The first run uses a worker process (the glossary travels to it with each pair); the others run
in this process.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from fidelity.batch import RESULTS, SUMMARY, BatchError, BatchOptions, run_batch
from fidelity.cli import main
from fidelity.glossary import load_glossary
from fidelity.pipeline import Settings
from fidelity.signature import glossary_part

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CAT = FIXTURES / "cat"
XLIFF2 = CAT / "reef.xliff2.xlf"
TMX = CAT / "rate-cut.tmx"
TEXT = "bi-rate-cut"
IDS = [TEXT, "rate-cut", "reef.xliff2"]  # input order (by id)

HOUSE = """en,id,forms,note
central bank,bank sentral,,
cautious,waspada,,"house style: 'hati-hati' is kept for warnings"
coral,terumbu karang,,
mass bleaching,pemutihan massal,,
percent,persen,,
"""
#: The same terms, laid out differently: a comment, other notes, quoted cells.
HOUSE_RELAID = """en,id,forms,note
# reviewed by the desk
"central bank","bank sentral",,"the institution"
"cautious","waspada",,
coral,terumbu karang,,"reef-building animals"
mass bleaching,pemutihan massal,,
percent,persen,,
"""

needs_toolkit = pytest.mark.skipif(importlib.util.find_spec("translate") is None,
                                   reason="the CAT formats need translate-toolkit: pip install 'fidelity[cat]'")


def mixed_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copyfile(XLIFF2, folder / XLIFF2.name)
    shutil.copyfile(TMX, folder / TMX.name)
    for side in ("en", "id"):
        shutil.copyfile(FIXTURES / f"{TEXT}.{side}.txt", folder / f"{TEXT}.{side}.txt")
    return folder


def run(folder: Path, outdir: Path, glossary: Path | None, workers: int = 0):  # noqa: ANN201
    return run_batch(BatchOptions(input=str(folder), outdir=str(outdir), settings=Settings(device="cpu"),
                                  workers=workers, progress=False,
                                  glossary=None if glossary is None else str(glossary)))


def records(outdir: Path) -> dict[str, dict]:
    lines = (outdir / RESULTS).read_text(encoding="utf-8").splitlines()
    return {rec["id"]: rec for rec in map(json.loads, lines)}


def report(outdir: Path, stem: str) -> dict:
    return json.loads((outdir / f"{stem}.json").read_text(encoding="utf-8"))


def terms(rep: dict) -> set[tuple[str, str]]:
    """(source term, required rendering) of every terminology finding of a JSON report."""
    return {(c["source"].lower(), c["target"]) for f in rep["findings"] if f["category"] == "terminology"
            for c in f["changes"]}


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> tuple[Path, Path, Path]:
    """(input folder, glossary, OUTDIR) of a run with the house glossary and a worker process."""
    base = tmp_path_factory.mktemp("glossary")
    folder = mixed_folder(base / "in")
    glossary = base / "house.csv"
    glossary.write_text(HOUSE, encoding="utf-8")
    outdir = base / "out"
    totals, stats = run(folder, outdir, glossary, workers=1)
    assert (totals.exit_code, stats.checked, totals.failed) == (1, 3, 0)
    return folder, glossary, outdir


# --- a bad glossary ---------------------------------------------------------------------------

BAD = [("missing.csv", None, "missing.csv: No such file or directory"),
       ("bad.csv", b"en,id\ncautious,waspada\nofficials\n", "bad.csv: line 3 needs a source term"),
       ("latin.csv", "en,id\npr\u00e9sident,presiden\n".encode("latin-1"), "a CSV glossary must be UTF-8"),
       ("empty.csv", b"en,id\n", "the glossary has no terms")]


@pytest.mark.parametrize("name, data, words", BAD)
def test_a_bad_glossary_stops_the_run_before_anything(tmp_path: Path, name: str, data: bytes | None,
                                                      words: str) -> None:
    """One line naming the option and the file, exit status 2, and nothing done: no OUTDIR."""
    folder = mixed_folder(tmp_path / "in")
    if data is not None:
        (tmp_path / name).write_bytes(data)
    with pytest.raises(BatchError) as info:
        run(folder, tmp_path / "out", tmp_path / name)
    text = str(info.value)
    assert text.startswith(f"--glossary {tmp_path / name}") and words in text and "\n" not in text
    assert info.value.exit_code == 2
    assert not (tmp_path / "out").exists()


@needs_toolkit
def test_a_malformed_tbx_glossary_is_one_line_too(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path / "in")
    (tmp_path / "house.tbx").write_text("<martif><text><body><termEntry>", encoding="utf-8")
    with pytest.raises(BatchError, match=r"^--glossary .*house\.tbx: not well-formed XML") as info:
        run(folder, tmp_path / "out", tmp_path / "house.tbx")
    assert "\n" not in str(info.value) and not (tmp_path / "out").exists()


def test_the_command_line_option(tmp_path: Path) -> None:
    """``fidelity batch --glossary FILE``: a bad file is one line on stderr and exit 2."""
    folder = mixed_folder(tmp_path / "in")
    res = CliRunner().invoke(main, ["batch", str(folder), "-o", str(tmp_path / "out"), "--workers", "0",
                                    "-q", "--glossary", str(tmp_path / "none.csv")])
    (line,) = res.output.strip().splitlines()
    assert res.exit_code == 2 and line.endswith(f"error: --glossary {tmp_path / 'none.csv'}: No such file "
                                                f"or directory")
    assert not (tmp_path / "out").exists()
    assert "--glossary" in CliRunner().invoke(main, ["batch", "--help"]).output


# --- every pair, as check gives it --------------------------------------------------------------

@needs_toolkit
def test_every_pair_gets_the_terminology_findings(first) -> None:
    folder, glossary, outdir = first
    recs = records(outdir)
    assert list(recs) == IDS
    part = glossary_part(load_glossary(glossary))
    summary = json.loads((outdir / SUMMARY).read_text(encoding="utf-8"))
    assert summary["signature"].endswith("|" + part)
    for stem in IDS:
        rep = report(outdir, stem)
        assert recs[stem]["signature"] == rep["signature"] == summary["signature"]
        assert recs[stem]["counts"]["drifts"] == rep["summary"]["drifts"]
    # The text pair and the TMX (the same story): "hati-hati" is not the house's "waspada";
    # the terms they render as the house says give nothing.
    for stem in (TEXT, "rate-cut"):
        assert terms(report(outdir, stem)) == {("cautious", "waspada")}
    found = terms(report(outdir, "reef.xliff2"))
    assert ("coral", "terumbu karang") in found and ("corals", "terumbu karang") in found
    assert not {src for src, _ in found} & {"central bank", "percent", "mass bleaching"}


@needs_toolkit
@pytest.mark.parametrize("stem", IDS)
def test_each_report_is_what_check_glossary_gives(first, tmp_path: Path, stem: str) -> None:
    folder, glossary, outdir = first
    sides = [str(folder / XLIFF2.name)] if stem == "reef.xliff2" else [str(folder / TMX.name)] \
        if stem == "rate-cut" else [str(folder / f"{TEXT}.en.txt"), str(folder / f"{TEXT}.id.txt")]
    out = tmp_path / "check.json"
    res = CliRunner().invoke(main, ["check", *sides, "--glossary", str(glossary), "-o", str(out), "-q"],
                             catch_exceptions=False)
    assert res.exit_code == 1, res.output
    checked, batched = json.loads(out.read_text(encoding="utf-8")), report(outdir, stem)
    assert terms(batched) and batched["findings"] == checked["findings"]
    assert (batched["signature"], batched["summary"]) == (checked["signature"], checked["summary"])


# --- resume -----------------------------------------------------------------------------------

@needs_toolkit
def test_resume_follows_the_glossarys_terms(first, tmp_path: Path) -> None:
    """The same terms laid out anew (a rewritten file): every pair reused. A changed term:
    every pair redone, with the new term's findings. No glossary: redone, no terminology."""
    folder, glossary, first_out = first
    outdir = tmp_path / "out"
    shutil.copytree(first_out, outdir)
    before = records(outdir)
    house = tmp_path / "house.csv"
    house.write_text(HOUSE_RELAID, encoding="utf-8")
    totals, stats = run(folder, outdir, house)
    assert (stats.checked, stats.reused, totals.exit_code) == (0, 3, 1)
    assert records(outdir) == before

    house.write_text(HOUSE_RELAID.replace('"waspada"', '"hati-hati"'), encoding="utf-8")
    totals, stats = run(folder, outdir, house)
    assert (stats.checked, stats.reused) == (3, 0)
    after = records(outdir)
    part = glossary_part(load_glossary(house))
    assert all(rec["signature"].endswith("|" + part) and rec["signature"] != before[k]["signature"]
               for k, rec in after.items())
    for stem in (TEXT, "rate-cut"):
        assert terms(report(outdir, stem)) == set()
        assert after[stem]["counts"]["drifts"] == before[stem]["counts"]["drifts"] - 1
    assert ("coral", "terumbu karang") in terms(report(outdir, "reef.xliff2"))

    totals, stats = run(folder, outdir, None)
    assert (stats.checked, stats.reused) == (3, 0)
    for stem, rec in records(outdir).items():
        assert "|glossary:" not in rec["signature"] and terms(report(outdir, stem)) == set()


def test_a_glossary_url_is_read_through_the_storage_layer(tmp_path: Path) -> None:
    """A cluster keeps its inputs in a store: ``--glossary file://...`` (fsspec stands for
    ``s3://`` here) gives the glossary its path gives; a missing object is one line."""
    pytest.importorskip("fsspec")
    from fidelity.batch.command import load_batch_glossary

    house = tmp_path / "house glossary.csv"
    house.write_text(HOUSE, encoding="utf-8")

    def load(where: str):  # noqa: ANN202
        return load_batch_glossary(BatchOptions(input=str(tmp_path), outdir=str(tmp_path / "out"),
                                                settings=Settings(device="cpu"), glossary=where))

    by_url, by_path = load(house.as_uri()), load(str(house))
    assert by_url.terms == by_path.terms and by_url.digest == by_path.digest and len(by_url) == 5
    with pytest.raises(BatchError, match=r"^--glossary .*none\.csv: no such file$"):
        load((tmp_path / "none.csv").as_uri())
    (tmp_path / "bad.csv").write_text("en,id\nofficials\n", encoding="utf-8")
    with pytest.raises(BatchError, match=r"^--glossary file://.*bad\.csv: line 2 needs"):
        load((tmp_path / "bad.csv").as_uri())
