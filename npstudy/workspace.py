"""Workspaces: a copy of the dataset that a researcher extends with new documents and coding.

A workspace is a folder holding the dataset's tables (``practices.csv``,
``aggregates.csv``, ``documents.csv``, ``source_layout.csv``) and the source
texts in ``raw/``. :func:`make_workspace` creates one, :func:`register_document`
adds a text, :func:`decide` records review decisions on coder suggestions and
:func:`merge_reviewed` validates the accepted rows and appends them.

Every function here writes only inside the workspace it is given, never into
the shipped data, and holds the workspace's lock while it reads, changes and
writes, so that two commands running at once both land. Each change is all or
nothing: the files it touches are replaced together or not at all.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import (FIRST_MOVER_MARKERS, OPTIONAL_PRACTICE_COLUMNS, PRACTICE_COLUMNS,
                      PRACTICE_KEY, WHOLE_NUMBER, check_doc_id, data_dir, load_cities,
                      load_practices)
from .fileio import (CONTROL_CHARS, MAX_CODED_TEXT_BYTES, MAX_TABLE_BYTES, MAX_TABLE_ROWS,
                     CodingError, DataError, folder_lock, inside, parse_table, read_bytes,
                     link_problem, read_table, refuse_protected, remove_stale_temps, safe_subfolder,
                     write_files_atomic)
from .text import read_document
from .validation import Context, _check_units, check_practices

__all__ = ["make_workspace", "register_document", "decide", "merge_reviewed", "check_workspace",
           "WORKSPACE_TABLES"]

#: The tables a workspace holds (besides ``raw/``), copied from the shipped data by
#: :func:`make_workspace`.
WORKSPACE_TABLES = ("practices.csv", "aggregates.csv", "documents.csv", "source_layout.csv")
_DATE = r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"
_MAX_FIELD = 500
#: Characters that end a line in a CSV reader or in Python's ``str.splitlines``; a cell of a
#: table npstudy writes holds none of them (besides the C0 controls refused everywhere).
LINE_BREAKS = re.compile("[\r\n\x85\u2028\u2029]")


def check_workspace(folder: str | os.PathLike) -> Path:
    """Return ``folder`` as a Path if it is a workspace that may be written, else raise.

    Raises
    ------
    DataError
        If ``folder`` is (or lies in) the shipped data, is not a folder, or
        lacks ``practices.csv`` or ``documents.csv``.
    """
    folder = Path(folder)
    refuse_protected(folder, "workspace")
    if link_problem(folder):
        raise DataError(link_problem(folder))
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder – create a workspace with `npstudy init {folder}`")
    for name in ("practices.csv", "documents.csv"):
        if not os.path.lexists(folder / name):
            raise DataError(f"{folder}: not a workspace (no {name}) – create one with "
                            "`npstudy init DIR`")
    return folder


def make_workspace(folder: str | os.PathLike, practices: pd.DataFrame | None = None) -> Path:
    """Create a folder holding a copy of the dataset's tables, for extending the coding.

    Parameters
    ----------
    folder : path-like
        A new folder, or an empty one; its parent must exist. It must not be
        inside the shipped data.
    practices : pandas.DataFrame, optional
        Start from this table instead of the shipped practices (e.g. a subset).

    Returns
    -------
    pathlib.Path
        The folder, with ``practices.csv``, ``aggregates.csv``, ``documents.csv``,
        ``source_layout.csv`` and ``raw/`` copied from the shipped data. If
        anything fails, whatever was created is removed again.
    """
    folder = Path(folder)
    refuse_protected(folder, "workspace")
    if link_problem(folder):
        raise CodingError(link_problem(folder))
    if os.path.lexists(folder) and not folder.is_dir():
        raise CodingError(f"{folder}: exists and is not a folder – choose a new folder name")
    if not folder.parent.is_dir():
        raise CodingError(f"{folder.parent}: folder does not exist – create it first, or choose "
                          "another place for the workspace")
    created = not folder.exists()
    if not created and any(p.name != ".npstudy.lock" for p in folder.iterdir()):
        _refuse_nonempty(folder)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as err:
        raise CodingError(f"{folder}: cannot create the folder ({err.strerror}) – choose another "
                          "place") from None
    made: list[Path] = []
    try:
        with folder_lock(folder):
            if any(p.name != ".npstudy.lock" for p in folder.iterdir()):
                _refuse_nonempty(folder)  # another init got here first: leave its files alone
            made.append(folder / ".npstudy.lock")
            src = data_dir()
            raw = folder / "raw"
            raw.mkdir()
            made.append(raw)
            files = {folder / name: read_bytes(src / name) for name in WORKSPACE_TABLES[1:]}
            for f in sorted((src / "raw").iterdir()):
                if f.is_file():
                    files[raw / f.name] = read_bytes(f)
            table = load_practices() if practices is None else practices
            missing = [c for c in PRACTICE_COLUMNS
                       if c not in table.columns and c not in OPTIONAL_PRACTICE_COLUMNS]
            if missing:
                raise CodingError(f"practices: missing column(s) {', '.join(missing)} – pass a "
                                  "table in the practices schema (see data/README.md)")
            files[folder / "practices.csv"] = _practices_bytes(table)
            made.extend(files)
            write_files_atomic(files)
    except BaseException:
        for path in reversed(made):  # only what this call made
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        if created:
            try:
                folder.rmdir()  # only if empty
            except OSError:
                pass
        raise
    return folder


def check_date(date: str) -> None:
    """Refuse a publication date that is not YYYY, YYYY-MM or YYYY-MM-DD on the calendar.

    Raises
    ------
    CodingError
        For any other form, non-ASCII digits, year 0000, month 13, 30 February and so on.
    """
    if not date:
        return
    ok = re.fullmatch(_DATE, date)
    if ok:
        year, month, day = (int(p) for p in (date.split("-") + ["1", "1"])[:3])
        try:
            datetime.date(year, month, day)
        except ValueError:
            ok = None
    if not ok:
        raise CodingError(f"date: {date[:40]!r} is not a calendar date – write YYYY, YYYY-MM or "
                          "YYYY-MM-DD in ASCII digits, e.g. 2024-05 or 2024-05-17")


def _refuse_nonempty(folder: Path) -> None:
    others = sorted(p.name for p in folder.iterdir() if p.name != ".npstudy.lock")
    held = "practices.csv" if "practices.csv" in others else others[0]
    raise CodingError(f"{folder}: already holds {held} – choose a new or empty folder")


def register_document(folder: str | os.PathLike, path: str | os.PathLike, doc_id: str,
                      year: int | None = None, description: str = "",
                      encoding: str | None = None, title: str = "", outlet: str = "",
                      date: str = "", province: str = "") -> str:
    """Add a new source document to a workspace (copy of its text + register rows).

    The text is stored as UTF-8 in ``raw/<doc_id>.txt`` (converted from GB18030
    if needed, so offsets stay character offsets), one row is added to
    ``documents.csv`` and one ``paragraph`` layout row per non-empty line to
    ``source_layout.csv``; the three files change together or not at all.

    Parameters
    ----------
    folder : path-like
        A workspace (see :func:`make_workspace`).
    path : path-like
        The text file to register.
    doc_id : str
        1-64 letters, digits, ``_``, ``-`` or ``.`` (:data:`npstudy.dataset.DOC_ID_PATTERN`).
    year : int, optional
        Publication year; taken from ``date`` when omitted.
    description, title, outlet : str, optional
        Free text (no control characters, at most 500 characters each). Title and
        outlet go to their own columns where ``documents.csv`` has them, otherwise
        into ``description``.
    date : str, optional
        ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.
    province : str, optional
        The document's own province (a name or ISO code), stored as its ISO code in the
        ``province`` column of ``documents.csv`` (added when missing); ``npstudy code`` then
        reads 我省, 全省 … in this text as that province.

    Returns
    -------
    str
        The ``doc_id``.
    """
    check_doc_id(doc_id)
    fields = {"title": title, "outlet": outlet, "description": description}
    for key, value in fields.items():
        bad = CONTROL_CHARS.search(value) or LINE_BREAKS.search(value)
        if bad:
            raise CodingError(f"{key}: {value[:60]!r} holds {bad.group()!r} (character "
                              f"{bad.start() + 1}) – write it on one line, without line breaks or "
                              "control characters")
        if len(value) > _MAX_FIELD:
            raise CodingError(f"{key}: {value[:60]!r}… has {len(value):,} characters – shorten it "
                              f"to at most {_MAX_FIELD}")
    check_date(date)
    if province:
        from .gazetteer import PROVINCE_HINT, load_gazetteer

        found = load_gazetteer().find(province.strip())
        if found is None:
            raise CodingError(f"--province {province!r} is not a province name or ISO code "
                              f"– {PROVINCE_HINT}")
        province = found
    if year is None:
        year = int(date[:4]) if date else 0
    folder = check_workspace(folder)
    text, _ = read_document(path, encoding, MAX_CODED_TEXT_BYTES)
    payload = text.encode("utf-8")
    with folder_lock(folder):
        remove_stale_temps(folder / "raw")
        docs = read_table(folder / "documents.csv")
        if doc_id in set(docs.get("doc_id", ())):
            raise CodingError(f"doc_id {doc_id!r} is already registered in "
                              f"{folder / 'documents.csv'} – choose another --doc-id")
        if not (folder / "raw").is_dir():
            raise CodingError(f"{folder / 'raw'}: missing – the workspace is incomplete; create a "
                              "new one with `npstudy init`")
        target = inside(folder, "raw", f"{doc_id}.txt")
        if os.path.lexists(target) and read_bytes(target) != payload:
            raise CodingError(f"{target}: exists but is not registered – move it away or choose "
                              "another --doc-id")
        lines = text.split("\n")
        described = description or "; ".join(filter(None, (
            title if "title" not in docs else "", outlet if "outlet" not in docs else "",
            date if "date" not in docs else ""))) or f"added from {Path(path).name}"
        row = {col: "" for col in docs.columns}
        row.update({"doc_id": doc_id, "path": f"raw/{doc_id}.txt",
                    "sha256": hashlib.sha256(payload).hexdigest(), "chars": str(len(text)),
                    "lines": str(len(lines)), "year": str(year), "language": "zh",
                    "description": described})
        row.update({k: v for k, v in (("title", title), ("outlet", outlet), ("date", date))
                    if k in docs})
        if province and "province" not in docs:
            docs["province"] = ""
        if "province" in docs:
            row["province"] = province
        docs = pd.concat([docs, pd.DataFrame([row])], ignore_index=True)
        layout = read_table(folder / "source_layout.csv")
        if "doc_id" in layout:  # rows left by a registration killed before documents.csv
            layout = layout[layout["doc_id"] != doc_id]
        rows, pos = [], 0
        for i, line in enumerate(lines):
            if line.strip():
                rows.append({"doc_id": doc_id, "line": i, "start": pos, "end": pos + len(line),
                             "role": "paragraph", "pillar": "", "theme": ""})
            pos += len(line) + 1
        layout = pd.concat([layout, pd.DataFrame(rows, columns=layout.columns)], ignore_index=True)
        tables = {folder / "source_layout.csv": _table_bytes(layout, folder / "source_layout.csv"),
                  folder / "documents.csv": _table_bytes(docs, folder / "documents.csv")}
        write_files_atomic({target: payload, **tables}, inputs=[path])
    return doc_id


def decide(suggestions: pd.DataFrame, accept=(), reject=(), summaries: dict | None = None,
           quotes: dict | None = None, **changes) -> pd.DataFrame:
    """Record review decisions on a copy of a suggestions table.

    Parameters
    ----------
    suggestions : pandas.DataFrame
    accept, reject : iterable of str
        Suggestion ids.
    summaries : dict, optional
        ``{id: English summary}`` for accepted rows (required before merging).
    quotes : dict, optional
        ``{id: shorter quote}``: narrow a row's evidence to a part of its clause
        (e.g. the words about one province); offsets and the first-mover flag
        are recomputed from the new quote.
    **changes
        ``column={id: value}`` edits, e.g. ``instrument_type={"S00003": "guideline"}``.

    Returns
    -------
    pandas.DataFrame
        A new table; the input is not modified.
    """
    out = suggestions.copy()
    ids = set(out["id"])
    for name, group in (("accept", accept), ("reject", reject)):
        unknown = sorted(set(group) - ids)
        if unknown:
            raise CodingError(f"{name}: unknown suggestion id(s) {', '.join(unknown)}")
    out.loc[out["id"].isin(list(accept)), "decision"] = "accept"
    out.loc[out["id"].isin(list(reject)), "decision"] = "reject"
    for ident, part in (quotes or {}).items():
        if ident not in ids:
            raise CodingError(f"quotes: unknown suggestion id {ident}")
        row = out.index[out["id"] == ident][0]
        where = str(out.at[row, "quote"]).find(part)
        if not part or where < 0:
            raise CodingError(f"quotes: {part!r} is not part of the quote of {ident}")
        start = int(out.at[row, "start"]) + where
        out.at[row, "quote"], out.at[row, "start"], out.at[row, "end"] = part, start, start + len(part)
        out.at[row, "first_mover"] = "true" if any(m in part for m in FIRST_MOVER_MARKERS) else "false"
    for col, edits in {"summary_en": summaries or {}, **changes}.items():
        for ident, value in edits.items():
            if ident not in ids:
                raise CodingError(f"{col}: unknown suggestion id {ident}")
            out.loc[out["id"] == ident, col] = value
    return out


def merge_reviewed(reviewed: str | os.PathLike | pd.DataFrame, folder: str | os.PathLike,
                   coder: str | None = None) -> pd.DataFrame:
    """Validate accepted suggestions and append them to a workspace's ``practices.csv``.

    Parameters
    ----------
    reviewed : path-like or pandas.DataFrame
        A suggestions table whose ``decision`` column says ``accept`` or
        ``reject`` for every row (a file may start with a BOM, as Excel saves it).
    folder : path-like
        A workspace (see :func:`make_workspace`); its ``practices.csv`` is
        replaced atomically and the previous version kept as ``practices.csv.bak``.
        The reviewed table, rejections included, is kept in ``folder/reviews/``
        (named by its content hash, so merging it again adds no copy), where
        :func:`npstudy.learn.train` finds it.
    coder : str, optional
        Who reviewed the rows: written into the ``coder`` column of every row
        added (1-64 characters, no line breaks or control characters). By
        default the rows keep the reviewed file's ``coder`` column.

    Returns
    -------
    pandas.DataFrame
        The merged practices table. ``attrs["added"]`` holds the number of rows
        added and ``attrs["skipped"]`` the reviewed file's row numbers of
        accepted rows that the workspace already held (same document, province,
        city, code and quote), which are skipped: merging is idempotent.

    Raises
    ------
    CodingError
        If any row is undecided, or an accepted row fails validation (every
        problem is listed, with the reviewed file's row numbers).
    """
    folder = check_workspace(folder)
    if coder is not None:
        coder = coder.strip()
        if not 1 <= len(coder) <= 64 or CONTROL_CHARS.search(coder) or any(
                ch in coder for ch in "\n\r\x85\u2028\u2029"):
            raise CodingError(f"--coder {coder!r}: a reviewer's name is 1-64 characters on one "
                              "line – give a name or initials, e.g. --coder \"Li Wei\"")
    is_frame = isinstance(reviewed, pd.DataFrame)
    name = "reviewed suggestions" if is_frame else str(reviewed)
    if is_frame:
        table = reviewed.astype(str).replace({"nan": "", "<NA>": "", "None": ""})
    else:
        table = read_table(reviewed)
    if "decision" not in table.columns:
        raise CodingError(f"{name}:1: no 'decision' column – mark each row accept or reject")
    decision = table["decision"].str.strip().str.lower()
    undecided = [str(i + 2) for i in np.flatnonzero(~decision.isin(["accept", "reject"]))]
    if undecided:
        raise CodingError(f"{name}: rows {', '.join(undecided[:20])} have no decision – set "
                          "'decision' to accept or reject")
    _refuse_unwritable_cells(table, name)
    with folder_lock(folder):
        problems = check_practices(table, Context.from_folder(folder), name=name)
        keep_rows = {i + 2 for i in np.flatnonzero(decision == "accept")}
        problems = [p for p in problems if p.row in keep_rows or p.row <= 1]
        if problems:
            shown = "; ".join(map(str, problems[:5]))
            more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
            raise CodingError(f"accepted suggestions do not validate: {shown}{more} – fix these "
                              "rows or mark them reject")
        old = read_bytes(folder / "practices.csv", MAX_TABLE_BYTES)
        base = parse_table(old.decode("utf-8-sig"), str(folder / "practices.csv"))
        missing = [c for c in PRACTICE_COLUMNS
                   if c not in base.columns and c not in OPTIONAL_PRACTICE_COLUMNS]
        if missing:
            raise CodingError(f"{folder / 'practices.csv'}:1: missing column(s) "
                              f"{', '.join(missing)} – run `npstudy validate {folder}`")
        cities = _city_names()
        present = set(_keys(base, cities))
        keys = _keys(table, cities)
        rows, skipped = [], []
        for i in np.flatnonzero(decision == "accept"):
            key = keys[i]
            if key in present:
                skipped.append(int(i) + 2)
            else:
                present.add(key)
                rows.append(i)
        numbers = base["id"].str.extract(r"^P([0-9]{1,9})$")[0].dropna().astype(int)
        first = (numbers.max() if len(numbers) else 0) + 1
        new = table.iloc[rows].reindex(columns=PRACTICE_COLUMNS, fill_value="")
        new["id"] = [f"P{first + i:03d}" for i in range(len(new))]
        if coder is not None:
            new["coder"] = coder
        # keep the workspace's own extra columns (statement, scope, ...); new rows leave them empty
        merged = pd.concat([base, new], ignore_index=True).fillna("")
        _refuse_unit_clashes(merged, len(base), rows, name, folder)
        review = _table_bytes(table, Path(name), cells_checked=True)
        stem = "reviewed" if is_frame else re.sub(r"[^A-Za-z0-9_.-]", "_", Path(reviewed).stem)[:60]
        reviews = safe_subfolder(folder, "reviews", create=False)
        kept = reviews / f"{stem}-{hashlib.sha256(review).hexdigest()[:12]}.csv"
        writes = {} if kept.exists() else {kept: review}
        if len(new):
            # everything that could refuse the result is checked before the first write
            payload = _practices_bytes(merged, folder / "practices.csv")
            writes.update({folder / "practices.csv.bak": old, folder / "practices.csv": payload})
        if writes:
            write_files_atomic(writes, inputs=[] if is_frame else [reviewed], folders=[reviews])
    result = load_practices(folder / "practices.csv")
    result.attrs.update(added=len(new), skipped=skipped)
    return result


def _city_names() -> dict:
    """``{(province, full or short name): full name}`` of the prefecture-level cities."""
    cities = load_cities()
    out = {}
    for prov, full, short in zip(cities["province"], cities["name_zh"], cities["short_zh"]):
        out[(prov, full)] = full
        if short:
            out.setdefault((prov, short), full)
    return out


def _number(value: str) -> str:
    """A whole number written without leading zeros (``017`` is ``17``); anything else as is."""
    return str(int(value)) if re.fullmatch(r"[0-9]{1,15}", value) else value


def _keys(table: pd.DataFrame, cities: dict | None = None) -> list[tuple]:
    """:func:`npstudy.dataset.practice_key` of every row, column by column (fast), normalised
    so that the same coding written two ways is one key: offsets as numbers (``017`` is
    ``17``), cities by their full names (深圳 is 深圳市) in sorted order."""
    cities = cities or {}
    columns = []
    provinces = table["province"].astype(str).str.strip().tolist()
    for c in PRACTICE_KEY:
        values = table[c].astype(str).str.strip().tolist()
        if c in ("start", "end"):
            values = [_number(v) for v in values]
        elif c == "city":
            values = [";".join(sorted(cities.get((p, x.strip()), x.strip())
                                      for x in v.split(";") if x.strip()))
                      for p, v in zip(provinces, values)]
        columns.append(values)
    return list(zip(*columns))


_UNWRITABLE = re.compile(f"{CONTROL_CHARS.pattern}|{LINE_BREAKS.pattern}")


def _refuse_unit_clashes(merged: pd.DataFrame, n_base: int, rows: list, name: str,
                         folder: Path) -> None:
    """Refuse accepted rows whose statement ids clash with the workspace's own rows.

    Each accepted row is valid on its own (see :func:`check_practices`); a statement id is a
    unit across the table (rules R1, R1a), so it is checked on the merged table. Problems on
    the new rows (those after the first ``n_base``) are named by the reviewed file's row.
    """
    problems = [p for p in _check_units(merged, str(folder / "practices.csv"))
                if p.row >= n_base + 2]
    if problems:
        p = problems[0]
        row = int(rows[p.row - n_base - 2]) + 2
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise CodingError(f"{name}:{row}: {p.column}: {p.value!r} – {p.message}, once merged into "
                          f"{folder / 'practices.csv'}{more} – {p.suggestion}, or clear the "
                          f"{p.column} cell (nothing was changed)")


def _refuse_unwritable_cells(table: pd.DataFrame, name: str) -> None:
    """Refuse a table with a cell that would not come back as one cell from a CSV file."""
    for col in table.columns:
        values = table[col].astype(str)
        if not _UNWRITABLE.search("".join(values.tolist())):  # one search per column: fast
            continue
        bad = values.str.contains(_UNWRITABLE, regex=True)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            value = values.iloc[i]
            char = _UNWRITABLE.search(value).group()
            kind = "a line break" if LINE_BREAKS.match(char) else "a control character"
            raise CodingError(f"{name}:{i + 2}: column {col!r}: {value[:60]!r} holds {kind} "
                              f"({char!r}) – a cell must be one line of plain text; remove it "
                              "(nothing was changed)")


def _csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _table_bytes(table: pd.DataFrame, path: Path, cells_checked: bool = False) -> bytes:
    """The CSV bytes of a table, refused unless npstudy can read them back as they are."""
    if not cells_checked:
        _refuse_unwritable_cells(table, str(path))
    if len(table) > MAX_TABLE_ROWS:
        raise CodingError(f"{path}: would hold {len(table):,} rows, more than the "
                          f"{MAX_TABLE_ROWS:,} rows npstudy reads from a table – nothing was "
                          "changed; start another workspace (`npstudy init DIR`) for the rest")
    payload = _csv_bytes(table)
    if len(payload) > MAX_TABLE_BYTES:
        raise CodingError(f"{path}: would take {len(payload):,} bytes, more than the "
                          f"{MAX_TABLE_BYTES:,} bytes npstudy reads from a table – nothing was "
                          "changed; start another workspace (`npstudy init DIR`) for the rest")
    return payload


def _practices_bytes(table: pd.DataFrame, path: Path = Path("practices.csv")) -> bytes:
    # the schema's columns plus any the table has beyond them (statement, scope), in its order
    out = table[[c for c in table.columns if c in PRACTICE_COLUMNS or not c.startswith("_")]].copy()
    if out["first_mover"].dtype == bool:
        out["first_mover"] = out["first_mover"].map({True: "true", False: "false"})
    for col in ("start", "end", "paragraph"):  # what load_practices will require
        bad = ~out[col].astype(str).str.fullmatch(WHOLE_NUMBER)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise CodingError(f"{path}:{i + 2}: {col}: {str(out[col].iloc[i])[:40]!r} – not a "
                              f"whole number; nothing was changed – run `npstudy validate "
                              f"{path.parent}` and fix the workspace first")
    flags = out["first_mover"].astype(str).str.strip().str.lower()
    bad = ~flags.isin(["true", "false"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise CodingError(f"{path}:{i + 2}: first_mover: {str(out['first_mover'].iloc[i])[:40]!r} "
                          f"– must be true or false; nothing was changed – run `npstudy validate "
                          f"{path.parent}` and fix the workspace first")
    return _table_bytes(out, path)
