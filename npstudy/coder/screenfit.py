"""Refit the statement screen (:mod:`npstudy.coder.screen`) on labelled real text.

Runs in a checkout of the repository, with the real texts cached outside it::

    python -m npstudy.coder.screenfit --real LABELS TEXTS [--real …] [--retired LABELS TEXTS …] \\
        --project DIR [--project …] [--guard DIR …]

It writes ``npstudy/coder/screen.npz`` (the weights, plain arrays) and
``npstudy/coder/screen.json`` (what it was trained on, the cross-validation, the
reliability and cut-off tables). scikit-learn is needed here only; the coder applies the
weights with numpy.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from .screen import FORMAT, SCREEN_FILE, SCREEN_RECORD, Screen, item_features, load_screen

__all__ = ["cross_validate", "learning_curve", "reliability_tables", "platt", "main"]


def _items(documents: pd.DataFrame, texts: dict, labels: pd.DataFrame, group: str):
    """(group, key, features, labelled, passed the rules) of every candidate item."""
    from .core import Coder
    from .statement import statement_reasons

    coder = _items.coder = getattr(_items, "coder", None) or Coder(statement_test=False,
                                                                   calibrated=False)
    want = set(map(tuple, labels[["doc_id", "province", "theme"]].values))
    out = []
    for doc in documents.itertuples():
        text = texts[doc.doc_id]
        cand = coder.code(text, doc.doc_id, province=doc.default_province or None).suggestions
        if not len(cand):
            continue
        reasons = statement_reasons(cand, coder.names_actor)
        own = coder.gazetteer.find(doc.default_province) if doc.default_province else None
        keys, feats = item_features(cand, reasons, text, coder.names_actor,
                                    own=own or coder._first_named(text))
        passed = {k for k, why in zip(zip(cand["doc_id"], cand["province"], cand["theme"]),
                                      reasons) if not why}
        out += [(group, k, f, k in want, k in passed) for k, f in zip(keys, feats)]
    return out, len(want)


def _fit(rows, C: float, min_count: int = 2):
    """Vocabulary, coefficients and intercept of a logistic regression on ``rows``."""
    from sklearn.linear_model import LogisticRegression

    counts: dict = {}
    for r in rows:
        for x in r[2]:
            counts[x] = counts.get(x, 0) + 1
    vocabulary = sorted(x for x, n in counts.items() if n >= min_count)
    index = {v: i for i, v in enumerate(vocabulary)}
    X = _matrix([r[2] for r in rows], index)
    y = np.array([r[3] for r in rows], dtype=int)
    model = LogisticRegression(C=C, max_iter=10_000).fit(X, y)
    return vocabulary, model.coef_[0], float(model.intercept_[0])


def _matrix(features, index):
    from scipy.sparse import csr_matrix

    ind, ptr = [], [0]
    for f in features:
        ind += sorted(index[x] for x in f if x in index)
        ptr.append(len(ind))
    return csr_matrix((np.ones(len(ind)), ind, ptr), shape=(len(features), len(index)))


def _scores(keep: np.ndarray, right: np.ndarray, labelled: int) -> tuple[float, float, float]:
    tp, n = int((keep & right).sum()), int(keep.sum())
    p = tp / n if n else 0.0
    r = tp / labelled if labelled else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


#: Decimal places the shipped weights keep. Refits differ in the last bits of a double (the
#: order of floating-point sums); rounding far above that makes two refits write the same file.
DIGITS = 9

#: The regularisations and thresholds cross-validation tries.
GRID = (0.03, 0.1, 0.3, 1.0)
THRESHOLDS = tuple(float(t) for t in np.round(np.arange(0.1, 0.8, 0.025), 3))


def cross_validate(sets: dict, always: list | None = None, grid=GRID, thresholds=THRESHOLDS):
    """Leave-one-set-out predictions of every set's items, for each regularisation in
    ``grid``, and the (C, threshold) with the best F1 of the pooled held-out predictions.

    ``sets`` maps a real set's name to (rows, number of labelled items); each is predicted by
    a model fitted on the others and on ``always`` (rows of project-written corpora, always in
    training: they teach the screen what a plain statement looks like, but a model that has
    never seen them cannot stand for one that has, so they are not held out). Returns (best
    row, out-of-set probabilities of the best C, table of every (C, threshold)).
    """
    always = always or []
    names = list(sets)
    rows = [r for n in names for r in sets[n][0]]
    labelled = sum(sets[n][1] for n in names)
    right = np.array([r[3] for r in rows])
    passed = np.array([r[4] for r in rows])
    group = np.array([r[0] for r in rows])
    table, oof = [], {}
    for C in grid:
        p = np.zeros(len(rows))
        for n in names:
            train = [r for m in names if m != n for r in sets[m][0]] + always
            vocabulary, coef, intercept = _fit(train, C)
            held = group == n
            p[held] = Screen(vocabulary, coef, intercept, 0.5).probability(
                [r[2] for r, h in zip(rows, held) if h])
        oof[C] = p
        for t in thresholds:
            prec, rec, f1 = _scores(passed & (p >= t), right, labelled)
            table.append({"C": C, "threshold": float(t), "precision": round(prec, 4),
                          "recall": round(rec, 4), "f1": round(f1, 4)})
    table = pd.DataFrame(table)
    best = table.sort_values(["f1", "C", "threshold"], ascending=[False, True, True]).iloc[0]
    return best, oof, table


def reliability_tables(p: np.ndarray, right: np.ndarray, passed: np.ndarray,
                       labelled: int, threshold: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Reliability (five bins of the out-of-set probability of the rule-passed items: n, right,
    mean probability) and cut-offs (precision and recall keeping items at or above each
    probability: 0, 0.1, …, 0.9, and the screen's ``threshold`` when given)."""
    edges = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0001]
    rel = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = passed & (p >= lo) & (p < hi)
        rel.append({"cell": f"{lo:.1f}–{min(hi, 1.0):.1f}", "n": int(m.sum()),
                    "correct": int((m & right).sum()),
                    "rate": round(float((m & right).sum() / m.sum()), 4) if m.any() else float("nan"),
                    "confidence": round(float(p[m].mean()), 4) if m.any() else float("nan")})
    cuts = []
    grid = set(np.round(np.arange(0.0, 0.95, 0.1), 1).tolist())
    if threshold is not None:  # exactly, so that its row keeps the screen's own items
        grid.add(float(threshold))
    for cut in sorted(grid):
        keep = passed & (p >= cut)
        prec, rec, _ = _scores(keep, right, labelled)
        cuts.append({"cutoff": float(cut), "items": int(keep.sum()),
                     "right": int((keep & right).sum()),
                     "precision": round(prec, 4) if keep.any() else float("nan"),
                     "recall": round(rec, 4)})
    return pd.DataFrame(rel), pd.DataFrame(cuts)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def platt(model: Screen, p: np.ndarray, right: np.ndarray, passed: np.ndarray,
          threshold: float) -> tuple[Screen, np.ndarray, float, tuple[float, float]]:
    """Calibrate ``model`` on its held-out probabilities ``p``: fit P(right) = σ(a·logit(p) + b)
    on the rule-passed items (Platt 1999) and fold it into the weights (coefficients × a,
    intercept × a + b), so that the shipped file keeps its form.

    A monotone map, so the threshold maps with it and keeps the same items. Returns the
    calibrated model, the calibrated held-out probabilities, the mapped threshold and (a, b).

    Platt, J. (1999). Probabilistic outputs for support vector machines and comparisons to
    regularized likelihood methods. *Advances in Large Margin Classifiers*, 61–74.
    """
    from sklearn.linear_model import LogisticRegression

    z = _logit(p)
    fit = LogisticRegression(C=1e6, max_iter=10_000).fit(z[passed].reshape(-1, 1), right[passed])
    a, b = float(fit.coef_[0][0]), float(fit.intercept_[0])
    t = float(1.0 / (1.0 + np.exp(-(a * _logit(np.array([threshold]))[0] + b))))
    scaled = Screen(model.vocabulary, np.round(model.coef * a, DIGITS),
                    round(model.intercept * a + b, DIGITS), round(t, DIGITS))
    return scaled, 1.0 / (1.0 + np.exp(-(a * z + b))), scaled.threshold, (a, b)


def _kept(rows, model: Screen) -> np.ndarray:
    """Which rule-passed items of ``rows`` the screen keeps."""
    passed = np.array([r[4] for r in rows], dtype=bool)
    return passed & (model.probability([r[2] for r in rows]) >= model.threshold)


def _passes(model: Screen, corpora: dict) -> bool:
    """Whether ``model`` leaves every corpus at least as precise as the rules alone, with an F1
    at least as high: recall may fall only where the precision gained makes up for it."""
    for rows, labelled in corpora.values():
        right = np.array([r[3] for r in rows], dtype=bool)
        rules = _scores(np.array([r[4] for r in rows], dtype=bool), right, labelled)
        got = _scores(_kept(rows, model), right, labelled)
        if got[0] < rules[0] or got[2] < rules[2]:
            return False
    return True


def _guarded(table: pd.DataFrame, models: dict, corpora: dict):
    """The (C, threshold) row of ``table`` with the best held-out F1 whose final model (one
    per C in ``models``) leaves every project corpus at least as precise as the rules alone
    and with an F1 at least as high (:func:`_passes`); None when no row does."""
    for row in table.sort_values(["f1", "C", "threshold"],
                                 ascending=[False, True, True]).itertuples():
        model = models[row.C]
        model.threshold = row.threshold
        if _passes(model, corpora):
            return table.loc[row.Index]
    return None


def _rounded(scores) -> dict:
    return dict(zip(("precision", "recall", "f1"), (round(x, 4) for x in scores)))


def _sha(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def learning_curve(sets: dict, always: list | None = None, sizes=None, draws: int = 2,
                   C: float = 0.1, thresholds=THRESHOLDS, seed: int = 15) -> pd.DataFrame:
    """How the held-out accuracy of the screen grows with the number of real sets it learns from.

    For each size ``k`` and draw, every real set is predicted by a model fitted on ``k`` of the
    other sets (drawn at random, seeded) and on ``always``; the pooled held-out predictions give
    the AUC and, at the threshold with the best pooled F1 (chosen the same way for every
    ``k``, so the sizes compare fairly; it flatters each a little), precision, recall and F1
    over every labelled item. The rules-alone row (``k = 0``) keeps every rule-passed item.

    Parameters
    ----------
    sets : dict
        ``{name: (rows, labelled)}`` as :func:`cross_validate` takes them.
    always : list, optional
        Rows always in training (the project-written corpora).
    sizes : sequence of int, optional
        Numbers of other sets to learn from (default 1 … n − 1, n the number of sets).
    draws : int
        Random draws of the sets for each size below n − 1 (one draw at n − 1: there is
        only one choice).
    C : float
        The regularisation (the shipped screen's).

    Returns
    -------
    pandas.DataFrame
        One row per (size, draw): ``sets``, ``draw``, ``items`` (training items, real sets
        only), ``auc``, ``threshold``, ``precision``, ``recall``, ``f1``.
    """
    import random

    from sklearn.metrics import roc_auc_score

    always = always or []
    names = list(sets)
    rows = [r for n in names for r in sets[n][0]]
    labelled = sum(sets[n][1] for n in names)
    right = np.array([r[3] for r in rows], bool)
    passed = np.array([r[4] for r in rows], bool)
    group = np.array([r[0] for r in rows])
    prec, rec, f1 = _scores(passed, right, labelled)
    out = [{"sets": 0, "draw": 0, "items": 0, "auc": float("nan"), "threshold": float("nan"),
            "precision": prec, "recall": rec, "f1": f1}]
    for k in sizes or range(1, len(names)):
        for draw in range(draws if k < len(names) - 1 else 1):
            rng = random.Random(f"{seed}:{k}:{draw}")
            p, items = np.zeros(len(rows)), 0
            for n in names:
                chosen = rng.sample([m for m in names if m != n], k)
                train = [r for m in chosen for r in sets[m][0]]
                items += len(train)
                vocabulary, coef, intercept = _fit(train + always, C)
                held = group == n
                p[held] = Screen(vocabulary, coef, intercept, 0.5).probability(
                    [r[2] for r, h in zip(rows, held) if h])
            scored = [(_scores(passed & (p >= t), right, labelled), t) for t in thresholds]
            (prec, rec, f1), t = max(scored, key=lambda x: (x[0][2], -x[1]))
            out.append({"sets": k, "draw": draw, "items": round(items / len(names)),
                        "auc": float(roc_auc_score(right, p)), "threshold": float(t),
                        "precision": prec, "recall": rec, "f1": f1})
    return pd.DataFrame(out).round(4)


def _load(args) -> tuple[dict, list, dict]:
    """The real sets' items, the project rows trained on, and every project corpus's items."""
    from ..evaluation import load_corpus, load_standoff

    sets, project, corpora = {}, [], {}
    for (labels, texts), split in [(x, "dev") for x in args.real] + [(x, "test") for x in args.retired]:
        so = load_standoff(labels, texts, split=split)
        name = Path(labels).as_posix() + ("#test" if split == "test" else "")
        sets[name] = _items(so["documents"], so["texts"], so["labels"], name)
    for folder in args.project + args.guard:
        c = load_corpus(folder)
        name = Path(folder).as_posix()
        corpora[name] = _items(c["documents"], c["texts"], c["labels"], name)
        if folder in args.project:
            project += corpora[name][0]
    return sets, project, corpora


def _held_out(sets: dict, p: np.ndarray, t: float) -> dict:
    """Precision, recall and F1 of each real set's held-out items, rules alone and screened."""
    rows = [r for n in sets for r in sets[n][0]]
    group = np.array([r[0] for r in rows])
    right = np.array([r[3] for r in rows])
    passed = np.array([r[4] for r in rows])
    out = {}
    for n, (_, labelled) in list(sets.items()) + [("pooled", (None, sum(k for _, k in sets.values())))]:
        g = group == n if n != "pooled" else np.ones(len(rows), bool)
        out[n] = {"items labelled": labelled,
                  "rules only": _rounded(_scores(passed[g], right[g], labelled)),
                  "screened": _rounded(_scores(passed[g] & (p[g] >= t), right[g], labelled))}
    return out


def _write(model: Screen, record: dict) -> None:
    """``screen.npz`` and ``screen.json``, each written whole and then renamed."""
    buf = io.BytesIO()
    np.savez_compressed(buf, format=np.array(FORMAT), vocabulary=np.array(model.vocabulary),
                        coef=model.coef, intercept=np.array(model.intercept),
                        threshold=np.array(model.threshold))
    text = json.dumps(record, ensure_ascii=False, indent=1) + "\n"
    for path, data in ((SCREEN_FILE, buf.getvalue()), (SCREEN_RECORD, text.encode("utf-8"))):
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    load_screen.cache_clear()


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m npstudy.coder.screenfit",
                                 description="Refit the statement screen on labelled real text.")
    ap.add_argument("--real", nargs=2, action="append", metavar=("LABELS", "TEXTS"), required=True,
                    help="a stand-off label file (its dev excerpts) and the folder of its texts")
    ap.add_argument("--retired", nargs=2, action="append", default=[], metavar=("LABELS", "TEXTS"),
                    help="a test set already scored once and replaced by a newer frozen test "
                         "set: its test excerpts are trained on (never the current test set)")
    ap.add_argument("--project", action="append", default=[], metavar="DIR",
                    help="a project-written evaluation corpus, always in training")
    ap.add_argument("--guard", action="append", default=[], metavar="DIR",
                    help="a project-written corpus not trained on, which the threshold must "
                         "leave no less precise and complete than the rules alone")
    ap.add_argument("--learning-curve", metavar="CSV", type=Path,
                    help="instead of refitting, write how the held-out accuracy grows with the "
                         "number of real sets learnt from (see learning_curve) to CSV")
    args = ap.parse_args(argv)
    root = Path(__file__).resolve().parents[2]
    if not (root / "pyproject.toml").is_file() or not (root / "data" / "evaluation").is_dir():
        print("npstudy: error: refitting the screen rewrites npstudy/coder/screen.npz: run it in "
              "a checkout of the repository, not in an installed copy", file=sys.stderr)
        return 1
    from ..fileio import NpstudyError

    try:
        sets, project, corpora = _load(args)
    except NpstudyError as err:
        print(f"npstudy: error: {err}", file=sys.stderr)
        return 1
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):  # one BLAS thread: the same sums in the same order
        if args.learning_curve:
            from ..fileio import write_atomic

            C = float(json.loads(SCREEN_RECORD.read_text(encoding="utf-8"))["C"])
            curve = learning_curve(sets, project, C=C)
            write_atomic(args.learning_curve,
                         curve.to_csv(index=False, lineterminator="\n").encode("utf-8"))
            print(curve.to_string(index=False))
            return 0
        return _refit(sets, project, corpora, args)


def _refit(sets: dict, project: list, corpora: dict, args) -> int:
    """Cross-validate, choose, calibrate and write the screen (see :func:`main`)."""
    _, oof, table = cross_validate(sets, project)
    rows = [r for n in sets for r in sets[n][0]]
    models = {C: Screen(*_fit(rows + project, float(C)), 0.5) for C in oof}
    best = _guarded(table, models, corpora)
    if best is None:
        print("npstudy: error: no regularisation and threshold leave every project corpus as "
              "precise and complete as the rules alone; the screen was not changed",
              file=sys.stderr)
        return 1
    right = np.array([r[3] for r in rows])
    passed = np.array([r[4] for r in rows])
    model, p, t, scaling = platt(models[best["C"]], oof[best["C"]], right, passed,
                                 float(best["threshold"]))
    labelled = sum(k for _, k in sets.values())
    rel, cuts = reliability_tables(p, right, passed, labelled, t)
    record = {
        "format": FORMAT,
        "trained_on": {**{n: "sha256:" + _sha(n.split("#")[0]) for n in sets},
                       **{Path(f).as_posix(): "project-written corpus" for f in args.project},
                       **{Path(f).as_posix(): "guard only, not trained on" for f in args.guard}},
        "items": {"real": len(rows), "real labelled": int(labelled), "project": len(project)},
        "model": "L2 logistic regression (scikit-learn lbfgs), features seen in >= 2 items",
        "C": float(best["C"]), "threshold": t,
        "calibration": {"method": "Platt scaling of the held-out log-odds of the rule-passed "
                                  "items, folded into the weights",
                        "slope": round(scaling[0], 6), "intercept": round(scaling[1], 6),
                        "threshold before scaling": float(best["threshold"])},
        "project corpora at the threshold": {
            n: {"rules only": _rounded(_scores(np.array([r[4] for r in rs], bool),
                                               np.array([r[3] for r in rs], bool), k)),
                "screened": _rounded(_scores(_kept(rs, model), np.array([r[3] for r in rs], bool), k))}
            for n, (rs, k) in corpora.items()},
        "cross_validation": {"method": "leave one real set out (dev excerpts, and the test "
                             "excerpts of retired test sets, marked #test), project "
                             "corpora always in training; C and threshold maximise the F1 of "
                             "the pooled held-out predictions, among the thresholds that leave "
                             "every project corpus at least as precise as the rules, with an "
                             "F1 at least as high",
                             "held-out sets": _held_out(sets, p, t)},
        "reliability": rel.to_dict(orient="list"),
        "cutoffs": cuts.to_dict(orient="list"),
    }
    _write(model, record)
    print(table.sort_values("f1", ascending=False).head(6).to_string(index=False))
    print(json.dumps({k: record[k] for k in ("C", "threshold", "project corpora at the threshold",
                                             "cross_validation")}, indent=1))
    print(rel.to_string(index=False))
    print(cuts.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
