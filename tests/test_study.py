"""A workspace's own codebook and gazetteer reach every table and figure of its build."""

import dataclasses

import pandas as pd
import pytest

from npstudy import data_dir, load_practices
from npstudy.build import build, compute_tables, draw_figures
from npstudy.lang import check_lang
from npstudy.scoring import province_scores, region_summary
from npstudy.study import Study
from npstudy.workspace import make_workspace

SH_SHIPPED = "CN-SH,310000,上海市,上海,Shanghai,municipality,east,"
SH_MOVED = "CN-SH,310000,上海市,上海,Shanghai,municipality,central,"
LABEL = "Labs, basic research and research zones"
SHORT = 'short_en: "Basic research"'


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A workspace whose gazetteer puts Shanghai in the central region and whose codebook
    renames the first theme."""
    ws = make_workspace(tmp_path_factory.mktemp("study") / "ws")
    provinces = (data_dir() / "provinces.csv").read_text(encoding="utf-8")
    assert provinces.count(SH_SHIPPED) == 1
    (ws / "provinces.csv").write_text(provinces.replace(SH_SHIPPED, SH_MOVED), encoding="utf-8")
    codebook = (data_dir() / "codebook.yaml").read_text(encoding="utf-8")
    assert codebook.count(LABEL) == 1 and codebook.count(SHORT) == 1
    codebook = codebook.replace(LABEL, "Workspace laboratories").replace(SHORT, 'short_en: "WS labs"')
    (ws / "codebook.yaml").write_text(codebook, encoding="utf-8")
    return ws


def test_study_load_reads_the_workspace_reference_data(workspace):
    study = Study.load(workspace)
    assert study.source == workspace
    assert study.gazetteer.region("CN-SH") == "central"
    assert study.codebook.label("innovation.basic_research") == "Workspace laboratories"
    shipped = Study.load()
    assert shipped.gazetteer.region("CN-SH") == "east"
    assert shipped.codebook.label("innovation.basic_research") == LABEL
    with pytest.raises(dataclasses.FrozenInstanceError):
        study.codebook = shipped.codebook


def test_scores_follow_the_gazetteer_they_are_given(workspace):
    study = Study.load(workspace)
    p = study.practices
    ref = dict(codebook=study.codebook, gazetteer=study.gazetteer)
    assert province_scores(p, **ref).loc["CN-SH", "region"] == "central"
    assert province_scores(p).loc["CN-SH", "region"] == "east"
    ours, shipped = region_summary(p, **ref), region_summary(p)
    # Shanghai (mentioned, 7 themes) moves from east to central: one province more there
    assert ours.loc["central", "provinces"] == shipped.loc["central", "provinces"] + 1
    assert ours.loc["east", "mentioned"] == shipped.loc["east", "mentioned"] - 1
    sh = int((p["province"] == "CN-SH").sum())
    assert ours.loc["central", "practices"] == shipped.loc["central", "practices"] + sh


def test_build_data_writes_tables_from_the_workspace_reference_data(workspace, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    build(out, langs=("en",), formats=("svg",), n_samples=19, data=workspace, echo=None,
          workers=1)
    scores = pd.read_csv(out / "tables" / "province_scores.csv", index_col=0)
    assert scores.loc["CN-SH", "region"] == "central"
    regions = pd.read_csv(out / "tables" / "region_summary.csv", index_col=0)
    shipped = region_summary(load_practices())
    assert regions.loc["central", "provinces"] == shipped.loc["central", "provinces"] + 1
    tests = pd.read_csv(out / "tables" / "region_test.csv", index_col=0)
    assert (tests["units"] > 0).all()


def test_figures_are_labelled_with_the_workspace_codebook(workspace):
    study = Study.load(workspace)
    results = compute_tables(study.practices, n_samples=19, codebook=study.codebook,
                             gazetteer=study.gazetteer)
    assert results.codebook is study.codebook and results.gazetteer is study.gazetteer
    fig = draw_figures(results, "en", ["fig2_coverage_heatmap"])["fig2_coverage_heatmap"]
    texts = " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")))
    assert "WS labs" in texts or "Workspace laboratories" in texts
    assert "Basic research" not in texts


def test_check_lang():
    assert check_lang("en") == "en"
    with pytest.raises(ValueError, match="'en' or 'zh'"):
        check_lang("fr")


def test_robustness_follows_the_gazetteer_it_is_given(workspace):
    # the region rows of the robustness table use the workspace's regions: moving Shanghai to
    # the central region changes the same- minus different-region statistic, worked out again
    # here from the similarity matrix and the regions
    from npstudy.nullmodels import region_test
    from npstudy.robustness import robustness_table
    from npstudy.scoring import coverage_matrix
    from npstudy.similarity import similarity_matrix

    study = Study.load(workspace)
    p = study.practices
    ours = robustness_table(p, n_samples=19, seed=1, codebook=study.codebook,
                            gazetteer=study.gazetteer)
    shipped = robustness_table(p, n_samples=19, seed=1)

    def effect(t):
        row = t[(t["quantity"] == "region_effect") & (t["group"] == "baseline")]
        return float(row["value"].iloc[0])

    presence = coverage_matrix(p, "theme", "presence", provinces="mainland",
                               codebook=study.codebook, gazetteer=study.gazetteer)
    expected = region_test(similarity_matrix(presence), n_perm=19, seed=1,
                           gazetteer=study.gazetteer).iloc[0]["statistic"]
    assert effect(ours) == pytest.approx(expected, abs=1e-6)
    assert effect(ours) != pytest.approx(effect(shipped), abs=1e-6)
