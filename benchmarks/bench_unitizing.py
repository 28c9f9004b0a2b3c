"""Krippendorff's unitizing alpha: npstudy's form against the one it replaced, on the same units.

The previous form (kept in ``tests/test_stats_input.py`` as ``_unitizing_reference``, which the
tests also use to check that both give the same value) compared every pair of segments of
two coders, so its time grew with the square of the units. Prints both times, the ratio and
the largest difference of the two results.

    python benchmarks/bench_unitizing.py [units per coder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from _common import best_time, machine

from npstudy.reliability import unitizing_alpha

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_stats_input import _random_units, _unitizing_reference  # noqa: E402


def main(n: int = 3000) -> None:
    length = 10 * n
    units = _random_units(np.random.default_rng(8), 2, n, length, "a")
    ours = unitizing_alpha(units, length)
    base = _unitizing_reference(units, length)
    per_category, overall = base
    gap = max(abs(float(ours["alpha"].iloc[-1]) - overall),
              *(abs(float(a) - b) for a, b in zip(ours["alpha"].iloc[:-1], per_category)))
    t_ours = best_time(lambda: unitizing_alpha(units, length))
    t_base = best_time(lambda: _unitizing_reference(units, length), repeat=1)
    print(f"machine: {machine()}")
    print(f"2 coders x {len(units) // 2} units (about), continuum of {length} characters")
    print(f"previous form (baseline): {t_base:8.3f} s")
    print(f"npstudy unitizing_alpha:  {t_ours:8.3f} s   {t_base / t_ours:7.1f}x faster; "
          f"max |difference|: {gap:.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3000)
