"""Agreement between the real-text annotators, checked against the general implementations and by hand."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from npstudy import data_dir
from npstudy.annotation import binary_kappa_alpha, decision_matrix, label_agreement, realtext_agreement
from npstudy.reliability import cohen_kappa, krippendorff_alpha

REALTEXT = data_dir() / "evaluation" / "realtext"


@pytest.mark.parametrize("seed", range(20))
def test_closed_forms_equal_the_general_coefficients(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    x = (rng.random(n) < rng.random()).astype(int)
    y = np.where(rng.random(n) < 0.8, x, 1 - x)
    kappa, alpha = binary_kappa_alpha(x, y)
    expected_k, expected_a = cohen_kappa(x, y), krippendorff_alpha([x, y])
    if np.isnan(expected_k):
        assert np.isnan(kappa)
    else:
        assert kappa == pytest.approx(expected_k)
    if np.isnan(expected_a):
        assert np.isnan(alpha)
    else:
        assert alpha == pytest.approx(expected_a)


def test_a_hand_worked_example():
    # units (e1, JS) and (e2, ZJ) x themes t1, t2: A says [1 0 | 1 0], B says [1 1 | 0 0]
    a = pd.DataFrame({"excerpt_id": ["e1", "e2"], "province": ["CN-JS", "CN-ZJ"], "theme": ["t1", "t1"]})
    b = pd.DataFrame({"excerpt_id": ["e1", "e1"], "province": ["CN-JS", "CN-JS"], "theme": ["t1", "t2"]})
    m = decision_matrix(a, b, ["t1", "t2"])
    assert m["a"].to_numpy().ravel().tolist() == [1, 0, 1, 0]
    assert m["b"].to_numpy().ravel().tolist() == [1, 1, 0, 0]
    t = label_agreement(a, b, ["t1", "t2"], n_boot=20)
    row = t.loc["province × theme"]
    # p_o = 2/4, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, so κ = 0; α = 1 − (8 − 1)·2 / (4·4) = 0.125
    assert row["cohen_kappa"] == pytest.approx(0.0)
    assert row["krippendorff_alpha"] == pytest.approx(0.125)
    assert (row["both"], row["only_a"], row["only_b"]) == (1, 1, 1)
    assert row["positive_agreement"] == pytest.approx(2 / 4)
    # excerpt level: both annotators gave e1 an item, only A gave e2 one
    ex = t.loc["excerpt"]
    assert (ex["both"], ex["only_a"], ex["only_b"]) == (1, 1, 0)


def test_the_shipped_labels_agree_as_reported():
    t = realtext_agreement(n_boot=200)
    row = t.loc["province × theme"]
    assert (row["both"], row["only_a"], row["only_b"]) == (99, 5, 30)
    assert row["cohen_kappa"] == pytest.approx(0.836, abs=5e-4)
    assert row["cohen_kappa_low"] < row["cohen_kappa"] < row["cohen_kappa_high"]
    assert t.loc["excerpt", "units"] == 237


@pytest.mark.parametrize("batch", ["", "dev2", "dev3", "dev4", "dev5", "test2", "test3", "test4",
                                   "test5", "test6"])
def test_adjudicated_labels_are_the_kept_items_and_within_the_excerpts(batch):
    folder = REALTEXT / batch
    adj = pd.read_csv(folder / "adjudication.csv", dtype=str, keep_default_na=False)
    labels = pd.read_csv(folder / "labels.csv", dtype=str, keep_default_na=False)
    excerpts = pd.read_csv(folder / "excerpts.csv", dtype=str, keep_default_na=False)
    kept = adj[adj["decision"] == "keep"]
    key = ["excerpt_id", "province", "theme"]
    assert sorted(map(tuple, kept[key].to_numpy())) == sorted(map(tuple, labels[key].to_numpy()))
    assert set(adj["decision"]) == {"keep", "drop"}
    assert (adj.loc[adj["source"] != "both", "reason"] != "").all()
    n = excerpts.set_index("excerpt_id")["n_chars"].astype(int)
    start, end = labels["start"].astype(int), labels["end"].astype(int)
    assert ((0 <= start) & (start < end) & (end <= labels["excerpt_id"].map(n))).all()


def test_the_test_split_is_frozen():
    # the test part of the adjudicated labels and of the excerpt records, as frozen before any
    # coder was run on them: a changed label, offset, excerpt hash or split fails here
    labels = pd.read_csv(REALTEXT / "labels.csv", dtype=str, keep_default_na=False)
    excerpts = pd.read_csv(REALTEXT / "excerpts.csv", dtype=str, keep_default_na=False)
    test = excerpts[excerpts["split"] == "test"]
    part = labels[labels["excerpt_id"].isin(test["excerpt_id"])]
    digest = hashlib.sha256((test[["excerpt_id", "sha256"]].to_csv(index=False)
                             + part.to_csv(index=False)).encode()).hexdigest()
    assert len(test) == 141 and len(part) == 61
    assert digest == FROZEN_TEST


@pytest.mark.parametrize("name, n_excerpts, frozen", [
    ("test2", 222, "FROZEN_TEST2"), ("test3", 236, "FROZEN_TEST3"), ("test4", 233, "FROZEN_TEST4"),
    ("test5", 236, "FROZEN_TEST5"), ("test6", 238, "FROZEN_TEST6")],
    ids=["test2", "test3", "test4", "test5", "test6"])
def test_a_later_test_set_is_frozen(name, n_excerpts, frozen):
    # each later test set (test2/ to test6/), frozen by hash as soon as it was
    # adjudicated, before any coder ran on it: a changed label, offset, excerpt or split fails here
    folder = REALTEXT / name
    digest = hashlib.sha256(b"".join((folder / f).read_bytes() for f in (
        "excerpts.csv", "labels.csv", "labels_a.csv", "labels_b.csv", "adjudication.csv"))).hexdigest()
    excerpts = pd.read_csv(folder / "excerpts.csv", dtype=str, keep_default_na=False)
    assert set(excerpts["split"]) == {"test"} and len(excerpts) == n_excerpts
    assert digest == globals()[frozen]


FROZEN_TEST6 = "e20bdbc2cfbed76caea0dab2a3709a1f3ac8c2ba270a8ad7b6d38226472593ff"
FROZEN_TEST5 = "c3788481ab0a01347ce760bfd50d6465075bc75ac418ccb56a059f316e2a7287"
FROZEN_TEST4 = "8f5fb614225614e070d66ec8f754609f12d57d244473d0350e275bd284b2e27f"
FROZEN_TEST3 = "afa96db5e46345ee7a6743ccdf262f10bc8a04fa45a3983fbe7424bb6bd4a544"
FROZEN_TEST2 = "86a9784866ba33c5c75cfac2a3e8d6b5df2cee78aad647b72568d8d370b0fb1e"
FROZEN_TEST = "af3bf2069a85288c48bfdce95bc65e2cd5897b8476e2e14a74223236049176ed"
