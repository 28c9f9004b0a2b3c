"""Write ``figures/tables/coder_learning_curve.csv``: what the review classifier adds.

The reviewed sentences are the coder's suggestions on the development parts of the
evaluation corpus (``data/evaluation/dev``, ``batch2`` and ``batch3``) and on the source article,
decided as their hand labels say (``npstudy.evaluation.review_from_labels``; for the
article, the hand coding in ``data/practices.csv``). ``npstudy.learn.learning_curve`` then
cross-validates (5 folds over sentences, 5 seeded draws per fold) the classifier trained on
100, 200 and 400 reviewed sentences, capped at what the training folds hold. The frozen test
set and the held-out ``batch4`` are not used.

Usage::

    python tools/coder_learning_curve.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from npstudy.coder import Coder  # noqa: E402
from npstudy.evaluation import (article_items, code_corpus, load_corpus,  # noqa: E402
                                review_from_labels)
from npstudy.learn import learning_curve  # noqa: E402


def reviewed_sentences() -> pd.DataFrame:
    coder = Coder()
    parts = []
    for name in ("dev", "batch2", "batch3"):
        corpus = load_corpus(ROOT / "data" / "evaluation" / name)
        parts.append(review_from_labels(code_corpus(corpus, coder), corpus["labels"]))
    got, want = article_items(coder)
    want = want.rename(columns={"quote": "sentence"})
    parts.append(review_from_labels(got, want))
    table = pd.concat(parts, ignore_index=True)
    return table.assign(accepted=table["decision"] == "accept")


def main() -> None:
    reviewed = reviewed_sentences()
    curve = learning_curve(reviewed, sizes=(100, 200, 400), seed=0)
    n_sent = reviewed[["doc_id", "quote"]].drop_duplicates().shape[0]
    curve.insert(0, "available_sentences", n_sent)
    out = ROOT / "figures" / "tables" / "coder_learning_curve.csv"
    curve.round(4).to_csv(out, index=False, lineterminator="\n")
    print(curve.round(3).to_string(index=False))
    print(f"wrote {out} ({len(reviewed)} reviewed suggestions, {int(reviewed['accepted'].sum())} "
          f"accepted, in {n_sent} sentences)")


if __name__ == "__main__":
    main()
