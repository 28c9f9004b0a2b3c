"""Every number the findings page and the notebooks state, tied to the table it comes from.

:func:`claims_table` turns the build's tables into ``figures/tables/claims.csv``:
one row per stated number, with the exact phrase in which the prose states it.
:func:`check_text` reads prose (the marked blocks of ``docs/findings.md``, the
notebooks' markdown) and reports every number that no claim covers and every
claim whose phrase the prose no longer contains, so that a number edited by
hand, or a table that changed under a sentence, fails the test suite.

Qualitative findings ("in every variant", "undetermined", "not stable") are
registered too: :data:`FINDINGS` ties each finding's exact phrase to the rows
of the build's tables that support it and to the test each row must pass, and
:func:`findings_table` writes ``figures/tables/findings.csv`` with, for every
finding, how many of its rows support it and whether it ``holds``. A finding
whose rows stop supporting it fails the test suite, however its numbers read.

Nothing is computed here that the tables do not already hold.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .dataset import statement_key

__all__ = ["claims_table", "check_text", "check_readme", "check_notebook", "prose_blocks",
           "README_BLOCK", "CLAIM_SOURCES", "Finding", "FINDINGS", "findings_table",
           "check_findings"]

#: Markers around the blocks of a Markdown page whose numbers must all be claims.
README_BLOCK = ("<!-- claims -->", "<!-- /claims -->")
#: The documents whose numbers the claims cover, relative to the repository root.
CLAIM_SOURCES = ("docs/findings.md", "notebooks/01-framework.ipynb", "notebooks/02-pillar-coverage.ipynb",
                 "notebooks/03-similarity.ipynb")

_NUMBER = re.compile(r"(?<![\w.\-–])\d+(?:[.,]\d+)*(?:%)?(?![\w])")
_CJK = re.compile(r"[\u3400-\u9fff\u201c\u201d]")


def _pct(x: float) -> str:
    return f"{round(100 * x)}%"


def _p(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}" if round(x, digits) > 0 else f"{x:.{digits + 1}f}"


def _num(x: float, digits: int = 2) -> str:
    return f"{x:.{digits}f}"


def _interval(row) -> str:
    lo, hi = int(row["rank_equal_low"]), int(row["rank_equal_high"])
    return f"{lo}–{hi}" if lo != hi else f"{lo}"


def _claims(t: dict, p: pd.DataFrame) -> list[tuple[str, str, str, str, str]]:
    """(id, phrase, value, table, where) for every stated number."""
    scores, pairs, rt = t["province_scores"], t["similarity_pairs"], t["region_test"]
    ri, rob, reg = t["rank_intervals"], t["robustness"], t["region_summary"]
    n_themes = t["coverage_theme"].shape[1]
    key = statement_key(p)
    unit = rob[rob["quantity"] == "top3_share"].set_index("variant")["value"].astype(float)
    bj_sd = pairs[(pairs["a"] == "CN-BJ") & (pairs["b"] == "CN-SD")].iloc[0]
    reach = int((pairs["p_min"] < 0.05).sum())
    best_fdr = float(_fdr(pairs["p_min"].to_numpy()).min())
    ranks_ent = rob[(rob["quantity"] == "rank") & (rob["group"] == "weights")].set_index("subject")["value"]
    ranks_31 = rob[(rob["quantity"] == "rank") & (rob["variant"] == "mainland_31_entropy")]
    changed_31 = int((ranks_31.set_index("subject")["value"] != ranks_ent.reindex(ranks_31["subject"])).sum())
    loo = rob[rob["group"] == "leave_out"]
    loo_clusters = loo[loo["quantity"] == "clusters"]
    code_best = rob[(rob["group"] == "level") & (rob["quantity"] == "lowest_p")]["value"].astype(float).iloc[0]
    from .dataset import load_provinces

    names = load_provinces().set_index("iso_code")["name_en"]
    mainland = load_provinces()["region"].ne("").sum()
    code_pair = rob[(rob["group"] == "level") & (rob["quantity"] == "lowest_p_pair")]["value"].iloc[0]
    code_pair = "–".join(names[c] for c in code_pair.split("–"))
    code_prov = rob[(rob["group"] == "level_scope") & (rob["quantity"] == "lowest_p")]["value"].astype(float).iloc[0]
    k = p.groupby(key)["province"].transform("nunique")
    sh_rows = p[p["province"] == "CN-SH"]
    sh_single = set(sh_rows.loc[k[sh_rows.index] == 1, "theme"])
    sh_open = len(set(sh_rows["theme"]) - sh_single)
    bj_sd_prov = float(rob[(rob["quantity"] == "pair_jaccard") & (rob["variant"] == "provincial_only")
                           & (rob["subject"] == "CN-BJ–CN-SD")]["value"].iloc[0])
    region_prov = float(rob[(rob["quantity"] == "region_p_labels")
                            & (rob["variant"] == "provincial_only")]["value"].iloc[0])
    others = ri.drop(index=["CN-SH", "CN-ZJ"])
    widths = others["rank_equal_high"] - others["rank_equal_low"] + 1
    sh, zj = ri.loc["CN-SH"], ri.loc["CN-ZJ"]
    n_rand = int(rt["n_samples"].iloc[0])
    inst = t["instruments"].groupby(level="instrument").sum().sum(axis=1)
    R = "docs/findings.md"
    N3 = "notebooks/03-similarity.ipynb"
    N2 = "notebooks/02-pillar-coverage.ipynb"
    out = [
        ("provinces", f"names {p['province'].nunique()} provinces", p["province"].nunique(),
         "practices.csv", R),
        ("mainland", f"{p['province'].nunique()} of the {mainland} mainland provinces",
         p["province"].nunique(), "practices.csv", R),
        ("unmentioned", f"{mainland - p['province'].nunique()} unmentioned mainland provinces",
         mainland - p["province"].nunique(), "practices.csv", R),
        ("statements", f"{p[key].nunique()} practice statements", p[key].nunique(), "practices.csv", R),
        ("rows", f"{len(p)} province–statement rows", len(p), "practices.csv", R),
        ("top3_rows", f"{_pct(unit['rows'])} of the rows", _pct(unit["rows"]), "robustness.csv", R),
        ("top3_cells", f"{_pct(unit['cells'])} of the province × code cells", _pct(unit["cells"]),
         "robustness.csv", R),
        ("top3_statements", f"{_pct(unit['statements'])} of the statements", _pct(unit["statements"]),
         "robustness.csv", R),
        ("national_rows", f"{int((p.get('scope', pd.Series(dtype=str)) == 'national').sum())} rows "
         "describe national programmes", int((p.get("scope", pd.Series(dtype=str)) == "national").sum()),
         "practices.csv", R),
        ("sh_themes", f"{int(scores.loc['CN-SH', 'themes'])} of the {n_themes} themes",
         int(scores.loc["CN-SH", "themes"]), "province_scores.csv", R),
        ("sh_interval", f"Shanghai is first alone in {_pct(sh['share_strict_equal'])} of the "
         f"paragraph-stratified bootstrap samples and first including ties in "
         f"{_pct(sh['share_same_equal'])} (interval {_interval(sh)})", _pct(sh["share_strict_equal"]),
         "rank_intervals.csv", R),
        ("sh_open", f"{sh_open} of Shanghai's {int(scores.loc['CN-SH', 'themes'])} themes rest only on "
         "statements that name several provinces", sh_open, "practices.csv", R),
        ("bj_sd_prov", f"without national programmes its Jaccard is {_num(bj_sd_prov)}", _num(bj_sd_prov),
         "robustness.csv", R),
        ("region_stmt", f"p = {_p(rt.loc['statements', 'p_value'], 3)} under the statement-level null",
         _p(rt.loc["statements", "p_value"], 3), "region_test.csv", R),
        ("region_prov", f"p = {_p(region_prov)} without national programmes", _p(region_prov),
         "robustness.csv", R),
        ("draws", f"{min(n_rand, 9999):,} randomisations per variant", f"{min(n_rand, 9999):,}",
         "robustness.csv", R),  # npstudy.build.N_VARIANT_SAMPLES caps the variants' draws
        ("zj_interval", f"Zhejiang second in {_pct(zj['share_same_equal'])} (interval {_interval(zj)})",
         _pct(zj["share_same_equal"]), "rank_intervals.csv", R),
        ("other_widths", f"intervals {int(widths.min())} to {int(widths.max())} places wide",
         int(widths.min()), "rank_intervals.csv", R),
        ("entropy_top", f"entropy ranks {int(sh['rank_entropy_min'])}–{int(sh['rank_entropy_max'])} "
         f"and {int(zj['rank_entropy_min'])}–{int(zj['rank_entropy_max'])}",
         int(sh["rank_entropy_max"]), "rank_intervals.csv", R),
        ("entropy_changed", f"{int((ri['rank_entropy_changed'] > 0).sum())} of the {len(ri)} provinces "
         "change entropy rank", int((ri["rank_entropy_changed"] > 0).sum()), "rank_intervals.csv", R),
        ("entropy_31", f"changes {changed_31} of the {len(ranks_31)} entropy ranks", changed_31,
         "robustness.csv", R),
        ("pairs", f"{len(pairs)} pairs", len(pairs), "similarity_pairs.csv", R),
        ("alpha", "p < 0.05", "0.05", "similarity_pairs.csv", R),
        ("alpha_nb", "p < 0.05", "0.05", "similarity_pairs.csv", N3),
        ("mean_jaccard", f"mean Jaccard similarity {_num(pairs['similarity'].mean())}",
         _num(pairs["similarity"].mean()), "similarity_pairs.csv", R),
        ("reach", f"only {reach} of the {len(pairs)} pairs can reach p < 0.05", reach,
         "similarity_pairs.csv", R),
        ("p_min", f"lowest p any pair can reach is {_p(pairs['p_min'].min(), 3)}",
         _p(pairs["p_min"].min(), 3), "similarity_pairs.csv", R),
        ("best_fdr", f"smallest FDR-adjusted p any pair could reach is {_p(best_fdr)}", _p(best_fdr),
         "similarity_pairs.csv", R),
        ("chance", f"about {_num(pairs['size_05'].sum())} pairs", _num(pairs["size_05"].sum()),
         "similarity_pairs.csv", R),
        ("chance_nb", f"about {_num(pairs['size_05'].sum())} pairs", _num(pairs["size_05"].sum()),
         "similarity_pairs.csv", N3),
        ("bj_sd", f"Jaccard {_num(bj_sd['similarity'])}, p = {_p(bj_sd['p_value'])}",
         _p(bj_sd["p_value"]), "similarity_pairs.csv", R),
        ("bj_sd_nb", f"p = {_p(bj_sd['p_value'])}", _p(bj_sd["p_value"]), "similarity_pairs.csv", N3),
        ("bj_sd_stmt", f"the same pair has p = {_p(bj_sd['p_statement'], 3)}",
         _p(bj_sd["p_statement"], 3), "similarity_pairs.csv", R),
        ("code_pair", f"{code_pair} (p = {_p(code_best)})", _p(code_best), "robustness.csv", R),
        ("code_prov", f"lowest code-level p is {_p(code_prov)}", _p(code_prov), "robustness.csv", R),
        ("breadth_east", f"eastern provinces cover {_num(reg.loc['east', 'mean_breadth'], 1)} themes on "
         f"average and central ones {_num(reg.loc['central', 'mean_breadth'], 1)}",
         _num(reg.loc["east", "mean_breadth"], 1), "region_summary.csv", R),
        ("region_labels", f"p = {_p(rt.loc['labels_permuted', 'p_value'], 3)} when region labels are shuffled",
         _p(rt.loc["labels_permuted", "p_value"], 3), "region_test.csv", R),
        ("region_fixed", f"p = {_p(rt.loc['breadth_fixed', 'p_value'])} holding each province's theme count "
         f"fixed ({_p(rt.loc['breadth_and_themes_fixed', 'p_value'])} with theme totals fixed too)",
         _p(rt.loc["breadth_fixed", "p_value"]), "region_test.csv", R),
        ("region_ses", f"p = {_p(rt.loc['effect_sizes', 'p_value'])} on effect sizes",
         _p(rt.loc["effect_sizes", "p_value"]), "region_test.csv", R),
        ("region_fixed_nb", f"p = {_p(rt.loc['breadth_fixed', 'p_value'])}",
         _p(rt.loc["breadth_fixed", "p_value"]), "region_test.csv", N3),
        ("clusters_loo", f"the three clusters survive {int(loo_clusters['same'].sum())} of the "
         f"{len(loo_clusters)} leave-one-out variants", int(loo_clusters["same"].sum()),
         "robustness.csv", R),
        ("randomisations", f"{n_rand:,} randomisations", f"{n_rand:,}", "region_test.csv", N3),
        ("instruments", f"{int(inst['environment'])} of the {int(inst.sum())} rows",
         int(inst["environment"]), "instruments.csv", R),
        ("instruments_nb", f"{int(inst['environment'])} of the {int(inst.sum())} rows",
         int(inst["environment"]), "instruments.csv", N2),
    ]
    if "reliability" in t:
        rel = t["reliability"]
        blind = rel[rel["comparison"] == "second coder"].set_index("field")
        base = rel[rel["comparison"] == "no-judgement baseline"].set_index("field")
        k_pt = float(blind.loc["province × theme", "kappa"])
        k_type = float(blind.loc["instrument_type", "kappa"])
        au = float(blind.loc["statements (αu)", "alpha"])
        k_base = float(base.loc["province × theme", "kappa"])
        au_base = float(base.loc["statements (αu)", "alpha"])
        out += [
            ("blind_theme", f"province × theme with κ = {k_pt:.2f}", f"{k_pt:.2f}", "reliability.csv", R),
            ("blind_type", f"instrument types with κ = {k_type:.2f}", f"{k_type:.2f}",
             "reliability.csv", R),
            ("blind_au", f"cut the text into statements alike (αu = {au:.2f})", f"{au:.2f}",
             "reliability.csv", R),
            ("base_theme", f"reaches κ = {k_base:.2f} on province × theme", f"{k_base:.2f}",
             "reliability.csv", R),
            ("base_au", f"αu = {au_base:.2f} on statements", f"{au_base:.2f}", "reliability.csv", R),
        ]
    if "annotator_agreement" in t:
        an = t["annotator_agreement"]
        row = an.loc["province × theme"]
        out += [
            ("annotators", f"κ = {row['cohen_kappa']:.2f} [{row['cohen_kappa_low']:.2f}, "
             f"{row['cohen_kappa_high']:.2f}]", f"{row['cohen_kappa']:.2f}",
             "annotator_agreement.csv", R),
        ]
    if "agreement" in t:
        ag = t["agreement"]
        k = ag["cohen_kappa"]
        out += [
            ("rel_theme", f"province × theme with κ = {k['province × theme']:.2f}",
             f"{k['province × theme']:.2f}", "agreement.csv", R),
            ("rel_code", f"codes with κ = {k['code']:.2f}", f"{k['code']:.2f}", "agreement.csv", R),
            ("rel_instrument", f"instrument categories agree with κ = {k['instrument']:.2f}",
             f"{k['instrument']:.2f}", "agreement.csv", R),
            ("rel_type", f"instrument types with κ = {k['instrument_type']:.2f}",
             f"{k['instrument_type']:.2f}", "agreement.csv", R),
            ("rel_flags", f"first-mover flags with κ = {k['first_mover']:.2f} and scope with κ = "
             f"{k['scope']:.2f}", f"{k['scope']:.2f}", "agreement.csv", R),
            ("rel_rows", f"{int(ag.loc['rows', 'disagreements'])} of the {int(ag.loc['rows', 'units'])} "
             "rows of either coding", int(ag.loc["rows", "disagreements"]), "agreement.csv", R),
            ("rel_disagreements", f"all {int(ag['disagreements'].sum())} disagreements",
             int(ag["disagreements"].sum()), "agreement.csv", R),
        ]
    return [(i, phrase, str(v), table, where) for i, phrase, v, table, where in out]


def claims_table(tables: dict, practices: pd.DataFrame) -> pd.DataFrame:
    """One row per number the findings page or a notebook states.

    Parameters
    ----------
    tables : dict of pandas.DataFrame
        The build's tables (:func:`npstudy.build.compute_tables`), including
        ``robustness`` and ``rank_intervals``.
    practices : pandas.DataFrame
        The practices the tables were computed from.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``claim``: ``value`` (the number as the prose writes it),
        ``phrase`` (the exact words in which it is stated), ``table`` (the
        file in ``figures/tables/`` it comes from) and ``where`` (the document
        that states it).
    """
    rows = _claims(tables, practices)
    return pd.DataFrame(rows, columns=["claim", "phrase", "value", "table", "where"]).set_index("claim")[
        ["value", "phrase", "table", "where"]]


def prose_blocks(path: str | Path) -> str:
    """The prose of a document whose numbers must be claims.

    For a Markdown page: the text between ``<!-- claims -->`` and ``<!-- /claims -->``
    markers. For a notebook: its markdown cells, joined by blank lines.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return _blocks(text)


def _blocks(text: str) -> str:
    start, end = README_BLOCK
    parts = re.findall(re.escape(start) + r"(.*?)" + re.escape(end), text, flags=re.S)
    return "\n\n".join(parts)


def _strip(text: str) -> str:
    """Blank out what is not a stated number: inline code, links, headings' numbers, figure refs."""
    def blank(m):
        return " " * len(m.group(0))
    text = re.sub(r"`[^`]*`", blank, text)
    text = re.sub(r"\]\([^)]*\)", blank, text)
    text = re.sub(r"(?m)^#+ \d+ ·", blank, text)
    text = re.sub(r"(?i)(?:\b(?:figures?|notebooks?|rules?|R)|图)\s*\d+(?:\s*(?:and|,|–)\s*\d+)*",
                  blank, text)
    return text


def check_text(text: str, claims: pd.DataFrame, where: str) -> list[str]:
    """Problems with the numbers of one document's prose.

    Parameters
    ----------
    text : str
        The prose (see :func:`prose_blocks`).
    claims : pandas.DataFrame
        ``claims.csv``, as :func:`claims_table` writes it.
    where : str
        The document's path as the ``where`` column names it.

    Returns
    -------
    list of str
        One message per claim of ``where`` whose phrase is missing from the
        text (whitespace, including line breaks, counts as one space), and per
        number in the text that no claim's phrase covers (numbers
        inside a quoted Chinese phrase, inline code, headings' numbering and
        figure, notebook or rule numbers are not claims). Empty when all match.

    Examples
    --------
    >>> c = pd.DataFrame({"value": ["13"], "phrase": ["names 13 provinces"],
    ...                   "table": ["practices.csv"], "where": ["doc"]}, index=["n"])
    >>> check_text("The article names 13 provinces.", c, "doc")
    []
    >>> check_text("The article names 14 provinces.", c, "doc")[0]
    "doc: claim 'n' (13, from practices.csv) is stated as 'names 13 provinces' in claims.csv, but that phrase is not in the text"
    """
    text = re.sub(r"\s+", " ", text)  # a phrase may wrap across lines
    problems = []
    covered = [False] * len(text)
    for claim, row in claims.iterrows():
        found = False
        for m in re.finditer(re.escape(row["phrase"]), text):
            found = True
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
        if row["where"] == where and not found:
            problems.append(f"{where}: claim {claim!r} ({row['value']}, from {row['table']}) is stated "
                            f"as {row['phrase']!r} in claims.csv, but that phrase is not in the text")
    stripped = _strip(text)
    for m in _NUMBER.finditer(stripped):
        if all(covered[m.start():m.end()]):
            continue
        before, after = stripped[max(0, m.start() - 1):m.start()], stripped[m.end():m.end() + 1]
        if _CJK.search(before + after):
            continue
        context = text[max(0, m.start() - 30):m.end() + 30]
        problems.append(f"{where}: number {m.group(0)!r} is not from claims.csv "
                        f"(…{context}…); add a claim to npstudy/claims.py or remove the number")
    return problems


def check_readme(readme: str | Path, claims: pd.DataFrame, where: str = "docs/findings.md") -> list[str]:
    """:func:`check_text` on a Markdown page's marked blocks (by default the findings page)."""
    return check_text(prose_blocks(readme), claims, where)


def check_notebook(notebook: str | Path, claims: pd.DataFrame, where: str) -> list[str]:
    """:func:`check_text` on a notebook's markdown cells."""
    return check_text(prose_blocks(notebook), claims, where)



@dataclass(frozen=True)
class Finding:
    """A qualitative finding and the table rows that must support it.

    Attributes
    ----------
    id : str
    phrase : str
        The exact words in which the prose states the finding.
    where : str
        The document that states it.
    table : str
        The build table (file stem in ``figures/tables/``) that holds the rows.
    rows : str
        How the supporting rows are chosen, in words (written to the table).
    select : callable
        ``tables -> DataFrame``: the supporting rows.
    supports : callable
        ``row -> bool``: whether one row supports the finding.
    """

    id: str
    phrase: str
    where: str
    table: str
    rows: str
    select: Callable[[dict], pd.DataFrame]
    supports: Callable[[pd.Series], bool]


def _rob(t: dict, **eq) -> pd.DataFrame:
    r = t["robustness"]
    for col, val in eq.items():
        r = r[r[col].isin(val if isinstance(val, (list, tuple)) else [val])]
    return r


def _float(v) -> float:
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


_MAIN_GROUPS = ["baseline", "level", "scope", "level_scope", "weights"]
_R = "docs/findings.md"

#: Every qualitative finding the findings page states, with the rows that support it.
FINDINGS = (
    Finding("breadth_main", "the theme-level breadth leader with or without national programmes and "
            "with either weighting", _R, "robustness",
            "breadth_leaders in the baseline, scope and weights groups; each must include CN-SH",
            lambda t: _rob(t, quantity="breadth_leaders", group=["baseline", "scope", "weights"]),
            lambda r: "CN-SH" in str(r["value"]).split(";")),
    Finding("breadth_codebook", "but not at code level, nor under two codebook variants", _R,
            "robustness", "breadth_leaders in the level and level_scope groups and in the codebook "
            "group's single_province_statements and inverse_k_weights variants; each must exclude "
            "CN-SH",
            lambda t: pd.concat([_rob(t, quantity="breadth_leaders", group=["level", "level_scope"]),
                                 _rob(t, quantity="breadth_leaders", group="codebook",
                                      variant=["single_province_statements", "inverse_k_weights"])]),
            lambda r: "CN-SH" not in str(r["value"]).split(";")),
    Finding("top_pair_national", "rests partly on national programmes and on open lists", _R,
            "robustness", "pair_jaccard of each baseline top pair in the provincial_only scope "
            "variant and the single_province_statements variant; each must be below its baseline "
            "value",
            lambda t: pd.concat([
                _rob(t, quantity="pair_jaccard", group="scope", variant="provincial_only"),
                _rob(t, quantity="pair_jaccard", group="codebook",
                     variant="single_province_statements")]),
            lambda r: _float(r["value"]) < _float(r["baseline"])),
    Finding("region_undetermined", "whether region matters beyond breadth is undetermined", _R,
            "region_test", "labels_permuted and breadth_fixed: the first below 0.05, the second not "
            "(the two tests disagree)",
            lambda t: t["region_test"].loc[["labels_permuted", "breadth_fixed"]].reset_index(),
            lambda r: (_float(r["p_value"]) < 0.05) == (r["test"] == "labels_permuted")),
    Finding("region_national", "without national programmes the shuffled-label test is not "
            "significant either", _R, "robustness",
            "region_p_labels in the provincial_only scope variant; must be at least 0.05",
            lambda t: _rob(t, quantity="region_p_labels", group="scope", variant="provincial_only"),
            lambda r: _float(r["value"]) >= 0.05),
    Finding("clusters_unstable", "The hierarchical clusters are not stable", _R, "robustness",
            "clusters in every leave_out and codebook variant; at least half must differ from the "
            "baseline (checked on the share of rows with same = False)",
            lambda t: _rob(t, quantity="clusters", group=["leave_out", "codebook"]),
            None),
    Finding("no_pair_significant", "no pair can be significant after correcting for", _R,
            "similarity_pairs", "every pair's smallest attainable FDR-adjusted p (p_min, Benjamini–"
            "Hochberg over all pairs); each must be at least 0.05",
            lambda t: t["similarity_pairs"].assign(
                p_min_fdr=_fdr(t["similarity_pairs"]["p_min"].to_numpy())),
            lambda r: _float(r["p_min_fdr"]) >= 0.05),
    Finding("entropy_fragile", "entropy ranks are fragile", _R, "rank_intervals",
            "rank_entropy_changed of every province; at least half must be above 0",
            lambda t: t["rank_intervals"].reset_index(), None),
)

#: Findings judged on the share of their rows that support them, with that share's minimum.
_MAJORITY = {"clusters_unstable": (lambda r: str(r["same"]) in ("False", "false"), 0.5),
             "entropy_fragile": (lambda r: _float(r["rank_entropy_changed"]) > 0, 0.5)}


def _fdr(p):
    from scipy.stats import false_discovery_control
    return false_discovery_control(p, method="bh")


def findings_table(tables: dict, findings=FINDINGS) -> pd.DataFrame:
    """Whether each qualitative finding holds in the build's tables.

    Parameters
    ----------
    tables : dict of pandas.DataFrame
        The build's tables (as :func:`npstudy.build.compute_tables` returns them).
    findings : sequence of Finding, default :data:`FINDINGS`

    Returns
    -------
    pandas.DataFrame
        Indexed by ``finding``: ``phrase``, ``where``, ``table``, ``rows`` (how
        the supporting rows are chosen and what each must show), ``n_rows``,
        ``n_supporting`` and ``holds``. A finding with no rows does not hold; one
        judged on all its rows holds when every row supports it; the two judged
        on a majority (clusters, entropy ranks) hold when at least half do.

    Examples
    --------
    >>> t = {"robustness": pd.DataFrame({"quantity": ["breadth_leaders"], "group": ["baseline"],
    ...                                  "variant": ["baseline"], "value": ["CN-ZJ"]})}
    >>> findings_table(t, [FINDINGS[0]])["holds"].tolist()
    [False]
    """
    out = []
    for f in findings:
        rows = f.select(tables)
        test, need = _MAJORITY.get(f.id, (f.supports, 1.0))
        n_sup = int(sum(bool(test(r)) for _, r in rows.iterrows()))
        holds = len(rows) > 0 and n_sup >= need * len(rows)
        out.append({"finding": f.id, "phrase": f.phrase, "where": f.where, "table": f"{f.table}.csv",
                    "rows": f.rows, "n_rows": len(rows), "n_supporting": n_sup, "holds": holds})
    return pd.DataFrame(out).set_index("finding")


def check_findings(findings: pd.DataFrame, texts: dict[str, str]) -> list[str]:
    """Problems with the qualitative findings: one that does not hold, or is not stated.

    Parameters
    ----------
    findings : pandas.DataFrame
        As :func:`findings_table` returns it.
    texts : dict
        Document path (as the ``where`` column names it) → its prose.

    Returns
    -------
    list of str
        Empty when every finding holds and its phrase is in its document.
    """
    problems = []
    for fid, row in findings.iterrows():
        if str(row["holds"]) not in ("True", "true"):
            problems.append(f"finding {fid!r} ({row['phrase']!r}) no longer holds: {row['n_supporting']} "
                            f"of {row['n_rows']} rows of {row['table']} support it ({row['rows']})")
        text = re.sub(r"\s+", " ", texts.get(row["where"], ""))
        if row["phrase"] not in text:
            problems.append(f"finding {fid!r} is registered for {row['where']} as {row['phrase']!r}, "
                            "but that phrase is not in the text")
    return problems
