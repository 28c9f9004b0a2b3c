"""Figure 4: each province's share of themes covered in each pillar, as small multiples."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .labels import t
from .style import PILLAR_COLOURS, WIDTH, brackets, province_label, reference, style, text_width

WEIGHTS = ("equal", "entropy")


def plot_pillar_profiles(shares: pd.DataFrame, codebook: Codebook | None = None,
                         gazetteer: Gazetteer | None = None, composite: pd.Series | None = None,
                         lang: str = "en", ncols: int = 4, weights: str | None = None) -> Figure:
    """Small multiples: each province's share of themes covered in each pillar.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`npstudy.scoring.pillar_shares` (provinces × pillars).
    codebook, gazetteer : optional
        Reference data for labels; the shipped ones when None.
    composite : pandas.Series, optional
        Printed in brackets in each panel title and used to order panels
        (highest first).
    lang : {"en", "zh"}
    ncols : int, default 4
    weights : {"equal", "entropy"}
        Which composite ``composite`` is; the key above the panels names it.
        Required with ``composite``, so that no composite is shown under
        another's name.
    """
    if composite is not None and weights not in WEIGHTS:
        raise ValueError("pass weights='equal' or weights='entropy' to say which composite "
                         f"index is shown, not {weights!r}")
    codebook, gazetteer = reference(codebook, gazetteer)
    data = shares.dropna()
    if composite is not None:
        data = data.loc[composite.reindex(data.index).sort_values(ascending=False,
                                                                  kind="stable").index]
    n = len(data)
    nrows = int(np.ceil(n / ncols))
    pillars = list(data.columns)
    with style(lang):
        labels = [codebook.label(p, lang, short=True) for p in pillars]
        left = max(text_width(x, 7, lang) for x in labels) / 72 + 0.12
        height = round(0.95 * nrows + 0.75, 2)
        fig = Figure(figsize=(WIDTH, height))
        axes = np.atleast_2d(fig.subplots(nrows, ncols, sharex=True, sharey=True))
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.set_axis_off()
                continue
            code = data.index[k]
            _panel(ax, data.iloc[k].to_numpy(), labels, lang)
            title = province_label(gazetteer, code, lang)
            if composite is not None:
                title += brackets(f"{composite[code]:.2f}", lang)
            ax.set_title(title, fontsize=7.5, pad=3)
            if k + ncols >= n:  # the lowest panel of its column shows the scale
                ax.tick_params(labelbottom=True)
        fig.text(0.5, 1 - 0.16 / height, t("profiles_title", lang), ha="center", va="center",
                 fontsize=9)
        if composite is not None:
            fig.text(0.5, 1 - 0.36 / height,
                     t("profiles_key", lang, weights=t(f"weights_{weights}", lang)),
                     ha="center", va="center", fontsize=7, color="#333333")
        fig.text(0.5 + left / WIDTH / 2, 0.1 / height, t("share", lang), ha="center",
                 va="center", fontsize=7.5)
        fig.subplots_adjust(left=left / WIDTH, right=0.98, top=1 - 0.62 / height,
                            bottom=0.42 / height, hspace=0.75, wspace=0.12)
    return fig


def _panel(ax, values, labels, lang: str) -> None:
    ax.barh(range(len(labels)), values, color=PILLAR_COLOURS[:len(labels)], edgecolor="black",
            linewidth=0.4)
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 1 / 3, 2 / 3, 1])
    ax.set_xticklabels(["0", "⅓", "⅔", "1"] if lang == "en" else ["0", "1/3", "2/3", "1"])
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    ax.set_axisbelow(True)
    ax.tick_params(length=2, pad=1.5)
