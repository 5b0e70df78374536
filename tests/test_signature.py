"""The signature is generated from the settings dataclasses and the shipped files' contents:
changing any setting that changes results, or any shipped word list or Punkt parameter file,
changes it; settings that change no number are left out only with a stated reason."""

from __future__ import annotations

import dataclasses
import shutil
import typing
from pathlib import Path

import pytest

from fidelity import DEFAULT_MODEL_NAME, models_dir
from fidelity import signature as sig
from fidelity.pipeline import ModelId, Settings, report_settings, signature

MODEL = ModelId("fidelity-en-id-static", "0123456789ab", "cpu")
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def _perturbed(owner: type, f: dataclasses.Field, value: typing.Any) -> typing.Any:
    """A different value of the field's declared type (from its type hints when it is None)."""
    hint = typing.get_type_hints(owner)[f.name]
    if value is None:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        assert args, f"{owner.__name__}.{f.name}: cannot tell the type of None"
        value = args[0]()  # 0.0, 0, "" ...
        return value + 0.125 if isinstance(value, (int, float)) and not isinstance(value, bool) else value or "x"
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1 if isinstance(value, int) else value * 1.5 + 0.0625
    if isinstance(value, str):
        return "id" if value == "en" else "en" if value == "id" else value + "x"
    if isinstance(value, (tuple, frozenset)):
        return type(value)([*value, "x"]) if value else type(value)(["x"])
    if isinstance(value, dict):
        return {**value, "x": 1}
    raise AssertionError(f"{owner.__name__}.{f.name}: teach the test to change a {type(value).__name__}")


def _every_field(settings: Settings):
    """``(path, changed settings)`` for every field of the settings and of each parameter
    dataclass in them, and whether the field's metadata leaves it out of the signature."""
    for f in dataclasses.fields(settings):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value):
            for g in dataclasses.fields(value):
                changed = dataclasses.replace(value, **{g.name: _perturbed(type(value), g, getattr(value, g.name))})
                yield f"{f.name}.{g.name}", dataclasses.replace(settings, **{f.name: changed}), sig.is_left_out(g)
        else:
            yield f.name, dataclasses.replace(settings, **{f.name: _perturbed(Settings, f, value)}), sig.is_left_out(f)


def test_every_field_of_every_settings_dataclass_changes_the_signature() -> None:
    base = signature(Settings(), MODEL)
    checked = []
    for path, changed, left_out in _every_field(Settings()):
        if left_out:
            continue
        assert signature(changed, MODEL) != base, f"changing {path} leaves the signature as it was"
        checked.append(path)
    # the fields the hand-written signature forgot are among them
    assert {"align.tau_min", "align.tau_max", "align.anchor_margin", "align.max_cells"} <= set(checked)
    assert len(checked) >= 20


def test_a_field_is_left_out_only_with_a_reason() -> None:
    left_out = {f.name: f.metadata.get("why") for f in dataclasses.fields(Settings) if sig.is_left_out(f)}
    assert set(left_out) == {"model", "device", "batch_size", "check_language"}
    assert all(isinstance(why, str) and len(why) > 20 for why in left_out.values())
    for _, params in sig.sections(Settings()):
        assert not any(sig.is_left_out(f) for f in dataclasses.fields(params))


def test_model_and_device_come_from_the_model_used() -> None:
    base = signature(Settings(), MODEL)
    assert signature(Settings(), dataclasses.replace(MODEL, hash="ba9876543210")) != base
    assert signature(Settings(), dataclasses.replace(MODEL, device="cuda")) != base
    assert signature(Settings(), dataclasses.replace(MODEL, name="other")) != base


def test_readable_parts_in_order() -> None:
    text = signature(Settings(), MODEL)
    parts = text.split("|")
    assert [p.split(":", 1)[0] for p in parts] == ["fidelity", "model", "seg", "align", "find", "partial", "data", "device"]
    assert parts[1] == "model:fidelity-en-id-static#0123456789ab" and parts[-1] == "device:cpu"
    seg = parts[2].removeprefix("seg:").split(",")
    assert seg[0].startswith("punkt-en#") and seg[1].startswith("punkt-id#") and "presplit=no" in seg
    align = dict(item.split("=", 1) for item in parts[3].removeprefix("align:").split(","))
    assert align["tau"] == "auto" and align["tmin"] == "-0.05" and align["cells"] == "2000000"
    assert align["titles"] == "yes" and align["hash"] == "512"
    # one entry per field, and no two fields of a part share a name
    for name, params in sig.sections(Settings()):
        names = [k for k, _ in sig.entries(params)]
        assert len(names) == len(set(names)) == len(dataclasses.fields(params)), name


def test_a_tau_of_0_1_is_written_so() -> None:
    from fidelity.align import AlignParams

    text = signature(Settings(align=AlignParams(tau=0.1)), MODEL)
    assert ",tau=0.1," in text


def test_language_codes_are_normalised() -> None:
    base = signature(Settings(), MODEL)
    assert signature(Settings(source_lang="EN", target_lang="id-ID"), MODEL) == base
    assert "punkt-EN" not in signature(Settings(source_lang="EN"), MODEL)
    assert "punkt-xx#generic" in signature(Settings(source_lang="xx"), MODEL)


def test_values_never_break_the_separators() -> None:
    assert sig.value_text("a|b,c") == "a/b;c"
    assert sig.value_text(1e-05) == "1e-05" and sig.value_text(0.30000000000000004) != sig.value_text(0.3)
    assert sig.value_text(("a", "b")) == "a+b" and sig.value_text(frozenset({"b", "a"})) == "a+b"
    assert sig.value_text({"b": 2, "a": 0.5}) == "a:0.5+b:2"


def test_a_new_parameter_dataclass_is_one_line() -> None:
    @dataclasses.dataclass(frozen=True)
    class PartialParams:
        min_words: int = 4
        cover: float = dataclasses.field(default=0.5, metadata={"sig": "cov"})

    @dataclasses.dataclass(frozen=True)
    class MoreSettings(Settings):
        partial: PartialParams = dataclasses.field(default_factory=PartialParams)
        wrapped: bool = False  # a plain setting without metadata is not lost either

    text = signature(MoreSettings(), MODEL)
    assert "|partial:min_words=4,cov=0.5|" in text and "|run:wrapped=no|" in text
    assert signature(MoreSettings(partial=PartialParams(cover=0.6)), MODEL) != text
    assert signature(MoreSettings(wrapped=True), MODEL) != text
    assert report_settings(MoreSettings(), MODEL)["partial"] == {"min_words": 4, "cover": 0.5}


def test_report_settings_hold_every_field_and_the_hashes() -> None:
    d = report_settings(Settings(source_lang="EN"), MODEL, tau=0.12)
    assert d["tau"] == 0.12 and d["source_lang"] == "en"
    for f in dataclasses.fields(Settings):
        assert f.name in d
        value = getattr(Settings(), f.name)
        if dataclasses.is_dataclass(value):
            assert set(d[f.name]) == {g.name for g in dataclasses.fields(value)}
    assert d["model_hash"] == MODEL.hash and d["device"] == "cpu"
    assert set(d["data"]) == {"punkt-en", "punkt-id", "nltk", "data"}
    assert f"data:#{d['data']['data']}" in signature(Settings(), MODEL)


# --- shipped files -----------------------------------------------------------------------


@pytest.fixture()
def shipped(tmp_path: Path) -> Path:
    """A copy of the shipped word lists (every data folder), with the model's lexicon files linked."""
    root = tmp_path / "models"
    for folder in sig.DATA_FOLDERS:
        if (models_dir() / folder).is_dir():
            shutil.copytree(models_dir() / folder, root / folder)
    (root / DEFAULT_MODEL_NAME).mkdir()
    for name in sig.LEXICON_FILES:
        (root / DEFAULT_MODEL_NAME / name).symlink_to(models_dir() / DEFAULT_MODEL_NAME / name)
    return root


def test_every_word_list_is_hashed(shipped: Path) -> None:
    names = sig.shipped_data_files(shipped)
    listed = sorted(f"wordlists/{p.name}" for p in (models_dir() / "wordlists").iterdir() if p.is_file())
    assert [n for n in names if n.startswith("wordlists/")] == listed
    assert {"wordlists/en.txt", "wordlists/id.txt", "wordlists/en.dict.txt"} <= set(names)
    assert sig.data_hash(shipped) == sig.data_hash()


def test_changing_adding_or_renaming_a_word_list_changes_the_hash(shipped: Path) -> None:
    before = sig.data_hash(shipped)
    words = shipped / "wordlists" / "id.txt"
    text = words.read_text(encoding="utf-8")
    words.write_text(text.replace("\n", "\nzzzz\n", 1), encoding="utf-8")
    changed = sig.data_hash(shipped)
    assert changed != before
    words.write_text(text, encoding="utf-8")
    assert sig.data_hash(shipped) == before
    (shipped / "wordlists" / "exonyms.tsv").write_text("Jakarta\tJakarta\n", encoding="utf-8")
    added = sig.data_hash(shipped)
    assert added not in (before, changed)
    (shipped / "wordlists" / "exonyms.tsv").rename(shipped / "wordlists" / "outlets.tsv")
    assert sig.data_hash(shipped) not in (before, changed, added)


def test_changing_the_lexicon_changes_the_hash(shipped: Path) -> None:
    before = sig.data_hash(shipped)
    tok = shipped / DEFAULT_MODEL_NAME / "tokenizer.json"
    data = tok.read_bytes()
    tok.unlink()
    tok.write_bytes(data.replace(b'"', b"'", 1))
    assert sig.data_hash(shipped) != before


def test_changing_punkt_parameters_changes_the_signature(tmp_path: Path, monkeypatch) -> None:
    import fidelity.segment as segment

    base = signature(Settings(), MODEL)
    copy = tmp_path / "id.json"
    copy.write_bytes(segment.params_path("id").read_bytes())
    original = segment.params_path
    monkeypatch.setattr(segment, "params_path", lambda lang: copy if lang == "id" else original(lang))
    assert signature(Settings(), MODEL) == base  # same content, same hash
    copy.write_bytes(copy.read_bytes().replace(b"abbrev_types", b"abbrev_types", 1) + b"\n")
    assert signature(Settings(), MODEL) != base


def test_the_report_of_a_check_carries_them() -> None:
    from fidelity.pipeline import Checker

    checker = Checker(Settings(device="cpu"), progress=False)
    text_en = "The flood hit Cebu on Monday. Three people died, officials said."
    text_id = "Banjir melanda Cebu pada hari Senin. Tiga orang tewas, kata para pejabat."
    report = checker.check(text_en, text_id)
    assert report.signature == signature(checker.settings, checker.model_id)
    assert report.settings["align"]["max_cells"] == checker.settings.align.max_cells
    assert report.settings["model_hash"] == checker.model_id.hash
    assert report.settings["data"]["data"] == sig.data_hash()
    assert isinstance(report.settings["anchors"], int)


def test_language_codes_the_segmenter_has_no_parameters_for_are_refused() -> None:
    from fidelity.errors import InputError
    from fidelity.segment import SUPPORTED_LANGUAGES, supported_language

    assert [supported_language(c) for c in ("EN", "en-US", "eng", "id", "ID", "ind", "in")] == \
        ["en", "en", "en", "id", "id", "id", "id"]
    for code in ("fr", "xx", "", "  ", None, 3):
        with pytest.raises(InputError) as err:
            supported_language(code)  # type: ignore[arg-type]
        message = str(err.value)
        assert "\n" not in message and repr(code) in message
        assert all(lang in message for lang in SUPPORTED_LANGUAGES)
