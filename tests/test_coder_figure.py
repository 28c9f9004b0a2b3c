"""Figure 10: the reliability diagram draws the stored table, in the shipped font, the same
bytes every time."""

import json

import matplotlib
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from scipy.stats import binomtest

from npstudy.build import _figure_bytes
from npstudy.coder.confidence import CELLS
from npstudy.coder.screen import SCREEN_RECORD, screen_tables
from npstudy.plots import FONT_FILE
from npstudy.plots_coder import TEXT, plot_coder_reliability

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def tables():
    return screen_tables()


def test_the_stored_tables_agree_with_the_cross_validation(tables):
    rel, cuts = tables["coder_calibration"], tables["coder_calibration_cutoffs"]
    assert rel["cell"].tolist() == ["0.0–0.2", "0.2–0.4", "0.4–0.6", "0.6–0.8", "0.8–1.0"]
    # each bin's rate is its share right, and its mean probability lies inside it
    assert rel["rate"].tolist() == [round(c / n, 4) for c, n in zip(rel["correct"], rel["n"])]
    lows = [0.0, 0.2, 0.4, 0.6, 0.8]
    assert all(lo <= c < lo + 0.2 + 1e-9 for lo, c in zip(lows, rel["confidence"]))
    # the bins hold every item the rules let through, which a cut-off of 0 keeps
    assert rel["n"].sum() == cuts["items"].iloc[0] and rel["correct"].sum() == cuts["right"].iloc[0]
    assert cuts["items"].is_monotonic_decreasing and cuts["recall"].is_monotonic_decreasing
    # at the screen's threshold, the cut-off table gives the pooled held-out scores
    record = json.loads(SCREEN_RECORD.read_text(encoding="utf-8"))
    pooled = record["cross_validation"]["held-out sets"]["pooled"]
    at = cuts[cuts["cutoff"].round(3) == round(record["threshold"], 3)].iloc[0]
    assert (at["precision"], at["recall"]) == (pooled["screened"]["precision"],
                                               pooled["screened"]["recall"])
    assert at["right"] / pooled["items labelled"] == pytest.approx(at["recall"], abs=5e-5)


def test_each_cell_is_drawn_at_its_confidence_and_share(tables):
    rel = tables["coder_calibration"]
    fig = plot_coder_reliability(rel, tables["coder_calibration_cutoffs"], "en")
    ax = fig.axes[0]
    points = sorted((round(float(x), 6), round(float(y), 6)) for line in ax.lines
                    for x, y in zip(line.get_xdata(), line.get_ydata()) if line.get_marker() == "o")
    want = sorted((round(c, 6), round(k / n, 6)) for c, k, n in
                  zip(rel["confidence"], rel["correct"], rel["n"]) if n)
    assert points == want
    # the error bars are Clopper–Pearson intervals of the share
    row = rel.iloc[-1]
    ci = binomtest(int(row["correct"]), int(row["n"])).proportion_ci(0.95)
    segments = [seg for coll in ax.collections for seg in coll.get_segments()]
    assert any(abs(s[0][1] - ci.low) < 1e-9 and abs(s[1][1] - ci.high) < 1e-9 for s in segments)


def test_chinese_text_uses_only_glyphs_of_the_shipped_font():
    cmap = TTFont(str(FONT_FILE)).getBestCmap()
    missing = {ch for v in TEXT.values() for ch in v["zh"]
               if not ch.isascii() and ord(ch) not in cmap}
    assert not missing


def test_two_drawings_give_the_same_bytes(tables):
    args = (tables["coder_calibration"], tables["coder_calibration_cutoffs"], "zh")
    assert _figure_bytes(plot_coder_reliability(*args), "png", "zh") == \
        _figure_bytes(plot_coder_reliability(*args), "png", "zh")


def test_an_empty_cell_is_not_drawn():
    rel = pd.DataFrame({"cell": CELLS, "n": [0, 4, 2, 10], "correct": [0, 1, 2, 9],
                        "confidence": [0.5, 0.5, 0.6, 0.8]})
    cuts = pd.DataFrame({"cutoff": [0.0, 0.5], "precision": [0.5, 0.6], "recall": [0.9, 0.8]})
    fig = plot_coder_reliability(rel, cuts, "en")
    assert sum(line.get_marker() == "o" for line in fig.axes[0].lines) == 3


def test_the_coder_page_quotes_the_stored_reliability(tables):
    # docs/coder.md's reliability table is coder_calibration.csv, bin by bin
    from pathlib import Path
    page = (Path(__file__).resolve().parents[1] / "docs" / "coder.md").read_text(encoding="utf-8")
    for row in tables["coder_calibration"].itertuples():
        line = (f"| {row.cell} | {row.n} | {row.correct} | {row.rate:.2f} | "
                f"{row.confidence:.2f} |")
        assert line in page, line
    cuts = tables["coder_calibration_cutoffs"].set_index("cutoff")
    for cut in (0.5, 0.7, 0.8):
        c = cuts.loc[cut]
        line = (f"| {cut:.2f} | {int(c['items'])} | {int(c['right'])} | {c['precision']:.2f} | "
                f"{c['recall']:.2f} |")
        assert line in page, line
