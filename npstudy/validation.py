"""Semantic checks of the dataset, with row-level, actionable messages.

The Frictionless schema (``data/datapackage.json``) checks types and enums. This
module checks what a schema cannot: that each quote stands verbatim in its
source at its offsets, that pillar, theme and code roll up consistently, that
provinces and cities exist and match, that ids are unique, that nothing is coded
on a heading or caption line, and that the first-mover flag agrees with the text.

Every problem is reported at once, as::

    practices.csv:7: province: '江苏省 ' – not an ISO 3166-2:CN code – use 'CN-JS' (江苏)

Row numbers are file line numbers (the header is line 1). Files are only read.
"""

from __future__ import annotations

import bisect
import difflib
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .codebook import Codebook
from .dataset import (AGGREGATE_COLUMNS, DOC_ID_PATTERN, FIRST_MOVER_MARKERS,
                      OPTIONAL_PRACTICE_COLUMNS, PRACTICE_COLUMNS,
                      REQUIRED_AGGREGATE_COLUMNS, REQUIRED_PRACTICE_COLUMNS,
                      WHOLE_NUMBER, data_dir, practice_key, load_cities, load_codebook, load_layout,
                      load_provinces)
from .fileio import CONTROL_CHARS, MAX_TEXT_BYTES, DataError, inside, read_bytes, read_table
from .gazetteer import Gazetteer
from .lexicon import load_places

__all__ = ["Problem", "validate", "validate_practices", "check_practices", "check_aggregates",
           "check_documents", "check_one_line", "check_recorded_provinces",
           "check_document_cells", "check_layout_table", "Context"]
#: A table is checked until this many problems are found.
MAX_PROBLEMS = 1000
# Columns whose values are ids or flags, where surrounding space would make two equal values
# differ (the others report such a value through their own checks).
_NO_PADDING = ("id", "city", "first_mover", "count_is_lower_bound")
# Full-width punctuation folded to half-width, to explain near-miss quotes.
_HALF_FULL = str.maketrans({"\uff0c": ",", "\uff1b": ";", "\uff08": "(", "\uff09": ")",
                            "\uff1a": ":", "\uff01": "!", "\uff1f": "?"})


@dataclass(frozen=True)
class Problem:
    """One problem in one cell (or one file), with what to do about it."""

    file: str
    row: int
    column: str
    value: str
    message: str
    suggestion: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.row}: {self.column}: {self.value!r} – {self.message}"
        return text + (f" – {self.suggestion}" if self.suggestion else "")


@dataclass
class Context:
    """Reference data a table is checked against."""

    codebook: Codebook
    gazetteer: Gazetteer
    sources: dict[str, str]
    layout: pd.DataFrame

    def line_of(self, doc_id: str, offset: int) -> int:
        """0-based line number of a character offset in a registered document."""
        cache = self.__dict__.setdefault("_newlines", {})
        if doc_id not in cache:
            text = self.sources[doc_id]
            cache[doc_id] = [m.start() for m in re.finditer("\n", text)]
        return bisect.bisect_left(cache[doc_id], offset)

    def line_role(self, doc_id: str, line: int) -> tuple[str | None, str]:
        """``(role, theme)`` of a line from the layout table; ``(None, "")`` if not listed."""
        if "_roles" not in self.__dict__:
            lay = self.layout
            self.__dict__["_roles"] = {}
            for d, n, r, t in zip(lay["doc_id"], lay["line"], lay["role"], lay["theme"]):
                self.__dict__["_roles"].setdefault((d, int(n)), (r, t))
        return self.__dict__["_roles"].get((doc_id, line), (None, ""))

    @classmethod
    def from_folder(cls, folder: Path | None = None, problems: list | None = None) -> Context:
        """Reference tables from ``folder`` where present, else the shipped ones.

        Every registered document is checked against ``documents.csv`` (see
        :func:`check_documents`). Its problems are appended to ``problems`` when
        a list is given; otherwise the first one is raised as :class:`DataError`.
        """
        shipped = data_dir()

        def pick(name):
            if folder is not None and os.path.lexists(folder / name):
                return folder / name
            return shipped / name

        found: list[Problem] = []
        sources = check_documents(pick("documents.csv"), found)
        if problems is not None:
            problems.extend(found)
        elif found:
            raise DataError(f"{found[0]} – run `npstudy validate` on the workspace to see every "
                            "problem")
        provinces = pick("provinces.csv")  # the cities' provinces are the ones of this table
        return cls(load_codebook(pick("codebook.yaml")),
                   Gazetteer(load_provinces(provinces), load_cities(pick("cities.csv"), provinces),
                             load_places(pick("places.csv"))),
                   sources, load_layout(pick("source_layout.csv")))


def check_documents(path: Path, problems: list) -> dict[str, str]:
    """Check the document register against the texts it names; return ``{doc_id: text}``.

    Each row's ``doc_id`` must match the documented pattern and be unique; its
    ``path`` must stay inside the register's folder and name a regular UTF-8
    file without NUL bytes, whose SHA-256, character count and line count
    (newlines + 1) are the ones recorded. Problems are appended to ``problems``.
    """
    name = str(path)
    frame = read_table(path)
    missing = [c for c in ("doc_id", "path", "sha256", "chars", "lines") if c not in frame.columns]
    if missing:
        raise DataError(f"{name}:1: missing column(s) {', '.join(missing)} – copy the header of "
                        "the shipped data/documents.csv")
    sources: dict[str, str] = {}
    for i, row in enumerate(frame.to_dict("records")):
        line = i + 2
        doc = row["doc_id"]
        if not re.fullmatch(DOC_ID_PATTERN, doc):
            problems.append(Problem(name, line, "doc_id", doc, "not a valid document id",
                                    "use 1-64 letters, digits, '_', '-' or '.'"))
            continue
        if doc in sources:
            problems.append(Problem(name, line, "doc_id", doc, "registered twice",
                                    "keep one row per document"))
            continue
        for col in ("chars", "lines") + (("year",) if "year" in row else ()):
            if not re.fullmatch(WHOLE_NUMBER, row[col]) and (col != "year" or row[col]):
                problems.append(Problem(name, line, col, row[col],
                                        "must be a whole number (ASCII digits 0-9)"))
        try:
            if not row["path"] or os.path.isabs(row["path"]):
                raise DataError("the path must be relative to the folder of documents.csv")
            raw = read_bytes(inside(path.parent, row["path"]), MAX_TEXT_BYTES)
            text = raw.decode("utf-8-sig")
        except (DataError, UnicodeDecodeError) as err:
            reason = "not valid UTF-8" if isinstance(err, UnicodeDecodeError) else str(err)
            if isinstance(err, UnicodeDecodeError) and err.reason == "unexpected end of data":
                reason = "it ends in the middle of a UTF-8 character: it was cut off"
            problems.append(Problem(name, line, "path", row["path"], f"cannot use the text: {reason}",
                                    "register texts with `npstudy add-document`"))
            continue
        bad = CONTROL_CHARS.search(text)
        if bad or not text.strip():
            what = (f"the text holds the control character {bad.group()!r}" if bad
                    else "the text is empty (white space only)")
            problems.append(Problem(name, line, "path", row["path"], what,
                                    "register a plain UTF-8 text (tab and line breaks are the "
                                    "only control characters allowed)"))
            continue
        sources[doc] = text
        facts = {"sha256": hashlib.sha256(raw).hexdigest(), "chars": str(len(text)),
                 "lines": str(text.count("\n") + 1)}
        for col, value in facts.items():
            if row[col] != value and (col == "sha256" or re.fullmatch(WHOLE_NUMBER, row[col])):
                problems.append(Problem(name, line, col, row[col],
                                        f"does not match the text {row['path']}",
                                        f"the text has {col} {value}; if the text was changed on "
                                        "purpose, register it again under a new doc_id"))
    return sources


def validate(path: str | Path | None = None) -> list[Problem]:
    """Check a dataset folder, or one practices CSV, and return every problem.

    Parameters
    ----------
    path : path-like, optional
        A folder holding ``practices.csv`` (and optionally ``aggregates.csv``,
        ``codebook.yaml``, ``documents.csv`` and the other reference tables, which
        otherwise come from the shipped dataset), or a single CSV in the practices
        schema. The shipped dataset by default.

    Returns
    -------
    list of Problem
        Empty when the data are clean. Nothing is modified.

    Examples
    --------
    >>> validate()
    []
    """
    path = Path(path) if path is not None else data_dir()
    if path.is_dir():
        folder, practices = path, path / "practices.csv"
        aggregates = path / "aggregates.csv"
    else:
        folder, practices, aggregates = path.parent, path, None
    if not os.path.lexists(practices):
        return [Problem(str(practices), 0, "(file)", str(practices), "file not found",
                        "pass a folder that holds practices.csv, or a practices CSV file")]
    problems: list[Problem] = []
    try:
        context = Context.from_folder(folder if path.is_dir() else None, problems)
    except DataError as err:
        return problems + [_file_problem(str(err).split(":", 1)[0], err)]
    if path.is_dir() and os.path.lexists(folder / "documents.csv"):
        problems += check_recorded_provinces(folder / "documents.csv")
        problems += check_document_cells(folder / "documents.csv")
        problems += check_layout_table(folder)
    problems += validate_practices(practices, context)
    if aggregates is not None and aggregates.exists():
        problems += _check_file(aggregates, context, check_aggregates)
    return problems


def validate_practices(path: str | Path, context: Context | None = None) -> list[Problem]:
    """Check one practices CSV file; see :func:`validate`.

    Besides :func:`check_practices`, no cell may hold a line break (:func:`check_one_line`):
    ``npstudy merge`` and ``npstudy import-qdpx`` could not write the table back.
    """
    def check(frame, ctx, name):
        return check_practices(frame, ctx, name=name) + check_one_line(frame, name)

    return _check_file(Path(path), context or Context.from_folder(), check)


def check_one_line(frame: pd.DataFrame, name: str = "practices.csv") -> list[Problem]:
    """A problem for every cell of ``frame`` that holds a line break (LF, CR, NEL, U+2028,
    U+2029), in the columns ``npstudy merge`` writes back: every column whose name does not
    start with ``_``. The rule, and the suggestion, are merge's own (it refuses such a table,
    since the cell would not come back as one cell of one line).
    """
    from .workspace import LINE_BREAKS  # the workspace module imports this one

    out: list[Problem] = []
    for col in frame.columns:
        if str(col).startswith("_"):
            continue
        values = frame[col].astype(str).tolist()
        if not LINE_BREAKS.search("".join(values)):  # one search per column: fast
            continue
        for i, value in enumerate(values):
            found = LINE_BREAKS.search(value)
            if found:
                out.append(Problem(name, i + 2, str(col), _short(value),
                                   f"holds a line break ({found.group()!r})",
                                   "a cell must be one line of plain text; remove it"))
                if len(out) >= MAX_PROBLEMS:
                    return out
    return out


def check_recorded_provinces(path: Path) -> list[Problem]:
    """A problem for every ``province`` of a workspace's ``documents.csv`` that ``npstudy code``
    would refuse to read as the document's own province.

    ``npstudy code WS/raw/<doc_id>.txt`` takes the province recorded for the text (see
    :func:`npstudy.coder.province.recorded_province`) and refuses a value that is not a
    province name, ISO code or city of the shipped gazetteer; an empty cell records none.
    """
    from .gazetteer import PROVINCE_HINT, load_gazetteer

    try:
        frame = read_table(path)
    except DataError:
        return []  # check_documents has reported it
    if "province" not in frame.columns:
        return []
    gazetteer = load_gazetteer()  # the coder's (npstudy.coder.default_coder)
    return [Problem(str(path), i + 2, "province", _short(value),
                    "not a province name or ISO code, so `npstudy code` refuses the text",
                    f"{PROVINCE_HINT}, or leave it empty")
            for i, value in enumerate(frame["province"])
            if value.strip() and gazetteer.find(value.strip()) is None]


def check_document_cells(path: Path) -> list[Problem]:
    """A problem for every cell of a workspace's ``documents.csv`` that ``npstudy add-document``
    would refuse to write back: one holding a line break (:func:`check_one_line`, the rule of
    :func:`npstudy.workspace._table_bytes`), and a ``date`` that is not a calendar date in
    ASCII digits (:func:`npstudy.workspace.check_date`, the rule of ``add-document --date``).
    """
    from .fileio import CodingError
    from .workspace import check_date  # the workspace module imports this one

    try:
        frame = read_table(path)
    except DataError:
        return []  # check_documents has reported it
    out = check_one_line(frame, str(path))
    for i, value in enumerate(frame["date"] if "date" in frame.columns else ()):
        try:
            check_date(value)
        except CodingError as err:
            out.append(Problem(str(path), i + 2, "date", _short(value), "not a calendar date",
                               str(err).partition(" – ")[2]))
    return out


def check_layout_table(folder: Path) -> list[Problem]:
    """A problem if a workspace (a folder with its own ``documents.csv``) lacks its
    ``source_layout.csv``.

    ``npstudy init`` copies the table into every workspace, and ``npstudy add-document`` reads
    it and adds each new text's lines to it: it fails without it. Validation would otherwise
    check the workspace's documents against the shipped layout.
    """
    path = folder / "source_layout.csv"
    if os.path.lexists(path):
        return []
    return [Problem(str(path), 0, "(file)", str(path),
                    "file not found: a workspace holds its own layout table, which "
                    "`npstudy add-document` extends",
                    "restore it (from a backup, or the shipped data/source_layout.csv plus the "
                    "lines of the texts you added), or start a new workspace with `npstudy init`")]


def _check_file(path: Path, context: Context, check) -> list[Problem]:
    try:
        frame = read_table(path)
    except DataError as err:
        return [_file_problem(str(path), err)]
    return check(frame, context, name=str(path))


def check_practices(frame: pd.DataFrame, context: Context | None = None,
                    name: str = "practices.csv") -> list[Problem]:
    """Check a practices table held in memory, row by row.

    Parameters
    ----------
    frame : pandas.DataFrame
        A table in the practices schema with every cell a string, as read by
        :func:`npstudy.fileio.read_table`. It is not modified.
    context : Context, optional
        Reference data (codebook, gazetteer, sources, layout); the shipped data
        by default.
    name : str
        The file name used in messages.

    Returns
    -------
    list of Problem
        Row numbers are file line numbers: row ``i`` of ``frame`` is line ``i + 2``.
    """
    problems = _check_frame(frame, name, context or Context.from_folder(), PRACTICE_COLUMNS,
                            REQUIRED_PRACTICE_COLUMNS, _check_practice)
    return problems + _check_units(frame, name)


def check_aggregates(frame: pd.DataFrame, context: Context | None = None,
                     name: str = "aggregates.csv") -> list[Problem]:
    """Check an aggregates table held in memory; see :func:`check_practices`."""
    return _check_frame(frame, name, context or Context.from_folder(), AGGREGATE_COLUMNS,
                        REQUIRED_AGGREGATE_COLUMNS, _check_aggregate)


def _check_frame(frame, name, context, columns, required, row_check) -> list[Problem]:
    problems = []
    missing = [c for c in columns if c not in frame.columns and c not in OPTIONAL_PRACTICE_COLUMNS]
    extra = [c for c in frame.columns if c not in columns][:100]
    frame = frame[[c for c in columns if c in frame.columns]]
    for col in missing:
        near = difflib.get_close_matches(col, extra, n=1, cutoff=0.6)
        hint = (f"rename column {near[0]!r} to {col!r}" if near
                else f"add a column {col!r} (see data/README.md)")
        problems.append(Problem(name, 1, col, "", "required column is missing", hint))
    seen: dict[str, int] = {}
    seen_rows: dict[tuple, int] = {}
    key_columns = columns is PRACTICE_COLUMNS
    for i, row in enumerate(_records(frame, columns)):
        line = i + 2
        out = [Problem(name, line, col, _short(str(value)), "holds a NUL or control character",
                       "delete it; text fields hold plain text")
               for col, value in row.items() if CONTROL_CHARS.search(str(value))]
        out += [Problem(name, line, col, str(row[col]), "has spaces around the value",
                        "remove the surrounding spaces")
                for col in _NO_PADDING if col in row and str(row[col]) != str(row[col]).strip()]
        if key_columns:
            key = practice_key(row)
            if key in seen_rows:
                out.append(Problem(name, line, "id", row["id"],
                                   f"the same coding as row {seen_rows[key]} (same document, "
                                   "province, city, code and quote)", "delete one of the two rows"))
            else:
                seen_rows[key] = line
        for col in required:
            if col not in missing and not str(row[col]).strip():
                out.append(Problem(name, line, col, "", "must not be empty"))
        ident = str(row["id"]).strip()
        if ident and "id" not in missing:
            if ident in seen:
                out.append(Problem(name, line, "id", ident, f"duplicate id (also on row {seen[ident]})",
                                   "give every row its own id"))
            else:
                seen[ident] = line
        out += row_check(name, line, row, context, set(missing))
        problems += out
        if len(problems) >= MAX_PROBLEMS:
            problems.append(Problem(name, line, "(file)", Path(name).name,
                                    f"stopped after {MAX_PROBLEMS} problems",
                                    "fix these first, then validate again"))
            break
    return problems


def _records(frame: pd.DataFrame, columns) -> Iterator[dict]:
    """The rows of ``frame`` as dicts over ``columns`` ("" for a missing column); faster than
    ``DataFrame.to_dict("records")`` on string columns."""
    n = len(frame)
    values = [frame[c].tolist() if c in frame.columns else [""] * n for c in columns]
    for cells in zip(*values):
        yield dict(zip(columns, cells))


def _file_problem(name: str, err: DataError) -> Problem:
    text = str(err)
    m = re.match(r"^(.*?):(\d+): (.*?) – (.*)$", text)
    if m:
        cell = re.match(r"^([a-z_]+): '([^']*)' (.*)$", m.group(3))  # column: 'value' message
        if cell:
            return Problem(name, int(m.group(2)), cell.group(1), cell.group(2), cell.group(3),
                           m.group(4))
        return Problem(name, int(m.group(2)), "(file)", Path(name).name, m.group(3), m.group(4))
    if text.startswith(f"{name}: "):  # the file is named once, by the Problem
        text = text[len(name) + 2:]
    message, _, hint = text.partition(" – ")
    return Problem(name, 0, "(file)", Path(name).name, message, hint)


# row checks -------------------------------------------------------------------

def _check_practice(name, line, row, ctx, missing):
    out = []
    cb, gz = ctx.codebook, ctx.gazetteer
    prov = row["province"]
    if "province" not in missing and prov.strip():
        if not gz.is_province(prov):
            out.append(Problem(name, line, "province", prov, "not an ISO 3166-2:CN province code",
                               _province_hint(gz, prov)))
        elif row["city"].strip():
            for city in row["city"].split(";"):
                home = gz.city_province(city.strip())
                if home is None:
                    out.append(Problem(name, line, "city", city, "not a prefecture-level city",
                                       "use the city's Chinese name as in data/cities.csv; "
                                       "separate several cities with ';'"))
                elif home != prov:
                    out.append(Problem(name, line, "city", city,
                                       f"city is in {home}, not in {prov}",
                                       f"set province to {home!r} or correct the city"))
    out += _check_framework(name, line, row, cb, missing)
    inst, typ = row["instrument"], row["instrument_type"]
    if "instrument" not in missing and inst and inst not in cb.instrument_categories:
        out.append(Problem(name, line, "instrument", inst, "not a Rothwell–Zegveld category",
                           f"use one of: {', '.join(cb.instrument_categories)}"))
    if "instrument_type" not in missing and typ and typ not in cb.instrument_types:
        near = difflib.get_close_matches(typ, list(cb.instrument_types), n=1)
        out.append(Problem(name, line, "instrument_type", typ, "not an instrument type of the codebook",
                           f"did you mean {near[0]!r}?" if near else
                           f"use one of: {', '.join(cb.instrument_types)}"))
    category = cb.instrument_types.get(typ, {}).get("category") if typ in cb.instrument_types else None
    if category and inst in cb.instrument_categories and inst != category:
        out.append(Problem(name, line, "instrument", inst,
                           f"instrument type {typ!r} is a {category} instrument (rule R9a)",
                           f"set instrument to {category!r}, or choose a {inst} type"))
    source = _source(name, line, row, ctx, out)
    out += _check_quote(name, line, row, ctx, source, missing)
    fm = row["first_mover"].strip().lower()
    if "first_mover" not in missing and fm:
        if fm not in ("true", "false"):
            out.append(Problem(name, line, "first_mover", row["first_mover"], "must be true or false"))
        else:
            marked = any(m in row["quote"] for m in FIRST_MOVER_MARKERS)
            if fm == "true" and not marked:
                out.append(Problem(name, line, "first_mover", row["first_mover"],
                                   "flag set but the quote has no first-mover word",
                                   f"quote the words {'/'.join(FIRST_MOVER_MARKERS)} or set false"))
            if fm == "false" and marked:
                out.append(Problem(name, line, "first_mover", row["first_mover"],
                                   "the quote says 首设/率先/首个 but the flag is false",
                                   "set first_mover to true"))
    return out


#: Values of the optional ``scope`` column (rule R11).
SCOPES = ("provincial", "national")


def _check_units(frame: pd.DataFrame, name: str) -> list[Problem]:
    """Statement ids (rules R1, R1a) and scope (rule R11), when the table has those columns.

    A statement id names one span of one document: rows with the same id quote the same
    span, rows quoting the same span share the id, and a province appears once per
    statement. Empty cells are allowed (rows added by ``npstudy merge`` get no id).
    """
    out = []
    if "scope" in frame.columns:
        for i, value in enumerate(frame["scope"]):
            if str(value).strip() and value not in SCOPES:
                near = difflib.get_close_matches(str(value).strip().lower(), SCOPES, n=1)
                out.append(Problem(name, i + 2, "scope", value, "not a scope (rule R11)",
                                   f"use {near[0]!r}" if near else "use 'provincial' or 'national'"))
    if "statement" not in frame.columns:
        return out
    need = {"doc_id", "start", "end", "province"}
    if not need <= set(frame.columns):
        return out
    rows = frame.assign(_line=range(2, len(frame) + 2))
    rows = rows[rows["statement"].astype(str).str.strip() != ""]
    for line, value in zip(rows["_line"], rows["statement"]):
        if not re.fullmatch(r"S\d{3,}", str(value)):
            out.append(Problem(name, line, "statement", value, "not a statement id (rule R1a)",
                               "use 'S' and three or more digits, e.g. 'S001'"))
    span = rows["doc_id"].astype(str) + ":" + rows["start"].astype(str) + "–" + rows["end"].astype(str)
    rows = rows.assign(_span=span)
    first_line = {}
    for stmt, group in rows.groupby("statement", sort=False):
        spans = group["_span"].unique()
        if len(spans) > 1:
            for line, sp in zip(group["_line"], group["_span"]):
                if sp != group["_span"].iloc[0]:
                    out.append(Problem(name, line, "statement", stmt,
                                       f"rows of this statement quote different spans "
                                       f"({group['_span'].iloc[0]} on row {group['_line'].iloc[0]}, "
                                       f"{sp} here)", "give each quoted span its own statement id"))
        for line, prov in zip(group["_line"], group["province"]):
            key = (stmt, prov)
            if key in first_line:
                out.append(Problem(name, line, "statement", stmt,
                                   f"province {prov} already has a row for this statement "
                                   f"(row {first_line[key]})",
                                   "a statement gives one row per province (rule R1); "
                                   "remove the duplicate or split the statement"))
            else:
                first_line[key] = line
    for _sp, group in rows.groupby("_span", sort=False):
        ids = group["statement"].unique()
        if len(ids) > 1:
            out.append(Problem(name, int(group["_line"].iloc[1]), "statement",
                               str(group["statement"].iloc[1]),
                               f"the same span is also statement {ids[0]!r} "
                               f"(row {group['_line'].iloc[0]})",
                               f"use {ids[0]!r} for every row that quotes this span (rule R1a)"))
    return out


def _check_aggregate(name, line, row, ctx, missing):
    out = _check_framework(name, line, row, ctx.codebook, missing)
    if row["quantifier"] and row["quantifier"] not in row["quote"]:
        out.append(Problem(name, line, "quantifier", row["quantifier"], "does not occur in the quote",
                           "copy the counting words (e.g. 9省份, 多数省份) from the quote"))
    if row["count"] and not re.fullmatch(WHOLE_NUMBER, row["count"]):
        out.append(Problem(name, line, "count", row["count"], "must be a whole number or empty"))
    if row["count_is_lower_bound"].strip().lower() not in ("true", "false"):
        out.append(Problem(name, line, "count_is_lower_bound", row["count_is_lower_bound"],
                           "must be true or false"))
    for code in filter(None, (c.strip() for c in row["named_provinces"].split(";"))):
        if not ctx.gazetteer.is_province(code):
            out.append(Problem(name, line, "named_provinces", code, "not an ISO 3166-2:CN province code",
                               _province_hint(ctx.gazetteer, code)))
    source = _source(name, line, row, ctx, out)
    out += _check_quote(name, line, row, ctx, source, missing)
    return out


def _at_level(cb: Codebook, ident: str, level: str) -> bool:
    """Whether ``ident`` is a codebook id at ``level`` (a dictionary look-up per row)."""
    return ident in cb and cb.level(ident) == level


def _check_framework(name, line, row, cb: Codebook, missing):
    out = []
    pillar = row["pillar"]
    if "pillar" not in missing and pillar and not _at_level(cb, pillar, "pillar"):
        out.append(Problem(name, line, "pillar", pillar, "not a pillar id of the codebook",
                           _did_you_mean(cb, pillar, "pillar")))
    for level, parent_level, noun in (("theme", "pillar", "theme id"), ("code", "theme", "code")):
        value, parent = row[level], row[parent_level]
        if level in missing or not value:
            continue
        if not _at_level(cb, value, level):
            out.append(Problem(name, line, level, value, f"not a {noun} of the codebook",
                               _did_you_mean(cb, value, level)))
        elif parent in cb and cb.rollup(value, parent_level) != parent:
            home = cb.rollup(value, parent_level)
            out.append(Problem(name, line, level, value,
                               f"{level} is not under {parent_level} {parent!r}",
                               f"set {parent_level} to {home!r} or choose a {level} of {parent!r}"))
    return out


def _source(name, line, row, ctx, out):
    doc = row["doc_id"]
    if doc and doc not in ctx.sources:
        known = ", ".join(list(ctx.sources)[:5]) + (", …" if len(ctx.sources) > 5 else "")
        out.append(Problem(name, line, "doc_id", _short(doc), "not a registered document",
                           "register it with `npstudy add-document`, or name the workspace that "
                           f"holds it (--data DIR); known: {known}"))
    return ctx.sources.get(doc)


def _check_quote(name, line, row, ctx, source, missing):
    out = []
    if source is None or {"quote", "start", "end"} & missing or not row["quote"]:
        return out
    quote = row["quote"]
    bad = [c for c in ("start", "end") if not re.fullmatch(WHOLE_NUMBER, str(row[c]))]
    for col in bad:
        out.append(Problem(name, line, col, row[col], "must be a whole number (ASCII digits 0-9)",
                           _offset_hint(source, quote)))
    if bad:
        return out
    start, end = int(row["start"]), int(row["end"])
    if source[start:end] != quote or not 0 <= start < end:
        found = source.find(quote)
        if found >= 0:
            which = "start" if start != found else "end"
            out.append(Problem(name, line, which, row[which],
                               f"offsets {start}–{end} do not point at the quote",
                               f"the quote occurs at start={found}, end={found + len(quote)}"))
        else:
            out.append(Problem(name, line, "quote", _short(quote), "quote does not occur verbatim in the source",
                               _quote_hint(source, quote)))
        return out
    lineno = ctx.line_of(row["doc_id"], start)
    if "\n" in quote:
        out.append(Problem(name, line, "quote", _short(quote), "quote spans more than one line",
                           "split it into one row per paragraph"))
    if "paragraph" not in missing and str(row["paragraph"]) != str(lineno):
        out.append(Problem(name, line, "paragraph", row["paragraph"],
                           f"the quote is on line {lineno}", f"set paragraph to {lineno}"))
    role, ptheme = ctx.line_role(row["doc_id"], lineno)
    if role is not None:
        if role != "paragraph":
            out.append(Problem(name, line, "paragraph", str(lineno),
                               f"line {lineno} is a {role}, and rule R5 codes practices only in paragraphs",
                               "quote the paragraph that states the practice"))
        elif ptheme and row["theme"] and row["theme"] != ptheme and not row.get("note", "x").strip():
            out.append(Problem(name, line, "theme", row["theme"],
                               f"paragraph {lineno} is about {ptheme!r}",
                               "say in note why this statement takes another theme (rule R6)"))
    return out


# hints -----------------------------------------------------------------------

def _did_you_mean(cb, value, level):
    near = cb.nearest(value, level)
    return f"did you mean {near!r}?" if near else f"see data/codebook.yaml for the {level} ids"


def _province_hint(gz: Gazetteer, value: str) -> str:
    stripped = value.strip()
    notes = []
    if stripped != value:
        notes.append("remove the surrounding spaces")
    code = gz.find(stripped) or gz.find(stripped.removesuffix("省").removesuffix("市"))
    if code:
        return "; ".join(notes + [f"use {code!r} ({gz.label(code, 'zh')})"])
    near = gz.suggest(stripped)
    return "; ".join(notes + [f"did you mean {near!r}?" if near else "use a code from data/provinces.csv"])


def _offset_hint(source, quote):
    found = source.find(quote)
    return f"the quote occurs at start={found}, end={found + len(quote)}" if found >= 0 else ""


def _quote_hint(source: str, quote: str) -> str:
    folded_src, folded_q = _fold(source), quote.translate(_HALF_FULL)
    found = folded_src.find(folded_q)
    if found >= 0:
        original = source[found:found + len(quote)]
        return (f"it differs only in half-/full-width punctuation; the source reads "
                f"{_short(original)!r} at start={found}")
    if len(source) * len(quote) > 50_000_000:  # too costly to search: just say what to do
        return "copy the quote character for character from the source file"
    match = difflib.SequenceMatcher(None, source, quote, autojunk=False).find_longest_match(
        0, len(source), 0, len(quote))
    if match.size >= 4:
        return (f"the longest part found verbatim is {_short(quote[match.b:match.b + match.size])!r} "
                f"at {match.a}; copy the quote from the source file")
    return "copy the quote character for character from the source file"


@lru_cache(maxsize=4)
def _fold(source: str) -> str:
    return source.translate(_HALF_FULL)


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
