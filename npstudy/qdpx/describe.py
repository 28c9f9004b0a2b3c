"""The text a selection's description carries: which codes pair into rows, and row fields.

A practice row is a province, a framework code, an instrument and an instrument
type on one span of text, plus a few free-text columns. REFI-QDA can say which
codes a span carries but not how they pair, and tools such as QualCoder keep each
code on a span once per coder, so npstudy writes the pairing into the selection's
description, one block of ``column: value`` lines per row, blocks separated by an
empty line::

    province: CN-SH
    code: basic_research.new_institutions.special_zone
    instrument: environment
    instrument_type: pilot_zone
    summary_en: Shanghai designates basic-research special zones.

Values are written on one line: a backslash, line feed and carriage return inside
a value are written ``\\\\``, ``\\n`` and ``\\r``. Lines that are not ``column: value``
lines of a known column are free text, taken as the English summary.
"""

from __future__ import annotations

import re

from ..dataset import PRACTICE_COLUMNS

__all__ = ["PAIRING", "DESCRIBED", "describe", "parse_description"]

#: The columns that say which codes of a span belong to one row.
PAIRING = ("province", "code", "instrument", "instrument_type")
# Columns derived on import, never read from a description.
_DERIVED = ("id", "doc_id", "province", "pillar", "theme", "code", "instrument",
            "instrument_type", "quote", "start", "end", "paragraph", "first_mover", "coder")
#: Columns written into a description besides the pairing.
DESCRIBED = tuple(c for c in PRACTICE_COLUMNS if c not in _DERIVED)
_LINE = re.compile(r"^([a-z_]+): ?(.*)$")
_ESCAPED = re.compile(r"\\(\\|n|r)")
_UNESCAPE = {"\\": "\\", "n": "\n", "r": "\r"}


def escape(value: str) -> str:
    """A value on one line (see the module docstring)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def unescape(value: str) -> str:
    return _ESCAPED.sub(lambda m: _UNESCAPE[m.group(1)], value)


def describe(rows: list[dict]) -> str:
    """One block per row: its pairing, then its non-empty described columns.

    Examples
    --------
    >>> print(describe([{"province": "CN-SH", "code": "c", "instrument": "supply",
    ...                  "instrument_type": "platform", "note": "two\\nlines"}]))
    province: CN-SH
    code: c
    instrument: supply
    instrument_type: platform
    note: two\\nlines
    """
    blocks = []
    for row in rows:
        lines = [f"{col}: {escape(str(row[col]))}" for col in PAIRING]
        lines += [f"{col}: {escape(str(row[col]))}" for col in DESCRIBED
                  if str(row.get(col, "") or "")]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def parse_description(text: str) -> tuple[list[dict], str]:
    """The ``column: value`` blocks of a description, and its free text.

    Returns
    -------
    blocks : list of dict
        One dict per block that has at least one known column, values unescaped.
    free : str
        The other non-empty lines, joined by spaces.

    Examples
    --------
    >>> parse_description("summary_en: A\\n\\nprovince: CN-SH\\ncode: c\\nSee p. 2")
    ([{'summary_en': 'A'}, {'province': 'CN-SH', 'code': 'c'}], 'See p. 2')
    """
    known = set(PAIRING) | set(DESCRIBED)
    blocks, free = [], []
    for paragraph in re.split(r"\n[ \t]*\n", text or ""):
        fields = {}
        for line in paragraph.split("\n"):
            match = _LINE.match(line)
            if match and match.group(1) in known and match.group(1) not in fields:
                fields[match.group(1)] = unescape(match.group(2))
            elif line.strip():
                free.append(line.strip())
        if fields:
            blocks.append(fields)
    return blocks, " ".join(free)
