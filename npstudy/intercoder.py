"""Agreement between two independent codings, field by field, and the adjudication log.

The second coding of the source (``data/reliability/second_coding.csv``) was made
from the codebook and the coding rules alone. This module compares it with
``practices.csv`` on every field a reader relies on and lists every disagreement,
so that each can be adjudicated in ``data/reliability/decisions.csv`` and
written up in ``data/reliability/adjudication.md``.

Fields and their units
----------------------
``province × theme`` and ``code``
    Units are (document, sentence, province) triples that at least one coder
    coded; each theme (code) is assigned to a unit or not
    (:func:`npstudy.reliability.agreement`, pooled row).
``rows``
    Rows of either coding; a row with no partner in the other coding (same
    province, overlapping quote) is a disagreement about the unit of analysis
    (a split or an extra row). No κ: there is no "neither" to count.
``instrument``, ``instrument_type``, ``first_mover``, ``scope``
    Units are pairs of rows, one from each coding, for the same province whose
    quotes overlap in the text (:func:`match_rows`); the two values are compared
    as nominal labels.

Cohen's κ and Krippendorff's α (nominal) come from :mod:`npstudy.reliability`.
"""

from __future__ import annotations

import pandas as pd

from .reliability import agreement, cohen_kappa, krippendorff_alpha, percent_agreement

__all__ = ["ATTRIBUTES", "prepare", "load_codings", "match_rows", "field_agreement",
           "disagreements", "adjudication_markdown"]

#: Row attributes compared on matched rows.
ATTRIBUTES = ("instrument", "instrument_type", "first_mover", "scope")


def prepare(coding: pd.DataFrame, doc_id: str | None = None, codebook=None) -> pd.DataFrame:
    """A coding in the practices schema, as far as the comparison needs it.

    Parameters
    ----------
    coding : pandas.DataFrame
        Needs ``province``, ``theme``, ``code``, ``start``, ``end`` and ``quote``;
        ``doc_id`` (default: the only registered document, or ``doc_id``),
        ``pillar`` (default: from the codebook) and the attributes in
        :data:`ATTRIBUTES` are used when present.
    doc_id : str, optional
    codebook : Codebook, optional

    Returns
    -------
    pandas.DataFrame
        A copy with ``doc_id``, ``pillar``, integer ``start``/``end``, ``first_mover``
        as the strings ``true``/``false`` and a row ``key`` (``id`` if present).
        Does not mutate its input.
    """
    from .dataset import load_codebook, load_documents

    out = coding.copy()
    missing = [c for c in ("province", "theme", "code", "start", "end", "quote") if c not in out]
    if missing:
        raise ValueError(f"the coding lacks column(s) {', '.join(missing)}; it must follow the "
                         "practices schema (data/README.md)")
    if "doc_id" not in out:
        docs = load_documents()["doc_id"].tolist()
        out["doc_id"] = doc_id or docs[0]
    if "pillar" not in out:
        cb = codebook if codebook is not None else load_codebook()
        out["pillar"] = [cb.rollup(c, "pillar") for c in out["code"]]
    out["start"] = out["start"].astype(int)
    out["end"] = out["end"].astype(int)
    if "first_mover" in out:
        out["first_mover"] = out["first_mover"].map(
            lambda v: str(v).strip().lower() in ("true", "1", "yes")).map({True: "true", False: "false"})
    if "id" not in out:
        out["id"] = [f"R{i + 1:03d}" for i in range(len(out))]
    return out.reset_index(drop=True)


def load_codings(folder=None, with_decisions: bool = False):
    """The two codings of ``data/reliability/`` (first, second), prepared; ``None`` if absent.

    Parameters
    ----------
    folder : path-like, optional
        Default: ``reliability/`` in the data folder.
    with_decisions : bool
        Also return ``decisions.csv`` as a third item.
    """
    from pathlib import Path

    from .dataset import data_dir, read_table

    folder = Path(folder) if folder is not None else data_dir() / "reliability"
    first, second = folder / "first_coding.csv", folder / "second_coding.csv"
    if not (first.is_file() and second.is_file()):
        return None
    out = [prepare(read_table(first)), prepare(read_table(second))]
    if with_decisions:
        out.append(read_table(folder / "decisions.csv"))
    return tuple(out)


def match_rows(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Pair the rows of two codings that code the same province in overlapping text.

    Each row of ``a`` is paired with the row of ``b`` for the same province and
    document whose quote overlaps it most (ties: the nearer start, then the same
    code); a row of ``b`` is used at most once, best overlaps first.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``id_a``, ``id_b``, ``province``, ``overlap`` (characters)
        and, for every column present in both, ``<column>_a`` and ``<column>_b``.
    """
    candidates = []
    for i, ra in a.iterrows():
        same = b[(b["province"] == ra["province"]) & (b["doc_id"] == ra["doc_id"])]
        for j, rb in same.iterrows():
            overlap = min(ra["end"], rb["end"]) - max(ra["start"], rb["start"])
            if overlap > 0:
                candidates.append((-overlap, abs(ra["start"] - rb["start"]),
                                   ra["code"] != rb["code"], i, j, overlap))
    candidates.sort()
    used_a, used_b, pairs = set(), set(), []
    for *_, i, j, overlap in candidates:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs.append((i, j, overlap))
    shared = [c for c in a.columns if c in b.columns and c not in ("province",)]
    rows = []
    for i, j, overlap in sorted(pairs):
        row = {"id_a": a.at[i, "id"], "id_b": b.at[j, "id"], "province": a.at[i, "province"],
               "overlap": overlap}
        for c in shared:
            row[f"{c}_a"], row[f"{c}_b"] = a.at[i, c], b.at[j, c]
        rows.append(row)
    return pd.DataFrame(rows)


def field_agreement(a: pd.DataFrame, b: pd.DataFrame, texts: dict | None = None) -> pd.DataFrame:
    """κ and α for every field, between coding ``a`` and coding ``b``.

    Parameters
    ----------
    a, b : pandas.DataFrame
        Codings prepared with :func:`prepare`.
    texts : dict, optional
        ``{doc_id: text}``; registered documents by default.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``field`` (``province × theme``, ``code``, then the attributes
        both codings have): ``unit`` (what is compared), ``units``,
        ``disagreements``, ``percent_agreement``, ``cohen_kappa`` and
        ``krippendorff_alpha`` (nominal).

    Examples
    --------
    >>> from npstudy import load_practices
    >>> p = prepare(load_practices())
    >>> t = field_agreement(p, p)
    >>> t["cohen_kappa"].dropna().eq(1.0).all(), int(t["disagreements"].sum())
    (np.True_, 0)
    """
    rows = []
    for field, level in (("province × theme", "theme"), ("code", "code")):
        r = agreement(a, b, level=level, texts=texts)
        pooled = r.table.loc["all"]
        rows.append({"field": field, "unit": "(sentence, province) × category",
                     "units": int(pooled["units"]), "disagreements": len(r.disagreements),
                     "percent_agreement": pooled["percent_agreement"],
                     "cohen_kappa": pooled["cohen_kappa"],
                     "krippendorff_alpha": pooled["krippendorff_alpha"]})
    pairs = match_rows(a, b)
    unmatched = (len(a) - len(pairs)) + (len(b) - len(pairs))
    rows.append({"field": "rows", "unit": "rows of either coding", "units": len(a) + len(b) - len(pairs),
                 "disagreements": unmatched,
                 "percent_agreement": len(pairs) / (len(a) + len(b) - len(pairs)) if len(a) + len(b) else float("nan"),
                 "cohen_kappa": float("nan"), "krippendorff_alpha": float("nan")})
    for field in ATTRIBUTES:
        if f"{field}_a" not in pairs:
            continue
        x, y = pairs[f"{field}_a"].astype(str).tolist(), pairs[f"{field}_b"].astype(str).tolist()
        labels = {v: k for k, v in enumerate(sorted(set(x) | set(y)))}
        kappa = cohen_kappa(x, y)
        alpha = krippendorff_alpha([[labels[v] for v in x], [labels[v] for v in y]])
        if len(set(x) | set(y)) == 1:  # one label throughout: perfect agreement, no variation
            kappa = alpha = float("nan")
        rows.append({"field": field, "unit": "matched rows", "units": len(x),
                     "disagreements": sum(u != v for u, v in zip(x, y)),
                     "percent_agreement": percent_agreement(x, y), "cohen_kappa": kappa,
                     "krippendorff_alpha": alpha})
    return pd.DataFrame(rows).set_index("field")


def disagreements(a: pd.DataFrame, b: pd.DataFrame, texts: dict | None = None) -> pd.DataFrame:
    """Every disagreement between two codings, with a stable key for its decision.

    Returns
    -------
    pandas.DataFrame
        ``key`` (e.g. ``theme:S12:CN-SD:new_tracks.digital_economy`` or
        ``scope:CN-SC:P041``), ``field``, ``province``, ``value_a``, ``value_b``,
        ``id_a``, ``id_b`` and ``text`` (the sentence or the first coder's quote).
        Sentence numbers are those of :func:`npstudy.reliability.agreement`.
    """
    from .dataset import load_source

    out = []
    for field, level in (("province × theme", "theme"), ("code", "code")):
        dis = agreement(a, b, level=level, texts=texts).disagreements
        for r in dis.itertuples(index=False):
            cat = getattr(r, level)
            source = texts[r.doc_id] if texts else load_source(r.doc_id)
            lo = source.index(r.text)
            hi = lo + len(r.text)

            def sel(t, r=r, cat=cat, lo=lo, hi=hi, level=level):
                return t[(t["province"] == r.province) & (t[level] == cat) & (t["doc_id"] == r.doc_id)
                         & (t["start"] >= lo) & (t["start"] < hi)]
            ids_a, ids_b = ";".join(sel(a)["id"]), ";".join(sel(b)["id"])
            out.append({"key": f"{level}:S{r.sentence}:{r.province}:{cat}", "field": field,
                        "province": r.province,
                        "value_a": cat if r.coder_a else "–", "value_b": cat if r.coder_b else "–",
                        "id_a": ids_a, "id_b": ids_b, "text": r.text})
    pairs = match_rows(a, b)
    matched = {"a": set(pairs.get("id_a", [])), "b": set(pairs.get("id_b", []))}
    for side, table in (("a", a), ("b", b)):
        for r in table[~table["id"].isin(matched[side])].itertuples(index=False):
            desc = f"{r.code} {getattr(r, 'instrument', '')}/{getattr(r, 'instrument_type', '')} " \
                   f"{getattr(r, 'scope', '')}".strip()
            out.append({"key": f"row:{r.province}:{r.id}", "field": "rows", "province": r.province,
                        "value_a": desc if side == "a" else "–", "value_b": desc if side == "b" else "–",
                        "id_a": r.id if side == "a" else "", "id_b": r.id if side == "b" else "",
                        "text": r.quote})
    for field in ATTRIBUTES:
        if f"{field}_a" not in pairs:
            continue
        for r in pairs.itertuples(index=False):
            va, vb = str(getattr(r, f"{field}_a")), str(getattr(r, f"{field}_b"))
            if va != vb:
                out.append({"key": f"{field}:{r.province}:{r.id_a}", "field": field,
                            "province": r.province, "value_a": va, "value_b": vb,
                            "id_a": r.id_a, "id_b": r.id_b, "text": getattr(r, "quote_a", "")})
    return pd.DataFrame(out, columns=["key", "field", "province", "value_a", "value_b", "id_a",
                                      "id_b", "text"])


def adjudication_markdown(dis: pd.DataFrame, decisions: pd.DataFrame, agreement_table: pd.DataFrame,
                          header: str = "") -> str:
    """The adjudication log: every disagreement, both codings, the decision and its reason.

    Parameters
    ----------
    dis : pandas.DataFrame
        :func:`disagreements`.
    decisions : pandas.DataFrame
        ``key``, ``decision`` (``first``, ``second``, ``both`` or ``neither``:
        which coding the final dataset follows), ``reason`` and ``rule_change``
        (empty when none).
    agreement_table : pandas.DataFrame
        :func:`field_agreement`.
    header : str
        Text placed before the tables.

    Returns
    -------
    str
        Markdown.

    Raises
    ------
    ValueError
        If a disagreement has no decision, or a decision no disagreement.
    """
    undecided = sorted(set(dis["key"]) - set(decisions["key"]))
    stale = sorted(set(decisions["key"]) - set(dis["key"]))
    merged = dis.merge(decisions, on="key", how="left")
    if undecided or stale:
        raise ValueError(f"decisions.csv: no decision for {undecided}; decisions without a "
                         f"disagreement: {stale}")
    lines = [header.rstrip(), "", "## Agreement by field", "",
             "| field | unit | units | disagreements | agreement | Cohen's κ | Krippendorff's α |",
             "|---|---|---|---|---|---|---|"]
    for field, r in agreement_table.iterrows():
        def f(v):
            return "–" if pd.isna(v) else f"{v:.3f}"
        lines.append(f"| {field} | {r['unit']} | {int(r['units'])} | {int(r['disagreements'])} | "
                     f"{f(r['percent_agreement'])} | {f(r['cohen_kappa'])} | "
                     f"{f(r['krippendorff_alpha'])} |")
    lines += ["", "## Disagreements", "",
              "First coding: `data/practices.csv` before adjudication; second coding: "
              "`data/reliability/second_coding.csv`. `–` means the coder did not code it.", ""]
    for n, r in enumerate(merged.itertuples(index=False), 1):
        text = str(r.text).replace("\n", " ")
        lines += [f"### {n}. {r.field}: {r.province}", "",
                  f"- text: {text}",
                  f"- first coding: `{r.value_a}` ({r.id_a or 'no row'})",
                  f"- second coding: `{r.value_b}` ({r.id_b or 'no row'})",
                  f"- decision: **{r.decision}** – {r.reason}",
                  f"- rule or codebook change: {r.rule_change if isinstance(r.rule_change, str) and r.rule_change else 'none'}",
                  ""]
    return "\n".join(lines).rstrip() + "\n"
