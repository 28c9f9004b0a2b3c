"""Ctrl-C during a long ``npstudy code`` run: exit 130, nothing written.

The run is far longer than the test waits (hundreds of files of the largest size the command
takes), and the signal is sent once the process has used a few seconds of CPU, i.e. is past
its imports and coding: no race with a fixed sleep, however loaded the machine is.
"""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys

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


def test_ctrl_c_stops_a_long_code_run(tmp_path):
    # 200 files of just under the 256 KiB that `npstudy code` takes per text, of whole
    # article lines: coding them all takes about 10 s of CPU, the wait below 3 s
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
    for i in range(1, 200):
        files.append(tmp_path / f"big{i}.txt")
        os.link(first, files[-1])
    out = tmp_path / "suggestions.csv"
    proc = subprocess.Popen([sys.executable, "-m", "npstudy", "code", *map(str, files),
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # imports and reading the files take about a second of CPU; coding is under way by 3
        wait_for_cpu(proc, 3.0)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130  # interrupted: a finished run would exit 0
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "npstudy: error: interrupted; files are replaced whole, so nothing was half-written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)
