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

from . import plots
from .dataset import data_dir, load_codebook, load_practices
from .gazetteer import load_gazetteer
from .scoring import (coverage_matrix, instrument_matrix, pillar_shares, province_scores,
                      region_summary)
from .similarity import (cluster_provinces, linkage_matrix, null_model_test, region_test,
                         similarity_matrix, similarity_pairs)
from .fileio import DataError, refuse_protected, write_atomic, write_files_atomic
from .validation import validate

__all__ = ["BuildError", "Results", "compute_tables", "draw_figures", "build", "default_output_dir", "FIGURES",
           "N_RANDOMISATIONS", "SEED", "write_atomic"]

#: Randomisations for the null model and the region permutation test.
N_RANDOMISATIONS = 9999
#: Seed of every random draw in the build.
SEED = 20240305
#: Figure file stems, in the order the README lists them.
FIGURES = ("fig1_framework", "fig2_coverage_heatmap", "fig3_tile_map", "fig4_pillar_profiles",
           "fig5_similarity", "fig6_null_model", "fig7_instruments")
FORMATS = ("png", "svg", "pdf")


class BuildError(RuntimeError):
    """The build cannot run or cannot write its output; the message says why."""


@dataclass
class Results:
    """Everything the figures and notebooks use, computed once."""

    tables: dict[str, pd.DataFrame]
    practices: pd.DataFrame
    n_samples: int
    linkage: object
    linkage_labels: list
    order: list


def compute_tables(practices: pd.DataFrame | None = None, n_samples: int = N_RANDOMISATIONS,
                   seed: int = SEED) -> Results:
    """Compute every table of the analysis.

    Parameters
    ----------
    practices : pandas.DataFrame, optional
        The shipped practices by default.
    n_samples : int, default 9999
        Curveball randomisations and region permutations.
    seed : int
        Seed for both randomisations.

    Returns
    -------
    Results
        ``tables`` maps a table name to a DataFrame: ``province_scores``,
        ``coverage_pillar``, ``coverage_theme``, ``region_summary``,
        ``similarity_theme_jaccard``, ``similarity_pairs`` (with null-model
        columns), ``clusters``, ``region_test`` and ``instruments``.
    """
    p = load_practices() if practices is None else practices
    theme_counts = coverage_matrix(p, "theme")
    presence = coverage_matrix(p, "theme", "presence")
    sim = similarity_matrix(presence, "jaccard")
    Z, labels = linkage_matrix(sim)
    clusters = cluster_provinces(sim, n_clusters=3)
    null = null_model_test(presence, "jaccard", n_samples=n_samples, seed=seed)
    pairs = similarity_pairs(presence, "jaccard").merge(
        null.drop(columns="observed"), on=["a", "b"], how="left")
    mainland = coverage_matrix(p, "theme", "presence", provinces="mainland")
    tables = {
        "province_scores": province_scores(p),
        "coverage_pillar": coverage_matrix(p, "pillar"),
        "coverage_theme": theme_counts,
        "pillar_shares": pillar_shares(p),
        "region_summary": region_summary(p),
        "similarity_theme_jaccard": sim,
        "similarity_pairs": pairs,
        "clusters": clusters,
        "region_test": region_test(similarity_matrix(mainland), n_perm=n_samples, seed=seed),
        "instruments": instrument_matrix(p),
    }
    return Results(tables, p, n_samples, Z, labels, clusters.index.tolist())


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

    with matplotlib.rc_context(plots.figure_style(lang)):
        fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def draw_figures(results: Results, lang: str) -> dict:
    """Draw every figure in one language from computed results; returns ``{stem: Figure}``."""
    p = results.practices
    cb, g = load_codebook(), load_gazetteer()
    t = results.tables
    scores = t["province_scores"]
    return {
        "fig1_framework": plots.plot_framework(p, cb, g, lang),
        "fig2_coverage_heatmap": plots.plot_coverage_heatmap(t["coverage_theme"], cb, g,
                                                             results.order, lang),
        "fig3_tile_map": plots.plot_tile_map(scores["themes"], scores["composite_entropy"], g, lang),
        "fig4_pillar_profiles": plots.plot_pillar_profiles(t["pillar_shares"], cb, g,
                                                           scores["composite_entropy"], lang),
        "fig5_similarity": plots.plot_similarity(t["similarity_theme_jaccard"], results.linkage,
                                                 results.linkage_labels, g, lang),
        "fig6_null_model": plots.plot_null_model(t["similarity_pairs"].dropna(subset=["ses"]),
                                                 results.order, g, results.n_samples, lang=lang),
        "fig7_instruments": plots.plot_instruments(t["instruments"], cb, lang),
    }


def _prepare(out: Path) -> list[Path]:
    """Check the output folder and create it (and ``tables/``); return the folders created."""
    try:
        refuse_protected(out, "output folder")
    except DataError as err:
        raise BuildError(str(err)) from None
    if os.path.lexists(out) and not out.is_dir():
        raise BuildError(f"{out}: exists and is not a folder – choose an output folder with --out")
    if not out.parent.is_dir():
        raise BuildError(f"cannot create output folder {out}: {out.parent} is not an existing "
                         "folder – create it first or choose another --out")
    created = []
    for folder in (out, out / "tables"):
        if folder.is_dir():
            continue
        try:
            folder.mkdir()
        except OSError as err:
            _remove_empty(created)
            raise BuildError(f"cannot create output folder {folder}: {err.strerror}; "
                             "choose another with --out") from None
        created.append(folder)
    if not os.access(out, os.W_OK) or not os.access(out / "tables", os.W_OK):
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
          data: str | Path | None = None, progress: bool | None = False) -> list[Path]:
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
    step = _step_reporter(progress)
    for lang in langs:
        plots._check_lang(lang)
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
    out = Path(out) if out is not None else default_output_dir()
    practices = load_practices(Path(data) / "practices.csv") if data is not None else None
    created = _prepare(out)
    try:
        return _write_outputs(out, practices, langs, formats, n_samples, echo, step, progress,
                              start)
    except BaseException:
        _remove_empty(created)
        raise


def _write_outputs(out, practices, langs, formats, n_samples, echo, step, progress,
                   start) -> list[Path]:
    step(f"computing tables ({n_samples:,} randomisations for the significance tests) …")
    try:
        results = compute_tables(practices, n_samples=n_samples)
    except ValueError as err:  # data that validate but cannot be analysed, e.g. one province
        raise BuildError(f"cannot compute the tables: {err} – add coded rows for more provinces "
                         "and build again") from None
    files = {}
    for name, table in results.tables.items():
        path = out / "tables" / f"{name}.csv"
        files[path] = table.to_csv(float_format="%.6f", lineterminator="\n").encode("utf-8")
    echo(f"tables:  {len(results.tables)} CSV files in {out / 'tables'}")
    for lang in langs:
        step(f"drawing figures ({lang}: {', '.join(formats)}) …")
        with _progress_bar(1 + len(FIGURES) * len(formats), f"figures ({lang})", progress) as bar:
            figures = draw_figures(results, lang)
            bar.update(1)
            for stem, fig in figures.items():
                for fmt in formats:
                    files[out / f"{stem}_{lang}.{fmt}"] = _figure_bytes(fig, fmt, lang)
                    bar.update(1)
        echo(f"figures: {len(figures) * len(formats)} files ({lang}: {', '.join(formats)}) in {out}")
    try:
        write_files_atomic(files)
    except DataError as err:
        raise BuildError(str(err)) from None
    except OSError as err:
        raise BuildError(f"cannot write into {out}: {err.strerror} – free some space or choose "
                         "another --out; no file was changed") from None
    echo(f"done in {time.perf_counter() - start:.1f} s: {len(files)} files written")
    return list(files)
