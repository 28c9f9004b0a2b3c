"""Check a local cache of the real-text excerpts against the hashes in ``excerpts.csv``.

The texts are not in the repository: each excerpt is expected as ``DIR/<excerpt_id>.txt``
(UTF-8, exactly the excerpt, no added newline). The script reports, for every row, whether the
file is missing, differs from the recorded SHA-256 or length, or matches; it exits 0 only when
every file is present and matches.

Usage::

    python data/evaluation/realtext/verify_cache.py DIR [--csv PATH]
"""

import argparse
import csv
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def check(rows, cache):
    """Return ``(missing, mismatched, ok)`` lists of excerpt ids for ``rows`` in ``cache``."""
    missing, mismatched, ok = [], [], []
    for row in rows:
        path = Path(cache) / f"{row['excerpt_id']}.txt"
        if not path.is_file():
            missing.append(row["excerpt_id"])
            continue
        data = path.read_bytes()
        try:
            n_chars = len(data.decode("utf-8"))
        except UnicodeDecodeError:
            n_chars = -1
        if hashlib.sha256(data).hexdigest() != row["sha256"] or str(n_chars) != row["n_chars"]:
            mismatched.append(row["excerpt_id"])
        else:
            ok.append(row["excerpt_id"])
    return missing, mismatched, ok


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cache", type=Path, help="folder holding <excerpt_id>.txt files")
    parser.add_argument("--csv", type=Path, default=HERE / "excerpts.csv")
    args = parser.parse_args(argv)
    if not args.cache.is_dir():
        print(f"verify_cache: error: {args.cache} is not a folder", file=sys.stderr)
        return 2
    try:
        with open(args.csv, encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
    except OSError as exc:
        print(f"verify_cache: error: cannot read {args.csv}: {exc.strerror}", file=sys.stderr)
        return 2
    lacking = {"excerpt_id", "sha256", "n_chars"} - set(reader.fieldnames or [])
    if lacking:
        print(f"verify_cache: error: {args.csv} lacks the column(s) {', '.join(sorted(lacking))}",
              file=sys.stderr)
        return 2
    missing, mismatched, ok = check(rows, args.cache)
    print(f"{len(ok)} of {len(rows)} excerpts match; {len(missing)} missing; {len(mismatched)} differ")
    for excerpt_id in mismatched:
        print(f"{args.cache / (excerpt_id + '.txt')}: SHA-256 or length differs from excerpts.csv",
              file=sys.stderr)
    return 0 if not missing and not mismatched else 1


if __name__ == "__main__":
    sys.exit(main())
