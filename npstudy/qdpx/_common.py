"""What export and import share: the namespace, stable GUIDs and the XML 1.0 character rule."""

from __future__ import annotations

import re
import uuid

from ..fileio import CodingError

#: XML namespace of QDA-XML 1.0 project files.
NAMESPACE = "urn:QDA-XML:project:1.0"
#: XML namespace of QDA-XML 1.0 codebook files (``.qdc``).
CODEBOOK_NAMESPACE = "urn:QDA-XML:codebook:1.0"
NS = {"q": NAMESPACE}
# GUIDs are UUID-5 of "npstudy:<kind>:<id>" in this namespace, a fixed random UUID: never
# change it, or projects exported earlier no longer match by GUID (names still match).
_GUID_NAMESPACE = uuid.UUID("ace0e2e8-7905-4bab-8ee5-644a8af1306f")
#: The folder of a project archive that holds the source texts, as the shared REFI-QDA
#: notes name it; import also reads ``sources/``, which QualCoder and NVivo write.
SOURCES_FOLDER = "Sources"
#: The kinds of npstudy code a REFI-QDA code can stand for, and how messages name them.
KINDS = {"code": "framework code", "province": "province", "instrument": "instrument",
         "instrument_type": "instrument type"}
# XML 1.0 (section 2.2) admits tab, LF, CR and U+0020–U+D7FF, U+E000–U+FFFD, U+10000–
# U+10FFFF; nothing else can be written, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_GUID = re.compile(r"\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
                   r"-[0-9a-fA-F]{12})\}?")


def guid(kind: str, ident: str) -> str:
    """The GUID npstudy gives the ``kind`` object ``ident``: the same in every export."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"npstudy:{kind}:{ident}"))


def norm_guid(value: str | None) -> str:
    """A GUID as compared on import: braces dropped, lower case (tools differ in both)."""
    text = (value or "").strip()
    match = _GUID.fullmatch(text)
    return match.group(1).lower() if match else text.lower()


def q(tag: str) -> str:
    """``tag`` in the QDA-XML project namespace, as ElementTree names it."""
    return f"{{{NAMESPACE}}}{tag}"


def xml_text(value, where: str) -> str:
    """``value`` as a string XML 1.0 can hold, or a :class:`CodingError` naming ``where``.

    XML 1.0 cannot carry U+FFFE, U+FFFF, lone surrogates or C0 controls other than
    tab, line feed and carriage return, not even escaped, so they are refused rather
    than written into a file no tool could read back.
    """
    text = "" if value is None else str(value)
    bad = _NOT_XML.search(text)
    if bad:
        char = bad.group()
        raise CodingError(f"{where}: holds U+{ord(char):04X} at character {bad.start() + 1}, "
                          "which an XML 1.0 file cannot hold – delete that character, then "
                          "export again")
    return text
