"""Property-based: whatever bytes, text or option combination reaches ``fidelity check`` or
``fidelity.check``, the answer is a report or one line, exit 0, 1 or 2, never a traceback.

The command runs in-process (click's CliRunner); the model stays loaded between examples
(the embedding encoder caches it), so a few dozen examples take seconds, not minutes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import fidelity
from fidelity.cli import main
from fidelity.errors import FidelityError
from fidelity.types import Report

ROOT = Path(__file__).resolve().parent.parent
EN = str(ROOT / "seeds" / "nyt.en.txt")
ID = str(ROOT / "seeds" / "nyt.id.txt")

PROPERTY_SETTINGS = settings(max_examples=30, deadline=None, derandomize=True, database=None,
                             suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: A side of a pair: random bytes, random Unicode, one huge line (with or without spaces),
#: a stretch of real text with random noise, or a real file as it is.
huge_line = st.builds(lambda word, n, sep: (word * n).join(["", sep]) if sep else word * n,
                      st.sampled_from(["kata ", "word ", "x", "é", "中文", "\u202e"]),
                      st.integers(2_000, 60_000), st.sampled_from(["", "\n"]))


def noisy(path: str) -> st.SearchStrategy[str]:
    """The text of ``path`` with random Unicode inserted somewhere."""
    text = Path(path).read_text(encoding="utf-8")
    return st.builds(lambda noise, at: text[:at] + noise + text[at:], st.text(max_size=200),
                     st.integers(0, len(text)))


def side_content(path: str) -> st.SearchStrategy[bytes | str]:
    """One side for the command: mostly its real text (as a path or noisy), or else random
    bytes, random Unicode, one huge line, or the other side's real file."""
    return st.one_of(
        st.just(path), noisy(path).map(lambda t: t.encode("utf-8", "surrogatepass")),
        st.binary(max_size=3000),
        st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass")),
        huge_line.map(lambda t: t.encode("utf-8")),
        st.sampled_from([EN, ID]),
    )


#: Options with valid values (a random subset), and now and then one mistake among them.
options = st.fixed_dictionaries({}, optional={
    "--format": st.sampled_from(["table", "json", "html"]),
    "--fail-on": st.sampled_from(["none", "partial", "major", "drift,critical", "omission,addition"]),
    "--tau": st.floats(-1, 1).map(repr),
    "--source-lang": st.sampled_from(["en", "EN", "en-US", "eng"]),
    "--target-lang": st.sampled_from(["id", "ID", "ind"]),
    "--batch-size": st.sampled_from(["1", "7", "256"]),
    "--presplit": st.just(None), "--no-language-check": st.just(None), "-v": st.just(None),
    "--output": st.sampled_from(["report.json", "report.html", "report.txt"]),
})
mistakes = st.sampled_from([
    ("--format", "xml"), ("--fail-on", "typo"), ("--fail-on", ""), ("--fail-on", "minor,major"),
    ("--tau", "nan"), ("--tau", "inf"), ("--tau", "abc"), ("--source-lang", "fr"), ("--source-lang", ""),
    ("--target-lang", "xx"), ("--batch-size", "0"), ("--batch-size", "many"), ("--output", "missing/r.html"),
    ("--output", "."), ("--device", "gpu"),
])
option_sets = st.tuples(options, st.one_of(st.none(), st.none(), st.none(), mistakes)).map(
    lambda pair: {**pair[0], **({pair[1][0]: pair[1][1]} if pair[1] else {})})


pytestmark = pytest.mark.filterwarnings("ignore::fidelity.textio.EncodingFallbackWarning")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@PROPERTY_SETTINGS
@given(source=side_content(EN), target=side_content(ID), opts=option_sets, stdin_side=st.sampled_from([None, 0, 1]))
def test_check_command_never_tracebacks(source, target, opts, stdin_side) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths: list[str] = []
        stdin = None
        for k, content in enumerate((source, target)):
            if isinstance(content, str):  # a real file
                paths.append(content)
            elif k == stdin_side:
                paths.append("-")
                stdin = content
            else:
                path = Path(tmp) / f"side{k}.txt"
                path.write_bytes(content)
                paths.append(str(path))
        args = ["check", *paths, "--device", "cpu", "-q"]
        for name, value in opts.items():
            args += [name] if value is None else [name, os.path.join(tmp, value) if name == "--output" else value]
        res = CliRunner().invoke(main, args, input=stdin)
    event(f"exit {res.exit_code}")
    assert res.exit_code in (0, 1, 2), (args, res.exit_code, res.output)
    # click exits through SystemExit; anything else escaping the command is a crash
    assert res.exception is None or isinstance(res.exception, SystemExit), (args, repr(res.exception))
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        errors = [line for line in _lines(res.stderr) if line.startswith(("fidelity: error:", "Error:"))]
        assert len(errors) == 1, (args, res.stderr)
    else:
        assert res.stdout or "--output" in opts


api_settings = st.fixed_dictionaries({}, optional={
    "tau": st.one_of(st.none(), st.floats(-1, 1)),
    "source_lang": st.sampled_from(["en", "EN", "eng"]),
    "target_lang": st.sampled_from(["id", "in", "ID"]),
    "presplit": st.booleans(),
    "check_language": st.booleans(),
    "batch_size": st.sampled_from([1, 64, 256]),
})
api_mistakes = st.sampled_from([("fail_on", "none"), ("colour", True), ("tau", "0.1"), ("tau", float("nan")),
                                ("source_lang", "fr"), ("source_lang", 3), ("target_lang", None),
                                ("presplit", "no"), ("batch_size", 0), ("batch_size", 2.5),
                                ("batch_size", True), ("device", "gpu")])
api_setting_sets = st.tuples(api_settings, st.one_of(st.none(), st.none(), api_mistakes)).map(
    lambda pair: {**pair[0], **({pair[1][0]: pair[1][1]} if pair[1] else {})})


def api_side(path: str) -> st.SearchStrategy[str | bytes]:
    """One side for the API: mostly its real text with noise, or else random Unicode, random
    bytes, one huge line, or a path passed by mistake instead of the text."""
    return st.one_of(noisy(path), noisy(path).map(lambda t: t.encode("utf-16", "surrogatepass")),
                     st.text(max_size=2000), st.binary(max_size=2000), huge_line, st.sampled_from([EN, ID]))


@PROPERTY_SETTINGS
@given(source=api_side(EN), target=api_side(ID), kw=api_setting_sets)
def test_api_returns_a_report_or_raises_one_line(source, target, kw) -> None:
    kw = {"device": "cpu", **kw}
    unknown = set(kw) - set(fidelity.SETTINGS)
    try:
        report = fidelity.check(source, target, **kw)
    except TypeError as exc:  # an unknown setting, and only that
        event("TypeError")
        assert unknown and "valid settings: " in str(exc) and "\n" not in str(exc), str(exc)
        return
    except FidelityError as exc:
        event(f"{type(exc).__name__}: {str(exc).partition(': ')[2][:30]}")
        assert not unknown
        assert str(exc) and "\n" not in str(exc), repr(str(exc))
        return
    event("report")
    assert not unknown
    assert isinstance(report, Report)
    assert report.summary.verdict in ("faithful", "issues", "unrelated")
