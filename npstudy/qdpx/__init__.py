"""Exchange coding with qualitative-analysis software through REFI-QDA files.

A ``.qdpx`` file (REFI-QDA Project, QDA-XML 1.0, www.qdasoftware.org) is a ZIP
archive holding ``project.qde``, an XML description of codes, cases, sources and
coded text selections, and a folder of source texts. ATLAS.ti, NVivo, MAXQDA and
QualCoder read and write it; a ``.qdc`` file holds a code book alone.

- :func:`export_qdpx` writes a workspace as a project (:mod:`~npstudy.qdpx.export`),
- :func:`import_qdpx` merges a project's codings into a workspace
  (:mod:`~npstudy.qdpx.importer`), after :func:`read_qdpx` has read it safely
  (:mod:`~npstudy.qdpx.archive`, :mod:`~npstudy.qdpx.reader`),
- :func:`export_codebook` writes the code trees as ``.qdc`` or as a CSV for Taguette.

The how-to is ``docs/qda.md``. Aggregates (statements that count provinces without
naming them) are not exchanged.
"""

from ._common import CODEBOOK_NAMESPACE, NAMESPACE
from .codebook import export_codebook
from .export import export_qdpx
from .importer import derived_doc_id, import_qdpx
from .reader import QdpxProject, read_qdpx

__all__ = ["export_qdpx", "import_qdpx", "read_qdpx", "export_codebook", "derived_doc_id",
           "QdpxProject", "NAMESPACE", "CODEBOOK_NAMESPACE"]
