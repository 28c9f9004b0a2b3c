"""Build .qdpx files the way other QDA tools' exporters write them, for the import tests.

Nothing here imports npstudy: each builder reads and writes the archive with the
standard library only, so that the tests check npstudy against an independent
reading of what the tools do.

- :func:`qualcoder_round_trip` follows QualCoder's REFI-QDA import and export
  (``src/qualcoder/refi.py`` of github.com/ccbogel/QualCoder, read at commit
  c3204641): on import a text coding is kept once per (code, source, start, end,
  owner), the owner being the *selection's* creating user, and the selection's
  description becomes the coding's memo; on export every GUID is a new lower-case
  uuid4, the folder is ``sources/``, texts are written as UTF-8 with a byte-order
  mark, each coding is its own ``<PlainTextSelection>`` named by the coded text with
  one ``<Coding>``, categories are codes with ``isCodable="false"`` and codes carry a
  colour, and cases are written back with their variables and an empty description.
- :func:`refi_project` writes a project from plain data with the switches in which
  the other tools differ (folder case, project file name, GUID case, line endings),
  as the REFI-QDA schema and the public notes cited in docs/qda.md describe them.
"""

from __future__ import annotations

import html
import io
import uuid
import zipfile
from xml.etree import ElementTree as ET

NS = "urn:QDA-XML:project:1.0"
Q = {"q": NS}


def _new_guid(upper: bool = False) -> str:
    value = str(uuid.uuid4())
    return value.upper() if upper else value


def qualcoder_round_trip(qdpx: bytes, line_endings: str = "\n") -> tuple[bytes, dict]:
    """Import ``qdpx`` as QualCoder does, export it again; return the bytes and what was dropped.

    Returns
    -------
    bytes, dict
        The re-exported project, and ``{"dropped": n}``: codings QualCoder's import
        refuses as duplicates of (code, source, span, owner).
    """
    with zipfile.ZipFile(io.BytesIO(qdpx)) as z:
        root = ET.fromstring(z.read("project.qde"))
        members = {n.lower(): n for n in z.namelist()}
        users = {u.get("guid"): u.get("name") for u in root.iterfind("q:Users/q:User", Q)}
        codes = []  # (old guid, name, codable, description, parent old guid)

        def walk(el, parent):
            for code in el.iterfind("q:Code", Q):
                desc = code.find("q:Description", Q)
                codes.append((code.get("guid"), code.get("name"), code.get("isCodable") == "true",
                              desc.text if desc is not None else "", parent))
                walk(code, code.get("guid"))

        walk(root.find("q:CodeBook/q:Codes", Q), None)
        sources, code_text, dropped = [], {}, 0
        for src in root.iterfind("q:Sources/q:TextSource", Q):
            ref = src.get("plainTextPath").split("internal://")[1]
            raw = z.read(members[("sources/" + ref).lower()]).decode("utf-8")
            text = raw.replace("\r\n", "\n")  # read in text mode: universal newlines
            sources.append((src.get("name"), text))
            for sel in src.iterfind("q:PlainTextSelection", Q):
                owner = users.get(sel.get("creatingUser"), "default")
                desc = sel.find("q:Description", Q)
                memo = desc.text if desc is not None and desc.text else ""
                for coding in sel.iterfind("q:Coding", Q):
                    cid = coding.find("q:CodeRef", Q).get("targetGUID")
                    key = (cid, src.get("name"), sel.get("startPosition"), sel.get("endPosition"),
                           owner)
                    if key in code_text:
                        dropped += 1  # sqlite IntegrityError: "Only one loaded."
                    else:
                        code_text[key] = memo
        cases = []
        variables = {v.get("guid"): v.get("name")
                     for v in root.iterfind("q:Variables/q:Variable", Q)}
        for case in root.iterfind("q:Cases/q:Case", Q):
            values = [(variables[v.find("q:VariableRef", Q).get("targetGUID")],
                       v.find("q:TextValue", Q).text or "")
                      for v in case.iterfind("q:VariableValue", Q)]
            cases.append((case.get("name"), values))
    return _qualcoder_export(users, codes, sources, code_text, cases, line_endings), \
        {"dropped": dropped}


def _qualcoder_export(users, codes, sources, code_text, cases, line_endings) -> bytes:
    user_guid = {name: _new_guid() for name in sorted(set(users.values()) | {"default"})}
    code_guid = {old: _new_guid() for old, *_ in codes}
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<Project '
           'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" name="npstudy.qda" '
           f'origin="QualCoder 3.8" creatingUserGUID="{_new_guid()}" '
           f'creationDateTime="2026-01-01T00:00:00Z" xmlns="{NS}">\n<Users>\n']
    out += [f'<User guid="{g}" name="{html.escape(n)}" />\n' for n, g in user_guid.items()]
    out.append("</Users>\n<CodeBook>\n<Codes>\n")

    def code_xml(old, name, codable, desc):
        children = [c for c in codes if c[4] == old]
        xml = (f'<Code guid="{code_guid[old]}" name="{html.escape(name)}" '
               f'isCodable="{"true" if codable else "false"}"'
               + (' color="#F8E0B0"' if codable else ""))
        if not desc and not children:
            return xml + " />\n"
        xml += ">\n" + (f"<Description>{html.escape(desc)}</Description>\n" if desc else "")
        xml += "".join(code_xml(*c[:4]) for c in children)
        return xml + "</Code>\n"

    out += [code_xml(*c[:4]) for c in codes if c[4] is None]
    out.append("</Codes>\n</CodeBook>\n")
    var_names = sorted({name for _, values in cases for name, _ in values})
    var_guid = {name: _new_guid() for name in var_names}
    if var_names:
        out.append("<Variables>\n")
        out += [f'<Variable guid="{var_guid[n]}" name="{html.escape(n)}" typeOfVariable="Text">\n'
                "<Description />\n</Variable>\n" for n in var_names]
        out.append("</Variables>\n<Cases>\n")
        for name, values in cases:
            out.append(f'<Case guid="{_new_guid()}" name="{html.escape(name)}">\n<Description />\n')
            out += [f'<VariableValue>\n<VariableRef targetGUID="{var_guid[n]}" />\n'
                    f"<TextValue>{html.escape(v)}</TextValue>\n</VariableValue>\n"
                    for n, v in values]
            out.append("</Case>\n")
        out.append("</Cases>\n")
    out.append("<Sources>\n")
    files = {}
    for name, text in sources:
        plain = f"{_new_guid()}.txt"
        files[f"sources/{plain}"] = b"\xef\xbb\xbf" + text.replace("\n", line_endings).encode()
        out.append(f'<TextSource plainTextPath="internal://{plain}" '
                   f'creatingUser="{user_guid["default"]}" creationDateTime="2026-01-01T00:00:00Z" '
                   f'guid="{_new_guid()}" name="{html.escape(name)}">\n')
        for (cid, doc, start, end, owner), memo in code_text.items():
            if doc != name:
                continue
            seltext = text[int(start):int(end)]
            out.append(f'<PlainTextSelection guid="{_new_guid()}" startPosition="{start}" '
                       f'endPosition="{end}" name="{html.escape(seltext)}" '
                       f'creatingUser="{user_guid[owner]}" '
                       'creationDateTime="2026-01-01T00:00:00Z">\n'
                       + (f"<Description>{html.escape(memo)}</Description>\n" if memo else "")
                       + f'<Coding guid="{_new_guid()}" creatingUser="{user_guid[owner]}" >\n'
                       f'<CodeRef targetGUID="{code_guid[cid]}" />\n</Coding>\n'
                       "</PlainTextSelection>\n")
        out.append("</TextSource>\n")
    out.append("</Sources>\n</Project>")
    return _zip({"project.qde": "".join(out).encode("utf-8"), **files})


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buffer.getvalue()


def refi_project(codes: list[str], sources: dict[str, str], selections: list[tuple],
                 user: str = "Anna", folder: str = "Sources", qde: str = "project.qde",
                 upper: bool = False, line_endings: str = "\n", bom: bool = False,
                 memo: str = "A summary written in the tool.") -> bytes:
    """A project with one flat code list, text sources and one ``<Coding>`` per selection.

    ``selections`` holds ``(source name, start, end, code name)``; codes named
    ``a/b`` nest ``b`` under a non-codable ``a``. ``folder``, ``qde`` (the project
    file's name), ``upper`` (upper-case GUIDs), ``line_endings`` and ``bom`` (of the
    source files) are where tools differ; ``memo`` is every selection's description.
    """
    guid = lambda: _new_guid(upper)  # noqa: E731
    user_guid, code_guid, groups = guid(), {}, {}
    root = ET.Element("Project", {"xmlns": NS, "name": "study", "origin": "tool"})
    ET.SubElement(ET.SubElement(root, "Users"), "User", {"guid": user_guid, "name": user})
    tree = ET.SubElement(ET.SubElement(root, "CodeBook"), "Codes")
    for name in codes:
        parent = tree
        if "/" in name:
            group, name = name.split("/", 1)
            if group not in groups:
                groups[group] = ET.SubElement(tree, "Code", {"guid": guid(), "name": group,
                                                              "isCodable": "false"})
            parent = groups[group]
        code_guid[name] = guid()
        ET.SubElement(parent, "Code", {"guid": code_guid[name], "name": name, "isCodable": "true"})
    src_el = ET.SubElement(root, "Sources")
    files = {}
    for name, text in sources.items():
        plain = f"{guid()}.txt"
        files[f"{folder}/{plain}"] = (b"\xef\xbb\xbf" if bom else b"") + \
            text.replace("\n", line_endings).encode("utf-8")
        src = ET.SubElement(src_el, "TextSource", {"guid": guid(), "name": name,
                                                   "plainTextPath": f"internal://{plain}"})
        for doc, start, end, code in selections:
            if doc != name:
                continue
            sel = ET.SubElement(src, "PlainTextSelection", {
                "guid": guid(), "name": text[start:end][:30], "startPosition": str(start),
                "endPosition": str(end), "creatingUser": user_guid})
            if memo:
                ET.SubElement(sel, "Description").text = memo
            coding = ET.SubElement(sel, "Coding", {"guid": guid(), "creatingUser": user_guid})
            ET.SubElement(coding, "CodeRef", {"targetGUID": code_guid[code]})
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                    xml_declaration=False)
    return _zip({qde: xml, **files})
