"""The brand funnel: hand-checked stages and conversions; the demo's planted statuses are recovered."""

import pandas as pd
import pytest

from portrait.survey import codebook
from portrait.survey.funnel import funnel_by, funnel_table, stage_membership

from conftest import TRUTH


def small():
    """Seven respondents: unaware, two aware non-buyers, three buyers (rarely, often, often), one blank."""
    aware = pd.Series([0, 1, 1, 1, 1, 1, None])
    considered = pd.Series([0, 1, 0, 1, 1, 0, 1])
    bought = pd.Series([0, 0, 0, 1, 1, 1, None])
    frequency = pd.Series(pd.Categorical([None, None, None, "rarely", "often", "often", None],
                                         categories=["never", "rarely", "medium", "often"]))
    return stage_membership(aware, bought, considered, frequency)


def test_stages_and_conversions_by_hand():
    table = funnel_table(small()).set_index("stage")
    # Tiers nobody chose (never, medium) are left out; the study's own labels name the tiers.
    assert list(table.index) == ["All respondents", "Aware", "Considered", "Bought", "Bought: rarely", "Bought: often"]
    assert table["respondents"].tolist() == [6, 5, 4, 3, 1, 2]
    assert table.loc["Aware", "conversion %"] == pytest.approx(100 * 5 / 6, abs=0.05)
    assert table.loc["Bought", "conversion %"] == 75.0
    assert table.loc["Bought: often", "conversion %"] == pytest.approx(66.7)
    assert table.loc["Bought: rarely", "% of base"] == pytest.approx(16.7)


def test_without_consideration_bought_converts_from_aware():
    member = stage_membership(pd.Series([1, 1, 0, 1]), pd.Series([1, 0, 0, 1]))
    table = funnel_table(member).set_index("stage")
    assert list(table.index) == ["All respondents", "Aware", "Bought"]
    assert table.loc["Bought", "conversion %"] == pytest.approx(66.7)


def test_weights_change_shares_not_counts():
    weights = pd.Series([3.0, 1, 1, 1, 1, 1, 1])
    table = funnel_table(small(), weights).set_index("stage")
    assert table.loc["Aware", "respondents"] == 5
    assert table.loc["Aware", "% of base"] == pytest.approx(100 * 5 / 8, abs=0.05)


def test_by_banner_has_total_and_each_value():
    table = funnel_by(small(), pd.Series(["a", "a", "b", "b", "b", "a", "a"]))
    assert list(table.columns) == ["Total", "a", "b"]
    assert table.loc["Bought", "b"] == pytest.approx(66.7)


def test_demo_funnel_status_matches_the_planted_one(demo_collected, demo_study):
    respondents = demo_collected.tables["survey"]
    coded = codebook.apply(codebook.load_codebook(demo_study.raw_path(demo_study.config.codebooks.survey)),
                           respondents, respondents["qf_incomplete"])
    recovered = pd.DataFrame({"Response ID": respondents["respondent_id"],
                              "recovered": coded.data["brand_relationship"]})
    links = pd.read_csv(TRUTH / "survey_quality.csv", dtype=str)[["Response ID", "person_id"]]
    planted = pd.read_csv(TRUTH / "people.csv")[["person_id", "relationship"]]
    both = recovered.merge(links, on="Response ID", how="left").merge(planted, on="person_id", how="left")
    assert len(both) == len(respondents) and both["relationship"].notna().all()
    agreement = (both["recovered"] == both["relationship"]).fillna(False).mean()
    assert agreement >= 0.95, f"funnel status agrees for {agreement:.1%} of valid respondents"
