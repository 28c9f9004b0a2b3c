"""Agreement between two codings: Cohen's kappa, Krippendorff's alpha, percent agreement.

Unit of analysis for :func:`agreement`: a (document, sentence, province) triple
that **at least one** coder coded. For each category (theme or code) each coder
either assigns it to the unit or not. Sentences that neither coder touched are
not units: counting uncoded text as agreement ("both said nothing") would
inflate every statistic, so it is left out by construction, and
``positive_agreement`` (which ignores joint absences) is reported beside the
chance-corrected coefficients.

The coefficient functions are general: :func:`cohen_kappa` takes two label
sequences and :func:`krippendorff_alpha` a coders × units matrix with missing
values, at nominal, ordinal, interval or ratio level.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .dataset import load_documents, load_source
from .text import split_sentences
from .validation import Context, Problem, check_practices

__all__ = ["cohen_kappa", "krippendorff_alpha", "percent_agreement", "agreement", "Agreement",
           "check_coding"]

# The columns agreement reads: their problems make a coding unusable for it.
_AGREEMENT_COLUMNS = {"doc_id", "province", "city", "pillar", "theme", "code", "quote", "start",
                      "end", "(file)"}


def check_coding(table: pd.DataFrame, context: Context | None = None,
                 name: str = "coding") -> list[Problem]:
    """The problems that keep a coding (as strings) from entering :func:`agreement`.

    The checks are :func:`npstudy.validation.check_practices` restricted to the
    columns agreement uses: documents are registered, offsets point at the
    quotes, provinces exist, and pillar, theme and code belong to the codebook.
    Review columns (summary, coder, first mover) are not required, so coder
    suggestions can be compared as they are. For the same reason the review rule
    R6 (a theme other than the paragraph's needs a note) is not applied: it asks
    the reviewer for a note, and a difference of theme is exactly what agreement
    measures.
    """
    # a note on every row: check_practices then does not apply rule R6
    unreviewed = table.assign(note="(review note not checked by agree)")
    return [p for p in check_practices(unreviewed, context, name)
            if p.column in _AGREEMENT_COLUMNS]


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa for two coders' labels of the same units.

    Parameters
    ----------
    a, b : sequence
        Labels (any hashable values), one per unit, same length.

    Returns
    -------
    float
        ``κ = (p_o - p_e) / (1 - p_e)`` with ``p_o`` the observed share of
        agreement and ``p_e = Σ_k p_a(k) p_b(k)`` the agreement expected from
        each coder's own label frequencies. NaN when ``p_e = 1`` (both coders
        used one and the same label throughout).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales.
    *Educational and Psychological Measurement* 20(1): 37–46.

    Examples
    --------
    The 2 × 2 example of the Wikipedia article "Cohen's kappa" (20 yes/yes,
    5 yes/no, 10 no/yes, 15 no/no):

    >>> a = ["yes"] * 25 + ["no"] * 25
    >>> b = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    >>> round(cohen_kappa(a, b), 6)
    0.4
    """
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings have {len(a)} and {len(b)} units")
    if not a:
        return float("nan")
    labels = sorted(set(a) | set(b), key=str)
    index = {k: i for i, k in enumerate(labels)}
    table = np.zeros((len(labels), len(labels)))
    for x, y in zip(a, b):
        table[index[x], index[y]] += 1
    n = table.sum()
    p_o = np.trace(table) / n
    p_e = float((table.sum(axis=1) / n) @ (table.sum(axis=0) / n))
    return float("nan") if np.isclose(p_e, 1.0) else float((p_o - p_e) / (1 - p_e))


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units on which two coders give the same label."""
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings have {len(a)} and {len(b)} units")
    return float(np.mean([x == y for x, y in zip(a, b)])) if a else float("nan")


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing values.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        Values (numbers for ordinal, interval and ratio; any numbers or codes
        for nominal); ``NaN`` or ``None`` where a coder did not code a unit.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric of the difference function δ².

    Returns
    -------
    float
        ``α = 1 - D_o / D_e``: observed over expected disagreement, computed
        from the coincidence matrix of pairable values. Units with fewer than
        two values are not pairable and are ignored. NaN if there is no
        expected disagreement (a single value throughout).

    Notes
    -----
    With ``o_ck = Σ_u (number of c–k pairs in unit u) / (m_u − 1)``,
    ``n_c = Σ_k o_ck`` and ``n = Σ_c n_c``::

        D_o = Σ_c Σ_k o_ck δ²(c, k) / n
        D_e = Σ_c Σ_k n_c n_k δ²(c, k) / (n (n − 1))

    δ² is 0/1 (nominal), ``(c − k)²`` (interval), ``((c − k)/(c + k))²``
    (ratio) or, for ordinal data, ``(Σ_{g=c..k} n_g − (n_c + n_k)/2)²``.

    References
    ----------
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*.
    Annenberg School for Communication, University of Pennsylvania. The worked
    example there (4 coders, 12 units, missing values) gives 0.743 (nominal),
    0.815 (ordinal), 0.849 (interval) and 0.797 (ratio); the tests pin them.

    Examples
    --------
    >>> krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 3]])
    1.0
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"level must be nominal, ordinal, interval or ratio, not {level!r}")
    frame = pd.DataFrame(np.asarray(data, dtype=object))
    values = sorted({v for v in frame.to_numpy().ravel() if not _missing(v)}, key=_sort_key)
    if not values:
        return float("nan")
    index = {v: i for i, v in enumerate(values)}
    k = len(values)
    o = np.zeros((k, k))
    for col in frame.columns:
        present = [index[v] for v in frame[col] if not _missing(v)]
        m = len(present)
        if m < 2:
            continue
        counts = np.bincount(present, minlength=k).astype(float)
        pairs = np.outer(counts, counts) - np.diag(counts)
        o += pairs / (m - 1)
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return float("nan")
    delta = _delta(np.array(values, dtype=object), n_c, level)
    d_o = (o * delta).sum() / n
    d_e = (np.outer(n_c, n_c) * delta).sum() / (n * (n - 1))
    return float("nan") if d_e == 0 else float(1 - d_o / d_e)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA


def _sort_key(v):
    return (0, float(v)) if isinstance(v, (int, float, np.number)) else (1, str(v))


def _delta(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    x = values.astype(float)
    if level == "interval":
        return (x[:, None] - x[None, :]) ** 2
    if level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            d = ((x[:, None] - x[None, :]) / (x[:, None] + x[None, :])) ** 2
        return np.nan_to_num(d)
    cum = np.concatenate([[0.0], np.cumsum(n_c)])
    d = np.zeros((k, k))
    for i in range(k):
        for j in range(k):
            lo, hi = min(i, j), max(i, j)
            d[i, j] = (cum[hi + 1] - cum[lo] - (n_c[i] + n_c[j]) / 2) ** 2
    return d


# ----------------------------------------------------------------- two codings

class Agreement:
    """Result of :func:`agreement`: ``table`` (per category and overall),
    ``disagreements`` and ``units``."""

    def __init__(self, table: pd.DataFrame, disagreements: pd.DataFrame, units: pd.DataFrame,
                 level: str):
        self.table, self.disagreements, self.units, self.level = table, disagreements, units, level

    def __repr__(self) -> str:
        overall = self.table.loc["all"]
        return (f"Agreement(level={self.level!r}, units={len(self.units)}, "
                f"kappa={overall['cohen_kappa']:.3f}, alpha={overall['krippendorff_alpha']:.3f}, "
                f"disagreements={len(self.disagreements)})")


def _sentence_of(table: pd.DataFrame, texts: dict[str, str]) -> pd.Series:
    out = pd.Series(-1, index=table.index, dtype="int64")
    for doc, rows in table.groupby("doc_id"):
        if doc not in texts:
            raise ValueError(f"document {doc!r} is not registered; pass texts={{doc_id: text}}")
        sentences = split_sentences(texts[doc])
        first = sentences.groupby("sentence")["start"].min()
        out.loc[rows.index] = first.index[np.searchsorted(first.to_numpy(),
                                                         rows["start"].astype(int), "right") - 1]
    return out


def agreement(a: pd.DataFrame, b: pd.DataFrame, level: str = "theme",
              texts: dict[str, str] | None = None) -> Agreement:
    """Agreement between two codings of the same documents.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Practices tables (hand coding, coder suggestions, or a second coder).
        Columns used: ``doc_id``, ``province``, ``start`` and ``level``.
    level : {"theme", "code", "pillar"}
        The categories compared.
    texts : dict, optional
        ``{doc_id: text}``; registered documents are loaded by default.

    Returns
    -------
    Agreement
        ``table``: one row per category and an ``all`` row pooled over every
        unit × category decision, with ``units``, ``both``, ``only_a``,
        ``only_b``, ``neither``, ``percent_agreement``, ``positive_agreement``
        (``2·both / (2·both + only_a + only_b)``), ``cohen_kappa`` and
        ``krippendorff_alpha`` (nominal, two coders, no missing values).
        ``disagreements``: every unit × category where the coders differ, with
        the sentence text. ``units``: the units compared.

    Raises
    ------
    ValueError
        If either coding is empty or the two share no document: no agreement
        can be computed then.

    Notes
    -----
    Units are (doc_id, sentence, province) triples coded by at least one coder;
    the sentence is the one containing a row's ``start`` offset. Only documents
    present in both codings are compared.
    """
    if level not in ("pillar", "theme", "code"):
        raise ValueError(f"level must be 'pillar', 'theme' or 'code', not {level!r}")
    if not len(a) or not len(b):
        raise ValueError(f"coder {'A' if not len(a) else 'B'} coded nothing, so there is no "
                         "agreement to compute – pass two non-empty codings")
    docs = sorted(set(a["doc_id"]) & set(b["doc_id"]))
    if not docs:
        raise ValueError(f"the codings share no document (A: {', '.join(sorted(set(a['doc_id'])))[:200]}; "
                         f"B: {', '.join(sorted(set(b['doc_id'])))[:200]}) – compare codings of the "
                         "same document")
    if texts is None:
        texts = {d: load_source(d) for d in docs if d in set(load_documents()["doc_id"])}
    a = a[a["doc_id"].isin(docs)].copy()
    b = b[b["doc_id"].isin(docs)].copy()
    for t in (a, b):
        t["sentence"] = _sentence_of(t, texts) if len(t) else pd.Series(dtype="int64")
    key = ["doc_id", "sentence", "province"]
    units = (pd.concat([a[key], b[key]]).drop_duplicates()
             .sort_values(key, kind="stable").reset_index(drop=True))
    cats = sorted(set(a[level]) | set(b[level]))
    def presence(t):
        marks = t[key + [level]].drop_duplicates().assign(value=1)
        wide = marks.pivot_table(index=key, columns=level, values="value", fill_value=0)
        return wide.reindex(pd.MultiIndex.from_frame(units), columns=cats, fill_value=0)

    pa, pb = presence(a), presence(b)
    rows = []
    for cat in cats + ["all"]:
        x = pa.to_numpy().ravel() if cat == "all" else pa[cat].to_numpy()
        y = pb.to_numpy().ravel() if cat == "all" else pb[cat].to_numpy()
        both, only_a = int(((x == 1) & (y == 1)).sum()), int(((x == 1) & (y == 0)).sum())
        only_b, neither = int(((x == 0) & (y == 1)).sum()), int(((x == 0) & (y == 0)).sum())
        rows.append({
            level: cat, "units": len(x), "both": both, "only_a": only_a, "only_b": only_b,
            "neither": neither, "percent_agreement": percent_agreement(x, y),
            "positive_agreement": 2 * both / (2 * both + only_a + only_b)
            if (both + only_a + only_b) else float("nan"),
            "cohen_kappa": cohen_kappa(x, y), "krippendorff_alpha": krippendorff_alpha([x, y]),
        })
    table = pd.DataFrame(rows).set_index(level)
    diff = (pa != pb)
    cells = diff.stack()
    cells = cells[cells]
    dis = cells.index.to_frame(index=False)
    dis["coder_a"] = [int(pa.loc[tuple(r[:3]), r[3]]) for r in dis.itertuples(index=False)]
    dis["coder_b"] = 1 - dis["coder_a"]
    sentence_text = {}
    for doc in docs:
        s = split_sentences(texts[doc])
        sentence_text[doc] = s.groupby("sentence").agg(start=("start", "min"), end=("end", "max"))
    dis["text"] = [texts[d][sentence_text[d].loc[s, "start"]:sentence_text[d].loc[s, "end"]]
                   for d, s in zip(dis["doc_id"], dis["sentence"])]
    return Agreement(table, dis, units, level)
