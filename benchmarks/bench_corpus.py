"""Corpus mode: 2 processes against 1, peak memory per process, Dask against the process pool.

Usage::

    python benchmarks/bench_corpus.py [MEGABYTES] [--doc-kb KB] [--dir DIR]

Generates MEGABYTES (default 64) of text as documents of about KB (default 200) kilobytes
each, made of lines of the source article and of the evaluation corpus drawn at random
(seeded), then codes the folder with ``npstudy.coder.code_corpus`` three times, each run in a
fresh Python process started the same way:

- **baseline**: ``jobs=1`` (one process codes every document);
- ``jobs=2``: a pool of two processes;
- ``jobs=2, scheduler="dask"``: a Dask ``LocalCluster`` of two single-threaded worker
  processes.

It prints each run's time and throughput, the ratios (baseline / 2 processes, Dask / 2
processes), the peak resident memory of the driving process and of the largest of its child
processes (the workers, and the pool's resource tracker or Dask's nannies; sampled every 0.1 s
with ``psutil``), and checks that the three runs wrote the same bytes.
Outputs are deleted after each run; the generated texts stay in ``--dir`` if given (and are
reused when they are already there), else in a temporary folder that is removed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import machine

ROOT = Path(__file__).resolve().parents[1]

_RUNNER = r"""
import json, sys, threading, time
import psutil
from npstudy.coder import code_corpus

folder, out, jobs, scheduler = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
me = psutil.Process()
peaks = {}
stop = threading.Event()

def sample():
    while not stop.is_set():
        for proc in [me] + me.children(recursive=True):
            try:
                rss = proc.memory_info().rss
            except psutil.Error:
                continue
            peaks[proc.pid] = max(peaks.get(proc.pid, 0), rss)
        stop.wait(0.1)

watcher = threading.Thread(target=sample, daemon=True)
watcher.start()
t0 = time.perf_counter()
totals = code_corpus(folder, out, jobs=jobs, scheduler=scheduler, progress=False)
wall = time.perf_counter() - t0
stop.set()
watcher.join()
own = peaks.pop(me.pid, 0)
print(json.dumps({"wall": wall, "coded": totals["coded"], "failed": totals["failed"],
                  "suggestions": totals["suggestions"], "driver_rss": own,
                  "worker_rss": sorted(peaks.values(), reverse=True)}))
"""


def make_corpus(folder: Path, megabytes: float, doc_kb: int, seed: int = 20240305) -> int:
    """Write about ``megabytes`` of documents to ``folder``; return the bytes written."""
    from npstudy import load_source
    from npstudy.evaluation import shipped_corpora

    lines = [line for line in load_source().split("\n") if line.strip()]
    for corpus in shipped_corpora().values():
        for path in sorted((corpus / "docs").glob("*.txt")):
            lines += [line for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    target, total, k = int(megabytes * 1e6), 0, 0
    while total < target:
        parts, size = [], 0
        while size < doc_kb * 1000:
            line = rng.choice(lines) + "\n"
            parts.append(line)
            size += len(line.encode("utf-8"))
        (folder / f"doc{k:06d}.txt").write_text("".join(parts), encoding="utf-8")
        total, k = total + size, k + 1
    return total


def tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def run(folder: Path, out: Path, jobs: int, scheduler: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", _RUNNER, str(folder), str(out), str(jobs),
                           scheduler], capture_output=True, text=True, check=True, cwd=ROOT)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["hash"] = tree_hash(out)
    shutil.rmtree(out)
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("megabytes", nargs="?", type=float, default=64)
    parser.add_argument("--doc-kb", type=int, default=200)
    parser.add_argument("--dir", type=Path, default=None, help="keep the generated texts here")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="npstudy-bench-corpus-"))
    texts = args.dir or scratch / "texts"
    try:
        if texts.is_dir() and any(texts.glob("*.txt")):
            size = sum(p.stat().st_size for p in texts.glob("*.txt"))
        else:
            size = make_corpus(texts, args.megabytes, args.doc_kb)
        n_docs = len(list(texts.glob("*.txt")))
        print(f"machine: {machine()}")
        print(f"corpus: {n_docs:,} documents, {size / 1e6:,.1f} MB")
        runs = {}
        for name, jobs, scheduler in (("1 process (baseline)", 1, "processes"),
                                      ("2 processes", 2, "processes"),
                                      ("Dask LocalCluster, 2 workers", 2, "dask")):
            runs[name] = r = run(texts, scratch / "out", jobs, scheduler)
            worker = max(r["worker_rss"], default=0)
            print(f"{name:<30} {r['wall']:8.1f} s  {size / 1e6 / r['wall']:6.2f} MB/s  "
                  f"driver peak RSS {r['driver_rss'] / 2**20:6.0f} MiB, largest child "
                  f"{worker / 2**20:6.0f} MiB ({len(r['worker_rss'])} child process(es))  "
                  f"{r['suggestions']:,} suggestions, {r['failed']} failed")
        base, pool, dask = runs.values()
        print(f"2 processes: {base['wall'] / pool['wall']:.2f}x the speed of 1 (target >= 1.7)")
        print(f"Dask: {dask['wall'] / pool['wall']:.2f}x the time of the process pool (target <= 1.3)")
        same = len({r["hash"] for r in runs.values()}) == 1
        print(f"outputs byte-identical across the three runs: {same}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
