"""``fidelity batch``: faults become records, resume skips what is done, a killed run resumes
to the same results, and a second run on a locked OUTDIR is refused.

The inputs are the seed pair and the fixture pairs (plus broken copies made here). Most runs go
through click's test runner in this process with ``--workers 0``; the kill test runs
``python -m fidelity batch`` as a real process (with a worker process) because it needs one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from fidelity.batch import (LOCK, RESULTS, BatchRunner, InlineExecutor, discover, read_results,
                            run_finish, safe_stem)
from fidelity.cli import main
from fidelity.pipeline import Checker, Settings

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SEEDS = REPO / "seeds"
VERDICTS = {"faithful", "issues", "unrelated"}


def good_pairs() -> list[tuple[str, Path, Path]]:
    """(story, source, target) of the seed pair and every fixture pair."""
    pairs = [("nyt", SEEDS / "nyt.en.txt", SEEDS / "nyt.id.txt")]
    for src in sorted(FIXTURES.glob("*.en.txt")):
        tgt = src.with_name(src.name.replace(".en.txt", ".id.txt"))
        if tgt.is_file():
            pairs.append((src.name[: -len(".en.txt")], src, tgt))
    return pairs


def copy_pair(folder: Path, story: str, src: Path, tgt: Path) -> None:
    shutil.copyfile(src, folder / f"{story}.en.txt")
    shutil.copyfile(tgt, folder / f"{story}.id.txt")


def batch(*args: str) -> "click.testing.Result":  # noqa: F821
    """Run ``fidelity batch`` in this process."""
    return CliRunner().invoke(main, ["batch", *args, "-q"], catch_exceptions=False)


def records(outdir: Path) -> list[dict]:
    lines = (outdir / RESULTS).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def latin1_copy(text: str) -> bytes:
    """``text`` as Latin-1 bytes (typographic quotes made plain, accented letters kept)."""
    for a, b in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
                 ("\u2026", "..."), ("\u2014", "-"), ("\u2013", "-")):
        text = text.replace(a, b)
    return text.encode("latin-1")


@pytest.fixture(scope="module")
def faulty_folder(tmp_path_factory) -> Path:
    """Good pairs, a one-sided story, an empty file, a binary file, a Latin-1 file and a French
    source declared English."""
    folder = tmp_path_factory.mktemp("faulty")
    for story, src, tgt in good_pairs():
        copy_pair(folder, story, src, tgt)
    shutil.copyfile(SEEDS / "ap.en.txt", folder / "ap.en.txt")  # no translation
    (folder / "empty.en.txt").write_bytes(b"")
    shutil.copyfile(SEEDS / "nyt.id.txt", folder / "empty.id.txt")
    shutil.copyfile(SEEDS / "nyt.en.txt", folder / "binary.en.txt")
    (folder / "binary.id.txt").write_bytes(bytes(range(256)) * 8 + b"\x00" * 512)
    helio = FIXTURES / "helioframe-trial"
    latin = latin1_copy(helio.with_suffix(".en.txt").read_text(encoding="utf-8"))
    assert any(b > 0x7F for b in latin), "the Latin-1 file must contain a non-ASCII letter"
    (folder / "latin1.en.txt").write_bytes(latin)
    shutil.copyfile(helio.with_suffix(".id.txt"), folder / "latin1.id.txt")
    shutil.copyfile(FIXTURES / "other-languages" / "fr.txt", folder / "french.en.txt")
    shutil.copyfile(SEEDS / "nyt.id.txt", folder / "french.id.txt")
    return folder


def test_faults_become_records_and_exit_3(faulty_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = batch(str(faulty_folder), "-o", str(out), "--workers", "0")
    assert result.exit_code == 3, result.output
    recs = {r["id"]: r for r in records(out)}
    stories = [s for s, _, _ in good_pairs()]
    assert sorted(recs) == sorted(stories + ["ap", "empty", "binary", "latin1", "french"])
    assert len(records(out)) == len(recs)  # one line per pair

    assert "no target file ap.id.txt" in recs["ap"]["error"]
    assert recs["ap"]["target"] is None and recs["ap"]["verdict"] is None
    for bad in ("empty", "binary", "french"):
        assert recs[bad]["error"], bad
        assert recs[bad]["verdict"] is None and recs[bad]["report"] is None
        assert not (out / f"{bad}.json").exists()
    assert "empty.en.txt" in recs["empty"]["error"]
    assert "binary.id.txt" in recs["binary"]["error"]
    assert "french.en.txt: expected English (en) text but it looks like neither" in recs["french"]["error"]

    for story in stories + ["latin1"]:
        rec = recs[story]
        assert rec["error"] is None and rec["verdict"] in VERDICTS, rec
        report = json.loads((out / rec["report"]).read_text(encoding="utf-8"))
        assert report["summary"]["verdict"] == rec["verdict"]
        assert report["signature"] == rec["signature"]
        assert report["summary"]["omissions"] == rec["counts"]["omissions"]
        assert (out / rec["html"]).read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    # The Latin-1 file was decoded, not mangled: its accented name survives into the report.
    latin_report = json.loads((out / "latin1.json").read_text(encoding="utf-8"))
    source_text = " ".join(s["text"] for s in latin_report["source"]["sentences"])
    assert "\u00e1" in source_text and "\ufffd" not in source_text

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["pairs"], summary["failed"], summary["exit_code"]) == (len(recs), 4, 3)
    # "seconds" is the whole run: the model load (model_seconds) and the pairs' processing
    # (pairs_seconds, from which the rate is computed) are parts of it
    assert 0 < summary["model_seconds"] and 0 < summary["pairs_seconds"]
    # (each figure is rounded to the millisecond on its own: 0.719 may stand for 0.0344 + 0.6849)
    assert summary["seconds"] >= summary["model_seconds"] + summary["pairs_seconds"] - 0.0015
    assert summary["pairs_per_second"] == pytest.approx(summary["checked"] / summary["pairs_seconds"],
                                                        rel=0.01)
    assert summary["faithful"] + summary["issues"] + summary["unrelated"] == len(stories) + 1
    index = (out / "index.html").read_text(encoding="utf-8")
    for story in stories:
        assert f'href="{story}.html"' in index
    assert 'href="ap.html"' not in index and "http://" not in index and "https://" not in index
    assert "failed" in result.stdout and "ap" in result.stdout


def test_resume_skips_unchanged_and_redoes_changed(tmp_path: Path) -> None:
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    pairs = good_pairs()[:3]
    for story, src, tgt in pairs:
        copy_pair(folder, story, src, tgt)
    first = batch(str(folder), "-o", str(out), "--workers", "0")
    assert first.exit_code in (0, 1), first.output
    before = {r["id"]: r for r in records(out)}
    mtimes = {s: (out / f"{s}.json").stat().st_mtime_ns for s, _, _ in pairs}

    again = batch(str(folder), "-o", str(out), "--workers", "0")
    assert again.exit_code == first.exit_code
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["checked"], summary["reused"]) == (0, 3)
    assert {r["id"]: r for r in records(out)} == before
    assert {s: (out / f"{s}.json").stat().st_mtime_ns for s, _, _ in pairs} == mtimes
    assert not (out / LOCK).exists(), "the lock file is deleted at the end of a run"

    changed = pairs[1][0]
    target = folder / f"{changed}.id.txt"
    paragraphs = [p for p in target.read_text(encoding="utf-8").splitlines() if p.strip()]
    target.write_text("\n".join(paragraphs[:-2]) + "\n", encoding="utf-8")  # drop two paragraphs
    third = batch(str(folder), "-o", str(out), "--workers", "0")
    assert third.exit_code in (0, 1), third.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["checked"], summary["reused"]) == (1, 2)
    after = {r["id"]: r for r in records(out)}
    assert len(records(out)) == 3
    assert after[changed]["target_sha256"] != before[changed]["target_sha256"]
    assert after[changed]["counts"]["target_sentences"] < before[changed]["counts"]["target_sentences"]
    for story, _, _ in pairs:
        moved = (out / f"{story}.json").stat().st_mtime_ns != mtimes[story]
        assert moved == (story == changed), story

    forced = batch(str(folder), "-o", str(out), "--workers", "0", "--force")
    assert forced.exit_code in (0, 1)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert (summary["checked"], summary["reused"]) == (3, 0)

    retuned = batch(str(folder), "-o", str(out), "--workers", "0", "--tau", "0.1")  # new signature
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert retuned.exit_code in (0, 1) and (summary["checked"], summary["reused"]) == (3, 0)
    assert all("tau=0.1" in r["signature"] for r in records(out))


def test_manifest_paths_are_relative_and_ids_are_escaped(tmp_path: Path) -> None:
    story, src, tgt = good_pairs()[1]
    (tmp_path / "texts").mkdir()
    copy_pair(tmp_path / "texts", story, src, tgt)
    manifest = tmp_path / "list.jsonl"
    rows = [{"id": "<b>bold</b>", "source": f"texts/{story}.en.txt", "target": f"texts/{story}.id.txt"},
            {"source": f"texts/{story}.en.txt", "target": "texts/missing.id.txt"}]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = batch(str(manifest), "-o", str(out), "--workers", "0")
    assert result.exit_code == 3, result.output
    recs = {r["id"]: r for r in records(out)}
    assert set(recs) == {"<b>bold</b>", story}
    assert recs["<b>bold</b>"]["report"] == safe_stem("<b>bold</b>") + ".json" == "b_bold_b.json"
    assert recs["<b>bold</b>"]["verdict"] in VERDICTS
    assert "missing.id.txt" in recs[story]["error"] and "no such file" in recs[story]["error"]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<b>bold</b>" not in index and "&lt;b&gt;bold&lt;/b&gt;" in index

    csv_manifest = tmp_path / "list.csv"
    csv_manifest.write_text(f"source,target\ntexts/{story}.en.txt,texts/{story}.id.txt\n", encoding="utf-8")
    assert [s.id for s in discover(csv_manifest)] == [story]
    bad = tmp_path / "bad.csv"
    bad.write_text("english,indonesian\na,b\n", encoding="utf-8")
    refused = batch(str(bad), "-o", str(tmp_path / "out2"))
    assert refused.exit_code == 2 and "source" in refused.output


def _kill_folder(tmp_path: Path, copies: int) -> tuple[Path, int]:
    """``copies`` renamed copies of every good pair (enough work to kill a run part-way)."""
    folder = tmp_path / "many"
    folder.mkdir()
    n = 0
    for k in range(copies):
        for story, src, tgt in good_pairs():
            copy_pair(folder, f"{story}-{k:02d}", src, tgt)
            n += 1
    return folder, n


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "fidelity", "batch", *args]


def test_killed_run_resumes_to_the_same_results(tmp_path: Path) -> None:
    folder, n = _kill_folder(tmp_path, copies=4)
    ref_out, out = tmp_path / "ref", tmp_path / "out"
    reference = batch(str(folder), "-o", str(ref_out), "--workers", "0")
    assert reference.exit_code in (0, 1), reference.output
    expected = sorted((r["id"], r["verdict"]) for r in records(ref_out))
    assert len(expected) == n

    proc = subprocess.Popen(_cli(str(folder), "-o", str(out), "--workers", "1", "--window", "2", "-q"),
                            cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results = out / RESULTS
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if results.is_file() and results.read_bytes().count(b"\n") >= 1:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes
    proc.wait()
    done = [r.id for r in read_results(results)]
    assert 1 <= len(done) < n, "the kill must land part-way through the run"

    resumed = batch(str(folder), "-o", str(out), "--workers", "0")
    assert resumed.exit_code == reference.exit_code, resumed.output
    got = records(out)
    assert sorted((r["id"], r["verdict"]) for r in got) == expected
    assert len({r["id"] for r in got}) == len(got) == n
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reused"] >= len(done) and summary["reused"] + summary["checked"] == n
    assert not list(out.glob(".*.tmp")), "temporary files of the killed run are cleaned up"


def session_processes(sid: int) -> set[int]:
    """Live (not zombie) processes of session ``sid``, from /proc: a run started with
    ``start_new_session`` is its session's leader, and every process it starts (fork server,
    resource tracker, workers) stays in its session, re-parented or not."""
    pids = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != b"Z":  # field 6 of stat: the session
            pids.add(int(entry))
    return pids


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def wait_gone(pids: set[int], sid: int, seconds: float = 15.0) -> set[int]:
    """The processes of ``pids`` and of session ``sid`` still alive after up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        left = {p for p in pids if _alive(p)} | session_processes(sid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def start_and_wait(folder: Path, out: Path, processes: int, lines: int) -> subprocess.Popen:
    """``fidelity batch`` with 2 workers in its own session, once its session has
    ``processes`` live processes and ``results.jsonl`` ``lines`` records."""
    proc = subprocess.Popen(_cli(str(folder), "-o", str(out), "--workers", "2", "--window", "2", "-q"),
                            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    results = out / RESULTS
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        if len(session_processes(proc.pid)) >= processes and (
                lines == 0 or results.is_file() and results.read_bytes().count(b"\n") >= lines):
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the run ended before it could be stopped"
    return proc


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_stops_every_process_of_the_run_and_it_resumes(tmp_path: Path) -> None:
    """SIGTERM (a scheduler's stop) to the command alone: exit 130 with one line, no process
    it started left running (fork server, resource tracker, workers, by pid), no lock file;
    the next run resumes to one record per pair."""
    folder, n = _kill_folder(tmp_path, copies=3)
    out = tmp_path / "out"
    # the command, the resource tracker, the fork server and two workers, one pair recorded
    proc = start_and_wait(folder, out, processes=5, lines=1)
    started = session_processes(proc.pid)
    assert len(started) >= 5
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(60) == 130
    stderr = proc.stderr.read().decode()
    assert len(stderr.strip().splitlines()) == 1 and "interrupted by SIGTERM" in stderr, stderr
    assert wait_gone(started, proc.pid) == set()
    assert not (out / LOCK).exists()
    done = [r.id for r in read_results(out / RESULTS)]
    assert 1 <= len(done) < n

    resumed = batch(str(folder), "-o", str(out), "--workers", "0")
    assert resumed.exit_code in (0, 1), resumed.output
    got = [r["id"] for r in records(out)]
    assert sorted(got) == sorted(set(got)) and len(got) == n
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["reused"] >= len(done) and summary["reused"] + summary["checked"] == n
    assert not (out / LOCK).exists()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_while_the_workers_start_prints_one_line(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole foreground process group. Sent as soon as a worker exists
    (the fork server still importing, the model loading), it ends the run with exit 130 and
    one line: no worker traceback, nothing left running."""
    folder, _ = _kill_folder(tmp_path, copies=1)
    out = tmp_path / "out"
    proc = start_and_wait(folder, out, processes=4, lines=0)  # command, tracker, server, a worker
    started = session_processes(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(60) == 130
    stderr = proc.stderr.read().decode()
    assert len(stderr.strip().splitlines()) == 1 and "interrupted" in stderr, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert wait_gone(started, proc.pid) == set()
    assert not (out / LOCK).exists()


def test_second_concurrent_run_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    story, src, tgt = good_pairs()[0]
    copy_pair(folder, story, src, tgt)
    out = tmp_path / "out"
    out.mkdir()
    with FileLock(str(out / LOCK)):  # another run holds OUTDIR (flock: per open file, so here too)
        result = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "another fidelity batch" in lines[0], result.stderr
    assert result.stdout == "" and not (out / RESULTS).exists()


class _DyingPool(InlineExecutor):
    """Runs tasks in this process, but the pool 'dies' on the first finish task of ``victim``:
    that future fails with BrokenProcessPool and so does every later submit, as a real pool
    whose worker was killed does."""

    def __init__(self, victim: int):
        self.victim = victim
        self.broken = False

    def submit(self, fn, /, *args, **kwargs):  # noqa: ANN001
        if self.broken:
            raise BrokenProcessPool("a worker died")
        if fn is run_finish and args[0].key == self.victim:
            self.broken = True
            future: Future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future
        return super().submit(fn, *args, **kwargs)


def three_pair_run(tmp_path: Path) -> tuple[Path, list]:
    """OUTDIR and the specs of a folder of three good pairs, for runs driven by hand."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    out.mkdir()
    for story, src, tgt in good_pairs()[:3]:
        copy_pair(folder, story, src, tgt)
    return out, discover(folder)


def test_a_dead_worker_fails_its_pair_and_the_run_goes_on(tmp_path: Path) -> None:
    out, specs = three_pair_run(tmp_path)
    settings = Settings(device="cpu")
    checker = Checker(settings, progress=False)
    fresh: list[InlineExecutor] = []
    runner = BatchRunner(specs, out, settings, checker.encoder, checker.model_id, "sig",
                         _DyingPool(victim=0), window=1,
                         new_executor=lambda: fresh.append(InlineExecutor()) or fresh[-1])
    stats = runner.run(list(range(len(specs))))
    recs = {r["id"]: r for r in records(out)}
    assert len(records(out)) == len(specs) == stats.checked == 3
    assert "worker process died" in recs[specs[0].id]["error"]
    assert all(recs[s.id]["verdict"] in VERDICTS for s in specs[1:])
    assert len(fresh) == 1 and runner.executor is fresh[0]


def test_a_pair_reused_only_if_it_passed_the_language_check_now_asked_for(tmp_path: Path) -> None:
    """A pair checked with --no-language-check is not reused by a run that checks languages:
    that run must refuse it (English in the .id.txt file) as a fresh run would."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    story, src, _ = good_pairs()[1]
    shutil.copyfile(src, folder / "english.en.txt")
    shutil.copyfile(src, folder / "english.id.txt")  # not Indonesian
    first = batch(str(folder), "-o", str(out), "--workers", "0", "--no-language-check")
    assert first.exit_code in (0, 1), first.output
    assert records(out)[0]["verdict"] in VERDICTS

    second = batch(str(folder), "-o", str(out), "--workers", "0")
    assert second.exit_code == 3, second.output
    rec = records(out)[0]
    assert rec["verdict"] is None and "english.id.txt" in rec["error"], rec
    assert not (out / "english.json").exists()

    third = batch(str(folder), "-o", str(out), "--workers", "0", "--no-language-check")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert third.exit_code in (0, 1) and (summary["checked"], summary["reused"]) == (1, 0)
    fourth = batch(str(folder), "-o", str(out), "--workers", "0", "--no-language-check")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert fourth.exit_code == third.exit_code and (summary["checked"], summary["reused"]) == (0, 1)


def test_jsonl_manifest_keys_are_read_like_csv_headers(tmp_path: Path) -> None:
    """'Source'/'Target'/'ID' keys (any case, stray spaces) name the same fields as in a CSV."""
    manifest = tmp_path / "list.jsonl"
    manifest.write_text(json.dumps({"ID": "one", " Source": "a/x.en.txt", "TARGET ": "a/x.id.txt"})
                        + "\n", encoding="utf-8")
    (spec,) = discover(manifest)
    assert (spec.id, spec.problem) == ("one", None)
    assert (spec.source, spec.target) == (str(tmp_path / "a/x.en.txt"), str(tmp_path / "a/x.id.txt"))


@pytest.mark.parametrize("env, tty, flag, shown", [
    ({}, True, None, True), ({}, False, None, False), ({"CI": "true"}, True, None, False),
    ({"CI": "true"}, True, True, True), ({"CI": ""}, True, None, True), ({}, True, False, False)])
def test_progress_bar_on_a_terminal_only_and_not_in_ci(monkeypatch, env, tty, flag, shown) -> None:
    from fidelity import batch as batch_module

    monkeypatch.delenv("CI", raising=False)
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: tty)
    bar = batch_module._progress_bar(5, 0, flag)
    try:
        assert (not bar.disable) == shown
    finally:
        bar.close()


def test_a_pair_whose_texts_cannot_be_listed_fails_alone(tmp_path: Path, monkeypatch) -> None:
    """An exception while gathering one pair's texts for the embedding window fails that pair
    only: every other pair of the window still gets its report and its one record."""
    from fidelity.batch import runner as batch_module

    out, specs = three_pair_run(tmp_path)
    victim = specs[1].source
    real = batch_module.pair_texts

    def flaky(pair):  # noqa: ANN001
        if pair.source.path == victim:
            raise ValueError("cannot list texts")
        return real(pair)

    monkeypatch.setattr(batch_module, "pair_texts", flaky)
    settings = Settings(device="cpu")
    checker = Checker(settings, progress=False)
    runner = BatchRunner(specs, out, settings, checker.encoder, checker.model_id, "sig",
                         InlineExecutor(), window=3)
    stats = runner.run(list(range(len(specs))))
    recs = {r["id"]: r for r in records(out)}
    assert len(records(out)) == len(specs) == stats.checked == 3
    assert "cannot list texts" in recs[specs[1].id]["error"]
    assert all(recs[s.id]["verdict"] in VERDICTS for s in (specs[0], specs[2]))


def test_an_interrupted_run_exits_130_not_as_if_it_found_issues(tmp_path: Path, monkeypatch) -> None:
    """Ctrl-C must not exit 1 (the code for 'issues found'): 130 and a one-line hint to rerun;
    the lock is released, and the rerun resumes."""
    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    story, src, tgt = good_pairs()[1]
    copy_pair(folder, story, src, tgt)
    real_run = BatchRunner.run

    def interrupted(self, todo):  # noqa: ANN001
        raise KeyboardInterrupt

    monkeypatch.setattr(BatchRunner, "run", interrupted)
    result = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--workers", "0"])
    assert result.exit_code == 130, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "interrupted" in lines[0] and "again" in lines[0], result.stderr
    assert result.stdout == ""

    monkeypatch.setattr(BatchRunner, "run", real_run)
    again = batch(str(folder), "-o", str(out), "--workers", "0")  # the lock was released
    assert again.exit_code in (0, 1) and records(out)[0]["verdict"] in VERDICTS, again.output


def test_a_batch_report_is_the_report_check_writes(tmp_path: Path, monkeypatch) -> None:
    """One window embeds many pairs at once and hands each worker its pair's rows and word
    pieces: every pair's links and findings are those ``fidelity check`` finds alone, and the
    workers do not tokenise a document's sentences again."""
    from fidelity.lexical import Lexicon

    out, specs = three_pair_run(tmp_path)
    settings = Settings(device="cpu")
    checker = Checker(settings, progress=False)
    want = {s.id: json.loads(json.dumps(checker.check_files(s.source, s.target).to_dict()))
            for s in specs}
    calls: list[list[str]] = []
    real_tokens = Lexicon.tokens
    monkeypatch.setattr(Lexicon, "tokens", lambda self, texts: calls.append(list(texts)) or real_tokens(self, texts))
    runner = BatchRunner(specs, out, settings, checker.encoder, checker.model_id, "sig",
                         InlineExecutor(), window=3)
    assert runner.run(list(range(len(specs)))).checked == 3
    sides = [[s["text"] for s in want[spec.id][side]["sentences"]] for spec in specs
             for side in ("source", "target")]
    assert not [c for c in calls if c in sides]  # (a rule may tokenise a few words of its own)
    for s in specs:
        got = json.loads((out / f"{s.stem}.json").read_text(encoding="utf-8"))
        assert got["links"] == want[s.id]["links"] and got["findings"] == want[s.id]["findings"]


def test_the_overview_ranks_by_how_much_is_wrong_and_says_so(tmp_path: Path) -> None:
    """A story with a third of its paragraphs dropped is worse than one whose every sentence is
    translated but with more (smaller) findings, and an untouched story comes last, whatever
    the number of findings says; index.html, summary.json and the table say what the order
    means."""
    from fidelity.batch.summary import RANKING

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    cebu, reef = FIXTURES / "cebu-floods", FIXTURES / "reef-bleaching"
    copy_pair(folder, "untouched", reef.with_suffix(".en.txt"), reef.with_suffix(".id.txt"))
    copy_pair(folder, "dropped", cebu.with_suffix(".en.txt"), cebu.with_suffix(".id.txt"))
    lines = [x for x in (folder / "dropped.id.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    cut = len(lines) // 3
    kept = lines[:4] + lines[4 + cut:]  # a block of paragraphs after the lead dropped
    (folder / "dropped.id.txt").write_text("\n\n".join(kept) + "\n", encoding="utf-8")
    bi = FIXTURES / "bi-rate-cut"
    copy_pair(folder, "drifted", bi.with_suffix(".en.txt"), bi.with_suffix(".id.txt"))
    drifted = (folder / "drifted.id.txt").read_text(encoding="utf-8").splitlines()
    changed = 0
    for k, line in enumerate(drifted):  # a number changed in three paragraphs: three drifts
        if changed < 3 and re.search(r"\d", line):
            drifted[k] = re.sub(r"\d+", lambda m: str(int(m.group()) + 7), line, count=1)
            changed += 1
    assert changed == 3
    (folder / "drifted.id.txt").write_text("\n".join(drifted) + "\n", encoding="utf-8")
    result = batch(str(folder), "-o", str(out), "--workers", "0")
    assert result.exit_code in (0, 1), result.output

    recs = {r["id"]: r for r in records(out)}
    findings = {k: sum(r["counts"][c] for c in ("omissions", "additions", "drifts", "partials"))
                for k, r in recs.items()}
    assert recs["dropped"]["coverage"]["source"] < 0.8 <= recs["drifted"]["coverage"]["source"]
    assert findings["drifted"] > findings["dropped"], findings  # so the old order was the other
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ranked = [w["id"] for w in summary["worst"]]
    assert ranked[0] == "dropped", summary["worst"]
    scores = [w["score"] for w in summary["worst"]]
    assert scores == sorted(scores, reverse=True) and summary["ranking"] == RANKING
    for w in summary["worst"]:
        assert sum(w["severities"].values()) == findings[w["id"]], w

    index = (out / "index.html").read_text(encoding="utf-8")
    order = sorted(recs, key=lambda k: index.index(f'href="{k}.html"'))
    assert order[0] == "dropped" and order[-1] == "untouched", order
    assert "Ranked by how much is wrong" in index and "critical" in RANKING
    assert "Ranked by how much is wrong" in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines()), result.stdout


def test_workers_run_one_thread_per_numerical_library() -> None:
    """Each worker runs one torch thread and one BLAS thread: two workers whose OpenBLAS
    threads spin on two cores made the aligner of a long document ten times slower in batch
    than in check. The setting reaches the workers, not this process's environment."""
    import torch

    from fidelity.batch.runner import WORKER_THREADS_ENV, make_executor, stop_executor

    before = {k: os.environ.get(k) for k in WORKER_THREADS_ENV}
    pool = make_executor(1)
    try:
        blas = pool.submit(os.getenv, "OPENBLAS_NUM_THREADS").result(timeout=300)
        omp = pool.submit(os.getenv, "OMP_NUM_THREADS").result(timeout=60)
        threads = pool.submit(torch.get_num_threads).result(timeout=60)
    finally:
        stop_executor(pool, interrupted=False)
    assert (blas, omp, threads) == ("1", "1", 1)
    assert {k: os.environ.get(k) for k in WORKER_THREADS_ENV} == before


@pytest.mark.skipif(sys.platform == "win32", reason="flock")
def test_the_lock_file_goes_at_release_and_a_run_that_opened_it_just_before_locks_anew(
        tmp_path: Path, monkeypatch) -> None:
    """The lock file is deleted while still locked. A second run that opened the file just
    before that and locks it just after holds a lock on a deleted file, which holds nobody
    off: it must see that and lock the file now at the path, so that a third run is refused."""
    import fcntl

    from fidelity.batch import BatchError, OutdirLock

    first = OutdirLock(tmp_path).acquire()
    with pytest.raises(BatchError, match="another fidelity batch"):
        OutdirLock(tmp_path).acquire()
    real_flock = fcntl.flock
    released: list[int] = []

    def flock(fd: int, op: int) -> None:
        if not released:  # the second run has opened the file: now the first one ends
            released.append(fd)
            first.release()
        real_flock(fd, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    second = OutdirLock(tmp_path).acquire()
    monkeypatch.setattr(fcntl, "flock", real_flock)
    assert released and (tmp_path / LOCK).exists()
    with pytest.raises(BatchError, match="another fidelity batch"):
        OutdirLock(tmp_path).acquire()
    second.release()
    assert not (tmp_path / LOCK).exists()
    OutdirLock(tmp_path).acquire().release()
