"""Agreement between two annotators of stand-off labels on real text.

Each annotator lists (excerpt, province, theme) items: the province and theme of every
statement of provincial practice an excerpt contains, with the offsets of its evidence
(``data/evaluation/realtext/``). Agreement is measured on **units** of (excerpt, province)
that at least one annotator labelled, each with one yes/no decision per theme, so that text
neither annotator coded cannot inflate it (as :func:`npstudy.reliability.agreement` does for
sentences). Whether an excerpt holds any item at all (the distractor question) is reported
separately, over every excerpt both annotators read.

Intervals are percentile intervals over excerpts drawn with replacement (the excerpt is the
sampling unit: its items are not independent).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .reliability import cohen_kappa, krippendorff_alpha

__all__ = ["decision_matrix", "label_agreement", "binary_kappa_alpha", "LABEL_COLUMNS"]

#: Columns every stand-off label file has (more are allowed).
LABEL_COLUMNS = ("excerpt_id", "province", "theme", "start", "end")


def decision_matrix(a: pd.DataFrame, b: pd.DataFrame, themes: Sequence[str]) -> pd.DataFrame:
    """One row per (excerpt, province) unit labelled by either annotator, 0/1 per theme and coder.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Label tables with ``excerpt_id``, ``province`` and ``theme``.
    themes : sequence of str
        Every theme id of the codebook (the categories of each unit).

    Returns
    -------
    pandas.DataFrame
        Indexed by (``excerpt_id``, ``province``); columns ``("a", theme)`` and
        ``("b", theme)``.

    Examples
    --------
    >>> a = pd.DataFrame({"excerpt_id": ["e1"], "province": ["CN-JS"], "theme": ["t1"]})
    >>> b = pd.DataFrame({"excerpt_id": ["e1", "e2"], "province": ["CN-JS", "CN-ZJ"],
    ...                   "theme": ["t2", "t1"]})
    >>> m = decision_matrix(a, b, ["t1", "t2"])
    >>> m["a"].to_numpy().tolist(), m["b"].to_numpy().tolist()
    ([[1, 0], [0, 0]], [[0, 1], [1, 0]])
    """
    key = ["excerpt_id", "province"]
    units = pd.concat([a[key], b[key]]).drop_duplicates().sort_values(key, kind="stable")
    index = pd.MultiIndex.from_frame(units)

    def wide(t):
        marks = t[key + ["theme"]].drop_duplicates().assign(v=1)
        w = marks.pivot_table(index=key, columns="theme", values="v", fill_value=0, aggfunc="max")
        return w.reindex(index=index, columns=list(themes), fill_value=0).astype("int64")
    return pd.concat({"a": wide(a), "b": wide(b)}, axis=1)


def binary_kappa_alpha(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cohen's κ and Krippendorff's α of two coders' 0/1 decisions, in closed form.

    With ``n`` units, ``d`` of them decided differently, coder margins ``p_a``,
    ``p_b`` (shares of 1) and pooled counts ``n_1 = Σx + Σy``, ``n_0 = 2n − n_1``:
    κ = (p_o − p_e) / (1 − p_e) with p_o = 1 − d/n and
    p_e = p_a·p_b + (1 − p_a)(1 − p_b); α = 1 − (2n − 1)·d / (n_0·n_1).
    Both are NaN when undefined (one category throughout).

    Examples
    --------
    >>> x = np.array([1, 1, 0, 0, 1]); y = np.array([1, 0, 0, 0, 1])
    >>> [round(v, 4) for v in binary_kappa_alpha(x, y)]
    [0.6154, 0.64]
    """
    n = len(x)
    if n == 0:
        return float("nan"), float("nan")
    d = float(np.count_nonzero(x != y))
    pa, pb = x.mean(), y.mean()
    pe = pa * pb + (1 - pa) * (1 - pb)
    kappa = (1 - d / n - pe) / (1 - pe) if pe < 1 else float("nan")
    n1 = float(x.sum() + y.sum())
    n0 = 2 * n - n1
    alpha = 1 - (2 * n - 1) * d / (n0 * n1) if n0 * n1 > 0 else float("nan")
    return float(kappa), float(alpha)


def _kappa_alpha_of_sums(n: np.ndarray, sa: np.ndarray, sb: np.ndarray,
                         d: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`binary_kappa_alpha` for many resamples at once, from each one's number of
    units ``n``, 1s of either coder ``sa``, ``sb`` and disagreements ``d`` (the same
    arithmetic, so the same values); NaN where undefined."""
    n, d = n.astype(float), d.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pa, pb = sa / n, sb / n
        pe = pa * pb + (1 - pa) * (1 - pb)
        kappa = np.where((n > 0) & (pe < 1), (1 - d / n - pe) / (1 - pe), np.nan)
        n1 = (sa + sb).astype(float)
        n0 = 2 * n - n1
        alpha = np.where((n > 0) & (n0 * n1 > 0), 1 - (2 * n - 1) * d / (n0 * n1), np.nan)
    return {"cohen_kappa": kappa, "krippendorff_alpha": alpha}


def _coefficients(x: np.ndarray, y: np.ndarray) -> dict:
    both, only_a = int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())
    only_b = int(((x == 0) & (y == 1)).sum())
    pos = 2 * both / (2 * both + only_a + only_b) if (both + only_a + only_b) else float("nan")
    return {"cohen_kappa": cohen_kappa(x, y), "krippendorff_alpha": krippendorff_alpha([x, y]),
            "positive_agreement": pos, "percent_agreement": float((x == y).mean()) if len(x) else
            float("nan"), "both": both, "only_a": only_a, "only_b": only_b}


def label_agreement(a: pd.DataFrame, b: pd.DataFrame, themes: Sequence[str],
                    read: Sequence[str] | None = None, n_boot: int = 2000,
                    seed: int = 0) -> pd.DataFrame:
    """Cohen's κ, Krippendorff's α and positive agreement between two annotators, with intervals.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Label tables (:data:`LABEL_COLUMNS`).
    themes : sequence of str
        Every theme id of the codebook.
    read : sequence of str, optional
        The excerpts both annotators read (default: every excerpt either labelled);
        used for the excerpt-level row.
    n_boot : int, default 2000
        Bootstrap draws of excerpts.
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        Indexed by ``level``: ``province × theme`` (each unit × theme decision,
        pooled) and ``excerpt`` (whether an excerpt holds any item, over ``read``). Columns: ``units``,
        ``cohen_kappa``, ``krippendorff_alpha``, ``positive_agreement``
        (``2·both / (2·both + only_a + only_b)``), ``percent_agreement``,
        ``both``, ``only_a``, ``only_b`` and, for κ and α, ``_low``/``_high``
        95% percentile bounds from ``n_boot`` resamples of excerpts.

    Notes
    -----
    Two annotators, nominal data, no missing values: α = 1 − D_o / D_e with the
    pooled category frequencies (Krippendorff 2004, *Content Analysis*, ch. 11)
    and κ = (p_o − p_e) / (1 − p_e) with each coder's own margins (Cohen 1960).

    Examples
    --------
    >>> a = pd.DataFrame({"excerpt_id": ["e1", "e2"], "province": ["CN-JS", "CN-ZJ"],
    ...                   "theme": ["t1", "t1"]})
    >>> t = label_agreement(a, a, ["t1", "t2"], n_boot=50)
    >>> float(t.loc["province × theme", "cohen_kappa"])
    1.0
    """
    m = decision_matrix(a, b, themes)
    read = sorted(set(m.index.get_level_values(0)) if read is None else read)
    xa, xb = m["a"].to_numpy(), m["b"].to_numpy()
    ea = np.array([int(e in set(a["excerpt_id"])) for e in read])
    eb = np.array([int(e in set(b["excerpt_id"])) for e in read])
    unit_excerpt = m.index.get_level_values(0)
    rows_of = [np.flatnonzero(unit_excerpt == e) for e in read]

    def pairs(pick):
        idx = np.concatenate([rows_of[i] for i in pick]) if len(pick) else np.array([], int)
        return {"province × theme": (xa[idx].ravel(), xb[idx].ravel()),
                "excerpt": (ea[pick], eb[pick])}

    rows = {name: dict(units=len(x), **_coefficients(x, y))
            for name, (x, y) in pairs(np.arange(len(read))).items()}
    # a resample of excerpts is a count per excerpt; κ and α depend only on the sums of each
    # excerpt's units, 1s of either coder and disagreements, so every draw is a matrix product
    per_excerpt = {name: np.array([[len(x), x.sum(), y.sum(), np.count_nonzero(x != y)]
                                   for x, y in (pairs(np.array([i]))[name] for i in range(len(read)))],
                                  dtype=np.int64).reshape(len(read), 4)
                   for name in rows}
    rng = np.random.default_rng(seed)
    weights = np.array([np.bincount(rng.integers(0, len(read), size=len(read)), minlength=len(read))
                        for _ in range(n_boot)], dtype=np.int64).reshape(n_boot, len(read))
    draws = {name: _kappa_alpha_of_sums(*(weights @ per_excerpt[name]).T) for name in rows}
    for name, row in rows.items():
        for coef, values in draws[name].items():
            v = np.asarray(values, dtype=float)
            v = v[~np.isnan(v)]
            lo, hi = np.percentile(v, [2.5, 97.5]) if len(v) else (np.nan, np.nan)
            row[f"{coef}_low"], row[f"{coef}_high"] = float(lo), float(hi)
    cols = ["units", "cohen_kappa", "cohen_kappa_low", "cohen_kappa_high", "krippendorff_alpha",
            "krippendorff_alpha_low", "krippendorff_alpha_high", "positive_agreement",
            "percent_agreement", "both", "only_a", "only_b"]
    return pd.DataFrame.from_dict(rows, orient="index")[cols].rename_axis("level")


def realtext_agreement(folder=None, n_boot: int = 2000, seed: int = 20240305) -> pd.DataFrame:
    """The two annotators' agreement on the real-text evaluation set.

    Parameters
    ----------
    folder : path, optional
        Default ``data/evaluation/realtext/`` of the shipped data: ``labels_a.csv``,
        ``labels_b.csv`` and ``excerpts.csv`` (every excerpt there was read by both).
    n_boot, seed
        As in :func:`label_agreement`.

    Returns
    -------
    pandas.DataFrame
        :func:`label_agreement` of the two label files. Only stand-off labels are
        read: the texts themselves are not needed.
    """
    from pathlib import Path

    from .dataset import DataError, load_codebook
    from .evaluation import corpus_dir

    if folder is None:
        if corpus_dir() is None:
            raise DataError("the real-text evaluation set is not installed with this copy of "
                            "npstudy – run from a checkout of the repository")
        folder = corpus_dir() / "realtext"
    folder = Path(folder)
    a = pd.read_csv(folder / "labels_a.csv", dtype=str, keep_default_na=False)
    b = pd.read_csv(folder / "labels_b.csv", dtype=str, keep_default_na=False)
    read = pd.read_csv(folder / "excerpts.csv", dtype=str, keep_default_na=False)["excerpt_id"]
    return label_agreement(a, b, load_codebook().ids("theme"), read=list(read), n_boot=n_boot,
                           seed=seed)
