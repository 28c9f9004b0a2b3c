"""Cross-province similarity, clustering and null-model significance tests.

Similarities are computed from a units × categories matrix (usually
:func:`npstudy.scoring.coverage_matrix`). The binary measures (Jaccard, Dice,
overlap) always use presence, never abundance, so that a count matrix cannot
silently turn them into quantitative indices. A unit with no practices has no
profile to compare: every similarity that involves it is NaN.

Whether two provinces are more alike than chance would make them is asked in
:mod:`npstudy.nullmodels`. Nothing here draws.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster import hierarchy
from scipy.spatial.distance import squareform

from .codebook import Codebook
from .gazetteer import Gazetteer
from .scoring import coverage_matrix
from .study import resolve_codebook

__all__ = [
    "METRICS",
    "similarity_array",
    "similarity_matrix",
    "similarity_pairs",
    "hierarchical_similarity",
    "linkage_matrix",
    "cluster_provinces",
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


def similarity_array(x: np.ndarray, metric: str) -> np.ndarray:
    """Similarity of every pair of rows of ``x``, a matrix or a stack of matrices.

    The array core of :func:`similarity_matrix`, for code that scores many
    randomised matrices at once (:mod:`npstudy.nullmodels`).

    Parameters
    ----------
    x : numpy.ndarray
        ``(n, m)`` or ``(k, n, m)``; for the binary metrics values > 0 count as
        presence.
    metric : {"jaccard", "dice", "overlap", "cosine"}
        See :func:`similarity_matrix` for the formulas.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` or ``(k, n, n)``; NaN in the rows and columns of empty units.
        The diagonal of a 2-D result is exactly 1 for non-empty units.

    Examples
    --------
    >>> similarity_array(np.array([[1, 1, 0], [1, 0, 1]]), "jaccard").round(3).tolist()
    [[1.0, 0.333], [0.333, 1.0]]
    """
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    if metric == "cosine":
        xf = np.asarray(x, dtype=np.float64)
        # each row scaled by a power of 2 to a largest value in [0.5, 1): exact, so the
        # cosine is unchanged, and rows of 1e-200 (whose products underflow to 0) or
        # 1e200 (overflow) are compared like any others
        with np.errstate(invalid="ignore"):
            peak = np.max(np.abs(xf), axis=-1, keepdims=True) if xf.shape[-1] else np.zeros(
                xf.shape[:-1] + (1,))
        _, exponent = np.frexp(np.where(np.isfinite(peak), peak, 0.0))
        xf = np.ldexp(xf, -exponent)
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


def _check_profiles(x: np.ndarray, matrix: pd.DataFrame) -> None:
    """Counts or presence: finite, non-negative; NaN only for a whole row ("not mentioned")."""
    problems = ((np.isnan(x) & ~np.isnan(x).all(axis=1, keepdims=True),
                 "NaN in a row that is not NaN throughout – a unit is either not mentioned (a "
                 "row of NaN) or has counts; fill the cell with 0"),
                (np.isinf(x), "infinite – pass finite counts or presence (0/1)"),
                (x < 0, "negative – pass non-negative counts or presence (0/1)"))
    for bad, say in problems:
        if bad.any():
            i, j = (int(k) for k in np.argwhere(bad)[0])
            raise ValueError(f"matrix: row {matrix.index[i]!r}, column {matrix.columns[j]!r}: "
                             f"{float(x[i, j])!r} – {say}")


def similarity_matrix(matrix: pd.DataFrame, metric: str = "jaccard") -> pd.DataFrame:
    """Pairwise similarity of the rows of a units × categories matrix.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Units (provinces or documents) × categories, counts or presence
        (e.g. :func:`npstudy.scoring.coverage_matrix`): finite and non-negative.
        Rows that are NaN throughout ("not mentioned") count as empty.
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

    Raises
    ------
    ValueError
        If ``metric`` is unknown, or a value is negative, infinite, or NaN in a
        row that is not NaN throughout (the message names row and column).

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
    if metric not in METRICS:
        raise ValueError(f"metric must be one of {METRICS}, not {metric!r}")
    raw = matrix.to_numpy(dtype=np.float64)
    _check_profiles(raw, matrix)
    values = np.nan_to_num(raw, nan=0.0)
    sim = similarity_array(values, metric)
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
                            gazetteer: Gazetteer | None = None, **kwargs) -> pd.DataFrame:
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
    gazetteer : Gazetteer, optional
        Province order and mainland units, as in :func:`npstudy.scoring.coverage_matrix`.
    **kwargs
        ``provinces``, ``missing`` and ``index`` as in
        :func:`npstudy.scoring.coverage_matrix`.

    Returns
    -------
    pandas.DataFrame
        Square similarity matrix as in :func:`similarity_matrix`.

    Raises
    ------
    ValueError
        If ``theme_weight`` or ``pillar_weight`` is negative, NaN or infinite.
    TypeError
        If a weight is not a number.

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
    for name, w in (("theme_weight", theme_weight), ("pillar_weight", pillar_weight)):
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, float, np.number)):
            raise TypeError(f"{name} must be a number, not {w!r} ({type(w).__name__}) – pass a "
                            "credit between 0 and 1, such as 0.5")
        if not np.isfinite(w) or w < 0:
            raise ValueError(f"{name} is {float(w)!r} – weights must be non-negative and finite; pass "
                             "a credit relative to a shared code (1), such as 0.5")
    cb = resolve_codebook(codebook)
    mats = {lvl: coverage_matrix(practices, lvl, "presence", codebook=cb, gazetteer=gazetteer,
                                 **kwargs)
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

def _square_similarity(similarity: pd.DataFrame, name: str = "similarity") -> pd.DataFrame:
    """``similarity`` with its columns in the order of its index, checked to be a square,
    labelled, symmetric matrix (within 1e-9); a ValueError naming the first problem.

    The functions that read a similarity frame take row ``i`` and column ``i`` to be the
    same unit: a frame whose columns hold the same labels in another order is aligned by
    label, one whose columns are other labels is refused.
    """
    shape = similarity.shape
    if len(shape) != 2 or shape[0] != shape[1]:
        raise ValueError(f"{name} must be square (units × the same units), not of shape "
                         f"{shape} – pass e.g. similarity_matrix(coverage_matrix(...))")
    index, columns = similarity.index, similarity.columns
    for axis, labels in (("row", index), ("column", columns)):
        if not labels.is_unique:
            dup = labels[labels.duplicated()][0]
            raise ValueError(f"{name} has the {axis} label {dup!r} twice – each unit must have one "
                             "row and one column")
    if not columns.equals(index):
        stray = [c for c in columns if c not in index]
        if stray:
            raise ValueError(f"{name}'s column labels must be its row labels: column {stray[0]!r} "
                             "is not a row label – pass units × the same units (e.g. "
                             "similarity_matrix(...)), or set the columns to the index if they are "
                             "in the same order")
        similarity = similarity.loc[:, index]   # same labels, another order: align by label
    x = similarity.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        asym = ~((x == x.T) | (np.abs(x - x.T) <= 1e-9) | (np.isnan(x) & np.isnan(x.T)))
    if asym.any():
        i, j = (int(k) for k in np.argwhere(asym)[0])
        a, b = index[i], index[j]
        raise ValueError(f"{name} is not symmetric: {name}[{a!r}, {b!r}] is {float(x[i, j])!r} but "
                         f"{name}[{b!r}, {a!r}] is {float(x[j, i])!r} – pass a symmetric similarity "
                         "(e.g. (s + s.T) / 2)")
    return similarity


def linkage_matrix(similarity: pd.DataFrame, method: str = "average",
                   optimal_ordering: bool = True) -> tuple[np.ndarray, list]:
    """Hierarchical clustering of units from a similarity matrix.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square, symmetric similarity in [0, 1] (e.g. :func:`similarity_matrix`),
        with the same labels on both axes (columns in another order are aligned
        to the index by label). Units with no practices (NaN diagonal) are left
        out; between the others every similarity must be known.
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

    Raises
    ------
    ValueError
        If ``similarity`` is not square, its column labels are not its row labels,
        it is not symmetric (beyond 1e-9), a similarity between two kept units is
        NaN or outside [0, 1] (the message names the pair), or fewer than two
        units have practices.

    Examples
    --------
    >>> s = pd.DataFrame([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]], index=list("abc"),
    ...                  columns=list("abc"))
    >>> Z, labels = linkage_matrix(s)
    >>> sorted(labels[int(i)] for i in Z[0, :2]), round(float(Z[0, 2]), 3)
    (['a', 'b'], 0.1)
    """
    similarity = _square_similarity(similarity)
    full = similarity.to_numpy(dtype=float)
    keep = ~np.isnan(np.diag(full))
    sim = full[np.ix_(keep, keep)]
    labels = similarity.index[keep].tolist()
    if len(labels) < 2:
        raise ValueError("need at least two units with practices to cluster")
    tol = 1e-9   # rounding of a cosine may pass 1 by an ulp
    for bad, say in ((np.isnan(sim), "NaN between two units with practices – every similarity "
                      "of the units clustered must be known"),
                     (((sim < -tol) | (sim > 1 + tol)) & ~np.eye(len(sim), dtype=bool),
                      "outside [0, 1] – pass a similarity "
                      "in [0, 1], not a distance or an effect size")):
        if bad.any():
            i, j = (int(k) for k in np.argwhere(bad)[0])
            raise ValueError(f"similarity[{labels[i]!r}, {labels[j]!r}] is {float(sim[i, j])!r}: "
                             f"{say}")
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
        Square, symmetric similarity matrix with the same labels on both axes, as
        for :func:`linkage_matrix`.
    method : str, default "average"
        See :func:`linkage_matrix`.
    n_clusters : int, optional
        Cut the tree into this many clusters (``fcluster(..., "maxclust")``): a
        whole number from 1 to the number of units clustered.

    Returns
    -------
    pandas.DataFrame
        Indexed by unit in dendrogram leaf order: ``order`` (0, 1, …) and
        ``cluster`` (1…k, or <NA> when ``n_clusters`` is None). Use
        ``.index`` to order heatmap rows.

    Raises
    ------
    TypeError
        If ``n_clusters`` is not a whole number.
    ValueError
        If ``n_clusters`` is below 1 or above the number of units clustered, or
        :func:`linkage_matrix` refuses ``similarity``.

    Examples
    --------
    >>> s = pd.DataFrame([[1, .9, .1], [.9, 1, .2], [.1, .2, 1]], index=list("abc"),
    ...                  columns=list("abc"))
    >>> dict(sorted(cluster_provinces(s, n_clusters=2)["cluster"].to_dict().items()))
    {'a': 2, 'b': 2, 'c': 1}
    """
    if n_clusters is not None and (isinstance(n_clusters, (bool, np.bool_))
                                   or not isinstance(n_clusters, (int, np.integer))):
        raise TypeError(f"n_clusters must be a whole number, not {n_clusters!r} "
                        f"({type(n_clusters).__name__}) – pass an int such as 3, or None")
    Z, labels = linkage_matrix(similarity, method)
    if n_clusters is not None and not 1 <= n_clusters <= len(labels):
        raise ValueError(f"n_clusters must be from 1 to {len(labels)} (the units clustered), not "
                         f"{n_clusters!r} – pass how many clusters to cut the tree into")
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
