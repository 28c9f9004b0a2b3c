"""Scores pinned to values counted by hand from the article and to independent formulas."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy as scipy_entropy

from npstudy import load_codebook, load_practices, load_provinces
from npstudy.scoring import (balance, composite_index, coverage_matrix, entropy_weights,
                             instrument_matrix, pillar_shares, province_scores, region_summary)


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


def test_a_region_without_provinces_is_a_row_of_zeros_and_nan(practices):
    # a workspace may move the three northeastern provinces to the east: the east then has 13
    # provinces and 7 mentioned (the same 7), the northeast none, and no division by zero
    from npstudy import load_cities, load_provinces
    from npstudy.gazetteer import Gazetteer

    provinces = load_provinces().replace({"region": {"northeast": "east"}})
    r = region_summary(practices, gazetteer=Gazetteer(provinces, load_cities()))
    assert r["provinces"].tolist() == [13, 6, 12, 0]
    assert r.loc["east", "mentioned"] == 7 and r.loc["east", "share_mentioned"] == 7 / 13
    assert math.isnan(r.loc["northeast", "share_mentioned"])
    assert r.loc["northeast", ["mentioned", "practices", "categories"]].tolist() == [0, 0, 0]


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


# ------------------------------------------------------- the composite's standardisation
#
#          x1    x2    x3    x4          min–max standardised (x2 is constant → 0)
#   a      0     0.2   1     0.25        0     0   1     0
#   b      0.5   0.2   0     0.75        0.5   0   0     1
#   c      1     0.2   0.5   0.5         1     0   0.5   0.5
#
# Equal weights on the raw values: a (0 + .2 + 1 + .25) / 4 = .3625, b .3625, c .55;
# on the standardised values: a .25, b .375, c .5. Entropy weights: columns 1, 3 and 4
# hold the shares {0, 1/3, 2/3} in some order, so they have the same entropy and the
# same weight; column 2 has none (constant): w = (1/3, 0, 1/3, 1/3), and the composite
# of the standardised values is a 1/3, b 1/2, c 2/3.

X = pd.DataFrame({"x1": [0.0, 0.5, 1.0], "x2": [0.2, 0.2, 0.2], "x3": [1.0, 0.0, 0.5],
                  "x4": [0.25, 0.75, 0.5]}, index=list("abc"))


def test_composite_standardisation_by_hand():
    assert composite_index(X).tolist() == pytest.approx([0.3625, 0.3625, 0.55], abs=1e-15)
    assert composite_index(X, standardise=True).tolist() == pytest.approx([0.25, 0.375, 0.5],
                                                                          abs=1e-15)
    assert entropy_weights(X).tolist() == pytest.approx([1 / 3, 0, 1 / 3, 1 / 3], abs=1e-12)
    entropy = composite_index(X, "entropy")
    assert entropy.tolist() == pytest.approx([1 / 3, 1 / 2, 2 / 3], abs=1e-12)
    assert entropy.name == "composite" and entropy.index.tolist() == ["a", "b", "c"]
    # entropy weights standardise by default; asked not to, they weight the raw values
    assert composite_index(X, "entropy", standardise=False).tolist() == pytest.approx(
        [(0 + 1 + 0.25) / 3, (0.5 + 0 + 0.75) / 3, (1 + 0.5 + 0.5) / 3], abs=1e-12)
    # the entropy of a column with shares {0, 1/3, 2/3}, written out
    e = -(1 / 3 * math.log(1 / 3) + 2 / 3 * math.log(2 / 3)) / math.log(3)
    assert 0 < e < 1
    # explicit weights are normalised to sum to 1 and applied to the raw values
    w = pd.Series({"x4": 1.0, "x3": 1.0, "x2": 0.0, "x1": 2.0})
    assert composite_index(X, w).tolist() == pytest.approx(
        [0.25 + 0.0625, 0.25 + 0.1875, 0.5 + 0.125 + 0.125], abs=1e-15)
    assert composite_index(X, w, standardise=True).tolist() == pytest.approx(
        [0.25, 0.25 + 0.25, 0.5 + 0.125 + 0.125], abs=1e-15)


def test_composite_refuses_what_it_cannot_weight():
    with pytest.raises(ValueError, match="weights must be 'equal', 'entropy' or a Series"):
        composite_index(X, "geometric")
    with pytest.raises(ValueError, match=r"weights missing for \['x4'\]"):
        composite_index(X, pd.Series({"x1": 1.0, "x2": 1.0, "x3": 1.0}))
    with pytest.raises(ValueError, match="missing values"):
        composite_index(X.assign(x1=[0.0, np.nan, 1.0]), "entropy")


def test_entropy_weights_of_constant_indicators_are_equal():
    same = pd.DataFrame({"u": [1.0, 1.0], "v": [3.0, 3.0]})
    assert entropy_weights(same).tolist() == [0.5, 0.5]
    one = pd.DataFrame({"u": [0.0, 1.0], "v": [2.0, 2.0]})   # only u varies
    assert entropy_weights(one).tolist() == [1.0, 0.0]
    single = pd.DataFrame({"u": [0.3], "v": [0.6]})           # one unit: nothing to weigh
    assert entropy_weights(single).tolist() == [0.5, 0.5]


def test_rows_for_units_outside_the_mainland_and_outside_a_list(practices):
    # a Hong Kong row: "mainland" keeps it as an extra last row (evidence is never dropped),
    # an explicit list is taken as given, "all" has it in its gazetteer place
    hk = practices.iloc[[0]].assign(province="CN-HK")
    p = pd.concat([practices, hk], ignore_index=True)
    mainland = coverage_matrix(p, "pillar", provinces="mainland")
    assert mainland.shape == (32, 4) and mainland.index[-1] == "CN-HK"
    assert mainland.loc["CN-HK"].sum() == 1
    assert coverage_matrix(practices, "pillar", provinces="mainland").shape == (31, 4)
    listed = coverage_matrix(p, "pillar", provinces=["CN-SH", "CN-TJ"])
    assert listed.index.tolist() == ["CN-SH", "CN-TJ"]
    assert listed.loc["CN-TJ"].tolist() == [0, 0, 0, 0]
    everything = coverage_matrix(p, "pillar", provinces="all")
    assert everything.shape == (34, 4) and everything.loc["CN-HK"].sum() == 1
    with pytest.raises(ValueError, match="provinces must be 'mentioned', 'mainland', 'all'"):
        coverage_matrix(p, provinces="everywhere")
    # a province code the gazetteer does not know sorts after the known ones
    odd = pd.concat([practices, practices.iloc[[0]].assign(province="CN-ZZ")], ignore_index=True)
    assert coverage_matrix(odd, "pillar").index[-1] == "CN-ZZ"


def _mini_codebook():
    """Two pillars: P1 with one theme (one code), P2 with two themes (one code each)."""
    from npstudy.codebook import Codebook, Entry

    entries = [Entry("p1", "pillar", "一", "One", "d"), Entry("p2", "pillar", "二", "Two", "d"),
               Entry("p1.t", "theme", "甲", "T", "d", parent="p1"),
               Entry("p2.u", "theme", "乙", "U", "d", parent="p2"),
               Entry("p2.v", "theme", "丙", "V", "d", parent="p2"),
               Entry("p1.t.a", "code", "子", "A", "d", parent="p1.t"),
               Entry("p2.u.b", "code", "丑", "B", "d", parent="p2.u"),
               Entry("p2.v.c", "code", "寅", "C", "d", parent="p2.v")]
    return Codebook(entries, {"supply": {}}, {"fund": {"category": "supply"}})


def test_shares_with_a_pillar_of_one_theme_and_unmentioned_provinces_as_missing():
    cb = _mini_codebook()
    p = pd.DataFrame({"province": ["CN-SH", "CN-SH", "CN-ZJ"],
                      "code": ["p1.t.a", "p2.u.b", "p2.v.c"], "doc_id": ["d"] * 3})
    shares = pillar_shares(p, cb, provinces=["CN-SH", "CN-ZJ", "CN-TJ"], missing="nan")
    # Shanghai: the only theme of p1, one of the two of p2; Zhejiang: none of p1, one of p2
    assert shares.loc["CN-SH"].tolist() == [1.0, 0.5]
    assert shares.loc["CN-ZJ"].tolist() == [0.0, 0.5]
    assert shares.loc["CN-TJ"].isna().all()
    assert shares.columns.tolist() == ["p1", "p2"] and shares.columns.name == "pillar"
    assert pillar_shares(p, cb, level="code").loc["CN-SH"].tolist() == [1.0, 0.5]
    with pytest.raises(ValueError, match="level must be 'theme' or 'code'"):
        pillar_shares(p, cb, level="pillar")


def test_scores_of_one_and_two_provinces_and_of_documents(practices):
    two = practices[practices["province"].isin(["CN-SH", "CN-AH"])]
    s = province_scores(two)
    assert s.index.tolist() == ["CN-SH", "CN-AH"]
    assert s["region"].tolist() == ["east", "central"]
    # two units: entropy weights exist; Shanghai leads on every share, so it ranks first
    assert s["composite_entropy"].notna().all() and s["rank_entropy"].tolist() == [1, 2]
    one = province_scores(practices[practices["province"] == "CN-AH"])
    assert one["composite_equal"].tolist() == [0.25 * (1 / 3)]     # one theme of twelve
    assert np.isnan(one["composite_entropy"].iloc[0])               # nothing to weigh
    docs = province_scores(practices, index="doc_id")
    assert "region" not in docs.columns and docs["practices"].tolist() == [51]


def test_scores_under_a_codebook_of_one_pillar():
    from npstudy.codebook import Codebook, Entry

    cb = Codebook([Entry("p", "pillar", "一", "P", "d"), Entry("p.t", "theme", "甲", "T", "d", parent="p"),
                   Entry("p.t.a", "code", "子", "A", "d", parent="p.t")],
                  {"supply": {}}, {"fund": {"category": "supply"}})
    p = pd.DataFrame({"province": ["CN-SH", "CN-SH", "CN-ZJ"], "code": ["p.t.a"] * 3,
                      "doc_id": ["d"] * 3})
    s = province_scores(p, provinces=["CN-SH", "CN-ZJ", "CN-TJ"], missing="nan", codebook=cb)
    assert s.loc["CN-SH", ["practices", "codes", "themes", "pillars", "share_p"]].tolist() == \
        [2, 1, 1, 1, 1.0]
    assert s.loc["CN-ZJ", "practices"] == 1
    assert s.loc["CN-TJ", ["practices", "codes", "share_p"]].isna().all()


def test_region_summary_every_column_from_the_coverage_matrix(practices):
    r = region_summary(practices)
    m = coverage_matrix(practices, "theme", provinces="mainland")
    regions = load_provinces().set_index("iso_code")["region"]
    for reg in ("east", "central", "west"):
        block = m.loc[[c for c in m.index if regions[c] == reg]]
        named = block[block.sum(axis=1) > 0]
        assert r.loc[reg, "share_mentioned"] == pytest.approx(len(named) / len(block))
        assert r.loc[reg, "practices_per_mentioned"] == pytest.approx(block.to_numpy().sum() / len(named))
        covered = int((block.sum(axis=0) > 0).sum())
        assert r.loc[reg, "categories"] == covered
        assert r.loc[reg, "share_categories"] == pytest.approx(covered / 12)
        assert r.loc[reg, "mean_breadth"] == pytest.approx((named > 0).sum(axis=1).mean())
    # central: Anhui, Hubei, Henan name 3 themes in all, one each
    assert r.loc["central", ["categories", "mean_breadth"]].tolist() == [3, 1.0]
    assert r.loc["central", "share_categories"] == pytest.approx(0.25)
    assert math.isnan(r.loc["northeast", "mean_breadth"])


def test_instrument_matrix_keeps_unused_types_and_categories_as_zero(practices):
    cb = load_codebook()
    few = practices[practices["instrument"] == "supply"]
    by_cat = instrument_matrix(few, by="instrument")
    assert by_cat.index.tolist() == list(cb.instrument_categories)
    assert by_cat.loc[["environment", "demand"]].to_numpy().sum() == 0
    assert by_cat.loc["supply"].sum() == len(few)
    one_pillar = practices[practices["pillar"] == "innovation"]
    m = instrument_matrix(one_pillar)
    assert m.columns.tolist() == cb.ids("pillar")
    assert m.drop(columns="innovation").to_numpy().sum() == 0
    order = [(c, t) for c in cb.instrument_categories for t in cb.instrument_types
             if ((one_pillar["instrument"] == c) & (one_pillar["instrument_type"] == t)).any()]
    assert m.index.tolist() == order and m["innovation"].sum() == len(one_pillar)


def test_by_document_keeps_the_documents_in_table_order(practices):
    from npstudy.scoring import by_document

    two = pd.concat([practices.assign(doc_id="z-second"), practices.iloc[:5].assign(doc_id="a-first")])
    out = by_document(two, coverage_matrix, "pillar")
    assert list(dict.fromkeys(out.index.get_level_values("doc_id"))) == ["z-second", "a-first"]
    assert out.loc["a-first"].to_numpy().sum() == 5


def test_a_province_list_may_be_any_sequence(practices):
    # an array, an Index or a Series of codes gave numpy's "truth value of an array is ambiguous"
    import numpy as np

    codes = ["CN-ZJ", "CN-BJ", "CN-SH"]
    expected = coverage_matrix(practices, provinces=codes)
    for given in (np.array(codes), pd.Index(codes), pd.Series(codes), tuple(codes)):
        pd.testing.assert_frame_equal(coverage_matrix(practices, provinces=given), expected)
    assert expected.index.tolist() == codes
