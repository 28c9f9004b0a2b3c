"""Null-model test of 9,999 randomisations on a 34 × 60 matrix: npstudy vs a set-based curveball.

Baseline: the straightforward curveball of Strona et al. (2014) written with
Python sets, one pair trade at a time, followed by the same Jaccard computation
and the same accumulation of null statistics. Both samplers perform the same
number of pair trades between samples (``thin`` global trades of 17 pairs =
289 pair trades) and the same burn-in, so they mix equally. Prints
randomisations per second for both and the ratio.

    python benchmarks/bench_nullmodel.py [n_samples]
"""

from __future__ import annotations

import random
import sys
import time

import numpy as np
import pandas as pd
from _common import machine

from npstudy.similarity import _similarity_array, null_model_test

N_ROWS, N_COLS, DENSITY = 34, 60, 0.15


def set_curveball_test(x: np.ndarray, n_samples: int, burnin: int, thin: int, seed: int):
    """The baseline: sequential set-based curveball, then the same statistics."""
    rng = random.Random(seed)
    n, m = x.shape
    rows = [set(np.flatnonzero(r).tolist()) for r in x]
    pairs_per_global = n // 2

    def trade():
        i, j = rng.sample(range(n), 2)
        a, b = rows[i], rows[j]
        only_a, only_b = a - b, b - a
        if not only_a or not only_b:
            return
        pool = list(only_a | only_b)
        rng.shuffle(pool)
        shared = a & b
        rows[i] = shared | set(pool[: len(only_a)])
        rows[j] = shared | set(pool[len(only_a):])

    observed = _similarity_array(x, "jaccard")
    total = np.zeros((n, n))
    total_sq = np.zeros((n, n))
    n_ge = np.zeros((n, n))
    for _ in range(burnin * pairs_per_global):
        trade()
    for _ in range(n_samples):
        for _ in range(thin * pairs_per_global):
            trade()
        sample = np.zeros((n, m), dtype=bool)
        for i, cols in enumerate(rows):
            sample[i, list(cols)] = True
        sims = _similarity_array(sample, "jaccard")
        total += sims
        total_sq += sims ** 2
        n_ge += sims >= observed - 1e-12
    return total / n_samples, (1 + n_ge) / (1 + n_samples)


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
    base_mean, _ = set_curveball_test(x, n_samples, burnin, thin, seed=0)
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
