"""Every figure renders in English and Chinese without a missing glyph, and is fit for print:
text size at a 7-inch width, no overprinting, and each defect a journal would return fixed.

The print checks render the figures with the Agg renderer and read the artists back; the
values they compare against are worked out from the tables, not from the drawing code.
"""

import itertools
import re
import warnings

import matplotlib
import numpy as np
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.font_manager import findfont
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from scipy.cluster import hierarchy

from npstudy import load_codebook, load_gazetteer, load_practices, load_provinces, plots
from npstudy.build import (CLUSTERS, FIGURES, _figure_bytes, compute_tables, draw_figures,
                           figure_captions)


@pytest.fixture(scope="module")
def results():
    # the practices passed explicitly: the tables the figures use, without the agreement and
    # coder-evaluation tables that only the shipped build adds
    return compute_tables(load_practices(), n_samples=49)


@pytest.fixture(scope="module")
def drawn(results):
    """Every figure in both languages, drawn once with warnings as errors (a missing glyph is a
    UserWarning) and rendered by Agg, so that text extents are known."""
    import matplotlib.pyplot as plt

    plt.close("all")
    backend = matplotlib.get_backend()
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for lang in ("en", "zh"):
            for stem, fig in draw_figures(results, lang).items():
                canvas = FigureCanvasAgg(fig)
                canvas.draw()
                out[stem, lang] = (fig, canvas.get_renderer())
    out["pyplot"] = (plt.get_fignums(), matplotlib.get_backend() == backend)
    return out


@pytest.mark.parametrize("fmt", ["png", pytest.param("svg", marks=pytest.mark.slow),
                                 pytest.param("pdf", marks=pytest.mark.slow)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_renders_without_warnings(results, drawn, lang, fmt):
    """Every figure is drawn and rendered without a warning (the drawn fixture); PNG files of
    two figures in the default run, every SVG and PDF, which embed the font differently, in
    CI's slow run."""
    stems = FIGURES if fmt != "png" else ("fig1_framework", "fig3_tile_map")
    assert tuple(k[0] for k in drawn if isinstance(k, tuple) and k[1] == lang) == FIGURES
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for stem in stems:
            fig = drawn[stem, lang][0]
            assert isinstance(fig, Figure), stem
            assert len(_figure_bytes(fig, fmt, lang)) > 1000, (stem, fmt)


def test_chinese_figures_use_the_shipped_font():
    style = plots.figure_style("zh")
    found = font_manager.findfont(font_manager.FontProperties(family=style["font.family"]),
                                  fallback_to_default=False)
    assert found == str(plots.FONT_FILE)
    assert (plots.FONT_FILE.parent / "OFL.txt").is_file()


def test_font_covers_every_label():
    cmap = TTFont(plots.FONT_FILE).getBestCmap()
    cb = load_codebook()
    texts = [e.zh for e in cb.entries()] + [e.short_zh or "" for e in cb.entries()]
    texts += [v["zh"] for v in cb.instrument_categories.values()]
    texts += [v["zh"] for v in cb.instrument_types.values()]
    texts += load_provinces()["short_zh"].tolist() + load_provinces()["name_zh"].tolist()
    texts += [v["zh"] for v in plots.TEXT.values()]
    cjk = set(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”]", "".join(texts)))
    missing = sorted(c for c in cjk if ord(c) not in cmap)
    assert not missing, f"run tools/make_font.py; missing: {''.join(missing)}"


def test_english_figures_have_no_cjk_labels(drawn):
    fig = drawn["fig2_coverage_heatmap", "en"][0]
    labels = [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
    assert "Shanghai" in labels and "Carbon accounting" in labels
    assert not any(re.search(r"[\u4e00-\u9fff]", s) for s in labels)


def test_tile_map_marks_unmentioned_provinces(results):
    scores = results.tables["province_scores"]
    fig = plots.plot_tile_map(scores["themes"], scores["composite_entropy"], load_gazetteer())
    hatched = [p for p in fig.axes[0].patches if p.get_hatch()]
    assert len(hatched) == 34 - 13  # every unit the source does not mention


def test_bad_language():
    with pytest.raises(ValueError, match="lang must be"):
        plots.figure_style("fr")
    assert matplotlib.get_backend().lower() == "agg"


def test_header_text_passes_wcag_aa():
    # WCAG 2.1 contrast of black on white is 21 and of white on white 1, by definition
    assert plots.contrast_ratio("black", "white") == pytest.approx(21.0)
    assert plots.contrast_ratio("white", "white") == pytest.approx(1.0)
    for colour in plots.PILLAR_COLOURS:
        assert plots.contrast_ratio(plots.text_colour(colour), colour) >= 4.5, colour


def test_chinese_labels_use_full_width_punctuation():
    for key, value in plots.TEXT.items():
        zh = re.sub(r"\{[^}]*\}", "", value["zh"])       # format fields are not text
        zh = re.sub(r"[A-Za-z][A-Za-z –-]*[A-Za-z]", "", zh)   # nor embedded Latin names
        assert not re.search(r"[:;()?,!]", zh), (key, value["zh"])


def test_figures_are_saved_at_300_dpi(results):
    import io

    from PIL import Image

    fig = draw_figures(results, "en", ["fig5_similarity"])["fig5_similarity"]
    png = Image.open(io.BytesIO(_figure_bytes(fig, "png", "en")))
    assert png.size == (round(fig.get_figwidth() * 300), round(fig.get_figheight() * 300))


def test_drawing_leaves_pyplot_alone(drawn):
    """Figures are plain Figure objects: nothing is registered with pyplot or shown."""
    fignums, same_backend = drawn["pyplot"]
    assert fignums == [] and same_backend


# ---------------------------------------------------------------- fit for print

PRINT_WIDTH = 7.0   # inches: a journal's full text width
MIN_PT = 7.0


def rendered(drawn, stem, lang):
    """A figure of ``drawn`` and an Agg renderer of a fresh draw (other tests save figures)."""
    fig = drawn[stem, lang][0]
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig, canvas.get_renderer()


def _axes(fig):
    return [a for ax in fig.axes for a in (ax, *ax.child_axes)]


def texts(fig):
    """Every text that is drawn: tick labels only for ticks inside their axis' view."""
    tick_labels, drawn = set(), []
    for ax in _axes(fig):
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick, loc in zip(axis.get_major_ticks(), axis.get_majorticklocs()):
                tick_labels |= {id(tick.label1), id(tick.label2)}
                if lo - 1e-9 <= loc <= hi + 1e-9 and axis.get_visible() and ax.axison:
                    drawn += [x for x in (tick.label1, tick.label2) if x.get_visible()]
    drawn += [t for t in fig.findobj(Text) if id(t) not in tick_labels and t.get_visible()]
    return [t for t in drawn if t.get_text().strip()]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem", FIGURES)
def test_every_text_is_at_least_7_pt_at_a_7_inch_print_width(drawn, stem, lang):
    fig, _ = drawn[stem, lang]
    scale = PRINT_WIDTH / fig.get_figwidth()
    small = {t.get_text(): t.get_fontsize() * scale for t in texts(fig)
             if t.get_fontsize() * scale < MIN_PT - 1e-9}
    assert not small, f"{stem} ({lang}) prints below {MIN_PT} pt at {PRINT_WIDTH} in: {small}"


def _clash(a: Text, b: Text, renderer, boxes) -> bool:
    """Whether two texts overprint: bounding boxes for level text; for two labels turned by
    the same angle (whose boxes are not their outlines), their distance across the line."""
    ba, bb = boxes[id(a)], boxes[id(b)]
    if not (ba.x0 + 1 < bb.x1 and bb.x0 + 1 < ba.x1 and ba.y0 + 1 < bb.y1 and bb.y0 + 1 < ba.y1):
        return False
    ra, rb = a.get_rotation() % 180, b.get_rotation() % 180
    if ra and ra == rb:
        theta = np.radians(ra)
        (xa, ya), (xb, yb) = (t.get_transform().transform(t.get_position()) for t in (a, b))
        across = abs(-(xb - xa) * np.sin(theta) + (yb - ya) * np.cos(theta))
        return across + 0.5 < max(a.get_fontsize(), b.get_fontsize()) * renderer.dpi / 72
    return True


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stem", FIGURES)
def test_no_text_overprints_another_or_leaves_the_page(drawn, stem, lang):
    fig, renderer = rendered(drawn, stem, lang)
    page = fig.bbox
    shown = texts(fig)
    boxes = {id(t): t.get_window_extent(renderer) for t in shown}
    for t in shown:
        box = boxes[id(t)]
        assert box.x0 >= page.x0 - 1 and box.x1 <= page.x1 + 1, (stem, lang, t.get_text())
        assert box.y0 >= page.y0 - 1 and box.y1 <= page.y1 + 1, (stem, lang, t.get_text())
    clashes = [(a.get_text(), b.get_text()) for a, b in itertools.combinations(shown, 2)
               if _clash(a, b, renderer, boxes)]
    assert not clashes, f"{stem} ({lang}): overlapping text {clashes[:5]}"


@pytest.mark.parametrize("stem", FIGURES)
def test_chinese_figures_rotate_nothing_and_use_full_width_brackets(drawn, stem):
    fig, _ = drawn[stem, "zh"]
    rotated = [t.get_text() for t in texts(fig) if t.get_rotation() % 360]
    assert not rotated, (stem, rotated)
    half = [t.get_text() for t in texts(fig) if re.search(r"[()]", t.get_text())]
    assert not half, (stem, half)


def test_chinese_headings_are_bold_in_a_bold_face_that_exists(drawn):
    fig, _ = drawn["fig1_framework", "zh"]
    heading = next(t for t in texts(fig) if t.get_text().replace("\n", "") ==
                   load_codebook().label("innovation", "zh"))
    assert heading.get_fontweight() == "bold"
    assert findfont(heading.get_fontproperties(), fallback_to_default=False) == \
        str(plots.FONT_FILE_BOLD)
    assert TTFont(plots.FONT_FILE_BOLD)["OS/2"].usWeightClass == 700


def _tiles(ax):
    return {p.get_label(): p for p in ax.patches if isinstance(p, Rectangle)
            and p.get_label().startswith("CN-")}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_tile_names_fit_their_tiles_and_the_key_covers_none(drawn, lang):
    fig, renderer = rendered(drawn, "fig3_tile_map", lang)
    g = load_gazetteer()
    names = dict(zip(g.provinces["name_en" if lang == "en" else "short_zh"],
                     g.provinces["iso_code"]))
    for ax in fig.axes[:2]:
        tiles = _tiles(ax)
        assert len(tiles) == len(g.provinces)
        for t in ax.texts:
            code = names.get(t.get_text().replace("\n", " "))
            if code is None:
                continue
            box, tile = t.get_window_extent(renderer), tiles[code].get_window_extent(renderer)
            assert tile.x0 <= box.x0 and box.x1 <= tile.x1 and tile.y0 <= box.y0 \
                and box.y1 <= tile.y1, (lang, code, "name overflows its tile")
        covers = [ax.get_legend()] if ax.get_legend() else []
        covers += [c for c in fig.axes if c not in fig.axes[:2] and c.bbox.overlaps(ax.bbox)]
        for artist in covers:
            box = artist.get_window_extent(renderer)
            hit = [c for c, p in tiles.items() if p.get_window_extent(renderer).overlaps(box)]
            assert not hit, (lang, "key or colour bar over tiles", hit)
    assert "Heilongjiang" in names or lang == "zh"


def test_tile_map_colour_bars_span_the_data(drawn, results):
    fig, _ = drawn["fig3_tile_map", "en"]
    scores = results.tables["province_scores"]
    bars = [c for ax in fig.axes for c in ax.child_axes]
    spans = sorted(tuple(np.round(ax.get_xlim(), 6)) for ax in bars)
    comp, themes = scores["composite_entropy"].dropna(), scores["themes"].dropna()
    assert spans == sorted([(round(comp.min(), 6), round(comp.max(), 6)),
                            (themes.min(), themes.max())])
    assert comp.min() > 0.05 and comp.max() < 0.9   # the data's range, not 0–1


def test_null_model_figure_has_no_empty_row_or_column_and_greys_hopeless_pairs(drawn, results):
    fig, _ = drawn["fig6_null_model", "en"]
    ax = fig.axes[0]
    g = load_gazetteer()
    order = results.order
    assert [t.get_text() for t in ax.get_yticklabels()] == [g.label(c) for c in order[1:]]
    assert [t.get_text() for t in ax.get_xticklabels()] == [g.label(c) for c in order[:-1]]
    pairs = results.tables["similarity_pairs"]
    hopeless = int(((pairs["p_min"] > 0.05) | pairs["ses"].isna()).sum())
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == len(pairs)                     # each pair once
    grey = [p for p in cells if np.allclose(p.get_facecolor()[:3], to_rgb(plots.style.EMPTY))]
    assert len(grey) == hopeless and 0 < hopeless < len(pairs)
    # diverging: among the coloured cells, positive effects are red and negative ones blue
    by_text = {}
    for t in ax.texts:
        cell = next(p for p in cells if p.get_x() < t.get_position()[0] < p.get_x() + 1
                    and p.get_y() < t.get_position()[1] < p.get_y() + 1)
        by_text[t] = cell
    for t, cell in by_text.items():
        if cell in grey:
            continue
        value = float(t.get_text().rstrip("*"))
        r, _, b = cell.get_facecolor()[:3]
        if abs(value) >= 0.5:
            assert (r > b) == (value > 0), (t.get_text(), r, b)


def test_pillar_labels_pass_wcag_contrast_on_their_bands(drawn):
    for lang in ("en", "zh"):
        fig, _ = drawn["fig2_coverage_heatmap", lang]
        band = next(ax for ax in fig.axes if ax.get_label() == "pillars")
        rects = [p for p in band.patches if isinstance(p, Rectangle)]
        assert len(band.texts) == 4
        for t in band.texts:
            x, y = t.get_position()
            rect = next(p for p in rects if p.get_x() <= x <= p.get_x() + p.get_width())
            assert plots.contrast_ratio(t.get_color(), rect.get_facecolor()) >= 4.5, t.get_text()


def test_coverage_colour_bar_says_what_it_counts(drawn):
    fig, _ = drawn["fig2_coverage_heatmap", "en"]
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "coded statements (rows)" in labels


def test_dendrogram_has_a_height_axis_and_marks_the_cut(drawn, results):
    fig, _ = drawn["fig5_similarity", "en"]
    dax = fig.axes[0]
    assert dax.yaxis.get_visible() and len(dax.get_yticks()) >= 2
    assert "1 − Jaccard" in dax.get_ylabel()
    dashed = [line for line in dax.get_lines() if line.get_linestyle() not in ("-", "None")]
    assert len(dashed) == 1
    h = dashed[0].get_ydata()[0]
    # cutting scipy's tree at that height gives the build's clusters
    labels = hierarchy.fcluster(results.linkage, h, criterion="distance")
    assert len(set(labels)) == CLUSTERS == results.tables["clusters"]["cluster"].nunique()


def test_instrument_figure_shows_totals(drawn, results):
    fig, _ = drawn["fig7_instruments", "en"]
    bold = [t.get_text() for t in fig.axes[0].texts if t.get_fontweight() == "bold"]
    p = results.practices
    assert str(len(p)) in bold                                  # the grand total, 50
    for n in p["pillar"].value_counts():
        assert str(n) in bold
    categories = [t.get_text() for t in fig.axes[0].texts if "(" in t.get_text()]
    env = int((p["instrument"] == "environment").sum())
    assert any("environmental" in c and f"({env})" in c.replace("\n", "") for c in categories)


def test_rank_figure_draws_its_two_kinds_of_interval_differently(drawn):
    fig, _ = drawn["fig8_rank_intervals", "en"]
    ax = fig.axes[0]
    widths = sorted({round(c.get_linewidth()[0], 1) for c in ax.collections})
    assert len(widths) >= 2 and widths[-1] >= 3 * widths[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("bootstrap" in x for x in legend) and any("left out" in x for x in legend)


def test_profile_figure_names_the_composite_it_shows(results):
    shares = results.tables["pillar_shares"]
    scores = results.tables["province_scores"]
    with pytest.raises(ValueError, match="weights="):
        plots.plot_pillar_profiles(shares, composite=scores["composite_entropy"])
    fig = plots.plot_pillar_profiles(shares, composite=scores["composite_entropy"],
                                     weights="entropy")
    assert any("entropy weights" in t.get_text() for t in fig.texts)
    assert not any("equal" in t.get_text() for t in fig.texts)


class _Renamed:
    """A codebook or gazetteer whose labels carry a mark: proves the caller's copy is used."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def label(self, *args, **kwargs):
        return "Ω" + self._inner.label(*args, **kwargs)


def test_plots_use_the_reference_data_they_are_given(results):
    p = results.practices
    fig = plots.plot_framework(p, codebook=_Renamed(load_codebook()),
                               gazetteer=_Renamed(load_gazetteer()))
    words = " ".join(t.get_text() for t in fig.findobj(Text))
    assert "ΩS&T" in words and "ΩShanghai" in words
    fig = plots.plot_rank_intervals(results.tables["rank_intervals"],
                                    gazetteer=_Renamed(load_gazetteer()))
    assert all(t.get_text().startswith("Ω") for t in fig.axes[0].get_yticklabels())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_captions_hold_every_note_and_state_the_numbers(results, lang):
    caps = figure_captions(results, lang)
    assert list(caps) == list(FIGURES)
    assert all(c.endswith("\n") and "{" not in c for c in caps.values())
    pairs = results.tables["similarity_pairs"]
    n_never = int(((pairs["p_min"] > 0.05) | pairs["ses"].isna()).sum())
    assert f"{n_never}" in caps["fig6_null_model"] and "Benjamini" in caps["fig6_null_model"]
    assert "0 " in caps["fig5_similarity"] or "0个" in caps["fig5_similarity"]
    assert caps == figure_captions(results, lang)      # the same numbers give the same text


def test_every_figure_is_7_inches_wide_and_whole_pixels_high_at_300_dpi(drawn):
    for (stem, lang), (fig, _) in ((k, v) for k, v in drawn.items() if k != "pyplot"):
        width, height = fig.get_size_inches()
        assert width == PRINT_WIDTH, (stem, lang)
        assert height * 300 == pytest.approx(round(height * 300), abs=1e-6), (stem, lang, height)
