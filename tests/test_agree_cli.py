"""`npstudy agree` honours review decisions, says which documents it compared, and prints a readable table."""

from __future__ import annotations


from conftest import read_csv, write_csv


def test_a_rejected_suggestion_is_a_disagreement(loop, cli):
    # rev.csv is sug.csv with three rows accepted and one (ZJ, tech_transfer) rejected: comparing
    # the suggestions with the review must count that one rejection, not report kappa = 1
    run = cli("agree", loop / "sug.csv", loop / "rev.csv", "--data", loop / "ws", "--show")
    assert run.code == 0, run.err
    assert "1 disagreement(s)" in run.out
    line = [x for x in run.out.splitlines() if "CN-ZJ" in x and "innovation.tech_transfer" in x]
    assert len(line) == 1 and " yes " in line[0] and " no " in line[0]
    # the readable table has a header and no pandas index column
    assert any(x.startswith("document  ") for x in run.out.splitlines())


def test_all_accepted_is_full_agreement(loop, cli):
    rows = read_csv(loop / "rev.csv")
    for r in rows:
        r["decision"] = "accept"
    write_csv(loop / "all.csv", rows)
    run = cli("agree", loop / "sug.csv", loop / "all.csv", "--data", loop / "ws")
    assert run.code == 0, run.err
    assert "0 disagreement(s)" in run.out


def test_an_undecided_row_is_a_clear_error(loop, cli):
    rows = read_csv(loop / "rev.csv")
    rows[1]["decision"] = "maybe"
    write_csv(loop / "half.csv", rows)
    run = cli("agree", loop / "sug.csv", loop / "half.csv", "--data", loop / "ws")
    assert run.code == 1
    assert run.err.count("npstudy: error:") == 1 and "half.csv:3: decision: 'maybe'" in run.err


def test_documents_compared_and_left_out_are_named(loop, cli):
    from npstudy import load_practices

    rows = read_csv(loop / "sug.csv")
    p001 = load_practices().iloc[0].astype(str).to_dict()  # a row of the article, verbatim
    extra = dict(rows[0], **{k: v for k, v in p001.items() if k in rows[0] and k != "id"})
    write_csv(loop / "more.csv", rows + [extra])
    run = cli("agree", loop / "more.csv", loop / "sug.csv", "--data", loop / "ws")
    assert run.code == 0, run.err
    assert "documents compared: 1 (d1)" in run.out
    assert "left out: 1 document(s) coded only in" in run.out and "000_08799d6d3f16f583" in run.out


def test_a_repeated_row_is_counted_once_and_reported(loop, cli):
    # agreement is over decisions (unit x theme), so a copy of a row changes nothing but is named
    rows = read_csv(loop / "sug.csv")
    write_csv(loop / "twice.csv", rows + [rows[0], rows[0]])
    base = cli("agree", loop / "sug.csv", loop / "rev.csv", "--data", loop / "ws")
    run = cli("agree", loop / "twice.csv", loop / "rev.csv", "--data", loop / "ws")
    assert run.code == 0, run.err
    assert "twice.csv repeats 2 row(s)" in run.out
    assert "repeats" not in base.out
    table = [x for x in run.out.splitlines() if x.startswith("all ")]
    assert table and table == [x for x in base.out.splitlines() if x.startswith("all ")]
