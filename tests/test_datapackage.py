"""The Frictionless data package is valid and generated from npstudy.schema and the codebook."""

import subprocess
import sys
from pathlib import Path

import frictionless
import pytest

from npstudy import DataError, data_dir

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


def test_every_shipped_csv_has_exactly_the_schema_columns_in_order():
    from npstudy import schema

    for name, spec in schema.TABLES.items():
        with open(data_dir() / name, encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split(",")
        assert header == spec.columns, name


def test_loader_constants_and_descriptor_agree():
    import json

    from npstudy import dataset, lexicon

    package = json.loads((data_dir() / "datapackage.json").read_text(encoding="utf-8"))
    fields = {r["path"]: r["schema"]["fields"] for r in package["resources"] if "schema" in r}

    def required(path):
        return tuple(f["name"] for f in fields[path] if f.get("constraints", {}).get("required"))

    assert [f["name"] for f in fields["practices.csv"]] == dataset.PRACTICE_COLUMNS
    assert {"statement", "scope"} <= set(dataset.PRACTICE_COLUMNS)
    assert [f["name"] for f in fields["aggregates.csv"]] == dataset.AGGREGATE_COLUMNS
    assert required("practices.csv") == dataset.REQUIRED_PRACTICE_COLUMNS
    assert required("aggregates.csv") == dataset.REQUIRED_AGGREGATE_COLUMNS
    assert "count_is_lower_bound" in dataset.REQUIRED_AGGREGATE_COLUMNS
    assert [f["name"] for f in fields["lexicon.csv"]] == lexicon.LEXICON_COLUMNS
    assert [f["name"] for f in fields["places.csv"]] == lexicon.PLACE_COLUMNS


def test_loaders_type_columns_as_the_schema_says():
    from npstudy import load_aggregates, load_documents, load_practices

    p = load_practices()
    assert [str(p[c].dtype) for c in ("start", "end", "paragraph", "first_mover")] == \
        ["int64", "int64", "int64", "bool"]
    assert load_aggregates()["count_is_lower_bound"].dtype == bool
    assert str(load_documents()["chars"].dtype) == "int64"


def test_a_practices_file_without_the_optional_columns_reads_them_as_empty(tmp_path):
    from npstudy import load_practices

    import pandas as pd

    frame = pd.read_csv(data_dir() / "practices.csv", dtype=str, keep_default_na=False)
    frame.drop(columns=["statement", "scope"]).to_csv(tmp_path / "p.csv", index=False)
    p = load_practices(tmp_path / "p.csv")
    assert len(p) == len(frame)
    assert (p["statement"] == "").all() and (p["scope"] == "").all()
    frame.drop(columns=["quote"]).to_csv(tmp_path / "q.csv", index=False)
    with pytest.raises(DataError, match="missing column"):
        load_practices(tmp_path / "q.csv")
