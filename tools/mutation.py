"""Mutation testing of one module: change one operator or number at a time, run its tests.

A mutant is the module with one small change (``+`` for ``-``, ``<`` for ``<=``, ``and``
for ``or``, ``n`` for ``n + 1``, ``True`` for ``False``, ``np.minimum`` for ``np.maximum``,
a ``not`` or unary minus removed). It is *killed* when at least one test fails (or the
tests run past the time limit), and *survives* when they all pass. A survivor is either
*equivalent* (no input can tell it from the original; listed with the reason in
``tools/mutation_equivalent.toml``) or a gap in the tests.

Each mutant runs in a process forked from one that has already imported numpy, pandas,
scipy, matplotlib and pytest, so a mutant costs the tests' time only. The mutated module
is put into ``sys.modules`` before anything imports it; no file is written.

Usage::

    python tools/mutation.py npstudy/scoring.py tests/test_scoring.py
    python tools/mutation.py npstudy/nullmodels.py tests/test_nullmodels.py \\
        tests/test_similarity.py --report docs/mutation-nullmodels.txt

The module's doctests run too. ``--list`` prints the mutants without running them;
``--only LINE`` runs the mutants of one line (for writing a test that kills them).
"""

from __future__ import annotations

import argparse
import ast
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.toml"

_BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
          ast.FloorDiv: ast.Div, ast.Pow: ast.Mult, ast.Mod: ast.FloorDiv,
          ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd, ast.BitXor: ast.BitOr}
_CMP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
        ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot,
        ast.IsNot: ast.Is}
_BOOL = {ast.And: ast.Or, ast.Or: ast.And}
_NAMES = {"minimum": "maximum", "maximum": "minimum", "min": "max", "max": "min",
          "nanmin": "nanmax", "nanmax": "nanmin", "any": "all", "all": "any"}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
           ast.Pow: "**", ast.Mod: "%", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
           ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is",
           ast.IsNot: "is not", ast.And: "and", ast.Or: "or"}


@dataclass(frozen=True)
class Mutant:
    """One change: where, what, and a key that survives unrelated edits of the file.

    ``lines`` are the source lines whose execution the change can affect: the mutated
    expression's own lines and the first line of the statement that holds it.
    """

    index: int
    line: int
    col: int
    description: str
    key: str
    lines: tuple[int, ...] = ()


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """Docstrings and type annotations (never evaluated under ``from __future__ import
    annotations``): nothing to mutate there."""
    out = set()
    for node in ast.walk(tree):
        notes = []
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns:
            notes.append(node.returns)
        elif isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        for note in notes:
            out.update(id(n) for n in ast.walk(note))
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def _sites(tree: ast.AST):
    """Yield ``(node, field, replacement description, apply)`` for every mutation site."""
    skip = _skipped_nodes(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _BINOP:
            new = _BINOP[type(node.op)]
            yield node, f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}", \
                lambda n, new=new: setattr(n, "op", new())
        elif isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in _CMP:
                    new = _CMP[type(op)]
                    yield node, f"{_SYMBOL[type(op)]} -> {_SYMBOL[new]}", \
                        lambda n, k=k, new=new: n.ops.__setitem__(k, new())
        elif isinstance(node, ast.BoolOp):
            new = _BOOL[type(node.op)]
            yield node, f"{_SYMBOL[type(node.op)]} -> {_SYMBOL[new]}", \
                lambda n, new=new: setattr(n, "op", new())
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub, ast.Invert)):
            name = {ast.Not: "not", ast.USub: "-", ast.Invert: "~"}[type(node.op)]
            yield node, f"drop unary {name}", "unwrap"
        elif isinstance(node, ast.Constant) and id(node) not in skip:
            v = node.value
            if isinstance(v, bool):
                yield node, f"{v} -> {not v}", lambda n: setattr(n, "value", not n.value)
            elif isinstance(v, (int, float)):
                yield node, f"{v!r} -> {v + 1!r}", lambda n: setattr(n, "value", n.value + 1)
        elif isinstance(node, ast.Attribute) and node.attr in _NAMES:
            new = _NAMES[node.attr]
            yield node, f".{node.attr} -> .{new}", lambda n, new=new: setattr(n, "attr", new)
        elif isinstance(node, ast.Name) and node.id in ("min", "max") and isinstance(node.ctx, ast.Load):
            new = _NAMES[node.id]
            yield node, f"{node.id} -> {new}", lambda n, new=new: setattr(n, "id", new)


class _Unwrap(ast.NodeTransformer):
    """Replace the marked unary operation by its operand."""

    def visit_UnaryOp(self, node):
        self.generic_visit(node)
        if getattr(node, "_mut_target", False):
            return node.operand
        return node


def _statement_lines(tree: ast.AST) -> dict[int, int]:
    """``{id(node): first line of the innermost statement holding it}``."""
    out = {}

    def walk(node, stmt_line):
        if isinstance(node, ast.stmt):
            stmt_line = node.lineno
        out[id(node)] = stmt_line
        for child in ast.iter_child_nodes(node):
            walk(child, stmt_line)

    walk(tree, 0)
    return out


def mutants(source: str) -> list[Mutant]:
    """Every mutant of a module's source, in a stable order."""
    tree = ast.parse(source)
    lines = source.splitlines()
    stmt = _statement_lines(tree)
    out = []
    seen: dict[tuple[str, str], int] = {}
    for i, (node, desc, _) in enumerate(_sites(tree)):
        text = lines[node.lineno - 1].strip()
        n = seen.get((text, desc), 0)
        seen[(text, desc)] = n + 1
        span = set(range(node.lineno, (node.end_lineno or node.lineno) + 1)) | {stmt[id(node)]}
        out.append(Mutant(i, node.lineno, node.col_offset, desc, f"{text} | {desc} | {n}",
                          tuple(sorted(span))))
    return sorted(out, key=lambda m: (m.line, m.col, m.index))


def mutate(source: str, index: int) -> ast.Module:
    """The module's tree with mutant ``index`` applied."""
    tree = ast.parse(source)
    for i, (node, _, apply) in enumerate(_sites(tree)):
        if i == index:
            if apply == "unwrap":
                node._mut_target = True
                tree = _Unwrap().visit(tree)
            else:
                apply(node)
            return ast.fix_missing_locations(tree)
    raise IndexError(index)


def _run_child(module: str, path: Path, tree: ast.Module, tests: list[str],
               coverage_out: Path | None = None) -> int:
    """In a forked child: install the mutated module, run pytest, return its exit code.

    With ``coverage_out``, record which test executes which line of the module and write
    ``{line: [test ids]}`` there as JSON (the id "" stands for import time).
    """
    import importlib
    import importlib.util
    import types

    import pytest

    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # the plugins cost more than the tests
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    package = importlib.import_module(module.rsplit(".", 1)[0])
    mod = types.ModuleType(module)
    mod.__file__ = str(path)
    mod.__package__ = module.rsplit(".", 1)[0]
    mod.__spec__ = importlib.util.spec_from_file_location(module, path)
    sys.modules[module] = mod
    setattr(package, module.rsplit(".", 1)[1], mod)
    args = ["-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=", "--doctest-modules", *tests]
    if coverage_out is None:
        exec(compile(tree, str(path), "exec"), mod.__dict__)
        return pytest.main(args)
    import json

    import coverage

    cov = coverage.Coverage(data_file=None, include=[str(path)])

    durations: dict[str, float] = {}

    class Contexts:
        def pytest_runtest_setup(self, item):
            cov.switch_context(item.nodeid)

        def pytest_runtest_logreport(self, report):
            durations[report.nodeid] = durations.get(report.nodeid, 0.0) + report.duration

    cov.start()
    exec(compile(tree, str(path), "exec"), mod.__dict__)
    code = pytest.main(args[:1] + args[2:], plugins=[Contexts()])  # all tests, not -x
    cov.stop()
    data = cov.get_data()
    by_line = data.contexts_by_lineno(str(path))
    coverage_out.write_text(json.dumps({"lines": {str(k): sorted(v) for k, v in by_line.items()},
                                        "durations": durations}))
    return code


def _module_imports(path: Path, package: str) -> set[str]:
    """Modules of ``package`` that ``path`` imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(f"{package}.{node.module.split('.')[0]}")
            else:
                out.update(f"{package}.{a.name}" for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package + "."):
            out.add(".".join(node.module.split(".")[:2]))
    return out


def _preload(module: str) -> None:
    """Import every module of the package that does not depend on ``module``, and fill the
    reference-data caches, so that each forked child starts warm."""
    import importlib

    package = module.split(".")[0]
    folder = ROOT / package
    deps = {f"{package}.{p.stem}": _module_imports(p, package) for p in folder.glob("*.py")
            if p.stem not in ("__init__", "__main__")}
    tainted = {module}
    changed = True
    while changed:
        changed = False
        for name, imports in deps.items():
            if name not in tainted and imports & tainted:
                tainted.add(name)
                changed = True
    for name in sorted(set(deps) - tainted):
        importlib.import_module(name)
    if f"{package}.gazetteer" not in tainted and f"{package}.dataset" not in tainted:
        from npstudy import load_codebook, load_gazetteer

        load_codebook()
        load_gazetteer()


def _fork_run(module: str, path: Path, tree: ast.Module, tests: list[str],
              timeout: float, coverage_out: Path | None = None) -> int | None:
    """Exit code of the tests run on ``tree`` in a forked child; None past the time limit."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = int(_run_child(module, path, tree, tests, coverage_out))
        finally:
            os._exit(code)
    start = time.monotonic()
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return None
        time.sleep(0.05)


def run(path: Path, tests: list[str], timeout: float, only: int | None = None,
        echo=print, part: tuple[int, int] | None = None, keys: set[str] | None = None) -> dict:
    """Run every mutant of ``path`` against ``tests``; return the counts and the survivors."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401  (imported once, before forking)
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import pytest  # noqa: F401
    import scipy.stats  # noqa: F401

    source = path.read_text(encoding="utf-8")
    module = ".".join(path.resolve().relative_to(ROOT).with_suffix("").parts)
    _preload(module)
    todo = [m for m in mutants(source) if only is None or m.line == only]
    if part is not None:  # mutants part[0] to part[1] - 1 (1-based), to split a run
        todo = todo[part[0] - 1:part[1] - 1]
    if keys is not None:  # only these (the survivors of an earlier run)
        todo = [m for m in todo if m.key in keys]
    equivalent = _equivalent(path)
    start = time.monotonic()
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        cov_file = Path(tmp) / "coverage.json"
        full = [*tests, str(path)]   # the given tests and the module's doctests
        baseline = _fork_run(module, path, ast.parse(source), full, 10 * timeout, cov_file)
        if baseline != 0:
            raise SystemExit(f"the tests fail on the unchanged module (status {baseline}); fix "
                             "that first")
        recorded = json.loads(cov_file.read_text())
        covered = {int(k): v for k, v in recorded["lines"].items()}
        durations = recorded["durations"]
    echo(f"unchanged module: tests pass in {time.monotonic() - start:.1f} s (with coverage)")
    killed, survived, timeouts, uncovered = [], [], 0, 0
    for k, m in enumerate(todo, 1):
        ids = set().union(*(covered.get(line, []) for line in m.lines))
        if "" in ids:   # runs at import time (a default value, a constant): every test may see it
            selected = full
        else:
            # fastest first: a killed mutant stops at its first failing test (-x)
            selected = sorted(ids, key=lambda t: (durations.get(t, 0.0), t))
        if not selected:
            status = 0   # no test runs this code: it survives without running anything
            uncovered += 1
        else:
            status = _fork_run(module, path, mutate(source, m.index), selected, timeout)
        if status is None:
            timeouts += 1
            killed.append(m)
            verdict = "killed (time limit)"
        elif status == 0:
            survived.append(m)
            verdict = "equivalent" if m.key in equivalent else "SURVIVED"
        else:
            killed.append(m)
            verdict = "killed"
        echo(f"[{k}/{len(todo)}] line {m.line}: {m.description}: {verdict}")
    eq = [m for m in survived if m.key in equivalent]
    gaps = [m for m in survived if m.key not in equivalent]
    return {"module": module, "total": len(todo), "killed": len(killed), "timeouts": timeouts,
            "uncovered": uncovered,
            "equivalent": len(eq), "survived": len(gaps), "gaps": gaps, "equivalents": eq,
            "reasons": equivalent}


def _equivalent(path: Path) -> dict[str, str]:
    """``{mutant key: reason}`` of the mutants of ``path`` judged equivalent."""
    if not EQUIVALENT.exists():
        return {}
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    data = tomllib.loads(EQUIVALENT.read_text(encoding="utf-8"))
    rel = path.resolve().relative_to(ROOT).as_posix()
    return {e["key"]: e["reason"] for e in data.get("mutant", []) if e["module"] == rel}


def report(result: dict) -> str:
    """A plain-text summary: counts, kill rate of the non-equivalent mutants, each survivor."""
    counted = result["total"] - result["equivalent"]
    rate = result["killed"] / counted if counted else 1.0
    lines = [f"{result['module']}: {result['total']} mutants, {result['killed']} killed "
             f"({result['timeouts']} by the time limit), {result['equivalent']} equivalent, "
             f"{result['survived']} survived ({result['uncovered']} on lines no test runs); kill rate of non-equivalent mutants "
             f"{result['killed']}/{counted} = {rate:.1%}"]
    for m in result["gaps"]:
        lines.append(f"  survived  line {m.line}: {m.description}   [{m.key}]")
    for m in result["equivalents"]:
        lines.append(f"  equivalent line {m.line}: {m.description} – {result['reasons'][m.key]}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("module", type=Path, help="e.g. npstudy/scoring.py")
    parser.add_argument("tests", nargs="+", help="test files to run against each mutant")
    parser.add_argument("--timeout", type=float, default=120.0,
                        help="seconds before a mutant counts as killed by the time limit")
    parser.add_argument("--only", type=int, help="run only the mutants of this line")
    parser.add_argument("--part", help="A:B runs mutants A to B - 1 of the list (1-based), "
                        "to split a long run over several processes")
    parser.add_argument("--rerun", nargs="+", type=Path, metavar="REPORT",
                        help="run only the mutants that survived in these --report files")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--report", type=Path, help="also write the summary to this file")
    args = parser.parse_args(argv)
    path = args.module.resolve()
    if args.list:
        for m in mutants(path.read_text(encoding="utf-8")):
            print(f"line {m.line}: {m.description}   [{m.key}]")
        return 0
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    part = tuple(int(v) for v in args.part.split(":")) if args.part else None
    keys = None
    if args.rerun:
        import re

        keys = {m.group(1) for f in args.rerun for line in f.read_text(encoding="utf-8").splitlines()
                if (m := re.match(r"^  survived  line \d+: .*?   \[(.*)\]$", line))}
    result = run(path, args.tests, args.timeout, args.only, part=part, keys=keys)
    text = report(result)
    print(text)
    if args.report:
        args.report.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
