"""Write a workspace as a REFI-QDA project (``.qdpx``): code trees, cases, sources, codings."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from ..dataset import load_documents, load_practices
from ..fileio import CodingError, write_atomic
from ..validation import Context, validate
from ._common import NAMESPACE, SOURCES_FOLDER, guid, xml_text
from .describe import DESCRIBED, PAIRING, describe

__all__ = ["export_qdpx", "check_target", "code_tree", "xml_bytes"]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member dates: two exports are byte-identical
#: Province attributes written as REFI-QDA case variables.
CASE_VARIABLES = ("region", "type")


def check_target(out: Path, suffix: str, force: bool, what: str) -> None:
    """Refuse an output name without ``suffix``, a folder, or an existing file without force."""
    if out.suffix.lower() != suffix:
        raise CodingError(f"{out}: name the output file *{suffix} ({what})")
    if out.is_dir():
        raise CodingError(f"{out}: is a folder – name the {suffix} file to write, e.g. "
                          f"{out / ('npstudy' + suffix)}")
    if os.path.lexists(out) and not force:
        raise CodingError(f"{out} exists; choose another name or pass --force to replace it")


def export_qdpx(folder: str | os.PathLike, out: str | os.PathLike, force: bool = False) -> Path:
    """Write a workspace's codebook, provinces, source texts and practice rows as a REFI-QDA project.

    Parameters
    ----------
    folder : path-like
        A workspace (``npstudy init``) or a copy of the data folder: it must hold
        ``practices.csv`` and pass ``npstudy validate``. Reference tables it lacks
        (codebook, gazetteer, documents) are taken from the shipped data.
    out : path-like
        The ``.qdpx`` file to write (atomically). An existing file is replaced only
        with ``force=True``.

    Returns
    -------
    pathlib.Path
        ``out``. The archive holds ``project.qde`` and ``Sources/<guid>.txt``; two
        exports of the same workspace are byte-identical.

    Notes
    -----
    - **Codes**: four trees, the framework (pillars and themes, not codable, with the
      codes under them), the provinces, the instrument categories and the instrument
      types. A code's name starts with its npstudy id and its GUID is derived from it.
    - **Cases**: one ``<Case>`` per province, linked to its province code and to the
      selections coded with it, with ``region`` and ``type`` as ``<Variable>`` values.
    - **Codings**: one ``<PlainTextSelection>`` per span of text and coder, with one
      ``<Coding>`` per code on it (QualCoder keeps each code on a span once per coder,
      so no coding is written twice) whose ``<User>`` is the rows' ``coder``, the
      reviewer. The description pairs the codes into rows and carries the rows' other
      columns (see :mod:`npstudy.qdpx.describe`).

    Raises
    ------
    CodingError
        If the workspace does not validate, a value holds a character XML 1.0 cannot
        hold (the message names the file, row and column), or ``out`` is a folder or
        exists and ``force`` is false.
    """
    folder, out = Path(folder), Path(out)
    if not (folder / "practices.csv").is_file():
        raise CodingError(f"{folder}: holds no practices.csv – pass a workspace made by "
                          "`npstudy init` or a copy of the data folder")
    check_target(out, ".qdpx", force, "the REFI-QDA project extension")
    problems = validate(folder)
    if problems:
        raise CodingError(f"{folder} does not validate ({len(problems)} problem(s), the first: "
                          f"{problems[0]}); run `npstudy validate {folder}` and fix them first")
    ctx = Context.from_folder(folder)
    practices = load_practices(folder / "practices.csv")
    _check_cells(practices, folder / "practices.csv")
    docs_path = folder / "documents.csv"
    documents = load_documents(docs_path if docs_path.is_file() else None)
    name = folder.resolve().name or "npstudy"
    try:
        name = xml_text(name, "folder name")
    except CodingError:
        name = "npstudy"
    payload = project_archive(name, ctx, practices, documents, docs_path)
    write_atomic(out, payload, inputs=[folder / "practices.csv"])
    return out


def _check_cells(practices: pd.DataFrame, path: Path) -> None:
    """Refuse, naming row and column, a cell the export would write that XML cannot hold."""
    for col in ("id", "coder", *PAIRING, *DESCRIBED):
        values = practices[col].astype(str).tolist() if col in practices else []
        try:
            xml_text("".join(values), col)
        except CodingError:
            for i, value in enumerate(values):
                xml_text(value, f"{path}:{i + 2}: column {col!r} ({value[:40]!r})")


def xml_bytes(root: ET.Element) -> bytes:
    """A UTF-8 XML document, indented, with its declaration."""
    ET.indent(root, space="  ")
    return (b'<?xml version="1.0" encoding="utf-8"?>\n'
            + ET.tostring(root, encoding="unicode").encode("utf-8") + b"\n")


def project_archive(name: str, ctx: Context, practices: pd.DataFrame,
                    documents: pd.DataFrame, docs_path: Path) -> bytes:
    """The bytes of the ``.qdpx`` archive (see :func:`export_qdpx`)."""
    from .. import __version__

    # Unprefixed tags in the default namespace (ElementTree cannot write a default namespace
    # with unqualified attributes, so the xmlns attribute is set by hand).
    project = ET.Element("Project", {"xmlns": NAMESPACE, "name": name,
                                     "origin": f"npstudy {__version__}"})
    users = ET.SubElement(project, "Users")
    for coder in sorted(set(practices["coder"])) or ["npstudy"]:
        ET.SubElement(users, "User", {"guid": guid("user", coder), "name": coder})
    ET.SubElement(project, "CodeBook").append(code_tree(ctx, "Codes"))
    variables = ET.SubElement(project, "Variables")
    for var in CASE_VARIABLES:
        ET.SubElement(variables, "Variable", {"guid": guid("variable", var), "name": var,
                                              "typeOfVariable": "Text"})
    cases = ET.SubElement(project, "Cases")
    sources = ET.SubElement(project, "Sources")
    files, by_province = {}, {}
    groups = _span_groups(practices)
    for doc in documents.itertuples():
        text, source_guid = ctx.sources[doc.doc_id], guid("source", doc.doc_id)
        files[f"{SOURCES_FOLDER}/{source_guid}.txt"] = text.encode("utf-8")
        src = ET.SubElement(sources, "TextSource", {"guid": source_guid, "name": doc.doc_id,
                                                    "plainTextPath": f"internal://{source_guid}.txt"})
        description = str(getattr(doc, "description", "") or "")
        if description:
            ET.SubElement(src, "Description").text = xml_text(
                description, f"{docs_path}: document {doc.doc_id}: column 'description'")
        for rows in groups.get(doc.doc_id, []):
            sel_guid = _selection(src, doc.doc_id, rows)
            for province in dict.fromkeys(r["province"] for r in rows):
                by_province.setdefault(province, []).append(sel_guid)
    _cases(cases, ctx, by_province)
    xml = xml_bytes(project)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", xml), *sorted(files.items())]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _span_groups(practices: pd.DataFrame) -> dict[str, list[list[dict]]]:
    """``{doc_id: [rows of one span and coder, ...]}`` in text order."""
    table = practices.copy()
    table["start"], table["end"] = table["start"].astype(int), table["end"].astype(int)
    table = table.sort_values(["doc_id", "start", "end", "coder", "id"], kind="stable")
    out: dict[str, list[list[dict]]] = {}
    for (doc, _, _, _), group in table.groupby(["doc_id", "start", "end", "coder"], sort=False):
        out.setdefault(doc, []).append(group.fillna("").to_dict("records"))
    return out


def _selection(src: ET.Element, doc_id: str, rows: list[dict]) -> str:
    """One ``PlainTextSelection`` for the rows of one span and coder; returns its GUID."""
    ids = " ".join(str(r["id"]) for r in rows)
    user = guid("user", rows[0]["coder"])
    sel_guid = guid("selection", f"{doc_id}:{rows[0]['id']}")
    sel = ET.SubElement(src, "PlainTextSelection", {
        "guid": sel_guid, "name": ids, "startPosition": str(rows[0]["start"]),
        "endPosition": str(rows[0]["end"]), "creatingUser": user})
    ET.SubElement(sel, "Description").text = describe(
        [{k: ("true" if v is True else "false" if v is False else v) for k, v in r.items()}
         for r in rows])
    codes = dict.fromkeys((kind, str(r[kind])) for r in rows for kind in PAIRING)
    for kind, ident in codes:
        coding = ET.SubElement(sel, "Coding", {
            "guid": guid("coding", f"{doc_id}:{rows[0]['id']}:{kind}:{ident}"),
            "creatingUser": user})
        ET.SubElement(coding, "CodeRef", {"targetGUID": guid(kind, ident)})
    return sel_guid


def _cases(cases: ET.Element, ctx: Context, by_province: dict[str, list[str]]) -> None:
    for row in ctx.gazetteer.provinces.itertuples():
        where = f"provinces.csv: {row.iso_code}"
        case = ET.SubElement(cases, "Case", {
            "guid": guid("case", row.iso_code),
            "name": xml_text(f"{row.iso_code} {row.short_zh} / {row.name_en}", where)})
        ET.SubElement(case, "CodeRef", {"targetGUID": guid("province", row.iso_code)})
        for var in CASE_VARIABLES:
            value = ET.SubElement(case, "VariableValue")
            ET.SubElement(value, "VariableRef", {"targetGUID": guid("variable", var)})
            ET.SubElement(value, "TextValue").text = xml_text(getattr(row, var, ""),
                                                              f"{where}: column {var!r}")
        for sel_guid in by_province.get(row.iso_code, []):
            ET.SubElement(case, "SelectionRef", {"targetGUID": sel_guid})


def code_tree(ctx: Context, tag: str) -> ET.Element:
    """The four code trees under an element ``tag`` (``Codes``)."""
    cb, codes = ctx.codebook, ET.Element(tag)

    def code(parent, kind, ident, label, codable, description=""):
        where = f"codebook: {kind} {ident}"
        el = ET.SubElement(parent, "Code", {"guid": guid(kind, ident),
                                            "name": xml_text(f"{ident} {label}".strip(), where),
                                            "isCodable": "true" if codable else "false"})
        if description:
            ET.SubElement(el, "Description").text = xml_text(description, where)
        return el

    framework = code(codes, "group", "framework", "四支柱框架 / four-pillar framework", False,
                     "Pillars and themes of the npstudy codebook; code with the codes under them.")
    for pillar in map(cb.__getitem__, cb.children(None)):
        p_el = code(framework, "pillar", pillar.id, f"{pillar.zh} / {pillar.en}", False,
                    pillar.definition)
        for theme in map(cb.__getitem__, cb.children(pillar.id)):
            t_el = code(p_el, "theme", theme.id, f"{theme.zh} / {theme.en}", False,
                        theme.definition)
            for entry in map(cb.__getitem__, cb.children(theme.id)):
                code(t_el, "code", entry.id, f"{entry.zh} / {entry.en}", True, code_text(entry))
    provinces = code(codes, "group", "province", "province 省份", False,
                     "The acting province of a practice (ISO 3166-2:CN).")
    for row in ctx.gazetteer.provinces.itertuples():
        code(provinces, "province", row.iso_code, f"{row.short_zh} / {row.name_en}", True)
    for kind, table, label, text in (
            ("instrument", cb.instrument_categories, "instrument 政策工具",
             "Rothwell–Zegveld policy-instrument category; code exactly one."),
            ("instrument_type", cb.instrument_types, "instrument type 工具类型",
             "Finer policy-instrument type; code exactly one.")):
        group = code(codes, "group", kind, label, False, text)
        for ident, value in table.items():
            code(group, kind, ident, f"{value['zh']} / {value['en']}", True,
                 value.get("definition", ""))
    return codes


def code_text(entry) -> str:
    """A codebook code's definition with its include and exclude rules."""
    return entry.definition + (f"\nInclude: {entry.include}" if entry.include else "") \
        + (f"\nExclude: {entry.exclude}" if entry.exclude else "")
