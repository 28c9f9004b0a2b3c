"""Figure 3: tile-grid maps of China, one tile per provincial-level unit.

Tiles sit on the gazetteer's ``tile_row`` / ``tile_col`` grid. The two panels are
stacked so that every unit's name fits its tile at print size; each panel's
title and colour bar sit in the empty north-west of the grid and the key in the
empty south-west, clear of every tile.
"""

from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .labels import t
from .style import EMPTY, GREY_TEXT, SEQUENTIAL, WIDTH, reference, style, text_colour, text_width

_ROW = 0.46           # inches per tile row
_FILL = 0.94          # share of the pitch a tile covers
_NAME, _VALUE = 7.5, 7.0


def _tile_name(row, lang: str, width: float) -> str:
    """A unit's name, over two lines when it is wider than its tile."""
    name = row.short_zh if lang == "zh" else row.name_en
    if text_width(name, _NAME, lang, "bold") <= width or " " not in name:
        return name
    return name.replace(" ", "\n", 1)


def _tile(ax, row, x, y, w, h, value, shown, cmap, norm, lang) -> None:
    missing = pd.isna(value)
    face = EMPTY if missing else cmap(norm(value))
    ax.add_patch(Rectangle((x, y), w, h, facecolor=face, linewidth=0.6, label=row.iso_code,
                           edgecolor="#8c8c8c" if missing else "white",
                           hatch="/////" if missing else None))
    colour = GREY_TEXT if missing else text_colour(face)
    name = _tile_name(row, lang, w * 72 - 4)
    mid = y + h / 2
    if missing:
        ax.text(x + w / 2, mid, name, ha="center", va="center", fontsize=_NAME,
                color=colour, fontweight="bold", linespacing=0.95,
                bbox={"facecolor": EMPTY, "edgecolor": "none", "pad": 0.6})
        return
    ax.text(x + w / 2, mid + 0.01, name, ha="center", va="bottom", fontsize=_NAME, color=colour,
            fontweight="bold", linespacing=0.95)
    ax.text(x + w / 2, mid - 0.015, shown, ha="center", va="top", fontsize=_VALUE, color=colour)


def _tile_panel(ax, values: pd.Series, gazetteer: Gazetteer, lang: str, title: str, fmt: str,
                bar_label: str, texts: pd.Series | None = None, key: bool = False) -> None:
    table = gazetteer.provinces
    c0 = int(table["tile_col"].min())
    ncols = int(table["tile_col"].max()) - c0 + 1
    nrows = int(table["tile_row"].max()) + 1
    pitch = (WIDTH - 0.1) / ncols
    present = values.dropna()
    lo, hi = (float(present.min()), float(present.max())) if len(present) else (0.0, 1.0)
    norm = mcolors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1)
    cmap = matplotlib.colormaps[SEQUENTIAL]
    for row in table.itertuples():
        value = values.get(row.iso_code, np.nan)
        shown = "" if pd.isna(value) else (texts.get(row.iso_code, "") if texts is not None
                                           else format(value, fmt))
        x = 0.05 + (row.tile_col - c0) * pitch + pitch * (1 - _FILL) / 2
        y = -(row.tile_row + 1) * _ROW + _ROW * (1 - _FILL) / 2
        _tile(ax, row, x, y, pitch * _FILL, _ROW * _FILL, value, shown, cmap, norm, lang)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(-nrows * _ROW, 0)
    ax.set_axis_off()
    ax.text(0.05, -0.02, title, ha="left", va="top", fontsize=8.5, fontweight="bold")
    # the colour bar runs over the data's own range, in the empty north-west of the grid
    cax = ax.inset_axes((0.3, -1.25 * _ROW, 2.3 * pitch, 0.1), transform=ax.transData)
    bar = ax.figure.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax,
                             orientation="horizontal")
    bar.outline.set_linewidth(0.5)
    ticks = _ticks(lo, hi, fmt)
    bar.set_ticks(ticks, labels=[format(v, fmt) for v in ticks])
    cax.set_xlabel(bar_label, labelpad=2)
    if key:
        ax.legend(handles=[Patch(facecolor=EMPTY, edgecolor="#8c8c8c", hatch="/////",
                                 label=t("not_mentioned", lang))],
                  loc="lower left", bbox_to_anchor=(0.0, 0.0), frameon=False,
                  handlelength=1.6, handleheight=1.2, borderaxespad=0.3)


def _ticks(lo: float, hi: float, fmt: str) -> list[float]:
    """Ticks at both ends of the data's range and at round values between."""
    if fmt == ".0f":
        return list(range(int(lo), int(hi) + 1))
    inner = [v / 10 for v in range(int(np.ceil(lo * 10 + 0.5)), int(np.floor(hi * 10 - 0.5)) + 1)
             if v % 2 == 0]
    return [lo, *inner, hi]


def plot_tile_map(breadth: pd.Series, composite: pd.Series, gazetteer: Gazetteer | None = None,
                  lang: str = "en", rank_range: pd.Series | None = None,
                  codebook: Codebook | None = None) -> Figure:
    """Tile-grid maps of China coloured by breadth (a) and by composite index (b).

    Parameters
    ----------
    breadth : pandas.Series
        Themes covered per province (ISO code index); provinces absent or NaN
        are drawn hatched grey as "not mentioned in the source".
    composite : pandas.Series
        Composite index per province, same convention. Each colour bar runs
        from the lowest to the highest value shown.
    gazetteer : Gazetteer, optional
        Every unit's tile position and name; the shipped one when None.
    lang : {"en", "zh"}
    rank_range : pandas.Series, optional
        Text printed in each tile of the composite panel (e.g. "#1–2", the rank
        range when one province is left out); the composite value otherwise.
    codebook : Codebook, optional
        Accepted so that every plotting function takes the same reference data; unused.
    """
    _, gazetteer = reference(codebook, gazetteer)
    nrows = int(gazetteer.provinces["tile_row"].max()) + 1
    panel = nrows * _ROW
    with style(lang):
        fig = Figure(figsize=(WIDTH, 2 * panel + 0.15))
        h = panel / (2 * panel + 0.15)
        top = fig.add_axes((0, 1 - h, 1, h))
        bottom = fig.add_axes((0, 0, 1, h))
        _tile_panel(top, breadth, gazetteer, lang, t("breadth", lang), ".0f",
                    t("breadth_bar", lang), key=True)
        _tile_panel(bottom, composite, gazetteer, lang, t("composite", lang), ".2f",
                    t("composite_bar", lang), rank_range)
    return fig
