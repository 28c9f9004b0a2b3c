"""Build the Chinese font subset shipped in ``npstudy/fonts/``.

The sources are Noto Sans CJK SC Regular and Bold from Debian's ``fonts-noto-cjk``
package (SIL Open Font License 1.1); headings in Chinese figures use the bold
face. Each subset keeps printable ASCII, common punctuation and every character
that a figure can show: the Chinese text of ``data/codebook.yaml``,
``data/provinces.csv``, ``npstudy/plots/labels.py``, ``npstudy/plots_external.py`` and
``npstudy/plots_coder.py``.
Its outlines are converted from CFF to TrueType (quadratic) so that matplotlib
can embed the font in PDF files, and it is renamed, as the OFL asks of modified
versions. Re-run after adding Chinese labels::

    apt-get install fonts-noto-cjk
    python tools/make_font.py [FOLDER]   # default /usr/share/fonts/opentype/noto
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, newTable

ROOT = Path(__file__).resolve().parents[1]
FONTS = ROOT / "npstudy" / "fonts"
#: Output file of each weight: (source collection, style name, file name).
WEIGHTS = (("NotoSansCJK-Regular.ttc", "Regular", "NotoSansSC-npstudy-subset.ttf"),
           ("NotoSansCJK-Bold.ttc", "Bold", "NotoSansSC-npstudy-subset-Bold.ttf"))
FAMILY = "Noto Sans SC npstudy"
SOURCES = ["data/codebook.yaml", "data/provinces.csv",
           "npstudy/plots/labels.py", "npstudy/plots_external.py", "npstudy/plots_coder.py"]
EXTRA = "0123456789，。、；：？！“”‘’（）《》【】—–·…％／＋－×"


def characters() -> str:
    chars = {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA)
    for name in SOURCES:
        text = (ROOT / name).read_text(encoding="utf-8")
        chars |= set(re.findall(r"[\u2000-\u206f\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]", text))
    return "".join(sorted(chars))


def cff_to_glyf(font) -> None:
    """Replace CFF outlines with TrueType ones (after fontTools' otf2ttf snippet)."""
    glyph_set = font.getGlyphSet()
    glyf, glyphs = newTable("glyf"), {}
    glyf.glyphOrder = font.getGlyphOrder()
    for name in glyf.glyphOrder:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    glyf.glyphs = glyphs
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.maxComponentDepth = 0
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    font.sfntVersion = "\x00\x01\x00\x00"
    font["post"].formatType = 3.0


def subset_font(source: str, style: str, out: Path) -> None:
    """Write the subset of one weight of Noto Sans CJK SC to ``out``."""
    collection = TTCollection(source)
    font = next(f for f in collection.fonts
                if f["name"].getDebugName(1) == "Noto Sans CJK SC")
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.hinting = False
    sub = subset.Subsetter(options)
    sub.populate(text=characters())
    sub.subset(font)
    cff_to_glyf(font)
    name = font["name"]
    full = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID == 4:
            rec.string = full
        elif rec.nameID == 3:
            rec.string = f"{full} subset"
        elif rec.nameID == 6:
            rec.string = FAMILY.replace(" ", "") + f"-{style}"
    font.recalcTimestamp = False  # keep the source font's dates: reproducible bytes
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB, {len(characters())} characters)")


def main(folder: str) -> None:
    for source, style, out in WEIGHTS:
        subset_font(str(Path(folder) / source), style, FONTS / out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto")
