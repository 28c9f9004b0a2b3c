"""Code a whole folder of texts: ``npstudy code DIR --out OUTDIR [--jobs N]``.

Every ``*.txt`` file directly in ``DIR`` is one document, its id the file name without
``.txt``. Each document is coded by :func:`code_document`, in ``N`` processes (or on a Dask
cluster), and written as soon as it is done to ``OUTDIR/docs/<doc_id>/``:
``suggestions.csv``, ``aggregates.csv``, ``unmatched.csv`` (UTF-8 with a BOM, as
``npstudy code --out`` writes them) and ``manifest.json``. The set is staged in a temporary
folder inside ``OUTDIR`` and renamed into place, so a document's folder is complete or
absent, whatever interrupts the run.

The manifest records the npstudy version, a hash of the coder's vocabulary and rules
(:func:`coder_fingerprint`), the SHA-256 of the input file, the ``--province`` and
``--encoding`` asked for, the province a workspace records for the text (``DIR`` being a
workspace's ``raw/``), the province used and where it came from, and the row counts. A
run skips every document whose manifest matches, so an interrupted run resumes where it
stopped, and a changed lexicon or text is coded again.

There is no overall row cap: each process holds one document at a time (texts longer than
a million characters are coded in blocks), and the parent keeps only the counts.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import sys
import threading
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import pandas as pd

from .. import __version__, fileio
from ..dataset import check_doc_id
from ..fileio import CodingError, DataError, NpstudyError
from .run import csv_bytes

__all__ = ["CorpusOptions", "corpus_texts", "coder_fingerprint", "code_document", "code_corpus",
           "read_corpus", "MANIFEST", "OUTPUTS"]

MANIFEST = "manifest.json"
#: The tables written for each document, ``{file name: CodingResult attribute}``.
OUTPUTS = {"suggestions.csv": "suggestions", "aggregates.csv": "aggregates",
           "unmatched.csv": "unmatched"}
_TMP, _OLD = ".npstudy-tmp-", ".npstudy-old-"
#: Every key a manifest holds; one with any other was edited.
_MANIFEST_KEYS = frozenset({"doc_id", "source", "npstudy", "lexicon", "sha256", "province_option",
                            "province_recorded", "encoding_option", "encoding", "chars", "province",
                            "province_source", "suggestions", "aggregates", "unmatched", "warnings",
                            "outputs_sha256", "manifest_sha256"})


@dataclass(frozen=True)
class CorpusOptions:
    """What every document of a run is coded with (picklable, sent to each worker)."""

    out: str
    province: str | None = None
    encoding: str | None = None
    force: bool = False


def corpus_texts(folder: str | os.PathLike) -> list[Path]:
    """The ``*.txt`` files directly in ``folder``, sorted by name.

    Raises
    ------
    CodingError
        When ``folder`` is not a folder, holds no text, a file name is no document id, an
        entry named ``*.txt`` is no regular file (a folder, a FIFO, a broken link), or a
        link points outside the folder.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CodingError(f"{folder}: not a folder – pass a folder of .txt files")
    paths = sorted((p for p in folder.iterdir() if p.suffix == ".txt"), key=lambda p: p.name)
    for path in paths:
        if not path.is_file():
            raise CodingError(f"{path}: named .txt but {_not_a_file(path)} – move it out of "
                              f"{folder} or rename it, so that every .txt entry is a document")
        if path.is_symlink() and path.resolve().parent != folder.resolve():
            raise CodingError(f"{path}: a link to {path.resolve()}, outside {folder} – copy the "
                              "document into the folder instead of linking to it")
    if not paths:
        raise CodingError(f"{folder}: holds no .txt file – put each document in a file "
                          "named <doc_id>.txt (UTF-8 or GB18030)")
    for path in paths:
        try:
            check_doc_id(path.stem, f"{path}: document id from the file name")
        except DataError as err:
            raise CodingError(f"{err}; rename the file") from None
    return paths


def _not_a_file(path: Path) -> str:
    """What a directory entry that is no regular file is, in words."""
    if path.is_symlink() and not path.exists():
        return "a broken link"
    if path.is_dir():
        return "a folder"
    if path.is_fifo():
        return "a FIFO"
    return "not a regular file"


def coder_fingerprint(coder) -> str:
    """SHA-256 of everything the coder's output depends on: its patterns, their kinds, places
    and labels, the keyword rules, the codebook's codes, which checks it runs, the statement
    screen's weights and the calibration (cached per coder)."""
    known = getattr(coder, "_fingerprint", None)
    if known is None:
        # sorted: the order of the patterns (not the matches) varies with string hashing
        entries = sorted(zip(coder._patterns, coder._kind.tolist(), coder._value, coder._label))
        from .confidence import load_calibration
        model = coder.screen
        screen = (None if model is None else
                  [model.vocabulary, model.coef.tolist(), model.intercept, model.threshold])
        payload = json.dumps([entries, coder._rules, coder._code_ids, coder._code_theme,
                              coder._code_category, coder._code_type, sorted(coder._partners),
                              [coder.statement_test, coder.calibrated, coder.screened],
                              screen, load_calibration() if coder.calibrated else None],
                             ensure_ascii=False, default=list)
        known = coder._fingerprint = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    return known


#: Largest manifest read (a real one is about 1 kB); a larger file, or one that is not a
#: regular file (a FIFO, a link to a device), is not a manifest.
_MAX_MANIFEST = 1 << 20


def _read_manifest(folder: Path) -> dict | None:
    """The manifest of a document's folder, or None when there is none or it is not one that
    npstudy code wrote: not a regular file, too large, not JSON, not byte for byte as npstudy
    writes its content (so edited since), or not an object whose counts are whole numbers of
    at least 0 and whose output digests are strings."""
    try:
        raw = fileio.read_bytes(folder / MANIFEST, _MAX_MANIFEST)
        found = json.loads(raw.decode("utf-8"))
    except (NpstudyError, OSError, ValueError):
        return None
    if not isinstance(found, dict) or raw != _manifest_bytes(found) or set(found) - _MANIFEST_KEYS:
        return None       # not as npstudy writes it: edited since
    if "manifest_sha256" in found and found["manifest_sha256"] != _content_sha256(found):
        return None       # a value changed in place (a count, a digest): edited since
    digests = found.get("outputs_sha256", {})
    if (not all(isinstance(found.get(k, 0), int) and not isinstance(found.get(k, 0), bool)
                and found.get(k, 0) >= 0 for k in ("suggestions", "aggregates", "unmatched"))
            or not isinstance(digests, dict)
            or not all(isinstance(v, str) for v in digests.values())
            or not isinstance(found.get("warnings", []), list)):
        return None
    return found


def _content_sha256(manifest: dict) -> str:
    """SHA-256 of a manifest's content without its own digest: an edit that keeps the file's
    form (a count changed in place) changes it. Manifests written before it are read as they
    were."""
    content = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(_manifest_bytes(content)).hexdigest()


def _manifest_bytes(manifest: dict) -> bytes:
    """A manifest as npstudy code writes it (the file's bytes)."""
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file (not a link), read in blocks; None for anything else."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def _outputs_intact(folder: Path, manifest: dict) -> bool:
    """Whether every output the manifest lists is there, a regular file, with its SHA-256."""
    digests = manifest.get("outputs_sha256", {})
    return set(digests) == set(OUTPUTS) and all(
        _file_sha256(folder / name) == digest for name, digest in digests.items())


def _write_synced(path: Path, payload: bytes) -> None:
    with open(path, "wb") as f:
        f.write(payload)
        f.flush()
        os.fsync(f.fileno())


def _publish(out: Path, doc_id: str, files: dict[str, bytes]) -> None:
    """Stage ``files`` in a temporary folder inside ``out`` and rename it to
    ``out/docs/<doc_id>`` (replacing a previous set, which must hold a manifest)."""
    tmp = out / f"{_TMP}{doc_id}-{os.getpid()}-{threading.get_ident()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    for name, payload in files.items():      # the manifest last
        _write_synced(tmp / name, payload)
    docs = out / "docs"
    docs.mkdir(exist_ok=True)
    target = docs / doc_id
    if os.path.lexists(target):
        manifest = None if target.is_symlink() else _read_manifest(target)
        if manifest is None:
            shutil.rmtree(tmp)
            raise CodingError(f"{target}: exists but was not written by npstudy code (its "
                              "manifest is missing, damaged or edited) – move it away or choose "
                              "another --out")
        foreign = sorted(p.name for p in target.iterdir() if p.name not in files)
        written = manifest.get("outputs_sha256", {})
        foreign += sorted(name for name in files if name != MANIFEST    # edited, now a folder,
                          and os.path.lexists(target / name)              # or never digested
                          and _file_sha256(target / name) != written.get(name))
        if foreign:
            shutil.rmtree(tmp)
            raise CodingError(f"{target}: holds files npstudy code did not write, that were "
                              f"edited since, or whose digest an older manifest lacks "
                              f"({', '.join(foreign)}) – move them away before the document is "
                              "coded again")
        old = out / f"{_OLD}{doc_id}-{os.getpid()}-{threading.get_ident()}"
        os.rename(target, old)
        os.rename(tmp, target)
        shutil.rmtree(old)
    else:
        os.rename(tmp, target)
    fileio._fsync_dir(docs)


def _worker_coder():
    from .core import default_coder

    return default_coder()


def _summary(doc_id: str, status: str, manifest: dict | None = None, error: str = "") -> dict:
    counts = {k: int((manifest or {}).get(k, 0)) for k in ("suggestions", "aggregates", "unmatched")}
    return {"doc_id": doc_id, "status": status, **counts, "error": error,
            "warnings": list((manifest or {}).get("warnings", []))}


def code_document(path: str | os.PathLike, options: CorpusOptions) -> dict:
    """Code one text into ``OUT/docs/<doc_id>/`` unless it is already coded alike.

    The function a worker runs, in a process of the pool or on a Dask worker; it reads its
    own input and writes its own output, and returns a small summary: ``doc_id``,
    ``status`` (``coded``, ``skipped`` or ``failed``), the three row counts, ``error`` and
    ``warnings``. A text npstudy refuses (empty, binary, too large …) is ``failed``, with
    the reason, and nothing is written for it.
    """
    from ..text import MAX_SENTENCE_CHARS, longest_sentence, read_document
    from .province import document_province, recorded_province

    path, out = Path(path), Path(options.out)
    doc_id = path.stem
    try:
        raw = fileio.read_bytes(path, fileio.MAX_TEXT_BYTES)
        coder = _worker_coder()
        recorded = recorded_province(path)
        wanted = {"npstudy": __version__, "lexicon": coder_fingerprint(coder),
                  "sha256": hashlib.sha256(raw).hexdigest(),
                  "province_option": options.province or "", "province_recorded": recorded or "",
                  "encoding_option": options.encoding or ""}
        folder = out / "docs" / doc_id
        old = _read_manifest(folder)
        if (not options.force and old is not None and all(old.get(k) == v for k, v in wanted.items())
                and _outputs_intact(folder, old)):
            return _summary(doc_id, "skipped", old)
        text, used = read_document(path, options.encoding, fileio.MAX_TEXT_BYTES)
        longest, at = longest_sentence(text)
        if longest > MAX_SENTENCE_CHARS:
            line = text.count("\n", 0, at) + 1
            raise CodingError(f"{path}:{line}: a sentence of {longest:,} characters with no 。！？ "
                              f"or line break (at most {MAX_SENTENCE_CHARS:,}) – every suggestion "
                              "would quote all of it: break the text into sentences or lines "
                              "first")
        own, source = document_province(text, coder, options.province, recorded)
        result = coder.code(text, doc_id, province=own)
        if used != "utf-8":
            result.warnings.insert(0, f"read as {used}; offsets count characters of the decoded text")
        manifest = {"doc_id": doc_id, "source": path.name, **wanted, "encoding": used,
                    "chars": len(text), "province": own or "", "province_source": source,
                    **{attr: len(getattr(result, attr)) for attr in OUTPUTS.values()},
                    "warnings": result.warnings}
        files = {name: csv_bytes(getattr(result, attr), bom=True) for name, attr in OUTPUTS.items()}
        manifest["outputs_sha256"] = {name: hashlib.sha256(data).hexdigest()
                                      for name, data in files.items()}
        manifest["manifest_sha256"] = _content_sha256(manifest)
        files[MANIFEST] = _manifest_bytes(manifest)
        _publish(out, doc_id, files)
        return _summary(doc_id, "coded", manifest)
    except NpstudyError as err:
        return _summary(doc_id, "failed", error=str(err))


def _left_by_npstudy(entry: Path) -> bool:
    """Whether ``entry`` is a set that npstudy code staged or moved aside: a real folder that
    holds nothing but its output files and manifest (anything else is the user's)."""
    if entry.is_symlink() or not entry.is_dir():
        return False
    return all(p.name in OUTPUTS or p.name == MANIFEST for p in entry.iterdir())


def _writer_alive(entry: Path) -> bool:
    """Whether the process that staged or moved aside ``entry`` (``…-<doc_id>-<pid>-<thread>``)
    still runs: its set is in use, not left over."""
    try:
        return fileio.pid_alive(int(entry.name.rsplit("-", 2)[1]))
    except (ValueError, IndexError):
        return False


def _clean(out: Path) -> None:
    """Remove what an interrupted run left in ``out``: staged sets, and previous sets moved
    aside (put back when their document has none). A folder with npstudy's prefix that holds
    anything else is left as it is."""
    for entry in sorted(out.glob(_TMP + "*")):
        if _left_by_npstudy(entry) and not _writer_alive(entry):
            shutil.rmtree(entry, ignore_errors=True)
    for entry in sorted(out.glob(_OLD + "*")):
        if not _left_by_npstudy(entry) or _read_manifest(entry) is None or _writer_alive(entry):
            continue
        doc_id = entry.name[len(_OLD):].rsplit("-", 2)[0]
        target = out / "docs" / doc_id
        if not os.path.lexists(target):
            os.rename(entry, target)
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _init_process() -> None:
    import signal

    from . import core

    core._WORKERS = 1   # the processes share the cores: one thread each
    # Ctrl-C reaches the whole process group: the parent stops the pool (the documents in
    # progress finish and are written whole), the workers print nothing
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run_processes(paths, options, jobs, done) -> None:
    """Code ``paths`` in ``jobs`` processes, at most two documents per process in flight."""
    if jobs <= 1:
        for path in paths:
            done(code_document(path, options))
        return
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"),
                               initializer=_init_process)
    try:
        todo, pending = iter(paths), set()
        for path in todo:
            pending.add(pool.submit(code_document, str(path), options))
            if len(pending) >= 2 * jobs:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    done(future.result())
        for future in pending:
            done(future.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(paths, options, jobs, done, client=None) -> None:
    """Code ``paths`` on a Dask cluster: ``client``'s, else a local one of ``jobs`` processes."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise CodingError("--scheduler dask needs Dask: pip install 'npstudy[dask]'") from None
    cluster = None
    if client is None:
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        todo = iter(paths)
        running = as_completed()
        for path in todo:
            running.add(client.submit(code_document, str(path), options, pure=False))
            if running.count() >= 2 * max(jobs, 1):
                break
        for future in running:
            done(future.result())
            future.release()
            nxt = next(todo, None)
            if nxt is not None:
                running.add(client.submit(code_document, str(nxt), options, pure=False))
    finally:
        if cluster is not None:
            client.close()
            cluster.close()


def code_corpus(folder: str | os.PathLike, out: str | os.PathLike, jobs: int = 1,
                province: str | None = None, encoding: str | None = None, force: bool = False,
                scheduler: str = "processes", client=None, progress: bool | None = None) -> dict:
    """Code every text of a folder into ``out`` (see the module's description).

    Parameters
    ----------
    folder : path-like
        A folder of ``<doc_id>.txt`` files (UTF-8 or GB18030, at most
        :data:`npstudy.fileio.MAX_TEXT_BYTES` each).
    out : path-like
        The output folder (created if missing); each document goes to ``out/docs/<doc_id>/``.
    jobs : int
        Processes (or, with Dask, local workers) coding at once.
    province, encoding
        As for ``npstudy code``; without ``province``, each document's own is found as
        :func:`npstudy.coder.province.document_province` says.
    force : bool
        Code every document again, even those already coded alike.
    scheduler : {"processes", "dask"}
        A pool of ``jobs`` processes, or Dask (``client``, else a local cluster).
    client : dask.distributed.Client, optional
        The Dask cluster to run on (its workers need npstudy installed and access to
        ``folder`` and ``out``).
    progress : bool, optional
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    dict
        ``documents``, ``coded``, ``skipped``, ``failed`` (counts), ``suggestions``,
        ``aggregates``, ``unmatched`` (rows over the documents coded or skipped), ``errors``
        (``[(doc_id, message)]``) and ``warnings`` (``[(doc_id, message)]``).
    """
    if scheduler not in ("processes", "dask"):
        raise CodingError(f"--scheduler {scheduler!r}: use processes or dask")
    if int(jobs) < 1:
        raise CodingError(f"--jobs {jobs}: must be at least 1")
    paths = corpus_texts(folder)
    out = Path(out)
    fileio.refuse_protected(out, "output")
    if os.path.islink(out) and not out.exists():
        raise CodingError(f"{out}: is a link to nowhere (or a link loop) – choose a folder for --out")
    if out.exists() and not out.is_dir():
        raise CodingError(f"{out}: exists and is not a folder – choose a folder for --out")
    docs = out / "docs"
    if os.path.islink(docs) or (os.path.lexists(docs) and not docs.is_dir()):
        raise CodingError(f"{docs}: is a link or a file, not npstudy's folder of coded documents "
                          "– move it away or choose another --out")
    if province:
        from ..gazetteer import PROVINCE_HINT, load_gazetteer

        if load_gazetteer().find(province) is None:
            raise CodingError(f"--province {province!r} is not a province name or ISO code "
                              f"– {PROVINCE_HINT}")
    out.mkdir(parents=True, exist_ok=True)
    with fileio.run_lock(out, "npstudy code run"):
        return _code_locked(paths, out, jobs, province, encoding, force, progress, scheduler, client)


def _code_locked(paths, out: Path, jobs, province, encoding, force, progress, scheduler, client):
    """:func:`code_corpus` once ``out`` is locked."""
    _clean(out)
    options = CorpusOptions(str(out.resolve()), province or None, encoding, bool(force))
    totals = {"documents": len(paths), "coded": 0, "skipped": 0, "failed": 0, "suggestions": 0,
              "aggregates": 0, "unmatched": 0, "errors": [], "warnings": []}
    show = sys.stderr.isatty() if progress is None else progress
    from tqdm import tqdm

    with tqdm(total=len(paths), unit="doc", disable=not show, file=sys.stderr) as bar:
        def done(summary: dict) -> None:
            totals[summary["status"]] += 1
            for key in ("suggestions", "aggregates", "unmatched"):
                totals[key] += summary[key]
            if summary["error"]:
                totals["errors"].append((summary["doc_id"], summary["error"]))
            totals["warnings"] += [(summary["doc_id"], w) for w in summary["warnings"]]
            bar.update(1)

        if scheduler == "dask":
            _run_dask(paths, options, int(jobs), done, client)
        else:
            _run_processes(paths, options, int(jobs), done)
    return totals


def read_corpus(out: str | os.PathLike, table: str = "suggestions") -> pd.DataFrame:
    """One table of every coded document's ``suggestions``, ``aggregates`` or ``unmatched``,
    in document order (each document's rows keep their own ids ``S00001`` …)."""
    if f"{table}.csv" not in OUTPUTS:
        raise ValueError(f"table must be one of {', '.join(OUTPUTS.values())}, not {table!r}")
    docs = Path(out) / "docs"
    frames = [fileio.read_table(d / f"{table}.csv") for d in sorted(docs.iterdir(), key=lambda p: p.name)
              if (d / MANIFEST).is_file()] if docs.is_dir() else []
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
