"""The command line end to end: outputs, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from fidelity.cli import main
from fidelity.types import FINDING_TYPES

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
        "french as english": (str(ROOT / "tests" / "fixtures" / "other-languages" / "fr.txt"), ID),
    }


@pytest.mark.parametrize("case", ["missing", "directory", "empty", "whitespace", "binary",
                                  "english as indonesian", "french as english"])
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


# --------------------------------------------------------------------------- output path

def _one_error_line(res) -> str:
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fidelity: error: "), res.stderr
    return lines[0]


@pytest.mark.parametrize("where", ["missing folder", "existing folder", "trailing slash", "file as folder"])
def test_bad_output_path_is_one_line_exit_2_before_any_work(tmp_path: Path, where: str) -> None:
    (tmp_path / "plain.txt").write_text("x")
    output = {"missing folder": str(tmp_path / "nonexistent" / "dir" / "x.html"),
              "existing folder": str(tmp_path),
              "trailing slash": str(tmp_path / "out") + "/",
              "file as folder": str(tmp_path / "plain.txt" / "x.html")}[where]
    # The source does not exist either: the output path is refused first, before reading or
    # loading anything, so the message is about -o.
    res = run("check", str(tmp_path / "no-such.en.txt"), ID, "-o", output, "--device", "cpu")
    assert res.exit_code == 2
    line = _one_error_line(res)
    assert output in line and "no-such" not in line
    assert res.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.txt"]  # nothing written


# --------------------------------------------------------------------------- --fail-on

def test_parse_fail_on_types_severity_and_none() -> None:
    from fidelity.cli import parse_fail_on

    assert parse_fail_on("none") == frozenset() and parse_fail_on("none").min_severity is None
    rule = parse_fail_on("omission, Partial")
    assert rule == {"omission", "partial"} and rule.min_severity is None
    assert rule.counts("partial", "minor") and not rule.counts("drift", "critical")
    rule = parse_fail_on("major")
    assert rule == set(FINDING_TYPES) and rule.min_severity == "major"
    assert rule.counts("drift", "major") and rule.counts("omission", "critical")
    assert not rule.counts("addition", "minor")
    rule = parse_fail_on("drift,critical")
    assert rule.counts("drift", "critical") and not rule.counts("drift", "major")
    assert not rule.counts("omission", "critical")
    for bad in ("", "typo", "none,drift", "minor,major", "drift,,nope"):
        with pytest.raises(click.BadParameter):
            parse_fail_on(bad)
    # pickles with its severity (batch hands it to its workers' side of the run)
    assert pickle.loads(pickle.dumps(parse_fail_on("partial,major"))).min_severity == "major"


def test_fail_on_none_partial_and_severity_on_the_seed() -> None:
    res = run("check", EN, ID, "--format", "json", "-q", "--device", "cpu")
    report = json.loads(res.stdout)
    assert report["summary"]["verdict"] == "issues" and res.exit_code == 1
    severities = {f["severity"] for f in report["findings"]}
    assert run("check", EN, ID, "--format", "json", "-q", "--device", "cpu",
               "--fail-on", "none").exit_code == 0
    for level in ("minor", "major", "critical"):
        rank = ("minor", "major", "critical").index(level)
        expected = int(any(("minor", "major", "critical").index(s) >= rank for s in severities))
        assert run("check", EN, ID, "--format", "json", "-q", "--device", "cpu",
                   "--fail-on", level).exit_code == expected, level
    partials = [f for f in report["findings"] if f["type"] == "partial"]
    assert run("check", EN, ID, "--format", "json", "-q", "--device", "cpu",
               "--fail-on", "partial").exit_code == int(bool(partials))


# --------------------------------------------------------------------------- languages

def test_source_lang_is_normalised_and_unknown_ones_are_refused(tmp_path: Path) -> None:
    res = run("check", EN, ID, "--format", "json", "-q", "--device", "cpu", "--source-lang", "EN",
              "--target-lang", "id-ID")
    report = json.loads(res.stdout)
    assert report["source"]["lang"] == "en" and report["target"]["lang"] == "id"
    assert "punkt-EN" not in report["signature"]
    assert report == json.loads(run("check", EN, ID, "--format", "json", "-q", "--device", "cpu").stdout)
    res = run("check", EN, ID, "--source-lang", "fr", "-o", str(tmp_path / "r.json"))
    assert res.exit_code == 2
    assert _one_error_line(res) == ("fidelity: error: source language 'fr' is not supported: the "
                                    "sentence segmenter has parameters for en, id only")
    assert not (tmp_path / "r.json").exists()


# --------------------------------------------------------------------------- help and table

def test_help_lists_format_and_output_before_the_expert_options() -> None:
    text = run("check", "--help").stdout
    options = text[text.index("Options:"):]
    pos = {opt: options.index(opt) for opt in ("--format", "-o, --output", "--fail-on", "--verbose",
                                            "Expert options:", "--tau", "--model")}
    assert pos["--format"] < pos["-o, --output"] < pos["--fail-on"] < pos["Expert options:"]
    assert pos["Expert options:"] < pos["--tau"] and pos["Expert options:"] < pos["--model"]
    assert "130" in text and "none" in text
    batch = run("batch", "--help").stdout
    assert batch.index("--outdir") < batch.index("Expert options:") < batch.index("--tau")


@pytest.mark.parametrize("columns", [80, 120])
def test_table_fits_the_terminal_and_signature_only_with_verbose(columns: int) -> None:
    runner = CliRunner(env={"COLUMNS": str(columns)})
    res = runner.invoke(main, ["check", EN, ID, "--format", "table", "-q", "--device", "cpu"],
                        catch_exceptions=False)
    assert res.exit_code == 1
    lines = res.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    assert "signature" not in res.stdout and any(line.startswith("score: ") for line in lines)
    verbose = runner.invoke(main, ["check", EN, ID, "--format", "table", "-q", "--device", "cpu", "-v"],
                            catch_exceptions=False)
    assert verbose.stdout.splitlines()[-1].startswith("signature: fidelity:")
    json_report = json.loads(run("check", EN, ID, "--format", "json", "-q", "--device", "cpu").stdout)
    assert verbose.stdout.splitlines()[-1] == f"signature: {json_report['signature']}"


# --------------------------------------------------------------------------- interruption

def _long_pair(tmp: Path) -> tuple[str, str]:
    """The seed 30 times a side: long enough that a signal lands mid-check."""
    en, idn = tmp / "long.en.txt", tmp / "long.id.txt"
    en.write_text("\n\n".join([Path(EN).read_text(encoding="utf-8")] * 30), encoding="utf-8")
    idn.write_text("\n".join([Path(ID).read_text(encoding="utf-8")] * 30), encoding="utf-8")
    return str(en), str(idn)


def _wait_until_busy(proc: subprocess.Popen, timeout: float = 90.0) -> None:
    """Wait until the check is past start-up: torch is loaded (it is imported in the command)."""
    maps = Path(f"/proc/{proc.pid}/maps")
    if not maps.exists():  # pragma: no cover - not Linux
        pytest.skip("needs /proc to see when the check is under way")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if "libtorch" in maps.read_text():
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail("the check did not start (or ended) in time")


def _interrupt_check(tmp: Path, report: Path, sig: int, repeats: int = 0) -> tuple[int, str, str]:
    """Run ``fidelity check`` on a long pair into ``report``, send ``sig`` once it is under
    way (and ``repeats`` more 10 ms apart while it stops): (exit status, stdout, stderr)."""
    src, tgt = _long_pair(tmp)
    proc = subprocess.Popen([sys.executable, "-m", "fidelity", "check", src, tgt, "--device", "cpu",
                             "-o", str(report)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_busy(proc)
        time.sleep(0.5)
        proc.send_signal(sig)
        for _ in range(repeats):
            time.sleep(0.01)
            if proc.poll() is None:
                proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, stdout, stderr


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupted_check_exits_130_with_one_line(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "out"
    out.mkdir()
    status, stdout, stderr = _interrupt_check(tmp_path, out / "report.html", sig)
    assert status == 130, stderr
    assert stderr.strip() == "fidelity: interrupted" and "Aborted" not in stderr
    assert stdout == ""
    assert list(out.iterdir()) == []  # no report, no temporary file


def test_ctrl_c_pressed_again_while_stopping_still_exits_130(tmp_path: Path) -> None:
    """A user (or a scheduler) who repeats the signal while the check stops gets 130, not a
    death by SIGINT (exit -2 to the caller), and still one line."""
    status, _, stderr = _interrupt_check(tmp_path, tmp_path / "report.html", signal.SIGINT, repeats=5)
    assert status == 130, stderr
    assert stderr.strip() == "fidelity: interrupted"


def test_a_reader_that_stops_early_is_no_error() -> None:
    """``fidelity check A B | head -1``: no broken-pipe traceback, and the exit status still
    says what the check found (1: the seed has issues)."""
    proc = subprocess.Popen([sys.executable, "-m", "fidelity", "check", EN, ID, "--format", "json", "-q",
                             "--device", "cpu"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # the reader is gone before the report is written
    stderr = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert stderr == ""
