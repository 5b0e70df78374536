"""Chaos: ``fidelity batch`` killed at random moments, then resumed, ends exactly as a run
that was never interrupted.

Each seed starts the command as a real process (two workers) on the same OUTDIR, waits for a
random number of finished pairs plus a random fifth of a second, and sends SIGKILL (the
command alone: its workers must notice and exit) or SIGTERM (the command stops everything it
started and exits 130). After every kill no process of that run may be left, by pid. A last
run resumes: exactly one record per pair, and every pair's JSON and HTML report is byte for
byte the one an uninterrupted run writes.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_batch import (REPO, RESULTS, _cli, _kill_folder, batch, records, session_processes,
                        wait_gone)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]

SEEDS = (0, 1, 2, 3)


def kill_at_random(folder: Path, out: Path, n: int, seed: int) -> tuple[int, int, set[int]]:
    """Run the command and kill it at a moment drawn from ``seed``: SIGKILL for even seeds,
    SIGTERM for odd ones. (exit status, its session id, every pid the run had when it was
    killed)."""
    rng = random.Random(seed)
    sig = signal.SIGKILL if seed % 2 == 0 else signal.SIGTERM
    results = out / RESULTS
    already = results.read_bytes().count(b"\n") if results.is_file() else 0
    wait_lines = rng.randrange(0, max(1, (n - already) // 2))  # 0: while it starts up
    extra = rng.uniform(0.0, 0.2)
    proc = subprocess.Popen(_cli(str(folder), "-o", str(out), "--workers", "2", "--window", "2", "-q"),
                            cwd=REPO, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    seen: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        seen |= session_processes(proc.pid)
        if len(seen) >= 4:  # a worker exists
            # the plan rewrites results.jsonl with the reused lines, then each pair appends one
            done = results.read_bytes().count(b"\n") if results.is_file() else 0
            if done - already >= wait_lines or wait_lines == 0:
                break
        time.sleep(0.01)
    end = time.monotonic() + extra
    while time.monotonic() < end and proc.poll() is None:
        seen |= session_processes(proc.pid)
        time.sleep(0.01)
    seen |= session_processes(proc.pid)
    if proc.poll() is None:
        os.kill(proc.pid, sig)
    return proc.wait(60), proc.pid, seen


def test_killed_and_resumed_runs_end_as_an_uninterrupted_run(tmp_path: Path) -> None:
    folder, n = _kill_folder(tmp_path, copies=3)
    ref, out = tmp_path / "ref", tmp_path / "out"
    reference = batch(str(folder), "-o", str(ref), "--workers", "0")
    assert reference.exit_code in (0, 1), reference.output

    killed = 0
    for seed in SEEDS:
        rc, sid, pids = kill_at_random(folder, out, n, seed)
        if rc not in (0, 1):  # the run may have finished before the kill
            assert rc == (-signal.SIGKILL if seed % 2 == 0 else 130), (seed, rc)
            killed += 1
        assert wait_gone(pids, sid) == set(), f"seed {seed}: processes left"
        lines = (out / RESULTS).read_bytes().splitlines() if (out / RESULTS).is_file() else []
        ids = [json.loads(x)["id"] for x in lines if x.endswith(b"}")]
        assert len(ids) == len(set(ids)), f"seed {seed}: a pair recorded twice"

    assert killed >= len(SEEDS) - 1, "the kills must land before the runs end"

    resumed = batch(str(folder), "-o", str(out), "--workers", "0")
    assert resumed.exit_code == reference.exit_code, resumed.output
    want, got = records(ref), records(out)
    assert [r["id"] for r in got] == [r["id"] for r in want] and len(got) == n
    strip = lambda r: {k: v for k, v in r.items() if k != "seconds"}  # noqa: E731
    diffs = [(w["id"], k, w.get(k), g.get(k)) for w, g in zip(want, got)
             for k in w.keys() | g.keys() if k != "seconds" and w.get(k) != g.get(k)]
    assert diffs == []
    for rec in want:
        for name in (rec["report"], rec["html"]):
            assert (out / name).read_bytes() == (ref / name).read_bytes(), name
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in ref.iterdir())
