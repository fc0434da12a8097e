"""Open-ended coding on lemmas in English, Ukrainian and Russian; uncoded share; theme proposals."""

import pandas as pd

from portrait.survey.open_coding import CodeFrame, code_answers, language_of, propose_themes

FRAME = CodeFrame.model_validate({"question": "q", "codes": [
    {"code": "price", "label": "Price", "patterns": {"en": ["discount", "promo code"], "uk": ["знижка"],
                                                      "ru": ["скидка"]}},
    {"code": "kids", "label": "Children", "patterns": {"en": ["kid"], "uk": ["дитина", "діти"], "ru": ["ребенок", "дети"]}},
]})


def test_languages_are_told_by_their_letters():
    assert language_of("Чекаю знижок") == "uk"
    assert language_of("Жду скидок") == "ru"
    assert language_of("Waiting for discounts") == "en"


def test_inflected_forms_match_in_three_languages_and_answers_carry_several_codes():
    answers = pd.Series([
        "I wait for discounts and promo codes for my kids",   # en, two codes, plural forms
        "Купую все зі знижкою",                              # uk instrumental case
        "Покупаю только со скидками",                        # ru plural instrumental
        "Мої діти швидко ростуть",                            # uk
        "Для ребенка ищу куртку",                            # ru genitive
        "The colours are lovely",                            # nothing
        None, "  ",
    ])
    coding = code_answers(answers, FRAME)
    assert coding.codes["price"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert coding.codes["kids"].tolist() == [1, 0, 0, 1, 1, 0, 0, 0]
    table = coding.frequencies().set_index("code")
    assert table.loc["(uncoded)", "answers"] == 1  # blanks are not answers
    assert table.loc["price", "% of answers"] == 50.0


def test_theme_proposals_find_the_missing_code():
    delivery = ["The courier was late and the parcel took two weeks",
                "Delivery takes too long, the parcel never comes on time",
                "My parcel was stuck and the courier did not call"] * 4
    colours = ["I want brighter colours and prints", "More colours please, bright prints",
               "The colours and prints are boring"] * 4
    answers = pd.Series(delivery + colours)
    themes = propose_themes(answers, answers.map(language_of), n_themes=2, seed=1)
    terms = " ".join(themes["top terms"])
    assert "parcel" in terms and "colour" in terms
    assert sorted(themes["answers"]) == [12, 12]
    again = propose_themes(answers, answers.map(language_of), n_themes=2, seed=1)
    pd.testing.assert_frame_equal(themes, again)


def test_a_question_nobody_answered_has_no_shares_and_no_themes():
    blank = pd.Series([None, "  ", None], dtype="string")
    table = code_answers(blank, FRAME).frequencies()
    assert table["answers"].sum() == 0 and table["% of answers"].isna().all()
    themes = propose_themes(blank.dropna(), pd.Series(dtype="string"))
    assert themes.empty and str(themes["theme"].dtype) == "int64"
