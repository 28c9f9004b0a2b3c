"""The teaching notebooks: find the shipped copies, make student copies, copy them out.

The notebooks in ``notebooks/`` (shipped in the wheel as ``npstudy/_notebooks``)
are the teacher's copies and the source of truth, tested with nbval. The answers
to their exercises are in a separate notebook, the *teacher's key*
(``teacher-key.ipynb``), which is copied for teachers and never into a student
folder. A *student copy* is derived from a notebook by cell tags:

- cells tagged ``solution`` (answers) or ``teacher`` (notes for the teacher) are removed;
- cells tagged ``exercise`` stay: they hold a placeholder that runs as it is;
- outputs and nbval tags are removed, so that nothing is answered in advance.

Notebooks are written so that a student copy runs top to bottom: no later cell
uses a name that only a solution cell defines (``tests/test_student_copy.py``
executes every student copy).

This module only reads and writes JSON; it does not execute notebooks.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

from .fileio import NpstudyError, refuse_protected, write_files_atomic

__all__ = ["NotebookError", "notebooks_dir", "teaching_notebooks", "teacher_key", "student_copy",
           "copy_notebooks", "REMOVED_TAGS", "KEY_NAME"]

#: Cells with one of these tags are not in a student copy.
REMOVED_TAGS = frozenset({"solution", "teacher"})
# Tags that only steer the tests; a student copy does not need them.
_TEST_TAGS = ("nbval-", "raises-exception")
_MARKER = re.compile(r"^[ \t]*#[ \t]*(NBVAL_\w+|PYTEST_VALIDATE_\w+)[ \t]*(\n|$)", re.M)
_FIGURE_LINK = "](../figures/"
#: The teacher's key: answers to every exercise, for teachers only.
KEY_NAME = "teacher-key.ipynb"


class NotebookError(NpstudyError):
    """The notebooks cannot be copied as asked; the message says what to do."""


def notebooks_dir() -> Path:
    """Return the folder holding the teaching notebooks and their guide (``README.md``).

    Examples
    --------
    >>> sorted(p.name for p in notebooks_dir().glob("*.ipynb"))[0]
    '01-framework.ipynb'
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_notebooks", here.parent / "notebooks"):
        if any(candidate.glob("*.ipynb")):
            return candidate
    raise NotebookError("cannot find the teaching notebooks (looked in npstudy/_notebooks and "
                        "notebooks/ beside the package); reinstall npstudy")


def teaching_notebooks() -> list[Path]:
    """Return the teaching notebooks in reading order."""
    return sorted(notebooks_dir().glob("[0-9][0-9]-*.ipynb"))


def teacher_key() -> Path:
    """Return the teacher's key, the notebook with the answers to every exercise."""
    path = notebooks_dir() / KEY_NAME
    if not path.is_file():
        raise NotebookError(f"cannot find the teacher's key {KEY_NAME} in {notebooks_dir()}; "
                            "reinstall npstudy")
    return path


def _tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def student_copy(notebook: dict) -> dict:
    """Return the student copy of a notebook (a dict in nbformat 4 JSON).

    Removes cells tagged ``solution`` or ``teacher``, every output and execution
    count, nbval tags and ``# NBVAL_...`` comment lines. Does not mutate
    ``notebook``.

    Examples
    --------
    >>> nb = {"cells": [
    ...     {"cell_type": "markdown", "metadata": {}, "source": "**Exercise.** 1 + 1?"},
    ...     {"cell_type": "code", "metadata": {"tags": ["exercise"]}, "source": "# answer",
    ...      "outputs": [], "execution_count": None},
    ...     {"cell_type": "code", "metadata": {"tags": ["solution", "nbval-check-output"]},
    ...      "source": "1 + 1", "outputs": [], "execution_count": 3}],
    ...     "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    >>> [c["source"] for c in student_copy(nb)["cells"]]
    ['**Exercise.** 1 + 1?', '# answer']
    """
    out = copy.deepcopy(notebook)
    cells = []
    for cell in out["cells"]:
        tags = _tags(cell)
        if REMOVED_TAGS.intersection(tags):
            continue
        kept = [t for t in tags if not t.startswith(_TEST_TAGS)]
        if kept:
            cell["metadata"]["tags"] = kept
        else:
            cell.get("metadata", {}).pop("tags", None)
        if cell["cell_type"] == "code":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = _MARKER.sub("", source)
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    out["cells"] = cells
    return out


def _relink_figures(notebook: dict) -> dict:
    """Point figure links at ``figures/`` beside the notebook (the copy has no ``../``)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cell["source"] = source.replace(_FIGURE_LINK, "](figures/")
    return notebook


def copy_notebooks(folder: str | os.PathLike, student: bool = False,
                   force: bool = False) -> list[Path]:
    """Copy the teaching notebooks, the teacher's key and the guide into ``folder``.

    The copies run as they are, with nothing else done first: no cell reads a
    file of the repository or of ``npstudy build``. Student copies come without
    the key and the guide.

    Parameters
    ----------
    folder : path-like
        Target folder; created if missing. Nothing outside it is written.
    student : bool
        Write student copies (``NN-name-student.ipynb``: no solutions, no outputs)
        instead of the teacher's copies with their outputs and the teacher's key.
    force : bool
        Replace files that already exist. Without it, an existing file stops the
        copy before anything is written.

    Returns
    -------
    list of pathlib.Path
        The files written, all together or none. Figure links point at
        ``folder/figures/``, which ``npstudy build --out folder/figures`` fills if
        wanted; without it a link shows no image, and the figures that a notebook
        draws appear when its cells run.
    """
    folder = Path(folder)
    refuse_protected(folder, "notebook folder")  # the package and its data, however reached
    if folder.is_symlink() and not folder.exists():
        raise NotebookError(f"{folder} is a symbolic link to nowhere ({os.readlink(folder)}); "
                            "remove it, or name an existing or new folder")
    if folder.exists() and not folder.is_dir():
        raise NotebookError(f"{folder} is a file; name a folder to copy the notebooks into")
    sources = teaching_notebooks()
    plan = []
    for path in sources:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        if student:
            notebook = student_copy(notebook)
        name = f"{path.stem}-student.ipynb" if student else path.name
        text = json.dumps(_relink_figures(notebook), ensure_ascii=False, indent=1) + "\n"
        plan.append((folder / name, text.encode("utf-8")))
    if not student:
        plan.append((folder / KEY_NAME, teacher_key().read_bytes()))
        guide = notebooks_dir() / "README.md"
        if guide.is_file():
            plan.append((folder / "README.md", guide.read_bytes()))
    existing = [str(target) for target, _ in plan if target.exists()]
    if existing and not force:
        raise NotebookError(f"{existing[0]} exists ({len(existing)} file(s) would be replaced); "
                            "choose another folder or pass --force to replace them")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_files_atomic(dict(plan))  # all files or none
    except OSError as err:
        raise NotebookError(f"cannot write into {folder}: {err.strerror}") from None
    return [target for target, _ in plan]
