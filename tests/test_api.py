"""The Python API ``fidelity.check``: the command line's settings by the same names, and the
same refusals with the same one-line messages."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

import fidelity
from fidelity.cli import main
from fidelity.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
EN = str(ROOT / "seeds" / "nyt.en.txt")
ID = str(ROOT / "seeds" / "nyt.id.txt")
EN_TEXT = Path(EN).read_text(encoding="utf-8")
ID_TEXT = Path(ID).read_text(encoding="utf-8")


def cli(*args: str):
    return CliRunner().invoke(main, ["check", *args, "-q", "--device", "cpu"], catch_exceptions=False)


def test_api_and_command_line_give_the_same_report_for_the_same_settings() -> None:
    for opts, kw in (((), {}), (("--tau", "0.1", "--presplit"), {"tau": 0.1, "presplit": True})):
        res = cli(EN, ID, "--format", "json", *opts)
        report = fidelity.check(EN_TEXT, ID_TEXT, source_path=EN, target_path=ID, device="cpu", **kw)
        assert report.to_dict() == json.loads(res.stdout)
    assert "tau=0.1" in report.signature


def test_api_accepts_every_documented_setting_by_the_cli_name() -> None:
    report = fidelity.check(EN_TEXT, ID_TEXT, source_lang="EN", target_lang="ind", model=None, device="cpu",
                            batch_size=64, presplit=False, check_language=False, tau=None)
    assert report.source.lang == "en" and report.target.lang == "id"
    assert report.summary.verdict == "issues"
    for name in fidelity.SETTINGS:
        assert f"``{name}" in fidelity.check.__doc__, name


def test_unknown_setting_is_a_type_error_naming_the_valid_ones() -> None:
    with pytest.raises(TypeError) as info:
        fidelity.check(EN_TEXT, ID_TEXT, taux=0.1)
    message = str(info.value)
    assert "taux" in message and "tau" in message and "source_lang" in message and "\n" not in message
    with pytest.raises(TypeError, match="fail_on"):
        fidelity.check(EN_TEXT, ID_TEXT, fail_on="none")  # a CLI-only option: no API meaning


@pytest.mark.parametrize("side", ["", "   \n\t ", "\r\n"])
def test_empty_side_is_refused_as_the_command_line_refuses_it(tmp_path: Path, side: str) -> None:
    with pytest.raises(InputError) as info:
        fidelity.check(EN_TEXT, side)
    message = str(info.value)
    assert message in ("target: text is empty", "target: text contains only whitespace")
    # The command line's message for the same content in a file differs only by the name and noun.
    path = tmp_path / "blank.id.txt"
    path.write_text(side, encoding="utf-8", newline="")
    res = cli(EN, str(path))
    assert res.exit_code == 2
    cli_message = res.stderr.strip().removeprefix("fidelity: error: ")
    assert cli_message == message.replace("target: text ", f"{path}: file ")


def test_a_path_passed_instead_of_the_text_is_refused() -> None:
    with pytest.raises(InputError) as info:
        fidelity.check(EN, ID)
    assert str(info.value).startswith(f"source: holds only the file name {EN!r}, not a text")
    with pytest.raises(InputError, match="^target: holds only the file name"):
        fidelity.check(EN_TEXT, ID + "\n")
    # A one-line text that names no file is a text like any other.
    report = fidelity.check("The minister resigned on Monday.", "Menteri itu mengundurkan diri pada hari Senin.",
                            device="cpu")
    assert report.summary.source_sentences == 1


def test_a_file_holding_only_a_path_is_refused_by_the_command_line_too(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.id.txt"
    wrong.write_text(ID + "\n", encoding="utf-8")
    res = cli(EN, str(wrong))
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"fidelity: error: {wrong}: holds only the file name {ID!r}, not a text; "
                                  "pass the file's content (fidelity.textio.read_text reads it)")


def test_bad_values_are_refused_in_one_line_like_the_command_line() -> None:
    with pytest.raises(InputError) as info:
        fidelity.check(EN_TEXT, ID_TEXT, source_lang="fr")
    res = cli(EN, ID, "--source-lang", "fr")
    assert res.exit_code == 2 and res.stderr.strip() == f"fidelity: error: {info.value}"
    for kw in ({"device": "gpu"}, {"batch_size": 0}, {"batch_size": 1.5}, {"tau": math.nan},
               {"tau": "0.1"}, {"presplit": "yes"}, {"target_lang": None}):
        with pytest.raises(InputError) as info:
            fidelity.check(EN_TEXT, ID_TEXT, **kw)
        assert next(iter(kw)).split("_")[0] in str(info.value) and "\n" not in str(info.value)
    res = cli(EN, ID, "--tau", "nan")
    assert res.exit_code == 2 and res.stderr.strip() == "fidelity: error: tau must be a finite number or None, got nan"


def test_wrong_language_and_binary_text_are_refused_with_the_cli_words() -> None:
    with pytest.raises(InputError, match=r"^target: expected Indonesian \(id\) text but it looks like English$"):
        fidelity.check(EN_TEXT, EN_TEXT)
    with pytest.raises(InputError, match=r"^source: binary data \(control characters\), not text$"):
        fidelity.check("\x01\x02\x03 text" * 20, ID_TEXT)
    with pytest.raises(TypeError, match="the source text must be str"):
        fidelity.check(None, ID_TEXT)  # type: ignore[arg-type]


def test_bytes_are_decoded_as_a_file_would_be() -> None:
    as_bytes = fidelity.check(EN_TEXT.encode("utf-16"), ID_TEXT.encode("utf-8"), device="cpu")
    as_text = fidelity.check(EN_TEXT, ID_TEXT, device="cpu")
    assert as_bytes.to_dict() == as_text.to_dict()
    with pytest.raises(InputError, match="^target: text is empty$"):
        fidelity.check(EN_TEXT, b"")


# A name said twice in the source and written once in the translation, beside a paragraph
# translated whole: the usual checks read the one "Denver" as rendering both mentions.
FIRE_EN = ("Firefighters in Denver said on Monday that the blaze in the hills west of Denver had been "
           "put out. About 200 homes were evacuated as a precaution, officials said.")
FIRE_ID = ("Petugas pemadam kebakaran mengatakan pada hari Senin bahwa kebakaran di perbukitan sebelah "
           "barat Denver telah dipadamkan. Sekitar 200 rumah dievakuasi sebagai tindakan pencegahan, "
           "kata para pejabat.")


def test_strict_names_reports_a_lost_mention_that_the_default_leaves(tmp_path: Path) -> None:
    assert fidelity.check(FIRE_EN, FIRE_ID, device="cpu").findings == []
    report = fidelity.check(FIRE_EN, FIRE_ID, device="cpu", strict_names=True)
    (finding,) = report.findings
    (change,) = finding.changes
    assert finding.type == "partial" and change.kind == "missing" and change.source == "Denver"
    assert "nparts=yes,ncount=yes" in report.signature
    kept = FIRE_ID.replace("kebakaran mengatakan", "kebakaran di Denver mengatakan")
    assert fidelity.check(FIRE_EN, kept, device="cpu", strict_names=True).findings == []
    # The command line's --strict-names is the same setting.
    (tmp_path / "a.en.txt").write_text(FIRE_EN, encoding="utf-8")
    (tmp_path / "a.id.txt").write_text(FIRE_ID, encoding="utf-8")
    paths = [str(tmp_path / "a.en.txt"), str(tmp_path / "a.id.txt")]
    assert cli(*paths, "--format", "json").exit_code == 0
    res = cli(*paths, "--format", "json", "--strict-names")
    assert res.exit_code == 1 and json.loads(res.stdout)["findings"][0]["changes"][0]["source"] == "Denver"
