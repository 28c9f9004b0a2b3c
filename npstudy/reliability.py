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

import decimal
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .dataset import load_documents, load_source
from .text import split_sentences
from .validation import Context, Problem, check_practices

__all__ = ["cohen_kappa", "krippendorff_alpha", "percent_agreement", "agreement", "Agreement",
           "check_coding", "FIELDS", "CODING_COLUMNS", "read_coding", "match_statements",
           "agreement_with_intervals", "unitizing_alpha", "named_provinces", "baseline_coding",
           "field_reliability", "agreement_table", "agreement_csv", "BLIND_FIRST_CODING", "BLIND_SECOND_CODING",
           "BLIND_ADJUDICATION", "ADJUDICATION_COLUMNS", "read_adjudication",
           "adjudication_summary"]

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

    Raises
    ------
    ValueError
        If the codings differ in length, or a label is missing (None, NaN):
        κ has no place for a unit a coder did not code.

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
    _refuse_missing(a, "a", "cohen_kappa")
    _refuse_missing(b, "b", "cohen_kappa")
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
    # p_e = 1 exactly when both coders used one and the same label throughout; test that
    # exactly (a tolerance on p_e would call κ undefined for a rare label among 300,000)
    return float("nan") if len(labels) == 1 else float((p_o - p_e) / (1 - p_e))


def percent_agreement(a: Sequence, b: Sequence) -> float:
    """Share of units on which two coders give the same label.

    Parameters
    ----------
    a, b : sequence
        Labels (any values, compared with ``==``), one per unit, same length.

    Returns
    -------
    float
        NaN when there are no units.

    Raises
    ------
    ValueError
        If the codings differ in length, or a label is missing (None, NaN).
    """
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise ValueError(f"the two codings have {len(a)} and {len(b)} units")
    _refuse_missing(a, "a", "percent_agreement")
    _refuse_missing(b, "b", "percent_agreement")
    return float(np.mean([x == y for x, y in zip(a, b)])) if a else float("nan")


def krippendorff_alpha(data, level: str = "nominal") -> float:
    """Krippendorff's alpha for any number of coders, with missing values.

    Parameters
    ----------
    data : array-like, shape (coders, units)
        Values (numbers for ordinal, interval and ratio; any numbers or codes
        for nominal); ``NaN`` or ``None`` where a coder did not code a unit.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric of the difference function δ². At the ordinal, interval and ratio
        levels numeric strings count as the numbers they spell (``'10'`` is 10, and
        ``'2'``, ``2`` and ``2.0`` are one value); ordinal values are ranked by
        number when every value is a number or a numeric string. Ordinal values
        that are not all numbers keep the present order: numbers first (by value),
        then other values sorted as text (``'high' < 'low' < 'mid'``) – pass them as
        numbers (ranks) to give them your order.

    Returns
    -------
    float
        ``α = 1 - D_o / D_e``: observed over expected disagreement, computed
        from the coincidence matrix of pairable values. Units with fewer than
        two values are not pairable and are ignored. NaN if there is no
        expected disagreement (a single value throughout).

    Raises
    ------
    ValueError
        If ``level`` is unknown; ``data`` is not two-dimensional (coders ×
        units: a single coder's list has nobody to agree with); a value is
        infinite; a value is not a number (or numeric string) at the interval or
        ratio level; or a value is negative at the ratio level (ratio data have a
        true zero and are non-negative). Values are converted to numbers before
        they are checked, so ``'-1'``, ``Fraction(-1, 2)`` and
        ``Decimal('Infinity')`` are refused like ``-1``, ``-0.5`` and ``inf``.

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
    try:
        arr = np.asarray(data, dtype=object)
    except ValueError as err:   # rows of different lengths
        raise ValueError("data must be a coders × units table with one value (or NaN/None) per "
                         f"coder and unit – rows of different lengths cannot be read ({err})") from None
    if arr.ndim != 2 or any(isinstance(v, (list, tuple, np.ndarray)) for v in arr.ravel()):
        raise ValueError(f"data must be two-dimensional, coders × units, not of shape {arr.shape} "
                         "– pass one row per coder, e.g. [[1, 2, 3], [1, 2, 2]] for two coders "
                         "of three units")
    # every value as a number first (numbers of any type, numeric strings), then the checks
    # on the number: '-1', Fraction(-1, 2) and Decimal('Infinity') are checked as what they are
    numbers = {}
    for (r, c), v in np.ndenumerate(arr):
        if not _missing(v):
            numbers[r, c] = _number(v)
    all_numeric = all(x is not None for x in numbers.values())
    for (r, c), x in numbers.items():
        v = arr[r, c]
        if x is None:
            if level in ("interval", "ratio"):
                raise ValueError(f"data[{r}][{c}] is {_show(v)} – not a number – {level} data are "
                                 "numbers (or numeric strings); use level='nominal' for labels")
            continue
        if not np.isfinite(x) and (level != "nominal" or not isinstance(v, str)):
            raise ValueError(f"data[{r}][{c}] is {_show(v)} – values must be finite; use NaN or None "
                             "for a unit the coder did not code")
        if level == "ratio" and x < 0:
            raise ValueError(f"data[{r}][{c}] is {_show(v)} – ratio data are non-negative (they have "
                             "a true zero); use level='interval' for data that can be negative")
    if level != "nominal" and all_numeric:
        # ordered by value, and '2', 2 and 2.0 are one value (not '10' < '2' as text)
        arr = arr.copy()   # not the caller's array
        for (r, c), x in numbers.items():
            arr[r, c] = x
    frame = pd.DataFrame(arr)
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
    """None, NaN of any float type (numpy's, ``Decimal('NaN')``), pandas' NA and NaT, numpy's
    NaT of dates and durations."""
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, (float, np.floating)):
        return bool(np.isnan(v))
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return bool(np.isnat(v))
    if isinstance(v, decimal.Decimal):
        return v.is_nan()
    return False


def _show(v) -> str:
    """``repr`` of a value as the user would write it (``nan``, not ``np.float64(nan)``)."""
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return repr(str(v))                     # 'NaT', not None as .item() gives
    return repr(v.item()) if isinstance(v, np.generic) else repr(v)


def _refuse_missing(labels: list, name: str, func: str) -> None:
    """Refuse a missing label (None, NaN, pd.NA): these functions compare coded units only."""
    for i, v in enumerate(labels):
        if _missing(v):
            raise ValueError(f"{name}[{i}] is {_show(v)}, a missing label – {func} compares labels of "
                             "units both coders coded: drop the units a coder left uncoded, code "
                             "them with a label of their own (e.g. 'none'), or use "
                             "krippendorff_alpha, which allows missing values")


def _sort_key(v):
    """Numbers first by value (compared exactly: an int too large for a float still sorts),
    then everything else as text."""
    if isinstance(v, (int, float, np.integer, np.floating)):
        return (0, v)
    return (1, str(v))


def _number(v) -> float | None:
    """``v`` as a float if it is a real number (any type) or a numeric string, else None."""
    from numbers import Number
    if isinstance(v, str):
        try:
            return float(v.strip())
        except ValueError:
            return None
    if isinstance(v, Number) and not isinstance(v, complex):
        try:
            return float(v)
        except (TypeError, ValueError, OverflowError):
            return None
    return None


def _delta(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "interval":
        x = values.astype(float)
        return (x[:, None] - x[None, :]) ** 2
    if level == "ratio":
        x = values.astype(float)
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


def _offset(v) -> int | None:
    """A character offset as an int, or None if ``v`` is not a whole number (ASCII digits)."""
    if isinstance(v, str):
        return int(v) if v.isascii() and v.isdigit() else None
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)) and np.isfinite(v) and float(v).is_integer():
        return int(v)
    return None


def _check_starts(rows: pd.DataFrame, text: str, doc, name: str) -> None:
    """Every ``start`` of ``rows`` is a whole number inside ``text``, else a ValueError."""
    if not len(text):
        raise ValueError(f"texts[{doc!r}] is empty, so no offset of {name} can point into it – "
                         "pass the document's text")
    for label, v in zip(rows.index, rows["start"]):
        pos = _offset(v)
        if pos is None or not 0 <= pos < len(text):
            problem = ("not a whole number" if pos is None
                       else f"outside document {doc!r} of {len(text)} characters")
            raise ValueError(f"{name}: row {_show(label)}: start: {_show(v)} – {problem} – give the 0-based "
                             f"character offset of the quote, from 0 to {len(text) - 1}")


def _sentence_of(table: pd.DataFrame, texts: dict[str, str], name: str = "coding") -> pd.Series:
    out = pd.Series(-1, index=table.index, dtype="int64")
    for doc, rows in table.groupby("doc_id"):
        if doc not in texts:
            raise ValueError(f"document {doc!r} is not registered; pass texts={{doc_id: text}}")
        _check_starts(rows, texts[doc], doc, name)
        sentences = split_sentences(texts[doc])
        first = sentences.groupby("sentence")["start"].min()
        out.loc[rows.index] = first.index[np.searchsorted(first.to_numpy(),
                                                         rows["start"].astype(int), "right") - 1]
    return out


def _check_columns(t: pd.DataFrame, name: str, level: str) -> None:
    """The columns :func:`agreement` reads are there, and doc_id, province and level are filled."""
    missing = [c for c in ("doc_id", "province", "start", level) if c not in t.columns]
    if missing:
        raise ValueError(f"{name} has no column {', '.join(missing)} – agreement reads doc_id, "
                         f"province, start and {level}")
    for col in ("doc_id", "province", level):
        empty = np.array([_missing(v) for v in t[col]], dtype=bool)
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise ValueError(f"{name}: row {_show(t.index[i])}: {col}: {_show(t[col].iloc[i])} – missing – "
                             f"give every row a {col}, or drop the rows without one")


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
        can be computed then. Also if a column is missing, a ``doc_id``,
        ``province`` or ``level`` value is missing (None, NaN), a
        ``start`` is not a whole number inside its document (the error names
        coding, row, column and value), or a text in ``texts`` is empty.

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
    for name, t in (("coding A", a), ("coding B", b)):
        _check_columns(t, name, level)
    docs = sorted(set(a["doc_id"]) & set(b["doc_id"]))
    if not docs:
        raise ValueError(f"the codings share no document (A: {', '.join(sorted(set(a['doc_id'])))[:200]}; "
                         f"B: {', '.join(sorted(set(b['doc_id'])))[:200]}) – compare codings of the "
                         "same document")
    if texts is None:
        texts = {d: load_source(d) for d in docs if d in set(load_documents()["doc_id"])}
    a = a[a["doc_id"].isin(docs)].copy()
    b = b[b["doc_id"].isin(docs)].copy()
    for name, t in (("coding A", a), ("coding B", b)):
        t["sentence"] = _sentence_of(t, texts, name) if len(t) else pd.Series(dtype="int64")
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


# ------------------------------------------------ field by field, with intervals

#: The fields compared by :func:`field_reliability`, in table order.
FIELDS = ("province", "theme", "code", "instrument_type", "scope")
#: Columns of a coding in the format of the second coder's brief.
CODING_COLUMNS = ("statement", "province", "city", "theme", "code", "instrument_type", "scope",
                  "quote", "start", "end")


def read_coding(path, text: str | None = None) -> pd.DataFrame:
    """Read a coding in the format of ``data/reliability/brief_second_coder.md``.

    Parameters
    ----------
    path : path-like
        A UTF-8 CSV with the columns of :data:`CODING_COLUMNS` (more are kept).
    text : str, optional
        The coded document; when given, every quote is checked against its offsets.

    Returns
    -------
    pandas.DataFrame
        The rows as strings, with integer ``start`` and ``end``.

    Raises
    ------
    npstudy.fileio.DataError
        ``file:row: column: value – problem – suggestion`` for a missing column, an
        offset that is not a whole number in ASCII digits (``0``–``9``; full-width
        or Arabic-Indic digits are refused), or a quote that is not at its offsets.
    """
    from .fileio import DataError, read_table

    table = read_table(path)
    missing = [c for c in CODING_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} – a coding has the "
                        f"columns {','.join(CODING_COLUMNS)} (brief_second_coder.md)")
    out = table.copy()
    for col in ("start", "end"):
        bad = ~out[col].astype(str).str.fullmatch(r"[0-9]+")   # \d would take ３８２ and ٤٥١
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"{path}:{i + 2}: {col}: {out[col].iloc[i]!r} – not a whole number – "
                            "give the 0-based character offset")
        out[col] = out[col].astype(int)
    if text is not None:
        for i, row in enumerate(out.itertuples(index=False)):
            if text[row.start:row.end] != row.quote:
                found = text.find(row.quote) if row.quote else -1
                hint = (f"the quote is at {found}–{found + len(row.quote)}" if found >= 0
                        else "copy the quote character for character from the text")
                raise DataError(f"{path}:{i + 2}: quote: {row.quote[:30]!r} – not the text at "
                                f"{row.start}–{row.end} – {hint}")
    return out


def match_statements(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Pair the rows of two codings that code the same statement.

    The rule is the one frozen in ``data/reliability/adjudication_rules.md``: two rows,
    one from each coding, are the same statement when they have the same province and
    their spans overlap by at least one character; when a row overlaps several rows
    of the other coding for that province, pairs are made greedily by the largest
    overlap, ties going to the pair whose quotes start earlier. Each row is in at most
    one pair.

    Parameters
    ----------
    first, second : pandas.DataFrame
        Codings with ``province``, ``start`` and ``end`` (one document).

    Returns
    -------
    pandas.DataFrame
        ``row_first``, ``row_second`` (positional indexes into the inputs, ``-1``
        for a row with no partner), ``province`` and ``overlap`` (characters), pairs
        first in text order, then the unmatched rows of each coding.

    Examples
    --------
    >>> a = pd.DataFrame({"province": ["X", "X"], "start": [0, 10], "end": [8, 20]})
    >>> b = pd.DataFrame({"province": ["X"], "start": [5], "end": [15]})
    >>> match_statements(a, b)[["row_first", "row_second", "overlap"]].values.tolist()
    [[1, 0, 5], [0, -1, 0]]
    """
    candidates = []
    for i, a in enumerate(first[["province", "start", "end"]].itertuples(index=False)):
        for j, b in enumerate(second[["province", "start", "end"]].itertuples(index=False)):
            if a.province == b.province:
                overlap = min(int(a.end), int(b.end)) - max(int(a.start), int(b.start))
                if overlap > 0:
                    candidates.append((-overlap, min(int(a.start), int(b.start)), i, j, a.province))
    used_a, used_b, pairs = set(), set(), []
    for neg, _, i, j, prov in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i), used_b.add(j)
            pairs.append({"row_first": i, "row_second": j, "province": prov, "overlap": -neg})
    pairs.sort(key=lambda p: (int(first["start"].iloc[p["row_first"]]), p["province"]))
    rest = ([{"row_first": i, "row_second": -1, "province": first["province"].iloc[i], "overlap": 0}
             for i in range(len(first)) if i not in used_a]
            + [{"row_first": -1, "row_second": j, "province": second["province"].iloc[j],
                "overlap": 0} for j in range(len(second)) if j not in used_b])
    return pd.DataFrame(pairs + rest, columns=["row_first", "row_second", "province", "overlap"])


def _encode(x: Sequence, y: Sequence) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer codes of the labels, equal labels (``==``, so 1 and 1.0) sharing one code.

    κ and α depend on the counts of each label only, not on the order of the codes.
    """
    index: dict = {}
    for v in list(x) + list(y):
        index.setdefault(v, len(index))
    return (np.array([index[v] for v in x], dtype=np.int64),
            np.array([index[v] for v in y], dtype=np.int64), len(index))


def _kappa_alpha(a: np.ndarray, b: np.ndarray, k: int, draws: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cohen's κ and nominal α of two coders for each row of ``draws`` (unit indexes)."""
    n = draws.shape[1]
    x, y = a[draws], b[draws]
    offsets = (np.arange(draws.shape[0]) * k)[:, None]
    count_x = np.bincount((x + offsets).ravel(), minlength=draws.shape[0] * k).reshape(-1, k)
    count_y = np.bincount((y + offsets).ravel(), minlength=draws.shape[0] * k).reshape(-1, k)
    disagree = (x != y).sum(axis=1)
    p_o = 1 - disagree / n
    chance = (count_x * count_y).sum(axis=1)
    p_e = chance / n**2
    pooled = count_x + count_y
    m = 2 * n
    d_e = (m**2 - (pooled**2).sum(axis=1)) / (m * (m - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        kappa = np.where(chance < n**2, (p_o - p_e) / (1 - p_e), np.nan)   # exact, in integers
        alpha = np.where(d_e > 0, 1 - (disagree / n) / d_e, np.nan)
    return kappa, alpha


def agreement_with_intervals(x: Sequence, y: Sequence, n_boot: int = 2000, seed: int = 16,
                             level: float = 0.95, group: int = 1) -> dict:
    """Cohen's κ and Krippendorff's α (nominal) of two coders, with bootstrap intervals.

    Parameters
    ----------
    x, y : sequence
        The two coders' labels of the same units (any hashable values, compared by
        value with ``==`` as in :func:`cohen_kappa` and
        ``sklearn.metrics.cohen_kappa_score``: 1 and 1.0 agree, 1 and "1" do not).
    n_boot : int
        Bootstrap resamples of the units (with replacement), at least 1.
    seed : int
        Seed of the resampling (``numpy.random.default_rng``).
    level : float
        Coverage of the percentile intervals, strictly between 0 and 1.
    group : int
        Labels per unit: consecutive runs of ``group`` labels belong to one unit (for
        example the presence of each of 12 themes for one sentence–province pair) and
        are resampled together.

    Returns
    -------
    dict
        ``units`` (labels / group), ``disagreements``, ``percent_agreement``, ``kappa``, ``kappa_low``,
        ``kappa_high``, ``alpha``, ``alpha_low``, ``alpha_high`` and ``undefined`` (the
        resamples in which a coefficient is undefined because one value fills them;
        they are left out of the interval).

    Raises
    ------
    ValueError
        If the codings differ in length, a label is missing (None, NaN), the
        labels do not make whole units of ``group``, ``n_boot`` or ``group`` is
        below 1, or ``level`` is not strictly between 0 and 1.
    TypeError
        If ``n_boot`` or ``group`` is not a whole number, or ``level`` not a number.

    Notes
    -----
    For two coders and ``N`` units with ``d`` disagreements, ``κ = (p_o − p_e)/(1 − p_e)``
    with ``p_o = 1 − d/N`` and ``p_e = Σ_k p_x(k) p_y(k)`` (Cohen, 1960), and
    ``α = 1 − D_o/D_e`` with ``D_o = d/N`` and ``D_e = (n² − Σ_k n_k²)/(n(n − 1))``,
    ``n = 2N`` pairable values of which ``n_k`` take value ``k`` (Krippendorff, 2011).
    The interval is the percentile interval of the statistic over resampled units
    (Hayes & Krippendorff, 2007, resample units in the same way).

    References
    ----------
    Cohen, J. (1960). A coefficient of agreement for nominal scales. *Educational and
    Psychological Measurement* 20(1): 37–46.
    Hayes, A. F. & Krippendorff, K. (2007). Answering the call for a standard reliability
    measure for coding data. *Communication Methods and Measures* 1(1): 77–89.
    Krippendorff, K. (2011). *Computing Krippendorff's Alpha-Reliability*. University of
    Pennsylvania.

    Examples
    --------
    >>> r = agreement_with_intervals(["a", "a", "b", "b"], ["a", "a", "b", "a"], n_boot=200)
    >>> round(r["kappa"], 3), round(r["alpha"], 3)
    (0.5, 0.533)
    """
    for name, value, example in (("n_boot", n_boot, "2000"), ("group", group, "1")):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number, not {_show(value)} "
                            f"({type(value).__name__}) – pass a positive int such as {example}")
        if value < 1:
            raise ValueError(f"{name} must be at least 1, not {_show(value)} – pass a positive int "
                             f"such as {example}")
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, (int, float, np.number)):
        raise TypeError(f"level must be a number, not {_show(level)} ({type(level).__name__}) – pass "
                        "the coverage of the interval, such as 0.95")
    if not 0 < level < 1:
        raise ValueError(f"level must be strictly between 0 and 1, not {_show(level)} – pass the "
                         "coverage of the interval, such as 0.95")
    x, y = list(x), list(y)
    if len(x) != len(y):
        raise ValueError(f"the two codings label {len(x)} and {len(y)} units – pass the same units")
    _refuse_missing(x, "x", "agreement_with_intervals")
    _refuse_missing(y, "y", "agreement_with_intervals")
    if len(x) % group:
        raise ValueError(f"{len(x)} labels do not make whole units of {group}")
    out = {"units": len(x) // group,
           "disagreements": int(sum(bool(a != b) for a, b in zip(x, y)))}
    if not len(x):
        return {**out, **{k: float("nan") for k in ("percent_agreement", "kappa", "kappa_low",
                                                    "kappa_high", "alpha", "alpha_low",
                                                    "alpha_high")}, "undefined": 0}
    a, b, k = _encode(x, y)
    kappa, alpha = _kappa_alpha(a, b, k, np.arange(len(a))[None, :])
    rng = np.random.default_rng(seed)
    units = rng.integers(0, len(a) // group, size=(n_boot, len(a) // group))
    draws = (units[:, :, None] * group + np.arange(group)).reshape(n_boot, -1)
    boot_k, boot_a = _kappa_alpha(a, b, k, draws)
    tail = (1 - level) / 2 * 100

    def interval(v):
        v = v[~np.isnan(v)]
        return (float(np.percentile(v, tail)), float(np.percentile(v, 100 - tail))) if len(v) \
            else (float("nan"), float("nan"))

    (k_lo, k_hi), (a_lo, a_hi) = interval(boot_k), interval(boot_a)
    return {**out, "percent_agreement": 1 - out["disagreements"] / len(x),
            "kappa": float(kappa[0]), "kappa_low": k_lo, "kappa_high": k_hi,
            "alpha": float(alpha[0]), "alpha_low": a_lo, "alpha_high": a_hi,
            "undefined": int(np.isnan(boot_k).sum())}


# ------------------------------------------------------------- unitizing (αu)

def _segments(units: list[tuple[int, int]], begin: int, length: int) -> list[tuple[int, int, bool]]:
    """A coder's continuum for one category: (start, length, is_unit) in order, gaps between."""
    out, pos = [], begin
    for s, e in sorted(units):
        if s < pos:
            raise ValueError(f"units of one coder and category overlap at {s} – αu needs "
                             "non-overlapping units per coder and category")
        if s > pos:
            out.append((pos, s - pos, False))
        out.append((s, e - s, True))
        pos = e
    if pos > begin + length:
        raise ValueError(f"a unit ends at {pos}, after the continuum's end {begin + length}")
    if pos < begin + length:
        out.append((pos, begin + length - pos, False))
    return out


def _delta_u(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> float:
    """Krippendorff's squared distance between segment g of one coder and h of another."""
    (bg, lg, ug), (bh, lh, uh) = g, h
    if ug and uh:
        if -lg < bg - bh < lh:   # the two units overlap
            return float((bg - bh) ** 2 + (bg + lg - bh - lh) ** 2)
        return 0.0
    if ug and not uh and bh <= bg and bg + lg <= bh + lh:   # a gap contains the unit
        return float(lg ** 2)
    if uh and not ug and bg <= bh and bh + lh <= bg + lg:
        return float(lh ** 2)
    return 0.0


def _check_unit_offsets(units: pd.DataFrame, begin: int, length: int) -> None:
    """Every unit is a whole-number span ``begin ≤ start ≤ end ≤ begin + length``."""
    for label, s, e in zip(units.index, units["start"], units["end"]):
        for col, v in (("start", s), ("end", e)):
            if _offset(v) is None:
                raise ValueError(f"units: row {_show(label)}: {col}: {_show(v)} – not a whole number (or "
                                 "missing) – offsets are whole characters and are not truncated; "
                                 "pass integers")
        s, e = _offset(s), _offset(e)
        if s < 0:
            raise ValueError(f"units: row {_show(label)}: start: {s} – negative – offsets count "
                             "characters from 0; pass a start of at least 0")
        if e < s:
            raise ValueError(f"units: row {_show(label)}: end {e} is before start {s} – a unit runs "
                             "from start to end (exclusive); swap them or fix the offsets")
        if s < begin:
            raise ValueError(f"units: row {_show(label)}: start: {s} – before the continuum's begin "
                             f"{begin} – units must lie in [{begin}, {begin + length}]; pass "
                             "begin= the first offset of the continuum")
        if e > begin + length:
            raise ValueError(f"units: row {_show(label)}: end: {e} – after the continuum's end "
                             f"{begin + length} (begin {begin} + length {length}) – pass the "
                             "length of the whole continuum")


def unitizing_alpha(units: pd.DataFrame, length: int, begin: int = 0) -> pd.DataFrame:
    """Krippendorff's αu: agreement on where units begin and end on a continuum.

    Parameters
    ----------
    units : pandas.DataFrame
        One row per identified unit: ``coder``, ``category``, ``start``, ``end``
        (end exclusive, so a unit's length is ``end − start``). Units of one coder and
        category must not overlap. Every coder that coded the continuum must appear.
    length : int
        Length of the continuum (here: characters of the document).
    begin : int
        Offset at which the continuum begins. Both are whole numbers; a whole float
        (``10.0``) or a string of ASCII digits (``'0'``) is taken as the int it is.

    Returns
    -------
    pandas.DataFrame
        One row per category and an ``all`` row: ``units`` (over all coders),
        ``observed`` (D_o), ``expected`` (D_e) and ``alpha`` (``1 − D_o/D_e``); ``all``
        is ``1 − Σ_c D_o(c) / Σ_c D_e(c)``.

    Raises
    ------
    ValueError
        If fewer than two coders appear; a column is missing; a ``coder`` or
        ``category`` is missing (None, NaN); ``length`` is not a
        positive whole number or ``begin`` not a non-negative whole number; a
        ``start`` or ``end`` is missing or not a whole number (fractional offsets
        are not truncated); a start is negative; a unit ends before it starts; a
        unit starts before ``begin`` or ends after ``begin + length``; or two units
        of one coder and category overlap.

    Notes
    -----
    Each coder ``i`` divides the continuum of length ``L``, for category ``c``, into
    units and the gaps between them; segment ``g`` begins at ``b_g`` and has length
    ``l_g``. The squared distance between a segment ``g`` of coder ``i`` and ``h`` of
    coder ``j`` is ``(b_g − b_h)² + (b_g + l_g − b_h − l_h)²`` when both are units that
    overlap, ``l_g²`` when ``g`` is a unit inside a gap ``h`` (and symmetrically), and 0
    otherwise. With ``m`` coders::

        D_o(c) = Σ_i Σ_{j≠i} Σ_g Σ_h δ²(g, h) / (m (m − 1) L²)

        D_e(c) = (2/L) Σ_u [ (N_c − 1)(2 l_u³ − 3 l_u² + l_u)/3
                             + l_u² Σ_{gaps k: l_k ≥ l_u} (l_k − l_u + 1) ]
                 / ( m L (m L − 1) − Σ_u l_u (l_u − 1) )

    where ``u`` runs over the ``N_c`` units of category ``c`` of all coders and ``k``
    over the gaps of all coders. ``D_e`` is the disagreement expected when every coder's
    units were placed at random on the continuum (Krippendorff, 1995).

    References
    ----------
    Krippendorff, K. (1995). On the reliability of unitizing continuous data.
    *Sociological Methodology* 25: 47–76.
    Krippendorff, K. (2004). *Content Analysis: An Introduction to Its Methodology*,
    2nd ed., Sage, section 11.6; the worked example on p. 254 (a continuum of 300 from
    150, two coders, categories c and k) gives αu(c) = 0.7286, αu(k) = 1 and
    αu = 0.8591; the tests pin them. The same formulas are in the 3rd ed. (2013).

    Examples
    --------
    >>> u = pd.DataFrame({"coder": [1, 2], "category": ["s", "s"], "start": [2, 2],
    ...                   "end": [5, 5]})
    >>> float(unitizing_alpha(u, length=10).loc["all", "alpha"])
    1.0
    """
    missing = [c for c in ("coder", "category", "start", "end") if c not in units.columns]
    if missing:
        raise ValueError(f"units has no column {', '.join(missing)} – pass one row per unit with "
                         "coder, category, start and end")
    for name, value in (("length", length), ("begin", begin)):
        if _offset(value) is None:
            raise ValueError(f"{name} must be a whole number, not {_show(value)} – pass the "
                             "continuum's " + ("length in characters" if name == "length"
                                               else "first offset, e.g. 0"))
    if _offset(length) < 1:
        raise ValueError(f"length must be at least 1, not {_show(length)} – pass the length of the "
                         "continuum (e.g. the document's number of characters)")
    if _offset(begin) < 0:
        raise ValueError(f"begin must be at least 0, not {_show(begin)} – offsets count characters "
                         "from 0")
    begin, length = _offset(begin), _offset(length)   # '0' and 10.0 as the ints they are
    for col in ("coder", "category"):
        empty = np.array([_missing(v) for v in units[col]], dtype=bool)
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise ValueError(f"units: row {_show(units.index[i])}: {col}: {_show(units[col].iloc[i])} "
                             f"– missing – give every unit a {col}, or drop the rows without one")
    _check_unit_offsets(units, begin, length)
    coders = sorted(units["coder"].unique(), key=str)
    m = len(coders)
    if m < 2:
        raise ValueError("αu needs units of at least two coders")
    L = length
    rows = []
    for cat in sorted(units["category"].unique(), key=str):
        sub = units[units["category"] == cat]
        segs = {c: _segments([(int(s), int(e)) for s, e in
                              zip(sub.loc[sub["coder"] == c, "start"], sub.loc[sub["coder"] == c, "end"])],
                             begin, L) for c in coders}
        observed = 0.0
        for i in coders:
            for j in coders:
                if i == j:
                    continue
                # the segments h of j that overlap g (h starts before g ends, ends after g
                # starts) are a run of consecutive ones: starts and ends of a coder's
                # segments both increase along the continuum; same pairs, same order
                starts = [h[0] for h in segs[j]]
                ends = [h[0] + h[1] for h in segs[j]]
                for g in segs[i]:
                    for k in range(bisect_right(ends, g[0]), bisect_left(starts, g[0] + g[1])):
                        observed += _delta_u(g, segs[j][k])
        d_o = observed / (m * (m - 1) * L**2)
        lens = [seg[1] for c in coders for seg in segs[c] if seg[2]]
        gaps = sorted(seg[1] for c in coders for seg in segs[c] if not seg[2])
        # Σ_{gaps k: l_k ≥ l_u} (l_k − l_u + 1) from suffix sums of the sorted gaps (exact ints)
        suffix = [0] * (len(gaps) + 1)
        for idx in range(len(gaps) - 1, -1, -1):
            suffix[idx] = suffix[idx + 1] + gaps[idx]
        n_c = len(lens)
        total = 0.0
        for lu in lens:
            total += (n_c - 1) * (2 * lu**3 - 3 * lu**2 + lu) / 3
            first = bisect_left(gaps, lu)
            total += lu**2 * (suffix[first] - (lu - 1) * (len(gaps) - first))
        denominator = m * L * (m * L - 1) - sum(lu * (lu - 1) for lu in lens)
        d_e = 2 / L * total / denominator
        rows.append({"category": cat, "units": n_c, "observed": d_o, "expected": d_e,
                     "alpha": 1 - d_o / d_e if d_e > 0 else float("nan")})
    table = pd.DataFrame(rows)
    d_o, d_e = table["observed"].sum(), table["expected"].sum()
    table.loc[len(table)] = {"category": "all", "units": int(table["units"].sum()),
                             "observed": d_o, "expected": d_e,
                             "alpha": 1 - d_o / d_e if d_e > 0 else float("nan")}
    return table.set_index("category")


# --------------------------------------------------- the no-judgement baseline

def _province_pattern(provinces: pd.DataFrame):
    import re
    names = {}
    for row in provinces.itertuples(index=False):
        for name in (row.name_zh, row.short_zh):
            if isinstance(name, str) and name:
                names[name] = row.iso_code
    return re.compile("|".join(sorted(map(re.escape, names), key=len, reverse=True))), names


def named_provinces(text: str, provinces: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every mention of a provincial-level unit by its Chinese name, with offsets.

    Full names (浙江省) and short names (浙江) of ``provinces.csv`` are matched, the
    longest first; nothing else (no cities, no abbreviations).

    Returns
    -------
    pandas.DataFrame
        ``province`` (ISO code), ``start``, ``end``, ``name``.
    """
    if provinces is None:
        from .dataset import load_provinces
        provinces = load_provinces()
    pattern, names = _province_pattern(provinces)
    return pd.DataFrame([{"province": names[m.group(0)], "start": m.start(), "end": m.end(),
                          "name": m.group(0)} for m in pattern.finditer(text)],
                        columns=["province", "start", "end", "name"])


def baseline_coding(text: str, layout: pd.DataFrame, provinces: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """The coding of a coder with no judgement: every province named gets the paragraph's theme.

    For every sentence of a line whose role in ``layout`` is ``paragraph``, each
    province named in it (:func:`named_provinces`) gets one row whose span is the
    sentence and whose theme is the paragraph's. Code, instrument type and scope are
    left empty: the baseline judges nothing. It shows how much agreement the layout
    of the text gives away: a coding that agrees with the first coding no better than
    this baseline has added nothing the paragraph layout did not already say.

    Parameters
    ----------
    text : str
    layout : pandas.DataFrame
        ``source_layout.csv`` rows of the document (``line``, ``role``, ``theme``).
    provinces : pandas.DataFrame, optional

    Returns
    -------
    pandas.DataFrame
        In the columns of :data:`CODING_COLUMNS` (``statement`` numbers the sentences).
    """
    sentences = split_sentences(text)
    spans = sentences.groupby("sentence").agg(start=("start", "min"), end=("end", "max"),
                                              line=("line", "first"))
    themes = {int(r.line): r.theme for r in layout.itertuples(index=False) if r.role == "paragraph"}
    mentions = named_provinces(text, provinces)
    rows = []
    for sid, s in spans.iterrows():
        if int(s["line"]) not in themes:
            continue
        inside = mentions[(mentions["start"] >= s["start"]) & (mentions["end"] <= s["end"])]
        for prov in dict.fromkeys(inside["province"]):
            rows.append({"statement": f"B{sid:03d}", "province": prov, "city": "",
                         "theme": themes[int(s["line"])], "code": "", "instrument_type": "",
                         "scope": "", "quote": text[s["start"]:s["end"]],
                         "start": int(s["start"]), "end": int(s["end"])})
    return pd.DataFrame(rows, columns=list(CODING_COLUMNS))


# ------------------------------------------------------------ the agreement table

def _province_units(first: pd.DataFrame, second: pd.DataFrame, text: str,
                    provinces: pd.DataFrame | None) -> tuple[list[int], list[int]]:
    """Per (sentence, province named or coded in it): did each coding code that province there?"""
    sentences = split_sentences(text)
    bounds = sentences.groupby("sentence").agg(start=("start", "min"), end=("end", "max"))
    starts = bounds["start"].to_numpy()

    def sentence_of(pos):
        return int(bounds.index[np.searchsorted(starts, int(pos), "right") - 1])

    coded = [{(sentence_of(r.start), r.province) for r in t.itertuples(index=False)}
             for t in (first, second)]
    named = {(sentence_of(m.start), m.province)
             for m in named_provinces(text, provinces).itertuples(index=False)}
    units = sorted(named | coded[0] | coded[1])
    return [int(u in coded[0]) for u in units], [int(u in coded[1]) for u in units]


def _province_theme_units(first, second, text):
    """Presence of every theme for each (sentence, province) that either coding codes,
    as in :func:`agreement` (``level="theme"``): the measure of earlier reports."""
    from .dataset import load_codebook
    themes = load_codebook().ids("theme")
    codings = [t.assign(doc_id="d") for t in (first, second)]
    units = agreement(*codings, level="theme", texts={"d": text}).units
    marks = [set(zip(_sentence_of(t, {"d": text}), t["province"], t["theme"])) for t in codings]
    x, y = ([int((s, p, th) in m) for s, p in zip(units["sentence"], units["province"])
             for th in themes] for m in marks)
    return x, y, len(themes)


def field_reliability(first: pd.DataFrame, second: pd.DataFrame, text: str,
                      n_boot: int = 2000, seed: int = 16,
                      provinces: pd.DataFrame | None = None) -> pd.DataFrame:
    """κ and α with bootstrap intervals for every field, and αu for the statements.

    Parameters
    ----------
    first, second : pandas.DataFrame
        Two codings of one document in the columns of :data:`CODING_COLUMNS`.
    text : str
        The document.
    n_boot, seed : int
        Bootstrap resamples and their seed (:func:`agreement_with_intervals`).

    Returns
    -------
    pandas.DataFrame
        One row per field of :data:`FIELDS` and two unitizing rows, with ``field``,
        ``unit``, ``units``, ``disagreements``, ``percent_agreement``, ``kappa``,
        ``kappa_low``, ``kappa_high``, ``alpha``, ``alpha_low``, ``alpha_high``.

    Notes
    -----
    Units, field by field:

    ``province × theme``
        every (sentence, province) that either coding codes, times the 12 themes:
        whether each coding gives that province that theme in that sentence (the
        measure of :func:`agreement`, resampled by sentence–province pair);
    ``province``
        every (sentence, province) where the text names the province or either
        coding codes it; the value is whether the coding has a statement of that
        province in that sentence (1) or not (0). Naming is matching a province's
        Chinese name (:func:`named_provinces`).
    ``theme``, ``code``, ``instrument_type``, ``scope``
        pairs of rows that code the same statement (:func:`match_statements`, the
        frozen adjudication rule); the two values are nominal labels. A row with no
        partner is a disagreement about the unit, measured by the unitizing rows.
    ``statements (αu)``
        the distinct spans each coding quotes, one category, on the whole document
        as the continuum (:func:`unitizing_alpha`).
    ``statements by province (αu)``
        the same with one category per province (a span coded for two provinces is
        a unit of each).

    Bootstrap intervals resample the units of the row (sentence–province pairs or
    statement pairs) with replacement; αu has no interval.
    """
    rows = []
    x, y = _province_units(first, second, text, provinces)
    rows.append({"field": "province", "unit": "(sentence, province named or coded)",
                 **agreement_with_intervals(x, y, n_boot, seed)})
    x, y, k = _province_theme_units(first, second, text)
    rows.append({"field": "province × theme", "unit": f"(sentence, province) coded by either × {k} themes",
                 **agreement_with_intervals(x, y, n_boot, seed, group=k)})
    pairs = match_statements(first, second)
    matched = pairs[(pairs["row_first"] >= 0) & (pairs["row_second"] >= 0)]
    for fld in FIELDS[1:]:
        a = (first[fld].iloc[matched["row_first"]].fillna("").astype(str).tolist()
             if fld in first else [])
        b = (second[fld].iloc[matched["row_second"]].fillna("").astype(str).tolist()
             if fld in second else [])
        if any(a) and any(b):   # an empty value is a label like any other
            rows.append({"field": fld, "unit": "statement pairs (same province, overlapping quotes)",
                         **agreement_with_intervals(a, b, n_boot, seed)})
        else:   # a coding that leaves the field empty (the baseline) is not compared on it
            rows.append({"field": fld, "unit": "statement pairs (same province, overlapping quotes)",
                         "units": len(matched)})
    for label, by_province in (("statements (αu)", False), ("statements by province (αu)", True)):
        spans = []
        for coder, t in (("first", first), ("second", second)):
            cats = t["province"] if by_province else pd.Series("statement", index=t.index)
            spans.append(pd.DataFrame({"coder": coder, "category": cats.to_numpy(),
                                       "start": t["start"].astype(int).to_numpy(),
                                       "end": t["end"].astype(int).to_numpy()}).drop_duplicates())
        ua = unitizing_alpha(pd.concat(spans, ignore_index=True), len(text))
        rows.append({"field": label, "unit": "character spans of the document",
                     "units": int(ua.loc["all", "units"]), "alpha": float(ua.loc["all", "alpha"])})
    table = pd.DataFrame(rows)
    cols = ["field", "unit", "units", "disagreements", "percent_agreement", "kappa", "kappa_low",
            "kappa_high", "alpha", "alpha_low", "alpha_high"]
    return table.reindex(columns=cols)


#: Names of the files of the blind second coding in ``data/reliability/``: the first coding
#: as it was compared, the second coding, and the adjudication.
BLIND_FIRST_CODING = "first_coding_blind.csv"
BLIND_SECOND_CODING = "second_coding_blind.csv"
BLIND_ADJUDICATION = "adjudication_blind.csv"


def agreement_table(folder=None, second: str | None = None, n_boot: int = 2000,
                    seed: int = 16) -> pd.DataFrame:
    """The table of ``data/reliability/agreement.csv``: the second coding and the baseline.

    Parameters
    ----------
    folder : path-like, optional
        The dataset folder (default: the shipped one). The first coding is
        ``reliability/first_coding_blind.csv`` (the first coding before adjudication) when
        it exists, else ``practices.csv``; the second is ``reliability/second_coding_blind.csv`` when it
        exists, else the earlier ``reliability/second_coding.csv`` (made from a codebook
        that showed its examples; see ``docs/reliability.md``).
    second : str, optional
        A file name in ``reliability/`` to use as the second coding instead.
    n_boot, seed : int
        Bootstrap resamples and their seed.

    Returns
    -------
    pandas.DataFrame
        :func:`field_reliability` of the second coding against the first, then of the
        no-judgement baseline (:func:`baseline_coding`) against the first, with a
        ``comparison`` and a ``second_coding`` column in front, rounded to 6 places.
    """
    from pathlib import Path

    from .dataset import data_dir, load_layout, load_practices, load_provinces

    folder = Path(folder) if folder is not None else data_dir()
    practices = load_practices(folder / "practices.csv")
    doc_ids = sorted(set(practices["doc_id"]))
    if len(doc_ids) != 1:
        raise ValueError(f"the agreement table compares codings of one document, not {len(doc_ids)}")
    doc = doc_ids[0]
    text = load_source(doc)
    if second is None:
        second = (BLIND_SECOND_CODING if (folder / "reliability" / BLIND_SECOND_CODING).exists()
                  else "second_coding.csv")
    other = read_coding(folder / "reliability" / second, text) if second != "second_coding.csv" \
        else _legacy_second(folder / "reliability" / second, text)
    provinces = load_provinces(folder / "provinces.csv")
    layout = load_layout(folder / "source_layout.csv")
    layout = layout[layout["doc_id"] == doc]
    # the first coding as it stood when the blind second coding was compared with it;
    # practices.csv is the adjudicated coding and would hide what was settled
    frozen = folder / "reliability" / BLIND_FIRST_CODING
    first = (read_coding(frozen, text) if frozen.exists() else practices).reset_index(drop=True)
    parts = []
    for name, coding in (("second coder", other),
                         ("no-judgement baseline", baseline_coding(text, layout, provinces))):
        part = field_reliability(first, coding, text, n_boot, seed, provinces)
        part.insert(0, "second_coding", second if name == "second coder" else "(baseline)")
        part.insert(0, "comparison", name)
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    num = out.select_dtypes("number").columns.difference(["units", "disagreements"])
    out[num] = out[num].round(6)
    for col in ("units", "disagreements"):
        out[col] = out[col].astype("Int64")
    return out


def _legacy_second(path, text: str) -> pd.DataFrame:
    """The earlier second coding, whose file has ``id`` instead of ``statement``."""
    from .fileio import read_table
    table = read_table(path)
    table = table.rename(columns={"id": "statement"})
    table["start"] = table["start"].astype(int)
    table["end"] = table["end"].astype(int)
    bad = [r.statement for r in table.itertuples() if text[r.start:r.end] != r.quote]
    if bad:
        raise ValueError(f"{path}: quotes not at their offsets: {', '.join(bad[:5])}")
    return table


def agreement_csv(table: pd.DataFrame) -> str:
    """:func:`agreement_table` as the CSV text of ``agreement.csv`` (``\\n`` line ends, 6 places)."""
    return table.to_csv(index=False, lineterminator="\n", float_format="%.6f")


#: Columns of ``adjudication_blind.csv`` (``data/reliability/adjudication_rules.md``).
ADJUDICATION_COLUMNS = ("item", "province", "field", "statement_first", "statement_second",
                        "first", "second", "decision", "final", "rule", "tie", "reason")
_ADJUDICATED_FIELDS = ("row", "city", "theme", "code", "instrument_type", "scope", "quote")


def read_adjudication(path) -> pd.DataFrame:
    """Read and check an adjudication in the format of ``adjudication_rules.md``.

    Returns
    -------
    pandas.DataFrame
        The rows as strings, with ``tie`` as booleans.

    Raises
    ------
    npstudy.fileio.DataError
        ``file:row: column: value – problem – suggestion`` for a missing column, a
        field that is not adjudicated, a decision other than ``first``, ``second`` or
        ``neither``, a ``tie`` that is not ``true``/``false``, or an empty reason.
    """
    from .fileio import DataError, read_table

    table = read_table(path)
    missing = [c for c in ADJUDICATION_COLUMNS if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} – an adjudication has "
                        f"the columns {','.join(ADJUDICATION_COLUMNS)} (adjudication_rules.md)")
    checks = (("field", set(_ADJUDICATED_FIELDS), "one of " + ", ".join(_ADJUDICATED_FIELDS)),
              ("decision", {"first", "second", "neither"}, "first, second or neither"),
              ("tie", {"true", "false"}, "true or false"))
    for i, row in enumerate(table.itertuples(index=False)):
        for col, allowed, say in checks:
            value = getattr(row, col)
            if value not in allowed:
                raise DataError(f"{path}:{i + 2}: {col}: {value!r} – not allowed – write {say}")
        if not str(row.reason).strip():
            raise DataError(f"{path}:{i + 2}: reason: '' – must not be empty – quote the words "
                            "of the text and name the rule that decide the item")
    return table.assign(tie=table["tie"] == "true")


def adjudication_summary(table: pd.DataFrame) -> pd.DataFrame:
    """How many items of each field the adjudicator decided for each coding, and how many ties.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``field``: ``items``, ``first``, ``second``, ``neither``, ``ties``.
    """
    counts = pd.crosstab(table["field"], table["decision"]).reindex(
        columns=["first", "second", "neither"], fill_value=0)
    out = counts.assign(items=counts.sum(axis=1), ties=table.groupby("field")["tie"].sum())
    return out[["items", "first", "second", "neither", "ties"]]
