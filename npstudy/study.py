"""The data one analysis runs on: practices, aggregates and their reference data, together.

A :class:`Study` holds the practices and aggregates tables with the codebook and
gazetteer they were coded against. :func:`Study.load` reads a data folder (the
shipped one, or a workspace whose own ``codebook.yaml``, ``provinces.csv``,
``cities.csv`` or ``places.csv`` replace the shipped ones where present), and
``npstudy build --data WS`` passes the result to scoring, the null models and the
figures, so that none of them reloads the shipped reference data.

Analysis functions take the codebook and gazetteer as arguments; they fall back
on the shipped ones only when the caller passes nothing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .codebook import Codebook
from .dataset import (data_dir, load_aggregates, load_cities, load_codebook, load_practices,
                      load_provinces)
from .gazetteer import Gazetteer, load_gazetteer

__all__ = ["Study", "resolve_codebook", "resolve_gazetteer"]


def resolve_codebook(codebook: Codebook | None) -> Codebook:
    """``codebook``, or the shipped codebook when it is None (the public API's default)."""
    return codebook if codebook is not None else load_codebook()


def resolve_gazetteer(gazetteer: Gazetteer | None) -> Gazetteer:
    """``gazetteer``, or the shipped gazetteer when it is None (the public API's default)."""
    return gazetteer if gazetteer is not None else load_gazetteer()


@dataclass(frozen=True)
class Study:
    """Practices and aggregates with the codebook and gazetteer they refer to.

    Attributes
    ----------
    practices : pandas.DataFrame
    aggregates : pandas.DataFrame or None
    codebook : Codebook
    gazetteer : Gazetteer
    source : pathlib.Path or None
        The folder the study was read from; None for the shipped data.

    The object is immutable; treat its tables as read-only.
    """

    practices: pd.DataFrame
    aggregates: pd.DataFrame | None
    codebook: Codebook
    gazetteer: Gazetteer
    source: Path | None = None

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> Study:
        """Read a data folder or workspace; the shipped data by default.

        A reference file (``codebook.yaml``, ``provinces.csv``, ``cities.csv``,
        ``places.csv``) the folder lacks is taken from the shipped data, as
        ``npstudy validate`` does.

        Examples
        --------
        >>> s = Study.load()
        >>> len(s.practices), len(s.gazetteer.provinces)
        (51, 34)
        """
        if folder is None:
            return cls(load_practices(), load_aggregates(), load_codebook(), load_gazetteer())
        folder = Path(folder)
        shipped = data_dir()

        def pick(name: str) -> Path:
            return folder / name if os.path.lexists(folder / name) else shipped / name

        from .lexicon import load_places

        codebook = load_codebook(pick("codebook.yaml"))
        provinces = load_provinces(pick("provinces.csv"))
        places = load_places(pick("places.csv"), set(provinces["iso_code"]),
                             set(codebook.ids("code")))
        gazetteer = Gazetteer(provinces, load_cities(pick("cities.csv")), places)
        aggregates = (load_aggregates(folder / "aggregates.csv")
                      if os.path.lexists(folder / "aggregates.csv") else None)
        return cls(load_practices(folder / "practices.csv"), aggregates,
                   codebook, gazetteer, folder)
