"""Measure the automatic coder against hand labels, with intervals that respect documents.

The unit is the item (document, province, theme): the coder is right about an item if it
suggests at least one row for that province and theme anywhere in the document and the
labels hold one too. Precision, recall and F1 are computed per theme and pooled, and their
95% intervals come from a bootstrap that resamples whole *documents* (a cluster
bootstrap), because sentences of one document share vocabulary and actors and are not
independent.

An evaluation corpus is a folder with ``docs/<doc_id>.txt``, ``documents.csv``
(``doc_id`` and ``default_province``: the province a text speaks for when it says 我省, or
empty), ``labels.csv`` (``doc_id, sentence, province, theme, code, note``) and optionally
``distractors.csv``. This module reads such a folder, codes it and scores it; it never
changes it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import DataError, read_table

__all__ = ["ITEM", "evaluate", "load_corpus", "code_corpus", "items", "score", "bootstrap_scores",
           "evaluation_table", "article_items", "review_from_labels", "corpus_dir",
           "shipped_corpora", "load_standoff", "standoff_table", "record_scores", "EXCERPT_COLUMNS",
           "STANDOFF_LABEL_COLUMNS", "BOOTSTRAP_SEED", "N_BOOTSTRAP"]

#: The unit of evaluation.
ITEM = ["doc_id", "province", "theme"]
#: Seed and number of cluster-bootstrap resamples used for the published table.
BOOTSTRAP_SEED = 20240305
N_BOOTSTRAP = 2000
_HERE = Path(__file__).resolve().parent


def corpus_dir() -> Path | None:
    """The shipped evaluation corpus: ``data/evaluation/`` in a checkout, ``npstudy/_evaluation``
    in an installed package; ``None`` when neither holds it.

    Examples
    --------
    >>> sorted(p.name for p in corpus_dir().iterdir() if p.is_dir())
    ['batch2', 'batch3', 'batch4', 'dev', 'realtext', 'test']
    """
    for candidate in (_HERE / "_evaluation", _HERE.parent / "data" / "evaluation"):
        if (candidate / "test" / "labels.csv").is_file():
            return candidate
    return None


def shipped_corpora() -> dict[str, Path]:
    """``{"dev": …, "test": …, "batch2": …, "batch3": …, "batch4": …}`` for the shipped corpus
    (empty when it is not installed).

    ``batch2``, ``batch3`` and ``batch4`` were written after the test set was frozen, each by
    two new annotators, and scored once blind (``data/evaluation/batch*/blind_scores.csv``);
    ``batch2`` and ``batch3`` were then used for development, ``batch4`` is held out.
    """
    root = corpus_dir()
    names = ("dev", "test", "batch2", "batch3", "batch4")
    return {} if root is None else {name: root / name for name in names
                                    if (root / name / "labels.csv").is_file()}


def _themes():
    from .dataset import load_codebook

    ids = load_codebook().ids("theme")
    return ids, {t.split(".", 1)[1]: t for t in ids}


def _province(value: str, where: str) -> str:
    from .gazetteer import PROVINCE_HINT, load_gazetteer

    value = str(value).strip()
    hit = load_gazetteer().find(value)
    if hit is None:
        raise DataError(f"{where}: province {value!r} is not a province name or ISO code "
                        f"– {PROVINCE_HINT}")
    return hit


def load_corpus(folder: str | os.PathLike) -> dict:
    """Read an evaluation corpus folder.

    Returns
    -------
    dict
        ``documents`` (DataFrame with ``doc_id``, ``default_province`` as ISO code or
        ""), ``texts`` (``{doc_id: text}``), ``labels`` (DataFrame with ``doc_id``,
        ``province`` (ISO), ``theme`` (full theme id), ``code``, ``sentence``).

    Raises
    ------
    DataError
        For a missing file, an unknown province or theme, or a label whose
        document is not listed.
    """
    from .text import read_document

    folder = Path(folder)
    for name in ("documents.csv", "labels.csv"):
        if not (folder / name).is_file():
            raise DataError(f"{folder / name}: not found – an evaluation corpus holds "
                            "documents.csv, labels.csv and docs/<doc_id>.txt")
    docs = read_table(folder / "documents.csv")
    if "doc_id" not in docs.columns:
        raise DataError(f"{folder / 'documents.csv'}: no doc_id column")
    if docs.empty:
        raise DataError(f"{folder / 'documents.csv'}: no document – list each text of docs/ "
                        "on a row (doc_id, and default_province if it has one)")
    if "default_province" not in docs.columns:
        docs["default_province"] = ""
    docs["default_province"] = [
        _province(v, f"{folder / 'documents.csv'}:{i + 2}") if str(v).strip() else ""
        for i, v in enumerate(docs["default_province"])]
    texts = {}
    for doc_id in docs["doc_id"]:
        path = folder / "docs" / f"{doc_id}.txt"
        if not os.path.lexists(path):
            raise DataError(f"{path}: not found – every document of documents.csv needs its text")
        if not path.is_file():
            raise DataError(f"{path}: not a regular file (a folder, FIFO, device or link to "
                            "nowhere) – every document of documents.csv needs its text as a "
                            "plain file")
        texts[doc_id] = read_document(path)[0]
    labels = read_table(folder / "labels.csv")
    missing = [c for c in ("doc_id", "province", "theme") if c not in labels.columns]
    if missing:
        raise DataError(f"{folder / 'labels.csv'}: missing column(s) {', '.join(missing)}")
    labels = labels[(labels["province"].str.strip() != "") & (labels["theme"].str.strip() != "")]
    ids, short = _themes()
    rows = []
    for i, r in labels.iterrows():
        where = f"{folder / 'labels.csv'}:{i + 2}"
        theme = r["theme"].strip()
        theme = short.get(theme, theme)
        if theme not in ids:
            raise DataError(f"{where}: theme {r['theme']!r} is not a theme of the codebook")
        if r["doc_id"] not in texts:
            raise DataError(f"{where}: doc_id {r['doc_id']!r} is not in documents.csv")
        rows.append({"doc_id": r["doc_id"], "province": _province(r["province"], where),
                     "theme": theme, "code": r.get("code", ""), "sentence": r.get("sentence", "")})
    return {"documents": docs[["doc_id", "default_province"]].reset_index(drop=True),
            "texts": texts,
            "labels": pd.DataFrame(rows, columns=["doc_id", "province", "theme", "code", "sentence"])}


def code_corpus(corpus: dict, coder=None) -> pd.DataFrame:
    """Suggestions of the coder for every document of a corpus (its default province used)."""
    from .coder import Coder

    coder = coder if coder is not None else Coder()
    frames = []
    for doc in corpus["documents"].itertuples():
        result = coder.code(corpus["texts"][doc.doc_id], doc_id=doc.doc_id,
                            province=doc.default_province or None)
        frames.append(result.suggestions)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ITEM)


def items(table: pd.DataFrame) -> pd.DataFrame:
    """Distinct (document, province, theme) items of a suggestions or labels table."""
    return table[ITEM].drop_duplicates().reset_index(drop=True)


def _counts(got: pd.DataFrame, want: pd.DataFrame, docs: list[str], themes: list[str]):
    """True positives, suggested and labelled items per (document, theme), as arrays."""
    d_index = {d: i for i, d in enumerate(docs)}
    t_index = {t: i for i, t in enumerate(themes)}
    shape = (len(docs), len(themes))
    tp, n_got, n_want = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    g = set(map(tuple, items(got).to_numpy().tolist()))
    w = set(map(tuple, items(want).to_numpy().tolist()))
    for arr, keys in ((n_got, g), (n_want, w), (tp, g & w)):
        for doc, _, theme in keys:
            if doc in d_index and theme in t_index:
                arr[d_index[doc], t_index[theme]] += 1
    return tp, n_got, n_want


def _prf(tp, n_got, n_want):
    with np.errstate(invalid="ignore", divide="ignore"):
        p = tp / n_got
        r = tp / n_want
        f = 2 * tp / (n_got + n_want)
    return p, r, f


def score(suggestions: pd.DataFrame, labels: pd.DataFrame, docs: list[str] | None = None) -> pd.DataFrame:
    """Precision, recall and F1 per theme and pooled, at the (document, province, theme) level.

    Parameters
    ----------
    suggestions, labels : pandas.DataFrame
        Tables with columns ``doc_id``, ``province`` and ``theme``.
    docs : list of str, optional
        The documents evaluated (default: those of ``labels`` and ``suggestions``).

    Returns
    -------
    pandas.DataFrame
        One row per theme plus ``all``: ``theme``, ``precision``, ``recall``, ``f1``,
        ``tp``, ``suggested``, ``labelled``. A precision with nothing suggested is NaN.

    Notes
    -----
    ``precision = TP / suggested``, ``recall = TP / labelled``,
    ``F1 = 2 TP / (suggested + labelled)`` (the harmonic mean of the two), where
    an item is a distinct (document, province, theme).

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "a"], "province": ["CN-SH", "CN-ZJ"],
    ...                   "theme": ["reform.talent"] * 2})
    >>> l = pd.DataFrame({"doc_id": ["a"], "province": ["CN-SH"], "theme": ["reform.talent"]})
    >>> score(s, l).set_index("theme").loc["all", ["precision", "recall"]].tolist()
    [0.5, 1.0]
    """
    ids, _ = _themes()
    docs = docs if docs is not None else sorted(set(labels["doc_id"]) | set(suggestions["doc_id"]))
    tp, g, w = _counts(suggestions, labels, docs, ids)
    rows = []
    for name, sl in [(t, np.s_[:, j]) for j, t in enumerate(ids)] + [("all", np.s_[:, :])]:
        a, b, c = tp[sl].sum(), g[sl].sum(), w[sl].sum()
        p, r, f = _prf(a, b, c)
        rows.append({"theme": name, "precision": p, "recall": r, "f1": f, "tp": int(a),
                     "suggested": int(b), "labelled": int(c)})
    return pd.DataFrame(rows)


def bootstrap_scores(suggestions: pd.DataFrame, labels: pd.DataFrame, docs: list[str] | None = None,
                     n: int = N_BOOTSTRAP, seed: int = BOOTSTRAP_SEED,
                     level: float = 0.95) -> pd.DataFrame:
    """:func:`score` with percentile intervals from a cluster bootstrap over documents.

    Each resample draws as many documents as there are, with replacement, and adds
    up their per-document true positives, suggested and labelled items per theme;
    precision, recall and F1 are then recomputed (Davison & Hinkley 1997, §3.8, the
    first-stage resampling of clusters; Field & Welsh 2007). A resample in which a
    theme has nothing suggested (or nothing labelled) gives no value for that
    theme's precision (recall); the interval uses the resamples that give one.

    Parameters
    ----------
    n : int
        Number of resamples.
    seed : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same table.
    level : float
        Coverage of the percentile interval.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`score` plus ``precision_low``, ``precision_high``,
        ``recall_low``, ``recall_high``, ``f1_low``, ``f1_high`` and ``documents``.

    References
    ----------
    Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*.
    Cambridge University Press. Field, C. A. & Welsh, A. H. (2007). Bootstrapping
    clustered data. *JRSS B* 69(3), 369–390.
    """
    ids, _ = _themes()
    docs = docs if docs is not None else sorted(set(labels["doc_id"]) | set(suggestions["doc_id"]))
    out = score(suggestions, labels, docs)
    tp, g, w = _counts(suggestions, labels, docs, ids)
    # per-document totals, themes + pooled column
    tp = np.column_stack([tp, tp.sum(1)])
    g = np.column_stack([g, g.sum(1)])
    w = np.column_stack([w, w.sum(1)])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(docs), size=(n, len(docs)))
    weights = np.stack([np.bincount(d, minlength=len(docs)) for d in draws])  # n x docs
    p, r, f = _prf(weights @ tp, weights @ g, weights @ w)
    alpha = (1 - level) / 2
    for name, arr in (("precision", p), ("recall", r), ("f1", f)):
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                lo = np.nanquantile(arr, alpha, axis=0)
                hi = np.nanquantile(arr, 1 - alpha, axis=0)
        out[f"{name}_low"] = lo
        out[f"{name}_high"] = hi
    out["documents"] = len(docs)
    cols = ["theme", "precision", "precision_low", "precision_high", "recall", "recall_low",
            "recall_high", "f1", "f1_low", "f1_high", "tp", "suggested", "labelled", "documents"]
    return out[cols]


def article_items(coder=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coder suggestions and hand coding for the shipped article (an in-sample check)."""
    from .coder import Coder
    from .dataset import load_documents, load_practices, load_source

    coder = coder if coder is not None else Coder()
    practices = load_practices()
    frames = [coder.code(load_source(d), doc_id=d).suggestions for d in load_documents()["doc_id"]]
    return pd.concat(frames, ignore_index=True), practices


def evaluation_table(corpora: dict[str, str | os.PathLike] | None = None, coder=None,
                     include_article: bool = True, n: int = N_BOOTSTRAP,
                     seed: int = BOOTSTRAP_SEED) -> pd.DataFrame:
    """The coder's evaluation table: the article (in-sample) and each labelled corpus.

    Parameters
    ----------
    corpora : dict, optional
        ``{set name: folder}``, e.g. ``{"dev": "data/evaluation/dev", "test": "data/evaluation/test"}``.
    include_article : bool
        Add the source article, labelled ``article (in-sample)``: its keywords were
        written from it, so its figures are not an estimate for other text.

    Returns
    -------
    pandas.DataFrame
        ``set`` followed by the columns of :func:`bootstrap_scores`.
    """
    from .coder import Coder

    coder = coder if coder is not None else Coder()
    frames = []
    if include_article:
        got, want = article_items(coder)
        docs = sorted(set(want["doc_id"]))
        frames.append(bootstrap_scores(got, want, docs, n=n, seed=seed)
                      .assign(set="article (in-sample)"))
    for name, folder in (corpora or {}).items():
        corpus = load_corpus(folder)
        got = code_corpus(corpus, coder)
        frames.append(bootstrap_scores(got, corpus["labels"], list(corpus["documents"]["doc_id"]),
                                       n=n, seed=seed).assign(set=name))
    table = pd.concat(frames, ignore_index=True)
    return table[["set"] + [c for c in table.columns if c != "set"]]


def review_from_labels(suggestions: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Decide suggestions as the labellers would have: a simulated review.

    A suggestion is accepted when the labels hold its document, province and theme for a
    sentence that contains its evidence clause (``quote``), and rejected otherwise. Used
    to measure what a classifier learns from reviews without a second round of reviewing.

    Returns
    -------
    pandas.DataFrame
        A copy of ``suggestions`` with ``decision`` set to ``accept`` or ``reject``.
    """
    by_item: dict[tuple, list[str]] = {}
    for r in labels.itertuples():
        by_item.setdefault((r.doc_id, r.province, r.theme), []).append(str(r.sentence))
    accept = [any(str(q) in sent or sent in str(q) for sent in by_item.get((d, p, t), ()))
              for d, p, t, q in zip(suggestions["doc_id"], suggestions["province"],
                                    suggestions["theme"], suggestions["quote"])]
    return suggestions.assign(decision=np.where(accept, "accept", "reject"))


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

    Examples
    --------
    >>> s = pd.DataFrame({"doc_id": ["a", "a"], "province": ["CN-SH", "CN-ZJ"],
    ...                   "theme": ["reform.talent"] * 2})
    >>> r = evaluate(s, s.iloc[:1])
    >>> r["precision"], r["recall"], round(r["f1"], 3)
    (0.5, 1.0, 0.667)
    """
    from .dataset import load_practices

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


# ------------------------------------------------------------------ real text, stand-off

#: Columns of a stand-off ``excerpts.csv`` (more are allowed).
EXCERPT_COLUMNS = ["excerpt_id", "url", "outlet", "date", "genre", "province", "has_title",
                   "distractor", "split", "sha256", "n_chars"]
#: Columns of a stand-off labels CSV: one row per (excerpt, province, theme) item, with the
#: character offsets of its evidence span in the excerpt.
STANDOFF_LABEL_COLUMNS = ["excerpt_id", "province", "theme", "start", "end"]


def _need(table: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {', '.join(missing)} – a stand-off file has "
                        f"{', '.join(columns)}")


#: A whole number written in ASCII digits (not ０, not ٠, not 1_0, not +1).
_ASCII_WHOLE = re.compile(r"[0-9]{1,12}")
#: An excerpt id names a file inside the cache folder: letters, digits, ``.``, ``_``, ``-``.
_EXCERPT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
#: A cached excerpt larger than this is not read (excerpts are at most a few thousand characters).
_MAX_EXCERPT_BYTES = 1 << 20


def _check_excerpt_ids(table: pd.DataFrame, path: Path) -> None:
    """Refuse excerpt ids that could name a file outside the cache folder, or repeat."""
    seen: set = set()
    for i, eid in enumerate(table["excerpt_id"].tolist(), start=2):
        if not _EXCERPT_ID.fullmatch(eid) or ".." in eid:
            raise DataError(f"{path}:{i}: excerpt_id {eid!r} is not a plain id – use letters, "
                            "digits, '.', '_' and '-' only (the cached text is <excerpt_id>.txt)")
        if eid in seen:
            raise DataError(f"{path}:{i}: excerpt_id {eid!r} is listed twice – keep one row")
        seen.add(eid)


def _standoff_texts(excerpts: pd.DataFrame, texts: Path) -> tuple[dict, list, list]:
    """``{excerpt_id: text}`` of the texts whose SHA-256 matches, and the ids of the texts
    missing from ``texts`` and of those whose bytes differ."""
    import hashlib

    from .fileio import decode_utf8

    found, missing, mismatched = {}, [], []
    for row in excerpts.itertuples():
        path = texts / f"{row.excerpt_id}.txt"
        if not path.is_file():
            missing.append(row.excerpt_id)
            continue
        if path.stat().st_size > _MAX_EXCERPT_BYTES:
            mismatched.append(row.excerpt_id)      # no excerpt is that long: not read
            continue
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != row.sha256.strip().lower():
            mismatched.append(row.excerpt_id)
            continue
        found[row.excerpt_id] = decode_utf8(raw, str(path))
    return found, missing, mismatched


def _standoff_labels(path: Path, excerpts: pd.DataFrame, found: dict) -> pd.DataFrame:
    """The labels as (doc_id, province, theme) items, each checked against its excerpt."""
    labels = read_table(path)
    _need(labels, STANDOFF_LABEL_COLUMNS, path)
    ids, short = _themes()
    known = set(excerpts["excerpt_id"])
    rows, seen = [], {}
    for i, r in enumerate(labels.itertuples()):
        where = f"{path}:{i + 2}"
        empty = [c for c in STANDOFF_LABEL_COLUMNS if not str(getattr(r, c)).strip()]
        if empty:
            raise DataError(f"{where}: {', '.join(empty)} empty – every label row needs "
                            f"{', '.join(STANDOFF_LABEL_COLUMNS)} (is the row cut short?)")
        if r.excerpt_id not in known:
            raise DataError(f"{where}: excerpt_id {r.excerpt_id!r} is not in excerpts.csv")
        theme = short.get(r.theme.strip(), r.theme.strip())
        if theme not in ids:
            raise DataError(f"{where}: theme {r.theme!r} is not a theme of the codebook")
        if not all(_ASCII_WHOLE.fullmatch(str(v).strip()) for v in (r.start, r.end)):
            if all(re.fullmatch(r"[0-9]+", str(v).strip()) for v in (r.start, r.end)):
                raise DataError(f"{where}: start {r.start!r} or end {r.end!r} is far larger than "
                                "any excerpt – offsets count characters of the excerpt's text")
            raise DataError(f"{where}: start {r.start!r} and end {r.end!r} must be whole "
                            "numbers in ASCII digits (0-9)")
        start, end = int(str(r.start).strip()), int(str(r.end).strip())
        text = found.get(r.excerpt_id)
        if not 0 <= start < end or (text is not None and end > len(text)):
            raise DataError(f"{where}: evidence span [{start}, {end}) is not inside excerpt "
                            f"{r.excerpt_id} – offsets count characters of its text")
        item = (r.excerpt_id, _province(r.province, where), theme)
        if item in seen:
            raise DataError(f"{where}: repeats row {seen[item]} (excerpt {item[0]}, {item[1]}, "
                            f"{theme}) – an item is labelled once; keep one row")
        seen[item] = i + 2
        rows.append(item)
    return pd.DataFrame(rows, columns=ITEM)


def load_standoff(labels: str | os.PathLike, texts: str | os.PathLike,
                  excerpts: str | os.PathLike | None = None, split: str | None = None) -> dict:
    """Read a stand-off evaluation set and the texts of a local cache.

    Parameters
    ----------
    labels : path-like
        The labels CSV (columns :data:`STANDOFF_LABEL_COLUMNS`).
    texts : path-like
        A folder of ``<excerpt_id>.txt`` (UTF-8).
    excerpts : path-like, optional
        ``excerpts.csv`` (columns :data:`EXCERPT_COLUMNS`); by default the one beside
        ``labels``.
    split : {"dev", "test"}, optional
        Only the excerpts of this split.

    Returns
    -------
    dict
        ``documents`` (``doc_id``, ``default_province``, ``has_title``) of the texts found
        with the recorded SHA-256, ``texts``, ``labels`` (items of those documents),
        ``missing`` and ``mismatched`` (excerpt ids) and ``excerpts`` (how many were
        listed).
    """
    labels, texts = Path(labels), Path(texts)
    excerpts = Path(excerpts) if excerpts else labels.parent / "excerpts.csv"
    if labels.is_dir():
        raise DataError(f"{labels}: is a folder – pass the label file LABELS.csv")
    if not labels.is_file():
        raise DataError(f"{labels}: no such label file (or not a regular file) – pass LABELS.csv "
                        "(excerpt_id, province, theme, start, end), e.g. "
                        "data/evaluation/realtext/labels.csv")
    if not texts.is_dir():
        raise DataError(f"{texts}: not a folder – pass the folder that holds <excerpt_id>.txt")
    table = listed = read_table(excerpts)
    _need(table, EXCERPT_COLUMNS, excerpts)
    _check_excerpt_ids(table, excerpts)
    for i, v in enumerate(table["has_title"].tolist(), start=2):
        if v.strip().lower() not in ("true", "false"):
            raise DataError(f"{excerpts}:{i}: has_title {v!r} – write true or false (whether the "
                            "excerpt keeps its title or header line)")
    if split is not None:
        if split not in ("dev", "test"):
            raise DataError(f"--split {split!r}: use dev or test")
        chosen = table["split"].str.strip().str.lower() == split
        if not chosen.any():
            raise DataError(f"{excerpts}: no excerpt has split {split!r} (the split column holds "
                            f"{sorted(set(table['split']))[:5]}) – use dev or test as written there")
        table = table[chosen].reset_index(drop=True)
    found, missing, mismatched = _standoff_texts(table, texts)
    items = _standoff_labels(labels, listed, found)
    docs = table[table["excerpt_id"].isin(set(found))]
    documents = pd.DataFrame({
        "doc_id": docs["excerpt_id"].tolist(),
        "default_province": [_province(v, f"{excerpts}: {e}") if v.strip() else ""
                             for e, v in zip(docs["excerpt_id"], docs["province"])],
        "has_title": (docs["has_title"].str.strip().str.lower() == "true").tolist()})
    return {"documents": documents, "texts": found,
            "labels": items[items["doc_id"].isin(set(found))].reset_index(drop=True),
            "missing": missing, "mismatched": mismatched, "excerpts": len(table)}


def standoff_table(standoff: dict, coder=None, use_province: bool = True, n: int = N_BOOTSTRAP,
                   seed: int = BOOTSTRAP_SEED, name: str = "realtext",
                   min_confidence: float = 0.0) -> pd.DataFrame:
    """Score the coder on a stand-off set (:func:`load_standoff`) at (excerpt, province, theme).

    With ``use_province``, a single-province excerpt is coded with its recorded province
    (as ``npstudy code --province`` would); otherwise every excerpt is coded as ``npstudy
    code`` codes a file without ``--province`` (its title line, else the text; see
    :func:`npstudy.coder.province.document_province`), and a second set of rows scores the
    excerpts that keep their title line. Intervals come from the document bootstrap of
    :func:`bootstrap_scores`. With ``min_confidence``, only suggestions whose calibrated
    confidence is at least that are scored, as a reviewer who keeps them would.

    Returns
    -------
    pandas.DataFrame
        ``set``, the columns of :func:`bootstrap_scores`, and ``texts_missing`` and
        ``texts_mismatched``: excerpts listed but not scored.
    """
    from .coder import Coder
    from .coder.province import document_province

    coder = coder if coder is not None else Coder()
    documents = standoff["documents"]
    if documents.empty:
        raise DataError(f"none of the {standoff['excerpts']} excerpt text(s) was found with its "
                        f"recorded SHA-256 ({len(standoff['missing'])} missing, "
                        f"{len(standoff['mismatched'])} different) – point --texts at the cache")
    frames = []
    for doc in documents.itertuples():
        text = standoff["texts"][doc.doc_id]
        if use_province and doc.default_province:
            own = doc.default_province
        else:
            own, _ = document_province(text, coder)
        frames.append(coder.code(text, doc.doc_id, province=own).suggestions)
    got = pd.concat(frames, ignore_index=True)
    if min_confidence:
        got = got[got["confidence"] >= min_confidence]
        name = f"{name} (confidence ≥ {min_confidence:g})"
    subsets = [(name, documents["doc_id"].tolist())]
    if not use_province:
        subsets.append((f"{name} (has_title)", documents.loc[documents["has_title"], "doc_id"].tolist()))
    out = []
    for label, docs in subsets:
        if docs:
            keep = set(docs)
            out.append(bootstrap_scores(got[got["doc_id"].isin(keep)],
                                        standoff["labels"][standoff["labels"]["doc_id"].isin(keep)],
                                        docs, n=n, seed=seed).assign(set=label))
    table = pd.concat(out, ignore_index=True)
    table["texts_missing"] = len(standoff["missing"])
    table["texts_mismatched"] = len(standoff["mismatched"])
    return table[["set"] + [c for c in table.columns if c != "set"]]


#: Columns of the table of recorded stand-off measurements (:func:`record_scores`).
RECORD_COLUMNS = ["labels", "labels_sha256", "split", "province", "set", "measured", "coder",
                  "precision",
                  "precision_low", "precision_high", "recall", "recall_low", "recall_high", "f1",
                  "tp", "suggested", "labelled", "texts_missing", "texts_mismatched"]


def record_scores(path: str | os.PathLike, table: pd.DataFrame, labels: str | os.PathLike,
                  split: str | None = None, today: str | None = None,
                  coder: str = "") -> pd.DataFrame:
    """Keep the pooled rows of a :func:`standoff_table` in a table of measurements.

    Each row says which label file (as given, and its SHA-256), which split and which
    province mode (``recorded`` or ``title or text``) it scores, when (``measured``, UTC
    date) and with which coder (``coder``: the npstudy version and the first 12 hex digits of
    :func:`npstudy.coder.corpus.coder_fingerprint`, which changes with the lexicon, the rules'
    settings and the statement screen's weights). Rows of the same label file (by path or by SHA-256), split and set are
    replaced; the others stay exactly as written, so
    one table holds the DEV, the second DEV batch and the once-only TEST measurement. The
    file is written atomically, sorted, and is created when absent.

    Returns
    -------
    pandas.DataFrame
        The table as written.
    """
    import datetime
    import hashlib

    from .fileio import write_atomic

    import csv
    import io

    path, labels = Path(path), Path(labels)
    digest = hashlib.sha256(labels.read_bytes()).hexdigest()
    pooled = table[table["theme"] == "all"].copy()
    pooled.insert(0, "labels", labels.as_posix())
    pooled.insert(1, "labels_sha256", digest)
    pooled.insert(2, "split", split or "all")
    pooled.insert(3, "province", ["title or text" if "no --province" in s else "recorded"
                                  for s in pooled["set"]])
    pooled.insert(5, "measured", today or datetime.datetime.now(datetime.timezone.utc)
                  .date().isoformat())
    pooled.insert(6, "coder", coder)
    counts = ("tp", "suggested", "labelled", "texts_missing", "texts_mismatched")
    new = [[str(int(v)) if c in counts else (f"{v:.4f}".rstrip("0").rstrip(".") if
            isinstance(v, float) and v == v else ("" if isinstance(v, float) else str(v)))
            for c, v in zip(RECORD_COLUMNS, row)]
           for row in pooled[RECORD_COLUMNS].itertuples(index=False)]
    old: list = []
    if path.is_file():
        # the other rows are kept exactly as they are: read as text, written back as text
        found = read_table(path)
        if list(found.columns) != RECORD_COLUMNS:
            raise DataError(f"{path}: not a table of recorded measurements (its columns must be "
                            f"exactly {', '.join(RECORD_COLUMNS)}) – choose another --record file")
        sets = set(pooled["set"])
        for row in found.astype(str).values.tolist():
            same_file = row[1] == digest or row[0] == labels.as_posix()
            if not (same_file and row[2] == (split or "all") and row[4] in sets):
                old.append(row)
    rows = sorted(old + new, key=lambda r: (r[0], r[2], r[4]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RECORD_COLUMNS)
    writer.writerows(rows)
    write_atomic(path, out.getvalue().encode("utf-8"))
    return pd.DataFrame(rows, columns=RECORD_COLUMNS)
