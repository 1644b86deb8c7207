"""WAV files whose header lies about the length of their audio.

A RIFF/WAVE header states the size of its ``data`` chunk. Recorders that crash (or
stream) leave it at 0 or at the size of the first block, and copies cut short leave it
larger than the file. libsndfile trusts the header, so such a file reads as empty, as
its first second, or silently shorter than announced.

:func:`open_audio_file` is the one way this package opens an audio file: for a plain
WAV whose ``data`` size does not match the bytes that follow it, libsndfile reads
through :class:`_PatchedFile`, the real file with its two size fields corrected in
memory (the file on disk is never changed), and a warning says what was found.

Bytes after the announced data are taken as audio unless they form a chain of RIFF
chunks up to the end of the file (a ``LIST``/``id3 `` tag after the audio is normal).
"""

from __future__ import annotations

import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["WavSizeFix", "check_wav_sizes", "open_audio_file"]

_UNKNOWN_SIZES = (0xFFFFFFFF,)  # streaming placeholder libsndfile already handles


@dataclass(frozen=True, slots=True)
class WavSizeFix:
    """Corrected size fields of a WAV whose header does not match its content."""

    data_size_offset: int  # file offset of the data chunk's size field
    data_size: int  # the size the audio really has (whole frames)
    riff_size: int  # file size - 8
    warning: str


def _fmt_seconds(nbytes: int, byte_rate: int) -> str:
    return f"{nbytes / byte_rate:.1f} s" if byte_rate > 0 else f"{nbytes} bytes"


def _is_chunk_chain(fh: Any, pos: int, file_size: int) -> bool:
    """True when the bytes from ``pos`` to the end of the file are RIFF chunks."""
    while pos + 8 <= file_size:
        fh.seek(pos)
        hdr = fh.read(8)
        cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
        if not all(0x20 <= b <= 0x7E for b in cid) or pos + 8 + size > file_size:
            return False
        pos += 8 + size + (size & 1)
    return file_size - pos <= 1


def check_wav_sizes(path: Path) -> WavSizeFix | None:
    """The corrections a plain RIFF/WAVE file at ``path`` needs (``None``: it needs none)."""
    try:
        file_size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = byte_rate = 0
            while True:
                hdr = fh.read(8)
                if len(hdr) < 8:
                    return None
                cid, size = hdr[:4], struct.unpack("<I", hdr[4:])[0]
                if cid == b"data":
                    break
                if cid == b"fmt ":
                    fmt = fh.read(size + (size & 1))
                    if len(fmt) >= 14:
                        byte_rate = struct.unpack("<I", fmt[8:12])[0]
                        block_align = struct.unpack("<H", fmt[12:14])[0]
                else:
                    fh.seek(size + (size & 1), 1)
            data_start = fh.tell()
            if block_align <= 0 or size in _UNKNOWN_SIZES:
                return None
            present = file_size - data_start
            whole = present - present % block_align  # a torn last frame is dropped
            if size > present:
                warning = (
                    f"{path.name}: the header announces {_fmt_seconds(size, byte_rate)} of "
                    f"audio but the file holds {_fmt_seconds(whole, byte_rate)} (cut short?); "
                    f"reading the {_fmt_seconds(whole, byte_rate)} that are there"
                )
            elif present - size < block_align or _is_chunk_chain(
                fh, data_start + size + (size & 1), file_size
            ):
                return None  # the header is right (at most a torn frame or tags follow)
            elif size == 0:
                warning = (
                    f"{path.name}: the header's audio size is 0 (a recording that was never "
                    f"closed, e.g. the recorder crashed); reading the "
                    f"{_fmt_seconds(whole, byte_rate)} the file holds"
                )
            else:
                warning = (
                    f"{path.name}: the header announces {_fmt_seconds(size, byte_rate)} of "
                    f"audio but the file holds {_fmt_seconds(whole, byte_rate)} (header not "
                    f"updated by the recorder?); reading all "
                    f"{_fmt_seconds(whole, byte_rate)}"
                )
    except (OSError, struct.error):
        return None
    return WavSizeFix(
        data_size_offset=data_start - 4,
        data_size=whole,
        riff_size=min(file_size - 8, 0xFFFFFFFF),
        warning=warning,
    )


class _PatchedFile(io.RawIOBase):
    """A read-only view of a file with a few bytes replaced (the corrected size fields)."""

    def __init__(self, path: Path, patches: dict[int, bytes]) -> None:
        super().__init__()
        self._fh = path.open("rb")
        self._patches = patches

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._fh.seek(offset, whence)

    def tell(self) -> int:
        return self._fh.tell()

    def readinto(self, buffer: Any) -> int:
        start = self._fh.tell()
        n = self._fh.readinto(buffer)
        if not n:
            return 0
        view = memoryview(buffer).cast("B")
        for at, new in self._patches.items():
            lo, hi = max(at, start), min(at + len(new), start + n)
            if lo < hi:
                view[lo - start : hi - start] = new[lo - at : hi - at]
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


def open_audio_file(path: str | Path) -> tuple[Any, tuple[str, ...]]:
    """``(soundfile.SoundFile, warnings)`` for ``path``; WAV size fields corrected when wrong.

    Raises what ``soundfile.SoundFile`` raises for unreadable files.
    """
    import soundfile as sf

    p = Path(path)
    fix = check_wav_sizes(p)
    if fix is None:
        return sf.SoundFile(str(p)), ()
    view = _PatchedFile(
        p,
        {
            4: struct.pack("<I", fix.riff_size),
            fix.data_size_offset: struct.pack("<I", fix.data_size),
        },
    )
    try:
        f = sf.SoundFile(view)
    except Exception:
        view.close()
        raise
    return _OwningSoundFile(f, view), (fix.warning,)


class _OwningSoundFile:
    """A SoundFile that closes the view it reads from when it is closed."""

    def __init__(self, f: Any, view: _PatchedFile) -> None:
        self._f, self._view = f, view

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def close(self) -> None:
        try:
            self._f.close()
        finally:
            self._view.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
