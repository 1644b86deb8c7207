"""`hotline analyze` takes any input bytes (issue 18, item 12).

Bad UTF-8, binary, deep nesting, huge lines, NaN ids: each line gets its own error record
(with the line number as id when the record has none), the batch goes on, the output is
standard JSON and the exit code is 2.
"""

from __future__ import annotations

import io
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant import batch_input
from assistant.batch import analyze_line
from tests.knowledge_fixtures import ROOT


class Engine:
    """Stands in for the knowledge engine; analyse() is never reached by a refused line."""

    def analyze(self, text: str, k: int = 5) -> object:
        raise AssertionError("a refused line must not be analysed")


def strict_json(line: str) -> object:
    def refuse(name: str) -> object:
        raise AssertionError(f"non-standard JSON constant {name} in output")

    return json.loads(line, parse_constant=refuse)


def lines_of(data: bytes) -> list[tuple[int, str | None, str | None]]:
    return list(batch_input.iter_lines(io.BytesIO(data)))


def test_bad_utf8_is_an_error_for_that_line_only() -> None:
    data = (
        '{"id": "a", "text": "停水"}\n'.encode()
        + '{"id": "b", "text": "我家停水"}\n'.encode("gbk")
        + b"\x00\xff\xfe binary \x80\n"
        + '{"id": "c", "text": "断电"}\n'.encode()
    )
    got = lines_of(data)
    assert [n for n, _, _ in got] == [1, 2, 3, 4]
    assert got[0][1] is not None and got[3][1] is not None
    for n in (1, 2):
        assert got[n][1] is None and "UTF-8" in (got[n][2] or "")


def test_utf8_bom_and_crlf_are_accepted() -> None:
    got = lines_of(b'\xef\xbb\xbf{"id": 1, "text": "x"}\r\n{"id": 2, "text": "y"}')
    assert [json.loads(t or "")["id"] for _, t, _ in got] == [1, 2]


def test_an_over_long_line_is_refused_without_reading_it_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(batch_input, "MAX_LINE_BYTES", 1000)
    got = lines_of(b'{"id": 1, "text": "' + b"x" * 50_000 + b'"}\n{"id": 2, "text": "y"}\n')
    assert got[0][1] is None and "longer than" in (got[0][2] or "")
    assert got[1][0] == 2 and got[1][1] is not None


@pytest.mark.parametrize(
    ("line", "needle"),
    [
        ('{"id": NaN, "text": "停水"}', "NaN"),
        ('{"id": Infinity, "text": "停水"}', "Infinity"),
        ('{"id": -Infinity, "text": "停水"}', "Infinity"),
        ('{"id": 1e999, "text": "停水"}', "finite"),
        ("[" * 5000 + "]" * 5000, "nested"),
        ('{"id": 1, "text": "停水", "x": ' + "[" * 100 + "]" * 100 + "}", "nested"),
        ('{"id": 1, "text": "' + "停" * 50_000 + '"}', "characters"),
        (
            json.dumps({"id": 1, "turns": [{"speaker": "caller", "text": "停水"}] * 5000}),
            "turns",
        ),
        (
            json.dumps({"id": 1, "turns": [{"speaker": "caller", "text": "停" * 50_000}]}),
            "characters",
        ),
    ],
)
def test_refused_records_name_the_line_and_the_limit(line: str, needle: str) -> None:
    t0 = time.perf_counter()
    out = analyze_line(Engine(), line, 7)  # type: ignore[arg-type]
    assert time.perf_counter() - t0 < 2.0
    assert needle in out["error"] and "line 7" in out["error"], out
    strict_json(json.dumps(out))  # standard JSON whatever the input held


def test_a_missing_id_is_the_line_number() -> None:
    assert analyze_line(Engine(), "not json", 3)["id"] == 3  # type: ignore[arg-type]
    out = analyze_line(Engine(), '{"text": 5}', 4)  # type: ignore[arg-type]
    assert out["id"] == 4 and "must be a string" in out["error"]
    assert analyze_line(Engine(), '{"id": null, "text": 5}', 5)["id"] is None  # type: ignore[arg-type]


def _hotline(
    args: list[str], tmp: Path, stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {
        **os.environ,
        "HOTLINE_CONFIG": str(tmp / "none.toml"),
        "LC_ALL": "C",
        "PYTHONIOENCODING": "ascii",
    }
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=300,
    )


def test_cli_gbk_and_binary_input_give_per_line_errors_and_exit_2(tmp_path: Path) -> None:
    body = (
        '{"id": "ok", "text": "我家停水两天了"}\n'.encode()
        + '{"id": "gbk", "text": "我家停水两天了"}\n'.encode("gbk")
        + b"\x89PNG\x1a\x00\x00\x00\xff\xd8 binary\n"
        + b'{"id": NaN, "text": "x"}\n'
    )
    src = tmp_path / "in.jsonl"
    src.write_bytes(body)
    for args, stdin in ((["analyze", str(src)], None), (["analyze", "-"], body)):
        proc = _hotline([*args, "--backend", "none"], tmp_path, stdin)
        assert proc.returncode == 2, proc.stderr.decode(errors="replace")
        assert b"Traceback" not in proc.stderr
        rows = [strict_json(x) for x in proc.stdout.decode("utf-8").splitlines()]
        assert isinstance(rows[0], dict) and rows[0]["id"] == "ok" and "error" not in rows[0]
        assert [r["id"] for r in rows[1:]] == [2, 3, 4]  # type: ignore[index]
        assert all("error" in r for r in rows[1:])  # type: ignore[operator]
        assert not any(isinstance(r["id"], float) and math.isnan(r["id"]) for r in rows)  # type: ignore[index]
