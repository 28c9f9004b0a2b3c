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


def _summary(values: np.ndarray) -> tuple[float, float]:
    """Mean and sample SD (n - 1) of the defined values; SD 0 for one value, NaN for none."""
    v = values[~np.isnan(values)]
    if len(v) == 0:
        return np.nan, np.nan
    return v.mean(), (v.std(ddof=1) if len(v) > 1 else 0.0)


@pytest.mark.parametrize("n, seed", [(300, 11), (2, 5), (2, 25), (3, 1)])
def test_statement_null_estimates_are_computed_exactly_from_its_draws(n, seed):
    """Redo the draws with the same seed and compute every statistic by plain Python.

    Two draws (seeds 5 and 25) leave exactly two defined values of the region statistic,
    where the sample SD's n - 1 matters most.
    """
    from npstudy import load_codebook
    from npstudy.nullmodels import _statement_draws

    pairs, region = statement_null_test(HAND, n_samples=n, seed=seed, regions=HAND_REGIONS)
    units = ["CN-BJ", "CN-SH", "CN-ZJ"]
    x = np.concatenate(list(_statement_draws(HAND, "theme", n, np.random.default_rng(seed),
                                             load_codebook(), units)))
    assert x.shape[:2] == (n, 3)
    assert (x.sum(axis=(1, 2)) == 3).all()        # two + one provinces named in every draw
    sets = [[set(np.flatnonzero(d[u])) for u in range(3)] for d in x]
    observed = {(0, 1): 1.0, (0, 2): 0.0, (1, 2): 0.0}
    for k, ((a, b), obs) in enumerate(observed.items()):
        values = np.array([_jaccard(s[a], s[b]) for s in sets])
        mean, sd = _summary(values)
        row = pairs.iloc[k]
        assert row["null_mean"] == pytest.approx(mean, abs=1e-12, nan_ok=True)
        assert row["null_sd"] == pytest.approx(sd, abs=1e-12, nan_ok=True)
        reached = np.sum(~np.isnan(values) & (np.nan_to_num(values, nan=-1) >= obs))
        assert row["p_value"] == pytest.approx((1 + reached) / (1 + n), abs=1e-12)
        ses = (obs - mean) / sd if sd > 1e-12 else np.nan
        assert row["ses"] == pytest.approx(ses, abs=1e-9, nan_ok=True)
        assert row["p_fdr"] >= row["p_value"]
    stats = []
    for s in sets:
        between = [v for v in (_jaccard(s[0], s[2]), _jaccard(s[1], s[2])) if not np.isnan(v)]
        within = _jaccard(s[0], s[1])
        stats.append(within - np.mean(between) if between and not np.isnan(within) else np.nan)
    stats = np.array(stats)
    defined = stats[~np.isnan(stats)]
    mean = defined.mean() if len(defined) else np.nan
    sd = defined.std(ddof=1) if len(defined) > 1 else np.nan
    r = region.iloc[0]
    assert r["null_mean"] == pytest.approx(mean, abs=1e-12, nan_ok=True)
    assert r["null_sd"] == pytest.approx(sd, abs=1e-12, nan_ok=True)
    assert r["p_value"] == pytest.approx((1 + (defined >= 1.0 - 1e-12).sum()) / (1 + n), abs=1e-12)
    ses = (1.0 - mean) / sd if sd > 0 else np.nan
    assert r["ses"] == pytest.approx(ses, abs=1e-9, nan_ok=True)
    if (n, seed) == (2, 5):
        assert len(defined) == 2 and not np.isnan(r["null_sd"])


def test_pair_null_estimates_are_computed_exactly_from_its_draws():
    """null_model_test's mean, SD, p, effect size and p_min from the same curveball draws."""
    from npstudy.nullmodels import curveball_samples
    from npstudy.similarity import similarity_array

    x = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [1, 0, 0, 1], [0, 0, 1, 0]])
    m = pd.DataFrame(x, index=list("abcde"))
    obs = similarity_array(x, "jaccard")
    best = max_attainable(x.sum(axis=1))
    for n in (2, 40):
        r = null_model_test(m, n_samples=n, seed=3, burnin=20, thin=3, chains=4)
        sims = similarity_array(np.concatenate(list(curveball_samples(x, n, 20, 3, 3, 4))),
                                "jaccard")
        assert len(r) == 10
        for row in r.itertuples():
            i, j = "abcde".index(row.a), "abcde".index(row.b)
            v = sims[:, i, j]
            sd = v.std(ddof=1)
            assert row.observed == obs[i, j]
            assert row.null_mean == pytest.approx(v.mean(), abs=1e-12)
            assert row.null_sd == pytest.approx(sd, abs=1e-9)
            assert row.p_value == pytest.approx((1 + (v >= obs[i, j] - 1e-12).sum()) / (1 + n))
            assert row.ses == pytest.approx((obs[i, j] - v.mean()) / sd if sd > 1e-12 else np.nan,
                                            abs=1e-6, nan_ok=True)
            assert row.max_attainable == best[i, j]
            assert row.p_min == pytest.approx((1 + (v >= best[i, j] - 1e-12).sum()) / (1 + n))
            assert row.size_05 == pytest.approx(_test_size(v[:, None].astype(np.float32), 0.05, n)[0])
        less = null_model_test(m, n_samples=n, seed=3, burnin=20, thin=3, chains=4,
                               alternative="less")
        two = null_model_test(m, n_samples=n, seed=3, burnin=20, thin=3, chains=4,
                              alternative="two-sided")
        for k, row in enumerate(less.itertuples()):
            i, j = "abcde".index(row.a), "abcde".index(row.b)
            v = sims[:, i, j]
            p_less = (1 + (v <= obs[i, j] + 1e-12).sum()) / (1 + n)
            assert row.p_value == pytest.approx(p_less)
            assert two["p_value"].iloc[k] == pytest.approx(min(1.0, 2 * min(p_less, r["p_value"].iloc[k])))
    with pytest.raises(ValueError, match="alternative must be"):
        null_model_test(m, alternative="bigger")


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


def test_default_numbers_of_randomisations():
    m = pd.DataFrame([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]], index=list("abcd"))
    regions = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    assert region_test(similarity_matrix(m), regions)["n_perm"].tolist() == [9999]
    assert region_test_fixed_rows(m, regions)["n_samples"].tolist() == [9999]
    assert statement_null_test(HAND, regions=HAND_REGIONS)[1]["n_samples"].tolist() == [9999]
    pd.testing.assert_frame_equal(null_model_test(m), null_model_test(m, seed=0, chains=32))
    p = null_model_test(m)["p_value"].to_numpy()       # 999 draws: p is a multiple of 1/1000
    assert np.allclose(p * 1000, np.round(p * 1000))
    assert not np.allclose(p * 1001, np.round(p * 1001))


def test_region_test_from_its_own_permutations():
    """region_test's null, redone with the same generator in the same batches of 2048."""
    from npstudy.nullmodels import _within_minus_between

    rng = np.random.default_rng(8)
    values = rng.random((6, 6))
    s = pd.DataFrame((values + values.T) / 2, index=list("abcdef"), columns=list("abcdef"))
    regions = pd.Series(dict(zip("abcdef", "xxyyzz")))
    n = 2100
    r = region_test(s, regions, n_perm=n, seed=4).iloc[0]
    labels = pd.factorize(regions.to_numpy())[0]
    i, j = np.triu_indices(6, k=1)
    v = s.to_numpy()[i, j]
    same = labels[i] == labels[j]
    observed = v[same].mean() - v[~same].mean()
    gen = np.random.default_rng(4)
    null = []
    for size in (2048, n - 2048):
        perms = gen.permuted(np.broadcast_to(labels, (size, 6)), axis=1)
        null.append(_within_minus_between(v, perms[:, i] == perms[:, j]))
    null = np.concatenate(null)
    assert r["within_pairs"] == 3 and r["between_pairs"] == 12
    assert r["within_mean"] == pytest.approx(v[same].mean())
    assert r["between_mean"] == pytest.approx(v[~same].mean())
    assert r["statistic"] == pytest.approx(observed, abs=1e-12)
    assert r["null_mean"] == pytest.approx(null.mean(), abs=1e-12)
    assert r["null_sd"] == pytest.approx(null.std(ddof=1), abs=1e-12)
    assert r["p_value"] == pytest.approx((1 + (null >= observed - 1e-12).sum()) / (1 + n))
    # the default seed is 0
    default = region_test(s, regions, n_perm=300)
    pd.testing.assert_frame_equal(default, region_test(s, regions, n_perm=300, seed=0))
    assert default["null_mean"].iloc[0] != region_test(s, regions, n_perm=300, seed=1)["null_mean"].iloc[0]
    # the same statistic written out for one relabelling: a, c | b, d | e, f
    alt = np.array([0, 1, 0, 1, 2, 2])
    s_alt = alt[i] == alt[j]
    assert _within_minus_between(v, s_alt[None, :])[0] == pytest.approx(
        v[s_alt].mean() - v[~s_alt].mean())


def test_curveball_is_that_many_trades_of_one_matrix():
    from npstudy.nullmodels import _global_trade, curveball

    x = np.kron(np.eye(3, dtype=int), np.ones((2, 2), dtype=int))
    rng = np.random.default_rng(6)
    state = x[None].astype(bool)
    for _ in range(13):
        _global_trade(state, rng)
    assert (curveball(x, n_trades=13, seed=6) == state[0]).all()


def test_default_seeds_are_zero():
    m = pd.DataFrame([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 0], [0, 0, 1, 1]], index=list("abcd"))
    regions = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    for model in ("rows", "curveball"):
        pd.testing.assert_frame_equal(region_test_fixed_rows(m, regions, n_samples=50, model=model),
                                      region_test_fixed_rows(m, regions, n_samples=50, model=model,
                                                             seed=0))
    sim = similarity_matrix(m)
    pd.testing.assert_frame_equal(region_test(sim, regions, n_perm=50),
                                  region_test(sim, regions, n_perm=50, seed=0))
    a = statement_null_test(HAND, n_samples=50, regions=HAND_REGIONS)
    b = statement_null_test(HAND, n_samples=50, regions=HAND_REGIONS, seed=0)
    pd.testing.assert_frame_equal(a[0], b[0])
    pd.testing.assert_frame_equal(a[1], b[1])


def test_fixed_rows_null_from_its_own_draws():
    """The "rows" model redone with the same generator in batches of 1024: each province's
    categories are a uniformly random set of its size."""
    from npstudy.nullmodels import _within_minus_between
    from npstudy.similarity import similarity_array

    m = pd.DataFrame([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [0, 0, 1, 1], [1, 0, 0, 0],
                      [0, 0, 0, 0], [1, 1, 1, 0]], index=list("abcdefg"))
    regions = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y", "e": "z", "f": "z", "g": ""})
    n = 1100
    r = region_test_fixed_rows(m, regions, n_samples=n, seed=7).iloc[0]
    assert r["units"] == 5                      # f has no category, g no region
    x = m.to_numpy()[:5] > 0
    labels = regions.to_numpy()[:5]
    k = x.sum(axis=1)
    gen = np.random.default_rng(7)
    stats = []
    i, j = np.triu_indices(5, k=1)
    same = (labels[i] == labels[j])[None, :]
    for size in (1024, n - 1024):
        keys = gen.random((size, 5, 4))
        draws = np.argsort(np.argsort(keys, axis=2), axis=2) < k[None, :, None]
        assert (draws.sum(axis=2) == k).all()
        stats.append(_within_minus_between(similarity_array(draws, "jaccard")[:, i, j], same))
    null = np.concatenate(stats)
    sims = similarity_array(x, "jaccard")[i, j]
    observed = sims[same[0]].mean() - sims[~same[0]].mean()
    assert r["statistic"] == pytest.approx(observed, abs=1e-12)
    assert r["null_mean"] == pytest.approx(null.mean(), abs=1e-12)
    assert r["null_sd"] == pytest.approx(null.std(ddof=1), abs=1e-12)
    assert r["ses"] == pytest.approx((observed - null.mean()) / null.std(ddof=1), abs=1e-9)
    assert r["p_value"] == pytest.approx((1 + (null >= observed - 1e-12).sum()) / (1 + n))
    with pytest.raises(ValueError, match="model must be 'rows' or 'curveball'"):
        region_test_fixed_rows(m, regions, model="columns")


def test_statement_draws_redone_statement_by_statement():
    """Statements in id order, each naming as many provinces as it does, drawn without
    replacement in batches of 1024; the table's row order does not matter."""
    from npstudy import load_codebook
    from npstudy.nullmodels import _statement_draws

    cb = load_codebook()
    p = pd.concat([HAND, pd.DataFrame({"statement": ["S0"], "province": ["CN-SH"],
                                       "code": ["reform.talent.talent_services"]})])
    units = ["CN-BJ", "CN-SH", "CN-ZJ"]
    n = 1100
    got = np.concatenate(list(_statement_draws(p, "theme", n, np.random.default_rng(2), cb, units)))
    shuffled = np.concatenate(list(_statement_draws(p.iloc[::-1], "theme", n,
                                                    np.random.default_rng(2), cb, units)))
    assert (got == shuffled).all()
    cats = cb.ids("theme")
    plan = [("S0", 1, "reform.talent"), ("S1", 2, "innovation.venture_capital"),
            ("S2", 1, "reform.talent")]
    gen = np.random.default_rng(2)
    want = []
    for size in (1024, n - 1024):
        x = np.zeros((size, 3, len(cats)), dtype=bool)
        for _, k, theme in plan:
            chosen = np.argsort(gen.random((size, 3)), axis=1)[:, :k]
            x[np.arange(size)[:, None], chosen, cats.index(theme)] = True
        want.append(x)
    assert (got == np.concatenate(want)).all()


def test_max_attainable_cosine_and_test_size_at_the_boundaries():
    # binary cosine of nested sets of sizes 1 and 4: 1 / sqrt(1 · 4)
    assert max_attainable([1, 4], "cosine")[0, 1] == pytest.approx(0.5)
    assert max_attainable([3, 3], "cosine")[0, 1] == pytest.approx(1.0)
    # 99 draws, 4 of them 1: p(1) = (1 + 4) / 100 = 0.05 exactly, which counts as ≤ 0.05
    null = np.array([[1.0] * 4 + [0.0] * 95]).T
    assert _test_size(null, 0.05, 99)[0] == pytest.approx(4 / 99)
    # 118 draws, 5 of them 1: p(1) = 6 / 119 = 0.0504 > 0.05: never significant
    null = np.array([[1.0] * 5 + [0.0] * 113]).T
    assert _test_size(null, 0.05, 118)[0] == 0.0
    # one defined draw: p = 2 / 101 for it; none: NaN
    null = np.array([[0.5, np.nan, np.nan], [np.nan] * 3]).T
    size = _test_size(null, 0.05, 100)
    assert size[0] == 1.0 and np.isnan(size[1])
