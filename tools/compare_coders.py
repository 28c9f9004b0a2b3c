"""Score several versions of the coder on one stand-off set, after its one blind scoring.

A test set is scored once, blind, with the final coder (``npstudy evaluate --standoff …
--record``). Afterwards, and changing nothing, this script codes the same texts with other
coders, to say what a version changed on text that none of them had seen (rows of other label
files already in ``--out`` are kept):

- ``rules``: the current package with the statement screen off (``Coder(screened=False)``);
- ``NAME=PATH``: the package of another checkout (``git worktree add PATH COMMIT``), run in a
  child process with ``PATH`` first on ``sys.path``, with its shipped screen.

The current package itself is scored too (``this``). Each coder is scored with the recorded
province and without ``--province``; the table (one row per coder and mode: the coder's
fingerprint, precision, recall and F1 with 95% bootstrap intervals over excerpts, and the
counts) is written to ``--out``.

Usage::

    git worktree add /tmp/previous 8d8514d
    python tools/compare_coders.py --standoff data/evaluation/realtext/test6/labels.csv \\
        --texts CACHE9 --split test --checkout previous=/tmp/previous \\
        --out figures/tables/coder_realtext_versions.csv
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Run in a child process: score one coder (argv: package root, labels, texts, split,
#: screened) and print one JSON row per province mode.
CHILD = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from npstudy.coder import Coder
from npstudy.coder.corpus import coder_fingerprint
from npstudy.evaluation import load_standoff, standoff_table
so = load_standoff(sys.argv[2], sys.argv[3], split=sys.argv[4] or None)
coder = Coder(screened=sys.argv[5] == "1")
for mode in (True, False):
    t = standoff_table(so, coder=coder, use_province=mode, n=2000)
    r = t[t["theme"] == "all"].iloc[0]
    print(json.dumps({"province": "recorded" if mode else "title or text",
                      "fingerprint": coder_fingerprint(coder)[:12],
                      **{k: float(r[k]) for k in ("precision", "precision_low", "precision_high",
                                                  "recall", "recall_low", "recall_high", "f1")},
                      **{k: int(r[k]) for k in ("tp", "suggested", "labelled")}}))
"""


def score(root: Path, args, screened: bool) -> list[dict]:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(root), str(args.standoff.resolve()),
                           str(args.texts.resolve()), args.split or "", "1" if screened else "0"],
                          capture_output=True, text=True, cwd=root)
    if proc.returncode:
        raise SystemExit(f"compare_coders: error: the coder of {root} failed:\n{proc.stderr}")
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--standoff", type=Path, required=True)
    ap.add_argument("--texts", type=Path, required=True)
    ap.add_argument("--split", choices=("dev", "test"))
    ap.add_argument("--checkout", action="append", default=[], metavar="NAME=PATH")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    import pandas as pd

    from npstudy.fileio import write_atomic

    runs = [("this", ROOT, True), ("rules", ROOT, False)]
    for spec in args.checkout:
        name, _, path = spec.partition("=")
        if not name or not Path(path, "npstudy").is_dir():
            ap.error(f"--checkout {spec!r}: give NAME=PATH, PATH a checkout holding npstudy/")
        runs.append((name, Path(path).resolve(), True))
    rows = [{"labels": args.standoff.as_posix(), "split": args.split or "all", "coder": name, **r}
            for name, root, screened in runs for r in score(root, args, screened)]
    table = pd.DataFrame(rows)
    if args.out.is_file():  # keep the rows of other label files and splits
        old = pd.read_csv(args.out, dtype={"fingerprint": str})
        same = (old["labels"] == args.standoff.as_posix()) & (old["split"] == (args.split or "all"))
        table = pd.concat([old[~same], table], ignore_index=True)
    write_atomic(args.out, table.to_csv(index=False, float_format="%.4f",
                                        lineterminator="\n").encode("utf-8"))
    print(table.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
