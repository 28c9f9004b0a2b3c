"""The statement test (npstudy.coder.statement): a clause yields a suggestion only when it
reports a provincial action. Every sentence here is made up for the test; each exhibits one
class of text that real published documents hold."""

import pytest

from npstudy.coder import Coder
from npstudy.coder.statement import (clause_reason, clause_span, cluster_not_chain, in_sector_list,
                                     inside_name, instrument_verb, is_instrument_term,
                                     statement_reason)


@pytest.fixture(scope="module")
def coder():
    return Coder()


@pytest.fixture(scope="module")
def raw():
    return Coder(statement_test=False)


def themes(result):
    return sorted(set(zip(result.suggestions["province"], result.suggestions["theme"])))


# the small rules ------------------------------------------------------------------------

def test_clause_span_stops_at_commas_colons_and_semicolons():
    s = "甲省印发方案；设立基金,支持企业：奖励人才"
    assert [s[slice(*clause_span(s, i))] for i in (0, 8, 14, 19)] == [
        "甲省印发方案", "设立基金", "支持企业", "奖励人才"]


def test_instrument_terms_end_in_an_instrument():
    assert [is_instrument_term(t) for t in ("产业投资基金", "自由贸易试验区", "链长制", "数字经济",
                                            "新能源")] == [True, True, True, False, False]


def test_weak_verbs_need_a_concrete_object():
    assert instrument_verb("设立海洋产业基金") == "设立"
    assert instrument_verb("加快建设海洋强省", "海洋") == ""
    assert instrument_verb("加快建设海洋产业园", "海洋") == "建设"
    assert instrument_verb("打造“蓝色粮仓”", "蓝色") == "打造"


def test_sector_lists_and_lists_of_instruments():
    assert in_sector_list("聚焦生物医药、新材料、低空经济等领域", "低空经济")
    assert in_sector_list("聚焦生物医药、新材料、低空经济等领域", "生物医药")
    assert not in_sector_list("建设甲港、乙港、丙港等开放平台", "乙港")
    assert not in_sector_list("碳排放权交易试点覆盖钢铁、化工、电力等行业", "碳排放权交易")


def test_words_inside_names():
    assert inside_name("参观了市海洋大数据示范中心", "海洋大数据")
    assert inside_name("省量子科技课题组赴外省考察", "量子科技")
    assert not inside_name("在未来产业布局上", "未来产业")
    assert not inside_name("大力发展大数据产业", "大数据")


def test_cluster_is_chain_policy_only_with_a_chain_instrument():
    chains = "new_tracks.industrial_chains"
    assert cluster_not_chain("乙省将打造千亿级纺织产业集群", "产业集群", chains)
    assert not cluster_not_chain("乙省为每个产业集群配备链长和专班", "产业集群", chains)
    assert not cluster_not_chain("乙省将打造千亿级纺织产业集群", "产业集群",
                                 "new_tracks.future_industries")
    # a named programme or plan for clusters is chain policy: 培育工程, 发展规划, 行动方案
    assert not cluster_not_chain("乙省启动实施先进制造业集群培育工程", "先进制造业集群", chains)
    assert not cluster_not_chain("印发《乙省纺织产业集群发展规划》", "产业集群", chains)


@pytest.mark.parametrize("clause, term, reason", [
    ("丙省设立海洋产业基金", "产业基金", ""),
    ("海洋经济产值同比上升8.5%", "海洋经济", "statistic"),
    ("新设立海洋企业数量同比多出两成", "海洋", "statistic"),
    ("省财政投入专项资金3亿元", "专项资金", ""),
    ("持续加强海洋研究", "海洋研究", "no instrument"),
    ("深入贯彻总书记关于数字经济的重要论述", "数字经济", "boilerplate"),
    ("某某科技有限公司新建电池工厂", "电池", "firm's own action"),
    ("在某某大学试点科研经费包干制", "包干制", ""),
    ("聚焦生物医药、新材料、低空经济等领域", "低空经济", "field in a list"),
    ("市海洋大数据示范中心人员齐备", "海洋大数据", "word inside a name"),
])
def test_clause_reasons(clause, term, reason):
    assert clause_reason(clause, term) == reason


def test_an_actor_in_the_clause_makes_a_field_statement():
    # 丙省大力发展海洋经济: no instrument, but the province is named as its actor
    assert clause_reason("丙省大力发展海洋经济", "海洋经济") == "no instrument"
    assert clause_reason("丙省大力发展海洋经济", "海洋经济", lambda c: "丙省" in c) == ""


def test_statement_reason_uses_the_neighbouring_clause():
    # the act (出台政策) and its field (海洋经济) split by a comma
    assert statement_reason("丁省出台专项政策,支持海洋经济发展", "海洋经济") == ""
    # a meeting's decision with an instrument counts (the annotators' rule); without one it
    # does not; a person's instruction (他强调,要…) says what should be done: an exhortation
    assert statement_reason("会议强调,要深入实施海洋强省行动", "海洋强省行动") == ""
    assert statement_reason("会议强调,要持续加强海洋研究", "海洋研究") == "no instrument"
    assert statement_reason("他强调,要深入实施海洋强省行动", "海洋强省行动") == "exhortation"
    assert statement_reason("要用好惠企政策,开展联企帮扶", "惠企政策") == "exhortation"
    assert statement_reason("海洋经济产值同比上升8.5%", "海洋经济") == "statistic"


# through the coder --------------------------------------------------------------------

def test_the_coder_drops_statistics_and_lists_them_as_unmatched(coder, raw):
    text = "浙江数字经济产业规模同比增长7.3%。"
    assert themes(raw.code(text)) == [("CN-ZJ", "new_tracks.digital_economy")]
    result = coder.code(text)
    assert result.suggestions.empty
    assert result.unmatched["reason"].tolist() == [
        "not a statement of provincial action: statistic"]


def test_a_sentence_that_keeps_a_suggestion_is_not_listed_as_unmatched(coder):
    # the cluster clause alone is dropped and listed; beside a kept data exchange, the
    # sentence gave a suggestion, so it is not an unmatched sentence
    alone = coder.code("湖南省培育先进制造业集群。")
    assert alone.suggestions.empty and len(alone.unmatched) == 1
    both = coder.code("我们培育先进制造业集群，建设数据交易所。", province="湖南")
    assert both.suggestions["theme"].tolist() == ["new_tracks.digital_economy"]
    assert both.unmatched.empty


def test_the_coder_keeps_actions(coder):
    assert themes(coder.code("浙江省印发《数字经济促进条例》实施方案。")) == [
        ("CN-ZJ", "new_tracks.digital_economy")]


def test_a_fund_term_inside_a_longer_sector_term_is_found(coder, raw):
    # 人工智能产业 swallows 产业基金 in a leftmost-longest scan
    for c in (coder, raw):
        got = c.code("广东省设立人工智能产业基金。").suggestions
        assert "innovation.venture_capital" in set(got["theme"])
        assert "产业基金" in ";".join(got["keywords"])


def test_cluster_vocabulary_is_not_chain_policy(coder):
    assert themes(coder.code("河南省将打造千亿级纺织产业集群。")) == []
    assert ("CN-HA", "new_tracks.industrial_chains") in themes(
        coder.code("河南省打造千亿级纺织产业集群，由省领导担任链长。"))


# the calibrated confidence ---------------------------------------------------------------

def test_pool_adjacent_violators_by_hand():
    from npstudy.coder.confidence import _pool_adjacent
    # 0.5 > 0.4 violates the order: pooled with weights 1 and 3 to (0.5 + 3 * 0.4) / 4
    assert _pool_adjacent([0.2, 0.5, 0.4, 0.9], [1, 1, 3, 1]) == [0.2, 0.425, 0.425, 0.9]
    assert _pool_adjacent([0.1, 0.2, 0.3], [2, 2, 2]) == [0.1, 0.2, 0.3]


def test_reliability_table_counts_and_smooths():
    from npstudy.coder.confidence import reliability
    cell = ["instrument/single"] * 4 + ["instrument/corroborated"] * 8
    correct = [True, False, False, False] + [True] * 6 + [False] * 2
    table = reliability(cell, correct).set_index("cell")
    # add-one smoothing: (1 + 1) / (4 + 2) and (6 + 1) / (8 + 2); empty cells get 1/2
    assert table.loc["instrument/single", "rate"] == round(2 / 6, 4)
    assert table.loc["instrument/corroborated", "rate"] == 0.7
    assert table.loc["weak/single", "n"] == 0 and table.loc["weak/single", "rate"] == 0.5
    # 0.5 (weak/single, no weight) above 1/3 (instrument/single) is pooled to 1/3, and so is
    # the empty weak/corroborated above it
    assert table["confidence"].tolist() == [round(1 / 3, 4)] * 2 + [0.5, 0.7]


def test_support_counts_sentences_of_the_same_province_and_theme(coder):
    from npstudy.coder.confidence import cells
    got = coder.code("浙江省设立海洋产业基金。浙江省设立科技创新基金。江苏省设立人才发展基金。").suggestions
    assert cells(got) == ["instrument/corroborated"] * 2 + ["instrument/single"]


def test_a_cut_off_table_counts_items_by_hand():
    import pandas as pd

    from npstudy.coder.confidence import cutoffs
    table = pd.DataFrame({"cell": ["weak/single", "instrument/single"], "confidence": [0.3, 0.6]})
    # three items: A (two rows, one weak), B (weak only, wrong), C (instrument, right)
    cut = cutoffs(table, ["weak/single", "instrument/single", "weak/single", "instrument/single"],
                  [True, True, False, True], ["A", "A", "B", "C"], labelled=4)
    assert cut["items"].tolist() == [3, 3, 2] and cut["right"].tolist() == [2, 2, 2]
    assert cut["precision"].tolist() == [round(2 / 3, 4), round(2 / 3, 4), 1.0]
    assert cut["recall"].tolist() == [0.5, 0.5, 0.5]


def test_confidence_is_the_cells_rate(coder):
    from npstudy.coder.confidence import CELLS, evidence, load_calibration
    rates = load_calibration()
    assert set(rates) == set(CELLS)
    assert [rates[c] for c in CELLS] == sorted(rates.values())
    assert evidence("丙省设立海洋产业基金", "产业基金") == "instrument"
    got = Coder(screened=False).code("浙江省印发《数字经济促进条例》实施方案。").suggestions
    assert got["confidence"].tolist() == [rates["instrument/single"]]


# real-text error classes, each in an invented sentence ------------------------------------

def test_a_verb_inside_an_event_noun_is_no_act():
    # 发布会 holds 发布, 签约仪式 holds 签约: officials attending is no practice
    assert clause_reason("市政务服务管理局负责人出席发布会", "政务服务") == "visit or event"
    assert instrument_verb("市领导出席签约仪式") == ""
    assert instrument_verb("市政府发布实施方案") == "发布"


def test_ceremonies_and_groundbreakings_are_events():
    assert clause_reason("乙市举行全市重大项目集中开工暨某公司新能源电池基地奠基活动",
                         "新能源") == "visit or event"


@pytest.mark.parametrize("clause, term, expected", [
    ("签约项目主要集中在新能源、新材料等领域", "新能源", True),        # two items, 等领域
    ("推动企业、项目、人才和资金向乙市集聚", "人才", True),              # closed by 和
    ("在种业、深海、航天三大高地取得成果", "深海", True),                # closed by 三大
    ("推动企业、项目、技术和资金集聚", "技术", True),
    # a short list closed by 等…产业 is the object developed, as one codes it
    ("加快发展风电、光伏和储能等绿色能源产业", "储能", False),
    ("发展新能源、新材料等产业", "新能源", False),
    ("设立新能源产业基金", "新能源", False),
])
def test_lists_of_fields(clause, term, expected):
    assert in_sector_list(clause, term) is expected


def test_an_approximate_floor_space_is_a_statistic():
    assert clause_reason("30多万平米的大数据中心加快建设", "大数据") == "statistic"


def test_a_persons_instruction_is_an_exhortation_but_a_meetings_decision_is_not():
    assert statement_reason("某书记强调,要设立人才发展基金", "人才发展基金") == "exhortation"
    assert statement_reason("必须用好惠企政策", "惠企政策") == "exhortation"
    assert statement_reason("会议指出,要设立人才发展基金", "人才发展基金") == ""
    assert statement_reason("要素市场化配置改革试点启动", "改革试点") == ""   # 要素 is no 要


def test_a_neighbouring_direction_does_not_make_a_field_a_statement():
    # 加快建设…先行区 (a weak verb) cannot lend its object to 绿色低碳 in the clause before
    assert statement_reason("推进绿色低碳发展,加快建设美丽先行区", "绿色低碳") == "no instrument"
    # a strong verb next door still can
    assert statement_reason("丁省出台专项政策,支持绿色低碳发展", "绿色低碳") == ""


def test_a_means_phrase_is_no_statement_of_its_own():
    assert statement_reason("以一流的营商环境,大力实施产业倍增行动", "营商环境") == "no instrument"


def test_what_a_thing_stands_for_is_a_description():
    assert clause_reason("这批项目的实施是新区补齐产业链短板的有力支撑", "产业链") == "description"


def test_context_rules_read_the_words_near_the_keyword(coder):
    # 先导区 needs 产业 or 未来 near it: three clauses away does not count
    far = "湖北提出,战略性新兴产业增加值年均增长10%,单位能耗下降5%,全力创建科技自立自强先导区。"
    near = "湖北支持武汉创建未来产业先导区。"
    assert themes(coder.code(far)) == []
    assert themes(coder.code(near)) == [("CN-HB", "new_tracks.future_industries")]


def test_a_national_designation_received_is_no_act_of_the_province():
    assert clause_reason("苏州实验室升级为国家实验室", "国家实验室") == "designation only"
    assert clause_reason("乙市成为国家新能源换电试点城市", "新能源") == "designation only"
    # the province's own act on the designation stays
    assert clause_reason("乙市建设国家新能源换电试点城市", "新能源") == ""


def test_a_partner_after_xieshou_is_no_actor(coder):
    assert themes(coder.code("河北携手北京、天津打造重点产业链。")) == [
        ("CN-HE", "new_tracks.industrial_chains")]


def test_a_district_named_after_another_city_is_no_place(coder):
    # 牡丹江市西安区 is in Heilongjiang, not Xi'an (Shaanxi)
    assert themes(coder.code("牡丹江市西安区设立数字经济产业基金。")) == [
        ("CN-HL", "innovation.venture_capital")]


def test_a_text_without_commas_is_read_in_bounded_windows():
    # a 100,000-character clause: the statement checks and the context rules each read at
    # most a few hundred characters around a keyword, so no check is quadratic in the clause
    import numpy as np

    from npstudy.coder.rules import MAX_REACH, rule_windows
    from npstudy.coder.statement import CLAUSE_REACH
    text = "人工智能、" * 20000
    a, b = clause_span(text, 50000)
    assert b - a == 2 * CLAUSE_REACH
    lo, hi = rule_windows(text, np.array([50000]), np.array([0]), np.array([len(text)]))
    assert (int(lo[0]), int(hi[0])) == (50000 - MAX_REACH, 50000 + MAX_REACH)
    # short clauses are unaffected
    assert clause_span("甲省设立基金,支持企业", 3) == (0, 6)


def test_many_occurrences_of_a_keyword_give_one_decision():
    # 30,000 occurrences in one sentence: a bounded number is tested, the row is decided once
    # by the rules (the screen, which then weighs a 120,000-character sentence, may drop it)
    got = Coder(screened=False).code("浙江省" + "人工智能" * 30000 + "。").suggestions
    assert got[["province", "theme"]].drop_duplicates().values.tolist() == [
        ["CN-ZJ", "new_tracks.digital_economy"]]


@pytest.mark.parametrize("args, message", [
    ((b"\xe6\xb5\x99\xe6\xb1\x9f",), "must be a str"),
    (("浙江设立基金。", None), "non-empty name"),
    (("浙江设立基金。", "a\nb"), "non-empty name"),
])
def test_the_python_api_refuses_what_is_no_text_or_no_name(coder, args, message):
    from npstudy.coder.core import CodingError
    with pytest.raises(CodingError, match=message):
        coder.code(*args)


def test_a_numbered_growth_package_is_no_growth_rate():
    # 稳增长22条 is a package of 22 measures to stabilise growth; 增长10% is a growth rate
    coder = Coder(screened=False)
    assert coder.code("云南省相继出台了稳增长22条措施。").suggestions["theme"].tolist() == [
        "reform.market_entities"]
    assert statement_reason("全省数字经济增加值增长10%", "数字经济") == "statistic"
    assert statement_reason("甲省出台稳增长26条等政策措施", "稳增长") == ""


# a document issued on a subject ----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    # the title names the subject; the document is issued (现将…印发给你们, 出台, 制定)
    ("现将《乙省“十四五”科技创新规划》印发给你们，请认真组织实施。", [("CN-ZJ", "innovation.basic_research")]),
    ("《乙省科技振兴行动计划（2022—2026年）》已经省政府同意，现印发给你们。",
     [("CN-ZJ", "innovation.basic_research")]),
    ("乙省出台了《乙省节能减排综合工作实施方案》。", [("CN-ZJ", "green.low_carbon_industry")]),
    ("制定我省节能减排工作方案。", [("CN-ZJ", "green.low_carbon_industry")]),
    ("现将《数字乙省规划》印发给你们。", [("CN-ZJ", "new_tracks.digital_economy")]),
    # the same words outside a title, or a national plan only cited, are nothing
    ("全省科技创新能力明显提升。", []),
    ("根据《国家“十四五”科技创新规划》要求，全省科技创新能力明显提升。", []),
    ("乙省数字化水平不断提高。", []),
])
def test_a_plan_issued_on_a_subject_counts_under_its_theme(raw, text, expected):
    # the subject words (科技创新, 节能减排, 数字 …) count only beside the close of a plan's
    # title or a plan noun (…规划》, …实施方案); the shipped coder, screen and all, may still
    # veto one, so the candidates are asserted
    assert themes(raw.code(text, province="CN-ZJ")) == expected



def test_long_lists_and_figures_are_still_found():
    # the list and figure patterns read at most 41 items and 31 characters of a figure, so that
    # a long run without 等 (or a long string of digits) cannot cost time in the square of its
    # length; a list longer than that is still found (a match starts further on), and so is a
    # figure with a long run of digits before its unit
    from npstudy.coder.statement import COUNT, PHYSICAL, SECTOR_LIST, STATISTIC

    items = "、".join(f"行业{i}" for i in range(60))
    assert SECTOR_LIST.search(items + "等领域")
    assert not SECTOR_LIST.search(items)
    assert in_sector_list("覆盖" + items + "等领域", "行业59")
    assert STATISTIC.search("1" * 50 + "亿元") and PHYSICAL.search("9" * 50 + "万千瓦")
    assert COUNT.search("7" * 50 + "个") and not STATISTIC.search("1" * 50)
