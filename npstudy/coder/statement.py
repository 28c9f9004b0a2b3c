"""Whether a clause states something a province does: the statement test.

A suggestion stands only when at least one of its keywords sits in a clause that reports a
provincial action: the checks of :func:`clause_reason`, the relaxations of
:func:`statement_reason`, and :func:`statement_filter`, which applies them and lists what it
drops. National statements are decided earlier (:mod:`npstudy.coder.national`), and the
lexicon's context rules too (:mod:`npstudy.coder.rules`).
"""

from __future__ import annotations

import re

__all__ = ["STRONG_VERBS", "WEAK_VERBS", "INSTRUMENT_NOUNS", "clause_span", "is_instrument_term",
           "instrument_verb", "in_sector_list", "inside_name", "targeted_field",
           "cluster_not_chain", "clause_reason", "statement_reason", "statement_filter",
           "list_unmatched"]

# --------------------------------------------------------------------------------------
# The statement test: does the clause of a keyword report a provincial action?
# --------------------------------------------------------------------------------------

#: Clause delimiters inside a sentence (the coder's quotes are sentences).
CLAUSE_DELIMITERS = ",，;；:：!！?？"
#: Verbs that are themselves a policy act: set up, issue, fund, pilot, designate, reward,
#: recruit … One of them in the keyword's clause makes it a statement.
STRONG_VERBS = (
    "设立", "新设", "成立", "组建", "筹建", "出台", "印发", "发布", "颁布", "制定", "修订", "编制",
    "实施", "启动", "开展", "推行", "推出", "上线", "开通", "开行", "建成", "新建", "在建", "投运",
    "建立", "设置", "试点", "认定", "命名", "授牌", "挂牌", "揭牌", "遴选", "评选", "奖励", "奖补",
    "补贴", "补助", "资助", "贴息", "投入", "出资", "注资", "引进", "招引", "签约", "签署", "获批",
    "批复", "创建", "争创", "申报", "部署", "确定", "安排", "设有", "举办", "落地", "落户", "组织",
    "布设", "改造", "出资", "列入", "单列", "提供", "扶持", "支持", "兑现", "发放", "减免", "降低",
    "办理", "兑付", "实行", "试行", "先行先试", "共建", "列为", "列出", "公布", "施行", "允许", "启用",
    "挂帅", "牵头", "担任", "配套", "配有", "配备", "承担", "明确", "绘制", "梳理", "开办", "纳入",
    "探索", "借助", "依托", "通过", "设计", "参股", "上架", "撬动", "吸引", "集聚", "布局", "发展",
    "引导", "建设", "打造", "构建", "构筑", "搭建", "培育", "谋划", "推进", "推动", "完善", "深化", "扩大", "健全",
)
#: Of these, the ones that need a concrete object (a named or institutional noun) in the clause:
#: with a field only (加快建设…高地, 推动…发展) they are a direction, not an instrument.
WEAK_VERBS = frozenset({"引导", "依托", "通过", "借助", "布局", "发展", "集聚", "吸引", "探索", "建设", "打造", "构建", "构筑", "搭建", "培育", "谋划", "推进", "推动", "完善",
                        "深化", "扩大", "健全", "支持", "提供", "组织", "部署", "安排"})
#: Nouns of concrete instruments: a fund, a programme, a zone, a platform, a rule.
INSTRUMENT_NOUNS = (
    "基金", "专项", "资金", "补贴", "奖励", "贷款", "政策", "措施", "条例", "办法", "细则", "方案",
    "计划", "行动", "工程", "规划", "意见", "要点", "清单", "目录", "机制", "制度", "改革", "平台",
    "园区", "产业园", "基地", "示范区", "试验区", "先行区", "先导区", "实验室", "研究院", "中心",
    "项目", "专班", "链长", "试点", "自贸港", "自由贸易港", "综合保税区", "通道", "班列", "揭榜挂帅",
    "赛马", "联盟", "标准", "指南", "名单", "网络", "集聚区", "示范", "工作制", "合作区", "开发区",
    "工具", "信贷",
)
#: Endings that make a keyword an instrument though not a noun of its own (链长制, 一链一策).
INSTRUMENT_SUFFIXES = ("制", "策", "窗口", "特区", "走廊", "交易所", "交易中心", "引导基金", "基地",
                       "片区", "名单", "母基金", "子基金", "工厂")
#: A number with a unit, a rate, a rank or a change: an outcome reported, not an action.
STATISTIC = re.compile(
    r"\d[\d.,]{0,30}\s*(%|％|亿|万|千|个|家|项|倍|件|台|吨|千瓦|户|人|元|P|EF|PF|卡时)"
    r"|同比|增速|增长\s*\d(?![\d.]*\s*条)|增长了|年均增长|增加值|占比|比重|总额|成交额|营收|产值|规模以上|排名|位居|居全国|跃居"
    r"|第[一二三四五六七八九十\d]+位|首位|前列|翻一番|创历史新高|突破\d|突破[一二三四五六七八九十百千万]")
#: A physical quantity (capacity, tonnage, floor space, computing power): an outcome, whatever
#: the verb (在建风电项目120万千瓦). (A figure is read to at most 31 characters here and in
#: STATISTIC and COUNT: an unbounded run made a long string of digits take quadratic time.)
PHYSICAL = re.compile(r"\d[\d.,]{0,30}\s*[多余]?\s*(万|亿)?(千瓦|吨|立方米|平方米|平米|[EP]Flops|[EP]flops|卡时)")
#: The field a programme, fund or laboratory targets: a field word followed by 领域 or 方向.
TARGETED = re.compile(r"(技术|产业)?(领域|方向)")
#: The guiding preamble of a plan or opinion (以习近平…为指导, 为深入贯彻…): only a concrete
#: instrument in a keyword's own clause counts there.
PREAMBLE = re.compile(r"^\s*(坚持)?以习近平|^\s*为(深入|全面|认真)?贯彻")
#: A leader's instruction (强调,要…; 要求各地…): what should be done, not what was done. A
#: government meeting's 会议指出,要… is its decision, and stays.
EXHORTATION = re.compile(r"(?<!会议)(?<!会议最后)(?<!会议还)(?<!会议同时)(?:强调|指出|要求|希望|提出)[,，:：]?\s*(?:要|必须|务必|应当|应)"
                         r"|^\s*(?:要|必须|务必)(?!求|素|点|件|闻)")
#: Guiding-principle and speech boilerplate: what a leader asked for, not what was done.
BOILERPLATE = re.compile(r"习近平|总书记|党的[十二]|全会精神|全会部署|贺信|重要讲话|重要论述|指示批示"
                         r"|新发展理念|新发展格局|高度重视|指明了?方向")
#: A growth rate, share or rank: an outcome, whatever verb the clause holds, unless money is
#: the instrument (投入…亿元, 兑付…资金).
RATE = re.compile(r"同比|增速|增长\s*\d(?![\d.]*\s*条)|增长了|年均增长|占比|比重|排名|位居|居全国|跃居")
MONEY_VERBS = ("投入", "出资", "注资", "安排", "发放", "兑现", "兑付", "办理", "补贴", "奖励", "奖补",
               "资助", "减免")
#: A firm, a university or a person acting on its own.
FIRM = re.compile(r"公司|集团|股份|有限|大学|学院|科技园?有限|企业家")
#: Words before a firm that make it an object or a place, not the subject (在…大学试点, 支持企业).
NOT_SUBJECT = re.compile(r"在|对|向|与|和|帮|支持|引导|鼓励|组织|由|为|把|将|从|省|市|政府|厅|局|委")
#: Officials visiting, touring or attending: what they see or attend is no practice of theirs.
VISIT = re.compile(r"考察|调研|参观|巡视|察看|走访|来到|出席|座谈")
#: A meeting or fair held: its name holds keywords that are no practice.
EVENT = re.compile(r"(大会|会议|发布会|推介会|仪式|论坛|博览会|峰会|洽谈会|开幕式|座谈会|活动)"
                   r"[^,，;；]{0,12}(举行|召开|开幕|举办)|(举行|召开|举办|主办)[^,，;；]{0,60}"
                   r"(大会|会议|发布会|推介会|仪式|论坛|博览会|峰会|洽谈会|活动)|集中开工|奠基|开工仪式")
#: A description, not an act: where a thing lies, what a place has become, what a year is.
DESCRIPTION = re.compile(r"位于|成为[^,，;；]*之一|是[^,，;；]*(之年|年度)$")
#: What something is for or stands for (…的实施是…的有力支撑): a description, whatever verb
#: the clause holds.
ROLE = re.compile(r"是[^,，;；]*的(?:有力|重要|坚实|有效)?(?:支撑|保障|基础|体现|缩影|写照)$")
#: A topic lead (谈到营商环境, 在绿色金融方面, 对外开放上): it names the theme of what follows.
TOPIC_LEAD = re.compile(r"^(谈到|谈及|说到|关于)|(方面|上|领域)$")
#: A status received (成为…试点城市, 升级为国家实验室, 荣获…): the province's own act is not
#: reported by it. Being selected for a national pilot (入选, 获批) is a practice under the
#: codebook's scope rule, and stays.
DESIGNATED = re.compile(r"成为|升级为|被评为|获评|荣获|跻身")
#: A means phrase (以一流的营商环境, 以…为抓手): what the act next to it relies on, not an act.
MEANS = re.compile(r"以(?![“\"《])")
#: A list of fields: items separated by 、 and closed by 等.
SECTOR_LIST = re.compile(r"[^、,，]{1,12}(?:、[^、,，]{1,12}){2,40}等"
                         r"|[^、,，]{1,12}(?:、[^、,，]{1,12}){1,40}等(?=(?:[^,，]{0,6})(?:领域|方向|板块))"
                         r"|[^、,，]{1,12}(?:、[^、,，]{1,12}){2,40}[和及与][^、,，]{1,12}?(?=[向在等,，]|$)"
                         r"|[^、,，]{1,12}(?:、[^、,，]{1,12}){1,40}(?=[一二三四五六七八九十两]大)")
#   (at most 41 items: an unbounded list made every failed start scan the rest of the text, so a
#   long 、-separated run without 等 took time in the square of its length)
#: Verbs that introduce what an instrument covers (its research directions, its scope).
CONTENTS = re.compile(r"涵盖|包括|包含")
#: What follows 等 after a list of instruments rather than of fields.
AFTER_LIST = INSTRUMENT_NOUNS + ("举措", "任务", "载体")


def _words(words) -> re.Pattern:
    """An alternation of ``words``, longest first."""
    return re.compile("|".join(map(re.escape, sorted(set(words), key=len, reverse=True))))


#: Nouns that hold a verb of :data:`STRONG_VERBS` (发布会, 签约仪式, 开展情况): the verb names an
#: event or a report there, not an act.
VERB_IN_NOUN = re.compile(r"(发布|推介|签约|招引|申报|启动|开展|实施|建设)(大?会|仪式|活动|情况|工作会|座谈)")
_VERBS, _NOUNS = _words(STRONG_VERBS), _words(INSTRUMENT_NOUNS)
_AFTER_LIST, _MONEY = _words(AFTER_LIST), _words(MONEY_VERBS)
#: The verbs that act without an object.
STRONG_ONLY = _words(v for v in STRONG_VERBS if v not in WEAK_VERBS)


#: At most this many characters on each side of a keyword are read as its clause: real
#: clauses are far shorter, and a text without commas must not make the checks quadratic.
CLAUSE_REACH = 200
#: At most this many occurrences of one keyword in a sentence are tested.
MAX_OCCURRENCES = 50


def clause_span(sentence: str, at: int) -> tuple[int, int]:
    """The comma clause of ``sentence`` around position ``at``: (start, end), at most
    :data:`CLAUSE_REACH` characters on each side of ``at``.

    Examples
    --------
    >>> s = "甲省设立基金,支持企业。"
    >>> a, b = clause_span(s, 3); s[a:b]
    '甲省设立基金'
    """
    a, lo = at, max(0, at - CLAUSE_REACH)
    while a > lo and sentence[a - 1] not in CLAUSE_DELIMITERS:
        a -= 1
    b, hi = at, min(len(sentence), at + CLAUSE_REACH)
    while b < hi and sentence[b] not in CLAUSE_DELIMITERS:
        b += 1
    return a, b


def is_instrument_term(term: str) -> bool:
    """Whether a keyword names an instrument itself (…基金, …试验区, 揭榜挂帅), not a field.

    Examples
    --------
    >>> is_instrument_term("人工智能产业基金"), is_instrument_term("人工智能")
    (True, False)
    """
    bare = term.strip("“”\"")
    return bare.endswith(INSTRUMENT_NOUNS + INSTRUMENT_SUFFIXES)


def instrument_verb(clause: str, term: str = "") -> str:
    """The first verb of :data:`STRONG_VERBS` in ``clause`` that makes it an action, or "".

    A weak verb (建设, 打造, 推动 …) counts only with a concrete object: an instrument noun
    outside the keyword, a name in quotes or book-title marks, or a keyword that is itself an
    instrument term.

    Examples
    --------
    >>> instrument_verb("甲省设立人工智能产业基金")
    '设立'
    >>> instrument_verb("加快建设海洋牧场示范区", "海洋牧场")
    '建设'
    >>> instrument_verb("加快建设海洋强省", "海洋")
    ''
    """
    found = _VERBS.findall(VERB_IN_NOUN.sub("", clause))
    if not found:
        return ""
    strong = [v for v in found if v not in WEAK_VERBS]
    if strong:
        return strong[0]
    rest = clause.replace(term, "") if term else clause
    concrete = (_NOUNS.search(rest) is not None or "《" in clause or "“" in clause
                or (term and is_instrument_term(term)))
    return found[0] if concrete else ""



#: A count of things made or done (16家, 100个, 308项, 一批): with a verb that acts on an
#: instrument it reports an action (建设省实验室16家), not an outcome.
COUNT = re.compile(r"(?:\d{1,30}|[一二三四五六七八九十百千两]{1,30})\s*(?:个|家|项|批|条|支|座|所|只)")
_CLAUSE_HEAD = re.compile(r"^[^\d]{0,12}?(?:新|累计|共|全年|共计|先后|持续|加快|大力|着力|积极|深入)?"
                          r"(?:建设|建成|培育|打造|组建|新建|创建|设立|认定|出台|推出|实施|布局|新增)")


def _counted_act(clause: str) -> bool:
    """Whether every figure in ``clause`` is a count and the clause opens with a verb that
    makes something (建设省实验室16家, 出台实施四批308项政策举措, 培育绿色工厂100个).

    Examples
    --------
    >>> _counted_act("建设省实验室16家、产业研究院40家"), _counted_act("全省数据中心48个")
    (True, False)
    >>> _counted_act("培育绿色工厂100个,产值增长9%")
    False
    """
    figures = STATISTIC.findall(clause)
    if not figures or RATE.search(clause) or PHYSICAL.search(clause):
        return False
    rest = COUNT.sub("", clause)
    return STATISTIC.search(rest) is None and _CLAUSE_HEAD.search(clause) is not None


def in_sector_list(clause: str, term: str) -> bool:
    """Whether ``term`` is one item of a list of fields (甲、乙、丙等领域) in ``clause``.

    Examples
    --------
    >>> in_sector_list("在海洋装备、种业、稀土等领域合作", "稀土")
    True
    >>> in_sector_list("设立人工智能产业基金", "人工智能")
    False
    >>> in_sector_list("建设甲区、乙区、丙区等开放平台", "乙区")
    False
    >>> in_sector_list("碳排放权交易试点覆盖钢铁、化工、电力等行业", "碳排放权交易")
    False
    """
    for m in SECTOR_LIST.finditer(clause):
        if CONTENTS.search(clause[:m.start() + m.group(0).find("、")]):
            continue                  # 研究方向涵盖甲、乙和丙: what an instrument covers
        items = re.split(r"、|[和及与](?=[^、]*$)", m.group(0).removesuffix("等"))
        # the first item runs from before the list: the term must end it
        if items[0].endswith(term) or any(term in item for item in items[1:]):
            # 等开放平台, 等“十大行动”: a list of instruments, not of fields
            return _AFTER_LIST.search(clause, m.end(), m.end() + 12) is None
    return False


#: Nouns that make a field word part of a name when they follow it directly (某市海洋装备创新中心,
#: 种业课题组, 稀土产业园区): the word names what the institution works on.
NAME_HEADS = ("中心", "研究院", "研究所", "课题组", "大厦", "公司", "展览馆", "博物馆", "大会",
              "博览会", "论坛", "峰会", "园区", "产业园", "管理局", "数据局", "委员会", "办公室")
#: How many characters may stand between a field word and the head of its name.
NAME_GAP = 4
#: Words of chain policy proper: a cluster term counts for industrial chains only beside one.
CHAIN_WORDS = re.compile(r"链长|产业链|强链|补链|延链|链主|一链一|逐链|招商图谱|专班|行动计划|牵头|支持政策|培育工程|发展规划|专项行动|行动方案|培育行动|治理体系")
CLUSTER = re.compile(r"集群")


def inside_name(clause: str, term: str) -> bool:
    """Whether ``term`` is directly followed by the head of a name (…创新中心, …课题组).

    Examples
    --------
    >>> inside_name("参观某市海洋装备创新中心", "海洋装备"), inside_name("发展海洋装备", "海洋装备")
    (True, False)
    >>> inside_name("省海洋和渔业管理局负责人", "海洋")
    False
    """
    at = clause.find(term)
    while at >= 0:
        tail = clause[at + len(term):at + len(term) + NAME_GAP + 3]
        if any(tail[k:].startswith(h) for k in range(NAME_GAP + 1) for h in NAME_HEADS
               if "和" not in tail[:k] and "、" not in tail[:k]):
            return True
        at = clause.find(term, at + 1)
    return False


def targeted_field(clause: str, term: str) -> bool:
    """Whether ``term`` names the field of something (海洋装备领域, 种业方向).

    Examples
    --------
    >>> targeted_field("单列海洋装备领域", "海洋装备"), targeted_field("发展海洋装备产业", "海洋装备")
    (True, False)
    """
    at = clause.find(term)
    while at >= 0:
        if TARGETED.match(clause, at + len(term)):
            return True
        at = clause.find(term, at + 1)
    return False


def cluster_not_chain(sentence: str, term: str, theme: str) -> bool:
    """Whether a cluster term (产业集群, 入选国家集群) is sent to chain policy with no chain
    instrument in its sentence.

    Examples
    --------
    >>> cluster_not_chain("甲省打造汽车产业集群", "产业集群", "new_tracks.industrial_chains")
    True
    >>> cluster_not_chain("甲省对产业集群实行链长制", "产业集群", "new_tracks.industrial_chains")
    False
    """
    return (theme.endswith("industrial_chains") and bool(CLUSTER.search(term))
            and not CHAIN_WORDS.search(sentence.replace(term, "")))


def clause_reason(clause: str, term: str, has_actor=None) -> str:
    """Why the clause holding keyword ``term`` is no statement of provincial action ("" if it is).

    In order: boilerplate (a leader's words, guiding principles), a firm's own action, the
    keyword as an item of a list of fields, a statistic with no policy verb, no instrument
    at all and no provincial actor named in the clause (an exhortation, a field named).
    ``has_actor`` (a function of the clause) tells whether the clause names a province,
    a city or a self-reference (我省); without it, no clause has one.

    Examples
    --------
    >>> clause_reason("甲省设立人工智能产业基金", "人工智能产业基金")
    ''
    >>> clause_reason("海洋经济产值同比上升7.3%", "海洋经济")
    'statistic'
    >>> clause_reason("持续加强海洋研究", "海洋研究")
    'no instrument'
    """
    if BOILERPLATE.search(clause):
        return "boilerplate"
    verb = instrument_verb(clause, term)
    if (VISIT.search(clause) or EVENT.search(clause)) and (not verb or verb in WEAK_VERBS
                                                          or verb in ("举办", "组织")):
        return "visit or event"
    firm = FIRM.search(clause)
    if firm and not NOT_SUBJECT.search(clause[:firm.start()]):
        return "firm's own action"
    if not is_instrument_term(term) and in_sector_list(clause, term):
        return "field in a list"
    if not verb and not is_instrument_term(term) and inside_name(clause, term):
        return "word inside a name"
    if STATISTIC.search(clause) and (not verb or verb in WEAK_VERBS) and not _counted_act(clause):
        return "statistic"
    if (RATE.search(clause) or PHYSICAL.search(clause)) and not _MONEY.search(clause):
        return "statistic"
    if (DESCRIPTION.search(clause) and (not verb or verb in WEAK_VERBS)) or ROLE.search(clause):
        return "description"
    designated = DESIGNATED.search(clause)
    if designated and instrument_verb(clause[:designated.start()]) in WEAK_VERBS | {""}:
        return "designation only"     # what follows 成为/入选 names the designation, not an act
    if not is_instrument_term(term) and targeted_field(clause, term):
        return "field a programme targets"
    if not verb and not is_instrument_term(term) and not (has_actor and has_actor(clause)):
        return "no instrument"
    return ""


def statement_reason(sentence: str, keywords: str, theme: str = "", has_actor=None) -> str:
    """Why a suggestion's sentence states no provincial action under any of its keywords.

    ``keywords`` is the row's ``;``-joined matched terms. The row stands ("" returned) when
    the clause of at least one occurrence of one keyword passes :func:`clause_reason`;
    otherwise the reason of the first keyword is returned. Cluster terms sent to chain
    policy need a chain instrument in the sentence (:func:`cluster_not_chain`).
    """
    if EXHORTATION.search(sentence):
        return "exhortation"
    first = ""
    relaxed = not PREAMBLE.match(sentence)
    if not relaxed:
        has_actor = None       # a guiding preamble: no actor or neighbour makes a field a statement
    for term in keywords.split(";"):
        term = term.strip()
        if cluster_not_chain(sentence, term, theme):
            first = first or "cluster, not chain policy"
            continue
        at = sentence.find(term) if term else -1
        for _ in range(MAX_OCCURRENCES):
            if at < 0:
                break
            a, b = clause_span(sentence, at)
            why = clause_reason(sentence[a:b], term, has_actor) or _copula_subject(sentence, b)
            if not why or (why == "no instrument" and relaxed
                           and _neighbour_acts(sentence, a, b, has_actor)):
                return ""
            first = first or why
            at = sentence.find(term, at + len(term))
    return first or "no instrument"


#: A clause that opens with a copula (…,是…的重要支撑): the clause before it is its subject.
COPULA = re.compile(r"\s*(?:这|此|也|更|则|既|均|都|正)?是(?!否)")


def _copula_subject(sentence: str, b: int) -> str:
    """"description" when the clause after position ``b`` opens with 是 (创建科学中心,是国家
    战略: the first clause is what the sentence describes, not an act), else ""."""
    if b < len(sentence) and COPULA.match(sentence, b + 1):
        return "description"
    return ""


def _neighbour_acts(sentence: str, a: int, b: int, has_actor=None) -> bool:
    """Whether the clause before or after [a, b) holds a policy verb (甲省出台专项政策,支持海洋
    经济发展: the action and its field are split by a comma), or the clause [a, b) has a verb
    and the sentence names its actor before it (辽宁…依托风能资源,推动…产业集聚), or [a, b)
    is a topic lead (谈到营商环境, …方面) and a later clause of the sentence holds a policy
    verb or an actor with a verb."""
    if MEANS.match(sentence[a:b].strip()):
        return False
    if TOPIC_LEAD.search(sentence[a:b].strip()):
        rest = sentence[b + 1:]
        if instrument_verb(rest) or (has_actor and has_actor(rest)
                                     and _VERBS.search(rest)):
            return True
    if has_actor and a > 0 and _VERBS.search(sentence, a, b) and has_actor(sentence[:a]):
        return True
    for before, (lo, hi) in ((True, clause_span(sentence, a - 2) if a >= 2 else (0, 0)),
                             (False, clause_span(sentence, b + 1) if b + 1 < len(sentence)
                              else (0, 0))):
        near = sentence[lo:hi]
        if near and not BOILERPLATE.search(near) and not STATISTIC.search(near):
            verb = instrument_verb(near)
            # a weak verb with a concrete object lends itself to the clause that describes
            # what it built (…基地加快建设,光伏…产业规模扩大), not to one before it
            if verb and (verb not in WEAK_VERBS or before or (has_actor and has_actor(near))):
                return True
    return False


def statement_reasons(suggestions, has_actor=None) -> list[str]:
    """:func:`statement_reason` of every suggestion ("" for those that stand)."""
    seen: dict = {}           # rows of one sentence often share keywords and theme
    reasons = []
    for key in zip(suggestions["quote"].tolist(), suggestions["keywords"].tolist(),
                   suggestions["theme"].tolist()):
        if key not in seen:
            seen[key] = statement_reason(*key, has_actor)
        reasons.append(seen[key])
    return reasons


def list_unmatched(unmatched, dropped, reasons, kept):
    """``unmatched`` with each sentence of the ``dropped`` rows that keeps no row in ``kept``
    added once, its provinces in order and the reason of its first dropped row
    (``not a statement of provincial action: <reason>``), sorted in text order."""
    import pandas as pd

    still = set(zip(kept["start"].tolist(), kept["end"].tolist()))
    groups: dict = {}          # one unmatched row per sentence, its provinces in order
    for key, doc, prov, quote, par, why in zip(
            zip(dropped["start"].tolist(), dropped["end"].tolist()), dropped["doc_id"].tolist(),
            dropped["province"].tolist(), dropped["quote"].tolist(),
            dropped["paragraph"].tolist(), reasons):
        if key in still:
            continue
        if key in groups:
            groups[key][2].setdefault(prov, None)
        else:
            groups[key] = [doc, quote, {prov: None}, par,
                           f"not a statement of provincial action: {why}"]
    if not groups:
        return unmatched
    gone = pd.DataFrame([(a, b, doc, ";".join(provs), quote, par, why)
                         for (a, b), (doc, quote, provs, par, why) in groups.items()],
                        columns=["start", "end", "doc_id", "provinces", "quote", "paragraph",
                                 "reason"])
    unmatched = pd.concat([unmatched, gone[unmatched.columns]], ignore_index=True)
    return unmatched.sort_values(["start", "end"], kind="stable").reset_index(drop=True)


def statement_filter(suggestions, unmatched, has_actor=None, reasons=None):
    """Drop the suggestions whose sentence states no provincial action (:func:`statement_reason`).

    Each sentence left with no suggestion is listed once in ``unmatched`` with the reason,
    so a reviewer sees what the test removed (a sentence that keeps a suggestion for another
    theme or province is not listed: ``unmatched`` holds the sentences that gave none;
    :func:`list_unmatched`). ``reasons`` are the rows' :func:`statement_reasons` when
    already worked out. Returns (suggestions, unmatched), renumbered in text order.
    """
    import pandas as pd

    if not len(suggestions):
        return suggestions, unmatched
    if reasons is None:
        reasons = statement_reasons(suggestions, has_actor)
    drop = pd.Series([bool(r) for r in reasons], index=suggestions.index)
    if not drop.any():
        return suggestions, unmatched
    kept = suggestions[~drop].reset_index(drop=True)
    unmatched = list_unmatched(unmatched, suggestions[drop], [r for r in reasons if r], kept)
    return kept, unmatched
