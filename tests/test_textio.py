"""Reading text files: encodings, newlines, and one-line errors for unusable input."""

from __future__ import annotations

import codecs
import io
import os
import sys
import warnings
from pathlib import Path

import pytest

from fidelity.errors import InputError
from fidelity.textio import EncodingFallbackWarning, decode_bytes, decode_result, read_result, read_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SAMPLE = "Iran’s U.S. mission said “no” — café, naïve.\nKedua: “tidak”.\n"


def _write(tmp_path: Path, data: bytes, name: str = "in.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("encoding, prefix, reported", [
    ("utf-8", b"", "utf-8"),
    ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "utf-16-le"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "utf-16-be"),
    ("utf-32-le", codecs.BOM_UTF32_LE, "utf-32-le"),
    ("utf-32-be", codecs.BOM_UTF32_BE, "utf-32-be"),
])
def test_unicode_encodings_round_trip_without_bom(tmp_path, encoding, prefix, reported):
    path = _write(tmp_path, prefix + SAMPLE.encode(encoding))
    with warnings.catch_warnings():
        warnings.simplefilter("error", EncodingFallbackWarning)
        result = read_result(path)
    assert result.text == SAMPLE
    assert not result.fallback
    assert result.encoding == reported


def test_seed_files_read_unchanged():
    for path in sorted(SEEDS.glob("*.txt")):
        assert read_text(path) == path.read_bytes().decode("utf-8")


def test_short_latin1_file_decodes_as_cp1252_with_a_warning(tmp_path):
    path = _write(tmp_path, "café".encode("latin-1"))
    with pytest.warns(EncodingFallbackWarning, match="in.txt: not UTF-8; decoded as cp1252"):
        result = read_result(path)
    assert result.text == "café"
    assert result.encoding == "cp1252" and result.fallback


def test_cp1252_smart_quotes_in_a_longer_text(tmp_path):
    text = SEEDS.joinpath("nyt.en.txt").read_text(encoding="utf-8").replace("…", "...")
    path = _write(tmp_path, text.encode("cp1252"))
    with pytest.warns(EncodingFallbackWarning):
        assert read_text(path) == text


def test_cyrillic_code_page_is_recognised_by_charset_normalizer():
    text = "Привет, как дела? Это тестовый текст на русском языке. " * 3
    with pytest.warns(EncodingFallbackWarning):
        result = decode_result(text.encode("cp1251"), "ru.txt")
    assert result.text == text and result.encoding == "cp1251"


def test_utf8_cut_inside_a_character_keeps_utf8():
    data = SAMPLE.encode("utf-8") * 3 + "’".encode("utf-8")[:2] + b" end"
    with pytest.warns(EncodingFallbackWarning, match="replaced"):
        text = decode_bytes(data, "cut.txt")
    assert text.startswith(SAMPLE) and text.endswith("\ufffd end")


def test_utf16_without_bom_is_recognised():
    with pytest.warns(EncodingFallbackWarning, match="UTF-16"):
        assert decode_bytes("Hello world.\nSecond line.".encode("utf-16-le"), "x.txt") == "Hello world.\nSecond line."


def test_crlf_and_cr_become_lf_and_nothing_else_changes():
    data = "  Line one.\r\n\r\nLine two.\rLine three.\t\n".encode("utf-8")
    assert decode_bytes(data, "x.txt") == "  Line one.\n\nLine two.\nLine three.\t\n"


@pytest.mark.parametrize("data, message", [
    (b"", "x.bin: file is empty"),
    (b" \r\n\t\n  ", "x.bin: file contains only whitespace"),
    (codecs.BOM_UTF8, "x.bin: file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "x.bin: binary file (contains NUL bytes), not text"),
    (bytes(range(1, 32)) * 8 + b"text", "x.bin: binary file (control characters), not text"),
])
def test_unusable_bytes_give_one_line_errors(data, message):
    with pytest.raises(InputError) as info:
        decode_bytes(data, "x.bin")
    assert str(info.value) == message


def test_invalid_utf16_after_bom_is_an_error():
    with pytest.raises(InputError, match="utf-16-le byte-order mark"):
        decode_bytes(codecs.BOM_UTF16_LE + "ab".encode("utf-16-le") + b"\x00\xdc", "x.txt")


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_text(tmp_path / "nyt.id.txt")
    assert str(info.value) == f"{tmp_path / 'nyt.id.txt'}: no such file"


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    path = _write(tmp_path, b"secret")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_text(path)


def test_permission_error_is_one_line(tmp_path, monkeypatch):
    path = _write(tmp_path, b"secret")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError) as info:
        read_text(path)
    assert str(info.value) == f"{path}: permission denied"


def test_empty_file_message_names_the_file(tmp_path):
    path = _write(tmp_path, b"", "nyt.id.txt")
    with pytest.raises(InputError) as info:
        read_text(path)
    assert str(info.value) == f"{path}: file is empty"
    assert "\n" not in str(info.value)


def test_dash_reads_stdin_bytes(monkeypatch):
    fake = io.TextIOWrapper(io.BytesIO(codecs.BOM_UTF16_LE + "Halo dunia.\r\n".encode("utf-16-le")))
    monkeypatch.setattr(sys, "stdin", fake)
    assert read_text("-") == "Halo dunia.\n"


def test_empty_stdin_is_named_in_the_error(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    with pytest.raises(InputError, match="^<stdin>: file is empty$"):
        read_text("-")
