"""What pyproject.toml promises: the package declares every library it imports, the NLTK bound
holds the private Punkt names segment.py relies on, the wheel carries every shipped data file
(each of them in the signature's hashes) and none of the model build scripts, and the
optional ``bench`` extra is optional."""

from __future__ import annotations

import ast
import importlib.metadata as md
import importlib.util
import inspect
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ImportError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
MODELS = ROOT / "models"


def _requirements() -> dict[str, Requirement]:
    reqs = [Requirement(r) for r in PYPROJECT["project"]["dependencies"]]
    return {canonicalize_name(r.name): r for r in reqs}


def _extras() -> dict[str, Requirement]:
    reqs = [Requirement(r) for group in PYPROJECT["project"]["optional-dependencies"].values() for r in group]
    return {canonicalize_name(r.name): r for r in reqs}


def _names(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return {node.module.split(".")[0]}
    return set()


def _imports(folder: Path, module_level_only: bool = False) -> set[str]:
    """Top-level names of the absolute imports of every module under ``folder`` (with
    ``module_level_only``, those a plain ``import fidelity.x`` runs: not inside a function)."""
    names = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in (tree.body if module_level_only else ast.walk(tree)):
            names |= _names(node)
    return names


def _undeclared(modules: set[str], declared: set[str]) -> dict[str, list[str]]:
    dists = md.packages_distributions()
    missing = {}
    for module in sorted(modules):
        names = {canonicalize_name(d) for d in dists.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(names)
    return missing


def test_every_library_the_package_imports_is_declared() -> None:
    """Every import is a dependency or belongs to an optional extra; what an extra brings
    (Ray, translate-toolkit) is imported inside the functions that need it, never when a
    module of the package is imported."""
    def third_party(names: set[str]) -> set[str]:
        return {m for m in names if m not in sys.stdlib_module_names and m != "fidelity"}

    anywhere = third_party(_imports(ROOT / "fidelity"))
    at_import = third_party(_imports(ROOT / "fidelity", module_level_only=True))
    assert {"numpy", "nltk", "tokenizers", "safetensors", "markupsafe"} <= anywhere
    core = set(_requirements())
    missing = _undeclared(anywhere, core | set(_extras()))
    assert not missing, f"imported by fidelity/ but in no pyproject dependency or extra: {missing}"
    eager = _undeclared(at_import, core)
    assert not eager, f"an optional extra imported when the module is: {eager}"


def test_installed_nltk_is_within_the_declared_bound() -> None:
    spec = _requirements()["nltk"].specifier
    assert any(s.operator == "<" for s in spec), "nltk needs an upper bound: segment.py overrides private Punkt code"
    assert spec.contains(md.version("nltk")), f"installed nltk {md.version('nltk')} outside {spec}"


def test_the_private_punkt_names_segment_relies_on_exist() -> None:
    from nltk.tokenize import punkt

    from fidelity.segment import PUNKT_PRIVATE

    tokenizer = punkt.PunktSentenceTokenizer()
    assert isinstance(tokenizer._params, punkt.PunktParameters)
    assert isinstance(tokenizer._params.abbrev_types, set)
    override = inspect.signature(punkt.PunktSentenceTokenizer._second_pass_annotation)
    assert list(override.parameters) == ["self", "aug_tok1", "aug_tok2"]
    token = punkt.PunktToken("Dr.")
    assert token.period_final and token.type_no_period == "dr"
    token.sentbreak, token.abbr = False, True  # settable
    for cls, names in PUNKT_PRIVATE.items():
        owner = getattr(punkt, cls)
        instance = tokenizer if owner is punkt.PunktSentenceTokenizer else token
        for name in names:
            assert hasattr(owner, name) or hasattr(instance, name), f"nltk {md.version('nltk')}: no {cls}.{name}"


def test_segment_uses_no_private_nltk_name_it_does_not_list() -> None:
    from fidelity.segment import PUNKT_PRIVATE

    tree = ast.parse((ROOT / "fidelity" / "segment.py").read_text(encoding="utf-8"))
    used = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
            and n.attr.startswith("_") and not n.attr.startswith("__")}
    used |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
             and n.module.startswith("nltk") for a in n.names if a.name.startswith("_")}
    listed = {name for names in PUNKT_PRIVATE.values() for name in names}
    assert used <= listed, f"segment.py uses private names not in PUNKT_PRIVATE: {sorted(used - listed)}"


# --- shipped files ---------------------------------------------------------------------------


def _data_folders(models: Path = MODELS) -> list[Path]:
    """The folders of models/ (build scratch ``_work``, caches and hidden ones aside)."""
    return sorted(p for p in models.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _shipped_files() -> set[str]:
    """Files under models/ that pyproject's package-data patterns select (setuptools globs)."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["fidelity._shipped"]
    return {p.relative_to(MODELS).as_posix() for pat in patterns for p in MODELS.glob(pat) if p.is_file()}


def _data_files(models: Path = MODELS) -> set[str]:
    return {p.relative_to(models).as_posix() for d in _data_folders(models) for p in d.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}


def test_every_shipped_data_file_is_selected_and_hashed() -> None:
    from fidelity import DEFAULT_MODEL_NAME
    from fidelity import signature as sig

    assert PYPROJECT["tool"]["setuptools"]["package-dir"]["fidelity._shipped"] == "models"
    data = _data_files()
    assert {"punkt/en.json", "punkt/id.json", "wordlists/en.txt", f"{DEFAULT_MODEL_NAME}/model.safetensors"} <= data
    assert data <= _shipped_files(), f"in models/ but not in the wheel: {sorted(data - _shipped_files())}"
    hashed = set(sig.shipped_data_files(MODELS))
    for name in data:
        folder, _, base = name.partition("/")
        if folder == "punkt" or folder == DEFAULT_MODEL_NAME or base.startswith("README"):
            continue  # the seg part hashes Punkt's parameters, the model part the weights
        assert name in hashed, f"{name} changes results but no hash of the signature covers it: " \
                               f"add its folder to fidelity.signature.DATA_FOLDERS"
    assert {f"{DEFAULT_MODEL_NAME}/{n}" for n in sig.LEXICON_FILES} <= hashed


def _setup_module():
    spec = importlib.util.spec_from_file_location("fidelity_setup", ROOT / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # setup() runs only as __main__
    return module


def test_setup_lists_every_package_and_keeps_the_build_scripts_out(monkeypatch) -> None:
    setup = _setup_module()
    monkeypatch.chdir(ROOT)
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "fidelity").rglob("__init__.py")
             if "__pycache__" not in p.parts}
    assert found | {"fidelity._shipped"} == set(setup.packages())
    assert "packages" not in PYPROJECT["tool"]["setuptools"]  # one list, setup.py's
    assert sorted(p.name for p in MODELS.glob("*.py"))  # there are scripts to keep out ...
    assert setup.BuildPy.find_package_modules(None, "fidelity._shipped", str(MODELS)) == []  # ... and they are


@pytest.mark.slow
def test_the_wheel_carries_the_data_and_no_build_script(tmp_path: Path) -> None:
    """Built from a copy of the tree (the build writes build/ and *.egg-info beside it; others
    may be editing the tree meanwhile), compared with that copy."""
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_work", ".*", "*.egg-info")
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "fidelity", src / "fidelity", ignore=ignore)
    shutil.copytree(MODELS, src / "models", ignore=ignore)
    out = tmp_path / "wheel"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                           "--no-index", "-q", "-w", str(out), str(src)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = out.glob("fidelity-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {n.removeprefix("fidelity/_shipped/") for n in names if n.startswith("fidelity/_shipped/")}
    assert not {n for n in shipped if n.endswith(".py")}, "model build scripts in the wheel"
    assert _data_files(src / "models") <= shipped
    modules = {p.relative_to(src).as_posix() for p in (src / "fidelity").rglob("*.py")}
    assert modules <= names
    templates = {p.relative_to(src).as_posix() for p in (src / "fidelity").rglob("templates/*")}
    assert templates and templates <= names, "a template of the package is not in the wheel"


# --- optional extras ------------------------------------------------------------------------


def test_the_speed_benchmark_without_matplotlib_says_so(tmp_path: Path, monkeypatch) -> None:
    from benchmarks import speed

    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    note = speed.plot(tmp_path / "speed.png", [])
    assert note is not None and "bench" in note and "matplotlib" in note and "\n" not in note
    assert not (tmp_path / "speed.png").exists()
    assert "matplotlib" in "".join(PYPROJECT["project"]["optional-dependencies"]["bench"])


def test_the_speed_plot_is_drawn_with_matplotlib(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from benchmarks import speed

    results = [{"device": "cpu", "size": n, "total_s": n / 100, "seconds": {"search": n / 300}}
               for n in (100, 1000)]
    assert speed.plot(tmp_path / "speed.png", results) is None
    assert (tmp_path / "speed.png").stat().st_size > 1000
