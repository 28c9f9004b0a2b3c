"""Workspaces: a copy of the dataset that a researcher extends with new documents and coding.

A workspace is a folder holding the dataset's tables (``practices.csv``,
``aggregates.csv``, ``documents.csv``, ``source_layout.csv``) and the source
texts in ``raw/``. :func:`make_workspace` creates one, :func:`register_document`
adds a text, :func:`decide` records review decisions on coder suggestions and
:func:`merge_reviewed` validates the accepted rows and appends them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import (FIRST_MOVER_MARKERS, PRACTICE_COLUMNS, data_dir, load_documents,
                      load_practices)
from .fileio import CodingError, read_table, write_atomic
from .text import read_document
from .validation import Context, check_practices

__all__ = ["make_workspace", "register_document", "decide", "merge_reviewed"]


def make_workspace(folder: str | os.PathLike, practices: pd.DataFrame | None = None) -> Path:
    """Create a folder holding a copy of the dataset's tables, for extending the coding.

    Parameters
    ----------
    folder : path-like
        Created if needed; must not already hold a ``practices.csv``.
    practices : pandas.DataFrame, optional
        Start from this table instead of the shipped practices (e.g. a subset).

    Returns
    -------
    pathlib.Path
        The folder, with ``practices.csv``, ``aggregates.csv``, ``documents.csv``,
        ``source_layout.csv`` and ``raw/`` copied from the shipped data.
    """
    folder = Path(folder)
    if (folder / "practices.csv").exists():
        raise CodingError(f"{folder} already holds practices.csv; choose an empty folder")
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    src = data_dir()
    for name in ("aggregates.csv", "documents.csv", "source_layout.csv"):
        shutil.copyfile(src / name, folder / name)
    for f in (src / "raw").iterdir():
        shutil.copyfile(f, folder / "raw" / f.name)
    table = load_practices() if practices is None else practices
    _write_practices(folder / "practices.csv", table)
    return folder


def register_document(folder: str | os.PathLike, path: str | os.PathLike, doc_id: str,
                      year: int = 0, description: str = "", encoding: str | None = None) -> str:
    """Add a new source document to a workspace (copy of its text + register rows).

    The text is stored as UTF-8 in ``raw/<doc_id>.txt`` (converted from GB18030
    if needed, so offsets stay character offsets), and one ``paragraph`` layout
    row is added per non-empty line.

    Returns
    -------
    str
        The ``doc_id``.
    """
    folder = Path(folder)
    docs = load_documents(folder / "documents.csv")
    if doc_id in set(docs["doc_id"]):
        raise CodingError(f"doc_id {doc_id!r} is already registered in {folder / 'documents.csv'}")
    text, _ = read_document(path, encoding)
    payload = text.encode("utf-8")
    target = folder / "raw" / f"{doc_id}.txt"
    write_atomic(target, payload)
    lines = text.split("\n")
    docs = pd.concat([read_table(folder / "documents.csv"), pd.DataFrame([{
        "doc_id": doc_id, "path": f"raw/{doc_id}.txt",
        "sha256": hashlib.sha256(payload).hexdigest(), "chars": len(text), "lines": len(lines),
        "year": year, "language": "zh", "description": description or f"added from {Path(path).name}",
    }])], ignore_index=True)
    write_atomic(folder / "documents.csv", docs.to_csv(index=False, lineterminator="\n").encode())
    layout = read_table(folder / "source_layout.csv")
    rows, pos = [], 0
    for i, line in enumerate(lines):
        if line.strip():
            rows.append({"doc_id": doc_id, "line": i, "start": pos, "end": pos + len(line),
                         "role": "paragraph", "pillar": "", "theme": ""})
        pos += len(line) + 1
    layout = pd.concat([layout, pd.DataFrame(rows)], ignore_index=True)
    write_atomic(folder / "source_layout.csv", layout.to_csv(index=False, lineterminator="\n").encode())
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


def merge_reviewed(reviewed: str | os.PathLike | pd.DataFrame, folder: str | os.PathLike) -> pd.DataFrame:
    """Validate accepted suggestions and append them to a workspace's ``practices.csv``.

    Parameters
    ----------
    reviewed : path-like or pandas.DataFrame
        A suggestions table whose ``decision`` column says ``accept`` or
        ``reject`` for every row.
    folder : path-like
        A workspace (see :func:`make_workspace`); its ``practices.csv`` is
        replaced atomically and the previous version kept as ``practices.csv.bak``.

    Returns
    -------
    pandas.DataFrame
        The merged practices table.

    Raises
    ------
    CodingError
        If any row is undecided, or an accepted row fails validation (every
        problem is listed, with the reviewed file's row numbers).
    """
    folder = Path(folder)
    name = str(reviewed) if not isinstance(reviewed, pd.DataFrame) else "reviewed suggestions"
    table = read_table(reviewed) if not isinstance(reviewed, pd.DataFrame) else \
        reviewed.astype(str).replace({"nan": "", "<NA>": ""})
    if "decision" not in table.columns:
        raise CodingError(f"{name}: no 'decision' column – mark each row accept or reject")
    decision = table["decision"].str.strip().str.lower()
    undecided = [str(i + 2) for i in np.flatnonzero(~decision.isin(["accept", "reject"]))]
    if undecided:
        raise CodingError(f"{name}: rows {', '.join(undecided[:20])} have no decision – set "
                          "'decision' to accept or reject")
    accepted = table[decision == "accept"]
    problems = check_practices(table, Context.from_folder(folder), name=name)
    keep_rows = {i + 2 for i in np.flatnonzero(decision == "accept")}
    problems = [p for p in problems if p.row in keep_rows or p.row <= 1]
    if problems:
        lines = "\n".join(map(str, problems))
        raise CodingError(f"accepted suggestions do not validate:\n{lines}")
    base = read_table(folder / "practices.csv")
    numbers = base["id"].str.extract(r"^P(\d+)$")[0].dropna().astype(int)
    first = (numbers.max() if len(numbers) else 0) + 1
    new = accepted[PRACTICE_COLUMNS].copy()
    new["id"] = [f"P{first + i:03d}" for i in range(len(new))]
    merged = pd.concat([base[PRACTICE_COLUMNS], new], ignore_index=True)
    shutil.copyfile(folder / "practices.csv", folder / "practices.csv.bak")
    _write_practices(folder / "practices.csv", merged)
    return load_practices(folder / "practices.csv")


def _write_practices(path: Path, table: pd.DataFrame) -> None:
    out = table[PRACTICE_COLUMNS].copy()
    if out["first_mover"].dtype == bool:
        out["first_mover"] = out["first_mover"].map({True: "true", False: "false"})
    write_atomic(path, out.to_csv(index=False, lineterminator="\n").encode("utf-8"))
