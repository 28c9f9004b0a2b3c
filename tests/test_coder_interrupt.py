"""Ctrl-C during a long ``npstudy code`` run: exit 130, nothing written.

The run is far longer than the test waits (a thousand files of the largest size the command
takes), and the signal is sent once the process has used a few seconds of CPU, i.e. is past
its imports and at work: no race with a fixed sleep, however loaded the machine is.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys

import pytest

from npstudy import load_source
from npstudy.fileio import MAX_CODED_TEXT_BYTES


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (Linux ``/proc``)."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_cpu(proc, seconds: float) -> None:
    """Block until ``proc`` has used ``seconds`` of CPU; fail if it ends before."""
    while cpu_seconds(proc.pid) < seconds:
        assert proc.poll() is None, "the run ended before it was interrupted"
        os.sched_yield()
        select.select([], [], [], 0.05)


@pytest.mark.slow    # several seconds of kills and restarts: CI runs it with `pytest -m slow`
def test_ctrl_c_stops_a_long_code_run(tmp_path):
    # 1,000 files of just under the 256 KiB that `npstudy code` takes per text, of whole
    # article lines: reading them takes about a second of CPU and coding them all well over
    # 20 s, far more than the 3 s waited below (with too few, the run could end, its last
    # lines already past main's guard, as the signal arrives)
    lines = [line + "\n" for line in load_source().split("\n") if line.strip()]
    rng = random.Random(0)
    parts, size = [], 0
    while True:
        line = rng.choice(lines)
        n = len(line.encode("utf-8"))
        if size + n > MAX_CODED_TEXT_BYTES:
            break
        parts.append(line)
        size += n
    first = tmp_path / "big0.txt"
    first.write_text("".join(parts), encoding="utf-8")
    assert MAX_CODED_TEXT_BYTES - 10_000 < first.stat().st_size <= MAX_CODED_TEXT_BYTES
    files = [first]
    for i in range(1, 1000):
        files.append(tmp_path / f"big{i}.txt")
        os.link(first, files[-1])
    out = tmp_path / "suggestions.csv"
    # Ctrl-C as a terminal gives it, even when the tests themselves were started with SIGINT
    # ignored (a background job of a non-interactive shell), which the command would inherit
    proc = subprocess.Popen([sys.executable, "-m", "npstudy", "code", *map(str, files),
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        # imports and reading the files take about a second of CPU; coding is under way by 3
        wait_for_cpu(proc, 3.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err  # interrupted: a finished run would exit 0 or 1
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "npstudy: error: interrupted; files are replaced whole, so nothing was half-written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)
