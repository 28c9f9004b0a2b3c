"""Counts checked by hand against the article, so that a dropped row fails loudly.

How they were counted: each paragraph (lines 3-5, 8-10, 13-15, 18-20 of the
source) was read and every province it names as an actor was listed; a
statement naming k provinces gives k rows. The tallies below are that list.
"""

import hashlib

import pandas as pd

from npstudy import data_dir, load_aggregates, load_documents, load_practices, load_source

SOURCE_SHA256 = "e1e021c9e7070271417d58de4874d0ef515fa93fdbe19fb35a3c333acab8b5db"


def test_source_is_byte_identical_copy():
    raw = (data_dir() / "raw" / "000_08799d6d3f16f583.txt").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SOURCE_SHA256
    text = load_source()
    assert len(text) == 3097 and text.count("\n") == 21  # 22 lines, as the source note says
    assert load_documents()["sha256"].tolist() == [SOURCE_SHA256]


def test_rows_and_provinces():
    p = load_practices()
    assert len(p) == 51
    assert p["id"].is_unique
    assert p["province"].value_counts().to_dict() == {
        "CN-ZJ": 9, "CN-SH": 9, "CN-JS": 6, "CN-GD": 6, "CN-SD": 4, "CN-CQ": 4,
        "CN-SC": 3, "CN-BJ": 4, "CN-FJ": 2, "CN-AH": 1, "CN-SX": 1, "CN-NM": 1, "CN-HN": 1,
    }


def test_rows_per_pillar_and_theme():
    p = load_practices()
    assert p["pillar"].value_counts().to_dict() == {
        "new_tracks": 17, "green": 15, "reform": 12, "innovation": 7}
    assert p.groupby("theme").size().to_dict() == {
        "green.carbon_accounting": 10, "green.carbon_finance": 4, "green.low_carbon_industry": 1,
        "innovation.basic_research": 3, "innovation.tech_transfer": 3,
        "innovation.venture_capital": 1, "new_tracks.digital_economy": 9,
        "new_tracks.future_industries": 6, "new_tracks.industrial_chains": 2,
        "reform.market_entities": 3, "reform.opening_up": 4, "reform.talent": 5,
    }


def test_carbon_metrology_sentence_gives_four_rows():
    p = load_practices()
    rows = p[p["code"] == "green.carbon_accounting.carbon_metrology"]
    assert sorted(rows["province"]) == ["CN-FJ", "CN-GD", "CN-NM", "CN-SD"]
    assert rows["quote"].nunique() == 1


def test_statements_rule_r1():
    """40 statements: the 39 of the coding before the recoding, less two sentences that
    state only a direction (the computing-infrastructure list of line 10 and Shanghai's green
    tracks of line 13, rule R1), plus three clauses of a second instrument type (the trading
    rules of line 10, Shanghai's one-stop reform and Zhejiang's talent reform of line 19,
    rule R1). Shandong's equity investment (line 15) is the way its mechanism works (R9a)."""
    p = load_practices()
    assert p["statement"].nunique() == 40
    assert (p.groupby("statement")["quote"].nunique() == 1).all()
    assert (p.groupby("quote")["statement"].nunique() == 1).all()
    assert not p.duplicated(["province", "statement"]).any()
    # R1b: a province described in detail under the same code has no list row
    assert not ((p["province"] == "CN-SD")
                & (p["code"] == "new_tracks.digital_economy.computing_infrastructure")
                & p["quote"].str.startswith("山东、江苏")).any()
    # R1: the two direction-only sentences give no row
    assert not p["quote"].str.startswith("山东、江苏").any()
    assert not p["quote"].str.contains("新赛道").any()
    # R1: one statement per instrument type within a sentence
    assert p.loc[p["province"] == "CN-SD", "instrument_type"].value_counts().to_dict() == {
        "mechanism": 2, "platform": 2}
    # R1c: Jiangsu's footprint certification is one row, under trade policy (its purpose)
    js = p[(p["province"] == "CN-JS") & p["quote"].str.contains("碳足迹认证")]
    assert js["code"].tolist() == ["reform.opening_up.green_trade"]


def test_scope_rule_r11():
    p = load_practices()
    assert sorted(p.loc[p["scope"] == "national", "id"]) == [
        "P035", "P036", "P037", "P038", "P041", "P042"]
    # R11 from the text alone: every national quote says 国家 (or 获批)
    assert p.loc[p["scope"] == "national", "quote"].str.contains("国家").all()
    assert not p.loc[p["scope"] == "provincial", "quote"].str.contains("国家|获批").any()
    assert set(p["scope"]) == {"national", "provincial"}


def test_instrument_rule_r9a():
    from npstudy import load_codebook
    cb = load_codebook()
    category = {t: v["category"] for t, v in cb.instrument_types.items()}
    assert (p_ := load_practices())["instrument"].tolist() == p_["instrument_type"].map(category).tolist()
    assert set(category.values()) == {"supply", "environment", "demand"}


def test_first_movers():
    p = load_practices()
    movers = p[p["first_mover"]]
    # 首设 (Shanghai, line 3), 率先 (Guangdong, line 8; Zhejiang, line 14), 首个 (Jiangsu, line 14)
    assert sorted(zip(movers["province"], movers["paragraph"])) == [
        ("CN-GD", 8), ("CN-JS", 14), ("CN-SH", 3), ("CN-ZJ", 14)]


def test_cities_and_partners():
    p = load_practices()
    cities = p[p["city"] != ""].set_index("id")["city"].to_dict()
    assert cities == {"P008": "杭州", "P016": "杭州;宁波"}  # corridor names are not cities (R3)
    assert not p["province"].isin(["CN-HK", "CN-MO"]).any()  # partners, not actors (rule R4)
    assert 6 not in set(p["paragraph"])  # the photo caption is not coded (rule R5)


def test_aggregates():
    a = load_aggregates()
    assert len(a) == 16
    assert a["count"].dropna().astype(int).tolist() == [9, 7, 6, 10]
    assert a.loc[a["count_is_lower_bound"], "quantifier"].tolist() == ["10余个省份"]
    assert a["quantifier"].value_counts().to_dict() == {
        "多地": 4, "各地": 3, "许多省份": 2, "多个省份": 1, "9省份": 1, "7省份": 1,
        "6省份": 1, "部分省份": 1, "多数省份": 1, "10余个省份": 1}


def test_every_quote_points_into_the_source():
    text = load_source()
    for table in (load_practices(), load_aggregates()):
        for row in table.itertuples():
            assert text[row.start:row.end] == row.quote, row.id
            assert text.count("\n", 0, row.start) == row.paragraph, row.id


def test_loaders_do_not_share_state():
    a = load_practices()
    a.loc[0, "province"] = "changed"
    assert load_practices().loc[0, "province"] == "CN-SH"
    assert isinstance(a, pd.DataFrame)


def test_recoding_table_matches_the_data():
    """Every change listed in reliability/recoding.csv is what practices.csv now holds."""
    p = pd.read_csv(data_dir() / "practices.csv", dtype=str, keep_default_na=False).set_index("id")
    changes = pd.read_csv(data_dir() / "reliability" / "recoding.csv", dtype=str,
                          keep_default_na=False)
    assert set(changes["rule"].str.split(";").explode()) <= {
        "R1", "R1a", "R1c", "R3", "R4", "R6", "R9a", "R10", "R11"}
    for c in changes.itertuples(index=False):
        if c.field == "row":
            assert (c.id in p.index) == (c.after != "(removed)"), c.id
        else:
            assert p.loc[c.id, c.field] == c.after, (c.id, c.field)
    removed = set(changes.loc[changes["after"] == "(removed)", "id"])
    assert removed == {"P019", "P026", "P029"}
    added = set(changes.loc[changes["before"] == "(none)", "id"])
    assert added == {"P054", "P055", "P057", "P058"}


def test_evidence_filters_by_name_and_refuses_a_string_for_the_table():
    import pytest

    from npstudy import evidence

    # the carbon-metering centres: the one row of Inner Mongolia (worked out from practices.csv)
    assert evidence(province="CN-NM")["id"].tolist() == load_practices().query(
        "province == 'CN-NM'")["id"].tolist()
    with pytest.raises(TypeError, match="practices must be a practices table"):
        evidence("P001")
