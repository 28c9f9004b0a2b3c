"""Agreement statistics against published reference values and an independent package."""

import math

import numpy as np
import pandas as pd
import pytest

from npstudy import load_practices, load_source
from npstudy.coder import code_text
from npstudy.reliability import agreement, cohen_kappa, krippendorff_alpha, percent_agreement

nan = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", worked example:
# 4 coders (rows) x 12 units (columns), missing values as nan.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
]


@pytest.mark.parametrize("level, published", [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_published_values(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
def test_krippendorff_matches_the_krippendorff_package(level):
    krippendorff = pytest.importorskip("krippendorff")
    ref = krippendorff.alpha(reliability_data=KRIPPENDORFF_2011, level_of_measurement=level)
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(ref, abs=1e-9)


def test_cohen_wikipedia_example():
    # Wikipedia, "Cohen's kappa": 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> 0.4
    a = ["yes"] * 25 + ["no"] * 25
    b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)
    assert percent_agreement(a, b) == 0.7


def test_cohen_against_sklearn_formula_by_hand():
    a = [0, 1, 2, 2, 1, 0, 2, 1]
    b = [0, 1, 2, 1, 1, 0, 2, 2]
    p_o = 6 / 8
    p_e = (2 / 8) * (2 / 8) + (3 / 8) * (3 / 8) + (3 / 8) * (3 / 8)
    assert cohen_kappa(a, b) == pytest.approx((p_o - p_e) / (1 - p_e))
    assert math.isnan(cohen_kappa([1, 1], [1, 1]))
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def test_agreement_of_identical_codings_is_perfect():
    p = load_practices()
    r = agreement(p, p.sample(frac=1, random_state=0))
    assert r.table.loc["all", ["cohen_kappa", "krippendorff_alpha", "positive_agreement"]].tolist() == [1, 1, 1]
    assert r.disagreements.empty


def test_units_are_only_coded_sentences():
    import re

    p = load_practices()
    r = agreement(p, p)
    text = load_source()
    ends = [m.end() for m in re.finditer(r"[。！？!?\r\n]+", text)]
    by_hand = {(sum(e <= s for e in ends), prov) for s, prov in zip(p["start"], p["province"])}
    assert set(zip(r.units["sentence"], r.units["province"])) == by_hand
    assert len(by_hand) < 22 * 13  # far fewer than every sentence × province
    assert r.table.loc["all", "units"] == len(r.units) * 12


def test_agreement_by_hand():
    text = "上海设立基金。浙江建设平台。江苏出台条例。"
    base = dict(doc_id="d", pillar="x", code="c")
    a = pd.DataFrame([dict(base, province="SH", theme="t1", start=0),
                      dict(base, province="ZJ", theme="t1", start=7)])
    b = pd.DataFrame([dict(base, province="SH", theme="t1", start=0),
                      dict(base, province="ZJ", theme="t2", start=7),
                      dict(base, province="JS", theme="t2", start=14)])
    r = agreement(a, b, texts={"d": text})
    t1 = r.table.loc["t1"]
    assert (t1["units"], t1["both"], t1["only_a"], t1["only_b"], t1["neither"]) == (3, 1, 1, 0, 1)
    assert t1["percent_agreement"] == pytest.approx(2 / 3)
    assert t1["cohen_kappa"] == pytest.approx(cohen_kappa([1, 1, 0], [1, 0, 0]))
    assert t1["positive_agreement"] == pytest.approx(2 / 3)
    assert len(r.disagreements) == 3
    assert set(r.disagreements["text"]) == {"浙江建设平台", "江苏出台条例"}


def test_coder_against_hand_coding():
    s = code_text(load_source(), doc_id="000_08799d6d3f16f583").suggestions
    r = agreement(load_practices(), s)
    assert r.table.loc["all", "cohen_kappa"] > 0.9
    # every disagreement is a suggestion the hand coding leaves out: the direction sentences of
    # line 10 (Shandong and Jiangsu) and line 13 (Shanghai) (rule R1); Jiangsu's footprint
    # certification, coded once under trade (R1c, R6), which the coder suggests under carbon
    # accounting in lines 14 and 20 (the statement test no longer reads Zhejiang's fund as a
    # future-industry statement)
    got = {(row.province, row.theme) for row in r.disagreements.itertuples()}
    assert got == {("CN-JS", "new_tracks.digital_economy"), ("CN-SD", "new_tracks.digital_economy"),
                   ("CN-SH", "green.low_carbon_industry"), ("CN-JS", "green.carbon_accounting")}
    assert len(r.disagreements) == 5 and r.table.loc["all", "only_a"] == 0
