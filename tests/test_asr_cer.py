"""Mandarin accuracy (CER) of the Vosk engine on the real clips.

Runs only when ``HOTLINE_VOSK_MODEL`` points to a Mandarin Vosk model (e.g.
vosk-model-small-cn-0.22); no such model is available offline in CI, so the test is
skipped there even with HOTLINE_TEST_REQUIRE_REAL=1 (the Korean model covers the code
path in test_asr_vosk.py).
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
from conftest import REAL_AUDIO_DIR

from asr.text import cer, strip_punct

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

MANDARIN_MODEL = os.environ.get("HOTLINE_VOSK_MODEL")
# clips 1-7 of audio/SOURCES.md (read / clean speech); 8-10 are phone/video/meeting
CLEAN_CLIPS = 7
MAX_CER_CLEAN = 0.35


def test_cer_helper() -> None:
    assert cer("换一首歌", "换一首歌。") == 0.0
    assert cer("换一首歌", "换首哥") == pytest.approx(0.5)


def _mandarin_model() -> Path:
    if not MANDARIN_MODEL:
        pytest.skip(
            "HOTLINE_VOSK_MODEL is not set to a Mandarin Vosk model "
            "(download vosk-model-small-cn-0.22 to measure CER)"
        )
    from asr.models import check_vosk_model

    info = check_vosk_model(MANDARIN_MODEL)
    if info.language not in (None, "zh"):
        pytest.skip(f"HOTLINE_VOSK_MODEL is a {info.language} model, not Mandarin")
    return info.path


def test_mandarin_cer_on_real_clips() -> None:
    model = _mandarin_model()
    if not REAL_AUDIO_DIR or not (Path(REAL_AUDIO_DIR) / "real").is_dir():
        pytest.skip("HOTLINE_TEST_AUDIO_DIR is not set")
    from asr.audio import FileSource
    from asr.pipeline import Transcriber
    from asr.vosk_engine import VoskEngine

    real = Path(REAL_AUDIO_DIR) / "real"
    with (real / "transcripts.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    engine = VoskEngine(model)
    errors = chars = 0.0
    report = []
    for row in rows[:CLEAN_CLIPS]:
        src = FileSource(real / row["filename"], sample_rate=engine.sample_rate)
        # raw engine text: the references write numbers as characters, like Vosk does
        text = "".join(e.raw for e in Transcriber(src, engine).run() if e.final)
        c = cer(row["reference"], text)
        n = len(strip_punct(row["reference"]))
        errors += c * n
        chars += n
        report.append(f"{row['filename']}: CER {c:.2f} {text}")
    total = errors / chars
    print("\n".join(report), f"\noverall CER {total:.3f}")
    assert total <= MAX_CER_CLEAN, "\n".join(report)
