"""Catalogue loading, validation errors (file:line + field), city table import, 查字典."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.catalogue import (
    BUNDLED_CATALOGUE_DIR,
    derived_code,
    import_table,
    load_catalogue,
    write_catalogue_yaml,
)
from knowledge.errors import CatalogueError
from knowledge.types import DEPARTMENTS
from tests.knowledge_fixtures import SMALL_CATALOGUE, write_small_catalogue


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_small_catalogue_loads_with_ids_paths_and_sources(tmp_path: Path) -> None:
    cat = load_catalogue([write_small_catalogue(tmp_path)])
    assert len(cat) == 5
    leaf = cat.by_id["01.02.02"]
    assert leaf.path == ("城市管理", "物业与供水", "突发停水")
    assert leaf.department == "水务" and leaf.deadline == "24h"
    assert leaf.keywords == ("停水", "没水了", "突然停水")
    file_part, line = leaf.source.rsplit(":", 1)
    assert file_part.endswith("01_test.yaml")
    assert SMALL_CATALOGUE.splitlines()[int(line) - 1].strip() == '- code: "02"'
    assert SMALL_CATALOGUE.splitlines()[int(line)].strip() == "name: 突发停水"
    assert set(cat.levels["城市管理"]) == {"市容环境", "物业与供水"}
    st = cat.stats()
    assert (st.level1, st.level2, st.leaves) == (1, 2, 5)
    assert st.by_deadline == {"7d": 3, "24h": 1, "2h": 1}


def test_bundled_catalogue_is_valid_and_large() -> None:
    cat = load_catalogue()
    assert len(cat) >= 600
    assert len(cat.levels) == 30
    assert all(leaf.department in DEPARTMENTS for leaf in cat.leaves)
    assert all(leaf.keywords for leaf in cat.leaves)
    assert len(cat.content_hash) == 64
    assert {leaf.deadline for leaf in cat.leaves} == {"2h", "24h", "7d"}


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ("department: 水务", "department: 水务局", "children[1].leaves[1].department", "水务局"),
        ("deadline: 24h", "deadline: 3d", "children[1].leaves[1].deadline", "3d"),
        ("        name: 突发停水\n", "", "children[1].leaves[1].name", "突发停水"),
    ],
)
def test_validation_errors_name_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, needle: str
) -> None:
    bad = SMALL_CATALOGUE.replace(old, new, 1)
    folder = write_small_catalogue(tmp_path, bad)
    with pytest.raises(CatalogueError) as info:
        load_catalogue([folder])
    msg = str(info.value)
    assert "01_test.yaml:" in msg
    assert field in msg
    if new:  # the line of the bad value itself
        assert f"01_test.yaml:{_line_of(bad, needle)}:" in msg
        assert needle in msg  # the message shows the offending value
    else:  # a missing field points at the leaf
        assert info.value.line is not None
        assert "required field is missing" in msg
    assert info.value.path and info.value.path.endswith("01_test.yaml")


def test_unknown_department_message_lists_the_valid_ones(tmp_path: Path) -> None:
    folder = write_small_catalogue(
        tmp_path, SMALL_CATALOGUE.replace("department: 水务", "department: 城管局")
    )
    with pytest.raises(CatalogueError, match=r"unknown department.*城市管理"):
        load_catalogue([folder])


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = SMALL_CATALOGUE.replace("keywords: [停水, 没水了, 突然停水]", "keywords: [停水, 没水了")
    folder = write_small_catalogue(tmp_path, bad)
    with pytest.raises(CatalogueError, match=r"01_test\.yaml:\d+: YAML syntax error"):
        load_catalogue([folder])


def test_duplicate_leaf_ids_across_files_are_rejected(tmp_path: Path) -> None:
    write_small_catalogue(tmp_path)
    (tmp_path / "02_copy.yaml").write_text(SMALL_CATALOGUE, encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"duplicate leaf id 01.01.01"):
        load_catalogue([tmp_path])


def test_missing_path_and_extra_paths(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="does not exist"):
        load_catalogue([tmp_path / "nope"])
    extra = tmp_path / "extra"
    write_small_catalogue(
        extra, SMALL_CATALOGUE.replace('code: "01"\nname: 城市管理', 'code: "99"\nname: 测试')
    )
    cat = load_catalogue(extra_paths=[extra])
    assert "99.01.01" in cat.by_id and len(cat) > 600
    both = load_catalogue(["bundled", extra])
    assert len(both) == len(cat)


def test_content_hash_changes_with_content_only(tmp_path: Path) -> None:
    a = load_catalogue([write_small_catalogue(tmp_path / "a")])
    b = load_catalogue([write_small_catalogue(tmp_path / "b")])
    assert a.content_hash == b.content_hash  # same content, other folder
    c = load_catalogue(
        [write_small_catalogue(tmp_path / "c", SMALL_CATALOGUE.replace("摆摊", "练摊"))]
    )
    assert c.content_hash != a.content_hash


# ------------------------------------------------------------------------------ CSV / XLSX

CSV_OK = """level1,level2,level3,department,deadline,keywords
城市管理,市容环境,占道经营,城市管理,7d,占道经营、摆摊
城市管理,市容环境,乱贴小广告,城市管理,7d,小广告;牛皮癣
城市管理,市政设施,路灯不亮,城市管理,24h,路灯
供水,停水,突发停水,水务,2小时,停水 没水
"""


def test_csv_import_generates_stable_ids_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "city.csv"
    path.write_text(CSV_OK, encoding="utf-8")
    cat = import_table(path)
    ids = [leaf.id for leaf in cat.leaves]
    c = derived_code  # ids derived from the names (tests/test_knowledge_import.py: row order)
    assert ids == [
        f"{c('城市管理')}.{c('市容环境')}.{c('占道经营')}",
        f"{c('城市管理')}.{c('市容环境')}.{c('乱贴小广告')}",
        f"{c('城市管理')}.{c('市政设施')}.{c('路灯不亮')}",
        f"{c('供水')}.{c('停水')}.{c('突发停水')}",
    ]
    assert cat.by_id[ids[1]].keywords == ("小广告", "牛皮癣")
    assert cat.by_id[ids[3]].deadline == "2h"
    assert [leaf.id for leaf in import_table(path).leaves] == ids  # stable
    out = tmp_path / "yaml"
    files = write_catalogue_yaml(cat, out)
    assert [f.name for f in files] == [f"{c('城市管理')}_城市管理.yaml", f"{c('供水')}_供水.yaml"]
    again = load_catalogue([out])
    assert [(lf.id, lf.path, lf.department, lf.deadline, lf.keywords) for lf in again.leaves] == [
        (lf.id, lf.path, lf.department, lf.deadline, lf.keywords) for lf in cat.leaves
    ]
    # a CSV file can also be used directly as a catalogue path
    assert len(load_catalogue([path])) == 4


@pytest.mark.parametrize(
    ("row", "column", "pattern"),
    [
        ("城市管理,市容环境,占道,城管局,7d,摆摊", "department", "unknown department '城管局'"),
        ("城市管理,市容环境,占道,城市管理,3天,摆摊", "deadline", "deadline must be one of"),
        ("城市管理,,占道,城市管理,7d,摆摊", "level2", "empty value in required column 'level2'"),
    ],
)
def test_csv_errors_name_row_and_column(
    tmp_path: Path, row: str, column: str, pattern: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV_OK + row + "\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=pattern) as info:
        import_table(path)
    assert info.value.line == 6 and info.value.column == column
    assert f"bad.csv:6 [{column}]" in str(info.value)


def test_csv_missing_column_and_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("level1,level2,level3,department\n城市管理,a,b,城市管理\n", encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"missing column.*deadline") as info:
        import_table(path)
    assert info.value.line == 1
    zh = tmp_path / "zh.csv"
    zh.write_text(
        "一级分类,二级分类,三级分类,承办部门,办理时限,关键词\n供热,供热温度,暖气不热,供热,24小时,暖气不热\n",
        encoding="utf-8",
    )
    assert import_table(zh).leaves[0].deadline == "24h"


def test_xlsx_import_and_error_position(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["level1", "level2", "level3", "department", "deadline", "keywords"])
    ws.append(["供热", "供热温度", "暖气不热", "供热", "24h", "暖气不热,暖气凉"])
    ws.append(["供热", "供热温度", "暖气漏水", "暖气公司", "24h", "漏水"])
    path = tmp_path / "city.xlsx"
    wb.save(path)
    with pytest.raises(CatalogueError) as info:
        import_table(path)
    assert (info.value.line, info.value.column) == (3, "department")
    ws.delete_rows(3)
    wb.save(path)
    cat = import_table(path)
    assert cat.leaves[0].keywords == ("暖气不热", "暖气凉")


# ------------------------------------------------------------------------------ 查字典


def test_search_keyword_exact_substring_and_pinyin(tmp_path: Path) -> None:
    cat = load_catalogue([write_small_catalogue(tmp_path)])
    hits = cat.search_keyword("摆摊")
    assert hits[0].leaf.id == "01.01.01" and hits[0].how == "exact"
    hits = cat.search_keyword("无业")  # homophone of 物业
    assert hits and hits[0].leaf.id == "01.02.01" and hits[0].how == "pinyin"
    hits = cat.search_keyword("听水")  # 停水
    assert hits[0].leaf.id == "01.02.02"
    assert cat.search_keyword("   ") == []


def test_search_keyword_on_bundled_catalogue() -> None:
    cat = load_catalogue([BUNDLED_CATALOGUE_DIR])
    top = cat.search_keyword("电梯困人", limit=3)
    assert top[0].leaf.name == "电梯困人"
    assert any("物业" in h.leaf.path_text for h in cat.search_keyword("无业", limit=5))


def test_hotwords_are_the_catalogues_domain_terms_within_the_prompt_budget() -> None:
    from knowledge.catalogue import load_catalogue

    words = load_catalogue().hotwords(max_chars=110)
    assert sum(len(w) + 1 for w in words) <= 110
    assert len(set(words)) == len(words) >= 20
    assert {"燃气", "物业", "工资", "医保"} <= set(words)
    assert all(2 <= len(w) <= 3 for w in words)


def test_whisper_hotwords_setting(tmp_path: Path) -> None:
    from assistant.services import whisper_hotwords
    from assistant.settings import load_settings

    assert whisper_hotwords(load_settings(data_dir=tmp_path)) is None  # off by default
    own = load_settings(data_dir=tmp_path, whisper_hotwords="违建 群租")
    assert whisper_hotwords(own) == "违建 群租"
    derived = whisper_hotwords(load_settings(data_dir=tmp_path, whisper_hotwords="catalogue"))
    assert derived is not None and "燃气" in derived.split()
