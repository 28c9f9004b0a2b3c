"""Turn a REFI-QDA project into practice rows and merge them into a workspace, all or nothing."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd

from ..dataset import FIRST_MOVER_MARKERS, PRACTICE_COLUMNS, check_doc_id, load_practices
from ..fileio import (CONTROL_CHARS, MAX_CODED_TEXT_BYTES, CodingError, folder_lock, inside,
                      read_bytes, write_files_atomic)
from ..text import check_plain_text
from ..validation import Context, check_practices
from ._common import KINDS
from .codes import classify, refuse_unknown
from .describe import PAIRING, parse_description
from .reader import QdpxProject, read_qdpx

__all__ = ["import_qdpx", "derived_doc_id"]

_POSITION = re.compile(r"[0-9]{1,15}")  # ASCII digits only: full-width digits are no offsets
#: What makes two rows the same coding: validation tells rows on one span apart by their city too.
_KEY = ["doc_id", "province", "city", "code", "start", "end"]


def derived_doc_id(name: str, text: str) -> str:
    """The document id a source that is not yet registered gets: ``qdpx_<slug>_<hash8>``.

    ``slug`` is the source's name in ASCII letters and digits (at most 40), ``hash8``
    the first 8 hex digits of the SHA-256 of its UTF-8 text, so that the same text
    gets the same id in every import.

    Examples
    --------
    >>> derived_doc_id("Interview 03.txt", "上海")[:-8]
    'qdpx_interview-03_'
    """
    stem = re.sub(r"\.(txt|docx?|rtf|odt|pdf)$", "", name, flags=re.I)
    ascii_name = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:40].strip("-")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return check_doc_id(f"qdpx_{slug or 'source'}_{digest}")


def import_qdpx(path: str | os.PathLike, folder: str | os.PathLike,
                coder: str = "qdpx") -> pd.DataFrame:
    """Add the coded text selections of a REFI-QDA project to a workspace's practices.

    Parameters
    ----------
    path : path-like
        A ``.qdpx`` file: npstudy's own export coded further, or a project from
        ATLAS.ti, MAXQDA, NVivo or QualCoder coded with npstudy's codes.
    folder : path-like
        The workspace. A source whose name and text are a registered document, or
        whose text is, codes that document; any other source is registered as a new
        document under :func:`derived_doc_id`.
    coder : str
        The ``coder`` of a row whose coding names no user.

    Returns
    -------
    pandas.DataFrame
        The workspace's practices after the merge. ``attrs["imported"]`` and
        ``attrs["already_present"]`` count the project's rows that were added and
        skipped, ``attrs["registered_documents"]`` maps each newly registered
        document id to its source's name (``attrs["registered"]``, source name to id,
        keeps one of two sources of the same name), ``attrs["warnings"]`` lists what
        was not imported and which source had the text of several documents.

    Notes
    -----
    Selections are grouped by span (source, start, end): tools write one code per
    selection, npstudy one selection per span and coder. A span's codes become rows
    as its description pairs them (see :mod:`npstudy.qdpx.describe`); without such a
    pairing, every province with every framework code, with the span's one
    instrument and one instrument type. The quote is the text at the span;
    ``pillar``, ``theme``, ``paragraph`` and ``first_mover`` are derived. Rows the
    workspace holds already (same document, province, code and span) are skipped.

    Raises
    ------
    CodingError
        If the project cannot be read safely (see :func:`read_qdpx`), uses codes
        outside the npstudy codebook (all listed in one message), or a selection
        does not fit its source or lacks a required code (every problem listed), or
        the rows fail validation. Nothing is written in that case.
    """
    from ..workspace import check_workspace

    folder = check_workspace(folder)
    project = read_qdpx(path)
    name = str(path)
    with folder_lock(folder):
        ctx = Context.from_folder(folder)
        kinds = classify(project, ctx)
        refuse_unknown(project, kinds, ctx, name)
        docs, new_docs, problems = _match_sources(project, ctx, folder, name)
        texts = {**ctx.sources, **{d: t for d, (_, t) in new_docs.items()}}
        rows, more = _rows(project, kinds, docs, texts, ctx, coder)
        problems += more
        if problems:
            shown = "; ".join(problems[:20]) + (f"; … {len(problems) - 20} more"
                                                if len(problems) > 20 else "")
            raise CodingError(f"{name}: {len(problems)} problem(s), nothing imported: {shown}")
        existing = load_practices(folder / "practices.csv")
        have = {tuple(str(v) for v in r) for r in existing[_KEY].fillna("").itertuples(index=False)}
        keep = [tuple(str(v) for v in r) not in have
                for r in rows[_KEY].fillna("").itertuples(index=False)]
        new = rows[pd.Series(keep, index=rows.index, dtype=bool)]
        new.attrs["where"] = [w for w, k in zip(rows.attrs.get("where", []), keep) if k]
        new_docs = {d: v for d, v in new_docs.items() if d in set(new["doc_id"])}
        merged = _apply(folder, new, new_docs, name) if len(new) else existing
    merged.attrs.update(imported=len(new), already_present=len(rows) - len(new),
                        warnings=project.warnings,
                        registered={src: d for d, (src, _) in new_docs.items()},
                        registered_documents={d: src for d, (src, _) in new_docs.items()})
    return merged


def _match_sources(project: QdpxProject, ctx: Context, folder: Path, name: str):
    """``{source guid: doc_id}``, ``{new doc_id: (source name, text)}`` and problems."""
    docs, new_docs, problems = {}, {}, []
    by_text, same_text = {}, {}
    for doc_id in sorted(ctx.sources):
        by_text.setdefault(ctx.sources[doc_id], doc_id)
        same_text.setdefault(ctx.sources[doc_id], []).append(doc_id)
    for key, (src_name, text) in project.sources.items():
        if src_name in ctx.sources and ctx.sources[src_name] != text:
            problems.append(f"source {src_name!r} differs from the text of document "
                            f"{src_name!r} in {folder} – code the workspace's own text "
                            "(export it with `npstudy export-qdpx`), or rename the source in "
                            "the QDA tool to register it as a new document")
        elif src_name in ctx.sources or text in by_text:
            docs[key] = src_name if src_name in ctx.sources else by_text[text]
            twins = same_text.get(text, [])
            if src_name not in ctx.sources and len(twins) > 1:
                project.warnings.append(
                    f"source {src_name!r} has the text of {len(twins)} documents "
                    f"({', '.join(twins[:5])}); its codings go to {twins[0]} – to code another, "
                    "rename the source in the QDA tool to that document's id")
        elif any(t == text for _, t in new_docs.values()):  # a second copy of a new text
            docs[key] = next(d for d, (_, t) in new_docs.items() if t == text)
            first = new_docs[docs[key]][0]
            if first != src_name:
                project.warnings.append(
                    f"source {src_name!r} has the same text as source {first!r}: both code one "
                    f"new document, {docs[key]}, and a span coded alike in both is one row – "
                    "give one of them another text in the QDA tool to keep them apart")
        else:
            doc_id = derived_doc_id(src_name, text)
            where = f"{name}: source {src_name!r}"
            size = len(text.encode("utf-8"))
            if size > MAX_CODED_TEXT_BYTES:
                problems.append(f"{where} is {size:,} bytes, more than the "
                                f"{MAX_CODED_TEXT_BYTES:,} a registered document may have – "
                                "split it in the QDA tool")
                continue
            try:
                check_plain_text(text, where)
            except CodingError as err:
                problems.append(str(err))
                continue
            docs[key] = doc_id
            new_docs[doc_id] = (src_name, text)
    return docs, new_docs, problems


def _rows(project: QdpxProject, kinds: dict, docs: dict, texts: dict, ctx: Context,
          coder: str) -> tuple[pd.DataFrame, list[str]]:
    spans, problems = _spans(project, kinds, docs, texts)
    records: list[dict] = []
    wheres: list[str] = []  # the selection each record comes from, for messages
    for (doc, start, end), span in spans.items():
        where = f"selection {span['names'][0]!r} ({doc} chars {start}–{end})"
        pairs, missing = _pairs(span)
        if missing:
            problems.append(f"{where}: needs {missing} – code it with the exported code trees")
            continue
        text = texts[doc]
        quote = text[start:end]
        lacking = [f"{f['province']} {f['code']}" for f in pairs if not f.get("summary_en")]
        if lacking:
            described = span.get("described_pairs") or []
            problems.append(
                f"{where}: no English summary for {', '.join(lacking)}"
                + (f" (its memo describes only {', '.join(described)})" if described else "")
                + " – write a summary into the selection's memo (its REFI-QDA description) in "
                "the QDA tool: free text, or a block of 'province:', 'code:', 'instrument:', "
                "'instrument_type:' and 'summary_en:' lines for each")
            continue
        for fields in pairs:
            record = {c: "" for c in PRACTICE_COLUMNS}
            record.update({k: v for k, v in fields.items() if k in PRACTICE_COLUMNS})
            record.update({
                "id": f"Q{len(records) + 1:05d}", "doc_id": doc,
                "pillar": ctx.codebook.rollup(fields["code"], "pillar"),
                "theme": ctx.codebook.rollup(fields["code"], "theme"),
                "quote": quote, "start": str(start), "end": str(end),
                "paragraph": str(text.count("\n", 0, start)),
                "first_mover": "true" if any(m in quote for m in FIRST_MOVER_MARKERS) else "false",
                "coder": fields.get("coder") or coder})
            records.append(record)
            wheres.append(where)
    table = pd.DataFrame(records, columns=PRACTICE_COLUMNS, dtype=str)
    table.attrs["where"] = wheres
    return table, problems


def _spans(project: QdpxProject, kinds: dict, docs: dict, texts: dict):
    """Selections grouped by (document, start, end): their codes, descriptions and names."""
    spans: dict[tuple, dict] = {}
    problems = []
    for sel in project.selections:
        doc = docs.get(sel["source"])
        if doc is None:
            continue  # its source is reported already
        where = f"selection {sel['name']!r} ({doc})"
        if not (_POSITION.fullmatch(sel["start"]) and _POSITION.fullmatch(sel["end"])):
            problems.append(f"{where}: positions {sel['start']!r}–{sel['end']!r} are not whole "
                            "numbers")
            continue
        start, end, size = int(sel["start"]), int(sel["end"]), len(texts[doc])
        if end < start:
            problems.append(f"{where}: chars {start}–{end} end before they start – the tool wrote "
                            "the selection's positions reversed; select the text again and "
                            "export the project again")
            continue
        if start == end and start <= size:
            problems.append(f"{where}: chars {start}–{end} select no text – select the coded "
                            "text, or delete the empty selection in the tool")
            continue
        if not 0 <= start < end <= size:
            problems.append(f"{where}: chars {start}–{end} are outside the text (0–{size}) – the "
                            "source was changed after coding")
            continue
        span = spans.setdefault((doc, start, end), {"codes": {}, "described": {}, "names": []})
        span["names"].append(sel["name"])
        for key, user in sel["codings"]:
            span["codes"].setdefault(kinds[key], user or sel["user"])
        user = sel["user"] or next((u for _, u in sel["codings"] if u), "")
        span["described"].setdefault((sel["description"], user), None)
    return spans, problems


def _pairs(span: dict) -> tuple[list[dict], str]:
    """The rows of one span (field dicts), or what it lacks."""
    found = {k: [i for (kind, i) in span["codes"] if kind == k] for k in KINDS}
    blocks, shared, free = [], {}, []
    for description, user in span["described"]:
        parsed, text = parse_description(description)
        for block in parsed:
            if all(block.get(k) for k in PAIRING):
                blocks.append({**block, "coder": user})
            else:
                shared.update(block)
        if text:
            free.append(text)
    span["described_pairs"] = list(dict.fromkeys(f"{b['province']} {b['code']}" for b in blocks))
    if blocks and _consistent(blocks, found):
        # a block repeated word for word is one row; blocks that differ in anything else
        # (a city, a summary) are rows of their own
        unique = {tuple(sorted(b.items())): b for b in blocks}
        return list(unique.values()), ""
    missing = [f"a {KINDS[k]}" for k in ("code", "province") if not found[k]]
    missing += [f"exactly one {KINDS[k]} (has {len(found[k])})"
                for k in ("instrument", "instrument_type") if len(found[k]) != 1]
    if missing:
        return [], ", ".join(missing)
    if free and not shared.get("summary_en"):
        shared["summary_en"] = " ".join(dict.fromkeys(free))
    # codes added in the tool to a span whose memo pairs the others: a (province, code) the
    # memo describes keeps its block's fields; the others take the memo's free text, if any
    exact = {(b["province"], b["code"]): b for b in blocks}
    rows = []
    for province in found["province"]:
        for code in found["code"]:
            block = exact.get((province, code))
            fields = ({k: v for k, v in block.items() if k not in PAIRING and k != "coder"}
                      if block else {})
            rows.append({**shared, **fields,
                         "province": province, "code": code,
                         "instrument": found["instrument"][0],
                         "instrument_type": found["instrument_type"][0],
                         "coder": span["codes"][("code", code)]})
    return rows, ""


def _consistent(blocks: list[dict], found: dict) -> bool:
    """Do the description's rows use exactly the codes the span carries?"""
    return all({b[k] for b in blocks} == set(found[k]) for k in PAIRING)


def _apply(folder: Path, new: pd.DataFrame, new_docs: dict, name: str) -> pd.DataFrame:
    """Register the new documents and merge the rows in a staged copy of the workspace, then
    switch every changed file into the workspace in one all-or-nothing write."""
    from ..workspace import merge_reviewed, register_document

    with tempfile.TemporaryDirectory(prefix="npstudy-import-") as tmp:
        stage = Path(tmp) / "workspace"
        _copy_tables(folder, stage)
        incoming = Path(tmp) / "incoming"
        incoming.mkdir()
        for doc_id, (src_name, text) in sorted(new_docs.items()):
            file = incoming / f"{doc_id}.txt"
            file.write_bytes(text.encode("utf-8"))
            note = re.sub(r"\s+", " ", CONTROL_CHARS.sub(
                "", f"imported from {Path(name).name}, source {src_name}"))
            register_document(stage, file, doc_id, description=note[:500])
        _check_rows(new, stage, name)
        merge_reviewed(new.assign(decision="accept"), stage)
        writes = {}
        for staged in sorted(p for p in stage.rglob("*") if p.is_file()):
            rel = staged.relative_to(stage)
            if rel.name == ".npstudy.lock":
                continue
            target = inside(folder, *rel.parts)  # no write through a symlink out of it
            payload = staged.read_bytes()
            if not (target.is_file() and read_bytes(target, 1 << 31) == payload):
                writes[target] = payload
        for parent in {t.parent for t in writes}:
            parent.mkdir(exist_ok=True)
        write_files_atomic(writes, inputs=[name])
    return load_practices(folder / "practices.csv")


def _check_rows(new: pd.DataFrame, stage: Path, name: str) -> None:
    """Validate the rows against the staged workspace, naming each problem's selection."""
    from ..workspace import _UNWRITABLE

    wheres = new.attrs.get("where") or []
    problems = []
    for i, row in enumerate(new.astype(str).itertuples(index=False)):
        for column, value in zip(new.columns, row):
            hit = _UNWRITABLE.search(value)
            if hit:
                where = wheres[i] if i < len(wheres) else name
                part = ("the selection spans a line break" if column == "quote" else
                        "the memo's value holds a line break or control character")
                problems.append(f"{where}: {column} {value[:60]!r} – {part} ({hit.group()!r}); "
                                "a practice row is one line of plain text – "
                                + ("select within one line" if column == "quote" else
                                   "write it on one line in the tool"))
    for p in check_practices(new.reset_index(drop=True), Context.from_folder(stage), name=name):
        i = p.row - 2
        where = wheres[i] if 0 <= i < len(wheres) else name
        problems.append(f"{where}: {p.column} {p.value!r} – {p.message}"
                        + (f" – {p.suggestion}" if p.suggestion else ""))
    if problems:
        shown = "; ".join(problems[:20]) + (f"; … {len(problems) - 20} more"
                                            if len(problems) > 20 else "")
        raise CodingError(f"{name}: {len(problems)} problem(s), nothing imported: {shown}")


def _copy_tables(folder: Path, stage: Path) -> None:
    """The workspace's tables and texts (not its reviews or models) into ``stage``."""
    (stage / "raw").mkdir(parents=True)
    for part in ("", "raw"):
        for f in sorted((folder / part).iterdir()):
            if f.is_file() and not f.name.startswith("."):
                shutil.copyfile(f, stage / part / f.name)
