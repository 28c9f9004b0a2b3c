"""`npstudy build`: every table and figure, byte-identical twice, written atomically."""

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from npstudy.build import FIGURES, BuildError, build, write_atomic


def digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    kw = dict(langs=("en", "zh"), formats=("png", "svg", "pdf"), n_samples=499, echo=None)
    written = build(a, workers=2, **kw)
    build(b, workers=1, **kw)   # rendering in parallel or not gives the same bytes
    assert digest(a) == digest(b)
    assert len(written) == 14 + len(FIGURES) * 2 * 3
    assert not list(a.rglob("*.tmp"))


def test_tables_hold_the_expected_values(tmp_path):
    build(tmp_path, langs=("en",), n_samples=199, echo=None)
    scores = pd.read_csv(tmp_path / "tables" / "province_scores.csv", index_col=0)
    assert scores.loc["CN-SH", "composite_equal"] == pytest.approx(2 / 3, abs=1e-6)
    assert scores.loc["CN-ZJ", "themes"] == 6
    pairs = pd.read_csv(tmp_path / "tables" / "similarity_pairs.csv", index_col=0)
    row = pairs[(pairs["a"] == "CN-SH") & (pairs["b"] == "CN-JS")].iloc[0]
    assert row["similarity"] == pytest.approx(1 / 3, abs=1e-6)
    assert {"null_mean", "ses", "p_value"} <= set(pairs.columns)
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(f"{s}_en.png" for s in FIGURES)


def test_unwritable_output_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file.txt"
    blocker.write_text("not a folder")
    with pytest.raises(BuildError, match="cannot create output folder"):
        build(blocker / "out", echo=None)
    proc = subprocess.run([sys.executable, "-m", "npstudy", "build", "--out", str(blocker / "out")],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "error: cannot create output folder" in proc.stderr and "--out" in proc.stderr
    assert blocker.read_text() == "not a folder"


def test_bad_format_and_language(tmp_path):
    with pytest.raises(BuildError, match="unknown format"):
        build(tmp_path, formats=("gif",), echo=None)
    with pytest.raises(ValueError, match="lang must be"):
        build(tmp_path, langs=("fr",), echo=None)


def test_write_atomic_keeps_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "t.csv"
    write_atomic(target, b"old")

    def boom(*args):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_cli_prints_a_summary(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "npstudy", "build", "--out", str(tmp_path),
                           "--lang", "en", "--format", "svg"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "tables:  14 CSV files" in proc.stdout
    assert "figures: 8 files (en: svg)" in proc.stdout
