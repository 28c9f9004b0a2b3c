"""``npstudy export-codebook``: a REFI-QDA codebook (.qdc) and a Taguette codebook CSV."""

import csv
import io
import re
from pathlib import Path

import xmlschema

from conftest import tree_hashes
from npstudy import data_dir, load_codebook, load_provinces
from npstudy.qdpx import CODEBOOK_NAMESPACE, export_codebook, export_qdpx, read_qdpx

PROJECT_XSD = Path(__file__).parent / "data" / "Project-mrt2019.xsd"


def codebook_schema() -> xmlschema.XMLSchema:
    """The REFI-QDA codebook schema, derived from the project schema.

    The codebook schema (Codebook-mrt2019.xsd) is not among the shared files, so the
    test builds it as the standard defines it: the project schema's ``CodesType`` in
    the namespace ``urn:QDA-XML:codebook:1.0``, under a root ``CodeBook`` element with
    ``Codes``, optional ``Sets`` and an ``origin`` attribute.
    """
    text = PROJECT_XSD.read_text(encoding="utf-8").replace("urn:QDA-XML:project:1.0",
                                                           CODEBOOK_NAMESPACE)
    root = ('<xsd:element name="CodeBook" type="QdcType"/>'
            '<xsd:complexType name="QdcType"><xsd:sequence>'
            '<xsd:element name="Codes" type="CodesType"/>'
            '<xsd:element name="Sets" type="SetsType" minOccurs="0"/></xsd:sequence>'
            '<xsd:attribute name="origin" type="xsd:string"/></xsd:complexType>')
    text = re.sub(r'<xsd:element name="Project" type="ProjectType">.*?</xsd:element>', root,
                  text, count=1, flags=re.S)
    return xmlschema.XMLSchema(text)


def expected_codes() -> int:
    """Codable codes, counted from the codebook and gazetteer themselves."""
    cb = load_codebook()
    return (len([e for e in cb.entries() if e.level == "code"]) + len(load_provinces())
            + len(cb.instrument_categories) + len(cb.instrument_types))


def test_qdc_validates_and_holds_the_project_export_codes(tmp_path):
    out = export_codebook(tmp_path / "codes.qdc")
    xml = out.read_text(encoding="utf-8")
    schema = codebook_schema()
    schema.validate(xml)
    assert not schema.is_valid(xml.replace('isCodable="true"', 'isCodable="yes"', 1))
    codable = re.findall(r'<Code guid="([0-9a-f-]+)" name="[^"]*" isCodable="true"', xml)
    assert len(codable) == expected_codes()
    # the same GUIDs as the project export, so codings made with the codebook import back
    project = read_qdpx(export_qdpx(data_dir(), tmp_path / "p.qdpx"))
    assert set(codable) <= set(project.codes)
    again = export_codebook(tmp_path / "again.qdc")
    assert again.read_bytes() == out.read_bytes()


def taguette_tags(data: bytes) -> list[dict]:
    """Read a codebook CSV as Taguette's codebook import does (taguette/import_codebook.py):
    exactly one of the columns tag, name or path names the tag; description is optional."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header = [cell.lower() for cell in rows[0]]
    assert sum(c in header for c in ("tag", "name", "path")) == 1
    tag, description = header.index("tag"), header.index("description")
    return [{"path": r[tag].strip(), "description": r[description].strip()} for r in rows[1:]]


def test_csv_is_what_taguette_imports(tmp_path):
    out = export_codebook(tmp_path / "codes.csv", "csv")
    tags = taguette_tags(out.read_bytes())
    assert len(tags) == expected_codes() == len({t["path"] for t in tags})
    shanghai = next(t for t in tags if t["path"] == "CN-SH")
    assert shanghai["description"].startswith("上海 / Shanghai")
    assert all(t["path"] and "\n" not in t["description"] for t in tags)


def test_refusals_change_nothing(tmp_path, cli):
    keep = tmp_path / "mine.qdc"
    keep.write_bytes(b"mine")
    before = tree_hashes(tmp_path)
    for argv, fragment in [
            ((keep,), "exists; choose another name or pass --force"),
            ((tmp_path / "codes.txt",), "name the output file *.qdc"),
            ((tmp_path / "codes.qdc", "--format", "csv"), "name the output file *.csv"),
            ((tmp_path / "missing" / "codes.qdc",), "folder does not exist"),
            ((data_dir() / "codes.qdc",), "never modified")]:
        run = cli("export-codebook", *argv)
        assert run.code == 1, run.out
        assert fragment in run.error_line()
    assert tree_hashes(tmp_path) == before
    folder = tmp_path / "dir.qdc"
    folder.mkdir()
    assert "is a folder" in cli("export-codebook", folder).error_line()
    # a folder that is no workspace would silently give the shipped codebook
    run = cli("export-codebook", tmp_path / "codes.qdc", "--data", folder)
    assert run.code == 1 and "holds no practices.csv" in run.error_line()
    assert not (tmp_path / "codes.qdc").exists()
    run = cli("export-codebook", keep, "--force")
    assert run.code == 0 and "REFI-QDA codebook" in run.out
    assert keep.read_bytes() == export_codebook(tmp_path / "fresh.qdc").read_bytes()


def test_a_workspace_codebook_is_used(workspace, tmp_path):
    """``--data DIR`` writes the workspace's own codebook, not the shipped one."""
    shipped = (data_dir() / "codebook.yaml").read_text(encoding="utf-8")
    assert shipped.count("Laboratory and platform system") == 1
    (workspace / "codebook.yaml").write_text(
        shipped.replace("Laboratory and platform system", "Labs of this workspace"),
        encoding="utf-8")
    tags = taguette_tags(export_codebook(tmp_path / "ws.csv", "csv", folder=workspace).read_bytes())
    labs = next(t for t in tags if t["path"] == "innovation.basic_research.labs_platforms")
    assert labs["description"].startswith("实验室与平台体系 / Labs of this workspace:")
