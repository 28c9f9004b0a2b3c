"""Figure 9: readable at print width, Chinese set in the shipped font, identical bytes."""

import matplotlib
import pytest
from fontTools.ttLib import TTFont
from matplotlib.text import Text

from npstudy import load_codebook, load_practices
from npstudy.build import _figure_bytes
from npstudy.external import indicator_profile, load_indicators
from npstudy.gazetteer import load_gazetteer
from npstudy.plots import FONT_FILE
from npstudy.plots_external import MIN_PT, TEXT, WIDTH, plot_external_profile

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def profile():
    return indicator_profile(load_indicators(), load_practices())


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_text_is_at_least_7_pt_at_print_width(profile, lang):
    fig = plot_external_profile(profile, load_codebook(), load_gazetteer(), lang)
    fig.canvas.draw() if hasattr(fig.canvas, "draw") else None
    scale = WIDTH / fig.get_figwidth()
    texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    assert len(texts) > 31 * 8                      # the cell values are there
    small = [(t.get_text(), t.get_fontsize()) for t in texts if t.get_fontsize() * scale < MIN_PT]
    assert not small


def test_chinese_text_uses_only_glyphs_of_the_shipped_font():
    cmap = TTFont(str(FONT_FILE)).getBestCmap()
    cb, g = load_codebook(), load_gazetteer()
    strings = [v["zh"] for v in TEXT.values()]
    strings += [cb.label(p, "zh", short=True) for p in cb.ids("pillar")]
    strings += [g.label(c, "zh") for c in g.mainland()]
    missing = {ch for s in strings for ch in s if not ch.isascii() and ord(ch) not in cmap}
    assert not missing


def test_two_drawings_give_the_same_bytes(profile):
    cb, g = load_codebook(), load_gazetteer()
    a = _figure_bytes(plot_external_profile(profile, cb, g, "zh"), "png", "zh")
    b = _figure_bytes(plot_external_profile(profile, cb, g, "zh"), "png", "zh")
    assert a == b
