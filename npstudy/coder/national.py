"""National statements: which national-scope words are subjects, and passive designations.

- **National statements.** National-scope words (全国, 国务院, 国家 …, the lexicon's
  ``negative`` terms) are subjects whose keywords go to nobody, unless they only say where
  or how far (在全国率先, 居全国前列, 全国首个, 全国性, 依托全国碳市场): those are dropped.
- **Passive designations.** 经国家批复, 被确定为 … make their comma segment a national act,
  unless the designation is a pilot or demonstration the province then runs.
"""

from __future__ import annotations

import numpy as np

from ..text import char_table

__all__ = ["PASSIVE_NATIONAL", "PILOT_WORDS", "NATIONAL_NOT_AFTER", "NATIONAL_NOT_BEFORE",
           "national_subjects", "is_pilot_segment"]

#: National words that make their comma segment a national act (经国家批复, 被确定为): no
#: keyword of that segment is credited to a province, and they are no subject beyond it.
PASSIVE_NATIONAL = frozenset({"经国家批复", "经国务院批复", "经国家批准", "被确定为"})
#: ... except when the designation is a pilot or demonstration that the province then runs.
PILOT_WORDS = ("试点", "试验区", "示范区", "先行区", "先导区", "示范城市")
# Characters around a national marker that make it no subject: 在全国率先, 居全国前列,
# 全国首个, 全国性, 全国人大, 依托全国碳市场, 纳入全国….
NATIONAL_NOT_AFTER = set("在居于向为到比占从全各与同和及、的托入接")   # …, 依托, 纳入, 对接
_IS_NATIONAL_NOT_AFTER = char_table("".join(NATIONAL_NOT_AFTER))
NATIONAL_NOT_BEFORE = ("首", "第", "领先", "前列", "率先", "唯一", "最", "性", "范围", "人大",
                       "政协", "两会", "平均", "层面", "一盘棋", "推广", "复制", "示范")


def national_subjects(cp: np.ndarray, a: np.ndarray, b: np.ndarray, clause_start: np.ndarray,
                      prev_end: np.ndarray) -> np.ndarray:
    """Whether national-scope words at [a, b) are subjects (全国…, 国务院印发…), for arrays of matches.

    Not when the character before is one of :data:`NATIONAL_NOT_AFTER` (在全国, 依托全国) or
    another match ends right before (``prev_end == a``), inside a clause starting at
    ``clause_start``; not when one of :data:`NATIONAL_NOT_BEFORE` follows (全国首个, 全国性).
    """
    n = len(cp)
    after = (a > clause_start) & (_IS_NATIONAL_NOT_AFTER[cp[np.maximum(a - 1, 0)]] | (prev_end == a))
    before = np.zeros(len(a), bool)
    for word in NATIONAL_NOT_BEFORE:
        hit = b + len(word) <= n
        for i, ch in enumerate(word):
            hit &= cp[np.minimum(b + i, n - 1)] == ord(ch)
        before |= hit
    return ~(after | before)


def is_pilot_segment(segment: str) -> bool:
    """Whether a passive designation's segment names a pilot the province runs.

    Examples
    --------
    >>> is_pilot_segment("经国务院批复设立自贸试验区"), is_pilot_segment("经国家批复建设实验室")
    (True, False)
    """
    return any(w in segment for w in PILOT_WORDS)
