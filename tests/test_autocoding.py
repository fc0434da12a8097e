"""Auto-coding of respondent turns in three languages, and its quality on the demo's planted themes."""

import pandas as pd

from portrait.interviews import agreement
from portrait.interviews.autocoding import autocode, cooccurrence
from portrait.interviews.qual_codebook import QualCodebook, load_qual_codebook

from conftest import TRUTH
from test_qual_codebook import DEMO_BOOK

BOOK = QualCodebook.model_validate({"groups": {"barrier": {"label": "Barriers"}}, "codes": [
    {"code": "high_price", "group": "barrier", "label": "Price", "patterns": {"en": ["expensive"], "uk": ["дорогий"],
                                                                              "ru": ["дорогой"]}},
    {"code": "slow_delivery", "group": "barrier", "label": "Delivery",
     "patterns": {"en": ["took two weeks"], "uk": ["доставка"], "ru": ["доставка"]}},
]})


def turns(rows):
    return pd.DataFrame(rows, columns=["document", "turn", "role", "text"])


def test_each_language_and_phrases_on_lemmas():
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


def test_cooccurrence_is_symmetric():
    segments = pd.DataFrame({"document": ["a", "a", "b"], "turn": [1, 2, 1], "code": ["x", "y", "x"]})
    matrix = cooccurrence(segments)
    assert matrix.loc["x", "y"] == matrix.loc["y", "x"] == 1 and matrix.loc["x", "x"] == 2


def test_demo_auto_coding_recovers_planted_themes(demo_study):
    turns_table = demo_study.read("turns")
    book = load_qual_codebook(DEMO_BOOK)
    truth = pd.read_csv(TRUTH / "interview_turns.csv").dropna(subset=["codes"])
    reference = truth.assign(code=truth["codes"].str.split(";")).explode("code")[["document", "turn", "code"]]
    units = turns_table.loc[turns_table["role"] == "respondent", ["document", "turn"]]
    table = agreement.precision_recall(autocode(turns_table, book), reference, units, [c.code for c in book.codes])
    macro = table.set_index("code").loc["(macro average)", "f1"]
    assert macro >= 0.8, table.to_string()
