"""requirements-lock.txt pins every dependency the test and notebooks extras declare."""

import sys
from pathlib import Path

from packaging.requirements import Requirement

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import check_lock  # noqa: E402


def test_lock_pins_every_declared_dependency_within_its_range():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = check_lock.read_lock(ROOT / "requirements-lock.txt")
    declared = project["dependencies"] + [r for extra in ("test", "notebooks")
                                          for r in project["optional-dependencies"][extra]]
    for text in declared:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"python_version": "3.11"}):
            continue  # the lock is resolved for Python 3.11
        name = check_lock.normalise(req.name)
        assert name in pins, f"{name} is not in requirements-lock.txt: re-run pip-compile"
        assert req.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_read_lock_and_report(tmp_path, capsys):
    lock = tmp_path / "lock.txt"
    lock.write_text("# header\nPyYAML==6.0.1\n    # via npstudy\nnot_installed_pkg==1.0 ; python_version < '4'\n"
                    "pytest==0.0.1\n", encoding="utf-8")
    assert check_lock.read_lock(lock) == {"pyyaml": "6.0.1", "not-installed-pkg": "1.0",
                                          "pytest": "0.0.1"}
    assert check_lock.main([str(lock)]) == 0
    assert check_lock.main(["--strict", str(lock)]) == 1  # pytest 0.0.1 is not what runs this
    out = capsys.readouterr().out
    assert "not-installed-pkg" in out and "(not installed)" in out and "(differs)" in out
