"""Sphinx configuration of the npstudy documentation site.

Build it with ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (CI does, with
warnings as errors). Pages are Markdown (MyST); the API reference is generated from the
package's numpydoc docstrings.
"""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

project = "npstudy"
author = "npstudy contributors"
copyright = "2024–2026, npstudy contributors"  # noqa: A001 (Sphinx's name)
release = _version("npstudy")
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Links into the repository (data/, figures/) are not pages; names re-exported by the package
# (npstudy.Codebook and npstudy.codebook.Codebook) are one object found twice.
suppress_warnings = ["myst.xref_missing", "ref.python"]

autosummary_generate = True
autodoc_default_options = {"members": True, "show-inheritance": False}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

html_theme = "furo"
html_title = f"npstudy {release}"
html_static_path: list[str] = []
