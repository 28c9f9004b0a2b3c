"""The opt-in review classifier: fitting, saving, re-scoring, the CLI and cross-validation."""

import numpy as np
import pandas as pd
import pytest

from npstudy.fileio import CodingError
from npstudy.learn import (MODEL_PATH, apply_model, fit, learning_curve, load_model,
                           reviewed_suggestions, train)

T = "innovation.venture_capital"


def _reviews(n=40):
    # accepted clauses report an action (设立 … 基金); rejected ones only mention the word
    acc = [f"浙江设立第{i}支科技创新基金" for i in range(n)]
    rej = [f"基金行业的第{i}份背景报告显示规模较大" for i in range(n)]
    return pd.DataFrame({"doc_id": [f"d{i % 5}" for i in range(2 * n)], "quote": acc + rej,
                         "theme": T, "province": "CN-ZJ", "accepted": [True] * n + [False] * n})


def test_fit_separates_accepted_from_rejected_and_is_seeded():
    reviews = _reviews()
    model = fit(reviews, seed=3)
    new = pd.DataFrame({"quote": ["江苏设立科技创新基金", "基金行业背景报告"], "theme": [T, T]})
    p = model.predict_proba(new)[:, 1]
    assert p[0] > 0.5 > p[1]
    again = fit(reviews, seed=3).predict_proba(new)[:, 1]
    assert np.array_equal(p, again)


def test_fit_needs_both_decisions():
    reviews = _reviews().assign(accepted=True)
    with pytest.raises(CodingError, match="at least 2 accepted and 2 rejected"):
        fit(reviews)


def _workspace(tmp_path):
    (tmp_path / "reviews").mkdir()
    r = _reviews()
    r.assign(decision=np.where(r["accepted"], "accept", "reject")).drop(columns="accepted") \
        .to_csv(tmp_path / "reviews" / "batch1.csv", index=False)
    return tmp_path


def test_train_saves_a_model_that_apply_model_uses(tmp_path):
    ws = _workspace(tmp_path)
    info = train(ws, seed=0)
    assert (ws / MODEL_PATH).is_file() and (ws / MODEL_PATH).with_suffix(".json").is_file()
    assert (info["accepted"], info["rejected"], info["files"]) == (40, 40, ["batch1.csv"])
    model = load_model(ws)
    sug = pd.DataFrame({"quote": ["上海设立科技创新基金", "基金背景报告"], "theme": [T, T],
                        "confidence": [0.6, 0.6]})
    kept = apply_model(sug, model)
    assert kept["quote"].tolist() == ["上海设立科技创新基金"]
    assert 0.5 <= kept["confidence"].iloc[0] <= 1
    assert sug["confidence"].tolist() == [0.6, 0.6]   # input untouched


def test_a_missing_quote_or_a_bad_threshold_is_refused(tmp_path):
    # a missing quote was read as the text "nan" and scored like a sentence
    train(_workspace(tmp_path), seed=0)
    model = load_model(tmp_path)
    sug = pd.DataFrame({"quote": ["上海设立科技创新基金", np.nan], "theme": [T, T]})
    with pytest.raises(ValueError, match=r"row 1: quote: nan – a suggestion needs its quote"):
        model.predict_proba(sug)
    with pytest.raises(ValueError, match="row 1: quote"):
        apply_model(sug, model)
    for threshold in (np.nan, -0.1, 1.5, "0.5", True):
        with pytest.raises(ValueError, match="give a probability between 0 and 1"):
            apply_model(sug.iloc[:1], model, threshold)
    assert len(apply_model(sug.iloc[:1], model, 0.0)) == 1   # the bounds themselves are fine


def test_reviewed_suggestions_reads_only_decided_rows(tmp_path):
    ws = _workspace(tmp_path)
    pd.DataFrame({"quote": ["x"], "theme": [T], "decision": [""]}).to_csv(ws / "open.csv", index=False)
    pd.DataFrame({"a": [1]}).to_csv(ws / "other.csv", index=False)
    assert len(reviewed_suggestions(ws)) == 80
    with pytest.raises(CodingError, match="no trained model"):
        load_model(tmp_path / "nowhere")


def test_cli_train_and_code_with_model(tmp_path, cli):
    ws = _workspace(tmp_path)
    run = cli("train", ws)
    assert run.code == 0, run.err
    assert "trained on 40 accepted and 40 rejected" in run.out
    doc = tmp_path / "doc.txt"
    doc.write_text("浙江设立科技创新基金。\n基金行业背景报告显示，江苏科技创新基金规模较大。\n", encoding="utf-8")
    plain = cli("code", doc, "--out", tmp_path / "a.csv")
    assert plain.code == 0, plain.err
    with_model = cli("code", doc, "--model", ws, "--out", tmp_path / "b.csv")
    assert with_model.code == 0, with_model.err
    a = pd.read_csv(tmp_path / "a.csv", encoding="utf-8-sig")
    b = pd.read_csv(tmp_path / "b.csv", encoding="utf-8-sig")
    assert set(a["province"]) == {"CN-ZJ", "CN-JS"}
    assert b["province"].tolist() == ["CN-ZJ"]
    empty = tmp_path / "empty"
    empty.mkdir()
    failed = cli("train", empty)
    assert failed.code == 1 and failed.err.startswith("npstudy: error: training needs")


def test_learning_curve_reports_the_gain_per_size():
    reviews = _reviews(60)
    curve = learning_curve(reviews, sizes=(10, 40), folds=3, repeats=2, seed=0)
    assert curve["requested"].tolist() == [10, 40]
    assert (curve["sentences"] <= curve["requested"]).all()
    # lexicon alone keeps everything: precision is the accepted share, here one half
    assert curve["precision_lexicon"].tolist() == pytest.approx([0.5, 0.5])
    assert curve["f1_gain"].tolist() == pytest.approx((curve["f1_model"] - curve["f1_lexicon"]).tolist())
    assert curve["f1_model"].iloc[-1] > curve["f1_lexicon"].iloc[-1]
