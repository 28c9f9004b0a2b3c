"""The student copy of the teaching notebook keeps the exercises and drops the solutions."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04-extending-the-coding.ipynb"


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def test_solution_notebook_has_tagged_exercises_and_solutions():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert sum("exercise" in tags(c) for c in nb["cells"]) == 2
    assert sum("solution" in tags(c) for c in nb["cells"]) == 3


def test_make_student_copy(tmp_path):
    script = ROOT / "tools" / "make_student_copy.py"
    proc = subprocess.run([sys.executable, str(script), str(NOTEBOOK), "-o", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "3 solution cell(s) removed" in proc.stdout
    out = tmp_path / "04-extending-the-coding-student.ipynb"
    student = nbformat.read(out, as_version=4)
    nbformat.validate(student)
    original = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert len(student.cells) == len(original["cells"]) - 3
    assert not any("solution" in tags(c) for c in student.cells)
    assert sum("exercise" in tags(c) for c in student.cells) == 2
    assert all(c.outputs == [] for c in student.cells if c.cell_type == "code")
    assert student.metadata.kernelspec.name == "python3"
    again = subprocess.run([sys.executable, str(script), str(NOTEBOOK), "-o", str(tmp_path)],
                           capture_output=True, text=True)
    assert again.returncode == 1 and "--force" in again.stderr
