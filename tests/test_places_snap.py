"""Snapping heard place words to real places (real gazetteer, real pinyin)."""

from __future__ import annotations

import pytest

from knowledge.places import Gazetteer, snap_places


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.load()  # the session's cache dir (tests/conftest.py)


@pytest.mark.parametrize(
    ("heard", "snapped", "district", "street"),
    [
        ("天宁趋红美街道红梅心村", "天宁区红梅街道红梅新村", "天宁区", "红梅街道"),
        ("时景山区八角街道洋中区", "石景山区八角街道杨庄中区", "石景山区", "八角街道"),
        ("石井山区", "石景山区", "石景山区", ""),
        ("红美街道红梅心村", "红梅街道红梅新村", "天宁区", "红梅街道"),  # district from the street
    ],
)
def test_homophones_snap_to_real_places(
    gz: Gazetteer, heard: str, snapped: str, district: str, street: str
) -> None:
    r = snap_places(gz, heard)
    assert r.text == snapped
    assert (r.district, r.street) == (district, street)


def test_confidence_says_how_close(gz: Gazetteer) -> None:
    exact = snap_places(gz, "天宁区红梅街道红梅新村")
    near = snap_places(gz, "时景山区八角街道洋中区")
    assert exact.confidence == 1.0
    assert 0.7 <= near.confidence < 1.0  # 洋中区 supports 3 of 杨庄中区's 4 syllables


def test_nothing_is_invented(gz: Gazetteer) -> None:
    # unrelated words stay as they are, and no place is snapped from them
    for text in (
        "楼上天天半夜在客厅走路",
        "自来水公司又说是小区",
        "我家小区门口",
        "城区的路灯坏了",
    ):
        r = snap_places(gz, text)
        assert r.text == text and not r.hits
    # a street that is not a child of the heard district is not snapped inside it
    r = snap_places(gz, "天宁区八角街道")
    assert r.hit("street") is None


def test_snap_latency(gz: Gazetteer) -> None:
    import time

    text = "喂你好我住在时景山区八角街道洋中区十一号楼三单元四零一楼上漏水"
    snap_places(gz, text)
    t0 = time.perf_counter()
    for _ in range(20):
        snap_places(gz, text)
    assert (time.perf_counter() - t0) / 20 < 0.05
