"""Coverage matrices and per-province scores: depth, breadth, balance, composite indices.

Everything here is computed from a practices table in the dataset's schema (the
shipped one, a filtered one, or a new document's) and returned as a tidy
DataFrame. Nothing is drawn and nothing is mutated.

A cell of a coverage matrix counts the practice rows of one province under one
category. A province the source does not mention has no rows: whether that means
0 or "missing" is the caller's choice (``missing=``), because one article's
examples are not a census of provincial policy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .codebook import LEVELS, Codebook
from .gazetteer import Gazetteer, mainland_codes
from .study import resolve_codebook, resolve_gazetteer

__all__ = [
    "coverage_matrix",
    "province_scores",
    "pillar_shares",
    "balance",
    "entropy_weights",
    "composite_index",
    "region_summary",
    "instrument_matrix",
    "by_document",
]


def _check_unit_list(units: list, mentioned: list, index: str, gazetteer: Gazetteer | None) -> None:
    """An explicit list of rows names each unit once and, for provinces, only known codes
    (the gazetteer's, or a code the practices use): an unknown code would become a
    zero-practice province and change every composite."""
    seen = set()
    for i, u in enumerate(units):
        if u in seen:
            raise ValueError(f"provinces[{i}] is {u!r}, listed twice – name each "
                             f"{'province' if index == 'province' else index} once")
        seen.add(u)
    if gazetteer is None:
        return
    known = set(gazetteer.provinces["iso_code"]) | set(mentioned)
    for i, u in enumerate(units):
        if u not in known:
            hint = gazetteer.find(u) if isinstance(u, str) else None
            hint = hint or (gazetteer.suggest(u) if isinstance(u, str) else None)
            raise ValueError(f"provinces[{i}] is {u!r}, not an ISO code of the gazetteer – "
                             + (f"did you mean {hint!r}? " if hint else "")
                             + "pass codes of data/provinces.csv, e.g. CN-ZJ, or 'mentioned', "
                               "'mainland' or 'all'")


def _units(practices: pd.DataFrame, provinces, index: str, table: pd.DataFrame,
           gazetteer: Gazetteer | None = None) -> list[str]:
    """Rows of a matrix; ``table`` is the gazetteer's provinces (for order and the mainland);
    an explicit list is checked (:func:`_check_unit_list`, codes against ``gazetteer``)."""
    mentioned = list(dict.fromkeys(practices[index]))
    if not isinstance(provinces, str):
        provinces = list(provinces)  # any sequence of codes: a list, an array, an Index, a Series
        _check_unit_list(provinces, mentioned, index,
                         gazetteer if index == "province" else None)
    if index != "province":
        return sorted(mentioned) if provinces == "mentioned" else list(provinces)
    if provinces == "mentioned":  # in GB/T 2260 order, as in the gazetteer
        order = {code: i for i, code in enumerate(table["iso_code"])}
        return sorted(mentioned, key=lambda c: (order.get(c, len(order)), c))
    if provinces == "mainland":
        pool = mainland_codes(table)
    elif provinces == "all":
        pool = table["iso_code"].tolist()
    elif isinstance(provinces, str):
        raise ValueError("provinces must be 'mentioned', 'mainland', 'all' or a list of codes, "
                         f"not {provinces!r}")
    else:
        pool = list(provinces)
    extra = sorted(set(mentioned) - set(pool))
    if extra and provinces == "mainland":
        pool += extra  # never drop evidence: HK, MO or TW rows keep their own row
    return pool


def coverage_matrix(practices: pd.DataFrame, level: str = "theme", value: str = "count",
                    provinces: str | Sequence[str] = "mentioned", missing: str = "zero",
                    index: str = "province", codebook: Codebook | None = None,
                    gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Province × category matrix of practice counts or presence.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table (see :func:`npstudy.load_practices`).
    level : {"pillar", "theme", "code"}
        Category level; codes are rolled up to it through the codebook.
    value : {"count", "presence"}
        Number of practice rows per cell, or 1/0 for at least one row.
    provinces : {"mentioned", "mainland", "all"} or list of str
        Rows of the matrix: the provinces with at least one practice (default),
        the 31 mainland units, all 34 units, or an explicit list of ISO codes,
        each once, each a code of the gazetteer (or one the practices use).
    missing : {"zero", "nan"}
        What a province with no practice in the table gets: 0 in every cell, or
        NaN ("not mentioned in the source", which is not "not doing it").
    index : str
        Column that defines the rows, ``"province"`` by default; use ``"doc_id"``
        to compare documents.
    codebook : Codebook, optional
        The shipped codebook by default.
    gazetteer : Gazetteer, optional
        Gives the order of provinces (GB/T 2260) and the mainland units; the
        shipped gazetteer by default.

    Returns
    -------
    pandas.DataFrame
        Rows named by ``index``; one column per category id at ``level``, in
        codebook order (categories without practices are kept as 0 columns).
        Integer dtype unless ``missing="nan"`` adds missing rows.

    Raises
    ------
    ValueError
        If ``level``, ``value`` or ``missing`` is unknown, or an explicit list of
        ``provinces`` names a unit twice or a code the gazetteer does not know (the
        message names it and suggests the nearest known code).

    Examples
    --------
    >>> from npstudy import load_practices
    >>> m = coverage_matrix(load_practices(), level="pillar")
    >>> m.loc["CN-ZJ"].tolist()
    [2, 3, 2, 2]
    >>> coverage_matrix(load_practices(), "pillar", provinces="mainland", missing="nan").shape
    (31, 4)
    """
    cb = resolve_codebook(codebook)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    if value not in ("count", "presence"):
        raise ValueError(f"value must be 'count' or 'presence', not {value!r}")
    if missing not in ("zero", "nan"):
        raise ValueError(f"missing must be 'zero' or 'nan', not {missing!r}")
    cats = cb.ids(level)
    rolled = practices["code"].map(lambda c: cb.rollup(c, level))
    counts = pd.crosstab(practices[index], rolled).reindex(columns=cats, fill_value=0)
    g = resolve_gazetteer(gazetteer)
    units = _units(practices, provinces, index, g.provinces, g)
    out = counts.reindex(units)
    absent = out.isna().all(axis=1)
    out = out.fillna(0).astype("int64")
    if value == "presence":
        out = (out > 0).astype("int64")
    if missing == "nan" and absent.any():
        out = out.astype("float64")
        out.loc[absent] = np.nan
    out.index.name = index
    out.columns.name = level
    return out


def pillar_shares(practices: pd.DataFrame, codebook: Codebook | None = None, level: str = "theme",
                  **kwargs) -> pd.DataFrame:
    """Share of each pillar's categories (themes or codes) that a province covers.

    ``share_p = |categories of pillar p at level with ≥ 1 practice| / |categories of
    pillar p at level|``; at theme level, with three themes per pillar, the values
    are 0, 1/3, 2/3 or 1.

    Parameters
    ----------
    practices : pandas.DataFrame
    codebook : Codebook, optional
    level : {"theme", "code"}, default "theme"
        The categories counted.
    **kwargs
        ``provinces``, ``missing``, ``index`` and ``gazetteer`` as in
        :func:`coverage_matrix`.

    Returns
    -------
    pandas.DataFrame
        One column per pillar id; NaN rows where ``missing="nan"`` leaves a
        province out.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> pillar_shares(load_practices()).loc["CN-SH"].round(3).tolist()
    [0.333, 0.667, 0.333, 1.0]
    >>> pillar_shares(load_practices(), level="code").loc["CN-AH"].round(3).tolist()
    [0.111, 0.0, 0.0, 0.0]
    """
    cb = resolve_codebook(codebook)
    if level not in ("theme", "code"):
        raise ValueError(f"level must be 'theme' or 'code', not {level!r}")
    cats = coverage_matrix(practices, level, "presence", codebook=cb, **kwargs)
    out = {}
    for p in cb.ids("pillar"):
        under = [c for c in cb.ids(level) if cb.rollup(c, "pillar") == p]
        out[p] = cats[under].sum(axis=1, min_count=1) / len(under)
    out = pd.DataFrame(out, index=cats.index)
    out.columns.name = "pillar"
    return out


def _first_bad(x: np.ndarray, bad: np.ndarray, frame: pd.DataFrame) -> str:
    """``row 'r', column 'c': value`` of the first True cell of ``bad``."""
    i, j = (int(k) for k in np.argwhere(bad)[0])
    return f"row {frame.index[i]!r}, column {frame.columns[j]!r}: {float(x[i, j])!r}"


def _check_finite(x: np.ndarray, frame: pd.DataFrame, name: str, nan_rows: bool,
                  negative: bool, hint: str) -> None:
    """Refuse infinite values, NaN (unless a whole row is NaN and ``nan_rows``) and,
    unless ``negative``, negative values, naming the first offending cell."""
    nan = np.isnan(x)
    if nan_rows:
        nan = nan & ~nan.all(axis=1, keepdims=True)
    if nan.any():
        raise ValueError(f"{name} has a missing value at {_first_bad(x, nan, frame)} – {hint}")
    inf = np.isinf(x)
    if inf.any():
        raise ValueError(f"{name} has an infinite value at {_first_bad(x, inf, frame)} – pass "
                         "finite numbers")
    if not negative and (x < 0).any():
        raise ValueError(f"{name} has a negative value at {_first_bad(x, x < 0, frame)} – pass "
                         "non-negative counts")


def balance(counts: pd.DataFrame) -> pd.DataFrame:
    """Balance of each row's practices across categories.

    Parameters
    ----------
    counts : pandas.DataFrame
        Non-negative counts, e.g. ``coverage_matrix(p, "pillar")``. A row that is
        NaN throughout (a province not mentioned, ``missing="nan"``) is allowed.

    Returns
    -------
    pandas.DataFrame
        ``balance_entropy``: Shannon entropy normalised by its maximum (Pielou's
        evenness), ``J = -Σ p_k ln p_k / ln K`` with ``p_k`` the row's share in
        category k and K the number of categories (0 when everything is in one
        category, 1 when spread evenly). ``balance_simpson``: Gini–Simpson index
        ``1 - Σ p_k²`` (maximum ``1 - 1/K``, 0.75 for four pillars). Both are
        NaN for a row with no practices, or NaN throughout.

    Raises
    ------
    ValueError
        If a count is negative or infinite, or a row is partly NaN (a share of
        an unknown total is not defined); the message names row and column.

    Notes
    -----
    ``0 ln 0`` is taken as 0. References: Shannon, C. E. (1948), A mathematical
    theory of communication, *Bell System Technical Journal* 27; Pielou, E. C.
    (1966), *Journal of Theoretical Biology* 13: 131–144; Simpson, E. H. (1949),
    Measurement of diversity, *Nature* 163: 688.

    Examples
    --------
    >>> balance(pd.DataFrame({"a": [2, 4], "b": [2, 0]})).round(3).values.tolist()
    [[1.0, 0.5], [0.0, 0.0]]
    """
    x = counts.to_numpy(dtype=float)
    _check_finite(x, counts, "counts", nan_rows=True, negative=False,
                  hint="a row may be NaN throughout (not mentioned) but not in part; fill the "
                       "cell with 0 or drop the row")
    with np.errstate(over="ignore"):
        total = x.sum(axis=1, keepdims=True)
    over = np.isinf(total[:, 0])
    if over.any():   # 1e308 + 1e308 overflows: take those rows as shares of their largest count
        peak = x[over].max(axis=1, keepdims=True)
        x = x.copy()
        x[over] = x[over] / peak
        total[over] = x[over].sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / total
        logs = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), 0.0)
        entropy = 0.0 - (p * logs).sum(axis=1) / np.log(x.shape[1])  # no -0.0
        simpson = 1.0 - (p ** 2).sum(axis=1)
    empty = total[:, 0] == 0
    entropy[empty] = np.nan
    simpson[empty] = np.nan
    return pd.DataFrame({"balance_entropy": entropy, "balance_simpson": simpson}, index=counts.index)


def entropy_weights(indicators: pd.DataFrame) -> pd.Series:
    """Entropy weights (熵权法) of the columns of an indicator matrix.

    Parameters
    ----------
    indicators : pandas.DataFrame
        n units (rows) × m positive indicators (columns, larger is better), finite,
        no missing values; at least one row and one column. The values are
        min–max standardised, so their sign and scale do not matter.

    Returns
    -------
    pandas.Series
        One weight per column, summing to 1.

    Raises
    ------
    ValueError
        If ``indicators`` has no row or no column, or a value is missing or
        infinite (the message names row and column).

    Notes
    -----
    With ``x'_ij = (x_ij - min_j) / (max_j - min_j)`` (min–max standardisation),
    ``p_ij = x'_ij / Σ_i x'_ij``, the entropy of indicator j is
    ``e_j = -(1 / ln n) Σ_i p_ij ln p_ij`` (``0 ln 0 = 0``), its divergence
    ``d_j = 1 - e_j`` and its weight ``w_j = d_j / Σ_k d_k``. An indicator
    that is constant across units carries no information: ``e_j = 1``, weight 0.
    If every indicator is constant the weights are equal.

    The method follows Shannon's entropy as used for attribute weights by Zeleny
    (1982, *Multiple Criteria Decision Making*, McGraw-Hill) and is the weighting
    most used in Chinese studies that measure new quality productive forces.

    Examples
    --------
    >>> x = pd.DataFrame({"a": [0.0, 1.0, 1.0], "b": [0.0, 0.0, 1.0]})
    >>> entropy_weights(x).round(4).tolist()
    [0.2696, 0.7304]
    """
    x = _standardise(indicators)
    n = x.shape[0]
    col_sum = x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = x / col_sum
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = -plogp.sum(axis=0) / np.log(n) if n > 1 else np.ones(x.shape[1])
    e = np.where(col_sum > 0, e, 1.0)
    d = 1.0 - e
    w = d / d.sum() if d.sum() > 0 else np.full(x.shape[1], 1.0 / x.shape[1])
    return pd.Series(w, index=indicators.columns, name="weight")


def _check_indicators(indicators: pd.DataFrame) -> np.ndarray:
    """The indicator matrix as floats: not empty, finite, no missing values."""
    if indicators.shape[0] == 0 or indicators.shape[1] == 0:
        raise ValueError(f"indicators has {indicators.shape[0]} row(s) and {indicators.shape[1]} "
                         "column(s) – pass at least one unit (row) and one indicator (column)")
    x = indicators.to_numpy(dtype=float)
    if np.isnan(x).any():
        raise ValueError("indicators contain missing values; choose missing='zero' or drop "
                         "the unmentioned provinces before weighting (first at "
                         f"{_first_bad(x, np.isnan(x), indicators)})")
    _check_finite(x, indicators, "indicators", nan_rows=False, negative=True, hint="")
    return x


def _standardise(indicators: pd.DataFrame) -> np.ndarray:
    x = _check_indicators(indicators)
    lo, hi = x.min(axis=0), x.max(axis=0)
    with np.errstate(over="ignore"):
        wide = ~np.isfinite(hi - lo)          # a range beyond the largest float (±1e308)
    if wide.any():                            # halve those columns: min-max is scale-free
        x = np.where(wide, x / 2, x)
        lo, hi = x.min(axis=0), x.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    return np.where(hi > lo, (x - lo) / span, 0.0)


def composite_index(indicators: pd.DataFrame, weights: str | pd.Series = "equal",
                    standardise: bool | None = None) -> pd.Series:
    """Weighted composite of an indicator matrix.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Units × indicators (e.g. :func:`pillar_shares`).
    weights : {"equal", "entropy"}, pandas.Series or dict
        Equal weights ``1/m``, entropy weights (:func:`entropy_weights`), or
        explicit weights by column name, a Series or a dict (numbers: finite,
        non-negative, not all 0; normalised to sum to 1). Weights given as text,
        even numeric strings such as ``'1'``, are refused, not converted.
    standardise : bool, optional
        Min–max standardise the indicators first. Default: True for entropy
        weights (as the method prescribes), False otherwise (pillar shares are
        already on [0, 1]).

    Returns
    -------
    pandas.Series
        ``Σ_j w_j x_ij`` per unit, on [0, 1] when the indicators are.

    Raises
    ------
    ValueError
        If ``indicators`` has no row or no column or holds a missing or infinite
        value; ``weights`` is an unknown name, lacks a column, or has a negative,
        missing or infinite weight, or weights that sum to 0.
    TypeError
        If ``weights`` is neither a name, a Series nor a dict, or a weight is not a
        number (a string such as ``'1'``, a bool); the message names its column.

    Examples
    --------
    >>> x = pd.DataFrame({"a": [0.0, 1.0], "b": [1.0, 1.0]}, index=["u", "v"])
    >>> composite_index(x).tolist()
    [0.5, 1.0]
    """
    _check_indicators(indicators)
    if isinstance(weights, dict):
        weights = pd.Series(weights, dtype=object)
    if isinstance(weights, str):
        if weights == "equal":
            w = pd.Series(1.0 / indicators.shape[1], index=indicators.columns)
        elif weights == "entropy":
            w = entropy_weights(indicators)
            standardise = True if standardise is None else standardise
        else:
            raise ValueError(f"weights must be 'equal', 'entropy' or a Series (or dict) of "
                             f"weights by column, not {weights!r}")
    elif not isinstance(weights, pd.Series):
        raise TypeError(f"weights must be 'equal', 'entropy', a pandas Series or a dict of weights "
                        f"by column, not {type(weights).__name__}")
    else:
        w = weights.reindex(indicators.columns)
        if w.isna().any():
            raise ValueError(f"weights missing for {w[w.isna()].index.tolist()}")
        for label, v in w.items():
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
                raise TypeError(f"weights[{label!r}] is {v!r} ({type(v).__name__}) – weights must be "
                                "numbers, not text or other values (numeric strings are not "
                                f"converted); pass e.g. {{{label!r}: 1.0}}")
        w = w.astype(float)
        wv = w.to_numpy(dtype=float)
        bad = ~np.isfinite(wv) | (wv < 0)
        if bad.any():
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(f"weights[{w.index[k]!r}] is {float(wv[k])!r} – weights must be finite, "
                             "non-negative numbers")
        if wv.sum() <= 0:
            raise ValueError("weights sum to 0 – give at least one indicator a positive weight")
        w = w / w.sum()
    x = _standardise(indicators) if standardise else indicators.to_numpy(dtype=float)
    return pd.Series(x @ w.to_numpy(), index=indicators.index, name="composite")


def province_scores(practices: pd.DataFrame, provinces: str | Sequence[str] = "mentioned",
                    missing: str = "zero", index: str = "province",
                    codebook: Codebook | None = None,
                    gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Depth, breadth, balance and composite indices for each province.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table.
    provinces, missing, index
        As in :func:`coverage_matrix` (an unknown or repeated code is refused).
        Entropy weights depend on which provinces
        are included: they are computed over the rows returned. With
        ``missing="nan"`` unmentioned provinces get NaN scores and are left out
        of the weighting.
    codebook : Codebook, optional
    gazetteer : Gazetteer, optional
        Province order and NBS regions; the shipped gazetteer by default.

    Returns
    -------
    pandas.DataFrame
        One row per province, columns:

        - ``practices`` – number of practice rows (depth);
        - ``codes``, ``themes``, ``pillars`` – distinct categories covered (breadth);
        - ``share_<pillar>`` – share of the pillar's themes covered;
        - ``balance_entropy``, ``balance_simpson`` – balance of practices across
          the four pillars (:func:`balance`);
        - ``composite_equal`` – mean of the four pillar shares;
        - ``composite_entropy`` – entropy-weighted composite of the standardised
          pillar shares (:func:`entropy_weights`);
        - ``rank_equal``, ``rank_entropy`` – 1 = highest; ties share the best rank
          ("1, 2, 2, 4"; ``method="min"``);
        - ``region`` – NBS region (provinces only).

    Examples
    --------
    >>> from npstudy import load_practices
    >>> s = province_scores(load_practices())
    >>> s.loc["CN-ZJ", ["practices", "themes", "pillars"]].tolist()
    [9, 6, 4]
    >>> s.loc["CN-SH", "composite_equal"]
    np.float64(0.5833333333333333)
    """
    cb = resolve_codebook(codebook)
    g = resolve_gazetteer(gazetteer)
    kw = dict(provinces=provinces, missing=missing, index=index, codebook=cb, gazetteer=g)
    pillars = coverage_matrix(practices, "pillar", "count", **kw)
    out = pd.DataFrame(index=pillars.index)
    out["practices"] = pillars.sum(axis=1, min_count=1)
    for level, name in (("code", "codes"), ("theme", "themes"), ("pillar", "pillars")):
        out[name] = coverage_matrix(practices, level, "presence", **kw).sum(axis=1, min_count=1)
    shares = pillar_shares(practices, **kw)
    for p in cb.ids("pillar"):
        out[f"share_{p}"] = shares[p]
    out = out.join(balance(pillars))
    known = shares.dropna()
    out["composite_equal"] = composite_index(known, "equal")
    out["composite_entropy"] = composite_index(known, "entropy") if len(known) > 1 else np.nan
    for col in ("equal", "entropy"):
        out[f"rank_{col}"] = out[f"composite_{col}"].rank(ascending=False, method="min").astype("Int64")
    if missing == "zero":
        for col in ("practices", "codes", "themes", "pillars"):
            out[col] = out[col].astype("int64")
    if index == "province":
        regions = g.provinces.set_index("iso_code")["region"]
        out["region"] = regions.reindex(out.index).fillna("").to_numpy()
    return out


def region_summary(practices: pd.DataFrame, level: str = "theme",
                   codebook: Codebook | None = None,
                   gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Roll practices up to the four NBS regions.

    Parameters
    ----------
    practices : pandas.DataFrame
    level : {"pillar", "theme", "code"}
        Level at which coverage is counted.
    codebook : Codebook, optional
    gazetteer : Gazetteer, optional
        Gives each province's NBS region; the shipped gazetteer by default.

    Returns
    -------
    pandas.DataFrame
        One row per region (east, central, west, northeast): ``provinces``
        (mainland units in the region), ``mentioned`` (units with ≥ 1 practice),
        ``share_mentioned`` (NaN for a region with no province, as a workspace's own
        ``provinces.csv`` may have), ``practices``, ``practices_per_mentioned``,
        ``categories`` (distinct categories at ``level`` covered by any province
        of the region), ``share_categories`` (of all categories at ``level``) and
        ``mean_breadth`` (mean number of categories covered per mentioned province:
        breadth, which similarity indices grow with).

    Examples
    --------
    >>> from npstudy import load_practices
    >>> region_summary(load_practices()).loc["east", ["provinces", "mentioned", "practices"]].tolist()
    [10, 7, 40]
    """
    cb = resolve_codebook(codebook)
    g = resolve_gazetteer(gazetteer)
    table = g.provinces[g.provinces["region"] != ""]
    regions = ["east", "central", "west", "northeast"]
    counts = coverage_matrix(practices, level, "count", provinces="mainland", codebook=cb,
                             gazetteer=g)
    counts = counts.loc[counts.index.isin(table["iso_code"])]
    region_of = table.set_index("iso_code")["region"]
    rows = []
    for reg in regions:
        block = counts.loc[region_of[region_of == reg].index]
        mentioned = int((block.sum(axis=1) > 0).sum())
        n_practices = int(block.to_numpy().sum())
        covered = int((block.sum(axis=0) > 0).sum())
        breadth = (block > 0).sum(axis=1)[block.sum(axis=1) > 0]
        rows.append({"region": reg, "provinces": len(block), "mentioned": mentioned,
                     "share_mentioned": mentioned / len(block) if len(block) else np.nan,
                     "practices": n_practices,
                     "practices_per_mentioned": n_practices / mentioned if mentioned else np.nan,
                     "categories": covered, "share_categories": covered / counts.shape[1],
                     "mean_breadth": breadth.mean() if mentioned else np.nan})
    return pd.DataFrame(rows).set_index("region")


def instrument_matrix(practices: pd.DataFrame, level: str = "pillar", by: str = "instrument_type",
                      codebook: Codebook | None = None) -> pd.DataFrame:
    """Policy instrument × framework category counts (the two-dimensional framework).

    Parameters
    ----------
    practices : pandas.DataFrame
    level : {"pillar", "theme", "code"}
        Columns of the table.
    by : {"instrument_type", "instrument"}
        Finer instrument types, or the Rothwell–Zegveld categories (supply,
        environment, demand).
    codebook : Codebook, optional

    Returns
    -------
    pandas.DataFrame
        Rows: instruments in codebook order, with a ``instrument`` level giving
        the Rothwell–Zegveld category when ``by="instrument_type"``; columns:
        category ids at ``level``; cells: practice rows. Types never used are kept
        as zero rows.

    Notes
    -----
    Instrument categories follow Rothwell, R. & Zegveld, W. (1981), *Industrial
    Innovation and Public Policy*, London: Frances Pinter.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> m = instrument_matrix(load_practices(), by="instrument")
    >>> m.sum(axis=1).to_dict()
    {'supply': 12, 'environment': 35, 'demand': 4}
    """
    cb = resolve_codebook(codebook)
    if by not in ("instrument_type", "instrument"):
        raise ValueError(f"by must be 'instrument_type' or 'instrument', not {by!r}")
    cats = cb.ids(level)
    rolled = practices["code"].map(lambda c: cb.rollup(c, level))
    if by == "instrument":
        out = pd.crosstab(practices["instrument"], rolled)
        out = out.reindex(index=list(cb.instrument_categories), columns=cats, fill_value=0)
        out.index.name = "instrument"
    else:
        out = pd.crosstab([practices["instrument"], practices["instrument_type"]], rolled)
        out = out.reindex(columns=cats, fill_value=0)
        order = [(c, t) for c in cb.instrument_categories for t in cb.instrument_types
                 if (c, t) in out.index]
        out = out.reindex(order)
    out.columns.name = level
    return out.astype("int64")


def by_document(practices: pd.DataFrame, func, *args, **kwargs) -> pd.DataFrame:
    """Apply a scoring or similarity function to each document separately.

    Every function in :mod:`npstudy.scoring` and :mod:`npstudy.similarity`
    takes any practices table, so calling it on the whole table gives the
    pooled result; this helper gives the per-document results side by side.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table with several ``doc_id`` values.
    func : callable
        E.g. :func:`province_scores` or :func:`coverage_matrix`; called as
        ``func(rows_of_one_document, *args, **kwargs)``.

    Returns
    -------
    pandas.DataFrame
        The results stacked, with ``doc_id`` as the outer index level.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> by_document(load_practices(), coverage_matrix, "pillar").index.names
    FrozenList(['doc_id', 'province'])
    """
    parts = {doc: func(rows, *args, **kwargs) for doc, rows in practices.groupby("doc_id", sort=False)}
    return pd.concat(parts, names=["doc_id"])
