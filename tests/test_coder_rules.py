"""Each rule of the coder package as a small function, on values read off by hand."""

import numpy as np
import pandas as pd
import pytest

from npstudy.coder import Coder, code_files
from npstudy.coder.actors import fronted, group_end, owns_firms, role, segment
from npstudy.coder.counts import cn_number, number_start
from npstudy.coder.matcher import (CITY, PROVINCE, abbreviation_lists, dateline_spans, occurrences,
                                   width_variants)
from npstudy.coder.run import document_ids, number_suggestions
from npstudy.coder.rules import alternation, decider
from npstudy.coder.national import is_pilot_segment, national_subjects
from npstudy.coder.tables import join_labels
from npstudy.fileio import CodingError
from npstudy.text import code_points


@pytest.fixture(scope="module")
def coder():
    return Coder()


def test_width_variants_cover_half_and_full_width():
    assert width_variants("AI") == {"AI", "ＡＩ"}
    assert width_variants("ＡＩ芯片") == {"AI芯片", "ＡＩ芯片"}
    assert width_variants("芯片") == {"芯片"}


def test_occurrences_find_overlapping_words():
    cp = code_points("日电日讯日电")
    assert occurrences(cp, ("日电", "日讯")).tolist() == [0, 2, 4]
    assert occurrences(cp, ("电日讯",)).tolist() == [1]
    assert occurrences(cp, ()).tolist() == []


def test_datelines_end_at_their_line():
    text = "新华社杭州1月28日电（记者 王某）浙江\n设立基金"
    assert dateline_spans(text, code_points(text)) == [(0, 18)]     # up to the closing bracket
    assert dateline_spans("3月5日电", code_points("3月5日电")) == [(0, 5)]
    assert dateline_spans("今日电力", code_points("今日电力")) == []


def test_abbreviation_lists_become_provinces(coder):
    text = "苏、皖、豫三省合作"
    idx, a, b = coder._matcher.find(text)
    idx, a, b = abbreviation_lists(text, code_points(text), idx, a, b, coder._abbreviation_pattern)
    provs = [coder._prov_of[i] for i, k in zip(idx, coder._kind[idx]) if k in (PROVINCE, CITY)]
    assert provs == ["CN-JS", "CN-AH", "CN-HA"] and a[:3].tolist() == [0, 2, 4]
    # one abbreviation is no list
    idx, a, b = coder._matcher.find("苏三省")
    assert len(abbreviation_lists("苏三省", code_points("苏三省"), idx, a, b,
                                  coder._abbreviation_pattern)[0]) == len(idx)


def test_counts_read_their_number():
    assert [cn_number(s) for s in ("两", "十", "十五", "三十", "九十九", "一百")] == [2, 10, 15, 30, 99, None]
    cp = code_points("约10余个省份")
    assert number_start(np.array([3]), np.array([True]), np.array([0]), cp).tolist() == [1]
    # the number never reaches before the clause start
    assert number_start(np.array([3]), np.array([True]), np.array([2]), cp).tolist() == [2]


def test_national_subjects_by_their_neighbours():
    text = "全国率先在全国推广国务院印发"
    cp = code_points(text)
    a, b = np.array([0, 5, 10]), np.array([2, 7, 13])
    # 全国率先: 率先 follows; 在全国: 在 before; 国务院印发: a subject
    assert national_subjects(cp, a, b, np.zeros(3, np.int64), np.full(3, -10)).tolist() == [
        False, False, True]


def test_passive_designations_and_context_rules():
    assert is_pilot_segment("被确定为国家级示范区") and not is_pilot_segment("被确定为重点实验室")
    assert alternation([]) is None and alternation(["a.b"]).search("axb") is None
    d = decider([(1, alternation(["基金"]), None), (2, None, None)])
    assert d("设立基金。建设园区。", [0, 5], [5, 10]) == [1, 2]
    only_excludes = decider([(4, None, alternation(["报告"]))])
    assert only_excludes("年度报告。设立基金。", [0, 5], [5, 10]) == [-1, 4]


def test_roles_of_a_mention():
    assert role("华为在贵州建设工厂", 3, 0, 9, [], -10) == "location"
    assert role("近年来在贵州建设", 4, 0, 8, [], -10) == "actor"          # time words are no subject
    assert role("浙江省政府与四川签署合作协议", 6, 0, 14, [(0, "actor")], 3) == "partner"
    assert role("浙江与四川签署合作协议", 3, 0, 11, [(0, "actor")], 2) == "actor"   # a list
    assert role("与浙江相比，江苏", 1, 0, 8, [], -10) == "comparison"
    assert role("上海和浙江建设", 3, 0, 7, [(0, "actor")], 2) == "actor"     # a list: both act
    assert role("对口支援西藏", 4, 0, 6, [], -10) == "partner"
    assert role("国家启动，在内蒙古布局", 6, 0, 11, [(0, "national")], -10) == "part of a national statement"


def test_segments_fronting_firms_and_groups():
    assert segment("甲，乙丙，丁", 3, 0, 6) == (2, 4) and segment("甲乙", 1, 0, 2) == (0, 2)
    assert fronted("依托算力中心，浙江建设", 0, 2, 7) and not fronted("建设算力中心，浙江", 0, 2, 7)
    assert fronted("算力中心由江苏布局", 0, 0, 5)
    assert owns_firms("合肥等地的企业扩产", 2, 9) and not owns_firms("江苏的方案支持企业", 2, 9)
    text = "山东、广东和福建建设"
    assert group_end(text, [0, 3, 6], [2, 5, 8], [PROVINCE] * 3, 0, 3) == 8
    assert group_end(text, [0, 3, 6], [2, 5, 8], [PROVINCE, CITY, 99], 0, 3) == 5


def test_join_labels_keeps_first_appearance_and_drops_repeats():
    labels = np.array(["x", "y", "z"], dtype=object)
    out = join_labels(np.array([1, 1, 1, 0]), np.array([2, 0, 2, 1]), 3, labels)
    assert out.tolist() == ["y", "z;x", ""]


def test_document_ids_and_numbering(tmp_path):
    assert document_ids(["d/a.txt"], "mine") == ["mine"]
    with pytest.raises(CodingError, match="names one document"):
        document_ids(["a.txt", "b.txt"], "x")
    with pytest.raises(CodingError, match="both get the document id 'a'"):
        document_ids(["x/a.txt", "y/a.txt"])
    with pytest.raises(CodingError, match="given twice"):
        document_ids(["a.txt", "./a.txt"])
    frames = [pd.DataFrame({"id": ["S00001", "S00002"]}), pd.DataFrame({"id": ["S00001"]})]
    assert number_suggestions(frames)["id"].tolist() == ["S00001", "S00002", "S00003"]


def test_code_files_numbers_across_files_and_prefixes_warnings(tmp_path, coder):
    (tmp_path / "a.txt").write_text("江苏设立科技创新基金。", encoding="utf-8")
    (tmp_path / "b.txt").write_text("浙江设立科技创新基金。廣東發展。", encoding="utf-8")
    r = code_files([tmp_path / "a.txt", tmp_path / "b.txt"], coder=coder)
    assert r.suggestions[["id", "doc_id", "province"]].values.tolist() == [
        ["S00001", "a", "CN-JS"], ["S00002", "b", "CN-ZJ"]]
    assert all(w.startswith(str(tmp_path / "b.txt") + ": ") for w in r.warnings) and r.warnings


def _window_by_hand(text, pos, lo, hi, reach, commas="，,：:", max_reach=200):
    """Walk out from ``pos`` one comma at a time: the reference for ``rule_windows``."""
    lo, hi = max(lo, pos - max_reach), min(hi, pos + max_reach)
    a = b = pos
    for i in range(reach + 1):
        end = a if i == 0 else a - 1
        if end <= lo:
            a = lo
            break
        a = max([text.rfind(c, lo, end) + 1 for c in commas] + [lo])
    for i in range(reach + 1):
        begin = b if i == 0 else b + 1
        if begin >= hi:
            b = hi
            break
        b = min([x for x in (text.find(c, begin, hi) for c in commas) if x >= 0] or [hi])
    return a, b


def test_rule_windows_by_hand_and_against_a_walk_on_random_texts():
    import random

    from npstudy.coder.rules import MAX_REACH, RULE_REACH, rule_windows
    t = "甲，乙丙，丁，戊"
    a, b = rule_windows(t, np.array([2, 7]), np.array([0, 0]), np.array([8, 8]), reach=0)
    assert [t[x:y] for x, y in zip(a.tolist(), b.tolist())] == ["乙丙", "戊"]
    rng = random.Random(7)
    for _ in range(2000):
        text = "".join(rng.choice("甲乙，,：丙丁") for _ in range(rng.randint(1, 600)))
        lo = rng.randrange(len(text))
        hi = rng.randint(lo + 1, len(text))
        pos = rng.randint(lo, hi - 1)
        for reach in (0, RULE_REACH, 2):
            got = rule_windows(text, np.array([pos]), np.array([lo]), np.array([hi]), reach)
            assert (int(got[0][0]), int(got[1][0])) == _window_by_hand(
                text, pos, lo, hi, reach, max_reach=MAX_REACH), (text, pos, lo, hi, reach)
