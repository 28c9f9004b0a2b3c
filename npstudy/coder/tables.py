"""The coder's output tables, built from column arrays without a per-row loop.

String columns take pandas' string dtype (``str`` from pandas 3, ``object`` before) once,
and columns with few distinct values are taken from small arrays made once.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from ..dataset import FIRST_MOVER_MARKERS, PRACTICE_COLUMNS

__all__ = ["SUGGESTION_COLUMNS", "UNMATCHED_COLUMNS", "suggestion_columns", "suggestion_frame",
           "empty_suggestions", "empty_unmatched", "join_labels", "suggestion_ids", "as_strings",
           "frame", "filled"]

#: Columns of a suggestions file: the practices schema plus review columns.
SUGGESTION_COLUMNS = PRACTICE_COLUMNS + ["keywords", "confidence", "decision"]
#: Columns of the unmatched output: sentences that name a province but gave no suggestion.
UNMATCHED_COLUMNS = ["doc_id", "provinces", "quote", "start", "end", "paragraph", "reason"]
#: The dtype pandas gives a column of strings: ``str`` from pandas 3, ``object`` before.
_STR_DTYPE = pd.Series(["a"]).dtype
_IDS: list[str] = []
_IDS_LOCK = threading.Lock()


def filled(n: int, value: str) -> np.ndarray:
    """An object array of ``n`` times ``value`` (much faster than ``np.full`` for strings)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def as_strings(values: np.ndarray):
    """An object array of strings as the array pandas makes of it (``str`` from pandas 3)."""
    if _STR_DTYPE is not object and values.dtype == object:
        return pd.array(values, dtype=_STR_DTYPE)
    return values


def _concat(arrays: list):
    """Concatenate NumPy arrays or pandas extension arrays of one type."""
    if isinstance(arrays[0], np.ndarray):
        return np.concatenate(arrays)
    return type(arrays[0])._concat_same_type(arrays)


def frame(columns: dict, names: list[str]) -> pd.DataFrame:
    """A DataFrame of column arrays, string columns made the dtype pandas infers for them.

    The same table as ``pd.DataFrame(columns, columns=names)``, built without the copy
    and the per-column inference.
    """
    columns = {k: as_strings(v) if isinstance(v, np.ndarray) else v for k, v in columns.items()}
    return pd.DataFrame(columns, columns=names, copy=False)


def suggestion_ids(n: int) -> list[str]:
    """``S00001`` … for ``n`` rows (the strings are made once and kept; documents coded in
    several threads at once share them).

    Examples
    --------
    >>> suggestion_ids(2)
    ['S00001', 'S00002']
    """
    if len(_IDS) < n:
        with _IDS_LOCK:
            _IDS.extend([f"S{i + 1:05d}" for i in range(len(_IDS), n)])
    return _IDS[:n]


def empty_suggestions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS})


def empty_unmatched() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in UNMATCHED_COLUMNS})


def join_labels(group: np.ndarray, label: np.ndarray, n_groups: int,
                labels: np.ndarray, semi: np.ndarray | None = None) -> np.ndarray:
    """``;``-joined distinct labels per group, in order of first appearance; "" for none.

    Vectorised: the k-th label of every group is appended in one object-array
    operation, for k = 0, 1, … (groups rarely hold more than a few labels).
    ``semi`` holds each label with a leading ``;`` (made here if not given).

    Examples
    --------
    >>> labels = np.array(["a", "b", "c"], dtype=object)
    >>> join_labels(np.array([0, 0, 1, 0]), np.array([2, 0, 1, 2]), 3, labels).tolist()
    ['c;a', 'b', '']
    """
    out = filled(n_groups, "")
    if not len(group):
        return out
    _, first = np.unique(group * len(labels) + label, return_index=True)
    first.sort()
    group, label = group[first], label[first]
    order = np.argsort(group, kind="stable")
    group, label = group[order], label[order]
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(group)]])))
    first_label = rank == 0
    out[group[first_label]] = labels[label[first_label]]
    if len(rank) and rank.max() > 0:
        if semi is None:
            semi = np.array([";" + x for x in labels.tolist()], dtype=object)
        for k in range(1, int(rank.max()) + 1):
            sel = rank == k
            out[group[sel]] = out[group[sel]] + semi[label[sel]]
    return out


def _merge_rows(rows, n_prov: int, n_code: int, labels, semi):
    """One row per (clause, province, code), in order of first appearance: which keyword
    rows go to which, and the flags, keywords and cities of each."""
    r_clause, r_prov, r_code, r_label, r_own, r_direct, r_city, prov_id = rows
    key = (r_clause * n_prov + prov_id) * n_code + r_code
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")        # keys in order of first appearance
    rank = np.empty(len(uniq), np.int64)
    rank[order] = np.arange(len(uniq))
    row_key = rank[inverse]
    n = len(uniq)
    own = np.zeros(n, bool)
    direct = np.zeros(n, bool)
    np.logical_or.at(own, row_key, r_own)
    np.logical_or.at(direct, row_key, r_direct)
    keywords = join_labels(row_key, r_label, n, labels, semi)
    _, pair_first = np.unique(row_key * len(labels) + r_label, return_index=True)
    n_keywords = np.bincount(row_key[pair_first], minlength=n)
    has_city = r_city != ""
    city_names, city_id = np.unique(r_city[has_city].astype(str), return_inverse=True) \
        if has_city.any() else (np.empty(0, dtype=object), np.empty(0, np.int64))
    cities = join_labels(row_key[has_city], city_id, n, city_names.astype(object))
    return first[order], own, direct, keywords, n_keywords, cities


def suggestion_columns(coder, text, rows, doc_id, starts, ends, paragraph, base, line0,
                       cp) -> dict | None:
    """Column arrays of one block's suggestions, from its keyword rows (None for none).

    Confidence is 0.6 when province and keyword share a clause, 0.4 when the actor is
    carried over, +0.1 for each further distinct keyword of the same code, −0.1 when the
    province is known only through a city or place, clipped to [0.05, 0.95].
    """
    from .matcher import occurrences

    r_clause, r_prov, r_code, _, _, _, _, prov_id = rows
    if not len(r_clause):
        return None
    src, own, direct, keywords, n_keywords, cities = _merge_rows(
        rows, len(coder._province_index), len(coder._code_ids), coder._labels_arr,
        coder._labels_semi)
    c_arr, code, prov = r_clause[src], r_code[src], r_prov[src]
    confidence = np.where(own, 0.6, 0.4) + 0.1 * (n_keywords - 1) - np.where(direct, 0, 0.1)
    clauses, where = np.unique(c_arr, return_inverse=True)
    quote_of = [text[a:b] for a, b in zip(starts[clauses].tolist(), ends[clauses].tolist())]
    # markers hold no delimiter or space, so a match never straddles two clauses
    marks = occurrences(cp, FIRST_MOVER_MARKERS)
    mover_of = (np.searchsorted(marks, starts[clauses])
                < np.searchsorted(marks, ends[clauses])).astype(np.intp)
    same = np.zeros(len(code), np.intp)
    words = coder._strings
    p_id = prov_id[src]
    return {
        "doc_id": as_strings(np.array([doc_id], dtype=object)).take(same),
        "province": words["province"].take(p_id) if (p_id >= 0).all() else as_strings(prov),
        "city": as_strings(np.where(direct, "", cities).astype(object)),
        **{name: words[name].take(code)
           for name in ("pillar", "theme", "code", "instrument", "instrument_type")},
        "quote": as_strings(np.array(quote_of, dtype=object)).take(where.ravel()),
        "start": starts[c_arr] + base,
        "end": ends[c_arr] + base,
        "paragraph": paragraph[c_arr] + line0,
        "summary_en": words[""].take(same),
        "target": words[""].take(same),
        "first_mover": words["false/true"].take(mover_of[where.ravel()]),
        "coder": words["npstudy-coder"].take(same),
        "note": words[""].take(same),
        "statement": words[""].take(same),  # statement ids and scope are the reviewer's
        "scope": words[""].take(same),
        "keywords": as_strings(keywords),
        "confidence": np.round(np.clip(confidence, 0.05, 0.95), 2),
        "decision": words[""].take(same),
    }


def suggestion_frame(parts: list, doc_id: str) -> pd.DataFrame:
    """One suggestions table from the column arrays of each block (see
    :func:`suggestion_columns`), numbered ``S00001`` … within the document."""
    parts = [part for part in parts if part is not None]
    if not parts:
        return empty_suggestions()
    columns = {name: _concat([part[name] for part in parts]) for name in parts[0]}
    columns["id"] = as_strings(np.array(suggestion_ids(len(columns["code"])), dtype=object))
    return frame(columns, SUGGESTION_COLUMNS)
