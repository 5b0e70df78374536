"""Read a text file (or stdin) into one ``str``, whatever its encoding, or fail in one line.

Decoding, in order:

1. a byte-order mark decides: UTF-8 (``utf-8-sig``), UTF-32 LE/BE, UTF-16 LE/BE;
2. NUL bytes without a BOM: UTF-16 without a BOM when the NULs sit in every other byte of
   mostly-ASCII text, otherwise the file is binary -> :class:`~fidelity.errors.InputError`;
3. plain UTF-8;
4. UTF-8 with a few broken bytes (scraped text cut inside a character): UTF-8 with U+FFFD
   for the broken bytes, when valid multi-byte characters outnumber the broken ones;
5. otherwise a legacy 8-bit encoding: cp1252 (Windows Western, a superset of the printable
   Latin-1), unless charset-normalizer finds a non-Latin script's code page (cp1251
   Cyrillic, ...); Latin-1 for bytes that cp1252 leaves undefined.

Cases 4 and 5 are *fallbacks*: the reader emits an :class:`EncodingFallbackWarning`
(``warnings`` module) naming the file and the encoding, and :class:`ReadResult` records it
(``read_result``/``decode_result``) so a report can say which encoding was used.

After decoding: a leading BOM is dropped, CRLF and lone CR become LF, nothing else changes,
so offsets into the returned text are stable.  Text with many control characters is
binary; empty or whitespace-only text is refused, and so is a file whose only line names an
existing file.  Every error is one line that starts with the file name:
``"nyt.id.txt: file is empty"``.  :func:`validate_text` is that gate alone, shared with the
Python API (:func:`fidelity.check`) so it refuses the same texts with the same words.
"""

from __future__ import annotations

import codecs
import os
import sys
import unicodedata
import warnings
from dataclasses import dataclass

from .errors import InputError

#: Name used for standard input in messages.
STDIN_NAME = "<stdin>"
#: Text with a larger share of control characters (other than tab, LF, CR, FF, VT) is binary.
MAX_CONTROL_SHARE = 0.01

_BOMS: tuple[tuple[bytes, str], ...] = (  # UTF-32 before UTF-16: BOM_UTF32_LE starts with BOM_UTF16_LE
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
#: Shorter non-UTF-8 input is always cp1252: too little text for a statistical guess.
_MIN_GUESS_BYTES = 64
_LEGACY_FAMILY = frozenset({"cp1252", "latin_1", "iso8859_15", "ascii", "utf_8"})


class EncodingFallbackWarning(UserWarning):
    """A file was not UTF-8/16/32 and was decoded with a guessed or lossy encoding."""


@dataclass(frozen=True)
class ReadResult:
    """A decoded text and how it was decoded.

    ``encoding`` is a Python codec name ("utf-8", "utf-8-sig", "utf-16-le", "cp1252", ...);
    ``fallback`` is True when the encoding was guessed or bytes were replaced (case 4 or 5
    of the module doc), ``note`` then says how.
    """

    text: str
    encoding: str
    name: str
    fallback: bool = False
    note: str = ""


# --------------------------------------------------------------------------- reading


def _display_name(path: str | os.PathLike) -> str:
    return STDIN_NAME if os.fspath(path) == "-" else os.fspath(path)


def _read_bytes(path: str | os.PathLike) -> bytes:
    """The raw bytes of ``path`` (``-`` = standard input), or InputError naming the problem."""
    name = _display_name(path)
    if os.fspath(path) == "-":
        try:
            return sys.stdin.buffer.read()
        except (OSError, AttributeError, ValueError) as exc:
            raise InputError(f"{name}: cannot read standard input ({exc})") from exc
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a text file") from None
    except PermissionError:
        if os.path.isdir(path):
            raise InputError(f"{name}: is a directory, not a text file") from None
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def read_result(path: str | os.PathLike) -> ReadResult:
    """Read and decode ``path`` (``-`` = stdin); see the module doc for the rules."""
    return decode_result(_read_bytes(path), _display_name(path))


def read_text(path: str | os.PathLike) -> str:
    """The text of ``path`` (``-`` = stdin), decoded, BOM-less, with LF line ends."""
    return read_result(path).text


# --------------------------------------------------------------------------- decoding


def _looks_utf16_without_bom(data: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when NULs fill every other byte (ASCII-range UTF-16), else None."""
    if len(data) < 4 or len(data) % 2:
        return None
    even_nuls = data[0::2].count(0) / (len(data) // 2)
    odd_nuls = data[1::2].count(0) / (len(data) // 2)
    if odd_nuls >= 0.7 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls >= 0.7 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _utf8_with_few_errors(data: bytes) -> str | None:
    """UTF-8 text with U+FFFD for broken bytes, when it is clearly meant as UTF-8."""
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if 0 < broken and multibyte >= 2 * broken:
        return text
    return None


def _non_latin_share(text: str) -> float:
    """Share of the non-ASCII letters of ``text`` that are not Latin (Cyrillic, Greek, ...)."""
    letters = [ch for ch in text if ord(ch) > 0x7F and ch.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for ch in letters if not unicodedata.name(ch, "").startswith("LATIN")) / len(letters)


def _legacy(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: cp1252, unless it is another script's 8-bit encoding.

    charset-normalizer alone is no help between the Latin code pages (it calls cp1252 English
    "cp1250"), so its guess is only taken when it decodes to a non-Latin script, e.g. cp1251
    Russian, which cp1252 would turn into accented Latin gibberish, and only for 64+ bytes
    (it calls a lone b"caf\\xe9" UTF-16).
    """
    best = None
    if len(data) >= _MIN_GUESS_BYTES:
        try:
            from charset_normalizer import from_bytes

            best = from_bytes(data).best()
        except Exception:  # pragma: no cover - a detector failure must not stop reading
            best = None
    if best is not None and best.encoding not in _LEGACY_FAMILY and not best.encoding.startswith("utf"):
        guessed = str(best)
        if _non_latin_share(guessed) >= 0.5:
            return guessed, best.encoding
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    return bad / len(text)


def _decode(data: bytes, name: str) -> tuple[str, str, str]:
    """(text, encoding, fallback note or "")."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding.replace("-sig", "")), encoding, ""
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: starts with a {encoding} byte-order mark but is not "
                                 f"valid {encoding} (byte {exc.start + len(bom)})") from None
    if b"\x00" in data:
        encoding = _looks_utf16_without_bom(data)
        if encoding is None:
            raise InputError(f"{name}: binary file (contains NUL bytes), not text")
        try:
            return data.decode(encoding), encoding, "UTF-16 without a byte-order mark"
        except UnicodeDecodeError:
            raise InputError(f"{name}: binary file (contains NUL bytes), not text") from None
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError:
        pass
    text = _utf8_with_few_errors(data)
    if text is not None:
        return text, "utf-8", "invalid UTF-8 bytes replaced by U+FFFD"
    text, encoding = _legacy(data)
    return text, encoding, f"not UTF-8; decoded as {encoding}"


#: A one-line text no longer than this is tested for being a file name given by mistake.
MAX_PATH_LENGTH = 4096


def _names_a_file(text: str) -> str | None:
    """The file name ``text`` is, when it is a single line naming an existing file, else None.

    Passing ``"seeds/nyt.en.txt"`` where its *content* was meant would otherwise be checked as
    a one-sentence English text (and a path "translates" itself faithfully)."""
    line = text.strip()
    if not line or "\n" in line or len(line) > MAX_PATH_LENGTH:
        return None
    try:
        return line if os.path.isfile(os.path.expanduser(line)) else None
    except (OSError, ValueError):  # pragma: no cover - isfile already returns False for these
        return None


def validate_text(text: str, name: str, noun: str = "file") -> str:
    """``text`` ready to check, or :class:`InputError` in one line that starts with ``name``.

    The one gate every text passes, whether the command line read it from a file (``noun``
    "file") or a program passed it to :func:`fidelity.check` (``noun`` "text"), so both refuse
    the same inputs with the same words: binary data (control characters), empty or
    whitespace-only text, and a single line naming an existing file (a path passed by mistake
    instead of its content). A leading BOM is dropped and CRLF and lone CR become LF.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _control_share(text) > MAX_CONTROL_SHARE:
        raise InputError(f"{name}: binary {'file' if noun == 'file' else 'data'} (control characters), not text")
    if not text.strip():
        raise InputError(f"{name}: {noun} is empty" if not text else f"{name}: {noun} contains only whitespace")
    path = _names_a_file(text)
    if path is not None:
        raise InputError(f"{name}: holds only the file name {path!r}, not a text; "
                         f"pass the file's content (fidelity.textio.read_text reads it)")
    return text


def decode_result(data: bytes, name: str, noun: str = "file") -> ReadResult:
    """Decode the bytes of the file called ``name`` (used in messages); see the module doc.
    ``noun``: what the messages call them (see :func:`validate_text`)."""
    if not data:
        raise InputError(f"{name}: {noun} is empty")
    text, encoding, note = _decode(data, name)
    text = validate_text(text, name, noun)
    if note:
        warnings.warn(f"{name}: {note}", EncodingFallbackWarning, stacklevel=3)
    return ReadResult(text=text, encoding=encoding, name=name, fallback=bool(note), note=note)


def decode_bytes(data: bytes, name: str, noun: str = "file") -> str:
    """The text of ``data`` (the content of the file ``name``), decoded as :func:`read_text` does."""
    return decode_result(data, name, noun).text


__all__ = ["EncodingFallbackWarning", "ReadResult", "STDIN_NAME", "decode_bytes", "decode_result",
           "read_result", "read_text", "validate_text"]
