"""Read what a REFI-QDA project holds into plain Python data, refusing what is ambiguous."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..fileio import CodingError
from ._common import NS, norm_guid
from .archive import Archive

__all__ = ["QdpxProject", "read_qdpx"]

# Source kinds npstudy does not read; their codings are reported, not imported.
_OTHER_SOURCES = ("PDFSource", "PictureSource", "AudioSource", "VideoSource")


@dataclass
class QdpxProject:
    """What a ``.qdpx`` file holds, as far as npstudy reads it.

    GUIDs are compared as :func:`~npstudy.qdpx._common.norm_guid` gives them (lower
    case, without braces), since tools differ in both.

    Attributes
    ----------
    codes : dict
        ``{guid: name}`` of every code of the code book.
    parents : dict
        ``{guid: parent guid or None}``: the code tree.
    sources : dict
        ``{guid: (name, text)}`` of every text source.
    selections : list of dict
        One dict per text selection: ``source`` (GUID), ``guid``, ``name``, ``start`` and ``end``
        (as written), ``description``, ``codings`` (a list of ``(code GUID, user name)``,
        one per ``<CodeRef>``) and ``user`` (the selection's creating user's name).
    warnings : list of str
        What was read but cannot become practice rows.
    """

    codes: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str | None] = field(default_factory=dict)
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)
    selections: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_qdpx(path: str | os.PathLike) -> QdpxProject:
    """Read the codes, text sources and text selections of a REFI-QDA project file.

    Parameters
    ----------
    path : path-like
        A ``.qdpx`` file as ATLAS.ti, MAXQDA, NVivo, QualCoder or npstudy write it:
        source texts in ``Sources/`` or ``sources/``, the project file named
        ``project.qde`` (or, as ATLAS.ti names it, after the project).

    Returns
    -------
    QdpxProject

    Raises
    ------
    CodingError
        If the file is not a safe, well-formed REFI-QDA project (see
        :mod:`npstudy.qdpx.archive`), if two codes, two sources or two users share a
        GUID, if two text selections share a GUID, or if a text source cannot
        be found or is not UTF-8 text. The message names the file and the part.
    """
    archive = Archive(path)
    root = archive.project_root()
    project = QdpxProject()
    users = _unique(((u.get("guid"), u.get("name") or "")
                     for u in root.iterfind("q:Users/q:User", NS)), "users", archive.name)
    codes = root.find("q:CodeBook/q:Codes", NS)
    pairs: list[tuple[str, str]] = []
    if codes is not None:
        _walk_codes(codes, None, project, pairs)
    project.codes = _unique(pairs, "codes", archive.name)
    sources = root.find("q:Sources", NS)
    if sources is not None:
        seen: list[tuple[str, str]] = []
        for src in sources:
            kind = src.tag.rpartition("}")[2]
            name = src.get("name") or src.get("guid", "")
            seen.append((src.get("guid"), name))
            if kind == "TextSource":
                _read_source(src, archive, project, users)
            elif kind in _OTHER_SOURCES:
                project.warnings.append(f"{kind} {name!r} is not a text source; its codings are "
                                        "not imported")
        _unique(seen, "sources", archive.name)
    _unique(((sel["guid"], f"{sel['name']} at {sel['start']}–{sel['end']}")
             for sel in project.selections if sel["guid"]), "text selections", archive.name)
    return project


def _unique(pairs, what: str, name: str) -> dict[str, str]:
    """``{normalised guid: label}``; two objects sharing a GUID are refused, naming both."""
    out: dict[str, str] = {}
    for raw, label in pairs:
        key = norm_guid(raw)
        if not key:
            raise CodingError(f"{name}: one of the {what} ({label!r}) has no GUID – export the "
                              "project again")
        if key in out:
            raise CodingError(f"{name}: two {what} share the GUID {raw}: {out[key]!r} and "
                              f"{label!r} – it is ambiguous which one a reference means; give "
                              "each its own GUID (export the project again)")
        out[key] = label
    return out


def _walk_codes(el, parent: str | None, project: QdpxProject, pairs: list) -> None:
    """Every code of the tree in document order, without recursion (a tree may be deep)."""
    stack = [(child, parent) for child in reversed(el.findall("q:Code", NS))]
    while stack:
        child, parent = stack.pop()
        key = norm_guid(child.get("guid"))
        pairs.append((child.get("guid"), child.get("name", "")))
        project.parents.setdefault(key, parent)
        stack.extend((grandchild, key) for grandchild in reversed(child.findall("q:Code", NS)))


def _read_source(src, archive: Archive, project: QdpxProject, users: dict) -> None:
    key, name = norm_guid(src.get("guid")), src.get("name") or src.get("guid", "")
    content = src.find("q:PlainTextContent", NS)
    if content is not None:
        text = content.text or ""
    else:
        ref = src.get("plainTextPath", "")
        if not ref:
            raise CodingError(f"{archive.name}: source {name!r} has no plain text (neither "
                              "plainTextPath nor PlainTextContent) – export the project again "
                              "with plain-text sources")
        if not ref.startswith("internal://"):
            raise CodingError(f"{archive.name}: source {name!r} refers to {ref!r} outside the "
                              "archive – export the project with its sources embedded")
        member = archive.source_member(ref[len("internal://"):], name)
        raw = archive.read(member)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            raise CodingError(f"{archive.name}: source {name!r} ({member}) is not UTF-8 text "
                              f"(byte {err.start}) – export it from the tool as UTF-8 plain "
                              "text") from None
    project.sources[key] = (name, text)
    if src.find("q:Coding", NS) is not None:
        project.warnings.append(f"source {name!r} is coded as a whole; only coded text "
                                "selections become practice rows")
    for sel in src.iterfind("q:PlainTextSelection", NS):
        description = sel.find("q:Description", NS)
        selection_user = users.get(norm_guid(sel.get("creatingUser")), "")
        codings = []
        for coding in sel.iterfind("q:Coding", NS):
            user = users.get(norm_guid(coding.get("creatingUser")), "") or selection_user
            codings.extend((norm_guid(ref.get("targetGUID")), user)
                           for ref in coding.iterfind("q:CodeRef", NS))
        project.selections.append({
            "source": key, "guid": sel.get("guid", ""),
            "name": sel.get("name") or sel.get("guid", ""),
            "start": sel.get("startPosition", ""), "end": sel.get("endPosition", ""),
            "description": (description.text or "") if description is not None else "",
            "codings": codings, "user": selection_user})
