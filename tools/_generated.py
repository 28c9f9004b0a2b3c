"""Write a generated file, or with ``--check`` only report whether it is out of date."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(target: Path, text: str, argv, script: str) -> int:
    """Write ``text`` to ``target``; with ``--check`` in ``argv``, exit 1 if they differ."""
    if "--check" in argv:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} is out of date: run python {script}", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0
