"""The document's own province when ``--province`` is not given.

A provincial work report or plan often names its province only in its title (2024年江苏省
政府工作报告, 浙江省人民政府关于…的通知, 江苏省科学技术厅关于…) or never. In that order,
:func:`document_province` takes the province

1. given by the user (``--province``);
2. recorded for the document in a workspace (``add-document --province``, the ``province``
   column of ``documents.csv``);
3. of the issuer named in a title or header line (:func:`title_province`): a short line
   near the start, not ending like a sentence, with a document-type word (政府工作报告,
   关于, 人民代表大会, 规划, 方案, 意见, 通知, 公报 …); the issuer is what comes before the
   first such word, and must name places of one province only (a city is mapped to its
   province through the gazetteer);

   or of the issuer's abbreviation in a document number in the first lines
   (:func:`number_province`: 浙政发〔2023〕5号, 宁政办发〔2023〕13号 with 自治区);
4. of a news headline (:func:`headline_province`): the first title or header line that names
   a place, when it has no document-type word and names places of one province only
   (甲市设立…基金, 某省启动…行动, or an outlet line such as 某省日报·日期); lines that name no
   place (page furniture, a headline without one) are passed over;

and otherwise leaves it to the text: the coder then reads 我省, 全省 … as the province the
paragraph names, else the first province the text names (see :meth:`Coder.code`).
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from ..fileio import read_table
from .matcher import CITY, PARTNERS, PROVINCE

__all__ = ["TITLE_WORDS", "NUMBER_ABBREVIATIONS", "title_lines", "title_province",
           "number_province", "headline_province", "recorded_province", "document_province"]

#: Words of a title or header line that say what kind of document it is; the issuer comes
#: before the first of them.
TITLE_WORDS = ("政府工作报告", "工作报告", "人民代表大会", "关于", "印发", "规划", "实施方案",
               "行动方案", "工作方案", "方案", "行动计划", "实施意见", "指导意见", "意见", "若干措施",
               "若干政策", "措施", "通知", "办法", "条例", "决定", "公报", "白皮书")
_SENTENCE_ENDS = "。！？!?；;"
_MAX_TITLE_CHARS = 100     # a title or header line is short (a notice's title may be long)
_HEAD_CHARS = 300          # and comes near the start
_HEAD_LINES = 4


def title_lines(text: str) -> list[str]:
    """The lines that may be a title or header: among the first four non-empty lines within
    the first 300 characters, those of at most 60 characters not ending like a sentence.

    Examples
    --------
    >>> title_lines("2024年江苏省政府工作报告\\n\\n各位代表：过去一年，我省……。")
    ['2024年江苏省政府工作报告']
    """
    out = []
    lines = [line.strip(" \t\r\u3000") for line in text[:_HEAD_CHARS].split("\n")]
    for line in [line for line in lines if line][:_HEAD_LINES]:
        if len(line) <= _MAX_TITLE_CHARS and line[-1] not in _SENTENCE_ENDS:
            out.append(line)
    return out


def _issuer(line: str) -> str | None:
    """The part of a title line before its first document-type word; None without one."""
    at = [i for i in (line.find(w) for w in TITLE_WORDS) if i >= 0]
    return line[:min(at)] if at else None


def title_province(text: str, coder) -> str | None:
    """The province of the issuer named in the text's title or header line, if any.

    ``coder`` (:class:`npstudy.coder.Coder`) supplies the gazetteer's names: provinces,
    cities, county-level cities and zones. A line whose issuer names places of two provinces
    (a joint document) or none (国务院关于…) gives nothing; the first line that gives a
    province wins.

    Examples
    --------
    >>> from npstudy.coder import Coder
    >>> c = Coder()
    >>> [title_province(t, c) for t in ("杭州市人民政府关于印发若干措施的通知\\n正文。",
    ...                                 "国务院关于支持福建的意见\\n正文。",
    ...                                 "浙江设立基金，支持科创。")]
    ['CN-ZJ', None, None]
    """
    for line in title_lines(text):
        issuer = _issuer(line)
        if not issuer:
            continue
        named = _provinces_named(issuer, coder)
        if len(named) == 1:
            return named.pop()
    return None


#: The one-character abbreviations a provincial document number opens with (浙政发, 粤府办,
#: 内政发 for Inner Mongolia). 宁 is Ningxia's and Nanjing's: it counts only beside 自治区.
NUMBER_ABBREVIATIONS = {
    "京": "CN-BJ", "津": "CN-TJ", "冀": "CN-HE", "晋": "CN-SX", "内": "CN-NM", "蒙": "CN-NM",
    "辽": "CN-LN", "吉": "CN-JL", "黑": "CN-HL", "沪": "CN-SH", "苏": "CN-JS", "浙": "CN-ZJ",
    "皖": "CN-AH", "闽": "CN-FJ", "赣": "CN-JX", "鲁": "CN-SD", "豫": "CN-HA", "鄂": "CN-HB",
    "湘": "CN-HN", "粤": "CN-GD", "桂": "CN-GX", "琼": "CN-HI", "渝": "CN-CQ", "川": "CN-SC",
    "黔": "CN-GZ", "云": "CN-YN", "滇": "CN-YN", "藏": "CN-XZ", "陕": "CN-SN", "甘": "CN-GS",
    "青": "CN-QH", "宁": "CN-NX", "新": "CN-XJ"}
_NUMBER = re.compile(r"^\s*([" + "".join(NUMBER_ABBREVIATIONS) + r"])[\u4e00-\u9fff]{1,5}"
                     r"\s*[〔\[［(（]\s*(?:19|20)\d\d\s*[〕\]］)）]\s*(?:第\s*)?\d+\s*号")


def number_province(text: str) -> str | None:
    """The province whose abbreviation opens a document number (发文字号) among the first
    lines: 浙政发〔2023〕5号 → Zhejiang. 宁 counts as Ningxia only when the first 300
    characters say 自治区 (Nanjing numbers its documents 宁政发 too).

    Examples
    --------
    >>> number_province("浙政发〔2023〕5号\\n各市、县人民政府：")
    'CN-ZJ'
    >>> [number_province(t) for t in ("宁政办发〔2023〕13号\\n各市、县（区）人民政府，自治区政府各部门：",
    ...                               "宁政发〔2023〕13号\\n各区人民政府，市府各委办局：",
    ...                               "2023年5号文件\\n正文。")]
    ['CN-NX', None, None]
    """
    head = text[:_HEAD_CHARS]
    for line in head.split("\n")[:_HEAD_LINES + 2]:
        m = _NUMBER.match(line)
        if m:
            if m.group(1) == "宁" and "自治区" not in head:
                return None
            return NUMBER_ABBREVIATIONS[m.group(1)]
    return None


def _provinces_named(line: str, coder) -> set:
    """The provinces whose names or places ``line`` names (partners left out)."""
    idx, _, _ = coder._matcher.find(line)
    kinds = coder._kind[idx]
    return {coder._prov_of[i] for i, k in zip(idx.tolist(), kinds.tolist())
            if k in (PROVINCE, CITY)} - PARTNERS


def headline_province(text: str, coder) -> str | None:
    """The province of a news headline: the first title or header line (:func:`title_lines`)
    that names a place, when it has no document-type word and names places of one province
    only. Lines that name no place are passed over.

    Examples
    --------
    >>> from npstudy.coder import Coder
    >>> c = Coder()
    >>> [headline_province(t, c) for t in ("洛阳市设立机器人产业基金\\n正文。",
    ...                                    "苏浙两省共建走廊\\n正文。", "浙江设立基金，支持科创。",
    ...                                    "第01版:要闻\\n打造产业园区\\n黑龙江省加快发展数字经济\\n正文。")]
    ['CN-HA', None, None, 'CN-HL']
    """
    for line in title_lines(text):
        named = _provinces_named(line, coder)
        if not named:
            continue                # page furniture (第01版:要闻) or a headline with no place
        if _issuer(line) is not None or len(named) > 1:
            return None
        return named.pop()
    return None


@lru_cache(maxsize=8)
def _recorded(table: Path, stamp: tuple) -> dict:
    """``{(doc_id, path): province}`` of a ``documents.csv`` (``stamp``: its size and time, so
    that an edited table is read again)."""
    docs = read_table(table)
    if "province" not in docs.columns or "doc_id" not in docs.columns:
        return {}
    paths = docs["path"] if "path" in docs.columns else [""] * len(docs)
    return {(d, p): v.strip() for d, p, v in zip(docs["doc_id"], paths, docs["province"])
            if v.strip()}


def recorded_province(path: str | os.PathLike, doc_id: str | None = None) -> str | None:
    """The province recorded for a workspace text ``WS/raw/<doc_id>.txt`` in
    ``WS/documents.csv`` (its ``province`` column), if any.

    Only a file inside a workspace's ``raw/`` folder, registered under its file name, has
    one; anything else gives None.
    """
    path = Path(path)
    folder = path.resolve().parent
    table = folder.parent / "documents.csv"
    if folder.name != "raw" or not table.is_file():
        return None
    info = table.stat()
    found = _recorded(table, (info.st_size, info.st_mtime_ns))
    doc_id = doc_id or path.stem
    return found.get((doc_id, f"raw/{path.name}")) or found.get((doc_id, "")) or None


def document_province(text: str, coder, province: str | None = None,
                      recorded: str | None = None) -> tuple[str | None, str]:
    """The document's own province and where it came from.

    Returns
    -------
    province : str or None
        As given (a name or ISO code), as recorded, or the ISO code from the title line.
    source : {"given", "recorded", "title", "text"}
        ``"text"`` when none was found: the coder then reads it from the text.

    Examples
    --------
    >>> from npstudy.coder import Coder
    >>> document_province("2024年江苏省政府工作报告\\n全省设立基金。", Coder())
    ('CN-JS', 'title')
    >>> document_province("全省设立基金。", Coder(), recorded="CN-AH")
    ('CN-AH', 'recorded')
    """
    if province:
        return province, "given"
    if recorded:
        if coder.gazetteer.find(recorded) is None:
            from ..fileio import CodingError
            from ..gazetteer import PROVINCE_HINT

            raise CodingError(f"the workspace's documents.csv records province {recorded!r} for "
                              f"this text, which is not a province name or ISO code – "
                              f"{PROVINCE_HINT}; fix that row")
        return recorded, "recorded"
    found = (title_province(text, coder) or number_province(text)
             or headline_province(text, coder))
    return (found, "title") if found else (None, "text")
