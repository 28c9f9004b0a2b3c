"""Jaccard similarity of a random 5,000 × 300 presence matrix: npstudy vs scipy.

Baseline: ``scipy.spatial.distance.pdist(X, "jaccard")`` in the same process, on
the same matrix. Prints both times, the speed-up as a ratio, and the largest
absolute difference between the two results (must be below 1e-9).

    python benchmarks/bench_jaccard.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from _common import best_time, machine
from scipy.spatial.distance import pdist, squareform

from npstudy.similarity import similarity_matrix

N_ROWS, N_COLS, DENSITY = 5000, 300, 0.1


def main() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((N_ROWS, N_COLS)) < DENSITY
    x[x.sum(axis=1) == 0, 0] = True  # no empty rows: scipy has no NaN convention for them
    frame = pd.DataFrame(x.astype(np.int8))

    ours = similarity_matrix(frame, "jaccard").to_numpy()
    theirs = 1.0 - squareform(pdist(x, "jaccard"))
    np.fill_diagonal(theirs, 1.0)
    max_diff = float(np.abs(ours - theirs).max())

    t_ours = best_time(lambda: similarity_matrix(frame, "jaccard"), repeat=3)
    t_scipy = best_time(lambda: pdist(x, "jaccard"), repeat=1)
    print(f"machine: {machine()}")
    print(f"matrix: {N_ROWS} x {N_COLS}, density {DENSITY}")
    print(f"scipy pdist jaccard (baseline): {t_scipy:8.3f} s")
    print(f"npstudy similarity_matrix:      {t_ours:8.3f} s")
    print(f"speed-up: {t_scipy / t_ours:6.1f}x   max |difference|: {max_diff:.2e}")
    assert max_diff < 1e-9


if __name__ == "__main__":
    main()
