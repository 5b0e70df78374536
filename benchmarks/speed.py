"""Speed of each pipeline stage against document length, per device, with a roofline line.

    python -m benchmarks.speed [--sizes 100,1000,10000,50000] [--devices cpu,cuda]
                               [--model PATH] [--out benchmarks/out] [--seed 0]

For each size N a document pair of N units per side is generated (:func:`benchmarks._gen.speed_pair`:
shuffled parallel sentences with 2 % omitted and 2 % added) and checked stage by stage, each
size and device in a fresh subprocess so that peak memory is per size:

segmentation  ``segment_document`` on both joined texts
embedding     ``pipeline.embed_side`` into each side's buffer, as :class:`fidelity.pipeline.Checker`
              does (model load not counted)
features      ``pipeline.fill_side``: the hashed name/number evidence block, in place
search        ``similarity.neighbourhood``: the chunked top-k search, both directions, with
              the default (``auto``) search method
alignment     ``align`` minus the search (anchors, band, dynamic programme)
findings      ``findings.find``
report        the rest of ``analyse`` and ``report.render(report, "json")``

Times are self times (a stage nested in another is not counted twice). Peak memory is the
resident-set high-water mark during the stage (Linux ``VmHWM``, reset before each stage via
``/proc/self/clear_refs``; elsewhere the process high-water so far), and on CUDA also
``torch.cuda.max_memory_allocated``.

Roofline: the search's achieved FLOP/s against one large ``torch.mm`` (4096^3 fp32) timed in the
same process, counting the FLOPs the search method executes densely
(``2 * passes * n * m * d_dense``: the fp32 methods take both directions from one pass, and
``split`` multiplies only the embedding columns and adds the sparse evidence block from an
inverted index) and, as "effective", the FLOPs of the plain search, two fp32 passes over the
whole width ``d`` (``2 * 2 * n * m * d``).
For sizes up to ``--compare-max`` also the exact fp32 search split into its matrix products
and its top-k selections, the naive full matrix, each search method timed warm, and on GPU (or
with ``--half-on-cpu``) the float16/bfloat16 methods with those types' own matmul peaks.

Writes ``speed.csv``, ``roofline.csv``, ``speed.json`` and ``speed.png`` into ``--out`` (the plot
only with matplotlib, the ``bench`` extra; without it a line says so).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("segmentation", "embedding", "features", "search", "alignment", "findings", "report")
RESULT_TAG = "SPEED-RESULT "

# --------------------------------------------------------------------------- measuring


def _read_hwm_kb() -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_hwm() -> bool:
    """Reset the RSS high-water mark to the current RSS (Linux >= 4.0); False if not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class Meter:
    """Self time and peak memory of nested named sections.

    Entering a section closes the running segment of its parent (its time and peak go to the
    parent), so every second and every peak is attributed to exactly one innermost section.
    """

    def __init__(self, cuda: bool = False):
        self.cuda = cuda
        self.seconds: dict[str, float] = {}
        self.peak_rss_mb: dict[str, float] = {}
        self.peak_cuda_mb: dict[str, float] = {}
        self.resettable = _reset_hwm()
        self._stack: list[str] = []
        self._t = time.perf_counter()

    def _sync(self) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize()

    def _close_segment(self) -> None:
        """Charge the time and peak since the last boundary to the innermost open section."""
        self._sync()
        now = time.perf_counter()
        if self._stack:
            name = self._stack[-1]
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self._t
            if self.resettable:
                hwm = (_read_hwm_kb() or 0) / 1024
            else:
                hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.peak_rss_mb[name] = max(self.peak_rss_mb.get(name, 0.0), hwm)
            if self.cuda:
                import torch

                peak = torch.cuda.max_memory_allocated() / 2**20
                self.peak_cuda_mb[name] = max(self.peak_cuda_mb.get(name, 0.0), peak)
        if self.resettable:
            _reset_hwm()
        if self.cuda:
            import torch

            torch.cuda.reset_peak_memory_stats()
        self._t = time.perf_counter()

    @contextlib.contextmanager
    def section(self, name: str):
        self._close_segment()
        self._stack.append(name)
        try:
            yield
        finally:
            self._close_segment()
            self._stack.pop()

    def wrap(self, name: str, fn, sink: dict | None = None):
        """``fn`` timed as section ``name``; its return values are appended to ``sink[name]``."""
        def wrapped(*args, **kwargs):
            with self.section(name):
                out = fn(*args, **kwargs)
            if sink is not None:
                sink.setdefault(name, []).append(out)
            return out
        return wrapped


@contextlib.contextmanager
def patched(obj, name: str, value):
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def _best_time(fn, repeat: int, sync) -> float:
    best = math.inf
    for _ in range(repeat):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        best = min(best, time.perf_counter() - t)
    return best


def matmul_peak(device: str, dtype_name: str = "float32", size: int = 4096, repeat: int = 3) -> float:
    """Measured FLOP/s of one ``size``^3 matrix product on ``device`` (best of ``repeat``)."""
    import torch

    dtype = getattr(torch, dtype_name)
    g = torch.Generator(device="cpu").manual_seed(0)
    a = torch.randn(size, size, generator=g).to(device=device, dtype=dtype)
    b = torch.randn(size, size, generator=g).to(device=device, dtype=dtype)
    sync = (lambda: torch.cuda.synchronize()) if device.startswith("cuda") else (lambda: None)
    torch.mm(a, b)  # warm-up
    t = _best_time(lambda: torch.mm(a, b), repeat, sync)
    return 2.0 * size**3 / t


def search_breakdown(s_t, t_t, k: int) -> dict[str, float]:
    """The exact fp32 search with its matrix products and its top-k selections (of each tile's
    rows and columns) timed apart, over the tiles :mod:`fidelity.similarity` makes on this
    device (its tile generator does the products; the selections are timed here)."""
    import torch

    from fidelity import similarity

    cuda = s_t.device.type == "cuda"
    sync = (lambda: torch.cuda.synchronize()) if cuda else (lambda: None)
    q, t = similarity._operands(s_t, t_t, "exact")
    tiles = similarity._tiles(q, t, *similarity._tiling(q, t, None))
    mm = tk = 0.0
    while True:
        sync()
        a = time.perf_counter()
        item = next(tiles, None)  # the next tile's product
        sync()
        b = time.perf_counter()
        if item is None:
            break
        start, stop, first, last, tile = item
        torch.topk(tile, min(k, last - first), dim=1, largest=True, sorted=True)
        torch.topk(tile, min(k, stop - start), dim=0, largest=True, sorted=True)
        sync()
        mm += b - a
        tk += time.perf_counter() - b
    return {"matmul_s": mm, "topk_s": tk}


def naive_search(s_t, t_t, k: int) -> None:
    """Both directions from one full score matrix (the baseline the chunked search avoids)."""
    import torch

    from fidelity import similarity

    full = similarity.full_matrix(s_t, t_t)
    torch.topk(full, min(k, full.shape[1]), dim=1)
    torch.topk(full, min(k, full.shape[0]), dim=0)


# --------------------------------------------------------------------------- one size (worker)


def run_one(size: int, device: str, model: str | None, seed: int, compare_max: int,
            naive_bytes: float, half_on_cpu: bool = False) -> dict:
    """Generate one pair of ``size`` units per side and time every stage on ``device``."""
    import torch

    from fidelity import pipeline, report as report_mod, similarity
    from fidelity.embed import Encoder
    from fidelity.segment import segment_document

    from . import _gen

    pool = _gen.load_pool()
    gen = _gen.speed_pair(pool, size, seed)
    cuda = device.startswith("cuda")
    t = time.perf_counter()
    encoder = Encoder(model, device, progress=False)
    load_s = time.perf_counter() - t
    model_id = pipeline.ModelId(encoder.name, encoder.hash, encoder.device)
    settings = pipeline.Settings(model=model, device=device)

    meter = Meter(cuda=cuda)
    with meter.section("segmentation"):
        src = segment_document(gen.source_text, "en")
        tgt = segment_document(gen.target_text, "id")
    dim = encoder.dim
    with meter.section("embedding"):
        s_buf = pipeline.side_buffer(src, dim)
        pipeline.embed_side(encoder, src, out=s_buf)
        t_buf = pipeline.side_buffer(tgt, dim)
        pipeline.embed_side(encoder, tgt, out=t_buf)
    lex = settings.align.lex_weight
    with meter.section("features"):
        sides = [pipeline.fill_side(src, s_buf, lex), pipeline.fill_side(tgt, t_buf, lex)]
    del s_buf, t_buf
    n, m = len(src), len(tgt)
    d = int(sides[1].sent.shape[1])
    plan = similarity.search_plan(similarity.as_tensor(sides[0].sent, device),
                                  similarity.as_tensor(sides[1].sent, device))
    # Keep the side matrices for the search comparisons below; otherwise hand them over as
    # temporaries, as the Checker does, so the pipeline frees them after the alignment.
    keep = list(sides) if size <= compare_max else None
    sink: dict = {}
    with patched(pipeline, "align", meter.wrap("alignment", pipeline.align, sink)), \
            patched(similarity, "neighbourhood", meter.wrap("search", similarity.neighbourhood, sink)), \
            patched(pipeline, "find", meter.wrap("findings", pipeline.find)):
        with meter.section("report"):
            pair = pipeline.Pair(src, tgt)
            rep = pipeline.analyse_sides(pair, sides.pop(0), sides.pop(0), settings, model_id,
                                         device=encoder.device)
            rendered = report_mod.render(rep, "json")

    k = max(settings.align.k, 2)
    alignment = sink["alignment"][0]
    result = {
        "size": size, "device": device, "n_source": n, "n_target": m, "dim": d,
        "search_method": plan["method"], "dense_dim": plan["dense_cols"],
        "search_passes": plan.get("passes", 2),
        "units": gen.units, "planted_omitted": gen.omitted, "planted_added": gen.added,
        "chars": len(gen.source_text) + len(gen.target_text),
        "model": encoder.name, "model_hash": encoder.hash, "model_load_s": load_s, "threads": torch.get_num_threads(),
        "seconds": meter.seconds, "peak_rss_mb": meter.peak_rss_mb, "peak_cuda_mb": meter.peak_cuda_mb,
        "per_stage_peak": meter.resettable,
        "process_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "total_s": sum(meter.seconds.get(s, 0.0) for s in STAGES),
        "anchors": len(alignment.anchors), "dp_cells": alignment.cells, "tau": alignment.tau,
        "findings": {t_: sum(1 for f in rep.findings if f.type == t_) for t_ in ("omission", "addition", "drift")},
        "verdict": rep.summary.verdict, "report_json_bytes": len(rendered),
    }
    # Roofline: the search's FLOP/s against one large matrix product on the same device.
    flops = 2.0 * plan.get("passes", 2) * n * m * plan["dense_cols"]
    effective = 2.0 * 2.0 * n * m * d
    peak = matmul_peak(device)
    search_s = meter.seconds["search"]
    roof = {"flops": flops, "effective_flops": effective, "peak_flops": peak, "search_s": search_s,
            "method": plan["method"], "search_flops_per_s": flops / search_s,
            "search_pct_of_peak": 100 * flops / search_s / peak,
            "effective_pct_of_peak": 100 * effective / search_s / peak}
    if keep is not None:
        s_t = similarity.as_tensor(keep[0].sent, device)
        t_t = similarity.as_tensor(keep[1].sent, device)
        sync = (lambda: torch.cuda.synchronize()) if cuda else (lambda: None)
        nb = similarity.neighbourhood
        ka = settings.align.k
        roof["chunked_fp32_s"] = _best_time(lambda: nb(s_t, t_t, k=ka, search_k=k, method="exact"), 2, sync)
        roof["split_s"] = _best_time(lambda: nb(s_t, t_t, k=ka, search_k=k, method="split"), 2, sync)
        for name in ("exact", "split"):  # one pass each; split multiplies only the dense columns
            p_ = similarity.search_plan(s_t, t_t, name)
            roof[f"{name}_flops"] = 2.0 * p_["passes"] * n * m * p_["dense_cols"]
        roof.update(search_breakdown(s_t, t_t, k))
        if n * m * 4 <= naive_bytes:
            roof["naive_fp32_s"] = _best_time(lambda: naive_search(s_t, t_t, k), 2, sync)
        if cuda or half_on_cpu:
            for name in ("float16", "bfloat16"):
                roof[f"chunked_{name}_s"] = _best_time(
                    lambda: nb(s_t, t_t, k=ka, search_k=k, method=name), 2, sync)
                roof[f"peak_{name}_flops"] = matmul_peak(device, name)
    result["roofline"] = roof
    return result


def worker(args: argparse.Namespace) -> int:
    result = run_one(args.worker_size, args.worker_device, args.model, args.seed,
                     args.compare_max, args.naive_gb * 2**30, args.half_on_cpu)
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0


# --------------------------------------------------------------------------- driver


def hardware_line() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        import psutil

        mem = f", {psutil.virtual_memory().total / 2**30:.0f} GiB RAM"
    except ImportError:
        pass
    line = f"{cpu}, {os.cpu_count()} logical CPUs{mem}, Python {platform.python_version()}"
    try:
        import torch

        line += f", torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch.cuda.is_available():
            line += f", GPU {torch.cuda.get_device_name(0)}"
    except ImportError:
        pass
    return line


def available_devices(requested: list[str]) -> tuple[list[str], list[str]]:
    import torch

    ok, skipped = [], []
    for d in requested:
        if d.startswith("cuda") and not torch.cuda.is_available():
            skipped.append(f"{d}: torch sees no CUDA GPU")
        elif d == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            skipped.append(f"{d}: not available")
        else:
            ok.append(d)
    return ok, skipped


def run_worker_process(size: int, device: str, args) -> dict | None:
    cmd = [sys.executable, "-m", "benchmarks.speed", "--worker-size", str(size), "--worker-device", device,
           "--seed", str(args.seed), "--compare-max", str(args.compare_max), "--naive-gb", str(args.naive_gb)]
    if args.half_on_cpu:
        cmd.append("--half-on-cpu")
    if args.model:
        cmd += ["--model", args.model]
    t = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout,
                              cwd=Path(__file__).resolve().parent.parent)
    except subprocess.TimeoutExpired:
        print(f"  size {size} on {device}: no result within {args.timeout} s", file=sys.stderr)
        return None
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_TAG):
            out = json.loads(line[len(RESULT_TAG):])
            out["wall_s"] = time.perf_counter() - t
            return out
    print(f"  size {size} on {device} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}", file=sys.stderr)
    return None


def stage_rows(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        n_sent = r["n_source"] + r["n_target"]
        for stage in (*STAGES, "total"):
            sec = r["total_s"] if stage == "total" else r["seconds"].get(stage, 0.0)
            peak = (max(r["peak_rss_mb"].values()) if stage == "total" else r["peak_rss_mb"].get(stage, float("nan")))
            row = {"device": r["device"], "size": r["size"], "n_source": r["n_source"], "n_target": r["n_target"],
                   "stage": stage, "seconds": round(sec, 4),
                   "sentences_per_s": round(n_sent / sec, 1) if sec > 0 else float("inf"),
                   "peak_rss_mb": round(peak, 1)}
            if r["peak_cuda_mb"]:
                row["peak_cuda_mb"] = round(max(r["peak_cuda_mb"].values()) if stage == "total"
                                            else r["peak_cuda_mb"].get(stage, 0.0), 1)
            rows.append(row)
    return rows


def fit_exponent(points: list[tuple[int, float]]) -> float | None:
    """Least-squares slope of log(time) on log(size)."""
    pts = [(math.log(s), math.log(t)) for s, t in points if t > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else None


def exponents(results: list[dict], low: int = 1000, high: int = 50000) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for dev in sorted({r["device"] for r in results}):
        rs = [r for r in results if r["device"] == dev and low <= r["size"] <= high]
        e = {"total": fit_exponent([(r["size"], r["total_s"]) for r in rs])}
        for stage in STAGES:
            e[stage] = fit_exponent([(r["size"], r["seconds"].get(stage, 0.0)) for r in rs])
        out[dev] = e
    return out


def roofline_rows(results: list[dict]) -> list[dict]:
    rows = []
    for r in results:
        roof = r["roofline"]
        row = {"device": r["device"], "size": r["size"], "dim": r["dim"],
               "method": roof.get("method", "exact"), "dense_dim": r.get("dense_dim", r["dim"]),
               "passes": r.get("search_passes", 2),
               "search_s": round(roof["search_s"], 4),
               "search_gflops": round(roof["search_flops_per_s"] / 1e9, 2),
               "matmul_peak_gflops": round(roof["peak_flops"] / 1e9, 2),
               "pct_of_peak": round(roof["search_pct_of_peak"], 1),
               "effective_pct_of_peak": round(roof.get("effective_pct_of_peak", roof["search_pct_of_peak"]), 1)}
        if "chunked_fp32_s" in roof:
            warm = roof["chunked_fp32_s"]
            full = roof.get("effective_flops", roof["flops"])
            row["exact_warm_s"] = round(warm, 4)
            row["exact_pct_of_peak_warm"] = round(100 * roof.get("exact_flops", full) / warm / roof["peak_flops"], 1)
            if "split_s" in roof:
                row["split_warm_s"] = round(roof["split_s"], 4)
                row["split_pct_of_peak_warm"] = round(100 * roof.get("split_flops", roof["flops"]) / roof["split_s"]
                                                      / roof["peak_flops"], 1)
            row["matmul_part_s"] = round(roof["matmul_s"], 4)
            row["topk_part_s"] = round(roof["topk_s"], 4)
            # One pass over the tiles, every column multiplied (exact fp32).
            row["matmul_part_pct_of_peak"] = round(100 * roof.get("exact_flops", full) / roof["matmul_s"]
                                                   / roof["peak_flops"], 1)
        row["naive_full_s"] = round(roof["naive_fp32_s"], 4) if "naive_fp32_s" in roof else "skipped (memory)" \
            if "chunked_fp32_s" in roof else "skipped (size)"
        for name in ("float16", "bfloat16"):
            if f"chunked_{name}_s" in roof:
                row[f"chunked_{name}_s"] = round(roof[f"chunked_{name}_s"], 4)
                row[f"peak_{name}_gflops"] = round(roof[f"peak_{name}_flops"] / 1e9, 1)
                row[f"{name}_pct_of_its_peak"] = round(
                    100 * roof.get("effective_flops", roof["flops"]) / roof[f"chunked_{name}_s"]
                    / roof[f"peak_{name}_flops"], 1)
        rows.append(row)
    return rows


def _gen_revision() -> str:
    from ._gen import git_revision

    return git_revision()


def write_csv(path: Path, rows: list[dict]) -> None:
    keys: list[str] = []
    for row in rows:
        keys += [k for k in row if k not in keys]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=keys)
        w.writeheader()
        w.writerows(rows)


#: What ``main`` prints instead of drawing when matplotlib is missing.
NO_PLOT = "no {name}: the plot needs matplotlib, the bench extra (pip install -e '.[bench]')"


def plot(path: Path, results: list[dict]) -> str | None:
    """Draw the time of each stage against size into ``path``; without matplotlib (an optional
    dependency, the ``bench`` extra) draw nothing and return the one line that says so."""
    try:
        import matplotlib
    except ImportError:
        return NO_PLOT.format(name=path.name)

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 6))
    styles = {"cpu": "-", "cuda": "--", "mps": ":"}
    for dev in sorted({r["device"] for r in results}):
        rs = sorted((r for r in results if r["device"] == dev), key=lambda r: r["size"])
        sizes = [r["size"] for r in rs]
        for stage in (*STAGES, "total"):
            ys = [r["total_s"] if stage == "total" else r["seconds"].get(stage, 0.0) for r in rs]
            pts = [(x, y) for x, y in zip(sizes, ys) if y > 0]
            if pts:
                ax.plot(*zip(*pts), styles.get(dev.split(":")[0], "-."), marker="o",
                        linewidth=2.5 if stage == "total" else 1.2, label=f"{stage} ({dev})")
    if results:
        lo = min(r["size"] for r in results)
        ref = min(r["total_s"] for r in results if r["size"] == lo)
        xs = sorted({r["size"] for r in results})
        ax.plot(xs, [ref * x / lo for x in xs], color="grey", linewidth=0.8, linestyle=":", label="slope 1")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("document size (generated units per side)")
    ax.set_ylabel("seconds")
    ax.set_title("fidelity: time per stage vs document length")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.speed", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,10000,50000", help="units per side, comma-separated")
    ap.add_argument("--devices", default="cpu,cuda", help="devices to try; unavailable ones are skipped")
    ap.add_argument("--model", default=None, help="model folder or name (default: the shipped model)")
    ap.add_argument("--out", default="benchmarks/out", help="folder for speed.csv/.json/.png")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compare-max", type=int, default=10000,
                    help="largest size for the search breakdown, naive and half-precision comparisons")
    ap.add_argument("--naive-gb", type=float, default=4.0, help="largest full score matrix to try (GiB)")
    ap.add_argument("--half-on-cpu", action="store_true",
                    help="also time fp16/bf16 search on CPU (by default half precision is a GPU-only row)")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds allowed per size and device")
    ap.add_argument("--worker-size", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--worker-device", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker_size is not None:
        return worker(args)

    from tabulate import tabulate

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    devices, skipped = available_devices([d.strip() for d in args.devices.split(",") if d.strip()])
    for s in skipped:
        print(f"skipping {s}")
    results = []
    for dev in devices:
        for size in sizes:
            print(f"size {size} on {dev} ...", file=sys.stderr, flush=True)
            r = run_worker_process(size, dev, args)
            if r is not None:
                results.append(r)
                print(f"  total {r['total_s']:.2f} s, wall {r['wall_s']:.0f} s", file=sys.stderr, flush=True)
    if not results:
        print("no results")
        return 1
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = stage_rows(results)
    roof = roofline_rows(results)
    exps = exponents(results)
    write_csv(out / "speed.csv", rows)
    write_csv(out / "roofline.csv", roof)
    no_plot = plot(out / "speed.png", results)
    meta = {"command": "python -m benchmarks.speed " + " ".join(sys.argv[1:]) if argv is None else argv,
            "hardware": hardware_line(), "date": time.strftime("%Y-%m-%d"), "skipped_devices": skipped,
            "git": _gen_revision(),
            "exponents_1000_50000": exps, "results": results}
    (out / "speed.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")

    print(hardware_line())
    print(tabulate(rows, headers="keys", tablefmt="github"))
    print()
    for dev, e in exps.items():
        if e["total"] is None:
            print(f"{dev}: growth exponent needs two sizes in 1,000..50,000")
            continue
        parts = ", ".join(f"{k} {v:.2f}" for k, v in e.items() if k != "total" and v is not None)
        print(f"{dev}: total time ~ size^{e['total']:.2f} (least squares, sizes 1,000..50,000; {parts})")
    print()
    print("roofline (search = both directions of the chunked top-k; FLOPs = 2*passes*n*m*dense_dim "
          "executed, effective = 2*2*n*m*dim of two plain fp32 passes):")
    print(tabulate(roof, headers="keys", tablefmt="github"))
    if not any(r["device"].startswith("cuda") for r in results) and not args.half_on_cpu:
        print("half precision (fp16/bf16) search: measured on GPU only; no CUDA device in this run "
              "(--half-on-cpu times it on the CPU too)")
    for r in results:
        peak = max(r["peak_rss_mb"].values(), default=float("nan"))
        print(f"{r['device']} {r['size']}: peak RSS {peak:.0f} MiB ({peak * 2**20 / 1e9:.2f} GB), "
              f"anchors {r['anchors']}, DP cells {r['dp_cells']:,} ({r['dp_cells'] / max(1, r['n_source']):.0f}/row), "
              f"findings {r['findings']}, planted omitted {r['planted_omitted']} added {r['planted_added']}, "
              f"model load {r['model_load_s']:.1f} s")
    written = [out / "speed.csv", out / "roofline.csv", out / "speed.json"] + ([] if no_plot else [out / "speed.png"])
    print("wrote " + ", ".join(map(str, written)))
    if no_plot:
        print(no_plot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
