"""Figures: drawing only. Every function takes computed results and returns a Figure.

Numbers come from :mod:`npstudy.scoring` and :mod:`npstudy.similarity`; this
module only lays them out. Labels come from the codebook and gazetteer, in
English (``lang="en"``, the default) or Chinese (``lang="zh"``). Chinese text is
set in a subset of Noto Sans SC (SIL Open Font License 1.1) shipped in
``npstudy/fonts/``, registered the first time a Chinese figure is drawn, so no
system CJK font is needed.

Colours are colour-blind safe and readable in greyscale: sequential maps have
monotonic lightness (viridis family), and pillar colours are the Okabe–Ito
palette with distinct lightness.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from pathlib import Path

from . import _mplconfig  # noqa: F401, I001 (gives matplotlib a writable folder first)
import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Patch, Rectangle

from .codebook import Codebook
from .gazetteer import Gazetteer

__all__ = [
    "FONT_FILE",
    "ZH_FAMILY",
    "register_fonts",
    "figure_style",
    "plot_framework",
    "plot_coverage_heatmap",
    "plot_tile_map",
    "plot_pillar_profiles",
    "plot_similarity",
    "plot_null_model",
    "plot_instruments",
    "plot_rank_intervals",
]

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "NotoSansSC-npstudy-subset.ttf"
ZH_FAMILY = "Noto Sans SC npstudy"
#: Okabe & Ito (2008) colour-blind-safe colours, one per pillar, in codebook order.
PILLAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
SEQUENTIAL = "viridis"
_registered = False

# Every caption in one place, in both languages.
TEXT = {
    "framework_title": {"en": "The four-pillar framework: themes and the provinces coded under each",
                        "zh": "四大支柱框架：各主题及其编码省份"},
    "rows": {"en": "{n} rows", "zh": "{n}条"},
    "row": {"en": "1 row", "zh": "1条"},
    "none_named": {"en": "(no province named)", "zh": "（未点名省份）"},
    "coverage_title": {"en": "Practices per province and theme",
                       "zh": "各省份各主题的实践条目数"},
    "practices": {"en": "practices", "zh": "实践条目"},
    "province": {"en": "province", "zh": "省份"},
    "not_mentioned": {"en": "not mentioned in the source", "zh": "原文未提及"},
    "breadth": {"en": "Breadth: themes covered (of 12)", "zh": "广度：覆盖主题数（共12个）"},
    "composite": {"en": "Composite index, entropy weights (in each tile: rank range when one "
                            "province is left out)",
                  "zh": "综合指数（熵权法；方块内为剔除任一省份后的排名范围）"},
    "composite_bar": {"en": "relative to the provinces scored: 0 = lowest, 1 = highest",
                      "zh": "相对值：0为所评省份中最低，1为最高"},
    "breadth_bar": {"en": "themes covered", "zh": "覆盖主题数"},
    "tile_note": {"en": "One tile per provincial-level unit, placed roughly as on a map",
                  "zh": "每个方块为一个省级行政区，位置大致对应地图"},
    "profiles_title": {"en": "Share of each pillar's themes covered",
                       "zh": "各支柱主题覆盖比例"},
    "share": {"en": "share of themes", "zh": "主题覆盖比例"},
    "similarity_title": {"en": "Similarity of provinces' theme profiles (Jaccard)",
                         "zh": "省份主题结构相似度（Jaccard）"},
    "similarity": {"en": "Jaccard similarity", "zh": "Jaccard相似度"},
    "null_title": {"en": "More alike than chance? Effect sizes against a fixed-margin null model",
                   "zh": "相似是否超出随机？固定边际零模型下的标准化效应量"},
    "ses": {"en": "standardised effect size", "zh": "标准化效应量"},
    "null_note": {"en": "* p < {alpha} before correction ({n} curveball randomisations); "
                         "{n_fdr} of {n_pairs} pairs remain below {alpha} after Benjamini–Hochberg correction",
                  "zh": "* 未校正p < {alpha}（{n}次Curveball算法随机化）；经Benjamini–Hochberg校正后，"
                        "{n_pairs}对中有{n_fdr}对仍低于{alpha}"},
    "null_blank": {"en": "; blank cell: no variation under the null", "zh": "；空白格：零模型下无变化"},
    "instruments_title": {"en": "Policy instruments by pillar (Rothwell–Zegveld)",
                          "zh": "各支柱的政策工具（Rothwell–Zegveld分类）"},
    "instrument": {"en": "policy instrument", "zh": "政策工具"},
    "pillar": {"en": "pillar", "zh": "支柱"},
    "ranks_title": {"en": "How firm are the ranks? Composite-index rank intervals",
                    "zh": "排名是否稳健？综合指数排名区间"},
    "rank_equal": {"en": "equal weights: rank and 95% bootstrap interval ({n} resamples of statements)",
                   "zh": "等权重：排名及95%自助法区间（对陈述重抽样{n}次）"},
    "rank_entropy": {"en": "entropy weights: rank and range when one province is left out",
                     "zh": "熵权：排名及剔除任一省份后的排名范围"},
    "rank": {"en": "rank (1 = highest)", "zh": "排名（1为最高）"},
    "coverage_note": {"en": "Rows ordered by hierarchical clustering of theme profiles (figure 5); "
                            "grey: no practice coded",
                      "zh": "行按主题结构层次聚类排序（见图5）；灰色：未编码实践"},
    "profiles_note": {"en": "In brackets: composite index with equal weights (mean of the four shares)",
                      "zh": "括号内为等权重综合指数（四个比例的平均值）"},
}


def _t(key: str, lang: str, **fmt) -> str:
    return TEXT[key][lang].format(**fmt)


def register_fonts() -> None:
    """Make the shipped Chinese font known to matplotlib (once; cheap afterwards)."""
    global _registered
    if not _registered:
        font_manager.fontManager.addfont(str(FONT_FILE))
        _registered = True


def figure_style(lang: str = "en") -> dict:
    """rcParams for npstudy figures in ``lang`` ("en" or "zh").

    Chinese figures use the shipped Noto Sans SC subset with DejaVu Sans as a
    fallback for symbols it lacks; fonts are embedded as TrueType in PDF and SVG
    text is kept as paths, so files look the same on every machine.
    """
    _check_lang(lang)
    families = ["DejaVu Sans"]
    if lang == "zh":
        register_fonts()
        families = [ZH_FAMILY, "DejaVu Sans"]
    return {
        "font.family": families,
        "font.size": 9,
        "axes.titlesize": 10,
        "figure.titlesize": 12,
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "npstudy",
        "figure.dpi": 100,
        "savefig.dpi": 300,
    }


@contextmanager
def _style(lang: str):
    with matplotlib.rc_context(figure_style(lang)):
        yield


def _check_lang(lang: str) -> None:
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")


def _bold(lang: str) -> str:
    # The shipped Chinese font has one weight; asking for bold would fall back.
    return "bold" if lang == "en" else "normal"


def _province_label(g: Gazetteer, code: str, lang: str) -> str:
    return g.label(code, lang) if g.is_province(code) else str(code)


def _luminance(colour) -> float:
    """WCAG 2.1 relative luminance of a colour."""
    import matplotlib.colors as mcolors

    def channel(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = mcolors.to_rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a, b) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 to 21 (AA asks ≥ 4.5 for text)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(background) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return "black" if contrast_ratio("black", background) >= contrast_ratio("white", background) \
        else "white"


def _wrap(text: str, lang: str, width: int) -> str:
    if lang == "zh":
        return "\n".join(text[i:i + width // 2] for i in range(0, len(text), width // 2))
    return textwrap.fill(text, width)


# ----------------------------------------------------------------- figure 1

def plot_framework(practices: pd.DataFrame, codebook: Codebook, gazetteer: Gazetteer,
                   lang: str = "en") -> Figure:
    """The four pillars, their themes, and the provinces coded under each theme.

    Each theme box lists the provinces with at least one practice under the
    theme, most practices first, with the number of practice rows in brackets
    when it is above one, and the theme's total number of rows.

    Parameters
    ----------
    practices : pandas.DataFrame
        A practices table.
    codebook : Codebook
    gazetteer : Gazetteer
    lang : {"en", "zh"}

    Returns
    -------
    matplotlib.figure.Figure
    """
    with _style(lang):
        fig = Figure(figsize=(12, 6.6))
        ax = fig.add_axes((0, 0, 1, 0.92))
        ax.set_axis_off()
        ax.set_xlim(0, 4)
        ax.set_ylim(0, 1)
        fig.suptitle(_t("framework_title", lang), y=0.97)
        sep = "、" if lang == "zh" else ", "
        for k, pillar in enumerate(codebook.ids("pillar")):
            colour = PILLAR_COLOURS[k]
            x0 = k + 0.04
            ax.add_patch(FancyBboxPatch((x0, 0.85), 0.92, 0.13, boxstyle="round,pad=0.005",
                                        facecolor=colour, edgecolor=colour))
            head = _wrap(codebook.label(pillar, lang), lang, 30)
            ax.text(k + 0.5, 0.915, head, ha="center", va="center", color=text_colour(colour),
                    fontsize=10.5, fontweight=_bold(lang))
            for j, theme in enumerate(codebook.children(pillar)):
                top = 0.82 - j * 0.275
                ax.add_patch(FancyBboxPatch((x0, top - 0.255), 0.92, 0.255,
                                            boxstyle="round,pad=0.005", facecolor=colour,
                                            alpha=0.12, edgecolor=colour))
                rows = practices[practices["theme"] == theme]
                counts = rows["province"].value_counts()
                codes = sorted(counts.index, key=lambda c: (-counts[c], c))
                ax.text(x0 + 0.03, top - 0.02, _wrap(codebook.label(theme, lang), lang, 36),
                        ha="left", va="top", fontsize=9.5, fontweight=_bold(lang))
                items = [_province_label(gazetteer, c, lang)
                         + (f" ({counts[c]})" if counts[c] > 1 else "") for c in codes]
                text = _wrap_items(items, sep, 20 if lang == "zh" else 42) if items else \
                    _t("none_named", lang)
                ax.text(x0 + 0.03, top - 0.10, text, ha="left", va="top", fontsize=9,
                        color="#222222", linespacing=1.5)
                ax.text(x0 + 0.89, top - 0.235, _t("rows", lang, n=len(rows)) if len(rows) != 1 else _t("row", lang), ha="right",
                        va="bottom", fontsize=8, color="#333333")
    return fig


def _wrap_items(items: list[str], sep: str, width: int) -> str:
    """Join items with ``sep``, breaking lines only between items."""
    lines, line = [], ""
    for item in items:
        piece = item if not line else line + sep + item
        if line and len(piece) > width:
            lines.append(line + sep.strip() if sep.strip() == "," else line + sep)
            line = item
        else:
            line = piece
    lines.append(line)
    return "\n".join(lines)


# ----------------------------------------------------------------- figure 2

#: Largest count a heatmap gives a colour of its own; above it colours run continuously.
MAX_DISCRETE_COUNTS = 20


def _count_heatmap(ax, cax, data: pd.DataFrame, lang: str) -> None:
    """Annotated heatmap of counts: one colour per whole number, empty cells grey."""
    import matplotlib.colors as mcolors
    import seaborn as sns

    top = max(2, int(np.nanmax(data.to_numpy())))
    bar = {"label": _t("practices", lang)}
    if top <= MAX_DISCRETE_COUNTS:
        cmap = matplotlib.colormaps[SEQUENTIAL].resampled(top)
        norm = mcolors.BoundaryNorm(np.arange(0.5, top + 1), cmap.N)
        bar["ticks"] = range(1, top + 1)
    else:  # one colour per count would be unreadable (and BoundaryNorm indexes colours in int16)
        cmap = matplotlib.colormaps[SEQUENTIAL]
        norm = mcolors.Normalize(vmin=1, vmax=top)
    sns.heatmap(data.where(data > 0), ax=ax, cbar_ax=cax, cmap=cmap, norm=norm,
                annot=data.where(data > 0), fmt=".0f", linewidths=0.6, linecolor="white",
                cbar_kws=bar)
    ax.set_facecolor("#f2f2f2")


def plot_coverage_heatmap(counts: pd.DataFrame, codebook: Codebook, gazetteer: Gazetteer,
                          order: list | None = None, lang: str = "en") -> Figure:
    """Province × theme heatmap of practice counts, themes grouped by pillar.

    Parameters
    ----------
    counts : pandas.DataFrame
        Theme-level :func:`npstudy.scoring.coverage_matrix` (counts).
    codebook, gazetteer
    order : list, optional
        Row order (e.g. the index of :func:`npstudy.similarity.cluster_provinces`).
    lang : {"en", "zh"}
    """
    data = counts.loc[order] if order is not None else counts
    with _style(lang):
        height = 0.36 * len(data) + 2.6
        fig = Figure(figsize=(9.5, height))
        bottom, top = 1.65 / height, 1 - 1.05 / height
        ax = fig.add_axes((0.17, bottom, 0.74, top - bottom))
        cax = fig.add_axes((0.93, bottom, 0.015, top - bottom))
        _count_heatmap(ax, cax, data, lang)
        ax.set_xticks(np.arange(data.shape[1]) + 0.5)
        ax.set_xticklabels([codebook.label(t, lang, short=True) for t in data.columns],
                           rotation=40, ha="right")
        ax.set_yticks(np.arange(len(data)) + 0.5)
        ax.set_yticklabels([_province_label(gazetteer, c, lang) for c in data.index], rotation=0)
        ax.set_xlabel("")
        ax.set_ylabel("")
        start = 0
        for k, pillar in enumerate(codebook.ids("pillar")):
            n = len(codebook.children(pillar))
            if start:
                ax.axvline(start, color="black", linewidth=1.2)
            ax.text(start + n / 2, -0.3, _wrap(codebook.label(pillar, lang, short=True), lang, 16),
                    ha="center",
                    va="bottom", fontsize=9, fontweight=_bold(lang), color=PILLAR_COLOURS[k])
            start += n
        fig.suptitle(_t("coverage_title", lang), y=0.975)
        fig.text(0.17, 0.012, _t("coverage_note", lang), ha="left", va="bottom", fontsize=8,
                 color="#333333")
    return fig


# ----------------------------------------------------------------- figure 3

def _tile_panel(ax, values: pd.Series, gazetteer: Gazetteer, lang: str, title: str,
                vmin: float, vmax: float, fmt: str, cmap, bar_label: str,
                texts: pd.Series | None = None) -> None:
    import matplotlib.colors as mcolors

    norm = mcolors.Normalize(vmin=vmin, vmax=vmax)
    table = gazetteer.provinces
    for row in table.itertuples():
        value = values.get(row.iso_code, np.nan)
        x, y = row.tile_col, -row.tile_row
        missing = pd.isna(value)
        face = "#e6e6e6" if missing else cmap(norm(value))
        ax.add_patch(Rectangle((x, y), 0.94, 0.94, facecolor=face, edgecolor="#8c8c8c" if missing
                               else "white", hatch="////" if missing else None, linewidth=0.8))
        label = row.short_zh if lang == "zh" else _tile_name(row.name_en)
        if missing:
            colour = "#555555"
        else:
            r, g, b, _ = cmap(norm(value))
            colour = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
        size = 8.5 if lang == "zh" else (7.0 if max(map(len, label.split("\n"))) <= 8 else 6.0)
        ax.text(x + 0.47, y + 0.62, label, ha="center", va="center", fontsize=size, color=colour,
                fontweight=_bold(lang), linespacing=0.9)
        if not missing:
            shown = texts.get(row.iso_code, "") if texts is not None else format(value, fmt)
            ax.text(x + 0.47, y + 0.22, shown, ha="center", va="center",
                    fontsize=7.5, color=colour)
    ax.set_xlim(-0.2, 8.2)
    ax.set_ylim(-7.3, 1.1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_title(title)
    sm = matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap)
    ax.figure.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.04, pad=0.02, shrink=0.7,
                       label=bar_label)


def _tile_name(name: str) -> str:
    """English unit name for a tile: long names over two lines."""
    short = {"Inner Mongolia": "Inner\nMongolia", "Hong Kong": "Hong\nKong"}
    return short.get(name, name)


def plot_tile_map(breadth: pd.Series, composite: pd.Series, gazetteer: Gazetteer,
                  lang: str = "en", rank_range: pd.Series | None = None) -> Figure:
    """Tile-grid maps of China coloured by breadth and by composite index.

    Parameters
    ----------
    breadth : pandas.Series
        Themes covered per province (ISO code index); provinces absent or NaN
        are drawn hatched grey as "not mentioned in the source".
    composite : pandas.Series
        Composite index per province, same convention; its colour scale is
        relative (entropy composites are built from min–max standardised shares).
    gazetteer : Gazetteer
        Supplies every unit's tile position and name.
    lang : {"en", "zh"}
    rank_range : pandas.Series, optional
        Text printed in each tile of the composite panel (e.g. "1–2", the rank
        range when one province is left out); the composite value otherwise.
    """
    cmap = matplotlib.colormaps[SEQUENTIAL]
    with _style(lang):
        fig = Figure(figsize=(12, 6.4))
        axes = fig.subplots(1, 2)
        _tile_panel(axes[0], breadth, gazetteer, lang, _t("breadth", lang), 0, 12, ".0f", cmap,
                    _t("breadth_bar", lang))
        _tile_panel(axes[1], composite, gazetteer, lang, _wrap(_t("composite", lang), lang, 60),
                    0, 1, ".2f", cmap, _t("composite_bar", lang), rank_range)
        handles = [Patch(facecolor="#e6e6e6", edgecolor="#8c8c8c", hatch="////",
                         label=_t("not_mentioned", lang))]
        axes[0].legend(handles=handles, loc="lower left", frameon=False, fontsize=8.5)
        axes[1].text(0.0, 0.02, _t("tile_note", lang), transform=axes[1].transAxes,
                     ha="left", va="bottom", fontsize=8, color="#444444")
        fig.subplots_adjust(left=0.02, right=0.98, top=0.92, bottom=0.06, wspace=0.05)
    return fig


# ----------------------------------------------------------------- figure 4

def plot_pillar_profiles(shares: pd.DataFrame, codebook: Codebook, gazetteer: Gazetteer,
                         composite: pd.Series | None = None, lang: str = "en",
                         ncols: int = 4) -> Figure:
    """Small multiples: each province's share of themes covered in each pillar.

    Parameters
    ----------
    shares : pandas.DataFrame
        :func:`npstudy.scoring.pillar_shares` (provinces × pillars).
    codebook, gazetteer
    composite : pandas.Series, optional
        Printed in each panel title and used to order panels (highest first).
    lang : {"en", "zh"}
    ncols : int, default 4
    """
    data = shares.dropna()
    if composite is not None:
        data = data.loc[composite.reindex(data.index).sort_values(ascending=False, kind="stable").index]
    n = len(data)
    nrows = int(np.ceil(n / ncols))
    pillars = list(data.columns)
    with _style(lang):
        width = 2.6 * ncols + 2.2
        fig = Figure(figsize=(width, 1.55 * nrows + 1.0))
        axes = np.atleast_2d(fig.subplots(nrows, ncols, sharex=True, sharey=True))
        labels = [codebook.label(p, lang, short=True) for p in pillars]
        for k, ax in enumerate(axes.flat):
            if k >= n:
                ax.set_axis_off()
                continue
            code = data.index[k]
            ax.barh(range(len(pillars)), data.iloc[k].to_numpy(), color=PILLAR_COLOURS,
                    edgecolor="black", linewidth=0.4)
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 1 / 3, 2 / 3, 1])
            ax.set_xticklabels(["0", "⅓", "⅔", "1"] if lang == "en" else ["0", "1/3", "2/3", "1"])
            ax.set_yticks(range(len(pillars)))
            ax.set_yticklabels(labels)
            ax.invert_yaxis()
            ax.grid(axis="x", color="#dddddd", linewidth=0.6)
            ax.set_axisbelow(True)
            title = _province_label(gazetteer, code, lang)
            if composite is not None:
                title += f" ({composite[code]:.2f})"
            ax.set_title(title, fontsize=9)
            if k + ncols >= n:  # the lowest panel of its column shows the scale
                ax.tick_params(labelbottom=True)
        fig.suptitle(_t("profiles_title", lang), y=0.985)
        if composite is not None:
            fig.text(0.5, 0.935, _t("profiles_note", lang), ha="center", va="center", fontsize=8.5,
                     color="#333333")
        fig.supxlabel(_t("share", lang), fontsize=9)
        fig.subplots_adjust(left=2.1 / width, right=0.98, top=0.88, bottom=0.09, hspace=0.55,
                            wspace=0.12)
    return fig


# ----------------------------------------------------------------- figure 5

def _province_axes(ax, order: list, gazetteer: Gazetteer, lang: str) -> None:
    """Label both axes of a province × province heatmap."""
    names = [_province_label(gazetteer, c, lang) for c in order]
    ticks = np.arange(len(order)) + 0.5
    ax.set_xticks(ticks)
    ax.set_xticklabels(names, rotation=90)
    ax.set_yticks(ticks)
    ax.set_yticklabels(names, rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")


def plot_similarity(similarity: pd.DataFrame, linkage: np.ndarray, labels: list,
                    gazetteer: Gazetteer, lang: str = "en") -> Figure:
    """Similarity heatmap ordered by, and topped with, a dendrogram.

    Parameters
    ----------
    similarity : pandas.DataFrame
        Square similarity (:func:`npstudy.similarity.similarity_matrix`).
    linkage, labels
        From :func:`npstudy.similarity.linkage_matrix`.
    gazetteer : Gazetteer
    lang : {"en", "zh"}
    """
    import seaborn as sns
    from scipy.cluster import hierarchy

    with _style(lang):
        fig = Figure(figsize=(8.4, 9.0))
        dax = fig.add_axes((0.17, 0.81, 0.68, 0.10))
        ax = fig.add_axes((0.17, 0.14, 0.68, 0.67))
        cax = fig.add_axes((0.88, 0.14, 0.02, 0.67))
        tree = hierarchy.dendrogram(linkage, ax=dax, no_labels=True, color_threshold=0,
                                    above_threshold_color="#333333")
        dax.set_axis_off()
        order = [labels[i] for i in tree["leaves"]]
        data = similarity.loc[order, order]
        sns.heatmap(data, ax=ax, cbar_ax=cax, cmap=SEQUENTIAL, vmin=0, vmax=1, annot=True,
                    fmt=".2f", annot_kws={"fontsize": 8.5}, linewidths=0.4, linecolor="white",
                    square=False, cbar_kws={"label": _t("similarity", lang)})
        _province_axes(ax, order, gazetteer, lang)
        fig.suptitle(_t("similarity_title", lang), y=0.975)
    return fig


# ----------------------------------------------------------------- figure 6

def plot_null_model(results: pd.DataFrame, order: list, gazetteer: Gazetteer,
                    n_samples: int, alpha: float = 0.05, lang: str = "en") -> Figure:
    """Standardised effect sizes of pairwise similarity, significant pairs starred.

    Parameters
    ----------
    results : pandas.DataFrame
        :func:`npstudy.nullmodels.null_model_test` output.
    order : list
        Province order for both axes (e.g. the clustering order).
    gazetteer : Gazetteer
    n_samples : int
        Randomisations behind ``results`` (printed in the note).
    alpha : float, default 0.05
    lang : {"en", "zh"}
    """
    import seaborn as sns

    ses = pd.DataFrame(np.nan, index=order, columns=order)
    star = pd.DataFrame("", index=order, columns=order)
    for row in results.itertuples():
        if row.a in ses.index and row.b in ses.index:
            for a, b in ((row.a, row.b), (row.b, row.a)):
                ses.loc[a, b] = row.ses
                if not np.isnan(row.ses):
                    star.loc[a, b] = f"{row.ses:.1f}" + ("*" if row.p_value < alpha else "")
    lower = np.triu(np.ones(ses.shape, dtype=bool))
    with _style(lang):
        fig = Figure(figsize=(8.4, 8.0))
        ax = fig.add_axes((0.17, 0.17, 0.68, 0.73))
        cax = fig.add_axes((0.88, 0.17, 0.02, 0.73))
        limit = float(np.nanmax(np.abs(ses.to_numpy()))) if ses.notna().any().any() else 1.0
        sns.heatmap(ses, mask=lower, ax=ax, cbar_ax=cax, cmap="cividis", vmin=-limit, vmax=limit,
                    annot=star, fmt="", annot_kws={"fontsize": 8}, linewidths=0.4,
                    linecolor="white", cbar_kws={"label": _t("ses", lang)})
        _province_axes(ax, order, gazetteer, lang)
        fig.suptitle(_wrap(_t("null_title", lang), lang, 80), y=0.975)
        n_fdr = int((results["p_fdr"] < alpha).sum()) if "p_fdr" in results else 0
        note = _t("null_note", lang, alpha=alpha, n=f"{n_samples:,}", n_fdr=n_fdr,
                  n_pairs=len(results))
        shown = ses.to_numpy()[~lower]
        if np.isnan(shown).any():  # only explain blank cells when there are some
            note += _t("null_blank", lang)
        fig.text(0.5, 0.02, _wrap(note, lang, 110), ha="center", fontsize=8, color="#333333")
    return fig


# ----------------------------------------------------------------- figure 7

def plot_instruments(matrix: pd.DataFrame, codebook: Codebook, lang: str = "en") -> Figure:
    """Instrument type × pillar heatmap, types grouped by Rothwell–Zegveld category.

    Parameters
    ----------
    matrix : pandas.DataFrame
        :func:`npstudy.scoring.instrument_matrix` with ``by="instrument_type"``.
    codebook : Codebook
    lang : {"en", "zh"}
    """
    cats = matrix.index.get_level_values(0)
    types = matrix.index.get_level_values(1)
    with _style(lang):
        fig = Figure(figsize=(7.8, 0.42 * len(matrix) + 2.4))
        ax = fig.add_axes((0.36, 0.13, 0.5, 0.79))
        cax = fig.add_axes((0.88, 0.13, 0.02, 0.79))
        data = matrix.droplevel(0)
        _count_heatmap(ax, cax, data, lang)
        ax.set_xticks(np.arange(data.shape[1]) + 0.5)
        ax.set_xticklabels([codebook.label(p, lang, short=True) for p in data.columns],
                           rotation=20, ha="right")
        ax.set_yticks(np.arange(len(data)) + 0.5)
        ax.set_yticklabels([codebook.instrument_types[t][lang] for t in types], rotation=0)
        ax.set_xlabel("")
        ax.set_ylabel("")
        start = 0
        for cat in dict.fromkeys(cats):
            n = int((cats == cat).sum())
            if start:
                ax.axhline(start, color="black", linewidth=1.2)
            ax.annotate(codebook.instrument_categories[cat][lang],
                        xy=(0.03 if lang == "en" else 0.2, 1 - (start + n / 2) / len(data)),
                        xycoords=("figure fraction", "axes fraction"), ha="center", va="center",
                        rotation=90, fontsize=9, fontweight=_bold(lang), color="#333333")
            start += n
        fig.suptitle(_t("instruments_title", lang), y=0.975)
    return fig


# ----------------------------------------------------------------- figure 8

def plot_rank_intervals(table: pd.DataFrame, gazetteer: Gazetteer, lang: str = "en",
                        n_boot: int | None = None) -> Figure:
    """Composite ranks with their uncertainty: bootstrap intervals and leave-one-out ranges.

    Parameters
    ----------
    table : pandas.DataFrame
        The build's ``rank_intervals`` table: ``rank_equal``, ``rank_equal_low``,
        ``rank_equal_high`` (bootstrap over statements) and ``rank_entropy``,
        ``rank_entropy_min``, ``rank_entropy_max`` (leave one province out).
    gazetteer : Gazetteer
    lang : {"en", "zh"}
    n_boot : int, optional
        Bootstrap samples, printed in the legend.
    """
    data = table.sort_values(["rank_equal", "rank_entropy"], kind="stable")
    y = np.arange(len(data))
    n = len(data)
    with _style(lang):
        fig = Figure(figsize=(8.0, 0.36 * n + 1.9))
        ax = fig.add_axes((0.2, 0.2, 0.76, 0.68))
        ax.hlines(y - 0.15, data["rank_equal_low"], data["rank_equal_high"], color=PILLAR_COLOURS[0],
                  linewidth=2.2)
        ax.plot(data["rank_equal"], y - 0.15, "o", color=PILLAR_COLOURS[0], markersize=6,
                label=_t("rank_equal", lang, n=f"{n_boot:,}" if n_boot else "9,999"))
        ax.hlines(y + 0.15, data["rank_entropy_min"], data["rank_entropy_max"], color="#A65E00",
                  linewidth=2.2)
        ax.plot(data["rank_entropy"], y + 0.15, "D", color="#A65E00", markersize=5,
                label=_t("rank_entropy", lang))
        ax.set_yticks(y)
        ax.set_yticklabels([_province_label(gazetteer, c, lang) for c in data.index])
        ax.invert_yaxis()
        ax.set_xlim(0.5, n + 0.5)
        ax.set_xticks(range(1, n + 1))
        ax.set_xlabel(_t("rank", lang))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.13), frameon=False, fontsize=8)
        fig.suptitle(_t("ranks_title", lang), y=0.975)
    return fig
