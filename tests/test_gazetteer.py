"""Provinces and cities against facts a reader can check (GB/T 2260, ISO 3166-2:CN, NBS)."""

import pytest

from npstudy import load_cities, load_gazetteer, load_provinces, resolve_province


@pytest.fixture(scope="module")
def g():
    return load_gazetteer()


def test_34_units():
    p = load_provinces()
    assert len(p) == 34 and p["iso_code"].is_unique and p["gb_code"].is_unique
    assert p["type"].value_counts().to_dict() == {
        "province": 23, "autonomous_region": 5, "municipality": 4,
        "special_administrative_region": 2}
    # NBS: 10 eastern, 6 central, 12 western, 3 north-eastern units; none for HK, MO, TW
    assert p["region"].value_counts().to_dict() == {
        "west": 12, "east": 10, "central": 6, "northeast": 3, "": 3}


def test_easily_confused_names():
    p = load_provinces().set_index("iso_code")
    assert p.loc["CN-SX", ["name_zh", "name_en", "gb_code"]].tolist() == ["山西省", "Shanxi", "140000"]
    assert p.loc["CN-SN", ["name_zh", "name_en", "gb_code"]].tolist() == ["陕西省", "Shaanxi", "610000"]
    assert p.loc["CN-NM", "name_en"] == "Inner Mongolia"
    assert p.loc["CN-XZ", "name_en"] == "Tibet"
    assert p.loc["CN-HA", "short_zh"] == "河南" and p.loc["CN-HE", "short_zh"] == "河北"


def test_tile_grid_positions_are_unique():
    p = load_provinces()
    assert not p.duplicated(["tile_row", "tile_col"]).any()
    pos = p.set_index("iso_code")[["tile_row", "tile_col"]]
    # Shanghai lies east of Jiangsu; Heilongjiang is the northernmost unit.
    assert pos.loc["CN-SH", "tile_col"] > pos.loc["CN-JS", "tile_col"]
    assert pos["tile_row"].idxmin() == "CN-HL"


def test_cities():
    c = load_cities()
    # 333 prefecture-level divisions: 293 cities, 7 prefectures, 30 autonomous prefectures, 3 leagues
    assert len(c) == 333 and c["gb_code"].is_unique
    assert c["kind"].value_counts().to_dict() == {
        "city": 293, "autonomous_prefecture": 30, "prefecture": 7, "league": 3}
    assert c["capital"].sum() == 27 and c["sub_provincial"].sum() == 15
    provinces = load_provinces().set_index("iso_code")["gb_code"]
    assert all(code[:2] == provinces[prov][:2] for code, prov in zip(c["gb_code"], c["province"]))
    capitals = c[c["capital"]].set_index("province")["name_zh"]
    assert capitals["CN-ZJ"] == "杭州市" and capitals["CN-NM"] == "呼和浩特市"


@pytest.mark.parametrize("name, code", [
    ("上海", "CN-SH"), ("上海市", "CN-SH"), ("CN-SH", "CN-SH"), ("310000", "CN-SH"),
    ("浙江省", "CN-ZJ"), ("内蒙古", "CN-NM"), ("内蒙古自治区", "CN-NM"), ("inner mongolia", "CN-NM"),
    ("杭州", "CN-ZJ"), ("宁波市", "CN-ZJ"), ("广州", "CN-GD"), ("深圳", "CN-GD"),
    ("延边", "CN-JL"), ("海南", "CN-HI"), ("吉林", "CN-JL"), ("香港", "CN-HK"), ("澳门", "CN-MO"),
])
def test_resolve(g, name, code):
    assert g.resolve(name) == code


def test_resolve_unknown_suggests(g):
    with pytest.raises(KeyError, match="did you mean"):
        g.resolve("浙紅")
    assert g.find("Atlantis") is None
    assert resolve_province("成都") == "CN-SC"


def test_mainland_and_labels(g):
    assert len(g.mainland()) == 31 and "CN-HK" not in g.mainland()
    assert g.label("CN-GD", "zh") == "广东" and g.label("CN-GD", "zh", short=False) == "广东省"
    assert g.region("CN-GD") == "east" and g.region("CN-TW") == ""


@pytest.mark.parametrize("value", [None, float("nan"), 31])
def test_a_value_that_is_not_a_name_is_a_type_error(value):
    # None and NaN were suggested as 'shandong (CN-SD)' and 'hunan (CN-HN)'
    with pytest.raises(TypeError, match="a province is named by a string"):
        resolve_province(value)
