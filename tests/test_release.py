"""Release files: one version, an SPDX licence, a changelog, and the README links them."""

import re
import sys
from importlib import metadata
from pathlib import Path

import npstudy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_version_is_written_in_pyproject_only():
    assert npstudy.__version__ == metadata.version("npstudy") == PROJECT["version"]
    literal = re.compile(r"""__version__\s*=\s*["']\d+\.\d+""")  # a release number
    assert not [p.name for p in (ROOT / "npstudy").glob("*.py") if literal.search(p.read_text("utf-8"))]


def test_licence_is_an_spdx_expression():
    from packaging import licenses

    expression = PROJECT["license"]
    assert isinstance(expression, str)
    assert licenses.canonicalize_license_expression(expression) == expression
    assert set(re.findall(r"[A-Za-z0-9.-]+", expression)) - {"AND"} == {"MIT", "CC-BY-4.0", "OFL-1.1"}
    for pattern in PROJECT["license-files"]:
        assert list(ROOT.glob(pattern)), pattern


def test_changelog_has_the_current_version():
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{PROJECT['version']}]" in changelog


def test_readme_links_the_release_files():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("CHANGELOG.md", "requirements-lock.txt", "binder/", "docs/r-users.md",
                   "notebooks/README.md", ".ci/run", "CITATION.cff"):
        assert f"]({target})" in readme, target
        assert (ROOT / target).exists(), target
    assert "DESIGN.md" not in readme
    assert "mybinder.org/v2/gh/" in readme


def test_binder_installs_the_lock_then_the_package():
    assert (ROOT / "binder" / "requirements.txt").read_text().split() == ["-r", "../requirements-lock.txt"]
    post = (ROOT / "binder" / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post
    assert (ROOT / "binder" / "postBuild").stat().st_mode & 0o111
