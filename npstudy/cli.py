"""The ``npstudy`` command line: thin wrappers around the package's functions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__

__all__ = ["main"]


def _cmd_validate(args) -> int:
    from .dataset import DataError
    from .validation import validate

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


def _cmd_code(args) -> int:
    from .coder import Coder, code_file
    from .fileio import CodingError, write_atomic

    if args.doc_id and len(args.files) > 1:
        print("error: --doc-id names one document; pass one FILE or omit it", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else None
    agg_out = out.with_name(out.stem + "_aggregates.csv") if out else None
    for target in filter(None, (out, agg_out)):
        if target.exists() and not args.force:
            print(f"error: {target} exists; choose another --out or pass --force to replace it",
                  file=sys.stderr)
            return 1
    coder = Coder()
    frames, aggregates = [], []
    try:
        for path in args.files:
            result = code_file(path, args.doc_id, args.encoding, coder)
            for w in result.warnings:
                print(f"warning: {path}: {w}", file=sys.stderr)
            frames.append(result.suggestions)
            aggregates.append(result.aggregates)
    except CodingError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    import pandas as pd

    suggestions = pd.concat(frames, ignore_index=True)
    suggestions["id"] = [f"S{i + 1:05d}" for i in range(len(suggestions))]
    counted = pd.concat(aggregates, ignore_index=True)
    text = suggestions.to_csv(index=False, lineterminator="\n")
    if out is None:
        sys.stdout.write(text)
    else:
        try:
            write_atomic(out, text.encode("utf-8"))
            write_atomic(agg_out, counted.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        except OSError as err:
            print(f"error: cannot write {out}: {err.strerror}", file=sys.stderr)
            return 1
    provinces = suggestions["province"].nunique()
    print(f"{len(suggestions)} suggestion(s) for {provinces} province(s); "
          f"{len(counted)} counted-but-unnamed statement(s)"
          + (f"; wrote {out} and {agg_out}" if out else ""), file=sys.stderr)
    return 0


def _cmd_agree(args) -> int:
    from .dataset import DataError, load_practices
    from .reliability import agreement

    try:
        a, b = load_practices(args.a), load_practices(args.b)
        result = agreement(a, b, level=args.level)
    except (DataError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    import pandas as pd

    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.precision", 3):
        print(f"unit of analysis: (document, sentence, province) coded by at least one coder; "
              f"{len(result.units)} units × {args.level}")
        print(result.table)
        print(f"{len(result.disagreements)} disagreement(s)")
        if args.show:
            print(result.disagreements.to_string(index=False))
    if args.out:
        from .fileio import write_atomic

        write_atomic(Path(args.out), result.disagreements.to_csv(
            index=False, lineterminator="\n").encode("utf-8"))
    return 0


def _cmd_merge(args) -> int:
    from .fileio import CodingError, DataError
    from .workspace import merge_reviewed

    try:
        merged = merge_reviewed(args.reviewed, args.into)
    except (CodingError, DataError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"merged: {args.into}/practices.csv now holds {len(merged)} rows "
          f"(previous version kept as practices.csv.bak)")
    return 0


def _cmd_cite(args) -> int:
    from .citation import citations

    sys.stdout.write(citations())
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
    c = sub.add_parser("code", help="suggest codings for new Chinese text",
                       description="Find provinces and codebook keywords in each clause and write "
                                   "suggestions in the practices schema, with evidence, offsets, "
                                   "matched keywords and confidence, for a person to review.")
    c.add_argument("files", nargs="+", metavar="FILE", help="UTF-8 (BOM allowed) or GB18030 text")
    c.add_argument("--out", help="suggestions CSV (default: standard output); counted-but-unnamed "
                                 "statements go to <out>_aggregates.csv")
    c.add_argument("--doc-id", help="document id (default: the file name without extension)")
    c.add_argument("--encoding", choices=("utf-8", "gb18030"), default=None,
                   help="force an encoding (default: UTF-8, GB18030 detected)")
    c.add_argument("--force", action="store_true", help="replace existing output files")
    c.set_defaults(func=_cmd_code)
    a = sub.add_parser("agree", help="agreement between two codings",
                       description="Cohen's kappa, Krippendorff's alpha and percent agreement per "
                                   "category and overall; unit: (document, sentence, province).")
    a.add_argument("a", metavar="A.csv")
    a.add_argument("b", metavar="B.csv")
    a.add_argument("--level", choices=("pillar", "theme", "code"), default="theme")
    a.add_argument("--show", action="store_true", help="print every disagreement")
    a.add_argument("--out", help="write the disagreements to this CSV")
    a.set_defaults(func=_cmd_agree)
    m = sub.add_parser("merge", help="add reviewed suggestions to a copy of the dataset",
                       description="Validate the rows marked 'accept' and append them to "
                                   "FOLDER/practices.csv (kept as practices.csv.bak).")
    m.add_argument("reviewed", metavar="REVIEWED.csv")
    m.add_argument("--into", required=True, metavar="FOLDER", help="a dataset copy")
    m.set_defaults(func=_cmd_merge)
    ci = sub.add_parser("cite", help="print how to cite npstudy and its dataset",
                        description="Print the citations of the package and of the coded dataset, "
                                    "as BibTeX and as plain text (from CITATION.cff).")
    ci.set_defaults(func=_cmd_cite)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return args.func(args)
