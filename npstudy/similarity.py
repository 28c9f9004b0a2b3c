"""Cross-province similarity, clustering and null-model significance tests.

Similarities are computed from a units × categories matrix (usually
:func:`npstudy.scoring.coverage_matrix`). The binary measures (Jaccard, Dice,
overlap) always use presence, never abundance, so that a count matrix cannot
silently turn them into quantitative indices. A unit with no practices has no
profile to compare: every similarity that involves it is NaN.

Significance asks whether two provinces are more alike than two provinces with
the same number of practices would be by chance: the presence matrix is
randomised with the curveball algorithm, which keeps every row total (each
province's number of categories) and every column total (each category's number
of provinces) fixed. Nothing here draws.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from .codebook import Codebook
from .dataset import load_codebook, load_provinces
from .scoring import coverage_matrix

__all__ = [
    "METRICS",
    "similarity_matrix",
    "similarity_pairs",
    "hierarchical_similarity",
    "linkage_matrix",
    "cluster_provinces",
    "curveball",
    "curveball_samples",
    "null_model_test",
    "region_test",
]

#: Similarity measures understood by :func:`similarity_matrix`.
METRICS = ("jaccard", "dice", "overlap", "cosine")


# --------------------------------------------------------------------------- core

def _intersections(x: np.ndarray) -> np.ndarray:
    """``x @ x.T`` for a 0/1 matrix (or a stack of them), exactly.

    float32 products of 0/1 values are exact while row sums stay below 2**24,
    and run at twice the float64 speed.
    """
    if x.shape[-1] < 2 ** 24:
        xf = x.astype(np.float32, copy=False)
        return np.matmul(xf, np.swapaxes(xf, -1, -2)).astype(np.float64)
    xf = x.astype(np.float64, copy=False)
    return np.matmul(xf, np.swapaxes(xf, -1, -2))


def _similarity_array(x: np.ndarray, metric: str) -> np.ndarray:
    """Similarity of every pair of rows of ``x`` (2-D, or 3-D for a stack)."""
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    if metric == "cosine":
        xf = np.asarray(x, dtype=np.float64)
        dots = np.matmul(xf, np.swapaxes(xf, -1, -2))
        norms = np.sqrt(np.einsum("...ii->...i", dots))
        denom = norms[..., :, None] * norms[..., None, :]
    else:
        presence = np.asarray(x) > 0
        dots = _intersections(presence)
        sizes = np.einsum("...ii->...i", dots)
        a, b = sizes[..., :, None], sizes[..., None, :]
        if metric == "jaccard":
            denom = a + b - dots
        elif metric == "dice":
            denom = (a + b) / 2.0
        else:  # overlap (Szymkiewicz–Simpson)
            denom = np.minimum(a, b)
        norms = sizes
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = dots / denom
    empty = norms == 0
    sim = np.where(empty[..., :, None] | empty[..., None, :], np.nan, sim)
    if sim.ndim == 2:
        diag = np.flatnonzero(~empty)
        sim[diag, diag] = 1.0  # exact, whatever the rounding of the cosine
    return sim


def similarity_matrix(matrix: pd.DataFrame, metric: str = "jaccard") -> pd.DataFrame:
    """Pairwise similarity of the rows of a units × categories matrix.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Units (provinces or documents) × categories, counts or presence
        (e.g. :func:`npstudy.scoring.coverage_matrix`). NaN rows ("not
        mentioned") count as empty.
    metric : {"jaccard", "dice", "overlap", "cosine"}
        With ``A`` and ``B`` the sets of categories present in two rows:

        - ``jaccard``: ``|A ∩ B| / |A ∪ B|`` (Jaccard 1912);
        - ``dice``: ``2 |A ∩ B| / (|A| + |B|)`` (Dice 1945; Sørensen 1948);
        - ``overlap``: ``|A ∩ B| / min(|A|, |B|)`` (Szymkiewicz–Simpson), 1 when
          one profile contains the other;
        - ``cosine``: ``x·y / (‖x‖ ‖y‖)`` on the values as given (pass a presence
          matrix for the binary cosine, also known as Ochiai).

        The first three use presence (value > 0) whatever the input holds.

    Returns
    -------
    pandas.DataFrame
        Square, labelled by the matrix's index on both axes; symmetric, in
        [0, 1], 1 on the diagonal. Rows and columns of units with no practices
        are NaN (their similarity is undefined, not 0).

    Notes
    -----
    Computed as ``X Xᵀ`` on the presence matrix, so a 5,000 × 300 matrix takes
    a fraction of a second (see ``benchmarks/``). Results equal
    ``1 - scipy.spatial.distance.pdist(X, metric)`` for jaccard, dice and cosine.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0], [1, 0, 1], [0, 0, 0]], index=["a", "b", "c"])
    >>> similarity_matrix(m).round(3).values.tolist()
    [[1.0, 0.333, nan], [0.333, 1.0, nan], [nan, nan, nan]]
    """
    values = np.nan_to_num(matrix.to_numpy(dtype=np.float64), nan=0.0)
    sim = _similarity_array(values, metric)
    out = pd.DataFrame(sim, index=matrix.index, columns=matrix.index.copy())
    out.attrs["metric"] = metric
    return out


def similarity_pairs(matrix: pd.DataFrame, metric: str = "jaccard") -> pd.DataFrame:
    """Tidy table of every unordered pair of rows and their similarity.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Units × categories, as for :func:`similarity_matrix`.
    metric : str
        See :func:`similarity_matrix`.

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b`` (unit labels, ``a`` before ``b`` in the matrix's
        order), ``size_a``, ``size_b`` (categories present), ``shared``
        (categories present in both), ``metric``, ``similarity``; one row per
        pair, pairs with an empty unit included with NaN similarity.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0], [1, 0, 1]], index=["a", "b"])
    >>> similarity_pairs(m)[["a", "b", "shared", "similarity"]].values.tolist()
    [['a', 'b', 1, 0.3333333333333333]]
    """
    sim = similarity_matrix(matrix, metric)
    presence = (np.nan_to_num(matrix.to_numpy(dtype=float)) > 0).astype(np.int64)
    shared = presence @ presence.T
    sizes = presence.sum(axis=1)
    i, j = np.triu_indices(len(matrix), k=1)
    labels = matrix.index.to_numpy()
    return pd.DataFrame({
        "a": labels[i], "b": labels[j], "size_a": sizes[i], "size_b": sizes[j],
        "shared": shared[i, j], "metric": metric, "similarity": sim.to_numpy()[i, j],
    })


def hierarchical_similarity(practices: pd.DataFrame, theme_weight: float = 0.5,
                            pillar_weight: float = 0.0, codebook: Codebook | None = None,
                            **kwargs) -> pd.DataFrame:
    """Jaccard similarity that gives partial credit for sharing a theme or pillar.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table.
    theme_weight : float, default 0.5
        Credit for a shared theme, relative to a shared code (weight 1).
    pillar_weight : float, default 0.0
        Credit for a shared pillar.
    codebook : Codebook, optional
    **kwargs
        ``provinces``, ``missing`` and ``index`` as in
        :func:`npstudy.scoring.coverage_matrix`.

    Returns
    -------
    pandas.DataFrame
        Square similarity matrix as in :func:`similarity_matrix`.

    Notes
    -----
    With ``C``, ``T``, ``P`` the sets of codes, themes and pillars a unit covers
    and weights ``w_T``, ``w_P``::

        S(A, B) = (|C_A ∩ C_B| + w_T |T_A ∩ T_B| + w_P |P_A ∩ P_B|)
                / (|C_A ∪ C_B| + w_T |T_A ∪ T_B| + w_P |P_A ∪ P_B|)

    This is the weighted Jaccard index of the concatenated code, theme and pillar
    presence vectors. Two provinces that share a theme through different codes
    score ``w_T / (2 + w_T)`` instead of 0; with both weights 0 it is the
    code-level Jaccard index. It is symmetric, in [0, 1] and 1 on the diagonal.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> s = hierarchical_similarity(load_practices(), theme_weight=0.0)
    >>> round(s.loc["CN-SC", "CN-CQ"], 4)   # codes: 2 shared of 5
    np.float64(0.4)
    """
    if theme_weight < 0 or pillar_weight < 0:
        raise ValueError("weights must be non-negative")
    cb = codebook if codebook is not None else load_codebook()
    mats = {lvl: coverage_matrix(practices, lvl, "presence", codebook=cb, **kwargs)
            for lvl in ("code", "theme", "pillar")}
    num = 0.0
    den = 0.0
    for lvl, w in (("code", 1.0), ("theme", theme_weight), ("pillar", pillar_weight)):
        x = np.nan_to_num(mats[lvl].to_numpy(dtype=float))
        inter = _intersections(x > 0)
        sizes = np.diag(inter)
        num = num + w * inter
        den = den + w * (sizes[:, None] + sizes[None, :] - inter)
    empty = np.nan_to_num(mats["code"].to_numpy(dtype=float)).sum(axis=1) == 0
    with np.errstate(invalid="ignore", divide="ignore"):
        sim = num / den
    sim[empty, :] = np.nan
    sim[:, empty] = np.nan
    keep = np.flatnonzero(~empty)
    sim[keep, keep] = 1.0
    index = mats["code"].index
    return pd.DataFrame(sim, index=index, columns=index.copy())


# --------------------------------------------------------------------- clustering

def linkage_matrix(similarity: pd.DataFrame, method: str = "average",
                   optimal_ordering: bool = True) -> tuple[np.ndarray, list]:
    """Hierarchical clustering of units from a similarity matrix.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity in [0, 1] (e.g. :func:`similarity_matrix`). Units with
        no practices (NaN diagonal) are left out.
    method : str, default "average"
        Any method of :func:`scipy.cluster.hierarchy.linkage` that accepts a
        distance matrix; "average" (UPGMA) suits similarity indices.
    optimal_ordering : bool, default True
        Reorder leaves so that adjacent leaves are as similar as possible
        (Bar-Joseph et al. 2001), for heatmaps.

    Returns
    -------
    Z : numpy.ndarray
        The scipy linkage matrix on distances ``1 - S``.
    labels : list
        Labels of the clustered units, in the order of ``Z``'s leaves ids.

    Examples
    --------
    >>> s = pd.DataFrame([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]], index=list("abc"),
    ...                  columns=list("abc"))
    >>> Z, labels = linkage_matrix(s)
    >>> sorted(labels[int(i)] for i in Z[0, :2]), round(float(Z[0, 2]), 3)
    (['a', 'b'], 0.1)
    """
    keep = ~np.isnan(np.diag(similarity.to_numpy(dtype=float)))
    sim = similarity.to_numpy(dtype=float)[np.ix_(keep, keep)]
    labels = similarity.index[keep].tolist()
    if len(labels) < 2:
        raise ValueError("need at least two units with practices to cluster")
    dist = 1.0 - np.nan_to_num(sim, nan=0.0)
    dist = (dist + dist.T) / 2.0
    np.fill_diagonal(dist, 0.0)
    Z = hierarchy.linkage(squareform(dist, checks=False), method=method,
                          optimal_ordering=optimal_ordering)
    return Z, labels


def cluster_provinces(similarity: pd.DataFrame, method: str = "average",
                      n_clusters: int | None = None) -> pd.DataFrame:
    """Leaf order and (optionally) flat clusters of a hierarchical clustering.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity matrix.
    method : str, default "average"
        See :func:`linkage_matrix`.
    n_clusters : int, optional
        Cut the tree into this many clusters (``fcluster(..., "maxclust")``).

    Returns
    -------
    pandas.DataFrame
        Indexed by unit in dendrogram leaf order: ``order`` (0, 1, …) and
        ``cluster`` (1…k, or <NA> when ``n_clusters`` is None). Use
        ``.index`` to order heatmap rows.

    Examples
    --------
    >>> s = pd.DataFrame([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]], index=list("abc"),
    ...                  columns=list("abc"))
    >>> dict(sorted(cluster_provinces(s, n_clusters=2)["cluster"].to_dict().items()))
    {'a': 2, 'b': 2, 'c': 1}
    """
    Z, labels = linkage_matrix(similarity, method)
    leaves = hierarchy.leaves_list(Z)
    ordered = [labels[i] for i in leaves]
    out = pd.DataFrame({"order": range(len(ordered))}, index=pd.Index(ordered, name=similarity.index.name))
    if n_clusters is not None:
        flat = hierarchy.fcluster(Z, n_clusters, criterion="maxclust")
        # number clusters in leaf order so that labels are stable
        first = {}
        for i in leaves:
            first.setdefault(flat[i], len(first) + 1)
        out["cluster"] = pd.array([first[flat[labels.index(u)]] for u in ordered], dtype="Int64")
    else:
        out["cluster"] = pd.array([pd.NA] * len(ordered), dtype="Int64")
    return out


# -------------------------------------------------------------------- null models

def _global_trade(x: np.ndarray, rng: np.random.Generator) -> None:
    """One global curveball trade on each matrix of the stack ``x`` (chains, n, m), in place.

    Rows are paired at random; in each pair the columns where exactly one of the
    two rows is 1 are shuffled between them, keeping both row totals. Column
    totals cannot change because every column keeps its number of 1s.
    """
    c, n, m = x.shape
    k = n // 2
    perm = np.argsort(rng.random((c, n)), axis=1)
    chain = np.arange(c)[:, None]
    ia, ib = perm[:, :k], perm[:, k:2 * k]
    a, b = x[chain, ia], x[chain, ib]
    diff = a ^ b
    n_a = (a & diff).sum(axis=-1)
    keys = rng.random((c, k, m))
    keys[~diff] = 2.0
    order = np.argsort(keys, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(m), order.shape), axis=-1)
    to_a = diff & (ranks < n_a[..., None])
    x[chain, ia] = (a & ~diff) | to_a
    x[chain, ib] = (b & ~diff) | (diff & ~to_a)


def curveball_samples(matrix, n_samples: int, burnin: int | None = None, thin: int | None = None,
                      seed: int | np.random.Generator | None = 0, chains: int = 32,
                      progress: bool = False) -> Iterator[np.ndarray]:
    """Random presence matrices with the same row and column totals.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
        Units × categories; values > 0 count as presence.
    n_samples : int
        Number of matrices to draw.
    burnin : int, optional
        Global trades before the first sample of each chain; default
        ``max(100, 10 * n_rows)``.
    thin : int, optional
        Global trades between samples of one chain; default ``max(5, n_rows // 2)``.
    seed : int or numpy.random.Generator, default 0
        Seed for reproducible draws.
    chains : int, default 32
        Independent chains run side by side (vectorised); samples are taken
        from them in turn.
    progress : bool, default False
        Show a tqdm progress bar.

    Yields
    ------
    numpy.ndarray
        Boolean arrays of shape ``(b, n_rows, n_cols)``, ``b ≤ chains``; all
        batches together hold ``n_samples`` matrices.

    Notes
    -----
    The curveball algorithm (Strona, Nappo, Boccacci, Fattorini & San-Miguel-Ayanz
    2014, *Nature Communications* 5: 4114) trades the non-shared presences of two
    rows. A *global* trade (Carstens, Hamann, Meyer, Penschuck, Tran & Wagner 2018,
    *ESA 2018*, LIPIcs 112: 11) pairs all rows at once; the chain it defines has
    the uniform distribution over all matrices with the given margins as its
    stationary distribution. The tests check exact margins on every draw and
    uniformity by a chi-square test on a small matrix whose fills are enumerated.

    Examples
    --------
    >>> x = np.array([[1, 1, 0], [0, 1, 1], [1, 0, 0]])
    >>> draws = np.concatenate(list(curveball_samples(x, 10, seed=3)))
    >>> draws.shape, bool((draws.sum(axis=2) == x.sum(axis=1)).all())
    ((10, 3, 3), True)
    """
    x0 = np.asarray(matrix.to_numpy() if isinstance(matrix, pd.DataFrame) else matrix)
    x0 = np.nan_to_num(x0.astype(float)) > 0
    n = x0.shape[0]
    burnin = max(100, 10 * n) if burnin is None else burnin
    thin = max(5, n // 2) if thin is None else thin
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    chains = max(1, min(chains, n_samples))
    x = np.repeat(x0[None], chains, axis=0)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=n_samples, desc="curveball", unit="matrix")
    for _ in range(burnin):
        _global_trade(x, rng)
    left = n_samples
    while left > 0:
        for _ in range(thin):
            _global_trade(x, rng)
        batch = x[: min(chains, left)].copy()
        left -= len(batch)
        if bar is not None:
            bar.update(len(batch))
        yield batch
    if bar is not None:
        bar.close()


def curveball(matrix, n_trades: int | None = None, seed: int | np.random.Generator | None = 0) -> np.ndarray:
    """One randomised presence matrix with the margins of ``matrix``.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
    n_trades : int, optional
        Global trades to perform; default ``max(100, 10 * n_rows)``.
    seed : int or numpy.random.Generator, default 0

    Returns
    -------
    numpy.ndarray
        0/1 integer matrix with the same row and column sums.

    Examples
    --------
    >>> x = np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]])
    >>> y = curveball(x, seed=1)
    >>> y.sum(axis=0).tolist(), y.sum(axis=1).tolist()
    ([1, 2, 2, 1], [2, 2, 2])
    """
    [batch] = list(curveball_samples(matrix, 1, burnin=n_trades, thin=0, seed=seed, chains=1))
    return batch[0].astype(np.int64)


def null_model_test(matrix: pd.DataFrame, metric: str = "jaccard", n_samples: int = 999,
                    alternative: str = "greater", burnin: int | None = None,
                    thin: int | None = None, seed: int | None = 0, chains: int = 32,
                    progress: bool = False) -> pd.DataFrame:
    """Are two units more (or less) alike than their numbers of practices imply?

    Parameters
    ----------
    matrix : pandas.DataFrame
        Units × categories (presence is used).
    metric : str, default "jaccard"
        A binary metric of :func:`similarity_matrix` (``cosine`` is taken on presence).
    n_samples : int, default 999
        Randomised matrices (fixed row and column totals, :func:`curveball_samples`).
    alternative : {"greater", "less", "two-sided"}
        "greater" tests whether a pair is more similar than chance.
    burnin, thin, seed, chains, progress
        Passed to :func:`curveball_samples`.

    Returns
    -------
    pandas.DataFrame
        One row per pair of non-empty units: ``a``, ``b``, ``observed``,
        ``null_mean``, ``null_sd``, ``ses`` (standardised effect size
        ``(observed - null_mean) / null_sd``, NaN when ``null_sd`` is 0),
        ``p_value`` and ``p_fdr`` (Benjamini–Hochberg adjusted over all pairs
        in the table, for reading many pairs at once).

    Notes
    -----
    With 78 pairs, about four will have ``p < 0.05`` by chance alone; read
    ``p_fdr`` (Benjamini & Hochberg 1995, *JRSS B* 57: 289–300) when scanning pairs.
    ``p = (1 + #{null ≥ observed}) / (1 + n_samples)`` for "greater" (Davison &
    Hinkley 1997, eq. 4.11; never 0); "less" counts ``≤``; "two-sided" doubles
    the smaller one-sided p-value (capped at 1). A comparison within 1e-12 counts
    as equal. The fixed-margin null is the "FF" model of Gotelli (2000, *Ecology*
    81: 2606–2621): each province keeps its number of categories and each
    category its number of provinces.

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]],
    ...                  index=list("abcd"))
    >>> r = null_model_test(m, n_samples=199, seed=1)
    >>> r[["a", "b", "observed"]].head(2).values.tolist()
    [['a', 'b', 1.0], ['a', 'c', 0.0]]
    """
    if alternative not in ("greater", "less", "two-sided"):
        raise ValueError(f"alternative must be 'greater', 'less' or 'two-sided', not {alternative!r}")
    presence = np.nan_to_num(matrix.to_numpy(dtype=float)) > 0
    observed = _similarity_array(presence, metric)
    n = len(presence)
    total = np.zeros((n, n))
    total_sq = np.zeros((n, n))
    n_ge = np.zeros((n, n))
    n_le = np.zeros((n, n))
    tol = 1e-12
    for batch in curveball_samples(presence, n_samples, burnin, thin, seed, chains, progress):
        sims = _similarity_array(batch, metric)
        total += sims.sum(axis=0)
        total_sq += (sims ** 2).sum(axis=0)
        n_ge += (sims >= observed - tol).sum(axis=0)
        n_le += (sims <= observed + tol).sum(axis=0)
    mean = total / n_samples
    sd = np.sqrt(np.maximum(total_sq / n_samples - mean ** 2, 0.0) * n_samples / max(n_samples - 1, 1))
    p_greater = (1 + n_ge) / (1 + n_samples)
    p_less = (1 + n_le) / (1 + n_samples)
    p = {"greater": p_greater, "less": p_less,
         "two-sided": np.minimum(1.0, 2 * np.minimum(p_greater, p_less))}[alternative]
    i, j = np.triu_indices(n, k=1)
    keep = ~np.isnan(observed[i, j])
    i, j = i[keep], j[keep]
    labels = matrix.index.to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        ses = np.where(sd[i, j] > 1e-12, (observed[i, j] - mean[i, j]) / sd[i, j], np.nan)
    return pd.DataFrame({"a": labels[i], "b": labels[j], "observed": observed[i, j],
                         "null_mean": mean[i, j], "null_sd": sd[i, j], "ses": ses,
                         "p_value": p[i, j], "p_fdr": _bh_adjust(p[i, j])})


def _bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (step-up, monotone, capped at 1)."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    scaled = p[order] * n / np.arange(1, n + 1)
    adjusted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    out = np.empty(n)
    out[order] = adjusted
    return out


def _within_minus_between(values: np.ndarray, same: np.ndarray) -> np.ndarray:
    """Mean of ``values`` where ``same`` minus mean where not, for each row of ``same``."""
    n_same = same.sum(axis=1)
    n_diff = same.shape[1] - n_same
    with np.errstate(invalid="ignore", divide="ignore"):
        within = (same * values).sum(axis=1) / n_same
        between = (~same * values).sum(axis=1) / n_diff
    return np.where((n_same > 0) & (n_diff > 0), within - between, np.nan)


def region_test(similarity: pd.DataFrame, regions: pd.Series | None = None,
                n_perm: int = 9999, seed: int | None = 0) -> pd.DataFrame:
    """Permutation test: are units of the same region more alike than others?

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity matrix of provinces (or other units).
    regions : pandas.Series, optional
        Region of each unit; NBS regions from the gazetteer by default. Units
        without a region, or with no practices (NaN diagonal), are left out.
    n_perm : int, default 9999
        Random relabellings of regions.
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row: ``units``, ``within_pairs``, ``between_pairs``, ``within_mean``,
        ``between_mean``, ``statistic`` (within minus between), ``null_mean``,
        ``null_sd``, ``p_value`` and ``n_perm``.

    Notes
    -----
    The statistic is the mean similarity of same-region pairs minus that of
    different-region pairs; region labels are shuffled among units (keeping
    region sizes), and ``p = (1 + #{null ≥ observed}) / (1 + n_perm)``. This
    is the logic of ANOSIM (Clarke 1993, *Australian Journal of Ecology* 18:
    117–143) on similarities rather than ranks.

    Examples
    --------
    >>> s = pd.DataFrame(np.eye(4) + 0.1, index=list("abcd"), columns=list("abcd"))
    >>> s.loc["a", "b"] = s.loc["b", "a"] = 0.9
    >>> region_test(s, pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"}), 99)["statistic"].round(3).tolist()
    [0.4]
    """
    if regions is None:
        table = load_provinces()
        regions = table.set_index("iso_code")["region"]
    regions = regions.reindex(similarity.index)
    sim = similarity.to_numpy(dtype=float)
    keep = (~np.isnan(np.diag(sim))) & regions.notna().to_numpy() & (regions.to_numpy() != "")
    sim = sim[np.ix_(keep, keep)]
    labels = pd.factorize(regions.to_numpy()[keep])[0]
    n = len(labels)
    i, j = np.triu_indices(n, k=1)
    values = sim[i, j]
    valid = ~np.isnan(values)
    i, j, values = i[valid], j[valid], values[valid]

    same = labels[i] == labels[j]
    observed = _within_minus_between(values, same[None, :])[0]
    rng = np.random.default_rng(seed)
    null = np.empty(n_perm)
    for start in range(0, n_perm, 2048):  # batches keep memory small
        size = min(2048, n_perm - start)
        perms = rng.permuted(np.broadcast_to(labels, (size, n)), axis=1)
        null[start:start + size] = _within_minus_between(values, perms[:, i] == perms[:, j])
    p = (1 + np.sum(null >= observed - 1e-12)) / (1 + n_perm)
    return pd.DataFrame([{
        "units": n, "within_pairs": int(same.sum()), "between_pairs": int((~same).sum()),
        "within_mean": values[same].mean() if same.any() else np.nan,
        "between_mean": values[~same].mean() if (~same).any() else np.nan,
        "statistic": observed, "null_mean": np.nanmean(null), "null_sd": np.nanstd(null, ddof=1),
        "p_value": p, "n_perm": n_perm,
    }])
