"""The pipeline that writes every table and figure: ``npstudy build``.

Data flow: files → :mod:`dataset` (+ :mod:`validation`) → :mod:`scoring` /
:mod:`similarity` → :mod:`plots` → files. :func:`compute_tables` returns every
table the notebooks show; :func:`build` writes them as CSV and draws every figure.
Output is byte-for-byte reproducible (seeded null model, no timestamps in PNG,
SVG or PDF metadata) and every file is written atomically: to a temporary file
in the target folder, then renamed over the old one.
"""

from __future__ import annotations

import io
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import plots, plots_coder, plots_external
from .codebook import Codebook
from .coder.confidence import calibration_tables
from .coder.screen import screen_tables
from .dataset import data_dir, load_codebook, load_practices
from .gazetteer import Gazetteer, load_gazetteer
from .lang import check_lang
from .scoring import (coverage_matrix, instrument_matrix, pillar_shares, province_scores,
                      region_summary)
from .external import external_tables, load_indicators
from .fileio import (DataError, NpstudyError, link_problem, refuse_protected, safe_subfolder,
                     write_atomic, write_files_atomic)
from .nullmodels import (null_model_test, pairs_to_matrix, region_test, region_test_fixed_rows,
                         statement_null_test)
from .robustness import leave_one_out_ranks, rank_intervals, robustness_table
from .similarity import cluster_provinces, linkage_matrix, similarity_matrix, similarity_pairs
from .study import Study, resolve_codebook, resolve_gazetteer
from .validation import validate

__all__ = ["BuildError", "Results", "compute_tables", "table_bytes", "draw_figures", "figure_captions",
           "caption_path", "build", "default_output_dir", "FIGURES", "CLUSTERS", "N_RANDOMISATIONS",
           "SEED", "write_atomic", "why_not_analysable"]

#: Randomisations for the null model and the region permutation test.
N_RANDOMISATIONS = 9999
#: Seed of every random draw in the build.
SEED = 20240305
#: Figure file stems, in the order the README lists them.
FIGURES = ("fig1_framework", "fig2_coverage_heatmap", "fig3_tile_map", "fig4_pillar_profiles",
           "fig5_similarity", "fig6_null_model", "fig7_instruments", "fig8_rank_intervals",
           "fig9_external_profile", "fig10_coder_reliability")
#: Clusters cut from the similarity tree (clusters.csv, figure 5).
CLUSTERS = 3
#: zlib level of PNG figures (0–9; see _figure_bytes).
PNG_COMPRESS_LEVEL = 3
#: Randomisations per variant in the robustness table (each variant reruns the tests).
N_VARIANT_SAMPLES = 9999
FORMATS = ("png", "svg", "pdf")


class BuildError(NpstudyError):
    """The build cannot run or cannot write its output; the message says why."""


@dataclass
class Results:
    """Everything the figures and notebooks use, computed once.

    ``codebook`` and ``gazetteer`` are the reference data the tables were computed
    with (a workspace's own, for ``build --data``); the figures label with them.
    """

    tables: dict[str, pd.DataFrame]
    practices: pd.DataFrame
    n_samples: int
    linkage: object
    linkage_labels: list
    order: list
    codebook: Codebook
    gazetteer: Gazetteer


def compute_tables(practices: pd.DataFrame | None = None, n_samples: int = N_RANDOMISATIONS,
                   seed: int = SEED, workers: int = 1, codebook: Codebook | None = None,
                   gazetteer: Gazetteer | None = None) -> Results:
    """Compute every table of the analysis.

    Parameters
    ----------
    practices : pandas.DataFrame, optional
        The shipped practices by default.
    n_samples : int, default 9999
        Curveball randomisations and region permutations.
    seed : int
        Seed for both randomisations.
    workers : int, default 1
        With 2 or more, the robustness and agreement tables are computed in
        forked processes while this one computes the rest (same results).
    codebook, gazetteer : optional
        The reference data of ``practices`` (e.g. a workspace's, see
        :meth:`npstudy.study.Study.load`); the shipped ones by default. Every
        table and figure uses these, never the shipped ones behind their back.

    Returns
    -------
    Results
        ``tables`` maps a table name to a DataFrame: ``province_scores``,
        ``coverage_pillar``, ``coverage_theme``, ``region_summary``,
        ``similarity_theme_jaccard``, ``similarity_pairs`` (with null-model
        columns), ``clusters``, ``region_test`` and ``instruments``.
    """
    p = load_practices() if practices is None else practices
    cb, g = resolve_codebook(codebook), resolve_gazetteer(gazetteer)
    ref = dict(codebook=cb, gazetteer=g)
    side = None
    if workers > 1:
        import multiprocessing as mp

        if "fork" in mp.get_all_start_methods():
            names = ("robustness", "agreement", "coder_evaluation")[:1 if practices is not None
                                                                     else 3]
            side = _fork_pool(len(names))
            pending = {name: side.apply_async(_side_tables, ((name, p, n_samples, seed, cb, g),))
                       for name in names}
    theme_counts = coverage_matrix(p, "theme", **ref)
    presence = coverage_matrix(p, "theme", "presence", **ref)
    sim = similarity_matrix(presence, "jaccard")
    Z, labels = linkage_matrix(sim)
    clusters = cluster_provinces(sim, n_clusters=CLUSTERS)
    null = null_model_test(presence, "jaccard", n_samples=n_samples, seed=seed)
    stmt_pairs, stmt_region = statement_null_test(p, "theme", n_samples=n_samples, seed=seed, **ref)
    stmt_pairs = stmt_pairs[["a", "b", "ses", "p_value"]].rename(
        columns={"ses": "ses_statement", "p_value": "p_statement"})
    pairs = (similarity_pairs(presence, "jaccard")
             .merge(null.drop(columns="observed"), on=["a", "b"], how="left")
             .merge(stmt_pairs, on=["a", "b"], how="left"))
    mainland = coverage_matrix(p, "theme", "presence", provinces="mainland", **ref)
    tables = {
        "province_scores": province_scores(p, **ref),
        "coverage_pillar": coverage_matrix(p, "pillar", **ref),
        "coverage_theme": theme_counts,
        "pillar_shares": pillar_shares(p, **ref),
        "region_summary": region_summary(p, **ref),
        "similarity_theme_jaccard": sim,
        "similarity_pairs": pairs,
        "clusters": clusters,
        "region_test": _region_tests(mainland, null, stmt_region, n_samples, seed, g),
        "instruments": instrument_matrix(p, codebook=cb),
        "rank_intervals": _rank_table(p, n_samples, seed, cb),
        # the article beside public indicators of the 31 provinces (data/external/)
        **external_tables(p, n_perm=n_samples, seed=seed),
        # the coder's confidence on real text: the statement screen, cross-validated on the
        # real-text DEV sets and retired test sets (figure 10)
        **(screen_tables() or calibration_tables()),
    }
    if side is not None:
        try:
            tables["robustness"] = pending["robustness"].get()
            agreement = pending["agreement"].get() if "agreement" in pending else None
            coder_eval = pending["coder_evaluation"].get() if "coder_evaluation" in pending else None
            side.close()
        except BaseException:
            side.terminate()
            raise
        finally:
            side.join()
    else:
        tables["robustness"] = _side_tables(("robustness", p, n_samples, seed, cb, g))
        agreement = _side_tables(("agreement", p, n_samples, seed, cb, g)) if practices is None else None
        coder_eval = (_side_tables(("coder_evaluation", p, n_samples, seed, cb, g))
                      if practices is None else None)
    if practices is None:  # the shipped dataset: its second coding and the claims the README makes
        from .claims import claims_table, findings_table

        if agreement is not None:
            tables["agreement"] = agreement
        if coder_eval is not None:
            tables["coder_evaluation"] = coder_eval
        from .reliability import agreement_table

        # every field with bootstrap intervals, αu and the no-judgement baseline
        # (data/reliability/agreement.csv holds the same table)
        tables["reliability"] = agreement_table()
        from .annotation import realtext_agreement

        # the two annotators of the real-text evaluation set, before adjudication
        tables["annotator_agreement"] = realtext_agreement(seed=seed)
        # ... and of every later set (dev2/ …, test2/ …), gathered and labelled the same way:
        # each folder that holds the two annotators' files
        from .evaluation import corpus_dir

        for folder in sorted((corpus_dir() / "realtext").iterdir()):
            if (folder / "labels_a.csv").is_file():
                tables[f"annotator_agreement_{folder.name}"] = realtext_agreement(folder, seed=seed)
        tables["claims"] = claims_table(tables, p)
        tables["findings"] = findings_table(tables)
    return Results(tables, p, n_samples, Z, labels, clusters.index.tolist(), cb, g)


def _region_tests(mainland: pd.DataFrame, null: pd.DataFrame, stmt_region: pd.DataFrame,
                  n_samples: int, seed: int, gazetteer: Gazetteer) -> pd.DataFrame:
    """The region effect under four null models, one row each."""
    g = dict(gazetteer=gazetteer)
    labels = region_test(similarity_matrix(mainland), n_perm=n_samples, seed=seed, **g)
    effect = region_test(pairs_to_matrix(null, "ses"), n_perm=n_samples, seed=seed, **g)
    rows = []
    for test, t, on, model in (
            ("labels_permuted", labels, "jaccard", "region labels shuffled among provinces"),
            ("breadth_fixed", region_test_fixed_rows(mainland, n_samples=n_samples, seed=seed, **g),
             "jaccard", "each province's themes redrawn, keeping how many (fixed rows)"),
            ("breadth_and_themes_fixed",
             region_test_fixed_rows(mainland, n_samples=n_samples, seed=seed, model="curveball",
                                    **g),
             "jaccard", "curveball: row and column totals kept"),
            ("effect_sizes", effect, "ses", "region labels shuffled; pairs compared by effect size"),
            ("statements", stmt_region, "jaccard",
             "each statement keeps how many provinces it names; which ones is random")):
        r = t.iloc[0]
        rows.append({"test": test, "similarity": on, "null_model": model, "units": int(r["units"]),
                     "statistic": r["statistic"], "null_mean": r["null_mean"],
                     "null_sd": r["null_sd"], "p_value": r["p_value"], "n_samples": n_samples})
    return pd.DataFrame(rows).set_index("test")


def _rank_table(p: pd.DataFrame, n_samples: int, seed: int, codebook: Codebook) -> pd.DataFrame:
    """Equal-weight ranks with bootstrap intervals beside entropy ranks with their LOO range."""
    boot = rank_intervals(p, n_boot=n_samples, seed=seed, codebook=codebook)
    loo = leave_one_out_ranks(p, "entropy", codebook=codebook)
    out = boot.rename(columns=lambda c: c.replace("rank", "rank_equal"))
    out = out.rename(columns={"share_same": "share_same_equal", "share_strict": "share_strict_equal"})
    out["rank_entropy"] = loo["rank"]
    out["rank_entropy_min"] = loo["rank_min"]
    out["rank_entropy_max"] = loo["rank_max"]
    out["rank_entropy_changed"] = loo["changed"]
    return out.sort_values(["rank_equal", "rank_entropy"], kind="stable")


def default_output_dir() -> Path:
    """``figures/`` of the source checkout, or ``./figures`` for an installed package."""
    data = data_dir()
    if data.name == "data" and (data.parent / "pyproject.toml").is_file():
        return data.parent / "figures"
    return Path.cwd() / "figures"


def _figure_bytes(fig, fmt: str, lang: str) -> bytes:
    metadata = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
                "pdf": {"CreationDate": None, "ModDate": None, "Producer": None,
                        "Creator": None}}[fmt]
    buf = io.BytesIO()
    import matplotlib

    # PNG: zlib level 3 encodes in about half the time of the default level 6 for files
    # about a quarter larger (benchmarks/README.md).
    extra = {"pil_kwargs": {"compress_level": PNG_COMPRESS_LEVEL}} if fmt == "png" else {}
    with matplotlib.rc_context(plots.figure_style(lang)):
        fig.savefig(buf, format=fmt, metadata=metadata, **extra)
    return buf.getvalue()


def _rank_ranges(table: pd.DataFrame, lang: str = "en") -> pd.Series:
    """'#a–b' (第a–b名) labels of the entropy ranks' leave-one-out range."""
    def fmt(row):
        lo, hi = int(row["rank_entropy_min"]), int(row["rank_entropy_max"])
        return plots.TEXT["rank_one" if lo == hi else "rank_range"][lang].format(lo=lo, hi=hi)
    return table.apply(fmt, axis=1)


def draw_figures(results: Results, lang: str, stems=None, codebook=None, gazetteer=None) -> dict:
    """Draw figures in one language from computed results; returns ``{stem: Figure}``.

    ``stems`` picks some of :data:`FIGURES` (all by default); ``codebook`` and
    ``gazetteer`` label them (the shipped ones when None).
    """
    p = results.practices
    cb = codebook if codebook is not None else results.codebook
    g = gazetteer if gazetteer is not None else results.gazetteer
    t = results.tables
    scores = t["province_scores"]
    makers = {
        "fig1_framework": lambda: plots.plot_framework(p, codebook=cb, gazetteer=g, lang=lang),
        "fig2_coverage_heatmap": lambda: plots.plot_coverage_heatmap(
            t["coverage_theme"], codebook=cb, gazetteer=g, order=results.order, lang=lang),
        "fig3_tile_map": lambda: plots.plot_tile_map(
            scores["themes"], scores["composite_entropy"], codebook=cb, gazetteer=g, lang=lang,
            rank_range=_rank_ranges(t["rank_intervals"], lang)),
        "fig4_pillar_profiles": lambda: plots.plot_pillar_profiles(
            t["pillar_shares"], composite=scores["composite_equal"], weights="equal", lang=lang,
            codebook=cb, gazetteer=g),
        "fig5_similarity": lambda: plots.plot_similarity(
            t["similarity_theme_jaccard"], results.linkage, results.linkage_labels, lang=lang,
            n_clusters=CLUSTERS, codebook=cb, gazetteer=g),
        "fig6_null_model": lambda: plots.plot_null_model(
            t["similarity_pairs"], results.order, n_samples=results.n_samples, lang=lang,
            codebook=cb, gazetteer=g),
        "fig7_instruments": lambda: plots.plot_instruments(t["instruments"], lang=lang, codebook=cb,
                                                           gazetteer=g),
        "fig8_rank_intervals": lambda: plots.plot_rank_intervals(
            t["rank_intervals"], lang=lang, n_boot=results.n_samples, codebook=cb, gazetteer=g),
        "fig9_external_profile": lambda: plots_external.plot_external_profile(
            t["external_profile"], cb, g, lang),
        "fig10_coder_reliability": lambda: plots_coder.plot_coder_reliability(
            t["coder_calibration"], t["coder_calibration_cutoffs"], lang),
    }
    return {stem: makers[stem]() for stem in (stems or FIGURES)}


def figure_captions(results: Results, lang: str, alpha: float = 0.05, codebook=None,
                    gazetteer=None) -> dict:
    """Each figure's caption in ``lang`` (:func:`npstudy.plots.caption`), with the numbers it states.

    Returns ``{stem: markdown}``; the build writes them to ``captions/<figN>_<lang>.md``.
    ``codebook`` and ``gazetteer`` are those the figures were drawn with (the shipped
    ones when None).
    """
    t, p = results.tables, results.practices
    scores = t["province_scores"]
    pairs = t["similarity_pairs"]
    g = gazetteer if gazetteer is not None else load_gazetteer()
    breadth, comp = scores["themes"].dropna(), scores["composite_entropy"].dropna()
    cats = t["instruments"].groupby(level=0, sort=False).sum().sum(axis=1)
    cb = codebook if codebook is not None else load_codebook()
    cat_text = ("；" if lang == "zh" else "; ").join(
        f"{cb.instrument_categories[c][lang]} {int(n)}" for c, n in cats.items())
    facts = {
        "fig1_framework": {"n_rows": len(p), "n_provinces": sum(
            g.is_province(c) for c in p["province"].unique())},
        "fig2_coverage_heatmap": {"n_rows": len(p), "n_provinces": len(t["coverage_theme"])},
        "fig3_tile_map": {"breadth_lo": int(breadth.min()), "breadth_hi": int(breadth.max()),
                          "composite_lo": f"{comp.min():.2f}", "composite_hi": f"{comp.max():.2f}",
                          "n_units": len(g.provinces),
                          "n_missing": len(g.provinces) - int(breadth.index.isin(
                              g.provinces["iso_code"]).sum())},
        "fig4_pillar_profiles": {"weights": plots.TEXT["weights_equal"][lang],
                                 "definition": plots.captions.COMPOSITE["equal"][lang]},
        "fig5_similarity": {"k": CLUSTERS, "claim": _cluster_claim(t, lang)},
        "fig6_null_model": {"n": f"{results.n_samples:,}", "alpha": alpha,
                            "n_fdr": int((pairs["p_fdr"] < alpha).sum()), "n_pairs": len(pairs),
                            "n_never": int(((pairs["p_min"] > alpha) | pairs["ses"].isna()).sum()),
                            "dash": plots.captions.NO_EFFECT[lang] if pairs["ses"].isna().any()
                            else ""},
        "fig7_instruments": {"total": int(cats.sum()), "categories": cat_text},
        "fig8_rank_intervals": {"n_boot": f"{results.n_samples:,}"},
        "fig9_external_profile": {},
        "fig10_coder_reliability": _calibration_facts(t),
    }
    return {stem: plots.caption(stem, lang, **facts[stem]) for stem in FIGURES}


def _calibration_facts(tables: dict) -> dict:
    """Figure 10's numbers: the DEV items it rests on, and the cut-off of best precision."""
    rel, cuts = tables["coder_calibration"], tables["coder_calibration_cutoffs"]
    top = cuts.loc[cuts["precision"].idxmax()]
    return {"n_rows": int(rel["n"].sum()), "n_items": int(cuts["items"].iloc[0]),
            "cut": f"{top['cutoff']:.2f}", "precision": f"{top['precision']:.2f}",
            "recall": f"{top['recall']:.2f}"}


def _cluster_claim(tables: dict, lang: str) -> str:
    """Figure 5's claim sentence: how many leave-one-out variants keep the clusters."""
    rob = tables.get("robustness")
    if rob is None or "quantity" not in rob:
        return ""
    loo = rob[(rob["group"] == "leave_out") & (rob["quantity"] == "clusters")]
    if loo.empty:
        return ""
    return plots.captions.CLUSTER_CLAIM[lang].format(same=int(loo["same"].sum()), n=len(loo))


def caption_path(out: Path, stem: str, lang: str) -> Path:
    """``out/captions/figN_<lang>.md`` for figure ``stem``."""
    return out / "captions" / f"{stem.split('_')[0]}_{lang}.md"


#: Results shared with forked rendering workers (set just before the fork, read-only there).
_SHARED: Results | None = None


def _render_job(job) -> list:
    """Draw and encode some figures of one language: ``[(stem, lang, fmt, bytes), ...]``."""
    lang, stems, formats = job
    import matplotlib

    matplotlib.use("Agg", force=False)
    figures = draw_figures(_SHARED, lang, stems)
    return [(stem, lang, fmt, _figure_bytes(fig, fmt, lang))
            for stem, fig in figures.items() for fmt in formats]


_SIGNALS = ("SIGINT", "SIGTERM")


def _default_workers() -> int:
    """Two workers when a second core is free, else one.

    Forking costs about 0.7 s of CPU; it pays when the second core is idle and, measured
    on a shared 2-core machine at load 6, it made the build slower (benchmarks/README.md).
    The output is the same either way.
    """
    cores = os.cpu_count() or 1
    try:
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        load = 0.0
    return 2 if cores >= 2 and load < cores - 1 else 1


def _worker_init() -> None:
    import signal

    # Ctrl-C and SIGTERM are the parent's to handle; a worker ends when the pool ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [getattr(signal, s) for s in _SIGNALS])


def _fork_pool(workers: int):
    """A pool of forked workers, created with Ctrl-C and SIGTERM blocked.

    Blocking them while forking keeps a signal from landing in the fork handlers (where
    Python ignores it) or in the pool's helper threads (which inherit the mask); once
    unblocked, only this process's main thread takes them, so an interrupted build
    stops as the command line expects.
    """
    import multiprocessing as mp
    import signal

    signals = [getattr(signal, s) for s in _SIGNALS]
    old = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        return mp.get_context("fork").Pool(workers, initializer=_worker_init)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _in_workers(func, jobs, workers: int, on_done=None) -> list:
    """``[func(job) for job in jobs]`` in ``workers`` forked processes, in order.

    ``on_done(result)`` is called as each result arrives (for a progress bar).
    """
    pool = _fork_pool(workers)
    try:
        result = []
        for item in pool.imap(func, jobs, chunksize=1):
            result.append(item)
            if on_done is not None:
                on_done(item)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return result


def _side_tables(job):
    """Tables computed in a second process while the first computes the rest."""
    name, practices, n_samples, seed, codebook, gazetteer = job
    if name == "robustness":
        return robustness_table(practices, n_samples=min(n_samples, N_VARIANT_SAMPLES), seed=seed,
                                codebook=codebook, gazetteer=gazetteer)
    if name == "coder_evaluation":  # the coder on the article and the shipped evaluation corpus
        from .evaluation import evaluation_table, shipped_corpora

        corpora = shipped_corpora()
        return (evaluation_table(corpora).set_index(["set", "theme"])
                if corpora else None)
    from .intercoder import field_agreement, load_codings

    codings = load_codings()
    return field_agreement(*codings) if codings is not None else None


def _render(results: Results, langs, formats, workers: int, on_done=None) -> list:
    """Every figure file's bytes, rendered by up to ``workers`` forked processes.

    Agg rendering and PNG encoding are single-threaded, so two processes use two cores.
    The output does not depend on the number of workers (each figure is drawn from the
    same results in a fresh state); without ``fork`` (Windows, macOS spawn) it runs in
    this process.
    """
    global _SHARED
    import multiprocessing as mp

    jobs = [(lang, FIGURES[i::workers], formats) for lang in langs for i in range(workers)]
    _SHARED = results
    try:
        def done(part):
            if on_done is not None:
                on_done(len(part))
        if workers > 1 and "fork" in mp.get_all_start_methods():
            parts = _in_workers(_render_job, jobs, workers, done)
        else:
            parts = []
            for job in jobs:
                parts.append(_render_job(job))
                done(parts[-1])
    finally:
        _SHARED = None
    order = {(s, lang): k for k, (s, lang) in enumerate((s, lang) for lang in langs for s in FIGURES)}
    return sorted((item for part in parts for item in part),
                  key=lambda x: (order[(x[0], x[1])], formats.index(x[2])))


def _prepare(out: Path) -> list[Path]:
    """Check the output folder and create it (and ``tables/``); return the folders created."""
    try:
        refuse_protected(out, "output folder")
    except DataError as err:
        raise BuildError(str(err)) from None
    if link_problem(out):
        raise BuildError(link_problem(out))
    if os.path.lexists(out) and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a folder – choose an output folder with --out")
    if out.is_dir():
        try:  # tables/ must not lead out of the folder named
            safe_subfolder(out, "tables", create=False)
        except DataError as err:
            raise BuildError(str(err)) from None
    if not out.parent.is_dir():
        raise BuildError(f"cannot create output folder {out}: {out.parent} is not an existing "
                         "folder – create it first or choose another --out")
    created = []
    for folder in (out, out / "tables", out / "captions"):
        if folder.is_dir():
            continue
        try:
            folder.mkdir()
        except OSError as err:
            _remove_empty(created)
            raise BuildError(f"cannot create output folder {folder}: {err.strerror}; "
                             "choose another with --out") from None
        created.append(folder)
    if not all(os.access(f, os.W_OK) for f in (out, out / "tables", out / "captions")):
        _remove_empty(created)
        raise BuildError(f"output folder {out} is not writable; choose another with --out "
                         "or fix its permissions")
    return created


def _remove_empty(folders) -> None:
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass


def _progress_bar(total: int, desc: str, progress: bool | None):
    """A tqdm bar on stderr: shown if ``progress`` is True, on a terminal if None, never if False."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="file", leave=False,
                disable=None if progress is None else not progress)


def _step_reporter(progress: bool | None):
    """Where step lines go: stderr (beside the bar, apart from the summary on stdout)."""
    if progress is False:
        return lambda *_: None

    def step(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    return step


def build(out: str | Path | None = None, langs=("en", "zh"), formats=("png",),
          n_samples: int = N_RANDOMISATIONS, echo=print,
          data: str | Path | None = None, progress: bool | None = False,
          workers: int | None = None) -> list[Path]:
    """Validate the data, compute every table and draw every figure.

    Parameters
    ----------
    out : path-like, optional
        Folder for the figures; tables go to ``out/tables``. Default:
        :func:`default_output_dir`.
    langs : sequence of {"en", "zh"}
    formats : sequence of {"png", "svg", "pdf"}
    n_samples : int, default 9999
        Randomisations for the significance tests.
    echo : callable
        Receives a summary line as each step ends; ``None`` for silence.
    data : path-like, optional
        A workspace (see :func:`npstudy.workspace.make_workspace`) whose
        ``practices.csv`` replaces the shipped one; it is validated first.
    progress : bool or None, default False
        Report each step on stderr as it starts, with a progress bar (tqdm) while the
        figures are drawn and rendered, the longest step. ``None`` reports the steps
        and shows the bar only when stderr is a terminal; ``False`` reports nothing.
    workers : int, optional
        Processes that compute the slow tables and render figures; default: two
        when a second core is free (load average below cores − 1), else one.
        Files are byte-identical whatever the number.

    Returns
    -------
    list of pathlib.Path
        Every file written. Figures are named ``<stem>_<lang>.<format>``. The
        files are replaced together at the end: if the build fails, none is.

    Raises
    ------
    BuildError
        If the data do not validate or the output folder cannot be written.
    """
    echo = echo or (lambda *_: None)
    workers = workers if workers is not None else _default_workers()
    step = _step_reporter(progress)
    for lang in langs:
        check_lang(lang)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise BuildError(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    start = time.perf_counter()
    step("validating the dataset …")
    problems = validate(data)
    if problems:
        where = f" {data}" if data is not None else ""
        raise BuildError(f"the dataset{where} does not validate ({len(problems)} problem(s), "
                         f"first: {problems[0]}); run `npstudy validate{where}`")
    try:
        load_indicators()   # the external indicators are checked before anything is computed
    except DataError as err:
        raise BuildError(f"the external indicators do not validate: {err}") from None
    out = Path(out) if out is not None else default_output_dir()
    study = Study.load(data) if data is not None else None
    created = _prepare(out)
    try:
        return _write_outputs(out, study, langs, formats, n_samples, echo, step, progress,
                              start, workers)
    except BaseException:
        _remove_empty(created)
        raise


def why_not_analysable(practices: pd.DataFrame | None, err: Exception) -> str:
    """Say, in the data's terms, why validated practices cannot be analysed.

    The analysis compares provinces by the themes of their provincial practice: the
    similarity, the clusters and their leave-one-out checks need several provinces with
    provincial rows, and themes that tell them apart.
    """
    p = load_practices() if practices is None else practices
    if not len(p):
        return "practices.csv holds no coded rows – code some practice and build again"
    provincial = p[p["scope"].astype(str) != "national"] if "scope" in p else p
    provinces = sorted(set(provincial["province"]))
    themes = sorted(set(p["theme"]))
    if not len(provincial):
        return (f"all {len(p)} rows describe national programmes (scope = national), and the "
                "robustness table recomputes the comparison of provinces on provincial rows "
                "alone, which leaves none – code provincial practice (scope = provincial) and "
                "build again")
    if len(provinces) < 3:
        national = (f" (the {len(p) - len(provincial)} national rows do not count)"
                    if len(provincial) < len(p) else "")
        return (f"provincial practice of {len(provinces)} province(s) only "
                f"({', '.join(provinces)}){national}; comparing provinces, with the leave-one-out "
                "checks, needs at least 3 – add coded rows for more provinces and build again")
    if len(themes) < 2:
        return (f"every row has the theme {themes[0]!r}, so the provinces cannot be told apart "
                "by their themes – code practice of other themes and build again")
    return f"{err} – check the coded rows (`npstudy validate`) and build again"


def table_bytes(results: Results) -> dict[str, bytes]:
    """Every table as the bytes of the CSV file the build writes, by file name.

    Floats are written with six decimals and ``\\n`` line ends, so that the files
    are byte-identical from one build to the next.
    """
    out = {}
    for name, table in results.tables.items():
        # a table indexed 0, 1, 2 … (a list of pairs) is written without that index, so that its
        # first column has a name
        plain = isinstance(table.index, pd.RangeIndex) and table.index.name is None
        out[f"{name}.csv"] = table.to_csv(float_format="%.6f", lineterminator="\n",
                                          index=not plain).encode("utf-8")
    return out


def _write_outputs(out, study, langs, formats, n_samples, echo, step, progress,
                   start, workers) -> list[Path]:
    step(f"computing tables ({n_samples:,} randomisations for the significance tests) …")
    ref = {} if study is None else dict(practices=study.practices, codebook=study.codebook,
                                        gazetteer=study.gazetteer)
    try:
        results = compute_tables(n_samples=n_samples, workers=workers, **ref)
    except ValueError as err:  # data that validate but cannot be analysed, e.g. one province
        practices = None if study is None else study.practices
        raise BuildError(f"cannot compute the tables: {why_not_analysable(practices, err)}") \
            from None
    files = {out / "tables" / name: payload for name, payload in table_bytes(results).items()}
    echo(f"tables:  {len(results.tables)} CSV files in {out / 'tables'}")
    for lang in langs:
        step(f"drawing figures ({lang}: {', '.join(formats)}) …")
        with _progress_bar(len(FIGURES) * len(formats), f"figures ({lang})", progress) as bar:
            rendered = _render(results, (lang,), tuple(formats), max(1, min(workers, len(FIGURES))),
                               on_done=bar.update)
        for stem, _, fmt, payload in rendered:
            files[out / f"{stem}_{lang}.{fmt}"] = payload
        for stem, text in figure_captions(results, lang).items():
            files[caption_path(out, stem, lang)] = text.encode("utf-8")
        echo(f"figures: {len(FIGURES) * len(formats)} files ({lang}: {', '.join(formats)}) in {out}, "
             f"captions in {out / 'captions'}")
    try:
        write_files_atomic(files)
    except DataError as err:
        raise BuildError(str(err)) from None
    except OSError as err:
        raise BuildError(f"cannot write into {out}: {err.strerror} – free some space or choose "
                         "another --out; no file was changed") from None
    echo(f"done in {time.perf_counter() - start:.1f} s: {len(files)} files written")
    return list(files)
