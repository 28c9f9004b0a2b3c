"""The automatic coder's vocabulary: the lexicon of terms and the places that name a province.

The lexicon (``data/lexicon.csv``) is data, not code: one row per (term, code) with the
term's kind, its provenance and optional context rules, so that a researcher can read it,
extend it and check it with ``npstudy validate``-style messages. It holds every keyword of
the codebook (kind ``article``) and extends them with the vocabulary provincial documents
use. Two kinds of rows carry no code: ``negative`` terms (national-scope actors such as
全国 or 国务院, whose statements are not credited to a province) and ``self_reference``
terms (我省, 全省, 该省 …, resolved to the province of the paragraph or document).

``data/places.csv`` (written by ``tools/make_places.py``) adds county-level cities,
national new areas, national zones and the fixed compounds in which a one-character
abbreviation names a province (人才兴皖).

This module only loads and checks the files; the coder decides what a match means.
"""

from __future__ import annotations

import os
from functools import lru_cache

import pandas as pd

from . import schema
from .dataset import data_dir
from .fileio import DataError, read_table
from .schema import LEXICON_KINDS, PLACE_KINDS

__all__ = ["LEXICON_COLUMNS", "LEXICON_KINDS", "PLACE_COLUMNS", "PLACE_KINDS",
           "load_lexicon", "check_lexicon", "load_places", "check_places"]

#: Columns of ``lexicon.csv`` (from :mod:`npstudy.schema`).
LEXICON_COLUMNS = schema.columns("lexicon.csv")
_UNCODED = ("negative", "self_reference")
#: Columns of ``places.csv``.
PLACE_COLUMNS = schema.columns("places.csv")


def _problem(path, row: int, column: str, value: str, problem: str, hint: str = "") -> str:
    return f"{path}:{row}: {column}: {value!r} – {problem}" + (f" – {hint}" if hint else "")


def check_lexicon(table: pd.DataFrame, codes: set[str], path="lexicon.csv") -> list[str]:
    """Every problem of a lexicon table, as ``file:row: column: value – problem – suggestion``.

    Checks: the columns; a term is not empty and has no surrounding spaces; the kind is
    known; coded kinds name a codebook code and uncoded kinds (negative, self_reference)
    name none; the provenance is given; no (term, code) pair is repeated; a term listed
    under several codes has context rules on all but at most one of them, so that the
    meaning is decided by the text; rule words are not empty.

    Row numbers count the header as row 1, as a spreadsheet does.
    """
    missing = [c for c in LEXICON_COLUMNS if c not in table.columns]
    if missing:
        return [f"{path}: missing column(s) {', '.join(missing)} – the header must be "
                f"{','.join(LEXICON_COLUMNS)}"]
    out = []
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(table[LEXICON_COLUMNS].itertuples(index=False), start=2):
        if not r.term or r.term != r.term.strip():
            out.append(_problem(path, i, "term", r.term, "empty or surrounded by spaces",
                                "write the term alone"))
        if r.kind not in LEXICON_KINDS:
            out.append(_problem(path, i, "kind", r.kind, "unknown kind",
                                f"use one of {', '.join(LEXICON_KINDS)}"))
        elif r.kind in _UNCODED and r.code:
            out.append(_problem(path, i, "code", r.code, f"a {r.kind} term has no code",
                                "leave code empty"))
        elif r.kind not in _UNCODED and r.code not in codes:
            import difflib

            near = difflib.get_close_matches(r.code, sorted(codes), n=1, cutoff=0.6)
            out.append(_problem(path, i, "code", r.code, "not a code of the codebook",
                                f"did you mean {near[0]!r}?" if near else
                                "use a code id from data/codebook.yaml"))
        if not r.provenance.strip():
            out.append(_problem(path, i, "provenance", r.provenance, "empty",
                                "say where the term comes from, e.g. 'variant of X'"))
        for col in ("requires", "excludes"):
            value = getattr(r, col)
            if value and any(not w.strip() for w in value.split(";")):
                out.append(_problem(path, i, col, value, "holds an empty word",
                                    "separate words with single ';'"))
        key = (r.term, r.code)
        if key in seen:
            out.append(_problem(path, i, "term", r.term, f"repeats row {seen[key]} for the same "
                                "code", "delete one of the two rows"))
        seen.setdefault(key, i)
    # per coded term, in order of first appearance: how many rows, and those without rules
    coded = table[~table["kind"].isin(_UNCODED)]
    groups: dict = {}
    for i, term, requires, excludes in zip(coded.index.tolist(), coded["term"].tolist(),
                                           coded["requires"].tolist(), coded["excludes"].tolist()):
        entry = groups.setdefault(term, [0, []])
        entry[0] += 1
        if requires == "" and excludes == "":
            entry[1].append(i)
    for term, (n, bare) in groups.items():
        if n > 1 and len(bare) > 1:
            rows = ", ".join(str(i + 2) for i in bare)
            out.append(_problem(path, int(bare[1]) + 2, "term", term,
                                f"listed under {len(bare)} codes without context rules (rows {rows})",
                                "add requires/excludes words so that the text decides"))
    return out


def load_lexicon(path: str | os.PathLike | None = None, codes: set[str] | None = None) -> pd.DataFrame:
    """Read and check the lexicon.

    Parameters
    ----------
    path : path-like, optional
        ``data/lexicon.csv`` by default.
    codes : set of str, optional
        Valid code ids; those of the shipped codebook by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LEXICON_COLUMNS`, all text (empty cells are ``""``).

    Raises
    ------
    DataError
        Listing every problem found by :func:`check_lexicon`.
    """
    path = data_dir() / "lexicon.csv" if path is None else path
    if codes is None:
        from .dataset import load_codebook

        codes = set(load_codebook().ids("code"))
    table = read_table(path)
    problems = check_lexicon(table, codes, path)
    if problems:
        raise DataError("\n".join(problems))
    return table[LEXICON_COLUMNS].copy()


def check_places(table: pd.DataFrame, provinces: set[str], codes: set[str],
                 path="places.csv") -> list[str]:
    """Every problem of a places table (columns, kinds, province and code ids, duplicates)."""
    missing = [c for c in PLACE_COLUMNS if c not in table.columns]
    if missing:
        return [f"{path}: missing column(s) {', '.join(missing)}"]
    out = []
    seen: dict[str, int] = {}
    for i, r in enumerate(table[PLACE_COLUMNS].itertuples(index=False), start=2):
        if r.kind not in PLACE_KINDS:
            out.append(_problem(path, i, "kind", r.kind, "unknown kind",
                                f"use one of {', '.join(PLACE_KINDS)}"))
        if r.province not in provinces:
            out.append(_problem(path, i, "province", r.province, "not an ISO code of provinces.csv"))
        if r.code and r.code not in codes:
            out.append(_problem(path, i, "code", r.code, "not a code of the codebook"))
        if r.match_short not in ("true", "false"):
            out.append(_problem(path, i, "match_short", r.match_short, "must be true or false"))
        if r.name_zh in seen:
            out.append(_problem(path, i, "name_zh", r.name_zh, f"repeats row {seen[r.name_zh]}"))
        seen.setdefault(r.name_zh, i)
    return out


@lru_cache(maxsize=4)
def _places_cached(path: str, provinces: frozenset, codes: frozenset) -> pd.DataFrame:
    table = read_table(path)
    problems = check_places(table, set(provinces), set(codes), path)
    if problems:
        raise DataError("\n".join(problems))
    return table[PLACE_COLUMNS]


def load_places(path: str | os.PathLike | None = None, provinces: set[str] | None = None,
                codes: set[str] | None = None) -> pd.DataFrame:
    """Read and check ``places.csv`` (county-level cities, new areas, zones, compounds).

    Parameters
    ----------
    path : path-like, optional
        ``data/places.csv`` by default.
    provinces, codes : set of str, optional
        Valid ISO codes and code ids; those of the shipped ``provinces.csv`` and
        codebook by default.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PLACE_COLUMNS`, all text; ``match_short`` is ``"true"`` where
        the short name is matched in text.
    """
    from .dataset import load_codebook, load_provinces

    path = data_dir() / "places.csv" if path is None else path
    provinces = set(load_provinces()["iso_code"]) if provinces is None else provinces
    codes = set(load_codebook().ids("code")) if codes is None else codes
    return _places_cached(str(path), frozenset(provinces), frozenset(codes)).copy()
