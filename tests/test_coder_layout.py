"""The coder package stays readable: no module over 500 lines, no function over 80."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "npstudy" / "coder"
MODULES = sorted(PACKAGE.glob("*.py"))


def long_functions(source: str, limit: int) -> list[tuple[str, int]]:
    """(name, lines) of every function or method, nested ones included, over ``limit`` lines
    (from its ``def`` or first decorator to its last line)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            first = min([node.lineno] + [d.lineno for d in node.decorator_list])
            length = node.end_lineno - first + 1
            if length > limit:
                out.append((node.name, length))
    return out


def test_the_checker_counts_lines_as_written():
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    source = f"def short():\n    return 1\n\n\ndef long():\n{body}\n"
    assert long_functions(source, 80) == [("long", 81)]
    assert long_functions(source, 81) == []
    nested = "class A:\n    def m(self):\n" + "\n".join(f"        y{i} = {i}" for i in range(5))
    assert long_functions(nested, 5) == [("m", 6)]


def test_the_package_has_the_modules_the_issue_names():
    names = {p.stem for p in MODULES}
    assert {"matcher", "actors", "statement", "counts", "core"} <= names
    assert not (PACKAGE.parent / "coding.py").exists()
    assert not (PACKAGE.parent / "coder.py").exists()


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_no_module_over_500_lines_and_no_function_over_80(path):
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= 500
    assert long_functions(source, 80) == []
