"""Suggest codings for new Chinese text, and evaluate them against a hand coding.

The automatic coder finds provinces (full names, short names, prefecture-level
cities) and codebook keywords with **one** multi-pattern scan of the whole text,
and proposes one row per (clause, province, code) in the practices schema, with
the evidence clause, its offsets, the matched keywords and a confidence score.
Reading and splitting the text live in :mod:`npstudy.text`; review and merge in
:mod:`npstudy.workspace`.

Design choices, each tested:

- **Leftmost-longest matching** over provinces, cities and keywords together, so
  that a short name inside a longer one is not matched (浙江西部 is 浙江, not 江西;
  人工智能创新应用先导区 is one keyword, not 先导区).
- **No rewriting of the text.** Instead of normalising full-width characters,
  every width variant of a pattern is added to the matcher, so offsets always
  point into the text exactly as decoded from the file.
- **Counted, unnamed provinces** (9省份, 多数省份, 10余个省份, 多地) never become rows;
  they are returned as aggregate suggestions.
- **Hong Kong, Macao and Taiwan** are treated as partners, not actors (coding rule
  R4), unless ``include_partners=True``.
- **Traditional characters** are not converted: the gazetteer and keywords are in
  Simplified Chinese, so 廣東 or 碳足跡 are not found. :func:`code_text` reports a
  warning when a text looks Traditional.

The matcher is ``ahocorasick_rs`` (Rust Aho–Corasick, leftmost-longest), chosen by
measurement over Python's ``re`` and ``pyahocorasick`` (``benchmarks/``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import ahocorasick_rs
import numpy as np
import pandas as pd

from .codebook import Codebook
from .dataset import (FIRST_MOVER_MARKERS, PRACTICE_COLUMNS, check_doc_id, load_codebook,
                      load_practices)
from .gazetteer import Gazetteer, load_gazetteer
from .text import char_table, clause_layout, read_document, text_warnings

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
#: Columns of the unmatched-sentence report: sentences naming a province without a keyword.
UNMATCHED_COLUMNS = ["doc_id", "provinces", "quote", "start", "end", "paragraph"]
#: Quantifiers that stand for unnamed provinces ("多数省份"), matched as words.
QUANTIFIER_WORDS = ("多数省份", "多个省份", "许多省份", "部分省份", "不少省份", "一些省份", "多地",
                    "各地", "各省", "各省份", "各省区市")
# Endings of counted phrases ("9省份", "10余个省份"); the number is read backwards.
_COUNT_SUFFIXES = ("省份", "个省份", "余个省份", "余省份", "省区市", "个省区市", "余个省区市")
_NUMERALS = "0123456789０１２３４５６７８９一二三四五六七八九十两"
_FULL_DIGITS = {c: c - 0xFEE0 for c in range(0xFF10, 0xFF1A)}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
#: Short city names that are also common words; only their full names are matched.
AMBIGUOUS_CITY_NAMES = frozenset({
    "中山", "大同", "朝阳", "来宾", "北海", "白银", "安康", "阿里", "海西", "海北", "海东",
    "长治", "黄山", "兴安", "白山", "日照", "玉树", "黄南", "山南", "吉安", "普洱", "三沙",
    "海南", "通化", "抚顺", "永州", "宁德", "三明", "金昌", "定西", "河池", "玉林", "铜仁",
})
_IS_SEPARATOR = char_table("、,，和与及")
_IS_NUMERAL = char_table(_NUMERALS)


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

_PROVINCE, _CITY, _KEYWORD, _MOVER, _QUANT, _COUNT = 0, 1, 2, 3, 4, 5


@dataclass
class CodingResult:
    """What :meth:`Coder.code` found in one document."""

    suggestions: pd.DataFrame
    aggregates: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    #: Sentences that name a province but yielded no suggestion (see :func:`unmatched_sentences`).
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=UNMATCHED_COLUMNS))


class Coder:
    """Automatic coder built from a codebook and a gazetteer.

    Parameters
    ----------
    codebook : Codebook, optional
    gazetteer : Gazetteer, optional
    include_partners : bool, default False
        Code Hong Kong, Macao and Taiwan as actors (rule R4 treats them as partners).

    Examples
    --------
    >>> coder = Coder()
    >>> r = coder.code("山东、广东获批筹建国家碳计量中心。", doc_id="demo")
    >>> r.suggestions[["province", "code", "keywords"]].values.tolist()
    [['CN-SD', 'green.carbon_accounting.carbon_metrology', '碳计量中心'], ['CN-GD', 'green.carbon_accounting.carbon_metrology', '碳计量中心']]
    """

    def __init__(self, codebook: Codebook | None = None, gazetteer: Gazetteer | None = None,
                 include_partners: bool = False):
        self.codebook = codebook if codebook is not None else load_codebook()
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        entries: dict[str, tuple[int, str, str]] = {}

        def add(name: str, kind: int, value: str, label: str):
            for variant in _width_variants(name):
                # provinces first, then cities, then keywords: an earlier entry wins a tie
                entries.setdefault(variant, (kind, value, label))

        partners = {"CN-HK", "CN-MO", "CN-TW"}
        for row in self.gazetteer.provinces.itertuples():
            if row.iso_code in partners and not include_partners:
                continue
            for name in (row.name_zh, row.short_zh):
                add(name, _PROVINCE, row.iso_code, name)
        for row in self.gazetteer.cities.itertuples():
            add(row.name_zh, _CITY, row.province, row.short_zh)
            if row.short_zh not in AMBIGUOUS_CITY_NAMES and len(row.short_zh) >= 2:
                add(row.short_zh, _CITY, row.province, row.short_zh)
        for e in self.codebook.entries("code"):
            for kw in e.keywords:
                add(kw, _KEYWORD, e.id, kw)
        for marker in FIRST_MOVER_MARKERS:
            add(marker, _MOVER, "", marker)
        for word in QUANTIFIER_WORDS:
            add(word, _QUANT, "", word)
        for suffix in _COUNT_SUFFIXES:
            add(suffix, _COUNT, "", suffix)
        self._patterns = list(entries)
        self._kind = np.array([entries[p][0] for p in self._patterns], dtype=np.int64)
        self._value = np.array([entries[p][1] for p in self._patterns], dtype=object)
        self._label = np.array([entries[p][2] for p in self._patterns], dtype=object)
        self._matcher = _Matcher(self._patterns)
        # integer ids for vectorised grouping
        codes = self.codebook.entries("code")
        self._province_codes = np.array(self.gazetteer.codes, dtype=object)
        self._code_ids = np.array([e.id for e in codes], dtype=object)
        self._code_theme = np.array([e.parent for e in codes], dtype=object)
        self._code_pillar = np.array([e.id.split(".", 1)[0] for e in codes], dtype=object)
        inst = [(e.instrument or "/").split("/") for e in codes]
        self._code_category = np.array([i[0] for i in inst], dtype=object)
        self._code_type = np.array([i[1] for i in inst], dtype=object)
        prov_index = {c: i for i, c in enumerate(self._province_codes)}
        code_index = {c: i for i, c in enumerate(self._code_ids)}
        self._value_id = np.array([prov_index.get(v, code_index.get(v, -1)) for v in self._value],
                                  dtype=np.int64)
        self._labels = np.array(sorted(set(self._label)), dtype=object)
        label_index = {lab: i for i, lab in enumerate(self._labels)}
        self._label_id = np.array([label_index[lab] for lab in self._label], dtype=np.int64)

    @property
    def backend(self) -> str:
        """The matching engine in use."""
        return self._matcher.backend

    def scan(self, text: str) -> pd.DataFrame:
        """Every province, city, keyword and first-mover match: the bare scan.

        Returns
        -------
        pandas.DataFrame
            ``start``, ``end``, ``kind`` (province, city, keyword, first_mover,
            quantifier, count_suffix),
            ``value`` (ISO code or code id) and ``match`` (the text matched).
        """
        idx, start, end = self._matcher.find(text)
        kinds = np.array(["province", "city", "keyword", "first_mover", "quantifier",
                          "count_suffix"], dtype=object)
        return pd.DataFrame({"start": start, "end": end, "kind": kinds[self._kind[idx]],
                             "value": self._value[idx],
                             "match": [text[s:e] for s, e in zip(start, end)]})

    def code(self, text: str, doc_id: str = "doc") -> CodingResult:
        """Suggest codings for a text.

        Parameters
        ----------
        text : str
            The document text (as returned by :func:`read_document`).
        doc_id : str
            Written into every suggestion.

        Returns
        -------
        CodingResult
            ``suggestions`` (columns :data:`SUGGESTION_COLUMNS`), ``aggregates``
            (columns :data:`AGGREGATE_SUGGESTION_COLUMNS`) and ``warnings``.

        Notes
        -----
        Provinces separated only by 、, 和, 与 or 及 form a group (山东、广东、福建).
        A keyword is attributed to the nearest group before it in its own clause
        (or the first group after it); in a clause that names no province, to
        the last group of the nearest earlier clause of the same sentence (the
        subject carries over: 广东出台…;同时,依托…). A clause whose subject is a
        count (其中,9省份瞄准…) names its own subject, so nothing is carried into it
        or past it. Confidence is a ranking aid, not a
        probability: 0.6 when province and keyword share a clause, 0.4 when the
        province is carried over, +0.1 for each further distinct keyword of the
        same code (at most 0.95), −0.1 when the province is known only through a
        city.
        """
        lay = clause_layout(text)
        starts, ends, sentence, newlines, cp = lay.starts, lay.ends, lay.sentence, lay.newlines, lay.cp
        warnings = text_warnings(cp)
        idx, mstart, mend = self._matcher.find(text)
        clause = np.searchsorted(starts, mstart, side="right") - 1
        inside = (clause >= 0) & (mstart < ends[np.maximum(clause, 0)])
        idx, mstart, mend, clause = idx[inside], mstart[inside], mend[inside], clause[inside]
        kind = self._kind[idx]
        n_clauses = len(starts)
        # counts need a number right before 省份 ("9省份"); "等省份" is no count
        number_before = _IS_NUMERAL[cp[np.maximum(mstart - 1, 0)]] & (mstart > starts[clause])
        quant = (kind == _QUANT) | ((kind == _COUNT) & number_before)
        q_start, q_clause = mstart[quant], clause[quant]
        q_begin = _number_start(q_start, kind[quant] == _COUNT, starts[q_clause], cp)
        aggregates = _aggregates(text, q_begin, q_start, mend[quant], kind[quant], q_clause,
                                 starts, ends, doc_id, newlines)
        # "上海、福建等10余个省份…": the count includes the provinces named before 等,
        # so it does not take the keywords away from them
        inclusive = (q_begin > starts[q_clause]) & (cp[np.maximum(q_begin - 1, 0)] == ord("等"))

        # clause -> nearest clause of the same sentence (itself included) with a subject;
        # a counted subject ("9省份…") is a subject too, but names no province to inherit
        is_prov = (kind == _PROVINCE) | (kind == _CITY)
        has_prov = np.zeros(n_clauses, bool)
        has_prov[clause[is_prov]] = True
        has_subject = has_prov.copy()
        has_subject[q_clause[~inclusive]] = True
        last = np.maximum.accumulate(np.where(has_subject, np.arange(n_clauses), -1))
        ok = (last >= 0) & (sentence[np.maximum(last, 0)] == sentence) & has_prov[np.maximum(last, 0)]
        source = np.where(ok, last, -1)

        # Provinces separated only by 、 , 和 与 及 form one group ("山东、广东、福建…").
        p_pos, p_end, p_clause = mstart[is_prov], mend[is_prov], clause[is_prov]
        p_prov, p_city = self._value_id[idx[is_prov]], np.where(
            kind[is_prov] == _CITY, self._label_id[idx[is_prov]], -1)
        is_kw = (kind == _KEYWORD) & (source[clause] >= 0)
        if not len(p_pos) or not is_kw.any():
            if not len(p_pos):
                warnings.append("no province or prefecture-level city found in the text")
            return CodingResult(_empty_suggestions(), aggregates, warnings)
        gap = p_pos[1:] - p_end[:-1]
        joined = (gap == 0) | ((gap == 1) & _IS_SEPARATOR[cp[np.minimum(p_end[:-1], len(cp) - 1)]])
        p_group = np.cumsum(np.concatenate([[True], ~joined | (p_clause[1:] != p_clause[:-1])])) - 1

        # A keyword goes to the nearest group before it in its clause (else the first
        # group after it); carried over, to the last group of the source clause.
        k_pos, k_clause = mstart[is_kw], clause[is_kw]
        k_source = source[k_clause]
        own_clause = k_source == k_clause
        before = np.searchsorted(p_pos, np.where(own_clause, k_pos, starts[k_clause])) - 1
        ok_before = (before >= 0) & (p_clause[np.maximum(before, 0)] == k_source)
        k_group = np.where(ok_before, p_group[np.maximum(before, 0)],
                           p_group[np.minimum(before + 1, len(p_pos) - 1)])
        k_code, k_label = self._value_id[idx[is_kw]], self._label_id[idx[is_kw]]
        # a count between the provinces and the keyword is the keyword's subject
        # ("山西、上海…制定规划,其中,9省份瞄准氢能"): such keywords go to no province
        q_pos, q_clause = q_start[~inclusive], q_clause[~inclusive]
        jq = np.searchsorted(q_pos, k_pos) - 1
        prior_prov = np.where(ok_before, p_pos[np.maximum(before, 0)], -1)
        blocked = own_clause & (jq >= 0) & (q_clause[np.maximum(jq, 0)] == k_clause) \
            & (q_pos[np.maximum(jq, 0)] > prior_prov) if len(q_pos) else np.zeros(len(k_pos), bool)
        k_pos, k_clause, k_group, k_code, k_label = (a[~blocked] for a in (
            k_pos, k_clause, k_group, k_code, k_label))
        if not len(k_pos):
            return CodingResult(_empty_suggestions(), aggregates, warnings)

        # distinct (group, province): first position, direct mention, cities
        n_prov = len(self._province_codes)
        gp_key = p_group * n_prov + p_prov
        gp_unique, gp_first, gp_inverse = np.unique(gp_key, return_index=True, return_inverse=True)
        gp_direct = np.zeros(len(gp_unique), bool)
        np.logical_or.at(gp_direct, gp_inverse, p_city < 0)
        gp_city = _join_labels(gp_inverse[p_city >= 0], p_city[p_city >= 0], len(gp_unique),
                               self._labels)
        gp_group, gp_prov, gp_pos = gp_unique // n_prov, gp_unique % n_prov, p_pos[gp_first]

        # distinct (keyword clause, group, code): keywords, number of distinct keywords
        n_code = len(self._code_ids)
        kc_key = (k_clause * (p_group[-1] + 1) + k_group) * n_code + k_code
        kc_unique, kc_inverse = np.unique(kc_key, return_inverse=True)
        pair_unique, pair_first = np.unique(kc_inverse * len(self._labels) + k_label, return_index=True)
        pair_kc = pair_unique // len(self._labels)
        n_keywords = np.bincount(pair_kc, minlength=len(kc_unique))
        order = np.argsort(pair_first, kind="stable")  # keywords in order of appearance
        kc_keywords = _join_labels(pair_kc[order], (pair_unique % len(self._labels))[order],
                                   len(kc_unique), self._labels)
        kc_code = kc_unique % n_code
        kc_rest = kc_unique // n_code
        kc_group = kc_rest % (p_group[-1] + 1)
        kc_clause = kc_rest // (p_group[-1] + 1)

        # join on group: every (clause, code) x every province of its group
        g_first = np.searchsorted(gp_group, kc_group, side="left")
        g_count = np.searchsorted(gp_group, kc_group, side="right") - g_first
        row_kc = np.repeat(np.arange(len(kc_unique)), g_count)
        offsets = np.arange(len(row_kc)) - np.repeat(np.cumsum(g_count) - g_count, g_count)
        row_gp = np.repeat(g_first, g_count) + offsets
        r_clause, r_prov, r_code = kc_clause[row_kc], gp_prov[row_gp], kc_code[row_kc]
        order = np.lexsort((r_code, gp_pos[row_gp], r_clause))
        row_kc, row_gp, r_clause, r_prov, r_code = (a[order] for a in (row_kc, row_gp, r_clause,
                                                                        r_prov, r_code))
        _, keep = np.unique((r_clause * n_prov + r_prov) * n_code + r_code, return_index=True)
        keep.sort()
        row_kc, row_gp, r_clause, r_prov, r_code = (a[keep] for a in (row_kc, row_gp, r_clause,
                                                                       r_prov, r_code))
        own = source[r_clause] == r_clause
        confidence = (np.where(own, 0.6, 0.4) + 0.1 * (n_keywords[row_kc] - 1)
                      - 0.1 * ~gp_direct[row_gp])
        clauses, clause_row = np.unique(r_clause, return_inverse=True)
        quotes = np.array([text[a:b] for a, b in zip(starts[clauses], ends[clauses])],
                          dtype=object)[clause_row]
        movers = np.zeros(n_clauses, bool)
        movers[clause[kind == _MOVER]] = True
        q_start, q_end = starts[r_clause], ends[r_clause]
        n = len(r_clause)
        out = pd.DataFrame({
            "id": [f"S{i + 1:05d}" for i in range(n)],
            "doc_id": doc_id,
            "province": self._province_codes[r_prov],
            "city": gp_city[row_gp],
            "pillar": self._code_pillar[r_code],
            "theme": self._code_theme[r_code],
            "code": self._code_ids[r_code],
            "instrument": self._code_category[r_code],
            "instrument_type": self._code_type[r_code],
            "quote": quotes,
            "start": q_start,
            "end": q_end,
            "paragraph": np.searchsorted(newlines, q_start, side="right"),
            "summary_en": "",
            "target": "",
            "first_mover": np.where(movers[r_clause], "true", "false").astype(object),
            "coder": "npstudy-coder",
            "note": "",
            "keywords": kc_keywords[row_kc],
            "confidence": np.round(np.clip(confidence, 0.05, 0.95), 2),
            "decision": "",
        })
        return CodingResult(out, aggregates, warnings)


def _join_labels(group: np.ndarray, label: np.ndarray, n_groups: int,
                 labels: np.ndarray) -> np.ndarray:
    """``;``-joined distinct labels per group, in the order given; "" for none.

    Vectorised: the k-th label of every group is appended in one object-array
    operation, for k = 0, 1, … (groups rarely hold more than a few labels).
    """
    out = np.full(n_groups, "", dtype=object)
    if not len(group):
        return out
    _, first = np.unique(group * len(labels) + label, return_index=True)
    first.sort()
    group, label = group[first], label[first]
    order = np.argsort(group, kind="stable")
    group, label = group[order], label[order]
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    rank = np.arange(len(group)) - np.repeat(starts, np.diff(np.concatenate([starts, [len(group)]])))
    for k in range(int(rank.max()) + 1):
        sel = rank == k
        text = labels[label[sel]]
        out[group[sel]] = text if k == 0 else out[group[sel]] + ";" + text
    return out


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


def _aggregates(text, begin, q_start, q_end, q_kind, k, starts, ends, doc_id,
                newlines) -> pd.DataFrame:
    is_count = q_kind == _COUNT
    counts = [None] * len(begin)
    lower = np.zeros(len(begin), bool)
    for i in np.flatnonzero(is_count).tolist():
        digits = text[begin[i]:q_start[i]].translate(_FULL_DIGITS)
        counts[i] = int(digits) if digits.isdigit() else _cn_number(digits)
        lower[i] = text[q_start[i]] == "余"
    clauses, row = np.unique(k, return_inverse=True)
    quotes = np.array([text[a:b] for a, b in zip(starts[clauses], ends[clauses])], dtype=object)
    return pd.DataFrame({
        "doc_id": doc_id,
        "quantifier": [text[a:b] for a, b in zip(begin.tolist(), q_end.tolist())],
        "count": pd.array(counts, dtype="Int64"),
        "count_is_lower_bound": lower,
        "quote": quotes[row] if len(k) else np.empty(0, dtype=object),
        "start": starts[k], "end": ends[k],
        "paragraph": np.searchsorted(newlines, starts[k], side="right"),
    }, columns=AGGREGATE_SUGGESTION_COLUMNS)


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


def code_text(text: str, doc_id: str = "doc", coder: Coder | None = None) -> CodingResult:
    """Suggest codings for a text with the default coder (built once, then reused)."""
    global _DEFAULT_CODER
    if coder is None:
        if _DEFAULT_CODER is None:
            _DEFAULT_CODER = Coder()
        coder = _DEFAULT_CODER
    result = coder.code(text, doc_id)
    result.unmatched = unmatched_sentences(coder, text, result.suggestions, doc_id)
    return result


def unmatched_sentences(coder: Coder, text: str, suggestions: pd.DataFrame,
                        doc_id: str = "doc") -> pd.DataFrame:
    """Sentences that name a province or city but gave no suggestion, for a reviewer to read.

    The coder only suggests a row where a codebook keyword goes with a province;
    these are the sentences it dropped.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNMATCHED_COLUMNS`: ``provinces`` (ISO codes in order of
        first mention, ``;``-separated), the sentence as ``quote`` with its
        ``start``/``end`` offsets (``text[start:end] == quote``) and ``paragraph``
        (0-based line).

    Examples
    --------
    >>> coder = Coder()
    >>> text = "上海举办论坛。浙江建设概念验证中心。"
    >>> r = code_text(text, "demo", coder)
    >>> r.unmatched[["provinces", "quote"]].values.tolist()
    [['CN-SH', '上海举办论坛']]
    """
    lay = clause_layout(text)
    hits = coder.scan(text)
    hits = hits[hits["kind"].isin(["province", "city"])]
    clause = np.searchsorted(lay.starts, hits["start"].to_numpy(), side="right") - 1
    ok = (clause >= 0) & (hits["start"].to_numpy() < lay.ends[np.maximum(clause, 0)])
    sentence = lay.sentence[clause[ok]]
    coded = set(lay.sentence[np.searchsorted(lay.starts, suggestions["start"].to_numpy(
        dtype=np.int64), side="right") - 1].tolist()) if len(suggestions) else set()
    values = hits["value"].to_numpy()[ok]
    first = np.searchsorted(lay.sentence, np.arange(lay.sentence.max() + 1 if len(lay.sentence)
                                                    else 0), side="left")
    last = np.searchsorted(lay.sentence, np.arange(len(first)), side="right") - 1
    order = np.argsort(sentence, kind="stable")
    bounds = np.searchsorted(sentence[order], np.arange(len(first) + 1))
    rows = []
    for sid in dict.fromkeys(sentence.tolist()):
        if sid in coded:
            continue
        start, end = int(lay.starts[first[sid]]), int(lay.ends[last[sid]])
        names = values[order[bounds[sid]:bounds[sid + 1]]]
        rows.append({"doc_id": doc_id, "provinces": ";".join(dict.fromkeys(names.tolist())),
                     "quote": text[start:end], "start": start, "end": end,
                     "paragraph": int(np.searchsorted(lay.newlines, start, side="right"))})
    return pd.DataFrame(rows, columns=UNMATCHED_COLUMNS)


def code_file(path: str | os.PathLike, doc_id: str | None = None, encoding: str | None = None,
              coder: Coder | None = None) -> CodingResult:
    """Read a file with :func:`read_document` and code it; ``doc_id`` defaults to the file stem.

    An explicit ``doc_id`` must match :data:`npstudy.dataset.DOC_ID_PATTERN`.
    """
    if doc_id is not None:
        check_doc_id(doc_id)
    text, used = read_document(path, encoding)
    result = code_text(text, doc_id or Path(path).stem, coder)
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
