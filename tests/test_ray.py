"""``fidelity batch --engine ray`` (:mod:`fidelity.batch.ray_engine`) and the storage layer
(:mod:`fidelity.storage`).

The Ray tests share one local Ray instance of 2 CPUs (the size of this machine, where a pool
that takes every CPU must still run) and are skipped, with a message, when Ray is not
installed (``pip install 'fidelity[ray]'``). The inputs are the seed pair and the fixture
pairs, plus broken ones made here. After the last test the instance is shut down and every
process it started is checked to be gone, by pid.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from fidelity.batch import (INDEX, LOCK, RESULTS, SUMMARY, BatchError, BatchOptions, RunStats,
                            acquire_lock, discover, finalize, read_results, run_batch)
from fidelity.pipeline import Settings
from test_batch import good_pairs  # the seed pair and every fixture pair

try:
    import ray
except ImportError:  # pragma: no cover - the [ray] extra is not installed
    ray = None

needs_ray = pytest.mark.skipif(ray is None, reason="Ray is not installed: pip install 'fidelity[ray]'")

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
SETTINGS = Settings(device="cpu")


def make_folder(folder: Path, copies: int = 1) -> Path:
    """The good pairs (``copies`` times, as ``<story>-<k>``), a one-sided story and a binary
    target."""
    folder.mkdir(parents=True, exist_ok=True)
    for story, src, tgt in good_pairs():
        for k in range(copies):
            name = story if copies == 1 else f"{story}-{k}"
            shutil.copyfile(src, folder / f"{name}.en.txt")
            shutil.copyfile(tgt, folder / f"{name}.id.txt")
    shutil.copyfile(SEEDS / "ap.en.txt", folder / "lonely.en.txt")
    shutil.copyfile(SEEDS / "nyt.en.txt", folder / "binary.en.txt")
    (folder / "binary.id.txt").write_bytes(bytes(range(256)) * 4 + b"\x00" * 64)
    return folder


def lines(outdir: Path) -> list[dict]:
    return [json.loads(x) for x in (outdir / RESULTS).read_text(encoding="utf-8").splitlines()]


def without_seconds(recs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "seconds"} for r in recs]


def reports(outdir: Path) -> dict[str, bytes]:
    """The per-pair report files of OUTDIR (not the run's own files), by name."""
    own = {RESULTS, SUMMARY, INDEX}
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir())
            if p.suffix in (".json", ".html") and p.name not in own}


def options(input_path: str, outdir: str, **kw) -> BatchOptions:
    return BatchOptions(input=input_path, outdir=outdir, settings=SETTINGS, progress=False, **kw)


def _descendants(pid: int) -> set[int]:
    """Every live process under ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture(scope="module")
def ray_instance():
    """One local Ray instance with 2 CPUs for the module; shut down at the end, and no
    process it started left running."""
    if ray is None:
        pytest.skip("Ray is not installed: pip install 'fidelity[ray]'")
    before = _descendants(os.getpid())
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    started = _descendants(os.getpid()) - before
    assert started, "a local Ray instance starts processes of its own"
    try:
        yield ray
    finally:
        started |= _descendants(os.getpid()) - before
        ray.shutdown()
        deadline = time.monotonic() + 20
        while any(_alive(p) for p in started) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = sorted(p for p in started if _alive(p))
        assert not left, f"Ray processes left after shutdown: {left}"


@pytest.fixture(scope="module")
def local_run(tmp_path_factory) -> tuple[Path, Path]:
    """(input folder, OUTDIR) of the local engine on the good and broken pairs."""
    base = tmp_path_factory.mktemp("local")
    folder = make_folder(base / "in")
    out = base / "out"
    totals, _ = run_batch(options(str(folder), str(out), workers=0))
    assert totals.exit_code == 3  # the broken pairs
    return folder, out


# --------------------------------------------------------------------------- Ray runs

DRIVER = """
import sys
from fidelity.batch import BatchError, BatchOptions
from fidelity.batch.ray_engine import run_ray
from fidelity.pipeline import Settings
try:
    run_ray(BatchOptions(input=sys.argv[1], outdir=sys.argv[2], settings=Settings(device="cpu"),
                         progress=False, workers=2, window=1))
except BatchError as exc:
    print(exc, file=sys.stderr)
    sys.exit(exc.exit_code)
"""


@needs_ray
def test_sigterm_stops_the_run_and_everything_it_started(tmp_path: Path) -> None:
    """SIGTERM to a run that started its own Ray instance (first in this file, before the
    shared instance starts): exit 130 with one line, every process of the run gone (Ray's
    own included, by pid), the lock deleted, each line of results.jsonl a whole record."""
    import subprocess
    import sys

    folder = tmp_path / "in"
    folder.mkdir()
    for story, src, tgt in good_pairs():
        for k in range(4):
            shutil.copyfile(src, folder / f"{story}-{k}.en.txt")
            shutil.copyfile(tgt, folder / f"{story}-{k}.id.txt")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, str(folder), str(out)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if (out / RESULTS).is_file() and (out / RESULTS).read_text(encoding="utf-8").count("\n") >= 2:
                break
            time.sleep(0.2)
        started = _descendants(proc.pid)
        assert proc.poll() is None and len(started) >= 3, "the run should be checking pairs now"
        os.kill(proc.pid, signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("interrupted by SIGTERM;"), stderr
    assert "Traceback" not in stderr and stdout == ""
    deadline = time.monotonic() + 20
    while any(_alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in started if _alive(p)]
    assert not (out / LOCK).exists()
    recs = lines(out)
    assert recs and len({r["id"] for r in recs}) == len(recs) and all(r["error"] is None for r in recs)


@needs_ray
def test_ray_reports_are_the_local_engines_and_a_second_run_reuses_them(
        ray_instance, local_run, tmp_path: Path, monkeypatch) -> None:
    """Same per-pair JSON/HTML bytes, the same records (but for the seconds) and error records
    as the local engine; then resume: unchanged pairs reused, a changed one redone; the actors'
    CPUs are given back after each run. The second run names INPUT and OUTDIR relative to
    another folder than the one Ray started in: the actors read them from the driver's."""
    from fidelity.batch.ray_engine import run_ray

    folder, local_out = local_run
    out = tmp_path / "ray"
    seen = []
    totals, stats = run_ray(options(str(folder), str(out)), on_pool=seen.append)
    pool = seen[0]
    assert (len(pool.actors), pool.cpus_per_actor) == (1, 1.0)  # 7 pairs: one window
    assert totals.exit_code == 3 and totals.failed == 2 and stats.checked == 7
    assert reports(out) == reports(local_out) and len(reports(out)) == 2 * 5
    assert without_seconds(lines(out)) == without_seconds(lines(local_out))
    errors = {r["id"]: r["error"] for r in lines(out) if r["error"]}
    assert "no target file lonely.id.txt" in errors["lonely"]
    assert "binary.id.txt" in errors["binary"]
    assert not (out / LOCK).exists()
    deadline = time.monotonic() + 20  # the actors are killed at the end (asynchronously)
    while ray_instance.available_resources().get("CPU") != 2.0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert ray_instance.available_resources().get("CPU") == 2.0

    # Resume: the good pairs are reused (their inputs are hashed again by the actors), the
    # failed ones redone; a changed target is redone; --force redoes everything.
    shutil.copyfile(SEEDS / "nyt.id.txt", folder.parent / "nyt.id.txt.keep")
    try:
        (folder / "nyt.id.txt").write_bytes((folder / "nyt.id.txt").read_bytes() + b"\nTambahan.\n")
        monkeypatch.chdir(folder.parent)
        totals, stats = run_ray(options(folder.name, os.path.relpath(out), window=2))
        assert (stats.checked, stats.reused) == (3, 4)
    finally:
        shutil.copyfile(folder.parent / "nyt.id.txt.keep", folder / "nyt.id.txt")
    recs = lines(out)
    assert [r["id"] for r in recs] == [r["id"] for r in lines(local_out)]  # one each, in order
    assert [r["id"] for r in recs if r["error"] is None] == sorted(s for s, _, _ in good_pairs())


@needs_ray
def test_a_manifest_and_a_file_url_outdir(ray_instance, local_run, tmp_path: Path) -> None:
    """A CSV manifest (relative paths, a missing file) read row by row, OUTDIR given as a
    ``file://`` URL: the same reports as the local engine's, the missing file an error record."""
    from fidelity.batch.ray_engine import run_ray

    folder, local_out = local_run
    rows = ["id,source,target"] + [f"{s},in/{s}.en.txt,in/{s}.id.txt" for s, _, _ in good_pairs()]
    rows.append("ghost,in/ghost.en.txt,in/ghost.id.txt")
    (folder.parent / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "url out"
    totals, stats = run_ray(options(str(folder.parent / "manifest.csv"), out.as_uri()))
    assert (totals.pairs, totals.failed, totals.exit_code) == (6, 1, 3)
    assert reports(out) == reports(local_out)
    ghost = [r for r in lines(out) if r["id"] == "ghost"][0]
    assert "ghost.en.txt" in ghost["error"] and ghost["report"] is None
    summary = json.loads((out / SUMMARY).read_text(encoding="utf-8"))
    assert summary["pairs"] == 6 and summary["failed"] == 1


@needs_ray
def test_bilingual_files_and_a_glossary_as_the_local_engine_checks_them(
        ray_instance, tmp_path: Path) -> None:
    """XLIFF and TMX files, a text pair and a malformed XLIFF, with a house glossary: the
    same reports (bytes), records and exit status as the local engine; a second run with the
    glossary rewritten (same terms) reuses every good pair, a third with a term changed
    redoes them all."""
    pytest.importorskip("translate", reason="the CAT formats need translate-toolkit: pip install 'fidelity[cat]'")
    from fidelity.batch.ray_engine import run_ray
    from test_batch_bilingual import BROKEN
    from test_batch_glossary import HOUSE, HOUSE_RELAID, mixed_folder, terms

    folder = mixed_folder(tmp_path / "in")
    (folder / "broken.xlf").write_bytes(BROKEN)
    house = tmp_path / "house.csv"
    house.write_text(HOUSE, encoding="utf-8")
    local_out, out = tmp_path / "local", tmp_path / "ray"
    totals, _ = run_batch(options(str(folder), str(local_out), workers=0, glossary=str(house)))
    assert totals.exit_code == 3
    totals, stats = run_ray(options(str(folder), str(out), glossary=str(house)))
    assert (totals.exit_code, totals.failed, stats.checked) == (3, 1, 4)
    assert reports(out) == reports(local_out) and len(reports(out)) == 2 * 3
    assert without_seconds(lines(out)) == without_seconds(lines(local_out))
    recs = {r["id"]: r for r in lines(out)}
    assert recs["broken"]["error"].startswith(str(folder / "broken.xlf"))
    for stem in ("rate-cut", "reef.xliff2"):
        assert recs[stem]["verdict"] == "issues" and recs[stem]["target"] is None
        assert terms(json.loads((out / f"{stem}.json").read_bytes()))

    house.write_text(HOUSE_RELAID, encoding="utf-8")
    totals, stats = run_ray(options(str(folder), str(out), glossary=str(house)))
    assert (stats.checked, stats.reused) == (1, 3)  # the broken file is tried again
    house.write_text(HOUSE_RELAID.replace('"waspada"', '"hati-hati"'), encoding="utf-8")
    totals, stats = run_ray(options(str(folder), str(out), glossary=str(house)))
    assert (stats.checked, stats.reused) == (4, 0)
    assert terms(json.loads((out / "rate-cut.json").read_bytes())) == set()


@needs_ray
def test_a_bad_glossary_stops_a_ray_run_before_any_actor(tmp_path: Path, monkeypatch) -> None:
    from fidelity.batch import ray_engine

    def no_pool(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("the pool must not start")

    monkeypatch.setattr(ray_engine, "start_pool", no_pool)
    folder = make_folder(tmp_path / "in")
    (tmp_path / "house.csv").write_text("en,id\ncentral bank\n", encoding="utf-8")
    with pytest.raises(BatchError, match=r"^--glossary .*house\.csv: line 2 needs") as info:
        ray_engine.run_ray(options(str(folder), str(tmp_path / "out"), glossary=str(tmp_path / "house.csv")))
    assert info.value.exit_code == 2 and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()


@needs_ray
def test_a_killed_worker_costs_a_retry_not_a_record(ray_instance, local_run, tmp_path: Path) -> None:
    """SIGKILL to a Ray worker process as the first window comes back: Ray restarts the actor
    and retries its windows; every pair has exactly one record, none an error, and the
    reports are byte-identical to the local engine's."""
    from fidelity.batch.ray_engine import run_ray

    folder = tmp_path / "in"
    folder.mkdir()
    stories = good_pairs()
    for story, src, tgt in stories:
        for k in range(2):
            shutil.copyfile(src, folder / f"{story}-{k}.en.txt")
            shutil.copyfile(tgt, folder / f"{story}-{k}.id.txt")
    pids: list[int] = []
    killed: list[int] = []

    def kill_once(rec) -> None:
        if not killed:
            victim = pids[-1]  # the actor that got the second window: still working
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    out = tmp_path / "out"
    totals, stats = run_ray(options(str(folder), str(out), window=2),
                            on_pool=lambda pool: pids.extend(pool.pids), on_record=kill_once)
    assert len(pids) == 2 and killed and not _alive(killed[0])
    recs = lines(out)
    assert sorted(r["id"] for r in recs) == sorted(f"{s}-{k}" for s, _, _ in stories for k in range(2))
    assert all(r["error"] is None for r in recs), [r["error"] for r in recs if r["error"]]
    assert totals.exit_code in (0, 1) and stats.checked == len(recs)
    local_in, local_out = local_run
    want = reports(local_out)
    got = reports(out)
    assert len(got) == 2 * len(recs)
    for story, _, _ in stories:  # the same report, but for the input paths it names
        for k in range(2):
            for ext in ("json", "html"):
                data = got[f"{story}-{k}.{ext}"].replace(str(folder).encode(), str(local_in).encode())
                data = data.replace(f"{story}-{k}.".encode(), f"{story}.".encode())
                assert data == want[f"{story}.{ext}"], (story, k, ext)


class PoisonWorker:
    """An actor without a model: its process dies on a window holding the pair "poison";
    other pairs get a faithful outcome (hashes of their files, nothing checked)."""

    def __init__(self, settings, outdir: str, threads: int = 1, cwd: str | None = None,
                 glossary=None):
        pass

    def hello(self):
        return "poison-test", os.getpid(), None

    def check(self, items):
        import hashlib

        from fidelity.batch.ray_engine import Outcome, WindowResult

        if any(item.spec.id == "poison" for item in items):
            os._exit(1)
        summary = {"verdict": "faithful", "source_coverage": 1.0, "target_coverage": 1.0,
                   "source_sentences": 1, "target_sentences": 1}
        return WindowResult([Outcome(i.key, hashlib.sha256(Path(i.spec.source).read_bytes()).hexdigest(),
                                     hashlib.sha256(Path(i.spec.target).read_bytes()).hexdigest(),
                                     summary) for i in items])


@needs_ray
def test_a_pair_that_kills_its_worker_every_time_fails_alone(ray_instance, tmp_path: Path,
                                                            monkeypatch) -> None:
    """A pair whose actor process dies at every try: its window, once out of retries, is
    retried pair by pair, so that pair alone gets an error record and its window's other
    pairs are checked; one record per pair."""
    import sys

    from fidelity.batch import ray_engine

    ray_instance.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    monkeypatch.setattr(ray_engine, "PairWorker", PoisonWorker)
    monkeypatch.setattr(ray_engine, "RESTARTS", 1)
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("a", "b", "poison", "c", "d", "e"):
        (folder / f"{name}.en.txt").write_text(f"Story {name}.\n", encoding="utf-8")
        (folder / f"{name}.id.txt").write_text(f"Berita {name}.\n", encoding="utf-8")
    out = tmp_path / "out"
    totals, stats = ray_engine.run_ray(options(str(folder), str(out), window=3))
    recs = {r["id"]: r for r in lines(out)}
    assert len(lines(out)) == len(recs) == 6 and stats.split_windows == 1
    assert "a Ray worker died while checking this pair (2 times)" == recs.pop("poison")["error"]
    assert all(r["verdict"] == "faithful" and r["error"] is None for r in recs.values())
    assert totals.exit_code == 3 and totals.failed == 1


@needs_ray
def test_a_second_run_on_a_locked_outdir_is_refused(tmp_path: Path) -> None:
    """The local engine's lock: a Ray run on an OUTDIR another run holds is refused at once,
    before Ray starts."""
    from fidelity.batch.ray_engine import run_ray

    folder = make_folder(tmp_path / "in")
    out = tmp_path / "out"
    out.mkdir()
    lock = acquire_lock(out)
    try:
        with pytest.raises(BatchError, match="another fidelity batch is writing"):
            run_ray(options(str(folder), out.as_uri()))
    finally:
        lock.release()


def test_the_pool_fits_the_cluster() -> None:
    """One actor per whole CPU, each asking for one: on 2 CPUs two actors take both, and the
    run asks Ray for no other CPU (the driver reads the manifest), so nothing is left waiting;
    a fraction of a CPU gets one actor asking for that fraction; never more actors than
    windows, nor than --workers."""
    from fidelity.batch.ray_engine import RAY_WINDOW, pool_size

    assert pool_size(2.0, None, 1000) == (2, 1.0)
    assert pool_size(2.0, None, 10, window=2) == (2, 1.0)
    assert pool_size(2.0, 1, 1000) == (1, 1.0)
    assert pool_size(64.0, None, 3 * RAY_WINDOW) == (3, 1.0)
    assert pool_size(0.5, None, 1000) == (1, 0.5)
    assert pool_size(16.0, None, 1) == (1, 1.0)


# --------------------------------------------------------------------------- driver pieces

def test_force_sends_no_earlier_record_and_windows_are_bounded(local_run, tmp_path: Path) -> None:
    """The windows the driver sends: at most --window pairs (and RAY_WINDOW), in input order,
    each pair with its earlier record (what the actor checks for reuse), none with --force."""
    from fidelity.batch.ray_engine import RAY_WINDOW, Pool, RunIndex, _Run, iter_specs
    from fidelity.storage import Store

    folder, local_out = local_run
    index = RunIndex(str(tmp_path))
    index.add_specs(iter_specs(str(folder), ".en.txt", ".id.txt"), str(folder))
    index.load_records(open(local_out / RESULTS, encoding="utf-8"))
    pool = Pool([None], [0], 1.0, 2.0, "sig")
    for force, window in ((False, 3), (True, 100)):
        run = _Run(None, pool, index, Store(local_out), None,
                   options(str(folder), str(local_out), force=force, window=window), print)
        windows = list(run.windows())
        assert [len(w) for w in windows] == ([3, 3, 1] if window == 3 else [min(7, RAY_WINDOW)])
        items = [i for w in windows for i in w]
        assert [i.key for i in items] == list(range(7))
        assert all((i.previous is None) == force for i in items)
        assert all(force or i.previous.id == i.spec.id for i in items)
    index.close()


def test_the_streamed_end_of_a_run_writes_what_finalize_writes(local_run, tmp_path: Path) -> None:
    """``finalize_streamed`` (records out of SQLite, one at a time) writes the same
    results.jsonl, summary.json and index.html as the local engine's ``finalize``."""
    from fidelity.batch.ray_engine import RunIndex, finalize_streamed, iter_specs
    from fidelity.storage import Store

    folder, local_out = local_run
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        shutil.copytree(local_out, d)
    # An earlier line of the same id comes first: the last line of an id wins in both.
    stale = (local_out / RESULTS).read_text(encoding="utf-8").splitlines(keepends=True)[0]
    for d in (a, b):
        (d / RESULTS).write_text(stale + (local_out / RESULTS).read_text(encoding="utf-8"), encoding="utf-8")
    stats = RunStats(checked=8, reused=0, seconds=2.0, embed_seconds=0.5, texts_embedded=600)
    fail_on = frozenset({"omission", "addition", "drift"})
    finalize(discover(str(folder)), a, fail_on, stats, "sig", str(folder), 1.5)
    index = RunIndex(str(tmp_path))
    index.add_specs(iter_specs(str(folder), ".en.txt", ".id.txt"), str(folder))
    index.load_records(open(b / RESULTS, encoding="utf-8"))
    finalize_streamed(index, Store(b), fail_on, stats, "sig", str(folder), 1.5)
    index.close()
    for name in (RESULTS, SUMMARY, INDEX):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_manifest_rows_are_streamed_with_the_local_rules(tmp_path: Path) -> None:
    """The streamed manifest gives the specs ``discover`` gives (ids, report names, paths
    relative to the manifest, missing sides), and the same refusal of a repeated id."""
    from fidelity.batch.ray_engine import RunIndex, iter_specs

    (tmp_path / "m.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"Source": "a/x.en.txt", "target": "a/x.id.txt"},
        {"id": "we ird/id", "source": "/abs/y.en.txt", "target": "y.id.txt"},
        {"source": "z.en.txt"},
    ]) + "\n", encoding="utf-8")
    path = str(tmp_path / "m.jsonl")
    assert list(iter_specs(path, ".en.txt", ".id.txt")) == discover(path)
    (tmp_path / "d.csv").write_text("id,source,target\nx,a,b\nx,c,d\n", encoding="utf-8")
    index = RunIndex(str(tmp_path))
    with pytest.raises(BatchError, match="occurs twice"):
        index.add_specs(iter_specs(str(tmp_path / "d.csv"), ".en.txt", ".id.txt"), "d.csv")
    index.close()
    with pytest.raises(BatchError, match="no such folder or manifest"):
        list(iter_specs(str(tmp_path / "nothing.csv"), ".en.txt", ".id.txt"))


def test_the_driver_lists_bilingual_files_as_the_local_engine_does(tmp_path: Path) -> None:
    """A folder and a manifest with XLIFF/TMX files: the specs the driver streams through its
    SQLite index (the bilingual flag included) are :func:`discover`'s."""
    from fidelity.batch.ray_engine import RunIndex, iter_specs
    from test_batch_glossary import TMX, XLIFF2, mixed_folder

    folder = mixed_folder(tmp_path / "in")
    (tmp_path / "m.jsonl").write_text(json.dumps({"id": "tm", "source": str(TMX)}) + "\n"
                                      + json.dumps({"source": str(XLIFF2), "target": ""}) + "\n",
                                      encoding="utf-8")
    for where in (folder, tmp_path / "m.jsonl"):
        index = RunIndex(str(tmp_path))
        try:
            index.add_specs(iter_specs(str(where), ".en.txt", ".id.txt"), str(where))
            specs = [spec for _, spec in index.specs()]
        finally:
            index.close()
            os.unlink(index.path)
        assert specs == discover(where) and sum(s.bilingual for s in specs) == 2


def test_an_object_store_gets_parts_and_a_lock_object(tmp_path: Path) -> None:
    """On a store that cannot append (fsspec's memory store stands in for S3), records are
    written as parts that the next run reads after results.jsonl (last line of an id wins),
    atomic writes leave no temporary object, and the lock object refuses a second run."""
    pytest.importorskip("fsspec")
    from fidelity.batch import Record
    from fidelity.batch.ray_engine import PARTS, PartLog, RunIndex, StoreLock, _earlier_lines
    from fidelity.storage import Store

    store = Store(f"memory://fidelity-test-{os.getpid()}/out")
    store.mkdirs()
    assert not store.supports_append
    store.write_text(RESULTS, Record("a", verdict="issues", error=None).line())
    log = PartLog(store)
    log.append(Record("a", verdict="faithful"))
    log.append(Record("b", error="boom"))
    assert store.list(PARTS) == []  # waiting: fewer than PART_RECORDS, younger than PART_SECONDS
    log.close()
    assert len(store.list(PARTS)) == 1 and all(not n.endswith(".tmp") for n in store.list())
    index = RunIndex(str(tmp_path))
    index.load_records(_earlier_lines(store))
    assert index.record("a").verdict == "faithful" and index.record("b").error == "boom"
    index.close()
    with store.open_atomic("big.jsonl") as fh:
        fh.write("1\n")
        fh.write("2\n")
    assert store.read_bytes("big.jsonl") == b"1\n2\n" and store.list() == ["big.jsonl", RESULTS]
    lock = StoreLock(store).acquire()
    with pytest.raises(BatchError, match="another fidelity batch"):
        StoreLock(store).acquire()
    lock.release()
    StoreLock(store).acquire().release()
    assert not store.exists(LOCK)


def test_storage_paths_and_file_urls(tmp_path: Path) -> None:
    """A ``file://`` URL is the local path (percent-escapes decoded); relative names join a
    folder or a URL; an absolute path stands on its own; atomic writes leave no temporary file."""
    from fidelity import storage

    folder = tmp_path / "a b"
    assert storage.local_path(folder.as_uri()) == folder
    assert storage.local_path("s3://bucket/x") is None
    assert storage.join("s3://bucket/runs", "in/x.txt") == "s3://bucket/runs/in/x.txt"
    assert storage.join(str(tmp_path), "x.txt") == str(tmp_path / "x.txt")
    assert storage.join("s3://bucket/runs", "/shared/x.txt") == "/shared/x.txt"
    assert storage.parent("s3://bucket/runs/m.csv") == "s3://bucket/runs"
    store = storage.Store(folder.as_uri())
    store.mkdirs()
    store.write_text("r.json", "{}\n")
    with pytest.raises(RuntimeError):
        with store.open_atomic("r.json") as fh:
            fh.write("half")
            raise RuntimeError("killed")
    assert (folder / "r.json").read_text() == "{}\n" and os.listdir(folder) == ["r.json"]
    assert (store / "r.json").is_file() and not (store / "x.json").is_file()
    with pytest.raises(FileNotFoundError):
        storage.read_bytes((tmp_path / "missing").as_uri())
