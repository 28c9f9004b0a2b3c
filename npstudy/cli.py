"""The ``npstudy`` command line: thin wrappers around the package's functions."""

from __future__ import annotations

import argparse
import sys

from . import __version__

__all__ = ["main"]


def _cmd_validate(args) -> int:
    from .dataset import DataError
    from .validate import validate

    try:
        problems = validate(args.path)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for problem in problems:
        print(problem)
    where = args.path or "the shipped dataset"
    if problems:
        print(f"{len(problems)} problem(s) found in {where}", file=sys.stderr)
        return 1
    print(f"OK: {where} passed every check")
    return 0


def _cmd_build(args) -> int:
    from .build import BuildError, build

    langs = ("en", "zh") if args.lang == "all" else (args.lang,)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    try:
        build(args.out, langs=langs, formats=formats)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="npstudy",
        description="Provincial practice in cultivating new quality productive forces: "
                    "validate the coded dataset and reproduce the analysis.")
    parser.add_argument("--version", action="version", version=f"npstudy {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("validate", help="check the dataset, or a copy of its tables",
                       description="Check every quote, offset, id and code; report all problems "
                                   "as file:row: column: value – problem – suggestion. "
                                   "Exit 0 when clean, 1 otherwise. Files are never modified.")
    p.add_argument("path", nargs="?", default=None,
                   help="a folder holding practices.csv (and optionally aggregates.csv), "
                        "or one practices CSV; default: the shipped dataset")
    p.set_defaults(func=_cmd_validate)
    b = sub.add_parser("build", help="compute every table and draw every figure",
                       description="Validate the data, write every table (CSV) to OUT/tables and "
                                   "every figure to OUT. Two runs give identical bytes.")
    b.add_argument("--out", default=None,
                   help="output folder (default: the repository's figures/)")
    b.add_argument("--lang", choices=("en", "zh", "all"), default="all",
                   help="language of the figures (default: all)")
    b.add_argument("--format", default="png", metavar="FORMATS",
                   help="comma-separated figure formats from png, svg, pdf (default: png)")
    b.set_defaults(func=_cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return args.func(args)
