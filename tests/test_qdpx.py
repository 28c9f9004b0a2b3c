"""REFI-QDA exchange: the export validates against the published schema and round-trips."""

import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from npstudy import data_dir, load_practices
from npstudy.cli import main
from npstudy.fileio import CodingError
from npstudy.qdpx import export_qdpx, import_qdpx, read_qdpx
from npstudy.workspace import make_workspace

SCHEMA = Path(__file__).parent / "data" / "Project-mrt2019.xsd"
COMPARED = ["doc_id", "province", "city", "pillar", "theme", "code", "instrument",
            "instrument_type", "quote", "start", "end", "paragraph", "summary_en", "target",
            "first_mover", "coder", "note"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return export_qdpx(data_dir(), tmp_path_factory.mktemp("qdpx") / "npstudy.qdpx")


def project_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("project.qde").decode("utf-8")


def rewrite(source: Path, target: Path, edit=lambda xml: xml, sources=None) -> Path:
    """Copy a .qdpx, editing project.qde (and replacing source files) on the way."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w") as out:
        for name in z.namelist():
            data = z.read(name)
            if name == "project.qde":
                data = edit(data.decode("utf-8")).encode("utf-8")
            elif sources and name in sources:
                data = sources[name]
            out.writestr(name, data)
    return target


def snapshot(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def empty_workspace(folder: Path) -> Path:
    return make_workspace(folder, load_practices().iloc[:0])


def canonical(table: pd.DataFrame) -> pd.DataFrame:
    out = table[COMPARED].astype(str)
    return out.sort_values(COMPARED, kind="stable").reset_index(drop=True)


def test_export_validates_against_the_refi_qda_schema(exported):
    schema = xmlschema.XMLSchema(SCHEMA)
    xml = project_xml(exported)
    schema.validate(xml)  # raises with the failing path if the project is not valid
    assert schema.is_valid(xml)
    # and the check can fail: a selection without its required endPosition is rejected
    assert not schema.is_valid(re.sub(r' endPosition="\d+"', "", xml, count=1))


def test_export_contents_and_reproducibility(exported, tmp_path):
    project = read_qdpx(exported)
    practices = load_practices()
    # one selection per span of text and coder: 51 rows on 40 spans (8 spans carry 2–4 rows)
    spans = practices.groupby(["doc_id", "start", "end", "coder"]).ngroups
    assert len(project.selections) == spans == 40
    assert [name for name, _ in project.sources.values()] == ["000_08799d6d3f16f583"]
    [(_, text)] = project.sources.values()
    assert text == (data_dir() / "raw" / "000_08799d6d3f16f583.txt").read_text(encoding="utf-8")
    codable = [n for g, n in project.codes.items() if project.parents[g] is not None]
    assert sum(n.startswith("CN-") for n in codable) == 34
    first = next(s for s in project.selections if s["name"] == "P001")
    row = practices.set_index("id").loc["P001"]
    assert (int(first["start"]), int(first["end"])) == (row["start"], row["end"])
    assert text[int(first["start"]):int(first["end"])] == row["quote"]
    assert len(first["codings"]) == 4  # code, province, instrument, instrument type
    again = export_qdpx(data_dir(), tmp_path / "again.qdpx")
    assert again.read_bytes() == exported.read_bytes()


def test_round_trip_keeps_every_quote_offset_and_code(exported, tmp_path):
    ws = empty_workspace(tmp_path / "ws")
    merged = import_qdpx(exported, ws)
    assert merged.attrs["imported"] == 51 and merged.attrs["already_present"] == 0
    pd.testing.assert_frame_equal(canonical(merged), canonical(load_practices()))
    # importing the same project again adds nothing
    before = snapshot(ws)
    again = import_qdpx(exported, ws)
    assert again.attrs["imported"] == 0 and again.attrs["already_present"] == 51
    assert snapshot(ws) == before


def test_import_adds_only_what_the_workspace_lacks(exported, tmp_path):
    hand = load_practices()
    ws = make_workspace(tmp_path / "ws", hand[hand["pillar"] != "green"])
    merged = import_qdpx(exported, ws)
    green = int((hand["pillar"] == "green").sum())
    assert merged.attrs["imported"] == green and merged.attrs["already_present"] == 51 - green
    pd.testing.assert_frame_equal(canonical(merged), canonical(hand))


def test_a_selection_made_in_another_tool(exported, tmp_path):
    """Free-text memo as summary; pillar, theme, line and first-mover flag derived."""
    row = load_practices().set_index("id").loc["P001"]

    def keep_p001_with_a_plain_memo(xml):
        xml = re.sub(r"<PlainTextSelection [^>]*name=\"P(?!001\")[\d P]+\".*?</PlainTextSelection>\s*",
                     "", xml, flags=re.S)
        return re.sub(r"(name=\"P001\"[^>]*>\s*<Description>).*?(</Description>)",
                      r"\1Shanghai designates basic-research special zones.\2", xml, flags=re.S)

    project = rewrite(exported, tmp_path / "one.qdpx", keep_p001_with_a_plain_memo)
    merged = import_qdpx(project, empty_workspace(tmp_path / "ws"))
    assert len(merged) == 1
    new = merged.iloc[0]
    assert new["summary_en"] == "Shanghai designates basic-research special zones."
    assert new["target"] == ""
    for col in ("province", "pillar", "theme", "code", "quote", "start", "end", "paragraph",
                "first_mover", "instrument_type"):
        assert new[col] == row[col], col
    assert bool(new["first_mover"]) is True  # 首设 is in the quote


def unchanged_after_error(project, ws, *fragments):
    before = snapshot(ws)
    with pytest.raises(CodingError) as err:
        import_qdpx(project, ws)
    message = str(err.value)
    assert "nothing imported" in message or "not" in message
    for fragment in fragments:
        assert fragment in message, message
    assert snapshot(ws) == before
    return message


def test_unknown_code_is_a_clear_error_and_changes_nothing(exported, tmp_path):
    project = rewrite(exported, tmp_path / "bad.qdpx", _rename_code)
    ws = empty_workspace(tmp_path / "ws")
    message = unchanged_after_error(project, ws, "green.carbon_acounting.footprint_standard",
                                    "not in the npstudy codebook",
                                    "did you mean 'green.carbon_accounting.footprint_standard'")
    assert "1 code(s) are not in the npstudy codebook" in message


def _rename_code(xml: str) -> str:
    """Give one codebook code a new GUID and a misspelt id, as a hand-made code would have."""
    match = re.search(r'<Code guid="([0-9a-f-]+)" name="green\.carbon_accounting\.footprint_standard ',
                      xml)
    old = match.group(1)
    new = "00000000-0000-4000-8000-000000000001"
    xml = xml.replace(f'guid="{old}"', f'guid="{new}"').replace(f'targetGUID="{old}"',
                                                                 f'targetGUID="{new}"')
    return xml.replace('name="green.carbon_accounting.footprint_standard ',
                       'name="green.carbon_acounting.footprint_standard ')


def test_changed_or_unknown_source_is_a_clear_error(exported, tmp_path):
    ws = empty_workspace(tmp_path / "ws")
    with zipfile.ZipFile(exported) as z:
        [member] = [n for n in z.namelist() if n.startswith("Sources/")]
        text = z.read(member).decode("utf-8")
    edited = text.replace("上海", "沪", 1).encode("utf-8")
    changed = rewrite(exported, tmp_path / "changed.qdpx", sources={member: edited})
    unchanged_after_error(changed, ws, "source '000_08799d6d3f16f583' differs from the text")
    renamed = rewrite(exported, tmp_path / "renamed.qdpx",
                      lambda xml: xml.replace('name="000_08799d6d3f16f583"', 'name="report-2025"'),
                      sources={member: edited})
    # a source that is not a document is registered under a derived id, and reported
    merged = import_qdpx(renamed, ws)
    doc_id = "qdpx_report-2025_" + hashlib.sha256(edited).hexdigest()[:8]
    assert merged.attrs["registered"] == {"report-2025": doc_id}
    assert set(merged["doc_id"]) == {doc_id}
    assert (ws / "raw" / f"{doc_id}.txt").read_bytes() == edited


def test_missing_codings_and_bad_offsets(exported, tmp_path):
    ws = empty_workspace(tmp_path / "ws")
    instrument = re.search(r'<Code guid="([0-9a-f-]+)" name="platform ', project_xml(exported))
    no_type = rewrite(exported, tmp_path / "no-type.qdpx", lambda xml: re.sub(
        rf'<Coding [^>]*>\s*<CodeRef targetGUID="{instrument.group(1)}" />\s*</Coding>', "", xml))
    unchanged_after_error(no_type, ws, "needs exactly one instrument type (has 0)")
    outside = rewrite(exported, tmp_path / "outside.qdpx", lambda xml: xml.replace(
        'startPosition="382" endPosition="451"', 'startPosition="382" endPosition="99999"'))
    unchanged_after_error(outside, ws, "selection 'P001'", "outside the text (0–3097)")
    empty = rewrite(exported, tmp_path / "empty.qdpx", lambda xml: xml.replace(
        'startPosition="382" endPosition="451"', 'startPosition="382" endPosition="382"'))
    unchanged_after_error(empty, ws, "selection 'P001'", "chars 382–382 select no text")
    reversed_ = rewrite(exported, tmp_path / "reversed.qdpx", lambda xml: xml.replace(
        'startPosition="382" endPosition="451"', 'startPosition="451" endPosition="382"'))
    unchanged_after_error(reversed_, ws, "selection 'P001'", "chars 451–382 end before they start")


def test_not_a_project(tmp_path, capsys):
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    ws = empty_workspace(tmp_path / "ws")
    before = snapshot(ws)
    assert main(["import-qdpx", str(junk), "--into", str(ws)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("npstudy: error: ") and "junk.qdpx" in err and "ZIP" in err
    assert err.count("\n") == 1
    assert snapshot(ws) == before
    no_project = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(no_project, "w") as z:
        z.writestr("readme.txt", "x")
    with pytest.raises(CodingError, match="has no project.qde"):
        import_qdpx(no_project, ws)


def test_export_refuses_an_invalid_workspace_and_overwriting(tmp_path, exported, capsys):
    hand = load_practices()
    broken = hand.copy()
    broken.loc[0, "start"] += 1
    ws = make_workspace(tmp_path / "ws", broken)
    assert main(["export-qdpx", str(ws), str(tmp_path / "out.qdpx")]) == 1
    err = capsys.readouterr().err
    assert "does not validate" in err and "npstudy validate" in err
    assert not (tmp_path / "out.qdpx").exists()
    target = tmp_path / "keep.qdpx"
    target.write_bytes(b"mine")
    assert main(["export-qdpx", str(data_dir()), str(target)]) == 1
    assert "--force" in capsys.readouterr().err and target.read_bytes() == b"mine"
    assert main(["export-qdpx", str(data_dir()), str(target), "--force"]) == 0
    assert target.read_bytes() == exported.read_bytes()


def test_cli_smoke(tmp_path):
    """One run of each command in a subprocess, as a user types them."""
    ws = empty_workspace(tmp_path / "ws")
    out = tmp_path / "project.qdpx"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "npstudy", *map(str, args)],
                              capture_output=True, text=True, encoding="utf-8")

    exported = run("export-qdpx", data_dir(), out)
    assert exported.returncode == 0, exported.stderr
    assert "REFI-QDA project" in exported.stdout
    imported = run("import-qdpx", out, "--into", ws)
    assert imported.returncode == 0, imported.stderr
    assert "imported 51 new row(s)" in imported.stdout
    assert len(load_practices(ws / "practices.csv")) == 51


def test_entity_expansion_is_refused_quickly(tmp_path):
    """A 'billion laughs' project.qde is an error, not a hang or a memory blow-up."""
    entities = '<!ENTITY l0 "lol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE p [{entities}]>'
            f'<Project xmlns="urn:QDA-XML:project:1.0" name="&l9;"/>')
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("project.qde", bomb)
    with pytest.raises(CodingError, match="project.qde is not well-formed XML"):
        read_qdpx(path)
