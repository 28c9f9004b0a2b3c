"""Open a ``.qdpx`` archive safely: bounded, unambiguous, and readable in full or not at all.

A project file comes from someone else, so every way it can be wrong ends in one
:class:`~npstudy.fileio.CodingError` that names the file and the part: not a regular
file (a FIFO, a device or a folder is refused before it is opened), too large,
not a ZIP archive, an encrypted or damaged member, a compression method other
than *stored* or *deflated*, an archive that unpacks far beyond its size (a zip
bomb), two members of one name, no project file or two of them, and a
``project.qde`` that is not well-formed XML in the encoding its declaration names.
Nothing here writes anything.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
import zlib
from xml.etree import ElementTree as ET

from ..fileio import CodingError, DataError, read_bytes
from ._common import NAMESPACE, SOURCES_FOLDER, q

__all__ = ["Archive", "MAX_ARCHIVE_BYTES", "MAX_UNPACKED_BYTES", "MAX_RATIO"]

#: Largest ``.qdpx`` file read (64 MiB); larger ones are refused before they are read.
MAX_ARCHIVE_BYTES = 64 * 1024 * 1024
#: Most bytes all members of an archive may unpack to together (128 MiB).
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
#: Largest ratio of unpacked to packed size of a member larger than 1 MiB. Text packs
#: to about a third; a member that unpacks to more than 200 times its size is a bomb.
MAX_RATIO = 200
_STORED_OR_DEFLATED = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_DECLARATION = re.compile(rb"^<\?xml\s[^>]*?\?>")
_ENCODING = re.compile(rb"""\sencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")


class Archive:
    """The members of a ``.qdpx`` file, checked; ``read`` unpacks one of them.

    Parameters
    ----------
    path : path-like
        The project file. It must be a regular file of at most
        :data:`MAX_ARCHIVE_BYTES`.
    """

    def __init__(self, path):
        self.name = str(path)
        try:
            raw = read_bytes(path, MAX_ARCHIVE_BYTES)
        except DataError as err:
            raise CodingError(f"{err} (a REFI-QDA project is one .qdpx file)") from None
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(raw))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as err:
            raise CodingError(f"{self.name}: not a REFI-QDA project (.qdpx is a ZIP archive): "
                              f"{err}") from None
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            self._check_member(info)
            if info.filename in self.members:
                raise CodingError(f"{self.name}: holds two members named {info.filename!r} – "
                                  "the archive is ambiguous; export the project again")
            self.members[info.filename] = info
            total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise CodingError(f"{self.name}: unpacks to {total:,} bytes, more than the "
                              f"{MAX_UNPACKED_BYTES:,}-byte limit – split the project")

    def _check_member(self, info: zipfile.ZipInfo) -> None:
        where = f"{self.name}: member {info.filename!r}"
        if info.flag_bits & 0x1:
            raise CodingError(f"{where} is encrypted – export the project without a password")
        if info.compress_type not in _STORED_OR_DEFLATED:
            raise CodingError(f"{where} uses compression method {info.compress_type}; REFI-QDA "
                              "tools write stored or deflated members – re-zip the project "
                              "with ordinary (deflate) compression")
        if info.file_size > (1 << 20) and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise CodingError(f"{where} unpacks to {info.file_size:,} bytes from "
                              f"{info.compress_size:,}, more than {MAX_RATIO} times its size – "
                              "refused as a zip bomb")

    def read(self, member: str) -> bytes:
        """The unpacked bytes of ``member``, checked against its CRC.

        ``zipfile`` stops at the size the directory declares, and the declared sizes
        were capped when the archive was opened, so a member cannot unpack further.
        """
        try:
            return self._zip.read(self.members[member])
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                ValueError, OSError) as err:
            raise CodingError(f"{self.name}: member {member!r} cannot be unpacked ({err}) – the "
                              "archive is damaged; export the project again") from None

    def project_member(self) -> str:
        """The project file: ``project.qde``, or the one ``*.qde`` at the top (ATLAS.ti
        names it after the project)."""
        found = [m for m in self.members if "/" not in m and m.lower().endswith(".qde")]
        if not found:
            raise CodingError(f"{self.name}: has no project.qde – not a REFI-QDA project; export "
                              "the project again as .qdpx")
        if len(found) > 1:
            raise CodingError(f"{self.name}: holds {len(found)} project files "
                              f"({', '.join(map(repr, sorted(found)))}) – it is ambiguous which "
                              "one to read; keep one")
        return found[0]

    def source_member(self, ref: str, source: str) -> str:
        """The member a ``plainTextPath="internal://ref"`` names, in ``Sources/`` or ``sources/``
        (tools differ in the folder's case and in the case of GUIDs in file names)."""
        wanted = f"{SOURCES_FOLDER}/{ref}".lower()
        found = [m for m in self.members if m.lower() == wanted]
        if not found:
            raise CodingError(f"{self.name}: source {source!r} names internal://{ref}, but the "
                              f"archive has no {SOURCES_FOLDER}/{ref} – export the project again "
                              "with its sources embedded")
        if len(found) > 1:
            raise CodingError(f"{self.name}: source {source!r} could be any of "
                              f"{', '.join(map(repr, sorted(found)))} – keep one")
        return found[0]

    def project_root(self) -> ET.Element:
        """Parse the project file; its XML declaration names the encoding (UTF-8 by default)."""
        member = self.project_member()
        raw = self.read(member)
        text = decode_xml(raw, f"{self.name}: {member}")
        try:
            root = ET.fromstring(text)
        except ET.ParseError as err:
            raise CodingError(f"{self.name}: {member} is not well-formed XML ({err})") from None
        if root.tag != q("Project"):
            raise CodingError(f"{self.name}: {member} is not a QDA-XML 1.0 project (root element "
                              f"{root.tag!r}, expected Project in namespace {NAMESPACE})")
        return root


def decode_xml(raw: bytes, where: str) -> str:
    """XML bytes as text, decoded as XML 1.0 says: by the declaration, else as UTF-8.

    The declaration is removed from the result (ElementTree parses text, not bytes
    in a declared encoding). A UTF-16 or UTF-32 file, an encoding Python does not
    know, or bytes that are not valid in the declared encoding are refused.
    """
    if raw[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or raw[:2] in (b"\xff\xfe",
                                                                                b"\xfe\xff"):
        raise CodingError(f"{where}: is UTF-16 or UTF-32 text; REFI-QDA tools write UTF-8 – save "
                          "it as UTF-8")
    bom = raw.startswith(codecs.BOM_UTF8)
    body = raw[3:] if bom else raw
    declaration = _DECLARATION.match(body)
    declared = None
    if declaration:
        found = _ENCODING.search(declaration.group())
        declared = found.group(1).decode("ascii") if found else None
    encoding = declared or "utf-8"
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise CodingError(f"{where}: declares encoding {encoding!r}, which is not a known "
                          "encoding – save it as UTF-8 and declare encoding=\"utf-8\"") from None
    if bom and info.name != "utf-8":
        raise CodingError(f"{where}: starts with a UTF-8 byte-order mark but declares encoding "
                          f"{encoding!r} – the two disagree; save it as UTF-8")
    if info.name.startswith(("utf-16", "utf-32")):
        raise CodingError(f"{where}: declares {encoding!r} but is not UTF-16/32 text – "
                          "declare encoding=\"utf-8\"")
    try:
        text = body.decode(info.name)
    except UnicodeDecodeError as err:
        hint = ("declare the encoding it is in, or save it as UTF-8" if declared is None
                else "save it in that encoding, or as UTF-8")
        raise CodingError(f"{where}: byte {err.start + (3 if bom else 0)} is not valid "
                          f"{encoding} – {hint}") from None
    return text[declaration.end():] if declaration else text
