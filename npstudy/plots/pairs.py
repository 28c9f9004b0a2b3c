"""Figures 5 and 6: province pairs, by similarity (with the clustering tree) and against chance."""

from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..codebook import Codebook
from ..gazetteer import Gazetteer
from .grid import draw_grid, label_axes, label_depth
from .labels import t
from .style import (DIVERGING, EMPTY, SEQUENTIAL, WIDTH, colourbar_label, province_label,
                    reference, style, text_width)


class _Layout:
    """Inches of a square province grid under a title: label margins, cell size, height."""

    def __init__(self, names: list[str], n: int, lang: str, above: float, min_left: float = 0):
        self.left = max(max(text_width(x, 7, lang) for x in names) / 72 + 0.15, min_left)
        self.cell = min((WIDTH - self.left - 0.95) / n, 0.36)
        self.grid = self.cell * n
        self.col_pt = self.cell * 72
        self.below = label_depth(names, lang, self.col_pt, 90)
        self.above = above
        self.height = round(0.32 + above + self.grid + self.below, 2)   # whole pixels at 300 dpi

    def rect(self, bottom: float, height: float, left: float | None = None,
             width: float | None = None) -> tuple:
        left = self.left if left is None else left
        width = self.grid if width is None else width
        return (left / WIDTH, bottom / self.height, width / WIDTH, height / self.height)


def _colourbar(fig, cax, cmap, norm, label: str, lang: str) -> None:
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap), cax=cax)
    bar.outline.set_linewidth(0.5)
    colourbar_label(cax, label, lang)


def cut_height(linkage: np.ndarray, n_clusters: int) -> float:
    """Height halfway between the merges that leave ``n_clusters`` and ``n_clusters - 1`` groups."""
    heights = np.sort(np.asarray(linkage)[:, 2])
    return float((heights[-n_clusters] + heights[-n_clusters + 1]) / 2)


def _dendrogram(dax, linkage, n: int, lang: str, n_clusters: int | None) -> list[int]:
    from scipy.cluster import hierarchy

    tree = hierarchy.dendrogram(linkage, ax=dax, no_labels=True, color_threshold=0,
                                above_threshold_color="#333333")
    dax.set_xlim(0, 10 * n)
    for side in ("top", "right", "bottom"):
        dax.spines[side].set_visible(False)
    dax.tick_params(axis="x", bottom=False, labelbottom=False)
    dax.tick_params(axis="y", length=2, pad=1.5)
    if lang == "zh":
        dax.set_ylabel(t("height", lang), rotation=0, ha="right", va="center", labelpad=4)
    else:
        dax.set_ylabel(t("height", lang), labelpad=3)
    if n_clusters and 1 < n_clusters < n:
        h = cut_height(linkage, n_clusters)
        dax.axhline(h, color="#C0392B", linewidth=0.9, linestyle=(0, (4, 2)))
        dax.text(10 * n + 2, h, t("cut", lang, k=n_clusters), ha="left", va="center",
                 fontsize=7, color="#A93226", clip_on=False)
    return tree["leaves"]


def plot_similarity(similarity: pd.DataFrame, linkage: np.ndarray, labels: list,
                    gazetteer: Gazetteer | None = None, lang: str = "en",
                    codebook: Codebook | None = None, n_clusters: int | None = 3) -> Figure:
    """Similarity heatmap ordered by, and topped with, a dendrogram with a height axis.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity (:func:`npstudy.similarity.similarity_matrix`).
    linkage, labels
        From :func:`npstudy.similarity.linkage_matrix`; heights are distances
        ``1 - S``.
    gazetteer : Gazetteer, optional
        Province names; the shipped one when None.
    lang : {"en", "zh"}
    codebook : Codebook, optional
        Accepted so that every plotting function takes the same reference data; unused.
    n_clusters : int or None, default 3
        Marks the cut of the tree into this many clusters (as
        :func:`npstudy.similarity.cluster_provinces`); None marks none.
    """
    _, gazetteer = reference(codebook, gazetteer)
    n = len(labels)
    with style(lang):
        names = [province_label(gazetteer, c, lang) for c in labels]
        # the tree's height axis is labelled level in Chinese, left of its tick labels
        widest = max(text_width(x, 7.5, lang) for x in t("height", lang).split("\n"))
        lay = _Layout(names, n, lang, above=1.0,
                      min_left=widest / 72 + 0.4 if lang == "zh" else 0)
        fig = Figure(figsize=(WIDTH, lay.height))
        dax = fig.add_axes(lay.rect(lay.below + lay.grid + 0.06, lay.above - 0.1))
        order = [labels[i] for i in _dendrogram(dax, linkage, n, lang, n_clusters)]
        ax = fig.add_axes(lay.rect(lay.below, lay.grid))
        cax = fig.add_axes(lay.rect(lay.below, lay.grid, lay.left + lay.grid + 0.15, 0.1))
        data = similarity.loc[order, order]
        cmap, norm = matplotlib.colormaps[SEQUENTIAL], mcolors.Normalize(0, 1)
        draw_grid(ax, data, data.apply(lambda c: c.map("{:.2f}".format)), cmap, norm)
        named = [province_label(gazetteer, c, lang) for c in order]
        label_axes(ax, named, named, lang, rotation=90, col_pt=lay.col_pt)
        _colourbar(fig, cax, cmap, norm, t("similarity", lang), lang)
        fig.text(0.5, 1 - 0.16 / lay.height, t("similarity_title", lang), ha="center",
                 va="center", fontsize=9)
    return fig


def _pair_tables(results: pd.DataFrame, order: list, alpha: float):
    """Effect size, label and "cannot reach alpha" of every pair, as order × order tables."""
    ses = pd.DataFrame(np.nan, index=order, columns=order)
    text = pd.DataFrame("", index=order, columns=order)
    never = pd.DataFrame(False, index=order, columns=order)
    for row in results.itertuples():
        if row.a not in ses.index or row.b not in ses.index:
            continue
        cannot = bool(getattr(row, "p_min", 0.0) > alpha)
        label = "–" if pd.isna(row.ses) else (
            f"{row.ses:.1f}" + ("*" if row.p_value < alpha else ""))
        for a, b in ((row.a, row.b), (row.b, row.a)):
            ses.loc[a, b], text.loc[a, b], never.loc[a, b] = row.ses, label, cannot or pd.isna(row.ses)
    return ses, text, never


def plot_null_model(results: pd.DataFrame, order: list, gazetteer: Gazetteer | None = None,
                    n_samples: int | None = None, alpha: float = 0.05, lang: str = "en",
                    codebook: Codebook | None = None) -> Figure:
    """Standardised effect sizes of pairwise similarity on a diverging scale, significant pairs starred.

    Each pair appears once (lower triangle, without the empty first row and
    last column). A pair whose lowest attainable p (``p_min``) exceeds
    ``alpha`` is drawn grey: the two provinces' numbers of themes alone rule
    out significance, whatever their overlap. A dash marks a pair whose
    similarity does not vary under the null (no effect size).

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`npstudy.nullmodels.null_model_test` output (``a``, ``b``, ``ses``,
        ``p_value`` and, for the grey cells, ``p_min``).
    order : list
        Province order for both axes (e.g. the clustering order).
    gazetteer : Gazetteer, optional
        Province names; the shipped one when None.
    n_samples : int, optional
        Randomisations behind ``results`` (stated in the caption, not drawn).
    alpha : float, default 0.05
    lang : {"en", "zh"}
    codebook : Codebook, optional
        Accepted so that every plotting function takes the same reference data; unused.
    """
    _, gazetteer = reference(codebook, gazetteer)
    ses, text, never = _pair_tables(results, order, alpha)
    rows, cols = order[1:], order[:-1]
    ses, text, never = ses.loc[rows, cols], text.loc[rows, cols], never.loc[rows, cols]
    upper = np.triu(np.ones(ses.shape, dtype=bool), k=1)
    with style(lang):
        names = [province_label(gazetteer, c, lang) for c in order]
        lay = _Layout(names, len(cols), lang, above=0.4)
        fig = Figure(figsize=(WIDTH, lay.height))
        ax = fig.add_axes(lay.rect(lay.below, lay.grid))
        cax = fig.add_axes(lay.rect(lay.below, lay.grid, lay.left + lay.grid + 0.15, 0.1))
        shown = ses.to_numpy()[~upper & ~never.to_numpy()]
        limit = float(np.nanmax(np.abs(shown))) if np.isfinite(shown).any() else 1.0
        cmap, norm = matplotlib.colormaps[DIVERGING], mcolors.Normalize(-limit, limit)
        draw_grid(ax, ses, text, cmap, norm, grey=never.to_numpy(), skip=upper)
        label_axes(ax, [province_label(gazetteer, c, lang) for c in rows],
                   [province_label(gazetteer, c, lang) for c in cols], lang, rotation=90,
                   col_pt=lay.col_pt)
        _colourbar(fig, cax, cmap, norm, t("ses", lang), lang)
        ax.legend(handles=[Patch(facecolor=EMPTY, edgecolor="#bbbbbb", linewidth=0.5,
                                 label=t("never_key", lang, alpha=alpha)),
                           Patch(facecolor="none", edgecolor="none",
                                 label=t("star_key", lang, alpha=alpha))],
                  loc="upper right", frameon=False, handlelength=1.4, borderaxespad=0.2)
        fig.text(0.5, 1 - 0.16 / lay.height, t("null_title", lang), ha="center", va="center",
                 fontsize=9)
    return fig
