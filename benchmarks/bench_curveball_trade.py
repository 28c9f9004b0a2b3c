"""One global curveball trade: npstudy's against its previous form (argsort of the keys, ranks by
``put_along_axis``, two gathers and two scatters), on the same stacks with the same seeds.

The previous form is kept here as the baseline. Both must leave the same matrices after the
same trades (checked before timing); the script prints the time per trade and the ratio for a
province-sized stack (32 chains × 34 × 60) and a larger one (32 × 200 × 30).

    python benchmarks/bench_curveball_trade.py [trades]
"""

from __future__ import annotations

import sys

import numpy as np
from _common import best_time, machine

from npstudy.nullmodels import _global_trade


def previous_trade(x: np.ndarray, rng: np.random.Generator) -> None:
    """The global trade as npstudy wrote it before (the baseline)."""
    c, n, m = x.shape
    k = n // 2
    perm = np.argsort(rng.random((c, n)), axis=1)
    chain = np.arange(c)[:, None]
    ia, ib = perm[:, :k], perm[:, k:2 * k]
    a, b = x[chain, ia], x[chain, ib]
    diff = a ^ b
    n_a = (a & diff).sum(axis=-1)
    keys = rng.random((c, k, m))
    keys[~diff] = 2.0
    order = np.argsort(keys, axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(m), order.shape), axis=-1)
    to_a = diff & (ranks < n_a[..., None])
    x[chain, ia] = (a & ~diff) | to_a
    x[chain, ib] = (b & ~diff) | (diff & ~to_a)


def run(trade, x0: np.ndarray, trades: int) -> np.ndarray:
    x, rng = x0.copy(), np.random.default_rng(7)
    for _ in range(trades):
        trade(x, rng)
    return x


def main(trades: int = 500) -> None:
    print(f"machine: {machine()}")
    for shape in ((32, 34, 60), (32, 200, 30)):
        x0 = np.random.default_rng(1).random(shape) < 0.2
        same = np.array_equal(run(previous_trade, x0, 50), run(_global_trade, x0, 50))
        base = best_time(lambda x0=x0: run(previous_trade, x0, trades)) / trades
        ours = best_time(lambda x0=x0: run(_global_trade, x0, trades)) / trades
        print(f"stack {shape[0]} x {shape[1]} x {shape[2]}: previous {base * 1e3:.3f} ms/trade, "
              f"npstudy {ours * 1e3:.3f} ms/trade, {base / ours:.2f}x; same draws: {same}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
