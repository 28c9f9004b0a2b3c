"""The data are found the same way from an installed wheel as from a clone."""

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

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
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                    str(ROOT)], check=True)
    [wheel] = wheels.glob("npstudy-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "npstudy/_notebooks/04-extending-the-coding.ipynb" in names
    assert "npstudy/_notebooks/README.md" in names
    assert "npstudy/_notebooks/teacher-key.ipynb" in names
    assert "npstudy/_data/raw/000_08799d6d3f16f583.txt" in names
    assert "npstudy/_data/reliability/second_coding.csv" in names
    assert "npstudy/_data/external/indicators.csv" in names
    assert "npstudy/_evaluation/test/labels.csv" in names
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # PYTHONPATH would come before the venv's site-packages; its entries go in the .pth file.
    environ = {k: v for k, v in os.environ.items() if k not in ("NPSTUDY_DATA", "PYTHONPATH")}
    # Install the wheel first, into the empty venv, so that pip sees no other npstudy.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, env=environ)
    # Then reuse this interpreter's pandas etc. by adding its import path *after* the venv's
    # own site-packages (a .pth file; system_site_packages=True would give the base
    # interpreter's directories, which lack them when the tests run inside a venv). The
    # checkout is left out, and no .pth file of the added directories runs, so neither the
    # source tree nor an editable npstudy can shadow the wheel.
    checkout = {str(ROOT), str(ROOT / "tests")}
    site_dirs = [p for p in sys.path if p and p not in checkout and Path(p).is_dir()]
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer_site.pth").write_text("\n".join(site_dirs) + "\n", encoding="utf-8")
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
