"""Suggest codings for new Chinese text.

The automatic coder finds provinces (full names, short names, prefecture- and
county-level cities, new areas and zones, self-references such as 我省) and the
terms of the lexicon (``data/lexicon.csv``) with **one** multi-pattern scan of the
whole text, and proposes one row per (clause, province, code) in the practices
schema, with the evidence clause, its offsets, the matched keywords and a
confidence score. Sentences that name a province but give no row are listed as
*unmatched*, with the reason. Reading and splitting the text live in
:mod:`npstudy.text`; the vocabulary in :mod:`npstudy.lexicon`; review and merge in
:mod:`npstudy.workspace`; scoring against labels in :mod:`npstudy.evaluation`.

The package, in the order a text goes through it:

- :mod:`~npstudy.coder.matcher`: the vocabulary and the one scan (leftmost-longest, every
  width variant of a pattern instead of a rewritten text), abbreviation lists, datelines;
- :mod:`~npstudy.coder.counts`: counted, unnamed provinces (9省份, 多地), never rows;
- :mod:`~npstudy.coder.statement`: national statements, passive designations, context rules,
  and the statement test (is a sentence a statement of provincial action?);
- :mod:`~npstudy.coder.screen`: the statement screen, a logistic regression trained on
  labelled real text that drops unlikely items and gives the confidence
  (:mod:`~npstudy.coder.screenfit` refits it);
- :mod:`~npstudy.coder.actors`: who acts (locations, partners, comparisons, firms' homes,
  self-references) and the walk of the clauses that need one;
- :mod:`~npstudy.coder.attribution`: keywords to actors, and the rows;
- :mod:`~npstudy.coder.tables`: the output tables;
- :mod:`~npstudy.coder.core`: :class:`Coder`, which runs them, block by block;
- :mod:`~npstudy.coder.province`: the document's own province without ``--province``;
- :mod:`~npstudy.coder.run`: coding files as the ``npstudy code`` command does (ids, caps,
  numbering);
- :mod:`~npstudy.coder.corpus`: coding whole folders, in processes or on Dask, resumable.

Hong Kong, Macao and Taiwan are partners, not actors (coding rule R4), unless
``include_partners=True``. Traditional characters are not converted: the gazetteer and
keywords are in Simplified Chinese, so 廣東 or 碳足跡 are not found; :func:`code_text`
reports a warning when a text looks Traditional. The matcher is ``ahocorasick_rs`` (Rust
Aho–Corasick), chosen by measurement over Python's ``re`` and ``pyahocorasick``
(``benchmarks/``).
"""

from .core import Coder, CodingResult, code_text
from .corpus import code_corpus, read_corpus
from .counts import AGGREGATE_SUGGESTION_COLUMNS, QUANTIFIER_WORDS
from .matcher import AMBIGUOUS_CITY_NAMES
from .run import code_file, code_files, unmatched_sentences
from .tables import SUGGESTION_COLUMNS, UNMATCHED_COLUMNS

__all__ = [
    "Coder",
    "CodingResult",
    "code_text",
    "code_file",
    "code_files",
    "code_corpus",
    "read_corpus",
    "unmatched_sentences",
    "SUGGESTION_COLUMNS",
    "AGGREGATE_SUGGESTION_COLUMNS",
    "UNMATCHED_COLUMNS",
    "QUANTIFIER_WORDS",
    "AMBIGUOUS_CITY_NAMES",
]
