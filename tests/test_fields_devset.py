"""The field dev sets (tests/data/fields_devset, issue 16) through the real
extractors and the live field logic: the scorer validates rows, and the report halves hold
the figures measured when issue 16b (names, phones, the table) closed."""

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


def test_sentence_rows_need_a_known_field_and_split(tmp_path: Path) -> None:
    from assistant.evaluation.fields import score_sentences

    bad = tmp_path / "bad.jsonl"
    row = {"id": "x", "split": "later", "field": "name", "text": "我姓张", "gold": "张"}
    bad.write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:1: field 'split'"):
        score_sentences(bad)


def test_the_fields_table_on_the_dev_sets() -> None:
    """The table `hotline eval-fields` prints, through the real extractors and the live
    field logic; floors are the report-half figures measured when issue 16b closed."""
    from assistant.evaluation.fields import field_table, format_table

    rows = field_table(shared=False)
    by = {(d, v, s): sc for d, v, s, sc in rows}
    text = format_table(rows)
    assert "phone exact" in text and "calls_devset" in text
    sent = by[("sentences (sentences.jsonl)", "clean", "report")]
    assert (sent.rate("phone") or 0) >= 0.9 and (sent.rate("name") or 0) >= 0.9
    heard = by[("sentences (sentences.jsonl)", "heard", "report")]
    assert (heard.rate("name") or 0) >= 0.85
    calls = by[("calls_devset", "clean", "report")]
    assert (calls.rate("phone") or 0) >= 0.95 and (calls.rate("name") or 0) >= 0.75
    own = by[("fields_devset calls", "heard", "report")]
    assert (own.rate("phone") or 0) >= 0.75


def test_eval_fields_command_prints_one_table() -> None:
    from typer.testing import CliRunner

    from assistant.cli import create_cli

    res = CliRunner().invoke(create_cli(), ["eval-fields", "--no-calls"])
    assert res.exit_code == 0, res.output
    assert "phone exact" in res.output and "sentences" in res.output
