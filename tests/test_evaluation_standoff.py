"""Scoring the coder on a stand-off set: texts checked by hash, labels by offsets, and the
scores worked out by hand. The excerpts are made up for the test."""

import csv
import hashlib

import pytest

from npstudy.dataset import DataError
from npstudy.evaluation import load_standoff, standoff_table

VC, TT = "innovation.venture_capital", "innovation.tech_transfer"
TEXTS = {
    "e1": "2024年江苏省政府工作报告\n全省设立科技创新基金。",    # a title: Jiangsu without --province
    "e2": "浙江建设概念验证中心。华为在贵州设厂。",
    "e3": "全省新建概念验证中心。",                            # Anhui only through its record
    "e4": "江苏设立科技创新基金。",                            # listed, not in the cache
    "e5": "上海设立科技创新基金。",                            # in the cache with other bytes
}
EXCERPTS = [  # excerpt_id, province, has_title, split
    ("e1", "CN-JS", "true", "dev"), ("e2", "", "false", "test"), ("e3", "CN-AH", "false", "test"),
    ("e4", "CN-JS", "false", "test"), ("e5", "CN-SH", "false", "dev")]
LABELS = [("e1", "CN-JS", VC, "科技创新基金"), ("e2", "CN-ZJ", TT, "概念验证中心"),
          ("e2", "CN-GZ", "venture_capital", "设厂"), ("e4", "CN-JS", VC, "科技创新基金")]


def write(rows, path, header):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.fixture
def standoff(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    rows = []
    for eid, province, has_title, split in EXCERPTS:
        text = TEXTS[eid]
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        if eid != "e4":
            (cache / f"{eid}.txt").write_text(text + ("!" if eid == "e5" else ""), encoding="utf-8")
        rows.append((eid, f"https://example.org/{eid}", "outlet", "2024", "provincial_news",
                     province, has_title, "false", split, digest, len(text), "a query"))
    write(rows, tmp_path / "excerpts.csv",
          ["excerpt_id", "url", "outlet", "date", "genre", "province", "has_title", "distractor",
           "split", "sha256", "n_chars", "query"])
    labels = [(e, p, t, TEXTS[e].index(w), TEXTS[e].index(w) + len(w)) for e, p, t, w in LABELS]
    write(labels, tmp_path / "labels.csv", ["excerpt_id", "province", "theme", "start", "end"])
    return tmp_path


def pooled(table, name):
    return table.set_index(["set", "theme"]).loc[(name, "all")]


def test_texts_are_checked_by_hash(standoff):
    s = load_standoff(standoff / "labels.csv", standoff / "cache")
    assert sorted(s["texts"]) == ["e1", "e2", "e3"]
    assert (s["missing"], s["mismatched"], s["excerpts"]) == (["e4"], ["e5"], 5)
    assert s["documents"]["default_province"].tolist() == ["CN-JS", "", "CN-AH"]
    assert len(s["labels"]) == 3     # e4's label has no text to score


def test_scores_with_and_without_the_recorded_province(standoff):
    s = load_standoff(standoff / "labels.csv", standoff / "cache")
    with_province = standoff_table(s, n=50)
    # suggested: e1 JS/VC, e2 ZJ/TT, e3 AH/TT; labelled: e1 JS/VC, e2 ZJ/TT, e2 GZ/VC
    row = pooled(with_province, "realtext")
    assert (row["tp"], row["suggested"], row["labelled"]) == (2, 3, 3)
    assert row["precision"] == pytest.approx(2 / 3) and row["recall"] == pytest.approx(2 / 3)
    assert (row["texts_missing"], row["texts_mismatched"]) == (1, 1)
    # without it, e1 takes Jiangsu from its title and e3 names no province
    without = standoff_table(s, use_province=False, n=50)
    row = pooled(without, "realtext")
    assert (row["tp"], row["suggested"], row["labelled"]) == (2, 2, 3)
    titled = pooled(without, "realtext (has_title)")
    assert (titled["tp"], titled["suggested"], titled["labelled"], titled["documents"]) == (1, 1, 1, 1)


def test_one_split(standoff, cli):
    s = load_standoff(standoff / "labels.csv", standoff / "cache", split="test")
    row = pooled(standoff_table(s, n=50, name="t"), "t")
    assert (row["tp"], row["suggested"], row["labelled"], row["documents"]) == (1, 2, 2, 2)
    assert (row["texts_missing"], row["texts_mismatched"]) == (1, 0)
    run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "cache",
              "--split", "test", "--bootstrap", "50", "--out", standoff / "scores.csv")
    assert run.code == 0
    assert "1 text(s) not found" in run.err and "0 with another SHA-256" in run.err
    rows = list(csv.DictReader(open(standoff / "scores.csv", encoding="utf-8")))
    pooled_row = next(r for r in rows if r["theme"] == "all")
    assert (pooled_row["set"], pooled_row["tp"], pooled_row["precision"]) == ("realtext-test", "1", "0.5")


def test_a_confidence_cut_off_scores_what_a_reviewer_keeps(standoff):
    from screen_reference import probabilities
    s = load_standoff(standoff / "labels.csv", standoff / "cache")
    # the three suggested items and their confidences, worked out from the screen's weights:
    # e1 (CN-JS, VC) is labelled, e2 (CN-ZJ, TT) is labelled, e3 (CN-AH, TT) is not
    conf = sorted(round(probabilities(TEXTS[e], p or None)[key], 2)
                  for e, p, key in (("e1", "CN-JS", ("CN-JS", VC)), ("e2", None, ("CN-ZJ", TT)),
                                    ("e3", "CN-AH", ("CN-AH", TT))))
    row = pooled(standoff_table(s, n=50, min_confidence=conf[0]),
                 f"realtext (confidence ≥ {conf[0]:g})")
    assert (row["tp"], row["suggested"], row["labelled"]) == (2, 3, 3)
    top = conf[-1] + 0.01
    row = pooled(standoff_table(s, n=50, min_confidence=top), f"realtext (confidence ≥ {top:g})")
    assert (row["tp"], row["suggested"], row["labelled"]) == (0, 0, 3)


def test_recorded_measurements_replace_their_own_rows_only(standoff, cli):
    record = standoff / "tables" / "record.csv"
    run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "cache",
              "--record", record)
    assert run.code == 1 and "tables: folder does not exist" in run.err and not record.exists()
    assert "warning" not in run.err          # refused before anything was coded
    record.parent.mkdir()
    for split in ("test", "dev", "test"):
        run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "cache",
                  "--split", split, "--bootstrap", "50", "--record", record)
        assert run.code == 0, run.err
    run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "cache",
              "--split", "test", "--no-province", "--bootstrap", "50", "--record", record)
    rows = list(csv.DictReader(open(record, encoding="utf-8")))
    # one row per (split, set): the second test run replaced the first
    assert [(r["split"], r["set"], r["province"]) for r in rows] == [
        ("dev", "realtext-dev", "recorded"), ("test", "realtext-test", "recorded"),
        ("test", "realtext-test (no --province)", "title or text")]   # no test text has a title
    # test: e2 ZJ/TT right, e3 AH/TT unlabelled; e2 GZ/VC missed (worked out above)
    assert (rows[1]["tp"], rows[1]["suggested"], rows[1]["labelled"]) == ("1", "2", "2")
    assert rows[1]["labels_sha256"] == hashlib.sha256(
        (standoff / "labels.csv").read_bytes()).hexdigest()
    assert rows[1]["texts_missing"] == "1" and len(rows[1]["measured"]) == 10
    # the coder that measured it: the version and the start of its fingerprint
    from npstudy import __version__
    from npstudy.coder.core import default_coder
    from npstudy.coder.corpus import coder_fingerprint
    assert rows[1]["coder"] == f"npstudy {__version__} coder {coder_fingerprint(default_coder())[:12]}"


@pytest.mark.parametrize("edit, message", [
    (lambda rows: rows + [["e9", "CN-JS", VC, "0", "3"]], "excerpt_id 'e9' is not in excerpts.csv"),
    (lambda rows: rows + [["e1", "CN-JS", VC, "5", "500"]], "is not inside excerpt e1"),
    (lambda rows: rows + [["e1", "CN-JS", "nothing", "0", "3"]], "not a theme of the codebook"),
    (lambda rows: rows + [["e1", "Atlantis", VC, "0", "3"]], "not a province name"),
    (lambda rows: rows + [["e1", "CN-JS", VC, "x", "3"]], "must be whole numbers"),
    (lambda rows: [r[:4] for r in rows], "missing column(s) end"),
    (lambda rows: rows + [["e1", "CN-JS"]], ":6: theme, start, end empty – every label row needs"),
    (lambda rows: rows + [["e1", "CN-JS", VC, "1" * 23, "2" * 23]], "is far larger than any excerpt"),
    (lambda rows: rows + [rows[0]], ":6: repeats row 2 (excerpt e1, CN-JS, innovation.venture_capital)"),
])
def test_bad_labels_are_named_by_file_and_row(standoff, edit, message):
    path = standoff / "labels.csv"
    rows = list(csv.reader(open(path, encoding="utf-8")))
    header, body = rows[0], rows[1:]
    new = edit(body)
    write(new, path, header[:len(new[0])])
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_standoff(path, standoff / "cache")


def test_no_text_found_is_an_error(standoff, cli):
    (standoff / "none").mkdir()
    run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "none")
    assert run.code == 1 and "none of the 5 excerpt text(s) was found" in run.err
    assert run.err.count("npstudy: error:") == 1
    assert len(run.err.strip().splitlines()) == 1      # the error alone, no warning before it
    run = cli("evaluate", "--standoff", standoff / "labels.csv")
    assert run.code == 1 and "needs --texts DIR" in run.err


@pytest.mark.parametrize("bad_id, message", [
    ("../e1", "is not a plain id"),              # would read a file outside the cache folder
    ("/etc/passwd", "is not a plain id"),
    ("e1", "is listed twice"),
])
def test_excerpt_ids_name_files_inside_the_cache_only(standoff, bad_id, message):
    path = standoff / "excerpts.csv"
    rows = list(csv.reader(open(path, encoding="utf-8")))
    rows.append([bad_id] + rows[1][1:])
    write(rows[1:], path, rows[0])
    (standoff / "e1.txt").write_text(TEXTS["e1"], encoding="utf-8")   # beside the cache folder
    with pytest.raises(DataError, match=message) as err:
        load_standoff(standoff / "labels.csv", standoff / "cache")
    assert f"excerpts.csv:{len(rows)}" in str(err.value)


def test_has_title_is_true_or_false(standoff):
    path = standoff / "excerpts.csv"
    rows = list(csv.reader(open(path, encoding="utf-8")))
    rows[3][6] = "maybe"
    write(rows[1:], path, rows[0])
    with pytest.raises(DataError, match="excerpts.csv:4: has_title 'maybe' – write true or false"):
        load_standoff(standoff / "labels.csv", standoff / "cache")


def test_an_oversized_cached_file_is_not_read(standoff):
    (standoff / "cache" / "e1.txt").write_bytes(b"x" * ((1 << 20) + 1))
    s = load_standoff(standoff / "labels.csv", standoff / "cache")
    assert "e1" in s["mismatched"] and "e1" not in s["texts"]


@pytest.mark.parametrize("args, message", [
    (["--out", "{d}/labels.csv"], "is also an input"),
    (["--out", "{d}/excerpts.csv"], "is also an input"),
    (["--out", "{d}/cache/e1.txt"], "inside the --texts folder"),
    (["--record", "{d}/cache/e1.txt"], "inside the --texts folder"),
    (["--record", "{d}/cache/scores.csv"], "inside the --texts folder"),
    (["--out", "{d}/x.csv", "--record", "{d}/x.csv"], "name the same file"),
    (["--bootstrap", "1000001"], "use at most 100000"),
    (["--min-confidence", "０.５"], "not a confidence"),
    (["--split", "test", "--excerpts", "{d}/dev_only.csv"], "no excerpt has split 'test'"),
])
def test_inputs_are_never_outputs_and_options_are_checked(standoff, cli, args, message):
    rows = list(csv.reader(open(standoff / "excerpts.csv", encoding="utf-8")))
    write([r for r in rows[1:] if r[8] == "dev"], standoff / "dev_only.csv", rows[0])
    before = {p: p.read_bytes() for p in standoff.rglob("*") if p.is_file()}
    run = cli("evaluate", "--standoff", standoff / "labels.csv", "--texts", standoff / "cache",
              *[a.format(d=standoff) for a in args])
    assert run.code != 0 and message in run.err and run.err.count("npstudy: error:") == 1
    assert {p: p.read_bytes() for p in standoff.rglob("*") if p.is_file()} == before


def test_full_width_offsets_are_refused(standoff):
    path = standoff / "labels.csv"
    rows = list(csv.reader(open(path, encoding="utf-8")))
    rows[1][3:5] = ["０", "６"]
    write(rows[1:], path, rows[0])
    with pytest.raises(DataError, match="ASCII digits"):
        load_standoff(path, standoff / "cache")


def test_a_record_keeps_other_rows_exactly_and_knows_a_file_by_its_hash(standoff, cli, monkeypatch):
    from npstudy.evaluation import RECORD_COLUMNS
    record = standoff / "record.csv"
    other = ["old/labels.csv", "abc", "dev", "recorded", "realtext-dev", "2026-01-01",
             "npstudy 0.0 coder 000000000000", "n/a",
             "0.123456789"] + [""] * 5 + ["3", "4", "5", "0", "0"]
    write([other], record, RECORD_COLUMNS)
    args = ["--texts", standoff / "cache", "--bootstrap", "20", "--record", record]
    assert cli("evaluate", "--standoff", standoff / "labels.csv", *args).code == 0
    monkeypatch.chdir(standoff)              # the same label file by another path
    assert cli("evaluate", "--standoff", "labels.csv", *args).code == 0
    rows = list(csv.reader(open(record, encoding="utf-8")))[1:]
    assert other in rows                     # kept exactly, text as written
    assert len(rows) == 2 and {r[0] for r in rows} == {"old/labels.csv", "labels.csv"}


@pytest.mark.parametrize("option", [["--no-province"], ["--min-confidence", "0.5"],
                                    ["--split", "dev"], ["--texts", "cache"],
                                    ["--excerpts", "excerpts.csv"]])
def test_stand_off_options_need_a_stand_off_set(cli, option):
    # options that only mean something for a stand-off set are refused without --standoff,
    # instead of being ignored
    run = cli("evaluate", "data/evaluation/dev", *option)
    assert run.code == 2 and "use it with --standoff LABELS" in run.err
    assert run.err.count("npstudy: error:") == 1
