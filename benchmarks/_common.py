"""Timing helpers shared by the benchmark scripts (best of several runs)."""

from __future__ import annotations

import platform
import time

import numpy as np


def best_time(func, repeat: int = 3) -> float:
    """Smallest wall time of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def machine() -> str:
    import os
    return (f"Python {platform.python_version()}, numpy {np.__version__}, "
            f"{os.cpu_count()} CPU(s), {platform.machine()}")
