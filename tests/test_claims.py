"""Every number the README's findings and notebooks 01-03 state comes from claims.csv."""

import re
from pathlib import Path

import pandas as pd
import pytest

from npstudy.build import compute_tables
from npstudy.claims import CLAIM_SOURCES, check_text, prose_blocks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tables():
    return compute_tables().tables


@pytest.fixture(scope="module")
def claims(tables):
    return tables["claims"]


def test_committed_claims_table_is_current(claims):
    committed = pd.read_csv(ROOT / "figures" / "tables" / "claims.csv", index_col=0, dtype=str,
                            keep_default_na=False)
    pd.testing.assert_frame_equal(committed, claims.astype(str), check_names=False)


@pytest.mark.parametrize("source", CLAIM_SOURCES)
def test_every_stated_number_matches_a_claim(claims, source):
    assert check_text(prose_blocks(ROOT / source), claims, source) == []


def test_a_changed_readme_number_fails(claims):
    text = prose_blocks(ROOT / "docs" / "findings.md")
    assert check_text(text, claims, "docs/findings.md") == []
    # change one stated number, as a hand edit would: 13 provinces becomes 14
    mutated = text.replace("names 13 provinces", "names 14 provinces", 1)
    assert mutated != text
    problems = check_text(mutated, claims, "docs/findings.md")
    assert any("claim 'provinces'" in p for p in problems)
    assert any("number '14'" in p for p in problems)
    # and every other claimed number, one at a time
    for claim, row in claims[claims["where"] == "docs/findings.md"].iterrows():
        phrase = row["phrase"]
        bumped = re.sub(r"\d", lambda m: str((int(m.group(0)) + 1) % 10), phrase, count=1)
        flat = re.sub(r"\s+", " ", text)
        assert phrase in flat, claim
        assert check_text(flat.replace(phrase, bumped), claims, "docs/findings.md"), claim


def test_a_number_without_a_claim_fails(claims):
    text = prose_blocks(ROOT / "docs" / "findings.md") + "\nAbout 17 provinces are similar."
    [problem] = check_text(text, claims, "docs/findings.md")
    assert "number '17'" in problem


def test_committed_findings_table_is_current(tables):
    committed = pd.read_csv(ROOT / "figures" / "tables" / "findings.csv", index_col=0, dtype=str,
                            keep_default_na=False)
    pd.testing.assert_frame_equal(committed, tables["findings"].astype(str), check_names=False)


def test_every_finding_holds_and_is_stated(tables):
    from npstudy.claims import check_findings
    texts = {s: prose_blocks(ROOT / s) for s in CLAIM_SOURCES}
    assert check_findings(tables["findings"], texts) == []


@pytest.mark.parametrize("finding, change", [
    ("breadth_main", lambda r: r.assign(value=r["value"].where(
        ~((r["quantity"] == "breadth_leaders") & (r["group"] == "scope")), "CN-ZJ"))),
    ("breadth_codebook", lambda r: r.assign(value=r["value"].where(
        ~((r["quantity"] == "breadth_leaders") & (r["group"] == "level")), "CN-SH"))),
    ("region_national", lambda r: r.assign(value=r["value"].where(
        ~((r["quantity"] == "region_p_labels") & (r["variant"] == "provincial_only")), "0.010000"))),
    ("top_pair_national", lambda r: r.assign(value=r["value"].where(
        ~((r["quantity"] == "pair_jaccard") & (r["variant"] == "provincial_only")), r["baseline"]))),
    ("clusters_unstable", lambda r: r.assign(same=r["same"] | (r["quantity"] == "clusters"))),
])
def test_a_finding_fails_when_a_supporting_row_stops_supporting_it(tables, finding, change):
    from npstudy.claims import findings_table
    assert findings_table(tables).loc[finding, "holds"]
    changed = dict(tables, robustness=change(tables["robustness"]))
    assert not findings_table(changed).loc[finding, "holds"]


def test_region_finding_fails_when_the_tests_agree(tables):
    from npstudy.claims import findings_table
    rt = tables["region_test"].copy()
    rt.loc["breadth_fixed", "p_value"] = 0.01
    assert not findings_table(dict(tables, region_test=rt)).loc["region_undetermined", "holds"]
