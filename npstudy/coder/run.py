"""Code files as ``npstudy code FILE…`` does: document ids, caps and row numbers.

:func:`code_files` is what the command runs, for Python users too: it checks every file
before the coder loads (ids, duplicates, size), codes each with the document's province,
and returns one result whose suggestions are numbered ``S00001`` … across the files and fit
what ``npstudy merge`` reads back (:data:`npstudy.fileio.MAX_TABLE_ROWS` rows,
:data:`npstudy.fileio.MAX_TABLE_BYTES` bytes). :func:`suggestions_csv` gives the bytes the
command writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .. import fileio
from ..dataset import check_doc_id
from ..fileio import CodingError, DataError
from ..text import read_document
from .core import Coder, CodingResult, code_text, default_coder

__all__ = ["document_ids", "check_files", "code_files", "number_suggestions", "suggestions_csv",
           "csv_bytes", "code_file", "unmatched_sentences"]


def document_ids(paths: list, doc_id: str | None = None) -> list[str]:
    """The document id of each file: ``doc_id`` for a single file, else the file name stem.

    Raises
    ------
    CodingError
        For an invalid id, ``doc_id`` with several files, a file given twice, or two files
        with one id.

    Examples
    --------
    >>> document_ids(["a/report-1.txt", "b/news.txt"])
    ['report-1', 'news']
    """
    if doc_id is not None and len(paths) > 1:
        raise CodingError("--doc-id names one document; pass one FILE or omit it")
    ids = []
    for path in paths:
        if doc_id is not None:
            ids.append(check_doc_id(doc_id, "--doc-id"))
            continue
        try:
            ids.append(check_doc_id(Path(path).stem, f"{path}: document id from the file name"))
        except DataError as err:
            raise CodingError(f"{err}; or pass --doc-id ID") from None
    seen: dict = {}
    for i, path in enumerate(paths):
        try:
            key = os.path.realpath(path)
        except (OSError, ValueError):
            key = path  # reading it reports the problem
        if key in seen:
            raise CodingError(f"{path}: given twice (also as FILE {seen[key] + 1}) – pass each "
                              "file once")
        seen[key] = i
    first: dict = {}
    for path, name in zip(paths, ids):
        if name in first:
            raise CodingError(f"{first[name]} and {path}: both get the document id {name!r} "
                              "from their file names – rename one, or code each alone with "
                              "--doc-id ID")
        first[name] = path
    return ids


def check_files(paths: list, encoding: str | None = None) -> None:
    """Refuse a file over :data:`npstudy.fileio.MAX_CODED_TEXT_BYTES`, or one that cannot be
    read as text, before any coding starts."""
    from ..text import read_document

    limit = fileio.MAX_CODED_TEXT_BYTES
    for path in paths:  # the coder's time grows with the text
        try:
            size = os.stat(path).st_size if os.path.isfile(path) else 0
        except (OSError, ValueError):
            size = 0  # reading it reports the problem
        if size > limit:
            raise CodingError(f"{path}: file is {size:,} bytes, more than the {limit:,}-byte "
                              "limit of `npstudy code` – split it into smaller files at "
                              "paragraph ends and code them one at a time, or code the folder "
                              "with `npstudy code DIR --out OUTDIR`")
        read_document(path, encoding, limit)


def number_suggestions(frames: list[pd.DataFrame], names: str = "the texts") -> pd.DataFrame:
    """The suggestions of several documents as one table, numbered ``S00001`` … in order.

    Raises
    ------
    CodingError
        When the table holds more rows than ``npstudy merge`` reads.

    Examples
    --------
    >>> a = pd.DataFrame({"id": ["S00001"], "doc_id": ["a"]})
    >>> b = pd.DataFrame({"id": ["S00001"], "doc_id": ["b"]})
    >>> number_suggestions([a, b])["id"].tolist()
    ['S00001', 'S00002']
    """
    suggestions = pd.concat(frames, ignore_index=True)
    if len(suggestions) > fileio.MAX_TABLE_ROWS:  # merge could not read them back
        raise CodingError(f"{names}: {len(suggestions):,} suggestions, more than the "
                          f"{fileio.MAX_TABLE_ROWS:,} rows `npstudy merge` reads – split the text "
                          "into smaller files and code them one at a time")
    suggestions["id"] = [f"S{i + 1:05d}" for i in range(len(suggestions))]
    return suggestions


def csv_bytes(table: pd.DataFrame, bom: bool = False) -> bytes:
    """A table as CSV bytes, UTF-8 with a byte-order mark when ``bom`` (for Excel)."""
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8-sig" if bom else "utf-8")


def suggestions_csv(suggestions: pd.DataFrame, names: str = "the texts") -> bytes:
    """The suggestions as the CSV bytes ``npstudy code`` writes (UTF-8 with a BOM).

    Raises
    ------
    CodingError
        When they would take more than the bytes ``npstudy merge`` reads (each row quotes
        its sentence, so a text without sentence ends makes a huge table).
    """
    quoted = int(suggestions["quote"].str.len().sum()) if len(suggestions) else 0
    table = None if quoted > fileio.MAX_TABLE_BYTES else csv_bytes(suggestions, bom=True)
    if table is None or len(table) > fileio.MAX_TABLE_BYTES:
        longest = int(suggestions["quote"].str.len().max())
        raise CodingError(f"{names}: the suggestions would take more than the "
                          f"{fileio.MAX_TABLE_BYTES:,} bytes `npstudy merge` reads, as each quotes "
                          f"its sentence (the longest has {longest:,} characters) – end sentences "
                          "with 。 or line breaks, or split the text, and code the parts one at a "
                          "time")
    return table


def code_files(paths: list, doc_id: str | None = None, encoding: str | None = None,
               province: str | None = None, model=None, coder=None) -> CodingResult:
    """Code files as ``npstudy code FILE…`` does, and return one numbered result.

    Parameters
    ----------
    paths : list of path-like
        UTF-8 or GB18030 texts of at most :data:`npstudy.fileio.MAX_CODED_TEXT_BYTES` each.
    doc_id : str, optional
        The id of a single file (default: each file's name without extension).
    encoding : {None, "utf-8", "gb18030"}
    province : str, optional
        Every document's own province (see :meth:`npstudy.coder.Coder.code`). Without it,
        each document's is the one recorded in its workspace, else the one its title line
        names, else the coder reads it from the text
        (:func:`npstudy.coder.province.document_province`).
    model : optional
        A classifier from :func:`npstudy.learn.load_model`, or the workspace or file to load
        it from (after the files are checked), applied to the suggestions.
    coder : Coder, optional
        Default: the shipped coder, built once.

    Returns
    -------
    CodingResult
        Suggestions numbered ``S00001`` … across the files, aggregates and unmatched
        sentences of all files, and warnings prefixed with their file.
    """
    from ..text import read_document
    from .province import document_province, recorded_province

    if isinstance(paths, (str, os.PathLike)) or not len(paths):
        raise CodingError(f"paths: {paths!r} – pass a list of one or more text files")
    ids = document_ids(paths, doc_id)
    check_files(paths, encoding)
    coder = coder if coder is not None else default_coder()
    if model is not None:
        from ..learn import apply_model, load_model

        if isinstance(model, (str, os.PathLike)):
            model = load_model(model)
    frames, counted, dropped, notes = [], [], [], []
    for path, name in zip(paths, ids):
        text, used = read_document(path, encoding, fileio.MAX_CODED_TEXT_BYTES)
        own, _ = document_province(text, coder, province, recorded_province(path, name))
        result = coder.code(text, name, province=own)
        if used != "utf-8":
            result.warnings.insert(0, f"read as {used}; offsets count characters of the decoded text")
        if model is not None:
            result.suggestions = apply_model(result.suggestions, model)
        notes += [f"{path}: {w}" for w in result.warnings]
        frames.append(result.suggestions)
        counted.append(result.aggregates)
        dropped.append(result.unmatched)
    names = ", ".join(map(str, paths))[:200]
    return CodingResult(number_suggestions(frames, names), pd.concat(counted, ignore_index=True),
                        notes, pd.concat(dropped, ignore_index=True))


def unmatched_sentences(coder: Coder, text: str, doc_id: str = "doc",
                        province: str | None = None) -> pd.DataFrame:
    """Sentences that name a province or city but gave no suggestion, for a reviewer to read.

    The same table as ``coder.code(text, doc_id, province).unmatched``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`UNMATCHED_COLUMNS`: ``provinces`` (ISO codes in order of
        first mention, ``;``-separated), the sentence as ``quote`` with its
        ``start``/``end`` offsets (``text[start:end] == quote``), ``paragraph``
        (0-based line) and ``reason`` (no keyword of the lexicon; province named only
        as location or partner; national statement).

    Examples
    --------
    >>> coder = Coder()
    >>> text = "上海举办论坛。浙江建设概念验证中心。华为在贵州设厂。"
    >>> unmatched_sentences(coder, text)[["provinces", "quote", "reason"]].values.tolist()
    [['CN-SH', '上海举办论坛', 'no keyword of the lexicon'], ['CN-GZ', '华为在贵州设厂', 'province named only as location']]
    """
    return coder.code(text, doc_id, province=province).unmatched


def code_file(path: str | os.PathLike, doc_id: str | None = None, encoding: str | None = None,
              coder: Coder | None = None, province: str | None = None) -> CodingResult:
    """Read a file with :func:`read_document` and code it; ``doc_id`` defaults to the file stem.

    An explicit ``doc_id`` must match :data:`npstudy.dataset.DOC_ID_PATTERN`; ``province`` is
    the document's own province (see :meth:`Coder.code`).
    """
    if doc_id is not None:
        check_doc_id(doc_id)
    text, used = read_document(path, encoding)
    result = code_text(text, doc_id or Path(path).stem, coder, province=province)
    if used != "utf-8":
        result.warnings.insert(0, f"read as {used}; offsets count characters of the decoded text")
    return result
