"""Figure 10: how far the coder's confidence can be trusted on real published text.

Drawing only: the numbers come from the reliability and cut-off tables that
:mod:`npstudy.coder.screenfit` cross-validates on the real-text sets (the DEV sets and
the retired test sets) and stores in ``npstudy/coder/screen.json`` (:func:`npstudy.coder.screen.screen_tables`).
The figure is 7 inches wide and every text is at least 7 pt at that width.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.stats import binomtest

from .plots.style import style as _style

__all__ = ["TEXT", "WIDTH", "plot_coder_reliability"]

#: Print width (inches).
WIDTH = 7.0
_BLUE, _ORANGE, _GREY = "#2166ac", "#b35806", "#4d4d4d"

TEXT = {
    "title": {"en": "The coder's confidence on real published text (predicted out of set)",
              "zh": "编码器置信度在真实发布文本上的表现（集外校验）"},
    "left": {"en": "a  Reliability: probability given and share right",
             "zh": "a 可靠性：所给概率与实际正确比例"},
    "right": {"en": "b  What a cut-off buys, per item",
              "zh": "b 置信度阈值的效果（按条目计）"},
    "x_left": {"en": "probability given (mean of the bin)", "zh": "所给概率（区间内平均）"},
    "y_left": {"en": "share of items right", "zh": "条目正确的比例"},
    "x_right": {"en": "keep items with probability at least", "zh": "保留概率不低于该值的条目"},
    "y_right": {"en": "precision, recall", "zh": "精确率、召回率"},
    "precision": {"en": "precision", "zh": "精确率"},
    "recall": {"en": "recall", "zh": "召回率"},
    "diagonal": {"en": "probability = share right", "zh": "概率＝正确比例"},
    "weak/single": {"en": "weak, single", "zh": "弱证据，单句"},
    "instrument/single": {"en": "instrument, single", "zh": "政策工具，单句"},
    "weak/corroborated": {"en": "weak, corroborated", "zh": "弱证据，多句印证"},
    "instrument/corroborated": {"en": "instrument, corroborated", "zh": "政策工具，多句印证"},
}


def _t(key: str, lang: str) -> str:
    """The text of ``key`` in ``lang``; a key with no text (a bin such as "0.2–0.4") as it is."""
    return TEXT[key][lang] if key in TEXT else key


def plot_coder_reliability(reliability: pd.DataFrame, cutoffs: pd.DataFrame,
                           lang: str = "en") -> Figure:
    """Draw figure 10: a reliability diagram and the precision and recall of each cut-off.

    Parameters
    ----------
    reliability : pandas.DataFrame
        One row per cell or probability bin: ``cell``, ``n`` (DEV items), ``correct`` and
        ``confidence`` (the probability given, the mean of the bin).
    cutoffs : pandas.DataFrame
        ``cutoff``, ``precision`` and ``recall`` at the (excerpt, province, theme) level.
    lang : {"en", "zh"}

    Notes
    -----
    Panel a draws each bin at (probability given, share of its DEV items right) with the
    Clopper–Pearson 95% interval of that share (``scipy.stats.binomtest``); a bin on the
    diagonal is calibrated. Each DEV set's probabilities come from a screen fitted without
    it (:mod:`npstudy.coder.screenfit`), so the diagram is an out-of-set check.
    """
    fig = Figure(figsize=(WIDTH, 3.4))
    with _style(lang):
        ax_a, ax_b = fig.subplots(1, 2, gridspec_kw={"wspace": 0.32})
        ax_a.plot([0, 1], [0, 1], color=_GREY, lw=0.8, ls="--", label=_t("diagonal", lang))
        for row in reliability.itertuples():
            if not row.n:
                continue
            share = row.correct / row.n
            ci = binomtest(int(row.correct), int(row.n)).proportion_ci(0.95)
            ax_a.errorbar(row.confidence, share, yerr=[[share - ci.low], [ci.high - share]],
                          fmt="o", color=_BLUE, ms=4 + 6 * np.sqrt(row.n / reliability["n"].max()),
                          capsize=2, lw=1)
            # labels right of and below the points, but left of the two highest, where the
            # points crowd near the top right corner
            high = row.confidence >= sorted(reliability["confidence"])[-2]
            top = row.confidence == reliability["confidence"].max()
            ax_a.annotate(f"{_t(row.cell, lang)}\n{row.correct}/{row.n}", (row.confidence, share),
                          xytext=(-10, 6 if top else 0) if high else (6, -4),
                          textcoords="offset points", fontsize=7, color=_GREY,
                          ha="right" if high else "left",
                          va=("bottom" if top else "center") if high else "top")
        ax_a.set_xlim(0, 1.05)
        ax_a.set_ylim(0, 1.05)
        ax_a.set_xlabel(_t("x_left", lang), fontsize=8)
        ax_a.set_ylabel(_t("y_left", lang), fontsize=8)
        ax_a.set_title(_t("left", lang), fontsize=8, loc="left")
        ax_a.legend(loc="upper left", fontsize=7, frameon=False)
        cuts = cutoffs.sort_values("cutoff")
        ax_b.plot(cuts["cutoff"], cuts["precision"], "o-", color=_BLUE, ms=4,
                  label=_t("precision", lang))
        ax_b.plot(cuts["cutoff"], cuts["recall"], "s-", color=_ORANGE, ms=4,
                  label=_t("recall", lang))
        ax_b.set_xlim(-0.02, 1.0)
        ax_b.set_ylim(0, 1.05)
        ax_b.set_xlabel(_t("x_right", lang), fontsize=8)
        ax_b.set_ylabel(_t("y_right", lang), fontsize=8)
        ax_b.set_title(_t("right", lang), fontsize=8, loc="left")
        ax_b.legend(loc="lower left", fontsize=7, frameon=False)
        for ax in (ax_a, ax_b):
            if lang == "zh":          # Chinese is not set sideways: the label sits above the axis
                ax.yaxis.label.set(rotation=0, ha="left", va="bottom")
                ax.yaxis.set_label_coords(0, 1.01)
                ax.set_title(ax.get_title("left"), fontsize=8, loc="left", pad=16)
            ax.tick_params(labelsize=7)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
        fig.suptitle(_t("title", lang), fontsize=9, x=0.02, ha="left")
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.84)
    return fig
