"""Evaluation: per-theme scores by hand, the document-clustered bootstrap against a plain
loop, corpus loading errors, and the frozen test set's figures."""

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from npstudy.dataset import DataError
from npstudy.evaluation import (bootstrap_scores, load_corpus, review_from_labels, score)

T1, T2 = "innovation.basic_research", "reform.talent"
ROOT = Path(__file__).resolve().parents[1]


def _items(rows):
    return pd.DataFrame(rows, columns=["doc_id", "province", "theme"])


GOT = _items([("a", "CN-SH", T1), ("a", "CN-ZJ", T1), ("b", "CN-JS", T2), ("c", "CN-AH", T2),
              ("c", "CN-AH", T2)])
WANT = _items([("a", "CN-SH", T1), ("b", "CN-JS", T2), ("b", "CN-JS", T1), ("c", "CN-HB", T2)])


def test_score_by_hand():
    s = score(GOT, WANT).set_index("theme")
    # T1: suggested {a/SH, a/ZJ}, labelled {a/SH, b/JS} -> TP 1, P 1/2, R 1/2
    assert s.loc[T1, ["tp", "suggested", "labelled"]].tolist() == [1, 2, 2]
    assert s.loc[T1, "precision"] == 0.5 and s.loc[T1, "recall"] == 0.5
    # T2: suggested {b/JS, c/AH} (the duplicate counts once), labelled {b/JS, c/HB}
    assert s.loc[T2, ["tp", "suggested", "labelled"]].tolist() == [1, 2, 2]
    # pooled: TP 2 of 4 suggested and 4 labelled; F1 = 2*2/(4+4)
    assert s.loc["all", ["precision", "recall", "f1"]].tolist() == [0.5, 0.5, 0.5]
    # a theme with nothing suggested has no precision
    assert np.isnan(s.loc["green.carbon_finance", "precision"])


def _loop_bootstrap(got, want, docs, n, seed):
    """The cluster bootstrap written out: draw documents, pool their items, score."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(docs), size=(n, len(docs)))
    g = set(map(tuple, got.drop_duplicates().to_numpy().tolist()))
    w = set(map(tuple, want.drop_duplicates().to_numpy().tolist()))
    out = []
    for row in draws:
        tp = sg = lb = 0
        for i in row:
            d = docs[i]
            gd = {x for x in g if x[0] == d}
            wd = {x for x in w if x[0] == d}
            tp, sg, lb = tp + len(gd & wd), sg + len(gd), lb + len(wd)
        out.append((tp / sg if sg else np.nan, tp / lb if lb else np.nan))
    return np.array(out)


def test_bootstrap_resamples_documents_like_a_plain_loop():
    docs = ["a", "b", "c"]
    table = bootstrap_scores(GOT, WANT, docs, n=400, seed=7).set_index("theme")
    ref = _loop_bootstrap(GOT, WANT, docs, 400, 7)
    lo_p, hi_p = np.nanquantile(ref[:, 0], [0.025, 0.975])
    lo_r, hi_r = np.nanquantile(ref[:, 1], [0.025, 0.975])
    assert table.loc["all", ["precision_low", "precision_high"]].tolist() == pytest.approx([lo_p, hi_p])
    assert table.loc["all", ["recall_low", "recall_high"]].tolist() == pytest.approx([lo_r, hi_r])
    # seeded: the same table twice; another seed, another table
    again = bootstrap_scores(GOT, WANT, docs, n=400, seed=7)
    assert again.equals(bootstrap_scores(GOT, WANT, docs, n=400, seed=7))
    assert table.loc["all", "documents"] == 3


def test_identical_documents_give_a_degenerate_interval():
    got = _items([(d, "CN-SH", T1) for d in "abcd"])
    t = bootstrap_scores(got, got, list("abcd"), n=50).set_index("theme")
    assert t.loc["all", ["precision_low", "precision_high", "recall_low", "recall_high"]].tolist() \
        == [1.0, 1.0, 1.0, 1.0]


def test_load_corpus_reports_bad_input(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "d1.txt").write_text("浙江设立科技创新基金。", encoding="utf-8")
    (tmp_path / "documents.csv").write_text("doc_id,default_province\nd1,\n", encoding="utf-8")
    (tmp_path / "labels.csv").write_text(
        "doc_id,sentence,province,theme,code,note\nd1,浙江设立科技创新基金,浙江,venture_capital,,\n",
        encoding="utf-8")
    corpus = load_corpus(tmp_path)
    assert corpus["labels"][["province", "theme"]].values.tolist() == [
        ["CN-ZJ", "innovation.venture_capital"]]
    (tmp_path / "labels.csv").write_text(
        "doc_id,sentence,province,theme,code,note\nd1,x,浙江,venture,,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"labels.csv:2: theme 'venture' is not a theme"):
        load_corpus(tmp_path)
    (tmp_path / "labels.csv").write_text(
        "doc_id,sentence,province,theme,code,note\nd2,x,浙江,talent,,\n", encoding="utf-8")
    with pytest.raises(DataError, match="doc_id 'd2' is not in documents.csv"):
        load_corpus(tmp_path)
    # a text that is there but is no plain file is not said to be missing
    (tmp_path / "docs" / "d1.txt").unlink()
    os.mkfifo(tmp_path / "docs" / "d1.txt")
    with pytest.raises(DataError, match="d1.txt: not a regular file"):
        load_corpus(tmp_path)
    (tmp_path / "docs" / "d1.txt").unlink()
    with pytest.raises(DataError, match="d1.txt: not found"):
        load_corpus(tmp_path)


def test_review_from_labels_accepts_quotes_inside_labelled_sentences():
    sug = pd.DataFrame({"doc_id": ["a", "a", "a"], "province": ["CN-SH", "CN-SH", "CN-ZJ"],
                        "theme": [T1, T2, T1], "quote": ["上海建设实验室", "上海建设实验室", "浙江"]})
    lab = pd.DataFrame({"doc_id": ["a"], "province": ["CN-SH"], "theme": [T1],
                        "sentence": ["2024年，上海建设实验室。"]})
    assert review_from_labels(sug, lab)["decision"].tolist() == ["accept", "reject", "reject"]


def test_the_coder_on_the_frozen_test_set():
    """The numbers quoted in the README; the test set is only coded, never read."""
    from npstudy.evaluation import code_corpus

    corpus = load_corpus(ROOT / "data" / "evaluation" / "test")
    table = bootstrap_scores(code_corpus(corpus), corpus["labels"],
                             list(corpus["documents"]["doc_id"]), n=500).set_index("theme")
    assert table.loc["all", "precision"] >= 0.85
    assert table.loc["all", "recall"] >= 0.85


def test_cli_evaluate_writes_the_table_and_reports_bad_folders(cli, tmp_path):
    out = tmp_path / "eval.csv"
    run = cli("evaluate", ROOT / "data" / "evaluation" / "dev", "--article", "--bootstrap", "50", "--out", out)
    assert run.code == 0, run.err
    table = pd.read_csv(out)
    assert table["set"].unique().tolist() == ["article (in-sample)", "dev"]
    assert len(table) == 2 * 13                       # 12 themes and the pooled row per set
    art = table[(table["set"] == "article (in-sample)") & (table["theme"] == "all")].iloc[0]
    assert (art["tp"], art["suggested"], art["labelled"]) == (40, 41, 40)
    bad = cli("evaluate", tmp_path / "nowhere")
    assert bad.code == 1 and "documents.csv: not found" in bad.err
    empty = tmp_path / "empty"
    (empty / "docs").mkdir(parents=True)
    (empty / "documents.csv").write_text("doc_id,default_province\n", encoding="utf-8")
    (empty / "labels.csv").write_text("doc_id,province,theme\n", encoding="utf-8")
    bad = cli("evaluate", empty)              # used to print a table of NaN and exit 0
    assert bad.code == 1 and "documents.csv: no document" in bad.err


def test_the_extension_guide_quotes_the_built_evaluation_table():
    # each row of the project-corpora table in docs/howto/extend.md is the pooled row of
    # figures/tables/coder_evaluation.csv, rounded; a rebuilt table with other values fails here
    built = pd.read_csv(ROOT / "figures" / "tables" / "coder_evaluation.csv")
    built = built[built["theme"] == "all"].set_index("set")
    page = (ROOT / "docs" / "howto" / "extend.md").read_text(encoding="utf-8").splitlines()

    def cell(r, k):
        return f"{r[k]:.3f} [{r[k + '_low']:.3f}, {r[k + '_high']:.3f}]"

    for name in ("dev", "batch2", "batch3", "test", "batch4"):
        r = built.loc[name]
        line = next(x for x in page if x.startswith(f"| `data/evaluation/{name}` "))
        assert (f"| {cell(r, 'precision')} | {cell(r, 'recall')} | {r['f1']:.3f} | "
                f"{r['suggested']} / {r['labelled']} |") in line, name
    r = built.loc["article (in-sample)"]
    line = next(x for x in page if x.startswith("| source article"))
    assert line.endswith(f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
                         f"{r['suggested']} / {r['labelled']} |")
