"""Which multi-pattern matcher should the coder use? Python ``re``, pyahocorasick, ahocorasick-rs.

All three search the coder's patterns (provinces, cities, keywords, quantifiers)
leftmost-longest over the same 15 MB corpus as ``bench_coder.py``; the script
checks that they return identical matches and prints their times relative to
``re`` (the standard-library baseline). Requires ``pip install pyahocorasick``.

    python benchmarks/bench_matchers.py [megabytes]
"""

from __future__ import annotations

import re
import sys
import time

import ahocorasick
import ahocorasick_rs
from _common import machine
from bench_coder import corpus

from npstudy.coder import Coder


def main(megabytes: float = 15.0) -> None:
    text = corpus(megabytes)
    patterns = Coder()._patterns
    by_length = sorted(patterns, key=len, reverse=True)

    rx = re.compile("|".join(map(re.escape, by_length)))
    auto = ahocorasick.Automaton()
    for p in patterns:
        auto.add_word(p, len(p))
    auto.make_automaton()
    rust = ahocorasick_rs.AhoCorasick(patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)

    runs = {
        "re (alternation, longest first)": lambda: [m.span() for m in rx.finditer(text)],
        "pyahocorasick iter_long": lambda: [(end - n + 1, end + 1) for end, n in auto.iter_long(text)],
        "ahocorasick-rs LeftmostLongest": lambda: [(s, e) for _, s, e in
                                                   rust.find_matches_as_indexes(text)],
    }
    results, times = {}, {}
    for name, run in runs.items():
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            results[name] = run()
            best = min(best, time.perf_counter() - t0)
        times[name] = best
    first = next(iter(results.values()))
    assert all(r == first for r in results.values()), "matchers disagree"
    mb = len(text.encode("utf-8")) / 1e6
    base = times["re (alternation, longest first)"]
    print(f"machine: {machine()}; {len(patterns)} patterns, {mb:.1f} MB, {len(first):,} matches "
          "(identical for all three)")
    for name, t in times.items():
        print(f"{name:34s} {t:6.2f} s  {mb / t:6.1f} MB/s  {base / t:5.1f}x re")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 15.0)
