"""The data are found the same way from an installed wheel as from a clone."""

import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import wheel_venv

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import npstudy, pathlib, sys
home = pathlib.Path(sys.prefix).resolve()
assert home in pathlib.Path(npstudy.__file__).resolve().parents, npstudy.__file__
assert home in npstudy.data_dir().resolve().parents, npstudy.data_dir()
assert len(npstudy.load_practices()) == 51
assert len(npstudy.load_source()) == 3097
assert npstudy.validate() == []
from npstudy.external import external_dir, load_indicators
assert home in external_dir().resolve().parents, external_dir()
assert len(load_indicators()) % 31 == 0
from npstudy.evaluation import corpus_dir
assert home in corpus_dir().resolve().parents, corpus_dir()
assert len(list((corpus_dir() / "test" / "docs").glob("*.txt"))) == 54
print("ok", npstudy.data_dir().name)
"""


@pytest.mark.slow
def test_wheel_install_finds_data(tmp_path):
    python, environ, wheel = wheel_venv(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert "npstudy/_notebooks/04-extending-the-coding.ipynb" in names
    assert "npstudy/_notebooks/README.md" in names
    assert "npstudy/_notebooks/teacher-key.ipynb" in names
    assert "npstudy/_data/raw/000_08799d6d3f16f583.txt" in names
    assert "npstudy/_data/reliability/second_coding.csv" in names
    assert "npstudy/_data/external/indicators.csv" in names
    assert "npstudy/_evaluation/test/labels.csv" in names
    out = subprocess.run([str(python), "-c", CHECK], cwd=tmp_path, env=environ,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok _data"
    cli = subprocess.run([str(python), "-m", "npstudy", "validate"], cwd=tmp_path, env=environ,
                         capture_output=True, text=True)
    assert cli.returncode == 0 and "OK" in cli.stdout
    copied = subprocess.run([str(python), "-m", "npstudy", "notebooks", "class"], cwd=tmp_path,
                            env=environ, capture_output=True, text=True)
    assert copied.returncode == 0, copied.stderr
    assert sorted(p.name for p in (tmp_path / "class").iterdir()) == [
        "01-framework.ipynb", "02-pillar-coverage.ipynb", "03-similarity.ipynb",
        "04-extending-the-coding.ipynb", "05-beyond-the-article.ipynb", "README.md",
        "teacher-key.ipynb"]
