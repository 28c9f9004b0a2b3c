"""External indicators: the data check themselves, and the tests give hand-worked values."""

import itertools
import re
import shutil
from fractions import Fraction

import frictionless
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from npstudy import load_practices
from npstudy.external import (EVIDENCE_MAX, _fisher_row, datapackage_json, external_dir,
                              external_tables, indicator_profile, left_out, load_indicator_meta,
                              load_indicators, pooled_programme_test, programme_tests,
                              spearman_permutation)
from npstudy.fileio import DataError



@pytest.fixture(scope="module")
def ind():
    return load_indicators()


def _value(ind, prov, indicator):
    return ind.query("province == @prov and indicator == @indicator")["value"].iloc[0]


# ----------------------------------------------------------------------------- the data

def test_every_province_has_one_row_per_indicator(ind):
    meta = load_indicator_meta()
    assert len(meta) >= 12
    assert set(meta["pillar"]) - {""} == {"innovation", "new_tracks", "green", "reform"}
    assert len(ind) == 31 * len(meta)
    assert (ind.groupby("indicator").size() == 31).all()


def test_list_indicators_add_up_to_the_counts_their_sources_state(ind):
    total = ind.groupby("indicator")["value"].sum()
    hosts = ind[ind["value"] > 0].groupby("indicator").size()
    assert total["climate_finance_pilots"] == 23          # "试点共有23个"
    assert total["national_new_areas"] == 19              # "全国有19个国家级新区"
    assert total["pilot_ftz"] == 22                       # 22 zones, one per province
    assert hosts["advanced_manufacturing_clusters"] == 19  # "涉及19个省"
    # 45 clusters; the Beijing-Tianjin-Hebei one counts three times, the Chengdu-Chongqing twice
    assert total["advanced_manufacturing_clusters"] == 45 + 2 + 1
    assert total["carbon_trading_pilot"] == 6             # 7 pilots, Shenzhen inside Guangdong
    assert total["science_centre"] == 4
    assert total["business_environment_pilot"] == 5      # 6 cities, 2 in Guangdong
    assert total["talent_hub"] == 3                       # Beijing, Shanghai, Greater Bay Area


def test_known_values_have_a_source_and_short_evidence_and_unknown_ones_have_neither(ind):
    known = ind["value"].notna()
    assert ind.loc[known, "source_url"].str.match(r"https?://").all()
    assert (ind.loc[known, "evidence"].str.len().between(1, EVIDENCE_MAX)).all()
    assert (ind.loc[~known, "source_url"] == "").all() and (ind.loc[~known, "evidence"] == "").all()
    assert (ind.loc[~known, "note"] != "").all()          # an empty value says why


def test_numbers_in_the_evidence_match_the_value(ind):
    """Where the evidence quotes a number with a decimal point, it is the value."""
    for _, r in ind.dropna(subset=["value"]).iterrows():
        nums = [float(x) for x in re.findall(r"\d+\.\d+", r["evidence"])]
        if nums:
            assert r["value"] in nums, (r["province"], r["indicator"], r["evidence"])


def test_rd_intensity_is_the_2023_bulletin_value(ind):
    assert _value(ind, "CN-BJ", "rd_intensity") == 6.73
    assert _value(ind, "CN-AH", "rd_intensity") == 2.69
    assert np.isnan(_value(ind, "CN-HB", "rd_intensity"))   # not stated: empty, not guessed


def test_rd_values_below_the_thresholds_come_from_the_provinces_own_releases(ind):
    assert _value(ind, "CN-HE", "rd_intensity") == 2.08     # "为2.08%", Hebei bureau
    assert _value(ind, "CN-HA", "rd_intensity") == 2.05     # "投入强度为2.05%", Henan
    assert _value(ind, "CN-SX", "rd_expenditure") == 298.2  # "经费298.2亿元", Shanxi
    assert _value(ind, "CN-HA", "rd_expenditure") == 1211.7  # the national list's figure is kept
    rd = ind[ind["indicator"] == "rd_intensity"].set_index("province")["value"]
    assert rd.notna().sum() == 15 and (rd.dropna() > 2.65).sum() == 7   # the listed seven
    exp = ind[ind["indicator"] == "rd_expenditure"].set_index("province")["value"]
    assert exp.notna().sum() == 20 and (exp.dropna() > 1000).sum() == 12


def test_gdp_per_capita_evidence_states_the_value_in_yuan(ind):
    gdp = ind[(ind["indicator"] == "gdp_per_capita")].dropna(subset=["value"])
    assert set(gdp["province"]) == {"CN-BJ", "CN-ZJ", "CN-FJ", "CN-HA", "CN-GD", "CN-SC", "CN-XZ", "CN-NX"}
    for _, r in gdp.iterrows():
        m = re.search(r"(\d[\d,]*)(万)?元?", r["evidence"])
        stated = int(m.group(1).replace(",", "")) * (10_000 if m.group(2) else 1)
        assert stated == r["value"], (r["province"], r["evidence"])
    assert _value(ind, "CN-ZJ", "gdp_per_capita") == 125043


def test_datapackage_is_generated_from_the_schema_and_validates():
    path = external_dir() / "datapackage.json"
    assert path.read_text(encoding="utf-8") == datapackage_json()
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_bad_province(tmp_path):
    for f in external_dir().iterdir():
        shutil.copy(f, tmp_path / f.name)
    text = (tmp_path / "indicators.csv").read_text(encoding="utf-8")
    (tmp_path / "indicators.csv").write_text(text.replace("CN-AH,", "CN-XX,", 1), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert [e[1:] for e in report.flatten(["rowNumber", "fieldName", "type"])][0] == [
        "province", "constraint-error"]


# ----------------------------------------------------------------------------- bad input

def _broken(tmp_path, old, new, count=1):
    text = (external_dir() / "indicators.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "indicators.csv"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


@pytest.mark.parametrize("old,new,expect", [
    ("CN-JS,rd_intensity,3.29", "江苏,rd_intensity,3.29", "did you mean 'CN-JS'?"),
    ("CN-BJ,rd_intensity,6.73,", "CN-BJ,rd_intensity,6.73%,", "'6.73%', not a number"),
    ("CN-SH,science_centre,1,", "CN-SH,science_centre,2,", "a binary indicator is 0 or 1"),
    ("CN-BJ,rd_intensity,6.73,percent", "CN-BJ,rd_intensity,6.73,%", "measured in 'percent'"),
    ("CN-BJ,rd_intensity,6.73,percent,2023,http", "CN-BJ,rd_intensity,6.73,percent,2023,www",
     "column 'source_url'"),
    ("北京(6.73%)", "北京" * 16, "at most 30"),
    ("CN-HB,rd_intensity,,percent,2023,,,,", "CN-HB,rd_intensity,,percent,2023,http://x.org,,,",
     "the value is empty but a source"),
    ("CN-BJ,rd_intensity,", "CN-BJ,no_such_indicator,", "does not describe"),
    # full-width and other non-ASCII digits are refused, as everywhere in the package
    ("CN-BJ,rd_intensity,6.73,", "CN-BJ,rd_intensity,６.７３,", "no full-width digits"),
    ("CN-BJ,rd_intensity,6.73,percent,2023,", "CN-BJ,rd_intensity,6.73,percent,２０２３,",
     "write a year like 2023"),
    ("CN-BJ,rd_intensity,6.73,", "CN-BJ,rd_intensity,-6.73,", "finite and ≥ 0"),
    ("infoview217203.htm,2024-10-08", "infoview217203.htm,２０２４-１０-０８", "write YYYY"),
])
def test_bad_rows_get_an_error_naming_file_row_column_and_value(tmp_path, old, new, expect):
    path = _broken(tmp_path, old, new)
    with pytest.raises(DataError) as err:
        load_indicators(path)
    msg = str(err.value)
    assert expect in msg and str(path) in msg
    assert f"{path}:" in msg and msg.split(f"{path}:")[1].split(":")[0].isdigit()


def test_a_missing_province_row_is_named(tmp_path):
    text = (external_dir() / "indicators.csv").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines(keepends=True)
             if not ln.startswith("CN-XZ,national_new_areas,")]
    path = tmp_path / "indicators.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError, match="'national_new_areas' has no row for CN-XZ"):
        load_indicators(path)


def test_wrong_columns_are_listed(tmp_path):
    path = _broken(tmp_path, "evidence,note", "quote,note")
    with pytest.raises(DataError, match="missing: evidence; unexpected: quote"):
        load_indicators(path)


def test_loading_does_not_change_the_files():
    before = {f.name: f.read_bytes() for f in external_dir().iterdir()}
    load_indicators()
    assert before == {f.name: f.read_bytes() for f in external_dir().iterdir()}


# ----------------------------------------------------------------------------- statistics

def test_fisher_row_by_hand():
    # named 1,1,0,0,0; hosts 1,0,1,0,0 → a=1, b=1, c=1, d=2. With N=5, K=2 hosts, n=2 named,
    # P(X >= 1) = 1 - C(3,2)/C(5,2) = 1 - 3/10
    r = _fisher_row(pd.Series([1, 1, 0, 0, 0]), pd.Series([1, 0, 1, 0, 0]))
    assert (r["named_hosts"], r["named_others"], r["unnamed_hosts"], r["unnamed_others"]) == (1, 1, 1, 2)
    assert r["p_value"] == pytest.approx(0.7)
    assert r["odds_ratio"] == pytest.approx(2.0)


def test_fisher_rows_skip_unknown_hosts():
    r = _fisher_row(pd.Series([1, 1, 0, 0, 0]), pd.Series([1, np.nan, 1, 0, 0]))
    assert r["provinces"] == 4


def _stratum(a, b, c, d):
    return {"named_hosts": a, "named_others": b, "unnamed_hosts": c, "unnamed_others": d}


def test_pooled_test_with_one_stratum_is_fishers_test():
    s = _stratum(4, 2, 3, 22)
    got = pooled_programme_test(pd.DataFrame([s]))
    _, p = stats.fisher_exact([[4, 2], [3, 22]], alternative="greater")
    assert got["p_value"] == pytest.approx(p, rel=1e-12)
    assert got["odds_ratio_mh"] == pytest.approx(4 * 22 / (2 * 3))


def test_pooled_test_by_hand():
    # two strata with N=4, K=2, n=2: a ~ hypergeometric with P(0, 1, 2) = 1/6, 4/6, 1/6.
    # observed a = 2 and 1, T = 3: P(T >= 3) = 1/6*4/6 + 4/6*1/6 + 1/6*1/6 = 9/36
    got = pooled_programme_test(pd.DataFrame([_stratum(2, 0, 0, 2), _stratum(1, 1, 1, 1)]))
    assert got["p_value"] == pytest.approx(9 / 36)
    assert got["named_hosts"] == 3 and got["expected"] == pytest.approx(2.0)
    # MH: (2*2/4 + 1*1/4) / (0 + 1*1/4) = 5
    assert got["odds_ratio_mh"] == pytest.approx(5.0)


def test_spearman_exact_by_hand():
    # rho = 1 - sum d^2 / 10 for n = 4; |rho| >= 0.8 for sum d^2 in {0, 2, 18, 20}: 1+3+3+1 of 24
    r = spearman_permutation([1, 2, 3, 4], [1, 3, 2, 4])
    assert r["rho"] == pytest.approx(0.8) and r["method"] == "exact"
    assert r["p_value"] == pytest.approx(8 / 24)


def test_spearman_matches_scipy_on_ties_and_its_exact_permutation_test():
    x = np.array([3.0, 1, 4, 1, 5, 9])
    y = np.array([2.0, 7, 1, 8, 2, 8])
    r = spearman_permutation(x, y)
    assert r["rho"] == pytest.approx(stats.spearmanr(x, y).statistic)
    # two-sided as P(|rho*| >= |rho|) over all 6! pairings
    ref = stats.permutation_test((x,), lambda a: abs(stats.spearmanr(a, y).statistic),
                                 permutation_type="pairings", n_resamples=np.inf,
                                 alternative="greater")
    assert r["p_value"] == pytest.approx(ref.pvalue)


def test_spearman_monte_carlo_is_seeded_and_close_to_exact():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=9), rng.normal(size=9)
    exact = spearman_permutation(x, y, exact_max=9)
    mc = spearman_permutation(x, y, n_perm=9999, seed=3)
    assert mc == spearman_permutation(x, y, n_perm=9999, seed=3)
    assert mc["method"] == "permutation" and exact["method"] == "exact"
    assert abs(mc["p_value"] - exact["p_value"]) < 0.02


def test_spearman_with_too_few_values_is_nan():
    r = spearman_permutation([1, 2], [2, 1])
    assert r["method"] == "too few" and np.isnan(r["p_value"])


def test_profile_by_hand_for_shanghai(ind):
    prof = indicator_profile(ind)
    # science_centre and scitech_finance_pilot: 4 hosts of 31 share ranks 28..31 → 29.5,
    # scaled (29.5 - 1) / 30 = 0.95. rd_intensity: Shanghai is second of seven listed,
    # rank 30 → 29/30. rd_expenditure: sixth of twelve listed, rank 26 → 25/30.
    assert prof.loc["CN-SH", "ind_innovation"] == pytest.approx((0.95 + 0.95 + 29 / 30 + 25 / 30) / 4)
    # a province listed nowhere: ties below every threshold and list
    # rd: 24 tie → rank 12.5 → 11.5/30; rd_exp: 19 tie → 10 → 9/30; binaries 27 tie → 14 → 13/30
    assert prof.loc["CN-QH", "ind_innovation"] == pytest.approx((11.5 + 9 + 13 + 13) / 30 / 4)
    assert prof.loc["CN-SH", "ind_rank_min"] <= prof.loc["CN-SH", "ind_rank"] <= prof.loc["CN-SH", "ind_rank_max"]
    assert prof["ind_rank"].min() == 1 and len(prof) == 31


def test_a_known_rd_value_below_the_threshold_ties_with_an_unknown_one(ind):
    prof = indicator_profile(ind)
    # Hebei (2.08%, 912.1 yi yuan) and Qinghai (both empty) host no innovation programme:
    # both tie at each threshold, so their innovation scores are equal
    assert np.isnan(_value(ind, "CN-QH", "rd_intensity"))
    assert prof.loc["CN-HE", "ind_innovation"] == pytest.approx((11.5 + 9 + 13 + 13) / 30 / 4)
    assert prof.loc["CN-HE", "ind_innovation"] == prof.loc["CN-QH", "ind_innovation"]


def test_an_indicator_known_for_a_few_provinces_names_no_leader(ind):
    lo = left_out(load_practices(), ind)
    # GDP per capita is known for six provinces; Fujian would be second among them, but a
    # province without a value (Shanghai, Jiangsu …) could lie above it
    assert _value(ind, "CN-FJ", "gdp_per_capita") == 129865
    assert "gdp_per_capita" not in set(lo["indicator"])
    # R&D intensity is complete above 2.65%: its leaders are the first three listed
    top = lo[lo["indicator"] == "rd_intensity"].sort_values("rank")["province"].tolist()
    assert top == ["CN-BJ", "CN-SH", "CN-TJ"]


def test_profile_leaves_inputs_unchanged(ind):
    copy = ind.copy()
    indicator_profile(ind, load_practices())
    pd.testing.assert_frame_equal(ind, copy)


def test_tianjin_leads_rd_intensity_and_is_left_out(ind):
    lo = left_out(load_practices(), ind)
    row = lo[(lo["indicator"] == "rd_intensity") & (lo["province"] == "CN-TJ")].iloc[0]
    assert row["rank"] == 3 and row["rows"] == 0 and row["left_out"]
    assert not lo[(lo["indicator"] == "rd_intensity") & (lo["province"] == "CN-SH")]["left_out"].any()


def test_talent_hub_fisher_p_by_hand(ind):
    t = programme_tests(load_practices(), ind).set_index("indicator").loc["talent_hub"]
    # hosts Beijing, Shanghai, Guangdong; the article names Shanghai, Zhejiang and Shandong
    # under talent: 1 named host. One-sided p = P(X >= 1) for X ~ Hypergeometric(31, 3, 3)
    # = 1 - C(28, 3) / C(31, 3) = 1 - 3276/4495 = 1219/4495
    assert (t["named_hosts"], t["named_others"], t["unnamed_hosts"]) == (1, 2, 2)
    assert t["p_value"] == pytest.approx(1219 / 4495)


def test_programme_tests_count_the_article_and_the_hosts(ind):
    p = load_practices()
    t = programme_tests(p, ind).set_index("indicator")
    r = t.loc["science_centre"]
    named = set(p.loc[p["theme"] == "innovation.basic_research", "province"]) & {
        "CN-BJ", "CN-SH", "CN-GD", "CN-AH"}
    assert r["named_hosts"] == len(named)
    assert r["named_hosts"] + r["unnamed_hosts"] == 4
    assert r["p_value"] == pytest.approx(stats.fisher_exact(
        [[r["named_hosts"], r["named_others"]], [r["unnamed_hosts"], r["unnamed_others"]]],
        alternative="greater")[1])


def test_external_tables_are_reproducible():
    p = load_practices()
    a = external_tables(p, n_perm=199, seed=5)
    b = external_tables(p, n_perm=199, seed=5)
    for name in ("external_tests", "external_profile", "external_left_out"):
        pd.testing.assert_frame_equal(a[name], b[name])
    tests = a["external_tests"]
    assert set(tests["test"]) == {"fisher", "pooled_exact", "pooled_breadth_fixed", "spearman_breadth",
                                  "profile_vs_article"}


def test_breadth_fixed_overlap_test_against_enumeration():
    """Every 0/1 matrix with the margins of x is enumerated; the exact p is the share with
    at least the observed overlap. The curveball p must come close."""
    from npstudy.external import _overlap_test

    x = np.array([[1, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [1, 0, 0, 0]], dtype=bool)
    hosts = np.array([[1, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 1, 0]], dtype=bool)
    rows, cols = x.sum(axis=1), x.sum(axis=0)
    same = []
    for bits in itertools.product([0, 1], repeat=x.size):
        m = np.array(bits, dtype=bool).reshape(x.shape)
        if (m.sum(axis=1) == rows).all() and (m.sum(axis=0) == cols).all():
            same.append(int((m & hosts).sum()))
    t = int((x & hosts).sum())
    exact = Fraction(sum(s >= t for s in same), len(same))
    got = _overlap_test(x, hosts, n_samples=4999, seed=11)
    assert got["named_hosts"] == t == 4
    assert abs(got["p_value"] - float(exact)) < 0.03
    assert got["null_mean"] == pytest.approx(np.mean(same), abs=0.05)


def test_build_refuses_bad_indicators_with_one_error_line(tmp_path, monkeypatch, capsys):
    from npstudy import data_dir
    from npstudy.cli import main

    data = tmp_path / "data"
    shutil.copytree(data_dir(), data)
    bad = data / "external" / "indicators.csv"
    bad.write_text(bad.read_text(encoding="utf-8").replace("CN-BJ,rd_intensity,6.73,",
                                                           "CN-BJ,rd_intensity,6.73%,"),
                   encoding="utf-8")
    monkeypatch.setenv("NPSTUDY_DATA", str(data))
    out = tmp_path / "figs"
    code = main(["build", "--out", str(out), "--lang", "en"])
    err = capsys.readouterr().err
    assert code != 0
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("npstudy: error: ")
    assert "indicators.csv:2: column 'value' has '6.73%'" in lines[0]
    assert not out.exists()                     # nothing written


@pytest.mark.parametrize("old,new,expect", [
    ("science_centre,Comprehensive", "pilot_ftz,Comprehensive", "repeats 'pilot_ftz'"),
    (",innovation,innovation.basic_research,", ",innovaton,innovation.basic_research,",
     "column 'pillar' has 'innovaton'"),
    ("binary,binary,false", "binary,yes/no,false", "column 'kind' has 'yes/no'"),
    ("binary,binary,false", "binary,binary,true", "more than one primary indicator"),
])
def test_bad_metadata_gets_an_error_naming_the_row(tmp_path, old, new, expect):
    text = (external_dir() / "indicators_meta.csv").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "indicators_meta.csv"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(expect)):
        load_indicator_meta(path)
