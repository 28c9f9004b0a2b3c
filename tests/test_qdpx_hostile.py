"""Hostile REFI-QDA inputs: each is one clear error, fast, and leaves the workspace unchanged."""

import os
import re
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from conftest import tree_hashes
from npstudy import data_dir, load_practices
from npstudy.qdpx import archive, export_qdpx, import_qdpx
from npstudy.workspace import make_workspace

DOC = "000_08799d6d3f16f583"


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return export_qdpx(data_dir(), tmp_path_factory.mktemp("qdpx") / "npstudy.qdpx")


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def build(path: Path, items, compression=zipfile.ZIP_DEFLATED) -> Path:
    """A zip of ``items`` (name, bytes) pairs; duplicate names allowed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names
        with zipfile.ZipFile(path, "w", compression) as z:
            for name, data in items:
                z.writestr(name, data)
    return path


def edited(exported: Path, target: Path, edit) -> Path:
    files = members(exported)
    files["project.qde"] = edit(files["project.qde"].decode("utf-8")).encode("utf-8")
    return build(target, files.items())


def refused(cli, ws: Path, project: Path, *fragments) -> str:
    """``import-qdpx`` exits 1 with one error line holding ``fragments``; nothing changes."""
    before = tree_hashes(ws), tree_hashes(data_dir())
    if project.is_file():
        before_input = tree_hashes(project)
    run = cli("import-qdpx", project, "--into", ws)
    assert run.code == 1, (run.out, run.err)
    line = run.error_line()
    for fragment in fragments:
        assert fragment in line, line
    assert (tree_hashes(ws), tree_hashes(data_dir())) == before
    if project.is_file():
        assert tree_hashes(project) == before_input
    return line


# ------------------------------------------------------------------ not a regular file

def test_fifo_is_refused_without_opening_it(workspace, cli):
    fifo = workspace.parent / "pipe.qdpx"
    os.mkfifo(fifo)
    refused(cli, workspace, fifo, "pipe.qdpx", "a FIFO (named pipe)", "not a regular file")


def test_device_and_folder_are_refused(workspace, cli):
    refused(cli, workspace, Path("/dev/zero"), "/dev/zero", "is a device")
    folder = workspace.parent / "folder.qdpx"
    folder.mkdir()
    refused(cli, workspace, folder, "folder.qdpx", "is a folder")


def test_a_file_over_the_cap_is_refused_before_it_is_read(workspace, cli, exported, monkeypatch):
    monkeypatch.setattr(archive, "MAX_ARCHIVE_BYTES", 1000)
    size = exported.stat().st_size
    refused(cli, workspace, exported, f"file is {size:,} bytes, more than the 1,000-byte limit")


# ------------------------------------------------------------------ damaged archives

def _offsets(data: bytes, signature: bytes) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(signature), data)]


def _patch(data: bytes, signature: bytes, field: int, fmt: str, value: int) -> bytes:
    """Set a field of every local (PK\\3\\4) or central (PK\\1\\2) header."""
    out = bytearray(data)
    for at in _offsets(data, signature):
        struct.pack_into(fmt, out, at + field, value)
    return bytes(out)


def test_bad_crc_is_a_clear_error(workspace, cli, tmp_path):
    text = "上海设立基础研究特区。".encode("utf-8")
    path = build(tmp_path / "crc.qdpx", [("project.qde", text)], zipfile.ZIP_STORED)
    data = path.read_bytes()
    at = data.index(text)
    path.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1:])
    refused(cli, workspace, path, "crc.qdpx", "member 'project.qde' cannot be unpacked",
            "Bad CRC-32", "damaged")


def test_corrupt_deflate_data_is_a_clear_error(workspace, cli, tmp_path, exported):
    path = tmp_path / "corrupt.qdpx"
    data = bytearray(exported.read_bytes())
    start = _offsets(bytes(data), b"PK\x03\x04")[0] + 30 + len("project.qde")
    for i in range(start + 10, start + 60):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    refused(cli, workspace, path, "member 'project.qde' cannot be unpacked", "damaged")


def test_encrypted_member_is_refused(workspace, cli, exported, tmp_path):
    data = exported.read_bytes()
    data = _patch(_patch(data, b"PK\x03\x04", 6, "<H", 1), b"PK\x01\x02", 8, "<H", 1)
    path = tmp_path / "locked.qdpx"
    path.write_bytes(data)
    refused(cli, workspace, path, "member 'project.qde' is encrypted", "without a password")


@pytest.mark.parametrize("method", [9, 12, 99])  # deflate64, bzip2, AES
def test_unsupported_compression_is_refused(workspace, cli, exported, tmp_path, method):
    data = exported.read_bytes()
    data = _patch(_patch(data, b"PK\x03\x04", 8, "<H", method), b"PK\x01\x02", 10, "<H", method)
    path = tmp_path / "method.qdpx"
    path.write_bytes(data)
    refused(cli, workspace, path, f"uses compression method {method}", "deflate")


def test_zip_bomb_by_ratio_is_refused(workspace, cli, tmp_path):
    path = build(tmp_path / "bomb.qdpx", [("project.qde", b"<a/>"),
                                          ("Sources/x.txt", b"\0" * (4 << 20))])
    refused(cli, workspace, path, "member 'Sources/x.txt' unpacks to 4,194,304 bytes",
            "zip bomb")


def test_zip_bomb_by_total_size_is_refused(workspace, cli, exported, tmp_path):
    data = _patch(exported.read_bytes(), b"PK\x01\x02", 24, "<I", 0x7FFFFFFF)
    path = tmp_path / "huge.qdpx"
    path.write_bytes(data)
    line = refused(cli, workspace, path, "huge.qdpx")
    assert "limit" in line or "zip bomb" in line


def test_not_a_zip_and_no_project_file(workspace, cli, tmp_path):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    refused(cli, workspace, junk, "not a REFI-QDA project (.qdpx is a ZIP archive)")
    empty = build(tmp_path / "empty.qdpx", [("readme.txt", b"x")])
    refused(cli, workspace, empty, "has no project.qde")


# ------------------------------------------------------------------ ambiguous archives

def test_two_project_qde_members_are_refused(workspace, cli, exported, tmp_path):
    files = members(exported)
    path = build(tmp_path / "two.qdpx", [("project.qde", files["project.qde"]),
                                         ("project.qde", b"<Project/>"), *files.items()])
    refused(cli, workspace, path, "holds two members named 'project.qde'", "ambiguous")


def test_two_project_files_of_different_names_are_refused(workspace, cli, exported, tmp_path):
    files = members(exported)
    path = build(tmp_path / "two.qdpx", [*files.items(), ("Study.qde", files["project.qde"])])
    refused(cli, workspace, path, "holds 2 project files ('Study.qde', 'project.qde')")


def test_sources_in_both_folder_cases_are_refused(workspace, cli, exported, tmp_path):
    files = members(exported)
    [member] = [n for n in files if n.startswith("Sources/")]
    path = build(tmp_path / "both.qdpx", [*files.items(), (member.lower(), files[member])])
    refused(cli, workspace, path, "could be any of", member.lower())


def test_two_sources_sharing_a_guid_are_refused_naming_both(workspace, cli, exported, tmp_path):
    def twin(xml):
        match = re.search(r"<TextSource .*?</TextSource>", xml, flags=re.S)
        copy = match.group().replace(f'name="{DOC}"', 'name="copy"')
        return xml.replace("</Sources>", copy + "</Sources>")

    path = edited(exported, tmp_path / "twin.qdpx", twin)
    refused(cli, workspace, path, "two sources share the GUID", f"'{DOC}' and 'copy'")


def test_two_codes_sharing_a_guid_are_refused_naming_both(workspace, cli, exported, tmp_path):
    def twin(xml):
        match = re.search(r'<Code guid="([0-9a-f-]+)" name="(CN-SH [^"]*)"', xml)
        other = re.search(r'<Code guid="([0-9a-f-]+)" name="(CN-ZJ [^"]*)"', xml)
        # the same GUID in upper case: tools differ in case, so it is the same GUID
        return xml.replace(f'guid="{other.group(1)}"', f'guid="{match.group(1).upper()}"')

    path = edited(exported, tmp_path / "twin.qdpx", twin)
    line = refused(cli, workspace, path, "two codes share the GUID")
    assert "'CN-SH " in line and "'CN-ZJ " in line


def test_two_selections_sharing_a_guid_are_refused_naming_both(workspace, cli, exported,
                                                                tmp_path):
    def twin(xml):
        guids = re.findall(r'<PlainTextSelection guid="([0-9a-f-]+)"', xml)
        assert len(guids) > 1
        return xml.replace(f'guid="{guids[1]}"', f'guid="{{{guids[0].upper()}}}"')

    path = edited(exported, tmp_path / "twin.qdpx", twin)
    line = refused(cli, workspace, path, "two text selections share the GUID")
    assert line.count(" at ") >= 2  # both selections are named with their positions


# ------------------------------------------------------------------ encodings

def test_gb18030_project_file_is_read_as_its_declaration_says(workspace, exported, tmp_path):
    files = members(exported)
    xml = files["project.qde"].decode("utf-8").replace('encoding="utf-8"', 'encoding="GB18030"')
    files["project.qde"] = xml.encode("gb18030")
    assert files["project.qde"] != xml.encode("utf-8")  # the Chinese names differ in bytes
    path = build(tmp_path / "gb.qdpx", files.items())
    before = tree_hashes(workspace)
    merged = import_qdpx(path, workspace)
    assert merged.attrs["already_present"] == 51 and merged.attrs["imported"] == 0
    assert tree_hashes(workspace) == before


def test_gb18030_bytes_declared_as_utf8_are_refused(workspace, cli, exported, tmp_path):
    files = members(exported)
    xml = files["project.qde"].decode("utf-8")
    files["project.qde"] = xml.encode("gb18030")
    first = xml.encode("gb18030").index("四".encode("gb18030"))
    path = build(tmp_path / "gb.qdpx", files.items())
    refused(cli, workspace, path, f"project.qde: byte {first} is not valid utf-8",
            "save it in that encoding, or as UTF-8")
    # without any declaration the text must be UTF-8 (XML 1.0, appendix F)
    files["project.qde"] = re.sub("<\\?xml[^>]*\\?>", "", xml).encode("gb18030")
    path = build(tmp_path / "bare.qdpx", files.items())
    refused(cli, workspace, path, "is not valid utf-8", "declare the encoding it is in")


@pytest.mark.parametrize("declaration, data, expected", [
    ('<?xml version="1.0" encoding="klingon"?>', None, "declares encoding 'klingon'"),
    (None, "utf-16", "is UTF-16 or UTF-32 text"),
])
def test_unknown_or_utf16_encodings_are_refused(workspace, cli, exported, tmp_path,
                                                declaration, data, expected):
    files = members(exported)
    xml = files["project.qde"].decode("utf-8")
    if declaration:
        xml = re.sub("<\\?xml[^>]*\\?>", declaration, xml)
    files["project.qde"] = xml.encode(data or "utf-8")
    path = build(tmp_path / "enc.qdpx", files.items())
    refused(cli, workspace, path, expected)


def test_a_source_that_is_not_utf8_is_refused(workspace, cli, exported, tmp_path):
    files = members(exported)
    [member] = [n for n in files if n.startswith("Sources/")]
    files[member] = files[member].decode("utf-8").encode("gb18030")
    path = build(tmp_path / "src.qdpx", files.items())
    refused(cli, workspace, path, f"source '{DOC}' ({member}) is not UTF-8 text")


# ------------------------------------------------------------------ selections

def test_selection_past_the_end_and_full_width_offsets(workspace, cli, exported, tmp_path):
    size = len((data_dir() / "raw" / f"{DOC}.txt").read_text(encoding="utf-8"))
    past = edited(exported, tmp_path / "past.qdpx", lambda xml: xml.replace(
        'startPosition="382" endPosition="451"', f'startPosition="382" endPosition="{size + 1}"'))
    refused(cli, workspace, past, "selection 'P001'", f"chars 382–{size + 1} are outside the "
            f"text (0–{size})")
    wide = edited(exported, tmp_path / "wide.qdpx", lambda xml: xml.replace(
        'startPosition="382"', 'startPosition="３８２"'))
    refused(cli, workspace, wide, "selection 'P001'", "'３８２'–'451' are not whole numbers")


# ------------------------------------------------------------------ export

@pytest.mark.parametrize("char", ["\ufffe", "\uffff"])
def test_export_refuses_characters_xml_cannot_hold(tmp_path, cli, char):
    rows = load_practices()
    rows.loc[3, "summary_en"] = "A summary" + char + " that XML cannot carry"
    ws = make_workspace(tmp_path / "ws", rows)
    out = tmp_path / "out.qdpx"
    before = tree_hashes(ws)
    run = cli("export-qdpx", ws, out)
    assert run.code == 1
    line = run.error_line()
    assert "practices.csv:5: column 'summary_en'" in line
    assert f"U+{ord(char):04X} at character 10" in line and "delete that character" in line
    assert not out.exists() and tree_hashes(ws) == before


def test_export_refuses_a_folder_as_output(tmp_path, cli):
    folder = tmp_path / "out.qdpx"
    folder.mkdir()
    run = cli("export-qdpx", data_dir(), folder)
    assert run.code == 1 and "is a folder" in run.error_line() and "--force" not in run.err


def test_no_write_through_a_reviews_symlink(tmp_path, cli, exported):
    """The review copy of an import is refused, not written, when reviews/ leads outside."""
    ws = make_workspace(tmp_path / "ws", load_practices().iloc[:0])
    outside = tmp_path / "outside"
    outside.mkdir()
    (ws / "reviews").symlink_to(outside, target_is_directory=True)
    before = tree_hashes(ws), tree_hashes(outside)
    run = cli("import-qdpx", exported, "--into", ws)
    assert run.code == 1
    assert "outside" in run.error_line() and "paths must stay inside the workspace" in run.err
    assert (tree_hashes(ws), tree_hashes(outside)) == before


def test_sources_without_plain_text_or_outside_the_archive(workspace, cli, exported, tmp_path):
    rich = edited(exported, tmp_path / "rich.qdpx", lambda xml: re.sub(
        r'plainTextPath="internal://([^"]+)\.txt"', r'richTextPath="internal://\1.docx"', xml))
    refused(cli, workspace, rich, f"source '{DOC}' has no plain text")
    linked = edited(exported, tmp_path / "linked.qdpx", lambda xml: re.sub(
        r'plainTextPath="internal://', 'plainTextPath="absolute:///home/me/', xml))
    refused(cli, workspace, linked, "refers to 'absolute:///home/me/", "outside the archive")


def test_a_deep_code_tree_is_read_without_recursion(workspace, tmp_path):
    depth = 5000
    codes = "".join(f'<Code guid="00000000-0000-4000-8000-{i:012d}" name="c{i}" '
                    'isCodable="true">' for i in range(depth)) + "</Code>" * depth
    xml = (f'<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" '
           f'name="deep"><CodeBook><Codes>{codes}</Codes></CodeBook></Project>')
    path = build(tmp_path / "deep.qdpx", [("project.qde", xml.encode())])
    before = tree_hashes(workspace)
    merged = import_qdpx(path, workspace)
    assert merged.attrs["imported"] == 0 and tree_hashes(workspace) == before


# ------------------------------------------------------------------ coding added in a tool

def _add_zhejiang(xml: str, memo_text: str = "") -> str:
    """Code the span of P001 (a Shanghai row) with Zhejiang too, as a tool user would."""
    zj = re.search(r'<Code guid="([0-9a-f-]+)" name="CN-ZJ ', xml).group(1)
    sel = re.search(r'<PlainTextSelection [^>]*name="P001".*?</PlainTextSelection>', xml, re.S)
    new = sel.group().replace("</PlainTextSelection>",
                              f'<Coding guid="{"0" * 8}-0000-4000-8000-{"0" * 12}">'
                              f'<CodeRef targetGUID="{zj}"/></Coding></PlainTextSelection>')
    if memo_text:
        new = new.replace("</Description>", "\n\n" + memo_text + "</Description>")
    return xml.replace(sel.group(), new)


def test_a_province_added_without_a_summary_is_named_with_what_the_memo_describes(
        workspace, cli, exported, tmp_path):
    path = edited(exported, tmp_path / "zj.qdpx", _add_zhejiang)
    line = refused(cli, workspace, path, "no English summary for CN-ZJ "
                   "innovation.basic_research.special_zone",
                   "its memo describes only CN-SH innovation.basic_research.special_zone")
    assert "'P001'" in line


def test_a_province_added_with_free_text_in_the_memo_is_imported(workspace, exported, tmp_path):
    # the documented way to add coding: free text in the memo is the summary of the new row;
    # the Shanghai row the memo describes keeps its own fields (it is already in the workspace)
    summary = "Zhejiang is named here in our own test memo."
    path = edited(exported, tmp_path / "zj.qdpx", lambda x: _add_zhejiang(x, summary))
    merged = import_qdpx(path, workspace)
    assert merged.attrs["imported"] == 1 and merged.attrs["already_present"] == 51
    [row] = merged[(merged["province"] == "CN-ZJ") & (merged["start"].astype(str) == "382")].to_dict("records")
    assert row["summary_en"] == summary and row["code"] == "innovation.basic_research.special_zone"
    assert row["city"] == "" and row["quote"] == load_practices().query("id == 'P001'").quote.iloc[0]


def test_a_memo_value_with_a_line_break_is_named_by_its_selection(workspace, cli, exported,
                                                                 tmp_path):
    # an escaped line break (\n) in a memo's summary became a cell merge refuses; the error
    # named "reviewed suggestions:2", a file the user does not have
    block = ("province: CN-ZJ\ncode: innovation.basic_research.special_zone\n"
             "instrument: environment\ninstrument_type: pilot_zone\n"
             "summary_en: Line one\\nline two")
    path = edited(exported, tmp_path / "nl.qdpx", lambda x: _add_zhejiang(x, block))
    line = refused(cli, workspace, path, "selection 'P001'", "summary_en 'Line one\\nline two'",
                   "holds a line break", "write it on one line in the tool")
    assert "reviewed suggestions" not in line


def test_a_source_with_the_text_of_two_documents_is_named_in_a_warning(workspace, cli, exported,
                                                                      tmp_path):
    # the article's text registered a second time: a source renamed in the tool matches both
    from npstudy.workspace import register_document

    copy = tmp_path / "same.txt"
    copy.write_text((data_dir() / "raw" / f"{DOC}.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")
    register_document(workspace, copy, "zz_copy")
    path = edited(exported, tmp_path / "renamed.qdpx",
                  lambda x: x.replace(f'name="{DOC}"', 'name="Interview"'))
    run = cli("import-qdpx", path, "--into", workspace)
    assert run.code == 0, run.err
    assert "source 'Interview' has the text of 2 documents" in run.err
    assert f"its codings go to {DOC}" in run.err
