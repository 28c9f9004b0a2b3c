"""Learn from a team's own reviews: an opt-in classifier that re-scores the coder's suggestions.

The lexicon proposes; the classifier, trained on the suggestions a team accepted and
rejected, estimates for each new suggestion the probability that the team would accept
it, and suggestions below a threshold are dropped. Features are character 1–3-grams of
the evidence clause (Chinese needs no word segmentation for them) and the suggested theme;
the model is an L2-regularised logistic regression (scikit-learn ``liblinear``, seeded), so
the same reviews give the same model.

Nothing here is needed for the default coder, which needs no training. scikit-learn is
an optional dependency: ``pip install "npstudy[learn]"``.

A model is saved in the workspace as data, never as code: ``model/classifier.npz`` holds
the vocabulary, inverse document frequencies, themes, coefficients and intercept as plain
arrays (read with ``allow_pickle=False``), and ``model/classifier.json`` describes how it
was trained. :func:`load_model` checks every array (names, types, shapes, finite values,
sizes) and rebuilds the predictor from them (:class:`Classifier`), so a workspace handed
over by someone else cannot run code. A pickled model of an earlier version
(``model/classifier.pkl``) is refused, never loaded.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .fileio import (CodingError, DataError, read_bytes, read_table, safe_subfolder,
                     write_files_atomic)

__all__ = ["MODEL_PATH", "reviewed_suggestions", "fit", "train", "load_model", "apply_model",
           "learning_curve", "DEFAULT_THRESHOLD", "Classifier", "MAX_MODEL_BYTES"]

#: Where :func:`train` saves the model, relative to the workspace.
MODEL_PATH = Path("model") / "classifier.npz"
#: The pickled model of earlier versions, refused by :func:`load_model`.
LEGACY_MODEL_PATH = Path("model") / "classifier.pkl"
#: Largest model file :func:`load_model` reads, packed and unpacked (64 MiB).
MAX_MODEL_BYTES = 64 * 1024 * 1024
#: Most features (character n-grams) a model may have.
MAX_FEATURES = 2_000_000
_FORMAT = "npstudy-classifier-1"
_ARRAYS = {"format": "U", "vocabulary": "U", "idf": "f", "themes": "U", "coef": "f",
           "intercept": "f"}
#: Suggestions whose estimated acceptance probability is below this are dropped.
DEFAULT_THRESHOLD = 0.5
_NEEDED = ("quote", "theme", "decision")


def _sklearn():
    try:
        import sklearn  # noqa: F401
    except ImportError:
        raise CodingError('the classifier needs scikit-learn – pip install "npstudy[learn]"') from None


def reviewed_suggestions(folder: str | os.PathLike) -> pd.DataFrame:
    """All reviewed suggestions of a workspace.

    Reads every CSV file in ``folder/reviews/`` (and in ``folder`` itself) that has the
    columns ``quote``, ``theme`` and ``decision``, and keeps the rows whose decision is
    ``accept`` or ``reject``. Keep the files you reviewed in ``reviews/`` to train on them.

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id``, ``quote``, ``theme``, ``province``, ``accepted`` (bool) and
        ``file``; duplicates (same document, quote, province and theme) keep the last
        decision.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CodingError(f"{folder}: not a folder – give the workspace that holds reviews/")
    frames = []
    for path in sorted(folder.glob("*.csv")) + sorted((folder / "reviews").glob("*.csv")):
        table = read_table(path)
        if not all(c in table.columns for c in _NEEDED):
            continue
        decision = table["decision"].str.strip().str.lower()
        table = table[decision.isin(["accept", "reject"])].assign(
            accepted=decision[decision.isin(["accept", "reject"])] == "accept", file=path.name)
        for col in ("doc_id", "province"):
            if col not in table.columns:
                table[col] = ""
        frames.append(table[["doc_id", "quote", "theme", "province", "accepted", "file"]])
    if not frames:
        return pd.DataFrame(columns=["doc_id", "quote", "theme", "province", "accepted", "file"])
    out = pd.concat(frames, ignore_index=True)
    return out.drop_duplicates(["doc_id", "quote", "province", "theme"], keep="last") \
              .reset_index(drop=True)


def _pipeline(seed: int):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    features = ColumnTransformer([
        ("chars", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), min_df=1,
                                  sublinear_tf=True), "quote"),
        ("theme", OneHotEncoder(handle_unknown="ignore"), ["theme"]),
    ])
    return Pipeline([("features", features),
                     ("model", LogisticRegression(C=4.0, solver="liblinear", random_state=seed,
                                                  class_weight="balanced"))])


def fit(reviewed: pd.DataFrame, seed: int = 0):
    """Fit the classifier on reviewed suggestions (columns ``quote``, ``theme``, ``accepted``).

    Raises
    ------
    CodingError
        When the reviews do not hold both accepted and rejected suggestions.
    """
    _sklearn()
    n_acc = int(reviewed["accepted"].sum())
    n_rej = int((~reviewed["accepted"].astype(bool)).sum())
    if n_acc < 2 or n_rej < 2:
        raise CodingError(f"training needs at least 2 accepted and 2 rejected suggestions; "
                          f"found {n_acc} accepted and {n_rej} rejected – review more suggestions "
                          "(decision = accept / reject) and save them in reviews/")
    model = _pipeline(seed)
    model.fit(reviewed[["quote", "theme"]], reviewed["accepted"].astype(bool).to_numpy())
    return model


def train(folder: str | os.PathLike, seed: int = 0) -> dict:
    """Fit the classifier on a workspace's reviews and save it as ``model/classifier.npz``.

    The model is saved as arrays (see :class:`Classifier`), with ``model/classifier.json``
    describing it; both files are written together or not at all, inside the workspace
    (a ``model`` link that leads outside it is refused).

    Returns
    -------
    dict
        What was saved: ``path``, ``accepted``, ``rejected``, ``seed``, ``files``.
    """
    _sklearn()
    import sklearn

    folder = Path(folder)
    reviewed = reviewed_suggestions(folder)
    model = fit(reviewed, seed)
    info = {"path": str(MODEL_PATH), "accepted": int(reviewed["accepted"].sum()),
            "rejected": int((~reviewed["accepted"]).sum()), "seed": seed,
            "files": sorted(set(reviewed["file"])), "features": "char 1-3-grams of quote + theme",
            "model": "logistic regression (liblinear, C=4, balanced)", "format": _FORMAT,
            "scikit_learn": sklearn.__version__, "numpy": np.__version__}
    payload = Classifier.from_pipeline(model).to_bytes()
    description = (json.dumps(info, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    models = safe_subfolder(folder, MODEL_PATH.parent.name, create=False)
    target = models / MODEL_PATH.name
    write_files_atomic({target: payload, target.with_suffix(".json"): description},
                       folders=[models])
    return info


@dataclass(frozen=True)
class Classifier:
    """The review classifier as data: what :func:`train` saves and :func:`load_model` returns.

    It computes what the scikit-learn pipeline of :func:`fit` computes, from its arrays:
    for a suggestion with evidence clause *q* and theme *t*,

    .. math:: P(\\text{accept}) = \\sigma\\left(b + \\sum_j w_j x_j(q) + w_{V+k(t)}\\right),

    where :math:`x(q)` is the L2-normalised vector of :math:`(1 + \\ln \\mathrm{tf}_j)\\,
    \\mathrm{idf}_j` over the character 1–3-grams *j* of the vocabulary (sublinear TF-IDF,
    scikit-learn's ``TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
    sublinear_tf=True)``: lower-cased, runs of white space made one space), *k(t)* the
    index of theme *t* (no term for an unknown theme), *w* the coefficients, *b* the
    intercept and :math:`\\sigma` the logistic function.

    Attributes
    ----------
    vocabulary : numpy.ndarray of str
        The n-grams, in feature order.
    idf : numpy.ndarray of float
        Their inverse document frequencies.
    themes : numpy.ndarray of str
        The themes, in feature order after the n-grams.
    coef : numpy.ndarray of float
        One coefficient per n-gram, then one per theme.
    intercept : float

    Notes
    -----
    The features and the model are those of scikit-learn's ``TfidfVectorizer`` and
    ``LogisticRegression`` [1]_, rebuilt from these arrays without it.

    References
    ----------
    .. [1] Pedregosa, F. et al. (2011). Scikit-learn: machine learning in Python. *Journal of
       Machine Learning Research* 12, 2825–2830 (``TfidfVectorizer``, ``LogisticRegression``).
    """

    vocabulary: np.ndarray
    idf: np.ndarray
    themes: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def from_pipeline(cls, model) -> "Classifier":
        """The arrays of a pipeline fitted by :func:`fit`."""
        features = model.named_steps["features"]
        tfidf = features.named_transformers_["chars"]
        onehot = features.named_transformers_["theme"]
        lr = model.named_steps["model"]
        if list(lr.classes_) != [False, True]:  # pragma: no cover - fit() always gives these
            raise CodingError("the classifier must separate rejected from accepted suggestions")
        vocab = sorted(tfidf.vocabulary_, key=tfidf.vocabulary_.get)
        return cls(np.array(vocab, dtype=str), np.asarray(tfidf.idf_, dtype=np.float64),
                   np.array(onehot.categories_[0], dtype=str),
                   np.asarray(lr.coef_[0], dtype=np.float64), float(lr.intercept_[0]))

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` archive of plain arrays (no pickled objects)."""
        buf = io.BytesIO()
        np.savez_compressed(buf, format=np.array(_FORMAT), vocabulary=self.vocabulary,
                            idf=self.idf, themes=self.themes, coef=self.coef,
                            intercept=np.array([self.intercept], dtype=np.float64))
        return buf.getvalue()

    def predict_proba(self, table: pd.DataFrame) -> np.ndarray:
        """Probabilities of ``[reject, accept]`` for rows with ``quote`` and ``theme``.

        Raises ``ValueError`` for a row whose quote is missing (None or NaN): there is no
        sentence to score.
        """
        _check_quotes(table)
        index = {g: i for i, g in enumerate(self.vocabulary.tolist())}
        themes = {t: i for i, t in enumerate(self.themes.tolist())}
        n_vocab = len(index)
        w_chars, w_themes = self.coef[:n_vocab], self.coef[n_vocab:]
        scores = np.empty(len(table))
        for row, (quote, theme) in enumerate(zip(table["quote"].astype(str),
                                                 table["theme"].astype(str))):
            counts: dict[int, int] = {}
            for gram in _char_ngrams(quote):
                j = index.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            cols = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf)) * self.idf[cols]
            norm = math.sqrt(float(values @ values))
            score = self.intercept + (float(values @ w_chars[cols]) / norm if norm else 0.0)
            if theme in themes:
                score += w_themes[themes[theme]]
            scores[row] = score
        accept = 1.0 / (1.0 + np.exp(-scores))
        return np.column_stack([1.0 - accept, accept])


_WHITE_SPACES = re.compile(r"\s\s+")


def _check_quotes(table: pd.DataFrame) -> None:
    """Refuse rows without a quote or a theme column, and quotes that are missing values."""
    for column in ("quote", "theme"):
        if column not in table.columns:
            raise ValueError(f"the table has no {column!r} column – pass suggestions as "
                             "`npstudy code` writes them")
    missing = table["quote"].isna().to_numpy()
    if missing.any():
        row = int(missing.nonzero()[0][0])
        raise ValueError(f"row {row}: quote: {table['quote'].iloc[row]!r} – a suggestion needs "
                         "its quote (the text at its offsets) to be scored")


def _char_ngrams(text: str, low: int = 1, high: int = 3) -> list[str]:
    """Character n-grams as scikit-learn's ``analyzer="char"`` makes them."""
    text = _WHITE_SPACES.sub(" ", text.lower())
    return [text[i:i + n] for n in range(low, min(high, len(text)) + 1)
            for i in range(len(text) - n + 1)]


def load_model(path: str | os.PathLike) -> Classifier:
    """Load a model saved by :func:`train` (a workspace folder or the ``.npz`` file).

    The file must be an ``.npz`` archive holding exactly the arrays
    :class:`Classifier` names, of the right types and consistent shapes, with finite
    values, within :data:`MAX_MODEL_BYTES`; it is read with ``allow_pickle=False``.
    A pickled model (``classifier.pkl`` of earlier versions) is refused unread.

    Raises
    ------
    CodingError
        For a missing model, a pickle, or anything that is not such an archive; the
        message says what is wrong and to run ``npstudy train WORKSPACE`` again.
    """
    path = Path(path)
    if path.is_dir():
        if not (path / MODEL_PATH).exists() and (path / LEGACY_MODEL_PATH).exists():
            path = path / LEGACY_MODEL_PATH
        else:
            path = path / MODEL_PATH
    retrain = "run `npstudy train WORKSPACE` again to save the model as data"
    if path.suffix.lower() in (".pkl", ".pickle"):
        raise CodingError(f"{path}: a pickled model, which could run any code when loaded, so "
                          f"npstudy does not read it – {retrain} (model/classifier.npz)")
    if not os.path.lexists(path):
        raise CodingError(f"{path}: no trained model – run `npstudy train WORKSPACE` first")
    try:
        raw = read_bytes(path, MAX_MODEL_BYTES)
    except DataError as err:
        raise CodingError(f"{err}; {retrain}") from None
    return _read_classifier(raw, str(path), retrain)


def _read_classifier(raw: bytes, name: str, retrain: str) -> Classifier:
    def bad(why: str) -> CodingError:
        return CodingError(f"{name}: not a model saved by npstudy train ({why}) – {retrain}")

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = archive.infolist()
            names = sorted(m.filename for m in members)
            if names != sorted(f"{k}.npy" for k in _ARRAYS):
                raise bad(f"it holds {', '.join(names[:8]) or 'nothing'}; expected "
                          f"{', '.join(f'{k}.npy' for k in _ARRAYS)}")
            if sum(m.file_size for m in members) > MAX_MODEL_BYTES:
                raise bad(f"it unpacks to more than {MAX_MODEL_BYTES:,} bytes")
        arrays = {}
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            for key, kind in _ARRAYS.items():
                value = npz[key]
                if not isinstance(value, np.ndarray):
                    raise bad(f"{key}.npy is not an array")
                if value.dtype.kind != kind or value.dtype.hasobject:
                    raise bad(f"{key} has type {value.dtype}")
                arrays[key] = value
    except CodingError:
        raise
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, NotImplementedError,
            RuntimeError) as err:
        raise bad(type(err).__name__ if not str(err) else " ".join(str(err).split())[:200]) \
            from None
    if arrays["format"].shape != () or str(arrays["format"]) != _FORMAT:
        raise bad(f"format {str(arrays['format'])[:40]!r}, expected {_FORMAT!r}")
    vocab, idf, themes, coef, intercept = (arrays[k] for k in
                                           ("vocabulary", "idf", "themes", "coef", "intercept"))
    if any(a.ndim != 1 for a in (vocab, idf, themes, coef, intercept)):
        raise bad("an array is not one-dimensional")
    if not 0 < len(vocab) <= MAX_FEATURES or len(themes) > MAX_FEATURES:
        raise bad(f"{len(vocab):,} n-grams and {len(themes):,} themes; at most "
                  f"{MAX_FEATURES:,}")
    if len(idf) != len(vocab) or len(coef) != len(vocab) + len(themes) or len(intercept) != 1:
        raise bad(f"shapes do not match: {len(vocab)} n-grams, {len(idf)} idf values, "
                  f"{len(themes)} themes, {len(coef)} coefficients, {len(intercept)} intercepts")
    if not (np.isfinite(idf).all() and np.isfinite(coef).all() and np.isfinite(intercept).all()):
        raise bad("it holds a value that is not a finite number")
    if (idf <= 0).any():
        raise bad("an inverse document frequency is not positive")
    grams = vocab.tolist()
    if any(not 1 <= len(g) <= 3 for g in grams) or len(set(grams)) != len(grams):
        raise bad("the vocabulary must hold distinct n-grams of 1 to 3 characters")
    if len(set(themes.tolist())) != len(themes):
        raise bad("a theme appears twice")
    return Classifier(vocab, idf.astype(np.float64), themes, coef.astype(np.float64),
                      float(intercept[0]))


def apply_model(suggestions: pd.DataFrame, model, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Re-score suggestions with a model and drop those below ``threshold``.

    ``model`` is a :class:`Classifier` (from :func:`load_model`) or a pipeline from
    :func:`fit`. The kept rows' ``confidence`` becomes the model's acceptance probability
    (rounded to two decimals). The input is not modified.
    """
    if (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
            or not 0.0 <= threshold <= 1.0):
        raise ValueError(f"threshold: {threshold!r} – give a probability between 0 and 1")
    if not len(suggestions):
        return suggestions.copy()
    _check_quotes(suggestions)
    prob = model.predict_proba(suggestions[["quote", "theme"]].astype(str))[:, 1]
    out = suggestions.assign(confidence=np.round(prob, 2))
    return out[prob >= threshold].reset_index(drop=True)


def learning_curve(reviewed: pd.DataFrame, sizes=(100, 200, 400), folds: int = 5,
                   repeats: int = 5, seed: int = 0, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """How much the classifier adds once a team has reviewed n sentences (cross-validated).

    Sentences (distinct evidence clauses of a document) are split into ``folds`` groups.
    For each held-out fold and each size n, n sentences are drawn from the other folds
    (``repeats`` draws, seeded), the classifier is fitted on their suggestions and applied
    to the held-out suggestions. On the held-out suggestions, *lexicon alone* keeps
    everything: its precision is the accepted share and its recall 1 (relative to what the
    lexicon found). *Lexicon + classifier* keeps what the model scores ≥ ``threshold``.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``requested`` (n), ``sentences`` (n capped at what the
        training folds hold),
        ``precision_lexicon``, ``precision_model``, ``recall_model`` (share of accepted
        suggestions kept), ``f1_lexicon``, ``f1_model``, ``f1_gain`` (model − lexicon),
        means over folds and draws, and ``fits``.
    """
    _sklearn()
    reviewed = reviewed.reset_index(drop=True)
    key = reviewed["doc_id"].astype(str) + "\x00" + reviewed["quote"].astype(str)
    sentences = np.array(sorted(set(key)), dtype=object)
    rng = np.random.default_rng(seed)
    fold_of = dict(zip(sentences, rng.permutation(len(sentences)) % folds))
    row_fold = key.map(fold_of).to_numpy()
    rows = []
    for n in sizes:
        stats = []
        for k in range(folds):
            test = reviewed[row_fold == k]
            pool = sentences[[fold_of[s] != k for s in sentences]]
            if not len(test) or not test["accepted"].any():
                continue
            for _ in range(repeats):
                pick = set(rng.choice(pool, size=min(n, len(pool)), replace=False))
                train_rows = reviewed[key.isin(pick) & (row_fold != k)]
                if train_rows["accepted"].sum() < 2 or (~train_rows["accepted"]).sum() < 2:
                    continue
                model = fit(train_rows, seed)
                keep = model.predict_proba(test[["quote", "theme"]])[:, 1] >= threshold
                acc = test["accepted"].to_numpy(bool)
                p_lex = acc.mean()
                p_mod = acc[keep].mean() if keep.any() else 0.0
                r_mod = acc[keep].sum() / acc.sum()
                f_lex = 2 * p_lex / (p_lex + 1)
                f_mod = 2 * p_mod * r_mod / (p_mod + r_mod) if p_mod + r_mod else 0.0
                stats.append((min(n, len(pool)), p_lex, p_mod, r_mod, f_lex, f_mod))
        if not stats:
            continue
        a = np.array(stats)
        rows.append({"requested": n, "sentences": int(a[:, 0].min()),
                     "precision_lexicon": a[:, 1].mean(),
                     "precision_model": a[:, 2].mean(), "recall_model": a[:, 3].mean(),
                     "f1_lexicon": a[:, 4].mean(), "f1_model": a[:, 5].mean(),
                     "f1_gain": (a[:, 5] - a[:, 4]).mean(), "fits": len(stats)})
    return pd.DataFrame(rows)
