"""The coder's vocabulary and its one multi-pattern scan.

Provinces, cities, places, actor words and lexicon terms go into **one** leftmost-longest
Aho–Corasick automaton (``ahocorasick_rs``), so that a short name inside a longer one is not
matched (浙江西部 is 浙江, not 江西; 人工智能创新应用先导区 is one keyword). The text is never
rewritten: every width variant of a pattern is added instead, so offsets point into the text
as decoded. This module also finds the matches that the automaton cannot: lists of
one-character abbreviations (苏、皖、豫三省) and news datelines.
"""

from __future__ import annotations

import re
from itertools import chain

import ahocorasick_rs
import numpy as np

from ..dataset import FIRST_MOVER_MARKERS
from ..text import char_table
from .counts import COUNT_SUFFIXES, QUANTIFIER_WORDS

__all__ = ["Matcher", "width_variants", "vocabulary", "abbreviation_lists", "dateline_spans",
           "occurrences", "PROVINCE", "CITY", "KEYWORD", "MOVER", "QUANT", "COUNT", "NATIONAL",
           "SELF", "STOP", "KIND_NAMES", "STOP_WORDS", "AMBIGUOUS_CITY_NAMES"]

#: Kinds of pattern, in the order in which an earlier entry wins.
PROVINCE, CITY, KEYWORD, MOVER, QUANT, COUNT, NATIONAL, SELF, STOP = range(9)
#: Their names, as :meth:`npstudy.coder.Coder.scan` reports them.
KIND_NAMES = ("province", "city", "keyword", "first_mover", "quantifier", "count_suffix",
              "national", "self_reference", "stop")
#: Words that hold a place name but name no place; matched so that the place is not.
STOP_WORDS = ("三明治", "宁德时代", "西安区", "西安路", "北京路", "上海路", "南京路", "天津路", "重庆路",
              "广州路", "长安区")
#: Short city names that are also common words; only their full names are matched.
AMBIGUOUS_CITY_NAMES = frozenset({
    "中山", "大同", "朝阳", "来宾", "北海", "白银", "安康", "阿里", "海西", "海北", "海东",
    "长治", "黄山", "兴安", "白山", "日照", "玉树", "黄南", "山南", "吉安", "普洱", "三沙",
    "海南", "通化", "抚顺", "永州", "宁德", "金昌", "定西", "河池", "玉林", "铜仁",
    # short names that straddle two everyday words: 重大理论, 确保定期, 推广元宇宙, 推广安全,
    # 创新乡村, 四平八稳, 平安顺利, 传承德, 日常德, 集中卫生, 快乐山, 确保山, 投资阳光,
    # 平安庆, 欢庆阳, 盛大庆, 江南平原, 公平凉
    "大理", "保定", "广元", "广安", "新乡", "四平", "安顺", "承德", "常德", "中卫", "乐山",
    "保山", "资阳", "安庆", "庆阳", "大庆", "南平", "平凉",
})
PARTNERS = frozenset({"CN-HK", "CN-MO", "CN-TW"})
_IS_CN_NUMERAL = char_table("一二三四五六七八九十两0123456789")
# News datelines: 新华社杭州1月28日电, 中新网南京3月5日电 (记者 …).
_DATELINE = re.compile(r"(?:新华社|中新社|中新网|人民网|新华网|央视网|央广网|光明网|澎湃新闻|"
                       r"经济日报|人民日报|光明日报|科技日报|本报)?(?:记者)?[ \t\u3000]*[\u4e00-\u9fff]{0,8}"
                       r"[ \t\u3000]*[0-9０-９]{1,2}月[0-9０-９]{1,2}日(?:电|讯)"
                       r"(?:[ \t\u3000]*[（(][^（()）\n]{0,40}[)）])?")       # never across a line


def width_variants(pattern: str) -> set[str]:
    """The pattern with ASCII letters/digits/punctuation in half and full width.

    Examples
    --------
    >>> sorted(width_variants("5G基站"))
    ['5G基站', '５Ｇ基站']
    """
    half = pattern.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    full = half.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    return {pattern, half, full}


class Matcher:
    """Leftmost-longest, non-overlapping multi-pattern search (Rust Aho–Corasick)."""

    backend = "ahocorasick_rs"

    def __init__(self, patterns: list[str]):
        self.patterns = patterns
        self._ac = ahocorasick_rs.AhoCorasick(
            patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    def find(self, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Arrays of pattern index, start and end of every match."""
        hits = self._ac.find_matches_as_indexes(text)
        flat = np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=3 * len(hits))
        arr = flat.reshape(-1, 3)
        return arr[:, 0], arr[:, 1], arr[:, 2]


def _places(add, gazetteer, places, code_index: dict, include_partners: bool) -> None:
    """Add provinces, prefecture-level cities and places (county-level cities, zones …)."""
    for row in gazetteer.provinces.itertuples():
        if row.iso_code in PARTNERS and not include_partners:
            continue
        for name in (row.name_zh, row.short_zh):
            add(name, PROVINCE, (row.iso_code, -1), name)
    for row in gazetteer.cities.itertuples():
        add(row.name_zh, CITY, (row.province, -1), row.short_zh)
        if row.short_zh not in AMBIGUOUS_CITY_NAMES and len(row.short_zh) >= 2:
            add(row.short_zh, CITY, (row.province, -1), row.short_zh)
    for row in places.itertuples():
        implied = code_index.get(row.code, -1)
        # a compound (人才兴皖) or classical name (荆楚) names its province directly; other
        # places are like cities
        kind = PROVINCE if row.kind in ("abbreviation_compound", "literary_name") else CITY
        add(row.name_zh, kind, (row.province, implied), row.short_zh)
        if row.match_short == "true":
            add(row.short_zh, kind, (row.province, implied), row.short_zh)


def _keyword_rules(lexicon, codes, code_index: dict) -> dict[str, list]:
    """``{term: [(code index, required words, excluded words), …]}``; conditional rules first.

    The lexicon comes first: its context rules apply to codebook keywords it lists too.
    """
    rows = [(r.term, r.code, r.requires, r.excludes) for r in lexicon.itertuples()
            if r.kind not in ("negative", "self_reference")]
    rows += [(kw, e.id, "", "") for e in codes for kw in e.keywords]
    rule_of: dict[str, list] = {}
    for term, code, requires, excludes in rows:
        rule = (code_index[code], tuple(w for w in requires.split(";") if w),
                tuple(w for w in excludes.split(";") if w))
        rules = rule_of.setdefault(term, [])
        if rule[0] not in [r[0] for r in rules]:
            rules.append(rule)
    for rules in rule_of.values():
        # unconditional rules last, so that a rule that names its context wins
        rules.sort(key=lambda r: not (r[1] or r[2]))
    return rule_of


def vocabulary(gazetteer, lexicon, places, codes, include_partners: bool = False):
    """Every pattern of the coder, and the keyword rules.

    Returns
    -------
    entries : dict
        ``{pattern: (kind, value, label)}`` in insertion order (provinces first, then places,
        actor words, keywords: an earlier entry wins). ``value`` is ``(province, implied code
        index)`` for places, the rule-set index for keywords, else None.
    rules : list of tuple
        Rule sets: tuples of (code index, required words, excluded words).
    """
    code_index = {e.id: i for i, e in enumerate(codes)}
    entries: dict[str, tuple] = {}

    def add(name: str, kind: int, value, label: str):
        for variant in width_variants(name):
            entries.setdefault(variant, (kind, value, label))

    _places(add, gazetteer, places, code_index, include_partners)
    for row in lexicon.itertuples():
        if row.kind == "negative":
            add(row.term, NATIONAL, None, row.term)
        elif row.kind == "self_reference":
            add(row.term, SELF, None, row.term)
    for word in QUANTIFIER_WORDS:
        add(word, QUANT, None, word)
    for word in STOP_WORDS:
        entries[word] = (STOP, None, word)
    for suffix in COUNT_SUFFIXES:
        add(suffix, COUNT, None, suffix)
    for marker in FIRST_MOVER_MARKERS:
        add(marker, MOVER, None, marker)
    rules = []
    for term, rule_set in _keyword_rules(lexicon, codes, code_index).items():
        rules.append(tuple(rule_set))
        add(term, KEYWORD, len(rules) - 1, term)
    return entries, rules


def _abbreviations_before(text: str, cp: np.ndarray, e: int, abbreviation: dict) -> list[int]:
    """Positions of the abbreviations listed before the 省 or 地 at ``e`` (苏、皖、豫三省),
    last first; [] when fewer than two."""
    k = e - 1
    while k > 0 and _IS_CN_NUMERAL[cp[k - 1]]:
        k -= 1                                  # the number
    if k > 0 and text[k - 1] == "等":
        k -= 1
    found = []
    while k > 0:
        ch = text[k - 1]
        if ch in abbreviation:
            found.append(k - 1)
            k -= 1
        elif ch in "、和与及" and k > 1 and text[k - 2] in abbreviation and found:
            k -= 1
        else:
            break
    return found if len(found) >= 2 else []


def abbreviation_lists(text, cp, idx, mstart, mend, abbreviation: dict):
    """Add the provinces of lists of one-character abbreviations (苏、皖、豫三省; 川渝两地).

    A list is two or more abbreviations (:data:`npstudy.gazetteer.ABBREVIATIONS`),
    joined by nothing or by 、和与及, then an optional 等 and a number with 省, 省份,
    省市, 省区 or 地. Each abbreviation becomes a mention of its province (the pattern
    index ``abbreviation[ch]``); matches inside the list (a count 三省份) are dropped.
    """
    ends = np.flatnonzero((cp == 0x7701) | (cp == 0x5730))        # 省 地
    ends = ends[(ends > 2) & _IS_CN_NUMERAL[cp[np.maximum(ends - 1, 0)]]]
    if not len(ends):
        return idx, mstart, mend
    add_pos, add_idx, spans = [], [], []
    for e in ends.tolist():
        found = _abbreviations_before(text, cp, e, abbreviation)
        if not found:
            continue
        if len(mstart):
            j = np.searchsorted(mstart, found, side="right") - 1
            if ((j >= 0) & (mend[np.maximum(j, 0)] > np.array(found))).any():
                continue                            # 辽宁两地: inside a matched name
        for pos in reversed(found):
            add_pos.append(pos)
            add_idx.append(abbreviation[text[pos]])
        end = e + 1 + (text.startswith("份", e + 1) or text.startswith("市", e + 1)
                       or text.startswith("区", e + 1))
        spans.append((found[-1], end))
    if not add_pos:
        return idx, mstart, mend
    keep = np.ones(len(idx), bool)
    for lo, hi in spans:
        keep &= ~((mstart < hi) & (mend > lo))
    pos = np.array(add_pos, dtype=np.int64)
    idx = np.concatenate([idx[keep], np.array(add_idx, dtype=np.int64)])
    mstart = np.concatenate([mstart[keep], pos])
    mend = np.concatenate([mend[keep], pos + 1])
    order = np.argsort(mstart, kind="stable")
    return idx[order], mstart[order], mend[order]


def occurrences(cp: np.ndarray, words) -> np.ndarray:
    """Sorted starts of every occurrence of each word in the code points ``cp`` of a text.

    Examples
    --------
    >>> from npstudy.text import code_points
    >>> occurrences(code_points("率先全国率先"), ("率先", "全国")).tolist()
    [0, 2, 4]
    """
    out = []
    # one pass over the text per distinct first character, then the candidates only
    for first in dict.fromkeys(word[0] for word in words):
        candidates = np.flatnonzero(cp == ord(first))
        for word in words:
            if word[0] != first:
                continue
            pos = candidates[candidates <= len(cp) - len(word)]
            for i, ch in enumerate(word[1:], 1):
                pos = pos[cp[pos + i] == ord(ch)]
            out.append(pos)
    return np.sort(np.concatenate(out)) if out else np.empty(0, np.int64)


def dateline_spans(text: str, cp: np.ndarray) -> list[tuple[int, int]]:
    """Spans of news datelines (新华社杭州1月28日电 (记者 …)); found from each 日电/日讯.

    ``cp`` are the code points of ``text`` (:func:`npstudy.text.code_points`).

    Examples
    --------
    >>> from npstudy.text import code_points
    >>> t = "新华社杭州1月28日电 浙江设立基金"
    >>> dateline_spans(t, code_points(t))
    [(0, 11)]
    """
    spans = []
    for pos in occurrences(cp, ("日电", "日讯")).tolist():
        lo = max(text.rfind("\n", 0, pos) + 1, pos - 30)
        for m in _DATELINE.finditer(text, lo, min(len(text), pos + 60)):
            if m.start() <= pos < m.end():
                spans.append((m.start(), m.end()))
                break
    return sorted(spans)


class StraddleMatcher:
    """Instrument terms that a longer keyword swallowed (人工智能**产业**基金).

    The leftmost-longest scan takes 人工智能产业 and never sees 产业基金, which starts inside
    it and runs past its end. This matcher searches only the instrument terms (a fund, a
    zone, a programme: the ``patterns`` given, with their indexes in the main vocabulary)
    in the few characters from just after each keyword's start to a term's length past its
    end, and returns those that straddle the keyword's end.
    """

    def __init__(self, patterns: list[str], indexes: list[int]):
        self.indexes = np.asarray(indexes, dtype=np.int64)
        self.longest = max(map(len, patterns)) if patterns else 0
        self._ac = (ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.Standard)
                    if patterns else None)

    def find(self, text: str, starts: np.ndarray, ends: np.ndarray):
        """(pattern index, start, end) arrays of the terms straddling the end of each [start, end)."""
        out = []
        if self._ac is not None:
            for s, e in zip(starts.tolist(), ends.tolist()):
                lo, hi = s + 1, min(len(text), e + self.longest)
                if hi <= e:
                    continue
                for i, a, b in self._ac.find_matches_as_indexes(text[lo:hi], overlapping=True):
                    if lo + a < e < lo + b:
                        out.append((int(self.indexes[i]), lo + a, lo + b))
                        break
        arr = np.array(out, dtype=np.int64).reshape(-1, 3)
        return arr[:, 0], arr[:, 1], arr[:, 2]

    def add(self, text: str, idx, start, end, keyword):
        """The matches (idx, start, end) plus the terms straddling the end of those where
        ``keyword`` is true, in text order."""
        s_idx, s_start, s_end = self.find(text, start[keyword], end[keyword])
        if not len(s_idx):
            return idx, start, end
        idx, start, end = (np.concatenate([idx, s_idx]), np.concatenate([start, s_start]),
                           np.concatenate([end, s_end]))
        order = np.argsort(start, kind="stable")
        return idx[order], start[order], end[order]
