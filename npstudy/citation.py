"""How to cite npstudy and its dataset: ``npstudy cite``.

The metadata mirror ``CITATION.cff`` at the repository root (a test keeps them in
step), so that an installed package, which has no ``CITATION.cff``, cites itself
the same way. Nothing about the coded source article is invented: its title,
outlet, date and author could not be established (``data/README.md``).
"""

from __future__ import annotations

from . import __version__

__all__ = ["SOFTWARE", "DATASET", "bibtex", "plain", "citations"]

AUTHORS = "npstudy contributors"
#: The package, as ``CITATION.cff`` describes it.
SOFTWARE = {"key": "npstudy", "type": "software",
            "title": "npstudy: how Chinese provinces cultivate new quality productive forces",
            "author": AUTHORS, "version": __version__, "license": "MIT"}
#: The coded dataset, as ``CITATION.cff``'s ``references`` describe it.
DATASET = {"key": "npstudy_data", "type": "data",
           "title": "npstudy coded dataset: provincial practice in cultivating new quality "
                    "productive forces",
           "author": AUTHORS, "version": __version__, "license": "CC-BY-4.0"}


def bibtex(entry: dict) -> str:
    """A BibTeX ``@software`` or ``@dataset`` entry (biblatex types).

    Examples
    --------
    >>> print(bibtex(SOFTWARE).splitlines()[0])
    @software{npstudy,
    """
    kind = "software" if entry["type"] == "software" else "dataset"
    fields = [("title", "{" + entry["title"] + "}"), ("author", "{" + entry["author"] + "}"),
              ("version", entry["version"]), ("license", entry["license"])]
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@{kind}{{{entry['key']},\n{body}\n}}"


def plain(entry: dict) -> str:
    """A plain-text citation.

    Examples
    --------
    >>> plain(DATASET).startswith("npstudy contributors. npstudy coded dataset")
    True
    """
    kind = "Software" if entry["type"] == "software" else "Data set"
    return (f"{entry['author']}. {entry['title']} (version {entry['version']}) [{kind}]. "
            f"Licence: {entry['license']}.")


def citations() -> str:
    """Both citations, BibTeX then plain text, as ``npstudy cite`` prints them."""
    return ("% npstudy (software)\n" + bibtex(SOFTWARE) + "\n\n% npstudy coded dataset\n"
            + bibtex(DATASET) + "\n\n" + plain(SOFTWARE) + "\n" + plain(DATASET) + "\n")
