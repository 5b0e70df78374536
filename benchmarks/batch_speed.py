"""Speed and memory of ``fidelity batch`` against a shell loop of ``fidelity check``.

    python -m benchmarks.batch_speed [--pairs 1000] [--small 100] [--loop 20] [--workers N]
                                     [--model PATH] [--seed 0] [--out benchmarks/out]
    python -m benchmarks.batch_speed --long 4 [--stories 40] [--check 1] [--workers N] ...

1. Generates ``--pairs`` seed-sized pairs from ``seeds/nyt.{en,id}.txt`` and every
   ``tests/fixtures/<story>.en.txt`` / ``.id.txt`` pair: each copy drops, inserts (from another
   story's translation) and swaps paragraphs at random (seeded), so no two pairs are the same.
2. Runs ``python -m fidelity batch`` over the first ``--small`` pairs and over all of them, each
   in a fresh OUTDIR, sampling the resident memory of the whole process tree (the command and
   its workers) every 50 ms. The rate is ``summary.json``'s ``pairs_per_second``: pairs checked
   divided by the wall time after the model is loaded. The machine is shared, so the CPU
   seconds of both runs are sampled too: their difference per extra pair does not depend on
   the other load, and ``cores / CPU per pair`` is the rate the idle machine could reach.
3. Times a shell loop that calls ``fidelity check SOURCE TARGET -o X.json`` once per pair on the
   first ``--loop`` pairs and extrapolates that rate (it is constant per pair: every call loads
   torch and the model again).

With ``--long N`` it measures long documents instead: N pairs of ``--stories`` varied
stories pasted together (1,000+ sentences a side with the default 40), one batch run against
``fidelity check`` on each of the first ``--check`` of them (as installed, and with one thread
per numerical library as batch's workers have), per pair and end to end.

Prints a table and writes ``batch_speed.json`` (``batch_long.json``) into ``--out``
(gitignored). Linux only (memory is read from /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shlex
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tabulate import tabulate

from fidelity.batch.runner import WORKER_THREADS_ENV

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"pairs_per_second": 20.0, "speedup_vs_loop": 5.0, "memory_ratio": 1.10}


# --------------------------------------------------------------------------- generating pairs

def paragraphs(text: str) -> tuple[list[str], str]:
    """The paragraphs of a text and the separator it uses (blank lines, else line breaks)."""
    if re.search(r"\n\s*\n", text):
        return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()], "\n\n"
    return [p.strip() for p in text.splitlines() if p.strip()], "\n"


def base_pairs() -> list[tuple[str, str, str]]:
    """(name, source text, target text) of the seed pair and every fixture pair."""
    found = [(REPO / "seeds" / "nyt.en.txt", REPO / "seeds" / "nyt.id.txt")]
    for src in sorted((REPO / "tests" / "fixtures").glob("*.en.txt")):
        tgt = src.with_name(src.name[: -len(".en.txt")] + ".id.txt")
        if tgt.is_file():
            found.append((src, tgt))
    return [(s.name[: -len(".en.txt")], s.read_text(encoding="utf-8"), t.read_text(encoding="utf-8"))
            for s, t in found]


def vary(rng: random.Random, source: str, target: str, donors: list[str]) -> tuple[str, str]:
    """One variant of a pair: paragraphs dropped, inserted from ``donors`` and swapped."""
    s_pars, s_sep = paragraphs(source)
    t_pars, t_sep = paragraphs(target)
    if len(t_pars) > 3 and rng.random() < 0.5:  # omission
        del t_pars[rng.randrange(1, len(t_pars))]
    if donors and rng.random() < 0.5:  # addition from another story
        donor, _ = paragraphs(rng.choice(donors))
        t_pars.insert(rng.randrange(1, len(t_pars) + 1), rng.choice(donor))
    if len(t_pars) > 3 and rng.random() < 0.3:  # reordering
        i = rng.randrange(1, len(t_pars) - 1)
        t_pars[i], t_pars[i + 1] = t_pars[i + 1], t_pars[i]
    if len(s_pars) > 3 and rng.random() < 0.3:  # the translation keeps a paragraph the source lost
        del s_pars[rng.randrange(1, len(s_pars))]
    return s_sep.join(s_pars) + "\n", t_sep.join(t_pars) + "\n"


def generate(folder: Path, n: int, seed: int) -> list[str]:
    """Write ``n`` pairs ``pair-00000.en.txt``/``.id.txt`` into ``folder``; their ids."""
    bases = base_pairs()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for k in range(n):
        name, src, tgt = bases[k % len(bases)]
        donors = [t for other, _, t in bases if other != name]
        s, t = vary(rng, src, tgt, donors)
        pid = f"pair-{k:05d}-{name}"
        (folder / f"{pid}.en.txt").write_text(s, encoding="utf-8")
        (folder / f"{pid}.id.txt").write_text(t, encoding="utf-8")
        ids.append(pid)
    return ids


def generate_long(folder: Path, n: int, stories: int, seed: int) -> list[str]:
    """Write ``n`` long pairs ``long-000.en.txt``/``.id.txt`` into ``folder``, each ``stories``
    varied stories (as :func:`generate` makes them) pasted one after the other, as a day's
    stories in one file; their ids."""
    bases = base_pairs()
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for k in range(n):
        sources, targets = [], []
        for j in range(stories):
            name, src, tgt = bases[(k + j) % len(bases)]
            s, t = vary(rng, src, tgt, [t for other, _, t in bases if other != name])
            sources.append(s)
            targets.append(t)
        pid = f"long-{k:03d}"
        (folder / f"{pid}.en.txt").write_text("\n".join(sources), encoding="utf-8")
        (folder / f"{pid}.id.txt").write_text("\n".join(targets), encoding="utf-8")
        ids.append(pid)
    return ids


# --------------------------------------------------------------------------- measuring

def _tree_sample(pgid: int, cpu: dict[int, float]) -> int:
    """Resident bytes of every process in process group ``pgid`` (from /proc); updates
    ``cpu`` with each process's CPU seconds so far (user + system)."""
    total = 0
    page = os.sysconf("SC_PAGE_SIZE")
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != pgid:  # field 5 of stat: the process group
                continue
            cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
            with open(f"/proc/{entry}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], env: dict) -> dict:
    """Run ``cmd`` in its own process group: wall time, exit code, peak memory of the process
    tree (sampled every 50 ms) and the CPU seconds its processes used (up to the last sample)."""
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_tree = 0
    cpu: dict[int, float] = {}
    while proc.poll() is None:
        peak_tree = max(peak_tree, _tree_sample(proc.pid, cpu))
        time.sleep(0.05)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    return {"rc": proc.returncode, "wall_seconds": time.perf_counter() - t0,
            "peak_tree_rss_mib": peak_tree / 2**20, "cpu_seconds": sum(cpu.values()),
            "load_before": load_before, "load_after": os.getloadavg()[0], "stderr": err[-2000:]}


def run_batch(folder: Path, outdir: Path, workers: int | None, model: str | None, env: dict) -> dict:
    cmd = [sys.executable, "-m", "fidelity", "batch", str(folder), "-o", str(outdir), "--force", "-q"]
    if workers is not None:
        cmd += ["--workers", str(workers)]
    if model:
        cmd += ["--model", model]
    res = run_measured(cmd, env)
    summary = json.loads((outdir / "summary.json").read_text(encoding="utf-8"))
    if res["rc"] not in (0, 1):
        raise SystemExit(f"batch failed (exit {res['rc']}): {res['stderr']}")
    res.update(pairs=summary["pairs"], checked=summary["checked"], failed=summary["failed"],
               pairs_per_second=summary["pairs_per_second"], seconds=summary["seconds"],
               model_seconds=summary["model_seconds"], pairs_seconds=summary["pairs_seconds"])
    return res


def run_loop(folder: Path, ids: list[str], outdir: Path, model: str | None, env: dict) -> dict:
    """``fidelity check`` once per pair in a shell loop."""
    outdir.mkdir(parents=True, exist_ok=True)
    exe = shlex.quote(sys.executable)
    extra = f" --model {shlex.quote(model)}" if model else ""
    lines = [f"for p in {' '.join(shlex.quote(i) for i in ids)}; do",
             f"  {exe} -m fidelity check {shlex.quote(str(folder))}/$p.en.txt "
             f"{shlex.quote(str(folder))}/$p.id.txt -q -o {shlex.quote(str(outdir))}/$p.json{extra}",
             "  rc=$?; [ $rc -le 1 ] || exit $rc", "done"]
    t0 = time.perf_counter()
    proc = subprocess.run(["bash", "-c", "\n".join(lines)], env=env, cwd=REPO,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"check loop failed (exit {proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return {"pairs": len(ids), "wall_seconds": wall, "pairs_per_second": len(ids) / wall}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.batch_speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=1000, help="pairs in the large run (default: %(default)s)")
    ap.add_argument("--small", type=int, default=100, help="pairs in the small run (default: %(default)s)")
    ap.add_argument("--loop", type=int, default=20, help="pairs timed in the check loop (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=None, help="batch --workers (default: the CPU count)")
    ap.add_argument("--model", default=None, help="model folder (default: the shipped model)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out")
    ap.add_argument("--long", type=int, default=0, metavar="N",
                    help="instead: N long pairs (--stories stories pasted together each) in batch "
                         "against `fidelity check` on --check of them")
    ap.add_argument("--stories", type=int, default=40, help="stories per long pair (default: %(default)s)")
    ap.add_argument("--check", type=int, default=1, help="long pairs timed with check (default: %(default)s)")
    args = ap.parse_args(argv)

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    args.out.mkdir(parents=True, exist_ok=True)
    if args.long:
        return long_benchmark(args, env, argv)
    with tempfile.TemporaryDirectory(prefix="batch_speed.", dir=args.out) as tmp:
        work = Path(tmp)
        big, small = work / "pairs_big", work / "pairs_small"
        ids = generate(big, args.pairs, args.seed)
        small.mkdir()
        for pid in ids[: args.small]:
            for side in ("en", "id"):
                os.link(big / f"{pid}.{side}.txt", small / f"{pid}.{side}.txt")
        print(f"generated {args.pairs} pairs from {len(base_pairs())} base pairs", file=sys.stderr)
        r_small = run_batch(small, work / "out_small", args.workers, args.model, env)
        print(f"batch {args.small}: {r_small['pairs_per_second']} pairs/s", file=sys.stderr)
        r_big = run_batch(big, work / "out_big", args.workers, args.model, env)
        print(f"batch {args.pairs}: {r_big['pairs_per_second']} pairs/s", file=sys.stderr)
        r_loop = run_loop(big, ids[: args.loop], work / "out_loop", args.model, env)
        print(f"check loop {args.loop}: {r_loop['pairs_per_second']:.3f} pairs/s", file=sys.stderr)

    speedup = r_big["pairs_per_second"] / r_loop["pairs_per_second"]
    loop_big_end_to_end = args.pairs / r_loop["pairs_per_second"]
    mem_ratio = r_big["peak_tree_rss_mib"] / r_small["peak_tree_rss_mib"]
    # CPU per extra pair: the difference of the two runs cancels start-up and model load, and
    # CPU seconds do not depend on what else the machine runs; cores / that = the rate the
    # machine could reach with nothing else running.
    cpu_per_pair = (r_big["cpu_seconds"] - r_small["cpu_seconds"]) / max(1, args.pairs - args.small)
    capacity = (os.cpu_count() or 1) / cpu_per_pair if cpu_per_pair > 0 else None
    result = {
        "date": date.today().isoformat(),
        "machine": machine(),
        "command": "python -m benchmarks.batch_speed " + " ".join(argv if argv is not None else sys.argv[1:]),
        "batch_small": {k: v for k, v in r_small.items() if k != "stderr"},
        "batch_big": {k: v for k, v in r_big.items() if k != "stderr"},
        "check_loop": r_loop,
        "check_loop_extrapolated_seconds_for_big": loop_big_end_to_end,
        "speedup_vs_loop": speedup,
        "speedup_vs_loop_end_to_end": loop_big_end_to_end / r_big["wall_seconds"],
        "memory_ratio": mem_ratio,
        "cpu_seconds_per_pair": cpu_per_pair,
        "idle_machine_pairs_per_second": capacity,
        "targets": TARGETS,
    }
    rows = [
        ["batch rate after model load", f"{r_big['pairs_per_second']:.1f} pairs/s",
         f">= {TARGETS['pairs_per_second']:g}", r_big["pairs_per_second"] >= TARGETS["pairs_per_second"]],
        [f"CPU per pair ({args.pairs}-pair run minus {args.small}-pair run)",
         f"{cpu_per_pair * 1000:.0f} ms", "", ""],
        [f"rate {os.cpu_count()} idle cores could reach (cores / CPU per pair)",
         "-" if capacity is None else f"{capacity:.1f} pairs/s", "", ""],
        [f"load average during the {args.pairs}-pair run", f"{r_big['load_before']:.1f} -> {r_big['load_after']:.1f}", "", ""],
        [f"check loop rate ({args.loop} pairs, extrapolated)", f"{r_loop['pairs_per_second']:.2f} pairs/s", "", ""],
        ["batch / loop", f"{speedup:.1f}x", f">= {TARGETS['speedup_vs_loop']:g}x",
         speedup >= TARGETS["speedup_vs_loop"]],
        [f"batch {args.pairs} end to end (with model load)", f"{r_big['wall_seconds']:.1f} s", "", ""],
        [f"loop {args.pairs} (extrapolated)", f"{loop_big_end_to_end:.0f} s", "", ""],
        [f"peak RSS, {args.small} pairs", f"{r_small['peak_tree_rss_mib']:.0f} MiB", "", ""],
        [f"peak RSS, {args.pairs} pairs", f"{r_big['peak_tree_rss_mib']:.0f} MiB", "", ""],
        ["memory ratio", f"{mem_ratio:.3f}", f"<= {TARGETS['memory_ratio']:g}", mem_ratio <= TARGETS["memory_ratio"]],
    ]
    print(f"{machine()}; {date.today().isoformat()}")
    print(tabulate(rows, headers=["measure", "value", "target", "met"], tablefmt="github"))
    (args.out / "batch_speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'batch_speed.json'}", file=sys.stderr)
    return result


def long_benchmark(args: argparse.Namespace, env: dict, argv: list[str] | None) -> dict:
    """``--long N``: N long pairs in one batch run against ``fidelity check`` on each of the
    first ``--check`` of them, every run a fresh process measured as a whole (wall time, CPU
    seconds of its process tree, peak memory). The figure that matters is per pair and end to
    end (model load included on both sides): a batch must not be slower per pair than
    checking the pairs one by one (target: at most 1.5x)."""
    n = args.long
    with tempfile.TemporaryDirectory(prefix="batch_long.", dir=args.out) as tmp:
        work = Path(tmp)
        folder = work / "long"
        ids = generate_long(folder, n, args.stories, args.seed)
        r_batch = run_batch(folder, work / "out", args.workers, args.model, env)
        recs = [json.loads(x) for x in (work / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
        print(f"batch {n} long pairs: {r_batch['wall_seconds']:.1f} s", file=sys.stderr)
        checks, single = [], []
        for pid in ids[: args.check]:
            cmd = [sys.executable, "-m", "fidelity", "check", str(folder / f"{pid}.en.txt"),
                   str(folder / f"{pid}.id.txt"), "-q", "-o", str(work / f"{pid}.check.json")]
            if args.model:
                cmd += ["--model", args.model]
            # as installed, and with one thread per numerical library, as batch's workers run
            for runs, run_env in ((checks, env), (single, dict(env, **WORKER_THREADS_ENV))):
                res = run_measured(cmd, run_env)
                if res["rc"] not in (0, 1):
                    raise SystemExit(f"check failed (exit {res['rc']}): {res['stderr']}")
                runs.append(res)
                print(f"check {pid}{'' if runs is checks else ' (one thread)'}: "
                      f"{res['wall_seconds']:.1f} s", file=sys.stderr)
    src = [r["counts"]["source_sentences"] for r in recs]
    tgt = [r["counts"]["target_sentences"] for r in recs]
    check_wall = sum(c["wall_seconds"] for c in checks) / len(checks)
    check_cpu = sum(c["cpu_seconds"] for c in checks) / len(checks)
    single_wall = sum(c["wall_seconds"] for c in single) / len(single)
    single_cpu = sum(c["cpu_seconds"] for c in single) / len(single)
    per_pair = r_batch["wall_seconds"] / n
    result = {
        "date": date.today().isoformat(), "machine": machine(),
        "command": "python -m benchmarks.batch_speed " + " ".join(argv if argv is not None else sys.argv[1:]),
        "pairs": n, "stories_per_pair": args.stories,
        "source_sentences": [min(src), max(src)], "target_sentences": [min(tgt), max(tgt)],
        "batch": {k: v for k, v in r_batch.items() if k != "stderr"},
        "check": [{k: v for k, v in c.items() if k != "stderr"} for c in checks],
        "batch_seconds_per_pair": per_pair,
        "batch_seconds_per_pair_after_model_load": r_batch["pairs_seconds"] / n,
        "batch_record_seconds_mean": sum(r["seconds"] for r in recs) / n,
        "batch_cpu_seconds_per_pair": r_batch["cpu_seconds"] / n,
        "check_seconds_per_pair": check_wall, "check_cpu_seconds_per_pair": check_cpu,
        "check_one_thread": [{k: v for k, v in c.items() if k != "stderr"} for c in single],
        "check_one_thread_seconds_per_pair": single_wall,
        "check_one_thread_cpu_seconds_per_pair": single_cpu,
        "ratio": per_pair / check_wall,
        "ratio_one_thread": per_pair / single_wall,
        "cpu_ratio_one_thread": r_batch["cpu_seconds"] / n / single_cpu,
    }
    rows = [
        ["long pairs (sentences: source / target)",
         f"{n} ({min(src)}-{max(src)} / {min(tgt)}-{max(tgt)})", "", ""],
        ["batch, per pair, end to end (model load included)", f"{per_pair:.1f} s", "", ""],
        ["batch, per pair, after the model load", f"{r_batch['pairs_seconds'] / n:.1f} s", "", ""],
        ["batch, a pair's own time (results.jsonl 'seconds', mean)", f"{result['batch_record_seconds_mean']:.1f} s", "", ""],
        [f"check, per pair, end to end ({len(checks)} timed)", f"{check_wall:.1f} s", "", ""],
        ["check, one thread per library (as batch's workers)", f"{single_wall:.1f} s", "", ""],
        ["batch / check, per pair", f"{result['ratio']:.2f}x", "<= 1.5x", result["ratio"] <= 1.5],
        ["batch / check with one thread, per pair", f"{result['ratio_one_thread']:.2f}x", "<= 1.5x",
         result["ratio_one_thread"] <= 1.5],
        ["CPU per pair: batch (all processes) / check / check one thread",
         f"{r_batch['cpu_seconds'] / n:.1f} / {check_cpu:.1f} / {single_cpu:.1f} s", "", ""],
        ["batch / check with one thread, CPU per pair (load-independent)",
         f"{result['cpu_ratio_one_thread']:.2f}x", "<= 1.5x", result["cpu_ratio_one_thread"] <= 1.5],
        ["peak RSS: batch tree / check", f"{r_batch['peak_tree_rss_mib']:.0f} / "
         f"{max(c['peak_tree_rss_mib'] for c in checks):.0f} MiB", "", ""],
        ["load average during the batch run", f"{r_batch['load_before']:.1f} -> {r_batch['load_after']:.1f}", "", ""],
    ]
    print(f"{machine()}; {date.today().isoformat()}")
    print(tabulate(rows, headers=["measure", "value", "target", "met"], tablefmt="github"))
    (args.out / "batch_long.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'batch_long.json'}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
