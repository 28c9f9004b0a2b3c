"""Similarity measures against scipy and by hand; curveball margins and uniformity."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.cluster import hierarchy
from scipy.spatial.distance import pdist, squareform
from scipy.stats import chisquare

from npstudy import load_practices
from npstudy.scoring import coverage_matrix
from npstudy.nullmodels import curveball, curveball_samples, null_model_test, region_test
from npstudy.similarity import (METRICS, cluster_provinces, hierarchical_similarity,
                                linkage_matrix, similarity_matrix, similarity_pairs)

matrices = st.tuples(st.integers(2, 10), st.integers(1, 12)).flatmap(
    lambda shape: arrays(np.int64, shape, elements=st.integers(0, 3)))


def frame(x):
    return pd.DataFrame(x, index=[f"u{i}" for i in range(len(x))])


@settings(max_examples=60, deadline=None)
@given(x=matrices, metric=st.sampled_from(METRICS))
def test_similarity_properties(x, metric):
    s = similarity_matrix(frame(x), metric).to_numpy()
    empty = x.sum(axis=1) == 0
    ok = ~empty
    assert np.isnan(s[empty]).all() and np.isnan(s[:, empty]).all()
    sub = s[np.ix_(ok, ok)]
    assert np.array_equal(sub, sub.T)
    assert ((sub >= 0) & (sub <= 1 + 1e-12)).all()
    assert (np.diag(sub) == 1).all()


@settings(max_examples=40, deadline=None)
@given(x=matrices, metric=st.sampled_from(METRICS), seed=st.integers(0, 1000))
def test_similarity_invariant_to_row_order(x, metric, seed):
    f = frame(x)
    order = np.random.default_rng(seed).permutation(len(f))
    a = similarity_matrix(f, metric)
    b = similarity_matrix(f.iloc[order], metric).loc[a.index, a.columns]
    pd.testing.assert_frame_equal(a, b, check_exact=False, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(x=matrices, metric=st.sampled_from(["jaccard", "dice", "cosine"]))
def test_similarity_agrees_with_scipy(x, metric):
    x = x[x.sum(axis=1) > 0]
    if len(x) < 2:
        return
    ours = similarity_matrix(frame(x), metric).to_numpy()
    data = x.astype(float) if metric == "cosine" else x > 0
    theirs = 1 - squareform(pdist(data, metric))
    assert np.allclose(ours, theirs, atol=1e-9, rtol=0)


def test_binary_measures_ignore_abundance():
    counts = frame(np.array([[5, 1, 0], [1, 1, 1]]))
    presence = (counts > 0).astype(int)
    for metric in ("jaccard", "dice", "overlap"):
        pd.testing.assert_frame_equal(similarity_matrix(counts, metric),
                                      similarity_matrix(presence, metric))


def test_hand_values_small():
    m = frame(np.array([[1, 1, 0, 0], [1, 1, 1, 0]]))
    assert similarity_matrix(m, "jaccard").iloc[0, 1] == pytest.approx(2 / 3)
    assert similarity_matrix(m, "dice").iloc[0, 1] == pytest.approx(4 / 5)
    assert similarity_matrix(m, "overlap").iloc[0, 1] == 1.0
    assert similarity_matrix(m, "cosine").iloc[0, 1] == pytest.approx(2 / math.sqrt(6))


def test_jaccard_of_named_provinces():
    m = coverage_matrix(load_practices(), "theme", "presence")
    s = similarity_matrix(m)
    # Shanghai: 7 themes; Jiangsu: 4 themes, of which digital economy, carbon accounting
    # and opening up are shared -> 3 / (7 + 4 - 3)
    assert s.loc["CN-SH", "CN-JS"] == pytest.approx(3 / 8)
    # Zhejiang: 6 themes; shared with Shanghai: future industries, carbon accounting, talent
    assert s.loc["CN-SH", "CN-ZJ"] == pytest.approx(3 / 10)


def test_unmentioned_provinces_are_nan():
    m = coverage_matrix(load_practices(), "theme", provinces="mainland", missing="nan")
    s = similarity_matrix(m)
    assert s.loc["CN-TJ"].isna().all() and s.loc["CN-SH", "CN-SH"] == 1.0


def test_pairs_table():
    m = coverage_matrix(load_practices(), "theme", "presence")
    pairs = similarity_pairs(m)
    assert len(pairs) == 13 * 12 // 2
    row = pairs[(pairs["a"] == "CN-SH") & (pairs["b"] == "CN-JS")].iloc[0]
    assert (row["size_a"], row["size_b"], row["shared"]) == (7, 4, 3)
    s = similarity_matrix(m)
    assert all(s.loc[a, b] == v for a, b, v in pairs[["a", "b", "similarity"]].itertuples(index=False))


def test_hierarchical_similarity():
    p = pd.DataFrame({
        "province": ["A", "B", "C"],
        "code": ["green.carbon_accounting.footprint_standard",
                 "green.carbon_accounting.carbon_metrology",
                 "reform.talent.talent_services"],
    })
    for w in (0.0, 0.5, 1.0, 2.0):
        s = hierarchical_similarity(p, theme_weight=w)
        # A and B share the theme through different codes: w / (2 + w)
        assert s.loc["A", "B"] == pytest.approx(w / (2 + w))
        assert s.loc["A", "C"] == 0.0
        assert (np.diag(s) == 1).all() and np.allclose(s, s.T)
    shipped = load_practices()
    code_jaccard = similarity_matrix(coverage_matrix(shipped, "code", "presence"))
    pd.testing.assert_frame_equal(hierarchical_similarity(shipped, 0.0), code_jaccard,
                                  check_names=False, atol=1e-12)


def test_clustering_matches_scipy():
    m = coverage_matrix(load_practices(), "theme", "presence")
    s = similarity_matrix(m)
    Z, labels = linkage_matrix(s)
    dist = squareform(1 - s.to_numpy(), checks=False)
    ref = hierarchy.linkage(dist, "average", optimal_ordering=True)
    assert labels == s.index.tolist()
    assert np.allclose(Z, ref)
    c = cluster_provinces(s, n_clusters=3)
    assert sorted(c.index) == sorted(s.index) and c["order"].tolist() == list(range(13))
    assert set(c["cluster"]) == {1, 2, 3}


def test_clustering_finds_blocks():
    x = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]])
    c = cluster_provinces(similarity_matrix(frame(x)), n_clusters=2)
    assert "u4" not in c.index  # no practices: not clustered
    assert c.loc["u0", "cluster"] == c.loc["u1", "cluster"] != c.loc["u2", "cluster"]


@settings(max_examples=30, deadline=None)
@given(x=arrays(np.int64, st.tuples(st.integers(2, 9), st.integers(2, 9)), elements=st.integers(0, 1)),
       seed=st.integers(0, 10_000))
def test_curveball_preserves_margins_on_every_draw(x, seed):
    for batch in curveball_samples(x, 12, burnin=3, thin=1, seed=seed, chains=4):
        assert (batch.sum(axis=2) == x.sum(axis=1)).all()
        assert (batch.sum(axis=1) == x.sum(axis=0)).all()


def _all_fills(rows, cols):
    n, m = len(rows), len(cols)
    found = []
    for bits in itertools.product([0, 1], repeat=n * m):
        a = np.array(bits).reshape(n, m)
        if (a.sum(1) == rows).all() and (a.sum(0) == cols).all():
            found.append(a.tobytes())
    return found


def test_curveball_draws_are_uniform():
    start = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [1, 0, 0, 0]])
    fills = _all_fills(start.sum(1), start.sum(0))
    assert len(fills) >= 20  # enough distinct fills for the test to have power
    index = {f: i for i, f in enumerate(fills)}
    counts = np.zeros(len(fills))
    for batch in curveball_samples(start, 5800, burnin=20, thin=4, seed=11, chains=8):
        for draw in batch:
            counts[index[draw.astype(np.int64).tobytes()]] += 1
    result = chisquare(counts)
    assert result.pvalue > 0.01, counts
    assert counts.min() > 0


def test_curveball_single_and_reproducible():
    x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    assert np.array_equal(curveball(x, seed=4), curveball(x, seed=4))
    y = curveball(x, seed=4)
    assert (y.sum(0) == x.sum(0)).all() and (y.sum(1) == x.sum(1)).all()


def test_null_model_detects_blocks():
    x = np.kron(np.eye(3, dtype=int), np.ones((3, 3), dtype=int))  # 3 blocks of 3 identical rows
    r = null_model_test(frame(x), n_samples=499, seed=2)
    assert len(r) == 36
    within = r[r["observed"] == 1.0]
    assert len(within) == 9
    assert (within["p_value"] < 0.05).all() and (within["ses"] > 2).all()
    # p = (1 + #null >= observed) / (1 + n): a multiple of 1/500, never below it. Identical
    # rows are rare under the null, so some within-block pair reaches that floor; a pair
    # that shares nothing is matched or beaten by every null draw, so its p is exactly 1.
    assert np.allclose(r["p_value"] * 500, np.round(r["p_value"] * 500))
    assert within["p_value"].min() == pytest.approx(1 / 500)
    assert (r.loc[r["observed"] == 0.0, "p_value"] == 1.0).all()
    again = null_model_test(frame(x), n_samples=499, seed=2)
    pd.testing.assert_frame_equal(r, again)


def test_null_model_p_value_floor_and_alternatives():
    x = np.kron(np.eye(2, dtype=int), np.ones((2, 2), dtype=int))
    # 4 x 4 with every margin 2: 90 matrices, equally likely under the null. Two given rows
    # are disjoint in 6 x 6 = 36 of them (row i, its complement, then any pair for the other
    # two rows) and identical in 6 of them, so P(null <= 0) = 0.4 and P(null >= 1) = 1/15.
    less = null_model_test(frame(x), n_samples=999, seed=0, alternative="less")
    between = less[less["observed"] == 0.0]
    assert between["p_value"].to_numpy() == pytest.approx(0.4, abs=0.05)
    assert (less.loc[less["observed"] == 1.0, "p_value"] == 1.0).all()  # nothing exceeds 1
    greater = null_model_test(frame(x), n_samples=999, seed=0)
    within = greater[greater["observed"] == 1.0]
    assert within["p_value"].to_numpy() == pytest.approx(1 / 15, abs=0.025)
    with pytest.raises(ValueError, match="alternative"):
        null_model_test(frame(x), alternative="bigger")


def test_region_test_by_hand():
    values = np.full((4, 4), 0.1)
    np.fill_diagonal(values, 1.0)
    s = pd.DataFrame(values, index=list("abcd"), columns=list("abcd"))
    s.loc["a", "b"] = s.loc["b", "a"] = 0.9
    s.loc["c", "d"] = s.loc["d", "c"] = 0.7
    regions = pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"})
    r = region_test(s, regions, n_perm=999, seed=0).iloc[0]
    assert r["within_mean"] == pytest.approx(0.8) and r["between_mean"] == pytest.approx(0.1)
    assert r["statistic"] == pytest.approx(0.7)
    # 3 ways to split 4 units into two pairs; the observed split is the best of them
    assert r["p_value"] == pytest.approx(1 / 3, abs=0.05)


def test_region_test_on_shipped_data():
    m = coverage_matrix(load_practices(), "theme", "presence", provinces="mainland")
    r = region_test(similarity_matrix(m), n_perm=199).iloc[0]
    assert r["units"] == 13 and r["within_pairs"] + r["between_pairs"] == 78
    # (1 + #permutations at least as extreme) / (1 + 199): a multiple of 1/200, at least 1/200
    assert r["p_value"] * 200 == pytest.approx(round(r["p_value"] * 200))
    assert r["p_value"] >= 1 / 200


def test_null_means_agree_with_the_set_based_baseline():
    """Two independent curveball implementations estimate the same null expectation."""
    from curveball_reference import set_curveball_test

    rng = np.random.default_rng(5)
    x = rng.random((8, 10)) < 0.35
    x[x.sum(axis=1) == 0, 0] = True
    ours = null_model_test(frame(x.astype(int)), n_samples=3000, seed=1)
    base_mean, _ = set_curveball_test(x, 3000, burnin=40, thin=4, seed=1)
    i, j = np.triu_indices(8, k=1)
    assert np.nanmax(np.abs(ours["null_mean"].to_numpy() - base_mean[i, j])) < 0.02


def test_fdr_adjustment_matches_scipy():
    from scipy.stats import false_discovery_control

    def step_up(p):  # the Benjamini–Hochberg step-up rule, written out (the former helper)
        order = np.argsort(p)
        scaled = p[order] * len(p) / np.arange(1, len(p) + 1)
        out = np.empty(len(p))
        out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
        return out

    # by hand: sorted p 0.01, 0.03, 0.04, 0.2 → ×4/rank 0.04, 0.06, 0.0533, 0.2 → monotone
    p = np.array([0.01, 0.04, 0.03, 0.2])
    assert false_discovery_control(p, method="bh") == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.2])
    rng = np.random.default_rng(9)
    p = rng.random(40) ** 3
    assert np.allclose(step_up(p), false_discovery_control(p, method="bh"), atol=1e-12)
    x = np.kron(np.eye(3, dtype=int), np.ones((3, 3), dtype=int))
    r = null_model_test(frame(x), n_samples=199, seed=2)
    assert (r["p_fdr"] >= r["p_value"]).all()
    assert np.allclose(r["p_fdr"], step_up(r["p_value"].to_numpy()), atol=1e-12)


def test_progress_bar_is_optional_and_off_by_default(capsys):
    x = np.kron(np.eye(2, dtype=int), np.ones((2, 2), dtype=int))
    null_model_test(frame(x), n_samples=50, seed=0)
    assert capsys.readouterr().err == ""
    null_model_test(frame(x), n_samples=50, seed=0, progress=True)
    assert "curveball" in capsys.readouterr().err
