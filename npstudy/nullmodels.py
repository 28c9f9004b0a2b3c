"""Null models: could an observed similarity or region effect have arisen by chance?

Every test here compares a statistic with its distribution under a random
model that keeps some features of the data fixed, and says which:

- :func:`null_model_test` – pairs of provinces; the curveball algorithm keeps
  every province's number of categories *and* every category's number of
  provinces (Gotelli's fixed–fixed model). It also reports what the test can
  detect at all: the lowest attainable p of every pair and the test's size.
- :func:`region_test` – same-region vs different-region similarity; region
  labels are shuffled among provinces.
- :func:`region_test_fixed_rows` – the same statistic, but the presence matrix
  is randomised keeping each province's number of categories (breadth) fixed, so
  that a region effect that only reflects breadth is not mistaken for region.
- :func:`statement_null_test` – the article's statements keep how many provinces
  each names; which provinces they name is drawn at random.

Similarities come from :mod:`npstudy.similarity`; nothing here draws.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.stats import false_discovery_control

from .codebook import Codebook
from .dataset import statement_key
from .gazetteer import Gazetteer
from .scoring import coverage_matrix
from .similarity import _check_profiles, _square_similarity, similarity_array
from .study import resolve_codebook, resolve_gazetteer

__all__ = [
    "curveball",
    "curveball_samples",
    "null_model_test",
    "max_attainable",
    "region_test",
    "region_test_fixed_rows",
    "statement_null_test",
    "pairs_to_matrix",
]


def _check_whole(name: str, value, what: str, minimum: int = 1, example: int = 999,
                 optional: bool = False) -> None:
    """Refuse a count (``value`` of ``what``) that is not a whole number ≥ ``minimum``
    (or None, when ``optional``: the default is then used)."""
    if optional and value is None:
        return
    default = ", or None for the default" if optional else ""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number of {what}, not {value!r} "
                        f"({type(value).__name__}) – pass an int such as {example}{default}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, not {value!r} – pass the number of "
                         f"{what}, such as {example}{default}")


def _presence(matrix) -> np.ndarray:
    """Presence (> 0) of a units × categories matrix, checked as :func:`similarity_matrix`
    checks it: finite, non-negative, NaN only for a whole row (a unit not mentioned)."""
    frame = matrix if isinstance(matrix, pd.DataFrame) else pd.DataFrame(np.asarray(matrix))
    raw = frame.to_numpy(dtype=float)
    if raw.ndim != 2:
        raise ValueError(f"matrix must be two-dimensional (units × categories), not of shape "
                         f"{raw.shape}")
    _check_profiles(raw, frame)
    return np.nan_to_num(raw) > 0


def _global_trade(x: np.ndarray, rng: np.random.Generator) -> None:
    """One global curveball trade on each matrix of the stack ``x`` (chains, n, m), in place.

    Rows are paired at random; in each pair the columns where exactly one of the
    two rows is 1 are shuffled between them, keeping both row totals. Column
    totals cannot change because every column keeps its number of 1s.
    """
    c, n, m = x.shape
    k = n // 2
    perm = np.argsort(rng.random((c, n)), axis=1)[:, :2 * k]
    chain = np.arange(c)[:, None]
    paired = x[chain, perm]                 # one gather: rows a then rows b of each pair
    a, b = paired[:, :k], paired[:, k:]
    diff = a ^ b
    n_a = (a & diff).sum(axis=-1)
    keys = rng.random((c, k, m))
    keys[~diff] = 2.0
    # a's former count of the non-shared columns goes back to a: those with the n_a smallest
    # keys, i.e. keys up to the n_a-th smallest (random doubles do not tie; n_a = 0: none)
    cut = np.take_along_axis(np.sort(keys, axis=-1), np.maximum(n_a - 1, 0)[..., None], axis=-1)
    to_a = diff & (keys <= cut) & (n_a > 0)[..., None]
    x[chain, perm] = np.concatenate(((a & ~diff) | to_a, (b & ~diff) | (diff & ~to_a)), axis=1)


def curveball_samples(matrix, n_samples: int, burnin: int | None = None, thin: int | None = None,
                      seed: int | np.random.Generator | None = 0, chains: int = 32,
                      progress: bool = False) -> Iterator[np.ndarray]:
    """Random presence matrices with the same row and column totals.

    Parameters
    ----------
    matrix : array-like or pandas.DataFrame
        Units × categories; values > 0 count as presence. Finite and
        non-negative; NaN only for a whole row (a unit not mentioned, no presence).
    n_samples : int
        Number of matrices to draw, at least 1.
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

    Raises
    ------
    ValueError
        If ``n_samples`` or ``chains`` is below 1, ``burnin`` or ``thin`` below 0,
        or ``matrix`` holds a negative or infinite value or a partly-NaN row.
    TypeError
        If ``n_samples``, ``chains``, ``burnin`` or ``thin`` is not a whole number.

    Returns
    -------
    Iterator[numpy.ndarray]
        Boolean arrays of shape ``(b, n_rows, n_cols)``, ``b ≤ chains``; all
        batches together hold ``n_samples`` matrices. The arguments are checked at
        the call; the draws are made as the iterator is consumed.

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
    _check_whole("n_samples", n_samples, "randomised matrices")
    _check_whole("chains", chains, "chains run side by side", example=32)
    for name, trades in (("burnin", burnin), ("thin", thin)):
        _check_whole(name, trades, "global trades", minimum=0, example=100, optional=True)
    x0 = _presence(matrix)
    # checked above, at the call; the draws themselves are made as the caller iterates
    return _curveball_draws(x0, n_samples, burnin, thin, seed, chains, progress)


def _curveball_draws(x0: np.ndarray, n_samples: int, burnin: int | None, thin: int | None,
                     seed, chains: int, progress: bool) -> Iterator[np.ndarray]:
    """The generator of :func:`curveball_samples`, on a checked presence matrix."""
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
        Units × categories (presence is used): finite, non-negative counts or
        presence; a row may be NaN throughout (a unit not mentioned).
    metric : str, default "jaccard"
        A binary metric of :func:`similarity_matrix` (``cosine`` is taken on presence).
    n_samples : int, default 999
        Randomised matrices (fixed row and column totals, :func:`curveball_samples`).
    alternative : {"greater", "less", "two-sided"}
        "greater" tests whether a pair is more similar than chance.
    burnin, thin, seed, chains, progress
        Passed to :func:`curveball_samples`.

    Raises
    ------
    ValueError
        If ``alternative`` is not one of the three, ``n_samples`` is below 1, or
        ``matrix`` holds a negative or infinite value or a partly-NaN row (as
        :func:`npstudy.similarity.similarity_matrix` refuses them; the message
        names row and column).
    TypeError
        If ``n_samples`` is not a whole number.

    Returns
    -------
    pandas.DataFrame
        One row per pair of non-empty units: ``a``, ``b``, ``observed``,
        ``null_mean``, ``null_sd``, ``ses`` (standardised effect size
        ``(observed - null_mean) / null_sd``, NaN when ``null_sd`` is 0),
        ``p_value`` and ``p_fdr`` (Benjamini–Hochberg adjusted over all pairs
        in the table, for reading many pairs at once), and what the test *can*
        detect: ``max_attainable`` (the largest similarity two rows of these
        sizes can have: ``min(a, b) / max(a, b)`` for Jaccard), ``p_min`` (the
        lowest p the pair could reach, the p of ``max_attainable`` under the same
        null draws) and ``size_05`` (the probability under the null that the
        pair's p is at most 0.05: the test's actual size, below 0.05 for a
        discrete statistic).

    Notes
    -----
    A pair whose ``p_min`` exceeds α can never be significant at α, whatever
    the data: the margins alone decide it. ``size_05`` summed over pairs is the
    expected number of pairs with ``p ≤ 0.05`` when the null is true, which for
    a discrete statistic is far below ``0.05 × pairs``; read ``p_fdr``
    (Benjamini & Hochberg 1995, *JRSS B* 57: 289–300) when scanning pairs.
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
    _check_whole("n_samples", n_samples, "randomised matrices")
    presence = _presence(matrix)
    observed = similarity_array(presence, metric)
    n = len(presence)
    total = np.zeros((n, n))
    total_sq = np.zeros((n, n))
    n_ge = np.zeros((n, n))
    n_le = np.zeros((n, n))
    tol = 1e-12
    best = max_attainable(presence.sum(axis=1), metric)
    n_ge_best = np.zeros((n, n))
    iu, ju = np.triu_indices(n, k=1)
    draws = []
    for batch in curveball_samples(presence, n_samples, burnin, thin, seed, chains, progress):
        sims = similarity_array(batch, metric)
        total += sims.sum(axis=0)
        total_sq += (sims ** 2).sum(axis=0)
        n_ge += (sims >= observed - tol).sum(axis=0)
        n_le += (sims <= observed + tol).sum(axis=0)
        n_ge_best += (sims >= best - tol).sum(axis=0)
        draws.append(sims[:, iu, ju].astype(np.float32))
    mean, sd = _mean_sd(total, total_sq, n_samples)
    p_greater = (1 + n_ge) / (1 + n_samples)
    p_less = (1 + n_le) / (1 + n_samples)
    p = {"greater": p_greater, "less": p_less,
         "two-sided": np.minimum(1.0, 2 * np.minimum(p_greater, p_less))}[alternative]
    i, j = np.triu_indices(n, k=1)
    keep = ~np.isnan(observed[i, j])
    i, j = i[keep], j[keep]
    labels = matrix.index.to_numpy()
    ses = _ses(observed[i, j], mean[i, j], sd[i, j])
    size = _test_size(np.concatenate(draws), 0.05, n_samples)
    size = pd.Series(size, index=pd.MultiIndex.from_arrays([iu, ju]))
    p_min = (1 + n_ge_best) / (1 + n_samples)
    return pd.DataFrame({"a": labels[i], "b": labels[j], "observed": observed[i, j],
                         "null_mean": mean[i, j], "null_sd": sd[i, j], "ses": ses,
                         "p_value": p[i, j], "p_fdr": _fdr(p[i, j]),
                         "max_attainable": best[i, j], "p_min": p_min[i, j],
                         "size_05": size.reindex(pd.MultiIndex.from_arrays([i, j])).to_numpy()})


def max_attainable(sizes, metric: str = "jaccard") -> np.ndarray:
    """Largest similarity two rows with these numbers of categories can reach.

    Parameters
    ----------
    sizes : array-like of int
        Categories present in each row.
    metric : {"jaccard", "dice", "overlap", "cosine"}

    Returns
    -------
    numpy.ndarray
        Square array: for rows of sizes ``a`` and ``b`` the similarity when the
        smaller set lies inside the larger one, ``min(a, b) / max(a, b)``
        (Jaccard), ``2 min(a, b) / (a + b)`` (Dice), 1 (overlap) or
        ``min(a, b) / sqrt(a b)`` (binary cosine); NaN where a row is empty.

    Raises
    ------
    ValueError
        If ``metric`` is not one of the four.

    Examples
    --------
    >>> max_attainable([1, 3, 2]).round(3).tolist()[0]
    [1.0, 0.333, 0.5]
    """
    if metric not in ("jaccard", "dice", "overlap", "cosine"):
        raise ValueError(f"metric must be 'jaccard', 'dice', 'overlap' or 'cosine', not {metric!r}")
    s = np.asarray(sizes, dtype=float)
    a, b = s[:, None], s[None, :]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = {"jaccard": lo / hi, "dice": 2 * lo / (a + b), "overlap": lo / lo,
               "cosine": lo / np.sqrt(a * b)}[metric]
    return np.where(lo > 0, out, np.nan)


def _test_size(null: np.ndarray, alpha: float, n_samples: int) -> np.ndarray:
    """P(p ≤ alpha) under the null, per column of ``null`` (draws × pairs), "greater" test."""
    out = np.empty(null.shape[1])
    for k in range(null.shape[1]):
        v = null[:, k].astype(np.float64)
        v = v[~np.isnan(v)]
        if len(v) == 0:
            out[k] = np.nan
            continue
        sv = np.sort(v)
        n_ge = len(sv) - np.searchsorted(sv, v - 1e-6, side="left")
        out[k] = np.mean((1 + n_ge) / (1 + n_samples) <= alpha + 1e-12)
    return out


def _fdr(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (:func:`scipy.stats.false_discovery_control`)."""
    return false_discovery_control(np.asarray(p, dtype=float), method="bh")


def _nbs_regions(gazetteer: Gazetteer) -> pd.Series:
    """NBS region of each province of a gazetteer, by ISO code ("" for HK, MO, TW)."""
    return gazetteer.provinces.set_index("iso_code")["region"]


def _within_minus_between(values: np.ndarray, same: np.ndarray) -> np.ndarray:
    """Mean of ``values`` where ``same`` minus mean where not, row by row (pairs on the last axis).

    NaN values are left out; a row without a same or a different pair gives NaN.
    """
    ok = ~np.isnan(values)
    v = np.where(ok, values, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        within = (v * (same & ok)).sum(axis=-1) / (same & ok).sum(axis=-1)
        between = (v * (~same & ok)).sum(axis=-1) / (~same & ok).sum(axis=-1)
    return within - between


def _mean_sd(total: np.ndarray, total_sq: np.ndarray, count) -> tuple[np.ndarray, np.ndarray]:
    """Mean and sample standard deviation (n - 1 in the denominator) from running sums.

    ``sd = sqrt((Σx²/n - mean²) · n / (n - 1))``, clipped at 0 against rounding; NaN
    where ``count`` is 0.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count
        sd = np.sqrt(np.maximum(total_sq / count - mean ** 2, 0.0) * count / np.maximum(count - 1, 1))
    return mean, sd


def _ses(observed: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Standardised effect size ``(observed - mean) / sd``; NaN where ``sd`` is (nearly) 0."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sd > 1e-12, (observed - mean) / sd, np.nan)


def _region_summary(observed: float, null: np.ndarray, n_samples: int) -> dict:
    """Region statistic against its null draws (NaN draws left out): the shared result columns.

    A NaN ``observed`` (no same-region or no different-region pair: no test is
    possible) gives a NaN ``ses`` and ``p_value``, never the smallest p.
    """
    null = null[~np.isnan(null)]
    mean = null.mean() if len(null) else np.nan
    sd = np.std(null, ddof=1) if len(null) > 1 else np.nan
    p_value = (np.nan if np.isnan(observed)
               else (1 + np.sum(null >= observed - 1e-12)) / (1 + n_samples))
    return {"statistic": observed, "null_mean": mean, "null_sd": sd,
            "ses": (observed - mean) / sd if sd > 0 else np.nan,
            "p_value": p_value}


def region_test(similarity: pd.DataFrame, regions: pd.Series | None = None,
                n_perm: int = 9999, seed: int | None = 0,
                gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Permutation test: are units of the same region more alike than others?

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square, symmetric matrix of provinces (or other units) with the same labels
        on both axes (columns in another order are aligned to the index by label):
        similarities, or another pairwise measure such as the effect sizes of
        :func:`null_model_test` (``pairs_to_matrix(pairs, "ses")``), which may be
        negative. Values are finite; NaN for a pair without a value.
    regions : pandas.Series, optional
        Region of each unit; NBS regions from the gazetteer by default. Units
        without a region, or with no practices (NaN diagonal), are left out.
    n_perm : int, default 9999
        Random relabellings of regions.
    seed : int, default 0
    gazetteer : Gazetteer, optional
        Where the default regions come from; the shipped gazetteer by default.

    Returns
    -------
    pandas.DataFrame
        One row: ``units``, ``within_pairs``, ``between_pairs``, ``within_mean``,
        ``between_mean``, ``statistic`` (within minus between), ``null_mean``,
        ``null_sd``, ``p_value`` and ``n_perm``.

        ``statistic`` and ``p_value`` are NaN when no test is possible: when
        there is no pair of units in the same region (each unit in a region of
        its own) or none in different regions (every unit in one region).

    Raises
    ------
    ValueError, TypeError
        If ``n_perm`` is not a positive whole number; ValueError if ``similarity``
        is not square, its column labels are not its row labels, it is not
        symmetric (beyond 1e-9), or it holds an infinite value.

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
    _check_whole("n_perm", n_perm, "permutations")
    similarity = _square_similarity(similarity)
    sim = similarity.to_numpy(dtype=float)
    if np.isinf(sim).any():
        i, j = (int(k) for k in np.argwhere(np.isinf(sim))[0])
        raise ValueError(f"similarity[{similarity.index[i]!r}, {similarity.index[j]!r}] is "
                         f"{float(sim[i, j])!r} – infinite – pass finite similarities (NaN for a "
                         "pair that has none)")
    if regions is None:
        regions = _nbs_regions(resolve_gazetteer(gazetteer))
    regions = regions.reindex(similarity.index)
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
    summary = _region_summary(observed, null, n_perm)
    del summary["ses"]
    return pd.DataFrame([{
        "units": n, "within_pairs": int(same.sum()), "between_pairs": int((~same).sum()),
        "within_mean": values[same].mean() if same.any() else np.nan,
        "between_mean": values[~same].mean() if (~same).any() else np.nan,
        **summary, "n_perm": n_perm,
    }])


def _regions_of(index, regions: pd.Series) -> np.ndarray:
    return regions.reindex(index).fillna("").to_numpy()


def _region_stat_stack(sims: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Within- minus between-region mean similarity for each matrix of a stack, NaN-aware."""
    i, j = np.triu_indices(sims.shape[-1], k=1)
    return _within_minus_between(sims[:, i, j], (labels[i] == labels[j])[None, :])


def region_test_fixed_rows(matrix: pd.DataFrame, regions: pd.Series | None = None,
                           metric: str = "jaccard", n_samples: int = 9999, model: str = "rows",
                           seed: int | None = 0, gazetteer: Gazetteer | None = None) -> pd.DataFrame:
    """Region test that holds each province's number of categories fixed.

    Parameters
    ----------
    matrix : pandas.DataFrame
        Provinces × categories (presence is used): finite, non-negative; a row
        may be NaN throughout. Provinces with no category or no region are left out.
    regions : pandas.Series, optional
        Region of each province; NBS regions from the gazetteer by default.
    metric : str, default "jaccard"
        A metric of :func:`npstudy.similarity.similarity_matrix`.
    n_samples : int, default 9999
        Random matrices.
    model : {"rows", "curveball"}
        ``"rows"``: each province's categories are redrawn uniformly at random,
        keeping their number (fixed rows, equiprobable columns; Gotelli's SIM2).
        ``"curveball"``: row and column totals both kept (:func:`curveball_samples`).
    seed : int, default 0
    gazetteer : Gazetteer, optional
        Where the default regions come from; the shipped gazetteer by default.

    Returns
    -------
    pandas.DataFrame
        One row: ``units``, ``statistic`` (mean same-region similarity minus
        mean different-region similarity), ``null_mean``, ``null_sd``,
        ``ses``, ``p_value`` (``(1 + #{null ≥ observed}) / (1 + n)``),
        ``n_samples`` and ``model``.

        ``statistic`` and ``p_value`` are NaN when no test is possible: when
        there is no pair of units in the same region (each unit in a region of
        its own) or none in different regions (every unit in one region).

    Raises
    ------
    ValueError
        If ``model`` is not "rows" or "curveball", ``n_samples`` is below 1, or
        ``matrix`` holds a negative or infinite value or a partly-NaN row (the
        message names row and column).
    TypeError
        If ``n_samples`` is not a whole number.

    Notes
    -----
    Jaccard similarity grows with the number of categories two provinces cover,
    so if one region's provinces are broad and another's narrow, the label
    permutation of :func:`region_test` finds a "region" effect that is breadth.
    Here region labels stay where they are and breadth is kept, so only *which*
    categories provinces cover is random (Gotelli 2000, *Ecology* 81: 2606–2621).

    Examples
    --------
    >>> m = pd.DataFrame([[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]],
    ...                  index=list("abcd"))
    >>> r = region_test_fixed_rows(m, pd.Series({"a": "x", "b": "x", "c": "y", "d": "y"}), n_samples=199)
    >>> float(r["statistic"].iloc[0])
    1.0
    """
    if model not in ("rows", "curveball"):
        raise ValueError(f"model must be 'rows' or 'curveball', not {model!r}")
    _check_whole("n_samples", n_samples, "random matrices")
    presence = _presence(matrix)
    if regions is None:
        regions = _nbs_regions(resolve_gazetteer(gazetteer))
    labels = _regions_of(matrix.index, regions)
    keep = presence.any(axis=1) & (labels != "")
    presence, labels = presence[keep], labels[keep]
    observed = _region_stat_stack(similarity_array(presence[None], metric), labels)[0]
    rng = np.random.default_rng(seed)
    null = []
    if model == "rows":
        n, m = presence.shape
        k = presence.sum(axis=1)
        for start in range(0, n_samples, 1024):
            size = min(1024, n_samples - start)
            order = np.argsort(rng.random((size, n, m)), axis=-1)
            ranks = np.argsort(order, axis=-1)
            draws = ranks < k[None, :, None]
            null.append(_region_stat_stack(similarity_array(draws, metric), labels))
    else:
        for batch in curveball_samples(presence, n_samples, seed=rng):
            null.append(_region_stat_stack(similarity_array(batch, metric), labels))
    return pd.DataFrame([{"units": int(len(labels)),
                          **_region_summary(observed, np.concatenate(null), n_samples),
                          "n_samples": n_samples, "model": model}])


def pairs_to_matrix(pairs: pd.DataFrame, value: str, diagonal: float = 0.0) -> pd.DataFrame:
    """Square, symmetric matrix from a pairs table (``a``, ``b``, ``value``).

    Parameters
    ----------
    pairs : pandas.DataFrame
        E.g. :func:`null_model_test` output.
    value : str
        Column to place in the cells, e.g. ``"ses"``.
    diagonal : float, default 0.0

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> t = pd.DataFrame({"a": ["x"], "b": ["y"], "ses": [2.0]})
    >>> pairs_to_matrix(t, "ses").values.tolist()
    [[0.0, 2.0], [2.0, 0.0]]
    """
    labels = list(dict.fromkeys(list(pairs["a"]) + list(pairs["b"])))
    out = pd.DataFrame(np.nan, index=labels, columns=labels)
    for a, b, v in zip(pairs["a"], pairs["b"], pairs[value]):
        out.loc[a, b] = out.loc[b, a] = v
    for u in labels:
        out.loc[u, u] = diagonal
    return out


def _statement_draws(practices: pd.DataFrame, level: str, n_samples: int, rng,
                     cb: Codebook, units: list) -> Iterator[np.ndarray]:
    """Presence draws of shape ``(batch, units, categories at level)``, in batches of 1024."""
    cats = cb.ids(level)
    key = statement_key(practices)
    stm = practices.groupby(key, sort=True).agg(code=("code", "first"),
                                                  k=("province", "nunique"))
    col = np.array([cats.index(cb.rollup(c, level)) for c in stm["code"]])
    k = stm["k"].to_numpy()
    n = len(units)

    def gen():
        for start in range(0, n_samples, 1024):
            size = min(1024, n_samples - start)
            x = np.zeros((size, n, len(cats)), dtype=bool)
            rows = np.arange(size)[:, None]
            for c, kk in zip(col, k):
                chosen = np.argsort(rng.random((size, n)), axis=1)[:, :kk]
                x[rows, chosen, c] = True
            yield x
    return gen()


def statement_null_test(practices: pd.DataFrame, level: str = "theme", metric: str = "jaccard",
                        n_samples: int = 9999, regions: pd.Series | None = None,
                        seed: int | None = 0, codebook: Codebook | None = None,
                        gazetteer: Gazetteer | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statement-level null model: keep how many provinces each statement names.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table with a ``statement`` column (rule R1a; the quote
        stands in for it when the column is missing or has empty cells, see
        :func:`npstudy.dataset.statement_key`).
    level : {"theme", "code", "pillar"}
        Level of the province × category presence matrix.
    metric : str, default "jaccard"
    n_samples : int, default 9999
    regions : pandas.Series, optional
        For the region statistic; NBS regions by default.
    seed : int, default 0
    codebook : Codebook, optional
    gazetteer : Gazetteer, optional
        Province order (GB/T 2260) and default regions; the shipped one by default.

    Returns
    -------
    pairs : pandas.DataFrame
        One row per pair of the mentioned provinces: ``a``, ``b``, ``observed``,
        ``null_mean``, ``null_sd``, ``ses``, ``p_value`` ("greater"), ``p_fdr``.
        A pair in which a draw leaves a province with no statement counts as not
        reaching the observed value.
    region : pandas.DataFrame
        One row: ``statistic`` (same-region minus different-region mean
        similarity), ``null_mean``, ``null_sd``, ``ses``, ``p_value``, ``n_samples``.
        ``statistic`` and ``p_value`` are NaN when no test is possible (no
        same-region or no different-region pair of mentioned provinces).

    Raises
    ------
    ValueError, TypeError
        If ``n_samples`` is not a positive whole number.

    Notes
    -----
    Each statement keeps its code and the number of provinces it names; the
    provinces are drawn without replacement, uniformly from the provinces the
    article mentions. This is the article's own sampling unit: the author chose
    statements and named provinces in them. Unlike the curveball null, a
    province's number of statements is not fixed, so breadth itself is random.

    Examples
    --------
    >>> from npstudy import load_practices
    >>> pairs, region = statement_null_test(load_practices(), n_samples=99, seed=1)
    >>> len(pairs), int(region["n_samples"].iloc[0])
    (78, 99)
    """
    _check_whole("n_samples", n_samples, "random draws")
    cb = resolve_codebook(codebook)
    g = resolve_gazetteer(gazetteer)
    obs_matrix = coverage_matrix(practices, level, "presence", codebook=cb, gazetteer=g)
    units = obs_matrix.index.tolist()
    rng = np.random.default_rng(seed)
    draws = _statement_draws(practices, level, n_samples, rng, cb, units)
    presence = obs_matrix.to_numpy() > 0
    observed = similarity_array(presence, metric)
    labels = _regions_of(units, regions if regions is not None else _nbs_regions(g))
    obs_region = _region_stat_stack(observed[None], labels)[0]
    n = len(units)
    total = np.zeros((n, n))
    total_sq = np.zeros((n, n))
    count = np.zeros((n, n))
    n_ge = np.zeros((n, n))
    region_null = []
    for x in draws:
        sims = similarity_array(x, metric)
        ok = ~np.isnan(sims)
        v = np.where(ok, sims, 0.0)
        total += v.sum(axis=0)
        total_sq += (v ** 2).sum(axis=0)
        count += ok.sum(axis=0)
        n_ge += (ok & (v >= observed - 1e-12)).sum(axis=0)
        region_null.append(_region_stat_stack(sims, labels))
    mean, sd = _mean_sd(total, total_sq, count)
    p = (1 + n_ge) / (1 + n_samples)
    i, j = np.triu_indices(n, k=1)
    ses = _ses(observed[i, j], mean[i, j], sd[i, j])
    labels_arr = np.array(units)
    pairs = pd.DataFrame({"a": labels_arr[i], "b": labels_arr[j], "observed": observed[i, j],
                          "null_mean": mean[i, j], "null_sd": sd[i, j], "ses": ses,
                          "p_value": p[i, j], "p_fdr": _fdr(p[i, j])})
    region = pd.DataFrame([{"units": n,
                            **_region_summary(obs_region, np.concatenate(region_null), n_samples),
                            "n_samples": n_samples}])
    return pairs, region
