"""npstudy: how Chinese provinces cultivate new quality productive forces (新质生产力).

An evidence-linked coded dataset of provincial practice, the four-pillar codebook,
a gazetteer of provinces and cities, and tools to score, compare and extend it.

>>> import npstudy
>>> len(npstudy.load_practices())
51
"""

from importlib import import_module as _import_module
from importlib import metadata as _metadata

# Names are imported from their modules on first use, so that `npstudy --help` or a
# Ctrl-C right after starting does not wait for pandas and matplotlib to load.
_EXPORTS = {
    "Codebook": "codebook",
    "DataError": "fileio",
    "data_dir": "dataset", "evidence": "dataset", "load_aggregates": "dataset",
    "load_cities": "dataset", "load_codebook": "dataset", "load_documents": "dataset",
    "load_layout": "dataset", "load_practices": "dataset", "load_provinces": "dataset",
    "load_source": "dataset",
    "Gazetteer": "gazetteer", "load_gazetteer": "gazetteer", "resolve_province": "gazetteer",
    "Problem": "validation", "validate": "validation",
}

try:
    __version__ = _metadata.version("npstudy")
except _metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(_import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'npstudy' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
