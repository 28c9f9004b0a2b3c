"""The document's province without --province: title lines, add-document --province, the text.

Every header below is made up for the test; the expected province is read off it by hand.
"""

import pytest

from npstudy.coder import Coder, code_files
from npstudy.coder.province import document_province, title_lines, title_province


@pytest.fixture(scope="module")
def coder():
    return Coder()


BODY = "\n过去一年，全省设立科技创新基金，新建概念验证中心。"


@pytest.mark.parametrize("header, province", [
    ("2024年江苏省政府工作报告", "CN-JS"),
    ("政府工作报告\n——2024年1月在浙江省第十四届人民代表大会第二次会议上", "CN-ZJ"),
    ("浙江省人民政府关于加快培育未来产业的实施意见", "CN-ZJ"),
    ("安徽省科学技术厅关于组织申报概念验证中心的通知", "CN-AH"),
    ("江苏省科学技术厅 江苏省财政厅关于印发若干措施的通知", "CN-JS"),   # two agencies, one province
    ("杭州市人民政府关于印发科技创新若干政策的通知", "CN-ZJ"),           # a city: its province
    ("成都市“十四五”科技创新规划", "CN-SC"),
    ("内蒙古自治区人民政府办公厅印发氢能产业发展方案", "CN-NM"),
])
def test_the_issuer_in_the_title_gives_the_province(coder, header, province):
    text = header + BODY
    assert title_province(text, coder) == province
    assert document_province(text, coder) == (province, "title")


@pytest.mark.parametrize("text", [
    "国务院关于支持福建探索海峡两岸融合发展新路的意见" + BODY,        # a national issuer
    "江苏省 浙江省关于共建长三角科创走廊的通知" + BODY,                # two provinces
    "关于加快培育未来产业的实施意见" + BODY,                           # no issuer named
    "浙江设立科技创新基金，支持概念验证中心建设。" + BODY,              # a sentence, no title
    "科技创新动态" + BODY,                                            # no document-type word
    "。" * 300 + "\n江苏省人民政府关于印发方案的通知" + BODY,           # not near the start
    "浙江省人民政府关于印发" + "科技创新" * 25 + "方案的通知" + BODY,   # too long for a title
])
def test_no_title_province(coder, text):
    assert title_province(text, coder) is None
    assert document_province(text, coder) == (None, "text")


def test_title_lines_skip_blank_lines_and_sentences():
    assert title_lines("\n\n  江苏省政府工作报告 \n\n各位代表：\n今年经济增长5%。") == [
        "江苏省政府工作报告", "各位代表："]


def test_given_and_recorded_come_first(coder):
    text = "2024年江苏省政府工作报告" + BODY
    assert document_province(text, coder, province="浙江") == ("浙江", "given")
    assert document_province(text, coder, recorded="CN-AH") == ("CN-AH", "recorded")
    assert document_province(text, coder, "CN-ZJ", "CN-AH") == ("CN-ZJ", "given")


def test_code_uses_the_title_and_the_recorded_province(tmp_path, coder, cli):
    report = tmp_path / "report.txt"
    report.write_text("2024年江苏省政府工作报告" + BODY, encoding="utf-8")
    r = code_files([report], coder=coder)
    assert sorted(set(r.suggestions["province"])) == ["CN-JS"]
    assert len(r.suggestions) == 2     # 科技创新基金 and 概念验证中心, both 全省 = Jiangsu
    # --province overrides the title
    assert set(code_files([report], province="CN-AH", coder=coder).suggestions["province"]) == {"CN-AH"}
    # a workspace text: the province recorded at add-document
    plain = tmp_path / "plain.txt"
    plain.write_text("过去一年，全省设立科技创新基金。\n", encoding="utf-8")
    assert code_files([plain], coder=coder).suggestions.empty
    ws = tmp_path / "ws"
    assert cli("init", ws).code == 0
    assert cli("add-document", ws, plain, "--doc-id", "d1", "--province", "安徽").code == 0
    import csv
    rows = list(csv.DictReader(open(ws / "documents.csv", encoding="utf-8-sig")))
    assert [r["province"] for r in rows] == [""] * (len(rows) - 1) + ["CN-AH"]
    assert cli("validate", ws).code == 0
    r = code_files([ws / "raw" / "d1.txt"], coder=coder)
    assert r.suggestions["province"].tolist() == ["CN-AH"]
    run = cli("code", ws / "raw" / "d1.txt", "--out", tmp_path / "s.csv")
    assert run.code == 0 and "CN-AH" in (tmp_path / "s.csv").read_text(encoding="utf-8-sig")


def test_add_document_refuses_an_unknown_province(tmp_path, cli):
    (tmp_path / "d.txt").write_text("全省设立基金。", encoding="utf-8")
    assert cli("init", tmp_path / "ws").code == 0
    run = cli("add-document", tmp_path / "ws", tmp_path / "d.txt", "--doc-id", "d", "--province",
              "Atlantis")
    assert run.code == 1 and "not a province name or ISO code" in run.err
    assert "e.g. 浙江, 浙江省, Zhejiang or CN-ZJ" in run.err     # and what to give instead
    assert "d.txt" not in {p.name for p in (tmp_path / "ws" / "raw").iterdir()}


def test_a_news_headline_gives_the_province(coder):
    from npstudy.coder.province import document_province, headline_province
    # a headline naming one province's city; the body names none and says 全市
    text = "洛阳市设立先进制造业基金\n记者日前获悉，全市将设立先进制造业基金，支持企业技术改造。"
    assert headline_province(text, coder) == "CN-HA"
    assert document_province(text, coder) == ("CN-HA", "title")
    # two provinces in the headline, or a headline that is a sentence: nothing
    assert headline_province("苏浙两省共建走廊\n正文。", coder) is None
    assert headline_province("洛阳市设立基金。\n正文。", coder) is None


@pytest.mark.parametrize("paths", [[], "report.txt"])
def test_code_files_wants_a_list_of_files(paths):
    from npstudy.fileio import CodingError

    with pytest.raises(CodingError, match="pass a list of one or more text files"):
        code_files(paths)
