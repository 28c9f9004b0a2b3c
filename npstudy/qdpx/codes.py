"""Which npstudy code (framework code, province, instrument, instrument type) a REFI code is."""

from __future__ import annotations

import difflib

from ..fileio import CodingError
from ..validation import Context
from ._common import KINDS, guid
from .reader import QdpxProject

__all__ = ["classify", "refuse_unknown"]

# The first word of a top-level code's name says which kind the codes under it are.
_GROUPS = {"framework": "code", **{kind: kind for kind in KINDS}}


def _known(ctx: Context) -> dict[str, list[tuple[str, str]]]:
    """``{name: [(kind, id), ...]}``: ids, and provinces also by their Chinese and English names."""
    cb, table = ctx.codebook, ctx.gazetteer.provinces
    known: dict[str, list[tuple[str, str]]] = {}
    pairs = [("code", e.id) for e in cb.entries() if e.level == "code"]
    pairs += [("instrument", i) for i in cb.instrument_categories]
    pairs += [("instrument_type", i) for i in cb.instrument_types]
    for kind, ident in pairs:
        known.setdefault(ident, []).append((kind, ident))
    for row in table.itertuples():
        for label in {row.iso_code, row.short_zh, row.name_zh, str(row.name_en).lower()}:
            known.setdefault(label, []).append(("province", row.iso_code))
    return known


def classify(project: QdpxProject, ctx: Context) -> dict[str, tuple[str, str] | None]:
    """Map each code GUID to ``(kind, npstudy id)``, or None when it is no npstudy code.

    A code is recognised by the GUID npstudy gave it, else by its name: the name's
    first word is an npstudy id (``CN-SH``, ``supply``, a codebook code) or, for a
    province, its Chinese or English name. A name that fits several kinds is settled
    by the top-level code it sits under (``province``, ``instrument``, ...).
    """
    known = _known(ctx)
    by_guid = {guid(kind, ident): (kind, ident)
               for matches in known.values() for kind, ident in matches}
    out: dict[str, tuple[str, str] | None] = {}
    for key, name in project.codes.items():
        if key in by_guid:
            out[key] = by_guid[key]
            continue
        words = name.split()
        candidates = [known.get(w, []) for w in (words[:1] + [name.strip(), name.strip().lower()])]
        matches = list(dict.fromkeys(next((c for c in candidates if c), [])))
        if len(matches) > 1:
            hint = _GROUPS.get(_top_word(project, key))
            matches = [m for m in matches if m[0] == hint]
        out[key] = matches[0] if len(matches) == 1 else None
    return out


def _top_word(project: QdpxProject, key: str) -> str:
    seen = set()
    while project.parents.get(key) and key not in seen:
        seen.add(key)
        key = project.parents[key]
    words = project.codes.get(key, "").split()
    return words[0] if words else ""


def refuse_unknown(project: QdpxProject, kinds: dict, ctx: Context, name: str) -> None:
    """One error listing every code used in a coding that is not an npstudy code."""
    used: dict[str, int] = {}
    undefined: set[str] = set()
    for sel in project.selections:
        for key, _ in sel["codings"]:
            if key not in project.codes:
                undefined.add(key)
            elif kinds.get(key) is None:
                used[key] = used.get(key, 0) + 1
    if undefined:
        raise CodingError(f"{name}: codings refer to {len(undefined)} code GUID(s) that the code "
                          f"book does not define ({', '.join(sorted(undefined)[:5])}) – export "
                          "the project again")
    if not used:
        return
    listed = [f"{project.codes[k]!r} ({n} coding{'s' if n > 1 else ''}{_hint(ctx, project.codes[k])})"
              for k, n in sorted(used.items(), key=lambda kv: project.codes[kv[0]])]
    shown = "; ".join(listed[:30]) + (f"; … {len(listed) - 30} more" if len(listed) > 30 else "")
    raise CodingError(
        f"{name}: {len(used)} code(s) are not in the npstudy codebook, nothing imported: {shown} – "
        "rename each code in the QDA tool so that its name starts with an npstudy id (a codebook "
        "code such as green.carbon_accounting.footprint_standard, a province such as CN-SH, an "
        "instrument such as supply, or an instrument type such as plan; `npstudy export-codebook "
        "codes.qdc` writes them all for the tool to import), or remove those codings")


def _hint(ctx: Context, name: str) -> str:
    ids = [e.id for e in ctx.codebook.entries() if e.level == "code"]
    ids += list(ctx.gazetteer.provinces["iso_code"]) + list(ctx.codebook.instrument_categories)
    ids += list(ctx.codebook.instrument_types)
    token = name.split()[0] if name.split() else name
    near = difflib.get_close_matches(token, ids, n=1, cutoff=0.6)
    return f"; did you mean {near[0]!r}?" if near else ""
