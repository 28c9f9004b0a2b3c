"""Every figure renders in English and Chinese without a missing glyph."""

import re
import warnings

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib import font_manager
from matplotlib.figure import Figure

from npstudy import load_codebook, load_gazetteer, load_provinces, plots
from npstudy.build import FIGURES, _figure_bytes, compute_tables, draw_figures


@pytest.fixture(scope="module")
def results():
    return compute_tables(n_samples=199)


@pytest.mark.parametrize("fmt", ["png", pytest.param("svg", marks=pytest.mark.slow),
                                 pytest.param("pdf", marks=pytest.mark.slow)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_figure_renders_without_warnings(results, lang, fmt):
    """PNG in the default run; SVG and PDF, which embed the font differently, in CI's slow run."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a UserWarning: fail on it
        figures = draw_figures(results, lang)
        assert tuple(figures) == FIGURES
        for stem, fig in figures.items():
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


def test_english_figures_have_no_cjk_labels(results):
    fig = draw_figures(results, "en")["fig2_coverage_heatmap"]
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


def test_drawing_leaves_pyplot_alone(results):
    """Figures are plain Figure objects: nothing is registered with pyplot or shown."""
    import matplotlib.pyplot as plt

    plt.close("all")
    backend = matplotlib.get_backend()
    draw_figures(results, "en")
    assert plt.get_fignums() == []
    assert matplotlib.get_backend() == backend
