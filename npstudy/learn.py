"""Learn from a team's own reviews: an opt-in classifier that re-scores the coder's suggestions.

The lexicon proposes; the classifier, trained on the suggestions a team accepted and
rejected, estimates for each new suggestion the probability that the team would accept
it, and suggestions below a threshold are dropped. Features are character 1–3-grams of
the evidence clause (Chinese needs no word segmentation for them) and the suggested theme;
the model is an L2-regularised logistic regression (scikit-learn ``liblinear``, seeded), so
the same reviews give the same model.

Nothing here is needed for the default coder, which needs no training. scikit-learn is
an optional dependency: ``pip install "npstudy[learn]"``.

A model is saved in the workspace as ``model/classifier.pkl`` (a pickle: load only models
you trained yourself) with ``model/classifier.json`` describing how it was trained.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from .fileio import CodingError, read_table, write_atomic

__all__ = ["MODEL_PATH", "reviewed_suggestions", "fit", "train", "load_model", "apply_model",
           "learning_curve", "DEFAULT_THRESHOLD"]

#: Where :func:`train` saves the model, relative to the workspace.
MODEL_PATH = Path("model") / "classifier.pkl"
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
    """Fit the classifier on a workspace's reviews and save it as ``model/classifier.pkl``.

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
            "model": "logistic regression (liblinear, C=4, balanced)",
            "scikit_learn": sklearn.__version__}
    target = folder / MODEL_PATH
    target.parent.mkdir(exist_ok=True)
    write_atomic(target, pickle.dumps(model, protocol=4))
    write_atomic(target.with_suffix(".json"),
                 (json.dumps(info, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return info


def load_model(path: str | os.PathLike):
    """Load a model saved by :func:`train` (a workspace folder or the model file)."""
    _sklearn()
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_PATH
    if not path.is_file():
        raise CodingError(f"{path}: no trained model – run `npstudy train WORKSPACE` first")
    try:
        return pickle.loads(path.read_bytes())
    except Exception as err:  # a damaged or foreign file
        raise CodingError(f"{path}: not a model saved by npstudy train ({type(err).__name__})") from None


def apply_model(suggestions: pd.DataFrame, model, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Re-score suggestions with a model and drop those below ``threshold``.

    The kept rows' ``confidence`` becomes the model's acceptance probability (rounded to
    two decimals). The input is not modified.
    """
    if not len(suggestions):
        return suggestions.copy()
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
