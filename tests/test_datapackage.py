"""The Frictionless data package is valid and generated from the codebook."""

import subprocess
import sys
from pathlib import Path

import frictionless

from npstudy import data_dir

ROOT = Path(__file__).resolve().parents[1]


def test_frictionless_validate_passes():
    report = frictionless.validate(str(data_dir() / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_frictionless_catches_a_bad_enum(tmp_path):
    for f in data_dir().iterdir():
        if f.is_file():
            (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "raw").mkdir()
    for f in (data_dir() / "raw").iterdir():
        (tmp_path / "raw" / f.name).write_bytes(f.read_bytes())
    text = (tmp_path / "practices.csv").read_text(encoding="utf-8")
    (tmp_path / "practices.csv").write_text(text.replace(",CN-AH,", ",CN-XX,"), encoding="utf-8")
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    assert [e[1:] for e in report.flatten(["rowNumber", "fieldName", "type"])] == [
        ["province", "constraint-error"]]


def test_datapackage_is_up_to_date():
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "make_datapackage.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
