"""Plumbing of auto-coding: patterns found on lemmas, in order, in each language; co-occurrence.

Its quality on text the codebook was not written from is measured in test_interview_bank_independent.py."""

import pandas as pd

from portrait.interviews.autocoding import autocode, cooccurrence
from portrait.interviews.qual_codebook import QualCodebook


BOOK = QualCodebook.model_validate({"groups": {"barrier": {"label": "Barriers"}}, "codes": [
    {"code": "high_price", "group": "barrier", "label": "Price", "patterns": {"en": ["expensive"], "uk": ["дорогий"],
                                                                              "ru": ["дорогой"]}},
    {"code": "slow_delivery", "group": "barrier", "label": "Delivery",
     "patterns": {"en": ["took two weeks"], "uk": ["доставка"], "ru": ["доставка"]}},
]})


def turns(rows):
    return pd.DataFrame(rows, columns=["document", "turn", "role", "text"])


def test_plumbing_each_language_and_phrases_on_lemmas():
    coded = autocode(turns([
        ("d1", 1, "interviewer", "Is it expensive?"),
        ("d1", 2, "respondent", "Too expensive, and it took two weeks"),
        ("d2", 2, "respondent", "Дуже дорогі речі, а доставкою я незадоволена"),
        ("d3", 2, "respondent", "Дорогие вещи, и доставка ещё долгая"),
        ("d4", 2, "respondent", "Two weeks it took"),  # a phrase must match in order
        ("d5", 2, "respondent", "It takes two weeks"),  # … on lemmas: takes = took
    ]), BOOK)
    got = set(zip(coded["document"], coded["code"]))
    assert got == {("d1", "high_price"), ("d1", "slow_delivery"), ("d2", "high_price"), ("d2", "slow_delivery"),
                   ("d3", "high_price"), ("d3", "slow_delivery"), ("d5", "slow_delivery")}
    assert coded.loc[coded["document"] == "d2", "matched"].tolist() == ["дорогі", "доставкою"]
    assert coded.loc[coded["document"] == "d1", "rule"].tolist() == ["en: expensive", "en: took two weeks"]


def test_plumbing_cooccurrence_is_symmetric():
    segments = pd.DataFrame({"document": ["a", "a", "b"], "turn": [1, 2, 1], "code": ["x", "y", "x"]})
    matrix = cooccurrence(segments)
    assert matrix.loc["x", "y"] == matrix.loc["y", "x"] == 1 and matrix.loc["x", "x"] == 2
