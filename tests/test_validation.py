"""Row validation: invalid rows go to the quarantine with file, row, column, value and reason."""

import pandas as pd

from portrait.collect import validation
from portrait.io.readers import ROW


def frame():
    return pd.DataFrame({
        ROW: [2, 3, 4, 5, 6],
        "ID": ["a", None, "c", "a", None],
        "Email": ["x@example.com", "y@example.com", "bad-date@example.com", "z@example.com", None],
        "When": ["2026-01-01", "2026-01-02", "2026-02-31", "2026-01-04", None],
        "Amount": ["1.5", "2", "3", "n/a", None],
    }).astype({"ID": "string", "Email": "string", "When": "string", "Amount": "string"})


def test_split_reconciles_and_explains():
    rules = validation.schema(
        {"ID": (True, [validation.first_occurrence()]), "When": (False, [validation.parses_as_datetime("%Y-%m-%d")]),
         "Amount": (False, [validation.is_number()])},
        [validation.not_blank_row(["ID", "Email", "When", "Amount"])],
    )
    kept, bad = validation.validate(frame(), rules, "survey", "s.csv", personal={"Email"})
    assert len(kept) + len(bad) == 5
    assert kept[ROW].tolist() == [2]
    by_row = bad.set_index("row")
    assert by_row.loc[3, "reason"] == "ID: required value is missing"
    assert "When: not a date/time in the format %Y-%m-%d" in by_row.loc[4, "reason"]
    assert by_row.loc[4, "values"] == "2026-02-31"
    assert "ID: repeats an id already used above" in by_row.loc[5, "reason"]
    assert "Amount: not a finite number" in by_row.loc[5, "reason"]
    assert "blank row" in by_row.loc[6, "reason"]
    assert set(bad["file"]) == {"s.csv"} and set(bad["source"]) == {"survey"}


def test_personal_values_are_masked_in_the_quarantine():
    rules = validation.schema({"Email": (False, [validation.parses_as_datetime("%Y")])})
    _, bad = validation.validate(frame(), rules, "survey", "s.csv", personal={"Email"})
    assert len(bad) == 4
    assert set(bad["values"]) == {"[personal]"}
    assert "example.com" not in bad.to_csv()


def test_valid_frame_has_empty_quarantine():
    rules = validation.schema({"Email": (False, [])})
    kept, bad = validation.validate(frame(), rules, "survey", "s.csv")
    assert len(kept) == 5 and bad.empty and list(bad.columns) == validation.QUARANTINE_COLUMNS
