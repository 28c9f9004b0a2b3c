"""docs/beyond-the-article.md states the numbers the build's external tables hold."""

import re
from pathlib import Path

import pytest

from npstudy import load_practices
from npstudy.build import N_RANDOMISATIONS, SEED
from npstudy.external import external_tables

DOC = Path(__file__).resolve().parents[1] / "docs" / "beyond-the-article.md"
ROW = re.compile(r"^\| (fisher|pooled_exact|pooled_breadth_fixed|spearman_breadth|"
                 r"profile_vs_article) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)


def _p(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


@pytest.fixture(scope="module")
def tests_table():
    return external_tables(load_practices(), n_perm=N_RANDOMISATIONS, seed=SEED)["external_tests"]


def test_the_results_table_matches_the_build(tests_table):
    rows = ROW.findall(DOC.read_text(encoding="utf-8"))
    assert len(rows) == len(tests_table) - (tests_table["p_value"].isna()).sum()
    for test, indicator, middle, p in rows:
        sub = tests_table[tests_table["test"] == test]
        if test == "fisher":
            r = sub[sub["indicator"] == indicator.strip()].iloc[0]
            assert middle.strip() == f"{r['named_hosts']} of {r['named_hosts'] + r['unnamed_hosts']}"
        elif test.startswith("pooled"):
            r = sub.iloc[0]
            assert middle.strip() == f"{r['named_hosts']} (null mean {r['expected']:.1f})"
        else:
            r = sub[sub["indicator"] == indicator.strip()].iloc[0]
            assert middle.strip() == f"n = {r['n']}, rho = {r['statistic']:.2f}"
        assert p.strip() == _p(r["p_value"]), (test, indicator)


def test_numbers_in_the_prose_are_in_the_table(tests_table):
    text = DOC.read_text(encoding="utf-8")
    fixed = tests_table[tests_table["test"] == "pooled_breadth_fixed"].iloc[0]
    assert f"p = {fixed['p_value']:.3f}" in text
    rd = tests_table[(tests_table["test"] == "spearman_breadth")
                     & (tests_table["indicator"] == "rd_expenditure")].iloc[0]
    p = "p < 0.001" if rd["p_value"] < 0.001 else f"p = {rd['p_value']:.3f}"
    assert f"rho = {rd['statistic']:.2f}, {p}" in text
