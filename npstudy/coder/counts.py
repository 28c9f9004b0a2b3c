"""Counted, unnamed provinces: 9省份, 10余个省份, 多数省份, 多地.

They never become rows of the suggestions: they are returned as *aggregate* suggestions
(columns :data:`AGGREGATE_SUGGESTION_COLUMNS`), with the count read from the number before
the ending, and they stop the actor of their sentence (the keywords after 9省份 go to nobody).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..text import char_table
from .tables import filled, frame

__all__ = ["QUANTIFIER_WORDS", "COUNT_SUFFIXES", "AGGREGATE_SUGGESTION_COLUMNS", "number_start",
           "aggregates", "aggregate_frame", "cn_number", "IS_NUMERAL"]

#: Columns of the aggregate suggestions (counted but unnamed provinces).
AGGREGATE_SUGGESTION_COLUMNS = ["doc_id", "quantifier", "count", "count_is_lower_bound",
                                "quote", "start", "end", "paragraph"]
#: Quantifiers that stand for unnamed provinces ("多数省份"), matched as words.
QUANTIFIER_WORDS = ("多数省份", "多个省份", "许多省份", "部分省份", "不少省份", "一些省份", "多地",
                    "各地", "各省", "各省份", "各省区市")
#: Endings of counted phrases ("9省份", "10余个省份"); the number is read backwards.
COUNT_SUFFIXES = ("省份", "个省份", "余个省份", "余省份", "省区市", "个省区市", "余个省区市")
#: Characters an aggregate's quote keeps either side of its quantifier, within its clause.
QUOTE_WINDOW = 200
_NUMERALS = "0123456789０１２３４５６７８９一二三四五六七八九十两"
#: Whether a code point is a numeral (Arabic in either width, or Chinese).
IS_NUMERAL = char_table(_NUMERALS)
# the value of each Arabic digit (half and full width), -1 for any other character
_DIGIT_VALUE = np.full(0x110000, -1, dtype=np.int64)
_DIGIT_VALUE[0x30:0x3A] = np.arange(10)
_DIGIT_VALUE[0xFF10:0xFF1A] = np.arange(10)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}


def number_start(q_start, is_count, clause_start, cp) -> np.ndarray:
    """Where the number before a count ending ("9省份", "10余个省份") begins.

    Examples
    --------
    >>> from npstudy.text import code_points
    >>> t = "共12省份"
    >>> number_start(np.array([3]), np.array([True]), np.array([0]), code_points(t)).tolist()
    [1]
    """
    begin = q_start.copy()
    for _ in range(8):  # numbers of up to eight characters
        step = is_count & (begin > clause_start) & IS_NUMERAL[cp[np.maximum(begin - 1, 0)]]
        if not step.any():
            break
        begin -= step
    return begin


def _arabic_counts(begin, q_start, rows, cp):
    """Values of Arabic numbers before the count endings ``rows``, and which are all Arabic."""
    b0, length = begin[rows], q_start[rows] - begin[rows]
    value = np.zeros(len(rows), np.int64)
    arabic = np.ones(len(rows), bool)
    for j in range(int(length.max())):
        more = j < length
        d = _DIGIT_VALUE[cp[np.minimum(b0 + j, len(cp) - 1)]]
        arabic &= ~more | (d >= 0)
        value = np.where(more, value * 10 + np.maximum(d, 0), value)
    return value, arabic


def aggregates(text, begin, q_start, q_end, is_count, k, starts, ends, newlines, cp,
               base, line0) -> dict:
    """Column arrays of the aggregate suggestions of one block (see :func:`aggregate_frame`).

    ``begin``/``q_start``/``q_end``: where each quantifier's number, ending and match end
    are; ``is_count``: a counted ending (not a word such as 多地); ``k``: its clause.
    """
    counts = np.zeros(len(begin), np.int64)
    missing = ~is_count
    lower = np.zeros(len(begin), bool)
    rows = np.flatnonzero(is_count)
    if len(rows):
        # the number before 省份: Arabic digits (half or full width) with array operations,
        # Chinese numerals (十余个省份) one by one
        counts[rows], arabic = _arabic_counts(begin, q_start, rows, cp)
        lower[rows] = cp[np.minimum(q_start[rows], len(cp) - 1)] == ord("余")
        for i in rows[~arabic].tolist():
            count = cn_number(text[begin[i]:q_start[i]])
            if count is None:
                missing[i] = True
            else:
                counts[i] = count
    # the quote is the quantifier's clause, cut to QUOTE_WINDOW characters either side of it:
    # a clause of thousands of characters (a text with no punctuation) repeated on every row
    # would make the output grow with the square of the input
    a = np.maximum(starts[k], begin - QUOTE_WINDOW)
    b = np.minimum(ends[k], q_end + QUOTE_WINDOW)
    spans, row = np.unique(np.stack([a, b], axis=1), axis=0, return_inverse=True)
    quotes = np.array([text[x:y] for x, y in spans.tolist()], dtype=object)
    return {
        "quantifier": np.array([text[x:y] for x, y in zip(begin.tolist(), q_end.tolist())],
                               dtype=object),
        "count": counts, "missing": missing,
        "count_is_lower_bound": lower,
        "quote": quotes[row.ravel()] if len(k) else np.empty(0, dtype=object),
        "start": a + base, "end": b + base,
        "paragraph": np.searchsorted(newlines, starts[k], side="right") + line0,
    }


def aggregate_frame(parts: list[dict], doc_id: str) -> pd.DataFrame:
    """The aggregate suggestions of a document from the column arrays of its blocks."""
    col = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    n = len(col["count"])
    columns = {"doc_id": filled(n, doc_id), "quantifier": col["quantifier"],
               "count": pd.arrays.IntegerArray(col["count"], col["missing"]),
               "count_is_lower_bound": col["count_is_lower_bound"], "quote": col["quote"],
               "start": col["start"], "end": col["end"], "paragraph": col["paragraph"]}
    return frame(columns, AGGREGATE_SUGGESTION_COLUMNS)


def cn_number(s: str) -> int | None:
    """The value of a Chinese numeral up to 99 (三, 十二, 二十, 二十三); None otherwise.

    Examples
    --------
    >>> [cn_number(s) for s in ("三", "十二", "二十", "二十三", "百")]
    [3, 12, 20, 23, None]
    """
    if s in _CN_DIGITS:
        return _CN_DIGITS[s]
    if len(s) == 2 and s[0] == "十" and s[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 2 and s[1] == "十" and s[0] in _CN_DIGITS:
        return 10 * _CN_DIGITS[s[0]]
    if len(s) == 3 and s[1] == "十":
        return 10 * _CN_DIGITS.get(s[0], 0) + _CN_DIGITS.get(s[2], 0)
    return None
