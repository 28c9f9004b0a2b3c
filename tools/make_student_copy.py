"""Make a student copy of a teaching notebook: drop the solution cells, clear outputs.

Cells tagged ``solution`` are removed; cells tagged ``exercise`` are kept (they
hold the question and an empty answer cell). The solution copy in ``notebooks/``
stays the source of truth and is the one tested with nbval.

Usage::

    python tools/make_student_copy.py notebooks/04-extending-the-coding.ipynb [-o OUTDIR]

Writes ``OUTDIR/<name>-student.ipynb`` (default OUTDIR: ``build/student``) and
refuses to overwrite an existing file unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def student_copy(notebook: dict) -> dict:
    """Return a copy of ``notebook`` without solution cells and without outputs."""
    out = json.loads(json.dumps(notebook))
    cells = []
    for cell in out["cells"]:
        if "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    out["cells"] = cells
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("-o", "--outdir", default="build/student")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    source = Path(args.notebook)
    try:
        notebook = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        print(f"error: cannot read {source}: {err}", file=sys.stderr)
        return 1
    target = Path(args.outdir) / f"{source.stem}-student.ipynb"
    if target.exists() and not args.force:
        print(f"error: {target} exists; pass --force to replace it", file=sys.stderr)
        return 1
    copy = student_copy(notebook)
    removed = len(notebook["cells"]) - len(copy["cells"])
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(copy, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    print(f"wrote {target}: {removed} solution cell(s) removed, outputs cleared")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
