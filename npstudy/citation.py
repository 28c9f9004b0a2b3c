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
#: The date this version's citation metadata was issued (``date-released`` in CITATION.cff).
RELEASED = "2026-12-07"
#: The package, as ``CITATION.cff`` describes it.
SOFTWARE = {"key": "npstudy", "type": "software",
            "title": "npstudy: how Chinese provinces cultivate new quality productive forces",
            "author": AUTHORS, "version": __version__, "license": "MIT", "date": RELEASED,
            "url": None}
#: The coded dataset, as ``CITATION.cff``'s ``references`` describe it.
DATASET = {"key": "npstudy_data", "type": "data",
           "title": "npstudy coded dataset: provincial practice in cultivating new quality "
                    "productive forces",
           "author": AUTHORS, "version": __version__, "license": "CC-BY-4.0", "date": RELEASED,
           "url": None}


def _project_url() -> str | None:
    """The repository URL the installed package declares (``Project-URL``), if any."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("npstudy").get_all("Project-URL") or []
    except PackageNotFoundError:
        return None
    for item in urls:
        label, _, url = item.partition(",")
        if label.strip().lower() in ("repository", "source", "homepage"):
            return url.strip()
    return None


def bibtex(entry: dict) -> str:
    """A BibTeX ``@misc`` entry that classic BibTeX and biblatex both read.

    The entry type is ``@misc`` (BibTeX has no software or dataset type), the
    kind goes into ``howpublished``, and ``year``, ``version`` and a ``note``
    with the version are always given; ``url`` is given when the package
    declares a repository URL (``Project-URL`` in its metadata).

    Examples
    --------
    >>> entry = bibtex(SOFTWARE)
    >>> entry.splitlines()[0]
    '@misc{npstudy,'
    >>> "year = {2026}" in entry and "version = {" in entry
    True
    """
    kind = "Software" if entry["type"] == "software" else "Data set"
    fields = [("author", "{" + entry["author"] + "}"), ("title", "{" + entry["title"] + "}"),
              ("howpublished", kind), ("year", entry["date"][:4]), ("month", entry["date"][5:7]),
              ("version", entry["version"]),
              ("note", f"Version {entry['version']}, licence {entry['license']}")]
    url = entry.get("url") or _project_url()
    if url:
        fields.append(("url", url))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{entry['key']},\n{body}\n}}"


def plain(entry: dict) -> str:
    """A plain-text citation.

    Examples
    --------
    >>> plain(DATASET).startswith("npstudy contributors (2026). npstudy coded dataset")
    True
    """
    kind = "Software" if entry["type"] == "software" else "Data set"
    return (f"{entry['author']} ({entry['date'][:4]}). {entry['title']} (version "
            f"{entry['version']}) [{kind}]. Licence: {entry['license']}.")


def citations() -> str:
    """Both citations, BibTeX then plain text, as ``npstudy cite`` prints them."""
    return ("% npstudy (software)\n" + bibtex(SOFTWARE) + "\n\n% npstudy coded dataset\n"
            + bibtex(DATASET) + "\n\n" + plain(SOFTWARE) + "\n" + plain(DATASET) + "\n")
