"""Reading and writing files: the bottom layer every other module builds on.

This module knows nothing of the dataset's schema. It decodes text, reads CSV
tables as strings, writes files atomically, and defines the errors that carry
an actionable message to the user. It imports nothing from the rest of the
package.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd

__all__ = ["NpstudyError", "DataError", "CodingError", "decode_utf8", "read_text", "read_table",
           "write_atomic"]


class NpstudyError(ValueError):
    """A user error: the message names the file, row, column or value and what to do."""


class DataError(NpstudyError):
    """A data file cannot be read as the dataset's schema requires.

    The message names the file and, where it can, the row and column, and says
    what to do. ``npstudy validate`` reports every such problem at once.
    """


class CodingError(NpstudyError):
    """A document cannot be coded, registered or merged as given; the message says what to do."""


def decode_utf8(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (BOM optional) or raise an actionable :class:`DataError`."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        hint = "re-save it as UTF-8"
        try:
            raw.decode("gb18030")
            hint = ("it looks GBK/GB18030-encoded; convert it with "
                    f"`iconv -f GB18030 -t UTF-8 {name} > fixed.csv` or re-save it as UTF-8")
        except UnicodeDecodeError:
            pass
        raise DataError(f"{name}:{line}: file is not valid UTF-8 (byte {err.start}) – {hint}") from None


def read_text(path: str | os.PathLike) -> str:
    """Read a UTF-8 text file, with or without a byte-order mark.

    Parameters
    ----------
    path : path-like
        The file to read.

    Returns
    -------
    str
        The decoded text, without the BOM. Line endings are kept as they are, so
        character offsets computed on the result point into the file's text.

    Raises
    ------
    DataError
        If the file is not valid UTF-8. The message says whether it looks like
        GBK/GB18030 and how to convert it.
    """
    raw = Path(path).read_bytes()
    return decode_utf8(raw, str(path))


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV file as text columns, exactly as written.

    Every cell is a string (empty cells are ``""``), so that validation can
    report the value the user typed. Use the ``load_*`` functions for typed tables.

    Parameters
    ----------
    path : path-like
        A UTF-8 CSV file (a BOM is allowed).

    Returns
    -------
    pandas.DataFrame
    """
    text = read_text(path)
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                           quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise DataError(f"{path}: not a readable CSV table ({err})") from None


def write_atomic(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` via a temporary file and an atomic rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
