"""Loaders for every table of the dataset and for the source texts.

This module is the one place that knows where the data lives. Nothing else in
the package builds a path to a data file, and nothing reads the current working
directory. Loaders return tidy :class:`pandas.DataFrame` objects with the columns
documented in ``data/README.md`` and never modify files.

The data folder is found in this order:

1. the ``NPSTUDY_DATA`` environment variable, if set;
2. ``npstudy/_data`` inside an installed wheel (the build copies ``data/`` there);
3. ``data/`` beside the package in a source checkout or editable install.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import schema
from .codebook import Codebook
from .fileio import DataError, protect, read_table, read_text

__all__ = [
    "DataError",
    "data_dir",
    "read_text",
    "read_table",
    "load_source",
    "load_documents",
    "load_layout",
    "load_practices",
    "load_aggregates",
    "load_provinces",
    "load_cities",
    "load_codebook",
    "evidence",
    "PRACTICE_COLUMNS",
    "OPTIONAL_PRACTICE_COLUMNS",
    "AGGREGATE_COLUMNS",
    "REQUIRED_PRACTICE_COLUMNS",
    "REQUIRED_AGGREGATE_COLUMNS",
    "FIRST_MOVER_MARKERS",
    "DOC_ID_PATTERN",
    "PRACTICE_KEY",
    "practice_key",
    "WHOLE_NUMBER",
    "check_doc_id",
    "statement_key",
]

#: Columns of ``practices.csv``, in file order (from :mod:`npstudy.schema`).
PRACTICE_COLUMNS = schema.columns("practices.csv")
#: Columns a practices file may lack, read as empty (statement ids and scope came later).
OPTIONAL_PRACTICE_COLUMNS = tuple(c for c in PRACTICE_COLUMNS
                                  if c not in schema.header_columns("practices.csv"))
#: Columns of ``aggregates.csv``, in file order.
AGGREGATE_COLUMNS = schema.columns("aggregates.csv")
#: Columns of ``practices.csv`` that must not be empty.
REQUIRED_PRACTICE_COLUMNS = schema.required_columns("practices.csv")
#: Columns of ``aggregates.csv`` that must not be empty.
REQUIRED_AGGREGATE_COLUMNS = schema.required_columns("aggregates.csv")
#: Words that mark a first move in the source language (首设 "first to set up",
#: 率先 "take the lead", 首个 "the first", 首创 "pioneer", 首次 "for the first time");
#: a quote holding one has ``first_mover`` true (rule R8).
FIRST_MOVER_MARKERS = ("首设", "率先", "首个", "首创", "首次")
#: A document id: a letter or digit, then letters, digits, ``_``, ``-`` or ``.``; at most 64
#: characters. Ids name files (``raw/<doc_id>.txt``), so nothing else is allowed.
DOC_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}"
#: Practice rows with the same values in these columns are the same coding.
PRACTICE_KEY = ("doc_id", "province", "city", "code", "start", "end", "quote")
#: A whole number as the data files write it: ASCII digits only, at most 15 of them.
WHOLE_NUMBER = r"^[0-9]{1,15}$"
_HERE = Path(__file__).resolve().parent
# The data shipped with the package (wheel or source checkout) is never written.
for _shipped in (_HERE / "_data", _HERE.parent / "data"):
    if (_shipped / "datapackage.json").is_file():
        protect(_shipped)
_BOOL = {"true": True, "false": False}


def data_dir() -> Path:
    """Return the folder that holds the dataset.

    Returns
    -------
    pathlib.Path
        A folder containing ``datapackage.json``.

    Examples
    --------
    >>> (data_dir() / "codebook.yaml").is_file()
    True
    """
    env = os.environ.get("NPSTUDY_DATA")
    if env:
        path = Path(env)
        if not (path / "datapackage.json").is_file():
            raise DataError(f"NPSTUDY_DATA={env!r} has no datapackage.json; "
                            "point it at a copy of the npstudy data folder")
        return path
    for candidate in (_HERE / "_data", _HERE.parent / "data"):
        if (candidate / "datapackage.json").is_file():
            return candidate
    raise DataError("cannot find the npstudy data folder (looked in npstudy/_data and "
                    "data/ beside the package); reinstall npstudy or set NPSTUDY_DATA")


def practice_key(row) -> tuple:
    """The identity of a coding: its :data:`PRACTICE_KEY` values, stripped of surrounding space.

    ``row`` is a mapping (a dict or a pandas Series) of the practices columns.

    Examples
    --------
    >>> practice_key({"doc_id": "d", "province": "CN-SH", "city": " ", "code": "c",
    ...               "start": "1", "end": "5", "quote": "上海设立"})
    ('d', 'CN-SH', '', 'c', '1', '5', '上海设立')
    """
    return tuple(str(row[c]).strip() for c in PRACTICE_KEY)


def statement_key(practices: pd.DataFrame) -> str:
    """The column that identifies a statement: ``statement`` (rule R1a), else ``quote``.

    A practices table written before statement ids existed has no ``statement``
    column; a table whose ``statement`` cells are all empty (rows added by
    ``npstudy merge``) has no ids either. In both cases the verbatim quote stands
    in: rows that quote the same span are one statement.

    Examples
    --------
    >>> statement_key(load_practices())
    'statement'
    >>> statement_key(pd.DataFrame({"quote": ["上海设立"]}))
    'quote'
    """
    if "statement" in practices.columns and practices["statement"].astype(str).str.strip().ne("").all():
        return "statement"
    return "quote"


def check_doc_id(doc_id: str, where: str = "doc_id") -> str:
    """Return ``doc_id`` if it matches :data:`DOC_ID_PATTERN`, else raise :class:`DataError`.

    Examples
    --------
    >>> check_doc_id("report-2024.v1")
    'report-2024.v1'
    """
    if not isinstance(doc_id, str) or not re.fullmatch(DOC_ID_PATTERN, doc_id):
        raise DataError(f"{where}: {str(doc_id)[:80]!r} is not a valid document id – use 1 to 64 "
                        "letters, digits, '_', '-' or '.', starting with a letter or digit "
                        "(e.g. 'report-2024')")
    return doc_id


def _typed(frame: pd.DataFrame, path: Path, ints=(), bools=()) -> pd.DataFrame:
    out = frame.copy()
    for col in ints:
        if col not in out:
            continue
        bad = ~out[col].str.fullmatch(WHOLE_NUMBER)
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{path}:{i + 2}: {col}: {out[col].iloc[i]!r} – not a whole number "
                            "(ASCII digits 0-9 only) – run `npstudy validate` to see every problem")
        out[col] = out[col].astype("int64")
    for col in bools:
        if col not in out:
            continue
        low = out[col].str.strip().str.lower()
        bad = ~low.isin(list(_BOOL))
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise DataError(f"{path}:{i + 2}: {col}: {out[col].iloc[i]!r} – must be true or false")
        out[col] = low.map(_BOOL).astype(bool)
    return out


def _need(frame: pd.DataFrame, columns, path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{path}:1: missing column(s) {', '.join(missing)} – "
                        f"the header must name: {', '.join(columns)}")


def _path(path, name: str) -> Path:
    return Path(path) if path is not None else data_dir() / name


def _load(path, name: str, check=None) -> pd.DataFrame:
    """Read one table of the data folder and type it as :mod:`npstudy.schema` says.

    Columns the schema marks ``optional`` are added, empty, when the file lacks them.
    Integer columns that may be empty are left as text (e.g. ``aggregates.count``).
    ``check(frame, path)``, if given, sees the cells as text before they are typed.
    """
    path = _path(path, name)
    frame = read_table(path)
    _need(frame, schema.header_columns(name), path)
    for col in schema.columns(name):
        if col not in frame.columns:
            frame[col] = ""
    if check is not None:
        check(frame, path)
    spec = schema.table(name)
    ints = [f.name for f in spec.fields if f.type == "integer" and f.required]
    return _typed(frame, path, ints=ints, bools=schema.typed_columns(name, "boolean"))


def _unique(frame: pd.DataFrame, path, column: str, what: str) -> pd.DataFrame:
    """``frame``, after checking that ``column`` names each ``what`` once (a reference table's key)."""
    repeated = frame[column].duplicated(keep="first")
    if repeated.any():
        i = int(repeated.to_numpy().nonzero()[0][0])
        value = frame[column].iloc[i]
        first = int((frame[column] == value).to_numpy().nonzero()[0][0])
        raise DataError(f"{path}:{i + 2}: {column}: {value!r} is already on row {first + 2} – "
                        f"list each {what} once (delete or correct the repeated row)")
    return frame


#: The largest ``tile_row`` / ``tile_col`` of ``provinces.csv``. The tile map
#: (:mod:`npstudy.plots.tiles`) is as many tiles high and wide as the largest values; the
#: shipped grid uses 0-7, and a value far beyond would draw a map of millions of empty tiles.
MAX_TILE = 20


#: The provincial-level units without an NBS region (``region`` empty): Hong Kong, Macao, Taiwan.
NO_REGION = ("CN-HK", "CN-MO", "CN-TW")


def _check_provinces(frame: pd.DataFrame, path) -> None:
    """Refuse a tile position outside 0-:data:`MAX_TILE`, a cell that breaks a constraint of
    :mod:`npstudy.schema` (:func:`_check_constraints`), and an empty ``region`` of any unit but
    Hong Kong, Macao and Taiwan (:data:`NO_REGION`): a mainland province without one would
    drop out of the region tables."""
    for column in ("tile_row", "tile_col"):
        for i, value in enumerate(frame[column]):
            if not (re.fullmatch(r"[0-9]{1,2}", value) and int(value) <= MAX_TILE):
                raise DataError(f"{path}:{i + 2}: {column}: {value!r} is not a position on the "
                                f"tile map – use a whole number from 0 to {MAX_TILE} (row 0 is "
                                "the north, column 0 the west)")
    _check_constraints(frame, path, "provinces.csv", "province")
    regions = next(f.enum for f in schema.table("provinces.csv").fields if f.name == "region")
    for i, (iso, region) in enumerate(zip(frame["iso_code"], frame["region"])):
        if not region and iso not in NO_REGION:
            raise DataError(f"{path}:{i + 2}: region: {region!r} is empty, but only Hong Kong, "
                            f"Macao and Taiwan ({', '.join(NO_REGION)}) have no region – use one "
                            f"of: {', '.join(regions)}")


def _check_constraints(frame: pd.DataFrame, path, name: str, what: str,
                       provinces: pd.DataFrame | None = None, provinces_path=None) -> None:
    """Refuse the first cell of ``frame`` (the table ``name``, one row per ``what``) that breaks
    a ``pattern``, listed-values (``enum``) or ``unique`` constraint of its schema
    (:mod:`npstudy.schema`, from which ``datapackage.json`` is written).

    A pattern or a list of values applies to a non-empty cell, and a pattern to the whole of
    it. A column whose values the schema takes from the province table (``enum="province"``)
    is checked against the ``iso_code`` of ``provinces`` (read from ``provinces_path``) when
    it is given.
    """
    for field in schema.table(name).fields:
        if field.name not in frame.columns:
            continue
        values = frame[field.name].tolist()
        if field.pattern is not None:
            for i, value in enumerate(values):
                if value and not re.fullmatch(field.pattern, value):
                    good = [v for v in values if re.fullmatch(field.pattern, v)]
                    example = f", e.g. {good[0]!r}" if good else ""
                    raise DataError(f"{path}:{i + 2}: {field.name}: {value!r} does not match the "
                                    f"schema's pattern {field.pattern} "
                                    f"({field.description.rstrip('.')}) – write it in that "
                                    f"form{example}")
        allowed, where = field.enum, "the schema"
        if field.enum == "province":
            if provinces is None:
                allowed = None
            else:
                allowed, where = tuple(provinces["iso_code"]), str(provinces_path)
        if isinstance(allowed, tuple):
            known = set(allowed)
            for i, value in enumerate(values):
                if value and value not in known:
                    shown = ", ".join(allowed[:8]) + (", …" if len(allowed) > 8 else "")
                    raise DataError(f"{path}:{i + 2}: {field.name}: {value!r} is not a "
                                    f"{field.name} of {where} – use one of: {shown}"
                                    + (" (empty only for Hong Kong, Macao and Taiwan)"
                                       if field.name == "region" else ""))
        if field.unique:
            _unique(frame, path, field.name, what)


def load_practices(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the evidence table: one row per (province, practice statement).

    Parameters
    ----------
    path : path-like, optional
        A practices CSV in the dataset's schema; the shipped ``practices.csv`` by
        default.

    Returns
    -------
    pandas.DataFrame
        Columns as in :data:`PRACTICE_COLUMNS`. ``start``, ``end`` and
        ``paragraph`` are integers (0-based character offsets into the document's
        text, end exclusive; 0-based line number); ``first_mover`` is boolean;
        other columns are strings, ``""`` where empty.

    Examples
    --------
    >>> p = load_practices()
    >>> p.loc[p["id"] == "P001", ["province", "code"]].iloc[0].tolist()
    ['CN-SH', 'innovation.basic_research.special_zone']
    """
    return _load(path, "practices.csv")


def load_aggregates(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load statements that count provinces without naming them all.

    Returns
    -------
    pandas.DataFrame
        Columns as in :data:`AGGREGATE_COLUMNS`. ``count`` is a nullable integer
        (missing for quantifiers such as 多数省份); ``count_is_lower_bound`` is
        true for "10余个" (more than ten); ``named_provinces`` lists ISO codes of
        provinces the sentence names as examples, separated by ``;``.
    """
    path = _path(path, "aggregates.csv")
    out = _load(path, "aggregates.csv")
    bad = ~(out["count"].str.fullmatch(WHOLE_NUMBER) | (out["count"] == ""))
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{path}:{i + 2}: count: {out['count'].iloc[i]!r} – must be a whole "
                        "number (ASCII digits) or empty")
    out["count"] = pd.to_numeric(out["count"].replace("", None)).astype("Int64")
    return out


def load_provinces(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the 34 provincial-level units.

    Returns
    -------
    pandas.DataFrame
        ``iso_code`` (ISO 3166-2:CN, e.g. ``CN-SH``), ``gb_code`` (GB/T 2260),
        ``name_zh``, ``short_zh``, ``name_en``, ``type``, ``region`` (NBS
        east / central / west / northeast; ``""`` for Hong Kong, Macao, Taiwan),
        ``tile_row`` and ``tile_col`` (integers, tile-grid map position).

    Examples
    --------
    >>> len(load_provinces())
    34
    """
    path = _path(path, "provinces.csv")
    return _load(path, "provinces.csv", check=_check_provinces)


def load_cities(path: str | os.PathLike | None = None,
                provinces: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the 333 prefecture-level divisions with their province.

    Every cell must keep the constraints of the schema (:mod:`npstudy.schema`): a unique
    ``gb_code`` of six ASCII digits, a ``kind`` of the listed ones, and a ``province`` that
    is an ``iso_code`` of the province table.

    Parameters
    ----------
    path : path-like, optional
        A cities CSV; the shipped ``cities.csv`` by default.
    provinces : path-like, optional
        The ``provinces.csv`` the cities belong to; by default the one beside ``path``,
        else the shipped one.

    Returns
    -------
    pandas.DataFrame
        ``gb_code``, ``name_zh``, ``short_zh``, ``province`` (ISO code), ``kind``
        (city, prefecture, autonomous_prefecture, league), ``capital`` and
        ``sub_provincial`` (booleans).
    """
    path = _path(path, "cities.csv")
    if provinces is None:
        beside = path.parent / "provinces.csv"
        provinces = beside if os.path.lexists(beside) else None
    provinces = _path(provinces, "provinces.csv")
    table = load_provinces(provinces)

    def check(frame, where):
        _check_constraints(frame, where, "cities.csv", "city", table, provinces)

    return _load(path, "cities.csv", check=check)


def load_documents(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the document register (one row per source text).

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``path`` (relative to the data folder), ``sha256``, ``chars``,
        ``lines``, ``year``, ``language``, ``description``.
    """
    return _load(path, "documents.csv")


def load_layout(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Load the line-by-line layout of each source document.

    Returns
    -------
    pandas.DataFrame
        ``doc_id``, ``line`` (0-based), ``start`` and ``end`` (character offsets
        of the line, end exclusive), ``role`` (introduction, heading, definition,
        paragraph, caption, conclusion), ``pillar`` and ``theme`` (the part of the
        framework the line belongs to; ``""`` where none).
    """
    return _load(path, "source_layout.csv")


@lru_cache(maxsize=None)
def _load_source_cached(file: str) -> str:
    return read_text(file)


def load_source(doc_id: str | None = None) -> str:
    """Return the text of a registered source document.

    Parameters
    ----------
    doc_id : str, optional
        A ``doc_id`` from ``documents.csv``; the source article by default.

    Returns
    -------
    str
        The text exactly as in the file (offsets in the practices table index it).

    Examples
    --------
    >>> text = load_source()
    >>> len(text)
    3097
    >>> text[289:291]
    '各地'
    """
    docs = load_documents()
    if doc_id is None:
        doc_id = docs["doc_id"].iloc[0]
    row = docs[docs["doc_id"] == doc_id]
    if row.empty:
        raise DataError(f"unknown doc_id {doc_id!r}; registered: {', '.join(docs['doc_id'])}")
    return _load_source_cached(str(data_dir() / row["path"].iloc[0]))


def load_codebook(path: str | os.PathLike | None = None):
    """Load the codebook as a :class:`npstudy.codebook.Codebook`.

    The parsed codebook is cached per file and reread when the file changes.
    Treat the returned object as read-only.
    """
    path = _path(path, "codebook.yaml")
    try:
        stat = path.stat()
    except OSError as err:
        raise DataError(f"{path}: cannot read the codebook ({err.strerror}) – check the path") \
            from None
    return _codebook_cached(os.path.realpath(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _codebook_cached(path: str, mtime_ns: int, size: int):
    return Codebook.from_yaml(path)


def evidence(practices: pd.DataFrame | None = None, province: str | None = None,
             theme: str | None = None, code: str | None = None,
             columns=("id", "province", "code", "quote", "summary_en")) -> pd.DataFrame:
    """The rows, with their verbatim quotes, behind a cell of any matrix.

    Parameters
    ----------
    practices : pandas.DataFrame, optional
        The shipped practices by default.
    province, theme, code : str, optional
        Filters (ISO code, theme id, code id); a pillar id may be given as
        ``theme`` to select the whole pillar.
    columns : sequence of str
        Columns to return.

    Returns
    -------
    pandas.DataFrame
        A filtered copy; the input is not modified.

    Examples
    --------
    >>> evidence(province="CN-NM")["quote"].tolist()
    ['山东、广东、福建、内蒙古获批筹建国家碳计量中心']
    """
    if practices is not None and not isinstance(practices, pd.DataFrame):
        raise TypeError(f"practices must be a practices table (a DataFrame), not {practices!r} – "
                        "pass the filters by name, e.g. evidence(province='CN-NM'); a row by id "
                        "is load_practices().query(\"id == 'P001'\")")
    p = load_practices() if practices is None else practices
    mask = pd.Series(True, index=p.index)
    if province is not None:
        mask &= p["province"] == province
    if theme is not None:
        mask &= (p["theme"] == theme) | (p["pillar"] == theme)
    if code is not None:
        mask &= p["code"] == code
    return p.loc[mask, list(columns)].reset_index(drop=True)
