"""Tables in the notebooks show province names: ``gazetteer.with_names``."""

import pandas as pd
import pytest

import npstudy
from npstudy import scoring
from npstudy.gazetteer import with_names


def test_index_and_columns_are_named_without_mutating_the_input():
    pairs = pd.DataFrame({"a": ["CN-BJ", "CN-NM"], "b": ["CN-SD", "CN-FJ"], "similarity": [0.75, 0.5]})
    before = pairs.copy()
    named = with_names(pairs)
    pd.testing.assert_frame_equal(pairs, before)
    assert named["a"].tolist() == ["Beijing", "Inner Mongolia"]
    assert named["b"].tolist() == ["Shandong", "Fujian"]
    assert named["similarity"].tolist() == [0.75, 0.5]


def test_matrix_index_in_chinese_and_order_kept():
    matrix = scoring.coverage_matrix(npstudy.load_practices(), "pillar")
    named = with_names(matrix, lang="zh")
    assert named.index.name == "province" and len(named) == len(matrix) == 13
    # names from data/provinces.csv, in the matrix's own (GB/T 2260) order
    assert named.index[:4].tolist() == ["北京", "山西", "内蒙古", "上海"]
    assert (named.to_numpy() == matrix.to_numpy()).all()


def test_lists_of_codes_empty_cells_and_other_values():
    table = pd.DataFrame({"named_provinces": ["CN-JS;CN-ZJ", "", None, "9省份"]})
    assert with_names(table)["named_provinces"].tolist()[:2] == ["Jiangsu; Zhejiang", ""]
    assert with_names(table, lang="zh")["named_provinces"][0] == "江苏、浙江"
    assert pd.isna(with_names(table)["named_provinces"][2])
    assert with_names(table)["named_provinces"][3] == "9省份"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'en' or 'zh'"):
        with_names(pd.DataFrame({"province": ["CN-SH"]}), lang="fr")
