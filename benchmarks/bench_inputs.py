"""The largest inputs the commands accept, timed: are the documented caps kept in seconds?

- **merge**: ``merge_reviewed`` of N accepted rows (N = 99,900 by default, so that the
  workspace ends just under the 100,000-row cap) into a fresh workspace, then the same file
  again (every row skipped as present).
- **validate**: ``validate`` of that workspace.
- **code**: ``code_file`` of the slowest text of at most ``MAX_CODED_TEXT_BYTES`` (256 KiB)
  we could build: every sentence lists 400 prefecture-level cities and one keyword of each
  of the 39 codes.

Baseline, in the same process: ``read_table`` of the reviewed file (parse only). The
workspace text is made of N distinct sentences ``<province>设立第<i>号科技创新基金。``, coded
by the coder and all accepted.

Run: ``python benchmarks/bench_inputs.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

from npstudy import data_dir, validate
from npstudy.coder import Coder, code_file
from npstudy.fileio import MAX_CODED_TEXT_BYTES, read_table
from npstudy.workspace import make_workspace, merge_reviewed, register_document

PROVINCES = ["浙江", "江苏", "广东", "山东", "上海", "安徽", "四川", "湖北"]


def timed(func):
    t0 = time.perf_counter()
    out = func()
    return time.perf_counter() - t0, out


def dense_text() -> str:
    cities = read_table(data_dir() / "cities.csv")["name_zh"].tolist()[:400]
    keywords = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "keywords" and isinstance(value, list):
                    keywords.append(str(value[0]))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((data_dir() / "codebook.yaml").read_text(encoding="utf-8")))
    sentence = "、".join(cities) + "".join(keywords) + "。\n"
    raw = (sentence * (MAX_CODED_TEXT_BYTES // len(sentence.encode()) + 1)).encode()
    return raw[:MAX_CODED_TEXT_BYTES].decode("utf-8", "ignore")


def main(n: int = 99_900) -> None:
    coder = Coder()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        text = "".join(f"{PROVINCES[i % 8]}设立第{i}号科技创新基金。\n" for i in range(n))
        (tmp / "doc.txt").write_text(text, encoding="utf-8")
        ws = make_workspace(tmp / "ws")
        # the Python function reads up to 8 MiB; the commands stop at 256 KiB
        import npstudy.workspace as workspace
        cap, workspace.MAX_CODED_TEXT_BYTES = workspace.MAX_CODED_TEXT_BYTES, 8 << 20
        register_document(ws, tmp / "doc.txt", "big")
        workspace.MAX_CODED_TEXT_BYTES = cap
        sug = code_file(ws / "raw/big.txt", "big", coder=coder).suggestions
        sug["decision"], sug["summary_en"] = "accept", "A fund."
        sug.to_csv(tmp / "reviewed.csv", index=False)
        base, table = timed(lambda: read_table(tmp / "reviewed.csv"))
        t_merge, merged = timed(lambda: merge_reviewed(tmp / "reviewed.csv", ws))
        t_again, _ = timed(lambda: merge_reviewed(tmp / "reviewed.csv", ws))
        t_validate, problems = timed(lambda: validate(ws))
        assert not problems and len(merged) == n + 52, (problems[:3], len(merged))
        (tmp / "dense.txt").write_text(dense_text(), encoding="utf-8")
        t_code, result = timed(lambda: code_file(tmp / "dense.txt", "d", coder=coder))
    print(f"{len(table):,} reviewed rows; baseline read_table {base:.2f} s")
    for what, secs in ((f"merge {n:,} new rows", t_merge), ("merge them again (all skipped)", t_again),
                       (f"validate the {len(merged):,}-row workspace", t_validate),
                       (f"code the densest {MAX_CODED_TEXT_BYTES // 1024} KiB text "
                        f"({len(result.suggestions):,} suggestions)", t_code)):
        print(f"{what:58s} {secs:6.2f} s   {secs / base:5.1f}× baseline")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 99_900)
