"""Figure 8: how firm the composite ranks are, under two different kinds of perturbation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .labels import t
from .style import PILLAR_COLOURS, WIDTH, province_label, reference, style, text_width

#: Bootstrap interval: a broad pale band with a round point.
BOOT = {"colour": PILLAR_COLOURS[0], "band": "#9cc3e0", "marker": "o"}
#: Leave-one-out range: a thin dark line with end ticks and a diamond.
LOO = {"colour": "#8A4B00", "marker": "D"}


def plot_rank_intervals(table: pd.DataFrame, gazetteer: Gazetteer | None = None,
                        lang: str = "en", n_boot: int | None = None,
                        codebook: Codebook | None = None) -> Figure:
    """Composite ranks with their uncertainty: bootstrap intervals and leave-one-out ranges.

    The two are different things and are drawn differently: the bootstrap
    interval (equal weights) as a broad pale band, the leave-one-out range
    (entropy weights) as a thin dark line with end ticks.

    Parameters
    ----------
    table : pandas.DataFrame
        The build's ``rank_intervals`` table: ``rank_equal``, ``rank_equal_low``,
        ``rank_equal_high`` (bootstrap over statements) and ``rank_entropy``,
        ``rank_entropy_min``, ``rank_entropy_max`` (leave one province out).
    gazetteer : Gazetteer, optional
        Province names; the shipped one when None.
    lang : {"en", "zh"}
    n_boot : int, optional
        Bootstrap samples, printed in the legend.
    codebook : Codebook, optional
        Accepted so that every plotting function takes the same reference data; unused.
    """
    _, gazetteer = reference(codebook, gazetteer)
    data = table.sort_values(["rank_equal", "rank_entropy"], kind="stable")
    y = np.arange(len(data))
    n = len(data)
    with style(lang):
        names = [province_label(gazetteer, c, lang) for c in data.index]
        left = max(text_width(x, 7, lang) for x in names) / 72 + 0.2
        height = round(0.25 * n + 1.45, 2)
        fig = Figure(figsize=(WIDTH, height))
        ax = fig.add_axes((left / WIDTH, 0.95 / height, 1 - (left + 0.15) / WIDTH,
                           (height - 1.35) / height))
        ax.hlines(y - 0.14, data["rank_equal_low"] - 0.1, data["rank_equal_high"] + 0.1,
                  color=BOOT["band"], linewidth=5.5)
        ax.plot(data["rank_equal"], y - 0.14, BOOT["marker"], color=BOOT["colour"], markersize=5)
        ax.errorbar(data["rank_entropy"], y + 0.16,
                    xerr=[data["rank_entropy"] - data["rank_entropy_min"],
                          data["rank_entropy_max"] - data["rank_entropy"]],
                    fmt=LOO["marker"], color=LOO["colour"], markersize=4, elinewidth=1.1,
                    capsize=2.5, capthick=1.1)
        ax.set_yticks(y, names)
        ax.set_ylim(n - 0.5, -0.5)
        ax.set_xlim(0.5, n + 0.5)
        ax.set_xticks(range(1, n + 1))
        ax.set_xlabel(t("rank", lang))
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(length=2, pad=2)
        _legend(ax, lang, n_boot)
        fig.text(0.5, 1 - 0.18 / height, t("ranks_title", lang), ha="center", va="center",
                 fontsize=9)
    return fig


def _legend(ax, lang: str, n_boot: int | None) -> None:
    band = Line2D([], [], color=BOOT["band"], linewidth=5.5)
    dot = Line2D([], [], color=BOOT["colour"], marker=BOOT["marker"], linestyle="none",
                 markersize=5)
    line = Line2D([], [], color=LOO["colour"], linewidth=1.1, marker="|", markersize=6)
    diamond = Line2D([], [], color=LOO["colour"], marker=LOO["marker"], linestyle="none",
                     markersize=4)
    ax.legend([(band, dot), (line, diamond)],
              [t("rank_equal", lang, n=f"{n_boot:,}") if n_boot else t("rank_equal_plain", lang),
               t("rank_entropy", lang)],
              handler_map={tuple: HandlerTuple(ndivide=1)}, loc="upper left",
              bbox_to_anchor=(-0.02, -0.1), frameon=False, handlelength=2.4)
