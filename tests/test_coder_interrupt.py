"""Ctrl-C during a long ``npstudy code`` run: exit 130 at once, nothing written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from npstudy import load_source

MiB = 1 << 20


def test_ctrl_c_stops_a_long_code_run(tmp_path):
    # four files of just under 8 MiB (the cap on one input) of whole article lines: coding
    # them all takes several seconds, so the signal arrives while the coder is at work
    lines = [line + "\n" for line in load_source().split("\n") if line.strip()]
    rng = random.Random(0)
    parts, size = [], 0
    while True:
        line = rng.choice(lines)
        n = len(line.encode("utf-8"))
        if size + n > 8 * MiB:
            break
        parts.append(line)
        size += n
    first = tmp_path / "big0.txt"
    first.write_text("".join(parts), encoding="utf-8")
    assert 8 * MiB - 10_000 < first.stat().st_size <= 8 * MiB
    files = [first]
    for i in range(1, 4):
        files.append(tmp_path / f"big{i}.txt")
        os.link(first, files[-1])
    out = tmp_path / "suggestions.csv"
    proc = subprocess.Popen([sys.executable, "-m", "npstudy", "code", *map(str, files),
                             "--out", str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    time.sleep(2.0)
    assert proc.poll() is None  # still coding
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    waited = time.monotonic() - sent
    assert proc.returncode == 130
    assert waited < 2.0
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "npstudy: error: interrupted; files are replaced whole, so nothing was half-written"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name for f in files]
