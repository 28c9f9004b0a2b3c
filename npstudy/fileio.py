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
  nothing, even if the process is killed: a journal lets the next command undo a
  write that did not commit (:func:`recover`).
- The package and the data shipped with it are never written
  (:func:`protected_folders`), and subfolders written into stay inside the folder
  the user named (:func:`safe_subfolder`).
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import secrets
import stat
import time
from contextlib import contextmanager
from pathlib import Path

import filelock
import pandas as pd

__all__ = ["NpstudyError", "DataError", "CodingError", "MAX_TEXT_BYTES", "MAX_CODED_TEXT_BYTES",
           "MAX_TABLE_BYTES", "MAX_TABLE_ROWS", "decode_utf8", "parse_table",
           "read_bytes", "read_text", "read_table", "write_atomic", "write_files_atomic",
           "check_output", "protect", "protected_folders", "is_protected", "recover",
           "safe_subfolder", "link_problem", "inside", "folder_lock", "CONTROL_CHARS"]

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
    """A user error: the message names the file, row, column or value and what to do.

    Every error npstudy raises for a problem the user can fix derives from it, so
    ``except NpstudyError`` catches them all.
    """


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
              errno.ELOOP: "a loop of symbolic links (a link that leads back to itself)",
              errno.ENAMETOOLONG: "file name too long"}.get(err.errno, err.strerror or str(err))
    if err.errno == errno.ELOOP:
        hint = "remove or fix the link"
    return f"{name}: {reason} – {hint}"


def decode_utf8(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 (BOM optional) or raise an actionable :class:`DataError`."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        if err.reason == "unexpected end of data" and err.end == len(raw):
            raise DataError(f"{name}:{line}: the file ends in the middle of a UTF-8 character "
                            f"(byte {err.start}): it was cut off – use the complete file") \
                from None
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


def _csv_reason(err: Exception) -> str:
    """A CSV parser's complaint in the user's terms (not Python's advice on opening files)."""
    detail = " ".join(str(err).split())
    if "new-line character seen in unquoted field" in detail:
        return ("a carriage return (CR) without a line feed ends a line outside quotes; lines "
                "must end with LF or CRLF")
    return detail


def parse_table(text: str, name: str) -> pd.DataFrame:
    """Parse CSV text as string columns; see :func:`read_table`."""
    if not text.strip():
        raise DataError(f"{name}:1: file is empty – it needs a header row naming the columns")
    bad = CONTROL_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise DataError(f"{name}:{line}: holds the control character {bad.group()!r} "
                        f"(character {bad.start()}) – remove it; text fields must be plain text")
    first = text.find("\r")
    if first >= 0 and "\n" not in text:
        raise DataError(f"{name}: its lines end with a carriage return alone (CR, as old Mac "
                        "programs save text), not a line feed – save it again as \"CSV UTF-8\", "
                        f"or convert it: `tr '\\r' '\\n' < {name} > fixed.csv`")
    if re.search("\r(?!\n)", text):  # a lone CR: fine inside quotes, a broken row outside
        reader = csv.reader(io.StringIO(text))
        try:
            for _ in reader:
                pass
        except csv.Error as err:
            raise DataError(f"{name}:{reader.line_num}: {_csv_reason(err)} – remove it, or save "
                            "the file again as \"CSV UTF-8\"") from None
    try:
        header = next(csv.reader(io.StringIO(text)))
    except (csv.Error, StopIteration) as err:
        raise DataError(f"{name}:1: not a readable CSV header ({_csv_reason(err)}) – save the "
                        "file as CSV") from None
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
        detail = _csv_reason(err)
        m = re.search(r"line (\d+)", detail)
        where = f":{m.group(1)}" if m else ""
        raise DataError(f"{name}{where}: not a readable CSV table ({detail}) – check the quotes "
                        "and the number of commas on that row") from None
    if not isinstance(frame.index, pd.RangeIndex):
        # every row had one field more than the header, and pandas took the first column as an
        # index: name the first such row instead of reading the table shifted by a column
        reader = csv.reader(io.StringIO(text))
        for row in reader:
            if len(row) > len(header):
                raise DataError(f"{name}:{reader.line_num}: {len(row)} fields, but the header names "
                                f"{len(header)} – remove the extra value (a trailing comma counts "
                                "as one)")
    if len(frame) > MAX_TABLE_ROWS:
        raise DataError(f"{name}: {len(frame):,} rows, more than the {MAX_TABLE_ROWS:,}-row limit – "
                        "split the table")
    return frame.fillna("")


# ----------------------------------------------------------------------------- guarding

def _real(path) -> Path:
    """The path with symbolic links followed; unlike ``Path.resolve`` it never raises on a loop."""
    return Path(os.path.realpath(path))


def protect(folder: str | os.PathLike) -> None:
    """Refuse every later write into ``folder`` or below it, besides :func:`protected_folders`."""
    path = _real(folder)
    if path not in _PROTECTED:
        _PROTECTED.append(path)


def protected_folders() -> list[Path]:
    """The folders no write may touch: the package itself and what ships with it.

    They are found from this module's own location, whatever was imported before: the
    package folder (which holds ``_data``, ``_notebooks`` and ``_evaluation`` in an
    installed wheel) and, in a source checkout, ``data/``, ``notebooks/`` and
    ``evaluation/`` beside it. Every path is resolved with ``os.path.realpath``, so a
    symbolic link cannot lead around them. Folders given to :func:`protect` are added.
    """
    package = _real(Path(__file__).parent)
    folders = [package]
    checkout = package.parent
    if (checkout / "data" / "datapackage.json").is_file():
        folders += [_real(checkout / name) for name in ("data", "notebooks", "evaluation")
                    if (checkout / name).is_dir()]
    return folders + [p for p in _PROTECTED if p not in folders]


def is_protected(path: str | os.PathLike) -> Path | None:
    """The protected folder that ``path`` is, or lies in (symbolic links followed); else None."""
    resolved = _real(path)
    for folder in protected_folders():
        if resolved == folder or folder in resolved.parents:
            return folder
    return None


def refuse_protected(path: str | os.PathLike, what: str = "target") -> None:
    """Raise :class:`DataError` if ``path`` is or lies in a protected folder."""
    folder = is_protected(path)
    if folder is not None:
        hint = ("create a workspace with `npstudy init DIR` and work there"
                if what == "workspace" or folder.name in ("data", "_data")
                else f"choose a {what} outside it")
        raise DataError(f"{path}: the {what} is inside npstudy or the data shipped with it "
                        f"({folder}), which is never modified – {hint}")


def link_problem(path: str | os.PathLike) -> str | None:
    """What is wrong with ``path`` if it is a symbolic link that leads nowhere, else None.

    Examples
    --------
    >>> link_problem("/") is None
    True
    """
    if not os.path.islink(path) or os.path.exists(path):
        return None
    try:
        os.stat(path)
    except OSError as err:
        if err.errno == errno.ELOOP:
            return (f"{path}: is a loop of symbolic links (a link that leads back to itself), "
                    "not a folder – remove or fix the link")
    return (f"{path}: is a symbolic link to {os.readlink(path)}, which does not exist, so it is "
            "not a folder – remove or fix the link")


def safe_subfolder(root: str | os.PathLike, name: str, create: bool = True) -> Path:
    """``root/name`` as a folder to write into, refused unless it stays inside ``root``.

    A symbolic link ``root/name`` that resolves outside ``root`` (or into the shipped
    data) is refused, so that no write follows it out of the folder the user named.

    Parameters
    ----------
    root : path-like
        The folder the user named (a workspace, an output folder).
    name : str
        The subfolder, e.g. ``"reviews"``.
    create : bool
        Create the subfolder if it does not exist (only after every check passed).

    Raises
    ------
    DataError
        If it leads outside ``root``, is a loop of links, or exists and is not a folder.
    """
    root = Path(root)
    path = root / name
    base, resolved = _real(root), _real(path)
    if resolved != base and base not in resolved.parents:
        raise DataError(f"{path}: is a symbolic link to {resolved}, outside {root} – writes stay "
                        f"inside {root}; replace the link with a folder")
    refuse_protected(path, "output folder")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):  # a dangling link: mkdir would follow it
            raise DataError(f"{path}: is a symbolic link to {resolved}, which does not exist – "
                            "remove the link") from None
        st = None
    except OSError as err:
        raise DataError(_os_message(str(path), err, "choose another folder")) from None
    if st is not None and not stat.S_ISDIR(st.st_mode):
        kind = "a file" if stat.S_ISREG(st.st_mode) else _kind(st.st_mode)
        raise DataError(f"{path}: is {kind}, not a folder – move it away or rename it")
    if st is None and create:
        try:
            path.mkdir()
        except FileExistsError:
            pass
        except OSError as err:
            raise DataError(_os_message(str(path), err, "check that the folder is writable")) \
                from None
    return path


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


def check_output(path: str | os.PathLike, inputs=(), new_folder: bool = False) -> Path:
    """Check that ``path`` may be written: refuse it otherwise, with what to do.

    A target must not be protected, must be a regular file or not exist, must
    not be one of ``inputs``, and its folder must exist (unless ``new_folder``:
    the write creates it).
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
    if not new_folder and not parent.is_dir():
        raise DataError(f"{parent}: folder does not exist – create it first or choose another "
                        "output")
    return path


# ----------------------------------------------------------------------------- writing
#
# A write of several files is one transaction, all or nothing even if the process is
# killed (SIGKILL, power loss) at any point:
#
# 1. the writer takes a lock of its own, ``.npstudy-<token>.lock`` in the folder that holds
#    every target (so that others can tell a live writer from a dead one);
# 2. it writes a journal, ``.npstudy-<token>.journal``, naming every target, the staged new
#    file and the backup of the old one (written to a temporary file and renamed);
# 3. it stages every new file beside its target (``.<name>.<token>.new.npstudy-tmp``,
#    fsynced) and links every existing target to its backup (``….old.npstudy-tmp``);
# 4. it renames the new files over their targets, one by one;
# 5. it commits by renaming the journal to ``.npstudy-<token>.done``, then deletes the
#    backups, the record and its lock.
#
# A writer killed before step 5 leaves a journal: the next command that writes into (or
# reads a workspace from) that folder finds it, sees that its writer's lock is free, puts
# every backup back, deletes every staged file and the journal: the old files, as if the
# write had not begun. Killed after step 5, only leftovers remain, and they are deleted.

_TOKEN = re.compile(r"[0-9a-f]{12}")
_STAGED = re.compile(r"^\.(?P<name>.+)\.(?P<token>[0-9a-f]{12})\.(?P<kind>new|old)"
                     + re.escape(_TMP_SUFFIX) + "$")
_RECORD = re.compile(r"^\.npstudy-(?P<token>[0-9a-f]{12})\.(?P<kind>journal|done|lock)$")
_LEGACY_TEMP = re.compile(r"^\..+\.[0-9a-f]{8}" + re.escape(_TMP_SUFFIX) + "$")
#: Largest journal :func:`recover` reads (a build writes about 60 files; a journal names each).
MAX_JOURNAL_BYTES = 1024 * 1024


def _step(name: str) -> None:
    """A point between two steps of a write; does nothing (tests kill the process here)."""


def _temp_for(path: Path, token: str | None = None, kind: str = "new") -> Path:
    return path.with_name(f".{path.name}.{token or secrets.token_hex(6)}.{kind}{_TMP_SUFFIX}")


def _write_temp(path: Path, payload: bytes, token: str | None = None) -> Path:
    """Write ``payload`` to a fresh temporary file beside ``path``; fsync it; return its name."""
    tmp = _temp_for(path, token)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        mode = None
    # 0o666 filtered by the umask, as for any new file; an existing file keeps its mode
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                 | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        if mode is not None and hasattr(os, "fchmod"):
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


class _WriterLock:
    """``folder/.npstudy-<token>.lock``, held while a write is under way."""

    def __init__(self, folder: Path, token: str):
        self.path = folder / f".npstudy-{token}.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL
                          | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0), 0o666)
        try:
            if not filelock.lock_descriptor(self.fd, blocking=False):  # pragma: no cover
                raise OSError(errno.EAGAIN, "the write lock is held", str(self.path))
            # a recoverer that locked the new file first took it for a dead writer's and
            # removed it: then this lock guards nothing
            if os.fstat(self.fd).st_ino != os.stat(self.path).st_ino:  # pragma: no cover
                raise FileNotFoundError(errno.ENOENT, "the write lock was taken away",
                                        str(self.path))
        except BaseException:
            os.close(self.fd)
            self.path.unlink(missing_ok=True)
            raise

    def release(self) -> None:
        if self.fd is None:
            return
        self.path.unlink(missing_ok=True)  # while still held, so no one locks a stale inode
        try:
            filelock.unlock_descriptor(self.fd)
        except OSError:
            pass
        os.close(self.fd)
        self.fd = None


def _writer_is_alive(folder: Path, token: str) -> bool:
    """Whether the writer with ``token`` still holds its lock in ``folder``."""
    path = folder / f".npstudy-{token}.lock"
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False  # never made, or removed by its writer at the end
    try:
        if filelock.lock_descriptor(fd, blocking=False):
            path.unlink(missing_ok=True)  # its writer is gone: the lock file is a leftover
            filelock.unlock_descriptor(fd)
            return False
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def _journal_entries(journal: Path, token: str) -> tuple[list[tuple[Path, Path, Path | None]],
                                                         list[Path]]:
    """Read a journal: its entries (target, staged file, backup) and the folders the write
    creates. Refuse one that names anything but targets inside its folder, their staged and
    backup files, and folders inside its folder."""
    folder = journal.parent
    problem = (f"{journal}: not a journal npstudy wrote – if no npstudy command is running, "
               "delete it and check the files it names")
    try:
        record = json.loads(read_bytes(journal, MAX_JOURNAL_BYTES).decode("utf-8"))
        entries = record["entries"]
        if record.get("token") != token or not isinstance(entries, list):
            raise ValueError
        out = []
        for entry in entries:
            target, new, old = entry["target"], entry["new"], entry.get("old")
            if not all(isinstance(x, str) and x and not os.path.isabs(x)
                       and ".." not in Path(x).parts for x in (target, new)):
                raise ValueError
            target_path = inside(folder, target)
            if (Path(new) != Path(target).with_name(_temp_for(Path(target), token).name)
                    or (old is not None and Path(old) != Path(target).with_name(
                        _temp_for(Path(target), token, "old").name))):
                raise ValueError
            out.append((target_path, folder / new, None if old is None else folder / old))
        made = record.get("folders", [])
        if not isinstance(made, list) or not all(
                isinstance(x, str) and x and not os.path.isabs(x) and ".." not in Path(x).parts
                for x in made):
            raise ValueError
        return out, [inside(folder, x) for x in made]
    except (DataError, ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise DataError(problem) from None


def _undo(entries, journal: Path | None = None, made=()) -> None:
    """Put every backup back and delete every staged file: the targets as they were; remove
    the folders the write created (if empty)."""
    for target, new, old in entries:
        if old is not None:
            if os.path.lexists(old):
                os.replace(old, target)
                # renaming one name of a file over another of the same file does nothing
                old.unlink(missing_ok=True)
        elif not os.path.lexists(new):
            # a new target whose staged file is gone was renamed into place: remove it
            target.unlink(missing_ok=True)
        new.unlink(missing_ok=True)
    for folder in {t.parent for t, _, _ in entries}:
        _fsync_dir(folder)
    for folder in reversed(list(made)):
        try:
            folder.rmdir()
        except OSError:  # not empty (someone else's files) or already gone
            pass
    if journal is not None:
        journal.unlink(missing_ok=True)
        _fsync_dir(journal.parent)


def _finish(entries, record: Path | None) -> None:
    """After the commit: delete the backups and staged files left, then the record."""
    for _, new, old in entries:
        new.unlink(missing_ok=True)
        if old is not None:
            old.unlink(missing_ok=True)
    if record is not None:
        record.unlink(missing_ok=True)


def recover(folder: str | os.PathLike) -> list[Path]:
    """Complete or undo the writes into ``folder`` that were interrupted (e.g. by SIGKILL).

    A write whose journal is still there is undone: every target gets its previous
    content back, and files the write created are removed. A write that had committed
    only leaves temporary files, which are deleted. Writes whose process is still
    running are left alone. Safe to call at any time; it does nothing in a folder with
    nothing to recover.

    Returns
    -------
    list of pathlib.Path
        The targets put back as they were.

    Raises
    ------
    DataError
        If a journal in ``folder`` is not one npstudy wrote.
    """
    folder = Path(folder)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    restored: list[Path] = []
    records = sorted((m.group("kind"), m.group("token"), name) for name in names
                     if (m := _RECORD.match(name)) and m.group("kind") != "lock")
    for kind, token, name in records:
        if _writer_is_alive(folder, token):
            continue
        try:
            entries, made = _journal_entries(folder / name, token)
        except DataError:
            if not os.path.lexists(folder / name):  # its writer finished meanwhile
                continue
            raise
        if kind == "journal":
            _undo(entries, folder / name, made)
            restored.extend(t for t, _, _ in entries)
        else:
            _finish(entries, folder / name)
    _remove_dead_temps(folder, names)
    return restored


def _remove_dead_temps(folder: Path, names) -> None:
    alive: dict[str, bool] = {}
    for name in names:
        staged, record = _STAGED.match(name), _RECORD.match(name)
        if staged:
            token = staged.group("token")
        elif record and record.group("kind") == "lock":
            token = record.group("token")
        elif _LEGACY_TEMP.match(name):  # written by an earlier version, under the folder lock
            token = None
        else:
            continue
        if token is not None:
            if token not in alive:
                alive[token] = _writer_is_alive(folder, token)
            if alive[token]:
                continue
            if os.path.lexists(folder / f".npstudy-{token}.journal"):
                continue  # recover() undoes it first
        try:
            (folder / name).unlink()
        except OSError:
            pass


def remove_stale_temps(folder: str | os.PathLike) -> None:
    """Undo or finish the writes a killed writer left in ``folder``; see :func:`recover`."""
    recover(folder)


def write_atomic(path: str | os.PathLike, payload: bytes, inputs=()) -> None:
    """Write ``payload`` to ``path`` atomically; see :func:`write_files_atomic`."""
    write_files_atomic({Path(path): payload}, inputs)


def write_files_atomic(files: dict, inputs=(), folders=()) -> None:
    """Write several files, all or nothing, even if the process is killed.

    Every target is checked first (:func:`check_output`). Each payload goes to a
    temporary file beside its target and is fsynced; then the temporary files are
    renamed over their targets. With several files, a journal written before the
    first rename lets the next command undo a write that was killed half-way
    (:func:`recover`), and a write that fails (a full disk) puts back what it replaced
    at once: either every file is new or none is. No temporary file is left behind.

    Parameters
    ----------
    files : dict
        ``{path: bytes}``.
    inputs : iterable of path-like
        The command's inputs, which must not be overwritten.
    folders : iterable of path-like
        Folders the write creates, if they do not exist (for targets inside them); like
        the files, they are there afterwards only if the write completed. Each must lie
        in an existing folder that holds another target, or below it.
    """
    files = {Path(p): data for p, data in files.items()}
    if not files:
        return
    missing = [Path(f) for f in folders if not os.path.isdir(f)]
    for path in files:
        check_output(path, inputs, new_folder=path.parent in missing)
    parents = {p.parent for p in files}
    existing = parents - set(missing)
    home = Path(os.path.commonpath([str(p) for p in existing | {f.parent for f in missing}]))
    for folder in sorted(existing | {home}):
        recover(folder)
    token = secrets.token_hex(6)
    current = next(iter(files))
    try:
        lock = _WriterLock(home, token)
    except OSError as err:
        raise OSError(err.errno, f"{err.strerror or err}; no file was changed",
                      str(current)) from None
    entries = [(path, _temp_for(path, token),
                _temp_for(path, token, "old") if os.path.lexists(path) else None)
               for path in files]
    journal = home / f".npstudy-{token}.journal" if len(files) > 1 or missing else None
    started = False
    try:
        if journal is not None:
            record = {"token": token, "entries": [
                {"target": os.path.relpath(t, home), "new": os.path.relpath(n, home),
                 "old": None if o is None else os.path.relpath(o, home)} for t, n, o in entries],
                "folders": [os.path.relpath(f, home) for f in missing]}
            _step("journal")
            os.replace(_write_temp(journal, json.dumps(record, indent=0).encode("utf-8"), token),
                       journal)
            _fsync_dir(home)
        started = True
        for folder in missing:
            folder.mkdir(exist_ok=True)
        for path, _new, _ in entries:
            current = path
            _write_temp(path, files[path], token)
        if journal is not None:
            for path, _, old in entries:
                if old is not None:
                    current = path
                    _backup(path, old, token)
        for i, (path, new, _) in enumerate(entries):
            current = path
            _step(f"rename:{i}")
            os.replace(new, path)
        if journal is not None:
            _step("commit")
            done = home / f".npstudy-{token}.done"
            os.replace(journal, done)
            _fsync_dir(home)
            _step("cleanup")
            _finish(entries, done)
        for folder in parents:
            _fsync_dir(folder)
    except BaseException as err:
        try:
            if started or journal is None:
                _undo(entries, journal, missing)
            elif journal is not None:
                journal.unlink(missing_ok=True)
                _temp_for(journal, token).unlink(missing_ok=True)
        except OSError:
            pass
        lock.release()
        if isinstance(err, OSError) and current is not None:  # name the target, not a temp file
            raise OSError(err.errno, f"{err.strerror or err}; no file was changed",
                          str(current)) from None
        raise
    lock.release()


def _backup(path: Path, old: Path, token: str) -> None:
    """``old`` becomes a second name of ``path`` (a copy where hard links are not possible)."""
    try:
        os.link(path, old, follow_symlinks=False)
    except OSError:
        part = _write_temp(old, read_bytes(path, 1 << 40), token)
        os.replace(part, old)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal counts as running)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError, ValueError):
        return False
    except OSError:
        return True
    return True


@contextmanager
def run_lock(folder: str | os.PathLike, what: str):
    """Hold an exclusive lock on the folder itself (the primitive of :func:`folder_lock`, on
    the folder's own descriptor, so no file is created in it) while one ``what`` writes there;
    a second one fails at once with a clear error. Released when the process ends, however
    it ends. Where a folder cannot be opened as a descriptor (Windows) it is not locked."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:             # pragma: no cover - Windows opens no folder as a file
        yield
        return
    try:
        try:
            locked = filelock.lock_descriptor(fd, blocking=False)
        except OSError:         # pragma: no cover - a file system without locks
            locked = True
        if not locked:
            raise CodingError(f"{folder}: another {what} is writing to this folder – wait for "
                              "it to finish, or choose another --out")
        yield
    finally:
        os.close(fd)


@contextmanager
def folder_lock(folder: str | os.PathLike, timeout: float | None = None):
    """Hold an exclusive lock on a folder for the duration of a read-modify-write.

    The lock is an operating-system lock (``flock`` on Unix, ``LockFileEx`` on
    Windows, through the ``filelock`` package) on ``folder/.npstudy.lock``: it is
    released when the process ends, however it ends, so a killed writer never
    leaves the folder locked. A second writer waits up to ``timeout`` seconds
    (:data:`LOCK_TIMEOUT` by default), then fails clearly. Once the lock is held,
    writes a killed writer left half done are undone (:func:`recover`).
    """
    folder = Path(folder)
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    lock = folder / ".npstudy.lock"
    refuse_protected(lock, "workspace")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NOFOLLOW", 0), 0o666)
    except OSError as err:
        if err.errno == errno.ELOOP and os.path.islink(lock):  # O_NOFOLLOW refuses any link
            raise DataError(f"{lock}: is a symbolic link (to {os.readlink(lock)}), and the "
                            "lock of a workspace must be a plain file – remove the link; "
                            "npstudy makes the file again") from None
        raise DataError(_os_message(str(lock), err, "check that the workspace is writable")) \
            from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                locked = filelock.lock_descriptor(fd, blocking=False)
            except OSError as err:
                raise DataError(_os_message(str(lock), err, "the folder cannot be locked; "
                                            "use a workspace on a local disk")) from None
            if locked:
                break
            if time.monotonic() > deadline:
                raise DataError(f"{folder}: another npstudy command has been writing to this "
                                f"workspace for over {timeout:.0f} s – wait for it to finish "
                                "and try again")
            time.sleep(0.02)
        recover(folder)
        yield folder
    finally:
        os.close(fd)
