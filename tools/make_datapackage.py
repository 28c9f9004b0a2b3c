"""Write ``data/datapackage.json`` (Frictionless Data Package) from :mod:`npstudy.schema`.

The fields of every table come from ``npstudy/schema.py``, the one place the columns
are specified; enums for pillar, theme, code, instrument and province ids are taken
from ``data/codebook.yaml`` and ``data/provinces.csv``, so the descriptor cannot drift
from them. ``tests/test_datapackage.py`` checks that this file is up to date.

Usage::

    python tools/make_datapackage.py          # rewrite data/datapackage.json
    python tools/make_datapackage.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _generated import write_or_check  # noqa: E402

from npstudy.codebook import Codebook  # noqa: E402
from npstudy.dataset import load_documents, load_provinces  # noqa: E402
from npstudy.schema import datapackage  # noqa: E402


def build() -> dict:
    """The descriptor of the shipped data folder."""
    data = ROOT / "data"
    return datapackage(Codebook.from_yaml(data / "codebook.yaml"),
                       load_provinces(data / "provinces.csv")["iso_code"].tolist(),
                       load_documents(data / "documents.csv"))


def render() -> str:
    """The text of ``datapackage.json``."""
    return json.dumps(build(), ensure_ascii=False, indent=2) + "\n"


def main(argv) -> int:
    return write_or_check(ROOT / "data" / "datapackage.json", render(), argv,
                          "tools/make_datapackage.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
