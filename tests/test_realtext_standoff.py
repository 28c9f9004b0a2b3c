"""The real-text evaluation set is stand-off, complete and reproducibly split.

``data/evaluation/realtext/`` holds only records (URL, hash, length, flags) of published
excerpts; the texts live in a cache outside git. These tests check the records, the seeded
split, the README counts and the cache checker; the cache checker is exercised on a temporary
folder of made-up strings, never on the published texts.
"""

import csv
import hashlib
import importlib.util
import re
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "data" / "evaluation" / "realtext"
COLUMNS = ["excerpt_id", "url", "outlet", "date", "genre", "province", "has_title",
           "distractor", "split", "sha256", "n_chars", "query"]
GENRES = {"work_report", "plan_opinion", "provincial_news", "national_news",
          "speech_press", "statistics_review", "city_county"}


def _module(name):
    spec = importlib.util.spec_from_file_location(f"realtext_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def table():
    with open(HERE / "excerpts.csv", encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_columns_in_the_required_order(table):
    fields, _ = table
    assert fields == COLUMNS


def test_ids_run_from_rt_001_without_gaps(table):
    _, rows = table
    assert [r["excerpt_id"] for r in rows] == [f"rt-{i:03d}" for i in range(1, len(rows) + 1)]


def test_every_field_has_its_form(table):
    _, rows = table
    with open(ROOT / "data" / "provinces.csv", encoding="utf-8", newline="") as f:
        codes = {r["iso_code"] for r in csv.DictReader(f)}
    for r in rows:
        where = r["excerpt_id"]
        assert re.fullmatch(r"[0-9a-f]{64}", r["sha256"]), where
        assert 150 <= int(r["n_chars"]) <= 800, where
        assert r["genre"] in GENRES, where
        assert r["province"] == "" or r["province"] in codes, where
        assert r["has_title"] in {"true", "false"} and r["distractor"] in {"true", "false"}, where
        assert r["split"] in {"dev", "test"}, where
        assert re.fullmatch(r"(\d{4}(-\d{2}(-\d{2})?)?)?", r["date"]), where
        assert r["url"].startswith(("http://", "https://")), where
        assert r["query"], where
    assert len({r["url"] for r in rows}) == len(rows)
    assert len({r["sha256"] for r in rows}) == len(rows)


def test_no_cell_is_long_enough_to_carry_an_excerpt(table):
    # Excerpts are 150-800 characters; queries and outlet names stay far below 150.
    _, rows = table
    longest = max((len(v), r["excerpt_id"], k) for r in rows for k, v in r.items() if k != "url")
    assert longest[0] < 150, longest


def test_coverage_targets_are_met(table):
    _, rows = table
    n = len(rows)
    provinces = Counter(r["province"] for r in rows if r["province"])
    genres = Counter(r["genre"] for r in rows)
    assert n >= 220
    assert len(provinces) >= 25
    assert max(provinces.values()) <= 0.08 * n
    assert min(genres[g] for g in GENRES) >= 15
    assert sum(r["distractor"] == "true" for r in rows) >= 0.15 * n


def test_dev_share_is_forty_percent_rounded_half_up():
    n_dev = _module("make_split").n_dev
    # 0.4 n + 0.5, floored: worked by hand.
    assert [n_dev(n) for n in (1, 2, 3, 4, 5, 25, 29, 54)] == [0, 1, 1, 2, 2, 10, 12, 22]


def test_split_is_stratified_seeded_and_order_free():
    assign = _module("make_split").assign
    rows = [{"excerpt_id": f"x-{i:02d}", "genre": g} for i, g in enumerate(["a"] * 5 + ["b"] * 4)]
    split = assign(rows)
    by_genre = Counter((r["genre"], split[r["excerpt_id"]]) for r in rows)
    assert by_genre == {("a", "dev"): 2, ("a", "test"): 3, ("b", "dev"): 2, ("b", "test"): 2}
    assert assign(list(reversed(rows))) == split


def test_committed_split_is_the_seeded_one(table):
    _, rows = table
    split = _module("make_split").assign(rows)
    assert {r["excerpt_id"]: r["split"] for r in rows} == split


def test_readme_counts_are_current(table):
    _, rows = table
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    assert _module("describe").render(readme, rows) == readme
    n = len(rows)
    assert f"| all | {n} | " in readme


def test_cache_checker_finds_missing_and_changed_files(tmp_path):
    verify = _module("verify_cache")
    texts = {"t-1": "甲乙丙丁" * 40, "t-2": "made-up text " * 20, "t-3": "第三条" * 60}
    rows = [{"excerpt_id": k, "sha256": hashlib.sha256(v.encode("utf-8")).hexdigest(),
             "n_chars": str(len(v))} for k, v in texts.items()]
    (tmp_path / "t-1.txt").write_bytes(texts["t-1"].encode("utf-8"))
    (tmp_path / "t-2.txt").write_bytes((texts["t-2"] + "\n").encode("utf-8"))
    assert verify.check(rows, tmp_path) == (["t-3"], ["t-2"], ["t-1"])


def test_cache_checker_exit_codes(tmp_path, capsys):
    verify = _module("verify_cache")
    text = "六十个字" * 50
    data = text.encode("utf-8")
    table = tmp_path / "x.csv"
    table.write_text("excerpt_id,sha256,n_chars\n"
                     f"t-1,{hashlib.sha256(data).hexdigest()},{len(text)}\n", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "t-1.txt").write_bytes(data)
    assert verify.main([str(cache), "--csv", str(table)]) == 0
    (cache / "t-1.txt").write_bytes(data[:-3])
    assert verify.main([str(cache), "--csv", str(table)]) == 1
    assert verify.main([str(tmp_path / "nowhere"), "--csv", str(table)]) == 2
    assert verify.main([str(cache), "--csv", str(tmp_path / "missing.csv")]) == 2
    assert "verify_cache: error: cannot read" in capsys.readouterr().err


def test_locate_finds_the_window_by_hash():
    locate = _module("locate").locate
    inner = "第二段落的内容。" * 20
    page = "标题\n" + inner + "\n页尾"
    digest = hashlib.sha256(inner.encode("utf-8")).hexdigest()
    assert locate(page, digest, len(inner)) == 3      # after "标题\n", counted by hand
    assert locate(page.replace("\n", "\r\n"), digest, len(inner)) == 4
    assert locate(page.replace("。", "."), digest, len(inner)) is None
    assert locate(page, digest, len(inner) + 1) is None


def test_locate_writes_the_cache_file(tmp_path, capsys):
    locate = _module("locate")
    inner = "made-up excerpt, not a published text. " * 5
    table = tmp_path / "x.csv"
    table.write_text("excerpt_id,sha256,n_chars\n"
                     f"t-9,{hashlib.sha256(inner.encode('utf-8')).hexdigest()},{len(inner)}\n",
                     encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("header\n" + inner + "footer", encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    assert locate.main(["t-9", str(page), str(cache), "--csv", str(table)]) == 0
    assert (cache / "t-9.txt").read_bytes() == inner.encode("utf-8")
    assert locate.main(["t-8", str(page), str(cache), "--csv", str(table)]) == 2
    page.write_text("nothing here", encoding="utf-8")
    assert locate.main(["t-9", str(page), str(cache), "--csv", str(table)]) == 1
    assert "not found" in capsys.readouterr().err


#: The current frozen test set: scored once, blind, with the final coder.
CURRENT = "data/evaluation/realtext/test6/labels.csv"


def test_the_readme_quotes_the_recorded_test_scores():
    # README's accuracy section quotes the one blind scoring of test6/ as recorded by
    # `npstudy evaluate --record`; a re-scoring or an edited number fails here
    import pandas as pd
    rec = pd.read_csv(ROOT / "figures" / "tables" / "coder_realtext.csv", dtype=str)
    row = rec[(rec["labels"] == CURRENT)
              & (rec["set"] == "realtext-test")].iloc[0]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    f = {k: f"{float(row[k]):.2f}" for k in ("precision", "precision_low", "precision_high",
                                             "recall", "recall_low", "recall_high")}
    assert f"recall {f['recall']} [{f['recall_low']}, {f['recall_high']}]" in readme
    assert f"precision {f['precision']} [{f['precision_low']}, {f['precision_high']}]" in readme
    assert row["coder"].split()[-1] in readme


def test_the_readme_quotes_the_recorded_no_province_scores_and_cut_off():
    # the figures after "without `--province`" and "confidence ≥ 0.7" come from the recorded
    # row and the screen's cut-off table; an edited number or a refitted screen fails here
    import pandas as pd
    rec = pd.read_csv(ROOT / "figures" / "tables" / "coder_realtext.csv", dtype=str)
    row = rec[(rec["labels"] == CURRENT)
              & (rec["set"] == "realtext-test (no --province)")].iloc[0]
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert (f"without `--province`, precision {float(row['precision']):.2f} and recall "
            f"{float(row['recall']):.2f}") in readme
    cut = pd.read_csv(ROOT / "figures" / "tables" / "coder_calibration_cutoffs.csv")
    at = cut[cut["cutoff"] == 0.7].iloc[0]
    assert (f"confidence ≥ 0.7 gave precision {at['precision']:.2f} at recall "
            f"{at['recall']:.2f}") in readme
    # ... and on the test set itself (evaluate --min-confidence 0.7, the same coder)
    kept = rec[(rec["labels"] == CURRENT) & (rec["set"] == "realtext-test (confidence ≥ 0.7)")]
    kept = kept.iloc[0]
    assert (f"it gave precision {float(kept['precision']):.2f} at recall "
            f"{float(kept['recall']):.2f}") in readme


def test_the_version_comparison_is_quoted_from_its_table():
    # after test6/'s one scoring, tools/compare_coders.py coded it with the rules alone and
    # with two earlier versions; README and docs/coder.md quote that table, and its row for
    # this version is the recorded blind score
    import pandas as pd
    versions = pd.read_csv(ROOT / "figures" / "tables" / "coder_realtext_versions.csv",
                           dtype={"fingerprint": str})
    versions = versions[versions["labels"] == CURRENT].set_index(["coder", "province"])
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    prev = versions.loc[("previous", "recorded")]
    assert (f"had precision {prev['precision']:.2f} and recall {prev['recall']:.2f}") in readme
    rules = versions.loc[("rules", "recorded")]
    assert (f"the rules alone, precision {rules['precision']:.2f} and recall "
            f"{rules['recall']:.2f}") in readme
    page = (ROOT / "docs" / "coder.md").read_text(encoding="utf-8")
    for coder in ("rules", "older", "previous", "this"):
        r = versions.loc[(coder, "recorded")]
        cells = (f"{r['precision']:.2f} [{r['precision_low']:.2f}, {r['precision_high']:.2f}] | "
                 f"{r['recall']:.2f} [{r['recall_low']:.2f}, {r['recall_high']:.2f}]")
        assert cells in page.replace("**", ""), coder
    rec = pd.read_csv(ROOT / "figures" / "tables" / "coder_realtext.csv")
    blind = rec[(rec["labels"] == CURRENT)
                & (rec["set"] == "realtext-test")].iloc[0]
    this = versions.loc[("this", "recorded")]
    assert (this["tp"], this["suggested"], this["labelled"]) == (blind["tp"], blind["suggested"],
                                                                 blind["labelled"])
    assert blind["coder"].endswith(this["fingerprint"])



def test_the_coder_page_quotes_every_recorded_test_score():
    # docs/coder.md's tables of the current and the retired test sets are rows of
    # coder_realtext.csv (precision and recall with their intervals, rounded to 2 decimals)
    import pandas as pd
    rec = pd.read_csv(ROOT / "figures" / "tables" / "coder_realtext.csv")
    page = (ROOT / "docs" / "coder.md").read_text(encoding="utf-8").replace("**", "")
    tests = rec[(rec["split"] == "test") & ~rec["set"].str.contains("confidence")]
    tests = tests[(tests["labels"] == CURRENT) | (tests["set"] == "realtext-test")]
    assert len(tests) == 3 + 5     # test6 in three modes; the first split and test2 to test5
    for r in tests.itertuples():
        cells = (f"{r.precision:.2f} [{r.precision_low:.2f}, {r.precision_high:.2f}] | "
                 f"{r.recall:.2f} [{r.recall_low:.2f}, {r.recall_high:.2f}]")
        assert cells in page, (r.labels, r.set)
