"""Context rules: a lexicon keyword with ``requires``/``excludes`` words counts only when the
words near it hold one of the required words and none of the excluded ones.

*Near* is the keyword's comma segment and one segment on each side (:func:`rule_windows`), not
the whole sentence: in a long sentence of targets or sectors, a required word three clauses
away says nothing about the keyword (先导区 in 科技自立自强先导区 is no future-industry zone
because 产业 appears elsewhere in the sentence).
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["alternation", "decider", "rule_windows", "decide_rules_near",
           "RULE_REACH"]


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


COMMAS = "，,：:"
#: How many comma segments on each side of a keyword's own segment its context rule reads.
RULE_REACH = 1
#: ... and at most this many characters on each side, so that a text without commas does not
#: make every rule read the whole clause.
MAX_REACH = 200


def rule_windows(text: str, pos: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 reach: int = RULE_REACH) -> tuple[np.ndarray, np.ndarray]:
    """The comma segments of ``text[lo:hi]`` around each position ``pos``: its own segment
    and ``reach`` segments on each side, at most :data:`MAX_REACH` characters either way;
    for arrays of positions and clause bounds, with one search of the text's commas.

    Examples
    --------
    >>> t = "甲，乙丙，丁，戊"
    >>> a, b = rule_windows(t, np.array([2, 7]), np.array([0, 0]), np.array([8, 8]))
    >>> [t[x:y] for x, y in zip(a.tolist(), b.tolist())]
    ['甲，乙丙，丁', '丁，戊']
    """
    commas = np.fromiter((m.start() for m in _COMMA.finditer(text)), dtype=np.int64)
    i = np.searchsorted(commas, pos, side="left")      # commas[:i] lie before pos
    n = len(commas)
    before = i - 1 - reach
    start = np.where(before >= 0, commas[np.clip(before, 0, max(n - 1, 0))] + 1 if n else lo, lo)
    start = np.maximum(np.maximum(start, lo), pos - MAX_REACH)
    after = i + reach
    end = np.where(after < n, commas[np.clip(after, 0, max(n - 1, 0))] if n else hi, hi)
    return start, np.minimum(np.minimum(end, hi), pos + MAX_REACH)


_COMMA = re.compile("[" + COMMAS + "]")


def decide_rules_near(deciders, text, k_code, k_rule, k_pos, k_clause, gid, starts, ends):
    """Codes of the keywords whose context rule decides them (``k_code == -2``), in place,
    each read in the window of :func:`rule_windows` around the keyword inside its clause;
    each rule set decides all its keywords in one call."""
    check = np.flatnonzero((gid >= 0) & (k_code == -2))
    if not len(check):
        return
    clause = k_clause[check]
    los, his = rule_windows(text, k_pos[check], starts[clause], ends[clause])
    rules = k_rule[check]
    for r in np.unique(rules).tolist():
        sel = np.flatnonzero(rules == r)
        k_code[check[sel]] = deciders[r](text, los[sel].tolist(), his[sel].tolist())
