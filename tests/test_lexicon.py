"""The lexicon and places tables: counts, kinds, provenance and context rules."""

import pandas as pd
import pytest

from npstudy.dataset import DataError, load_codebook
from npstudy.lexicon import (LEXICON_KINDS, check_lexicon, load_lexicon, load_places)

CODES = set(load_codebook().ids("code"))


def test_lexicon_is_v2_size_and_covers_every_code():
    lex = load_lexicon()
    coded = lex[lex["code"] != ""]
    assert len(lex) >= 1000
    assert set(coded["code"]) == CODES
    # at least eight terms for every code that is not a one-off mechanism
    per_code = coded.groupby("code").size()
    assert per_code.min() >= 7, per_code.sort_values().head()
    assert set(lex["kind"]) <= set(LEXICON_KINDS)
    assert (lex["provenance"].str.strip() != "").all()


def test_every_codebook_keyword_is_in_the_lexicon_as_article_wording():
    lex = load_lexicon()
    rows = set(zip(lex["term"], lex["code"], lex["kind"]))
    for e in load_codebook().entries("code"):
        for kw in e.keywords:
            assert (kw, e.id, "article") in rows, (kw, e.id)


def test_issue_vocabulary_is_present():
    lex = load_lexicon()
    theme = dict(zip(lex["term"], lex["code"].str.rsplit(".", n=1).str[0]))
    assert theme["民营企业"] == "reform.market_entities"
    assert theme["投向基础研究"] == "innovation.basic_research"
    assert theme["自由贸易试验区"] == "reform.opening_up"
    assert theme["绿色金融改革创新试验区"] == "green.carbon_finance"
    assert theme["绿色贷款"] == "green.carbon_finance"
    assert theme["算力券"] == "new_tracks.digital_economy"
    assert theme["低空经济"] == "new_tracks.future_industries"
    kinds = dict(zip(lex["term"], lex["kind"]))
    assert kinds["全国"] == kinds["我国"] == "negative"
    assert kinds["我省"] == kinds["该省"] == kinds["省委省政府"] == "self_reference"


def _table(rows):
    return pd.DataFrame(rows, columns=["term", "code", "kind", "requires", "excludes", "provenance"])


def test_check_lexicon_reports_each_problem_with_row_and_hint():
    code = "reform.opening_up.ftz_platform"
    bad = _table([
        ["自贸区", code, "short_form", "", "", "short form of 自贸试验区"],
        [" 外资", code, "synonym", "", "", "x"],                       # row 3: spaces
        ["外资", "reform.opening_up.ftz_platfrom", "synonym", "", "", "x"],  # row 4: typo
        ["全国", code, "negative", "", "", "x"],                       # row 5: coded negative
        ["自贸区", code, "variant", "", "", "again"],                  # row 6: repeat
        ["外贸", code, "syn", "", "", ""],                             # row 7: kind, provenance
        ["外贸", "reform.opening_up.single_window", "synonym", "", "", "y"],  # 2 codes, no rule
        ["口岸", code, "synonym", "通关;", "", "y"],                  # row 9: empty rule word
    ])
    problems = check_lexicon(bad, CODES, "lexicon.csv")
    text = "\n".join(problems)
    assert "lexicon.csv:3: term: ' 外资'" in text
    assert "lexicon.csv:4: code: 'reform.opening_up.ftz_platfrom' – not a code of the codebook " \
           "– did you mean 'reform.opening_up.ftz_platform'?" in text
    assert "lexicon.csv:5: code:" in text
    assert "lexicon.csv:6: term: '自贸区' – repeats row 2" in text
    assert "lexicon.csv:7: kind: 'syn' – unknown kind" in text
    assert "lexicon.csv:7: provenance:" in text
    assert "'外贸' – listed under 2 codes without context rules" in text
    assert "lexicon.csv:9: requires: '通关;'" in text
    assert len(problems) == 9


def test_load_lexicon_raises_one_error_with_all_problems(tmp_path):
    path = tmp_path / "lexicon.csv"
    _table([["外资", "nope", "synonym", "", "", ""]]).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        load_lexicon(path)
    assert str(err.value).count("\n") == 1   # two problems, one per line


def test_places_hold_the_issue_examples():
    places = load_places()
    by_short = {r.short_zh: r for r in places.itertuples() if r.match_short == "true"}
    assert by_short["宁国"].province == "CN-AH" and by_short["宁国"].kind == "county_city"
    assert by_short["海宁"].province == "CN-ZJ"
    assert by_short["定州"].province == "CN-HE"
    assert by_short["雄安新区"].province == "CN-HE" and by_short["雄安新区"].kind == "new_area"
    assert by_short["赣江新区"].province == "CN-JX"
    assert by_short["人才兴皖"].province == "CN-AH"
    counts = places["kind"].value_counts()
    assert counts["new_area"] == 19            # State Council approvals, 1992-2017
    assert 390 <= counts["county_city"] <= 400  # 397 in the 2025 division codes
    # a short name inside everyday phrases is matched only in full
    assert places.loc[places["short_zh"] == "开平", "match_short"].item() == "false"


def test_the_docs_state_the_lexicon_size_the_file_has():
    """The row count in the data dictionary and the how-to is the file's own (counted by pandas)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    rows = len(pd.read_csv(root / "data" / "lexicon.csv", dtype=str))
    stated = {path: re.findall(r"([\d,]+) rows", (root / path).read_text(encoding="utf-8"))
              for path in ("data/README.md", "docs/howto/extend.md")}
    assert f"{rows:,}" in stated["data/README.md"], stated
    assert f"{rows:,}" in stated["docs/howto/extend.md"], stated
