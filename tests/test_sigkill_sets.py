"""A write of several files is all or nothing even under SIGKILL, at every step of it.

Each test forks a child that runs a command and kills itself (SIGKILL, which no handler
sees) at one step of the write: before its journal, before each rename, at the commit
and after it. The parent then lets the next command recover the folder
(:func:`npstudy.fileio.recover`, which every writer and every reader of a workspace runs
first) and checks that the files are all the old ones (killed before the commit) or all
the new ones (killed after it), with no temporary file, journal or lock left behind.

The sets are those of the issue: one registration (``add-document``: the text,
``source_layout.csv`` and ``documents.csv``), one ``code --out`` set (suggestions,
aggregates, unmatched), one build output set (figures and tables), and one merge
(``practices.csv``, its ``.bak`` and the review copy).
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pandas as pd
import pytest
from conftest import read_csv, run_main, tree_hashes

import npstudy.build as build_module
import npstudy.fileio as fileio
from npstudy import data_dir
from npstudy.fileio import recover


def kill_at(step: str) -> None:
    """In this (child) process, SIGKILL it when a write reaches ``step``."""
    def hook(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    fileio._step = hook


def run_killed(step: str, command) -> int:
    """Run ``command()`` in a forked child that is killed at ``step``; return how it ended."""
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1), os.dup2(devnull, 2)
            kill_at(step)
            code = command()
        except BaseException:
            code = 99
        finally:
            os._exit(code if isinstance(code, int) else 98)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def steps(n_files: int) -> list[str]:
    """Every kill point of a write of ``n_files`` files, in order."""
    return ["journal", *(f"rename:{i}" for i in range(n_files)), "commit", "cleanup"]


def leftovers(folder: Path) -> list[str]:
    """Temporary files, journals and writer locks under ``folder`` (none may stay)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.endswith(".npstudy-tmp") or p.name.startswith(".npstudy-"))


def the_set(paths) -> dict:
    return {str(p): (p.read_bytes() if p.exists() else None) for p in paths}


@pytest.fixture
def env(_template, tmp_path) -> Path:
    root = tmp_path / "t"
    shutil.copytree(_template, root, symlinks=True)
    return root


# ------------------------------------------------------------------ add-document

def test_registration_is_old_or_new_at_every_kill(env):
    ws, pristine = env / "ws", env / "pristine"
    shutil.copytree(ws, pristine, symlinks=True)
    shipped = tree_hashes(data_dir())
    old = tree_hashes(ws)
    argv = ["add-document", str(ws), str(env / "doc.txt"), "--doc-id", "k", "--title", "t"]
    for step in steps(3):  # the text, source_layout.csv and documents.csv
        assert run_killed(step, lambda: run_main(*argv).code) == -signal.SIGKILL, step
        check = run_main("validate", ws)  # the next command undoes a half-done write
        assert check.code == 0, (step, check.out[-500:])
        assert leftovers(ws) == [], step
        registered = "k" in {d["doc_id"] for d in read_csv(ws / "documents.csv")}
        if step == "cleanup":  # killed after the commit: the registration is complete
            assert registered and (ws / "raw" / "k.txt").is_file()
            assert any(r["doc_id"] == "k" for r in read_csv(ws / "source_layout.csv"))
            shutil.rmtree(ws)
            shutil.copytree(pristine, ws, symlinks=True)
        else:
            assert not registered, step
            assert tree_hashes(ws) == old, step  # every file as it was, nothing added
    assert tree_hashes(data_dir()) == shipped


def test_registration_killed_then_retried_lands(env):
    ws = env / "ws"
    for step in ("journal", "rename:1", "commit"):
        assert run_killed(step, lambda: run_main("add-document", ws, env / "doc.txt",
                                                 "--doc-id", "r").code) == -signal.SIGKILL
        run = run_main("add-document", ws, env / "doc.txt", "--doc-id", "r")
        assert run.code == 0, (step, run.err)
        assert [d["doc_id"] for d in read_csv(ws / "documents.csv")].count("r") == 1
        assert len([r for r in read_csv(ws / "source_layout.csv") if r["doc_id"] == "r"]) == 1
        assert leftovers(ws) == []
        assert run_main("validate", ws).code == 0
        # undo the registration for the next round
        docs = [d for d in read_csv(ws / "documents.csv") if d["doc_id"] != "r"]
        pd.DataFrame(docs).to_csv(ws / "documents.csv", index=False, lineterminator="\n")
        layout = [r for r in read_csv(ws / "source_layout.csv") if r["doc_id"] != "r"]
        pd.DataFrame(layout).to_csv(ws / "source_layout.csv", index=False, lineterminator="\n")
        (ws / "raw" / "r.txt").unlink()


# ------------------------------------------------------------------ code --out

def test_code_out_set_is_old_or_new_at_every_kill(env, monkeypatch):
    import npstudy.coder

    coder = npstudy.coder.Coder()  # built once, before the children are forked
    monkeypatch.setattr(npstudy.coder, "Coder", lambda: coder)
    out = env / "out"
    out.mkdir()
    targets = [out / "s.csv", out / "s_aggregates.csv", out / "s_unmatched.csv"]
    for t in targets:
        t.write_bytes(b"old " + t.name.encode() + b"\n")
    old = the_set(targets)
    other = "浙江设立科技创新基金。江苏率先召开推进大会。\n"
    (env / "d2.txt").write_text(other * 3, encoding="utf-8")
    argv = ["code", str(env / "d2.txt"), "--out", str(out / "s.csv"), "--force"]
    for step in steps(len(targets)):
        assert run_killed(step, lambda: run_main(*argv).code) == -signal.SIGKILL, step
        recover(out)
        now = the_set(targets)
        if step == "cleanup":
            assert all(now[str(t)] != old[str(t)] for t in targets)
            assert now[str(out / "s.csv")].decode("utf-8-sig").startswith("id,statement,doc_id,")
            for t in targets:
                t.write_bytes(old[str(t)])
        else:
            assert now == old, step
        assert leftovers(out) == [], step
    assert run_main(*argv).code == 0
    assert leftovers(out) == [] and sorted(p.name for p in out.iterdir()) == sorted(
        t.name for t in targets)


# ------------------------------------------------------------------ build

@pytest.fixture
def fake_analysis(monkeypatch):
    """Replace the slow computation and drawing by small stand-ins, so that what is tested is
    the build's writing of its output set; ``version`` changes the bytes."""
    state = {"version": "1"}

    def compute(practices=None, n_samples=0, seed=0, workers=1, codebook=None, gazetteer=None):
        tables = {name: pd.DataFrame({"v": [state["version"]] * 2})
                  for name in ("province_scores", "clusters", "region_test", "instruments")}
        return build_module.Results(tables, None, n_samples, None, [], [], None, None)

    def render(results, langs, formats, workers, on_done=None):
        return [(stem, lang, fmt, f"{stem} {lang} {fmt} v{state['version']}".encode())
                for lang in langs for stem in build_module.FIGURES for fmt in formats]

    monkeypatch.setattr(build_module, "compute_tables", compute)
    monkeypatch.setattr(build_module, "_render", render)
    monkeypatch.setattr(build_module, "figure_captions",
                        lambda results, lang, **kw: {stem: f"{stem} v{state['version']}"
                                                     for stem in build_module.FIGURES})
    monkeypatch.setattr(build_module, "validate", lambda data=None: [])
    return state


@pytest.mark.slow    # several seconds of kills and restarts: CI runs it with `pytest -m slow`
def test_build_output_set_is_old_or_new_at_every_kill(tmp_path, fake_analysis):
    out = tmp_path / "figures"
    written = build_module.build(out, langs=("en",), echo=None, workers=1)
    assert len(written) == 2 * len(build_module.FIGURES) + 4   # figures, captions, tables
    old = the_set(written)
    fake_analysis["version"] = "2"
    for step in steps(len(written)):
        code = run_killed(step, lambda: build_module.build(out, langs=("en",), echo=None,
                                                           workers=1) and 0)
        assert code == -signal.SIGKILL, step
        recover(out)  # what the next build does first
        now = the_set(written)
        if step == "cleanup":
            assert all(now[k] != old[k] for k in old), step
            for path, payload in old.items():
                Path(path).write_bytes(payload)
        else:
            assert now == old, step
        assert leftovers(out) == [], step
    assert build_module.build(out, langs=("en",), echo=None, workers=1) == written
    now = the_set(written)
    assert all(now[str(out / f"{stem}_en.png")].endswith(b"v2") for stem in build_module.FIGURES)
    assert now[str(out / "tables" / "clusters.csv")] == b"v\n2\n2\n"
    assert leftovers(out) == []


# ------------------------------------------------------------------ merge

def test_merge_is_old_or_new_at_every_kill(env):
    ws = env / "ws"
    old = tree_hashes(ws)
    n_files = 3  # the review copy, practices.csv.bak and practices.csv
    for step in steps(n_files):
        assert run_killed(step, lambda: run_main("merge", env / "rev.csv", "--into",
                                                 ws).code) == -signal.SIGKILL, step
        check = run_main("validate", ws)
        assert check.code == 0, (step, check.out[-300:])
        if step == "cleanup":
            assert len(read_csv(ws / "practices.csv")) == len(read_csv(ws / "practices.csv.bak")) + 3
        else:
            assert tree_hashes(ws) == old, step
        assert leftovers(ws) == [], step


# ------------------------------------------------------------------ the journal itself

def test_a_forged_journal_is_refused_and_moves_nothing(tmp_path):
    target = tmp_path / "outside.txt"
    target.write_bytes(b"keep")
    folder = tmp_path / "ws"
    folder.mkdir()
    token = "0123456789ab"
    (folder / f".npstudy-{token}.journal").write_text(
        '{"token": "%s", "entries": [{"target": "../outside.txt", "new": "x", "old": null}]}'
        % token, encoding="utf-8")
    with pytest.raises(fileio.DataError, match="not a journal npstudy wrote"):
        recover(folder)
    assert target.read_bytes() == b"keep"


def test_a_live_writer_is_left_alone(tmp_path):
    """Recovery never touches the staged files of a write that is still under way."""
    lock = fileio._WriterLock(tmp_path, "abcdefabcdef")
    staged = tmp_path / ".a.csv.abcdefabcdef.new.npstudy-tmp"
    staged.write_bytes(b"x")
    recover(tmp_path)
    assert staged.exists()
    lock.release()
    recover(tmp_path)
    assert not staged.exists() and leftovers(tmp_path) == []
