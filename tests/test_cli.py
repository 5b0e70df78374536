"""The command line end to end: outputs, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fidelity.cli import main

ROOT = Path(__file__).resolve().parent.parent
EN = str(ROOT / "seeds" / "nyt.en.txt")
ID = str(ROOT / "seeds" / "nyt.id.txt")
FIX = ROOT / "tests" / "fixtures"


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_json_report_on_the_seed_pair() -> None:
    res = run("check", EN, ID, "--format", "json", "--device", "cpu", "-q")
    assert res.exit_code == 1  # issues
    report = json.loads(res.stdout)
    assert report["summary"]["verdict"] == "issues"
    assert report["source"]["path"] == EN and report["target"]["lang"] == "id"
    assert res.stderr == ""


def test_table_html_and_output_file(tmp_path: Path) -> None:
    res = run("check", EN, ID, "--format", "table", "--device", "cpu", "-q")
    assert "omission" in res.stdout and "addition" in res.stdout and "Manhattan" in res.stdout
    out = tmp_path / "report.html"
    res = run("check", EN, ID, "-o", str(out), "--device", "cpu")
    assert res.exit_code == 1
    page = out.read_text(encoding="utf-8")
    assert page.lstrip().lower().startswith("<!doctype html") and "Memuat" in page
    assert "wrote html report" in res.stderr
    assert list(tmp_path.iterdir()) == [out]  # atomic: no temp file left


def test_faithful_pair_exits_zero_and_fail_on_narrows(tmp_path: Path) -> None:
    en = FIX / "reef-bleaching.en.txt"
    idn = FIX / "reef-bleaching.id.txt"
    res = run("check", str(en), str(idn), "--format", "json", "--device", "cpu", "-q")
    assert json.loads(res.stdout)["summary"]["verdict"] == "faithful"
    assert res.exit_code == 0
    # Only drift fails the run: the seed's omissions and additions alone would not.
    res = run("check", EN, ID, "--format", "json", "--fail-on", "drift", "-q", "--device", "cpu")
    assert res.exit_code == 1  # the seed has drift
    text = idn.read_text(encoding="utf-8")
    paras = [p for p in text.splitlines() if p.strip()]
    cut = tmp_path / "cut.id.txt"
    cut.write_text("\n\n".join(paras[:4] + paras[5:]), encoding="utf-8")
    res = run("check", str(en), str(cut), "--format", "json", "--fail-on", "drift", "-q", "--device", "cpu")
    assert json.loads(res.stdout)["summary"]["omissions"] >= 1
    assert res.exit_code == 0
    res = run("check", str(en), str(cut), "--format", "json", "--fail-on", "omission", "-q", "--device", "cpu")
    assert res.exit_code == 1


def test_stdin_side() -> None:
    res = run("check", EN, "-", "--format", "json", "-q", "--device", "cpu",
              input=Path(ID).read_bytes())
    report = json.loads(res.stdout)
    assert report["target"]["path"] is None
    assert report["summary"]["target_sentences"] > 10


def _bad_inputs(tmp: Path) -> dict[str, tuple[str, str]]:
    (tmp / "empty.txt").write_text("")
    (tmp / "blank.txt").write_text("  \n\n \t\n")
    (tmp / "binary.bin").write_bytes(bytes(range(256)) * 8)
    return {
        "missing": (str(tmp / "nope.txt"), ID),
        "directory": (str(tmp), ID),
        "empty": (str(tmp / "empty.txt"), ID),
        "whitespace": (EN, str(tmp / "blank.txt")),
        "binary": (str(tmp / "binary.bin"), ID),
        "english as indonesian": (EN, str(ROOT / "seeds" / "ap.en.txt")),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "whitespace", "binary",
                                  "english as indonesian"])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    src, tgt = _bad_inputs(tmp_path)[case]
    res = run("check", src, tgt, "--device", "cpu")
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fidelity: error: "), res.stderr
    assert res.stdout == ""


def test_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    (tmp_path / "binary.bin").write_bytes(b"\x00\x01\x02PK\x03\x04" * 100)
    proc = subprocess.run([sys.executable, "-m", "fidelity", "check", str(tmp_path / "binary.bin"), ID],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_unreachable_hub_model_fails_fast_with_a_hint() -> None:
    res = run("check", EN, ID, "--model", "someone/not-a-cached-model", "--device", "cpu")
    assert res.exit_code == 2
    assert "local folder" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_usage_errors() -> None:
    assert run("check", EN, ID, "--fail-on", "typo").exit_code == 2
    assert run("check", "-", "-").exit_code == 2
    assert run("check", EN).exit_code == 2


def test_help_and_version_do_not_import_torch() -> None:
    code = ("import sys; from fidelity.cli import main; "
            "sys.argv=['fidelity','--help'];\n"
            "try:\n main()\nexcept SystemExit: pass\n"
            "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "check" in proc.stdout and proc.stdout.strip().endswith("NO-TORCH")
    res = run("--version")
    assert res.exit_code == 0 and "fidelity" in res.stdout
