"""Null models: values worked out by hand, and what the pair test can detect on the article."""

import numpy as np
import pandas as pd
import pytest

from npstudy import load_practices
from npstudy.nullmodels import (_test_size, max_attainable, null_model_test, pairs_to_matrix,
                                region_test, region_test_fixed_rows, statement_null_test)
from npstudy.scoring import coverage_matrix
from npstudy.similarity import similarity_matrix


def test_max_attainable_by_hand():
    best = max_attainable([2, 4, 0])
    assert best[0, 1] == pytest.approx(0.5)           # 2 of 4 nested: 2 / 4
    assert np.isnan(best[0, 2])                       # an empty row has no similarity
    assert max_attainable([2, 4], "dice")[0, 1] == pytest.approx(2 * 2 / 6)
    assert max_attainable([2, 4], "overlap")[0, 1] == 1.0


def test_test_size_by_hand():
    # 3 of 100 null draws are 1, the rest 0: p(1) = (1 + 3) / 101 < 0.05, p(0) = 1
    null = np.array([[1.0] * 3 + [0.0] * 97]).T
    assert _test_size(null, 0.05, 100)[0] == pytest.approx(0.03)
    # 6 of 100: p(1) = 7 / 101 > 0.05, so the test can never reject at 0.05
    null = np.array([[1.0] * 6 + [0.0] * 94]).T
    assert _test_size(null, 0.05, 100)[0] == 0.0


@pytest.fixture(scope="module")
def article_null():
    presence = coverage_matrix(load_practices(), "theme", "presence")
    return null_model_test(presence, n_samples=4999, seed=20240305)


def test_pair_test_power_on_the_article(article_null):
    r = article_null
    assert len(r) == 78
    # Beijing and Shandong: 3 and 4 themes, 3 shared, Jaccard 3/4 = its maximum
    bj_sd = r[(r["a"] == "CN-BJ") & (r["b"] == "CN-SD")].iloc[0]
    assert bj_sd["observed"] == bj_sd["max_attainable"] == 0.75
    assert bj_sd["p_value"] == bj_sd["p_min"]
    assert r["p_min"].min() > 0.001                   # no pair can get far below 0.05
    assert (r["p_min"] < 0.05).sum() == 19
    assert (r["p_fdr"] >= 0.05).all()
    # the discrete test is conservative: far fewer than 0.05 × 78 = 3.9 false positives
    assert 0.2 < r["size_05"].sum() < 0.8
    assert (r["p_value"] >= r["p_min"] - 1e-12).all()


def test_region_test_fixed_rows_by_hand():
    m = pd.DataFrame([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], index=list("abcd"))
    regions = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    r = region_test_fixed_rows(m, regions, n_samples=1999, seed=2).iloc[0]
    assert r["statistic"] == 1.0                      # within 1, between 0
    # all rows have 2 of 4 columns: every pair is exchangeable, so the null mean is 0
    assert abs(r["null_mean"]) < 0.02
    # reaching 1 needs b to copy a (1/6) and c, d to hold the complement (1/6 each): 1/216
    assert r["p_value"] == pytest.approx((1 + 1999 / 216) / 2000, abs=0.004)


def test_region_effect_on_the_article_is_breadth():
    mainland = coverage_matrix(load_practices(), "theme", "presence", provinces="mainland")
    labels = region_test(similarity_matrix(mainland), n_perm=1999, seed=1).iloc[0]
    fixed = region_test_fixed_rows(mainland, n_samples=1999, seed=1).iloc[0]
    assert labels["statistic"] == pytest.approx(fixed["statistic"])
    assert labels["p_value"] < 0.05 < fixed["p_value"]


def test_statement_null_by_hand():
    # two one-province statements on different themes; provinces A and B
    p = pd.DataFrame({"statement": ["S1", "S2"], "province": ["CN-BJ", "CN-SH"],
                      "code": ["innovation.venture_capital.policy_fund",
                               "reform.talent.talent_services"]})
    pairs, _ = statement_null_test(p, n_samples=3999, seed=3)
    row = pairs.iloc[0]
    # a draw gives both statements to one province (prob 1/2: no similarity) or splits them
    # (prob 1/2: Jaccard 0 >= observed 0), so p = (1 + ~2000) / 4000
    assert row["observed"] == 0.0
    assert row["p_value"] == pytest.approx(0.5, abs=0.03)


def test_statement_null_keeps_how_many_provinces_each_statement_names():
    from npstudy.nullmodels import _statement_draws

    p = load_practices()
    from npstudy import load_codebook, load_provinces

    cb = load_codebook()
    cats = cb.ids("code")
    order = load_provinces()["iso_code"].tolist()
    units = [c for c in order if c in set(p["province"])]
    draws = _statement_draws(p, "code", 50, np.random.default_rng(0), cb, units)
    x = next(draws)
    per_code = x.sum(axis=1)                          # provinces per code in each draw
    stm = p.groupby("statement").agg(code=("code", "first"), k=("province", "size"))
    k_of_code = stm.groupby("code")["k"].agg(["sum", "size"])
    single = k_of_code[k_of_code["size"] == 1]
    cols = [cats.index(c) for c in single.index]
    # a code named by one statement is held by exactly as many provinces as it names
    assert (per_code[:, cols] == single["sum"].to_numpy()[None, :]).all()
    total = k_of_code["sum"].reindex(cats).fillna(0).to_numpy()
    assert (per_code <= total[None, :]).all()


def test_pairs_to_matrix_is_symmetric(article_null):
    m = pairs_to_matrix(article_null, "ses")
    assert m.shape == (13, 13)
    assert np.allclose(m.to_numpy(), m.to_numpy().T, equal_nan=True)


# --------------------------------------------------------------- statement null by hand
#
# Three provinces, two statements: S1 names Beijing and Shanghai under theme T1
# (innovation.venture_capital), S2 names Zhejiang under theme T2 (reform.talent).
# Observed: BJ = SH = {T1}, ZJ = {T2}, so J(BJ, SH) = 1 and J(BJ, ZJ) = J(SH, ZJ) = 0.
# Under the null S1 names 2 of the 3 provinces (3 ways) and S2 one (3 ways): 9 outcomes.
#
#   S1       S2   BJ      SH      ZJ      J(BJ,SH) J(BJ,ZJ) J(SH,ZJ)  region stat (BJ,SH | ZJ)
#   BJ,SH    ZJ   T1      T1      T2      1        0        0          1 - 0       =  1
#   BJ,SH    BJ   T1,T2   T1      -       1/2      -        -          -
#   BJ,SH    SH   T1      T1,T2   -       1/2      -        -          -
#   BJ,ZJ    SH   T1      T2      T1      0        1        0          0 - 1/2     = -1/2
#   BJ,ZJ    BJ   T1,T2   -       T1      -        1/2      -          -
#   BJ,ZJ    ZJ   T1      -       T1,T2   -        1/2      -          -
#   SH,ZJ    BJ   T2      T1      T1      0        0        1          0 - 1/2     = -1/2
#   SH,ZJ    SH   -       T1,T2   T1      -        -        1/2        -
#   SH,ZJ    ZJ   -       T1      T1,T2   -        -        1/2        -
#
# ("-": a province with no statement, similarity undefined.) Each pair is defined in 5
# outcomes with values {1, 1/2, 1/2, 0, 0}: mean 2/5, E[J²] = 3/10, SD = sqrt(0.14).
# p("greater") tends to P(defined and J ≥ observed): 1/9 for (BJ, SH), 5/9 for the others.
# The region statistic is defined in 3 equally likely outcomes, {1, -1/2, -1/2}: mean 0,
# E[x²] = 1/2, SD sqrt(1/2), p → 1/9.

HAND = pd.DataFrame({"statement": ["S1", "S1", "S2"], "province": ["CN-BJ", "CN-SH", "CN-ZJ"],
                     "code": ["innovation.venture_capital.policy_fund"] * 2
                     + ["reform.talent.talent_services"]})
HAND_REGIONS = pd.Series({"CN-BJ": "x", "CN-SH": "x", "CN-ZJ": "y"})


def test_statement_null_mean_sd_and_p_match_the_enumeration():
    n = 40000
    pairs, region = statement_null_test(HAND, n_samples=n, seed=5, regions=HAND_REGIONS)
    pairs = pairs.set_index(["a", "b"])
    assert pairs.index.tolist() == [("CN-BJ", "CN-SH"), ("CN-BJ", "CN-ZJ"), ("CN-SH", "CN-ZJ")]
    assert pairs["observed"].tolist() == [1.0, 0.0, 0.0]
    # Monte Carlo error: SE of the mean ≈ 0.37 / sqrt(22000) ≈ 0.0025, of p ≈ 0.0025
    assert pairs["null_mean"].to_numpy() == pytest.approx([0.4] * 3, abs=0.012)
    assert pairs["null_sd"].to_numpy() == pytest.approx([np.sqrt(0.14)] * 3, abs=0.012)
    assert pairs["p_value"].to_numpy() == pytest.approx([1 / 9, 5 / 9, 5 / 9], abs=0.012)
    assert pairs.loc[("CN-BJ", "CN-SH"), "ses"] == pytest.approx(0.6 / np.sqrt(0.14), abs=0.06)
    r = region.iloc[0]
    assert r["statistic"] == 1.0 and r["units"] == 3 and r["n_samples"] == n
    assert r["null_mean"] == pytest.approx(0.0, abs=0.03)   # SE ≈ 0.87 / sqrt(13300)
    assert r["null_sd"] == pytest.approx(np.sqrt(0.5), abs=0.03)
    assert r["p_value"] == pytest.approx(1 / 9, abs=0.012)
    assert r["ses"] == pytest.approx(1 / np.sqrt(0.5), abs=0.08)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else np.nan


def test_statement_null_estimates_are_computed_exactly_from_its_draws():
    """Redo the draws with the same seed and compute every statistic by plain Python."""
    from npstudy import load_codebook
    from npstudy.nullmodels import _statement_draws

    n = 300
    pairs, region = statement_null_test(HAND, n_samples=n, seed=11, regions=HAND_REGIONS)
    units = ["CN-BJ", "CN-SH", "CN-ZJ"]
    x = np.concatenate(list(_statement_draws(HAND, "theme", n, np.random.default_rng(11),
                                             load_codebook(), units)))
    assert x.shape[:2] == (n, 3)
    assert (x.sum(axis=(1, 2)) == 3).all()        # two + one provinces named in every draw
    sets = [[set(np.flatnonzero(d[u])) for u in range(3)] for d in x]
    observed = {(0, 1): 1.0, (0, 2): 0.0, (1, 2): 0.0}
    for k, ((a, b), obs) in enumerate(observed.items()):
        values = np.array([_jaccard(s[a], s[b]) for s in sets])
        defined = values[~np.isnan(values)]
        row = pairs.iloc[k]
        assert row["null_mean"] == pytest.approx(defined.mean(), abs=1e-12)
        assert row["null_sd"] == pytest.approx(defined.std(ddof=1), abs=1e-12)
        assert row["p_value"] == pytest.approx((1 + (defined >= obs).sum()) / (1 + n), abs=1e-12)
        assert row["ses"] == pytest.approx((obs - defined.mean()) / defined.std(ddof=1), abs=1e-9)
        assert row["p_fdr"] >= row["p_value"]
    stats = []
    for s in sets:
        between = [v for v in (_jaccard(s[0], s[2]), _jaccard(s[1], s[2])) if not np.isnan(v)]
        within = _jaccard(s[0], s[1])
        stats.append(within - np.mean(between) if between and not np.isnan(within) else np.nan)
    stats = np.array(stats)
    stats = stats[~np.isnan(stats)]
    r = region.iloc[0]
    assert r["null_mean"] == pytest.approx(stats.mean(), abs=1e-12)
    assert r["null_sd"] == pytest.approx(stats.std(ddof=1), abs=1e-12)
    assert r["p_value"] == pytest.approx((1 + (stats >= 1.0 - 1e-12).sum()) / (1 + n), abs=1e-12)
    assert r["ses"] == pytest.approx((1.0 - stats.mean()) / stats.std(ddof=1), abs=1e-9)


def test_curveball_defaults_are_the_documented_ones(capsys):
    from npstudy.nullmodels import curveball, curveball_samples

    # 30 rows, 12 columns: the defaults depend on rows (burn-in 300, thinning 15), not columns
    rng = np.random.default_rng(4)
    x = (rng.random((30, 12)) < 0.4).astype(int)
    default = np.concatenate(list(curveball_samples(x, 40)))
    explicit = np.concatenate(list(curveball_samples(x, 40, burnin=300, thin=15, seed=0,
                                                     chains=32)))
    assert (default == explicit).all()
    assert not (default == np.concatenate(list(curveball_samples(x, 40, seed=1)))).all()
    assert not (default == np.concatenate(list(curveball_samples(x, 40, chains=33)))).all()
    small = x[:4]                                     # 4 rows: burn-in 100, thinning 5
    assert (np.concatenate(list(curveball_samples(small, 20)))
            == np.concatenate(list(curveball_samples(small, 20, burnin=100, thin=5)))).all()
    assert capsys.readouterr().err == ""              # no progress bar unless asked for
    batches = [len(b) for b in curveball_samples(x, 70, chains=32)]
    assert batches == [32, 32, 6]
    one = curveball(x)
    assert (one == curveball(x, n_trades=300, seed=0)).all()
    assert one.dtype == np.int64
    assert (one.sum(axis=0) == x.sum(axis=0)).all() and (one.sum(axis=1) == x.sum(axis=1)).all()


def test_one_chain_is_burn_in_then_thinned_trades_of_one_matrix():
    """curveball_samples with one chain, redone trade by trade with the same generator."""
    from npstudy.nullmodels import _global_trade, curveball_samples

    x = np.kron(np.eye(3, dtype=bool), np.ones((2, 2), dtype=bool))
    got = np.concatenate(list(curveball_samples(x, 3, burnin=7, thin=2, seed=9, chains=1)))
    rng = np.random.default_rng(9)
    state = x[None].copy()
    for _ in range(7):
        _global_trade(state, rng)
    want = []
    for _ in range(3):
        for _ in range(2):
            _global_trade(state, rng)
        want.append(state[0].copy())
    assert (got == np.array(want)).all()
    # a chain count above the number of samples is cut to it
    assert (np.concatenate(list(curveball_samples(x, 1, burnin=7, seed=9, chains=5)))
            == np.concatenate(list(curveball_samples(x, 1, burnin=7, seed=9, chains=1)))).all()
