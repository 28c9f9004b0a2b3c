"""npstudy: how Chinese provinces cultivate new quality productive forces (新质生产力).

An evidence-linked coded dataset of provincial practice, the four-pillar codebook,
a gazetteer of provinces and cities, and tools to score, compare and extend it.

>>> import npstudy
>>> len(npstudy.load_practices())
50
"""

from importlib import metadata as _metadata

from .codebook import Codebook
from .dataset import (DataError, data_dir, evidence, load_aggregates, load_cities, load_codebook,
                      load_documents, load_layout, load_practices, load_provinces, load_source)
from .gazetteer import Gazetteer, load_gazetteer, resolve_province
from .validation import Problem, validate

try:
    __version__ = _metadata.version("npstudy")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Codebook", "DataError", "Gazetteer", "Problem", "__version__", "data_dir", "evidence",
    "load_aggregates", "load_cities", "load_codebook", "load_documents", "load_gazetteer",
    "load_layout", "load_practices", "load_provinces", "load_source", "resolve_province",
    "validate",
]
