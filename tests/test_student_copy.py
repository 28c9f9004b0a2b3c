"""Student copies keep the exercises, drop answers and teacher notes, and run top to bottom."""

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from npstudy.notebooks import copy_notebooks, student_copy, teaching_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04-extending-the-coding.ipynb"


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def source(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def test_solution_notebook_has_tagged_exercises_and_solutions():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert sum("exercise" in tags(c) for c in nb["cells"]) == 2
    assert sum("solution" in tags(c) for c in nb["cells"]) == 3


def test_student_copy_removes_answers_teacher_notes_and_markers():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "teacher-note", "metadata":
                           {"tags": ["teacher"]}, "source": "Allow 20 minutes for exercise 1."})
    nb["cells"][2]["source"] = "# NBVAL_CHECK_OUTPUT\n" + source(nb["cells"][2])
    before = json.dumps(nb)
    student = student_copy(nb)
    assert json.dumps(nb) == before  # the input is not mutated
    assert len(student["cells"]) == len(nb["cells"]) - 4
    text = json.dumps(student, ensure_ascii=False)
    assert "Allow 20 minutes" not in text and "NBVAL" not in text and "nbval" not in text
    assert "*Solution.*" not in text
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in student["cells"] if c["cell_type"] == "code")
    assert [c["id"] for c in student["cells"] if "exercise" in tags(c)] == ["cell-10", "cell-28"]


def test_no_answer_is_visible_before_its_exercise():
    student = student_copy(json.loads(NOTEBOOK.read_text(encoding="utf-8")))
    cells = [source(c) for c in student["cells"]]
    first, second = [i for i, c in enumerate(student["cells"]) if "exercise" in tags(c)]
    # Exercise 1 asks which suggestions to reject: the review, the comparison with the hand
    # coding and the discussion of false positives must all come after it.
    for marker in ("decide(", "evaluate(", "reliability.agreement(", "节能环保"):
        assert not any(marker in c for c in cells[:first]), marker
        assert any(marker in c for c in cells[first:]), marker
    # Exercise 2 asks for the Jaccard similarity before and after the merge.
    assert not any("similarity_matrix(" in c for c in cells[:second])


def test_make_student_copy_tool(tmp_path):
    script = ROOT / "tools" / "make_student_copy.py"
    proc = subprocess.run([sys.executable, str(script), str(NOTEBOOK), "-o", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "3 solution or teacher cell(s) removed" in proc.stdout
    student = nbformat.read(tmp_path / "04-extending-the-coding-student.ipynb", as_version=4)
    nbformat.validate(student)
    assert student.metadata.kernelspec.name == "python3"
    again = subprocess.run([sys.executable, str(script), str(NOTEBOOK), "-o", str(tmp_path)],
                           capture_output=True, text=True)
    assert again.returncode == 1 and "--force" in again.stderr


@pytest.fixture(scope="module")
def student_copies(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    return copy_notebooks(folder, student=True)


@pytest.mark.parametrize("index", range(len(teaching_notebooks())))
def test_student_copy_runs_top_to_bottom(student_copies, index, tmp_path, monkeypatch):
    """Run All on the student copy, as a student would before answering anything."""
    from nbclient import NotebookClient

    path = student_copies[index]
    nb = nbformat.read(path, as_version=4)
    monkeypatch.setenv("NPSTUDY_WORKDIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
