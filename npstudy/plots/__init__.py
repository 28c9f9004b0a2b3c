"""Figures: drawing only. Every function takes computed results and returns a Figure.

Numbers come from :mod:`npstudy.scoring`, :mod:`npstudy.similarity` and
:mod:`npstudy.nullmodels`; this package only lays them out. Labels come from the
codebook and gazetteer the caller passes (``codebook=``, ``gazetteer=``; the
shipped ones when None), in English (``lang="en"``, the default) or Chinese
(``lang="zh"``). Chinese text is set in a subset of Noto Sans SC, regular and
bold (SIL Open Font License 1.1), shipped in ``npstudy/fonts/`` and registered
the first time a Chinese figure is drawn, so no system CJK font is needed.

Every figure is drawn at its print width, 7 inches, with no text below 7 pt.
Notes that explain a figure are not drawn in it: :func:`caption` gives each
figure's caption, which the build writes beside the images.

Colours are colour-blind safe and readable in greyscale: sequential maps have
monotonic lightness (viridis), the signed effect sizes use a diverging map
centred on zero, and pillar colours are the Okabe–Ito palette, named in black or
white, whichever passes WCAG contrast.

Modules: :mod:`.style` (fonts, sizes, colours), :mod:`.labels` (every word
drawn), :mod:`.captions`, and one module per kind of figure.
"""

from __future__ import annotations

from .. import _mplconfig  # noqa: F401, I001 (gives matplotlib a writable folder first)

from .captions import CAPTIONS, caption
from .framework import plot_framework
from .heatmaps import plot_coverage_heatmap, plot_instruments
from .labels import TEXT
from .pairs import cut_height, plot_null_model, plot_similarity
from .profiles import plot_pillar_profiles
from .ranks import plot_rank_intervals
from .style import (FONT_FILE, FONT_FILE_BOLD, MIN_PT, PILLAR_COLOURS, WIDTH, ZH_FAMILY,
                    check_lang, contrast_ratio, figure_style, register_fonts, text_colour)
from .tiles import plot_tile_map

__all__ = [
    "FONT_FILE",
    "FONT_FILE_BOLD",
    "ZH_FAMILY",
    "WIDTH",
    "MIN_PT",
    "PILLAR_COLOURS",
    "TEXT",
    "CAPTIONS",
    "caption",
    "check_lang",
    "contrast_ratio",
    "text_colour",
    "register_fonts",
    "figure_style",
    "cut_height",
    "plot_framework",
    "plot_coverage_heatmap",
    "plot_tile_map",
    "plot_pillar_profiles",
    "plot_similarity",
    "plot_null_model",
    "plot_instruments",
    "plot_rank_intervals",
]
