"""`hotline catalogue import` of a city's own table (issue 18, item 5).

A workbook is read whole (every sheet), re-importing into the same ``--out`` folder
replaces the earlier import, ids do not depend on row order (an id column when there is
one, else derived from the path) so an import can extend the bundled catalogue, and
errors name the file, the sheet, the row and the field.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from knowledge.catalogue import BUNDLED, import_table, load_catalogue, write_catalogue_yaml
from knowledge.errors import CatalogueError

HEADER = ["level1", "level2", "level3", "department", "deadline", "keywords"]
ROWS_V1 = [
    ["城市管理", "市容环境", "夜市占道", "城市管理", "7d", "夜市,摆摊"],
    ["城市管理", "市容环境", "共享单车乱停", "城市管理", "7d", "共享单车"],
    ["供水", "二次供水", "水箱清洗", "水务", "7d", "水箱"],
]


def _csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")
    return path


def _xlsx(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


def _run(*args: str) -> object:
    from assistant.cli import app

    return CliRunner().invoke(app, ["catalogue", "import", *args])


# ------------------------------------------------------------------ several sheets


def test_a_workbook_with_two_sheets_is_read_whole(tmp_path: Path) -> None:
    book = _xlsx(
        tmp_path / "two_sheets.xlsx",
        {"城市管理": [HEADER, *ROWS_V1[:2]], "供水": [HEADER, ROWS_V1[2]]},
    )
    cat = import_table(book)
    assert [lf.path[2] for lf in cat.leaves] == ["夜市占道", "共享单车乱停", "水箱清洗"]
    assert "供水" in cat.leaves[2].source and cat.leaves[2].source.endswith(":2")


def test_an_error_on_the_second_sheet_names_file_sheet_row_and_field(tmp_path: Path) -> None:
    book = _xlsx(
        tmp_path / "two_sheets.xlsx",
        {
            "城市管理": [HEADER, *ROWS_V1[:2]],
            "供水": [HEADER, ROWS_V1[2], ["供水", "二次供水", "水箱漏水", "自来水公司", "7d", ""]],
        },
    )
    with pytest.raises(CatalogueError) as info:
        import_table(book)
    err = info.value
    assert (err.sheet, err.line, err.column) == ("供水", 3, "department")
    assert "two_sheets.xlsx" in str(err) and "供水" in str(err) and ":3 [department]" in str(err)


def test_a_sheet_that_is_not_a_catalogue_is_refused_by_name(tmp_path: Path) -> None:
    book = _xlsx(
        tmp_path / "book.xlsx",
        {"目录": [HEADER, *ROWS_V1], "填写说明": [["请按模板填写"], ["部门名称须规范"]]},
    )
    with pytest.raises(CatalogueError, match="missing column") as info:
        import_table(book)
    assert info.value.sheet == "填写说明"


def test_empty_sheets_are_skipped(tmp_path: Path) -> None:
    book = _xlsx(tmp_path / "book.xlsx", {"目录": [HEADER, *ROWS_V1], "Sheet2": []})
    assert len(import_table(book)) == 3


def test_the_cli_reports_every_sheet(tmp_path: Path) -> None:
    book = _xlsx(
        tmp_path / "two_sheets.xlsx",
        {"城市管理": [HEADER, *ROWS_V1[:2]], "供水": [HEADER, ROWS_V1[2]]},
    )
    r = _run(str(book))
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert "3 leaves" in r.output and "2 sheets" in r.output  # type: ignore[attr-defined]


# ------------------------------------------------------------------ stable ids


def test_inserting_a_row_renumbers_nothing(tmp_path: Path) -> None:
    before = {lf.path: lf.id for lf in import_table(_csv(tmp_path / "v1.csv", ROWS_V1)).leaves}
    inserted = [["城市管理", "市容环境", "乱贴小广告", "城市管理", "7d", "小广告"], *ROWS_V1]
    after = {lf.path: lf.id for lf in import_table(_csv(tmp_path / "v2.csv", inserted)).leaves}
    assert all(after[p] == i for p, i in before.items())
    assert len(set(after.values())) == 4


def test_an_id_column_is_used_when_present(tmp_path: Path) -> None:
    rows = [["01.01.90", *ROWS_V1[0]], ["01.01.91", *ROWS_V1[1]], ["06.05.01", *ROWS_V1[2]]]
    cat = import_table(_csv(tmp_path / "ids.csv", rows, ["编码", *HEADER]))
    assert [lf.id for lf in cat.leaves] == ["01.01.90", "01.01.91", "06.05.01"]


@pytest.mark.parametrize(
    ("ids", "row", "pattern"),
    [
        (["01.01.90", "01.01.90", "06.05.01"], 3, "duplicate id 01.01.90"),
        (["01.01.90", "02.01.91", "06.05.01"], 3, "level-1 code"),
        (["01.01.90", "01.01", "06.05.01"], 3, "id must be"),
        (["01.01.90", "", "06.05.01"], 3, "empty id"),
    ],
)
def test_bad_ids_are_refused_with_the_row(
    tmp_path: Path, ids: list[str], row: int, pattern: str
) -> None:
    rows = [[i, *r] for i, r in zip(ids, ROWS_V1, strict=True)]
    with pytest.raises(CatalogueError, match=pattern) as info:
        import_table(_csv(tmp_path / "ids.csv", rows, ["id", *HEADER]))
    assert (info.value.line, info.value.column) == (row, "id")


def test_an_import_extends_the_bundled_catalogue(tmp_path: Path) -> None:
    bundled = load_catalogue()
    table = _csv(tmp_path / "city.csv", ROWS_V1)
    both = load_catalogue([BUNDLED, table])
    assert len(both) == len(bundled) + 3
    out = tmp_path / "yaml"
    r = _run(str(table), "--out", str(out))
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    assert len(load_catalogue([BUNDLED, out])) == len(bundled) + 3


def test_a_leaf_already_in_the_bundled_catalogue_is_a_clear_error(tmp_path: Path) -> None:
    table = _csv(
        tmp_path / "city.csv", [["供水与排水", "停水与水压", "突发停水", "水务", "24h", "停水"]]
    )
    with pytest.raises(CatalogueError, match="供水与排水 > 停水与水压 > 突发停水") as info:
        load_catalogue([BUNDLED, table])
    assert "city.csv:2" in str(info.value)


# ------------------------------------------------------------------ --out replaced cleanly


def test_reimporting_into_the_same_out_folder_replaces_the_earlier_import(
    tmp_path: Path,
) -> None:
    out = tmp_path / "city"
    assert _run(str(_csv(tmp_path / "v1.csv", ROWS_V1)), "--out", str(out)).exit_code == 0  # type: ignore[attr-defined]
    v2 = [ROWS_V1[0], ["供热", "供热温度", "暖气不热", "供热", "24h", "暖气不热"]]
    r = _run(str(_csv(tmp_path / "v2.csv", v2)), "--out", str(out))
    assert r.exit_code == 0, r.output  # type: ignore[attr-defined]
    cat = load_catalogue([out])
    assert sorted(lf.path[2] for lf in cat.leaves) == ["夜市占道", "暖气不热"]
    assert not any("供水" in f.name for f in out.iterdir())


def test_an_out_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.yaml").write_text("我的笔记\n", encoding="utf-8")
    r = _run(str(_csv(tmp_path / "v1.csv", ROWS_V1)), "--out", str(out))
    assert r.exit_code != 0
    assert "notes.yaml" in r.output  # type: ignore[attr-defined]
    assert sorted(f.name for f in out.iterdir()) == ["notes.yaml"]


def test_write_catalogue_yaml_replaces_its_own_earlier_output(tmp_path: Path) -> None:
    out = tmp_path / "yaml"
    write_catalogue_yaml(import_table(_csv(tmp_path / "v1.csv", ROWS_V1)), out)
    write_catalogue_yaml(import_table(_csv(tmp_path / "v2.csv", ROWS_V1[:1])), out)
    assert len(load_catalogue([out])) == 1
