"""The evaluation corpus: its split rule, the frozen test set and the held-out fourth batch.

The test set was split off by a fixed rule on the document id before any coder was run on
it, and its content hash is pinned here, so that any edit to it (a relabelled pair, a
reworded sentence, a moved document) fails this test.
"""
from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "data" / "evaluation"
TEST_SET_SHA256 = "1fe99297d71db8c8e1cc1bc0ac9a88dd817bce2e931c6ea64d1f5889ddf9f920"
# the held-out fourth batch, frozen when it was scored blind (blind_scores.csv included)
BATCH4_SHA256 = "a3904e2ef27336fd961c3ddbd405e4a170ed8d30ab41d4f4840fe75dac8251ae"
THEMES = 12


def _rows(split: str, name: str) -> list[dict]:
    with open(ROOT / split / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def split_of(doc_id: str) -> str:
    """The split rule: the parity of a salted SHA-256 of the document id."""
    digest = hashlib.sha256(b"npstudy-evaluation-split-v1:" + doc_id.encode()).hexdigest()
    return "test" if int(digest, 16) % 2 == 0 else "dev"


def tree_sha256(folder: Path) -> str:
    """SHA-256 over the sorted relative paths and bytes of every file below ``folder``."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        h.update(path.relative_to(folder).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    return h.hexdigest()


def test_the_test_set_is_frozen():
    assert tree_sha256(ROOT / "test") == TEST_SET_SHA256


def test_the_held_out_batch_is_frozen():
    assert tree_sha256(ROOT / "batch4") == BATCH4_SHA256


@pytest.mark.parametrize("split", ["dev", "test"])
def test_every_document_sits_in_the_split_its_id_gives(split):
    docs = {p.stem for p in (ROOT / split / "docs").glob("*.txt")}
    listed = {r["doc_id"] for r in _rows(split, "documents")}
    assert docs == listed
    assert {split_of(d) for d in docs} == {split}


@pytest.mark.parametrize("split", ["dev", "test", "batch2", "batch3", "batch4"])
def test_every_labelled_sentence_occurs_in_its_document(split):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (ROOT / split / "docs").glob("*.txt")}
    for name in ("labels", "distractors"):
        for row in _rows(split, name):
            assert row["sentence"] in texts[row["doc_id"]], (name, row["doc_id"], row["sentence"])


def test_size_and_coverage():
    pairs = {(r["doc_id"], r["province"], r["theme"])
             for split in ("dev", "test") for r in _rows(split, "labels")}
    per_theme = {}
    for _, _, theme in pairs:
        per_theme[theme] = per_theme.get(theme, 0) + 1
    provinces = {p for _, p, _ in pairs}
    sentences = sum(len([s for s in _split(p.read_text(encoding="utf-8")) if s.strip()])
                    for split in ("dev", "test") for p in (ROOT / split / "docs").glob("*.txt"))
    assert len(per_theme) == THEMES and min(per_theme.values()) >= 20
    assert len(provinces) >= 25
    assert sentences >= 400


def _split(text: str) -> list[str]:
    out, cur = [], ""
    for ch in text:
        cur += ch
        if ch in "。！？\n":
            out.append(cur)
            cur = ""
    return out + [cur]
