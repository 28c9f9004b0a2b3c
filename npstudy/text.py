"""Reading Chinese text files and splitting them into sentences and clauses.

Everything here keeps character offsets into the text exactly as decoded from
the file: nothing is normalised or rewritten. This module knows nothing of the
codebook or the gazetteer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fileio import CONTROL_CHARS, MAX_TEXT_BYTES, CodingError, DataError, decode_utf8, read_bytes

__all__ = ["read_document", "check_plain_text", "split_sentences", "clause_layout", "ClauseLayout",
           "code_points", "char_table", "text_warnings", "longest_sentence",
           "MAX_SENTENCE_CHARS"]

# Characters found only in Traditional Chinese (a small, common set) for the warning.
_TRADITIONAL = set("國東廣與發經產業會區縣實現義們機構資應當關係點無來對這時從過還進運開間問"
                   "題體軟雙跡鏈數據設劃為創領導協調環質")
# 碳 (carbon) is written the same in Simplified and Traditional Chinese, so it is not in
# the set: every carbon text would otherwise look Traditional.


def read_document(path: str | os.PathLike, encoding: str | None = None,
                  max_bytes: int = MAX_TEXT_BYTES) -> tuple[str, str]:
    """Read a Chinese text file.

    Parameters
    ----------
    path : path-like
    encoding : {None, "utf-8", "gb18030"}, optional
        ``None`` accepts UTF-8 (with or without BOM) and detects GB18030/GBK.
    max_bytes : int, optional
        Size cap; larger files are refused before they are read.

    Returns
    -------
    text : str
        The decoded text, byte-order marks at its start removed (one or more, UTF-8 or
        GB18030), line endings unchanged; offsets of the suggestions index this string.
    encoding : str
        ``"utf-8"`` or ``"gb18030"``.

    Raises
    ------
    CodingError
        For a missing, unreadable, non-regular or too large file (see
        :func:`npstudy.fileio.read_bytes`), an empty, binary or UTF-16 file, one in
        another encoding, or one that is only white space or holds a control
        character (see :func:`check_plain_text`).
    """
    name = str(path)
    try:
        raw = read_bytes(path, max_bytes)
    except DataError as err:
        raise CodingError(str(err)) from None
    if not raw.strip():
        raise CodingError(f"{name}: file is empty – nothing to code")
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in raw:
        kind = "UTF-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "binary (it holds NUL bytes)"
        raise CodingError(f"{name}: file is {kind}, not text – save it as UTF-8 text")
    text, used = _decode(raw, name, encoding)
    # a byte-order mark is no text: a file saved twice with one (or GB18030's, which the
    # codec keeps) starts with U+FEFF after decoding; a stored copy would then count it
    text = text.lstrip("\ufeff")
    check_plain_text(text, name)
    return text, used


def check_plain_text(text: str, name: str) -> None:
    """Refuse a text that is only white space or holds a control character.

    The rule is the one every table cell follows (:data:`npstudy.fileio.CONTROL_CHARS`):
    tab, line feed and carriage return are allowed, other C0 control characters and
    DEL are not. Texts are refused where they enter npstudy (``code``,
    ``add-document``, ``validate``), so that no coded row can quote such a character.

    Raises
    ------
    CodingError
        Naming the file, the line and column (1-based) and the character.
    """
    if not text.strip():  # str.strip also removes U+3000 and other Unicode white space
        raise CodingError(f"{name}: file is empty (white space only) – nothing to code")
    # one array operation finds whether there is any; the regular expression then names it
    cp = code_points(text)
    if not np.take(_IS_CONTROL, cp).any():
        return
    bad = CONTROL_CHARS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        more = len(CONTROL_CHARS.findall(text)) - 1
        extra = f" (and {more} more)" if more else ""
        raise CodingError(f"{name}:{line}: column {col}: holds the control character "
                          f"{bad.group()!r}{extra} – remove it or replace it with a line break "
                          "(form feeds from PDF extraction: `tr '\\f' '\\n' < in.txt > out.txt`); "
                          "texts must be plain text")


def _decode(raw: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    enc = (encoding or "").lower().replace("_", "-")
    if enc in ("", "utf-8", "utf8", "utf-8-sig"):
        _refuse_cut_utf8(raw, name)
        try:
            return decode_utf8(raw, name), "utf-8"
        except DataError as err:
            if enc:
                raise CodingError(f"{err}; or pass --encoding gb18030") from None
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise CodingError(f"{name}: neither UTF-8 nor GB18030 – save it as UTF-8") from None
        han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
        wide = sum(ord(ch) > 127 for ch in text)
        if han < 0.3 * wide:
            raise CodingError(f"{name}: not UTF-8, and as GB18030 it is not Chinese text – "
                              "save it as UTF-8")
        other = _other_encoding(raw, text, wide)
        if other == "BIG5":
            raise CodingError(f"{name}: not UTF-8, and it looks Big5-encoded (Traditional "
                              f"Chinese): read as GB18030 it is garbled – convert it with "
                              f"`iconv -f BIG5 -t UTF-8 {name} > fixed.txt`, then to Simplified "
                              "characters (e.g. with OpenCC)")
        if other:
            raise CodingError(f"{name}: not UTF-8, and it looks like Japanese text ({other}): "
                              "read as GB18030 it is garbled – npstudy codes Chinese text; if "
                              f"it is Chinese, convert it with `iconv -f {other} -t UTF-8 {name} "
                              "> fixed.txt`")
        return text, "gb18030"
    if enc in ("gb18030", "gbk", "gb2312"):
        try:
            return raw.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as err:
            raise CodingError(f"{name}: not valid GB18030 (byte {err.start}) – check the "
                              "encoding, or omit --encoding to read UTF-8") from None
    raise CodingError(f"{name}: encoding {encoding!r} is not supported – use utf-8 or gb18030")


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _other_encoding(raw: bytes, as_gb: str, wide: int) -> str | None:
    """The encoding that bytes which decode as GB18030 more likely are: ``"BIG5"`` or
    ``"SHIFT-JIS"`` when they decode as that too and, read as GB18030, more than a tenth of
    their non-ASCII characters fall outside GB2312 (the garbled reading is full of rare
    characters and symbols; Simplified text in GBK has next to none, and Traditional text in
    GB18030 decodes as neither); ``"EUC-JP"`` when more than a tenth are kana. None
    otherwise (Korean EUC-KR reads as common characters and is not recognised)."""
    outside = as_gb.encode("gb2312", errors="replace").count(b"?") - as_gb.count("?")
    if outside > 0.1 * wide:
        for encoding in ("big5", "shift_jis"):
            if _decodes(raw, encoding):
                return encoding.upper().replace("_", "-")
    kana = sum("\u3040" <= ch <= "\u30ff" for ch in as_gb)
    if kana > 0.1 * wide and _decodes(raw, "euc_jp"):
        return "EUC-JP"
    return None


def _refuse_cut_utf8(raw: bytes, name: str) -> None:
    """Refuse UTF-8 text whose last character was cut off (a truncated download or copy).

    Such a file is valid UTF-8 up to its last one to three bytes, which begin a character
    that never ends; read as GB18030 instead it would be mojibake, so it is refused.
    """
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason == "unexpected end of data" and err.end == len(body) and \
                len(body) - err.start <= 3:
            cut = len(body) - err.start
            raise CodingError(f"{name}: the file ends in the middle of a UTF-8 character (its "
                              f"last {cut} byte(s), {body[err.start:].hex(' ')}, begin one that "
                              "never ends): it was cut off – use the complete file, or remove "
                              "the broken end") from None


def split_sentences(text: str) -> pd.DataFrame:
    """Split text into sentences and clauses, keeping offsets.

    Sentences end at 。！？!? (full- or half-width) and line breaks; clauses
    end at ; or ；. Delimiters are not part of a span; empty spans are dropped.

    Returns
    -------
    pandas.DataFrame
        One row per clause: ``sentence`` and ``clause`` (0-based indexes),
        ``start`` and ``end`` (character offsets, end exclusive), ``line``
        (0-based line number) and ``text``.

    Examples
    --------
    >>> split_sentences("上海设立基金;浙江建设平台。广东出台条例!")[["sentence", "text"]].values.tolist()
    [[0, '上海设立基金'], [0, '浙江建设平台'], [1, '广东出台条例']]
    """
    lay = clause_layout(text)
    return pd.DataFrame({"sentence": lay.sentence, "clause": np.arange(len(lay.starts)),
                         "start": lay.starts, "end": lay.ends,
                         "line": np.searchsorted(lay.newlines, lay.starts, side="right"),
                         "text": [text[s:e] for s, e in zip(lay.starts, lay.ends)]})


#: Sentence ends: full stops and line breaks of every kind (NEL, line and paragraph separators
#: too), so that no quote spans a line break, which a table cell may not hold.
_SENTENCE_CHARS = "。！？!?\r\n\x85\u2028\u2029"
_CLAUSE_CHARS = ";；"


def code_points(text: str) -> np.ndarray:
    """The code points of ``text`` as a uint32 array (one per character)."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def char_table(chars: str) -> np.ndarray:
    """A lookup table over all code points: True for the characters in ``chars``."""
    table = np.zeros(0x110000, dtype=bool)
    table[[ord(c) for c in chars]] = True
    return table


_IS_SENTENCE = char_table(_SENTENCE_CHARS)
_IS_DELIMITER = char_table(_SENTENCE_CHARS + _CLAUSE_CHARS)
_IS_TRADITIONAL = char_table("".join(_TRADITIONAL))
_IS_CONTROL = char_table("".join(chr(c) for c in range(0x80) if CONTROL_CHARS.match(chr(c))))
_IS_INVISIBLE = char_table("".join(map(chr, [*range(0x200B, 0x2010), *range(0x202A, 0x202F),
                                               *range(0x2060, 0x2065), 0xFEFF])))
_IS_SPACE = char_table("".join(chr(c) for c in range(0x3001) if chr(c).isspace()))


#: Longest sentence a text coded in corpus mode may hold. The longest in the real-text sets
#: is some 530 characters; a text with no sentence ends (a PDF extraction without 。 or line
#: breaks) makes each suggestion quote all of it, and an 8 MiB one took many GB to code.
MAX_SENTENCE_CHARS = 20_000


def longest_sentence(text: str) -> tuple[int, int]:
    """Length and start of the longest stretch of ``text`` without a sentence end
    (。！？!? or a line break).

    Examples
    --------
    >>> longest_sentence("甲。乙丙丁\\n戊")
    (3, 2)
    """
    ends = np.flatnonzero(_IS_SENTENCE[code_points(text)])
    bounds = np.concatenate(([-1], ends, [len(text)]))
    gaps = np.diff(bounds) - 1
    k = int(np.argmax(gaps))
    return int(gaps[k]), int(bounds[k] + 1)


@dataclass
class ClauseLayout:
    """Clause spans, their sentence numbers and the newline positions of a text."""

    starts: np.ndarray
    ends: np.ndarray
    sentence: np.ndarray
    newlines: np.ndarray
    cp: np.ndarray


def clause_layout(text: str) -> ClauseLayout:
    """Split ``text`` into clauses with vectorised NumPy operations.

    Runs of delimiters (。！？!? line breaks ; ；) separate clauses; a run that
    holds a sentence delimiter also ends a sentence. Clauses are trimmed of
    white space and empty clauses dropped.
    """
    cp = code_points(text)
    n = len(cp)
    pos = np.flatnonzero(np.take(_IS_DELIMITER, cp))
    newlines = pos[cp[pos] == 10]
    if len(pos):
        first = np.concatenate([[True], np.diff(pos) > 1])
        run_first = np.flatnonzero(first)
        run_start = pos[run_first]
        run_end = pos[np.concatenate([run_first[1:], [len(pos)]]) - 1] + 1
        run_is_sentence = np.maximum.reduceat(_IS_SENTENCE[cp[pos]], run_first)
    else:
        run_start = run_end = np.empty(0, np.int64)
        run_is_sentence = np.empty(0, bool)
    starts = np.concatenate([[0], run_end]).astype(np.int64)
    ends = np.concatenate([run_start, [n]]).astype(np.int64)
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    # trim white space at the few clause edges that have it
    for i in np.flatnonzero(_IS_SPACE[cp[starts]]).tolist():
        while starts[i] < ends[i] and text[starts[i]].isspace():
            starts[i] += 1
    for i in np.flatnonzero(_IS_SPACE[cp[np.maximum(ends - 1, 0)]]).tolist():
        while ends[i] > starts[i] and text[ends[i] - 1].isspace():
            ends[i] -= 1
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    sentence = np.searchsorted(run_end[run_is_sentence], starts, side="right")
    return ClauseLayout(starts, ends, sentence, newlines, cp)


def text_warnings(cp: np.ndarray) -> list[str]:
    """Warnings about a text that will match poorly: no Chinese, Traditional characters,
    invisible format characters (zero-width spaces and joiners, bidirectional controls) that
    split names and keywords, or lines broken by a carriage return alone.

    Examples
    --------
    >>> text_warnings(code_points("浙\u200b江省设立基金"))[0][:54]
    'the text holds 1 invisible format character(s) (U+200B'
    >>> text_warnings(code_points("浙江设立基金。\\r江苏建设中心。\\r\\n"))[0][:60]
    'the text breaks 1 line(s) with a carriage return alone (CR, '
    """
    sample = cp[:200_000]
    han = int(((sample >= 0x4E00) & (sample <= 0x9FFF)).sum())
    trad = int(_IS_TRADITIONAL[sample].sum())
    out = []
    invisible = np.flatnonzero(_IS_INVISIBLE[sample])
    if len(invisible):
        out.append(f"the text holds {len(invisible)} invisible format character(s) "
                   f"(U+{int(sample[invisible[0]]):04X} first, at character {int(invisible[0])}) "
                   "that split names and keywords so that they do not match – remove them "
                   "and code the text again")
    lone_cr = np.flatnonzero((sample == 13) & (np.append(sample[1:], 0) != 10))
    if len(lone_cr):
        out.append(f"the text breaks {len(lone_cr)} line(s) with a carriage return alone (CR, "
                   f"first at character {int(lone_cr[0])}, as classic Mac OS did); paragraphs "
                   "are read at line feeds, so convert the line ends (e.g. tr '\\r' '\\n') "
                   "and code the text again")
    separators = np.flatnonzero((sample == 0x85) | (sample == 0x2028) | (sample == 0x2029))
    if len(separators):
        kinds = ", ".join(f"{int((sample == c).sum())} U+{c:04X}" for c in (0x85, 0x2028, 0x2029)
                          if (sample == c).any())
        out.append(f"the text breaks lines with separators other than line feeds ({kinds}; "
                   f"first at character {int(separators[0])}); sentences end there, but "
                   "paragraphs and title lines are read at line feeds, so replace these with "
                   "line feeds and code the text again")
    if han == 0:
        out.append("the text holds no Chinese characters")
    elif trad / han > 0.02:
        out.append(f"the text looks like Traditional Chinese ({trad} Traditional-only characters "
                   "in the first 200,000); names and keywords are matched in Simplified Chinese "
                   "only, so convert it first (e.g. with OpenCC)")
    return out
