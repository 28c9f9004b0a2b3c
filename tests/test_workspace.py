"""Workspaces from the command line and from Python: init, add-document, code, merge."""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import pytest
from conftest import TEXT, read_csv, tree_hashes, write_csv

from npstudy import data_dir, load_documents, load_practices, validate
from npstudy.fileio import CodingError
from npstudy.workspace import make_workspace, merge_reviewed, register_document


def test_init_makes_a_copy_that_validates(tmp_path, cli):
    run = cli("init", tmp_path / "ws")
    assert run.code == 0 and "created workspace" in run.out
    assert validate(tmp_path / "ws") == []
    shipped = load_practices()
    pd.testing.assert_frame_equal(load_practices(tmp_path / "ws" / "practices.csv"), shipped)
    for name in ("aggregates.csv", "documents.csv", "source_layout.csv"):
        assert (tmp_path / "ws" / name).read_bytes() == (data_dir() / name).read_bytes()


def test_init_accepts_an_empty_folder(tmp_path, cli):
    (tmp_path / "ws").mkdir()
    assert cli("init", tmp_path / "ws").code == 0


def test_init_failure_leaves_nothing(tmp_path, monkeypatch):
    import npstudy.workspace as workspace

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(workspace, "write_files_atomic", boom)
    with pytest.raises(OSError):
        make_workspace(tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def test_add_document_records_the_text(tmp_path, workspace, cli):
    text = "第一行。\n\n江苏建设概念验证中心。"
    (tmp_path / "n.txt").write_bytes(text.encode("gb18030"))
    run = cli("add-document", workspace, tmp_path / "n.txt", "--doc-id", "n-1", "--title", "标题",
              "--outlet", "Daily", "--date", "2024-03-05")
    assert run.code == 0, run.err
    stored = (workspace / "raw" / "n-1.txt").read_bytes()
    assert stored == text.encode("utf-8")  # converted, so offsets stay character offsets
    row = load_documents(workspace / "documents.csv").set_index("doc_id").loc["n-1"]
    assert row["sha256"] == hashlib.sha256(stored).hexdigest()
    assert (row["chars"], row["lines"], row["year"]) == (len(text), 3, 2024)
    assert "标题" in row.to_string()
    assert validate(workspace) == []


def test_add_document_is_all_or_nothing(tmp_path, workspace, monkeypatch):
    import npstudy.fileio as fileio

    before = tree_hashes(workspace)
    real, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        real(src, dst)

    (tmp_path / "n.txt").write_text(TEXT, encoding="utf-8")
    monkeypatch.setattr(fileio.os, "replace", failing)
    with pytest.raises(OSError):
        register_document(workspace, tmp_path / "n.txt", "n1")
    monkeypatch.setattr(fileio.os, "replace", real)
    assert tree_hashes(workspace) == before
    register_document(workspace, tmp_path / "n.txt", "n1")  # a retry is not blocked
    assert validate(workspace) == []


def test_code_writes_three_excel_friendly_files(loop, cli):
    out = loop / "s.csv"
    run = cli("code", loop / "doc.txt", "--doc-id", "d1", "--out", out)
    assert run.code == 0, run.err
    for path in (out, loop / "s_aggregates.csv", loop / "s_unmatched.csv"):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    unmatched = read_csv(loop / "s_unmatched.csv")
    assert [(r["provinces"], r["quote"]) for r in unmatched] == [
        ("CN-JS", "江苏率先召开推进大会"), ("CN-SH", "上海举办论坛")]
    for r in unmatched:
        assert TEXT[int(r["start"]):int(r["end"])] == r["quote"]
    assert "2 sentence(s) name a province but give no suggestion" in run.err


def test_merge_is_idempotent(loop, cli):
    ws = loop / "ws"
    before = len(load_practices(ws / "practices.csv"))
    first = cli("merge", loop / "rev.csv", "--into", ws)
    assert first.code == 0 and "merged 3 new row(s)" in first.out
    snapshot = tree_hashes(ws)
    again = cli("merge", loop / "rev.csv", "--into", ws)
    assert again.code == 0
    assert "merged 0 new row(s)" in again.out and "3 accepted row(s) already present" in again.out
    assert tree_hashes(ws) == snapshot
    assert len(load_practices(ws / "practices.csv")) == before + 3
    assert validate(ws) == []


def test_merge_keeps_the_review_where_train_finds_it(loop, cli):
    from npstudy.learn import reviewed_suggestions

    ws = loop / "ws"
    rows = read_csv(loop / "rev.csv")
    assert cli("merge", loop / "rev.csv", "--into", ws).code == 0
    kept = sorted((ws / "reviews").glob("*.csv"))
    assert len(kept) == 1 and kept[0].name.startswith("rev-")
    assert [r["decision"] for r in read_csv(kept[0])] == [r["decision"] for r in rows]
    found = reviewed_suggestions(ws)
    assert len(found) == len({(r["doc_id"], r["quote"], r["province"], r["theme"]) for r in rows})
    assert int(found["accepted"].sum()) == sum(r["decision"] == "accept" for r in rows)
    assert cli("merge", loop / "rev.csv", "--into", ws).code == 0
    assert sorted((ws / "reviews").glob("*.csv")) == kept  # the same review is kept once


def test_merge_reads_reviewed_files_with_or_without_bom(loop):
    ws = loop / "ws"
    rows = read_csv(loop / "rev.csv")
    write_csv(loop / "plain.csv", rows, encoding="utf-8")
    merged = merge_reviewed(loop / "plain.csv", ws)
    assert merged.attrs["added"] == 3


def test_merge_refuses_a_statement_id_the_workspace_gives_another_span(loop, cli):
    # S001 is the article's first statement (P001's span): an accepted row of another document
    # may not reuse it, or the merged workspace fails validate (rule R1a)
    ws = loop / "ws"
    rows = read_csv(loop / "rev.csv")
    first = next(i for i, r in enumerate(rows) if r["decision"] == "accept")
    rows[first]["statement"] = "S001"
    write_csv(loop / "clash.csv", rows)
    before = tree_hashes(ws)
    run = cli("merge", loop / "clash.csv", "--into", ws)
    assert run.code == 1
    line = run.error_line()
    assert f"clash.csv:{first + 2}: statement: 'S001' – rows of this statement quote different spans" in line
    assert "once merged into" in line and "(nothing was changed)" in line
    assert tree_hashes(ws) == before
    rows[first]["statement"] = ""            # cleared, as the message says: merges and validates
    write_csv(loop / "cleared.csv", rows)
    assert cli("merge", loop / "cleared.csv", "--into", ws).code == 0
    assert validate(ws) == []


def test_merge_keeps_the_previous_version(loop):
    ws = loop / "ws"
    old = (ws / "practices.csv").read_bytes()
    merge_reviewed(loop / "rev.csv", ws)
    assert (ws / "practices.csv.bak").read_bytes() == old


def test_validate_catches_a_doubled_merge(loop):
    ws = loop / "ws"
    merge_reviewed(loop / "rev.csv", ws)
    rows = read_csv(ws / "practices.csv")
    write_csv(ws / "practices.csv", rows + [dict(rows[-1], id="P999")], encoding="utf-8")
    [problem] = validate(ws)
    assert problem.column == "id" and "same coding" in problem.message


def test_functions_refuse_the_shipped_data(tmp_path):
    before = tree_hashes(data_dir())
    (tmp_path / "n.txt").write_text(TEXT, encoding="utf-8")
    for call in (lambda: make_workspace(data_dir() / "raw"),
                 lambda: register_document(data_dir(), tmp_path / "n.txt", "n1"),
                 lambda: merge_reviewed(tmp_path / "n.txt", data_dir())):
        with pytest.raises(ValueError, match="shipped"):
            call()
    assert tree_hashes(data_dir()) == before


def test_doc_ids_are_checked(tmp_path, workspace):
    (tmp_path / "n.txt").write_text(TEXT, encoding="utf-8")
    for bad in ("../x", "/abs", "a/b", "", ".hidden", "a" * 65, "名字", "a b", "a\x00"):
        with pytest.raises(ValueError, match="document id"):
            register_document(workspace, tmp_path / "n.txt", bad)
    assert register_document(workspace, tmp_path / "n.txt", "A-1_b.2") == "A-1_b.2"
    with pytest.raises(CodingError, match="already registered"):
        register_document(workspace, tmp_path / "n.txt", "A-1_b.2")


def test_agree_on_a_workspace(loop, cli):
    ws = loop / "ws"
    merge_reviewed(loop / "rev.csv", ws)
    run = cli("agree", ws / "practices.csv", loop / "sug.csv", "--data", ws)
    assert run.code == 0, run.err
    # 3 units (SD, GD, ZJ) × 3 themes; the coder's tech_transfer for ZJ was rejected:
    # 1 disagreement in 9 decisions
    assert "3 units × theme" in run.out and "1 disagreement(s)" in run.out
