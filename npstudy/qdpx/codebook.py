"""Write the npstudy code trees for tools that read a code book alone (``.qdc``, Taguette CSV)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from xml.etree import ElementTree as ET

from ..fileio import CodingError, write_atomic
from ..validation import Context
from ._common import CODEBOOK_NAMESPACE
from .export import check_target, code_text, code_tree, xml_bytes

__all__ = ["export_codebook", "FORMATS"]

#: Formats of :func:`export_codebook` and the file extension each one needs.
FORMATS = {"qdc": ".qdc", "csv": ".csv"}


def export_codebook(out: str | os.PathLike, fmt: str = "qdc",
                    folder: str | os.PathLike | None = None, force: bool = False) -> Path:
    """Write the codebook, provinces and instruments as codes another tool can import.

    Parameters
    ----------
    out : path-like
        The file to write (atomically), ending ``.qdc`` or ``.csv`` as ``fmt`` says.
    fmt : {"qdc", "csv"}
        ``qdc``: a REFI-QDA codebook (QDA-XML 1.0, namespace
        ``urn:QDA-XML:codebook:1.0``) with the same four code trees and GUIDs as
        :func:`~npstudy.qdpx.export_qdpx` writes, so codings made with it import back.
        ``csv``: one row per codable code with the columns ``tag`` and
        ``description``, the columns Taguette's codebook import reads; the tag is
        the npstudy id.
    folder : path-like, optional
        A workspace whose own codebook and gazetteer to use; the shipped ones by default.
    force : bool
        Replace an existing ``out``.

    Returns
    -------
    pathlib.Path
        ``out``; two exports of the same codebook are byte-identical.

    Raises
    ------
    CodingError
        For an unknown format, a name without the format's extension, a folder as
        ``out``, or an existing ``out`` without ``force``.
    """
    out = Path(out)
    if fmt not in FORMATS:
        raise CodingError(f"format {fmt!r}: choose one of {', '.join(FORMATS)}")
    check_target(out, FORMATS[fmt], force, f"the {fmt.upper()} codebook extension")
    if folder is not None and not Path(folder).is_dir():
        raise CodingError(f"{folder}: not a folder – pass a workspace made by `npstudy init`, "
                          "or leave out --data to write the shipped codebook")
    if folder is not None and not os.path.lexists(Path(folder) / "practices.csv"):
        raise CodingError(f"{folder}: holds no practices.csv, so it is no workspace – pass a "
                          "workspace made by `npstudy init`, or leave out --data to write the "
                          "shipped codebook")
    ctx = Context.from_folder(Path(folder) if folder is not None else None)
    payload = _qdc(ctx) if fmt == "qdc" else _taguette_csv(ctx)
    write_atomic(out, payload)
    return out


def _qdc(ctx: Context) -> bytes:
    from .. import __version__

    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NAMESPACE, "origin": f"npstudy {__version__}"})
    root.append(code_tree(ctx, "Codes"))
    return xml_bytes(root)


def _taguette_csv(ctx: Context) -> bytes:
    cb = ctx.codebook
    rows = [(e.id, f"{e.zh} / {e.en}: {code_text(e)}") for e in cb.entries() if e.level == "code"]
    rows += [(r.iso_code, f"{r.short_zh} / {r.name_en} (province, ISO 3166-2:CN)")
             for r in ctx.gazetteer.provinces.itertuples()]
    for kind, table in (("instrument", cb.instrument_categories),
                        ("instrument type", cb.instrument_types)):
        rows += [(ident, f"{v['zh']} / {v['en']} ({kind}): {v.get('definition', '')}".rstrip(": "))
                 for ident, v in table.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["tag", "description"])
    for tag, description in rows:
        writer.writerow([tag, " ".join(description.split())])
    return buffer.getvalue().encode("utf-8")
