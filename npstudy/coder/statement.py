"""Whether a clause states something a province does: the statement rules.

- **National statements.** National-scope words (全国, 国务院, 国家 …, the lexicon's
  ``negative`` terms) are subjects whose keywords go to nobody, unless they only say where
  or how far (在全国率先, 居全国前列, 全国首个, 全国性, 依托全国碳市场): those are dropped.
- **Passive designations.** 经国家批复, 被确定为 … make their comma segment a national act,
  unless the designation is a pilot or demonstration the province then runs.
- **Context rules.** A keyword with ``requires``/``excludes`` words in the lexicon counts
  only when its sentence holds one of the required words and none of the excluded ones.
"""

from __future__ import annotations

import re

import numpy as np

from ..text import char_table

__all__ = ["PASSIVE_NATIONAL", "PILOT_WORDS", "NATIONAL_NOT_AFTER", "NATIONAL_NOT_BEFORE",
           "national_subjects", "is_pilot_segment", "alternation", "decider", "decide_rules"]

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


def alternation(words) -> re.Pattern | None:
    """A compiled regular expression matching any of ``words``; None for no words."""
    return re.compile("|".join(map(re.escape, words))) if words else None


def _single(code, req, exc):
    """The decider of a rule set of one rule: at most two searches per sentence."""
    if req is not None and exc is not None:
        r, x = req.search, exc.search
        return lambda text, los, his: [code if r(text, lo, hi) and not x(text, lo, hi) else -1
                                       for lo, hi in zip(los, his)]
    if req is not None:
        r = req.search
        return lambda text, los, his: [code if r(text, lo, hi) else -1
                                       for lo, hi in zip(los, his)]
    if exc is not None:
        x = exc.search
        return lambda text, los, his: [-1 if x(text, lo, hi) else code
                                       for lo, hi in zip(los, his)]
    return lambda text, los, his: [code] * len(los)


def decider(rules):
    """A function giving, for sentences ``text[lo:hi]``, the code of the first satisfied rule.

    Each rule is (code, required words, excluded words), the words as compiled
    alternations (None for none). The function takes the text and lists of sentence
    starts and ends and returns a list of codes, -1 where no rule holds. A single rule,
    the common case, gets a function of its own.

    Examples
    --------
    >>> d = decider([(3, alternation(["基金"]), alternation(["报告"]))])
    >>> d("设立基金。基金报告。", [0, 5], [5, 10])
    [3, -1]
    """
    if len(rules) == 1:
        return _single(*rules[0])

    def decide(text, lo, hi):
        for code, req, exc in rules:
            if req is not None and req.search(text, lo, hi) is None:
                continue
            if exc is not None and exc.search(text, lo, hi) is not None:
                continue
            return code
        return -1
    return lambda text, los, his: [decide(text, lo, hi) for lo, hi in zip(los, his)]


def decide_rules(deciders, text, k_code, k_rule, k_sentence, gid, starts, ends, sentence):
    """Codes of the keywords whose context rule decides them (``k_code == -2``), in place.

    Only keywords with an actor (``gid >= 0``) are decided, once per rule set and sentence;
    ``k_sentence`` is each keyword's sentence, ``starts``/``ends``/``sentence`` the clauses.
    """
    check = np.flatnonzero((gid >= 0) & (k_code == -2))
    if not len(check):
        return
    c_sent = k_sentence[check]
    key = k_rule[check] * (int(sentence[-1]) + 1) + c_sent
    uniq, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    u_sent = c_sent[first]
    u_lo = starts[np.searchsorted(sentence, u_sent, side="left")].tolist()
    u_hi = ends[np.searchsorted(sentence, u_sent, side="right") - 1].tolist()
    # keys sort by rule set: each rule set decides its run of sentences in one call
    u_rule = k_rule[check][first]
    run = np.flatnonzero(np.concatenate([[True], u_rule[1:] != u_rule[:-1], [True]]))
    decided = []
    for r0, r1, r in zip(run[:-1].tolist(), run[1:].tolist(), u_rule[run[:-1]].tolist()):
        decided += deciders[r](text, u_lo[r0:r1], u_hi[r0:r1])
    k_code[check] = np.array(decided, dtype=np.int64)[inverse.ravel()]
