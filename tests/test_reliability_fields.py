"""κ and α with intervals for every field, Krippendorff's αu, and the no-judgement baseline.

Reference values come from elsewhere: scikit-learn's ``cohen_kappa_score`` and the
``krippendorff`` package for κ and α, Krippendorff's (2004) published unitizing example
for αu, and small examples worked by hand.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from npstudy import load_practices, load_source
from npstudy.fileio import DataError
from npstudy.reliability import (agreement_csv, agreement_table, agreement_with_intervals,
                                 baseline_coding, cohen_kappa, krippendorff_alpha,
                                 match_statements, named_provinces, read_coding,
                                 unitizing_alpha)
from npstudy.reliability import _delta_u

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ αu

def _krippendorff_2004():
    # Krippendorff (2004), Content Analysis, 2nd ed., p. 254: a continuum of 300 from 150,
    # coders i and j, categories c and k; (coder, category, begin, length)
    units = [(0, "c", 225, 70), (0, "c", 370, 30), (1, "c", 220, 80), (1, "c", 355, 20),
             (1, "c", 400, 20), (0, "k", 180, 60), (0, "k", 300, 50), (1, "k", 180, 60),
             (1, "k", 300, 50)]
    return pd.DataFrame([(c, k, b, b + n) for c, k, b, n in units],
                        columns=["coder", "category", "start", "end"])


def test_unitizing_alpha_reproduces_krippendorff_2004():
    t = unitizing_alpha(_krippendorff_2004(), length=300, begin=150)
    assert t.loc["c", "observed"] == pytest.approx(0.0144, abs=5e-5)
    assert t.loc["c", "expected"] == pytest.approx(0.0532, abs=5e-5)
    assert t.loc["c", "alpha"] == pytest.approx(0.7286, abs=5e-5)
    assert t.loc["k", "observed"] == 0.0
    assert t.loc["k", "expected"] == pytest.approx(0.0490, abs=5e-5)
    assert t.loc["k", "alpha"] == 1.0
    # the book's 0.8591 is 1 - 0.0144 / (0.0532 + 0.0490), from the rounded disagreements
    assert t.loc["all", "alpha"] == pytest.approx(0.8591, abs=5e-4)
    assert 1 - 0.0144 / (0.0532 + 0.0490) == pytest.approx(0.8591, abs=5e-5)


def test_unitizing_distances_of_the_published_example():
    # Krippendorff (2004: 254): unit against unit, and a unit inside the other coder's gap
    assert _delta_u((225, 70, True), (220, 80, True)) == 50     # 5² + 5²
    assert _delta_u((370, 30, True), (355, 20, True)) == 850    # 15² + 25²
    assert _delta_u((400, 50, False), (400, 20, True)) == 400   # 20²
    assert _delta_u((0, 5, True), (10, 5, True)) == 0           # no overlap, no distance


def test_unitizing_alpha_by_hand():
    # continuum of 10; coder 1 marks [2, 5), coder 2 marks [3, 6).
    # Observed: the two units overlap, δ² = (2-3)² + (5-6)² = 2, counted for (1,2) and (2,1):
    #   D_o = 4 / (2·1·10²) = 0.02.
    # Expected: N = 2 units of length 3; gaps 2, 5 (coder 1) and 3, 4 (coder 2).
    #   per unit: (N-1)(2·27 - 3·9 + 3)/3 = 10, plus 3² · [(5-3+1) + (3-3+1) + (4-3+1)] = 54
    #   D_e = (2/10) · 128 / (2·10·19 - 2·3·2) = 0.2 · 128 / 368
    u = pd.DataFrame({"coder": [1, 2], "category": ["s", "s"], "start": [2, 3], "end": [5, 6]})
    t = unitizing_alpha(u, length=10)
    d_e = 0.2 * 128 / 368
    assert t.loc["s", "observed"] == pytest.approx(0.02)
    assert t.loc["s", "expected"] == pytest.approx(d_e)
    assert t.loc["all", "alpha"] == pytest.approx(1 - 0.02 / d_e)
    assert t.loc["all", "alpha"] == pytest.approx(0.7125)


def test_unitizing_alpha_falls_when_units_are_cut_differently():
    same = pd.DataFrame({"coder": [1, 2], "category": "s", "start": [10, 10], "end": [30, 30]})
    split = pd.DataFrame({"coder": [1, 2, 2], "category": "s", "start": [10, 10, 20],
                          "end": [30, 20, 30]})
    assert unitizing_alpha(same, 100).loc["all", "alpha"] == 1.0
    assert unitizing_alpha(split, 100).loc["all", "alpha"] < 0.8


def test_unitizing_alpha_rejects_overlapping_units_of_one_coder():
    bad = pd.DataFrame({"coder": [1, 1, 2], "category": "s", "start": [0, 3, 0], "end": [5, 8, 5]})
    with pytest.raises(ValueError, match="overlap"):
        unitizing_alpha(bad, 10)


# ------------------------------------------------------- κ and α with intervals

def test_kappa_and_alpha_against_scikit_learn_and_krippendorff():
    from krippendorff import alpha as k_alpha
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    x = rng.choice(list("abcd"), 60)
    y = np.where(rng.random(60) < 0.7, x, rng.choice(list("abcd"), 60))
    r = agreement_with_intervals(x, y, n_boot=500, seed=3)
    assert r["kappa"] == pytest.approx(cohen_kappa_score(x, y), abs=1e-12)
    codes = {v: i for i, v in enumerate("abcd")}
    data = np.array([[codes[v] for v in x], [codes[v] for v in y]], dtype=float)
    assert r["alpha"] == pytest.approx(k_alpha(reliability_data=data, level_of_measurement="nominal"),
                                       abs=1e-12)
    assert r["kappa_low"] < r["kappa"] < r["kappa_high"]
    assert r["alpha_low"] < r["alpha"] < r["alpha_high"]
    assert r["disagreements"] == int((x != y).sum()) and r["units"] == 60


def test_bootstrap_is_seeded_and_resamples_units():
    x, y = list("aabbaabbab"), list("aabbabbbaa")
    r1 = agreement_with_intervals(x, y, n_boot=300, seed=1)
    assert r1 == agreement_with_intervals(x, y, n_boot=300, seed=1)
    assert r1 != agreement_with_intervals(x, y, n_boot=300, seed=2)
    # by hand: resampling the units with the same generator gives the same interval
    rng = np.random.default_rng(1)
    draws = rng.integers(0, 10, size=(300, 10))
    kappas = [cohen_kappa([x[i] for i in d], [y[i] for i in d]) for d in draws]
    kappas = np.array([k for k in kappas if not np.isnan(k)])
    assert r1["kappa_low"] == pytest.approx(np.percentile(kappas, 2.5))
    assert r1["kappa_high"] == pytest.approx(np.percentile(kappas, 97.5))


def test_grouped_labels_are_resampled_together():
    # two units of three labels each; the point estimate pools all six labels
    x, y = [1, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 1]
    r = agreement_with_intervals(x, y, n_boot=50, seed=0, group=3)
    assert r["units"] == 2 and r["kappa"] == pytest.approx(cohen_kappa(x, y))
    assert r["alpha"] == pytest.approx(krippendorff_alpha([x, y]))
    with pytest.raises(ValueError, match="whole units"):
        agreement_with_intervals(x[:5], y[:5], group=3)


# ---------------------------------------------------------------- matching

def test_match_statements_follows_the_frozen_rule():
    a = pd.DataFrame({"province": ["X", "X", "Y", "X"], "start": [0, 10, 0, 40], "end": [8, 20, 8, 45]})
    b = pd.DataFrame({"province": ["X", "Y", "X", "Z"], "start": [5, 2, 12, 0], "end": [15, 6, 30, 8]})
    m = match_statements(a, b)
    pairs = {(r.row_first, r.row_second, r.overlap) for r in m.itertuples()}
    # b0 [5,15) overlaps a0 by 3 and a1 by 5; b2 [12,30) overlaps a1 by 8: a1–b2 first (largest),
    # then a0–b0; Y pairs; a3 and the Z row have no partner
    assert pairs == {(1, 2, 8), (0, 0, 3), (2, 1, 4), (3, -1, 0), (-1, 3, 0)}


def test_tie_goes_to_the_earlier_pair():
    a = pd.DataFrame({"province": ["X", "X"], "start": [0, 10], "end": [10, 20]})
    b = pd.DataFrame({"province": ["X"], "start": [5], "end": [15]})
    m = match_statements(a, b)
    assert m[(m["row_first"] >= 0) & (m["row_second"] >= 0)]["row_first"].tolist() == [0]


# --------------------------------------------------------------- baseline

def test_baseline_gives_every_named_province_the_paragraph_theme():
    text = "标题\n甲说,上海设立基金。浙江和江苏建设平台\n结尾提到广东"
    layout = pd.DataFrame({"line": [0, 1, 2], "role": ["heading", "paragraph", "conclusion"],
                           "theme": ["", "t.one", ""]})
    b = baseline_coding(text, layout)
    assert b[["province", "theme"]].values.tolist() == [
        ["CN-SH", "t.one"], ["CN-ZJ", "t.one"], ["CN-JS", "t.one"]]
    assert (b["code"] == "").all()
    for row in b.itertuples():
        assert text[row.start:row.end] == row.quote
    assert named_provinces("内蒙古自治区与内蒙古")["province"].tolist() == ["CN-NM", "CN-NM"]


# ------------------------------------------------------------ reading codings

def test_read_coding_errors_name_file_row_and_fix(tmp_path):
    text = "上海设立基金"
    head = "statement,province,city,theme,code,instrument_type,scope,quote,start,end\n"
    good = tmp_path / "c.csv"
    good.write_text(head + "S001,CN-SH,,t,c,fund,provincial,上海设立基金,0,6\n", encoding="utf-8")
    assert read_coding(good, text)["end"].tolist() == [6]
    off = tmp_path / "off.csv"
    off.write_text(head + "S001,CN-SH,,t,c,fund,provincial,设立基金,0,4\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"off.csv:2: quote: .* the quote is at 2–6"):
        read_coding(off, text)
    short = tmp_path / "short.csv"
    short.write_text("province,quote\nCN-SH,x\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column"):
        read_coding(short)
    word = tmp_path / "word.csv"
    word.write_text(head + "S001,CN-SH,,t,c,fund,provincial,上海,zero,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="word.csv:2: start: 'zero' – not a whole number"):
        read_coding(word)


# ------------------------------------------------------ the shipped table

@pytest.fixture(scope="module")
def table():
    return agreement_table()


def test_agreement_csv_is_current(table):
    shipped = (ROOT / "data" / "reliability" / "agreement.csv").read_text(encoding="utf-8")
    assert agreement_csv(table) == shipped


def test_agreement_table_every_field_and_the_baseline(table):
    t = table.set_index(["comparison", "field"])
    second = t.loc["second coder"]
    assert list(second.index) == ["province", "province × theme", "theme", "code",
                                  "instrument_type", "scope", "statements (αu)",
                                  "statements by province (αu)"]
    # recomputed another way: the matched statement pairs, labelled and scored by cohen_kappa
    first = read_coding(ROOT / "data" / "reliability" / "first_coding_blind.csv",
                        load_source()).assign(doc_id="000_08799d6d3f16f583")
    # the table compares the blind second coding (data/reliability/second_coding_blind.csv)
    other = read_coding(ROOT / "data" / "reliability" / "second_coding_blind.csv", load_source())
    m = match_statements(first, other)
    m = m[(m["row_first"] >= 0) & (m["row_second"] >= 0)]
    a = first["instrument_type"].iloc[m["row_first"]].tolist()
    b = other["instrument_type"].iloc[m["row_second"]].tolist()
    assert second.loc["instrument_type", "units"] == len(m) == 51
    assert second.loc["instrument_type", "kappa"] == pytest.approx(cohen_kappa(a, b), abs=1e-6)
    assert second.loc["instrument_type", "alpha"] == pytest.approx(krippendorff_alpha([a, b]), abs=1e-6)
    # the baseline judges only province and theme
    base = t.loc["no-judgement baseline"]
    assert base[["kappa"]].loc[["code", "instrument_type", "scope"]].isna().all().all()
    assert base.loc["province × theme", "kappa"] > 0.9   # the paragraph layout gives this away
    # the same κ through the older, independent route of reliability.agreement
    from npstudy import load_layout, load_source as src
    from npstudy.reliability import agreement
    text = src()
    baseline = baseline_coding(text, load_layout()).assign(doc_id=first["doc_id"].iloc[0])
    pooled = agreement(first, baseline, level="theme", texts={baseline["doc_id"].iloc[0]: text})
    assert base.loc["province × theme", "kappa"] == pytest.approx(
        pooled.table.loc["all", "cohen_kappa"], abs=1e-6)
    assert base.loc["province × theme", "kappa"] == pytest.approx(0.912682, abs=1e-6)
    assert base.loc["statements (αu)", "alpha"] < second.loc["statements (αu)", "alpha"]
    for _, row in table.dropna(subset=["kappa"]).iterrows():
        assert row["kappa_low"] <= row["kappa"] + 1e-9 and row["kappa"] <= row["kappa_high"] + 1e-9


def test_agreement_table_takes_the_blind_second_coding_when_it_exists(tmp_path, table):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    # a blind second coding identical to the first coding as compared agrees perfectly
    shutil.copy(data / "reliability" / "first_coding_blind.csv",
                data / "reliability" / "second_coding_blind.csv")
    t = agreement_table(data, n_boot=50).set_index(["comparison", "field"]).loc["second coder"]
    assert (t["second_coding"] == "second_coding_blind.csv").all()
    assert t.loc["instrument_type", "kappa"] == 1.0
    assert t.loc["statements (αu)", "alpha"] == 1.0
    assert load_source()  # the shipped text is untouched


# ------------------------------------------------------------ adjudication

def test_read_adjudication_and_summary(tmp_path):
    from npstudy.reliability import adjudication_summary, read_adjudication
    head = "item,province,field,statement_first,statement_second,first,second,decision,final,rule,tie,reason\n"
    path = tmp_path / "adjudication_blind.csv"
    path.write_text(head
                    + "J001,CN-SH,row,S001,,yes,–,first,yes,R1,false,the clause names a fund\n"
                    + "J002,CN-SH,scope,S002,S003,national,provincial,second,provincial,R11,false,no 国家\n"
                    + "J003,CN-ZJ,theme,S004,S005,a,b,first,a,R6,true,tie: paragraph theme\n",
                    encoding="utf-8")
    t = read_adjudication(path)
    assert t["tie"].tolist() == [False, False, True]
    s = adjudication_summary(t)
    assert s.loc["row"].tolist() == [1, 1, 0, 0, 0]
    assert s.loc["scope"].tolist() == [1, 0, 1, 0, 0]
    assert s.loc["theme"].tolist() == [1, 1, 0, 0, 1]
    bad = tmp_path / "bad.csv"
    bad.write_text(head + "J001,CN-SH,row,S001,,yes,–,A,yes,R1,false,reason\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad.csv:2: decision: 'A' – not allowed – write first, "
                                        "second or neither"):
        read_adjudication(bad)
    bad.write_text(head + "J001,CN-SH,row,S001,,yes,–,first,yes,R1,false,\n", encoding="utf-8")
    with pytest.raises(DataError, match="reason: '' – must not be empty"):
        read_adjudication(bad)


def test_first_coding_as_compared_differs_from_the_data_only_by_the_adjudication():
    """first_coding_blind.csv is the first coding as the blind second coding was compared with
    it; practices.csv applies the adjudication: Shandong's fiscal clauses are one statement."""
    frozen = read_coding(ROOT / "data" / "reliability" / "first_coding_blind.csv", load_source())
    data = load_practices()
    key = ["province", "start", "end", "theme", "code", "instrument_type", "scope"]
    a = set(map(tuple, frozen[key].astype(str).to_numpy()))
    b = set(map(tuple, data[key].astype(str).to_numpy()))
    code = "green.carbon_finance.fiscal_financial_coordination"
    assert a - b == {("CN-SD", "2257", "2272", "green.carbon_finance", code, "mechanism", "provincial"),
                     ("CN-SD", "2273", "2307", "green.carbon_finance", code, "finance", "provincial")}
    assert b - a == {("CN-SD", "2257", "2307", "green.carbon_finance", code, "mechanism", "provincial")}
