"""The framework ids are fixed; every code is documented and grounded in the text."""

import pytest

from npstudy import load_codebook, load_practices, load_source

# From DESIGN.md: these ids are fixed.
FIXED = {
    "innovation": ["innovation.basic_research", "innovation.venture_capital", "innovation.tech_transfer"],
    "new_tracks": ["new_tracks.future_industries", "new_tracks.industrial_chains",
                   "new_tracks.digital_economy"],
    "green": ["green.low_carbon_industry", "green.carbon_accounting", "green.carbon_finance"],
    "reform": ["reform.market_entities", "reform.talent", "reform.opening_up"],
}


@pytest.fixture(scope="module")
def cb():
    return load_codebook()


def test_fixed_pillars_and_themes(cb):
    assert cb.ids("pillar") == list(FIXED)
    assert {p: cb.children(p) for p in cb.ids("pillar")} == FIXED


def test_pillar_labels_are_the_article_headings(cb):
    text = load_source().split("\n")
    assert [cb.label(p, "zh") for p in cb.ids("pillar")] == [text[1], text[7], text[11], text[16]]


def test_every_theme_has_several_codes(cb):
    counts = {t: len(cb.children(t)) for t in cb.ids("theme")}
    assert min(counts.values()) >= 2
    assert sum(counts.values()) == len(cb.ids("code")) == 39


def test_every_entry_is_bilingual_and_defined(cb):
    for e in cb.entries():
        assert e.zh and e.en and len(e.definition) > 20, e.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in e.zh), e.id
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in e.en), e.id


def test_codes_have_rules_examples_and_keywords(cb):
    text = load_source()
    for e in cb.entries("code"):
        assert e.include and e.exclude, e.id
        assert e.example in text, f"{e.id}: example is not verbatim in the source"
        assert e.keywords and all(k.strip() == k and k for k in e.keywords), e.id


def test_every_code_is_used_or_names_a_general_statement(cb):
    used = set(load_practices()["code"])
    assert used <= set(cb.ids("code"))
    # 7 codes hold no row: 6 stand for statements with no named province, and green_tracks
    # lost its only row, a direction without an instrument (rule R1)
    assert len(used) == 32


def test_rollup(cb):
    code = "green.carbon_accounting.footprint_standard"
    assert cb.rollup(code, "code") == code
    assert cb.rollup(code, "theme") == "green.carbon_accounting"
    assert cb.rollup(code, "pillar") == "green"
    assert cb.rollup("reform.talent", "pillar") == "reform"
    with pytest.raises(ValueError, match="cannot roll theme"):
        cb.rollup("reform.talent", "code")
    with pytest.raises(KeyError, match="did you mean 'reform.talent'"):
        cb.rollup("reform.talnet", "pillar")


def test_labels(cb):
    assert cb.label("innovation", "en", short=True) == "S&T innovation"
    assert cb.label("innovation", "zh", short=True) == "科技创新"
    with pytest.raises(ValueError):
        cb.label("innovation", "fr")


def test_instruments(cb):
    assert list(cb.instrument_categories) == ["supply", "environment", "demand"]
    assert set(load_practices()["instrument_type"]) <= set(cb.instrument_types)


def test_to_frame(cb):
    frame = cb.to_frame()
    assert frame["level"].value_counts().to_dict() == {"code": 39, "theme": 12, "pillar": 4}
    row = frame.set_index("id").loc["reform.opening_up.single_window"]
    assert (row["pillar"], row["theme"], row["parent"]) == (
        "reform", "reform.opening_up", "reform.opening_up")


# -- the blind view a second coder receives ------------------------------------------------

def _blind():
    from npstudy.codebook import blind_view
    return blind_view(load_codebook())


def test_blind_view_shares_no_ten_characters_with_the_article():
    view, text = _blind(), load_source()
    shared = {view[i:i + 10] for i in range(len(view) - 9) if view[i:i + 10] in text}
    assert shared == set()


def test_blind_view_check_catches_a_copied_span():
    # the check above can fail: a view holding one span of the article is caught
    text = load_source()
    view = _blind() + text[2042:2071]
    assert any(view[i:i + 10] in text for i in range(len(view) - 9))


def test_blind_view_has_no_example_keyword_or_row_id():
    import re
    cb, view = load_codebook(), _blind()
    for e in cb.entries("code"):
        assert e.example not in view, e.id
    # ids of rows (P…), aggregates (A…) and statements (S…): only the format S001 of rule R1a
    assert set(re.findall(r"\b[PSA]\d{2,3}\b", view)) == {"S001"}
    # every definition and every coding rule is there
    assert all(e.definition in view for e in cb.entries())
    assert [f"**{r} " in view for r in ("R1", "R1a", "R1b", "R1c", "R9a", "R10", "R11")] == [True] * 7


def test_blind_view_file_is_current_and_regenerated_identically():
    from pathlib import Path
    shipped = Path(__file__).resolve().parents[1] / "data" / "reliability" / "codebook_blind.md"
    assert _blind() == _blind() == shipped.read_text(encoding="utf-8")


def test_coding_rules_read_from_markdown(tmp_path):
    from npstudy.codebook import coding_rules
    from npstudy.fileio import DataError
    md = tmp_path / "r.md"
    md.write_text("# x\n\n## Coding rules\n\nIntro.\n\n- **R1 Unit.** One row per\n  statement.\n"
                  "- **R2b Other thing.** Two.\n\n## Next\n- **R3 Not.** read\n", encoding="utf-8")
    rules = coding_rules(md)
    assert rules.to_dict("records") == [
        {"rule": "R1", "title": "Unit", "text": "One row per statement."},
        {"rule": "R2b", "title": "Other thing", "text": "Two."}]
    md.write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(DataError, match="no '## Coding rules' section"):
        coding_rules(md)
