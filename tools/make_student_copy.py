"""Make student copies of teaching notebooks (no solutions, no teacher notes, no outputs).

The rules are in :func:`npstudy.notebooks.student_copy`; the notebooks in
``notebooks/`` stay the source of truth and are the ones tested with nbval.
``npstudy notebooks DIR --student`` does the same for every shipped notebook.

Usage::

    python tools/make_student_copy.py [NOTEBOOK ...] [-o OUTDIR] [--force]

Writes ``OUTDIR/<name>-student.ipynb`` for each notebook (default: every notebook
in ``notebooks/``; default OUTDIR: ``build/student``) and refuses to overwrite an
existing file unless ``--force`` is given. The teacher's key (``teacher-key.ipynb``) holds
the answers and is refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from npstudy.fileio import write_atomic
from npstudy.notebooks import KEY_NAME, student_copy, teaching_notebooks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK")
    parser.add_argument("-o", "--outdir", default="build/student")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)
    sources = [Path(p) for p in args.notebooks] or teaching_notebooks()
    plan = []
    for source in sources:
        if source.name == KEY_NAME:
            print(f"error: {source} is the teacher's key (the answers); it has no student copy",
                  file=sys.stderr)
            return 1
        try:
            notebook = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            print(f"error: cannot read {source}: {err}", file=sys.stderr)
            return 1
        target = Path(args.outdir) / f"{source.stem}-student.ipynb"
        if target.exists() and not args.force:
            print(f"error: {target} exists; pass --force to replace it", file=sys.stderr)
            return 1
        plan.append((source, notebook, target))
    Path(args.outdir).mkdir(parents=True, exist_ok=True)
    for _source, notebook, target in plan:
        copy = student_copy(notebook)
        removed = len(notebook["cells"]) - len(copy["cells"])
        write_atomic(target, (json.dumps(copy, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        print(f"wrote {target}: {removed} solution or teacher cell(s) removed, outputs cleared")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
