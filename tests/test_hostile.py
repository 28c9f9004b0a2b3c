"""Hostile input to every command: bad paths, devices, FIFOs, huge files, bad encodings,
malformed CSV and YAML, path traversal in ids, writes into the shipped data.

Every case asserts the exit code, exactly one line ``npstudy: error: …`` naming the
problem and no traceback, and that no file it should not touch changed: the whole
temporary folder (inputs, workspace, would-be outputs) and the shipped data are
hashed before and after. Kills and parallel writers are in ``test_concurrency.py``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import TEXT, check_hostile_case, read_csv, write_csv

from npstudy import data_dir, fileio

SOURCE = "000_08799d6d3f16f583"
HUGE = 64 * 1024 * 1024 + 1  # over every documented input cap (sparse: costs nothing)


@pytest.fixture
def env(_template, tmp_path) -> Path:
    root = tmp_path / "t"
    shutil.copytree(_template, root, symlinks=True)
    return root


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def loop(path: Path) -> Path:
    os.symlink(path.name, path)  # a symbolic link to itself
    return path


def huge(path: Path) -> Path:
    with open(path, "wb") as f:
        f.truncate(HUGE)
    return path


def edit_rows(file: Path, index: int = 0, encoding: str = "utf-8-sig", /, **changes) -> Path:
    rows = read_csv(file)
    rows[index].update(changes)
    return write_csv(file, rows, encoding)


def validate_edited(name: str, index: int, **changes):
    """Setup: change one row of the workspace table ``name``, then validate the workspace."""
    return lambda e: ["validate", edit_rows(e / "ws" / name, index, "utf-8", **changes).parent]


def edit_text(path: Path, old: str, new: str) -> Path:
    path.write_text(path.read_text(encoding="utf-8-sig").replace(old, new, 1), encoding="utf-8")
    return path


def billion_laughs(path: Path) -> Path:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("pillars: *a9")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def set_codebook(ws: Path, text: str) -> Path:
    (ws / "codebook.yaml").write_text(text, encoding="utf-8")
    return ws


SHIPPED = str(data_dir())

# name -> (setup(env) -> argv, expected exit code, text the error line must contain)
CASES = {
    # ------------------------------------------------------------------ validate
    "validate-missing": (lambda e: ["validate", e / "nope"], 1, "file not found"),
    "validate-fifo": (lambda e: ["validate", fifo(e / "p.csv")], 1, "FIFO"),
    "validate-dev-null": (lambda e: ["validate", "/dev/null"], 1, "device"),
    "validate-dev-zero": (lambda e: ["validate", "/dev/zero"], 1, "device"),
    "validate-dir-without-practices": (lambda e: ["validate", e], 1, "file not found"),
    "validate-practices-is-dir": (
        lambda e: (os.remove(e / "ws/practices.csv"), os.mkdir(e / "ws/practices.csv"))
        and ["validate", e / "ws"], 1, "folder"),
    "validate-practices-fifo": (
        lambda e: (os.remove(e / "ws/practices.csv"), fifo(e / "ws/practices.csv"))
        and ["validate", e / "ws"], 1, "FIFO"),
    "validate-practices-huge": (
        lambda e: ["validate", huge(e / "ws/practices.csv")], 1, "limit"),
    "validate-practices-symlink-dev-zero": (
        lambda e: (os.remove(e / "ws/practices.csv"),
                   os.symlink("/dev/zero", e / "ws/practices.csv")) and ["validate", e / "ws"],
        1, "device"),
    "validate-empty-practices": (
        lambda e: (e / "ws/practices.csv").write_bytes(b"") and ["validate", e / "ws"] or
        ["validate", e / "ws"], 1, "empty"),
    "validate-binary-practices": (
        lambda e: (e / "ws/practices.csv").write_bytes(bytes(range(256)) * 4) and
        ["validate", e / "ws"], 1, "not valid UTF-8"),
    "validate-gbk-practices": (
        lambda e: (e / "ws/practices.csv").write_bytes(
            (e / "ws/practices.csv").read_text(encoding="utf-8").encode("gb18030"))
        and ["validate", e / "ws"], 1, "GB18030"),
    "validate-nul-in-cell": (
        lambda e: ["validate", edit_text(e / "ws/practices.csv", "CN-SH", "CN-\x00SH").parent],
        1, "'\\x00'"),
    "validate-escape-in-cell": (
        lambda e: ["validate", edit_text(e / "ws/practices.csv", "CN-SH", "CN-\x1bSH").parent],
        1, "'\\x1b'"),
    "validate-duplicate-header": (
        lambda e: ["validate", edit_text(e / "ws/practices.csv", "note", "coder").parent],
        1, "appears twice"),
    "validate-unbalanced-quote": (
        lambda e: ["validate", edit_text(e / "ws/practices.csv", "CN-SH", '"CN-SH').parent],
        1, "practices.csv"),
    "validate-extra-field": (
        lambda e: (open(e / "ws/practices.csv", "a").write("a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v\n"),
                   ["validate", e / "ws"])[1], 1, "Expected 20 fields"),
    "validate-bengali-offset": (
        validate_edited("practices.csv", 0, start="২৮৯"),
        1, "start: '২৮৯'"),
    "validate-fullwidth-offset": (
        validate_edited("practices.csv", 0, start="２８９"),
        1, "start: '２８９'"),
    "validate-negative-offset": (
        validate_edited("practices.csv", 0, start="-1"),
        1, "start: '-1'"),
    "validate-giant-offset": (
        validate_edited("practices.csv", 0, end="9" * 40), 1, "end: '999"),
    "validate-paragraph-space": (
        validate_edited("practices.csv", 0, paragraph=" 1"),
        1, "paragraph: ' 1'"),
    "validate-duplicated-coding": (
        lambda e: (lambda rows: write_csv(e / "ws/practices.csv",
                                          rows + [dict(rows[0], id="P999")], "utf-8"))(
            read_csv(e / "ws/practices.csv")) and ["validate", e / "ws"], 1, "same coding"),
    "validate-doc-path-traversal": (
        validate_edited("documents.csv", 0, path="../../../../etc/passwd"), 1, "outside"),
    "validate-doc-path-absolute": (
        validate_edited("documents.csv", 0, path="/etc/hostname"), 1, "relative"),
    "validate-doc-path-dev-zero": (
        validate_edited("documents.csv", 0, path="/dev/zero"), 1, "relative"),
    "validate-doc-path-fifo": (
        lambda e: (fifo(e / "ws/raw/pipe.txt"),
                   ["validate", edit_rows(e / "ws/documents.csv", 1, "utf-8",
                                          path="raw/pipe.txt").parent])[1], 1, "FIFO"),
    "validate-doc-sha-mismatch": (
        validate_edited("documents.csv", 1, sha256="0" * 64), 1, "sha256"),
    "validate-doc-chars-mismatch": (
        validate_edited("documents.csv", 1, chars="7"),
        1, "chars: '7'"),
    "validate-doc-lines-bengali": (
        validate_edited("documents.csv", 1, lines="১"),
        1, "lines: '১'"),
    "validate-doc-id-traversal": (
        validate_edited("documents.csv", 1, doc_id="../x"), 1, "not a valid document id"),
    "validate-doc-registered-twice": (
        lambda e: (lambda rows: write_csv(e / "ws/documents.csv", rows + [rows[1]], "utf-8"))(
            read_csv(e / "ws/documents.csv")) and ["validate", e / "ws"], 1, "registered twice"),
    "validate-doc-text-edited": (
        lambda e: (e / "ws/raw/d1.txt").write_text(TEXT + "多", encoding="utf-8") and
        ["validate", e / "ws"], 1, "sha256"),
    "validate-codebook-billion-laughs": (
        lambda e: ["validate", billion_laughs(e / "ws/codebook.yaml").parent], 1, "alias"),
    "validate-codebook-pillars-string": (
        lambda e: ["validate", set_codebook(e / "ws", "pillars: innovation\n")], 1, "pillars"),
    "validate-codebook-not-yaml": (
        lambda e: ["validate", set_codebook(e / "ws", "pillars:\n  - id: a\n\t- x: [\n")], 1,
        "YAML"),
    "validate-codebook-deep-nesting": (
        lambda e: ["validate", set_codebook(e / "ws", "pillars: " + "[" * 5000 + "]" * 5000)],
        1, "codebook"),
    "validate-codebook-ints": (
        lambda e: ["validate", set_codebook(e / "ws", "pillars: [1, 2, 3]\n")], 1, "mapping"),
    "validate-codebook-bad-keyword": (
        lambda e: ["validate", set_codebook(e / "ws", (data_dir() / "codebook.yaml").read_text(
            encoding="utf-8").replace("keywords: [", "keywords: [7, ", 1))], 1, "keywords"),
    "validate-codebook-fifo": (
        lambda e: ["validate", fifo(e / "ws/codebook.yaml").parent], 1, "FIFO"),
    "validate-codebook-huge": (
        lambda e: ["validate", huge(e / "ws/codebook.yaml").parent], 1, "limit"),
    "validate-provinces-bad-int": (
        lambda e: (shutil.copy(data_dir() / "provinces.csv", e / "ws/provinces.csv"),
                   ["validate", edit_rows(e / "ws/provinces.csv", 0, "utf-8",
                                          tile_row="x").parent])[1], 1, "tile_row"),
    "validate-layout-bad-int": (
        validate_edited("source_layout.csv", 0, start="٣"), 1, "start"),
    "validate-too-many-rows": (
        lambda e: (e / "ws/practices.csv").write_text(
            (e / "ws/practices.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"
            + "x\n" * 100_001, encoding="utf-8") and ["validate", e / "ws"], 1, "row limit"),
    "validate-text-over-cap": (
        lambda e: (huge(e / "ws/raw/d1.txt"), ["validate", e / "ws"])[1], 1, "limit"),
    "code-text-over-cap": (
        lambda e: (open(e / "big.txt", "wb").truncate(fileio.MAX_TEXT_BYTES + 1),
                   ["code", e / "big.txt"])[1], 1, "limit"),
    "validate-padded-first-mover": (
        validate_edited("practices.csv", 0, first_mover=" false"), 1, "spaces"),
    "validate-layout-missing-column": (
        lambda e: ["validate", edit_text(e / "ws/source_layout.csv", "doc_id", "doc").parent], 1,
        "missing column"),
    "validate-aggregate-bengali-count": (
        validate_edited("aggregates.csv", 0, count="٩"),
        1, "count: '٩'"),
    "validate-aggregate-nul": (
        lambda e: ["validate", edit_text(e / "ws/aggregates.csv", "9省份", "9\x00省份").parent],
        1, "'\\x00'"),
    # ---------------------------------------------------------------------- code
    "code-missing": (lambda e: ["code", e / "nope.txt"], 1, "no such file"),
    "code-dir": (lambda e: ["code", e / "ws", "--doc-id", "x"], 1, "folder"),
    "code-fifo": (lambda e: ["code", fifo(e / "p.txt")], 1, "FIFO"),
    "code-dev-zero": (lambda e: ["code", "/dev/zero", "--doc-id", "z"], 1, "device"),
    "code-dev-null": (lambda e: ["code", "/dev/null", "--doc-id", "z"], 1, "device"),
    "code-empty": (lambda e: (e / "e.txt").write_bytes(b"") or ["code", e / "e.txt"], 1, "empty"),
    "code-binary": (lambda e: (e / "b.txt").write_bytes(b"\x89PNG\x00\x00") and
                    ["code", e / "b.txt"], 1, "binary"),
    "code-utf16": (lambda e: (e / "u.txt").write_bytes(TEXT.encode("utf-16")) and
                   ["code", e / "u.txt"], 1, "UTF-16"),
    "code-latin1": (lambda e: (e / "l.txt").write_bytes("Ça coûte très cher à Genève".encode("latin-1"))
                    and ["code", e / "l.txt"], 1, "UTF-8"),
    "code-huge": (lambda e: ["code", huge(e / "h.txt")], 1, "limit"),
    "code-forced-gb18030-bad": (
        lambda e: (e / "g.txt").write_bytes(b"\x81\x30") and
        ["code", e / "g.txt", "--encoding", "gb18030"], 1, "GB18030"),
    "code-out-dev-null": (lambda e: ["code", e / "doc.txt", "--out", "/dev/null", "--force"], 1,
                          "device"),
    "code-out-is-input": (lambda e: ["code", e / "doc.txt", "--out", e / "doc.txt", "--force"], 1,
                          "input"),
    "code-out-missing-folder": (lambda e: ["code", e / "doc.txt", "--out", e / "no/x.csv"], 1,
                                "does not exist"),
    "code-out-is-dir": (lambda e: ["code", e / "doc.txt", "--out", e / "ws"], 1, "folder"),
    "code-out-in-shipped-data": (
        lambda e: ["code", e / "doc.txt", "--out", data_dir() / "s.csv"], 1, "shipped"),
    "code-out-root": (lambda e: ["code", e / "doc.txt", "--doc-id", "d", "--out", "/"], 1,
                      "folder"),
    "code-out-dotdot": (lambda e: ["code", e / "doc.txt", "--doc-id", "d", "--out", e / ".."], 1,
                        "folder"),
    "code-out-exists": (lambda e: ["code", e / "doc.txt", "--out", e / "sug.csv"], 1, "--force"),
    "code-out-aggregates-is-dir": (
        lambda e: os.mkdir(e / "o_aggregates.csv") or ["code", e / "doc.txt", "--out", e / "o.csv"],
        1, "folder"),
    "code-out-unmatched-is-fifo": (
        lambda e: fifo(e / "o_unmatched.csv") and ["code", e / "doc.txt", "--out", e / "o.csv"],
        1, "FIFO"),
    "code-out-aggregates-is-input": (
        lambda e: shutil.copy(e / "doc.txt", e / "o_aggregates.csv") and
        ["code", e / "o_aggregates.csv", "--doc-id", "o", "--out", e / "o.csv", "--force"], 1,
        "input"),
    "code-doc-id-traversal": (lambda e: ["code", e / "doc.txt", "--doc-id", "../../evil"], 1,
                              "document id"),
    "code-doc-id-absolute": (lambda e: ["code", e / "doc.txt", "--doc-id", "/tmp/evil"], 1,
                             "document id"),
    "code-doc-id-space": (lambda e: ["code", e / "doc.txt", "--doc-id", "a b"], 1, "document id"),
    "code-doc-id-too-long": (lambda e: ["code", e / "doc.txt", "--doc-id", "a" * 65], 1,
                             "document id"),
    "code-doc-id-empty": (lambda e: ["code", e / "doc.txt", "--doc-id", ""], 1, "document id"),
    "code-doc-id-from-chinese-name": (
        lambda e: shutil.copy(e / "doc.txt", e / "报告.txt") and ["code", e / "报告.txt"], 1,
        "--doc-id"),
    "code-doc-id-two-files": (lambda e: ["code", e / "doc.txt", e / "doc.txt", "--doc-id", "x"], 1,
                              "one FILE"),
    "code-bad-encoding-option": (lambda e: ["code", e / "doc.txt", "--encoding", "latin-1"], 2,
                                 "invalid choice"),
    "code-no-files": (lambda e: ["code"], 2, "FILE"),
    # ---------------------------------------------------------------------- init
    "init-nonempty": (lambda e: ["init", e], 1, "already holds"),
    "init-workspace-twice": (lambda e: ["init", e / "ws"], 1, "already holds practices.csv"),
    "init-file": (lambda e: ["init", e / "doc.txt"], 1, "not a folder"),
    "init-missing-parent": (lambda e: ["init", e / "a/b/c"], 1, "does not exist"),
    "init-shipped-data": (lambda e: ["init", SHIPPED], 1, "shipped"),
    "init-shipped-raw": (lambda e: ["init", data_dir() / "raw"], 1, "shipped"),
    "init-inside-shipped": (lambda e: ["init", data_dir() / "new-workspace"], 1, "shipped"),
    "init-fifo": (lambda e: ["init", fifo(e / "p")], 1, "not a folder"),
    "init-no-args": (lambda e: ["init"], 2, "DIR"),
    # -------------------------------------------------------------- add-document
    "add-doc-id-traversal": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id",
                                        "../../../evil"], 1, "document id"),
    "add-doc-id-absolute": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id",
                                       str(e / "evil")], 1, "document id"),
    "add-doc-id-source-overwrite": (lambda e: ["add-document", e / "ws", e / "doc.txt",
                                               "--doc-id", f"../raw/{SOURCE}"], 1, "document id"),
    "add-doc-id-slash": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", "a/b"],
                         1, "document id"),
    "add-doc-id-dotdot": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", ".."],
                          1, "document id"),
    "add-doc-id-registered": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id",
                                         "d1"], 1, "already registered"),
    "add-doc-id-source-registered": (lambda e: ["add-document", e / "ws", e / "doc.txt",
                                                "--doc-id", SOURCE], 1, "already registered"),
    "add-doc-into-shipped": (lambda e: ["add-document", SHIPPED, e / "doc.txt", "--doc-id", "x"],
                             1, "shipped"),
    "add-doc-into-shipped-raw": (lambda e: ["add-document", data_dir() / "raw", e / "doc.txt",
                                            "--doc-id", "x"], 1, "shipped"),
    "add-doc-not-workspace": (lambda e: ["add-document", e, e / "doc.txt", "--doc-id", "x"], 1,
                              "not a workspace"),
    "add-doc-missing-workspace": (lambda e: ["add-document", e / "nope", e / "doc.txt",
                                             "--doc-id", "x"], 1, "not a folder"),
    "add-doc-fifo": (lambda e: ["add-document", e / "ws", fifo(e / "p.txt"), "--doc-id", "x"], 1,
                     "FIFO"),
    "add-doc-dev-zero": (lambda e: ["add-document", e / "ws", "/dev/zero", "--doc-id", "x"], 1,
                         "device"),
    "add-doc-empty": (lambda e: (e / "e.txt").write_bytes(b"") or
                      ["add-document", e / "ws", e / "e.txt", "--doc-id", "x"], 1, "empty"),
    "add-doc-missing-file": (lambda e: ["add-document", e / "ws", e / "nope.txt", "--doc-id",
                                        "x"], 1, "no such file"),
    "add-doc-huge": (lambda e: ["add-document", e / "ws", huge(e / "h.txt"), "--doc-id", "x"], 1,
                     "limit"),
    "add-doc-binary": (lambda e: (e / "b.txt").write_bytes(b"\x00\x01\x02abc") and
                       ["add-document", e / "ws", e / "b.txt", "--doc-id", "x"], 1, "binary"),
    "add-doc-bad-date": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x",
                                    "--date", "yesterday"], 1, "date"),
    "add-doc-bengali-date": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x",
                                        "--date", "২০২৪"], 1, "date"),
    "add-doc-control-title": (lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x",
                                         "--title", "a\x1b[31mb"], 1, "title"),
    "add-doc-raw-symlink-outside": (
        lambda e: (os.mkdir(e / "outside"), shutil.rmtree(e / "ws/raw"),
                   os.symlink(e / "outside", e / "ws/raw")) and
        ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x"], 1, "outside"),
    "add-doc-orphan-text": (
        lambda e: (e / "ws/raw/x.txt").write_text("别的文本。", encoding="utf-8") and
        ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x"], 1, "not registered"),
    "add-doc-documents-broken": (
        lambda e: (e / "ws/documents.csv").write_text('doc_id,path\n"x,\n', encoding="utf-8") and
        ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x"], 1, "documents.csv"),
    "add-doc-no-doc-id": (lambda e: ["add-document", e / "ws", e / "doc.txt"], 2, "--doc-id"),
    # --------------------------------------------------------------------- merge
    "merge-missing": (lambda e: ["merge", e / "nope.csv", "--into", e / "ws"], 1, "no such file"),
    "merge-fifo": (lambda e: ["merge", fifo(e / "p.csv"), "--into", e / "ws"], 1, "FIFO"),
    "merge-dev-zero": (lambda e: ["merge", "/dev/zero", "--into", e / "ws"], 1, "device"),
    "merge-huge": (lambda e: ["merge", huge(e / "h.csv"), "--into", e / "ws"], 1, "limit"),
    "merge-empty": (lambda e: (e / "e.csv").write_bytes(b"") or
                    ["merge", e / "e.csv", "--into", e / "ws"], 1, "empty"),
    "merge-no-decision": (lambda e: ["merge", e / "ws/practices.csv", "--into", e / "ws"], 1,
                          "decision"),
    "merge-undecided": (lambda e: ["merge", edit_rows(e / "rev.csv", 1, decision=""), "--into",
                                   e / "ws"], 1, "no decision"),
    "merge-bad-offset": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, start="3"), "--into",
                                    e / "ws"], 1, "start"),
    "merge-bengali-offset": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, end="১৬"), "--into",
                                        e / "ws"], 1, "end"),
    "merge-bad-province": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, province="CN-XX"),
                                      "--into", e / "ws"], 1, "province"),
    "merge-bad-theme": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, theme="green.nothing"),
                                   "--into", e / "ws"], 1, "theme"),
    "merge-unregistered-doc": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, doc_id="zz"),
                                          "--into", e / "ws"], 1, "not a registered document"),
    "merge-traversal-doc": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, doc_id="../../x"),
                                       "--into", e / "ws"], 1, "doc_id"),
    "merge-padded-city": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, city=" "), "--into",
                                     e / "ws"], 1, "spaces"),
    "merge-empty-summary": (lambda e: ["merge", edit_rows(e / "rev.csv", 0, summary_en=""),
                                       "--into", e / "ws"], 1, "summary_en"),
    "merge-nul": (lambda e: ["merge", edit_text(e / "rev.csv", "A practice", "A\x00practice"),
                             "--into", e / "ws"], 1, "control"),
    "merge-gbk": (lambda e: (e / "g.csv").write_bytes(
        (e / "rev.csv").read_text(encoding="utf-8-sig").encode("gb18030")) and
        ["merge", e / "g.csv", "--into", e / "ws"], 1, "UTF-8"),
    "merge-duplicate-columns": (lambda e: ["merge", edit_text(e / "rev.csv", "note", "coder"),
                                           "--into", e / "ws"], 1, "twice"),
    "merge-ragged-row": (lambda e: (open(e / "rev.csv", "a", encoding="utf-8").write("1,2," * 30
                                                                                       + "\n"),
                                    ["merge", e / "rev.csv", "--into", e / "ws"])[1], 1, "CSV"),
    "merge-into-shipped": (lambda e: ["merge", e / "rev.csv", "--into", SHIPPED], 1, "shipped"),
    "merge-into-shipped-raw": (lambda e: ["merge", e / "rev.csv", "--into", data_dir() / "raw"],
                               1, "shipped"),
    "merge-into-symlink-to-shipped": (
        lambda e: os.symlink(SHIPPED, e / "link") or ["merge", e / "rev.csv", "--into", e / "link"],
        1, "shipped"),
    "merge-into-non-workspace": (lambda e: ["merge", e / "rev.csv", "--into", e], 1,
                                 "not a workspace"),
    "merge-into-missing": (lambda e: ["merge", e / "rev.csv", "--into", e / "nope"], 1,
                           "not a folder"),
    "merge-workspace-practices-fifo": (
        lambda e: (os.remove(e / "ws/practices.csv"), fifo(e / "ws/practices.csv")) and
        ["merge", e / "rev.csv", "--into", e / "ws"], 1, "FIFO"),
    "merge-workspace-docs-traversal": (
        lambda e: edit_rows(e / "ws/documents.csv", 1, "utf-8", path="../../../../etc/hostname")
        and ["merge", e / "rev.csv", "--into", e / "ws"], 1, "path"),
    "merge-no-into": (lambda e: ["merge", e / "rev.csv"], 2, "--into"),
    # --------------------------------------------------------------------- agree
    "agree-missing": (lambda e: ["agree", e / "nope.csv", e / "sug.csv", "--data", e / "ws"], 1,
                      "no such file"),
    "agree-fifo": (lambda e: ["agree", e / "sug.csv", fifo(e / "p.csv"), "--data", e / "ws"], 1,
                   "FIFO"),
    "agree-header-only": (
        lambda e: (e / "h.csv").write_text((e / "sug.csv").read_text(encoding="utf-8-sig")
                                           .splitlines()[0] + "\n", encoding="utf-8") and
        ["agree", e / "ws/practices.csv", e / "h.csv", "--data", e / "ws"], 1, "no coded rows"),
    "agree-no-overlap": (lambda e: ["agree", SHIPPED + "/practices.csv", e / "sug.csv", "--data",
                                    e / "ws"], 1, "share no document"),
    "agree-bad-offsets": (lambda e: ["agree", e / "ws/practices.csv",
                                     edit_rows(e / "sug.csv", 0, start="1"), "--data", e / "ws"],
                          1, "start"),
    "agree-bad-province": (lambda e: ["agree", e / "ws/practices.csv",
                                      edit_rows(e / "sug.csv", 0, province="XX"), "--data",
                                      e / "ws"], 1, "province"),
    "agree-bad-theme": (lambda e: ["agree", e / "ws/practices.csv",
                                   edit_rows(e / "sug.csv", 0, theme="x.y"), "--data", e / "ws"],
                        1, "theme"),
    "agree-unregistered-doc": (lambda e: ["agree", e / "sug.csv", e / "sug.csv"], 1,
                               "not a registered document"),
    "agree-single-category": (lambda e: ["agree", write_csv(e / "two.csv",
                                                            read_csv(e / "sug.csv")[:2]),
                                         e / "two.csv", "--data", e / "ws"], 1, "no agreement"),
    "agree-bad-level": (lambda e: ["agree", e / "sug.csv", e / "sug.csv", "--level", "x"], 2,
                        "invalid choice"),
    "agree-out-dev-null": (lambda e: ["agree", e / "sug.csv", e / "sug.csv", "--data", e / "ws",
                                      "--out", "/dev/null"], 1, "device"),
    "agree-out-is-input": (lambda e: ["agree", e / "ws/practices.csv", e / "sug.csv", "--data",
                                      e / "ws", "--out", e / "sug.csv"], 1, "input"),
    "agree-data-not-folder": (lambda e: ["agree", e / "sug.csv", e / "sug.csv", "--data",
                                         e / "doc.txt"], 1, "not a folder"),
    # --------------------------------------------------------------------- build
    "build-data-missing": (lambda e: ["build", "--data", e / "nope", "--out", e / "o"], 1,
                           "not a folder"),
    "build-data-without-out": (lambda e: ["build", "--data", e / "ws"], 2, "--out"),
    "build-out-in-shipped": (lambda e: ["build", "--out", data_dir() / "figs"], 1, "shipped"),
    "build-out-is-file": (lambda e: ["build", "--out", e / "doc.txt"], 1, "not a folder"),
    "build-out-parent-missing": (lambda e: ["build", "--out", e / "a/b"], 1, "create it first"),
    "build-data-invalid": (lambda e: ["build", "--data", edit_rows(e / "ws/practices.csv", 0,
                                                                   "utf-8", province="XX").parent,
                                      "--out", e / "o"], 1, "does not validate"),
    "build-bad-format": (lambda e: ["build", "--out", e / "o", "--format", "gif"], 1,
                         "unknown format"),
    "build-data-fifo": (lambda e: ["build", "--data", fifo(e / "p"), "--out", e / "o"], 1,
                        "not a folder"),
    "build-data-one-province": (
        lambda e: (e / "ws/practices.csv").write_text(
            "\n".join((e / "ws/practices.csv").read_text(encoding="utf-8").splitlines()[:2]) + "\n",
            encoding="utf-8") and ["build", "--data", e / "ws", "--out", e / "o"], 1,
        "more provinces"),
    "validate-symlink-loop": (lambda e: ["validate", loop(e / "l")], 1, "symbolic links"),
    "init-symlink-loop": (lambda e: ["init", loop(e / "l")], 1, "not a folder"),
    "code-out-symlink-loop": (lambda e: ["code", e / "doc.txt", "--doc-id", "d", "--out",
                                         loop(e / "l.csv")], 1, "symbolic links"),
    "build-out-symlink-loop": (lambda e: ["build", "--out", loop(e / "l")], 1, "not a folder"),
    "merge-into-symlink-loop": (lambda e: ["merge", e / "rev.csv", "--into", loop(e / "l")], 1,
                                "not a folder"),
    # ------------------------------------------------------------------- general
    "build-empty-format": (lambda e: ["build", "--out", e / "o", "--format", ","], 2, "no format"),
    "build-empty-out": (lambda e: ["build", "--out", ""], 2, "empty path"),
    "init-empty-path": (lambda e: ["init", ""], 2, "empty path"),
    "merge-empty-into": (lambda e: ["merge", e / "rev.csv", "--into", " "], 2, "empty path"),
    "code-traditional-text-unwritable-out": (
        lambda e: (e / "t.txt").write_text("廣東發展數據產業。", encoding="utf-8") and
        ["code", e / "t.txt", "--out", e / "no/o.csv"], 1, "does not exist"),
    "unknown-command": (lambda e: ["frobnicate"], 2, "invalid choice"),
    "unknown-option": (lambda e: ["validate", "--frob"], 2, "unrecognized"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name, env, cli):
    check_hostile_case(CASES[name], env, cli, lambda needle, line: needle in line)
    assert os.path.exists("/dev/null") and not os.path.isfile("/dev/null")


def test_enough_distinct_cases():
    assert len(CASES) >= 100
