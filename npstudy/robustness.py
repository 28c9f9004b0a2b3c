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
========== ==================================================================

:func:`rank_intervals` adds bootstrap intervals (statements resampled) for the
equal-weight composite and :func:`leave_one_out_ranks` the rank range of any
composite. Nothing here draws; :mod:`npstudy.plots` does.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from .codebook import Codebook
from .dataset import load_codebook, load_provinces, statement_key
from .nullmodels import null_model_test, region_test, region_test_fixed_rows
from .scoring import composite_index, coverage_matrix, pillar_shares
from .similarity import cluster_provinces, similarity_matrix

__all__ = ["ranks", "rank_intervals", "leave_one_out_ranks", "headline",
           "robustness_table", "BASELINE"]

#: The baseline analysis every variant is compared with.
BASELINE = {"unit": "rows", "level": "theme", "scope": "all", "weights": "equal",
            "leave_out": "none", "provinces": "named"}


def _cb(codebook: Codebook | None) -> Codebook:
    return codebook if codebook is not None else load_codebook()


@lru_cache(maxsize=1)
def _gazetteer_order() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    table = load_provinces()
    mainland = table.loc[table["region"] != "", "iso_code"]
    return (tuple(table["iso_code"]), tuple(mainland), tuple(table["region"]))


def _presence(practices: pd.DataFrame, level: str, cb: Codebook,
              provinces="mentioned") -> pd.DataFrame:
    """Province × category presence, as :func:`coverage_matrix` gives it, without pandas reshaping."""
    order, mainland, _ = _gazetteer_order()
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


def ranks(practices: pd.DataFrame, weights: str = "equal", level: str = "theme",
          provinces="mentioned", codebook: Codebook | None = None) -> pd.Series:
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
    shares = pillar_shares(practices, codebook, level=level, provinces=provinces)
    comp = composite_index(shares, weights)
    return comp.rank(ascending=False, method="min").astype("int64")


def rank_intervals(practices: pd.DataFrame, n_boot: int = 9999, level: str = "theme",
                   seed: int | None = 0, codebook: Codebook | None = None) -> pd.DataFrame:
    """Bootstrap rank intervals of the equal-weight composite, resampling statements.

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

    Returns
    -------
    pandas.DataFrame
        One row per mentioned province: ``rank`` (observed), ``rank_low`` and
        ``rank_high`` (2.5th and 97.5th percentiles of the bootstrap ranks),
        ``rank_median`` and ``share_same`` (share of samples with the observed rank).

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

    observed = rank_of(comp(inc.sum(0) > 0))
    boot = np.empty((n_boot, len(provs)), dtype=np.int64)
    for start in range(0, n_boot, 512):
        size = min(512, n_boot - start)
        counts = rng.multinomial(len(stm), np.full(len(stm), 1.0 / len(stm)), size=size)
        covered = np.einsum("bs,spc->bpc", counts, inc) > 0
        boot[start:start + size] = rank_of(comp(covered))
    lo, med, hi = np.percentile(boot, [2.5, 50, 97.5], axis=0, method="inverted_cdf")
    return pd.DataFrame({"rank": observed, "rank_low": lo.astype(int), "rank_high": hi.astype(int),
                         "rank_median": med.astype(int),
                         "share_same": (boot == observed).mean(axis=0)},
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
             codebook: Codebook | None = None, null: bool = True) -> dict:
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
        ``clusters`` (three clusters, ``|``-separated, each ``,``-joined). Leave-one-out
    variants skip the pairwise null model (``null=False``) to keep the build
    fast; the scope and level variants run it.
    """
    cb = _cb(codebook)
    presence = _presence(practices, level, cb)
    breadth = presence.sum(axis=1)
    sim = similarity_matrix(presence)
    i, j = np.triu_indices(len(sim), k=1)
    vals = sim.to_numpy()[i, j]
    labels = sim.index.to_numpy()
    top = [_pairs_label(labels[a], labels[b]) for a, b, v in zip(i, j, vals)
           if np.isclose(v, np.nanmax(vals))]
    mainland = _presence(practices, level, cb, "mainland")
    region = region_test(similarity_matrix(mainland), n_perm=n_samples, seed=seed).iloc[0]
    fixed = region_test_fixed_rows(mainland, n_samples=n_samples, seed=seed).iloc[0]
    clusters = cluster_provinces(sim, n_clusters=3)["cluster"]
    groups = sorted(",".join(sorted(clusters.index[clusters == k])) for k in clusters.unique())
    out = {
        "rank": ranks(practices, weights, level, provinces, cb),
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
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Every headline quantity under every variant, beside its baseline value.

    Parameters
    ----------
    practices : pandas.DataFrame
        The full practices table (with ``statement`` and ``scope`` columns).
    n_samples : int, default 999
        Randomisations per variant for the null model and region tests.
    seed : int
    codebook : Codebook, optional

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
    base = headline(practices, n_samples=n_samples, seed=seed, codebook=cb)
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
                                           codebook=cb))
    if "scope" in practices.columns:
        prov_only = practices[practices["scope"] != "national"]
        add_headline("scope", "provincial_only", headline(prov_only, n_samples=n_samples, seed=seed,
                                                          codebook=cb))
    if "scope" in practices.columns:
        add_headline("level_scope", "code_provincial_only",
                     headline(prov_only, "code", n_samples=n_samples, seed=seed, codebook=cb))
    add_headline("weights", "entropy", dict(base, rank=ranks(practices, "entropy", codebook=cb)))
    for w in ("equal", "entropy"):
        r31 = ranks(practices, w, provinces="mainland", codebook=cb)
        add_headline("provinces", f"mainland_31_{w}", dict(base, rank=r31))
    full = base["rank"]
    full_ent = ranks(practices, "entropy", codebook=cb)
    for left in full.index:
        sub = practices[practices["province"] != left]
        h = headline(sub, n_samples=n_samples, seed=seed, codebook=cb, null=False)
        add_headline("leave_out", left, h,
                     rank_offset=lambda prov, left=left: int(full[left] < full[prov]))
        ent = ranks(sub, "entropy", codebook=cb)
        for prov, r in ent.items():
            add("rank_entropy", prov, "leave_out", left, int(r + (full_ent[left] < full_ent[prov])),
                int(full_ent[prov]))
    out = pd.DataFrame(rows)
    for col in ("value", "baseline"):
        out[col] = out[col].map(lambda v: f"{v:.6f}" if isinstance(v, float) else str(v))
    return out
