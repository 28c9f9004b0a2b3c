"""`npstudy validate` on the shipped data and on broken copies of it."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from conftest import read_rows, run_main, write_rows

from npstudy import validate
from npstudy.cli import main


def run_cli(*args) -> tuple[int, str]:
    run = run_main("validate", *args)
    return run.code, run.out + run.err


def break_row(folder, row_id, **changes):
    path = folder / "practices.csv"
    rows = read_rows(path)
    for row in rows:
        if row["id"] == row_id:
            row.update({k: str(v) for k, v in changes.items()})
    write_rows(path, rows)
    return path


def test_shipped_data_is_clean():
    assert validate() == []
    proc = subprocess.run([sys.executable, "-m", "npstudy", "validate"], capture_output=True,
                          text=True, encoding="utf-8")
    assert proc.returncode == 0 and "OK" in proc.stdout


def test_clean_copy_passes(dataset_copy):
    assert validate(dataset_copy) == []
    assert main(["validate", str(dataset_copy)]) == 0


def test_unknown_province(dataset_copy):
    break_row(dataset_copy, "P002", province="CN-XX")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert "practices.csv:3: province: 'CN-XX' – not an ISO 3166-2:CN province code" in out


def test_province_given_as_name_with_space(dataset_copy):
    break_row(dataset_copy, "P010", province="江苏省 ")
    [problem] = validate(dataset_copy)
    assert problem.row == 9 and problem.column == "province"
    assert problem.suggestion == "remove the surrounding spaces; use 'CN-JS' (江苏)"


def test_misspelled_code(dataset_copy):
    break_row(dataset_copy, "P032", code="green.carbon_accounting.footprint_standrd")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert ("code: 'green.carbon_accounting.footprint_standrd' – not a code of the codebook – "
            "did you mean 'green.carbon_accounting.footprint_standard'?") in out


def test_quote_not_in_source(dataset_copy):
    break_row(dataset_copy, "P004", quote="浙江提出设立人工智能基金")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert "quote: '浙江提出设立人工智能基金' – quote does not occur verbatim in the source" in out


def test_quote_with_full_width_comma_is_explained(dataset_copy):
    rows = read_rows(dataset_copy / "practices.csv")
    quote = rows[0]["quote"].replace(",", "\uff0c", 1)  # the source has a half-width comma
    break_row(dataset_copy, "P001", quote=quote)
    [problem] = validate(dataset_copy)
    assert "differs only in half-/full-width punctuation" in problem.suggestion
    assert f"at start={rows[0]['start']}" in problem.suggestion


def test_offsets_off_by_one(dataset_copy):
    rows = {r["id"]: r for r in read_rows(dataset_copy / "practices.csv")}
    start, end = int(rows["P007"]["start"]), int(rows["P007"]["end"])
    break_row(dataset_copy, "P007", start=start + 1, end=end + 1)
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert (f"practices.csv:6: start: '{start + 1}' – offsets {start + 1}–{end + 1} do not point "
            f"at the quote – the quote occurs at start={start}, end={end}") in out


def test_duplicate_id(dataset_copy):
    break_row(dataset_copy, "P007", id="P001")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert "practices.csv:6: id: 'P001' – duplicate id (also on row 2)" in out


@pytest.mark.parametrize("table, key, row, first", [("provinces.csv", "iso_code", 36, 2),
                                                     ("cities.csv", "gb_code", 335, 5)])
def test_a_repeated_reference_row_is_named(dataset_copy, table, key, row, first):
    # a second Beijing would count the east as 11 provinces and give two QDA codes one GUID
    from npstudy.dataset import data_dir

    path = dataset_copy / table
    lines = (data_dir() / table).read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == row - 1           # header + rows: the copy becomes row `row`
    path.write_text("".join(lines + [lines[first - 1]]), encoding="utf-8")
    value = lines[first - 1].split(",")[0]
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert f"{table}:{row}: {key}: '{value}' – is already on row {first}" in out
    assert "list each" in out


def test_theme_not_under_pillar(dataset_copy):
    break_row(dataset_copy, "P004", pillar="green")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert ("theme: 'innovation.venture_capital' – theme is not under pillar 'green' – "
            "set pillar to 'innovation'") in out


def test_code_not_under_theme(dataset_copy):
    break_row(dataset_copy, "P004", code="innovation.tech_transfer.proof_of_concept")
    [problem] = validate(dataset_copy)
    assert problem.message == "code is not under theme 'innovation.venture_capital'"


def test_gbk_encoded_file(dataset_copy):
    path = dataset_copy / "practices.csv"
    write_rows(path, read_rows(path), encoding="gbk")
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert "practices.csv:2: (file): 'practices.csv' – file is not valid UTF-8" in out
    assert "GBK/GB18030" in out and "iconv -f GB18030 -t UTF-8" in out


def test_utf8_with_bom_is_accepted(dataset_copy):
    path = dataset_copy / "practices.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert validate(dataset_copy) == []


def test_missing_column(dataset_copy):
    path = dataset_copy / "practices.csv"
    rows = read_rows(path)
    fields = [f if f != "province" else "provnce" for f in rows[0]]
    for r in rows:
        r["provnce"] = r.pop("province")
    write_rows(path, rows, fieldnames=fields)
    code, out = run_cli(dataset_copy)
    assert code == 1
    assert ("practices.csv:1: province: '' – required column is missing – "
            "rename column 'provnce' to 'province'") in out


def test_caption_line_is_rejected(dataset_copy):
    break_row(dataset_copy, "P009", quote="攀钢矿业朱兰铁矿", start=1065, end=1073, paragraph=6)
    problems = validate(dataset_copy)
    assert [p.message for p in problems] == [
        "line 6 is a caption, and rule R5 codes practices only in paragraphs"]


def test_first_mover_flag_must_match_text(dataset_copy):
    break_row(dataset_copy, "P001", first_mover="false")
    break_row(dataset_copy, "P002", first_mover="true")
    messages = [p.message for p in validate(dataset_copy)]
    assert messages == ["the quote says 首设/率先/首个 but the flag is false",
                        "flag set but the quote has no first-mover word"]


def test_city_in_wrong_province(dataset_copy):
    break_row(dataset_copy, "P008", city="深圳")
    [problem] = validate(dataset_copy)
    assert (problem.column, problem.message) == ("city", "city is in CN-GD, not in CN-ZJ")


def test_every_problem_is_reported_at_once(dataset_copy):
    break_row(dataset_copy, "P002", province="CN-XX")
    break_row(dataset_copy, "P003", code="nope")
    agg = dataset_copy / "aggregates.csv"
    rows = read_rows(agg)
    rows[0]["quantifier"] = "全部省份"
    write_rows(agg, rows)
    problems = validate(dataset_copy)
    assert [(p.file.split("/")[-1], p.row, p.column) for p in problems] == [
        ("practices.csv", 3, "province"), ("practices.csv", 4, "code"),
        ("aggregates.csv", 2, "quantifier")]


def test_validate_never_modifies_files(dataset_copy):
    break_row(dataset_copy, "P002", province="CN-XX")
    before = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dataset_copy.iterdir()}
    run_cli(dataset_copy)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in dataset_copy.iterdir()}
    assert before == after


def test_single_file_and_missing_path(dataset_copy, tmp_path):
    assert validate(dataset_copy / "practices.csv") == []
    code, out = run_cli(tmp_path / "nothing-here")
    assert code == 1 and "file not found" in out


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["validate", "--help"]])
def test_cli_help_and_version(argv, capsys):
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "npstudy" in out


def test_the_version_names_the_coder(capsys):
    # the fingerprint that evaluate --record writes beside each score, so that a user's
    # suggestions can be matched to a measured coder
    from npstudy import __version__
    from npstudy.coder import Coder
    from npstudy.coder.corpus import coder_fingerprint

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == (f"npstudy {__version__} (coder "
                                       f"{coder_fingerprint(Coder())[:12]})\n")
