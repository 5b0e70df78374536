"""``fidelity batch`` with bilingual files (XLIFF, TMX) among the text pairs: each file is one
pair whose id is its stem, checked as ``fidelity check FILE`` checks it, recorded, reported and
resumed like a text pair; a malformed file, or translate-toolkit missing, is an error record.

Inputs: the XLIFF 2 and TMX fixtures of tests/fixtures/cat/, one fixture text pair, and a broken
XLIFF written here. Runs go through click's test runner in this process with ``--workers 0``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fidelity.batch import RESULTS, discover, folder_pairs
from fidelity.batch.common import BatchError
from fidelity.cli import main

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
CAT = FIXTURES / "cat"
XLIFF2 = CAT / "reef.xliff2.xlf"
TMX = CAT / "rate-cut.tmx"
TEXT = "bi-rate-cut"  # the text pair: bi-rate-cut.en.txt / bi-rate-cut.id.txt
BROKEN = b'<?xml version="1.0"?>\n<xliff version="2.0" xmlns="urn:oasis:names:tc:xliff:document:2.0">\n<file>'

needs_toolkit = pytest.mark.skipif(importlib.util.find_spec("translate") is None,
                                   reason="the CAT formats need translate-toolkit: pip install 'fidelity[cat]'")


def batch(*args: str):  # noqa: ANN201 - click.testing.Result
    """Run ``fidelity batch`` in this process."""
    return CliRunner().invoke(main, ["batch", *args, "--workers", "0", "-q"], catch_exceptions=False)


def records(outdir: Path) -> dict[str, dict]:
    lines = (outdir / RESULTS).read_text(encoding="utf-8").splitlines()
    return {rec["id"]: rec for rec in map(json.loads, lines)}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mixed_folder(folder: Path, broken: bool = True) -> Path:
    """An XLIFF 2 file, a TMX file, a text pair and (``broken``) a malformed XLIFF."""
    folder.mkdir()
    shutil.copyfile(XLIFF2, folder / XLIFF2.name)
    shutil.copyfile(TMX, folder / TMX.name)
    for side in ("en", "id"):
        shutil.copyfile(FIXTURES / f"{TEXT}.{side}.txt", folder / f"{TEXT}.{side}.txt")
    if broken:
        (folder / "broken.xlf").write_bytes(BROKEN)
    return folder


@pytest.fixture(scope="module")
def first_run(tmp_path_factory) -> tuple[Path, Path, object]:
    """(input folder, OUTDIR, result) of one run over :func:`mixed_folder`."""
    base = tmp_path_factory.mktemp("mixed")
    folder = mixed_folder(base / "in")
    outdir = base / "out"
    return folder, outdir, batch(str(folder), "-o", str(outdir))


# --- discovery (no model) ---------------------------------------------------------------------

def test_folder_bilingual_files_are_pairs_named_by_stem(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path / "in", broken=False)
    (folder / "notes.txt").write_text("not a pair", encoding="utf-8")
    specs = {s.id: s for s in discover(folder)}
    assert set(specs) == {TEXT, "reef.xliff2", "rate-cut"}
    assert specs["rate-cut"].bilingual and specs["rate-cut"].target is None
    assert specs["rate-cut"].source == str(folder / TMX.name) and specs["rate-cut"].problem is None
    assert not specs[TEXT].bilingual and specs[TEXT].target == str(folder / f"{TEXT}.id.txt")
    # folder_pairs' default reads text pairs only (both engines ask for the bilingual files).
    assert [s.id for s in folder_pairs(folder, ".en.txt", ".id.txt")] == [TEXT]


def test_folder_of_bilingual_files_only_and_a_clash(tmp_path: Path) -> None:
    shutil.copyfile(TMX, tmp_path / "story.tmx")
    assert [(s.id, s.bilingual) for s in discover(tmp_path)] == [("story", True)]
    shutil.copyfile(XLIFF2, tmp_path / "story.xlf")  # the same id twice: refused, one line
    with pytest.raises(BatchError, match="'story' occurs twice"):
        discover(tmp_path)


def test_manifest_rows_with_a_bilingual_source_and_no_target(tmp_path: Path) -> None:
    (tmp_path / "m.csv").write_text(
        "id,source,target\n"
        f",{XLIFF2},\n"
        f"tm,{TMX},\n"
        f",{FIXTURES / (TEXT + '.en.txt')},{FIXTURES / (TEXT + '.id.txt')}\n"
        f"alone,{FIXTURES / (TEXT + '.en.txt')},\n", encoding="utf-8")
    specs = discover(tmp_path / "m.csv")
    assert [(s.id, s.bilingual, s.target, s.problem is None) for s in specs[:3]] == [
        ("reef.xliff2", True, None, True), ("tm", True, None, True),
        (TEXT, False, str(FIXTURES / f"{TEXT}.id.txt"), True)]
    assert not specs[3].bilingual and "no target path" in specs[3].problem  # a text file alone
    (tmp_path / "m.jsonl").write_text(json.dumps({"source": str(TMX)}) + "\n", encoding="utf-8")
    assert [(s.id, s.bilingual) for s in discover(tmp_path / "m.jsonl")] == [("rate-cut", True)]


# --- runs -------------------------------------------------------------------------------------

@needs_toolkit
def test_bilingual_files_are_recorded_like_pairs(first_run) -> None:
    folder, outdir, result = first_run
    assert result.exit_code == 3, result.output  # the broken file is a failed pair
    recs = records(outdir)
    assert list(recs) == ["bi-rate-cut", "broken", "rate-cut", "reef.xliff2"]  # input order
    for stem, name in (("reef.xliff2", XLIFF2.name), ("rate-cut", TMX.name)):
        rec = recs[stem]
        assert rec["error"] is None and rec["verdict"] == "issues"
        assert rec["source"] == str(folder / name) and rec["target"] is None
        assert rec["source_sha256"] == sha(folder / name) and rec["target_sha256"] is None
        assert rec["report"] == f"{stem}.json" and (outdir / f"{stem}.html").is_file()
        assert rec["counts"]["source_sentences"] > 0 and sum(rec["severities"]["omission"].values()) > 0
    text = recs[TEXT]
    assert text["error"] is None and text["target_sha256"] == sha(folder / f"{TEXT}.id.txt")
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["pairs"], summary["checked"], summary["issues"], summary["failed"]) == (4, 4, 3, 1)
    index = (outdir / "index.html").read_text(encoding="utf-8")
    assert 'href="rate-cut.html"' in index and 'href="reef.xliff2.html"' in index


@needs_toolkit
def test_malformed_xliff_is_a_one_line_error_record(first_run) -> None:
    folder, outdir, _ = first_run
    rec = records(outdir)["broken"]
    assert rec["verdict"] is None and rec["report"] is None
    assert rec["error"].startswith(f"{folder / 'broken.xlf'}: not well-formed XML")
    assert "\n" not in rec["error"] and rec["source_sha256"] == sha(folder / "broken.xlf")
    assert not (outdir / "broken.json").exists() and not (outdir / "broken.html").exists()


@needs_toolkit
@pytest.mark.parametrize("name", [XLIFF2.name, TMX.name])
def test_report_is_what_fidelity_check_gives(first_run, tmp_path: Path, name: str) -> None:
    folder, outdir, _ = first_run
    out = tmp_path / "check.json"
    res = CliRunner().invoke(main, ["check", str(folder / name), "-o", str(out), "-q"],
                             catch_exceptions=False)
    assert res.exit_code == 1, res.output  # the fixtures have findings
    checked = json.loads(out.read_text(encoding="utf-8"))
    batched = json.loads((outdir / f"{Path(name).stem}.json").read_text(encoding="utf-8"))
    assert batched["findings"] and batched["findings"] == checked["findings"]
    assert batched == checked  # the whole report: sides, links, summary, signature


@needs_toolkit
def test_resume_skips_unchanged_files_and_redoes_changed_ones(tmp_path: Path) -> None:
    folder = mixed_folder(tmp_path / "in", broken=False)
    outdir = tmp_path / "out"
    assert batch(str(folder), "-o", str(outdir)).exit_code == 1
    first = records(outdir)
    second = batch(str(folder), "-o", str(outdir))
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert second.exit_code == 1 and (summary["checked"], summary["reused"]) == (0, 3)
    assert records(outdir) == first  # the reused lines, seconds and all
    # A changed TMX (one more unit) is checked again; the others are still reused.
    tmx = (folder / TMX.name).read_text(encoding="utf-8")
    unit = ('<tu><tuv xml:lang="en"><seg>The bank will meet again in June.</seg></tuv>'
            '<tuv xml:lang="id"><seg>Bank akan bertemu lagi pada bulan Juni.</seg></tuv></tu>')
    (folder / TMX.name).write_text(tmx.replace("</body>", unit + "</body>"), encoding="utf-8")
    batch(str(folder), "-o", str(outdir))
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["checked"], summary["reused"]) == (1, 2)
    rec = records(outdir)["rate-cut"]
    assert rec["source_sha256"] == sha(folder / TMX.name) != first["rate-cut"]["source_sha256"]
    assert rec["counts"]["source_sentences"] == first["rate-cut"]["counts"]["source_sentences"] + 1
    # --force redoes them all.
    batch(str(folder), "-o", str(outdir), "--force")
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    assert (summary["checked"], summary["reused"]) == (3, 0)


@needs_toolkit
def test_manifest_run_checks_the_bilingual_row(tmp_path: Path) -> None:
    (tmp_path / "m.jsonl").write_text(
        json.dumps({"id": "tm", "source": str(TMX), "target": ""}) + "\n"
        + json.dumps({"source": str(FIXTURES / f"{TEXT}.en.txt"),
                      "target": str(FIXTURES / f"{TEXT}.id.txt")}) + "\n", encoding="utf-8")
    outdir = tmp_path / "out"
    assert batch(str(tmp_path / "m.jsonl"), "-o", str(outdir)).exit_code == 1
    recs = records(outdir)
    assert list(recs) == ["tm", TEXT]
    assert recs["tm"]["verdict"] == "issues" and recs["tm"]["source_sha256"] == sha(TMX)
    assert (outdir / "tm.json").is_file() and recs[TEXT]["error"] is None


def test_without_translate_toolkit_a_bilingual_file_is_an_error_record(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "translate.storage", None)  # `import` now fails
    folder = mixed_folder(tmp_path / "in", broken=False)
    outdir = tmp_path / "out"
    result = batch(str(folder), "-o", str(outdir))
    assert result.exit_code == 3, result.output
    recs = records(outdir)
    for stem in ("reef.xliff2", "rate-cut"):
        assert "translate-toolkit" in recs[stem]["error"] and "fidelity[cat]" in recs[stem]["error"]
        assert "\n" not in recs[stem]["error"] and recs[stem]["verdict"] is None
    assert recs[TEXT]["error"] is None and recs[TEXT]["verdict"] in {"faithful", "issues"}
