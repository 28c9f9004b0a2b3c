"""Figure 9: the indicator-based profile of the 31 provinces beside the article's portrait.

Drawing only: the numbers come from :func:`npstudy.external.indicator_profile`. The
figure is 7 inches wide, the print width of a journal page, and every text is at least
7 pt at that width. Chinese labels use only characters in the shipped font subset (a test
checks this), so no glyph falls back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure

from .codebook import Codebook
from .gazetteer import Gazetteer
from .plots.style import SEQUENTIAL, text_colour
from .plots.style import style as _style


def _bold(lang: str) -> str:
    """Bold in both languages: the shipped Chinese font has a bold face."""
    return "bold"

__all__ = ["TEXT", "WIDTH", "MIN_PT", "plot_external_profile"]

#: Cell colour of a province the article never names.
NOT_NAMED = "#d9d9d9"
#: Print width (inches) and the smallest font size (pt) allowed at that width.
WIDTH = 7.0
MIN_PT = 7.0

TEXT = {
    "title": {"en": "Beyond the article: the provinces' public indicators beside the article's portrait",
              "zh": "原文之外：各省份公开指标与原文所述对比"},
    "left": {"en": "a  Public indicators: relative position per pillar",
             "zh": "a 公开指标：各支柱相对值"},
    "right": {"en": "b  The article: share of each pillar's themes",
              "zh": "b 原文：各支柱主题覆盖比例"},
    "rank_ind": {"en": "rank (range)", "zh": "排名（范围）"},
    "rank_art": {"en": "rank", "zh": "排名"},
    "bar_left": {"en": "0 = lowest, 1 = highest of the 31", "zh": "0为最低，1为最高"},
    "bar_right": {"en": "share of the pillar's themes; grey: not named in the article",
                  "zh": "主题覆盖比例；灰色：原文未点名"},
    "note": {"en": "a: each indicator turned into ranks over the 31 provinces and scaled to 0–1, "
                   "averaged within pillar, equal weights; in brackets, the range of the overall "
                   "rank when one indicator is left out (a sensitivity range, not a confidence "
                   "interval). b: themes of the pillar under which the article names the "
                   "province, as a share. Rows in the order of the overall indicator rank.",
             "zh": "a：各指标按31个省份排名转为0–1（0为最低，1为最高），支柱内为平均值，等权重；"
                   "括号内为每次剔除一个指标后的排名范围（稳健性范围，不是置信区间）。"
                   "b：原文点名省份的主题数与支柱主题数之比。按公开指标综合排名排序。"},
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang]


def _heat(ax, values: np.ndarray, cmap) -> object:
    cmap = cmap.with_extremes(bad=NOT_NAMED)
    im = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, vmin=0, vmax=1, aspect="auto",
                   interpolation="nearest")
    for (i, j), v in np.ndenumerate(values):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color=text_colour(cmap(v)))
    ax.set_xticks(range(values.shape[1]))
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return im


def plot_external_profile(profile: pd.DataFrame, codebook: Codebook, gazetteer: Gazetteer,
                          lang: str = "en") -> Figure:
    """Draw figure 9 from the build's ``external_profile`` table.

    Parameters
    ----------
    profile : pandas.DataFrame
        :func:`npstudy.external.indicator_profile` with practices: ``ind_<pillar>``,
        ``ind_rank``, ``ind_rank_min``, ``ind_rank_max``, ``art_<pillar>``, ``art_rank``.
    codebook : Codebook
    gazetteer : Gazetteer
    lang : {"en", "zh"}
    """
    import textwrap

    pillars = codebook.ids("pillar")
    data = profile.sort_values(["ind_rank", "art_rank"], kind="stable")
    n = len(data)
    cmap = colormaps[SEQUENTIAL]
    heads = [codebook.label(p, lang, short=True) for p in pillars]
    if lang == "en":
        heads = ["\n".join(textwrap.wrap(h, 11)) for h in heads]
    with _style(lang):
        row = 0.22
        head_in = 1.45 if lang == "en" else 1.1   # inches above the heat maps
        foot_in = 1.75
        height = row * n + head_in + foot_in
        fig = Figure(figsize=(WIDTH, height))
        y0, h = foot_in / height, row * n / height
        axl = fig.add_axes((0.155, y0, 0.33, h))
        axr = fig.add_axes((0.615, y0, 0.33, h))
        im = _heat(axl, data[[f"ind_{p}" for p in pillars]].to_numpy(float), cmap)
        art = data[[f"art_{p}" for p in pillars]].to_numpy(float)
        if "themes" in data:
            art[data["themes"].to_numpy() == 0] = np.nan   # never named: grey, not "0"
        _heat(axr, art, cmap)
        labels = [gazetteer.label(c, lang) for c in data.index]
        axl.set_yticks(range(n))
        axl.set_yticklabels(labels, fontsize=7.5)
        axr.set_yticks([])
        for ax in (axl, axr):
            ax.set_xticklabels(heads, fontsize=7)
            ax.xaxis.tick_top()
        title_y = 1 - 0.62 / height
        fig.text(0.01, title_y, _t("left", lang), fontsize=8, fontweight=_bold(lang), va="bottom")
        fig.text(0.55, title_y, _t("right", lang), fontsize=8, fontweight=_bold(lang), va="bottom")
        # ranks beside each panel
        for i, (_, r) in enumerate(data.iterrows()):
            lo, hi = int(r["ind_rank_min"]), int(r["ind_rank_max"])
            brackets = " ({}–{})" if lang == "en" else "（{}–{}）"
            rng = f"{int(r['ind_rank'])}" + (brackets.format(lo, hi) if lo != hi else "")
            axl.text(3.65, i, rng, ha="left", va="center", fontsize=7)
            named = r["themes"] > 0 if "themes" in r else True
            axr.text(3.65, i, f"{int(r['art_rank'])}" if named else "–", ha="left", va="center",
                     fontsize=7)
        axl.text(3.65, -0.7, _t("rank_ind", lang), ha="left", va="bottom", fontsize=7)
        axr.text(3.65, -0.7, _t("rank_art", lang), ha="left", va="bottom", fontsize=7)
        for label, x in (("bar_left", 0.155), ("bar_right", 0.615)):
            cax = fig.add_axes((x, y0 - 0.42 / height, 0.33, 0.09 / height))
            cb = fig.colorbar(im, cax=cax, orientation="horizontal")
            cb.set_ticks([0, 0.5, 1])
            cb.ax.tick_params(labelsize=7)
            cb.set_label(_t(label, lang), fontsize=7)
        fig.text(0.01, 0.08 / height, _wrap(_t("note", lang), lang), fontsize=7, va="bottom",
                 ha="left", linespacing=1.3)
        fig.suptitle(_t("title", lang), fontsize=9.5, y=1 - 0.1 / height, va="top",
                     fontweight=_bold(lang))
    return fig


def _wrap(text: str, lang: str) -> str:
    import textwrap

    if lang == "en":
        return "\n".join(textwrap.wrap(text, 118))
    width = 58
    return "\n".join(text[i:i + width] for i in range(0, len(text), width))
