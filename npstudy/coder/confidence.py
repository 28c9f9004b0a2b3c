"""A confidence that means something: the rate at which suggestions like this one are right.

Each suggestion falls in one *cell* of two transparent features:

- ``evidence``: the clause holds an instrument proper — a policy verb that needs no object
  (设立, 印发, 实施 …) or a keyword that is an instrument itself (…基金, …试验区) — (``instrument``)
  or only a weak verb, a neighbouring clause's verb or a named actor (``weak``);
- ``support``: the same (province, theme) is suggested from at least two different sentences
  of the document (``corroborated``) or from one (``single``). On real text a theme that a
  document states once, with no instrument, is seldom a practice; one it returns to is.

The confidence of a suggestion is the rate of correct (province, theme) items among the
suggestions of its cell on the real-text DEV sets, with add-one smoothing,
``(correct + 1) / (n + 2)`` (Laplace's rule of succession), then made non-decreasing in the
order weak/single ≤ instrument/single ≤ weak/corroborated ≤ instrument/corroborated by
pooling adjacent violators (isotonic regression, Barlow et al. 1972). The rates live in
``npstudy/coder/calibration.json``; the reliability table (cell, n, correct, rate,
confidence) in ``figures/tables/coder_calibration.csv``. Both are rebuilt from the DEV labels
only by::

    python -m npstudy.coder.confidence LABELS TEXTS [LABELS TEXTS ...]

which writes the rates, the reliability table and the cut-off table (:func:`cutoffs`) into
``calibration.json``; ``npstudy build`` writes them out as ``coder_calibration.csv`` and
``coder_calibration_cutoffs.csv`` and draws them as figure 10 (:func:`calibration_tables`).

A reviewer who keeps suggestions with confidence at least *c* keeps the cells whose DEV rate
is at least *c*; the table says how many DEV suggestions that was and how many were right.

References
----------
Barlow, R. E., Bartholomew, D. J., Bremner, J. M. & Brunk, H. D. (1972). *Statistical
inference under order restrictions*. Wiley.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .statement import MAX_OCCURRENCES, STRONG_ONLY, clause_span, is_instrument_term

__all__ = ["CELLS", "CALIBRATION_FILE", "evidence", "cells", "load_calibration", "calibrate",
           "reliability", "cutoffs", "calibration_tables"]

#: The cells, in the order their rates are made non-decreasing.
CELLS = ["weak/single", "instrument/single", "weak/corroborated", "instrument/corroborated"]
CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


def evidence(quote: str, keywords: str) -> str:
    """``instrument`` when a keyword's clause holds a strong policy verb or the keyword is an
    instrument term, else ``weak``.

    Examples
    --------
    >>> evidence("甲省设立海洋基金,支持企业", "海洋基金"), evidence("甲省大力发展海洋经济", "海洋经济")
    ('instrument', 'weak')
    """
    for term in filter(None, (t.strip() for t in keywords.split(";"))):
        if is_instrument_term(term):
            return "instrument"
        at = quote.find(term)
        for _ in range(MAX_OCCURRENCES):
            if at < 0:
                break
            a, b = clause_span(quote, at)
            if STRONG_ONLY.search(quote, a, b):
                return "instrument"
            at = quote.find(term, at + len(term))
    return "weak"


def cells(suggestions: pd.DataFrame) -> list[str]:
    """The cell of each suggestion (see the module's description).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["d"] * 3, "province": ["CN-ZJ"] * 3,
    ...                   "theme": ["t", "t", "u"], "start": [0, 9, 9],
    ...                   "quote": ["浙江设立海洋基金", "浙江发展海洋经济", "浙江发展海洋经济"],
    ...                   "keywords": ["海洋基金", "海洋经济", "海洋经济"]})
    >>> cells(s)
    ['instrument/corroborated', 'weak/corroborated', 'weak/single']
    """
    if not len(suggestions):
        return []
    key = ["doc_id", "province", "theme"]
    support = suggestions.groupby(key)["start"].transform("nunique").tolist()
    seen: dict = {}
    out = []
    for q, k, n in zip(suggestions["quote"].tolist(), suggestions["keywords"].tolist(), support):
        if (q, k) not in seen:
            seen[q, k] = evidence(q, k)
        out.append(f"{seen[q, k]}/{'corroborated' if n > 1 else 'single'}")
    return out


def calibration_tables(path: str | None = None) -> dict[str, pd.DataFrame]:
    """The reliability table and the cut-off table stored in ``calibration.json``:
    ``{"coder_calibration": …, "coder_calibration_cutoffs": …}`` (empty when absent)."""
    p = Path(path) if path else CALIBRATION_FILE
    if not p.is_file():
        return {}
    stored = json.loads(p.read_text(encoding="utf-8"))
    if "reliability" not in stored:
        return {}
    return {"coder_calibration": pd.DataFrame(stored["reliability"]),
            "coder_calibration_cutoffs": pd.DataFrame(stored["cutoffs"])}


@lru_cache(maxsize=4)
def load_calibration(path: str | None = None) -> dict:
    """The rates per cell ``{cell: rate}`` from ``calibration.json`` (empty if absent)."""
    p = Path(path) if path else CALIBRATION_FILE
    if not p.is_file():
        return {}
    return json.loads(p.read_text(encoding="utf-8"))["rate"]


def calibrate(suggestions: pd.DataFrame) -> pd.DataFrame:
    """The suggestions with ``confidence`` replaced by their cell's DEV rate (kept when the
    calibration file is missing or lacks the cell)."""
    rates = load_calibration()
    if not rates or not len(suggestions):
        return suggestions
    old = suggestions["confidence"].astype(float).tolist()
    new = [rates.get(c, o) for c, o in zip(cells(suggestions), old)]
    return suggestions.assign(confidence=np.round(np.asarray(new, dtype=float), 2))


def _pool_adjacent(rates: list[float], weights: list[int]) -> list[float]:
    """Weighted isotonic (non-decreasing) fit by pooling adjacent violators.

    Examples
    --------
    >>> _pool_adjacent([0.2, 0.5, 0.4, 0.9], [1, 1, 1, 1])
    [0.2, 0.45, 0.45, 0.9]
    """
    blocks = [[r, w, 1] for r, w in zip(rates, weights)]
    i = 0
    while i < len(blocks) - 1:
        if blocks[i][0] > blocks[i + 1][0]:
            (r0, w0, n0), (r1, w1, n1) = blocks[i], blocks[i + 1]
            w = max(w0 + w1, 1)
            blocks[i:i + 2] = [[(r0 * max(w0, 1e-9) + r1 * max(w1, 1e-9)) / max(w0 + w1, 2e-9),
                                w, n0 + n1]]
            i = max(i - 1, 0)
        else:
            i += 1
    out = []
    for r, _, n in blocks:
        out += [round(r, 4)] * n
    return out


def reliability(cell: list[str], correct: list[bool]) -> pd.DataFrame:
    """Reliability table: per cell, the DEV suggestions, how many were right, the smoothed
    rate and its isotonic fit (the confidence given)."""
    table = pd.DataFrame({"cell": cell, "correct": correct})
    rows = []
    for c in CELLS:
        sub = table[table["cell"] == c]
        rows.append({"cell": c, "n": len(sub), "correct": int(sub["correct"].sum()),
                     "rate": (sub["correct"].sum() + 1) / (len(sub) + 2)})
    out = pd.DataFrame(rows)
    out["confidence"] = _pool_adjacent(out["rate"].tolist(), out["n"].tolist())
    out["rate"] = out["rate"].round(4)
    return out


def _coded(*sets):
    """(cell, correct, item key) of every suggestion on the DEV excerpts of each stand-off
    set, and how many items are labelled there."""
    from ..evaluation import load_standoff
    from .core import Coder

    coder = Coder(calibrated=False)
    cell, correct, items, labelled = [], [], [], 0
    for labels, texts in sets:
        standoff = load_standoff(labels, texts, split="dev")
        want = set(map(tuple, standoff["labels"][["doc_id", "province", "theme"]].values))
        labelled += len(want)
        for doc in standoff["documents"].itertuples():
            got = coder.code(standoff["texts"][doc.doc_id], doc.doc_id,
                             province=doc.default_province or None).suggestions
            keys = [(labels, doc.doc_id, p, t) for p, t in zip(got["province"], got["theme"])]
            cell += cells(got)
            correct += [k[1:] in want for k in keys]
            items += keys
    return cell, correct, items, labelled


def cutoffs(table: pd.DataFrame, cell: list[str], correct: list[bool], items: list,
            labelled: int) -> pd.DataFrame:
    """What a cut-off buys at the (excerpt, province, theme) level: for each confidence
    *c* of ``table``, the items that keep a suggestion with confidence at least *c*, how many
    are labelled, and the precision and recall that gives.

    Examples
    --------
    >>> t = pd.DataFrame({"cell": ["a", "b"], "confidence": [0.3, 0.9]})
    >>> cutoffs(t, ["a", "b", "a"], [False, True, True], [1, 2, 3], 4)[["cutoff", "items", "right"]]
       cutoff  items  right
    0     0.0      3      2
    1     0.3      3      2
    2     0.9      1      1
    """
    rate = dict(zip(table["cell"], table["confidence"]))
    best: dict = {}
    right: dict = {}
    for c, ok, key in zip(cell, correct, items):
        best[key] = max(best.get(key, 0.0), rate[c])
        right[key] = ok
    rows = []
    for cut in [0.0] + sorted(set(table["confidence"])):
        kept = [k for k, v in best.items() if v >= cut]
        hits = sum(right[k] for k in kept)
        rows.append({"cutoff": cut, "items": len(kept), "right": hits,
                     "precision": round(hits / len(kept), 4) if kept else float("nan"),
                     "recall": round(hits / labelled, 4) if labelled else float("nan")})
    return pd.DataFrame(rows)


def main(argv: list[str]) -> int:
    if not argv or len(argv) % 2:
        print("usage: python -m npstudy.coder.confidence LABELS TEXTS [LABELS TEXTS ...]",
              file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "data" / "evaluation").is_dir():
        print("npstudy: error: refitting the calibration rewrites npstudy/coder/calibration.json: "
              "run it in a checkout of the repository, not in an installed copy", file=sys.stderr)
        return 1
    sets = list(zip(argv[::2], argv[1::2]))
    from ..fileio import NpstudyError

    try:
        cell, correct, items, labelled = _coded(*sets)
    except NpstudyError as err:
        print(f"npstudy: error: {err}", file=sys.stderr)
        return 1
    table = reliability(cell, correct)
    cuts = cutoffs(table, cell, correct, items, labelled)
    names = ", ".join(Path(labels).as_posix() for labels, _ in sets)
    tmp = CALIBRATION_FILE.with_suffix(".json.tmp")      # written whole, then renamed
    tmp.write_text(json.dumps(
        {"fitted_on": f"real-text DEV excerpts of {names}", "method":
         "add-one smoothed rate per cell, isotonic over CELLS",
         "rate": dict(zip(table["cell"], table["confidence"].round(2).tolist())),
         "labelled_items": labelled,
         "reliability": table.to_dict(orient="list"),
         "cutoffs": cuts.to_dict(orient="list")},
        ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(CALIBRATION_FILE)
    print(table.to_string(index=False))
    print(cuts.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
