"""How far do the headline results depend on choices the analyst made?

Every headline quantity (composite ranks, breadth leaders, the most similar
pairs, the region effect, the clusters) is recomputed under variants of the
analysis, and each variant's value is set beside the baseline's:

========== ==================================================================
group      variants
========== ==================================================================
unit       practice rows (baseline), statements (rule R1a), province × code cells
level      themes (baseline), codes
scope      all rows (baseline), provincial practice only (rule R11); and both
           at code level (``level_scope``)
weights    equal weights (baseline), entropy weights
leave_out  each of the 13 named provinces left out in turn
provinces  the 13 named provinces (baseline), all 31 mainland provinces, the
           18 unmentioned ones as zeros
codebook   codebook-sensitivity variants (:data:`CODEBOOK_VARIANTS`):
           ``single_province_statements`` (only statements that name one
           province), ``inverse_k_weights`` (each row weighted by 1/k, k the
           number of provinces its statement names), ``no_direction_clauses``
           (rows whose quote states a direction with no instrument dropped,
           :func:`is_direction_clause`) and ``merged_duplicates`` (rows that
           count one scheme of one province twice, listed in
           ``data/reliability/same_scheme.csv``, counted once)
========== ==================================================================

:func:`rank_intervals` adds bootstrap rank distributions (statements resampled
within each paragraph of the article, since every paragraph is guaranteed its
examples) for the equal-weight composite, with the share of samples in which a
province holds its rank alone and the share including ties. These are a
sensitivity analysis of the example choice, not confidence intervals for a
population quantity. :func:`leave_one_out_ranks` gives the rank range of any
composite. Nothing here draws; :mod:`npstudy.plots` does.

"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook
from .dataset import load_codebook, load_provinces, statement_key
from .nullmodels import null_model_test, region_test, region_test_fixed_rows
from .scoring import composite_index, coverage_matrix, pillar_shares
from .similarity import cluster_provinces, similarity_matrix

__all__ = ["ranks", "rank_intervals", "leave_one_out_ranks", "headline",
           "robustness_table", "BASELINE", "CODEBOOK_VARIANTS", "codebook_variant",
           "is_direction_clause", "statement_sizes", "weighted_ranks", "load_same_scheme"]

#: The baseline analysis every variant is compared with.
BASELINE = {"unit": "rows", "level": "theme", "scope": "all", "weights": "equal",
            "leave_out": "none", "provinces": "named"}


def _cb(codebook: Codebook | None) -> Codebook:
    return codebook if codebook is not None else load_codebook()


@lru_cache(maxsize=1)
def _shipped_order() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return _order_of(load_provinces())


def _order_of(table: pd.DataFrame) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    mainland = table.loc[table["region"] != "", "iso_code"]
    return (tuple(table["iso_code"]), tuple(mainland), tuple(table["region"]))


def _gazetteer_order(gazetteer=None) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Province order, mainland provinces and regions: of ``gazetteer``, else of the shipped one."""
    return _shipped_order() if gazetteer is None else _order_of(gazetteer.provinces)


def _presence(practices: pd.DataFrame, level: str, cb: Codebook,
              provinces="mentioned", gazetteer=None) -> pd.DataFrame:
    """Province × category presence, as :func:`coverage_matrix` gives it, without pandas reshaping."""
    order, mainland, _ = _gazetteer_order(gazetteer)
    mentioned = set(practices["province"])
    if provinces == "mentioned":
        units = [c for c in order if c in mentioned] + sorted(mentioned - set(order))
    else:
        units = list(mainland) + sorted(mentioned - set(mainland))
    cats = cb.ids(level)
    col = {c: i for i, c in enumerate(cats)}
    row = {u: i for i, u in enumerate(units)}
    x = np.zeros((len(units), len(cats)), dtype=np.int64)
    for prov, code in zip(practices["province"], practices["code"]):
        x[row[prov], col[cb.rollup(code, level)]] = 1
    return pd.DataFrame(x, index=pd.Index(units, name="province"),
                        columns=pd.Index(cats, name=level))


#: The codebook-sensitivity variants of :func:`robustness_table`, in the order it reports them.
CODEBOOK_VARIANTS = ("single_province_statements", "inverse_k_weights", "no_direction_clauses",
                     "merged_duplicates")

#: Verbs that state a direction or focus (rule R1): with no instrument beside them, a
#: clause built on one of these is a direction, not a practice statement.
DIRECTION_VERBS = ("布局", "瞄准", "聚焦", "着眼", "谋划", "面向", "抢占", "锚定", "前瞻")
#: Verbs and nouns that report an instrument: setting something up, issuing, funding,
#: piloting, building, designating (rule R1). Two-character words only, so that a
#: single character inside another word (设 in 设施) is not taken for one.
INSTRUMENT_MARKERS = ("设立", "首设", "新设", "增设", "建设", "建立", "成立", "组建", "出台", "印发",
                      "发布", "制定", "实施", "开展", "试点", "推出", "提供", "运用", "设置", "获批",
                      "拨付", "搭建", "举办", "认定", "遴选", "奖励", "补贴", "引进", "建成", "支持",
                      "争创", "争取", "编制")
_DIRECTION = re.compile("|".join(DIRECTION_VERBS))
_INSTRUMENT = re.compile("|".join(INSTRUMENT_MARKERS))


def is_direction_clause(quote: str) -> bool:
    """Whether a quote states only a direction: a direction verb and no instrument.

    The rule is lexical and transparent: the quote contains one of
    :data:`DIRECTION_VERBS` and none of :data:`INSTRUMENT_MARKERS`. It is the
    operational form of rule R1's "a direction with no instrument is not a
    statement", used by the ``no_direction_clauses`` variant.

    Parameters
    ----------
    quote : str

    Returns
    -------
    bool

    Examples
    --------
    >>> is_direction_clause("某省瞄准氢能、储能等新赛道促进产业发展")
    True
    >>> is_direction_clause("某省设立规模百亿元的产业基金")
    False
    >>> is_direction_clause("某省加快布局算力基础设施")   # 设施 is no instrument marker
    True
    """
    return bool(_DIRECTION.search(quote)) and not _INSTRUMENT.search(quote)


def statement_sizes(practices: pd.DataFrame) -> pd.Series:
    """How many provinces the statement of each row names (k), aligned with the rows.

    Examples
    --------
    >>> p = pd.DataFrame({"statement": ["S1", "S1", "S2"], "province": ["CN-BJ", "CN-SH", "CN-BJ"]})
    >>> statement_sizes(p).tolist()
    [2, 2, 1]
    """
    return practices.groupby(statement_key(practices))["province"].transform("nunique").astype("int64")


def load_same_scheme(path: str | Path | None = None) -> pd.DataFrame:
    """Pairs of rows that count one scheme of one province twice.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with columns ``id_a``, ``id_b``, ``province``, ``scheme_en`` and
        ``reason``; default ``data/reliability/same_scheme.csv`` of the shipped data.

    Returns
    -------
    pandas.DataFrame
    """
    if path is None:
        from .dataset import data_dir
        path = data_dir() / "reliability" / "same_scheme.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def codebook_variant(practices: pd.DataFrame, name: str,
                     same_scheme: pd.DataFrame | None = None) -> pd.DataFrame:
    """The rows of one codebook-sensitivity variant.

    Parameters
    ----------
    practices : pandas.DataFrame
    name : {"single_province_statements", "no_direction_clauses", "merged_duplicates"}
        ``single_province_statements`` keeps the rows whose statement names one
        province (k = 1, :func:`statement_sizes`); ``no_direction_clauses``
        drops the rows whose quote is a direction clause
        (:func:`is_direction_clause`); ``merged_duplicates`` drops the second
        row of every pair in ``same_scheme`` when both rows are present and
        belong to the pair's province. (``inverse_k_weights`` keeps every row
        and changes the weights instead: :func:`weighted_ranks`.)
    same_scheme : pandas.DataFrame, optional
        As :func:`load_same_scheme` returns it (read when needed and not given).

    Returns
    -------
    pandas.DataFrame
        A subset of ``practices``.

    Examples
    --------
    >>> p = pd.DataFrame({"id": ["P1", "P2", "P3"], "statement": ["S1", "S1", "S2"],
    ...                   "province": ["CN-BJ", "CN-SH", "CN-BJ"],
    ...                   "quote": ["北京、上海设立基金", "北京、上海设立基金", "北京聚焦人工智能"]})
    >>> codebook_variant(p, "single_province_statements")["id"].tolist()
    ['P3']
    >>> codebook_variant(p, "no_direction_clauses")["id"].tolist()
    ['P1', 'P2']
    >>> pairs = pd.DataFrame({"id_a": ["P1"], "id_b": ["P3"], "province": ["CN-BJ"]})
    >>> codebook_variant(p, "merged_duplicates", pairs)["id"].tolist()
    ['P1', 'P2']
    """
    if name == "single_province_statements":
        return practices[statement_sizes(practices).to_numpy() == 1]
    if name == "no_direction_clauses":
        return practices[~practices["quote"].map(is_direction_clause).to_numpy(dtype=bool)]
    if name == "merged_duplicates":
        pairs = load_same_scheme() if same_scheme is None else same_scheme
        prov = dict(zip(practices["id"], practices["province"]))
        drop = {b for a, b, pr in zip(pairs["id_a"], pairs["id_b"], pairs["province"])
                if prov.get(a) == pr and prov.get(b) == pr}
        return practices[~practices["id"].isin(drop)]
    raise ValueError(f"unknown codebook variant {name!r}; choose one of {CODEBOOK_VARIANTS}")


def weighted_ranks(practices: pd.DataFrame, level: str = "theme",
                   codebook: Codebook | None = None, gazetteer=None) -> tuple[pd.Series, pd.Series]:
    """Composite ranks when each row counts 1/k (k = provinces its statement names).

    A statement that lists k provinces says less about each of them than one
    that names a single province. With row weights ``w_r = 1/k_r``, the
    weighted coverage of category ``c`` by province ``i`` is
    ``v_ic = Σ_{r: province i, category c} w_r`` and the composite is the
    equal-weight mean over pillars of ``Σ_{c ∈ pillar} v_ic / |pillar|``. With
    every ``k = 1`` and one row per cell this is the equal-weight composite.

    Parameters
    ----------
    practices : pandas.DataFrame
    level : {"theme", "code"}
    codebook : Codebook, optional

    Returns
    -------
    ranks : pandas.Series
        Integer ranks (1 = highest; ties share the best rank).
    total : pandas.Series
        ``Σ_c v_ic``, the weighted number of statements.

    Examples
    --------
    >>> p = pd.DataFrame({"statement": ["S1", "S1", "S2"], "province": ["CN-BJ", "CN-SH", "CN-SH"],
    ...                   "code": ["innovation.venture_capital.policy_fund"] * 2
    ...                           + ["reform.talent.talent_services"]})
    >>> r, total = weighted_ranks(p)
    >>> r.to_dict(), total.to_dict()
    ({'CN-BJ': 2, 'CN-SH': 1}, {'CN-BJ': 0.5, 'CN-SH': 1.5})
    """
    cb = _cb(codebook)
    cats = cb.ids(level)
    w = 1.0 / statement_sizes(practices)
    cells = pd.DataFrame({"province": practices["province"].to_numpy(),
                          "cat": [cb.rollup(c, level) for c in practices["code"]], "w": w.to_numpy()})
    v = cells.pivot_table(index="province", columns="cat", values="w", aggfunc="sum", fill_value=0.0)
    v = v.reindex(columns=cats, fill_value=0.0)
    pillars = [[c for c in cats if cb.rollup(c, "pillar") == p] for p in cb.ids("pillar")]
    comp = sum(v[cols].sum(axis=1) / len(cols) for cols in pillars) / len(pillars)
    order = [u for u in coverage_matrix(practices, level, codebook=cb, gazetteer=gazetteer).index
             if u in comp.index]
    comp = comp.reindex(order)
    return (comp.round(12).rank(ascending=False, method="min").astype("int64"),
            v.sum(axis=1).reindex(order))


def ranks(practices: pd.DataFrame, weights: str = "equal", level: str = "theme",
          provinces="mentioned", codebook: Codebook | None = None, gazetteer=None) -> pd.Series:
    """Composite-index rank of each province (1 = highest; ties share the best rank).

    Parameters
    ----------
    practices : pandas.DataFrame
    weights : {"equal", "entropy"}
        See :func:`npstudy.scoring.composite_index`.
    level : {"theme", "code"}
        Level of the pillar shares (:func:`npstudy.scoring.pillar_shares`).
    provinces : {"mentioned", "mainland"} or list of str
    codebook : Codebook, optional

    Returns
    -------
    pandas.Series
        Integer ranks, ``method="min"``.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> ranks(load_practices())[["CN-SH", "CN-ZJ"]].tolist()
    [1, 2]
    """
    shares = pillar_shares(practices, codebook, level=level, provinces=provinces,
                           gazetteer=gazetteer)
    comp = composite_index(shares, weights)
    return comp.rank(ascending=False, method="min").astype("int64")


def rank_intervals(practices: pd.DataFrame, n_boot: int = 9999, level: str = "theme",
                   seed: int | None = 0, codebook: Codebook | None = None,
                   strata: str | None = "paragraph") -> pd.DataFrame:
    """Bootstrap rank distributions of the equal-weight composite, resampling statements.

    A sensitivity analysis of the article's choice of examples: how far would
    the ranks move had the author picked other statements of the same kind?
    It is not a confidence interval for a population rank: the statements are
    not a sample from a defined population.

    Parameters
    ----------
    practices : pandas.DataFrame
        With a ``statement`` column (rule R1a); the quote stands in otherwise.
    n_boot : int, default 9999
        Bootstrap samples: the article's statements drawn with replacement,
        as many as there are.
    level : {"theme", "code"}
    seed : int, default 0
    codebook : Codebook, optional
    strata : str or None, default "paragraph"
        Resample statements within each value of this column (each paragraph
        keeps its number of statements, as the article's layout guarantees
        every paragraph its examples); ``None``, or a table without the
        column, resamples all statements together.

    Returns
    -------
    pandas.DataFrame
        One row per mentioned province: ``rank`` (observed), ``rank_low`` and
        ``rank_high`` (2.5th and 97.5th percentiles of the bootstrap ranks),
        ``rank_median``, ``share_same`` (share of samples with the observed
        rank, ties included) and ``share_strict`` (share of samples in which
        the province holds that rank alone, with no other province on the
        same composite).

    Notes
    -----
    With equal weights the composite is the mean of the four pillar shares,
    which for three themes per pillar is the number of themes covered / 12, so
    the ranks are breadth ranks. A province whose statements are all left out
    of a sample covers nothing and ranks last. The percentile interval follows
    Efron & Tibshirani (1993), *An Introduction to the Bootstrap*, ch. 13; rank
    intervals are discussed by Hall & Miller (2009), *Journal of Computational
    and Graphical Statistics* 18: 303–320.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> r = rank_intervals(load_practices(), n_boot=199, seed=1)
    >>> r.loc["CN-SH", ["rank", "rank_low"]].tolist()
    [1, 1]
    """
    cb = _cb(codebook)
    key = statement_key(practices)
    provs = coverage_matrix(practices, level, codebook=cb).index.tolist()
    cats = cb.ids(level)
    pillar_of = np.array([cb.ids("pillar").index(cb.rollup(c, "pillar")) for c in cats])
    per_pillar = np.bincount(pillar_of, minlength=4).astype(float)
    stm = list(dict.fromkeys(practices[key]))
    if strata is not None and strata in practices.columns:
        stratum_of = practices.drop_duplicates(key).set_index(key)[strata].reindex(stm).to_numpy()
    else:
        stratum_of = np.zeros(len(stm), dtype=np.int64)
    groups = [np.flatnonzero(stratum_of == g) for g in dict.fromkeys(stratum_of)]
    inc = np.zeros((len(stm), len(provs), len(cats)), dtype=np.int32)
    s_idx = {s: i for i, s in enumerate(stm)}
    for row in practices.itertuples(index=False):
        inc[s_idx[getattr(row, key)], provs.index(row.province),
            cats.index(cb.rollup(row.code, level))] = 1
    rng = np.random.default_rng(seed)

    def comp(covered):  # (..., provinces, categories) -> equal-weight composite
        by_pillar = np.stack([covered[..., pillar_of == k].sum(-1) for k in range(4)], -1)
        return (by_pillar / per_pillar).mean(-1)

    def rank_of(c):
        return 1 + (c[..., None, :] > c[..., :, None] + 1e-12).sum(-1)

    def alone(c):  # no other province on the same composite
        return (np.abs(c[..., None, :] - c[..., :, None]) <= 1e-12).sum(-1) == 1

    observed = rank_of(comp(inc.sum(0) > 0))
    boot = np.empty((n_boot, len(provs)), dtype=np.int64)
    strict = np.zeros(len(provs), dtype=np.int64)
    for start in range(0, n_boot, 512):
        size = min(512, n_boot - start)
        counts = np.zeros((size, len(stm)), dtype=np.int64)
        for idx in groups:
            counts[:, idx] = rng.multinomial(len(idx), np.full(len(idx), 1.0 / len(idx)), size=size)
        c = comp(np.einsum("bs,spc->bpc", counts, inc) > 0)
        boot[start:start + size] = rank_of(c)
        strict += ((boot[start:start + size] == observed) & alone(c)).sum(axis=0)
    lo, med, hi = np.percentile(boot, [2.5, 50, 97.5], axis=0, method="inverted_cdf")
    return pd.DataFrame({"rank": observed, "rank_low": lo.astype(int), "rank_high": hi.astype(int),
                         "rank_median": med.astype(int),
                         "share_same": (boot == observed).mean(axis=0),
                         "share_strict": strict / n_boot},
                        index=pd.Index(provs, name="province"))


def leave_one_out_ranks(practices: pd.DataFrame, weights: str = "entropy", level: str = "theme",
                        codebook: Codebook | None = None) -> pd.DataFrame:
    """Rank range of a composite when each province in turn is left out.

    Parameters
    ----------
    practices : pandas.DataFrame
    weights : {"entropy", "equal"}
    level : {"theme", "code"}
    codebook : Codebook, optional

    Returns
    -------
    pandas.DataFrame
        One row per province: ``rank`` (all provinces), ``rank_min``, ``rank_max``
        (over the variants that keep it) and ``changed`` (in how many of them its
        rank differs), plus one column ``without_<ISO>`` per variant.

    Notes
    -----
    Ranks in a variant are computed among the remaining provinces and then put
    back on the full scale: one is added when the left-out province ranked above
    (``rank_full < rank_province``). So a province keeps its rank exactly when
    leaving another province out does not reorder it; any difference is a real
    reordering, which entropy weights produce because the weights depend on
    which provinces are in the matrix.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> loo = leave_one_out_ranks(load_practices(), "equal")
    >>> int(loo["changed"].sum())
    0
    """
    full = ranks(practices, weights, level, codebook=codebook)
    out = pd.DataFrame({"rank": full})
    for left in full.index:
        sub = ranks(practices[practices["province"] != left], weights, level, codebook=codebook)
        out[f"without_{left}"] = (sub + (full[left] < full.reindex(sub.index))).astype("Int64")
    variants = out.drop(columns="rank")
    out["rank_min"] = variants.min(axis=1).astype("int64")
    out["rank_max"] = variants.max(axis=1).astype("int64")
    out["changed"] = variants.ne(out["rank"], axis=0).where(variants.notna()).sum(axis=1).astype("int64")
    return out[["rank", "rank_min", "rank_max", "changed", *variants.columns]]


def _pairs_label(a, b) -> str:
    return f"{a}–{b}"


def headline(practices: pd.DataFrame, level: str = "theme", weights: str = "equal",
             provinces="mentioned", n_samples: int = 999, seed: int = 0,
             codebook: Codebook | None = None, null: bool = True, gazetteer=None) -> dict:
    """Every headline quantity for one variant of the analysis.

    Parameters
    ----------
    practices : pandas.DataFrame
        The rows of this variant.
    level : {"theme", "code"}
    weights : {"equal", "entropy"}
    provinces : {"mentioned", "mainland"}
        Rows of the composite (the similarity analyses always use provinces
        with at least one practice; an unmentioned province has no profile).
    n_samples : int, default 999
        Randomisations of the null model and the region tests.
    seed : int
    codebook : Codebook, optional
    null : bool, default True
        Run the pairwise null model (``lowest_p_pair``, ``lowest_p`` and
        ``pairs_fdr_05`` are left out otherwise).

    Returns
    -------
    dict
        ``rank`` (Series of ranks), ``breadth_leaders`` (provinces with the most
        categories, ``;``-joined), ``top_pairs`` (pairs with the highest
        Jaccard similarity), ``lowest_p_pair`` and ``lowest_p`` (null model),
        ``pairs_fdr_05`` (pairs with FDR-adjusted p < 0.05), ``region_effect``
        (same- minus different-region mean similarity), ``region_p_labels``
        (labels permuted) and ``region_p_fixed_rows`` (breadth held fixed), and
        ``clusters`` (three clusters, ``|``-separated, each ``,``-joined), and
        ``similarity`` (the province × province Jaccard matrix). Leave-one-out
    variants skip the pairwise null model (``null=False``) to keep the build
    fast; the scope and level variants run it.
    """
    cb = _cb(codebook)
    presence = _presence(practices, level, cb, gazetteer=gazetteer)
    breadth = presence.sum(axis=1)
    sim = similarity_matrix(presence)
    i, j = np.triu_indices(len(sim), k=1)
    vals = sim.to_numpy()[i, j]
    labels = sim.index.to_numpy()
    top = [_pairs_label(labels[a], labels[b]) for a, b, v in zip(i, j, vals)
           if np.isclose(v, np.nanmax(vals))]
    mainland = _presence(practices, level, cb, "mainland", gazetteer=gazetteer)
    region = region_test(similarity_matrix(mainland), n_perm=n_samples, seed=seed,
                         gazetteer=gazetteer).iloc[0]
    fixed = region_test_fixed_rows(mainland, n_samples=n_samples, seed=seed,
                                   gazetteer=gazetteer).iloc[0]
    clusters = cluster_provinces(sim, n_clusters=3)["cluster"]
    groups = sorted(",".join(sorted(clusters.index[clusters == k])) for k in clusters.unique())
    out = {
        "similarity": sim,
        "rank": ranks(practices, weights, level, provinces, cb, gazetteer),
        "breadth_leaders": ";".join(sorted(breadth.index[breadth == breadth.max()])),
        "top_pairs": ";".join(top),
        "region_effect": float(region["statistic"]),
        "region_p_labels": float(region["p_value"]),
        "region_p_fixed_rows": float(fixed["p_value"]),
        "clusters": " | ".join(groups),
    }
    if null:
        test = null_model_test(presence, n_samples=n_samples, seed=seed)
        best = test.sort_values(["p_value", "a", "b"]).iloc[0]
        out.update(lowest_p_pair=_pairs_label(best["a"], best["b"]), lowest_p=float(best["p_value"]),
                   pairs_fdr_05=int((test["p_fdr"] < 0.05).sum()))
    return out


def _unit_counts(practices: pd.DataFrame, unit: str) -> pd.Series:
    if unit == "rows":
        return practices.groupby("province").size()
    if unit == "statements":
        return practices.groupby("province")[statement_key(practices)].nunique()
    return practices.groupby("province")["code"].nunique()  # province × code cells


def robustness_table(practices: pd.DataFrame, n_samples: int = 999, seed: int = 0,
                     codebook: Codebook | None = None,
                     same_scheme: pd.DataFrame | None = None, gazetteer=None) -> pd.DataFrame:
    """Every headline quantity under every variant, beside its baseline value.

    Parameters
    ----------
    practices : pandas.DataFrame
        The full practices table (with ``statement`` and ``scope`` columns).
    n_samples : int, default 999
        Randomisations per variant for the null model and region tests.
    seed : int
    codebook : Codebook, optional
    same_scheme : pandas.DataFrame, optional
        Pairs of rows that count one scheme twice, for the
        ``merged_duplicates`` variant (:func:`load_same_scheme`).
    gazetteer : Gazetteer, optional
        Province order, mainland list and regions (a workspace's own under
        ``build --data``); the shipped gazetteer when None.

    Returns
    -------
    pandas.DataFrame
        Long table, one row per (quantity, subject, variant): ``quantity``,
        ``subject`` (a province for ranks, empty otherwise), ``group`` and
        ``variant`` (see the module docstring), ``value``, ``baseline`` and
        ``same`` (the value equals the baseline's; numbers within 1e-9).
        p-values compare at the conventional 0.05: ``same`` is true when both
        are below it or both are not.

    Notes
    -----
    The unit variants change only counts (depth and the share of the three
    largest provinces); every presence-based quantity is the same whatever the
    unit, and the table says so rather than repeating it.
    """
    cb = _cb(codebook)
    base = headline(practices, n_samples=n_samples, seed=seed, codebook=cb, gazetteer=gazetteer)
    rows = []

    def add(quantity, subject, group, variant, value, baseline):
        if quantity in ("lowest_p", "region_p_labels", "region_p_fixed_rows"):
            same = (value < 0.05) == (baseline < 0.05) if pd.notna(value) else False
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
            same = pd.notna(value) and abs(float(value) - float(baseline)) < 1e-9
        else:
            same = value == baseline
        rows.append({"quantity": quantity, "subject": subject, "group": group, "variant": variant,
                     "value": value, "baseline": baseline, "same": bool(same)})

    def add_headline(group, variant, h, rank_offset=None):
        for prov, r in h["rank"].items():
            if prov in base["rank"].index:
                value = int(r) if rank_offset is None else int(r + rank_offset(prov))
                add("rank", prov, group, variant, value, int(base["rank"][prov]))
        for q in ("breadth_leaders", "top_pairs", "lowest_p_pair", "lowest_p", "pairs_fdr_05",
                  "region_effect", "region_p_labels", "region_p_fixed_rows", "clusters"):
            if q in h:
                add(q, "", group, variant, h[q], base[q])
        # how similar the baseline's most similar pairs still are in this variant
        for pair in base["top_pairs"].split(";"):
            a, b = pair.split("–")
            sim = h["similarity"]
            value = (round(float(sim.loc[a, b]), 6) if a in sim.index and b in sim.index
                     else float("nan"))
            add("pair_jaccard", pair, group, variant, value,
                round(float(base["similarity"].loc[a, b]), 6))

    add_headline("baseline", "baseline", base)
    # unit of count: depth leader and the share of the three largest provinces
    base_counts = _unit_counts(practices, "rows")
    top3 = base_counts.sort_values(ascending=False, kind="stable").index[:3]
    for unit in ("rows", "statements", "cells"):
        counts = _unit_counts(practices, unit)
        total = (practices[statement_key(practices)].nunique() if unit == "statements"
                 else counts.sum())
        if unit == "statements":
            share = practices.loc[practices["province"].isin(top3),
                                  statement_key(practices)].nunique() / total
        else:
            share = counts[top3].sum() / total
        base_share = base_counts[top3].sum() / base_counts.sum()
        leaders = ";".join(sorted(counts.index[counts == counts.max()]))
        base_leaders = ";".join(sorted(base_counts.index[base_counts == base_counts.max()]))
        add("depth_leaders", "", "unit", unit, leaders, base_leaders)
        add("top3_share", ";".join(sorted(top3)), "unit", unit, round(float(share), 6),
            round(float(base_share), 6))
    add_headline("level", "code", headline(practices, "code", n_samples=n_samples, seed=seed,
                                           codebook=cb, gazetteer=gazetteer))
    if "scope" in practices.columns:
        prov_only = practices[practices["scope"] != "national"]
        add_headline("scope", "provincial_only", headline(prov_only, n_samples=n_samples, seed=seed,
                                                          codebook=cb, gazetteer=gazetteer))
    if "scope" in practices.columns:
        add_headline("level_scope", "code_provincial_only",
                     headline(prov_only, "code", n_samples=n_samples, seed=seed, codebook=cb, gazetteer=gazetteer))
    add_headline("weights", "entropy", dict(base, rank=ranks(practices, "entropy", codebook=cb, gazetteer=gazetteer)))
    for w in ("equal", "entropy"):
        r31 = ranks(practices, w, provinces="mainland", codebook=cb, gazetteer=gazetteer)
        add_headline("provinces", f"mainland_31_{w}", dict(base, rank=r31))
    for variant in CODEBOOK_VARIANTS:
        if variant == "inverse_k_weights":
            r, total = weighted_ranks(practices, codebook=cb, gazetteer=gazetteer)
            leaders = ";".join(sorted(total.index[np.isclose(total, total.max())]))
            add_headline("codebook", variant, dict(base, rank=r, breadth_leaders=leaders))
            continue
        sub = codebook_variant(practices, variant, same_scheme)
        h = headline(sub, n_samples=n_samples, seed=seed, codebook=cb, gazetteer=gazetteer)
        # a province with no row left ranks after every province that has one
        for prov in base["rank"].index.difference(h["rank"].index):
            add("rank", prov, "codebook", variant, len(h["rank"]) + 1, int(base["rank"][prov]))
        add_headline("codebook", variant, h)
    full = base["rank"]
    full_ent = ranks(practices, "entropy", codebook=cb, gazetteer=gazetteer)
    for left in full.index:
        sub = practices[practices["province"] != left]
        h = headline(sub, n_samples=n_samples, seed=seed, codebook=cb, null=False, gazetteer=gazetteer)
        add_headline("leave_out", left, h,
                     rank_offset=lambda prov, left=left: int(full[left] < full[prov]))
        ent = ranks(sub, "entropy", codebook=cb, gazetteer=gazetteer)
        for prov, r in ent.items():
            add("rank_entropy", prov, "leave_out", left, int(r + (full_ent[left] < full_ent[prov])),
                int(full_ent[prov]))
    out = pd.DataFrame(rows)
    for col in ("value", "baseline"):
        out[col] = out[col].map(lambda v: f"{v:.6f}" if isinstance(v, float) else str(v))
    return out
