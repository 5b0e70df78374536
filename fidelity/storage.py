"""Where a batch reads its inputs and writes its outputs: a local (or shared) folder, or an
fsspec URL (``file://``, ``s3://``, ``gs://``, ``abfs://``... whatever fsspec and its plugins
read), behind one small interface, so the Ray engine's driver and workers need not care which.

* A local path and a ``file://`` URL are the same thing: the local file system, where a write
  is atomic (:func:`fidelity.report.write_atomic`: a temporary file in the same folder, renamed
  over the target), appends go straight to the file, and the folder can be locked.
* Any other URL goes through fsspec. An object store writes an object in one request when the
  file is closed, so a reader sees the old object or the whole new one (atomic), but it cannot
  append nor rename cheaply: :meth:`Store.supports_append` says so and the caller writes parts.

fsspec is imported only for a URL that is not ``file://``: plain local runs do not need it.
"""

from __future__ import annotations

import contextlib
import io
import os
import posixpath
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlsplit


def is_url(location: str | os.PathLike) -> bool:
    """Whether ``location`` is a URL (``scheme://...``) rather than a local path."""
    text = os.fspath(location)
    return "://" in text and text.split("://", 1)[0].replace("+", "").replace("-", "").isalnum()


def local_path(location: str | os.PathLike) -> Path | None:
    """The local path of a plain path or a ``file://`` URL; None for any other URL."""
    text = os.fspath(location)
    if not is_url(text):
        return Path(text)
    parts = urlsplit(text)
    if parts.scheme.lower() != "file":
        return None
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"{text}: a file:// URL names a local path (file:///abs/path)")
    return Path(unquote(parts.path))


def join(base: str, *names: str) -> str:
    """``base`` (a folder path or URL) joined with relative ``names``; an absolute path or a
    URL among ``names`` stands on its own (as with :func:`os.path.join`)."""
    out = base
    for name in names:
        if is_url(name) or os.path.isabs(name):
            out = name
        elif is_url(out):
            out = posixpath.join(out.rstrip("/") + "/", name)
        else:
            out = str(Path(out) / name)
    return out


def parent(location: str) -> str:
    """The folder that holds ``location`` (a path or a URL)."""
    if is_url(location):
        scheme, rest = location.split("://", 1)
        return f"{scheme}://{posixpath.dirname(rest.rstrip('/'))}"
    return str(Path(location).parent)


def _fs(location: str) -> tuple[Any, str]:
    """(fsspec file system, path in it) of a URL."""
    try:
        import fsspec
    except ImportError:  # pragma: no cover - the [ray] extra brings it
        raise OSError(f"{location}: reading a URL needs fsspec (pip install 'fidelity[ray]')") from None
    return fsspec.core.url_to_fs(location)


def read_bytes(location: str) -> bytes:
    """The bytes of a file at a path or a URL (raises :class:`OSError` as ``open`` would)."""
    path = local_path(location)
    if path is not None:
        return path.read_bytes()
    fs, inner = _fs(location)
    try:
        return fs.cat_file(inner)
    except FileNotFoundError:
        raise FileNotFoundError(2, "No such file or directory", location) from None


def open_text(location: str, encoding: str = "utf-8") -> IO[str]:
    """A text file opened for reading, line by line (a manifest of millions of rows is
    streamed, never read whole)."""
    path = local_path(location)
    if path is not None:
        return path.open("r", encoding=encoding, newline="")
    fs, inner = _fs(location)
    try:
        raw = fs.open(inner, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(2, "No such file or directory", location) from None
    return io.TextIOWrapper(raw, encoding=encoding, newline="")


def is_dir(location: str) -> bool:
    path = local_path(location)
    if path is not None:
        return path.is_dir()
    fs, inner = _fs(location)
    return bool(fs.isdir(inner))


def is_file(location: str) -> bool:
    path = local_path(location)
    if path is not None:
        return path.is_file()
    fs, inner = _fs(location)
    return bool(fs.isfile(inner))


class Store:
    """A folder to write to: a local path or a URL (see the module doc).

    Names given to its methods are file names inside the folder (``"x.json"``, or
    ``"parts/0001.jsonl"`` for a file in a subfolder)."""

    def __init__(self, location: str | os.PathLike):
        self.location = os.fspath(location)
        #: The local folder (a path or a ``file://`` URL), else None (go through fsspec).
        self.local: Path | None = local_path(self.location)
        self._fs: Any = None
        self._root = ""
        if self.local is None:
            self._fs, self._root = _fs(self.location)
            self._root = self._root.rstrip("/")

    def __repr__(self) -> str:
        return f"Store({self.location!r})"

    def __reduce__(self):  # a Ray worker rebuilds its own file-system object
        return (Store, (self.location,))

    @property
    def supports_append(self) -> bool:
        """Whether a file can be appended to (and locked): only on the local file system."""
        return self.local is not None

    def url(self, name: str) -> str:
        """Where ``name`` is, as a path or URL (for messages and for other readers)."""
        if self.local is not None:
            return str(self.local / name)
        return f"{self.location.rstrip('/')}/{name}"

    def _inner(self, name: str) -> str:
        return f"{self._root}/{name}"

    def mkdirs(self) -> None:
        if self.local is not None:
            self.local.mkdir(parents=True, exist_ok=True)
        else:
            self._fs.makedirs(self._root, exist_ok=True)

    def exists(self, name: str) -> bool:
        if self.local is not None:
            return (self.local / name).exists()
        return bool(self._fs.exists(self._inner(name)))

    def is_file(self, name: str) -> bool:
        if self.local is not None:
            return (self.local / name).is_file()
        return bool(self._fs.isfile(self._inner(name)))

    def read_bytes(self, name: str) -> bytes:
        return read_bytes(self.url(name))

    def open_read(self, name: str) -> IO[str]:
        """``name`` opened as UTF-8 text for reading (FileNotFoundError if missing)."""
        return open_text(self.url(name))

    def write_text(self, name: str, text: str) -> None:
        """Write ``name`` so that readers see the old file or the whole new one."""
        if self.local is not None:
            from .report import write_atomic

            write_atomic(self.local / name, text)
            return
        self._fs.pipe_file(self._inner(name), text.encode("utf-8"))  # one request: atomic

    @contextlib.contextmanager
    def open_atomic(self, name: str) -> Iterator[IO[str]]:
        """A text file to write ``name`` by pieces (a results file of millions of lines):
        it replaces ``name`` only when the block ends without an error. Locally a temporary
        file renamed over it; on an object store the object is written when closed (and
        the upload abandoned on an error)."""
        if self.local is not None:
            target = self.local / name
            tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
            fh = tmp.open("w", encoding="utf-8", newline="")
            try:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
                fh.close()
                os.replace(tmp, target)
            except BaseException:
                fh.close()
                tmp.unlink(missing_ok=True)
                raise
            return
        tmp_name = f".{name}.{secrets.token_hex(4)}.tmp"
        raw = self._fs.open(self._inner(tmp_name), "wb")
        fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield fh
            fh.close()
            self._fs.mv(self._inner(tmp_name), self._inner(name))
        except BaseException:
            with contextlib.suppress(Exception):
                fh.close()
            with contextlib.suppress(Exception):
                self._fs.rm_file(self._inner(tmp_name))
            raise

    def open_append(self, name: str) -> IO[str]:
        """``name`` opened for appending text (local file system only)."""
        if self.local is None:
            raise OSError(f"{self.url(name)}: this store cannot append to a file")
        return (self.local / name).open("a", encoding="utf-8")

    def unlink(self, name: str) -> None:
        """Delete ``name`` if it exists."""
        if self.local is not None:
            (self.local / name).unlink(missing_ok=True)
            return
        with contextlib.suppress(FileNotFoundError):
            self._fs.rm_file(self._inner(name))

    def list(self, folder: str = "") -> list[str]:
        """The file names in ``folder`` (a subfolder name, or the store itself), sorted."""
        if self.local is not None:
            where = self.local / folder if folder else self.local
            try:
                return sorted(e.name for e in where.iterdir() if e.is_file())
            except FileNotFoundError:
                return []
        inner = self._inner(folder) if folder else self._root
        try:
            entries = self._fs.ls(inner, detail=True)
        except FileNotFoundError:
            return []
        return sorted(posixpath.basename(e["name"].rstrip("/")) for e in entries
                      if e.get("type") == "file")

    def __truediv__(self, name: str) -> Location:
        """A file of the store, with the ``is_file()`` of a :class:`pathlib.Path` (so code
        written for local folders, like ``records.reusable``, can ask a store)."""
        return Location(self, name)


class Location:
    """One file of a :class:`Store` (see :meth:`Store.__truediv__`)."""

    def __init__(self, store: Store, name: str):
        self.store = store
        self.name = name

    def is_file(self) -> bool:
        return self.store.is_file(self.name)

    def __str__(self) -> str:
        return self.store.url(self.name)
