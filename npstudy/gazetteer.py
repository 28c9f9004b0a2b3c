"""Provinces and cities: resolve a name, short name or city to a province code.

The gazetteer holds China's 34 provincial-level units (``provinces.csv``), the
333 prefecture-level divisions (``cities.csv``) and the county-level cities, national new
areas and zones of ``places.csv``. Province codes are ISO 3166-2:CN
(``CN-SH``). When a string names both a province and a city in another province
(海南 is Hainan province and 海南藏族自治州 in Qinghai), the province wins.
"""

from __future__ import annotations

import difflib
from functools import lru_cache

import pandas as pd

from .dataset import load_cities, load_provinces

__all__ = ["Gazetteer", "load_gazetteer", "resolve_province", "mainland_codes", "with_names",
           "PROVINCE_HINT"]


#: The one-character abbreviation (简称) of each province-level unit of the mainland.
ABBREVIATIONS = {
    "CN-BJ": "京", "CN-TJ": "津", "CN-HE": "冀", "CN-SX": "晋", "CN-NM": "蒙", "CN-LN": "辽",
    "CN-JL": "吉", "CN-HL": "黑", "CN-SH": "沪", "CN-JS": "苏", "CN-ZJ": "浙", "CN-AH": "皖",
    "CN-FJ": "闽", "CN-JX": "赣", "CN-SD": "鲁", "CN-HA": "豫", "CN-HB": "鄂", "CN-HN": "湘",
    "CN-GD": "粤", "CN-GX": "桂", "CN-HI": "琼", "CN-CQ": "渝", "CN-SC": "川", "CN-GZ": "黔",
    "CN-YN": "滇", "CN-XZ": "藏", "CN-SN": "陕", "CN-GS": "陇", "CN-QH": "青", "CN-NX": "宁",
    "CN-XJ": "新",
}


def mainland_codes(provinces: pd.DataFrame) -> list[str]:
    """ISO codes of the mainland units of a provinces table: those with an NBS region.

    Hong Kong, Macao and Taiwan have no NBS region (``region == ""``).

    Examples
    --------
    >>> from npstudy import load_provinces
    >>> len(mainland_codes(load_provinces()))
    31
    """
    return provinces.loc[provinces["region"] != "", "iso_code"].tolist()


class Gazetteer:
    """Look-ups over the province and city tables.

    Parameters
    ----------
    provinces, cities : pandas.DataFrame
        As returned by :func:`npstudy.load_provinces` and
        :func:`npstudy.load_cities`.
    places : pandas.DataFrame, optional
        County-level cities, national new areas and zones
        (:func:`npstudy.lexicon.load_places`); they resolve like cities. Abbreviation
        compounds (人才兴皖) are no places and are ignored here.

    Examples
    --------
    >>> g = load_gazetteer()
    >>> g.resolve("上海"), g.resolve("浙江省"), g.resolve("杭州"), g.resolve("Shaanxi")
    ('CN-SH', 'CN-ZJ', 'CN-ZJ', 'CN-SN')
    >>> g.label("CN-NM", "en")
    'Inner Mongolia'
    """

    def __init__(self, provinces: pd.DataFrame, cities: pd.DataFrame,
                 places: pd.DataFrame | None = None):
        self.provinces = provinces.copy()
        self.cities = cities.copy()
        self._by_code = self.provinces.set_index("iso_code")
        self._province_names: dict[str, str] = {}
        for row in self.provinces.itertuples():
            for name in (row.iso_code, row.gb_code, row.name_zh, row.short_zh, row.name_en):
                self._province_names[str(name).lower()] = row.iso_code
        self._city_names: dict[str, str] = {}
        for row in self.cities.itertuples():
            for name in (row.name_zh, row.short_zh, row.gb_code):
                self._city_names.setdefault(str(name), row.province)
        if places is not None:
            for row in places.itertuples():
                if row.kind in ("abbreviation_compound", "literary_name"):
                    continue
                names = (row.name_zh, row.short_zh) if row.match_short == "true" else (row.name_zh,)
                for name in names:
                    self._city_names.setdefault(str(name), row.province)

    # queries -------------------------------------------------------------
    @property
    def codes(self) -> list[str]:
        """ISO codes of all 34 units, in GB/T 2260 order."""
        return self.provinces["iso_code"].tolist()

    def mainland(self) -> list[str]:
        """ISO codes of the 31 mainland units (those with an NBS region)."""
        return mainland_codes(self.provinces)

    def is_province(self, code: str) -> bool:
        """True if ``code`` is the ISO code of a provincial-level unit."""
        return code in self._by_code.index

    def find(self, name: str) -> str | None:
        """Province code for a name, short name, code or city; None if unknown."""
        key = str(name).strip()
        hit = self._province_names.get(key.lower())
        if hit is None:
            hit = self._city_names.get(key)
        return hit

    def resolve(self, name: str) -> str:
        """Like :meth:`find` but raises ``KeyError`` with a suggestion (``TypeError`` for a
        value that is not a string: None, NaN, a number)."""
        if not isinstance(name, str):
            raise TypeError(f"a province is named by a string (ISO code, Chinese or English "
                            f"name, or a city), not {name!r} of type {type(name).__name__}")
        hit = self.find(name)
        if hit is None:
            hint = self.suggest(name)
            raise KeyError(f"{name!r} is not a province or prefecture-level city"
                           + (f"; did you mean {hint!r}?" if hint else ""))
        return hit

    def city_province(self, city: str) -> str | None:
        """Province of a prefecture-level city (full or short name), or None."""
        return self._city_names.get(str(city).strip())

    def suggest(self, value: str) -> str | None:
        """The nearest known province code, name or city, for error messages."""
        value = str(value).strip()
        stripped = value.removesuffix("省").removesuffix("市")
        if self.find(stripped):
            return stripped
        pool = list(self._province_names) + list(self._city_names)
        hit = difflib.get_close_matches(value.lower(), pool, n=1, cutoff=0.5)
        if not hit:
            return None
        code = self.find(hit[0])
        return code if hit[0].lower() == code.lower() else f"{hit[0]} ({code})"

    def label(self, code: str, lang: str = "en", short: bool = True) -> str:
        """Province label: English name, or Chinese short (default) or full name."""
        row = self._by_code.loc[code]
        if lang == "en":
            return row["name_en"]
        if lang == "zh":
            return row["short_zh"] if short else row["name_zh"]
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")

    def region(self, code: str) -> str:
        """NBS region of a province ("" for Hong Kong, Macao and Taiwan)."""
        return self._by_code.loc[code, "region"]

    def __repr__(self) -> str:
        return f"Gazetteer(provinces={len(self.provinces)}, cities={len(self.cities)})"


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer built from the shipped province, city and place tables (cached)."""
    from .lexicon import load_places

    return Gazetteer(load_provinces(), load_cities(), load_places())


#: What an error about an unknown province suggests instead.
PROVINCE_HINT = "use a name or code of data/provinces.csv, e.g. 浙江, 浙江省, Zhejiang or CN-ZJ"


def resolve_province(name: str) -> str:
    """Resolve a province name, short name, English name or city to its ISO code.

    Examples
    --------
    >>> resolve_province("宁波")
    'CN-ZJ'
    """
    return load_gazetteer().resolve(name)


#: Columns that hold province codes in npstudy's tables (pairs tables use ``a`` and ``b``).
PROVINCE_COLUMNS = ("province", "a", "b", "named_provinces")


def with_names(table: pd.DataFrame | pd.Series, lang: str = "en",
               columns: tuple[str, ...] = PROVINCE_COLUMNS,
               gazetteer: Gazetteer | None = None) -> pd.DataFrame | pd.Series:
    """Return a copy of a table with province codes replaced by province names, for display.

    The index is renamed when its name is ``province`` (as in every matrix and
    score table), and so are the ``columns`` the table has. A cell may hold
    several codes joined by ``;`` (as ``named_provinces`` does); values that are
    not province codes (empty cells, missing values) are kept as they are. Does
    not mutate ``table``. Names are for reading only: join and filter on codes.

    Parameters
    ----------
    table : pandas.DataFrame or pandas.Series
    lang : {"en", "zh"}
        English names, or Chinese short names (上海, 内蒙古).
    columns : tuple of str
        Columns whose values are province codes.
    gazetteer : Gazetteer, optional
        Defaults to :func:`load_gazetteer`.

    Returns
    -------
    pandas.DataFrame or pandas.Series
        The same shape, index order and columns as ``table``.

    Examples
    --------
    >>> t = pd.DataFrame({"province": ["CN-NM", "CN-SH"], "rows": [1, 8]})
    >>> with_names(t)["province"].tolist()
    ['Inner Mongolia', 'Shanghai']
    >>> with_names(pd.Series([3], index=pd.Index(["CN-SH"], name="province")), lang="zh").index[0]
    '上海'
    """
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    gaz = gazetteer if gazetteer is not None else load_gazetteer()

    def name(value):
        if not isinstance(value, str) or not value:
            return value
        parts = value.split(";")
        if not all(gaz.is_province(p) for p in parts):
            return value
        return ("; " if lang == "en" else "、").join(gaz.label(p, lang) for p in parts)

    out = table.copy()
    if out.index.name == "province":
        out.index = pd.Index([name(v) for v in out.index], name="province")
    if isinstance(out, pd.DataFrame):
        for col in columns:
            if col in out.columns:
                out[col] = out[col].map(name)
    return out
