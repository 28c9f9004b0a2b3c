"""The second hostile campaign (issue 18): refusals that used to change files, a workspace
model that could run code, writes that escaped their folder, internal errors, wrong
successes and misleading messages, with their neighbours.

Every refusal runs the command line and asserts the exit code, the one line
``npstudy: error: …`` (no traceback) matching a regular expression that names the cause,
and that no file changed in the case's folder (inputs, workspace, would-be outputs,
folders a link points to) or in the shipped data (``conftest.check_hostile_case``).
SIGKILL in the middle of a write is tested in ``test_sigkill_sets.py``.
"""

from __future__ import annotations

import builtins
import io
import os
import pickle
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, check_hostile_case, read_csv, tree_hashes, write_csv

from npstudy import data_dir
from npstudy.fileio import MAX_TABLE_BYTES, MAX_TABLE_ROWS, NpstudyError

PACKAGE = Path(__file__).resolve().parents[1] / "npstudy"


@pytest.fixture
def env(_template, tmp_path) -> Path:
    root = tmp_path / "t"
    shutil.copytree(_template, root, symlinks=True)
    return root


# ------------------------------------------------------------------ helpers

def reviewed(e: Path, name: str = "r.csv", row: int = 0, **changes) -> Path:
    """A copy of the reviewed suggestions with one row changed."""
    rows = read_csv(e / "rev.csv")
    rows[row].update(changes)
    return write_csv(e / name, rows, "utf-8")


def raw_reviewed(e: Path, old: str, new: str, name: str = "r.csv") -> Path:
    """The reviewed suggestions with ``old`` replaced by ``new`` in the file's text."""
    text = (e / "rev.csv").read_text(encoding="utf-8-sig")
    (e / name).write_bytes(text.replace(old, new, 1).encode("utf-8"))
    return e / name


def merge(path: Path, e: Path) -> list:
    return ["merge", path, "--into", e / "ws"]


def practices_near_the_row_cap(e: Path) -> Path:
    """A workspace practices.csv of MAX_TABLE_ROWS - 1 short rows (readable, not valid)."""
    header = (e / "ws/practices.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    cells = {"start": "0", "end": "1", "paragraph": "0", "first_mover": "false",
             "doc_id": "d1", "province": "CN-SH"}
    rest = ",".join(cells.get(c, "") for c in header[1:])
    assert header[0] == "id"
    lines = [",".join(header)] + [f"P{i + 1:06d},{rest}" for i in range(MAX_TABLE_ROWS - 1)]
    (e / "ws/practices.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return e


def practices_near_the_byte_cap(e: Path) -> Path:
    """A workspace practices.csv 200 bytes under MAX_TABLE_BYTES (one row, a long note)."""
    path = e / "ws/practices.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1] + "\n"
    assert first.rstrip("\n").endswith(",")  # the note, last column, is empty
    size = len((header + "\n").encode()) + len(first.encode())
    note = "x" * (MAX_TABLE_BYTES - 200 - size)
    path.write_text(header + "\n" + first.rstrip("\n") + note + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_TABLE_BYTES - 200
    return e


class _Runs:  # unpickling this would create a file named "pwned"
    def __init__(self, target: str):
        self.target = target

    def __reduce__(self):
        return builtins.open, (self.target, "w")


def legacy_model(e: Path) -> Path:
    (e / "ws/model").mkdir()
    (e / "ws/model/classifier.pkl").write_bytes(pickle.dumps(_Runs(str(e / "pwned"))))
    return e / "ws"


def npz(path: Path, **arrays) -> Path:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    path.write_bytes(buf.getvalue())
    return path


GOOD = {"format": np.array("npstudy-classifier-1"), "vocabulary": np.array(["浙", "江", "浙江"]),
        "idf": np.array([1.0, 1.2, 1.5]), "themes": np.array(["a.b"]),
        "coef": np.array([0.1, 0.2, 0.3, 0.4]), "intercept": np.array([0.0])}


def model_file(e: Path, **changes) -> Path:
    arrays = {**GOOD, **changes}
    return npz(e / "m.npz", **{k: v for k, v in arrays.items() if v is not None})


def code_with(model) -> callable:
    return lambda e: ["code", e / "doc.txt", "--out", e / "s.csv", "--model", model(e)]


def cut_utf8(e: Path) -> Path:
    data = "浙江设立科技创新基金。江苏".encode("utf-8")[:-1]
    (e / "cut.txt").write_bytes(data)
    return e / "cut.txt"


def fullwidth(digits: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in digits)


def link(target: Path, at: Path) -> Path:
    os.symlink(target, at)
    return at


def outside(e: Path) -> Path:
    (e / "outside").mkdir(exist_ok=True)
    (e / "outside/keep.txt").write_text("keep", encoding="utf-8")
    return e / "outside"


def scoped(e: Path, keep) -> Path:
    """Keep only the workspace practice rows for which ``keep(row)`` holds."""
    rows = [r for r in read_csv(e / "ws/practices.csv") if keep(r)]
    write_csv(e / "ws/practices.csv", rows, "utf-8")
    return e / "ws"


def trainable(e: Path) -> Path:
    rows = read_csv(e / "rev.csv")
    for i, r in enumerate(rows):
        r["decision"] = "accept" if i < 2 else "reject"
    (e / "ws/reviews").mkdir(exist_ok=True)
    write_csv(e / "ws/reviews/r.csv", rows * 3, "utf-8")
    return e / "ws"


SHIPPED = data_dir()
LINE_BREAKS = {"cr": "\r", "lf": "\n", "crlf": "\r\n", "nel": "\x85", "line-separator": "\u2028",
               "paragraph-separator": "\u2029"}
CONTROLS = {"escape": "\x1b", "nul": "\x00", "bell": "\x07", "delete": "\x7f"}

# name -> (setup(env) -> argv, exit code, regular expression the error line must match)
CASES = {
    # ------------------------------------------------ refused, and nothing changed
    "merge-quoted-lone-cr": (
        lambda e: merge(raw_reviewed(e, "A practice stated in the test text.",
                                     '"A practice\rstated"'), e), 1,
        r"r\.csv:2: column 'summary_en': .* holds a line break \('\\r'\) – a cell must be one "
        r"line"),
    "merge-lone-cr-outside-quotes": (
        lambda e: merge(raw_reviewed(e, "S00001,", "S00001\r,"), e), 1,
        r"r\.csv:2: a carriage return \(CR\) without a line feed ends a line outside quotes"),
    "merge-rejected-row-with-line-break": (  # the review copy must read back as well
        lambda e: merge(reviewed(e, row=3, note="a\u2028b"), e), 1,
        r"r\.csv:5: column 'note': .* holds a line break \('\\u2028'\)"),
    "merge-reviews-link-outside": (
        lambda e: merge(e / "rev.csv", e) if link(outside(e), e / "ws/reviews") else None, 1,
        r"ws/reviews: is a symbolic link to .*outside, outside .*ws – writes stay inside"),
    "merge-reviews-dangling-link": (
        lambda e: merge(e / "rev.csv", e) if link(e / "nowhere", e / "ws/reviews") else None,
        1, r"ws/reviews: is a symbolic link to .*nowhere, outside .*ws"),
    "merge-reviews-is-a-file": (
        lambda e: (e / "ws/reviews").write_text("x", encoding="utf-8") and merge(e / "rev.csv", e),
        1, r"ws/reviews: is a file, not a folder"),
    "merge-fullwidth-start": (
        lambda e: merge(reviewed(e, start=fullwidth("0")), e), 1,
        r"start: '０' – must be a whole number \(ASCII digits 0-9\)"),
    "merge-fullwidth-end": (
        lambda e: merge(reviewed(e, end=fullwidth("16")), e), 1,
        r"end: '１６' – must be a whole number"),
    # ------------------------------------------------ a model cannot run code
    "code-model-legacy-pickle-in-workspace": (
        code_with(legacy_model), 1,
        r"classifier\.pkl: a pickled model, which could run any code when loaded, so npstudy "
        r"does not read it – run `npstudy train WORKSPACE` again"),
    "code-model-pickle-file": (
        code_with(lambda e: legacy_model(e) / "model/classifier.pkl"), 1, r"a pickled model"),
    "code-model-pickle-renamed-npz": (
        code_with(lambda e: (legacy_model(e) / "model/classifier.pkl").rename(e / "m.npz")
                  or e / "m.npz"), 1,
        r"m\.npz: not a model saved by npstudy train \(BadZipFile|m\.npz: not a model saved"),
    "code-model-object-array": (
        code_with(lambda e: model_file(e, themes=np.array([_Runs(str(e / "pwned"))],
                                                           dtype=object))), 1,
        r"m\.npz: not a model saved by npstudy train \(.*(pickle|object)"),
    "code-model-extra-array": (
        code_with(lambda e: model_file(e, extra=np.zeros(2))), 1,
        r"m\.npz: not a model .*it holds .*extra\.npy.*expected"),
    "code-model-missing-array": (
        code_with(lambda e: model_file(e, idf=None)), 1, r"m\.npz: not a model .*expected"),
    "code-model-nan-coefficient": (
        code_with(lambda e: model_file(e, coef=np.array([0.1, np.nan, 0.3, 0.4]))), 1,
        r"not a finite number"),
    "code-model-infinite-intercept": (
        code_with(lambda e: model_file(e, intercept=np.array([np.inf]))), 1,
        r"not a finite number"),
    "code-model-wrong-shapes": (
        code_with(lambda e: model_file(e, coef=np.array([0.1, 0.2]))), 1,
        r"shapes do not match: 3 n-grams, 3 idf values, 1 themes, 2 coefficients"),
    "code-model-2d-coefficients": (
        code_with(lambda e: model_file(e, coef=np.ones((1, 4)))), 1, r"not one-dimensional"),
    "code-model-string-coefficients": (
        code_with(lambda e: model_file(e, coef=np.array(["1", "2", "3", "4"]))), 1,
        r"coef has type <U1"),
    "code-model-wrong-format": (
        code_with(lambda e: model_file(e, format=np.array("other-2"))), 1,
        r"format 'other-2', expected 'npstudy-classifier-1'"),
    "code-model-long-ngram": (
        code_with(lambda e: model_file(e, vocabulary=np.array(["浙", "江", "浙江省会"]))), 1,
        r"n-grams of 1 to 3 characters"),
    "code-model-empty-file": (
        code_with(lambda e: (e / "m.npz").write_bytes(b"") or e / "m.npz"), 1,
        r"m\.npz: not a model saved by npstudy train"),
    "code-model-unpacks-huge": (
        code_with(lambda e: huge_member(e / "m.npz")), 1, r"unpacks to more than"),
    "code-model-fifo": (
        code_with(lambda e: os.mkfifo(e / "m.npz") or e / "m.npz"), 1, r"FIFO"),
    # ------------------------------------------------ escapes
    "notebooks-into-shipped-data": (
        lambda e: ["notebooks", SHIPPED], 1,
        r"the notebook folder is inside npstudy or the data shipped with it"),
    "notebooks-into-shipped-data-forced": (
        lambda e: ["notebooks", SHIPPED, "--force"], 1, r"inside npstudy or the data shipped"),
    "notebooks-into-a-new-subfolder-of-data": (
        lambda e: ["notebooks", SHIPPED / "new"], 1, r"inside npstudy or the data shipped"),
    "notebooks-into-raw": (
        lambda e: ["notebooks", SHIPPED / "raw", "--student"], 1, r"inside npstudy or the data"),
    "notebooks-through-a-link-to-data": (
        lambda e: ["notebooks", link(SHIPPED, e / "d"), "--force"], 1,
        r"d: the notebook folder is inside npstudy or the data shipped with it"),
    "notebooks-through-a-link-below": (
        lambda e: ["notebooks", link(SHIPPED, e / "d") / "sub"], 1, r"inside npstudy"),
    "notebooks-into-the-package": (
        lambda e: ["notebooks", PACKAGE, "--force"], 1, r"inside npstudy"),
    "notebooks-into-the-package-fonts": (
        lambda e: ["notebooks", PACKAGE / "fonts"], 1, r"inside npstudy"),
    "build-tables-link-outside": (
        lambda e: (os.mkdir(e / "o"), link(outside(e), e / "o/tables")) and
        ["build", "--out", e / "o"], 1,
        r"o/tables: is a symbolic link to .*outside, outside .*o – writes stay inside"),
    "add-document-raw-link-outside": (
        lambda e: (shutil.rmtree(e / "ws/raw"), link(outside(e), e / "ws/raw")) and
        ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x"], 1,
        r"resolves to .*outside.*paths must stay inside the workspace"),
    "validate-workspace-with-a-forged-journal": (
        lambda e: forged_journal(e / "ws") and ["validate", e / "ws"], 1,
        r"\.npstudy-0123456789ab\.journal: not a journal npstudy wrote – if no npstudy command "
        r"is running, delete it"),
    "merge-into-a-workspace-with-a-forged-journal": (
        lambda e: forged_journal(e / "ws") and merge(e / "rev.csv", e), 1,
        r"not a journal npstudy wrote"),
    "code-out-beside-a-journal-that-is-a-folder": (
        lambda e: os.mkdir(e / ".npstudy-0123456789ab.journal") or
        ["code", e / "doc.txt", "--out", e / "s.csv"], 1, r"not a journal npstudy wrote"),
    # ------------------------------------------------ internal errors made clear
    "evaluate-nothing": (lambda e: ["evaluate"], 2, r"evaluate needs a labelled corpus FOLDER"),
    "evaluate-bootstrap-zero": (
        lambda e: ["evaluate", "--article", "--bootstrap", "0"], 2,
        r"'0' is not a whole number of at least 1"),
    "evaluate-bootstrap-negative": (
        lambda e: ["evaluate", "--article", "--bootstrap", "-5"], 2, r"at least 1"),
    "evaluate-bootstrap-fullwidth": (
        lambda e: ["evaluate", "--article", "--bootstrap", fullwidth("10")], 2,
        r"'１０' is not a whole number"),
    "evaluate-same-name-twice": (
        lambda e: (os.makedirs(e / "a/c"), os.makedirs(e / "b/c")) and
        ["evaluate", e / "a/c", e / "b/c"], 2, r"are both named 'c'"),
    # ------------------------------------------------ wrong successes
    "code-text-cut-inside-its-last-character": (
        lambda e: ["code", cut_utf8(e), "--out", e / "s.csv"], 1,
        r"cut\.txt: the file ends in the middle of a UTF-8 character \(its last 2 byte\(s\), "
        r"e8 8b, .*cut off"),
    "add-document-text-cut": (
        lambda e: ["add-document", e / "ws", cut_utf8(e), "--doc-id", "c"], 1,
        r"ends in the middle of a UTF-8 character"),
    "code-text-cut-forced-utf8": (
        lambda e: ["code", cut_utf8(e), "--encoding", "utf-8"], 1, r"cut off"),
    "validate-registered-text-cut": (
        lambda e: (e / "ws/raw/d1.txt").write_bytes((e / "doc.txt").read_bytes()[:-1])
        and ["validate", e / "ws"], 1, r"cut off"),
    "add-document-fullwidth-date": (
        lambda e: ["add-document", e / "ws", e / "doc.txt", "--doc-id", "x", "--date",
                   fullwidth("2024")], 1, r"is not a calendar date .* ASCII digits"),
    "agree-fullwidth-offset": (
        lambda e: ["agree", reviewed(e, "a.csv", start=fullwidth("0")), e / "rev.csv",
                   "--data", e / "ws"], 1, r"start: '０'"),
    # ------------------------------------------------ messages that say the real cause
    "build-only-national-rows": (
        lambda e: ["build", "--data", scoped(e, lambda r: r["scope"] == "national"), "--out",
                   e / "o"], 1,
        r"all 6 rows describe national programmes \(scope = national\)"),
    "build-one-province": (
        lambda e: ["build", "--data", scoped(e, lambda r: r["province"] == "CN-SH"), "--out",
                   e / "o"], 1,
        r"provincial practice of 1 province\(s\) only \(CN-SH\); .* add coded rows for more "
        r"provinces"),
    "validate-old-mac-csv": (
        lambda e: (e / "ws/practices.csv").write_bytes(
            (e / "ws/practices.csv").read_bytes().replace(b"\n", b"\r"))
        and ["validate", e / "ws"], 1,
        r"its lines end with a carriage return alone \(CR, as old Mac programs save text\)"),
    "merge-old-mac-review": (
        lambda e: (e / "r.csv").write_bytes((e / "rev.csv").read_bytes().replace(b"\n", b"\r"))
        and merge(e / "r.csv", e), 1, r"r\.csv: its lines end with a carriage return alone"),
    "merge-lock-is-a-self-link": (
        lambda e: (os.remove(e / "ws/.npstudy.lock") if os.path.lexists(e / "ws/.npstudy.lock")
                   else None, link(Path(".npstudy.lock"), e / "ws/.npstudy.lock"))
        and merge(e / "rev.csv", e), 1,
        r"\.npstudy\.lock: is a symbolic link \(to \.npstudy\.lock\), and the lock of a "
        r"workspace must be a plain file – remove the link"),
    "merge-into-a-link-loop": (
        lambda e: ["merge", e / "rev.csv", "--into", link(Path("l"), e / "l")], 1,
        r"l: is a loop of symbolic links .* not a folder – remove or fix the link"),
    "add-document-into-a-dangling-link": (
        lambda e: ["add-document", link(e / "gone", e / "l"), e / "doc.txt", "--doc-id", "x"],
        1, r"l: is a symbolic link to .*gone, which does not exist"),
    "code-out-is-a-folder": (
        lambda e: os.mkdir(e / "o") or ["code", e / "doc.txt", "--out", e / "o"], 1,
        r"o: is a folder; outputs must be regular files – choose another output file name"),
    "code-out-is-a-folder-forced": (
        lambda e: os.mkdir(e / "o") or ["code", e / "doc.txt", "--out", e / "o", "--force"], 1,
        r"o: is a folder"),
    "code-aggregates-target-is-a-folder": (
        lambda e: os.mkdir(e / "s_aggregates.csv") or
        ["code", e / "doc.txt", "--out", e / "s.csv"], 1,
        r"s_aggregates\.csv: is a folder"),
    "evaluate-out-is-a-folder": (
        lambda e: os.mkdir(e / "o") or ["evaluate", "--article", "--out", e / "o"], 1,
        r"o: is a folder; outputs must be regular files"),
    "agree-out-is-a-folder": (
        lambda e: os.mkdir(e / "o") or ["agree", e / "rev.csv", e / "rev.csv", "--data",
                                        e / "ws", "--out", e / "o"], 1, r"o: is a folder"),
}
for label, ch in {**LINE_BREAKS, **CONTROLS}.items():
    for field in ("title", "outlet"):
        CASES[f"add-document-{field}-{label}"] = (
            lambda e, ch=ch, field=field: ["add-document", e / "ws", e / "doc.txt", "--doc-id",
                                           "x", f"--{field}", f"a{ch}b"], 1,
            rf"{field}: 'a{re.escape(repr(ch)[1:-1])}b' holds "
            rf"'{re.escape(repr(ch[0])[1:-1])}' \(character 2\) – write it on one line")
for label, ch in LINE_BREAKS.items():
    if ch in ("\r", "\n", "\r\n"):
        continue  # a bare line break ends the row; quoted, it is the case above
    CASES[f"merge-accepted-cell-{label}"] = (
        lambda e, ch=ch: merge(reviewed(e, summary_en=f"a{ch}b"), e), 1,
        r"r\.csv:2: column 'summary_en': .* holds a line break")


def forged_journal(folder: Path) -> Path:
    """A journal that would have recovery delete a file outside its folder."""
    path = folder / ".npstudy-0123456789ab.journal"
    path.write_text('{"token": "0123456789ab", "entries": [{"target": "../doc.txt", '
                    '"new": "../.doc.txt.0123456789ab.new.npstudy-tmp", "old": null}]}',
                    encoding="utf-8")
    return path


def huge_member(path: Path) -> Path:
    """An .npz whose one member claims to unpack to 200 MiB (it is all zeros)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for key in GOOD:
            z.writestr(f"{key}.npy", b"\0" * (70 * 1024 * 1024 if key == "coef" else 10))
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name, env, cli):
    check_hostile_case(CASES[name], env, cli, re.search)
    assert not (env / "pwned").exists()


# the caps themselves, lowered so that the tables stay small: the same checks, in seconds
@pytest.mark.parametrize("cap", ["rows", "bytes"])
def test_merge_past_a_cap_is_refused_before_writing(cap, env, cli, monkeypatch):
    import npstudy.workspace as workspace

    base = (env / "ws/practices.csv").read_bytes()
    n_rows = base.count(b"\n") - 1
    if cap == "rows":  # the three accepted rows would make one too many
        monkeypatch.setattr(workspace, "MAX_TABLE_ROWS", n_rows + 2)
        expected = rf"would hold {n_rows + 3} rows, more than the {n_rows + 2} rows"
    else:
        monkeypatch.setattr(workspace, "MAX_TABLE_BYTES", len(base) + 200)
        expected = rf"would take [0-9,]+ bytes, more than the {len(base) + 200:,} bytes"
    check_hostile_case((lambda e: merge(e / "rev.csv", e), 1,
                        r"ws/practices\.csv: " + expected + r" npstudy reads from a table – "
                        r"nothing was changed"), env, cli, re.search)


@pytest.mark.slow
@pytest.mark.parametrize("cap", ["rows", "bytes"])
def test_merge_past_the_real_caps_is_refused_before_writing(cap, env, cli):
    if cap == "rows":
        case = (lambda e: merge(e / "rev.csv", practices_near_the_row_cap(e)), 1,
                r"practices\.csv: would hold 100,002 rows, more than the 100,000 rows .* "
                r"nothing was changed")
    else:
        case = (lambda e: merge(e / "rev.csv", practices_near_the_byte_cap(e)), 1,
                r"practices\.csv: would take [0-9,]+ bytes, more than the 33,554,432 bytes .* "
                r"nothing was changed")
    check_hostile_case(case, env, cli, re.search)


# ------------------------------------------------------------------ successes that were wrong

def test_merge_takes_017_and_17_as_the_same_offset(env, cli):
    assert cli("merge", env / "rev.csv", "--into", env / "ws").code == 0
    before = (env / "ws/practices.csv").read_bytes()
    rows = read_csv(env / "rev.csv")
    for r in rows:
        r["start"], r["end"] = "0" + r["start"], "00" + r["end"]
    write_csv(env / "padded.csv", rows)
    run = cli("merge", env / "padded.csv", "--into", env / "ws")
    assert run.code == 0, run.err
    assert "merged 0 new row(s)" in run.out and "3 accepted row(s) already present" in run.out
    assert (env / "ws/practices.csv").read_bytes() == before


def test_merge_takes_a_city_by_its_full_and_short_name_as_one(env, cli):
    rows = read_csv(env / "rev.csv")
    gd = [i for i, r in enumerate(rows) if r["province"] == "CN-GD"][0]
    rows[gd]["city"] = "深圳市"
    write_csv(env / "full.csv", rows)
    assert cli("merge", env / "full.csv", "--into", env / "ws").code == 0
    before = (env / "ws/practices.csv").read_bytes()
    rows[gd]["city"] = "深圳"
    write_csv(env / "short.csv", rows)
    run = cli("merge", env / "short.csv", "--into", env / "ws")
    assert run.code == 0, run.err
    assert "merged 0 new row(s)" in run.out
    assert (env / "ws/practices.csv").read_bytes() == before
    assert [r["city"] for r in read_csv(env / "ws/practices.csv")].count("深圳市") == 1


def test_a_title_with_a_tab_is_one_line_and_validates(env, cli):
    run = cli("add-document", env / "ws", env / "doc.txt", "--doc-id", "tab", "--title",
              "a\tb", "--outlet", "人民日报")
    assert run.code == 0, run.err
    assert cli("validate", env / "ws").code == 0


# ------------------------------------------------------------------ a model is data

def test_train_saves_arrays_and_code_uses_them_without_pickle(env, cli):
    ws = trainable(env)
    run = cli("train", ws)
    assert run.code == 0, run.err
    assert sorted(p.name for p in (ws / "model").iterdir()) == ["classifier.json",
                                                                "classifier.npz"]
    with np.load(ws / "model/classifier.npz", allow_pickle=False) as z:
        assert sorted(z.files) == ["coef", "format", "idf", "intercept", "themes", "vocabulary"]
        assert not any(z[k].dtype.hasobject for k in z.files)
    # `code --model` with a trained model: tests/test_learn.py


def test_the_rebuilt_classifier_gives_scikit_learns_probabilities():
    import pandas as pd

    from npstudy.learn import Classifier, fit, load_model

    acc = [f"浙江设立第{i}支科技创新基金" for i in range(30)]
    rej = [f"基金行业的第{i}份背景报告  显示 规模较大" for i in range(30)]
    reviews = pd.DataFrame({"quote": acc + rej, "theme": ["a.b"] * 30 + ["c.d"] * 30,
                            "accepted": [True] * 30 + [False] * 30})
    pipeline = fit(reviews, seed=2)
    new = pd.DataFrame({"quote": ["江苏设立基金", "ABC  Def\t\tx", "", "背景"],
                        "theme": ["a.b", "c.d", "a.b", "unknown"]})
    rebuilt = Classifier.from_pipeline(pipeline)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"npstudy-test-{os.getpid()}.npz"
    try:
        path.write_bytes(rebuilt.to_bytes())
        loaded = load_model(path)
    finally:
        path.unlink(missing_ok=True)
    np.testing.assert_allclose(loaded.predict_proba(new), pipeline.predict_proba(new),
                               rtol=0, atol=1e-12)


def test_train_refuses_a_model_link_outside(env, cli):
    ws = trainable(env)
    link(outside(env), ws / "model")
    before = tree_hashes(env), tree_hashes(data_dir())
    run = cli("train", ws)
    assert run.code == 1
    assert re.search(r"ws/model: is a symbolic link to .*outside, outside", run.error_line())
    assert (tree_hashes(env), tree_hashes(data_dir())) == before


# ------------------------------------------------------------------ guards that hold whatever is imported

def run_python(code: str, **env) -> subprocess.CompletedProcess:
    environ = {**os.environ, **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env=environ, cwd=ROOT)


def test_notebooks_refuse_the_shipped_data_whatever_was_imported_and_without_fcntl():
    """In a fresh interpreter without fcntl (as on Windows), npstudy imports, and copying the
    notebooks into the shipped data is refused although the module that used to fill the
    protected list (npstudy.dataset) was never imported."""
    before = tree_hashes(data_dir())
    code = ("import sys\n"
            "sys.modules['fcntl'] = None\n"
            "from npstudy.notebooks import copy_notebooks\n"
            "from npstudy.fileio import NpstudyError\n"
            "import npstudy.workspace, npstudy.cli\n"
            "sys.modules.pop('npstudy.dataset', None)\n"
            "import npstudy.fileio as f\n"
            "f._PROTECTED.clear()\n"
            f"for target in [{str(data_dir())!r}, {str(data_dir() / 'sub')!r}]:\n"
            "    try:\n"
            "        copy_notebooks(target, force=True)\n"
            "    except NpstudyError as err:\n"
            "        print('refused', err)\n")
    proc = run_python(code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("refused") == 2
    assert tree_hashes(data_dir()) == before
    assert not (data_dir() / "sub").exists()


def test_every_error_class_derives_from_one_root():
    from npstudy.build import BuildError
    from npstudy.fileio import CodingError, DataError
    from npstudy.notebooks import NotebookError

    for kind in (BuildError, CodingError, DataError, NotebookError):
        assert issubclass(kind, NpstudyError)


def test_matplotlib_is_quiet_when_home_is_not_writable():
    proc = run_python("import os, tempfile, npstudy._mplconfig, matplotlib\n"
                      "folder = os.environ['MPLCONFIGDIR']\n"
                      "print(folder.startswith(os.path.join(tempfile.gettempdir(), "
                      "'npstudy-matplotlib-')))\n"
                      "print(matplotlib.get_configdir() == folder == matplotlib.get_cachedir())",
                      HOME="/dev/null/home", XDG_CONFIG_HOME="", XDG_CACHE_HOME="",
                      MPLCONFIGDIR="")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["True", "True"]
    assert proc.stderr == ""
    # a writable home changes nothing
    proc = run_python("import os, npstudy._mplconfig\nprint(os.environ.get('MPLCONFIGDIR'))",
                      MPLCONFIGDIR="")
    assert proc.stdout.strip() in ("", "None")


def test_counts_beyond_int16_draw_a_heatmap():
    """A workspace at the row cap can count 99,951 practices in one cell; BoundaryNorm indexes
    its colours in int16, so such counts take continuous colours."""
    import matplotlib.colors as mcolors
    import numpy as np

    from npstudy.plots.grid import MAX_DISCRETE_COUNTS, count_scale

    assert MAX_DISCRETE_COUNTS < 99_951
    cmap, norm = count_scale(99_951)
    assert isinstance(norm, mcolors.Normalize) and not isinstance(norm, mcolors.BoundaryNorm)
    assert (norm.vmin, norm.vmax) == (1, 99_951)
    assert np.isfinite(cmap(norm(np.array([1, 50_000, 99_951])))).all()
    # small counts keep one colour per count
    assert isinstance(count_scale(12)[1], mcolors.BoundaryNorm)


@pytest.mark.slow
def test_build_at_the_row_cap(tmp_path, cli):
    """A valid workspace of 100,000 rows (the shipped rows, and short spans of the first rows'
    sentences coded for every province) builds: no int16 overflow, no internal error."""
    from npstudy import load_provinces, load_source
    from npstudy.dataset import FIRST_MOVER_MARKERS, practice_key
    from npstudy.workspace import make_workspace

    ws = make_workspace(tmp_path / "ws")
    rows = read_csv(ws / "practices.csv")
    source = load_source()
    seen = {practice_key(r) for r in rows}
    extra = []
    for r in rows:
        s0, e0 = int(r["start"]), int(r["end"])
        for province in load_provinces()["iso_code"]:
            for s in range(s0, e0 - 1):
                for e in range(s + 2, min(s + 6, e0) + 1):  # short spans: within 32 MiB
                    q = source[s:e]
                    row = dict(r, id=f"X{len(extra):06d}", statement="", province=province,
                               city="", start=str(s), end=str(e), quote=q, target="",
                               summary_en="A span.",
                               first_mover=str(any(m in q for m in FIRST_MOVER_MARKERS)).lower())
                    if practice_key(row) not in seen:
                        seen.add(practice_key(row))
                        extra.append(row)
                    if len(rows) + len(extra) == MAX_TABLE_ROWS:
                        break
                if len(rows) + len(extra) == MAX_TABLE_ROWS:
                    break
            if len(rows) + len(extra) == MAX_TABLE_ROWS:
                break
        if len(rows) + len(extra) == MAX_TABLE_ROWS:
            break
    write_csv(ws / "practices.csv", rows + extra, "utf-8")
    assert cli("validate", ws).code == 0
    run = cli("build", "--data", ws, "--out", tmp_path / "o", "--lang", "en", "-q")
    assert run.code == 0, run.err
    assert (tmp_path / "o" / "fig2_coverage_heatmap_en.png").is_file()
