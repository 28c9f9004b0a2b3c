"""The article's portrait checked against public facts about all 31 mainland provinces.

The source article chooses which provinces to cite under each theme. This module asks
whether that choice tracks what the provinces measurably do, using the indicators in
``data/external/`` (one row per province and indicator, each with its source URL, the
source's date and the few words that state the value; an unknown value is empty, never
estimated):

- :func:`programme_tests` – is a province named under a theme more often where it hosts
  that theme's national programme? (Fisher's exact test per theme; a pooled exact test of
  a common odds ratio of 1 across themes with the Mantel–Haenszel estimate; and a pooled
  test that keeps each province's breadth, :func:`pooled_breadth_fixed_test`);
- :func:`breadth_correlations` – does breadth (themes covered) rise with R&D intensity,
  R&D spending or GDP per capita? (Spearman's rho with an exact or Monte Carlo
  permutation p-value);
- :func:`left_out` – provinces that lead an indicator but are absent from the article;
- :func:`indicator_profile` – a transparent four-pillar profile of all 31 provinces from
  the indicators (rank-normalised, averaged within pillar, equal weights) with the range
  of ranks when one indicator is left out, beside the article's own pillar shares.

Numbers only: figure 9 is drawn by :mod:`npstudy.plots_external`. Nothing here reads
the network; every function returns a new DataFrame and leaves its inputs unchanged.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .dataset import data_dir, load_codebook, load_provinces
from .fileio import DataError, read_text
from .gazetteer import mainland_codes
from .scoring import coverage_matrix, province_scores

__all__ = [
    "INDICATOR_FIELDS", "META_FIELDS", "KINDS", "EVIDENCE_MAX",
    "external_dir", "load_indicator_meta", "load_indicators", "indicator_matrix",
    "datapackage", "datapackage_json", "named_matrix", "programme_tests", "pooled_programme_test",
    "pooled_breadth_fixed_test",
    "spearman_permutation", "breadth_correlations", "left_out", "indicator_profile",
    "external_tables",
]

#: Longest evidence string (characters): a number or a list item, never a sentence.
EVIDENCE_MAX = 30
#: What an indicator measures: a yes/no designation, a count, a share or a level.
KINDS = ("binary", "count", "share", "level")
#: Columns of ``indicators.csv``: name → (Frictionless type, description). One source for
#: the loader, the validator and ``datapackage.json``.
INDICATOR_FIELDS = {
    "province": ("string", "ISO 3166-2:CN code of a mainland province (data/provinces.csv)."),
    "indicator": ("string", "Indicator id (indicators_meta.csv)."),
    "value": ("number", "The value the source states; empty when no source found states it."),
    "unit": ("string", "Unit of the value (as in indicators_meta.csv)."),
    "year": ("integer", "Year the value refers to."),
    "source_url": ("string", "Address of the page that states the value; empty if the value is."),
    "source_date": ("string", "Date of that page (YYYY, YYYY-MM or YYYY-MM-DD); empty if undated."),
    "evidence": ("string", "The few words of the source that state the value (at most 30 "
                           "characters); for a 0 in a list indicator, the words that give the "
                           "complete list."),
    "note": ("string", "How the value was read, or why it is empty."),
}
#: Columns of ``indicators_meta.csv``.
META_FIELDS = {
    "id": ("string", "Indicator id."),
    "name_en": ("string", "Name in English."),
    "name_zh": ("string", "Name in Chinese."),
    "pillar": ("string", "Codebook pillar the indicator speaks to; empty for context "
                         "indicators kept out of the profile."),
    "theme": ("string", "Codebook theme whose national programme the indicator lists; empty "
                        "if none."),
    "unit": ("string", "Unit of the values."),
    "kind": ("string", "binary, count, share or level."),
    "primary": ("boolean", "The indicator that stands for its theme in the pooled test."),
    "source": ("string", "Where the values come from."),
}
#: Indicators whose complete list covers only the provinces above a threshold: an empty
#: value is known to be at or below it (the source says so). Values below the threshold are
#: known for some provinces only, so the profile ties every value at or below the threshold
#: with the empty ones: no province is ranked below one whose value is merely unknown.
LISTED_ABOVE = {"rd_intensity": 2.65, "rd_expenditure": 1000.0}
_DATE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")   # ASCII digits only
#: A value as the indicator tables write it: ASCII digits, an optional decimal part and exponent.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def external_dir() -> Path:
    """The folder of the external indicators, ``data/external/``.

    Examples
    --------
    A data folder chosen with ``NPSTUDY_DATA`` that has no ``external/`` of its own uses
    the one shipped with npstudy.

    >>> (external_dir() / "indicators.csv").is_file()
    True
    """
    folder = data_dir() / "external"
    if folder.is_dir():
        return folder
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data" / "external", here.parent / "data" / "external"):
        if candidate.is_dir():
            return candidate
    return folder


def _read_csv(path: Path, fields: dict) -> pd.DataFrame:
    import io

    text = read_text(path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    want = list(fields)
    if list(frame.columns) != want:
        missing = [c for c in want if c not in frame.columns]
        extra = [c for c in frame.columns if c not in want]
        raise DataError(f"{path}: the columns must be {', '.join(want)} in this order"
                        + (f"; missing: {', '.join(missing)}" if missing else "")
                        + (f"; unexpected: {', '.join(extra)}" if extra else ""))
    return frame


def load_indicator_meta(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load and check ``indicators_meta.csv``: one row per indicator.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``id``; the columns of :data:`META_FIELDS`, ``primary`` as bool.

    Raises
    ------
    npstudy.fileio.DataError
        A duplicate id, an unknown pillar, theme or kind, or two primary indicators for one
        theme; the message names the file, row and column.

    Examples
    --------
    >>> meta = load_indicator_meta()
    >>> meta.loc["pilot_ftz", ["pillar", "theme", "kind"]].tolist()
    ['reform', 'reform.opening_up', 'binary']
    """
    path = Path(path) if path is not None else external_dir() / "indicators_meta.csv"
    m = _read_csv(path, META_FIELDS)
    cb = load_codebook()
    pillars, themes = set(cb.ids("pillar")), set(cb.ids("theme"))
    seen = set()
    for i, r in m.iterrows():
        where = f"{path}:{i + 2}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", r["id"]):
            raise DataError(f"{where}: column 'id' has {r['id']!r}; use lower-case letters, "
                            "digits and '_'")
        if r["id"] in seen:
            raise DataError(f"{where}: column 'id' repeats {r['id']!r}; give each indicator "
                            "one row")
        seen.add(r["id"])
        if r["pillar"] and r["pillar"] not in pillars:
            raise DataError(f"{where}: column 'pillar' has {r['pillar']!r}; use one of "
                            f"{', '.join(sorted(pillars))} or leave it empty")
        if r["theme"] and r["theme"] not in themes:
            raise DataError(f"{where}: column 'theme' has {r['theme']!r}, not a codebook theme")
        if r["theme"] and not r["theme"].startswith(r["pillar"] + "."):
            raise DataError(f"{where}: theme {r['theme']!r} is not in pillar {r['pillar']!r}")
        if r["kind"] not in KINDS:
            raise DataError(f"{where}: column 'kind' has {r['kind']!r}; use one of "
                            f"{', '.join(KINDS)}")
        if r["primary"] not in ("true", "false"):
            raise DataError(f"{where}: column 'primary' has {r['primary']!r}; use true or false")
        if r["primary"] == "true" and not r["theme"]:
            raise DataError(f"{where}: a primary indicator needs a theme")
    m["primary"] = m["primary"] == "true"
    dup = m[m["primary"]].duplicated("theme", keep=False)
    if dup.any():
        theme = m[m["primary"]][dup]["theme"].iloc[0]
        raise DataError(f"{path}: theme {theme!r} has more than one primary indicator; mark "
                        "one as true")
    return m.set_index("id")


def load_indicators(path: str | os.PathLike | None = None,
                    meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """Load and check ``indicators.csv``: one row per mainland province and indicator.

    Every check is made before anything is returned: each of the 31 mainland provinces
    has exactly one row per indicator of the meta table; a value is a number (0 or 1 for
    a binary indicator, a whole number ≥ 0 for a count), or empty; a value has a source
    URL, a date of the form YYYY[-MM[-DD]] or none, and evidence of at most
    :data:`EVIDENCE_MAX` characters; an empty value has neither URL nor evidence (unknown
    stays empty, and nothing is claimed for it).

    Parameters
    ----------
    path : path-like, optional
        ``data/external/indicators.csv`` by default.
    meta : pandas.DataFrame, optional
        :func:`load_indicator_meta` of the ``indicators_meta.csv`` beside ``path`` if there is
        one, else of the shipped file.

    Returns
    -------
    pandas.DataFrame
        The long table; ``value`` is float with NaN for unknown, ``year`` int. The file is
        only read.

    Raises
    ------
    npstudy.fileio.DataError
        Naming the file, row, column and value, and what to do.

    Examples
    --------
    >>> ind = load_indicators()
    >>> ind.groupby("indicator").size().unique().tolist()
    [31]
    >>> float(ind.query("province == 'CN-BJ' and indicator == 'rd_intensity'")["value"].iloc[0])
    6.73
    """
    path = Path(path) if path is not None else external_dir() / "indicators.csv"
    if meta is None:   # the metadata beside the file, else the shipped one
        beside = path.parent / "indicators_meta.csv"
        meta = load_indicator_meta(beside if beside.is_file() else None)
    frame = _read_csv(path, INDICATOR_FIELDS)
    provinces = load_provinces()
    mainland = mainland_codes(provinces)
    by_name = {r["short_zh"]: r["iso_code"] for _, r in provinces.iterrows()}
    by_name.update({r["name_en"].lower(): r["iso_code"] for _, r in provinces.iterrows()})
    values = []
    for i, r in frame.iterrows():
        where = f"{path}:{i + 2}"
        prov = r["province"]
        if prov not in mainland:
            hint = by_name.get(prov.strip()) or by_name.get(prov.strip().lower())
            hint = hint or (prov.strip() if prov.strip() in mainland else None)
            raise DataError(f"{where}: column 'province' has {prov!r}, not a mainland ISO code"
                            + (f"; did you mean {hint!r}?" if hint else
                               " (see data/provinces.csv)"))
        if r["indicator"] not in meta.index:
            raise DataError(f"{where}: column 'indicator' has {r['indicator']!r}, which "
                            "indicators_meta.csv does not describe; add it there first")
        kind, unit = meta.loc[r["indicator"], "kind"], meta.loc[r["indicator"], "unit"]
        if r["unit"] != unit:
            raise DataError(f"{where}: column 'unit' has {r['unit']!r}; indicator "
                            f"{r['indicator']!r} is measured in {unit!r}")
        if not re.fullmatch(r"[0-9]{4}", r["year"]):
            raise DataError(f"{where}: column 'year' has {r['year']!r}; write a year like 2023")
        raw = r["value"].strip()
        if raw == "":
            if r["source_url"] or r["evidence"]:
                raise DataError(f"{where}: the value is empty but a source or evidence is "
                                "given; write the value the source states, or clear both")
            values.append(np.nan)
            continue
        if not _NUMBER.fullmatch(raw):
            raise DataError(f"{where}: column 'value' has {raw!r}, not a number; write ASCII "
                            "digits only (no %, no units, no full-width digits), or leave it "
                            "empty if unknown")
        v = float(raw)
        if not math.isfinite(v) or v < 0:
            raise DataError(f"{where}: column 'value' has {raw!r}; values are finite and ≥ 0")
        if kind == "binary" and v not in (0.0, 1.0):
            raise DataError(f"{where}: column 'value' has {raw!r}; a binary indicator is 0 or 1")
        if kind == "count" and v != int(v):
            raise DataError(f"{where}: column 'value' has {raw!r}; a count is a whole number")
        if not re.match(r"^https?://\S+$", r["source_url"]):
            raise DataError(f"{where}: column 'source_url' has {r['source_url']!r}; give the "
                            "address (http:// or https://) of the page that states the value")
        if r["source_date"] and not _DATE.match(r["source_date"]):
            raise DataError(f"{where}: column 'source_date' has {r['source_date']!r}; write "
                            "YYYY, YYYY-MM or YYYY-MM-DD, or leave it empty if undated")
        ev = r["evidence"]
        if not ev.strip():
            raise DataError(f"{where}: column 'evidence' is empty; quote the few words of the "
                            "source that state the value")
        if len(ev) > EVIDENCE_MAX:
            raise DataError(f"{where}: column 'evidence' has {len(ev)} characters; quote at most "
                            f"{EVIDENCE_MAX} (the number or list item, not a sentence)")
        values.append(v)
    out = frame.copy()
    out["value"] = values
    out["year"] = out["year"].astype(int)
    dup = out.duplicated(["province", "indicator"], keep=False)
    if dup.any():
        r = out[dup].iloc[0]
        raise DataError(f"{path}: province {r['province']} has more than one row for "
                        f"{r['indicator']!r}; keep one")
    for ind in meta.index:
        have = set(out.loc[out["indicator"] == ind, "province"])
        lack = [c for c in mainland if c not in have]
        if lack:
            raise DataError(f"{path}: indicator {ind!r} has no row for {', '.join(lack)}; add one "
                            "row per mainland province (an empty value if unknown)")
    return out


def indicator_matrix(indicators: pd.DataFrame) -> pd.DataFrame:
    """Provinces × indicators of the values (NaN = unknown), rows in gazetteer order."""
    order = mainland_codes(load_provinces())
    wide = indicators.pivot(index="province", columns="indicator", values="value")
    return wide.reindex(order)


def datapackage(meta: pd.DataFrame | None = None) -> dict:
    """The Frictionless description of ``data/external/``, generated from the schema here.

    ``data/external/datapackage.json`` is this dictionary written as JSON; a test checks
    that the two agree and that the package validates.
    """
    meta = load_indicator_meta() if meta is None else meta
    codes = mainland_codes(load_provinces())

    def fields(spec, constraints):
        return [{"name": k, "type": t, "description": d,
                 **({"constraints": constraints[k]} if k in constraints else {})}
                for k, (t, d) in spec.items()]

    ind_c = {"province": {"required": True, "enum": codes},
             "indicator": {"required": True, "enum": list(meta.index)},
             "value": {"minimum": 0},
             "evidence": {"maxLength": EVIDENCE_MAX},
             "source_url": {"pattern": r"(https?://\S+)?"}}
    meta_c = {"id": {"required": True, "unique": True}, "kind": {"enum": list(KINDS)}}
    licence = [{"name": "facts-public", "title": "Facts from public sources, credited row by row; "
                "see LICENSE.md", "path": "LICENSE.md"}]
    return {
        "name": "npstudy-external",
        "title": "Public indicators for the 31 mainland provinces",
        "description": "One row per province and indicator, each with its source URL, the "
                       "source's date and the words that state it. See README.md.",
        "licenses": licence,
        "resources": [
            {"name": "indicators", "path": "indicators.csv", "profile": "tabular-data-resource",
             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
             "schema": {"fields": fields(INDICATOR_FIELDS, ind_c),
                        "primaryKey": ["province", "indicator"],
                        "missingValues": [""]}},
            {"name": "indicators_meta", "path": "indicators_meta.csv",
             "profile": "tabular-data-resource", "format": "csv", "mediatype": "text/csv",
             "encoding": "utf-8",
             "schema": {"fields": fields(META_FIELDS, meta_c), "primaryKey": ["id"],
                        "missingValues": [""]}},
        ],
    }


def datapackage_json(meta: pd.DataFrame | None = None) -> str:
    """:func:`datapackage` as the text of ``datapackage.json``."""
    return json.dumps(datapackage(meta), ensure_ascii=False, indent=2) + "\n"


# ----------------------------------------------------------------------------- tests

def named_matrix(practices: pd.DataFrame) -> pd.DataFrame:
    """31 mainland provinces × themes: 1 if the article names the province under the theme.

    Rows of ``practices`` for national actors or Hong Kong, Macao and Taiwan are not
    provinces of the comparison and are left out.
    """
    return coverage_matrix(practices, "theme", "presence", provinces="mainland").astype(int)


def _fisher_row(named: pd.Series, host: pd.Series) -> dict:
    ok = host.notna()
    n, h = named[ok].astype(bool), host[ok] > 0
    a = int((n & h).sum())
    b = int((n & ~h).sum())
    c = int((~n & h).sum())
    d = int((~n & ~h).sum())
    odds, p = stats.fisher_exact([[a, b], [c, d]], alternative="greater")
    return {"named_hosts": a, "named_others": b, "unnamed_hosts": c, "unnamed_others": d,
            "provinces": a + b + c + d, "odds_ratio": float(odds), "p_value": float(p)}


def programme_tests(practices: pd.DataFrame, indicators: pd.DataFrame,
                    meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """Is a province named under a theme more often where it hosts that theme's programme?

    For each indicator of the meta table that has a theme, the 31 mainland provinces
    (those with a known value) form a 2 × 2 table: named under the theme in the article
    or not, host of the programme (value > 0) or not. Fisher's exact test gives the
    one-sided p-value of an association at least as strong, under the hypergeometric
    distribution with both margins fixed:

    .. math:: p = \\sum_{x \\ge a} \\binom{K}{x}\\binom{N-K}{n-x} \\Big/ \\binom{N}{n},

    with :math:`a` named hosts, :math:`K` hosts, :math:`n` provinces named, :math:`N`
    provinces. The sample odds ratio is :math:`ad/bc` (``inf`` when :math:`bc = 0`).

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table.
    indicators : pandas.DataFrame
        :func:`load_indicators`.
    meta : pandas.DataFrame, optional
        :func:`load_indicator_meta`.

    Returns
    -------
    pandas.DataFrame
        One row per (theme, indicator): the four cells, ``provinces``, ``odds_ratio``,
        ``p_value`` and ``primary``.

    Notes
    -----
    A province counts as named if at least one row codes it under the theme. The test
    asks about the author's choice of examples, not about policy: a small p says the
    examples lean towards programme hosts. With 31 provinces and a handful named per
    theme, power is low; a large p is not evidence of no association.

    References
    ----------
    Fisher, R. A. (1935). The logic of inductive inference. *Journal of the Royal
    Statistical Society*, 98(1), 39–82.
    Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.), §3.5. Wiley.
    """
    meta = load_indicator_meta() if meta is None else meta
    named = named_matrix(practices)
    wide = indicator_matrix(indicators)
    rows = []
    for ind, m in meta[meta["theme"] != ""].iterrows():
        n = named[m["theme"]] if m["theme"] in named else pd.Series(0, index=wide.index)
        rows.append({"theme": m["theme"], "indicator": ind, "primary": bool(m["primary"]),
                     **_fisher_row(n.reindex(wide.index).fillna(0), wide[ind])})
    return pd.DataFrame(rows)


def pooled_programme_test(table: pd.DataFrame) -> dict:
    """Pooled exact test that the odds ratio is 1 in every stratum, and the MH estimate.

    Each row of ``table`` (from :func:`programme_tests`, usually the primary indicators,
    one per theme) is a stratum. Conditional on every stratum's margins, the number of
    named hosts :math:`a_k` is hypergeometric; the statistic :math:`T = \\sum_k a_k` has
    the exact null distribution of the convolution of those hypergeometrics, and the
    one-sided p-value is :math:`P(T \\ge t_{obs})` (the exact conditional test of a common
    odds ratio; Agresti 2013, §7.3.5). The Mantel–Haenszel common odds ratio is

    .. math:: \\hat\\psi_{MH} = \\frac{\\sum_k a_k d_k / N_k}{\\sum_k b_k c_k / N_k}.

    Returns
    -------
    dict
        ``strata``, ``named_hosts`` (observed T), ``expected`` (its null mean),
        ``odds_ratio_mh`` and ``p_value``.

    References
    ----------
    Mantel, N. & Haenszel, W. (1959). Statistical aspects of the analysis of data from
    retrospective studies of disease. *JNCI*, 22(4), 719–748.
    Agresti, A. (2013). *Categorical Data Analysis* (3rd ed.), §6.3 and §7.3.5. Wiley.
    """
    dist = np.array([1.0])
    num = den = expected = 0.0
    t_obs = 0
    for _, r in table.iterrows():
        a, b, c, d = (int(r[k]) for k in ("named_hosts", "named_others", "unnamed_hosts",
                                          "unnamed_others"))
        N, K, n = a + b + c + d, a + c, a + b
        support = np.arange(max(0, n + K - N), min(n, K) + 1)
        pmf = np.zeros(min(n, K) + 1)
        pmf[support] = stats.hypergeom.pmf(support, N, K, n)
        dist = np.convolve(dist, pmf)
        t_obs += a
        expected += n * K / N
        num += a * d / N
        den += b * c / N
    p = float(min(1.0, dist[t_obs:].sum()))
    return {"strata": int(len(table)), "named_hosts": int(t_obs), "expected": float(expected),
            "odds_ratio_mh": float(num / den) if den > 0 else float("inf"), "p_value": p}


def pooled_breadth_fixed_test(practices: pd.DataFrame, indicators: pd.DataFrame,
                              meta: pd.DataFrame | None = None, n_samples: int = 9999,
                              seed: int = 0) -> dict:
    """Pooled test that keeps each province's breadth: is the match theme-specific?

    The exact pooled test (:func:`pooled_programme_test`) lets each theme's named provinces
    be any provinces, so a province that the author cites often and that hosts many
    programmes adds to the statistic in every theme. Here the null model keeps, over the
    themes with a primary indicator, both how many of those themes each province is named
    under and how many provinces each theme names, and randomises which province is named
    where (curveball on the province × theme matrix; :func:`npstudy.nullmodels.curveball_samples`).
    The statistic is again :math:`T = \\sum_{i,k} named_{ik}\\,host_{ik}` and the p-value
    :math:`(1 + \\#\\{T^* \\ge T\\})/(1 + n_{samples})`. A small p means the author's examples
    match the programmes theme by theme, beyond citing prominent provinces everywhere.

    Returns
    -------
    dict
        ``themes``, ``named_hosts`` (T), ``null_mean``, ``null_sd``, ``p_value``, ``n_samples``.

    References
    ----------
    Strona, G., Nappo, D., Boccacci, F., Fattorini, S. & San-Miguel-Ayanz, J. (2014). A fast
    and unbiased procedure to randomize ecological binary matrices with fixed row and column
    totals. *Nature Communications*, 5, 4114.
    """
    meta = load_indicator_meta() if meta is None else meta
    prim = meta[meta["primary"]]
    wide = indicator_matrix(indicators)
    named = named_matrix(practices).reindex(index=wide.index, fill_value=0)
    themes = list(prim["theme"])
    x = named.reindex(columns=themes, fill_value=0).to_numpy() > 0
    hosts = (wide[list(prim.index)].fillna(0).to_numpy() > 0)
    return {"themes": len(themes), **_overlap_test(x, hosts, n_samples, seed)}


def _overlap_test(x: np.ndarray, hosts: np.ndarray, n_samples: int, seed: int) -> dict:
    """``sum(x & hosts)`` against curveball draws of ``x`` (row and column totals kept)."""
    from .nullmodels import curveball_samples

    t_obs = int((x & hosts).sum())
    null = np.concatenate([(b & hosts[None]).sum(axis=(1, 2))
                           for b in curveball_samples(x, n_samples, seed=seed)])
    p = float((1 + np.sum(null >= t_obs)) / (1 + n_samples))
    return {"named_hosts": t_obs, "null_mean": float(null.mean()),
            "null_sd": float(null.std(ddof=1)), "p_value": p, "n_samples": int(n_samples)}


def spearman_permutation(x, y, n_perm: int = 9999, seed: int = 0,
                         exact_max: int = 8) -> dict:
    """Spearman's rho with a two-sided permutation p-value.

    :math:`\\rho` is Pearson's correlation of the mid-ranks of ``x`` and ``y``. Under the
    null hypothesis of exchangeability every pairing of the ``y`` values with the ``x``
    values is equally likely. With :math:`n \\le` ``exact_max`` all :math:`n!` pairings are
    enumerated and :math:`p = \\#\\{|\\rho^*| \\ge |\\rho|\\}/n!` is exact; otherwise
    ``n_perm`` random pairings (argsort of uniform draws from
    ``numpy.random.default_rng(seed)``) give
    :math:`p = (1 + \\#\\{|\\rho^*| \\ge |\\rho|\\})/(1 + n_{perm})` (Phipson & Smyth 2010).

    Returns
    -------
    dict
        ``n``, ``rho``, ``p_value``, ``method`` ("exact", "permutation" or "too few").

    References
    ----------
    Spearman, C. (1904). The proof and measurement of association between two things.
    *American Journal of Psychology*, 15(1), 72–101.
    Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero.
    *Statistical Applications in Genetics and Molecular Biology*, 9(1), 39.

    Examples
    --------
    >>> r = spearman_permutation([1, 2, 3, 4], [1, 3, 2, 4])
    >>> round(r["rho"], 3), round(r["p_value"], 4), r["method"]
    (0.8, 0.3333, 'exact')
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    n = len(x)
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return {"n": n, "rho": float("nan"), "p_value": float("nan"), "method": "too few"}
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    rx = (rx - rx.mean()) / np.sqrt(((rx - rx.mean()) ** 2).sum())
    ry = (ry - ry.mean()) / np.sqrt(((ry - ry.mean()) ** 2).sum())
    rho = float(rx @ ry)
    tol = 1e-12
    if n <= exact_max:
        perms = np.array(list(itertools.permutations(range(n))))
        null = ry[perms] @ rx
        p = float(np.mean(np.abs(null) >= abs(rho) - tol))
        method = "exact"
    else:
        rng = np.random.default_rng(seed)
        orders = np.argsort(rng.random((n_perm, n)), axis=1)   # n_perm uniform random orders
        null = ry[orders] @ rx
        p = float((1 + np.sum(np.abs(null) >= abs(rho) - tol)) / (1 + n_perm))
        method = "permutation"
    return {"n": n, "rho": rho, "p_value": p, "method": method}


def breadth_correlations(practices: pd.DataFrame, indicators: pd.DataFrame,
                         meta: pd.DataFrame | None = None, n_perm: int = 9999,
                         seed: int = 0) -> pd.DataFrame:
    """Does breadth (themes covered in the article) rise with a share or level indicator?

    For each ``share`` or ``level`` indicator, Spearman's rho between the number of themes
    a province covers (:func:`npstudy.scoring.province_scores`, 0 if not named) and the
    indicator, over the provinces whose value is known, with the p-value of
    :func:`spearman_permutation`.

    Notes
    -----
    Only the values a source states are used. Where a source lists only the provinces
    above a threshold (R&D intensity, R&D spending), the known values are the top of the
    distribution and rho describes the leaders only: a truncated sample, which weakens
    any association. An indicator with fewer than three known values gives NaN.
    """
    meta = load_indicator_meta() if meta is None else meta
    scores = province_scores(practices, provinces="mainland")
    breadth = scores["themes"]
    wide = indicator_matrix(indicators)
    rows = []
    for ind, _m in meta[meta["kind"].isin(["share", "level"])].iterrows():
        v = wide[ind].dropna()
        r = spearman_permutation(v.to_numpy(), breadth.reindex(v.index).to_numpy(),
                                 n_perm=n_perm, seed=seed)
        rows.append({"indicator": ind, **r})
    return pd.DataFrame(rows)


def left_out(practices: pd.DataFrame, indicators: pd.DataFrame,
             meta: pd.DataFrame | None = None, top: int = 3) -> pd.DataFrame:
    """Provinces that lead an indicator, and whether the article names them at all.

    A province leads a binary indicator if it hosts the programme, and a count, share or
    level indicator if its value ranks in the first ``top`` (ties share the best rank; a
    value of 0 never leads). Ranks are only taken where every unknown value is known to be
    lower: for an indicator of :data:`LISTED_ABOVE`, among the values above its threshold;
    an indicator with other unknown values (e.g. GDP per capita, known for a few provinces)
    names no leader, since an unknown province could lead it.

    Returns
    -------
    pandas.DataFrame
        ``indicator``, ``province``, ``value``, ``rank``, ``rows`` (the province's rows in
        the article) and ``left_out`` (True if ``rows`` is 0), sorted by indicator, rank
        and province.
    """
    meta = load_indicator_meta() if meta is None else meta
    rows_in = coverage_matrix(practices, "pillar", provinces="mainland").sum(axis=1)
    wide = indicator_matrix(indicators)
    out = []
    for ind, m in meta.iterrows():
        v = wide[ind].dropna()
        if ind in LISTED_ABOVE:
            v = v[v > LISTED_ABOVE[ind]]
        elif m["kind"] != "binary" and len(v) < len(wide):
            continue        # an unknown province could lead it
        v = v[v > 0]
        if v.empty:
            continue
        rank = v.rank(ascending=False, method="min").astype(int)
        lead = v.index if m["kind"] == "binary" else rank[rank <= top].index
        for prov in lead:
            k = int(rows_in.get(prov, 0))
            out.append({"indicator": ind, "province": prov, "value": float(v[prov]),
                        "rank": int(rank[prov]), "rows": k, "left_out": k == 0})
    return (pd.DataFrame(out).sort_values(["indicator", "rank", "province"], kind="stable")
            .reset_index(drop=True))


def _normalised(wide: pd.DataFrame, meta: pd.DataFrame) -> pd.DataFrame:
    """Each profile indicator as mid-rank scaled to [0, 1] over the 31 provinces."""
    cols = {}
    for ind, _m in meta[meta["pillar"] != ""].iterrows():
        v = wide[ind].copy()
        if ind in LISTED_ABOVE:
            # the complete list covers the provinces above a threshold: the others are known
            # to be at or below it, so they tie there with any known value below it (no value
            # is estimated, and no province ranks below one whose value is unknown)
            t = LISTED_ABOVE[ind]
            v = v.where(v > t, t).fillna(t)
        known = v.dropna()
        if known.nunique() < 2:
            continue
        r = known.rank(method="average")
        cols[ind] = ((r - 1) / (len(known) - 1)).reindex(v.index)
    return pd.DataFrame(cols, index=wide.index)


def _profile_scores(norm: pd.DataFrame, meta: pd.DataFrame, pillars: list) -> pd.DataFrame:
    out = pd.DataFrame(index=norm.index)
    for p in pillars:
        cols = [c for c in norm.columns if meta.loc[c, "pillar"] == p]
        out[p] = norm[cols].mean(axis=1) if cols else np.nan
    out["overall"] = out[pillars].mean(axis=1)
    return out


def indicator_profile(indicators: pd.DataFrame, practices: pd.DataFrame | None = None,
                      meta: pd.DataFrame | None = None) -> pd.DataFrame:
    """A transparent four-pillar profile of the 31 provinces from the indicators.

    Each indicator with a pillar is turned into mid-ranks over the provinces and scaled
    to [0, 1]: :math:`s_{ij} = (r_{ij} - 1)/(n_j - 1)`, with :math:`r_{ij}` the average
    rank of province :math:`i` on indicator :math:`j` (1 = lowest) and :math:`n_j` the
    provinces with a known value. A pillar score is the mean of its indicators' scores
    (a province's unknown values are skipped), and ``overall`` is the mean of the four
    pillar scores: equal weights throughout, no estimation.

    Where the complete list covers only the provinces above a threshold
    (:data:`LISTED_ABOVE`), every province at or below it ties at the threshold, whether its
    value is known from another page or empty: the list states the empty ones are not above
    it, but not where they lie below. An indicator with no variation (or no values) is left
    out.

    The rank range is a *leave-one-indicator-out* range: each indicator is dropped in turn
    (if its pillar keeps another) and the overall ranks recomputed. It shows how much a
    rank hangs on a single indicator; it is a sensitivity range, not a confidence interval.

    Parameters
    ----------
    indicators : pandas.DataFrame
        :func:`load_indicators`.
    practices : pandas.DataFrame, optional
        If given, the article's pillar shares (share of each pillar's themes covered),
        composite (their mean) and its rank are added beside the indicator profile.
    meta : pandas.DataFrame, optional

    Returns
    -------
    pandas.DataFrame
        Indexed by province (gazetteer order): ``ind_<pillar>`` for the four pillars,
        ``ind_overall``, ``ind_rank`` (1 = highest; ties share the best), ``ind_rank_min``,
        ``ind_rank_max``, ``indicators_used``; with practices also ``art_<pillar>``,
        ``art_composite``, ``art_rank`` and ``themes``.

    References
    ----------
    OECD/JRC (2008). *Handbook on Constructing Composite Indicators*, §5 (ranking as
    normalisation; equal weighting) and §7 (uncertainty and sensitivity analysis).
    """
    meta = load_indicator_meta() if meta is None else meta
    pillars = load_codebook().ids("pillar")
    wide = indicator_matrix(indicators)
    norm = _normalised(wide, meta)
    scores = _profile_scores(norm, meta, pillars)
    rank = scores["overall"].rank(ascending=False, method="min")
    ranks = [rank]
    for col in norm.columns:
        same_pillar = [c for c in norm.columns if meta.loc[c, "pillar"] == meta.loc[col, "pillar"]]
        if len(same_pillar) < 2:
            continue
        s = _profile_scores(norm.drop(columns=col), meta, pillars)
        ranks.append(s["overall"].rank(ascending=False, method="min"))
    allr = pd.concat(ranks, axis=1)
    out = scores.rename(columns=lambda c: f"ind_{c}")
    out["ind_rank"] = rank.astype(int)
    out["ind_rank_min"] = allr.min(axis=1).astype(int)
    out["ind_rank_max"] = allr.max(axis=1).astype(int)
    out["indicators_used"] = norm.notna().sum(axis=1)
    if practices is not None:
        s = province_scores(practices, provinces="mainland")
        for p in pillars:
            out[f"art_{p}"] = s[f"share_{p}"]
        out["art_composite"] = s[[f"share_{p}" for p in pillars]].mean(axis=1)
        out["art_rank"] = out["art_composite"].rank(ascending=False, method="min").astype(int)
        out["themes"] = s["themes"]
    out.index.name = "province"
    return out


def _method(m: str) -> str:
    return {"exact": "exact permutation (all n! orders), two-sided",
            "permutation": "Monte Carlo permutation, two-sided"}.get(m, "too few known values")


def external_tables(practices: pd.DataFrame, n_perm: int = 9999, seed: int = 0) -> dict:
    """The three tables the build writes: ``external_tests``, ``external_profile``,
    ``external_left_out``.

    ``external_tests`` holds one row per Fisher test (``test = "fisher"``), two pooled rows
    over the primary indicators (``"pooled_exact"``, :func:`pooled_programme_test`;
    ``"pooled_breadth_fixed"``, :func:`pooled_breadth_fixed_test`), one Spearman row per share or level
    indicator (``"spearman_breadth"``) and the Spearman correlation of the indicator
    profile with the article's composite over the 31 provinces (``"profile_vs_article"``).
    """
    meta = load_indicator_meta()
    ind = load_indicators(meta=meta)
    fisher = programme_tests(practices, ind, meta)
    pooled = pooled_programme_test(fisher[fisher["primary"]])
    fixed = pooled_breadth_fixed_test(practices, ind, meta, n_samples=n_perm, seed=seed)
    corr = breadth_correlations(practices, ind, meta, n_perm=n_perm, seed=seed)
    profile = indicator_profile(ind, practices, meta)
    pv = spearman_permutation(profile["ind_overall"], profile["art_composite"], n_perm=n_perm,
                              seed=seed)
    rows = []
    for _, r in fisher.iterrows():
        rows.append({"test": "fisher", "theme": r["theme"], "indicator": r["indicator"],
                     "n": r["provinces"], "named_hosts": r["named_hosts"],
                     "named_others": r["named_others"], "unnamed_hosts": r["unnamed_hosts"],
                     "unnamed_others": r["unnamed_others"], "expected": np.nan,
                     "statistic": r["odds_ratio"], "statistic_name": "odds ratio",
                     "p_value": r["p_value"], "method": "Fisher exact, one-sided (greater)"})
    rows.append({"test": "pooled_exact", "theme": "primary indicators",
                 "indicator": ";".join(fisher.loc[fisher["primary"], "indicator"]),
                 "n": pooled["strata"], "named_hosts": pooled["named_hosts"],
                 "expected": pooled["expected"], "statistic": pooled["odds_ratio_mh"],
                 "statistic_name": "Mantel-Haenszel odds ratio", "p_value": pooled["p_value"],
                 "method": "exact conditional test of a common odds ratio of 1, one-sided"})
    rows.append({"test": "pooled_breadth_fixed", "theme": "primary indicators",
                 "indicator": ";".join(fisher.loc[fisher["primary"], "indicator"]),
                 "n": fixed["themes"], "named_hosts": fixed["named_hosts"],
                 "expected": fixed["null_mean"], "statistic": fixed["named_hosts"],
                 "statistic_name": "named hosts", "p_value": fixed["p_value"],
                 "method": f"curveball, each province's and theme's named count kept, "
                           f"{fixed['n_samples']} draws, one-sided"})
    for _, r in corr.iterrows():
        rows.append({"test": "spearman_breadth", "theme": "", "indicator": r["indicator"],
                     "n": r["n"], "statistic": r["rho"], "statistic_name": "Spearman rho",
                     "p_value": r["p_value"],
                     "method": _method(r["method"])})
    rows.append({"test": "profile_vs_article", "theme": "", "indicator": "ind_overall",
                 "n": pv["n"], "statistic": pv["rho"], "statistic_name": "Spearman rho",
                 "p_value": pv["p_value"], "method": _method(pv["method"])})
    tests = pd.DataFrame(rows)
    for c in ("n", "named_hosts", "named_others", "unnamed_hosts", "unnamed_others"):
        tests[c] = tests[c].astype("Int64")
    return {"external_tests": tests, "external_profile": profile,
            "external_left_out": left_out(practices, ind, meta)}
