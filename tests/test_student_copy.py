"""Student copies keep the exercises, drop answers and teacher notes, and run top to bottom."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import wheel_venv

from npstudy.notebooks import student_copy, teaching_notebooks

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04-extending-the-coding.ipynb"


def tags(cell):
    return cell.get("metadata", {}).get("tags", [])


def source(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def test_every_notebook_has_tagged_exercises_and_no_solution_cells():
    counts = {}
    for path in teaching_notebooks():
        nb = json.loads(path.read_text(encoding="utf-8"))
        counts[path.name[:2]] = sum("exercise" in tags(c) for c in nb["cells"])
        assert not any("solution" in tags(c) for c in nb["cells"])  # answers are in the key
    assert counts == {"01": 2, "02": 2, "03": 2, "04": 2, "05": 1}


def test_student_copy_removes_answers_teacher_notes_and_markers():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "teacher-note", "metadata":
                           {"tags": ["teacher"]}, "source": "Allow 20 minutes for exercise 1."})
    nb["cells"].insert(2, {"cell_type": "code", "id": "answer", "metadata": {"tags": ["solution"]},
                           "source": "answer = 42", "outputs": [], "execution_count": 7})
    nb["cells"][3]["source"] = "# NBVAL_CHECK_OUTPUT\n" + source(nb["cells"][3])
    before = json.dumps(nb)
    student = student_copy(nb)
    assert json.dumps(nb) == before  # the input is not mutated
    assert len(student["cells"]) == len(nb["cells"]) - 2
    text = json.dumps(student, ensure_ascii=False)
    assert "Allow 20 minutes" not in text and "answer = 42" not in text
    assert "NBVAL" not in text and "nbval" not in text
    assert all(c["outputs"] == [] and c["execution_count"] is None
               for c in student["cells"] if c["cell_type"] == "code")
    assert [c["id"] for c in student["cells"] if "exercise" in tags(c)] == ["cell-10", "cell-30"]


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
    assert "0 solution or teacher cell(s) removed, outputs cleared" in proc.stdout
    student = nbformat.read(tmp_path / "04-extending-the-coding-student.ipynb", as_version=4)
    nbformat.validate(student)
    assert student.metadata.kernelspec.name == "python3"
    again = subprocess.run([sys.executable, str(script), str(NOTEBOOK), "-o", str(tmp_path)],
                           capture_output=True, text=True)
    assert again.returncode == 1 and "--force" in again.stderr
    key = subprocess.run([sys.executable, str(script), str(ROOT / "notebooks" / "teacher-key.ipynb"),
                          "-o", str(tmp_path / "key")], capture_output=True, text=True)
    assert key.returncode == 1 and "teacher's key" in key.stderr
    assert not (tmp_path / "key").exists()


def _run(path, workdir):
    """Run All, as a student or teacher would, with the folder of the copy as the kernel's cwd."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory):
    """``npstudy notebooks DIR`` and ``--student``, run from a folder outside the repository,
    with nothing else done (no ``npstudy build``, no figures)."""
    from npstudy.cli import main

    folder = tmp_path_factory.mktemp("class")
    assert ROOT not in folder.parents
    previous = Path.cwd()
    os.chdir(folder)
    try:
        assert main(["notebooks", "teacher"]) == 0
        assert main(["notebooks", "student", "--student"]) == 0
    finally:
        os.chdir(previous)
    assert not (folder / "teacher" / "figures").exists()
    return folder


STUDENT = [f"{p.stem}-student.ipynb" for p in teaching_notebooks()]
TEACHER = [p.name for p in teaching_notebooks()] + ["teacher-key.ipynb"]
# nbval runs the teacher's copies in notebooks/ in every default run; from a copied folder, the
# default run executes notebook 04 (the one that needs a workspace), teacher and student copy,
# and the rest under -m slow.
#: Every teacher copy runs in the slow suite; the default suite runs one student copy (04),
#: and nbval runs every original notebook.
SLOW_TEACHER = list(TEACHER)


def _copy_run(folder, name, tmp_path, monkeypatch):
    monkeypatch.chdir(folder)  # the kernel starts in the copy's folder; so does the test
    monkeypatch.setenv("NPSTUDY_WORKDIR", str(tmp_path))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    _run(folder / name, tmp_path)


@pytest.mark.parametrize("name", [n if n.startswith("04-") else pytest.param(n, marks=pytest.mark.slow)
                                  for n in STUDENT])
def test_student_copy_runs_top_to_bottom(class_folder, name, tmp_path, monkeypatch):
    """Run All on the student copy, as a student would before answering anything."""
    _copy_run(class_folder / "student", name, tmp_path, monkeypatch)


@pytest.mark.parametrize("name", [n if n not in SLOW_TEACHER else
                                  pytest.param(n, marks=pytest.mark.slow) for n in TEACHER])
def test_teacher_copy_runs_top_to_bottom(class_folder, name, tmp_path, monkeypatch):
    _copy_run(class_folder / "teacher", name, tmp_path, monkeypatch)


RUN_COPIES = """
import sys
from pathlib import Path
import nbformat
from nbclient import NotebookClient
failed = []
for path in sorted(Path(".").glob("*/*.ipynb")):
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import npstudy; print(npstudy.__file__)"))
    NotebookClient(nb, kernel_name="python3", timeout=300,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    failed += [f"{path}: {errors[0].ename}: {errors[0].evalue}"] if errors else []
    print(path, nb.cells[-1].outputs[0].text.strip())
print("\\n".join(failed) or "all ran", file=sys.stderr)
"""


@pytest.mark.slow
def test_copies_run_from_a_wheel_install_with_nothing_else_done(tmp_path):
    """pip install the wheel (no clone), `npstudy notebooks` both ways, Run All on every copy."""
    python, environ, _ = wheel_venv(tmp_path)
    environ.update(MPLBACKEND="Agg", NPSTUDY_WORKDIR=str(tmp_path / "work"))
    (tmp_path / "work").mkdir()
    here = tmp_path / "class"
    here.mkdir()
    for args in (["teacher"], ["student", "--student"]):
        done = subprocess.run([str(python), "-m", "npstudy", "notebooks", *args], cwd=here,
                              env=environ, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert len(list(here.glob("*/*.ipynb"))) == 2 * len(teaching_notebooks()) + 1
    ran = subprocess.run([str(python), "-c", RUN_COPIES], cwd=here, env=environ,
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert ran.stderr.strip().splitlines()[-1] == "all ran", ran.stderr[-2000:]
    loaded = [line.split(" ", 1)[1] for line in ran.stdout.splitlines()]
    assert len(loaded) == 2 * len(teaching_notebooks()) + 1
    assert all(str(tmp_path / "venv") in f and str(ROOT) not in f for f in loaded), loaded
