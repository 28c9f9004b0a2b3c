"""The coder on degenerate texts: one long clause without commas, thousands of occurrences
of one keyword, a list of 20,000 items, a long copular phrase, a list of province names with
no 等, a figure of 100,000 digits and a counted phrase repeated 30,000 times (whose aggregate
rows each quote the text around them).

Each text is about 100,000 characters. Baseline: the bare multi-pattern scan of the same
text (``Coder._matcher.find``), in the same process; the script prints the coder's time
as a multiple of it. A check whose cost grows with the square of the clause shows here as
a ratio in the thousands.

Usage::

    python benchmarks/bench_degenerate.py
"""

from __future__ import annotations

from _common import best_time, machine

from npstudy.coder import Coder

TEXTS = {
    "list of 20,000 items, no comma": "浙江省设立" + "人工智能、" * 20000 + "产业基金。",
    "one keyword 30,000 times": "浙江省" + "人工智能" * 30000 + "。",
    "20,000 clauses, no punctuation": "浙江省推动人工智能发展" * 20000,
    "copula over 100,000 characters": "浙江省成为" + "人工智能甲" * 20000 + "之一。",
    "20,000 provinces listed, no 等": "上海、江苏、浙江、安徽、广东、" * 4000 + "设立天使投资引导基金。",
    "a figure of 100,000 digits": "浙江省投入" + "1" * 100000 + "亿元。",
    "a counted phrase 30,000 times": "9省份" * 30000,
}


def main() -> None:
    coder = Coder()
    coder.code("浙江省设立基金。")                     # load everything before timing
    print(f"machine: {machine()}")
    for name, text in TEXTS.items():
        scan = best_time(lambda text=text: coder._matcher.find(text))
        code = best_time(lambda text=text: coder.code(text, "x"), repeat=2)
        quoted = int(coder.code(text, "x").aggregates["quote"].str.len().sum())
        print(f"{name:34s} {len(text):>8,} chars   scan {scan:6.3f} s   coder {code:6.3f} s   "
              f"{code / scan:7.1f}x the scan   aggregate quotes {quoted:,} chars")


if __name__ == "__main__":
    main()
