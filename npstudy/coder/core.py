"""The coder's core: build the vocabulary once, then code texts block by block.

A text is scanned once (:mod:`npstudy.coder.matcher`); counted, unnamed provinces become
aggregates (:mod:`npstudy.coder.counts`); keywords are attributed to actors
(:mod:`npstudy.coder.attribution`, :mod:`npstudy.coder.actors`, with the statement rules of
:mod:`npstudy.coder.statement`); rows become tables (:mod:`npstudy.coder.tables`).

**Bounded memory, two threads.** Texts longer than ``block_chars`` (a million characters by
default) are cut at line breaks into blocks of equal size, which two threads scan and code at
once (the scan and most array work release the GIL); the actor never carries across a line,
and what 我省 means without ``province`` is worked out for the whole text, so blocks give
the same rows as one pass. Shorter texts are coded in the calling thread.
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..codebook import Codebook
from ..dataset import load_codebook
from ..fileio import CodingError
from ..gazetteer import ABBREVIATIONS, PROVINCE_HINT, Gazetteer, load_gazetteer
from ..text import clause_layout, code_points, text_warnings
from .attribution import Layout, Matches, attribute
from .confidence import calibrate
from .counts import IS_NUMERAL, aggregate_frame, aggregates, number_start
from .matcher import (COUNT, KEYWORD, KIND_NAMES, NATIONAL, PARTNERS, PROVINCE, CITY, QUANT, SELF, STOP,
                      Matcher, StraddleMatcher, abbreviation_lists, dateline_spans, vocabulary)
from .rules import alternation, decider
from .national import PASSIVE_NATIONAL
from .screen import load_screen, screen
from .statement import is_instrument_term, statement_filter, statement_reasons
from .tables import (UNMATCHED_COLUMNS, as_strings, empty_unmatched, suggestion_columns,
                     suggestion_frame)

__all__ = ["Coder", "CodingResult", "code_text", "default_coder", "blocks"]

#: The kinds of match that name an actor: a province, a city or place, a self-reference.
_ACTOR_KINDS = frozenset((PROVINCE, CITY, SELF))
#: Threads that code blocks of one long text at once.
_WORKERS = min(2, os.cpu_count() or 1)


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
    unmatched: pd.DataFrame = field(default_factory=empty_unmatched)


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
    statement_test : bool, default True
        Drop the suggestions whose sentence states no provincial action
        (:mod:`npstudy.coder.statement`).
    calibrated : bool, default True
        Give each suggestion a confidence fitted on real text: the statement screen's
        probability, or (without the screen) the rate of its cell
        (:mod:`npstudy.coder.confidence`). False keeps the heuristic score.
    screened : bool, default True
        After the statement test, drop the (document, province, theme) items that the
        statement screen (:mod:`npstudy.coder.screen`, trained on labelled real text) finds
        unlikely; each of their sentences is listed in ``unmatched`` with the probability.
    block_chars : int
        Long texts are coded in blocks of at most about this many characters, cut at
        line breaks into equal parts, so that memory stays bounded; two threads code
        the blocks at once (the actor never carries across a line). Only texts longer
        than this use blocks and threads.

    Examples
    --------
    >>> coder = Coder()
    >>> r = coder.code("山东、广东获批筹建国家碳计量中心。", doc_id="demo")
    >>> r.suggestions[["province", "code", "keywords"]].values.tolist()
    [['CN-SD', 'green.carbon_accounting.carbon_metrology', '国家碳计量中心'], ['CN-GD', 'green.carbon_accounting.carbon_metrology', '国家碳计量中心']]
    """

    def __init__(self, codebook: Codebook | None = None, gazetteer: Gazetteer | None = None,
                 include_partners: bool = False, lexicon: pd.DataFrame | None = None,
                 places: pd.DataFrame | None = None, block_chars: int = 1_000_000,
                 statement_test: bool = True, calibrated: bool = True, screened: bool = True):
        from ..lexicon import load_lexicon, load_places

        self.codebook = codebook if codebook is not None else load_codebook()
        self.gazetteer = gazetteer if gazetteer is not None else load_gazetteer()
        self.block_chars = int(block_chars)
        self.statement_test, self.calibrated = bool(statement_test), bool(calibrated)
        self.screened = bool(screened)
        #: the statement screen in use (None: no screen shipped, or ``screened=False``)
        self.screen = load_screen() if self.screened and self.statement_test else None
        codes = self.codebook.entries("code")
        if lexicon is None:
            lexicon = load_lexicon(codes={e.id for e in codes})
        if places is None:
            places = load_places()
        self._partners = set(PARTNERS)
        entries, self._rules = vocabulary(self.gazetteer, lexicon, places, codes, include_partners)
        self._patterns = list(entries)
        self._kind = np.array([entries[p][0] for p in self._patterns], dtype=np.int64)
        self._value = [entries[p][1] for p in self._patterns]
        self._label = [entries[p][2] for p in self._patterns]
        self._matcher = Matcher(self._patterns)
        straddle = [i for i, p in enumerate(self._patterns)
                    if self._kind[i] == KEYWORD and is_instrument_term(p)]
        self._straddle = StraddleMatcher([self._patterns[i] for i in straddle], straddle)
        self._longest = max(map(len, self._patterns))
        self._code_ids = [e.id for e in codes]
        self._code_theme = [e.parent for e in codes]
        self._code_pillar = [e.id.split(".", 1)[0] for e in codes]
        inst = [(e.instrument or "/").split("/") for e in codes]
        self._code_category = [i[0] for i in inst]
        self._code_type = [i[1] for i in inst]
        # context rules as compiled alternations; per rule set, a function of (text,
        # sentence starts, sentence ends) giving the codes
        self._rule_res = [tuple((code, alternation(req), alternation(exc)) for code, req, exc in rs)
                          for rs in self._rules]
        self._decide = [decider(rs) for rs in self._rule_res]
        self._province_index = {c: i for i, c in enumerate(self.gazetteer.codes)}
        self._province_lookup = pd.Index(list(self._province_index), dtype=object)
        self._arrays()
        self._strings = self._string_arrays()

    def _arrays(self) -> None:
        """Per pattern: province, implied code, rule set, label, plain code, passive flag."""
        kinds = self._kind.tolist()
        place = [k in (PROVINCE, CITY) for k in kinds]
        self._prov_of = np.array([v[0] if pl else "" for v, pl in zip(self._value, place)], dtype=object)
        self._implied = np.array([v[1] if pl else -1 for v, pl in zip(self._value, place)],
                                 dtype=np.int64)
        self._rule_index = np.array([v if k == KEYWORD else -1 for k, v in zip(kinds, self._value)],
                                    dtype=np.int64)
        # one-character abbreviations point at their province's short-name pattern
        pattern_index = {pat: i for i, pat in enumerate(self._patterns)}
        short = dict(zip(self.gazetteer.provinces["iso_code"], self.gazetteer.provinces["short_zh"]))
        self._abbreviation_pattern = {ch: pattern_index[short[iso]] for iso, ch in ABBREVIATIONS.items()}
        self._passive = np.array([k == NATIONAL and lab in PASSIVE_NATIONAL
                                  for k, lab in zip(kinds, self._label)], dtype=bool)
        self._label_arr = np.array(self._label, dtype=object)
        self._labels_arr = np.array(sorted(set(self._label)), dtype=object)
        self._labels_semi = np.array([";" + lab for lab in self._labels_arr.tolist()], dtype=object)
        self._label_index = {lab: i for i, lab in enumerate(self._labels_arr.tolist())}
        self._label_id = np.array([self._label_index[lab] for lab in self._label], dtype=np.int64)

        # a keyword's code when it needs no context (-2: check its rules; -1: no keyword)
        def plain(rules):
            return rules[0][0] if len(rules) == 1 and not (rules[0][1] or rules[0][2]) else -2

        self._plain_code = np.array([plain(self._rules[v]) if k == KEYWORD else -1
                                     for k, v in zip(kinds, self._value)], dtype=np.int64)

    def _string_arrays(self) -> dict:
        """String columns' values, made once: the table takes them by index."""
        strings = {
            "province": as_strings(np.array(self._province_lookup.tolist(), dtype=object)),
            "": as_strings(np.array([""], dtype=object)),
            "npstudy-coder": as_strings(np.array(["npstudy-coder"], dtype=object)),
            "false/true": as_strings(np.array(["false", "true"], dtype=object))}
        strings.update({name: as_strings(np.array(values, dtype=object)) for name, values in (
            ("pillar", self._code_pillar), ("theme", self._code_theme), ("code", self._code_ids),
            ("instrument", self._code_category), ("instrument_type", self._code_type))})
        return strings

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
            quantifier, count_suffix, national, self_reference, stop) and ``match``
            (the text matched).
        """
        idx, start, end = self._matcher.find(text)
        kinds = np.array(KIND_NAMES, dtype=object)
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

        *Confidence.* The statement screen's probability that an annotator would label
        the suggestion's (document, province, theme) item. The heuristic score it starts
        from (``calibrated=False``) is 0.6 when province and keyword share a clause, 0.4
        when the actor is carried over, +0.1 for each further distinct keyword of the same
        code (at most 0.95), −0.1 when the province is known only through a city or place.
        """
        if not isinstance(text, str):
            raise CodingError(f"text must be a str, not {type(text).__name__} – decode bytes "
                              "first (npstudy.text.read_document)")
        if not isinstance(doc_id, str) or not doc_id.strip() or "\n" in doc_id or "\r" in doc_id:
            raise CodingError(f"doc_id {doc_id!r}: give a non-empty name on one line")
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
                raise CodingError(f"--province {province!r} is not a province name or ISO code "
                                  f"– {PROVINCE_HINT}")
        # what 我省, 全市 … mean where the paragraph names no province: the document's own
        # province, else the first province the document names
        first_named = None if default else self._first_named(text)
        # warnings look at the start of the whole text, whatever the blocks
        warnings = text_warnings(code_points(text[:200_000]))
        parts = self._blocks_coded(text, doc_id, default, first_named)
        suggestions = suggestion_frame([part[0] for part in parts], doc_id)
        aggregates_ = aggregate_frame([part[1] for part in parts], doc_id)
        unmatched = pd.DataFrame([(doc_id,) + u for part in parts for u in part[2]],
                                 columns=UNMATCHED_COLUMNS)
        screened = False
        if self.statement_test:
            candidates = suggestions
            reasons = statement_reasons(candidates, self.names_actor)
            suggestions, unmatched = statement_filter(suggestions, unmatched, self.names_actor,
                                                      reasons)
            if self.screen is not None:
                suggestions, unmatched = screen(candidates, reasons, suggestions, unmatched, text,
                                                self.names_actor, self.screen, self.calibrated,
                                                own=default or first_named)
                screened = True
        if self.calibrated and not screened:
            suggestions = calibrate(suggestions)
        if not len(suggestions) and not len(unmatched) and not default:
            warnings.append("no province or prefecture-level city found in the text")
        if self.screened and self.statement_test and self.screen is None:
            warnings.append("the statement screen (npstudy/coder/screen.npz) is missing, so these "
                            "are the statement rules' suggestions alone – reinstall npstudy, or "
                            "pass screened=False to ask for the rules alone")
        return CodingResult(suggestions, aggregates_, warnings, unmatched)

    def _blocks_coded(self, text, doc_id, default, first_named) -> list[tuple]:
        """(suggestion columns, aggregate columns, unmatched rows) of each block, in order.

        A text of at most ``block_chars`` characters is one block, coded here. Longer texts
        are cut into blocks of equal size, as many as a multiple of the threads so that no
        thread waits, and coded by two threads, at most three blocks in flight.
        """
        n_blocks = -(-len(text) // self.block_chars)
        if n_blocks > 1:
            n_blocks = -(-n_blocks // _WORKERS) * _WORKERS
        spans = blocks(text, n_blocks)
        # each block's paragraph numbers start after the lines of the blocks before it
        line0 = np.cumsum([0] + [text.count("\n", a, b) for a, b in spans[:-1]]).tolist()

        def one(k):
            a, b = spans[k]
            return self._code_block(text[a:b], doc_id, default, a, line0[k], first_named)

        workers = min(_WORKERS, len(spans))
        if workers <= 1:
            return [one(k) for k in range(len(spans))]
        # blocks are independent (the actor never carries across a line): the scan and most
        # array operations release the GIL
        out = []
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            pending = [pool.submit(one, k) for k in range(min(workers + 1, len(spans)))]
            for k in range(len(spans)):
                out.append(pending[k].result())
                pending[k] = None
                if k + workers + 1 < len(spans):
                    pending.append(pool.submit(one, k + workers + 1))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return out

    def _code_block(self, text: str, doc_id: str, default: str | None, base: int, line0: int,
                    first_named: str | None = None):
        lay = clause_layout(text)
        starts, ends, cp = lay.starts, lay.ends, lay.cp
        m = self._block_matches(text, lay)
        m, aggregates_ = self._counts(text, lay, m, base, line0)
        paragraph = np.searchsorted(lay.newlines, starts, side="right")
        layout = Layout(text, cp, starts, ends, lay.sentence, paragraph)
        rows, unmatched = attribute(self, layout, m, default, first_named)
        suggestions = suggestion_columns(self, text, rows, doc_id, starts, ends, paragraph, base,
                                         line0, cp)
        unmatched = [(prov, q, a + base, b + base, int(p) + line0, why)
                     for q, a, b, p, prov, why in unmatched]
        return suggestions, aggregates_, unmatched

    def _block_matches(self, text: str, lay) -> Matches:
        """The block's matches inside clauses and outside datelines, with abbreviation lists."""
        idx, mstart, mend = self._matcher.find(text)
        idx, mstart, mend = self._straddle.add(text, idx, mstart, mend, self._kind[idx] == KEYWORD)
        idx, mstart, mend = abbreviation_lists(text, lay.cp, idx, mstart, mend,
                                               self._abbreviation_pattern)
        clause = np.searchsorted(lay.starts, mstart, side="right") - 1
        inside = (clause >= 0) & (mstart < lay.ends[np.maximum(clause, 0)])
        spans = dateline_spans(text, lay.cp)      # datelines are no actors
        if spans:
            sp = np.array(spans, dtype=np.int64)
            j = np.searchsorted(sp[:, 0], mstart, side="right") - 1
            inside &= ~((j >= 0) & (mstart < sp[np.maximum(j, 0), 1]))
        idx, mstart, mend, clause = idx[inside], mstart[inside], mend[inside], clause[inside]
        return Matches(idx, mstart, mend, clause, self._kind[idx])

    def names_actor(self, clause: str) -> bool:
        """Whether ``clause`` names a province, a city or place, or a self-reference (我省)."""
        idx, _, _ = self._matcher.find(clause)
        return not _ACTOR_KINDS.isdisjoint(self._kind[idx].tolist())

    def _counts(self, text, lay, m: Matches, base: int, line0: int):
        """The aggregates of a block, and its matches with counts as subjects (9省份…).

        Counts need a number right before 省份 ("9省份"; "等省份" is no count); a count after
        等 includes the provinces named before it (上海、福建等10余个省份) and is no subject.
        """
        starts, cp, kind, clause = lay.starts, lay.cp, m.kind, m.clause
        number_before = IS_NUMERAL[cp[np.maximum(m.start - 1, 0)]] & (m.start > starts[clause])
        quant = (kind == QUANT) | ((kind == COUNT) & number_before)
        q_start, q_clause = m.start[quant], clause[quant]
        is_count = kind[quant] == COUNT
        q_begin = number_start(q_start, is_count, starts[q_clause], cp)
        found = aggregates(text, q_begin, q_start, m.end[quant], is_count, q_clause,
                           starts, lay.ends, lay.newlines, cp, base, line0)
        inclusive = (q_begin > starts[q_clause]) & (cp[np.maximum(q_begin - 1, 0)] == ord("等"))
        count_subject = np.zeros(len(kind), bool)
        count_subject[np.flatnonzero(quant)[~inclusive]] = True
        useful = ((kind != COUNT) | count_subject) & (kind != STOP)
        m, count_subject = m.take(useful), count_subject[useful]
        m.kind = np.where(count_subject, QUANT, m.kind)
        m.kind = np.where(m.kind == QUANT, np.where(count_subject, QUANT, -1), m.kind)
        return m.take(m.kind >= 0), found

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
                     idx[sure & np.isin(self._kind[idx], (PROVINCE, CITY))].tolist()]
            named = [p for p in named if p not in self._partners]
            if named:
                return named[0]
            if n >= len(text):
                return None
            n *= 10


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


def blocks(text: str, n: int) -> list[tuple[int, int]]:
    """``text`` cut into about ``n`` spans of equal length, each cut after a line break.

    A cut goes to the last line break before its even share, else to the first one after
    it; a text with fewer line breaks gives fewer spans.

    Examples
    --------
    >>> blocks("ab\\ncd\\nef", 3)
    [(0, 3), (3, 6), (6, 8)]
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


_DEFAULT_CODER: Coder | None = None


def default_coder() -> Coder:
    """The coder with the shipped codebook, lexicon and gazetteer, built once and reused."""
    global _DEFAULT_CODER
    if _DEFAULT_CODER is None:
        _DEFAULT_CODER = Coder()
    return _DEFAULT_CODER


def code_text(text: str, doc_id: str = "doc", coder: Coder | None = None,
              province: str | None = None) -> CodingResult:
    """Suggest codings for a text with the default coder (built once, then reused).

    ``province`` is the document's own province (see :meth:`Coder.code`).
    """
    coder = coder if coder is not None else default_coder()
    return coder.code(text, doc_id, province=province)
