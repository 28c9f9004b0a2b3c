"""More hostile input: control characters and blank texts where texts enter, impossible
dates, one file (or one document id) given twice, malformed reference tables, huge
numbers, stale lock files, and inputs that are large but allowed.

As in ``test_hostile.py``, every refusal asserts the exit code, the one line
``npstudy: error: …`` naming the file, row, column or value with a suggestion, and that
nothing in the temporary folder or the shipped data changed.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import TEXT, check_hostile_case, read_csv, tree_hashes, write_csv

from npstudy import data_dir, fileio, validate
from npstudy.reliability import cohen_kappa

SOURCE = "000_08799d6d3f16f583"


@pytest.fixture
def env(_template, tmp_path) -> Path:
    root = tmp_path / "t"
    shutil.copytree(_template, root, symlinks=True)
    return root


def text_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def add(e: Path, file: Path, *extra) -> list:
    return ["add-document", e / "ws", file, "--doc-id", "d2", *extra]


# a text with one control character on its second line, fifth column
def ctrl_text(ch: str) -> str:
    return "浙江设立科技创新基金。\n江苏率先" + ch + "发展人工智能产业。\n"


CONTROLS = {"form-feed": "\x0c", "escape": "\x1b", "vertical-tab": "\x0b", "bell": "\x07",
            "soh": "\x01", "delete": "\x7f", "unit-separator": "\x1f", "backspace": "\x08"}
BLANKS = {"spaces": "   \n\n  ", "ideographic-space": "\u3000\u3000\n\u3000",
          "tabs-and-crlf": "\t\r\n\t\r\n", "nbsp-and-em-space": "\u00a0\u2003\n"}

# name -> (setup(env) -> argv, exit code, regular expression the error line must match)
CASES = {}
for label, ch in CONTROLS.items():
    needle = re.escape(repr(ch)) + r".*line break"
    CASES[f"add-document-{label}"] = (
        lambda e, ch=ch: add(e, text_file(e / "c.txt", ctrl_text(ch))), 1,
        r"c\.txt:2: column 5: holds the control character " + needle)
    CASES[f"code-{label}"] = (
        lambda e, ch=ch: ["code", text_file(e / "c.txt", ctrl_text(ch)), "--out", e / "s.csv"],
        1, r"c\.txt:2: column 5: .*" + needle)
for label, blank in BLANKS.items():
    CASES[f"add-document-blank-{label}"] = (
        lambda e, b=blank: add(e, text_file(e / "b.txt", b)), 1, r"b\.txt: file is empty")
    CASES[f"code-blank-{label}"] = (
        lambda e, b=blank: ["code", text_file(e / "b.txt", b), "--doc-id", "b"], 1,
        r"b\.txt: file is empty")
for date in ("2024-13-99", "0000", "2023-02-29", "2024-00", "2024-04-31", "2024-1-5"):
    CASES[f"add-document-date-{date}"] = (
        lambda e, d=date: add(e, e / "doc.txt", "--date", d), 1,
        re.escape(f"date: {date!r} is not a calendar date") + r".*e\.g\. 2024-05")
CASES.update({
    "add-document-form-feed-several": (
        lambda e: add(e, text_file(e / "c.txt", "上海\x0c举办论坛。\x0c\x0c")), 1,
        r"c\.txt:1: column 3: .*'\\x0c' \(and 2 more\)"),
    "validate-registered-text-with-control": (
        lambda e: (e / "ws/raw/d1.txt").write_text(TEXT.replace("。", "。\x0c", 1),
                                                   encoding="utf-8") and ["validate", e / "ws"],
        1, r"documents\.csv:3: path: 'raw/d1\.txt' – the text holds the control character "
           r"'\\x0c' – register a plain UTF-8 text"),
    "validate-registered-text-blank": (
        lambda e: (e / "ws/raw/d1.txt").write_text("\u3000\n", encoding="utf-8") and
        ["validate", e / "ws"], 1, r"documents\.csv:3: path: .*the text is empty"),
    "code-same-file-twice": (
        lambda e: ["code", e / "doc.txt", e / "doc.txt", "--out", e / "s.csv"], 1,
        r"doc\.txt: given twice \(also as FILE 1\) – pass each file once"),
    "code-same-file-by-another-path": (
        lambda e: os.symlink(e / "doc.txt", e / "other.txt") or
        ["code", e / "doc.txt", e / "ws/../other.txt", "--out", e / "s.csv"], 1,
        r"other\.txt: given twice"),
    "code-same-stem-two-folders": (
        lambda e: (os.mkdir(e / "a"), os.mkdir(e / "b"), shutil.copy(e / "doc.txt", e / "a/t.txt"),
                   text_file(e / "b/t.txt", "广东出台条例，发展人工智能产业。"))
        and ["code", e / "a/t.txt", e / "b/t.txt", "--out", e / "s.csv"], 1,
        r"a/t\.txt and .*b/t\.txt: both get the document id 't' .* --doc-id"),
    "validate-provinces-missing-columns": (
        lambda e: (e / "ws/provinces.csv").write_text(
            "\n".join(",".join(line.split(",")[:3]) for line in (data_dir() / "provinces.csv")
                      .read_text(encoding="utf-8").splitlines()) + "\n", encoding="utf-8")
        and ["validate", e / "ws"], 1,
        r"provinces\.csv:1: .*missing column\(s\) short_zh, name_en, region, tile_row, tile_col"),
    "build-data-no-province": (
        lambda e: (e / "ws/practices.csv").write_text(
            (e / "ws/practices.csv").read_text(encoding="utf-8").splitlines()[0] + "\n",
            encoding="utf-8") and ["build", "--data", e / "ws", "--out", e / "o"], 1,
        r"practices.csv holds no coded rows – code some practice"),
    "validate-csv-over-cap-named-once": (
        lambda e: (open(e / "big.csv", "wb").truncate(fileio.MAX_TABLE_BYTES + 1),
                   ["validate", e / "big.csv"])[1], 1,
        r"big\.csv:0: \(file\): 'big\.csv' – file is [0-9,]+ bytes, more than the "
        r"[0-9,]+-byte limit – split it"),
    "code-over-the-coding-cap": (
        lambda e: ["code", text_file(e / "long.txt", TEXT * (fileio.MAX_CODED_TEXT_BYTES
                                                              // len(TEXT.encode()) + 1)),
                   "--out", e / "s.csv"], 1,
        r"long\.txt: file is [0-9,]+ bytes, more than the 262,144-byte limit of `npstudy code` – "
        r"split it"),
    "add-document-over-the-coding-cap": (
        lambda e: add(e, text_file(e / "long.txt", TEXT * (fileio.MAX_CODED_TEXT_BYTES
                                                           // len(TEXT.encode()) + 1))), 1,
        r"long\.txt: file is [0-9,]+ bytes, more than the 262,144-byte limit – split it"),
    "code-out-empty": (lambda e: ["code", e / "doc.txt", "--out", ""], 2, "empty path"),
    "agree-out-empty": (lambda e: ["agree", e / "sug.csv", e / "sug.csv", "--data", e / "ws",
                                   "--out", ""], 2, "empty path"),
})


@pytest.mark.parametrize("name", sorted(CASES))
def test_more_hostile_input(name, env, cli):
    check_hostile_case(CASES[name], env, cli, re.search)


@pytest.fixture
def warm_coder(env, monkeypatch):
    """``npstudy code`` with a coder that has read its lexicon already, so that a cap lowered
    afterwards applies only to what the command writes."""
    import npstudy.coder.core

    coder = npstudy.coder.Coder()
    npstudy.coder.code_file(env / "doc.txt", "d1", coder=coder)
    monkeypatch.setattr(npstudy.coder.core, "_DEFAULT_CODER", coder)
    return coder


def test_code_refuses_more_suggestions_than_merge_reads(env, cli, monkeypatch, warm_coder):
    """The template text gives 4 suggestions; with a row cap of 3 they could not be merged
    back, so code refuses to write them."""
    assert len(read_csv(env / "sug.csv")) == 4
    monkeypatch.setattr(fileio, "MAX_TABLE_ROWS", 3)
    before = tree_hashes(env)
    run = cli("code", env / "doc.txt", "--out", env / "s.csv")
    assert run.code == 1
    assert re.search(r"doc\.txt: 4 suggestions, more than the 3 rows `npstudy merge` reads – "
                     r"split the text", run.error_line())
    assert tree_hashes(env) == before


def test_code_refuses_suggestions_larger_than_merge_reads(env, cli, monkeypatch, warm_coder):
    """Each suggestion quotes its sentence, so the table can outgrow the text many times; code
    refuses a table that merge would refuse (cap lowered to 1,000 bytes: the template's
    suggestions take more, as the file written without the cap shows)."""
    assert cli("code", env / "doc.txt", "--out", env / "full.csv").code == 0
    assert (env / "full.csv").stat().st_size > 1_000
    monkeypatch.setattr(fileio, "MAX_TABLE_BYTES", 1_000)
    before = tree_hashes(env)
    run = cli("code", env / "doc.txt", "--out", env / "s.csv")
    assert run.code == 1
    longest = max(len(row["quote"]) for row in read_csv(env / "full.csv"))
    assert (f"doc.txt: the suggestions would take more than the 1,000 bytes `npstudy merge` "
            f"reads, as each quotes its sentence (the longest has {longest} characters) – end "
            "sentences with 。 or line breaks") in run.error_line()
    assert tree_hashes(env) == before


def test_text_rule_is_the_table_rule():
    """Texts refuse exactly the control characters table cells refuse: C0 except tab, line
    feed and carriage return, and DEL (30 of 128 ASCII characters)."""
    refused = [chr(c) for c in range(128) if fileio.CONTROL_CHARS.search(chr(c))]
    assert refused == [chr(c) for c in [*range(0, 9), 11, 12, *range(14, 32), 127]]
    assert len(refused) == 30


def test_form_feed_text_becomes_codable_once_replaced(env, cli):
    """The message's suggestion works: with the form feed replaced by a line break the text
    registers, codes and merges (the dead end of a text accepted, then refused, is gone)."""
    text = ctrl_text("\x0c")
    assert cli(*add(env, text_file(env / "c.txt", text))).code == 1
    fixed = text_file(env / "c.txt", text.replace("\x0c", "\n"))
    assert cli(*add(env, fixed)).code == 0
    assert cli("code", env / "ws/raw/d2.txt", "--doc-id", "d2", "--out", env / "s.csv").code == 0
    rows = read_csv(env / "s.csv")
    for row in rows:
        row.update(decision="accept", summary_en="A practice stated in the test text.")
    write_csv(env / "r.csv", rows)
    run = cli("merge", env / "r.csv", "--into", env / "ws")
    assert run.code == 0, run.err
    # by hand: only 浙江设立科技创新基金 names a province and a keyword in one sentence
    assert f"merged {len(rows)} new row(s)" in run.out and len(rows) == 1
    assert validate(env / "ws") == []


@pytest.mark.parametrize("date", ["2024", "2024-02", "2024-02-29", "1999-12-31"])
def test_calendar_dates_are_accepted(env, cli, date):
    run = cli(*add(env, env / "doc.txt", "--date", date))
    assert run.code == 0, run.err
    row = [r for r in read_csv(env / "ws/documents.csv") if r["doc_id"] == "d2"][0]
    assert row["year"] == date[:4]


def test_one_file_under_two_names_in_different_folders_with_doc_ids(env, cli):
    """Two files with one stem are fine when coded one at a time with their own ids."""
    os.mkdir(env / "a")
    shutil.copy(env / "doc.txt", env / "a/doc.txt")
    assert cli("code", env / "a/doc.txt", "--doc-id", "a1", "--out", env / "a.csv").code == 0
    assert cli("code", env / "doc.txt", "--doc-id", "b1", "--out", env / "b.csv").code == 0
    assert {r["doc_id"] for r in read_csv(env / "a.csv")} == {"a1"}


def test_init_over_a_stale_lock_file(tmp_path, cli):
    """A killed init leaves only the lock file; init then proceeds."""
    (tmp_path / "l").mkdir()
    (tmp_path / "l/.npstudy.lock").touch()
    shipped = tree_hashes(data_dir())
    run = cli("init", tmp_path / "l")
    assert run.code == 0, run.err
    assert validate(tmp_path / "l") == []
    assert tree_hashes(data_dir()) == shipped


def test_init_refuses_a_folder_with_a_lock_and_other_files(tmp_path, cli):
    (tmp_path / "l").mkdir()
    (tmp_path / "l/.npstudy.lock").touch()
    (tmp_path / "l/notes.txt").write_text("mine", encoding="utf-8")
    before = tree_hashes(tmp_path)
    run = cli("init", tmp_path / "l")
    assert run.code == 1
    assert "already holds notes.txt – choose a new or empty folder" in run.error_line()
    assert tree_hashes(tmp_path) == before


def test_merge_beside_an_overflowing_numeric_id(env, cli):
    """An id of 23 digits in the workspace neither crashes merge nor is reused: new ids
    continue after the largest id of the usual form (up to P058 here, so P059…)."""
    rows = read_csv(env / "ws/practices.csv")
    rows[0]["id"] = "P" + "9" * 23
    write_csv(env / "ws/practices.csv", rows, "utf-8")
    assert validate(env / "ws") == []
    run = cli("merge", env / "rev.csv", "--into", env / "ws")
    assert run.code == 0, run.err
    ids = [r["id"] for r in read_csv(env / "ws/practices.csv")]
    assert len(rows) == 51 and ids[50] == "P058"
    assert ids[-3:] == ["P059", "P060", "P061"]
    assert len(set(ids)) == len(ids) == 54
    assert validate(env / "ws") == []


def test_readme_agree_example_on_raw_coder_output(tmp_path, cli):
    """README: `npstudy agree data/practices.csv suggestions.csv` on the coder's raw output
    reports kappa 0.937. Raw suggestions carry no review notes; agree must not apply the
    review rule R6. The pooled kappa is recomputed here with ``cohen_kappa`` from the
    per-theme counts agree prints (both, only_a, only_b, neither)."""
    out = tmp_path / "suggestions.csv"
    assert cli("code", data_dir() / "raw" / f"{SOURCE}.txt", "--out", out).code == 0
    run = cli("agree", data_dir() / "practices.csv", out)
    assert run.code == 0, run.err
    a, b = [], []
    for line in run.out.splitlines():
        parts = line.split()
        if parts and "." in parts[0] and len(parts) == 10:
            both, only_a, only_b, neither = map(int, parts[2:6])
            a += [1] * both + [1] * only_a + [0] * only_b + [0] * neither
            b += [1] * both + [0] * only_a + [1] * only_b + [0] * neither
    assert len(a) == 44 * 12
    kappa = cohen_kappa(a, b)
    assert f"{kappa:.3f}" == "0.937"
    assert f"{kappa:.3f}" in [line.split()[8] for line in run.out.splitlines()
                              if line.startswith("all")]


def test_agree_still_checks_codings(env, cli):
    rows = read_csv(env / "sug.csv")
    rows[0]["theme"] = "green.nothing"
    write_csv(env / "bad.csv", rows)
    run = cli("agree", env / "ws/practices.csv", env / "bad.csv", "--data", env / "ws")
    assert run.code == 1
    assert "bad.csv:2: theme: 'green.nothing' – not a theme id of the codebook" in run.error_line()
