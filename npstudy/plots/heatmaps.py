"""Figures 2 and 7: counts of coded statements, province × theme and instrument × pillar."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .grid import count_scale, count_texts, draw_grid, label_axes, label_depth
from .labels import t
from .style import (PILLAR_COLOURS, WIDTH, brackets, colourbar_label, province_label, reference,
                    style, text_colour, text_width, wrap)


def _colourbar(fig, cax, cmap, norm, top: int, lang: str) -> None:
    ticks = range(1, max(2, top) + 1) if isinstance(norm, matplotlib.colors.BoundaryNorm) else None
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax, ticks=ticks)
    bar.outline.set_linewidth(0.5)
    colourbar_label(cax, t("statements", lang), lang)


def _pillar_bands(fig, ax, codebook: Codebook, columns, lang: str, rect) -> None:
    """A coloured band over each pillar's columns, named in a colour that contrasts with it."""
    bax = fig.add_axes(rect, sharex=ax, label="pillars")
    bax.set_axis_off()
    bax.set_ylim(0, 1)
    width = rect[2] * WIDTH * 72 / len(columns)
    start = 0
    for k, pillar in enumerate(codebook.ids("pillar")):
        n = sum(codebook.rollup(c, "pillar") == pillar for c in columns)
        if not n:
            continue
        colour = PILLAR_COLOURS[k % len(PILLAR_COLOURS)]
        bax.add_patch(Rectangle((start + 0.04, 0.06), n - 0.08, 0.9, facecolor=colour,
                                edgecolor="none"))
        bax.text(start + n / 2, 0.51, wrap(codebook.label(pillar, lang, short=True),
                                           n * width - 8, 7, lang, "bold"),
                 ha="center", va="center", fontsize=7, fontweight="bold",
                 color=text_colour(colour), linespacing=1.1)
        if start:
            ax.axvline(start, color="black", linewidth=1.0)
        start += n


def plot_coverage_heatmap(counts: pd.DataFrame, codebook: Codebook | None = None,
                          gazetteer: Gazetteer | None = None, order: list | None = None,
                          lang: str = "en") -> Figure:
    """Province × theme heatmap of coded statements (rows), themes grouped by pillar.

    Parameters
    ----------
    counts : pandas.DataFrame
        Theme-level :func:`npstudy.scoring.coverage_matrix` (counts).
    codebook, gazetteer : optional
        Reference data for labels; the shipped ones when None.
    order : list, optional
        Row order (e.g. the index of :func:`npstudy.similarity.cluster_provinces`).
    lang : {"en", "zh"}
    """
    codebook, gazetteer = reference(codebook, gazetteer)
    data = counts.loc[order] if order is not None else counts
    with style(lang):
        rows = [province_label(gazetteer, c, lang) for c in data.index]
        cols = [codebook.label(c, lang, short=True) for c in data.columns]
        left = max(text_width(r, 7, lang) for r in rows) / 72 + 0.15
        grid_w = WIDTH - left - 0.85
        cell = 0.24                                   # row height; columns share grid_w
        col_pt = grid_w * 72 / len(cols)
        below = label_depth(cols, lang, col_pt, 45)
        grid_h = cell * len(rows)
        top, band = 0.3, 0.34
        height = round(top + band + grid_h + below, 2)   # whole pixels at 300 dpi
        fig = Figure(figsize=(WIDTH, height))
        f = lambda y: y / height  # noqa: E731  (inches from the bottom → figure fraction)
        ax = fig.add_axes((left / WIDTH, f(below), grid_w / WIDTH, f(grid_h)))
        cax = fig.add_axes(((left + grid_w + 0.12) / WIDTH, f(below), 0.1 / WIDTH, f(grid_h)))
        top_count = int(np.nanmax(data.to_numpy())) if data.size else 1
        cmap, norm = count_scale(top_count)
        draw_grid(ax, data.where(data > 0), count_texts(data), cmap, norm)
        label_axes(ax, rows, cols, lang, rotation=45, col_pt=col_pt)
        _colourbar(fig, cax, cmap, norm, top_count, lang)
        _pillar_bands(fig, ax, codebook, list(data.columns), lang,
                      (left / WIDTH, f(below + grid_h + 0.02), grid_w / WIDTH, f(band - 0.02)))
        fig.text(0.5, 1 - f(top / 2), t("coverage_title", lang), ha="center", va="center",
                 fontsize=9)
    return fig


def _category_labels(fig, ax, codebook: Codebook, cats, lang: str, x: float) -> None:
    """Each Rothwell–Zegveld category, level, beside its types, with its number of rows."""
    trans = blended_transform_factory(fig.dpi_scale_trans, ax.transData)
    start = 0
    for cat, n_rows in cats:
        n = n_rows[0]
        if start:
            ax.axhline(start, color="black", linewidth=1.0, clip_on=False,
                       xmin=0, xmax=1)
        label = codebook.instrument_categories[cat][lang] + brackets(str(n_rows[1]), lang)
        ax.text(x, start + n / 2, wrap(label, 0.95 * 72, 7.5, lang, "bold"), transform=trans,
                ha="left", va="center", fontsize=7.5, fontweight="bold", color="#333333",
                linespacing=1.2)
        start += n


def plot_instruments(matrix: pd.DataFrame, codebook: Codebook | None = None,
                     lang: str = "en", gazetteer: Gazetteer | None = None) -> Figure:
    """Instrument type × pillar heatmap with totals, types grouped by Rothwell–Zegveld category.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`npstudy.scoring.instrument_matrix` with ``by="instrument_type"``.
    codebook : Codebook, optional
        Labels of pillars, instrument types and categories; the shipped one when None.
    lang : {"en", "zh"}
    gazetteer : Gazetteer, optional
        Accepted so that every plotting function takes the same reference data; unused.
    """
    codebook, _ = reference(codebook, gazetteer)
    cats = matrix.index.get_level_values(0)
    data = matrix.droplevel(0)
    with style(lang):
        rows = [codebook.instrument_types[x][lang] for x in data.index]
        cols = [codebook.label(p, lang, short=True) for p in data.columns] + [t("total", lang)]
        cat_w, type_w = 1.05, max(text_width(r, 7, lang) for r in rows) / 72 + 0.12
        grid_w = WIDTH - cat_w - type_w - 0.9
        cell_h = 0.24
        col_w = grid_w / len(cols)
        labels = [wrap(c, col_w * 72 - 4, 7, lang) for c in cols]
        below = max(c.count("\n") + 1 for c in labels) * 7 * 1.25 / 72 + 0.12
        grid_h = cell_h * (len(rows) + 1)
        top = 0.35
        height = round(top + grid_h + below, 2)
        fig = Figure(figsize=(WIDTH, height))
        ax = fig.add_axes(((cat_w + type_w) / WIDTH, below / height, grid_w / WIDTH,
                           grid_h / height))
        cax = fig.add_axes(((cat_w + type_w + grid_w + 0.12) / WIDTH, below / height,
                            0.1 / WIDTH, grid_h / height))
        full = data.copy()
        full[t("total", lang)] = data.sum(axis=1)
        full.loc[t("total", lang)] = full.sum(axis=0)
        top_count = int(np.nanmax(data.to_numpy())) if data.size else 1
        cmap, norm = count_scale(top_count)
        is_total = np.zeros(full.shape, bool)
        is_total[-1, :] = is_total[:, -1] = True
        values = full.where((full > 0) & ~is_total)
        draw_grid(ax, values, count_texts(full.where(~is_total, 0)), cmap, norm, skip=is_total)
        _totals(ax, full)
        label_axes(ax, rows + [t("total", lang)], labels, lang)
        ax.set_xticks(np.arange(len(cols)) + 0.5, labels, rotation=0, ha="center", va="top",
                      linespacing=1.15)
        order = list(dict.fromkeys(cats))
        _category_labels(fig, ax, codebook,
                         [(c, (int((cats == c).sum()), int(data[cats == c].to_numpy().sum())))
                          for c in order], lang, 0.06)
        _colourbar(fig, cax, cmap, norm, top_count, lang)
        fig.text(0.5, 1 - top / 2 / height, t("instruments_title", lang), ha="center",
                 va="center", fontsize=9)
    return fig


def _totals(ax, full: pd.DataFrame) -> None:
    """Row and column totals in bold, set off by a thin line."""
    n_rows, n_cols = full.shape
    for i in range(n_rows):
        for j in range(n_cols):
            if i == n_rows - 1 or j == n_cols - 1:
                ax.text(j + 0.5, i + 0.5, f"{int(full.iat[i, j])}", ha="center", va="center",
                        fontsize=7, fontweight="bold", color="black")
    ax.axvline(n_cols - 1, color="#555555", linewidth=0.8)
    ax.axhline(n_rows - 1, color="#555555", linewidth=0.8)
