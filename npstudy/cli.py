"""The ``npstudy`` command line: thin wrappers around the package's functions.

Every command reports a user error as one line, ``npstudy: error: …``, naming the
file, row, column or value and what to do, and exits 1 (2 for a usage error).
Ctrl-C exits 130, and a closed output pipe (``npstudy … | head``) ends the
command quietly. Commands that read a workspace take it the same way: as the
folder argument of ``init``, ``add-document`` and ``merge --into``, and as
``--data DIR`` for ``validate`` (which also takes it as its argument), ``agree``
and ``build``.
"""

from __future__ import annotations

import argparse
import re
import os
import signal
import sys
import warnings
from pathlib import Path

from . import __version__

#: The project's seed (``npstudy.build.SEED``, which a test keeps equal), without importing the
#: build and its plotting libraries for it.
PROJECT_SEED = 20240305

__all__ = ["main", "build_parser"]

# Files meant for people to review open in Excel with Chinese text when they start
# with a byte-order mark; every reader of npstudy accepts them with or without it.
_REVIEW_ENCODING = "utf-8-sig"


class _UsageError(Exception):
    """The command line itself is wrong (exit 2)."""


def _path(value: str) -> str:
    """A path argument: not empty (an empty path would silently mean the current folder)."""
    if not value.strip():
        raise argparse.ArgumentTypeError("an empty path names no file or folder")
    return value


def _positive(value: str) -> int:
    """A whole number of at least 1, in ASCII digits."""
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of at least 1")
    return int(value)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line instead of argparse's usage block
        raise _UsageError(f"{message} (see `{self.prog} --help`)")


def _say(*parts) -> None:
    try:
        print(*parts, file=sys.stderr)
    except (OSError, ValueError):  # stderr closed too: there is no one left to tell
        pass


def _csv_bytes(table, bom: bool = False) -> bytes:
    return table.to_csv(index=False, lineterminator="\n").encode(
        _REVIEW_ENCODING if bom else "utf-8")


def _dataset_folder(path: str | None, option: str) -> Path | None:
    """A folder to read a dataset from (a workspace, or a copy of the shipped data)."""
    from .fileio import DataError

    if path is None:
        return None
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(f"{option} {path}: not a folder – pass a workspace made by `npstudy init`")
    if not os.path.lexists(folder / "practices.csv"):
        raise DataError(f"{option} {path}: holds no practices.csv – pass a workspace made by "
                        "`npstudy init`")
    _recover(folder)
    return folder


def _recover(folder: Path) -> None:
    """Undo what a killed command left half-written in a workspace before reading it."""
    from .fileio import recover

    try:
        recover(folder)
    except OSError:  # a read-only copy: nothing was written there, nothing to undo
        pass


# --------------------------------------------------------------------------- commands

def _cmd_validate(args) -> int:
    from .fileio import DataError
    from .validation import validate

    if args.path is not None and args.data is not None:
        raise _UsageError("validate takes PATH or --data DIR, not both")
    if args.data is not None:
        args.path = str(_dataset_folder(args.data, "--data"))
    elif args.path is not None and os.path.isdir(args.path):
        _recover(Path(args.path))
    problems = validate(args.path)
    for problem in problems:
        print(problem)
    where = args.path or "the shipped dataset"
    if problems:
        raise DataError(f"{len(problems)} problem(s) found in {where}; the first: {problems[0]} "
                        "(all are listed on standard output, one per line) – fix them and run "
                        "`npstudy validate` again")
    print(f"OK: {where} passed every check")
    return 0


def _cmd_build(args) -> int:
    from .build import build

    langs = ("en", "zh") if args.lang == "all" else (args.lang,)
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    if not formats:
        raise _UsageError("--format names no format; use png, svg or pdf, separated by commas")
    if args.data is not None and args.out is None:
        raise _UsageError("build --data DIR needs --out OUT, so that the committed figures are "
                          "not replaced by a workspace's (see `npstudy build --help`)")
    build(args.out, langs=langs, formats=formats, data=_dataset_folder(args.data, "--data"),
          echo=None if args.quiet else print,
          # steps are progress for a person at a terminal; to a file or pipe, an error stays
          # the only line on stderr
          progress=None if not args.quiet and sys.stderr.isatty() else False)
    if not args.quiet:
        print("next: look at the figures, or open the notebooks that explain them "
              "(npstudy notebooks DIR)")
    return 0


def _cmd_code_corpus(args) -> int:
    from .coder.corpus import code_corpus
    from .fileio import CodingError

    folder = args.files[0]
    if len(args.files) > 1:
        raise CodingError(f"{folder} is a folder: pass one folder, or files only")
    for option, value in (("--doc-id", args.doc_id), ("--model", args.model)):
        if value:
            raise CodingError(f"{option} does not apply to a folder: each file's name is its "
                              "document id, and --model re-scores one suggestions file – code the "
                              "files one at a time for it")
    if not args.out:
        raise CodingError(f"{folder} is a folder: pass --out OUTDIR, the folder to write each "
                          "document's suggestions to")
    totals = code_corpus(folder, args.out, jobs=args.jobs, province=args.province,
                         encoding=args.encoding, force=args.force, scheduler=args.scheduler,
                         progress=None if sys.stderr.isatty() else False)
    for doc_id, warning in totals["warnings"][:20]:
        _say(f"npstudy: warning: {doc_id}: {warning}")
    if len(totals["warnings"]) > 20:
        _say(f"npstudy: warning: … and {len(totals['warnings']) - 20} more (see each manifest.json)")
    _say(f"{totals['coded']} document(s) coded, {totals['skipped']} already coded alike and "
         f"skipped, {totals['failed']} failed, of {totals['documents']}; {totals['suggestions']} "
         f"suggestion(s), {totals['aggregates']} counted-but-unnamed statement(s), "
         f"{totals['unmatched']} unmatched sentence(s); written to {Path(args.out) / 'docs'}")
    if totals["errors"]:
        doc_id, message = totals["errors"][0]
        raise CodingError(f"{totals['failed']} document(s) could not be coded and were not "
                          f"written (the others are; run the command again to retry them); the "
                          f"first, {doc_id}: {message}")
    return 0


def _cmd_code(args) -> int:
    from .coder.run import code_files, csv_bytes, document_ids, suggestions_csv
    from .fileio import CodingError, check_output, write_files_atomic

    if args.files and os.path.isdir(args.files[0]):
        return _cmd_code_corpus(args)
    if args.jobs != 1 or args.scheduler != "processes":
        raise CodingError("--jobs and --scheduler apply to a folder (npstudy code DIR --out "
                          "OUTDIR); for files, leave them out")
    document_ids(args.files, args.doc_id)
    out = check_output(args.out, inputs=args.files) if args.out else None
    targets = {}
    if out is not None:
        targets = {"suggestions": out,
                   "aggregates": out.with_name(out.stem + "_aggregates.csv"),
                   "unmatched": out.with_name(out.stem + "_unmatched.csv")}
        for target in targets.values():
            check_output(target, inputs=args.files)
            if target.exists() and not args.force:
                raise CodingError(f"{target} exists – choose another --out or pass --force to "
                                  "replace it")
    result = code_files(args.files, args.doc_id, args.encoding,
                        province=getattr(args, "province", None),
                        model=getattr(args, "model", None) or None)
    suggestions, counted, dropped = result.suggestions, result.aggregates, result.unmatched
    table = suggestions_csv(suggestions, ", ".join(map(str, args.files))[:200])
    if out is None:
        text = suggestions.to_csv(index=False, lineterminator="\n")
        for i in range(0, len(text), 1 << 16):  # in pieces, so a closed pipe is noticed
            sys.stdout.write(text[i:i + (1 << 16)])
            sys.stdout.flush()
    else:
        write_files_atomic({targets["suggestions"]: table,
                            targets["aggregates"]: csv_bytes(counted, bom=True),
                            targets["unmatched"]: csv_bytes(dropped, bom=True)},
                           inputs=args.files)
    for note in result.warnings:  # printed once everything is written: an error stays alone
        _say(f"npstudy: warning: {note}")
    written = (f"; wrote {targets['suggestions']}, {targets['aggregates']} and "
               f"{targets['unmatched']}" if out else "; pass --out to keep the other two lists")
    _say(f"{len(suggestions)} suggestion(s) for {suggestions['province'].nunique()} province(s); "
         f"{len(counted)} counted-but-unnamed statement(s); {len(dropped)} sentence(s) name a "
         f"province but give no suggestion{written}")
    if out:
        _say(f"next: review {out} (set decision to accept or reject, write summary_en), then "
             f"npstudy merge {out} --into WORKSPACE --coder NAME")
    return 0


def _accepted_rows(table, path: str):
    """The rows a coding asserts: a reviewed file's rejected rows are no coding.

    A table with a filled ``decision`` column (a review of suggestions) keeps the
    rows marked ``accept``; a row left undecided in a review is an error, since it
    is neither the reviewer's coding nor a rejection. Suggestions not yet reviewed
    (the column is empty throughout) are compared row by row.
    """
    from .fileio import DataError

    if "decision" not in table.columns:
        return table
    decision = table["decision"].str.strip().str.lower()
    if (decision == "").all():
        return table
    bad = ~decision.isin(["accept", "reject"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{path}:{row + 2}: decision: {table['decision'].iloc[row]!r} – a reviewed "
                        "file marks every row accept or reject; finish the review, or drop the "
                        "decision column to compare every row")
    return table[(decision == "accept").to_numpy()].reset_index(drop=True)


def _document_report(a, b, path_a: str, path_b: str) -> str:
    """Which documents ``agree`` compared, and which it had to leave out."""
    docs_a, docs_b = set(a["doc_id"]), set(b["doc_id"])
    shared = sorted(docs_a & docs_b)

    def names(d):
        d = sorted(d)
        return ", ".join(d[:5]) + (f" and {len(d) - 5} more" if len(d) > 5 else "")
    lines = [f"documents compared: {len(shared)} ({names(shared)})"]
    for path, only in ((path_a, docs_a - docs_b), (path_b, docs_b - docs_a)):
        if only:
            lines.append(f"left out: {len(only)} document(s) coded only in {path} ({names(only)}) – "
                         "agreement needs both codings of a document")
    return "\n".join(lines)


def _disagreement_lines(dis, level: str, width: int = 36) -> list[str]:
    """A disagreement table a person can read: one line per unit × category."""
    if not len(dis):
        return []
    rows = [("document", "sentence", "province", level, "A", "B", "text")]
    for r in dis.itertuples(index=False):
        text = " ".join(str(r.text).split())
        text = text if len(text) <= width else text[:width - 1] + "…"
        rows.append((str(r.doc_id), str(r.sentence), str(r.province), str(getattr(r, level)),
                     "yes" if r.coder_a else "no", "yes" if r.coder_b else "no", text))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row[:6], widths)) + "  " + row[6]
            for row in rows]


def _read_coding(path: str, context, level: str):
    """Read a coding for ``agree``: checked like ``validate`` on the columns agreement uses."""
    from .dataset import WHOLE_NUMBER
    from .fileio import DataError, read_table
    from .reliability import check_coding

    table = read_table(path)
    table = _accepted_rows(table, path)
    problems = check_coding(table, context, name=path)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"{problems[0]}{more} – fix the coding; `npstudy validate {path}` lists "
                        "every problem")
    if level not in table.columns:
        raise DataError(f"{path}:1: no column {level!r} – choose another --level")
    if not len(table):
        raise DataError(f"{path}: holds no coded rows, so there is no agreement to compute – "
                        "pass a coding with at least one row")
    bad = ~table["start"].str.fullmatch(WHOLE_NUMBER) | ~table["end"].str.fullmatch(WHOLE_NUMBER)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{path}:{row + 2}: start/end: {table['start'].iloc[row]!r}, "
                        f"{table['end'].iloc[row]!r} – offsets must be whole numbers")
    return table.assign(start=table["start"].astype("int64"), end=table["end"].astype("int64"))


def _cmd_agree(args) -> int:
    import pandas as pd

    from .fileio import DataError, check_output, write_atomic
    from .reliability import agreement
    from .validation import Context

    folder = _dataset_folder(args.data, "--data")
    if args.out:
        check_output(args.out, inputs=[args.a, args.b])
    context = Context.from_folder(folder)
    a = _read_coding(args.a, context, args.level)
    b = _read_coding(args.b, context, args.level)
    try:
        result = agreement(a, b, level=args.level, texts=context.sources)
    except ValueError as err:
        raise DataError(f"{args.a} vs {args.b}: {err}") from None
    overall = result.table.loc["all"]
    if pd.isna(overall["cohen_kappa"]):
        raise DataError(f"{args.a} vs {args.b}: no agreement can be computed – every one of the "
                        f"{len(result.units)} unit(s) × {args.level} decisions is the same for both "
                        "coders, so chance agreement is 1 and kappa is undefined; compare codings "
                        "with more than one category")
    with pd.option_context("display.width", 160, "display.max_columns", 20,
                           "display.precision", 3):
        print(_document_report(a, b, args.a, args.b))
        for path, table in ((args.a, a), (args.b, b)):
            repeats = int(table.duplicated(["doc_id", "start", "end", "province", args.level]).sum())
            if repeats:
                print(f"note: {path} repeats {repeats} row(s) (same document, offsets, province "
                      f"and {args.level}); agreement counts each decision once")
        print(f"unit of analysis: (document, sentence, province) coded by at least one coder; "
              f"{len(result.units)} units × {args.level}")
        print(result.table.to_string(na_rep="n/a"))
        print(f"{len(result.disagreements)} disagreement(s)"
              + ("; n/a: a coefficient is undefined where both coders made the same decision "
                 "on every unit" if result.table.isna().any().any() else ""))
        if args.show:
            print("\n".join(_disagreement_lines(result.disagreements, args.level)))
    sys.stdout.flush()
    if args.out:
        write_atomic(Path(args.out), _csv_bytes(result.disagreements, bom=True),
                     inputs=[args.a, args.b])
    print("next: settle each disagreement" + (" (--show lists them)" if not args.show else "")
          + " and record the decision; agreement is reported before adjudication")
    return 0


def _cmd_merge(args) -> int:
    from .workspace import merge_reviewed

    merged = merge_reviewed(args.reviewed, args.into, coder=args.coder)
    skipped = merged.attrs.get("skipped", [])
    note = (f"; {len(skipped)} accepted row(s) already present, skipped (rows "
            f"{', '.join(map(str, skipped[:10]))}{', …' if len(skipped) > 10 else ''})"
            if skipped else "")
    kept = " (previous version kept as practices.csv.bak)" if merged.attrs.get("added") else ""
    print(f"merged {merged.attrs.get('added', 0)} new row(s) into "
          f"{Path(args.into) / 'practices.csv'}, which now holds {len(merged)} rows{kept}{note}")
    if not args.coder:
        print("note: the rows keep the coder column of the file; pass --coder NAME to record "
              "who reviewed them")
    print(f"next: npstudy validate {args.into}\n"
          f"      npstudy build --data {args.into} --out {Path(args.into) / 'figures'}")
    return 0


def _cmd_cite(args) -> int:
    from .citation import citations

    sys.stdout.write(citations())
    return 0


def _cmd_init(args) -> int:
    from .workspace import make_workspace

    folder = make_workspace(args.folder)
    print(f"created workspace {folder}: a copy of the dataset; next: npstudy add-document "
          f"{folder} FILE --doc-id ID")
    return 0


def _cmd_add_document(args) -> int:
    from .workspace import register_document

    doc_id = register_document(args.folder, args.file, args.doc_id, encoding=args.encoding,
                               title=args.title or "", outlet=args.outlet or "",
                               date=args.date or "", province=args.province or "")
    print(f"registered {doc_id} in {args.folder} (text in {Path(args.folder) / 'raw' / doc_id}.txt); "
          f"next: npstudy code {Path(args.folder) / 'raw' / doc_id}.txt --doc-id {doc_id} "
          "--out suggestions.csv")
    return 0


def _cmd_notebooks(args) -> int:
    from .notebooks import copy_notebooks

    written = copy_notebooks(args.folder, student=args.student, force=args.force)
    kind = "student copies" if args.student else "notebooks"
    print(f"wrote {len(written)} file(s) to {args.folder}: the teaching {kind}"
          + ("" if args.student else ", the teacher's key teacher-key.ipynb (answers; not for "
             "students) and the teacher's guide README.md"))
    print(f"next: jupyter lab {args.folder}   (the notebooks run as they are)\n"
          f"      optional: npstudy build --out {Path(args.folder) / 'figures'}   "
          "(the figure files their image links show)")
    return 0


def _cmd_export_qdpx(args) -> int:
    from .qdpx import export_qdpx

    out = export_qdpx(args.folder, args.out, force=args.force)
    print(f"wrote {out}: the codebook, source texts and coded practices of {args.folder} as a "
          "REFI-QDA project (open it in ATLAS.ti, NVivo, MAXQDA or QualCoder)")
    return 0


def _cmd_import_qdpx(args) -> int:
    from .qdpx import import_qdpx

    merged = import_qdpx(args.file, args.into)
    for warning in merged.attrs.get("warnings", []):
        _say(f"npstudy: warning: {args.file}: {warning}")
    # by document: two sources of one name (different texts) are two documents
    for doc_id, source in sorted(merged.attrs.get("registered_documents", {}).items()):
        print(f"registered source {source!r} as document {doc_id}")
    print(f"imported {merged.attrs['imported']} new row(s) into "
          f"{Path(args.into) / 'practices.csv'}, which now holds {len(merged)} rows; "
          f"{merged.attrs['already_present']} row(s) of the project were already there")
    print(f"next: npstudy validate {args.into}   (then: npstudy build --data {args.into})")
    return 0


def _cmd_export_codebook(args) -> int:
    from .qdpx import export_codebook

    out = export_codebook(args.out, args.format, folder=args.data, force=args.force)
    tool = ("ATLAS.ti, MAXQDA, NVivo or QualCoder (import a REFI-QDA codebook)"
            if args.format == "qdc" else "Taguette (Import a codebook)")
    print(f"wrote {out}: the npstudy codes for {tool}; code with them, then export the project "
          f"as .qdpx and run `npstudy import-qdpx FILE.qdpx --into DIR`")
    return 0


# ----------------------------------------------------------------------------- parser

_TEXT_HELP = "UTF-8 (BOM allowed) or GB18030 text"


#: An example of every command, shown at the end of its --help.
EXAMPLES = {
    "validate": "npstudy validate                       # the shipped dataset\n"
                "  npstudy validate my-dataset            # a workspace",
    "build": "npstudy build                          # every table and figure, en + zh\n"
             "  npstudy build --data my-dataset --out my-figures --lang en",
    "init": "npstudy init my-dataset",
    "add-document": "npstudy add-document my-dataset report.txt --doc-id report-2024 "
                    "--province 浙江 --date 2024-05",
    "code": "npstudy code my-dataset/raw/report-2024.txt --doc-id report-2024 --out suggestions.csv\n"
            "  npstudy code reports/ --out coded/ --jobs 2      # a whole folder",
    "agree": "npstudy agree coder-a.csv coder-b.csv --data my-dataset --show",
    "merge": "npstudy merge reviewed.csv --into my-dataset --coder \"Li Wei\"",
    "notebooks": "npstudy notebooks my-class/ --student",
    "export-qdpx": "npstudy export-qdpx my-dataset coding.qdpx",
    "import-qdpx": "npstudy import-qdpx coded.qdpx --into my-dataset",
    "export-codebook": "npstudy export-codebook codes.qdc   (or: codes.csv --format csv)",
    "train": "npstudy train my-dataset",
    "evaluate": "npstudy evaluate data/evaluation/dev --themes\n"
                "  npstudy evaluate --standoff data/evaluation/realtext/labels.csv --texts CACHE "
                "--split dev   # real text, cached locally",
    "cite": "npstudy cite > npstudy.bib",
}


def _epilog(name: str) -> str | None:
    return f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else None


def _command(sub, func, name: str, summary: str, description: str, *positional):
    """Add the subcommand ``name`` running ``func``; ``positional``: (dest, metavar[, options]),
    each a path unless its options say otherwise."""
    parser = sub.add_parser(name, help=summary, description=description, epilog=_epilog(name),
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    for dest, metavar, *options in positional:
        options = {"type": _path, **(options[0] if options else {})}
        parser.add_argument(dest, metavar=metavar, **options)
    parser.set_defaults(func=func)
    return parser


def _add_data(parser, text: str) -> None:
    parser.add_argument("--data", default=None, metavar="DIR", type=_path, help=text)


def _add_encoding(parser) -> None:
    parser.add_argument("--encoding", choices=("utf-8", "gb18030"), default=None,
                        help="force an encoding (default: UTF-8, GB18030 detected)")


def _cmd_train(args) -> int:
    from .fileio import NpstudyError
    from .learn import train

    try:
        info = train(args.workspace, seed=args.seed)
    except NpstudyError as err:
        print(f"npstudy: error: {err}", file=sys.stderr)
        return 1
    print(f"trained on {info['accepted']} accepted and {info['rejected']} rejected suggestions "
          f"from {', '.join(info['files'])}; saved {Path(args.workspace) / info['path']}")
    print(f"next: npstudy code FILE --model {args.workspace} --out suggestions.csv")
    return 0


def _resamples(value: str) -> int:
    """A number of bootstrap resamples: 1 to 100,000, for argparse."""
    n = _positive(value)
    if n > 100_000:
        raise argparse.ArgumentTypeError(f"{value!r} resamples: use at most 100000 "
                                         "(2000 give intervals to two decimals)")
    return n


#: The most processes ``--jobs`` may ask for: beyond a few per core they only add memory.
MAX_JOBS = 256


def _jobs(value: str) -> int:
    """A number of processes: 1 to :data:`MAX_JOBS`, in ASCII digits, for argparse."""
    n = _positive(value)
    if n > MAX_JOBS:
        raise argparse.ArgumentTypeError(
            f"{value!r} processes: use at most {MAX_JOBS} (this machine has "
            f"{os.cpu_count() or 1} CPUs; more processes than CPUs do not code faster)")
    return n


def _confidence(value: str) -> float:
    """A cut-off between 0 and 1 in ASCII digits, for argparse."""
    try:
        c = float(value) if re.fullmatch(r"[0-9]*\.?[0-9]+", value) else float("nan")
    except ValueError:
        c = float("nan")
    if not 0 <= c <= 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a confidence between 0 and 1 (e.g. 0.65)")
    return c


def _evaluate_standoff(args):
    from .evaluation import N_BOOTSTRAP, load_standoff, standoff_table
    from .fileio import DataError

    if args.folders or args.article:
        raise DataError("--standoff scores a stand-off set alone: leave out FOLDER and --article")
    if not args.texts:
        raise DataError("--standoff needs --texts DIR, the folder of the cached <excerpt_id>.txt")
    standoff = load_standoff(args.standoff, args.texts, args.excerpts, args.split)
    if (standoff["missing"] or standoff["mismatched"]) and not standoff["documents"].empty:
        _say(f"npstudy: warning: of {standoff['excerpts']} excerpt(s), "
             f"{len(standoff['missing'])} text(s) not found in {args.texts} and "
             f"{len(standoff['mismatched'])} with another SHA-256 are left out; the first: "
             f"{(standoff['missing'] + standoff['mismatched'])[0]}")
    name = "realtext" + (f"-{args.split}" if args.split else "")
    name += " (no --province)" if args.no_province else ""
    from .coder.core import default_coder

    coder = default_coder()
    table = standoff_table(standoff, coder=coder, use_province=not args.no_province,
                           n=args.bootstrap or N_BOOTSTRAP, name=name,
                           min_confidence=args.min_confidence)
    if args.record:
        from .coder.corpus import coder_fingerprint
        from .evaluation import record_scores

        record_scores(args.record, table, args.standoff, args.split,
                      coder=f"npstudy {__version__} coder {coder_fingerprint(coder)[:12]}")
        print(f"recorded in {args.record}", file=sys.stderr)
    return table


def _outside_texts(output, texts, fix: str) -> None:
    """Refuse an output of ``evaluate`` written into the ``--texts`` folder, an input."""
    from .fileio import DataError

    if texts and Path(output).resolve().parent == Path(texts).resolve():
        raise DataError(f"{output}: is inside the --texts folder, an input of this command – {fix}")


def _cmd_evaluate(args) -> int:
    from .evaluation import N_BOOTSTRAP, evaluation_table
    from .fileio import NpstudyError, check_output, write_atomic

    if not args.folders and not args.article and not args.standoff:
        raise _UsageError("evaluate needs a labelled corpus FOLDER, --article for the source "
                          "article, or --standoff LABELS for a stand-off set")
    corpora: dict = {}
    for folder in args.folders:
        name = Path(folder).name or str(folder)
        if name in corpora:
            raise _UsageError(f"{corpora[name]} and {folder} are both named {name!r} in the "
                              "table – pass each corpus once, from folders with different names")
        corpora[name] = folder
    standoff_inputs = []
    if args.standoff:
        standoff_inputs = [args.standoff, args.excerpts
                           or Path(args.standoff).parent / "excerpts.csv"]
    if args.out:  # refused before the corpora are coded
        check_output(args.out, inputs=list(args.folders) + standoff_inputs)
        _outside_texts(args.out, args.texts, "write the table elsewhere")
    for option, value in (("--texts", args.texts), ("--excerpts", args.excerpts),
                          ("--split", args.split)):
        if value is not None and not args.standoff:
            raise _UsageError(f"{option} belongs to a stand-off set: use it with --standoff LABELS")
    if args.min_confidence and not args.standoff:
        raise _UsageError("--min-confidence scores a stand-off set: use it with --standoff LABELS")
    if args.no_province and not args.standoff:
        raise _UsageError("--no-province codes a stand-off set without its recorded provinces: "
                          "use it with --standoff LABELS")
    if args.record:
        if not args.standoff:
            raise _UsageError("--record keeps stand-off measurements: use it with --standoff LABELS")
        check_output(args.record, inputs=standoff_inputs)
        _outside_texts(args.record, args.texts, "keep the record elsewhere")
        if args.out and Path(args.out).resolve() == Path(args.record).resolve():
            raise _UsageError("--out and --record name the same file – give each its own")
    try:
        if args.standoff:
            table = _evaluate_standoff(args)
        else:
            table = evaluation_table(corpora, include_article=args.article,
                                     n=args.bootstrap or N_BOOTSTRAP)
    except NpstudyError as err:
        print(f"npstudy: error: {err}", file=sys.stderr)
        return 1
    text = table.round(4).to_csv(index=False, lineterminator="\n")
    if args.out:
        write_atomic(Path(args.out), text.encode("utf-8"))
        print(f"wrote {args.out}", file=sys.stderr)
    else:
        shown = table[table["theme"] == "all"] if not args.themes else table
        print(shown[["set", "theme", "precision", "precision_low", "precision_high", "recall",
                     "recall_low", "recall_high", "f1", "tp", "suggested", "labelled"]]
              .round(3).to_string(index=False))
    return 0


def _add_coder_commands(sub) -> None:
    """The coder-quality commands: train and evaluate."""
    t = sub.add_parser("train", help="fit a classifier on a workspace's reviewed suggestions",
                       epilog=_epilog("train"), formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Fit character n-gram logistic regression on the accepted and "
                                   "rejected suggestions in WORKSPACE/reviews/*.csv and save it as "
                                   "WORKSPACE/model/classifier.npz (plain arrays, no code); "
                                   "`npstudy code --model WORKSPACE` then uses it. Needs pip "
                                   "install 'npstudy[learn]'.")
    t.add_argument("workspace", metavar="WORKSPACE")
    t.add_argument("--seed", type=int, default=PROJECT_SEED,
                   help=f"random seed (default: the project's seed, {PROJECT_SEED})")
    t.set_defaults(func=_cmd_train)
    e = sub.add_parser("evaluate", help="precision, recall and F1 of the coder on labelled text",
                       epilog=_epilog("evaluate"), formatter_class=argparse.RawDescriptionHelpFormatter,
                       description="Code each labelled corpus FOLDER (docs/, documents.csv, "
                                   "labels.csv), or a stand-off set of excerpts (--standoff), and "
                                   "report precision, recall and F1 per theme at the (document or "
                                   "excerpt, province, theme) level, with 95% intervals from a "
                                   "bootstrap over documents or excerpts.")
    e.add_argument("folders", nargs="*", metavar="FOLDER")
    e.add_argument("--article", action="store_true",
                   help="add the source article (in-sample: the keywords were written from it)")
    e.add_argument("--themes", action="store_true", help="print every theme, not only the pooled row")
    e.add_argument("--bootstrap", type=_resamples, default=0, metavar="N",
                   help="number of bootstrap resamples, 1 to 100000 (default: 2000)")
    e.add_argument("--out", help="write the full table to this CSV")
    e.add_argument("--standoff", metavar="LABELS", type=_path,
                   help="score a stand-off set instead: LABELS.csv (excerpt_id, province, theme, "
                        "start, end) beside its excerpts.csv; texts from --texts DIR, each checked "
                        "against its SHA-256")
    e.add_argument("--texts", metavar="DIR", type=_path,
                   help="with --standoff: the folder of the cached <excerpt_id>.txt")
    e.add_argument("--excerpts", metavar="CSV", type=_path,
                   help="with --standoff: excerpts.csv (default: the one beside LABELS)")
    e.add_argument("--split", choices=("dev", "test"),
                   help="with --standoff: only the excerpts of this split")
    e.add_argument("--record", metavar="CSV", type=_path,
                   help="with --standoff: also keep the pooled scores in this table of measurements "
                        "(e.g. figures/tables/coder_realtext.csv), replacing the rows of the same "
                        "label file, split and province mode, with the date and the label file's "
                        "SHA-256")
    e.add_argument("--min-confidence", metavar="C", type=_confidence, default=0.0,
                   help="with --standoff: score only suggestions with confidence at least C "
                        "(0–1), as a reviewer who keeps them would; see coder_calibration_cutoffs.csv")
    e.add_argument("--no-province", action="store_true",
                   help="with --standoff: code every excerpt without its recorded province, as "
                        "`npstudy code` codes a file (title line, else the text)")
    e.set_defaults(func=_cmd_evaluate)


class _Version(argparse.Action):
    """``--version``: the package version and the coder's fingerprint (the first 12 hex digits
    that `evaluate --record` writes), built only when asked for."""

    def __call__(self, parser, namespace, values, option_string=None):
        from .coder import Coder
        from .coder.corpus import coder_fingerprint

        print(f"npstudy {__version__} (coder {coder_fingerprint(Coder())[:12]})")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="npstudy",
        description="Provincial practice in cultivating new quality productive forces: "
                    "validate the coded dataset, reproduce the analysis and extend the coding.")
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="print the version and the coder's fingerprint, and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = _command(sub, _cmd_validate, "validate",
                 "check the dataset, a workspace, or a copy of its tables",
                 "Check every quote, offset, id and code, and every registered text against "
                 "documents.csv; report all problems as file:row: column: value – problem – "
                 "suggestion. Exit 0 when clean, 1 otherwise. Files are never modified.",
                 ("path", "PATH", {"nargs": "?", "default": None,
                                   "help": "a workspace or folder holding practices.csv (and "
                                           "optionally aggregates.csv, documents.csv), or one "
                                           "practices CSV; default: the shipped dataset"}))
    _add_data(p, "the same as PATH, for a workspace, as other commands take it")
    b = _command(sub, _cmd_build, "build", "compute every table and draw every figure",
                 "Validate the data, write every table (CSV) to OUT/tables and every figure to "
                 "OUT. Two runs give identical bytes. The files are replaced together, or not "
                 "at all.")
    _add_data(b, "a workspace to analyse instead of the shipped dataset (needs --out)")
    b.add_argument("--out", default=None, type=_path,
                   help="output folder (default: figures/ of the source checkout when npstudy "
                        "runs from one, else ./figures)")
    b.add_argument("--lang", choices=("en", "zh", "all"), default="all",
                   help="language of the figures (default: all)")
    b.add_argument("--format", default="png", metavar="FORMATS",
                   help="comma-separated figure formats from png, svg, pdf (default: png)")
    b.add_argument("-q", "--quiet", action="store_true",
                   help="print nothing but errors (no step lines, no progress bar)")
    _command(sub, _cmd_init, "init", "create a workspace: a copy of the dataset to extend",
             "Create DIR (new, or empty) holding a copy of the dataset's tables and texts, "
             "which validates as it is.",
             ("folder", "DIR", {"help": "the workspace folder to create (new, or empty)"}))
    d = _command(sub, _cmd_add_document, "add-document", "register a new text in a workspace",
                 "Copy FILE into DIR/raw/ID.txt (as UTF-8) and add it to documents.csv and "
                 "source_layout.csv, all together or not at all. ID: 1-64 letters, digits, "
                 "'_', '-' or '.'.",
                 ("folder", "DIR"), ("file", "FILE", {"help": _TEXT_HELP}))
    d.add_argument("--doc-id", required=True, metavar="ID",
                   help="the document's id in the workspace: 1-64 letters, digits, '_', '-' or "
                        "'.', starting with a letter or digit (e.g. report-2024)")
    d.add_argument("--title", help="title of the document (optional)")
    d.add_argument("--outlet", help="where it was published (optional)")
    d.add_argument("--date", help="publication date, YYYY, YYYY-MM or YYYY-MM-DD (optional)")
    d.add_argument("--province", metavar="PROVINCE",
                   help="the document's own province (name or ISO code), kept in documents.csv: "
                        "`npstudy code` reads 我省/全省 in it as this province (optional)")
    _add_encoding(d)
    c = _command(sub, _cmd_code, "code", "suggest codings for new Chinese text",
                 "Find provinces and codebook keywords in each clause and write suggestions in "
                 "the practices schema, with evidence, offsets, matched keywords and confidence, "
                 "for a person to review. Given a folder DIR, code every DIR/*.txt into "
                 "OUTDIR/docs/<doc_id>/, in --jobs processes, skipping documents already coded "
                 "alike (see docs/corpus.md).",
                 ("files", "FILE", {"nargs": "+", "help": _TEXT_HELP + ", or one folder DIR"}))
    c.add_argument("--out", type=_path, help="suggestions CSV (default: standard output), or OUTDIR for a folder; counted-but-unnamed "
                                 "statements go to <out>_aggregates.csv and sentences that name a "
                                 "province but give no suggestion, with the reason, to "
                                 "<out>_unmatched.csv (all three "
                                 "UTF-8 with a BOM, so that Excel shows the Chinese text)")
    c.add_argument("--doc-id", help="document id (default: the file name without extension)")
    _add_encoding(c)
    c.add_argument("--force", action="store_true",
                   help="replace existing output files (for a folder: code every document again)")
    c.add_argument("--jobs", type=_jobs, default=1, metavar="N",
                   help="for a folder: documents coded at once, each in a process (default: 1)")
    c.add_argument("--scheduler", choices=("processes", "dask"), default="processes",
                   help="for a folder: a pool of processes, or a local Dask cluster of --jobs "
                        "workers (pip install 'npstudy[dask]')")
    c.add_argument("--province", metavar="PROVINCE",
                   help="the document's own province (name or ISO code): what 我省/全省 mean, and "
                        "the actor of paragraphs that name none (e.g. a provincial work report); "
                        "default: the one recorded by `add-document --province` for a workspace "
                        "text, else the issuer in its title line (…省政府工作报告, …人民政府关于…), "
                        "else read from the text")
    c.add_argument("--model", metavar="WORKSPACE",
                   help="also re-score suggestions with the classifier `npstudy train` saved in "
                        "WORKSPACE (or a model file), dropping those it would reject")
    a = _command(sub, _cmd_agree, "agree", "agreement between two codings",
                 "Cohen's kappa, Krippendorff's alpha and percent agreement per category and "
                 "overall; unit: (document, sentence, province). Both codings are checked first, "
                 "like `npstudy validate`.", ("a", "A.csv"), ("b", "B.csv"))
    a.add_argument("--level", choices=("pillar", "theme", "code"), default="theme",
                   help="the categories compared: the four pillars, the 12 themes (default) or "
                        "the codes under them")
    _add_data(a, "the workspace whose documents the codings quote (default: the shipped dataset)")
    a.add_argument("--show", action="store_true", help="print every disagreement")
    a.add_argument("--out", type=_path, help="write the disagreements to this CSV")
    m = _command(sub, _cmd_merge, "merge", "add reviewed suggestions to a workspace",
                 "Validate the rows marked 'accept' and append them to DIR/practices.csv (kept as "
                 "practices.csv.bak). Rows already present are reported and skipped.",
                 ("reviewed", "REVIEWED.csv"))
    m.add_argument("--into", required=True, metavar="DIR", type=_path,
                   help="a workspace (npstudy init)")
    m.add_argument("--coder", metavar="NAME",
                   help="who reviewed the rows: recorded in their coder column (default: the "
                        "coder column as the file has it, npstudy-coder for unedited suggestions)")
    n = _command(sub, _cmd_notebooks, "notebooks", "copy the teaching notebooks into a folder",
                 "Copy the teaching notebooks shipped with npstudy, and the teacher's guide, into "
                 "DIR (created if missing). Existing files are kept unless --force is given.",
                 ("folder", "DIR"))
    n.add_argument("--student", action="store_true",
                   help="write student copies: no solutions, no teacher notes, no outputs")
    n.add_argument("--force", action="store_true", help="replace existing files")
    e = _command(sub, _cmd_export_qdpx, "export-qdpx",
                 "write a workspace as a REFI-QDA project (.qdpx)",
                 "Write the codebook, source texts and coded practices of a workspace as a "
                 "REFI-QDA project, for ATLAS.ti, NVivo, MAXQDA or QualCoder. The workspace must "
                 "validate.", ("folder", "DIR"), ("out", "OUT.qdpx"))
    e.add_argument("--force", action="store_true", help="replace an existing OUT.qdpx")
    i = _command(sub, _cmd_import_qdpx, "import-qdpx",
                 "add the codings of a REFI-QDA project to a workspace",
                 "Turn the coded text selections of a REFI-QDA project (from npstudy, "
                 "QualCoder, MAXQDA, ATLAS.ti or NVivo) into practice rows, one per province and "
                 "framework code on a span, validate them and merge them into DIR, as `npstudy "
                 "merge` does. Sources that are not yet documents of DIR are registered under a "
                 "derived id (qdpx_<name>_<hash>), which is printed. Any problem is reported and "
                 "nothing is changed. Example: npstudy import-qdpx coded.qdpx --into ws",
                 ("file", "FILE.qdpx"))
    i.add_argument("--into", required=True, metavar="DIR", help="a workspace (npstudy init)")
    c = _command(sub, _cmd_export_codebook, "export-codebook",
                 "write the npstudy codes for a QDA tool (.qdc or Taguette CSV)",
                 "Write the framework codes, provinces, instruments and instrument types as a "
                 "REFI-QDA codebook (--format qdc, for ATLAS.ti, MAXQDA, NVivo or QualCoder) or "
                 "as a CSV with the columns tag and description (--format csv, for Taguette). "
                 "Example: npstudy export-codebook codes.qdc", ("out", "OUT"))
    c.add_argument("--format", choices=("qdc", "csv"), default="qdc",
                   help="qdc (REFI-QDA codebook, the default) or csv (Taguette)")
    c.add_argument("--data", metavar="DIR", type=_path,
                   help="a workspace whose codebook and gazetteer to write (default: the shipped)")
    c.add_argument("--force", action="store_true", help="replace an existing OUT")
    _add_coder_commands(sub)
    _command(sub, _cmd_cite, "cite", "print how to cite npstudy and its dataset",
             "Print the citations of the package and of the coded dataset, as BibTeX and as "
             "plain text (from CITATION.cff).")
    return parser


# ------------------------------------------------------------------------------- main

def _one_line(message: str, limit: int = 2000) -> str:
    text = "".join(ch if ch >= " " or ch == "\t" else repr(ch)[1:-1] for ch in message.strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except Exception:  # stdout is not a file (e.g. captured by a test): nothing to flush
        pass


def _is_user_error(err: Exception) -> bool:
    """An error whose message tells the user what to do: every such error of npstudy derives
    from :class:`npstudy.fileio.NpstudyError` (loaded by then, so looking it up costs nothing)."""
    root = getattr(sys.modules.get(f"{__package__}.fileio"), "NpstudyError", None)
    return root is not None and isinstance(err, root)


class _Terminated(BaseException):
    """SIGTERM, raised like Ctrl-C so that partly written files are cleaned up."""


def _as_program() -> None:
    def terminate(signum, frame):
        raise _Terminated

    for name in ("stdout", "stderr"):  # started with the stream closed: print nowhere
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))

    signal.signal(signal.SIGTERM, terminate)
    # numerical libraries' warnings are noise on a command line whose errors are one line each
    warnings.simplefilter("ignore")
    for stream in (sys.stdout, sys.stderr):
        try:  # a file name that is not valid UTF-8 is printed escaped, not a crash
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code.

    0: success; 1: a user error, reported as one line ``npstudy: error: …``;
    2: a usage error; 130: interrupted (Ctrl-C).
    """
    try:
        if argv is None:  # run as a program: settle how it prints and how it ends
            _as_program()
        parser = build_parser()
        args = parser.parse_args(argv)
        if not hasattr(args, "func"):
            parser.print_help()
            return 2
        code = args.func(args)
        sys.stdout.flush()
        return code
    except _UsageError as err:
        _say(f"npstudy: error: {_one_line(str(err))}")
        return 2
    except SystemExit as err:  # --help and --version
        return err.code if isinstance(err.code, int) else 0
    except KeyboardInterrupt:
        _say("npstudy: error: interrupted; files are replaced whole, so nothing was half-written")
        return 130
    except _Terminated:
        _say("npstudy: error: terminated; files are replaced whole, so nothing was half-written")
        return 143
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except OSError as err:
        where = f"{err.filename}: " if err.filename else ""
        _say(f"npstudy: error: {_one_line(where + (err.strerror or str(err)))} – check the path, "
             "its permissions and the free space")
        return 1
    except MemoryError:
        _say("npstudy: error: out of memory – pass smaller inputs")
        return 1
    except RecursionError:
        _say("npstudy: error: an input is nested too deeply – simplify it")
        return 1
    except Exception as err:
        if _is_user_error(err):
            _say(f"npstudy: error: {_one_line(str(err))}")
            return 1
        if os.environ.get("NPSTUDY_DEBUG"):  # a bug: still one line, with a way to the details
            raise
        _say(f"npstudy: error: unexpected {type(err).__name__}: {_one_line(str(err), 500)} – "
             "please report it; set NPSTUDY_DEBUG=1 for details")
        return 1
