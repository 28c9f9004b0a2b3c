"""Annotated cell grids (heatmaps) drawn cell by cell, so empty and greyed cells are explicit."""

from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from .style import EMPTY, GREY_TEXT, SEQUENTIAL, text_colour, text_width, wrap


def draw_grid(ax, values: pd.DataFrame, texts: pd.DataFrame, cmap, norm, fontsize: float = 7,
              grey=None, skip=None) -> None:
    """One square per cell of ``values``; row 0 at the top.

    A NaN value or a True in ``grey`` draws the cell in :data:`EMPTY` (its text in
    grey); a True in ``skip`` draws nothing. ``texts`` holds each cell's label.
    """
    v = values.to_numpy(dtype=float)
    g = np.zeros(v.shape, bool) if grey is None else np.asarray(grey, bool)
    s = np.zeros(v.shape, bool) if skip is None else np.asarray(skip, bool)
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            if s[i, j]:
                continue
            empty = np.isnan(v[i, j]) or g[i, j]
            face = EMPTY if empty else cmap(norm(v[i, j]))
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=face, edgecolor="white",
                                   linewidth=0.8))
            label = texts.iat[i, j]
            if label:
                ax.text(j + 0.5, i + 0.5, label, ha="center", va="center", fontsize=fontsize,
                        color=GREY_TEXT if empty else text_colour(face))
    ax.set_xlim(0, v.shape[1])
    ax.set_ylim(v.shape[0], 0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0, pad=2)


def column_labels(cols: list[str], lang: str, col_pt: float) -> list[str]:
    """Chinese column labels set level, broken into lines as wide as a column; English unchanged."""
    if lang != "zh":
        return cols
    return [wrap(c, max(col_pt - 3, 7.5), 7, lang) for c in cols]


def label_axes(ax, rows: list[str], cols: list[str], lang: str, rotation: float = 0,
               col_pt: float = 7.5) -> None:
    """Tick labels for a grid. Chinese column labels are never rotated: they are set level,
    broken into lines of the column's width (``col_pt`` points), one character a line at
    the narrowest."""
    ax.set_yticks(np.arange(len(rows)) + 0.5, rows)
    if lang == "zh":
        ax.set_xticks(np.arange(len(cols)) + 0.5, column_labels(cols, lang, col_pt),
                      rotation=0, ha="center", va="top", linespacing=1.05)
    else:
        ax.set_xticks(np.arange(len(cols)) + 0.5, cols, rotation=rotation,
                      ha="right" if rotation else "center", rotation_mode="anchor")


def label_depth(cols: list[str], lang: str, col_pt: float, rotation: float) -> float:
    """Inches the column labels need below a grid."""
    if lang == "zh":
        lines = max(c.count("\n") + 1 for c in column_labels(cols, lang, col_pt))
        return lines * 7 * 1.2 / 72 + 0.12
    import math
    widest = max(text_width(c, 7, lang) for c in cols)
    return widest * math.sin(math.radians(rotation)) / 72 + 0.2


#: Largest count a heatmap gives a colour of its own; above it colours run continuously.
MAX_DISCRETE_COUNTS = 20


def count_scale(top: int):
    """A colour map and norm for whole counts 1 … ``top``.

    One colour per count up to :data:`MAX_DISCRETE_COUNTS`; above that one colour per
    count would be unreadable (and matplotlib's ``BoundaryNorm`` indexes colours in
    int16), so the colours run continuously from 1 to ``top``.
    """
    top = max(2, int(top))
    if top > MAX_DISCRETE_COUNTS:
        return matplotlib.colormaps[SEQUENTIAL], mcolors.Normalize(vmin=1, vmax=top)
    cmap = matplotlib.colormaps[SEQUENTIAL].resampled(top)
    return cmap, mcolors.BoundaryNorm(np.arange(0.5, top + 1), cmap.N)


def count_texts(data: pd.DataFrame) -> pd.DataFrame:
    """Whole-number labels, empty where the count is 0 or missing."""
    return data.apply(lambda col: col.map(lambda x: "" if pd.isna(x) or x == 0 else f"{int(x)}"))
