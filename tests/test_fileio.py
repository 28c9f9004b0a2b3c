"""The bottom layer: bounded reads, guarded, atomic and polite writes, the folder lock."""

from __future__ import annotations

import os
import stat

import pytest

import npstudy.fileio as fileio
from npstudy import data_dir
from npstudy.fileio import (DataError, check_output, folder_lock, inside, read_bytes, read_table,
                            write_atomic, write_files_atomic)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_new_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        write_atomic(tmp_path / "new.csv", b"a\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new.csv") == 0o666 & ~umask


def test_replaced_files_keep_their_mode(tmp_path):
    target = tmp_path / "t.csv"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new" and mode(target) == 0o640


def test_data_is_fsynced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1])
    write_atomic(tmp_path / "t.csv", b"x")
    assert events[:2] == ["fsync", "replace"]


def test_several_files_are_all_or_nothing(tmp_path, monkeypatch):
    a, b, c = (tmp_path / n for n in ("a.csv", "b.csv", "c.csv"))
    a.write_bytes(b"old a")
    b.write_bytes(b"old b")
    real, calls = os.replace, []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 3:  # a and b already replaced, c not yet
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(OSError):
        write_files_atomic({a: b"new a", b: b"new b", c: b"new c"})
    monkeypatch.setattr(os, "replace", real)
    assert a.read_bytes() == b"old a" and b.read_bytes() == b"old b" and not c.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]


def test_one_bad_target_stops_every_write(tmp_path):
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(DataError, match="FIFO"):
        write_files_atomic({tmp_path / "ok.csv": b"x", tmp_path / "pipe.csv": b"y"})
    assert not (tmp_path / "ok.csv").exists()


@pytest.mark.parametrize("target", ["/dev/null", "/dev/zero"])
def test_devices_are_never_replaced(target):
    with pytest.raises(DataError, match="device"):
        write_atomic(target, b"x")
    assert stat.S_ISCHR(os.stat(target).st_mode)


def test_an_output_never_replaces_an_input(tmp_path):
    src = tmp_path / "in.txt"
    src.write_bytes(b"keep")
    link = tmp_path / "link.txt"
    link.symlink_to(src)
    for target in (src, link):
        with pytest.raises(DataError, match="input"):
            check_output(target, inputs=[src])
    assert src.read_bytes() == b"keep"


def test_the_shipped_data_is_never_a_target():
    for target in (data_dir() / "practices.csv", data_dir() / "raw" / "x.txt", data_dir() / "new"):
        with pytest.raises(DataError, match="shipped"):
            check_output(target)


def test_paths_stay_inside(tmp_path):
    assert inside(tmp_path, "raw", "a.txt") == tmp_path / "raw" / "a.txt"
    for parts in (("..", "x"), ("/etc/passwd",), ("raw", "..", "..", "x")):
        with pytest.raises(DataError, match="outside"):
            inside(tmp_path, *parts)


def test_reads_are_bounded_and_regular_only(tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(2000)
    with pytest.raises(DataError, match="limit"):
        read_bytes(big, max_bytes=1000)
    os.mkfifo(tmp_path / "p")
    with pytest.raises(DataError, match="FIFO"):  # refused without opening: no hang
        read_bytes(tmp_path / "p")
    with pytest.raises(DataError, match="folder"):
        read_bytes(tmp_path)


def test_tables_with_and_without_bom_read_alike(tmp_path):
    plain, bom = tmp_path / "plain.csv", tmp_path / "bom.csv"
    plain.write_bytes("省,数\n上海,1\n".encode())
    bom.write_bytes("省,数\n上海,1\n".encode("utf-8-sig"))
    assert read_table(plain).equals(read_table(bom))
    assert read_table(bom).columns.tolist() == ["省", "数"]


def test_the_lock_makes_a_second_writer_wait_then_fail(tmp_path, monkeypatch):
    monkeypatch.setattr(fileio, "LOCK_TIMEOUT", 0.2)
    with folder_lock(tmp_path):
        pid = os.fork()
        if pid == 0:
            try:
                with folder_lock(tmp_path, timeout=0.2):
                    os._exit(0)
            except DataError:
                os._exit(3)
            os._exit(1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 3
    with folder_lock(tmp_path, timeout=0.2):  # released again
        pass


def test_a_full_disk_is_one_clear_line_and_leaves_nothing(tmp_path, monkeypatch, cli):
    (tmp_path / "doc.txt").write_text("山东、广东获批筹建国家碳计量中心。", encoding="utf-8")
    real = os.write

    def full(fd, data):
        if fd > 2:
            raise OSError(28, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    run = cli("code", tmp_path / "doc.txt", "--doc-id", "d", "--out", tmp_path / "s.csv")
    monkeypatch.setattr(os, "write", real)
    assert run.code == 1
    line = run.error_line()
    assert "s.csv" in line and "No space left on device" in line and "no file was changed" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.txt"]


@pytest.mark.parametrize("text, line", [
    ("a,b\n1,2,3\n", 2),          # a value more than the header names
    ("a,b\n1,2,\n3,4,\n", 2),     # a trailing comma on every row, as some spreadsheets save
])
def test_a_row_longer_than_the_header_is_named_not_read_shifted(text, line):
    from npstudy.fileio import parse_table

    with pytest.raises(DataError, match=f"x.csv:{line}: 3 fields, but the header names 2"):
        parse_table(text, "x.csv")
