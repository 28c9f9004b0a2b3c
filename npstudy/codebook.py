"""The four-pillar framework as objects: pillars → themes → codes.

A :class:`Codebook` is read from ``data/codebook.yaml``. It gives bilingual
labels, rolls any code up to its theme and pillar, and lists the policy-instrument
categories (Rothwell & Zegveld, 1981) and finer instrument types. It computes no
statistics and draws nothing.

:func:`blind_view` renders the codebook for a second coder: definitions, include and
exclude rules, instrument types and the coding rules of ``data/README.md``, but no
example, keyword or usual instrument, so that nothing in it is taken from the coded
article or points at an answer.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .fileio import DataError, read_text

__all__ = ["Entry", "Codebook", "LEVELS", "coding_rules", "blind_view"]

# libyaml's loader is ~10x faster where PyYAML was built with it.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# The shipped codebook is about 35 kB; anything over 4 MiB is not a codebook.
_MAX_YAML_BYTES = 4 * 1024 * 1024

#: The three levels of the framework, from coarse to fine.
LEVELS = ("pillar", "theme", "code")
_REQUIRED = {
    "pillar": ("id", "zh", "en", "definition", "themes"),
    "theme": ("id", "zh", "en", "definition", "codes"),
    "code": ("id", "zh", "en", "definition", "include", "exclude", "example", "keywords"),
}


@dataclass(frozen=True)
class Entry:
    """One pillar, theme or code of the framework."""

    id: str
    level: str
    zh: str
    en: str
    definition: str
    parent: str | None = None
    short_zh: str | None = None
    short_en: str | None = None
    include: str | None = None
    exclude: str | None = None
    example: str | None = None
    keywords: tuple[str, ...] = field(default_factory=tuple)
    instrument: str | None = None

    def label(self, lang: str = "en", short: bool = False) -> str:
        """Return the Chinese (``lang="zh"``) or English label."""
        if lang not in ("en", "zh"):
            raise ValueError(f"lang must be 'en' or 'zh', not {lang!r}")
        if short:
            value = self.short_zh if lang == "zh" else self.short_en
            if value:
                return value
        return self.zh if lang == "zh" else self.en


class Codebook:
    """The framework: ordered pillars, themes and codes with their labels.

    Parameters
    ----------
    entries : list of Entry
        In framework order (pillar, its themes, each theme's codes, ...).
    instrument_categories, instrument_types : dict
        ``{id: {"zh": ..., "en": ..., "definition": ...}}``.
    version : str

    Examples
    --------
    >>> from npstudy import load_codebook
    >>> cb = load_codebook()
    >>> cb.rollup("green.carbon_accounting.footprint_standard", "pillar")
    'green'
    >>> cb.label("reform.talent", lang="zh")
    '教育科技人才一体化'
    >>> len(cb.ids("pillar")), len(cb.ids("theme"))
    (4, 12)
    """

    def __init__(self, entries, instrument_categories, instrument_types, version=""):
        self.version = str(version)
        self._entries = {e.id: e for e in entries}
        self._order = [e.id for e in entries]
        self.instrument_categories = dict(instrument_categories)
        self.instrument_types = dict(instrument_types)

    # construction ---------------------------------------------------------
    @classmethod
    def from_yaml(cls, path: str | Path) -> Codebook:
        """Read and check a codebook YAML file (UTF-8, BOM allowed)."""
        doc = _load_yaml(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("pillars"), list):
            raise DataError(f"{path}: expected a mapping with a 'pillars' list – compare with "
                            "the shipped data/codebook.yaml")
        try:
            return cls._from_document(doc, path)
        except (TypeError, AttributeError, KeyError, ValueError) as err:
            if isinstance(err, DataError):
                raise
            raise DataError(f"{path}: the codebook's structure is malformed ({type(err).__name__}: "
                            f"{err}) – compare it with the shipped data/codebook.yaml") from None

    @classmethod
    def _from_document(cls, doc: dict, path) -> Codebook:
        entries: list[Entry] = []

        def make(node, level, parent):
            if not isinstance(node, dict):
                raise DataError(f"{path}: a {level} is {type(node).__name__}, not a mapping – "
                                "give it id, zh, en and definition keys")
            missing = [k for k in _REQUIRED[level] if k not in node]
            ident = node.get("id", "?")
            if missing:
                raise DataError(f"{path}: {level} {ident!r} lacks {', '.join(missing)}")
            for key in ("id", "zh", "en"):
                if not isinstance(node[key], str) or not node[key].strip():
                    raise DataError(f"{path}: {level} {ident!r}: {key} must be non-empty text")
            keywords = node.get("keywords") or ()
            if not isinstance(keywords, (list, tuple)) or not all(
                    isinstance(k, str) and k.strip() for k in keywords):
                raise DataError(f"{path}: {level} {ident!r}: keywords must be a list of "
                                "non-empty words")
            for key in ("themes", "codes"):
                if key in _REQUIRED[level] and not isinstance(node[key], list):
                    raise DataError(f"{path}: {level} {ident!r}: {key} must be a list")
            if parent and not ident.startswith(parent + "."):
                raise DataError(f"{path}: {level} {ident!r} must start with {parent + '.'!r}")
            entries.append(Entry(
                id=ident, level=level, zh=node["zh"], en=node["en"],
                definition=" ".join(str(node["definition"]).split()), parent=parent,
                short_zh=node.get("short_zh"), short_en=node.get("short_en"),
                include=node.get("include"), exclude=node.get("exclude"),
                example=node.get("example"), keywords=tuple(keywords),
                instrument=node.get("instrument"),
            ))

        for p in doc["pillars"]:
            make(p, "pillar", None)
            for t in p["themes"]:
                make(t, "theme", p["id"])
                for c in t["codes"]:
                    make(c, "code", t["id"])
        ids = [e.id for e in entries]
        dupes = sorted(i for i, n in Counter(ids).items() if n > 1)
        if dupes:
            raise DataError(f"{path}: duplicate ids {dupes}")
        categories = doc.get("instrument_categories", {})
        types = doc.get("instrument_types", {})
        for e in entries:
            if e.instrument is not None:
                cat, _, typ = e.instrument.partition("/")
                if cat not in categories or typ not in types:
                    raise DataError(f"{path}: code {e.id!r} has instrument {e.instrument!r}; "
                                    "expected '<category>/<type>' from instrument_categories "
                                    "and instrument_types")
        return cls(entries, categories, types, doc.get("version", ""))

    # look-ups ---------------------------------------------------------------
    def __contains__(self, ident) -> bool:
        return ident in self._entries

    def __getitem__(self, ident: str) -> Entry:
        try:
            return self._entries[ident]
        except KeyError:
            hint = self.nearest(ident)
            msg = f"{ident!r} is not in the codebook"
            raise KeyError(msg + (f"; did you mean {hint!r}?" if hint else "")) from None

    def ids(self, level: str) -> list[str]:
        """Ids at ``level`` ("pillar", "theme" or "code"), in framework order."""
        _check_level(level)
        return [i for i in self._order if self._entries[i].level == level]

    def entries(self, level: str | None = None) -> list[Entry]:
        """Entries at ``level`` (all levels by default), in framework order."""
        return [self._entries[i] for i in self._order
                if level is None or self._entries[i].level == level]

    def level(self, ident: str) -> str:
        """Return "pillar", "theme" or "code" for an id."""
        return self[ident].level

    def children(self, ident: str) -> list[str]:
        """Ids one level below ``ident``, in framework order."""
        return [i for i in self._order if self._entries[i].parent == ident]

    def rollup(self, ident: str, level: str) -> str:
        """Return the ancestor of ``ident`` at ``level`` (itself if at that level).

        Raises
        ------
        ValueError
            If ``level`` is finer than the id's own level.
        """
        _check_level(level)
        entry = self[ident]
        if LEVELS.index(level) > LEVELS.index(entry.level):
            raise ValueError(f"cannot roll {entry.level} {ident!r} down to {level}")
        while entry.level != level:
            entry = self._entries[entry.parent]
        return entry.id

    def label(self, ident: str, lang: str = "en", short: bool = False) -> str:
        """Bilingual label of a pillar, theme or code."""
        return self[ident].label(lang, short)

    def nearest(self, value: str, level: str | None = None) -> str | None:
        """The id closest to ``value`` (for "did you mean" messages), or None."""
        pool = self.ids(level) if level else list(self._order)
        hits = difflib.get_close_matches(str(value).strip(), pool, n=1, cutoff=0.6)
        if not hits:
            # compare on the last segment: 'footprint_standrd' -> '...footprint_standard'
            tails = {i.rsplit(".", 1)[-1]: i for i in pool}
            tail = str(value).strip().rsplit(".", 1)[-1]
            hits = [tails[h] for h in difflib.get_close_matches(tail, list(tails), n=1, cutoff=0.6)]
        return hits[0] if hits else None

    def to_frame(self) -> pd.DataFrame:
        """The codebook as a tidy table, one row per entry.

        Returns
        -------
        pandas.DataFrame
            ``id, level, parent, pillar, theme, zh, en, definition, include,
            exclude, example, keywords`` (keywords joined with ``"、"``).
        """
        rows = []
        for e in self.entries():
            rows.append({
                "id": e.id, "level": e.level, "parent": e.parent or "",
                "pillar": self.rollup(e.id, "pillar"),
                "theme": self.rollup(e.id, "theme") if e.level != "pillar" else "",
                "zh": e.zh, "en": e.en, "definition": e.definition,
                "include": e.include or "", "exclude": e.exclude or "",
                "example": e.example or "", "keywords": "、".join(e.keywords),
            })
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        return (f"Codebook(version={self.version!r}, pillars={len(self.ids('pillar'))}, "
                f"themes={len(self.ids('theme'))}, codes={len(self.ids('code'))})")


def _load_yaml(path):
    """Load a YAML file safely: bounded size, no aliases (no "billion laughs"), no recursion."""
    text = read_text(path, max_bytes=_MAX_YAML_BYTES)
    try:
        for event in yaml.parse(text, Loader=_SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise DataError(f"{path}:{line}: YAML aliases (*name) are not allowed in a "
                                "codebook – write the value out in full")
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as err:
        where = getattr(err, "problem_mark", None)
        line = f":{where.line + 1}" if where is not None else ""
        reason = " ".join(str(getattr(err, "problem", None) or err).split())
        raise DataError(f"{path}{line}: not valid YAML ({reason}) – fix the indentation or "
                        "quoting there") from None
    except RecursionError:
        raise DataError(f"{path}: YAML nested too deeply – a codebook has three levels") from None


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")


#: A rule in the ``## Coding rules`` section of ``data/README.md``: ``- **R1b Title.** text``.
_RULE = re.compile(r"^- \*\*(R\d+[a-z]?) ([^*]+?)\.\*\* (.*)$")


def coding_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The coding rules R1, R1a, … as a table, read from ``data/README.md``.

    Parameters
    ----------
    path : path-like, optional
        A Markdown file with a ``## Coding rules`` section whose rules are bullets
        that start ``- **R<n> <title>.**``; the shipped ``data/README.md`` by default.

    Returns
    -------
    pandas.DataFrame
        ``rule`` (``R1``, ``R1a`` …), ``title`` and ``text`` (the bullet's text with
        its lines joined), in file order.

    Examples
    --------
    >>> rules = coding_rules()
    >>> rules["rule"].head(3).tolist()
    ['R1', 'R1a', 'R1b']
    """
    if path is None:
        from .dataset import data_dir
        path = data_dir() / "README.md"
    lines = read_text(path).split("\n")
    try:
        start = lines.index("## Coding rules") + 1
    except ValueError:
        raise DataError(f"{path}: no '## Coding rules' section – the rules are bullets under "
                        "that heading") from None
    rows: list[dict] = []
    for line in lines[start:]:
        if line.startswith("## "):
            break
        match = _RULE.match(line)
        if match:
            rows.append({"rule": match[1], "title": match[2].strip(), "text": match[3].strip()})
        elif rows and line.startswith("  ") and line.strip():
            rows[-1]["text"] += " " + line.strip()
    if not rows:
        raise DataError(f"{path}: the '## Coding rules' section holds no rule bullet "
                        "('- **R1 Title.** text')")
    return pd.DataFrame(rows, columns=["rule", "title", "text"])


def blind_view(codebook: Codebook, rules: pd.DataFrame | None = None) -> str:
    """The codebook as a second coder may see it, as Markdown.

    It holds the instrument categories and types, every pillar, theme and code with
    its definition and its include and exclude rules, and the coding rules. It leaves
    out what would show the coder the first coding's answers: the codes' examples
    (spans of the coded article), their keywords (the automatic coder's vocabulary,
    taken from the article), their usual instrument, and the pillars' Chinese labels
    (the article's headings; the short labels are given instead).

    Parameters
    ----------
    codebook : Codebook
    rules : pandas.DataFrame, optional
        ``rule, title, text`` as from :func:`coding_rules` (the default).

    Returns
    -------
    str
        Markdown, ending in one newline; the same codebook and rules give the same text.
    """
    if rules is None:
        rules = coding_rules()
    out = ["# Codebook for coding (blind view)", "",
           "This is the codebook and the coding rules, without examples: nothing here is taken "
           "from the text you will code. Code from this document alone.", "",
           "## Policy instruments", "",
           "Categories (Rothwell & Zegveld, 1981):", ""]
    for key, cat in codebook.instrument_categories.items():
        out.append(f"- `{key}` ({cat['zh']}, {cat['en']}): {' '.join(str(cat['definition']).split())}")
    out += ["", "Types (`instrument_type`); each belongs to one category:", "",
            "| type | category | label | definition |", "|---|---|---|---|"]
    for key, typ in codebook.instrument_types.items():
        out.append(f"| `{key}` | {typ['category']} | {typ['zh']}, {typ['en']} | "
                   f"{' '.join(str(typ['definition']).split())} |")
    out += ["", "## Framework: pillars, themes and codes", ""]
    for pillar in codebook.entries("pillar"):
        out += [f"### Pillar `{pillar.id}`: {pillar.label('zh', short=True)} – "
                f"{pillar.label('en', short=True)}", "", pillar.definition, ""]
        for theme in (codebook[t] for t in codebook.children(pillar.id)):
            out += [f"#### Theme `{theme.id}`: {theme.zh} – {theme.en}", "", theme.definition, ""]
            for code in (codebook[c] for c in codebook.children(theme.id)):
                out += [f"- **`{code.id}`** {code.zh} – {code.en}",
                        f"  - definition: {' '.join(code.definition.split())}",
                        f"  - include: {' '.join(str(code.include).split())}",
                        f"  - exclude: {' '.join(str(code.exclude).split())}"]
            out.append("")
    out += ["## Coding rules", ""]
    for row in rules.itertuples(index=False):
        out.append(f"- **{row.rule} {row.title}.** {row.text}")
    return "\n".join(out) + "\n"
