"""tools/compare_tables.py lists every differing cell of two builds' tables."""

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from compare_tables import compare, main  # noqa: E402


def _write(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def test_every_changed_cell_and_row_is_listed(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    _write(a / "province_scores.csv", [["province", "themes", "rank"], ["X", "8", "1"], ["Y", "4", "2"]])
    _write(b / "province_scores.csv", [["province", "themes", "rank"], ["X", "7", "1"], ["Z", "2", "3"]])
    _write(a / "claims.csv", [["claim", "value", "where"], ["rows", "50", "README.md"]])
    _write(b / "claims.csv", [["claim", "value", "where"], ["rows", "52", "README.md"]])
    _write(b / "extra.csv", [["k", "v"], ["1", "2"]])
    rows = compare(a, b)
    got = [(r["table"], r["key"], r["column"], r["before"], r["after"]) for r in rows]
    assert got == [
        ("claims.csv", "rows|README.md", "value", "50", "52"),
        ("province_scores.csv", "X", "themes", "8", "7"),
        ("province_scores.csv", "Z", "themes", "", "2"),
        ("province_scores.csv", "Z", "rank", "", "3"),
        ("province_scores.csv", "Y", "themes", "4", ""),
        ("province_scores.csv", "Y", "rank", "2", ""),
    ]
    assert "extra.csv is in one build only" in capsys.readouterr().err
    out = tmp_path / "out.csv"
    assert main([str(a), str(b), str(out)]) == 0
    assert out.read_text(encoding="utf-8").splitlines()[0] == "table,key,column,before,after"
    assert main([str(a), str(tmp_path / "missing"), str(out)]) == 2


def test_the_shipped_headline_table_records_the_recoding():
    with (ROOT / "data" / "reliability" / "recoding_headlines.csv").open(encoding="utf-8") as fh:
        rows = {(r["table"], r["key"], r["column"]): (r["before"], r["after"]) for r in csv.DictReader(fh)}
    assert rows[("claims.csv", "rows|README.md", "value")] == ("50", "51")
    assert rows[("claims.csv", "statements|README.md", "value")] == ("39", "40")
    assert rows[("province_scores.csv", "CN-SH", "themes")] == ("8", "7")
    assert rows[("province_scores.csv", "CN-ZJ", "rank_entropy")] == ("2", "1")
