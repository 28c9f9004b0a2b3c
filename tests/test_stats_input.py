"""The statistics functions refuse bad input instead of returning wrong numbers.

One test (or a few) per failure of the hostile-input review: each asserts the
exception and a fragment of its message (or the NaN that stands for "no test is
possible"), and where cheap that a valid input still gives the value of an
independent computation.
"""

import decimal
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import pdist, squareform
from scipy.stats import entropy as scipy_entropy

from npstudy.fileio import DataError
from npstudy.nullmodels import (curveball_samples, max_attainable, null_model_test, region_test,
                                region_test_fixed_rows, statement_null_test)
from npstudy.reliability import (CODING_COLUMNS, agreement, agreement_with_intervals, cohen_kappa,
                                 krippendorff_alpha, percent_agreement, read_coding,
                                 unitizing_alpha)
from npstudy.scoring import (balance, composite_index, coverage_matrix, entropy_weights,
                             province_scores)
from npstudy.similarity import (cluster_provinces, hierarchical_similarity, linkage_matrix,
                                similarity_matrix)

nan = np.nan
UNITS = list("abcd")


def _sim(values=None):
    s = pd.DataFrame(np.eye(4) + 0.1 if values is None else values, index=UNITS, columns=UNITS)
    s.loc["a", "b"] = s.loc["b", "a"] = 0.9
    return s


# ------------------------------------------- 1. region tests when no test is possible

@pytest.mark.parametrize("regions", [dict.fromkeys(UNITS, "x"),            # no between pair
                                     dict(zip(UNITS, "wxyz"))])            # no within pair
def test_region_test_without_a_comparison_gives_nan_not_the_smallest_p(regions):
    r = region_test(_sim(), pd.Series(regions), n_perm=99).iloc[0]
    assert math.isnan(r["statistic"])
    assert math.isnan(r["p_value"])


def test_region_test_fixed_rows_without_a_comparison_gives_nan():
    m = pd.DataFrame([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [0, 1, 0, 1]], index=UNITS)
    for model in ("rows", "curveball"):
        r = region_test_fixed_rows(m, pd.Series(dict.fromkeys(UNITS, "x")), n_samples=20,
                                   model=model).iloc[0]
        assert math.isnan(r["statistic"]) and math.isnan(r["p_value"])


def test_statement_null_test_region_without_a_comparison_gives_nan():
    from npstudy import load_gazetteer, load_practices
    codes = load_gazetteer().provinces["iso_code"]
    _, region = statement_null_test(load_practices(), n_samples=5,
                                    regions=pd.Series("one", index=codes.to_numpy()))
    assert math.isnan(region["statistic"].iloc[0]) and math.isnan(region["p_value"].iloc[0])


def test_region_test_valid_value_unchanged():
    r = region_test(_sim(), pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"}), 99).iloc[0]
    # within: (0.9 + 0.1) / 2, between: 0.1 -> 0.4, as in the docstring
    assert r["statistic"] == pytest.approx(0.4, abs=1e-12)
    assert 1 / 100 <= r["p_value"] <= 1


# --------------------------------- 2. agreement_with_intervals compares labels by value

def test_agreement_with_intervals_compares_by_value():
    r = agreement_with_intervals([1, 2, 1, 2], [1.0, 2.0, 1.0, 2.0], n_boot=20)
    assert r["disagreements"] == 0
    assert r["kappa"] == 1.0 and r["percent_agreement"] == 1.0


@pytest.mark.parametrize("x, y, where", [([None, "a", "b"], ["None", "a", "b"], "x[0]"),
                                         (["a", "b", "a"], ["a", "b", nan], "y[2]")])
def test_agreement_with_intervals_refuses_missing_labels(x, y, where):
    with pytest.raises(ValueError, match=re_escape(where) + ".*missing label"):
        agreement_with_intervals(x, y, n_boot=20)


def test_agreement_with_intervals_matches_sklearn_and_alpha():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(1)
    x, y = rng.integers(0, 3, 60).tolist(), rng.integers(0, 3, 60).tolist()
    r = agreement_with_intervals(x, y, n_boot=50)
    assert r["kappa"] == pytest.approx(sklearn_metrics.cohen_kappa_score(x, y), abs=1e-12)
    assert r["alpha"] == pytest.approx(krippendorff_alpha([x, y]), abs=1e-12)
    s = agreement_with_intervals([str(v) for v in x], [str(v) for v in y], n_boot=50)
    assert s == r   # labels as text: the same values, intervals included


def re_escape(text):
    import re
    return re.escape(text)


# ------------------------------------- 3. cohen_kappa and percent_agreement: no NaN labels

@pytest.mark.parametrize("func", [cohen_kappa, percent_agreement])
@pytest.mark.parametrize("missing", [nan, None, pd.NA])
def test_kappa_and_percent_refuse_missing_labels(func, missing):
    a = ["x", missing, "y", "y"]
    with pytest.raises(ValueError, match=r"a\[1\] is .*missing label"):
        func(a, list(a))
    with pytest.raises(ValueError, match=r"b\[1\] is .*missing label"):
        func(["x", "x", "y", "y"], a)


def test_kappa_valid_value_matches_sklearn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 4, 80).tolist(), rng.integers(0, 4, 80).tolist()
    assert cohen_kappa(a, b) == pytest.approx(sklearn_metrics.cohen_kappa_score(a, b), abs=1e-12)
    assert percent_agreement(a, b) == np.mean(np.array(a) == np.array(b))


# ---------------------------------------------------- 4. agreement: offsets and labels

TEXT = "浙江省推进改革开放。江苏省加强人才培养。"


def _coding(start=0, theme="reform.talent", province="CN-ZJ"):
    return pd.DataFrame({"doc_id": ["d"], "province": [province], "start": [start],
                         "theme": [theme]})


@pytest.mark.parametrize("start", [-1, len(TEXT), 10**9, 2.5, "x"])
def test_agreement_refuses_offsets_outside_the_text(start):
    with pytest.raises(ValueError, match=r"coding A: row 0: start: .* – (outside document 'd'"
                                         r"|not a whole number)"):
        agreement(_coding(start), _coding(0), texts={"d": TEXT})
    with pytest.raises(ValueError, match=r"coding B: row 0: start"):
        agreement(_coding(0), _coding(start), texts={"d": TEXT})


def test_agreement_refuses_an_empty_text():
    with pytest.raises(ValueError, match=r"texts\['d'\] is empty"):
        agreement(_coding(0), _coding(0), texts={"d": ""})


@pytest.mark.parametrize("column", ["theme", "province"])
def test_agreement_refuses_a_missing_label(column):
    bad = _coding(0).assign(**{column: [nan]})
    with pytest.raises(ValueError, match=rf"coding B: row 0: {column}: nan – missing"):
        agreement(_coding(0), bad, texts={"d": TEXT})


def test_agreement_valid_offsets_unchanged():
    a = pd.concat([_coding(0), _coding(10, province="CN-JS")], ignore_index=True)
    b = pd.concat([_coding(3), _coding(len(TEXT) - 1, "reform.opening_up", "CN-JS")],
                  ignore_index=True)
    r = agreement(a, b, texts={"d": TEXT})
    assert len(r.units) == 2
    assert r.table.loc["all", ["both", "only_a", "only_b", "neither"]].tolist() == [1, 1, 1, 1]


@pytest.mark.parametrize("digits", ["３８２", "٤٥١"])
def test_read_coding_takes_ascii_digits_only(tmp_path, digits):
    row = dict.fromkeys(CODING_COLUMNS, "x") | {"start": digits, "end": "5"}
    path = tmp_path / "coding.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"coding.csv:2: start: '{digits}' – not a whole number"):
        read_coding(path)
    pd.DataFrame([row | {"start": "2", "end": "5"}]).to_csv(path, index=False)
    assert read_coding(path)[["start", "end"]].iloc[0].tolist() == [2, 5]


# ------------------------------------------------------------- 5. unitizing_alpha offsets

def _units(start2=2, end2=5):
    return pd.DataFrame({"coder": [1, 2], "category": ["s", "s"], "start": [2, start2],
                         "end": [5, end2]})


@pytest.mark.parametrize("start2, end2, begin, message", [
    (6, 4, 0, "end 4 is before start 6"),
    (-3, 4, 0, "start: -3 – negative"),
    (2, 5, 3, "start: 2 – before the continuum's begin 3"),
    (2.5, 5, 0, "start: 2.5 – not a whole number"),
    (2, 4.9, 0, "end: 4.9 – not a whole number"),
])
def test_unitizing_alpha_refuses_bad_units(start2, end2, begin, message):
    with pytest.raises(ValueError, match=re_escape(message)):
        unitizing_alpha(_units(start2, end2), length=10, begin=begin)


def test_unitizing_alpha_valid_value_unchanged():
    assert float(unitizing_alpha(_units(), length=10).loc["all", "alpha"]) == 1.0
    whole = _units(3, 6).astype({"start": float, "end": float})   # 3.0 is a whole number
    assert unitizing_alpha(whole, 10).equals(unitizing_alpha(_units(3, 6), 10))


# -------------------------------------------- 6. scores and similarities of bad values

@pytest.mark.parametrize("value, message", [(-2, "negative"), (np.inf, "infinite"),
                                            (nan, "missing value")])
def test_balance_refuses_impossible_counts(value, message):
    counts = pd.DataFrame({"a": [2.0, 1.0], "b": [value, 3.0]}, index=["u", "v"])
    with pytest.raises(ValueError, match=rf"row 'u', column 'b'.*{message}|{message}.*row 'u'"):
        balance(counts)


def test_balance_keeps_all_nan_rows_and_matches_scipy():
    counts = pd.DataFrame({"a": [2.0, nan, 1.0], "b": [2.0, nan, 3.0], "c": [0.0, nan, 4.0]})
    out = balance(counts)
    assert out.iloc[1].isna().all()
    assert out.loc[2, "balance_entropy"] == pytest.approx(
        scipy_entropy([1, 3, 4]) / math.log(3), abs=1e-12)
    assert out.loc[2, "balance_simpson"] == pytest.approx(1 - (1 + 9 + 16) / 64, abs=1e-15)


def test_entropy_weights_and_composite_refuse_bad_indicators():
    x = pd.DataFrame({"a": [0.0, 1.0, np.inf], "b": [0.0, 0.0, 1.0]})
    with pytest.raises(ValueError, match=r"infinite value at row 2, column 'a'"):
        entropy_weights(x)
    with pytest.raises(ValueError, match=r"infinite value at row 2, column 'a'"):
        composite_index(x)
    with pytest.raises(ValueError, match="0 row"):
        entropy_weights(x.iloc[:0])
    with pytest.raises(ValueError, match="0 column"):
        composite_index(x.iloc[:, :0])
    with pytest.raises(ValueError, match="missing values"):
        composite_index(pd.DataFrame({"a": [nan, nan], "b": [1.0, 0.0]}))


def test_composite_index_weights():
    x = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 1.0]}, index=["u", "v"])
    assert composite_index(x, {"a": 3, "b": 1}).tolist() == [0.25, 1.0]
    assert composite_index(x, {"a": 3, "b": 1}).equals(
        composite_index(x, pd.Series({"a": 3, "b": 1})))
    for w, message in (({"a": -1, "b": 1}, "non-negative"), ({"a": nan, "b": 1}, "missing"),
                       ({"a": np.inf, "b": 1}, "finite"), ({"a": 0, "b": 0}, "sum to 0")):
        with pytest.raises(ValueError, match=message):
            composite_index(x, w)
    with pytest.raises(TypeError, match="a pandas Series or a dict"):
        composite_index(x, [1, 2])


def test_max_attainable_names_the_metrics():
    with pytest.raises(ValueError, match="metric must be 'jaccard', 'dice', 'overlap' or "
                                         "'cosine', not 'foo'"):
        max_attainable([1, 2], "foo")
    assert max_attainable([1, 2]).tolist() == [[1.0, 0.5], [0.5, 1.0]]


@pytest.mark.parametrize("value, message", [(-1.0, "negative"), (np.inf, "infinite"),
                                            (nan, "NaN in a row that is not NaN throughout")])
@pytest.mark.parametrize("metric", ["jaccard", "cosine"])
def test_similarity_matrix_refuses_impossible_values(value, message, metric):
    m = pd.DataFrame([[1.0, 2.0, 0.0], [1.0, value, 3.0]], index=["u", "v"],
                     columns=["p", "q", "r"])
    with pytest.raises(ValueError, match=rf"row 'v', column 'q': .* – {message}"):
        similarity_matrix(m, metric)


def test_similarity_matrix_valid_values_match_scipy():
    m = pd.DataFrame([[1, 2, 0, 1], [0, 1, 3, 1], [2, 0, 0, 0], [nan] * 4], index=list("abcd"))
    s = similarity_matrix(m, "cosine").to_numpy()
    assert np.isnan(s[3]).all()
    x = m.iloc[:3].to_numpy()
    assert s[:3, :3] == pytest.approx(1 - squareform(pdist(x, "cosine")), abs=1e-12)
    j = similarity_matrix(m, "jaccard").to_numpy()[:3, :3]
    assert j == pytest.approx(1 - squareform(pdist(x > 0, "jaccard")), abs=1e-12)


@pytest.mark.parametrize("kw, exc, message", [
    ({"theme_weight": nan}, ValueError, "theme_weight is nan"),
    ({"theme_weight": np.inf}, ValueError, "theme_weight is inf"),
    ({"pillar_weight": -0.5}, ValueError, "pillar_weight is -0.5"),
    ({"theme_weight": "0.5"}, TypeError, "theme_weight must be a number"),
])
def test_hierarchical_similarity_refuses_bad_weights(kw, exc, message):
    from npstudy import load_practices
    with pytest.raises(exc, match=message):
        hierarchical_similarity(load_practices(), **kw)


# ------------------------------------------------ 7. clustering arguments and input

@pytest.mark.parametrize("k, exc, message", [
    (0, ValueError, "n_clusters must be from 1 to 4"), (-1, ValueError, "from 1 to 4"),
    (10, ValueError, "from 1 to 4"), (1.5, TypeError, "whole number, not 1.5"),
    (True, TypeError, "whole number"),
])
def test_cluster_provinces_refuses_impossible_cluster_numbers(k, exc, message):
    with pytest.raises(exc, match=message):
        cluster_provinces(_sim(), n_clusters=k)


def test_cluster_provinces_valid_numbers():
    assert cluster_provinces(_sim(), n_clusters=1)["cluster"].tolist() == [1] * 4
    assert sorted(cluster_provinces(_sim(), n_clusters=4)["cluster"].tolist()) == [1, 2, 3, 4]
    assert cluster_provinces(_sim(), n_clusters=np.int64(3))["cluster"].nunique() == 3


def test_linkage_matrix_refuses_what_is_not_a_similarity():
    with pytest.raises(ValueError, match=r"must be square .* not of shape \(4, 3\)"):
        linkage_matrix(_sim().iloc[:, :3])
    above = _sim()
    above.loc["a", "c"] = above.loc["c", "a"] = 1.5
    with pytest.raises(ValueError, match=r"similarity\['a', 'c'\] is 1.5: outside \[0, 1\]"):
        linkage_matrix(above)
    gap = _sim()
    gap.loc["b", "d"] = gap.loc["d", "b"] = nan
    with pytest.raises(ValueError, match=r"similarity\['b', 'd'\] is nan: NaN between"):
        linkage_matrix(gap)


def test_linkage_matrix_valid_value_matches_scipy():
    from scipy.cluster import hierarchy
    s = _sim()
    z, labels = linkage_matrix(s, optimal_ordering=False)
    ref = hierarchy.linkage(squareform(1 - s.to_numpy(), checks=False), "average")
    assert labels == UNITS and np.array_equal(z, ref)


# ---------------------------------------------------------- 8. krippendorff_alpha input

def test_krippendorff_refuses_negative_ratio_values():
    with pytest.raises(ValueError, match=r"data\[1\]\[0\] is -1 – ratio data are non-negative"):
        krippendorff_alpha([[1, 2, 3], [-1, 2, 3]], "ratio")
    assert krippendorff_alpha([[-1, 2, 3], [-1, 2, 3]], "interval") == 1.0


@pytest.mark.parametrize("level", ["nominal", "interval", "ratio"])
def test_krippendorff_refuses_infinite_values(level):
    with pytest.raises(ValueError, match=r"data\[0\]\[2\] is inf – values must be finite"):
        krippendorff_alpha([[1, 2, np.inf], [1, 2, 3]], level)


@pytest.mark.parametrize("data", [[1, 2, 3], [[[1, 2]], [[1, 2]]]])
def test_krippendorff_needs_coders_by_units(data):
    with pytest.raises(ValueError, match="two-dimensional, coders × units"):
        krippendorff_alpha(data)


def test_krippendorff_valid_value_matches_the_package():
    krippendorff = pytest.importorskip("krippendorff")
    data = [[1, 2, 3, 3, nan], [1, 2, 2, 3, 4], [nan, 2, 3, 3, 4]]
    for level in ("nominal", "interval", "ratio"):
        assert krippendorff_alpha(data, level) == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement=level), abs=1e-12)


# ------------------------------------------------------ 9. numbers of draws and levels

@pytest.mark.parametrize("kw, exc, message", [
    ({"n_boot": 0}, ValueError, "n_boot must be at least 1, not 0"),
    ({"n_boot": -5}, ValueError, "n_boot must be at least 1, not -5"),
    ({"n_boot": 2.0}, TypeError, "n_boot must be a whole number"),
    ({"group": 0}, ValueError, "group must be at least 1, not 0"),
    ({"group": -2}, ValueError, "group must be at least 1, not -2"),
    ({"level": 0}, ValueError, "level must be strictly between 0 and 1, not 0"),
    ({"level": 1.0}, ValueError, "strictly between 0 and 1, not 1.0"),
    ({"level": 95}, ValueError, "strictly between 0 and 1, not 95"),
    ({"level": nan}, ValueError, "strictly between 0 and 1, not nan"),
])
def test_agreement_with_intervals_validates_its_arguments(kw, exc, message):
    with pytest.raises(exc, match=message):
        agreement_with_intervals(["a", "b", "a", "b"], ["a", "b", "b", "b"], **kw)


@pytest.mark.parametrize("n, exc, message", [(0, ValueError, "n_samples must be at least 1, not 0"),
                                             (-3, ValueError, "at least 1, not -3"),
                                             (9.5, TypeError, "whole number")])
def test_null_model_test_validates_n_samples(n, exc, message):
    m = pd.DataFrame([[1, 1, 0], [0, 1, 1], [1, 0, 1]], index=list("abc"))
    with pytest.raises(exc, match=message):
        null_model_test(m, n_samples=n)


def test_region_tests_validate_their_numbers_of_draws():
    with pytest.raises(ValueError, match="n_perm must be at least 1, not 0"):
        region_test(_sim(), pd.Series(dict(zip(UNITS, "xxyy"))), n_perm=0)
    m = pd.DataFrame([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [0, 1, 0, 1]], index=UNITS)
    with pytest.raises(ValueError, match="n_samples must be at least 1, not 0"):
        region_test_fixed_rows(m, pd.Series(dict(zip(UNITS, "xxyy"))), n_samples=0)


# ============================================ second pass of the hostile-input review

# ------------------------------------------- 1. κ undefined only for one label throughout

def test_kappa_of_a_rare_label_is_defined_and_matches_sklearn():
    a = ["x"] * 300000 + ["y"]
    b = ["x"] * 299999 + ["y", "y"]
    assert cohen_kappa(a, a) == 1.0                                  # sklearn: 1.0
    assert cohen_kappa(a, b) == pytest.approx(0.6666651851835391, rel=1e-9)   # sklearn's value
    r = agreement_with_intervals(a, b, n_boot=1)
    assert r["kappa"] == pytest.approx(0.6666651851835391, rel=1e-9)
    assert math.isnan(cohen_kappa(["x"] * 5, ["x"] * 5))             # one label throughout


# -------------------------------------- 2. ordinal α orders numeric strings by number

def test_krippendorff_ordinal_orders_numeric_strings_by_value():
    numbers = [[1, 2, 10, 10, 3], [1, 2, 10, 2, 3], [1, 3, 10, 2, nan]]
    text = [[None if v is nan else str(v) for v in row] for row in numbers]
    # krippendorff.alpha(reliability_data=numbers, level_of_measurement="ordinal")
    expected = 0.7336065573770492
    assert krippendorff_alpha(numbers, "ordinal") == pytest.approx(expected, abs=1e-12)
    assert krippendorff_alpha(text, "ordinal") == pytest.approx(expected, abs=1e-12)
    mixed = [["1", 2, "10", 10.0, "3"], [1, "2", 10, 2, 3], [1, 3, "10", "2", None]]
    assert krippendorff_alpha(mixed, "ordinal") == pytest.approx(expected, abs=1e-12)
    try:
        import krippendorff
    except ImportError:
        return
    assert krippendorff.alpha(reliability_data=numbers, level_of_measurement="ordinal") == \
        pytest.approx(expected, abs=1e-12)
    # labels that are not all numbers keep the present order: numbers, then text as text
    assert krippendorff_alpha([["a", "b", "c"], ["a", "b", "b"]], "ordinal") == \
        pytest.approx(krippendorff.alpha(reliability_data=[[0, 1, 2], [0, 1, 1]],
                                         level_of_measurement="ordinal"), abs=1e-12)


# ------------------------------------ 3. ratio α converts a value before checking it

@pytest.mark.parametrize("value, message", [
    (Fraction(-1, 2), "is Fraction(-1, 2) – ratio data are non-negative"),
    ("-1", "is '-1' – ratio data are non-negative"),
    (Decimal("-3"), "is Decimal('-3') – ratio data are non-negative"),
    (Decimal("Infinity"), "is Decimal('Infinity') – values must be finite"),
    ("inf", "is 'inf' – values must be finite"),
])
def test_krippendorff_ratio_checks_values_after_conversion(value, message):
    with pytest.raises(ValueError, match=re_escape(f"data[0][2] {message}")):
        krippendorff_alpha([[1, 2, value], [1, 2, 3]], "ratio")


def test_krippendorff_interval_refuses_what_is_not_a_number():
    with pytest.raises(ValueError, match=re_escape("data[1][0] is 'low' – not a number")):
        krippendorff_alpha([[1, 2, 3], ["low", 2, 3]], "interval")
    assert krippendorff_alpha([[Fraction(1, 2), "2", 3], [0.5, 2, Decimal(3)]], "ratio") == 1.0


# --------------------------------- 4. similarity frames: columns by label, symmetric

def _shuffled_sim():
    s = pd.DataFrame([[1.0, 0.9, 0.1, 0.2], [0.9, 1.0, 0.15, 0.1], [0.1, 0.15, 1.0, 0.8],
                      [0.2, 0.1, 0.8, 1.0]], index=UNITS, columns=UNITS)
    return s, s[["c", "a", "d", "b"]]


def test_similarity_functions_align_columns_by_label():
    s, shuffled = _shuffled_sim()
    z, labels = linkage_matrix(s)
    z2, labels2 = linkage_matrix(shuffled)
    assert labels2 == labels and np.array_equal(z2, z)
    assert cluster_provinces(shuffled, n_clusters=2).equals(cluster_provinces(s, n_clusters=2))
    assert cluster_provinces(shuffled, n_clusters=2)["cluster"].to_dict() == {
        "a": 1, "b": 1, "c": 2, "d": 2} or cluster_provinces(shuffled, n_clusters=2)[
        "cluster"].to_dict() == {"a": 2, "b": 2, "c": 1, "d": 1}
    regions = pd.Series(dict(zip(UNITS, "xxyy")))
    r = region_test(shuffled, regions, n_perm=20).iloc[0]
    assert r["statistic"] == pytest.approx((0.9 + 0.8) / 2 - (0.1 + 0.2 + 0.15 + 0.1) / 4)
    assert region_test(s, regions, n_perm=20).equals(region_test(shuffled, regions, n_perm=20))


@pytest.mark.parametrize("func", [linkage_matrix, cluster_provinces,
                                  lambda s: region_test(s, pd.Series(dict(zip(UNITS, "xxyy"))),
                                                        n_perm=5)])
def test_similarity_functions_refuse_foreign_columns_and_asymmetry(func):
    s, _ = _shuffled_sim()
    with pytest.raises(ValueError, match=r"column 'z' is not a row label"):
        func(s.rename(columns={"d": "z"}))
    asym = s.copy()
    asym.loc["b", "c"] = 0.5
    with pytest.raises(ValueError, match=re_escape("not symmetric: similarity['b', 'c'] is 0.5 "
                                                   "but similarity['c', 'b'] is 0.15")):
        func(asym)
    with pytest.raises(ValueError, match=r"column label 'a' twice"):
        func(s.set_axis(["a", "a", "c", "d"], axis=1))


# ---------------------------- 5. null models refuse impossible counts and similarities

def test_region_test_refuses_infinite_similarities():
    s, _ = _shuffled_sim()
    s.loc["a", "c"] = s.loc["c", "a"] = np.inf
    with pytest.raises(ValueError, match=re_escape("similarity['a', 'c'] is inf – infinite")):
        region_test(s, pd.Series(dict(zip(UNITS, "xxyy"))), n_perm=5)


_PRESENCE = pd.DataFrame([[1, 1, 0, 0], [1, 0, 1, 0], [0, 0, 1, 1], [0, 1, 0, 1]], index=UNITS,
                         columns=list("pqrs"), dtype=float)


@pytest.mark.parametrize("value, message", [(-1.0, "negative"), (np.inf, "infinite"),
                                            (nan, "NaN in a row that is not NaN throughout")])
@pytest.mark.parametrize("func", [
    lambda m: null_model_test(m, n_samples=3),
    lambda m: region_test_fixed_rows(m, pd.Series(dict(zip(UNITS, "xxyy"))), n_samples=3),
    lambda m: region_test_fixed_rows(m, pd.Series(dict(zip(UNITS, "xxyy"))), n_samples=3,
                                     model="curveball"),
    lambda m: list(curveball_samples(m, 2)),
])
def test_null_models_refuse_impossible_counts(func, value, message):
    m = _PRESENCE.copy()
    m.loc["b", "r"] = value
    with pytest.raises(ValueError, match=re_escape(f"row 'b', column 'r': {value!r} – {message}")):
        func(m)


def test_region_test_fixed_rows_refuses_a_negated_matrix():
    with pytest.raises(ValueError, match=r"row 'a', column 'p': -1.0 – negative"):
        region_test_fixed_rows(-_PRESENCE, pd.Series(dict(zip(UNITS, "xxyy"))), n_samples=3)
    ok = _PRESENCE.copy()
    ok.loc["d"] = nan                      # a unit not mentioned: allowed, left out
    assert region_test_fixed_rows(ok, pd.Series(dict(zip(UNITS, "xxyy"))),
                                  n_samples=3)["units"].iloc[0] == 3


# ---------------------------------------------- 6. province lists: known codes, once

@pytest.mark.parametrize("func", [province_scores, coverage_matrix])
def test_province_lists_refuse_unknown_and_repeated_codes(func):
    from npstudy import load_practices
    p = load_practices()
    with pytest.raises(ValueError, match=re_escape("provinces[2] is 'CN-QQ', not an ISO code of "
                                                   "the gazetteer – did you mean 'CN-QH'?")):
        func(p, provinces=["CN-ZJ", "CN-JS", "CN-QQ"])
    with pytest.raises(ValueError, match=re_escape("provinces[2] is 'CN-ZJ', listed twice")):
        func(p, provinces=["CN-ZJ", "CN-JS", "CN-ZJ"])
    with pytest.raises(ValueError, match=re_escape("did you mean 'CN-ZJ'?")):
        func(p, provinces=["cn-zj"])
    assert len(func(p, provinces=["CN-ZJ", "CN-XZ"])) == 2    # a known code without practices


# ----------------------------------------------------------- 7. unitizing_alpha input

@pytest.mark.parametrize("column", ["coder", "category"])
@pytest.mark.parametrize("missing", [nan, None])
def test_unitizing_alpha_refuses_missing_coders_and_categories(column, missing):
    u = pd.concat([_units(), _units(3, 6)], ignore_index=True)
    u[column] = u[column].astype(object)
    u.loc[2, column] = missing
    with pytest.raises(ValueError, match=rf"units: row 2: {column}: {missing!r} – missing"):
        unitizing_alpha(u, 10)


def test_unitizing_alpha_takes_begin_and_length_as_text():
    u = _units(3, 6)
    assert unitizing_alpha(u, "10", begin="0").equals(unitizing_alpha(u, 10, begin=0))
    assert unitizing_alpha(u, 10.0, begin=2.0).equals(unitizing_alpha(u, 10, begin=2))


def _unitizing_reference(units, length, begin=0):
    """αu as computed before the second pass (quadratic), the reference for the fast form."""
    from npstudy.reliability import _delta_u, _segments
    coders = sorted(units["coder"].unique(), key=str)
    m, L = len(coders), length
    rows = []
    for cat in sorted(units["category"].unique(), key=str):
        sub = units[units["category"] == cat]
        segs = {c: _segments([(int(s), int(e)) for s, e in zip(
            sub.loc[sub["coder"] == c, "start"], sub.loc[sub["coder"] == c, "end"])], begin, L)
            for c in coders}
        observed = 0.0
        for i in coders:
            for j in coders:
                if i == j:
                    continue
                for g in segs[i]:
                    for h in segs[j]:
                        if h[0] >= g[0] + g[1]:
                            break
                        if h[0] + h[1] > g[0]:
                            observed += _delta_u(g, h)
        d_o = observed / (m * (m - 1) * L**2)
        lens = [seg[1] for c in coders for seg in segs[c] if seg[2]]
        gaps = [seg[1] for c in coders for seg in segs[c] if not seg[2]]
        n_c = len(lens)
        total = 0.0
        for lu in lens:
            total += (n_c - 1) * (2 * lu**3 - 3 * lu**2 + lu) / 3
            total += lu**2 * sum(lk - lu + 1 for lk in gaps if lk >= lu)
        d_e = 2 / L * total / (m * L * (m * L - 1) - sum(lu * (lu - 1) for lu in lens))
        rows.append((d_o, d_e))
    return [1 - o / e for o, e in rows], 1 - sum(o for o, _ in rows) / sum(e for _, e in rows)


def _random_units(rng, coders, n, length, cats="ab"):
    rows = []
    for c in range(coders):
        for cat in cats:
            cuts = np.sort(rng.choice(length, size=2 * n, replace=False))
            rows += [(c, cat, int(s), int(e)) for s, e in cuts.reshape(-1, 2)
                     if rng.random() < 0.8]
    return pd.DataFrame(rows, columns=["coder", "category", "start", "end"])


def test_unitizing_alpha_fast_form_equals_the_reference():
    rng = np.random.default_rng(7)
    for _ in range(15):
        coders, n = int(rng.integers(2, 5)), int(rng.integers(1, 25))
        u = _random_units(rng, coders, n, 300)
        u.loc[u.index[:2], "end"] = u.loc[u.index[:2], "start"]     # zero-length units too
        per_category, overall = _unitizing_reference(u, 300)
        got = unitizing_alpha(u, 300)
        assert got["alpha"].iloc[:-1].tolist() == pytest.approx(per_category, abs=1e-12)
        assert got.loc["all", "alpha"] == pytest.approx(overall, abs=1e-12)


# ------------------------------------------------------------------- 8. small ones

@pytest.mark.parametrize("kw, exc, message", [
    ({"n_samples": 0}, ValueError, "n_samples must be at least 1, not 0"),
    ({"n_samples": -1}, ValueError, "n_samples must be at least 1, not -1"),
    ({"n_samples": 2.5}, TypeError, "n_samples must be a whole number"),
    ({"n_samples": 2, "chains": 2.5}, TypeError, "chains must be a whole number"),
    ({"n_samples": 2, "chains": 0}, ValueError, "chains must be at least 1, not 0"),
    ({"n_samples": 2, "burnin": 2.5}, TypeError, "burnin must be a whole number"),
    ({"n_samples": 2, "thin": -1}, ValueError, "thin must be at least 0, not -1"),
])
def test_curveball_samples_validates_its_numbers(kw, exc, message):
    with pytest.raises(exc, match=message):
        curveball_samples(_PRESENCE, **kw)          # at the call, before any draw


def test_composite_index_refuses_weights_as_text():
    x = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 1.0]}, index=["u", "v"])
    for w in (pd.Series({"a": "1", "b": "3"}), {"a": "1", "b": 3}):
        with pytest.raises(TypeError, match=re_escape("weights['a'] is '1' (str) – weights must "
                                                      "be numbers")):
            composite_index(x, w)
    assert composite_index(x, {"a": 1, "b": 3}).tolist() == [0.75, 1.0]


def test_balance_of_huge_counts_stays_within_its_maximum():
    out = balance(pd.DataFrame([[1e308, 1e308], [1e308, 3e307], [1.0, 1.0]]))
    assert out.loc[0, "balance_simpson"] == 0.5 and out.loc[0, "balance_entropy"] == 1.0
    shares = np.array([1e308, 3e307]) / 1.3e308
    assert out.loc[1, "balance_simpson"] == pytest.approx(1 - (shares ** 2).sum(), abs=1e-15)
    assert out.loc[1, "balance_entropy"] == pytest.approx(scipy_entropy(shares) / math.log(2),
                                                          abs=1e-12)


def test_cosine_of_tiny_rows_does_not_underflow():
    m = pd.DataFrame([[1e-200, 2e-200, 0], [1e-200, 0, 3e-200], [1, 2, 0]], index=list("abc"))
    s = similarity_matrix(m, "cosine").to_numpy()
    ref = 1 - squareform(pdist(np.array([[1, 2, 0], [1, 0, 3], [1, 2, 0]]), "cosine"))
    assert s == pytest.approx(ref, abs=1e-12)
    huge = similarity_matrix(m * 1e300 / 1e100, "cosine").to_numpy()   # rows of 1e0..1e200
    assert huge == pytest.approx(ref, abs=1e-12)


# ------------------------------------------------------------------- a last campaign

@pytest.mark.parametrize("missing", [np.datetime64("NaT"), np.timedelta64("NaT"),
                                     decimal.Decimal("NaN")])
def test_every_kind_of_missing_value_is_a_missing_label(missing):
    # numpy's NaT and Decimal('NaN') were counted as ordinary labels (kappa 0.5)
    with pytest.raises(ValueError, match=r"a\[0\] is .*a missing label"):
        cohen_kappa([missing, 1, 2], [1, 1, 2])
    # alpha allows missing values: the same as with None (1.0: the other two units agree)
    assert krippendorff_alpha([[missing, 1, 2], [1, 1, 2]]) == krippendorff_alpha(
        [[None, 1, 2], [1, 1, 2]]) == 1.0


def test_alpha_takes_an_integer_too_large_for_a_float_as_a_label():
    # nominal labels are compared, never converted: 10**400 is a label like 3
    assert krippendorff_alpha([[10**400, 1], [10**400, 2]]) == krippendorff_alpha([[3, 1], [3, 2]])


def test_entropy_weights_of_an_indicator_wider_than_the_largest_float():
    # min-max standardisation is scale-free: ±1e308 weighs as ±1 does, without an overflow
    wide = pd.DataFrame({"a": [-1e308, 1e308, 0.0], "b": [0.0, 1.0, 2.0]})
    narrow = pd.DataFrame({"a": [-1.0, 1.0, 0.0], "b": [0.0, 1.0, 2.0]})
    with np.errstate(over="raise"):
        got = entropy_weights(wide)
    pd.testing.assert_series_equal(got, entropy_weights(narrow))
    pd.testing.assert_series_equal(composite_index(wide, "entropy"),
                                   composite_index(narrow, "entropy"))
