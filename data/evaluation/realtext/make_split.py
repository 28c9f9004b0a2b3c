"""Assign every real-text excerpt to ``dev`` or ``test``: a seeded split stratified by genre.

Within each genre the excerpt ids are sorted, shuffled with one ``random.Random(20240501)``
(genres taken in alphabetical order), and the first ``round(0.4 * n)`` go to ``dev``, the rest
to ``test``. The script rewrites the ``split`` column of ``excerpts.csv`` in place (through a
temporary file and one rename) and changes nothing else; ``--check`` only reports whether the
column already holds this split.

Usage::

    python data/evaluation/realtext/make_split.py [--check] [--csv PATH]
"""

import argparse
import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

SEED = 20240501
DEV_SHARE = 0.4
HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "excerpts.csv"


def n_dev(n):
    """Number of dev excerpts in a genre of ``n``: 0.4 n rounded half up."""
    return int(DEV_SHARE * n + 0.5)


def assign(rows):
    """Map each ``excerpt_id`` to ``"dev"`` or ``"test"``; ``rows`` are dicts with ``genre``."""
    by_genre = defaultdict(list)
    for row in rows:
        by_genre[row["genre"]].append(row["excerpt_id"])
    rng = random.Random(SEED)
    split = {}
    for genre in sorted(by_genre):
        ids = sorted(by_genre[genre])
        rng.shuffle(ids)
        cut = n_dev(len(ids))
        for i, excerpt_id in enumerate(ids):
            split[excerpt_id] = "dev" if i < cut else "test"
    return split


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report whether the split is current")
    parser.add_argument("--csv", type=Path, default=CSV_PATH)
    args = parser.parse_args(argv)
    try:
        fields, rows = read(args.csv)
    except OSError as exc:
        print(f"make_split: error: cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
        return 2
    if not fields or "split" not in fields or "genre" not in fields:
        print(f"make_split: error: {args.csv} has no 'split' or 'genre' column", file=sys.stderr)
        return 2
    split = assign(rows)
    stale = [r["excerpt_id"] for r in rows if r["split"] != split[r["excerpt_id"]]]
    if args.check:
        if stale:
            print(f"make_split: {len(stale)} rows of {args.csv} differ from the seeded split "
                  f"(first: {stale[0]}); run make_split.py", file=sys.stderr)
            return 1
        return 0
    for row in rows:
        row["split"] = split[row["excerpt_id"]]
    tmp = args.csv.with_name(args.csv.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(args.csv)
    n = sum(v == "dev" for v in split.values())
    print(f"{len(rows)} excerpts: {n} dev, {len(rows) - n} test")
    return 0


if __name__ == "__main__":
    sys.exit(main())
