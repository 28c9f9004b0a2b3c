"""`npstudy validate` refuses reference-table and workspace values that later commands cannot use.

Each case modifies a fresh workspace (``npstudy init``), to which ``provinces.csv`` is copied
where the case needs it, and runs ``npstudy validate`` on it: the command exits 1 and names the
file, row, column and value of the bad cell.
"""

from __future__ import annotations

import csv
import shutil
from types import SimpleNamespace

import pytest
from conftest import read_rows, run_main, write_rows

from npstudy import data_dir


def validate_out(folder) -> tuple[int, str]:
    run = run_main("validate", folder)
    assert "Traceback" not in run.out + run.err
    return run.code, run.out + run.err


def set_province_cell(workspace, column: str, value: str, iso: str = "CN-BJ") -> int:
    """Copy the shipped provinces.csv into the workspace with one cell changed; its row."""
    shutil.copy(data_dir() / "provinces.csv", workspace / "provinces.csv")
    path = workspace / "provinces.csv"
    rows = read_rows(path)
    [i] = [i for i, row in enumerate(rows) if row["iso_code"] == iso]
    rows[i][column] = value
    write_rows(path, rows)
    return i + 2


# 1. tile positions: `build` sizes the tile map by the largest row and column ----------------

@pytest.mark.parametrize("column, value", [("tile_row", "3000"), ("tile_col", "99999999"),
                                           ("tile_row", "-1"), ("tile_col", "-3"),
                                           ("tile_col", "21"), ("tile_row", "")])
def test_a_tile_position_outside_the_grid_is_refused(workspace, column, value):
    row = set_province_cell(workspace, column, value)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"provinces.csv:{row}: {column}: {value!r} – " in out
    assert "from 0 to 20" in out


def test_a_tile_position_inside_the_grid_passes(workspace):
    set_province_cell(workspace, "tile_row", "20")
    set_province_cell(workspace, "tile_col", "0", iso="CN-SH")
    assert validate_out(workspace)[0] == 0


# 2. region and type: a region outside the schema drops a province from the region tables -----

@pytest.mark.parametrize("column, value, allowed", [
    ("region", "mars", "east, central, west, northeast"),
    ("region", "East", "east, central, west, northeast"),
    ("type", "planet", "province, municipality, autonomous_region, special_administrative_region"),
])
def test_a_region_or_type_outside_the_schema_is_refused(workspace, column, value, allowed):
    row = set_province_cell(workspace, column, value, iso="CN-ZJ")
    code, out = validate_out(workspace)
    assert code == 1
    assert f"provinces.csv:{row}: {column}: {value!r} – " in out
    assert allowed in out


def test_an_empty_region_stays_allowed(workspace):
    # Hong Kong, Macao and Taiwan have none in the shipped table
    set_province_cell(workspace, "region", "", iso="CN-HK")
    assert validate_out(workspace)[0] == 0


# 3. line breaks in practices cells: merge and import-qdpx refuse them -----------------------

@pytest.mark.parametrize("brk, column", [("\n", "summary_en"), ("\r", "note"), ("\r\n", "memo"),
                                         ("\u2028", "summary_en"), ("\u2029", "note"),
                                         ("\x85", "memo")])
def test_a_practices_cell_with_a_line_break_is_refused(workspace, brk, column):
    # "memo" is a column of the workspace's own, which merge also writes back
    path = workspace / "practices.csv"
    rows = read_rows(path)
    fields = list(rows[0]) + ["memo"]
    for row in rows:
        row["memo"] = ""
    value = f"first line{brk}second line"
    rows[2][column] = value
    with open(path, "w", encoding="utf-8", newline="") as f:  # quoted, as a spreadsheet writes it
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n", quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)
    code, out = validate_out(workspace)
    assert code == 1
    assert (f"practices.csv:4: {column}: {value!r} – holds a line break ({brk[0]!r}) – "
            "a cell must be one line of plain text; remove it") in out


def test_the_shipped_practices_hold_no_line_break(workspace):
    from npstudy.workspace import LINE_BREAKS

    rows = read_rows(data_dir() / "practices.csv")
    assert not any(LINE_BREAKS.search(v) for row in rows for v in row.values())
    assert validate_out(workspace)[0] == 0


# 4. the province recorded for a document: `npstudy code` reads it --------------------------

def set_document_province(workspace, value: str) -> int:
    path = workspace / "documents.csv"
    rows = read_rows(path)
    for row in rows:
        row["province"] = ""
    rows[0]["province"] = value
    write_rows(path, rows)
    return 2


@pytest.mark.parametrize("value", ["CN-XX", "NaN", "mars", "Zhejiangg"])
def test_a_recorded_province_that_code_refuses_is_refused(workspace, value):
    row = set_document_province(workspace, value)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"documents.csv:{row}: province: {value!r} – not a province name or ISO code" in out


@pytest.mark.parametrize("value, accepted", [("CN-XX", False), ("NaN", False), ("", True),
                                             ("CN-ZJ", True), ("Zhejiang", True), ("浙江省", True),
                                             ("浙江", True), (" CN-ZJ ", True), ("杭州", True)])
def test_validate_accepts_the_recorded_provinces_code_accepts(workspace, value, accepted):
    from npstudy.coder.province import document_province
    from npstudy.fileio import CodingError
    from npstudy.gazetteer import load_gazetteer

    coder = SimpleNamespace(gazetteer=load_gazetteer())  # what document_province consults
    code_accepts = True  # an empty cell records nothing: code reads the title or the text
    if value.strip():
        try:
            document_province("全省设立基金。", coder, recorded=value.strip())
        except CodingError:
            code_accepts = False
    set_document_province(workspace, value)
    assert code_accepts is accepted
    assert (validate_out(workspace)[0] == 0) is accepted
