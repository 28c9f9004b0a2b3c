"""Reading and writing files: the bottom layer every other module builds on.

This module knows nothing of the dataset's schema. It reads bounded inputs,
decodes text, reads CSV tables as strings, writes files atomically, keeps
writes out of protected folders and inside the folder they name, locks a
folder against concurrent writers, and defines the errors that carry an
actionable message to the user. It imports nothing from the rest of the package.

What it promises, and the tests check:

- Inputs must be regular files; a FIFO, device, socket or folder is refused
  without being opened for reading, and inputs larger than a documented cap
  (:data:`MAX_TEXT_BYTES` for texts, :data:`MAX_TABLE_BYTES` and :data:`MAX_TABLE_ROWS`
  for tables) are refused.
- Outputs replace only regular files (or create new ones), never one of the
  command's inputs, never anything inside a protected folder (the shipped data).
- A write goes to a temporary file in the target folder, is fsynced, then
  renamed over the target; new files get the mode the umask allows, replaced
  files keep theirs. :func:`write_files_atomic` writes several files all or
  nothing.
"""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import os
import re
import secrets
import shutil
import stat
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

__all__ = ["NpstudyError", "DataError", "CodingError", "MAX_TEXT_BYTES", "MAX_CODED_TEXT_BYTES",
           "MAX_TABLE_BYTES", "MAX_TABLE_ROWS", "decode_utf8", "parse_table",
           "read_bytes", "read_text", "read_table", "write_atomic", "write_files_atomic",
           "check_output", "protect", "is_protected", "inside", "folder_lock", "CONTROL_CHARS"]

#: Largest text npstudy reads (8 MiB, some 2.8 million Chinese characters); larger ones are
#: refused, so that no command runs for minutes on a file given by mistake.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: Largest text the commands ``add-document`` and ``code`` take (256 KiB, some 87,000 Chinese
#: characters, 28 times the source article), so that the command answers in seconds whatever
#: the text: one that lists hundreds of cities and every keyword in each sentence took the
#: command 3 s of CPU at this size, and 8 MiB of it took the coder 48 s and 7 GB. The Python
#: functions read up to :data:`MAX_TEXT_BYTES`, with no such promise.
MAX_CODED_TEXT_BYTES = 256 * 1024
#: Largest table npstudy reads (32 MiB) ...
MAX_TABLE_BYTES = 32 * 1024 * 1024
#: ... and the most rows it reads from one table.
MAX_TABLE_ROWS = 100_000
#: Control characters refused in text fields: C0 except tab, line feed and carriage return,
#: and DEL.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Temporary files are ".<name>.<random>.npstudy-tmp", so that stale ones can be recognised.
_TMP_SUFFIX = ".npstudy-tmp"
_PROTECTED: list[Path] = []
#: How long a writer waits for another writer's lock on the same folder, in seconds.
LOCK_TIMEOUT = 8.0


class NpstudyError(ValueError):
    """A user error: the message names the file, row, column or value and what to do."""


class DataError(NpstudyError):
    """A data file cannot be read as the dataset's schema requires.

    The message names the file and, where it can, the row and column, and says
    what to do. ``npstudy validate`` reports every such problem at once.
    """


class CodingError(NpstudyError):
    """A document cannot be coded, registered or merged as given; the message says what to do."""


# ----------------------------------------------------------------------------- reading

def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_TABLE_BYTES) -> bytes:
    """Read a whole regular file, refusing anything else and anything too large.

    Parameters
    ----------
    path : path-like
    max_bytes : int
        The size cap; larger files are refused before they are read.

    Raises
    ------
    DataError
        If the path is missing, unreadable, not a regular file (folder, FIFO,
        device, socket) or larger than ``max_bytes``.
    """
    name = str(path)
    try:
        st = os.stat(path)
    except OSError as err:
        raise DataError(_os_message(name, err, "check the path")) from None
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{name}: is {_kind(st.st_mode)}, not a regular file – pass a file")
    _check_size(name, st.st_size, max_bytes)
    try:
        # O_NONBLOCK: if a FIFO is swapped in after the check, opening does not hang
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise DataError(_os_message(name, err, "check the path and its permissions")) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise DataError(f"{name}: is {_kind(st.st_mode)}, not a regular file – pass a file")
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            _check_size(name, size, max_bytes)
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as err:
        raise DataError(_os_message(name, err, "check the file")) from None
    finally:
        os.close(fd)


def _check_size(name: str, size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise DataError(f"{name}: file is {size:,} bytes, more than the {max_bytes:,}-byte limit "
                        "– split it into smaller files")


def _os_message(name: str, err: OSError, hint: str) -> str:
    reason = {errno.ENOENT: "no such file or folder", errno.EACCES: "permission denied",
              errno.EISDIR: "is a folder", errno.ENOTDIR: "a part of the path is not a folder",
              errno.ENOSPC: "no space left on the device", errno.EROFS: "read-only file system",
              errno.ELOOP: "too many levels of symbolic links",
              errno.ENAMETOOLONG: "file name too long"}.get(err.errno, err.strerror or str(err))
    return f"{name}: {reason} – {hint}"


def decode_utf8(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (BOM optional) or raise an actionable :class:`DataError`."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        hint = "re-save it as UTF-8"
        try:
            raw.decode("gb18030")
            hint = ("it looks GBK/GB18030-encoded; convert it with "
                    f"`iconv -f GB18030 -t UTF-8 {name} > fixed.csv` or re-save it as UTF-8")
        except UnicodeDecodeError:
            pass
        raise DataError(f"{name}:{line}: file is not valid UTF-8 (byte {err.start}) – {hint}") from None


def read_text(path: str | os.PathLike, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """Read a UTF-8 text file, with or without a byte-order mark.

    Parameters
    ----------
    path : path-like
        The file to read; it must be a regular file of at most ``max_bytes``.
    max_bytes : int
        Size cap, :data:`MAX_TEXT_BYTES` by default.

    Returns
    -------
    str
        The decoded text, without the BOM. Line endings are kept as they are, so
        character offsets computed on the result point into the file's text.

    Raises
    ------
    DataError
        If the file cannot be read (see :func:`read_bytes`) or is not valid
        UTF-8. The message says whether it looks like GBK/GB18030 and how to
        convert it.
    """
    return decode_utf8(read_bytes(path, max_bytes), str(path))


def read_table(path: str | os.PathLike) -> pd.DataFrame:
    """Read a CSV file as text columns, exactly as written.

    Every cell is a string (empty cells are ``""``), so that validation can
    report the value the user typed. Use the ``load_*`` functions for typed tables.
    The file may start with a byte-order mark (as Excel writes it) or not.

    Parameters
    ----------
    path : path-like
        A UTF-8 CSV file of at most :data:`MAX_TABLE_BYTES` and :data:`MAX_TABLE_ROWS`
        rows.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    DataError
        If the file cannot be read, is not a CSV table, has an empty or repeated
        column name, or holds a NUL or other control character in a cell.
    """
    return parse_table(read_text(path, MAX_TABLE_BYTES), str(path))


def parse_table(text: str, name: str) -> pd.DataFrame:
    """Parse CSV text as string columns; see :func:`read_table`."""
    if not text.strip():
        raise DataError(f"{name}:1: file is empty – it needs a header row naming the columns")
    bad = CONTROL_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError(f"{name}:{line}: holds the control character {bad.group()!r} "
                        f"(character {bad.start()}) – remove it; text fields must be plain text")
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as err:
        raise DataError(f"{name}:1: not a readable CSV header ({err}) – save the file as CSV")
    seen = set()
    for col in header:
        if not col.strip():
            raise DataError(f"{name}:1: a column has no name – name every column in the header")
        if col in seen:
            raise DataError(f"{name}:1: column {col!r} appears twice – remove or rename one")
        seen.add(col)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as err:
        detail = " ".join(str(err).split())
        m = re.search(r"line (\d+)", detail)
        where = f":{m.group(1)}" if m else ""
        raise DataError(f"{name}{where}: not a readable CSV table ({detail}) – check the quotes "
                        "and the number of commas on that row") from None
    if len(frame) > MAX_TABLE_ROWS:
        raise DataError(f"{name}: {len(frame):,} rows, more than the {MAX_TABLE_ROWS:,}-row limit – "
                        "split the table")
    return frame.fillna("")


# ----------------------------------------------------------------------------- guarding

def _real(path) -> Path:
    """The path with symbolic links followed; unlike ``Path.resolve`` it never raises on a loop."""
    return Path(os.path.realpath(path))


def protect(folder: str | os.PathLike) -> None:
    """Refuse every later write into ``folder`` or below it (used for the shipped data)."""
    path = _real(folder)
    if path not in _PROTECTED:
        _PROTECTED.append(path)


def is_protected(path: str | os.PathLike) -> Path | None:
    """The protected folder that ``path`` is, or lies in (symbolic links followed); else None."""
    resolved = _real(path)
    for folder in _PROTECTED:
        if resolved == folder or folder in resolved.parents:
            return folder
    return None


def refuse_protected(path: str | os.PathLike, what: str = "target") -> None:
    """Raise :class:`DataError` if ``path`` is or lies in a protected folder."""
    folder = is_protected(path)
    if folder is not None:
        raise DataError(f"{path}: the {what} is inside the dataset shipped with npstudy "
                        f"({folder}), which is never modified – create a workspace with "
                        "`npstudy init DIR` and work there")


def inside(root: str | os.PathLike, *parts: str) -> Path:
    """``root`` joined with ``parts``, refused unless it resolves inside ``root``.

    Raises
    ------
    DataError
        If the joined path (with symbolic links followed) leaves ``root``.
    """
    base = _real(root)
    target = Path(root).joinpath(*parts)
    resolved = _real(target)
    if resolved != base and base not in resolved.parents:
        raise DataError(f"{target}: resolves to {resolved}, outside {root} – paths must stay "
                        "inside the workspace")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _real(a) == _real(b)


def check_output(path: str | os.PathLike, inputs=()) -> Path:
    """Check that ``path`` may be written: refuse it otherwise, with what to do.

    A target must not be protected, must be a regular file or not exist, must
    not be one of ``inputs``, and its folder must exist.
    """
    path = Path(path)
    refuse_protected(path, "output")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as err:
        raise DataError(_os_message(str(path), err, "choose another output")) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise DataError(f"{path}: is {_kind(st.st_mode)}; outputs must be regular files – "
                        "choose another output file name")
    if path.name in ("", ".", ".."):
        raise DataError(f"{path}: not a file name – name an output file")
    for source in inputs:
        if st is not None and _same_file(path, Path(source)):
            raise DataError(f"{path}: is also an input of this command; an output never replaces "
                            "an input – choose another output file name")
    parent = path.parent
    if not parent.is_dir():
        raise DataError(f"{parent}: folder does not exist – create it first or choose another "
                        "output")
    return path


# ----------------------------------------------------------------------------- writing

def _temp_for(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TMP_SUFFIX}")


def _write_temp(path: Path, payload: bytes) -> Path:
    """Write ``payload`` to a fresh temporary file beside ``path``; fsync it; return its name."""
    tmp = _temp_for(path)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = None
    # 0o666 filtered by the umask, as for any new file; an existing file keeps its mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        tmp.unlink(missing_ok=True)
        raise
    os.close(fd)
    return tmp


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(path: str | os.PathLike, payload: bytes, inputs=()) -> None:
    """Write ``payload`` to ``path`` atomically; see :func:`write_files_atomic`."""
    write_files_atomic({Path(path): payload}, inputs)


def write_files_atomic(files: dict, inputs=()) -> None:
    """Write several files, all or nothing.

    Every target is checked first (:func:`check_output`). Each payload goes to a
    temporary file beside its target and is fsynced; then the temporary files
    are renamed over their targets. If a rename fails, the targets already
    replaced get their previous content back, so either every file is new or
    none is.

    Parameters
    ----------
    files : dict
        ``{path: bytes}``.
    inputs : iterable of path-like
        The command's inputs, which must not be overwritten.
    """
    files = {Path(p): data for p, data in files.items()}
    for path in files:
        check_output(path, inputs)
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    done: list[Path] = []
    current = None
    try:
        for path, payload in files.items():
            current = path
            temps[path] = _write_temp(path, payload)
        if len(files) > 1:
            for path in files:
                if path.exists():
                    backup = _temp_for(path)
                    try:
                        os.link(path, backup)
                    except OSError:  # no hard links here: keep a copy instead
                        shutil.copy2(path, backup)
                    backups[path] = backup
                else:
                    backups[path] = None
        for path, tmp in temps.items():
            current = path
            os.replace(tmp, path)
            done.append(path)
    except BaseException as err:
        for path in reversed(done):
            backup = backups.get(path)
            try:
                if backup is not None:
                    os.replace(backup, path)
                else:
                    path.unlink(missing_ok=True)
            except OSError:
                pass
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        for backup in backups.values():
            if backup is not None:
                backup.unlink(missing_ok=True)
        if isinstance(err, OSError) and current is not None:  # name the target, not a temp file
            raise OSError(err.errno, f"{err.strerror or err}; no file was changed",
                          str(current)) from None
        raise
    for backup in backups.values():
        if backup is not None:
            backup.unlink(missing_ok=True)
    for folder in {p.parent for p in files}:
        _fsync_dir(folder)


def remove_stale_temps(folder: str | os.PathLike) -> None:
    """Delete temporary files a killed writer left in ``folder`` (call it holding the lock)."""
    for tmp in Path(folder).glob(f".*{_TMP_SUFFIX}"):
        try:
            tmp.unlink()
        except OSError:
            pass


@contextmanager
def folder_lock(folder: str | os.PathLike, timeout: float | None = None):
    """Hold an exclusive lock on a folder for the duration of a read-modify-write.

    The lock is an ``flock`` on ``folder/.npstudy.lock``: it is released when the
    process ends, however it ends, so a killed writer never leaves the folder
    locked. A second writer waits up to ``timeout`` seconds (:data:`LOCK_TIMEOUT`
    by default), then fails clearly.
    """
    folder = Path(folder)
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    lock = folder / ".npstudy.lock"
    refuse_protected(lock, "workspace")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | os.O_NOFOLLOW,
                     0o666)
    except OSError as err:
        raise DataError(_os_message(str(lock), err, "check that the workspace is writable")) \
            from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DataError(f"{folder}: another npstudy command has been writing to this "
                                    f"workspace for over {timeout:.0f} s – wait for it to finish "
                                    "and try again") from None
                time.sleep(0.02)
        remove_stale_temps(folder)
        yield folder
    finally:
        os.close(fd)
