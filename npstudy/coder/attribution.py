"""Keywords to actors: which province, if any, each keyword of a block is credited to.

A keyword goes to the nearest subject before it in its clause; if that subject is national
(全国, 国务院 …) or a count (9省份), to nobody. With no subject before it, it goes to the
first actor group after it in the clause (依托…，浙江…), and otherwise to the paragraph's
actor, which carries over from clause to clause until another province is named (and starts
as the document's province when given). A keyword with a context rule counts only when its
sentence satisfies the rule.

Clauses whose only actor words are plain province or place names are handled with array
operations; the others are walked by :class:`npstudy.coder.actors.Walk`. Every step is a
function of its own, in the order :func:`attribute` runs them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .actors import IS_CUE_LAST, IS_JOINER, Walk, fronted, owns_firms
from .matcher import CITY, KEYWORD, MOVER, NATIONAL, PROVINCE, QUANT, SELF
from .rules import decide_rules_near
from .national import national_subjects

__all__ = ["Layout", "Matches", "attribute"]


@dataclass
class Layout:
    """A block's text, code points and clauses (start, end, sentence and paragraph of each)."""

    text: str
    cp: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    sentence: np.ndarray
    paragraph: np.ndarray


@dataclass
class Matches:
    """Matches of a block, in text order: pattern index, start, end, clause and kind."""

    idx: np.ndarray
    start: np.ndarray
    end: np.ndarray
    clause: np.ndarray
    kind: np.ndarray

    def take(self, keep) -> "Matches":
        return Matches(self.idx[keep], self.start[keep], self.end[keep], self.clause[keep],
                       self.kind[keep])


def drop_silent_nationals(coder, lay: Layout, m: Matches) -> Matches:
    """Drop the national words that are no subject (在全国率先, 全国首个), so that their
    clauses need no walk (:func:`npstudy.coder.national.national_subjects`)."""
    same = np.zeros(len(m.idx), bool)
    if len(m.idx) > 1:
        same[1:] = m.clause[1:] == m.clause[:-1]
    prev_end = np.where(same, np.concatenate([[-10], m.end[:-1]]), -10)
    national = np.flatnonzero((m.kind == NATIONAL) & ~coder._passive[m.idx])
    if not len(national):
        return m
    silent = national[~national_subjects(lay.cp, m.start[national], m.end[national],
                                         lay.starts[m.clause[national]], prev_end[national])]
    if not len(silent):
        return m
    keep = np.ones(len(m.idx), bool)
    keep[silent] = False
    return m.take(keep)


def complex_clauses(coder, lay: Layout, m: Matches) -> np.ndarray:
    """Per clause, whether it is walked: it holds a self-reference, a national word, a
    count, a place that implies a code, a name after a location or partner cue, or a name
    that only says whose firms act (合肥等地的企业)."""
    cp, n_cp = lay.cp, len(lay.cp)
    is_mention = (m.kind == PROVINCE) | (m.kind == CITY)
    de = np.zeros(len(m.kind), bool)            # 的 right after the name, or 等地的, 等省份的 …
    for k in (0, 2, 3, 4):
        de |= cp[np.minimum(m.end + k, n_cp - 1)] == 0x7684
    after = cp[np.minimum(m.end, n_cp - 1)]
    cand = np.flatnonzero(is_mention & (m.end < n_cp) & de & ((after == 0x7684) | (after == 0x7B49)))
    possessive = np.zeros(len(m.kind), bool)
    if len(cand):
        possessive[cand] = [owns_firms(lay.text, e, ce) for e, ce in
                            zip(m.end[cand].tolist(), lay.ends[m.clause[cand]].tolist())]
    special = (possessive | (m.kind == SELF) | (m.kind == NATIONAL)
               | (is_mention & (coder._implied[m.idx] >= 0))
               | (is_mention & (m.start > lay.starts[m.clause])
                  & IS_CUE_LAST[cp[np.maximum(m.start - 1, 0)]]))
    out = np.zeros(len(lay.starts), bool)
    out[m.clause[special]] = True
    return out


def plain_groups(coder, lay: Layout, m: Matches, complex_clause, default) -> SimpleNamespace:
    """Groups of plain names joined by 、和与及 (or nothing), numbered after the default's.

    Returns the plain mentions (``pos``, ``clause``, ``prov``), the group members so far
    (``base_*``, the default's group first), and each plain clause's last group
    (``actor_clause``, ``actor_gid``): the paragraph's actor after it.
    """
    is_mention = (m.kind == PROVINCE) | (m.kind == CITY)
    plain = is_mention & ~complex_clause[m.clause]
    pos, end, cl, idx, kind = m.start[plain], m.end[plain], m.clause[plain], m.idx[plain], m.kind[plain]
    joined = np.zeros(len(pos), bool)
    if len(pos) > 1:
        gap = pos[1:] - end[:-1]
        sep = IS_JOINER[lay.cp[np.minimum(end[:-1], len(lay.cp) - 1)]]
        joined[1:] = (cl[1:] == cl[:-1]) & ((gap == 0) | ((gap == 1) & sep))
    group = np.cumsum(~joined) - 1 + (1 if default else 0)
    prov = coder._prov_of[idx]
    city = np.where(kind == PROVINCE, "", coder._label_arr[idx]).astype(object)
    last_of_clause = np.ones(len(cl), bool)
    if len(cl) > 1:
        last_of_clause[:-1] = cl[1:] != cl[:-1]
    return SimpleNamespace(
        pos=pos, clause=cl, prov=prov, group=group, head=~joined,
        base_prov=np.concatenate([np.array([default] if default else [], dtype=object), prov]),
        base_city=np.concatenate([np.array([""] if default else [], dtype=object), city]),
        base_direct=np.concatenate([[True] if default else np.empty(0, bool), kind == PROVINCE]),
        base_group=np.concatenate([[0] if default else np.empty(0, np.int64), group]),
        next_gid=(1 if default else 0) + int((~joined).sum()),
        actor_clause=cl[last_of_clause], actor_gid=group[last_of_clause])


def plain_subjects(lay: Layout, m: Matches, complex_clause, p) -> None:
    """The plain clauses' subjects (group heads and counts, type 0 and 2) into ``p``, and the
    last subject of each clause: a count there stops the actor for the rest of its sentence."""
    q_plain = (m.kind == QUANT) & ~complex_clause[m.clause]
    n_q = int(q_plain.sum())
    pos = np.concatenate([p.pos[p.head], m.start[q_plain]])
    typ = np.concatenate([np.zeros(int(p.head.sum()), np.int64), np.full(n_q, 2, np.int64)])
    grp = np.concatenate([p.group[p.head], np.full(n_q, -1, np.int64)])
    cl = np.concatenate([p.clause[p.head], m.clause[q_plain]])
    o = np.argsort(pos, kind="stable")
    p.s_pos, p.s_type, p.s_group, p.s_clause = pos[o], typ[o], grp[o], cl[o]
    last = np.ones(len(cl), bool)
    if len(cl) > 1:
        last[:-1] = p.s_clause[1:] != p.s_clause[:-1]
    p.block_clause = p.s_clause[last]
    p.block_value = np.where(p.s_type[last] == 2, lay.sentence[p.block_clause], -1)


def walk_complex(coder, lay: Layout, m: Matches, complex_clause, p, defaults) -> Walk:
    """Walk the complex clauses' actor words (see :class:`~npstudy.coder.actors.Walk`)."""
    cx = np.flatnonzero(complex_clause[m.clause] & (m.kind != KEYWORD) & (m.kind != MOVER))
    matches = (m.idx[cx].tolist(), m.start[cx].tolist(), m.end[cx].tolist(),
               m.clause[cx].tolist(), m.kind[cx].tolist())
    clauses = np.unique(m.clause[cx])
    plain_before = dict(zip(clauses.tolist(),
                            (np.searchsorted(p.actor_clause, clauses) - 1).tolist()))
    walk = Walk(coder, lay.text, lay, defaults, (p.base_prov, p.base_group, p.next_gid))
    walk.run(matches, p.actor_clause.tolist(), p.actor_gid.tolist(), plain_before)
    return walk


def _sorted_by(key, *arrays):
    o = np.argsort(key, kind="stable")
    return (key[o],) + tuple(a[o] for a in arrays)


def subject_events(p, walk: Walk) -> SimpleNamespace:
    """All subjects in text order (``pos``, ``type``, ``group``, ``clause``); the actor clauses
    (``ev_clause``, ``ev_gid``) and the clauses with subjects (``bl_clause``, ``bl_value``: the
    sentence a count or national subject blocks, else -1), each in clause order."""
    if walk.subjects:
        cpos, ctype, cgrp, ccl = (np.array(x, dtype=np.int64) for x in zip(*walk.subjects))
    else:
        cpos = ctype = cgrp = ccl = np.empty(0, np.int64)
    pos, typ, grp, cl = _sorted_by(np.concatenate([p.s_pos, cpos]), np.concatenate([p.s_type, ctype]),
                                   np.concatenate([p.s_group, cgrp]), np.concatenate([p.s_clause, ccl]))
    ev_clause, ev_gid = _sorted_by(
        np.concatenate([p.actor_clause, np.array([x[0] for x in walk.actors], dtype=np.int64)]),
        np.concatenate([p.actor_gid, np.array([x[1] for x in walk.actors], dtype=np.int64)]))
    bl_clause, bl_value = _sorted_by(
        np.concatenate([p.block_clause, np.array([x[0] for x in walk.blocks], dtype=np.int64)]),
        np.concatenate([p.block_value, np.array([x[1] for x in walk.blocks], dtype=np.int64)]))
    return SimpleNamespace(pos=pos, type=typ, group=grp, clause=cl, ev_clause=ev_clause,
                           ev_gid=ev_gid, bl_clause=bl_clause, bl_value=bl_value)


def keywords(coder, m: Matches, walk: Walk) -> SimpleNamespace:
    """The block's keywords (and codes implied by places, 人才兴皖) in text order: ``pos``,
    ``clause``, ``code`` (-2 where a context rule decides), ``rule`` and ``label``; those in
    a passive national segment (经国家批复…) are dropped."""
    is_kw = m.kind == KEYWORD
    k_idx = m.idx[is_kw]
    k = SimpleNamespace(pos=m.start[is_kw], clause=m.clause[is_kw], code=coder._plain_code[k_idx],
                        rule=coder._rule_index[k_idx], label=coder._label_id[k_idx])
    names = ("pos", "clause", "code", "rule", "label")
    if walk.compounds:
        cpos, cclause, ccode, clab = zip(*walk.compounds)
        extra = (np.array(cpos, dtype=np.int64), np.array(cclause, dtype=np.int64),
                 np.array(ccode, dtype=np.int64), np.full(len(cpos), -1, np.int64),
                 np.array([coder._label_index[x] for x in clab]))
        merged = [np.concatenate([getattr(k, n), e]) for n, e in zip(names, extra)]
        k = SimpleNamespace(**dict(zip(names, _sorted_by(merged[0], *merged[1:]))))
    keep = k.code != -1
    if walk.passive_of:
        for i in np.flatnonzero(keep & np.isin(k.clause, list(walk.passive_of))).tolist():
            if any(lo <= k.pos[i] < hi for lo, hi in walk.passive_of[int(k.clause[i])]):
                keep[i] = False
    return SimpleNamespace(**{n: getattr(k, n)[keep] for n in names})


def keyword_subjects(lay: Layout, k, s) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each keyword's group from a subject before it in its clause, else after it (across a
    comma only from a fronted phrase); -1 for a national or count subject. Returns the group
    ids, whether the subject is in the keyword's clause, and which keywords inherit."""
    n_k, n_s = len(k.pos), len(s.pos)
    gid = np.full(n_k, -1, np.int64)
    own = np.zeros(n_k, bool)
    if not n_s:
        return gid, own, np.ones(n_k, bool)
    jb = np.searchsorted(s.pos, k.pos, side="right") - 1
    before = (jb >= 0) & (s.clause[np.maximum(jb, 0)] == k.clause)
    gid[before] = np.where(s.type[jb[before]] == 0, s.group[jb[before]], -1)
    own[before] = True
    ja = np.minimum(jb + 1, n_s - 1)
    after = ~before & (jb + 1 < n_s) & (s.clause[ja] == k.clause)
    if after.any():
        commas = np.flatnonzero((lay.cp == 0xFF0C) | (lay.cp == 0x2C))
        crossing = after & (np.searchsorted(commas, s.pos[ja]) > np.searchsorted(commas, k.pos))
        for i in np.flatnonzero(crossing).tolist():
            c = int(k.clause[i])
            if not fronted(lay.text, int(lay.starts[c]), int(k.pos[i]), int(s.pos[ja[i]])):
                after[i] = False
        gid[after] = np.where(s.type[ja[after]] == 0, s.group[ja[after]], -1)
        own[after] = True
    return gid, own, ~before & ~after


def inherit(lay: Layout, k, s, gid, inherited, default_gid: int) -> None:
    """The paragraph's actor for keywords with no subject in their clause, in place: the last
    actor clause before, in the same paragraph, else the default; none after a count or
    national subject earlier in the sentence."""
    if not inherited.any():
        return
    kc = k.clause[inherited]
    a = np.searchsorted(s.ev_clause, kc, side="left") - 1      # last actor clause before
    ai = np.maximum(a, 0)
    in_para = (a >= 0) & (lay.paragraph[s.ev_clause[ai]] == lay.paragraph[kc]) \
        if len(s.ev_clause) else np.zeros(len(kc), bool)
    g = np.where(in_para, s.ev_gid[ai] if len(s.ev_gid) else -1, default_gid)
    b = np.searchsorted(s.bl_clause, kc, side="left") - 1      # last clause with subjects
    blocked = (b >= 0) & (s.bl_value[np.maximum(b, 0)] == lay.sentence[kc]) \
        if len(s.bl_clause) else np.zeros(len(kc), bool)
    gid[inherited] = np.where(blocked, -1, g)


def expand_rows(coder, k, gid, own, p, walk: Walk) -> tuple:
    """One row per keyword and member of its group: the columns of the suggestion rows."""
    m_group = np.concatenate([p.base_group, np.array(walk.m_group, dtype=np.int64)])
    n_groups = int(m_group[-1]) + 1 if len(m_group) else 0
    offset = np.searchsorted(m_group, np.arange(n_groups + 1), side="left")
    sizes = np.diff(offset)
    m_prov = np.concatenate([p.base_prov, np.array(walk.m_prov, dtype=object)])
    m_city = np.concatenate([p.base_city, np.array(walk.m_city, dtype=object)])
    m_direct = np.concatenate([p.base_direct, np.array(walk.m_direct, dtype=bool)])
    count = sizes[gid] if len(gid) else np.empty(0, np.int64)
    row_kw = np.repeat(np.arange(len(gid)), count)
    member = np.repeat(offset[gid], count) + (np.arange(len(row_kw)) - np.repeat(
        np.cumsum(count) - count, count))
    m_prov_id = coder._province_lookup.get_indexer(m_prov)
    return (k.clause[row_kw], m_prov[member], k.code[row_kw], k.label[row_kw], own[row_kw],
            m_direct[member], m_city[member], m_prov_id[member])


def unmatched(lay: Layout, p, walk: Walk, k_clause) -> list[tuple]:
    """Sentences that name a province but gave no row, with the reason, in text order."""
    sentence = lay.sentence
    has_row = np.zeros(int(sentence[-1]) + 1 if len(sentence) else 0, bool)
    has_row[sentence[k_clause]] = True
    p_sent = sentence[p.clause]
    miss = ~has_row[p_sent]
    for s_id, pos, prov in zip(p_sent[miss].tolist(), p.pos[miss].tolist(), p.prov[miss].tolist()):
        info = walk.info(s_id)
        info[0] = True
        info[3] = True
        info[1].append((pos, prov))
    out = []
    for s_id, (has_prov, provs, reason, has_actor) in walk.sentences.items():
        if has_actor and reason.startswith("province named only"):
            reason = ""       # another province acts: what is missing is a keyword
        if has_prov and not has_row[s_id]:
            c0 = int(np.searchsorted(sentence, s_id, side="left"))
            c1 = int(np.searchsorted(sentence, s_id, side="right")) - 1
            a, b = int(lay.starts[c0]), int(lay.ends[c1])
            names = dict.fromkeys(pr for _, pr in sorted(provs) if pr)   # first mention first
            out.append((lay.text[a:b], a, b, int(lay.paragraph[c0]), ";".join(names),
                        reason or "no keyword of the lexicon"))
    out.sort(key=lambda u: u[1])
    return out


def attribute(coder, lay: Layout, m: Matches, default: str | None, first_named: str | None):
    """Attribute a block's keywords to actors.

    Returns
    -------
    rows : tuple of arrays
        Clause, province, code index, label index, own clause, named directly, city and
        province index of each row (see :func:`npstudy.coder.tables.suggestion_columns`).
    unmatched : list of tuple
        (quote, start, end, paragraph, provinces, reason) of sentences without a row.
    """
    m = drop_silent_nationals(coder, lay, m)
    complex_clause = complex_clauses(coder, lay, m)
    p = plain_groups(coder, lay, m, complex_clause, default)
    plain_subjects(lay, m, complex_clause, p)
    default_gid = 0 if default else -1
    walk = walk_complex(coder, lay, m, complex_clause, p, (default, first_named, default_gid))
    s = subject_events(p, walk)
    k = keywords(coder, m, walk)
    gid, own, inherited = keyword_subjects(lay, k, s)
    inherit(lay, k, s, gid, inherited, default_gid)
    decide_rules_near(coder._decide, lay.text, k.code, k.rule, k.pos, k.clause, gid,
                      lay.starts, lay.ends)
    ok = (gid >= 0) & (k.code >= 0)
    k = SimpleNamespace(clause=k.clause[ok], code=k.code[ok], label=k.label[ok])
    return expand_rows(coder, k, gid[ok], own[ok], p, walk), unmatched(lay, p, walk, k.clause)
