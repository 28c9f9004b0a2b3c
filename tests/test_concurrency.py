"""Writers that are killed, interrupted or run at the same time as others.

Real processes: children are forked from the test process (so they start at once,
with npstudy already imported) or started as ``python -m npstudy``. After every
kill the workspace validates and holds either the old rows or all the new ones.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import TEXT, read_csv, write_csv

from npstudy import load_practices, validate
from npstudy.fileio import MAX_CODED_TEXT_BYTES
from npstudy.workspace import merge_reviewed, register_document

N_KILLS = 24


def fork(target, *args, gate: int | None = None) -> int:
    """Run ``target(*args)`` in a child process; the child waits on ``gate`` (a pipe) first."""
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            if gate is not None:
                os.read(gate, 1)
            target(*args)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    return pid


def wait(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def pause_at_rename(pause_at: int, tell: int) -> None:
    """In this (child) process, stop writes before rename number ``pause_at`` and say so on
    ``tell``; past the last rename of a two-file write, stop at the folder's fsync instead."""
    import npstudy.fileio as fileio

    real_replace, real_fsync, calls = fileio.os.replace, fileio._fsync_dir, []

    def stop():
        os.write(tell, b"x")
        time.sleep(60)

    def replace(src, dst):
        if len(calls) == pause_at:
            stop()
        calls.append(dst)
        real_replace(src, dst)

    def fsync_dir(folder):
        stop()
        real_fsync(folder)

    fileio.os.replace = replace
    if pause_at == 2:
        fileio._fsync_dir = fsync_dir


def merge_pausing_at_rename(reviewed, ws, pause_at: int, tell: int) -> None:
    pause_at_rename(pause_at, tell)
    merge_reviewed(reviewed, ws)


def split_review(root: Path) -> tuple[Path, Path]:
    """Two reviewed files accepting disjoint rows: rows 0-1 and row 2."""
    rows = read_csv(root / "rev.csv")
    a = [dict(r, decision="accept" if i < 2 else "reject") for i, r in enumerate(rows)]
    b = [dict(r, decision="accept" if i == 2 else "reject") for i, r in enumerate(rows)]
    return write_csv(root / "a.csv", a), write_csv(root / "b.csv", b)


def keys(practices) -> list[tuple]:
    return sorted(map(tuple, practices[["doc_id", "province", "code", "start", "end"]]
                      .astype(str).to_numpy().tolist()))


@pytest.mark.slow    # several seconds of kills and restarts: CI runs it with `pytest -m slow`
def test_sigkill_during_merge_leaves_old_or_all_new_rows(loop):
    ws, rev = loop / "ws", loop / "rev.csv"
    pristine = (ws / "practices.csv").read_bytes()
    old = load_practices(ws / "practices.csv")
    start = time.perf_counter()
    merge_reviewed(rev, ws)
    duration = time.perf_counter() - start
    new = load_practices(ws / "practices.csv")
    assert len(new) == len(old) + 3
    rng = random.Random(20240305)
    outcomes = {"old": 0, "new": 0}
    killed_mid_way = 0
    for i in range(N_KILLS):
        (ws / "practices.csv").write_bytes(pristine)
        if i % 2:  # at a random moment
            pid = fork(merge_reviewed, rev, ws)
            time.sleep(rng.uniform(0, 1.2 * duration))
        else:  # inside the write: before, between or after the renames of the two files
            ready, tell = os.pipe()
            pid = fork(merge_pausing_at_rename, rev, ws, (i // 2) % 3, tell)
            os.read(ready, 1)
            os.close(ready), os.close(tell)
        os.kill(pid, signal.SIGKILL)
        killed_mid_way += wait(pid) == -signal.SIGKILL
        assert validate(ws) == []
        now = load_practices(ws / "practices.csv")
        if len(now) == len(old):
            assert keys(now) == keys(old)
            outcomes["old"] += 1
        else:
            assert keys(now) == keys(new)
            outcomes["new"] += 1
    assert killed_mid_way >= N_KILLS // 2, killed_mid_way
    # a write keeps a journal: a kill before its commit is undone, so most kills leave the old
    # rows (test_sigkill_sets.py kills at every rename); none leaves a mixture
    assert outcomes["old"] and sum(outcomes.values()) == N_KILLS, outcomes
    # what a killed writer left behind is cleared by the next writer
    merge_reviewed(rev, ws)
    assert not list(ws.glob(".*npstudy-tmp"))
    assert keys(load_practices(ws / "practices.csv")) == keys(new)


def test_parallel_merges_both_land(loop):
    ws = loop / "ws"
    a, b = split_review(loop)
    before = len(load_practices(ws / "practices.csv"))
    pristine = (ws / "practices.csv").read_bytes()
    for _ in range(3):
        (ws / "practices.csv").write_bytes(pristine)
        gate, release = os.pipe()
        pids = [fork(merge_reviewed, path, ws, gate=gate) for path in (a, b, a)]
        os.write(release, b"xxx")
        assert [wait(pid) for pid in pids] == [0, 0, 0]
        os.close(gate), os.close(release)
        after = load_practices(ws / "practices.csv")
        assert len(after) == before + 3  # the repeated file added nothing
        assert after["id"].is_unique
        assert validate(ws) == []


def test_parallel_registrations_both_land(loop):
    ws = loop / "ws"
    gate, release = os.pipe()
    pids = [fork(register_document, ws, loop / "doc.txt", doc_id, gate=gate)
            for doc_id in ("d2", "d3", "d4")]
    os.write(release, b"xxx")
    assert [wait(pid) for pid in pids] == [0, 0, 0]
    docs = read_csv(ws / "documents.csv")
    assert [d["doc_id"] for d in docs][-3:] and {"d2", "d3", "d4"} <= {d["doc_id"] for d in docs}
    layout = read_csv(ws / "source_layout.csv")
    assert {"d2", "d3", "d4"} <= {row["doc_id"] for row in layout}
    assert validate(ws) == []


@pytest.mark.slow
def test_ctrl_c_exits_130_and_writes_nothing(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "npstudy", "build", "--out", str(out),
                             "--lang", "en"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline().startswith("tables:")  # tables computed, figures not written
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("npstudy: error: ")]
    assert not out.exists()  # all or nothing: the folder it created is gone again


def test_closed_pipe_is_quiet(tmp_path):
    big = tmp_path / "big.txt"
    line = TEXT + "\n"  # as many lines as npstudy code takes: output far beyond a pipe buffer
    big.write_text(line * (MAX_CODED_TEXT_BYTES // len(line.encode("utf-8"))), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "npstudy", "code", str(big)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().startswith(b"id,statement,doc_id,")
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert err == ""  # quiet: no traceback, no "Exception ignored", no summary


def test_the_command_line_starts_without_the_heavy_imports():
    # a Ctrl-C while heavy modules load would be a traceback; main() loads them under its guard
    code = ("import sys, npstudy.cli; "
            "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_sigkill_during_registration_blocks_no_retry(loop):
    ws = loop / "ws"
    for pause_at in (0, 1, 2):  # before the first rename, after the text, after the layout

        def register_pausing(tell, pause_at=pause_at):
            pause_at_rename(pause_at, tell)
            register_document(ws, loop / "doc.txt", f"k{pause_at}")

        ready, tell = os.pipe()
        pid = fork(register_pausing, tell)
        os.read(ready, 1)
        os.kill(pid, signal.SIGKILL)
        assert wait(pid) == -signal.SIGKILL
        os.close(ready), os.close(tell)
        assert validate(ws) == []
        assert f"k{pause_at}" not in {d["doc_id"] for d in read_csv(ws / "documents.csv")}
        register_document(ws, loop / "doc.txt", f"k{pause_at}")  # the retry lands
        layout = [r for r in read_csv(ws / "source_layout.csv") if r["doc_id"] == f"k{pause_at}"]
        assert len(layout) == 1  # one line of text, one layout row: no leftovers doubled
        assert validate(ws) == []


def test_parallel_inits_one_wins_and_the_others_fail_clearly(tmp_path):
    from npstudy.workspace import make_workspace

    target = tmp_path / "ws"
    gate, release = os.pipe()
    pids = [fork(make_workspace, target, gate=gate) for _ in range(3)]
    os.write(release, b"xxx")
    assert sorted(wait(pid) for pid in pids) == [0, 1, 1]
    assert validate(target) == []
