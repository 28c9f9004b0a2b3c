"""Figure 1: the four pillars, their themes, and the provinces named under each theme."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .labels import t
from .style import (PILLAR_COLOURS, WIDTH, brackets, fit_lines, province_label, reference, style,
                    text_colour, wrap)

_GAP, _MARGIN, _PAD = 0.08, 0.04, 0.06        # inches
_HEAD, _THEME, _LIST = 8.0, 7.5, 7.0            # points
_LEADING = 1.3


def _theme_text(practices, theme, codebook, gazetteer, lang, width):
    """(title, province list, row count) of one theme box, wrapped to ``width`` points."""
    rows = practices[practices["theme"] == theme]
    counts = rows["province"].value_counts()
    codes = sorted(counts.index, key=lambda c: (-counts[c], c))
    items = [province_label(gazetteer, c, lang)
             + (brackets(str(counts[c]), lang) if counts[c] > 1 else "") for c in codes]
    sep = "、" if lang == "zh" else ", "
    names = fit_lines(items, width, _LIST, lang, sep) if items else t("none_named", lang)
    title = wrap(codebook.label(theme, lang), width, _THEME, lang, "bold")
    n = len(rows)
    return title, names, t("rows", lang, n=n) if n != 1 else t("row", lang)


def _lines(text: str) -> int:
    return text.count("\n") + 1


def plot_framework(practices: pd.DataFrame, codebook: Codebook | None = None,
                   gazetteer: Gazetteer | None = None, lang: str = "en") -> Figure:
    """The four pillars, their themes, and the provinces coded under each theme.

    Each theme box lists the provinces with at least one row under the theme,
    most rows first, with the number of rows in brackets when it is above one,
    and the theme's total number of rows.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table.
    codebook, gazetteer : optional
        Reference data for labels; the shipped ones when None.
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    codebook, gazetteer = reference(codebook, gazetteer)
    pillars = codebook.ids("pillar")
    col = (WIDTH - 2 * _MARGIN - (len(pillars) - 1) * _GAP) / len(pillars)
    inner = (col - 2 * _PAD) * 72
    with style(lang):
        heads = [wrap(codebook.label(p, lang), inner, _HEAD, lang, "bold") for p in pillars]
        boxes = [[_theme_text(practices, th, codebook, gazetteer, lang, inner)
                  for th in codebook.children(p)] for p in pillars]
        head_h = (max(map(_lines, heads)) * _HEAD * _LEADING + 10) / 72
        row_h = [max((_lines(b[j][0]) * _THEME + _lines(b[j][1]) * _LIST + _LIST) * _LEADING + 22
                     for b in boxes if j < len(b)) / 72
                 for j in range(max(map(len, boxes)))]
        title_h = 0.32
        height = round(title_h + head_h + sum(row_h) + _GAP * (len(row_h) + 1), 2)
        fig = Figure(figsize=(WIDTH, height))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, WIDTH)
        ax.set_ylim(height, 0)
        ax.text(WIDTH / 2, title_h / 2, t("framework_title", lang), ha="center", va="center",
                fontsize=9)
        for k, _pillar in enumerate(pillars):
            colour = PILLAR_COLOURS[k % len(PILLAR_COLOURS)]
            x0 = _MARGIN + k * (col + _GAP)
            ax.add_patch(FancyBboxPatch((x0, title_h), col, head_h, boxstyle="round,pad=0,rounding_size=0.03",
                                        facecolor=colour, edgecolor=colour))
            ax.text(x0 + col / 2, title_h + head_h / 2, heads[k], ha="center", va="center",
                    color=text_colour(colour), fontsize=_HEAD, fontweight="bold",
                    linespacing=_LEADING - 0.1)
            top = title_h + head_h + _GAP
            for j, (title, names, n_rows) in enumerate(boxes[k]):
                _theme_box(ax, x0, top, col, row_h[j], colour, title, names, n_rows)
                top += row_h[j] + _GAP
    return fig


def _theme_box(ax, x0, top, col, h, colour, title, names, n_rows) -> None:
    ax.add_patch(FancyBboxPatch((x0, top), col, h, boxstyle="round,pad=0,rounding_size=0.03",
                                facecolor=colour, alpha=0.12, edgecolor=colour))
    ax.text(x0 + _PAD, top + _PAD, title, ha="left", va="top", fontsize=_THEME,
            fontweight="bold", linespacing=_LEADING - 0.1)
    y = top + _PAD + (_lines(title) * _THEME * _LEADING + 5) / 72
    ax.text(x0 + _PAD, y, names, ha="left", va="top", fontsize=_LIST, color="#222222",
            linespacing=_LEADING)
    ax.text(x0 + col - _PAD, top + h - _PAD, n_rows, ha="right", va="bottom", fontsize=_LIST,
            color="#333333")
