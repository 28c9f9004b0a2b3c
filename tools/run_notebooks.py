"""Execute the teaching notebooks in place and save them with their outputs.

Cells get stable ids (``cell-01``…) and no timing metadata, so that re-running a
notebook changes the file only where its outputs change. Files are written to
``NPSTUDY_WORKDIR`` (a temporary folder) while they run.

Usage::

    python tools/run_notebooks.py [notebooks/01-framework.ipynb ...]
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def run(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for i, cell in enumerate(nb.cells, 1):
        cell.id = f"cell-{i:02d}"
        cell.metadata.pop("execution", None)
    with tempfile.TemporaryDirectory() as work:
        os.environ["NPSTUDY_WORKDIR"] = work
        NotebookClient(nb, kernel_name="python3", timeout=600, record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    print(f"ran {path.relative_to(ROOT)}")


if __name__ == "__main__":
    targets = [Path(p).resolve() for p in sys.argv[1:]] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    for target in targets:
        run(target)
