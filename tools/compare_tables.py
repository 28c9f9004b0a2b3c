"""Compare the tables of two builds cell by cell: every number before → after.

    python tools/compare_tables.py BEFORE/tables AFTER/tables OUT.csv

Writes ``table,key,column,before,after`` for every cell that differs (a row present
in one build only gives one line per column, with the other side empty), tables in
name order and rows in the order of the later build. Only tables that both builds
write are compared; the others are named on stderr. Used for
``data/reliability/recoding_headlines.csv``: build the data before a recoding with
``npstudy build --out BEFORE`` (from a checkout of that commit), build the current data
with ``npstudy build --out AFTER``, then compare.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

#: Columns that identify a row, per table; any other table is keyed by its first column.
KEYS = {
    "agreement": ["field"], "claims": ["claim", "where"], "coder_evaluation": ["set", "theme"],
    "instruments": ["instrument", "instrument_type"], "region_summary": ["region"],
    "region_test": ["test"], "robustness": ["quantity", "subject", "group", "variant"],
    "similarity_pairs": ["a", "b", "metric"],
}


def _read(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows


def compare(before: Path, after: Path) -> list[dict]:
    """Every differing cell of the tables found in either folder."""
    out = []
    names_a, names_b = {p.stem for p in before.glob("*.csv")}, {p.stem for p in after.glob("*.csv")}
    for name in sorted(names_a ^ names_b):
        print(f"compare_tables: {name}.csv is in one build only; not compared", file=sys.stderr)
    for name in sorted(names_a & names_b):
        old, new = _read(before / f"{name}.csv"), _read(after / f"{name}.csv")
        columns = list(dict.fromkeys([*(new[0] if new else {}), *(old[0] if old else {})]))
        keys = KEYS.get(name, columns[:1])

        def key(row, keys=keys):
            return "|".join(row.get(k, "") for k in keys)

        old_by, new_by = {key(r): r for r in old}, {key(r): r for r in new}
        order = list(new_by) + [k for k in old_by if k not in new_by]
        for k in order:
            a, b = old_by.get(k, {}), new_by.get(k, {})
            for col in columns:
                if col in keys:
                    continue
                x, y = a.get(col, ""), b.get(col, "")
                if x != y:
                    out.append({"table": f"{name}.csv", "key": k, "column": col,
                                "before": x, "after": y})
    return out


def main(argv) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    before, after, target = Path(argv[0]), Path(argv[1]), Path(argv[2])
    for folder in (before, after):
        if not folder.is_dir():
            print(f"compare_tables: error: {folder} is not a folder of tables", file=sys.stderr)
            return 2
    rows = compare(before, after)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, ["table", "key", "column", "before", "after"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buf.getvalue(), encoding="utf-8")
    print(f"wrote {target}: {len(rows)} cells differ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
