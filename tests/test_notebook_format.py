"""The teaching notebooks are saved in the format tools/run_notebooks.py writes."""

import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))
import run_notebooks  # noqa: E402

IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def test_there_are_five_notebooks_and_the_key():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01-", "02-", "03-", "04-", "05-", "tea"]
    assert NOTEBOOKS[-1].name == "teacher-key.ipynb"


# A copied notebook runs anywhere: no cell reads a file of the repository or of the build.
REPOSITORY_PATH = re.compile(r"\.\./|\bdata/|\bfigures/|\bevaluation/|\bnotebooks/|default_output_dir"
                             r"|read_csv\(|\bopen\(|Path\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_code_cell_reads_a_repository_path(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not REPOSITORY_PATH.search(cell.source), (cell.id, cell.source)


def test_the_path_check_can_fail():
    assert REPOSITORY_PATH.search('pd.read_csv(build.default_output_dir() / "tables" / "x.csv")')
    assert REPOSITORY_PATH.search("![f](../figures/fig1.png)")
    assert not REPOSITORY_PATH.search('npstudy.load_practices(workspace / "practices.csv")')


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_format(path):
    assert path.stat().st_size < 150_000
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(1, len(nb.cells) + 1)]
    checked = 0
    for cell in nb.cells:
        assert "NBVAL_" not in cell.source, cell.id
        assert "execution" not in cell.metadata, cell.id
        if cell.cell_type == "code":
            checked += "nbval-check-output" in cell.metadata.get("tags", [])
            for out in cell.outputs:
                assert not any(k.startswith("image/") for k in out.get("data", {})), cell.id
    assert checked >= 5


@pytest.mark.parametrize("path", NOTEBOOKS[:3], ids=lambda p: p.stem)
def test_figures_are_shown_from_the_committed_files(path):
    nb = nbformat.read(path, as_version=4)
    links = [m for c in nb.cells if c.cell_type == "markdown" for m in IMAGE_LINK.findall(c.source)]
    assert links
    for link in links:
        assert link.startswith("../figures/fig"), link
        assert (path.parent / link).is_file(), link


def test_tidy_turns_comment_markers_into_tags_and_drops_images():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("# NBVAL_CHECK_OUTPUT\nx = 1\nx")
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=1),
        nbformat.v4.new_output("display_data", {"image/png": "iVBOR", "text/plain": "<Figure>"}),
    ]
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01"}
    nb.cells = [nbformat.v4.new_markdown_cell("# t"), cell]
    run_notebooks.tidy(nb)
    assert [c.id for c in nb.cells] == ["cell-01", "cell-02"]
    assert cell.source == "x = 1\nx"
    assert cell.metadata == {"tags": ["nbval-check-output"]}
    assert [o.output_type for o in cell.outputs] == ["execute_result"]
    assert nb.metadata.kernelspec.name == "python3"
