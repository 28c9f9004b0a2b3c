"""Show the exact version of every locked package that is installed, beside its pin.

``requirements-lock.txt`` pins every package (and every dependency of one) that the
``test`` and ``notebooks`` extras install, as ``pip-compile`` resolved them. This script
prints ``name  locked  installed`` for each pin, so that a CI log records exactly what
was tested. With ``--strict`` it exits 1 when an installed version differs from its
pin (a package of the lock that is not installed is only listed).

Usage::

    python tools/check_lock.py [--strict] [requirements-lock.txt]

Regenerate the lock after changing dependencies in pyproject.toml::

    pip install -e ".[dev]"
    pip-compile --extra test --extra notebooks --extra docs --extra lint --no-emit-index-url --no-emit-find-links \\
        --strip-extras --output-file requirements-lock.txt pyproject.toml
"""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, str]:
    """Return ``{normalised name: version}`` for every ``name==version`` line."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def main(argv=None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    strict = "--strict" in args
    args = [a for a in args if a != "--strict"]
    lock = Path(args[0]) if args else ROOT / "requirements-lock.txt"
    pins = read_lock(lock)
    installed = {normalise(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differ, missing = [], []
    width = max(map(len, pins)) if pins else 10
    print(f"{'package':<{width}}  {'locked':<12}  installed")
    for name, version in sorted(pins.items()):
        have = installed.get(name)
        mark = "" if have == version else ("  (not installed)" if have is None else "  (differs)")
        print(f"{name:<{width}}  {version:<12}  {have or '-'}{mark}")
        (missing if have is None else differ if have != version else []).append(name)
    print(f"{len(pins) - len(differ) - len(missing)} of {len(pins)} locked packages installed at "
          f"their pinned version; {len(differ)} differ; {len(missing)} not installed")
    return 1 if strict and differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
