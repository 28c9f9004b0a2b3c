"""Ctrl-C during a long ``npstudy code`` run: exit 130 at once, nothing written."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from npstudy import load_source
from npstudy.fileio import MAX_CODED_TEXT_BYTES


def test_ctrl_c_stops_a_long_code_run(tmp_path):
    # 48 files of just under the 256 KiB that `npstudy code` takes per text, of whole article
    # lines: coding them all takes several seconds, so the signal arrives while the coder is
    # at work
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
    for i in range(1, 48):
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
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f.name for f in files)
