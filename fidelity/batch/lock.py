"""OUTDIR's lock: one ``fidelity batch`` writes to a folder at a time, and the lock file does
not stay behind after the run.

On POSIX the lock is ``flock`` on ``.fidelity-batch.lock`` (the call ``filelock`` makes, so
either holds off the other). The file is deleted on release *while still locked*; a run that
opened the old file just before and locks it afterwards would hold a lock on a deleted file
that nobody else sees, so after locking, :meth:`OutdirLock.acquire` checks that the file it
locked is still the one at the path (same device and inode) and starts over if not.
Elsewhere ``filelock`` is used as is (its file stays).
"""

from __future__ import annotations

import os
from pathlib import Path

from .common import LOCK, BatchError

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class OutdirLock:
    """A non-blocking exclusive lock on ``outdir``; :class:`BatchError` when another run holds it."""

    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.path = outdir / LOCK
        self._fd: int | None = None
        self._fallback = None

    def _refuse(self) -> BatchError:
        return BatchError(f"{self.outdir}: another fidelity batch is writing to this folder "
                          f"(lock {self.path}); wait for it to finish or use another -o")

    def acquire(self) -> OutdirLock:
        if fcntl is None:  # pragma: no cover - Windows
            from filelock import FileLock, Timeout

            self._fallback = FileLock(str(self.path))
            try:
                self._fallback.acquire(timeout=0)
            except Timeout:
                raise self._refuse() from None
            return self
        for _ in range(100):  # each turn means another run released and deleted the file
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise self._refuse() from None
            except BaseException:
                os.close(fd)
                raise
            held = os.fstat(fd)
            try:
                now = os.stat(self.path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                self._fd = fd
                return self
            os.close(fd)  # locked a file that its holder deleted on release: lock the new one
        raise self._refuse()

    def release(self) -> None:
        """Delete the lock file, then unlock (in that order: see the module doc)."""
        if self._fallback is not None:  # pragma: no cover - Windows
            self._fallback.release()
            self._fallback = None
            return
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # closing the only descriptor releases the flock

    def __enter__(self) -> OutdirLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
