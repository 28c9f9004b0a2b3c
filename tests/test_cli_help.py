"""Every command explains itself: help with an example, the next step, the reviewer recorded."""

from __future__ import annotations


import pytest
from conftest import read_csv, tree_hashes

from npstudy.cli import EXAMPLES, PROJECT_SEED, build_parser, main


def _commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_with_an_example(name, capsys):
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert "example:" in out and f"npstudy {name}" in out.split("example:")[1]


def test_every_command_has_an_example():
    assert sorted(EXAMPLES) == _commands()


def test_train_defaults_to_the_project_seed():
    from npstudy.build import SEED

    args = build_parser().parse_args(["train", "ws"])
    assert args.seed == PROJECT_SEED == SEED


def test_merge_records_the_reviewer(loop, cli):
    before = {r["id"] for r in read_csv(loop / "ws" / "practices.csv")}
    run = cli("merge", loop / "rev.csv", "--into", loop / "ws", "--coder", "Li Wei")
    assert run.code == 0, run.err
    assert "next: npstudy validate" in run.out
    rows = [r for r in read_csv(loop / "ws" / "practices.csv") if r["id"] not in before]
    assert len(rows) == 3 and {r["coder"] for r in rows} == {"Li Wei"}


def test_merge_without_a_reviewer_says_how_to_record_one(loop, cli):
    run = cli("merge", loop / "rev.csv", "--into", loop / "ws")
    assert run.code == 0, run.err
    assert "pass --coder NAME" in run.out


@pytest.mark.parametrize("name", ["", "a\nb", "x" * 65, "tab\x07"])
def test_a_bad_reviewer_name_is_refused_and_changes_nothing(loop, cli, name):
    before = tree_hashes(loop / "ws")
    run = cli("merge", loop / "rev.csv", "--into", loop / "ws", "--coder", name)
    assert run.code == 1 and run.err.count("npstudy: error:") == 1 and "--coder" in run.err
    assert tree_hashes(loop / "ws") == before


def test_code_names_the_next_step(loop, cli):
    run = cli("code", loop / "doc.txt", "--doc-id", "d1", "--out", loop / "s.csv")
    assert run.code == 0, run.err
    assert "next: review" in run.err and "npstudy merge" in run.err
