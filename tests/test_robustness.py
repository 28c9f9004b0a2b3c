"""Robustness variants, bootstrap rank intervals and leave-one-out ranks, checked by hand."""

import numpy as np
import pandas as pd
import pytest

from npstudy import load_practices
from npstudy.robustness import (headline, leave_one_out_ranks, rank_intervals, ranks,
                                robustness_table)
from npstudy.scoring import pillar_shares, province_scores


@pytest.fixture(scope="module")
def practices():
    return load_practices()


def test_code_level_shares_count_codes_of_each_pillar(practices):
    # Anhui: one code of the nine innovation codes
    assert pillar_shares(practices, level="code").loc["CN-AH", "innovation"] == pytest.approx(1 / 9)


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
    assert set(t["group"]) == {"baseline", "unit", "level", "scope", "level_scope", "weights", "codebook",
                               "provinces", "leave_out"}
    assert set(t.loc[t["group"] == "leave_out", "variant"]) == set(practices["province"])
    top3 = t[(t["quantity"] == "top3_share") & (t["variant"] == "rows")].iloc[0]
    assert float(top3["value"]) == pytest.approx(24 / 51, abs=1e-6)  # Shanghai, Zhejiang 9 each; then 6
    base = t[t["group"] == "baseline"]
    assert base["same"].all()
    national = t[(t["group"] == "scope") & (t["quantity"] == "breadth_leaders")].iloc[0]
    assert national["value"] == "CN-SH"
    assert np.isin(["rank", "rank_entropy", "clusters", "region_p_fixed_rows"], t["quantity"]).all()


def test_stratified_bootstrap_keeps_each_paragraph_its_statements():
    # one statement in each of two paragraphs: resampled within paragraphs, every sample keeps
    # both, so both provinces keep rank 1 in every sample (tied, never alone)
    p = pd.DataFrame({"statement": ["S1", "S2"], "province": ["CN-BJ", "CN-SH"], "paragraph": [3, 4],
                      "code": ["innovation.venture_capital.policy_fund",
                               "reform.talent.talent_services"]})
    r = rank_intervals(p, n_boot=499, seed=4)
    assert r["share_same"].tolist() == [1.0, 1.0]
    assert r["share_strict"].tolist() == [0.0, 0.0]
    # pooled, a sample drops one of the two statements with probability 1/2; the province that
    # keeps its statement is then first alone: P(strictly first) = 1/4 each
    pooled = rank_intervals(p, n_boot=4000, seed=4, strata=None)
    assert pooled["share_strict"].tolist() == pytest.approx([0.25, 0.25], abs=0.03)


def test_strict_share_counts_only_samples_without_a_tie():
    # BJ has two themes, SH one: BJ is first alone whenever its two statements are not both lost
    p = pd.DataFrame({"statement": ["S1", "S2", "S3"], "province": ["CN-BJ", "CN-BJ", "CN-SH"],
                      "code": ["innovation.venture_capital.policy_fund",
                               "reform.talent.talent_services", "reform.talent.talent_services"]})
    r = rank_intervals(p, n_boot=6000, seed=2, strata=None)
    # exact by enumeration of the 27 equally likely resamples of three statements
    import itertools
    alone = same = 0
    for draw in itertools.product(range(3), repeat=3):
        bj = len({d for d in draw if d in (0, 1)})
        sh = int(2 in draw)
        same += bj >= sh
        alone += bj > sh
    assert r.loc["CN-BJ", "share_same"] == pytest.approx(same / 27, abs=0.02)
    assert r.loc["CN-BJ", "share_strict"] == pytest.approx(alone / 27, abs=0.02)


def test_codebook_variants_on_the_article(practices):
    from npstudy.robustness import codebook_variant, is_direction_clause, statement_sizes, weighted_ranks
    single = codebook_variant(practices, "single_province_statements")
    assert (statement_sizes(single) == 1).all()
    assert len(single) == (statement_sizes(practices) == 1).sum()
    # the direction clauses are exactly the rows whose quote the lexical rule flags
    kept = codebook_variant(practices, "no_direction_clauses")
    assert set(practices["id"]) - set(kept["id"]) == set(practices.loc[practices["quote"].map(
        is_direction_clause), "id"])
    # 1/k weights: a row of a statement naming k provinces adds 1/k to its province's total
    r, total = weighted_ranks(practices)
    k = statement_sizes(practices)
    expected = (1 / k).groupby(practices["province"]).sum()
    assert total.to_dict() == pytest.approx(expected.to_dict())
    assert r.min() == 1


def test_codebook_group_reports_each_variant(practices):
    from npstudy.robustness import CODEBOOK_VARIANTS
    t = robustness_table(practices, n_samples=99, seed=1)
    cb = t[t["group"] == "codebook"]
    assert sorted(cb["variant"].unique()) == sorted(CODEBOOK_VARIANTS)
    # every variant ranks every named province
    ranked = cb[cb["quantity"] == "rank"].groupby("variant")["subject"].nunique()
    assert (ranked == practices["province"].nunique()).all()
