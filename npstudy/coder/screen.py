"""The statement screen: a model, trained on labelled real text, that vetoes weak suggestions.

The rules of :mod:`npstudy.coder.statement` drop sentences that plainly state no provincial
action. What they let through is still, on real published text, about half directions,
targets, outcomes and fields. The screen estimates for each suggested (document, province,
theme) *item* the probability that an annotator would label it, and drops the items below a
threshold; the probability becomes the suggestion's ``confidence``.

**Features** (binary; an item has a feature when one of its sentences has it, rules or not):

- the verdict of the statement rules on the sentence (``reason=…``, :func:`statement_reason`)
  and which of their patterns it holds (a statistic, a rate, an exhortation, a target…);
- in the keyword's clause: the kind of policy verb (strong, weak, none) and the verb itself,
  whether the clause names an actor, whether the keyword is an instrument term, and the
  character bigrams of the clause with the keyword masked (``K``);
- the theme and the keyword; how sure the attribution is (the heuristic confidence);
- the support: whether the item comes from two or more sentences, or three or more, and
  whether its sentence suggests three or more themes (a list);
- the character bigrams of the whole sentence with the keywords masked (``sg:``): what the
  other clauses say (…介绍, 目标…, a firm's name) bears on the keyword's clause;
- the document: figures per 1,000 characters, mean sentence length and candidate
  suggestions per 1,000 characters, each in six bins, so that a text dense with figures
  (a statistics review) and a text of plain statements start from different priors; how
  often it speaks for its own government (我省, 全市), names national bodies, firms and foreign
  countries; how many provinces and themes its candidates name;
- the province: whether it is the document's own (the recorded province, else the first the
  text names) and its share of the document's candidates.

**Model.** L2-regularised logistic regression (scikit-learn ``lbfgs``, fitted with one BLAS
thread and its weights rounded to nine decimal places, so that a refit writes the same bytes),
features seen in at least two training items. The weights ship as plain arrays in
``screen.npz`` (read with ``allow_pickle=False``) and the training record in
``screen.json``: the label files and their SHA-256, the regularisation, the threshold,
and the cross-validated reliability and cut-off tables that ``npstudy build`` writes as
``coder_calibration.csv`` and ``coder_calibration_cutoffs.csv`` (figure 10).

**Training** runs in a checkout, with the real texts cached::

    python -m npstudy.coder.screenfit --real LABELS TEXTS [--real …] [--retired LABELS TEXTS …] \
        --project DIR [--guard DIR]

(:mod:`npstudy.coder.screenfit`). Every ``--real`` set is a stand-off label file (only its
``dev`` excerpts are read) and the folder of its cached texts; ``--retired`` a test set
that was scored once and has been replaced by a newer frozen one (its ``test`` excerpts
are read); ``--project`` a
project-written corpus, always in training, whose plain statements keep the screen from
vetoing them; ``--guard`` a project-written corpus that is not trained on. The
regularisation and threshold are chosen by leave-one-set-out cross-validation over the
real sets (each is predicted by a model fitted without it): the threshold maximises the F1
of the pooled out-of-set predictions among those that leave every project corpus at least
as precise as the rules alone, with an F1 at least as high.

References
----------
Cox, D. R. (1958). The regression analysis of binary sequences. *Journal of the Royal
Statistical Society B* 20(2), 215–242.
Niculescu-Mizil, A. & Caruana, R. (2005). Predicting good probabilities with supervised
learning. *ICML*, 625–632.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from . import statement as st
from .statement import clause_span, instrument_verb, is_instrument_term

__all__ = ["SCREEN_FILE", "SCREEN_RECORD", "Screen", "load_screen", "screen_tables",
           "row_features", "document_features", "item_features", "screen"]

SCREEN_FILE = Path(__file__).with_name("screen.npz")
SCREEN_RECORD = SCREEN_FILE.with_suffix(".json")
FORMAT = "npstudy-screen-1"

#: A target or forecast (目标…, 到2025年…, 力争…): what should be reached, not what is done.
TARGET = re.compile(r"目标|到20\d\d年|力争|预计|有望|将达|达到")
#: Sentence patterns whose presence is a feature (``s:…`` in the sentence, ``c:…`` in the clause).
PATTERNS = {"stat": st.STATISTIC, "rate": st.RATE, "phys": st.PHYSICAL, "exh": st.EXHORTATION,
            "boil": st.BOILERPLATE, "visit": st.VISIT, "event": st.EVENT, "firm": st.FIRM,
            "desc": st.DESCRIPTION, "desig": st.DESIGNATED, "list": st.SECTOR_LIST,
            "target": TARGET, "quote": re.compile(r"[《“]"), "pre": st.PREAMBLE}
#: Words of a document that speaks for its own government (我省, 全市 …), of national bodies, of
#: firms and of foreign countries: their density tells a provincial report from national,
#: company or foreign news.
SELF_WORDS = re.compile(r"我省|全省|我市|全市|我区|全区|我县|全县|本市|本省")
NATIONAL_WORDS = re.compile(r"国务院|国家发展改革委|国家发改委|工业和信息化部|工信部|科技部|财政部|商务部|"
                            r"生态环境部|中共中央|党中央|全国|国家统计局")
FIRM_WORDS = re.compile(r"公司|集团|股份|有限|企业")
FOREIGN_WORDS = re.compile(r"美国|日本|韩国|德国|欧盟|英国|法国|印度|俄罗斯|美元|欧元")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[。！？!?\n]")


def row_features(quote: str, keywords: str, theme: str, reason: str, confidence: float,
                 has_actor=None, memo: dict | None = None) -> set[str]:
    """The features of one suggestion (see the module's description).

    ``memo`` (a dict kept by the caller for one document) holds what depends only on the
    sentence, or on the sentence and one keyword, so that the rows a sentence gives for
    several provinces and themes read it once.

    Examples
    --------
    >>> f = row_features("甲省设立海洋基金", "海洋基金", "innovation.venture_capital", "", 0.6)
    >>> sorted(x for x in f if not x.startswith(("g:", "sg:")))
    ['conf=0.6', 'instterm', 'kw=海洋基金', 'reason=pass', 'theme=innovation.venture_capital', 'v=设立', 'verb=strong']
    >>> sorted(x for x in f if x.startswith("g:"))
    ['g:甲省', 'g:省设', 'g:立K', 'g:设立']
    >>> sorted(x for x in row_features("甲省设立基金，支持乙", "基金", "t", "", 0.6) if x[:3] == "sg:")
    ['sg:K，', 'sg:持乙', 'sg:支持', 'sg:甲省', 'sg:省设', 'sg:立K', 'sg:设立', 'sg:，支']
    """
    memo = {} if memo is None else memo
    f = {"theme=" + theme, "reason=" + (reason or "pass"), f"conf={confidence:.1f}"}
    if quote not in memo:
        memo[quote] = frozenset("s:" + name for name, rx in PATTERNS.items() if rx.search(quote))
    f |= memo[quote]
    terms = [t.strip() for t in keywords.split(";") if t.strip()]
    if len(terms) > 1:
        f.add("nkw>1")
    for term in terms[:3]:
        f.add("kw=" + term)
        if is_instrument_term(term):
            f.add("instterm")
        key = (quote, term)
        if key not in memo:
            memo[key] = _clause_features(quote, term, has_actor, memo)
        f |= memo[key]
    key = ("sentence", quote, keywords)
    if key not in memo:
        masked = quote
        for term in terms:
            masked = masked.replace(term, "K")
        memo[key] = frozenset("sg:" + masked[i:i + 2] for i in range(len(masked) - 1))
    f |= memo[key]
    return f


def _clause_patterns(clause: str, has_actor, memo: dict) -> frozenset:
    """``actor_in_clause`` and the ``c:`` patterns of a clause (kept in ``memo``: the rows of
    one sentence often share a clause)."""
    key = ("clause", clause)
    found = memo.get(key)
    if found is None:
        f = {"c:" + name for name, rx in PATTERNS.items() if rx.search(clause)}
        if has_actor is not None and has_actor(clause):
            f.add("actor_in_clause")
        found = memo[key] = frozenset(f)
    return found


def _clause_features(quote: str, term: str, has_actor, memo: dict) -> frozenset:
    """The features of the clause of ``term``'s first occurrence in ``quote``."""
    at = quote.find(term)
    if at < 0:
        return frozenset()
    a, b = clause_span(quote, at)
    clause = quote[a:b]
    verb = instrument_verb(clause, term)
    f = {"verb=" + ("none" if not verb else "weak" if verb in st.WEAK_VERBS else "strong")}
    if verb:
        f.add("v=" + verb)
    f |= _clause_patterns(clause, has_actor, memo)
    if at - a <= 1:
        f.add("kw_first")
    masked = clause.replace(term, "K")
    f.update("g:" + masked[i:i + 2] for i in range(len(masked) - 1))
    return frozenset(f)


def _bin(value: float, width: float) -> int:
    return min(int(value // width), 5)


def document_features(text: str, n_candidates: int) -> set[str]:
    """Figures per 1,000 characters, mean sentence length and candidate suggestions per
    1,000 characters, each in six bins.

    Examples
    --------
    >>> sorted(document_features("甲省设立基金。乙省增长5%。", 2))
    ['d:dig5', 'd:firm0', 'd:for0', 'd:kwd5', 'd:nat0', 'd:slen0', 'd:we0']
    >>> sorted(document_features("我省设立基金，全省推广。国务院印发。", 1))
    ['d:dig0', 'd:firm0', 'd:for0', 'd:kwd5', 'd:nat5', 'd:slen0', 'd:we2']
    """
    # a file's final newline is not a sentence, and Windows line ends (CR LF) are line ends:
    # the same text, the same features
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    n = max(len(text), 1)
    digits = len(_DIGITS.findall(text)) * 1000 / n
    sentences = max(len(_SENTENCE_END.findall(text)), 1)
    return {f"d:dig{_bin(digits, 4)}", f"d:slen{_bin(n / sentences, 20)}",
            f"d:kwd{_bin(n_candidates * 1000 / n, 5)}",
            f"d:we{min(len(SELF_WORDS.findall(text)), 3)}",
            f"d:nat{_bin(len(NATIONAL_WORDS.findall(text)) * 1000 / n, 2)}",
            f"d:firm{_bin(len(FIRM_WORDS.findall(text)) * 1000 / n, 3)}",
            f"d:for{min(len(FOREIGN_WORDS.findall(text)), 2)}"}


def _actor_features(provinces: list[str], themes: list[str], own: str | None) -> tuple[set[str], dict]:
    """Document features from the candidates (how many provinces and themes they name) and,
    per province, whether it is the document's own (``own``: the recorded province, else the
    first one the text names) and its share of the candidates."""
    doc = {f"d:prov{min(len(set(provinces)) - 1, 4)}", f"d:theme{min(len(set(themes)) // 2, 4)}",
           "d:own" if own else "d:noown"}
    counts = Counter(provinces)
    per = {p: {"p:own" if p == own else "p:other", f"p:share{min(int(k / len(provinces) // 0.25), 3)}"}
           for p, k in counts.items()}
    return doc, per


def item_features(suggestions: pd.DataFrame, reasons: list[str], text: str,
                  has_actor=None, only: set | None = None,
                  own: str | None = None) -> tuple[list[tuple], list[set[str]]]:
    """The (doc_id, province, theme) items of ``suggestions`` (all candidates, before the
    statement rules) and the features of each, in order of first appearance; with ``only``,
    just the items in it. ``own`` is the document's own province (the recorded one, else the
    first the text names)."""
    if not len(suggestions):
        return [], []
    provinces, themes = suggestions["province"].tolist(), suggestions["theme"].tolist()
    doc = document_features(text, len(suggestions))
    more, per_province = _actor_features(provinces, themes, own)
    doc |= more
    confs = [f"{c:.1f}" for c in suggestions["confidence"].astype(float).tolist()]
    # per item, its distinct rows and sentences in order of appearance (dicts as ordered sets);
    # per sentence, its themes, and those whose keywords include an instrument term (…基金,
    # …试验区): a field word beside another theme's instrument names what the instrument targets
    items: dict = {}
    instrument: dict = {}
    sentence_themes: dict = {}
    instrument_themes: dict = {}
    for doc_id, province, theme, quote, kw, start, why, conf in zip(
            suggestions["doc_id"].tolist(), provinces, themes, suggestions["quote"].tolist(),
            suggestions["keywords"].tolist(), suggestions["start"].astype(np.int64).tolist(),
            reasons, confs):
        if kw not in instrument:
            instrument[kw] = any(is_instrument_term(t.strip()) for t in kw.split(";") if t.strip())
        sentence_themes.setdefault(start, set()).add(theme)
        if instrument[kw]:
            instrument_themes.setdefault(start, set()).add(theme)
        rows, sentences = items.setdefault((doc_id, province, theme), ({}, {}))
        rows[(quote, kw, theme, why, conf)] = None
        sentences[start] = None
    cache: dict = {}
    memo: dict = {}
    out_keys, out = [], []
    for key, (rows, sentences) in items.items():
        if only is not None and key not in only:
            continue
        f = doc | per_province[key[1]]
        for row in rows:
            if row not in cache:
                q, kw, theme, why, conf = row
                cache[row] = row_features(q, kw, theme, why, float(conf), has_actor, memo)
            f |= cache[row]
        for start in sentences:
            n = len(sentence_themes[start])
            if n > 2:
                f.add("multitheme")
            elif n == 1:
                f.add("sole")
            inst = instrument_themes.get(start, set())
            if key[2] not in inst and inst:
                f.add("field_of_other")
        if len(sentences) > 1:
            f.add("nsent>1")
        if len(sentences) > 2:
            f.add("nsent>2")
        out_keys.append(key)
        out.append(f)
    return out_keys, out


class Screen:
    """A fitted screen: feature vocabulary, coefficients, intercept and threshold."""

    def __init__(self, vocabulary, coef, intercept: float, threshold: float):
        self.vocabulary = [str(v) for v in vocabulary]
        self.coef = np.asarray(coef, dtype=np.float64)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self._weight = dict(zip(self.vocabulary, self.coef.tolist()))

    def probability(self, features: list[set[str]]) -> np.ndarray:
        """P(an annotator labels the item) for each item's features: σ(intercept + the sum of
        the weights of its features in the vocabulary). The sum is exactly rounded
        (:func:`math.fsum`), so it does not depend on the order in which a set yields them."""
        weight = self._weight
        z = np.array([math.fsum([weight[x] for x in f if x in weight]) for f in features],
                     dtype=np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


@lru_cache(maxsize=2)
def load_screen(path: str | None = None) -> Screen | None:
    """The shipped screen (None when ``screen.npz`` is absent). Plain arrays only: a file
    that holds pickled objects, arrays that do not match or values that are not finite is
    refused with :class:`npstudy.fileio.CodingError`."""
    from ..fileio import CodingError

    p = Path(path) if path else SCREEN_FILE
    if not p.is_file():
        return None
    fix = "reinstall npstudy, or refit it in a checkout (python -m npstudy.coder.screenfit)"
    try:
        npz = np.load(p, allow_pickle=False)
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError("not an .npz archive")
        with npz:
            fmt, vocabulary, coef, intercept, threshold = (
                npz[k] for k in ("format", "vocabulary", "coef", "intercept", "threshold"))
    except Exception as err:      # a damaged archive fails in many ways (zip, EOF, keys, pickle)
        raise CodingError(f"{p}: cannot read the statement screen ({type(err).__name__}: "
                          f"{err}) – {fix}") from None
    if fmt.shape != () or fmt.dtype.kind != "U" or str(fmt) != FORMAT:
        raise CodingError(f"{p}: not a {FORMAT} file – {fix}")
    if (vocabulary.ndim != 1 or vocabulary.dtype.kind != "U" or coef.ndim != 1
            or coef.dtype.kind not in "fiu" or len(vocabulary) != len(coef)
            or len(vocabulary) > 1_000_000):
        raise CodingError(f"{p}: the screen's vocabulary and coefficients do not match – {fix}")
    if intercept.shape != () or threshold.shape != () or intercept.dtype.kind not in "fiu" \
            or threshold.dtype.kind not in "fiu":
        raise CodingError(f"{p}: the screen's intercept and threshold must be numbers – {fix}")
    coef, intercept, threshold = coef.astype(float), float(intercept), float(threshold)
    if not (np.isfinite(coef).all() and np.isfinite(intercept) and 0.0 <= threshold <= 1.0):
        raise CodingError(f"{p}: the screen's weights are not finite, or its threshold is not a "
                          f"probability – {fix}")
    return Screen(vocabulary.tolist(), coef, intercept, threshold)


def screen(full: pd.DataFrame, reasons: list[str], kept: pd.DataFrame, unmatched: pd.DataFrame,
           text: str, has_actor=None, model: Screen | None = None, confidence: bool = True,
           own: str | None = None):
    """Drop the kept suggestions whose item falls below the screen's threshold.

    ``full`` holds every candidate suggestion with its statement-rule ``reasons``; ``kept``
    those the rules let through. Returns (kept, unmatched) with ``confidence`` set to the
    item's probability (two decimals; left as it is when ``confidence`` is false) and each
    sentence of a vetoed item that keeps no other suggestion listed once in ``unmatched``.
    ``own`` is the document's own province (see :func:`item_features`).
    """
    model = model if model is not None else load_screen()
    if model is None or not len(kept):
        return kept, unmatched
    item = list(zip(kept["doc_id"].tolist(), kept["province"].tolist(), kept["theme"].tolist()))
    keys, features = item_features(full, reasons, text, has_actor, only=set(item), own=own)
    prob = dict(zip(keys, model.probability(features).tolist()))
    p = np.array([prob[k] for k in item], dtype=np.float64)
    veto = p < model.threshold
    if confidence:
        kept = kept.assign(confidence=np.round(p, 2))
    if not veto.any():
        return kept, unmatched
    why = [f"screen probability {pr:.2f} below {model.threshold:.2f}" for pr in p[veto].tolist()]
    unmatched = st.list_unmatched(unmatched, kept[veto], why, kept[~veto])
    kept = kept[~veto].reset_index(drop=True)
    return kept, unmatched


def screen_tables(path: str | None = None) -> dict[str, pd.DataFrame]:
    """The reliability and cut-off tables of the screen's cross-validation, from
    ``screen.json``: ``{"coder_calibration": …, "coder_calibration_cutoffs": …}`` (empty when
    absent). Reliability: five bins of the out-of-set probability of the rule-passed items
    of the real DEV sets (``cell``, ``n``, ``correct``, ``rate``, mean probability as
    ``confidence``); cut-offs: the precision and recall of keeping items at or above each
    probability."""
    p = Path(path) if path else SCREEN_RECORD
    if not p.is_file():
        return {}
    stored = json.loads(p.read_text(encoding="utf-8"))
    return {"coder_calibration": pd.DataFrame(stored["reliability"]),
            "coder_calibration_cutoffs": pd.DataFrame(stored["cutoffs"])}
