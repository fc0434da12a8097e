"""Survey quality flags on a small hand-made table where every flag is known."""

import pandas as pd
import pytest

from portrait.errors import SourceFormatError
from portrait.collect.quality import flag_counts, flag_respondents
from portrait.config.study import GridCheck, SurveyQuality

GRID = [f"Agree - item {i}" for i in range(1, 6)]


def survey():
    rows = {
        # id, submit, duration, email_key, age, grid answers, last question
        "r1": ("2026-01-01 10:00", "600", "e1", "30", ["1", "2", "3", "4", "5"], "x"),
        "r2": ("2026-01-01 11:00", "100", "e2", "31", ["2", "3", "2", "3", "2"], "x"),  # speeder
        "r3": ("2026-01-01 12:00", "650", "e3", "32", ["4", "4", "4", "4", "4"], "x"),  # straight-liner
        "r4": ("2026-01-01 09:00", "640", "e1", "33", ["1", "2", "3", "4", "5"], "x"),  # earlier: r1 is the duplicate
        "r5": ("2026-01-01 13:00", "620", "e5", "150", ["1", "9", "3", "4", "5"], "x"),  # two cells out of range
        "r6": ("2026-01-01 14:00", "610", None, "35", [None] * 5, None),  # broke off after age
        "r7": ("2026-01-01 15:00", "630", None, "36", ["1", "3", "3", "2", "5"], None),  # blank last answer only
    }
    records = []
    for rid, (submit, duration, email, age, grid, last) in rows.items():
        record = {"respondent_id": rid, "Submit": submit, "Duration": duration, "email_key": email, "Age": age}
        record.update(dict(zip(GRID, grid)))
        record["Last"] = last
        records.append(record)
    return pd.DataFrame(records).astype("string").set_index(pd.RangeIndex(7))


RULES = SurveyQuality(submitted_column="Submit", duration_column="Duration", speeder_ratio=0.33,
                      duplicate_on=["E-mail"], grids=[GridCheck(name="agree", columns="^Agree - ", min=1, max=5)],
                      ranges={"Age": (16, 99)}, incomplete_share=0.3)
QUESTIONS = ["Age", *GRID, "Last"]


def flagged():
    return flag_respondents(survey(), RULES, QUESTIONS, ["email_key"], "survey.csv").set_index("respondent_id")


def test_each_flag_hits_exactly_the_planted_rows():
    out = flagged()
    assert out.index[out["qf_duplicate"]].tolist() == ["r1"]
    assert out.index[out["qf_speeder"]].tolist() == ["r2"]
    assert out.index[out["qf_straightliner"]].tolist() == ["r3"]
    assert out.loc["r3", "qf_straightline_grids"] == "agree"
    assert out.index[out["qf_out_of_range"]].tolist() == ["r5"]
    assert out.loc["r5", "qf_out_of_range_cells"] == 2
    assert out.index[out["qf_incomplete"]].tolist() == ["r6"]
    assert out.index[out["quality_ok"]].tolist() == ["r4", "r7"]


def test_counts_table():
    table = flag_counts(flagged()).set_index("flag")
    assert table.loc["speeder", "respondents"] == 1
    assert table.loc["any flag", "respondents"] == 5
    assert table.loc["any flag", "share_%"] == pytest.approx(71.4)


def test_grid_pattern_matching_nothing_is_an_error():
    rules = RULES.model_copy(update={"grids": [GridCheck(name="values", columns="^Nope", min=1, max=5)]})
    with pytest.raises(SourceFormatError, match="grid `values` matches no column"):
        flag_respondents(survey(), rules, QUESTIONS, ["email_key"], "survey.csv")


def test_range_on_unknown_column_is_an_error():
    rules = RULES.model_copy(update={"ranges": {"Agee": (1, 2)}})
    with pytest.raises(SourceFormatError, match="'Agee', which is not a column"):
        flag_respondents(survey(), rules, QUESTIONS, ["email_key"], "survey.csv")
