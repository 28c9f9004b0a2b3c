"""The automatic coder: reading, splitting, matching, evaluation, review and merge."""

import numpy as np
import pandas as pd
import pytest
from conftest import run_main

from screen_reference import probabilities
from npstudy import load_practices, load_source, validate
from npstudy.coder import SUGGESTION_COLUMNS, Coder, code_file, code_text
from npstudy.coder.confidence import load_calibration
from npstudy.evaluation import evaluate
from npstudy.fileio import CodingError
from npstudy.text import read_document, split_sentences
from npstudy.workspace import decide, make_workspace, merge_reviewed, register_document

DOC = "000_08799d6d3f16f583"


@pytest.fixture(scope="module")
def coder():
    return Coder()


@pytest.fixture(scope="module")
def source_result(coder):
    return coder.code(load_source(), doc_id=DOC)


def run_cli(*args):
    run = run_main(*args)
    return run.code, run.out, run.err


# reading ------------------------------------------------------------------

def test_read_utf8_with_and_without_bom(tmp_path):
    p = tmp_path / "a.txt"
    p.write_bytes("\ufeff上海设立基金。".encode("utf-8"))
    assert read_document(p) == ("上海设立基金。", "utf-8")
    p.write_bytes("上海设立基金。".encode("utf-8"))
    assert read_document(p) == ("上海设立基金。", "utf-8")


def test_every_leading_byte_order_mark_is_removed(tmp_path, cli):
    # a file saved twice with a BOM, and a GB18030 file with its own BOM (84 31 95 33): a
    # U+FEFF left at the start was stored by add-document and then stripped by validate,
    # which counted one character fewer than documents.csv recorded
    text = "浙江设立科技创新基金。"
    p, g = tmp_path / "twice.txt", tmp_path / "gb.txt"
    p.write_bytes(("\ufeff\ufeff" + text).encode("utf-8"))
    g.write_bytes(b"\x84\x31\x95\x33" + text.encode("gb18030"))
    assert read_document(p) == (text, "utf-8")
    assert read_document(g) == (text, "gb18030")
    ws = tmp_path / "ws"
    assert cli("init", ws).code == 0
    for path, doc in ((p, "twice"), (g, "gb")):
        assert cli("add-document", ws, path, "--doc-id", doc).code == 0
        assert (ws / "raw" / f"{doc}.txt").read_text(encoding="utf-8") == text
    assert cli("validate", ws).code == 0


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
def test_no_quote_spans_a_line_separator(separator):
    # a quote spanning U+2029 swallowed the line before it, and merge refused the row because a
    # cell may not hold a line break; the separators end sentences, and the coder says why the
    # lines are not read as paragraphs
    from npstudy.coder import code_text
    from npstudy.workspace import LINE_BREAKS

    text = separator.join(["2024年江苏省政府工作报告", "浙江省设立科技创新基金。",
                           "建设概念验证中心，布局量子信息实验室。"])
    result = code_text(text)
    assert len(result.suggestions)
    for s, e, q in zip(result.suggestions.start, result.suggestions.end, result.suggestions.quote):
        assert text[s:e] == q and not LINE_BREAKS.search(q)
    assert result.suggestions.quote.iloc[0] == "浙江省设立科技创新基金"
    assert any(f"U+{ord(separator):04X}" in w for w in result.warnings)


def test_each_kind_of_line_separator_is_counted_by_itself():
    from npstudy.text import code_points, text_warnings

    [warning] = text_warnings(code_points("浙江设立基金。\u2028江苏建设中心。\x85上海。\u2028"))
    assert "(1 U+0085, 2 U+2028; first at character 7)" in warning


def test_read_gb18030_detected_and_forced(tmp_path):
    p = tmp_path / "g.txt"
    p.write_bytes("山东、广东获批筹建国家碳计量中心。".encode("gb18030"))
    assert read_document(p)[1] == "gb18030"
    assert read_document(p, "gb18030")[0] == "山东、广东获批筹建国家碳计量中心。"
    with pytest.raises(CodingError, match="pass --encoding gb18030"):
        read_document(p, "utf-8")
    r = code_file(p)
    assert r.warnings[0].startswith("read as gb18030")
    assert sorted(r.suggestions["province"]) == ["CN-GD", "CN-SD"]


@pytest.mark.parametrize("payload, message", [
    (b"", "file is empty"),
    (b"   \n\n", "file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("上海".encode("utf-16"), "UTF-16"),
    ("Ça coûte très cher à Genève".encode("latin-1"), "save it as UTF-8"),
    # Big5 decodes as GB18030 too, into rare characters and symbols (打玭現┎厨…)
    ("湖南省政府工作報告指出，全省大力推進科技創新，設立產業投資基金。".encode("big5"),
     "looks Big5-encoded"),
    ("東京都は新しい技術の開発を進めている。".encode("shift_jis"), "-f SHIFT-JIS -t UTF-8"),
    ("東京都は新しい技術の開発を進めている。".encode("euc_jp"), "-f EUC-JP -t UTF-8"),
])
def test_bad_files(tmp_path, payload, message):
    p = tmp_path / "bad.txt"
    p.write_bytes(payload)
    with pytest.raises(CodingError, match=message):
        read_document(p)
    code, _, err = run_cli("code", p)
    assert code == 1 and message in err


def test_traditional_text_in_gb18030_is_still_read(tmp_path):
    # Traditional characters saved as GB18030 are no Big5: read, then reported as Traditional
    p = tmp_path / "t.txt"
    p.write_bytes("湖南省政府工作報告指出，全省大力推進科技創新。".encode("gb18030"))
    assert read_document(p) == ("湖南省政府工作報告指出，全省大力推進科技創新。", "gb18030")


def test_unsupported_encoding(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("上海", encoding="utf-8")
    with pytest.raises(CodingError, match="not supported"):
        read_document(p, "big5")


# splitting ----------------------------------------------------------------

def test_split_mixed_punctuation_keeps_offsets():
    text = "如,上海设立基金;浙江建设平台。\n广东出台条例!北京发布标准?山东建立机制；江苏上线平台"
    s = split_sentences(text)
    assert s["text"].tolist() == ["如,上海设立基金", "浙江建设平台", "广东出台条例", "北京发布标准",
                                  "山东建立机制", "江苏上线平台"]
    assert s["sentence"].tolist() == [0, 0, 1, 2, 3, 3]
    assert s["line"].tolist() == [0, 0, 1, 1, 1, 1]
    assert all(text[a:b] == t for a, b, t in zip(s["start"], s["end"], s["text"]))


# matching -----------------------------------------------------------------

def test_list_of_provinces_gives_one_row_each(coder):
    r = coder.code("山东、广东、福建、内蒙古获批筹建国家碳计量中心。")
    assert r.suggestions["province"].tolist() == ["CN-SD", "CN-GD", "CN-FJ", "CN-NM"]
    assert set(r.suggestions["code"]) == {"green.carbon_accounting.carbon_metrology"}
    assert list(r.suggestions.columns) == SUGGESTION_COLUMNS


def test_cities_resolve_to_provinces(coder):
    r = coder.code("宁波已建成一批概念验证中心。")
    assert r.suggestions[["province", "city"]].values.tolist() == [["CN-ZJ", "宁波"]]
    # the screen's probability of the item; without the screen, the rate of its cell (a
    # policy verb, 建成, in one sentence); the rule score is 0.6 - 0.1
    expected = probabilities("宁波已建成一批概念验证中心。")[("CN-ZJ", "innovation.tech_transfer")]
    assert r.suggestions["confidence"].tolist() == [round(expected, 2)]
    unscreened = Coder(screened=False).code("宁波已建成一批概念验证中心。")
    assert unscreened.suggestions["confidence"].tolist() == [load_calibration()["instrument/single"]]
    raw = Coder(calibrated=False).code("宁波已建成一批概念验证中心。")
    assert raw.suggestions["confidence"].tolist() == [0.5]


def test_no_wrong_word_splits(coder):
    # 浙江西部 holds 江西 across a word boundary; 人工智能创新应用先导区 holds 先导区.
    r = coder.code("浙江西部打造人工智能创新应用先导区。")
    assert r.suggestions[["province", "code", "keywords"]].values.tolist() == [
        ["CN-ZJ", "new_tracks.digital_economy.ai_empowerment", "人工智能创新应用先导区"]]
    # an ambiguous short city name is not read as a place
    assert coder.code("推动大同社会建设概念验证中心。").suggestions.empty


def test_full_width_variants_match_without_moving_offsets(coder):
    text = "７省份涉及６Ｇ。江苏布局６Ｇ未来网络。"
    r = coder.code(text)
    row = r.suggestions.iloc[0]
    assert (row["province"], row["code"]) == ("CN-JS", "new_tracks.future_industries.future_fields")
    assert text[row["start"]:row["end"]] == row["quote"] == "江苏布局６Ｇ未来网络"


def test_counted_provinces_are_aggregates_not_rows(coder):
    r = coder.code("9省份瞄准氢能、核能、储能等未来能源。多数省份提出开展碳排放权交易。"
                   "上海、福建等10余个省份积极拓展国际贸易“单一窗口”。")
    assert set(r.suggestions["province"]) == {"CN-SH", "CN-FJ"}
    a = r.aggregates
    assert a["quantifier"].tolist() == ["9省份", "多数省份", "10余个省份"]
    assert a["count"].tolist()[0] == 9 and pd.isna(a["count"].tolist()[1])
    assert a["count_is_lower_bound"].tolist() == [False, False, True]


def test_an_aggregate_quotes_its_clause_within_a_window(coder):
    # a clause of normal length is quoted whole; in a text with no punctuation each repeated
    # quantifier quotes at most QUOTE_WINDOW characters either side of itself, so the output
    # grows with the input, not with its square (16,000 rows once quoted 112 kB each)
    from npstudy.coder.counts import QUOTE_WINDOW

    plain = coder.code("据统计，全国已有9省份出台专项政策。").aggregates
    assert plain["quote"].tolist() == ["据统计，全国已有9省份出台专项政策"]
    text = "9省份" * 2000
    a = coder.code(text).aggregates
    assert len(a) == 2000
    assert a["quote"].str.len().max() <= 2 * QUOTE_WINDOW + len("9省份")
    assert all(text[s:e] == q for s, e, q in zip(a["start"], a["end"], a["quote"]))


def test_partners_are_not_actors(coder):
    r = coder.code("依托广州-深圳-香港-澳门科技创新走廊,鼓励港澳高校承担项目。")
    assert set(r.suggestions["province"]) == {"CN-GD"}
    partners = Coder(include_partners=True).code("香港建设概念验证中心。")
    assert partners.suggestions["province"].tolist() == ["CN-HK"]


def test_subject_carries_over_within_a_paragraph_only(coder):
    text = "广东出台条例;同时,建设数据交易中心。建设概念验证中心。\n设立科技创新基金。"
    r = coder.code(text)
    p = probabilities(text)
    assert r.suggestions[["province", "code", "confidence"]].values.tolist() == [
        ["CN-GD", "new_tracks.digital_economy.data_exchange",
         round(p[("CN-GD", "new_tracks.digital_economy")], 2)],
        ["CN-GD", "innovation.tech_transfer.proof_of_concept",
         round(p[("CN-GD", "innovation.tech_transfer")], 2)]]


def test_keyword_at_very_start_and_end(coder):
    text = "概念验证中心由江苏布局;江苏建设碳计量中心"
    r = coder.code(text)
    assert r.suggestions["keywords"].tolist() == ["概念验证中心", "碳计量中心"]
    assert r.suggestions["start"].tolist() == [0, 12]
    assert r.suggestions["end"].tolist() == [11, len(text)]


def test_text_with_no_province(coder):
    r = coder.code("各地积极布局建设概念验证中心。")
    assert r.suggestions.empty and list(r.suggestions.columns) == SUGGESTION_COLUMNS
    assert "no province" in r.warnings[0]
    assert r.aggregates["quantifier"].tolist() == ["各地"]


def test_traditional_text_is_reported_not_converted(coder):
    r = coder.code("廣東省發佈產品碳足跡評價標準,建設國家碳計量中心。")
    assert r.suggestions.empty
    assert any("Traditional Chinese" in w for w in r.warnings)


def test_very_long_line(coder):
    text = "江苏建设概念验证中心" + "推进" * 300_000 + "浙江设立科技创新基金"
    r = coder.code(text)
    assert r.suggestions["province"].tolist() == ["CN-JS", "CN-ZJ"]
    assert r.suggestions["end"].tolist()[-1] == len(text)


def test_scan_is_leftmost_longest(coder):
    # an independent leftmost-longest matcher: one regex alternation, longest pattern first
    import re

    text = load_source() * 3
    patterns = sorted(coder._patterns, key=len, reverse=True)
    expected = [(m.start(), m.end()) for m in re.finditer("|".join(map(re.escape, patterns)), text)]
    got = coder.scan(text)
    assert list(zip(got["start"], got["end"])) == expected
    assert (got["match"] == [text[a:b] for a, b in expected]).all()


def test_suggestion_offsets_point_at_quotes(source_result):
    text = load_source()
    s = source_result.suggestions
    assert all(text[a:b] == q for a, b, q in zip(s["start"], s["end"], s["quote"]))
    assert all(text.count("\n", 0, a) == p for a, p in zip(s["start"], s["paragraph"]))


# evaluation ---------------------------------------------------------------

def test_evaluate_on_the_source(source_result):
    theme = evaluate(source_result.suggestions, level="theme")
    assert theme["recall"] >= 0.9 and theme["precision"] >= 0.8
    # the coder also suggests Shanghai's direction-only green-tracks sentence, which rule R1 leaves out
    assert (theme["true_positives"], theme["suggested"], theme["reference"]) == (40, 41, 40)
    code = evaluate(source_result.suggestions, level="code")
    assert (code["true_positives"], code["suggested"], code["reference"]) == (45, 54, 45)


def test_evaluate_by_hand():
    ref = pd.DataFrame({"doc_id": ["d"] * 3, "province": ["A", "A", "B"], "theme": ["x", "y", "x"]})
    sug = pd.DataFrame({"doc_id": ["d"] * 2, "province": ["A", "C"], "theme": ["x", "x"]})
    r = evaluate(sug, ref)
    assert (r["precision"], r["recall"]) == (0.5, 1 / 3)
    assert r["f1"] == pytest.approx(2 * 0.5 * (1 / 3) / (0.5 + 1 / 3))


# cli ----------------------------------------------------------------------

def test_cli_code_writes_and_never_overwrites(tmp_path):
    src = tmp_path / "doc.txt"
    src.write_text("山东、广东获批筹建国家碳计量中心。9省份瞄准氢能。", encoding="utf-8")
    out = tmp_path / "s.csv"
    code, _, err = run_cli("code", src, "--out", out)
    assert code == 0 and "2 suggestion(s) for 2 province(s); 1 counted-but-unnamed" in err
    table = pd.read_csv(out)
    assert table["doc_id"].unique().tolist() == ["doc"]
    assert pd.read_csv(tmp_path / "s_aggregates.csv")["quantifier"].tolist() == ["9省份"]
    before = out.read_bytes()
    code, _, err = run_cli("code", src, "--out", out)
    assert code == 1 and "pass --force" in err and out.read_bytes() == before
    assert run_cli("code", src, "--out", out, "--force", "--doc-id", "x")[0] == 0
    assert pd.read_csv(out)["doc_id"].unique().tolist() == ["x"]


# review and merge ---------------------------------------------------------

def test_review_merge_and_validate(tmp_path):
    base = load_practices()
    ws = make_workspace(tmp_path / "ws", base[base["pillar"] != "green"])
    new = tmp_path / "new.txt"
    new.write_text("山东、广东获批筹建国家碳计量中心。\n", encoding="utf-8")
    register_document(ws, new, "new_doc", year=2024)
    s = code_file(ws / "raw" / "new_doc.txt", doc_id="new_doc").suggestions
    with pytest.raises(CodingError, match="have no decision"):
        merge_reviewed(s, ws)
    reviewed = decide(s, accept=["S00001"], reject=["S00002"])
    with pytest.raises(CodingError, match="summary_en: '' – must not be empty"):
        merge_reviewed(reviewed, ws)
    reviewed = decide(reviewed, summaries={"S00001": "Shandong won approval for a carbon metrology centre."})
    merged = merge_reviewed(reviewed, ws)
    assert len(merged) == len(base[base["pillar"] != "green"]) + 1
    assert merged.iloc[-1][["id", "doc_id", "province"]].tolist() == ["P059", "new_doc", "CN-SD"]
    assert validate(ws) == []
    assert (ws / "practices.csv.bak").exists()
    assert s["decision"].eq("").all()  # decide() returned copies


def test_cli_merge_reports_problems(tmp_path):
    ws = make_workspace(tmp_path / "ws")
    s = code_text(load_source(), doc_id=DOC).suggestions.head(2)
    path = tmp_path / "reviewed.csv"
    decide(s, accept=["S00001", "S00002"]).to_csv(path, index=False)
    code, _, err = run_cli("merge", path, "--into", ws)
    assert code == 1
    assert "reviewed.csv:2: summary_en: '' – must not be empty" in err
    assert len(load_practices(ws / "practices.csv")) == 51


def test_make_workspace_refuses_to_overwrite(tmp_path):
    make_workspace(tmp_path)
    with pytest.raises(CodingError, match="already holds practices.csv"):
        make_workspace(tmp_path)


def test_default_coder_is_reused(monkeypatch):
    from npstudy.coder import core as coder_module

    built = []
    original_init = coder_module.Coder.__init__

    def counting_init(self, *args, **kwargs):
        built.append(self)
        original_init(self, *args, **kwargs)

    monkeypatch.setattr(coder_module, "_DEFAULT_CODER", None)
    monkeypatch.setattr(coder_module.Coder, "__init__", counting_init)
    a = code_text("江苏建设碳计量中心。")
    b = code_text("浙江设立科技创新基金。")
    assert len(built) == 1  # built on the first call, reused on the second
    assert coder_module._DEFAULT_CODER is built[0]
    assert a.suggestions["province"].tolist() == ["CN-JS"]
    assert b.suggestions["province"].tolist() == ["CN-ZJ"]
    assert np.all(a.suggestions["confidence"] <= 0.95)


def test_windows_line_endings_keep_offsets_and_lines(coder, tmp_path):
    p = tmp_path / "crlf.txt"
    p.write_bytes("标题\r\n江苏建设概念验证中心。\r\n浙江设立科技创新基金。\r\n".encode("utf-8"))
    text, _ = read_document(p)
    s = coder.code(text).suggestions
    assert s["paragraph"].tolist() == [1, 2]
    assert all(text[a:b] == q for a, b, q in zip(s["start"], s["end"], s["quote"]))


def test_carbon_text_is_not_taken_for_traditional(coder):
    # 碳 is the same character in both scripts; a dense carbon text gave a false warning
    text = "浙江推进碳足迹认证，建设碳计量中心，开展碳排放权交易、碳汇和碳票试点，降低碳排放。"
    assert text.count("碳") / sum("\u4e00" <= ch <= "\u9fff" for ch in text) > 0.02
    assert not any("Traditional" in w for w in coder.code(text).warnings)
    from npstudy.text import _TRADITIONAL
    assert "碳" not in _TRADITIONAL
    # every character of the set is Traditional-only: none occurs in the Simplified source
    assert not set(load_source()) & _TRADITIONAL


def test_merge_keeps_the_statement_and_scope_columns(tmp_path):
    """Columns beyond the schema (statement ids, scope) survive init and merge."""
    from npstudy.workspace import make_workspace, merge_reviewed

    ws = make_workspace(tmp_path / "ws")
    before = load_practices(ws / "practices.csv")
    assert {"statement", "scope"} <= set(before.columns)
    s = load_practices()
    new = s[s["id"] == "P004"].assign(decision="accept", doc_id="000_08799d6d3f16f583",
                                      province="CN-SH", city="")
    merged = merge_reviewed(new.drop(columns=["statement", "scope"]), ws)
    assert len(merged) == len(before) + 1
    assert merged["statement"].iloc[:-1].tolist() == before["statement"].tolist()
    assert merged["statement"].iloc[-1] == "" and merged["scope"].iloc[-1] == ""


def test_counts_in_every_numeral_form(coder):
    # Arabic digits (half and full width) are read with array operations, Chinese numerals
    # one by one; both give the number written before 省份
    r = coder.code("9省份、１２省份、10余个省份、十余个省份、三十一个省份和两省份都在行动。")
    a = r.aggregates
    assert a["quantifier"].tolist() == ["9省份", "１２省份", "10余个省份", "十余个省份", "三十一个省份",
                                        "两省份"]
    assert a["count"].tolist() == [9, 12, 10, 10, 31, 2]
    assert a["count_is_lower_bound"].tolist() == [False, False, True, True, False, False]
    assert str(a["count"].dtype) == "Int64"


def test_invisible_characters_are_reported(tmp_path):
    p = tmp_path / "zw.txt"
    p.write_text("浙\u200b江省设\u200c立科技创新基金。", encoding="utf-8")
    code, _, err = run_cli("code", p)
    assert code == 0
    assert "2 invisible format character(s) (U+200B first, at character 1)" in err
