"""The whole loop from the shell: exactly the script the how-to guide shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from npstudy import load_practices, validate
from npstudy.build import FIGURES

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "loop_demo.sh"


def commands(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("npstudy ")]


@pytest.mark.slow
def test_the_loop_runs_end_to_end_from_the_shell(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    work = tmp_path / "work"
    proc = subprocess.run(["sh", str(SCRIPT), str(work)], capture_output=True, text=True, env=env,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    ws = work / "my-dataset"
    assert validate(ws) == []
    practices = load_practices(ws / "practices.csv")
    new = practices[practices["doc_id"] == "report-2024"]
    # four suggestions (SD and GD carbon metrology, ZJ fund, ZJ proof of concept); one rejected
    assert len(practices) == 51 + 3
    assert sorted(new["province"]) == ["CN-GD", "CN-SD", "CN-ZJ"]
    assert "merged 3 new row(s)" in proc.stdout
    assert "OK: my-dataset passed every check" in proc.stdout
    # agreement of reviewer A with reviewer B: 3 units x 3 themes, 1 differs (A rejected it)
    assert re.search(r"^all\s+9\s+3\s+0\s+1\s+5\s+0\.889", proc.stdout, re.M), proc.stdout
    figures = sorted(p.name for p in (work / "my-figures").glob("*.png"))
    assert len(figures) == len(FIGURES) and (work / "my-figures" / "tables" / "province_scores.csv").is_file()
    scores = (work / "my-figures" / "tables" / "province_scores.csv").read_text(encoding="utf-8")
    assert scores != (ROOT / "figures" / "tables" / "province_scores.csv").read_text(
        encoding="utf-8")  # the workspace's rows, not the shipped ones
    assert sorted(p.name for p in work.iterdir()) == [
        "my-dataset", "my-figures", "report.txt", "reviewed.csv", "reviewed_b.csv", "suggestions.csv",
        "suggestions_aggregates.csv", "suggestions_unmatched.csv"]


def test_the_guide_shows_the_same_commands():
    readme = (ROOT / "docs" / "howto" / "extend.md").read_text(encoding="utf-8")
    script = commands(SCRIPT.read_text(encoding="utf-8"))
    assert len(script) == 7
    shown = commands(readme)
    for command in script:
        assert command in shown, command
