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


def set_cell(workspace, table: str, key: str, key_value: str, column: str, value: str) -> int:
    """Copy the shipped ``table`` into the workspace with one cell changed (in the row whose
    ``key`` is ``key_value``); return that row's line number."""
    path = workspace / table
    shutil.copy(data_dir() / table, path)
    rows = read_rows(path)
    [i] = [i for i, row in enumerate(rows) if row[key] == key_value]
    rows[i][column] = value
    write_rows(path, rows)
    return i + 2


def set_province_cell(workspace, column: str, value: str, iso: str = "CN-BJ") -> int:
    return set_cell(workspace, "provinces.csv", "iso_code", iso, column, value)


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


# 5. documents.csv cells: add-document writes the register back, one line per cell ------------

def set_document_cell(workspace, column: str, value: str) -> int:
    """Change one cell of the workspace's documents.csv (the first document); its row."""
    path = workspace / "documents.csv"
    rows = read_rows(path)
    rows[0][column] = value
    write_rows(path, rows)  # a cell holding a line break is quoted, as a spreadsheet writes it
    return 2


@pytest.mark.parametrize("column, value", [("title", "A\nB"), ("description", "A\r\nB"),
                                           ("outlet", "A\u2028B")])
def test_a_document_cell_with_a_line_break_is_refused(workspace, column, value):
    row = set_document_cell(workspace, column, value)
    code, out = validate_out(workspace)
    assert code == 1
    assert (f"documents.csv:{row}: {column}: {value!r} – holds a line break ({value[1]!r}) – "
            "a cell must be one line of plain text; remove it") in out


# 6. documents.csv dates: add-document --date refuses what is not a calendar date -------------

@pytest.mark.parametrize("value", ["２０２４", "2024-13-45", "2024-02-30", "0000", "2024/05",
                                   " 2024"])
def test_a_document_date_that_add_document_refuses_is_refused(workspace, value):
    from npstudy.fileio import CodingError
    from npstudy.workspace import check_date

    with pytest.raises(CodingError):
        check_date(value)  # add-document's own rule
    row = set_document_cell(workspace, "date", value)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"documents.csv:{row}: date: {value!r} – not a calendar date – write YYYY" in out


@pytest.mark.parametrize("value", ["", "2024", "2024-05", "2024-02-29"])
def test_a_calendar_date_passes(workspace, value):
    set_document_cell(workspace, "date", value)
    assert validate_out(workspace)[0] == 0


# 7. source_layout.csv: a workspace has one, and add-document appends to it ------------------

def test_a_workspace_without_its_layout_table_is_refused(workspace):
    path = workspace / "source_layout.csv"
    path.unlink()
    code, out = validate_out(workspace)
    assert code == 1
    assert f"{path}:0: (file): {str(path)!r} – file not found" in out


def test_a_folder_of_practices_alone_needs_no_layout_table(dataset_copy):
    # no documents.csv of its own: every reference table comes from the shipped data
    assert validate_out(dataset_copy)[0] == 0


# 8. the schema's unique, pattern and listed-values constraints of provinces.csv and cities.csv

def set_city_cell(workspace, column: str, value: str, gb_code: str = "330100") -> int:
    return set_cell(workspace, "cities.csv", "gb_code", gb_code, column, value)


@pytest.mark.parametrize("table, column, value, message", [
    ("provinces.csv", "name_zh", "北京市", "is already on row 2"),
    ("provinces.csv", "short_zh", "北京", "is already on row 2"),
    ("provinces.csv", "name_en", "Beijing", "is already on row 2"),
    ("provinces.csv", "gb_code", "33000", "does not match the schema's pattern [0-9]{6}"),
    ("provinces.csv", "iso_code", "CN-Z1", "does not match the schema's pattern CN-[A-Z]{2}"),
    ("cities.csv", "gb_code", "33010", "does not match the schema's pattern [0-9]{6}"),
    ("cities.csv", "gb_code", "３３０１００", "does not match the schema's pattern [0-9]{6}"),
    ("cities.csv", "province", "CN-XX", "is not a province of"),
    ("cities.csv", "kind", "town", "is not a kind of the schema"),
])
def test_a_schema_constraint_of_a_reference_table_is_enforced(workspace, table, column, value,
                                                              message):
    if table == "provinces.csv":
        row = set_province_cell(workspace, column, value, iso="CN-ZJ")
    else:
        row = set_city_cell(workspace, column, value)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"{table}:{row}: {column}: {value!r} – {message}" in out


def schema_cases():
    """One broken cell for every unique, pattern and listed-values constraint of the schema of
    provinces.csv and cities.csv: the list comes from npstudy.schema, not from this test."""
    from npstudy import schema

    for table in ("provinces.csv", "cities.csv"):
        for field in schema.table(table).fields:
            if field.unique:
                yield table, field.name, "unique"
            if field.pattern is not None:
                yield table, field.name, "pattern"
            if field.enum is not None:
                yield table, field.name, "enum"


@pytest.mark.parametrize("table, column, constraint", list(schema_cases()))
def test_every_schema_constraint_of_a_reference_table_is_enforced(workspace, table, column,
                                                                  constraint):
    shutil.copy(data_dir() / table, workspace / table)
    path = workspace / table
    rows = read_rows(path)
    value = rows[0][column] if constraint == "unique" else "x-1"
    rows[1][column] = value
    write_rows(path, rows)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"{table}:3: {column}: {value!r} – " in out


def test_a_city_of_a_province_the_workspace_lacks_is_refused(workspace):
    # the workspace's provinces.csv has no Zhejiang: the shipped cities of Zhejiang have no home
    shutil.copy(data_dir() / "provinces.csv", workspace / "provinces.csv")
    rows = read_rows(workspace / "provinces.csv")
    write_rows(workspace / "provinces.csv", [r for r in rows if r["iso_code"] != "CN-ZJ"])
    row = next(i + 2 for i, r in enumerate(read_rows(data_dir() / "cities.csv"))
               if r["province"] == "CN-ZJ")
    code, out = validate_out(workspace)
    assert code == 1
    assert f"cities.csv:{row}: province: 'CN-ZJ' – is not a province of " in out


# 9. region: empty only for Hong Kong, Macao and Taiwan ----------------------------------------

@pytest.mark.parametrize("iso", ["CN-ZJ", "CN-BJ", "CN-XZ"])
def test_an_empty_region_of_a_mainland_province_is_refused(workspace, iso):
    row = set_province_cell(workspace, "region", "", iso=iso)
    code, out = validate_out(workspace)
    assert code == 1
    assert f"provinces.csv:{row}: region: '' – " in out
    assert "Hong Kong, Macao and Taiwan" in out


@pytest.mark.parametrize("iso", ["CN-HK", "CN-MO", "CN-TW"])
def test_hong_kong_macao_and_taiwan_have_no_region(workspace, iso):
    assert read_rows(data_dir() / "provinces.csv")[0]["region"]  # the shipped mainland has one
    set_province_cell(workspace, "region", "", iso=iso)
    assert validate_out(workspace)[0] == 0
