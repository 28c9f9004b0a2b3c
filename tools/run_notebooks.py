"""Execute the notebooks and the teacher's key in place; save them in the project's format.

The format, which ``tests/test_notebook_format.py`` checks:

- cells have stable ids (``cell-01``…) and no timing metadata, so that re-running a
  notebook changes the file only where its outputs change;
- cells whose output nbval compares carry the tag ``nbval-check-output`` (nbval
  reads tags as well as ``# NBVAL_CHECK_OUTPUT`` comment lines; a comment line left
  by an editor is turned into the tag here, so readers never see it);
- no figure images are stored: the committed files in ``figures/`` are shown by
  Markdown image links, and a cell that redraws a figure keeps no image output;
- the kernel is ``python3``.

Files are written to ``NPSTUDY_WORKDIR`` (a temporary folder) while they run.
Needs ``nbclient`` (``pip install -e ".[dev]"``).

Usage::

    python tools/run_notebooks.py [notebooks/01-framework.ipynb ...]
    python tools/run_notebooks.py --tidy-only [...]   # reformat without executing
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CHECK_TAG = "nbval-check-output"
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}
_MARKER = re.compile(r"^[ \t]*#[ \t]*NBVAL_CHECK_OUTPUT[ \t]*(\n|$)", re.M)


def tidy(nb) -> None:
    """Bring a notebook into the project's format in place (ids, tags, no images)."""
    for i, cell in enumerate(nb.cells, 1):
        cell.id = f"cell-{i:02d}"
        cell.metadata.pop("execution", None)
        cell.metadata.pop("collapsed", None)
        cell.metadata.pop("scrolled", None)
        if cell.cell_type != "code":
            continue
        if _MARKER.search(cell.source):
            cell.source = _MARKER.sub("", cell.source)
            tags = cell.metadata.setdefault("tags", [])
            if CHECK_TAG not in tags:
                tags.append(CHECK_TAG)
        outputs = []
        for out in cell.get("outputs", []):
            data = out.get("data")
            if data is not None and any(k.startswith("image/") for k in data):
                continue  # a figure: the committed file in figures/ is shown instead
            outputs.append(out)
        cell.outputs = outputs
    nb.metadata.kernelspec = dict(KERNELSPEC)


def run(path: Path, execute: bool = True) -> None:
    nb = nbformat.read(path, as_version=4)
    tidy(nb)
    if execute:
        from nbclient import NotebookClient

        with tempfile.TemporaryDirectory() as work:
            previous = os.environ.get("NPSTUDY_WORKDIR")
            os.environ["NPSTUDY_WORKDIR"] = work
            try:
                NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                               resources={"metadata": {"path": str(path.parent)}}).execute()
            finally:
                if previous is None:
                    os.environ.pop("NPSTUDY_WORKDIR", None)
                else:
                    os.environ["NPSTUDY_WORKDIR"] = previous
        tidy(nb)
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"{'ran' if execute else 'tidied'} {path}")


if __name__ == "__main__":
    args = sys.argv[1:]
    execute = "--tidy-only" not in args
    args = [a for a in args if a != "--tidy-only"]
    targets = [Path(p).resolve() for p in args] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for target in targets:
        run(target, execute)
