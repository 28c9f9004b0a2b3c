"""Suggest codings for new Chinese text, and evaluate them against a hand coding.

The automatic coder finds provinces (full names, short names, prefecture- and
county-level cities, new areas and zones, self-references such as 我省) and the
terms of the lexicon (``data/lexicon.csv``) with **one** multi-pattern scan of the
whole text, and proposes one row per (clause, province, code) in the practices
schema, with the evidence clause, its offsets, the matched keywords and a
confidence score. Sentences that name a province but give no row are listed as
*unmatched*, with the reason. Reading and splitting the text live in
:mod:`npstudy.text`; the vocabulary in :mod:`npstudy.lexicon`; review and merge in
:mod:`npstudy.workspace`.

Design choices, each tested:

- **Leftmost-longest matching** over provinces, places and terms together, so
  that a short name inside a longer one is not matched (浙江西部 is 浙江, not 江西;
  人工智能创新应用先导区 is one keyword, not 先导区).
- **No rewriting of the text.** Instead of normalising full-width characters,
  every width variant of a pattern is added to the matcher, so offsets always
  point into the text exactly as decoded from the file; datelines are skipped,
  not deleted.
- **Context rules** decide ambiguous terms from the words of their sentence.
- **Who acts** is decided per clause (see :meth:`Coder.code`): locations, partners
  and national statements are not actors; the actor carries over within a
  paragraph.
- **Counted, unnamed provinces** (9省份, 多数省份, 10余个省份, 多地) never become rows;
  they are returned as aggregate suggestions.
- **Hong Kong, Macao and Taiwan** are treated as partners, not actors (coding rule
  R4), unless ``include_partners=True``.
- **Traditional characters** are not converted: the gazetteer and keywords are in
  Simplified Chinese, so 廣東 or 碳足跡 are not found. :func:`code_text` reports a
  warning when a text looks Traditional.
- **Bounded memory, two threads.** Long texts are cut at line breaks into blocks of
  equal size, at most a million characters each, which two threads scan and code at
  once (the scan and most array work release the GIL); the actor never carries
  across a line, and what 我省 means without ``province`` is worked out for the whole
  text, so blocks give the same rows as one pass.

The matcher is ``ahocorasick_rs`` (Rust Aho–Corasick, leftmost-longest), chosen by
measurement over Python's ``re`` and ``pyahocorasick`` (``benchmarks/``).
"""

from __future__ import annotations

import gc
import os
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import ahocorasick_rs
import numpy as np
import pandas as pd

from .codebook import Codebook
from .dataset import (FIRST_MOVER_MARKERS, PRACTICE_COLUMNS, check_doc_id, load_codebook,
                      load_practices)
from .fileio import CodingError
from .gazetteer import ABBREVIATIONS, Gazetteer, load_gazetteer
from .text import char_table, clause_layout, code_points, read_document, text_warnings

__all__ = [
    "Coder",
    "CodingResult",
    "code_text",
    "code_file",
    "unmatched_sentences",
    "evaluate",
    "SUGGESTION_COLUMNS",
    "AGGREGATE_SUGGESTION_COLUMNS",
    "UNMATCHED_COLUMNS",
    "QUANTIFIER_WORDS",
    "AMBIGUOUS_CITY_NAMES",
]

#: Columns of a suggestions file: the practices schema plus review columns.
SUGGESTION_COLUMNS = PRACTICE_COLUMNS + ["keywords", "confidence", "decision"]
#: Columns of the aggregate suggestions (counted but unnamed provinces).
AGGREGATE_SUGGESTION_COLUMNS = ["doc_id", "quantifier", "count", "count_is_lower_bound",
                                "quote", "start", "end", "paragraph"]
#: Quantifiers that stand for unnamed provinces ("多数省份"), matched as words.
QUANTIFIER_WORDS = ("多数省份", "多个省份", "许多省份", "部分省份", "不少省份", "一些省份", "多地",
                    "各地", "各省", "各省份", "各省区市")
# Endings of counted phrases ("9省份", "10余个省份"); the number is read backwards.
_COUNT_SUFFIXES = ("省份", "个省份", "余个省份", "余省份", "省区市", "个省区市", "余个省区市")
_NUMERALS = "0123456789０１２３４５６７８９一二三四五六七八九十两"
# the value of each Arabic digit (half and full width), -1 for any other character
_DIGIT_VALUE = np.full(0x110000, -1, dtype=np.int64)
_DIGIT_VALUE[0x30:0x3A] = np.arange(10)
_DIGIT_VALUE[0xFF10:0xFF1A] = np.arange(10)
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
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
_IS_NUMERAL = char_table(_NUMERALS)
_IS_CN_NUMERAL = char_table("一二三四五六七八九十两0123456789")


# ------------------------------------------------------------------------ matcher

def _width_variants(pattern: str) -> set[str]:
    """The pattern with ASCII letters/digits/punctuation in half and full width."""
    half = pattern.translate({c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)})
    full = half.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    return {pattern, half, full}


class _Matcher:
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


# --------------------------------------------------------------------------- coder

_PROVINCE, _CITY, _KEYWORD, _MOVER, _QUANT, _COUNT, _NATIONAL, _SELF, _STOP = range(9)
_SUBJECT_NAMES = ("actor", "national", "count")
#: Words that hold a place name but name no place; matched so that the place is not.
STOP_WORDS = ("三明治", "宁德时代")
#: Columns of the unmatched output: sentences that name a province but gave no suggestion.
UNMATCHED_COLUMNS = ["doc_id", "provinces", "quote", "start", "end", "paragraph", "reason"]
#: Characters that, right before a province, make it the place where another actor acts
#: ("华为在贵州建设…", "落户安徽"), when the clause already has a subject before them.
LOCATION_CUES = ("落户于", "落户", "落地", "位于", "布局于", "在", "于", "赴", "到", "从")
#: Words before a province that make it a partner of the subject ("浙江与四川签署…").
PARTNER_CUES = ("对口支援", "对口帮扶", "对口协作", "对口合作", "援建", "支援", "帮扶", "联合",
                "携手", "与", "同", "跟", "和")
#: Words after 与/同/和/跟 + province that make the province a comparison (与浙江相比).
_COMPARISON_WORDS = ("相比", "相较", "比较", "差距")
#: Words after a partner cue that confirm cooperation rather than a list ("与…合作").
COOPERATION_WORDS = ("合作", "共建", "签署", "签约", "协作", "对接", "共同", "携手", "结对",
                     "联动", "协同", "帮扶", "支援", "援建", "对口")
# Characters around a national marker that make it no subject: 在全国率先, 居全国前列,
# 全国首个, 全国性, 全国人大, 依托全国碳市场, 纳入全国….
# the last characters of every location or partner cue: only mentions after one need a look
_CUE_LAST = frozenset(w[-1] for w in LOCATION_CUES + PARTNER_CUES)
_IS_CUE_LAST = char_table("".join(_CUE_LAST))
#: Characters that join names into one list (山东、广东和福建).
_JOINERS = "、,，和与及"
_IS_JOINER = char_table(_JOINERS)
_STRONG_PARTNER_CUES = ("对口支援", "对口帮扶", "对口协作", "对口合作", "援建", "支援", "帮扶")
_NATIONAL_NOT_AFTER = set("在居于向为到比占从全各与同和及、的托入接")   # …, 依托, 纳入, 对接
_IS_NATIONAL_NOT_AFTER = char_table("".join(_NATIONAL_NOT_AFTER))
_NATIONAL_NOT_BEFORE = ("首", "第", "领先", "前列", "率先", "唯一", "最", "性", "范围", "人大",
                        "政协", "两会", "平均", "层面", "一盘棋", "推广", "复制", "示范")
# Time words and connectors that may precede 在 without being a subject (近年来在江苏,…).
_NOT_SUBJECT = re.compile(r"^(?:[\s，,、]|近年来|近年|目前|当前|如今|今年|去年|明年|此外|同时|其中|"
                          r"另外|与此同时|截至|此后|随后|之后|以来|期间|上半年|下半年|前三季度|"
                          r"[0-9０-９一二三四五六七八九十]+(?:年|月|日|季度)(?:底|末|初)?)*$")
# (以来 is an alternative of its own, not also an ending of a date: one way to read a prefix
# keeps the match linear in its length)
# News datelines: 新华社杭州1月28日电, 中新网南京3月5日电 (记者 …).
_DATELINE = re.compile(r"(?:新华社|中新社|中新网|人民网|新华网|央视网|央广网|光明网|澎湃新闻|"
                       r"经济日报|人民日报|光明日报|科技日报|本报)?(?:记者)?[ \t\u3000]*[\u4e00-\u9fff]{0,8}"
                       r"[ \t\u3000]*[0-9０-９]{1,2}月[0-9０-９]{1,2}日(?:电|讯)"
                       r"(?:[ \t\u3000]*[（(][^（()）\n]{0,40}[)）])?")       # never across a line
_SELF_LAST_NAMED = ("该省", "该市", "该区", "该自治区", "当地")
#: National words that make their comma segment a national act (经国家批复, 被确定为): no
#: keyword of that segment is credited to a province, and they are no subject beyond it.
PASSIVE_NATIONAL = frozenset({"经国家批复", "经国务院批复", "经国家批准", "被确定为"})
# ... except when the designation is a pilot or demonstration that the province then runs
_PILOT_WORDS = ("试点", "试验区", "示范区", "先行区", "先导区", "示范城市")


# Prepositions that open a fronted phrase before the subject (依托…，浙江…).
_FRONTING = ("依托", "围绕", "聚焦", "通过", "按照", "为了", "为", "在", "针对", "面向", "以", "坚持",
             "对标", "借助", "基于", "立足", "根据", "结合", "对于", "对", "把", "将", "瞄准", "紧扣",
             "着眼", "锚定", "作为", "随着", "近年来", "目前", "当前", "今年", "去年")


def _fronted(text: str, cs: int, pos: int, subject: int) -> bool:
    """Whether a keyword at ``pos`` may belong to a subject after it in the same clause.

    Yes within one comma segment (概念验证中心由江苏布局); across a comma only when the
    keyword's segment opens with a fronting preposition (依托算力中心，浙江…).
    """
    seg = max(text.rfind("，", cs, pos), text.rfind(",", cs, pos), text.rfind("：", cs, pos)) + 1
    seg = max(seg, cs)
    between = text[pos:subject]
    if "，" not in between and "," not in between:
        return True
    head = text[seg:pos].lstrip("　 ，,")
    return head.startswith(_FRONTING) or bool(_NOT_SUBJECT.match(text[seg:pos]))


#: Nouns for actors that are not the government: a province's firms, banks, universities.
FIRM_NOUNS = ("企业", "公司", "集团", "银行", "金融机构", "高校", "大学", "院所", "厂商", "工厂", "车企",
              "药企", "客户", "投资者", "企业家", "业主")


# Heads of a noun phrase after 的 that make the province the one acting (上海的方案, 江苏的做法).
_POLICY_HEADS = ("方案", "政策", "做法", "经验", "举措", "计划", "规划", "文件", "部门", "政府", "工作",
                 "目标", "任务", "行动", "改革", "试点", "平台", "基金")


def _group_end(text: str, n_start: list, n_end: list, n_kind: list, m: int, j: int) -> int:
    """The end of the list of names that starts with match ``m`` (山东、广东和福建)."""
    end = n_end[m]
    for k in range(m + 1, j):
        if n_kind[k] not in (_PROVINCE, _CITY):
            break
        if n_start[k] == end or (n_start[k] == end + 1 and text[end] in _JOINERS):
            end = n_end[k]
        else:
            break
    return end


def _owns_firms(text: str, end: int, ce: int) -> bool:
    """Whether a name ending at ``end`` only says whose firms act (江苏的一些高校, 合肥等地的企业).

    The noun phrase after 的 must name firms (:data:`FIRM_NOUNS`) within 12 characters, with no
    policy word before them (上海的方案…外贸企业 is the province's plan).
    """
    for link in ("的", "等地的", "等省的", "等省份的", "等城市的", "等市的"):
        if text.startswith(link, end):
            rest = text[end + len(link):min(end + len(link) + 12, ce)]
            for stop in "，,；;、":
                rest = rest.split(stop, 1)[0]
            at = [i for i in (rest.find(noun) for noun in FIRM_NOUNS) if i >= 0]
            return bool(at) and not any(0 <= rest.find(w) < min(at) for w in _POLICY_HEADS)
    return False


def _segment(text: str, a: int, cs: int, ce: int) -> tuple[int, int]:
    """The comma-delimited part of clause [cs, ce) around position ``a``."""
    lo = max(text.rfind("，", cs, a), text.rfind(",", cs, a), text.rfind("：", cs, a)) + 1
    hi = [x for x in (text.find("，", a, ce), text.find(",", a, ce), text.find("：", a, ce)) if x >= 0]
    return max(lo, cs), min(hi) if hi else ce


@dataclass
class CodingResult:
    """What :meth:`Coder.code` found in one document.

    ``unmatched`` lists every sentence that names a province (or resolves one through
    我省, 该省 …) but yields no suggestion, with the reason, so that a reviewer sees what
    the coder dropped (columns :data:`UNMATCHED_COLUMNS`).
    """

    suggestions: pd.DataFrame
    aggregates: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    unmatched: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype=object) for c in UNMATCHED_COLUMNS}))


class Coder:
    """Automatic coder built from a codebook, a lexicon and a gazetteer.

    Parameters
    ----------
    codebook : Codebook, optional
    gazetteer : Gazetteer, optional
    include_partners : bool, default False
        Code Hong Kong, Macao and Taiwan as actors (rule R4 treats them as partners).
    lexicon : pandas.DataFrame, optional
        Terms, codes and context rules (:func:`npstudy.lexicon.load_lexicon`); the
        shipped ``lexicon.csv`` by default. Codebook keywords are always included.
    places : pandas.DataFrame, optional
        County-level cities, new areas, zones and abbreviation compounds
        (:func:`npstudy.lexicon.load_places`); the shipped ``places.csv`` by default.
    block_chars : int
        Long texts are coded in blocks of at most about this many characters, cut at
        line breaks into equal parts, so that memory stays bounded; two threads code
        the blocks at once (the actor never carries across a line).

    Examples
    --------
    >>> coder = Coder()
    >>> r = coder.code("山东、广东获批筹建国家碳计量中心。", doc_id="demo")
    >>> r.suggestions[["province", "code", "keywords"]].values.tolist()
    [['CN-SD', 'green.carbon_accounting.carbon_metrology', '国家碳计量中心'], ['CN-GD', 'green.carbon_accounting.carbon_metrology', '国家碳计量中心']]
    """

    def __init__(self, codebook: Codebook | None = None, gazetteer: Gazetteer | None = None,
                 include_partners: bool = False, lexicon: pd.DataFrame | None = None,
                 places: pd.DataFrame | None = None, block_chars: int = 1_000_000):
        from .lexicon import load_lexicon, load_places

        self.codebook = codebook if codebook is not None else load_codebook()
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.block_chars = int(block_chars)
        codes = self.codebook.entries("code")
        code_index = {e.id: i for i, e in enumerate(codes)}
        if lexicon is None:
            lexicon = load_lexicon(codes=set(code_index))
        if places is None:
            places = load_places()
        # rules[r] = tuple of (code index, requires, excludes); keyword patterns point at r
        self._rules: list[tuple] = []
        rule_of: dict[str, list] = {}
        entries: dict[str, tuple[int, object, str]] = {}

        def add(name: str, kind: int, value, label: str):
            for variant in _width_variants(name):
                # provinces first, then places, actor words, keywords: an earlier entry wins
                entries.setdefault(variant, (kind, value, label))

        self._partners = {"CN-HK", "CN-MO", "CN-TW"}
        for row in self.gazetteer.provinces.itertuples():
            if row.iso_code in self._partners and not include_partners:
                continue
            for name in (row.name_zh, row.short_zh):
                add(name, _PROVINCE, (row.iso_code, -1), name)
        for row in self.gazetteer.cities.itertuples():
            add(row.name_zh, _CITY, (row.province, -1), row.short_zh)
            if row.short_zh not in AMBIGUOUS_CITY_NAMES and len(row.short_zh) >= 2:
                add(row.short_zh, _CITY, (row.province, -1), row.short_zh)
        for row in places.itertuples():
            implied = code_index.get(row.code, -1)
            # a compound (人才兴皖) or classical name (荆楚) names its province directly; other
            # places are like cities
            kind = _PROVINCE if row.kind in ("abbreviation_compound", "literary_name") else _CITY
            add(row.name_zh, kind, (row.province, implied), row.short_zh)
            if row.match_short == "true":
                add(row.short_zh, kind, (row.province, implied), row.short_zh)
        for row in lexicon.itertuples():
            if row.kind == "negative":
                add(row.term, _NATIONAL, None, row.term)
            elif row.kind == "self_reference":
                add(row.term, _SELF, None, row.term)
        for word in QUANTIFIER_WORDS:
            add(word, _QUANT, None, word)
        for word in STOP_WORDS:
            entries[word] = (_STOP, None, word)
        for suffix in _COUNT_SUFFIXES:
            add(suffix, _COUNT, None, suffix)
        for marker in FIRST_MOVER_MARKERS:
            add(marker, _MOVER, None, marker)
        # the lexicon first: its context rules apply to codebook keywords it lists too
        keyword_rows = [(r.term, r.code, r.requires, r.excludes) for r in lexicon.itertuples()
                        if r.kind not in ("negative", "self_reference")]
        keyword_rows += [(kw, e.id, "", "") for e in codes for kw in e.keywords]
        for term, code, requires, excludes in keyword_rows:
            rule = (code_index[code], tuple(w for w in requires.split(";") if w),
                    tuple(w for w in excludes.split(";") if w))
            rules = rule_of.setdefault(term, [])
            if rule[0] not in [r[0] for r in rules]:
                rules.append(rule)
        for term, rules in rule_of.items():
            # unconditional rules last, so that a rule that names its context wins
            rules.sort(key=lambda r: not (r[1] or r[2]))
            self._rules.append(tuple(rules))
            add(term, _KEYWORD, len(self._rules) - 1, term)
        self._patterns = list(entries)
        self._kind = np.array([entries[p][0] for p in self._patterns], dtype=np.int64)
        self._value = [entries[p][1] for p in self._patterns]
        self._label = [entries[p][2] for p in self._patterns]
        self._matcher = _Matcher(self._patterns)
        self._longest = max(map(len, self._patterns))
        self._code_ids = [e.id for e in codes]
        self._code_theme = [e.parent for e in codes]
        self._code_pillar = [e.id.split(".", 1)[0] for e in codes]
        inst = [(e.instrument or "/").split("/") for e in codes]
        self._code_category = [i[0] for i in inst]
        self._code_type = [i[1] for i in inst]
        # context rules as compiled alternations: one search per rule and sentence
        self._rule_res = [tuple((code, _alternation(req), _alternation(exc)) for code, req, exc in rs)
                          for rs in self._rules]
        # per rule set, a function of (text, sentence start, sentence end) giving the code
        self._decide = [_decider(rs) for rs in self._rule_res]
        self._province_index = {c: i for i, c in enumerate(self.gazetteer.codes)}
        self._province_lookup = pd.Index(list(self._province_index), dtype=object)
        place = [k in (_PROVINCE, _CITY) for k in self._kind.tolist()]
        self._prov_of = np.array([v[0] if pl else "" for v, pl in zip(self._value, place)], dtype=object)
        self._implied = np.array([v[1] if pl else -1 for v, pl in zip(self._value, place)],
                                 dtype=np.int64)
        self._rule_index = np.array([v if k == _KEYWORD else -1
                                     for k, v in zip(self._kind.tolist(), self._value)], dtype=np.int64)
        # one-character abbreviations point at their province's short-name pattern
        pattern_index = {pat: i for i, pat in enumerate(self._patterns)}
        short = dict(zip(self.gazetteer.provinces["iso_code"], self.gazetteer.provinces["short_zh"]))
        self._abbreviation_pattern = {ch: pattern_index[short[iso]] for iso, ch in ABBREVIATIONS.items()}
        self._passive = np.array([k == _NATIONAL and lab in PASSIVE_NATIONAL
                                  for k, lab in zip(self._kind.tolist(), self._label)], dtype=bool)
        self._label_arr = np.array(self._label, dtype=object)
        self._labels_arr = np.array(sorted(set(self._label)), dtype=object)
        self._labels_semi = np.array([";" + lab for lab in self._labels_arr.tolist()], dtype=object)
        self._label_index = {lab: i for i, lab in enumerate(self._labels_arr.tolist())}
        self._label_id = np.array([self._label_index[lab] for lab in self._label], dtype=np.int64)
        # a keyword's code when it needs no context (-2: check its rules; -1: no keyword)
        self._plain_code = np.array(
            [(self._rules[v][0][0] if len(self._rules[v]) == 1 and not (self._rules[v][0][1] or
                                                                   self._rules[v][0][2]) else -2)
             if k == _KEYWORD else -1 for k, v in zip(self._kind.tolist(), self._value)],
            dtype=np.int64)
        self._strings = {
            "province": _as_strings(np.array(self._province_lookup.tolist(), dtype=object)),
            "": _as_strings(np.array([""], dtype=object)),
            "npstudy-coder": _as_strings(np.array(["npstudy-coder"], dtype=object)),
            "false/true": _as_strings(np.array(["false", "true"], dtype=object))}
        self._strings.update({name: _as_strings(np.array(values, dtype=object)) for name, values in (
            ("pillar", self._code_pillar), ("theme", self._code_theme), ("code", self._code_ids),
            ("instrument", self._code_category), ("instrument_type", self._code_type))})

    @property
    def backend(self) -> str:
        """The matching engine in use."""
        return self._matcher.backend

    def scan(self, text: str) -> pd.DataFrame:
        """Every province, place, keyword and actor-word match: the bare scan.

        Returns
        -------
        pandas.DataFrame
            ``start``, ``end``, ``kind`` (province, city, keyword, first_mover,
            quantifier, count_suffix, national, self_reference) and ``match``
            (the text matched).
        """
        idx, start, end = self._matcher.find(text)
        kinds = np.array(["province", "city", "keyword", "first_mover", "quantifier",
                          "count_suffix", "national", "self_reference", "stop"], dtype=object)
        return pd.DataFrame({"start": start, "end": end, "kind": kinds[self._kind[idx]],
                             "match": [text[s:e] for s, e in zip(start, end)]})

    def code(self, text: str, doc_id: str = "doc", province: str | None = None) -> CodingResult:
        """Suggest codings for a text.

        Parameters
        ----------
        text : str
            The document text (as returned by :func:`read_document`).
        doc_id : str
            Written into every suggestion.
        province : str, optional
            The document's own province (ISO code or name): what 我省, 全省 or
            省委省政府 mean, and the actor of paragraphs that name none (a provincial
            work report). Without it, these resolve to the province last named in
            the paragraph, else to the first province the text names.

        Returns
        -------
        CodingResult
            ``suggestions`` (columns :data:`SUGGESTION_COLUMNS`), ``aggregates``
            (columns :data:`AGGREGATE_SUGGESTION_COLUMNS`), ``unmatched`` (columns
            :data:`UNMATCHED_COLUMNS`) and ``warnings``.

        Notes
        -----
        *Actors.* Provinces, cities, county-level cities, new areas and zones,
        abbreviation compounds (人才兴皖) and lists of abbreviations with a number
        (苏、皖、豫三省) name a province. Those separated only by 、, 和, 与 or 及 form a
        group (山东、广东、福建). A mention is not an actor when it is only a location
        (华为在贵州建设…, with a subject before 在) or an origin (从重庆开来), a partner
        (…与四川签署合作协议), a comparison (与浙江相比), the home of firms (合肥等地的企业),
        or follows a national-scope subject (全国21个自贸试验区及海南自由贸易港; 国家启动…，
        在内蒙古等地布局…). 我省, 全省, 本省, 省委省政府 and provincial agencies (省科技厅)
        resolve to ``province``, else the paragraph's province, else the first province
        the text names; 该省 to the province last named. Datelines (新华社杭州1月28日电)
        are skipped.

        *Attribution.* A keyword goes to the nearest subject before it in its
        clause; if that subject is national (全国, 国务院 …) or a count (9省份),
        to nobody. With no subject before it, it goes to the first actor group
        after it in the clause (依托…,浙江…), and otherwise to the paragraph's
        actor, which carries over from sentence to sentence until another
        province is named (and starts as ``province`` when given). A keyword with
        a context rule counts only when its sentence satisfies the rule.

        Confidence is a ranking aid, not a probability: 0.6 when province and
        keyword share a clause, 0.4 when the actor is carried over, +0.1 for each
        further distinct keyword of the same code (at most 0.95), −0.1 when the
        province is known only through a city or place.
        """
        # the scan makes hundreds of thousands of small tuples, which would set off the
        # cyclic garbage collector again and again; coding creates no reference cycles
        try:
            with _gc_paused():
                return self._code(text, doc_id, province)
        except UnicodeEncodeError:
            # only a str built in Python can hold one: files are decoded strictly
            at = next(i for i, ch in enumerate(text) if "\ud800" <= ch <= "\udfff")
            raise CodingError(f"the text holds an unpaired surrogate ({text[at]!r}) at character "
                              f"{at} – it is not valid Unicode; decode the source strictly or "
                              "remove it") from None

    def _code(self, text: str, doc_id: str, province: str | None) -> CodingResult:
        default = None
        if province:
            default = self.gazetteer.find(province)
            if default is None:
                raise CodingError(f"--province {province!r} is not a province name or ISO code")
        # what 我省, 全市 … mean where the paragraph names no province: the document's own
        # province, else the first province the document names
        first_named = None if default else self._first_named(text)
        frames = ([], [], [])
        # warnings look at the start of the whole text, whatever the blocks
        warnings = text_warnings(code_points(text[:200_000]))
        # blocks of equal size, as many as a multiple of the threads, so that no thread waits
        n_blocks = -(-len(text) // self.block_chars)
        if n_blocks > 1:
            n_blocks = -(-n_blocks // _WORKERS) * _WORKERS
        spans = _blocks(text, n_blocks)
        # each block's paragraph numbers start after the lines of the blocks before it
        line0 = np.cumsum([0] + [text.count("\n", a, b) for a, b in spans[:-1]]).tolist()

        def one(k):
            a, b = spans[k]
            block = text[a:b]
            return self._code_block(block, doc_id, default, a, line0[k], self._matcher.find(block),
                                    first_named=first_named)

        workers = min(_WORKERS, len(spans))
        # blocks are independent (the actor never carries across a line), so two threads
        # code them at once: the scan and most array operations release the GIL. At most
        # workers + 1 blocks are in flight, which bounds memory.
        pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
        try:
            pending = [pool.submit(one, k) for k in range(min(workers + 1, len(spans)))] \
                if pool is not None else []
            for k in range(len(spans)):
                if pool is None:
                    s, g, u = one(k)
                else:
                    s, g, u = pending[k].result()
                    pending[k] = None
                    if k + workers + 1 < len(spans):
                        pending.append(pool.submit(one, k + workers + 1))
                for frame, part in zip(frames, (s, g, u)):
                    frame.append(part)
        finally:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        suggestions = self._suggestion_frame(frames[0], doc_id)
        aggregates = _aggregate_frame(frames[1], doc_id)
        unmatched = pd.DataFrame([(doc_id,) + u for part in frames[2] for u in part],
                                 columns=UNMATCHED_COLUMNS)
        if not len(suggestions) and not len(unmatched) and not default:
            warnings.append("no province or prefecture-level city found in the text")
        return CodingResult(suggestions, aggregates, warnings, unmatched)

    # ------------------------------------------------------------------ one block
    def _code_block(self, text: str, doc_id: str, default: str | None, base: int, line0: int,
                    hits=None, first_named: str | None = None):
        lay = clause_layout(text)
        starts, ends, sentence, newlines, cp = lay.starts, lay.ends, lay.sentence, lay.newlines, lay.cp
        idx, mstart, mend = self._matcher.find(text) if hits is None else hits
        idx, mstart, mend = self._abbreviation_lists(text, cp, idx, mstart, mend)
        clause = np.searchsorted(starts, mstart, side="right") - 1
        inside = (clause >= 0) & (mstart < ends[np.maximum(clause, 0)])
        # datelines are no actors
        spans = _dateline_spans(text, cp)
        if True:
            if spans:
                sp = np.array(spans, dtype=np.int64)
                j = np.searchsorted(sp[:, 0], mstart, side="right") - 1
                inside &= ~((j >= 0) & (mstart < sp[np.maximum(j, 0), 1]))
        idx, mstart, mend, clause = idx[inside], mstart[inside], mend[inside], clause[inside]
        kind = self._kind[idx]
        # counts need a number right before 省份 ("9省份"); "等省份" is no count
        number_before = _IS_NUMERAL[cp[np.maximum(mstart - 1, 0)]] & (mstart > starts[clause])
        quant = (kind == _QUANT) | ((kind == _COUNT) & number_before)
        q_start, q_clause = mstart[quant], clause[quant]
        q_begin = _number_start(q_start, kind[quant] == _COUNT, starts[q_clause], cp)
        aggregates = _aggregates(text, q_begin, q_start, mend[quant], kind[quant], q_clause,
                                 starts, ends, newlines, cp, base, line0)
        # "上海、福建等10余个省份…": the count includes the provinces named before 等
        inclusive = (q_begin > starts[q_clause]) & (cp[np.maximum(q_begin - 1, 0)] == ord("等"))
        count_subject = np.zeros(len(kind), bool)
        count_subject[np.flatnonzero(quant)[~inclusive]] = True
        useful = ((kind != _COUNT) | count_subject) & (kind != _STOP)
        idx, mstart, mend, clause, kind, count_subject = (
            a[useful] for a in (idx, mstart, mend, clause, kind, count_subject))
        kind = np.where(count_subject, _QUANT, kind)
        kind = np.where(kind == _QUANT, np.where(count_subject, _QUANT, -1), kind)
        keep = kind >= 0
        idx, mstart, mend, clause, kind = (a[keep] for a in (idx, mstart, mend, clause, kind))
        paragraph = np.searchsorted(newlines, starts, side="right")
        rows, unmatched = self._attribute(text, idx, mstart, mend, clause, kind, starts, ends,
                                          sentence, paragraph, default, cp, first_named)
        suggestions = self._table(text, rows, doc_id, starts, ends, paragraph, base, line0, cp)
        unmatched = [(prov, q, a + base, b + base, int(p) + line0, why)
                     for q, a, b, p, prov, why in unmatched]
        return suggestions, aggregates, unmatched

    def _attribute(self, text, idx, mstart, mend, mclause, kind, starts, ends, sentence,
                   paragraph, default, cp, first_named=None):
        """Attribute keywords to actors; returns the columns of the suggestion rows.

        Clauses whose only actor words are plain province or place names are handled
        with array operations; clauses with a self-reference, a national word, a count,
        a compound or a location or partner cue are walked in Python, in text order, to
        build their subjects. The paragraph's actor at any clause is the last actor group
        of the clauses before it; keywords (most matches) are attributed with array
        operations.
        """
        value, label = self._value, self._label
        n_all = len(idx)
        same = np.zeros(n_all, bool)
        if n_all > 1:
            same[1:] = mclause[1:] == mclause[:-1]
        prev_end_all = np.where(same, np.concatenate([[-10], mend[:-1]]), -10)
        # national words that are no subject (在全国率先, 全国首个) do nothing: drop them
        # here, with array operations, so that their clauses need no walk
        national = np.flatnonzero((kind == _NATIONAL) & ~self._passive[idx])
        if len(national):
            silent = national[~_national_subjects(cp, mstart[national], mend[national],
                                                  starts[mclause[national]], prev_end_all[national])]
            if len(silent):
                keep = np.ones(len(idx), bool)
                keep[silent] = False
                idx, mstart, mend, mclause, kind, prev_end_all = (
                    a[keep] for a in (idx, mstart, mend, mclause, kind, prev_end_all))
        is_kw = kind == _KEYWORD
        # (the document's first-named province is worked out once for the whole text, so that
        # every block resolves 我省 … alike)
        fallback = default or first_named
        default_gid = 0 if default else -1

        # plain and complex clauses
        is_mention = (kind == _PROVINCE) | (kind == _CITY)
        # names followed by 的 or 等 that only say whose firms act (合肥等地的企业): their
        # clauses are walked
        n_cp = len(cp)
        de = np.zeros(len(kind), bool)            # 的 right after the name, or 等地的, 等省份的 …
        for k in (0, 2, 3, 4):
            de |= cp[np.minimum(mend + k, n_cp - 1)] == 0x7684
        after = cp[np.minimum(mend, n_cp - 1)]
        cand = np.flatnonzero(is_mention & (mend < n_cp) & de
                              & ((after == 0x7684) | (after == 0x7B49)))
        possessive = np.zeros(len(kind), bool)
        if len(cand):
            possessive[cand] = [_owns_firms(text, e, ce) for e, ce in
                                zip(mend[cand].tolist(), ends[mclause[cand]].tolist())]
        special = (possessive | (kind == _SELF) | (kind == _NATIONAL)
                   | (is_mention & (self._implied[idx] >= 0))
                   | (is_mention & (mstart > starts[mclause])
                      & _IS_CUE_LAST[cp[np.maximum(mstart - 1, 0)]]))
        n_cl = len(starts)
        complex_clause = np.zeros(n_cl, bool)
        complex_clause[mclause[special]] = True
        plain = is_mention & ~complex_clause[mclause]
        # plain mentions: groups of names joined by 、 和 与 及 (or nothing)
        p_pos, p_end, p_cl = mstart[plain], mend[plain], mclause[plain]
        p_idx, p_kind = idx[plain], kind[plain]
        joined = np.zeros(len(p_pos), bool)
        if len(p_pos) > 1:
            gap = p_pos[1:] - p_end[:-1]
            sep = _IS_JOINER[cp[np.minimum(p_end[:-1], len(cp) - 1)]]
            joined[1:] = (p_cl[1:] == p_cl[:-1]) & ((gap == 0) | ((gap == 1) & sep))
        p_group = np.cumsum(~joined) - 1 + (1 if default else 0)   # group ids after the default's
        n_plain_groups = int((~joined).sum())
        p_prov = self._prov_of[p_idx]
        p_city = np.where(p_kind == _PROVINCE, "", self._label_arr[p_idx]).astype(object)
        p_direct = p_kind == _PROVINCE
        # group members, in group order: the default's group, the plain groups, then the
        # complex clauses' groups (appended below)
        base_prov = np.concatenate([np.array([default] if default else [], dtype=object), p_prov])
        base_city = np.concatenate([np.array([""] if default else [], dtype=object), p_city])
        base_direct = np.concatenate([[True] if default else np.empty(0, bool), p_direct])
        m_group_arr = np.concatenate([[0] if default else np.empty(0, np.int64), p_group])
        # members of the complex clauses' groups, appended in the walk
        m_prov, m_city, m_direct, m_group = [], [], [], []
        first_of_group = ~joined
        sp_plain = p_pos[first_of_group]
        sg_plain = p_group[first_of_group]
        sc_plain = p_cl[first_of_group]
        # each plain clause ends with its last group as the paragraph's actor
        last_of_clause = np.ones(len(p_cl), bool)
        if len(p_cl) > 1:
            last_of_clause[:-1] = p_cl[1:] != p_cl[:-1]
        pa_clause = p_cl[last_of_clause]          # plain actor clauses, ascending
        pa_gid = p_group[last_of_clause]
        # plain clauses' subjects: group heads and counts (9省份…); the last one decides
        # whether the rest of the sentence inherits an actor
        q_plain = (kind == _QUANT) & ~complex_clause[mclause]
        ps_pos = np.concatenate([sp_plain, mstart[q_plain]])
        ps_type = np.concatenate([np.zeros(len(sp_plain), np.int64),
                                  np.full(int(q_plain.sum()), 2, np.int64)])
        ps_group = np.concatenate([sg_plain, np.full(int(q_plain.sum()), -1, np.int64)])
        ps_clause = np.concatenate([sc_plain, mclause[q_plain]])
        o = np.argsort(ps_pos, kind="stable")
        ps_pos, ps_type, ps_group, ps_clause = ps_pos[o], ps_type[o], ps_group[o], ps_clause[o]
        last_subject = np.ones(len(ps_clause), bool)
        if len(ps_clause) > 1:
            last_subject[:-1] = ps_clause[1:] != ps_clause[:-1]
        pb_clause = ps_clause[last_subject]
        pb_value = np.where(ps_type[last_subject] == 2, sentence[pb_clause], -1)
        next_gid = (1 if default else 0) + n_plain_groups
        last_member = {}                          # group id -> its last member's province

        def member_last(g):
            hit = last_member.get(g)
            if hit is None:
                hit = base_prov[int(np.searchsorted(m_group_arr, g, side="right")) - 1]
            return hit

        # complex clauses, walked in text order
        cx = np.flatnonzero(complex_clause[mclause] & ~is_kw & (kind != _MOVER))
        n_idx, n_start, n_end = idx[cx].tolist(), mstart[cx].tolist(), mend[cx].tolist()
        n_clause, n_kind = mclause[cx].tolist(), kind[cx].tolist()
        cx_subj = []                                   # (pos, type, group, clause)
        cx_actor = []                                  # (clause, last group) of complex clauses
        cx_block = []                                  # (clause, blocked sentence or -1)
        comp = []                                      # compound keywords: (pos, clause, code, label)
        passive_of: dict[int, list] = {}
        sent_info: dict[int, list] = {}
        last_cx_actor = (-1, -1)
        cx_clauses = np.unique(mclause[cx])
        plain_before = dict(zip(cx_clauses.tolist(),
                                (np.searchsorted(pa_clause, cx_clauses) - 1).tolist()))
        pa_clause_l, pa_gid_l = pa_clause.tolist(), pa_gid.tolist()
        n = len(n_idx)
        i = 0
        while i < n:
            c = n_clause[i]
            j = i
            while j < n and n_clause[j] == c:
                j += 1
            cs, ce, s_id, p = int(starts[c]), int(ends[c]), int(sentence[c]), int(paragraph[c])
            # the paragraph's actor before this clause: the later of the last plain and
            # the last complex actor clause, if in this paragraph
            k = plain_before[c]
            cand = (pa_clause_l[k], pa_gid_l[k]) if k >= 0 else (-1, -1)
            if last_cx_actor[0] > cand[0]:
                cand = last_cx_actor
            para_gid = cand[1] if cand[0] >= 0 and paragraph[cand[0]] == p else default_gid
            subjects = []          # (pos, type, group id, end)
            group_id, group_end = -1, -10
            other_end, other_role = -10, ""     # the last mention that is no actor
            has_actor = national_in_clause = False
            for m in range(i, j):
                a, b, kd, pi = n_start[m], n_end[m], n_kind[m], n_idx[m]
                if kd == _PROVINCE or kd == _CITY or kd == _SELF:
                    if kd != _SELF and subjects and subjects[-1][1] == 1 and subjects[-1][3] == a:
                        # 人民银行浙江省分行: a national body's local branch is a local actor
                        subjects.pop()
                        national_in_clause = any(sub[1] == 1 for sub in subjects)
                    if kd == _SELF:
                        if has_actor:
                            continue      # 重庆、四川…建设全省…平台: 全省 is no new subject
                        last = member_last(para_gid) if para_gid >= 0 else None
                        if label[pi] in _SELF_LAST_NAMED:
                            who = last or fallback
                        else:
                            who = default or last or first_named
                        if who is None:
                            continue
                        member = (who, "", True)
                    else:
                        prov, implied = value[pi]
                        member = (prov, "" if kd == _PROVINCE else label[pi], kd == _PROVINCE)
                        if implied >= 0:
                            comp.append((a, c, implied, label[pi]))
                    if kd != _SELF and (a == other_end or (a == other_end + 1
                                                           and text[other_end] in _JOINERS)):
                        role = other_role       # listed with a location, partner …: the same
                    elif kd != _SELF and _owns_firms(text, _group_end(text, n_start, n_end, n_kind,
                                                                      m, j), ce):
                        role = "home of firms"  # 合肥、大连等地的…企业: firms act, not the province
                    elif (a > cs and text[a - 1] in _CUE_LAST) or national_in_clause:
                        role = self._role(text, a, cs, ce, [(s[0], _SUBJECT_NAMES[s[1]]) for s in subjects],
                                          group_end)
                    else:
                        role = "actor"
                    info = sent_info.get(s_id)
                    if info is None:
                        info = sent_info[s_id] = [False, [], "", False]
                    info[0] = True
                    info[1].append((a, member[0]))
                    info[3] = info[3] or role == "actor"
                    if role != "actor":
                        other_end, other_role = b, role
                        info[2] = info[2] or f"province named only as {role}"
                        if role in ("location", "home of firms") and not has_actor:
                            # 华为在贵州建设…: someone else acts there; the clause's keywords
                            # go to nobody, not to the paragraph's or document's province
                            subjects.append((a, 2, -1, b))
                        continue
                    if group_id >= 0 and (a == group_end or (
                            a == group_end + 1 and text[group_end] in _JOINERS)):
                        pass
                    else:
                        group_id = next_gid
                        next_gid += 1
                        subjects.append((a, 0, group_id, b))
                        has_actor = True
                    m_prov.append(member[0])
                    m_city.append(member[1])
                    m_direct.append(member[2])
                    m_group.append(group_id)
                    last_member[group_id] = member[0]
                    group_end = b
                elif kd == _NATIONAL and label[pi] in PASSIVE_NATIONAL:
                    lo, hi = _segment(text, a, cs, ce)
                    if any(w in text[lo:hi] for w in _PILOT_WORDS):
                        continue          # designated a pilot: the province runs it
                    passive_of.setdefault(c, []).append((lo, hi))
                    sent_info.setdefault(s_id, [False, [], "", False])[2] = "national statement"
                elif kd == _NATIONAL:
                    # a subject: the national words that are none were dropped above
                    subjects.append((a, 1, -1, b))
                    national_in_clause = True
                    sent_info.setdefault(s_id, [False, [], "", False])[2] = "national statement"
                elif kd == _QUANT:
                    subjects.append((a, 2, -1, b))
            for sub in subjects:
                cx_subj.append((sub[0], sub[1], sub[2], c))
            if subjects:
                cx_block.append((c, s_id if subjects[-1][1] != 0 else -1))
                actors = [sub for sub in subjects if sub[1] == 0]
                if actors:
                    last_cx_actor = (c, actors[-1][2])
                    cx_actor.append(last_cx_actor)
            i = j
        # all subjects, in text order
        if cx_subj:
            cpos, ctype, cgrp, ccl = (np.array(x, dtype=np.int64) for x in zip(*cx_subj))
        else:
            cpos = ctype = cgrp = ccl = np.empty(0, np.int64)
        sp = np.concatenate([ps_pos, cpos])
        st = np.concatenate([ps_type, ctype])
        sg = np.concatenate([ps_group, cgrp])
        sc = np.concatenate([ps_clause, ccl])
        order = np.argsort(sp, kind="stable")
        sp, st, sg, sc = sp[order], st[order], sg[order], sc[order]
        # actor and blocking events per clause, for keywords that inherit the actor
        ev_clause = np.concatenate([pa_clause, np.array([x[0] for x in cx_actor], dtype=np.int64)])
        ev_gid = np.concatenate([pa_gid, np.array([x[1] for x in cx_actor], dtype=np.int64)])
        o = np.argsort(ev_clause, kind="stable")
        ev_clause, ev_gid = ev_clause[o], ev_gid[o]
        bl_clause = np.concatenate([pb_clause, np.array([x[0] for x in cx_block], dtype=np.int64)])
        bl_value = np.concatenate([pb_value, np.array([x[1] for x in cx_block], dtype=np.int64)])
        o = np.argsort(bl_clause, kind="stable")
        bl_clause, bl_value = bl_clause[o], bl_value[o]

        # keywords: the code, or -2 where a context rule decides it (decided below, once
        # the keyword's actor is known: a keyword that goes to nobody needs no decision)
        k_idx, k_pos, k_clause = idx[is_kw], mstart[is_kw], mclause[is_kw]
        k_code = self._plain_code[k_idx]
        k_rule = self._rule_index[k_idx]
        k_label = self._label_id[k_idx]
        if comp:
            cpos, cclause, ccode, clab = zip(*comp)
            k_pos = np.concatenate([k_pos, np.array(cpos, dtype=np.int64)])
            k_clause = np.concatenate([k_clause, np.array(cclause, dtype=np.int64)])
            k_code = np.concatenate([k_code, np.array(ccode, dtype=np.int64)])
            k_rule = np.concatenate([k_rule, np.full(len(cpos), -1, np.int64)])
            k_label = np.concatenate([k_label, np.array([self._label_index[x] for x in clab])])
            order = np.argsort(k_pos, kind="stable")
            k_pos, k_clause, k_code, k_rule, k_label = (
                a[order] for a in (k_pos, k_clause, k_code, k_rule, k_label))
        keep = k_code != -1
        if passive_of:
            for m in np.flatnonzero(keep & np.isin(k_clause, list(passive_of))).tolist():
                if any(lo <= k_pos[m] < hi for lo, hi in passive_of[int(k_clause[m])]):
                    keep[m] = False
        k_pos, k_clause, k_code, k_rule, k_label = (
            a[keep] for a in (k_pos, k_clause, k_code, k_rule, k_label))

        # the subject of each keyword: before it in its clause, else after it, else inherited
        K = len(k_pos)
        S = len(sp)
        gid = np.full(K, -1, np.int64)
        own = np.zeros(K, bool)
        if S:
            jb = np.searchsorted(sp, k_pos, side="right") - 1
            before = (jb >= 0) & (sc[np.maximum(jb, 0)] == k_clause)
            gid[before] = np.where(st[jb[before]] == 0, sg[jb[before]], -1)
            own[before] = True
            ja = np.minimum(jb + 1, S - 1)
            after = ~before & (jb + 1 < S) & (sc[ja] == k_clause)
            if after.any():
                commas = np.flatnonzero((cp == 0xFF0C) | (cp == 0x2C))
                crossing = after & (np.searchsorted(commas, sp[ja])
                                    > np.searchsorted(commas, k_pos))
                for m in np.flatnonzero(crossing).tolist():
                    c = int(k_clause[m])
                    if not _fronted(text, int(starts[c]), int(k_pos[m]), int(sp[ja[m]])):
                        after[m] = False
                gid[after] = np.where(st[ja[after]] == 0, sg[ja[after]], -1)
                own[after] = True
            inherited = ~before & ~after
        else:
            inherited = np.ones(K, bool)
        if inherited.any():
            kc = k_clause[inherited]
            a = np.searchsorted(ev_clause, kc, side="left") - 1      # last actor clause before
            ai = np.maximum(a, 0)
            in_para = (a >= 0) & (paragraph[ev_clause[ai]] == paragraph[kc]) if len(ev_clause) \
                else np.zeros(len(kc), bool)
            g = np.where(in_para, ev_gid[ai] if len(ev_gid) else -1, default_gid)
            b = np.searchsorted(bl_clause, kc, side="left") - 1      # last clause with subjects
            blocked = (b >= 0) & (bl_value[np.maximum(b, 0)] == sentence[kc]) if len(bl_clause) \
                else np.zeros(len(kc), bool)
            gid[inherited] = np.where(blocked, -1, g)
        # context rules, for keywords with an actor: one decision per rule set and sentence
        check = np.flatnonzero((gid >= 0) & (k_code == -2))
        if len(check):
            c_sent = sentence[k_clause[check]]
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
                decided += self._decide[r](text, u_lo[r0:r1], u_hi[r0:r1])
            k_code[check] = np.array(decided, dtype=np.int64)[inverse.ravel()]
        ok = (gid >= 0) & (k_code >= 0)
        k_clause, k_code, k_label, gid, own = (a[ok] for a in (k_clause, k_code, k_label, gid, own))

        # one row per keyword and member of its group
        m_group = np.concatenate([m_group_arr, np.array(m_group, dtype=np.int64)])
        n_groups = int(m_group[-1]) + 1 if len(m_group) else 0
        offset = np.searchsorted(m_group, np.arange(n_groups + 1), side="left")
        sizes = np.diff(offset)
        m_prov = np.concatenate([base_prov, np.array(m_prov, dtype=object)])
        m_city = np.concatenate([base_city, np.array(m_city, dtype=object)])
        m_direct = np.concatenate([base_direct, np.array(m_direct, dtype=bool)])
        count = sizes[gid] if len(gid) else np.empty(0, np.int64)
        row_kw = np.repeat(np.arange(len(gid)), count)
        member = np.repeat(offset[gid], count) + (np.arange(len(row_kw)) - np.repeat(
            np.cumsum(count) - count, count))
        has_row = np.zeros(int(sentence[-1]) + 1 if len(sentence) else 0, bool)
        has_row[sentence[k_clause]] = True
        # sentences whose plain names gave no row join the unmatched output
        p_sent = sentence[p_cl]
        miss = ~has_row[p_sent]
        for s_id, pos, prov in zip(p_sent[miss].tolist(), p_pos[miss].tolist(),
                                   p_prov[miss].tolist()):
            info = sent_info.get(s_id)
            if info is None:
                info = sent_info[s_id] = [False, [], "", False]
            info[0] = True
            info[3] = True
            info[1].append((pos, prov))
        unmatched = []
        for s_id, (has_prov, provs, reason, has_actor) in sent_info.items():
            if has_actor and reason.startswith("province named only"):
                reason = ""       # another province acts: what is missing is a keyword
            if has_prov and not has_row[s_id]:
                c0 = int(np.searchsorted(sentence, s_id, side="left"))
                c1 = int(np.searchsorted(sentence, s_id, side="right")) - 1
                a, b = int(starts[c0]), int(ends[c1])
                names = dict.fromkeys(p for _, p in sorted(provs) if p)   # first mention first
                unmatched.append((text[a:b], a, b, int(paragraph[c0]), ";".join(names),
                                  reason or "no keyword of the lexicon"))
        unmatched.sort(key=lambda u: u[1])
        m_prov_id = self._province_lookup.get_indexer(m_prov)
        return (k_clause[row_kw], m_prov[member], k_code[row_kw], k_label[row_kw], own[row_kw],
                m_direct[member], m_city[member], m_prov_id[member]), unmatched

    def _table(self, text, rows, doc_id, starts, ends, paragraph, base, line0,
               cp) -> dict | None:
        r_clause, r_prov, r_code, r_label, r_own, r_direct, r_city, prov_id = rows
        if not len(r_clause):
            return None
        n_prov, n_code = len(self._province_index), len(self._code_ids)
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
        labels = self._labels_arr
        keywords = _join_labels(row_key, r_label, n, labels, self._labels_semi)
        _, pair_first = np.unique(row_key * len(labels) + r_label, return_index=True)
        n_keywords = np.bincount(row_key[pair_first], minlength=n)
        has_city = r_city != ""
        city_names, city_id = np.unique(r_city[has_city].astype(str), return_inverse=True) \
            if has_city.any() else (np.empty(0, dtype=object), np.empty(0, np.int64))
        cities = _join_labels(row_key[has_city], city_id, n, city_names.astype(object))
        src = first[order]
        c_arr, code, prov = r_clause[src], r_code[src], r_prov[src]
        confidence = np.where(own, 0.6, 0.4) + 0.1 * (n_keywords - 1) - np.where(direct, 0, 0.1)
        clauses, where = np.unique(c_arr, return_inverse=True)
        quote_of = [text[a:b] for a, b in zip(starts[clauses].tolist(), ends[clauses].tolist())]
        # markers hold no delimiter or space, so a match never straddles two clauses
        marks = _occurrences(cp, FIRST_MOVER_MARKERS)
        mover_of = (np.searchsorted(marks, starts[clauses])
                    < np.searchsorted(marks, ends[clauses])).astype(np.intp)
        n = len(code)
        # string columns take pandas' string dtype here, in the block's thread: columns with
        # few distinct values are taken from small arrays made once, with no check per row
        same = np.zeros(n, np.intp)
        words = self._strings
        p_id = prov_id[src]
        columns = {
            "doc_id": _as_strings(np.array([doc_id], dtype=object)).take(same),
            "province": words["province"].take(p_id) if (p_id >= 0).all() else _as_strings(prov),
            "city": _as_strings(np.where(direct, "", cities).astype(object)),
            **{name: words[name].take(code)
               for name in ("pillar", "theme", "code", "instrument", "instrument_type")},
            "quote": _as_strings(np.array(quote_of, dtype=object)).take(where.ravel()),
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
            "keywords": _as_strings(keywords),
            "confidence": np.round(np.clip(confidence, 0.05, 0.95), 2),
            "decision": words[""].take(same),
        }
        return columns

    def _suggestion_frame(self, parts: list, doc_id: str) -> pd.DataFrame:
        """One suggestions table from the column arrays of each block (see :meth:`_table`)."""
        parts = [part for part in parts if part is not None]
        if not parts:
            return _empty_suggestions()
        columns = {name: _concat([part[name] for part in parts]) for name in parts[0]}
        columns["id"] = _as_strings(np.array(_suggestion_ids(len(columns["code"])), dtype=object))
        return _frame(columns, SUGGESTION_COLUMNS)

    def _abbreviation_lists(self, text, cp, idx, mstart, mend):
        """Add the provinces of lists of one-character abbreviations (苏、皖、豫三省; 川渝两地).

        A list is two or more abbreviations (:data:`npstudy.gazetteer.ABBREVIATIONS`),
        joined by nothing or by 、和与及, then an optional 等 and a number with 省, 省份,
        省市, 省区 or 地. Each abbreviation becomes a mention of its province; matches
        inside the list (a count 三省份) are dropped.
        """
        ends = np.flatnonzero((cp == 0x7701) | (cp == 0x5730))        # 省 地
        ends = ends[(ends > 2) & _IS_CN_NUMERAL[cp[np.maximum(ends - 1, 0)]]]
        if not len(ends):
            return idx, mstart, mend
        add_pos, add_idx, spans = [], [], []
        for e in ends.tolist():
            k = e - 1
            while k > 0 and _IS_CN_NUMERAL[cp[k - 1]]:
                k -= 1                                  # the number
            if k > 0 and text[k - 1] == "等":
                k -= 1
            found = []
            while k > 0:
                ch = text[k - 1]
                if ch in self._abbreviation_pattern:
                    found.append(k - 1)
                    k -= 1
                elif ch in "、和与及" and k > 1 and text[k - 2] in self._abbreviation_pattern \
                        and found:
                    k -= 1
                else:
                    break
            if len(found) < 2:
                continue
            if len(mstart):
                j = np.searchsorted(mstart, found, side="right") - 1
                if ((j >= 0) & (mend[np.maximum(j, 0)] > np.array(found))).any():
                    continue                            # 辽宁两地: inside a matched name
            for pos in reversed(found):
                add_pos.append(pos)
                add_idx.append(self._abbreviation_pattern[text[pos]])
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

    def _first_named(self, text: str) -> str | None:
        """The province of the first province, city or place named in ``text`` (None if none;
        Hong Kong, Macao and Taiwan are partners, never this province)."""
        n = 2_000
        while True:
            idx, start, _ = self._matcher.find(text[:n])
            # a match that starts at least one pattern's length before the cut is the match the
            # whole text has there (三明治 cut to 三明 is not)
            sure = start <= n - self._longest if n < len(text) else np.ones(len(idx), bool)
            named = [self._prov_of[i] for i in
                     idx[sure & np.isin(self._kind[idx], (_PROVINCE, _CITY))].tolist()]
            named = [p for p in named if p not in self._partners]
            if named:
                return named[0]
            if n >= len(text):
                return None
            n *= 10

    @staticmethod
    def _role(text: str, a: int, cs: int, ce: int, subjects: list, group_end: int) -> str:
        """Whether a province mention at ``a`` is an actor, a location or a partner."""
        seg = max(text.rfind("，", cs, a), text.rfind(",", cs, a), text.rfind("：", cs, a)) + 1
        seg = max(seg, cs)
        prefix = text[seg:a]
        if subjects and subjects[-1][1] == "national" and subjects[-1][0] >= seg:
            return "part of a national statement"
        for cue in PARTNER_CUES:
            if prefix.endswith(cue):
                if cue in _STRONG_PARTNER_CUES:
                    return "partner"
                if len(cue) == 1 and any(w in text[a:min(a + 24, ce)] for w in _COMPARISON_WORDS):
                    return "comparison"                 # 与浙江、广东相比
                listed = group_end == a - len(cue)      # 上海和浙江: a list, both act
                if not listed and any(sub[1] == "actor" for sub in subjects) and any(
                        w in text[a:min(a + 30, ce)] for w in COOPERATION_WORDS):
                    return "partner"
                break
        for cue in LOCATION_CUES:
            if prefix.endswith(cue):
                subject = prefix[:-len(cue)]
                if cue == "到" and "从" in prefix:
                    break                               # 从广西自贸试验区到黑龙江自贸试验区: a range
                if subject and not _NOT_SUBJECT.match(subject):
                    return "location"
                if subjects and subjects[-1][1] == "national":
                    return "part of a national statement"   # 国家启动…，在内蒙古等地布局
                break
        return "actor"


#: The dtype pandas gives a column of strings: ``str`` from pandas 3, ``object`` before.
_STR_DTYPE = pd.Series(["a"]).dtype


def _filled(n: int, value: str) -> np.ndarray:
    """An object array of ``n`` times ``value`` (much faster than ``np.full`` for strings)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _as_strings(values: np.ndarray):
    """An object array of strings as the array pandas makes of it (``str`` from pandas 3)."""
    if _STR_DTYPE != object and values.dtype == object:
        return pd.array(values, dtype=_STR_DTYPE)
    return values


def _concat(arrays: list):
    """Concatenate NumPy arrays or pandas extension arrays of one type."""
    if isinstance(arrays[0], np.ndarray):
        return np.concatenate(arrays)
    return type(arrays[0])._concat_same_type(arrays)


def _frame(columns: dict, names: list[str]) -> pd.DataFrame:
    """A DataFrame of column arrays, string columns made the dtype pandas infers for them.

    The same table as ``pd.DataFrame(columns, columns=names)``, built without the copy
    and the per-column inference.
    """
    columns = {k: _as_strings(v) if isinstance(v, np.ndarray) else v for k, v in columns.items()}
    return pd.DataFrame(columns, columns=names, copy=False)


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector (if it runs) for the duration of the block."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _national_subjects(cp: np.ndarray, a: np.ndarray, b: np.ndarray, clause_start: np.ndarray,
                       prev_end: np.ndarray) -> np.ndarray:
    """Whether national-scope words at [a, b) are subjects (全国…, 国务院印发…), for arrays of matches.

    Not when the character before is one of :data:`_NATIONAL_NOT_AFTER` (在全国, 依托全国) or
    another match ends right before (``prev_end == a``), inside a clause starting at
    ``clause_start``; not when one of :data:`_NATIONAL_NOT_BEFORE` follows (全国首个, 全国性).
    """
    n = len(cp)
    after = (a > clause_start) & (_IS_NATIONAL_NOT_AFTER[cp[np.maximum(a - 1, 0)]] | (prev_end == a))
    before = np.zeros(len(a), bool)
    for word in _NATIONAL_NOT_BEFORE:
        hit = b + len(word) <= n
        for i, ch in enumerate(word):
            hit &= cp[np.minimum(b + i, n - 1)] == ord(ch)
        before |= hit
    return ~(after | before)


#: Threads that code blocks of one long text at once.
_WORKERS = min(2, os.cpu_count() or 1)
_IDS: list[str] = []


def _suggestion_ids(n: int) -> list[str]:
    """``S00001`` … for ``n`` rows (the strings are made once and kept)."""
    if len(_IDS) < n:
        _IDS.extend(f"S{i + 1:05d}" for i in range(len(_IDS), n))
    return _IDS[:n]


def _decider(rules):
    """A function giving, for sentences ``text[lo:hi]``, the code of the first satisfied rule.

    Each rule is (code, required words, excluded words), the words as compiled
    alternations (None for none). The function takes the text and lists of sentence
    starts and ends and returns a list of codes, -1 where no rule holds. A single rule,
    the common case, gets a function of its own, so that deciding a sentence costs at
    most two searches.
    """
    if len(rules) == 1:
        code, req, exc = rules[0]
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

    def decide(text, lo, hi):
        for code, req, exc in rules:
            if req is not None and req.search(text, lo, hi) is None:
                continue
            if exc is not None and exc.search(text, lo, hi) is not None:
                continue
            return code
        return -1
    return lambda text, los, his: [decide(text, lo, hi) for lo, hi in zip(los, his)]


def _alternation(words) -> re.Pattern | None:
    """A compiled regular expression matching any of ``words``; None for no words."""
    return re.compile("|".join(map(re.escape, words))) if words else None


def _occurrences(cp: np.ndarray, words) -> np.ndarray:
    """Sorted starts of every occurrence of each word in the code points ``cp`` of a text."""
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


def _join_labels(group: np.ndarray, label: np.ndarray, n_groups: int,
                 labels: np.ndarray, semi: np.ndarray | None = None) -> np.ndarray:
    """``;``-joined distinct labels per group, in order of first appearance; "" for none.

    Vectorised: the k-th label of every group is appended in one object-array
    operation, for k = 0, 1, … (groups rarely hold more than a few labels).
    ``semi`` holds each label with a leading ``;`` (made here if not given).
    """
    out = _filled(n_groups, "")
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


def _dateline_spans(text: str, cp: np.ndarray) -> list[tuple[int, int]]:
    """Spans of news datelines (新华社杭州1月28日电 (记者 …)); found from each 日电/日讯.

    ``cp`` are the code points of ``text`` (:func:`npstudy.text.code_points`).
    """
    spans = []
    for pos in _occurrences(cp, ("日电", "日讯")).tolist():
        lo = max(text.rfind("\n", 0, pos) + 1, pos - 30)
        for m in _DATELINE.finditer(text, lo, min(len(text), pos + 60)):
            if m.start() <= pos < m.end():
                spans.append((m.start(), m.end()))
                break
    return sorted(spans)


def _blocks(text: str, n: int) -> list[tuple[int, int]]:
    """``text`` cut into about ``n`` spans of equal length, each cut after a line break.

    A cut goes to the last line break before its even share, else to the first one after
    it; a text with fewer line breaks gives fewer spans.
    """
    size = len(text)
    cuts = [0]
    for k in range(1, max(n, 1)):
        target = k * size // n
        if target <= cuts[-1]:
            continue
        cut = text.rfind("\n", cuts[-1], target)
        if cut < 0:
            cut = text.find("\n", target)
            if cut < 0:
                break
        if cut + 1 < size and cut + 1 > cuts[-1]:
            cuts.append(cut + 1)
    cuts.append(size)
    return list(zip(cuts[:-1], cuts[1:]))


def _empty_suggestions() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SUGGESTION_COLUMNS})


def _number_start(q_start, is_count, clause_start, cp) -> np.ndarray:
    """Where the number before a count ending ("9省份", "10余个省份") begins."""
    begin = q_start.copy()
    for _ in range(8):  # numbers of up to eight characters
        step = is_count & (begin > clause_start) & _IS_NUMERAL[cp[np.maximum(begin - 1, 0)]]
        if not step.any():
            break
        begin -= step
    return begin


def _aggregates(text, begin, q_start, q_end, q_kind, k, starts, ends, newlines, cp,
                base, line0) -> dict:
    """Column arrays of the aggregate suggestions of one block (see :func:`_aggregate_frame`)."""
    is_count = q_kind == _COUNT
    counts = np.zeros(len(begin), np.int64)
    missing = ~is_count
    lower = np.zeros(len(begin), bool)
    rows = np.flatnonzero(is_count)
    if len(rows):
        # the number before 省份: Arabic digits (half or full width) with array operations,
        # Chinese numerals (十余个省份) one by one
        b0, length = begin[rows], q_start[rows] - begin[rows]
        value = np.zeros(len(rows), np.int64)
        arabic = np.ones(len(rows), bool)
        for j in range(int(length.max())):
            more = j < length
            d = _DIGIT_VALUE[cp[np.minimum(b0 + j, len(cp) - 1)]]
            arabic &= ~more | (d >= 0)
            value = np.where(more, value * 10 + np.maximum(d, 0), value)
        counts[rows] = value
        lower[rows] = cp[np.minimum(q_start[rows], len(cp) - 1)] == ord("余")
        for i in rows[~arabic].tolist():
            count = _cn_number(text[begin[i]:q_start[i]])
            if count is None:
                missing[i] = True
            else:
                counts[i] = count
    clauses, row = np.unique(k, return_inverse=True)
    quotes = np.array([text[a:b] for a, b in zip(starts[clauses].tolist(), ends[clauses].tolist())],
                      dtype=object)
    return {
        "quantifier": np.array([text[a:b] for a, b in zip(begin.tolist(), q_end.tolist())],
                               dtype=object),
        "count": counts, "missing": missing,
        "count_is_lower_bound": lower,
        "quote": quotes[row.ravel()] if len(k) else np.empty(0, dtype=object),
        "start": starts[k] + base, "end": ends[k] + base,
        "paragraph": np.searchsorted(newlines, starts[k], side="right") + line0,
    }


def _aggregate_frame(parts: list[dict], doc_id: str) -> pd.DataFrame:
    """The aggregate suggestions of a document from the column arrays of its blocks."""
    col = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
    n = len(col["count"])
    columns = {"doc_id": _filled(n, doc_id), "quantifier": col["quantifier"],
               "count": pd.arrays.IntegerArray(col["count"], col["missing"]),
               "count_is_lower_bound": col["count_is_lower_bound"], "quote": col["quote"],
               "start": col["start"], "end": col["end"], "paragraph": col["paragraph"]}
    return _frame(columns, AGGREGATE_SUGGESTION_COLUMNS)


def _cn_number(s: str) -> int | None:
    if s in _CN_DIGITS:
        return _CN_DIGITS[s]
    if len(s) == 2 and s[0] == "十" and s[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[s[1]]
    if len(s) == 2 and s[1] == "十" and s[0] in _CN_DIGITS:
        return 10 * _CN_DIGITS[s[0]]
    if len(s) == 3 and s[1] == "十":
        return 10 * _CN_DIGITS.get(s[0], 0) + _CN_DIGITS.get(s[2], 0)
    return None


_DEFAULT_CODER: Coder | None = None


def code_text(text: str, doc_id: str = "doc", coder: Coder | None = None,
              province: str | None = None) -> CodingResult:
    """Suggest codings for a text with the default coder (built once, then reused).

    ``province`` is the document's own province (see :meth:`Coder.code`).
    """
    global _DEFAULT_CODER
    if coder is None:
        if _DEFAULT_CODER is None:
            _DEFAULT_CODER = Coder()
        coder = _DEFAULT_CODER
    return coder.code(text, doc_id, province=province)


def unmatched_sentences(coder: Coder, text: str, doc_id: str = "doc",
                        province: str | None = None) -> pd.DataFrame:
    """Sentences that name a province or city but gave no suggestion, for a reviewer to read.

    The same table as ``coder.code(text, doc_id, province).unmatched``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNMATCHED_COLUMNS`: ``provinces`` (ISO codes in order of
        first mention, ``;``-separated), the sentence as ``quote`` with its
        ``start``/``end`` offsets (``text[start:end] == quote``), ``paragraph``
        (0-based line) and ``reason`` (no keyword of the lexicon; province named only
        as location or partner; national statement).

    Examples
    --------
    >>> coder = Coder()
    >>> text = "上海举办论坛。浙江建设概念验证中心。华为在贵州设厂。"
    >>> unmatched_sentences(coder, text)[["provinces", "quote", "reason"]].values.tolist()
    [['CN-SH', '上海举办论坛', 'no keyword of the lexicon'], ['CN-GZ', '华为在贵州设厂', 'province named only as location']]
    """
    return coder.code(text, doc_id, province=province).unmatched


def code_file(path: str | os.PathLike, doc_id: str | None = None, encoding: str | None = None,
              coder: Coder | None = None, province: str | None = None) -> CodingResult:
    """Read a file with :func:`read_document` and code it; ``doc_id`` defaults to the file stem.

    An explicit ``doc_id`` must match :data:`npstudy.dataset.DOC_ID_PATTERN`; ``province`` is
    the document's own province (see :meth:`Coder.code`).
    """
    if doc_id is not None:
        check_doc_id(doc_id)
    text, used = read_document(path, encoding)
    result = code_text(text, doc_id or Path(path).stem, coder, province=province)
    if used != "utf-8":
        result.warnings.insert(0, f"read as {used}; offsets count characters of the decoded text")
    return result


# ----------------------------------------------------------------------- evaluation

def evaluate(suggestions: pd.DataFrame, reference: pd.DataFrame | None = None,
             level: str = "theme") -> dict:
    """Precision, recall and F1 of suggestions against a hand coding.

    Parameters
    ----------
    suggestions : pandas.DataFrame
        Coder output (or any practices table).
    reference : pandas.DataFrame, optional
        The hand coding; the shipped practices by default. Only documents present
        in ``suggestions`` are compared.
    level : {"theme", "code", "pillar"}
        Items compared are the sets of (document, province, category).

    Returns
    -------
    dict
        ``precision``, ``recall``, ``f1``, ``true_positives``, ``suggested``,
        ``reference``, and DataFrames ``missed`` (in the reference, not
        suggested) and ``extra`` (suggested, not in the reference).

    Notes
    -----
    ``precision = TP / |suggested|``, ``recall = TP / |reference|``,
    ``F1 = 2PR / (P + R)``, on distinct (doc_id, province, category) items.
    """
    if level not in ("pillar", "theme", "code"):
        raise ValueError(f"level must be 'pillar', 'theme' or 'code', not {level!r}")
    reference = load_practices() if reference is None else reference
    reference = reference[reference["doc_id"].isin(set(suggestions["doc_id"]))]
    key = ["doc_id", "province", level]
    got = set(map(tuple, suggestions[key].drop_duplicates().to_numpy().tolist()))
    want = set(map(tuple, reference[key].drop_duplicates().to_numpy().tolist()))
    tp = len(got & want)
    precision = tp / len(got) if got else float("nan")
    recall = tp / len(want) if want else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"level": level, "precision": precision, "recall": recall, "f1": f1,
            "true_positives": tp, "suggested": len(got), "reference": len(want),
            "missed": pd.DataFrame(sorted(want - got), columns=key),
            "extra": pd.DataFrame(sorted(got - want), columns=key)}
