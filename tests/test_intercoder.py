"""Field-by-field agreement and the adjudication log, on a hand-made pair of codings."""

import pandas as pd
import pytest

from npstudy.intercoder import adjudication_markdown, disagreements, field_agreement, prepare

TEXT = "上海设立基金。江苏出台条例。浙江建设平台。"


def coding(rows):
    base = dict(doc_id="d", first_mover="false")
    return prepare(pd.DataFrame([dict(base, **r) for r in rows]))


FIRST = [
    dict(id="A1", province="CN-SH", theme="innovation.venture_capital",
         code="innovation.venture_capital.policy_fund", instrument="supply", instrument_type="fund",
         scope="provincial", quote="上海设立基金", start=0, end=6),
    dict(id="A2", province="CN-JS", theme="innovation.basic_research",
         code="innovation.basic_research.funding_floor", instrument="environment",
         instrument_type="regulation", scope="provincial", quote="江苏出台条例", start=7, end=13),
    dict(id="A3", province="CN-ZJ", theme="innovation.tech_transfer",
         code="innovation.tech_transfer.proof_of_concept", instrument="supply",
         instrument_type="platform", scope="national", quote="浙江建设平台", start=14, end=20),
]
SECOND = [dict(FIRST[0], id="B1", instrument="environment", instrument_type="finance"),
          dict(FIRST[1], id="B2"),
          dict(FIRST[2], id="B3", scope="provincial", quote="浙江建设", end=18)]


def test_field_agreement_by_hand():
    t = field_agreement(coding(FIRST), coding(SECOND), texts={"d": TEXT})
    assert t.loc["province × theme", "cohen_kappa"] == 1.0
    assert t.loc["province × theme", "disagreements"] == 0
    inst = t.loc["instrument"]
    assert inst["units"] == 3 and inst["disagreements"] == 1
    # supply/environment/supply vs environment/environment/supply: p_o = 2/3, p_e = 4/9
    assert inst["cohen_kappa"] == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))
    # coincidences: one s–e pair each way, e–e 2, s–s 2; n = 6: D_o = 2/6, D_e = 18/30
    assert inst["krippendorff_alpha"] == pytest.approx(1 - (2 / 6) / (18 / 30))
    # scope: the second coder never says national, so p_e = p_o = 2/3 and kappa is 0
    assert t.loc["scope", "cohen_kappa"] == pytest.approx(0.0)
    assert t.loc["first_mover"].isna()[["cohen_kappa", "krippendorff_alpha"]].all()
    assert t.loc["rows", "disagreements"] == 0 and t.loc["rows", "units"] == 3


def test_every_disagreement_is_listed_and_needs_a_decision():
    a, b = coding(FIRST), coding(SECOND + [dict(FIRST[1], id="B4", province="CN-SD",
                                                 quote="江苏出台条例")])
    dis = disagreements(a, b, texts={"d": TEXT})
    assert sorted(dis["field"]) == ["code", "instrument", "instrument_type", "province × theme",
                                    "rows", "scope"]
    assert dis.loc[dis["field"] == "rows", "id_b"].tolist() == ["B4"]
    assert dis.loc[dis["field"] == "scope", ["value_a", "value_b"]].values.tolist() == [
        ["national", "provincial"]]
    theme = dis[dis["field"] == "province × theme"].iloc[0]
    assert (theme["province"], theme["value_a"], theme["id_b"]) == ("CN-SD", "–", "B4")
    decisions = pd.DataFrame({"key": dis["key"], "decision": "first", "reason": "r",
                              "rule_change": ""})
    md = adjudication_markdown(dis, decisions, field_agreement(a, b, texts={"d": TEXT}), "# Log")
    assert md.count("- decision: **first**") == len(dis)
    with pytest.raises(ValueError, match="no decision for"):
        adjudication_markdown(dis, decisions.iloc[1:], field_agreement(a, b, texts={"d": TEXT}))


def test_prepare_does_not_mutate_and_fills_defaults():
    raw = pd.DataFrame([{k: v for k, v in FIRST[0].items() if k not in ("id",)}])
    before = raw.copy()
    out = prepare(raw.assign(first_mover="True"))
    pd.testing.assert_frame_equal(raw, before)
    assert out.loc[0, "pillar"] == "innovation" and out.loc[0, "first_mover"] == "true"
    with pytest.raises(ValueError, match="lacks column"):
        prepare(raw.drop(columns="quote"))


def test_adjudication_log_is_current_and_complete():
    """Every disagreement between the two shipped codings has a decision, and the log is current."""
    import subprocess
    import sys
    from pathlib import Path

    from npstudy.intercoder import load_codings

    root = Path(__file__).resolve().parents[1]
    first, second, decisions = load_codings(with_decisions=True)
    dis = disagreements(first, second)
    assert set(dis["key"]) == set(decisions["key"])
    assert set(decisions["decision"]) <= {"first", "second", "both", "neither"}
    assert (decisions["reason"].str.len() > 20).all()
    proc = subprocess.run([sys.executable, str(root / "tools" / "make_adjudication.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    # the second coder's files are theirs: they must still parse as they were shipped
    assert len(second) == 55 and second["id"].str.match(r"S\d{3}").all()
