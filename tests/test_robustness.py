"""Robustness variants, bootstrap rank intervals and leave-one-out ranks, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from npstudy import load_practices
from npstudy.robustness import (headline, leave_one_out_ranks, level_shares, rank_intervals, ranks,
                                robustness_table)
from npstudy.scoring import pillar_shares, province_scores


@pytest.fixture(scope="module")
def practices():
    return load_practices()


def test_level_shares_match_pillar_shares_at_theme_level(practices):
    pd.testing.assert_frame_equal(level_shares(practices, "theme"), pillar_shares(practices),
                                  check_names=False)
    # Anhui: one code of the nine innovation codes
    assert level_shares(practices, "code").loc["CN-AH", "innovation"] == pytest.approx(1 / 9)


def test_equal_weight_ranks_are_breadth_ranks(practices):
    r = ranks(practices, "equal")
    themes = province_scores(practices)["themes"]
    assert r.tolist() == themes.rank(ascending=False, method="min").astype(int).tolist()


def test_bootstrap_of_one_statement_per_province_is_exact():
    # two provinces with one single-theme statement each: both rank 1 while present
    p = pd.DataFrame({"statement": ["S1", "S2"], "province": ["CN-BJ", "CN-SH"],
                      "code": ["innovation.venture_capital.policy_fund",
                               "reform.talent.talent_services"]})
    r = rank_intervals(p, n_boot=999, seed=4)
    assert r["rank"].tolist() == [1, 1]
    # a resample drops a statement with probability 1/4, so the rank is 2 a quarter of the time
    assert r["share_same"].tolist() == pytest.approx([0.75, 0.75], abs=0.05)
    assert r["rank_high"].tolist() == [2, 2]


def test_rank_intervals_on_the_article(practices):
    r = rank_intervals(practices, n_boot=999, seed=1)
    assert r.loc["CN-SH", "rank"] == 1 and r.loc["CN-ZJ", "rank"] == 2
    assert (r["rank_low"] <= r["rank"]).all() and (r["rank"] <= r["rank_high"]).all()
    assert r.loc["CN-SH", "rank_low"] == 1


def test_leave_one_out_reproduces_the_audit(practices):
    loo = leave_one_out_ranks(practices, "entropy")
    # Anhui has one practice; leaving Zhejiang out lifts it from 9th to 5th
    assert loo.loc["CN-AH", "rank"] == 9 and loo.loc["CN-AH", "without_CN-ZJ"] == 5
    # leaving Shanghai out reorders most of the others
    changed = (loo["without_CN-SH"].drop("CN-SH") != loo["rank"].drop("CN-SH")).sum()
    assert changed >= 6
    # equal weights do not depend on the other provinces: nothing moves
    assert leave_one_out_ranks(practices, "equal")["changed"].sum() == 0


def test_headline_of_the_article(practices):
    h = headline(practices, n_samples=199, seed=1)
    assert h["breadth_leaders"] == "CN-SH"
    assert h["top_pairs"] == "CN-BJ–CN-SD"
    assert h["pairs_fdr_05"] == 0
    assert h["clusters"].count("|") == 2


def test_robustness_table_has_every_variant(practices):
    t = robustness_table(practices, n_samples=99, seed=1)
    assert set(t["group"]) == {"baseline", "unit", "level", "scope", "level_scope", "weights",
                               "provinces", "leave_out"}
    assert set(t.loc[t["group"] == "leave_out", "variant"]) == set(practices["province"])
    top3 = t[(t["quantity"] == "top3_share") & (t["variant"] == "rows")].iloc[0]
    assert float(top3["value"]) == pytest.approx(24 / 51, abs=1e-6)  # Shanghai, Zhejiang 9 each; then 6
    base = t[t["group"] == "baseline"]
    assert base["same"].all()
    national = t[(t["group"] == "scope") & (t["quantity"] == "breadth_leaders")].iloc[0]
    assert national["value"] == "CN-SH"
    assert np.isin(["rank", "rank_entropy", "clusters", "region_p_fixed_rows"], t["quantity"]).all()
