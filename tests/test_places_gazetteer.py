"""The place gazetteer through jionlp's real division data, and city place lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.places import (
    Gazetteer,
    PlaceListError,
    PlacesError,
    read_place_list,
    snap_places,
    validate_place_list,
)
from knowledge.places.gazetteer import COMMUNITY, DISTRICT, STREET


@pytest.fixture(scope="module")
def gz() -> Gazetteer:
    return Gazetteer.load()  # the session's cache dir (tests/conftest.py): parsed once a run


def test_divisions_come_from_jionlp(gz: Gazetteer) -> None:
    assert len(gz) > 600_000
    d = gz.find("天宁区", DISTRICT)
    s = gz.find("红梅街道", STREET, within=d)
    assert d >= 0 and s >= 0
    assert "红梅新村" in [gz.name(c) for c in gz.children(s)]
    assert gz.level(gz.children(s)[0]) == COMMUNITY
    assert gz.find("不存在区", DISTRICT) < 0


def test_second_load_uses_the_disk_cache(tmp_path: Path) -> None:
    first = Gazetteer.load(cache_dir=tmp_path)
    second = Gazetteer.load(cache_dir=tmp_path)
    assert not first.from_cache and second.from_cache
    assert list(tmp_path.glob("*.pickle"))
    assert second.load_seconds < first.load_seconds


def test_scope_limits_snapping(gz: Gazetteer) -> None:
    scoped = Gazetteer.load()
    scoped.set_scope("常州市", ["天宁区"])
    assert snap_places(scoped, "天宁趋红美街道").district == "天宁区"
    assert snap_places(scoped, "时景山区八角街道").district == ""  # Beijing: out of scope
    with pytest.raises(PlacesError, match="not a city"):
        scoped.set_scope("不存在市")
    with pytest.raises(PlacesError, match="places_districts"):
        scoped.set_scope("常州市", ["石景山区"])


def test_place_list_rows_and_errors(gz: Gazetteer, tmp_path: Path) -> None:
    good = tmp_path / "places.csv"
    good.write_text(
        "名称,类型,区县,街道,别名\n翠湖苑,小区,武进区,湖塘镇,\n万家福超市,地标,,,万家福\n",
        encoding="utf-8",
    )
    places = validate_place_list(good, gz)
    assert [(p.name, p.kind) for p in places] == [
        ("翠湖苑", "community"),
        ("万家福超市", "landmark"),
    ]
    bad_kind = tmp_path / "k.csv"
    bad_kind.write_text("name,kind\n翠湖苑,小区\n坏的,楼盘\n", encoding="utf-8")
    with pytest.raises(PlaceListError, match=r"k\.csv:3 \[kind\]"):
        read_place_list(bad_kind)
    bad_street = tmp_path / "s.csv"
    bad_street.write_text(
        "name,kind,district,street\n翠湖苑,小区,武进区,红梅街道\n", encoding="utf-8"
    )
    with pytest.raises(PlaceListError, match=r"s\.csv:2 \[street\]"):
        validate_place_list(bad_street, gz)
    bad_col = tmp_path / "c.csv"
    bad_col.write_text("name,kind,colour\n", encoding="utf-8")
    with pytest.raises(PlaceListError, match=r"\[colour\]"):
        read_place_list(bad_col)


def test_place_list_from_xlsx(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["name", "kind", "district"])
    ws.append(["晓月苑", "community", "丰台区"])
    ws.append(["", "road", ""])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    with pytest.raises(PlaceListError, match=r"p\.xlsx:3 \[name\]"):
        read_place_list(path)


def test_local_places_snap(gz: Gazetteer) -> None:
    from knowledge.places import LocalPlace

    gz = Gazetteer.load(local=[LocalPlace("翠湖苑", "community", "武进区", "湖塘镇")])
    r = snap_places(gz, "武进区湖塘镇脆湖苑三栋")
    assert r.text == "武进区湖塘镇翠湖苑三栋"
    assert r.hit("local") is not None or r.hit("community") is not None


def test_zipped_division_file_is_read_in_place(tmp_path: Path) -> None:
    """A fresh jionlp install ships china_location.zip only (it unzips on its own first
    import, which the gazetteer avoids): the zip is read as it is."""
    import zipfile

    src = tmp_path / "china_location.zip"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr(
            "china_location.txt",
            "江苏省\t320000\t苏\n\t常州市\t320400\t常州\n\t\t天宁区\t320402\t天宁\n"
            "\t\t\t红梅街道\t320402001\n\t\t\t\t红梅新村社区居委会\t320402001001\n",
        )
    gz = Gazetteer.load(source=src, cache_dir=tmp_path / "cache")
    street = gz.find("红梅街道", STREET, within=gz.find("天宁区", DISTRICT))
    assert street >= 0 and gz.children(street)
    bad = tmp_path / "broken.zip"
    bad.write_bytes(b"not a zip")
    with pytest.raises(PlacesError, match=r"broken\.zip"):
        Gazetteer.load(source=bad, cache_dir=tmp_path / "cache")
