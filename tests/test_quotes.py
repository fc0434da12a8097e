"""Quotes: the matching sentence, at most max_chars, masked, one per participant, with the source."""

import pandas as pd

from portrait.interviews.quotes import excerpt, quote_bank


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
