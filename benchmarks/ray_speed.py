"""Overhead, driver memory and a scaling model of ``fidelity batch --engine ray``.

    python -m benchmarks.ray_speed [--pairs 1000] [--tiny 10000,100000] [--workers N]
                                   [--seed 0] [--ray-first] [--out benchmarks/out/ray]

1. **Overhead.** Generates ``--pairs`` seed-sized pairs (``benchmarks.batch_speed.generate``:
   the seed and fixture pairs with paragraphs dropped, inserted and swapped at random) and
   checks them with the local engine, then with the Ray engine on a local Ray instance of the
   same CPUs, each in a fresh process and OUTDIR. The rate of each is ``summary.json``'s
   ``pairs_per_second`` (pairs checked / seconds after the model is loaded); the figure is
   Ray rate / local rate. The per-pair reports of both runs are compared byte for byte.
2. **Driver memory.** For each size of ``--tiny``, a manifest of that many tiny pairs (one
   sentence a side) runs through the Ray engine's driver with stub actors that read and hash
   each pair's files but check nothing (``StubWorker``): what is measured is the driver's
   streaming path (manifest -> SQLite index -> windows -> records -> results.jsonl, summary,
   index.html), its peak resident memory (``ru_maxrss``) and its CPU time per record.
3. **Scaling model.** From the measured per-stage costs (CPU seconds per pair in the actors:
   the Ray run's seconds x actors / pairs; the driver process's marginal CPU per record
   between the two tiny runs: manifest, index, windows, records, results, summary, index.html),
   the pairs/s of N nodes of 16 cores and where
   the driver or the store becomes the limit; the store's limits are estimates (printed as such).

Each run is a child process (``python -m benchmarks.ray_speed child ...``) printing one JSON
line. Prints a table and writes ``ray_speed.json`` into ``--out`` (gitignored).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

from benchmarks.batch_speed import generate

REPO = Path(__file__).resolve().parent.parent
#: Object-store limits used by the model (estimates, not measured here): S3 documents 3,500
#: PUT/s per prefix; a pair writes two reports (records are batched into parts).
STORE_PUTS_PER_SECOND = 3500.0
PUTS_PER_PAIR = 2.0
NODE_CORES = 16


# --------------------------------------------------------------------------- child runs

class StubWorker:
    """An actor that reads and hashes a window's input files and returns a faithful outcome
    for each pair without checking it: the driver's path at the speed Ray can feed it."""

    def __init__(self, settings, outdir: str, threads: int = 1, cwd: str | None = None):
        from fidelity.storage import Store

        self.store = Store(outdir)

    def hello(self):
        return "stub-signature", os.getpid(), None

    def check(self, items):
        from fidelity import storage
        from fidelity.batch.ray_engine import Outcome, WindowResult

        outs = []
        for item in items:
            src = storage.read_bytes(item.spec.source)
            tgt = storage.read_bytes(item.spec.target)
            summary = {"verdict": "faithful", "source_coverage": 1.0, "target_coverage": 1.0,
                       "omissions": 0, "additions": 0, "drifts": 0, "partials": 0,
                       "source_sentences": 1, "target_sentences": 1, "severities": {}}
            outs.append(Outcome(item.key, hashlib.sha256(src).hexdigest(),
                                hashlib.sha256(tgt).hexdigest(), summary))
        return WindowResult(outs)


def child(engine: str, input_path: str, outdir: str, workers: int | None) -> dict:
    """One run in this process; what it measured."""
    from fidelity.batch import BatchOptions, run_batch
    from fidelity.pipeline import Settings

    opts = BatchOptions(input=input_path, outdir=outdir, settings=Settings(device="cpu"),
                        progress=False, workers=workers)
    t0 = time.perf_counter()
    if engine == "local":
        totals, stats = run_batch(opts)
        extra: dict = {}
    else:
        from fidelity.batch import ray_engine

        if engine == "stub":
            ray_engine.PairWorker = StubWorker  # type: ignore[misc,assignment]
        totals, stats = ray_engine.run_ray(opts)
        extra = {"actors": stats.actors, "driver_cpu_seconds": round(stats.driver_seconds, 3)}
    wall = time.perf_counter() - t0
    summary = json.loads((Path(outdir) / "summary.json").read_text(encoding="utf-8"))
    return {"engine": engine, "pairs": totals.pairs, "checked": stats.checked,
            "wall_seconds": round(wall, 2), "pairs_seconds": summary["pairs_seconds"],
            "model_seconds": summary["model_seconds"], "rate": summary["pairs_per_second"],
            "embedding_seconds": summary["embedding_seconds"],
            "driver_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "driver_total_cpu_seconds": round(time.process_time(), 2), **extra}


def run_child(engine: str, input_path: Path, outdir: Path, workers: int | None) -> dict:
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [sys.executable, "-m", "benchmarks.ray_speed", "child", engine, str(input_path), str(outdir)]
    if workers:
        cmd += ["--workers", str(workers)]
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # the stub actors import this module
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{engine} run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- inputs

def tiny_manifest(folder: Path, n: int) -> Path:
    """``n`` pairs of one sentence a side and a JSON Lines manifest of them."""
    files = folder / "files"
    files.mkdir(parents=True, exist_ok=True)
    manifest = folder / f"tiny-{n}.jsonl"
    with manifest.open("w", encoding="utf-8") as fh:
        for k in range(n):
            src, tgt = files / f"t{k:06d}.en.txt", files / f"t{k:06d}.id.txt"
            if not src.exists():
                src.write_text(f"Story {k} was filed today.\n", encoding="utf-8")
                tgt.write_text(f"Berita {k} dikirim hari ini.\n", encoding="utf-8")
            fh.write(json.dumps({"id": f"t{k:06d}", "source": f"files/{src.name}",
                                 "target": f"files/{tgt.name}"}) + "\n")
    return manifest


def same_reports(a: Path, b: Path) -> tuple[int, int]:
    """(files compared, files that differ) among the per-pair reports of two OUTDIRs."""
    own = {"results.jsonl", "summary.json", "index.html"}
    names = sorted(p.name for p in a.iterdir() if p.suffix in (".json", ".html") and p.name not in own)
    differ = sum((a / n).read_bytes() != (b / n).read_bytes() if (b / n).exists() else 1 for n in names)
    return len(names), differ


def actor_seconds(outdir: Path) -> tuple[float, float]:
    """(mean seconds per checked pair inside the actors, mean report bytes per pair)."""
    secs, n, size = 0.0, 0, 0
    with (outdir / "results.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec["error"] is None:
                secs += rec["seconds"]
                n += 1
                size += (outdir / rec["report"]).stat().st_size + (outdir / rec["html"]).stat().st_size
    return secs / max(1, n), size / max(1, n)


# --------------------------------------------------------------------------- the model

def scaling(per_pair_cpu: float, driver_per_record: float, nodes: list[int]) -> list[dict]:
    """pairs/s of ``nodes`` nodes of :data:`NODE_CORES` cores: the least of the actors'
    (cores / CPU seconds per pair), the driver's (1 / its CPU per record) and the store's
    (PUT/s per prefix / PUTs per pair, an estimate)."""
    driver = 1.0 / driver_per_record if driver_per_record > 0 else float("inf")
    store = STORE_PUTS_PER_SECOND / PUTS_PER_PAIR
    rows = []
    for n in nodes:
        workers = n * NODE_CORES / per_pair_cpu
        rate = min(workers, driver, store)
        limit = "actors" if rate == workers else ("driver" if rate == driver else "store")
        rows.append({"nodes": n, "cores": n * NODE_CORES, "actors_rate": round(workers, 1),
                     "driver_rate": round(driver, 1), "store_rate": round(store, 1),
                     "pairs_per_second": round(rate, 1), "limit": limit})
    return rows


def main(argv: list[str] | None = None) -> dict:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "child":
        ap = argparse.ArgumentParser(prog="python -m benchmarks.ray_speed child")
        ap.add_argument("engine", choices=["local", "ray", "stub"])
        ap.add_argument("input")
        ap.add_argument("outdir")
        ap.add_argument("--workers", type=int, default=None)
        a = ap.parse_args(argv[1:])
        out = child(a.engine, a.input, a.outdir, a.workers)
        print(json.dumps(out))
        return out
    ap = argparse.ArgumentParser(prog="python -m benchmarks.ray_speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=1000, help="seed-sized pairs (default: %(default)s)")
    ap.add_argument("--tiny", default="10000,100000",
                    help="sizes of the tiny-pair manifests for driver memory (default: %(default)s)")
    ap.add_argument("--workers", type=int, default=None, help="CPUs for both engines (default: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--ray-first", action="store_true", help="run the Ray engine before the local one")
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "out" / "ray")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    result: dict = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                               f"{platform.python_version()}",
                    "load_average_before": round(os.getloadavg()[0], 2)}
    rows = []
    if a.pairs:
        folder = a.out / f"pairs-{a.pairs}"
        if not folder.exists():
            generate(folder, a.pairs, a.seed)
        if a.ray_first:  # on a shared machine the load drifts: run the other order too
            ray = run_child("ray", folder, a.out / "ray", a.workers)
            local = run_child("local", folder, a.out / "local", a.workers)
        else:
            local = run_child("local", folder, a.out / "local", a.workers)
            ray = run_child("ray", folder, a.out / "ray", a.workers)
        compared, differ = same_reports(a.out / "local", a.out / "ray")
        sigs = {json.loads((a.out / e / "summary.json").read_text(encoding="utf-8"))["signature"]
                for e in ("local", "ray")}
        if len(sigs) > 1:  # another session changed code or data between the two runs
            print("warning: the two runs have different signatures (code or data changed "
                  "between them): the report comparison says nothing about the engines",
                  file=sys.stderr)
        result["same_signature"] = len(sigs) == 1
        per_pair, size = actor_seconds(a.out / "ray")
        result.update(local=local, ray=ray, rate_ratio=round(ray["rate"] / local["rate"], 3),
                      reports_compared=compared, reports_differing=differ,
                      actor_seconds_per_pair=round(per_pair, 4),
                      embed_seconds_per_pair=round(ray["embedding_seconds"] / max(1, ray["checked"]), 4),
                      report_bytes_per_pair=round(size))
        rows += [["local engine rate (pairs/s)", local["rate"]], ["Ray engine rate (pairs/s)", ray["rate"]],
                 ["Ray / local", result["rate_ratio"]],
                 ["reports compared / differing", f"{compared} / {differ}"
                  + ("" if result["same_signature"] else " (signatures differ: void)")],
                 ["start-up: local model load / Ray init + actors (s)",
                  f"{local['model_seconds']} / {ray['model_seconds']}"],
                 ["actor seconds per pair (in the records)", result["actor_seconds_per_pair"]]]
    tiny = {}
    for n in [int(x) for x in a.tiny.split(",") if x.strip()]:
        manifest = tiny_manifest(a.out / "tiny", n)
        tiny[n] = run_child("stub", manifest, a.out / f"stub-{n}", a.workers)
        tiny[n]["driver_cpu_ms_per_record"] = round(1000 * tiny[n]["driver_cpu_seconds"] / n, 4)
        rows += [[f"driver peak RSS, {n:,} tiny pairs (MiB)", tiny[n]["driver_peak_mib"]],
                 [f"driver CPU per record, {n:,} pairs (ms)", tiny[n]["driver_cpu_ms_per_record"]],
                 [f"stub run rate, {n:,} pairs (pairs/s)", tiny[n]["rate"]]]
    result["tiny"] = tiny
    if len(tiny) >= 2:
        small, big = min(tiny), max(tiny)
        result["memory_ratio"] = round(tiny[big]["driver_peak_mib"] / tiny[small]["driver_peak_mib"], 3)
        rows.append([f"driver memory ratio {big:,} / {small:,}", result["memory_ratio"]])
    if a.pairs and tiny:
        cores = ray["actors"]
        per_pair_cpu = ray["pairs_seconds"] * cores / max(1, ray["checked"])
        if len(tiny) >= 2:  # the driver process's marginal CPU per record, everything included
            small, big = min(tiny), max(tiny)
            driver = (tiny[big]["driver_total_cpu_seconds"] - tiny[small]["driver_total_cpu_seconds"]) \
                / (big - small)
        else:
            driver = max(t["driver_cpu_seconds"] / n for n, t in tiny.items())
        result["model"] = {"cpu_seconds_per_pair": round(per_pair_cpu, 4),
                           "driver_cpu_seconds_per_record": round(driver, 6),
                           "rows": scaling(per_pair_cpu, driver, [1, 10, 100, 1000])}
        print(tabulate(result["model"]["rows"], headers="keys", tablefmt="github"))
    result["load_average_after"] = round(os.getloadavg()[0], 2)
    print(tabulate(rows, headers=["measure", "value"], tablefmt="github"))
    (a.out / "ray_speed.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
