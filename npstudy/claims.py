"""Every number the README and the notebooks state, tied to the table it comes from.

:func:`claims_table` turns the build's tables into ``figures/tables/claims.csv``:
one row per stated number, with the exact phrase in which the prose states it.
:func:`check_text` reads prose (the README's marked findings blocks, the
notebooks' markdown) and reports every number that no claim covers and every
claim whose phrase the prose no longer contains, so that a number edited by
hand, or a table that changed under a sentence, fails the test suite.

Nothing is computed here that the tables do not already hold.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .dataset import statement_key

__all__ = ["claims_table", "check_text", "check_readme", "check_notebook", "prose_blocks",
           "README_BLOCK", "CLAIM_SOURCES"]

#: Markers around the README blocks whose numbers must all be claims.
README_BLOCK = ("<!-- claims -->", "<!-- /claims -->")
#: The documents whose numbers the claims cover, relative to the repository root.
CLAIM_SOURCES = ("README.md", "notebooks/01-framework.ipynb", "notebooks/02-pillar-coverage.ipynb",
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
    from scipy.stats import false_discovery_control

    best_fdr = float(false_discovery_control(pairs["p_min"].to_numpy(), method="bh").min())
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
    others = ri.drop(index=["CN-SH", "CN-ZJ"])
    widths = others["rank_equal_high"] - others["rank_equal_low"] + 1
    sh, zj = ri.loc["CN-SH"], ri.loc["CN-ZJ"]
    n_rand = int(rt["n_samples"].iloc[0])
    inst = t["instruments"].groupby(level="instrument").sum().sum(axis=1)
    R = "README.md"
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
        ("sh_interval", f"Shanghai ranks first in {_pct(sh['share_same_equal'])} of the bootstrap samples "
         f"(interval {_interval(sh)})", _pct(sh["share_same_equal"]), "rank_intervals.csv", R),
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
    """One row per number the README or a notebook states.

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

    For the README: the text between ``<!-- claims -->`` and ``<!-- /claims -->``
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


def check_readme(readme: str | Path, claims: pd.DataFrame) -> list[str]:
    """:func:`check_text` on the README's marked blocks."""
    return check_text(prose_blocks(readme), claims, "README.md")


def check_notebook(notebook: str | Path, claims: pd.DataFrame, where: str) -> list[str]:
    """:func:`check_text` on a notebook's markdown cells."""
    return check_text(prose_blocks(notebook), claims, where)

