"""REFI-QDA projects as QualCoder, MAXQDA, ATLAS.ti and NVivo write them import as they should."""

import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema

from conftest import tree_hashes
from npstudy import data_dir, load_practices
from npstudy.fileio import CodingError
from npstudy.qdpx import derived_doc_id, export_qdpx, import_qdpx, read_qdpx
from npstudy.workspace import make_workspace
from qda_projects import qualcoder_round_trip, refi_project

SCHEMA = Path(__file__).parent / "data" / "Project-mrt2019.xsd"
COMPARED = ["doc_id", "province", "city", "pillar", "theme", "code", "instrument",
            "instrument_type", "quote", "start", "end", "paragraph", "summary_en", "target",
            "first_mover", "coder", "note"]
DOC = "000_08799d6d3f16f583"
TEXT = "上海设立基础研究特区。\n浙江建设概念验证中心，江苏率先召开推进大会。\n"


def canonical(table: pd.DataFrame) -> pd.DataFrame:
    out = table[COMPARED].astype(str)
    return out.sort_values(COMPARED, kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    return export_qdpx(data_dir(), tmp_path_factory.mktemp("qdpx") / "npstudy.qdpx")


@pytest.fixture(scope="module")
def qualcoder(exported, tmp_path_factory) -> tuple[Path, dict]:
    data, info = qualcoder_round_trip(exported.read_bytes())
    path = tmp_path_factory.mktemp("qualcoder") / "npstudy-qualcoder.qdpx"
    path.write_bytes(data)
    return path, info


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- QualCoder

def test_qualcoder_keeps_every_coding_of_our_export(qualcoder):
    """QualCoder loads a code once per (code, source, span, owner): the export writes each code
    on a span once, so its import drops nothing (the old export lost 33 of 200 codings)."""
    path, info = qualcoder
    assert info["dropped"] == 0
    practices = load_practices()
    # one QualCoder coding per distinct (span, coder, code) of the rows, worked out from the table
    expected = sum(len({(r[k]) for _, r in group.iterrows() for k in
                        ("province", "code", "instrument", "instrument_type")})
                   for _, group in practices.groupby(["doc_id", "start", "end", "coder"]))
    assert expected == 171
    assert len(read_qdpx(path).selections) == expected


def test_qualcoder_export_of_our_export_changes_nothing(qualcoder, workspace):
    """The project QualCoder writes (sources/, new GUIDs, BOM, one code per selection) imports
    back into the workspace it came from without a single change."""
    path, _ = qualcoder
    with zipfile.ZipFile(path) as z:
        assert all(n == "project.qde" or n.startswith("sources/") for n in z.namelist())
    before = tree_hashes(workspace)
    merged = import_qdpx(path, workspace)
    assert merged.attrs["imported"] == 0 and merged.attrs["already_present"] == 51
    assert merged.attrs["registered"] == {}
    assert tree_hashes(workspace) == before


def test_qualcoder_export_rebuilds_every_row(qualcoder, tmp_path):
    """Into an empty workspace, the QualCoder project gives back the 50 rows, fields included."""
    path, _ = qualcoder
    ws = make_workspace(tmp_path / "ws", load_practices().iloc[:0])
    merged = import_qdpx(path, ws)
    assert merged.attrs["imported"] == 51
    pd.testing.assert_frame_equal(canonical(merged), canonical(load_practices()))


def test_qualcoder_round_trip_with_windows_line_endings_is_one_clear_error(exported, workspace):
    data, _ = qualcoder_round_trip(exported.read_bytes(), line_endings="\r\n")
    before = tree_hashes(workspace)
    with pytest.raises(CodingError) as err:
        import_qdpx(write(workspace.parent / "crlf.qdpx", data), workspace)
    assert f"source '{DOC}' differs from the text" in str(err.value)
    assert tree_hashes(workspace) == before


# ----------------------------------------------------------------------------- export

def test_export_writes_sources_cases_variables_and_reviewers(exported):
    with zipfile.ZipFile(exported) as z:
        names = z.namelist()
        xml = z.read("project.qde").decode("utf-8")
    assert names[0] == "project.qde" and all(n.startswith("Sources/") for n in names[1:])
    xmlschema.XMLSchema(SCHEMA).validate(xml)
    schema = xmlschema.XMLSchema(SCHEMA)
    doc = schema.to_dict(xml)
    variables = {v["@name"] for v in doc["Variables"]["Variable"]}
    assert variables == {"region", "type"}
    cases = doc["Cases"]["Case"]
    assert len(cases) == 34
    shanghai = next(c for c in cases if c["@name"].startswith("CN-SH "))
    values = sorted(v["TextValue"] for v in shanghai["VariableValue"])
    assert values == ["east", "municipality"]  # data/provinces.csv: CN-SH ... municipality,east
    rows = load_practices()
    sh_spans = rows[rows["province"] == "CN-SH"].groupby(["start", "end", "coder"]).ngroups
    assert len(shanghai["SelectionRef"]) == sh_spans
    users = {u["@name"] for u in doc["Users"]["User"]}
    assert users == set(rows["coder"])


def test_several_rows_on_one_span_are_one_selection_with_one_coding_per_code(exported):
    project = read_qdpx(exported)
    rows = load_practices()
    span = rows[(rows["start"] == 2161) & (rows["end"] == 2184)]  # four provinces, one code
    assert len(span) == 4
    [sel] = [s for s in project.selections if (s["start"], s["end"]) == ("2161", "2184")]
    assert len(sel["codings"]) == 4 + 1 + 1 + 1
    assert len(set(sel["codings"])) == len(sel["codings"])
    assert sel["description"].count("province: ") == 4


# ----------------------------------------------------------------------------- other tools

def _npstudy_codes() -> list[str]:
    return ["province/CN-SH 上海 Shanghai", "province/CN-ZJ 浙江 Zhejiang",
            "framework/innovation.basic_research.special_zone",
            "instrument/environment 环境型", "instrument_type/pilot_zone 试点示范"]


def test_maxqda_style_project_with_its_own_codes_is_one_actionable_error(workspace):
    """MAXQDA-like: Sources/, upper-case GUIDs, CR LF text, the analyst's own code names."""
    data = refi_project(["Innovation", "Regions/Shanghai", "Policy tools/Pilot"],
                        {"Interview 1": TEXT},
                        [("Interview 1", 0, 10, "Innovation"), ("Interview 1", 0, 10, "Shanghai"),
                         ("Interview 1", 0, 10, "Pilot"), ("Interview 1", 11, 22, "Innovation")],
                        upper=True, line_endings="\r\n")
    before = tree_hashes(workspace)
    with pytest.raises(CodingError) as err:
        import_qdpx(write(workspace.parent / "maxqda.qdpx", data), workspace)
    message = str(err.value)
    assert "2 code(s) are not in the npstudy codebook" in message
    assert "'Innovation' (2 codings)" in message and "'Pilot' (1 coding)" in message
    assert "'Shanghai'" not in message  # a province's English name is a province code
    assert "npstudy export-codebook" in message and message.count("\n") == 0
    assert tree_hashes(workspace) == before


def test_maxqda_style_project_with_npstudy_codes_registers_its_text(workspace):
    start = TEXT.index("上海")
    end = TEXT.index("。")
    selections = [("Interview 1", start, end, c.split("/")[1]) for c in _npstudy_codes()
                  if "CN-ZJ" not in c]
    data = refi_project(_npstudy_codes(), {"Interview 1": TEXT}, selections, upper=True,
                        bom=True)
    merged = import_qdpx(write(workspace.parent / "maxqda.qdpx", data), workspace)
    doc_id = derived_doc_id("Interview 1", TEXT)
    assert merged.attrs["registered"] == {"Interview 1": doc_id}
    assert re.fullmatch(r"qdpx_interview-1_[0-9a-f]{8}", doc_id)
    [row] = merged[merged["doc_id"] == doc_id].to_dict("records")
    assert (row["province"], row["code"], row["instrument"], row["instrument_type"]) == (
        "CN-SH", "innovation.basic_research.special_zone", "environment", "pilot_zone")
    assert row["quote"] == "上海设立基础研究特区" and row["coder"] == "Anna"
    assert row["theme"] == "innovation.basic_research"
    assert (workspace / "raw" / f"{doc_id}.txt").read_text(encoding="utf-8") == TEXT
    # importing again adds nothing and registers nothing
    before = tree_hashes(workspace)
    again = import_qdpx(workspace.parent / "maxqda.qdpx", workspace)
    assert again.attrs["imported"] == 0 and again.attrs["registered"] == {}
    assert tree_hashes(workspace) == before


def test_atlas_style_project_file_named_after_the_project(workspace):
    """ATLAS.ti names the project file after the project; GUIDs in braces-free upper case."""
    end = TEXT.index("。")
    selections = [("doc.txt", 0, end, c.split("/")[1]) for c in _npstudy_codes()
                  if "CN-ZJ" not in c]
    data = refi_project(_npstudy_codes(), {"doc.txt": TEXT}, selections, upper=True,
                        qde="Innovation study.qde", folder="sources")
    merged = import_qdpx(write(workspace.parent / "atlas.qdpx", data), workspace)
    assert merged.attrs["imported"] == 1
    assert list(merged.attrs["registered"]) == ["doc.txt"]


def test_nvivo_style_two_provinces_on_one_span_are_two_rows(workspace):
    """One code per selection on a shared span: grouped by span into province × code rows."""
    end = TEXT.index("。")
    selections = [("Report", 0, end, c.split("/")[1]) for c in _npstudy_codes()]
    data = refi_project(_npstudy_codes(), {"Report": TEXT}, selections, folder="sources")
    merged = import_qdpx(write(workspace.parent / "nvivo.qdpx", data), workspace)
    assert merged.attrs["imported"] == 2
    new = merged.tail(2)
    assert sorted(new["province"]) == ["CN-SH", "CN-ZJ"]
    assert set(new["code"]) == {"innovation.basic_research.special_zone"}


def test_a_span_without_an_instrument_is_named_with_what_it_lacks(workspace):
    end = TEXT.index("。")
    selections = [("Report", 0, end, c.split("/")[1]) for c in _npstudy_codes()
                  if not c.startswith("instrument")]
    data = refi_project(_npstudy_codes(), {"Report": TEXT}, selections)
    before = tree_hashes(workspace)
    with pytest.raises(CodingError) as err:
        import_qdpx(write(workspace.parent / "bare.qdpx", data), workspace)
    assert "needs exactly one instrument (has 0), exactly one instrument type (has 0)" in str(
        err.value)
    assert tree_hashes(workspace) == before


def test_cli_reports_the_registered_document(workspace, cli):
    end = TEXT.index("。")
    selections = [("Interview 1", 0, end, c.split("/")[1]) for c in _npstudy_codes()
                  if "CN-ZJ" not in c]
    path = write(workspace.parent / "p.qdpx", refi_project(_npstudy_codes(),
                                                           {"Interview 1": TEXT}, selections))
    run = cli("import-qdpx", path, "--into", workspace)
    assert run.code == 0, run.err
    doc_id = derived_doc_id("Interview 1", TEXT)
    assert f"registered source 'Interview 1' as document {doc_id}" in run.out
    assert "imported 1 new row(s)" in run.out and "next: npstudy validate" in run.out
    assert cli("validate", workspace).code == 0


def test_a_selection_without_a_summary_is_named(workspace):
    end = TEXT.index("。")
    selections = [("Report", 0, end, c.split("/")[1]) for c in _npstudy_codes()
                  if "CN-ZJ" not in c]
    data = refi_project(_npstudy_codes(), {"Report": TEXT}, selections, memo="")
    before = tree_hashes(workspace)
    with pytest.raises(CodingError) as err:
        import_qdpx(write(workspace.parent / "nomemo.qdpx", data), workspace)
    message = str(err.value)
    assert "1 problem(s), nothing imported" in message
    assert f"chars 0–{end}): no English summary for CN-" in message and "memo" in message
    assert "describes only" not in message  # the memo describes no row
    assert tree_hashes(workspace) == before


def test_a_project_without_codings_imports_nothing(workspace):
    data = refi_project(_npstudy_codes(), {"Notes\x7f": TEXT}, [])
    before = tree_hashes(workspace)
    merged = import_qdpx(write(workspace.parent / "empty.qdpx", data), workspace)
    assert merged.attrs["imported"] == merged.attrs["already_present"] == 0
    assert merged.attrs["registered"] == {}  # a source with no coding is not registered
    assert tree_hashes(workspace) == before


def test_a_source_name_with_a_control_character_is_registered_cleanly(workspace):
    end = TEXT.index("。")
    selections = [("Notes\x7f", 0, end, c.split("/")[1]) for c in _npstudy_codes()
                  if "CN-ZJ" not in c]
    data = refi_project(_npstudy_codes(), {"Notes\x7f": TEXT}, selections)
    merged = import_qdpx(write(workspace.parent / "ctl.qdpx", data), workspace)
    doc_id = derived_doc_id("Notes\x7f", TEXT)
    assert merged.attrs["registered"] == {"Notes\x7f": doc_id} and doc_id.startswith("qdpx_notes_")
    docs = (workspace / "documents.csv").read_text(encoding="utf-8")
    assert '"imported from ctl.qdpx, source Notes",' in docs


def test_two_sources_with_one_new_text_register_one_document(workspace):
    end = TEXT.index("。")
    codes = [c.split("/")[1] for c in _npstudy_codes() if "CN-ZJ" not in c]
    selections = [(doc, 0, end, c) for doc in ("A", "B") for c in codes]
    data = refi_project(_npstudy_codes(), {"A": TEXT, "B": TEXT}, selections)
    merged = import_qdpx(write(workspace.parent / "twins.qdpx", data), workspace)
    assert merged.attrs["registered"] == {"A": derived_doc_id("A", TEXT)}
    # both sources code the same span of the one document: one row, and a warning says so
    assert merged.attrs["imported"] == 1 and merged.attrs["already_present"] == 0
    assert any("source 'B' has the same text as source 'A'" in w
               for w in merged.attrs["warnings"])
