"""`npstudy notebooks DIR` copies the shipped teaching notebooks and never overwrites silently."""

import json

import nbformat

from npstudy.cli import main
from npstudy.notebooks import notebooks_dir, teaching_notebooks

NAMES = ["01-framework", "02-pillar-coverage", "03-similarity", "04-extending-the-coding",
         "05-beyond-the-article"]


def test_teacher_copies_and_guide(tmp_path, capsys):
    target = tmp_path / "class"
    assert main(["notebooks", str(target)]) == 0
    out = capsys.readouterr().out
    assert f"wrote {len(NAMES) + 2} file(s)" in out and "teacher-key.ipynb" in out
    assert out.splitlines()[1] == f"next: jupyter lab {target}   (the notebooks run as they are)"
    assert sorted(p.name for p in target.iterdir()) == ([f"{n}.ipynb" for n in NAMES]
                                                        + ["README.md", "teacher-key.ipynb"])
    assert (target / "README.md").read_bytes() == (notebooks_dir() / "README.md").read_bytes()
    assert (target / "teacher-key.ipynb").read_bytes() == (notebooks_dir() / "teacher-key.ipynb").read_bytes()
    for source in teaching_notebooks():
        copy = nbformat.read(target / source.name, as_version=4)
        original = nbformat.read(source, as_version=4)
        assert [c.id for c in copy.cells] == [c.id for c in original.cells]
        assert [c.get("outputs") for c in copy.cells] == [c.get("outputs") for c in original.cells]
        # Figure links point beside the copy, where `npstudy build --out DIR/figures` writes.
        for a, b in zip(copy.cells, original.cells):
            assert a.source == b.source.replace("](../figures/", "](figures/")
    assert "](figures/fig1_framework_en.png)" in (target / "01-framework.ipynb").read_text("utf-8")


def test_student_copies(tmp_path, capsys):
    assert main(["notebooks", str(tmp_path), "--student"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{n}-student.ipynb" for n in NAMES]
    nb = json.loads((tmp_path / "04-extending-the-coding-student.ipynb").read_text("utf-8"))
    assert not any("solution" in c["metadata"].get("tags", []) for c in nb["cells"])
    assert all(c["outputs"] == [] for c in nb["cells"] if c["cell_type"] == "code")


def test_existing_files_are_kept_unless_forced(tmp_path, capsys):
    (tmp_path / "03-similarity.ipynb").write_text("my notes", encoding="utf-8")
    assert main(["notebooks", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("npstudy: error: ") and "03-similarity.ipynb exists" in err and "--force" in err
    assert [p.name for p in tmp_path.iterdir()] == ["03-similarity.ipynb"]  # nothing written
    assert (tmp_path / "03-similarity.ipynb").read_text(encoding="utf-8") == "my notes"
    assert main(["notebooks", str(tmp_path), "--force"]) == 0
    assert nbformat.read(tmp_path / "03-similarity.ipynb", as_version=4).cells


def test_a_file_is_not_a_folder(tmp_path, capsys):
    target = tmp_path / "notes.txt"
    target.write_text("x", encoding="utf-8")
    assert main(["notebooks", str(target)]) == 1
    assert "is a file" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "x"


def test_a_link_to_nowhere_is_named_as_such(tmp_path, capsys):
    link = tmp_path / "notes"
    link.symlink_to(tmp_path / "nowhere")
    assert main(["notebooks", str(link)]) == 1
    err = capsys.readouterr().err
    assert "symbolic link to nowhere" in err and err.count("npstudy: error:") == 1
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()
