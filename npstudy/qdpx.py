"""Exchange coding with qualitative-analysis software through REFI-QDA project files.

A ``.qdpx`` file (REFI-QDA Project, QDA-XML 1.0, www.qdasoftware.org) is a ZIP archive
holding ``project.qde``, an XML description of codes, sources and coded text
selections, and ``Sources/`` with the source texts. ATLAS.ti, NVivo, MAXQDA and
QualCoder read and write it.

How npstudy maps onto it:

- **Codes.** Four code trees: the framework (pillars and themes, not codable, with the
  39 codes under them), the provinces (ISO 3166-2:CN), the Rothwell–Zegveld instrument
  categories and the instrument types. A code's name starts with its npstudy id
  (``green.carbon_accounting.footprint_standard 碳足迹标准``), and its GUID is derived from
  that id, so that exporting twice gives the same GUIDs.
- **Sources.** One ``TextSource`` per document of the workspace, named by its ``doc_id``,
  its text stored unchanged in ``Sources/``.
- **Codings.** One ``PlainTextSelection`` per practice row: ``startPosition`` and
  ``endPosition`` are the row's ``start`` and ``end`` (character offsets, end
  exclusive), coded with the row's code, province, instrument and instrument type.
  The other columns (``summary_en``, ``city``, ``target``, ``note`` and any further
  column) are written into the selection's description as ``column: value`` lines.

Importing reads the same structure back. A selection becomes one practice row per
(province, framework code) it is coded with; the quote is the workspace's own text
at the selection's offsets; ``pillar``, ``theme``, ``paragraph`` (the line) and
``first_mover`` (rule R8: the quote holds a first-mover word) are derived; a
description without ``column:`` lines is taken as the English summary. The rows then
go through :func:`npstudy.workspace.merge_reviewed`, the same validation and merge as
reviewed coder suggestions. Any problem (a code that is not in the codebook, a source
that is not a document of the workspace, an offset outside the text, a missing
province or instrument) is reported with the selection's name and offsets, and
nothing is changed. Rows the workspace already holds are skipped, so importing a
project twice adds its rows once.

Aggregates (statements that count provinces without naming them) are not exported.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

import pandas as pd

from .dataset import FIRST_MOVER_MARKERS, PRACTICE_COLUMNS, load_documents, load_practices
from .fileio import CodingError, write_atomic
from .validation import Context, validate

__all__ = ["export_qdpx", "import_qdpx", "read_qdpx", "QdpxProject", "NAMESPACE"]

#: XML namespace of QDA-XML 1.0 project files.
NAMESPACE = "urn:QDA-XML:project:1.0"
_NS = {"q": NAMESPACE}
# GUIDs are UUID-5 of "npstudy:<kind>:<id>" in this namespace, a fixed random UUID: never
# change it, or projects exported earlier no longer match by GUID (names still match).
_GUID_NAMESPACE = uuid.UUID("ace0e2e8-7905-4bab-8ee5-644a8af1306f")
# Columns derived on import, never read from a description.
_DERIVED = ("id", "doc_id", "province", "pillar", "theme", "code", "instrument",
            "instrument_type", "quote", "start", "end", "paragraph", "first_mover", "coder")
_DESCRIBED = [c for c in PRACTICE_COLUMNS if c not in _DERIVED]
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed member dates: two exports are byte-identical
_MAX_MEMBER = 64 * 1024 * 1024  # refuse archive members that would unpack beyond 64 MB
_KINDS = {"code": "framework code", "province": "province", "instrument": "instrument",
          "instrument_type": "instrument type"}


def _guid(kind: str, ident: str) -> str:
    return str(uuid.uuid5(_GUID_NAMESPACE, f"npstudy:{kind}:{ident}"))


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


# ----------------------------------------------------------------------------- export

def export_qdpx(folder: str | os.PathLike, out: str | os.PathLike, force: bool = False) -> Path:
    """Write a workspace's codebook, source texts and practice rows as a REFI-QDA project.

    Parameters
    ----------
    folder : path-like
        A workspace (``npstudy init``) or a copy of the data folder: it must hold
        ``practices.csv``, and must pass ``npstudy validate``. Reference tables it
        lacks (codebook, documents) are taken from the shipped data.
    out : path-like
        The ``.qdpx`` file to write (atomically). An existing file is replaced only
        with ``force=True``.

    Returns
    -------
    pathlib.Path
        ``out``. The archive holds ``project.qde`` and ``Sources/<guid>.txt``; two
        exports of the same workspace are byte-identical.

    Raises
    ------
    CodingError
        If the workspace does not validate, or ``out`` exists and ``force`` is false.
    """
    folder, out = Path(folder), Path(out)
    if not (folder / "practices.csv").is_file():
        raise CodingError(f"{folder}: holds no practices.csv – pass a workspace made by "
                          "`npstudy init` or a copy of the data folder")
    if out.suffix.lower() != ".qdpx":
        raise CodingError(f"{out}: name the output file *.qdpx (the REFI-QDA project extension)")
    if out.exists() and not force:
        raise CodingError(f"{out} exists; choose another name or pass --force to replace it")
    problems = validate(folder)
    if problems:
        raise CodingError(f"{folder} does not validate ({len(problems)} problem(s), the first: "
                          f"{problems[0]}); run `npstudy validate {folder}` and fix them first")
    ctx = Context.from_folder(folder)
    practices = load_practices(folder / "practices.csv")
    docs_path = folder / "documents.csv"
    documents = load_documents(docs_path if docs_path.is_file() else None)
    payload = _project_archive(folder.resolve().name or "npstudy", ctx, practices, documents)
    write_atomic(out, payload, inputs=[folder / "practices.csv"])
    return out


def _project_archive(name: str, ctx: Context, practices: pd.DataFrame,
                     documents: pd.DataFrame) -> bytes:
    from . import __version__

    cb, gz = ctx.codebook, ctx.gazetteer
    # Unprefixed tags in the default namespace (ElementTree cannot write a default namespace
    # with unqualified attributes, so the xmlns attribute is set by hand).
    project = ET.Element("Project", {"xmlns": NAMESPACE, "name": name,
                                     "origin": f"npstudy {__version__}"})
    coders = sorted(set(practices["coder"]))
    users = ET.SubElement(project, "Users")
    for coder in coders or ["npstudy"]:
        ET.SubElement(users, "User", {"guid": _guid("user", coder), "name": coder})

    codes = ET.SubElement(ET.SubElement(project, "CodeBook"), "Codes")

    def code(parent, kind, ident, label, codable, description=""):
        el = ET.SubElement(parent, "Code", {"guid": _guid(kind, ident),
                                                "name": f"{ident} {label}".strip(),
                                                "isCodable": "true" if codable else "false"})
        if description:
            ET.SubElement(el, "Description").text = description
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
                text = entry.definition + (f"\nInclude: {entry.include}" if entry.include else "") \
                    + (f"\nExclude: {entry.exclude}" if entry.exclude else "")
                code(t_el, "code", entry.id, f"{entry.zh} / {entry.en}", True, text)
    provinces = code(codes, "group", "province", "province 省份", False,
                     "The acting province of a practice (ISO 3166-2:CN).")
    table = gz.provinces
    for row in table.itertuples():
        code(provinces, "province", row.iso_code, f"{row.short_zh} / {row.name_en}", True)
    instruments = code(codes, "group", "instrument", "instrument 政策工具", False,
                       "Rothwell–Zegveld policy-instrument category; code exactly one.")
    for ident, value in cb.instrument_categories.items():
        code(instruments, "instrument", ident, f"{value['zh']} / {value['en']}", True,
             value.get("definition", ""))
    types = code(codes, "group", "instrument_type", "instrument type 工具类型", False,
                 "Finer policy-instrument type; code exactly one.")
    for ident, value in cb.instrument_types.items():
        code(types, "instrument_type", ident, f"{value['zh']} / {value['en']}", True,
             value.get("definition", ""))

    sources = ET.SubElement(project, "Sources")
    files = {}
    rows = practices.sort_values(["doc_id", "start", "end", "id"], kind="stable")
    for doc in documents.itertuples():
        text = ctx.sources[doc.doc_id]
        guid = _guid("source", doc.doc_id)
        files[f"Sources/{guid}.txt"] = text.encode("utf-8")
        src = ET.SubElement(sources, "TextSource", {"guid": guid, "name": doc.doc_id,
                                                        "plainTextPath": f"internal://{guid}.txt"})
        description = str(getattr(doc, "description", "") or "")
        if description:
            ET.SubElement(src, "Description").text = description
        for row in rows[rows["doc_id"] == doc.doc_id].itertuples():
            sel = ET.SubElement(src, "PlainTextSelection", {
                "guid": _guid("selection", f"{doc.doc_id}:{row.id}"), "name": row.id,
                "startPosition": str(row.start), "endPosition": str(row.end),
                "creatingUser": _guid("user", row.coder)})
            lines = [f"{col}: {_flat(getattr(row, col))}" for col in _DESCRIBED
                     if _flat(getattr(row, col))]
            if lines:
                ET.SubElement(sel, "Description").text = "\n".join(lines)
            for kind, ident in (("code", row.code), ("province", row.province),
                                ("instrument", row.instrument),
                                ("instrument_type", row.instrument_type)):
                coding = ET.SubElement(sel, "Coding", {
                    "guid": _guid("coding", f"{doc.doc_id}:{row.id}:{kind}"),
                    "creatingUser": _guid("user", row.coder)})
                ET.SubElement(coding, "CodeRef", {"targetGUID": _guid(kind, ident)})
    ET.indent(project, space="  ")
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(
        project, encoding="unicode").encode("utf-8") + b"\n"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in [("project.qde", xml), *sorted(files.items())]:
            info = zipfile.ZipInfo(member, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def _flat(value) -> str:
    """A cell as one line of text (descriptions hold one ``column: value`` per line)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return " ".join(str(value).split("\n")).strip()


# ----------------------------------------------------------------------------- import

@dataclass
class QdpxProject:
    """What a ``.qdpx`` file holds, as far as npstudy reads it.

    ``codes`` maps a code's GUID to its name; ``sources`` maps a source's GUID to
    ``(name, text)``; ``selections`` lists one dict per text selection (source
    GUID, name, start, end, description, coded GUIDs, coding user's name);
    ``warnings`` lists what was read but cannot be imported (whole-source codings).
    """

    codes: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    selections: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_qdpx(path: str | os.PathLike) -> QdpxProject:
    """Read the codes, text sources and text selections of a REFI-QDA project file.

    Raises
    ------
    CodingError
        If the file is not a ZIP archive holding a QDA-XML ``project.qde``, or a
        text source cannot be found or decoded. The message names the file and part.
    """
    path = Path(path)
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise CodingError(f"{name}: no such file") from None
    except (zipfile.BadZipFile, OSError) as err:
        raise CodingError(f"{name}: not a REFI-QDA project (.qdpx is a ZIP archive): {err}") from None
    with archive:
        members = {info.filename: info for info in archive.infolist()}

        def read(member: str) -> bytes:
            info = members.get(member)
            if info is None:
                raise CodingError(f"{name}: has no {member} – export the project again as .qdpx")
            if info.file_size > _MAX_MEMBER:
                raise CodingError(f"{name}: {member} unpacks to {info.file_size} bytes, more than "
                                  f"{_MAX_MEMBER} – not a project npstudy can import")
            return archive.read(info)

        try:
            root = ET.fromstring(read("project.qde"))
        except ET.ParseError as err:
            raise CodingError(f"{name}: project.qde is not well-formed XML ({err})") from None
        if root.tag != _q("Project"):
            raise CodingError(f"{name}: project.qde is not a QDA-XML 1.0 project (root element "
                              f"{root.tag!r}, expected Project in namespace {NAMESPACE})")
        project = QdpxProject()
        users = {u.get("guid"): u.get("name") or "" for u in root.iterfind("q:Users/q:User", _NS)}

        def walk(el, parent):
            for child in el.iterfind("q:Code", _NS):
                guid = child.get("guid", "")
                project.codes[guid] = child.get("name", "")
                project.parents[guid] = parent
                walk(child, guid)

        codes = root.find("q:CodeBook/q:Codes", _NS)
        if codes is not None:
            walk(codes, None)
        for src in root.iterfind("q:Sources/q:TextSource", _NS):
            guid, src_name = src.get("guid", ""), src.get("name") or src.get("guid", "")
            content = src.find("q:PlainTextContent", _NS)
            if content is not None:
                text = content.text or ""
            else:
                ref = src.get("plainTextPath", "")
                if not ref.startswith("internal://"):
                    raise CodingError(f"{name}: source {src_name!r} refers to {ref!r} outside the "
                                      "archive – export the project with its sources embedded")
                raw = read("Sources/" + ref[len("internal://"):])
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise CodingError(f"{name}: source {src_name!r} is not UTF-8 plain text") from None
            project.sources[guid] = (src_name, text)
            if src.find("q:Coding", _NS) is not None:
                project.warnings.append(f"source {src_name!r} is coded as a whole; only coded "
                                        "text selections become practice rows")
            for sel in src.iterfind("q:PlainTextSelection", _NS):
                description = sel.find("q:Description", _NS)
                codings = sel.findall("q:Coding", _NS)
                user = next((c.get("creatingUser") for c in codings if c.get("creatingUser")),
                            sel.get("creatingUser"))
                project.selections.append({
                    "source": guid, "name": sel.get("name") or sel.get("guid", ""),
                    "start": sel.get("startPosition", ""), "end": sel.get("endPosition", ""),
                    "description": (description.text or "") if description is not None else "",
                    "codes": [ref.get("targetGUID", "")
                              for c in codings for ref in c.iterfind("q:CodeRef", _NS)],
                    "user": users.get(user, "") if user else ""})
    return project


def import_qdpx(path: str | os.PathLike, folder: str | os.PathLike,
                coder: str = "qdpx") -> pd.DataFrame:
    """Add the coded text selections of a REFI-QDA project to a workspace's practices.

    Parameters
    ----------
    path : path-like
        A ``.qdpx`` file, e.g. exported by :func:`export_qdpx` and coded further in
        ATLAS.ti, NVivo, MAXQDA or QualCoder with the exported code trees.
    folder : path-like
        The workspace; every source of the project must be one of its documents
        (same name and text). Register new texts first (``npstudy add-document``).
    coder : str
        The ``coder`` of a row whose coding names no user.

    Returns
    -------
    pandas.DataFrame
        The workspace's practices after the merge; ``attrs["imported"]`` and
        ``attrs["already_present"]`` count the project's rows that were added and
        skipped, ``attrs["warnings"]`` lists what was not imported.

    Raises
    ------
    CodingError
        If any code, source, offset or required coding does not match the workspace
        (every problem is listed), or the new rows fail validation. Nothing is
        written in that case.
    """
    folder = Path(folder)
    if not (folder / "practices.csv").is_file():
        raise CodingError(f"{folder}: holds no practices.csv – import into a workspace made by "
                          "`npstudy init`")
    project = read_qdpx(path)
    ctx = Context.from_folder(folder)
    rows, problems = _rows(project, ctx, coder, str(path), folder)
    if problems:
        shown = "; ".join(problems[:20]) + (f"; … {len(problems) - 20} more" if len(problems) > 20 else "")
        raise CodingError(f"{path}: {len(problems)} problem(s), nothing imported: {shown}")
    existing = load_practices(folder / "practices.csv")
    key = ["doc_id", "province", "code", "start", "end"]
    have = {tuple(str(v) for v in r) for r in existing[key].itertuples(index=False)}
    new = rows[[tuple(r) not in have for r in rows[key].itertuples(index=False)]]
    if len(new):
        from .workspace import merge_reviewed

        merged = merge_reviewed(new.assign(decision="accept"), folder)
    else:
        merged = existing
    merged.attrs.update(imported=len(new), already_present=len(rows) - len(new),
                        warnings=project.warnings)
    return merged


def _classify(project: QdpxProject, ctx: Context) -> dict[str, tuple[str, str] | None]:
    """Map each code GUID to ``(kind, npstudy id)``, or None when it is not an npstudy code."""
    cb, gz = ctx.codebook, ctx.gazetteer
    known = {("code", e.id) for e in cb.entries() if e.level == "code"}
    known |= {("province", p) for p in gz.provinces["iso_code"]}
    known |= {("instrument", i) for i in cb.instrument_categories}
    known |= {("instrument_type", i) for i in cb.instrument_types}
    by_guid = {_guid(kind, ident): (kind, ident) for kind, ident in known}
    by_id = {}
    for kind, ident in known:
        by_id.setdefault(ident, []).append((kind, ident))
    out = {}
    for guid, name in project.codes.items():
        if guid in by_guid:
            out[guid] = by_guid[guid]
            continue
        token = name.split()[0] if name.split() else ""
        matches = by_id.get(token, [])
        out[guid] = matches[0] if len(matches) == 1 else None
    return out


def _code_hint(ctx: Context, name: str) -> str:
    ids = [e.id for e in ctx.codebook.entries() if e.level == "code"]
    ids += list(ctx.gazetteer.provinces["iso_code"]) + list(ctx.codebook.instrument_categories)
    ids += list(ctx.codebook.instrument_types)
    token = name.split()[0] if name.split() else name
    near = difflib.get_close_matches(token, ids, n=1, cutoff=0.6)
    if near:
        return f"did you mean {near[0]!r}? start the code's name with an npstudy id"
    return ("start the code's name with an npstudy id (a codebook code, a province such as "
            "CN-SH, an instrument or an instrument type), or remove it from the selection")


def _rows(project: QdpxProject, ctx: Context, coder: str, name: str,
          folder: Path) -> tuple[pd.DataFrame, list[str]]:
    cb = ctx.codebook
    kinds = _classify(project, ctx)
    problems = []
    source_docs = {}
    for guid, (src_name, text) in project.sources.items():
        if src_name in ctx.sources:
            if ctx.sources[src_name] != text:
                problems.append(f"source {src_name!r} differs from the text of document "
                                f"{src_name!r} in {folder} – code the workspace's own text "
                                "(export it with `npstudy export-qdpx`)")
                continue
            source_docs[guid] = src_name
            continue
        same = [d for d, t in ctx.sources.items() if t == text]
        if same:
            source_docs[guid] = same[0]
        else:
            problems.append(f"source {src_name!r} is not a document of {folder} – register it "
                            "first with `npstudy add-document`, then code that text")
    records = []
    for sel in project.selections:
        where = f"selection {sel['name']!r}"
        doc = source_docs.get(sel["source"])
        if doc is None:
            continue  # its source is already reported
        text = ctx.sources[doc]
        try:
            start, end = int(sel["start"]), int(sel["end"])
        except ValueError:
            problems.append(f"{where}: positions {sel['start']!r}–{sel['end']!r} are not whole numbers")
            continue
        where = f"selection {sel['name']!r} ({doc} chars {start}–{end})"
        if not 0 <= start < end <= len(text):
            problems.append(f"{where}: outside the text (0–{len(text)}) – the source was changed "
                            "after coding")
            continue
        found: dict[str, list[str]] = {k: [] for k in _KINDS}
        for guid in sel["codes"]:
            if guid not in project.codes:
                problems.append(f"{where}: coded with an undefined code {guid}")
            elif kinds.get(guid) is None:
                code_name = project.codes[guid]
                problems.append(f"{where}: code {code_name!r} is not in the npstudy codebook – "
                                f"{_code_hint(ctx, code_name)}")
            else:
                kind, ident = kinds[guid]
                if ident not in found[kind]:
                    found[kind].append(ident)
        missing = [f"a {_KINDS[k]}" for k in ("code", "province") if not found[k]]
        missing += [f"exactly one {_KINDS[k]} (has {len(found[k])})"
                    for k in ("instrument", "instrument_type") if len(found[k]) != 1]
        if missing:
            problems.append(f"{where}: needs {', '.join(missing)} – code it with the exported "
                            "code trees")
            continue
        fields = _description_fields(sel["description"])
        quote = text[start:end]
        for province in found["province"]:
            for code_id in found["code"]:
                theme = cb.rollup(code_id, "theme")
                record = {c: "" for c in PRACTICE_COLUMNS}
                record.update(fields)
                record.update({
                    "id": f"Q{len(records) + 1:05d}", "doc_id": doc, "province": province,
                    "pillar": cb.rollup(code_id, "pillar"), "theme": theme, "code": code_id,
                    "instrument": found["instrument"][0],
                    "instrument_type": found["instrument_type"][0], "quote": quote,
                    "start": str(start), "end": str(end),
                    "paragraph": str(text.count("\n", 0, start)),
                    "first_mover": "true" if any(m in quote for m in FIRST_MOVER_MARKERS)
                    else "false",
                    "coder": sel["user"] or coder})
                records.append(record)
    return pd.DataFrame(records, columns=PRACTICE_COLUMNS, dtype=str), problems


_FIELD = re.compile(r"^\s*([a-z_]+)\s*:\s?(.*)$")


def _description_fields(description: str) -> dict[str, str]:
    """``column: value`` lines of a selection's description; free text is the summary."""
    fields, free = {}, []
    for line in description.splitlines():
        match = _FIELD.match(line)
        if match and match.group(1) in _DESCRIBED:
            fields[match.group(1)] = match.group(2).strip()
        elif line.strip():
            free.append(line.strip())
    if free and not fields.get("summary_en"):
        fields["summary_en"] = " ".join(free)
    return fields
