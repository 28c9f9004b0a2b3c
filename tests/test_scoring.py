"""Scores pinned to values counted by hand from the article and to independent formulas."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy as scipy_entropy

from npstudy import load_codebook, load_practices
from npstudy.scoring import (balance, composite_index, coverage_matrix, entropy_weights,
                             pillar_shares, province_scores, region_summary)


@pytest.fixture(scope="module")
def practices():
    return load_practices()


def test_coverage_matrix_shapes_and_order(practices):
    cb = load_codebook()
    for level, n_cols in (("pillar", 4), ("theme", 12), ("code", 39)):
        m = coverage_matrix(practices, level)
        assert m.shape == (13, n_cols)
        assert m.columns.tolist() == cb.ids(level)
        assert m.to_numpy().sum() == 51
    assert coverage_matrix(practices, provinces="all").shape == (34, 12)
    assert coverage_matrix(practices, index="doc_id").shape == (1, 12)


def test_coverage_matrix_missing_choice(practices):
    zero = coverage_matrix(practices, "pillar", provinces="mainland")
    nan = coverage_matrix(practices, "pillar", provinces="mainland", missing="nan")
    assert zero.loc["CN-TJ"].tolist() == [0, 0, 0, 0]
    assert nan.loc["CN-TJ"].isna().all()
    assert nan.dropna().shape == (13, 4)


def test_coverage_matrix_hand_counts(practices):
    m = coverage_matrix(practices, "pillar")
    # Zhejiang: fund, Hangzhou's proof-of-concept centres | plan, chain policy, pilot zone |
    # footprint certification, footprint standard | integration pilot, talent reform
    assert m.loc["CN-ZJ"].tolist() == [2, 3, 2, 2]
    presence = coverage_matrix(practices, "theme", "presence")
    assert set(presence.to_numpy().ravel()) == {0, 1}


def test_input_is_not_mutated(practices):
    before = practices.copy()
    province_scores(practices)
    pd.testing.assert_frame_equal(practices, before)


def test_breadth_and_shares_by_hand(practices):
    s = province_scores(practices)
    assert s.loc["CN-ZJ", ["practices", "codes", "themes", "pillars"]].tolist() == [9, 8, 6, 4]
    # Shanghai: 9 rows (two pairs share a code: data exchange and trading rules; talent
    # services and the one-stop reform), 7 codes in 7 themes
    assert s.loc["CN-SH", ["practices", "codes", "themes", "pillars"]].tolist() == [9, 7, 7, 4]
    assert s.loc["CN-AH", ["practices", "codes", "themes", "pillars"]].tolist() == [1, 1, 1, 1]
    shares = pillar_shares(practices)
    assert shares.loc["CN-SH"].tolist() == pytest.approx([1 / 3, 2 / 3, 1 / 3, 1])
    assert shares.loc["CN-ZJ"].tolist() == pytest.approx([2 / 3, 2 / 3, 1 / 3, 1 / 3])
    assert shares.loc["CN-JS"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3, 1 / 3])


def test_balance_against_scipy_and_by_hand(practices):
    s = province_scores(practices)
    assert s.loc["CN-ZJ", "balance_entropy"] == pytest.approx(
        scipy_entropy([2, 3, 2, 2]) / math.log(4), abs=1e-12)
    assert s.loc["CN-ZJ", "balance_simpson"] == pytest.approx(1 - 21 / 81, abs=1e-12)
    assert s.loc["CN-AH", "balance_entropy"] == 0.0 and s.loc["CN-AH", "balance_simpson"] == 0.0
    even = balance(pd.DataFrame([[2, 2, 2, 2], [0, 0, 0, 0]]))
    assert even.iloc[0].tolist() == pytest.approx([1.0, 0.75])
    assert even.iloc[1].isna().all()


def test_entropy_weights_by_hand():
    x = pd.DataFrame({"a": [0.0, 1.0, 1.0], "b": [0.0, 0.0, 1.0], "c": [5.0, 5.0, 5.0]})
    w = entropy_weights(x)
    e_a = math.log(2) / math.log(3)  # p = (0, 1/2, 1/2) -> H = ln 2, divided by ln n
    e_b = 0.0                        # p = (0, 0, 1)
    d = [1 - e_a, 1 - e_b, 0.0]      # the constant indicator carries no information
    assert w.tolist() == pytest.approx([v / sum(d) for v in d], abs=1e-12)


def test_entropy_weights_against_scipy():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.random((12, 5)))
    w = entropy_weights(x)
    z = (x - x.min()) / (x.max() - x.min())
    e = np.array([scipy_entropy(z[c]) / math.log(len(z)) for c in z])
    assert w.to_numpy() == pytest.approx((1 - e) / (1 - e).sum(), abs=1e-12)
    # min-max standardisation makes the weights blind to each indicator's units
    scaled = x * [1, 10, 100, 0.5, 3] + 7
    assert entropy_weights(scaled).to_numpy() == pytest.approx(w.to_numpy(), abs=1e-12)


def test_composite_and_ranks_with_ties(practices):
    s = province_scores(practices)
    assert s.loc["CN-SH", "composite_equal"] == pytest.approx(7 / 12)  # (1/3 + 2/3 + 1/3 + 1) / 4
    assert s.loc["CN-ZJ", "composite_equal"] == pytest.approx(0.5)
    # Guangdong, Jiangsu and Shandong tie at 1/3: all rank 3, the next rank is 6
    ranks = s["rank_equal"].to_dict()
    assert [ranks[p] for p in ("CN-SH", "CN-ZJ", "CN-GD", "CN-JS", "CN-SD", "CN-BJ")] == [1, 2, 3, 3, 3, 6]
    assert sorted(ranks.values()) == [1, 2, 3, 3, 3, 6, 6, 6, 9, 10, 10, 10, 10]
    shares = pillar_shares(practices)
    w = entropy_weights(shares)
    z = (shares - shares.min()) / (shares.max() - shares.min())
    assert s["composite_entropy"].to_numpy() == pytest.approx((z * w).sum(axis=1).to_numpy())


def test_composite_explicit_weights():
    x = pd.DataFrame({"a": [1.0, 0.0], "b": [0.0, 1.0]})
    assert composite_index(x, pd.Series({"a": 3, "b": 1})).tolist() == [0.75, 0.25]
    with pytest.raises(ValueError, match="weights missing"):
        composite_index(x, pd.Series({"a": 1}))


def test_scores_with_unmentioned_as_missing(practices):
    s = province_scores(practices, provinces="mainland", missing="nan")
    assert len(s) == 31 and s["composite_equal"].notna().sum() == 13
    assert s.loc["CN-TJ", ["practices", "composite_entropy"]].isna().all()
    zero = province_scores(practices, provinces="mainland")
    assert zero.loc["CN-TJ", "practices"] == 0 and zero.loc["CN-TJ", "rank_equal"] == 14


def test_region_summary_by_hand(practices):
    r = region_summary(practices)
    assert r["provinces"].tolist() == [10, 6, 12, 3]
    assert r["mentioned"].tolist() == [7, 3, 3, 0]
    assert r["practices"].tolist() == [40, 3, 8, 0]
    assert r.loc["east", "categories"] == 12
    assert math.isnan(r.loc["northeast", "practices_per_mentioned"])


def test_several_documents_pooled_and_per_document(practices):
    from npstudy.scoring import by_document
    from npstudy.similarity import similarity_matrix

    second = practices[practices["pillar"] == "green"].assign(doc_id="second_doc")
    both = pd.concat([practices, second], ignore_index=True)
    per_doc = by_document(both, coverage_matrix, "pillar")
    assert per_doc.loc["second_doc"].sum().tolist() == [0, 0, 15, 0]
    pd.testing.assert_frame_equal(per_doc.loc["000_08799d6d3f16f583"],
                                  coverage_matrix(practices, "pillar"))
    pooled = coverage_matrix(both, "pillar")
    assert pooled.loc["CN-NM", "green"] == 2  # counted once per document
    docs = coverage_matrix(both, "theme", "presence", index="doc_id")
    sim = similarity_matrix(docs)
    assert sim.loc["second_doc", "000_08799d6d3f16f583"] == pytest.approx(3 / 12)
    scores = by_document(both, province_scores)
    assert scores.loc[("second_doc", "CN-NM"), "pillars"] == 1
