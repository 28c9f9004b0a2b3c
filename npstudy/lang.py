"""The languages of labels and figures, and the one check of a ``lang`` argument.

Imports nothing from the package, so that any module (plots, build, codebook,
gazetteer) can use it.
"""

from __future__ import annotations

__all__ = ["LANGS", "check_lang"]

#: Languages of labels and figures: English and Chinese.
LANGS = ("en", "zh")


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise :class:`ValueError`.

    Examples
    --------
    >>> check_lang("zh")
    'zh'
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
    return lang
