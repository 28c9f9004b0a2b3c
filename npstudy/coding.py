"""Former home of the coder, kept so that ``from npstudy.coding import ...`` still works.

The code now lives in :mod:`npstudy.text` (reading and splitting),
:mod:`npstudy.coder` (the coder and its evaluation) and :mod:`npstudy.workspace`
(workspaces, review and merge). New code should import from those modules.
"""

from .coder import (AGGREGATE_SUGGESTION_COLUMNS, SUGGESTION_COLUMNS, Coder, CodingResult,
                    code_file, code_text, evaluate)
from .fileio import CodingError
from .text import read_document, split_sentences
from .workspace import decide, make_workspace, merge_reviewed, register_document

__all__ = [
    "CodingError", "Coder", "CodingResult", "read_document", "split_sentences", "code_text",
    "code_file", "evaluate", "SUGGESTION_COLUMNS", "AGGREGATE_SUGGESTION_COLUMNS",
    "make_workspace", "register_document", "decide", "merge_reviewed",
]
