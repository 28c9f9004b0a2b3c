"""Shared fixtures: the in-process command-line runner, workspaces, copies of the dataset
tables, closed figures, fixed seeds."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from npstudy import data_dir
from npstudy.cli import main

ROOT = Path(__file__).resolve().parents[1]
#: A short text for workspace tests: three coded sentences and two that name a province only.
TEXT = ("山东、广东获批筹建国家碳计量中心。浙江设立科技创新基金，建设概念验证中心。"
        "江苏率先召开推进大会。上海举办论坛。")


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A folder holding copies of practices.csv and aggregates.csv."""
    for name in ("practices.csv", "aggregates.csv"):
        shutil.copy(data_dir() / name, tmp_path / name)
    return tmp_path


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(path: Path, rows: list[dict], fieldnames=None, encoding="utf-8") -> None:
    fieldnames = fieldnames or list(rows[0])
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


@pytest.fixture(autouse=True)
def _close_figures_and_seed():
    """Use the non-interactive backend and a fixed NumPy seed; close pyplot figures."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    np.random.seed(0)
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@dataclass
class Run:
    """What one command printed and returned."""

    code: int
    out: str
    err: str

    def error_line(self) -> str:
        """The single line on stderr, ``npstudy: error: ...`` (asserts it is the only one)."""
        assert "Traceback" not in self.out + self.err
        lines = [line for line in self.err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("npstudy: error: "), self.err
        return lines[0]


def run_main(*args) -> Run:
    """Run ``npstudy ARGS...`` in this process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return Run(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    """Run ``npstudy ARGS...`` in this process: ``cli("validate", path) -> Run``."""
    return run_main


def tree_hashes(*roots) -> dict[str, str]:
    """SHA-256 and mode of every file under ``roots`` (symbolic links not followed), except
    workspace lock files."""
    out = {}
    for root in map(Path, roots):
        paths = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in paths:
            if path.name == ".npstudy.lock":  # the workspace's lock file, empty
                continue
            if path.is_symlink():
                out[str(path)] = "link:" + str(path.readlink())
            elif path.is_file():
                out[str(path)] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{path.stat().st_mode:o}"
            elif path.is_dir():
                out[str(path)] = "dir"
            else:
                out[str(path)] = f"special:{path.stat().st_mode:o}"
    return out


def check_hostile_case(case, env, cli, matches) -> str:
    """Run one hostile-input case ``(setup, exit code, expected)``: the command exits with the
    code, prints one error line that ``matches(expected, line)``, and changes no file of the
    case's folder or of the shipped data. Returns the error line."""
    setup, code, expected = case
    argv = setup(env)
    before = tree_hashes(env), tree_hashes(data_dir())
    run = cli(*argv)
    assert run.code == code, (run.out, run.err)
    line = run.error_line()
    assert matches(expected, line), line
    assert (tree_hashes(env), tree_hashes(data_dir())) == before
    return line


@pytest.fixture(scope="session")
def _workspace_template(tmp_path_factory) -> Path:
    from npstudy.workspace import make_workspace

    return make_workspace(tmp_path_factory.mktemp("template") / "ws")


@pytest.fixture
def workspace(_workspace_template, tmp_path) -> Path:
    """A fresh workspace (``npstudy init``) in a temporary folder."""
    target = tmp_path / "ws"
    shutil.copytree(_workspace_template, target)
    return target


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8-sig") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    """A folder with a workspace ``ws`` (document d1 registered), ``doc.txt``,
    ``sug.csv`` (coder suggestions for d1) and ``rev.csv`` (three accepted, one rejected)."""
    from npstudy.coder import code_text
    from npstudy.workspace import make_workspace, register_document

    root = tmp_path_factory.mktemp("loop")
    (root / "doc.txt").write_text(TEXT, encoding="utf-8")
    ws = make_workspace(root / "ws")
    register_document(ws, root / "doc.txt", "d1", date="2024-05")
    result = code_text(TEXT, "d1")
    result.suggestions.to_csv(root / "sug.csv", index=False, encoding="utf-8-sig")
    rows = read_csv(root / "sug.csv")
    for i, row in enumerate(rows):
        row["decision"] = "reject" if i == 3 else "accept"
        row["summary_en"] = "A practice stated in the test text."
    write_csv(root / "rev.csv", rows)
    return root


@pytest.fixture
def loop(_template, tmp_path) -> Path:
    """A fresh copy of :func:`_template` for one test."""
    root = tmp_path / "t"
    shutil.copytree(_template, root)
    return root


def wheel_venv(tmp_path: Path) -> tuple[Path, dict, Path]:
    """Build npstudy's wheel and install it alone into a new venv, as a pip user has it.

    Returns the venv's Python, the environment to run it with (no ``PYTHONPATH`` or
    ``NPSTUDY_DATA``) and the wheel. This interpreter's pandas, nbclient … are added *after*
    the venv's own site-packages through a ``.pth`` file (``system_site_packages`` would give
    the base interpreter's directories, which lack them inside a venv); the checkout is left
    out, so neither the source tree nor an editable npstudy can shadow the wheel.
    """
    import os
    import subprocess
    import sys
    import venv

    root = Path(__file__).resolve().parents[1]
    import tempfile

    from filelock import FileLock

    wheels = tmp_path / "wheels"
    # pip builds in the source tree: two test processes building at once must take turns
    with FileLock(Path(tempfile.gettempdir()) / "npstudy-test-wheel.lock"):
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels),
                        str(root)], check=True)
    [wheel] = wheels.glob("npstudy-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    environ = {k: v for k, v in os.environ.items() if k not in ("NPSTUDY_DATA", "PYTHONPATH")}
    # the wheel first, into the empty venv, so that pip sees no other npstudy
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                    "--no-index", "-q", str(wheel)], check=True, env=environ)
    checkout = {str(root), str(root / "tests")}
    site_dirs = [d for d in sys.path if d and d not in checkout and Path(d).is_dir()]
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "outer_site.pth").write_text("\n".join(site_dirs) + "\n", encoding="utf-8")
    return python, environ, wheel
