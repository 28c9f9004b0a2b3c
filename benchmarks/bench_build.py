"""Wall time of ``npstudy build`` as a multiple of importing its heavy dependencies.

Baseline: a fresh interpreter that runs ``import pandas, matplotlib, seaborn, scipy``
(the floor any build in this stack pays). Measured: fresh interpreters running
``npstudy build --lang en`` (and ``--lang all``) into a temporary folder. Each is
the best of several runs in this process's session, so the ratio is comparable
across machines.

    python benchmarks/bench_build.py [repeats]
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time

from _common import machine


CPU: dict[str, float] = {}


def wall(cmd: list[str], repeats: int) -> float:
    """Best wall time of ``repeats`` runs; the CPU time (user + system, the command and its
    worker processes) of the same run goes to ``CPU``, which a busy machine disturbs less."""
    best = float("inf")
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if elapsed < best:
            best = elapsed
            CPU[" ".join(cmd[-5:])] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return best


def _count(out: str) -> tuple[int, int]:
    """How many PNG figures and CSV tables a build wrote into ``out``."""
    from pathlib import Path

    return len(list(Path(out).glob("*.png"))), len(list(Path(out, "tables").glob("*.csv")))


def main(repeats: int = 3) -> None:
    baseline = wall([sys.executable, "-c", "import pandas, matplotlib, seaborn, scipy"], repeats)
    with tempfile.TemporaryDirectory() as out:
        en = wall([sys.executable, "-m", "npstudy", "build", "--lang", "en", "--out", out], repeats)
        n_en, n_tables = _count(out)
        both = wall([sys.executable, "-m", "npstudy", "build", "--lang", "all", "--out", out], repeats)
        n_all, _ = _count(out)
    print(f"machine: {machine()}")
    print(f"import pandas, matplotlib, seaborn, scipy (baseline): {baseline:6.2f} s   1.0x")
    print(f"npstudy build --lang en  ({n_en} PNG + {n_tables} tables):  {en:6.2f} s  {en / baseline:4.1f}x")
    print(f"npstudy build --lang all ({n_all} PNG + {n_tables} tables): {both:6.2f} s  {both / baseline:4.1f}x")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (1 min) on {os.cpu_count()} CPU(s)")
    cpu = list(CPU.values())
    print(f"CPU seconds of the same runs: baseline {cpu[0]:.2f}, en {cpu[1]:.2f} "
          f"({cpu[1] / cpu[0]:.1f}x), all {cpu[2]:.2f} ({cpu[2] / cpu[0]:.1f}x)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
