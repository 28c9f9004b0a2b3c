"""CITATION.cff and `npstudy cite` say the same thing."""

import re
from pathlib import Path

import yaml

from npstudy import __version__
from npstudy.citation import DATASET, SOFTWARE, citations
from npstudy.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_citation_cff_matches_the_package():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert cff["title"] == SOFTWARE["title"] and cff["license"] == SOFTWARE["license"]
    assert cff["version"] == __version__ == SOFTWARE["version"]
    [data] = [r for r in cff["references"] if r["type"] == "data"]
    assert data["title"] == DATASET["title"] and data["license"] == DATASET["license"]
    assert [a["name"] for a in cff["authors"]] == [SOFTWARE["author"]]
    assert str(cff["date-released"]) == SOFTWARE["date"] == DATASET["date"] == str(data["date-released"])


def test_cite_prints_bibtex_and_plain_text(capsys):
    assert main(["cite"]) == 0
    out = capsys.readouterr().out
    assert out == citations()
    assert re.search(r"^@misc\{npstudy,$", out, re.M)
    assert re.search(r"^@misc\{npstudy_data,$", out, re.M)
    # classic BibTeX needs a year; the version is in a field and in the note
    assert out.count("  year = {2026},") == 2
    assert out.count(f"  version = {{{__version__}}},") == 2
    assert f"(version {__version__}) [Software]" in out and "[Data set]" in out
    assert out.count("{") == out.count("}")
