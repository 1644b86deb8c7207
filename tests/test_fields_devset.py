"""The single-sentence field dev set (tests/data/fields_devset, issue 16) through the real
extractors: the scorer validates rows and the full name after a surname description holds
on the report half (floors are today's figures; the rest of issue 16 is open)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.evaluation.fields import predict, score_file

DEVSET = Path(__file__).resolve().parent / "data" / "fields_devset" / "sentences.jsonl"


def test_rows_are_validated_with_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "split": "tune", "field": "name"}) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: field 'text' is missing"):
        score_file(bad)


def test_full_name_after_a_surname_description() -> None:
    row = {"text": "我姓张，弓长张，张丽。", "field": "name", "asked": True}
    assert predict(row) == "张丽"


def test_report_half_names_hold_their_floor() -> None:
    scores = score_file(DEVSET)
    right, total = scores[("name", "report")]
    assert total >= 10 and right / total >= 0.8
