"""Shared fixtures: a writable copy of the dataset tables, closed figures, fixed seeds."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from npstudy import data_dir

ROOT = Path(__file__).resolve().parents[1]


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
