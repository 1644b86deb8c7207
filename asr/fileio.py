"""Files that hold personal data: created private, replaced atomically.

Every writer of user data goes through here — the ticket database file, the crash journal
(drafts), saved call sessions (audio, events, JSON), exports, the unsaved-ticket copies,
reviewer notes and the log — so they share one answer to two questions:

* **Who may read it?** Files are created ``0600`` and folders ``0700`` (owner only),
  whatever the process umask; a file or folder of ours found with wider permissions is
  tightened when it is opened for writing (:func:`private_dir` with ``tighten=True``).
* **What if we die half-way?** A whole file (JSON, CSV, …) is written to a temporary file
  in the same folder, ``fsync``-ed, then renamed over the target (:func:`atomic_write`):
  readers see the old file or the new one, never half of one, and a failure leaves no
  temporary file behind. With ``overwrite=False`` the rename refuses to replace an
  existing file (:class:`FileExistsError`), atomically (a hard link, no check-then-write
  race).

Append-only files (journals, ``events.jsonl``, ``audio.wav``) are opened with
:func:`open_private`. Like :mod:`asr.jsonl`, this lives at the bottom layer because the
recorder, the lowest writer of user data, is here; it imports nothing of the project.
Errors are the standard ``OSError`` family; each caller words them for its own file kind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Literal, TextIO, cast, overload

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "atomic_write",
    "fsync_dir",
    "open_private",
    "private_dir",
    "private_file",
]

PRIVATE_FILE_MODE = 0o600
PRIVATE_DIR_MODE = 0o700

_FLAGS = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "a+": os.O_RDWR | os.O_CREAT | os.O_APPEND,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
    "r+": os.O_RDWR | os.O_CREAT,
}


def fsync_dir(path: str | Path) -> None:
    """Make a rename or a new file in ``path`` durable (ignored where not supported)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _tighten(fd_or_path: int | str | Path, mode: int) -> None:
    """Drop group/other permissions of a file or folder we own (never loosen, never fail)."""
    with contextlib.suppress(OSError):
        st = os.stat(fd_or_path) if not isinstance(fd_or_path, int) else os.fstat(fd_or_path)
        if st.st_uid == os.geteuid() and stat.S_IMODE(st.st_mode) & 0o077:
            new = stat.S_IMODE(st.st_mode) & mode
            if isinstance(fd_or_path, int):
                os.fchmod(fd_or_path, new)
            else:
                os.chmod(fd_or_path, new)


def private_dir(path: str | Path, *, tighten: bool = False) -> Path:
    """Create ``path`` (and missing parents) as ``0700`` folders; returns it.

    Folders that already exist keep their permissions unless ``tighten`` is set: then
    ``path`` itself (not its parents), when it is ours, loses group/other access. Use
    ``tighten`` for the program's own folders (data, drafts, sessions, logs), not for a
    folder the user chose to export into.
    """
    p = Path(path).expanduser()
    missing: list[Path] = []
    q = p
    while not q.exists() and q != q.parent:
        missing.append(q)
        q = q.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(folder, PRIVATE_DIR_MODE)
        _tighten(folder, PRIVATE_DIR_MODE)  # the umask may have left it wider… or narrower
    if not p.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "not a folder", str(p))
    if tighten:
        _tighten(p, PRIVATE_DIR_MODE)
    return p


TextMode = Literal["w", "a", "a+", "x", "r+"]
BinaryMode = Literal["wb", "ab", "a+b", "xb", "r+b"]


@overload
def open_private(
    path: str | Path, mode: TextMode = ..., *, encoding: str | None = ..., newline: str | None = ...
) -> TextIO: ...


@overload
def open_private(path: str | Path, mode: BinaryMode) -> BinaryIO: ...


def open_private(
    path: str | Path, mode: str = "a", *, encoding: str | None = None, newline: str | None = None
) -> TextIO | BinaryIO:
    """Open ``path`` for writing, created ``0600`` (an existing file of ours is tightened).

    ``mode``: ``w`` (truncate), ``a`` (append), ``a+`` (append, and read), ``x`` (must not
    exist), ``r+`` (update in place, created if missing); add ``b`` for bytes. Text mode needs ``encoding``.
    """
    binary = "b" in mode
    base = mode.replace("b", "")
    if base not in _FLAGS:
        raise ValueError(f"unsupported mode {mode!r}")
    fd = os.open(path, _FLAGS[base] | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
    try:
        _tighten(fd, PRIVATE_FILE_MODE)
        pymode = {"w": "w", "a": "a", "a+": "a+", "x": "w", "r+": "r+"}[base] + (
            "b" if binary else ""
        )
        if binary:
            return cast(BinaryIO, os.fdopen(fd, pymode))
        return cast(TextIO, os.fdopen(fd, pymode, encoding=encoding or "utf-8", newline=newline))
    except BaseException:
        os.close(fd)
        raise


def private_file(path: str | Path) -> Path:
    """Make sure ``path`` exists as a ``0600`` file (created empty if missing), so that a
    program creating it later, or files derived from it, inherit private permissions
    (SQLite gives its ``-wal`` / ``-shm`` files the database file's mode)."""
    p = Path(path)
    with open_private(p, "ab"):
        pass
    return p


def atomic_write(
    path: str | Path,
    data: str | bytes,
    *,
    encoding: str = "utf-8",
    overwrite: bool = True,
) -> Path:
    """Write ``data`` to ``path`` as a whole: temporary file in the same folder (``0600``),
    ``fsync``, rename. The folder is created ``0700`` if missing.

    ``overwrite=False`` raises :class:`FileExistsError` if ``path`` exists (checked by the
    rename itself, so two writers cannot both win). On any failure the temporary file is
    removed and ``path`` is untouched.
    """
    target = Path(path).expanduser()
    folder = private_dir(target.parent)
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    tmp = Path(tmp_name)
    try:
        try:
            view = memoryview(payload)
            while view:
                n = os.write(fd, view)
                view = view[n:]
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the target exists: no check-then-write race
            except FileExistsError:
                raise
            except OSError:  # a filesystem without hard links: best effort
                if target.exists() or target.is_symlink():
                    raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
                os.replace(tmp, target)
            else:
                tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(folder)
    return target
