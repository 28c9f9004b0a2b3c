"""Every number the README's findings and notebooks 01-03 state comes from claims.csv."""

import re
from pathlib import Path

import pandas as pd
import pytest

from npstudy.build import compute_tables
from npstudy.claims import CLAIM_SOURCES, check_text, prose_blocks

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def claims():
    return compute_tables().tables["claims"]


def test_committed_claims_table_is_current(claims):
    committed = pd.read_csv(ROOT / "figures" / "tables" / "claims.csv", index_col=0, dtype=str,
                            keep_default_na=False)
    pd.testing.assert_frame_equal(committed, claims.astype(str), check_names=False)


@pytest.mark.parametrize("source", CLAIM_SOURCES)
def test_every_stated_number_matches_a_claim(claims, source):
    assert check_text(prose_blocks(ROOT / source), claims, source) == []


def test_a_changed_readme_number_fails(claims):
    text = prose_blocks(ROOT / "README.md")
    assert check_text(text, claims, "README.md") == []
    # change one stated number, as a hand edit would: 13 provinces becomes 14
    mutated = text.replace("names 13 provinces", "names 14 provinces", 1)
    assert mutated != text
    problems = check_text(mutated, claims, "README.md")
    assert any("claim 'provinces'" in p for p in problems)
    assert any("number '14'" in p for p in problems)
    # and every other claimed number, one at a time
    for claim, row in claims[claims["where"] == "README.md"].iterrows():
        phrase = row["phrase"]
        bumped = re.sub(r"\d", lambda m: str((int(m.group(0)) + 1) % 10), phrase, count=1)
        flat = re.sub(r"\s+", " ", text)
        assert phrase in flat, claim
        assert check_text(flat.replace(phrase, bumped), claims, "README.md"), claim


def test_a_number_without_a_claim_fails(claims):
    text = prose_blocks(ROOT / "README.md") + "\nAbout 17 provinces are similar."
    [problem] = check_text(text, claims, "README.md")
    assert "number '17'" in problem
