"""Null-model test of 9,999 randomisations on a 34 × 60 matrix: npstudy vs a set-based curveball.

Baseline: the straightforward curveball of Strona et al. (2014) written with
Python sets, one pair trade at a time (``tests/curveball_reference.py``, which the
tests also use as an independent reference), followed by the same Jaccard computation
and the same accumulation of null statistics. Both samplers perform the same
number of pair trades between samples (``thin`` global trades of 17 pairs =
289 pair trades) and the same burn-in, so they mix equally. Prints
randomisations per second for both and the ratio.

    python benchmarks/bench_nullmodel.py [n_samples]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from _common import machine

from npstudy.nullmodels import null_model_test
from npstudy.similarity import similarity_array

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from curveball_reference import set_curveball_test  # noqa: E402  (the tests' reference)

N_ROWS, N_COLS, DENSITY = 34, 60, 0.15


def main(n_samples: int = 9999) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((N_ROWS, N_COLS)) < DENSITY
    x[x.sum(axis=1) == 0, 0] = True
    frame = pd.DataFrame(x.astype(int))
    burnin, thin = 10 * N_ROWS, N_ROWS // 2

    t0 = time.perf_counter()
    ours = null_model_test(frame, n_samples=n_samples, burnin=burnin, thin=thin, seed=0)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    base_mean, _ = set_curveball_test(x, n_samples, burnin, thin, seed=0,
                                      similarity=lambda b: similarity_array(b, "jaccard"))
    t_base = time.perf_counter() - t0

    # Both estimate the same null expectation: compare the null means.
    i, j = np.triu_indices(N_ROWS, k=1)
    gap = float(np.nanmax(np.abs(ours["null_mean"].to_numpy() - base_mean[i, j])))
    rate_ours, rate_base = n_samples / t_ours, n_samples / t_base
    print(f"machine: {machine()}")
    print(f"matrix: {N_ROWS} x {N_COLS}, density {DENSITY}; {n_samples} randomisations, "
          f"burn-in {burnin} and thin {thin} global trades ({N_ROWS // 2} pair trades each)")
    print(f"set-based curveball (baseline): {t_base:8.2f} s  {rate_base:10.0f} randomisations/s")
    print(f"npstudy null_model_test:        {t_ours:8.2f} s  {rate_ours:10.0f} randomisations/s")
    print(f"speed-up: {rate_ours / rate_base:6.1f}x   max |null mean difference|: {gap:.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9999)
