"""What every figure shares: fonts, sizes, colours, language checks and text measurement.

Figures are drawn at :data:`WIDTH` inches, the full text width of a journal page, so a
font size in points is the printed size; no text is smaller than :data:`MIN_PT`.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from ..codebook import Codebook
from ..gazetteer import Gazetteer

FONTS = Path(__file__).resolve().parent.parent / "fonts"
FONT_FILE = FONTS / "NotoSansSC-npstudy-subset.ttf"
#: The bold weight of the same subset, for headings in Chinese figures.
FONT_FILE_BOLD = FONTS / "NotoSansSC-npstudy-subset-Bold.ttf"
ZH_FAMILY = "Noto Sans SC npstudy"
#: Print width of every figure, inches (a full journal text width).
WIDTH = 7.0
#: Smallest font size, points, at :data:`WIDTH`.
MIN_PT = 7.0
#: Okabe & Ito (2008) colour-blind-safe colours, one per pillar, in codebook order.
PILLAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
SEQUENTIAL = "viridis"
#: Diverging map for signed quantities (effect sizes), centred on zero.
DIVERGING = "RdBu_r"
#: Cells with nothing to show (no row coded, a pair the test cannot detect).
EMPTY = "#f0f0f0"
GREY_TEXT = "#4d4d4d"
_registered = False


def check_lang(lang: str) -> None:
    """Raise ValueError unless ``lang`` is "en" or "zh"."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")


def register_fonts() -> None:
    """Make the shipped Chinese fonts (regular and bold) known to matplotlib, once."""
    global _registered
    if not _registered:
        for path in (FONT_FILE, FONT_FILE_BOLD):
            font_manager.fontManager.addfont(str(path))
        _registered = True


def figure_style(lang: str = "en") -> dict:
    """rcParams for npstudy figures in ``lang`` ("en" or "zh").

    Chinese figures use the shipped Noto Sans SC subset (regular and bold) with
    DejaVu Sans as a fallback for symbols it lacks; fonts are embedded as
    TrueType in PDF and SVG text is kept as paths, so files look the same on
    every machine. Sizes are print sizes at :data:`WIDTH` inches.
    """
    check_lang(lang)
    families = ["DejaVu Sans"]
    if lang == "zh":
        register_fonts()
        families = [ZH_FAMILY, "DejaVu Sans"]
    return {
        "font.family": families,
        "font.size": 7.5,
        "axes.titlesize": 8,
        "axes.labelsize": 7.5,
        "xtick.labelsize": 7,
        "ytick.labelsize": 7,
        "legend.fontsize": 7,
        "figure.titlesize": 9,
        "axes.linewidth": 0.6,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "axes.unicode_minus": False,
        "pdf.fonttype": 42,
        "svg.fonttype": "path",
        "svg.hashsalt": "npstudy",
        "figure.dpi": 100,
        "savefig.dpi": 300,
    }


@contextmanager
def style(lang: str):
    """Draw inside this block to get :func:`figure_style` for ``lang``."""
    with matplotlib.rc_context(figure_style(lang)):
        yield


def reference(codebook: Codebook | None, gazetteer: Gazetteer | None):
    """The caller's codebook and gazetteer, or the shipped ones where None."""
    if codebook is None:
        from ..dataset import load_codebook
        codebook = load_codebook()
    if gazetteer is None:
        from ..gazetteer import load_gazetteer
        gazetteer = load_gazetteer()
    return codebook, gazetteer


def province_label(g: Gazetteer, code: str, lang: str) -> str:
    return g.label(code, lang) if g.is_province(code) else str(code)


def brackets(text: str, lang: str) -> str:
    """``text`` in round brackets: half-width with a space in English, full-width in Chinese."""
    return f"（{text}）" if lang == "zh" else f" ({text})"


def _luminance(colour) -> float:
    """WCAG 2.1 relative luminance of a colour."""
    import matplotlib.colors as mcolors

    def channel(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = mcolors.to_rgb(colour)
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a, b) -> float:
    """WCAG 2.1 contrast ratio of two colours, from 1 to 21 (AA asks ≥ 4.5 for text).

    ``(L1 + 0.05) / (L2 + 0.05)`` with ``L1 ≥ L2`` the relative luminances
    (W3C, *Web Content Accessibility Guidelines 2.1*, 2018, definition
    "contrast ratio").
    """
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_colour(background) -> str:
    """Black or white, whichever contrasts more with ``background``."""
    return "black" if contrast_ratio("black", background) >= contrast_ratio("white", background) \
        else "white"


@lru_cache(maxsize=4096)
def _width(text: str, size: float, weight: str, family: tuple) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(family=list(family), size=size, weight=weight)
    return TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0]


def text_width(text: str, size: float, lang: str, weight: str = "normal") -> float:
    """Width in points of one line of ``text`` set at ``size`` points in ``lang``'s font."""
    return _width(text, float(size), weight, tuple(figure_style(lang)["font.family"]))


def fit_lines(items: list[str], width: float, size: float, lang: str, sep: str = " ",
              weight: str = "normal") -> str:
    """Join ``items`` with ``sep``, breaking lines between items so none is wider than ``width`` pt.

    An item wider than ``width`` on its own gets a line of its own; Chinese text
    given as one item is broken between characters.
    """
    if lang == "zh" and len(items) == 1 and sep == "":
        items = list(items[0])
    lines, line = [], ""
    for item in items:
        piece = item if not line else line + sep + item
        if line and text_width(piece.rstrip(), size, lang, weight) > width:
            lines.append((line + sep).rstrip())
            line = item
        else:
            line = piece
    lines.append(line)
    return "\n".join(lines)


#: Characters that may not begin a line in Chinese (they stay with the line before).
NO_BREAK_BEFORE = "、，。：；？！）》”’"


def wrap(text: str, width: float, size: float, lang: str, weight: str = "normal") -> str:
    """Break ``text`` into lines no wider than ``width`` points (between words or characters).

    Chinese lines are balanced (a three-character line, not a lone last
    character) and never begin with closing punctuation.
    """
    if lang != "zh":
        return fit_lines(text.split(" "), width, size, lang, " ", weight)
    n_lines = fit_lines([text], width, size, lang, "", weight).count("\n") + 1
    if n_lines == 1:
        return text
    per = -(-len(text) // n_lines)
    lines, line = [], ""
    for ch in text:
        if len(line) >= per and ch not in NO_BREAK_BEFORE:
            lines.append(line)
            line = ""
        line += ch
    lines.append(line)
    return "\n".join(lines)


def colourbar_label(cax, text: str, lang: str) -> None:
    """Label a vertical colour bar: along it in English, above it and level in Chinese."""
    if lang == "zh":
        cax.set_title(text, fontsize=7.5, pad=4, loc="left")
    else:
        cax.set_ylabel(text)
