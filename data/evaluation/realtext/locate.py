"""Find a recorded excerpt in the text of a page and save it to a cache folder.

The repository holds no text, only each excerpt's SHA-256 and length. Given the text of the
page a row points to (saved as UTF-8 by whatever means), this script slides a window of
``n_chars`` characters over it and keeps the one window whose SHA-256 equals the recorded one;
it then writes that window, byte for byte, to ``CACHE/<excerpt_id>.txt``. Pages whose text was
extracted with different spacing or line breaks will not match, and the script says so rather
than guessing.

Usage::

    python data/evaluation/realtext/locate.py EXCERPT_ID PAGE.txt CACHE [--csv PATH]
"""

import argparse
import csv
import hashlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def locate(page_text, sha256, n_chars):
    """Offset of the ``n_chars``-character substring of ``page_text`` whose UTF-8 SHA-256 is
    ``sha256``, or ``None`` when no window matches."""
    if n_chars <= 0:
        return None
    for start in range(len(page_text) - n_chars + 1):
        window = page_text[start:start + n_chars]
        if hashlib.sha256(window.encode("utf-8")).hexdigest() == sha256:
            return start
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("excerpt_id", help="the excerpt_id of a row of the excerpts table")
    parser.add_argument("page", type=Path, help="UTF-8 text of the page the row's url points to")
    parser.add_argument("cache", type=Path, help="folder that receives <excerpt_id>.txt")
    parser.add_argument("--csv", type=Path, default=HERE / "excerpts.csv",
                        help="the excerpts table that holds the row (default: excerpts.csv beside "
                             "this script; e.g. data/evaluation/realtext/test6/excerpts.csv for "
                             "another set)")
    args = parser.parse_args(argv)
    try:
        with open(args.csv, encoding="utf-8", newline="") as f:
            rows = {r["excerpt_id"]: r for r in csv.DictReader(f)}
        page_text = args.page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, KeyError) as exc:
        print(f"locate: error: cannot read the table or the page: {exc}", file=sys.stderr)
        return 2
    row = rows.get(args.excerpt_id)
    if row is None:
        print(f"locate: error: {args.excerpt_id} is not in {args.csv}", file=sys.stderr)
        return 2
    if not args.cache.is_dir():
        print(f"locate: error: {args.cache} is not a folder", file=sys.stderr)
        return 2
    start = locate(page_text, row["sha256"], int(row["n_chars"]))
    if start is None:
        print(f"locate: {args.excerpt_id} not found in {args.page} (no window of "
              f"{row['n_chars']} characters has the recorded SHA-256)", file=sys.stderr)
        return 1
    target = args.cache / f"{args.excerpt_id}.txt"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(page_text[start:start + int(row["n_chars"])].encode("utf-8"))
    tmp.replace(target)
    print(f"{args.excerpt_id}: found at character {start} of {args.page}; wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
