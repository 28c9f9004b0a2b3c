"""Who acts: the role of each province mention, and the walk of clauses that need one.

A mention is not an actor when it is only a location (华为在贵州建设…, with a subject before
在) or an origin (从重庆开来), a partner (…与四川签署合作协议), a comparison (与浙江相比),
the home of firms (合肥等地的企业), or follows a national-scope subject. 我省, 全省, 本省,
省委省政府 and provincial agencies resolve to the document's province, else the
paragraph's, else the first province the text names; 该省 to the province last named.

Clauses whose only actor words are plain names are handled with array operations in
:mod:`npstudy.coder.attribution`; the others ("complex" clauses) are walked here, mention by
mention, by :class:`Walk`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..text import char_table
from .matcher import CITY, NATIONAL, PROVINCE, QUANT, SELF
from .national import PASSIVE_NATIONAL, is_pilot_segment

__all__ = ["LOCATION_CUES", "PARTNER_CUES", "COOPERATION_WORDS", "FIRM_NOUNS", "JOINERS",
           "NOT_SUBJECT", "fronted", "group_end", "owns_firms", "segment", "role", "Walk"]

#: Characters that, right before a province, make it the place where another actor acts
#: ("华为在贵州建设…", "落户安徽"), when the clause already has a subject before them.
LOCATION_CUES = ("落户于", "落户", "落地", "位于", "布局于", "在", "于", "赴", "到", "从")
#: Words before a province that make it a partner of the subject ("浙江与四川签署…").
PARTNER_CUES = ("对口支援", "对口帮扶", "对口协作", "对口合作", "援建", "支援", "帮扶", "联合",
                "携手", "与", "同", "跟", "和")
_STRONG_PARTNER_CUES = ("对口支援", "对口帮扶", "对口协作", "对口合作", "援建", "支援", "帮扶", "携手")
#: Words after 与/同/和/跟 + province that make the province a comparison (与浙江相比).
_COMPARISON_WORDS = ("相比", "相较", "比较", "差距")
#: Words after a partner cue that confirm cooperation rather than a list ("与…合作").
COOPERATION_WORDS = ("合作", "共建", "签署", "签约", "协作", "对接", "共同", "携手", "结对",
                     "联动", "协同", "帮扶", "支援", "援建", "对口")
# the last characters of every location or partner cue: only mentions after one need a look
CUE_LAST = frozenset(w[-1] for w in LOCATION_CUES + PARTNER_CUES)
IS_CUE_LAST = char_table("".join(CUE_LAST))
#: Characters that join names into one list (山东、广东和福建).
JOINERS = "、,，和与及"
IS_JOINER = char_table(JOINERS)
# Time words and connectors that may precede 在 without being a subject (近年来在江苏,…).
NOT_SUBJECT = re.compile(r"^(?:[\s，,、]|近年来|近年|目前|当前|如今|今年|去年|明年|此外|同时|其中|"
                         r"另外|与此同时|截至|此后|随后|之后|以来|期间|上半年|下半年|前三季度|"
                         r"[0-9０-９一二三四五六七八九十]+(?:年|月|日|季度)(?:底|末|初)?)*$")
# (以来 is an alternative of its own, not also an ending of a date: one way to read a prefix
# keeps the match linear in its length)
#: Self-references that mean the province last named, not the document's.
SELF_LAST_NAMED = ("该省", "该市", "该区", "该自治区", "当地")
# Prepositions that open a fronted phrase before the subject (依托…，浙江…).
_FRONTING = ("依托", "围绕", "聚焦", "通过", "按照", "为了", "为", "在", "针对", "面向", "以", "坚持",
             "对标", "借助", "基于", "立足", "根据", "结合", "对于", "对", "把", "将", "瞄准", "紧扣",
             "着眼", "锚定", "作为", "随着", "近年来", "目前", "当前", "今年", "去年")
#: Nouns for actors that are not the government: a province's firms, banks, universities.
FIRM_NOUNS = ("企业", "公司", "集团", "银行", "金融机构", "高校", "大学", "院所", "厂商", "工厂", "车企",
              "药企", "客户", "投资者", "企业家", "业主")
# Heads of a noun phrase after 的 that make the province the one acting (上海的方案, 江苏的做法).
_POLICY_HEADS = ("方案", "政策", "做法", "经验", "举措", "计划", "规划", "文件", "部门", "政府", "工作",
                 "目标", "任务", "行动", "改革", "试点", "平台", "基金")
_SUBJECT_NAMES = ("actor", "national", "count")
ACTOR, NATIONAL_SUBJECT, COUNT_SUBJECT = range(3)


def _segment_start(text: str, cs: int, pos: int) -> int:
    return max(text.rfind("，", cs, pos), text.rfind(",", cs, pos), text.rfind("：", cs, pos), cs - 1) + 1


def fronted(text: str, cs: int, pos: int, subject: int) -> bool:
    """Whether a keyword at ``pos`` may belong to a subject after it in the same clause.

    Yes within one comma segment (概念验证中心由江苏布局); across a comma only when the
    keyword's segment opens with a fronting preposition (依托算力中心，浙江…).

    Examples
    --------
    >>> fronted("依托算力中心，浙江建设", 0, 2, 7), fronted("建设算力中心，浙江", 0, 2, 7)
    (True, False)
    """
    seg = _segment_start(text, cs, pos)
    between = text[pos:subject]
    if "，" not in between and "," not in between:
        return True
    head = text[seg:pos].lstrip("　 ，,")
    return head.startswith(_FRONTING) or bool(NOT_SUBJECT.match(text[seg:pos]))


def group_end(text: str, n_start: list, n_end: list, n_kind: list, m: int, j: int) -> int:
    """The end of the list of names that starts with match ``m`` (山东、广东和福建), among
    matches ``m`` … ``j - 1``."""
    end = n_end[m]
    for k in range(m + 1, j):
        if n_kind[k] not in (PROVINCE, CITY):
            break
        if n_start[k] == end or (n_start[k] == end + 1 and text[end] in JOINERS):
            end = n_end[k]
        else:
            break
    return end


def owns_firms(text: str, end: int, ce: int) -> bool:
    """Whether a name ending at ``end`` only says whose firms act (江苏的一些高校, 合肥等地的企业).

    The noun phrase after 的 must name firms (:data:`FIRM_NOUNS`) within 12 characters, with no
    policy word before them (上海的方案…外贸企业 is the province's plan).

    Examples
    --------
    >>> owns_firms("江苏的一些高校建设实验室", 2, 12), owns_firms("上海的方案支持外贸企业", 2, 11)
    (True, False)
    """
    for link in ("的", "等地的", "等省的", "等省份的", "等城市的", "等市的"):
        if text.startswith(link, end):
            rest = text[end + len(link):min(end + len(link) + 12, ce)]
            for stop in "，,；;、":
                rest = rest.split(stop, 1)[0]
            at = [i for i in (rest.find(noun) for noun in FIRM_NOUNS) if i >= 0]
            return bool(at) and not any(0 <= rest.find(w) < min(at) for w in _POLICY_HEADS)
    return False


def segment(text: str, a: int, cs: int, ce: int) -> tuple[int, int]:
    """The comma-delimited part of clause [cs, ce) around position ``a``.

    Examples
    --------
    >>> segment("甲，乙丙，丁", 3, 0, 6)
    (2, 4)
    """
    lo = _segment_start(text, cs, a)
    hi = [x for x in (text.find("，", a, ce), text.find(",", a, ce), text.find("：", a, ce)) if x >= 0]
    return lo, min(hi) if hi else ce


def _partner_role(text, a, ce, cue, subjects, last_group_end):
    """The role after the partner cue ``cue``: partner, comparison, or None (an actor)."""
    if cue in _STRONG_PARTNER_CUES:
        return "partner"
    if len(cue) == 1 and any(w in text[a:min(a + 24, ce)] for w in _COMPARISON_WORDS):
        return "comparison"                 # 与浙江、广东相比
    listed = last_group_end == a - len(cue)      # 上海和浙江: a list, both act
    if not listed and any(sub[1] == "actor" for sub in subjects) and any(
            w in text[a:min(a + 30, ce)] for w in COOPERATION_WORDS):
        return "partner"
    return None


def role(text: str, a: int, cs: int, ce: int, subjects: list, last_group_end: int) -> str:
    """Whether a province mention at ``a`` is an actor, a location or a partner.

    ``subjects`` are the clause's subjects before it, as (position, "actor" | "national" |
    "count"); ``last_group_end`` is where the last group of actors ends.

    Examples
    --------
    >>> role("华为在贵州建设工厂", 3, 0, 9, [], -10), role("在贵州建设", 1, 0, 5, [], -10)
    ('location', 'actor')
    """
    seg = _segment_start(text, cs, a)
    prefix = text[seg:a]
    if subjects and subjects[-1][1] == "national" and subjects[-1][0] >= seg:
        return "part of a national statement"
    for cue in PARTNER_CUES:
        if prefix.endswith(cue):
            found = _partner_role(text, a, ce, cue, subjects, last_group_end)
            if found:
                return found
            break
    for cue in LOCATION_CUES:
        if prefix.endswith(cue):
            subject = prefix[:-len(cue)]
            if cue == "到" and "从" in prefix:
                break                               # 从广西自贸试验区到黑龙江自贸试验区: a range
            if subject and not NOT_SUBJECT.match(subject):
                return "location"
            if subjects and subjects[-1][1] == "national":
                return "part of a national statement"   # 国家启动…，在内蒙古等地布局
            break
    return "actor"


@dataclass
class _Clause:
    """What the walk knows inside one clause."""

    start: int
    end: int
    sentence: int
    para_gid: int
    subjects: list = field(default_factory=list)     # (pos, type, group id, end)
    group_id: int = -1
    group_end: int = -10
    other_end: int = -10                              # the last mention that is no actor
    other_role: str = ""
    has_actor: bool = False
    national: bool = False


class Walk:
    """The walk of complex clauses, in text order, building their subjects and groups.

    ``matches`` are lists (pattern index, start, end, clause, kind) of the clauses' actor
    words; ``plain`` the plain clauses' last actor group per clause. The walk appends group
    members (``m_prov``, ``m_city``, ``m_direct``, ``m_group``), subjects (``subjects``: pos,
    type, group, clause), actor clauses (``actors``), blocking clauses (``blocks``), keywords
    implied by places (``compounds``), passive national segments (``passive_of``) and what
    each sentence named (``sentences``: has a province, (pos, province) list, reason, has an
    actor).
    """

    def __init__(self, coder, text, layout, defaults, groups):
        self.value, self.label = coder._value, coder._label
        self.text, self.layout = text, layout
        self.default, self.first_named, self.default_gid = defaults
        self.fallback = self.default or self.first_named
        self.base_prov, self.base_group, self.next_gid = groups
        self.m_prov, self.m_city, self.m_direct, self.m_group = [], [], [], []
        self.last_member: dict[int, str] = {}
        self.subjects, self.actors, self.blocks, self.compounds = [], [], [], []
        self.passive_of: dict[int, list] = {}
        self.sentences: dict[int, list] = {}

    def member_last(self, g: int) -> str:
        """The province of the last member of group ``g``."""
        hit = self.last_member.get(g)
        if hit is None:
            hit = self.base_prov[int(np.searchsorted(self.base_group, g, side="right")) - 1]
        return hit

    def info(self, s_id: int) -> list:
        return self.sentences.setdefault(s_id, [False, [], "", False])

    def run(self, matches, plain_clause: list, plain_gid: list, plain_before: dict) -> None:
        """Walk every complex clause; ``plain_before[c]`` indexes the last plain actor clause
        before clause ``c`` in ``plain_clause``/``plain_gid`` (-1 for none)."""
        n_clause = matches[3]
        last_actor = (-1, -1)
        paragraph = self.layout.paragraph
        i, n = 0, len(n_clause)
        while i < n:
            c = n_clause[i]
            j = i
            while j < n and n_clause[j] == c:
                j += 1
            # the paragraph's actor before this clause: the later of the last plain and the
            # last complex actor clause, if in this paragraph
            k = plain_before[c]
            cand = (plain_clause[k], plain_gid[k]) if k >= 0 else (-1, -1)
            if last_actor[0] > cand[0]:
                cand = last_actor
            same = cand[0] >= 0 and paragraph[cand[0]] == paragraph[c]
            clause = _Clause(int(self.layout.starts[c]), int(self.layout.ends[c]),
                             int(self.layout.sentence[c]), cand[1] if same else self.default_gid)
            for m in range(i, j):
                self.match(clause, matches, m, j, c)
            last_actor = self.close(clause, c, last_actor)
            i = j

    def close(self, clause: _Clause, c: int, last_actor: tuple) -> tuple:
        """Record the clause's subjects; return the last actor clause so far."""
        for sub in clause.subjects:
            self.subjects.append((sub[0], sub[1], sub[2], c))
        if clause.subjects:
            self.blocks.append((c, clause.sentence if clause.subjects[-1][1] != ACTOR else -1))
            actors = [sub for sub in clause.subjects if sub[1] == ACTOR]
            if actors:
                last_actor = (c, actors[-1][2])
                self.actors.append(last_actor)
        return last_actor

    def match(self, clause: _Clause, matches, m: int, j: int, c: int) -> None:
        """One actor word of a complex clause."""
        n_idx, n_start, n_end, _, n_kind = matches
        a, b, kd, pi = n_start[m], n_end[m], n_kind[m], n_idx[m]
        if kd in (PROVINCE, CITY, SELF):
            self.mention(clause, matches, m, j, c)
        elif kd == NATIONAL and self.label[pi] in PASSIVE_NATIONAL:
            lo, hi = segment(self.text, a, clause.start, clause.end)
            if is_pilot_segment(self.text[lo:hi]):
                return            # designated a pilot: the province runs it
            self.passive_of.setdefault(c, []).append((lo, hi))
            self.info(clause.sentence)[2] = "national statement"
        elif kd == NATIONAL:
            # a subject: the national words that are none were dropped before the walk
            clause.subjects.append((a, NATIONAL_SUBJECT, -1, b))
            clause.national = True
            self.info(clause.sentence)[2] = "national statement"
        elif kd == QUANT:
            clause.subjects.append((a, COUNT_SUBJECT, -1, b))

    def _member(self, clause: _Clause, a: int, kd: int, pi: int, c: int):
        """(province, city, named directly) of a mention; None for a self-reference that
        resolves to nothing or adds no subject."""
        if kd == SELF:
            if clause.has_actor:
                return None       # 重庆、四川…建设全省…平台: 全省 is no new subject
            last = self.member_last(clause.para_gid) if clause.para_gid >= 0 else None
            if self.label[pi] in SELF_LAST_NAMED:
                who = last or self.fallback
            else:
                who = self.default or last or self.first_named
            return None if who is None else (who, "", True)
        prov, implied = self.value[pi]
        if implied >= 0:
            self.compounds.append((a, c, implied, self.label[pi]))
        return (prov, "" if kd == PROVINCE else self.label[pi], kd == PROVINCE)

    def _role(self, clause: _Clause, matches, m: int, j: int) -> str:
        """The role of the mention ``m`` of a complex clause."""
        _, n_start, n_end, _, n_kind = matches
        text, a, kd = self.text, n_start[m], n_kind[m]
        other = clause.other_end
        if kd != SELF and (a == other or (a == other + 1 and text[other] in JOINERS)):
            return clause.other_role        # listed with a location, partner …: the same
        if kd != SELF and owns_firms(text, group_end(text, n_start, n_end, n_kind, m, j),
                                     clause.end):
            return "home of firms"          # 合肥、大连等地的…企业: firms act, not the province
        if (a > clause.start and text[a - 1] in CUE_LAST) or clause.national:
            return role(text, a, clause.start, clause.end,
                        [(s[0], _SUBJECT_NAMES[s[1]]) for s in clause.subjects], clause.group_end)
        return "actor"

    def mention(self, clause: _Clause, matches, m: int, j: int, c: int) -> None:
        """A province, city or self-reference in a complex clause."""
        _, n_start, n_end, _, n_kind = matches
        a, b, kd, pi = n_start[m], n_end[m], n_kind[m], matches[0][m]
        subjects = clause.subjects
        if kd != SELF and subjects and subjects[-1][1] == NATIONAL_SUBJECT and subjects[-1][3] == a:
            # 人民银行浙江省分行: a national body's local branch is a local actor
            subjects.pop()
            clause.national = any(sub[1] == NATIONAL_SUBJECT for sub in subjects)
        member = self._member(clause, a, kd, pi, c)
        if member is None:
            return
        role_ = self._role(clause, matches, m, j)
        info = self.info(clause.sentence)
        info[0] = True
        info[1].append((a, member[0]))
        info[3] = info[3] or role_ == "actor"
        if role_ != "actor":
            clause.other_end, clause.other_role = b, role_
            info[2] = info[2] or f"province named only as {role_}"
            if role_ in ("location", "home of firms") and not clause.has_actor:
                # 华为在贵州建设…: someone else acts there; the clause's keywords go to
                # nobody, not to the paragraph's or document's province
                subjects.append((a, COUNT_SUBJECT, -1, b))
            return
        g_end = clause.group_end
        if not (clause.group_id >= 0 and (a == g_end or (a == g_end + 1
                                                          and self.text[g_end] in JOINERS))):
            clause.group_id = self.next_gid
            self.next_gid += 1
            subjects.append((a, ACTOR, clause.group_id, b))
            clause.has_actor = True
        self.m_prov.append(member[0])
        self.m_city.append(member[1])
        self.m_direct.append(member[2])
        self.m_group.append(clause.group_id)
        self.last_member[clause.group_id] = member[0]
        clause.group_end = b
