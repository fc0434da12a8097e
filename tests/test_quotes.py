"""Quotes: the matching sentence, at most max_chars, masked, one per participant, with the source."""

import pandas as pd

from portrait.interviews.quotes import excerpt, negated, quote_bank


def test_excerpt_keeps_the_matching_sentence_and_the_limit():
    text = "Well, hello. The prices are far too high for me. I still come. Anyway that is all."
    assert excerpt(text, "prices", 40) == "The prices are far too high for me."
    assert excerpt(text, "prices", 60) == "The prices are far too high for me. I still come."
    long = "Prices " + "really " * 60 + "hurt."
    cut = excerpt(long, "Prices", 50)
    assert len(cut) <= 50 and cut.endswith("…") and cut.startswith("Prices really")


def test_quote_bank_masks_and_picks_one_quote_per_participant():
    turns = pd.DataFrame({"document": ["a", "a", "b"], "turn": [2, 4, 2], "start": [1.5, None, 3.0],
                          "text": ["Too expensive, call me on 067 123 45 67.", "Still too expensive for Olena.",
                                   "Expensive!"]})
    segments = pd.DataFrame({"document": ["a", "a", "b"], "turn": [2, 4, 2], "code": ["price"] * 3,
                             "matched": ["expensive"] * 3})
    bank = quote_bank(segments, turns, per_code=3, max_chars=80, names=["Olena"])
    assert bank["document"].tolist() == ["b", "a"]  # shortest first, one per participant
    assert "067" not in " ".join(bank["quote"]) and "Olena" not in " ".join(bank["quote"])
    assert bank.loc[0, "start"] == 3.0


def test_a_negated_match_is_never_a_quote_for_its_code():
    """Hand-written turns that borrow the code's word to deny it, in each language, beside true ones."""
    turns = pd.DataFrame({"document": ["a", "b", "c", "d", "e", "f"], "turn": 2, "start": None,
                          "text": ["Honestly? It's not expensive at all for what you get.",
                                   "I wouldn't say the price bothers me.",
                                   "Ціни мене зовсім не лякають.",
                                   "Совсем не дорого, честно.",
                                   "No, it is far too expensive for me.",
                                   "Для мене це задорого, чесно."]})
    codings = pd.DataFrame({"document": list("abcdef"), "turn": 2, "code": "price",
                            "matched": ["expensive", "price", "Ціни", "дорого", "expensive", "задорого"]})
    bank = quote_bank(codings, turns, per_code=6, max_chars=80)
    assert sorted(bank["document"]) == ["e", "f"]  # the denials are left out, a "No," before a true one is not


def test_negation_cues_sit_beside_the_match_in_its_clause():
    assert negated("I don't really care about trends.", "trends")
    assert negated("Тренди мене не цікавлять.", "Тренди")  # the cue after the word, as uk/ru put it
    assert negated("Детей у меня нет.", "Детей")
    assert negated("Не могу сказать, что цена меня смущает.", "цена")  # the comma before "что" does not end it
    assert not negated("No, it's far too expensive.", "expensive")  # "No," answers the question
    assert not negated("Prices are high. Nothing else bothers me.", "Prices")  # the sentence ends first
    assert not negated("It never fails: the price is too high.", "price")
    assert not negated("Far too expensive.", "cheap")  # a match not in the text is not judged
