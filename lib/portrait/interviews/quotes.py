"""The quote bank: for each code, the most representative respondent quotes, with their source.

A quote is the sentence of the turn that holds the match (neighbouring sentences are added while
they fit), cut at a word boundary to `max_chars`. Names, e-mails, phones and card numbers are
masked again here, so a quote never carries them even if a transcript slipped past step 01.
"""

from __future__ import annotations

import re

import pandas as pd

from portrait.collect.privacy import mask_text

SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def excerpt(text: str, matched: str, max_chars: int) -> str:
    """The sentence containing `matched`, widened while it fits, never longer than `max_chars`."""
    sentences = SENTENCE.split(text.strip())
    hit = next((i for i, s in enumerate(sentences) if matched and matched in s), 0)
    quote = sentences[hit]
    left, right = hit - 1, hit + 1
    while True:
        grown = False
        if right < len(sentences) and len(quote) + 1 + len(sentences[right]) <= max_chars:
            quote, right, grown = f"{quote} {sentences[right]}", right + 1, True
        if left >= 0 and len(quote) + 1 + len(sentences[left]) <= max_chars:
            quote, left, grown = f"{sentences[left]} {quote}", left - 1, True
        if not grown:
            break
    if len(quote) > max_chars:
        quote = quote[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return quote


def quote_bank(codings: pd.DataFrame, turns: pd.DataFrame, per_code: int = 3, max_chars: int = 200,
               names: list[str] = ()) -> pd.DataFrame:
    """Up to `per_code` quotes per code, one per participant, shortest complete ones first.

    Representative = the turn states the code (a pattern matched) in few words: short turns are
    more quotable and less likely to mix several themes.
    """
    joined = codings.merge(turns[["document", "turn", "text", "start"]], on=["document", "turn"], how="left")
    joined["quote"] = [mask_text(excerpt(t, m, max_chars), names) for t, m in zip(joined["text"], joined["matched"])]
    joined["codes_in_turn"] = joined.groupby(["document", "turn"])["code"].transform("count")
    joined["length"] = joined["quote"].str.len()
    ranked = joined.sort_values(["code", "codes_in_turn", "length", "document", "turn"])
    # One quote per participant, and never the same words twice under one code.
    best = ranked.drop_duplicates(["code", "document"]).drop_duplicates(["code", "quote"])
    best = best.groupby("code", sort=False).head(per_code)
    return best[["code", "quote", "document", "turn", "start"]].reset_index(drop=True)
