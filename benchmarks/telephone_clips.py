"""The real-speech clip sets of the telephone benchmark, loaded once and cached.

Sets (``HOTLINE_TEST_AUDIO_DIR``):

* ``real`` — 10 clips, 16 kHz; ``real/tel`` — the same through a telephone channel, made
  here with the same sox command the shared ``real_more/tel`` copy was made with
  (``sox IN -r 8000 -e u-law -b 8 OUT sinc 300-3400``) into a cache folder;
* ``real_more`` — 22 clips, 16 kHz; ``real_more/tel`` — their shared telephone copy.

Each clip keeps its file path (decoded by each system the way it would decode it) and its
reference. Nothing is copied into the repository.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Clip", "clip_sets"]


@dataclass(frozen=True, slots=True)
class Clip:
    set: str
    name: str
    path: Path
    reference: str


def _rows(folder: Path) -> list[tuple[str, str]]:
    with (folder / "transcripts.tsv").open(encoding="utf-8") as fh:
        return [(r["filename"], r["reference"]) for r in csv.DictReader(fh, delimiter="\t")]


def _telephone_copy(src: Path, cache: Path) -> Path:
    out = cache / src.name
    if not out.is_file():
        sox = shutil.which("sox")
        if sox is None:
            raise RuntimeError(
                "sox is needed to make the telephone copy of real/ (apt install sox)"
            )
        cache.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp.wav")
        subprocess.run(
            [sox, str(src), "-r", "8000", "-e", "u-law", "-b", "8", str(tmp), "sinc", "300-3400"],
            check=True,
            capture_output=True,
        )
        tmp.replace(out)
    return out


def clip_sets(audio_dir: Path, cache: Path | None = None) -> dict[str, list[Clip]]:
    """``{"real": [...], "real/tel": [...], "real_more": [...], "real_more/tel": [...]}``;
    a set whose folder is missing is left out."""
    cache = cache or Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / (
        "hotline-bench/real_tel"
    )
    sets: dict[str, list[Clip]] = {}
    real = audio_dir / "real"
    if (real / "transcripts.tsv").is_file():
        rows = _rows(real)
        sets["real"] = [Clip("real", n, real / n, ref) for n, ref in rows]
        if shutil.which("sox"):
            sets["real/tel"] = [
                Clip("real/tel", n, _telephone_copy(real / n, cache), ref) for n, ref in rows
            ]
    more = audio_dir / "real_more"
    if (more / "transcripts.tsv").is_file():
        sets["real_more"] = [Clip("real_more", n, more / n, r) for n, r in _rows(more)]
        tel = more / "tel"
        if (tel / "transcripts.tsv").is_file():
            sets["real_more/tel"] = [Clip("real_more/tel", n, tel / n, r) for n, r in _rows(tel)]
    return sets
